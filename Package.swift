// swift-tools-version:6.1
import PackageDescription

// Layers, data flowing one way:
//   C shims (CNifti, CDicom -> CDicomDCMTK at run time, CCPUFeatures, CAllocator) -> RadiomicsCore
//   -> RadiomicsIO / RadiomicsProcessing / RadiomicsSpectral -> RadiomicsFeatures
//   -> Radiomics (extraction, validation) -> radiomics (CLI)

// The FFT behind Moran's I and Geary's C (RadiomicsSpectral) is built a second time from the same
// files (symbolic links) for processors with AVX2, and RadiomicsFeatures picks one at run time
// (CCPUFeatures): the binary still runs on any x86-64. Swift has no per-function target
// attribute, so the variant is a module of its own. Swift never fuses a multiply and an add, so
// the variant gives the same bits (RadiomicsSpectralTests checks this).
#if arch(x86_64)
let spectralVariants: [Target.Dependency] = ["RadiomicsSpectral", "RadiomicsSpectralAVX2"]
let spectralVariantTargets: [Target] = [
    .target(
        name: "RadiomicsSpectralAVX2",
        dependencies: ["RadiomicsCore"],
        swiftSettings: [.define("SPECTRAL_AVX2"), .unsafeFlags(["-target-cpu", "haswell"])]
    ),
]
#else
let spectralVariants: [Target.Dependency] = ["RadiomicsSpectral"]
let spectralVariantTargets: [Target] = []
#endif

let package = Package(
    name: "SwiftRadiomics",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Radiomics", targets: ["Radiomics"]),
        // The readers on their own (used by the fuzzers in fuzz/).
        .library(name: "RadiomicsIO", targets: ["RadiomicsIO"]),
        .executable(name: "radiomics", targets: ["radiomics"]),
        // The DCMTK backend of CDicom, loaded at run time on the first DICOM call (see
        // Sources/CDicom/cdicom.c); it must sit next to the executable or in ../lib.
        .library(name: "RadiomicsDCMTK", type: .dynamic, targets: ["CDicomDCMTK"]),
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
        // DCMTK behind a plain extern "C" API so that no Swift target needs C++ interop: CDicom
        // declares it and loads CDicomDCMTK, which implements it, as a shared library on first use,
        // so that processes reading no DICOM never map DCMTK and its dependencies.
        .target(name: "CDicom"),
        .target(
            name: "CDicomDCMTK",
            // No public headers: nothing imports it; it implements CDicom.h.
            publicHeadersPath: ".",
            cxxSettings: [.define("HAVE_CONFIG_H", to: "0"), .headerSearchPath("../CDicom/include")],
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
        .target(name: "CCPUFeatures"),
        // The process's allocator settings (glibc's mallopt), taken by the CLI at start.
        .target(name: "CAllocator"),
        .target(name: "RadiomicsSpectral", dependencies: ["RadiomicsCore"]),
        .target(
            name: "RadiomicsFeatures",
            dependencies: ["RadiomicsCore", "CCPUFeatures"] + spectralVariants
        ),
        .target(
            name: "Radiomics",
            dependencies: ["RadiomicsCore", "RadiomicsIO", "RadiomicsProcessing", "RadiomicsFeatures"],
            resources: [.copy("Presets")]
        ),
        .executableTarget(
            name: "radiomics",
            dependencies: ["Radiomics", "CAllocator", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "RadiomicsCoreTests", dependencies: ["RadiomicsCore"]),
        .testTarget(name: "RadiomicsIOTests", dependencies: ["RadiomicsIO"]),
        .testTarget(name: "RadiomicsProcessingTests", dependencies: ["RadiomicsProcessing", "RadiomicsIO"]),
        .testTarget(name: "RadiomicsFeaturesTests", dependencies: ["RadiomicsFeatures", "RadiomicsIO"]),
        .testTarget(
            name: "RadiomicsTests",
            dependencies: ["Radiomics", "CCPUFeatures", "CAllocator", "radiomics",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "RadiomicsSpectralTests", dependencies: ["CCPUFeatures"] + spectralVariants),
    ] + spectralVariantTargets,
    cxxLanguageStandard: .cxx17
)
