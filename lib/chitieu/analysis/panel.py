"""A whole panel at once: every locality × indicator of a long table, computed with numpy arrays and no
per-series Python loop.

For every series it gives:

- the **achievement of the term** (``term``, default ``to`` − 5): the report's ratio ``actual ÷ target × 100``
  rounded half up, and the direction-aware verdict (Vượt / Đạt / Không đạt) — the rules of
  :mod:`chitieu.core.engine`, as ``chitieu table`` applies them;
- the **observed and required pace**, the **projections** of every method but ETS and the **progress category**
  toward the ``to`` target, as :func:`chitieu.analysis.projection.project_panel` does.

Reading and writing the files: :mod:`chitieu.io.panelio`. The format and every rule: ``docs/PANEL.md``.

>>> from chitieu.io.panelio import read_panel, write_output
>>> out = assess_panel(read_panel("ca-nuoc.csv"), to=2030)   # doctest: +SKIP
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

import numpy as np
import pandas as pd

from chitieu.analysis.projection import CATEGORY_LABELS_VI, PANEL_COLUMNS, PANEL_METHODS, project_panel
from chitieu.core.engine import half_up, join_flags, judge, pick_latest
from chitieu.core.vocabulary import COMPARATORS, DIRECTIONS, KINDS, RATE_KINDS, STATUS_RANK, STATUSES, VERDICT_VI
from chitieu.io.panelio import LongPanel, PanelInputError

__all__ = ["OUTPUT_COLUMNS", "TERM_COLUMNS", "assess_panel"]

TERM_COLUMNS = ["term_year", "term_target", "term_comparator", "term_actual", "term_actual_year",
                "term_actual_status", "term_ratio_exact", "term_ratio_pct", "term_verdict", "term_verdict_vi",
                "term_margin", "term_flags"]
_HEAD = ["locality", "indicator", "name", "unit"]
OUTPUT_COLUMNS = _HEAD + [c for c in PANEL_COLUMNS if c not in _HEAD] + TERM_COLUMNS + ["source"]


# --------------------------------------------------------------------------------------------
# Computation
# --------------------------------------------------------------------------------------------


def assess_panel(panel: LongPanel, to: int = 2030, term: int | None = None, *, alpha: float = 0.05,
                 progress: Callable[[str], None] | None = None) -> pd.DataFrame:
    """Achievement of the term and progress toward ``to`` for every series; columns :data:`OUTPUT_COLUMNS`.

    One row per (locality, indicator, method) for series with data (the methods of
    :func:`chitieu.analysis.projection.project_panel`), one row (``method`` empty, flag ``no_data``) for a series with a
    target but no data. Sorted by locality, indicator, method.
    """
    term = to - 5 if term is None else int(term)
    if term >= to:
        raise PanelInputError(f"--term {term} phải trước --to {to} (the term must end before the target year)")
    r = _rows_that_count(panel, to, term)
    if progress:
        progress(f"{len(r.oi):,} quan sát (observations) của {len(np.unique(r.pid[r.oi])):,} chuỗi; tính …"
                 .replace(",", "."))
    out, g = _progress_rows(r, to, alpha)
    _add_names(out, panel, r, g, to)
    _add_term_achievement(out, panel, r, g, term)
    if progress and r.ignored_late:
        progress(f"bỏ qua {r.ignored_late} kết quả từ năm {to} trở đi (results at or after --to are not data)")
    return out.reindex(columns=OUTPUT_COLUMNS)


def _rows_that_count(p: LongPanel, to: int, term: int) -> SimpleNamespace:
    """Per series (pair): which rows count — the observations toward ``to``, the target for ``to``, the term's
    target and the term's result (the rules of :func:`chitieu.core.engine.pick_latest`)."""
    n_ind = max(len(p.indicators), 1)
    pairs, first_row, pid = p.pairs, p.pair_first, p.pair
    P = len(pairs)
    kind_s = np.array(KINDS, dtype=object)[p.kind[first_row]]
    dir_s = np.array(DIRECTIONS, dtype=object)[p.direction[first_row]]
    cmp_names = np.array(COMPARATORS, dtype=object)
    is_rate = np.isin(kind_s, RATE_KINDS)
    is_cum = kind_s == "cumulative"
    T_IDX, rank = STATUSES.index("target"), np.full(len(STATUSES), 9, dtype=np.int8)
    for s, r in STATUS_RANK.items():
        rank[STATUSES.index(s)] = r
    row_rank = rank[p.status]
    is_result = row_rank < 9
    has_value = ~np.isnan(p.value)

    # observations: numeric results of one year (rates: an average over a span counts as its last year)
    use = is_result & has_value & ((p.start == p.year) | is_rate[pid]) & (p.year < to)
    ignored_late = int((is_result & has_value & (p.year >= to)).sum())
    oi = np.flatnonzero(use)
    oi = oi[pick_latest(pid[oi].astype(np.int64) * 10000 + p.year[oi], p.year[oi], row_rank[oi], position=oi)]

    # the target for `to` (the first with a number, in file order) and the term's target (the first, any)
    tgt_rows = np.flatnonzero((p.status == T_IDX) & (p.year == to) & has_value)
    tfirst = tgt_rows[pick_latest(pid[tgt_rows], np.zeros(len(tgt_rows)), np.zeros(len(tgt_rows)), position=tgt_rows)]
    has_to = np.zeros(P, bool)
    has_to[pid[tfirst]] = True
    T = np.full(P, np.nan)
    T[pid[tfirst]] = p.value[tfirst]
    t_row = np.full(P, -1, dtype=np.int64)
    t_row[pid[tfirst]] = tfirst
    several = np.zeros(P, bool)
    if len(tgt_rows):
        differs = p.value[tgt_rows] != T[pid[tgt_rows]]
        several[pid[tgt_rows][differs]] = True
    tcmp = np.where(has_to, cmp_names[p.comparator[np.maximum(t_row, 0)]], "=").astype(object)
    pstart = np.where(has_to & (p.start[np.maximum(t_row, 0)] != p.year[np.maximum(t_row, 0)]),
                      p.start[np.maximum(t_row, 0)].astype(float), np.nan)
    assumed = is_cum & np.isnan(pstart)
    pstart = np.where(assumed, float(term + 1), pstart)

    term_rows = np.flatnonzero((p.status == T_IDX) & (p.year == term) & (p.start == term))
    kfirst = term_rows[pick_latest(pid[term_rows], np.zeros(len(term_rows)), np.zeros(len(term_rows)), position=term_rows)]
    k_row = np.full(P, -1, dtype=np.int64)
    k_row[pid[kfirst]] = kfirst
    has_term = k_row >= 0

    # the term's result: the latest numeric result at or before the term (actual, then estimate, then derived);
    # when the target's own line (source) holds one, only that line counts (as the results table does)
    ci = np.flatnonzero(is_result & has_value & (p.year <= term) & has_term[pid])
    same = p.source[ci] == p.source[k_row[pid[ci]]] if len(ci) and (p.source >= 0).any() else None
    afirst = ci[pick_latest(pid[ci], p.year[ci], row_rank[ci], position=ci, prefer=same)]
    a_row = np.full(P, -1, dtype=np.int64)
    a_row[pid[afirst]] = afirst
    return SimpleNamespace(**locals())  # every array above, by name


