import Foundation
import RadiomicsCore
import RadiomicsFeatures
import RadiomicsIO
import Testing

/// Files of the repository, found from this source file's path.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// The IBSI 1 digital phantom (5x4x4 voxels of 2 mm, grey levels 1-6) and its reference values.
enum DigitalPhantom {
    static let roi: RegionOfInterest = {
        let image = try! NIfTIReader.readImage(at: Repository.path("ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz"))
        let labels = try! NIfTIReader.readLabels(at: Repository.path("ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz"))
        return RegionOfInterest(image: image, mask: labels.map { $0 != 0 })
    }()

    /// The phantom needs no discretisation (IBSI: its intensities are grey levels); this builds
    /// the cropped grey-level volume directly, with Ng = 6, independent of the processing layer.
    static let discretised: DiscretisedVolume = {
        let box = roi.morphologicalMask.boundingBox!
        let image = roi.image.cropped(to: box)
        let mask = roi.intensityMask.cropped(to: box)
        let morph = roi.morphologicalMask.cropped(to: box)
        let levels = zip(image.voxels, mask.voxels).map { $1 ? UInt16($0.rounded()) : 0 }
        return DiscretisedVolume(grid: image.grid, levels: levels, levelCount: Int(levels.max()!),
                                 morphologicalMask: morph.voxels, binOrigin: 0.5, binWidth: 1)
    }()

    static let references: [ReferenceValue] = try! readReferenceValues(
        at: Repository.path("ibsi-phantoms/reference_values/ibsi_1_dig_phantom.csv"))

    static func references(prefix: String) -> [ReferenceValue] {
        references.filter { $0.tag.hasPrefix(prefix + "_") }
    }
}

/// Asserts every reference value of a family and prints a line per mismatch and a summary.
func assertCompliance(_ computed: FeatureValues, references: [ReferenceValue], family: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
    var ok = 0, produced = 0
    for ref in references {
        guard let v = computed[ref.tag] else {
            Issue.record("\(ref.tag): not computed (reference \(ref.text))", sourceLocation: sourceLocation)
            continue
        }
        produced += 1
        if ref.accepts(v) { ok += 1 } else {
            Issue.record("\(ref.tag): computed \(v), reference \(ref.text) ± \(ref.tolerance)", sourceLocation: sourceLocation)
        }
    }
    print("compliance \(family): references \(references.count), produced \(produced), within tolerance \(ok)")
}
