import Foundation
import RadiomicsCore
import RadiomicsFeatures
import RadiomicsIO

/// IBSI compliance check: runs the bundled phantoms through the pipeline with the IBSI settings
/// and compares every value that has a reference (IBSI 1 rounding rule, see ReferenceValue).
public enum Validation {
    /// One data set checked against one reference file.
    public struct Case: Sendable {
        public var name: String
        public var preset: String
        public var input: CaseInput
        public var referenceFile: String
    }

    /// Outcome for one reference value.
    public struct Check: Sendable {
        public var reference: ReferenceValue
        /// Nil when the tool does not produce the tag.
        public var computed: Double?
        public var passed: Bool { computed.map(reference.accepts) ?? false }
        public var family: String {
            let parts = reference.tag.split(separator: "_")
            return parts.first.map(String.init) ?? reference.tag
        }
        /// Diagnostic tags (img_*, int_mask_*, morph_mask_*) describe processing, not features.
        public var isDiagnostic: Bool {
            Validation.isDiagnostic(reference.tag)
        }
    }

    public struct Report: Sendable {
        public var dataSet: String
        public var checks: [Check]
        public var error: String?
        public var features: [Check] { checks.filter { !$0.isDiagnostic } }
        public var diagnostics: [Check] { checks.filter(\.isDiagnostic) }
        public var passed: Bool { error == nil && checks.allSatisfy(\.passed) }
    }

    /// Diagnostic tags (IBSI 1, "Diagnostic features") describe the image and masks after each
    /// processing step: img_*, vox_dim_*, {mean,min,max}_int_*_img, int_mask_*, morph_mask_*.
    public static func isDiagnostic(_ tag: String) -> Bool {
        ["img_", "vox_dim_", "int_mask_", "morph_mask_"].contains { tag.hasPrefix($0) }
            || (tag.hasSuffix("_img") && ["mean_int_", "min_int_", "max_int_"].contains { tag.hasPrefix($0) })
    }

    /// The bundled data sets, relative to `root` (the repository's ibsi-phantoms folder).
    public static func cases(root: String) -> [Case] {
        let dig = Case(name: "digital phantom", preset: "ibsi-phantom",
                       input: CaseInput(image: "\(root)/digital_phantom/nifti/image/phantom.nii.gz",
                                        mask: "\(root)/digital_phantom/nifti/mask/mask.nii.gz"),
                       referenceFile: "\(root)/reference_values/ibsi_1_dig_phantom.csv")
        let configs: [Case] = ["a", "b", "c", "d", "e"].map { c in
            Case(name: "CT phantom config \(c.uppercased())", preset: "ibsi-config-\(c)",
                 input: CaseInput(image: "\(root)/ct_phantom/nifti/image/phantom.nii.gz",
                                  mask: "\(root)/ct_phantom/nifti/mask/mask.nii.gz"),
                 referenceFile: "\(root)/reference_values/ibsi_1_chest_config_\(c).csv")
        }
        // The same configurations from the DICOM series and its RTSTRUCT (ROI GTV-1).
        let dicom: [Case] = ["a", "b", "c", "d", "e"].map { c in
            Case(name: "CT phantom config \(c.uppercased()) (DICOM)", preset: "ibsi-config-\(c)",
                 input: CaseInput(image: "\(root)/ct_phantom/dicom/image",
                                  mask: "\(root)/ct_phantom/dicom/mask/DCM_RS_00060.dcm", roi: "GTV-1"),
                 referenceFile: "\(root)/reference_values/ibsi_1_chest_config_\(c).csv")
        }
        return [dig] + configs + dicom
    }

    /// Runs one case. Errors become a report with `error` set, so one failing data set does not
    /// hide the others.
    public static func run(_ c: Case) -> Report {
        do {
            let references = try readReferenceValues(at: c.referenceFile)
            var settings = try Presets.settings(named: c.preset)
            // The reference files hold every diagnostic value, the whole-image ones too.
            settings.diagnostics = .full
            let result = try Extractor(settings: settings).extract(c.input)
            var computed: [String: Double] = [:]
            for (t, v) in result.features { computed[t] = v }
            for (t, v) in result.diagnostics { computed[t] = v }
            return Report(dataSet: c.name, checks: references.map { Check(reference: $0, computed: computed[$0.tag]) })
        } catch {
            return Report(dataSet: c.name, checks: [], error: "\(error)")
        }
    }

    /// A per-family table: references, produced, within tolerance.
    public static func table(_ reports: [Report]) -> String {
        var lines: [String] = []
        func row(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) -> String {
            a.padding(toLength: 34, withPad: " ", startingAt: 0) + b.padding(toLength: 8, withPad: " ", startingAt: 0)
                + c.leftPad(11) + d.leftPad(10) + e.leftPad(18)
        }
        lines.append(row("data set", "family", "references", "produced", "within tolerance"))
        var total = (refs: 0, produced: 0, ok: 0)
        for r in reports {
            if let e = r.error { lines.append("\(r.dataSet): ERROR \(e)"); continue }
            var order: [String] = []
            var groups: [String: [Check]] = [:]
            for c in r.checks {
                let key = c.isDiagnostic ? "diag" : c.family
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(c)
            }
            for key in order {
                let g = groups[key]!
                let produced = g.filter { $0.computed != nil }.count, ok = g.filter(\.passed).count
                lines.append(row(r.dataSet, key, "\(g.count)", "\(produced)", "\(ok)"))
                if key != "diag" { total.refs += g.count; total.produced += produced; total.ok += ok }
            }
        }
        lines.append(row("all data sets (features)", "", "\(total.refs)", "\(total.produced)", "\(total.ok)"))
        return lines.joined(separator: "\n")
    }

    /// One line per data set: feature values and diagnostic values within tolerance.
    public static func summary(_ reports: [Report]) -> String {
        var lines = ["| data set | feature values within tolerance | diagnostic values within tolerance |", "|---|---|---|"]
        var total = (ok: 0, n: 0)
        for r in reports {
            if let e = r.error { lines.append("| \(r.dataSet) | error: \(e) | |"); continue }
            let f = r.features, d = r.diagnostics
            let fo = f.filter(\.passed).count
            total.ok += fo
            total.n += f.count
            lines.append("| \(r.dataSet) | \(fo)/\(f.count) | \(d.isEmpty ? "-" : "\(d.filter(\.passed).count)/\(d.count)") |")
        }
        lines.append("| all | \(total.ok)/\(total.n) | |")
        return lines.joined(separator: "\n")
    }

    /// Lines for every value out of tolerance.
    public static func failures(_ reports: [Report]) -> [String] {
        reports.flatMap { r in
            r.checks.filter { !$0.passed }.map { c in
                "\(r.dataSet): \(c.reference.tag) computed \(c.computed.map(FeatureTable.format) ?? "(not computed)"), reference \(c.reference.text) ± \(formatShort(c.reference.tolerance))"
            }
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
