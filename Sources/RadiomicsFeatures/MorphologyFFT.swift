import Foundation

// A small exact complex FFT for the spatial autocorrelation features (Moran's I, Geary's C).
//
// It transforms four lines at once, one per lane of SIMD4<Double>: the 3D transforms always have
// many lines, so batching them costs nothing and lets every butterfly work on vectors without
// shuffles. Self-sorting mixed-radix (Stockham) formulation: each stage of radix p reads
// x[j + r n/p], applies the twiddles exp(-2 pi i r (j mod L) / (L p)) (L: product of the earlier
// radices), does a p-point DFT and writes y[(j / L) L p + (j mod L) + r L]; after the last stage
// the result is in natural order. Lengths are 2,3,5-smooth (`smoothLength`), with butterflies of
// radix 4, 2, 3 and 5.

/// Four complex lines of one length, split into real and imaginary vectors: lane k of element t
/// is element t of line k.
typealias FFTLanes = SIMD4<Double>

struct MorphologyFFT {
    let n: Int
    /// The radices of the stages, in order (their product is n).
    let radices: [Int]
    /// Per stage, for jm = 1..<span and r = 1..<p, exp(-2 pi i r jm / (span p)) at
    /// (jm - 1) (p - 1) + r - 1: read in the order the butterflies use them.
    private let twiddleRe: [[Double]]
    private let twiddleIm: [[Double]]

    init(length n: Int) {
        precondition(n >= 1)
        var r: [Int] = []
        var m = n
        while m % 4 == 0 { r.append(4); m /= 4 }
        for p in [2, 3, 5] { while m % p == 0 { r.append(p); m /= p } }
        precondition(m == 1, "FFT length \(n) is not 2,3,5-smooth")
        self.n = n
        radices = r
        var tr: [[Double]] = [], ti: [[Double]] = []
        var span = 1
        for p in r {
            var c: [Double] = [], s: [Double] = []
            c.reserveCapacity(max(0, (span - 1) * (p - 1)))
            s.reserveCapacity(max(0, (span - 1) * (p - 1)))
            for jm in stride(from: 1, to: span, by: 1) {
                for q in 1..<p {
                    // Reduce the angle's numerator first so that equal twiddles are equal bits.
                    let k = (q * jm) % (span * p)
                    let angle = -2 * Double.pi * Double(k) / Double(span * p)
                    c.append(cos(angle))
                    s.append(sin(angle))
                }
            }
            tr.append(c)
            ti.append(s)
            span *= p
        }
        twiddleRe = tr
        twiddleIm = ti
    }

    /// The smallest length >= n whose prime factors are 2, 3 and 5.
    static func smoothLength(atLeast n: Int) -> Int {
        var m = max(1, n)
        while true {
            var r = m
            for p in [2, 3, 5] { while r % p == 0 { r /= p } }
            if r == 1 { return m }
            m += 1
        }
    }

    /// Forward transform (sign -1) of four lines held in `re`/`im` (n vectors each), in place.
    /// `scratch` must hold 2 n vectors. When only the first `nonzero` elements can be non-zero
    /// (a zero-padded line), the first stage skips the inputs it knows to be zero: with
    /// padding to at least 2 e - 1 that is half of them.
    func forward(_ re: UnsafeMutablePointer<FFTLanes>, _ im: UnsafeMutablePointer<FFTLanes>,
                 scratch: UnsafeMutablePointer<FFTLanes>, nonzero: Int? = nil) {
        if n == 1 { return }
        var xr = re, xi = im, yr = scratch, yi = scratch + n
        var span = 1
        for (stage, p) in radices.enumerated() {
            if stage == 0, let e = nonzero, Self.paddedFirstStage(xr, xi, yr, yi, n: n, radix: p, nonzero: e) {
                swap(&xr, &yr)
                swap(&xi, &yi)
                span = p
                continue
            }
            twiddleRe[stage].withUnsafeBufferPointer { twr in
                twiddleIm[stage].withUnsafeBufferPointer { twi in
                    let tw = Twiddles(re: twr.baseAddress, im: twi.baseAddress)
                    switch p {
                    case 4: Self.radix4(xr, xi, yr, yi, n: n, span: span, tw)
                    case 2: Self.radix2(xr, xi, yr, yi, n: n, span: span, tw)
                    case 3: Self.radix3(xr, xi, yr, yi, n: n, span: span, tw)
                    default: Self.radix5(xr, xi, yr, yi, n: n, span: span, tw)
                    }
                }
            }
            swap(&xr, &yr)
            swap(&xi, &yi)
            span *= p
        }
        if xr != re {
            re.update(from: xr, count: n)
            im.update(from: xi, count: n)
        }
    }

