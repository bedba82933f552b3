import CNifti
import Foundation
import RadiomicsCore

/// Reads NIfTI-1 and NIfTI-2 files (`.nii`, `.nii.gz`) through nifti_clib.
///
/// The voxel-to-world affine (sform, else qform) is RAS; it is converted to LPS by negating the
/// first two rows so that NIfTI and DICOM inputs share one world convention.
public enum NIfTIReader {
    /// Reads an image, applying scl_slope/scl_inter, as 32-bit floats.
    public static func readImage(at path: String) throws -> Image {
        try withImage(path) { nim, grid in
            var voxels = [Float](repeating: 0, count: grid.voxelCount)
            let rc = voxels.withUnsafeMutableBufferPointer {
                cnifti_copy_as_float(nim, $0.baseAddress, Int64(grid.voxelCount))
            }
            guard rc == 0 else {
                throw RadiomicsError.input(path, "unsupported NIfTI datatype \(nim.pointee.datatype) (complex and RGB images cannot be used)")
            }
            return Image(grid: grid, voxels: voxels)
        }
    }

    /// Reads a label map (any integer or float datatype) as doubles, without intensity scaling.
    public static func readLabels(at path: String) throws -> Volume<Double> {
        try withImage(path) { nim, grid in
            var voxels = [Double](repeating: 0, count: grid.voxelCount)
            let rc = voxels.withUnsafeMutableBufferPointer {
                cnifti_copy_as_double(nim, $0.baseAddress, Int64(grid.voxelCount))
            }
            guard rc == 0 else {
                throw RadiomicsError.input(path, "unsupported NIfTI datatype \(nim.pointee.datatype) for a mask")
            }
            return Volume(grid: grid, voxels: voxels)
        }
    }

    private static func withImage<T>(_ path: String, _ body: (UnsafeMutablePointer<nifti_image>, Grid) throws -> T) throws -> T {
        try checkReadable(path)
        cnifti_quiet()
        guard let nim = nifti_image_read(path, 1) else {
            throw RadiomicsError.input(path, "not a readable NIfTI file (bad header, or the data is truncated)")
        }
        defer { nifti_image_free(nim) }
        let n = nim.pointee
        guard n.data != nil else {
            throw RadiomicsError.input(path, "NIfTI header read but the voxel data could not be loaded (truncated file?)")
        }
        let extra = [n.nt, n.nu, n.nv, n.nw].map { max($0, 1) }.reduce(1, *)
        guard extra == 1 else {
            throw RadiomicsError.input(path, "NIfTI image has \(n.ndim) dimensions (\(n.nx)x\(n.ny)x\(n.nz)x\(n.nt)); only 3D volumes are supported")
        }
        let size = SIMD3(Int(max(n.nx, 1)), Int(max(n.ny, 1)), Int(max(n.nz, 1)))
        var a = [Double](repeating: 0, count: 12)
        _ = a.withUnsafeMutableBufferPointer { cnifti_affine(nim, $0.baseAddress) }
        // Columns of the affine are the voxel axes scaled by the spacing; RAS -> LPS negates x, y.
        func column(_ c: Int) -> SIMD3<Double> { SIMD3(-a[c], -a[4 + c], a[8 + c]) }
        let cols = [column(0), column(1), column(2)]
        let spacing = SIMD3(cols.map { ($0 * $0).sum().squareRoot() })
        guard spacing.min() > 0, spacing.max().isFinite else {
            throw RadiomicsError.input(path, "NIfTI voxel spacing \(formatShort(spacing.x))x\(formatShort(spacing.y))x\(formatShort(spacing.z)) mm is not positive")
        }
        let grid = Grid(
            size: size, spacing: spacing, origin: column(3),
            direction: (cols[0] / spacing.x, cols[1] / spacing.y, cols[2] / spacing.z))
        // Grid assumes perpendicular axes (its inverse mapping is the transpose). A sheared
        // affine (e.g. a gantry-tilted CT converted without resampling) would misplace voxels.
        let d = grid.direction
        let skew = max(abs((d.0 * d.1).sum()), abs((d.0 * d.2).sum()), abs((d.1 * d.2).sum()))
        guard skew <= 1e-3 else {
            throw RadiomicsError.input(path, "NIfTI voxel axes are not perpendicular (sheared affine, cosine \(formatShort(skew)) between axes, as from a gantry-tilted scan); resample the image to an orthogonal grid first")
        }
        guard Int64(grid.voxelCount) == n.nvox else {
            throw RadiomicsError.input(path, "NIfTI header dimensions do not match its voxel count")
        }
        return try body(nim, grid)
    }

    static func checkReadable(_ path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw RadiomicsError.input(path, "file not found")
        }
        guard !isDir.boolValue else {
            throw RadiomicsError.input(path, "is a directory, expected a NIfTI file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw RadiomicsError.input(path, "file is not readable (permission denied)")
        }
    }
}
