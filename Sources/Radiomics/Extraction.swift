import Foundation
import RadiomicsCore
import RadiomicsFeatures
import RadiomicsIO
import RadiomicsProcessing

/// One case to extract: an image and a mask, with the label or ROI that selects the region.
public struct CaseInput: Sendable, Equatable {
    /// NIfTI file or DICOM series directory.
    public var image: String
    /// NIfTI label map or DICOM RTSTRUCT file.
    public var mask: String
    /// Label of a NIfTI mask; nil means every non-zero voxel.
    public var label: Int?
    /// ROI name in an RTSTRUCT; may be nil when the file holds one ROI.
    public var roi: String?
    /// SeriesInstanceUID to pick from a directory that holds several series.
    public var series: String?

    public init(image: String, mask: String, label: Int? = nil, roi: String? = nil, series: String? = nil) {
        self.image = image
        self.mask = mask
        self.label = label
        self.roi = roi
        self.series = series
    }
}

/// Wall time of each step of one extraction, in seconds, in the order the steps ran.
public struct StepTimings: Sendable {
    public private(set) var steps: [(name: String, seconds: Double)] = []
    /// Time of each feature task (one family, or part of one); the tasks run concurrently
    /// within the "features" step, so these overlap and do not add up to it.
    public private(set) var tasks: [(name: String, seconds: Double)] = []
    public init() {}
    mutating func measure<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { steps.append((name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)) }
        return try body()
    }
    mutating func record(_ name: String, seconds: Double) { steps.append((name, seconds)) }
    mutating func recordTask(_ name: String, seconds: Double) { tasks.append((name, seconds)) }
    public var total: Double { steps.reduce(0) { $0 + $1.seconds } }
}

/// One unit of feature work.
struct FeatureTask: Sendable {
    var name: String
    var family: FeatureFamily
    /// Scheduling rank: lower runs first (the costliest tasks start first).
    var cost: Int
    var work: @Sendable () throws -> FeatureValues
}

/// One result slot per task, written by whichever thread ran it.
final class TaskSlots: @unchecked Sendable {
    private var results: [(Result<FeatureValues, Error>, Double)?]
    private let lock = NSLock()

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func store(_ index: Int, _ result: Result<FeatureValues, Error>, seconds: Double) {
        lock.lock()
        results[index] = (result, seconds)
        lock.unlock()
    }

    func load(_ index: Int) -> (Result<FeatureValues, Error>, Double) {
        lock.lock()
        defer { lock.unlock() }
        return results[index]!
    }
}

/// The result of one case: diagnostics (IBSI "Diagnostic features") and feature values.
public struct ExtractionResult: Sendable {
    public var input: CaseInput
    public var modality: String?
    public var diagnostics: FeatureValues
    public var features: FeatureValues
    public var timings: StepTimings
}

/// Runs the IBSI pipeline on one case: load -> interpolate -> re-segment -> discretise ->
/// features (IBSI 1, chapter "Image processing").
public struct Extractor: Sendable {
    public var settings: Settings

    public init(settings: Settings) { self.settings = settings }

    /// Starts building the process-wide feature tables on a thread of the global pool (which
    /// also starts that pool): a caller with other work before its first extraction, such as
    /// parsing its arguments, then finds them ready.
    public static func prepareInBackground() {
        DispatchQueue.global().async { FeatureTables.prepare() }
    }

