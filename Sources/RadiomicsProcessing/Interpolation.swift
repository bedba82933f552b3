import RadiomicsCore

// Image and mask interpolation (IBSI 1, "Interpolation").
//
// The interpolation grid is aligned on the centre of the original grid ("align grid centers"),
// with n_b = ceil(n_a s_a / s_b) points per axis, so it may reach beyond the original extent;
// there, intensities are taken from the nearest boundary voxel (the image is padded with its
// boundary values).
//
// All three kernels are tensor products of 1D kernels, so when the new grid's axes are parallel
// to the original ones (always the case for `targetGrid`) resampling runs as three 1D passes,
// one per axis, each driven by a precomputed table of source indices and weights. Tricubic
// spline interpolation is the interpolating cubic B-spline: the image is first turned into
// B-spline coefficients by the exact recursive prefilter (pole sqrt(3) - 2) along each axis and
// the coefficients are then evaluated with the cubic B-spline weights. This spline passes
// through every original voxel value and reproduces polynomials up to degree 3 away from the
// image border.

public enum Interpolation {
    /// The IBSI interpolation grid: the new spacing, n_b = ceil(n_a s_a / s_b) voxels per axis,
    /// centred on the original grid (same direction cosines). With `inPlaneOnly` the z axis keeps
    /// its size, spacing and position.
    public static func targetGrid(for grid: Grid, settings: InterpolationSettings) -> Grid {
        var out = grid
        let axes = settings.inPlaneOnly ? 2 : 3
        precondition(settings.spacing.count >= axes && settings.spacing.prefix(axes).allSatisfy { $0 > 0 },
                     "interpolation spacing needs \(axes) positive values")
        for a in 0..<axes {
            let sa = grid.spacing[a]
            let sb = settings.spacing[a]
            let na = grid.size[a]
            let extent = Double(na) * sa
            // The ratio is rounded to 1e-9 first so that an extent that is an exact multiple of
            // the new spacing in decimal (e.g. 3 x 0.1 / 0.3) does not gain a voxel to binary noise.
            let ratio = (extent / sb * 1e9).rounded() / 1e9
            let nb = max(1, Int(ratio.rounded(.up)))
            out.size[a] = nb
            out.spacing[a] = sb
        }
        // Centre of the new grid = centre of the old grid, in voxel units of the old grid.
        let shift = SIMD3<Double>(
            (grid.spacing.x * Double(grid.size.x - 1) - out.spacing.x * Double(out.size.x - 1)) / 2 / grid.spacing.x,
            (grid.spacing.y * Double(grid.size.y - 1) - out.spacing.y * Double(out.size.y - 1)) / 2 / grid.spacing.y,
            (grid.spacing.z * Double(grid.size.z - 1) - out.spacing.z * Double(out.size.z - 1)) / 2 / grid.spacing.z)
        out.origin = grid.world(shift)
        return out
    }

    /// Resamples an image on `grid` with the given kernel. Positions beyond the original grid
    /// take the value of the nearest boundary voxel.
    public static func resample(_ image: Image, to grid: Grid, method: InterpolationMethod) -> Image {
        let values = resampleValues(image.voxels.map(Double.init), from: image.grid, to: grid, method: method)
        return Image(grid: grid, voxels: values.map { Float($0) })
    }

    /// Resamples a mask: the 0/1 mask is interpolated as a real-valued image and voxels whose
    /// value is at least `threshold` (the IBSI partial-volume threshold, usually 0.5) are kept.
    public static func resampleMask(_ mask: Mask, to grid: Grid, method: InterpolationMethod, threshold: Double) -> Mask {
        let values = resampleValues(mask.voxels.map { $0 ? 1.0 : 0.0 }, from: mask.grid, to: grid, method: method)
        // A value that should be exactly the threshold may land a few ulps below it after the
        // weighted sums (the 0.4999... case the IBSI manual warns about); allow for that.
        let cut = threshold - 1e-9
        return Mask(grid: grid, voxels: values.map { $0 >= cut })
    }

    /// Interpolates an image and its mask to the grid `settings` ask for, rounding the
    /// intensities when `settings.roundIntensities`.
    public static func apply(image: Image, mask: Mask, settings: InterpolationSettings) -> (image: Image, mask: Mask) {
        let target = targetGrid(for: image.grid, settings: settings)
        let outMask = resampleMask(mask, to: target, method: settings.maskMethod, threshold: settings.maskThreshold)
        return (interpolatedImage(image, settings: settings), outMask)
    }

