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
        build(volume, distance: distance, coarseness: coarseness).volumetric
    }

    /// One dependence matrix per slice (z of the block), with in-slice neighbourhoods; N_v of
    /// each is the number of ROI voxels of its slice.
    public static func slices(_ volume: DiscretisedVolume, distance: Int = 1, coarseness: Int = 0) -> [GreyLevelSizeMatrix] {
        build(volume, distance: distance, coarseness: coarseness).slices
    }

    /// The slice matrices and the volumetric matrix from one pass over the voxels.
    ///
    /// The in-slice neighbourhood is part of the 3D one, so each centre first counts its
    /// dependent neighbours within the slice (its 2D count) and then adds those of the other
    /// slices (its 3D count). The block is padded by delta voxels of level 0, which are never
    /// dependent, so the neighbour offsets need no bounds checks.
    static func build(_ volume: DiscretisedVolume, distance: Int, coarseness: Int)
        -> (slices: [GreyLevelSizeMatrix], volumetric: GreyLevelSizeMatrix) {
        precondition(distance >= 1 && coarseness >= 0)
        let padded = PaddedLevels(volume, margin: distance)
        let inPlane = padded.neighbourOffsets(distance: distance, inPlane: true)
        let all = padded.neighbourOffsets(distance: distance, inPlane: false)
        let inPlaneSet = Set(inPlane)
        // In-slice neighbours first, then the others.
        let offsets = inPlane + all.filter { !inPlaneSet.contains($0) }
        let s = volume.grid.size
        let planar = SizeTally(levelCount: volume.levelCount, largestSize: inPlane.count + 1)
        let spatial = SizeTally(levelCount: volume.levelCount, largestSize: all.count + 1)
        let alpha = coarseness
        let planarCount = inPlane.count
        var slices: [GreyLevelSizeMatrix] = []
        slices.reserveCapacity(s.z)
        var voxelsTotal = 0
        let sx = padded.offset(0, 1, 0), sz = padded.offset(0, 0, 1)
        let nearestOnly = distance == 1 && alpha == 0
        spatial.counting { spatialTally in
            padded.levels.withUnsafeBufferPointer { l in
                offsets.withUnsafeBufferPointer { offsets in
                    let inSlice = UnsafeBufferPointer(rebasing: offsets[0..<planarCount])
                    let outOfSlice = UnsafeBufferPointer(rebasing: offsets[planarCount...])
                    let l = l.baseAddress!
                    for z in 0..<s.z {
                        var voxels = 0
                        planar.counting { planarTally in
                            for y in 0..<s.y {
                                let row = padded.index(0, y, z)
                                for c in row..<(row + s.x) {
                                    let level = l[c]
                                    guard level != 0 else { continue }
                                    let g = Int(level)
                                    voxels &+= 1
                                    var k = 1
                                    if nearestOnly {
                                        // delta 1, alpha 0 (the usual setting): the 26 neighbours
                                        // written out; level 0 never equals an ROI level.
                                        let p = l + c
                                        @inline(__always) func same(_ o: Int) -> Int { p[o] == level ? 1 : 0 }
                                        @inline(__always) func square(_ b: Int) -> Int {
                                            same(b &- sx &- 1) &+ same(b &- sx) &+ same(b &- sx &+ 1)
                                                &+ same(b &- 1) &+ same(b) &+ same(b &+ 1)
                                                &+ same(b &+ sx &- 1) &+ same(b &+ sx) &+ same(b &+ sx &+ 1)
                                        }
                                        k &+= square(0) &- 1
                                        planarTally.add(level: g, size: k)
                                        k &+= square(-sz) &+ square(sz)
                                    } else if alpha == 0 {
                                        for o in inSlice { k &+= l[c &+ o] == level ? 1 : 0 }
                                        planarTally.add(level: g, size: k)
                                        for o in outOfSlice { k &+= l[c &+ o] == level ? 1 : 0 }
                                    } else {
                                        for o in inSlice {
                                            let n = Int(l[c &+ o])
                                            if n != 0 && abs(n &- g) <= alpha { k &+= 1 }
                                        }
                                        planarTally.add(level: g, size: k)
                                        for o in outOfSlice {
                                            let n = Int(l[c &+ o])
                                            if n != 0 && abs(n &- g) <= alpha { k &+= 1 }
                                        }
                                    }
                                    spatialTally.add(level: g, size: k)
                                }
                            }
                        }
                        slices.append(planar.take(voxelCount: Double(voxels)))
                        voxelsTotal += voxels
                    }
                }
            }
        }
        return (slices, spatial.take(voxelCount: Double(voxelsTotal)))
    }
}
