import Foundation
import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

/// A 1-row volume holding `counts[i]` voxels of grey level i + 1, with `levelCount` levels.
private func volume(counts: [Int], levelCount: Int? = nil) -> DiscretisedVolume {
    var levels: [UInt16] = [0]  // one voxel outside the intensity mask
    for (i, n) in counts.enumerated() { levels += Array(repeating: UInt16(i + 1), count: n) }
    let grid = Grid(size: SIMD3(levels.count, 1, 1), spacing: SIMD3(1, 1, 1))
    return DiscretisedVolume(grid: grid, levels: levels, levelCount: levelCount ?? counts.count,
                             morphologicalMask: levels.map { $0 != 0 })
}

@Suite struct IntensityHistogramTests {
    @Test func definitionsMatchTheComputedTags() {
        let computed = IntensityHistogramFeatures.compute(volume(counts: [1, 2]))
        #expect(computed.tags == IntensityHistogramFeatures.definitions.map(\.tag))
        #expect(computed.count == 23)
    }

    @Test func digitalPhantomReferences() {
        let refs = DigitalPhantom.references(prefix: "ih")
        #expect(refs.count == 23)
        assertCompliance(IntensityHistogramFeatures.compute(DigitalPhantom.discretised), references: refs,
                         family: "ih (digital phantom)")
    }

    @Test func handDerivedHistogram() {
        // n = (2, 0, 3, 3): levels 1, 1, 3, 3, 3, 4, 4, 4; mean 23 / 8.
        let f = IntensityHistogramFeatures.compute(volume(counts: [2, 0, 3, 3]))
        expectClose(f["ih_mean"], 23.0 / 8, 1e-12, "mean")
        // Levels 3 and 4 share the highest count; 3 is nearer the mean 2.875.
        #expect(f["ih_mode"] == 3)
        expectClose(f["ih_median"], 3, 0, "median")
        expectClose(f["ih_min"], 1, 0, "min")
        expectClose(f["ih_max"], 4, 0, "max")
        expectClose(f["ih_range"], 3, 0, "range")
        // p = 0.25, 0.375, 0.375.
        expectClose(f["ih_entropy"], -(0.25 * log2(0.25) + 2 * 0.375 * log2(0.375)), 1e-12, "entropy")
        expectClose(f["ih_uniformity"], 0.0625 + 2 * 0.140625, 1e-12, "uniformity")
        // H' = (0 - 2, (3 - 2) / 2, (3 - 0) / 2, 3 - 3) = (-2, 0.5, 1.5, 0).
        expectClose(f["ih_max_grad"], 1.5, 0, "max grad")
        expectClose(f["ih_max_grad_g"], 3, 0, "max grad level")
        expectClose(f["ih_min_grad"], -2, 0, "min grad")
        expectClose(f["ih_min_grad_g"], 1, 0, "min grad level")
        // The moments agree with the intensity-based statistics of the same values.
        let s = StatisticsFeatures.compute(intensities: [1, 1, 3, 3, 3, 4, 4, 4])
        for name in ["mean", "var", "skew", "kurt", "median", "p10", "p90", "iqr", "mad", "rmad", "medad", "cov", "qcod"] {
            expectClose(f["ih_\(name)"], s["stat_\(name)"]!, 1e-12, name)
        }
    }

    @Test func modeTieEquidistantFromTheMeanTakesTheLowerLevel() {
        // n = (2, 0, 2): mean 2, levels 1 and 3 equally far.
        #expect(IntensityHistogramFeatures.compute(volume(counts: [2, 0, 2]))["ih_mode"] == 1)
        // n = (2, 1, 2, 0, 0) within Ng = 5: mean 2, level 1 and 3 tie again.
        #expect(IntensityHistogramFeatures.compute(volume(counts: [2, 1, 2], levelCount: 5))["ih_mode"] == 1)
        // n = (3, 0, 3, 1): mean 16 / 7 ~ 2.29, level 3 is nearer.
        #expect(IntensityHistogramFeatures.compute(volume(counts: [3, 0, 3, 1]))["ih_mode"] == 3)
    }

    @Test func gradientRunsOverEmptyBinsUpToNg() {
        // Fixed bin number with Ng = 5 but only levels 1-3 present: n = (1, 1, 1, 0, 0),
        // H' = (0, 0, -0.5, -0.5, 0): maximum 0 first at level 1, minimum -0.5 first at level 3.
        let f = IntensityHistogramFeatures.compute(volume(counts: [1, 1, 1], levelCount: 5))
        expectClose(f["ih_max_grad"], 0, 0, "max grad")
        expectClose(f["ih_max_grad_g"], 1, 0, "max grad level")
        expectClose(f["ih_min_grad"], -0.5, 0, "min grad")
        expectClose(f["ih_min_grad_g"], 3, 0, "min grad level")
        expectClose(f["ih_max"], 3, 0, "max")
        // Two bins: both gradients are n_2 - n_1.
        let two = IntensityHistogramFeatures.compute(volume(counts: [1, 4]))
        expectClose(two["ih_max_grad"], 3, 0, "two bins max")
        expectClose(two["ih_min_grad"], 3, 0, "two bins min")
    }

    @Test func singleGreyLevel() {
        let f = IntensityHistogramFeatures.compute(volume(counts: [9]))
        #expect(f["ih_mean"] == 1)
        #expect(f["ih_var"] == 0)
        #expect(f["ih_skew"] == 0)
        #expect(f["ih_kurt"] == 0)
        #expect(f["ih_mode"] == 1)
        #expect(f["ih_entropy"] == 0)
        #expect(f["ih_uniformity"] == 1)
        #expect(f["ih_max_grad"]!.isNaN)
        #expect(f["ih_min_grad_g"]!.isNaN)
        // One voxel at level 3 of Ng = 3: n = (0, 0, 1), H' = (0, 0.5, 1).
        let one = IntensityHistogramFeatures.compute(volume(counts: [0, 0, 1]))
        #expect(one["ih_median"] == 3)
        #expect(one["ih_p10"] == 3)
        #expect(one["ih_max_grad"] == 1)
        #expect(one["ih_max_grad_g"] == 3)
        #expect(one["ih_min_grad"] == 0)
        #expect(one["ih_min_grad_g"] == 1)
    }

    @Test func emptyROIGivesNaN() {
        let f = IntensityHistogramFeatures.compute(volume(counts: [0, 0]))
        #expect(f.count == 23)
        for (tag, v) in f { #expect(v.isNaN, "\(tag)") }
    }

    @Test func chestPhantomConfigurationA() {
        // Fixed bin size 25 HU from the lower re-segmentation bound -500.
        let volume = FirstOrderChestPhantom.discretised(binOrigin: -500, binWidth: 25) {
            Int(((Double($0) + 500) / 25).rounded(.down)) + 1
        }
        let computed = IntensityHistogramFeatures.compute(volume)
        let refs = FirstOrderChestPhantom.references(prefix: "ih")
        #expect(refs.count == 23)
        assertCompliance(computed, references: refs, family: "ih (CT config A)")
    }
}
