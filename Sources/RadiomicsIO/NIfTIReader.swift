import CNifti
import Foundation
import RadiomicsCore

/// Reads NIfTI-1 and NIfTI-2 files (`.nii`, `.nii.gz`) through nifti_clib.
///
/// The voxel-to-world affine (sform, else qform) is RAS; it is converted to LPS by negating the
/// first two rows so that NIfTI and DICOM inputs share one world convention.
public enum NIfTIReader {
    /// Reads an image, applying scl_slope/scl_inter, as 32-bit floats.
    ///
    /// The file is decoded straight into the storage of the voxel array when it can be: a
    /// 4-byte float image (the usual NIfTI export of CT, PET and MR) then needs no second
    /// buffer of its size, which is the peak of a case's memory while it loads.
    public static func readImage(at path: String) throws -> Image {
        // An unreadable path gives no size (-1), and `withImage` reports it.
        let expected = cnifti_decoded_size(path)
        let capacity = expected > 0 && expected <= memoryLimit ? Int((expected + 3) / 4) : 0
        var grid: Grid?
        var converted: [Float]?
        let inPlace = try [Float](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = 0
            HugePages.advise(buffer)
            let dest = UnsafeMutableRawBufferPointer(buffer)
            try withImage(path, into: dest) { nim, g, inDest in
                grid = g
                if inDest, cnifti_floats_in_place(nim, dest.baseAddress, Int64(g.voxelCount)) == 0 {
                    initialized = g.voxelCount
                    return
                }
                guard let voxels = floats(nim, count: g.voxelCount) else {
                    throw RadiomicsError.input(path, "unsupported NIfTI datatype \(nim.pointee.datatype) (complex and RGB images cannot be used)")
                }
                converted = voxels
            }
        }
        return Image(grid: grid!, voxels: converted ?? inPlace)
    }

