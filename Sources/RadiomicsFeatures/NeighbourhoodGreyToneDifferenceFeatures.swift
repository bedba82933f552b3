import RadiomicsCore

// NGTDM features (IBSI 1, "Neighbourhood grey tone difference based features", IPET) and their
// aggregations 2D (8QNN), 2.5D (62GR) and 3D (KOBO).
//
// Notation of the manual: n_i voxels of grey level i with a valid neighbourhood, s_i the sum of
// their grey tone differences, N_v,c = sum n_i, p_i = n_i / N_v,c, and N_g,p the number of grey
// levels with p_i > 0. Double sums over (i1, i2) run over grey levels with p_i1 > 0 and p_i2 > 0.

/// Probabilities of one non-empty NGTDM, computed once; every feature formula reads them.
public struct NeighbourhoodGreyToneDifferenceProbabilities: Sendable {
    /// A grey level present among voxels with a valid neighbourhood: i, p_i and s_i.
    public struct Level: Sendable, Equatable {
        public let i: Int
        public let p: Double
        public let s: Double
    }

    /// The grey levels with p_i > 0, ascending.
    public let levels: [Level]
    /// N_v,c.
    public let validVoxelCount: Int
    /// sum_i s_i.
    public let differenceSum: Double
    /// sum_i p_i s_i.
    public let weightedDifferenceSum: Double

    /// Nil for an empty matrix (no voxel with a valid neighbourhood).
    public init?(_ matrix: NeighbourhoodGreyToneDifferenceMatrix) {
        let nvc = matrix.validVoxelCount
        guard nvc > 0 else { return nil }
        var levels: [Level] = []
        var sSum = 0.0, psSum = 0.0
        for i in 1...matrix.levelCount where matrix.count(i) > 0 {
            let p = Double(matrix.count(i)) / Double(nvc)
            let s = matrix.difference(i)
            levels.append(Level(i: i, p: p, s: s))
            sSum += s
            psSum += p * s
        }
        self.levels = levels
        self.validVoxelCount = nvc
        self.differenceSum = sSum
        self.weightedDifferenceSum = psSum
    }

    /// N_g,p.
    public var presentLevelCount: Int { levels.count }
}

public enum NeighbourhoodGreyToneDifferenceFeatures {
    typealias Probabilities = NeighbourhoodGreyToneDifferenceProbabilities
    typealias Formula = @Sendable (Probabilities) -> Double

    /// Coarseness when sum_i p_i s_i = 0 (IBSI: an arbitrary maximum of 10^6).
    public static let maximumCoarseness = 1e6

    private static let table: [(FeatureDefinition, Formula)] = [
        (def("ngt_coarseness", "QCDE", "Coarseness",
             degenerate: "10^6 when sum p_i s_i = 0 (no grey tone differences)"), coarseness),
        (def("ngt_contrast", "65HE", "Contrast", degenerate: "0 when a single grey level is present"), contrast),
        (def("ngt_busyness", "NQ30", "Busyness",
             degenerate: "0 when a single grey level is present; NaN when sum |i1 p_i1 - i2 p_i2| = 0 with several levels"),
         busyness),
        (def("ngt_complexity", "HDEZ", "Complexity"), complexity),
        (def("ngt_strength", "1X9X", "Strength", degenerate: "0 when sum s_i = 0"), strength),
    ]

    private static func def(_ tag: String, _ code: String, _ name: String, degenerate: String? = nil) -> FeatureDefinition {
        let note = "NaN when no voxel has an ROI neighbour"
        return FeatureDefinition(tag, ibsi: code, family: .neighbourhoodGreyToneDifference, name: name,
                                 degenerate: degenerate.map { "\($0); \(note)" } ?? note)
    }

    /// The 5 NGTDM features, before aggregation.
    public static let definitions: [FeatureDefinition] = table.map(\.0)

