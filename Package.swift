// swift-tools-version:6.1
import PackageDescription

// Layers, data flowing one way:
//   C shims (CNifti, CDicom) -> RadiomicsCore -> RadiomicsIO / RadiomicsProcessing
//   -> RadiomicsFeatures -> Radiomics (extraction, validation) -> radiomics (CLI)
let package = Package(
    name: "SwiftRadiomics",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Radiomics", targets: ["Radiomics"]),
        // The readers on their own (used by the fuzzers in fuzz/).
        .library(name: "RadiomicsIO", targets: ["RadiomicsIO"]),
        .executable(name: "radiomics", targets: ["radiomics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // nifti_clib (libnifti2 reads NIfTI-1 and NIfTI-2) and libdeflate (gzip). The include/
        // header forwards to <nifti/...> because SwiftPM passes no -I for system libraries.
        .target(
            name: "CNifti",
            linkerSettings: [
                .linkedLibrary("nifti2"), .linkedLibrary("znz"), .linkedLibrary("deflate"),
                .linkedLibrary("z"), .linkedLibrary("m"),
            ]
        ),
        // DCMTK behind a plain extern "C" API so that no Swift target needs C++ interop.
        .target(
            name: "CDicom",
            cxxSettings: [.define("HAVE_CONFIG_H", to: "0")],
            linkerSettings: [
                .linkedLibrary("dcmjpeg"), .linkedLibrary("dcmjpls"), .linkedLibrary("dcmimage"),
                .linkedLibrary("dcmimgle"), .linkedLibrary("dcmdata"), .linkedLibrary("oflog"),
                .linkedLibrary("ofstd"), .linkedLibrary("ijg8"), .linkedLibrary("ijg12"),
                .linkedLibrary("ijg16"), .linkedLibrary("dcmtkcharls"), .linkedLibrary("z"),
                .linkedLibrary("stdc++"),
            ]
        ),
        .target(name: "RadiomicsCore"),
        .target(name: "RadiomicsIO", dependencies: ["RadiomicsCore", "CNifti", "CDicom"]),
        .target(
            name: "RadiomicsProcessing",
            dependencies: ["RadiomicsCore", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "RadiomicsFeatures",
            dependencies: ["RadiomicsCore"]
        ),
        .target(
            name: "Radiomics",
            dependencies: ["RadiomicsCore", "RadiomicsIO", "RadiomicsProcessing", "RadiomicsFeatures"],
            resources: [.copy("Presets")]
        ),
        .executableTarget(
            name: "radiomics",
            dependencies: ["Radiomics", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "RadiomicsCoreTests", dependencies: ["RadiomicsCore"]),
        .testTarget(name: "RadiomicsIOTests", dependencies: ["RadiomicsIO"]),
        .testTarget(name: "RadiomicsProcessingTests", dependencies: ["RadiomicsProcessing", "RadiomicsIO"]),
        .testTarget(name: "RadiomicsFeaturesTests", dependencies: ["RadiomicsFeatures", "RadiomicsIO"]),
        .testTarget(name: "RadiomicsTests", dependencies: ["Radiomics"]),
    ],
    cxxLanguageStandard: .cxx17
)
