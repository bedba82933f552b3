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
        return matrix(slices: z..<(z + 1), depth: 0)
    }

    /// The matrix of the volume, 3D neighbourhoods.
    public func volumeMatrix() -> NeighbourhoodGreyToneDifferenceMatrix {
        matrix(slices: 0..<sliceCount, depth: distance)
    }

    /// Centre voxels in `slices`; neighbours up to `depth` slices away (0: in-plane only).
    private func matrix(slices: Range<Int>, depth: Int) -> NeighbourhoodGreyToneDifferenceMatrix {
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
