import Foundation
import RadiomicsCore
import RadiomicsFeatures

/// Output formats of a feature table.
public enum TableFormat: String, CaseIterable, Sendable {
    case csv
    case json
}

/// Formatting of feature tables: identification columns first (`image`, `mask`, `label` or
/// `roi`), then one column per feature tag, then the diagnostic columns.
public enum FeatureTable {
    /// A number written so that reading it back gives the same Double (Swift's shortest
    /// round-trip representation); NaN for undefined values, inf/-inf for infinities.
    public static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        return "\(v)"
    }

    /// Identification columns of a case.
    public static func identity(_ input: CaseInput) -> [(String, String)] {
        var cols = [("image", input.image), ("mask", input.mask)]
        if let roi = input.roi { cols.append(("roi", roi)) } else { cols.append(("label", input.label.map(String.init) ?? "")) }
        return cols
    }

    public static func csvHeader(_ result: ExtractionResult) -> String {
        (identity(result.input).map(\.0) + result.features.tags + result.diagnostics.tags).map(csvField).joined(separator: ",")
    }

    public static func csvRow(_ result: ExtractionResult) -> String {
        let id = identity(result.input).map { csvField($0.1) }
        return (id + result.features.values.map(format) + result.diagnostics.values.map(format)).joined(separator: ",")
    }

    /// Quotes a CSV field when it holds a comma, quote or line break (RFC 4180). The test reads
    /// bytes: a CR LF pair is one Character, equal to neither "\r" nor "\n", and walking
    /// Characters costs thousands of instructions per tag.
    public static func csvField(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One JSON object: identification, `features` and `diagnostics` objects keyed by tag (NaN and
    /// infinities as null), and the settings used.
    public static func json(_ result: ExtractionResult, settingsYAML: String?, preset: String?) -> String {
        var s = "{\n"
        for (k, v) in identity(result.input) { s += "  \(jsonString(k)): \(jsonString(v)),\n" }
        if let m = result.modality { s += "  \"modality\": \(jsonString(m)),\n" }
        s += "  \"tool\": {\"name\": \"SwiftRadiomics\", \"version\": \(jsonString(Version.string)), \"catalogue\": \(jsonString(FeatureCatalogue.version))},\n"
        if let preset { s += "  \"preset\": \(jsonString(preset)),\n" }
        if let settingsYAML { s += "  \"settings_yaml\": \(jsonString(settingsYAML)),\n" }
        s += "  \"features\": " + jsonObject(result.features, indent: "  ") + ",\n"
        s += "  \"diagnostics\": " + jsonObject(result.diagnostics, indent: "  ") + "\n"
        s += "}\n"
        return s
    }

    static func jsonObject(_ values: FeatureValues, indent: String) -> String {
        if values.count == 0 { return "{}" }
        let body = zip(values.tags, values.values).map { tag, v in
            "\(indent)  \(jsonString(tag)): \(v.isFinite ? format(v) : "null")"
        }.joined(separator: ",\n")
        return "{\n\(body)\n\(indent)}"
    }

    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}

/// The tool's version, written into every table's provenance.
public enum Version {
    public static let string = "0.1.0"
}

extension FeatureTable {
    /// Provenance sidecar of a single-case table: tool, commit, settings (reporting terms and the
    /// YAML that `--config` reads back), date and the inputs' SHA-256.
    /// `digests`: the inputs' digests when they were started beforehand (see `InputDigests`).
    public static func sidecar(_ result: ExtractionResult, settings: Settings, settingsYAML: String, preset: String?,
                               digests: InputDigests? = nil) -> String {
        let (imageHash, maskHash) = (digests ?? InputDigests(result.input, concurrently: false)).value
        var s = Provenance.jsonHeader(preset: preset)
        s += "  \"settings\": " + SettingsReport.json(settings, indent: "  ") + ",\n"
        s += "  \"settings_yaml\": \(jsonString(settingsYAML)),\n"
        s += "  \"cases\": [{\"image\": \(jsonString(result.input.image)), \"image_sha256\": \(jsonString(imageHash)), \"mask\": \(jsonString(result.input.mask)), \"mask_sha256\": \(jsonString(maskHash))}]\n"
        s += "}\n"
        return s
    }
}

/// The SHA-256 of a case's image and mask, for the provenance sidecar. With `concurrently` the
/// files are hashed on another thread, alongside the extraction, and `value` waits for them.
public final class InputDigests: @unchecked Sendable {
    private let group = DispatchGroup()
    private var digests = ("", "")

    public init(_ input: CaseInput, concurrently: Bool = true) {
        let work: @Sendable () -> (String, String) = { [input] in
            ((try? SHA256.digest(ofPath: input.image)) ?? "", (try? SHA256.digest(ofPath: input.mask)) ?? "")
        }
        if concurrently {
            group.enter()
            DispatchQueue.global().async {
                self.digests = work()
                self.group.leave()
            }
        } else {
            digests = work()
        }
    }

    /// (image, mask) digests, hex.
    public var value: (String, String) {
        group.wait()
        return digests
    }
}
