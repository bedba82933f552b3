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
        // The bounding box of the union of the two masks is the union of their boxes.
        let morphBox = roi.morphologicalMask.boundingBox
        let sameMask = roi.morphologicalMask.voxels.withUnsafeBufferPointer { a in
            roi.intensityMask.voxels.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count }
        }
        let intensityBox = sameMask ? morphBox : roi.intensityMask.boundingBox
        let boxes = [morphBox, intensityBox].compactMap { $0 }
        guard let first = boxes.first else {
            throw RadiomicsError(.input, "the region of interest is empty")
        }
        let box = boxes.dropFirst().reduce(first) {
            BoundingBox(lower: pointwiseMin($0.lower, $1.lower), upper: pointwiseMax($0.upper, $1.upper))
        }
        let image = roi.image.cropped(to: box)
        let intensity = sameMask ? roi.morphologicalMask.cropped(to: box) : roi.intensityMask.cropped(to: box)
        let morph = sameMask ? intensity : roi.morphologicalMask.cropped(to: box)

        var lo = Double.infinity, hi = -Double.infinity
        image.voxels.withUnsafeBufferPointer { v in
            intensity.voxels.withUnsafeBufferPointer { m in
                for i in 0..<v.count where m[i] {
                    let x = Double(v[i])
                    lo = min(lo, x)
                    hi = max(hi, x)
                }
            }
        }
        guard lo <= hi else {
            throw RadiomicsError(.input, "the intensity mask is empty after re-segmentation; nothing to discretise")
        }

        var levelCount = 0
        var binOrigin: Double? = nil
        var binWidth: Double? = nil
        // Levels are written for intensity-mask voxels, 0 elsewhere.
        func levels(_ level: (Double) -> Int) -> [UInt16] {
            image.voxels.withUnsafeBufferPointer { v in
                intensity.voxels.withUnsafeBufferPointer { m in
                    [UInt16](unsafeUninitializedCapacity: v.count) { out, initialized in
                        for i in 0..<v.count { out[i] = m[i] ? UInt16(level(Double(v[i]))) : 0 }
                        initialized = v.count
                    }
                }
            }
        }
        let result: [UInt16]

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
            let bins = Double(ng)
            result = levels { x in
                if x >= hi || range == 0 { return ng }
                // x in [lo, hi): the quotient is >= 0, so truncation is the floor.
                let l = floorOfNonNegative(bins * (x - lo) / range) + 1
                return min(max(l, 1), ng)
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
            // Every ROI intensity is >= x0, so (x - x0) / w >= 0 and truncation is the floor.
            result = levels { x in floorOfNonNegative((x - x0) / w) + 1 }
            levelCount = Int(top)
            binOrigin = x0
            binWidth = w

        case .none:
            let a = lo.rounded(), b = hi.rounded()
            guard a >= 1, b <= Double(maximumLevelCount) else {
                throw RadiomicsError.usage("discretisation 'none' uses the intensities as grey levels, which must be whole numbers from 1 to \(maximumLevelCount); the ROI holds \(formatShort(lo))...\(formatShort(hi))")
            }
            // Every ROI intensity is >= 0.5 here: round half away from zero of a non-negative value.
            result = levels { x in
                let t = floorOfNonNegative(x)
                return x - Double(t) >= 0.5 ? t + 1 : t
            }
            levelCount = Int(b)
            binOrigin = 0.5
            binWidth = 1
        }

        return DiscretisedVolume(grid: image.grid, levels: result, levelCount: levelCount,
                                 morphologicalMask: morph.voxels, binOrigin: binOrigin, binWidth: binWidth)
    }

    /// floor(x) for a finite x >= 0 below 2^63: the truncation, one instruction instead of a
    /// call to libm's floor.
    @inline(__always)
    static func floorOfNonNegative(_ x: Double) -> Int { Int(x) }
}
