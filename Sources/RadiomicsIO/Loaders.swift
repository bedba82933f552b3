import Foundation
import RadiomicsCore

/// An image as loaded for extraction, with where it came from.
public struct LoadedImage: Sendable {
    public var image: Image
    /// DICOM Modality ("CT", "MR", "PT", ...); nil for NIfTI, which does not record it.
    public var modality: String?
    /// The path given to the loader.
    public var path: String
    /// One line saying what was read, for logs and provenance.
    public var source: String
    /// The DICOM series, with its UIDs and per-slice files, when the image came from DICOM.
    public var dicom: DICOMSeries?

    public init(image: Image, modality: String?, path: String, source: String, dicom: DICOMSeries? = nil) {
        self.image = image
        self.modality = modality
        self.path = path
        self.source = source
        self.dicom = dicom
    }

    public var grid: Grid { image.grid }
}

/// Loads an image from a DICOM series directory or a NIfTI file.
public enum ImageLoader {
    /// - A directory is read as a DICOM series (`series` picks a SeriesInstanceUID when the
    ///   directory holds several).
    /// - A `.nii` or `.nii.gz` file is read as NIfTI (RAS converted to LPS).
    /// - Anything else is an input error.
    public static func load(path: String, series: String? = nil) throws -> LoadedImage {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw RadiomicsError.input(path, "file or directory not found")
        }
        if isDir.boolValue {
            let s = try DICOMSeriesReader.read(directory: path, seriesInstanceUID: series)
            let desc = s.seriesDescription.map { " \"\($0)\"" } ?? ""
            return LoadedImage(
                image: s.image, modality: s.modality, path: path,
                source: "DICOM \(s.modality) series \(s.seriesInstanceUID)\(desc), \(s.files.count) slices, \(s.image.grid)",
                dicom: s)
        }
        if series != nil {
            throw RadiomicsError.usage("a series UID selects a DICOM series in a directory, but \(path) is a file")
        }
        if isNIfTIPath(path) {
            let image = try NIfTIReader.readImage(at: path)
            return LoadedImage(image: image, modality: nil, path: path, source: "NIfTI \(image.grid)")
        }
        try DICOMFile.requireBackend()
        if RTStruct.isRTStruct(path: path) {
            throw RadiomicsError.input(path, "is a DICOM RTSTRUCT (a mask), not an image")
        }
        if (try? DICOMFile(path: path, headerOnly: true)) != nil {
            throw RadiomicsError.input(path, "is a single DICOM file; give the directory that holds the whole series")
        }
        throw RadiomicsError.input(path, "unknown image format: expected a DICOM series directory or a NIfTI file (.nii, .nii.gz)")
    }

    static func isNIfTIPath(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".nii") || lower.hasSuffix(".nii.gz")
    }
}

/// Loads a region-of-interest mask onto an image's grid.
public enum MaskLoader {
    /// Loads a mask from a NIfTI label map or a DICOM RTSTRUCT file.
    ///
    /// NIfTI label maps may hold any integer or floating-point datatype; values are read as
    /// stored (scl_slope/scl_inter are not applied to masks). With `label` nil every non-zero
    /// voxel is in the ROI; with a label, the voxels equal to it. A floating-point map with
    /// non-integer values (a probability or partial-volume map) is thresholded instead: values
    /// >= 0.5 are in the ROI, and a `label` cannot be used with it.
    ///
    /// An RTSTRUCT is recognised by its content (Modality RTSTRUCT), whatever its file name;
    /// `roi` names the structure (nil when it holds just one) and it is rasterised onto the
    /// image grid (see `RTStruct.rasterise`). When the image came from DICOM, the RTSTRUCT's
    /// frame of reference and referenced series must be the image's.
    ///
    /// The mask grid must match the image grid (`Grid.matches`), and the mask must not be empty.
    /// Giving `roi` for a NIfTI mask or `label` for an RTSTRUCT is a usage error. A directory
    /// holding exactly one RTSTRUCT file is accepted in place of that file.
    public static func load(path: String, label: Int? = nil, roi: String? = nil, onto image: LoadedImage,
                            imagePath: String) throws -> Mask {
        try load(path: path, label: label, roi: roi, grid: image.grid, dicom: image.dicom, imagePath: imagePath)
    }

