import RadiomicsCore
import RadiomicsFeatures

/// Feature documentation generated from the catalogue, so the pages cannot drift from the code.
public enum Documentation {
    /// One Markdown table of catalogue entries.
    public static func markdown(_ entries: [CatalogueEntry]) -> String {
        var s = "| tag | IBSI code | family | aggregation | name |\n|---|---|---|---|---|\n"
        for e in entries {
            s += "| `\(e.tag)` | \(e.definition.ibsiCode) | \(e.definition.family.rawValue) | \(e.aggregation == .none ? "-" : e.aggregation.rawValue) | \(e.definition.name) |\n"
        }
        return s
    }

    /// One page per family: file name and Markdown text.
    public static func pages() -> [(file: String, text: String)] {
        FeatureFamily.allCases.map { family in
            let (defs, aggs) = FeatureCatalogue.family(family)
            var s = "# \(family.title)\n\n"
            s += "Generated from the feature catalogue by `radiomics features --docs docs/features`; do not edit by hand.\n\n"
            s += "Tag prefix `\(family.rawValue)_`. "
            if aggs == [.none] {
                s += "No aggregation suffix.\n\n"
            } else {
                s += "Every feature is computed for the aggregations " + aggs.map { "`_\($0.rawValue)`" }.joined(separator: ", ")
                s += " (IBSI 1, \"Feature aggregation\"): " + aggs.map(describe).joined(separator: "; ") + ".\n\n"
            }
            s += "| tag | IBSI code | name | when undefined |\n|---|---|---|---|\n"
            for d in defs {
                s += "| `\(d.tag)` | \(d.ibsiCode) | \(d.name) | \(d.degenerate ?? "") |\n"
            }
            return ("\(family.rawValue).md", s)
        }
    }

    static func describe(_ a: Aggregation) -> String {
        switch a {
        case .none: "none"
        case .slice2DAverage: "`2D_avg` per slice and direction, averaged"
        case .slice2DMerged: "`2D_comb` per slice with directions merged, averaged over slices"
        case .volume2_5DAverage: "`2_5D_avg` per direction merged over slices, averaged over directions"
        case .volume2_5DMerged: "`2_5D_comb` one matrix over all slices and directions"
        case .volume3DAverage: "`3D_avg` per 3D direction, averaged"
        case .volume3DMerged: "`3D_comb` one matrix over the 13 directions"
        case .slice2D: "`2D` per slice, averaged over slices"
        case .volume2_5D: "`2_5D` slice matrices merged"
        case .volume3D: "`3D` one volumetric matrix"
        }
    }
}
