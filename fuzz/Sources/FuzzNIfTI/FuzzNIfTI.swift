import CFuzzerDriver
import Foundation
import RadiomicsCore
import RadiomicsIO

/// libFuzzer entry point: any bytes, plain or gzip, as a NIfTI image. Reading may fail with a
/// RadiomicsError; it must never crash, hang or touch memory it does not own.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNIfTI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let image = try? NIfTIReader.readImage(bytes: bytes, name: "fuzz.nii") {
        // Touch the result the way the pipeline does.
        _ = image.grid.voxelCount
        _ = image.voxels.reduce(0, +)
    }
    return 0
}

@main
enum Main {
    static func main() {
        exit(cfuzzer_run(CommandLine.argc, CommandLine.unsafeArgv, { fuzzNIfTI($0, $1) }))
    }
}
