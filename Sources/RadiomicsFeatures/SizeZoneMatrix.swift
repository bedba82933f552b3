import RadiomicsCore

// Grey level size zone matrices (IBSI 1, "Grey level size zone based features", 9SAK).
//
// A zone is a set of connected voxels of the same grey level: 26-connected in 3D, 8-connected
// within a slice in 2D. Element s_ij counts the zones of grey level i and size (voxel count) j.

/// The zones of a discretised volume, in 2D (8-connected within each slice) and in 3D
/// (26-connected), labelled together.
///
/// A raster scan gives each ROI voxel the label of its earlier in-slice neighbours of the same
/// grey level (4 of the 8), merging labels that meet in a union-find forest; that yields the 2D
/// zones. A 3D zone is a union of 2D zones joined across slices, so a second scan joins the 2D
/// zone of each voxel with those of its 9 neighbours in the previous slice. Every neighbour pair
/// is thus considered once (13 per voxel) for both connectivities, and the neighbours' own
/// adjacency spares most of the look-ups inside large zones.
struct GreyLevelZones: Sendable {
    /// One set of zones: grey level, voxel count and (when a map was given) the smallest map
    /// value over the zone's voxels, GLDZM's zone distance.
    struct Zones: Sendable {
        var levels: [Int32] = []
        var sizes: [Int32] = []
        var minima: [Int32] = []
        var largestSize = 0
        var count: Int { levels.count }
    }

    /// The in-slice zones, by slice: those of slice z are `sliceStarts[z]..<sliceStarts[z + 1]`.
    private(set) var planar = Zones()
    private(set) var sliceStarts: [Int] = []
    /// The 3D zones.
    private(set) var spatial = Zones()

