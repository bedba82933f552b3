// The voxel grid shared by an image and its masks.
//
// World coordinates are patient LPS (the DICOM convention), in millimetres: +x towards the
// patient's left, +y towards posterior, +z towards the head. NIfTI files (RAS) are converted on
// load by negating x and y. Voxels are stored with x fastest, then y, then z, so a z index is an
// axial slice when the image is axial; 2D features work slice by slice along z.

/// Dimensions, spacing and placement of a regular 3D voxel grid.
public struct Grid: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Number of voxels along x, y and z.
    public var size: SIMD3<Int>
    /// Distance between voxel centres along each axis, in mm (always positive).
    public var spacing: SIMD3<Double>
    /// World (LPS, mm) position of the centre of voxel (0, 0, 0).
    public var origin: SIMD3<Double>
    /// Unit vectors (LPS) of the grid's x, y and z axes: `direction.0` is the direction in which
    /// the x index grows, and so on.
    public var direction: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>)

    public init(
        size: SIMD3<Int>,
        spacing: SIMD3<Double>,
        origin: SIMD3<Double> = .zero,
        direction: (SIMD3<Double>, SIMD3<Double>, SIMD3<Double>) = (SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))
    ) {
        self.size = size
        self.spacing = spacing
        self.origin = origin
        self.direction = direction
    }

    public var voxelCount: Int { size.x * size.y * size.z }
    /// Volume of one voxel in mm^3.
    public var voxelVolume: Double { spacing.x * spacing.y * spacing.z }

    @inline(__always)
    public func index(_ x: Int, _ y: Int, _ z: Int) -> Int { x + size.x * (y + size.y * z) }

    @inline(__always)
    public func contains(_ x: Int, _ y: Int, _ z: Int) -> Bool {
        x >= 0 && y >= 0 && z >= 0 && x < size.x && y < size.y && z < size.z
    }

    /// Voxel coordinates (x, y, z) of a flat index.
    @inline(__always)
    public func coordinates(of index: Int) -> SIMD3<Int> {
        let x = index % size.x
        let yz = index / size.x
        return SIMD3(x, yz % size.y, yz / size.y)
    }

    /// World position (LPS, mm) of a continuous voxel coordinate.
    public func world(_ p: SIMD3<Double>) -> SIMD3<Double> {
        origin + direction.0 * (p.x * spacing.x) + direction.1 * (p.y * spacing.y) + direction.2 * (p.z * spacing.z)
    }

    /// Continuous voxel coordinate of a world position (inverse of `world`; the direction
    /// cosines are orthonormal so the inverse is the transpose).
    public func voxel(_ w: SIMD3<Double>) -> SIMD3<Double> {
        let d = w - origin
        return SIMD3(
            (d * direction.0).sum() / spacing.x,
            (d * direction.1).sum() / spacing.y,
            (d * direction.2).sum() / spacing.z)
    }

    /// True when both grids place the same voxels at the same world positions, within
    /// `tolerance` mm (origin) and a relative `tolerance` (spacing, direction).
    public func matches(_ other: Grid, tolerance: Double = 1e-3) -> Bool {
        guard size == other.size else { return false }
        func close(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ t: Double) -> Bool {
            let d = a - b
            return abs(d.x) <= t && abs(d.y) <= t && abs(d.z) <= t
        }
        let relSpacing = tolerance * max(spacing.max(), 1)
        return close(spacing, other.spacing, relSpacing)
            && close(origin, other.origin, max(tolerance, relSpacing))
            && close(direction.0, other.direction.0, tolerance)
            && close(direction.1, other.direction.1, tolerance)
            && close(direction.2, other.direction.2, tolerance)
    }

    public static func == (a: Grid, b: Grid) -> Bool {
        a.size == b.size && a.spacing == b.spacing && a.origin == b.origin
            && a.direction.0 == b.direction.0 && a.direction.1 == b.direction.1 && a.direction.2 == b.direction.2
    }

    public func hash(into h: inout Hasher) {
        h.combine(size); h.combine(spacing); h.combine(origin)
        h.combine(direction.0); h.combine(direction.1); h.combine(direction.2)
    }

    public var description: String {
        func f(_ v: SIMD3<Double>) -> String {
            "(\(formatShort(v.x)), \(formatShort(v.y)), \(formatShort(v.z)))"
        }
        return "\(size.x)x\(size.y)x\(size.z) voxels of \(formatShort(spacing.x))x\(formatShort(spacing.y))x\(formatShort(spacing.z)) mm at origin \(f(origin))"
    }
}

/// Short human-readable number for messages (not for feature output): a whole number as an
/// integer, anything else as `%.4f` prints it, less its trailing zeros.
///
/// The digits are found here rather than by `String(format:)`: Foundation's formatter costs
/// about 160,000 instructions a call (a dynamic cast of each variadic argument, which scans the
/// binary's conformance records, and CoreFoundation's format parser), and a case report calls
/// this a few times. The rounding is the formatter's: to nearest on the exact binary value,
/// ties to even.
public func formatShort(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 9e18 { return String(Int(v)) }
    let magnitude = abs(v)
    guard magnitude < 1e14 else { return String(format: "%.4f", v) }
    // magnitude = whole + fraction exactly; fraction * 10^4 = p + error exactly (the error of a
    // product is a double, which the fused multiply-add gives); then p = k + d with k whole.
    let whole = magnitude.rounded(.towardZero), fraction = magnitude - whole
    let p = fraction * 10_000, error = (-p).addingProduct(fraction, 10_000)
    var k = p.rounded(.down)
    // The sign of (d - 1/2) + error decides the rounding; d - 1/2 is exact where it matters
    // (d near 1/2), and a rounded sum keeps the sign of the exact one.
    let beyondHalf = ((p - k) - 0.5) + error
    if beyondHalf > 0 || (beyondHalf == 0 && k.truncatingRemainder(dividingBy: 2) == 1) { k += 1 }
    let units = Int(whole) * 10_000 + Int(k)
    var digits = String(units % 10_000)
    digits = String(repeating: "0", count: 4 - digits.count) + digits
    while digits.hasSuffix("0") { digits.removeLast() }
    let sign = v < 0 ? "-" : ""
    return digits.isEmpty ? "\(sign)\(units / 10_000)" : "\(sign)\(units / 10_000).\(digits)"
}
