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

    /// loc_peak_loc and loc_peak_glob of `roi`: centres are the intensity-mask voxels, the
    /// neighbourhood is the whole image; `sphereVolume` in mm^3.
    ///
    /// Only the block of the image within the sphere's reach of the intensity mask's bounding
    /// box is read, copied with zeros where it reaches beyond the image: a zero adds nothing to
    /// a sum, and the voxel count of a sphere cut by the border is counted separately. The sums
    /// of 8 (or 4) neighbouring centres along x are taken together, lane by lane in the order the
    /// straightforward method (`directPeaks`) adds, so every sphere mean is the same number:
    /// - whole-number intensities: each run of the sphere is the difference of two row prefix
    ///   sums, in 32-bit integers (exact whenever every sphere sum fits in 31 bits);
    /// - other intensities: the sum of each run along x, for each run half-width, is taken once
    ///   per image row (added voxel by voxel from 0, left to right) and every sphere adds the
    ///   sums of its runs in run order, as `directPeaks` does.
    public static func compute(_ roi: RegionOfInterest, sphereVolume: Double = 1000) -> FeatureValues {
        let grid = roi.image.grid
        let runs = sphereRuns(spacing: grid.spacing, radius: radius(ofSphereVolume: sphereVolume))
        let peaks = Block(roi, runs: runs).map { $0.peaks() } ?? (local: -Double.infinity, global: -Double.infinity)
        var out = FeatureValues()
        out.append("loc_peak_loc", peaks.local.isFinite ? peaks.local : .nan)
        out.append("loc_peak_glob", peaks.global.isFinite ? peaks.global : .nan)
        return out
    }

    /// The centres' block and the image around it, padded with zeros (see `compute`).
    struct Block {
        let runs: [Run]
        let size: SIMD3<Int>
        /// Largest |offset| of the sphere along each axis.
        let reach: SIMD3<Int>
        /// The intensity mask's bounding box (image voxel indices).
        let box: BoundingBox
        /// Image index of the padded block's first voxel (box.lower - reach).
        let origin: SIMD3<Int>
        /// Padded block dimensions (box size + 2 reach).
        let dims: SIMD3<Int>
        let sphereCount: Int
        let maxIntensity: Float
        let image: [Float]
        let mask: [Bool]

        init?(_ roi: RegionOfInterest, runs: [Run]) {
            guard let box = roi.intensityMask.boundingBox else { return nil }
            self.runs = runs
            size = roi.image.grid.size
            var reach = SIMD3<Int>(0, 0, 0)
            var count = 0
            for run in runs {
                reach = pointwiseMax(reach, SIMD3(run.halfWidth, abs(run.dy), abs(run.dz)))
                count += 2 * run.halfWidth + 1
            }
            self.reach = reach
            self.box = box
            sphereCount = count
            origin = box.lower &- reach
            dims = box.size &+ 2 &* reach
            let image = roi.image.voxels, mask = roi.intensityMask.voxels
            self.image = image
            self.mask = mask
            var highest = -Float.infinity
            let size = roi.image.grid.size
            image.withUnsafeBufferPointer { v in
                mask.withUnsafeBufferPointer { m in
                    for z in box.lower.z...box.upper.z {
                        for y in box.lower.y...box.upper.y {
                            let row = size.x * (y + size.y * z)
                            for i in (row + box.lower.x)...(row + box.upper.x) where m[i] { highest = max(highest, v[i]) }
                        }
                    }
                }
            }
            maxIntensity = highest
        }

        /// Calls `body(ly, lz, row)` for every row of the padded block (block coordinates) with
        /// the image row it covers, or nil for a row outside the image; `row` gives the image
        /// index of voxel x (image coordinates) as `row + x`.
        func forEachRow(_ body: (Int, Int, Int?) -> Void) {
            for lz in 0..<dims.z {
                let z = origin.z + lz
                for ly in 0..<dims.y {
                    let y = origin.y + ly
                    body(ly, lz, (y >= 0 && y < size.y && z >= 0 && z < size.z) ? size.x * (y + size.y * z) : nil)
                }
            }
        }

        /// A float that is a whole number of magnitude below 2^24 (NaN is not): below 2^23 its
        /// truncation gives it back, from 2^23 on every float is whole.
        @inline(__always)
        static func isSmallWholeNumber(_ f: Float) -> Bool {
            let a = abs(f)
            return a < 16_777_216 && (a >= 8_388_608 || Float(Int32(a)) == a)
        }

        /// Whether the padded block holds whole numbers of magnitude below 2^24 only, and the
        /// largest magnitude.
        func wholeNumbers() -> (whole: Bool, largest: Float) {
            var whole = true
            var largest: Float = 0
            let x0 = max(origin.x, 0), x1 = min(origin.x + dims.x, size.x) - 1
            image.withUnsafeBufferPointer { v in
                forEachRow { _, _, row in
                    guard whole, let row else { return }
                    for x in x0...x1 {
                        guard Self.isSmallWholeNumber(v[row + x]) else { whole = false; return }
                        largest = max(largest, abs(v[row + x]))
                    }
                }
            }
            return (whole, largest)
        }

        /// Number of image voxels in the sphere around image voxel (x, y, z).
        @inline(__always)
        func voxelCount(_ x: Int, _ y: Int, _ z: Int) -> Int {
            if x >= reach.x, x + reach.x < size.x, y >= reach.y, y + reach.y < size.y,
               z >= reach.z, z + reach.z < size.z { return sphereCount }
            var count = 0
            for run in runs {
                let yy = y + run.dy, zz = z + run.dz
                guard yy >= 0, yy < size.y, zz >= 0, zz < size.z else { continue }
                count += min(x + run.halfWidth, size.x - 1) - max(x - run.halfWidth, 0) + 1
            }
            return count
        }

        /// Visits the intensity-mask voxels in storage order with their sphere mean and keeps
        /// the two peaks. `sums(lx, ly, lz)` gives the sphere sums of `lanes` consecutive
        /// centres from block coordinates (lx, ly, lz) along x.
        func scan<V: SIMD>(lanes: V.Type, _ sums: (Int, Int, Int) -> V) -> (local: Double, global: Double) where V.Scalar == Double {
            var global = -Double.infinity, local = -Double.infinity
            let laneCount = V.scalarCount
            image.withUnsafeBufferPointer { v in
                mask.withUnsafeBufferPointer { m in
                    for z in box.lower.z...box.upper.z {
                        for y in box.lower.y...box.upper.y {
                            let row = size.x * (y + size.y * z)
                            var first = -1, last = -1
                            for x in box.lower.x...box.upper.x where m[row + x] {
                                if first < 0 { first = x }
                                last = x
                            }
                            guard first >= 0 else { continue }
                            var x = first
                            while x <= last {
                                let s = sums(x - origin.x, y - origin.y, z - origin.z)
                                for k in 0..<min(laneCount, last - x + 1) where m[row + x + k] {
                                    let mean = s[k] / Double(voxelCount(x + k, y, z))
                                    global = max(global, mean)
                                    if v[row + x + k] == maxIntensity { local = max(local, mean) }
                                }
                                x += laneCount
                            }
                        }
                    }
                }
            }
            return (local, global)
        }

        func peaks() -> (local: Double, global: Double) {
            integerPeaks() ?? segmentPeaks()
        }

        /// Whole-number intensities: row prefix sums in wrapping 32-bit integers. Each sphere sum
        /// is a sum of differences of them; wrapping arithmetic gives the sum modulo 2^32, which is
        /// the sum itself when it fits in 31 bits, whatever the order. Nil unless the block holds
        /// whole numbers below 2^24 in magnitude whose largest, times the sphere's voxel count,
        /// is below 2^31 (checked while the prefix sums are made).
        func integerPeaks() -> (local: Double, global: Double)? {
            let stride = dims.x + 1
            let plane = stride * dims.y
            // 16 lanes read up to 15 entries past the last centre's row: room at the end.
            var prefix = [Int32](repeating: 0, count: plane * dims.z + 16)
            let x0 = max(origin.x, 0), x1 = min(origin.x + dims.x, size.x) - 1
            var whole = true
            var largest: Float = 0
            prefix.withUnsafeMutableBufferPointer { p in
                image.withUnsafeBufferPointer { v in
                    forEachRow { ly, lz, row in
                        guard whole, let row else { return }
                        let base = lz &* plane &+ ly &* stride &- origin.x &+ 1
                        var acc: Int32 = 0
                        // Entries before x0 stay 0 (zeros beyond the image); from x0 on the sum runs.
                        for x in x0...x1 {
                            let f = v[row + x]
                            guard Self.isSmallWholeNumber(f) else { whole = false; return }
                            largest = max(largest, abs(f))
                            acc &+= Int32(f)
                            p[base &+ x] = acc
                        }
                        for x in (x1 + 1)..<(origin.x + dims.x) { p[base &+ x] = acc }
                    }
                }
            }
            guard whole, Double(largest) * Double(sphereCount) < 2_147_483_648 else { return nil }
            // Byte offsets of each run's two prefix entries from the centre's, interleaved.
            var offsets: [Int] = []
            for run in runs {
                let offset = run.dz * plane + run.dy * stride
                offsets.append(4 * (offset + run.halfWidth + 1))
                offsets.append(4 * (offset - run.halfWidth))
            }
            return prefix.withUnsafeBufferPointer { p in
                offsets.withUnsafeBufferPointer { off in
                    let raw = UnsafeRawPointer(p.baseAddress!)
                    return scan(lanes: SIMD16<Double>.self) { lx, ly, lz in
                        // Every index lies in the buffer (see above): plain wrapping arithmetic.
                        let centre = raw + 4 &* (lz &* plane &+ ly &* stride &+ lx)
                        var sum = SIMD16<Int32>(repeating: 0)
                        var r = 0
                        while r < off.count {
                            let a = centre.loadUnaligned(fromByteOffset: off[r], as: SIMD16<Int32>.self)
                            let b = centre.loadUnaligned(fromByteOffset: off[r &+ 1], as: SIMD16<Int32>.self)
                            sum &+= a &- b
                            r &+= 2
                        }
                        return SIMD16<Double>(sum)
                    }
                }
            }
        }

        /// Any intensities: per row and run half-width h, the sums of the 2h + 1 voxels around
        /// every x (from 0, left to right, zeros beyond the image), kept for the 2 reach.z + 1
        /// planes the current centre plane needs; each sphere adds its runs' sums in run order.
        func segmentPeaks() -> (local: Double, global: Double) {
            let widths = Array(Set(runs.map(\.halfWidth))).sorted()
            var widthIndex = [Int](repeating: 0, count: (widths.last ?? 0) + 1)
            for (k, h) in widths.enumerated() { widthIndex[h] = k }
            let planes = 2 * reach.z + 1
            let planeSize = dims.x * dims.y
            // segments[((w * planes) + slot) * planeSize + ly * dims.x + lx], 4 lanes of room at the end.
            var segments = [Double](repeating: 0, count: widths.count * planes * planeSize + 4)
            // One padded block row as Double, with room for 4-lane reads.
            var line = [Double](repeating: 0, count: dims.x + 4)
            let x0 = max(origin.x, 0), x1 = min(origin.x + dims.x, size.x) - 1
            // Centres lie in [reach.x, dims.x - reach.x): the segments needed.
            let cx0 = reach.x, cx1 = dims.x - reach.x
            var nextPlane = 0
            func fill(plane lz: Int, _ seg: UnsafeMutableBufferPointer<Double>, _ v: UnsafeBufferPointer<Float>,
                      _ buf: UnsafeMutableBufferPointer<Double>) {
                let slot = lz % planes
                let z = origin.z + lz
                for ly in 0..<dims.y {
                    let y = origin.y + ly
                    let inside = y >= 0 && y < size.y && z >= 0 && z < size.z
                    let row = inside ? size.x * (y + size.y * z) : 0
                    for lx in 0..<dims.x {
                        let x = lx + origin.x
                        buf[lx] = inside && x >= x0 && x <= x1 ? Double(v[row + x]) : 0
                    }
                    let src = UnsafeRawPointer(buf.baseAddress!)
                    for (w, h) in widths.enumerated() {
                        let base = (w * planes + slot) * planeSize + ly * dims.x
                        var lx = cx0
                        while lx + 4 <= cx1 {
                            var acc = SIMD4<Double>(repeating: 0)
                            for k in 0...(2 * h) {
                                acc += src.loadUnaligned(fromByteOffset: 8 * (lx - h + k), as: SIMD4<Double>.self)
                            }
                            for j in 0..<4 { seg[base + lx + j] = acc[j] }
                            lx += 4
                        }
                        while lx < cx1 {
                            var acc = 0.0
                            for k in 0...(2 * h) { acc += buf[lx - h + k] }
                            seg[base + lx] = acc
                            lx += 1
                        }
                    }
                }
            }
            // Byte offset of each run's segment sums for the current centre plane (from the start
            // of its row of centres), set when the centre plane changes.
            var bases = [Int](repeating: 0, count: runs.count)
            var basePlane = -1
            return segments.withUnsafeMutableBufferPointer { seg in
                image.withUnsafeBufferPointer { v in
                    line.withUnsafeMutableBufferPointer { buf in
                        bases.withUnsafeMutableBufferPointer { base in
                            let raw = UnsafeRawPointer(seg.baseAddress!)
                            return scan(lanes: SIMD4<Double>.self) { lx, ly, lz in
                                if lz != basePlane {
                                    while nextPlane <= lz + reach.z {
                                        fill(plane: nextPlane, seg, v, buf)
                                        nextPlane += 1
                                    }
                                    for (r, run) in runs.enumerated() {
                                        let slot = (lz + run.dz) % planes
                                        base[r] = 8 * ((widthIndex[run.halfWidth] * planes + slot) * planeSize + run.dy * dims.x)
                                    }
                                    basePlane = lz
                                }
                                let centre = raw + 8 &* (ly &* dims.x &+ lx)
                                var sum = SIMD4<Double>(repeating: 0)
                                for r in 0..<base.count {
                                    sum += centre.loadUnaligned(fromByteOffset: base[r], as: SIMD4<Double>.self)
                                }
                                return sum
                            }
                        }
                    }
                }
            }
        }
    }

    /// The straightforward method: for every intensity-mask voxel, the sum of every image voxel
    /// of its sphere, run by run (each run added from 0, left to right), divided by their
    /// number. Kept to check `compute` against.
    static func directPeaks(_ roi: RegionOfInterest, sphereVolume: Double = 1000) -> (local: Double, global: Double) {
        let grid = roi.image.grid
        let size = grid.size
        let runs = sphereRuns(spacing: grid.spacing, radius: radius(ofSphereVolume: sphereVolume))
        var maxIntensity = -Float.infinity
        for i in 0..<roi.image.voxels.count where roi.intensityMask.voxels[i] {
            maxIntensity = max(maxIntensity, roi.image.voxels[i])
        }
        var globalPeak = -Double.infinity
        var localPeak = -Double.infinity
        let image = roi.image.voxels, mask = roi.intensityMask.voxels
        var i = 0
        for z in 0..<size.z {
            for y in 0..<size.y {
                for x in 0..<size.x {
                    defer { i += 1 }
                    guard mask[i] else { continue }
                    var sum = 0.0
                    var count = 0
                    for run in runs {
                        let yy = y + run.dy, zz = z + run.dz
                        guard yy >= 0, yy < size.y, zz >= 0, zz < size.z else { continue }
                        let lo = max(x - run.halfWidth, 0), hi = min(x + run.halfWidth, size.x - 1)
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
        return (localPeak, globalPeak)
    }
}