    /// The voxels converted to Float (scaled), written once into a new array; nil for a datatype
    /// that has no such conversion.
    private static func floats(_ nim: UnsafeMutablePointer<nifti_image>, count: Int) -> [Float]? {
        var rc: Int32 = 0
        let voxels = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            HugePages.advise(buffer)
            rc = cnifti_copy_as_float(nim, buffer.baseAddress, Int64(count))
            initialized = rc == 0 ? count : 0
        }
        return rc == 0 ? voxels : nil
    }

    /// A NIfTI label map turned into a mask as it is read (see `readMask(at:label:)`).
    public struct LabelMask: Sendable {
        /// The grid of the label map.
        public var grid: Grid
        /// The selected voxels; empty when `label` was given for a map that is not `integral`.
        public var voxels: [Bool]
        /// Number of selected voxels.
        public var count: Int
        /// Every value is a whole number (a label map rather than a probability map).
        public var integral: Bool
        /// The distinct non-zero labels as listed in messages (`MaskLoader.presentLabels`), set
        /// when the map is integral and `label` selected no voxel.
        public var presentLabels: String?
    }

    /// Reads a label map (any integer or float datatype, no intensity scaling) straight into a
    /// mask: with `label` the voxels equal to it, else every non-zero voxel; a map holding
    /// non-integer values is thresholded at 0.5 instead (and nothing is selected when a label
    /// was given: such a map has no labels). The values are compared as `readLabels` gives them
    /// (converted to Double), without building that array.
    public static func readMask(at path: String, label: Int?) throws -> LabelMask {
        try withImage(path) { nim, grid in
            let n = grid.voxelCount
            var rc: Int32 = 0, selected: Int64 = 0, integral: Int32 = 0
            let voxels = [Bool](unsafeUninitializedCapacity: n) { buffer, initialized in
                let bytes = UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self)
                rc = cnifti_select_mask(nim, label == nil ? 0 : 1, Double(label ?? 0), bytes, Int64(n), &selected, &integral)
                initialized = rc == 0 && (integral != 0 || label == nil) ? n : 0
            }
            guard rc == 0 else {
                throw RadiomicsError.input(path, "unsupported NIfTI datatype \(nim.pointee.datatype) for a mask")
            }
            var present: String? = nil
            if integral != 0, label != nil, selected == 0 {
                var values = [Double](repeating: 0, count: n)
                _ = values.withUnsafeMutableBufferPointer { cnifti_copy_as_double(nim, $0.baseAddress, Int64(n)) }
                present = MaskLoader.presentLabels(values)
            }
            return LabelMask(grid: grid, voxels: voxels, count: Int(selected), integral: integral != 0, presentLabels: present)
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

    /// The most memory a NIfTI file may need (its voxel data plus the converted copy): the
    /// machine's physical memory. Headers asking for more are refused before allocating.
    public static var memoryLimit: Int64 { physicalMemory }
    /// Read once: the physical memory does not change while the process runs.
    private static let physicalMemory = Int64(clamping: ProcessInfo.processInfo.physicalMemory)

    private static func withImage<T>(_ path: String, _ body: (UnsafeMutablePointer<nifti_image>, Grid) throws -> T) throws -> T {
        try withImage(path, into: nil) { nim, grid, _ in try body(nim, grid) }
    }

    /// Reads `path` (decoding into `dest` when it is given and large enough: `cnifti_read_into`)
    /// and hands `body` the image, its grid and whether its voxel data lie in `dest`.
    private static func withImage<T>(_ path: String, into dest: UnsafeMutableRawBufferPointer?,
                                     _ body: (UnsafeMutablePointer<nifti_image>, Grid, Bool) throws -> T) throws -> T {
        try checkReadable(path)
        cnifti_quiet()
        var result = cnifti_result()
        guard let nim = cnifti_read_into(path, memoryLimit, dest?.baseAddress, Int64(dest?.count ?? 0), &result) else {
            throw RadiomicsError.input(path, describe(result))
        }
        defer {
            // Data in the caller's buffer is not the image's to free.
            if result.in_dest != 0 { nim.pointee.data = nil }
            cnifti_free(nim, result.owned)
        }
        try checkPixdim(result, path: path)
        return try withImage(nim, path: path) { nim, grid in try body(nim, grid, result.in_dest != 0) }
    }

    /// Reads a NIfTI file held in memory (plain or gzip), with the same checks as a file.
    public static func readImage(bytes: [UInt8], name: String) throws -> Image {
        cnifti_quiet()
        var result = cnifti_result()
        let nim = bytes.withUnsafeBufferPointer { cnifti_read_memory($0.baseAddress, Int64($0.count), name, memoryLimit, &result) }
        guard let nim else { throw RadiomicsError.input(name, describe(result)) }
        defer { cnifti_free(nim, result.owned) }
        try checkPixdim(result, path: name)
        return try withImage(nim, path: name) { nim, grid in
            guard let voxels = floats(nim, count: grid.voxelCount) else {
                throw RadiomicsError.input(name, "unsupported NIfTI datatype \(nim.pointee.datatype)")
            }
            return Image(grid: grid, voxels: voxels)
        }
    }

    /// Without an sform the spacing comes from pixdim, where nifti_clib replaces a value <= 0 by
    /// 1 mm; such a header is refused instead (for the dimensions the image has: a 2D image
    /// may leave pixdim[3] at 0).
    static func checkPixdim(_ r: cnifti_result, path: String) throws {
        guard r.sform_code <= 0 else { return }
        let p = SIMD3(r.pixdim.0, r.pixdim.1, r.pixdim.2)
        let used = (0..<3).filter { Int64($0) < r.dim.0 }.map { p[$0] }
        guard used.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw RadiomicsError.input(path, "NIfTI voxel spacing (pixdim) \(formatShort(p.x))x\(formatShort(p.y))x\(formatShort(p.z)) mm is not positive; fix the header's pixdim")
        }
    }

    /// One line for a failed read, naming the problem and, where there is one, the fix.
    static func describe(_ r: cnifti_result) -> String {
        let dims = withUnsafeBytes(of: r.dim) { Array($0.bindMemory(to: Int64.self)) }
        let n = Int(max(0, min(dims[0], 7)))
        let shape = dims[1...max(1, n)].map(String.init).joined(separator: "x")
        switch r.status {
        case CNIFTI_OPEN_FAILED:
            return "cannot read the file (\(String(cString: strerror(Int32(r.number)))))"
        case CNIFTI_EMPTY:
            return "file is empty (0 bytes)"
        case CNIFTI_GZIP_CORRUPT:
            return "gzip data is corrupt or truncated (\(r.available) compressed bytes); copy or export the file again"
        case CNIFTI_TOO_LARGE:
            let what = r.number > 0 ? "\(shape) voxels need \(bytes(r.needed)) of memory" : "decompressed data of at least \(bytes(r.needed))"
            return "\(what), more than this machine has (\(bytes(r.available))); crop or downsample the image first"
        case CNIFTI_SHORT_HEADER:
            return "not a NIfTI file: \(r.available) bytes, shorter than a \(r.needed)-byte NIfTI header"
        case CNIFTI_NOT_NIFTI:
            return "not a NIfTI file (sizeof_hdr is \(r.number), expected 348 for NIfTI-1 or 540 for NIfTI-2)"
        case CNIFTI_PAIR_HEADER:
            return "is the header of a NIfTI pair (magic ni\(r.number)) whose voxels are in a separate .img file; convert it to a single .nii file"
        case CNIFTI_BAD_MAGIC:
            return "NIfTI-\(r.number) header without the n+\(r.number) magic (ANALYZE 7.5?); convert it to NIfTI"
        case CNIFTI_BAD_DIMS:
            return r.number == 0
                ? "NIfTI header has \(r.needed) dimensions (dim[0] must be 1 to 7)"
                : "NIfTI header has dim[\(r.number)] = \(r.needed); every dimension must be at least 1"
        case CNIFTI_BAD_DATATYPE:
            return "NIfTI header has the unknown datatype code \(r.number)"
        case CNIFTI_BAD_OFFSET:
            return r.number < 0 || r.needed > 0
                ? "NIfTI header has vox_offset \(r.number < 0 ? "NaN" : String(r.number)), inside the header"
                : "NIfTI header has vox_offset \(r.number), beyond the end of the data (\(r.available) bytes)"
        case CNIFTI_SHORT_PAYLOAD:
            let need = r.needed == Int64.max ? "more than 2^63 bytes" : "\(r.needed) bytes"
            return "NIfTI header describes \(shape) voxels of datatype \(datatypeName(r.datatype)) (\(need)) but the file holds \(r.available) bytes of voxel data; the file is truncated or its header's dimensions or datatype are wrong"
        case CNIFTI_HEADER_REJECTED:
            return "nifti_clib rejected the NIfTI header"
        case CNIFTI_OUT_OF_MEMORY:
            return "out of memory allocating \(bytes(r.needed))"
        default:
            return "not a readable NIfTI file"
        }
    }

    private static func datatypeName(_ code: Int32) -> String {
        guard let name = nifti_datatype_string(code) else { return String(code) }
        return String(cString: name)
    }

    private static func bytes(_ n: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
        var v = Double(n), i = 0
        while v >= 1000, i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(n) bytes" : String(format: "%.1f %@", v, units[i])
    }

    private static func withImage<T>(_ nim: UnsafeMutablePointer<nifti_image>, path: String,
                                      _ body: (UnsafeMutablePointer<nifti_image>, Grid) throws -> T) throws -> T {
        let n = nim.pointee
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
        guard a.allSatisfy(\.isFinite) else {
            throw RadiomicsError.input(path, "NIfTI voxel-to-world transform holds NaN or infinite values")
        }
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
