import Foundation
#if SPECTRAL_AVX2
import _Builtin_intrinsics.intel
#elseif arch(x86_64)
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
// When n = n1 n2 with n1 = 2^a > 1 and n2 > 1 odd (coprime), the split between the two parts
// is a prime-factor (Good-Thomas) one: with the input read at (n2 t1 + n1 t2) mod n, the
// transform is a plain n1 x n2 two-dimensional DFT, so the stages of the odd part need only the
// twiddles of their own n2-point transforms, not those that tie the parts together (for 200 =
// 8 x 25 that removes more than half of the complex multiplications). The input permutation is
// folded into the first stage: butterfly j reads the inputs of the Stockham butterfly j' rotated
// by r0 places (r0 fixed per j), which for a radix-8 first stage keeps the skipped zero inputs
// a cyclic block. The output is left in the order the stages produce, slot k1 + n1 k2 holding
// frequency k = k1 mod n1 = k2 mod n2 (Chinese remainders): `slot` and `frequency` map between
// the two, and callers read through them.
//
// On baseline x86-64 (SSE2: sixteen 128-bit registers) a complex SIMD4 value fills four
// registers, so a radix-5 butterfly on whole lanes would not fit and spill; every butterfly
// therefore runs twice, on lanes 0-1 and on lanes 2-3 (SIMD2 halves), which does the same
// arithmetic per lane, so a lane still gets exactly the bits of a single-line transform. Built
// as RadiomicsSpectralAVX2 (SPECTRAL_AVX2, Package.swift), a butterfly runs once on all four
// lanes in 256-bit registers: the same operations per lane again, so the same bits, for half the
// instructions. Twiddles are stored already broadcast to every lane of a `Half`, so that they are
// plain memory operands.
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
    /// The sign flipped (exactly, zeros included).
    #if arch(x86_64)
    @inline(__always) static prefix func - (a: LanePair) -> LanePair { LanePair(_mm_xor_pd(a.v, SIMD2(repeating: -0.0))) }
    #else
    @inline(__always) static prefix func - (a: LanePair) -> LanePair { LanePair(SIMD2(-a.v[0], -a.v[1])) }
    #endif
    /// The pair at a byte offset (a multiple of 16).
    @inline(__always) init(_ p: UnsafeRawPointer, _ offset: Int) { self = p.load(fromByteOffset: offset, as: LanePair.self) }
    @inline(__always) func store(_ p: UnsafeMutableRawPointer, _ offset: Int) { p.storeBytes(of: self, toByteOffset: offset, as: LanePair.self) }
}

#if SPECTRAL_AVX2
/// All four lanes of an element in one 256-bit register: what a butterfly works on with AVX.
struct LaneQuad {
    var v: SIMD4<Double>
    @inline(__always) init(_ v: SIMD4<Double>) { self.v = v }
    @inline(__always) init(repeating x: Double) { v = SIMD4(repeating: x) }
    static var zero: LaneQuad { LaneQuad(.zero) }
    @inline(__always) static func + (a: LaneQuad, b: LaneQuad) -> LaneQuad { LaneQuad(_mm256_add_pd(a.v, b.v)) }
    @inline(__always) static func - (a: LaneQuad, b: LaneQuad) -> LaneQuad { LaneQuad(_mm256_sub_pd(a.v, b.v)) }
    @inline(__always) static func * (a: LaneQuad, b: LaneQuad) -> LaneQuad { LaneQuad(_mm256_mul_pd(a.v, b.v)) }
    /// The sign flipped (exactly, zeros included).
    @inline(__always) static prefix func - (a: LaneQuad) -> LaneQuad { LaneQuad(_mm256_xor_pd(a.v, SIMD4(repeating: -0.0))) }
}

private typealias Half = LaneQuad
#else
private typealias Half = LanePair
#endif

/// Byte offsets in lines of FFTComplex: the imaginary part and the second pair of lanes within
/// an element, and the element size.
enum FFTLayout {
    static let imaginary = 32, half = 16, element = 64
}

