import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsIO

/// Locates files of the repository from the test source's own path, so tests run from any
/// working directory.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

@Suite struct NIfTIReaderTests {
    @Test func digitalPhantomGeometryAndValues() throws {
        let image = try NIfTIReader.readImage(at: Repository.path("ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz"))
        #expect(image.grid.size == SIMD3(5, 4, 4))
        #expect(image.grid.spacing == SIMD3(2, 2, 2))
        let mask = try NIfTIReader.readLabels(at: Repository.path("ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz"))
        #expect(mask.grid.matches(image.grid))
        let inROI = zip(image.voxels, mask.voxels).filter { $0.1 != 0 }.map(\.0)
        // The phantom's ROI holds 74 voxels with grey levels 1, 3, 4 and 6 (IBSI 1, digital phantom).
        #expect(inROI.count == 74)
        #expect(Set(inROI) == [1, 3, 4, 6])
        print(image.grid)
    }

    @Test func missingFileIsAnInputErrorNamingTheFile() {
        #expect(throws: RadiomicsError.input("/nonexistent/x.nii.gz", "file not found")) {
            try NIfTIReader.readImage(at: "/nonexistent/x.nii.gz")
        }
    }
}

/// Datatypes, intensity scaling and geometry of small NIfTI-1 and NIfTI-2 files written here.
@Suite struct NIfTIDatatypeTests {
    static let size = (3, 4, 2)
    /// Values 0..23 shifted so that signed types hold negatives.
    static func values(offset: Double) -> [Double] { (0..<24).map { Double($0) + offset } }
    /// RAS sform with spacing (0.5, 0.75, 2) and origin (10, -20, 30).
    static let srow: [[Double]] = [[0.5, 0, 0, 10], [0, 0.75, 0, -20], [0, 0, 2, 30]]

    func check(_ image: Image, expected: [Double], tolerance: Float = 0) {
        #expect(image.grid.size == SIMD3(3, 4, 2))
        #expect(image.grid.spacing == SIMD3(0.5, 0.75, 2))
        // RAS (10, -20, 30) is LPS (-10, 20, 30); the x and y axes flip.
        #expect(image.grid.origin == SIMD3(-10, 20, 30))
        #expect(image.grid.direction.0 == SIMD3(-1, 0, 0))
        #expect(image.grid.direction.1 == SIMD3(0, -1, 0))
        #expect(image.grid.direction.2 == SIMD3(0, 0, 1))
        #expect(image.voxels.count == expected.count)
        for (a, b) in zip(image.voxels, expected) {
            #expect(abs(a - Float(b)) <= tolerance, "voxel \(a) expected \(b)")
        }
    }

    @Test(arguments: [1, 2])
    func uint8WithSlopeAndIntercept(version: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("u8.nii")
        let raw = Self.values(offset: 200)
        try NIfTIWriter.write(path: path, version: version, size: Self.size, pixdim: (0.5, 0.75, 2), type: .uint8,
                              values: raw, slope: 2, intercept: -5, srow: Self.srow)
        check(try NIfTIReader.readImage(at: path), expected: raw.map { $0 * 2 - 5 })
        // Masks are read as stored, without scaling.
        #expect(try NIfTIReader.readLabels(at: path).voxels == raw)
    }

    @Test(arguments: [1, 2])
    func int16NegativeValuesAndCTLikeIntercept(version: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("i16.nii")
        let raw = Self.values(offset: -12).map { $0 * 1000 }
        try NIfTIWriter.write(path: path, version: version, size: Self.size, pixdim: (0.5, 0.75, 2), type: .int16,
                              values: raw, slope: 1, intercept: -1024, srow: Self.srow)
        check(try NIfTIReader.readImage(at: path), expected: raw.map { $0 - 1024 })
    }

    @Test(arguments: [1, 2])
    func float32WithZeroSlopeIsUnscaled(version: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("f32.nii")
        let raw = Self.values(offset: -3.25)
        try NIfTIWriter.write(path: path, version: version, size: Self.size, pixdim: (0.5, 0.75, 2), type: .float32,
                              values: raw, slope: 0, intercept: 7, srow: Self.srow)
        check(try NIfTIReader.readImage(at: path), expected: raw)
    }

    @Test(arguments: [1, 2])
    func float64WithFractionalSlope(version: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("f64.nii")
        let raw = Self.values(offset: 0.1)
        try NIfTIWriter.write(path: path, version: version, size: Self.size, pixdim: (0.5, 0.75, 2), type: .float64,
                              values: raw, slope: 0.5, intercept: 1, srow: Self.srow)
        check(try NIfTIReader.readImage(at: path), expected: raw.map { $0 * 0.5 + 1 }, tolerance: 1e-5)
    }

    @Test func qformWithNegativeQfacFlipsTheSliceAxis() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("q.nii")
        try NIfTIWriter.write(path: path, size: Self.size, pixdim: (1.5, 1.25, 4), type: .int16,
                              values: Self.values(offset: 0), qfac: -1, qoffset: (5, 6, 7))
        let image = try NIfTIReader.readImage(at: path)
        #expect(image.grid.spacing == SIMD3(1.5, 1.25, 4))
        #expect(image.grid.origin == SIMD3(-5, -6, 7))
        #expect(image.grid.direction.0 == SIMD3(-1, 0, 0))
        #expect(image.grid.direction.1 == SIMD3(0, -1, 0))
        #expect(image.grid.direction.2 == SIMD3(0, 0, -1))
        #expect(image.grid.world(SIMD3(1, 1, 1)) == SIMD3(-6.5, -7.25, 3))
    }

    @Test func shearedAffineIsRejected() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("shear.nii")
        // The z axis leans 0.5 mm in y per slice (a 14 degree tilt).
        try NIfTIWriter.write(path: path, size: Self.size, pixdim: (1, 1, 2), type: .int16,
                              values: Self.values(offset: 0), srow: [[1, 0, 0, 0], [0, 1, 0.5, 0], [0, 0, 2, 0]])
        let error = #expect(throws: RadiomicsError.self) { try NIfTIReader.readImage(at: path) }
        #expect(error?.message.contains("not perpendicular") == true)
    }

    @Test func truncatedFileIsAnInputError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("t.nii")
        try NIfTIWriter.write(path: path, size: Self.size, pixdim: (1, 1, 1), type: .float64,
                              values: Self.values(offset: 0), srow: Self.srow)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(400).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: RadiomicsError.self) { try NIfTIReader.readImage(at: path) }
        #expect(error?.category == .input)
        #expect(error?.file == path)
    }
}