    /// Labels the zones of `volume`. The maps, if given, are per-voxel values on the block padded
    /// by one voxel (see `PaddedLevels`) whose minimum is recorded per zone: `planarMap` for the
    /// 2D zones, `spatialMap` for the 3D ones.
    init(_ volume: DiscretisedVolume, planarMap: [Int32]? = nil, spatialMap: [Int32]? = nil) {
        let padded = PaddedLevels(volume, margin: 1)
        precondition(planarMap == nil || planarMap!.count == padded.levels.count)
        precondition(spatialMap == nil || spatialMap!.count == padded.levels.count)
        let s = volume.grid.size
        let sx = padded.offset(0, 1, 0), sz = padded.offset(0, 0, 1)
        let roiVoxels = max(volume.roiVoxelCount, 1)
        // At most one provisional label per ROI voxel.
        let parent = UnsafeMutablePointer<Int32>.allocate(capacity: roiVoxels)
        let labelLevel = UnsafeMutablePointer<UInt16>.allocate(capacity: roiVoxels)
        let label = UnsafeMutablePointer<Int32>.allocate(capacity: padded.levels.count)
        defer {
            parent.deallocate()
            labelLevel.deallocate()
            label.deallocate()
        }
        // Only ROI voxels' labels are read (a neighbour of the same grey level is in the ROI).
        var labels = 0
        var firstLabel: [Int] = []
        firstLabel.reserveCapacity(s.z + 1)
        padded.levels.withUnsafeBufferPointer { l in
            let l = l.baseAddress!
            // Union-find over provisional labels; a root is the smallest label of its set, so the
            // labels of a 2D zone stay within its slice's range. `join` links two roots.
            @inline(__always) func join(_ r: Int32, _ q: Int32) -> Int32 {
                if q < r { parent[Int(r)] = q; return q }
                if r < q { parent[Int(q)] = r }
                return r
            }
            for z in 0..<s.z {
                firstLabel.append(labels)
                for y in 0..<s.y {
                    let row = padded.index(0, y, z)
                    for v in row..<(row + s.x) {
                        let g = l[v]
                        if g == 0 { continue }
                        // Earlier neighbours in the slice: up (x, y-1), left (x-1, y), up-left and
                        // up-right. Up touches the three others, so when it matches they are
                        // already joined to it; left and up-left touch each other; only up-right
                        // and left (or up-left) may still need joining.
                        let up = v - sx
                        var r: Int32
                        if l[up] == g {
                            r = label[up]
                        } else {
                            var a: Int32 = -1
                            if l[v - 1] == g { a = label[v - 1] } else if l[up - 1] == g { a = label[up - 1] }
                            if l[up + 1] == g {
                                r = label[up + 1]
                                if a >= 0 { r = join(unionFindRoot(parent, a), unionFindRoot(parent, r)) }
                            } else if a >= 0 {
                                r = a
                            } else {
                                r = Int32(labels)
                                parent[labels] = r
                                labelLevel[labels] = g
                                labels += 1
                            }
                        }
                        label[v] = r
                    }
                }
            }
        }
        firstLabel.append(labels)

        // Number the 2D zones (roots) in label order, which is slice order.
        let zoneOf = UnsafeMutablePointer<Int32>.allocate(capacity: max(labels, 1))
        defer { zoneOf.deallocate() }
        var planar = Zones()
        var sliceStarts: [Int] = []
        sliceStarts.reserveCapacity(s.z + 1)
        var z = 0
        for id in 0..<labels {
            while z < s.z && firstLabel[z] == id {
                sliceStarts.append(planar.count)
                z += 1
            }
            let root = Int(unionFindRoot(parent, Int32(id)))
            if root == id {
                zoneOf[id] = Int32(planar.count)
                planar.levels.append(Int32(labelLevel[id]))
            } else {
                zoneOf[id] = zoneOf[root]
            }
        }
        while z <= s.z {
            sliceStarts.append(planar.count)
            z += 1
        }
        let planarCount = planar.count
        let hasPlanarMinima = planarMap != nil, hasSpatialMinima = spatialMap != nil
        var sizes = [Int32](repeating: 0, count: planarCount)
        var planarMinima = [Int32](repeating: .max, count: hasPlanarMinima ? planarCount : 0)
        // The smallest spatial map value of each 2D zone: the 3D zone takes the least of these.
        var spatialMinima = [Int32](repeating: .max, count: hasSpatialMinima ? planarCount : 0)
        // Union-find over 2D zones, joined across slices.
        let joined = UnsafeMutablePointer<Int32>.allocate(capacity: max(planarCount, 1))
        defer { joined.deallocate() }
        for a in 0..<planarCount { joined[a] = Int32(a) }

        // Second scan: 2D zone sizes and minima, and the joins across slices. In the previous
        // slice, the voxel below touches its 8 neighbours there, so when it matches it stands
        // for all of them; otherwise each run of matching voxels around the ring of 8 is one 2D
        // zone. A join just made is not repeated (common inside a large zone).
        let below = -sz
        var ring: [Int] = []
        for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0)] {
            ring.append(dx + dy * sx - sz)
        }
        var lastA: Int32 = -1, lastB: Int32 = -1
        @inline(__always) func link(_ a: Int32, _ b: Int32) {
            if a == lastA && b == lastB { return }
            lastA = a
            lastB = b
            let p = unionFindRoot(joined, a), q = unionFindRoot(joined, b)
            if q < p { joined[Int(p)] = q } else if p < q { joined[Int(q)] = p }
        }
        let emptyMap: [Int32] = []
        padded.levels.withUnsafeBufferPointer { l in
            (planarMap ?? emptyMap).withUnsafeBufferPointer { planarValues in
                (spatialMap ?? emptyMap).withUnsafeBufferPointer { spatialValues in
                    sizes.withUnsafeMutableBufferPointer { sizes in
                        planarMinima.withUnsafeMutableBufferPointer { planarMinima in
                            spatialMinima.withUnsafeMutableBufferPointer { spatialMinima in
                                ring.withUnsafeBufferPointer { ring in
                                    let l = l.baseAddress!
                                    for z in 0..<s.z {
                                        for y in 0..<s.y {
                                            let row = padded.index(0, y, z)
                                            for v in row..<(row + s.x) {
                                                let g = l[v]
                                                if g == 0 { continue }
                                                let a = zoneOf[Int(label[v])]
                                                sizes[Int(a)] &+= 1
                                                if hasPlanarMinima { planarMinima[Int(a)] = min(planarMinima[Int(a)], planarValues[v]) }
                                                if hasSpatialMinima { spatialMinima[Int(a)] = min(spatialMinima[Int(a)], spatialValues[v]) }
                                                if l[v + below] == g {
                                                    link(a, zoneOf[Int(label[v + below])])
                                                    continue
                                                }
                                                var matches = 0
                                                for k in 0..<8 where l[v + ring[k]] == g { matches |= 1 << k }
                                                if matches == 0 { continue }
                                                if matches == 0xFF {
                                                    link(a, zoneOf[Int(label[v + ring[0]])])
                                                    continue
                                                }
                                                // Runs start where the previous ring position does not match.
                                                let starts = matches & ~((matches << 1 | matches >> 7) & 0xFF)
                                                for k in 0..<8 where starts & (1 << k) != 0 {
                                                    link(a, zoneOf[Int(label[v + ring[k]])])
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        planar.sizes = sizes
        planar.minima = planarMinima
        for a in 0..<planarCount where Int(sizes[a]) > planar.largestSize { planar.largestSize = Int(sizes[a]) }

        // 3D zones: the sets of joined 2D zones (roots come first, being the smallest).
        var spatial = Zones()
        var spatialOf = [Int32](repeating: 0, count: planarCount)
        for a in 0..<planarCount {
            let root = Int(unionFindRoot(joined, Int32(a)))
            if root == a {
                spatialOf[a] = Int32(spatial.count)
                spatial.levels.append(planar.levels[a])
                spatial.sizes.append(0)
                if hasSpatialMinima { spatial.minima.append(.max) }
            } else {
                spatialOf[a] = spatialOf[root]
            }
            let k = Int(spatialOf[a])
            spatial.sizes[k] += sizes[a]
            if hasSpatialMinima { spatial.minima[k] = min(spatial.minima[k], spatialMinima[a]) }
        }
        for k in 0..<spatial.count where Int(spatial.sizes[k]) > spatial.largestSize { spatial.largestSize = Int(spatial.sizes[k]) }

        self.planar = planar
        self.sliceStarts = sliceStarts
        self.spatial = spatial
    }
}

/// Root of `x` in the union-find forest `parent`, halving the path on the way.
@inline(__always)
private func unionFindRoot(_ parent: UnsafeMutablePointer<Int32>, _ x: Int32) -> Int32 {
    var x = Int(x)
    while parent[x] != Int32(x) {
        let grandparent = parent[Int(parent[x])]
        parent[x] = grandparent
        x = Int(grandparent)
    }
    return Int32(x)
}

public enum SizeZoneMatrix {
    /// The 3D size zone matrix (26-connected zones). N_v is the number of ROI voxels.
    public static func volumetric(_ volume: DiscretisedVolume) -> GreyLevelSizeMatrix {
        matrices(volume).volumetric
    }

    /// One size zone matrix per slice (z of the block), 8-connected zones; N_v of each is the
    /// number of ROI voxels of its slice. A slice without ROI voxels gives an empty matrix.
    public static func slices(_ volume: DiscretisedVolume) -> [GreyLevelSizeMatrix] {
        matrices(volume).slices
    }

    /// The slice matrices and the 3D matrix, from one labelling of the zones (`zones`, when the
    /// caller has labelled them already, e.g. for the distance zone matrices).
    static func matrices(_ volume: DiscretisedVolume, zones: GreyLevelZones? = nil)
        -> (slices: [GreyLevelSizeMatrix], volumetric: GreyLevelSizeMatrix) {
        let zones = zones ?? GreyLevelZones(volume)
        return zones.matrices(volume, largestSize: max(zones.planar.largestSize, zones.spatial.largestSize)) {
            Int($0.sizes[$1])
        }
    }
}

extension GreyLevelZones {
    /// One matrix per slice from the in-slice zones (N_v: the slice's ROI voxels) and one from
    /// the 3D zones (N_v: all ROI voxels), zone k of a set counted at grey level and
    /// `size(set, k)`: the zone's voxel count for GLSZM, its distance for GLDZM.
    func matrices(_ volume: DiscretisedVolume, largestSize: Int, size: (Zones, Int) -> Int)
        -> (slices: [GreyLevelSizeMatrix], volumetric: GreyLevelSizeMatrix) {
        let voxels = roiVoxelsPerSlice(volume)
        let tally = SizeTally(levelCount: volume.levelCount, largestSize: largestSize)
        let slices = voxels.enumerated().map { z, n in
            for k in sliceStarts[z]..<sliceStarts[z + 1] { tally.add(level: Int(planar.levels[k]), size: size(planar, k)) }
            return tally.take(voxelCount: Double(n))
        }
        for k in 0..<spatial.count { tally.add(level: Int(spatial.levels[k]), size: size(spatial, k)) }
        return (slices, tally.take(voxelCount: Double(voxels.reduce(0, +))))
    }
}
