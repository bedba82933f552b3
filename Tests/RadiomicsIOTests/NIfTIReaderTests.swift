import Foundation
import RadiomicsCore
import Testing
@testable import RadiomicsIO

/// Locates files of the repository from the test source's own path, so tests run from any
/// working directory.
enum Repository {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

@Suite struct NIfTIReaderTests {
    @Test func digitalPhantomGeometryAndValues() throws {
        let image = try NIfTIReader.readImage(at: Repository.path("ibsi-phantoms/digital_phantom/nifti/image/phantom.nii.gz"))
        #expect(image.grid.size == SIMD3(5, 4, 4))
        #expect(image.grid.spacing == SIMD3(2, 2, 2))
        let mask = try NIfTIReader.readLabels(at: Repository.path("ibsi-phantoms/digital_phantom/nifti/mask/mask.nii.gz"))
        #expect(mask.grid.matches(image.grid))
        let inROI = zip(image.voxels, mask.voxels).filter { $0.1 != 0 }.map(\.0)
        // The phantom's ROI holds 74 voxels with grey levels 1, 3, 4 and 6 (IBSI 1, digital phantom).
        #expect(inROI.count == 74)
        #expect(Set(inROI) == [1, 3, 4, 6])
        print(image.grid)
    }

    @Test func missingFileIsAnInputErrorNamingTheFile() {
        #expect(throws: RadiomicsError.input("/nonexistent/x.nii.gz", "file not found")) {
            try NIfTIReader.readImage(at: "/nonexistent/x.nii.gz")
        }
    }
}
