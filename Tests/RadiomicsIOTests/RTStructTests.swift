import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsIO

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

@Suite struct RTStructTests {
    /// 10 x 10 x 4 voxels of 1 mm with voxel centres at whole millimetres.
    static let grid = Grid(size: SIMD3(10, 10, 4), spacing: SIMD3(1, 1, 1))

    static func writeExample(to path: String) throws {
        try writeRTStruct(to: path, rois: [
            (1, "Tumour", [
                square(1.5, 1.5, 7.5, 7.5, z: 1),         // 6 x 6 centres
                square(3.5, 3.5, 5.5, 5.5, z: 1),         // a 2 x 2 hole in it
                square(-5, -5, 2.5, 2.5, z: 2.1),         // clipped at the grid's corner: 3 x 3
                square(1.5, 1.5, 3.5, 3.5, z: 25),        // beyond the last slice: dropped
            ]),
            (7, "Node", [square(5.5, 5.5, 8.5, 6.5, z: 3)]),  // 3 x 1
        ])
    }

    @Test func readsNamesNumbersReferencesAndContours() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeExample(to: dir.file("rs.dcm"))
        let rt = try RTStruct.read(path: dir.file("rs.dcm"))
        #expect(rt.roiNames == ["Tumour", "Node"])
        #expect(rt.rois.map(\.number) == [1, 7])
        #expect(rt.rois.map(\.contours.count) == [4, 1])
        #expect(rt.rois[0].contours[2].points[0] == SIMD3(-5, -5, 2.1))
        #expect(rt.frameOfReferenceUIDs == ["1.2.826.0.1.3680043.9999.1"])
        #expect(rt.referencedSeriesInstanceUIDs == ["1.2.826.0.1.3680043.9999.10"])
    }

    @Test func evenOddHolesClippingAndSliceMatching() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeExample(to: dir.file("rs.dcm"))
        let rt = try RTStruct.read(path: dir.file("rs.dcm"))
        let mask = try rt.rasterise(roiName: "Tumour", onto: Self.grid)
        func count(_ z: Int) -> Int { (0..<10).flatMap { y in (0..<10).map { x in mask[x, y, z] } }.filter { $0 }.count }
        #expect(count(0) == 0)
        #expect(count(1) == 36 - 4)
        #expect(count(2) == 9)
        #expect(count(3) == 0)
        #expect(mask[2, 2, 1] && mask[7, 7, 1] && !mask[8, 7, 1] && !mask[4, 4, 1] && mask[3, 4, 1])
        #expect(mask[0, 0, 2] && mask[2, 2, 2] && !mask[3, 2, 2])
        let node = try rt.rasterise(roiName: "node", onto: Self.grid)  // case-insensitive fallback
        #expect(node.count == 3 && node[6, 6, 3] && node[8, 6, 3])
    }

    @Test func roiSelectionErrorsListTheNames() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeExample(to: dir.file("rs.dcm"))
        let rt = try RTStruct.read(path: dir.file("rs.dcm"))
        let unnamed = #expect(throws: RadiomicsError.self) { try rt.rasterise(roiName: nil, onto: Self.grid, file: "x.dcm") }
        #expect(unnamed?.file == "x.dcm")
        #expect(unnamed?.message.contains("2 ROIs (\"Tumour\", \"Node\")") == true)
        let unknown = #expect(throws: RadiomicsError.self) { try rt.rasterise(roiName: "Liver", onto: Self.grid) }
        #expect(unknown?.message == "RTSTRUCT has no ROI named \"Liver\"; its ROIs are: \"Tumour\", \"Node\"")
    }

    @Test func frameOfReferenceMismatchIsRejected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try writeRTStruct(to: dir.file("rs.dcm"), frameOfReference: "1.2.3.999", rois: [(1, "Tumour", [square(1.5, 1.5, 7.5, 7.5, z: 1)])])
        let image = Image(grid: Self.grid, repeating: 0)
        let series = DICOMSeries(image: image, modality: "CT", seriesInstanceUID: "1.2.826.0.1.3680043.9999.10",
                                 frameOfReferenceUID: "1.2.826.0.1.3680043.9999.1", sopInstanceUIDs: [], files: [])
        let loaded = LoadedImage(image: image, modality: "CT", path: "/img", source: "test", dicom: series)
        let error = #expect(throws: RadiomicsError.self) {
            try MaskLoader.load(path: dir.file("rs.dcm"), onto: loaded, imagePath: "/img")
        }
        #expect(error?.file == dir.file("rs.dcm"))
        #expect(error?.message.contains("frame of reference 1.2.3.999") == true)
        // Same frame of reference but drawn on another series.
        try writeRTStruct(to: dir.file("other.dcm"), series: "1.2.3.888", rois: [(1, "Tumour", [square(1.5, 1.5, 7.5, 7.5, z: 1)])])
        let otherSeries = #expect(throws: RadiomicsError.self) {
            try MaskLoader.load(path: dir.file("other.dcm"), onto: loaded, imagePath: "/img")
        }
        #expect(otherSeries?.message.contains("references series 1.2.3.888") == true)
        #expect(try MaskLoader.load(path: dir.file("other.dcm"), onto: Self.grid, imagePath: "/img.nii").count == 36)
        // Without DICOM UIDs (a NIfTI image), there is nothing to check and the ROI is rasterised.
        let mask = try MaskLoader.load(path: dir.file("rs.dcm"), onto: Self.grid, imagePath: "/img.nii")
        #expect(mask.count == 36)
    }

    @Test func ctPhantomRTStructAgreesWithTheNIfTIMask() throws {
        let image = try DICOMSeriesReader.read(directory: Repository.path("ibsi-phantoms/ct_phantom/dicom/image"))
        let rtPath = Repository.path("ibsi-phantoms/ct_phantom/dicom/mask/DCM_RS_00060.dcm")
        let rt = try RTStruct.read(path: rtPath)
        #expect(rt.roiNames == ["GTV-1"])
        #expect(rt.frameOfReferenceUIDs == [image.frameOfReferenceUID ?? "-"])
        #expect(rt.referencedSeriesInstanceUIDs == [image.seriesInstanceUID])
        let loaded = LoadedImage(image: image.image, modality: image.modality, path: "ct", source: "", dicom: image)
        let fromRT = try MaskLoader.load(path: rtPath, roi: "GTV-1", onto: loaded, imagePath: "ct")
        let fromNIfTI = try MaskLoader.load(path: Repository.path("ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz"),
                                            onto: image.image.grid, imagePath: "ct")
        let (difference, onlyRT) = VoxelComparison.differences(fromRT.voxels, fromNIfTI.voxels)
        let onlyNIfTI = difference - onlyRT
        print("CT phantom GTV-1: RTSTRUCT \(fromRT.count) voxels, NIfTI mask \(fromNIfTI.count) voxels, \(difference) differ (\(onlyRT) only in RTSTRUCT, \(onlyNIfTI) only in NIfTI)")
        #expect(fromNIfTI.count > 100_000)
        #expect(Double(difference) <= 0.005 * Double(fromNIfTI.count))
    }
}
