import Foundation
import RadiomicsCore
import RadiomicsFeatures
import RadiomicsIO
import RadiomicsProcessing

/// How a case's mask becomes one or more ROIs.
public enum ROISelection: Sendable, Equatable {
    /// The manifest's label/roi (default: every non-zero voxel): one row per case.
    case manifest
    /// Every label of a NIfTI mask (every ROI of an RTSTRUCT): one row per label.
    case allLabels
    /// The 3D connected components of the selected mask, largest first: one row per lesion.
    case lesions
}

public struct BatchOptions: Sendable {
    public var jobs: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public var resume = false
    /// K-th of N parts (1-based).
    public var shard: (k: Int, n: Int)?
    public var selection: ROISelection = .manifest
    public var format: BatchFormat = .csv
    public var quiet = false
    public var verbose = false
    public init() {}
}

public enum BatchFormat: String, Sendable {
    case csv
    case jsonl
}

/// Counts and the slowest cases of a batch run.
public struct BatchSummary: Sendable {
    public var total = 0
    public var skipped = 0
    public var ok = 0
    public var failed: [(id: String, message: String)] = []
    public var slowest: [(id: String, seconds: Double)] = []
    public var seconds: Double = 0
}

/// Runs a manifest's cases on a bounded pool of workers. Each finished case's rows are written
/// with one write and are on disk before the next case of that worker starts, so a killed run
/// keeps every finished row; `resume` skips the ids already in the output. Rows are written in
/// the order cases finish and each carries its id (the `id` column).
public final class BatchRunner: @unchecked Sendable {
    public let manifest: Manifest
    public let settings: Settings
    public let settingsYAML: String
    public let preset: String?
    public let options: BatchOptions
    public let outputPath: String

    /// Columns before the feature tags.
    public static let fixedColumns = ["id", "status", "message"]
    public static let caseColumns = ["image", "mask", "label", "roi", "lesion", "image_sha256", "mask_sha256"]

    private let lock = NSLock()
    private var handle: FileHandle?
    private var summary = BatchSummary()
    private var done = 0
    private var caseSeconds: [(String, Double)] = []
    private var start = Date()

    /// The table's columns: fixed, the manifest's extra columns, case identification, every
    /// feature tag of the enabled families, then the diagnostic tags. Computed once here, before
    /// any worker reads it.
    public let columns: [String]

    public init(manifest: Manifest, settings: Settings, settingsYAML: String, preset: String?, options: BatchOptions, outputPath: String) {
        self.manifest = manifest
        self.settings = settings
        self.settingsYAML = settingsYAML
        self.preset = preset
        self.options = options
        self.outputPath = outputPath
        self.columns = Self.fixedColumns + manifest.extraColumns + Self.caseColumns
            + FeatureCatalogue.entries(for: settings).map(\.tag) + Diagnostics.allTags
    }

