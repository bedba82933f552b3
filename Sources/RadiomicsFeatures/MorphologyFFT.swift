import Foundation
#if arch(x86_64)
import _Builtin_intrinsics.intel.sse2
#endif

// A small exact complex FFT for the spatial autocorrelation features (Moran's I, Geary's C).
//
// It transforms four lines at once, one per lane of SIMD4<Double>: the 3D transforms always have
// many lines, so batching them costs nothing and lets every butterfly work on vectors without
// shuffles. Self-sorting mixed-radix (Stockham) formulation: each stage of radix p reads
// x[j + r n/p], applies the twiddles exp(-2 pi i r (j mod L) / (L p)) (L: product of the earlier
// radices), does a p-point DFT and writes y[(j / L) L p + (j mod L) + r L]; after the last stage
// the result is in natural order. Lengths are 2,3,5-smooth (`smoothLength`), with butterflies of
// radix 8, 4, 2, 3 and 5: the power of two goes into as many radix-8 stages as it can (fewer
// passes over the data and fewer twiddle multiplications than radix 4 and 2), and comes first so
// that the first stage, which has no twiddles, is also the one that skips zero padding.
//
// The code is for baseline x86-64 (SSE2: sixteen 128-bit registers). A complex SIMD4 value fills
// four of them, so a radix-5 butterfly on whole lanes would not fit and spill; every butterfly
// therefore runs twice, on lanes 0-1 and on lanes 2-3 (SIMD2 halves), which does the same
// arithmetic per lane, so a lane still gets exactly the bits of a single-line transform. Twiddles
// are stored already broadcast to both lanes of a half, so that they are plain memory operands.
// Index arithmetic is in bytes on raw pointers, with wrapping operators: no overflow checks.

/// Four lines of one length: lane k is line k.
typealias FFTLanes = SIMD4<Double>

/// Element t of four complex lines: their real parts, then their imaginary parts (64 bytes, so
/// that both parts of an element are one pointer apart by a constant).
struct FFTComplex {
    var re: FFTLanes
    var im: FFTLanes
    init(re: FFTLanes, im: FFTLanes) { self.re = re; self.im = im }
    static var zero: FFTComplex { FFTComplex(re: .zero, im: .zero) }
}

/// Lanes 0-1 or 2-3 of one element: what a butterfly works on. Swift lowers SIMD arithmetic
/// lane by lane and leaves it to LLVM's SLP vectorizer to put back together, which on these
/// butterflies pairs the wrong lanes and adds shuffles; on x86-64 the operators are therefore
/// the SSE2 instructions themselves (the same IEEE operations, lane for lane).
struct LanePair {
    var v: SIMD2<Double>
    @inline(__always) init(_ v: SIMD2<Double>) { self.v = v }
    @inline(__always) init(repeating x: Double) { v = SIMD2(repeating: x) }
    static var zero: LanePair { LanePair(.zero) }
    #if arch(x86_64)
    @inline(__always) static func + (a: LanePair, b: LanePair) -> LanePair { LanePair(_mm_add_pd(a.v, b.v)) }
    @inline(__always) static func - (a: LanePair, b: LanePair) -> LanePair { LanePair(_mm_sub_pd(a.v, b.v)) }
    @inline(__always) static func * (a: LanePair, b: LanePair) -> LanePair { LanePair(_mm_mul_pd(a.v, b.v)) }
    /// (a0, b0) and (a1, b1).
    @inline(__always) static func low(_ a: LanePair, _ b: LanePair) -> LanePair { LanePair(_mm_unpacklo_pd(a.v, b.v)) }
    @inline(__always) static func high(_ a: LanePair, _ b: LanePair) -> LanePair { LanePair(_mm_unpackhi_pd(a.v, b.v)) }
    #else
    @inline(__always) static func + (a: LanePair, b: LanePair) -> LanePair { LanePair(a.v + b.v) }
    @inline(__always) static func - (a: LanePair, b: LanePair) -> LanePair { LanePair(a.v - b.v) }
    @inline(__always) static func * (a: LanePair, b: LanePair) -> LanePair { LanePair(a.v * b.v) }
    @inline(__always) static func low(_ a: LanePair, _ b: LanePair) -> LanePair { LanePair(SIMD2(a.v[0], b.v[0])) }
    @inline(__always) static func high(_ a: LanePair, _ b: LanePair) -> LanePair { LanePair(SIMD2(a.v[1], b.v[1])) }
    #endif
    @inline(__always) static func += (a: inout LanePair, b: LanePair) { a = a + b }
    /// The pair at a byte offset (a multiple of 16).
    @inline(__always) init(_ p: UnsafeRawPointer, _ offset: Int) { self = p.load(fromByteOffset: offset, as: LanePair.self) }
    @inline(__always) func store(_ p: UnsafeMutableRawPointer, _ offset: Int) { p.storeBytes(of: self, toByteOffset: offset, as: LanePair.self) }
}

