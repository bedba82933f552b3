import Foundation
import RadiomicsCore
#if arch(x86_64)
import _Builtin_intrinsics.intel.sse2
#endif

// Moran's I and Geary's C sums in the frequency domain, exact up to rounding, in O(M log M) for
// a zero-padded bounding block of M cells.
//
// On the ROI's bounding block of extent e, take three real fields: the indicator m, the
// deviations g = (X - mu) m and their squares h = g^2. With the inverse-distance kernel
// K(delta) = 1 / |delta| (mm), K(0) = 0, the sums that Moran's I and Geary's C need (IBSI 1,
// "Morphological features": "Moran's I index", N365, and "Geary's C measure", NPT7, with the
// inverse distance weights; RadiomicsFeatures/MorphologyAutocorrelation.swift; r_k =
// sum_l K(p_k - p_l)) are
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
//
// Data layout (FourierTransform.swift): a transform takes four lines at once, as elements of
// FFTComplex (real parts of the four lanes, then imaginary parts). The x pass's lanes are z
// rows, and it stores the spectra with the lanes still along z, so that the y pass reads its
// lines in place (strided); the y-pass output is transposed in 4 x 4 blocks so that the z pass
// gets four w_y per element. The transforms leave their frequencies permuted (`slot`): the
// x pass and the kernel's passes read frequency k and -k through it, the fields' y and z passes
// stay in slot order, and the kernel is gathered per slot for the sums.

/// The three sums of Moran's I and Geary's C over an ROI given as voxel coordinates and values.
/// The module is built twice from the same source (Package.swift): for baseline x86-64, and as
/// RadiomicsSpectralAVX2 for processors with AVX2, where the transforms work on all four lanes of
/// an element at once. Both do the same IEEE operations on every lane in the same order (no fused
/// multiply-add), so they give the same bits.
public enum AutocorrelationSpectrum {
    /// The sums by the frequency-domain method above: W (sum of 1/r over ordered pairs),
    /// S = sum (1/r) d_k d_l, T = sum_k d_k^2 r_k and D = sum d^2, with d the deviations from the
    /// mean. A tuple, so that both builds return the same type. `coordinates` are voxel indices
    /// (any origin), `spacing` in mm. At least one voxel.
    public static func sums(coordinates: [SIMD3<Int32>], values: [Double], spacing: SIMD3<Double>)
        -> (w: Double, s: Double, t: Double, deviation: Double) {
        precondition(!coordinates.isEmpty)
        let box = boundingBox(coordinates)
        return sums(coordinates: coordinates, values: values, lower: box.lower, upper: box.upper, spacing: spacing)
    }

    /// The same when the caller knows the coordinates' bounding box (`lower`...`upper`).
    public static func sums(coordinates: [SIMD3<Int32>], values: [Double], lower lo: SIMD3<Int32>,
                            upper hi: SIMD3<Int32>, spacing: SIMD3<Double>)
        -> (w: Double, s: Double, t: Double, deviation: Double) {
        let n = values.count
        precondition(n > 0 && coordinates.count == n)
        var mean = 0.0
        for v in values { mean += v }
        mean /= Double(n)
        var deviation = 0.0
        for v in values { deviation += (v - mean) * (v - mean) }

        let plan = SpectralPlan(extent: SIMD3(Int(hi.x - lo.x) + 1, Int(hi.y - lo.y) + 1, Int(hi.z - lo.z) + 1), spacing: spacing)
        let fields = plan.rowFields(coordinates: coordinates, values: values, origin: lo, mean: mean)
        defer { fields.indicator.deallocate(); fields.deviation.deallocate() }
        let sums = plan.sums(fields)
        return (sums.w, sums.s, sums.t, deviation)
    }

