import Foundation
import Testing

/// Bad inputs through the command line: each must end with exit code 3 (input) or 2 (usage or
/// settings) and exactly one line on standard error naming the file and the problem.
@Suite(.serialized) struct BadInputTests {
    static let digitalImage = Repository.path("ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz")
    static let digitalMask = Repository.path("ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz")
    static let ctDICOM = Repository.path("ibsi-phantoms/ct_phantom/dicom/image")
    static let ctRTStruct = Repository.path("ibsi-phantoms/ct_phantom/dicom/mask/DCM_RS_00060.dcm")

    /// Runs `extract` and checks the exit code and that standard error is the one line
    /// "radiomics: error: FILE..." holding every phrase of `contains` (FILE may be a directory
    /// whose file is named).
    @discardableResult
    func expectError(_ arguments: [String], status: Int32, file: String?, contains phrases: [String],
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let r = try Binary.run(["extract"] + arguments)
        #expect(r.status == status, "exit \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "not one line: \(r.stderr)", sourceLocation: sourceLocation)
        let prefix = "radiomics: error: " + (file ?? "")
        #expect(r.stderr.hasPrefix(prefix), "\(r.stderr) does not start with \(prefix)", sourceLocation: sourceLocation)
        for phrase in phrases {
            #expect(r.stderr.contains(phrase), "\(r.stderr) lacks \"\(phrase)\"", sourceLocation: sourceLocation)
        }
        return r.stderr
    }

    /// A 6 x 5 x 4 int16 image of 1 mm voxels with values 0..119.
    static func writeImage(_ path: String, type: NIfTIWriter.DataType = .int16, values: [Double]? = nil,
                           pixdim: (Double, Double, Double) = (1, 1, 1), sform: Bool = true) throws {
        let srow: [[Double]]? = sform ? [[pixdim.0, 0, 0, 0], [0, pixdim.1, 0, 0], [0, 0, pixdim.2, 0]] : nil
        try NIfTIWriter.write(path: path, size: (6, 5, 4), pixdim: pixdim, type: type,
                              values: values ?? (0..<120).map(Double.init), srow: srow)
    }

