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

    /// A float32 image is decoded into the voxel array itself and scaled there, plain or gzip.
    @Test(arguments: [1, 2], [false, true])
    func float32WithSlopeIsScaledInPlace(version: Int, gzipped: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("f32.nii")
        let raw = Self.values(offset: -3.25)
        try NIfTIWriter.write(path: path, version: version, size: Self.size, pixdim: (0.5, 0.75, 2), type: .float32,
                              values: raw, slope: 2, intercept: -1, srow: Self.srow)
        var file = path
        if gzipped {
            file = dir.file("f32.nii.gz")
            let packed = try NIfTIGzipTests.gzip(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            try Data(packed).write(to: URL(fileURLWithPath: file))
        }
        check(try NIfTIReader.readImage(at: file), expected: raw.map { Double(Float($0)) * 2 - 1 })
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

/// gzip streams as other writers leave them: several members, a trailer size that is wrong
/// (ISIZE is the last member's size mod 2^32), padding after the last member.
@Suite struct NIfTIGzipTests {
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-c", "-n"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Array(data)
    }

    /// An uncompressed NIfTI-1 file of 40 x 30 x 20 int16 voxels.
    static func plain() throws -> (bytes: [UInt8], values: [Double]) {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let values = (0..<24_000).map { Double($0 % 3000 - 1000) }
        try NIfTIWriter.write(path: dir.file("p.nii"), size: (40, 30, 20), pixdim: (1, 1, 2), type: .int16, values: values,
                              srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 2, 0]])
        return (Array(try Data(contentsOf: URL(fileURLWithPath: dir.file("p.nii")))), values)
    }

    func read(_ bytes: [UInt8]) throws -> [Float] {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data(bytes).write(to: URL(fileURLWithPath: dir.file("x.nii.gz")))
        let fromFile = try NIfTIReader.readImage(at: dir.file("x.nii.gz"))
        let fromMemory = try NIfTIReader.readImage(bytes: bytes, name: "x.nii.gz")
        #expect(fromFile.voxels == fromMemory.voxels && fromFile.grid.matches(fromMemory.grid))
        return fromFile.voxels
    }

    @Test func multiMemberStream() throws {
        let (plain, values) = try Self.plain()
        let cut = plain.count / 3
        let joined = try Self.gzip(Array(plain[..<cut])) + Self.gzip(Array(plain[cut...]))
        #expect(try read(joined) == values.map(Float.init))
    }

    @Test func paddingAfterTheLastMember() throws {
        let (plain, values) = try Self.plain()
        #expect(try read(try Self.gzip(plain) + [UInt8](repeating: 0, count: 512)) == values.map(Float.init))
    }

    /// The trailer's size is a checksum too (libdeflate, like zlib, compares it with the output):
    /// a wrong one is a corrupt file, and a huge one must not be allocated.
    @Test func wrongTrailerSizeIsCorrupt() throws {
        let packed = try Self.gzip(try Self.plain().bytes)
        for isize: [UInt8] in [[1, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF]] {
            var lying = packed
            lying.replaceSubrange((lying.count - 4)..., with: isize)
            let error = #expect(throws: RadiomicsError.self) { try NIfTIReader.readImage(bytes: lying, name: "w.nii.gz") }
            #expect(error?.message.hasPrefix("gzip data is corrupt or truncated") == true, "ISIZE \(isize)")
            // From a file the trailer also sizes the voxel array the file is decoded into.
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            try Data(lying).write(to: URL(fileURLWithPath: dir.file("w.nii.gz")))
            let fromFile = #expect(throws: RadiomicsError.self) { try NIfTIReader.readImage(at: dir.file("w.nii.gz")) }
            #expect(fromFile?.message.hasPrefix("gzip data is corrupt or truncated") == true, "ISIZE \(isize)")
        }
    }

    @Test func corruptStreamIsNamed() throws {
        var packed = try Self.gzip(try Self.plain().bytes)
        packed[packed.count / 2] ^= 0xFF
        packed[packed.count / 2 + 1] ^= 0xFF
        let error = #expect(throws: RadiomicsError.self) { try NIfTIReader.readImage(bytes: packed, name: "c.nii.gz") }
        #expect(error?.message.hasPrefix("gzip data is corrupt or truncated") == true)
    }
}

/// `readMask` selects in one pass what the label map read as doubles selects.
@Suite struct NIfTIMaskSelectionTests {
    /// The selection made from `readLabels` (the values as doubles), as the loader defines it.
    static func expected(_ values: [Double], label: Int?) -> (voxels: [Bool]?, integral: Bool) {
        let integral = values.allSatisfy { $0 == $0.rounded() }
        if !integral { return (label == nil ? values.map { $0 >= 0.5 } : nil, false) }
        if let label { return (values.map { $0 == Double(label) }, true) }
        return (values.map { $0 != 0 }, true)
    }

    @Test(arguments: [NIfTIWriter.DataType.uint8, .int16, .int32, .float32, .float64])
    func selectionEqualsTheDoubleComparisons(type: NIfTIWriter.DataType) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let signed = type != .uint8
        // Whole numbers (with negatives where the type has them), then fractions for floats.
        var sets: [[Double]] = [(0..<24).map { Double(($0 * 7) % 5) - (signed ? 1 : 0) }, [Double](repeating: 0, count: 24)]
        if type == .float32 || type == .float64 {
            sets.append((0..<24).map { Double($0 % 4) * 0.25 })
            var special: [Double] = (0..<24).map { Double($0 % 3) }
            special[5] = -0.0
            special[7] = .infinity
            sets.append(special)
        }
        for (n, values) in sets.enumerated() {
            let path = dir.file("m\(n).nii")
            try NIfTIWriter.write(path: path, size: (3, 4, 2), pixdim: (1, 1, 1), type: type, values: values)
            let stored = try NIfTIReader.readLabels(at: path).voxels
            for label in [nil, 0, 1, 2, 3, -1, 300, 70000] as [Int?] {
                let mask = try NIfTIReader.readMask(at: path, label: label)
                let (voxels, integral) = Self.expected(stored, label: label)
                #expect(mask.integral == integral, "\(type) set \(n) label \(String(describing: label))")
                if let voxels {
                    #expect(mask.voxels == voxels, "\(type) set \(n) label \(String(describing: label))")
                    #expect(mask.count == voxels.filter { $0 }.count)
                } else {
                    #expect(mask.voxels.isEmpty)
                }
                if integral, label != nil, mask.count == 0 {
                    #expect(mask.presentLabels == MaskLoader.presentLabels(stored))
                } else {
                    #expect(mask.presentLabels == nil)
                }
            }
        }
    }
}