def _progress_rows(r: SimpleNamespace, to: int, alpha: float) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`project_panel` on integer keys (the pair index), plus a row for each series with a target but no
    data; sorted by series and method, with the flags the panel adds. Returns the frame and each row's pair."""
    oi, pid, P, T, dir_s, kind_s, tcmp, pstart = r.oi, r.pid, r.P, r.T, r.dir_s, r.kind_s, r.tcmp, r.pstart
    has_to, has_term, assumed, several = r.has_to, r.has_term, r.assumed, r.several
    p = r.p
    obs = pd.DataFrame({"locality": pid[oi].astype(np.int64), "indicator": np.zeros(len(oi), np.int8),
                        "year": p.year[oi].astype(np.int64), "value": p.value[oi]})
    with_obs = np.zeros(P, bool)
    with_obs[pid[oi]] = True
    tp = np.flatnonzero(with_obs)
    targets = pd.DataFrame({"locality": tp, "indicator": np.zeros(len(tp), np.int8), "target": T[tp],
                            "target_year": to, "direction": dir_s[tp], "kind": kind_s[tp], "comparator": tcmp[tp],
                            "period_start": pstart[tp]})
    proj = project_panel(obs, targets, to=to, alpha=alpha)
    g = proj["locality"].to_numpy(np.int64)

    # series with a target but no data: listed, not assessable
    lone = np.flatnonzero(~with_obs & (has_to | has_term))
    qual = kind_s[lone] == "qualitative"
    extra = pd.DataFrame({
        "locality": lone, "kind": kind_s[lone], "direction": dir_s[lone], "comparator": tcmp[lone],
        "target": T[lone], "target_year": to, "period_start": pd.array(pstart[lone], dtype="Float64").astype("Int64"),
        "n_points": 0, "category": "not_assessable", "category_vi": CATEGORY_LABELS_VI["not_assessable"],
        "flags": np.where(qual, "qualitative", "no_data").astype(object),
    })
    out = pd.concat([proj, extra], ignore_index=True) if len(extra) else proj
    for c in ("first_year", "latest_year"):  # no year for a series without data
        out[c] = pd.array(out[c], dtype="Int64")
    out["n_points"] = out["n_points"].astype(np.int64)
    g = np.r_[g, lone].astype(np.int64)
    m_order = pd.Series(out["method"]).map({m: i for i, m in enumerate(PANEL_METHODS)}).fillna(-1).to_numpy()
    order = np.lexsort((m_order, g))
    out = out.iloc[order].reset_index(drop=True)
    g = g[order]

    # flags the panel adds: the period of a term total assumed; several different targets for `to`
    if (assumed | several).any():
        fcodes, funiq = pd.factorize(out["flags"].fillna("").to_numpy(dtype=object))
        bits = assumed[g].astype(np.int64) | several[g].astype(np.int64) << 1
        combos, inverse = np.unique(fcodes.astype(np.int64) * 4 + bits, return_inverse=True)
        text = np.array(["; ".join(f for f in (funiq[c // 4], "period_assumed" if c & 1 else "",
                                               "several_targets" if c & 2 else "") if f)
                         for c in combos.tolist()], dtype=object)
        out["flags"] = text[inverse]

    return out, g


def _add_names(out: pd.DataFrame, p: LongPanel, r: SimpleNamespace, g: np.ndarray, to: int) -> None:
    """Locality and indicator ids, name, unit and the source of the target, in place."""
    pairs, n_ind, first_row, t_row = r.pairs, r.n_ind, r.first_row, r.t_row
    loc_of, ind_of = pairs // n_ind, pairs % n_ind
    out["locality"] = p.localities[loc_of[g]]
    out["indicator"] = p.indicators[ind_of[g]]
    out["name"] = _label(p, "name", first_row[g])
    out["unit"] = _label(p, "unit", first_row[g])
    out["source"] = np.where(t_row[g] >= 0, _label(p, "source", np.maximum(t_row[g], 0)), "")
    out["target_year"] = to



def _add_term_achievement(out: pd.DataFrame, p: LongPanel, r: SimpleNamespace, g: np.ndarray, term: int) -> None:
    """The term's achievement per series, in place (decimals 0: no printed ratio to take the precision from)."""
    k_row, a_row, cmp_names, kind_s, dir_s = r.k_row, r.a_row, r.cmp_names, r.kind_s, r.dir_s
    has_k, has_a = k_row >= 0, a_row >= 0
    kr, ar = np.maximum(k_row, 0), np.maximum(a_row, 0)
    TK = np.where(has_k, p.value[kr], np.nan)
    A = np.where(has_a, p.value[ar], np.nan)
    kc = np.where(has_k, cmp_names[p.comparator[kr]], "").astype(object)
    ac = np.where(has_a, cmp_names[p.comparator[ar]], "").astype(object)
    qualitative = has_k & ((kind_s == "qualitative") | np.isnan(TK))
    numeric = has_k & ~qualitative & has_a
    j = judge(np.where(numeric, A, np.nan), TK, dir_s, kc, ac)  # the rules: chitieu.core.engine
    exact = j["ratio_exact"]
    verdict = np.where(numeric, j["verdict"], np.where(has_k, "unknown", None)).astype(object)
    tflags = join_flags(j["masks"] + [
        ("actual_not_term_end", numeric & (p.year[ar] != term)),
        ("qualitative", qualitative),
        ("no_actual", has_k & ~qualitative & ~has_a),
    ])
    status_names = np.array(STATUSES, dtype=object)
    out["term_year"] = _masked_int(np.full(len(g), term), has_k[g])
    out["term_target"] = TK[g]
    out["term_comparator"] = kc[g]
    out["term_actual"] = np.where(numeric, A, np.nan)[g]
    out["term_actual_year"] = _masked_int(p.year[ar][g], numeric[g])
    out["term_actual_status"] = np.where(numeric, status_names[p.status[ar]], "")[g]
    out["term_ratio_exact"] = exact[g]
    out["term_ratio_pct"] = half_up(exact)[g]
    out["term_verdict"] = verdict[g]
    out["term_verdict_vi"] = pd.Series(verdict, dtype=object).map(VERDICT_VI).to_numpy()[g]
    out["term_margin"] = j["margin"][g]
    out["term_flags"] = tflags[g]


def _masked_int(values: np.ndarray, mask: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(mask, values, 0).astype(np.int64), ~np.asarray(mask, bool))


def _label(p: LongPanel, col: str, rows: np.ndarray) -> np.ndarray:
    codes = getattr(p, col)[rows]
    cats = p.labels[col]
    return np.where(codes >= 0, cats[np.maximum(codes, 0)], "").astype(object)
