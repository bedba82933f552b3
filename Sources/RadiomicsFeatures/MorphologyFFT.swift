import Foundation

// A small exact complex FFT for the spatial autocorrelation features (Moran's I, Geary's C).
//
// Self-sorting mixed-radix (Stockham) formulation: each stage of radix p reads x[j + r n/p],
// applies the twiddles exp(-2 pi i r (j mod L) / (L p)) (L: product of the earlier radices),
// does a p-point DFT and writes y[(j / L) L p + (j mod L) + r L]; after the last stage the result
// is in natural order. Radices 4, 2, 3 and 5 have their own butterflies; any other prime factor
// uses a direct p-point DFT, so every length works (lengths are chosen 2,3,5-smooth).
// The 3D transforms skip work that zero-padding makes useless: lines that are all zero before a
// forward transform, and lines whose results are not read after an inverse one.

struct MorphologyFFT {
    let n: Int
    let radices: [Int]
    /// exp(-2 pi i k / n), k = 0..<n.
    private let cosTable: [Double]
    private let sinTable: [Double]

    init(length n: Int) {
        precondition(n >= 1)
        self.n = n
        var r: [Int] = []
        var m = n
        while m % 4 == 0 { r.append(4); m /= 4 }
        for p in [2, 3, 5] { while m % p == 0 { r.append(p); m /= p } }
        var p = 7
        while m > 1 {
            while m % p == 0 { r.append(p); m /= p }
            p += 2
        }
        radices = r
        var c = [Double](repeating: 1, count: n), s = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let angle = -2 * Double.pi * Double(k) / Double(n)
            c[k] = cos(angle)
            s[k] = sin(angle)
        }
        cosTable = c
        sinTable = s
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

