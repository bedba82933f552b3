import Foundation

/// A 3D array of voxel values on a `Grid`, x fastest.
public struct Volume<Element>: Sendable where Element: Sendable {
    public var grid: Grid
    public var voxels: [Element]

    public init(grid: Grid, voxels: [Element]) {
        precondition(voxels.count == grid.voxelCount, "voxel count does not match the grid")
        self.grid = grid
        self.voxels = voxels
    }

    public init(grid: Grid, repeating value: Element) {
        self.grid = grid
        self.voxels = Array(repeating: value, count: grid.voxelCount)
    }

    @inline(__always)
    public subscript(x: Int, y: Int, z: Int) -> Element {
        get { voxels[grid.index(x, y, z)] }
        set { voxels[grid.index(x, y, z)] = newValue }
    }
}

/// Intensity image. IBSI asks for at least 32-bit floating point once loaded; integer modalities
/// (CT) hold whole numbers after rescaling.
public typealias Image = Volume<Float>

/// A binary region-of-interest mask on the image grid.
public typealias Mask = Volume<Bool>

extension Volume where Element == Bool {
    /// Number of voxels in the mask.
    public var count: Int {
        voxels.withUnsafeBufferPointer { v in
            v.withMemoryRebound(to: UInt8.self) { MaskRows.count(UnsafeRawPointer($0.baseAddress!), $0.count) }
        }
    }

    /// Smallest box (inclusive voxel coordinates) that holds every mask voxel, or nil when empty.
    public var boundingBox: BoundingBox? { countAndBoundingBox(counting: false).box }

    /// Voxel count and bounding box in one pass over the rows (the box nil when empty). Without
    /// `counting` the count is only 0 (empty) or 1 (not empty), and rows are merely tested.
    public func countAndBoundingBox(counting: Bool = true) -> (count: Int, box: BoundingBox?) {
        let n = grid.size
        guard n.x > 0, n.y > 0, n.z > 0 else { return (0, nil) }
        var count = 0
        var lo = SIMD3<Int>(repeating: Int.max), hi = SIMD3<Int>(repeating: -1)
        voxels.withUnsafeBufferPointer { v in
            v.withMemoryRebound(to: UInt8.self) { bytes in
                let base = UnsafeRawPointer(bytes.baseAddress!)
                for z in 0..<n.z {
                    for y in 0..<n.y {
                        let row = base + (y + n.y * z) * n.x
                        let inRow = counting ? MaskRows.count(row, n.x) : (MaskRows.any(row, n.x) ? 1 : 0)
                        guard inRow > 0 else { continue }
                        count += inRow
                        let first = MaskRows.first(row, n.x), last = MaskRows.last(row, n.x)
                        lo = pointwiseMin(lo, SIMD3(first, y, z))
                        hi = pointwiseMax(hi, SIMD3(last, y, z))
                    }
                }
            }
        }
        return (count, count > 0 ? BoundingBox(lower: lo, upper: hi) : nil)
    }
}

/// Scans of mask rows held as bytes (a Bool is stored as 0 or 1), 8 voxels at a time.
public enum MaskRows {
    @inline(__always)
    static func word(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Number of set bytes among `n` 0/1 bytes.
    public static func count(_ p: UnsafeRawPointer, _ n: Int) -> Int {
        var total = 0, i = 0
        // The bytes of a word of 0/1 bytes add up in its top byte when multiplied by 0x0101...01.
        while i + 8 <= n {
            total &+= Int(truncatingIfNeeded: (word(p, i) &* 0x0101_0101_0101_0101) >> 56)
            i += 8
        }
        while i < n {
            total &+= Int(p.load(fromByteOffset: i, as: UInt8.self))
            i += 1
        }
        return total
    }

    /// Whether any of `n` bytes is set.
    public static func any(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        var acc: UInt64 = 0, i = 0
        while i + 8 <= n { acc |= word(p, i); i += 8 }
        while i < n { acc |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)); i += 1 }
        return acc != 0
    }

    /// Index of the first set byte (n when none).
    public static func first(_ p: UnsafeRawPointer, _ n: Int) -> Int {
        var i = 0
        while i + 8 <= n {
            let w = word(p, i)
            if w != 0 { return i + w.trailingZeroBitCount / 8 }
            i += 8
        }
        while i < n {
            if p.load(fromByteOffset: i, as: UInt8.self) != 0 { return i }
            i += 1
        }
        return n
    }

    /// Index of the last set byte (-1 when none).
    public static func last(_ p: UnsafeRawPointer, _ n: Int) -> Int {
        var i = n
        while i >= 8 {
            let w = word(p, i - 8)
            if w != 0 { return i - 1 - w.leadingZeroBitCount / 8 }
            i -= 8
        }
        while i > 0 {
            i -= 1
            if p.load(fromByteOffset: i, as: UInt8.self) != 0 { return i }
        }
        return -1
    }
}

/// An inclusive box of voxel coordinates.
public struct BoundingBox: Equatable, Sendable {
    public var lower: SIMD3<Int>
    public var upper: SIMD3<Int>
    public init(lower: SIMD3<Int>, upper: SIMD3<Int>) { self.lower = lower; self.upper = upper }
    public var size: SIMD3<Int> { upper &- lower &+ 1 }

    /// The box grown by `margin` voxels on every side, clipped to `grid`.
    public func padded(by margin: Int, within grid: Grid) -> BoundingBox {
        BoundingBox(
            lower: pointwiseMax(lower &- margin, .zero),
            upper: pointwiseMin(upper &+ margin, grid.size &- 1))
    }
}

extension Volume {
    /// The sub-volume inside `box`, with its grid origin moved so that world positions are kept.
    public func cropped(to box: BoundingBox) -> Volume<Element> {
        let n = box.size
        let size = grid.size
        precondition(box.lower.x >= 0 && box.lower.y >= 0 && box.lower.z >= 0 &&
                     box.upper.x < size.x && box.upper.y < size.y && box.upper.z < size.z && n.min() > 0,
                     "crop box outside the grid")
        let out = voxels.withUnsafeBufferPointer { src in
            [Element](unsafeUninitializedCapacity: n.x * n.y * n.z) { dst, initialized in
                HugePages.advise(dst)
                var o = 0
                for z in box.lower.z...box.upper.z {
                    for y in box.lower.y...box.upper.y {
                        let start = box.lower.x + size.x * (y + size.y * z)
                        (dst.baseAddress! + o).initialize(from: src.baseAddress! + start, count: n.x)
                        o += n.x
                    }
                }
                initialized = o
            }
        }
        var g = grid
        g.size = n
        g.origin = grid.world(SIMD3(Double(box.lower.x), Double(box.lower.y), Double(box.lower.z)))
        return Volume(grid: g, voxels: out)
    }

    /// Applies `transform` to every voxel, keeping the grid.
    public func map<T>(_ transform: (Element) throws -> T) rethrows -> Volume<T> {
        Volume<T>(grid: grid, voxels: try voxels.map(transform))
    }
}
