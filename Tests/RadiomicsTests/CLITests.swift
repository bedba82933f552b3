import CAllocator
import CCPUFeatures
import Foundation
import Radiomics
import Testing

@Suite(.serialized) struct CLITests {
    let image = Repository.path("ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz")
    let mask = Repository.path("ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz")

    @Test func extractWritesOneCSVRowWithReferenceTags() throws {
        let r = try Binary.run(["extract", image, mask, "--preset", "ibsi-phantom"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let header = lines[0].split(separator: ",").map(String.init)
        let row = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(header.count == row.count)
        #expect(Array(header.prefix(3)) == ["image", "mask", "label"])
        for tag in ["morph_volume", "stat_mean", "ih_entropy", "loc_peak_glob", "cm_joint_max_3D_avg", "ngl_lde_2_5D"] {
            #expect(header.contains(tag), "missing column \(tag)")
        }
        // Round-trip digits: stat_mean of the phantom is 2.1486... and must be written in full.
        let mean = Double(row[header.firstIndex(of: "stat_mean")!])!
        #expect(abs(mean - 2.1486486486486487) < 1e-15)
    }

    @Test func extractJSONToFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("radiomics-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("f.json").path
        let r = try Binary.run(["extract", image, mask, "--preset", "ibsi-phantom", "--format", "json", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: out))
        let obj = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let features = obj["features"] as! [String: Any]
        #expect((features["morph_volume"] as? Double).map { abs($0 - 556) < 4 } == true)
        #expect(obj["preset"] as? String == "ibsi-phantom")
        #expect((obj["settings_yaml"] as? String)?.contains("discretisation") == true)
    }

    @Test func csvOutputFileGetsASettingsSidecar() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("radiomics-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("f.csv").path
        let r = try Binary.run(["extract", image, mask, "--preset", "ibsi-phantom", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let sidecar = try String(contentsOfFile: out + ".json", encoding: .utf8)
        #expect(sidecar.contains("\"preset\": \"ibsi-phantom\""))
        #expect(sidecar.contains("\"image_sha256\""))
        // The sidecar is a config the tool reads back.
        let again = dir.appendingPathComponent("g.csv").path
        let r2 = try Binary.run(["extract", image, mask, "--config", out + ".json", "-o", again])
        #expect(r2.status == 0, "\(r2.stderr)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == String(contentsOfFile: again, encoding: .utf8))
    }

    @Test func missingImageIsOneLineNamingTheFileWithInputExitCode() throws {
        let r = try Binary.run(["extract", "/no/such/image.nii.gz", mask, "--preset", "ibsi-phantom"])
        #expect(r.status == 3)
        #expect(r.stderr == "radiomics: error: /no/such/image.nii.gz: file or directory not found\n")
        #expect(r.stdout.isEmpty)
    }

    /// DCMTK is a shared library loaded on the first DICOM read: a binary without it still reads
    /// NIfTI, and a DICOM input gets a message saying what is missing, not "no DICOM files".
    @Test func withoutTheDICOMBackendNIfTIWorksAndDICOMSaysWhatIsMissing() throws {
        let fm = FileManager.default
        let dir = Binary.url.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("no-dicom-backend-\(getpid())")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let alone = dir.appendingPathComponent("radiomics")
        // A hard link keeps the test fast; /proc/self/exe then names this directory.
        if (try? fm.linkItem(at: Binary.url, to: alone)) == nil { try fm.copyItem(at: Binary.url, to: alone) }
        let nifti = try Binary.run(["extract", image, mask, "--preset", "ibsi-phantom"], executable: alone)
        #expect(nifti.status == 0, "\(nifti.stderr)")
        let ct = Repository.phantoms + "/ct_phantom/dicom"
        let dicom = try Binary.run(["extract", ct + "/image", ct + "/mask/DCM_RS_00060.dcm", "--roi", "GTV-1",
                                    "--preset", "ibsi-config-c"], executable: alone)
        #expect(dicom.status == 4)
        #expect(dicom.stderr == "radiomics: error: DICOM support unavailable: libRadiomicsDCMTK.so is neither next to "
            + "the executable (\(dir.resolvingSymlinksInPath().path)) nor on the library path (build it with "
            + "`make build` or `swift build --product RadiomicsDCMTK`)\n")
        #expect(dicom.stdout.isEmpty)
    }

    @Test func unknownPresetIsAUsageError() throws {
        let r = try Binary.run(["extract", image, mask, "--preset", "nope"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("radiomics: error: unknown preset 'nope'; available presets: "))
    }

    @Test func featuresListsTheCatalogue() throws {
        let r = try Binary.run(["features"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "tag,ibsi_code,family,aggregation,name")
        #expect(lines.contains { $0.hasPrefix("morph_volume,RNU0,morph,,") })
        #expect(lines.contains { $0.hasPrefix("cm_joint_max_3D_avg,GYBY,cm,3D_avg,") })
    }

    /// The table does not depend on which build of the Moran/Geary transforms runs: the CT
    /// phantom at 1 mm (whose ROI takes the FFT path) gives the same bytes with the AVX2 build and
    /// with RADIOMICS_NO_AVX2 set (the SSE2 build).
    @Test(.enabled(if: ccpu_has_avx2() != 0, "the processor has no AVX2"))
    func featureTableIsTheSameWithAndWithoutAVX2() throws {
        let args = ["extract", Repository.path("ibsi-phantoms/ct_phantom/nifti/image/phantom.nii.gz"),
                    Repository.path("ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz"),
                    "--config", Repository.path("benchmarks/configs/ct-phantom-1mm.yaml")]
        let wide = try Binary.run(args)
        let baseline = try Binary.run(args, environment: ["RADIOMICS_NO_AVX2": "1"])
        #expect(wide.status == 0 && baseline.status == 0, "\(wide.stderr)\(baseline.stderr)")
        #expect(wide.stdout.contains("morph_moran_i"))
        #expect(wide.stdout == baseline.stdout)
    }

    /// glibc takes every allocator setting the CLI makes at start (the call would do nothing if
    /// the shim did not see glibc's <malloc.h>). The settings only limit arenas not yet made
    /// and move thresholds, so taking them in the test process is harmless.
    @Test(.enabled(if: isGlibc, "glibc only"))
    func allocatorTakesTheSettingsThatKeepFreedMemory() {
        #expect(callocator_keep_freed_memory() == 1)
    }

    /// The CLI's heap is advised to be huge pages before any input is read: while `extract`
    /// waits to open its image (a FIFO nobody writes), the kernel lists the flag ("hg") on a
    /// [heap] mapping of the process.
    @Test(.enabled(if: isGlibc && FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled"),
                   "glibc with transparent huge pages only"))
    func extractAdvisesHugePagesForItsHeap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("image.nii").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let p = Process()
        p.executableURL = Binary.url
        p.arguments = ["extract", fifo, "\(Repository.phantoms)/digital_phantom/nifti/mask/mask.nii.gz", "--preset", "ibsi-phantom"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var flagged = false
        for _ in 0..<200 where !flagged {
            // procfs gives its files no size: read to the end rather than by the size.
            let handle = FileHandle(forReadingAtPath: "/proc/\(p.processIdentifier)/smaps")
            let smaps = String(decoding: (try? handle?.readToEnd()) ?? Data(), as: UTF8.self)
            try? handle?.close()
            var inHeap = false
            for line in smaps.split(separator: "\n") {
                if let first = line.first, first.isHexDigit, line.contains("-") { inHeap = line.hasSuffix("[heap]") }
                if inHeap && line.hasPrefix("VmFlags:") && line.split(separator: " ").contains("hg") { flagged = true }
            }
            if !flagged { usleep(10_000) }
        }
        // The process would wait for a writer for ever (SIGTERM only asks the CLI to finish
        // the case in hand): it is killed.
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(flagged)
    }

    @Test func validateOnTheDigitalPhantomPassesAndExitsZero() throws {
        let r = try Binary.run(["validate", "--data", Repository.phantoms, "--only", "digital"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("digital phantom"))
    }

    @Test func validateExitsOneWhenAValueIsOff() throws {
        // A copy of the reference file with one value changed must fail.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("radiomics-val-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("reference_values"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        try fm.createSymbolicLink(atPath: dir.appendingPathComponent("digital_phantom").path,
                                  withDestinationPath: Repository.path("ibsi-phantoms/digital_phantom"))
        let ref = try String(contentsOfFile: Repository.path("ibsi-phantoms/reference_values/ibsi_1_dig_phantom.csv"), encoding: .utf8)
        let altered = ref.replacingOccurrences(of: "\n556;4;morph_volume", with: "\n600;4;morph_volume")
        #expect(altered != ref)
        try altered.write(to: dir.appendingPathComponent("reference_values/ibsi_1_dig_phantom.csv"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["validate", "--data", dir.path, "--only", "digital"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("morph_volume computed"))
    }
}

#if canImport(Glibc)
private let isGlibc = true
#else
private let isGlibc = false
#endif