    /// Forward transform (sign -1) of the `n` values at `re`/`im` with the given stride, in
    /// place. `scratch` must hold 4 n doubles.
    func forward(_ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>, stride: Int,
                 scratch: UnsafeMutablePointer<Double>) {
        if n == 1 { return }
        var xr = scratch, xi = scratch + n, yr = scratch + 2 * n, yi = scratch + 3 * n
        for k in 0..<n { xr[k] = re[k * stride]; xi[k] = im[k * stride] }
        let ct = cosTable, st = sinTable
        ct.withUnsafeBufferPointer { cw in
            st.withUnsafeBufferPointer { sw in
                var span = 1
                for p in radices {
                    let m = n / p
                    let twiddleUnit = n / (span * p)
                    switch p {
                    case 2:
                        for j in 0..<m {
                            let jm = j % span
                            let t = jm * twiddleUnit
                            let ar = xr[j], ai = xi[j]
                            let br0 = xr[j + m], bi0 = xi[j + m]
                            let br = br0 * cw[t] - bi0 * sw[t], bi = br0 * sw[t] + bi0 * cw[t]
                            let out = (j - jm) * 2 + jm
                            yr[out] = ar + br; yi[out] = ai + bi
                            yr[out + span] = ar - br; yi[out + span] = ai - bi
                        }
                    case 4:
                        for j in 0..<m {
                            let jm = j % span
                            let t = jm * twiddleUnit
                            let vr0 = xr[j], vi0 = xi[j]
                            var vr1 = xr[j + m], vi1 = xi[j + m]
                            var vr2 = xr[j + 2 * m], vi2 = xi[j + 2 * m]
                            var vr3 = xr[j + 3 * m], vi3 = xi[j + 3 * m]
                            if t != 0 {
                                let t2 = 2 * t, t3 = 3 * t
                                (vr1, vi1) = (vr1 * cw[t] - vi1 * sw[t], vr1 * sw[t] + vi1 * cw[t])
                                (vr2, vi2) = (vr2 * cw[t2] - vi2 * sw[t2], vr2 * sw[t2] + vi2 * cw[t2])
                                (vr3, vi3) = (vr3 * cw[t3] - vi3 * sw[t3], vr3 * sw[t3] + vi3 * cw[t3])
                            }
                            // 4-point DFT with w = -i.
                            let sr02 = vr0 + vr2, si02 = vi0 + vi2, dr02 = vr0 - vr2, di02 = vi0 - vi2
                            let sr13 = vr1 + vr3, si13 = vi1 + vi3, dr13 = vr1 - vr3, di13 = vi1 - vi3
                            let out = (j - jm) * 4 + jm
                            yr[out] = sr02 + sr13; yi[out] = si02 + si13
                            yr[out + span] = dr02 + di13; yi[out + span] = di02 - dr13
                            yr[out + 2 * span] = sr02 - sr13; yi[out + 2 * span] = si02 - si13
                            yr[out + 3 * span] = dr02 - di13; yi[out + 3 * span] = di02 + dr13
                        }
                    case 3:
                        let h = 0.75.squareRoot()
                        for j in 0..<m {
                            let jm = j % span
                            let t = jm * twiddleUnit
                            var br = xr[j + m], bi = xi[j + m], cr = xr[j + 2 * m], ci = xi[j + 2 * m]
                            if t != 0 {
                                let t2 = 2 * t
                                (br, bi) = (br * cw[t] - bi * sw[t], br * sw[t] + bi * cw[t])
                                (cr, ci) = (cr * cw[t2] - ci * sw[t2], cr * sw[t2] + ci * cw[t2])
                            }
                            // w = exp(-2 pi i / 3) = -1/2 - i sqrt(3)/2.
                            let ar = xr[j], ai = xi[j]
                            let sr = br + cr, si = bi + ci
                            let mr = ar - 0.5 * sr, mi = ai - 0.5 * si
                            let dr = h * (br - cr), di = h * (bi - ci)
                            let out = (j - jm) * 3 + jm
                            yr[out] = ar + sr; yi[out] = ai + si
                            yr[out + span] = mr + di; yi[out + span] = mi - dr
                            yr[out + 2 * span] = mr - di; yi[out + 2 * span] = mi + dr
                        }
                    case 5:
                        let c1 = cos(2 * Double.pi / 5), c2 = cos(4 * Double.pi / 5)
                        let s1 = sin(2 * Double.pi / 5), s2 = sin(4 * Double.pi / 5)
                        for j in 0..<m {
                            let jm = j % span
                            let t = jm * twiddleUnit
                            var vr1 = xr[j + m], vi1 = xi[j + m], vr2 = xr[j + 2 * m], vi2 = xi[j + 2 * m]
                            var vr3 = xr[j + 3 * m], vi3 = xi[j + 3 * m], vr4 = xr[j + 4 * m], vi4 = xi[j + 4 * m]
                            if t != 0 {
                                let t2 = 2 * t, t3 = 3 * t, t4 = 4 * t
                                (vr1, vi1) = (vr1 * cw[t] - vi1 * sw[t], vr1 * sw[t] + vi1 * cw[t])
                                (vr2, vi2) = (vr2 * cw[t2] - vi2 * sw[t2], vr2 * sw[t2] + vi2 * cw[t2])
                                (vr3, vi3) = (vr3 * cw[t3] - vi3 * sw[t3], vr3 * sw[t3] + vi3 * cw[t3])
                                (vr4, vi4) = (vr4 * cw[t4] - vi4 * sw[t4], vr4 * sw[t4] + vi4 * cw[t4])
                            }
                            // Pairs r, 5 - r share cosines: X_k = a0 + sum c (a_r + a_5-r) - i sum s (a_r - a_5-r).
                            let ar = xr[j], ai = xi[j]
                            let pr1 = vr1 + vr4, pi1 = vi1 + vi4, qr1 = vr1 - vr4, qi1 = vi1 - vi4
                            let pr2 = vr2 + vr3, pi2 = vi2 + vi3, qr2 = vr2 - vr3, qi2 = vi2 - vi3
                            let ur1 = ar + c1 * pr1 + c2 * pr2, ui1 = ai + c1 * pi1 + c2 * pi2
                            let ur2 = ar + c2 * pr1 + c1 * pr2, ui2 = ai + c2 * pi1 + c1 * pi2
                            let wr1 = s1 * qr1 + s2 * qr2, wi1 = s1 * qi1 + s2 * qi2
                            let wr2 = s2 * qr1 - s1 * qr2, wi2 = s2 * qi1 - s1 * qi2
                            let out = (j - jm) * 5 + jm
                            yr[out] = ar + pr1 + pr2; yi[out] = ai + pi1 + pi2
                            yr[out + span] = ur1 + wi1; yi[out + span] = ui1 - wr1
                            yr[out + 4 * span] = ur1 - wi1; yi[out + 4 * span] = ui1 + wr1
                            yr[out + 2 * span] = ur2 + wi2; yi[out + 2 * span] = ui2 - wr2
                            yr[out + 3 * span] = ur2 - wi2; yi[out + 3 * span] = ui2 + wr2
                        }
                    default:
                        // Direct p-point DFT; its roots exp(-2 pi i q / p) are table entries q n / p.
                        let rootUnit = n / p
                        for j in 0..<m {
                            let jm = j % span
                            let t = jm * twiddleUnit
                            let out = (j - jm) * p + jm
                            for k in 0..<p {
                                var sr = 0.0, si = 0.0
                                for r in 0..<p {
                                    // Twiddle and root combined: exp(-2 pi i (r t / n + r k / p)).
                                    let index = (r * t + ((r * k) % p) * rootUnit) % n
                                    let ar = xr[j + r * m], ai = xi[j + r * m]
                                    sr += ar * cw[index] - ai * sw[index]
                                    si += ar * sw[index] + ai * cw[index]
                                }
                                yr[out + k * span] = sr
                                yi[out + k * span] = si
                            }
                        }
                    }
                    swap(&xr, &yr)
                    swap(&xi, &yi)
                    span *= p
                }
            }
        }
        for k in 0..<n { re[k * stride] = xr[k]; im[k * stride] = xi[k] }
    }
}

