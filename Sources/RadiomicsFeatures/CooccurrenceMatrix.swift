import RadiomicsCore

// Grey level co-occurrence matrices (IBSI 1, "Grey level co-occurrence based features", LFYI).
//
// For a direction m, element (i, j) counts how often grey levels i and j occur in neighbouring
// voxels along m and along -m: M_m = M_m+ + transpose(M_m+), so every matrix is symmetric. A
// direction vector is scaled by the Chebyshev distance delta. Only pairs in which both voxels
// belong to the intensity mask (level != 0) are counted.

/// A symmetric Ng x Ng grey level co-occurrence matrix of counts.
public struct CooccurrenceMatrix: Sendable, Equatable {
    /// Number of grey levels Ng.
    public let levelCount: Int
    /// Counts, row-major: element (i, j) of grey levels i, j in 1...Ng is at (i-1)*Ng + (j-1).
    public private(set) var counts: [Int]
    /// Sum of all elements (each neighbour pair is counted twice, once per direction sign).
    public private(set) var total: Int

    /// An empty matrix.
    public init(levelCount: Int) {
        precondition(levelCount >= 0, "negative number of grey levels")
        self.levelCount = levelCount
        self.counts = Array(repeating: 0, count: levelCount * levelCount)
        self.total = 0
    }

    /// A matrix from one-sided counts M_m+ (row-major, Ng x Ng): the result is M_m+ + M_m+^T.
    init(levelCount: Int, oneSided: [Int]) {
        precondition(oneSided.count == levelCount * levelCount)
        self.levelCount = levelCount
        var symmetric = Array(repeating: 0, count: levelCount * levelCount)
        var total = 0
        for i in 0..<levelCount {
            for j in 0..<levelCount {
                let v = oneSided[i * levelCount + j] + oneSided[j * levelCount + i]
                symmetric[i * levelCount + j] = v
                total += v
            }
        }
        self.counts = symmetric
        self.total = total
    }

    /// Count of the grey level pair (i, j), both in 1...Ng.
    public subscript(i: Int, j: Int) -> Int {
        counts[(i - 1) * levelCount + (j - 1)]
    }

    /// True when no neighbour pair was counted; such a matrix has no probabilities and is left out
    /// of feature averages.
    public var isEmpty: Bool { total == 0 }

    /// The joint probabilities p_ij = M_ij / sum(M), row-major like `counts`; nil for an empty
    /// matrix, which has no probability distribution.
    public func probabilities() -> [Double]? {
        guard total > 0 else { return nil }
        let total = Double(self.total)
        return counts.map { Double($0) / total }
    }

    /// Merges by summing counts element-wise (IBSI: matrices are merged before normalisation).
    public static func += (lhs: inout CooccurrenceMatrix, rhs: CooccurrenceMatrix) {
        precondition(lhs.levelCount == rhs.levelCount, "merging matrices of different Ng")
        for k in lhs.counts.indices { lhs.counts[k] += rhs.counts[k] }
        lhs.total += rhs.total
    }

    /// Sum of matrices of the same Ng.
    public static func merged(_ matrices: [CooccurrenceMatrix], levelCount: Int) -> CooccurrenceMatrix {
        var out = CooccurrenceMatrix(levelCount: levelCount)
        for m in matrices { out += m }
        return out
    }
}

/// Builds the co-occurrence matrices of a discretised volume, counting each neighbour pair once.
///
/// Only two kinds of matrix are counted from voxels: the 4 in-plane directions per slice, and the
/// 9 directions that cross slices over the whole volume. Every other matrix IBSI needs is a sum of
/// these: an in-plane 3D matrix is the sum of that direction's slice matrices.
public struct CooccurrenceMatrixBuilder: Sendable {
    public let volume: DiscretisedVolume
    /// Chebyshev distance delta; direction vectors are multiplied by it.
    public let distance: Int

    public init(_ volume: DiscretisedVolume, distance: Int = 1) {
        precondition(distance >= 1, "co-occurrence distance must be at least 1")
        self.volume = volume
        self.distance = distance
    }

    public var levelCount: Int { volume.levelCount }
    /// Number of axial slices of the (cropped) block.
    public var sliceCount: Int { volume.grid.size.z }

    /// The matrices of slice `z` for `TextureDirections.inPlane`, in that order.
    public func sliceMatrices(z: Int) -> [CooccurrenceMatrix] {
        precondition(z >= 0 && z < sliceCount, "slice out of range")
        return TextureDirections.inPlane.map { matrix(direction: $0, slices: z..<(z + 1)) }
    }

    /// The whole-volume matrices of the directions that cross slices
    /// (`TextureDirections.volumetric` without the in-plane ones), in that order.
    public func crossSliceMatrices() -> [CooccurrenceMatrix] {
        TextureDirections.volumetric.filter { !$0.isInPlane }.map { matrix(direction: $0, slices: 0..<sliceCount) }
    }

    /// Matrix for one direction, counting pairs whose first voxel lies in `slices`.
    func matrix(direction d: TextureDirection, slices: Range<Int>) -> CooccurrenceMatrix {
        let ng = levelCount
        var oneSided = Array(repeating: 0, count: ng * ng)
        let size = volume.grid.size
        let step = SIMD3(d.dx, d.dy, d.dz) &* distance
        // First voxels whose neighbour (at +step) is inside the block.
        let xs = clampedRange(max(0, -step.x), min(size.x, size.x - step.x))
        let ys = clampedRange(max(0, -step.y), min(size.y, size.y - step.y))
        let zs = clampedRange(max(slices.lowerBound, -step.z), min(slices.upperBound, size.z - step.z))
        guard ng > 0, !xs.isEmpty, !ys.isEmpty, !zs.isEmpty else {
            return CooccurrenceMatrix(levelCount: ng, oneSided: oneSided)
        }
        let offset = d.flatOffset(size: size, distance: distance)
        volume.levels.withUnsafeBufferPointer { levels in
            oneSided.withUnsafeMutableBufferPointer { counts in
                for z in zs {
                    for y in ys {
                        let row = size.x * (y + size.y * z)
                        for x in xs {
                            let i = row + x
                            let a = Int(levels[i])
                            if a == 0 { continue }
                            let b = Int(levels[i + offset])
                            if b == 0 { continue }
                            counts[(a - 1) * ng + (b - 1)] += 1
                        }
                    }
                }
            }
        }
        return CooccurrenceMatrix(levelCount: ng, oneSided: oneSided)
    }
}

/// `lower..<upper`, or an empty range when upper < lower (a step longer than the block).
@inline(__always)
private func clampedRange(_ lower: Int, _ upper: Int) -> Range<Int> {
    lower..<max(lower, upper)
}
