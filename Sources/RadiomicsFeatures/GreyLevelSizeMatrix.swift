import Foundation
import RadiomicsCore

// The matrix shape shared by four IBSI families (IBSI 1, sections on GLRLM, GLSZM, GLDZM and
// NGLDM): grey levels i = 1...Ng as rows, a count-like quantity j = 1...Nj as columns (run
// length, zone size, zone distance, dependence count), each element the number of runs, zones or
// voxels. The families then apply largely the same formulas to it, so the formulas live here once
// (`GreyLevelSizeFeature`) and each family maps its own tags and IBSI codes onto them.

/// A grey level × size matrix: element (i, j) counts the runs, zones or voxels of grey level i
/// with run length, zone size, zone distance or dependence count j.
///
/// Only the non-zero elements are stored, sorted by grey level and then size (row-major order of
/// the dense matrix). Most elements of these matrices are 0 (few grey levels occur at each size,
/// and a zone matrix is as wide as its largest zone), so a dense layout would be mostly zeroing
/// and skipping. The feature formulas visit exactly the non-zero elements, rows and columns the
/// dense layout visited, in the same order, so every sum is unchanged.
public struct GreyLevelSizeMatrix: Sendable, Equatable {
    /// A non-zero element r_ij.
    public struct Cell: Sendable, Equatable {
        public let level: Int32
        public let size: Int32
        public var count: Double
    }

    /// Number of grey levels Ng (rows).
    public let levelCount: Int
    /// The non-zero elements, by grey level, then size.
    public private(set) var cells: [Cell]
    /// N_v: number of voxels of the intensity mask the matrix was built from. Merging matrices
    /// sums it (IBSI: "when matrices are merged, N_v should likewise be summed").
    public private(set) var voxelCount: Double

    /// An empty matrix.
    public init(levelCount: Int, voxelCount: Double = 0) {
        precondition(levelCount >= 0)
        self.levelCount = levelCount
        self.cells = []
        self.voxelCount = voxelCount
    }

    /// A matrix from cells already sorted by (level, size), each with a positive count.
    init(levelCount: Int, sortedCells: [Cell], voxelCount: Double) {
        self.levelCount = levelCount
        self.cells = sortedCells
        self.voxelCount = voxelCount
    }

    /// A matrix from explicit (level, size, count) entries, e.g. a table of the IBSI manual.
    public init(levelCount: Int, entries: [(level: Int, size: Int, count: Double)], voxelCount: Double = 0) {
        self.init(levelCount: levelCount, voxelCount: voxelCount)
        for e in entries { add(level: e.level, size: e.size, count: e.count) }
    }

    /// Number of columns Nj: the largest size with a non-zero element (0 for an empty matrix).
    public var columnCount: Int {
        var m = 0
        for c in cells where Int(c.size) > m { m = Int(c.size) }
        return m
    }

    /// Position of (level, size) in `cells`, or where it would be inserted.
    private func position(level: Int, size: Int) -> (index: Int, found: Bool) {
        var lo = 0, hi = cells.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let c = cells[mid]
            if (Int(c.level), Int(c.size)) < (level, size) { lo = mid + 1 } else { hi = mid }
        }
        let found = lo < cells.count && Int(cells[lo].level) == level && Int(cells[lo].size) == size
        return (lo, found)
    }

    /// Element (i, j), both 1-based; 0 for a size beyond the last column.
    public subscript(level: Int, size: Int) -> Double {
        precondition(level >= 1 && level <= levelCount && size >= 1)
        let p = position(level: level, size: size)
        return p.found ? cells[p.index].count : 0
    }

    /// Adds `count` to element (level, size). Meant for small, hand-made matrices: the matrix
    /// builders accumulate in a `SizeTally`.
    public mutating func add(level: Int, size: Int, count: Double = 1) {
        precondition(level >= 1 && level <= levelCount && size >= 1)
        guard count != 0 else { return }
        let p = position(level: level, size: size)
        if p.found {
            cells[p.index].count += count
            if cells[p.index].count == 0 { cells.remove(at: p.index) }
        } else {
            cells.insert(Cell(level: Int32(level), size: Int32(size), count: count), at: p.index)
        }
    }

    public mutating func addVoxels(_ n: Double) { voxelCount += n }

    /// N_s: the sum of all elements (number of runs, zones or voxels counted).
    public var total: Double {
        var t = 0.0
        for c in cells { t += c.count }
        return t
    }

    /// True when the matrix holds nothing (an empty slice): its features are undefined.
    public var isEmpty: Bool { cells.isEmpty }

    /// Row marginal r_i. = sum over j of r_ij, for i = 1...Ng (index i - 1).
    public var rowSums: [Double] {
        var r = [Double](repeating: 0, count: levelCount)
        for c in cells { r[Int(c.level) - 1] += c.count }
        return r
    }

    /// Column marginal r_.j = sum over i of r_ij, for j = 1...Nj (index j - 1).
    public var columnSums: [Double] {
        var s = [Double](repeating: 0, count: columnCount)
        for c in cells { s[Int(c.size) - 1] += c.count }
        return s
    }

    /// The non-zero elements as (level, size, count), rows first: convenient for comparison with
    /// the sparse tables of the IBSI manual.
    public var entries: [(level: Int, size: Int, count: Double)] {
        cells.map { (Int($0.level), Int($0.size), $0.count) }
    }

    /// Adds another matrix element-wise and sums N_v (IBSI matrix merging).
    public mutating func merge(_ other: GreyLevelSizeMatrix) {
        precondition(other.levelCount == levelCount, "merged matrices must have the same grey levels")
        self = .merged([self, other], levelCount: levelCount)
    }

    /// The element-wise sum of matrices with the same number of grey levels (N_v summed too).
    public static func merged(_ matrices: [GreyLevelSizeMatrix], levelCount: Int) -> GreyLevelSizeMatrix {
        var voxels = 0.0
        var largest = 0
        for m in matrices {
            precondition(m.levelCount == levelCount, "merged matrices must have the same grey levels")
            voxels += m.voxelCount
            for c in m.cells where Int(c.size) > largest { largest = Int(c.size) }
        }
        let nonEmpty = matrices.filter { !$0.cells.isEmpty }
        if nonEmpty.count <= 1 {
            return GreyLevelSizeMatrix(levelCount: levelCount, sortedCells: nonEmpty.first?.cells ?? [], voxelCount: voxels)
        }
        let tally = SizeTally(levelCount: levelCount, largestSize: largest)
        for m in nonEmpty {
            for c in m.cells { tally.add(level: Int(c.level), size: Int(c.size), count: c.count) }
        }
        return tally.take(voxelCount: voxels)
    }
}

