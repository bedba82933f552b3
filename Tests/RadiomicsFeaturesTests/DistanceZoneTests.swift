import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct DistanceZoneTests {
    @Test func digitalPhantomCompliance() {
        let values = DistanceZoneFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        #expect(values.count == DistanceZoneFeatures.definitions.count * Aggregation.nonDirectional.count)
        assertCompliance(values, references: DigitalPhantom.references(prefix: "dzm"), family: "dzm")
    }

    /// docs/06, "Grey level distance zone matrix (2D)" and "(3D)".
    @Test func matricesMatchTheManual() {
        let volume = DigitalPhantom.discretised
        #expect(DistanceZoneMatrix.slices(volume).map(sparseTable) == [
            [[1, 1, 2], [4, 1, 2], [6, 1, 1]],
            [[1, 1, 2], [3, 2, 1], [4, 1, 2], [6, 1, 1], [6, 2, 1]],
            [[1, 1, 1], [4, 1, 1], [6, 1, 1]],
            [[1, 1, 1], [4, 1, 1], [6, 1, 1]],
        ])
        #expect(sparseTable(DistanceZoneMatrix.volumetric(volume)) == [[1, 1, 1], [3, 1, 1], [4, 1, 2], [6, 1, 1]])
    }

    /// A 5 x 5 x 5 cube: an outer shell of level 2 around a 3 x 3 x 3 core of level 1 around a
    /// centre voxel of level 3. City-block distances to the edge: shell 1, core 2, centre 3.
    @Test func distancesGrowInwardsAndStopAtTheBlockBorder() {
        var levels = [UInt16](repeating: 2, count: 125)
        for z in 1...3 { for y in 1...3 { for x in 1...3 { levels[x + 5 * (y + 5 * z)] = 1 } } }
        levels[2 + 5 * (2 + 5 * 2)] = 3
        let cube = block(SIMD3(5, 5, 5), levelCount: 3, levels)
        #expect(sparseTable(DistanceZoneMatrix.volumetric(cube)) == [[1, 2, 1], [2, 1, 1], [3, 3, 1]])
        // Within the middle slice the distances are in-plane: ring 1, core ring 2, centre 3; the
        // outer slices are all level 2 at distance 1.
        let slices = DistanceZoneMatrix.slices(cube).map(sparseTable)
        #expect(slices[2] == [[1, 2, 1], [2, 1, 1], [3, 3, 1]])
        #expect(slices[0] == [[2, 1, 1]])
        // One slice only: every voxel touches the outside above or below, so in 3D all zones
        // are at distance 1, while in 2D the core is at distance 2.
        let slab = block(SIMD3(5, 5, 1), levelCount: 3, Array(levels[50..<75]))
        #expect(sparseTable(DistanceZoneMatrix.volumetric(slab)) == [[1, 1, 1], [2, 1, 1], [3, 1, 1]])
        #expect(sparseTable(DistanceZoneMatrix.slices(slab)[0]) == [[1, 2, 1], [2, 1, 1], [3, 3, 1]])
    }

    /// Distances follow the morphological mask, not the intensity mask: a voxel removed from the
    /// intensity mask (re-segmentation) does not create an edge.
    @Test func distancesUseTheMorphologicalMask() {
        var levels = [UInt16](repeating: 1, count: 25)
        levels[2 + 5 * 2] = 0 // centre voxel out of the intensity mask only
        let v = DiscretisedVolume(grid: Grid(size: SIMD3(5, 5, 1), spacing: SIMD3(1, 1, 1)), levels: levels,
                                  levelCount: 1, morphologicalMask: [Bool](repeating: true, count: 25))
        // One ring-shaped zone whose voxels reach distance 2; its distance is its minimum, 1.
        #expect(sparseTable(DistanceZoneMatrix.slices(v)[0]) == [[1, 1, 1]])
        let map = DistanceZoneMatrix.distanceMap(v, inPlane: true)
        // Padded 7 x 7 x 3 block: the voxel left of the centre (x 1, y 2) has distance 2.
        #expect(map[(1 + 1) + 7 * (2 + 1) + 49 * 1] == 2)
        #expect(map[(2 + 1) + 7 * (2 + 1) + 49 * 1] == 3)
    }

    @Test func degenerateROIs() {
        let voxel = DistanceZoneFeatures.compute(block(SIMD3(1, 1, 1), levelCount: 1, [1]), settings: TextureSettings())
        for a in Aggregation.nonDirectional {
            #expect(voxel["dzm_sde_\(a.rawValue)"] == 1)
            #expect(voxel["dzm_lde_\(a.rawValue)"] == 1)
            #expect(voxel["dzm_z_perc_\(a.rawValue)"] == 1)
        }
        let uniform = DistanceZoneFeatures.compute(block(SIMD3(3, 3, 3), levelCount: 1, [UInt16](repeating: 1, count: 27)),
                                                   settings: TextureSettings())
        // One zone at distance 1 (its surface touches the edge).
        #expect(uniform["dzm_sde_3D"] == 1 && uniform["dzm_zd_entr_3D"] == 0 && uniform["dzm_gl_var_3D"] == 0)
        #expect(abs(uniform["dzm_z_perc_3D"]! - 1.0 / 27) < 1e-15)
        let a: [UInt16] = [1, 1, 2, 1]
        let withGap = block(SIMD3(2, 2, 3), levelCount: 2, a + [0, 0, 0, 0] + a)
        let without = block(SIMD3(2, 2, 1), levelCount: 2, a)
        let x = DistanceZoneFeatures.compute(withGap, settings: TextureSettings())
        let y = DistanceZoneFeatures.compute(without, settings: TextureSettings())
        for def in DistanceZoneFeatures.definitions {
            #expect(abs(x[def.tag(.slice2D)]! - y[def.tag(.slice2D)]!) < 1e-12, "\(def.tag)")
        }
        let empty = DistanceZoneFeatures.compute(block(SIMD3(2, 1, 1), levelCount: 1, [0, 0]), settings: TextureSettings())
        #expect(empty.values.allSatisfy { $0.isNaN })
    }
}
