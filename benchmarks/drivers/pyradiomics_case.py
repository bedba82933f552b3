"""Extracts the PyRadiomics default 3D feature set of one case (one process per case).

usage: pyradiomics_case.py IMAGE MASK SETTINGS_JSON
SETTINGS_JSON: {"spacing": mm, "bin_width": w | "bin_count": n, "range": [lo, hi] | null}
Prints one JSON line: number of feature values, ROI voxels after resampling, in-process seconds.
"""
import json
import logging
import sys
import time

start = time.perf_counter()
from radiomics import featureextractor  # noqa: E402

FAMILIES = ["firstorder", "shape", "glcm", "glrlm", "glszm", "gldm", "ngtdm"]


def main() -> None:
    image, mask, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    logging.getLogger("radiomics").setLevel(logging.ERROR)
    params = {
        "resampledPixelSpacing": [spec["spacing"]] * 3,
        "interpolator": "sitkLinear",
        "label": 1,
        "force2D": False,
    }
    if "bin_width" in spec:
        params["binWidth"] = spec["bin_width"]
    else:
        params["binCount"] = spec["bin_count"]
    if spec.get("range"):
        params["resegmentRange"] = spec["range"]
        params["resegmentMode"] = "absolute"
    extractor = featureextractor.RadiomicsFeatureExtractor(**params)
    extractor.disableAllImageTypes()
    extractor.enableImageTypeByName("Original")
    extractor.disableAllFeatures()
    for family in FAMILIES:
        extractor.enableFeatureClassByName(family)
    t0 = time.perf_counter()
    result = extractor.execute(image, mask)
    t1 = time.perf_counter()
    features = [k for k in result if not k.startswith("diagnostics_")]
    voxels = result.get("diagnostics_Mask-resegmented_VoxelNum", result.get("diagnostics_Mask-interpolated_VoxelNum"))
    print(json.dumps({"features": len(features), "roi_voxels": int(voxels) if voxels is not None else None,
                      "extract_seconds": t1 - t0, "import_seconds": t0 - start}))


if __name__ == "__main__":
    main()
