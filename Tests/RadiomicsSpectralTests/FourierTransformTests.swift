import Foundation
@testable import RadiomicsSpectral
import Testing

/// Deterministic pseudo-random numbers (xorshift64*), so failures reproduce.
struct TestRandom {
    var state: UInt64
    mutating func uniform() -> Double {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53)
    }
}

extension SIMD4<Double> {
    func bitPatternEqual(_ o: Self) -> Bool { (0..<4).allSatisfy { self[$0].bitPattern == o[$0].bitPattern } }
}

/// The transforms of the baseline build (the AVX2 build's are checked against these bit for bit
/// in AVX2VariantTests.swift).
@Suite struct FourierTransformTests {
    @Test func fftMatchesDirectDFT() {
        var rng = TestRandom(state: 5)
        // Every radix and first radix, and every choice of stages for a power of two (8, 4 4,
        // 8 4, 8 8, 8 4 4, 8 8 4).
        for n in [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 24, 25, 27, 30, 32, 40, 45, 50, 54, 60, 64, 75, 90, 96, 100,
                  108, 128, 160, 180, 200, 256] {
            let xr = (0..<n).map { _ in rng.uniform() - 0.5 }, xi = (0..<n).map { _ in rng.uniform() - 0.5 }
            let (re, im) = MorphologyFFT(length: n).forward(re: xr, im: xi)
            var worst = 0.0
            for k in 0..<n {
                var sr = 0.0, si = 0.0
                for j in 0..<n {
                    let angle = -2 * Double.pi * Double(j * k % n) / Double(n)
                    sr += xr[j] * cos(angle) - xi[j] * sin(angle)
                    si += xr[j] * sin(angle) + xi[j] * cos(angle)
                }
                worst = max(worst, abs(sr - re[k]), abs(si - im[k]))
            }
            #expect(worst < 1e-12, "n = \(n)")
        }
    }

    /// The output order of a prime-factor split: slot and frequency are inverse permutations,
    /// the identity when n is a power of two or odd.
    @Test func outputOrderIsAPermutation() {
        for n in [1, 2, 8, 9, 25, 27, 64, 75, 6, 10, 12, 24, 40, 54, 90, 96, 108, 160, 200] {
            let fft = MorphologyFFT(length: n)
            #expect(Set(fft.slot) == Set(0..<n), "n = \(n)")
            #expect((0..<n).allSatisfy { fft.frequency[fft.slot[$0]] == $0 }, "n = \(n)")
            let odd = n % 2 == 1, powerOfTwo = n & (n - 1) == 0
            #expect((odd || powerOfTwo) == (fft.slot == Array(0..<n)), "n = \(n)")
        }
    }

    /// Lengths are padded to 2,3,5-smooth ones, never less than asked.
    @Test func smoothLengths() {
        #expect(MorphologyFFT.smoothLength(atLeast: 0) == 1)
        #expect(MorphologyFFT.smoothLength(atLeast: 7) == 8)
        #expect(MorphologyFFT.smoothLength(atLeast: 97) == 100)
        #expect(MorphologyFFT.smoothLength(atLeast: 179) == 180)
        #expect(MorphologyFFT.smoothLength(atLeast: 181) == 192)
    }

