import RadiomicsCore

// Intensity discretisation (IBSI 1, "Intensity discretisation"). Grey levels start at 1; 0 marks
// a voxel outside the intensity mask.

public enum Discretisation {
    /// Largest number of grey levels a `DiscretisedVolume` can hold.
    public static let maximumLevelCount = Int(UInt16.max)

    /// Discretises the intensities of the intensity mask and crops the result to the bounding
    /// box of the morphological mask (together with the intensity mask).
    ///
    /// - Fixed bin number Ng: `floor(Ng (x - min) / (max - min)) + 1`, and Ng for x = max; min
    ///   and max are those of the ROI. `levelCount` = Ng.
    /// - Fixed bin size w: `floor((x - x0) / w) + 1`, with x0 = `settings.lowerBound`, else the
    ///   lower re-segmentation bound, else the ROI minimum. `levelCount` = the highest occupied
    ///   bin; `binOrigin` = x0, `binWidth` = w.
    /// - None: the rounded intensities are the grey levels (they must lie in 1...65535);
    ///   `levelCount` = the highest one; `binOrigin` = 0.5, `binWidth` = 1.
    ///
    /// Throws when the intensity mask is empty, a setting is missing or out of range, or the
    /// discretisation would need more than 65535 grey levels.
    public static func discretise(_ roi: RegionOfInterest, settings: DiscretisationSettings,
                                  reSegmentationRange: ReSegmentationRange?) throws -> DiscretisedVolume {
        let union = Mask(grid: roi.grid, voxels: zip(roi.morphologicalMask.voxels, roi.intensityMask.voxels).map { $0 || $1 })
        guard let box = union.boundingBox else {
            throw RadiomicsError(.input, "the region of interest is empty")
        }
        let image = roi.image.cropped(to: box)
        let intensity = roi.intensityMask.cropped(to: box)
        let morph = roi.morphologicalMask.cropped(to: box)

        var lo = Double.infinity, hi = -Double.infinity
        for (v, m) in zip(image.voxels, intensity.voxels) where m {
            lo = min(lo, Double(v))
            hi = max(hi, Double(v))
        }
        guard lo <= hi else {
            throw RadiomicsError(.input, "the intensity mask is empty after re-segmentation; nothing to discretise")
        }

        var levels = [UInt16](repeating: 0, count: image.voxels.count)
        var levelCount = 0
        var binOrigin: Double? = nil
        var binWidth: Double? = nil

        switch settings.method {
        case .fixedBinNumber:
            guard let ng = settings.binCount else {
                throw RadiomicsError.usage("discretisation 'fixed_bin_number' needs 'bin_number'")
            }
            guard ng >= 1 else { throw RadiomicsError.usage("discretisation 'bin_number' must be at least 1, got \(ng)") }
            guard ng <= maximumLevelCount else {
                throw RadiomicsError.usage("discretisation 'bin_number' \(ng) exceeds the \(maximumLevelCount) grey levels supported")
            }
            let range = hi - lo
            for i in 0..<levels.count where intensity.voxels[i] {
                let x = Double(image.voxels[i])
                if x >= hi || range == 0 {
                    levels[i] = UInt16(ng)
                } else {
                    let l = Int((Double(ng) * (x - lo) / range).rounded(.down)) + 1
                    levels[i] = UInt16(min(max(l, 1), ng))
                }
            }
            levelCount = ng

        case .fixedBinSize:
            guard let w = settings.binWidth else {
                throw RadiomicsError.usage("discretisation 'fixed_bin_size' needs 'bin_width'")
            }
            guard w > 0, w.isFinite else {
                throw RadiomicsError.usage("discretisation 'bin_width' must be positive, got \(formatShort(w))")
            }
            let x0 = settings.lowerBound ?? reSegmentationRange?.lower ?? lo
            guard lo >= x0 else {
                throw RadiomicsError.usage("ROI intensity \(formatShort(lo)) lies below the lower edge \(formatShort(x0)) of the first fixed-size bin")
            }
            let top = ((hi - x0) / w).rounded(.down) + 1
            guard top <= Double(maximumLevelCount) else {
                throw RadiomicsError.usage("fixed bin size \(formatShort(w)) over intensities \(formatShort(x0))...\(formatShort(hi)) gives \(formatShort(top)) grey levels; at most \(maximumLevelCount) are supported (use a wider bin)")
            }
            for i in 0..<levels.count where intensity.voxels[i] {
                let l = Int(((Double(image.voxels[i]) - x0) / w).rounded(.down)) + 1
                levels[i] = UInt16(l)
                levelCount = max(levelCount, l)
            }
            binOrigin = x0
            binWidth = w

        case .none:
            let a = lo.rounded(), b = hi.rounded()
            guard a >= 1, b <= Double(maximumLevelCount) else {
                throw RadiomicsError.usage("discretisation 'none' uses the intensities as grey levels, which must be whole numbers from 1 to \(maximumLevelCount); the ROI holds \(formatShort(lo))...\(formatShort(hi))")
            }
            for i in 0..<levels.count where intensity.voxels[i] {
                let l = Int(Double(image.voxels[i]).rounded())
                levels[i] = UInt16(l)
                levelCount = max(levelCount, l)
            }
            binOrigin = 0.5
            binWidth = 1
        }

        return DiscretisedVolume(grid: image.grid, levels: levels, levelCount: levelCount,
                                 morphologicalMask: morph.voxels, binOrigin: binOrigin, binWidth: binWidth)
    }
}