/// A complex 3D array (split real and imaginary parts, x fastest) with forward and inverse FFTs.
struct ComplexVolume {
    let size: SIMD3<Int>
    var re: [Double]
    var im: [Double]

    init(size: SIMD3<Int>) {
        self.size = size
        re = [Double](repeating: 0, count: size.x * size.y * size.z)
        im = re
    }

    /// Forward 3D DFT, in place, of an array that is zero outside the block [0, support).
    mutating func forward(support: SIMD3<Int>) {
        let nx = size.x, ny = size.y, nz = size.z
        let ey = min(support.y, ny), ez = min(support.z, nz)
        withAxes { fx, fy, fz, r, i, scratch in
            if nx > 1 { for z in 0..<ez { for y in 0..<ey { let o = nx * (y + ny * z); fx.forward(r + o, i + o, stride: 1, scratch: scratch) } } }
            if ny > 1 { for z in 0..<ez { for x in 0..<nx { let o = x + nx * ny * z; fy.forward(r + o, i + o, stride: nx, scratch: scratch) } } }
            if nz > 1 { for o in 0..<(nx * ny) { fz.forward(r + o, i + o, stride: nx * ny, scratch: scratch) } }
        }
    }

    /// Inverse 3D DFT (normalised by 1 / N), in place, exact on the block [0, needed) only: the
    /// conjugate of the forward transform of the conjugate.
    mutating func inverse(needed: SIMD3<Int>) {
        let nx = size.x, ny = size.y, nz = size.z
        let ey = min(needed.y, ny), ez = min(needed.z, nz)
        let count = re.count
        im.withUnsafeMutableBufferPointer { p in for k in 0..<count { p[k] = -p[k] } }
        withAxes { fx, fy, fz, r, i, scratch in
            if nz > 1 { for o in 0..<(nx * ny) { fz.forward(r + o, i + o, stride: nx * ny, scratch: scratch) } }
            if ny > 1 { for z in 0..<ez { for x in 0..<nx { let o = x + nx * ny * z; fy.forward(r + o, i + o, stride: nx, scratch: scratch) } } }
            if nx > 1 { for z in 0..<ez { for y in 0..<ey { let o = nx * (y + ny * z); fx.forward(r + o, i + o, stride: 1, scratch: scratch) } } }
        }
        let scale = 1 / Double(count)
        re.withUnsafeMutableBufferPointer { p in for k in 0..<count { p[k] *= scale } }
        im.withUnsafeMutableBufferPointer { p in for k in 0..<count { p[k] = -p[k] * scale } }
    }

    /// DFT of a real array `values` of this size that is even along every axis
    /// (v[x] = v[n - x]): its transform is real and even too. Two lines go through one complex
    /// transform, one as the real part and one as the imaginary part; as both transforms are
    /// real they come out as the real and imaginary parts of the result.
    func realEvenTransform(_ values: inout [Double]) {
        let nx = size.x, ny = size.y, nz = size.z
        let fx = MorphologyFFT(length: nx), fy = MorphologyFFT(length: ny), fz = MorphologyFFT(length: nz)
        let longest = max(nx, ny, nz)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 6 * longest)
        defer { scratch.deallocate() }
        let lineRe = scratch + 4 * longest, lineIm = scratch + 5 * longest
        values.withUnsafeMutableBufferPointer { vp in
            let v = vp.baseAddress!
            func pass(_ f: MorphologyFFT, _ n: Int, _ stride: Int, _ starts: [Int]) {
                if n == 1 { return }
                var k = 0
                while k < starts.count {
                    let a = v + starts[k]
                    let b: UnsafeMutablePointer<Double>? = k + 1 < starts.count ? v + starts[k + 1] : nil
                    for t in 0..<n { lineRe[t] = a[t * stride]; lineIm[t] = b?[t * stride] ?? 0 }
                    f.forward(lineRe, lineIm, stride: 1, scratch: scratch)
                    for t in 0..<n { a[t * stride] = lineRe[t] }
                    if let b { for t in 0..<n { b[t * stride] = lineIm[t] } }
                    k += 2
                }
            }
            pass(fx, nx, 1, (0..<(ny * nz)).map { $0 * nx })
            pass(fy, ny, nx, (0..<nz).flatMap { z in (0..<nx).map { $0 + nx * ny * z } })
            pass(fz, nz, nx * ny, Array(0..<(nx * ny)))
        }
    }

    private mutating func withAxes(_ body: (MorphologyFFT, MorphologyFFT, MorphologyFFT, UnsafeMutablePointer<Double>,
                                            UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void) {
        let fx = MorphologyFFT(length: size.x), fy = MorphologyFFT(length: size.y), fz = MorphologyFFT(length: size.z)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 4 * max(size.x, size.y, size.z))
        defer { scratch.deallocate() }
        re.withUnsafeMutableBufferPointer { rp in
            im.withUnsafeMutableBufferPointer { ip in
                body(fx, fy, fz, rp.baseAddress!, ip.baseAddress!, scratch)
            }
        }
    }
}
