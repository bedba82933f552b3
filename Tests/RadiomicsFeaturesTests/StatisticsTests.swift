import Foundation
import RadiomicsCore
@testable import RadiomicsFeatures
import RadiomicsIO
import Testing

/// The IBSI 1 CT phantom in configuration A: no interpolation, re-segmentation range
/// [-500, 400] HU applied to the intensity mask; the morphological mask is the delineation.
enum FirstOrderChestPhantom {
    static let lower: Float = -500, upper: Float = 400

    static let roi: RegionOfInterest = {
        let image = try! NIfTIReader.readImage(at: Repository.path("ibsi-phantoms/ct_phantom/nifti/image/phantom.nii.gz"))
        let labels = try! NIfTIReader.readLabels(at: Repository.path("ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz"))
        let mask = labels.map { $0 != 0 }
        var intensityMask = mask
        for i in 0..<mask.voxels.count where mask.voxels[i] {
            let v = image.voxels[i]
            intensityMask.voxels[i] = v >= lower && v <= upper
        }
        return RegionOfInterest(image: image, morphologicalMask: mask, intensityMask: intensityMask)
    }()

    static let references: [ReferenceValue] = try! readReferenceValues(
        at: Repository.path("ibsi-phantoms/reference_values/ibsi_1_chest_config_a.csv"))

    static func references(prefix: String) -> [ReferenceValue] {
        references.filter { $0.tag.hasPrefix(prefix + "_") }
    }

    /// The ROI's grey levels, cropped to the morphological mask's bounding box, with `level`
    /// applied to each intensity-mask voxel (0 elsewhere); levelCount is the highest level.
    static func discretised(binOrigin: Double?, binWidth: Double?, level: (Float) -> Int) -> DiscretisedVolume {
        let box = roi.morphologicalMask.boundingBox!
        let image = roi.image.cropped(to: box)
        let mask = roi.intensityMask.cropped(to: box)
        let morph = roi.morphologicalMask.cropped(to: box)
        let levels = zip(image.voxels, mask.voxels).map { $1 ? UInt16(level($0)) : 0 }
        return DiscretisedVolume(grid: image.grid, levels: levels, levelCount: Int(levels.max()!),
                                 morphologicalMask: morph.voxels, binOrigin: binOrigin, binWidth: binWidth)
    }
}

func expectClose(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-12, _ what: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard let a else { Issue.record("\(what): missing", sourceLocation: sourceLocation); return }
    #expect(abs(a - b) <= tolerance * max(1, abs(b)), "\(what): \(a) != \(b)", sourceLocation: sourceLocation)
}

@Suite struct StatisticsTests {
    @Test func definitionsMatchTheComputedTags() {
        let computed = StatisticsFeatures.compute(intensities: [1, 2, 3])
        #expect(computed.tags == StatisticsFeatures.definitions.map(\.tag))
        #expect(computed.count == 18)
    }

    @Test func digitalPhantomReferences() {
        let computed = StatisticsFeatures.compute(intensities: DigitalPhantom.roi.intensities)
        assertCompliance(computed, references: DigitalPhantom.references(prefix: "stat"), family: "stat (digital phantom)")
        #expect(DigitalPhantom.references(prefix: "stat").count == 18)
    }

    @Test func handDerivedValuesOfOneToFour() {
        // 1, 2, 3, 4: mean 2.5; deviations -1.5, -0.5, 0.5, 1.5.
        let f = StatisticsFeatures.compute(intensities: [3, 1, 4, 2])
        expectClose(f["stat_mean"], 2.5, 1e-12, "mean")
        expectClose(f["stat_var"], 1.25, 1e-12, "var")
        expectClose(f["stat_skew"], 0, 1e-12, "skew")
        // m4 = (2 * 1.5^4 + 2 * 0.5^4) / 4 = 2.5625; 2.5625 / 1.25^2 - 3 = -1.36.
        expectClose(f["stat_kurt"], -1.36, 1e-12, "kurt")
        expectClose(f["stat_median"], 2.5, 1e-12, "median")
        expectClose(f["stat_min"], 1, 0, "min")
        expectClose(f["stat_max"], 4, 0, "max")
        // Positions (n - 1) p: 0.3 -> 1.3, 2.7 -> 3.7, 0.75 -> 1.75, 2.25 -> 3.25.
        expectClose(f["stat_p10"], 1.3, 1e-12, "p10")
        expectClose(f["stat_p90"], 3.7, 1e-12, "p90")
        expectClose(f["stat_iqr"], 1.5, 1e-12, "iqr")
        expectClose(f["stat_range"], 3, 0, "range")
        expectClose(f["stat_mad"], 1, 1e-12, "mad")
        // Within [1.3, 3.7]: 2 and 3, mean 2.5, mean absolute deviation 0.5.
        expectClose(f["stat_rmad"], 0.5, 1e-12, "rmad")
        expectClose(f["stat_medad"], 1, 1e-12, "medad")
        expectClose(f["stat_cov"], 1.25.squareRoot() / 2.5, 1e-12, "cov")
        expectClose(f["stat_qcod"], 1.5 / 5, 1e-12, "qcod")
        expectClose(f["stat_energy"], 30, 0, "energy")
        expectClose(f["stat_rms"], 7.5.squareRoot(), 1e-12, "rms")
    }

    @Test func percentilesInterpolateBetweenOrderStatistics() {
        let x: [Double] = [10, 20, 30, 40, 50]
        #expect(SampleSummary.percentile(sorted: x, 0) == 10)
        #expect(SampleSummary.percentile(sorted: x, 100) == 50)
        #expect(SampleSummary.percentile(sorted: x, 50) == 30)
        expectClose(SampleSummary.percentile(sorted: x, 10), 14, 1e-12, "p10")
        expectClose(SampleSummary.percentile(sorted: x, 90), 46, 1e-12, "p90")
        expectClose(SampleSummary.percentile(sorted: x, 37.5), 25, 1e-12, "p37.5")
        #expect(SampleSummary.percentile(sorted: [7], 90) == 7)
        #expect(SampleSummary.percentile(sorted: [], 50).isNaN)
    }

