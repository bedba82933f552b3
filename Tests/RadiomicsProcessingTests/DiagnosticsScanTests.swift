import RadiomicsCore
import Testing
@testable import RadiomicsProcessing

/// The diagnostics' intensity scans against a voxel-by-voxel scan over the doubles (the sum in
/// storage order), bit for bit (signed zeros included: min keeps the first of equal values, max
/// the last).
@Suite struct DiagnosticsScanTests {
    static func reference(_ values: [Float]) -> (mean: Double, minimum: Double, maximum: Double) {
        var total = 0.0, lo = Double.infinity, hi = -Double.infinity
        for f in values {
            let x = Double(f)
            total += x
            lo = min(lo, x)
            hi = max(hi, x)
        }
        return (total / Double(values.count), lo, hi)
    }

    @Test func imageStatisticsEqualTheVoxelByVoxelScan() {
        var state: UInt64 = 5
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 40)
        }
        for trial in 0..<60 {
            let size = SIMD3(1 + next() % 13, 1 + next() % 5, 1 + next() % 3)
            let grid = Grid(size: size, spacing: SIMD3(1, 1, 1))
            var image = Image(grid: grid, repeating: 0)
            for i in 0..<grid.voxelCount {
                switch trial % 6 {
                case 0: image.voxels[i] = Float(next() % 2001) - 1000
                // Fractional values, and whole ones so large that their sum rounds: the mean
                // must still be that of the storage-order sum.
                case 4: image.voxels[i] = i % 8 == 0 ? 3e6 + 0.5 : Float(next() % 1000 + 1) * 1e-7
                case 5: image.voxels[i] = i % 8 == 0 ? Float(1 << 54) : Float(next() % 1000 + 1)
                case 1: image.voxels[i] = [Float(0), -0.0][next() % 2]  // all zeros, both signs
                case 2: image.voxels[i] = [Float(0), -0.0, -5, -1][next() % 4]  // maximum zero
                default: image.voxels[i] = [Float(0), -0.0, 7, 2.5][next() % 4]  // minimum zero
                }
            }
            let stats = Diagnostics.ImageStatistics(image)
            let expected = Self.reference(image.voxels)
            #expect(stats.mean.bitPattern == expected.mean.bitPattern, "trial \(trial)")
            #expect(stats.minimum.bitPattern == expected.minimum.bitPattern, "trial \(trial)")
            #expect(stats.maximum.bitPattern == expected.maximum.bitPattern, "trial \(trial)")
            // The ROI intensities of the diagnostics: every voxel of a full mask.
            let mask = Mask(grid: grid, repeating: true)
            let values = Diagnostics.values(stage: .reSegmented, grid: grid, imageStatistics: nil, region: image,
                                            intensityMask: mask, morphologicalMask: mask)
            func value(_ tag: String) -> Double { values.first { $0.tag == tag }!.value }
            #expect(value("int_mask_mean_int_reseg_roi").bitPattern == expected.mean.bitPattern, "trial \(trial)")
            #expect(value("int_mask_min_int_reseg_roi").bitPattern == expected.minimum.bitPattern, "trial \(trial)")
            #expect(value("int_mask_max_int_reseg_roi").bitPattern == expected.maximum.bitPattern, "trial \(trial)")
        }
    }
}
