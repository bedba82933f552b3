import Foundation
import RadiomicsCore

/// A DICOM RT Structure Set: named regions of interest drawn as closed planar contours in
/// patient coordinates (LPS, mm).
public struct RTStruct: Sendable {
    /// One closed planar polygon; the last point connects back to the first.
    public struct Contour: Sendable {
        public var points: [SIMD3<Double>]
        public init(points: [SIMD3<Double>]) { self.points = points }
    }

    public struct ROI: Sendable {
        /// ROI Number (3006,0022).
        public var number: Int
        /// ROI Name (3006,0026).
        public var name: String
        /// Frame of reference the contours are drawn in (3006,0024), when given.
        public var frameOfReferenceUID: String?
        /// The ROI's CLOSED_PLANAR contours (points and open contours are left out).
        public var contours: [Contour]
        public init(number: Int, name: String, frameOfReferenceUID: String?, contours: [Contour]) {
            self.number = number
            self.name = name
            self.frameOfReferenceUID = frameOfReferenceUID
            self.contours = contours
        }
    }

    public var path: String
    public var rois: [ROI]
    /// Frames of reference listed in Referenced Frame of Reference Sequence (3006,0010).
    public var frameOfReferenceUIDs: [String]
    /// Image series the structure set was drawn on (RT Referenced Series Sequence).
    public var referencedSeriesInstanceUIDs: [String]

    public var roiNames: [String] { rois.map(\.name) }

    public init(path: String, rois: [ROI], frameOfReferenceUIDs: [String], referencedSeriesInstanceUIDs: [String]) {
        self.path = path
        self.rois = rois
        self.frameOfReferenceUIDs = frameOfReferenceUIDs
        self.referencedSeriesInstanceUIDs = referencedSeriesInstanceUIDs
    }

    /// True when `path` is a readable DICOM file whose Modality is RTSTRUCT.
    public static func isRTStruct(path: String) -> Bool {
        guard let file = try? DICOMFile(path: path, headerOnly: true) else { return false }
        return file.dataset.string(.modality) == "RTSTRUCT"
    }

    /// Reads an RTSTRUCT file.
    public static func read(path: String) throws -> RTStruct {
        try NIfTIReader.checkReadable(path)
        try DICOMFile.requireBackend()
        let file: DICOMFile
        do {
            file = try DICOMFile(path: path, headerOnly: false)
        } catch let error as RadiomicsError {
            throw RadiomicsError.input(path, "\(error.message); expected a DICOM RTSTRUCT file")
        }
        let ds = file.dataset
        let modality = ds.string(.modality)
        guard modality == "RTSTRUCT" else {
            throw RadiomicsError.input(path, "DICOM file has Modality \(modality ?? "(none)"), expected RTSTRUCT")
        }
        var frames: [String] = []
        var series: [String] = []
        for frame in ds.sequence(.referencedFrameOfReferenceSequence) {
            if let uid = frame.string(.frameOfReferenceUID) { frames.append(uid) }
            for study in frame.sequence(.rtReferencedStudySequence) {
                for s in study.sequence(.rtReferencedSeriesSequence) {
                    if let uid = s.string(.seriesInstanceUID), !series.contains(uid) { series.append(uid) }
                }
            }
        }
        var contoursByNumber: [Int: [Contour]] = [:]
        for roiContour in ds.sequence(.roiContourSequence) {
            guard let number = roiContour.int(.referencedROINumber) else { continue }
            for (k, item) in roiContour.sequence(.contourSequence).enumerated() {
                let type = item.string(.contourGeometricType) ?? "CLOSED_PLANAR"
                guard type == "CLOSED_PLANAR" else { continue }
                guard let data = try item.doubles(.contourData), !data.isEmpty else { continue }
                guard data.count % 3 == 0 else {
                    throw RadiomicsError.input(path, "contour \(k + 1) of ROI number \(number) has \(data.count) coordinates, not a multiple of 3")
                }
                let points = stride(from: 0, to: data.count, by: 3).map { SIMD3(data[$0], data[$0 + 1], data[$0 + 2]) }
                contoursByNumber[number, default: []].append(Contour(points: points))
            }
        }
        var rois: [ROI] = []
        for item in ds.sequence(.structureSetROISequence) {
            guard let number = item.int(.roiNumber) else { continue }
            rois.append(ROI(
                number: number, name: item.string(.roiName) ?? "ROI \(number)",
                frameOfReferenceUID: item.string(.referencedFrameOfReferenceUID),
                contours: contoursByNumber[number] ?? []))
        }
        guard !rois.isEmpty else {
            throw RadiomicsError.input(path, "RTSTRUCT defines no ROIs (Structure Set ROI Sequence is empty)")
        }
        return RTStruct(path: path, rois: rois, frameOfReferenceUIDs: frames, referencedSeriesInstanceUIDs: series)
    }

    /// The ROI called `name` (exact match, then case-insensitive), or the only ROI when `name`
    /// is nil.
    public func roi(named name: String?) throws -> ROI {
        let list = rois.map { "\"\($0.name)\"" }.joined(separator: ", ")
        guard let name else {
            guard rois.count == 1 else {
                throw RadiomicsError.input(path, "RTSTRUCT holds \(rois.count) ROIs (\(list)); name the one to use")
            }
            return rois[0]
        }
        if let r = rois.first(where: { $0.name == name }) { return r }
        let folded = rois.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        if folded.count == 1 { return folded[0] }
        throw RadiomicsError.input(path, "RTSTRUCT has no ROI named \"\(name)\"; its ROIs are: \(list)")
    }

