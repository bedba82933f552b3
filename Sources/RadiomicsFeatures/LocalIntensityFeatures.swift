import Foundation
import RadiomicsCore

/// Local intensity features (IBSI 1, family 9ST6), computed in 3D.
///
/// The peak around a voxel is the mean intensity of every image voxel whose centre lies within
/// the sphere of the given volume (IBSI: 1 cm^3, radius (3V / 4 pi)^(1/3) ~ 6.2 mm) centred on
/// it, distances measured in world millimetres. The neighbourhood reads the whole image, not only
/// the ROI; image voxels beyond the image border do not exist and are not counted. Only voxels of
/// the intensity mask are centres.
///
/// The sphere is a list of runs along x, one per (dy, dz) offset, so the mean is a sum of
/// contiguous row segments; this is the same set of voxels as testing every offset.
public enum LocalIntensityFeatures {
    public static let definitions: [FeatureDefinition] = [
        FeatureDefinition("loc_peak_loc", ibsi: "VJGA", family: .localIntensity, name: "Local intensity peak",
                          degenerate: "when several voxels share the maximum intensity, the highest of their peaks (IBSI); NaN for an empty ROI"),
        FeatureDefinition("loc_peak_glob", ibsi: "0F91", family: .localIntensity, name: "Global intensity peak",
                          degenerate: "NaN for an empty ROI"),
    ]

    /// A run of the sphere along x: offsets (-halfWidth...halfWidth, dy, dz).
    struct Run: Equatable {
        let dy: Int, dz: Int, halfWidth: Int
    }

    /// Radius (mm) of a sphere of `volume` mm^3.
    static func radius(ofSphereVolume volume: Double) -> Double {
        Foundation.cbrt(3 * volume / (4 * Double.pi))
    }

    /// The voxel offsets whose centres lie within `radius` mm of the origin, for voxels of the
    /// given spacing, as runs along x.
    static func sphereRuns(spacing: SIMD3<Double>, radius: Double) -> [Run] {
        let r2 = radius * radius
        func inside(_ dx: Int, _ dy: Int, _ dz: Int) -> Bool {
            let a = Double(dx) * spacing.x, b = Double(dy) * spacing.y, c = Double(dz) * spacing.z
            return a * a + b * b + c * c <= r2
        }
        let ny = Int((radius / spacing.y).rounded(.down)), nz = Int((radius / spacing.z).rounded(.down))
        var runs: [Run] = []
        for dz in -nz...nz {
            for dy in -ny...ny where inside(0, dy, dz) {
                var h = 0
                while inside(h + 1, dy, dz) { h += 1 }
                runs.append(Run(dy: dy, dz: dz, halfWidth: h))
            }
        }
        return runs
    }

    /// Prefix sums along x of every row (row length + 1 values per row, starting at 0), or nil
    /// unless every intensity is a whole number of magnitude below 2^24: then every sum of
    /// fewer than 2^29 of them is exact in Double, whatever the order of the additions.
    static func rowPrefixSums(_ image: Image) -> [Double]? {
        let size = image.grid.size
        let limit: Float = 16_777_216
        var out = [Double](repeating: 0, count: (size.x + 1) * size.y * size.z)
        let exact = image.voxels.withUnsafeBufferPointer { v -> Bool in
            out.withUnsafeMutableBufferPointer { p in
                var i = 0, o = 0
                for _ in 0..<(size.y * size.z) {
                    var acc = 0.0
                    p[o] = 0
                    for x in 0..<size.x {
                        let f = v[i + x]
                        guard f == f.rounded(.towardZero), abs(f) < limit else { return false }
                        acc += Double(f)
                        p[o + x + 1] = acc
                    }
                    i += size.x
                    o += size.x + 1
                }
                return true
            }
        }
        return exact && image.voxels.count < (1 << 29) ? out : nil
    }

