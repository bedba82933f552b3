import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsIO

@Suite struct LoaderTests {
    static let srow: [[Double]] = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]

    /// A 4 x 3 x 2 label map: label 1 in 5 voxels, label 2 in 3, label 5 in 1.
    static let labels: [Double] = [
        0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1,
        2, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 5,
    ]

    static func writeImage(_ path: String, pixdim: (Double, Double, Double) = (1, 1, 1)) throws {
        try NIfTIWriter.write(path: path, size: (4, 3, 2), pixdim: pixdim, type: .int16,
                              values: (0..<24).map(Double.init), srow: [[pixdim.0, 0, 0, 0], [0, pixdim.1, 0, 0], [0, 0, pixdim.2, 0]])
    }

    @Test func nIfTILabelSelection() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        let image = try ImageLoader.load(path: dir.file("img.nii"))
        #expect(image.modality == nil)
        #expect(image.image.voxels[23] == 23)
        for type in [NIfTIWriter.DataType.uint8, .int16, .int32, .float32, .float64] {
            let path = dir.file("mask-\(type).nii")
            try NIfTIWriter.write(path: path, size: (4, 3, 2), pixdim: (1, 1, 1), type: type, values: Self.labels, srow: Self.srow)
            #expect(try MaskLoader.load(path: path, onto: image, imagePath: image.path).count == 9)
            #expect(try MaskLoader.load(path: path, label: 1, onto: image, imagePath: image.path).count == 5)
            let two = try MaskLoader.load(path: path, label: 2, onto: image, imagePath: image.path)
            #expect(two.count == 3 && two.voxels[12] && two.voxels[16])
            #expect(try MaskLoader.load(path: path, label: 5, onto: image, imagePath: image.path).count == 1)
            let absent = #expect(throws: RadiomicsError.self) {
                try MaskLoader.load(path: path, label: 3, onto: image, imagePath: image.path)
            }
            #expect(absent == RadiomicsError.input(path, "mask has no voxel with label 3; labels present: 1, 2, 5"))
        }
    }

    @Test func nonIntegerMaskIsThresholdedAtOneHalf() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        let image = try ImageLoader.load(path: dir.file("img.nii"))
        var values = [Double](repeating: 0, count: 24)
        values[0] = 0.49; values[1] = 0.5; values[2] = 0.75; values[3] = 1
        try NIfTIWriter.write(path: dir.file("p.nii"), size: (4, 3, 2), pixdim: (1, 1, 1), type: .float32, values: values, srow: Self.srow)
        let mask = try MaskLoader.load(path: dir.file("p.nii"), onto: image, imagePath: image.path)
        #expect(Array(mask.voxels.prefix(5)) == [false, true, true, true, false])
        #expect(throws: RadiomicsError.self) { try MaskLoader.load(path: dir.file("p.nii"), label: 1, onto: image, imagePath: image.path) }
    }

    @Test func emptyMaskIsAnError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        try NIfTIWriter.write(path: dir.file("zero.nii"), size: (4, 3, 2), pixdim: (1, 1, 1), type: .uint8,
                              values: [Double](repeating: 0, count: 24), srow: Self.srow)
        let image = try ImageLoader.load(path: dir.file("img.nii"))
        let error = #expect(throws: RadiomicsError.self) {
            try MaskLoader.load(path: dir.file("zero.nii"), onto: image, imagePath: image.path)
        }
        #expect(error == RadiomicsError.input(dir.file("zero.nii"), "mask is empty (no non-zero voxels)"))
    }

    @Test func gridMismatchNamesBothFilesAndGrids() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        try NIfTIWriter.write(path: dir.file("mask.nii"), size: (4, 3, 2), pixdim: (1, 1, 2), type: .uint8, values: Self.labels,
                              srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0]])
        let image = try ImageLoader.load(path: dir.file("img.nii"))
        let error = #expect(throws: RadiomicsError.self) {
            try MaskLoader.load(path: dir.file("mask.nii"), onto: image, imagePath: dir.file("img.nii"))
        }
        print("grid mismatch: \(error.map(String.init(describing:)) ?? "none")")
        #expect(error?.file == dir.file("mask.nii"))
        #expect(error?.message.contains(dir.file("img.nii")) == true)
        #expect(error?.message.contains("4x3x2 voxels of 1x1x2 mm") == true)
        #expect(error?.message.contains("4x3x2 voxels of 1x1x1 mm") == true)
    }

    @Test func missingAndUnknownInputs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        let image = try ImageLoader.load(path: dir.file("img.nii"))
        #expect(throws: RadiomicsError.input("/nonexistent/ct", "file or directory not found")) {
            try ImageLoader.load(path: "/nonexistent/ct")
        }
        #expect(throws: RadiomicsError.input("/nonexistent/m.nii.gz", "file not found")) {
            try MaskLoader.load(path: "/nonexistent/m.nii.gz", onto: image, imagePath: image.path)
        }
        #expect(throws: RadiomicsError.input("/nonexistent/rs.dcm", "file not found")) {
            try RTStruct.read(path: "/nonexistent/rs.dcm")
        }
        try "x".write(toFile: dir.file("notes.txt"), atomically: true, encoding: .utf8)
        let unknownImage = #expect(throws: RadiomicsError.self) { try ImageLoader.load(path: dir.file("notes.txt")) }
        #expect(unknownImage?.message.contains("unknown image format") == true)
        let unknownMask = #expect(throws: RadiomicsError.self) {
            try MaskLoader.load(path: dir.file("notes.txt"), onto: image, imagePath: image.path)
        }
        #expect(unknownMask?.message.contains("unknown mask format") == true)
        let oneSlice = #expect(throws: RadiomicsError.self) {
            try ImageLoader.load(path: Repository.path("ibsi-phantoms/ct_phantom/dicom/image/DCM_IMG_00000.dcm"))
        }
        #expect(oneSlice?.message.contains("give the directory") == true)
        let rtAsImage = #expect(throws: RadiomicsError.self) {
            try ImageLoader.load(path: Repository.path("ibsi-phantoms/ct_phantom/dicom/mask/DCM_RS_00060.dcm"))
        }
        #expect(rtAsImage?.message.contains("RTSTRUCT") == true)
        let notRT = #expect(throws: RadiomicsError.self) {
            try RTStruct.read(path: Repository.path("ibsi-phantoms/ct_phantom/dicom/image/DCM_IMG_00000.dcm"))
        }
        #expect(notRT?.message == "DICOM file has Modality CT, expected RTSTRUCT")
    }

    @Test func dicomDirectoryThroughTheImageLoader() throws {
        let loaded = try ImageLoader.load(path: Repository.path("ibsi-phantoms/ct_phantom/dicom/image"))
        #expect(loaded.modality == "CT")
        #expect(loaded.dicom?.files.count == 60)
        #expect(loaded.source.hasPrefix("DICOM CT series"))
        // A directory holding one RTSTRUCT is accepted as the mask.
        let mask = try MaskLoader.load(path: Repository.path("ibsi-phantoms/ct_phantom/dicom/mask"), roi: "GTV-1",
                                       onto: loaded, imagePath: loaded.path)
        #expect(mask.count == 125_256)
        let wrongKind = #expect(throws: RadiomicsError.self) {
            try MaskLoader.load(path: Repository.path("ibsi-phantoms/ct_phantom/dicom/mask/DCM_RS_00060.dcm"), label: 1,
                                onto: loaded, imagePath: loaded.path)
        }
        #expect(wrongKind?.category == .usage)
    }
}

