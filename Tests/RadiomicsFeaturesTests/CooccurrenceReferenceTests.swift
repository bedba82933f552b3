import Foundation
import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

// The GLCM features as first written: one closure per formula over the full Ng x Ng matrix, with
// every logarithm evaluated. `CooccurrenceEvaluator` reorganises the work (grey levels present in
// the ROI only, shared logarithms of symmetric terms, one pass for many sums); these tests require
// bit-identical values from both, so the reorganisation cannot change a result unnoticed. The
// exception is the two information correlations: the evaluator takes HXY1 and HXY2 as 2 HX,
// which they equal for a symmetric matrix (a test below checks that on the reference's own
// sums), so those two agree to rounding, 1e-12, rather than bit for bit.

/// Joint probabilities and the marginals of one non-empty co-occurrence matrix, computed once; every
/// feature formula reads them.
struct ReferenceMarginals: Sendable {
    /// A non-zero joint probability p_ij with its grey levels (1-based).
    struct Entry: Sendable, Equatable {
        let i: Int
        let j: Int
        let p: Double
    }

    /// Number of grey levels Ng.
    let levelCount: Int
    /// The non-zero p_ij, row-major.
    let entries: [Entry]
    /// Row marginal p_i. at index i-1 (equal to the column marginal p_.j).
    let marginal: [Double]
    /// Diagonal probabilities p_{i-j,k} at index k, k = 0...Ng-1.
    let difference: [Double]
    /// Cross-diagonal probabilities p_{i+j,k} at index k, k = 0...2Ng (indices 0 and 1 hold 0).
    let sum: [Double]
    /// Mean of the marginal, mu_i. = sum_i i p_i. (equal to the joint average).
    let mean: Double
    /// Variance of the marginal, sigma_i.^2 = sum_i (i - mu_i.)^2 p_i.
    let variance: Double
    /// HXY = -sum_ij p_ij log2 p_ij.
    let jointEntropy: Double
    /// HX = -sum_i p_i. log2 p_i.
    let marginalEntropy: Double
    /// HXY1 = -sum_ij p_ij log2(p_i. p_.j).
    let hxy1: Double
    /// HXY2 = -sum_ij p_i. p_.j log2(p_i. p_.j).
    let hxy2: Double

