import Foundation
import RadiomicsCore

// Moran's I and Geary's C sums in the frequency domain, exact up to rounding, in O(M log M) for
// a zero-padded bounding block of M cells.
//
// On the ROI's bounding block of extent e, take three real fields: the indicator m, the
// deviations g = (X - mu) m and their squares h = g^2. With the inverse-distance kernel
// K(delta) = 1 / |delta| (mm), K(0) = 0, the sums of MorphologyAutocorrelation.swift are
//   W = sum m (K * m),   S = sum g (K * g),   T = sum_k d_k^2 r_k = sum h (K * m).
// Zero-padded to P >= 2 e - 1 cells per axis, the circular convolution on the P-periodic grid
// equals the linear one on the block, and by Parseval's theorem, for real a and b,
//   sum a (K * b) = 1/M sum_w K^(w) Re(a^(w) conj(b^(w))),
// where ^ is the DFT and K^ is real because K is even along every axis. So no inverse transform
// is needed: three forward transforms of real fields and the kernel's spectrum suffice.
//
// The work is arranged around that:
// - x: every row of the three fields is a real line; two rows go through one complex transform
//   (as real and imaginary part) and are separated by Hermitian symmetry, keeping the
//   P_x / 2 + 1 frequencies w_x >= 0. The summand is even in w (a^ of a real field is
//   Hermitian), so the other half counts twice.
// - y and z: for each w_x plane on its own, the complex transforms along y, then along z,
//   accumulating the three sums at once; a plane's spectrum is never stored whole.
// - The kernel is even along every axis, so its spectrum is a cosine transform of the octant
//   delta >= 0, needed on the octant w >= 0 only; it goes through the same passes, two
//   even lines per complex transform.
// Planes are independent: they are shared out in fixed chunks whose partial sums are added in
// chunk order, so the result does not depend on the number of threads.

extension SpatialAutocorrelation {
    /// Sums by the frequency-domain method above.
    static func fourierSums(_ s: Samples, spacing: SIMD3<Double>) -> AutocorrelationSums {
        let n = s.values.count
        guard n > 0 else { return AutocorrelationSums(count: 0, weightSum: 0, cross: 0, squaredDifferences: 0, deviation: 0) }
        var lo = s.coordinates[0], hi = s.coordinates[0]
        for c in s.coordinates { lo = pointwiseMin(lo, c); hi = pointwiseMax(hi, c) }
        var mean = 0.0
        for v in s.values { mean += v }
        mean /= Double(n)
        var deviation = 0.0
        for v in s.values { deviation += (v - mean) * (v - mean) }

        let plan = SpectralPlan(extent: SIMD3(Int(hi.x - lo.x) + 1, Int(hi.y - lo.y) + 1, Int(hi.z - lo.z) + 1), spacing: spacing)
        let fields = plan.rowFields(s, origin: lo, mean: mean)
        defer { fields.indicator.deallocate(); fields.deviation.deallocate() }
        let sums = plan.sums(fields)
        let cross = sums.s
        return AutocorrelationSums(count: n, weightSum: sums.w, cross: cross, squaredDifferences: 2 * sums.t - 2 * cross,
                                   deviation: deviation)
    }
}

/// Memory the passes share between threads: each thread writes disjoint parts.
private final class SharedBuffer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Double>
    let count: Int
    /// `zeroed: false` for buffers that the passes write in full before reading: zeroing tens
    /// of megabytes first costs as much as a texture family.
    init(count: Int, zeroed: Bool = true) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }
    func deallocate() { pointer.deallocate() }
}

/// Per-chunk partial sums, added in chunk order at the end.
private final class PartialSums: @unchecked Sendable {
    let values: UnsafeMutablePointer<SIMD3<Double>>
    let count: Int
    init(count: Int) {
        self.count = count
        values = .allocate(capacity: count)
        values.initialize(repeating: .zero, count: count)
    }
    deinit { values.deallocate() }
}

