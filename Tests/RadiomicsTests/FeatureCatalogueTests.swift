import Radiomics
import Testing

@Suite struct FeatureCatalogueTests {
    @Test func catalogueHoldsEveryIBSI1FeatureOnce() {
        let tags = FeatureCatalogue.entries().map(\.tag)
        // 29 + 2 + 18 + 23 + 7 + 25x6 + 16x6 + 16x3 + 16x3 + 5x3 + 17x3
        #expect(tags.count == 487)
        #expect(Set(tags).count == tags.count)
    }

    @Test func sliceWiseSettingsDropTheVolumetricTextureAggregations() throws {
        var settings = Settings()
        settings.sliceWise = true
        let tags = FeatureCatalogue.entries(for: settings).map(\.tag)
        #expect(!tags.contains { $0.hasSuffix("_3D") || $0.hasSuffix("_3D_avg") || $0.hasSuffix("_3D_comb") })
        // Texture: 25x4 + 16x4 + (16 + 16 + 5 + 17)x2 = 272, plus 79 non-texture features.
        #expect(tags.count == 79 + 272)
        #expect(tags.contains("cm_joint_max_2_5D_comb") && tags.contains("morph_volume"))
    }

    @Test func extractionFollowsTheCatalogueOrder() throws {
        let root = Repository.path("ibsi-phantoms/digital_phantom/nifti")
        let settings = try Presets.settings(named: "ibsi-phantom")
        let result = try Extractor(settings: settings).extract(CaseInput(image: "\(root)/image/phantom.nii.gz", mask: "\(root)/mask/mask.nii.gz"))
        #expect(result.features.tags == FeatureCatalogue.entries(for: settings).map(\.tag))
    }
}