private typealias Half = LanePair

/// Byte offsets in lines of FFTComplex: the imaginary part and the second pair of lanes within
/// an element, and the element size.
enum FFTLayout {
    static let imaginary = 32, half = 16, element = 64
}

struct MorphologyFFT: Sendable {
    let n: Int
    /// The radices of the stages, in order (their product is n).
    let radices: [Int]
    /// Per stage s from `twiddleStart[s]`, for jm = 1..<span and r = 1..<p, cos and sin of
    /// -2 pi r jm / (span p), each broadcast to a Half, at 2 ((jm - 1) (p - 1) + r - 1) and the
    /// next index: in the order the butterflies read them.
    private let twiddles: [Half]
    private let twiddleStart: [Int]

    init(length n: Int) {
        precondition(n >= 1)
        var m = n, twos = 0
        while m % 2 == 0 { twos += 1; m /= 2 }
        var r: [Int] = []
        // 2^a as radix 8 as often as possible, the rest as 4s or one 2 (16 = 4 4, not 8 2).
        while twos >= 3 && twos != 4 { r.append(8); twos -= 3 }
        while twos >= 2 { r.append(4); twos -= 2 }
        if twos == 1 { r.append(2) }
        for p in [5, 3] { while m % p == 0 { r.append(p); m /= p } }
        precondition(m == 1, "FFT length \(n) is not 2,3,5-smooth")
        self.n = n
        radices = r
        var t: [Half] = [], start: [Int] = []
        var span = 1
        for p in r {
            start.append(t.count)
            for jm in stride(from: 1, to: span, by: 1) {
                for q in 1..<p {
                    // Reduce the angle's numerator first so that equal twiddles are equal bits.
                    let k = (q * jm) % (span * p)
                    let angle = -2 * Double.pi * Double(k) / Double(span * p)
                    t.append(Half(repeating: cos(angle)))
                    t.append(Half(repeating: sin(angle)))
                }
            }
            span *= p
        }
        // Never empty, so that the buffer has a base address.
        t.append(.zero)
        twiddles = t
        twiddleStart = start
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

    /// Forward transform (sign -1) of the four lines in `x` (n elements), in place. `scratch`
    /// must hold n elements. When only the first `nonzero` elements can be non-zero (a
    /// zero-padded line), only those are read and the first stage skips the work on the zeros.
    func forward(_ x: UnsafeMutablePointer<FFTComplex>, scratch: UnsafeMutablePointer<FFTComplex>, nonzero: Int? = nil) {
        forward(UnsafePointer(x), nonzero: nonzero, to: x, scratch: scratch)
    }

    /// Forward transform of the four lines whose element t is `x[t stride]`, of which only
    /// t < `nonzero` are read (the others are taken as zero), into `y` (n elements; may be `x`
    /// when `stride` is 1). The input is left as it was unless it is the output. `scratch` must
    /// hold n elements.
    func forward(_ x: UnsafePointer<FFTComplex>, stride: Int = 1, nonzero: Int? = nil,
                 to y: UnsafeMutablePointer<FFTComplex>, scratch: UnsafeMutablePointer<FFTComplex>) {
        let e = min(max(nonzero ?? n, 0), n)
        if n == 1 {
            y[0] = e > 0 ? x[0] : .zero
            return
        }
        let k = radices.count
        // Stage outputs alternate between the output and the scratch, ending in the output; in
        // place with an odd number of stages the first stage cannot write the output (it is still
        // being read), so they end in the scratch and are copied.
        let inPlace = UnsafeRawPointer(x) == UnsafeRawPointer(UnsafeMutableRawPointer(y))
        let endInScratch = inPlace && k % 2 == 1
        let out = UnsafeMutableRawPointer(y), sc = UnsafeMutableRawPointer(scratch)
        twiddles.withUnsafeBufferPointer { buffer in
            let table = buffer.baseAddress!
            var from = UnsafeRawPointer(x)
            var span = 1
            for stage in 0..<k {
                let p = radices[stage]
                let to = ((k - 1 - stage) % 2 == 0) != endInScratch ? out : sc
                if stage == 0 {
                    switch p {
                    case 8: Self.firstStage(Radix8.self, from, stride: stride, nonzero: e, to, n: n)
                    case 4: Self.firstStage(Radix4.self, from, stride: stride, nonzero: e, to, n: n)
                    case 2: Self.firstStage(Radix2.self, from, stride: stride, nonzero: e, to, n: n)
                    case 5: Self.firstStage(Radix5.self, from, stride: stride, nonzero: e, to, n: n)
                    default: Self.firstStage(Radix3.self, from, stride: stride, nonzero: e, to, n: n)
                    }
                } else {
                    let tw = table + twiddleStart[stage]
                    switch p {
                    case 8: Self.stage(Radix8.self, from, to, n: n, span: span, tw)
                    case 4: Self.stage(Radix4.self, from, to, n: n, span: span, tw)
                    case 2: Self.stage(Radix2.self, from, to, n: n, span: span, tw)
                    case 5: Self.stage(Radix5.self, from, to, n: n, span: span, tw)
                    default: Self.stage(Radix3.self, from, to, n: n, span: span, tw)
                    }
                }
                from = UnsafeRawPointer(to)
                span *= p
            }
        }
        if endInScratch { y.update(from: scratch, count: n) }
    }

    /// The first stage (span 1, no twiddles) from a strided input of which elements >= e are zero.
    /// Butterfly j reads x[j + r m] (m = n / p) for r < present(j), the number of its inputs
    /// below e: ceil(e / m) for the first j, one fewer for the others.
    @inline(__always)
    private static func firstStage<B: Butterfly>(_: B.Type, _ x: UnsafeRawPointer, stride: Int, nonzero e: Int,
                                                 _ y: UnsafeMutableRawPointer, n: Int) {
        let p = B.radix, m = n / p
        if e == 0 {
            y.initializeMemory(as: Double.self, repeating: 0, count: 8 * n)
            return
        }
        let q = (e + m - 1) / m
        let split = min(m, e - (q - 1) * m)
        run(B.self, x, stride: stride, y, m: m, from: 0, to: split, present: q)
        run(B.self, x, stride: stride, y, m: m, from: split, to: m, present: q - 1)
    }

    @inline(__always)
    private static func run<B: Butterfly>(_: B.Type, _ x: UnsafeRawPointer, stride: Int, _ y: UnsafeMutableRawPointer,
                                          m: Int, from lo: Int, to hi: Int, present: Int) {
        guard lo < hi else { return }
        let p = B.radix
        let inStep = FFTLayout.element &* stride, rStep = inStep &* m, outStep = FFTLayout.element &* p
        @inline(__always) func loop(_ present: Int) {
            var a = x + lo &* inStep, b = y + lo &* outStep
            for _ in lo..<hi {
                B.apply(a, rStep, present: present, b, FFTLayout.element, nil)
                B.apply(a + FFTLayout.half, rStep, present: present, b + FFTLayout.half, FFTLayout.element, nil)
                a += inStep
                b += outStep
            }
        }
        if present == 0 {
            (y + lo &* outStep).initializeMemory(as: Double.self, repeating: 0, count: 8 &* p &* (hi &- lo))
        } else if present == p {
            loop(p)
        } else if present == (p + 1) / 2 {
            loop((p + 1) / 2)
        } else if present == (p + 1) / 2 - 1 {
            loop((p + 1) / 2 - 1)
        } else {
            loop(present)
        }
    }

    /// A later stage: butterfly j = base + jm (jm < span) reads x[j + r m], rotates input r by
    /// the twiddle of (jm, r) and writes y[base p + jm + k span]. jm = 0 has no twiddles.
    @inline(__always)
    private static func stage<B: Butterfly>(_: B.Type, _ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer,
                                            n: Int, span: Int, _ tw: UnsafePointer<Half>) {
        let p = B.radix, m = n / p
        let rStep = FFTLayout.element &* m, kStep = FFTLayout.element &* span
        let groups = m / span, inStep = kStep, outStep = kStep &* p
        for jm in 0..<span {
            let t: UnsafePointer<Half>? = jm == 0 ? nil : tw + 2 &* (p &- 1) &* (jm &- 1)
            var a = x + jm &* FFTLayout.element, b = y + jm &* FFTLayout.element
            @inline(__always) func loop(_ t: UnsafePointer<Half>?) {
                for _ in 0..<groups {
                    B.apply(a, rStep, present: p, b, kStep, t)
                    B.apply(a + FFTLayout.half, rStep, present: p, b + FFTLayout.half, kStep, t)
                    a += inStep
                    b += outStep
                }
            }
            if let t { loop(t) } else { loop(nil) }
        }
    }

    /// The transform of one line (in lane 0 of a batch): for tests and small uses.
    func forward(re: [Double], im: [Double]) -> (re: [Double], im: [Double]) {
        precondition(re.count == n && im.count == n)
        let buffer = UnsafeMutablePointer<FFTComplex>.allocate(capacity: 2 * n)
        defer { buffer.deallocate() }
        for t in 0..<n { buffer[t] = FFTComplex(re: FFTLanes(re[t], 0, 0, 0), im: FFTLanes(im[t], 0, 0, 0)) }
        forward(buffer, scratch: buffer + n)
        return ((0..<n).map { buffer[$0].re[0] }, (0..<n).map { buffer[$0].im[0] })
    }
}

// MARK: - Butterflies

/// One p-point DFT on a Half: input r at byte offset r s from `x` (its imaginary part 32 bytes
/// further) for r < `present` (the others are zero), input r >= 1 rotated by the twiddle pair at
/// tw[2 (r - 1)] (cos, sin) unless `tw` is nil; output k at byte offset k o from `y`.
private protocol Butterfly {
    static var radix: Int { get }
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, _ y: UnsafeMutableRawPointer, _ o: Int,
                      _ tw: UnsafePointer<Half>?)
}

