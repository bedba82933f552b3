/// An image with the two masks IBSI distinguishes (IBSI 1, section "Segmentation"):
/// the morphological mask keeps the shape as delineated (after interpolation), the intensity mask
/// is that shape minus voxels removed by re-segmentation. Morphology reads the first, every
/// intensity-based family the second.
public struct RegionOfInterest: Sendable {
    public var image: Image
    public var morphologicalMask: Mask
    public var intensityMask: Mask

    public init(image: Image, morphologicalMask: Mask, intensityMask: Mask) {
        precondition(image.grid.size == morphologicalMask.grid.size && image.grid.size == intensityMask.grid.size)
        self.image = image
        self.morphologicalMask = morphologicalMask
        self.intensityMask = intensityMask
    }

    public init(image: Image, mask: Mask) {
        self.init(image: image, morphologicalMask: mask, intensityMask: mask)
    }

    public var grid: Grid { image.grid }

    /// Calls `body` with the voxel index (x, y, z) and intensity of every voxel of the intensity
    /// mask, in storage order; only the rows of the mask's bounding box are visited.
    @inlinable
    public func forEachIntensityVoxel(_ body: (SIMD3<Int>, Float) -> Void) {
        guard let box = intensityMask.boundingBox else { return }
        forEachIntensityVoxel(in: box, body)
    }

    /// The same within `box`, which must hold every voxel of the intensity mask (its bounding box
    /// when the caller has it already, e.g. from `countAndBoundingBox`).
    @inlinable
    public func forEachIntensityVoxel(in box: BoundingBox, _ body: (SIMD3<Int>, Float) -> Void) {
        let size = grid.size
        intensityMask.voxels.withUnsafeBufferPointer { t in
            image.voxels.withUnsafeBufferPointer { g in
                for z in box.lower.z...box.upper.z {
                    for y in box.lower.y...box.upper.y {
                        var i = box.lower.x + size.x * (y + size.y * z)
                        for x in box.lower.x...box.upper.x {
                            if t[i] { body(SIMD3(x, y, z), g[i]) }
                            i += 1
                        }
                    }
                }
            }
        }
    }

    /// Intensities of the voxels in the intensity mask, in storage order.
    public var intensities: [Float] {
        let (count, box) = intensityMask.countAndBoundingBox()
        guard let box else { return [] }
        let size = grid.size
        return image.voxels.withUnsafeBufferPointer { v in
            intensityMask.voxels.withUnsafeBufferPointer { m in
                [Float](unsafeUninitializedCapacity: count) { out, initialized in
                    var o = 0
                    // Only the rows of the mask's bounding box hold mask voxels.
                    for z in box.lower.z...box.upper.z {
                        for y in box.lower.y...box.upper.y {
                            let row = size.x * (y + size.y * z)
                            for i in (row + box.lower.x)...(row + box.upper.x) where m[i] {
                                out[o] = v[i]
                                o += 1
                            }
                        }
                    }
                    initialized = o
                }
            }
        }
    }
}

/// Grey levels after discretisation (IBSI 1, section "Intensity discretisation"), cropped to the
/// bounding box of the morphological mask. Level 0 marks a voxel outside the intensity mask;
/// levels of ROI voxels run from 1 to `levelCount`. Texture matrices, the intensity histogram and
/// the intensity-volume histogram are computed from such a volume.
public struct DiscretisedVolume: Sendable {
    /// Grid of the cropped block (origin moved to the crop corner).
    public var grid: Grid
    /// Grey level per voxel, 0 outside the intensity mask.
    public var levels: [UInt16]
    /// Number of grey levels Ng: the levels of the discretisation, whether or not the ROI holds
    /// each one (fixed bin number: the bin number; fixed bin size: the highest occupied bin;
    /// no discretisation: the highest grey level).
    public var levelCount: Int
    /// Morphological mask on the same cropped grid (GLDZM's distance map reads it).
    public var morphologicalMask: [Bool]
    /// Intensity at the lower edge of bin 1 and the bin width, when the bins are of fixed size,
    /// so that a grey level can be mapped back to an intensity (IVH). Nil otherwise.
    public var binOrigin: Double?
    public var binWidth: Double?

    public init(grid: Grid, levels: [UInt16], levelCount: Int, morphologicalMask: [Bool],
                binOrigin: Double? = nil, binWidth: Double? = nil) {
        precondition(levels.count == grid.voxelCount && morphologicalMask.count == grid.voxelCount)
        // Every matrix builder sizes its matrices by levelCount, so the bound is checked once here.
        precondition(Int(levels.max() ?? 0) <= levelCount, "grey level above levelCount in the discretised volume")
        self.grid = grid
        self.levels = levels
        self.levelCount = levelCount
        self.morphologicalMask = morphologicalMask
        self.binOrigin = binOrigin
        self.binWidth = binWidth
    }

    /// Number of voxels in the intensity mask.
    public var roiVoxelCount: Int {
        var n = 0
        for l in levels where l != 0 { n += 1 }
        return n
    }
}
