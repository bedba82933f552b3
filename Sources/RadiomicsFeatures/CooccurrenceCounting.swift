import Foundation
import RadiomicsCore

// The GLCM counting and feature evaluation used by `CooccurrenceFeatures.compute`, over the grey
// levels present in the ROI only.
//
// A grey level absent from the ROI has an empty row and column in every matrix, and every
// feature sum skips zero probabilities, so dropping such levels changes no sum as long as the
// formulas use the true grey levels i and j (kept in `levels`) and the present ones are visited
// in ascending order, as the full Ng x Ng layout visits them.

/// Counts co-occurrences in one pass per slice for all 13 directions: the 4 in-plane directions
/// of the slice and the 9 that cross to the next slices.
struct CooccurrenceCounter {
    /// The grey levels present in the ROI, ascending; index a (0-based) is the compact level a.
    let levels: [Int]
    /// Compact levels + 1 (0 outside the intensity mask), padded by `distance` voxels of 0 so
    /// that a neighbour offset never leaves the array and a neighbour outside the block reads 0.
    private let codes: PaddedLevels
    private let size: SIMD3<Int>
    /// Flat offsets of the 13 neighbours, `TextureDirections.volumetric` order, scaled by the
    /// distance: the first 4 stay in the slice.
    private let offsets: [Int]

    init(_ volume: DiscretisedVolume, distance: Int) {
        precondition(distance >= 1, "co-occurrence distance must be at least 1")
        precondition(TextureDirections.volumetric.prefix(TextureDirections.inPlane.count).elementsEqual(TextureDirections.inPlane))
        var present = [Bool](repeating: false, count: volume.levelCount + 1)
        volume.levels.withUnsafeBufferPointer { levels in
            present.withUnsafeMutableBufferPointer { present in
                for l in levels { present[Int(l)] = true }
            }
        }
        var code = [UInt16](repeating: 0, count: volume.levelCount + 1)
        var levels: [Int] = []
        for g in 1..<present.count where present[g] {
            levels.append(g)
            code[g] = UInt16(levels.count)
        }
        self.levels = levels
        var mapped = volume
        code.withUnsafeBufferPointer { code in
            mapped.levels.withUnsafeMutableBufferPointer { levels in
                for k in levels.indices { levels[k] = code[Int(levels[k])] }
            }
        }
        let codes = PaddedLevels(mapped, margin: distance)
        self.codes = codes
        size = volume.grid.size
        offsets = TextureDirections.volumetric.map { codes.offset($0.dx * distance, $0.dy * distance, $0.dz * distance) }
    }

    var presentCount: Int { levels.count }
    var sliceCount: Int { size.z }

    /// Adds the one-sided counts (first voxel in slice `z`, neighbour at +offset) to `counts`:
    /// 13 row-major (n + 1) x (n + 1) matrices, n = `presentCount`, in direction order. Row and
    /// column 0 stand for "outside the intensity mask": pairs with an outside neighbour land in
    /// column 0 and are ignored, which spares a branch per neighbour.
    func count(slice z: Int, into counts: UnsafeMutablePointer<Int32>) {
        let width = levels.count + 1
        let plane = width * width
        let s = size
        precondition(offsets.count == 13)
        let o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3], o4 = offsets[4]
        let o5 = offsets[5], o6 = offsets[6], o7 = offsets[7], o8 = offsets[8], o9 = offsets[9]
        let o10 = offsets[10], o11 = offsets[11], o12 = offsets[12]
        let m0 = counts, m1 = m0 + plane, m2 = m1 + plane, m3 = m2 + plane, m4 = m3 + plane
        let m5 = m4 + plane, m6 = m5 + plane, m7 = m6 + plane, m8 = m7 + plane, m9 = m8 + plane
        let m10 = m9 + plane, m11 = m10 + plane, m12 = m11 + plane
        codes.levels.withUnsafeBufferPointer { c in
            let c = c.baseAddress!
            for y in 0..<s.y {
                let row = codes.index(0, y, z)
                for i in row..<(row + s.x) {
                    let a = Int(c[i])
                    if a == 0 { continue }
                    let r = a * width
                    let p = c + i
                    m0[r + Int(p[o0])] &+= 1
                    m1[r + Int(p[o1])] &+= 1
                    m2[r + Int(p[o2])] &+= 1
                    m3[r + Int(p[o3])] &+= 1
                    m4[r + Int(p[o4])] &+= 1
                    m5[r + Int(p[o5])] &+= 1
                    m6[r + Int(p[o6])] &+= 1
                    m7[r + Int(p[o7])] &+= 1
                    m8[r + Int(p[o8])] &+= 1
                    m9[r + Int(p[o9])] &+= 1
                    m10[r + Int(p[o10])] &+= 1
                    m11[r + Int(p[o11])] &+= 1
                    m12[r + Int(p[o12])] &+= 1
                }
            }
        }
    }

    /// Adds M = M+ + transpose(M+) of the one-sided counts of one direction (layout of `count`)
    /// to the n x n matrices `targets` (IBSI: each pair is counted along m and along -m).
    func addSymmetric(_ oneSided: UnsafePointer<Int32>, to targets: [UnsafeMutablePointer<Int>]) {
        let n = levels.count, width = n + 1
        for i in 0..<n {
            for j in 0..<n {
                let v = Int(oneSided[(i + 1) * width + j + 1]) + Int(oneSided[(j + 1) * width + i + 1])
                for t in targets { t[i * n + j] += v }
            }
        }
    }
}

