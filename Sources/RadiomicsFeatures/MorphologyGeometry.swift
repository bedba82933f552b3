import Foundation

// Geometry helpers of the morphology family: eigen-decomposition of 3x3 symmetric matrices,
// the ellipsoid surface area series, the minimum volume enclosing ellipsoid, the oriented
// minimum bounding box and the maximum diameter of a point set.

/// A symmetric 3x3 matrix, row-major.
struct SymmetricMatrix3 {
    var m: [[Double]]

    init(_ m: [[Double]]) { self.m = m }

    /// Eigenvalues (descending) and unit eigenvectors (columns matching the eigenvalues), by
    /// cyclic Jacobi rotations.
    func eigen() -> (values: [Double], vectors: [SIMD3<Double>]) {
        var a = m
        var v: [[Double]] = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        for _ in 0..<64 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            let scale = a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2]
            if off <= 1e-30 * max(scale, 1e-300) || off == 0 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                // A <- J^T A J with the rotation J in the (p, q) plane.
                for k in 0..<3 {
                    let akp = a[k][p], akq = a[k][q]
                    a[k][p] = c * akp - s * akq
                    a[k][q] = s * akp + c * akq
                }
                for k in 0..<3 {
                    let apk = a[p][k], aqk = a[q][k]
                    a[p][k] = c * apk - s * aqk
                    a[q][k] = s * apk + c * aqk
                }
                for k in 0..<3 {
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = c * vkp - s * vkq
                    v[k][q] = s * vkp + c * vkq
                }
            }
        }
        let order = [0, 1, 2].sorted { a[$0][$0] > a[$1][$1] }
        return (order.map { a[$0][$0] }, order.map { SIMD3(v[0][$0], v[1][$0], v[2][$0]) })
    }
}

enum Ellipsoid {
    /// Surface area of an ellipsoid with semi-axes a >= b >= c (IBSI RDD2): 4 pi a b times the
    /// Legendre series in the eccentricities alpha = sqrt(1 - b^2/a^2), beta = sqrt(1 - c^2/a^2),
    /// summed for nu = 0...20. The terms (alpha beta)^nu P_nu((alpha^2 + beta^2) / (2 alpha beta))
    /// follow from Bonnet's recurrence multiplied through by (alpha beta)^(nu + 1), which needs no
    /// division by alpha beta (a spheroid or sphere has alpha beta = 0). These are the manual's
    /// eccentricities and the IBSI reference values follow them; they are exact for a sphere but
    /// not for an elongated ellipsoid (2 : 1.5 : 1.5 gives 31.6 for a true area of 34.7).
    static func area(_ a: Double, _ b: Double, _ c: Double) -> Double {
        guard a > 0 else { return 0 }
        let alpha2 = max(0, 1 - (b * b) / (a * a)), beta2 = max(0, 1 - (c * c) / (a * a))
        let s = (alpha2 + beta2) / 2, t = alpha2 * beta2
        var previous = 1.0, current = s
        var sum = 1.0 + current / (1 - 4)
        for nu in 1..<20 {
            let n = Double(nu)
            let following = ((2 * n + 1) * s * current - n * t * previous) / (n + 1)
            previous = current
            current = following
            let degree = n + 1
            sum += current / (1 - 4 * degree * degree)
        }
        return 4 * Double.pi * a * b * sum
    }

