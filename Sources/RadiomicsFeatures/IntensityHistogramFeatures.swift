import Foundation
import RadiomicsCore

/// Intensity histogram features (IBSI 1, family ZVCW): 23 features of the discretised grey
/// levels of the voxels in the ROI intensity mask, computed over the whole volume (3D).
///
/// The histogram H = (n_1, ..., n_Ng) runs over every grey level 1...Ng, empty bins included,
/// with Ng the volume's `levelCount`. Its gradient is one-sided at the first and last bin and
/// central elsewhere: H'_1 = n_2 - n_1, H'_i = (n_{i+1} - n_{i-1}) / 2, H'_Ng = n_Ng - n_{Ng-1}.
public enum IntensityHistogramFeatures {
    public static let definitions: [FeatureDefinition] = [
        FeatureDefinition("ih_mean", ibsi: "X6K6", family: .intensityHistogram, name: "Mean discretised intensity"),
        FeatureDefinition("ih_var", ibsi: "CH89", family: .intensityHistogram, name: "Discretised intensity variance"),
        FeatureDefinition("ih_skew", ibsi: "88K1", family: .intensityHistogram, name: "Discretised intensity skewness",
                          degenerate: "0 when the variance is 0 (IBSI)"),
        FeatureDefinition("ih_kurt", ibsi: "C3I7", family: .intensityHistogram, name: "(Excess) discretised intensity kurtosis",
                          degenerate: "0 when the variance is 0 (IBSI)"),
        FeatureDefinition("ih_median", ibsi: "WIFQ", family: .intensityHistogram, name: "Median discretised intensity"),
        FeatureDefinition("ih_min", ibsi: "1PR8", family: .intensityHistogram, name: "Minimum discretised intensity"),
        FeatureDefinition("ih_p10", ibsi: "GPMT", family: .intensityHistogram, name: "10th discretised intensity percentile"),
        FeatureDefinition("ih_p90", ibsi: "OZ0C", family: .intensityHistogram, name: "90th discretised intensity percentile"),
        FeatureDefinition("ih_max", ibsi: "3NCY", family: .intensityHistogram, name: "Maximum discretised intensity"),
        FeatureDefinition("ih_mode", ibsi: "AMMC", family: .intensityHistogram, name: "Intensity histogram mode",
                          degenerate: "ties: the level closest to the mean, the lower one when two are equally close (IBSI)"),
        FeatureDefinition("ih_iqr", ibsi: "WR0O", family: .intensityHistogram, name: "Discretised intensity interquartile range"),
        FeatureDefinition("ih_range", ibsi: "5Z3W", family: .intensityHistogram, name: "Discretised intensity range"),
        FeatureDefinition("ih_mad", ibsi: "D2ZX", family: .intensityHistogram, name: "Intensity histogram mean absolute deviation"),
        FeatureDefinition("ih_rmad", ibsi: "WRZB", family: .intensityHistogram, name: "Intensity histogram robust mean absolute deviation",
                          degenerate: "NaN when no level lies within [P10, P90] (tiny samples)"),
        FeatureDefinition("ih_medad", ibsi: "4RNL", family: .intensityHistogram, name: "Intensity histogram median absolute deviation"),
        FeatureDefinition("ih_cov", ibsi: "CWYJ", family: .intensityHistogram, name: "Intensity histogram coefficient of variation"),
        FeatureDefinition("ih_qcod", ibsi: "SLWD", family: .intensityHistogram, name: "Intensity histogram quartile coefficient of dispersion"),
        FeatureDefinition("ih_entropy", ibsi: "TLU2", family: .intensityHistogram, name: "Discretised intensity entropy"),
        FeatureDefinition("ih_uniformity", ibsi: "BJ5W", family: .intensityHistogram, name: "Discretised intensity uniformity"),
        FeatureDefinition("ih_max_grad", ibsi: "12CE", family: .intensityHistogram, name: "Maximum histogram gradient",
                          degenerate: "NaN when Ng = 1 (the gradient needs two bins)"),
        FeatureDefinition("ih_max_grad_g", ibsi: "8E6O", family: .intensityHistogram, name: "Maximum histogram gradient intensity",
                          degenerate: "ties: the lowest grey level; NaN when Ng = 1"),
        FeatureDefinition("ih_min_grad", ibsi: "VQB3", family: .intensityHistogram, name: "Minimum histogram gradient",
                          degenerate: "NaN when Ng = 1 (the gradient needs two bins)"),
        FeatureDefinition("ih_min_grad_g", ibsi: "RHQZ", family: .intensityHistogram, name: "Minimum histogram gradient intensity",
                          degenerate: "ties: the lowest grey level; NaN when Ng = 1"),
    ]