    public func extract(_ input: CaseInput) throws -> ExtractionResult {
        var timings = StepTimings()
        // A NIfTI mask file is decoded on another thread while the image loads; it is checked
        // against the image afterwards, so the errors and their order are those of loading the
        // image first. "load mask" is the time spent on the mask after the image was in.
        // What needs the mask alone (its interpolation, then its shape) starts on that thread too
        // and is used when the image's grid turns out to be the mask file's.
        let (path, label, roi) = (input.mask, input.label, input.roi)
        let pendingMask = Background { [self] in
            let prepared = MaskLoader.prepare(path: path, label: label, roi: roi)
            return (prepared: prepared, early: prepared.earlyMask.map { EarlyMaskWork($0, extractor: self) })
        }
        let loaded: LoadedImage
        do {
            loaded = try timings.measure("load image") { try ImageLoader.load(path: input.image, series: input.series) }
        } catch {
            // No work of this case outlives the call.
            _ = pendingMask.value.early?.shape?.value
            throw error
        }
        // Taken out of the background (which then holds no reference to the mask), so that the
        // mask as read is released once the pipeline no longer needs it.
        let (prepared, ahead) = pendingMask.take()
        defer { _ = ahead?.shape?.value }
        let mask = try timings.measure("load mask") { try MaskLoader.load(prepared, onto: loaded, imagePath: input.image) }
        _ = consume prepared
        let early = ahead.flatMap { $0.source == loaded.image.grid ? $0 : nil }
        let modality = loaded.modality
        // Handed over, not copied: the pipeline releases the loaded image once it is interpolated.
        var result = try extract(image: (consume loaded).image, mask: consume mask, imageFile: input.image,
                                 timings: &timings, early: early)
        result.input = input
        result.modality = modality
        return result
    }

    /// The pipeline on an image and mask already in memory (library use).
    public func extract(image: Image, mask: Mask) throws -> ExtractionResult {
        var timings = StepTimings()
        return try extract(image: image, mask: mask, imageFile: nil, timings: &timings)
    }

    /// Refuses images with NaN or infinite voxels: they would turn every feature that sees them
    /// (statistics, texture, and through interpolation and local intensity the voxels around
    /// them) into NaN without saying why.
    static func checkFinite(_ image: Image, mask: Mask, file: String?) throws {
        // A float is NaN or infinite when its exponent bits are all ones; adding one to the
        // exponent field then carries into the sign bit. OR-ing that over the bit patterns is
        // one vectorised pass that says whether there is anything to report.
        let flagged = image.voxels.withUnsafeBufferPointer { v in
            v.withMemoryRebound(to: UInt32.self) { bits -> UInt32 in
                var acc: UInt32 = 0
                for b in bits { acc |= (b & 0x7f80_0000) &+ 0x0080_0000 }
                return acc & 0x8000_0000
            }
        }
        guard flagged != 0 else { return }
        var nonFinite = 0, inROI = 0, first = -1
        image.voxels.withUnsafeBufferPointer { v in
            mask.voxels.withUnsafeBufferPointer { m in
                for i in 0..<v.count where !v[i].isFinite {
                    nonFinite += 1
                    if m[i] { inROI += 1 }
                    if first < 0 { first = i }
                }
            }
        }
        guard nonFinite > 0 else { return }
        let g = image.grid
        let x = first % g.size.x, y = (first / g.size.x) % g.size.y, z = first / (g.size.x * g.size.y)
        throw RadiomicsError.input(file, "image has \(nonFinite) NaN or infinite voxel(s), \(inROI) of them in the ROI (first at voxel \(x),\(y),\(z)); replace them with a finite value (e.g. the background intensity) before extraction")
    }

