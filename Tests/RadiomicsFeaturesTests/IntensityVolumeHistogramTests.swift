import Foundation
import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

/// A 1-row volume of the given grey levels (0 = outside the intensity mask).
private func volume(_ levels: [UInt16], binOrigin: Double? = nil, binWidth: Double? = nil) -> DiscretisedVolume {
    let grid = Grid(size: SIMD3(levels.count, 1, 1), spacing: SIMD3(1, 1, 1))
    return DiscretisedVolume(grid: grid, levels: levels, levelCount: Int(levels.max() ?? 0),
                             morphologicalMask: levels.map { $0 != 0 }, binOrigin: binOrigin, binWidth: binWidth)
}

@Suite struct IntensityVolumeHistogramTests {
    @Test func definitionsMatchTheComputedTags() {
        let computed = IntensityVolumeHistogramFeatures.compute(volume([1, 2]))
        #expect(computed.tags == IntensityVolumeHistogramFeatures.definitions.map(\.tag))
    }

    @Test func digitalPhantomReferences() {
        let refs = DigitalPhantom.references(prefix: "ivh")
        #expect(refs.count == 6)
        let computed = IntensityVolumeHistogramFeatures.compute(DigitalPhantom.discretised)
        assertCompliance(computed, references: refs, family: "ivh (digital phantom)")
        // The manual's worked IVH of the phantom gives an area of 0.32 (no consensus reference
        // file entry, but the table in the manual).
        expectClose(computed["ivh_auc"], 0.32, 0.005, "auc")
    }

    @Test func fixedBinNumberUsesTheGreyLevels() {
        // Levels 1-4, one voxel each: G = [1, 4], gamma = 0, 1/3, 2/3, 1; nu = 1, 3/4, 1/2, 1/4.
        let f = IntensityVolumeHistogramFeatures.compute(volume([0, 4, 2, 1, 3]))
        expectClose(f["ivh_v10"], 0.75, 1e-12, "v10")
        expectClose(f["ivh_v90"], 0.25, 1e-12, "v90")
        expectClose(f["ivh_i90"], 2, 0, "i90")
        // No level is reached by at most 10% of the volume.
        #expect(f["ivh_i10"]!.isNaN)
        expectClose(f["ivh_diff_v10_v90"], 0.5, 1e-12, "v10 - v90")
        expectClose(f["ivh_auc"], (0.875 + 0.625 + 0.375) / 3, 1e-12, "auc")
    }

    @Test func fixedBinSizeMapsLevelsToBinCentres() {
        // Bins of width 2 from 10: level k stands for 9 + 2k (11, 13, 15, 17).
        let v = volume([1, 2, 3, 4], binOrigin: 10, binWidth: 2)
        let f = IntensityVolumeHistogramFeatures.compute(v)
        expectClose(f["ivh_i90"], 13, 1e-12, "i90")
        expectClose(f["ivh_v10"], 0.75, 1e-12, "v10")
        // G = [10, 20] (re-segmentation bounds as given): centres 11 ... 19 lie within it; gamma of
        // 11 is 0.1, so V10 = nu(11) = 1; V90 needs gamma >= 0.9, i.e. 19, where nu = 0.
        let wide = IntensityVolumeHistogramFeatures.compute(v, range: 10...20)
        expectClose(wide["ivh_v10"], 1, 0, "wide v10")
        expectClose(wide["ivh_v90"], 0, 0, "wide v90")
        expectClose(wide["ivh_i90"], 13, 1e-12, "wide i90")
        // nu = 1, 3/4, 1/2, 1/4, 0 at gamma = 0.1, 0.3, 0.5, 0.7, 0.9.
        expectClose(wide["ivh_auc"], 0.2 * (0.875 + 0.625 + 0.375 + 0.125), 1e-12, "wide auc")
    }

    @Test func volumeFractionsOfManyVoxels() {
        // 100 voxels, levels 1...100 once each: nu_k = (101 - k) / 100, G = [1, 100].
        let levels = (1...100).map { UInt16($0) }
        let f = IntensityVolumeHistogramFeatures.compute(volume(levels))
        // gamma >= 0.1 first at k = 10.9 -> 11: nu = 0.9; gamma >= 0.9 first at k = 90.1 -> 91: nu = 0.1.
        expectClose(f["ivh_v10"], 0.9, 1e-12, "v10")
        expectClose(f["ivh_v90"], 0.1, 1e-12, "v90")
        // nu <= 0.1 first at k = 91; nu <= 0.9 first at k = 11.
        expectClose(f["ivh_i10"], 91, 0, "i10")
        expectClose(f["ivh_i90"], 11, 0, "i90")
        expectClose(f["ivh_diff_i10_i90"], 80, 0, "i10 - i90")
    }

    @Test func singleIntensity() {
        let f = IntensityVolumeHistogramFeatures.compute(volume([3, 3, 3], binOrigin: 0, binWidth: 1))
        #expect(f["ivh_auc"] == 0)
        #expect(f["ivh_v10"]!.isNaN)
        #expect(f["ivh_i10"]!.isNaN)
        // With a range the fractions exist: every voxel sits at 2.5 in [0, 5].
        let ranged = IntensityVolumeHistogramFeatures.compute(volume([3, 3, 3], binOrigin: 0, binWidth: 1), range: 0...5)
        expectClose(ranged["ivh_v10"], 1, 0, "v10")
        expectClose(ranged["ivh_v90"], 0, 0, "v90")
        expectClose(ranged["ivh_i10"], 3.5, 0, "i10")
        #expect(ranged["ivh_auc"] == 0)
    }

    @Test func emptyROIGivesNaN() {
        let f = IntensityVolumeHistogramFeatures.compute(volume([0, 0]))
        #expect(f.count == 7)
        for (tag, v) in f { #expect(v.isNaN, "\(tag)") }
    }

    @Test func chestPhantomConfigurationA() {
        // CT: whole-number intensities are their own discretised values (w_d = 1), G is the
        // re-segmentation range. Level x + 501 with bins of width 1 from -500.5 maps back to x.
        let volume = FirstOrderChestPhantom.discretised(binOrigin: -500.5, binWidth: 1) { Int($0.rounded()) + 501 }
        let computed = IntensityVolumeHistogramFeatures.compute(volume, range: -500...400)
        let refs = FirstOrderChestPhantom.references(prefix: "ivh")
        #expect(refs.count == 6)
        assertCompliance(computed, references: refs, family: "ivh (CT config A)")
        print("ivh_auc (CT config A, no reference): \(computed["ivh_auc"]!)")
    }
}
