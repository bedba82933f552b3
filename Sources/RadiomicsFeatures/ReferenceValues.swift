import Foundation
import RadiomicsCore

/// One IBSI reference value (a row of `ibsi_1_*.csv`).
public struct ReferenceValue: Sendable, Equatable {
    public let tag: String
    /// The value as written in the file: its significant digits decide the rounding.
    public let text: String
    public let value: Double
    public let tolerance: Double

    public init(tag: String, text: String, tolerance: Double) {
        self.tag = tag
        self.text = text
        self.value = Double(text) ?? .nan
        self.tolerance = tolerance
    }

    /// Significant digits written in the reference (at least 3): "0.698" -> 3, "125256" -> 6,
    /// "2.10e-03" -> 3. Trailing zeros of a whole number are not significant: the manual writes
    /// the value stored as "1490" as 1.49 x 10^3.
    public var significantDigits: Int {
        var mantissa = text.trimmingCharacters(in: .whitespaces)
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) { mantissa = String(mantissa[..<e]) }
        var digits = Array(mantissa.filter(\.isNumber).drop(while: { $0 == "0" }))
        if !mantissa.contains(".") {
            while digits.last == "0" { digits.removeLast() }
        }
        return max(3, digits.count)
    }

    /// The IBSI compliance rule: round the computed value to the reference's significant digits,
    /// then it passes when |rounded - reference| <= tolerance.
    public func accepts(_ computed: Double) -> Bool {
        guard computed.isFinite else { return false }
        return abs(ReferenceValue.round(computed, significantDigits: significantDigits) - value) <= tolerance * (1 + 1e-12) + 1e-12 * abs(value)
    }

    public static func round(_ x: Double, significantDigits n: Int) -> Double {
        guard x != 0, x.isFinite else { return x }
        let magnitude = Int(Foundation.floor(log10(abs(x))))
        let scale = pow(10, Double(n - 1 - magnitude))
        return (x * scale).rounded() / scale
    }
}

/// Reads an IBSI 1 reference file: `;`-separated, header `reference value;tolerance;tag`. Rows
/// without a reference value (no consensus) are skipped; a tag listed twice keeps its first row.
public func readReferenceValues(at path: String) throws -> [ReferenceValue] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw RadiomicsError.input(path, "cannot read the reference value file")
    }
    var seen = Set<String>()
    var out: [ReferenceValue] = []
    for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where n > 0 {
        let cols = line.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard cols.count >= 3, !cols[0].isEmpty, !cols[2].isEmpty, let tol = Double(cols[1].isEmpty ? "0" : cols[1]) else { continue }
        guard Double(cols[0]) != nil, seen.insert(cols[2]).inserted else { continue }
        out.append(ReferenceValue(tag: cols[2], text: cols[0], tolerance: tol))
    }
    return out
}
