import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

@Suite struct CooccurrenceFeaturesTests {
    /// A block of the given size (x fastest); level 0 is outside the ROI.
    static func volume(_ size: SIMD3<Int>, _ levels: [UInt16], levelCount: Int) -> DiscretisedVolume {
        let grid = Grid(size: size, spacing: SIMD3(1, 1, 1))
        return DiscretisedVolume(grid: grid, levels: levels, levelCount: levelCount,
                                 morphologicalMask: levels.map { $0 != 0 })
    }

    static func tag(_ base: String, _ aggregation: Aggregation) -> String { "\(base)_\(aggregation.rawValue)" }

    @Test func definitionsAndTags() {
        #expect(CooccurrenceFeatures.definitions.count == 25)
        #expect(Set(CooccurrenceFeatures.definitions.map(\.ibsiCode)).count == 25)
        #expect(CooccurrenceFeatures.definitions.allSatisfy { $0.family == .cooccurrence && $0.tag.hasPrefix("cm_") })
        let values = CooccurrenceFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        #expect(values.count == 150)
        #expect(Set(values.tags).count == 150)
        #expect(values.tags.first == "cm_joint_max_2D_avg")
        #expect(values.tags.last == "cm_info_corr2_3D_comb")
    }

    @Test func digitalPhantomCompliance() {
        let values = CooccurrenceFeatures.compute(DigitalPhantom.discretised, settings: TextureSettings())
        let references = DigitalPhantom.references(prefix: "cm")
        #expect(references.count == 150)
        assertCompliance(values, references: references, family: "cm")
    }

    @Test func formulasOnAHandCountedMatrix() {
        // One row 1 2 2 along x in a single slice: along (1,0,0) the pairs are (1,2) and (2,2), so
        // the symmetric matrix holds M12 = M21 = 1 and M22 = 2 (total 4): p12 = p21 = 0.25, p22 = 0.5.
        let v = Self.volume(SIMD3(3, 1, 1), [1, 2, 2], levelCount: 2)
        let m = CooccurrenceMatrixBuilder(v).sliceMatrices(z: 0)[0]
        let f = try! #require(CooccurrenceFeatures.features(of: m))
        let byTag = Dictionary(uniqueKeysWithValues: zip(CooccurrenceFeatures.definitions.map(\.tag), f))
        func near(_ tag: String, _ expected: Double) {
            #expect(abs(byTag[tag]! - expected) < 1e-12, "\(tag): \(byTag[tag]!) vs \(expected)")
        }
        // Marginal p1 = 0.25, p2 = 0.75; mu = 1.75; variance = 0.1875.
        near("cm_joint_max", 0.5)
        near("cm_joint_avg", 1.75)
        near("cm_joint_var", 0.1875)
        near("cm_joint_entr", 1.5)                      // -(2 * 0.25 log2 0.25 + 0.5 log2 0.5)
        near("cm_diff_avg", 0.5)                        // p_{i-j,0} = 0.5, p_{i-j,1} = 0.5
        near("cm_diff_var", 0.25)
        near("cm_diff_entr", 1)
        near("cm_sum_avg", 3.5)                         // p_{i+j,3} = 0.5, p_{i+j,4} = 0.5
        near("cm_sum_var", 0.25)
        near("cm_sum_entr", 1)
        near("cm_energy", 0.375)
        near("cm_contrast", 0.5)
        near("cm_dissimilarity", 0.5)
        near("cm_inv_diff", 0.75)
        near("cm_inv_diff_norm", 0.5 + 0.5 / 1.5)
        near("cm_inv_diff_mom", 0.75)
        near("cm_inv_diff_mom_norm", 0.5 + 0.5 / 1.25)
        near("cm_inv_var", 0.5)
        near("cm_corr", (0.5 * 2 + 0.5 * 4 - 1.75 * 1.75) / 0.1875) // (sum ij p_ij - mu^2) / sigma^2
        near("cm_auto_corr", 3)
        near("cm_clust_tend", 0.25)
        near("cm_clust_shade", 0)
        near("cm_clust_prom", 0.0625)
    }

    @Test func singleGreyLevelGivesDocumentedValues() {
        // A 3x3x2 block of grey level 2 (of Ng = 4): every matrix holds only (2,2).
        let v = Self.volume(SIMD3(3, 3, 2), Array(repeating: 2, count: 18), levelCount: 4)
        let values = CooccurrenceFeatures.compute(v, settings: TextureSettings())
        for a in Aggregation.directional {
            #expect(values[Self.tag("cm_joint_max", a)] == 1)
            #expect(values[Self.tag("cm_joint_avg", a)] == 2)
            #expect(values[Self.tag("cm_joint_var", a)] == 0)
            #expect(values[Self.tag("cm_joint_entr", a)] == 0)
            #expect(values[Self.tag("cm_contrast", a)] == 0)
            #expect(values[Self.tag("cm_inv_diff", a)] == 1)
            #expect(values[Self.tag("cm_inv_var", a)] == 0)
            #expect(values[Self.tag("cm_auto_corr", a)] == 4)
            #expect(values[Self.tag("cm_info_corr2", a)] == 0)
            // Undefined (division by a zero variance / entropy): NaN, as the definitions document.
            #expect(values[Self.tag("cm_corr", a)]!.isNaN)
            #expect(values[Self.tag("cm_info_corr1", a)]!.isNaN)
        }
        let corr = CooccurrenceFeatures.definitions.first { $0.tag == "cm_corr" }!
        #expect(corr.degenerate?.contains("NaN") == true)
    }

    @Test func sliceWithoutRoiVoxelsIsLeftOutOfAverages() {
        // Slices 0 and 2 hold the row 1 2; slice 1 is outside the ROI. Only (1,0,0) has pairs:
        // M12 = M21 = 1, contrast 1 and joint maximum 0.5 for every aggregation. Counting the empty
        // slice or the empty directions as zeros would lower the averages.
        let v = Self.volume(SIMD3(2, 1, 3), [1, 2, 0, 0, 1, 2], levelCount: 2)
        let values = CooccurrenceFeatures.compute(v, settings: TextureSettings())
        for a in Aggregation.directional {
            #expect(values[Self.tag("cm_contrast", a)] == 1, "\(a)")
            #expect(values[Self.tag("cm_joint_max", a)] == 0.5, "\(a)")
            #expect(values[Self.tag("cm_corr", a)] == -1, "\(a)")
        }
        #expect(!values.values.contains { !$0.isFinite })
    }

    @Test func singleVoxelAndEmptyRoiGiveNaN() {
        let one = CooccurrenceFeatures.compute(Self.volume(SIMD3(1, 1, 1), [3], levelCount: 3), settings: TextureSettings())
        #expect(one.count == 150)
        #expect(!one.values.contains { !$0.isNaN })
        let none = CooccurrenceFeatures.compute(Self.volume(SIMD3(2, 2, 1), [0, 0, 0, 0], levelCount: 0), settings: TextureSettings())
        #expect(none.count == 150)
        #expect(!none.values.contains { !$0.isNaN })
    }
}
