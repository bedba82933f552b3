import Foundation

// Summary statistics of a sample of values, shared by the intensity-based statistics (the
// intensities themselves) and the intensity histogram (the discretised grey levels).
//
// Percentiles: the IBSI manual does not fix an estimator. Linear interpolation between order
// statistics is used (Hyndman & Fan definition 7: the p-th percentile of n sorted values x_0 ...
// x_{n-1} lies at position h = (n - 1) p / 100, interpolated between x_floor(h) and x_ceil(h)).
// It reproduces the IBSI consensus values; the manual notes that other estimators give 4.2
// instead of 4 for the 90th percentile of the digital phantom.

/// Moments, order statistics and dispersion measures of a sample (IBSI 1, intensity-based
/// statistics and intensity histogram families). Every value is NaN for an empty sample.
struct SampleSummary {
    let count: Int
    let mean: Double
    /// Population variance (no bias correction).
    let variance: Double
    /// 0 when the variance is 0 (IBSI).
    let skewness: Double
    /// Excess kurtosis; 0 when the variance is 0 (IBSI).
    let kurtosis: Double
    let minimum: Double
    let maximum: Double
    let median: Double
    let p10: Double
    let p25: Double
    let p75: Double
    let p90: Double
    /// Mean absolute deviation from the mean.
    let meanAbsoluteDeviation: Double
    /// Mean absolute deviation from their own mean of the values within [P10, P90]; NaN when no
    /// value lies in that interval (possible with interpolated percentiles of tiny samples).
    let robustMeanAbsoluteDeviation: Double
    /// Mean absolute deviation from the median.
    let medianAbsoluteDeviation: Double
    /// Sum of squares.
    let energy: Double

    /// Summary of `sorted`, which must be in ascending order.
    init(sorted x: [Double]) {
        let n = x.count
        count = n
        guard n > 0 else {
            mean = .nan; variance = .nan; skewness = .nan; kurtosis = .nan
            minimum = .nan; maximum = .nan; median = .nan
            p10 = .nan; p25 = .nan; p75 = .nan; p90 = .nan
            meanAbsoluteDeviation = .nan; robustMeanAbsoluteDeviation = .nan
            medianAbsoluteDeviation = .nan; energy = .nan
            return
        }
        let nd = Double(n)
        minimum = x[0]
        maximum = x[n - 1]
        median = SampleSummary.percentile(sorted: x, 50)
        p10 = SampleSummary.percentile(sorted: x, 10)
        p25 = SampleSummary.percentile(sorted: x, 25)
        p75 = SampleSummary.percentile(sorted: x, 75)
        p90 = SampleSummary.percentile(sorted: x, 90)

        var sum = 0.0, squares = 0.0
        for v in x { sum += v; squares += v * v }
        energy = squares
        // A constant sample: the mean is that value exactly, and rounding of sum / n must not
        // invent a spread.
        let mu = minimum == maximum ? minimum : sum / nd
        mean = mu

        var m2 = 0.0, m3 = 0.0, m4 = 0.0, absMean = 0.0, absMedian = 0.0
        for v in x {
            let d = v - mu
            let d2 = d * d
            m2 += d2
            m3 += d2 * d
            m4 += d2 * d2
            absMean += abs(d)
            absMedian += abs(v - median)
        }
        m2 /= nd; m3 /= nd; m4 /= nd
        variance = m2
        if m2 > 0 {
            skewness = m3 / (m2 * m2.squareRoot())
            kurtosis = m4 / (m2 * m2) - 3
        } else {
            skewness = 0
            kurtosis = 0
        }
        meanAbsoluteDeviation = absMean / nd
        medianAbsoluteDeviation = absMedian / nd

        // Values within [P10, P90]: a contiguous run of the sorted sample.
        let lo = SampleSummary.firstIndex(sorted: x, notBelow: p10)
        let hi = SampleSummary.firstIndex(sorted: x, above: p90)
        if lo < hi {
            var s = 0.0
            for i in lo..<hi { s += x[i] }
            let m = s / Double(hi - lo)
            var a = 0.0
            for i in lo..<hi { a += abs(x[i] - m) }
            robustMeanAbsoluteDeviation = a / Double(hi - lo)
        } else {
            robustMeanAbsoluteDeviation = .nan
        }
    }

    /// `values` as Doubles in ascending order: the array `values.map(Double.init).sorted()`
    /// gives, made in O(n) instead of by a comparison sort: whole numbers over a short range
    /// (calibrated CT intensities) by counting each value, anything else by a stable LSD radix
    /// sort of the float bit patterns (mapped so that their unsigned order is the numeric
    /// order; digits shared by every value are skipped). Either sorts -0.0 as +0.0; the run of
    /// zeros then gets the signs of the zeros in their original order, as the stable
    /// comparison sort (for which they are equal) leaves them. Samples holding NaN (which has
    /// no place in the order) and tiny ones take the comparison sort.
    static func sortedDoubles(_ values: [Float]) -> [Double] {
        let n = values.count
        var nan = false, whole = true, negativeZeros = 0, negatives = 0
        var lowest = Float.infinity, highest = -Float.infinity
        values.withUnsafeBufferPointer { v in
            for f in v {
                if f < 0 { negatives += 1 }
                if f == 0 && f.sign == .minus { negativeZeros += 1 }
                let a = abs(f)
                if !(a < 8_388_608 && Float(Int32(a)) == a) {
                    whole = false
                    if f.isNaN { nan = true }
                }
                lowest = min(lowest, f)
                highest = max(highest, f)
            }
        }
        if nan || n < 64 { return values.map(Double.init).sorted() }
        var sorted: [Double]
        if whole, Double(highest) - Double(lowest) < Double(max(4 * n, 1 << 16)) {
            // Whole numbers over a short range (CT): a counting sort by value.
            sorted = countingSorted(values, lowest: Int(lowest), span: Int(highest) - Int(lowest))
        } else {
            sorted = radixSorted(values)
        }
        if negativeZeros > 0 {
            // -0.0 was sorted as +0.0. The zeros follow the negative values; give them their
            // signs in input order.
            var k = negatives
            for f in values where f == 0 {
                sorted[k] = f.sign == .minus ? -0.0 : 0.0
                k += 1
            }
        }
        return sorted
    }

