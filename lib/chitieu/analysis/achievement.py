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

from chitieu.core.engine import Assessment, assess, pick_latest, status_rank
from chitieu.core.vocabulary import FLAG_VI, RESULT_STATUSES, VERDICT_VI
from chitieu.io.data import Locality
from chitieu.io.quantity import parse

__all__ = ["results_table", "result_for_target", "VERDICT_VI", "FLAG_VI"]

def result_for_target(recs: pd.DataFrame, year: int, row_source: str | None = None) -> pd.Series | None:
    """The result that counts for a target of ``year`` among one indicator's records (rule:
    :func:`chitieu.core.engine.pick_latest`, the target's own row ``row_source`` preferred)."""
    numeric = recs[recs["status"].isin(RESULT_STATUSES) & recs["value"].notna() & (recs["year"] <= year)]
    if numeric.empty:
        return None
    prefer = (numeric["source"] == row_source).to_numpy() if row_source is not None else None
    i = pick_latest(np.zeros(len(numeric), np.int64), numeric["year"].to_numpy(np.int64),
                    status_rank(numeric["status"].to_numpy()), prefer=prefer)[0]
    return numeric.iloc[i]


def results_table(loc: Locality, *, year: int | None = None, decimals: int = 0) -> pd.DataFrame:
    """The results table of a locality: one row per indicator with a target for ``year`` (default: term end).

    Columns: indicator, name, unit, kind, direction, target, target_comparator, target_raw, actual,
    actual_comparator, actual_raw, actual_year, actual_status, ratio_exact, ratio_pct, decimals,
    published_ratio_pct, published_raw, verdict, verdict_vi, margin, flags, note, source, actual_source.
    """
    year = year or loc.term_end
    vals, cmps = loc.values, loc.comparisons
    rows = []
    for _, ind in loc.indicators.iterrows():
        recs = vals[vals["indicator"] == ind["id"]]
        targets = recs[(recs["status"] == "target") & (recs["year"] == year) & (recs["period_start"] == year)]
        if targets.empty:
            continue
        tgt = targets.iloc[0]
        act = result_for_target(recs, year, tgt["source"])
        words_only = recs[recs["status"].isin(RESULT_STATUSES) & recs["value"].isna() & (recs["year"] <= year)]
        pub = cmps[(cmps["indicator"] == ind["id"]) & (cmps["period"] == str(year))]
        pub = pub.iloc[0] if not pub.empty else None
        pub_value = pub["value"] if pub is not None and not pd.isna(pub["value"]) else None
        pub_q = parse(pub["raw"]) if pub is not None else None
        pub_dec = pub_q.decimals if pub_value is not None else None
        pub_words = pub_q.words if pub_q is not None else None
        if ind["kind"] == "qualitative" or pd.isna(tgt["value"]):
            verdict = {"exceeded": "exceeded", "met": "met", "completed": "met", "not_met": "not_met"}.get(pub_words, "unknown")
            rows.append(_row(ind, tgt, act if act is not None else (words_only.iloc[-1] if not words_only.empty else None),
                             Assessment(math.nan, math.nan, decimals, verdict, math.nan, ("qualitative",)), pub, pub_value))
            continue
        a = assess(None if act is None else act["value"], tgt["value"], direction=ind["direction"], decimals=decimals,
                   target_comparator=tgt["comparator"], actual_comparator="=" if act is None else act["comparator"],
                   published=pub_value, published_decimals=pub_dec, published_words=pub_words)
        flags = list(a.flags)
        if act is not None and int(act["year"]) != year:
            flags.append("actual_not_term_end")
        for rec in (tgt, act):
            if rec is not None and _guessed_against_convention(rec):
                flags.append("separator_guessed")
                break
        a = Assessment(a.ratio_exact, a.ratio_pct, a.decimals, a.verdict, a.margin, tuple(dict.fromkeys(flags)))
        rows.append(_row(ind, tgt, act, a, pub, pub_value))
    return pd.DataFrame(rows)


def _guessed_against_convention(rec: pd.Series) -> bool:
    """True when the transcribed value differs from the strict Vietnamese reading of its raw text."""
    q = parse(rec["raw"])
    if q.value is None or pd.isna(rec["value"]) or q.status == "fraction":
        return False
    return q.against_convention or (not math.isclose(q.value, rec["value"], rel_tol=1e-9) and q.guessed)


def _row(ind, tgt, act, a: Assessment, pub, pub_value) -> dict:
    notes = [n for n in (tgt.get("note", ""), "" if act is None else act.get("note", "")) if n]
    return {
        "indicator": ind["id"], "name": ind["name"], "unit": ind["unit"], "kind": ind["kind"],
        "direction": ind["direction"], "catalogue_code": ind.get("catalogue_code", ""),
        "target": tgt["value"], "target_comparator": tgt["comparator"], "target_raw": tgt["raw"],
        "actual": math.nan if act is None else act["value"],
        "actual_comparator": "" if act is None else act["comparator"],
        "actual_raw": "" if act is None else act["raw"],
        "actual_year": pd.NA if act is None else int(act["year"]),
        "actual_status": "" if act is None else act["status"],
        "ratio_exact": a.ratio_exact, "ratio_pct": a.ratio_pct, "decimals": a.decimals,
        "published_ratio_pct": math.nan if pub_value is None else pub_value,
        "published_raw": "" if pub is None else pub["raw"],
        "verdict": a.verdict, "verdict_vi": a.verdict_vi, "margin": a.margin,
        "flags": "; ".join(a.flags), "note": " | ".join(notes),
        "source": tgt["source"], "actual_source": "" if act is None else act["source"],
    }