    /// The image and mask are consumed: once interpolated, the loaded ones are released (they
    /// are the largest buffers of a case), so they are not held while the features run.
    private func extract(image original: consuming Image, mask originalMask: consuming Mask, imageFile: String?,
                         timings: inout StepTimings, early: EarlyMaskWork? = nil) throws -> ExtractionResult {
        guard original.grid.size == originalMask.grid.size else {
            throw RadiomicsError.input(nil, "image grid \(original.grid) and mask grid \(originalMask.grid) differ")
        }
        try Self.checkFinite(original, mask: originalMask, file: imageFile)
        var diagnostics = FeatureValues()
        // The diagnostics of the loaded image and mask (the whole image's intensity statistics
        // among them) are taken on another thread while the pipeline runs; the closure holds
        // its own references, released when it is done.
        let initial = Background { [loadedImage = copy original, loadedMask = copy originalMask] in
            let statistics = Diagnostics.ImageStatistics(loadedImage)
            return (statistics: statistics,
                    values: Diagnostics.values(stage: .initial, grid: loadedImage.grid, imageStatistics: statistics,
                                               region: loadedImage, intensityMask: loadedMask, morphologicalMask: loadedMask))
        }

        // Interpolation (IBSI 1, "Interpolation"): image and mask onto the same new grid. Only
        // the block of the new grid around the ROI is resampled (with room for the local
        // intensity sphere): every feature and ROI diagnostic reads that block alone.
        let image: Image
        let morphologicalMask: Mask
        var grid = original.grid
        var wholeImage: Diagnostics.ImageStatistics? = nil
        // Without interpolation the image after interpolation is the loaded one.
        var wholeImageIsLoaded = true
        var wholeImagePending: Background<Diagnostics.ImageStatistics>? = nil
        if let interp = settings.interpolation {
            let region = timings.measure("interpolation") {
                Interpolation.applyToRegion(image: original, maskRegion: early?.region ?? maskRegion(originalMask, interp),
                                            settings: interp)
            }
            (image, morphologicalMask, grid) = (region.image, region.mask, region.grid)
            wholeImageIsLoaded = false
            if region.box.size == region.grid.size {
                wholeImage = Diagnostics.ImageStatistics(image)
            } else if settings.diagnostics == .full {
                // The whole interpolated image is needed for its intensity statistics only; it is
                // resampled alongside the rest of the pipeline.
                wholeImagePending = Background { [loadedImage = copy original] in
                    Diagnostics.ImageStatistics(Interpolation.interpolatedImage(loadedImage, settings: interp))
                }
            }
            // The loaded image and mask are not needed from here on.
            _ = consume original
            _ = consume originalMask
        } else {
            image = original
            morphologicalMask = originalMask
        }
        guard morphologicalMask.voxels.contains(true) else {
            throw RadiomicsError.input(nil, "the ROI is empty after interpolation")
        }

        // Re-segmentation changes the intensity mask only (IBSI 1, "Re-segmentation").
        let intensityMask = timings.measure("re-segmentation") {
            ReSegmentation.apply(image, mask: morphologicalMask, settings: settings.reSegmentation)
        }
        guard intensityMask.voxels.contains(true) else {
            throw RadiomicsError.input(nil, "no ROI voxel is left after re-segmentation (range \(describe(settings.reSegmentation)))")
        }

        let roi = RegionOfInterest(image: image, morphologicalMask: morphologicalMask, intensityMask: intensityMask)
        let features = try computeFeatures(roi, timings: &timings, shape: early?.shape)
        timings.measure("diagnostics") {
            diagnostics.append(initial.value.values)
            if wholeImageIsLoaded { wholeImage = initial.value.statistics }
            if let wholeImagePending { wholeImage = wholeImagePending.value }
            diagnostics.append(Diagnostics.values(stage: .interpolated, grid: grid, imageStatistics: wholeImage, region: image,
                                                  intensityMask: morphologicalMask, morphologicalMask: morphologicalMask))
            diagnostics.append(Diagnostics.values(stage: .reSegmented, grid: grid, imageStatistics: nil, region: image,
                                                  intensityMask: intensityMask, morphologicalMask: morphologicalMask))
        }
        return ExtractionResult(input: CaseInput(image: "", mask: ""), modality: nil,
                                diagnostics: diagnostics, features: features, timings: timings)
    }

    /// Voxels of a grid with `spacing` that the block around the ROI needs on every side: the
    /// local intensity sphere's reach (plus one against rounding), when that family is on.
    func neighbourhoodMargin(spacing: SIMD3<Double>) -> SIMD3<Int> {
        guard settings.enabledFamilies.contains(.localIntensity) else { return .zero }
        let radius = cbrt(3 * settings.localIntensitySphereVolume / (4 * Double.pi))
        return SIMD3((0..<3).map { Int((radius / spacing[$0]).rounded(.down)) + 1 })
    }

