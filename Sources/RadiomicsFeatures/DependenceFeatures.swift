import RadiomicsCore

/// Neighbouring grey level dependence features (IBSI 1, REK0). In the formulas s_ij is the number
/// of voxels of grey level i with dependence count j, N_s the number of counted voxels, s_i. and
/// s_.j the marginals, p_ij = s_ij / N_s and N_v the number of voxels (summed over merged slice
/// matrices). Settings: `ngldmDistance` (Chebyshev delta) and `ngldmAlpha` (coarseness).
///
/// Aggregation (IBSI): 2D averages the features of the slice matrices (in-slice neighbourhoods),
/// 2_5D merges the slice matrices, 3D uses volumetric neighbourhoods. Slices without ROI voxels
/// are left out of the average; with no ROI voxel at all every value is NaN.
public enum DependenceFeatures {
    static let family = GreyLevelSizeFamily(entries: [
        /// Low dependence emphasis (SODN): 1/N_s Σ_j s_.j / j²
        (def("ngl_lde", "SODN", "Low dependence emphasis"), .smallSizeEmphasis),
        /// High dependence emphasis (IMOQ): 1/N_s Σ_j j² s_.j
        (def("ngl_hde", "IMOQ", "High dependence emphasis"), .largeSizeEmphasis),
        /// Low grey level count emphasis (TL9H): 1/N_s Σ_i s_i. / i²
        (def("ngl_lgce", "TL9H", "Low grey level count emphasis"), .lowGreyLevelEmphasis),
        /// High grey level count emphasis (OAE7): 1/N_s Σ_i i² s_i.
        (def("ngl_hgce", "OAE7", "High grey level count emphasis"), .highGreyLevelEmphasis),
        /// Low dependence low grey level emphasis (EQ3F): 1/N_s Σ_i Σ_j s_ij / (i² j²)
        (def("ngl_ldlge", "EQ3F", "Low dependence low grey level emphasis"), .smallSizeLowGreyLevelEmphasis),
        /// Low dependence high grey level emphasis (JA6D): 1/N_s Σ_i Σ_j i² s_ij / j²
        (def("ngl_ldhge", "JA6D", "Low dependence high grey level emphasis"), .smallSizeHighGreyLevelEmphasis),
        /// High dependence low grey level emphasis (NBZI): 1/N_s Σ_i Σ_j j² s_ij / i²
        (def("ngl_hdlge", "NBZI", "High dependence low grey level emphasis"), .largeSizeLowGreyLevelEmphasis),
        /// High dependence high grey level emphasis (9QMG): 1/N_s Σ_i Σ_j i² j² s_ij
        (def("ngl_hdhge", "9QMG", "High dependence high grey level emphasis"), .largeSizeHighGreyLevelEmphasis),
        /// Grey level non-uniformity (FP8K): 1/N_s Σ_i s_i.²
        (def("ngl_glnu", "FP8K", "Grey level non-uniformity"), .greyLevelNonUniformity),
        /// Normalised grey level non-uniformity (5SPA): 1/N_s² Σ_i s_i.²
        (def("ngl_glnu_norm", "5SPA", "Normalised grey level non-uniformity"), .greyLevelNonUniformityNormalised),
        /// Dependence count non-uniformity (Z87G): 1/N_s Σ_j s_.j²
        (def("ngl_dcnu", "Z87G", "Dependence count non-uniformity"), .sizeNonUniformity),
        /// Normalised dependence count non-uniformity (OKJI): 1/N_s² Σ_j s_.j²
        (def("ngl_dcnu_norm", "OKJI", "Normalised dependence count non-uniformity"), .sizeNonUniformityNormalised),
        /// Dependence count percentage (6XV8): N_s / N_v
        (def("ngl_dc_perc", "6XV8", "Dependence count percentage"), .percentage),
        /// Grey level variance (1PFV): Σ_i Σ_j (i - μ)² p_ij, μ = Σ_i Σ_j i p_ij
        (def("ngl_gl_var", "1PFV", "Grey level variance"), .greyLevelVariance),
        /// Dependence count variance (DNX2): Σ_i Σ_j (j - μ)² p_ij, μ = Σ_i Σ_j j p_ij
        (def("ngl_dc_var", "DNX2", "Dependence count variance"), .sizeVariance),
        /// Dependence count entropy (FCBV): -Σ_i Σ_j p_ij log2 p_ij
        (def("ngl_dc_entr", "FCBV", "Dependence count entropy"), .sizeEntropy),
        /// Dependence count energy (CAS9): Σ_i Σ_j p_ij²
        (def("ngl_dc_energy", "CAS9", "Dependence count energy"), .energy),
    ])

    public static let definitions: [FeatureDefinition] = family.definitions

    public static func compute(_ volume: DiscretisedVolume, settings: TextureSettings) -> FeatureValues {
        let m = DependenceMatrix.build(volume, distance: settings.ngldmDistance, coarseness: settings.ngldmAlpha)
        return family.emitNonDirectional(slices: m.slices, volumetric: m.volumetric, levelCount: volume.levelCount)
    }

    private static func def(_ tag: String, _ code: String, _ name: String) -> FeatureDefinition {
        FeatureDefinition(tag, ibsi: code, family: .neighbouringGreyLevelDependence, name: name,
                          degenerate: "NaN when the ROI holds no voxel")
    }
}
