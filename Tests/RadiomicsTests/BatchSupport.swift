import Foundation
import Radiomics

/// A fresh temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL
    init(_ name: String = "radiomics-batch") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func write(_ text: String, to name: String) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A batch table read back: header and rows, with access by column name.
struct BatchTable {
    var header: [String]
    var rows: [[String]]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let table = CSV.parse(text)
        header = table.first ?? []
        rows = Array(table.dropFirst())
    }

    func column(_ name: String) -> [String] {
        guard let i = header.firstIndex(of: name) else { return [] }
        return rows.map { i < $0.count ? $0[i] : "" }
    }

    func value(_ name: String, row: Int) -> String? {
        guard let i = header.firstIndex(of: name), row < rows.count, i < rows[row].count else { return nil }
        return rows[row][i]
    }

    /// The feature columns: everything after the case columns.
    var featureColumns: [String] {
        guard let i = header.firstIndex(of: "mask_sha256") else { return [] }
        return Array(header[(i + 1)...])
    }
}

/// Cases of the soft-tissue sarcoma cohort.
enum STS {
    /// The full cohort (not in the repository; tests that need it are skipped without it).
    static let shared = "/work/shared/data/sts"
    static var sharedAvailable: Bool { FileManager.default.fileExists(atPath: shared) }
    /// The patient bundled in the repository.
    static let bundled = Repository.path("ibsi-phantoms/sts/STS_002")

    static let modalities = ["CT", "PET", "MR_T1"]

    /// Every (id, modality, image, mask) of the shared cohort whose image and mask both exist.
    static func sharedPairs() -> [(id: String, modality: String, image: String, mask: String)] {
        let fm = FileManager.default
        let patients = ((try? fm.contentsOfDirectory(atPath: shared)) ?? []).filter { $0.hasPrefix("STS_") }.sorted()
        var out: [(String, String, String, String)] = []
        for p in patients {
            for m in modalities {
                let image = "\(shared)/\(p)/\(m)_image.nii.gz", mask = "\(shared)/\(p)/\(m)_mask.nii.gz"
                if fm.fileExists(atPath: image) && fm.fileExists(atPath: mask) { out.append(("\(p)_\(m)", m, image, mask)) }
            }
        }
        return out
    }

    /// Configuration-C-like settings for CT: 3D, 2 mm isotropic linear interpolation, rounded
    /// intensities, re-segmentation range [-1000, 400] HU, fixed bin size 25 HU.
    static let ctConfig = """
        interpolation:
          spacing: [2, 2, 2]
          in_plane_only: false
          image_method: linear
          mask_method: linear
          mask_threshold: 0.5
          round_intensities: true
        re_segmentation:
          range: [-1000, 400]
        discretisation:
          method: fixed_bin_size
          bin_width: 25
        ivh_discretisation:
          method: fixed_bin_size
          bin_width: 2.5

        """

    /// The same for PET and MR: no rounding, no range, fixed bin number 32.
    static let petMRConfig = """
        interpolation:
          spacing: [2, 2, 2]
          in_plane_only: false
          image_method: linear
          mask_method: linear
          mask_threshold: 0.5
          round_intensities: false
        discretisation:
          method: fixed_bin_number
          bin_number: 32

        """
}

