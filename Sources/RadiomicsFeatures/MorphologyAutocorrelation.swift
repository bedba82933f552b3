import CCPUFeatures
import Foundation
import RadiomicsCore
import RadiomicsSpectral
#if arch(x86_64)
import RadiomicsSpectralAVX2
#endif

// Moran's I (IBSI N365) and Geary's C (IBSI NPT7) with inverse Euclidean distance weights over
// all pairs of voxels of the intensity mask, computed exactly.
//
// With deviations d_k = X_k - mu, weights w_kl = 1 / |p_k - p_l| (mm) for k != l:
//   W = sum_{k != l} w_kl,  S = sum_{k != l} w_kl d_k d_l,  D = sum_k d_k^2,
//   sum_{k != l} w_kl (X_k - X_l)^2 = 2 sum_k d_k^2 (sum_{l != k} w_kl) - 2 S,
//   I = N / W * S / D,  C = (N - 1) / (2 W) * (2 sum_k d_k^2 r_k - 2 S) / D,  r_k = sum_{l != k} w_kl.
// Both are exact: by the direct loop over all pairs (`pairSums`, O(N^2)), or in the frequency
// domain over the zero-padded bounding block (`fourierSums`: RadiomicsSpectral, O(M log M));
// `sums` takes the cheaper for the ROI at hand.

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
        let coordinates: [SIMD3<Int32>]
        let values: [Double]
        /// The coordinates' bounding box (zero when there are none).
        let lower: SIMD3<Int32>, upper: SIMD3<Int32>

        init(coordinates: [SIMD3<Int32>], values: [Double]) {
            let box = RadiomicsSpectral.AutocorrelationSpectrum.boundingBox(coordinates)
            self.init(coordinates: coordinates, values: values, lower: box.lower, upper: box.upper)
        }

        private init(coordinates: [SIMD3<Int32>], values: [Double], lower: SIMD3<Int32>, upper: SIMD3<Int32>) {
            self.coordinates = coordinates
            self.values = values
            self.lower = lower
            self.upper = upper
        }

        /// The intensity mask's voxels in storage order, written once into arrays of their size.
        init(_ roi: RegionOfInterest) {
            let (count, box) = roi.intensityMask.countAndBoundingBox()
            guard let box else {
                self.init(coordinates: [], values: [])
                return
            }
            var values = [Double]()
            let coordinates = [SIMD3<Int32>](unsafeUninitializedCapacity: count) { c, cn in
                values = [Double](unsafeUninitializedCapacity: count) { v, vn in
                    var o = 0
                    roi.forEachIntensityVoxel(in: box) { p, value in
                        c[o] = SIMD3(Int32(p.x), Int32(p.y), Int32(p.z))
                        v[o] = Double(value)
                        o += 1
                    }
                    vn = count
                }
                cn = count
            }
            self.init(coordinates: coordinates, values: values,
                      lower: SIMD3(truncatingIfNeeded: box.lower), upper: SIMD3(truncatingIfNeeded: box.upper))
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

    /// Sums in the frequency domain (RadiomicsSpectral/AutocorrelationSpectrum.swift), by the
    /// AVX2 build of the transforms where the processor has it: the same bits, in about half the
    /// instructions.
    static func fourierSums(_ s: Samples, spacing: SIMD3<Double>) -> AutocorrelationSums {
        let n = s.values.count
        guard n > 0 else { return AutocorrelationSums(count: 0, weightSum: 0, cross: 0, squaredDifferences: 0, deviation: 0) }
        #if arch(x86_64)
        let sums = hasAVX2
            ? RadiomicsSpectralAVX2.AutocorrelationSpectrum.sums(coordinates: s.coordinates, values: s.values,
                                                                 lower: s.lower, upper: s.upper, spacing: spacing)
            : RadiomicsSpectral.AutocorrelationSpectrum.sums(coordinates: s.coordinates, values: s.values,
                                                             lower: s.lower, upper: s.upper, spacing: spacing)
        #else
        let sums = AutocorrelationSpectrum.sums(coordinates: s.coordinates, values: s.values, lower: s.lower, upper: s.upper,
                                                spacing: spacing)
        #endif
        return AutocorrelationSums(count: n, weightSum: sums.w, cross: sums.s, squaredDifferences: 2 * sums.t - 2 * sums.s,
                                   deviation: sums.deviation)
    }

    /// Whether to use the AVX2 build: the processor and its operating system run AVX2 code, and
    /// the environment does not set RADIOMICS_NO_AVX2 (to check that both builds agree, or to
    /// rule the AVX2 one out). Read once.
    static let hasAVX2 = ccpu_has_avx2() != 0 && getenv("RADIOMICS_NO_AVX2") == nil

    /// The cheaper of the two exact methods for this ROI.
    static func sums(_ s: Samples, spacing: SIMD3<Double>) -> AutocorrelationSums {
        let n = s.values.count
        guard n > 1 else { return pairSums(s, spacing: spacing) }
        let extent = SIMD3<Int>(truncatingIfNeeded: s.upper &- s.lower) &+ 1
        let padded = RadiomicsSpectral.AutocorrelationSpectrum.paddedLengths(extent: extent)
        let cells = Double(padded.x) * Double(padded.y) * Double(padded.z)
        // Three real-field transforms and the kernel's octant cosine transform: about two
        // complex 3D transforms of 5 M log2 M flops each, against about 12 flops per pair.
        let fourierCost = 2 * 5 * cells * log2(max(cells, 2))
        let pairCost = 12 * Double(n) * Double(n - 1) / 2
        return pairCost <= fourierCost ? pairSums(s, spacing: spacing) : fourierSums(s, spacing: spacing)
    }
}
