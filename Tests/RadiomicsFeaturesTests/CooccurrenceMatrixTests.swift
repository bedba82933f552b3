import RadiomicsCore
@testable import RadiomicsFeatures
import Testing

/// The digital phantom's co-occurrence matrices against those printed in the IBSI manual
/// (docs/06_Digital_phantom_texture_matrices.rst, Chebyshev distance 1). A matrix is written as its
/// non-zero elements (i, j, n) with i <= j; the matrices are symmetric.
@Suite struct CooccurrenceMatrixTests {
    typealias Elements = [[Int]]

    /// Non-zero elements with i <= j, in row-major order.
    static func elements(_ m: CooccurrenceMatrix) -> Elements {
        var out: Elements = []
        for i in 1...m.levelCount {
            for j in i...m.levelCount where m[i, j] != 0 { out.append([i, j, m[i, j]]) }
        }
        return out
    }

    static func sorted(_ list: [Elements]) -> [Elements] {
        list.sorted { "\($0)" < "\($1)" }
    }

    // Per slice merged 2D matrices, slices 1...4 of the manual.
    static let sliceMerged: [Elements] = [
        [[1, 1, 22], [1, 4, 17], [1, 6, 6], [4, 4, 16], [4, 6, 11], [6, 6, 4]],
        [[1, 1, 42], [1, 3, 5], [1, 4, 8], [1, 6, 8], [3, 4, 1], [3, 6, 2], [4, 4, 4], [4, 6, 3]],
        [[1, 1, 56], [1, 4, 7], [1, 6, 4], [4, 4, 2]],
        [[1, 1, 70], [1, 4, 7], [1, 6, 5], [4, 4, 2]],
    ]

    // The 16 per (slice, direction) 2D matrices: one group of 4 slices per direction. The manual's
    // direction captions are not usable as printed, so directions are compared as a set per slice.
    static let sliceDirection: [[Elements]] = [
        [[[1, 1, 10], [1, 4, 4], [4, 4, 6], [4, 6, 1], [6, 6, 4]],
         [[1, 1, 16], [1, 4, 2], [3, 6, 2], [4, 6, 1]],
         [[1, 1, 18], [1, 4, 2]],
         [[1, 1, 20], [1, 4, 2], [1, 6, 1]]],
        [[[1, 1, 2], [1, 4, 4], [1, 6, 3], [4, 4, 4], [4, 6, 2]],
         [[1, 1, 6], [1, 3, 1], [1, 4, 3], [1, 6, 3], [3, 4, 1]],
         [[1, 1, 10], [1, 4, 2], [1, 6, 1]],
         [[1, 1, 14], [1, 4, 2], [1, 6, 1]]],
        [[[1, 1, 4], [1, 4, 6], [1, 6, 2], [4, 4, 4], [4, 6, 4]],
         [[1, 1, 10], [1, 3, 2], [1, 4, 2], [1, 6, 3], [4, 4, 4], [4, 6, 1]],
         [[1, 1, 16], [1, 4, 1], [1, 6, 2], [4, 4, 2]],
         [[1, 1, 20], [1, 4, 1], [1, 6, 2], [4, 4, 2]]],
        [[[1, 1, 6], [1, 4, 3], [1, 6, 1], [4, 4, 2], [4, 6, 4]],
         [[1, 1, 10], [1, 3, 2], [1, 4, 1], [1, 6, 2], [4, 6, 1]],
         [[1, 1, 12], [1, 4, 2], [1, 6, 1]],
         [[1, 1, 16], [1, 4, 2], [1, 6, 1]]],
    ]

    // The 13 per-direction 3D matrices.
    static let volumeDirection: [Elements] = [
        [[1, 1, 66], [1, 4, 5], [1, 6, 1], [3, 6, 1], [4, 4, 16], [6, 6, 8]],
        [[1, 1, 42], [1, 3, 1], [1, 4, 9], [1, 6, 1], [3, 6, 1], [4, 4, 2], [4, 6, 2], [6, 6, 2]],
        [[1, 1, 64], [1, 4, 10], [1, 6, 1], [3, 6, 2], [4, 4, 6], [4, 6, 2], [6, 6, 4]],
        [[1, 1, 52], [1, 4, 8], [3, 6, 2], [4, 4, 2], [4, 6, 1], [6, 6, 2]],
        [[1, 1, 30], [1, 3, 2], [1, 4, 7], [1, 6, 5], [4, 6, 2]],
        [[1, 1, 32], [1, 3, 1], [1, 4, 11], [1, 6, 8], [3, 4, 1], [4, 4, 4], [4, 6, 2]],
        [[1, 1, 20], [1, 3, 1], [1, 4, 10], [1, 6, 6], [3, 4, 1], [4, 4, 2]],
        [[1, 1, 38], [1, 3, 1], [1, 4, 7], [1, 6, 8], [3, 4, 1], [4, 4, 8], [4, 6, 2]],
        [[1, 1, 50], [1, 3, 2], [1, 4, 10], [1, 6, 9], [4, 4, 12], [4, 6, 5]],
        [[1, 1, 34], [1, 3, 2], [1, 4, 8], [1, 6, 7], [4, 4, 8], [4, 6, 3]],
        [[1, 1, 32], [1, 3, 1], [1, 4, 6], [1, 6, 4], [3, 4, 1], [4, 6, 3]],
        [[1, 1, 44], [1, 3, 2], [1, 4, 8], [1, 6, 5], [4, 4, 2], [4, 6, 5]],
        [[1, 1, 32], [1, 3, 1], [1, 4, 6], [1, 6, 6], [3, 4, 1], [4, 4, 2], [4, 6, 1]],
    ]

