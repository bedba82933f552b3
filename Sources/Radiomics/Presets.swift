import Foundation
import RadiomicsCore
import RadiomicsProcessing

/// Bundled settings: each preset is a YAML config under Presets/, so a preset is exactly a config
/// file a user could have written.
public enum Presets {
    /// Names of the bundled presets (`ibsi-phantom`, `ibsi-config-a`, ...), sorted.
    public static var names: [String] {
        guard let dir = Bundle.module.url(forResource: "Presets", withExtension: nil),
              let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The YAML text of a preset.
    public static func yaml(named name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: "Presets/\(name)", withExtension: "yaml"),
              let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw RadiomicsError.usage("unknown preset '\(name)'; available presets: \(names.joined(separator: ", "))")
        }
        return text
    }

    /// The settings of a preset.
    public static func settings(named name: String) throws -> Settings {
        try SettingsLoader.load(yaml: yaml(named: name), source: "preset \(name)")
    }
}
