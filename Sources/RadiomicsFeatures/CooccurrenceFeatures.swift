import Foundation
import RadiomicsCore

// GLCM features (IBSI 1, "Grey level co-occurrence based features", LFYI) and their six
// aggregations (BTW3, SUJT, JJUI, ZW7Z, ITBB, IAZD).
//
// Notation of the manual: p_ij = M_ij / sum(M); p_i. the row marginal (= column marginal p_.j, the
// matrix being symmetric); p_{i-j,k} = sum of p_ij with |i-j| = k (k = 0...Ng-1); p_{i+j,k} = sum
// of p_ij with i+j = k (k = 2...2Ng). Logarithms are base 2.

/// Joint probabilities and the marginals of one non-empty co-occurrence matrix, computed once; every
/// feature formula reads them.
public struct CooccurrenceMarginals: Sendable {
    /// A non-zero joint probability p_ij with its grey levels (1-based).
    public struct Entry: Sendable, Equatable {
        public let i: Int
        public let j: Int
        public let p: Double
    }

    /// Number of grey levels Ng.
    public let levelCount: Int
    /// The non-zero p_ij, row-major.
    public let entries: [Entry]
    /// Row marginal p_i. at index i-1 (equal to the column marginal p_.j).
    public let marginal: [Double]
    /// Diagonal probabilities p_{i-j,k} at index k, k = 0...Ng-1.
    public let difference: [Double]
    /// Cross-diagonal probabilities p_{i+j,k} at index k, k = 0...2Ng (indices 0 and 1 hold 0).
    public let sum: [Double]
    /// Mean of the marginal, mu_i. = sum_i i p_i. (equal to the joint average).
    public let mean: Double
    /// Variance of the marginal, sigma_i.^2 = sum_i (i - mu_i.)^2 p_i.
    public let variance: Double
    /// HXY = -sum_ij p_ij log2 p_ij.
    public let jointEntropy: Double
    /// HX = -sum_i p_i. log2 p_i.
    public let marginalEntropy: Double
    /// HXY1 = -sum_ij p_ij log2(p_i. p_.j).
    public let hxy1: Double
    /// HXY2 = -sum_ij p_i. p_.j log2(p_i. p_.j).
    public let hxy2: Double

    /// Nil for an empty matrix (no neighbour pairs): it has no probabilities.
    public init?(_ matrix: CooccurrenceMatrix) {
        guard let joint = matrix.probabilities() else { return nil }
        let ng = matrix.levelCount
        var entries: [Entry] = []
        var marginal = Array(repeating: 0.0, count: ng)
        var difference = Array(repeating: 0.0, count: ng)
        var sum = Array(repeating: 0.0, count: 2 * ng + 1)
        var hxy = 0.0
        for i in 1...ng {
            for j in 1...ng {
                let p = joint[(i - 1) * ng + (j - 1)]
                if p == 0 { continue }
                entries.append(Entry(i: i, j: j, p: p))
                marginal[i - 1] += p
                difference[abs(i - j)] += p
                sum[i + j] += p
                hxy -= p * log2(p)
            }
        }
        var mean = 0.0, hx = 0.0
        for i in 1...ng where marginal[i - 1] > 0 {
            let p = marginal[i - 1]
            mean += Double(i) * p
            hx -= p * log2(p)
        }
        var variance = 0.0
        for i in 1...ng where marginal[i - 1] > 0 {
            variance += (Double(i) - mean) * (Double(i) - mean) * marginal[i - 1]
        }
        var hxy1 = 0.0
        for e in entries { hxy1 -= e.p * log2(marginal[e.i - 1] * marginal[e.j - 1]) }
        var hxy2 = 0.0
        for a in marginal where a > 0 {
            for b in marginal where b > 0 { hxy2 -= a * b * log2(a * b) }
        }
        self.levelCount = ng
        self.entries = entries
        self.marginal = marginal
        self.difference = difference
        self.sum = sum
        self.mean = mean
        self.variance = variance
        self.jointEntropy = hxy
        self.marginalEntropy = hx
        self.hxy1 = hxy1
        self.hxy2 = hxy2
    }
}

public enum CooccurrenceFeatures {
    /// A feature formula on the probabilities of one matrix.
    typealias Formula = @Sendable (CooccurrenceMarginals) -> Double

