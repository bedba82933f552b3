import CFuzzerDriver
import Foundation
import RadiomicsCore
import RadiomicsIO

/// A directory of this process for the slice files (the series reader reads directories).
let directory: String = {
    let d = NSTemporaryDirectory() + "radiomics-fuzz-dicom-\(getpid())"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}()

/// libFuzzer entry point: the bytes as one slice file, and again as a second slice when the
/// first byte is odd (so the arrangement of several slices is reached), read as a series.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDICOMSeries(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Data(bytes: data, count: size)
    let first = directory + "/a.dcm", second = directory + "/b.dcm"
    try? bytes.write(to: URL(fileURLWithPath: first))
    if size > 0, data[0] & 1 == 1 {
        // The second copy a little changed, so that it may be another slice of the series.
        var other = bytes
        other[other.count - 1] ^= 0x5A
        try? other.write(to: URL(fileURLWithPath: second))
    } else {
        try? FileManager.default.removeItem(atPath: second)
    }
    if let series = try? DICOMSeriesReader.read(directory: directory) {
        _ = series.image.voxels.reduce(0, +)
    }
    return 0
}

@main
enum Main {
    static func main() {
        exit(cfuzzer_run(CommandLine.argc, CommandLine.unsafeArgv, { fuzzDICOMSeries($0, $1) }))
    }
}
