"""Report batch vs the naive way, on SYNTHETIC localities (chitieu.io.synthetic: the Mường Ảng table scaled).

Naive, per locality, as a user would script it:
  1. ``papermill notebooks/locality_report.ipynb <out>/report.ipynb -p locality <id>``   (CLI: new kernel each time)
  2. ``jupyter nbconvert --to html --no-input <out>/report.ipynb``
  3. a Python process that reads the notebook's charts and calls ``fig.write_image`` once per chart and format
     (kaleido 1.x starts a browser for each call)
  4. ``chitieu table <id> --format xlsx --output <out>/bieu-ket-qua.xlsx``
run once serially (one process at a time) and once with two localities at a time (two processes), so that the
batch's two workers are compared with a naive loop that also uses both cores. The naive cost per locality does not
depend on the batch size (every step is a new process), so it is measured on a few localities and multiplied for
the larger sizes (marked "est.").

Batch: ``chitieu run <ids…> --out <fresh folder> --workers W --no-compare`` for each size × W (the reports; the
comparison page of all the localities is another job, timed on its own: the same command without ``--no-compare``
on the largest size), then the same command again on the largest size (nothing changed: every report is kept), and
the largest size on Dask (``--executor dask``, a ``LocalCluster`` of W workers).

All in this one command, same data, same machine; writes benchmarks/results_reports.json (RESULTS.md quotes it):

    .venv/bin/python benchmarks/bench_reports.py                       # sizes 1 4 20 100, workers 1 2
    .venv/bin/python benchmarks/bench_reports.py --sizes 1 4 --naive 2 # a quick look
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "lib"))

from chitieu.io.synthetic import make_synthetic_data  # noqa: E402

NATIONAL = 3300  # communes and wards since the 2025 reorganisation (≈ 3.321)

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

ARTEFACTS = (".ipynb", ".html", ".png", ".svg", ".xlsx")

# Where a locality's time goes, in CPU seconds of each process (this one, its kernel, its browser), localities
# rendered one after the other in one process (chitieu.report.runner.render_locality): the cost per locality
# without waiting or other sessions' load, which the wall times above include.
CPU_SCRIPT = r"""
import json, sys, time
from pathlib import Path
import psutil
import chitieu.report.runner as R
import chitieu.report.imagepage as IP
from chitieu.report.params import load_params

def cpu(pid):
    if not pid:
        return 0.0
    try:
        p = psutil.Process(pid)
        return sum(sum(q.cpu_times()[:2]) for q in [p, *p.children(recursive=True)])
    except psutil.Error:
        return 0.0

me = psutil.Process()
rows = []
for loc in sys.argv[2:]:
    k, page = R._KERNEL, IP._PAGE
    before = (sum(me.cpu_times()[:2]), cpu(k.pid() if k else None), cpu(page.browser_pid() if page else None))
    start = time.perf_counter()
    r = R.render_locality(load_params(loc), Path(sys.argv[1]))
    wall = time.perf_counter() - start
    k2, page2 = R._KERNEL, IP._PAGE
    after = (sum(me.cpu_times()[:2]), cpu(k2.pid() if k2 else None), cpu(page2.browser_pid() if page2 else None))
    same = (k is k2, page is page2)
    rows.append({"locality": loc, "ok": r.ok, "wall_s": round(wall, 2), "cpu_main_s": round(after[0] - before[0], 2),
                 "cpu_kernel_s": round(after[1] - (before[1] if same[0] else 0), 2),
                 "cpu_browser_s": round(after[2] - (before[2] if same[1] else 0), 2)})
