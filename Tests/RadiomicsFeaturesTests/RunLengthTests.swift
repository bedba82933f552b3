import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

/// A matrix as the IBSI manual lists it: rows [grey level, size, count] of its non-zero
/// elements, grey level first.
func sparseTable(_ m: GreyLevelSizeMatrix) -> [[Double]] {
    m.entries.map { [Double($0.level), Double($0.size), $0.count] }
}

/// A small block of grey levels (x fastest) whose morphological mask is its intensity mask.
func block(_ size: SIMD3<Int>, levelCount: Int, _ levels: [UInt16]) -> DiscretisedVolume {
    DiscretisedVolume(grid: Grid(size: size, spacing: SIMD3(1, 1, 1)), levels: levels, levelCount: levelCount,
                      morphologicalMask: levels.map { $0 != 0 })
}

@Suite struct RunLengthTests {
    static let phantom = RunLengthMatrices(DigitalPhantom.discretised)

    @Test func digitalPhantomCompliance() {
        let values = RunLengthFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        #expect(values.count == RunLengthFeatures.definitions.count * Aggregation.directional.count)
        assertCompliance(values, references: DigitalPhantom.references(prefix: "rlm"), family: "rlm")
    }

    /// docs/06, "Grey level run length matrix (2D, merged)": one table per slice.
    @Test func sliceMergedMatricesMatchTheManual() {
        let expected: [[[Double]]] = [
            [[1, 1, 16], [1, 2, 8], [1, 4, 1], [4, 1, 17], [4, 2, 6], [4, 3, 1], [6, 1, 9], [6, 3, 1]],
            [[1, 1, 10], [1, 2, 15], [1, 4, 2], [3, 1, 4], [4, 1, 12], [4, 2, 2], [6, 1, 8]],
            [[1, 1, 10], [1, 2, 11], [1, 3, 5], [1, 4, 1], [1, 5, 1], [4, 1, 6], [4, 2, 1], [6, 1, 4]],
            [[1, 1, 6], [1, 2, 9], [1, 3, 6], [1, 4, 2], [1, 5, 2], [4, 1, 6], [4, 2, 1], [6, 1, 4]],
        ]
        #expect(Self.phantom.sliceMerged.map(sparseTable) == expected)
    }