/// Input r of a butterfly, rotated by its twiddle.
@inline(__always)
private func input(_ x: UnsafeRawPointer, _ r: Int, _ s: Int, _ present: Int, _ tw: UnsafePointer<Half>?) -> (Half, Half) {
    guard r < present else { return (.zero, .zero) }
    let a = x.load(fromByteOffset: r &* s, as: Half.self)
    let b = x.load(fromByteOffset: r &* s &+ FFTLayout.imaginary, as: Half.self)
    guard let tw, r > 0 else { return (a, b) }
    let c = tw[2 &* (r &- 1)], sn = tw[2 &* (r &- 1) &+ 1]
    return (a * c - b * sn, a * sn + b * c)
}

@inline(__always)
private func output(_ y: UnsafeMutableRawPointer, _ k: Int, _ o: Int, _ re: Half, _ im: Half) {
    y.storeBytes(of: re, toByteOffset: k &* o, as: Half.self)
    y.storeBytes(of: im, toByteOffset: k &* o &+ FFTLayout.imaginary, as: Half.self)
}

private enum Radix2: Butterfly {
    static var radix: Int { 2 }
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, _ y: UnsafeMutableRawPointer, _ o: Int,
                      _ tw: UnsafePointer<Half>?) {
        let (ar, ai) = input(x, 0, s, present, tw)
        if present < 2 {
            output(y, 0, o, ar, ai)
            output(y, 1, o, ar, ai)
            return
        }
        let (br, bi) = input(x, 1, s, present, tw)
        output(y, 0, o, ar + br, ai + bi)
        output(y, 1, o, ar - br, ai - bi)
    }
}

