import RadiomicsCore

// Neighbourhood grey tone difference matrix (IBSI 1, "Neighbourhood grey tone difference based
// features", IPET).
//
// For an ROI voxel k of grey level i, the neighbourhood is every other voxel within Chebyshev
// distance delta (in 2D: within the same slice) that belongs to the ROI intensity mask. Its size W_k
// may be smaller than (2 delta + 1)^3 - 1 at the ROI border; a voxel with W_k = 0 has no valid
// neighbourhood and is skipped. Otherwise n_i counts the voxel and s_i accumulates |i - mean of its
// neighbours|.

/// An NGTDM: per grey level i in 1...Ng, the number n_i of voxels with a valid neighbourhood and the
/// sum s_i of their neighbourhood grey tone differences.
public struct NeighbourhoodGreyToneDifferenceMatrix: Sendable, Equatable {
    /// Number of grey levels Ng.
    public let levelCount: Int
    /// n_i at index i-1.
    public private(set) var counts: [Int]
    /// s_i at index i-1.
    public private(set) var differences: [Double]

    /// An empty matrix.
    public init(levelCount: Int) {
        precondition(levelCount >= 0, "negative number of grey levels")
        self.levelCount = levelCount
        self.counts = Array(repeating: 0, count: levelCount)
        self.differences = Array(repeating: 0, count: levelCount)
    }

    init(counts: [Int], differences: [Double]) {
        precondition(counts.count == differences.count)
        self.levelCount = counts.count
        self.counts = counts
        self.differences = differences
    }

    /// n_i of grey level i in 1...Ng.
    public func count(_ i: Int) -> Int { counts[i - 1] }
    /// s_i of grey level i in 1...Ng.
    public func difference(_ i: Int) -> Double { differences[i - 1] }

    /// N_v,c: voxels with a valid neighbourhood.
    public var validVoxelCount: Int { counts.reduce(0, +) }

    /// True when no voxel has a valid neighbourhood; such a matrix has no probabilities and is left
    /// out of slice averages.
    public var isEmpty: Bool { validVoxelCount == 0 }

    /// Merges slice matrices (IBSI 2.5D): n_i and s_i are summed.
    public static func += (lhs: inout Self, rhs: Self) {
        precondition(lhs.levelCount == rhs.levelCount, "merging matrices of different Ng")
        for k in lhs.counts.indices {
            lhs.counts[k] += rhs.counts[k]
            lhs.differences[k] += rhs.differences[k]
        }
    }
}

/// Builds the NGTDMs of a discretised volume: one per slice (2D neighbourhoods) and one for the
/// volume (3D neighbourhoods).
public struct NeighbourhoodGreyToneDifferenceMatrixBuilder: Sendable {
    public let volume: DiscretisedVolume
    /// Chebyshev distance delta of the neighbourhood.
    public let distance: Int

    public init(_ volume: DiscretisedVolume, distance: Int = 1) {
        precondition(distance >= 1, "NGTDM distance must be at least 1")
        self.volume = volume
        self.distance = distance
    }

    public var levelCount: Int { volume.levelCount }
    public var sliceCount: Int { volume.grid.size.z }

    /// The matrix of slice `z`, neighbourhoods within the slice.
    public func sliceMatrix(z: Int) -> NeighbourhoodGreyToneDifferenceMatrix {
        precondition(z >= 0 && z < sliceCount, "slice out of range")
        return allMatrices().slices[z]
    }

    /// The matrix of the volume, 3D neighbourhoods.
    public func volumeMatrix() -> NeighbourhoodGreyToneDifferenceMatrix {
        allMatrices().volume
    }

    /// Neighbourhoods wider than this are summed voxel by voxel: the packed box sums below need
    /// (2 delta + 1)^3 to fit in 23 bits.
    static let largestBoxDistance = 50

