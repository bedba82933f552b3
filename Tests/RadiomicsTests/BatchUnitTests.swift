import Foundation
@testable import Radiomics
import RadiomicsCore
import Testing

@Suite struct CSVReaderTests {
    @Test func quotedFieldsHoldCommasQuotesAndLineBreaks() {
        let rows = CSV.parse("a,b,c\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n")
        #expect(rows == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"]])
    }

    @Test func crlfBlankLinesAndEmptyFields() {
        #expect(CSV.parse("a,b\r\n\r\n1,\r\n,2\r\n") == [["a", "b"], ["1", ""], ["", "2"]])
    }

    @Test func incompleteLastLineIsKeptOnlyWhenAsked() {
        let text = "id,x\n1,2\n3,4"
        #expect(CSV.parse(text) == [["id", "x"], ["1", "2"], ["3", "4"]])
        #expect(CSV.parse(text, keepIncompleteLastLine: false) == [["id", "x"], ["1", "2"]])
        // Cut inside a quoted field that holds a line break: the row is still incomplete.
        #expect(CSV.parse("id,x\n1,\"a\nb", keepIncompleteLastLine: false) == [["id", "x"]])
    }

    @Test func writerAndReaderRoundTrip() {
        let fields = ["plain", "with,comma", "with \"quote\"", "line\nbreak", "", " spaced "]
        let line = fields.map(FeatureTable.csvField).joined(separator: ",") + "\n"
        #expect(CSV.parse(line) == [fields])
    }

    @Test func fieldsWithSeparatorsQuoteOrAnyLineBreakAreQuoted() {
        #expect(FeatureTable.csvField("morph_volume") == "morph_volume")
        #expect(FeatureTable.csvField("a,b") == "\"a,b\"")
        #expect(FeatureTable.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        // CR LF is a single Character; the field is quoted all the same, as is a lone CR.
        #expect(FeatureTable.csvField("two\r\nlines") == "\"two\r\nlines\"")
        #expect(FeatureTable.csvField("cr\ronly") == "\"cr\ronly\"")
        #expect(FeatureTable.csvField("ümlaut é") == "ümlaut é")
    }
}

@Suite struct BatchSchedulingTests {
    /// Workers take the largest mask file first, manifest order among equal sizes; a mask that
    /// cannot be read counts as empty and goes last.
    @Test func largestMaskFilesAreTakenFirst() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let small = try folder.write(String(repeating: "x", count: 10), to: "small.nii.gz")
        let large1 = try folder.write(String(repeating: "x", count: 300), to: "large1.nii.gz")
        let large2 = try folder.write(String(repeating: "x", count: 300), to: "large2.nii.gz")
        let rows = [("a", folder.path("missing.nii.gz")), ("b", small), ("c", large1), ("d", large2)].map {
            ManifestRow(id: $0.0, image: "image.nii.gz", mask: $0.1, label: nil, roi: nil, modality: nil, extra: [])
        }
        #expect(BatchRunner.largestFirst(rows).map(\.id) == ["c", "d", "b", "a"])
    }
}

@Suite struct ManifestTests {
    @Test func idImageMaskLabelRoiAndExtraColumns() throws {
        let m = try Manifest.parse("""
            id,image,mask,label,roi,modality,site
            p1,img/a.nii.gz,/abs/m.nii.gz,2,,CT,leg
            p2,b.nii.gz,c.nii.gz,,GTV,MR,arm

            """, path: "/data/cohort/manifest.csv")
        #expect(m.extraColumns == ["modality", "site"])
        #expect(m.rows.map(\.id) == ["p1", "p2"])
        #expect(m.rows[0].image == "/data/cohort/img/a.nii.gz")
        #expect(m.rows[0].mask == "/abs/m.nii.gz")
        #expect(m.rows[0].label == 2 && m.rows[0].roi == nil)
        #expect(m.rows[1].label == nil && m.rows[1].roi == "GTV")
        #expect(m.rows[0].modality == "CT")
        #expect(m.rows[1].extra == ["MR", "arm"])
    }

    @Test func pyRadiomicsHeaderNumbersTheRows() throws {
        let m = try Manifest.parse("\u{FEFF}Image,Mask,Label\r\n../i.nii,../m.nii,1\r\n../j.nii,../n.nii,3.0\r\n", path: "/x/y/batch.csv")
        #expect(m.rows.map(\.id) == ["1", "2"])
        #expect(m.rows.map(\.image) == ["/x/i.nii", "/x/j.nii"])
        #expect(m.rows.map(\.label) == [1, 3])
        #expect(m.extraColumns.isEmpty)
    }

