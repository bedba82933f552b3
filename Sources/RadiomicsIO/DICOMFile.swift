import CDicom
import RadiomicsCore

/// A DICOM attribute tag (group, element).
struct DICOMTag: Hashable, Sendable, CustomStringConvertible {
    var group: UInt16
    var element: UInt16
    init(_ group: UInt16, _ element: UInt16) { self.group = group; self.element = element }

    var description: String {
        func hex(_ v: UInt16) -> String {
            let s = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: 4 - s.count) + s
        }
        return "(\(hex(group)),\(hex(element)))"
    }

    static let sopClassUID = DICOMTag(0x0008, 0x0016)
    static let sopInstanceUID = DICOMTag(0x0008, 0x0018)
    static let modality = DICOMTag(0x0008, 0x0060)
    static let seriesDescription = DICOMTag(0x0008, 0x103E)
    static let patientID = DICOMTag(0x0010, 0x0020)
    static let sliceThickness = DICOMTag(0x0018, 0x0050)
    static let spacingBetweenSlices = DICOMTag(0x0018, 0x0088)
    static let studyInstanceUID = DICOMTag(0x0020, 0x000D)
    static let seriesInstanceUID = DICOMTag(0x0020, 0x000E)
    static let instanceNumber = DICOMTag(0x0020, 0x0013)
    static let imagePositionPatient = DICOMTag(0x0020, 0x0032)
    static let imageOrientationPatient = DICOMTag(0x0020, 0x0037)
    static let frameOfReferenceUID = DICOMTag(0x0020, 0x0052)
    static let samplesPerPixel = DICOMTag(0x0028, 0x0002)
    static let numberOfFrames = DICOMTag(0x0028, 0x0008)
    static let rows = DICOMTag(0x0028, 0x0010)
    static let columns = DICOMTag(0x0028, 0x0011)
    static let pixelSpacing = DICOMTag(0x0028, 0x0030)
    static let rescaleIntercept = DICOMTag(0x0028, 0x1052)
    static let rescaleSlope = DICOMTag(0x0028, 0x1053)
    static let rescaleType = DICOMTag(0x0028, 0x1054)
    static let units = DICOMTag(0x0054, 0x1001)
    static let pixelData = DICOMTag(0x7FE0, 0x0010)
    // RT Structure Set.
    static let referencedFrameOfReferenceSequence = DICOMTag(0x3006, 0x0010)
    static let rtReferencedStudySequence = DICOMTag(0x3006, 0x0012)
    static let rtReferencedSeriesSequence = DICOMTag(0x3006, 0x0014)
    static let structureSetROISequence = DICOMTag(0x3006, 0x0020)
    static let roiNumber = DICOMTag(0x3006, 0x0022)
    static let referencedFrameOfReferenceUID = DICOMTag(0x3006, 0x0024)
    static let roiName = DICOMTag(0x3006, 0x0026)
    static let roiContourSequence = DICOMTag(0x3006, 0x0039)
    static let contourSequence = DICOMTag(0x3006, 0x0040)
    static let contourGeometricType = DICOMTag(0x3006, 0x0042)
    static let numberOfContourPoints = DICOMTag(0x3006, 0x0046)
    static let contourData = DICOMTag(0x3006, 0x0050)
    static let referencedROINumber = DICOMTag(0x3006, 0x0084)
}

/// An open DICOM file. Not thread-safe; use one per task.
final class DICOMFile {
    let path: String
    private let handle: OpaquePointer

    /// Opens `path`; with `headerOnly`, parsing stops before the pixel data.
    init(path: String, headerOnly: Bool) throws {
        var err = [CChar](repeating: 0, count: 512)
        guard let h = cdicom_open(path, headerOnly ? 1 : 0, &err, err.count) else {
            throw RadiomicsError.input(path, cString(err))
        }
        self.path = path
        self.handle = h
    }

    deinit { cdicom_close(handle) }

    /// Throws when DICOM cannot be read at all because the DCMTK backend library does not load,
    /// so that a reader probing files reports that rather than "not a DICOM file" for each one.
    static func requireBackend() throws {
        var err = [CChar](repeating: 0, count: 1024)
        if cdicom_backend_available(&err, err.count) == 0 {
            throw RadiomicsError(.internal, cString(err))
        }
    }

    var dataset: DICOMItem { DICOMItem(file: self, pointer: cdicom_dataset(handle)) }
    var hasPreamble: Bool { cdicom_has_preamble(handle) != 0 }

    /// Transfer syntax UID and name; `encapsulated` is true for compressed pixel data.
    var transferSyntax: (uid: String, name: String, encapsulated: Bool) {
        var uid = [CChar](repeating: 0, count: 128), name = [CChar](repeating: 0, count: 256)
        let enc = cdicom_transfer_syntax(handle, &uid, uid.count, &name, name.count)
        return (cString(uid), cString(name), enc != 0)
    }

    /// Decodes the single frame's pixel data to floats, applying `value * slope + intercept`.
    func pixels(count: Int, slope: Double, intercept: Double) throws -> [Float] {
        var out = [Float](repeating: 0, count: count)
        var err = [CChar](repeating: 0, count: 1024)
        let rc = out.withUnsafeMutableBufferPointer {
            cdicom_pixels_as_float(handle, $0.baseAddress, Int64(count), slope, intercept, &err, err.count)
        }
        guard rc == 0 else { throw RadiomicsError.input(path, cString(err)) }
        return out
    }
}

/// A dataset or sequence item of an open `DICOMFile` (which it keeps alive).
struct DICOMItem {
    let file: DICOMFile
    let pointer: OpaquePointer?

    /// The whole value as a string (multiple values separated by backslashes), trimmed; nil when
    /// absent or empty.
    func string(_ tag: DICOMTag) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        var n = cdicom_get_string(pointer, tag.group, tag.element, &buffer, buffer.count)
        if n < 0 { return nil }
        if n >= buffer.count {
            buffer = [CChar](repeating: 0, count: n + 1)
            n = cdicom_get_string(pointer, tag.group, tag.element, &buffer, buffer.count)
        }
        let s = cString(buffer)
        return s.isEmpty ? nil : s
    }

    func int(_ tag: DICOMTag, at position: Int = 0) -> Int? {
        var v = 0
        return cdicom_get_long(pointer, tag.group, tag.element, UInt(position), &v) == 1 ? v : nil
    }

    /// All numeric values of an attribute; nil when absent. Throws when a value is not a number.
    func doubles(_ tag: DICOMTag) throws -> [Double]? {
        let count = cdicom_value_count(pointer, tag.group, tag.element)
        if count < 0 { return nil }
        if count == 0 { return [] }
        var out = [Double](repeating: 0, count: count)
        let n = cdicom_get_doubles(pointer, tag.group, tag.element, &out, count)
        if n == -1 { return nil }
        guard n >= 0 else {
            throw RadiomicsError.input(file.path, "attribute \(tag) holds a value that is not a number")
        }
        return Array(out.prefix(n))
    }

    /// First numeric value, read into a temporary so that a missing attribute gives nil rather
    /// than 0.
    func double(_ tag: DICOMTag) throws -> Double? { try doubles(tag)?.first }

    /// Items of a sequence; empty when the sequence is absent.
    func sequence(_ tag: DICOMTag) -> [DICOMItem] {
        let n = cdicom_sequence_count(pointer, tag.group, tag.element)
        guard n > 0 else { return [] }
        return (0..<n).compactMap { i in
            cdicom_sequence_item(pointer, tag.group, tag.element, i).map { DICOMItem(file: file, pointer: $0) }
        }
    }
}

func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