    /// A stage's twiddles: for jm >= 1 and r = 1..<p, exp(-2 pi i r jm / (span p)) at
    /// (jm - 1) (p - 1) + r - 1.
    private struct Twiddles {
        let re: UnsafePointer<Double>?
        let im: UnsafePointer<Double>?
        @inline(__always) func rotate(_ vr: inout FFTLanes, _ vi: inout FFTLanes, _ index: Int) {
            let c = FFTLanes(repeating: re![index]), s = FFTLanes(repeating: im![index])
            (vr, vi) = (vr * c - vi * s, vr * s + vi * c)
        }
    }

    /// The first stage (no twiddles) of a line that is zero from element `e` on, when that
    /// makes half or more of the butterfly's inputs zero (x[j + r m] with r m >= e); false
    /// when it does not apply.
    private static func paddedFirstStage(_ xr: UnsafeMutablePointer<FFTLanes>, _ xi: UnsafeMutablePointer<FFTLanes>,
                                         _ yr: UnsafeMutablePointer<FFTLanes>, _ yi: UnsafeMutablePointer<FFTLanes>,
                                         n: Int, radix p: Int, nonzero e: Int) -> Bool {
        let m = n / p
        switch p {
        case 4 where e <= 2 * m:
            // y0 = a0 + a1, y1 = a0 - i a1, y2 = a0 - a1, y3 = a0 + i a1.
            for j in 0..<m {
                let out = 4 * j
                let ar = xr[j], ai = xi[j], br = xr[j + m], bi = xi[j + m]
                yr[out] = ar + br; yi[out] = ai + bi
                yr[out + 1] = ar + bi; yi[out + 1] = ai - br
                yr[out + 2] = ar - br; yi[out + 2] = ai - bi
                yr[out + 3] = ar - bi; yi[out + 3] = ai + br
            }
            return true
        case 2 where e <= m:
            for j in 0..<m {
                let ar = xr[j], ai = xi[j]
                yr[2 * j] = ar; yi[2 * j] = ai
                yr[2 * j + 1] = ar; yi[2 * j + 1] = ai
            }
            return true
        default:
            return false
        }
    }

    // One stage each: butterfly j (j = base + jm, jm < span) reads x[j + r m] (m = n / p), rotates
    // input r by the twiddle of (jm, r) and writes y[base p + jm + k span]. The first element of
    // each group (jm = 0) has no twiddles.

    private static func radix4(_ xr: UnsafeMutablePointer<FFTLanes>, _ xi: UnsafeMutablePointer<FFTLanes>,
                               _ yr: UnsafeMutablePointer<FFTLanes>, _ yi: UnsafeMutablePointer<FFTLanes>,
                               n: Int, span: Int, _ tw: Twiddles) {
        let m = n / 4
        for base in stride(from: 0, to: m, by: span) {
            for jm in 0..<span {
                let j = base + jm, out = base * 4 + jm
                let vr0 = xr[j], vi0 = xi[j]
                var vr1 = xr[j + m], vi1 = xi[j + m]
                var vr2 = xr[j + 2 * m], vi2 = xi[j + 2 * m]
                var vr3 = xr[j + 3 * m], vi3 = xi[j + 3 * m]
                if jm != 0 {
                    let t = (jm - 1) * 3
                    tw.rotate(&vr1, &vi1, t)
                    tw.rotate(&vr2, &vi2, t + 1)
                    tw.rotate(&vr3, &vi3, t + 2)
                }
                // 4-point DFT with w = -i.
                let sr02 = vr0 + vr2, si02 = vi0 + vi2, dr02 = vr0 - vr2, di02 = vi0 - vi2
                let sr13 = vr1 + vr3, si13 = vi1 + vi3, dr13 = vr1 - vr3, di13 = vi1 - vi3
                yr[out] = sr02 + sr13; yi[out] = si02 + si13
                yr[out + span] = dr02 + di13; yi[out + span] = di02 - dr13
                yr[out + 2 * span] = sr02 - sr13; yi[out + 2 * span] = si02 - si13
                yr[out + 3 * span] = dr02 - di13; yi[out + 3 * span] = di02 + dr13
            }
        }
    }

    private static func radix2(_ xr: UnsafeMutablePointer<FFTLanes>, _ xi: UnsafeMutablePointer<FFTLanes>,
                               _ yr: UnsafeMutablePointer<FFTLanes>, _ yi: UnsafeMutablePointer<FFTLanes>,
                               n: Int, span: Int, _ tw: Twiddles) {
        let m = n / 2
        for base in stride(from: 0, to: m, by: span) {
            for jm in 0..<span {
                let j = base + jm, out = base * 2 + jm
                let ar = xr[j], ai = xi[j]
                var br = xr[j + m], bi = xi[j + m]
                if jm != 0 { tw.rotate(&br, &bi, jm - 1) }
                yr[out] = ar + br; yi[out] = ai + bi
                yr[out + span] = ar - br; yi[out + span] = ai - bi
            }
        }
    }

