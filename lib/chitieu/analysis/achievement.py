"""The results table of a locality (*Biểu kết quả*): one row per target of a year, with the result that counts,
the report's ratio, the direction-aware verdict, the printed comparison and every flag.

The rules themselves (which result counts, the ratio, the verdict) are in :mod:`chitieu.core.engine`; this module
gathers a locality's records into the engine's arrays and adds what only a results table has: the comparison the
document printed for the row ("Đạt 141%") and whether a number's separator was guessed.

>>> import chitieu as ct
>>> table = results_table(ct.load_locality("muong-ang"))
>>> row = table.set_index("indicator").loc["coffee_area"]
>>> float(row["target"]), float(row["actual"]), float(row["ratio_pct"]), row["verdict_vi"]
(2000.0, 2815.0, 141.0, 'Vượt')
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from chitieu.core.engine import Assessment, assess, pick_latest, range_verdicts, status_rank
from chitieu.core.vocabulary import FLAG_VI, NO_RATIO_DOUBTS, RATE_KINDS, RESULT_STATUSES, VERDICT_VI
from chitieu.io.data import Locality
from chitieu.io.quantity import parse
from chitieu.io.tableparse import REVIEW_FLAGS

__all__ = ["results_table", "judge_row", "result_for_target", "default_year", "VERDICT_VI", "FLAG_VI"]

def result_for_target(recs: pd.DataFrame, year: int, row_source: str | None = None) -> pd.Series | None:
    """The result that counts for a target of ``year`` among one indicator's records (rule:
    :func:`chitieu.core.engine.pick_latest`, the target's own row ``row_source`` preferred)."""
    numeric = recs[recs["status"].isin(RESULT_STATUSES) & recs["value"].notna() & (recs["year"] <= year)]
    return _pick_result(numeric, row_source)


def _pick_result(numeric: pd.DataFrame, row_source: str | None) -> pd.Series | None:
    """:func:`result_for_target` among records already known to be numeric results of the year or before."""
    if numeric.empty:
        return None
    prefer = (numeric["source"] == row_source).to_numpy() if row_source is not None else None
    i = pick_latest(np.zeros(len(numeric), np.int64), numeric["year"].to_numpy(np.int64),
                    status_rank(numeric["status"].to_numpy()), prefer=prefer)[0]
    return numeric.iloc[i]


def default_year(loc: Locality) -> int:
    """The year a locality's results table shows by default: the term's end when it has targets for it, else the
    latest year at or before it that has targets (an imported 2019 plan-year table shows 2019), else the term's end."""
    v = loc.values
    years = v.loc[v["status"] == "target", "year"].dropna().astype(int)
    if (years == loc.term_end).any() or years.empty:
        return loc.term_end
    earlier = years[years <= loc.term_end]
    return int(earlier.max()) if not earlier.empty else loc.term_end