    /// The padded lengths are valid for the block (2,3,5-smooth and >= 2 e - 1 per axis), and
    /// never costlier by the cost model than the smallest smooth lengths. Blocks of the STS
    /// cases at 2 mm and of the CT phantom at 1 mm.
    @Test func paddedLengthsAreValidAndCheapest() {
        func smooth(_ n: Int) -> Bool { MorphologyFFT.smoothLength(atLeast: n) == n }
        for e in [SIMD3(45, 47, 51), SIMD3(27, 20, 27), SIMD3(33, 38, 87), SIMD3(71, 54, 62), SIMD3(68, 65, 110),
                  SIMD3(98, 97, 78), SIMD3(1, 1, 1), SIMD3(2, 1, 5)] {
            let p = AutocorrelationSpectrum.paddedLengths(extent: e)
            let smallest = SIMD3((0..<3).map { MorphologyFFT.smoothLength(atLeast: 2 * e[$0] - 1) })
            for a in 0..<3 { #expect(p[a] >= 2 * e[a] - 1 && smooth(p[a]), "extent \(e): \(p)") }
            let cost = AutocorrelationSpectrum.cost(extent: e, padded: p)
            let plain = AutocorrelationSpectrum.cost(extent: e, padded: smallest)
            #expect(cost <= plain)
            print("extent \(e): padded \(p) (smallest \(smallest)), modelled cost \(String(format: "%.2f", cost / plain))x")
        }
        // 81 = 3^4 costs more than 96 = 8 4 3 (callgrind: 11.2 k against 9.5 k instructions).
        #expect(MorphologyFFT.cost(length: 96) < MorphologyFFT.cost(length: 81))
    }

    /// The four lines of a batch do not mix: each lane gives (bit for bit) the transform of its
    /// line alone.
    @Test func batchLanesAreIndependent() {
        var rng = TestRandom(state: 11)
        for n in [1, 2, 3, 4, 5, 6, 8, 12, 16, 30, 40, 50, 54, 60, 64, 90, 100, 108, 128, 160, 200] {
            let fft = MorphologyFFT(length: n)
            let lines = (0..<4).map { _ in ((0..<n).map { _ in rng.uniform() - 0.5 }, (0..<n).map { _ in rng.uniform() - 0.5 }) }
            let batch = UnsafeMutablePointer<FFTComplex>.allocate(capacity: 2 * n)
            defer { batch.deallocate() }
            for t in 0..<n {
                batch[t] = FFTComplex(re: SIMD4(lines[0].0[t], lines[1].0[t], lines[2].0[t], lines[3].0[t]),
                                      im: SIMD4(lines[0].1[t], lines[1].1[t], lines[2].1[t], lines[3].1[t]))
            }
            fft.forward(batch, scratch: batch + n)
            for (k, line) in lines.enumerated() {
                let (re, im) = fft.forward(re: line.0, im: line.1)
                #expect((0..<n).allSatisfy {
                    batch[fft.slot[$0]].re[k].bitPattern == re[$0].bitPattern && batch[fft.slot[$0]].im[k].bitPattern == im[$0].bitPattern
                },
                        "n = \(n), line \(k)")
            }
        }
    }

    /// A zero-padded line read with a stride, only its first e elements, into another buffer:
    /// the same values as the in-place transform of the whole padded line (the skipped zeros
    /// change nothing but the sign of a zero), and the input is left as it was.
    @Test func stridedPaddedInputEqualsPaddedLine() {
        var rng = TestRandom(state: 31)
        for n in [1, 2, 3, 4, 5, 6, 8, 10, 16, 24, 27, 32, 40, 54, 64, 90, 96, 108, 128, 160, 200] {
            let fft = MorphologyFFT(length: n)
            for e in Set([0, 1, n / 3, n / 2, (n + 1) / 2, n - 1, n]) {
                let stride = 3, count = stride * max(e, 1)
                let source = UnsafeMutablePointer<FFTComplex>.allocate(capacity: count)
                let padded = UnsafeMutablePointer<FFTComplex>.allocate(capacity: 2 * n)
                let out = UnsafeMutablePointer<FFTComplex>.allocate(capacity: 2 * n)
                defer { source.deallocate(); padded.deallocate(); out.deallocate() }
                // Everything off the strided elements is NaN: reading it would show.
                let nan = SIMD4<Double>(repeating: .nan)
                source.initialize(repeating: FFTComplex(re: nan, im: nan), count: count)
                padded.initialize(repeating: .zero, count: 2 * n)
                for t in 0..<e {
                    let v = FFTComplex(re: SIMD4((0..<4).map { _ in rng.uniform() - 0.5 }),
                                       im: SIMD4((0..<4).map { _ in rng.uniform() - 0.5 }))
                    source[t * stride] = v
                    padded[t] = v
                }
                let before = (0..<count).map { source[$0] }
                fft.forward(source, stride: stride, nonzero: e, to: out, scratch: out + n)
                fft.forward(padded, scratch: padded + n)
                #expect((0..<n).allSatisfy { out[$0].re == padded[$0].re && out[$0].im == padded[$0].im }, "n = \(n), e = \(e)")
                #expect((0..<count).allSatisfy { source[$0].re.bitPatternEqual(before[$0].re) && source[$0].im.bitPatternEqual(before[$0].im) },
                        "n = \(n), e = \(e)")
            }
        }
    }
}
