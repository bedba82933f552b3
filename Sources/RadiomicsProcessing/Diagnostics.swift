import RadiomicsCore

// IBSI diagnostic features (IBSI 1, "Reference data sets", "Diagnostic features"): how the image
// and the two ROI masks change with each processing step. Tags follow the IBSI reference files,
// e.g. `img_dim_x_interp_img`, `int_mask_bb_dim_y_reseg_roi`, `int_mask_mean_int_init_roi`.

public enum Diagnostics {
    /// The processing step after which the values are taken.
    public enum Stage: String, CaseIterable, Sendable {
        /// After loading.
        case initial = "init"
        /// After interpolation.
        case interpolated = "interp"
        /// After re-segmentation.
        case reSegmented = "reseg"
    }

    /// The diagnostic values of one stage, in the order of the IBSI reference files. The image
    /// dimensions are reported for the initial and interpolated stages only (re-segmentation
    /// does not change the image). Bounding-box dimensions and intensity statistics of an empty
    /// mask are NaN.
    public static func values(stage: Stage, image: Image, intensityMask: Mask, morphologicalMask: Mask) -> [(tag: String, value: Double)] {
        values(stage: stage, grid: image.grid, imageStatistics: stage == .reSegmented ? nil : ImageStatistics(image),
               region: image, intensityMask: intensityMask, morphologicalMask: morphologicalMask)
    }

    /// Mean, minimum and maximum intensity over a whole image (NaN for an empty one).
    public struct ImageStatistics: Sendable, Equatable {
        public var mean: Double
        public var minimum: Double
        public var maximum: Double

        public init(mean: Double, minimum: Double, maximum: Double) {
            self.mean = mean
            self.minimum = minimum
            self.maximum = maximum
        }

        /// The values not computed (IBSI diagnostics reported as NaN).
        public static let unknown = ImageStatistics(mean: .nan, minimum: .nan, maximum: .nan)

        /// One pass over the voxels (two when the sum must be taken in storage order).
        public init(_ image: Image) {
            // The sum is that of the voxels in storage order in Double. The extremes are taken on
            // the floats (the conversion to Double is exact and keeps the order), 8 lanes at a
            // time, skipping NaN as min/max do. Of equal values min keeps the first and max the
            // last, which only shows for zeros (+0.0 or -0.0): a zero extreme is looked up again
            // in storage order.
            //
            // The same pass sums the voxels in 8 lanes. When every voxel is a whole number and
            // count x largest magnitude < 2^53 (CT and most MR exports), every partial sum in any
            // order is a whole number below 2^53, which Double holds exactly: the lanes' total is
            // then the storage-order sum, bit for bit, without its chain of dependent additions
            // (4 cycles a voxel). Otherwise the sum is taken again in storage order.
            var total = 0.0, lowest = Float.infinity, highest = -Float.infinity
            image.voxels.withUnsafeBufferPointer { v in
                var lo = SIMD8<Float>(repeating: .infinity), hi = SIMD8<Float>(repeating: -.infinity)
                var sumLow = SIMD4<Double>(), sumHigh = SIMD4<Double>()
                var fractional = SIMDMask<SIMD8<Int32>>(repeating: false)
                let raw = UnsafeRawPointer(v.baseAddress!)
                var i = 0
                while i + 8 <= v.count {
                    let x = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                    lo.replace(with: x, where: x .< lo)
                    hi.replace(with: x, where: x .>= hi)
                    sumLow += SIMD4<Double>(x.lowHalf)
                    sumHigh += SIMD4<Double>(x.highHalf)
                    // Whole: |x| >= 2^23 (every such float is), or |x| + 2^23 - 2^23, which rounds
                    // |x| to a whole number, gives |x| back. NaN counts as fractional; an
                    // infinity as whole, and fails the magnitude test below.
                    let a = x.replacing(with: -x, where: x .< 0)
                    fractional .|= ((a + 0x1p23) - 0x1p23 .!= a) .& (a .< 0x1p23)
                    i += 8
                }
                var whole = !any(fractional)
                var tail = 0.0
                for k in 0..<8 {
                    lowest = lo[k] < lowest ? lo[k] : lowest
                    highest = hi[k] >= highest ? hi[k] : highest
                }
                while i < v.count {
                    let f = v[i]
                    lowest = f < lowest ? f : lowest
                    highest = f >= highest ? f : highest
                    whole = whole && f.rounded(.towardZero) == f
                    tail += Double(f)
                    i += 1
                }
                let largest = max(abs(Double(lowest)), abs(Double(highest)))
                if whole && largest * Double(v.count) < 0x1p53 {
                    total = (sumLow + sumHigh).sum() + tail
                } else {
                    for f in v { total += Double(f) }
                }
                if lowest == 0, let first = v.first(where: { $0 == 0 }) { lowest = first }
                if highest == 0, let last = v.last(where: { $0 == 0 }) { highest = last }
            }
            let n = image.voxels.count
            self.init(mean: n > 0 ? total / Double(n) : .nan, minimum: n > 0 ? Double(lowest) : .nan,
                      maximum: n > 0 ? Double(highest) : .nan)
        }
    }

