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
        .executableTarget(name: "FuzzDICOMSeries", dependencies: ["CFuzzerDriver", .product(name: "RadiomicsIO", package: "SwiftRadiomics")]),
        .executableTarget(name: "FuzzRTStruct", dependencies: ["CFuzzerDriver", .product(name: "RadiomicsIO", package: "SwiftRadiomics")]),
    ]
)