    /// The image part of `apply`: the whole image on the interpolation grid.
    public static func interpolatedImage(_ image: Image, settings: InterpolationSettings) -> Image {
        let target = targetGrid(for: image.grid, settings: settings)
        var out = resample(image, to: target, method: settings.imageMethod)
        if settings.roundIntensities {
            out.voxels = out.voxels.map { roundedHalfAwayFromZero($0) }
        }
        return out
    }

    /// The result of `applyToRegion`: the image and mask resampled on a block of the
    /// interpolation grid, the whole interpolation grid and the block's place in it.
    public struct RegionResult: Sendable {
        /// Image on the block (its grid is the interpolation grid cropped to `box`).
        public var image: Image
        /// Interpolated mask on the same block; every voxel of the whole interpolation grid
        /// outside the block is outside the mask.
        public var mask: Mask
        /// The whole interpolation grid (IBSI grid alignment).
        public var grid: Grid
        /// The block, in voxel indices of `grid`.
        public var box: BoundingBox
    }

    /// Like `apply`, but resamples only the block of the interpolation grid that can hold mask
    /// voxels, grown by `margin` voxels of the new grid on every side (clipped to the grid), so
    /// that neighbourhood features (the local intensity peak) see every image voxel they would
    /// see on the whole interpolated image. The grid is the one `targetGrid` gives, and every
    /// value in the block is exactly the value `apply` computes there: the same 1D tables and
    /// the same sums, restricted to the block's rows. A mask voxel can only lie in the block:
    /// nearest and linear weights reach one source voxel around the mask's bounding box; for a
    /// cubic mask the block spans the whole grid (the spline of the mask has no finite support).
    public static func applyToRegion(image: Image, mask: Mask, settings: InterpolationSettings,
                                     margin: SIMD3<Int>) -> RegionResult {
        applyToRegion(image: image, maskRegion: maskRegion(mask, settings: settings, margin: margin), settings: settings)
    }

    /// The mask part of `applyToRegion`: the block and the interpolated mask on it. It reads the
    /// mask alone, so it can run before the image is loaded; `applyToRegion(image:maskRegion:settings:)`
    /// then adds the image on the same block.
    public struct MaskRegion: Sendable {
        /// The grid of the mask it was computed from (the image's grid).
        public var source: Grid
        /// Interpolated mask on the block.
        public var mask: Mask
        /// The whole interpolation grid and the block's place in it.
        public var grid: Grid
        public var box: BoundingBox
        /// False when the whole grid had to be interpolated (axes not parallel, or an empty mask).
        var blockwise: Bool
    }

    public static func maskRegion(_ mask: Mask, settings: InterpolationSettings, margin: SIMD3<Int>) -> MaskRegion {
        let target = targetGrid(for: mask.grid, settings: settings)
        let whole = BoundingBox(lower: .zero, upper: target.size &- 1)
        guard axesParallel(mask.grid, target), let maskBox = mask.boundingBox else {
            let m = resampleMask(mask, to: target, method: settings.maskMethod, threshold: settings.maskThreshold)
            return MaskRegion(source: mask.grid, mask: m, grid: target, box: whole, blockwise: false)
        }
        var box = whole
        if settings.maskMethod != .cubic {
            for axis in 0..<3 {
                let n = mask.grid.size[axis]
                let (start, step) = identityMapping(mask.grid, target, axis: axis)
                // Target voxels whose (clamped) source position lies within one voxel of the
                // mask's bounding box; the rest have zero weight on every mask voxel.
                let lo = Double(maskBox.lower[axis] - 1), hi = Double(maskBox.upper[axis] + 1)
                var first = -1, last = -1
                for i in 0..<target.size[axis] {
                    let u = min(max(start + Double(i) * step, 0), Double(n - 1))
                    if u >= lo && u <= hi {
                        if first < 0 { first = i }
                        last = i
                    }
                }
                if first < 0 { first = 0; last = 0 }
                box.lower[axis] = max(first - margin[axis], 0)
                box.upper[axis] = min(last + margin[axis], target.size[axis] - 1)
            }
        }
        let maskValues = resampleBlock(mask.voxels, from: mask.grid, to: target, box: box, method: settings.maskMethod)
        var blockGrid = target
        blockGrid.size = box.size
        blockGrid.origin = target.world(SIMD3(Double(box.lower.x), Double(box.lower.y), Double(box.lower.z)))
        let cut = settings.maskThreshold - 1e-9
        let inMask = maskValues.withUnsafeBufferPointer { v in
            [Bool](unsafeUninitializedCapacity: v.count) { out, initialized in
                for i in 0..<v.count { out[i] = v[i] >= cut }
                initialized = v.count
            }
        }
        return MaskRegion(source: mask.grid, mask: Mask(grid: blockGrid, voxels: inMask), grid: target, box: box, blockwise: true)
    }

