import RadiomicsCore

/// Intensity-based statistical features (IBSI 1, family UHIW): 18 features of the intensities
/// of the voxels in the ROI intensity mask, computed over the whole volume (3D). No
/// discretisation; sums are accumulated in Double.
public enum StatisticsFeatures {
    public static let definitions: [FeatureDefinition] = [
        FeatureDefinition("stat_mean", ibsi: "Q4LE", family: .statistics, name: "Mean intensity"),
        FeatureDefinition("stat_var", ibsi: "ECT3", family: .statistics, name: "Intensity variance"),
        FeatureDefinition("stat_skew", ibsi: "KE2A", family: .statistics, name: "Intensity skewness",
                          degenerate: "0 when the variance is 0 (IBSI)"),
        FeatureDefinition("stat_kurt", ibsi: "IPH6", family: .statistics, name: "(Excess) intensity kurtosis",
                          degenerate: "0 when the variance is 0 (IBSI)"),
        FeatureDefinition("stat_median", ibsi: "Y12H", family: .statistics, name: "Median intensity"),
        FeatureDefinition("stat_min", ibsi: "1GSF", family: .statistics, name: "Minimum intensity"),
        FeatureDefinition("stat_p10", ibsi: "QG58", family: .statistics, name: "10th intensity percentile"),
        FeatureDefinition("stat_p90", ibsi: "8DWT", family: .statistics, name: "90th intensity percentile"),
        FeatureDefinition("stat_max", ibsi: "84IY", family: .statistics, name: "Maximum intensity"),
        FeatureDefinition("stat_iqr", ibsi: "SALO", family: .statistics, name: "Intensity interquartile range"),
        FeatureDefinition("stat_range", ibsi: "2OJQ", family: .statistics, name: "Intensity range"),
        FeatureDefinition("stat_mad", ibsi: "4FUA", family: .statistics, name: "Intensity-based mean absolute deviation"),
        FeatureDefinition("stat_rmad", ibsi: "1128", family: .statistics, name: "Intensity-based robust mean absolute deviation",
                          degenerate: "NaN when no intensity lies within [P10, P90] (tiny samples)"),
        FeatureDefinition("stat_medad", ibsi: "N72L", family: .statistics, name: "Intensity-based median absolute deviation"),
        FeatureDefinition("stat_cov", ibsi: "7TET", family: .statistics, name: "Intensity-based coefficient of variation",
                          degenerate: "NaN when the mean intensity is 0"),
        FeatureDefinition("stat_qcod", ibsi: "9S40", family: .statistics, name: "Intensity-based quartile coefficient of dispersion",
                          degenerate: "NaN when P75 + P25 = 0"),
        FeatureDefinition("stat_energy", ibsi: "N8CA", family: .statistics, name: "Intensity-based energy"),
        FeatureDefinition("stat_rms", ibsi: "5ZWQ", family: .statistics, name: "Root mean square intensity"),
    ]

    /// The 18 features of `intensities` (the intensity mask's voxel values, in any order). An
    /// empty ROI gives NaN for every feature.
    public static func compute(intensities: [Float]) -> FeatureValues {
        let sorted = SampleSummary.sortedDoubles(intensities)
        let s = SampleSummary(sorted: sorted)
        let n = Double(s.count)
        var out = FeatureValues()
        out.append("stat_mean", s.mean)
        out.append("stat_var", s.variance)
        out.append("stat_skew", s.skewness)
        out.append("stat_kurt", s.kurtosis)
        out.append("stat_median", s.median)
        out.append("stat_min", s.minimum)
        out.append("stat_p10", s.p10)
        out.append("stat_p90", s.p90)
        out.append("stat_max", s.maximum)
        out.append("stat_iqr", s.p75 - s.p25)
        out.append("stat_range", s.maximum - s.minimum)
        out.append("stat_mad", s.meanAbsoluteDeviation)
        out.append("stat_rmad", s.robustMeanAbsoluteDeviation)
        out.append("stat_medad", s.medianAbsoluteDeviation)
        out.append("stat_cov", s.coefficientOfVariation)
        out.append("stat_qcod", s.quartileCoefficientOfDispersion)
        out.append("stat_energy", s.energy)
        out.append("stat_rms", s.count == 0 ? .nan : (s.energy / n).squareRoot())
        return out
    }
}
