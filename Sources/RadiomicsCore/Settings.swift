// Settings of one extraction, in IBSI reporting terms. They are Codable so that a YAML config,
// a bundled preset and the provenance sidecar are the same document. Keys are snake_case in YAML
// (see RadiomicsProcessing/SettingsLoader.swift, which also validates them).

/// The IBSI 1 feature families, by the prefix their tags carry.
public enum FeatureFamily: String, Codable, CaseIterable, Sendable {
    case morphology = "morph"
    case localIntensity = "loc"
    case statistics = "stat"
    case intensityHistogram = "ih"
    case intensityVolumeHistogram = "ivh"
    case cooccurrence = "cm"
    case runLength = "rlm"
    case sizeZone = "szm"
    case distanceZone = "dzm"
    case neighbourhoodGreyToneDifference = "ngt"
    case neighbouringGreyLevelDependence = "ngl"

    public var title: String {
        switch self {
        case .morphology: "Morphology"
        case .localIntensity: "Local intensity"
        case .statistics: "Intensity-based statistics"
        case .intensityHistogram: "Intensity histogram"
        case .intensityVolumeHistogram: "Intensity-volume histogram"
        case .cooccurrence: "Grey level co-occurrence matrix (GLCM)"
        case .runLength: "Grey level run length matrix (GLRLM)"
        case .sizeZone: "Grey level size zone matrix (GLSZM)"
        case .distanceZone: "Grey level distance zone matrix (GLDZM)"
        case .neighbourhoodGreyToneDifference: "Neighbourhood grey tone difference matrix (NGTDM)"
        case .neighbouringGreyLevelDependence: "Neighbouring grey level dependence matrix (NGLDM)"
        }
    }
}

/// Interpolation kernels (IBSI 1, section "Interpolation").
public enum InterpolationMethod: String, Codable, Sendable {
    case nearest
    case linear
    case cubic
}

/// Resampling to a new voxel spacing (IBSI 1, "Interpolation"). The new grid is centred on the
/// original one and its size is the ceiling of the original extent over the new spacing.
public struct InterpolationSettings: Codable, Equatable, Sendable {
    /// New voxel spacing in mm (x, y, z). With `inPlaneOnly`, z is kept as it is and the third
    /// value is ignored.
    public var spacing: [Double]
    /// Interpolate within each slice only (the IBSI 2D configurations A and B).
    public var inPlaneOnly: Bool
    public var imageMethod: InterpolationMethod
    public var maskMethod: InterpolationMethod
    /// Partial-volume threshold: an interpolated mask value >= threshold is in the ROI.
    public var maskThreshold: Double
    /// Round interpolated intensities to whole numbers (integer modalities such as CT).
    public var roundIntensities: Bool

    public init(spacing: [Double], inPlaneOnly: Bool = false, imageMethod: InterpolationMethod = .linear,
                maskMethod: InterpolationMethod = .linear, maskThreshold: Double = 0.5,
                roundIntensities: Bool = false) {
        self.spacing = spacing
        self.inPlaneOnly = inPlaneOnly
        self.imageMethod = imageMethod
        self.maskMethod = maskMethod
        self.maskThreshold = maskThreshold
        self.roundIntensities = roundIntensities
    }
}

/// Intensity range kept in the intensity mask (IBSI 1, "Re-segmentation"). Either bound may be
/// open (nil).
public struct ReSegmentationRange: Codable, Equatable, Sendable {
    public var lower: Double?
    public var upper: Double?
    public init(lower: Double?, upper: Double?) { self.lower = lower; self.upper = upper }
}

public struct ReSegmentationSettings: Codable, Equatable, Sendable {
    public var range: ReSegmentationRange?
    /// Remove voxels outside mean +/- sigma * standard deviation (IBSI outlier filtering).
    public var outlierSigma: Double?
    public init(range: ReSegmentationRange? = nil, outlierSigma: Double? = nil) {
        self.range = range
        self.outlierSigma = outlierSigma
    }
}

/// Intensity discretisation (IBSI 1, "Intensity discretisation").
public enum DiscretisationMethod: String, Codable, Sendable {
    /// Bins of a fixed width, starting at the lower re-segmentation bound (or the ROI minimum).
    case fixedBinSize = "fixed_bin_size"
    /// A fixed number of bins spanning the ROI's intensity range.
    case fixedBinNumber = "fixed_bin_number"
    /// Intensities are already grey levels (the digital phantom): they are rounded and used as is.
    case none
}

