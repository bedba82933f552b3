import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct NeighbourhoodGreyToneDifferenceTests {
    static func volume(_ size: SIMD3<Int>, _ levels: [UInt16], levelCount: Int) -> DiscretisedVolume {
        DiscretisedVolume(grid: Grid(size: size, spacing: SIMD3(1, 1, 1)), levels: levels, levelCount: levelCount,
                          morphologicalMask: levels.map { $0 != 0 })
    }

    /// (i, s_i, n_i) for every grey level with n_i > 0.
    static func rows(_ m: NeighbourhoodGreyToneDifferenceMatrix) -> [(Int, Double, Int)] {
        (1...m.levelCount).filter { m.count($0) > 0 }.map { ($0, m.difference($0), m.count($0)) }
    }

    static func expectRows(_ m: NeighbourhoodGreyToneDifferenceMatrix, _ expected: [(Int, Double, Int)],
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let got = rows(m)
        #expect(got.map(\.0) == expected.map(\.0), sourceLocation: sourceLocation)
        #expect(got.map(\.2) == expected.map(\.2), sourceLocation: sourceLocation)
        for (g, e) in zip(got, expected) {
            // The manual prints s_i with 6 decimals.
            #expect(abs(g.1 - e.1) < 5e-6, "s_\(g.0): \(g.1) vs \(e.1)", sourceLocation: sourceLocation)
        }
    }

    // The digital phantom's matrices as printed in the IBSI manual (docs/06, Chebyshev distance 1).
    @Test func phantomSliceMatricesMatchTheManual() {
        let b = NeighbourhoodGreyToneDifferenceMatrixBuilder(DigitalPhantom.discretised)
        #expect(b.sliceCount == 4)
        Self.expectRows(b.sliceMatrix(z: 0), [(1, 14.575, 9), (4, 5.775, 8), (6, 7.325, 3)])
        Self.expectRows(b.sliceMatrix(z: 1), [(1, 11.928571, 12), (3, 0.375, 1), (4, 4.8, 4), (6, 8.0, 2)])
        Self.expectRows(b.sliceMatrix(z: 2), [(1, 7.985714, 14), (4, 4.65, 2), (6, 5.0, 1)])
        Self.expectRows(b.sliceMatrix(z: 3), [(1, 7.582143, 15), (4, 4.65, 2), (6, 5.0, 1)])
    }

    @Test func phantomVolumeMatrixMatchesTheManual() {
        let m = NeighbourhoodGreyToneDifferenceMatrixBuilder(DigitalPhantom.discretised).volumeMatrix()
        Self.expectRows(m, [(1, 39.946954, 50), (3, 0.2, 1), (4, 20.825401, 16), (6, 24.127005, 7)])
        #expect(m.validVoxelCount == DigitalPhantom.discretised.roiVoxelCount)
    }

    @Test func definitionsAndTags() {
        #expect(NeighbourhoodGreyToneDifferenceFeatures.definitions.map(\.ibsiCode) == ["QCDE", "65HE", "NQ30", "HDEZ", "1X9X"])
        let values = NeighbourhoodGreyToneDifferenceFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        #expect(values.tags == ["2D", "2_5D", "3D"].flatMap { a in
            ["coarseness", "contrast", "busyness", "complexity", "strength"].map { "ngt_\($0)_\(a)" }
        })
    }

    @Test func digitalPhantomCompliance() {
        let values = NeighbourhoodGreyToneDifferenceFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        let references = DigitalPhantom.references(prefix: "ngt")
        #expect(references.count == 15)
        assertCompliance(values, references: references, family: "ngt")
    }

    @Test func neighbourhoodExcludesCentreAndNonRoiVoxels() {
        // 3x3 slice, centre 2 surrounded by 1s except one voxel outside the ROI (0):
        // the centre's neighbourhood is the 7 ROI voxels of level 1, so s_2 = |2 - 1| = 1.
        let v = Self.volume(SIMD3(3, 3, 1), [1, 1, 1, 1, 2, 1, 1, 1, 0], levelCount: 2)
        let m = NeighbourhoodGreyToneDifferenceMatrixBuilder(v).sliceMatrix(z: 0)
        #expect(m.count(2) == 1)
        #expect(m.difference(2) == 1)
        #expect(m.count(1) == 7)
        let wider = NeighbourhoodGreyToneDifferenceMatrixBuilder(v, distance: 2).sliceMatrix(z: 0)
        // With delta = 2 every voxel sees the whole slice: a level-1 voxel sees six 1s and the 2.
        #expect(abs(wider.difference(1) - 7 * (8.0 / 7 - 1)) < 1e-12)
        #expect(abs(wider.difference(2) - 1) < 1e-12)
    }

    @Test func singleGreyLevelGivesDocumentedValues() {
        let v = Self.volume(SIMD3(3, 3, 2), Array(repeating: 3, count: 18), levelCount: 4)
        let values = NeighbourhoodGreyToneDifferenceFeatures.compute(v, settings: TextureSettings())
        for a in Aggregation.nonDirectional {
            let s = a.rawValue
            #expect(values["ngt_coarseness_\(s)"] == 1e6)
            #expect(values["ngt_contrast_\(s)"] == 0)
            #expect(values["ngt_busyness_\(s)"] == 0)
            #expect(values["ngt_complexity_\(s)"] == 0)
            #expect(values["ngt_strength_\(s)"] == 0)
        }
    }

    @Test func sliceWithoutRoiVoxelsIsLeftOutOfTheSliceAverage() {
        // Slices 0 and 2 hold the row 1 2, slice 1 is outside the ROI. Per slice: n = (1, 1),
        // s = (1, 1): coarseness 1, contrast 0.25, busyness 1, complexity 1, strength 1.
        // Merged (2.5D) and 3D (slices 0 and 2 are not neighbours at delta 1): n = (2, 2),
        // s = (2, 2): coarseness 0.5, contrast 0.25, busyness 2, complexity 1, strength 0.5.
        let v = Self.volume(SIMD3(2, 1, 3), [1, 2, 0, 0, 1, 2], levelCount: 2)
        let values = NeighbourhoodGreyToneDifferenceFeatures.compute(v, settings: TextureSettings())
        let expected: [String: [Double]] = [
            "2D": [1, 0.25, 1, 1, 1], "2_5D": [0.5, 0.25, 2, 1, 0.5], "3D": [0.5, 0.25, 2, 1, 0.5],
        ]
        for (aggregation, numbers) in expected {
            for (name, e) in zip(["coarseness", "contrast", "busyness", "complexity", "strength"], numbers) {
                let got = values["ngt_\(name)_\(aggregation)"]!
                #expect(abs(got - e) < 1e-12, "ngt_\(name)_\(aggregation): \(got) vs \(e)")
            }
        }
    }

    @Test func singleVoxelHasNoNeighbourhoodAndGivesNaN() {
        let values = NeighbourhoodGreyToneDifferenceFeatures.compute(Self.volume(SIMD3(1, 1, 1), [2], levelCount: 2),
                                                                     settings: TextureSettings())
        #expect(values.count == 15)
        #expect(!values.values.contains { !$0.isNaN })
        let b = NeighbourhoodGreyToneDifferenceMatrixBuilder(Self.volume(SIMD3(1, 1, 1), [2], levelCount: 2))
        #expect(b.volumeMatrix().isEmpty)
    }

    @Test func busynessWithAZeroDenominatorIsNaN() {
        // Row 1 1 2: n = (2, 1), so 1 * p_1 = 2 * p_2 = 2/3 and every |i1 p_i1 - i2 p_i2| is 0.
        let v = Self.volume(SIMD3(3, 1, 1), [1, 1, 2], levelCount: 2)
        let values = NeighbourhoodGreyToneDifferenceFeatures.compute(v, settings: TextureSettings())
        #expect(values["ngt_busyness_3D"]!.isNaN)
        #expect(values["ngt_coarseness_3D"]!.isFinite)
        let busyness = NeighbourhoodGreyToneDifferenceFeatures.definitions.first { $0.tag == "ngt_busyness" }!
        #expect(busyness.degenerate?.contains("NaN") == true)
    }
}
