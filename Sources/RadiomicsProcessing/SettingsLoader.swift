import Foundation
import RadiomicsCore
import Yams

// Settings as YAML. Keys are the snake_case words of the `Settings` fields:
//
//   slice_wise: false                 # IBSI 2D (true) or 3D (false) configuration
//   interpolation:                    # omit for none
//     spacing: [2, 2, 2]              # mm; [x, y] is enough with in_plane_only
//     in_plane_only: false
//     image_method: linear            # nearest | linear | cubic
//     mask_method: linear
//     mask_threshold: 0.5
//     round_intensities: true
//   re_segmentation:
//     range: [-500, 400]              # either bound may be null (open)
//     outlier_sigma: 3
//   discretisation:
//     method: fixed_bin_size          # fixed_bin_size | fixed_bin_number | none
//     bin_width: 25                   # fixed_bin_size (and optional lower_bound)
//     bin_number: 32                   # fixed_bin_number
//   ivh_discretisation: { method: fixed_bin_size, bin_width: 2.5 }
//   texture: { cooccurrence_distance: 1, ngtdm_distance: 1, ngldm_distance: 1, ngldm_alpha: 0 }
//   local_intensity_sphere_volume: 1000
//   families: [morph, stat]           # omit for all
//   diagnostics: roi                  # roi | full (also the whole-image intensities after interpolation)
//
// Every key is checked: unknown keys, wrong types and impossible values are usage errors that
// name the key and the file.

public enum SettingsLoader {
    static let topKeys = ["slice_wise", "interpolation", "re_segmentation", "discretisation", "ivh_discretisation",
                          "texture", "local_intensity_sphere_volume", "families", "diagnostics"]
    static let interpolationKeys = ["spacing", "in_plane_only", "image_method", "mask_method", "mask_threshold",
                                    "round_intensities"]
    static let reSegmentationKeys = ["range", "outlier_sigma"]
    static let discretisationKeys = ["method", "bin_width", "bin_number", "lower_bound"]
    static let textureKeys = ["cooccurrence_distance", "ngtdm_distance", "ngldm_distance", "ngldm_alpha"]

