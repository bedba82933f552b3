import Foundation
import RadiomicsCore

/// Joins the tables of `batch --shard K/N` runs into one, in manifest order, and checks that no
/// id is missing or doubled (the parts' sidecars say which ids each shard was responsible for).
public enum Merge {
    public struct Result: Sendable {
        public var rows: Int
        public var parts: Int
    }

    public static func merge(parts: [String], output: String) throws -> Result {
        guard !parts.isEmpty else { throw RadiomicsError.usage("merge needs at least one part") }
        var header: [String]?
        var rows: [(id: String, line: [String], manifestIndex: Int)] = []
        var expected: [String] = []
        var sidecars: [[String: Any]] = []
        for part in parts {
            guard let text = try? String(contentsOfFile: part, encoding: .utf8) else {
                throw RadiomicsError.input(part, FileManager.default.fileExists(atPath: part) ? "cannot read the part" : "file not found")
            }
            let table = CSV.parse(text, keepIncompleteLastLine: false)
            guard let h = table.first, h.first == "id" else { throw RadiomicsError.input(part, "not a batch table (no id column)") }
            if let header, header != h { throw RadiomicsError.input(part, "its columns differ from those of \(parts[0]) (other settings?)") }
            header = h
            // Sidecar: which shard this is and which ids it owns, in manifest order.
            var shardK = 1, shardN = 1
            var owned: [String] = []
            if let data = FileManager.default.contents(atPath: part + ".json"),
               let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                sidecars.append(obj)
                owned = obj["expected_ids"] as? [String] ?? []
                if let s = obj["shard"] as? String {
                    let kn = s.split(separator: "/").compactMap { Int($0) }
                    if kn.count == 2 { shardK = kn[0]; shardN = kn[1] }
                }
            }
            expected.append(contentsOf: owned)
            var ownedPosition: [String: Int] = [:]
            for (j, id) in owned.enumerated() { ownedPosition[id] = j }
            for r in table.dropFirst() {
                guard r.count == h.count else { throw RadiomicsError.input(part, "a row has \(r.count) fields, the header \(h.count)") }
                // Shards are round-robin: the j-th id of shard K/N is manifest row j*N + K-1.
                let index = ownedPosition[r[0]].map { $0 * shardN + shardK - 1 } ?? Int.max
                rows.append((r[0], r, index))
            }
        }
        var count: [String: Int] = [:]
        for r in rows { count[r.id, default: 0] += 1 }
        let doubled = count.filter { $0.value > 1 }.keys.sorted()
        guard doubled.isEmpty else {
            throw RadiomicsError.input(nil, "ids appear more than once across the parts: \(doubled.prefix(20).joined(separator: ", "))")
        }
        let missing = expected.filter { count[$0] == nil }
        guard missing.isEmpty else {
            throw RadiomicsError.input(nil, "ids missing from the parts (an unfinished shard? rerun it with --resume): \(missing.prefix(20).joined(separator: ", "))")
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
        if var first = sidecars.first {
            first["shard"] = NSNull()
            first["expected_ids"] = expected
            first["cases"] = sidecars.flatMap { $0["cases"] as? [Any] ?? [] }
            first["merged_from"] = parts
            if let data = try? JSONSerialization.data(withJSONObject: first, options: [.prettyPrinted, .sortedKeys]) {
                try? data.write(to: URL(fileURLWithPath: output + ".json"))
            }
        }
        return Result(rows: rows.count, parts: parts.count)
    }
}