private enum Radix3: Butterfly {
    static var radix: Int { 3 }
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, _ y: UnsafeMutableRawPointer, _ o: Int,
                      _ tw: UnsafePointer<Half>?) {
        // w = exp(-2 pi i / 3) = -1/2 - i sqrt(3)/2.
        let h = Half(repeating: 0.75.squareRoot()), half = Half(repeating: 0.5)
        let (ar, ai) = input(x, 0, s, present, tw)
        let (br, bi) = input(x, 1, s, present, tw)
        let sr: Half, si: Half, dr: Half, di: Half
        if present < 3 {
            (sr, si, dr, di) = (br, bi, h * br, h * bi)
        } else {
            let (cr, ci) = input(x, 2, s, present, tw)
            (sr, si, dr, di) = (br + cr, bi + ci, h * (br - cr), h * (bi - ci))
        }
        let mr = ar - half * sr, mi = ai - half * si
        output(y, 0, o, ar + sr, ai + si)
        output(y, 1, o, mr + di, mi - dr)
        output(y, 2, o, mr - di, mi + dr)
    }
}

private enum Radix4: Butterfly {
    static var radix: Int { 4 }
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, _ y: UnsafeMutableRawPointer, _ o: Int,
                      _ tw: UnsafePointer<Half>?) {
        let (r0, i0) = input(x, 0, s, present, tw)
        let (r1, i1) = input(x, 1, s, present, tw)
        let sr02: Half, si02: Half, dr02: Half, di02: Half, sr13: Half, si13: Half, dr13: Half, di13: Half
        if present <= 2 {
            (sr02, si02, dr02, di02, sr13, si13, dr13, di13) = (r0, i0, r0, i0, r1, i1, r1, i1)
        } else {
            let (r2, i2) = input(x, 2, s, present, tw)
            let (r3, i3) = input(x, 3, s, present, tw)
            (sr02, si02, dr02, di02) = (r0 + r2, i0 + i2, r0 - r2, i0 - i2)
            (sr13, si13, dr13, di13) = (r1 + r3, i1 + i3, r1 - r3, i1 - i3)
        }
        // 4-point DFT with w = -i.
        output(y, 0, o, sr02 + sr13, si02 + si13)
        output(y, 1, o, dr02 + di13, di02 - dr13)
        output(y, 2, o, sr02 - sr13, si02 - si13)
        output(y, 3, o, dr02 - di13, di02 + dr13)
    }
}

