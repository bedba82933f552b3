import Foundation
import RadiomicsCore

/// A DICOM image series loaded as one 3D image.
public struct DICOMSeries: Sendable {
    /// Voxel values after each slice's RescaleSlope/RescaleIntercept (HU for CT, the PET units
    /// for PT), on a grid in patient LPS coordinates.
    public var image: Image
    /// Modality (0008,0060): "CT", "MR", "PT", ...
    public var modality: String
    public var seriesInstanceUID: String
    public var frameOfReferenceUID: String?
    public var studyInstanceUID: String?
    public var seriesDescription: String?
    public var patientID: String?
    /// PET Units (0054,1001), e.g. "BQML", when present.
    public var units: String?
    /// SOP Instance UID of each slice, in slice order (z index).
    public var sopInstanceUIDs: [String]
    /// File of each slice, in slice order (z index).
    public var files: [String]
    /// Transfer syntax names found in the series (usually one).
    public var transferSyntaxes: [String]

    public init(image: Image, modality: String, seriesInstanceUID: String, frameOfReferenceUID: String?,
                studyInstanceUID: String? = nil, seriesDescription: String? = nil, patientID: String? = nil,
                units: String? = nil, sopInstanceUIDs: [String], files: [String], transferSyntaxes: [String] = []) {
        self.image = image
        self.modality = modality
        self.seriesInstanceUID = seriesInstanceUID
        self.frameOfReferenceUID = frameOfReferenceUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesDescription = seriesDescription
        self.patientID = patientID
        self.units = units
        self.sopInstanceUIDs = sopInstanceUIDs
        self.files = files
        self.transferSyntaxes = transferSyntaxes
    }
}

/// Reads a directory of single-frame DICOM image files (one file per slice) as a 3D image.
///
/// Slices are ordered by their position along the slice normal (the cross product of the row
/// and column direction cosines of ImageOrientationPatient), never by file name or
/// InstanceNumber. The slice spacing comes from the differences of ImagePositionPatient along
/// that normal (SliceThickness is the slab thickness, which can differ). PixelSpacing is
/// (row spacing, column spacing), i.e. (y, x). RescaleSlope and RescaleIntercept are applied per
/// slice, defaulting to 1 and 0 when absent (a slope of 0, which would erase the image, is
/// treated as absent). The grid origin is the first slice's first voxel;
/// its axes are the row cosine (x), column cosine (y) and slice normal (z), all in LPS.
public enum DICOMSeriesReader {
    /// Reads the series in `directory` (files directly inside it; sub-directories are ignored).
    /// When the directory holds several series, `seriesInstanceUID` picks one.
    public static func read(directory: String, seriesInstanceUID: String? = nil) throws -> DICOMSeries {
        let headers = try scan(directory: directory)
        let series = try select(headers, in: directory, seriesInstanceUID: seriesInstanceUID)
        let slices = try arrange(series, directory: directory)
        return try load(slices, directory: directory)
    }

    // MARK: - Scanning

    /// Header of one image file.
    struct SliceHeader {
        var path: String
        var modality: String
        var seriesInstanceUID: String
        var sopInstanceUID: String
        var frameOfReferenceUID: String?
        var studyInstanceUID: String?
        var seriesDescription: String?
        var patientID: String?
        var units: String?
        var rows: Int
        var columns: Int
        var frames: Int
        var position: SIMD3<Double>?
        var orientation: [Double]?
        var pixelSpacing: [Double]?
        var sliceThickness: Double?
        var spacingBetweenSlices: Double?
        var slope: Double
        var intercept: Double
        var transferSyntax: String
    }

