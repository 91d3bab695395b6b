"""Issue #12: the hand-labelled corpus of real cells and target/result pairs (tests/corpus/cells/) read through the
real import path. Silently wrong must be 0; the shares read right are floors, so a change that reads less is seen.
The held-out parts were scored once, untouched, on 2026-12-06 (docs/IMPORT.md gives that first figure: 5 cells
silently wrong — four gaps of the grammar, since fixed, and one mislabelled row, realigned); from then on they are
regression tests like the dev parts."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import score_cells  # noqa: E402
import score_rows  # noqa: E402

from chitieu.io.data import load_catalogue  # noqa: E402


import pytest  # noqa: E402


@pytest.mark.parametrize("split, cells, floor", [("dev", 900, 90.0), ("holdout", 250, 90.0)])
def test_no_cell_is_silently_wrong(split, cells, floor):
    outcomes = [score_cells.score_cell(r) for r in score_cells.load(split)]
    wrong = [(o.cell_id, o.raw, o.reading, o.label) for o in outcomes if o.verdict == "wrong"]
    assert wrong == []
    s = score_cells.summary(outcomes)
    assert s["cells"] >= cells and s["right_pct"] >= floor


@pytest.mark.parametrize("split, floor", [("dev", 0.6), ("holdout", 0.5)])
def test_no_row_is_silently_wrong(split, floor):
    rows, cells = score_rows.load(split)
    catalogue = load_catalogue()
    out = [score_rows.score_row(r, cells, catalogue) for r in rows]
    assert [o for o in out if o["outcome"] == "wrong"] == []
    assert sum(o["outcome"] == "right" for o in out) >= floor * len(out)
