// Exact 3D convex hull of integer lattice points (the mesh vertices in half-voxel units).
//
// Mesh vertices lie on a lattice, so many are coplanar or collinear; floating-point hull
// algorithms stumble on such input. Here every orientation test is an exact Int64 determinant
// (coordinates stay far below 2^20, so the products cannot overflow) and the hull is built by
// incremental insertion of the farthest outside point (quickhull). Points on a face's plane are
// never "outside", so coplanar points are dropped and the hull keeps only what it needs; its
// volume and area are exact either way.

/// Convex hull of a lattice point set, with positions scaled to mm by `latticeSpacing`.
struct ConvexHull3D: Sendable {
    /// Hull vertices (lattice units) referenced by `triangles`.
    var points: [SIMD3<Int32>]
    /// Outward (counter-clockwise seen from outside) triangles over `points`.
    var triangles: [SIMD3<Int32>]
    var latticeSpacing: SIMD3<Double>

    /// Vertex positions in mm.
    var vertices: [SIMD3<Double>] {
        points.map { SIMD3<Double>(Double($0.x), Double($0.y), Double($0.z)) * latticeSpacing }
    }

    /// Volume in mm^3 (exact in lattice units, then scaled).
    var volume: Double {
        var sum: Int64 = 0
        for t in triangles {
            let a = wide(points[Int(t.x)]), b = wide(points[Int(t.y)]), c = wide(points[Int(t.z)])
            sum += determinant(a, b, c)
        }
        let s = latticeSpacing
        return Double(sum) / 6 * s.x * s.y * s.z
    }

    /// Surface area in mm^2.
    var area: Double {
        let v = vertices
        var sum = 0.0
        for t in triangles {
            let a = v[Int(t.x)], b = v[Int(t.y)], c = v[Int(t.z)]
            sum += length(cross(b - a, c - a))
        }
        return sum / 2
    }

    /// Hull of `input` (duplicates allowed). When the points do not span 3D (fewer than four
    /// points, or all coplanar), `triangles` is empty and `points` holds the extreme candidates.
    init(_ input: [SIMD3<Int32>], latticeSpacing: SIMD3<Double>) {
        self.latticeSpacing = latticeSpacing
        let candidates = ConvexHull3D.axisExtremes(input)
        if let (pts, tris) = ConvexHull3D.quickhull(candidates) {
            // Keep the referenced points only, renumbered.
            var map = [Int32](repeating: -1, count: pts.count)
            var kept: [SIMD3<Int32>] = []
            var out: [SIMD3<Int32>] = []
            out.reserveCapacity(tris.count)
            for t in tris {
                var r = SIMD3<Int32>(repeating: 0)
                for s in 0..<3 {
                    let i = Int(t[s])
                    if map[i] < 0 { map[i] = Int32(kept.count); kept.append(pts[i]) }
                    r[s] = map[i]
                }
                out.append(r)
            }
            points = kept
            triangles = out
        } else {
            points = candidates
            triangles = []
        }
    }

