import RadiomicsCore

// Grey level run length matrices (IBSI 1, "Grey level run length based features", TP0I).
//
// A run is a maximal sequence of consecutive voxels of the same grey level along a direction m;
// element r_ij counts the runs of grey level i and length j. Voxels outside the intensity mask
// (level 0) break runs. Opposite directions give the same runs, so the 4 in-plane and 13
// volumetric directions of `TextureDirections` suffice.

public enum RunLengthMatrix {
    /// The run length matrix along `direction`: over the whole block, or within slice `slice`
    /// only (z index of the block; `direction` must then be in-plane). N_v is the number of
    /// intensity-mask voxels the runs were counted in.
    ///
    /// Each ROI voxel whose predecessor along the direction is outside the block or of another
    /// grey level starts a run, which is then walked to its end: every voxel is read at most
    /// twice per direction.
    public static func build(_ volume: DiscretisedVolume, direction: TextureDirection, slice: Int? = nil) -> GreyLevelSizeMatrix {
        precondition(slice == nil || direction.isInPlane, "a slice matrix needs an in-plane direction")
        let s = volume.grid.size
        let zRange = slice.map { $0..<($0 + 1) } ?? 0..<s.z
        let dx = direction.dx, dy = direction.dy, dz = direction.dz
        // The longest possible run: the shortest block side among the axes the direction moves along.
        var longest = Int.max
        if dx != 0 { longest = min(longest, s.x) }
        if dy != 0 { longest = min(longest, s.y) }
        if dz != 0 { longest = min(longest, s.z) }
        var m = GreyLevelSizeMatrix(levelCount: volume.levelCount, columnCount: longest == Int.max ? 0 : longest)
        let step = direction.flatOffset(size: s)
        var voxels = 0
        volume.levels.withUnsafeBufferPointer { l in
            for z in zRange {
                for y in 0..<s.y {
                    var i = s.x * (y + s.y * z)
                    for x in 0..<s.x {
                        defer { i += 1 }
                        let g = l[i]
                        guard g != 0 else { continue }
                        voxels += 1
                        let px = x - dx, py = y - dy, pz = z - dz
                        if px >= 0, py >= 0, pz >= 0, px < s.x, py < s.y, pz < s.z, l[i - step] == g { continue }
                        var length = 1
                        var qx = x + dx, qy = y + dy, qz = z + dz, q = i + step
                        while qx >= 0, qy >= 0, qz >= 0, qx < s.x, qy < s.y, qz < s.z, l[q] == g {
                            length += 1
                            qx += dx; qy += dy; qz += dz; q += step
                        }
                        m.add(level: Int(g), size: length)
                    }
                }
            }
        }
        m.addVoxels(Double(voxels))
        return m
    }
}

/// Every run length matrix the six IBSI aggregation methods need, each counted once: per slice
/// and in-plane direction, and per volumetric direction. The volumetric matrix of an in-plane
/// direction holds exactly the runs of that direction's slice matrices, so it is their sum.
public struct RunLengthMatrices: Sendable {
    /// `slices[z][d]`: slice z of the block, direction `TextureDirections.inPlane[d]`.
    public let slices: [[GreyLevelSizeMatrix]]
    /// `volumetric[d]`: direction `TextureDirections.volumetric[d]` over the whole block.
    public let volumetric: [GreyLevelSizeMatrix]
    public let levelCount: Int

    public init(_ volume: DiscretisedVolume) {
        let s = volume.grid.size
        levelCount = volume.levelCount
        slices = (0..<s.z).map { z in
            TextureDirections.inPlane.map { RunLengthMatrix.build(volume, direction: $0, slice: z) }
        }
        let inPlaneCount = TextureDirections.inPlane.count
        var volumetric: [GreyLevelSizeMatrix] = []
        for (d, direction) in TextureDirections.volumetric.enumerated() {
            if d < inPlaneCount && TextureDirections.volumetric[d] == TextureDirections.inPlane[d] {
                volumetric.append(.merged(slices.map { $0[d] }, levelCount: volume.levelCount))
            } else {
                volumetric.append(RunLengthMatrix.build(volume, direction: direction))
            }
        }
        self.volumetric = volumetric
    }

    /// 2D, slice-merged: per slice, the sum over its in-plane directions.
    public var sliceMerged: [GreyLevelSizeMatrix] {
        slices.map { .merged($0, levelCount: levelCount) }
    }

    /// 2.5D, direction-merged: per in-plane direction, the sum over slices.
    public var directionMerged: [GreyLevelSizeMatrix] {
        (0..<TextureDirections.inPlane.count).map { d in .merged(slices.map { $0[d] }, levelCount: levelCount) }
    }

    /// 2.5D, merged: the sum of every slice and in-plane direction.
    public var allSlicesMerged: GreyLevelSizeMatrix {
        .merged(slices.flatMap { $0 }, levelCount: levelCount)
    }

    /// 3D, merged: the sum over the volumetric directions.
    public var volumetricMerged: GreyLevelSizeMatrix {
        .merged(volumetric, levelCount: levelCount)
    }
}
