import RadiomicsCore

// Neighbouring grey level dependence matrices (IBSI 1, "Neighbouring grey level dependence based
// features", REK0).
//
// Every voxel of the intensity mask is a centre. A neighbour within Chebyshev distance delta
// (in the slice for 2D, in 3D otherwise) is dependent when it lies in the intensity mask and its
// grey level differs from the centre's by at most the coarseness alpha. The dependence count
// j = 1 + the number of dependent neighbours (the centre counts itself, so j starts at 1).
// Element s_ij counts the centres of grey level i with dependence count j.

public enum DependenceMatrix {
    /// The 3D dependence matrix; N_v is the number of ROI voxels.
    public static func volumetric(_ volume: DiscretisedVolume, distance: Int = 1, coarseness: Int = 0) -> GreyLevelSizeMatrix {
        build(volume, distance: distance, coarseness: coarseness, inPlane: false)[0]
    }

    /// One dependence matrix per slice (z of the block), with in-slice neighbourhoods; N_v of
    /// each is the number of ROI voxels of its slice.
    public static func slices(_ volume: DiscretisedVolume, distance: Int = 1, coarseness: Int = 0) -> [GreyLevelSizeMatrix] {
        build(volume, distance: distance, coarseness: coarseness, inPlane: true)
    }

    /// Per slice matrices when `inPlane`, else a single volumetric matrix.
    private static func build(_ volume: DiscretisedVolume, distance: Int, coarseness: Int, inPlane: Bool) -> [GreyLevelSizeMatrix] {
        precondition(distance >= 1 && coarseness >= 0)
        let padded = PaddedLevels(volume, margin: distance)
        let offsets = padded.neighbourOffsets(distance: distance, inPlane: inPlane)
        let s = volume.grid.size
        let columns = offsets.count + 1
        let alpha = coarseness
        var out = (0..<(inPlane ? s.z : 1)).map { _ in
            GreyLevelSizeMatrix(levelCount: volume.levelCount, columnCount: columns)
        }
        padded.levels.withUnsafeBufferPointer { l in
            offsets.withUnsafeBufferPointer { offsets in
                for z in 0..<s.z {
                    let m = inPlane ? z : 0
                    var voxels = 0
                    for y in 0..<s.y {
                        let row = padded.index(0, y, z)
                        for c in row..<(row + s.x) {
                            let g = Int(l[c])
                            guard g != 0 else { continue }
                            voxels += 1
                            var k = 1
                            for o in offsets {
                                let n = Int(l[c + o])
                                if n != 0 && abs(n - g) <= alpha { k += 1 }
                            }
                            out[m].add(level: g, size: k)
                        }
                    }
                    out[m].addVoxels(Double(voxels))
                }
            }
        }
        return out
    }
}
