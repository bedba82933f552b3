import RadiomicsCore

/// One region a mask file can give: a label of a NIfTI label map or an ROI of an RTSTRUCT.
public struct MaskSelection: Sendable, Equatable {
    public var label: Int?
    public var roi: String?
    public init(label: Int? = nil, roi: String? = nil) { self.label = label; self.roi = roi }
}

extension MaskLoader {
    /// Every region of a mask file, for one row per label: the distinct non-zero integer labels
    /// of a NIfTI label map (ascending), or every ROI name of an RTSTRUCT (file order).
    public static func availableSelections(path: String) throws -> [MaskSelection] {
        if RTStruct.isRTStruct(path: path) {
            return try RTStruct.read(path: path).roiNames.map { MaskSelection(roi: $0) }
        }
        let labels = try NIfTIReader.readLabels(at: path)
        var present = Set<Int>()
        for v in labels.voxels where v != 0 && v.isFinite {
            guard v == v.rounded() else {
                throw RadiomicsError.input(path, "the mask holds non-integer values (e.g. \(v)), so it has no labels to list")
            }
            present.insert(Int(v))
        }
        guard !present.isEmpty else { throw RadiomicsError.input(path, "the mask is empty (no non-zero voxel)") }
        return present.sorted().map { MaskSelection(label: $0) }
    }
}