struct MorphologyFFT: Sendable {
    let n: Int
    /// The radices of the stages, in order (their product is n).
    let radices: [Int]
    /// The output element holding frequency k (the identity unless the prime-factor split
    /// applies), and its inverse.
    let slot: [Int]
    let frequency: [Int]
    /// Per stage s from `twiddleStart[s]`, for jm = plain..<span and r = 1..<p, cos and sin of the
    /// stage's twiddle, each broadcast to a Half, at 2 ((jm - plain) (p - 1) + r - 1) and the next
    /// index: in the order the butterflies read them.
    private let twiddles: [Half]
    private let twiddleStart: [Int]
    /// Per stage, the leading jm that have no twiddles: 1, or n1 in the odd part of a
    /// prime-factor split.
    private let plainSpan: [Int]
    /// Prime-factor split only: the first stage's butterflies grouped by the rotation r0 of
    /// their inputs (group r0 from `firstGroup[r0]` to `firstGroup[r0 + 1]`), each sorted by the
    /// Stockham butterfly it reads (`firstSource`) and writing as butterfly `firstTarget`.
    private let firstTarget: [Int]
    private let firstSource: [Int]
    private let firstGroup: [Int]
    private let primeFactor: Bool

    /// The radices of the stages of a transform of length n (2,3,5-smooth).
    static func radices(of n: Int) -> [Int] {
        var m = n, twos = 0
        while m % 2 == 0 { twos += 1; m /= 2 }
        var r: [Int] = []
        // 2^a as radix 8 as often as possible, the rest as 4s or one 2 (16 = 4 4, not 8 2).
        while twos >= 3 && twos != 4 { r.append(8); twos -= 3 }
        while twos >= 2 { r.append(4); twos -= 2 }
        if twos == 1 { r.append(2) }
        for p in [5, 3] { while m % p == 0 { r.append(p); m /= p } }
        precondition(m == 1, "FFT length \(n) is not 2,3,5-smooth")
        return r
    }

    /// Work of one transform of four lines of length n whose second half is zero, in
    /// instructions: n times the cost per element of each stage. The costs per element and
    /// stage were fitted to callgrind counts of `forward` on every smooth length from 24 to 256
    /// (within 7 %): a radix-8 stage costs 40, radix 5 44, radix 3 34, radix 4 29, radix 2 26.
    /// So a longer length can be cheaper: 96 (8 4 3) costs 15 % less than 81 (3 3 3 3).
    static func cost(length n: Int) -> Double {
        Double(n) * radices(of: n).reduce(0.0) { total, radix in
            switch radix {
            case 8: total + 40
            case 5: total + 44
            case 3: total + 34
            case 4: total + 29
            default: total + 26
            }
        }
    }