private enum Radix5: Butterfly {
    static var radix: Int { 5 }
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, _ y: UnsafeMutableRawPointer, _ o: Int,
                      _ tw: UnsafePointer<Half>?) {
        // w = exp(-2 pi i / 5), c_k = cos(2 pi k / 5), s_k = sin(2 pi k / 5). With p_1 = a1 + a4,
        // p_2 = a2 + a3, q_1 = a1 - a4, q_2 = a2 - a3, and since c1 + c2 = -1/2:
        //   a0 + c1 p1 + c2 p2 = b + k t2,  a0 + c2 p1 + c1 p2 = b - k t2,
        // with t1 = p1 + p2, t2 = p1 - p2, b = a0 - t1 / 4, k = (c1 - c2) / 2 = sqrt(5) / 4.
        let quarter = Half(repeating: 0.25), k = Half(repeating: 5.0.squareRoot() / 4)
        let s1 = Half(repeating: sin(2 * Double.pi / 5)), s2 = Half(repeating: sin(4 * Double.pi / 5))
        let (ar, ai) = input(x, 0, s, present, tw)
        let (vr1, vi1) = input(x, 1, s, present, tw)
        let (vr2, vi2) = input(x, 2, s, present, tw)
        let pr1: Half, pi1: Half, qr1: Half, qi1: Half, pr2: Half, pi2: Half, qr2: Half, qi2: Half
        if present <= 3 {
            (pr1, pi1, qr1, qi1, pr2, pi2, qr2, qi2) = (vr1, vi1, vr1, vi1, vr2, vi2, vr2, vi2)
        } else {
            let (vr3, vi3) = input(x, 3, s, present, tw)
            let (vr4, vi4) = input(x, 4, s, present, tw)
            (pr1, pi1, qr1, qi1) = (vr1 + vr4, vi1 + vi4, vr1 - vr4, vi1 - vi4)
            (pr2, pi2, qr2, qi2) = (vr2 + vr3, vi2 + vi3, vr2 - vr3, vi2 - vi3)
        }
        let tr1 = pr1 + pr2, ti1 = pi1 + pi2
        let br = ar - quarter * tr1, bi = ai - quarter * ti1
        let kr = k * (pr1 - pr2), ki = k * (pi1 - pi2)
        output(y, 0, o, ar + tr1, ai + ti1)
        let ur1 = br + kr, ui1 = bi + ki
        let wr1 = s1 * qr1 + s2 * qr2, wi1 = s1 * qi1 + s2 * qi2
        output(y, 1, o, ur1 + wi1, ui1 - wr1)
        output(y, 4, o, ur1 - wi1, ui1 + wr1)
        let ur2 = br - kr, ui2 = bi - ki
        let wr2 = s2 * qr1 - s1 * qr2, wi2 = s2 * qi1 - s1 * qi2
        output(y, 2, o, ur2 + wi2, ui2 - wr2)
        output(y, 3, o, ur2 - wi2, ui2 + wr2)
    }
}

