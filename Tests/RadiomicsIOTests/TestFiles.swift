import Foundation

// Shared by RadiomicsIOTests and RadiomicsTests (linked there): writers of small NIfTI, DICOM
// and RTSTRUCT files for tests. Only Foundation may be used here.

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("radiomics-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func subdirectory(_ name: String) throws -> String {
        let p = file(name)
        try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Little-endian byte buffer for writing test files.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i16(_ v: Int16) { u16(UInt16(bitPattern: v)) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func f32(_ v: Float) { u32(v.bitPattern) }
    mutating func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func ascii(_ s: String, length: Int) {
        var b = Array(s.utf8.prefix(length))
        b += [UInt8](repeating: 0, count: length - b.count)
        bytes += b
    }
    mutating func pad(to offset: Int) {
        precondition(bytes.count <= offset, "header field overrun at \(bytes.count) > \(offset)")
        bytes += [UInt8](repeating: 0, count: offset - bytes.count)
    }
    func write(to path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
}

/// Writes uncompressed NIfTI-1 (348-byte header) and NIfTI-2 (540-byte header) files, from the
/// field layout of the two specifications.
enum NIfTIWriter {
    enum DataType: Int16 {
        case uint8 = 2, int16 = 4, int32 = 8, float32 = 16, float64 = 64
        var bits: Int16 {
            switch self {
            case .uint8: 8
            case .int16: 16
            case .int32, .float32: 32
            case .float64: 64
            }
        }
    }

    /// Voxel values, x fastest, stored in `type` (values must fit it).
    static func data(_ values: [Double], as type: DataType) -> [UInt8] {
        var w = ByteWriter()
        for v in values {
            switch type {
            case .uint8: w.u8(UInt8(v))
            case .int16: w.i16(Int16(v))
            case .int32: w.i32(Int32(v))
            case .float32: w.f32(Float(v))
            case .float64: w.f64(v)
            }
        }
        return w.bytes
    }

    /// `srow`: the three rows of the RAS sform (voxel index to mm). When nil, a qform is written
    /// instead with identity rotation, `pixdim` spacing, `qfac` and offset `qoffset`.
    static func write(path: String, version: Int = 1, size: (Int, Int, Int), pixdim: (Double, Double, Double),
                      type: DataType, values: [Double], slope: Double = 0, intercept: Double = 0,
                      srow: [[Double]]? = nil, qfac: Double = 1, qoffset: (Double, Double, Double) = (0, 0, 0)) throws {
        precondition(values.count == size.0 * size.1 * size.2)
        var w = ByteWriter()
        let dims: [Int] = [3, size.0, size.1, size.2, 1, 1, 1, 1]
        let pix: [Double] = [qfac, pixdim.0, pixdim.1, pixdim.2, 0, 0, 0, 0]
        let rows = srow ?? [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
        let qform: Int = srow == nil ? 1 : 0, sform: Int = srow == nil ? 0 : 2
        if version == 1 {
            w.i32(348)
            w.pad(to: 40)
            for d in dims { w.i16(Int16(d)) }
            w.pad(to: 70)
            w.i16(type.rawValue); w.i16(type.bits)
            w.pad(to: 76)
            for p in pix { w.f32(Float(p)) }
            w.f32(352)  // vox_offset
            w.f32(Float(slope)); w.f32(Float(intercept))
            w.pad(to: 123)
            w.u8(2)  // xyzt_units: mm
            w.pad(to: 252)
            w.i16(Int16(qform)); w.i16(Int16(sform))
            w.f32(0); w.f32(0); w.f32(0)  // quatern b, c, d
            w.f32(Float(qoffset.0)); w.f32(Float(qoffset.1)); w.f32(Float(qoffset.2))
            for r in rows { for v in r { w.f32(Float(v)) } }
            w.pad(to: 344)
            w.ascii("n+1", length: 4)
            w.u32(0)  // no extensions
        } else {
            w.i32(540)
            w.bytes += [0x6E, 0x2B, 0x32, 0x00, 0x0D, 0x0A, 0x1A, 0x0A]  // "n+2\0\r\n\032\n"
            w.i16(type.rawValue); w.i16(type.bits)
            for d in dims { w.i64(Int64(d)) }
            w.f64(0); w.f64(0); w.f64(0)  // intent_p1..3
            for p in pix { w.f64(p) }
            w.i64(544)  // vox_offset
            w.f64(slope); w.f64(intercept)
            w.pad(to: 344)
            w.i32(Int32(qform)); w.i32(Int32(sform))
            w.f64(0); w.f64(0); w.f64(0)
            w.f64(qoffset.0); w.f64(qoffset.1); w.f64(qoffset.2)
            for r in rows { for v in r { w.f64(v) } }
            w.pad(to: 500)
            w.i32(2)  // xyzt_units: mm
            w.pad(to: 540)
            w.u32(0)
        }
        w.bytes += data(values, as: type)
        try w.write(to: path)
    }
}

/// Writes small DICOM Part 10 files in Explicit VR Little Endian, elements in ascending tag
/// order, for tests that need series with known geometry and values.
struct DICOMWriter {
    enum Value {
        case string(String)  // padded with a space (UI with NUL)
        case us([UInt16])
        case ow([UInt16])
        case ob([UInt8])
        case sequence([[(UInt16, UInt16, String, Value)]])
        /// Encapsulated (compressed) pixel data: an empty offset table, then one item per fragment.
        case encapsulated([[UInt8]])
    }

    /// Transfer syntax written to the meta header (the dataset itself is always explicit VR
    /// little endian, as the compressed syntaxes require).
    var transferSyntax = "1.2.840.10008.1.2.1"

    var elements: [(UInt16, UInt16, String, Value)] = []

    mutating func set(_ group: UInt16, _ element: UInt16, _ vr: String, _ value: Value) {
        elements.removeAll { $0.0 == group && $0.1 == element }
        elements.append((group, element, vr, value))
    }

    mutating func set(_ group: UInt16, _ element: UInt16, _ vr: String, _ s: String) {
        set(group, element, vr, .string(s))
    }

    mutating func remove(_ group: UInt16, _ element: UInt16) {
        elements.removeAll { $0.0 == group && $0.1 == element }
    }

    static func encode(_ elements: [(UInt16, UInt16, String, Value)], into w: inout ByteWriter) {
        for (g, e, vr, value) in elements.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            w.u16(g); w.u16(e)
            w.bytes += Array(vr.utf8)
            var payload = ByteWriter()
            var undefinedLength = false
            switch value {
            case .string(let s):
                payload.bytes = Array(s.utf8)
                if payload.bytes.count % 2 == 1 { payload.u8(vr == "UI" ? 0 : 0x20) }
            case .us(let v): for x in v { payload.u16(x) }
            case .ow(let v): for x in v { payload.u16(x) }
            case .ob(let v):
                payload.bytes = v
                if v.count % 2 == 1 { payload.u8(0) }
            case .sequence(let items):
                undefinedLength = true
                for item in items {
                    payload.u16(0xFFFE); payload.u16(0xE000); payload.u32(0xFFFF_FFFF)
                    encode(item, into: &payload)
                    payload.u16(0xFFFE); payload.u16(0xE00D); payload.u32(0)
                }
                payload.u16(0xFFFE); payload.u16(0xE0DD); payload.u32(0)
            case .encapsulated(let fragments):
                undefinedLength = true
                payload.u16(0xFFFE); payload.u16(0xE000); payload.u32(0)
                for f in fragments {
                    let even = f.count % 2 == 0 ? f : f + [0]
                    payload.u16(0xFFFE); payload.u16(0xE000); payload.u32(UInt32(even.count))
                    payload.bytes += even
                }
                payload.u16(0xFFFE); payload.u16(0xE0DD); payload.u32(0)
            }
            if ["OB", "OW", "SQ", "UN", "UT", "OF"].contains(vr) {
                w.u16(0)
                w.u32(undefinedLength ? 0xFFFF_FFFF : UInt32(payload.bytes.count))
            } else {
                w.u16(UInt16(payload.bytes.count))
            }
            w.bytes += payload.bytes
        }
    }

    func write(to path: String) throws {
        let sopClass = elements.first { $0.0 == 0x0008 && $0.1 == 0x0016 }.flatMap { if case .string(let s) = $0.3 { s } else { nil } } ?? "1.2.840.10008.5.1.4.1.1.2"
        let sopInstance = elements.first { $0.0 == 0x0008 && $0.1 == 0x0018 }.flatMap { if case .string(let s) = $0.3 { s } else { nil } } ?? "1.2.3"
        var meta = ByteWriter()
        Self.encode([
            (0x0002, 0x0001, "OB", .ob([0, 1])),
            (0x0002, 0x0002, "UI", .string(sopClass)),
            (0x0002, 0x0003, "UI", .string(sopInstance)),
            (0x0002, 0x0010, "UI", .string(transferSyntax)),
        ], into: &meta)
        var w = ByteWriter()
        w.bytes = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        w.u16(0x0002); w.u16(0x0000); w.bytes += Array("UL".utf8); w.u16(4); w.u32(UInt32(meta.bytes.count))
        w.bytes += meta.bytes
        Self.encode(elements, into: &w)
        try w.write(to: path)
    }

    /// One slice of a synthetic CT-like series: `pixels` (columns x rows, row by row) stored as
    /// 16-bit values, with the given geometry and optional rescale.
    static func slice(series: String, instance: Int, modality: String = "CT", rows: Int, columns: Int,
                      position: SIMD3<Double>, orientation: [Double], pixelSpacing: (row: Double, column: Double),
                      pixels: [UInt16], signed: Bool = false, bitsStored: Int = 16,
                      slope: Double? = nil, intercept: Double? = nil, sliceThickness: Double? = nil,
                      frameOfReference: String = "1.2.826.0.1.3680043.9999.1") -> DICOMWriter {
        func ds(_ v: [Double]) -> String { v.map { String($0) }.joined(separator: "\\") }
        var w = DICOMWriter()
        w.set(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2")
        w.set(0x0008, 0x0018, "UI", "\(series).\(instance)")
        w.set(0x0008, 0x0060, "CS", modality)
        if let sliceThickness { w.set(0x0018, 0x0050, "DS", String(sliceThickness)) }
        w.set(0x0020, 0x000D, "UI", "1.2.826.0.1.3680043.9999.2")
        w.set(0x0020, 0x000E, "UI", series)
        w.set(0x0020, 0x0013, "IS", String(instance))
        w.set(0x0020, 0x0032, "DS", ds([position.x, position.y, position.z]))
        w.set(0x0020, 0x0037, "DS", ds(orientation))
        w.set(0x0020, 0x0052, "UI", frameOfReference)
        w.set(0x0028, 0x0002, "US", .us([1]))
        w.set(0x0028, 0x0004, "CS", "MONOCHROME2")
        w.set(0x0028, 0x0010, "US", .us([UInt16(rows)]))
        w.set(0x0028, 0x0011, "US", .us([UInt16(columns)]))
        w.set(0x0028, 0x0030, "DS", ds([pixelSpacing.row, pixelSpacing.column]))
        w.set(0x0028, 0x0100, "US", .us([16]))
        w.set(0x0028, 0x0101, "US", .us([UInt16(bitsStored)]))
        w.set(0x0028, 0x0102, "US", .us([UInt16(bitsStored - 1)]))
        w.set(0x0028, 0x0103, "US", .us([signed ? 1 : 0]))
        if let intercept { w.set(0x0028, 0x1052, "DS", String(intercept)) }
        if let slope { w.set(0x0028, 0x1053, "DS", String(slope)) }
        w.set(0x7FE0, 0x0010, "OW", .ow(pixels))
        return w
    }
}

/// Comparisons of large voxel arrays, written with buffer loops so they stay fast in debug builds.
enum VoxelComparison {
    /// Number of positions where the arrays differ, and how many of those are true only in `a`.
    static func differences(_ a: [Bool], _ b: [Bool]) -> (total: Int, onlyInA: Int) {
        precondition(a.count == b.count)
        var total = 0, onlyA = 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count where pa[i] != pb[i] {
                    total += 1
                    if pa[i] { onlyA += 1 }
                }
            }
        }
        return (total, onlyA)
    }

    /// Number of differing values and the largest absolute difference.
    static func differences(_ a: [Float], _ b: [Float]) -> (count: Int, maximum: Float) {
        precondition(a.count == b.count)
        var n = 0
        var m: Float = 0
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count where pa[i] != pb[i] {
                    n += 1
                    m = max(m, abs(pa[i] - pb[i]))
                }
            }
        }
        return (n, m)
    }

    static func mean(_ a: [Float]) -> Double {
        a.withUnsafeBufferPointer { p in
            var s = 0.0
            for v in p { s += Double(v) }
            return s / Double(p.count)
        }
    }
}