    /// `applyToRegion` with the mask part done: the image resampled on the region's block.
    public static func applyToRegion(image: Image, maskRegion region: MaskRegion, settings: InterpolationSettings) -> RegionResult {
        precondition(image.grid == region.source, "the mask region was computed on another grid")
        guard region.blockwise else {
            return RegionResult(image: interpolatedImage(image, settings: settings), mask: region.mask, grid: region.grid, box: region.box)
        }
        let imageValues = resampleBlock(image.voxels, from: image.grid, to: region.grid, box: region.box, method: settings.imageMethod)
        let round = settings.roundIntensities
        let voxels = imageValues.withUnsafeBufferPointer { v in
            [Float](unsafeUninitializedCapacity: v.count) { out, initialized in
                HugePages.advise(out)
                var i = 0
                if round {
                    let raw = UnsafeRawPointer(v.baseAddress!)
                    while i + 8 <= v.count {
                        let x = SIMD8<Float>(raw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self))
                        let r = roundedHalfAwayFromZero(x)
                        for k in 0..<8 { out[i + k] = r[k] }
                        i += 8
                    }
                    while i < v.count { out[i] = roundedHalfAwayFromZero(Float(v[i])); i += 1 }
                } else {
                    for i in 0..<v.count { out[i] = Float(v[i]) }
                }
                initialized = v.count
            }
        }
        return RegionResult(image: Image(grid: region.mask.grid, voxels: voxels), mask: region.mask, grid: region.grid, box: region.box)
    }

    /// `x.rounded()` (to the nearest whole number, halves away from zero) without a call to
    /// libm's roundf: below 2^23 the truncation of |x| and its exact remainder decide; from
    /// 2^23 on every float is whole (infinities and NaN come back unchanged too). The sign is
    /// kept, so -0.3 gives -0.0 as roundf does.
    @inline(__always)
    static func roundedHalfAwayFromZero(_ x: Float) -> Float {
        let a = abs(x)
        guard a < 8_388_608 else { return x }
        let t = Float(Int32(a))
        return Float(signOf: x, magnitudeOf: a - t >= 0.5 ? t + 1 : t)
    }

    /// The same on 8 floats at once, without branches.
    @inline(__always)
    static func roundedHalfAwayFromZero(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
        let a = unsafeBitCast(bits & 0x7FFF_FFFF, to: SIMD8<Float>.self)
        let small = a .< 8_388_608
        // Lanes at or above 2^23 (and NaN) work on 0 instead, and keep x below. Below 2^23,
        // adding and taking away 2^23 rounds to the nearest whole number (ties to even), exactly;
        // one less when that went up is the truncation.
        let b = a.replacing(with: 0, where: .!small)
        let magic = SIMD8<Float>(repeating: 8_388_608)
        var t = (b + magic) - magic
        t = t.replacing(with: t - 1, where: t .> b)
        let r = t.replacing(with: t + 1, where: b - t .>= 0.5)
        let signed = unsafeBitCast((unsafeBitCast(r, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF) | (bits & 0x8000_0000),
                                   to: SIMD8<Float>.self)
        return x.replacing(with: signed, where: small)
    }

    /// Start and step of `axisMapping`, or (0, 1) on an axis that needs no pass.
    static func identityMapping(_ source: Grid, _ target: Grid, axis: Int) -> (start: Double, step: Double) {
        isIdentity(source, target, axis: axis) ? (0, 1) : axisMapping(source, target, axis: axis)
    }

    // MARK: - Resampling core

    /// Values of `values` (on `source`) at the voxel centres of `target`.
    static func resampleValues(_ values: [Double], from source: Grid, to target: Grid, method: InterpolationMethod) -> [Double] {
        precondition(values.count == source.voxelCount)
        if axesParallel(source, target) {
            return separable(values, from: source, to: target, method: method)
        }
        return general(values, from: source, to: target, method: method)
    }

    static func axesParallel(_ a: Grid, _ b: Grid) -> Bool {
        func close(_ u: SIMD3<Double>, _ v: SIMD3<Double>) -> Bool {
            let d = u - v
            return abs(d.x) < 1e-9 && abs(d.y) < 1e-9 && abs(d.z) < 1e-9
        }
        return close(a.direction.0, b.direction.0) && close(a.direction.1, b.direction.1) && close(a.direction.2, b.direction.2)
    }

    /// A 1D resampling table: for every output index, `taps` source indices and weights.
    struct AxisTable {
        var taps: Int
        var index: [Int]
        var weight: [Double]
        var outputCount: Int
    }

    /// Number of boundary-value voxels added on each side before the B-spline prefilter. The
    /// prefilter's influence decays as 0.268^k, below 1e-7 after 12 voxels, so the spline inside
    /// the image is that of an image padded with its boundary values to infinity.
    static let splinePadding = 12

    /// Continuous source coordinate (in source voxels along `axis`) of target index 0, and the
    /// step per target index. Valid when the axes are parallel.
    static func axisMapping(_ source: Grid, _ target: Grid, axis: Int) -> (start: Double, step: Double) {
        let p = source.voxel(target.origin)
        return (p[axis], target.spacing[axis] / source.spacing[axis])
    }

    /// True when the target samples along `axis` fall exactly on the source voxels, index for
    /// index, so the axis needs no pass.
    static func isIdentity(_ source: Grid, _ target: Grid, axis: Int) -> Bool {
        let (start, step) = axisMapping(source, target, axis: axis)
        return source.size[axis] == target.size[axis] && abs(start) < 1e-9 && abs(step - 1) < 1e-9
    }

    static func table(sourceCount n: Int, outputCount m: Int, start: Double, step: Double,
                      method: InterpolationMethod) -> AxisTable {
        switch method {
        case .nearest:
            var index = [Int](repeating: 0, count: m)
            for i in 0..<m {
                let u = start + Double(i) * step
                // Half-way points go to the higher index (round half up), then clamp to the edge.
                index[i] = min(max(Int((u + 0.5).rounded(.down)), 0), n - 1)
            }
            return AxisTable(taps: 1, index: index, weight: [Double](repeating: 1, count: m), outputCount: m)
        case .linear:
            var index = [Int](repeating: 0, count: 2 * m)
            var weight = [Double](repeating: 0, count: 2 * m)
            for i in 0..<m {
                let u = min(max(start + Double(i) * step, 0), Double(n - 1))
                let i0 = min(Int(u.rounded(.down)), max(n - 2, 0))
                let f = u - Double(i0)
                index[2 * i] = i0
                index[2 * i + 1] = min(i0 + 1, n - 1)
                weight[2 * i] = 1 - f
                weight[2 * i + 1] = f
            }
            return AxisTable(taps: 2, index: index, weight: weight, outputCount: m)
        case .cubic:
            // Indices refer to the padded coefficient line: source index k is at k + padding.
            let pad = splinePadding
            let count = n + 2 * pad
            var index = [Int](repeating: 0, count: 4 * m)
            var weight = [Double](repeating: 0, count: 4 * m)
            for i in 0..<m {
                let u = min(max(start + Double(i) * step, Double(-pad + 1)), Double(n - 2 + pad)) + Double(pad)
                let i0 = Int(u.rounded(.down))
                let w = cubicBSplineWeights(u - Double(i0))
                for k in 0..<4 {
                    index[4 * i + k] = min(max(i0 - 1 + k, 0), count - 1)
                    weight[4 * i + k] = w[k]
                }
            }
            return AxisTable(taps: 4, index: index, weight: weight, outputCount: m)
        }
    }

    /// Cubic B-spline weights of the samples at offsets -1, 0, 1, 2 for a point at fraction `t`
    /// in [0, 1) past sample 0.
    @inline(__always)
    static func cubicBSplineWeights(_ t: Double) -> SIMD4<Double> {
        let s = 1 - t
        let t2 = t * t, t3 = t2 * t
        return SIMD4(s * s * s / 6,
                     (4 - 6 * t2 + 3 * t3) / 6,
                     (1 + 3 * t + 3 * t2 - 3 * t3) / 6,
                     t3 / 6)
    }

    /// Three 1D passes (x, then y, then z).
    static func separable(_ values: [Double], from source: Grid, to target: Grid, method: InterpolationMethod) -> [Double] {
        var data = values
        var dims = source.size
        for axis in 0..<3 {
            if isIdentity(source, target, axis: axis) { continue }
            let n = source.size[axis]
            if method == .cubic {
                (data, dims) = padAndPrefilter(data, dims: dims, axis: axis)
            }
            let (start, step) = axisMapping(source, target, axis: axis)
            let t = table(sourceCount: n, outputCount: target.size[axis], start: start, step: step, method: method)
            (data, dims) = pass(data, dims: dims, axis: axis, table: t)
        }
        return data
    }

    /// `separable` restricted to the target voxels in `box` (axes parallel). Each axis keeps
    /// the rows of its full table that fall in the box; with nearest and linear kernels the
    /// source is first cropped to the voxels those rows read, with the cubic kernel it keeps
    /// whole lines (the B-spline prefilter runs along whole lines).
    static func resampleBlock<T: InterpolationSample>(_ source: [T], from sourceGrid: Grid, to target: Grid, box: BoundingBox,
                                 method: InterpolationMethod) -> [Double] {
        precondition(source.count == sourceGrid.voxelCount)
        var tables: [AxisTable?] = [nil, nil, nil]
        var cropLower = SIMD3<Int>.zero, cropUpper = sourceGrid.size &- 1
        for axis in 0..<3 {
            if isIdentity(sourceGrid, target, axis: axis) {
                cropLower[axis] = box.lower[axis]
                cropUpper[axis] = box.upper[axis]
                continue
            }
            let (start, step) = axisMapping(sourceGrid, target, axis: axis)
            let full = table(sourceCount: sourceGrid.size[axis], outputCount: target.size[axis],
                             start: start, step: step, method: method)
            let rows = box.lower[axis]...box.upper[axis]
            var index = Array(full.index[(rows.lowerBound * full.taps)..<((rows.upperBound + 1) * full.taps)])
            let weight = Array(full.weight[(rows.lowerBound * full.taps)..<((rows.upperBound + 1) * full.taps)])
            if method != .cubic {
                let lo = index.min()!, hi = index.max()!
                cropLower[axis] = lo
                cropUpper[axis] = hi
                for k in index.indices { index[k] -= lo }
            }
            tables[axis] = AxisTable(taps: full.taps, index: index, weight: weight, outputCount: rows.count)
        }
        var dims = cropUpper &- cropLower &+ 1
        let n = sourceGrid.size
        var data = source.withUnsafeBufferPointer { src in
            [Double](unsafeUninitializedCapacity: dims.x * dims.y * dims.z) { dst, initialized in
                HugePages.advise(dst)
                var o = 0
                for z in cropLower.z...cropUpper.z {
                    for y in cropLower.y...cropUpper.y {
                        let row = n.x * (y + n.y * z)
                        for x in cropLower.x...cropUpper.x {
                            dst[o] = src[row + x].sampleValue
                            o += 1
                        }
                    }
                }
                initialized = o
            }
        }
        for axis in 0..<3 {
            guard let t = tables[axis] else { continue }
            if method == .cubic {
                (data, dims) = padAndPrefilter(data, dims: dims, axis: axis)
            }
            (data, dims) = pass(data, dims: dims, axis: axis, table: t)
        }
        return data
    }

    /// Applies a 1D table along `axis` of a block of size `dims` (x fastest). Every output value
    /// is 0 plus the weighted samples, added tap by tap in table order (along y and z, taps of
    /// weight 0 are left out), the same sums whichever loop computes them: along x each output
    /// voxel is summed on its own, with the 1-, 2- and 4-tap tables written out; along y and z
    /// whole rows and planes are scaled and added at once.
    static func pass(_ input: [Double], dims: SIMD3<Int>, axis: Int, table t: AxisTable) -> ([Double], SIMD3<Int>) {
        var outDims = dims
        outDims[axis] = t.outputCount
        let total = outDims.x * outDims.y * outDims.z
        let taps = t.taps
        let output = input.withUnsafeBufferPointer { srcBuffer in
            t.index.withUnsafeBufferPointer { idxBuffer in
                t.weight.withUnsafeBufferPointer { wtBuffer in
                    [Double](unsafeUninitializedCapacity: total) { dstBuffer, initialized in
                        HugePages.advise(dstBuffer)
                        let src = srcBuffer.baseAddress!, dst = dstBuffer.baseAddress!
                        let idx = idxBuffer.baseAddress!, wt = wtBuffer.baseAddress!
                        switch axis {
                        case 0:
                            let rows = dims.y * dims.z
                            let nIn = dims.x, nOut = outDims.x
                            for r in 0..<rows {
                                let s = src + r &* nIn, d = dst + r &* nOut
                                switch taps {
                                case 1:
                                    for i in 0..<nOut { d[i] = 0.0 + wt[i] * s[idx[i]] }
                                case 2:
                                    for i in 0..<nOut {
                                        let k = 2 &* i
                                        d[i] = (0.0 + wt[k] * s[idx[k]]) + wt[k &+ 1] * s[idx[k &+ 1]]
                                    }
                                case 4:
                                    for i in 0..<nOut {
                                        let k = 4 &* i
                                        d[i] = (((0.0 + wt[k] * s[idx[k]]) + wt[k &+ 1] * s[idx[k &+ 1]])
                                            + wt[k &+ 2] * s[idx[k &+ 2]]) + wt[k &+ 3] * s[idx[k &+ 3]]
                                    }
                                default:
                                    for i in 0..<nOut {
                                        var acc = 0.0
                                        for k in 0..<taps { acc += wt[i &* taps &+ k] * s[idx[i &* taps &+ k]] }
                                        d[i] = acc
                                    }
                                }
                            }
                        case 1:
                            let nx = dims.x
                            for z in 0..<dims.z {
                                let sz = src + z &* dims.y &* nx, dz = dst + z &* outDims.y &* nx
                                for j in 0..<outDims.y {
                                    accumulate(into: dz + j &* nx, count: nx, taps: taps,
                                               weights: wt + j &* taps, indices: idx + j &* taps, source: sz, stride: nx)
                                }
                            }
                        default:
                            let plane = dims.x * dims.y
                            for j in 0..<outDims.z {
                                accumulate(into: dst + j &* plane, count: plane, taps: taps,
                                           weights: wt + j &* taps, indices: idx + j &* taps, source: src, stride: plane)
                            }
                        }
                        initialized = total
                    }
                }
            }
        }
        return (output, outDims)
    }

    /// `out[p] = 0 + sum over taps k of weight[k] * source[index[k] * stride + p]` for p in
    /// 0..<count, the taps added in order and those of weight 0 left out (as a row of zeros
    /// accumulating them would give).
    @inline(__always)
    static func accumulate(into out: UnsafeMutablePointer<Double>, count: Int, taps: Int,
                           weights: UnsafePointer<Double>, indices: UnsafePointer<Int>,
                           source: UnsafePointer<Double>, stride: Int) {
        var started = false
        for k in 0..<taps {
            let w = weights[k]
            if w == 0 { continue }
            let s = source + indices[k] &* stride
            if started {
                for p in 0..<count { out[p] += w * s[p] }
            } else {
                for p in 0..<count { out[p] = 0.0 + w * s[p] }
                started = true
            }
        }
        if !started { out.update(repeating: 0, count: count) }
    }

    /// Pads `axis` with `splinePadding` copies of the boundary values on each side and replaces
    /// every line along it by its cubic B-spline coefficients.
    static func padAndPrefilter(_ input: [Double], dims: SIMD3<Int>, axis: Int) -> ([Double], SIMD3<Int>) {
        let pad = splinePadding
        let n = dims[axis]
        let m = n + 2 * pad
        var outDims = dims
        outDims[axis] = m
        var output = [Double](repeating: 0, count: outDims.x * outDims.y * outDims.z)
        // Strides of the axis in input and output, and the list of line starts.
        let inStride = axis == 0 ? 1 : (axis == 1 ? dims.x : dims.x * dims.y)
        let outStride = axis == 0 ? 1 : (axis == 1 ? outDims.x : outDims.x * outDims.y)
        var line = [Double](repeating: 0, count: m)
        input.withUnsafeBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                line.withUnsafeMutableBufferPointer { buf in
                    let (o1, o2): (Int, Int) = axis == 0 ? (dims.y, dims.z) : (axis == 1 ? (dims.x, dims.z) : (dims.x, dims.y))
                    for b in 0..<o2 {
                        for a in 0..<o1 {
                            let inBase: Int, outBase: Int
                            switch axis {
                            case 0: inBase = (a + b * dims.y) * dims.x; outBase = (a + b * outDims.y) * outDims.x
                            case 1: inBase = a + b * dims.x * dims.y; outBase = a + b * outDims.x * outDims.y
                            default: inBase = a + b * dims.x; outBase = a + b * outDims.x
                            }
                            let first = src[inBase], last = src[inBase + (n - 1) * inStride]
                            for k in 0..<pad { buf[k] = first; buf[m - 1 - k] = last }
                            for k in 0..<n { buf[pad + k] = src[inBase + k * inStride] }
                            bsplineCoefficients(buf)
                            for k in 0..<m { dst[outBase + k * outStride] = buf[k] }
                        }
                    }
                }
            }
        }
        return (output, outDims)
    }

    /// Converts samples to cubic B-spline coefficients in place (mirror-symmetric boundaries):
    /// a causal and an anti-causal first-order recursion with pole z = sqrt(3) - 2 and gain 6.
    static func bsplineCoefficients(_ c: UnsafeMutableBufferPointer<Double>) {
        let n = c.count
        if n < 2 { return }
        let z = 3.0.squareRoot() - 2
        for k in 0..<n { c[k] *= 6 }
        // Causal initial value: sum over the mirrored signal, truncated where z^k is negligible.
        let horizon = min(n, 30)
        var zk = z
        var sum = c[0]
        for k in 1..<horizon {
            sum += zk * c[k]
            zk *= z
        }
        if horizon < n {
            c[0] = sum
        } else {
            // Exact value for short lines (the mirrored signal has period 2n - 2).
            var zn = 1.0
            for _ in 0..<(n - 1) { zn *= z }
            let iz = 1 / z
            var z2n = zn * zn * iz
            var zj = z
            sum = c[0] + zn * c[n - 1]
            for k in 1..<(n - 1) {
                sum += (zj + z2n) * c[k]
                zj *= z
                z2n *= iz
            }
            c[0] = sum / (1 - zn * zn)
        }
        for k in 1..<n { c[k] += z * c[k - 1] }
        c[n - 1] = (z / (z * z - 1)) * (z * c[n - 2] + c[n - 1])
        for k in stride(from: n - 2, through: 0, by: -1) { c[k] = z * (c[k + 1] - c[k]) }
    }

    /// Voxel-by-voxel resampling for grids whose axes are not parallel.
    static func general(_ values: [Double], from source: Grid, to target: Grid, method: InterpolationMethod) -> [Double] {
        var data = values
        var dims = source.size
        if method == .cubic {
            for axis in 0..<3 { (data, dims) = padAndPrefilter(data, dims: dims, axis: axis) }
        }
        let n = source.size
        var out = [Double](repeating: 0, count: target.voxelCount)
        var i = 0
        for z in 0..<target.size.z {
            for y in 0..<target.size.y {
                for x in 0..<target.size.x {
                    let p = source.voxel(target.world(SIMD3(Double(x), Double(y), Double(z))))
                    var taps: [[(Int, Double)]] = []
                    for a in 0..<3 {
                        let t = table(sourceCount: n[a], outputCount: 1, start: p[a], step: 0, method: method)
                        taps.append((0..<t.taps).map { (t.index[$0], t.weight[$0]) })
                    }
                    var acc = 0.0
                    for (iz, wz) in taps[2] {
                        for (iy, wy) in taps[1] {
                            for (ix, wx) in taps[0] {
                                acc += wx * wy * wz * data[ix + dims.x * (iy + dims.y * iz)]
                            }
                        }
                    }
                    out[i] = acc
                    i += 1
                }
            }
        }
        return out
    }
}

/// Voxel types that can be resampled: image intensities and mask membership (0 or 1).
protocol InterpolationSample {
    var sampleValue: Double { get }
}

extension Float: InterpolationSample {
    var sampleValue: Double { Double(self) }
}

extension Bool: InterpolationSample {
    var sampleValue: Double { self ? 1 : 0 }
}
