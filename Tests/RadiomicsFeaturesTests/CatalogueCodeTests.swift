import Foundation
import RadiomicsCore
import RadiomicsFeatures
import Testing

/// Checks on the IBSI identifier codes and tags of the feature catalogue (morphology excepted).
@Suite struct CatalogueCodeTests {
    /// Every family with its base features and the aggregations its tags are expanded over.
    static let families: [(family: FeatureFamily, definitions: [FeatureDefinition], aggregations: [Aggregation])] = [
        (.statistics, StatisticsFeatures.definitions, [.none]),
        (.intensityHistogram, IntensityHistogramFeatures.definitions, [.none]),
        (.intensityVolumeHistogram, IntensityVolumeHistogramFeatures.definitions, [.none]),
        (.localIntensity, LocalIntensityFeatures.definitions, [.none]),
        (.cooccurrence, CooccurrenceFeatures.definitions, Aggregation.directional),
        (.runLength, RunLengthFeatures.definitions, Aggregation.directional),
        (.sizeZone, SizeZoneFeatures.definitions, Aggregation.nonDirectional),
        (.distanceZone, DistanceZoneFeatures.definitions, Aggregation.nonDirectional),
        (.neighbourhoodGreyToneDifference, NeighbourhoodGreyToneDifferenceFeatures.definitions, Aggregation.nonDirectional),
        (.neighbouringGreyLevelDependence, DependenceFeatures.definitions, Aggregation.nonDirectional),
    ]

    /// Tags that share one code because the manual defines them under one heading with one code:
    /// V_x for x = 10, 90 ("Volume at intensity fraction") and I_x ("Intensity at volume fraction").
    static let sharedCodes: [Set<String>] = [
        ["ivh_v10", "ivh_v90"],
        ["ivh_i10", "ivh_i90"],
    ]

    /// Features listed in the digital phantom reference file without a reference value (no
    /// consensus in IBSI 1).
    static let noReference: Set<String> = ["ivh_auc"]

    /// Codes the manual (docs/03_Image_features.rst of the IBSI documentation) prints under the
    /// feature headings. The manual prints none under the remaining intensity histogram headings,
    /// the intensity-volume histogram headings or the texture feature headings.
    static let manualCodes: [String: String] = [
        "loc_peak_loc": "VJGA", "loc_peak_glob": "0F91",
        "stat_mean": "Q4LE", "stat_var": "ECT3", "stat_skew": "KE2A", "stat_kurt": "IPH6",
        "stat_median": "Y12H", "stat_min": "1GSF", "stat_p10": "QG58", "stat_p90": "8DWT",
        "stat_max": "84IY", "stat_iqr": "SALO", "stat_range": "2OJQ", "stat_mad": "4FUA",
        "stat_rmad": "1128", "stat_medad": "N72L", "stat_cov": "7TET", "stat_qcod": "9S40",
        "stat_energy": "N8CA", "stat_rms": "5ZWQ",
        "ih_mean": "X6K6", "ih_var": "CH89", "ih_skew": "88K1", "ih_kurt": "C3I7",
        "ih_median": "WIFQ", "ih_min": "1PR8",
    ]

    @Test func codesAreFourUpperCaseLettersOrDigits() {
        for (_, definitions, _) in Self.families {
            for d in definitions {
                let ok = d.ibsiCode.count == 4
                    && d.ibsiCode.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
                #expect(ok, "\(d.tag): code \(d.ibsiCode)")
            }
        }
    }

    @Test func definitionsBelongToTheirFamily() {
        for (family, definitions, _) in Self.families {
            #expect(!definitions.isEmpty)
            for d in definitions {
                #expect(d.family == family, "\(d.tag)")
                #expect(d.tag.hasPrefix(family.rawValue + "_"), "\(d.tag)")
                #expect(!d.name.isEmpty, "\(d.tag)")
            }
            #expect(Set(definitions.map(\.tag)).count == definitions.count, "\(family): duplicate tag")
        }
    }

    @Test func distinctFeaturesHaveDistinctCodes() {
        var all: [String: [String]] = [:]
        for (_, definitions, _) in Self.families {
            for d in definitions { all[d.ibsiCode, default: []].append(d.tag) }
        }
        for (code, tags) in all where tags.count > 1 {
            #expect(Self.sharedCodes.contains(Set(tags)), "\(code) is used by \(tags.sorted())")
        }
        // The listed exceptions do share a code.
        let codeOf = Dictionary(uniqueKeysWithValues: Self.families.flatMap { $0.definitions }.map { ($0.tag, $0.ibsiCode) })
        for group in Self.sharedCodes {
            #expect(Set(group.map { codeOf[$0] }).count == 1, "\(group.sorted())")
        }
    }

    @Test func codesPrintedInTheManualMatch() {
        let codeOf = Dictionary(uniqueKeysWithValues: Self.families.flatMap { $0.definitions }.map { ($0.tag, $0.ibsiCode) })
        for (tag, code) in Self.manualCodes {
            #expect(codeOf[tag] == code, "\(tag): catalogue \(codeOf[tag] ?? "missing"), manual \(code)")
        }
    }

    @Test func everyTagIsInTheDigitalPhantomReferenceFile() throws {
        let path = Repository.path("ibsi-phantoms/reference_values/ibsi_1_dig_phantom.csv")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var listed = Set<String>(), withValue = Set<String>()
        for (n, line) in text.split(whereSeparator: \.isNewline).enumerated() where n > 0 {
            let cols = line.split(separator: ";", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cols.count >= 3, !cols[2].isEmpty else { continue }
            listed.insert(cols[2])
            if Double(cols[0]) != nil { withValue.insert(cols[2]) }
        }
        for (_, definitions, aggregations) in Self.families {
            for d in definitions {
                for a in aggregations {
                    let tag = d.tag(a)
                    #expect(listed.contains(tag), "\(tag) is not in the reference file")
                    if Self.noReference.contains(d.tag) {
                        #expect(!withValue.contains(tag), "\(tag) has a reference value: drop it from noReference")
                    } else {
                        #expect(withValue.contains(tag), "\(tag) has no reference value")
                    }
                }
            }
        }
    }
}
