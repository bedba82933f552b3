import Foundation
import RadiomicsCore

/// Joins the tables of `batch --shard K/N` runs into one, in manifest order, and checks that the
/// parts are the N shards of one manifest, each given once, and that no id is missing or doubled.
/// Each part's sidecar (`PART.json`) says which shard it is and which ids it was responsible for.
public enum Merge {
    public struct Result: Sendable {
        public var rows: Int
        public var parts: Int
    }

    private struct Part {
        var path: String
        var k: Int
        var n: Int
        var manifestDigest: String
        var owned: [String]
        var sidecar: [String: Any]
    }

    public static func merge(parts: [String], output: String) throws -> Result {
        guard !parts.isEmpty else { throw RadiomicsError.usage("merge needs at least one part") }
        var header: [String]?
        var rows: [(id: String, line: [String], manifestIndex: Int)] = []
        var infos: [Part] = []
        var partOfID: [String: String] = [:]
        var partRows: [String: [[String]]] = [:]
        for path in parts {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw RadiomicsError.input(path, FileManager.default.fileExists(atPath: path) ? "cannot read the part" : "file not found")
            }
            let table = CSV.parse(text, keepIncompleteLastLine: false)
            guard let h = table.first, h.first == "id" else { throw RadiomicsError.input(path, "not a batch table (no id column)") }
            if let header, header != h { throw RadiomicsError.input(path, "its columns differ from those of \(parts[0]) (other settings?)") }
            header = h
            let part = try readSidecar(of: path)
            if let first = infos.first {
                guard part.n == first.n else {
                    throw RadiomicsError.input(path, "is shard \(part.k)/\(part.n), but \(first.path) is shard \(first.k)/\(first.n)")
                }
                guard part.manifestDigest == first.manifestDigest else {
                    throw RadiomicsError.input(path, "was run on another manifest than \(first.path) (manifest SHA-256 differs)")
                }
                guard part.sidecar["settings_yaml"] as? String == first.sidecar["settings_yaml"] as? String else {
                    throw RadiomicsError.input(path, "was run with other settings than \(first.path) (settings_yaml of the sidecars differ)")
                }
            }
            if let twin = infos.first(where: { $0.k == part.k }) {
                throw RadiomicsError.input(path, "shard \(part.k)/\(part.n) is given twice (also \(twin.path))")
            }
            infos.append(part)

            let keyColumns = ["label", "roi", "lesion"].compactMap { h.firstIndex(of: $0) }
            var keys = Set<[String]>()
            for r in table.dropFirst() {
                guard r.count == h.count else { throw RadiomicsError.input(path, "a row has \(r.count) fields, the header \(h.count)") }
                // A case's rows (one per label or lesion) come from one shard, once each.
                if let other = partOfID[r[0]], other != path {
                    throw RadiomicsError.input(path, "id '\(r[0])' is also in \(other) (doubled)")
                }
                partOfID[r[0]] = path
                guard keys.insert([r[0]] + keyColumns.map { r[$0] }).inserted else {
                    throw RadiomicsError.input(path, "id '\(r[0])' has the same row twice (doubled)")
                }
                partRows[path, default: []].append(r)
            }
        }
        // Every row belongs to its shard, and every case of each shard is there.
        for part in infos {
            var ownedPosition: [String: Int] = [:]
            for (j, id) in part.owned.enumerated() { ownedPosition[id] = j }
            for r in partRows[part.path] ?? [] {
                guard let j = ownedPosition[r[0]] else {
                    throw RadiomicsError.input(part.path, "id '\(r[0])' is not one of the cases of shard \(part.k)/\(part.n) (its sidecar lists them)")
                }
                // Shards are round-robin: the j-th id of shard K/N is manifest row j*N + K-1.
                rows.append((r[0], r, j * part.n + part.k - 1))
            }
            let missing = part.owned.filter { partOfID[$0] == nil }
            guard missing.isEmpty else {
                throw RadiomicsError.input(part.path, "ids missing (an unfinished shard? rerun it with --resume): \(missing.prefix(20).joined(separator: ", "))\(missing.count > 20 ? ", ..." : "")")
            }
        }
        let n = infos[0].n
        let given = Set(infos.map(\.k))
        let absent = (1...n).filter { !given.contains($0) }
        guard absent.isEmpty else {
            throw RadiomicsError.input(nil, "shard\(absent.count > 1 ? "s" : "") \(absent.map { "\($0)/\(n)" }.joined(separator: ", ")) missing from the parts")
        }
        let ordered = rows.enumerated().sorted { a, b in
            a.element.manifestIndex != b.element.manifestIndex ? a.element.manifestIndex < b.element.manifestIndex : a.offset < b.offset
        }.map(\.element.line)
        let text = ([header!] + ordered).map { $0.map(FeatureTable.csvField).joined(separator: ",") + "\n" }.joined()
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw RadiomicsError.input(output, "cannot write the merged table")
        }
        // The merged sidecar: the first part's, covering every case, in manifest order.
        let byK = infos.sorted { $0.k < $1.k }
        var merged = byK[0].sidecar
        var expected: [(Int, String)] = []
        for p in byK { for (j, id) in p.owned.enumerated() { expected.append((j * p.n + p.k - 1, id)) } }
        var position: [String: Int] = [:]
        for (i, id) in expected { position[id] = i }
        let cases = byK.flatMap { $0.sidecar["cases"] as? [[String: Any]] ?? [] }
            .sorted { (position[$0["id"] as? String ?? ""] ?? Int.max) < (position[$1["id"] as? String ?? ""] ?? Int.max) }
        merged["shard"] = NSNull()
        merged["expected_ids"] = expected.sorted { $0.0 < $1.0 }.map(\.1)
        merged["cases"] = cases
        merged["merged_from"] = byK.map(\.path)
        merged["date"] = Provenance.isoDate()
        do {
            let data = try JSONSerialization.data(withJSONObject: merged, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: output + ".json"))
        } catch {
            throw RadiomicsError.input(output + ".json", "cannot write the provenance sidecar")
        }
        return Result(rows: rows.count, parts: parts.count)
    }

    private static func readSidecar(of path: String) throws -> Part {
        let file = path + ".json"
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RadiomicsError.input(file, "sidecar not found; merge needs each part's sidecar to know which cases it holds")
        }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let owned = obj["expected_ids"] as? [String] else {
            throw RadiomicsError.input(file, "not a batch sidecar (no expected_ids)")
        }
        var k = 1, n = 1
        if let s = obj["shard"] as? String {
            let kn = s.split(separator: "/").compactMap { Int($0) }
            guard kn.count == 2, kn[1] >= 1, (1...kn[1]).contains(kn[0]) else {
                throw RadiomicsError.input(file, "shard '\(s)' is not K/N")
            }
            (k, n) = (kn[0], kn[1])
        }
        return Part(path: path, k: k, n: n, manifestDigest: obj["manifest_sha256"] as? String ?? "", owned: owned, sidecar: obj)
    }
}
