import Foundation
import RadiomicsCore
import RadiomicsIO
import Testing

/// Files of the repository, found from this source file's path.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static func preset(_ name: String) -> String { path("Sources/Radiomics/Presets/\(name).yaml") }
}

/// One row of an IBSI reference file, with the IBSI acceptance rule: the computed value is
/// rounded to the reference's significant digits (at least 3) and must then lie within the
/// tolerance.
struct Reference {
    let tag: String
    let text: String
    let value: Double
    let tolerance: Double

    func accepts(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        let digits = max(3, text.filter(\.isNumber).drop(while: { $0 == "0" }).count)
        var r = x
        if x != 0 {
            let scale = pow(10, Double(digits - 1 - Int(floor(log10(abs(x))))))
            r = (x * scale).rounded() / scale
        }
        return abs(r - value) <= tolerance * (1 + 1e-12) + 1e-12 * abs(value)
    }

    static func read(_ relative: String) -> [String: Reference] {
        let text = try! String(contentsOfFile: Repository.path(relative), encoding: .utf8)
        var out: [String: Reference] = [:]
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let c = line.split(separator: ";", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard c.count >= 3, let v = Double(c[0]), out[c[2]] == nil else { continue }
            out[c[2]] = Reference(tag: c[2], text: c[0], value: v, tolerance: Double(c[1]) ?? 0)
        }
        return out
    }
}

/// The IBSI CT phantom (PAT1, GTV-1) as loaded from NIfTI; read once per test run.
enum CTPhantom {
    static let data: (image: Image, mask: Mask) = {
        let image = try! NIfTIReader.readImage(at: Repository.path("ibsi-phantoms/ct_phantom/nifti/image/phantom.nii.gz"))
        let labels = try! NIfTIReader.readLabels(at: Repository.path("ibsi-phantoms/ct_phantom/nifti/mask/mask.nii.gz"))
        // IBSI: convert to floating point and round to the nearest integer before processing.
        let rounded = image.map { $0.rounded() }
        return (rounded, labels.map { $0.rounded() != 0 })
    }()
}
