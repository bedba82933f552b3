import RadiomicsCore

// The catalogue: the one list of every feature the tool computes, with the IBSI code and the tag
// of the reference files. Each family file declares its base features (tag without aggregation
// suffix); the catalogue expands them over the family's aggregation methods.

/// How values from slices, directions or the volume are combined (IBSI 1, "Feature aggregation").
/// The raw value is the tag suffix the IBSI reference files use.
public enum Aggregation: String, CaseIterable, Sendable {
    /// Not a texture feature: the tag has no suffix.
    case none = ""
    /// Per slice and direction; features averaged over all.
    case slice2DAverage = "2D_avg"
    /// Per slice, directions merged into one matrix; features averaged over slices.
    case slice2DMerged = "2D_comb"
    /// Per direction, merged over slices; features averaged over directions.
    case volume2_5DAverage = "2_5D_avg"
    /// One matrix over all slices and directions.
    case volume2_5DMerged = "2_5D_comb"
    /// Per 3D direction; features averaged over the 13 directions.
    case volume3DAverage = "3D_avg"
    /// One matrix over all 13 directions.
    case volume3DMerged = "3D_comb"
    /// Per slice (no direction), features averaged over slices (GLSZM, GLDZM, NGTDM, NGLDM).
    case slice2D = "2D"
    /// Slices merged into one matrix (2D neighbourhoods).
    case volume2_5D = "2_5D"
    /// One 3D matrix.
    case volume3D = "3D"

    /// Aggregations of GLCM and GLRLM.
    public static let directional: [Aggregation] = [
        .slice2DAverage, .slice2DMerged, .volume2_5DAverage, .volume2_5DMerged, .volume3DAverage, .volume3DMerged,
    ]
    /// Aggregations of GLSZM, GLDZM, NGTDM and NGLDM.
    public static let nonDirectional: [Aggregation] = [.slice2D, .volume2_5D, .volume3D]
}

/// One feature of a family, before aggregation.
public struct FeatureDefinition: Sendable, Hashable {
    /// Tag without aggregation suffix, as in the IBSI reference files (e.g. `cm_joint_max`).
    public let tag: String
    /// IBSI identifier (e.g. `GYBY`).
    public let ibsiCode: String
    public let family: FeatureFamily
    /// The feature's name in the IBSI manual.
    public let name: String
    /// What the feature returns when its definition has no value for the input (an ROI of one
    /// grey level, an empty slice, ...), if that needs saying.
    public let degenerate: String?

    public init(_ tag: String, ibsi: String, family: FeatureFamily, name: String, degenerate: String? = nil) {
        self.tag = tag
        self.ibsiCode = ibsi
        self.family = family
        self.name = name
        self.degenerate = degenerate
    }

    /// The full tag for an aggregation (`cm_joint_max` + `3D_avg` -> `cm_joint_max_3D_avg`).
    public func tag(_ aggregation: Aggregation) -> String {
        aggregation == .none ? tag : "\(tag)_\(aggregation.rawValue)"
    }
}

/// One column of the feature table.
public struct CatalogueEntry: Sendable {
    public let definition: FeatureDefinition
    public let aggregation: Aggregation
    public init(definition: FeatureDefinition, aggregation: Aggregation) {
        self.definition = definition
        self.aggregation = aggregation
    }
    public var tag: String { definition.tag(aggregation) }
}

/// An ordered list of (tag, value) produced by a family.
public struct FeatureValues: Sendable, Sequence {
    public private(set) var tags: [String] = []
    public private(set) var values: [Double] = []

    public init() {}

    public mutating func append(_ tag: String, _ value: Double) {
        tags.append(tag)
        values.append(value)
    }

    public mutating func append(contentsOf other: FeatureValues) {
        tags.append(contentsOf: other.tags)
        values.append(contentsOf: other.values)
    }

    public var count: Int { tags.count }

    public subscript(tag: String) -> Double? {
        guard let i = tags.firstIndex(of: tag) else { return nil }
        return values[i]
    }

    public func makeIterator() -> Zip2Sequence<[String], [Double]>.Iterator { zip(tags, values).makeIterator() }
}
