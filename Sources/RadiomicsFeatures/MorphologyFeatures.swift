import Foundation
import RadiomicsCore

// Morphological features (IBSI 1, "Morphological features", HCUG): 29 features of the ROI's
// shape, computed in 3D, in mm. The surface is the marching-cubes mesh of the morphological mask
// (MorphologyMesh.swift); the voxel point set is the centres of the morphological mask's voxels;
// the centre of mass shift, integrated intensity, Moran's I and Geary's C read the intensity mask
// and its intensities. Positions are taken in the grid's own axes (voxel index times spacing):
// distances, volumes and areas do not depend on the grid's orientation, and the axis-aligned
// bounding box is aligned with the grid.

public enum MorphologyFeatures {
    private static func define(_ tag: String, _ code: String, _ name: String, _ degenerate: String? = nil) -> FeatureDefinition {
        FeatureDefinition(tag, ibsi: code, family: .morphology, name: name, degenerate: degenerate)
    }

    private static let emptyNote = "NaN for an empty morphological mask."
    private static let pcaNote = "Axis lengths are 0 along directions in which the voxel centres do not spread (a one-voxel or one-slice ROI)."

    /// The 29 morphological features, in output order.
    public static let definitions: [FeatureDefinition] = [
        define("morph_volume", "RNU0", "Volume (mesh)", emptyNote),
        define("morph_vol_approx", "YEKZ", "Volume (voxel counting)", "0 for an empty morphological mask."),
        define("morph_area_mesh", "C0JK", "Surface area (mesh)", emptyNote),
        define("morph_av", "2PR5", "Surface to volume ratio", emptyNote),
        define("morph_comp_1", "SKGS", "Compactness 1", emptyNote),
        define("morph_comp_2", "BQWJ", "Compactness 2", emptyNote),
        define("morph_sph_dispr", "KRCK", "Spherical disproportion", emptyNote),
        define("morph_sphericity", "QCFX", "Sphericity", emptyNote),
        define("morph_asphericity", "25C7", "Asphericity", emptyNote),
        define("morph_com", "KLMA", "Centre of mass shift",
               "NaN when the intensity mask is empty or its intensities sum to 0 (no intensity-weighted centre)."),
        define("morph_diam", "L0JK", "Maximum 3D diameter", emptyNote),
        define("morph_pca_maj_axis", "TDIC", "Major axis length", "0 for a one-voxel ROI. " + emptyNote),
        define("morph_pca_min_axis", "P9VJ", "Minor axis length", pcaNote + " " + emptyNote),
        define("morph_pca_least_axis", "7J51", "Least axis length", pcaNote + " " + emptyNote),
        define("morph_pca_elongation", "Q3CK", "Elongation", "NaN when the major axis length is 0 (a one-voxel ROI)."),
        define("morph_pca_flatness", "N17B", "Flatness",
               "NaN when the major axis length is 0 (a one-voxel ROI); 0 for a one-slice ROI."),
        define("morph_vol_dens_aabb", "PBX1", "Volume density (axis-aligned bounding box)", emptyNote),
        define("morph_area_dens_aabb", "R59B", "Area density (axis-aligned bounding box)", emptyNote),
        define("morph_vol_dens_ombb", "ZH1A", "Volume density (oriented minimum bounding box)",
               "Approximation: the smallest of the axis-aligned box, the box along the principal axes and the boxes resting on the largest convex hull faces (IBSI has no reference value). " + emptyNote),
        define("morph_area_dens_ombb", "IQYR", "Area density (oriented minimum bounding box)",
               "Uses the box chosen for the volume density (OMBB). " + emptyNote),
        define("morph_vol_dens_aee", "6BDE", "Volume density (approximate enclosing ellipsoid)",
               "NaN when a principal axis length is 0 (a one-voxel or one-slice ROI)."),
        define("morph_area_dens_aee", "RDD2", "Area density (approximate enclosing ellipsoid)",
               "NaN when the major axis length is 0 (a one-voxel ROI)."),
        define("morph_vol_dens_mvee", "SWZ1", "Volume density (minimum volume enclosing ellipsoid)",
               "Khachiyan's algorithm on the convex hull vertices, tolerance 0.001 (IBSI has no reference value). " + emptyNote),
        define("morph_area_dens_mvee", "BRI8", "Area density (minimum volume enclosing ellipsoid)",
               "Uses the ellipsoid of the volume density (MVEE). " + emptyNote),
        define("morph_vol_dens_conv_hull", "R3ER", "Volume density (convex hull)", emptyNote),
        define("morph_area_dens_conv_hull", "7T7F", "Area density (convex hull)", emptyNote),
        define("morph_integ_int", "99N0", "Integrated intensity", "NaN when the intensity mask is empty."),
        define("morph_moran_i", "N365", "Moran's I index",
               "NaN with fewer than two voxels in the intensity mask or when all their intensities are equal."),
        define("morph_geary_c", "NPT7", "Geary's C measure",
               "NaN with fewer than two voxels in the intensity mask or when all their intensities are equal."),
    ]