/// The 25 GLCM features of symmetric count matrices over compact grey levels, with scratch
/// space reused from matrix to matrix.
///
/// Every sum is formed in the order of the definition on the full matrix: elements row-major,
/// grey levels ascending. Matrices are symmetric, so p_ij = p_ji exactly, and so are the terms
/// p log2 p of the joint entropy: each is computed once for i <= j and read back for i > j,
/// which halves the logarithms without changing the sum.
///
/// Symmetry also makes the two entropies of the information correlations (IBSI 1, "Information
/// correlation 1", R8DG, and "2", JN9H) one number: the row and column marginals are one
/// marginal p_i, and since sum_j p_ij = p_i and sum_j p_j = 1,
///   HXY1 = -sum_ij p_ij log2(p_i p_j) = -sum_i p_i log2 p_i - sum_j p_j log2 p_j = HX + HY,
///   HXY2 = -sum_ij p_i p_j log2(p_i p_j) = HX + HY as well,
/// with HY = HX. Both are taken as 2 HX, which spares a logarithm per matrix element and per
/// pair of grey levels (three quarters of the logarithms).
final class CooccurrenceEvaluator {
    /// True grey level of each compact level.
    let levels: [Int]
    /// Ng: the grey levels of the discretisation (normalised inverse differences divide by it).
    let levelCount: Int
    private let n: Int
    private let selfTerms: UnsafeMutablePointer<Double>
    private let entryA: UnsafeMutablePointer<Int32>
    private let entryB: UnsafeMutablePointer<Int32>
    private let entryP: UnsafeMutablePointer<Double>
    private var marginal: [Double]
    private var difference: [Double]
    private var sum: [Double]

    init(levels: [Int], levelCount: Int) {
        self.levels = levels
        self.levelCount = levelCount
        n = levels.count
        let cells = max(n * n, 1)
        selfTerms = .allocate(capacity: cells)
        entryA = .allocate(capacity: cells)
        entryB = .allocate(capacity: cells)
        entryP = .allocate(capacity: cells)
        marginal = [Double](repeating: 0, count: n)
        difference = [Double](repeating: 0, count: max(levelCount, 1))
        sum = [Double](repeating: 0, count: 2 * levelCount + 1)
    }

    deinit {
        selfTerms.deallocate()
        entryA.deallocate()
        entryB.deallocate()
        entryP.deallocate()
    }