print(json.dumps(rows))
"""


def _chitieu() -> list[str]:
    exe = BIN / "chitieu"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from chitieu.cli import main; main()"]


def run(cmd: list[str], env: dict, cwd: Path = ROOT) -> None:
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{r.stderr[-2000:]}")


def naive_one(loc: str, out: Path, env: dict, script: Path) -> None:
    d = out / loc
    d.mkdir(parents=True, exist_ok=True)
    run([str(BIN / "papermill"), "--log-level", "ERROR", str(ROOT / "notebooks" / "locality_report.ipynb"),
         str(d / "report.ipynb"), "-p", "locality", loc], env)
    run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(d / "report.ipynb")], env)
    run([sys.executable, str(script), str(d / "report.ipynb"), str(d / "charts")], env)
    run([*_chitieu(), "table", loc, "--format", "xlsx", "--output", str(d / "bieu-ket-qua.xlsx")], env)


def naive(ids: list[str], out: Path, env: dict, parallel: int) -> float:
    """The naive loop over ``ids``, ``parallel`` localities at a time (each in its own chain of processes)."""
    from concurrent.futures import ThreadPoolExecutor

    out.mkdir(parents=True, exist_ok=True)
    script = out / "export.py"
    script.write_text(EXPORT_SCRIPT, encoding="utf-8")
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(lambda loc: naive_one(loc, out, env, script), ids))
    return time.perf_counter() - start


def batch(ids: list[str], out: Path, env: dict, workers: int, *extra: str, fresh: bool = True) -> float:
    if fresh and out.exists():
        shutil.rmtree(out)
    start = time.perf_counter()
    run([*_chitieu(), "run", *ids, "--out", str(out), "--workers", str(workers), *extra], env)
    return time.perf_counter() - start


def per_locality_artefacts(folder: Path, ids: list[str]) -> dict[str, set[str]]:
    """The artefact files of each locality's own folder (the batch's index.html and compare/ are not per locality)."""
    return {loc: {str(p.relative_to(folder / loc)) for p in (folder / loc).rglob("*")
                  if p.is_file() and p.suffix in ARTEFACTS} for loc in ids if (folder / loc).is_dir()}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 20, 100])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--naive", type=int, default=4, help="localities the naive loop is measured on (0: skip)")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--cpu", type=int, default=6, help="localities for the CPU breakdown (0: skip)")
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results_reports.json")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chitieu-bench-"))
    largest = max(args.sizes)
    ids_all = make_synthetic_data(work / "data", max(largest, args.naive))
    env = dict(os.environ, CHITIEU_DATA=str(work / "data"), CHITIEU_CACHE=str(work / "cache"))
    result: dict = {
        "command": "python benchmarks/bench_reports.py " + " ".join(sys.argv[1:]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "localities": "SYNTHETIC (chitieu.io.synthetic: the Mường Ảng table scaled; 43 targets each)",
        "load_average_start": load(), "batch": [], "naive": {},
    }

    def say(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')} load {load()[0]}] {msg}", flush=True)

    batch_out = {}
    for n in args.sizes:
        for w in args.workers:
            out = work / f"batch-{n}-{w}"
            seconds = batch(ids_all[:n], out, env, w, "--no-compare")
            batch_out[(n, w)] = out
            row = {"localities": n, "workers": w, "seconds": round(seconds, 2), "per_locality_s": round(seconds / n, 2)}
            result["batch"].append(row)
            say(f"chitieu run, {n} localities, {w} worker(s): {seconds:.1f} s ({seconds / n:.2f} s a locality)")
    big, w_big = largest, max(args.workers)
    seconds = batch(ids_all[:big], batch_out[(big, w_big)], env, w_big, "--no-compare", fresh=False)
    result["rerun_unchanged"] = {"localities": big, "workers": w_big, "seconds": round(seconds, 2),
                                 "per_locality_s": round(seconds / big, 3)}
    say(f"the same {big} again, nothing changed: {seconds:.1f} s")
    if big >= 2:
        seconds = batch(ids_all[:big], work / "with-compare", env, w_big)
        result["with_comparison"] = {"localities": big, "workers": w_big, "seconds": round(seconds, 2),
                                     "per_locality_s": round(seconds / big, 2)}
        say(f"chitieu run with the comparison page, {big} localities: {seconds:.1f} s")
        seconds = batch(ids_all[:big], work / "with-compare", env, w_big, fresh=False)
        result["with_comparison_rerun_unchanged"] = {"seconds": round(seconds, 2)}
        say(f"the same again, nothing changed (reports and comparison kept): {seconds:.1f} s")
    if not args.no_dask:
        seconds = batch(ids_all[:big], work / "dask", env, w_big, "--executor", "dask", "--no-compare")
        result["dask"] = {"localities": big, "workers": w_big, "seconds": round(seconds, 2),
                          "per_locality_s": round(seconds / big, 2)}
        say(f"chitieu run --executor dask (LocalCluster, {w_big} workers), {big}: {seconds:.1f} s")
    if args.cpu:
        r = subprocess.run([sys.executable, "-c", CPU_SCRIPT, str(work / "cpu"), *ids_all[:args.cpu]], env=env,
                           cwd=ROOT, capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(r.stderr[-2000:])
        rows = json.loads(r.stdout.strip().splitlines()[-1])
        steady = rows[1:] or rows  # the first locality of a process also starts its kernel and browser
        parts = {k: round(sum(row[k] for row in steady) / len(steady), 2)
                 for k in ("wall_s", "cpu_main_s", "cpu_kernel_s", "cpu_browser_s")}
        parts["cpu_total_s"] = round(parts["cpu_main_s"] + parts["cpu_kernel_s"] + parts["cpu_browser_s"], 2)
        result["cpu_per_locality"] = {"localities": len(steady), "first_locality": rows[0], **parts,
                                      "two_idle_cores_s": round(parts["cpu_total_s"] / 2, 2)}
        say(f"CPU per locality (steady): {parts}")
    if args.naive:
        ids = ids_all[:args.naive]
        serial = naive(ids, work / "naive-1", env, 1)
        say(f"naive loop, {len(ids)} localities one at a time: {serial:.1f} s")
        two = naive(ids, work / "naive-2", env, 2)
        say(f"naive loop, {len(ids)} localities two at a time: {two:.1f} s")
        result["naive"] = {"measured_on": len(ids), "one_at_a_time_s": round(serial, 2),
                           "two_at_a_time_s": round(two, 2),
                           "per_locality_one_at_a_time_s": round(serial / len(ids), 2),
                           "per_locality_two_at_a_time_s": round(two / len(ids), 2)}
        naive_sets = per_locality_artefacts(work / "naive-1", ids)
        batch_sets = per_locality_artefacts(batch_out[(largest, w_big)], ids)
        same = all(naive_sets[loc] == batch_sets.get(loc) for loc in ids)
        only_batch = sorted(set().union(*(batch_sets[loc] - naive_sets[loc] for loc in ids)))
        only_naive = sorted(set().union(*(naive_sets[loc] - batch_sets[loc] for loc in ids)))
        result["artefacts"] = {"same_per_locality_files": same, "only_batch": only_batch, "only_naive": only_naive,
                               "per_locality_files": len(next(iter(batch_sets.values())))}
    # no output lost: every locality of every batch has the report, the Excel table, and a PNG and an SVG of every
    # chart its notebook drew; and the same files as in the largest batch
    def complete(folder: Path, loc: str) -> bool:
        d = folder / loc
        try:
            nb = json.loads((d / "report.ipynb").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        charts = {o.get("metadata", {}).get("chitieu_chart") for c in nb.get("cells", []) for o in c.get("outputs", [])}
        charts.discard(None)
        need = {"report.ipynb", "report.html", "bieu-ket-qua.xlsx", "records.json"}
        need |= {f"charts/{c}.{fmt}" for c in charts for fmt in ("png", "svg")}
        have = {str(p.relative_to(d)) for p in d.rglob("*") if p.is_file()}
        return bool(charts) and need <= have

    reference = per_locality_artefacts(batch_out[(largest, w_big)], ids_all[:largest])
    incomplete = sorted(f"{k[0]}x{k[1]}:{loc}" for k, out in batch_out.items() for loc in ids_all[:k[0]]
                        if not complete(out, loc) or per_locality_artefacts(out, [loc]).get(loc) != reference[loc])
    result["outputs_complete"] = not incomplete
    result["outputs_incomplete"] = incomplete[:20]
    # the table: ratios side by side, with the naive per-locality cost for the same size
    if result["naive"]:
        per1, per2 = result["naive"]["per_locality_one_at_a_time_s"], result["naive"]["per_locality_two_at_a_time_s"]
        for row in result["batch"]:
            n = row["localities"]
            naive_s = (per1 if row["workers"] == 1 else per2) * n
            row["naive_s"] = round(naive_s, 1)
            row["naive_measured"] = n == result["naive"]["measured_on"]
            row["ratio"] = round(naive_s / row["seconds"], 1)
    best = min((r for r in result["batch"] if r["localities"] == largest), key=lambda r: r["per_locality_s"])
    result["national"] = {"localities": NATIONAL, "batch_workers": best["workers"],
                          "batch_per_locality_s": best["per_locality_s"],
                          "batch_hours": round(NATIONAL * best["per_locality_s"] / 3600, 2)}
    if result["naive"]:
        result["national"]["naive_two_at_a_time_hours"] = round(
            NATIONAL * result["naive"]["per_locality_two_at_a_time_s"] / 3600, 1)
    result["load_average_end"] = load()
    text = json.dumps(result, ensure_ascii=False, indent=1)
    print(text)
    args.output.write_text(text + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