/// Shared STS data (outside the repository); the suite is skipped when it is absent.
let stsRoot = "/work/shared/data/sts/STS_001"

/// STS_001 (soft-tissue sarcoma) as DICOM and NIfTI, when the shared data set is present.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: stsRoot), "STS_001 data not present"))
struct STSTests {
    static let root = stsRoot

    @Test(arguments: [("CT", "CT"), ("PET", "PT"), ("MR_T1", "MR")])
    func dicomMatchesNIfTI(folder: String, modality: String) throws {
        let dicom = try ImageLoader.load(path: "\(Self.root)/dicom/\(folder)/image")
        let nifti = try ImageLoader.load(path: "\(Self.root)/\(folder)_image.nii.gz")
        #expect(dicom.modality == modality)
        let d = dicom.grid, n = nifti.grid
        print("STS_001 \(folder): DICOM \(d) units \(dicom.dicom?.units ?? "-"); NIfTI \(n)")
        #expect(d.matches(n), "DICOM \(MaskLoader.describe(d)) vs NIfTI \(MaskLoader.describe(n))")
        let md = VoxelComparison.mean(dicom.image.voxels), mn = VoxelComparison.mean(nifti.image.voxels)
        let (differing, maxDifference) = VoxelComparison.differences(dicom.image.voxels, nifti.image.voxels)
        print("STS_001 \(folder): mean DICOM \(md), NIfTI \(mn); \(differing) voxels differ, by at most \(maxDifference)")
        // Same voxels up to float rounding of the rescale (relative 1e-4 of the value range).
        let range = Double(nifti.image.voxels.max()! - nifti.image.voxels.min()!)
        #expect(Double(maxDifference) <= 1e-4 * range)

        let rtPath = "\(Self.root)/dicom/\(folder)/mask/RS.dcm"
        let fromRT = try MaskLoader.load(path: rtPath, onto: dicom, imagePath: dicom.path)
        let fromNIfTI = try MaskLoader.load(path: "\(Self.root)/\(folder)_mask.nii.gz", onto: nifti, imagePath: nifti.path)
        let differ = VoxelComparison.differences(fromRT.voxels, fromNIfTI.voxels).total
        print("STS_001 \(folder): RTSTRUCT \(fromRT.count) voxels, NIfTI mask \(fromNIfTI.count), \(differ) differ (\(String(format: "%.2f", 100 * Double(differ) / Double(fromNIfTI.count)))%)")
        #expect(Double(differ) <= 0.05 * Double(fromNIfTI.count))
    }
}
