import Foundation
import RadiomicsCore

// The matrix shape shared by four IBSI families (IBSI 1, sections on GLRLM, GLSZM, GLDZM and
// NGLDM): grey levels i = 1...Ng as rows, a count-like quantity j = 1...Nj as columns (run
// length, zone size, zone distance, dependence count), each element the number of runs, zones or
// voxels. The families then apply largely the same formulas to it, so the formulas live here once
// (`GreyLevelSizeFeature`) and each family maps its own tags and IBSI codes onto them.

/// A grey level × size matrix: element (i, j) counts the runs, zones or voxels of grey level i
/// with run length, zone size, zone distance or dependence count j.
public struct GreyLevelSizeMatrix: Sendable, Equatable {
    /// Number of grey levels Ng (rows).
    public let levelCount: Int
    /// Number of columns Nj: the largest size the matrix can hold.
    public private(set) var columnCount: Int
    /// Counts, row-major: element (i, j), both 1-based, at `(i - 1) * columnCount + (j - 1)`.
    public private(set) var counts: [Double]
    /// N_v: number of voxels of the intensity mask the matrix was built from. Merging matrices
    /// sums it (IBSI: "when matrices are merged, N_v should likewise be summed").
    public private(set) var voxelCount: Double

    public init(levelCount: Int, columnCount: Int, voxelCount: Double = 0) {
        precondition(levelCount >= 0 && columnCount >= 0)
        self.levelCount = levelCount
        self.columnCount = columnCount
        self.counts = Array(repeating: 0, count: levelCount * columnCount)
        self.voxelCount = voxelCount
    }

    /// A matrix from explicit (level, size, count) entries, e.g. a table of the IBSI manual.
    public init(levelCount: Int, entries: [(level: Int, size: Int, count: Double)], voxelCount: Double = 0) {
        let columns = entries.map(\.size).max() ?? 0
        self.init(levelCount: levelCount, columnCount: columns, voxelCount: voxelCount)
        for e in entries { add(level: e.level, size: e.size, count: e.count) }
    }

    /// Element (i, j), both 1-based; 0 for a size beyond the last column.
    public subscript(level: Int, size: Int) -> Double {
        precondition(level >= 1 && level <= levelCount && size >= 1)
        return size > columnCount ? 0 : counts[(level - 1) * columnCount + size - 1]
    }

    @inline(__always)
    public mutating func add(level: Int, size: Int, count: Double = 1) {
        precondition(level >= 1 && level <= levelCount && size >= 1)
        if size > columnCount { widen(to: size) }
        counts[(level - 1) * columnCount + size - 1] += count
    }

    public mutating func addVoxels(_ n: Double) { voxelCount += n }

    /// N_s: the sum of all elements (number of runs, zones or voxels counted).
    public var total: Double { counts.reduce(0, +) }

    /// True when the matrix holds nothing (an empty slice): its features are undefined.
    public var isEmpty: Bool { total == 0 }

    /// Row marginal r_i. = sum over j of r_ij, for i = 1...Ng (index i - 1).
    public var rowSums: [Double] {
        var r = [Double](repeating: 0, count: levelCount)
        for i in 0..<levelCount {
            var s = 0.0
            for j in 0..<columnCount { s += counts[i * columnCount + j] }
            r[i] = s
        }
        return r
    }

    /// Column marginal r_.j = sum over i of r_ij, for j = 1...Nj (index j - 1).
    public var columnSums: [Double] {
        var c = [Double](repeating: 0, count: columnCount)
        for i in 0..<levelCount {
            for j in 0..<columnCount { c[j] += counts[i * columnCount + j] }
        }
        return c
    }

    /// The non-zero elements as (level, size, count), rows first: convenient for comparison with
    /// the sparse tables of the IBSI manual.
    public var entries: [(level: Int, size: Int, count: Double)] {
        var out: [(level: Int, size: Int, count: Double)] = []
        for i in 0..<levelCount {
            for j in 0..<columnCount where counts[i * columnCount + j] != 0 {
                out.append((i + 1, j + 1, counts[i * columnCount + j]))
            }
        }
        return out
    }

