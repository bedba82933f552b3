import Foundation

// A small exact complex FFT for the spatial autocorrelation features (Moran's I, Geary's C).
//
// Self-sorting mixed-radix (Stockham) formulation: each stage of radix p reads x[j + r n/p],
// applies the twiddles exp(-2 pi i r (j mod L) / (L p)) (L: product of the earlier radices),
// does a p-point DFT and writes y[(j / L) L p + (j mod L) + r L]; after the last stage the result
// is in natural order. Radices 4, 2, 3 and 5 have their own butterflies; any other prime factor
// uses a direct p-point DFT, so every length works (lengths are chosen 2,3,5-smooth).

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

    /// Forward 3D DFT, in place.
    mutating func forward() { transform() }

    /// Inverse 3D DFT (normalised by 1 / N), in place: the conjugate of the forward transform
    /// of the conjugate.
    mutating func inverse() {
        let count = re.count
        im.withUnsafeMutableBufferPointer { p in for k in 0..<count { p[k] = -p[k] } }
        transform()
        let scale = 1 / Double(count)
        re.withUnsafeMutableBufferPointer { p in for k in 0..<count { p[k] *= scale } }
        im.withUnsafeMutableBufferPointer { p in for k in 0..<count { p[k] = -p[k] * scale } }
    }

    private mutating func transform() {
        let nx = size.x, ny = size.y, nz = size.z
        let fx = MorphologyFFT(length: nx), fy = MorphologyFFT(length: ny), fz = MorphologyFFT(length: nz)
        let scratch = UnsafeMutablePointer<Double>.allocate(capacity: 4 * max(nx, ny, nz))
        defer { scratch.deallocate() }
        re.withUnsafeMutableBufferPointer { rp in
            im.withUnsafeMutableBufferPointer { ip in
                let r = rp.baseAddress!, i = ip.baseAddress!
                if nx > 1 {
                    for line in 0..<(ny * nz) { fx.forward(r + line * nx, i + line * nx, stride: 1, scratch: scratch) }
                }
                if ny > 1 {
                    for z in 0..<nz {
                        for x in 0..<nx {
                            let o = x + nx * ny * z
                            fy.forward(r + o, i + o, stride: nx, scratch: scratch)
                        }
                    }
                }
                if nz > 1 {
                    for o in 0..<(nx * ny) { fz.forward(r + o, i + o, stride: nx * ny, scratch: scratch) }
                }
            }
        }
    }
}
