import RadiomicsCore

/// Settings described in IBSI reporting terms (IBSI 1, "Reporting guidelines"), as JSON, for
/// provenance records.
public enum SettingsReport {
    public static func json(_ s: Settings, indent: String = "") -> String {
        func str(_ x: String) -> String { FeatureTable.jsonString(x) }
        func num(_ x: Double?) -> String { x.map { FeatureTable.format($0) } ?? "null" }
        var f: [(String, String)] = []
        if let i = s.interpolation {
            f.append(("interpolation", str(i.inPlaneOnly ? "in-plane (2D)" : "3D")))
            f.append(("interpolation_method", str(i.imageMethod.rawValue)))
            f.append(("resampled_voxel_spacing_mm", "[" + i.spacing.map { FeatureTable.format($0) }.joined(separator: ", ") + "]"))
            f.append(("grid_alignment", str("centred on the original grid, size = ceil(extent / spacing)")))
            f.append(("intensity_rounding", i.roundIntensities ? "true" : "false"))
            f.append(("roi_interpolation_method", str(i.maskMethod.rawValue)))
            f.append(("roi_partial_volume_threshold", num(i.maskThreshold)))
        } else {
            f.append(("interpolation", str("none")))
        }
        f.append(("re_segmentation_range", "[" + num(s.reSegmentation.range?.lower) + ", " + num(s.reSegmentation.range?.upper) + "]"))
        f.append(("outlier_filtering_sigma", num(s.reSegmentation.outlierSigma)))
        func disc(_ d: DiscretisationSettings) -> String {
            var parts = ["\"method\": \(str(d.method.rawValue))"]
            if let w = d.binWidth { parts.append("\"bin_width\": \(FeatureTable.format(w))") }
            if let n = d.binCount { parts.append("\"bin_number\": \(n)") }
            if let l = d.lowerBound { parts.append("\"lower_bound\": \(FeatureTable.format(l))") }
            return "{" + parts.joined(separator: ", ") + "}"
        }
        f.append(("discretisation", disc(s.discretisation)))
        f.append(("ivh_discretisation", s.ivhDiscretisation.map(disc) ?? str("calibrated discrete intensities (bin width 1) when the ROI holds whole numbers, else the texture discretisation")))
        f.append(("glcm_distance", "\(s.texture.cooccurrenceDistance)"))
        f.append(("ngtdm_distance", "\(s.texture.ngtdmDistance)"))
        f.append(("ngldm_distance", "\(s.texture.ngldmDistance)"))
        f.append(("ngldm_coarseness", "\(s.texture.ngldmAlpha)"))
        f.append(("szm_dzm_linkage", str("26-connected in 3D, 8-connected in 2D")))
        f.append(("texture_aggregation", str("GLCM/GLRLM: 2D_avg, 2D_comb, 2_5D_avg, 2_5D_comb, 3D_avg, 3D_comb; GLSZM/GLDZM/NGTDM/NGLDM: 2D, 2_5D, 3D")))
        f.append(("local_intensity_sphere_volume_mm3", num(s.localIntensitySphereVolume)))
        f.append(("families", "[" + s.enabledFamilies.map { str($0.rawValue) }.joined(separator: ", ") + "]"))
        return "{\n" + f.map { "\(indent)  \(str($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n\(indent)}"
    }
}