    /// The part of interpolation that reads the mask alone, with the block margin the enabled
    /// families need.
    func maskRegion(_ mask: Mask, _ interp: InterpolationSettings) -> Interpolation.MaskRegion {
        let margin = neighbourhoodMargin(spacing: Interpolation.targetGrid(for: mask.grid, settings: interp).spacing)
        return Interpolation.maskRegion(mask, settings: interp, margin: margin)
    }

    /// Every enabled family on a prepared ROI, in catalogue order.
    public func computeFeatures(_ roi: RegionOfInterest, timings: inout StepTimings) throws -> FeatureValues {
        try computeFeatures(roi, timings: &timings, shape: nil)
    }

    /// `shape`: the morphological shape of `roi`'s morphological mask, being computed elsewhere.
    func computeFeatures(_ roi: RegionOfInterest, timings: inout StepTimings,
                         shape: Background<(shape: MorphologicalShape, seconds: Double)>?) throws -> FeatureValues {
        let families = Set(settings.enabledFamilies)
        let range = settings.reSegmentation.range
        // Moran's I and Geary's C (most of morphology's cost, and the longest task on a large
        // ROI) read only the image and the intensity mask: they start now, beside the
        // discretisation and every other task, and idle threads join their chunks.
        let autocorrelation: Background<(values: FeatureValues, seconds: Double)>? = families.contains(.morphology) ? Background {
            let start = DispatchTime.now().uptimeNanoseconds
            let values = MorphologyFeatures.autocorrelation(roi)
            return (values, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        } : nil
        // On an early error, still wait for it: no work of this case outlives the call.
        defer { _ = autocorrelation?.value }
        let textureFamilies: Set<FeatureFamily> = [
            .intensityHistogram, .cooccurrence, .runLength, .sizeZone, .distanceZone,
            .neighbourhoodGreyToneDifference, .neighbouringGreyLevelDependence,
        ]
        let discretised: DiscretisedVolume? = families.isDisjoint(with: textureFamilies) ? nil : try timings.measure("discretisation") {
            try Discretisation.discretise(roi, settings: settings.discretisation, reSegmentationRange: range)
        }
        // Every other family is a task; the tasks run on all cores, heaviest first, each into
        // its own slot, and the slots are joined in catalogue order: the output does not depend
        // on the scheduling.
        let texture = settings.texture
        let sphereVolume = settings.localIntensitySphereVolume
        // The intensity-mask intensities, gathered once for the statistics and the IVH settings.
        let intensities = families.isDisjoint(with: [.statistics, .intensityVolumeHistogram]) ? [] : roi.intensities
        // Scheduling rank per family, costliest first (measured on the CT phantom).
        let rank: [FeatureFamily: Int] = [
            .cooccurrence: 2, .runLength: 3, .distanceZone: 4, .localIntensity: 5, .sizeZone: 6,
            .neighbourhoodGreyToneDifference: 7, .neighbouringGreyLevelDependence: 8, .statistics: 9,
            .intensityVolumeHistogram: 9, .intensityHistogram: 10,
        ]
        var tasks: [FeatureTask] = []
        // GLSZM and GLDZM share their zones: with both, one task labels them once for the two.
        let zonesTogether = families.contains(.sizeZone) && families.contains(.distanceZone)
        for family in FeatureFamily.allCases where families.contains(family) {
            if family == .sizeZone && zonesTogether { continue }
            if family == .distanceZone && zonesTogether {
                tasks.append(FeatureTask(name: "szm+dzm", family: family, cost: rank[family, default: 10]) {
                    let (sizeZone, distanceZone) = DistanceZoneFeatures.computeWithSizeZone(discretised!, settings: texture)
                    var values = sizeZone
                    values.append(contentsOf: distanceZone)
                    return values
                })
                continue
            }
            if family == .morphology {
                // Computed here, the shape is the costliest task and starts first. Computed
                // elsewhere (on the mask's thread while the image loaded), it may still be
                // running: the task that waits for it then goes after every ranked one, so that
                // its thread takes the other tasks first instead of idling beside the shape's.
                let last = (rank.values.max() ?? 10) + 1
                tasks.append(FeatureTask(name: "morph", family: family, cost: shape == nil ? 1 : last) {
                    // A shape computed ahead is that of this ROI's mask: `early` is only passed
                    // on for an image on the mask file's grid, and its interpolated mask is the
                    // ROI's (compute checks the grid).
                    MorphologyFeatures.compute(roi, autocorrelation: false, shape: shape?.value.shape)
                })
                continue
            }
            tasks.append(FeatureTask(name: family.rawValue, family: family, cost: rank[family, default: 10]) { [self] in
                switch family {
                case .morphology: return FeatureValues()
                case .localIntensity: return LocalIntensityFeatures.compute(roi, sphereVolume: sphereVolume)
                case .statistics: return StatisticsFeatures.compute(intensities: intensities)
                case .intensityHistogram: return IntensityHistogramFeatures.compute(discretised!)
                case .intensityVolumeHistogram:
                    let ivhSettings = settings.ivhDiscretisation ?? defaultIVHDiscretisation(intensities)
                    let volume = try Discretisation.discretise(roi, settings: ivhSettings, reSegmentationRange: range)
                    return IntensityVolumeHistogramFeatures.compute(volume, range: ivhRange(range, ivhSettings, intensities: intensities))
                case .cooccurrence: return CooccurrenceFeatures.compute(discretised!, settings: texture)
                case .runLength: return RunLengthFeatures.compute(discretised!, settings: texture)
                case .sizeZone: return SizeZoneFeatures.compute(discretised!, settings: texture)
                case .distanceZone: return DistanceZoneFeatures.compute(discretised!, settings: texture)
                case .neighbourhoodGreyToneDifference:
                    return NeighbourhoodGreyToneDifferenceFeatures.compute(discretised!, settings: texture)
                case .neighbouringGreyLevelDependence: return DependenceFeatures.compute(discretised!, settings: texture)
                }
            })
        }
        let work = tasks
        let schedule = work.indices.sorted { (work[$0].cost, $0) < (work[$1].cost, $1) }
        let slots = TaskSlots(count: tasks.count)
        let wall = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: schedule.count) { k in
            let t = schedule[k]
            let start = DispatchTime.now().uptimeNanoseconds
            let result = Result { try work[t].work() }
            slots.store(t, result, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let moranGeary = autocorrelation?.value
        timings.record("features", seconds: Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9)
        var out = FeatureValues()
        if let shape { timings.recordTask("morph (shape)", seconds: shape.value.seconds) }
        if let moranGeary { timings.recordTask("morph (moran/geary)", seconds: moranGeary.seconds) }
        for (t, task) in tasks.enumerated() {
            let (result, seconds) = slots.load(t)
            timings.recordTask(task.name, seconds: seconds)
            out.append(contentsOf: try result.get())
            // Moran's I and Geary's C are the last morphological features of the catalogue.
            if task.family == .morphology, let moranGeary { out.append(contentsOf: moranGeary.values) }
        }
        return inCatalogueOrder(out)
    }

    /// The values in catalogue order, so that the columns of a table do not depend on the order
    /// in which a family happens to emit them. A catalogue tag a family did not produce is NaN.
    func inCatalogueOrder(_ values: FeatureValues) -> FeatureValues {
        // The tasks' values come in catalogue order as a rule, so a tag is first looked for
        // after the last one found; the dictionary is built only if that fails.
        var position: [String: Int]?
        var next = 0
        var out = FeatureValues()
        for e in FeatureCatalogue.entries(for: settings) {
            let tag = e.tag
            if next < values.count && values.tags[next] == tag {
                out.append(tag, values.values[next])
                next += 1
                continue
            }
            if position == nil {
                position = Dictionary(zip(values.tags, values.tags.indices), uniquingKeysWith: { _, last in last })
            }
            if let i = position?[tag] {
                out.append(tag, values.values[i])
                next = i + 1
            } else {
                out.append(tag, .nan)
            }
        }
        return out
    }

    /// IBSI 1 ("Intensity-volume histogram features"): calibrated, discrete intensities (CT) need
    /// no separate discretisation; anything else uses the texture discretisation.
    func defaultIVHDiscretisation(_ intensities: [Float]) -> DiscretisationSettings {
        if intensities.allSatisfy({ $0 == $0.rounded() }) {
            return DiscretisationSettings(method: .fixedBinSize, binWidth: 1,
                                          lowerBound: settings.reSegmentation.range?.lower.map { $0 - 0.5 }
                                              ?? intensities.min().map { Double($0) - 0.5 })
        }
        return settings.discretisation
    }

    /// The IVH's intensity range G (IBSI 1, "Intensity-volume histogram features"): the
    /// re-segmentation range for calibrated intensities (bins of a fixed size); with a fixed bin
    /// number the intensities are arbitrary units and the range is that of the grey levels
    /// (nil: the IVH takes 1...Ng). An open bound is closed with the ROI's minimum or maximum
    /// intensity; without a re-segmentation range, nil (the ROI's range).
    func ivhRange(_ range: ReSegmentationRange?, _ ivh: DiscretisationSettings, intensities: [Float]) -> ClosedRange<Double>? {
        guard ivh.method != .fixedBinNumber, let range, range.lower != nil || range.upper != nil else { return nil }
        guard let lo = range.lower ?? intensities.min().map(Double.init),
              let hi = range.upper ?? intensities.max().map(Double.init), lo <= hi else { return nil }
        return lo...hi
    }

    private func describe(_ r: ReSegmentationSettings) -> String {
        let lo = r.range?.lower.map(formatShort) ?? "-inf", hi = r.range?.upper.map(formatShort) ?? "+inf"
        return "[\(lo), \(hi)]" + (r.outlierSigma.map { ", outliers beyond \(formatShort($0)) SD" } ?? "")
    }
}

/// The work on a mask read ahead of its image that needs the mask alone: its interpolation
/// (when the settings ask for it) at once, then, on a thread of its own, the morphological shape
/// of the interpolated mask. Valid for an image whose grid is exactly `source`.
struct EarlyMaskWork: Sendable {
    let source: Grid
    let region: Interpolation.MaskRegion?
    let shape: Background<(shape: MorphologicalShape, seconds: Double)>?

    init(_ mask: Mask, extractor: Extractor) {
        source = mask.grid
        let region = extractor.settings.interpolation.map { extractor.maskRegion(mask, $0) }
        self.region = region
        let morphological = region?.mask ?? mask
        shape = extractor.settings.enabledFamilies.contains(.morphology) ? Background {
            let start = DispatchTime.now().uptimeNanoseconds
            let shape = MorphologicalShape(morphological)
            return (shape, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        } : nil
    }
}

/// A value computed on another thread, read (waiting for it) with `value`.
final class Background<T: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    private var result: T?

    init(_ work: @escaping @Sendable () -> T) {
        group.enter()
        DispatchQueue.global().async {
            self.result = work()
            self.group.leave()
        }
    }

    var value: T {
        group.wait()
        return result!
    }

    /// The result, handed over: the background keeps no reference to it, and `value` may not
    /// be asked for afterwards.
    func take() -> T {
        group.wait()
        defer { result = nil }
        return result!
    }
}

extension FeatureValues {
    /// Appends diagnostic (tag, value) pairs.
    mutating func append(_ pairs: [(tag: String, value: Double)]) {
        for p in pairs { append(p.tag, p.value) }
    }
}

extension Diagnostics {
    /// Every diagnostic tag the pipeline writes, in output order (for table headers written
    /// before any case has run).
    public static let allTags: [String] = {
        let grid = Grid(size: SIMD3(1, 1, 1), spacing: SIMD3(1, 1, 1))
        let image = Image(grid: grid, repeating: 0)
        let mask = Mask(grid: grid, repeating: true)
        return [Stage.initial, .interpolated, .reSegmented].flatMap {
            values(stage: $0, image: image, intensityMask: mask, morphologicalMask: mask).map(\.tag)
        }
    }()
}
