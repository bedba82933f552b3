import RadiomicsCore

// Grey level distance zone matrices (IBSI 1, "Grey level distance zone based features", VMDZ).
//
// Zones are those of the size zone matrix (26-connected in 3D, 8-connected in a slice). The
// distance of a voxel is its city-block distance to the ROI edge: the smallest number of
// 6-connected steps (4-connected within a slice in 2D) to a voxel outside the morphological mask,
// so that a voxel on the edge has distance 1; voxels outside the block are outside the ROI. The
// distance of a zone is the smallest distance of its voxels. Element d_ij counts the zones of
// grey level i and distance j.

public enum DistanceZoneMatrix {
    /// The city-block distance to the ROI edge of every voxel of the block padded by one voxel
    /// (see `PaddedLevels`; padding and voxels outside the morphological mask hold 0). With
    /// `inPlane` the distance is measured within each slice.
    ///
    /// Two raster passes (forward, then backward) with the axis neighbours give the exact
    /// city-block distance transform.
    static func distanceMap(_ volume: DiscretisedVolume, inPlane: Bool) -> [Int32] {
        let s = volume.grid.size
        let p = s &+ 2
        let far = Int32.max / 2
        var d = [Int32](repeating: 0, count: p.x * p.y * p.z)
        let sx = 1, sy = p.x, sz = p.x * p.y
        volume.morphologicalMask.withUnsafeBufferPointer { mask in
            d.withUnsafeMutableBufferPointer { d in
                for z in 0..<s.z {
                    for y in 0..<s.y {
                        let from = s.x * (y + s.y * z)
                        let to = 1 + sy * (y + 1) + sz * (z + 1)
                        for x in 0..<s.x where mask[from + x] { d[to + x] = far }
                    }
                }
            }
        }
        d.withUnsafeMutableBufferPointer { d in
            for z in 1...s.z {
                for y in 1...s.y {
                    var i = 1 + sy * y + sz * z
                    for _ in 1...s.x {
                        if d[i] != 0 {
                            var v = min(d[i], d[i - sx] + 1, d[i - sy] + 1)
                            if !inPlane { v = min(v, d[i - sz] + 1) }
                            d[i] = v
                        }
                        i += 1
                    }
                }
            }
            for z in stride(from: s.z, through: 1, by: -1) {
                for y in stride(from: s.y, through: 1, by: -1) {
                    var i = s.x + sy * y + sz * z
                    for _ in 1...s.x {
                        if d[i] != 0 {
                            var v = min(d[i], d[i + sx] + 1, d[i + sy] + 1)
                            if !inPlane { v = min(v, d[i + sz] + 1) }
                            d[i] = v
                        }
                        i -= 1
                    }
                }
            }
        }
        return d
    }

    /// The 3D distance zone matrix. N_v is the number of ROI voxels.
    public static func volumetric(_ volume: DiscretisedVolume) -> GreyLevelSizeMatrix {
        matrices(volume).volumetric
    }

    /// One distance zone matrix per slice (z of the block), with in-slice zones and distances;
    /// N_v of each is the number of ROI voxels of its slice.
    public static func slices(_ volume: DiscretisedVolume) -> [GreyLevelSizeMatrix] {
        matrices(volume).slices
    }

    /// The zones labelled with their distances: what the distance zone matrices need, and all
    /// the size zone matrices need too (the zones are the same).
    static func zones(_ volume: DiscretisedVolume) -> GreyLevelZones {
        GreyLevelZones(volume, planarMap: distanceMap(volume, inPlane: true), spatialMap: distanceMap(volume, inPlane: false))
    }

    /// The slice matrices and the 3D matrix, from one labelling of the zones (`zones`, from
    /// `zones(_:)`, when the caller has labelled them already).
    static func matrices(_ volume: DiscretisedVolume, zones: GreyLevelZones? = nil)
        -> (slices: [GreyLevelSizeMatrix], volumetric: GreyLevelSizeMatrix) {
        (zones ?? self.zones(volume)).matrices(volume, largestSize: largestDistance(volume)) { zoneDistance($0.minima[$1]) }
    }

    /// An upper bound of the distances in the block (the size hint of the tally): no voxel is
    /// further than half the longest side from the block border, beyond which lies the
    /// outside of the ROI.
    private static func largestDistance(_ volume: DiscretisedVolume) -> Int {
        let s = volume.grid.size
        return (max(s.x, s.y, s.z) + 1) / 2 + 1
    }

    /// A zone lies in the intensity mask, normally inside the morphological mask, so its
    /// distance is at least 1. Should an intensity-mask voxel lie outside the morphological mask,
    /// it is on the ROI edge: distance 1.
    private static func zoneDistance(_ minimum: Int32) -> Int { max(Int(minimum), 1) }
}