    /// Semi-axes (descending) of the minimum volume enclosing ellipsoid of `points` (mm), by
    /// Khachiyan's barycentric coordinate ascent with stopping tolerance `tolerance` on the
    /// change of the weights. Nil when the points do not span 3D.
    ///
    /// Each iteration moves weight to the point j of largest m_j = e_j^T X^-1 e_j, where
    /// e = [q; 1] and X = sum u e e^T: u' = (1 - b) u + b 1_j, so X' = (1 - b) X + b e_j e_j^T,
    /// a rank-one change. With v = X^-1 e_j and g = b / (1 - b), Sherman-Morrison gives
    ///   m_i' = (m_i - g (e_i^T v)^2 / (1 + g m_j)) / (1 - b),
    /// four multiplications per point instead of the quadratic form's sixteen and X's rebuild.
    /// The iterates are those of the plain method up to rounding; X, its inverse and every m
    /// are recomputed from the weights every `refresh` iterations so that rounding cannot build up.
    static func minimumVolumeEnclosing(_ points: [SIMD3<Double>], tolerance: Double = 0.001,
                                       maximumIterations: Int = 20_000, refresh: Int = 64) -> [Double]? {
        let n = points.count
        guard n >= 4 else { return nil }
        // Centre the points for conditioning; the ellipsoid's axes do not depend on it.
        var centre = SIMD3<Double>(repeating: 0)
        for p in points { centre += p }
        centre /= Double(n)
        let q = points.map { $0 - centre }
        var u = [Double](repeating: 1 / Double(n), count: n)
        var m = [Double](repeating: 0, count: n)
        let d = 3.0
        var inverse: [Double] = []
        // X from the weights (upper triangle, then mirrored), its inverse and every m.
        func recompute() -> Bool {
            var x00 = 0.0, x01 = 0.0, x02 = 0.0, x03 = 0.0, x11 = 0.0, x12 = 0.0, x13 = 0.0
            var x22 = 0.0, x23 = 0.0, x33 = 0.0
            for i in 0..<n {
                let w = u[i], p = q[i]
                x00 += w * p.x * p.x; x01 += w * p.x * p.y; x02 += w * p.x * p.z; x03 += w * p.x
                x11 += w * p.y * p.y; x12 += w * p.y * p.z; x13 += w * p.y
                x22 += w * p.z * p.z; x23 += w * p.z
                x33 += w
            }
            guard let inv = invert4([x00, x01, x02, x03, x01, x11, x12, x13, x02, x12, x22, x23, x03, x13, x23, x33])
            else { return false }
            inverse = inv
            for i in 0..<n { m[i] = quadratic(inv, q[i]) }
            return true
        }
        guard recompute() else { return nil }
        // The point of largest m (the first of equal ones).
        func largest() -> (Int, Double) {
            var j = 0, mj = -Double.infinity
            for i in 0..<n where m[i] > mj { mj = m[i]; j = i }
            return (j, mj)
        }
        var (j, mj) = largest()
        for iteration in 0..<maximumIterations {
            let step = (mj - d - 1) / ((d + 1) * (mj - 1))
            // v = X^-1 e_j for the rank-one update of X^-1 and of every m. The weights, their
            // change, the updated m and the next iteration's largest m are taken in one pass over
            // the points, with the same operations as one pass for each: the same bits.
            let a = inverse
            let v = product(a, q[j])
            let g = step / (1 - step), scale = 1 / (1 - step)
            let c = g / (1 + g * mj)
            var change = 0.0
            var next = 0, nextM = -Double.infinity
            u.withUnsafeMutableBufferPointer { u in
                m.withUnsafeMutableBufferPointer { m in
                    q.withUnsafeBufferPointer { q in
                        for i in 0..<n {
                            let old = u[i]
                            u[i] = (1 - step) * old + (i == j ? step : 0)
                            change += (u[i] - old) * (u[i] - old)
                            let p = q[i]
                            let t = v.x * p.x + v.y * p.y + v.z * p.z + v.w
                            let mi = scale * (m[i] - c * t * t)
                            m[i] = mi
                            if mi > nextM { nextM = mi; next = i }
                        }
                    }
                }
            }
            if change.squareRoot() < tolerance { break }
            if (iteration + 1) % max(refresh, 1) == 0 {
                guard recompute() else { return nil }
                (j, mj) = largest()
                continue
            }
            for r in 0..<4 { for s in 0..<4 { inverse[4 * r + s] = scale * (a[4 * r + s] - c * v[r] * v[s]) } }
            (j, mj) = (next, nextM)
        }
        // Shape matrix A = (1/d) (sum u q q^T - c c^T)^-1; semi-axes are 1/sqrt(eig(A)), i.e.
        // sqrt(d * eig(covariance)).
        var c = SIMD3<Double>(repeating: 0)
        for i in 0..<n { c += u[i] * q[i] }
        var cov = [[Double]](repeating: [0, 0, 0], count: 3)
        for i in 0..<n {
            let p = q[i] - c
            for r in 0..<3 { for s in 0..<3 { cov[r][s] += u[i] * p[r] * p[s] } }
        }
        let values = SymmetricMatrix3(cov).eigen().values
        return values.map { (d * max($0, 0)).squareRoot() }
    }

    /// A e for e = [p; 1] and a 4x4 matrix A (row-major).
    static func product(_ a: [Double], _ p: SIMD3<Double>) -> SIMD4<Double> {
        SIMD4(a[0] * p.x + a[1] * p.y + a[2] * p.z + a[3],
              a[4] * p.x + a[5] * p.y + a[6] * p.z + a[7],
              a[8] * p.x + a[9] * p.y + a[10] * p.z + a[11],
              a[12] * p.x + a[13] * p.y + a[14] * p.z + a[15])
    }

    /// e^T A e for e = [p; 1] and a 4x4 matrix A (row-major).
    static func quadratic(_ a: [Double], _ p: SIMD3<Double>) -> Double {
        let r = product(a, p)
        return 0 + p.x * r.x + p.y * r.y + p.z * r.z + r.w
    }