    init(length n: Int) {
        precondition(n >= 1)
        var twos = 0
        while (n >> twos) & 1 == 0 { twos += 1 }
        let n1 = 1 << twos, n2 = n / n1
        let r = Self.radices(of: n)
        self.n = n
        radices = r
        primeFactor = n1 > 1 && n2 > 1

        var t: [Half] = [], start: [Int] = [], plain: [Int] = []
        var span = 1
        for p in r {
            start.append(t.count)
            // In the odd part of a prime-factor split, jm = k1 + n1 j2 and the twiddle is that
            // of j2 in the n2-point transform (span / n1 its own span).
            let odd = primeFactor && span >= n1
            let first = odd ? n1 : 1, scale = odd ? n1 : 1
            plain.append(first)
            for jm in stride(from: first, to: span, by: 1) {
                for q in 1..<p {
                    let period = span / scale * p
                    // Reduce the angle's numerator first so that equal twiddles are equal bits.
                    let k = (q * (jm / scale)) % period
                    let angle = -2 * Double.pi * Double(k) / Double(period)
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
        plainSpan = plain

        var frequency = Array(0..<n)
        var target: [Int] = [], source: [Int] = [], group: [Int] = [0]
        if primeFactor {
            // u = 1 mod n1, 0 mod n2; v = 0 mod n1, 1 mod n2.
            let u = n2 * (0..<n1).first { n2 * $0 % n1 == 1 % n1 }!
            let v = n1 * (0..<n2).first { n1 * $0 % n2 == 1 % n2 }!
            for k1 in 0..<n1 { for k2 in 0..<n2 { frequency[k1 + n1 * k2] = (k1 * u + k2 * v) % n } }
            // First-stage butterfly j = t2 + n2 j1 reads t1 = j1 + (n1 / p) r, at
            // (n2 j1 + n1 t2 + m r) mod n = j' + m ((r + r0) mod p).
            let p = r[0], m = n / p
            var byRotation = [[(source: Int, target: Int)]](repeating: [], count: p)
            for j in 0..<m {
                let c = (n2 * (j / n2) + n1 * (j % n2)) % n
                byRotation[c / m].append((c % m, j))
            }
            for list in byRotation {
                for e in list.sorted(by: { $0.source < $1.source }) { source.append(e.source); target.append(e.target) }
                group.append(source.count)
            }
        }
        var slot = Array(0..<n)
        for s in 0..<n { slot[frequency[s]] = s }
        self.frequency = frequency
        self.slot = slot
        firstTarget = target
        firstSource = source
        firstGroup = group
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

    /// Forward transform (sign -1) of the four lines in `x` (n elements), in place: frequency k
    /// ends in element slot[k]. `scratch` must hold n elements. When only the first `nonzero`
    /// elements can be non-zero (a zero-padded line), only those are read and the first stage
    /// skips the work on the zeros.
    func forward(_ x: UnsafeMutablePointer<FFTComplex>, scratch: UnsafeMutablePointer<FFTComplex>, nonzero: Int? = nil) {
        forward(UnsafePointer(x), nonzero: nonzero, to: x, scratch: scratch)
    }

    /// Forward transform of the four lines whose element t is `x[t stride]`, of which only
    /// t < `nonzero` are read (the others are taken as zero), into `y` (n elements, frequency k
    /// in element slot[k]; `y` may be `x` when `stride` is 1). The input is left as it was
    /// unless it is the output. `scratch` must hold n elements.
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
                if stage == 0 && primeFactor {
                    firstTarget.withUnsafeBufferPointer { targets in
                        firstSource.withUnsafeBufferPointer { sources in
                            let order = PermutedOrder(target: targets.baseAddress!, source: sources.baseAddress!)
                            switch p {
                            case 8: Self.firstStage(Radix8.self, from, stride: stride, nonzero: e, to, n: n, order, firstGroup)
                            case 4: Self.firstStage(Radix4.self, from, stride: stride, nonzero: e, to, n: n, order, firstGroup)
                            default: Self.firstStage(Radix2.self, from, stride: stride, nonzero: e, to, n: n, order, firstGroup)
                            }
                        }
                    }
                } else if stage == 0 {
                    switch p {
                    case 8: Self.firstStage(Radix8.self, from, stride: stride, nonzero: e, to, n: n)
                    case 4: Self.firstStage(Radix4.self, from, stride: stride, nonzero: e, to, n: n)
                    case 2: Self.firstStage(Radix2.self, from, stride: stride, nonzero: e, to, n: n)
                    case 5: Self.firstStage(Radix5.self, from, stride: stride, nonzero: e, to, n: n)
                    default: Self.firstStage(Radix3.self, from, stride: stride, nonzero: e, to, n: n)
                    }
                } else {
                    let tw = table + twiddleStart[stage], plain = plainSpan[stage]
                    switch p {
                    case 8: Self.stage(Radix8.self, from, to, n: n, span: span, plain: plain, tw)
                    case 4: Self.stage(Radix4.self, from, to, n: n, span: span, plain: plain, tw)
                    case 2: Self.stage(Radix2.self, from, to, n: n, span: span, plain: plain, tw)
                    case 5: Self.stage(Radix5.self, from, to, n: n, span: span, plain: plain, tw)
                    default: Self.stage(Radix3.self, from, to, n: n, span: span, plain: plain, tw)
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
        run(B.self, x, stride: stride, y, m: m, from: 0, split: split, to: m, present: q, rotation: 0, nil)
    }

    /// The first stage of a prime-factor split: as above, but butterfly `target[i]` reads the
    /// inputs of butterfly `source[i]`, rotated by the i's group number.
    @inline(__always)
    private static func firstStage<B: Butterfly>(_: B.Type, _ x: UnsafeRawPointer, stride: Int, nonzero e: Int,
                                                 _ y: UnsafeMutableRawPointer, n: Int,
                                                 _ order: PermutedOrder, _ groups: [Int]) {
        let p = B.radix, m = n / p
        if e == 0 {
            y.initializeMemory(as: Double.self, repeating: 0, count: 8 * n)
            return
        }
        let q = (e + m - 1) / m
        let split = min(m, e - (q - 1) * m)
        for r0 in 0..<p {
            let lo = groups[r0], hi = groups[r0 + 1]
            var mid = lo
            while mid < hi && order.source[mid] < split { mid += 1 }
            run(B.self, x, stride: stride, y, m: m, from: lo, split: mid, to: hi, present: q, rotation: r0, order)
        }
    }

    /// Butterflies lo..<mid of the first stage with `present` inputs and mid..<hi with one fewer,
    /// in natural order or, with `order`, through its tables. The usual counts (all, or about half
    /// the inputs) and every rotation get code of their own, in which the zero inputs and their
    /// operations vanish.
    @inline(__always)
    private static func run<B: Butterfly>(_: B.Type, _ x: UnsafeRawPointer, stride: Int, _ y: UnsafeMutableRawPointer,
                                          m: Int, from lo: Int, split mid: Int, to hi: Int, present: Int, rotation: Int,
                                          _ order: PermutedOrder?) {
        guard lo < hi else { return }
        let range = FirstStageRange(x: x, stride: stride, y: y, m: m, lo: lo, mid: mid, hi: hi, order: order)
        @inline(__always) func counts<R: StaticCount>(_: R.Type) {
            if present == B.radix {
                range.run(B.self, R.self, B.All.self)
            } else if present == B.Upper.value {
                range.run(B.self, R.self, B.Upper.self)
            } else if present == B.Lower.value {
                range.run(B.self, R.self, B.Lower.self)
            } else {
                range.run(B.self, present: present, rotation: rotation)
            }
        }
        if B.radix % 2 == 1 {
            counts(N0.self)
            return
        }
        switch rotation {
        case 0: counts(N0.self)
        case 1: counts(N1.self)
        case 2 where B.radix > 2: counts(N2.self)
        case 3 where B.radix > 3: counts(N3.self)
        case 4 where B.radix > 4: counts(N4.self)
        case 5 where B.radix > 5: counts(N5.self)
        case 6 where B.radix > 6: counts(N6.self)
        case 7 where B.radix > 7: counts(N7.self)
        default: range.run(B.self, present: present, rotation: rotation)
        }
    }

    /// A later stage: butterfly j = base + jm (jm < span) reads x[j + r m], rotates input r by
    /// the twiddle of (jm, r) and writes y[base p + jm + k span]. jm < plain have no twiddles.
    @inline(__always)
    private static func stage<B: Butterfly>(_: B.Type, _ x: UnsafeRawPointer, _ y: UnsafeMutableRawPointer,
                                            n: Int, span: Int, plain: Int, _ tw: UnsafePointer<Half>) {
        let p = B.radix, m = n / p
        let rStep = FFTLayout.element &* m, kStep = FFTLayout.element &* span
        let groups = m / span, inStep = kStep, outStep = kStep &* p
        for jm in 0..<span {
            let t: UnsafePointer<Half>? = jm < plain ? nil : tw + 2 &* (p &- 1) &* (jm &- plain)
            var a = x + jm &* FFTLayout.element, b = y + jm &* FFTLayout.element
            @inline(__always) func loop(_ t: UnsafePointer<Half>?) {
                for _ in 0..<groups {
                    B.apply(a, rStep, present: p, rotation: 0, b, kStep, t)
                    #if !SPECTRAL_AVX2
                    B.apply(a + FFTLayout.half, rStep, present: p, rotation: 0, b + FFTLayout.half, kStep, t)
                    #endif
                    a += inStep
                    b += outStep
                }
            }
            if let t { loop(t) } else { loop(nil) }
        }
    }

    /// The transform of one line (in lane 0 of a batch), in natural order: for tests and small uses.
    func forward(re: [Double], im: [Double]) -> (re: [Double], im: [Double]) {
        precondition(re.count == n && im.count == n)
        let buffer = UnsafeMutablePointer<FFTComplex>.allocate(capacity: 2 * n)
        defer { buffer.deallocate() }
        for t in 0..<n { buffer[t] = FFTComplex(re: FFTLanes(re[t], 0, 0, 0), im: FFTLanes(im[t], 0, 0, 0)) }
        forward(buffer, scratch: buffer + n)
        return ((0..<n).map { buffer[slot[$0]].re[0] }, (0..<n).map { buffer[slot[$0]].im[0] })
    }
}

/// The first stage's butterfly tables of a prime-factor split.
private struct PermutedOrder {
    let target: UnsafePointer<Int>
    let source: UnsafePointer<Int>
}

/// A compile-time count: the generic specializations below are separate functions, each with its
/// rotation and number of inputs folded in.
private protocol StaticCount { static var value: Int { get } }
private enum N0: StaticCount { static var value: Int { 0 } }
private enum N1: StaticCount { static var value: Int { 1 } }
private enum N2: StaticCount { static var value: Int { 2 } }
private enum N3: StaticCount { static var value: Int { 3 } }
private enum N4: StaticCount { static var value: Int { 4 } }
private enum N5: StaticCount { static var value: Int { 5 } }
private enum N6: StaticCount { static var value: Int { 6 } }
private enum N7: StaticCount { static var value: Int { 7 } }
private enum N8: StaticCount { static var value: Int { 8 } }

/// Butterflies lo..<hi of a first stage: butterfly j reads the inputs x[(j' + r m) stride] of
/// butterfly j' and writes y[j p + k], with j' = j, or j = target[i] and j' = source[i]; those
/// before mid have one input more than the others.
private struct FirstStageRange {
    let x: UnsafeRawPointer, stride: Int, y: UnsafeMutableRawPointer, m: Int, lo: Int, mid: Int, hi: Int
    let order: PermutedOrder?

    @inline(never)
    func run<B: Butterfly, R: StaticCount, P: StaticCount>(_: B.Type, _: R.Type, _: P.Type) {
        body(B.self, lo, mid, present: P.value, rotation: R.value)
        body(B.self, mid, hi, present: P.value - 1, rotation: R.value)
    }

    @inline(never)
    func run<B: Butterfly>(_: B.Type, present: Int, rotation: Int) {
        body(B.self, lo, mid, present: present, rotation: rotation)
        body(B.self, mid, hi, present: present - 1, rotation: rotation)
    }

    @inline(__always)
    private func body<B: Butterfly>(_: B.Type, _ lo: Int, _ hi: Int, present: Int, rotation: Int) {
        guard lo < hi else { return }
        let inStep = FFTLayout.element &* stride, rStep = inStep &* m, outStep = FFTLayout.element &* B.radix
        if present == 0 {
            if let order {
                for i in lo..<hi { (y + order.target[i] &* outStep).initializeMemory(as: Double.self, repeating: 0, count: 8 &* B.radix) }
            } else {
                (y + lo &* outStep).initializeMemory(as: Double.self, repeating: 0, count: 8 &* B.radix &* (hi &- lo))
            }
            return
        }
        @inline(__always) func butterfly(_ a: UnsafeRawPointer, _ b: UnsafeMutableRawPointer) {
            B.apply(a, rStep, present: present, rotation: rotation, b, FFTLayout.element, nil)
            #if !SPECTRAL_AVX2
            B.apply(a + FFTLayout.half, rStep, present: present, rotation: rotation, b + FFTLayout.half, FFTLayout.element, nil)
            #endif
        }
        if let order {
            for i in lo..<hi { butterfly(x + order.source[i] &* inStep, y + order.target[i] &* outStep) }
        } else {
            var a = x + lo &* inStep, b = y + lo &* outStep
            for _ in lo..<hi {
                butterfly(a, b)
                a += inStep
                b += outStep
            }
        }
    }
}

// MARK: - Butterflies

/// One p-point DFT on a Half: slot r reads the input at byte offset q s from `x` (its imaginary
/// part 32 bytes further), q = (r + rotation) mod p, if q < `present` (else it is zero); slot
/// r >= 1 is rotated by the twiddle pair at tw[2 (r - 1)] (cos, sin) unless `tw` is nil; output
/// k goes to byte offset k o from `y`.
private protocol Butterfly {
    static var radix: Int { get }
    /// The input counts with code of their own in a first stage: all, and the two that a line
    /// zero-padded to about twice its length gives.
    associatedtype All: StaticCount
    associatedtype Upper: StaticCount
    associatedtype Lower: StaticCount
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, rotation: Int, _ y: UnsafeMutableRawPointer,
                      _ o: Int, _ tw: UnsafePointer<Half>?)
}

/// A butterfly's inputs by slot.
private struct Inputs {
    let x: UnsafeRawPointer, s: Int, present: Int, rotation: Int, radix: Int
    let tw: UnsafePointer<Half>?

    @inline(__always) func has(_ r: Int) -> Bool {
        let q = r &+ rotation
        return (q >= radix ? q &- radix : q) < present
    }

    /// Slot r, rotated by its twiddle.
    @inline(__always) subscript(_ r: Int) -> (Half, Half) {
        guard has(r) else { return (.zero, .zero) }
        let q = r &+ rotation, at = (q >= radix ? q &- radix : q) &* s
        let a = x.load(fromByteOffset: at, as: Half.self)
        let b = x.load(fromByteOffset: at &+ FFTLayout.imaginary, as: Half.self)
        guard let tw, r > 0 else { return (a, b) }
        let c = tw[2 &* (r &- 1)], sn = tw[2 &* (r &- 1) &+ 1]
        return (a * c - b * sn, a * sn + b * c)
    }

    /// Sum and difference of slots r and r2, without the operations on a zero slot.
    @inline(__always) func sumDifference(_ r: Int, _ r2: Int) -> (Half, Half, Half, Half) {
        let (ar, ai) = self[r], (br, bi) = self[r2]
        switch (has(r), has(r2)) {
        case (true, true): return (ar + br, ai + bi, ar - br, ai - bi)
        case (true, false): return (ar, ai, ar, ai)
        case (false, true): return (br, bi, -br, -bi)
        case (false, false): return (.zero, .zero, .zero, .zero)
        }
    }
}

@inline(__always)
private func output(_ y: UnsafeMutableRawPointer, _ k: Int, _ o: Int, _ re: Half, _ im: Half) {
    y.storeBytes(of: re, toByteOffset: k &* o, as: Half.self)
    y.storeBytes(of: im, toByteOffset: k &* o &+ FFTLayout.imaginary, as: Half.self)
}

/// The 4-point DFT (w = -i) from the sums and differences of its inputs 0, 2 and 1, 3, written
/// to outputs first, first + step, first + 2 step, first + 3 step: Radix4 (0...3) and each half
/// of Radix8 (the even and the odd outputs).
@inline(__always)
private func outputFourPoint(_ y: UnsafeMutableRawPointer, _ o: Int, first: Int, step: Int,
                             _ p02: (Half, Half, Half, Half), _ p13: (Half, Half, Half, Half)) {
    let (sr02, si02, dr02, di02) = p02, (sr13, si13, dr13, di13) = p13
    output(y, first, o, sr02 + sr13, si02 + si13)
    output(y, first &+ step, o, dr02 + di13, di02 - dr13)
    output(y, first &+ 2 &* step, o, sr02 - sr13, si02 - si13)
    output(y, first &+ 3 &* step, o, dr02 - di13, di02 + dr13)
}

private enum Radix2: Butterfly {
    static var radix: Int { 2 }
    typealias All = N2
    typealias Upper = N1
    typealias Lower = N0
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, rotation: Int, _ y: UnsafeMutableRawPointer,
                      _ o: Int, _ tw: UnsafePointer<Half>?) {
        let v = Inputs(x: x, s: s, present: present, rotation: rotation, radix: radix, tw: tw)
        let (sr, si, dr, di) = v.sumDifference(0, 1)
        output(y, 0, o, sr, si)
        output(y, 1, o, dr, di)
    }
}

private enum Radix3: Butterfly {
    static var radix: Int { 3 }
    typealias All = N3
    typealias Upper = N2
    typealias Lower = N1
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, rotation: Int, _ y: UnsafeMutableRawPointer,
                      _ o: Int, _ tw: UnsafePointer<Half>?) {
        // w = exp(-2 pi i / 3) = -1/2 - i sqrt(3)/2.
        let h = Half(repeating: 0.75.squareRoot()), half = Half(repeating: 0.5)
        let v = Inputs(x: x, s: s, present: present, rotation: rotation, radix: radix, tw: tw)
        let (ar, ai) = v[0]
        let (sr, si, br, bi) = v.sumDifference(1, 2)
        let dr = h * br, di = h * bi
        let mr = ar - half * sr, mi = ai - half * si
        output(y, 0, o, ar + sr, ai + si)
        output(y, 1, o, mr + di, mi - dr)
        output(y, 2, o, mr - di, mi + dr)
    }
}

private enum Radix4: Butterfly {
    static var radix: Int { 4 }
    typealias All = N4
    typealias Upper = N2
    typealias Lower = N1
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, rotation: Int, _ y: UnsafeMutableRawPointer,
                      _ o: Int, _ tw: UnsafePointer<Half>?) {
        let v = Inputs(x: x, s: s, present: present, rotation: rotation, radix: radix, tw: tw)
        outputFourPoint(y, o, first: 0, step: 1, v.sumDifference(0, 2), v.sumDifference(1, 3))
    }
}

private enum Radix5: Butterfly {
    static var radix: Int { 5 }
    typealias All = N5
    typealias Upper = N3
    typealias Lower = N2
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, rotation: Int, _ y: UnsafeMutableRawPointer,
                      _ o: Int, _ tw: UnsafePointer<Half>?) {
        // w = exp(-2 pi i / 5), c_k = cos(2 pi k / 5), s_k = sin(2 pi k / 5). With p_1 = a1 + a4,
        // p_2 = a2 + a3, q_1 = a1 - a4, q_2 = a2 - a3, and since c1 + c2 = -1/2:
        //   a0 + c1 p1 + c2 p2 = b + k t2,  a0 + c2 p1 + c1 p2 = b - k t2,
        // with t1 = p1 + p2, t2 = p1 - p2, b = a0 - t1 / 4, k = (c1 - c2) / 2 = sqrt(5) / 4.
        let quarter = Half(repeating: 0.25), k = Half(repeating: 5.0.squareRoot() / 4)
        let s1 = Half(repeating: sin(2 * Double.pi / 5)), s2 = Half(repeating: sin(4 * Double.pi / 5))
        let v = Inputs(x: x, s: s, present: present, rotation: rotation, radix: radix, tw: tw)
        let (ar, ai) = v[0]
        let (pr1, pi1, qr1, qi1) = v.sumDifference(1, 4)
        let (pr2, pi2, qr2, qi2) = v.sumDifference(2, 3)
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
    typealias All = N8
    typealias Upper = N4
    typealias Lower = N3
    @inline(__always)
    static func apply(_ x: UnsafeRawPointer, _ s: Int, present: Int, rotation: Int, _ y: UnsafeMutableRawPointer,
                      _ o: Int, _ tw: UnsafePointer<Half>?) {
        // a_r = x_r + x_{r+4} give the even outputs (a 4-point DFT), b_r = x_r - x_{r+4} rotated
        // by w^r (w = exp(-i pi / 4)) the odd ones.
        let v = Inputs(x: x, s: s, present: present, rotation: rotation, radix: radix, tw: tw)
        let (ar0, ai0, br0, bi0) = v.sumDifference(0, 4)
        let (ar1, ai1, br1, bi1) = v.sumDifference(1, 5)
        let (ar2, ai2, br2, bi2) = v.sumDifference(2, 6)
        let (ar3, ai3, br3, bi3) = v.sumDifference(3, 7)
        outputFourPoint(y, o, first: 0, step: 2, (ar0 + ar2, ai0 + ai2, ar0 - ar2, ai0 - ai2),
                        (ar1 + ar3, ai1 + ai3, ar1 - ar3, ai1 - ai3))
        // w b1 = h (p, q), w^2 b2 = (bi2, -br2), w^3 b3 = h (u, -t), h = sqrt(1/2).
        let h = Half(repeating: 0.5.squareRoot())
        let p = br1 + bi1, q = bi1 - br1, u = bi3 - br3, t = br3 + bi3
        outputFourPoint(y, o, first: 1, step: 2, (br0 + bi2, bi0 - br2, br0 - bi2, bi0 + br2),
                        (h * (p + u), h * (q - t), h * (p - u), h * (q + t)))
    }
}
