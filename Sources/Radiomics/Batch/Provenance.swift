import Foundation

/// Where a table came from: tool, version, git commit, settings, date. Written as a JSON sidecar
/// beside every table; `--config SIDECAR.json` reads its settings back.
public enum Provenance {
    /// The git commit of the source tree the running binary was built in, when it can be found
    /// (the binary lives under .build/ of a checkout); "unknown" otherwise.
    public static let gitCommit: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        }
        for _ in 0..<8 {
            let git = dir.appendingPathComponent(".git")
            if let head = try? String(contentsOf: git.appendingPathComponent("HEAD"), encoding: .utf8) {
                let h = head.trimmingCharacters(in: .whitespacesAndNewlines)
                guard h.hasPrefix("ref: ") else { return h }
                let ref = String(h.dropFirst(5))
                if let c = try? String(contentsOf: git.appendingPathComponent(ref), encoding: .utf8) {
                    return c.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                if let packed = try? String(contentsOf: git.appendingPathComponent("packed-refs"), encoding: .utf8),
                   let line = packed.split(separator: "\n").first(where: { $0.hasSuffix(" " + ref) }) {
                    return String(line.prefix(40))
                }
                return "unknown"
            }
            dir = dir.deletingLastPathComponent()
        }
        return "unknown"
    }()

    public static func isoDate(_ d: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: d)
    }

    /// Reads the settings YAML back from a provenance sidecar (JSON with a `settings_yaml` key).
    public static func settingsYAML(fromSidecar text: String) -> String? {
        guard let data = text.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return obj["settings_yaml"] as? String
    }
}
