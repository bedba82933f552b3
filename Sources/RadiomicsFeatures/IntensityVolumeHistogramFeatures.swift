import RadiomicsCore

/// Intensity-volume histogram features (IBSI 1, family P88C), computed over the whole volume (3D).
///
/// The volume holds the IVH's own discretisation (finer than the texture one). A grey level k
/// stands for the intensity X_d,gl of its bin centre:
/// - bins of fixed size (`binOrigin` and `binWidth` set): X_d,gl = binOrigin + (k - 0.5) binWidth,
///   and the discretisation interval w_d is `binWidth`. For calibrated integer data (CT, w_d = 1)
///   a volume built with `binOrigin` = lower bound - 0.5 and `binWidth` = 1 maps each level back
///   to the original whole-number intensity, which is what IBSI prescribes for such data.
/// - otherwise (fixed bin number, arbitrary units): X_d,gl = k, with w_d = 1.
///
/// The total range G sets the intensity fractions gamma_i = (i - min G) / (max G - min G). It is
/// `range` when given, in the units of X_d,gl; the caller passes the re-segmentation range (CT),
/// or [lower + w/2, upper - w/2] for continuous data binned from the re-segmentation bounds, as
/// the manual recommends. A half-open re-segmentation range is closed with the ROI's maximum
/// (or minimum) intensity before it is passed, as IBSI prescribes. Without `range`, G spans the
/// lowest to the highest X_d,gl present in the ROI (for fixed bin number that is [1, Ng]).
///
/// The IVH is evaluated at every discretised intensity i (bin centre) within G, present in the
/// ROI or not, with fractional volume nu_i = fraction of ROI voxels with X_d,gl >= i.
/// - V_x: nu at the lowest i with gamma_i >= x (the largest such nu, as nu never grows with i).
/// - I_x: the lowest i with nu_i <= x.
/// - AUC: trapezoidal sum of nu over gamma; 0 when the ROI holds one discretised intensity only.
public enum IntensityVolumeHistogramFeatures {
    public static let definitions: [FeatureDefinition] = [
        FeatureDefinition("ivh_v10", ibsi: "BC2M", family: .intensityVolumeHistogram, name: "Volume at intensity fraction 10%",
                          degenerate: "NaN when the total range G has zero width"),
        FeatureDefinition("ivh_v90", ibsi: "BC2M", family: .intensityVolumeHistogram, name: "Volume at intensity fraction 90%",
                          degenerate: "NaN when the total range G has zero width"),
        FeatureDefinition("ivh_i10", ibsi: "GBPN", family: .intensityVolumeHistogram, name: "Intensity at volume fraction 10%",
                          degenerate: "NaN when no intensity within G is reached by at most 10% of the volume"),
        FeatureDefinition("ivh_i90", ibsi: "GBPN", family: .intensityVolumeHistogram, name: "Intensity at volume fraction 90%",
                          degenerate: "NaN when no intensity within G is reached by at most 90% of the volume"),
        FeatureDefinition("ivh_diff_v10_v90", ibsi: "DDTU", family: .intensityVolumeHistogram,
                          name: "Volume fraction difference between intensity fractions 10% and 90%",
                          degenerate: "NaN when V10 or V90 is"),
        FeatureDefinition("ivh_diff_i10_i90", ibsi: "CNV2", family: .intensityVolumeHistogram,
                          name: "Intensity fraction difference between volume fractions 10% and 90%",
                          degenerate: "NaN when I10 or I90 is"),
        FeatureDefinition("ivh_auc", ibsi: "9CMM", family: .intensityVolumeHistogram, name: "Area under the IVH curve",
                          degenerate: "0 when the ROI holds a single discretised intensity (IBSI)"),
    ]

    /// Tolerance on intensity fractions and bin positions, absorbing rounding of bin centres.
    private static let epsilon = 1e-9
    /// Bound on the number of discretised intensities evaluated within G; a wider G (a range far
    /// too wide for the bin width) gives NaN rather than an endless loop.
    public static let maximumEvaluatedLevels = 10_000_000

