import ArgumentParser
import CAllocator
import Foundation
import Radiomics

/// Exit codes (documented in the README):
/// 0 success; 1 validation found values out of tolerance (or a batch had failed cases);
/// 2 usage or settings error; 3 input error (a file is missing, unreadable or inconsistent);
/// 4 internal error.
enum ExitStatus {
    static let valuesOff: Int32 = 1
    static func code(for category: RadiomicsError.Category) -> Int32 {
        switch category {
        case .usage: 2
        case .input: 3
        case .internal: 4
        }
    }
}

// Every command names itself: the default derives the name from the type through a dynamic
// cast, which costs a measurable part of a small case's start-up.
@main
struct RadiomicsCommand: ParsableCommand {
    /// The arguments take a few milliseconds to parse, on one core: the other builds the
    /// extraction's tables meanwhile.
    ///
    /// Before the first thread starts, a process that runs one case keeps the memory it frees for
    /// its next buffers (CAllocator): 8 % less CPU time per `extract` (docs/performance.md). A
    /// batch is left to glibc's own policy: its threshold for separate mappings rises with the
    /// first large buffer freed, so the cases after the first reuse memory already, and there the
    /// setting measured no gain.
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.dropFirst().first != "batch" { _ = callocator_keep_freed_memory() }
        Extractor.prepareInBackground()
        // The usual `extract` command line is read without the parser (ExtractArguments); errors
        // end the process as the parser's `main` would end it.
        if let extract = ExtractArguments(commandLine: Array(arguments.dropFirst())) {
            do { try extract.run() } catch { Self.exit(withError: error) }
            return
        }
        Self.main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "radiomics",
        abstract: "IBSI-compliant radiomics feature extraction.",
        version: Version.string,
        subcommands: [Extract.self, Batch.self, Merge.self, Validate.self, Features.self, ShowPreset.self]
    )

    /// Runs `body`, turning a RadiomicsError into one line on stderr and its exit code.
    static func reportingErrors(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as RadiomicsError {
            FileHandle.standardError.write(Data("radiomics: error: \(e.description)\n".utf8))
            throw ExitCode(ExitStatus.code(for: e.category))
        }
    }
}

/// Settings options shared by the commands that extract.
struct SettingsOptions: ParsableArguments {
    @Option(name: .long, help: "Bundled settings: ibsi-phantom, ibsi-config-a ... ibsi-config-e.")
    var preset: String?

    @Option(name: .long, help: "YAML settings file (see README for the keys).")
    var config: String?

    func load() throws -> (Settings, yaml: String, preset: String?) { try Self.load(preset: preset, config: config) }

    static func load(preset: String?, config: String?) throws -> (Settings, yaml: String, preset: String?) {
        switch (preset, config) {
        case (.some, .some):
            throw RadiomicsError.usage("--preset and --config cannot be used together")
        case (.some(let name), nil):
            let yaml = try Presets.yaml(named: name)
            return (try SettingsLoader.load(yaml: yaml, source: "preset \(name)"), yaml, name)
        case (nil, .some(let path)):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RadiomicsError(.usage, file: path, FileManager.default.fileExists(atPath: path) ? "cannot read the settings file" : "settings file not found")
            }
            // A provenance sidecar (FILE.json of an earlier run) carries its settings verbatim.
            let yaml = Provenance.settingsYAML(fromSidecar: text) ?? text
            return (try SettingsLoader.load(yaml: yaml, source: path), yaml, nil)
        case (nil, nil):
            let settings = Settings()
            return (settings, SettingsLoader.yaml(for: settings), nil)
        }
    }
}

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract the features of one image and mask.",
        discussion: """
            IMAGE is a NIfTI file (.nii, .nii.gz) or a directory holding one DICOM series.
            MASK is a NIfTI label map or a DICOM RTSTRUCT file.
            Example: radiomics extract ct.nii.gz mask.nii.gz --preset ibsi-config-c -o features.csv
            """)

    @Argument(help: "Image: NIfTI file or DICOM series directory.")
    var image: String

    @Argument(help: "Mask: NIfTI label map or DICOM RTSTRUCT file.")
    var mask: String

    @OptionGroup var settings: SettingsOptions

    @Option(help: "Label of the NIfTI mask to use (default: every non-zero voxel).")
    var label: Int?

    @Option(help: "ROI name in the RTSTRUCT (may be omitted when it holds one ROI).")
    var roi: String?

    @Option(help: "SeriesInstanceUID to use when the image directory holds several series.")
    var series: String?

    @Option(help: "Output format: csv or json.")
    var format: String = "csv"

    @Option(name: .shortAndLong, help: "Write the table to this file (default: standard output). A CSV file gets a provenance sidecar FILE.json.")
    var output: String?

    @Flag(help: "Print the time of each step to standard error.")
    var timings = false

    var arguments: ExtractArguments {
        ExtractArguments(image: image, mask: mask, preset: settings.preset, config: settings.config, label: label, roi: roi,
                         series: series, format: format, output: output, timings: timings)
    }

    func run() throws { try arguments.run() }
}

