import Foundation
import RadiomicsCore

// GLCM features (IBSI 1, "Grey level co-occurrence based features", LFYI) and their six
// aggregations (BTW3, SUJT, JJUI, ZW7Z, ITBB, IAZD).
//
// Notation of the manual: p_ij = M_ij / sum(M); p_i. the row marginal (= column marginal p_.j, the
// matrix being symmetric); p_{i-j,k} = sum of p_ij with |i-j| = k (k = 0...Ng-1); p_{i+j,k} = sum
// of p_ij with i+j = k (k = 2...2Ng). Logarithms are base 2.

public enum CooccurrenceFeatures {
    /// The 25 GLCM features, before aggregation, in the order `CooccurrenceEvaluator` gives
    /// their values.
    public static let definitions: [FeatureDefinition] = [
        def("cm_joint_max", "GYBY", "Joint maximum"),
        def("cm_joint_avg", "60VM", "Joint average"),
        def("cm_joint_var", "UR99", "Joint variance"),
        def("cm_joint_entr", "TU9B", "Joint entropy"),
        def("cm_diff_avg", "TF7R", "Difference average"),
        def("cm_diff_var", "D3YU", "Difference variance"),
        def("cm_diff_entr", "NTRS", "Difference entropy"),
        def("cm_sum_avg", "ZGXS", "Sum average"),
        def("cm_sum_var", "OEEB", "Sum variance"),
        def("cm_sum_entr", "P6QZ", "Sum entropy"),
        def("cm_energy", "8ZQL", "Angular second moment"),
        def("cm_contrast", "ACUI", "Contrast"),
        def("cm_dissimilarity", "8S9J", "Dissimilarity"),
        def("cm_inv_diff", "IB1Z", "Inverse difference"),
        def("cm_inv_diff_norm", "NDRX", "Normalised inverse difference"),
        def("cm_inv_diff_mom", "WF0Z", "Inverse difference moment"),
        def("cm_inv_diff_mom_norm", "1QCO", "Normalised inverse difference moment"),
        def("cm_inv_var", "E8JP", "Inverse variance"),
        def("cm_corr", "NI2N", "Correlation",
             degenerate: "NaN when the marginal variance is 0 (a single grey level in the matrix)"),
        def("cm_auto_corr", "QWB0", "Autocorrelation"),
        def("cm_clust_tend", "DG8W", "Cluster tendency"),
        def("cm_clust_shade", "7NFM", "Cluster shade"),
        def("cm_clust_prom", "AE86", "Cluster prominence"),
        def("cm_info_corr1", "R8DG", "Information correlation 1",
             degenerate: "NaN when HX is 0 (a single grey level in the matrix)"),
        def("cm_info_corr2", "JN9H", "Information correlation 2"),
    ]

    private static func def(_ tag: String, _ code: String, _ name: String, degenerate: String? = nil) -> FeatureDefinition {
        let note = "NaN when no matrix of the aggregation holds a neighbour pair"
        return FeatureDefinition(tag, ibsi: code, family: .cooccurrence, name: name,
                                 degenerate: degenerate.map { "\($0); \(note)" } ?? note)
    }

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
        let counter = CooccurrenceCounter(volume, distance: settings.cooccurrenceDistance)
        let evaluator = CooccurrenceEvaluator(levels: counter.levels, levelCount: volume.levelCount)
        let n = counter.presentCount
        let plane = n * n
        let inPlane = TextureDirections.inPlane.count
        let directions = TextureDirections.volumetric.count
        let featureCount = definitions.count
        // One-sided counts of the 13 directions ((n + 1)^2 each, see `count`): the in-plane ones
        // of the current slice, then the cross-slice ones of the whole volume.
        let widePlane = (n + 1) * (n + 1)
        let oneSided = UnsafeMutablePointer<Int32>.allocate(capacity: directions * widePlane)
        oneSided.initialize(repeating: 0, count: directions * widePlane)
        // Symmetric n x n counts: one in-plane slice matrix, the slice's merged matrix, the 13
        // volumetric matrices (in-plane ones summed over slices), and the two merged ones.
        let symmetric = UnsafeMutablePointer<Int>.allocate(capacity: max((directions + 4) * plane, 1))
        symmetric.initialize(repeating: 0, count: max((directions + 4) * plane, 1))
        defer {
            oneSided.deallocate()
            symmetric.deallocate()
        }
        let matrix = symmetric, slice = symmetric + plane
        let volumetric = (0..<directions).map { symmetric + (2 + $0) * plane }
        let merged2_5D = symmetric + (2 + directions) * plane, merged3D = merged2_5D + plane

        var sliceDirection = FeatureMean(count: featureCount)
        var sliceMerged = FeatureMean(count: featureCount)
        for z in 0..<counter.sliceCount {
            counter.count(slice: z, into: oneSided)
            slice.update(repeating: 0, count: plane)
            for d in 0..<inPlane {
                matrix.update(repeating: 0, count: plane)
                counter.addSymmetric(oneSided + d * widePlane, to: [matrix, slice, volumetric[d]])
                sliceDirection.add(evaluator.features(matrix))
            }
            sliceMerged.add(evaluator.features(slice))
            oneSided.update(repeating: 0, count: inPlane * widePlane)
        }
        for d in inPlane..<directions { counter.addSymmetric(oneSided + d * widePlane, to: [volumetric[d]]) }

        var direction2_5D = FeatureMean(count: featureCount)
        var direction3D = FeatureMean(count: featureCount)
        for d in 0..<directions {
            let values = evaluator.features(volumetric[d])
            if d < inPlane {
                direction2_5D.add(values)
                for k in 0..<plane { merged2_5D[k] += volumetric[d][k] }
            }
            direction3D.add(values)
            for k in 0..<plane { merged3D[k] += volumetric[d][k] }
        }
        let undefined = Array(repeating: Double.nan, count: featureCount)
        let byAggregation: [Aggregation: [Double]] = [
            .slice2DAverage: sliceDirection.values,
            .slice2DMerged: sliceMerged.values,
            .volume2_5DAverage: direction2_5D.values,
            .volume2_5DMerged: evaluator.features(merged2_5D) ?? undefined,
            .volume3DAverage: direction3D.values,
            .volume3DMerged: evaluator.features(merged3D) ?? undefined,
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
        let evaluator = CooccurrenceEvaluator(levels: Array(stride(from: 1, through: matrix.levelCount, by: 1)),
                                              levelCount: matrix.levelCount)
        return matrix.counts.withUnsafeBufferPointer { $0.baseAddress.flatMap { evaluator.features($0) } }
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
