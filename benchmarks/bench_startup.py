"""How long each command takes to give its first answer (start-up), and several imports in one call.

Every command is timed with hyperfine (warm-up runs first, then the median of --runs), in one run of this script,
with the same data; ``benchmarks/startup_before.json`` is the same measurement before the start-up work (lazy
command group, lazy heavy imports, the validated-data cache), made the same way. ``table`` is timed twice: with the
cache of validated data warm (the usual case: the data has not changed since the last command) and cold (an empty
cache each run: the first command after the data or chitieu changed). For each command, ``-X importtime`` says which
heavy libraries it imports.

    .venv/bin/python benchmarks/bench_startup.py           # → benchmarks/results_startup.json
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHITIEU = str(BIN / "chitieu")
FIXTURE = ROOT / "tests" / "fixtures" / "bieu_nho.tsv"
HEAVY = ("pandas", "pandera", "plotly", "statsmodels", "scipy", "openpyxl", "docx", "papermill", "nbformat",
         "nbconvert", "pyarrow", "hypothesis", "jsonschema", "kaleido")

COMMANDS = {
    "--help": [CHITIEU, "--help"],
    "localities": [CHITIEU, "localities"],
    "table muong-ang --format csv": [CHITIEU, "table", "muong-ang", "--format", "csv"],
    "check": [CHITIEU, "check"],
    "project muong-ang --format csv": [CHITIEU, "project", "muong-ang", "--format", "csv"],
    "import bieu_nho.tsv --dry-run": [CHITIEU, "import", str(FIXTURE), "--locality", "xa-thu", "--name", "x",
                                      "--level", "xa", "--province", "y", "--dry-run"],
}


#: the name of the same command in startup_before.json
BEFORE_NAMES = {
    "import bieu_nho.tsv --dry-run": "import tests/fixtures/bieu_nho.tsv --locality xa-thu --name x --level xa "
                                     "--province y --dry-run",
    "table muong-ang --format csv, cache of validated data empty": "table muong-ang --format csv",
}


def hyperfine(name: str, cmd: list[str], runs: int, env: dict, prepare: str | None = None) -> dict:
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    args = ["hyperfine", "--warmup", "2", "--runs", str(runs), "--export-json", str(out), "-N", f"--command-name={name}"]
    if prepare:
        args += ["--prepare", prepare]
    quoted = " ".join(_quote(c) for c in cmd)
    subprocess.run(args + [quoted], env=env, cwd=ROOT, check=True, capture_output=True)
    result = json.loads(out.read_text())["results"][0]
    out.unlink()
    return {"command": quoted.replace(str(BIN) + "/", ".venv/bin/").replace(str(ROOT) + "/", ""),
            "median_s": round(result["median"], 3), "mean_s": round(result["mean"], 3),
            "min_s": round(result["min"], 3), "user_s": round(result["user"], 3)}


def _quote(text: str) -> str:
    return text if re.fullmatch(r"[\w./=:-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def heavy_imports(cmd: list[str], env: dict) -> list[str]:
    r = subprocess.run([sys.executable, "-X", "importtime", "-c",
                        "import sys; from chitieu.cli import main; sys.argv = ['chitieu'] + sys.argv[1:]; main()",
                        *cmd[1:]], env=env, cwd=ROOT, capture_output=True, text=True)
    found = {m.group(1).split(".")[0] for m in re.finditer(r"\|\s+(\S+)\s*$", r.stderr, re.M)}
    return sorted(h for h in HEAVY if h in found)


def many_imports(n: int, env: dict, work: Path) -> dict:
    """n tables imported into a fresh copy of data/: one call for all of them, against one call per table."""
    tables = work / "tables"
    tables.mkdir()
    for i in range(n):
        shutil.copy(FIXTURE, tables / f"bieu-{i:02d}.tsv")
    mapping = tables / "map.csv"
    mapping.write_text("file,locality,name,level,province\n" + "".join(
        f"bieu-{i:02d}.tsv,xa-thu-{i:02d},xã Thử {i},xa,Điện Biên\n" for i in range(n)), encoding="utf-8")
    timings = {}
    for way in ("one_call", "one_call_per_table"):
        data = work / f"data-{way}"
        shutil.copytree(ROOT / "data", data)
        e = {**env, "CHITIEU_DATA": str(data)}
        start = time.perf_counter()
        if way == "one_call":
            subprocess.run([CHITIEU, "import", str(tables), "--map", str(mapping), "-q"], env=e, check=True,
                           capture_output=True)
        else:
            for i in range(n):
                subprocess.run([CHITIEU, "import", str(tables / f"bieu-{i:02d}.tsv"), "-l", f"xa-thu-{i:02d}",
                                "--name", f"xã Thử {i}", "--level", "xa", "--province", "Điện Biên", "-q"], env=e,
                               check=True, capture_output=True)
        timings[way] = round(time.perf_counter() - start, 2)
    timings["tables"] = n
    timings["ratio"] = round(timings["one_call_per_table"] / timings["one_call"], 1)
    return timings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--imports", type=int, default=10, help="tables for the several-files-in-one-call comparison")
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results_startup.json")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chitieu-startup-"))
    env = {**os.environ, "CHITIEU_CACHE": str(work / "cache")}
    env.pop("CHITIEU_DATA", None)
    result = {"command": "python benchmarks/bench_startup.py " + " ".join(sys.argv[1:]),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
              "load_average_start": [round(x, 2) for x in os.getloadavg()], "commands": []}
    for name, cmd in COMMANDS.items():
        row = hyperfine(name, cmd, args.runs, env)
        row["name"] = name
        row["heavy_imports"] = heavy_imports(cmd, env)
        result["commands"].append(row)
        print(f"{name}: {row['median_s']} s (heavy: {', '.join(row['heavy_imports']) or 'none'})", flush=True)
    cold = hyperfine("table muong-ang --format csv (cold cache)", COMMANDS["table muong-ang --format csv"],
                     args.runs, env, prepare=f"rm -rf {work / 'cache'}")
    cold["name"] = "table muong-ang --format csv, cache of validated data empty"
    result["commands"].append(cold)
    print(f"{cold['name']}: {cold['median_s']} s", flush=True)
    if args.imports:
        result["several_imports"] = many_imports(args.imports, env, work)
        print(f"import of {args.imports} tables: {result['several_imports']}", flush=True)
    before = ROOT / "benchmarks" / "startup_before.json"  # measured before the start-up work (same commands)
    if before.exists():
        old = {r["command"].replace(".venv/bin/chitieu ", ""): r["median"] for r in json.loads(before.read_text())["results"]}
        for row in result["commands"]:
            key = BEFORE_NAMES.get(row["name"], row["name"])
            if key in old:
                row["before_median_s"] = round(old[key], 3)
                row["ratio"] = round(old[key] / row["median_s"], 1)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(result, ensure_ascii=False, indent=1)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(text)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