    /// docs/06, "Grey level run length matrix (3D)": the 13 directional matrices. The manual's
    /// direction labels did not survive its conversion, so the matrices are compared as a set.
    @Test func volumetricMatricesMatchTheManual() {
        let expected: [[[Double]]] = [
            [[1, 1, 1], [1, 2, 6], [1, 3, 3], [1, 4, 7], [3, 1, 1], [4, 1, 4], [4, 2, 2], [4, 4, 2], [6, 1, 1], [6, 2, 1], [6, 4, 1]],
            [[1, 1, 11], [1, 2, 15], [1, 3, 3], [3, 1, 1], [4, 1, 14], [4, 2, 1], [6, 1, 5], [6, 2, 1]],
            [[1, 1, 2], [1, 2, 5], [1, 3, 6], [1, 4, 5], [3, 1, 1], [4, 1, 10], [4, 2, 3], [6, 1, 4], [6, 3, 1]],
            [[1, 1, 10], [1, 2, 5], [1, 3, 6], [1, 4, 3], [3, 1, 1], [4, 1, 14], [4, 2, 1], [6, 1, 5], [6, 2, 1]],
            [[1, 1, 22], [1, 2, 11], [1, 3, 2], [3, 1, 1], [4, 1, 16], [6, 1, 7]],
            [[1, 1, 21], [1, 2, 10], [1, 3, 3], [3, 1, 1], [4, 1, 13], [4, 3, 1], [6, 1, 7]],
            [[1, 1, 30], [1, 2, 10], [3, 1, 1], [4, 1, 14], [4, 2, 1], [6, 1, 7]],
            [[1, 1, 16], [1, 2, 12], [1, 3, 2], [1, 4, 1], [3, 1, 1], [4, 1, 8], [4, 2, 4], [6, 1, 7]],
            [[1, 1, 9], [1, 2, 13], [1, 5, 3], [3, 1, 1], [4, 1, 4], [4, 2, 6], [6, 1, 7]],
            [[1, 1, 19], [1, 2, 12], [1, 3, 1], [1, 4, 1], [3, 1, 1], [4, 1, 8], [4, 2, 4], [6, 1, 7]],
            [[1, 1, 20], [1, 2, 12], [1, 3, 2], [3, 1, 1], [4, 1, 16], [6, 1, 7]],
            [[1, 1, 10], [1, 2, 15], [1, 3, 2], [1, 4, 1], [3, 1, 1], [4, 1, 14], [4, 2, 1], [6, 1, 7]],
            [[1, 1, 19], [1, 2, 14], [1, 3, 1], [3, 1, 1], [4, 1, 14], [4, 2, 1], [6, 1, 7]],
        ]
        let computed = Self.phantom.volumetric.map(sparseTable)
        #expect(computed.count == 13)
        let key = { (t: [[Double]]) in t.description }
        #expect(computed.map(key).sorted() == expected.map(key).sorted())
        #expect(sparseTable(Self.phantom.volumetricMerged) == [
            [1, 1, 190], [1, 2, 140], [1, 3, 31], [1, 4, 18], [1, 5, 3], [3, 1, 13], [4, 1, 149], [4, 2, 24],
            [4, 3, 1], [4, 4, 2], [6, 1, 78], [6, 2, 3], [6, 3, 1], [6, 4, 1],
        ])
        // N_v of a merged matrix is summed: 13 directions x 74 voxels.
        #expect(Self.phantom.volumetricMerged.voxelCount == 13 * 74)
    }

    /// The volumetric matrix of an in-plane direction is derived from the slice matrices; it must
    /// equal the matrix counted directly over the block.
    @Test func derivedInPlaneMatricesEqualDirectCounts() {
        let volume = DigitalPhantom.discretised
        for (d, direction) in TextureDirections.inPlane.enumerated() {
            #expect(Self.phantom.volumetric[d] == RunLengthMatrix.build(volume, direction: direction))
        }
    }

    @Test func runsAlongOneLine() {
        // 6 x 1 x 1: levels 1 1 2 0 2 2 -> runs (1, 2), (2, 1), (2, 2); the gap breaks the run.
        let v = block(SIMD3(6, 1, 1), levelCount: 2, [1, 1, 2, 0, 2, 2])
        let m = RunLengthMatrix.build(v, direction: TextureDirection(1, 0, 0))
        #expect(sparseTable(m) == [[1, 2, 1], [2, 1, 1], [2, 2, 1]])
        #expect(m.voxelCount == 5)
        // Across the line every voxel is its own run.
        let across = RunLengthMatrix.build(v, direction: TextureDirection(0, 1, 0))
        #expect(sparseTable(across) == [[1, 1, 2], [2, 1, 3]])
    }

    @Test func singleGreyLevelROI() {
        // 3 x 3 x 2, all grey level 1: every run fills its line.
        let v = block(SIMD3(3, 3, 2), levelCount: 1, [UInt16](repeating: 1, count: 18))
        let values = RunLengthFeatures.compute(v, settings: TextureSettings())
        // Along x within a slice: 3 runs of length 3 -> SRE 1/9, LRE 9, glnu_norm 1, gl_var 0.
        #expect(abs(values["rlm_gl_var_3D_comb"]!) < 1e-15)
        #expect(abs(values["rlm_glnu_norm_2D_avg"]! - 1) < 1e-12)
        // 2D merged, per slice: x and y give 3 runs of length 3 each; each diagonal direction
        // gives runs of lengths 1, 2, 3, 2, 1.
        let slice = Self.matrices(v).sliceMerged[0]
        #expect(sparseTable(slice) == [[1, 1, 4], [1, 2, 4], [1, 3, 8]])
        #expect(abs(values["rlm_sre_2D_comb"]! - (4 + 4.0 / 4 + 8.0 / 9) / 16) < 1e-12)
        #expect(abs(values["rlm_r_perc_2D_comb"]! - 16.0 / 36) < 1e-12)
    }

    @Test func singleVoxelROI() {
        let v = block(SIMD3(1, 1, 1), levelCount: 3, [2])
        let values = RunLengthFeatures.compute(v, settings: TextureSettings())
        for aggregation in Aggregation.directional {
            #expect(values["rlm_sre_\(aggregation.rawValue)"] == 1)
            #expect(values["rlm_r_perc_\(aggregation.rawValue)"] == 1)
            #expect(values["rlm_hgre_\(aggregation.rawValue)"] == 4)
            #expect(values["rlm_rl_entr_\(aggregation.rawValue)"] == 0)
        }
    }

    /// A slice without ROI voxels is left out of the slice averages: the 2D and 2.5D values of a
    /// block with an empty middle slice equal those of the block without that slice.
    @Test func emptySliceIsLeftOut() {
        let a: [UInt16] = [1, 2, 2, 1, 3, 3]
        let b: [UInt16] = [2, 2, 0, 1, 1, 1]
        let withGap = block(SIMD3(3, 2, 3), levelCount: 3, a + [0, 0, 0, 0, 0, 0] + b)
        let without = block(SIMD3(3, 2, 2), levelCount: 3, a + b)
        let x = RunLengthFeatures.compute(withGap, settings: TextureSettings())
        let y = RunLengthFeatures.compute(without, settings: TextureSettings())
        for (tag, value) in x where !tag.contains("3D") {
            #expect(value.isFinite, "\(tag)")
            #expect(abs(value - y[tag]!) < 1e-12, "\(tag)")
        }
        #expect(Self.matrices(withGap).slices[1].allSatisfy { $0.isEmpty })
    }

    @Test func emptyROIGivesNaN() {
        let v = block(SIMD3(2, 2, 1), levelCount: 2, [0, 0, 0, 0])
        let values = RunLengthFeatures.compute(v, settings: TextureSettings())
        #expect(values.count == 16 * 6)
        #expect(values.values.allSatisfy { $0.isNaN })
    }

    static func matrices(_ v: DiscretisedVolume) -> RunLengthMatrices { RunLengthMatrices(v) }
}
