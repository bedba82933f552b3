import Foundation
import Radiomics
import Testing

/// IBSI 1 compliance through the whole pipeline (load -> process -> features), with the bundled
/// presets. Every reference value is asserted; a per-family table is printed.
@Suite(.serialized) struct ComplianceTests {
    static let cases = Validation.cases(root: Repository.phantoms)

    @Test(arguments: cases.map(\.name))
    func referenceValuesWithinTolerance(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let report = Validation.run(c)
        print(Validation.table([report]))
        #expect(report.error == nil, "\(report.error ?? "")")
        for check in report.checks where !check.passed {
            Issue.record("\(name): \(check.reference.tag) computed \(check.computed.map(FeatureTable.format) ?? "(not computed)"), reference \(check.reference.text) ± \(check.reference.tolerance)")
        }
    }
}