    private static let table: [(FeatureDefinition, Formula)] = [
        (def("cm_joint_max", "GYBY", "Joint maximum"), jointMaximum),
        (def("cm_joint_avg", "60VM", "Joint average"), jointAverage),
        (def("cm_joint_var", "UR99", "Joint variance"), jointVariance),
        (def("cm_joint_entr", "TU9B", "Joint entropy"), jointEntropy),
        (def("cm_diff_avg", "TF7R", "Difference average"), differenceAverage),
        (def("cm_diff_var", "D3YU", "Difference variance"), differenceVariance),
        (def("cm_diff_entr", "NTRS", "Difference entropy"), differenceEntropy),
        (def("cm_sum_avg", "ZGXS", "Sum average"), sumAverage),
        (def("cm_sum_var", "OEEB", "Sum variance"), sumVariance),
        (def("cm_sum_entr", "P6QZ", "Sum entropy"), sumEntropy),
        (def("cm_energy", "8ZQL", "Angular second moment"), angularSecondMoment),
        (def("cm_contrast", "ACUI", "Contrast"), contrast),
        (def("cm_dissimilarity", "8S9J", "Dissimilarity"), dissimilarity),
        (def("cm_inv_diff", "IB1Z", "Inverse difference"), inverseDifference),
        (def("cm_inv_diff_norm", "NDRX", "Normalised inverse difference"), normalisedInverseDifference),
        (def("cm_inv_diff_mom", "WF0Z", "Inverse difference moment"), inverseDifferenceMoment),
        (def("cm_inv_diff_mom_norm", "1QCO", "Normalised inverse difference moment"),
         normalisedInverseDifferenceMoment),
        (def("cm_inv_var", "E8JP", "Inverse variance"), inverseVariance),
        (def("cm_corr", "NI2N", "Correlation",
             degenerate: "NaN when the marginal variance is 0 (a single grey level in the matrix)"), correlation),
        (def("cm_auto_corr", "QWB0", "Autocorrelation"), autocorrelation),
        (def("cm_clust_tend", "DG8W", "Cluster tendency"), clusterTendency),
        (def("cm_clust_shade", "7NFM", "Cluster shade"), clusterShade),
        (def("cm_clust_prom", "AE86", "Cluster prominence"), clusterProminence),
        (def("cm_info_corr1", "R8DG", "Information correlation 1",
             degenerate: "NaN when HX is 0 (a single grey level in the matrix)"), informationCorrelation1),
        (def("cm_info_corr2", "JN9H", "Information correlation 2"), informationCorrelation2),
    ]

    private static func def(_ tag: String, _ code: String, _ name: String, degenerate: String? = nil) -> FeatureDefinition {
        let note = "NaN when no matrix of the aggregation holds a neighbour pair"
        return FeatureDefinition(tag, ibsi: code, family: .cooccurrence, name: name,
                                 degenerate: degenerate.map { "\($0); \(note)" } ?? note)
    }

    /// The 25 GLCM features, before aggregation.
    public static let definitions: [FeatureDefinition] = table.map(\.0)

    /// Every feature under every directional aggregation, grouped by aggregation in the order of
    /// `Aggregation.directional` (tags such as `cm_joint_max_2D_avg`).
    ///
    /// Matrices are counted once: per slice the 4 in-plane directions, and over the volume the 9
    /// directions that cross slices. From them:
    /// - 2D_avg (BTW3): features of every (slice, direction) matrix, averaged;
    /// - 2D_comb (SUJT): per slice the sum of its 4 matrices, features averaged over slices;
    /// - 2_5D_avg (JJUI): per direction the sum over slices, features averaged over the 4 directions;
    /// - 2_5D_comb (ZW7Z): features of the sum of all in-plane matrices;
    /// - 3D_avg (ITBB): features of the 13 volume matrices (the 4 in-plane ones are the 2.5D
    ///   per-direction sums), averaged;
    /// - 3D_comb (IAZD): features of the sum of the 13 volume matrices.
    /// Empty matrices (a slice without ROI voxel pairs) have no probabilities and are left out of
    /// averages, as is a feature value a matrix does not define (NaN). An average over nothing is NaN.
    public static func compute(_ volume: DiscretisedVolume, settings: TextureSettings) -> FeatureValues {
        let builder = CooccurrenceMatrixBuilder(volume, distance: settings.cooccurrenceDistance)
        let ng = builder.levelCount
        var sliceDirection = FeatureMean(count: table.count)
        var sliceMerged = FeatureMean(count: table.count)
        var perDirection = Array(repeating: CooccurrenceMatrix(levelCount: ng), count: TextureDirections.inPlane.count)
        for z in 0..<builder.sliceCount {
            let matrices = builder.sliceMatrices(z: z)
            var slice = CooccurrenceMatrix(levelCount: ng)
            for (d, m) in matrices.enumerated() {
                sliceDirection.add(features(of: m))
                perDirection[d] += m
                slice += m
            }
            sliceMerged.add(features(of: slice))
        }
        var direction2_5D = FeatureMean(count: table.count)
        for m in perDirection { direction2_5D.add(features(of: m)) }
        let merged2_5D = CooccurrenceMatrix.merged(perDirection, levelCount: ng)

        let volumetric = perDirection + builder.crossSliceMatrices()
        var direction3D = FeatureMean(count: table.count)
        for m in volumetric { direction3D.add(features(of: m)) }
        let merged3D = CooccurrenceMatrix.merged(volumetric, levelCount: ng)

        let undefined = Array(repeating: Double.nan, count: table.count)
        let byAggregation: [Aggregation: [Double]] = [
            .slice2DAverage: sliceDirection.values,
            .slice2DMerged: sliceMerged.values,
            .volume2_5DAverage: direction2_5D.values,
            .volume2_5DMerged: features(of: merged2_5D) ?? undefined,
            .volume3DAverage: direction3D.values,
            .volume3DMerged: features(of: merged3D) ?? undefined,
        ]
        var out = FeatureValues()
        for aggregation in Aggregation.directional {
            let values = byAggregation[aggregation]!
            for (k, definition) in definitions.enumerated() { out.append(definition.tag(aggregation), values[k]) }
        }
        return out
    }