    /// The smallest and largest coordinate on each axis.
    public static func boundingBox(_ coordinates: [SIMD3<Int32>]) -> (lower: SIMD3<Int32>, upper: SIMD3<Int32>) {
        var lo = coordinates.first ?? .zero, hi = lo
        coordinates.withUnsafeBufferPointer { coordinates in
            var x = (lo.x, hi.x), y = (lo.y, hi.y), z = (lo.z, hi.z)
            for c in coordinates {
                x = (min(x.0, c.x), max(x.1, c.x))
                y = (min(y.0, c.y), max(y.1, c.y))
                z = (min(z.0, c.z), max(z.1, c.z))
            }
            (lo, hi) = (SIMD3(x.0, y.0, z.0), SIMD3(x.1, y.1, z.1))
        }
        return (lo, hi)
    }

    /// Padded lengths for a block of extent e: per axis one of the first 2,3,5-smooth lengths
    /// >= 2 e - 1 (any of them makes the circular convolution linear), the combination for
    /// which `cost` is least. The transforms' cost depends on the radices as much as on the
    /// length, and the passes weigh the axes differently.
    public static func paddedLengths(extent e: SIMD3<Int>) -> SIMD3<Int> {
        // Per axis, the candidate lengths with the cost of one transform of each.
        func candidates(_ n: Int) -> [(length: Int, cost: Double)] {
            var out: [(length: Int, cost: Double)] = [], m = MorphologyFFT.smoothLength(atLeast: n)
            while out.count < 5 && m <= 2 * max(n, 8) {
                out.append((m, MorphologyFFT.cost(length: m)))
                m = MorphologyFFT.smoothLength(atLeast: m + 1)
            }
            return out
        }
        var best = SIMD3(0, 0, 0), bestCost = Double.infinity
        for x in candidates(2 * e.x - 1) {
            for y in candidates(2 * e.y - 1) {
                for z in candidates(2 * e.z - 1) {
                    let p = SIMD3(x.length, y.length, z.length)
                    let c = cost(extent: e, padded: p, transforms: SIMD3(x.cost, y.cost, z.cost))
                    if c < bestCost { (best, bestCost) = (p, c) }
                }
            }
        }
        return best
    }

    /// Instructions `SpectralPlan.sums` takes, by the transforms' cost (MorphologyFFT.cost) and the lines
    /// each pass transforms: the x pass (three fields and the kernel, per row octet), then per
    /// w_x plane the y pass (three fields per z quad, the kernel per z octet, with the
    /// transposes after it) and the z pass (three fields per w_y quad with the accumulation,
    /// the kernel per eight w_y).
    /// `transforms`: the cost of one transform along each axis, when already known.
    static func cost(extent e: SIMD3<Int>, padded p: SIMD3<Int>, transforms: SIMD3<Double>? = nil) -> Double {
        let t = transforms ?? SIMD3(MorphologyFFT.cost(length: p.x), MorphologyFFT.cost(length: p.y), MorphologyFFT.cost(length: p.z))
        let zOctets = Double((e.z + 7) / 8), zGroups = Double((e.z + 3) / 4), yGroups = Double((p.y + 3) / 4)
        let planes = Double(p.x / 2 + 1), kernelZLines = Double((p.y / 2 + 8) / 8)
        let x = Double(e.y) * zOctets * 4 * t.x
        let y = (3 * zGroups + zOctets) * (t.y + 8 * Double(p.y))
        let z = 3 * yGroups * (t.z + 20 * Double(p.z)) + kernelZLines * t.z
        return x + planes * (y + z)
    }
}