    /// Drops every point that lies strictly between two others on a line parallel to an axis:
    /// such a point is not a vertex of the hull, so the hull of the rest is the same. On a mesh
    /// this keeps little more than the outer shell seen along each axis.
    static func axisExtremes(_ input: [SIMD3<Int32>]) -> [SIMD3<Int32>] {
        guard !input.isEmpty else { return [] }
        var lo = input[0], hi = input[0]
        for p in input { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let n = SIMD3<Int>(Int(hi.x - lo.x) + 1, Int(hi.y - lo.y) + 1, Int(hi.z - lo.z) + 1)
        // For each axis, min and max of that coordinate over each line (indexed by the other two).
        var keep = [Bool](repeating: true, count: input.count)
        for axis in 0..<3 {
            let u = (axis + 1) % 3, v = (axis + 2) % 3
            let count = n[u] * n[v]
            var minimum = [Int32](repeating: .max, count: count)
            var maximum = [Int32](repeating: .min, count: count)
            for p in input {
                let line = Int(p[u] - lo[u]) + n[u] * Int(p[v] - lo[v])
                minimum[line] = min(minimum[line], p[axis])
                maximum[line] = max(maximum[line], p[axis])
            }
            for (i, p) in input.enumerated() where keep[i] {
                let line = Int(p[u] - lo[u]) + n[u] * Int(p[v] - lo[v])
                if p[axis] != minimum[line] && p[axis] != maximum[line] { keep[i] = false }
            }
        }
        // Remove duplicates too (two equal points are both line extremes). The coordinates,
        // relative to `lo`, fit in 21 bits each: one key per point, plus one so that no key is 0.
        var out: [SIMD3<Int32>] = []
        var seen = IntegerKeyMap(expected: input.count)
        for (i, p) in input.enumerated() where keep[i] {
            let r = p &- lo
            let key = (UInt64(UInt32(r.x)) | UInt64(UInt32(r.y)) << 21 | UInt64(UInt32(r.z)) << 42) &+ 1
            if seen[key] == nil {
                seen[key] = 0
                out.append(p)
            }
        }
        return out
    }

    /// Quickhull on distinct points. Returns nil when the points do not span 3D.
    static func quickhull(_ pts: [SIMD3<Int32>]) -> ([SIMD3<Int32>], [SIMD3<Int32>])? {
        guard pts.count >= 4 else { return nil }
        let p = pts.map(wide)

        // Initial tetrahedron: extreme x pair, then farthest from their line, then from the plane.
        var i0 = 0, i1 = 0
        for i in 1..<p.count {
            if lexicographicallyLess(p[i], p[i0]) { i0 = i }
            if lexicographicallyLess(p[i1], p[i]) { i1 = i }
        }
        var i2 = -1, best: Int64 = 0
        for i in 0..<p.count {
            let c = crossI(p[i1] &- p[i0], p[i] &- p[i0])
            let d = dotI(c, c)
            if d > best { best = d; i2 = i }
        }
        guard i2 >= 0 else { return nil }
        var i3 = -1
        best = 0
        for i in 0..<p.count {
            let d = abs(orient(p[i0], p[i1], p[i2], p[i]))
            if d > best { best = d; i3 = i }
        }
        guard i3 >= 0 else { return nil }
        if orient(p[i0], p[i1], p[i2], p[i3]) > 0 { swap(&i1, &i2) }

        var hull = HullBuilder(points: p)
        let a = Int32(i0), b = Int32(i1), c = Int32(i2), d = Int32(i3)
        let first = [hull.addFace(a, b, c), hull.addFace(a, d, b), hull.addFace(b, d, c), hull.addFace(c, d, a)]
        // Assign every other point to the first face it is strictly outside of.
        for i in 0..<p.count where i != i0 && i != i1 && i != i2 && i != i3 {
            for f in first where hull.height(f, Int32(i)) > 0 {
                hull.outside[f].append(Int32(i))
                break
            }
        }
        hull.run(pending: first)
        var tris: [SIMD3<Int32>] = []
        for f in 0..<hull.faces.count where hull.alive[f] { tris.append(hull.faces[f]) }
        return (pts, tris)
    }
}

@inline(__always) func wide(_ p: SIMD3<Int32>) -> SIMD3<Int64> { SIMD3(Int64(p.x), Int64(p.y), Int64(p.z)) }
@inline(__always) func dotI(_ a: SIMD3<Int64>, _ b: SIMD3<Int64>) -> Int64 { a.x * b.x + a.y * b.y + a.z * b.z }
@inline(__always) func crossI(_ a: SIMD3<Int64>, _ b: SIMD3<Int64>) -> SIMD3<Int64> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
/// a . (b x c)
@inline(__always) func determinant(_ a: SIMD3<Int64>, _ b: SIMD3<Int64>, _ c: SIMD3<Int64>) -> Int64 { dotI(a, crossI(b, c)) }
/// Six times the signed volume of (a, b, c, p): positive when p is on the side the normal
/// (b - a) x (c - a) points to.
@inline(__always) func orient(_ a: SIMD3<Int64>, _ b: SIMD3<Int64>, _ c: SIMD3<Int64>, _ p: SIMD3<Int64>) -> Int64 {
    dotI(crossI(b &- a, c &- a), p &- a)
}
@inline(__always) func lexicographicallyLess(_ a: SIMD3<Int64>, _ b: SIMD3<Int64>) -> Bool {
    a.x != b.x ? a.x < b.x : (a.y != b.y ? a.y < b.y : a.z < b.z)
}

/// Mutable state of quickhull: triangles with their plane, outside sets and edge adjacency.
private struct HullBuilder {
    let points: [SIMD3<Int64>]
    var faces: [SIMD3<Int32>] = []
    var normals: [SIMD3<Int64>] = []
    var offsets: [Int64] = []
    var alive: [Bool] = []
    var outside: [[Int32]] = []
    /// Directed edge (a -> b, as a triangle traverses it) to the triangle that owns it.
    var owner: IntegerKeyMap
    var mark: [Int] = []
    var stamp = 0

    init(points: [SIMD3<Int64>]) {
        self.points = points
        owner = IntegerKeyMap(expected: 6 * points.count)
    }

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }

    @inline(__always) func height(_ f: Int, _ i: Int32) -> Int64 { dotI(normals[f], points[Int(i)]) - offsets[f] }