/// Accumulates the elements of one grey level × size matrix at a time, then hands them over as a
/// sorted `GreyLevelSizeMatrix` and is ready for the next one.
///
/// Sizes up to a bound are counted in a dense Ng × bound table that is allocated once and reset
/// only where it was touched, so building many small matrices (per slice and direction) costs no
/// zeroing; the rare larger sizes (big zones) go to a short list that is sorted on `take`.
final class SizeTally {
    let levelCount: Int
    /// Sizes 1...denseSizes are counted in `dense`.
    let denseSizes: Int
    private let dense: UnsafeMutablePointer<Double>
    /// Indices of `dense` that became non-zero, in no particular order.
    private let touched: UnsafeMutablePointer<Int32>
    private var touchedCount = 0
    /// Elements of sizes above `denseSizes`, one entry per `add`.
    private var overflow: [(level: Int32, size: Int32, count: Double)] = []

    /// Dense cells at most: 2^18 (2 MB), whatever Ng is.
    static let denseLimit = 1 << 18

    /// A tally for sizes up to `largestSize` (larger ones are still accepted).
    init(levelCount: Int, largestSize: Int) {
        precondition(levelCount >= 0 && levelCount <= Int(UInt16.max))
        self.levelCount = levelCount
        let bound = levelCount == 0 ? 0 : min(max(largestSize, 1), max(16, Self.denseLimit / levelCount))
        self.denseSizes = bound
        let cells = max(levelCount * bound, 1)
        dense = .allocate(capacity: cells)
        dense.initialize(repeating: 0, count: cells)
        touched = .allocate(capacity: cells)
    }

    deinit {
        dense.deallocate()
        touched.deallocate()
    }

    @inline(__always)
    func add(level: Int, size: Int, count: Double = 1) {
        if size <= denseSizes {
            let k = (level - 1) * denseSizes + (size - 1)
            if dense[k] == 0 {
                touched[touchedCount] = Int32(truncatingIfNeeded: k)
                touchedCount += 1
            }
            dense[k] += count
        } else {
            overflow.append((Int32(level), Int32(size), count))
        }
    }

    /// Adds a size above `denseSizes`.
    func addOverflow(level: Int, size: Int, count: Double) {
        overflow.append((Int32(level), Int32(size), count))
    }

    /// The counting state of the tally as a value, which the compiler can keep in registers
    /// through a hot loop (a class's stored properties must be reloaded after every store
    /// through a pointer). Valid only within `counting`.
    struct Cursor {
        let dense: UnsafeMutablePointer<Double>
        let touched: UnsafeMutablePointer<Int32>
        let denseSizes: Int
        var touchedCount: Int
        let tally: SizeTally

        @inline(__always)
        mutating func add(level: Int, size: Int) {
            if size <= denseSizes {
                let k = (level &- 1) &* denseSizes &+ (size &- 1)
                if dense[k] == 0 {
                    touched[touchedCount] = Int32(truncatingIfNeeded: k)
                    touchedCount &+= 1
                }
                dense[k] += 1
            } else {
                tally.addOverflow(level: level, size: size, count: 1)
            }
        }
    }

