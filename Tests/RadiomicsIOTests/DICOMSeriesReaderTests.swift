import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsIO

/// The IBSI CT phantom as DICOM and as NIfTI: the two must give the same image.
@Suite struct CTPhantomDICOMTests {
    static let dicomDir = Repository.path("ibsi-phantoms/ct_phantom/dicom/image")
    static let niftiImage = Repository.path("ibsi-phantoms/ct_phantom/nifti/image/phantom.nii.gz")

    @Test func dicomAndNIfTIGiveIdenticalImages() throws {
        let series = try DICOMSeriesReader.read(directory: Self.dicomDir)
        let nifti = try NIfTIReader.readImage(at: Self.niftiImage)
        let d = series.image.grid, n = nifti.grid
        print("CT phantom DICOM: \(d); NIfTI: \(n)")
        #expect(series.modality == "CT")
        #expect(d.size == n.size)
        #expect(d.size == SIMD3(204, 201, 60))
        func within(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ t: Double) -> Bool {
            let e = a - b
            return abs(e.x) <= t && abs(e.y) <= t && abs(e.z) <= t
        }
        #expect(within(d.spacing, n.spacing, 1e-3))
        #expect(within(d.origin, n.origin, 1e-3))
        #expect(within(d.direction.0, n.direction.0, 1e-6))
        #expect(within(d.direction.1, n.direction.1, 1e-6))
        #expect(within(d.direction.2, n.direction.2, 1e-6))
        #expect(d.matches(n))
        // Spacing from positions (3 mm), not from a file-name order.
        #expect(abs(d.spacing.z - 3) < 1e-6)
        let (differing, maxDifference) = VoxelComparison.differences(series.image.voxels, nifti.voxels)
        print("CT phantom DICOM vs NIfTI: \(differing) of \(d.voxelCount) voxels differ (max difference \(maxDifference))")
        #expect(differing == 0)
        // CT values after rescaling are whole Hounsfield units.
        #expect(series.image.voxels.withUnsafeBufferPointer { v in !v.contains { $0 != $0.rounded() } })
    }

    @Test func slicesAreOrderedInSpaceNotByFileName() throws {
        let series = try DICOMSeriesReader.read(directory: Self.dicomDir)
        #expect(series.files.count == 60)
        #expect(series.sopInstanceUIDs.count == 60)
        #expect(Set(series.sopInstanceUIDs).count == 60)
        // The phantom's file names run opposite to the slice positions.
        let names = series.files.map { ($0 as NSString).lastPathComponent }
        #expect(names.first == "DCM_IMG_00059.dcm")
        #expect(names.last == "DCM_IMG_00000.dcm")
    }
}

/// Synthetic series written by the tests, with known geometry and values.
@Suite struct SyntheticDICOMSeriesTests {
    // An oblique orientation: rows along (cos 30°, sin 30°, 0), columns along -z, so the slice
    // normal (row x column) is (-0.5, cos 30°, 0) and slices are not ordered by any one axis.
    static let rowCos = SIMD3<Double>(3.0.squareRoot() / 2, 0.5, 0)
    static let colCos = SIMD3<Double>(0, 0, -1)
    static let normal = SIMD3<Double>(-0.5, 3.0.squareRoot() / 2, 0)
    static let origin = SIMD3<Double>(-12.5, 40, 7)
    static let orientation = [rowCos.x, rowCos.y, rowCos.z, colCos.x, colCos.y, colCos.z]
    static let rows = 3, columns = 4

    static func pixels(slice k: Int) -> [UInt16] {
        (0..<rows).flatMap { y in (0..<columns).map { x in UInt16(100 * k + 10 * y + x) } }
    }

    /// Writes slices `ks` of one series, file names and instance numbers deliberately not in
    /// spatial order. Even slices carry slope 2 / intercept -1000, odd ones no rescale at all.
    static func writeSeries(in dir: String, series: String = "1.2.826.0.1.3680043.9999.10", ks: [Int],
                            spacing: Double = 2.5, orientation: [Double] = orientation) throws {
        for (n, k) in ks.enumerated() {
            let position = origin + normal * (Double(k) * spacing)
            let even = k % 2 == 0
            let w = DICOMWriter.slice(
                series: series, instance: 100 - k, rows: rows, columns: columns, position: position,
                orientation: orientation, pixelSpacing: (row: 0.8, column: 0.6), pixels: pixels(slice: k),
                slope: even ? 2 : nil, intercept: even ? -1000 : nil, sliceThickness: 5)
            try w.write(to: (dir as NSString).appendingPathComponent("f\((n * 7) % ks.count)-\(series.suffix(2)).dcm"))
        }
    }

