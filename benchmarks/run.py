#!/usr/bin/env python3
"""Side-by-side benchmark of SwiftRadiomics, PyRadiomics and MIRP.

Every run is a fresh process (our binary, or a small Python driver per case for the peers); its
wall time and peak resident memory (ru_maxrss from wait4) are recorded. Tools alternate case by
case and repeat by repeat; the report gives medians. Results are saved as JSON after every run,
so a long run can be watched, and the Markdown report can be rebuilt from them (--render).

    benchmarks/.venv/bin/python benchmarks/run.py                      # everything, 3 repeats
    benchmarks/.venv/bin/python benchmarks/run.py --cases phantom --repeats 1
    benchmarks/.venv/bin/python benchmarks/run.py --cases sts-ct --patients STS_001,STS_002
    benchmarks/.venv/bin/python benchmarks/run.py --render benchmarks/results/latest.json
"""
from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DRIVERS = HERE / "drivers"
CONFIGS = HERE / "configs"
TOOLS = ["ours", "pyradiomics", "mirp"]
TOOL_NAMES = {"ours": "SwiftRadiomics", "pyradiomics": "PyRadiomics", "mirp": "MIRP"}
GROUPS = ["phantom", "sts-ct", "sts-pet", "sts-mr"]
GROUP_NAMES = {"phantom": "IBSI CT phantom, 1 mm", "sts-ct": "STS CT, 2 mm", "sts-pet": "STS PET, 2 mm",
               "sts-mr": "STS MR T1, 2 mm"}
MODALITY_FILES = {"sts-ct": ("CT", "CT"), "sts-pet": ("PET", "PT"), "sts-mr": ("MR_T1", "MR")}


# --------------------------------------------------------------------------------------------
# Cases


def make_cases(groups: list[str], sts_root: Path, patients: list[str] | None) -> list[dict]:
    """The benchmark cases: settings for every tool, in the order they run."""
    cases = []
    if "phantom" in groups:
        base = ROOT / "ibsi-phantoms/ct_phantom/nifti"
        cases.append({
            "id": "ct-phantom-1mm", "group": "phantom",
            "image": str(base / "image/phantom.nii.gz"), "mask": str(base / "mask/mask.nii.gz"),
            "config": str(CONFIGS / "ct-phantom-1mm.yaml"),
            "spec": {"modality": "CT", "spacing": 1, "bin_width": 25, "range": [-1000, 400], "ivh": {"bin_width": 2.5}},
        })
    for group in [g for g in GROUPS if g.startswith("sts-") and g in groups]:
        prefix, modality = MODALITY_FILES[group]
        for patient in sorted(p.name for p in sts_root.glob("STS_*") if p.is_dir()):
            if patients and patient not in patients:
                continue
            image, mask = sts_root / patient / f"{prefix}_image.nii.gz", sts_root / patient / f"{prefix}_mask.nii.gz"
            if not (image.exists() and mask.exists()):
                continue
            if group == "sts-ct":
                spec = {"modality": "CT", "spacing": 2, "bin_width": 25, "range": [-1000, 400], "ivh": {"bin_width": 2.5}}
                config = CONFIGS / "sts-ct-2mm.yaml"
            else:
                spec = {"modality": modality, "spacing": 2, "bin_count": 32, "range": None, "ivh": {"bin_count": 1000}}
                config = CONFIGS / "sts-fbn32-2mm.yaml"
            cases.append({"id": f"{patient}-{prefix}", "group": group, "image": str(image), "mask": str(mask),
                          "config": str(config), "spec": spec})
    return cases


def missing_sts(sts_root: Path, groups: list[str]) -> list[str]:
    out = []
    for group in [g for g in GROUPS if g.startswith("sts-") and g in groups]:
        prefix, _ = MODALITY_FILES[group]
        for patient in sorted(p.name for p in sts_root.glob("STS_*") if p.is_dir()):
            if not (sts_root / patient / f"{prefix}_image.nii.gz").exists() or not (sts_root / patient / f"{prefix}_mask.nii.gz").exists():
                out.append(f"{patient} {prefix}")
    return out


# --------------------------------------------------------------------------------------------
# Running one process