    private static func radix3(_ xr: UnsafeMutablePointer<FFTLanes>, _ xi: UnsafeMutablePointer<FFTLanes>,
                               _ yr: UnsafeMutablePointer<FFTLanes>, _ yi: UnsafeMutablePointer<FFTLanes>,
                               n: Int, span: Int, _ tw: Twiddles) {
        let m = n / 3
        let h = FFTLanes(repeating: 0.75.squareRoot()), half = FFTLanes(repeating: 0.5)
        for base in stride(from: 0, to: m, by: span) {
            for jm in 0..<span {
                let j = base + jm, out = base * 3 + jm
                var br = xr[j + m], bi = xi[j + m], cr = xr[j + 2 * m], ci = xi[j + 2 * m]
                if jm != 0 {
                    let t = (jm - 1) * 2
                    tw.rotate(&br, &bi, t)
                    tw.rotate(&cr, &ci, t + 1)
                }
                // w = exp(-2 pi i / 3) = -1/2 - i sqrt(3)/2.
                let ar = xr[j], ai = xi[j]
                let sr = br + cr, si = bi + ci
                let mr = ar - half * sr, mi = ai - half * si
                let dr = h * (br - cr), di = h * (bi - ci)
                yr[out] = ar + sr; yi[out] = ai + si
                yr[out + span] = mr + di; yi[out + span] = mi - dr
                yr[out + 2 * span] = mr - di; yi[out + 2 * span] = mi + dr
            }
        }
    }

    private static func radix5(_ xr: UnsafeMutablePointer<FFTLanes>, _ xi: UnsafeMutablePointer<FFTLanes>,
                               _ yr: UnsafeMutablePointer<FFTLanes>, _ yi: UnsafeMutablePointer<FFTLanes>,
                               n: Int, span: Int, _ tw: Twiddles) {
        let m = n / 5
        // w = exp(-2 pi i / 5): y_k = a0 + sum_r w^(r k) a_r from the symmetric sums a1 +- a4, a2 +- a3.
        let c1 = FFTLanes(repeating: cos(2 * Double.pi / 5)), c2 = FFTLanes(repeating: cos(4 * Double.pi / 5))
        let s1 = FFTLanes(repeating: sin(2 * Double.pi / 5)), s2 = FFTLanes(repeating: sin(4 * Double.pi / 5))
        for base in stride(from: 0, to: m, by: span) {
            for jm in 0..<span {
                let j = base + jm, out = base * 5 + jm
                var vr1 = xr[j + m], vi1 = xi[j + m], vr2 = xr[j + 2 * m], vi2 = xi[j + 2 * m]
                var vr3 = xr[j + 3 * m], vi3 = xi[j + 3 * m], vr4 = xr[j + 4 * m], vi4 = xi[j + 4 * m]
                if jm != 0 {
                    let t = (jm - 1) * 4
                    tw.rotate(&vr1, &vi1, t)
                    tw.rotate(&vr2, &vi2, t + 1)
                    tw.rotate(&vr3, &vi3, t + 2)
                    tw.rotate(&vr4, &vi4, t + 3)
                }
                let ar = xr[j], ai = xi[j]
                let pr1 = vr1 + vr4, pi1 = vi1 + vi4, qr1 = vr1 - vr4, qi1 = vi1 - vi4
                let pr2 = vr2 + vr3, pi2 = vi2 + vi3, qr2 = vr2 - vr3, qi2 = vi2 - vi3
                let ur1 = ar + c1 * pr1 + c2 * pr2, ui1 = ai + c1 * pi1 + c2 * pi2
                let ur2 = ar + c2 * pr1 + c1 * pr2, ui2 = ai + c2 * pi1 + c1 * pi2
                let wr1 = s1 * qr1 + s2 * qr2, wi1 = s1 * qi1 + s2 * qi2
                let wr2 = s2 * qr1 - s1 * qr2, wi2 = s2 * qi1 - s1 * qi2
                yr[out] = ar + pr1 + pr2; yi[out] = ai + pi1 + pi2
                yr[out + span] = ur1 + wi1; yi[out + span] = ui1 - wr1
                yr[out + 4 * span] = ur1 - wi1; yi[out + 4 * span] = ui1 + wr1
                yr[out + 2 * span] = ur2 + wi2; yi[out + 2 * span] = ui2 - wr2
                yr[out + 3 * span] = ur2 - wi2; yi[out + 3 * span] = ui2 + wr2
            }
        }
    }

    /// The transform of one line (in lane 0 of a batch): for tests and small uses.
    func forward(re: [Double], im: [Double]) -> (re: [Double], im: [Double]) {
        precondition(re.count == n && im.count == n)
        let buffer = UnsafeMutablePointer<FFTLanes>.allocate(capacity: 4 * n)
        defer { buffer.deallocate() }
        for t in 0..<n {
            buffer[t] = FFTLanes(re[t], 0, 0, 0)
            buffer[n + t] = FFTLanes(im[t], 0, 0, 0)
        }
        forward(buffer, buffer + n, scratch: buffer + 2 * n)
        return ((0..<n).map { buffer[$0][0] }, (0..<n).map { buffer[n + $0][0] })
    }
}