    mutating func addFace(_ a: Int32, _ b: Int32, _ c: Int32) -> Int {
        let pa = points[Int(a)]
        let n = crossI(points[Int(b)] &- pa, points[Int(c)] &- pa)
        let f = faces.count
        faces.append(SIMD3(a, b, c))
        normals.append(n)
        offsets.append(dotI(n, pa))
        alive.append(true)
        outside.append([])
        mark.append(0)
        owner[HullBuilder.key(a, b)] = Int32(f)
        owner[HullBuilder.key(b, c)] = Int32(f)
        owner[HullBuilder.key(c, a)] = Int32(f)
        return f
    }

    mutating func removeFace(_ f: Int) {
        alive[f] = false
        let t = faces[f]
        for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] where owner[HullBuilder.key(a, b)] == Int32(f) {
            owner[HullBuilder.key(a, b)] = nil
        }
    }

    mutating func run(pending initial: [Int]) {
        var stack = initial
        var visible: [Int] = []
        var horizon: [(Int32, Int32)] = []
        var pool: [Int32] = []
        while let f = stack.popLast() {
            guard alive[f], !outside[f].isEmpty else { continue }
            // The farthest outside point of this face.
            var apex = outside[f][0]
            var far = height(f, apex)
            for i in outside[f] {
                let h = height(f, i)
                if h > far { far = h; apex = i }
            }
            // Faces that see the apex: a connected region found by walking across edges.
            stamp += 1
            visible.removeAll(keepingCapacity: true)
            horizon.removeAll(keepingCapacity: true)
            visible.append(f)
            mark[f] = stamp
            var q = 0
            while q < visible.count {
                let g = visible[q]
                q += 1
                let t = faces[g]
                for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] {
                    guard let nb = owner[HullBuilder.key(b, a)].map(Int.init) else { continue }
                    if mark[nb] == stamp { continue }
                    if mark[nb] == -stamp { horizon.append((a, b)); continue }
                    if height(nb, apex) > 0 {
                        mark[nb] = stamp
                        visible.append(nb)
                    } else {
                        mark[nb] = -stamp
                        horizon.append((a, b))
                    }
                }
            }
            pool.removeAll(keepingCapacity: true)
            for g in visible {
                for i in outside[g] where i != apex { pool.append(i) }
                outside[g] = []
                removeFace(g)
            }
            let firstNew = faces.count
            for (a, b) in horizon { _ = addFace(a, b, apex) }
            for i in pool {
                for g in firstNew..<faces.count where height(g, i) > 0 {
                    outside[g].append(i)
                    break
                }
            }
            for g in firstNew..<faces.count where !outside[g].isEmpty { stack.append(g) }
        }
    }
}

/// A map from non-zero 64-bit keys to Int32, for the hull's edges and points: open addressing
/// with linear probing and tombstones. The standard Dictionary hashes every key with SipHash,
/// which made its lookups most of the hull's cost; these keys are plain integers.
struct IntegerKeyMap {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    /// Slots holding a key or a tombstone.
    private var used = 0
    private static let tombstone = UInt64.max

    init(expected: Int) {
        var capacity = 16
        while capacity < 2 * expected { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
    }

    @inline(__always) private func start(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    @inline(__always) private func slot(of key: UInt64) -> Int? {
        var i = start(key)
        while true {
            let k = keys[i]
            if k == key { return i }
            if k == 0 { return nil }
            i = (i &+ 1) & mask
        }
    }

    subscript(key: UInt64) -> Int32? {
        get { slot(of: key).map { values[$0] } }
        set {
            if let i = slot(of: key) {
                if let newValue { values[i] = newValue } else { keys[i] = IntegerKeyMap.tombstone }
                return
            }
            guard let newValue else { return }
            if 2 * (used + 1) > keys.count { rehash() }
            var i = start(key)
            while keys[i] != 0 && keys[i] != IntegerKeyMap.tombstone { i = (i &+ 1) & mask }
            if keys[i] == 0 { used += 1 }
            keys[i] = key
            values[i] = newValue
        }
    }

    /// Drops the tombstones, doubling the capacity when live keys fill a quarter of it.
    private mutating func rehash() {
        let live = zip(keys, values).filter { $0.0 != 0 && $0.0 != IntegerKeyMap.tombstone }
        var capacity = keys.count
        if 4 * live.count > capacity { capacity <<= 1 }
        keys = [UInt64](repeating: 0, count: capacity)
        values = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        used = live.count
        for (key, value) in live {
            var i = start(key)
            while keys[i] != 0 { i = (i &+ 1) & mask }
            keys[i] = key
            values[i] = value
        }
    }
}