    /// The 7 features of the grey levels of `volume` (levels != 0); `range` is the total range G
    /// (see the type's notes). An empty ROI gives NaN for every feature.
    public static func compute(_ volume: DiscretisedVolume, range: ClosedRange<Double>? = nil) -> FeatureValues {
        let origin = volume.binOrigin ?? 0.5
        let width = volume.binWidth ?? 1
        func intensity(_ k: Int) -> Double { origin + (Double(k) - 0.5) * width }

        // at[k] = number of voxels at level >= k, for k in 0...maxLevel + 1.
        var maxLevel = 0, minLevel = Int.max, total = 0
        for l in volume.levels where l != 0 {
            total += 1
            maxLevel = max(maxLevel, Int(l))
            minLevel = min(minLevel, Int(l))
        }
        var counts = [Int](repeating: 0, count: maxLevel + 1)
        for l in volume.levels { counts[Int(l)] += 1 }
        var out = FeatureValues()
        guard total > 0, width > 0, width.isFinite, origin.isFinite else {
            for d in definitions { out.append(d.tag, .nan) }
            return out
        }
        var atLeast = [Int](repeating: 0, count: maxLevel + 2)
        for k in stride(from: maxLevel, through: 1, by: -1) { atLeast[k] = atLeast[k + 1] + counts[k] }
        /// Voxels with X_d,gl >= intensity(k).
        func voxelsAtOrAbove(_ k: Int) -> Int { k <= 0 ? total : (k > maxLevel ? 0 : atLeast[k]) }

        let g = range ?? intensity(minLevel)...intensity(maxLevel)
        let span = g.upperBound - g.lowerBound
        // Levels whose bin centres lie within G (at most `maximumEvaluatedLevels` of them).
        let kLoD = ((g.lowerBound - origin) / width + 0.5 - epsilon).rounded(.up)
        let kHiD = ((g.upperBound - origin) / width + 0.5 + epsilon).rounded(.down)
        guard kLoD.isFinite, kHiD.isFinite, abs(kLoD) < 1e12, abs(kHiD) < 1e12, kLoD <= kHiD,
              kHiD - kLoD < Double(maximumEvaluatedLevels) else {
            for d in definitions { out.append(d.tag, .nan) }
            return out
        }
        let levels = Int(kLoD)...Int(kHiD)
        func gamma(_ k: Int) -> Double { (intensity(k) - g.lowerBound) / span }
        func nu(_ k: Int) -> Double { Double(voxelsAtOrAbove(k)) / Double(total) }

        func volumeAt(fraction x: Double) -> Double {
            guard span > 0 else { return .nan }
            for k in levels where gamma(k) >= x - epsilon { return nu(k) }
            return .nan
        }
        func intensityAt(percent x: Int) -> Double {
            // nu_k <= x / 100, compared in whole numbers.
            for k in levels where voxelsAtOrAbove(k) * 100 <= x * total { return intensity(k) }
            return .nan
        }

        let v10 = volumeAt(fraction: 0.1), v90 = volumeAt(fraction: 0.9)
        let i10 = intensityAt(percent: 10), i90 = intensityAt(percent: 90)

        var auc = 0.0
        if minLevel != maxLevel {
            if span > 0 {
                var previous: (gamma: Double, nu: Double)? = nil
                for k in levels {
                    let current = (gamma: gamma(k), nu: nu(k))
                    if let p = previous { auc += (current.gamma - p.gamma) * (current.nu + p.nu) / 2 }
                    previous = current
                }
            } else {
                auc = .nan
            }
        }

        out.append("ivh_v10", v10)
        out.append("ivh_v90", v90)
        out.append("ivh_i10", i10)
        out.append("ivh_i90", i90)
        out.append("ivh_diff_v10_v90", v10 - v90)
        out.append("ivh_diff_i10_i90", i10 - i90)
        out.append("ivh_auc", auc)
        return out
    }
}