    /// Same as above for an image known only by its grid (no DICOM UIDs to check).
    public static func load(path: String, label: Int? = nil, roi: String? = nil, onto grid: Grid,
                            imagePath: String) throws -> Mask {
        try load(path: path, label: label, roi: roi, grid: grid, dicom: nil, imagePath: imagePath)
    }

    private static func load(path: String, label: Int?, roi: String?, grid: Grid, dicom: DICOMSeries?,
                             imagePath: String) throws -> Mask {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw RadiomicsError.input(path, "file not found")
        }
        if isDir.boolValue {
            try DICOMFile.requireBackend()
            let rtstructs = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                .map { (path as NSString).appendingPathComponent($0) }
                .filter { RTStruct.isRTStruct(path: $0) }
            guard rtstructs.count == 1 else {
                throw RadiomicsError.input(path, rtstructs.isEmpty
                    ? "is a directory without an RTSTRUCT file; give a NIfTI mask or an RTSTRUCT file"
                    : "directory holds \(rtstructs.count) RTSTRUCT files; give one of them")
            }
            return try loadRTStruct(path: rtstructs[0], label: label, roi: roi, grid: grid, dicom: dicom, imagePath: imagePath)
        }
        if ImageLoader.isNIfTIPath(path) {
            if roi != nil {
                throw RadiomicsError.usage("an ROI name selects a structure in an RTSTRUCT, but the mask \(path) is NIfTI; select a label instead")
            }
            return try loadNIfTI(path: path, label: label, grid: grid, imagePath: imagePath)
        }
        try DICOMFile.requireBackend()
        if RTStruct.isRTStruct(path: path) {
            return try loadRTStruct(path: path, label: label, roi: roi, grid: grid, dicom: dicom, imagePath: imagePath)
        }
        throw RadiomicsError.input(path, "unknown mask format: expected a NIfTI label map (.nii, .nii.gz) or a DICOM RTSTRUCT file")
    }

    private static func loadRTStruct(path: String, label: Int?, roi: String?, grid: Grid, dicom: DICOMSeries?,
                                     imagePath: String) throws -> Mask {
        if label != nil {
            throw RadiomicsError.usage("a label selects a value in a NIfTI label map, but the mask \(path) is an RTSTRUCT; select an ROI name instead")
        }
        let rt = try RTStruct.read(path: path)
        let chosen = try rt.roi(named: roi)
        try rt.checkReferences(roi: chosen, frameOfReferenceUID: dicom?.frameOfReferenceUID,
                               seriesInstanceUID: dicom?.seriesInstanceUID, imagePath: imagePath)
        let mask = try rt.rasterise(roiName: chosen.name, onto: grid, file: path)
        guard mask.count > 0 else {
            throw RadiomicsError.input(path, "RTSTRUCT ROI \"\(chosen.name)\" covers no voxel centre of the image \(imagePath) (\(grid))")
        }
        return mask
    }

    private static func loadNIfTI(path: String, label: Int?, grid: Grid, imagePath: String) throws -> Mask {
        try mask(from: NIfTIReader.readMask(at: path, label: label), path: path, label: label, grid: grid, imagePath: imagePath)
    }

    /// The checks on a NIfTI label map read as a mask, in this order: the grid, a label asked
    /// of a map with non-integer values, a label that selects nothing, an empty mask.
    private static func mask(from labels: NIfTIReader.LabelMask, path: String, label: Int?, grid: Grid,
                             imagePath: String) throws -> Mask {
        guard labels.grid.matches(grid) else {
            throw RadiomicsError.input(path, "mask grid \(describe(labels.grid)) does not match the grid of the image \(imagePath): \(describe(grid))")
        }
        if !labels.integral, let label {
            throw RadiomicsError.input(path, "mask holds non-integer values (not a label map), so label \(label) cannot be selected")
        }
        if labels.integral, let label, labels.count == 0 {
            throw RadiomicsError.input(path, "mask has no voxel with label \(label); labels present: \(labels.presentLabels ?? "none (the mask is empty)")")
        }
        guard labels.count > 0 else {
            throw RadiomicsError.input(path, labels.integral ? "mask is empty (no non-zero voxels)" : "mask is empty (no voxel >= 0.5)")
        }
        // Keep the image's grid exactly (the mask's may differ within the tolerance).
        return Mask(grid: grid, voxels: labels.voxels)
    }

    /// A mask file read before the image it belongs to is known, so that the two files can be
    /// decoded at the same time. Only a NIfTI label map can be read this way (its selection does
    /// not depend on the image); anything else is left for `load(_:onto:imagePath:)`.
    public struct Prepared: Sendable {
        let path: String
        let label: Int?
        let roi: String?
        /// The label map as read, or the error reading it gave; nil when not read ahead.
        let labels: Result<NIfTIReader.LabelMask, RadiomicsError>?

        /// The mask as read ahead, on the mask file's own grid, when it was read without error and
        /// holds a voxel: what work that needs the mask alone (its interpolation, its shape) can start
        /// from before the image is in. `load(_:onto:imagePath:)` gives the same voxels on the image's grid.
        public var earlyMask: Mask? {
            guard case .success(let labels)? = labels, labels.count > 0 else { return nil }
            return Mask(grid: labels.grid, voxels: labels.voxels)
        }
    }

    /// Reads the mask file when it is a NIfTI label map (the same reads and errors as `load`
    /// would make first), else only records the request.
    public static func prepare(path: String, label: Int? = nil, roi: String? = nil) -> Prepared {
        var isDir: ObjCBool = false
        guard roi == nil, ImageLoader.isNIfTIPath(path),
              FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            return Prepared(path: path, label: label, roi: roi, labels: nil)
        }
        let labels: Result<NIfTIReader.LabelMask, RadiomicsError>
        do {
            labels = .success(try NIfTIReader.readMask(at: path, label: label))
        } catch let error as RadiomicsError {
            labels = .failure(error)
        } catch {
            // readMask throws RadiomicsError only; anything else is read again by `load`.
            return Prepared(path: path, label: label, roi: roi, labels: nil)
        }
        return Prepared(path: path, label: label, roi: roi, labels: labels)
    }

    /// Finishes a prepared mask on the image: the same mask and the same errors as
    /// `load(path:label:roi:onto:imagePath:)` with the prepared arguments.
    public static func load(_ prepared: Prepared, onto image: LoadedImage, imagePath: String) throws -> Mask {
        guard let labels = prepared.labels else {
            return try load(path: prepared.path, label: prepared.label, roi: prepared.roi, onto: image, imagePath: imagePath)
        }
        return try mask(from: labels.get(), path: prepared.path, label: prepared.label, grid: image.grid, imagePath: imagePath)
    }

    /// Distinct non-zero values of a label map, ascending, at most 20 listed.
    static func presentLabels(_ values: [Double]) -> String {
        let distinct = Set(values).subtracting([0]).sorted()
        if distinct.isEmpty { return "none (the mask is empty)" }
        let shown = distinct.prefix(20).map { formatShort($0) }.joined(separator: ", ")
        return distinct.count > 20 ? "\(shown) and \(distinct.count - 20) more" : shown
    }

    /// Grid description with the axis directions, so that grids differing only in orientation
    /// read differently.
    static func describe(_ g: Grid) -> String {
        func f(_ v: SIMD3<Double>) -> String { "(\(formatShort(v.x)), \(formatShort(v.y)), \(formatShort(v.z)))" }
        return "\(g), axes \(f(g.direction.0)) \(f(g.direction.1)) \(f(g.direction.2))"
    }
}