    /// Adds another matrix element-wise and sums N_v (IBSI matrix merging).
    public mutating func merge(_ other: GreyLevelSizeMatrix) {
        precondition(other.levelCount == levelCount, "merged matrices must have the same grey levels")
        if other.columnCount > columnCount { widen(to: other.columnCount) }
        for i in 0..<levelCount {
            let a = i * columnCount, b = i * other.columnCount
            for j in 0..<other.columnCount { counts[a + j] += other.counts[b + j] }
        }
        voxelCount += other.voxelCount
    }

    /// The element-wise sum of matrices with the same number of grey levels (N_v summed too).
    public static func merged(_ matrices: [GreyLevelSizeMatrix], levelCount: Int) -> GreyLevelSizeMatrix {
        var m = GreyLevelSizeMatrix(levelCount: levelCount, columnCount: matrices.map(\.columnCount).max() ?? 0)
        for other in matrices { m.merge(other) }
        return m
    }

    private mutating func widen(to columns: Int) {
        var wider = [Double](repeating: 0, count: levelCount * columns)
        for i in 0..<levelCount {
            for j in 0..<columnCount { wider[i * columns + j] = counts[i * columnCount + j] }
        }
        counts = wider
        columnCount = columns
    }
}

/// The formulas shared by GLRLM, GLSZM, GLDZM and NGLDM, written for a matrix with elements
/// r_ij (grey level i = 1...Ng, size j = 1...Nj), N_s = sum of r_ij, marginals r_i. and r_.j,
/// joint probability p_ij = r_ij / N_s and N_v the number of voxels.
public enum GreyLevelSizeFeature: Sendable, CaseIterable {
    /// F = 1/N_s Σ_j r_.j / j²
    case smallSizeEmphasis
    /// F = 1/N_s Σ_j j² r_.j
    case largeSizeEmphasis
    /// F = 1/N_s Σ_i r_i. / i²
    case lowGreyLevelEmphasis
    /// F = 1/N_s Σ_i i² r_i.
    case highGreyLevelEmphasis
    /// F = 1/N_s Σ_i Σ_j r_ij / (i² j²)
    case smallSizeLowGreyLevelEmphasis
    /// F = 1/N_s Σ_i Σ_j i² r_ij / j²
    case smallSizeHighGreyLevelEmphasis
    /// F = 1/N_s Σ_i Σ_j j² r_ij / i²
    case largeSizeLowGreyLevelEmphasis
    /// F = 1/N_s Σ_i Σ_j i² j² r_ij
    case largeSizeHighGreyLevelEmphasis
    /// F = 1/N_s Σ_i r_i.²
    case greyLevelNonUniformity
    /// F = 1/N_s² Σ_i r_i.²
    case greyLevelNonUniformityNormalised
    /// F = 1/N_s Σ_j r_.j²
    case sizeNonUniformity
    /// F = 1/N_s² Σ_j r_.j²
    case sizeNonUniformityNormalised
    /// F = N_s / N_v
    case percentage
    /// F = Σ_i Σ_j (i - μ)² p_ij with μ = Σ_i Σ_j i p_ij
    case greyLevelVariance
    /// F = Σ_i Σ_j (j - μ)² p_ij with μ = Σ_i Σ_j j p_ij
    case sizeVariance
    /// F = -Σ_i Σ_j p_ij log2 p_ij
    case sizeEntropy
    /// F = Σ_i Σ_j p_ij²
    case energy
}