    /// Inverse of a 4x4 matrix by Gauss-Jordan elimination with partial pivoting.
    static func invert4(_ m: [Double]) -> [Double]? {
        var a = m
        var inv: [Double] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]
        for col in 0..<4 {
            var pivot = col
            for r in (col + 1)..<4 where abs(a[4 * r + col]) > abs(a[4 * pivot + col]) { pivot = r }
            let p = a[4 * pivot + col]
            if p == 0 || !p.isFinite { return nil }
            if pivot != col {
                for c in 0..<4 {
                    a.swapAt(4 * pivot + c, 4 * col + c)
                    inv.swapAt(4 * pivot + c, 4 * col + c)
                }
            }
            for c in 0..<4 { a[4 * col + c] /= p; inv[4 * col + c] /= p }
            for r in 0..<4 where r != col {
                let f = a[4 * r + col]
                if f == 0 { continue }
                for c in 0..<4 {
                    a[4 * r + c] -= f * a[4 * col + c]
                    inv[4 * r + c] -= f * inv[4 * col + c]
                }
            }
        }
        return inv
    }
}

enum BoundingBoxes {
    /// Largest distance between two of `points`, in their units.
    static func maximumDiameter(_ points: [SIMD3<Double>]) -> Double {
        var best = 0.0
        points.withUnsafeBufferPointer { p in
            for i in 0..<p.count {
                let a = p[i]
                for j in (i + 1)..<max(i + 1, p.count) {
                    let d = a - p[j]
                    let s = dot(d, d)
                    if s > best { best = s }
                }
            }
        }
        return best.squareRoot()
    }

    /// Extents of `points` along the orthonormal axes `frame`.
    static func extents(_ points: [SIMD3<Double>], frame: [SIMD3<Double>]) -> SIMD3<Double> {
        var lo = SIMD3<Double>(repeating: .infinity), hi = SIMD3<Double>(repeating: -.infinity)
        for p in points {
            let c = SIMD3(dot(p, frame[0]), dot(p, frame[1]), dot(p, frame[2]))
            lo = pointwiseMin(lo, c)
            hi = pointwiseMax(hi, c)
        }
        return hi - lo
    }

    /// Oriented bounding box of small volume around the convex hull (best effort; IBSI ZH1A
    /// allows an approximation). Candidates: the axis-aligned box, the box along `pcaAxes`, and
    /// for each of the largest hull face planes (up to `maximumPlanes`, by area) the box with a
    /// face on that plane and the minimum-area rectangle of the projected hull in it. Returns
    /// the extents (box side lengths) of the smallest candidate.
    /// `silhouetteOnly: false` projects every hull vertex (the tests compare the two).
    static func orientedMinimum(hull: ConvexHull3D, pcaAxes: [SIMD3<Double>], maximumPlanes: Int = 96,
                                silhouetteOnly: Bool = true) -> SIMD3<Double> {
        let points = hull.vertices
        guard !points.isEmpty else { return .zero }
        let identity: [SIMD3<Double>] = [SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)]
        var best = extents(points, frame: identity)
        func consider(_ e: SIMD3<Double>) {
            if e.x * e.y * e.z < best.x * best.y * best.z { best = e }
        }
        if pcaAxes.count == 3 { consider(extents(points, frame: pcaAxes)) }

