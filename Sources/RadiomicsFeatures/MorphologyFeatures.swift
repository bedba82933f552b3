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
    /// and Geary's C (most of the cost, see `autocorrelation(_:)`) are left out. `shape`, when
    /// given, is the `MorphologicalShape` of `roi`'s morphological mask, computed beforehand
    /// (the pipeline computes it while the image is still being decoded).
    public static func compute(_ roi: RegionOfInterest, autocorrelation: Bool = true,
                               shape: MorphologicalShape? = nil) -> FeatureValues {
        let shape = shape ?? MorphologicalShape(roi.morphologicalMask)
        precondition(shape.grid == roi.grid, "the morphological shape was computed on another grid")
        var v = shape.values
        IntensityPart(roi: roi, shape: shape).fill(&v, autocorrelation: autocorrelation)
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

/// The morphological features that read the morphological mask alone: every one but the centre
/// of mass shift, the integrated intensity, Moran's I and Geary's C, which read the voxel
/// intensity set of the intensity mask (IBSI 1, "Morphological features", "ROI morphological and
/// intensity masks": the mesh and the voxel point set come from the morphological mask, the
/// intensities from the intensity mask). They do not need the image,
/// so the pipeline computes them from the (interpolated) mask while the image file is still being
/// decoded; `MorphologyFeatures.compute` adds the intensity-based four.
public struct MorphologicalShape: Sendable {
    /// The 29 values in catalogue order, NaN in the slots of the intensity-based features.
    let values: [Double]
    /// The grid of the mask the shape was computed on.
    public let grid: Grid
    /// Bounding box of the morphological mask (nil when it is empty), the point the voxel-centre
    /// sums are taken from (voxel units: the box's centre) and the mean voxel centre relative to it.
    let box: BoundingBox?
    let reference: SIMD3<Double>
    let centre: SIMD3<Double>

    public init(_ mask: Mask) {
        grid = mask.grid
        var v = [Double](repeating: .nan, count: MorphologyFeatures.definitions.count)
        let scan = VoxelCentres(mask)
        box = scan.box
        reference = scan.reference
        centre = scan.centre
        v[1] = Double(scan.count) * grid.voxelVolume
        if let box = scan.box { Self.fill(&v, mask: mask, box: box, scan: scan) }
        values = v
    }

    private static func fill(_ v: inout [Double], mask: Mask, box: BoundingBox, scan: VoxelCentres) {
        let spacing = mask.grid.spacing
        // Mesh of the cropped morphological mask.
        let cropped = mask.cropped(to: box)
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
    }

    private static func boxArea(_ e: SIMD3<Double>) -> Double { 2 * (e.x * e.y + e.y * e.z + e.z * e.x) }
}

/// The intensity-based morphological features of an ROI whose shape is known.
private struct IntensityPart {
    let roi: RegionOfInterest
    let shape: MorphologicalShape

    func fill(_ v: inout [Double], autocorrelation: Bool) {
        // An empty morphological mask has no volume, so no intensity-based value either.
        guard shape.box != nil else { return }
        let scan = IntensityScan(roi, reference: shape.reference)
        // Centre of mass shift, in mm.
        if let weighted = scan.weightedCentre {
            v[9] = length((shape.centre - weighted) * roi.grid.spacing)
        }
        if scan.count > 0 {
            v[26] = v[0] * scan.sum / Double(scan.count)
        }
        if autocorrelation {
            let sums = SpatialAutocorrelation.sums(SpatialAutocorrelation.Samples(roi), spacing: roi.grid.spacing)
            v[27] = sums.moranI
            v[28] = sums.gearyC
        }
    }
}
/// The oriented minimum bounding box's extents and the minimum volume enclosing ellipsoid's
/// semi-axes, each written by the thread that computed it.
private final class EnclosingShapes: @unchecked Sendable {
    var box: SIMD3<Double>?
    var ellipsoid: [Double]?
}

/// The morphological mask's voxel centres: bounding box, count, and the sums for the mean
/// centre and the PCA, taken relative to the box's centre (voxel units) to keep them small.
private struct VoxelCentres {
    var box: BoundingBox?
    var count = 0
    var reference = SIMD3<Double>(repeating: 0)
    var sum = SIMD3<Double>(repeating: 0)
    var sumSquares = [[Double]](repeating: [0, 0, 0], count: 3)

    init(_ mask: Mask) {
        guard let box = mask.boundingBox else { return }
        let size = mask.grid.size
        let (lo, hi) = (box.lower, box.upper)
        reference = SIMD3(Double(lo.x + hi.x), Double(lo.y + hi.y), Double(lo.z + hi.z)) / 2
        var sxx = 0.0, syy = 0.0, szz = 0.0, sxy = 0.0, sxz = 0.0, syz = 0.0
        var count = 0, sum = SIMD3<Double>(repeating: 0)
        let reference = reference
        mask.voxels.withUnsafeBufferPointer { m in
            for z in lo.z...hi.z {
                for y in lo.y...hi.y {
                    var i = lo.x + size.x * (y + size.y * z)
                    for x in lo.x...hi.x {
                        if m[i] {
                            count += 1
                            let px = Double(x) - reference.x, py = Double(y) - reference.y, pz = Double(z) - reference.z
                            sum += SIMD3(px, py, pz)
                            sxx += px * px; syy += py * py; szz += pz * pz
                            sxy += px * py; sxz += px * pz; syz += py * pz
                        }
                        i += 1
                    }
                }
            }
        }
        self.box = box
        self.count = count
        self.sum = sum
        sumSquares = [[sxx, sxy, sxz], [sxy, syy, syz], [sxz, syz, szz]]
    }

    /// Mean voxel centre (voxel units relative to `reference`).
    var centre: SIMD3<Double> { sum / Double(max(count, 1)) }

    /// Sample covariance (mm^2, normalised by N - 1) of the voxel centres.
    func covariance(spacing: SIMD3<Double>) -> [[Double]] {
        let n = Double(max(count, 1))
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

/// One pass over the intensity mask: voxel count, intensity sum and intensity-weighted position
/// sum (voxel units relative to `reference`).
private struct IntensityScan {
    var count = 0
    var sum = 0.0
    var weightedSum = SIMD3<Double>(repeating: 0)

    init(_ roi: RegionOfInterest, reference: SIMD3<Double>) {
        var count = 0, sum = 0.0, weighted = SIMD3<Double>(repeating: 0)
        roi.forEachIntensityVoxel { p, intensity in
            let value = Double(intensity)
            count += 1
            sum += value
            weighted += value * SIMD3(Double(p.x) - reference.x, Double(p.y) - reference.y, Double(p.z) - reference.z)
        }
        self.count = count
        self.sum = sum
        weightedSum = weighted
    }

    /// Intensity-weighted centre, or nil when the weights sum to 0.
    var weightedCentre: SIMD3<Double>? {
        guard count > 0, sum != 0 else { return nil }
        return weightedSum / sum
    }
}
