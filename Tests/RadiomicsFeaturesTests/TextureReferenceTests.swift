import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

// The texture matrix builders count through padded flat arrays, tallies and box sums. These
// tests count the same matrices the plain way, voxel by voxel with coordinates and bounds checks,
// on small random volumes, and require identical results.

/// A small deterministic generator (SplitMix64), so that failures can be reproduced.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// A random block: sides 1...7, grey levels 1...levelCount, about a fifth of the voxels outside
/// the intensity mask; the morphological mask also leaves out a few intensity-mask voxels.
func randomVolume(_ rng: inout SplitMix64, levelCount: Int, size: SIMD3<Int>? = nil) -> DiscretisedVolume {
    let size = size ?? SIMD3(1 + rng.below(7), 1 + rng.below(7), 1 + rng.below(7))
    let n = size.x * size.y * size.z
    var levels = [UInt16](repeating: 0, count: n)
    var morph = [Bool](repeating: false, count: n)
    for i in 0..<n {
        let outside = rng.below(5) == 0
        levels[i] = outside ? 0 : UInt16(1 + rng.below(levelCount))
        morph[i] = outside ? rng.below(4) == 0 : rng.below(10) != 0
    }
    return DiscretisedVolume(grid: Grid(size: size, spacing: SIMD3(1, 1, 1)), levels: levels,
                             levelCount: levelCount, morphologicalMask: morph)
}

/// Plain counting over (level, size) pairs.
struct ReferenceMatrix {
    var counts: [Int: [Int: Double]] = [:]
    var voxels = 0.0
    mutating func add(_ level: Int, _ size: Int) { counts[level, default: [:]][size, default: 0] += 1 }
    var table: [[Double]] {
        counts.keys.sorted().flatMap { level in
            counts[level]!.keys.sorted().map { [Double(level), Double($0), counts[level]![$0]!] }
        }
    }
}

private struct Coordinates {
    let size: SIMD3<Int>
    let levels: [UInt16]
    init(_ v: DiscretisedVolume) { size = v.grid.size; levels = v.levels }
    func inside(_ p: SIMD3<Int>) -> Bool {
        p.x >= 0 && p.y >= 0 && p.z >= 0 && p.x < size.x && p.y < size.y && p.z < size.z
    }
    func level(_ p: SIMD3<Int>) -> Int { inside(p) ? Int(levels[p.x + size.x * (p.y + size.y * p.z)]) : 0 }
    var all: [SIMD3<Int>] {
        var out: [SIMD3<Int>] = []
        for z in 0..<size.z { for y in 0..<size.y { for x in 0..<size.x { out.append(SIMD3(x, y, z)) } } }
        return out
    }
}

/// Runs along `d` within `slices`.
private func referenceRuns(_ v: DiscretisedVolume, _ d: TextureDirection, slices: Range<Int>) -> ReferenceMatrix {
    let c = Coordinates(v)
    let step = SIMD3(d.dx, d.dy, d.dz)
    var m = ReferenceMatrix()
    for p in c.all where slices.contains(p.z) {
        let g = c.level(p)
        guard g != 0 else { continue }
        m.voxels += 1
        if c.level(p &- step) == g { continue }
        var length = 0
        var q = p
        while c.level(q) == g { length += 1; q &+= step }
        m.add(g, length)
    }
    return m
}

/// Zones by breadth-first search on coordinates; `value` gives each zone's entry.
private func referenceZones(_ v: DiscretisedVolume, inPlane: Bool, perSlice z: Int?,
                            value: ([SIMD3<Int>]) -> Int) -> ReferenceMatrix {
    let c = Coordinates(v)
    var seen = Set<SIMD3<Int>>()
    var m = ReferenceMatrix()
    for p in c.all where (z == nil || p.z == z!) && c.level(p) != 0 && !seen.contains(p) {
        let g = c.level(p)
        var zone = [p]
        seen.insert(p)
        var k = 0
        while k < zone.count {
            let q = zone[k]
            k += 1
            for dz in (inPlane ? 0...0 : -1...1) {
                for dy in -1...1 {
                    for dx in -1...1 {
                        let r = q &+ SIMD3(dx, dy, dz)
                        if c.level(r) == g && !seen.contains(r) { seen.insert(r); zone.append(r) }
                    }
                }
            }
        }
        m.add(g, value(zone))
    }
    return m
}

