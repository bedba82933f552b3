import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsIO

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

    /// Coordinates far outside the grid used to trap converting them to Int indices.
    @Test func contoursWithHugeOrInfiniteCoordinates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try writeRTStruct(to: dir.file("rs.dcm"), rois: [
            (1, "Wide", [square(1.5, 1.5, 1e300, 7.5, z: 1)]),          // clipped at the grid's x edge: 8 x 6
            (2, "Tall", [square(1.5, -1e300, 3.5, 1e300, z: 2)]),       // clipped in y: 2 x 10
            (3, "Far", [square(1.5, 1.5, 3.5, 3.5, z: 1e300)]),         // far beyond the last slice: dropped
            (4, "Infinite", [square(1.5, 1.5, 3.5, 3.5, z: .infinity)]),  // DS "inf"
        ])
        let rt = try RTStruct.read(path: dir.file("rs.dcm"))
        #expect(try rt.rasterise(roiName: "Wide", onto: Self.grid).count == 48)
        #expect(try rt.rasterise(roiName: "Tall", onto: Self.grid).count == 20)
        #expect(try rt.rasterise(roiName: "Far", onto: Self.grid).count == 0)
        let infinite = #expect(throws: RadiomicsError.self) { try rt.rasterise(roiName: "Infinite", onto: Self.grid) }
        #expect(infinite?.message == "contour 1 of ROI \"Infinite\" has NaN or infinite coordinates")
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