    /// The diagnostic values of one stage when the image and masks are held on a block of a
    /// larger grid (`grid`: the whole image grid; every mask voxel lies in the block): image
    /// and mask dimensions come from `grid`, the whole-image intensities from
    /// `imageStatistics` (ignored after re-segmentation), bounding boxes, counts and ROI
    /// intensities from the block. The values equal those of the whole image and masks.
    public static func values(stage: Stage, grid: Grid, imageStatistics: ImageStatistics?, region image: Image,
                              intensityMask: Mask, morphologicalMask: Mask) -> [(tag: String, value: Double)] {
        let s = stage.rawValue
        var out: [(tag: String, value: Double)] = []
        let axes = ["x", "y", "z"]
        if stage != .reSegmented {
            // The image itself: dimensions, voxel spacing and intensities over the whole image.
            for a in 0..<3 { out.append(("img_dim_\(axes[a])_\(s)_img", Double(grid.size[a]))) }
            for a in 0..<3 { out.append(("vox_dim_\(axes[a])_\(s)_img", grid.spacing[a])) }
            let stats = imageStatistics ?? .unknown
            out.append(("mean_int_\(s)_img", stats.mean))
            out.append(("min_int_\(s)_img", stats.minimum))
            out.append(("max_int_\(s)_img", stats.maximum))
        }
        for a in 0..<3 { out.append(("int_mask_dim_\(axes[a])_\(s)_roi", Double(grid.size[a]))) }
        let (intCount, intBox) = summary(intensityMask)
        // The two masks are often one array (before re-segmentation): scan it once.
        let sameMask = intensityMask.voxels.withUnsafeBufferPointer { a in
            morphologicalMask.voxels.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress && a.count == b.count }
        }
        let (morphCount, morphBox) = sameMask ? (intCount, intBox) : summary(morphologicalMask)
        for a in 0..<3 { out.append(("int_mask_bb_dim_\(axes[a])_\(s)_roi", intBox.map { Double($0.size[a]) } ?? .nan)) }
        for a in 0..<3 { out.append(("morph_mask_bb_dim_\(axes[a])_\(s)_roi", morphBox.map { Double($0.size[a]) } ?? .nan)) }
        out.append(("int_mask_vox_count_\(s)_roi", Double(intCount)))
        out.append(("morph_mask_vox_count_\(s)_roi", Double(morphCount)))
        // ROI intensities in storage order, over the rows of the intensity mask's bounding box.
        // The sum in Double in storage order; the extremes on the floats (exact in Double, same
        // order), keeping of equal values the one min (the first) and max (the last) keep.
        var n = 0
        var sum = 0.0, lo = Float.infinity, hi = -Float.infinity
        if let box = intBox {
            let size = intensityMask.grid.size
            image.voxels.withUnsafeBufferPointer { v in
                intensityMask.voxels.withUnsafeBufferPointer { m in
                    for z in box.lower.z...box.upper.z {
                        for y in box.lower.y...box.upper.y {
                            let row = size.x &* (y &+ size.y &* z)
                            for i in (row &+ box.lower.x)...(row &+ box.upper.x) where m[i] {
                                let f = v[i]
                                n &+= 1
                                sum += Double(f)
                                lo = f < lo ? f : lo
                                hi = f >= hi ? f : hi
                            }
                        }
                    }
                }
            }
        }
        out.append(("int_mask_mean_int_\(s)_roi", n > 0 ? sum / Double(n) : .nan))
        out.append(("int_mask_min_int_\(s)_roi", n > 0 ? Double(lo) : .nan))
        out.append(("int_mask_max_int_\(s)_roi", n > 0 ? Double(hi) : .nan))
        return out
    }

    /// Voxel count and bounding box of a mask in one pass over its rows.
    static func summary(_ mask: Mask) -> (count: Int, box: BoundingBox?) {
        mask.countAndBoundingBox()
    }

    /// `values(stage:...)` for a region of interest.
    public static func values(stage: Stage, roi: RegionOfInterest) -> [(tag: String, value: Double)] {
        values(stage: stage, image: roi.image, intensityMask: roi.intensityMask, morphologicalMask: roi.morphologicalMask)
    }
}