/// City-block distance to the nearest voxel outside the morphological mask (or the block),
/// by brute force over every such voxel, the block surrounded by one layer of outside voxels.
private func referenceDistance(_ v: DiscretisedVolume, _ p: SIMD3<Int>, inPlane: Bool) -> Int {
    let s = v.grid.size
    var best = Int.max
    for z in -1...s.z {
        if inPlane && z != p.z { continue }
        for y in -1...s.y {
            for x in -1...s.x {
                let q = SIMD3(x, y, z)
                let inside = x >= 0 && y >= 0 && z >= 0 && x < s.x && y < s.y && z < s.z
                if inside && v.morphologicalMask[x + s.x * (y + s.y * z)] { continue }
                let d = abs(q.x - p.x) + abs(q.y - p.y) + abs(q.z - p.z)
                best = min(best, d)
            }
        }
    }
    return best
}

private func referenceDependence(_ v: DiscretisedVolume, distance: Int, alpha: Int, inPlane: Bool, slice: Int?) -> ReferenceMatrix {
    let c = Coordinates(v)
    var m = ReferenceMatrix()
    for p in c.all where slice == nil || p.z == slice! {
        let g = c.level(p)
        guard g != 0 else { continue }
        m.voxels += 1
        var k = 1
        for dz in (inPlane ? 0...0 : -distance...distance) {
            for dy in -distance...distance {
                for dx in -distance...distance where dx != 0 || dy != 0 || dz != 0 {
                    let n = c.level(p &+ SIMD3(dx, dy, dz))
                    if n != 0 && abs(n - g) <= alpha { k += 1 }
                }
            }
        }
        m.add(g, k)
    }
    return m
}

@Suite struct TextureReferenceTests {
    @Test func runLengthsEqualPlainCounting() {
        var rng = SplitMix64(state: 1)
        for _ in 0..<60 {
            let v = randomVolume(&rng, levelCount: 1 + rng.below(4))
            let matrices = RunLengthMatrices(v)
            for z in 0..<v.grid.size.z {
                for (d, direction) in TextureDirections.inPlane.enumerated() {
                    let expected = referenceRuns(v, direction, slices: z..<(z + 1))
                    #expect(sparseTable(matrices.slices[z][d]) == expected.table)
                    #expect(matrices.slices[z][d].voxelCount == expected.voxels)
                }
            }
            for (d, direction) in TextureDirections.volumetric.enumerated() {
                let expected = referenceRuns(v, direction, slices: 0..<v.grid.size.z)
                #expect(sparseTable(matrices.volumetric[d]) == expected.table)
                #expect(matrices.volumetric[d].voxelCount == expected.voxels)
                #expect(matrices.volumetric[d] == RunLengthMatrix.build(v, direction: direction))
            }
        }
    }

    /// Rows of 16 voxels and more, where the counter takes 16 voxels at a time (when no
    /// voxel's predecessor is among them), and so many grey levels that it walks the runs.
    @Test func runLengthsEqualPlainCountingOnLongRowsAndManyLevels() {
        var rng = SplitMix64(state: 7)
        for round in 0..<24 {
            let size = SIMD3(16 + rng.below(30), 1 + rng.below(20), 1 + rng.below(4))
            let levelCount = round % 6 == 5 ? 40000 : [1, 2, 3, 32][rng.below(4)]
            let v = randomVolume(&rng, levelCount: levelCount, size: size)
            let matrices = RunLengthMatrices(v)
            for z in 0..<v.grid.size.z {
                for (d, direction) in TextureDirections.inPlane.enumerated() {
                    #expect(sparseTable(matrices.slices[z][d]) == referenceRuns(v, direction, slices: z..<(z + 1)).table)
                }
            }
            for (d, direction) in TextureDirections.volumetric.enumerated() {
                #expect(sparseTable(matrices.volumetric[d]) == referenceRuns(v, direction, slices: 0..<v.grid.size.z).table)
            }
        }
    }

