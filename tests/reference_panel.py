"""The slow reference for the whole-panel path: one series at a time.

:func:`assess_panel_per_series` computes the frame of :func:`chitieu.analysis.panel.assess_panel` with a pandas
groupby-apply calling the per-series API (:func:`chitieu.analysis.projection.fit_series` and
:func:`chitieu.core.engine.assess`) for each series. It lives in ``tests/`` because it exists only to check the
vectorised path (``tests/test_panel.py``) and to time it (``benchmarks/bench_national.py``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from chitieu.analysis.panel import OUTPUT_COLUMNS, TERM_COLUMNS
from chitieu.analysis.projection import CATEGORY_LABELS_VI, fit_series
from chitieu.core.engine import assess
from chitieu.core.vocabulary import RATE_KINDS, RESULT_STATUSES, STATUS_RANK
from chitieu.io.data import PERIOD

__all__ = ["assess_panel_per_series"]


def assess_panel_per_series(long: pd.DataFrame, to: int = 2030, term: int | None = None, *,
                            alpha: float = 0.05) -> pd.DataFrame:
    """The same frame as :func:`assess_panel`, one series at a time (slow; the reference for tests and benchmarks).

    ``long``: the long table with typed columns (``value`` float, ``comparator`` filled with ``=``; as
    ``long_table()`` gives, or a validated file): one pandas groupby-apply calling
    :func:`chitieu.analysis.projection.fit_series` (``ets=False``) and :func:`chitieu.core.engine.assess` per series.
    """
    term = to - 5 if term is None else int(term)
    lt = long.copy()
    lt["comparator"] = lt["comparator"].fillna("").astype(str).str.strip().replace("", "=") \
        if "comparator" in lt else "="
    span = lt["period"].astype(str).str.extract(PERIOD)
    lt["_year"] = pd.to_numeric(span["end"].fillna(span["start"])).astype(int)
    lt["_start"] = pd.to_numeric(span["start"]).astype(int)
    lt["_pos"] = np.arange(len(lt))
    for c in ("name", "unit", "source"):
        if c not in lt:
            lt[c] = ""

    def one(g: pd.DataFrame) -> pd.DataFrame:
        loc, ind = g.name
        kind, direction = g["kind"].iloc[0], g["direction"].iloc[0]
        results = g[g["status"].isin(RESULT_STATUSES) & g["value"].notna()]
        usable = results[((results["_start"] == results["_year"]) | (kind in RATE_KINDS)) & (results["_year"] < to)]
        usable = (usable.assign(_rank=usable["status"].map(STATUS_RANK))
                  .sort_values(["_year", "_rank", "_pos"]).drop_duplicates("_year"))
        tg = g[(g["status"] == "target") & (g["_year"] == to) & g["value"].notna()]
        tgt = tg.iloc[0] if len(tg) else None
        flags_extra = []
        period_start = None
        if tgt is not None and tgt["_start"] != tgt["_year"]:
            period_start = int(tgt["_start"])
        if kind == "cumulative" and period_start is None:
            period_start = term + 1
            flags_extra.append("period_assumed")
        if tgt is not None and (tg["value"] != tgt["value"]).any():
            flags_extra.append("several_targets")
        head = {"locality": loc, "indicator": ind, "name": g["name"].iloc[0], "unit": g["unit"].iloc[0],
                "source": "" if tgt is None else tgt["source"]}
        kt = g[(g["status"] == "target") & (g["_year"] == term) & (g["_start"] == term)]
        if len(usable):
            res = fit_series(usable["_year"].to_numpy(), usable["value"].to_numpy(),
                             target=None if tgt is None else tgt["value"], target_year=to, direction=direction,
                             kind=kind, comparator="=" if tgt is None else tgt["comparator"],
                             period_start=period_start, ets=False, alpha=alpha)
            rows = res.to_panel_rows(loc, ind).to_dict("records")
        elif tgt is not None or len(kt):
            rows = [{"locality": loc, "indicator": ind, "kind": kind, "direction": direction,
                     "comparator": "=" if tgt is None else tgt["comparator"],
                     "target": math.nan if tgt is None else tgt["value"], "target_year": to,
                     "period_start": period_start, "n_points": 0, "category": "not_assessable",
                     "category_vi": CATEGORY_LABELS_VI["not_assessable"],
                     "flags": "qualitative" if kind == "qualitative" else "no_data"}]
        else:
            return None
        for row in rows:
            row["flags"] = "; ".join(f for f in [row["flags"] or "", *flags_extra] if f)
            row.update(head)
        # achievement of the term
        term_cols = {c: None for c in TERM_COLUMNS}
        if len(kt):
            k = kt.iloc[0]
            cand = results[results["_year"] <= term]
            if (cand["source"] == k["source"]).any():
                cand = cand[cand["source"] == k["source"]]
            act = None
            if len(cand):
                act = (cand.assign(_rank=cand["status"].map(STATUS_RANK))
                       .sort_values(["_year", "_rank", "_pos"], ascending=[False, True, True]).iloc[0])
            term_cols.update(term_year=term, term_target=k["value"], term_comparator=k["comparator"])
            if kind == "qualitative" or pd.isna(k["value"]):
                term_cols.update(term_verdict="unknown", term_flags="qualitative")
            elif act is None:
                term_cols.update(term_verdict="unknown", term_flags="no_actual")
            else:
                a = assess(act["value"], k["value"], direction=direction, target_comparator=k["comparator"],
                           actual_comparator=act["comparator"])
                fl = list(a.flags)
                if int(act["_year"]) != term:
                    fl.append("actual_not_term_end")
                term_cols.update(term_actual=act["value"], term_actual_year=int(act["_year"]),
                                 term_actual_status=act["status"], term_ratio_exact=a.ratio_exact,
                                 term_ratio_pct=a.ratio_pct, term_verdict=a.verdict, term_margin=a.margin,
                                 term_flags="; ".join(fl))
            term_cols["term_verdict_vi"] = {"exceeded": "Vượt", "met": "Đạt", "not_met": "Không đạt",
                                            "unknown": "Chưa có số liệu"}[term_cols["term_verdict"]]
        for row in rows:
            row.update(term_cols)
        return rows

    parts = lt.groupby(["locality", "indicator"], sort=True, observed=True)[list(lt.columns)].apply(one)
    out = pd.DataFrame([row for rows in parts if rows for row in rows], columns=OUTPUT_COLUMNS)
    for c in ("period_start", "first_year", "latest_year", "term_year", "term_actual_year"):
        out[c] = pd.array(pd.to_numeric(out[c]), dtype="Float64").astype("Int64")
    return out