    @Test func skewedSampleHasTheTextbookMoments() {
        // 0, 0, 0, 4: mean 1, deviations -1, -1, -1, 3; m2 = 3, m3 = 6, m4 = 21.
        let f = StatisticsFeatures.compute(intensities: [0, 0, 4, 0])
        expectClose(f["stat_var"], 3, 1e-12, "var")
        expectClose(f["stat_skew"], 6 / (3 * 3.0.squareRoot()), 1e-12, "skew")
        expectClose(f["stat_kurt"], 21.0 / 9 - 3, 1e-12, "kurt")
        expectClose(f["stat_median"], 0, 0, "median")
        // Median 0: deviations 0, 0, 4, 0.
        expectClose(f["stat_medad"], 1, 1e-12, "medad")
        expectClose(f["stat_mad"], 1.5, 1e-12, "mad")
    }

    @Test func singleVoxel() {
        let f = StatisticsFeatures.compute(intensities: [5])
        for tag in ["stat_mean", "stat_median", "stat_min", "stat_max", "stat_p10", "stat_p90", "stat_rms"] {
            expectClose(f[tag], 5, 0, tag)
        }
        for tag in ["stat_var", "stat_skew", "stat_kurt", "stat_iqr", "stat_range", "stat_mad", "stat_rmad",
                    "stat_medad", "stat_cov", "stat_qcod"] {
            expectClose(f[tag], 0, 0, tag)
        }
        expectClose(f["stat_energy"], 25, 0, "energy")
    }

    @Test func constantIntensitiesHaveNoSpread() {
        // 0.1 is not a binary fraction: the spread must still be exactly 0.
        let f = StatisticsFeatures.compute(intensities: [Float](repeating: 0.1, count: 7))
        #expect(f["stat_var"] == 0)
        #expect(f["stat_skew"] == 0)
        #expect(f["stat_kurt"] == 0)
        #expect(f["stat_mad"] == 0)
        let zeros = StatisticsFeatures.compute(intensities: [0, 0, 0])
        #expect(zeros["stat_cov"]!.isNaN)
        #expect(zeros["stat_qcod"]!.isNaN)
        #expect(zeros["stat_energy"] == 0)
    }

    @Test func robustDeviationIsUndefinedWhenNoValueLiesBetweenP10AndP90() {
        // 1, 10: P10 = 1.9 and P90 = 9.1 enclose no value.
        let f = StatisticsFeatures.compute(intensities: [1, 10])
        #expect(f["stat_rmad"]!.isNaN)
        expectClose(f["stat_p10"], 1.9, 1e-12, "p10")
    }

    @Test func emptyROIGivesNaN() {
        let f = StatisticsFeatures.compute(intensities: [])
        #expect(f.count == 18)
        for (tag, v) in f { #expect(v.isNaN, "\(tag)") }
    }

    @Test func chestPhantomConfigurationA() {
        let intensities = FirstOrderChestPhantom.roi.intensities
        let computed = StatisticsFeatures.compute(intensities: intensities)
        let refs = FirstOrderChestPhantom.references(prefix: "stat")
        #expect(refs.count == 18)
        assertCompliance(computed, references: refs, family: "stat (CT config A)")
    }
}

/// The counting and radix sorts of the statistics against the comparison sort: the same
/// doubles, bit for bit.
@Suite struct SortedIntensityTests {
    @Test func radixSortEqualsTheComparisonSort() {
        var state: UInt64 = 99
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 29
        }
        for trial in 0..<56 {
            let n = [0, 1, 5, 63, 64, 65, 1000, 20_000][trial % 8]
            var values = [Float](repeating: 0, count: n)
            for i in 0..<n {
                switch trial % 7 {
                case 0: values[i] = Float(Int(next() % 4096)) - 1024  // CT-like whole numbers (counting sort)
                case 5: values[i] = Float(Int(next() % 8_000_000)) - 4_000_000  // whole, too wide to count
                case 1: values[i] = Float(bitPattern: UInt32(truncatingIfNeeded: next()) & 0x7F7F_FFFF) * (next() % 2 == 0 ? 1 : -1)
                case 2: values[i] = Float(next() % 1000) / 7  // positive fractions, many repeats
                case 3: values[i] = [Float.infinity, -.infinity, 0, Float.leastNormalMagnitude / 4, -Float.leastNormalMagnitude / 4, 3][Int(next() % 6)]
                case 4: values[i] = [Float(-0.0), 0, -1, 1, 2][Int(next() % 5)]  // signed zeros among others
                default: values[i] = [Float(-0.0), 0, -1.5, 1, 2][Int(next() % 5)]  // the same, not whole
                }
            }
            let expected = values.map(Double.init).sorted()
            let got = SampleSummary.sortedDoubles(values)
            #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "trial \(trial), n \(n)")
        }
        // -0.0 keeps its place among the zeros, as in the stable comparison sort.
        var zeros: [Float] = [0, -0.0, 2, -1] + [Float](repeating: 1, count: 100) + [-0.0, 0, -3, -0.0]
        #expect(SampleSummary.sortedDoubles(zeros).map(\.bitPattern) == zeros.map(Double.init).sorted().map(\.bitPattern))
        zeros[7] = .nan
        #expect(SampleSummary.sortedDoubles(zeros).count == zeros.count)
    }
}