    /// Whole numbers in lowest...lowest + span, ascending, as Doubles (-0.0 as +0.0).
    private static func countingSorted(_ values: [Float], lowest: Int, span: Int) -> [Double] {
        var counts = [Int](repeating: 0, count: span + 1)
        values.withUnsafeBufferPointer { v in
            counts.withUnsafeMutableBufferPointer { c in
                for f in v { c[Int(f) &- lowest] &+= 1 }
            }
        }
        return counts.withUnsafeBufferPointer { c in
            [Double](unsafeUninitializedCapacity: values.count) { out, initialized in
                var o = 0
                for k in 0...span where c[k] > 0 {
                    let d = Double(lowest + k)
                    for _ in 0..<c[k] { out[o] = d; o &+= 1 }
                }
                initialized = o
            }
        }
    }

    /// Finite values (no NaN) ascending as Doubles, -0.0 as +0.0: the LSD radix sort.
    private static func radixSorted(_ values: [Float]) -> [Double] {
        let n = values.count
        // Order-preserving keys: flip every bit of a negative float, only the sign bit of a
        // positive one.
        var keys = values.withUnsafeBufferPointer { v in
            [UInt32](unsafeUninitializedCapacity: n) { out, initialized in
                for i in 0..<n {
                    let b = v[i] == 0 ? 0 : v[i].bitPattern
                    out[i] = b & 0x8000_0000 != 0 ? ~b : b | 0x8000_0000
                }
                initialized = n
            }
        }
        var scratch = [UInt32](repeating: 0, count: n)
        let digits: [(shift: UInt32, bits: UInt32)] = [(0, 11), (11, 11), (22, 10)]
        var counts = [Int](repeating: 0, count: 1 << 11)
        for (shift, bits) in digits {
            let mask = (UInt32(1) << bits) - 1
            let buckets = 1 << Int(bits)
            var skip = false
            keys.withUnsafeBufferPointer { k in
                counts.withUnsafeMutableBufferPointer { c in
                    for j in 0..<buckets { c[j] = 0 }
                    for key in k { c[Int((key >> shift) & mask)] += 1 }
                    // One bucket holding everything: this digit is the same for all keys.
                    if c[Int((k[0] >> shift) & mask)] == n { skip = true; return }
                    var start = 0
                    for j in 0..<buckets { let m = c[j]; c[j] = start; start += m }
                }
            }
            if skip { continue }
            keys.withUnsafeBufferPointer { k in
                scratch.withUnsafeMutableBufferPointer { out in
                    counts.withUnsafeMutableBufferPointer { c in
                        for key in k {
                            let d = Int((key >> shift) & mask)
                            out[c[d]] = key
                            c[d] += 1
                        }
                    }
                }
            }
            swap(&keys, &scratch)
        }
        return keys.withUnsafeBufferPointer { k in
            [Double](unsafeUninitializedCapacity: n) { out, initialized in
                for i in 0..<n {
                    let key = k[i]
                    out[i] = Double(Float(bitPattern: key & 0x8000_0000 != 0 ? key & 0x7FFF_FFFF : ~key))
                }
                initialized = n
            }
        }
    }

    /// Coefficient of variation sigma / mu; NaN when the mean is 0.
    var coefficientOfVariation: Double {
        mean == 0 ? .nan : variance.squareRoot() / mean
    }

    /// Quartile coefficient of dispersion (P75 - P25) / (P75 + P25); NaN when P75 + P25 = 0.
    var quartileCoefficientOfDispersion: Double {
        let s = p75 + p25
        return s == 0 ? .nan : (p75 - p25) / s
    }

    /// The `p`-th percentile (0...100) of an ascending sample by linear interpolation between
    /// order statistics (see the note at the top of this file). NaN for an empty sample.
    static func percentile(sorted x: [Double], _ p: Double) -> Double {
        let n = x.count
        guard n > 0 else { return .nan }
        let h = Double(n - 1) * p / 100
        let i = Int(h.rounded(.down))
        if i >= n - 1 { return x[n - 1] }
        let f = h - Double(i)
        return f == 0 ? x[i] : x[i] + f * (x[i + 1] - x[i])
    }

    /// Index of the first element >= `value` (binary search).
    static func firstIndex(sorted x: [Double], notBelow value: Double) -> Int {
        var lo = 0, hi = x.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if x[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Index of the first element > `value` (binary search).
    static func firstIndex(sorted x: [Double], above value: Double) -> Int {
        var lo = 0, hi = x.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if x[mid] <= value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
