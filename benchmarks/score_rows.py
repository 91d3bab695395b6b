"""Score whole rows — a target, a result, the ratio and the verdict — on the hand-labelled pairs of real cells
(tests/corpus/cells/rows_*.csv, issue #12).

    .venv/bin/python benchmarks/score_rows.py            # the dev parts
    .venv/bin/python benchmarks/score_rows.py --holdout  # the held-out parts (run once, at the end)
    .venv/bin/python benchmarks/score_rows.py --list wrong|flagged|right

Each pair goes through the path an import takes: a two-row results table (STT | Chỉ tiêu | Chỉ tiêu NQ |
Thực hiện | So sánh) is parsed by :func:`chitieu.io.tableparse.parse_table` — direction, kind, units, x/y against a
count, ranges, flags — and judged by :mod:`chitieu.core.engine` with the results table's rules
(:func:`chitieu.analysis.achievement.results_table`: the deciding bound of a range, review flags). A row is
- **right** when its ratio (at the label's precision) and its verdict match the hand arithmetic and it is not
  flagged;
- **flagged** when the results table would show "Cần rà soát" (a doubtful reading or an assumed direction);
- **silently wrong** when it shows a clean ratio or verdict that the hand arithmetic contradicts.
- **no verdict** when chitieu shows the result but no verdict (the pair's target is not a separate cell:
  ``9.845/11.024 nhà``, the plan as the denominator of the result cell);
- **meaning** when the labeller marked the verdict ``review`` for a reason outside the cells (a cumulative result
  against a yearly plan …) and chitieu's arithmetic equals the hand arithmetic.
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pandas as pd  # noqa: E402

from chitieu.analysis.achievement import judge_row  # noqa: E402
from chitieu.core.numfmt import round_half_up  # noqa: E402
from chitieu.io.data import load_catalogue  # noqa: E402
from chitieu.io.tableparse import parse_table  # noqa: E402
from score_cells import CELLS  # noqa: E402

HEADER = ["STT", "Chỉ tiêu", "Chỉ tiêu NQ", "Thực hiện", "So sánh"]


def _cells(split: str) -> dict[str, dict]:
    out = {}
    for path in sorted(CELLS.glob(f"cells_*_{split}.csv")):
        with path.open(encoding="utf-8") as fh:
            out.update({r["cell_id"]: r for r in csv.DictReader(fh)})
    return out


def load(split: str) -> tuple[list[dict], dict[str, dict]]:
    rows = []
    for path in sorted(CELLS.glob(f"rows_*_{split}.csv")):
        with path.open(encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    return rows, _cells(split)


def judge_pair(target_raw: str, actual_raw: str, printed_raw: str, name: str, catalogue=None, *,
               same: bool = False) -> dict:
    """What chitieu makes of one (target, result) pair, through the import path and the results table's rules.
    A cell that is both (``9.845/11.024 nhà``: the plan as denominator) sits in the result column alone."""
    table = parse_table([HEADER, ["1", name, "" if same else target_raw, actual_raw, printed_raw]], term_end=2025,
                        file_label="pair", catalogue=catalogue)
    ind = table.indicators[0]
    recs = {v["status"] if v["status"] == "target" else "actual": v for v in table.values}
    tgt, act = recs.get("target"), recs.get("actual")
    if not tgt:
        return {"ratio": math.nan, "verdict": "unknown", "doubts": [], "ind": ind}
    for r in (tgt, act):
        if r is not None:
            r["year"] = int(str(r["period"])[-4:])
            r["comparator"] = r["comparator"] or "="
    pub = table.comparisons[0] if table.comparisons else None
    row = judge_row(ind, tgt, act, year=2025, decimals=6, published=None)
    return {"ratio": row["ratio_exact"], "verdict": row["verdict_computed"],
            "doubts": row["review"].split("; ") if row["review"] else [], "ind": ind, "printed": pub}


def score_row(row: dict, cells: dict[str, dict], catalogue=None) -> dict:
    t, a = cells[row["target_cell"]], cells[row["actual_cell"]]
    p = cells.get(row["printed_cell"], {}) if row["printed_cell"] else {}
    got = judge_pair(t["raw"], a["raw"], p.get("raw", ""), t["indicator_name"] or a["indicator_name"], catalogue,
                     same=row["target_cell"] == row["actual_cell"])
    want = row["expected_ratio_pct"]
    decimals = len(want.split(".")[1]) if "." in want else 0
    ratio_ok = (not want and not math.isfinite(got["ratio"])) or (
        bool(want) and math.isfinite(got["ratio"]) and round_half_up(got["ratio"], decimals) == float(want))
    verdict_ok = row["expected_verdict"] == "review" or got["verdict"] == row["expected_verdict"]
    flagged = bool(got["doubts"])
    if flagged:
        outcome = "flagged"
    elif got["verdict"] == "unknown":
        outcome = "no_verdict"  # chitieu shows no verdict (no separate target cell): nothing wrong is printed
    elif row["expected_verdict"] == "review":
        outcome = "meaning"  # the labeller doubts the meaning (cumulative vs yearly …), not the arithmetic
        if want and not ratio_ok:
            outcome = "wrong"
    else:
        outcome = "right" if ratio_ok and verdict_ok else "wrong"
    return {"row_id": row["row_id"], "outcome": outcome, "matches": ratio_ok and verdict_ok,
            "got": f"{got['ratio']:.4g}% {got['verdict']} dir={got['ind']['direction']}/"
                   f"{got['ind'].get('direction_source')} doubts={','.join(got['doubts'])}",
            "want": f"{want}% {row['expected_verdict']} dir={row['direction']}",
            "cells": f"{t['raw']!r} vs {a['raw']!r}"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--holdout", action="store_true")
    ap.add_argument("--list", choices=["wrong", "flagged", "right", "no_verdict", "meaning"])
    args = ap.parse_args(argv)
    split = "holdout" if args.holdout else "dev"
    rows, cells = load(split)
    catalogue = load_catalogue()
    out = [score_row(r, cells, catalogue) for r in rows]
    n = len(out)
    c = {k: sum(o["outcome"] == k for o in out) for k in ("right", "flagged", "no_verdict", "meaning", "wrong")}
    print(f"{split}: {n} target/result pairs — computed right {c['right']} ({100 * c['right'] / n:.1f} %), flagged "
          f"for review {c['flagged']} ({100 * c['flagged'] / n:.1f} %; "
          f"{sum(o['outcome'] == 'flagged' and o['matches'] for o in out)} of them right), no verdict shown "
          f"{c['no_verdict']} ({100 * c['no_verdict'] / n:.1f} %), arithmetic right but the labeller doubts the "
          f"meaning {c['meaning']}, silently wrong {c['wrong']} ({100 * c['wrong'] / n:.1f} %)")
    if args.list:
        for o in out:
            if o["outcome"] == args.list:
                print(f"{o['row_id']:9} {o['cells'][:90]}\n      got: {o['got']}\n     want: {o['want']}")
    return 1 if c["wrong"] else 0


if __name__ == "__main__":
    sys.exit(main())
