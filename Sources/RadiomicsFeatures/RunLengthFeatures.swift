import RadiomicsCore

/// Grey level run length features (IBSI 1, TP0I). In the formulas r_ij is the number of runs of
/// grey level i and length j, N_s the number of runs, r_i. and r_.j the marginals,
/// p_ij = r_ij / N_s and N_v the number of voxels (summed over merged matrices).
///
/// Aggregation (IBSI): 2D_avg (BTW3) averages over slices and in-plane directions; 2D_comb (SUJT)
/// merges the directions of a slice and averages over slices; 2_5D_avg (JJUI) merges slices per
/// direction and averages over directions; 2_5D_comb (ZW7Z) merges everything in-plane; 3D_avg
/// (ITBB) averages over the 13 volumetric directions; 3D_comb (IAZD) merges them. Slices without
/// ROI voxels are left out of averages; with no ROI voxel at all every value is NaN.
public enum RunLengthFeatures {
    static let family = GreyLevelSizeFamily(entries: [
        /// Short runs emphasis (22OV): 1/N_s Σ_j r_.j / j²
        (def("rlm_sre", "22OV", "Short runs emphasis"), .smallSizeEmphasis),
        /// Long runs emphasis (W4KF): 1/N_s Σ_j j² r_.j
        (def("rlm_lre", "W4KF", "Long runs emphasis"), .largeSizeEmphasis),
        /// Low grey level run emphasis (V3SW): 1/N_s Σ_i r_i. / i²
        (def("rlm_lgre", "V3SW", "Low grey level run emphasis"), .lowGreyLevelEmphasis),
        /// High grey level run emphasis (G3QZ): 1/N_s Σ_i i² r_i.
        (def("rlm_hgre", "G3QZ", "High grey level run emphasis"), .highGreyLevelEmphasis),
        /// Short run low grey level emphasis (HTZT): 1/N_s Σ_i Σ_j r_ij / (i² j²)
        (def("rlm_srlge", "HTZT", "Short run low grey level emphasis"), .smallSizeLowGreyLevelEmphasis),
        /// Short run high grey level emphasis (GD3A): 1/N_s Σ_i Σ_j i² r_ij / j²
        (def("rlm_srhge", "GD3A", "Short run high grey level emphasis"), .smallSizeHighGreyLevelEmphasis),
        /// Long run low grey level emphasis (IVPO): 1/N_s Σ_i Σ_j j² r_ij / i²
        (def("rlm_lrlge", "IVPO", "Long run low grey level emphasis"), .largeSizeLowGreyLevelEmphasis),
        /// Long run high grey level emphasis (3KUM): 1/N_s Σ_i Σ_j i² j² r_ij
        (def("rlm_lrhge", "3KUM", "Long run high grey level emphasis"), .largeSizeHighGreyLevelEmphasis),
        /// Grey level non-uniformity (R5YN): 1/N_s Σ_i r_i.²
        (def("rlm_glnu", "R5YN", "Grey level non-uniformity"), .greyLevelNonUniformity),
        /// Normalised grey level non-uniformity (OVBL): 1/N_s² Σ_i r_i.²
        (def("rlm_glnu_norm", "OVBL", "Normalised grey level non-uniformity"), .greyLevelNonUniformityNormalised),
        /// Run length non-uniformity (W92Y): 1/N_s Σ_j r_.j²
        (def("rlm_rlnu", "W92Y", "Run length non-uniformity"), .sizeNonUniformity),
        /// Normalised run length non-uniformity (IC23): 1/N_s² Σ_j r_.j²
        (def("rlm_rlnu_norm", "IC23", "Normalised run length non-uniformity"), .sizeNonUniformityNormalised),
        /// Run percentage (9ZK5): N_s / N_v
        (def("rlm_r_perc", "9ZK5", "Run percentage"), .percentage),
        /// Grey level variance (8CE5): Σ_i Σ_j (i - μ)² p_ij, μ = Σ_i Σ_j i p_ij
        (def("rlm_gl_var", "8CE5", "Grey level variance"), .greyLevelVariance),
        /// Run length variance (SXLW): Σ_i Σ_j (j - μ)² p_ij, μ = Σ_i Σ_j j p_ij
        (def("rlm_rl_var", "SXLW", "Run length variance"), .sizeVariance),
        /// Run entropy (HJ9O): -Σ_i Σ_j p_ij log2 p_ij
        (def("rlm_rl_entr", "HJ9O", "Run entropy"), .sizeEntropy),
    ])

    public static let definitions: [FeatureDefinition] = family.definitions

    public static func compute(_ volume: DiscretisedVolume, settings: TextureSettings) -> FeatureValues {
        compute(RunLengthMatrices(volume))
    }

    /// Features of already built matrices, for every directional aggregation.
    public static func compute(_ matrices: RunLengthMatrices) -> FeatureValues {
        let f = family.features
        let values: [[Double]] = Aggregation.directional.map { aggregation in
            switch aggregation {
            case .slice2DAverage: GreyLevelSizeMatrix.averageValues(of: f, over: matrices.slices.flatMap { $0 })
            case .slice2DMerged: GreyLevelSizeMatrix.averageValues(of: f, over: matrices.sliceMerged)
            case .volume2_5DAverage: GreyLevelSizeMatrix.averageValues(of: f, over: matrices.directionMerged)
            case .volume2_5DMerged: matrices.allSlicesMerged.values(of: f)
            case .volume3DAverage: GreyLevelSizeMatrix.averageValues(of: f, over: matrices.volumetric)
            case .volume3DMerged: matrices.volumetricMerged.values(of: f)
            default: preconditionFailure("not a directional aggregation")
            }
        }
        return family.emit(Aggregation.directional, values)
    }

    private static func def(_ tag: String, _ code: String, _ name: String) -> FeatureDefinition {
        FeatureDefinition(tag, ibsi: code, family: .runLength, name: name,
                          degenerate: "NaN when the ROI holds no voxel")
    }
}