    /// Every feature under 2D, 2.5D and 3D (`Aggregation.nonDirectional`), grouped by aggregation
    /// (tags such as `ngt_coarseness_2D`).
    ///
    /// - 2D (8QNN): one matrix per slice (in-plane neighbourhoods), features averaged over the
    ///   slices; a slice in which no voxel has an ROI neighbour has no matrix and is left out, as is
    ///   a value a matrix does not define (NaN).
    /// - 2.5D (62GR): features of the sum of the slice matrices.
    /// - 3D (KOBO): features of the matrix with 3D neighbourhoods.
    public static func compute(_ volume: DiscretisedVolume, settings: TextureSettings) -> FeatureValues {
        let builder = NeighbourhoodGreyToneDifferenceMatrixBuilder(volume, distance: settings.ngtdmDistance)
        let matrices = builder.allMatrices()
        var perSlice = CooccurrenceFeatures.FeatureMean(count: table.count)
        var merged = NeighbourhoodGreyToneDifferenceMatrix(levelCount: builder.levelCount)
        for m in matrices.slices {
            perSlice.add(features(of: m))
            merged += m
        }
        let undefined = Array(repeating: Double.nan, count: table.count)
        let byAggregation: [Aggregation: [Double]] = [
            .slice2D: perSlice.values,
            .volume2_5D: features(of: merged) ?? undefined,
            .volume3D: features(of: matrices.volume) ?? undefined,
        ]
        var out = FeatureValues()
        for aggregation in Aggregation.nonDirectional {
            let values = byAggregation[aggregation]!
            for (k, definition) in definitions.enumerated() { out.append(definition.tag(aggregation), values[k]) }
        }
        return out
    }

    /// The 5 feature values of one matrix, in `definitions` order; nil for an empty matrix.
    public static func features(of matrix: NeighbourhoodGreyToneDifferenceMatrix) -> [Double]? {
        guard let p = Probabilities(matrix) else { return nil }
        return table.map { $0.1(p) }
    }

    // MARK: - Formulas

    /// Coarseness (QCDE): 1 / sum_i p_i s_i, at most 10^6 (the value when the sum is 0).
    static func coarseness(_ m: Probabilities) -> Double {
        m.weightedDifferenceSum > 0 ? min(maximumCoarseness, 1 / m.weightedDifferenceSum) : maximumCoarseness
    }

    /// Contrast (65HE): [1 / (N_g,p (N_g,p - 1)) sum_i1 sum_i2 p_i1 p_i2 (i1 - i2)^2] [sum_i s_i / N_v,c];
    /// 0 when N_g,p = 1.
    static func contrast(_ m: Probabilities) -> Double {
        let ngp = m.presentLevelCount
        guard ngp > 1 else { return 0 }
        var dynamicRange = 0.0
        for a in m.levels {
            for b in m.levels {
                let d = Double(a.i - b.i)
                dynamicRange += a.p * b.p * d * d
            }
        }
        return dynamicRange / Double(ngp * (ngp - 1)) * (m.differenceSum / Double(m.validVoxelCount))
    }

    /// Busyness (NQ30): sum_i p_i s_i / sum_i1 sum_i2 |i1 p_i1 - i2 p_i2|; 0 when N_g,p = 1.
    /// NaN when the denominator is 0 with several grey levels (every i p_i equal): undefined.
    static func busyness(_ m: Probabilities) -> Double {
        guard m.presentLevelCount > 1 else { return 0 }
        var denominator = 0.0
        for a in m.levels {
            for b in m.levels { denominator += abs(Double(a.i) * a.p - Double(b.i) * b.p) }
        }
        guard denominator > 0 else { return .nan }
        return m.weightedDifferenceSum / denominator
    }

    /// Complexity (HDEZ): (1 / N_v,c) sum_i1 sum_i2 |i1 - i2| (p_i1 s_i1 + p_i2 s_i2) / (p_i1 + p_i2).
    static func complexity(_ m: Probabilities) -> Double {
        var total = 0.0
        for a in m.levels {
            for b in m.levels where a.i != b.i {
                total += Double(abs(a.i - b.i)) * (a.p * a.s + b.p * b.s) / (a.p + b.p)
            }
        }
        return total / Double(m.validVoxelCount)
    }

    /// Strength (1X9X): sum_i1 sum_i2 (p_i1 + p_i2) (i1 - i2)^2 / sum_i s_i; 0 when sum_i s_i = 0.
    static func strength(_ m: Probabilities) -> Double {
        guard m.differenceSum > 0 else { return 0 }
        var total = 0.0
        for a in m.levels {
            for b in m.levels {
                let d = Double(a.i - b.i)
                total += (a.p + b.p) * d * d
            }
        }
        return total / m.differenceSum
    }
}
