import Foundation
import Radiomics
import Testing

/// Every settings file the repository ships (presets, benchmark configs) must load, so that a
/// renamed key cannot leave one of them behind.
@Suite struct BundledConfigTests {
    @Test func benchmarkConfigsLoad() throws {
        let dir = Repository.path("benchmarks/configs")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 3)
        for f in files { _ = try SettingsLoader.loadFile(path: "\(dir)/\(f)") }
    }

    @Test func presetsLoad() throws {
        #expect(Presets.names.count == 6)
        for name in Presets.names { _ = try Presets.settings(named: name) }
    }
}
