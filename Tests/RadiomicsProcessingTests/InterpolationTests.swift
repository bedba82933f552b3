import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsProcessing

@Suite struct GridAlignmentTests {
    @Test func fiveVoxelsOfThreeMillimetresToTwo() {
        // Extent 5 x 3 = 15 mm -> ceil(15 / 2) = 8 voxels. Centres: original 0 + 3 (5 - 1) / 2 = 6 mm,
        // new origin 0 + (3 * 4 - 2 * 7) / 2 = -1 mm, whose centre is -1 + 2 * 7 / 2 = 6 mm.
        let grid = Grid(size: SIMD3(5, 5, 5), spacing: SIMD3(3, 3, 3), origin: .zero)
        let t = Interpolation.targetGrid(for: grid, settings: InterpolationSettings(spacing: [2, 2, 2]))
        #expect(t.size == SIMD3(8, 8, 8))
        #expect(t.spacing == SIMD3(2, 2, 2))
        #expect(t.origin == SIMD3(-1, -1, -1))
    }

    @Test func ibsiManualExampleFourByFour() {
        // The manual's 4x4 grid of 3 mm to 2 mm: 6x6 voxels; origin (3 * 3 - 2 * 5) / 2 = -0.5 mm.
        let grid = Grid(size: SIMD3(4, 4, 1), spacing: SIMD3(3, 3, 3), origin: SIMD3(10, 20, 30))
        let t = Interpolation.targetGrid(for: grid, settings: InterpolationSettings(spacing: [2, 2, 2], inPlaneOnly: true))
        #expect(t.size == SIMD3(6, 6, 1))
        #expect(t.spacing == SIMD3(2, 2, 3))
        #expect(t.origin == SIMD3(9.5, 19.5, 30))
    }

    @Test func inPlaneOnlyKeepsTheSlices() {
        let grid = Grid(size: SIMD3(204, 201, 60), spacing: SIMD3(0.977, 0.977, 3), origin: SIMD3(-100, -50, 7))
        let t = Interpolation.targetGrid(for: grid, settings: InterpolationSettings(spacing: [2, 2], inPlaneOnly: true))
        // ceil(204 * 0.977 / 2) = ceil(99.65) = 100, ceil(201 * 0.977 / 2) = ceil(98.19) = 99.
        #expect(t.size == SIMD3(100, 99, 60))
        #expect(t.spacing.z == 3)
        #expect(t.origin.z == 7)
    }

    @Test func centreIsKeptWithRotatedAxes() {
        // x runs towards -x in world space: the shift is applied along the grid's own axis.
        let grid = Grid(size: SIMD3(5, 4, 3), spacing: SIMD3(3, 1, 2), origin: SIMD3(50, 0, 0),
                        direction: (SIMD3(-1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)))
        let t = Interpolation.targetGrid(for: grid, settings: InterpolationSettings(spacing: [2, 1, 2]))
        #expect(t.size == SIMD3(8, 4, 3))
        #expect(t.origin == SIMD3(51, 0, 0))
        let centre = { (g: Grid) in g.world((SIMD3<Double>(g.size) - 1) / 2) }
        #expect(abs((centre(t) - centre(grid)).max()) < 1e-12 && abs((centre(t) - centre(grid)).min()) < 1e-12)
    }
}

@Suite struct ResamplingTests {
    /// An image whose voxel (x, y, z) holds f(x, y, z).
    func image(_ size: SIMD3<Int>, spacing: SIMD3<Double>, _ f: (Double, Double, Double) -> Double) -> Image {
        let grid = Grid(size: size, spacing: spacing, origin: SIMD3(3, -2, 5))
        var v = [Float](repeating: 0, count: grid.voxelCount)
        for z in 0..<size.z { for y in 0..<size.y { for x in 0..<size.x {
            v[grid.index(x, y, z)] = Float(f(Double(x), Double(y), Double(z)))
        } } }
        return Image(grid: grid, voxels: v)
    }