def results_table(loc: Locality, *, year: int | None = None, decimals: int = 0) -> pd.DataFrame:
    """The results table of a locality: one row per indicator with a target for ``year`` (default:
    :func:`default_year`; the frame's ``attrs["year"]`` says which).

    Columns: indicator, name, unit, kind, direction, target, target_high, target_comparator, target_raw, actual,
    actual_comparator, actual_raw, actual_year, actual_status, ratio_exact, ratio_pct, ratio_other_pct, decimals,
    published_ratio_pct, published_raw, verdict, verdict_vi, verdict_computed, needs_review, review, margin, flags,
    note, source, actual_source.

    A target written as a range uses the bound that decides the verdict (the lower end when higher is better, the
    upper end when lower is better, the whole band otherwise); ``ratio_other_pct`` is the ratio against the other
    end. A row resting on a doubtful reading (a value's ``flags``: a separator guessed, a unit assumed …) or on an
    assumed direction has the verdict ``review`` ("Cần rà soát"), the computed one in ``verdict_computed`` and the
    reasons in ``review``.
    """
    year = year or default_year(loc)
    vals, cmps = loc.values, loc.comparisons
    # The selections below are made once over all records, as arrays, and each indicator takes its positions: a
    # pandas mask per indicator and per condition cost most of the table's time (`chitieu table` start-up, #16).
    status = vals["status"].to_numpy(dtype=object)
    years = vals["year"].to_numpy(dtype=float, na_value=np.nan)
    starts = vals["period_start"].to_numpy(dtype=float, na_value=np.nan)
    has_value = vals["value"].notna().to_numpy()
    is_result = np.isin(status, list(RESULT_STATUSES)) & (years <= year)
    numeric_result, words_result = is_result & has_value, is_result & ~has_value
    target_of_year = (status == "target") & (years == year)
    by_indicator = vals.groupby("indicator", sort=False).indices
    cmp_positions = cmps.groupby("indicator", sort=False).indices
    cmp_of_year = (cmps["period"] == str(year)).to_numpy(dtype=bool) if len(cmps) else np.zeros(0, bool)
    none = np.zeros(0, np.int64)
    rows = []
    for _, ind in loc.indicators.iterrows():
        pos = by_indicator.get(ind["id"], none)
        # a target of the year, or of the term ending that year when it is an average rate or a term total
        term_kind = ind["kind"] in (*RATE_KINDS, "cumulative")
        t = pos[target_of_year[pos] & ((starts[pos] == year) | term_kind)]
        if not len(t):
            continue
        # the latest-starting target (a stable sort, missing starts last): the first of the largest start
        tgt = vals.iloc[t[int(np.argmax(np.where(np.isnan(starts[t]), -np.inf, starts[t])))]]
        act = _pick_result(vals.iloc[pos[numeric_result[pos]]], tgt["source"])
        words_only = pos[words_result[pos]]
        own = cmp_positions.get(ind["id"], none)
        own = own[cmp_of_year[own]]
        pub = cmps.iloc[own[0]] if len(own) else None
        if act is None and len(words_only) and (ind["kind"] == "qualitative" or pd.isna(tgt["value"])):
            act = vals.iloc[words_only[-1]]
        rows.append(judge_row(ind, tgt, act, year=year, decimals=decimals, published=pub))
    frame = pd.DataFrame(rows)
    frame.attrs["year"] = year
    return frame


def judge_row(ind, tgt, act, *, year: int, decimals: int = 0, published=None) -> dict:
    """One row of the results table: a target record, the result that counts (or None), the printed comparison
    (or None) → the row's ratio, verdict, flags and review — the rules of :mod:`chitieu.core.engine` plus a
    range's deciding bound and the review that doubtful readings call for. ``ind``, ``tgt``, ``act`` and
    ``published`` are records (pandas Series or dicts) with the columns of ``docs/DATA_FORMAT.md``."""
    ind, tgt = pd.Series(ind), pd.Series(tgt)
    act = None if act is None else pd.Series(act)
    pub = None if published is None else pd.Series(published)
    pub_value = pub["value"] if pub is not None and not pd.isna(pub["value"]) else None
    pub_q = parse(pub["raw"]) if pub is not None else None
    pub_dec = pub_q.decimals if pub_value is not None else None
    pub_words = pub_q.words if pub_q is not None else None
    if ind["kind"] == "qualitative" or pd.isna(tgt["value"]):
        verdict = {"exceeded": "exceeded", "met": "met", "completed": "met", "not_met": "not_met"}.get(pub_words, "unknown")
        return _row(ind, tgt, act, Assessment(math.nan, math.nan, decimals, verdict, math.nan, ("qualitative",)), pub,
                    pub_value)
    if act is not None and pd.isna(act["value"]):
        act = None
    bound, other = _deciding_bound(tgt, ind["direction"])
    a = assess(None if act is None else act["value"], bound, direction=ind["direction"], decimals=decimals,
               target_comparator=tgt["comparator"], actual_comparator="=" if act is None else act["comparator"],
               published=pub_value, published_decimals=pub_dec, published_words=pub_words)
    flags = list(a.flags)
    if act is not None and "year" in act and not pd.isna(act["year"]) and int(act["year"]) != year:
        flags.append("actual_not_term_end")
    for rec in (tgt, act):
        if rec is not None and _guessed_against_convention(rec):
            flags.append("separator_guessed")
            break
    other_pct, verdict = math.nan, a.verdict
    if not pd.isna(tgt.get("value_high", math.nan)) and act is not None:
        verdict = str(range_verdicts(act["value"], tgt["value"], tgt["value_high"], ind["direction"],
                                     act["comparator"])[0])
        flags.append("range_target")
    if other is not None and act is not None:
        other_pct = assess(act["value"], other, direction=ind["direction"], decimals=a.decimals).ratio_pct
    a = Assessment(a.ratio_exact, a.ratio_pct, a.decimals, verdict, a.margin, tuple(dict.fromkeys(flags)))
    return _row(ind, tgt, act, a, pub, pub_value, other_pct)


