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
    public static func build(_ volume: DiscretisedVolume, direction: TextureDirection, slice: Int? = nil) -> GreyLevelSizeMatrix {
        precondition(slice == nil || direction.isInPlane, "a slice matrix needs an in-plane direction")
        let counter = RunCounter(volume)
        let s = volume.grid.size
        let slices = slice.map { $0..<($0 + 1) } ?? 0..<s.z
        let voxels = roiVoxelsPerSlice(volume)[slices].reduce(0, +)
        counter.count(direction, slices: slices)
        return counter.tally.take(voxelCount: Double(voxels))
    }
}

/// Counts runs in the grey levels padded by one voxel of level 0: the padding ends every run at
/// the block border, so the walk along a direction needs no bounds checks.
struct RunCounter {
    let padded: PaddedLevels
    let size: SIMD3<Int>
    let tally: SizeTally

    init(_ volume: DiscretisedVolume) {
        padded = PaddedLevels(volume, margin: 1)
        size = volume.grid.size
        // No run is longer than the longest side of the block.
        tally = SizeTally(levelCount: volume.levelCount, largestSize: max(size.x, size.y, size.z))
    }

    /// Adds to `tally` the runs along `direction` that start in `slices` (z of the block; an
    /// in-plane direction keeps its runs in their slice). Each ROI voxel whose predecessor has
    /// another grey level (or is padding) starts a run, which is walked to its end: every voxel
    /// is read at most twice.
    func count(_ direction: TextureDirection, slices: Range<Int>) {
        let step = padded.offset(direction.dx, direction.dy, direction.dz)
        let s = size
        tally.counting { tally in
            padded.levels.withUnsafeBufferPointer { l in
                let l = l.baseAddress!
                for z in slices {
                    for y in 0..<s.y {
                        let row = padded.index(0, y, z)
                        for i in row..<(row + s.x) {
                            let g = l[i]
                            if g == 0 || l[i &- step] == g { continue }
                            var q = i &+ step
                            var length = 1
                            while l[q] == g {
                                length &+= 1
                                q &+= step
                            }
                            tally.add(level: Int(g), size: length)
                        }
                    }
                }
            }
        }
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
        let counter = RunCounter(volume)
        let voxels = roiVoxelsPerSlice(volume)
        slices = (0..<s.z).map { z in
            TextureDirections.inPlane.map { direction in
                counter.count(direction, slices: z..<(z + 1))
                return counter.tally.take(voxelCount: Double(voxels[z]))
            }
        }
        let roiVoxels = Double(voxels.reduce(0, +))
        let inPlane = TextureDirections.inPlane
        var volumetric: [GreyLevelSizeMatrix] = []
        for (d, direction) in TextureDirections.volumetric.enumerated() {
            if d < inPlane.count && direction == inPlane[d] {
                volumetric.append(.merged(slices.map { $0[d] }, levelCount: volume.levelCount))
            } else {
                counter.count(direction, slices: 0..<s.z)
                volumetric.append(counter.tally.take(voxelCount: roiVoxels))
            }
        }
        self.volumetric = volumetric
    }

    /// 2D, slice-merged: per slice, the sum over its in-plane directions.
    public var sliceMerged: [GreyLevelSizeMatrix] {
        slices.map { .merged($0, levelCount: levelCount) }
    }

    /// 2.5D, direction-merged: per in-plane direction, the sum over slices; these are the
    /// volumetric matrices of the in-plane directions.
    public var directionMerged: [GreyLevelSizeMatrix] {
        Array(volumetric.prefix(TextureDirections.inPlane.count))
    }

    /// 2.5D, merged: the sum of every slice and in-plane direction (the sum of the
    /// direction-merged matrices: the same whole-number counts).
    public var allSlicesMerged: GreyLevelSizeMatrix {
        .merged(directionMerged, levelCount: levelCount)
    }

    /// 3D, merged: the sum over the volumetric directions.
    public var volumetricMerged: GreyLevelSizeMatrix {
        .merged(volumetric, levelCount: levelCount)
    }
}