    @Test func trilinearReproducesALinearRampInsideAndClampsOutside() {
        let f = { (x: Double, y: Double, z: Double) in 2 * x + 3 * y - z + 5 }
        let img = image(SIMD3(6, 5, 4), spacing: SIMD3(1, 1.5, 2), f)
        let target = Interpolation.targetGrid(for: img.grid, settings: InterpolationSettings(spacing: [0.7, 0.7, 0.7]))
        let out = Interpolation.resample(img, to: target, method: .linear)
        var inside = 0, outside = 0
        for z in 0..<target.size.z { for y in 0..<target.size.y { for x in 0..<target.size.x {
            let p = img.grid.voxel(target.world(SIMD3(Double(x), Double(y), Double(z))))
            let clamped = pointwiseMin(pointwiseMax(p, .zero), SIMD3<Double>(img.grid.size) - 1)
            let expected = f(clamped.x, clamped.y, clamped.z)
            #expect(abs(Double(out[x, y, z]) - expected) < 1e-4, "at \(x) \(y) \(z)")
            if p == clamped { inside += 1 } else { outside += 1 }
        } } }
        #expect(inside > 100 && outside > 100)
    }

    @Test func nearestPicksTheClosestVoxel() {
        // 4 voxels of 1 mm -> 8 of 0.5 mm, sampled at -0.25, 0.25, ..., 3.25 source voxels.
        let img = image(SIMD3(4, 1, 1), spacing: SIMD3(1, 1, 1)) { x, _, _ in 10 * (x + 1) }
        let t = Interpolation.targetGrid(for: img.grid, settings: InterpolationSettings(spacing: [0.5, 1, 1]))
        #expect(t.size == SIMD3(8, 1, 1))
        let out = Interpolation.resample(img, to: t, method: .nearest)
        #expect(out.voxels == [10, 10, 20, 20, 30, 30, 40, 40])
        let lin = Interpolation.resample(img, to: t, method: .linear)
        #expect(lin.voxels == [10, 12.5, 17.5, 22.5, 27.5, 32.5, 37.5, 40])
    }

    @Test func cubicSplinePassesThroughTheSamples() {
        let img = image(SIMD3(9, 3, 2), spacing: SIMD3(1, 1, 1)) { x, y, z in sin(x) * 100 + y * y - 3 * z }
        // Same spacing, shifted by one voxel along x: every target centre is a source centre
        // (or beyond the edge, where the boundary value applies).
        var t = img.grid
        t.origin.x += 1
        let out = Interpolation.resample(img, to: t, method: .cubic)
        for z in 0..<2 { for y in 0..<3 { for x in 0..<9 {
            let expected = img[min(x + 1, 8), y, z]
            #expect(abs(out[x, y, z] - expected) < 2e-3, "at \(x) \(y) \(z): \(out[x, y, z]) vs \(expected)")
        } } }
    }

    @Test func cubicSplineReproducesCubicPolynomialsAwayFromTheBorder() {
        // Cubic B-splines reproduce polynomials up to degree 3; near the border the boundary
        // padding changes the spline, so only points 14 or more voxels inside are checked.
        let f = { (x: Double) in 0.01 * x * x * x - 0.5 * x * x + 3 * x - 2 }
        let img = image(SIMD3(48, 1, 1), spacing: SIMD3(1, 1, 1)) { x, _, _ in f(x) }
        let t = Interpolation.targetGrid(for: img.grid, settings: InterpolationSettings(spacing: [0.3, 1, 1]))
        let out = Interpolation.resample(img, to: t, method: .cubic)
        var checked = 0
        for x in 0..<t.size.x {
            let u = img.grid.voxel(t.world(SIMD3(Double(x), 0, 0))).x
            guard u >= 14 && u <= 33 else { continue }
            #expect(abs(Double(out[x, 0, 0]) - f(u)) < 1e-3, "at \(u)")
            checked += 1
        }
        #expect(checked > 50)
        // Linear interpolation of the same curve is visibly off between samples.
        let lin = Interpolation.resample(img, to: t, method: .linear)
        let worst = (0..<t.size.x).map { x -> Double in
            let u = img.grid.voxel(t.world(SIMD3(Double(x), 0, 0))).x
            return u >= 14 && u <= 33 ? abs(Double(lin[x, 0, 0]) - f(u)) : 0
        }.max()!
        #expect(worst > 0.01)
    }

