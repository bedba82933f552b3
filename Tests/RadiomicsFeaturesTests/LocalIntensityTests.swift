import Foundation
import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

/// Volume (mm^3) of a sphere of radius `r` mm.
private func sphereVolume(radius r: Double) -> Double { 4 / 3 * Double.pi * r * r * r }

@Suite struct LocalIntensityTests {
    @Test func definitionsMatchTheComputedTags() {
        let computed = LocalIntensityFeatures.compute(DigitalPhantom.roi)
        #expect(computed.tags == LocalIntensityFeatures.definitions.map(\.tag))
    }

    @Test func digitalPhantomReferences() {
        let refs = DigitalPhantom.references(prefix: "loc")
        #expect(refs.count == 2)
        assertCompliance(LocalIntensityFeatures.compute(DigitalPhantom.roi), references: refs, family: "loc (digital phantom)")
    }

    @Test func sphereRunsHoldExactlyTheOffsetsWithinTheRadius() {
        // Compare with testing every offset of a box, for isotropic and anisotropic spacings.
        for (spacing, volume) in [(SIMD3<Double>(2, 2, 2), 1000.0), (SIMD3(0.977, 0.977, 3), 1000), (SIMD3(1, 1, 1), sphereVolume(radius: 1.2))] {
            let r = LocalIntensityFeatures.radius(ofSphereVolume: volume)
            var expected = Set<SIMD3<Int>>()
            let n = SIMD3(Int(r / spacing.x) + 2, Int(r / spacing.y) + 2, Int(r / spacing.z) + 2)
            for dz in -n.z...n.z {
                for dy in -n.y...n.y {
                    for dx in -n.x...n.x {
                        let d = SIMD3(Double(dx), Double(dy), Double(dz)) * spacing
                        if (d * d).sum() <= r * r { expected.insert(SIMD3(dx, dy, dz)) }
                    }
                }
            }
            var fromRuns = Set<SIMD3<Int>>()
            for run in LocalIntensityFeatures.sphereRuns(spacing: spacing, radius: r) {
                for dx in -run.halfWidth...run.halfWidth { fromRuns.insert(SIMD3(dx, run.dy, run.dz)) }
            }
            #expect(fromRuns == expected, "spacing \(spacing)")
        }
        // Radius 1.2 voxel widths: the centre and its 6 face neighbours.
        let runs = LocalIntensityFeatures.sphereRuns(spacing: SIMD3(1, 1, 1), radius: 1.2)
        #expect(runs.reduce(0) { $0 + 2 * $1.halfWidth + 1 } == 7)
        // The IBSI sphere on the 2 mm digital phantom grid: r ~ 6.20 mm, offsets with
        // dx^2 + dy^2 + dz^2 <= 9 (in voxels).
        let phantom = LocalIntensityFeatures.sphereRuns(spacing: SIMD3(2, 2, 2), radius: LocalIntensityFeatures.radius(ofSphereVolume: 1000))
        #expect(phantom.reduce(0) { $0 + 2 * $1.halfWidth + 1 } == 123)
    }

    @Test func peaksOnAHandMadeImage() {
        // 5x5x5 image of 1 mm voxels, sphere of radius 1.2 mm: a voxel and its 6 face neighbours.
        let grid = Grid(size: SIMD3(5, 5, 5), spacing: SIMD3(1, 1, 1))
        var image = Image(grid: grid, repeating: 0)
        var mask = Mask(grid: grid, repeating: false)
        // Two ROI voxels share the maximum 10: (1, 1, 1) with neighbours summing to 6 and
        // (3, 3, 3) with neighbours summing to 12 (outside the ROI, which must not matter).
        image[1, 1, 1] = 10; mask[1, 1, 1] = true
        image[0, 1, 1] = 6
        image[3, 3, 3] = 10; mask[3, 3, 3] = true
        image[4, 3, 3] = 5; image[3, 2, 3] = 7
        // A lower ROI voxel with a bright neighbourhood: the global peak, not the local one.
        image[1, 3, 1] = 9; mask[1, 3, 1] = true
        image[0, 3, 1] = 50
        let roi = RegionOfInterest(image: image, mask: mask)
        let f = LocalIntensityFeatures.compute(roi, sphereVolume: sphereVolume(radius: 1.2))
        expectClose(f["loc_peak_loc"], 22.0 / 7, 1e-12, "local peak")
        expectClose(f["loc_peak_glob"], 59.0 / 7, 1e-12, "global peak")
    }

    @Test func neighbourhoodStopsAtTheImageBorder() {
        // Corner voxel of a 3x3x3 image: only 3 of its 6 face neighbours exist.
        let grid = Grid(size: SIMD3(3, 3, 3), spacing: SIMD3(1, 1, 1))
        var image = Image(grid: grid, repeating: 2)
        var mask = Mask(grid: grid, repeating: false)
        image[0, 0, 0] = 6; mask[0, 0, 0] = true
        let f = LocalIntensityFeatures.compute(RegionOfInterest(image: image, mask: mask), sphereVolume: sphereVolume(radius: 1.2))
        expectClose(f["loc_peak_loc"], (6 + 3 * 2) / 4.0, 1e-12, "corner")
        expectClose(f["loc_peak_glob"], 3, 1e-12, "corner global")
    }

    @Test func singleVoxelImageAndEmptyROI() {
        let grid = Grid(size: SIMD3(1, 1, 1), spacing: SIMD3(1, 1, 1))
        let one = LocalIntensityFeatures.compute(RegionOfInterest(image: Image(grid: grid, repeating: 4), mask: Mask(grid: grid, repeating: true)))
        #expect(one["loc_peak_loc"] == 4)
        #expect(one["loc_peak_glob"] == 4)
        let none = LocalIntensityFeatures.compute(RegionOfInterest(image: Image(grid: grid, repeating: 4), mask: Mask(grid: grid, repeating: false)))
        #expect(none["loc_peak_loc"]!.isNaN)
        #expect(none["loc_peak_glob"]!.isNaN)
    }

