// Neighbour directions of the texture families (IBSI 1, "Texture matrix aggregation").
//
// In 3D a voxel has 26 neighbours at Chebyshev distance 1; opposite neighbours give the same
// (symmetric) GLCM and the same runs, so 13 unique directions are used. In 2D (within a slice,
// z fixed) there are 8 neighbours and 4 unique directions.

/// A unit step between neighbouring voxels, in voxel coordinates.
public struct TextureDirection: Sendable, Hashable {
    public let dx: Int, dy: Int, dz: Int
    public init(_ dx: Int, _ dy: Int, _ dz: Int) { self.dx = dx; self.dy = dy; self.dz = dz }

    /// True for directions that stay within one axial slice.
    public var isInPlane: Bool { dz == 0 }

    /// Offset of the neighbour at `distance` steps in a flat array of the given dimensions
    /// (x fastest).
    @inline(__always)
    public func flatOffset(size: SIMD3<Int>, distance: Int = 1) -> Int {
        distance * (dx + size.x * (dy + size.y * dz))
    }
}

public enum TextureDirections {
    /// The 4 unique in-plane directions: 0, 45, 90 and 135 degrees.
    public static let inPlane: [TextureDirection] = [
        TextureDirection(1, 0, 0), TextureDirection(1, 1, 0), TextureDirection(0, 1, 0), TextureDirection(-1, 1, 0),
    ]

    /// The 13 unique 3D directions: the 4 in-plane ones and 9 that cross slices.
    public static let volumetric: [TextureDirection] = inPlane + [
        TextureDirection(0, 0, 1),
        TextureDirection(1, 0, 1), TextureDirection(-1, 0, 1),
        TextureDirection(0, 1, 1), TextureDirection(0, -1, 1),
        TextureDirection(1, 1, 1), TextureDirection(-1, 1, 1), TextureDirection(1, -1, 1), TextureDirection(-1, -1, 1),
    ]
}