def _deciding_bound(tgt: pd.Series, direction: str) -> tuple[float, float | None]:
    """(the bound a ratio uses, the other bound) of a target; a single value has no other bound."""
    low, high = tgt["value"], tgt.get("value_high", math.nan)
    if high is None or high == "" or pd.isna(high):
        return low, None
    if direction == "lower":
        return high, low
    if direction == "band":
        return (low + high) / 2, None
    return low, high


def _doubts(ind: pd.Series, tgt: pd.Series, act: pd.Series | None) -> list[str]:
    """Why a row's verdict rests on a guess: the readings' flags (written by import) and an assumed direction."""
    out = []
    for rec in (tgt, act):
        if rec is not None:
            out += [f for f in str(rec.get("flags", "") or "").split("; ") if f in REVIEW_FLAGS]
    if ind.get("direction_source", "") == "assumed":
        out.append("direction_assumed")
    return list(dict.fromkeys(out))


def _guessed_against_convention(rec: pd.Series) -> bool:
    """True when the transcribed value differs from the strict Vietnamese reading of its raw text."""
    q = parse(rec["raw"])
    if q.value is None or pd.isna(rec["value"]) or q.status == "fraction":
        return False
    return q.against_convention or (not math.isclose(q.value, rec["value"], rel_tol=1e-9) and q.guessed)


def _row(ind, tgt, act, a: Assessment, pub, pub_value, other_pct: float = math.nan) -> dict:
    notes = [n for n in (tgt.get("note", ""), "" if act is None else act.get("note", "")) if n]
    doubts = _doubts(ind, tgt, act) if a.verdict != "unknown" or act is not None else []
    verdict = "review" if doubts else a.verdict
    if any(d in NO_RATIO_DOUBTS for d in doubts):  # a ratio of two different measures: none shown
        a = Assessment(math.nan, math.nan, a.decimals, "unknown", math.nan, a.flags)
        other_pct = math.nan
    high = tgt.get("value_high", math.nan)
    return {
        "indicator": ind["id"], "name": ind["name"], "unit": ind["unit"], "kind": ind["kind"],
        "direction": ind["direction"], "catalogue_code": ind.get("catalogue_code", ""),
        "target": tgt["value"], "target_high": math.nan if pd.isna(high) else high,
        "target_comparator": tgt["comparator"], "target_raw": tgt["raw"],
        "actual": math.nan if act is None else act["value"],
        "actual_comparator": "" if act is None else act["comparator"],
        "actual_raw": "" if act is None else act["raw"],
        "actual_year": pd.NA if act is None or pd.isna(act.get("year", pd.NA)) else int(act["year"]),
        "actual_status": "" if act is None else act["status"],
        "ratio_exact": a.ratio_exact, "ratio_pct": a.ratio_pct, "ratio_other_pct": other_pct, "decimals": a.decimals,
        "published_ratio_pct": math.nan if pub_value is None else pub_value,
        "published_raw": "" if pub is None else pub["raw"],
        "verdict": verdict, "verdict_vi": VERDICT_VI[verdict], "verdict_computed": a.verdict,
        "needs_review": bool(doubts), "review": "; ".join(doubts), "margin": a.margin,
        "flags": "; ".join(dict.fromkeys([*a.flags, *(["needs_review"] if doubts else [])])), "note": " | ".join(notes),
        "source": tgt["source"], "actual_source": "" if act is None else act["source"],
    }