    /// All 29 features of `roi`, tags in catalogue order. Without `autocorrelation`, Moran's I
    /// and Geary's C (most of the cost, see `autocorrelation(_:)`) are left out.
    public static func compute(_ roi: RegionOfInterest, autocorrelation: Bool = true) -> FeatureValues {
        var v = [Double](repeating: .nan, count: definitions.count)
        Computation(roi: roi).fill(&v, autocorrelation: autocorrelation)
        var out = FeatureValues()
        for (d, x) in zip(definitions, v) where autocorrelation || !autocorrelationTags.contains(d.tag) {
            out.append(d.tag, x)
        }
        return out
    }

    static let autocorrelationTags: Set<String> = ["morph_moran_i", "morph_geary_c"]

    /// Moran's I and Geary's C of `roi` alone, the same values `compute` gives, so that they
    /// can run alongside the other features.
    public static func autocorrelation(_ roi: RegionOfInterest) -> FeatureValues {
        let sums = SpatialAutocorrelation.sums(SpatialAutocorrelation.Samples(roi), spacing: roi.grid.spacing)
        var out = FeatureValues()
        out.append("morph_moran_i", sums.moranI)
        out.append("morph_geary_c", sums.gearyC)
        return out
    }
}

/// The formulas, filling the values in catalogue order (NaN where a feature has no value).
private struct Computation {
    let roi: RegionOfInterest