extension GreyLevelSizeMatrix {
    /// The values of `features` for this matrix, in the same order; all NaN when the matrix is
    /// empty (N_s = 0), where none of the formulas is defined. Marginals are computed once.
    public func values(of features: [GreyLevelSizeFeature]) -> [Double] {
        let ns = total
        guard ns > 0 else { return Array(repeating: .nan, count: features.count) }
        let rows = rowSums, cols = columnSums
        var s = Sums()
        for (k, r) in rows.enumerated() where r > 0 {
            let i = Double(k + 1), i2 = i * i
            s.lowGrey += r / i2
            s.highGrey += r * i2
            s.rowSquares += r * r
            s.meanLevel += i * r
        }
        for (k, c) in cols.enumerated() where c > 0 {
            let j = Double(k + 1), j2 = j * j
            s.small += c / j2
            s.large += c * j2
            s.columnSquares += c * c
            s.meanSize += j * c
        }
        s.meanLevel /= ns
        s.meanSize /= ns
        for k in 0..<levelCount {
            let i = Double(k + 1), i2 = i * i
            let base = k * columnCount
            for l in 0..<columnCount {
                let r = counts[base + l]
                guard r > 0 else { continue }
                let j = Double(l + 1), j2 = j * j
                s.smallLow += r / (i2 * j2)
                s.smallHigh += r * i2 / j2
                s.largeLow += r * j2 / i2
                s.largeHigh += r * i2 * j2
                let p = r / ns
                s.levelVariance += (i - s.meanLevel) * (i - s.meanLevel) * p
                s.sizeVariance += (j - s.meanSize) * (j - s.meanSize) * p
                s.entropy -= p * log2(p)
                s.energy += p * p
            }
        }
        return features.map { f in
            switch f {
            case .smallSizeEmphasis: s.small / ns
            case .largeSizeEmphasis: s.large / ns
            case .lowGreyLevelEmphasis: s.lowGrey / ns
            case .highGreyLevelEmphasis: s.highGrey / ns
            case .smallSizeLowGreyLevelEmphasis: s.smallLow / ns
            case .smallSizeHighGreyLevelEmphasis: s.smallHigh / ns
            case .largeSizeLowGreyLevelEmphasis: s.largeLow / ns
            case .largeSizeHighGreyLevelEmphasis: s.largeHigh / ns
            case .greyLevelNonUniformity: s.rowSquares / ns
            case .greyLevelNonUniformityNormalised: s.rowSquares / (ns * ns)
            case .sizeNonUniformity: s.columnSquares / ns
            case .sizeNonUniformityNormalised: s.columnSquares / (ns * ns)
            case .percentage: voxelCount > 0 ? ns / voxelCount : .nan
            case .greyLevelVariance: s.levelVariance
            case .sizeVariance: s.sizeVariance
            case .sizeEntropy: s.entropy
            case .energy: s.energy
            }
        }
    }

    /// Feature values averaged over matrices, skipping empty ones (IBSI: a slice without ROI
    /// voxels contributes nothing). All NaN when every matrix is empty.
    public static func averageValues(of features: [GreyLevelSizeFeature], over matrices: [GreyLevelSizeMatrix]) -> [Double] {
        var sum = [Double](repeating: 0, count: features.count)
        var n = 0
        for m in matrices where !m.isEmpty {
            let v = m.values(of: features)
            for k in 0..<sum.count { sum[k] += v[k] }
            n += 1
        }
        guard n > 0 else { return Array(repeating: .nan, count: features.count) }
        return sum.map { $0 / Double(n) }
    }
}

private struct Sums {
    var small = 0.0, large = 0.0, lowGrey = 0.0, highGrey = 0.0
    var smallLow = 0.0, smallHigh = 0.0, largeLow = 0.0, largeHigh = 0.0
    var rowSquares = 0.0, columnSquares = 0.0
    var meanLevel = 0.0, meanSize = 0.0
    var levelVariance = 0.0, sizeVariance = 0.0, entropy = 0.0, energy = 0.0
}

/// One family's mapping of IBSI features onto the shared formulas, and the emission of its tags.
struct GreyLevelSizeFamily: Sendable {
    let entries: [(definition: FeatureDefinition, feature: GreyLevelSizeFeature)]

    var definitions: [FeatureDefinition] { entries.map(\.definition) }
    var features: [GreyLevelSizeFeature] { entries.map(\.feature) }

