import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsProcessing

@Suite struct SettingsLoaderTests {
    static let presets = ["ibsi-phantom", "ibsi-config-a", "ibsi-config-b", "ibsi-config-c", "ibsi-config-d", "ibsi-config-e"]

    @Test(arguments: presets) func presetParsesAndRoundTrips(_ name: String) throws {
        let settings = try SettingsLoader.loadFile(path: Repository.preset(name))
        let text = SettingsLoader.yaml(for: settings)
        let again = try SettingsLoader.load(yaml: text, source: "round trip of \(name)")
        #expect(again == settings)
    }

    @Test func presetsMatchTheIbsiConfigurations() throws {
        func load(_ n: String) throws -> Settings { try SettingsLoader.loadFile(path: Repository.preset(n)) }
        let phantom = try load("ibsi-phantom")
        #expect(phantom.interpolation == nil && phantom.reSegmentation == ReSegmentationSettings())
        #expect(phantom.discretisation == .none && phantom.ivhDiscretisation == DiscretisationSettings.none)

        let a = try load("ibsi-config-a")
        #expect(a.sliceWise && a.interpolation == nil)
        #expect(a.reSegmentation == ReSegmentationSettings(range: .init(lower: -500, upper: 400)))
        #expect(a.discretisation == DiscretisationSettings(method: .fixedBinSize, binWidth: 25))
        #expect(a.ivhDiscretisation == nil)

        let b = try load("ibsi-config-b")
        #expect(b.sliceWise)
        #expect(b.interpolation == InterpolationSettings(spacing: [2, 2], inPlaneOnly: true, imageMethod: .linear,
                                                         maskMethod: .linear, maskThreshold: 0.5, roundIntensities: true))
        #expect(b.reSegmentation == ReSegmentationSettings(range: .init(lower: -500, upper: 400)))
        #expect(b.discretisation == DiscretisationSettings(method: .fixedBinNumber, binCount: 32))
        #expect(b.ivhDiscretisation == nil)

        let trilinear = InterpolationSettings(spacing: [2, 2, 2], imageMethod: .linear, maskMethod: .linear,
                                              maskThreshold: 0.5, roundIntensities: true)
        let c = try load("ibsi-config-c")
        #expect(!c.sliceWise && c.interpolation == trilinear)
        #expect(c.reSegmentation == ReSegmentationSettings(range: .init(lower: -1000, upper: 400)))
        #expect(c.discretisation == DiscretisationSettings(method: .fixedBinSize, binWidth: 25))
        #expect(c.ivhDiscretisation == DiscretisationSettings(method: .fixedBinSize, binWidth: 2.5))

        let d = try load("ibsi-config-d")
        #expect(!d.sliceWise && d.interpolation == trilinear)
        #expect(d.reSegmentation == ReSegmentationSettings(outlierSigma: 3))
        #expect(d.discretisation == DiscretisationSettings(method: .fixedBinNumber, binCount: 32))
        #expect(d.ivhDiscretisation == nil)

        let e = try load("ibsi-config-e")
        var cubic = trilinear
        cubic.imageMethod = .cubic
        #expect(!e.sliceWise && e.interpolation == cubic)
        #expect(e.reSegmentation == ReSegmentationSettings(range: .init(lower: -1000, upper: 400), outlierSigma: 3))
        #expect(e.discretisation == DiscretisationSettings(method: .fixedBinNumber, binCount: 32))
        #expect(e.ivhDiscretisation == DiscretisationSettings(method: .fixedBinNumber, binCount: 1000))

        for s in [phantom, a, b, c, d, e] {
            #expect(s.texture == TextureSettings(cooccurrenceDistance: 1, ngtdmDistance: 1, ngldmDistance: 1, ngldmAlpha: 0))
            #expect(s.localIntensitySphereVolume == 1000 && s.families.isEmpty)
        }
    }

    @Test func everyFieldRoundTrips() throws {
        let s = Settings(
            interpolation: InterpolationSettings(spacing: [0.75, 1.25, 3.1], inPlaneOnly: false, imageMethod: .nearest,
                                                 maskMethod: .cubic, maskThreshold: 0.4, roundIntensities: false),
            reSegmentation: ReSegmentationSettings(range: .init(lower: nil, upper: 1.5e3), outlierSigma: 2.5),
            discretisation: DiscretisationSettings(method: .fixedBinSize, binWidth: 0.1, lowerBound: -0.05),
            ivhDiscretisation: DiscretisationSettings(method: .fixedBinNumber, binCount: 100),
            texture: TextureSettings(cooccurrenceDistance: 2, ngtdmDistance: 3, ngldmDistance: 1, ngldmAlpha: 1),
            localIntensitySphereVolume: 523.6, families: [.statistics, .morphology, .cooccurrence], sliceWise: true,
            diagnostics: .full)
        let text = SettingsLoader.yaml(for: s)
        #expect(try SettingsLoader.load(yaml: text, source: "x") == s)
    }

    @Test func diagnosticsLevel() throws {
        #expect(Settings().diagnostics == .roi)
        #expect(try SettingsLoader.load(yaml: "diagnostics: full\n", source: "d.yaml").diagnostics == .full)
        #expect(try SettingsLoader.load(yaml: "diagnostics: roi\n", source: "d.yaml").diagnostics == .roi)
        // The IBSI CT phantom presets reproduce every reference diagnostic value.
        for c in ["a", "b", "c", "d", "e"] {
            #expect(try SettingsLoader.loadFile(path: Repository.preset("ibsi-config-\(c)")).diagnostics == .full)
        }
    }

    @Test func emptyDocumentGivesDefaults() throws {
        #expect(try SettingsLoader.load(yaml: "", source: "empty.yaml") == Settings())
        #expect(try SettingsLoader.load(yaml: "interpolation: null\n", source: "n.yaml").interpolation == nil)
    }

    /// Each bad document and a fragment its error message must contain (besides the file).
    static let errorCases: [(String, String)] = [
        ("foo: 1", "unknown key 'foo' at the top level"),
        ("interpolation: { spacing: [2, 2, 2], foo: 1 }", "unknown key 'foo' in 'interpolation'; known keys: spacing"),
        ("texture: { distance: 1 }", "unknown key 'distance' in 'texture'"),
        ("re_segmentation: { range: [1, 2], sigma: 3 }", "unknown key 'sigma' in 're_segmentation'"),
        ("interpolation: { spacing: [2, 0, 2] }", "'interpolation.spacing'"),
        ("interpolation: { spacing: [2, -1, 2] }", "'interpolation.spacing' values must be positive"),
        ("interpolation: { spacing: [2, 2] }", "'interpolation.spacing' must hold 3 values"),
        ("interpolation: { spacing: 2 }", "'interpolation.spacing' must be a list"),
        ("interpolation: { spacing: [2, two, 2] }", "'interpolation.spacing' must be a number"),
        ("interpolation: { image_method: linear }", "'interpolation' needs 'spacing'"),
        ("interpolation: { spacing: [2, 2, 2], image_method: spline }", "'interpolation.image_method' must be one of"),
        ("interpolation: { spacing: [2, 2, 2], mask_threshold: 0 }", "'interpolation.mask_threshold' must lie in (0, 1]"),
        ("interpolation: { spacing: [2, 2, 2], mask_threshold: 1.5 }", "'interpolation.mask_threshold'"),
        ("interpolation: { spacing: [2, 2, 2], round_intensities: yes please }", "'interpolation.round_intensities' must be true or false"),
        ("interpolation: [2, 2, 2]", "'interpolation' must be a mapping"),
        ("re_segmentation: { range: [400, -500] }", "'re_segmentation.range' lower bound 400 exceeds the upper bound -500"),
        ("re_segmentation: { range: [400] }", "'re_segmentation.range' must be [lower, upper]"),
        ("re_segmentation: { outlier_sigma: -3 }", "'re_segmentation.outlier_sigma' must be positive"),
        ("discretisation: { method: fixed_bin_size }", "'discretisation' with method fixed_bin_size needs 'bin_width'"),
        ("discretisation: { method: fixed_bin_size, bin_width: 0 }", "'discretisation.bin_width' must be positive"),
        ("discretisation: { method: fixed_bin_number }", "'discretisation' with method fixed_bin_number needs 'bin_number'"),
        ("discretisation: { method: fixed_bin_number, bin_number: 0 }", "'discretisation.bin_number' must lie in 1...65535"),
        ("discretisation: { method: fixed_bin_number, bin_number: 2.5 }", "'discretisation.bin_number' must be a whole number"),
        ("discretisation: { method: fixed_bin_number, bin_number: 32, bin_width: 25 }", "'discretisation.bin_width' does not apply"),
        ("discretisation: { method: equal_probability }", "'discretisation.method' must be one of"),
        ("discretisation: { bin_width: 25 }", "'discretisation' needs 'method'"),
        ("ivh_discretisation: { method: fixed_bin_size, bin_width: -2.5 }", "'ivh_discretisation.bin_width' must be positive"),
        ("texture: { cooccurrence_distance: 0 }", "'texture.cooccurrence_distance' must be at least 1"),
        ("texture: { ngldm_alpha: -1 }", "'texture.ngldm_alpha' must not be negative"),
        ("local_intensity_sphere_volume: 0", "'local_intensity_sphere_volume' must be positive"),
        ("local_intensity_sphere_volume: '1000'", "'local_intensity_sphere_volume' must be a number"),
        ("families: [stat, shape]", "unknown feature family 'shape' in 'families'"),
        ("families: stat", "'families' must be a list"),
        ("slice_wise: 2", "'slice_wise' must be true or false"),
        ("diagnostics: all", "'diagnostics' must be one of roi, full; got 'all'"),
        ("slice_wise: true\nslice_wise: false", "duplicated key(s): 'slice_wise'"),
        ("- a\n- b", "must be a mapping"),
        ("interpolation: {", "not valid YAML"),
    ]

    @Test(arguments: errorCases.indices) func errorNamesKeyAndFile(_ i: Int) {
        let (yaml, fragment) = Self.errorCases[i]
        do {
            _ = try SettingsLoader.load(yaml: yaml, source: "case.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let e as RadiomicsError {
            #expect(e.category == .usage)
            #expect(e.file == "case.yaml")
            #expect(e.message.contains(fragment), "\(e.message) lacks \(fragment)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func missingFileIsAnInputError() {
        #expect(throws: RadiomicsError.input("/nonexistent/settings.yaml", "settings file not found")) {
            try SettingsLoader.loadFile(path: "/nonexistent/settings.yaml")
        }
    }
}