    /// Runs `body` with a cursor on the tally; `take` must not be called within it.
    @inline(__always)
    func counting<R>(_ body: (inout Cursor) -> R) -> R {
        var cursor = Cursor(dense: dense, touched: touched, denseSizes: denseSizes, touchedCount: touchedCount, tally: self)
        let result = body(&cursor)
        touchedCount = cursor.touchedCount
        return result
    }

    /// The matrix counted since the last `take`, with N_v = `voxelCount`; the tally is then empty.
    func take(voxelCount: Double) -> GreyLevelSizeMatrix {
        var keys = UnsafeMutableBufferPointer(start: touched, count: touchedCount)
        keys.sort()
        var large: [(level: Int32, size: Int32, count: Double)] = []
        if !overflow.isEmpty {
            overflow.sort { ($0.level, $0.size) < ($1.level, $1.size) }
            for e in overflow {
                if let last = large.last, last.level == e.level, last.size == e.size {
                    large[large.count - 1].count += e.count
                } else {
                    large.append(e)
                }
            }
            overflow.removeAll(keepingCapacity: true)
        }
        var cells: [GreyLevelSizeMatrix.Cell] = []
        cells.reserveCapacity(touchedCount + large.count)
        var o = 0
        for k in keys {
            let index = Int(k)
            let level = Int32(index / denseSizes + 1), size = Int32(index % denseSizes + 1)
            // Larger sizes of lower grey levels come first (row-major order).
            while o < large.count && large[o].level < level {
                cells.append(.init(level: large[o].level, size: large[o].size, count: large[o].count))
                o += 1
            }
            cells.append(.init(level: level, size: size, count: dense[index]))
            dense[index] = 0
        }
        while o < large.count {
            cells.append(.init(level: large[o].level, size: large[o].size, count: large[o].count))
            o += 1
        }
        touchedCount = 0
        return GreyLevelSizeMatrix(levelCount: levelCount, sortedCells: cells, voxelCount: voxelCount)
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
        guard !cells.isEmpty else { return Array(repeating: .nan, count: features.count) }
        // Counts are whole numbers, so N_s and the marginals are exact whatever the order of
        // addition; the feature sums below keep the order of rows, columns and elements.
        let ns = total
        var s = Sums()
        cells.withUnsafeBufferPointer { cells in
            // Rows: the cells of a grey level are contiguous.
            var k = 0
            while k < cells.count {
                let level = cells[k].level
                var r = 0.0
                while k < cells.count && cells[k].level == level {
                    r += cells[k].count
                    k += 1
                }
                let i = Double(level), i2 = i * i
                s.lowGrey += r / i2
                s.highGrey += r * i2
                s.rowSquares += r * r
                s.meanLevel += i * r
            }
            Self.forEachColumn(cells) { size, c in
                let j = Double(size), j2 = j * j
                s.small += c / j2
                s.large += c * j2
                s.columnSquares += c * c
                s.meanSize += j * c
            }
            s.meanLevel /= ns
            s.meanSize /= ns
            for cell in cells {
                let r = cell.count
                let i = Double(cell.level), i2 = i * i
                let j = Double(cell.size), j2 = j * j
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

    /// Calls `body` with each non-zero column sum r_.j, sizes ascending. A narrow matrix sums into
    /// a dense scratch row; a wide one (a zone matrix as wide as its largest zone) sorts its cells
    /// by size instead of scanning every empty column.
    @inline(__always)
    private static func forEachColumn(_ cells: UnsafeBufferPointer<Cell>, _ body: (Int, Double) -> Void) {
        var largest = 0
        for c in cells where Int(c.size) > largest { largest = Int(c.size) }
        if largest <= 4 * cells.count + 64 {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: largest + 1) { column in
                column.initialize(repeating: 0)
                for c in cells { column[Int(c.size)] += c.count }
                for j in 1...largest where column[j] > 0 { body(j, column[j]) }
            }
        } else {
            var bySize = cells.map { (size: $0.size, count: $0.count) }
            bySize.sort { $0.size < $1.size }
            var k = 0
            while k < bySize.count {
                let size = bySize[k].size
                var c = 0.0
                while k < bySize.count && bySize[k].size == size {
                    c += bySize[k].count
                    k += 1
                }
                body(Int(size), c)
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
            padded.withUnsafeMutableBufferPointer { dst in
                guard s.x > 0 else { return }
                for z in 0..<s.z {
                    for y in 0..<s.y {
                        let from = s.x * (y + s.y * z)
                        let to = margin + size.x * (y + margin + size.y * (z + margin))
                        (dst.baseAddress! + to).update(from: src.baseAddress! + from, count: s.x)
                    }
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