    /// Appends every definition × aggregation, definition by definition; `values[a][k]` is the
    /// value of feature k for aggregation `aggregations[a]`.
    func emit(_ aggregations: [Aggregation], _ values: [[Double]]) -> FeatureValues {
        var out = FeatureValues()
        for (k, e) in entries.enumerated() {
            for (a, aggregation) in aggregations.enumerated() {
                out.append(e.definition.tag(aggregation), values[a][k])
            }
        }
        return out
    }

    /// The non-directional aggregations from per-slice matrices and the 3D matrix: 2D averages
    /// the features of the slices (empty slices left out), 2_5D merges the slice matrices, 3D
    /// uses the volumetric matrix.
    func emitNonDirectional(slices: [GreyLevelSizeMatrix], volumetric: GreyLevelSizeMatrix, levelCount: Int) -> FeatureValues {
        let f = features
        let values: [[Double]] = Aggregation.nonDirectional.map { aggregation in
            switch aggregation {
            case .slice2D: GreyLevelSizeMatrix.averageValues(of: f, over: slices)
            case .volume2_5D: GreyLevelSizeMatrix.merged(slices, levelCount: levelCount).values(of: f)
            case .volume3D: volumetric.values(of: f)
            default: preconditionFailure("not a non-directional aggregation")
            }
        }
        return emit(Aggregation.nonDirectional, values)
    }
}

/// Grey levels of a `DiscretisedVolume` copied into a block padded with `margin` voxels of level 0
/// on every side, so that neighbour offsets in the flat array need no bounds checks.
struct PaddedLevels {
    let margin: Int
    /// Dimensions of the padded block.
    let size: SIMD3<Int>
    var levels: [UInt16]

    init(_ volume: DiscretisedVolume, margin: Int) {
        let s = volume.grid.size
        let size = s &+ 2 &* margin
        self.margin = margin
        self.size = size
        var padded = [UInt16](repeating: 0, count: size.x * size.y * size.z)
        volume.levels.withUnsafeBufferPointer { src in
            for z in 0..<s.z {
                for y in 0..<s.y {
                    let from = s.x * (y + s.y * z)
                    let to = margin + size.x * (y + margin + size.y * (z + margin))
                    for x in 0..<s.x { padded[to + x] = src[from + x] }
                }
            }
        }
        self.levels = padded
    }

    /// Flat offset of a voxel step in the padded block.
    @inline(__always)
    func offset(_ dx: Int, _ dy: Int, _ dz: Int) -> Int { dx + size.x * (dy + size.y * dz) }

    /// Flat index in the padded block of voxel (x, y, z) of the original block.
    @inline(__always)
    func index(_ x: Int, _ y: Int, _ z: Int) -> Int {
        (x + margin) + size.x * ((y + margin) + size.y * (z + margin))
    }

    /// Slice (z of the original block) of a padded flat index.
    @inline(__always)
    func slice(of index: Int) -> Int { index / (size.x * size.y) - margin }

    /// Offsets of the neighbours within Chebyshev distance `distance` (the centre excluded),
    /// in the slice only or in 3D.
    func neighbourOffsets(distance: Int, inPlane: Bool) -> [Int] {
        var out: [Int] = []
        let zr = inPlane ? 0...0 : -distance...distance
        for dz in zr {
            for dy in -distance...distance {
                for dx in -distance...distance where dx != 0 || dy != 0 || dz != 0 {
                    out.append(offset(dx, dy, dz))
                }
            }
        }
        return out
    }
}

/// Number of intensity-mask voxels per slice (z) of the block.
func roiVoxelsPerSlice(_ volume: DiscretisedVolume) -> [Int] {
    let s = volume.grid.size
    let perSlice = s.x * s.y
    var out = [Int](repeating: 0, count: s.z)
    volume.levels.withUnsafeBufferPointer { l in
        for z in 0..<s.z {
            var n = 0
            for i in (z * perSlice)..<((z + 1) * perSlice) where l[i] != 0 { n += 1 }
            out[z] = n
        }
    }
    return out
}
