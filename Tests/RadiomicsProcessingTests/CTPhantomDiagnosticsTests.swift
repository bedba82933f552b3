import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsProcessing

/// IBSI diagnostic features of the CT phantom for configurations A-E: image and mask dimensions,
/// bounding boxes, voxel counts and ROI intensities after loading, interpolation and
/// re-segmentation, against the IBSI reference values.
@Suite(.serialized) struct CTPhantomDiagnosticsTests {
    @Test(arguments: ["a", "b", "c", "d", "e"]) func diagnosticsMatchTheReference(_ config: String) throws {
        let settings = try SettingsLoader.loadFile(path: Repository.preset("ibsi-config-\(config)"))
        let references = Reference.read("ibsi-phantoms/reference_values/ibsi_1_chest_config_\(config).csv")
        let (image, mask) = CTPhantom.data
        let start = Date()
        let processed = try ImageProcessing.process(image: image, mask: mask, settings: settings)
        let seconds = Date().timeIntervalSince(start)

        let diagnosticReferences = references.values.filter {
            let tag = $0.tag; return ["img_dim_", "vox_dim_", "int_mask_", "morph_mask_", "mean_int_", "min_int_", "max_int_"].contains { tag.hasPrefix($0) }
        }
        let computed = Dictionary(processed.diagnostics.map { ($0.tag, $0.value) }, uniquingKeysWith: { a, _ in a })
        var passed = 0
        var table = ["config \(config.uppercased()) (processing \(String(format: "%.2f", seconds)) s)"]
        for ref in diagnosticReferences.sorted(by: { $0.tag < $1.tag }) {
            guard let v = computed[ref.tag] else {
                Issue.record("config \(config): \(ref.tag) not computed")
                continue
            }
            let ok = ref.accepts(v)
            if ok { passed += 1 } else { Issue.record("config \(config): \(ref.tag) = \(v), reference \(ref.text) ± \(ref.tolerance)") }
            let tag = ref.tag.padding(toLength: 34, withPad: " ", startingAt: 0)
            let value = String(format: "%12.3f", v)
            let reference = "\(ref.text) ± \(formatShort(ref.tolerance))".padding(toLength: 16, withPad: " ", startingAt: 0)
            table.append("  \(tag)\(value)   ref \(reference)\(ok ? "ok" : "FAIL")")
        }
        table.append("config \(config.uppercased()): diagnostics within tolerance \(passed)/\(diagnosticReferences.count)")
        print(table.joined(separator: "\n"))
        #expect(diagnosticReferences.count == 60)
        // Every diagnostic tag the function produces is one the reference file knows.
        for (tag, _) in processed.diagnostics { #expect(references[tag] != nil, "\(tag) is not an IBSI tag") }
    }
}
