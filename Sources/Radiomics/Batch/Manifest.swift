import Foundation
import RadiomicsCore

/// One case of a batch manifest.
public struct ManifestRow: Sendable, Equatable {
    public var id: String
    public var image: String
    public var mask: String
    public var label: Int?
    public var roi: String?
    public var modality: String?
    /// Columns the manifest has beyond id, image, mask, label and roi (modality included), copied
    /// to the output as they are.
    public var extra: [String]

    public var input: CaseInput { CaseInput(image: image, mask: mask, label: label, roi: roi) }
}

/// A cohort manifest: `id,image,mask[,label][,roi][,modality]` and any other columns, or a
/// PyRadiomics batch file (`Image,Mask[,Label]`, ids are then the row numbers). Relative paths are
/// relative to the manifest's folder.
public struct Manifest: Sendable {
    public var path: String
    public var rows: [ManifestRow]
    /// Names of the extra columns, in manifest order.
    public var extraColumns: [String]

    public static func read(path: String) throws -> Manifest {
        guard FileManager.default.fileExists(atPath: path) else { throw RadiomicsError.input(path, "manifest not found") }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw RadiomicsError.input(path, "cannot read the manifest (not UTF-8 text?)")
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws -> Manifest {
        // A byte-order mark (spreadsheet programs write one) is not part of the first column name.
        let table = CSV.parse(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard let header = table.first?.map({ $0.trimmingCharacters(in: .whitespaces) }) else {
            throw RadiomicsError.input(path, "the manifest is empty")
        }
        let lower = header.map { $0.lowercased() }
        guard let imageCol = lower.firstIndex(of: "image"), let maskCol = lower.firstIndex(of: "mask") else {
            throw RadiomicsError.input(path, "the manifest header needs columns id,image,mask (or PyRadiomics' Image,Mask); found: \(header.joined(separator: ","))")
        }
        let idCol = lower.firstIndex(of: "id")
        let labelCol = lower.firstIndex(of: "label"), roiCol = lower.firstIndex(of: "roi")
        let modalityCol = lower.firstIndex(of: "modality")
        // The modality is also copied to the output (it is not a column of the table otherwise).
        let known = Set([idCol, Optional(imageCol), Optional(maskCol), labelCol, roiCol].compactMap { $0 })
        let extraCols = header.indices.filter { !known.contains($0) }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func resolve(_ p: String) -> String {
            let t = p.trimmingCharacters(in: .whitespaces)
            if t.isEmpty || t.hasPrefix("/") { return t }
            return normalise(base + "/" + t)
        }
        var rows: [ManifestRow] = []
        var seen = Set<String>()
        for (n, fields) in table.dropFirst().enumerated() {
            let line = n + 2
            func col(_ i: Int?) -> String? {
                guard let i, i < fields.count else { return nil }
                let v = fields[i].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            let id = col(idCol) ?? String(n + 1)
            guard let image = col(imageCol), let mask = col(maskCol) else {
                throw RadiomicsError.input(path, "line \(line): image and mask must not be empty")
            }
            guard seen.insert(id).inserted else { throw RadiomicsError.input(path, "line \(line): id '\(id)' appears twice") }
            var label: Int?
            if let l = col(labelCol) {
                guard let v = Int(l) ?? Double(l).flatMap({ $0 == $0.rounded() ? Int($0) : nil }) else {
                    throw RadiomicsError.input(path, "line \(line): label '\(l)' is not an integer")
                }
                label = v
            }
            rows.append(ManifestRow(id: id, image: resolve(image), mask: resolve(mask), label: label, roi: col(roiCol),
                                    modality: col(modalityCol), extra: extraCols.map { $0 < fields.count ? fields[$0] : "" }))
        }
        return Manifest(path: path, rows: rows, extraColumns: extraCols.map { header[$0] })
    }

    /// Removes `.` and `..` components by their names alone: symbolic links along the path are
    /// kept, so the table shows the paths the manifest gave, joined to the manifest's folder.
    static func normalise(_ path: String) -> String {
        var parts: [Substring] = []
        for c in path.split(separator: "/") {
            if c == "." { continue }
            if c == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The K-th (1-based) of N deterministic parts: rows whose position modulo N is K-1, so the
    /// parts are balanced whatever the manifest's order.
    public func shard(_ k: Int, of n: Int) -> [ManifestRow] {
        rows.enumerated().filter { $0.offset % n == k - 1 }.map(\.element)
    }
}
