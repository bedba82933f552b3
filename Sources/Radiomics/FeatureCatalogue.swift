import RadiomicsCore
import RadiomicsFeatures

/// The catalogue of every feature, in output order: family by family, each family's features
/// expanded over its aggregation methods.
public enum FeatureCatalogue {
    /// Bumped whenever a tag is added, removed or changes meaning; written to provenance records.
    public static let version = "1"

    /// Base definitions and aggregations of one family.
    public static func family(_ family: FeatureFamily) -> (definitions: [FeatureDefinition], aggregations: [Aggregation]) {
        switch family {
        case .morphology: (MorphologyFeatures.definitions, [.none])
        case .localIntensity: (LocalIntensityFeatures.definitions, [.none])
        case .statistics: (StatisticsFeatures.definitions, [.none])
        case .intensityHistogram: (IntensityHistogramFeatures.definitions, [.none])
        case .intensityVolumeHistogram: (IntensityVolumeHistogramFeatures.definitions, [.none])
        case .cooccurrence: (CooccurrenceFeatures.definitions, Aggregation.directional)
        case .runLength: (RunLengthFeatures.definitions, Aggregation.directional)
        case .sizeZone: (SizeZoneFeatures.definitions, Aggregation.nonDirectional)
        case .distanceZone: (DistanceZoneFeatures.definitions, Aggregation.nonDirectional)
        case .neighbourhoodGreyToneDifference: (NeighbourhoodGreyToneDifferenceFeatures.definitions, Aggregation.nonDirectional)
        case .neighbouringGreyLevelDependence: (DependenceFeatures.definitions, Aggregation.nonDirectional)
        }
    }

    /// Every column of the feature table for the given families, in output order. `sliceWise`
    /// (the IBSI 2D configurations) keeps the in-slice aggregations of the texture families:
    /// 2D and 2.5D, not 3D (IBSI 1, "Reference data sets": texture "extracted from the in-slice
    /// plane, and not volumetrically").
    public static func entries(for families: [FeatureFamily] = FeatureFamily.allCases, sliceWise: Bool = false) -> [CatalogueEntry] {
        var out: [CatalogueEntry] = []
        for f in FeatureFamily.allCases where families.contains(f) {
            var (defs, aggs) = family(f)
            if sliceWise { aggs.removeAll { [.volume3DAverage, .volume3DMerged, .volume3D].contains($0) } }
            // Aggregation-major within a family, as the IBSI reference files list them
            // (every cm_*_2D_avg, then every cm_*_2D_comb, ...).
            for a in aggs {
                for d in defs { out.append(CatalogueEntry(definition: d, aggregation: a)) }
            }
        }
        return out
    }
}

extension FeatureCatalogue {
    /// The columns a run with these settings writes.
    public static func entries(for settings: Settings) -> [CatalogueEntry] {
        entries(for: settings.enabledFamilies, sliceWise: settings.sliceWise)
    }
}
