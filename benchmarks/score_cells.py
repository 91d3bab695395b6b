"""Score the cell grammar on the hand-labelled corpus of real cells (tests/corpus/cells/, issue #12).

    .venv/bin/python benchmarks/score_cells.py            # the dev parts
    .venv/bin/python benchmarks/score_cells.py --holdout  # the held-out parts (run once, at the end)
    .venv/bin/python benchmarks/score_cells.py --list wrong|flagged|right

Each cell's label (tests/corpus/README.md) was made by hand from the source page. A cell is
- **read right** when the reading matches the label and carries no review flag;
- **flagged** when the reading carries a review code (the user is asked): counted whether it matched or not;
- **silently wrong** when it does not match and carries no flag — the defect that must not happen.
"Matches": the value in base units (or, for a cell without any unit word, the number itself with the unit left
to the row's unit column: 1.034 vs 1.034 tỷ đồng), the upper end of a range, the comparator (approximations as
``~``), the sign, the parts of an x-of-y, and for a cell of words only, the verdict words. Four rules settle what
the labels leave open, the same for every cell:
- a label kept in a unit that is not a base unit (``kg/người``, ``m2``) is compared in that unit;
- a hedged bound (``khoảng hơn 3.500``: ``>`` with an approximation) matches the bound;
- an x-of-y whose y is not written in the cell (``22 chỉ tiêu đạt và vượt kế hoạch``, y = 26 from the page)
  matches a count of x: the cell itself says only x;
- a bounded fall (``giảm trên 12%``): the two labellers wrote the bound on the size (``>``) or on the signed value
  (``<``); either matches.
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CELLS = HERE.parent / "tests" / "corpus" / "cells"

from chitieu.io.quantity import Quantity, parse, unit_info  # noqa: E402


def _f(x: str) -> float | None:
    return float(x) if x not in ("", None) else None


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _number_matches(q: Quantity, x: float | None, label: float | None, label_unit: str = "") -> bool:
    """x (in q's unit) equals the label (base units), or — when the cell names no unit — equals it up to the
    scale a unit column would give (10^0, 10^3 … 10^12)."""
    if _close(q.base(x) if x is not None else None, label):
        return True
    if label_unit and q.unit and _strip(q.unit) == _strip(label_unit) and _close(x, label):
        return True
    if x is None or label is None or unit_info(q.unit) is not None:
        return False
    return any(_close(x * 10 ** k, label) for k in (3, 6, 9, 12))


@dataclass
class Outcome:
    cell_id: str
    raw: str
    verdict: str  # right | flagged | wrong
    matches: bool
    reading: str
    label: str
    review: tuple


def _strip(unit: str) -> str:
    return unit.lower().replace("/năm", "").replace(" ", "")


_MIRROR = {">": "<", "<": ">", ">=": "<=", "<=": ">=", "=": "="}


def score_cell(row: dict) -> Outcome:
    q = parse(row["raw"], name=row["indicator_name"])
    label_value, label_high = _f(row["value"]), _f(row["value_high"])
    num, den = _f(row["numerator"]), _f(row["denominator"])
    if num is not None and den is not None and "/" not in row["raw"] and q.status == "number":
        ok = _number_matches(q, q.value, num)  # y is not in the cell: a count of x
    elif num is not None and den is not None:
        ok = q.status == "fraction" and _number_matches(_as_unit(q), q.numerator, num) and \
            _number_matches(_as_unit(q), q.denominator, den)
    elif label_value is None:
        ok = q.value is None and (not row["words"] or q.words == row["words"] or
                                  (row["words"] == "met" and q.words == "completed"))
    else:
        want = row["comparator"] or "="
        comp_ok = (q.approx if want == "~" else
                   q.comparator == want and (not q.approx or want != "=") or
                   (label_value < 0 and q.comparator == _MIRROR.get(want)))
        ok = q.status == "number" and _number_matches(q, q.value, label_value, row["unit"]) and comp_ok and \
            (_number_matches(q, q.value_high, label_high, row["unit"]) if label_high is not None
             else q.value_high is None)
    flagged = bool(q.review) or q.status == "unread"
    verdict = "flagged" if flagged else ("right" if ok else "wrong")
    reading = (f"{q.status} v={q.value} h={q.value_high} u={q.unit} c={q.comparator}{'~' if q.approx else ''} "
               f"n/d={q.numerator}/{q.denominator} w={q.words} rev={','.join(q.review)}")
    label = (f"v={row['value']} h={row['value_high']} u={row['unit']} c={row['comparator']} "
             f"n/d={row['numerator']}/{row['denominator']} w={row['words']}")
    return Outcome(row["cell_id"], row["raw"], verdict, ok, reading, label, q.review)


def _as_unit(q: Quantity) -> Quantity:
    """An x-of-y's parts are in what it counts (``279,3/492 tỷ đồng``): base them on that unit."""
    from dataclasses import replace
    return replace(q, unit=q.counted)


def load(split: str) -> list[dict]:
    rows = []
    for path in sorted(CELLS.glob(f"cells_*_{split}.csv")):
        with path.open(encoding="utf-8") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def summary(outcomes: list[Outcome]) -> dict:
    n = len(outcomes)
    count = {k: sum(o.verdict == k for o in outcomes) for k in ("right", "flagged", "wrong")}
    return {"cells": n, **count, **{f"{k}_pct": 100.0 * v / n for k, v in count.items()},
            "flagged_but_right": sum(o.verdict == "flagged" and o.matches for o in outcomes)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--holdout", action="store_true")
    ap.add_argument("--list", choices=["wrong", "flagged", "right"])
    args = ap.parse_args(argv)
    split = "holdout" if args.holdout else "dev"
    outcomes = [score_cell(r) for r in load(split)]
    s = summary(outcomes)
    print(f"{split}: {s['cells']} cells — read right {s['right']} ({s['right_pct']:.1f} %), flagged for review "
          f"{s['flagged']} ({s['flagged_pct']:.1f} %; {s['flagged_but_right']} of them read right), silently "
          f"wrong {s['wrong']} ({s['wrong_pct']:.1f} %)")
    if args.list:
        for o in outcomes:
            if o.verdict == args.list:
                print(f"{o.cell_id:10} {o.raw[:70]!r}\n     read: {o.reading}\n    label: {o.label}")
    return 1 if s["wrong"] else 0


if __name__ == "__main__":
    sys.exit(main())