    /// loc_peak_loc and loc_peak_glob of `roi`: centres are the intensity-mask voxels, the
    /// neighbourhood is the whole image; `sphereVolume` in mm^3.
    public static func compute(_ roi: RegionOfInterest, sphereVolume: Double = 1000) -> FeatureValues {
        let grid = roi.image.grid
        let size = grid.size
        let runs = sphereRuns(spacing: grid.spacing, radius: radius(ofSphereVolume: sphereVolume))

        var maxIntensity = -Float.infinity
        roi.image.voxels.withUnsafeBufferPointer { image in
            roi.intensityMask.voxels.withUnsafeBufferPointer { mask in
                for i in 0..<image.count where mask[i] { maxIntensity = max(maxIntensity, image[i]) }
            }
        }

        var globalPeak = -Double.infinity
        var localPeak = -Double.infinity
        if let prefix = rowPrefixSums(roi.image) {
            // Whole-number intensities: every partial sum is exact, so a row segment's sum is
            // the difference of two prefix sums, equal to the sum taken voxel by voxel.
            let stride = size.x + 1
            // Where the whole sphere lies inside the image, each run is a fixed pair of offsets
            // from the centre's place in the prefix array, and the voxel count is the sphere's.
            var reach = SIMD3<Int>(0, 0, 0)
            var lower: [Int] = [], upper: [Int] = []
            var sphereCount = 0
            for run in runs {
                reach = pointwiseMax(reach, SIMD3(run.halfWidth, abs(run.dy), abs(run.dz)))
                let row = stride * (run.dy + size.y * run.dz)
                lower.append(row - run.halfWidth)
                upper.append(row + run.halfWidth + 1)
                sphereCount += 2 * run.halfWidth + 1
            }
            let image = roi.image.voxels, mask = roi.intensityMask.voxels
            prefix.withUnsafeBufferPointer { p in
                lower.withUnsafeBufferPointer { lowerOffsets in
                    upper.withUnsafeBufferPointer { upperOffsets in
                        var i = 0
                        for z in 0..<size.z {
                            for y in 0..<size.y {
                                for x in 0..<size.x {
                                    defer { i += 1 }
                                    guard mask[i] else { continue }
                                    var sum = 0.0
                                    var count = 0
                                    if x >= reach.x, x + reach.x < size.x, y >= reach.y, y + reach.y < size.y,
                                       z >= reach.z, z + reach.z < size.z {
                                        let centre = stride * (y + size.y * z) + x
                                        for r in 0..<lowerOffsets.count {
                                            sum += p[centre + upperOffsets[r]] - p[centre + lowerOffsets[r]]
                                        }
                                        count = sphereCount
                                    } else {
                                        for run in runs {
                                            let yy = y + run.dy, zz = z + run.dz
                                            guard yy >= 0, yy < size.y, zz >= 0, zz < size.z else { continue }
                                            let lo = max(x - run.halfWidth, 0), hi = min(x + run.halfWidth, size.x - 1)
                                            let row = stride * (yy + size.y * zz)
                                            sum += p[row + hi + 1] - p[row + lo]
                                            count += hi - lo + 1
                                        }
                                    }
                                    let mean = sum / Double(count)
                                    globalPeak = max(globalPeak, mean)
                                    if image[i] == maxIntensity { localPeak = max(localPeak, mean) }
                                }
                            }
                        }
                    }
                }
            }
            var out = FeatureValues()
            out.append("loc_peak_loc", localPeak.isFinite ? localPeak : .nan)
            out.append("loc_peak_glob", globalPeak.isFinite ? globalPeak : .nan)
            return out
        }
        roi.image.voxels.withUnsafeBufferPointer { image in
            roi.intensityMask.voxels.withUnsafeBufferPointer { mask in
                var i = 0
                for z in 0..<size.z {
                    for y in 0..<size.y {
                        for x in 0..<size.x {
                            defer { i += 1 }
                            guard mask[i] else { continue }
                            var sum = 0.0
                            var count = 0
                            let x0 = x, y0 = y, z0 = z
                            for run in runs {
                                let yy = y0 + run.dy, zz = z0 + run.dz
                                guard yy >= 0, yy < size.y, zz >= 0, zz < size.z else { continue }
                                let lo = max(x0 - run.halfWidth, 0), hi = min(x0 + run.halfWidth, size.x - 1)
                                let row = size.x * (yy + size.y * zz)
                                var s = 0.0
                                for xx in lo...hi { s += Double(image[row + xx]) }
                                sum += s
                                count += hi - lo + 1
                            }
                            let mean = sum / Double(count)
                            globalPeak = max(globalPeak, mean)
                            if image[i] == maxIntensity { localPeak = max(localPeak, mean) }
                        }
                    }
                }
            }
        }

        var out = FeatureValues()
        out.append("loc_peak_loc", localPeak.isFinite ? localPeak : .nan)
        out.append("loc_peak_glob", globalPeak.isFinite ? globalPeak : .nan)
        return out
    }
}