/// DICOM RLE Lossless (PS3.5 annex G) encoding of one 16-bit frame, with literal runs only:
/// a 64-byte header with the segment offsets, then the high bytes and the low bytes as two
/// PackBits segments.
enum RLEEncoder {
    static func frame(_ pixels: [UInt16]) -> [UInt8] {
        func segment(_ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var i = 0
            while i < bytes.count {
                let n = min(128, bytes.count - i)
                out.append(UInt8(n - 1))
                out += bytes[i..<(i + n)]
                i += n
            }
            if out.count % 2 == 1 { out.append(0) }
            return out
        }
        let high = segment(pixels.map { UInt8($0 >> 8) })
        let low = segment(pixels.map { UInt8($0 & 0xFF) })
        var w = ByteWriter()
        w.u32(2)
        w.u32(64)
        w.u32(UInt32(64 + high.count))
        for _ in 0..<13 { w.u32(0) }
        return w.bytes + high + low
    }
}

/// Writes an RTSTRUCT with the given ROIs: (number, name, contours as lists of LPS points).
func writeRTStruct(to path: String, frameOfReference: String = "1.2.826.0.1.3680043.9999.1",
                   series: String = "1.2.826.0.1.3680043.9999.10",
                   rois: [(Int, String, [[SIMD3<Double>]])]) throws {
    typealias E = (UInt16, UInt16, String, DICOMWriter.Value)
    var w = DICOMWriter()
    w.set(0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.481.3")
    w.set(0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9999.99")
    w.set(0x0008, 0x0060, "CS", "RTSTRUCT")
    let seriesItem: [E] = [(0x0020, 0x000E, "UI", .string(series))]
    let studyItem: [E] = [(0x3006, 0x0014, "SQ", .sequence([seriesItem]))]
    let frameItem: [E] = [(0x0020, 0x0052, "UI", .string(frameOfReference)),
                          (0x3006, 0x0012, "SQ", .sequence([studyItem]))]
    w.set(0x3006, 0x0010, "SQ", .sequence([frameItem]))
    w.set(0x3006, 0x0020, "SQ", .sequence(rois.map { roi -> [E] in
        [(0x3006, 0x0022, "IS", .string(String(roi.0))),
         (0x3006, 0x0024, "UI", .string(frameOfReference)),
         (0x3006, 0x0026, "LO", .string(roi.1))]
    }))
    w.set(0x3006, 0x0039, "SQ", .sequence(rois.map { roi -> [E] in
        let contours = roi.2.map { points -> [E] in
            [(0x3006, 0x0042, "CS", .string("CLOSED_PLANAR")),
             (0x3006, 0x0046, "IS", .string(String(points.count))),
             (0x3006, 0x0050, "DS", .string(points.flatMap { [$0.x, $0.y, $0.z] }.map { String($0) }.joined(separator: "\\")))]
        }
        return [(0x3006, 0x0040, "SQ", .sequence(contours)), (0x3006, 0x0084, "IS", .string(String(roi.0)))]
    }))
    try w.write(to: path)
}

func square(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, z: Double) -> [SIMD3<Double>] {
    [SIMD3(x0, y0, z), SIMD3(x1, y0, z), SIMD3(x1, y1, z), SIMD3(x0, y1, z)]
}
