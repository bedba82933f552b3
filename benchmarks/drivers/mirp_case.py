"""Extracts the MIRP feature set (all families, 3D average and 3D merged) of one case.

usage: mirp_case.py IMAGE MASK SETTINGS_JSON
SETTINGS_JSON: {"modality": "CT"|"PT"|"MR", "spacing": mm, "bin_width": w | "bin_count": n,
                "range": [lo, hi] | null, "ivh": {"bin_width": w} | {"bin_count": n}}
Prints one JSON line: number of feature values, in-process seconds.
"""
import json
import sys
import time
import warnings

start = time.perf_counter()
import mirp  # noqa: E402

SPATIAL = ["3d_average", "3d_volume_merge"]


def main() -> None:
    image, mask, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    warnings.simplefilter("ignore")
    kwargs = dict(
        image=image,
        mask=mask,
        image_modality=spec["modality"],
        by_slice=False,
        ibsi_compliant=True,
        new_spacing=float(spec["spacing"]),
        spline_order=1,
        anti_aliasing=False,
        roi_spline_order=1,
        roi_interpolation_mask_inclusion_threshold=0.5,
        base_feature_families="all",
        glcm_spatial_method=SPATIAL,
        glrlm_spatial_method=SPATIAL,
        glszm_spatial_method=["3d"],
        gldzm_spatial_method=["3d"],
        ngtdm_spatial_method=["3d"],
        ngldm_spatial_method=["3d"],
    )
    if "bin_width" in spec:
        kwargs.update(base_discretisation_method="fixed_bin_size", base_discretisation_bin_width=float(spec["bin_width"]))
    else:
        kwargs.update(base_discretisation_method="fixed_bin_number", base_discretisation_n_bins=int(spec["bin_count"]))
    if spec.get("range"):
        kwargs["resegmentation_intensity_range"] = [float(v) for v in spec["range"]]
    ivh = spec.get("ivh") or {}
    if "bin_width" in ivh:
        kwargs.update(ivh_discretisation_method="fixed_bin_size", ivh_discretisation_bin_width=float(ivh["bin_width"]))
    elif "bin_count" in ivh:
        kwargs.update(ivh_discretisation_method="fixed_bin_number", ivh_discretisation_n_bins=int(ivh["bin_count"]))
    t0 = time.perf_counter()
    tables = mirp.extract_features(**kwargs)
    t1 = time.perf_counter()
    table = tables[0]
    features = [c for c in table.columns if not (c.startswith("sample_") or c.startswith("image_") or c.startswith("roi_"))]
    print(json.dumps({"features": len(features), "rows": len(table), "extract_seconds": t1 - t0,
                      "import_seconds": t0 - start}))


if __name__ == "__main__":
    main()