    @Test func chestPhantomConfigurationA() {
        let roi = FirstOrderChestPhantom.roi
        let clock = ContinuousClock()
        var computed = FeatureValues()
        let elapsed = clock.measure { computed = LocalIntensityFeatures.compute(roi) }
        print("loc on the CT phantom (\(roi.intensityMask.count) centres, \(roi.grid)): \(elapsed)")
        let refs = FirstOrderChestPhantom.references(prefix: "loc")
        #expect(refs.count == 2)
        assertCompliance(computed, references: refs, family: "loc (CT config A)")
    }

    /// Whole-number intensities take the prefix-sum path, others the voxel-by-voxel sums; both
    /// give the mean of every image voxel within the sphere, border voxels included.
    @Test(arguments: [true, false]) func prefixSumsAgreeWithDirectSums(_ wholeNumbers: Bool) {
        let grid = Grid(size: SIMD3(17, 13, 9), spacing: SIMD3(1.5, 2, 2.5))
        var image = Image(grid: grid, repeating: 0)
        var mask = Mask(grid: grid, repeating: false)
        for z in 0..<9 { for y in 0..<13 { for x in 0..<17 {
            let v = Float((x * 7 + y * 13 + z * 29) % 31) - 12
            image[x, y, z] = wholeNumbers ? v : v + 0.1 * Float(x % 3)
            mask[x, y, z] = (x + y + z) % 4 == 0
        } } }
        let radius = LocalIntensityFeatures.radius(ofSphereVolume: 300)
        let block = LocalIntensityFeatures.Block(RegionOfInterest(image: image, mask: mask),
                                                 runs: LocalIntensityFeatures.sphereRuns(spacing: grid.spacing, radius: radius))
        #expect(block?.wholeNumbers().whole == wholeNumbers)
        var peak = -Double.infinity, local = -Double.infinity
        var highest = -Float.infinity
        for i in 0..<grid.voxelCount where mask.voxels[i] { highest = max(highest, image.voxels[i]) }
        for z in 0..<9 { for y in 0..<13 { for x in 0..<17 where mask[x, y, z] {
            var sum = 0.0, n = 0
            for zz in 0..<9 { for yy in 0..<13 { for xx in 0..<17 {
                let d = SIMD3(Double(xx - x), Double(yy - y), Double(zz - z)) * grid.spacing
                if (d * d).sum() <= radius * radius { sum += Double(image[xx, yy, zz]); n += 1 }
            } } }
            peak = max(peak, sum / Double(n))
            if image[x, y, z] == highest { local = max(local, sum / Double(n)) }
        } } }
        let values = LocalIntensityFeatures.compute(RegionOfInterest(image: image, mask: mask), sphereVolume: 300)
        #expect(abs(values["loc_peak_glob"]! - peak) < 1e-9)
        #expect(abs(values["loc_peak_loc"]! - local) < 1e-9)
    }

    /// The block method (prefix sums in 32-bit integers, or per-row run sums) against the
    /// straightforward voxel-by-voxel sums on random images: every mean, and so both peaks, must
    /// be the same number. Whole numbers, large whole numbers (too large for 32-bit sums) and
    /// fractions; ROIs that touch the image border and ROIs far from it; several spacings.
    @Test func blockMethodEqualsDirectSumsOnRandomImages() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        func uniform(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        let spacings: [SIMD3<Double>] = [SIMD3(2, 2, 2), SIMD3(1, 1, 1), SIMD3(0.8, 1.1, 3), SIMD3(3, 2.5, 1.2)]
        for trial in 0..<24 {
            let size = SIMD3(3 + uniform(20), 2 + uniform(16), 1 + uniform(12))
            let grid = Grid(size: size, spacing: spacings[trial % spacings.count])
            var image = Image(grid: grid, repeating: 0)
            var mask = Mask(grid: grid, repeating: false)
            let kind = trial % 3
            for i in 0..<grid.voxelCount {
                switch kind {
                case 0: image.voxels[i] = Float(uniform(4001)) - 1000
                case 1: image.voxels[i] = Float(uniform(1 << 23)) * (uniform(2) == 0 ? 1 : -1)
                default: image.voxels[i] = Float(uniform(1 << 20)) / 1024 - 300.3
                }
            }
            // A few voxels share the maximum, so that the local peak picks among them.
            for _ in 0..<3 { image.voxels[uniform(grid.voxelCount)] = 5000 }
            // Half the trials: an ROI block away from the border; else anywhere.
            let inner = trial % 2 == 0
            for z in 0..<size.z { for y in 0..<size.y { for x in 0..<size.x {
                let away = x > 2 && x < size.x - 3 && y > 1 && y < size.y - 2
                if (!inner || away) && uniform(3) == 0 { mask[x, y, z] = true }
            } } }
            if !mask.voxels.contains(true) { mask.voxels[uniform(grid.voxelCount)] = true }
            for volume in [1000.0, 250.0, 30.0] {
                let roi = RegionOfInterest(image: image, mask: mask)
                let expected = LocalIntensityFeatures.directPeaks(roi, sphereVolume: volume)
                let values = LocalIntensityFeatures.compute(roi, sphereVolume: volume)
                #expect(values["loc_peak_glob"] == expected.global, "trial \(trial), \(size), volume \(volume)")
                #expect(values["loc_peak_loc"] == expected.local, "trial \(trial), \(size), volume \(volume)")
            }
        }
    }
}