    /// Reads settings from a YAML file.
    public static func loadFile(path: String) throws -> Settings {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else {
            throw RadiomicsError.input(path, "settings file not found")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RadiomicsError.input(path, "settings file is not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RadiomicsError.input(path, "settings file is not UTF-8 text")
        }
        return try load(yaml: text, source: path)
    }

    /// Parses and validates settings; `source` names the document in error messages.
    public static func load(yaml: String, source: String) throws -> Settings {
        let root: Node?
        do {
            // The reader types every scalar itself (number, bool, null, string), so Yams'
            // tag resolution, whose regular expressions take longer to compile than a small
            // case takes to extract, is not needed.
            root = try Yams.compose(yaml: yaml, .basic)
        } catch {
            throw RadiomicsError(.usage, file: source, "not valid YAML: \(error)")
        }
        var settings = Settings()
        guard let root, !isNull(root) else { return settings }
        let r = Reader(source: source)
        let top = try r.mapping(root, path: nil, known: topKeys)

        if let v = top["slice_wise"] { settings.sliceWise = try r.bool(v, "slice_wise") }
        if let v = top["interpolation"], !isNull(v) { settings.interpolation = try r.interpolation(v) }
        if let v = top["re_segmentation"], !isNull(v) { settings.reSegmentation = try r.reSegmentation(v) }
        if let v = top["discretisation"] { settings.discretisation = try r.discretisation(v, "discretisation") }
        if let v = top["ivh_discretisation"], !isNull(v) {
            settings.ivhDiscretisation = try r.discretisation(v, "ivh_discretisation")
        }
        if let v = top["texture"], !isNull(v) { settings.texture = try r.texture(v) }
        if let v = top["local_intensity_sphere_volume"] {
            let x = try r.number(v, "local_intensity_sphere_volume")
            guard x > 0 else { throw r.error("'local_intensity_sphere_volume' must be positive (mm^3), got \(formatShort(x))") }
            settings.localIntensitySphereVolume = x
        }
        if let v = top["families"], !isNull(v) { settings.families = try r.families(v) }
        if let v = top["diagnostics"] {
            let name = try r.string(v, "diagnostics")
            guard let level = DiagnosticsLevel(rawValue: name) else {
                throw r.error("'diagnostics' must be one of \(DiagnosticsLevel.allCases.map(\.rawValue).joined(separator: ", ")); got '\(name)'")
            }
            settings.diagnostics = level
        }
        return settings
    }

    /// The YAML document of `settings`; `load(yaml:source:)` reads it back to equal settings.
    public static func yaml(for settings: Settings) -> String {
        var lines: [String] = []
        lines.append("slice_wise: \(settings.sliceWise)")
        if let i = settings.interpolation {
            lines.append("interpolation:")
            lines.append("  spacing: [\(i.spacing.map(number).joined(separator: ", "))]")
            lines.append("  in_plane_only: \(i.inPlaneOnly)")
            lines.append("  image_method: \(i.imageMethod.rawValue)")
            lines.append("  mask_method: \(i.maskMethod.rawValue)")
            lines.append("  mask_threshold: \(number(i.maskThreshold))")
            lines.append("  round_intensities: \(i.roundIntensities)")
        }
        let rs = settings.reSegmentation
        if rs.range != nil || rs.outlierSigma != nil {
            lines.append("re_segmentation:")
            if let range = rs.range {
                lines.append("  range: [\(range.lower.map(number) ?? "null"), \(range.upper.map(number) ?? "null")]")
            }
            if let s = rs.outlierSigma { lines.append("  outlier_sigma: \(number(s))") }
        }
        func discretisation(_ d: DiscretisationSettings, _ key: String) {
            lines.append("\(key):")
            lines.append("  method: \(d.method.rawValue)")
            if let w = d.binWidth { lines.append("  bin_width: \(number(w))") }
            if let n = d.binCount { lines.append("  bin_number: \(n)") }
            if let b = d.lowerBound { lines.append("  lower_bound: \(number(b))") }
        }
        discretisation(settings.discretisation, "discretisation")
        if let ivh = settings.ivhDiscretisation { discretisation(ivh, "ivh_discretisation") }
        let t = settings.texture
        lines.append("texture:")
        lines.append("  cooccurrence_distance: \(t.cooccurrenceDistance)")
        lines.append("  ngtdm_distance: \(t.ngtdmDistance)")
        lines.append("  ngldm_distance: \(t.ngldmDistance)")
        lines.append("  ngldm_alpha: \(t.ngldmAlpha)")
        lines.append("local_intensity_sphere_volume: \(number(settings.localIntensitySphereVolume))")
        if !settings.families.isEmpty {
            lines.append("families: [\(settings.families.map(\.rawValue).joined(separator: ", "))]")
        }
        lines.append("diagnostics: \(settings.diagnostics.rawValue)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A number as YAML: whole numbers without a fraction, others in Swift's shortest
    /// round-trip form.
    static func number(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }

    static func isNull(_ node: Node) -> Bool {
        guard case let .scalar(s) = node, s.style == .plain || s.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    /// Reads typed values out of YAML nodes, with errors that name the key and the file.
    struct Reader {
        let source: String

        func error(_ message: String) -> RadiomicsError { RadiomicsError(.usage, file: source, message) }

        /// The entries of a mapping, keyed by name, after checking every key is known. `path` is the mapping's own key (nil at the top level).
        func mapping(_ node: Node, path: String?, known: [String]) throws -> [String: Node] {
            guard case let .mapping(m) = node else {
                throw error(path.map { "'\($0)' must be a mapping of keys to values" } ?? "the settings document must be a mapping of keys to values")
            }
            var out: [String: Node] = [:]
            for (k, v) in m {
                guard case let .scalar(ks) = k else { throw error("keys must be plain names\(path.map { " in '\($0)'" } ?? "")") }
                let key = ks.string
                guard known.contains(key) else {
                    let place = path.map { "in '\($0)'" } ?? "at the top level"
                    throw error("unknown key '\(key)' \(place); known keys: \(known.joined(separator: ", "))")
                }
                out[key] = v  // the YAML parser already refuses duplicate keys
            }
            return out
        }

        func plainScalar(_ node: Node) -> String? {
            guard case let .scalar(s) = node, s.style == .plain || s.style == .any else { return nil }
            return s.string
        }

        func number(_ node: Node, _ key: String) throws -> Double {
            guard let s = plainScalar(node), let v = Double(s), v.isFinite else {
                throw error("'\(key)' must be a number, got \(describe(node))")
            }
            return v
        }

        func integer(_ node: Node, _ key: String) throws -> Int {
            guard let s = plainScalar(node), let v = Int(s) else {
                throw error("'\(key)' must be a whole number, got \(describe(node))")
            }
            return v
        }

        func bool(_ node: Node, _ key: String) throws -> Bool {
            switch plainScalar(node) {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: throw error("'\(key)' must be true or false, got \(describe(node))")
            }
        }

        func string(_ node: Node, _ key: String) throws -> String {
            guard case let .scalar(s) = node, !SettingsLoader.isNull(node) else {
                throw error("'\(key)' must be a name, got \(describe(node))")
            }
            return s.string
        }

        func sequence(_ node: Node, _ key: String) throws -> [Node] {
            guard case let .sequence(s) = node else { throw error("'\(key)' must be a list, got \(describe(node))") }
            return Array(s)
        }

        func describe(_ node: Node) -> String {
            switch node {
            case let .scalar(s): return SettingsLoader.isNull(node) ? "null" : "'\(s.string)'"
            case .mapping: return "a mapping"
            case .sequence: return "a list"
            case .alias: return "an alias"
            }
        }

        func method(_ node: Node, _ key: String) throws -> InterpolationMethod {
            let s = try string(node, key)
            guard let m = InterpolationMethod(rawValue: s) else {
                throw error("'\(key)' must be one of nearest, linear, cubic; got '\(s)'")
            }
            return m
        }

        func interpolation(_ node: Node) throws -> InterpolationSettings {
            let m = try mapping(node, path: "interpolation", known: SettingsLoader.interpolationKeys)
            var inPlaneOnly = false
            if let v = m["in_plane_only"] { inPlaneOnly = try bool(v, "interpolation.in_plane_only") }
            guard let sv = m["spacing"] else { throw error("'interpolation' needs 'spacing' (mm, [x, y, z])") }
            let items = try sequence(sv, "interpolation.spacing")
            let allowed = inPlaneOnly ? [2, 3] : [3]
            guard allowed.contains(items.count) else {
                throw error("'interpolation.spacing' must hold \(inPlaneOnly ? "2 or 3" : "3") values (mm, x y z), got \(items.count)")
            }
            let spacing = try items.map { try number($0, "interpolation.spacing") }
            guard spacing.allSatisfy({ $0 > 0 }) else {
                throw error("'interpolation.spacing' values must be positive, got [\(spacing.map(formatShort).joined(separator: ", "))]")
            }
            var s = InterpolationSettings(spacing: spacing, inPlaneOnly: inPlaneOnly)
            if let v = m["image_method"] { s.imageMethod = try method(v, "interpolation.image_method") }
            if let v = m["mask_method"] { s.maskMethod = try method(v, "interpolation.mask_method") }
            if let v = m["mask_threshold"] {
                let t = try number(v, "interpolation.mask_threshold")
                guard t > 0 && t <= 1 else {
                    throw error("'interpolation.mask_threshold' must lie in (0, 1], got \(formatShort(t))")
                }
                s.maskThreshold = t
            }
            if let v = m["round_intensities"] { s.roundIntensities = try bool(v, "interpolation.round_intensities") }
            return s
        }

        func reSegmentation(_ node: Node) throws -> ReSegmentationSettings {
            let m = try mapping(node, path: "re_segmentation", known: SettingsLoader.reSegmentationKeys)
            var s = ReSegmentationSettings()
            if let v = m["range"], !SettingsLoader.isNull(v) {
                let items = try sequence(v, "re_segmentation.range")
                guard items.count == 2 else {
                    throw error("'re_segmentation.range' must be [lower, upper] (either may be null), got \(items.count) values")
                }
                let bounds = try items.map { SettingsLoader.isNull($0) ? nil : try number($0, "re_segmentation.range") }
                if let lo = bounds[0], let hi = bounds[1], lo > hi {
                    throw error("'re_segmentation.range' lower bound \(formatShort(lo)) exceeds the upper bound \(formatShort(hi))")
                }
                s.range = ReSegmentationRange(lower: bounds[0], upper: bounds[1])
            }
            if let v = m["outlier_sigma"], !SettingsLoader.isNull(v) {
                let x = try number(v, "re_segmentation.outlier_sigma")
                guard x > 0 else { throw error("'re_segmentation.outlier_sigma' must be positive, got \(formatShort(x))") }
                s.outlierSigma = x
            }
            return s
        }

        func discretisation(_ node: Node, _ key: String) throws -> DiscretisationSettings {
            let m = try mapping(node, path: key, known: SettingsLoader.discretisationKeys)
            guard let mv = m["method"] else {
                throw error("'\(key)' needs 'method' (fixed_bin_size, fixed_bin_number or none)")
            }
            let name = try string(mv, "\(key).method")
            guard let method = DiscretisationMethod(rawValue: name) else {
                throw error("'\(key).method' must be one of fixed_bin_size, fixed_bin_number, none; got '\(name)'")
            }
            var s = DiscretisationSettings(method: method)
            let allowed: Set<String>
            switch method {
            case .fixedBinSize:
                allowed = ["method", "bin_width", "lower_bound"]
                guard let v = m["bin_width"] else { throw error("'\(key)' with method fixed_bin_size needs 'bin_width'") }
                let w = try number(v, "\(key).bin_width")
                guard w > 0 else { throw error("'\(key).bin_width' must be positive, got \(formatShort(w))") }
                s.binWidth = w
                if let v = m["lower_bound"], !SettingsLoader.isNull(v) { s.lowerBound = try number(v, "\(key).lower_bound") }
            case .fixedBinNumber:
                allowed = ["method", "bin_number"]
                guard let v = m["bin_number"] else { throw error("'\(key)' with method fixed_bin_number needs 'bin_number'") }
                let n = try integer(v, "\(key).bin_number")
                guard n >= 1 && n <= Discretisation.maximumLevelCount else {
                    throw error("'\(key).bin_number' must lie in 1...\(Discretisation.maximumLevelCount), got \(n)")
                }
                s.binCount = n
            case .none:
                allowed = ["method"]
            }
            for k in m.keys.sorted() where !allowed.contains(k) {
                throw error("'\(key).\(k)' does not apply to method \(name)")
            }
            return s
        }

        func texture(_ node: Node) throws -> TextureSettings {
            let m = try mapping(node, path: "texture", known: SettingsLoader.textureKeys)
            var t = TextureSettings()
            func distance(_ k: String) throws -> Int? {
                guard let v = m[k] else { return nil }
                let d = try integer(v, "texture.\(k)")
                guard d >= 1 else { throw error("'texture.\(k)' must be at least 1, got \(d)") }
                return d
            }
            if let d = try distance("cooccurrence_distance") { t.cooccurrenceDistance = d }
            if let d = try distance("ngtdm_distance") { t.ngtdmDistance = d }
            if let d = try distance("ngldm_distance") { t.ngldmDistance = d }
            if let v = m["ngldm_alpha"] {
                let a = try integer(v, "texture.ngldm_alpha")
                guard a >= 0 else { throw error("'texture.ngldm_alpha' must not be negative, got \(a)") }
                t.ngldmAlpha = a
            }
            return t
        }

        func families(_ node: Node) throws -> [FeatureFamily] {
            var out: [FeatureFamily] = []
            let known = FeatureFamily.allCases.map(\.rawValue).joined(separator: ", ")
            for item in try sequence(node, "families") {
                let name = try string(item, "families")
                guard let f = FeatureFamily(rawValue: name) else {
                    throw error("unknown feature family '\(name)' in 'families'; known families: \(known)")
                }
                guard !out.contains(f) else { throw error("feature family '\(name)' appears twice in 'families'") }
                out.append(f)
            }
            return out
        }
    }
}