    /// Nil for an empty matrix (no neighbour pairs): it has no probabilities.
    init?(_ matrix: CooccurrenceMatrix) {
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

enum ReferenceCooccurrence {
    typealias Formula = @Sendable (ReferenceMarginals) -> Double

    static let formulas: [Formula] = [
        jointMaximum,
        jointAverage,
        jointVariance,
        jointEntropy,
        differenceAverage,
        differenceVariance,
        differenceEntropy,
        sumAverage,
        sumVariance,
        sumEntropy,
        angularSecondMoment,
        contrast,
        dissimilarity,
        inverseDifference,
        normalisedInverseDifference,
        inverseDifferenceMoment,
        normalisedInverseDifferenceMoment,
        inverseVariance,
        correlation,
        autocorrelation,
        clusterTendency,
        clusterShade,
        clusterProminence,
        informationCorrelation1,
        informationCorrelation2,
    ]

    static func features(of matrix: CooccurrenceMatrix) -> [Double]? {
        guard let p = ReferenceMarginals(matrix) else { return nil }
        return formulas.map { $0(p) }
    }

    /// Every directional aggregation as first computed: dense matrices from the builder, summed.
    static func compute(_ volume: DiscretisedVolume, distance: Int) -> [Aggregation: [Double]] {
        let builder = CooccurrenceMatrixBuilder(volume, distance: distance)
        let ng = builder.levelCount
        let count = formulas.count
        var sliceDirection = CooccurrenceFeatures.FeatureMean(count: count)
        var sliceMerged = CooccurrenceFeatures.FeatureMean(count: count)
        var perDirection = Array(repeating: CooccurrenceMatrix(levelCount: ng), count: TextureDirections.inPlane.count)
        for z in 0..<builder.sliceCount {
            var slice = CooccurrenceMatrix(levelCount: ng)
            for (d, m) in builder.sliceMatrices(z: z).enumerated() {
                sliceDirection.add(features(of: m))
                perDirection[d] += m
                slice += m
            }
            sliceMerged.add(features(of: slice))
        }
        var direction2_5D = CooccurrenceFeatures.FeatureMean(count: count)
        for m in perDirection { direction2_5D.add(features(of: m)) }
        let volumetric = perDirection + builder.crossSliceMatrices()
        var direction3D = CooccurrenceFeatures.FeatureMean(count: count)
        for m in volumetric { direction3D.add(features(of: m)) }
        let undefined = Array(repeating: Double.nan, count: count)
        return [
            .slice2DAverage: sliceDirection.values,
            .slice2DMerged: sliceMerged.values,
            .volume2_5DAverage: direction2_5D.values,
            .volume2_5DMerged: features(of: .merged(perDirection, levelCount: ng)) ?? undefined,
            .volume3DAverage: direction3D.values,
            .volume3DMerged: features(of: .merged(volumetric, levelCount: ng)) ?? undefined,
        ]
    }

    // MARK: - Formulas

    /// Joint maximum (GYBY): max p_ij.
    static func jointMaximum(_ m: ReferenceMarginals) -> Double {
        m.entries.reduce(0) { max($0, $1.p) }
    }

    /// Joint average (60VM): mu = sum_ij i p_ij.
    static func jointAverage(_ m: ReferenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double($1.i) * $1.p }
    }

    /// Joint variance (UR99): sum_ij (i - mu)^2 p_ij, mu the joint average.
    static func jointVariance(_ m: ReferenceMarginals) -> Double {
        let mu = jointAverage(m)
        return m.entries.reduce(0) { $0 + (Double($1.i) - mu) * (Double($1.i) - mu) * $1.p }
    }

    /// Joint entropy (TU9B): -sum_ij p_ij log2 p_ij.
    static func jointEntropy(_ m: ReferenceMarginals) -> Double { m.jointEntropy }

    /// Difference average (TF7R): mu = sum_k k p_{i-j,k}.
    static func differenceAverage(_ m: ReferenceMarginals) -> Double {
        m.difference.indices.reduce(0) { $0 + Double($1) * m.difference[$1] }
    }

    /// Difference variance (D3YU): sum_k (k - mu)^2 p_{i-j,k}, mu the difference average.
    static func differenceVariance(_ m: ReferenceMarginals) -> Double {
        let mu = differenceAverage(m)
        return m.difference.indices.reduce(0) { $0 + (Double($1) - mu) * (Double($1) - mu) * m.difference[$1] }
    }

    /// Difference entropy (NTRS): -sum_k p_{i-j,k} log2 p_{i-j,k}.
    static func differenceEntropy(_ m: ReferenceMarginals) -> Double { entropy(m.difference) }

    /// Sum average (ZGXS): mu = sum_k k p_{i+j,k}, k = 2...2Ng.
    static func sumAverage(_ m: ReferenceMarginals) -> Double {
        m.sum.indices.reduce(0) { $0 + Double($1) * m.sum[$1] }
    }

    /// Sum variance (OEEB): sum_k (k - mu)^2 p_{i+j,k}, mu the sum average.
    static func sumVariance(_ m: ReferenceMarginals) -> Double {
        let mu = sumAverage(m)
        return m.sum.indices.reduce(0) { $0 + (Double($1) - mu) * (Double($1) - mu) * m.sum[$1] }
    }

    /// Sum entropy (P6QZ): -sum_k p_{i+j,k} log2 p_{i+j,k}.
    static func sumEntropy(_ m: ReferenceMarginals) -> Double { entropy(m.sum) }

    /// Angular second moment, or energy (8ZQL): sum_ij p_ij^2.
    static func angularSecondMoment(_ m: ReferenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + $1.p * $1.p }
    }