/// Memory the passes share between threads: each thread writes disjoint parts.
private final class SharedBuffer<Element>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Element>
    /// Zero-filled when `zero` is given; otherwise every element is written before it is read.
    init(count: Int, zero: Element? = nil) {
        pointer = .allocate(capacity: max(count, 1))
        HugePages.advise(UnsafeMutableBufferPointer(start: pointer, count: max(count, 1)))
        if let zero { pointer.initialize(repeating: zero, count: max(count, 1)) }
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

/// The indicator and the deviation of every block voxel, eight z per element (z mod 8 < 4 in
/// the real lanes, the others in the imaginary ones), rows along x: element
/// x + e_x (z / 8 + zOctets y). A row of one octet is an x-pass input as it is.
private struct RowFields {
    let indicator: SharedBuffer<FFTComplex>
    let deviation: SharedBuffer<FFTComplex>
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
    /// zRows / 4 (the z quads of a spectrum row) and zRows / 8.
    let zQuads: Int, zOctets: Int
    /// Groups of four w_y (the lanes of the z pass): ceil(P_y / 4).
    let yGroups: Int
    let spacing: SIMD3<Double>
    let fx: MorphologyFFT, fy: MorphologyFFT, fz: MorphologyFFT
    /// The transforms leave frequencies in their own order (MorphologyFFT.slot). Per axis and
    /// frequency k <= P/2, the output elements of k and of -k (x, and the kernel along y and z);
    /// per y slot, the kernel row of its frequency folded onto 0...P_y/2 (-1 past P_y); per z
    /// slot, the byte offset of its folded frequency's kernel value.
    let xPairs: [SIMD2<Int>], yPairs: [SIMD2<Int>], zPairs: [SIMD2<Int>]
    let yKernelRow: [Int]
    let zKernelOffset: [Int]

    init(extent e: SIMD3<Int>, spacing: SIMD3<Double>) {
        self.e = e
        p = AutocorrelationSpectrum.paddedLengths(extent: e)
        h = p / 2 &+ 1
        zRows = (e.z + 7) / 8 * 8
        zQuads = zRows / 4
        zOctets = zRows / 8
        yGroups = (p.y + 3) / 4
        self.spacing = spacing
        fx = MorphologyFFT(length: p.x)
        fy = MorphologyFFT(length: p.y)
        fz = MorphologyFFT(length: p.z)
        func pairs(_ f: MorphologyFFT) -> [SIMD2<Int>] {
            (0...(f.n / 2)).map { SIMD2(f.slot[$0], f.slot[($0 == 0 ? 0 : f.n - $0)]) }
        }
        func folded(_ k: Int, _ n: Int) -> Int { min(k, n - k) }
        xPairs = pairs(fx)
        yPairs = pairs(fy)
        zPairs = pairs(fz)
        let ny = p.y, nz = p.z, yFrequency = fy.frequency, zFrequency = fz.frequency
        yKernelRow = (0..<(4 * yGroups)).map { $0 < ny ? folded(yFrequency[$0], ny) : -1 }
        zKernelOffset = (0..<nz).map { 32 * folded(zFrequency[$0], nz) }
    }

    func rowFields(coordinates: [SIMD3<Int32>], values: [Double], origin: SIMD3<Int32>, mean: Double) -> RowFields {
        let count = e.x * zOctets * e.y
        let indicator = SharedBuffer(count: count, zero: FFTComplex.zero)
        let deviation = SharedBuffer(count: count, zero: FFTComplex.zero)
        // Lane z mod 8 of element i is the double at 8 i + z mod 8 (real lanes first). The
        // coordinates are within the block: non-negative and small.
        let m = UnsafeMutableRawPointer(indicator.pointer), g = UnsafeMutableRawPointer(deviation.pointer)
        let ex = e.x, octets = zOctets
        coordinates.withUnsafeBufferPointer { coordinates in
            values.withUnsafeBufferPointer { values in
                for k in 0..<values.count {
                    let c = coordinates[k] &- origin
                    let x = Int(truncatingIfNeeded: c.x), y = Int(truncatingIfNeeded: c.y), z = Int(truncatingIfNeeded: c.z)
                    let at = 8 &* (8 &* (x &+ ex &* ((z &>> 3) &+ octets &* y)) &+ (z & 7))
                    m.storeBytes(of: 1.0, toByteOffset: at, as: Double.self)
                    g.storeBytes(of: values[k] - mean, toByteOffset: at, as: Double.self)
                }
            }
        }
        return RowFields(indicator: indicator, deviation: deviation)
    }

    /// W, S and T (see the file's comment).
    func sums(_ fields: RowFields) -> (w: Double, s: Double, t: Double) {
        // x pass of the fields: for field f (m, g, h), the spectrum at (w_x, y, z quad), z fastest.
        let planeCells = e.y * zQuads
        let spectra = (0..<3).map { _ in SharedBuffer<FFTComplex>(count: h.x * planeCells) }
        // x pass of the kernel: real, at (w_x, delta_y, delta_z quad).
        let kernelX = SharedBuffer<FFTLanes>(count: h.x * planeCells)
        defer {
            for f in spectra { f.deallocate() }
            kernelX.deallocate()
        }
        let rowChunk = max(1, (e.y + 15) / 16)
        let plan = self
        Parallel.forEachChunk((e.y + rowChunk - 1) / rowChunk) { chunk in
            let lines = XScratch(length: plan.p.x)
            defer { lines.deallocate() }
            for y in (chunk * rowChunk)..<min(plan.e.y, (chunk + 1) * rowChunk) {
                plan.xPass(y: y, fields, into: spectra, lines)
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

    /// Transforms along x the rows (y, z) of the three fields (indicator, deviation, squared
    /// deviation), eight rows per complex transform, and stores frequencies 0...P_x/2.
    func xPass(y: Int, _ fields: RowFields, into spectra: [SharedBuffer<FFTComplex>], _ b: XScratch) {
        let ex = e.x
        for o in 0..<zOctets {
            let offset = ex * (o + zOctets * y)
            for f in 0..<3 {
                let row = UnsafePointer((f == 0 ? fields.indicator : fields.deviation).pointer + offset)
                let source: UnsafePointer<FFTComplex>
                if f == 2 {
                    for t in 0..<ex {
                        let v = row[t]
                        b.line[t] = FFTComplex(re: v.re * v.re, im: v.im * v.im)
                    }
                    source = UnsafePointer(b.line)
                } else {
                    source = row
                }
                fx.forward(source, nonzero: ex, to: b.out, scratch: b.scratch)
                // Z = A + i B with A, B the transforms of the real rows: A(k) = (Z(k) + conj Z(-k)) / 2,
                // B(k) = (Z(k) - conj Z(-k)) / (2 i).
                let out = UnsafeMutableRawPointer(spectra[f].pointer + 2 * o + zQuads * y)
                let from = UnsafeRawPointer(b.out), half = LanePair(repeating: 0.5)
                let e = FFTLayout.element, im = FFTLayout.imaginary, planeBytes = e * self.e.y * zQuads
                xPairs.withUnsafeBufferPointer { pairs in
                    for k in 0..<h.x {
                        let z = e &* pairs[k][0], w = e &* pairs[k][1], at = k &* planeBytes
                        @inline(__always) func separate(_ l: Int) {
                            let zr = LanePair(from, z &+ l), zi = LanePair(from, z &+ im &+ l)
                            let wr = LanePair(from, w &+ l), wi = LanePair(from, w &+ im &+ l)
                            (half * (zr + wr)).store(out, at &+ l)
                            (half * (zi - wi)).store(out, at &+ im &+ l)
                            (half * (zi + wi)).store(out, at &+ e &+ l)
                            (half * (wr - zr)).store(out, at &+ e &+ im &+ l)
                        }
                        separate(0)
                        separate(FFTLayout.half)
                    }
                }
            }
        }
    }

    /// The kernel's x pass for one delta_y: the real even lines delta_x -> K(|delta_x|, delta_y,
    /// delta_z), whose transforms are real (cosine transforms).
    func kernelXPass(deltaY dy: Int, into kernelX: SharedBuffer<FFTLanes>, _ b: XScratch) {
        let n = p.x, ex = e.x
        let yy = Double(dy) * spacing.y
        let line = b.kernelLine
        for o in 0..<zOctets {
            // Squares of delta_z of the octet's eight rows; rows past the block weigh 0.
            let z0 = 8 * o
            var zzA = FFTLanes.zero, zzB = FFTLanes.zero, inA = FFTLanes.zero, inB = FFTLanes.zero
            for j in 0..<4 {
                let za = Double(z0 + j) * spacing.z, zb = Double(z0 + 4 + j) * spacing.z
                zzA[j] = za * za
                zzB[j] = zb * zb
                inA[j] = z0 + j < e.z ? 1 : 0
                inB[j] = z0 + 4 + j < e.z ? 1 : 0
            }
            for dx in 0..<ex {
                let xx = Double(dx) * spacing.x
                let base = LanePair(repeating: xx * xx + yy * yy)
                let to = UnsafeMutableRawPointer(line + dx), mirror = UnsafeMutableRawPointer(line + (n - dx) % n)
                @inline(__always) func lanes(_ l: Int, _ zz: SIMD2<Double>, _ inside: SIMD2<Double>) {
                    let k = inverseDistance(base + LanePair(zz), LanePair(inside))
                    k.store(to, l)
                    k.store(mirror, l)
                }
                lanes(0, zzA.lowHalf, inA.lowHalf)
                lanes(16, zzA.highHalf, inA.highHalf)
                lanes(32, zzB.lowHalf, inB.lowHalf)
                lanes(48, zzB.highHalf, inB.highHalf)
            }
            fx.forward(UnsafePointer(line), to: b.out, scratch: b.scratch)
            let out = kernelX.pointer + 2 * o + zQuads * dy
            for k in 0..<h.x {
                let pair = xPairs[k], z = b.out[pair[0]], w = b.out[pair[1]]
                let at = k * e.y * zQuads
                out[at] = 0.5 * (z.re + w.re)
                out[at + 1] = 0.5 * (z.im + w.im)
            }
        }
    }

    /// The contribution of plane w_x to (W, S, T), times M.
    func plane(_ wx: Int, _ spectra: [SharedBuffer<FFTComplex>], _ kernelX: SharedBuffer<FFTLanes>,
               _ s: PlaneScratch) -> SIMD3<Double> {
        let ey = e.y, ez = e.z, ny = p.y, nz = p.z, hy = h.y, hz = h.z
        let planeOffset = wx * ey * zQuads

        // Kernel: y pass over delta_y for every delta_z (eight per transform: lanes of the real
        // and imaginary parts), then z pass over delta_z for every w_y <= P_y / 2 (eight w_y per
        // transform), then gathered into the lanes of the fields' z pass.
        let kx = kernelX.pointer + planeOffset
        for o in 0..<(ez + 7) / 8 {
            let line = s.kernelYLine
            for dy in 0..<ey {
                let v = FFTComplex(re: kx[dy * zQuads + 2 * o], im: kx[dy * zQuads + 2 * o + 1])
                line[dy] = v
                if dy > 0 { line[ny - dy] = v }
            }
            fy.forward(UnsafePointer(line), to: s.out, scratch: s.scratch)
            for k in 0..<hy {
                let pair = yPairs[k], a = s.out[pair[0]], b = s.out[pair[1]]
                s.kernelY[k * zQuads + 2 * o] = 0.5 * (a.re + b.re)
                s.kernelY[k * zQuads + 2 * o + 1] = 0.5 * (a.im + b.im)
            }
        }
        let kernelY = UnsafeRawPointer(s.kernelY), quadBytes = 32, rowBytes = 32 * zQuads
        let zGroups = (ez + 3) / 4
        for y0 in stride(from: 0, to: hy, by: 8) {
            // Rows y0..y0+3 into the real lanes, y0+4..y0+7 into the imaginary ones, four delta_z
            // at a time (rows past P_y / 2 are zero).
            let line = UnsafeMutableRawPointer(s.kernelZLine)
            for q in 0..<zGroups {
                let re = kernelY + y0 * rowBytes + q * quadBytes, im = re + 4 * rowBytes
                let to = line + q * 4 * FFTLayout.element
                transposeLanes(re, re + rowBytes, re + 2 * rowBytes, re + 3 * rowBytes, into: to)
                transposeLanes(im, im + rowBytes, im + 2 * rowBytes, im + 3 * rowBytes, into: to + FFTLayout.imaginary)
            }
            for dz in 1..<max(ez, 1) { s.kernelZLine[nz - dz] = s.kernelZLine[dz] }
            fz.forward(UnsafePointer(s.kernelZLine), to: s.out, scratch: s.scratch)
            let g0 = s.kernelRows + y0 / 4 * hz, g1 = g0 + hz
            for k in 0..<hz {
                let pair = zPairs[k], a = s.out[pair[0]], b = s.out[pair[1]]
                g0[k] = 0.5 * (a.re + b.re)
                g1[k] = 0.5 * (a.im + b.im)
            }
        }
        // The kernel in the lanes of the z pass: lane j of group g is y slot 4 g + j, whose
        // frequency folded onto 0...P_y/2 is a row of kernelRows (lanes past P_y weigh 0).
        let rows = UnsafeRawPointer(s.kernelRows)
        for g in 0..<yGroups {
            var source = SIMD4<Int>(repeating: -1)
            for j in 0..<4 {
                let w = yKernelRow[4 * g + j]
                if w >= 0 { source[j] = 8 * (w / 4 * 4 * hz + w % 4) }
            }
            let lanes = s.kernel + g * hz
            if source.min() >= 0 {
                for k in 0..<hz {
                    @inline(__always) func lane(_ j: Int) -> Double { rows.load(fromByteOffset: source[j] &+ 32 &* k, as: Double.self) }
                    lanes[k] = FFTLanes(lane(0), lane(1), lane(2), lane(3))
                }
            } else {
                for k in 0..<hz {
                    var v = FFTLanes.zero
                    for j in 0..<4 where source[j] >= 0 { v[j] = rows.load(fromByteOffset: source[j] + 32 * k, as: Double.self) }
                    lanes[k] = v
                }
            }
        }

        // Fields: y pass, four z per transform read in place from the x pass's spectra; the
        // result is transposed in 4 x 4 blocks so that the z pass finds its lanes (four w_y)
        // together.
        let zLine = 4 * zGroups
        for f in 0..<3 {
            let source = UnsafePointer(spectra[f].pointer + planeOffset)
            let zIn = s.zIn[f]
            for q in 0..<zGroups {
                fy.forward(source + q, stride: zQuads, nonzero: ey, to: s.yLine, scratch: s.scratch)
                let y = UnsafeRawPointer(s.yLine), e = FFTLayout.element
                for g in 0..<yGroups {
                    let from = y + 4 * g * e, to = UnsafeMutableRawPointer(zIn + g * zLine + 4 * q)
                    transposeLanes(from, from + e, from + 2 * e, from + 3 * e, into: to)
                    let fromIm = from + FFTLayout.imaginary
                    transposeLanes(fromIm, fromIm + e, fromIm + 2 * e, fromIm + 3 * e, into: to + FFTLayout.imaginary)
                }
            }
        }

        // Fields: z pass, four w_y lines per transform, and the sums over w_z, per pair of lanes.
        var sums = (LanePair.zero, LanePair.zero, LanePair.zero, LanePair.zero, LanePair.zero, LanePair.zero)
        let m = UnsafeRawPointer(s.zOut[0]), d = UnsafeRawPointer(s.zOut[1]), q = UnsafeRawPointer(s.zOut[2])
        zKernelOffset.withUnsafeBufferPointer { offsets in
            let offset = offsets.baseAddress!
            for g in 0..<yGroups {
                for f in 0..<3 { fz.forward(UnsafePointer(s.zIn[f] + g * zLine), nonzero: ez, to: s.zOut[f], scratch: s.scratch) }
                let kernel = UnsafeRawPointer(s.kernel + g * hz)
                accumulate(m, d, q, kernel, offset, nz: nz, half: 0, &sums.0, &sums.1, &sums.2)
                accumulate(m, d, q, kernel, offset, nz: nz, half: FFTLayout.half, &sums.3, &sums.4, &sums.5)
            }
        }
        @inline(__always) func lanes(_ a: LanePair, _ b: LanePair) -> FFTLanes { FFTLanes(lowHalf: a.v, highHalf: b.v) }
        return SIMD3(lanes(sums.0, sums.3).sum(), lanes(sums.1, sums.4).sum(), lanes(sums.2, sums.5).sum())
    }
}

/// Adds, over the z slots, K |m|^2 to w, K |g|^2 to c and K Re(h conj m) to t for one pair of
/// lanes (byte offset `half` in an element), K at the byte offset of the slot's folded frequency.
@inline(__always) private func accumulate(_ m: UnsafeRawPointer, _ d: UnsafeRawPointer, _ q: UnsafeRawPointer,
                                          _ kernel: UnsafeRawPointer, _ offset: UnsafePointer<Int>, nz: Int, half: Int,
                                          _ w: inout LanePair, _ c: inout LanePair, _ t: inout LanePair) {
    var sw = w, sc = c, st = t
    for k in 0..<nz {
        let kv = LanePair(kernel, offset[k] &+ half)
        let at = k &* FFTLayout.element &+ half, ai = at &+ FFTLayout.imaginary
        let m0 = LanePair(m, at), m1 = LanePair(m, ai), g0 = LanePair(d, at), g1 = LanePair(d, ai)
        sw += kv * (m0 * m0 + m1 * m1)
        sc += kv * (g0 * g0 + g1 * g1)
        st += kv * (LanePair(q, at) * m0 + LanePair(q, ai) * m1)
    }
    (w, c, t) = (sw, sc, st)
}

/// Transposes four lane vectors (at a, b, c, d) into the same part of four consecutive elements
/// at y: lane j of the i-th vector becomes lane i of element j.
@inline(__always) private func transposeLanes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ c: UnsafeRawPointer,
                                              _ d: UnsafeRawPointer, into y: UnsafeMutableRawPointer) {
    let a0 = LanePair(a, 0), a1 = LanePair(a, 16), b0 = LanePair(b, 0), b1 = LanePair(b, 16)
    let c0 = LanePair(c, 0), c1 = LanePair(c, 16), d0 = LanePair(d, 0), d1 = LanePair(d, 16)
    let e = FFTLayout.element
    LanePair.low(a0, b0).store(y, 0); LanePair.low(c0, d0).store(y, 16)
    LanePair.high(a0, b0).store(y, e); LanePair.high(c0, d0).store(y, e + 16)
    LanePair.low(a1, b1).store(y, 2 * e); LanePair.low(c1, d1).store(y, 2 * e + 16)
    LanePair.high(a1, b1).store(y, 3 * e); LanePair.high(c1, d1).store(y, 3 * e + 16)
}

/// 1 / sqrt(r2) where r2 > 0 and `inside` (1 or 0) is 1, else 0.
@inline(__always) private func inverseDistance(_ r2: LanePair, _ inside: LanePair) -> LanePair {
    #if arch(x86_64)
    let zero = SIMD2<Double>.zero
    let mask = _mm_and_pd(_mm_cmpgt_pd(r2.v, zero), _mm_cmpgt_pd(inside.v, zero))
    return LanePair(_mm_and_pd(_mm_div_pd(SIMD2(repeating: 1), _mm_sqrt_pd(r2.v)), mask))
    #else
    var k = SIMD2<Double>.zero
    for j in 0..<2 where r2.v[j] > 0 && inside.v[j] != 0 { k[j] = 1 / r2.v[j].squareRoot() }
    return LanePair(k)
    #endif
}

/// Allocates `count` elements, every one written before it is read.
private func uninitialized<T>(_ count: Int) -> UnsafeMutablePointer<T> { .allocate(capacity: max(count, 1)) }

/// Allocates `count` elements, zero-filled.
private func zeroed<T>(_ count: Int, _ zero: T) -> UnsafeMutablePointer<T> {
    let p = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
    p.initialize(repeating: zero, count: max(count, 1))
    return p
}

/// What one thread needs for the x pass.
private struct XScratch {
    /// The squared deviations of a row.
    let line: UnsafeMutablePointer<FFTComplex>
    /// The kernel's even line: only its ends are written, the middle stays zero.
    let kernelLine: UnsafeMutablePointer<FFTComplex>
    let out: UnsafeMutablePointer<FFTComplex>
    let scratch: UnsafeMutablePointer<FFTComplex>

    init(length n: Int) {
        line = uninitialized(n)
        kernelLine = zeroed(n, .zero)
        out = uninitialized(n)
        scratch = uninitialized(n)
    }

    func deallocate() {
        for p in [line, kernelLine, out, scratch] { p.deallocate() }
    }
}

/// What one thread needs to work through planes.
private struct PlaneScratch {
    /// The kernel's even lines along y and along z: only their ends are written.
    let kernelYLine: UnsafeMutablePointer<FFTComplex>
    let kernelZLine: UnsafeMutablePointer<FFTComplex>
    /// A transform's output and scratch (the longest of P_y and P_z).
    let out: UnsafeMutablePointer<FFTComplex>
    let scratch: UnsafeMutablePointer<FFTComplex>
    /// Kernel after the y pass: (w_y <= P_y / 2, delta_z quad); rows to a multiple of 8, the
    /// last ones zero.
    let kernelY: UnsafeMutablePointer<FFTLanes>
    /// The plane's kernel spectrum after the z pass: (group of four w_y <= P_y / 2, w_z <= P_z / 2).
    let kernelRows: UnsafeMutablePointer<FFTLanes>
    /// The same in the lanes of the fields' z pass: (group of four y slots, w_z <= P_z / 2).
    let kernel: UnsafeMutablePointer<FFTLanes>
    /// A field's y-pass output: rows past P_y (to a multiple of 4) stay zero.
    let yLine: UnsafeMutablePointer<FFTComplex>
    /// The fields after the y pass, transposed: (group of four w_y, z), the w_y in the lanes.
    let zIn: [UnsafeMutablePointer<FFTComplex>]
    /// The fields after the z pass, for one group of w_y.
    let zOut: [UnsafeMutablePointer<FFTComplex>]

    init(_ plan: SpectralPlan) {
        let longest = max(plan.p.y, plan.p.z)
        kernelYLine = zeroed(plan.p.y, .zero)
        kernelZLine = zeroed(max(plan.p.z, plan.zRows), .zero)
        out = uninitialized(longest)
        scratch = uninitialized(longest)
        kernelY = zeroed((plan.h.y + 7) / 8 * 8 * plan.zQuads, .zero)
        kernelRows = uninitialized((plan.h.y + 7) / 8 * 2 * plan.h.z)
        kernel = uninitialized(plan.yGroups * plan.h.z)
        yLine = zeroed(4 * plan.yGroups, .zero)
        let zLine = (plan.e.z + 3) / 4 * 4
        zIn = (0..<3).map { _ in uninitialized(plan.yGroups * zLine) }
        zOut = (0..<3).map { _ in uninitialized(plan.p.z) }
    }

    func deallocate() {
        for p in [kernelYLine, kernelZLine, out, scratch, yLine] + zIn + zOut { p.deallocate() }
        kernelY.deallocate()
        kernelRows.deallocate()
        kernel.deallocate()
    }
}