    public func run() throws -> BatchSummary {
        start = Date()
        var rows = manifest.rows
        if let s = options.shard { rows = manifest.shard(s.k, of: s.n) }
        var doneIDs = Set<String>()
        let appending = options.resume && FileManager.default.fileExists(atPath: outputPath)
        if appending {
            try checkSameSettings()
            doneIDs = try keepFinishedRows()
        }
        try openOutput(appending: appending)
        // Written now as well as at the end, so that an interrupted run leaves its settings for
        // the resumed run to check.
        try writeSidecar(rows: rows)
        let todo = Self.largestFirst(rows.filter { !doneIDs.contains($0.id) })
        summary.total = rows.count
        summary.skipped = rows.count - todo.count
        if !options.quiet && summary.skipped > 0 {
            log("resuming: \(summary.skipped) of \(rows.count) cases already in \(outputPath)")
        }
        let progress = Progress(total: todo.count, quiet: options.quiet, verbose: options.verbose)
        let next = Counter()
        let workers = max(1, min(options.jobs, todo.count))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = next.take(below: todo.count) {
                let row = todo[i]
                let t0 = Date()
                let lines = self.process(row)
                let seconds = Date().timeIntervalSince(t0)
                self.lock.lock()
                self.write(lines.text)
                if let err = lines.error { self.summary.failed.append((row.id, err)) } else { self.summary.ok += 1 }
                self.caseSeconds.append((row.id, seconds))
                self.done += 1
                progress.update(done: self.done, id: row.id, ok: lines.error == nil, seconds: seconds, message: lines.error)
                self.lock.unlock()
            }
        }
        progress.finish()
        try? handle?.close()
        try sortOutput(manifestOrder: manifest.rows.map(\.id))
        summary.seconds = Date().timeIntervalSince(start)
        summary.slowest = caseSeconds.sorted { $0.1 > $1.1 }.prefix(5).map { ($0.0, $0.1) }
        try writeSidecar(rows: rows)
        return summary
    }

    // MARK: - One case

    /// The cases in the order the workers take them: largest mask file first (compressed, its
    /// size follows the ROI's), manifest order among equals. A large case taken last would run
    /// alone while the other workers idle; taken first, the small ones fill in around it. The
    /// table is rewritten in manifest order at the end, so the order does not show in it.
    static func largestFirst(_ rows: [ManifestRow]) -> [ManifestRow] {
        let sizes = rows.map { row -> Int in
            (try? FileManager.default.attributesOfItem(atPath: row.mask)[.size] as? Int).flatMap { $0 } ?? 0
        }
        return rows.indices.sorted { (sizes[$1], $0) < (sizes[$0], $1) }.map { rows[$0] }
    }

    private func process(_ row: ManifestRow) -> (text: String, error: String?) {
        do {
            let results = try extract(row)
            var text = ""
            var firstError: String?
            for r in results {
                switch r.outcome {
                case .success(let result):
                    text += format(row: row, result: result, lesion: r.lesion, hashes: r.hashes)
                case .failure(let message):
                    text += formatError(row: row, message: message, lesion: r.lesion, hashes: r.hashes)
                    firstError = firstError ?? message
                }
            }
            return (text, firstError)
        } catch {
            let message = Self.describe(error)
            return (formatError(row: row, message: message, lesion: nil, hashes: nil), message)
        }
    }

    static func describe(_ error: Error) -> String {
        (error as? RadiomicsError)?.description ?? "internal error: \(error)"
    }

    private enum Outcome {
        case success(ExtractionResult)
        case failure(String)
    }

    private struct RowResult {
        var outcome: Outcome
        var lesion: Int?
        var hashes: (String, String)
    }

    private func extract(_ row: ManifestRow) throws -> [RowResult] {
        let extractor = Extractor(settings: settings)
        let hashes = (try SHA256.digest(ofPath: row.image), try SHA256.digest(ofPath: row.mask))
        switch options.selection {
        case .manifest:
            return [RowResult(outcome: .success(try extractor.extract(row.input)), lesion: nil, hashes: hashes)]
        case .allLabels:
            let inputs = try MaskLoader.availableSelections(path: row.mask).map { sel -> CaseInput in
                var input = row.input
                input.label = sel.label
                input.roi = sel.roi
                return input
            }
            return try inputs.map { RowResult(outcome: .success(try extractor.extract($0)), lesion: nil, hashes: hashes) }
        case .lesions:
            let loaded = try ImageLoader.load(path: row.image)
            let mask = try MaskLoader.load(path: row.mask, label: row.label, roi: row.roi, onto: loaded, imagePath: row.image)
            // A lesion that cannot be extracted (e.g. too small for the interpolation grid) gets
            // its own error row; the other lesions of the case are still extracted.
            let lesions = Lesions.components(of: mask)
            return lesions.enumerated().map { n, lesion in
                do {
                    var r = try extractor.extract(image: loaded.image, mask: lesion)
                    r.input = row.input
                    r.modality = loaded.modality
                    return RowResult(outcome: .success(r), lesion: n + 1, hashes: hashes)
                } catch {
                    let voxels = lesion.voxels.reduce(0) { $1 ? $0 + 1 : $0 }
                    let message = "\(row.mask): lesion \(n + 1) of \(lesions.count) (\(voxels) voxels): " + Self.describe(error)
                    return RowResult(outcome: .failure(message), lesion: n + 1, hashes: hashes)
                }
            }
        }
    }

    // MARK: - Formatting

    private func values(row: ManifestRow, status: String, message: String, input: CaseInput, lesion: Int?, hashes: (String, String)?) -> [String: String] {
        var v: [String: String] = ["id": row.id, "status": status, "message": message,
                                   "image": input.image, "mask": input.mask,
                                   "label": input.label.map(String.init) ?? "", "roi": input.roi ?? "",
                                   "lesion": lesion.map(String.init) ?? "",
                                   "image_sha256": hashes?.0 ?? "", "mask_sha256": hashes?.1 ?? ""]
        for (name, value) in zip(manifest.extraColumns, row.extra) { v[name] = value }
        return v
    }

    private func format(row: ManifestRow, result: ExtractionResult, lesion: Int?, hashes: (String, String)) -> String {
        var v = values(row: row, status: "ok", message: "", input: result.input, lesion: lesion, hashes: hashes)
        for (t, x) in result.features { v[t] = FeatureTable.format(x) }
        for (t, x) in result.diagnostics { v[t] = FeatureTable.format(x) }
        return line(v)
    }

    private func formatError(row: ManifestRow, message: String, lesion: Int?, hashes: (String, String)?) -> String {
        line(values(row: row, status: "error", message: message, input: row.input, lesion: lesion, hashes: hashes))
    }

    private func line(_ v: [String: String]) -> String {
        switch options.format {
        case .csv:
            return columns.map { FeatureTable.csvField(v[$0] ?? "") }.joined(separator: ",") + "\n"
        case .jsonl:
            let fields = columns.compactMap { c -> String? in
                guard let s = v[c], !(s.isEmpty && !Self.fixedColumns.contains(c)) else { return nil }
                let isText = Self.fixedColumns.contains(c) || Self.caseColumns.contains(c) || manifest.extraColumns.contains(c)
                let json = isText ? FeatureTable.jsonString(s) : (Double(s).map { $0.isFinite ? s : "null" } ?? "null")
                return "\(FeatureTable.jsonString(c)):\(json)"
            }
            return "{" + fields.joined(separator: ",") + "}\n"
        }
    }

    // MARK: - Output file

    private func openOutput(appending: Bool) throws {
        let fm = FileManager.default
        if !appending {
            var header = ""
            if options.format == .csv { header = columns.map(FeatureTable.csvField).joined(separator: ",") + "\n" }
            guard fm.createFile(atPath: outputPath, contents: Data(header.utf8)) else {
                throw RadiomicsError.input(outputPath, "cannot create the output file")
            }
        }
        guard let h = FileHandle(forWritingAtPath: outputPath) else {
            throw RadiomicsError.input(outputPath, "cannot open the output file for writing")
        }
        try h.seekToEnd()
        handle = h
    }

    private func write(_ text: String) {
        handle?.write(Data(text.utf8))
    }

    /// One complete row of an existing output table, as it is written.
    private struct StoredRow {
        var id: String
        var status: String
        var text: String
    }

    /// The complete rows of the output table (a half-written last row of a killed run is left
    /// out) and, for CSV, its header.
    private func storedRows() throws -> (header: [String]?, rows: [StoredRow]) {
        guard let data = FileManager.default.contents(atPath: outputPath) else {
            throw RadiomicsError.input(outputPath, "cannot read the output file")
        }
        let text = String(decoding: data, as: UTF8.self)
        switch options.format {
        case .csv:
            let table = CSV.parse(text, keepIncompleteLastLine: false)
            guard let header = table.first else { return (nil, []) }
            let rows = table.dropFirst().filter { $0.count == header.count }.map {
                StoredRow(id: $0[0], status: $0.count > 1 ? $0[1] : "",
                          text: $0.map(FeatureTable.csvField).joined(separator: ",") + "\n")
            }
            return (header, rows)
        case .jsonl:
            var rows: [StoredRow] = []
            for line in text.split(separator: "\n") {
                guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let id = obj["id"] as? String else { continue }
                rows.append(StoredRow(id: id, status: obj["status"] as? String ?? "", text: String(line) + "\n"))
            }
            return (nil, rows)
        }
    }

    /// For `resume`: keeps the rows of the cases that finished without error and returns their
    /// ids. The rows of failed cases are dropped so that these cases are tried again, and a
    /// half-written last row (a run killed mid-write) is cut off.
    private func keepFinishedRows() throws -> Set<String> {
        let (header, rows) = try storedRows()
        if options.format == .csv, let header, header != columns {
            throw RadiomicsError.usage("\(outputPath) has other columns than this run would write (other settings or families?); resume with the same settings or write to a new file")
        }
        let failed = Set(rows.filter { $0.status != "ok" }.map(\.id))
        let kept = rows.filter { !failed.contains($0.id) }
        try rewriteOutput(rows: kept)
        return Set(kept.map(\.id))
    }

    /// For `resume`: the rows already in the output were computed with the settings of its
    /// sidecar; other settings with the same families would give the same columns, so the
    /// settings themselves are compared.
    private func checkSameSettings() throws {
        let sidecar = outputPath + ".json"
        guard let text = try? String(contentsOfFile: sidecar, encoding: .utf8),
              let previous = Provenance.settingsYAML(fromSidecar: text) else { return }
        // Compared as settings, so comments and key order do not matter.
        let same = previous == settingsYAML || (try? SettingsLoader.load(yaml: previous, source: sidecar)) == settings
        guard same else {
            throw RadiomicsError.usage("\(outputPath) was written with other settings (see \(sidecar)); resume with the same settings, e.g. --config \(sidecar), or write to a new file")
        }
    }

    /// Replaces the output table with the header and these rows, in one rename.
    private func rewriteOutput(rows: [StoredRow]) throws {
        var out = options.format == .csv ? columns.map(FeatureTable.csvField).joined(separator: ",") + "\n" : ""
        for r in rows { out += r.text }
        do {
            try Data(out.utf8).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
        } catch {
            throw RadiomicsError.input(outputPath, "cannot rewrite the output file")
        }
    }

    /// The provenance sidecar `OUTPUT.json`: tool, version, commit, catalogue, date, preset,
    /// settings, shard, the ids this run is responsible for, and per case the input digests
    /// (read back from the table, so resumed runs are covered).
    private func writeSidecar(rows: [ManifestRow]) throws {
        var digests: [(String, String, String, String)] = []
        if let text = try? String(contentsOfFile: outputPath, encoding: .utf8) {
            switch options.format {
            case .csv:
                let table = CSV.parse(text, keepIncompleteLastLine: false)
                if let header = table.first, let i = header.firstIndex(of: "id"), let s = header.firstIndex(of: "status"),
                   let ih = header.firstIndex(of: "image_sha256"), let mh = header.firstIndex(of: "mask_sha256") {
                    for r in table.dropFirst() where r.count == header.count { digests.append((r[i], r[s], r[ih], r[mh])) }
                }
            case .jsonl:
                for line in text.split(separator: "\n") {
                    if let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] {
                        digests.append((o["id"] as? String ?? "", o["status"] as? String ?? "",
                                        o["image_sha256"] as? String ?? "", o["mask_sha256"] as? String ?? ""))
                    }
                }
            }
        }
        var seen = Set<String>()
        let caseList = digests.filter { seen.insert($0.0).inserted }.map {
            "    {\"id\": \(FeatureTable.jsonString($0.0)), \"status\": \(FeatureTable.jsonString($0.1)), \"image_sha256\": \(FeatureTable.jsonString($0.2)), \"mask_sha256\": \(FeatureTable.jsonString($0.3))}"
        }
        var s = Provenance.jsonHeader(preset: preset)
        s += "  \"manifest\": \(FeatureTable.jsonString(manifest.path)),\n"
        s += "  \"manifest_sha256\": \(FeatureTable.jsonString((try? SHA256.digest(ofPath: manifest.path)) ?? "")),\n"
        s += "  \"manifest_rows\": \(manifest.rows.count),\n"
        s += "  \"shard\": \(options.shard.map { "\"\($0.k)/\($0.n)\"" } ?? "null"),\n"
        s += "  \"roi_selection\": \(FeatureTable.jsonString("\(options.selection)")),\n"
        s += "  \"expected_ids\": [" + rows.map { FeatureTable.jsonString($0.id) }.joined(separator: ", ") + "],\n"
        s += "  \"settings\": " + SettingsReport.json(settings, indent: "  ") + ",\n"
        s += "  \"settings_yaml\": \(FeatureTable.jsonString(settingsYAML)),\n"
        s += "  \"cases\": [\n" + caseList.joined(separator: ",\n") + "\n  ]\n"
        s += "}\n"
        do {
            try s.write(toFile: outputPath + ".json", atomically: true, encoding: .utf8)
        } catch {
            throw RadiomicsError.input(outputPath + ".json", "cannot write the provenance sidecar")
        }
    }

    /// Rewrites the finished table in manifest order (rows were appended as cases finished), so
    /// the same inputs give the same file whatever the number of jobs. Rows of one case keep
    /// their order. The rewrite goes to a temporary file that replaces the table in one rename.
    private func sortOutput(manifestOrder: [String]) throws {
        guard FileManager.default.fileExists(atPath: outputPath) else { return }
        let rows = try storedRows().rows
        var position: [String: Int] = [:]
        for (i, id) in manifestOrder.enumerated() { position[id] = i }
        let sorted = rows.enumerated().sorted { a, b in
            let pa = position[a.element.id] ?? Int.max, pb = position[b.element.id] ?? Int.max
            return pa != pb ? pa < pb : a.offset < b.offset
        }.map(\.element)
        try rewriteOutput(rows: sorted)
    }

    private func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }
}

