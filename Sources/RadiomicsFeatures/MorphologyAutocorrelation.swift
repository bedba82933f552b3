import Foundation
import RadiomicsCore

// Moran's I (IBSI N365) and Geary's C (IBSI NPT7) with inverse Euclidean distance weights over
// all pairs of voxels of the intensity mask, computed exactly.
//
// With deviations d_k = X_k - mu, weights w_kl = 1 / |p_k - p_l| (mm) for k != l:
//   W = sum_{k != l} w_kl,  S = sum_{k != l} w_kl d_k d_l,  D = sum_k d_k^2,
//   sum_{k != l} w_kl (X_k - X_l)^2 = 2 sum_k d_k^2 (sum_{l != k} w_kl) - 2 S,
//   I = N / W * S / D,  C = (N - 1) / (2 W) * (2 sum_k d_k^2 r_k - 2 S) / D,  r_k = sum_{l != k} w_kl.
// Let m be the ROI indicator and g = d m on the ROI's bounding block, and K the kernel
// K(delta) = 1 / |delta| (mm), K(0) = 0. Then r = (K * m) and S = sum g (K * g), W = sum m (K * m):
// two convolutions with the same kernel. Zero-padding each axis to at least 2 n - 1 makes the
// circular convolution of the FFT equal the linear one, so the result is exact up to rounding
// (O(M log M) for a block of M voxels). Both fields go through one complex transform as m + i g
// (K is real, so the real and imaginary parts of the product's inverse are K * m and K * g).

/// Sums that define both features.
struct AutocorrelationSums: Equatable {
    var count: Int
    /// sum of w over ordered pairs k != l.
    var weightSum: Double
    /// sum of w d_k d_l over ordered pairs.
    var cross: Double
    /// sum of w (X_k - X_l)^2 over ordered pairs.
    var squaredDifferences: Double
    /// sum of d_k^2.
    var deviation: Double

    var moranI: Double {
        guard count > 1, weightSum > 0, deviation > 0 else { return .nan }
        return Double(count) / weightSum * cross / deviation
    }

    var gearyC: Double {
        guard count > 1, weightSum > 0, deviation > 0 else { return .nan }
        return Double(count - 1) / (2 * weightSum) * squaredDifferences / deviation
    }
}

enum SpatialAutocorrelation {
    /// The ROI as voxel coordinates and values.
    struct Samples {
        var coordinates: [SIMD3<Int32>]
        var values: [Double]

        init(coordinates: [SIMD3<Int32>], values: [Double]) {
            self.coordinates = coordinates
            self.values = values
        }

        /// The intensity mask's voxels in storage order.
        init(_ roi: RegionOfInterest) {
            let size = roi.grid.size
            var coordinates: [SIMD3<Int32>] = []
            var values: [Double] = []
            roi.intensityMask.voxels.withUnsafeBufferPointer { t in
                roi.image.voxels.withUnsafeBufferPointer { g in
                    var i = 0
                    for z in 0..<size.z {
                        for y in 0..<size.y {
                            for x in 0..<size.x {
                                if t[i] {
                                    coordinates.append(SIMD3(Int32(x), Int32(y), Int32(z)))
                                    values.append(Double(g[i]))
                                }
                                i += 1
                            }
                        }
                    }
                }
            }
            self.init(coordinates: coordinates, values: values)
        }
    }

    /// Sums by the direct loop over all unordered pairs: O(N^2).
    static func pairSums(_ s: Samples, spacing: SIMD3<Double>) -> AutocorrelationSums {
        let n = s.values.count
        var mean = 0.0
        for v in s.values { mean += v }
        mean /= Double(max(n, 1))
        var deviation = 0.0
        for v in s.values { deviation += (v - mean) * (v - mean) }
        var w = 0.0, cross = 0.0, squares = 0.0
        s.coordinates.withUnsafeBufferPointer { c in
            s.values.withUnsafeBufferPointer { x in
                for k in 0..<n {
                    let pk = SIMD3<Double>(Double(c[k].x), Double(c[k].y), Double(c[k].z)) * spacing
                    let dk = x[k] - mean
                    var wk = 0.0, ck = 0.0, sk = 0.0
                    for l in (k + 1)..<max(k + 1, n) {
                        let pl = SIMD3<Double>(Double(c[l].x), Double(c[l].y), Double(c[l].z)) * spacing
                        let delta = pk - pl
                        let weight = 1 / dot(delta, delta).squareRoot()
                        let dl = x[l] - mean
                        wk += weight
                        ck += weight * dl
                        sk += weight * (x[k] - x[l]) * (x[k] - x[l])
                    }
                    w += wk
                    cross += dk * ck
                    squares += sk
                }
            }
        }
        return AutocorrelationSums(count: n, weightSum: 2 * w, cross: 2 * cross, squaredDifferences: 2 * squares, deviation: deviation)
    }

