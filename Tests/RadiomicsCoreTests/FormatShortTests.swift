import Foundation
import RadiomicsCore
import Testing

/// `formatShort` prints what `%.4f` prints, less the trailing zeros.
@Suite struct FormatShortTests {
    static func reference(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    @Test func examples() {
        #expect(formatShort(0.5) == "0.5")
        #expect(formatShort(-2.25) == "-2.25")
        #expect(formatShort(1.03125) == "1.0312")   // an exact tie: to even
        #expect(formatShort(1.09375) == "1.0938")
        #expect(formatShort(0.99996) == "1")
        #expect(formatShort(-0.00001) == "-0")
        #expect(formatShort(12) == "12")
        #expect(formatShort(3e9) == "3000000000")
        #expect(formatShort(.nan) == "nan")
        #expect(formatShort(-.infinity) == "-inf")
    }

    /// Values near the rounding boundaries and spread over many magnitudes.
    @Test func agreesWithTheFormatter() {
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var values: [Double] = []
        for _ in 0..<4000 {
            let scale = pow(10, Double(Int(next() % 16)) - 6)
            values.append(Double(next()) / Double(1 << 53) * scale * (next() % 2 == 0 ? 1 : -1))
        }
        // Decimal ties k + 0.00005 and their neighbours, which the product by 10^4 can misround.
        for k in 0..<2000 {
            let tie = Double(k) / 10_000 + 0.00005
            values += [tie, tie.nextUp, tie.nextDown, tie + 1234, (tie + 7).nextDown]
        }
        for v in values { #expect(formatShort(v) == Self.reference(v), "\(v)") }
    }
}
