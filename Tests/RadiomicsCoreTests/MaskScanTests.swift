import RadiomicsCore
import Testing

/// The word-at-a-time mask scans against voxel-by-voxel ones.
@Suite struct MaskScanTests {
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
    }

    static func naive(_ mask: Mask) -> (count: Int, box: BoundingBox?) {
        var count = 0
        var lo = SIMD3<Int>(repeating: Int.max), hi = SIMD3<Int>(repeating: Int.min)
        let s = mask.grid.size
        for z in 0..<s.z { for y in 0..<s.y { for x in 0..<s.x where mask[x, y, z] {
            count += 1
            lo = pointwiseMin(lo, SIMD3(x, y, z))
            hi = pointwiseMax(hi, SIMD3(x, y, z))
        } } }
        return (count, count > 0 ? BoundingBox(lower: lo, upper: hi) : nil)
    }

    @Test func countAndBoxEqualTheVoxelByVoxelScan() {
        var g = Generator(state: 17)
        for trial in 0..<60 {
            let size = SIMD3(1 + Int(g.next() % 40), 1 + Int(g.next() % 9), 1 + Int(g.next() % 5))
            var mask = Mask(grid: Grid(size: size, spacing: SIMD3(1, 1, 1)), repeating: false)
            // From empty to dense, and single voxels at the row ends.
            let density = trial % 5
            for i in 0..<mask.voxels.count where density > 0 && Int(g.next() % 16) < density * density / 2 {
                mask.voxels[i] = true
            }
            if trial % 7 == 3 { mask[size.x - 1, size.y - 1, size.z - 1] = true }
            if trial % 11 == 4 { mask[0, 0, 0] = true }
            let expected = Self.naive(mask)
            #expect(mask.count == expected.count, "trial \(trial)")
            #expect(mask.boundingBox == expected.box, "trial \(trial)")
            let both = mask.countAndBoundingBox()
            #expect(both.count == expected.count && both.box == expected.box, "trial \(trial)")
            if let box = expected.box {
                let crop = mask.cropped(to: box)
                var voxels: [Bool] = []
                for z in box.lower.z...box.upper.z { for y in box.lower.y...box.upper.y { for x in box.lower.x...box.upper.x {
                    voxels.append(mask[x, y, z])
                } } }
                #expect(crop.voxels == voxels && crop.grid.size == box.size, "trial \(trial)")
            }
        }
    }
}