    /// Sums by FFT convolution with the inverse-distance kernel over the zero-padded bounding
    /// block: exact up to floating-point rounding.
    static func fourierSums(_ s: Samples, spacing: SIMD3<Double>) -> AutocorrelationSums {
        let n = s.values.count
        guard n > 0 else { return AutocorrelationSums(count: 0, weightSum: 0, cross: 0, squaredDifferences: 0, deviation: 0) }
        var lo = s.coordinates[0], hi = s.coordinates[0]
        for c in s.coordinates { lo = pointwiseMin(lo, c); hi = pointwiseMax(hi, c) }
        let extent = SIMD3<Int>(Int(hi.x - lo.x) + 1, Int(hi.y - lo.y) + 1, Int(hi.z - lo.z) + 1)
        let size = SIMD3<Int>(
            MorphologyFFT.smoothLength(atLeast: 2 * extent.x - 1),
            MorphologyFFT.smoothLength(atLeast: 2 * extent.y - 1),
            MorphologyFFT.smoothLength(atLeast: 2 * extent.z - 1))
        var mean = 0.0
        for v in s.values { mean += v }
        mean /= Double(n)

        // Field m + i g.
        var field = ComplexVolume(size: size)
        var index = [Int](repeating: 0, count: n)
        var deviation = 0.0
        for k in 0..<n {
            let c = s.coordinates[k] &- lo
            let i = Int(c.x) + size.x * (Int(c.y) + size.y * Int(c.z))
            index[k] = i
            let d = s.values[k] - mean
            field.re[i] = 1
            field.im[i] = d
            deviation += d * d
        }
        // Kernel 1/|delta| on offsets -(extent - 1) ... (extent - 1), wrapped: real and even
        // along every axis, so its transform is real.
        var kernel = [Double](repeating: 0, count: field.re.count)
        kernel.withUnsafeMutableBufferPointer { kr in
            for dz in -(extent.z - 1)...(extent.z - 1) {
                let z = (dz + size.z) % size.z
                let zz = Double(dz) * spacing.z
                for dy in -(extent.y - 1)...(extent.y - 1) {
                    let y = (dy + size.y) % size.y
                    let yy = Double(dy) * spacing.y
                    let row = size.x * (y + size.y * z)
                    for dx in -(extent.x - 1)...(extent.x - 1) {
                        if dx == 0 && dy == 0 && dz == 0 { continue }
                        let xx = Double(dx) * spacing.x
                        kr[row + (dx + size.x) % size.x] = 1 / (xx * xx + yy * yy + zz * zz).squareRoot()
                    }
                }
            }
        }
        field.forward(support: extent)
        field.realEvenTransform(&kernel)
        let total = field.re.count
        field.re.withUnsafeMutableBufferPointer { fr in
            field.im.withUnsafeMutableBufferPointer { fi in
                kernel.withUnsafeBufferPointer { k in
                    for i in 0..<total {
                        fr[i] *= k[i]
                        fi[i] *= k[i]
                    }
                }
            }
        }
        field.inverse(needed: extent)
        // field.re = K * m (the weight sum r_k at ROI voxels), field.im = K * g.
        var w = 0.0, cross = 0.0, weighted = 0.0
        for k in 0..<n {
            let i = index[k]
            let d = s.values[k] - mean
            w += field.re[i]
            cross += d * field.im[i]
            weighted += d * d * field.re[i]
        }
        return AutocorrelationSums(count: n, weightSum: w, cross: cross, squaredDifferences: 2 * weighted - 2 * cross, deviation: deviation)
    }

    /// The cheaper of the two exact methods for this ROI.
    static func sums(_ s: Samples, spacing: SIMD3<Double>) -> AutocorrelationSums {
        let n = s.values.count
        guard n > 1 else { return pairSums(s, spacing: spacing) }
        var lo = s.coordinates[0], hi = s.coordinates[0]
        for c in s.coordinates { lo = pointwiseMin(lo, c); hi = pointwiseMax(hi, c) }
        var cells = 1.0
        for a in 0..<3 { cells *= Double(MorphologyFFT.smoothLength(atLeast: 2 * Int(hi[a] - lo[a]) + 1)) }
        // Three 3D transforms of about 5 M log2 M flops each, against about 12 flops per pair.
        let fourierCost = 3 * 5 * cells * log2(max(cells, 2))
        let pairCost = 12 * Double(n) * Double(n - 1) / 2
        return pairCost <= fourierCost ? pairSums(s, spacing: spacing) : fourierSums(s, spacing: spacing)
    }
}