extension ExtractArguments {
    func run() throws {
        try RadiomicsCommand.reportingErrors {
            guard let fmt = TableFormat(rawValue: format) else {
                throw RadiomicsError.usage("unknown --format '\(format)'; use csv or json")
            }
            let (settings, yaml, preset) = try SettingsOptions.load(preset: preset, config: config)
            let input = CaseInput(image: image, mask: mask, label: label, roi: roi, series: series)
            // The sidecar's input digests are computed while the case is extracted.
            let digests = output != nil && fmt == .csv ? InputDigests(input) : nil
            let result = try Extractor(settings: settings).extract(input)
            let text: String
            switch fmt {
            case .csv: text = FeatureTable.csvHeader(result) + "\n" + FeatureTable.csvRow(result) + "\n"
            case .json: text = FeatureTable.json(result, settingsYAML: yaml, preset: preset)
            }
            if let output {
                try write(text, to: output)
                if fmt == .csv {
                    try write(FeatureTable.sidecar(result, settings: settings, settingsYAML: yaml, preset: preset, digests: digests),
                              to: output + ".json")
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
            if timings {
                var lines = result.timings.steps.map { "\($0.name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%8.4f", $0.seconds)) s" }
                if !result.timings.tasks.isEmpty {
                    // The feature tasks overlap (they run on all cores): their own times.
                    lines.append("features, by task (concurrent):")
                    lines += result.timings.tasks.map { "  \($0.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(format: "%8.4f", $0.seconds)) s" }
                }
                lines.append("\("total".padding(toLength: 22, withPad: " ", startingAt: 0)) \(String(format: "%8.4f", result.timings.total)) s")
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            }
        }
    }

    private func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw RadiomicsError(.input, file: path, "cannot write the output file (\(error.localizedDescription))")
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check IBSI compliance on the bundled phantoms; exit 1 if any value is out of tolerance.")

    @Option(help: "Folder with the IBSI phantoms and reference values (default: ibsi-phantoms in the current directory or beside the installed tool).")
    var data: String?

    @Option(help: "Only the data sets whose name contains this text (e.g. 'digital', 'config A').")
    var only: String?

    @Flag(help: "List every value out of tolerance.")
    var verbose = false

    func run() throws {
        try RadiomicsCommand.reportingErrors {
            let root = try data ?? locatePhantoms()
            let cases = Validation.cases(root: root).filter { c in only.map { c.name.localizedCaseInsensitiveContains($0) } ?? true }
            let reports = cases.map(Validation.run)
            print(Validation.table(reports))
            print("")
            print(Validation.summary(reports))
            let failures = Validation.failures(reports)
            if verbose || failures.count <= 20 { failures.forEach { print($0) } } else {
                print("\(failures.count) values out of tolerance (--verbose lists them)")
            }
            if reports.contains(where: { !$0.passed }) { throw ExitCode(ExitStatus.valuesOff) }
        }
    }

    private func locatePhantoms() throws -> String {
        var candidates = [FileManager.default.currentDirectoryPath + "/ibsi-phantoms"]
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(dir.appendingPathComponent("ibsi-phantoms").path)
            dir = dir.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/reference_values") }) else {
            throw RadiomicsError.usage("cannot find the ibsi-phantoms folder; pass it with --data")
        }
        return found
    }
}

struct Features: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "features", abstract: "List the feature catalogue: tag, IBSI code, family, aggregation, name.")

    @Option(help: "Output format: csv or markdown.")
    var format: String = "csv"

    @Option(help: "Write one Markdown page per family into this folder instead.")
    var docs: String?

    func run() throws {
        try RadiomicsCommand.reportingErrors {
            if let docs {
                try FileManager.default.createDirectory(atPath: docs, withIntermediateDirectories: true)
                for page in Documentation.pages() {
                    try page.text.write(toFile: docs + "/" + page.file, atomically: true, encoding: .utf8)
                }
                return
            }
            let entries = FeatureCatalogue.entries()
            switch format {
            case "csv":
                print("tag,ibsi_code,family,aggregation,name")
                for e in entries {
                    print([e.tag, e.definition.ibsiCode, e.definition.family.rawValue, e.aggregation.rawValue, e.definition.name]
                        .map(FeatureTable.csvField).joined(separator: ","))
                }
            case "markdown":
                print(Documentation.markdown(entries))
            default:
                throw RadiomicsError.usage("unknown --format '\(format)'; use csv or markdown")
            }
        }
    }
}