    @Test func cubicSplineExtrapolatesTheBoundaryValue() {
        // A flat start: beyond the first voxel the spline stays at the boundary value.
        let img = image(SIMD3(20, 1, 1), spacing: SIMD3(1, 1, 1)) { x, _, _ in x < 10 ? 7 : 7 + (x - 9) * 5 }
        var t = img.grid
        t.origin.x -= 2.5
        t.size.x = 4
        let out = Interpolation.resample(img, to: t, method: .cubic)
        for v in out.voxels { #expect(abs(v - 7) < 1e-2) }
        let lin = Interpolation.resample(img, to: t, method: .linear)
        #expect(lin.voxels == [7, 7, 7, 7])
    }

    @Test func separableAndGeneralPathsAgree() {
        // A target grid with permuted axes takes the voxel-by-voxel path; compared with the same
        // samples taken on a parallel grid.
        let img = image(SIMD3(7, 6, 5), spacing: SIMD3(1, 1.2, 1.5)) { x, y, z in x * x - 2 * y * z + 3 * z }
        let parallel = Interpolation.targetGrid(for: img.grid, settings: InterpolationSettings(spacing: [0.9, 0.9, 0.9]))
        for method in [InterpolationMethod.nearest, .linear, .cubic] {
            let a = Interpolation.resample(img, to: parallel, method: method)
            // The same points, with x and y swapped in storage.
            let swapped = Grid(size: SIMD3(parallel.size.y, parallel.size.x, parallel.size.z), spacing: SIMD3(parallel.spacing.y, parallel.spacing.x, parallel.spacing.z),
                               origin: parallel.origin, direction: (parallel.direction.1, parallel.direction.0, parallel.direction.2))
            let b = Interpolation.resample(img, to: swapped, method: method)
            var worst: Float = 0
            for z in 0..<parallel.size.z { for y in 0..<parallel.size.y { for x in 0..<parallel.size.x {
                worst = max(worst, abs(a[x, y, z] - b[y, x, z]))
            } } }
            #expect(worst < 1e-3, "\(method): \(worst)")
        }
    }

    @Test func maskThresholdOnTheInterpolatedFraction() {
        // A half-covered line: 0 0 1 1 resampled at 0.5 mm: fractions 0 0 0 0.25 0.75 1 1 1.
        let grid = Grid(size: SIMD3(4, 1, 1), spacing: SIMD3(1, 1, 1))
        let mask = Mask(grid: grid, voxels: [false, false, true, true])
        let t = Interpolation.targetGrid(for: grid, settings: InterpolationSettings(spacing: [0.5, 1, 1]))
        #expect(Interpolation.resampleMask(mask, to: t, method: .linear, threshold: 0.5).voxels
                == [false, false, false, false, true, true, true, true])
        #expect(Interpolation.resampleMask(mask, to: t, method: .linear, threshold: 0.2).voxels
                == [false, false, false, true, true, true, true, true])
        #expect(Interpolation.resampleMask(mask, to: t, method: .nearest, threshold: 0.5).voxels
                == [false, false, false, false, true, true, true, true])
    }

    @Test func ctPhantomResamplingIsFast() {
        let (image, mask) = CTPhantom.data
        let settings = InterpolationSettings(spacing: [2, 2, 2], imageMethod: .cubic, roundIntensities: true)
        let start = Date()
        let (out, outMask) = Interpolation.apply(image: image, mask: mask, settings: settings)
        let seconds = Date().timeIntervalSince(start)
        #if DEBUG
        let build = "debug"
        #else
        let build = "release"
        #endif
        print("CT phantom cubic + linear mask resampling to 2 mm: \(String(format: "%.3f", seconds)) s (\(build) build)")
        #expect(out.grid.size == SIMD3(100, 99, 90))
        #expect(outMask.count > 0)
        #expect(seconds < 10)
    }

    /// The block around the ROI holds exactly the values of the whole resampled image and
    /// mask there, and the mask has no voxel outside it.
    @Test(arguments: [InterpolationMethod.nearest, .linear, .cubic])
    func regionBlockEqualsTheWholeResampling(_ method: InterpolationMethod) {
        let grid = Grid(size: SIMD3(23, 19, 11), spacing: SIMD3(0.9, 1.1, 2.5), origin: SIMD3(-3, 4, 7))
        var image = Image(grid: grid, repeating: 0)
        var mask = Mask(grid: grid, repeating: false)
        for z in 0..<11 { for y in 0..<19 { for x in 0..<23 {
            image[x, y, z] = Float((x * 37 + y * 11 + z * 5) % 23) - 7.5
            let d = SIMD3(Double(x) - 9, Double(y) - 12, Double(z) - 3) * grid.spacing
            mask[x, y, z] = (d * d).sum() < 16
        } } }
        let settings = InterpolationSettings(spacing: [1.3, 0.7, 1.9], imageMethod: method, maskMethod: method == .cubic ? .linear : method,
                                             roundIntensities: false)
        let (whole, wholeMask) = Interpolation.apply(image: image, mask: mask, settings: settings)
        let region = Interpolation.applyToRegion(image: image, mask: mask, settings: settings, margin: SIMD3(2, 3, 1))
        #expect(region.grid == whole.grid)
        #expect(region.box.size != whole.grid.size)
        #expect(region.mask.count == wholeMask.count)
        #expect(region.image.grid.origin == whole.grid.world(SIMD3(Double(region.box.lower.x), Double(region.box.lower.y), Double(region.box.lower.z))))
        var same = true
        for z in 0..<region.box.size.z { for y in 0..<region.box.size.y { for x in 0..<region.box.size.x {
            let p = region.box.lower &+ SIMD3(x, y, z)
            same = same && region.image[x, y, z] == whole[p.x, p.y, p.z] && region.mask[x, y, z] == wholeMask[p.x, p.y, p.z]
        } } }
        #expect(same)
    }
}