/// Hands out indices 0..<n once each to concurrent workers.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below n: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard value < n else { return nil }
        defer { value += 1 }
        return value
    }
}

/// Progress on stderr: a bar redrawn in place on a terminal, plain lines otherwise.
final class Progress: @unchecked Sendable {
    let total: Int
    let quiet: Bool
    let verbose: Bool
    let tty = isatty(STDERR_FILENO) != 0
    let start = Date()

    init(total: Int, quiet: Bool, verbose: Bool) {
        self.total = total
        self.quiet = quiet
        self.verbose = verbose
    }

    func update(done: Int, id: String, ok: Bool, seconds: Double, message: String?) {
        if quiet { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if tty {
            if verbose || !ok {
                emit("\r\u{1B}[K[\(done)/\(total)] \(id) \(ok ? "ok" : "error: \(message ?? "")") \(String(format: "%.2f", seconds)) s\n")
            }
            let width = 30
            let filled = total > 0 ? width * done / total : width
            let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
            emit("\r\u{1B}[K[\(bar)] \(done)/\(total) cases, \(String(format: "%.2f", rate)) cases/s, ETA \(formatDuration(eta))")
        } else {
            emit("[\(done)/\(total)] \(id) \(ok ? "ok" : "error: \(message ?? "")") \(String(format: "%.2f", seconds)) s\n")
        }
    }

    func finish() {
        if tty && !quiet { emit("\n") }
    }

    private func emit(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}

func formatDuration(_ s: Double) -> String {
    let t = Int(s.rounded())
    return t >= 3600 ? "\(t / 3600)h\(t % 3600 / 60)m" : t >= 60 ? "\(t / 60)m\(t % 60)s" : "\(t)s"
}