/// Sizes and transforms of one block.
private struct SpectralPlan: Sendable {
    /// Extent of the ROI's bounding block.
    let e: SIMD3<Int>
    /// Padded lengths, 2,3,5-smooth and >= 2 e - 1.
    let p: SIMD3<Int>
    /// Frequencies kept per axis: 0...P/2.
    let h: SIMD3<Int>
    /// Rows of z (and of the kernel's delta_z) rounded up to a multiple of 8: the x pass takes
    /// eight rows per transform (four lanes, real and imaginary parts), the y pass four.
    let zRows: Int
    let spacing: SIMD3<Double>
    let fx: MorphologyFFT, fy: MorphologyFFT, fz: MorphologyFFT

    init(extent e: SIMD3<Int>, spacing: SIMD3<Double>) {
        self.e = e
        p = SIMD3(MorphologyFFT.smoothLength(atLeast: 2 * e.x - 1), MorphologyFFT.smoothLength(atLeast: 2 * e.y - 1),
                  MorphologyFFT.smoothLength(atLeast: 2 * e.z - 1))
        h = p / 2 &+ 1
        zRows = (e.z + 7) / 8 * 8
        self.spacing = spacing
        fx = MorphologyFFT(length: p.x)
        fy = MorphologyFFT(length: p.y)
        fz = MorphologyFFT(length: p.z)
    }

    /// The indicator and deviation of every block voxel, rows along x, indexed
    /// x + e_x (z + zRows y): the x pass gathers eight rows of one y at a time.
    func rowFields(_ s: SpatialAutocorrelation.Samples, origin: SIMD3<Int32>, mean: Double) -> (indicator: SharedBuffer, deviation: SharedBuffer) {
        let count = e.x * zRows * e.y
        let indicator = SharedBuffer(count: count), deviation = SharedBuffer(count: count)
        for k in 0..<s.values.count {
            let c = s.coordinates[k] &- origin
            let i = Int(c.x) + e.x * (Int(c.z) + zRows * Int(c.y))
            indicator.pointer[i] = 1
            deviation.pointer[i] = s.values[k] - mean
        }
        return (indicator, deviation)
    }

    /// W, S and T (see the file's comment).
    func sums(_ fields: (indicator: SharedBuffer, deviation: SharedBuffer)) -> (w: Double, s: Double, t: Double) {
        // x pass of the fields: for field f (m, g, h), spectra at (w_x, y, z), z fastest.
        let planeCells = e.y * zRows
        // Both are written in full by the x passes (all zRows rows of every plane).
        let spectra = (0..<3).map { _ in
            (re: SharedBuffer(count: h.x * planeCells, zeroed: false), im: SharedBuffer(count: h.x * planeCells, zeroed: false))
        }
        // x pass of the kernel: real, at (w_x, delta_y, delta_z), delta_z fastest.
        let kernelX = SharedBuffer(count: h.x * planeCells, zeroed: false)
        defer {
            for f in spectra { f.re.deallocate(); f.im.deallocate() }
            kernelX.deallocate()
        }
        let rowChunk = max(1, (e.y + 15) / 16)
        let plan = self
        Parallel.forEachChunk((e.y + rowChunk - 1) / rowChunk) { chunk in
            let lines = LineBuffers(length: plan.p.x)
            defer { lines.deallocate() }
            for y in (chunk * rowChunk)..<min(plan.e.y, (chunk + 1) * rowChunk) {
                for f in 0..<3 { plan.xPass(field: f, y: y, fields, into: spectra[f], lines) }
                plan.kernelXPass(deltaY: y, into: kernelX, lines)
            }
        }
        // y and z passes, plane by plane.
        let planeChunk = max(1, (h.x + 15) / 16)
        let chunkCount = (h.x + planeChunk - 1) / planeChunk
        let partial = PartialSums(count: chunkCount)
        Parallel.forEachChunk(chunkCount) { chunk in
            let scratch = PlaneScratch(plan)
            defer { scratch.deallocate() }
            var total = SIMD3<Double>.zero
            for wx in (chunk * planeChunk)..<min(plan.h.x, (chunk + 1) * planeChunk) {
                // w_x and P_x - w_x contribute alike; 0 and (for even P_x) P_x / 2 are their own mirror.
                let weight: Double = wx == 0 || 2 * wx == plan.p.x ? 1 : 2
                total += weight * plan.plane(wx, spectra, kernelX, scratch)
            }
            partial.values[chunk] = total
        }
        var total = SIMD3<Double>.zero
        for c in 0..<chunkCount { total += partial.values[c] }
        let cells = Double(p.x) * Double(p.y) * Double(p.z)
        return (total[0] / cells, total[1] / cells, total[2] / cells)
    }

