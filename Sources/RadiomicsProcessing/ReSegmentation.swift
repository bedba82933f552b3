import RadiomicsCore

// Re-segmentation (IBSI 1, "Re-segmentation"): voxels are removed from the intensity mask, never
// from the morphological mask.

public enum ReSegmentation {
    /// The intensity mask after range re-segmentation and then outlier filtering.
    ///
    /// Range: voxels with intensities outside [lower, upper] (closed; an open bound does not
    /// restrict) are removed. Outliers: the mean and the (population) standard deviation of the
    /// intensities still in the mask are computed and voxels outside mean +/- sigma * SD are
    /// removed. When both are set the ROI is thus restricted to the intersection of both ranges,
    /// with the outlier statistics taken over the range-re-segmented ROI; this is the order that
    /// reproduces the IBSI configuration E diagnostics (the maximum ROI intensity after
    /// re-segmentation lies well below the range's upper bound of 400 HU).
    public static func apply(_ image: Image, mask: Mask, settings: ReSegmentationSettings) -> Mask {
        precondition(image.grid.size == mask.grid.size, "image and mask grids differ")
        var keep = mask.voxels
        let x = image.voxels
        if let range = settings.range {
            let lo = range.lower ?? -.infinity
            let hi = range.upper ?? .infinity
            for i in 0..<keep.count where keep[i] {
                let v = Double(x[i])
                if !(v >= lo && v <= hi) { keep[i] = false }
            }
        }
        if let sigma = settings.outlierSigma {
            var n = 0
            var sum = 0.0
            for i in 0..<keep.count where keep[i] {
                n += 1
                sum += Double(x[i])
            }
            if n > 0 {
                let mean = sum / Double(n)
                var ss = 0.0
                for i in 0..<keep.count where keep[i] {
                    let d = Double(x[i]) - mean
                    ss += d * d
                }
                let sd = (ss / Double(n)).squareRoot()
                let lo = mean - sigma * sd, hi = mean + sigma * sd
                for i in 0..<keep.count where keep[i] {
                    let v = Double(x[i])
                    if v < lo || v > hi { keep[i] = false }
                }
            }
        }
        return Mask(grid: mask.grid, voxels: keep)
    }
}
