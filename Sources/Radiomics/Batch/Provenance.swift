import Foundation

/// Where a table came from: tool, version, git commit, settings, date. Written as a JSON sidecar
/// beside every table; `--config SIDECAR.json` reads its settings back.
public enum Provenance {
    /// The git commit of the source tree the running binary was built in, when it can be found
    /// (the binary lives under .build/ of a checkout, which may be a linked worktree whose `.git`
    /// is a file pointing at the real git directory); "unknown" otherwise.
    public static let gitCommit: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        }
        for _ in 0..<8 {
            if let gitDir = gitDirectory(in: dir) { return commit(gitDir: gitDir) ?? "unknown" }
            dir = dir.deletingLastPathComponent()
        }
        return "unknown"
    }()

    /// The git directory of a checkout rooted at `dir`: `.git` itself, or the directory named by a
    /// `.git` file (`gitdir: PATH`, relative paths relative to `dir`).
    static func gitDirectory(in dir: URL) -> URL? {
        let git = dir.appendingPathComponent(".git")
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: git.path, isDirectory: &isDir) else { return nil }
        if isDir.boolValue { return git }
        guard let text = try? String(contentsOf: git, encoding: .utf8) else { return nil }
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("gitdir:") else { return nil }
        let target = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
        return target.hasPrefix("/") ? URL(fileURLWithPath: target) : dir.appendingPathComponent(target).standardizedFileURL
    }

    /// The commit HEAD points at. A linked worktree keeps HEAD in its own git directory and the
    /// branch refs in the common one (named by its `commondir` file).
    static func commit(gitDir: URL) -> String? {
        guard let head = try? String(contentsOf: gitDir.appendingPathComponent("HEAD"), encoding: .utf8) else { return nil }
        let h = head.trimmingCharacters(in: .whitespacesAndNewlines)
        guard h.hasPrefix("ref: ") else { return h.isEmpty ? nil : h }
        let ref = String(h.dropFirst(5))
        var dirs = [gitDir]
        if let common = try? String(contentsOf: gitDir.appendingPathComponent("commondir"), encoding: .utf8) {
            let c = common.trimmingCharacters(in: .whitespacesAndNewlines)
            dirs.append(c.hasPrefix("/") ? URL(fileURLWithPath: c) : gitDir.appendingPathComponent(c).standardizedFileURL)
        }
        for d in dirs {
            if let c = try? String(contentsOf: d.appendingPathComponent(ref), encoding: .utf8) {
                return c.trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        for d in dirs {
            if let packed = try? String(contentsOf: d.appendingPathComponent("packed-refs"), encoding: .utf8),
               let line = packed.split(separator: "\n").first(where: { $0.hasSuffix(" " + ref) }) {
                return String(line.prefix(40))
            }
        }
        return nil
    }

    /// The opening members of every provenance sidecar (a JSON object's first lines, each ending
    /// with a comma): tool, version, git commit, catalogue version, date and preset.
    public static func jsonHeader(preset: String?) -> String {
        "{\n"
            + "  \"tool\": \"SwiftRadiomics\",\n"
            + "  \"version\": \(FeatureTable.jsonString(Version.string)),\n"
            + "  \"git_commit\": \(FeatureTable.jsonString(gitCommit)),\n"
            + "  \"catalogue_version\": \(FeatureTable.jsonString(FeatureCatalogue.version)),\n"
            + "  \"date\": \(FeatureTable.jsonString(isoDate())),\n"
            + "  \"preset\": \(preset.map(FeatureTable.jsonString) ?? "null"),\n"
    }

    public static func isoDate(_ d: Date = Date()) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: d)
    }

    /// Reads the settings YAML back from a provenance sidecar (JSON with a `settings_yaml` key).
    public static func settingsYAML(fromSidecar text: String) -> String? {
        // A sidecar is a JSON object; a settings file that does not open with a brace is YAML
        // and is not handed to the JSON parser (most of a small case's settings time).
        guard text.utf8.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) == UInt8(ascii: "{"),
              let data = text.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return obj["settings_yaml"] as? String
    }
}