    static let volumeMerged: Elements = [
        [1, 1, 536], [1, 3, 14], [1, 4, 105], [1, 6, 61], [3, 4, 5], [3, 6, 6], [4, 4, 64], [4, 6, 28], [6, 6, 16],
    ]

    let builder = CooccurrenceMatrixBuilder(DigitalPhantom.discretised)

    @Test func phantomHasSixGreyLevelsAndFourSlices() {
        #expect(builder.levelCount == 6)
        #expect(builder.sliceCount == 4)
    }

    @Test func sliceMatricesMatchTheManualPerSliceAndDirection() {
        for z in 0..<4 {
            let computed = builder.sliceMatrices(z: z).map(Self.elements)
            let expected = Self.sliceDirection.map { $0[z] }
            #expect(Self.sorted(computed) == Self.sorted(expected), "slice \(z + 1)")
        }
    }

    @Test func mergedSliceMatricesMatchTheManual() {
        let ng = builder.levelCount
        let computed = (0..<4).map { Self.elements(CooccurrenceMatrix.merged(builder.sliceMatrices(z: $0), levelCount: ng)) }
        #expect(computed == Self.sliceMerged)
    }

    @Test func volumeDirectionMatricesMatchTheManual() {
        let ng = builder.levelCount
        let slices = (0..<4).map { builder.sliceMatrices(z: $0) }
        // In-plane 3D matrices are the slice matrices summed per direction.
        let inPlane = (0..<4).map { d in CooccurrenceMatrix.merged(slices.map { $0[d] }, levelCount: ng) }
        let all = inPlane + builder.crossSliceMatrices()
        #expect(all.count == 13)
        #expect(Self.sorted(all.map(Self.elements)) == Self.sorted(Self.volumeDirection))
        #expect(Self.elements(CooccurrenceMatrix.merged(all, levelCount: ng)) == Self.volumeMerged)
    }

    @Test func inPlaneVolumeMatrixEqualsDirectCountOverAllSlices() {
        // The derivation used by the features (sum of slice matrices) against counting the whole
        // volume along each in-plane direction directly.
        let ng = builder.levelCount
        for (d, direction) in TextureDirections.inPlane.enumerated() {
            let summed = CooccurrenceMatrix.merged((0..<4).map { builder.sliceMatrices(z: $0)[d] }, levelCount: ng)
            let direct = builder.matrix(direction: direction, slices: 0..<4)
            #expect(summed == direct)
        }
    }

    @Test func matricesAreSymmetricAndCountEveryPairTwice() {
        for m in builder.crossSliceMatrices() {
            for i in 1...6 { for j in 1...6 { #expect(m[i, j] == m[j, i]) } }
            #expect(m.total % 2 == 0)
            #expect(m.total == m.counts.reduce(0, +))
        }
    }

    @Test func normalisationDividesByTheTotal() {
        let ng = builder.levelCount
        let merged = CooccurrenceMatrix.merged((0..<4).flatMap { builder.sliceMatrices(z: $0) }, levelCount: ng)
        let p = try! #require(merged.probabilities())
        #expect(merged.total == 2 * (22 + 17 + 6 + 16 + 11 + 4 + 42 + 5 + 8 + 8 + 1 + 2 + 4 + 3 + 56 + 7 + 4 + 2 + 70 + 7 + 5 + 2)
            - (22 + 16 + 4 + 42 + 4 + 56 + 2 + 70 + 2))
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(p[0] == Double(merged[1, 1]) / Double(merged.total))
        #expect(CooccurrenceMatrix(levelCount: 6).probabilities() == nil)
    }

    @Test func distanceScalesTheDirectionVectors() {
        // A 1x4x1 column 1,2,3,4 (x fastest: one voxel per row): distance 2 pairs (1,3) and (2,4) along y.
        let grid = Grid(size: SIMD3(1, 4, 1), spacing: SIMD3(1, 1, 1), origin: .zero)
        let volume = DiscretisedVolume(grid: grid, levels: [1, 2, 3, 4], levelCount: 4,
                                       morphologicalMask: Array(repeating: true, count: 4))
        let near = CooccurrenceMatrixBuilder(volume, distance: 1).sliceMatrices(z: 0)[2]
        let far = CooccurrenceMatrixBuilder(volume, distance: 2).sliceMatrices(z: 0)[2]
        let beyond = CooccurrenceMatrixBuilder(volume, distance: 5).sliceMatrices(z: 0)[2]
        #expect(Self.elements(near) == [[1, 2, 1], [2, 3, 1], [3, 4, 1]])
        #expect(Self.elements(far) == [[1, 3, 1], [2, 4, 1]])
        #expect(beyond.isEmpty)
    }
}