    /// The matrix of every slice (in-slice neighbourhoods) and of the volume (3D neighbourhoods).
    ///
    /// The neighbourhood of a voxel is a (2 delta + 1)-wide cube (a square in a slice), so the
    /// grey level sum and the number of ROI voxels over it are box sums, which separate into
    /// sums along x, then y (the in-slice box), then z (the 3D box): 3 (2 delta + 1) additions
    /// per voxel instead of (2 delta + 1)^3. Both quantities are whole numbers, summed exactly in
    /// one 64-bit integer: an ROI voxel of level g contributes g + 2^40. The matrices then
    /// visit the centres in storage order, as the voxel-by-voxel definition does.
    func allMatrices() -> (slices: [NeighbourhoodGreyToneDifferenceMatrix], volume: NeighbourhoodGreyToneDifferenceMatrix) {
        guard distance <= Self.largestBoxDistance else {
            return ((0..<sliceCount).map { referenceMatrix(slices: $0..<($0 + 1), depth: 0) },
                    referenceMatrix(slices: 0..<sliceCount, depth: distance))
        }
        let delta = distance
        let ng = levelCount
        let padded = PaddedLevels(volume, margin: delta)
        let s = volume.grid.size
        let p = padded.size
        let n = p.x * p.y * p.z
        let countUnit = 1 << 40
        let sumMask = countUnit - 1
        // Packed voxel values, then box sums along x, along x and y, along x, y and z. Padding
        // rows and slices hold 0 throughout, which the later passes read as such.
        var value = [Int](repeating: 0, count: n)
        var alongX = [Int](repeating: 0, count: n)
        var inSlice = [Int](repeating: 0, count: n)
        var slices: [NeighbourhoodGreyToneDifferenceMatrix] = []
        slices.reserveCapacity(s.z)
        var counts3D = [Int](repeating: 0, count: ng)
        var differences3D = [Double](repeating: 0, count: ng)
        padded.levels.withUnsafeBufferPointer { l in
            value.withUnsafeMutableBufferPointer { v in
                alongX.withUnsafeMutableBufferPointer { bx in
                    inSlice.withUnsafeMutableBufferPointer { bxy in
                        for z in 0..<s.z {
                            for y in 0..<s.y {
                                let row = padded.index(0, y, z)
                                for i in (row - delta)..<(row + s.x + delta) {
                                    let g = Int(l[i])
                                    v[i] = g == 0 ? 0 : g | countUnit
                                }
                            }
                        }
                        for z in 0..<s.z {
                            for y in 0..<s.y {
                                let row = padded.index(0, y, z)
                                if delta == 1 {
                                    for i in row..<(row + s.x) { bx[i] = v[i &- 1] &+ v[i] &+ v[i &+ 1] }
                                } else {
                                    for i in row..<(row + s.x) {
                                        var t = 0
                                        for d in -delta...delta { t &+= v[i &+ d] }
                                        bx[i] = t
                                    }
                                }
                            }
                        }
                        let ys = p.x
                        for z in 0..<s.z {
                            for y in 0..<s.y {
                                let row = padded.index(0, y, z)
                                if delta == 1 {
                                    for i in row..<(row + s.x) { bxy[i] = bx[i &- ys] &+ bx[i] &+ bx[i &+ ys] }
                                } else {
                                    for i in row..<(row + s.x) {
                                        var t = 0
                                        for d in -delta...delta { t &+= bx[i &+ d &* ys] }
                                        bxy[i] = t
                                    }
                                }
                            }
                        }
                        // The 2D matrices, slice by slice.
                        for z in 0..<s.z {
                            var counts = [Int](repeating: 0, count: ng)
                            var differences = [Double](repeating: 0, count: ng)
                            for y in 0..<s.y {
                                let row = padded.index(0, y, z)
                                for i in row..<(row + s.x) {
                                    let level = Int(l[i])
                                    if level == 0 { continue }
                                    // The box holds the centre voxel itself, which is in the ROI.
                                    let box = bxy[i] &- v[i]
                                    let neighbours = box >> 40
                                    if neighbours == 0 { continue }
                                    counts[level - 1] += 1
                                    differences[level - 1] += abs(Double(level) - Double(box & sumMask) / Double(neighbours))
                                }
                            }
                            slices.append(NeighbourhoodGreyToneDifferenceMatrix(counts: counts, differences: differences))
                        }
                        // The 3D matrix: the in-slice boxes summed over neighbouring slices.
                        let zs = p.x * p.y
                        for z in 0..<s.z {
                            for y in 0..<s.y {
                                let row = padded.index(0, y, z)
                                for i in row..<(row + s.x) {
                                    let level = Int(l[i])
                                    if level == 0 { continue }
                                    var box = 0 &- v[i]
                                    if delta == 1 {
                                        box &+= bxy[i &- zs] &+ bxy[i] &+ bxy[i &+ zs]
                                    } else {
                                        for d in -delta...delta { box &+= bxy[i &+ d &* zs] }
                                    }
                                    let neighbours = box >> 40
                                    if neighbours == 0 { continue }
                                    counts3D[level - 1] += 1
                                    differences3D[level - 1] += abs(Double(level) - Double(box & sumMask) / Double(neighbours))
                                }
                            }
                        }
                    }
                }
            }
        }
        return (slices, NeighbourhoodGreyToneDifferenceMatrix(counts: counts3D, differences: differences3D))
    }

    /// The matrix of centre voxels in `slices`, neighbours up to `depth` slices away (0:
    /// in-plane only), each neighbourhood summed voxel by voxel. The direct form of the
    /// definition: used for very wide neighbourhoods, and by the tests as a reference.
    func referenceMatrix(slices: Range<Int>, depth: Int) -> NeighbourhoodGreyToneDifferenceMatrix {
        let ng = levelCount
        var counts = Array(repeating: 0, count: ng)
        var differences = Array(repeating: 0.0, count: ng)
        let size = volume.grid.size
        let nx = size.x, ny = size.y, nz = size.z
        let sliceStride = nx * ny
        let delta = distance
        volume.levels.withUnsafeBufferPointer { levels in
            for z in slices {
                // Neighbour offsets are clipped to the block through coordinate ranges.
                let dzs = max(-depth, -z)...min(depth, nz - 1 - z)
                for y in 0..<ny {
                    let dys = max(-delta, -y)...min(delta, ny - 1 - y)
                    for x in 0..<nx {
                        let centre = x + nx * (y + ny * z)
                        let level = Int(levels[centre])
                        if level == 0 { continue }
                        let dxs = max(-delta, -x)...min(delta, nx - 1 - x)
                        var sum = 0, neighbours = 0
                        for dz in dzs {
                            for dy in dys {
                                let row = centre + dz * sliceStride + dy * nx
                                for dx in dxs {
                                    let neighbour = Int(levels[row + dx])
                                    if neighbour != 0 {
                                        sum += neighbour
                                        neighbours += 1
                                    }
                                }
                            }
                        }
                        // The loops visited the centre voxel itself, which is in the ROI.
                        sum -= level
                        neighbours -= 1
                        if neighbours == 0 { continue }
                        counts[level - 1] += 1
                        differences[level - 1] += abs(Double(level) - Double(sum) / Double(neighbours))
                    }
                }
            }
        }
        return NeighbourhoodGreyToneDifferenceMatrix(counts: counts, differences: differences)
    }
}
