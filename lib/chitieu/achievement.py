"""Achievement against a target: the report's convention, a direction-aware verdict, and the flags between them.

The reports compute ``actual ÷ target × 100`` and round half up to the precision they print, for every kind of
target (bounds taken as values, reductions compared as reductions, x-of-y compared as shares). That number
ignores direction: population growth of 1,5% under a 1,7% ceiling prints "88%" though the ceiling held. So
:func:`assess` returns both, and flags where they disagree or where a printed ratio does not follow.

>>> a = assess(actual=2815, target=2000, direction="higher")
>>> a.ratio_pct, a.verdict, a.margin
(140.75, 'exceeded', 815.0)
>>> assess(actual=1.5, target=1.7, direction="lower", target_comparator="<=").flags
('convention_disagrees',)
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .data import Locality
from .numfmt import round_half_up
from .quantity import parse

__all__ = ["Assessment", "assess", "results_table", "VERDICT_VI", "FLAG_VI", "BAND_TOLERANCE"]

VERDICT_VI = {
    "exceeded": "Vượt",
    "met": "Đạt",
    "not_met": "Không đạt",
    "unknown": "Chưa có số liệu",
}
FLAG_VI = {
    "convention_disagrees": "tỷ lệ kiểu báo cáo và đánh giá theo chiều chỉ tiêu không khớp",
    "published_mismatch": "tỷ lệ in trong báo cáo không khớp với số liệu của chính dòng đó",
    "published_verdict_mismatch": "nhận xét in trong báo cáo không khớp với số liệu",
    "actual_is_bound": "kết quả chỉ ghi dạng cận (trên/dưới)",
    "target_is_bound": "chỉ tiêu ghi dạng cận",
    "actual_not_term_end": "kết quả lấy từ năm trước năm cuối nhiệm kỳ",
    "target_zero": "chỉ tiêu bằng 0: không tính được tỷ lệ",
    "separator_guessed": "dấu phân cách số được đoán theo ngữ cảnh",
    "qualitative": "chỉ tiêu định tính",
    "no_actual": "chưa có số liệu kết quả",
}
from .rules import BAND_TOLERANCE  # noqa: E402  (shared with projection)


@dataclass(frozen=True)
class Assessment:
    ratio_exact: float  # actual / target × 100, unrounded; NaN when not computable
    ratio_pct: float  # rounded half-up to ``decimals``
    decimals: int
    verdict: str  # exceeded | met | not_met | unknown
    margin: float  # actual − target, in the indicator's unit (NaN when unknown)
    flags: tuple[str, ...]

    @property
    def verdict_vi(self) -> str:
        return VERDICT_VI[self.verdict]


def _verdict(actual: float, target: float, direction: str, target_comparator: str, tolerance: float,
             actual_comparator: str = "=") -> str:
    """A strict target bound (trên 99%) is met by an equal value only if that value is itself strict (trên 99%)."""
    if direction == "band":
        return "met" if abs(actual - target) <= tolerance * abs(target) else "not_met"
    if direction == "lower":
        strictly_ok = actual < target or (actual == target and actual_comparator == "<")
        ok = strictly_ok if target_comparator == "<" else actual <= target
        if not ok:
            return "not_met"
        return "exceeded" if actual < target and target_comparator in ("=", "") else "met"
    strictly_ok = actual > target or (actual == target and actual_comparator == ">")
    ok = strictly_ok if target_comparator == ">" else actual >= target
    if not ok:
        return "not_met"
    return "exceeded" if actual > target else "met"


def assess(actual: float | None, target: float | None, *, direction: str, decimals: int = 0,
           target_comparator: str = "=", actual_comparator: str = "=", published: float | None = None,
           published_decimals: int | None = None, published_words: str | None = None,
           band_tolerance: float = BAND_TOLERANCE) -> Assessment:
    """Assess one result against one target (both in the same unit; shares in %).

    ``published`` is the ratio the document prints, if any: the ratio is then rounded to its precision and a
    mismatch is flagged. ``published_words`` is a printed verdict in words ("met", "not_met", "exceeded").
    """
    flags: list[str] = []
    if published_decimals is not None:
        decimals = published_decimals
    if actual is None or target is None or (isinstance(actual, float) and math.isnan(actual)) \
            or (isinstance(target, float) and math.isnan(target)):
        return Assessment(math.nan, math.nan, decimals, "unknown", math.nan, ("no_actual",) if target is not None else ())
    if target_comparator not in ("=", ""):
        flags.append("target_is_bound")
    if actual_comparator not in ("=", ""):
        flags.append("actual_is_bound")
    if target == 0:
        exact = math.nan
        flags.append("target_zero")
    else:
        exact = actual / target * 100
    ratio = round_half_up(exact, decimals) if not math.isnan(exact) else math.nan
    verdict = _verdict(actual, target, direction, target_comparator, band_tolerance, actual_comparator)
    if not math.isnan(exact) and direction != "band" and (exact >= 100) != (verdict in ("met", "exceeded")):
        flags.append("convention_disagrees")
    if published is not None and not math.isnan(published) and not math.isnan(exact):
        if round_half_up(exact, decimals) != round_half_up(published, decimals):
            flags.append("published_mismatch")
    if published_words in ("not_met",) and verdict in ("met", "exceeded") or \
            published_words in ("met", "exceeded", "completed") and verdict == "not_met" and published is None:
        flags.append("published_verdict_mismatch")
    return Assessment(exact, ratio, decimals, verdict, round(actual - target, 9), tuple(flags))


_ACTUAL_STATUSES = ("actual", "estimate", "derived")
_STATUS_RANK = {"actual": 0, "estimate": 1, "derived": 2}


def _pick_actual(recs: pd.DataFrame, year: int, row_source: str | None = None) -> pd.Series | None:
    """The latest numeric result at or before ``year`` (actual before estimate before derived).

    When the target's own row (``row_source``, a table line) holds a numeric result, only that row counts: a
    results table compares a row's own numbers, and other passages of the document go to the data notes.
    """
    numeric = recs[recs["status"].isin(_ACTUAL_STATUSES) & recs["value"].notna() & (recs["year"] <= year)]
    if row_source is not None and (numeric["source"] == row_source).any():
        numeric = numeric[numeric["source"] == row_source]
    if numeric.empty:
        return None
    numeric = numeric.assign(_rank=numeric["status"].map(_STATUS_RANK))
    return numeric.sort_values(["year", "_rank"], ascending=[False, True]).iloc[0]


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
        act = _pick_actual(recs, year, tgt["source"])
        words_only = recs[recs["status"].isin(_ACTUAL_STATUSES) & recs["value"].isna() & (recs["year"] <= year)]
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
