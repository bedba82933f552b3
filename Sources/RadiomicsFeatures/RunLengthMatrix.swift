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
/// the block border, so reading a voxel's neighbours along a direction needs no bounds checks.
///
/// The voxels are visited in memory order, and each one's run length so far is that of its
/// predecessor along the direction plus one (1 when the predecessor has another level), kept in
/// `RunScratch.lengths`. A voxel whose successor has another level ends a run, which is counted
/// in a dense matrix of run ends. Every step of that is a select rather than a branch: where
/// runs are a few voxels long (the usual case with 32 grey levels), the branches of walking each
/// run from its start (is this a start? how long?) go the wrong way about once a voxel.
struct RunCounter {
    let padded: PaddedLevels
    let size: SIMD3<Int>
    let tally: SizeTally
    private let scratch: RunScratch?

    init(_ volume: DiscretisedVolume) {
        padded = PaddedLevels(volume, margin: 1)
        size = volume.grid.size
        // No run is longer than the longest side of the block.
        let longest = max(size.x, size.y, size.z)
        tally = SizeTally(levelCount: volume.levelCount, largestSize: longest)
        scratch = RunScratch(cells: padded.levels.count, levelCount: volume.levelCount, longest: longest)
    }

    /// Adds to `tally` the runs along `direction` in `slices` (z of the block): every slice for
    /// a direction that crosses slices, any of them for an in-plane direction, whose runs stay
    /// in their slice.
    func count(_ direction: TextureDirection, slices: Range<Int>) {
        precondition(direction.dz == 0 || slices == 0..<size.z, "a direction across slices counts the whole block")
        // Opposite directions have the same runs; the one with a positive offset has its
        // predecessors earlier in memory, so they are visited first.
        let step = abs(padded.offset(direction.dx, direction.dy, direction.dz))
        guard let scratch else { return walk(step, slices: slices) }
        let s = size
        let width = scratch.width
        let idle = scratch.idle
        let longest = padded.levels.withUnsafeBufferPointer { l -> Int in
            let l = l.baseAddress!
            var longest = 0
            let laneBits = SIMD16<UInt16>(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768)
            let run = scratch.lengths, ends = scratch.ends
            // Lanes can run side by side when no lane's predecessor is in the same vector.
            let lanes = step >= 16 ? 16 : 0
            for z in slices {
                for y in 0..<s.y {
                    let row = padded.index(0, y, z)
                    var i = row
                    while i &+ lanes <= row &+ s.x && lanes > 0 {
                        let g = load(l + i), previous = load(l + (i &- step)), next = load(l + (i &+ step))
                        // 0 or 1 per lane, by arithmetic only (SIMD masks compile to a loop over
                        // the lanes here): present, level changed from the predecessor, ends.
                        let present = nonZero(g), changed = nonZero(previous ^ g)
                        let ending = present & nonZero(next ^ g)
                        // The run length at each voxel: its predecessor's plus one, or 1 where
                        // the level changes, or 0 outside the intensity mask (level 0).
                        let length = ((load(run + (i &- step)) &+ 1) &* (1 &- changed) &+ changed) &* present
                        UnsafeMutableRawPointer(run + i).storeBytes(of: length, as: SIMD16<UInt16>.self)
                        // The lanes that end a run, as bits of a word.
                        var mask = (ending &* laneBits).wrappedSum()
                        while mask != 0 {
                            let k = i &+ mask.trailingZeroBitCount
                            let runLength = Int(run[k])
                            ends[Int(l[k]) &* width &+ runLength] &+= 1
                            longest = max(longest, runLength)
                            mask &= mask &- 1
                        }
                        i &+= lanes
                    }
                    // Along x the predecessor is the voxel just done: its length stays in a
                    // register rather than making a round trip through memory.
                    var carried = 0
                    while i < row &+ s.x {
                        let g = l[i]
                        // 0 or 1 for each condition, combined by arithmetic: no branch.
                        let present = bit(g != 0), same = bit(l[i &- step] == g)
                        let before = step == 1 ? carried : Int(run[i &- step])
                        let length = (before &* same &+ 1) &* present
                        carried = length
                        run[i] = UInt16(truncatingIfNeeded: length)
                        let ending = present & bit(l[i &+ step] != g)
                        // Voxels that end no run add to one of 8 idle cells in turn, so that
                        // consecutive voxels do not wait on one cell's increment.
                        let cell = (Int(g) &* width &+ length) &* ending &+ (idle &+ (i & 7)) &* (1 &- ending)
                        ends[cell] &+= 1
                        longest = max(longest, length)
                        i &+= 1
                    }
                }
            }
            return longest
        }
        scratch.drain(into: tally, longest: longest)
    }

    /// 1 in the lanes that are not 0, else 0: x | -x has its top bit set exactly when x != 0.
    @inline(__always)
    private func nonZero(_ x: SIMD16<UInt16>) -> SIMD16<UInt16> { (x | (0 &- x)) &>> 15 }

    @inline(__always)
    private func load(_ p: UnsafePointer<UInt16>) -> SIMD16<UInt16> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
    }

    @inline(__always)
    private func load(_ p: UnsafeMutablePointer<UInt16>) -> SIMD16<UInt16> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
    }

    /// Counts by walking each run from its first voxel (one whose predecessor has another grey
    /// level, or is padding): used when the dense matrix of run ends would be too large.
    private func walk(_ step: Int, slices: Range<Int>) {
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

@inline(__always)
private func bit(_ b: Bool) -> Int { Int(unsafeBitCast(b, to: UInt8.self)) }

/// Working memory of `RunCounter`: the run length at each voxel of the padded block (0 in the
/// padding, which is never written), and the run ends by grey level (rows 1...Ng) and length
/// (columns 1...longest side), with 8 idle cells after them.
private final class RunScratch {
    let lengths: UnsafeMutablePointer<UInt16>
    let ends: UnsafeMutablePointer<Int32>
    let width: Int
    let idle: Int
    let levelCount: Int

    /// Dense run ends at most: 2^20 cells (4 MB); beyond, runs are walked.
    static let endsLimit = 1 << 20

    init?(cells: Int, levelCount: Int, longest: Int) {
        width = longest + 1
        idle = (levelCount + 1) * width
        guard levelCount > 0, idle <= Self.endsLimit, longest <= Int(UInt16.max) else { return nil }
        self.levelCount = levelCount
        lengths = .allocate(capacity: cells)
        lengths.initialize(repeating: 0, count: cells)
        ends = .allocate(capacity: idle + 8)
        ends.initialize(repeating: 0, count: idle + 8)
    }

    deinit {
        lengths.deallocate()
        ends.deallocate()
    }

    /// Moves the run ends counted (lengths 1...longest) into `tally` and clears them.
    func drain(into tally: SizeTally, longest: Int) {
        for g in 1...levelCount {
            let row = ends + g * width
            for length in 1...max(longest, 1) where row[length] != 0 {
                tally.add(level: g, size: length, count: Double(row[length]))
                row[length] = 0
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
