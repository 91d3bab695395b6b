"""What pyarrow costs ``chitieu panel``: the README's command run with pandas' default strings (backed by pyarrow
once pyarrow is installed, as it is now) and with plain Python strings (``future.infer_string`` off), alternately,
in fresh processes, on the same SYNTHETIC panel. Peak memory and times from ``/usr/bin/time``; the two outputs
are compared byte for byte.

    .venv/bin/python benchmarks/gen_national_panel.py          # → /tmp/chitieu-national-panel.csv (SYNTHETIC)
    .venv/bin/python benchmarks/panel_string_storage.py [PANEL.csv] [--runs N]
"""
from __future__ import annotations

import argparse
import filecmp
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = """
import sys
import pandas as pd
if sys.argv[1] == "python":
    pd.set_option("future.infer_string", False)
sys.argv = ["chitieu", "panel", sys.argv[2], "--to", "2030", "--output", sys.argv[3], "--quiet"]
from chitieu.cli import main
main()
"""


def measure(storage: str, panel: Path, out: Path) -> dict:
    fd, stats = tempfile.mkstemp(suffix=".time")
    os.close(fd)
    subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", stats, sys.executable, "-c", RUN, storage, str(panel),
                    str(out)], check=True)
    wall, user, system, rss_kb = Path(stats).read_text().split()[-4:]
    Path(stats).unlink()
    return {"wall": float(wall), "cpu": float(user) + float(system), "rss_kb": int(rss_kb)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("panel", nargs="?", type=Path, default=Path(tempfile.gettempdir()) / "chitieu-national-panel.csv")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    out = {s: Path(tempfile.gettempdir()) / f"chitieu-strings-{s}.csv" for s in ("pyarrow", "python")}
    got: dict[str, list[dict]] = {s: [] for s in out}
    for _ in range(a.runs):
        for storage in out:  # alternate, so that the load of a shared machine falls on both alike
            got[storage].append(measure(storage, a.panel, out[storage]))
            print(storage, got[storage][-1], flush=True)
    same = filecmp.cmp(out["pyarrow"], out["python"], shallow=False)
    print(f"\nload average {os.getloadavg()[0]:.1f}; outputs identical: {same}")
    print("| strings | peak RSS (max of runs) | CPU (median) | wall (median) |")
    print("|---|---|---|---|")
    for storage, runs in got.items():
        print(f"| {storage} | {max(r['rss_kb'] for r in runs):,} kB | {statistics.median(r['cpu'] for r in runs):.1f} s "
              f"| {statistics.median(r['wall'] for r in runs):.1f} s |".replace(",", "."))
    ratio_mem = max(r["rss_kb"] for r in got["pyarrow"]) / max(r["rss_kb"] for r in got["python"])
    ratio_cpu = statistics.median(r["cpu"] for r in got["pyarrow"]) / statistics.median(r["cpu"] for r in got["python"])
    print(f"pyarrow / python: memory {ratio_mem:.2f}×, CPU {ratio_cpu:.2f}×")


if __name__ == "__main__":
    main()