    static func scan(directory: String) throws -> [SliceHeader] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw RadiomicsError.input(directory, "directory not found")
        }
        guard isDir.boolValue else {
            throw RadiomicsError.input(directory, "is a file, expected a directory of DICOM image files")
        }
        try DICOMFile.requireBackend()
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw RadiomicsError.input(directory, "directory cannot be listed (\(error.localizedDescription))")
        }
        var headers: [SliceHeader] = []
        var otherObjects: [String: Int] = [:]
        var candidates = 0
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            var entryIsDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &entryIsDir), !entryIsDir.boolValue else { continue }
            candidates += 1
            guard let file = try? DICOMFile(path: path, headerOnly: true) else { continue }
            let ds = file.dataset
            // A file read without the preamble must at least look like a DICOM object.
            guard file.hasPreamble || ds.string(.sopClassUID) != nil else { continue }
            let modality = ds.string(.modality) ?? "unknown"
            guard let rows = ds.int(.rows), let columns = ds.int(.columns) else {
                otherObjects[modality, default: 0] += 1
                continue
            }
            guard let series = ds.string(.seriesInstanceUID) else {
                throw RadiomicsError.input(path, "DICOM image has no SeriesInstanceUID (0020,000E)")
            }
            // DCMTK writes 0 when an attribute is missing; the item getters return nil instead,
            // so that a missing slope (common in MR) becomes 1 rather than 0.
            let slope = try ds.double(.rescaleSlope) ?? 1
            let intercept = try ds.double(.rescaleIntercept) ?? 0
            let position = try ds.doubles(.imagePositionPatient)
            headers.append(SliceHeader(
                path: path, modality: modality, seriesInstanceUID: series,
                sopInstanceUID: ds.string(.sopInstanceUID) ?? "",
                frameOfReferenceUID: ds.string(.frameOfReferenceUID),
                studyInstanceUID: ds.string(.studyInstanceUID),
                seriesDescription: ds.string(.seriesDescription),
                patientID: ds.string(.patientID),
                units: ds.string(.units),
                rows: rows, columns: columns, frames: ds.int(.numberOfFrames) ?? 1,
                position: position.flatMap { $0.count == 3 ? SIMD3($0[0], $0[1], $0[2]) : nil },
                orientation: try ds.doubles(.imageOrientationPatient),
                pixelSpacing: try ds.doubles(.pixelSpacing),
                sliceThickness: try ds.double(.sliceThickness),
                spacingBetweenSlices: try ds.double(.spacingBetweenSlices),
                slope: slope == 0 ? 1 : slope, intercept: intercept,
                transferSyntax: file.transferSyntax.name))
        }
        if headers.isEmpty {
            if candidates == 0 { throw RadiomicsError.input(directory, "directory is empty (no files)") }
            if otherObjects.isEmpty {
                throw RadiomicsError.input(directory, "no DICOM files found among the \(candidates) files in the directory")
            }
            let found = otherObjects.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            throw RadiomicsError.input(directory, "no DICOM images in the directory (found only non-image DICOM objects: \(found))")
        }
        return headers
    }

    static func select(_ headers: [SliceHeader], in directory: String, seriesInstanceUID: String?) throws -> [SliceHeader] {
        var bySeries: [String: [SliceHeader]] = [:]
        var order: [String] = []
        for h in headers {
            if bySeries[h.seriesInstanceUID] == nil { order.append(h.seriesInstanceUID) }
            bySeries[h.seriesInstanceUID, default: []].append(h)
        }
        func listing() -> String {
            order.map { uid in
                let s = bySeries[uid]!
                let desc = s[0].seriesDescription.map { ", \"\($0)\"" } ?? ""
                return "\(uid) (\(s[0].modality), \(s.count) files\(desc))"
            }.joined(separator: "; ")
        }
        if let wanted = seriesInstanceUID {
            guard let s = bySeries[wanted] else {
                throw RadiomicsError.input(directory, "no series with SeriesInstanceUID \(wanted); the directory holds: \(listing())")
            }
            return s
        }
        guard order.count == 1 else {
            throw RadiomicsError.input(directory, "the directory holds \(order.count) image series: \(listing()); pick one by its SeriesInstanceUID")
        }
        return bySeries[order[0]]!
    }

    // MARK: - Geometry

    struct Arranged {
        var slices: [SliceHeader]
        var grid: Grid
    }

    static func arrange(_ series: [SliceHeader], directory: String) throws -> Arranged {
        let first = series[0]
        if let multi = series.first(where: { $0.frames > 1 }) {
            throw RadiomicsError.input(multi.path, "multi-frame DICOM objects (\(multi.frames) frames in one file, enhanced CT/MR/PET) are not supported; convert the series to one file per slice or to NIfTI")
        }
        for h in series where h.rows != first.rows || h.columns != first.columns {
            throw RadiomicsError.input(h.path, "slice is \(h.columns)x\(h.rows) pixels but \(first.path) is \(first.columns)x\(first.rows); the series is not a regular volume")
        }
        guard let iop = first.orientation, iop.count == 6 else {
            throw RadiomicsError.input(first.path, "ImageOrientationPatient (0020,0037) is missing or does not hold 6 values")
        }
        guard let ps = first.pixelSpacing, ps.count == 2, ps[0] > 0, ps[1] > 0 else {
            throw RadiomicsError.input(first.path, "PixelSpacing (0028,0030) is missing or not two positive values")
        }
        for h in series {
            guard let o = h.orientation, o.count == 6, zip(o, iop).allSatisfy({ abs($0 - $1) < 1e-4 }) else {
                throw RadiomicsError.input(h.path, "ImageOrientationPatient \(fmt(h.orientation ?? [])) differs from \(fmt(iop)) in \(first.path); mixed orientations in one series are not supported")
            }
            guard let p = h.pixelSpacing, p.count == 2, abs(p[0] - ps[0]) < 1e-4, abs(p[1] - ps[1]) < 1e-4 else {
                throw RadiomicsError.input(h.path, "PixelSpacing \(fmt(h.pixelSpacing ?? [])) differs from \(fmt(ps)) in \(first.path)")
            }
            guard h.position != nil else {
                throw RadiomicsError.input(h.path, "ImagePositionPatient (0020,0032) is missing or does not hold 3 values")
            }
        }
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
        let rowCos = SIMD3(iop[0], iop[1], iop[2]), colCos = SIMD3(iop[3], iop[4], iop[5])
        guard (rowCos * rowCos).sum() > 0.5, (colCos * colCos).sum() > 0.5 else {
            throw RadiomicsError.input(first.path, "ImageOrientationPatient \(fmt(iop)) does not hold two direction vectors")
        }
        let x = unit(rowCos), y = unit(colCos)
        guard abs((x * y).sum()) < 1e-3 else {
            throw RadiomicsError.input(first.path, "ImageOrientationPatient \(fmt(iop)): row and column directions are not perpendicular")
        }
        let normal = unit(cross(x, y))

        // Sort by position along the normal.
        let sorted = series.map { ($0, ($0.position! * normal).sum()) }.sorted { $0.1 < $1.1 }
        let slices = sorted.map(\.0)
        let along = sorted.map(\.1)
        var dz = first.spacingBetweenSlices ?? first.sliceThickness ?? 1
        if slices.count > 1 {
            var gaps: [Double] = []
            for i in 1..<along.count {
                let gap = along[i] - along[i - 1]
                if gap < 1e-3 {
                    throw RadiomicsError.input(slices[i].path, "slice has the same position (\(formatShort(along[i])) mm along the slice normal) as \(slices[i - 1].path); duplicate slices in the series")
                }
                gaps.append(gap)
            }
            let typical = gaps.sorted()[gaps.count / 2]
            let tolerance = max(1e-3, 0.01 * typical)
            for (i, gap) in gaps.enumerated() where abs(gap - typical) > tolerance {
                // The ratio can be beyond Int's range for absurd positions: no count then.
                let ratio = (gap / typical).rounded()
                let hint = gap > typical * 1.5
                    ? (ratio < 1e6 ? " (about \(Int(ratio) - 1) slice(s) missing)" : " (a slice position is far off)") : ""
                throw RadiomicsError.input(directory, "slice spacing is not uniform: \(formatShort(gap)) mm between \(formatShort(along[i])) mm (\(slices[i].path)) and \(formatShort(along[i + 1])) mm (\(slices[i + 1].path)) along the slice normal, where the other slices are \(formatShort(typical)) mm apart\(hint)")
            }
            dz = (along.last! - along.first!) / Double(along.count - 1)
            // Slices must be stacked along the normal (no gantry tilt / shear).
            let p0 = slices[0].position!
            let inPlaneTolerance = max(1e-3, 0.01 * min(ps[0], ps[1]))
            for s in slices.dropFirst() {
                let d = s.position! - p0
                let off = d - normal * (d * normal).sum()
                if (off * off).sum().squareRoot() > inPlaneTolerance {
                    throw RadiomicsError.input(s.path, "slice is shifted \(formatShort((off * off).sum().squareRoot())) mm within its plane relative to \(slices[0].path); slices not stacked along the slice normal (gantry tilt) are not supported")
                }
            }
        }
        guard dz > 0, dz.isFinite else {
            throw RadiomicsError.input(first.path, "cannot determine a positive slice spacing")
        }
        let grid = Grid(
            size: SIMD3(first.columns, first.rows, slices.count),
            spacing: SIMD3(ps[1], ps[0], dz),
            origin: slices[0].position!,
            direction: (x, y, normal))
        return Arranged(slices: slices, grid: grid)
    }

    // MARK: - Pixels

    static func load(_ arranged: Arranged, directory: String) throws -> DICOMSeries {
        let grid = arranged.grid
        let perSlice = grid.size.x * grid.size.y
        var voxels = [Float](repeating: 0, count: grid.voxelCount)
        var syntaxes: [String] = []
        for (z, h) in arranged.slices.enumerated() {
            let file = try DICOMFile(path: h.path, headerOnly: false)
            let values = try file.pixels(count: perSlice, slope: h.slope, intercept: h.intercept)
            voxels.replaceSubrange((z * perSlice)..<((z + 1) * perSlice), with: values)
            if !syntaxes.contains(h.transferSyntax) { syntaxes.append(h.transferSyntax) }
        }
        let first = arranged.slices[0]
        return DICOMSeries(
            image: Image(grid: grid, voxels: voxels),
            modality: first.modality,
            seriesInstanceUID: first.seriesInstanceUID,
            frameOfReferenceUID: first.frameOfReferenceUID,
            studyInstanceUID: first.studyInstanceUID,
            seriesDescription: first.seriesDescription,
            patientID: first.patientID,
            units: first.units,
            sopInstanceUIDs: arranged.slices.map(\.sopInstanceUID),
            files: arranged.slices.map(\.path),
            transferSyntaxes: syntaxes)
    }

    static func fmt(_ v: [Double]) -> String { "[" + v.map(formatShort).joined(separator: ", ") + "]" }
}

func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
