import RadiomicsCore

// The IBSI image processing sequence up to the ROI (interpolation, then re-segmentation), with
// the diagnostic features of every step.

/// A region of interest ready for feature computation, with the diagnostics of how it was made.
public struct ProcessedRegion: Sendable {
    public var roi: RegionOfInterest
    /// Diagnostic features after loading, interpolation and re-segmentation (IBSI tags).
    public var diagnostics: [(tag: String, value: Double)]
}

public enum ImageProcessing {
    /// Interpolates the image and mask when `settings.interpolation` is set, then re-segments
    /// the intensity mask. The morphological mask is the (interpolated) mask as delineated.
    public static func process(image: Image, mask: Mask, settings: Settings) throws -> ProcessedRegion {
        guard image.grid.size == mask.grid.size else {
            throw RadiomicsError(.input, "the mask (\(mask.grid.size.x)x\(mask.grid.size.y)x\(mask.grid.size.z)) and the image (\(image.grid.size.x)x\(image.grid.size.y)x\(image.grid.size.z)) have different dimensions")
        }
        var diagnostics = Diagnostics.values(stage: .initial, image: image, intensityMask: mask, morphologicalMask: mask)
        var img = image
        var morph = mask
        if let interpolation = settings.interpolation {
            (img, morph) = Interpolation.apply(image: image, mask: mask, settings: interpolation)
        }
        diagnostics += Diagnostics.values(stage: .interpolated, image: img, intensityMask: morph, morphologicalMask: morph)
        let intensity = ReSegmentation.apply(img, mask: morph, settings: settings.reSegmentation)
        diagnostics += Diagnostics.values(stage: .reSegmented, image: img, intensityMask: intensity, morphologicalMask: morph)
        return ProcessedRegion(roi: RegionOfInterest(image: img, morphologicalMask: morph, intensityMask: intensity),
                               diagnostics: diagnostics)
    }
}