    /// Checks that the structure set belongs to the image: same frame of reference and, when
    /// the structure set lists its referenced series, that series. Nil UIDs are not checked.
    public func checkReferences(roi: ROI, frameOfReferenceUID: String?, seriesInstanceUID: String?, imagePath: String) throws {
        if let imageFrame = frameOfReferenceUID {
            let own = roi.frameOfReferenceUID.map { [$0] } ?? frameOfReferenceUIDs
            if !own.isEmpty && !own.contains(imageFrame) {
                throw RadiomicsError.input(path, "RTSTRUCT ROI \"\(roi.name)\" is in frame of reference \(own.joined(separator: ", ")) but the image \(imagePath) is in \(imageFrame); the contours were not drawn on this image")
            }
        }
        if let imageSeries = seriesInstanceUID, !referencedSeriesInstanceUIDs.isEmpty,
           !referencedSeriesInstanceUIDs.contains(imageSeries) {
            throw RadiomicsError.input(path, "RTSTRUCT references series \(referencedSeriesInstanceUIDs.joined(separator: ", ")) but the image \(imagePath) is series \(imageSeries); the contours were not drawn on this image")
        }
    }

    /// Rasterises one ROI onto `grid`.
    ///
    /// Each contour is assigned to the slice (z index) nearest to its position along the grid's
    /// z axis, if within half a slice spacing of it; contours beyond the image are dropped.
    /// In a slice, a voxel belongs to the ROI when its centre lies inside the slice's contours
    /// by the even-odd rule over all of them together, so that a contour inside another is a
    /// hole. A centre exactly on an edge counts as inside when the edge is on the polygon's side
    /// of smaller x (or y) voxel index, outside otherwise, so that contours that touch never
    /// share voxels. Parts of contours outside the
    /// grid are clipped.
    ///
    /// - Parameters:
    ///   - roiName: the ROI to rasterise; nil is allowed when the structure set has one ROI.
    ///   - file: the path reported in errors (the RTSTRUCT's own path when empty).
    public func rasterise(roiName: String?, onto grid: Grid, file: String = "") throws -> Mask {
        let reportPath = file.isEmpty ? path : file
        let roi: ROI
        do { roi = try self.roi(named: roiName) } catch let e as RadiomicsError { throw RadiomicsError.input(reportPath, e.message) }
        guard !roi.contours.isEmpty else {
            throw RadiomicsError.input(reportPath, "RTSTRUCT ROI \"\(roi.name)\" has no closed planar contours")
        }
        // Polygons per slice, in continuous voxel coordinates (x, y).
        var bySlice: [Int: [[SIMD2<Double>]]] = [:]
        for (k, contour) in roi.contours.enumerated() where contour.points.count >= 3 {
            let voxel = contour.points.map { grid.voxel($0) }
            guard voxel.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }) else {
                throw RadiomicsError.input(reportPath, "contour \(k + 1) of ROI \"\(roi.name)\" has NaN or infinite coordinates")
            }
            let zs = voxel.map(\.z)
            let zMin = zs.min()!, zMax = zs.max()!
            guard zMax - zMin <= 0.5 else {
                throw RadiomicsError.input(reportPath, "contour \(k + 1) of ROI \"\(roi.name)\" spans \(formatShort((zMax - zMin) * grid.spacing.z)) mm along the image's slice axis; contours must lie in the image's slice planes")
            }
            let zc = zs.reduce(0, +) / Double(zs.count)
            // Far-away contours are dropped before their position is turned into an index.
            guard zc >= -0.5, zc <= Double(grid.size.z) - 0.5 else { continue }
            let slice = Int(zc.rounded())
            guard slice >= 0, slice < grid.size.z else { continue }
            bySlice[slice, default: []].append(voxel.map { SIMD2($0.x, $0.y) })
        }
        var mask = Mask(grid: grid, repeating: false)
        let nx = grid.size.x, ny = grid.size.y
        var crossings: [Double] = []
        for (z, polygons) in bySlice {
            let yLo = polygons.flatMap { $0.map(\.y) }.min()!, yHi = polygons.flatMap { $0.map(\.y) }.max()!
            let rowStart = max(0, clampedIndex(yLo.rounded(.up), ny)), rowEnd = min(ny - 1, clampedIndex(yHi.rounded(.down), ny))
            guard rowStart <= rowEnd else { continue }
            for y in rowStart...rowEnd {
                let py = Double(y)
                crossings.removeAll(keepingCapacity: true)
                for polygon in polygons {
                    var j = polygon.count - 1
                    for i in 0..<polygon.count {
                        let a = polygon[j], b = polygon[i]
                        // Half-open in y: an edge counts when the row lies in [min y, max y).
                        if (a.y <= py) != (b.y <= py) {
                            crossings.append(a.x + (py - a.y) * (b.x - a.x) / (b.y - a.y))
                        }
                        j = i
                    }
                }
                crossings.sort()
                var c = 0
                while c + 1 < crossings.count {
                    // Centres x with crossings[c] <= x < crossings[c + 1] are inside.
                    let first = max(0, clampedIndex(crossings[c].rounded(.up), nx))
                    let last = min(nx - 1, clampedIndex(crossings[c + 1].rounded(.up), nx) - 1)
                    if first <= last {
                        let base = grid.index(0, y, z)
                        for x in first...last { mask.voxels[base + x] = true }
                    }
                    c += 2
                }
            }
        }
        return mask
    }
}

/// A whole-number voxel coordinate as an index limited to -1...n, so that contour coordinates
/// far outside the grid (or overflowing to infinity in the crossing arithmetic) cannot trap the
/// conversion to Int. NaN (a degenerate edge) maps to -1.
func clampedIndex(_ v: Double, _ n: Int) -> Int {
    guard v == v else { return -1 }
    return Int(min(Double(n), max(-1, v)))
}