    /// Transforms along x the rows (y, z) of field f (0: indicator, 1: deviation, 2: squared
    /// deviation), eight rows per complex transform, and stores frequencies 0...P_x/2.
    func xPass(field f: Int, y: Int, _ fields: (indicator: SharedBuffer, deviation: SharedBuffer),
               into out: (re: SharedBuffer, im: SharedBuffer), _ lines: LineBuffers) {
        let n = p.x, ex = e.x
        let source = f == 0 ? fields.indicator.pointer : fields.deviation.pointer
        let br = lines.re, bi = lines.im
        for z0 in stride(from: 0, to: min(e.z, zRows), by: 8) {
            let row = source + ex * (z0 + zRows * y)
            for t in 0..<ex {
                var a = FFTLanes(row[t], row[ex + t], row[2 * ex + t], row[3 * ex + t])
                var b = FFTLanes(row[4 * ex + t], row[5 * ex + t], row[6 * ex + t], row[7 * ex + t])
                if f == 2 { a = a * a; b = b * b }
                br[t] = a
                bi[t] = b
            }
            for t in ex..<n { br[t] = .zero; bi[t] = .zero }
            fx.forward(br, bi, scratch: lines.scratch, nonzero: ex)
            // Z = A + i B with A, B the transforms of the real rows: A(k) = (Z(k) + conj Z(-k)) / 2,
            // B(k) = (Z(k) - conj Z(-k)) / (2 i).
            for k in 0..<h.x {
                let k2 = k == 0 ? 0 : n - k
                let zr = br[k], zi = bi[k], wr = br[k2], wi = bi[k2]
                let at = (k * e.y + y) * zRows + z0
                store(0.5 * (zr + wr), out.re.pointer + at)
                store(0.5 * (zi - wi), out.im.pointer + at)
                store(0.5 * (zi + wi), out.re.pointer + at + 4)
                store(0.5 * (wr - zr), out.im.pointer + at + 4)
            }
        }
    }

    /// The kernel's x pass for one delta_y: the real even lines delta_x -> K(|delta_x|, delta_y,
    /// delta_z), whose transforms are real (cosine transforms).
    func kernelXPass(deltaY dy: Int, into out: SharedBuffer, _ lines: LineBuffers) {
        let n = p.x, ex = e.x
        let br = lines.re, bi = lines.im
        let yy = Double(dy) * spacing.y
        for z0 in stride(from: 0, to: min(e.z, zRows), by: 8) {
            for t in 0..<n { br[t] = .zero; bi[t] = .zero }
            for dx in 0..<ex {
                let xx = Double(dx) * spacing.x
                var a = FFTLanes.zero, b = FFTLanes.zero
                for j in 0..<8 where z0 + j < e.z {
                    let zz = Double(z0 + j) * spacing.z
                    let r2 = xx * xx + yy * yy + zz * zz
                    let k = r2 > 0 ? 1 / r2.squareRoot() : 0
                    if j < 4 { a[j] = k } else { b[j - 4] = k }
                }
                br[dx] = a; bi[dx] = b
                if dx > 0 { br[n - dx] = a; bi[n - dx] = b }
            }
            fx.forward(br, bi, scratch: lines.scratch)
            for k in 0..<h.x {
                let k2 = k == 0 ? 0 : n - k
                let at = (k * e.y + dy) * zRows + z0
                store(0.5 * (br[k] + br[k2]), out.pointer + at)
                store(0.5 * (bi[k] + bi[k2]), out.pointer + at + 4)
            }
        }
    }