public struct DiscretisationSettings: Codable, Equatable, Sendable {
    public var method: DiscretisationMethod
    /// Bin width for `fixedBinSize`.
    public var binWidth: Double?
    /// Number of bins for `fixedBinNumber`.
    public var binCount: Int?
    /// Lower edge of the first bin for `fixedBinSize`; when nil, the lower re-segmentation
    /// bound is used, else the ROI minimum.
    public var lowerBound: Double?

    public init(method: DiscretisationMethod, binWidth: Double? = nil, binCount: Int? = nil, lowerBound: Double? = nil) {
        self.method = method
        self.binWidth = binWidth
        self.binCount = binCount
        self.lowerBound = lowerBound
    }

    public static let none = DiscretisationSettings(method: .none)
}

/// Settings of the texture and neighbourhood families.
public struct TextureSettings: Codable, Equatable, Sendable {
    /// Chebyshev distance between neighbours for GLCM (delta).
    public var cooccurrenceDistance: Int
    /// Neighbourhood distance for NGTDM.
    public var ngtdmDistance: Int
    /// Neighbourhood distance for NGLDM.
    public var ngldmDistance: Int
    /// Coarseness parameter alpha of NGLDM: neighbours within alpha grey levels are dependent.
    public var ngldmAlpha: Int

    public init(cooccurrenceDistance: Int = 1, ngtdmDistance: Int = 1, ngldmDistance: Int = 1, ngldmAlpha: Int = 0) {
        self.cooccurrenceDistance = cooccurrenceDistance
        self.ngtdmDistance = ngtdmDistance
        self.ngldmDistance = ngldmDistance
        self.ngldmAlpha = ngldmAlpha
    }
}

/// Which IBSI diagnostic features (IBSI 1, "Diagnostic features") an extraction computes.
public enum DiagnosticsLevel: String, Codable, CaseIterable, Sendable {
    /// Everything that follows from the grids and the ROI. After interpolation only the block
    /// of the new grid around the ROI is resampled, so the whole-image intensities after
    /// interpolation (mean_int_interp_img, min_int_interp_img, max_int_interp_img) are NaN.
    case roi
    /// Also the whole-image intensities after interpolation, which resamples the whole image
    /// once more (the IBSI reference data sets report them).
    case full
}

/// Everything that decides the numbers of one extraction.
public struct Settings: Codable, Equatable, Sendable {
    /// Nil: features are computed on the image's own grid.
    public var interpolation: InterpolationSettings?
    public var reSegmentation: ReSegmentationSettings
    /// Discretisation for the intensity histogram and the texture families.
    public var discretisation: DiscretisationSettings
    /// Discretisation for the intensity-volume histogram; nil means: fixed bin size 1 for
    /// integer-valued images (CT), else the texture discretisation.
    public var ivhDiscretisation: DiscretisationSettings?
    public var texture: TextureSettings
    /// Volume of the local intensity peak sphere, in mm^3 (IBSI: 1 cm^3).
    public var localIntensitySphereVolume: Double
    /// Families to compute; all of them when empty.
    public var families: [FeatureFamily]
    /// The IBSI "slice-wise or single volume" choice: true for the 2D configurations, whose
    /// texture features are computed within each slice (2D aggregations), false for 3D.
    public var sliceWise: Bool = false
    /// How many diagnostic values to compute; `.full` costs a resampling of the whole image.
    public var diagnostics: DiagnosticsLevel = .roi

    public init(interpolation: InterpolationSettings? = nil,
                reSegmentation: ReSegmentationSettings = .init(),
                discretisation: DiscretisationSettings = .init(method: .fixedBinNumber, binCount: 32),
                ivhDiscretisation: DiscretisationSettings? = nil,
                texture: TextureSettings = .init(),
                localIntensitySphereVolume: Double = 1000,
                families: [FeatureFamily] = [],
                sliceWise: Bool = false,
                diagnostics: DiagnosticsLevel = .roi) {
        self.interpolation = interpolation
        self.reSegmentation = reSegmentation
        self.discretisation = discretisation
        self.ivhDiscretisation = ivhDiscretisation
        self.texture = texture
        self.localIntensitySphereVolume = localIntensitySphereVolume
        self.families = families
        self.sliceWise = sliceWise
        self.diagnostics = diagnostics
    }

    public var enabledFamilies: [FeatureFamily] { families.isEmpty ? FeatureFamily.allCases : families }
}