/// The written-out passes and rounding against straightforward versions, bit for bit.
@Suite struct InterpolationKernelTests {
    /// One 1D pass as plain loops: a zero-filled output, each tap added in table order (taps of
    /// weight 0 skipped along y and z).
    static func referencePass(_ input: [Double], dims: SIMD3<Int>, axis: Int, table t: Interpolation.AxisTable) -> [Double] {
        var outDims = dims
        outDims[axis] = t.outputCount
        var out = [Double](repeating: 0, count: outDims.x * outDims.y * outDims.z)
        for z in 0..<outDims.z { for y in 0..<outDims.y { for x in 0..<outDims.x {
            let o = x + outDims.x * (y + outDims.y * z)
            let j = [x, y, z][axis]
            for k in 0..<t.taps {
                let w = t.weight[j * t.taps + k]
                if axis != 0 && w == 0 { continue }
                var p = SIMD3(x, y, z)
                p[axis] = t.index[j * t.taps + k]
                out[o] += w * input[p.x + dims.x * (p.y + dims.y * p.z)]
            }
        } } }
        return out
    }

    @Test(arguments: [InterpolationMethod.nearest, .linear, .cubic])
    func passesEqualThePlainLoops(_ method: InterpolationMethod) {
        var state: UInt64 = 3
        func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53)
        }
        for trial in 0..<12 {
            let dims = SIMD3(2 + Int(next() * 9), 2 + Int(next() * 7), 2 + Int(next() * 5))
            let input = (0..<(dims.x * dims.y * dims.z)).map { _ in (next() - 0.4) * 1000 }
            for axis in 0..<3 {
                let n = dims[axis]
                let m = 1 + Int(next() * 12)
                // The tables index the input line directly (the cubic one a padded line): keep
                // every index inside it.
                var t = Interpolation.table(sourceCount: n, outputCount: m, start: next() * 2 - 1, step: 0.3 + next(), method: method)
                t.index = t.index.map { min($0, n - 1) }
                let (got, _) = Interpolation.pass(input, dims: dims, axis: axis, table: t)
                let expected = Self.referencePass(input, dims: dims, axis: axis, table: t)
                #expect(got.map(\.bitPattern) == expected.map(\.bitPattern), "trial \(trial), axis \(axis)")
            }
        }
    }

    @Test func roundingEqualsRounded() {
        var values: [Float] = [0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.49999997, -0.49999997, 8_388_607.5, -8_388_607.5,
                               8_388_608, 16_777_217, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
                               -.leastNonzeroMagnitude, 1e-3, -999.5, 123.4999]
        var state: UInt32 = 1
        for _ in 0..<5000 {
            state = state &* 1_664_525 &+ 1_013_904_223
            values.append(Float(bitPattern: state))
        }
        for v in values where !v.isNaN {
            #expect(Interpolation.roundedHalfAwayFromZero(v).bitPattern == v.rounded().bitPattern, "\(v)")
        }
        #expect(Interpolation.roundedHalfAwayFromZero(.nan).isNaN)
        // Eight at a time: the same floats (NaN stays NaN).
        values += [.nan, -.nan, .nan]
        while values.count % 8 != 0 { values.append(0.5) }
        for start in stride(from: 0, to: values.count, by: 8) {
            var x = SIMD8<Float>()
            for k in 0..<8 { x[k] = values[start + k] }
            let r = Interpolation.roundedHalfAwayFromZero(x)
            for k in 0..<8 {
                let v = values[start + k]
                #expect(v.isNaN ? r[k].isNaN : r[k].bitPattern == v.rounded().bitPattern, "\(v)")
            }
        }
    }
}