    /// Contrast (ACUI): sum_ij (i - j)^2 p_ij.
    static func contrast(_ m: ReferenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double(($1.i - $1.j) * ($1.i - $1.j)) * $1.p }
    }

    /// Dissimilarity (8S9J): sum_ij |i - j| p_ij.
    static func dissimilarity(_ m: ReferenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double(abs($1.i - $1.j)) * $1.p }
    }

    /// Inverse difference (IB1Z): sum_k p_{i-j,k} / (1 + k).
    static func inverseDifference(_ m: ReferenceMarginals) -> Double {
        m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + Double($1)) }
    }

    /// Normalised inverse difference (NDRX): sum_k p_{i-j,k} / (1 + k / Ng).
    static func normalisedInverseDifference(_ m: ReferenceMarginals) -> Double {
        let ng = Double(m.levelCount)
        return m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + Double($1) / ng) }
    }

    /// Inverse difference moment (WF0Z): sum_k p_{i-j,k} / (1 + k^2).
    static func inverseDifferenceMoment(_ m: ReferenceMarginals) -> Double {
        m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + Double($1 * $1)) }
    }

    /// Normalised inverse difference moment (1QCO): sum_k p_{i-j,k} / (1 + (k / Ng)^2).
    static func normalisedInverseDifferenceMoment(_ m: ReferenceMarginals) -> Double {
        let ng = Double(m.levelCount)
        return m.difference.indices.reduce(0) { $0 + m.difference[$1] / (1 + (Double($1) / ng) * (Double($1) / ng)) }
    }

    /// Inverse variance (E8JP): sum_{k>=1} p_{i-j,k} / k^2.
    static func inverseVariance(_ m: ReferenceMarginals) -> Double {
        m.difference.indices.dropFirst().reduce(0) { $0 + m.difference[$1] / Double($1 * $1) }
    }

    /// Correlation (NI2N): (sum_ij i j p_ij - mu_i.^2) / sigma_i.^2 for a symmetric matrix.
    /// NaN when sigma_i. = 0 (one grey level): the definition divides by it.
    static func correlation(_ m: ReferenceMarginals) -> Double {
        guard m.variance > 0 else { return .nan }
        let mu = m.mean
        let covariance = m.entries.reduce(0) { $0 + (Double($1.i) - mu) * (Double($1.j) - mu) * $1.p }
        return covariance / m.variance
    }

    /// Autocorrelation (QWB0): sum_ij i j p_ij.
    static func autocorrelation(_ m: ReferenceMarginals) -> Double {
        m.entries.reduce(0) { $0 + Double($1.i * $1.j) * $1.p }
    }

    /// Cluster tendency (DG8W): sum_ij (i + j - 2 mu_i.)^2 p_ij.
    static func clusterTendency(_ m: ReferenceMarginals) -> Double { clusterMoment(m, power: 2) }

    /// Cluster shade (7NFM): sum_ij (i + j - 2 mu_i.)^3 p_ij.
    static func clusterShade(_ m: ReferenceMarginals) -> Double { clusterMoment(m, power: 3) }

    /// Cluster prominence (AE86): sum_ij (i + j - 2 mu_i.)^4 p_ij.
    static func clusterProminence(_ m: ReferenceMarginals) -> Double { clusterMoment(m, power: 4) }

    /// Information correlation 1 (R8DG): (HXY - HXY1) / HX.
    /// NaN when HX = 0 (one grey level): the definition divides by it.
    static func informationCorrelation1(_ m: ReferenceMarginals) -> Double {
        guard m.marginalEntropy > 0 else { return .nan }
        return (m.jointEntropy - m.hxy1) / m.marginalEntropy
    }

    /// Information correlation 2 (JN9H): sqrt(1 - exp(-2 (HXY2 - HXY))), entropies in log2 as the
    /// manual writes them. HXY2 >= HXY always holds; the difference is clamped at 0 against
    /// rounding so that the root stays real (one grey level gives 0).
    static func informationCorrelation2(_ m: ReferenceMarginals) -> Double {
        let gap = max(0, m.hxy2 - m.jointEntropy)
        return (1 - exp(-2 * gap)).squareRoot()
    }

    // MARK: - Helpers

    static func entropy(_ probabilities: [Double]) -> Double {
        probabilities.reduce(0) { $1 > 0 ? $0 - $1 * log2($1) : $0 }
    }

    static func clusterMoment(_ m: ReferenceMarginals, power: Int) -> Double {
        let twoMu = 2 * m.mean
        return m.entries.reduce(0) { acc, e in
            let d = Double(e.i + e.j) - twoMu
            var t = 1.0
            for _ in 0..<power { t *= d }
            return acc + t * e.p
        }
    }

}