private enum Radix8: Butterfly {
    static var radix: Int { 8 }
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, _ y: UnsafeMutableRawPointer, _ o: Int,
                      _ tw: UnsafePointer<Half>?) {
        // a_r = x_r + x_{r+4} give the even outputs (a 4-point DFT), b_r = x_r - x_{r+4} rotated
        // by w^r (w = exp(-i pi / 4)) the odd ones.
        let (r0, i0) = input(x, 0, s, present, tw)
        let (r1, i1) = input(x, 1, s, present, tw)
        let (r2, i2) = input(x, 2, s, present, tw)
        let (r3, i3) = input(x, 3, s, present, tw)
        let ar0: Half, ai0: Half, ar1: Half, ai1: Half, ar2: Half, ai2: Half, ar3: Half, ai3: Half
        let br0: Half, bi0: Half, br1: Half, bi1: Half, br2: Half, bi2: Half, br3: Half, bi3: Half
        if present <= 4 {
            (ar0, ai0, ar1, ai1, ar2, ai2, ar3, ai3) = (r0, i0, r1, i1, r2, i2, r3, i3)
            (br0, bi0, br1, bi1, br2, bi2, br3, bi3) = (r0, i0, r1, i1, r2, i2, r3, i3)
        } else {
            let (r4, i4) = input(x, 4, s, present, tw)
            (ar0, ai0, br0, bi0) = (r0 + r4, i0 + i4, r0 - r4, i0 - i4)
            let (r5, i5) = input(x, 5, s, present, tw)
            (ar1, ai1, br1, bi1) = (r1 + r5, i1 + i5, r1 - r5, i1 - i5)
            let (r6, i6) = input(x, 6, s, present, tw)
            (ar2, ai2, br2, bi2) = (r2 + r6, i2 + i6, r2 - r6, i2 - i6)
            let (r7, i7) = input(x, 7, s, present, tw)
            (ar3, ai3, br3, bi3) = (r3 + r7, i3 + i7, r3 - r7, i3 - i7)
        }
        do {
            let sr02 = ar0 + ar2, si02 = ai0 + ai2, dr02 = ar0 - ar2, di02 = ai0 - ai2
            let sr13 = ar1 + ar3, si13 = ai1 + ai3, dr13 = ar1 - ar3, di13 = ai1 - ai3
            output(y, 0, o, sr02 + sr13, si02 + si13)
            output(y, 2, o, dr02 + di13, di02 - dr13)
            output(y, 4, o, sr02 - sr13, si02 - si13)
            output(y, 6, o, dr02 - di13, di02 + dr13)
        }
        do {
            // w b1 = h (p, q), w^2 b2 = (bi2, -br2), w^3 b3 = h (u, -v), h = sqrt(1/2).
            let h = Half(repeating: 0.5.squareRoot())
            let p = br1 + bi1, q = bi1 - br1, u = bi3 - br3, v = br3 + bi3
            let sr13 = h * (p + u), si13 = h * (q - v), dr13 = h * (p - u), di13 = h * (q + v)
            let sr02 = br0 + bi2, si02 = bi0 - br2, dr02 = br0 - bi2, di02 = bi0 + br2
            output(y, 1, o, sr02 + sr13, si02 + si13)
            output(y, 3, o, dr02 + di13, di02 - dr13)
            output(y, 5, o, sr02 - sr13, si02 - si13)
            output(y, 7, o, dr02 - di13, di02 + dr13)
        }
    }
}
