import RadiomicsCore

/// Grey level distance zone features (IBSI 1, VMDZ). In the formulas d_ij is the number of zones
/// of grey level i at distance j from the ROI edge, N_s the number of zones, d_i. and d_.j the
/// marginals, p_ij = d_ij / N_s and N_v the number of voxels (summed over merged slice matrices).
///
/// Aggregation (IBSI): 2D averages the features of the slice matrices (in-slice zones and
/// distances), 2_5D merges the slice matrices, 3D uses volumetric zones and distances. Slices
/// without ROI voxels are left out of the average; with no ROI voxel at all every value is NaN.
public enum DistanceZoneFeatures {
    static let family = GreyLevelSizeFamily(entries: [
        /// Small distance emphasis (0GBI): 1/N_s Σ_j d_.j / j²
        (def("dzm_sde", "0GBI", "Small distance emphasis"), .smallSizeEmphasis),
        /// Large distance emphasis (MB4I): 1/N_s Σ_j j² d_.j
        (def("dzm_lde", "MB4I", "Large distance emphasis"), .largeSizeEmphasis),
        /// Low grey level zone emphasis (S1RA): 1/N_s Σ_i d_i. / i²
        (def("dzm_lgze", "S1RA", "Low grey level zone emphasis"), .lowGreyLevelEmphasis),
        /// High grey level zone emphasis (K26C): 1/N_s Σ_i i² d_i.
        (def("dzm_hgze", "K26C", "High grey level zone emphasis"), .highGreyLevelEmphasis),
        /// Small distance low grey level emphasis (RUVG): 1/N_s Σ_i Σ_j d_ij / (i² j²)
        (def("dzm_sdlge", "RUVG", "Small distance low grey level emphasis"), .smallSizeLowGreyLevelEmphasis),
        /// Small distance high grey level emphasis (DKNJ): 1/N_s Σ_i Σ_j i² d_ij / j²
        (def("dzm_sdhge", "DKNJ", "Small distance high grey level emphasis"), .smallSizeHighGreyLevelEmphasis),
        /// Large distance low grey level emphasis (A7WM): 1/N_s Σ_i Σ_j j² d_ij / i²
        (def("dzm_ldlge", "A7WM", "Large distance low grey level emphasis"), .largeSizeLowGreyLevelEmphasis),
        /// Large distance high grey level emphasis (KLTH): 1/N_s Σ_i Σ_j i² j² d_ij
        (def("dzm_ldhge", "KLTH", "Large distance high grey level emphasis"), .largeSizeHighGreyLevelEmphasis),
        /// Grey level non-uniformity (VFT7): 1/N_s Σ_i d_i.²
        (def("dzm_glnu", "VFT7", "Grey level non-uniformity"), .greyLevelNonUniformity),
        /// Normalised grey level non-uniformity (7HP3): 1/N_s² Σ_i d_i.²
        (def("dzm_glnu_norm", "7HP3", "Normalised grey level non-uniformity"), .greyLevelNonUniformityNormalised),
        /// Zone distance non-uniformity (V294): 1/N_s Σ_j d_.j²
        (def("dzm_zdnu", "V294", "Zone distance non-uniformity"), .sizeNonUniformity),
        /// Normalised zone distance non-uniformity (IATH): 1/N_s² Σ_j d_.j²
        (def("dzm_zdnu_norm", "IATH", "Normalised zone distance non-uniformity"), .sizeNonUniformityNormalised),
        /// Zone percentage (VIWW): N_s / N_v
        (def("dzm_z_perc", "VIWW", "Zone percentage"), .percentage),
        /// Grey level variance (QK93): Σ_i Σ_j (i - μ)² p_ij, μ = Σ_i Σ_j i p_ij
        (def("dzm_gl_var", "QK93", "Grey level variance"), .greyLevelVariance),
        /// Zone distance variance (7WT1): Σ_i Σ_j (j - μ)² p_ij, μ = Σ_i Σ_j j p_ij
        (def("dzm_zd_var", "7WT1", "Zone distance variance"), .sizeVariance),
        /// Zone distance entropy (GBDU): -Σ_i Σ_j p_ij log2 p_ij
        (def("dzm_zd_entr", "GBDU", "Zone distance entropy"), .sizeEntropy),
    ])

    public static let definitions: [FeatureDefinition] = family.definitions

    public static func compute(_ volume: DiscretisedVolume, settings: TextureSettings) -> FeatureValues {
        compute(volume, zones: nil)
    }

    static func compute(_ volume: DiscretisedVolume, zones: GreyLevelZones?) -> FeatureValues {
        let m = DistanceZoneMatrix.matrices(volume, zones: zones)
        return family.emitNonDirectional(slices: m.slices, volumetric: m.volumetric, levelCount: volume.levelCount)
    }

    /// The size zone and the distance zone features from one labelling of the zones, which the
    /// two families share (IBSI 1, "Grey level distance zone based features": zones as for the
    /// size zone matrix); the same values as `SizeZoneFeatures.compute` and `compute` apart.
    public static func computeWithSizeZone(_ volume: DiscretisedVolume, settings: TextureSettings)
        -> (sizeZone: FeatureValues, distanceZone: FeatureValues) {
        let zones = DistanceZoneMatrix.zones(volume)
        return (SizeZoneFeatures.compute(volume, zones: zones), compute(volume, zones: zones))
    }

    private static func def(_ tag: String, _ code: String, _ name: String) -> FeatureDefinition {
        FeatureDefinition(tag, ibsi: code, family: .distanceZone, name: name,
                          degenerate: "NaN when the ROI holds no voxel")
    }
}