    /// A 6 x 5 x 4 uint8 mask on the same grid holding `labels` (default: a 2 x 2 x 2 cube of 1).
    static func writeMask(_ path: String, labels: [Double]? = nil, type: NIfTIWriter.DataType = .uint8) throws {
        var cube = [Double](repeating: 0, count: 120)
        for z in 1...2 { for y in 1...2 { for x in 1...2 { cube[x + 6 * (y + 5 * z)] = 1 } } }
        try NIfTIWriter.write(path: path, size: (6, 5, 4), pixdim: (1, 1, 1), type: type, values: labels ?? cube,
                              srow: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]])
    }

    /// Overwrites bytes of a file at an offset.
    static func patch(_ path: String, at offset: Int, _ bytes: [UInt8]) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        try data.write(to: URL(fileURLWithPath: path))
    }

    static func le16(_ v: Int16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func le32(_ v: Float) -> [UInt8] { withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }

    // MARK: - Files

    @Test func missingMask() throws {
        try expectError([Self.digitalImage, "/no/such/mask.nii.gz"], status: 3, file: "/no/such/mask.nii.gz",
                        contains: ["file not found"])
    }

    @Test(.disabled(if: getuid() == 0, "running as root, which reads any file whatever its permissions"))
    func unreadableFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("img.nii")
        try Self.writeImage(path)
        chmod(path, 0)
        defer { chmod(path, 0o644) }
        try expectError([path, Self.digitalMask], status: 3, file: path, contains: ["not readable (permission denied)"])
    }

    @Test func emptyFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        FileManager.default.createFile(atPath: dir.file("empty.nii.gz"), contents: Data())
        try expectError([dir.file("empty.nii.gz"), Self.digitalMask], status: 3, file: dir.file("empty.nii.gz"),
                        contains: ["file is empty (0 bytes)"])
    }

    @Test func truncatedGzip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let source = try Data(contentsOf: URL(fileURLWithPath: Repository.path("ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz")))
        try source.prefix(source.count / 2).write(to: URL(fileURLWithPath: dir.file("half.nii.gz")))
        try expectError([dir.file("half.nii.gz"), Self.digitalMask], status: 3, file: dir.file("half.nii.gz"),
                        contains: ["gzip data is corrupt or truncated"])
    }

    @Test func randomBytesNamedNIfTIOrDICOM() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let noise = Data((0..<2000).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        })
        try noise.write(to: URL(fileURLWithPath: dir.file("noise.nii")))
        try expectError([dir.file("noise.nii"), Self.digitalMask], status: 3, file: dir.file("noise.nii"),
                        contains: ["not a NIfTI file", "expected 348 for NIfTI-1 or 540 for NIfTI-2"])
        try expectError([Self.digitalImage, dir.file("noise.nii")], status: 3, file: dir.file("noise.nii"),
                        contains: ["not a NIfTI file"])
        let series = try dir.subdirectory("series")
        try noise.write(to: URL(fileURLWithPath: series + "/noise.dcm"))
        try expectError([series, Self.ctRTStruct], status: 3, file: series, contains: ["no DICOM files"])
        try expectError([Self.digitalImage, series + "/noise.dcm"], status: 3, file: series + "/noise.dcm",
                        contains: ["unknown mask format"])
    }

    @Test func headerDimensionsOrDatatypeLyingAboutThePayload() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let dims = dir.file("dims.nii"), type = dir.file("type.nii")
        try Self.writeImage(dims)
        try Self.patch(dims, at: 46, Self.le16(40))  // dim[3]: 4 -> 40 slices
        try expectError([dims, Self.digitalMask], status: 3, file: dims,
                        contains: ["describes 6x5x40 voxels of datatype INT16 (2400 bytes) but the file holds 240 bytes",
                                   "dimensions or datatype are wrong"])
        try Self.writeImage(type)
        try Self.patch(type, at: 70, Self.le16(64) + Self.le16(64))  // datatype and bitpix: int16 -> float64
        try expectError([type, Self.digitalMask], status: 3, file: type,
                        contains: ["voxels of datatype FLOAT64 (960 bytes) but the file holds 240 bytes"])
        try Self.writeImage(type)
        try Self.patch(type, at: 70, Self.le16(1234))
        try expectError([type, Self.digitalMask], status: 3, file: type, contains: ["unknown datatype code 1234"])
        try Self.writeImage(dims)
        try Self.patch(dims, at: 42, Self.le16(-6))
        try expectError([dims, Self.digitalMask], status: 3, file: dims, contains: ["dim[1] = -6"])
    }

    @Test func dimensionsBeyondTheMachinesMemoryAreRefusedBeforeAllocating() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("huge.nii")
        try Self.writeImage(path, type: .uint8)
        try Self.patch(path, at: 42, Self.le16(32767) + Self.le16(32767) + Self.le16(4096))
        // A sparse file as long as the header claims (4.4 TB), so only the memory limit can refuse it.
        #expect(truncate(path, off_t(352) + 32767 * 32767 * 4096) == 0, "the file system cannot hold a sparse 4.4 TB file")
        let start = Date()
        try expectError([path, Self.digitalMask], status: 3, file: path,
                        contains: ["32767x32767x4096 voxels need", "more than this machine has", "crop or downsample"])
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func zeroOrNegativeSpacing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // qform only: nifti_clib would silently use 1 mm for a pixdim of 0.
        try Self.writeImage(dir.file("q.nii"), pixdim: (1, 0, 1), sform: false)
        try expectError([dir.file("q.nii"), Self.digitalMask], status: 3, file: dir.file("q.nii"),
                        contains: ["pixdim", "1x0x1 mm is not positive"])
        try Self.writeImage(dir.file("n.nii"), pixdim: (1, 1, -2), sform: false)
        try expectError([dir.file("n.nii"), Self.digitalMask], status: 3, file: dir.file("n.nii"),
                        contains: ["1x1x-2 mm is not positive"])
        // sform with a zero column: the z axis has no length.
        try Self.writeImage(dir.file("s.nii"), pixdim: (1, 1, 0))
        try expectError([dir.file("s.nii"), Self.digitalMask], status: 3, file: dir.file("s.nii"),
                        contains: ["spacing 1x1x0 mm is not positive"])
    }

    @Test func nonFiniteVoxelsAreAnError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var values = (0..<120).map(Double.init)
        values[1 + 6 * (1 + 5 * 1)] = .nan       // in the ROI cube
        values[119] = .infinity                  // outside it
        try Self.writeImage(dir.file("nan.nii"), type: .float32, values: values)
        try Self.writeMask(dir.file("m.nii"))
        try expectError([dir.file("nan.nii"), dir.file("m.nii")], status: 3, file: dir.file("nan.nii"),
                        contains: ["2 NaN or infinite voxel(s), 1 of them in the ROI (first at voxel 1,1,1)", "replace them"])
        // Outside the ROI only: still refused (interpolation and local intensity read around the ROI).
        values[1 + 6 * (1 + 5 * 1)] = 5
        try Self.writeImage(dir.file("inf.nii"), type: .float32, values: values)
        try expectError([dir.file("inf.nii"), dir.file("m.nii")], status: 3, file: dir.file("inf.nii"),
                        contains: ["1 NaN or infinite voxel(s), 0 of them in the ROI"])
    }

    // MARK: - Masks

    @Test func allZeroMask() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        try Self.writeMask(dir.file("zero.nii"), labels: [Double](repeating: 0, count: 120))
        try expectError([dir.file("img.nii"), dir.file("zero.nii")], status: 3, file: dir.file("zero.nii"),
                        contains: ["mask is empty (no non-zero voxels)"])
    }

    @Test func absentLabelListsTheLabelsPresent() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        var labels = [Double](repeating: 0, count: 120)
        labels[10] = 2; labels[20] = 7; labels[30] = 7
        try Self.writeMask(dir.file("l.nii"), labels: labels)
        try expectError([dir.file("img.nii"), dir.file("l.nii"), "--label", "3"], status: 3, file: dir.file("l.nii"),
                        contains: ["no voxel with label 3; labels present: 2, 7"])
    }

    @Test func nonIntegerMaskWithALabel() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        var p = [Double](repeating: 0, count: 120)
        p[10] = 0.75; p[11] = 0.25
        try Self.writeMask(dir.file("p.nii"), labels: p, type: .float32)
        try expectError([dir.file("img.nii"), dir.file("p.nii"), "--label", "1"], status: 3, file: dir.file("p.nii"),
                        contains: ["non-integer values", "label 1 cannot be selected"])
    }

    @Test func gridsThatDifferAreBothNamed() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"), pixdim: (1, 1, 2))
        try Self.writeMask(dir.file("m.nii"))
        try expectError([dir.file("img.nii"), dir.file("m.nii")], status: 3, file: dir.file("m.nii"),
                        contains: ["6x5x4 voxels of 1x1x1 mm", "does not match the grid of the image \(dir.file("img.nii"))",
                                   "6x5x4 voxels of 1x1x2 mm"])
    }

    /// Extracts with the default settings and returns the CSV as tag -> value.
    func extract(_ image: String, _ mask: String) throws -> [String: String] {
        let r = try Binary.run(["extract", image, mask])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        guard lines.count == 2 else { return [:] }
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let row = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return Dictionary(uniqueKeysWithValues: zip(header, row))
    }

    @Test func oneVoxelMask() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        var one = [Double](repeating: 0, count: 120)
        one[2 + 6 * (2 + 5 * 2)] = 1
        try Self.writeMask(dir.file("one.nii"), labels: one)
        let f = try extract(dir.file("img.nii"), dir.file("one.nii"))
        #expect(f["morph_vol_approx"].flatMap(Double.init) == 1)
        #expect(f["stat_mean"].flatMap(Double.init) == 74)
        #expect(f["stat_var"].flatMap(Double.init) == 0)
        // A single voxel has no neighbour: co-occurrence features are undefined, written as NaN.
        #expect(f["cm_joint_max_3D_avg"] == "NaN")
        #expect(f.values.allSatisfy { $0 != "inf" && $0 != "-inf" })
    }

    @Test func oneSliceMaskKeepsItsTwoDimensionalFeatures() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeImage(dir.file("img.nii"))
        var slice = [Double](repeating: 0, count: 120)
        for y in 1...3 { for x in 1...4 { slice[x + 6 * (y + 5 * 2)] = 1 } }
        try Self.writeMask(dir.file("slice.nii"), labels: slice)
        let f = try extract(dir.file("img.nii"), dir.file("slice.nii"))
        // Morphology is of the 3D ROI, one voxel thick (IBSI computes it on the volume as it is).
        #expect(f["morph_vol_approx"].flatMap(Double.init) == 12)
        #expect(f["morph_volume"].flatMap(Double.init).map { $0 > 0 && $0 <= 12 } == true)
        for tag in ["cm_joint_max_2D_avg", "rlm_sre_2D_avg", "szm_sze_2D", "ngt_coarseness_2D", "ngl_lde_2D"] {
            #expect(f[tag].flatMap(Double.init).map(\.isFinite) == true, "\(tag) = \(f[tag] ?? "absent")")
        }
    }

    // MARK: - DICOM

    static let seriesA = "1.2.826.0.1.3680043.9999.21", seriesB = "1.2.826.0.1.3680043.9999.22"
    static let frame = "1.2.826.0.1.3680043.9999.1"

    /// Axial slices `ks` (2 mm apart) of 8 x 8 voxels of 1 mm.
    static func writeSeries(in dir: String, series: String = seriesA, ks: [Int], name: String = "s",
                            orientation: [Double] = [1, 0, 0, 0, 1, 0], edit: (inout DICOMWriter) -> Void = { _ in }) throws {
        for k in ks {
            var w = DICOMWriter.slice(series: series, instance: k + 1, rows: 8, columns: 8, position: SIMD3(0, 0, Double(2 * k)),
                                      orientation: orientation, pixelSpacing: (row: 1, column: 1),
                                      pixels: (0..<64).map { UInt16($0 + 10 * k) }, sliceThickness: 2)
            w.set(0x0020, 0x0052, "UI", frame)
            edit(&w)
            try w.write(to: (dir as NSString).appendingPathComponent("\(name)\(k).dcm"))
        }
    }

    @Test func twoSeriesAreListedAndPickedWithSeries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let images = try dir.subdirectory("images")
        try Self.writeSeries(in: images, series: Self.seriesA, ks: [0, 1, 2], name: "a")
        try Self.writeSeries(in: images, series: Self.seriesB, ks: [0, 1, 2, 3], name: "b")
        try writeRTStruct(to: dir.file("rs.dcm"), frameOfReference: Self.frame, series: Self.seriesB,
                          rois: [(1, "GTV", [square(1.5, 1.5, 5.5, 5.5, z: 2), square(1.5, 1.5, 5.5, 5.5, z: 4)])])
        try expectError([images, dir.file("rs.dcm")], status: 3, file: images,
                        contains: [Self.seriesA, Self.seriesB, "pick one"])
        let r = try Binary.run(["extract", images, dir.file("rs.dcm"), "--series", Self.seriesB])
        #expect(r.status == 0, "\(r.stderr)")
        // The RTSTRUCT drawn on series B does not belong to series A.
        try expectError([images, dir.file("rs.dcm"), "--series", Self.seriesA], status: 3, file: dir.file("rs.dcm"),
                        contains: ["references series \(Self.seriesB)", "is series \(Self.seriesA)", "not drawn on this image"])
    }

    @Test func seriesDefects() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = try dir.subdirectory("missing")
        try Self.writeSeries(in: missing, ks: [0, 1, 3, 4])
        try expectError([missing, Self.ctRTStruct], status: 3, file: missing, contains: ["1 slice(s) missing"])

        let duplicate = try dir.subdirectory("duplicate")
        try Self.writeSeries(in: duplicate, ks: [0, 1, 2])
        try Self.writeSeries(in: duplicate, ks: [1], name: "copy") { $0.set(0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9999.77") }
        try expectError([duplicate, Self.ctRTStruct], status: 3, file: duplicate, contains: ["duplicate"])

        let mixed = try dir.subdirectory("mixed")
        try Self.writeSeries(in: mixed, ks: [0, 1, 2])
        try Self.writeSeries(in: mixed, ks: [3], name: "tilted", orientation: [1, 0, 0, 0, 0.8, -0.6])
        try expectError([mixed, Self.ctRTStruct], status: 3, file: mixed, contains: ["mixed orientations"])

        let multi = try dir.subdirectory("multi")
        try Self.writeSeries(in: multi, ks: [0]) { $0.set(0x0028, 0x0008, "IS", "2") }
        try expectError([multi, Self.ctRTStruct], status: 3, file: nil, contains: ["multi-frame"])

        let j2k = try dir.subdirectory("j2k")
        try Self.writeSeries(in: j2k, ks: [0]) {
            $0.transferSyntax = "1.2.840.10008.1.2.4.90"
            $0.set(0x7FE0, 0x0010, "OB", .encapsulated([[0xFF, 0x4F, 0xFF, 0x51, 1, 2, 3, 4]]))
        }
        try expectError([j2k, Self.ctRTStruct], status: 3, file: j2k + "/s0.dcm", contains: ["1.2.840.10008.1.2.4.90", "JPEG 2000"])
    }

    @Test func rtstructProblems() throws {
        try expectError([Self.ctDICOM, Self.ctRTStruct, "--roi", "Liver"], status: 3, file: Self.ctRTStruct,
                        contains: ["no ROI named \"Liver\"", "\"GTV-1\""])
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let images = try dir.subdirectory("images")
        try Self.writeSeries(in: images, ks: [0, 1, 2])
        // Another frame of reference: drawn on another image.
        try expectError([images, Self.ctRTStruct], status: 3, file: Self.ctRTStruct,
                        contains: ["frame of reference", "not drawn on this image"])
        // Right image, contours 50 cm away.
        try writeRTStruct(to: dir.file("far.dcm"), frameOfReference: Self.frame, series: Self.seriesA,
                          rois: [(1, "GTV", [square(500, 500, 510, 510, z: 2)])])
        try expectError([images, dir.file("far.dcm")], status: 3, file: dir.file("far.dcm"),
                        contains: ["ROI \"GTV\" covers no voxel centre of the image"])
    }

    // MARK: - Settings

    @Test func settingsErrorsAreUsageErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cases: [(yaml: String, phrase: String)] = [
            ("discretisation:\n  method: fixed_bin_number\n  bin_count: 32\n", "unknown key 'bin_count'"),
            ("texture:\n  cooccurrence_distance: one\n", "cooccurrence_distance"),
            ("discretisation:\n  method: fixed_bin_number\n  bin_number: 0\n", "bin_number"),
            ("interpolation:\n  spacing: [2, -2, 2]\n", "spacing"),
        ]
        for (n, c) in cases.enumerated() {
            let path = dir.file("s\(n).yaml")
            try c.yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let r = try Binary.run(["extract", Self.digitalImage, Self.digitalMask, "--config", path])
            #expect(r.status == 2, "\(c.yaml): exit \(r.status) \(r.stderr)")
            #expect(r.stderr.hasPrefix("radiomics: error: ") && r.stderr.filter { $0 == "\n" }.count == 1, "\(r.stderr)")
            #expect(r.stderr.contains(path) && r.stderr.contains(c.phrase), "\(r.stderr)")
        }
    }

    // MARK: - Reproducibility

    @Test func sameInputsGiveBitIdenticalTables() throws {
        let image = Repository.path("ibsi-phantoms/ct_phantom/nifti/image/phantom.nii.gz")
        let mask = Repository.path("ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz")
        let first = try Binary.run(["extract", image, mask, "--preset", "ibsi-config-b"])
        let second = try Binary.run(["extract", image, mask, "--preset", "ibsi-config-b"])
        #expect(first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        #expect(first.stdout.count > 1000)
        #expect(Data(first.stdout.utf8) == Data(second.stdout.utf8))
    }
}
