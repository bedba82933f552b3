import Foundation
import Radiomics
import Testing

/// The `batch` and `merge` commands, run as a user would run them.
@Suite(.serialized) struct BatchTests {
    /// Settings for manifests that mix CT, PET and MR: config-C-like processing with a fixed bin
    /// number (a CT range and bin width would leave PET with a single grey level).
    static let mixedConfig = STS.petMRConfig
    /// The same with a few families, to keep the mechanics tests quick.
    static let quickConfig = STS.petMRConfig + "families: [stat, ih, cm]\n"

    /// A manifest of the bundled patient's three modalities under `count` ids (ids repeat the
    /// modalities in turn).
    static func bundledManifest(_ dir: TemporaryFolder, count: Int = 3, name: String = "cohort.csv") throws -> String {
        var lines = ["id,image,mask,modality"]
        for i in 0..<count {
            let m = STS.modalities[i % 3]
            lines.append("case\(i + 1),\(STS.bundled)/\(m)_image.nii.gz,\(STS.bundled)/\(m)_mask.nii.gz,\(m)")
        }
        return try dir.write(lines.joined(separator: "\n") + "\n", to: name)
    }

    static func expectAllOKAndFinite(_ table: BatchTable, sourceLocation: SourceLocation = #_sourceLocation) {
        for (n, status) in table.column("status").enumerated() {
            #expect(status == "ok", "row \(n + 1): \(table.value("message", row: n) ?? "")", sourceLocation: sourceLocation)
        }
        let features = table.featureColumns.filter { !$0.contains("_init_") && !$0.contains("_interp_") && !$0.contains("_reseg_") }
        #expect(!features.isEmpty, sourceLocation: sourceLocation)
        for (n, row) in table.rows.enumerated() {
            #expect(row.count == table.header.count, sourceLocation: sourceLocation)
            for tag in features {
                let s = table.value(tag, row: n) ?? ""
                #expect(Double(s)?.isFinite == true, "row \(n + 1) \(tag) = '\(s)'", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: - Whole cohort

    @Test(.enabled(if: STS.sharedAvailable, "the STS cohort is not at /work/shared/data/sts"))
    func stsCohortEveryModalityRunsThroughWithFiniteValues() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let pairs = STS.sharedPairs()
        #expect(pairs.count >= 20)
        let ctConfig = try dir.write(STS.ctConfig, to: "ct.yaml")
        let otherConfig = try dir.write(STS.petMRConfig, to: "pet-mr.yaml")
        // One manifest per set of settings: CT in HU with a range; PET and MR with bin numbers.
        for (name, config, keep) in [("ct", ctConfig, { (m: String) in m == "CT" }), ("pet-mr", otherConfig, { (m: String) in m != "CT" })] {
            let rows = pairs.filter { keep($0.modality) }.map { "\($0.id),\($0.image),\($0.mask),\($0.modality)" }
            let manifest = try dir.write((["id,image,mask,modality"] + rows).joined(separator: "\n") + "\n", to: "\(name).csv")
            let out = dir.path("\(name)-features.csv")
            let r = try Binary.run(["batch", manifest, "--config", config, "-o", out])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("\(rows.count) cases: \(rows.count) ok, 0 failed"), "\(r.stderr)")
            #expect(r.stderr.contains("slowest:"))
            let table = try BatchTable(path: out)
            #expect(table.column("id") == pairs.filter { keep($0.modality) }.map(\.id))
            #expect(table.column("modality") == pairs.filter { keep($0.modality) }.map(\.modality))
            Self.expectAllOKAndFinite(table)
        }
    }

    // MARK: - Failing cases

    @Test func failingCasesGetErrorRowsAndTheOthersGoOn() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let b = STS.bundled
        // Another patient's mask: the CT phantom's (a different grid), or a real second patient.
        let otherMask = STS.sharedAvailable ? "\(STS.shared)/STS_003/CT_mask.nii.gz"
            : Repository.path("ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz")
        let manifest = try dir.write("""
            id,image,mask,label
            good-ct,\(b)/CT_image.nii.gz,\(b)/CT_mask.nii.gz,
            missing,\(b)/CT_image_gone.nii.gz,\(b)/CT_mask.nii.gz,
            mismatched,\(b)/CT_image.nii.gz,\(otherMask),
            bad-label,\(b)/CT_image.nii.gz,\(b)/CT_mask.nii.gz,7
            good-pet,\(b)/PET_image.nii.gz,\(b)/PET_mask.nii.gz,

            """, to: "bad.csv")
        let config = try dir.write(Self.quickConfig, to: "c.yaml")
        let out = dir.path("f.csv")
        let r = try Binary.run(["batch", manifest, "--config", config, "-o", out, "--jobs", "2"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("5 cases: 2 ok, 3 failed"), "\(r.stderr)")
        let table = try BatchTable(path: out)
        #expect(table.column("id") == ["good-ct", "missing", "mismatched", "bad-label", "good-pet"])
        #expect(table.column("status") == ["ok", "error", "error", "error", "ok"])
        let messages = table.column("message")
        #expect(messages[0].isEmpty && messages[4].isEmpty)
        #expect(messages[1].contains("CT_image_gone.nii.gz") && messages[1].contains("not found"), "\(messages[1])")
        #expect(messages[2].contains(otherMask) && messages[2].contains("does not match the grid of the image"), "\(messages[2])")
        #expect(messages[3].contains("CT_mask.nii.gz") && messages[3].contains("no voxel with label 7") && messages[3].contains("labels present: 1"), "\(messages[3])")
        // The summary names each failed case with its message.
        for id in ["missing", "mismatched", "bad-label"] { #expect(r.stderr.contains("failed \(id): ")) }
        // Error rows carry no feature values.
        #expect(table.value("stat_mean", row: 1) == "")
        #expect(Double(table.value("stat_mean", row: 0) ?? "")?.isFinite == true)
    }

    @Test func resumeRetriesFailedCasesAndKeepsFinishedOnes() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let b = STS.bundled
        let manifest = try dir.write("""
            id,image,mask
            a,\(b)/CT_image.nii.gz,\(b)/CT_mask.nii.gz
            b,\(dir.path("late_image.nii.gz")),\(b)/CT_mask.nii.gz

            """, to: "m.csv")
        let config = try dir.write(Self.quickConfig, to: "c.yaml")
        let out = dir.path("f.csv")
        let first = try Binary.run(["batch", manifest, "--config", config, "-o", out])
        #expect(first.status == 1)
        // The missing image appears; resume redoes only the failed case, and now all is well.
        try FileManager.default.copyItem(atPath: "\(b)/CT_image.nii.gz", toPath: dir.path("late_image.nii.gz"))
        let second = try Binary.run(["batch", manifest, "--config", config, "-o", out, "--resume"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("2 cases: 1 ok, 0 failed, 1 already done"), "\(second.stderr)")
        let table = try BatchTable(path: out)
        #expect(table.column("id") == ["a", "b"])
        #expect(table.column("status") == ["ok", "ok"])
        #expect(table.value("stat_mean", row: 0) == table.value("stat_mean", row: 1))
        // Resuming with other settings (same families, so the same columns) is refused; the
        // same settings written differently are not.
        let other = try dir.write(Self.quickConfig.replacingOccurrences(of: "bin_number: 32", with: "bin_number: 16"), to: "c16.yaml")
        let refused = try Binary.run(["batch", manifest, "--config", other, "-o", out, "--resume"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("was written with other settings"), "\(refused.stderr)")
        let commented = try dir.write("# the same settings, commented\n" + Self.quickConfig, to: "same.yaml")
        let same = try Binary.run(["batch", manifest, "--config", commented, "-o", out, "--resume"])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stderr.contains("2 cases: 0 ok, 0 failed, 2 already done"), "\(same.stderr)")
    }

    // MARK: - Kill and resume

    @Test func resumeAfterAKilledRunFinishesWithoutRecomputing() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let count = 24
        let manifest = try Self.bundledManifest(dir, count: count)
        // Every family, so that a case takes long enough to kill the run between cases.
        let config = try dir.write(Self.mixedConfig, to: "c.yaml")
        let out = dir.path("f.csv")

        let p = Process()
        p.executableURL = Binary.url
        p.arguments = ["batch", manifest, "--config", config, "-o", out, "--jobs", "1"]
        p.standardError = FileHandle.nullDevice
        // Foundation starts the child from a thread that blocks SIGTERM, and a blocked mask is
        // inherited: the batch must unblock it to be stoppable the way a scheduler stops jobs.
        try p.run()
        // Wait for the first finished row (header + one line), then terminate the run.
        let deadline = Date().addingTimeInterval(300)
        func completeRows() -> Int {
            guard let text = try? String(contentsOfFile: out, encoding: .utf8) else { return 0 }
            return max(0, CSV.parse(text, keepIncompleteLastLine: false).count - 1)
        }
        while completeRows() < 1 && p.isRunning && Date() < deadline { usleep(20_000) }
        #expect(p.isRunning, "the run finished before it could be killed")
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)

        let before = try BatchTable(path: out)
        let doneBefore = before.column("id")
        #expect(doneBefore.count >= 1 && doneBefore.count < count, "killed after \(doneBefore.count) of \(count) cases")
        #expect(Set(before.column("status")) == ["ok"])
        let rowsBefore = Dictionary(uniqueKeysWithValues: zip(doneBefore, before.rows))
        // A writer killed in the middle of a row leaves half a line; resume must cut it off.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        try handle.seekToEnd()
        handle.write(Data("case99,ok,,CT,/half/a/row".utf8))
        try handle.close()

        let r = try Binary.run(["batch", manifest, "--config", config, "-o", out, "--jobs", "1", "--resume"])
        #expect(r.status == 0, "\(r.stderr)")
        let redone = count - doneBefore.count
        #expect(r.stderr.contains("resuming: \(doneBefore.count) of \(count) cases already in"), "\(r.stderr)")
        #expect(r.stderr.contains("\(count) cases: \(redone) ok, 0 failed, \(doneBefore.count) already done"), "\(r.stderr)")
        // The progress lines name the cases this run computed: none of those finished before.
        let computed = r.stderr.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("[") else { return nil }
            return line.split(separator: " ").dropFirst().first.map(String.init)
        }
        #expect(computed.count == redone)
        #expect(Set(computed).isDisjoint(with: doneBefore), "recomputed: \(Set(computed).intersection(doneBefore))")