    func fill(_ v: inout [Double], autocorrelation: Bool) {
        let grid = roi.grid
        let spacing = grid.spacing
        let scan = MaskScan(roi, samples: autocorrelation)
        v[1] = Double(scan.morphologicalCount) * grid.voxelVolume
        guard let box = scan.morphologicalBox else { return }

        // Mesh of the cropped morphological mask.
        let cropped = roi.morphologicalMask.cropped(to: box)
        let mesh = TriangleMesh(marchingCubes: cropped.voxels, size: box.size, spacing: spacing)
        let volume = mesh.volume
        let area = mesh.area
        v[0] = volume
        v[2] = area
        v[3] = area / volume
        v[4] = volume / (Double.pi.squareRoot() * pow(area, 1.5))
        v[5] = 36 * Double.pi * volume * volume / (area * area * area)
        v[6] = area / cbrt(36 * Double.pi * volume * volume)
        v[7] = cbrt(36 * Double.pi * volume * volume) / area
        v[8] = cbrt(area * area * area / (36 * Double.pi * volume * volume)) - 1

        // Centre of mass shift, in mm relative to the crop corner.
        if let weighted = scan.intensityWeightedCentre {
            let geometric = scan.morphologicalCentre
            v[9] = length((geometric - weighted) * spacing)
        }

        // Convex hull and maximum diameter.
        let hull = ConvexHull3D(mesh.lattice, latticeSpacing: mesh.latticeSpacing)
        let hullVertices = hull.vertices
        v[10] = BoundingBoxes.maximumDiameter(hullVertices.isEmpty ? mesh.vertices : hullVertices)

        // PCA of the voxel centres.
        let (lambda, axes) = SymmetricMatrix3(scan.covariance(spacing: spacing)).eigen()
        let l = lambda.map { max($0, 0) }
        v[11] = 4 * l[0].squareRoot()
        v[12] = 4 * l[1].squareRoot()
        v[13] = 4 * l[2].squareRoot()
        v[14] = l[0] > 0 ? (l[1] / l[0]).squareRoot() : .nan
        v[15] = l[0] > 0 ? (l[2] / l[0]).squareRoot() : .nan

        // Axis-aligned bounding box of the mesh vertices.
        var lo = SIMD3<Int32>(repeating: .max), hi = SIMD3<Int32>(repeating: .min)
        for p in mesh.lattice { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let aabb = SIMD3<Double>(Double(hi.x - lo.x), Double(hi.y - lo.y), Double(hi.z - lo.z)) * mesh.latticeSpacing
        v[16] = volume / (aabb.x * aabb.y * aabb.z)
        v[17] = area / boxArea(aabb)

        // The two enclosing-shape searches are independent and, after the mesh, the costliest
        // steps: a thread that is idle takes one of them.
        let enclosing = EnclosingShapes()
        Parallel.forEachChunk(2) { task in
            if task == 0 {
                if !hull.triangles.isEmpty { enclosing.box = BoundingBoxes.orientedMinimum(hull: hull, pcaAxes: axes) }
            } else {
                enclosing.ellipsoid = Ellipsoid.minimumVolumeEnclosing(hullVertices)
            }
        }

        // Oriented minimum bounding box (approximation).
        if let ombb = enclosing.box {
            v[18] = volume / (ombb.x * ombb.y * ombb.z)
            v[19] = area / boxArea(ombb)
        }

        // Approximate enclosing ellipsoid: semi-axes 2 sqrt(lambda).
        let a = 2 * l[0].squareRoot(), b = 2 * l[1].squareRoot(), c = 2 * l[2].squareRoot()
        v[20] = a * b * c > 0 ? 3 * volume / (4 * Double.pi * a * b * c) : .nan
        v[21] = a > 0 ? area / Ellipsoid.area(a, b, c) : .nan

        // Minimum volume enclosing ellipsoid of the hull vertices.
        if let s = enclosing.ellipsoid, s[2] > 0 {
            v[22] = 3 * volume / (4 * Double.pi * s[0] * s[1] * s[2])
            v[23] = area / Ellipsoid.area(s[0], s[1], s[2])
        }

        // Convex hull densities.
        if !hull.triangles.isEmpty {
            v[24] = volume / hull.volume
            v[25] = area / hull.area
        }

        // Intensity-based morphology.
        if scan.intensityCount > 0 {
            v[26] = volume * scan.intensitySum / Double(scan.intensityCount)
        }
        if autocorrelation {
            let sums = SpatialAutocorrelation.sums(scan.samples, spacing: spacing)
            v[27] = sums.moranI
            v[28] = sums.gearyC
        }
    }

    private func boxArea(_ e: SIMD3<Double>) -> Double { 2 * (e.x * e.y + e.y * e.z + e.z * e.x) }
}

/// The oriented minimum bounding box's extents and the minimum volume enclosing ellipsoid's
/// semi-axes, each written by the thread that computed it.
private final class EnclosingShapes: @unchecked Sendable {
    var box: SIMD3<Double>?
    var ellipsoid: [Double]?
}

/// One pass over the masks: bounding box and voxel count of the morphological mask, voxel
/// centre sums for the centre of mass and PCA, and the intensity mask's voxels and values.
private struct MaskScan {
    var morphologicalBox: BoundingBox?
    var morphologicalCount = 0
    /// Sums over morphological voxel centres (voxel units, relative to `reference`).
    var sum = SIMD3<Double>(repeating: 0)
    var sumSquares = [[Double]](repeating: [0, 0, 0], count: 3)
    var reference = SIMD3<Double>(repeating: 0)
    var intensityCount = 0
    var intensitySum = 0.0
    var weightedSum = SIMD3<Double>(repeating: 0)
    var samples = SpatialAutocorrelation.Samples(coordinates: [], values: [])