    /// The contribution of plane w_x to (W, S, T), times M.
    func plane(_ wx: Int, _ spectra: [(re: SharedBuffer, im: SharedBuffer)], _ kernelX: SharedBuffer,
               _ s: PlaneScratch) -> SIMD3<Double> {
        let ey = e.y, ez = e.z, ny = p.y, nz = p.z
        let planeOffset = wx * ey * zRows
        let zGroups = (ez + 3) / 4

        // Kernel: y pass over delta_y for every delta_z (eight per transform: lanes of the real
        // and imaginary parts), then z pass over delta_z for every w_y <= P_y / 2.
        let kx = kernelX.pointer + planeOffset
        for z0 in stride(from: 0, to: ez, by: 8) {
            let br = s.lines.re, bi = s.lines.im
            for t in 0..<ny { br[t] = .zero; bi[t] = .zero }
            for dy in 0..<ey {
                let a = load(kx + dy * zRows + z0), b = load(kx + dy * zRows + z0 + 4)
                br[dy] = a; bi[dy] = b
                if dy > 0 { br[ny - dy] = a; bi[ny - dy] = b }
            }
            fy.forward(br, bi, scratch: s.lines.scratch)
            for k in 0..<h.y {
                let k2 = k == 0 ? 0 : ny - k
                store(0.5 * (br[k] + br[k2]), s.kernelY + k * zRows + z0)
                store(0.5 * (bi[k] + bi[k2]), s.kernelY + k * zRows + z0 + 4)
            }
        }
        for y0 in stride(from: 0, to: h.y, by: 8) {
            let br = s.lines.re, bi = s.lines.im
            for t in 0..<nz { br[t] = .zero; bi[t] = .zero }
            for dz in 0..<ez {
                var a = FFTLanes.zero, b = FFTLanes.zero
                for j in 0..<4 {
                    if y0 + j < h.y { a[j] = s.kernelY[(y0 + j) * zRows + dz] }
                    if y0 + 4 + j < h.y { b[j] = s.kernelY[(y0 + 4 + j) * zRows + dz] }
                }
                br[dz] = a; bi[dz] = b
                if dz > 0 { br[nz - dz] = a; bi[nz - dz] = b }
            }
            fz.forward(br, bi, scratch: s.lines.scratch)
            for j in 0..<8 where y0 + j < h.y {
                let row = s.kernel + (y0 + j) * h.z
                for k in 0..<h.z {
                    let k2 = k == 0 ? 0 : nz - k
                    row[k] = j < 4 ? 0.5 * (br[k][j] + br[k2][j]) : 0.5 * (bi[k][j - 4] + bi[k2][j - 4])
                }
            }
        }

        // Fields: y pass, four z rows per transform, all P_y frequencies kept.
        for f in 0..<3 {
            let sr = spectra[f].re.pointer + planeOffset, si = spectra[f].im.pointer + planeOffset
            let yr = s.yRe[f], yi = s.yIm[f]
            for g in 0..<zGroups {
                let z0 = 4 * g
                let br = s.lines.re, bi = s.lines.im
                for t in 0..<ey {
                    br[t] = load(sr + t * zRows + z0)
                    bi[t] = load(si + t * zRows + z0)
                }
                for t in ey..<ny { br[t] = .zero; bi[t] = .zero }
                fy.forward(br, bi, scratch: s.lines.scratch, nonzero: ey)
                for k in 0..<ny {
                    store(br[k], yr + k * zRows + z0)
                    store(bi[k], yi + k * zRows + z0)
                }
            }
        }

        // Fields: z pass, four w_y lines per transform, and the sums over w_z.
        var w = FFTLanes.zero, cross = FFTLanes.zero, t = FFTLanes.zero
        for y0 in stride(from: 0, to: ny, by: 4) {
            for f in 0..<3 {
                let br = s.zRe[f], bi = s.zIm[f]
                let yr = s.yRe[f], yi = s.yIm[f]
                // Rows past P_y are zero (PlaneScratch rounds them up to a multiple of 4).
                let r0 = y0 * zRows, r1 = r0 + zRows, r2 = r1 + zRows, r3 = r2 + zRows
                for dz in 0..<ez {
                    br[dz] = FFTLanes(yr[r0 + dz], yr[r1 + dz], yr[r2 + dz], yr[r3 + dz])
                    bi[dz] = FFTLanes(yi[r0 + dz], yi[r1 + dz], yi[r2 + dz], yi[r3 + dz])
                }
                for k in ez..<nz { br[k] = .zero; bi[k] = .zero }
                fz.forward(br, bi, scratch: s.lines.scratch, nonzero: ez)
            }
            // Kernel rows of the four w_y (folded onto the octant); lanes past P_y weigh 0.
            func kernelRow(_ wy: Int) -> UnsafeMutablePointer<Double> {
                wy < ny ? s.kernel + min(wy, ny - wy) * h.z : s.zeroRow
            }
            let k0 = kernelRow(y0), k1 = kernelRow(y0 + 1), k2 = kernelRow(y0 + 2), k3 = kernelRow(y0 + 3)
            let mr = s.zRe[0], mi = s.zIm[0], gr = s.zRe[1], gi = s.zIm[1], qr = s.zRe[2], qi = s.zIm[2]
            for k in 0..<nz {
                let kz = min(k, nz - k)
                let kv = FFTLanes(k0[kz], k1[kz], k2[kz], k3[kz])
                let m0 = mr[k], m1 = mi[k], g0 = gr[k], g1 = gi[k]
                w += kv * (m0 * m0 + m1 * m1)
                cross += kv * (g0 * g0 + g1 * g1)
                t += kv * (qr[k] * m0 + qi[k] * m1)
            }
        }
        return SIMD3(w.sum(), cross.sum(), t.sum())
    }
}