    /// The 23 features of the grey levels of `volume` (levels != 0). An empty ROI gives NaN for
    /// every feature.
    public static func compute(_ volume: DiscretisedVolume) -> FeatureValues {
        var maxLevel = 0
        for l in volume.levels where Int(l) > maxLevel { maxLevel = Int(l) }
        let ng = max(volume.levelCount, maxLevel)
        return compute(histogram: histogram(of: volume.levels, levelCount: ng))
    }

    /// Counts n_1 ... n_Ng of each grey level (index 0 holds n_1); level 0 is not counted.
    static func histogram(of levels: [UInt16], levelCount: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: max(levelCount, 0) + 1)
        for l in levels { counts[Int(l)] += 1 }
        return Array(counts.dropFirst())
    }

    /// The features of a histogram of grey levels 1...Ng (`counts[i - 1]` = n_i).
    static func compute(histogram counts: [Int]) -> FeatureValues {
        let ng = counts.count
        var sorted: [Double] = []
        sorted.reserveCapacity(counts.reduce(0, +))
        for (i, n) in counts.enumerated() where n > 0 {
            sorted.append(contentsOf: repeatElement(Double(i + 1), count: n))
        }
        let s = SampleSummary(sorted: sorted)
        let nv = Double(s.count)

        var entropy = 0.0, uniformity = 0.0
        var mode = Double.nan, modeCount = 0
        for (i, n) in counts.enumerated() where n > 0 {
            let p = Double(n) / nv
            entropy -= p * log2(p)
            uniformity += p * p
            let level = Double(i + 1)
            if n > modeCount {
                mode = level; modeCount = n
            } else if n == modeCount && abs(level - s.mean) < abs(mode - s.mean) {
                // Equal counts: the level nearest the mean; levels are visited in ascending
                // order, so at equal distance the lower (left) one is kept.
                mode = level
            }
        }

        var maxGrad = Double.nan, maxGradLevel = Double.nan
        var minGrad = Double.nan, minGradLevel = Double.nan
        if ng >= 2 && s.count > 0 {
            for i in 0..<ng {
                let g: Double
                if i == 0 {
                    g = Double(counts[1] - counts[0])
                } else if i == ng - 1 {
                    g = Double(counts[ng - 1] - counts[ng - 2])
                } else {
                    g = Double(counts[i + 1] - counts[i - 1]) / 2
                }
                if maxGrad.isNaN || g > maxGrad { maxGrad = g; maxGradLevel = Double(i + 1) }
                if minGrad.isNaN || g < minGrad { minGrad = g; minGradLevel = Double(i + 1) }
            }
        }

        let empty = s.count == 0
        var out = FeatureValues()
        out.append("ih_mean", s.mean)
        out.append("ih_var", s.variance)
        out.append("ih_skew", s.skewness)
        out.append("ih_kurt", s.kurtosis)
        out.append("ih_median", s.median)
        out.append("ih_min", s.minimum)
        out.append("ih_p10", s.p10)
        out.append("ih_p90", s.p90)
        out.append("ih_max", s.maximum)
        out.append("ih_mode", mode)
        out.append("ih_iqr", s.p75 - s.p25)
        out.append("ih_range", s.maximum - s.minimum)
        out.append("ih_mad", s.meanAbsoluteDeviation)
        out.append("ih_rmad", s.robustMeanAbsoluteDeviation)
        out.append("ih_medad", s.medianAbsoluteDeviation)
        out.append("ih_cov", s.coefficientOfVariation)
        out.append("ih_qcod", s.quartileCoefficientOfDispersion)
        out.append("ih_entropy", empty ? .nan : (entropy == 0 ? 0 : entropy))
        out.append("ih_uniformity", empty ? .nan : uniformity)
        out.append("ih_max_grad", maxGrad)
        out.append("ih_max_grad_g", maxGradLevel)
        out.append("ih_min_grad", minGrad)
        out.append("ih_min_grad_g", minGradLevel)
        return out
    }
}