struct ShowPreset: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "preset", abstract: "Print a bundled preset's YAML (or list them).")

    @Argument(help: "Preset name; omit to list the presets.")
    var name: String?

    func run() throws {
        try RadiomicsCommand.reportingErrors {
            if let name { print(try Presets.yaml(named: name), terminator: "") } else { Presets.names.forEach { print($0) } }
        }
    }
}

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Extract the features of every case of a manifest into one table.",
        discussion: """
            MANIFEST is a CSV file with columns id,image,mask and optionally label, roi, modality
            (other columns are copied to the output); PyRadiomics batch files (Image,Mask[,Label])
            are read as they are. Relative paths are relative to the manifest's folder.
            Rows are written as each case finishes; the finished table is in manifest order and
            every row carries its id. A case that fails gets a row with status=error and the
            message; the others go on. Exit code 0 when every case succeeded, 1 when any failed.
            --resume keeps the finished rows of an interrupted run and computes the rest (and the
            failed cases again). --shard K/N runs the K-th of N round-robin parts; `radiomics
            merge` joins the parts (see docs/cluster.md).
            """)

    @Argument(help: "Manifest CSV file.")
    var manifest: String

    @OptionGroup var settings: SettingsOptions

    @Option(name: .shortAndLong, help: "Output table (required); its provenance goes to OUTPUT.json.")
    var output: String

    @Option(help: "Output format: csv or jsonl.")
    var format: String = "csv"

    @Option(help: "Cases processed in parallel (default: the number of cores).")
    var jobs: Int?

    @Flag(help: "Skip the cases already done in the output; cases whose rows say status=error are tried again.")
    var resume = false

    @Option(help: "Process only the K-th of N deterministic parts of the manifest, e.g. 2/8.")
    var shard: String?

    @Option(help: "'all': one row per label of each mask (per ROI of an RTSTRUCT).")
    var label: String?

    @Flag(help: "One row per lesion: the 3D connected components of each mask, largest first.")
    var lesions = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Flag(help: "A line per finished case even on a terminal.")
    var verbose = false

    func run() throws {
        try RadiomicsCommand.reportingErrors {
            var options = BatchOptions()
            guard let fmt = BatchFormat(rawValue: format) else { throw RadiomicsError.usage("unknown --format '\(format)'; use csv or jsonl") }
            options.format = fmt
            if let jobs {
                guard jobs >= 1 else { throw RadiomicsError.usage("--jobs must be at least 1") }
                options.jobs = jobs
            }
            options.resume = resume
            options.quiet = quiet
            options.verbose = verbose
            if let shard {
                let kn = shard.split(separator: "/").compactMap { Int($0) }
                guard kn.count == 2, kn[1] >= 1, kn[0] >= 1, kn[0] <= kn[1] else {
                    throw RadiomicsError.usage("--shard must be K/N with 1 <= K <= N, e.g. 2/8 (got '\(shard)')")
                }
                options.shard = (kn[0], kn[1])
            }
            switch (label, lesions) {
            case (.some, true): throw RadiomicsError.usage("--label all and --lesions cannot be used together")
            case (.some("all"), false): options.selection = .allLabels
            case (.some(let l), false): throw RadiomicsError.usage("--label takes only 'all' in batch mode (got '\(l)'); put per-case labels in the manifest's label column")
            case (nil, true): options.selection = .lesions
            case (nil, false): options.selection = .manifest
            }
            let (settings, yaml, preset) = try self.settings.load()
            let m = try Manifest.read(path: manifest)
            // A batch runs for hours and is stopped by a signal (a scheduler's time limit, scancel,
            // Ctrl-C); finished rows are on disk and --resume goes on. A signal mask inherited from
            // the launcher (threads of some launchers block them) must not keep it running.
            var stopSignals = sigset_t()
            sigemptyset(&stopSignals)
            for s in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&stopSignals, s) }
            pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
            let runner = BatchRunner(manifest: m, settings: settings, settingsYAML: yaml, preset: preset, options: options, outputPath: output)
            let summary = try runner.run()
            if !quiet || !summary.failed.isEmpty {
                var lines = ["\(summary.total) cases: \(summary.ok) ok, \(summary.failed.count) failed\(summary.skipped > 0 ? ", \(summary.skipped) already done" : "") in \(String(format: "%.1f", summary.seconds)) s"]
                for f in summary.failed { lines.append("  failed \(f.id): \(f.message)") }
                if !summary.slowest.isEmpty {
                    lines.append("  slowest: " + summary.slowest.map { "\($0.id) \(String(format: "%.2f", $0.seconds)) s" }.joined(separator: ", "))
                }
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            }
            if !summary.failed.isEmpty { throw ExitCode(ExitStatus.valuesOff) }
        }
    }
}

struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the tables of sharded batch runs, checking that no id is missing or doubled.")

    @Argument(help: "Tables written by batch --shard K/N (with their .json sidecars).")
    var parts: [String]

    @Option(name: .shortAndLong, help: "Merged table.")
    var output: String

    func run() throws {
        try RadiomicsCommand.reportingErrors {
            let r = try Radiomics.Merge.merge(parts: parts, output: output)
            FileHandle.standardError.write(Data("merged \(r.rows) rows from \(r.parts) parts into \(output)\n".utf8))
        }
    }
}