/// Same bits, NaN equal to NaN.
private func identical(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

/// The evaluator's value of feature `k` against the reference's: the same bits, except for the
/// information correlations (whose HXY1 and HXY2 the evaluator takes as 2 HX), within 1e-12.
private func agrees(_ k: Int, _ a: Double, _ b: Double) -> Bool {
    let tag = CooccurrenceFeatures.definitions[k].tag
    guard tag == "cm_info_corr1" || tag == "cm_info_corr2" else { return identical(a, b) }
    return (a.isNaN && b.isNaN) || abs(a - b) <= 1e-12
}

@Suite struct CooccurrenceReferenceTests {
    @Test func featuresOfOneMatrixAreBitIdentical() {
        var rng = SplitMix64(state: 11)
        for _ in 0..<80 {
            let v = randomVolume(&rng, levelCount: 1 + rng.below(7))
            let builder = CooccurrenceMatrixBuilder(v)
            for z in 0..<builder.sliceCount {
                for m in builder.sliceMatrices(z: z) {
                    let a = CooccurrenceFeatures.features(of: m), b = ReferenceCooccurrence.features(of: m)
                    #expect((a == nil) == (b == nil))
                    if let a, let b { #expect(a.indices.allSatisfy { agrees($0, a[$0], b[$0]) }, "\(a) vs \(b)") }
                }
            }
        }
    }

    /// For a symmetric matrix HXY1 = HXY2 = HX + HY = 2 HX, here on the reference's sums, each
    /// taken term by term over the matrix as IBSI writes it.
    @Test func informationCorrelationEntropiesAreTwiceTheMarginalEntropy() {
        var rng = SplitMix64(state: 13)
        var checked = 0
        for _ in 0..<40 {
            let v = randomVolume(&rng, levelCount: 1 + rng.below(9))
            let builder = CooccurrenceMatrixBuilder(v)
            for z in 0..<builder.sliceCount {
                for m in builder.sliceMatrices(z: z) {
                    guard let r = ReferenceMarginals(m) else { continue }
                    let twice = 2 * r.marginalEntropy
                    #expect(abs(r.hxy1 - twice) <= 1e-12 * max(1, twice), "HXY1 \(r.hxy1) vs 2 HX \(twice)")
                    #expect(abs(r.hxy2 - twice) <= 1e-12 * max(1, twice), "HXY2 \(r.hxy2) vs 2 HX \(twice)")
                    checked += 1
                }
            }
        }
        #expect(checked > 100)
    }

    @Test func aggregationsAreBitIdentical() {
        var rng = SplitMix64(state: 12)
        for trial in 0..<80 {
            // Sparse grey levels (some absent from the ROI) exercise the compact levels.
            let ng = 1 + rng.below(9)
            let v = randomVolume(&rng, levelCount: ng)
            let distance = 1 + trial % 3
            let computed = CooccurrenceFeatures.compute(v, settings: TextureSettings(cooccurrenceDistance: distance))
            let reference = ReferenceCooccurrence.compute(v, distance: distance)
            for aggregation in Aggregation.directional {
                for (k, definition) in CooccurrenceFeatures.definitions.enumerated() {
                    let tag = definition.tag(aggregation)
                    let value = computed[tag]!, expected = reference[aggregation]![k]
                    #expect(agrees(k, value, expected), "\(tag): \(value) vs \(expected)")
                }
            }
        }
    }
}
