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
        var n = 0
        for v in voxels where v { n += 1 }
        return n
    }

    /// Smallest box (inclusive voxel coordinates) that holds every mask voxel, or nil when empty.
    public var boundingBox: BoundingBox? {
        var lo = SIMD3<Int>(repeating: Int.max), hi = SIMD3<Int>(repeating: Int.min)
        let s = grid.size
        var i = 0
        for z in 0..<s.z {
            for y in 0..<s.y {
                for x in 0..<s.x {
                    if voxels[i] {
                        lo = pointwiseMin(lo, SIMD3(x, y, z))
                        hi = pointwiseMax(hi, SIMD3(x, y, z))
                    }
                    i += 1
                }
            }
        }
        return lo.x == Int.max ? nil : BoundingBox(lower: lo, upper: hi)
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
        var out: [Element] = []
        out.reserveCapacity(n.x * n.y * n.z)
        for z in box.lower.z...box.upper.z {
            for y in box.lower.y...box.upper.y {
                let start = grid.index(box.lower.x, y, z)
                out.append(contentsOf: voxels[start..<(start + n.x)])
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
