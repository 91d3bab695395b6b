"""Report batch vs the naive way, on SYNTHETIC localities (chitieu.synthetic: the Mường Ảng table scaled).

Naive, per locality, as a user would script it:
  1. ``papermill notebooks/locality_report.ipynb <out>/report.ipynb -p locality <id>``   (CLI: new kernel each time)
  2. ``jupyter nbconvert --to html --no-input <out>/report.ipynb``
  3. a Python process that reads the notebook's charts and calls ``fig.write_image`` once per chart and format
     (kaleido 1.x starts a browser for each call)
  4. ``chitieu table <id> --format xlsx --output <out>/bieu-ket-qua.xlsx``
Batch: ``chitieu run <ids…> --out <out> --workers 2`` (warm kernel and one browser per worker).

Both are run in this one command, on the same localities and data; the batch several times (median), the naive
loop once per size (it takes minutes). Writes benchmarks/results_reports.json; RESULTS.md quotes it.

    .venv/bin/python benchmarks/bench_reports.py --localities 20 --batch-runs 3
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "lib"))

from chitieu.io.synthetic import make_synthetic_data  # noqa: E402

EXPORT_SCRIPT = r"""
import json, sys
from pathlib import Path
import nbformat, plotly.io as pio
nb = nbformat.read(sys.argv[1], as_version=4)
out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
for cell in nb.cells:
    for o in cell.get("outputs", []):
        name = o.get("metadata", {}).get("chitieu_chart")
        spec = o.get("data", {}).get("application/vnd.plotly.v1+json")
        if name and spec:
            fig = pio.from_json(json.dumps(spec))
            fig.write_image(out / f"{name}.png", scale=2)
            fig.write_image(out / f"{name}.svg")
"""


def run(cmd: list[str], env: dict, cwd: Path = ROOT) -> None:
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")


def naive(ids: list[str], out: Path, env: dict) -> float:
    script = out / "export.py"
    out.mkdir(parents=True, exist_ok=True)
    script.write_text(EXPORT_SCRIPT, encoding="utf-8")
    start = time.perf_counter()
    for loc in ids:
        d = out / loc
        d.mkdir(parents=True, exist_ok=True)
        run([str(BIN / "papermill"), "--log-level", "ERROR", str(ROOT / "notebooks" / "locality_report.ipynb"),
             str(d / "report.ipynb"), "-p", "locality", loc], env)
        run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(d / "report.ipynb")], env)
        run([sys.executable, str(script), str(d / "report.ipynb"), str(d / "charts")], env)
        run([str(BIN / "chitieu"), "table", loc, "--format", "xlsx", "--output", str(d / "bieu-ket-qua.xlsx")], env)
    return time.perf_counter() - start


def batch(ids: list[str], out: Path, env: dict, workers: int) -> float:
    if out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    run([str(BIN / "chitieu"), "run", *ids, "--out", str(out), "--workers", str(workers)], env)
    return time.perf_counter() - start


def artefacts(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.suffix in
            (".ipynb", ".html", ".png", ".svg", ".xlsx")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--localities", type=int, default=20)
    ap.add_argument("--batch-runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chitieu-bench-"))
    ids = make_synthetic_data(work / "data", args.localities)
    env = dict(os.environ, CHITIEU_DATA=str(work / "data"))
    batch_times = [batch(ids, work / "batch", env, args.workers) for _ in range(args.batch_runs)]
    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "localities": len(ids), "workers": args.workers, "batch_runs_s": [round(t, 2) for t in batch_times],
        "batch_median_s": round(statistics.median(batch_times), 2),
    }
    if not args.skip_naive:
        naive_time = naive(ids, work / "naive", env)
        result["naive_s"] = round(naive_time, 2)
        result["ratio"] = round(naive_time / statistics.median(batch_times), 1)
        per_loc_b = {a.split("/", 1)[1] for a in artefacts(work / "batch") if "/" in a}
        per_loc_n = {a.split("/", 1)[1] for a in artefacts(work / "naive") if "/" in a}
        result["same_artefacts"] = per_loc_b == per_loc_n
        result["artefacts_only_batch"] = sorted(per_loc_b - per_loc_n)[:10]
        result["artefacts_only_naive"] = sorted(per_loc_n - per_loc_b)[:10]
    print(json.dumps(result, ensure_ascii=False, indent=1))
    (ROOT / "benchmarks" / "results_reports.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n",
                                                              encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
