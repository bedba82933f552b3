import RadiomicsCore

/// Grey level size zone features (IBSI 1, 9SAK). In the formulas s_ij is the number of zones of
/// grey level i and size j, N_s the number of zones, s_i. and s_.j the marginals,
/// p_ij = s_ij / N_s and N_v the number of voxels (summed over merged slice matrices).
///
/// Aggregation (IBSI): 2D (8QNN) averages the features of the slice matrices (8-connected zones),
/// 2_5D (62GR) merges the slice matrices, 3D (KOBO) uses 26-connected zones. Slices without ROI
/// voxels are left out of the average; with no ROI voxel at all every value is NaN.
public enum SizeZoneFeatures {
    static let family = GreyLevelSizeFamily(entries: [
        /// Small zone emphasis (5QRC): 1/N_s Σ_j s_.j / j²
        (def("szm_sze", "5QRC", "Small zone emphasis"), .smallSizeEmphasis),
        /// Large zone emphasis (48P8): 1/N_s Σ_j j² s_.j
        (def("szm_lze", "48P8", "Large zone emphasis"), .largeSizeEmphasis),
        /// Low grey level zone emphasis (XMSY): 1/N_s Σ_i s_i. / i²
        (def("szm_lgze", "XMSY", "Low grey level zone emphasis"), .lowGreyLevelEmphasis),
        /// High grey level zone emphasis (5GN9): 1/N_s Σ_i i² s_i.
        (def("szm_hgze", "5GN9", "High grey level zone emphasis"), .highGreyLevelEmphasis),
        /// Small zone low grey level emphasis (5RAI): 1/N_s Σ_i Σ_j s_ij / (i² j²)
        (def("szm_szlge", "5RAI", "Small zone low grey level emphasis"), .smallSizeLowGreyLevelEmphasis),
        /// Small zone high grey level emphasis (HW1V): 1/N_s Σ_i Σ_j i² s_ij / j²
        (def("szm_szhge", "HW1V", "Small zone high grey level emphasis"), .smallSizeHighGreyLevelEmphasis),
        /// Large zone low grey level emphasis (YH51): 1/N_s Σ_i Σ_j j² s_ij / i²
        (def("szm_lzlge", "YH51", "Large zone low grey level emphasis"), .largeSizeLowGreyLevelEmphasis),
        /// Large zone high grey level emphasis (J17V): 1/N_s Σ_i Σ_j i² j² s_ij
        (def("szm_lzhge", "J17V", "Large zone high grey level emphasis"), .largeSizeHighGreyLevelEmphasis),
        /// Grey level non-uniformity (JNSA): 1/N_s Σ_i s_i.²
        (def("szm_glnu", "JNSA", "Grey level non-uniformity"), .greyLevelNonUniformity),
        /// Normalised grey level non-uniformity (Y1RO): 1/N_s² Σ_i s_i.²
        (def("szm_glnu_norm", "Y1RO", "Normalised grey level non-uniformity"), .greyLevelNonUniformityNormalised),
        /// Zone size non-uniformity (4JP3): 1/N_s Σ_j s_.j²
        (def("szm_zsnu", "4JP3", "Zone size non-uniformity"), .sizeNonUniformity),
        /// Normalised zone size non-uniformity (VB3A): 1/N_s² Σ_j s_.j²
        (def("szm_zsnu_norm", "VB3A", "Normalised zone size non-uniformity"), .sizeNonUniformityNormalised),
        /// Zone percentage (P30P): N_s / N_v
        (def("szm_z_perc", "P30P", "Zone percentage"), .percentage),
        /// Grey level variance (BYLV): Σ_i Σ_j (i - μ)² p_ij, μ = Σ_i Σ_j i p_ij
        (def("szm_gl_var", "BYLV", "Grey level variance"), .greyLevelVariance),
        /// Zone size variance (3NSA): Σ_i Σ_j (j - μ)² p_ij, μ = Σ_i Σ_j j p_ij
        (def("szm_zs_var", "3NSA", "Zone size variance"), .sizeVariance),
        /// Zone size entropy (GU8N): -Σ_i Σ_j p_ij log2 p_ij
        (def("szm_zs_entr", "GU8N", "Zone size entropy"), .sizeEntropy),
    ])

    public static let definitions: [FeatureDefinition] = family.definitions

    public static func compute(_ volume: DiscretisedVolume, settings: TextureSettings) -> FeatureValues {
        compute(volume, zones: nil)
    }

    static func compute(_ volume: DiscretisedVolume, zones: GreyLevelZones?) -> FeatureValues {
        let m = SizeZoneMatrix.matrices(volume, zones: zones)
        return family.emitNonDirectional(slices: m.slices, volumetric: m.volumetric, levelCount: volume.levelCount)
    }

    private static func def(_ tag: String, _ code: String, _ name: String) -> FeatureDefinition {
        FeatureDefinition(tag, ibsi: code, family: .sizeZone, name: name,
                          degenerate: "NaN when the ROI holds no voxel")
    }
}