    @Test func errorsNameTheLine() {
        #expect(throws: RadiomicsError.input("/m.csv", "line 3: id 'a' appears twice")) {
            try Manifest.parse("id,image,mask\na,i,m\na,j,n\n", path: "/m.csv")
        }
        #expect(throws: RadiomicsError.input("/m.csv", "line 2: label '1.5' is not an integer")) {
            try Manifest.parse("id,image,mask,label\na,i,m,1.5\n", path: "/m.csv")
        }
        #expect(throws: RadiomicsError.input("/m.csv", "line 2: image and mask must not be empty")) {
            try Manifest.parse("id,image,mask\na,,m\n", path: "/m.csv")
        }
        #expect(throws: RadiomicsError.self) { try Manifest.parse("name,file\na,b\n", path: "/m.csv") }
    }

    @Test func shardsPartitionTheManifest() throws {
        let text = "id,image,mask\n" + (1...10).map { "c\($0),i,m" }.joined(separator: "\n") + "\n"
        let m = try Manifest.parse(text, path: "/m.csv")
        for n in 1...12 {
            let parts = (1...n).map { m.shard($0, of: n).map(\.id) }
            #expect(parts.flatMap { $0 }.sorted() == m.rows.map(\.id).sorted(), "N = \(n)")
            #expect(parts.map(\.count).max()! - parts.map(\.count).min()! <= 1, "balanced, N = \(n)")
            #expect(parts == (1...n).map { m.shard($0, of: n).map(\.id) }, "deterministic, N = \(n)")
        }
        #expect(m.shard(2, of: 3).map(\.id) == ["c2", "c5", "c8"])
    }
}

@Suite struct LesionTests {
    func mask(_ size: SIMD3<Int>, _ on: [SIMD3<Int>]) -> Mask {
        let grid = Grid(size: size, spacing: SIMD3(1, 1, 1), origin: SIMD3(0, 0, 0))
        var voxels = [Bool](repeating: false, count: size.x * size.y * size.z)
        for c in on { voxels[grid.index(c.x, c.y, c.z)] = true }
        return Mask(grid: grid, voxels: voxels)
    }

    @Test func componentsAreNumberedBySizeThenPosition() {
        // A 2-voxel component first in storage order, a 4-voxel one, then another 2-voxel one.
        let m = mask(SIMD3(8, 6, 4), [SIMD3(0, 0, 0), SIMD3(1, 0, 0),
                                      SIMD3(5, 3, 1), SIMD3(6, 3, 1), SIMD3(5, 4, 1), SIMD3(5, 4, 2),
                                      SIMD3(0, 5, 3), SIMD3(1, 5, 3)])
        let parts = Lesions.components(of: m)
        let counts = parts.map { $0.voxels.filter { $0 }.count }
        #expect(counts == [4, 2, 2])
        #expect(parts[0].voxels[m.grid.index(5, 4, 2)])
        #expect(parts[1].voxels[m.grid.index(0, 0, 0)])
        #expect(parts[2].voxels[m.grid.index(1, 5, 3)])
        // Together they are the mask, with no voxel in two lesions.
        for i in m.voxels.indices {
            #expect(parts.filter { $0.voxels[i] }.count == (m.voxels[i] ? 1 : 0))
        }
    }

    @Test func diagonalNeighboursAreConnected() {
        // Corner to corner (26-connectivity) is one lesion; two apart is not.
        #expect(Lesions.components(of: mask(SIMD3(4, 4, 4), [SIMD3(0, 0, 0), SIMD3(1, 1, 1), SIMD3(2, 2, 2)])).count == 1)
        #expect(Lesions.components(of: mask(SIMD3(4, 4, 4), [SIMD3(0, 0, 0), SIMD3(2, 2, 2)])).count == 2)
        #expect(Lesions.components(of: mask(SIMD3(3, 3, 3), [])).isEmpty)
    }
}

@Suite struct SHA256Tests {
    func digest(_ s: String) -> String {
        var h = SHA256()
        h.update(Array(s.utf8))
        return SHA256.hex(h.finalize())
    }

    @Test func standardVectors() {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func chunkedUpdatesEqualOneUpdate() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var whole = SHA256()
        whole.update(bytes)
        for split in [1, 55, 56, 63, 64, 65, 999] {
            var h = SHA256()
            h.update(bytes[..<split])
            h.update(bytes[split...])
            #expect(h.finalize() == { var w = whole; return w.finalize() }(), "split at \(split)")
        }
    }
}
