#if arch(x86_64)
import CCPUFeatures
import Foundation
@testable import RadiomicsSpectral
@testable import RadiomicsSpectralAVX2
import Testing

/// The AVX2 build of the transforms (four lanes per 256-bit operation) gives exactly the bits of
/// the baseline build (two lanes per 128-bit operation), so that a feature table does not depend
/// on the processor it was computed on. Runs where the processor has AVX2.
@Suite(.enabled(if: ccpu_has_avx2() != 0, "the processor has no AVX2"))
struct AVX2VariantTests {
    /// Four random lines per batch, the whole line and a zero-padded one read with a stride:
    /// every output lane equal bit for bit. Every radix and first radix, prime-factor splits.
    @Test func transformsGiveTheSameBits() {
        var rng = TestRandom(state: 1234)
        for n in [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 24, 25, 27, 30, 32, 40, 45, 50, 54, 60, 64, 75, 90, 96, 100,
                  108, 128, 160, 180, 200, 256] {
            let base = RadiomicsSpectral.MorphologyFFT(length: n)
            let wide = RadiomicsSpectralAVX2.MorphologyFFT(length: n)
            #expect(base.slot == wide.slot, "n = \(n)")
            for nonzero in Set([n, (n + 1) / 2, 1]) {
                let stride = 2
                let a = UnsafeMutablePointer<RadiomicsSpectral.FFTComplex>.allocate(capacity: stride * n + 2 * n)
                let b = UnsafeMutablePointer<RadiomicsSpectralAVX2.FFTComplex>.allocate(capacity: stride * n + 2 * n)
                defer { a.deallocate(); b.deallocate() }
                for t in 0..<(stride * n) {
                    let re = SIMD4((0..<4).map { _ in rng.uniform() - 0.5 }), im = SIMD4((0..<4).map { _ in rng.uniform() - 0.5 })
                    a[t] = .init(re: re, im: im)
                    b[t] = .init(re: re, im: im)
                }
                base.forward(a, stride: stride, nonzero: nonzero, to: a + stride * n, scratch: a + stride * n + n)
                wide.forward(b, stride: stride, nonzero: nonzero, to: b + stride * n, scratch: b + stride * n + n)
                let same = (0..<n).allSatisfy {
                    a[stride * n + $0].re.bitPatternEqual(b[stride * n + $0].re) && a[stride * n + $0].im.bitPatternEqual(b[stride * n + $0].im)
                }
                #expect(same, "n = \(n), nonzero = \(nonzero)")
            }
        }
    }

    /// Moran's and Geary's sums on random ROIs of blocks that take every pass's branches (several
    /// chunks, more than eight z rows, odd and even padded lengths, one-row blocks).
    @Test func sumsGiveTheSameBits() {
        var rng = TestRandom(state: 99)
        let shapes: [SIMD3<Int32>] = [SIMD3(23, 19, 11), SIMD3(17, 33, 9), SIMD3(40, 1, 1), SIMD3(1, 1, 29),
                                      SIMD3(1, 26, 3), SIMD3(12, 12, 17), SIMD3(5, 4, 3)]
        for shape in shapes {
            var coordinates: [SIMD3<Int32>] = [], values: [Double] = []
            for z in 0..<shape.z { for y in 0..<shape.y { for x in 0..<shape.x where rng.uniform() < 0.5 {
                coordinates.append(SIMD3(x + 2, y, z + 7))
                values.append(Double(Int(rng.uniform() * 2000) - 1000))
            } } }
            guard !values.isEmpty else { continue }
            let spacing = SIMD3<Double>(0.7 + rng.uniform(), 0.7 + rng.uniform(), 1 + 3 * rng.uniform())
            let a = RadiomicsSpectral.AutocorrelationSpectrum.sums(coordinates: coordinates, values: values, spacing: spacing)
            let b = RadiomicsSpectralAVX2.AutocorrelationSpectrum.sums(coordinates: coordinates, values: values, spacing: spacing)
            let bits = [a.w, a.s, a.t, a.deviation].map(\.bitPattern), wideBits = [b.w, b.s, b.t, b.deviation].map(\.bitPattern)
            #expect(bits == wideBits, "shape \(shape): \(a) vs \(b)")
        }
    }
}
#endif