        let after = try BatchTable(path: out)
        #expect(after.column("id") == (1...count).map { "case\($0)" })
        #expect(after.rows.allSatisfy { $0.count == after.header.count })
        Self.expectAllOKAndFinite(after)
        for (n, id) in after.column("id").enumerated() {
            if let old = rowsBefore[id] { #expect(after.rows[n] == old, "row of \(id) changed") }
        }
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasSuffix("\n") && !text.contains("/half/a/row"))
    }

    // MARK: - Shards and merge

    @Test func shardsMergeToTheBytesOfTheUnshardedTable() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let manifest = try Self.bundledManifest(dir, count: 7)
        let config = try dir.write(Self.quickConfig, to: "c.yaml")
        let whole = dir.path("whole.csv")
        let r = try Binary.run(["batch", manifest, "--config", config, "-o", whole, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)

        var parts: [String] = []
        var ids: [[String]] = []
        for k in 1...3 {
            let part = dir.path("part-\(k).csv")
            let s = try Binary.run(["batch", manifest, "--config", config, "-o", part, "--shard", "\(k)/3", "--quiet"])
            #expect(s.status == 0, "\(s.stderr)")
            parts.append(part)
            ids.append(try BatchTable(path: part).column("id"))
        }
        // Deterministic round-robin parts that cover the manifest once.
        #expect(ids == [["case1", "case4", "case7"], ["case2", "case5"], ["case3", "case6"]])

        let merged = dir.path("merged.csv")
        // Parts in any order give the same table.
        let m = try Binary.run(["merge", parts[2], parts[0], parts[1], "-o", merged])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: merged)) == Data(contentsOf: URL(fileURLWithPath: whole)))
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: merged + ".json"))) as! [String: Any]
        #expect(sidecar["expected_ids"] as? [String] == (1...7).map { "case\($0)" })
        #expect((sidecar["cases"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == (1...7).map { "case\($0)" })

        // A missing shard.
        let missing = try Binary.run(["merge", parts[0], parts[1], "-o", dir.path("x.csv")])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("shard 3/3 missing"), "\(missing.stderr)")
        // The same shard twice.
        let twice = try Binary.run(["merge", parts[0], parts[1], parts[1], parts[2], "-o", dir.path("x.csv")])
        #expect(twice.status == 3)
        #expect(twice.stderr.contains("given twice"), "\(twice.stderr)")
        // A shard run with other settings (the same columns).
        let otherConfig = try dir.write(Self.quickConfig.replacingOccurrences(of: "bin_number: 32", with: "bin_number: 16"), to: "c16.yaml")
        let other = dir.path("other-3.csv")
        #expect(try Binary.run(["batch", manifest, "--config", otherConfig, "-o", other, "--shard", "3/3", "--quiet"]).status == 0)
        let mixed = try Binary.run(["merge", parts[0], parts[1], other, "-o", dir.path("x.csv")])
        #expect(mixed.status == 3)
        #expect(mixed.stderr.contains("other settings"), "\(mixed.stderr)")
        // A doubled id: a row of shard 2 copied into shard 1.
        let text1 = try String(contentsOfFile: parts[0], encoding: .utf8)
        let row2 = try String(contentsOfFile: parts[1], encoding: .utf8).split(separator: "\n")[1]
        try (text1 + row2 + "\n").write(toFile: parts[0], atomically: true, encoding: .utf8)
        let doubled = try Binary.run(["merge", parts[0], parts[1], parts[2], "-o", dir.path("x.csv")])
        #expect(doubled.status == 3)
        #expect(doubled.stderr.contains("id 'case2'") && doubled.stderr.contains("doubled"), "\(doubled.stderr)")
        // A shard with a case missing (an unfinished shard).
        try text1.split(separator: "\n").dropLast().map { $0 + "\n" }.joined().write(toFile: parts[0], atomically: true, encoding: .utf8)
        let short = try Binary.run(["merge", parts[0], parts[1], parts[2], "-o", dir.path("x.csv")])
        #expect(short.status == 3)
        #expect(short.stderr.contains("ids missing") && short.stderr.contains("case7"), "\(short.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.path("x.csv")))
    }

    @Test func jobsOneAndTwoWriteIdenticalTables() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let manifest = try Self.bundledManifest(dir, count: 6)
        let config = try dir.write(Self.mixedConfig, to: "c.yaml")
        var tables: [Data] = []
        for jobs in ["1", "2"] {
            for format in ["csv", "jsonl"] {
                let out = dir.path("f-\(jobs).\(format)")
                let r = try Binary.run(["batch", manifest, "--config", config, "-o", out, "--jobs", jobs, "--format", format])
                #expect(r.status == 0, "\(r.stderr)")
                tables.append(try Data(contentsOf: URL(fileURLWithPath: out)))
            }
        }
        #expect(tables[0] == tables[2], "CSV differs between --jobs 1 and --jobs 2")
        #expect(tables[1] == tables[3], "JSON lines differ between --jobs 1 and --jobs 2")
        // JSON lines: one object per case in manifest order, the same numbers as the CSV (compared
        // as written: a JSON parser may not read back the nearest double).
        let csv = try BatchTable(path: dir.path("f-1.csv"))
        let lines = String(decoding: tables[1], as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == csv.rows.count)
        for (n, line) in lines.enumerated() {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            #expect(o["id"] as? String == csv.value("id", row: n))
            #expect(o["status"] as? String == "ok")
            for tag in ["stat_mean", "cm_joint_max_3D_avg", "morph_volume"] {
                #expect(line.contains("\"\(tag)\":\(csv.value(tag, row: n) ?? "?"),"), "\(tag) row \(n + 1)")
            }
        }
    }

    // MARK: - Manifest forms

    @Test func pyRadiomicsManifestWithRelativePathsAndExtraColumns() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir.path("data/p2"), withIntermediateDirectories: true)
        for f in ["CT_image", "CT_mask", "PET_image", "PET_mask"] {
            try fm.createSymbolicLink(atPath: dir.path("data/p2/\(f).nii.gz"), withDestinationPath: "\(STS.bundled)/\(f).nii.gz")
        }
        // PyRadiomics' header as it is, paths relative to the manifest's folder, a byte-order
        // mark and CRLF line ends as a spreadsheet writes them, extra columns in between.
        let manifest = try dir.write("\u{FEFF}Image,Mask,Label,Outcome,Note\r\n"
            + "../data/p2/CT_image.nii.gz,../data/p2/CT_mask.nii.gz,1,relapse,\"first, CT\"\r\n"
            + "../data/p2/PET_image.nii.gz,../data/p2/PET_mask.nii.gz,1,none,\"says \"\"PET\"\"\"\r\n", to: "manifests/pyrad.csv")
        let config = try dir.write(Self.quickConfig, to: "c.yaml")
        let out = dir.path("f.csv")
        let r = try Binary.run(["batch", manifest, "--config", config, "-o", out], cwd: "/")
        #expect(r.status == 0, "\(r.stderr)")
        let table = try BatchTable(path: out)
        #expect(Array(table.header.prefix(6)) == ["id", "status", "message", "Outcome", "Note", "image"])
        #expect(table.column("id") == ["1", "2"])
        #expect(table.column("status") == ["ok", "ok"])
        #expect(table.column("Outcome") == ["relapse", "none"])
        #expect(table.column("Note") == ["first, CT", "says \"PET\""])
        #expect(table.column("label") == ["1", "1"])
        #expect(table.column("image") == [dir.path("data/p2/CT_image.nii.gz"), dir.path("data/p2/PET_image.nii.gz")])
    }

    // MARK: - Several ROIs per case

    /// A 24 x 20 x 12 image with a smooth gradient plus a deterministic texture, and a label map.
    static func syntheticCase(_ dir: TemporaryFolder, labels: [Double]) throws -> (image: String, mask: String) {
        let size = (24, 20, 12)
        var image: [Double] = []
        for z in 0..<size.2 { for y in 0..<size.1 { for x in 0..<size.0 {
            image.append(Double(x * 3 + y * 2 + z) + Double((x * 7 + y * 13 + z * 17) % 11))
        } } }
        let imagePath = dir.path("synthetic_image.nii")
        let maskPath = dir.path("synthetic_mask-\(UUID().uuidString).nii")
        try NIfTIWriter.write(path: imagePath, size: size, pixdim: (1, 1, 1), type: .float32, values: image)
        try NIfTIWriter.write(path: maskPath, size: size, pixdim: (1, 1, 1), type: .int16, values: labels)
        return (imagePath, maskPath)
    }

    /// A label map with a small box of `first` early in storage order and a larger box of
    /// `second` later, not touching (not even diagonally).
    static func twoBoxes(first: Double, second: Double) -> [Double] {
        var m = [Double](repeating: 0, count: 24 * 20 * 12)
        func box(_ xs: Range<Int>, _ ys: Range<Int>, _ zs: Range<Int>, _ v: Double) {
            for z in zs { for y in ys { for x in xs { m[x + 24 * (y + 20 * z)] = v } } }
        }
        box(2..<5, 2..<5, 1..<3, first)        // 3 x 3 x 2 = 18 voxels
        box(10..<16, 8..<13, 5..<9, second)    // 6 x 5 x 4 = 120 voxels
        return m
    }

    static let syntheticConfig = """
        discretisation:
          method: fixed_bin_number
          bin_number: 8

        """

    @Test func labelAllGivesOneRowPerLabel() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let c = try Self.syntheticCase(dir, labels: Self.twoBoxes(first: 1, second: 2))
        let manifest = try dir.write("id,image,mask\ns1,\(c.image),\(c.mask)\n", to: "m.csv")
        let config = try dir.write(Self.syntheticConfig, to: "c.yaml")
        let out = dir.path("f.csv")
        let r = try Binary.run(["batch", manifest, "--config", config, "-o", out, "--label", "all"])
        #expect(r.status == 0, "\(r.stderr)")
        let table = try BatchTable(path: out)
        #expect(table.column("id") == ["s1", "s1"])
        #expect(table.column("label") == ["1", "2"])
        #expect(table.column("int_mask_vox_count_init_roi").compactMap(Double.init) == [18, 120])
        Self.expectAllOKAndFinite(table)
        // The same as extracting each label on its own.
        for (n, label) in ["1", "2"].enumerated() {
            let one = try Binary.run(["extract", c.image, c.mask, "--config", config, "--label", label, "--format", "json"])
            let obj = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as! [String: Any]
            let features = obj["features"] as! [String: Any]
            #expect((features["stat_mean"] as? Double) == Double(table.value("stat_mean", row: n) ?? ""))
        }
        // Merging a single unsharded --label all table keeps its rows (an id with two rows is not doubled).
        let m = try Binary.run(["merge", out, "-o", dir.path("merged.csv")])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(try String(contentsOfFile: dir.path("merged.csv"), encoding: .utf8) == String(contentsOfFile: out, encoding: .utf8))
    }

    @Test func lesionsAreConnectedComponentsNumberedBySize() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        // One label, two components; the smaller one comes first in storage order.
        let c = try Self.syntheticCase(dir, labels: Self.twoBoxes(first: 1, second: 1))
        let manifest = try dir.write("id,image,mask\ns1,\(c.image),\(c.mask)\n", to: "m.csv")
        let config = try dir.write(Self.syntheticConfig, to: "c.yaml")
        let out = dir.path("f.csv")
        let r = try Binary.run(["batch", manifest, "--config", config, "-o", out, "--lesions"])
        #expect(r.status == 0, "\(r.stderr)")
        let table = try BatchTable(path: out)
        #expect(table.column("id") == ["s1", "s1"])
        #expect(table.column("lesion") == ["1", "2"])
        #expect(table.column("morph_mask_vox_count_interp_roi").compactMap(Double.init) == [120, 18])
        Self.expectAllOKAndFinite(table)
        // Lesion 1 is the larger box: the same values as label 2 of the two-label map.
        let labelled = try Self.syntheticCase(dir, labels: Self.twoBoxes(first: 1, second: 2))
        let one = try Binary.run(["extract", labelled.image, labelled.mask, "--config", config, "--label", "2", "--format", "json"])
        let features = (try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as! [String: Any])["features"] as! [String: Any]
        for tag in ["stat_mean", "morph_volume", "cm_joint_max_3D_avg"] {
            #expect((features[tag] as? Double) == Double(table.value(tag, row: 0) ?? ""), "\(tag)")
        }
    }

    // MARK: - Provenance

    @Test func sidecarRecordsProvenanceAndReproducesTheTable() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let manifest = try Self.bundledManifest(dir, count: 3)
        let out = dir.path("f.csv")
        let r = try Binary.run(["batch", manifest, "--preset", "ibsi-config-c", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + ".json"))) as! [String: Any]
        #expect(sidecar["tool"] as? String == "SwiftRadiomics")
        #expect(sidecar["version"] as? String == Version.string)
        #expect(sidecar["catalogue_version"] as? String == FeatureCatalogue.version)
        #expect(sidecar["preset"] as? String == "ibsi-config-c")
        let date = sidecar["date"] as? String ?? ""
        #expect(ISO8601DateFormatter().date(from: date).map { abs($0.timeIntervalSinceNow) < 3600 } == true, "\(date)")
        let commit = sidecar["git_commit"] as? String ?? ""
        if FileManager.default.fileExists(atPath: Repository.path(".git")) {
            #expect(commit.count == 40 && commit.allSatisfy(\.isHexDigit), "\(commit)")
        }
        let settings = try #require(sidecar["settings"] as? [String: Any])
        #expect(!settings.isEmpty)
        let settingsText = String(decoding: try JSONSerialization.data(withJSONObject: settings), as: UTF8.self)
        #expect(settingsText.localizedCaseInsensitiveContains("interpolation"))
        #expect(settingsText.localizedCaseInsensitiveContains("bin"))
        #expect((sidecar["settings_yaml"] as? String)?.contains("bin_width: 25") == true)
        // Per case: the SHA-256 of image and mask, as sha256sum computes them.
        let cases = try #require(sidecar["cases"] as? [[String: Any]])
        #expect(cases.map { $0["id"] as? String } == ["case1", "case2", "case3"])
        for (n, m) in ["CT", "PET", "MR_T1"].enumerated() {
            #expect(cases[n]["image_sha256"] as? String == (try Self.sha256sum("\(STS.bundled)/\(m)_image.nii.gz")))
            #expect(cases[n]["mask_sha256"] as? String == (try Self.sha256sum("\(STS.bundled)/\(m)_mask.nii.gz")))
        }
        // The sidecar as --config reproduces the table.
        let again = dir.path("again.csv")
        let r2 = try Binary.run(["batch", manifest, "--config", out + ".json", "-o", again])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: again)) == Data(contentsOf: URL(fileURLWithPath: out)))
    }

    /// The digest from the system's sha256sum, or from our own implementation when it is absent.
    static func sha256sum(_ path: String) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { return try SHA256.digest(ofPath: path) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    // MARK: - Usage errors

    @Test func usageErrorsExitWithTwo() throws {
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let manifest = try Self.bundledManifest(dir, count: 1)
        for args in [["--shard", "0/3"], ["--shard", "4/3"], ["--shard", "x"], ["--jobs", "0"], ["--label", "2"],
                     ["--label", "all", "--lesions"], ["--format", "xml"]] {
            let r = try Binary.run(["batch", manifest, "--preset", "ibsi-config-c", "-o", dir.path("f.csv")] + args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("radiomics: error: "), "\(args): \(r.stderr)")
        }
        let noManifest = try Binary.run(["batch", dir.path("none.csv"), "--preset", "ibsi-config-c", "-o", dir.path("f.csv")])
        #expect(noManifest.status == 3)
        #expect(noManifest.stderr.contains("none.csv: manifest not found"))
    }
}