    @Test func obliqueSeriesGeometryAndPerSliceRescale() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeSeries(in: dir.path, ks: [3, 0, 4, 1, 2])
        let s = try DICOMSeriesReader.read(directory: dir.path)
        let g = s.image.grid
        #expect(g.size == SIMD3(4, 3, 5))
        // PixelSpacing is (row spacing = y, column spacing = x); z from positions, not SliceThickness.
        #expect(abs(g.spacing.x - 0.6) < 1e-9 && abs(g.spacing.y - 0.8) < 1e-9 && abs(g.spacing.z - 2.5) < 1e-6)
        #expect(((g.origin - Self.origin) * (g.origin - Self.origin)).sum() < 1e-10)
        for (a, b) in [(g.direction.0, Self.rowCos), (g.direction.1, Self.colCos), (g.direction.2, Self.normal)] {
            #expect(((a - b) * (a - b)).sum() < 1e-12)
        }
        for k in 0..<5 {
            let (slope, intercept): (Float, Float) = k % 2 == 0 ? (2, -1000) : (1, 0)
            for y in 0..<3 {
                for x in 0..<4 {
                    #expect(s.image[x, y, k] == Float(100 * k + 10 * y + x) * slope + intercept)
                }
            }
        }
        #expect(s.sopInstanceUIDs == (0..<5).map { "1.2.826.0.1.3680043.9999.10.\(100 - $0)" })
        // World position of a voxel follows the DICOM definition: origin + x*dx*row + y*dy*col + z*dz*normal.
        let w = g.world(SIMD3(2, 1, 3))
        let expected = Self.origin + Self.rowCos * 1.2 + Self.colCos * 0.8 + Self.normal * 7.5
        #expect(((w - expected) * (w - expected)).sum() < 1e-10)
    }

    @Test func signedTwelveBitValuesAreSignExtended() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // -5 in 12-bit two's complement, once with the unused high bits set (they must be ignored).
        let stored: [UInt16] = [0x0FFB, 0xFFFB, 0x07FF, 0x0800, 0, 1, 2, 3, 4, 5, 6, 7]
        let w = DICOMWriter.slice(series: "1.2.3.4", instance: 1, modality: "MR", rows: 3, columns: 4,
                                  position: .zero, orientation: [1, 0, 0, 0, 1, 0], pixelSpacing: (row: 1, column: 1),
                                  pixels: stored, signed: true, bitsStored: 12, sliceThickness: 2)
        try w.write(to: dir.file("one.dcm"))
        let s = try DICOMSeriesReader.read(directory: dir.path)
        #expect(s.modality == "MR")
        #expect(Array(s.image.voxels.prefix(6)) == [-5, -5, 2047, -2048, 0, 1])
        // One slice: the slice spacing falls back to SliceThickness.
        #expect(s.image.grid.spacing.z == 2)
    }

    @Test func severalSeriesNeedAChoice() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeSeries(in: dir.path, series: "1.2.826.0.1.3680043.9999.11", ks: [0, 1])
        try Self.writeSeries(in: dir.path, series: "1.2.826.0.1.3680043.9999.12", ks: [0, 1, 2])
        let error = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.path) }
        #expect(error?.message.contains("1.2.826.0.1.3680043.9999.11") == true)
        #expect(error?.message.contains("1.2.826.0.1.3680043.9999.12") == true)
        #expect(error?.message.contains("pick one") == true)
        let picked = try DICOMSeriesReader.read(directory: dir.path, seriesInstanceUID: "1.2.826.0.1.3680043.9999.12")
        #expect(picked.image.grid.size.z == 3)
        #expect(picked.seriesInstanceUID == "1.2.826.0.1.3680043.9999.12")
        let unknown = #expect(throws: RadiomicsError.self) {
            try DICOMSeriesReader.read(directory: dir.path, seriesInstanceUID: "9.9.9")
        }
        #expect(unknown?.message.contains("no series with SeriesInstanceUID 9.9.9") == true)
    }

    @Test func missingSliceIsReportedWithItsPlace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeSeries(in: dir.path, ks: [0, 1, 2, 4, 5])
        let error = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.path) }
        #expect(error?.category == .input)
        #expect(error?.message.contains("not uniform") == true)
        #expect(error?.message.contains("5 mm between") == true)
        #expect(error?.message.contains("1 slice(s) missing") == true)
    }

    /// A slice 1e300 mm away made the missing-slice count overflow Int and trap.
    @Test func absurdSlicePositionIsReportedNotATrap() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeSeries(in: dir.path, ks: [0, 1, 2])
        let w = DICOMWriter.slice(series: "1.2.826.0.1.3680043.9999.10", instance: 9, rows: Self.rows, columns: Self.columns,
                                  position: Self.origin + Self.normal * 1e300, orientation: Self.orientation,
                                  pixelSpacing: (row: 0.8, column: 0.6), pixels: Self.pixels(slice: 3))
        try w.write(to: dir.file("far.dcm"))
        let error = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.path) }
        #expect(error?.message.contains("not uniform") == true)
        #expect(error?.message.contains("a slice position is far off") == true)
    }

    @Test func duplicatePositionsAreRejected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeSeries(in: dir.path, ks: [0, 1, 2])
        var w = DICOMWriter.slice(series: "1.2.826.0.1.3680043.9999.10", instance: 7, rows: Self.rows, columns: Self.columns,
                                  position: Self.origin + Self.normal * 2.5, orientation: Self.orientation,
                                  pixelSpacing: (row: 0.8, column: 0.6), pixels: Self.pixels(slice: 1))
        w.set(0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9999.10.777")
        try w.write(to: dir.file("copy.dcm"))
        let error = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.path) }
        #expect(error?.message.contains("duplicate") == true)
    }

    @Test func mixedOrientationsAreRejected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeSeries(in: dir.path, ks: [0, 1, 2])
        let w = DICOMWriter.slice(series: "1.2.826.0.1.3680043.9999.10", instance: 50, rows: Self.rows, columns: Self.columns,
                                  position: Self.origin + Self.normal * 7.5, orientation: [1, 0, 0, 0, 1, 0],
                                  pixelSpacing: (row: 0.8, column: 0.6), pixels: Self.pixels(slice: 3))
        try w.write(to: dir.file("axial.dcm"))
        let error = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.path) }
        #expect(error?.message.contains("mixed orientations") == true)
    }

    @Test func multiFrameObjectsAreRejected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var w = DICOMWriter.slice(series: "1.2.3.5", instance: 1, rows: 3, columns: 4, position: .zero,
                                  orientation: [1, 0, 0, 0, 1, 0], pixelSpacing: (row: 1, column: 1),
                                  pixels: [UInt16](repeating: 1, count: 24))
        w.set(0x0028, 0x0008, "IS", "2")
        try w.write(to: dir.file("mf.dcm"))
        let error = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.path) }
        #expect(error?.message.contains("multi-frame") == true)
    }

    @Test func rleCompressedSlicesAreDecoded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // 300 pixels so that the PackBits runs are split; values use both bytes.
        let pixels = (0..<300).map { UInt16(($0 * 263) % 65_536) }
        for k in 0..<2 {
            var w = DICOMWriter.slice(series: "1.2.3.7", instance: k, rows: 15, columns: 20, position: SIMD3(0, 0, Double(k) * 1.5),
                                      orientation: [1, 0, 0, 0, 1, 0], pixelSpacing: (row: 1, column: 1), pixels: [],
                                      slope: 1, intercept: Double(-1000 * k))
            w.transferSyntax = "1.2.840.10008.1.2.5"  // RLE Lossless
            w.set(0x7FE0, 0x0010, "OB", .encapsulated([RLEEncoder.frame(pixels)]))
            try w.write(to: dir.file("rle\(k).dcm"))
        }
        let s = try DICOMSeriesReader.read(directory: dir.path)
        #expect(s.transferSyntaxes.count == 1 && s.transferSyntaxes[0].contains("RLE"))
        #expect(Array(s.image.voxels[0..<300]) == pixels.map(Float.init))
        #expect(Array(s.image.voxels[300..<600]) == pixels.map { Float($0) - 1000 })
        #expect(s.image.grid.spacing.z == 1.5)
    }

    @Test func undecodableTransferSyntaxIsNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var w = DICOMWriter.slice(series: "1.2.3.6", instance: 1, rows: 3, columns: 4, position: .zero,
                                  orientation: [1, 0, 0, 0, 1, 0], pixelSpacing: (row: 1, column: 1), pixels: [])
        w.transferSyntax = "1.2.840.10008.1.2.4.90"  // JPEG 2000 Image Compression (Lossless Only)
        w.set(0x7FE0, 0x0010, "OB", .encapsulated([[0xFF, 0x4F, 0xFF, 0x51, 1, 2, 3, 4]]))
        try w.write(to: dir.file("j2k.dcm"))
        let error = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.path) }
        print("JPEG 2000 error: \(error.map(String.init(describing:)) ?? "none")")
        #expect(error?.file == dir.file("j2k.dcm"))
        #expect(error?.message.contains("1.2.840.10008.1.2.4.90") == true)
        #expect(error?.message.contains("JPEG 2000") == true)
    }

    @Test func directoriesWithoutImages() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let empty = try dir.subdirectory("empty")
        let e1 = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: empty) }
        #expect(e1?.message.contains("empty") == true)

        let text = try dir.subdirectory("text")
        try "not DICOM".write(toFile: (text as NSString).appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let e2 = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: text) }
        #expect(e2?.message.contains("no DICOM files") == true)

        let rtOnly = try dir.subdirectory("rt")
        try FileManager.default.copyItem(
            atPath: Repository.path("ibsi-phantoms/ct_phantom/dicom/mask/DCM_RS_00060.dcm"),
            toPath: (rtOnly as NSString).appendingPathComponent("rs.dcm"))
        let e3 = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: rtOnly) }
        #expect(e3?.message.contains("no DICOM images") == true)
        #expect(e3?.message.contains("RTSTRUCT") == true)

        let e4 = #expect(throws: RadiomicsError.self) { try DICOMSeriesReader.read(directory: dir.file("absent")) }
        #expect(e4 == RadiomicsError.input(dir.file("absent"), "directory not found"))
    }
}
