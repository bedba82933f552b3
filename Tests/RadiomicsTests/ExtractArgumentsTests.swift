import ArgumentParser
@testable import radiomics
import Testing

/// The `extract` command lines that the CLI reads without swift-argument-parser
/// (ExtractArguments) give the values the parser gives, and every other command line is left to
/// the parser.
@Suite struct ExtractArgumentsTests {
    static let readDirectly: [[String]] = [
        ["extract", "ct.nii.gz", "mask.nii.gz"],
        ["extract", "ct.nii.gz", "mask.nii.gz", "--config", "settings.yaml"],
        ["extract", "--preset", "ibsi-config-c", "image", "mask"],
        ["extract", "image", "--label", "2", "mask", "--timings"],
        ["extract", "image", "mask", "--label=-3", "--roi=GTV", "--series", "1.2.3", "--format", "json", "-o", "out.json"],
        ["extract", "--timings", "image", "mask", "--output=features.csv", "--format=csv", "--preset=ibsi-phantom"],
        ["extract", "dicom/image", "rtstruct.dcm", "--roi", "GTV primary", "--label", "0", "--output", "x y.csv"],
    ]

    @Test(arguments: readDirectly)
    func readsCommandLinesAsTheParserDoes(_ arguments: [String]) throws {
        let direct = try #require(ExtractArguments(commandLine: arguments))
        let parsed = try #require(try RadiomicsCommand.parseAsRoot(arguments) as? Extract)
        #expect(direct == parsed.arguments)
    }

    static let leftToTheParser: [[String]] = [
        ["extract"],
        ["extract", "image"],
        ["extract", "image", "mask", "third"],
        ["extract", "image", "mask", "--help"],
        ["extract", "-h"],
        ["extract", "image", "mask", "--label", "two"],
        ["extract", "image", "mask", "--label", "-3"],
        ["extract", "image", "mask", "--timings", "--timings"],
        ["extract", "image", "mask", "--config", "a.yaml", "--config", "b.yaml"],
        ["extract", "image", "mask", "-o", "a.csv", "--output", "b.csv"],
        ["extract", "image", "mask", "--output"],
        ["extract", "image", "mask", "-o=a.csv"],
        ["extract", "image", "mask", "--configs", "a.yaml"],
        ["extract", "image", "mask", "--", "-x"],
        ["extract", "-image.nii.gz", "mask"],
        ["batch", "cases.csv"],
        ["--version"],
        [],
    ]

    @Test(arguments: leftToTheParser)
    func leavesEveryOtherCommandLineToTheParser(_ arguments: [String]) {
        #expect(ExtractArguments(commandLine: arguments) == nil)
    }
}