    /// The features (in `CooccurrenceFeatures.definitions` order) of the symmetric n x n count
    /// matrix `counts`; nil when it holds no pair.
    func features(_ counts: UnsafePointer<Int>) -> [Double]? {
        var total = 0
        for k in 0..<(n * n) { total += counts[k] }
        guard total > 0 else { return nil }
        let t = Double(total)
        let n = self.n
        for k in marginal.indices { marginal[k] = 0 }
        for k in difference.indices { difference[k] = 0 }
        for k in sum.indices { sum[k] = 0 }

        // Joint probabilities and the sums over them that need nothing else.
        var entries = 0
        var hxy = 0.0, jointMaximum = 0.0, jointAverage = 0.0, energy = 0.0
        var contrast = 0.0, dissimilarity = 0.0, autocorrelation = 0.0
        levels.withUnsafeBufferPointer { levels in
            marginal.withUnsafeMutableBufferPointer { marginal in
                difference.withUnsafeMutableBufferPointer { difference in
                    sum.withUnsafeMutableBufferPointer { sum in
                        for a in 0..<n {
                            let i = levels[a]
                            for b in 0..<n {
                                let c = counts[a * n + b]
                                if c == 0 { continue }
                                let p = Double(c) / t
                                let j = levels[b]
                                entryA[entries] = Int32(a)
                                entryB[entries] = Int32(b)
                                entryP[entries] = p
                                entries += 1
                                marginal[a] += p
                                difference[abs(i - j)] += p
                                sum[i + j] += p
                                let h: Double
                                if b >= a {
                                    h = p * log2(p)
                                    selfTerms[a * n + b] = h
                                } else {
                                    h = selfTerms[b * n + a]
                                }
                                hxy -= h
                                jointMaximum = max(jointMaximum, p)
                                jointAverage += Double(i) * p
                                energy += p * p
                                contrast += Double((i - j) * (i - j)) * p
                                dissimilarity += Double(abs(i - j)) * p
                                autocorrelation += Double(i * j) * p
                            }
                        }
                    }
                }
            }
        }

        // Marginal mean, entropy and variance (the marginal is p_i. = p_.j).
        var mean = 0.0, hx = 0.0
        for a in 0..<n where marginal[a] > 0 {
            let p = marginal[a]
            mean += Double(levels[a]) * p
            hx -= p * log2(p)
        }
        var variance = 0.0
        for a in 0..<n where marginal[a] > 0 {
            let i = Double(levels[a])
            variance += (i - mean) * (i - mean) * marginal[a]
        }

        // Sums over the probabilities that need a mean.
        var jointVariance = 0.0, covariance = 0.0
        var tendency = 0.0, shade = 0.0, prominence = 0.0
        let twoMean = 2 * mean
        levels.withUnsafeBufferPointer { levels in
            for e in 0..<entries {
                let a = Int(entryA[e]), b = Int(entryB[e])
                let p = entryP[e]
                let i = Double(levels[a]), j = Double(levels[b])
                jointVariance += (i - jointAverage) * (i - jointAverage) * p
                covariance += (i - mean) * (j - mean) * p
                let d = Double(levels[a] + levels[b]) - twoMean
                tendency += d * d * p
                shade += d * d * d * p
                prominence += d * d * d * d * p
            }
        }

        // HXY1 = HXY2 = HX + HY = 2 HX (see the type's comment).
        let hxy1 = 2 * hx, hxy2 = 2 * hx

        // Diagonal (|i - j| = k) and cross-diagonal (i + j = k) probabilities.
        let ng = Double(levelCount)
        var differenceAverage = 0.0, differenceEntropy = 0.0
        var inverseDifference = 0.0, normalisedInverseDifference = 0.0
        var inverseDifferenceMoment = 0.0, normalisedInverseDifferenceMoment = 0.0, inverseVariance = 0.0
        for k in difference.indices {
            let p = difference[k]
            let dk = Double(k)
            differenceAverage += dk * p
            if p > 0 { differenceEntropy -= p * log2(p) }
            inverseDifference += p / (1 + dk)
            normalisedInverseDifference += p / (1 + dk / ng)
            inverseDifferenceMoment += p / (1 + Double(k * k))
            normalisedInverseDifferenceMoment += p / (1 + (dk / ng) * (dk / ng))
            if k > 0 { inverseVariance += p / Double(k * k) }
        }
        var differenceVariance = 0.0
        for k in difference.indices {
            differenceVariance += (Double(k) - differenceAverage) * (Double(k) - differenceAverage) * difference[k]
        }
        var sumAverage = 0.0, sumEntropy = 0.0
        for k in sum.indices {
            let p = sum[k]
            sumAverage += Double(k) * p
            if p > 0 { sumEntropy -= p * log2(p) }
        }
        var sumVariance = 0.0
        for k in sum.indices {
            sumVariance += (Double(k) - sumAverage) * (Double(k) - sumAverage) * sum[k]
        }

        // Correlation and information correlation 1 divide by the marginal variance and HX,
        // which are 0 with a single grey level: undefined (NaN) then. Information correlation 2:
        // HXY2 >= HXY always holds; the difference is clamped at 0 against rounding.
        let correlation = variance > 0 ? covariance / variance : .nan
        let informationCorrelation1 = hx > 0 ? (hxy - hxy1) / hx : .nan
        let gap = max(0, hxy2 - hxy)
        let informationCorrelation2 = (1 - exp(-2 * gap)).squareRoot()
        return [
            jointMaximum, jointAverage, jointVariance, hxy,
            differenceAverage, differenceVariance, differenceEntropy,
            sumAverage, sumVariance, sumEntropy,
            energy, contrast, dissimilarity,
            inverseDifference, normalisedInverseDifference, inverseDifferenceMoment, normalisedInverseDifferenceMoment,
            inverseVariance, correlation, autocorrelation,
            tendency, shade, prominence,
            informationCorrelation1, informationCorrelation2,
        ]
    }
}
