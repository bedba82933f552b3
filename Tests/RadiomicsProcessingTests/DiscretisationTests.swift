import RadiomicsCore
import Testing
@testable import RadiomicsProcessing

@Suite struct DiscretisationTests {
    /// A 4x2x1 image; the mask leaves out the last voxel of each row.
    func roi(_ values: [Float], intensityMask: [Bool]? = nil) -> RegionOfInterest {
        let grid = Grid(size: SIMD3(4, 2, 1), spacing: SIMD3(1, 1, 1))
        let morph = Mask(grid: grid, voxels: [true, true, true, false, true, true, true, false])
        let intensity = intensityMask.map { Mask(grid: grid, voxels: $0) } ?? morph
        return RegionOfInterest(image: Image(grid: grid, voxels: values), morphologicalMask: morph, intensityMask: intensity)
    }

    @Test func fixedBinNumber() throws {
        // min 10, max 40, Ng 3: floor(3 (x - 10) / 30) + 1 -> 10: 1, 19: 1, 20: 2, 29.9: 2, 30: 3, 40 (max): 3.
        let r = roi([10, 19, 20, 999, 29.9, 30, 40, -999])
        let d = try Discretisation.discretise(r, settings: .init(method: .fixedBinNumber, binCount: 3), reSegmentationRange: nil)
        #expect(d.grid.size == SIMD3(3, 2, 1))
        #expect(d.levels == [1, 1, 2, 2, 3, 3])
        #expect(d.levelCount == 3)
        #expect(d.binOrigin == nil && d.binWidth == nil)
        #expect(d.morphologicalMask == [Bool](repeating: true, count: 6))
    }

    @Test func fixedBinNumberMaximumMapsToTheLastBin() throws {
        // Ng 4 over [0, 8]: 8 would be floor(4) + 1 = 5 by the formula; IBSI assigns Ng.
        let r = roi([0, 2, 7.99, 0, 8, 6, 4, 0])
        let d = try Discretisation.discretise(r, settings: .init(method: .fixedBinNumber, binCount: 4), reSegmentationRange: nil)
        #expect(d.levels == [1, 2, 4, 4, 4, 3])
    }

    @Test func fixedBinSizeFromTheRoiMinimum() throws {
        // x0 = min = -7, w = 5: floor((x + 7) / 5) + 1 -> -7: 1, -2.1: 1, -2: 2, 0: 2, 3: 3, 14: 5.
        let r = roi([-7, -2.1, -2, 100, 0, 3, 14, 100])
        let d = try Discretisation.discretise(r, settings: .init(method: .fixedBinSize, binWidth: 5), reSegmentationRange: nil)
        #expect(d.levels == [1, 1, 2, 2, 3, 5])
        #expect(d.levelCount == 5)
        #expect(d.binOrigin == -7 && d.binWidth == 5)
    }

    @Test func fixedBinSizeFromTheReSegmentationLowerBound() throws {
        // x0 = -20 (range), w = 5: -7 -> floor(13 / 5) + 1 = 3, -2.1 -> 4, -2 -> 4, 0 -> 5, 3 -> 5, 14 -> 7.
        let r = roi([-7, -2.1, -2, 100, 0, 3, 14, 100])
        let range = ReSegmentationRange(lower: -20, upper: 50)
        let d = try Discretisation.discretise(r, settings: .init(method: .fixedBinSize, binWidth: 5), reSegmentationRange: range)
        #expect(d.levels == [3, 4, 4, 5, 5, 7])
        #expect(d.levelCount == 7)
        #expect(d.binOrigin == -20)
        // An explicit lower bound wins over the range.
        let e = try Discretisation.discretise(r, settings: .init(method: .fixedBinSize, binWidth: 5, lowerBound: -10), reSegmentationRange: range)
        #expect(e.levels == [1, 2, 2, 3, 3, 5])
        #expect(e.binOrigin == -10)
    }

    @Test func noDiscretisationUsesRoundedIntensities() throws {
        let r = roi([1, 3.2, 6, 0, 4, 1, 3, 0])
        let d = try Discretisation.discretise(r, settings: .none, reSegmentationRange: nil)
        #expect(d.levels == [1, 3, 6, 4, 1, 3])
        #expect(d.levelCount == 6)
        #expect(d.binOrigin == 0.5 && d.binWidth == 1)
    }

    @Test func voxelsOutsideTheIntensityMaskAreLevelZero() throws {
        let r = roi([10, 20, 30, 0, 40, 50, 60, 0],
                    intensityMask: [true, false, true, false, false, true, true, false])
        let d = try Discretisation.discretise(r, settings: .init(method: .fixedBinNumber, binCount: 5), reSegmentationRange: nil)
        // min 10, max 60: 10 -> 1, 30 -> floor(2) + 1 = 3, 50 -> 5, 60 -> 5.
        #expect(d.levels == [1, 0, 3, 0, 5, 5])
        #expect(d.roiVoxelCount == 4)
    }

    @Test func absurdBinCountsAreRefused() {
        let r = roi([0, 1, 2, 0, 3, 4, 1e9, 0])
        #expect(throws: RadiomicsError.self) {
            try Discretisation.discretise(r, settings: .init(method: .fixedBinSize, binWidth: 0.001), reSegmentationRange: nil)
        }
        #expect(throws: RadiomicsError.self) {
            try Discretisation.discretise(r, settings: .init(method: .fixedBinNumber, binCount: 70000), reSegmentationRange: nil)
        }
        #expect(throws: RadiomicsError.self) {
            try Discretisation.discretise(r, settings: .none, reSegmentationRange: nil)
        }
        #expect(throws: RadiomicsError.self) {
            try Discretisation.discretise(r, settings: .init(method: .fixedBinSize, binWidth: 1, lowerBound: 2), reSegmentationRange: nil)
        }
    }
}

@Suite struct ReSegmentationTests {
    let grid = Grid(size: SIMD3(10, 1, 1), spacing: SIMD3(1, 1, 1))

    @Test func rangeWithOpenBounds() {
        let image = Image(grid: grid, voxels: [-600, -500, -20, 0, 100, 400, 401, 900, 5, 7])
        var mask = Mask(grid: grid, repeating: true)
        mask.voxels[9] = false
        let closed = ReSegmentation.apply(image, mask: mask, settings: .init(range: .init(lower: -500, upper: 400)))
        #expect(closed.voxels == [false, true, true, true, true, true, false, false, true, false])
        let lowerOnly = ReSegmentation.apply(image, mask: mask, settings: .init(range: .init(lower: 0, upper: nil)))
        #expect(lowerOnly.voxels == [false, false, false, true, true, true, true, true, true, false])
    }

    @Test func outliersAfterTheRange() {
        // Nine voxels of 0 and one of 100: mean 10, SD 30, so [mean - 2 SD, mean + 2 SD] =
        // [-50, 70] drops the 100. With a range [-10, 50] first, the 100 is gone and the rest
        // (all 0, SD 0) stays.
        let image = Image(grid: grid, voxels: [0, 0, 0, 0, 0, 0, 0, 0, 0, 100])
        let mask = Mask(grid: grid, repeating: true)
        let out = ReSegmentation.apply(image, mask: mask, settings: .init(outlierSigma: 2))
        #expect(out.count == 9 && !out.voxels[9])
        let small = ReSegmentation.apply(image, mask: mask, settings: .init(outlierSigma: 4))
        #expect(small.count == 10)
        let both = ReSegmentation.apply(image, mask: mask, settings: .init(range: .init(lower: -10, upper: 50), outlierSigma: 2))
        #expect(both.count == 9)
    }
}