        // Unique face planes (normal in mm), with their total face area.
        var planes: [SIMD3<Int64>: Double] = [:]
        for t in hull.triangles {
            let a = wide(hull.points[Int(t.x)]), b = wide(hull.points[Int(t.y)]), c = wide(hull.points[Int(t.z)])
            var n = crossI(b &- a, c &- a)
            let g = gcd(gcd(abs(n.x), abs(n.y)), abs(n.z))
            if g > 1 { n = n / SIMD3(repeating: g) }
            let pa = points[Int(t.x)], pb = points[Int(t.y)], pc = points[Int(t.z)]
            planes[n, default: 0] += length(cross(pb - pa, pc - pa))
        }
        // Largest area first; equal areas (common on a voxel lattice) in the order of their
        // normals, so that the planes kept do not depend on the dictionary's hashing order,
        // which changes from process to process.
        let chosen = planes.sorted {
            $0.value != $1.value ? $0.value > $1.value
                : ($0.key.x, $0.key.y, $0.key.z) < ($1.key.x, $1.key.y, $1.key.z)
        }.prefix(maximumPlanes)
        // The rectangle in a plane depends only on the convex hull of the projected vertices,
        // the hull's shadow. A vertex on the shadow's boundary has a supporting plane that
        // contains the projection direction, so of the faces around it one faces along the
        // direction (or across it) and one against it: it is on the silhouette. Every other
        // vertex projects strictly inside the shadow and is left out of the 2D hull, whose
        // sort dominated this search. The tolerance keeps the vertices of faces that are
        // parallel to the direction up to rounding.
        let faceNormals = hull.triangles.map { t -> SIMD3<Double> in
            let n = cross(points[Int(t.y)] - points[Int(t.x)], points[Int(t.z)] - points[Int(t.x)])
            return n / length(n)
        }
        let tolerance = 1e-9
        var towards = [Double](repeating: 0, count: points.count)
        var against = [Double](repeating: 0, count: points.count)
        var planar: [SIMD2<Double>] = []
        planar.reserveCapacity(points.count)
        let s = hull.latticeSpacing
        for (n, _) in chosen {
            // A plane normal maps to mm by the inverse scaling.
            var normal = SIMD3<Double>(Double(n.x) / s.x, Double(n.y) / s.y, Double(n.z) / s.z)
            normal /= length(normal)
            let helper: SIMD3<Double> = abs(normal.x) < 0.9 ? SIMD3(1, 0, 0) : SIMD3(0, 1, 0)
            var u = cross(normal, helper)
            u /= length(u)
            let v = cross(normal, u)
            for i in points.indices { towards[i] = -.infinity; against[i] = .infinity }
            for (k, t) in hull.triangles.enumerated() {
                let c = dot(faceNormals[k], normal)
                let (a, b, e) = (Int(t.x), Int(t.y), Int(t.z))
                towards[a] = max(towards[a], c); against[a] = min(against[a], c)
                towards[b] = max(towards[b], c); against[b] = min(against[b], c)
                towards[e] = max(towards[e], c); against[e] = min(against[e], c)
            }
            var lo = Double.infinity, hi = -Double.infinity
            planar.removeAll(keepingCapacity: true)
            for (i, p) in points.enumerated() {
                let h = dot(p, normal)
                lo = min(lo, h); hi = max(hi, h)
                if !silhouetteOnly || (towards[i] >= -tolerance && against[i] <= tolerance) {
                    planar.append(SIMD2(dot(p, u), dot(p, v)))
                }
            }
            let (w, l) = minimumAreaRectangle(planar)
            consider(SIMD3(w, l, hi - lo))
        }
        return best
    }

    /// Side lengths of the minimum-area rectangle around 2D points: one side lies on an edge of
    /// their convex hull.
    static func minimumAreaRectangle(_ points: [SIMD2<Double>]) -> (Double, Double) {
        let hull = convexHull2D(points)
        guard hull.count >= 3 else {
            var lo = SIMD2<Double>(repeating: .infinity), hi = SIMD2<Double>(repeating: -.infinity)
            for p in points { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
            return (hi.x - lo.x, hi.y - lo.y)
        }
        var bestArea = Double.infinity, best = (0.0, 0.0)
        for i in 0..<hull.count {
            var e = hull[(i + 1) % hull.count] - hull[i]
            let len = (e * e).sum().squareRoot()
            if len == 0 { continue }
            e /= len
            let f = SIMD2(-e.y, e.x)
            var lo = SIMD2<Double>(repeating: .infinity), hi = SIMD2<Double>(repeating: -.infinity)
            for p in hull {
                let c = SIMD2((p * e).sum(), (p * f).sum())
                lo = pointwiseMin(lo, c); hi = pointwiseMax(hi, c)
            }
            let size = hi - lo
            if size.x * size.y < bestArea { bestArea = size.x * size.y; best = (size.x, size.y) }
        }
        return best
    }

    /// Convex hull of 2D points (monotone chain), counter-clockwise, without collinear points.
    static func convexHull2D(_ input: [SIMD2<Double>]) -> [SIMD2<Double>] {
        let p = input.sorted { $0.x != $1.x ? $0.x < $1.x : $0.y < $1.y }
        guard p.count >= 3 else { return p }
        func turn(_ o: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var hull: [SIMD2<Double>] = []
        for q in p {
            while hull.count >= 2 && turn(hull[hull.count - 2], hull[hull.count - 1], q) <= 0 { hull.removeLast() }
            hull.append(q)
        }
        let lowerCount = hull.count + 1
        for q in p.reversed().dropFirst() {
            while hull.count >= lowerCount && turn(hull[hull.count - 2], hull[hull.count - 1], q) <= 0 { hull.removeLast() }
            hull.append(q)
        }
        hull.removeLast()
        return hull
    }
}

func gcd(_ a: Int64, _ b: Int64) -> Int64 {
    var x = a, y = b
    while y != 0 { (x, y) = (y, x % y) }
    return x
}