    /// `samples`: also gather the intensity mask's voxels and values for Moran's I and
    /// Geary's C (`samples`), which is most of the scan's cost when they are computed apart.
    init(_ roi: RegionOfInterest, samples gather: Bool) {
        let size = roi.grid.size
        let morph = roi.morphologicalMask.voxels, inten = roi.intensityMask.voxels, image = roi.image.voxels
        // Bounding boxes first (cheap), so that the sums can be taken relative to a near point.
        var lo = SIMD3<Int>(repeating: .max), hi = SIMD3<Int>(repeating: .min)
        var any = false
        morph.withUnsafeBufferPointer { m in
            inten.withUnsafeBufferPointer { t in
                var i = 0
                for z in 0..<size.z {
                    for y in 0..<size.y {
                        var rowAny = false
                        var rowLo = Int.max, rowHi = Int.min
                        for x in 0..<size.x {
                            if m[i] || t[i] {
                                rowAny = true
                                if x < rowLo { rowLo = x }
                                rowHi = x
                            }
                            i += 1
                        }
                        if rowAny {
                            any = true
                            lo = pointwiseMin(lo, SIMD3(rowLo, y, z))
                            hi = pointwiseMax(hi, SIMD3(rowHi, y, z))
                        }
                    }
                }
            }
        }
        guard any else { return }
        reference = SIMD3(Double(lo.x + hi.x), Double(lo.y + hi.y), Double(lo.z + hi.z)) / 2
        var mlo = SIMD3<Int>(repeating: .max), mhi = SIMD3<Int>(repeating: .min)
        var coordinates: [SIMD3<Int32>] = []
        var values: [Double] = []
        var sxx = 0.0, syy = 0.0, szz = 0.0, sxy = 0.0, sxz = 0.0, syz = 0.0
        var count = 0, sum = SIMD3<Double>(repeating: 0)
        var iCount = 0, iSum = 0.0, wSum = SIMD3<Double>(repeating: 0)
        morph.withUnsafeBufferPointer { m in
            inten.withUnsafeBufferPointer { t in
                image.withUnsafeBufferPointer { g in
                    for z in lo.z...hi.z {
                        for y in lo.y...hi.y {
                            var i = lo.x + size.x * (y + size.y * z)
                            let rowCount = count
                            var rowFirst = 0, rowLast = 0
                            for x in lo.x...hi.x {
                                if m[i] {
                                    if count == rowCount { rowFirst = x }
                                    rowLast = x
                                    count += 1
                                    let px = Double(x) - reference.x, py = Double(y) - reference.y, pz = Double(z) - reference.z
                                    sum += SIMD3(px, py, pz)
                                    sxx += px * px; syy += py * py; szz += pz * pz
                                    sxy += px * py; sxz += px * pz; syz += py * pz
                                }
                                if t[i] {
                                    let value = Double(g[i])
                                    iCount += 1
                                    iSum += value
                                    wSum += value * SIMD3(Double(x) - reference.x, Double(y) - reference.y, Double(z) - reference.z)
                                    if gather {
                                        coordinates.append(SIMD3(Int32(x), Int32(y), Int32(z)))
                                        values.append(value)
                                    }
                                }
                                i += 1
                            }
                            if count > rowCount {
                                mlo = pointwiseMin(mlo, SIMD3(rowFirst, y, z))
                                mhi = pointwiseMax(mhi, SIMD3(rowLast, y, z))
                            }
                        }
                    }
                }
            }
        }
        morphologicalCount = count
        if count > 0 { morphologicalBox = BoundingBox(lower: mlo, upper: mhi) }
        self.sum = sum
        sumSquares = [[sxx, sxy, sxz], [sxy, syy, syz], [sxz, syz, szz]]
        intensityCount = iCount
        intensitySum = iSum
        weightedSum = wSum
        samples = SpatialAutocorrelation.Samples(coordinates: coordinates, values: values)
    }

    /// Mean voxel centre of the morphological mask (voxel units relative to `reference`).
    var morphologicalCentre: SIMD3<Double> { sum / Double(max(morphologicalCount, 1)) }

    /// Intensity-weighted centre of the intensity mask, or nil when the weights sum to 0.
    var intensityWeightedCentre: SIMD3<Double>? {
        guard intensityCount > 0, intensitySum != 0 else { return nil }
        return weightedSum / intensitySum
    }

    /// Sample covariance (mm^2, normalised by N - 1) of the morphological voxel centres.
    func covariance(spacing: SIMD3<Double>) -> [[Double]] {
        let n = Double(max(morphologicalCount, 1))
        let mean = sum / n
        var c = [[Double]](repeating: [0, 0, 0], count: 3)
        for r in 0..<3 {
            for s in 0..<3 {
                c[r][s] = (sumSquares[r][s] - n * mean[r] * mean[s]) / max(n - 1, 1) * spacing[r] * spacing[s]
            }
        }
        return c
    }
}
