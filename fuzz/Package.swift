// swift-tools-version:6.1
import PackageDescription

// libFuzzer entry points for the input readers. Kept out of the main package so that
// `swift build` and `make test` never see them; `make fuzz` builds them with
// -sanitize=fuzzer,address and runs each one.

let package = Package(
    name: "RadiomicsFuzz",
    dependencies: [.package(name: "SwiftRadiomics", path: "..")],
    targets: [
        .target(name: "CFuzzerDriver"),
        .executableTarget(name: "FuzzNIfTI", dependencies: ["CFuzzerDriver", .product(name: "RadiomicsIO", package: "SwiftRadiomics")]),
        // The DICOM readers also link the DCMTK backend (a shared library the main binary loads on
        // first use), so that it is built, with the sanitizers, beside them.
        .executableTarget(name: "FuzzDICOMSeries", dependencies: ["CFuzzerDriver", .product(name: "RadiomicsIO", package: "SwiftRadiomics"),
                                                                  .product(name: "RadiomicsDCMTK", package: "SwiftRadiomics")]),
        .executableTarget(name: "FuzzRTStruct", dependencies: ["CFuzzerDriver", .product(name: "RadiomicsIO", package: "SwiftRadiomics"),
                                                               .product(name: "RadiomicsDCMTK", package: "SwiftRadiomics")]),
    ]
)