    @Test func zonesEqualBreadthFirstSearch() {
        var rng = SplitMix64(state: 2)
        for _ in 0..<60 {
            // Few grey levels, so that zones grow large and wind across slices.
            let v = randomVolume(&rng, levelCount: 1 + rng.below(3))
            let volumetric = referenceZones(v, inPlane: false, perSlice: nil) { $0.count }
            #expect(sparseTable(SizeZoneMatrix.volumetric(v)) == volumetric.table)
            let slices = SizeZoneMatrix.slices(v)
            #expect(slices.count == v.grid.size.z)
            for z in 0..<v.grid.size.z {
                #expect(sparseTable(slices[z]) == referenceZones(v, inPlane: true, perSlice: z) { $0.count }.table)
            }
            // Zone distances: the smallest distance of the zone's voxels, at least 1.
            let distance3D = referenceZones(v, inPlane: false, perSlice: nil) { zone in
                max(1, zone.map { referenceDistance(v, $0, inPlane: false) }.min()!)
            }
            #expect(sparseTable(DistanceZoneMatrix.volumetric(v)) == distance3D.table)
            let distanceSlices = DistanceZoneMatrix.slices(v)
            for z in 0..<v.grid.size.z {
                let expected = referenceZones(v, inPlane: true, perSlice: z) { zone in
                    max(1, zone.map { referenceDistance(v, $0, inPlane: true) }.min()!)
                }
                #expect(sparseTable(distanceSlices[z]) == expected.table)
            }
        }
    }

    @Test func dependenceCountsEqualPlainCounting() {
        var rng = SplitMix64(state: 3)
        for trial in 0..<40 {
            let v = randomVolume(&rng, levelCount: 1 + rng.below(5))
            let distance = 1 + trial % 2, alpha = trial % 3
            let volumetric = DependenceMatrix.volumetric(v, distance: distance, coarseness: alpha)
            let expected = referenceDependence(v, distance: distance, alpha: alpha, inPlane: false, slice: nil)
            #expect(sparseTable(volumetric) == expected.table)
            #expect(volumetric.voxelCount == expected.voxels)
            let slices = DependenceMatrix.slices(v, distance: distance, coarseness: alpha)
            for z in 0..<v.grid.size.z {
                let e = referenceDependence(v, distance: distance, alpha: alpha, inPlane: true, slice: z)
                #expect(sparseTable(slices[z]) == e.table)
                #expect(slices[z].voxelCount == e.voxels)
            }
        }
    }

    @Test func neighbourhoodBoxSumsEqualVoxelByVoxelSums() {
        var rng = SplitMix64(state: 4)
        for trial in 0..<60 {
            let v = randomVolume(&rng, levelCount: 1 + rng.below(6))
            let builder = NeighbourhoodGreyToneDifferenceMatrixBuilder(v, distance: 1 + trial % 3)
            let all = builder.allMatrices()
            for z in 0..<builder.sliceCount {
                #expect(all.slices[z] == builder.referenceMatrix(slices: z..<(z + 1), depth: 0))
            }
            #expect(all.volume == builder.referenceMatrix(slices: 0..<builder.sliceCount, depth: builder.distance))
        }
    }

    @Test func tallyAndMergingEqualPlainCounting() {
        var rng = SplitMix64(state: 5)
        for _ in 0..<40 {
            let ng = 1 + rng.below(6)
            // A bound small enough that some sizes overflow the dense part of the tally.
            let tally = SizeTally(levelCount: ng, largestSize: 1 + rng.below(8))
            var parts: [GreyLevelSizeMatrix] = []
            var whole = ReferenceMatrix()
            for _ in 0..<(1 + rng.below(4)) {
                var part = ReferenceMatrix()
                for _ in 0..<rng.below(30) {
                    let level = 1 + rng.below(ng), size = 1 + rng.below(rng.below(2) == 0 ? 6 : 200)
                    tally.add(level: level, size: size)
                    part.add(level, size)
                    whole.add(level, size)
                }
                let m = tally.take(voxelCount: 3)
                #expect(sparseTable(m) == part.table)
                for level in 1...ng {
                    for size in [1, 2, 7, 150] {
                        #expect(m[level, size] == part.counts[level]?[size] ?? 0)
                    }
                }
                parts.append(m)
            }
            let merged = GreyLevelSizeMatrix.merged(parts, levelCount: ng)
            #expect(sparseTable(merged) == whole.table)
            #expect(merged.voxelCount == 3 * Double(parts.count))
            var byHand = GreyLevelSizeMatrix(levelCount: ng)
            for p in parts { for e in p.entries { byHand.add(level: e.level, size: e.size, count: e.count) } }
            #expect(byHand.cells == merged.cells)
        }
    }
}
