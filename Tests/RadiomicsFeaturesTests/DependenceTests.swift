import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct DependenceTests {
    @Test func digitalPhantomCompliance() {
        let values = DependenceFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        #expect(values.count == DependenceFeatures.definitions.count * Aggregation.nonDirectional.count)
        assertCompliance(values, references: DigitalPhantom.references(prefix: "ngl"), family: "ngl")
    }

    /// docs/06, "Neighbouring grey level dependence matrix (2D)" and "(3D)", delta 1, alpha 0.
    @Test func matricesMatchTheManual() {
        let volume = DigitalPhantom.discretised
        #expect(DependenceMatrix.slices(volume).map(sparseTable) == [
            [[1, 2, 3], [1, 3, 1], [1, 4, 3], [1, 5, 2], [4, 2, 2], [4, 3, 4], [4, 4, 2], [6, 2, 2], [6, 3, 1]],
            [[1, 3, 2], [1, 4, 6], [1, 6, 4], [3, 1, 1], [4, 2, 4], [6, 1, 2]],
            [[1, 3, 1], [1, 4, 5], [1, 5, 3], [1, 6, 3], [1, 7, 2], [4, 2, 2], [6, 1, 1]],
            [[1, 3, 1], [1, 4, 3], [1, 5, 3], [1, 6, 4], [1, 7, 1], [1, 8, 3], [4, 2, 2], [6, 1, 1]],
        ])
        #expect(sparseTable(DependenceMatrix.volumetric(volume)) == [
            [1, 5, 2], [1, 6, 2], [1, 7, 1], [1, 8, 6], [1, 9, 4], [1, 10, 6], [1, 11, 5], [1, 12, 5], [1, 13, 3],
            [1, 14, 2], [1, 15, 5], [1, 16, 3], [1, 17, 3], [1, 18, 2], [1, 21, 1], [3, 1, 1], [4, 2, 2],
            [4, 4, 2], [4, 5, 6], [4, 6, 4], [4, 7, 2], [6, 2, 1], [6, 3, 4], [6, 4, 1], [6, 5, 1],
        ])
    }

    @Test func distanceAndCoarsenessSettings() {
        // 5 x 5 x 1, levels 1 and 2 alternating like a chessboard.
        let levels: [UInt16] = (0..<25).map { (i: Int) -> UInt16 in
            let parity = (i % 5 + i / 5) % 2
            return UInt16(1 + parity)
        }
        let board = block(SIMD3(5, 5, 1), levelCount: 2, levels)
        // alpha 0, delta 1: the 5 interior voxels of level 1 each depend on their 4 diagonal
        // neighbours (same level) and on none of the 4 axis neighbours (level 2) -> j = 5.
        let strict = DependenceMatrix.slices(board)[0]
        #expect(strict[1, 5] == 5)
        // alpha 1: every neighbour in the ROI is dependent. Interior voxels (3 x 3) have 8
        // neighbours -> j = 9; edge voxels 5 -> j = 6; corners 3 -> j = 4.
        let loose = DependenceMatrix.slices(board, coarseness: 1)[0]
        #expect(loose.columnSums[8] == 9 && loose.columnSums[5] == 12 && loose.columnSums[3] == 4)
        // delta 2 on a uniform slice: the centre sees all 24 other voxels -> j = 25.
        let uniform = block(SIMD3(5, 5, 1), levelCount: 1, [UInt16](repeating: 1, count: 25))
        let wide = DependenceMatrix.slices(uniform, distance: 2)[0]
        #expect(wide[1, 25] == 1 && wide.total == 25)
        let settings = TextureSettings(ngldmDistance: 2, ngldmAlpha: 0)
        let values = DependenceFeatures.compute(uniform, settings: settings)
        #expect(abs(values["ngl_hde_2D"]! - wide.values(of: [.largeSizeEmphasis])[0]) < 1e-12)
    }

    @Test func degenerateROIs() {
        let voxel = DependenceFeatures.compute(block(SIMD3(1, 1, 1), levelCount: 2, [2]), settings: TextureSettings())
        for a in Aggregation.nonDirectional {
            #expect(voxel["ngl_lde_\(a.rawValue)"] == 1)
            #expect(voxel["ngl_hgce_\(a.rawValue)"] == 4)
            #expect(voxel["ngl_dc_energy_\(a.rawValue)"] == 1)
            #expect(voxel["ngl_dc_perc_\(a.rawValue)"] == 1)
        }
        // A uniform 3 x 3 x 3 cube: dependence counts 1 + neighbours in the ROI.
        let cube = DependenceMatrix.volumetric(block(SIMD3(3, 3, 3), levelCount: 1, [UInt16](repeating: 1, count: 27)))
        #expect(sparseTable(cube) == [[1, 8, 8], [1, 12, 12], [1, 18, 6], [1, 27, 1]])
        let a: [UInt16] = [1, 1, 2, 1]
        let withGap = block(SIMD3(2, 2, 3), levelCount: 2, a + [0, 0, 0, 0] + a)
        let without = block(SIMD3(2, 2, 1), levelCount: 2, a)
        let x = DependenceFeatures.compute(withGap, settings: TextureSettings())
        let y = DependenceFeatures.compute(without, settings: TextureSettings())
        for def in DependenceFeatures.definitions {
            #expect(abs(x[def.tag(.slice2D)]! - y[def.tag(.slice2D)]!) < 1e-12, "\(def.tag)")
        }
        let empty = DependenceFeatures.compute(block(SIMD3(2, 1, 1), levelCount: 1, [0, 0]), settings: TextureSettings())
        #expect(empty.values.allSatisfy { $0.isNaN })
    }
}