    /// The 25 feature values of one matrix, in `definitions` order; nil for an empty matrix.
    public static func features(of matrix: CooccurrenceMatrix) -> [Double]? {
        guard let p = CooccurrenceMarginals(matrix) else { return nil }
        return table.map { $0.1(p) }
    }

    // MARK: - Formulas

    /// Joint maximum (GYBY): max p_ij.
    static func jointMaximum(_ m: CooccurrenceMarginals) -> Double {
        m.entries.reduce(0) { max($0, $1.p) }
    }

    /// Joint average (60VM): mu = sum_ij i p_ij.
    static func jointAverage(_ m: CooccurrenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double($1.i) * $1.p }
    }

    /// Joint variance (UR99): sum_ij (i - mu)^2 p_ij, mu the joint average.
    static func jointVariance(_ m: CooccurrenceMarginals) -> Double {
        let mu = jointAverage(m)
        return m.entries.reduce(0) { $0 + (Double($1.i) - mu) * (Double($1.i) - mu) * $1.p }
    }

    /// Joint entropy (TU9B): -sum_ij p_ij log2 p_ij.
    static func jointEntropy(_ m: CooccurrenceMarginals) -> Double { m.jointEntropy }

    /// Difference average (TF7R): mu = sum_k k p_{i-j,k}.
    static func differenceAverage(_ m: CooccurrenceMarginals) -> Double {
        m.difference.indices.reduce(0) { $0 + Double($1) * m.difference[$1] }
    }

    /// Difference variance (D3YU): sum_k (k - mu)^2 p_{i-j,k}, mu the difference average.
    static func differenceVariance(_ m: CooccurrenceMarginals) -> Double {
        let mu = differenceAverage(m)
        return m.difference.indices.reduce(0) { $0 + (Double($1) - mu) * (Double($1) - mu) * m.difference[$1] }
    }

    /// Difference entropy (NTRS): -sum_k p_{i-j,k} log2 p_{i-j,k}.
    static func differenceEntropy(_ m: CooccurrenceMarginals) -> Double { entropy(m.difference) }

    /// Sum average (ZGXS): mu = sum_k k p_{i+j,k}, k = 2...2Ng.
    static func sumAverage(_ m: CooccurrenceMarginals) -> Double {
        m.sum.indices.reduce(0) { $0 + Double($1) * m.sum[$1] }
    }

    /// Sum variance (OEEB): sum_k (k - mu)^2 p_{i+j,k}, mu the sum average.
    static func sumVariance(_ m: CooccurrenceMarginals) -> Double {
        let mu = sumAverage(m)
        return m.sum.indices.reduce(0) { $0 + (Double($1) - mu) * (Double($1) - mu) * m.sum[$1] }
    }

    /// Sum entropy (P6QZ): -sum_k p_{i+j,k} log2 p_{i+j,k}.
    static func sumEntropy(_ m: CooccurrenceMarginals) -> Double { entropy(m.sum) }

    /// Angular second moment, or energy (8ZQL): sum_ij p_ij^2.
    static func angularSecondMoment(_ m: CooccurrenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + $1.p * $1.p }
    }

    /// Contrast (ACUI): sum_ij (i - j)^2 p_ij.
    static func contrast(_ m: CooccurrenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double(($1.i - $1.j) * ($1.i - $1.j)) * $1.p }
    }

    /// Dissimilarity (8S9J): sum_ij |i - j| p_ij.
    static func dissimilarity(_ m: CooccurrenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double(abs($1.i - $1.j)) * $1.p }
    }

    /// Inverse difference (IB1Z): sum_k p_{i-j,k} / (1 + k).
    static func inverseDifference(_ m: CooccurrenceMarginals) -> Double {
        m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + Double($1)) }
    }

    /// Normalised inverse difference (NDRX): sum_k p_{i-j,k} / (1 + k / Ng).
    static func normalisedInverseDifference(_ m: CooccurrenceMarginals) -> Double {
        let ng = Double(m.levelCount)
        return m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + Double($1) / ng) }
    }

    /// Inverse difference moment (WF0Z): sum_k p_{i-j,k} / (1 + k^2).
    static func inverseDifferenceMoment(_ m: CooccurrenceMarginals) -> Double {
        m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + Double($1 * $1)) }
    }

    /// Normalised inverse difference moment (1QCO): sum_k p_{i-j,k} / (1 + (k / Ng)^2).
    static func normalisedInverseDifferenceMoment(_ m: CooccurrenceMarginals) -> Double {
        let ng = Double(m.levelCount)
        return m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + (Double($1) / ng) * (Double($1) / ng)) }
    }

    /// Inverse variance (E8JP): sum_{k>=1} p_{i-j,k} / k^2.
    static func inverseVariance(_ m: CooccurrenceMarginals) -> Double {
        m.difference.indices.dropFirst().reduce(0) { $0 + m.difference[$1] / Double($1 * $1) }
    }

    /// Correlation (NI2N): (sum_ij i j p_ij - mu_i.^2) / sigma_i.^2 for a symmetric matrix.
    /// NaN when sigma_i. = 0 (one grey level): the definition divides by it.
    static func correlation(_ m: CooccurrenceMarginals) -> Double {
        guard m.variance > 0 else { return .nan }
        let mu = m.mean
        let covariance = m.entries.reduce(0) { $0 + (Double($1.i) - mu) * (Double($1.j) - mu) * $1.p }
        return covariance / m.variance
    }

    /// Autocorrelation (QWB0): sum_ij i j p_ij.
    static func autocorrelation(_ m: CooccurrenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double($1.i * $1.j) * $1.p }
    }

    /// Cluster tendency (DG8W): sum_ij (i + j - 2 mu_i.)^2 p_ij.
    static func clusterTendency(_ m: CooccurrenceMarginals) -> Double { clusterMoment(m, power: 2) }

    /// Cluster shade (7NFM): sum_ij (i + j - 2 mu_i.)^3 p_ij.
    static func clusterShade(_ m: CooccurrenceMarginals) -> Double { clusterMoment(m, power: 3) }

    /// Cluster prominence (AE86): sum_ij (i + j - 2 mu_i.)^4 p_ij.
    static func clusterProminence(_ m: CooccurrenceMarginals) -> Double { clusterMoment(m, power: 4) }

    /// Information correlation 1 (R8DG): (HXY - HXY1) / HX.
    /// NaN when HX = 0 (one grey level): the definition divides by it.
    static func informationCorrelation1(_ m: CooccurrenceMarginals) -> Double {
        guard m.marginalEntropy > 0 else { return .nan }
        return (m.jointEntropy - m.hxy1) / m.marginalEntropy
    }

    /// Information correlation 2 (JN9H): sqrt(1 - exp(-2 (HXY2 - HXY))), entropies in log2 as the
    /// manual writes them. HXY2 >= HXY always holds; the difference is clamped at 0 against
    /// rounding so that the root stays real (one grey level gives 0).
    static func informationCorrelation2(_ m: CooccurrenceMarginals) -> Double {
        let gap = max(0, m.hxy2 - m.jointEntropy)
        return (1 - exp(-2 * gap)).squareRoot()
    }

    // MARK: - Helpers

    private static func entropy(_ probabilities: [Double]) -> Double {
        probabilities.reduce(0) { $1 > 0 ? $0 - $1 * log2($1) : $0 }
    }

    private static func clusterMoment(_ m: CooccurrenceMarginals, power: Int) -> Double {
        let twoMu = 2 * m.mean
        return m.entries.reduce(0) { acc, e in
            let d = Double(e.i + e.j) - twoMu
            var t = 1.0
            for _ in 0..<power { t *= d }
            return acc + t * e.p
        }
    }

    /// Per-feature means over matrices. Matrices without probabilities (nil) are left out, and so is
    /// a value a matrix does not define (NaN); a feature with no value at all averages to NaN.
    struct FeatureMean {
        private var sums: [Double]
        private var counts: [Int]

        init(count: Int) {
            sums = Array(repeating: 0, count: count)
            counts = Array(repeating: 0, count: count)
        }

        mutating func add(_ values: [Double]?) {
            guard let values else { return }
            precondition(values.count == sums.count)
            for k in values.indices where !values[k].isNaN {
                sums[k] += values[k]
                counts[k] += 1
            }
        }

        var values: [Double] {
            zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : .nan }
        }
    }
}
