import CFuzzerDriver
import Foundation
import RadiomicsCore
import RadiomicsIO

/// The bundled CT phantom's image grid, coarsened 8 times in plane to keep each run short.
let grid: Grid = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let series = try! DICOMSeriesReader.read(directory: root.appendingPathComponent("ibsi-phantoms/ct_phantom/dicom/image").path)
    let g = series.image.grid
    return Grid(size: SIMD3(g.size.x / 8, g.size.y / 8, g.size.z), spacing: g.spacing * SIMD3(8, 8, 1),
                origin: g.origin, direction: g.direction)
}()

let file: String = NSTemporaryDirectory() + "radiomics-fuzz-rtstruct-\(getpid()).dcm"

/// libFuzzer entry point: the bytes as an RTSTRUCT file, each ROI rasterised onto the grid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTStruct(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    _ = grid
    try? Data(bytes: data, count: size).write(to: URL(fileURLWithPath: file))
    guard let rt = try? RTStruct.read(path: file) else { return 0 }
    for roi in rt.rois {
        if let mask = try? rt.rasterise(roiName: roi.name, onto: grid) { _ = mask.count }
    }
    return 0
}

@main
enum Main {
    static func main() {
        exit(cfuzzer_run(CommandLine.argc, CommandLine.unsafeArgv, { fuzzRTStruct($0, $1) }))
    }
}