@inline(__always) private func load(_ p: UnsafeMutablePointer<Double>) -> FFTLanes {
    UnsafeRawPointer(p).loadUnaligned(as: FFTLanes.self)
}

@inline(__always) private func store(_ v: FFTLanes, _ p: UnsafeMutablePointer<Double>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: FFTLanes.self)
}

/// One batch line (real and imaginary lanes) and the transform's scratch.
private struct LineBuffers {
    let re: UnsafeMutablePointer<FFTLanes>
    let im: UnsafeMutablePointer<FFTLanes>
    let scratch: UnsafeMutablePointer<FFTLanes>
    private let base: UnsafeMutablePointer<FFTLanes>

    init(length n: Int) {
        base = .allocate(capacity: 4 * n)
        base.initialize(repeating: .zero, count: 4 * n)
        re = base
        im = base + n
        scratch = base + 2 * n
    }

    func deallocate() { base.deallocate() }
}

/// What one thread needs to work through planes.
private struct PlaneScratch {
    let lines: LineBuffers
    /// Kernel after the y pass: (w_y <= P_y / 2, delta_z), delta_z fastest.
    let kernelY: UnsafeMutablePointer<Double>
    /// The plane's kernel spectrum on the octant: (w_y, w_z) for w <= P / 2, w_z fastest; rows
    /// rounded up to a multiple of 8.
    let kernel: UnsafeMutablePointer<Double>
    /// Zeros: the kernel row of lanes past the last w_y.
    let zeroRow: UnsafeMutablePointer<Double>
    /// The fields after the y pass: (w_y, z), z fastest.
    let yRe: [UnsafeMutablePointer<Double>]
    let yIm: [UnsafeMutablePointer<Double>]
    /// The fields after the z pass, for four w_y lines.
    let zRe: [UnsafeMutablePointer<FFTLanes>]
    let zIm: [UnsafeMutablePointer<FFTLanes>]
    private let doubles: UnsafeMutablePointer<Double>
    private let lanes: UnsafeMutablePointer<FFTLanes>

    init(_ plan: SpectralPlan) {
        let longest = max(plan.p.x, plan.p.y, plan.p.z)
        lines = LineBuffers(length: longest)
        let kernelYCount = plan.h.y * plan.zRows
        let kernelCount = (plan.h.y + 7) / 8 * 8 * plan.h.z
        let yCount = (plan.p.y + 3) / 4 * 4 * plan.zRows
        let total = kernelYCount + kernelCount + plan.h.z + 6 * yCount
        doubles = .allocate(capacity: total)
        doubles.initialize(repeating: 0, count: total)
        kernelY = doubles
        kernel = doubles + kernelYCount
        zeroRow = kernel + kernelCount
        let y0 = zeroRow + plan.h.z
        yRe = (0..<3).map { y0 + 2 * $0 * yCount }
        yIm = (0..<3).map { y0 + (2 * $0 + 1) * yCount }
        let nz = plan.p.z
        let l = UnsafeMutablePointer<FFTLanes>.allocate(capacity: 6 * nz)
        l.initialize(repeating: .zero, count: 6 * nz)
        lanes = l
        zRe = (0..<3).map { l + 2 * $0 * nz }
        zIm = (0..<3).map { l + (2 * $0 + 1) * nz }
    }

    func deallocate() {
        lines.deallocate()
        doubles.deallocate()
        lanes.deallocate()
    }
}