def run_process(argv: list[str], timeout: float) -> dict:
    """Runs argv as a fresh process; returns wall seconds, peak RSS (MiB), exit code, output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT)
        # A blocking wait (a timer kills the process past the timeout): polling would add up to
        # its interval to every run, a noticeable share of a run of a few tens of milliseconds.
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"seconds": wall, "rss_mib": usage.ru_maxrss / 1024.0, "user": usage.ru_utime, "sys": usage.ru_stime,
                "exit": proc.returncode, "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace")}


def parse_timings(stderr: str) -> dict[str, float]:
    steps = {}
    for line in stderr.splitlines():
        m = re.match(r"^(.*\S)\s+([0-9.]+) s$", line)
        if m:
            steps[m.group(1)] = steps.get(m.group(1), 0.0) + float(m.group(2))
    return steps


_CATALOGUE: set[str] = set()


def catalogue_tags(binary: str) -> set[str]:
    """Feature tags of our catalogue (`radiomics features`), to count feature columns."""
    if not _CATALOGUE:
        out = subprocess.run([binary, "features"], capture_output=True, text=True, check=True).stdout
        _CATALOGUE.update(line.split(",", 1)[0] for line in out.splitlines()[1:])
    return _CATALOGUE


def run_tool(tool: str, case: dict, args) -> dict:
    if tool == "ours":
        argv = [args.binary, "extract", case["image"], case["mask"], "--config", case["config"], "--timings"]
    else:
        driver = DRIVERS / ("pyradiomics_case.py" if tool == "pyradiomics" else "mirp_case.py")
        argv = [args.python, str(driver), case["image"], case["mask"], json.dumps(case["spec"])]
    r = run_process(argv, args.timeout)
    rec = {"tool": tool, "case": case["id"], "seconds": r["seconds"], "rss_mib": r["rss_mib"],
           "cpu_seconds": r["user"] + r["sys"], "exit": r["exit"]}
    if r["exit"] != 0:
        rec["error"] = (r["stderr"].strip().splitlines() or ["(no message)"])[-1][:300]
        return rec
    if tool == "ours":
        rec["timings"] = parse_timings(r["stderr"])
        rows = list(csv.reader(io.StringIO(r["stdout"])))
        header, row = rows[0], rows[1]
        values = dict(zip(header, row))
        rec["roi_voxels"] = int(float(values["morph_mask_vox_count_interp_roi"]))
        rec["roi_voxels_reseg"] = int(float(values["int_mask_vox_count_reseg_roi"]))
        # The loaded image as the pipeline holds it (32-bit floats), for the memory target.
        dims = [int(float(values[f"img_dim_{a}_init_img"])) for a in "xyz"]
        rec["image_mib"] = dims[0] * dims[1] * dims[2] * 4 / 2**20
        rec["features"] = sum(1 for h in header if h in catalogue_tags(args.binary))
        rec["in_process_seconds"] = rec["timings"].get("total")
    else:
        info = json.loads(r["stdout"].strip().splitlines()[-1])
        rec["features"] = info["features"]
        rec["in_process_seconds"] = info["extract_seconds"]
        rec["import_seconds"] = info["import_seconds"]
        if info.get("roi_voxels") is not None:
            rec["roi_voxels"] = info["roi_voxels"]
    return rec


# --------------------------------------------------------------------------------------------
# Batch throughput


def run_batch(cases: list[dict], args, results: dict, save) -> None:
    """`radiomics batch` over the STS cases (one manifest per settings file), --jobs 1 and 2."""
    sts = [c for c in cases if c["group"].startswith("sts-")]
    if not sts:
        return
    work = Path(tempfile.mkdtemp(prefix="radiomics-bench-"))
    manifests = []
    for config in sorted({c["config"] for c in sts}):
        path = work / (Path(config).stem + ".csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["id", "image", "mask"])
            for c in sts:
                if c["config"] == config:
                    w.writerow([c["id"], c["image"], c["mask"]])
        manifests.append((path, config))
    results["batch"] = {"cases": len(sts), "runs": []}
    # (jobs, cores): one job already spreads a case's families over every core, so one job
    # pinned to one core (taskset) is the baseline for how the batch scales with cores.
    settings = [(1, 1), (1, None), (2, None)]
    for rep in range(args.batch_repeats):
        for jobs, cores in (settings if rep % 2 == 0 else list(reversed(settings))):
            total, peak = 0.0, 0.0
            for manifest, config in manifests:
                out = work / f"out-{jobs}.csv"
                for stale in (out, Path(str(out) + ".json")):
                    stale.unlink(missing_ok=True)
                pin = ["taskset", "-c", ",".join(str(c) for c in range(cores))] if cores else []
                r = run_process(pin + [args.binary, "batch", str(manifest), "--config", config, "-o", str(out),
                                       "--jobs", str(jobs), "--quiet"], args.timeout)
                if r["exit"] != 0:
                    raise SystemExit(f"batch failed: {r['stderr']}")
                total += r["seconds"]
                peak = max(peak, r["rss_mib"])
            results["batch"]["runs"].append({"jobs": jobs, "cores": cores, "seconds": total, "rss_mib": peak})
            print(f"  batch --jobs {jobs}{f' on {cores} core(s)' if cores else ''}: {total:.2f} s for {len(sts)} cases",
                  flush=True)
            save()


# --------------------------------------------------------------------------------------------
# Environment


def sh(cmd: str) -> str:
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, cwd=ROOT, timeout=60).stdout.strip()
    except Exception:  # noqa: BLE001
        return ""


def environment(args) -> dict:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    versions = json.loads(sh(f"{shlex.quote(args.python)} -c \"import json, importlib.metadata as m; "
                             "print(json.dumps({p: m.version(p) for p in ['pyradiomics-bhklab', 'mirp', 'numpy', "
                             "'SimpleITK', 'scipy', 'pandas']}))\"") or "{}")
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": sh("sh -c '. /etc/os-release && echo $PRETTY_NAME'") or platform.platform(),
        "kernel": platform.release(),
        "ours": sh(f"{shlex.quote(args.binary)} --version"), "commit": sh("git rev-parse --short HEAD"),
        "swift": sh("swift --version 2>&1 | head -1"),
        "python": sh(f"{shlex.quote(args.python)} -c 'import platform; print(platform.python_version())'"),
        "packages": versions, "load_start": os.getloadavg(),
        # Resident memory of a process that only starts and exits: the floor under every case.
        "startup_mib": run_process([args.binary, "--version"], 60)["rss_mib"],
    }


# --------------------------------------------------------------------------------------------
# Report


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(v, digits=2):
    if v is None:
        return "–"
    return f"{v:.{digits}f}"


def summarise(results: dict) -> dict:
    """Per case and tool: medians over the successful runs."""
    table = {}
    for rec in results["runs"]:
        table.setdefault(rec["case"], {}).setdefault(rec["tool"], []).append(rec)
    out = {}
    for case in results["cases"]:
        row = {}
        for tool, recs in table.get(case["id"], {}).items():
            ok = [r for r in recs if r["exit"] == 0]
            row[tool] = {
                "n": len(ok), "failed": len(recs) - len(ok),
                "seconds": med([r["seconds"] for r in ok]), "rss_mib": med([r["rss_mib"] for r in ok]),
                "in_process": med([r.get("in_process_seconds") for r in ok]),
                "cpu": med([r.get("cpu_seconds") for r in ok]),
                "features": ok[0]["features"] if ok else None, "roi_voxels": ok[0].get("roi_voxels") if ok else None,
                "image_mib": ok[0].get("image_mib") if ok else None,
                "error": next((r.get("error") for r in recs if r["exit"] != 0), None),
            }
            if tool == "ours" and ok:
                steps = {}
                for r in ok:
                    for k, v in r.get("timings", {}).items():
                        steps.setdefault(k, []).append(v)
                row[tool]["steps"] = {k: statistics.median(v) for k, v in steps.items()}
        out[case["id"]] = row
    return out


def geomean(values):
    values = [v for v in values if v]
    if not values:
        return None
    p = 1.0
    for v in values:
        p *= v
    return p ** (1 / len(values))


def render(results: dict) -> str:
    env = results["env"]
    summary = summarise(results)
    cases = results["cases"]
    tools = [t for t in TOOLS if any(r["tool"] == t for r in results["runs"])]
    pk = env.get("packages", {})
    lines = ["# Benchmarks", ""]
    lines += [
        "SwiftRadiomics side by side with PyRadiomics and MIRP on the same cases with the same settings. "
        "Every number is the whole process (start, load, resample, compute, write), one fresh process per case "
        "per tool, median of the repeats; peak memory is the maximum resident set size of that process. The "
        "tools alternate case by case, and their order rotates from repeat to repeat.",
        "",
        "Reproduce with `make bench` (creates `benchmarks/.venv` with the two Python packages, builds the release "
        "binary, runs everything and rewrites this page), or pick cases and repeats:",
        "",
        "```",
        results.get("command", "benchmarks/.venv/bin/python benchmarks/run.py"),
        "```",
        "",
        "## Machine",
        "",
        f"- CPU: {env['cpu']}, {env['cores']} cores; {env['memory_gib']} GiB memory; {env['os']}, Linux {env['kernel']}",
        f"- Load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in env['load_start'])}; "
        f"at the end: {', '.join(f'{x:.2f}' for x in env.get('load_end', env['load_start']))}. The machine is shared "
        "with other builds, so single timings are noisy; medians of alternating runs are given.",
        f"- SwiftRadiomics {env['ours']} (commit {env['commit']}), release build, {env['swift']}",
        f"- Python {env['python']}: pyradiomics-bhklab {pk.get('pyradiomics-bhklab', '?')}, mirp {pk.get('mirp', '?')}, "
        f"numpy {pk.get('numpy', '?')}, SimpleITK {pk.get('SimpleITK', '?')}, scipy {pk.get('scipy', '?')}, "
        f"pandas {pk.get('pandas', '?')}",
        f"- Run on {env['date']}; {results['repeats']} repeat(s) per case and tool; "
        f"{len(cases)} cases.",
        "",
    ]
    if results.get("missing"):
        lines += [f"The STS set lacks {', '.join(results['missing'])} (not in the data); those cases are left out.", ""]

    # Settings.
    lines += [
        "## Cases and settings",
        "",
        "| case | resampling | re-segmentation | discretisation | IVH |",
        "|---|---|---|---|---|",
        "| (a) IBSI CT phantom | 1 mm isotropic, trilinear | [-1000, 400] HU | fixed bin size 25 HU | bin size 2.5 HU |",
        "| (b) STS CT | 2 mm isotropic, trilinear | [-1000, 400] HU | fixed bin size 25 HU | bin size 2.5 HU |",
        "| (b) STS PET, MR T1 | 2 mm isotropic, trilinear | none | fixed bin number 32 | 1000 bins |",
        "",
        "- SwiftRadiomics: every family (morphology, local intensity, statistics, intensity histogram, IVH, GLCM, "
        "GLRLM, GLSZM, GLDZM, NGTDM, NGLDM) with every aggregation (2D, 2.5D and 3D), image and mask interpolated "
        "trilinearly (mask threshold 0.5); settings in `benchmarks/configs/`.",
        "- PyRadiomics: its 7 default 3D families (`firstorder`, `shape`, `glcm`, `glrlm`, `glszm`, `gldm`, `ngtdm`, "
        "all features) on the `Original` image, `resampledPixelSpacing`, `interpolator: sitkLinear`, `binWidth` or "
        "`binCount`, `resegmentRange` (CT). PyRadiomics resamples the mask with nearest neighbours (no option "
        "for a trilinear mask) and does not compute local intensity, IVH, GLDZM or 2D/2.5D aggregations.",
        "- MIRP: `mirp.extract_features` with all base feature families, 3D average and 3D merged texture "
        "aggregation, `new_spacing`, `spline_order=1`, `anti_aliasing=False`, `roi_spline_order=1`, "
        "`roi_interpolation_mask_inclusion_threshold=0.5`, the same discretisation, re-segmentation and IVH. "
        "MIRP's default `no_approximation=False` is kept: it approximates Moran's I and Geary's C on large ROIs, "
        "which SwiftRadiomics computes exactly (all voxel pairs, by FFT); PyRadiomics does not compute them.",
        "- Drivers: `benchmarks/drivers/pyradiomics_case.py` and `mirp_case.py`, one Python process per case. "
        "Their whole-process time includes the Python start and the package imports (given apart below).",
        "",
    ]

    # Main table.
    lines += ["## Per case", "", "Median wall time of the whole process in seconds, ROI voxels after resampling "
              "(SwiftRadiomics' morphological mask), and how many times longer the peers take.", ""]
    head = ["case", "ROI voxels"] + [f"{TOOL_NAMES[t]} s" for t in tools]
    head += [f"{TOOL_NAMES[t]} / ours" for t in tools if t != "ours"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ratios = {t: {} for t in tools if t != "ours"}
    cpu_ratios = {t: {} for t in tools if t != "ours"}
    for case in cases:
        row = summary.get(case["id"], {})
        ours = row.get("ours", {})
        cells = [case["id"], str(ours.get("roi_voxels") or "–")]
        for t in tools:
            s = row.get(t, {})
            cells.append(fmt(s.get("seconds"), 3 if t == "ours" else 2) + (" (failed)" if s.get("error") and not s.get("n") else ""))
        for t in ratios:
            a, b = row.get(t, {}).get("seconds"), ours.get("seconds")
            r = a / b if a and b else None
            ratios[t][case["id"]] = r
            a, b = row.get(t, {}).get("cpu"), ours.get("cpu")
            cpu_ratios[t][case["id"]] = a / b if a and b else None
            cells.append(fmt(r, 1) + ("×" if r else ""))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")

    lines += ["Peak memory (maximum resident set size, MiB) and CPU time (user + system seconds, median) of the "
              "same runs. CPU time suffers less than wall time from other work on a shared machine (a process "
              "that waits for a core accrues wall time, not CPU time); it counts every thread of the process. "
              "Input MiB is the loaded image as 32-bit floats, the form the pipeline holds it in; the next columns "
              "divide our peak by it, as it is and less the "
              + (f"{env['startup_mib']:.0f} MiB " if env.get("startup_mib") else "")
              + "that `radiomics --version` takes (code and runtime, the same for every case).", ""]
    head = ["case", "input MiB"] + [f"{TOOL_NAMES[t]} MiB" for t in tools] + ["ours / input", "(ours − start-up) / input"]
    head += [f"{TOOL_NAMES[t]} CPU s" for t in tools]
    head += [f"{TOOL_NAMES[t]} / ours (CPU)" for t in tools if t != "ours"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in cases:
        row = summary.get(case["id"], {})
        image = row.get("ours", {}).get("image_mib")
        peak = row.get("ours", {}).get("rss_mib")
        cells = [case["id"], fmt(image, 1)] + [fmt(row.get(t, {}).get("rss_mib"), 0) for t in tools]
        cells.append(fmt(peak / image, 1) + "×" if peak and image else "–")
        floor = env.get("startup_mib")
        cells.append(fmt((peak - floor) / image, 1) + "×" if peak and image and floor else "–")
        cells += [fmt(row.get(t, {}).get("cpu"), 3 if t == "ours" else 2) for t in tools]
        for t in cpu_ratios:
            r = cpu_ratios[t].get(case["id"])
            cells.append(fmt(r, 1) + ("×" if r else ""))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")

    # Group summary.
    lines += ["## Ratios by case group", "",
              "Geometric mean (and minimum) over the cases of a group of the peer's time divided by ours "
              "(whole process); the CPU column divides CPU times. The in-process columns divide the time each tool spends inside its extraction "
              "call (PyRadiomics `execute`, MIRP `extract_features`, our `--timings` total), leaving out process "
              "start, imports and output.", ""]
    head = ["group", "cases", "ours s (median)"]
    for t in ratios:
        head += [f"{TOOL_NAMES[t]} / ours", "min", f"CPU {TOOL_NAMES[t]} / ours",
                 f"in-process {TOOL_NAMES[t]} / ours"]
    head += ["target PyRadiomics / MIRP"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for group in GROUPS:
        ids = [c["id"] for c in cases if c["group"] == group]
        if not ids:
            continue
        cells = [GROUP_NAMES[group], str(len(ids)), fmt(med([summary[i].get("ours", {}).get("seconds") for i in ids]), 3)]
        for t in ratios:
            rs = [ratios[t].get(i) for i in ids]
            inproc = []
            for i in ids:
                a, b = summary[i].get(t, {}).get("in_process"), summary[i].get("ours", {}).get("in_process")
                inproc.append(a / b if a and b else None)
            good = [r for r in rs if r]
            cpu = [cpu_ratios[t].get(i) for i in ids]
            cells += [fmt(geomean(rs), 1) + "×" if good else "–", fmt(min(good), 1) + "×" if good else "–",
                      fmt(geomean(cpu), 1) + "×" if any(cpu) else "–",
                      fmt(geomean(inproc), 1) + "×" if any(inproc) else "–"]
        cells.append("≥ 50× / ≥ 200×" if group == "phantom" else "≥ 20× / ≥ 100×")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")

    # Feature counts and imports.
    lines += ["## Work done", "", "Feature values each tool returns per case (first case of each group), and the "
              "median time the Python drivers spend importing their package before the extraction starts.", ""]
    head = ["group"] + [f"{TOOL_NAMES[t]} features" for t in tools] + [f"{TOOL_NAMES[t]} import s" for t in tools if t != "ours"]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for group in GROUPS:
        ids = [c["id"] for c in cases if c["group"] == group]
        if not ids:
            continue
        cells = [GROUP_NAMES[group]]
        for t in tools:
            cells.append(str(summary[ids[0]].get(t, {}).get("features") or "–"))
        for t in tools:
            if t == "ours":
                continue
            imports = [r.get("import_seconds") for r in results["runs"] if r["tool"] == t and r["exit"] == 0
                       and r["case"] in ids]
            cells.append(fmt(med(imports), 2))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")

    failures = [r for r in results["runs"] if r["exit"] != 0]
    if failures:
        lines += ["Failed runs:", ""]
        for r in failures:
            lines.append(f"- {TOOL_NAMES[r['tool']]} on {r['case']}: exit {r['exit']}: `{r.get('error', '')}`")
        lines.append("")

    # Batch.
    batch = results.get("batch")
    if batch and batch["runs"]:
        lines += ["## Batch throughput (STS set)", "",
                  f"`radiomics batch` over the {batch['cases']} STS cases (one manifest per settings file: CT, and "
                  "PET + MR), whole processes, median over the repeats.", "",
                  "| --jobs | cores | seconds | cases / s | peak MiB | speed-up over 1 job on 1 core |",
                  "|---|---|---|---|---|---|"]
        keys = sorted({(r["jobs"], r.get("cores") or 0) for r in batch["runs"]}, key=lambda k: (k[0], k[1] == 0, k[1]))

        def batch_median(key, field):
            return med([r[field] for r in batch["runs"] if (r["jobs"], r.get("cores") or 0) == key])

        base = batch_median((1, 1), "seconds")
        for key in keys:
            s, m = batch_median(key, "seconds"), batch_median(key, "rss_mib")
            lines.append(f"| {key[0]} | {key[1] or env.get('cores', 'all')} | {fmt(s, 2)} | {fmt(batch['cases'] / s, 2)} | "
                         f"{fmt(m, 0)} | {fmt(base / s, 2) + '×' if base else '–'} |")
        lines += ["", "One job spreads a case's feature families over all cores already, so the first row pins it "
                  "to one core (`taskset -c 0`): the last row divided by it is how the batch scales from one core "
                  "to two. Cores shared with other work make that a lower bound of what an idle machine gives.", ""]

    # Per family.
    lines += ["## Where our time goes", "",
              "Median per-step times of SwiftRadiomics' `--timings` (seconds inside the process; the rest of the "
              "whole-process time is start-up and output). STS columns: mean over the cases of the group.", ""]
    groups = [g for g in GROUPS if any(c["group"] == g for c in cases)]
    steps_order = []
    for case in cases:
        for k in summary.get(case["id"], {}).get("ours", {}).get("steps", {}):
            if k not in steps_order:
                steps_order.append(k)
    if "total" in steps_order:
        steps_order.remove("total")
        steps_order.append("total")
    lines += ["| step | " + " | ".join(GROUP_NAMES[g] for g in groups) + " |", "|---|" + "---|" * len(groups)]
    for step in steps_order:
        cells = [step if step != "total" else "**total in process**"]
        for g in groups:
            vals = [summary[c["id"]].get("ours", {}).get("steps", {}).get(step) for c in cases if c["group"] == g]
            vals = [v for v in vals if v is not None]
            tot = [summary[c["id"]].get("ours", {}).get("steps", {}).get("total") for c in cases if c["group"] == g]
            tot = [v for v in tot if v]
            if vals:
                m = sum(vals) / len(vals)
                share = m / (sum(tot) / len(tot)) * 100 if tot else None
                cells.append(f"{m:.4f}" + (f" ({share:.0f} %)" if share is not None and step != "total" else ""))
            else:
                cells.append("–")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += render_profile()
    if results.get("notes"):
        lines += ["## Notes", ""] + [f"- {n}" for n in results["notes"]] + [""]
    return "\n".join(lines)


PROFILE_LINE = re.compile(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*) \[(.*)\]$")
PROFILE_STEPS = [
    ("load image", "ImageLoader.load("), ("load mask", "MaskLoader.prepare(", "MaskLoader.load("),
    ("interpolation", "Interpolation.applyToRegion("), ("diagnostics", "Diagnostics.values("),
    ("discretisation", "Discretisation.discretise("),
    ("morph (Moran's I / Geary's C, on a thread of their own)", "MorphologyFeatures.autocorrelation("),
    ("morph (shape: mesh, hull, enclosing shapes; from the mask while the image loads)", "MorphologicalShape.init("),
    ("morph (intensity-based: centre of mass shift, integrated intensity)", "MorphologyFeatures.compute("),
    ("  of which mesh (marching cubes)", "TriangleMesh.init("), ("  of which convex hull", "ConvexHull3D.init("),
    ("loc", "LocalIntensityFeatures.compute("), ("stat", "StatisticsFeatures.compute("),
    ("ih", "IntensityHistogramFeatures.compute("), ("ivh", "IntensityVolumeHistogramFeatures.compute("),
    ("cm", "CooccurrenceFeatures.compute("), ("rlm", "RunLengthFeatures.compute(", "RunLengthMatrices.init("),
    ("szm", "SizeZoneFeatures.compute("), ("dzm", "DistanceZoneFeatures.compute("),
    ("szm+dzm (one zone labelling for both)", "DistanceZoneFeatures.computeWithSizeZone("),
    ("ngt", "NeighbourhoodGreyToneDifferenceFeatures.compute("), ("ngl", "DependenceFeatures.compute("),
]


def read_profile(path: Path) -> list[tuple[int, float, str, str]]:
    rows = []
    if not path.exists():
        return rows
    for line in path.read_text(errors="replace").splitlines():
        m = PROFILE_LINE.match(line)
        if m and "PROGRAM TOTALS" not in line:
            location = m.group(3)
            function = location.split(":", 1)[1] if ":" in location else location
            rows.append((int(m.group(1).replace(",", "")), float(m.group(2)), function, Path(m.group(4)).name))
    return rows


def render_profile() -> list[str]:
    """The callgrind profile written by benchmarks/profile.sh, when there is one."""
    results = HERE / "results"
    own, inclusive = read_profile(results / "callgrind-self.txt"), read_profile(results / "callgrind-inclusive.txt")
    if not own or not inclusive:
        return []
    total = re.search(r"([\d,]+) \(100.0%\)\s+PROGRAM TOTALS", (results / "callgrind-self.txt").read_text())
    lines = ["## Instruction profile (IBSI CT phantom, 1 mm)", "",
             "`make bench-profile` (valgrind callgrind, instruction counts, which do not depend on the load of "
             "the machine)" + (f": {int(total.group(1).replace(',', '')) / 1e9:.1f} billion instructions in all."
                               if total else "."), "",
             "Inclusive instructions per step (the step's entry points and everything they call). A chunk "
             "of a step that another thread takes over (`Parallel.forEachChunk`: Moran/Geary planes, the "
             "enclosing-shape searches) is counted under that thread's worker, not under the step, so these "
             "rows are lower bounds; the table of functions below counts everything.", "",
             "| step | instructions (10⁹) | share |", "|---|---|---|"]
    for name, *needles in PROFILE_STEPS:
        n = share = 0.0
        for needle in needles:  # entry points that do not call one another
            hits = [r for r in inclusive if needle in r[2]]
            if hits:
                best = max(hits, key=lambda r: r[0])
                n, share = n + best[0], share + best[1]
        if n:
            lines.append(f"| {name} | {n / 1e9:.2f} | {share:.1f} % |")
    lines += ["", "Functions with the most instructions of their own:", "",
              "| function | instructions (10⁹) | share |", "|---|---|---|"]
    for n, share, function, obj in own[:15]:
        where = "" if obj.startswith("radiomics") else f" ({obj})"
        lines.append(f"| `{function}`{where} | {n / 1e9:.2f} | {share:.1f} % |")
    lines.append("")
    return lines


# --------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="phantom,sts-ct,sts-pet,sts-mr",
                    help="comma-separated groups: phantom, sts-ct, sts-pet, sts-mr (default: all)")
    ap.add_argument("--patients", help="comma-separated STS patients, e.g. STS_001,STS_002 (default: all)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per case and tool (default 3)")
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated: ours, pyradiomics, mirp")
    ap.add_argument("--batch-repeats", type=int, default=3, help="runs of radiomics batch per --jobs value (0: none)")
    ap.add_argument("--sts-root", default="/work/shared/data/sts", help="folder with STS_0NN/ (default %(default)s)")
    ap.add_argument("--binary", default=str(ROOT / ".build-static/release/radiomics"))
    ap.add_argument("--python", default=sys.executable, help="Python with pyradiomics and mirp (default: this one)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a run is killed")
    ap.add_argument("--results", default=str(HERE / "results/latest.json"), help="JSON results file")
    ap.add_argument("--output", default=str(ROOT / "docs/benchmarks.md"), help="Markdown report")
    ap.add_argument("--note", action="append", default=[], help="a note for the report (repeatable)")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only rebuild the report from saved results")
    args = ap.parse_args()

    if args.render:
        results = json.loads(Path(args.render).read_text())
        results["notes"] = results.get("notes", []) + args.note
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(render(results))
        print(f"wrote {args.output}")
        return

    groups = [g.strip() for g in args.cases.split(",") if g.strip()]
    bad = [g for g in groups if g not in GROUPS]
    if bad:
        ap.error(f"unknown case group(s) {bad}; use {GROUPS}")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if any(t not in TOOLS for t in tools):
        ap.error(f"unknown tool in {tools}; use {TOOLS}")
    patients = args.patients.split(",") if args.patients else None
    sts_root = Path(args.sts_root)
    cases = make_cases(groups, sts_root, patients)
    if not cases:
        ap.error("no case selected")
    if not Path(args.binary).exists():
        ap.error(f"{args.binary} not found: build it with `swift build -c release --product radiomics`")

    argv_text = " ".join(shlex.quote(a) for a in sys.argv[1:])
    results = {
        "command": f"benchmarks/.venv/bin/python benchmarks/run.py {argv_text}".strip(),
        "env": environment(args), "repeats": args.repeats, "cases": cases, "runs": [],
        "missing": [m for m in missing_sts(sts_root, groups)
                    if not patients or m.split()[0] in patients],
        "notes": args.note,
    }
    out_json = Path(args.results)
    out_json.parent.mkdir(parents=True, exist_ok=True)

    def save():
        out_json.write_text(json.dumps(results, indent=1))

    print(f"{len(cases)} cases x {len(tools)} tools x {args.repeats} repeats; results in {out_json}", flush=True)
    for rep in range(args.repeats):
        for n, case in enumerate(cases):
            k = (rep + n) % len(tools)
            order = tools[k:] + tools[:k]
            for tool in order:
                rec = run_tool(tool, case, args)
                rec["repeat"] = rep
                rec["load"] = os.getloadavg()[0]
                results["runs"].append(rec)
                status = "ok" if rec["exit"] == 0 else f"FAILED ({rec.get('error', '')})"
                print(f"[{rep + 1}/{args.repeats}] {case['id']:<18} {tool:<12} {rec['seconds']:8.3f} s "
                      f"{rec['rss_mib']:7.0f} MiB  {status}", flush=True)
                save()
    if args.batch_repeats > 0 and "ours" in tools:
        run_batch(cases, args, results, save)
    results["env"]["load_end"] = os.getloadavg()
    save()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(render(results))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
