import RadiomicsCore

/// Lesions: the 3D connected components of a mask (26-connectivity), largest first.
public enum Lesions {
    /// One mask per component, ordered by voxel count (descending), ties by the first voxel's
    /// storage index, so the numbering is deterministic.
    public static func components(of mask: Mask) -> [Mask] {
        let s = mask.grid.size
        var label = [Int32](repeating: 0, count: mask.voxels.count)
        var sizes: [Int] = []
        var firsts: [Int] = []
        var stack: [Int] = []
        var next: Int32 = 0
        for start in mask.voxels.indices where mask.voxels[start] && label[start] == 0 {
            next += 1
            label[start] = next
            stack.append(start)
            var count = 0
            while let i = stack.popLast() {
                count += 1
                let c = mask.grid.coordinates(of: i)
                for dz in -1...1 {
                    let z = c.z + dz
                    if z < 0 || z >= s.z { continue }
                    for dy in -1...1 {
                        let y = c.y + dy
                        if y < 0 || y >= s.y { continue }
                        for dx in -1...1 {
                            let x = c.x + dx
                            if x < 0 || x >= s.x { continue }
                            let j = mask.grid.index(x, y, z)
                            if mask.voxels[j] && label[j] == 0 {
                                label[j] = next
                                stack.append(j)
                            }
                        }
                    }
                }
            }
            sizes.append(count)
            firsts.append(start)
        }
        let order = sizes.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : firsts[$0] < firsts[$1] }
        return order.map { k in
            let id = Int32(k + 1)
            return Mask(grid: mask.grid, voxels: label.map { $0 == id })
        }
    }
}
