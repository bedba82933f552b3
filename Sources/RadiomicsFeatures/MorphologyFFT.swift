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

    /// True when every radix has its own butterfly (2, 3, 4, 5), so `forward(batch:)` applies.
    var batchable: Bool { radices.allSatisfy { $0 <= 5 } }

    /// `forward` of four lines at once, one per SIMD lane: `re` and `im` hold n vectors, lane k
    /// of vector t being element t of line k. Each lane goes through exactly the operations of
    /// `forward`, in the same order, so its result is bit for bit that of `forward` on the
    /// line. `scratch` must hold 2 n vectors. Needs `batchable`.
    func forward(batch re: UnsafeMutablePointer<SIMD4<Double>>, _ im: UnsafeMutablePointer<SIMD4<Double>>,
                 scratch: UnsafeMutablePointer<SIMD4<Double>>) {
        typealias V = SIMD4<Double>
        if n == 1 { return }
        var xr = re, xi = im, yr = scratch, yi = scratch + n
        cosTable.withUnsafeBufferPointer { cw in
            sinTable.withUnsafeBufferPointer { sw in
                var span = 1
                for p in radices {
                    let m = n / p
                    let twiddleUnit = n / (span * p)
                    for base in stride(from: 0, to: m, by: span) {
                        let outBase = base * p
                        for jm in 0..<span {
                            let j = base + jm
                            let t = jm * twiddleUnit
                            let out = outBase + jm
                            switch p {
                            case 2:
                                let c = V(repeating: cw[t]), s = V(repeating: sw[t])
                                let ar = xr[j], ai = xi[j]
                                let br0 = xr[j + m], bi0 = xi[j + m]
                                let br = br0 * c - bi0 * s, bi = br0 * s + bi0 * c
                                yr[out] = ar + br; yi[out] = ai + bi
                                yr[out + span] = ar - br; yi[out + span] = ai - bi
                            case 4:
                                let vr0 = xr[j], vi0 = xi[j]
                                var vr1 = xr[j + m], vi1 = xi[j + m]
                                var vr2 = xr[j + 2 * m], vi2 = xi[j + 2 * m]
                                var vr3 = xr[j + 3 * m], vi3 = xi[j + 3 * m]
                                if t != 0 {
                                    let t2 = 2 * t, t3 = 3 * t
                                    let c1 = V(repeating: cw[t]), s1 = V(repeating: sw[t])
                                    let c2 = V(repeating: cw[t2]), s2 = V(repeating: sw[t2])
                                    let c3 = V(repeating: cw[t3]), s3 = V(repeating: sw[t3])
                                    (vr1, vi1) = (vr1 * c1 - vi1 * s1, vr1 * s1 + vi1 * c1)
                                    (vr2, vi2) = (vr2 * c2 - vi2 * s2, vr2 * s2 + vi2 * c2)
                                    (vr3, vi3) = (vr3 * c3 - vi3 * s3, vr3 * s3 + vi3 * c3)
                                }
                                let sr02 = vr0 + vr2, si02 = vi0 + vi2, dr02 = vr0 - vr2, di02 = vi0 - vi2
                                let sr13 = vr1 + vr3, si13 = vi1 + vi3, dr13 = vr1 - vr3, di13 = vi1 - vi3
                                yr[out] = sr02 + sr13; yi[out] = si02 + si13
                                yr[out + span] = dr02 + di13; yi[out + span] = di02 - dr13
                                yr[out + 2 * span] = sr02 - sr13; yi[out + 2 * span] = si02 - si13
                                yr[out + 3 * span] = dr02 - di13; yi[out + 3 * span] = di02 + dr13
                            case 3:
                                let h = V(repeating: 0.75.squareRoot()), half = V(repeating: 0.5)
                                var br = xr[j + m], bi = xi[j + m], cr = xr[j + 2 * m], ci = xi[j + 2 * m]
                                if t != 0 {
                                    let t2 = 2 * t
                                    let c1 = V(repeating: cw[t]), s1 = V(repeating: sw[t])
                                    let c2 = V(repeating: cw[t2]), s2 = V(repeating: sw[t2])
                                    (br, bi) = (br * c1 - bi * s1, br * s1 + bi * c1)
                                    (cr, ci) = (cr * c2 - ci * s2, cr * s2 + ci * c2)
                                }
                                let ar = xr[j], ai = xi[j]
                                let sr = br + cr, si = bi + ci
                                let mr = ar - half * sr, mi = ai - half * si
                                let dr = h * (br - cr), di = h * (bi - ci)
                                yr[out] = ar + sr; yi[out] = ai + si
                                yr[out + span] = mr + di; yi[out + span] = mi - dr
                                yr[out + 2 * span] = mr - di; yi[out + 2 * span] = mi + dr
                            default:
                                let c1 = V(repeating: cos(2 * Double.pi / 5)), c2 = V(repeating: cos(4 * Double.pi / 5))
                                let s1 = V(repeating: sin(2 * Double.pi / 5)), s2 = V(repeating: sin(4 * Double.pi / 5))
                                var vr1 = xr[j + m], vi1 = xi[j + m], vr2 = xr[j + 2 * m], vi2 = xi[j + 2 * m]
                                var vr3 = xr[j + 3 * m], vi3 = xi[j + 3 * m], vr4 = xr[j + 4 * m], vi4 = xi[j + 4 * m]
                                if t != 0 {
                                    let t2 = 2 * t, t3 = 3 * t, t4 = 4 * t
                                    let e1 = V(repeating: cw[t]), f1 = V(repeating: sw[t])
                                    let e2 = V(repeating: cw[t2]), f2 = V(repeating: sw[t2])
                                    let e3 = V(repeating: cw[t3]), f3 = V(repeating: sw[t3])
                                    let e4 = V(repeating: cw[t4]), f4 = V(repeating: sw[t4])
                                    (vr1, vi1) = (vr1 * e1 - vi1 * f1, vr1 * f1 + vi1 * e1)
                                    (vr2, vi2) = (vr2 * e2 - vi2 * f2, vr2 * f2 + vi2 * e2)
                                    (vr3, vi3) = (vr3 * e3 - vi3 * f3, vr3 * f3 + vi3 * e3)
                                    (vr4, vi4) = (vr4 * e4 - vi4 * f4, vr4 * f4 + vi4 * e4)
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
                    swap(&xr, &yr)
                    swap(&xi, &yi)
                    span *= p
                }
            }
        }
        if xr != re {
            re.update(from: xr, count: n)
            im.update(from: xi, count: n)
        }
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
            if nx > 1 { Self.transform(fx, r, i, stride: 1, starts: (0..<ez).flatMap { z in (0..<ey).map { nx * ($0 + ny * z) } }, scratch: scratch) }
            if ny > 1 { Self.transform(fy, r, i, stride: nx, starts: (0..<ez).flatMap { z in (0..<nx).map { $0 + nx * ny * z } }, scratch: scratch) }
            if nz > 1 { Self.transform(fz, r, i, stride: nx * ny, starts: Array(0..<(nx * ny)), scratch: scratch) }
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
            if nz > 1 { Self.transform(fz, r, i, stride: nx * ny, starts: Array(0..<(nx * ny)), scratch: scratch) }
            if ny > 1 { Self.transform(fy, r, i, stride: nx, starts: (0..<ez).flatMap { z in (0..<nx).map { $0 + nx * ny * z } }, scratch: scratch) }
            if nx > 1 { Self.transform(fx, r, i, stride: 1, starts: (0..<ez).flatMap { z in (0..<ey).map { nx * ($0 + ny * z) } }, scratch: scratch) }
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
                if f.batchable {
                    // Four pairs at a time, one per lane of the batch transform.
                    let batch = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: 4 * n)
                    defer { batch.deallocate() }
                    let br = batch, bi = batch + n
                    while k + 8 <= starts.count {
                        let a0 = v + starts[k], a1 = v + starts[k + 2], a2 = v + starts[k + 4], a3 = v + starts[k + 6]
                        let b0 = v + starts[k + 1], b1 = v + starts[k + 3], b2 = v + starts[k + 5], b3 = v + starts[k + 7]
                        for t in 0..<n {
                            let o = t * stride
                            br[t] = SIMD4(a0[o], a1[o], a2[o], a3[o])
                            bi[t] = SIMD4(b0[o], b1[o], b2[o], b3[o])
                        }
                        f.forward(batch: br, bi, scratch: batch + 2 * n)
                        for t in 0..<n {
                            let o = t * stride
                            let x = br[t], y = bi[t]
                            a0[o] = x[0]; a1[o] = x[1]; a2[o] = x[2]; a3[o] = x[3]
                            b0[o] = y[0]; b1[o] = y[1]; b2[o] = y[2]; b3[o] = y[3]
                        }
                        k += 8
                    }
                }
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

    /// Transforms in place the lines that start at `starts` (element t at start + t stride, in
    /// the real and imaginary arrays), four at a time through the batch transform where it
    /// applies, the rest one by one; either way each line gets exactly `forward`'s result.
    static func transform(_ f: MorphologyFFT, _ re: UnsafeMutablePointer<Double>, _ im: UnsafeMutablePointer<Double>,
                          stride: Int, starts: [Int], scratch: UnsafeMutablePointer<Double>) {
        let n = f.n
        var k = 0
        if f.batchable && n > 1 {
            let batch = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: 4 * n)
            defer { batch.deallocate() }
            let br = batch, bi = batch + n
            while k + 4 <= starts.count {
                let s0 = starts[k], s1 = starts[k + 1], s2 = starts[k + 2], s3 = starts[k + 3]
                if s1 == s0 + 1 && s2 == s0 + 2 && s3 == s0 + 3 {
                    // Four neighbouring lines: element t of all four is one contiguous vector.
                    let r = UnsafeMutableRawPointer(re + s0), i = UnsafeMutableRawPointer(im + s0)
                    let step = stride * MemoryLayout<Double>.stride
                    for t in 0..<n {
                        br[t] = r.loadUnaligned(fromByteOffset: t * step, as: SIMD4<Double>.self)
                        bi[t] = i.loadUnaligned(fromByteOffset: t * step, as: SIMD4<Double>.self)
                    }
                    f.forward(batch: br, bi, scratch: batch + 2 * n)
                    for t in 0..<n {
                        r.storeBytes(of: br[t], toByteOffset: t * step, as: SIMD4<Double>.self)
                        i.storeBytes(of: bi[t], toByteOffset: t * step, as: SIMD4<Double>.self)
                    }
                } else {
                    for t in 0..<n {
                        let o = t * stride
                        br[t] = SIMD4(re[s0 + o], re[s1 + o], re[s2 + o], re[s3 + o])
                        bi[t] = SIMD4(im[s0 + o], im[s1 + o], im[s2 + o], im[s3 + o])
                    }
                    f.forward(batch: br, bi, scratch: batch + 2 * n)
                    for t in 0..<n {
                        let o = t * stride
                        let x = br[t], y = bi[t]
                        re[s0 + o] = x[0]; re[s1 + o] = x[1]; re[s2 + o] = x[2]; re[s3 + o] = x[3]
                        im[s0 + o] = y[0]; im[s1 + o] = y[1]; im[s2 + o] = y[2]; im[s3 + o] = y[3]
                    }
                }
                k += 4
            }
        }
        while k < starts.count {
            f.forward(re + starts[k], im + starts[k], stride: stride, scratch: scratch)
            k += 1
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
