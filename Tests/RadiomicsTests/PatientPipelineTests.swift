import Foundation
import Radiomics
import Testing

/// A real patient (soft-tissue sarcoma STS_002, bundled) through the whole pipeline for CT, PET
/// and MR with configuration-C-like settings: every feature is computed, and the diagnostic values
/// agree with each other and with the grids.
@Suite struct PatientPipelineTests {
    static func settings(modality: String) throws -> Settings {
        let discretisation = modality == "CT"
            ? "discretisation: {method: fixed_bin_size, bin_width: 25}\nre_segmentation: {range: [-1000, 400]}\n"
            : "discretisation: {method: fixed_bin_number, bin_number: 32}\n"
        let yaml = """
            interpolation:
              spacing: [2, 2, 2]
              image_method: linear
              mask_method: linear
              mask_threshold: 0.5
              round_intensities: \(modality == "CT")
            \(discretisation)
            """
        return try SettingsLoader.load(yaml: yaml, source: "test \(modality)")
    }

    @Test(arguments: ["CT", "PET", "MR_T1"])
    func extractsFiniteFeaturesWithConsistentDiagnostics(_ modality: String) throws {
        let dir = Repository.path("ibsi-phantoms/sts/STS_002")
        let input = CaseInput(image: "\(dir)/\(modality)_image.nii.gz", mask: "\(dir)/\(modality)_mask.nii.gz")
        let result = try Extractor(settings: Self.settings(modality: modality == "CT" ? "CT" : modality)).extract(input)

        // Every catalogue column is produced, in catalogue order.
        #expect(result.features.tags == FeatureCatalogue.entries().map(\.tag))
        // A real tumour of thousands of voxels defines every feature except those IBSI leaves
        // open for such input; none of the values may be infinite.
        let undefined = zip(result.features.tags, result.features.values).filter { !$0.1.isFinite }.map(\.0)
        #expect(undefined.isEmpty, "\(modality): undefined \(undefined)")

        let d = Dictionary(uniqueKeysWithValues: zip(result.diagnostics.tags, result.diagnostics.values))
        // Interpolation to 2 mm: the voxel spacing is 2 mm and the grid covers the original extent.
        for axis in ["x", "y", "z"] {
            #expect(d["vox_dim_\(axis)_interp_img"] == 2)
            let extentBefore = d["img_dim_\(axis)_init_img"]! * d["vox_dim_\(axis)_init_img"]!
            let extentAfter = d["img_dim_\(axis)_interp_img"]! * 2
            #expect(extentAfter >= extentBefore - 1e-6 && extentAfter < extentBefore + 2)
        }
        // Re-segmentation only removes voxels from the intensity mask; the morphological mask stays.
        #expect(d["int_mask_vox_count_reseg_roi"]! <= d["int_mask_vox_count_interp_roi"]!)
        #expect(d["morph_mask_vox_count_reseg_roi"] == d["morph_mask_vox_count_interp_roi"])
        // The approximate volume is the interpolated ROI's voxel count times 8 mm^3.
        let volume = result.features["morph_vol_approx"]!
        #expect(abs(volume - d["morph_mask_vox_count_interp_roi"]! * 8) < 1e-6)
        // The ROI's intensities after re-segmentation lie inside the re-segmentation range (CT).
        if modality == "CT" {
            #expect(d["int_mask_min_int_reseg_roi"]! >= -1000 && d["int_mask_max_int_reseg_roi"]! <= 400)
            #expect(result.features["stat_min"]! >= -1000)
        }
        // Intensity statistics agree with the diagnostic summary of the same voxels.
        #expect(abs(result.features["stat_mean"]! - d["int_mask_mean_int_reseg_roi"]!) < 1e-3 * max(1, abs(d["int_mask_mean_int_reseg_roi"]!)))
        #expect(result.features["stat_min"] == d["int_mask_min_int_reseg_roi"])
        #expect(result.features["stat_max"] == d["int_mask_max_int_reseg_roi"])
        print("STS_002 \(modality): ROI \(Int(d["int_mask_vox_count_reseg_roi"]!)) voxels at 2 mm, \(result.features.count) features, \(String(format: "%.3f", result.timings.total)) s")
    }

    /// From files, the mask's interpolation and shape are computed while the image is decoded;
    /// the library call on the same image and mask in memory computes them in line. Both must
    /// give the same values, bit for bit.
    @Test(arguments: ["CT", "PET", "MR_T1"])
    func shapeComputedWhileTheImageLoadsEqualsTheInMemoryPipeline(_ modality: String) throws {
        let dir = Repository.path("ibsi-phantoms/sts/STS_002")
        let input = CaseInput(image: "\(dir)/\(modality)_image.nii.gz", mask: "\(dir)/\(modality)_mask.nii.gz")
        let extractor = Extractor(settings: try Self.settings(modality: modality))
        let fromFiles = try extractor.extract(input)
        let loaded = try ImageLoader.load(path: input.image)
        let mask = try MaskLoader.load(path: input.mask, onto: loaded, imagePath: input.image)
        let inMemory = try extractor.extract(image: loaded.image, mask: mask)
        #expect(fromFiles.features.tags == inMemory.features.tags)
        let differing = zip(fromFiles.features.tags, zip(fromFiles.features.values, inMemory.features.values))
            .filter { $0.1.0.bitPattern != $0.1.1.bitPattern }.map(\.0)
        #expect(differing.isEmpty, "\(modality): \(differing)")
        #expect(fromFiles.timings.tasks.contains { $0.name == "morph (shape)" })
    }
}
