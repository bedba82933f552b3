import RadiomicsCore

// Grey level size zone matrices (IBSI 1, "Grey level size zone based features", 9SAK).
//
// A zone is a set of connected voxels of the same grey level: 26-connected in 3D, 8-connected
// within a slice in 2D. Element s_ij counts the zones of grey level i and size (voxel count) j.

/// The zones of a discretised volume, found by flood fill with an explicit stack.
struct GreyLevelZones: Sendable {
    /// Grey level of each zone.
    private(set) var levels: [Int] = []
    /// Number of voxels of each zone.
    private(set) var sizes: [Int] = []
    /// Slice (z of the block) of each zone; meaningful for in-plane zones, else the slice of the
    /// zone's first voxel in storage order.
    private(set) var slices: [Int] = []
    /// For each zone, the smallest value of `minimumOf` over its voxels (GLDZM's zone
    /// distance); empty when no such map was given.
    private(set) var minima: [Int] = []

    /// Labels the zones of `volume`. With `inPlane`, zones are 8-connected within each slice;
    /// otherwise 26-connected in 3D. `minimumOf`, if given, is a per-voxel map on the block
    /// padded by one voxel (see `PaddedLevels`) whose minimum over each zone is recorded.
    init(_ volume: DiscretisedVolume, inPlane: Bool, minimumOf map: [Int32]? = nil) {
        var padded = PaddedLevels(volume, margin: 1)
        let offsets = padded.neighbourOffsets(distance: 1, inPlane: inPlane)
        precondition(map == nil || map!.count == padded.levels.count)
        // Work on the padded levels directly; a voxel is set to 0 once it has joined a zone, so
        // it is never seen twice.
        var work: [UInt16] = []
        swap(&work, &padded.levels)
        let minimumMap = map ?? []
        let hasMap = map != nil
        var levels: [Int] = [], sizes: [Int] = [], slices: [Int] = [], minima: [Int] = []
        var stack: [Int] = []
        stack.reserveCapacity(64)
        let s = volume.grid.size
        let rows = (0..<s.z).flatMap { z in (0..<s.y).map { y in (z, padded.index(0, y, z)) } }
        work.withUnsafeMutableBufferPointer { l in
            minimumMap.withUnsafeBufferPointer { dist in
                for (z, row) in rows {
                    for seed in row..<(row + s.x) {
                        let g = l[seed]
                        guard g != 0 else { continue }
                        l[seed] = 0
                        stack.append(seed)
                        var size = 0
                        var minimum = Int32.max
                        while let v = stack.popLast() {
                            size += 1
                            if hasMap { minimum = min(minimum, dist[v]) }
                            for o in offsets where l[v + o] == g {
                                l[v + o] = 0
                                stack.append(v + o)
                            }
                        }
                        levels.append(Int(g))
                        sizes.append(size)
                        slices.append(z)
                        if hasMap { minima.append(Int(minimum)) }
                    }
                }
            }
        }
        self.levels = levels
        self.sizes = sizes
        self.slices = slices
        self.minima = minima
    }

    var count: Int { levels.count }
}

public enum SizeZoneMatrix {
    /// The 3D size zone matrix (26-connected zones). N_v is the number of ROI voxels.
    public static func volumetric(_ volume: DiscretisedVolume) -> GreyLevelSizeMatrix {
        let zones = GreyLevelZones(volume, inPlane: false)
        var m = GreyLevelSizeMatrix(levelCount: volume.levelCount, columnCount: zones.sizes.max() ?? 0,
                                    voxelCount: Double(volume.roiVoxelCount))
        for k in 0..<zones.count { m.add(level: zones.levels[k], size: zones.sizes[k]) }
        return m
    }

    /// One size zone matrix per slice (z of the block), 8-connected zones; N_v of each is the
    /// number of ROI voxels of its slice. A slice without ROI voxels gives an empty matrix.
    public static func slices(_ volume: DiscretisedVolume) -> [GreyLevelSizeMatrix] {
        let zones = GreyLevelZones(volume, inPlane: true)
        // Each slice matrix is as wide as its own largest value, not the largest of all slices.
        var columns = [Int](repeating: 0, count: volume.grid.size.z)
        for k in 0..<zones.count { columns[zones.slices[k]] = max(columns[zones.slices[k]], zones.sizes[k]) }
        var out = zip(roiVoxelsPerSlice(volume), columns).map {
            GreyLevelSizeMatrix(levelCount: volume.levelCount, columnCount: $1, voxelCount: Double($0))
        }
        for k in 0..<zones.count { out[zones.slices[k]].add(level: zones.levels[k], size: zones.sizes[k]) }
        return out
    }
}
