"""The domain engine: which result counts for a target, the report's ratio, and the direction-aware verdict.

Every computation of achievement in chitieu calls these functions — the results table, the whole-panel path,
compare, draft, audit and the projections' "is the target met" — so each rule is written once. They work on
arrays (numpy or anything array-like); one series is a panel of one.

The rules (``docs/ARCHITECTURE.md`` and ``../DOMAIN.md`` §4):

- **Report ratio**: ``actual ÷ target × 100``, rounded half up to the printed precision (5 ÷ 8 = 62,5 → 63). It
  ignores direction, as the reports do. A target of 0 gives no ratio.
- **Meets** (:func:`meets`): direction and comparator folded into one effective comparator — ``=`` reads as
  ``≥`` when higher is better, ``≤`` when lower is better, ±5 % when the target is a band; ``>``, ``≥``, ``<``,
  ``≤`` as written. Values within 1e-9 (relative) of the target count as equal to it.
- **Verdict** (:func:`verdicts`): ``not_met`` when the target is not met; otherwise ``exceeded`` when the result is
  strictly beyond a floor (higher is better) or strictly under a target written as a plain value (lower is better),
  ``met`` when it only reaches it or stays under a ceiling ("dưới 1%", "không quá"). A result written as a strict
  bound on the same side (``trên 99%`` for a target ``trên 99%``) meets the strict target.
- **Which result counts** (:func:`pick_latest`): numeric results only (actual, estimate or derived), at or before
  the target's year; when the target's own table row holds one, only that row counts (a results table compares a
  row's own numbers); then the latest year, then actual before estimate before derived, then file order.

>>> a = assess(actual=2815, target=2000, direction="higher")
>>> float(a.ratio_exact), float(a.ratio_pct), a.verdict, float(a.margin)
(140.75, 141.0, 'exceeded', 815.0)
>>> assess(actual=1.5, target=1.7, direction="lower", target_comparator="<=").flags
('target_is_bound', 'convention_disagrees')
>>> float(assess(actual=5, target=8, direction="higher").ratio_pct)   # 62,5 rounds half up
63.0
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from chitieu.core.numfmt import round_half_up
from chitieu.core.vocabulary import BAND_TOLERANCE, STATUS_RANK, VERDICT_VI

__all__ = [
    "GE", "GT", "LE", "LT", "BAND", "effective_comparator", "meets", "verdicts", "range_verdicts", "report_ratio",
    "half_up",
    "judge", "join_flags", "Assessment", "assess", "published_mismatch", "status_rank", "pick_latest", "EQUAL_TOLERANCE",
]

#: relative tolerance under which two values count as equal (rounding noise neither meets a strict bound nor
#: misses a loose one)
EQUAL_TOLERANCE = 1e-9

# effective comparators: direction and comparator folded into one code
GE, GT, LE, LT, BAND = 0, 1, 2, 3, 4


def _codes(direction, comparator) -> np.ndarray:
    d = np.atleast_1d(np.asarray(direction, dtype=object))
    c = np.atleast_1d(np.asarray(comparator, dtype=object))
    d, c = np.broadcast_arrays(d, c)
    return np.select([c == ">=", c == ">", c == "<=", c == "<", d == "lower", d == "band"],
                     [GE, GT, LE, LT, LE, BAND], default=GE).astype(np.int8)


def effective_comparator(direction, comparator) -> np.ndarray:
    """Fold direction and comparator into one code: ``=`` reads as ``≥`` / ``≤`` / a band by direction.

    >>> effective_comparator(["higher", "lower", "band", "higher"], ["=", "=", "=", ">"]).tolist()
    [0, 2, 4, 1]
    """
    return _codes(direction, comparator)


def meets(x, target, cmp) -> np.ndarray:
    """1.0 where ``x`` meets ``target`` under the effective comparator ``cmp``, 0.0 where not, NaN if unknown."""
    x = np.asarray(x, dtype=float)
    target = np.asarray(target, dtype=float)
    cmp = np.asarray(cmp)
    with np.errstate(invalid="ignore"):
        eps = EQUAL_TOLERANCE * np.maximum(1.0, np.abs(target))
        ok = np.select(
            [cmp == GE, cmp == GT, cmp == LE, cmp == LT, cmp == BAND],
            [x >= target - eps, x > target + eps, x <= target + eps, x < target - eps,
             np.abs(x - target) <= BAND_TOLERANCE * np.abs(target) + eps],
            default=False,
        )
    return np.where(np.isnan(x) | np.isnan(target), np.nan, ok.astype(float))


def verdicts(actual, target, direction, target_comparator, actual_comparator=None) -> np.ndarray:
    """``exceeded`` / ``met`` / ``not_met`` per element, ``unknown`` where a number is missing (rules above)."""
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    t = np.atleast_1d(np.asarray(target, dtype=float))
    direction = np.atleast_1d(np.asarray(direction, dtype=object))
    tc = np.atleast_1d(np.asarray(target_comparator, dtype=object))
    ac = np.atleast_1d(np.asarray("=" if actual_comparator is None else actual_comparator, dtype=object))
    a, t, direction, tc, ac = np.broadcast_arrays(a, t, direction, tc, ac)
    cmp = _codes(direction, tc)
    ok = meets(a, t, cmp) == 1.0
    with np.errstate(invalid="ignore"):
        eps = EQUAL_TOLERANCE * np.maximum(1.0, np.abs(t))
        equal = np.abs(a - t) <= eps
        # a strict bound reached by a result written as the same strict bound ("trên 99%" for "trên 99%")
        ok = ok | (equal & (((cmp == GT) & (ac == ">")) | ((cmp == LT) & (ac == "<"))))
        # a result written "trên 4" against a target of 4 is beyond it; against "trên 4" it only meets it
        above = (a > t + eps) | (equal & (ac == ">") & (cmp != GT))
        below = (a < t - eps) | (equal & (ac == "<") & (cmp != LT))
    plain = np.isin(tc, ["=", "", None])
    exceeded = np.where(cmp == BAND, False, np.where((cmp == GE) | (cmp == GT), above, below & plain))
    out = np.where(~ok, "not_met", np.where(exceeded, "exceeded", "met")).astype(object)
    return np.where(np.isnan(a) | np.isnan(t), "unknown", out).astype(object)


def range_verdicts(actual, low, high, direction, actual_comparator=None) -> np.ndarray:
    """The verdict against a target written as a range ``low – high``: **met** inside it (ends included),
    **exceeded** only beyond its better end (above ``high`` when higher is better, below ``low`` when lower is
    better), **not met** beyond the other end; a band is met inside and not met outside.

    >>> range_verdicts([11.52, 12.5, 10.9], 11, 12, "higher").tolist()
    ['met', 'exceeded', 'not_met']
    """
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    lo = np.atleast_1d(np.asarray(low, dtype=float))
    hi = np.atleast_1d(np.asarray(high, dtype=float))
    direction = np.atleast_1d(np.asarray(direction, dtype=object))
    ac = np.atleast_1d(np.asarray("=" if actual_comparator is None else actual_comparator, dtype=object))
    a, lo, hi, direction, ac = np.broadcast_arrays(a, lo, hi, direction, ac)
    with np.errstate(invalid="ignore"):
        eps = EQUAL_TOLERANCE * np.maximum(1.0, np.maximum(np.abs(lo), np.abs(hi)))
        above = (a > hi + eps) | ((np.abs(a - hi) <= eps) & (ac == ">"))
        below = (a < lo - eps) | ((np.abs(a - lo) <= eps) & (ac == "<"))
    out = np.where(direction == "lower", np.where(below, "exceeded", np.where(above, "not_met", "met")),
                   np.where(direction == "band", np.where(above | below, "not_met", "met"),
                            np.where(above, "exceeded", np.where(below, "not_met", "met")))).astype(object)
    return np.where(np.isnan(a) | np.isnan(lo) | np.isnan(hi), "unknown", out).astype(object)


def report_ratio(actual, target) -> np.ndarray:
    """``actual ÷ target × 100`` (the report's convention, direction ignored); NaN when a number is missing or the
    target is 0."""
    a = np.asarray(actual, dtype=float)
    t = np.asarray(target, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t == 0, np.nan, a / t * 100.0)


def half_up(x, decimals=0) -> np.ndarray:
    """:func:`chitieu.core.numfmt.round_half_up` element-wise (NaN stays NaN).

    To whole numbers it is vectorised: a double is exactly ``k + 0,5`` if and only if its shortest decimal spelling
    ends in ``,5``, so the exact halves go away from zero and every other value to the nearest whole number. Other
    precisions go through the decimal rounding of :func:`~chitieu.core.numfmt.round_half_up`.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    d = np.broadcast_to(np.asarray(decimals, dtype=np.int64), x.shape)
    tr = np.trunc(x)
    with np.errstate(invalid="ignore"):
        out = np.where(np.abs(x - tr) == 0.5, tr + np.sign(x), np.round(x))
    other = np.flatnonzero((d != 0) & np.isfinite(x))
    for i in other.tolist():
        out.flat[i] = round_half_up(float(x.flat[i]), int(d.flat[i]))
    return out


def join_flags(masks: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """``"a; b"`` per element from boolean masks, in the order given (one string built per distinct combination).

    >>> join_flags([("x", np.array([True, False])), ("y", np.array([True, True]))]).tolist()
    ['x; y', 'y']
    """
    bits = np.zeros(len(masks[0][1]), dtype=np.int64)
    for i, (_, mask) in enumerate(masks):
        bits |= np.asarray(mask, bool).astype(np.int64) << i
    combos, inverse = np.unique(bits, return_inverse=True)
    text = np.array(["; ".join(name for i, (name, _) in enumerate(masks) if c >> i & 1) for c in combos.tolist()],
                    dtype=object)
    return text[inverse]


def published_mismatch(exact, published, decimals) -> np.ndarray:
    """True where a printed ratio does not follow from the row's own numbers at the printed precision."""
    exact = np.atleast_1d(np.asarray(exact, dtype=float))
    published = np.atleast_1d(np.asarray(published, dtype=float))
    known = np.isfinite(exact) & np.isfinite(published)
    return known & (half_up(np.where(known, exact, 0), decimals) != half_up(np.where(known, published, 0), decimals))


def judge(actual, target, direction, target_comparator, actual_comparator, decimals=0) -> dict[str, np.ndarray]:
    """Ratio, verdict, margin and flags of every (result, target) pair, as arrays of equal length (``masks``: the
    flags as (code, boolean array) pairs, for a caller that adds flags of its own).

    Flags (codes of :data:`chitieu.core.vocabulary.FLAG_VI`): ``target_is_bound``, ``actual_is_bound``,
    ``target_zero``, ``convention_disagrees`` (the report's ratio says ≥ 100 % where the verdict says not met, or
    the other way round; never for a band). A pair without a result has the verdict ``unknown`` and no flag.
    """
    a = np.atleast_1d(np.asarray(actual, dtype=float))
    t = np.atleast_1d(np.asarray(target, dtype=float))
    n = max(len(a), len(t))
    a, t = np.broadcast_to(a, n), np.broadcast_to(t, n)
    direction = np.broadcast_to(np.asarray(direction, dtype=object), n)
    tc = np.broadcast_to(np.asarray(target_comparator, dtype=object), n)
    ac = np.broadcast_to(np.asarray(actual_comparator, dtype=object), n)
    known = np.isfinite(a) & np.isfinite(t)
    exact = np.where(known, report_ratio(a, t), np.nan)
    verdict = verdicts(a, t, direction, tc, ac)
    with np.errstate(invalid="ignore"):
        good = np.isin(verdict, ["met", "exceeded"])
        disagrees = known & np.isfinite(exact) & (direction != "band") & ((exact >= 100) != good)
    masks = [("target_is_bound", known & ~np.isin(tc, ["=", ""])),
             ("actual_is_bound", known & ~np.isin(ac, ["=", ""])),
             ("target_zero", known & (t == 0)),
             ("convention_disagrees", disagrees)]
    margin = np.full(n, math.nan)  # Python's round (correctly rounded), not np.round
    margin[known] = [round(x, 9) for x in (a - t)[known].tolist()]
    return {"ratio_exact": exact, "ratio_pct": half_up(exact, decimals), "verdict": verdict, "margin": margin,
            "flags": join_flags(masks), "masks": masks}


@dataclass(frozen=True)
class Assessment:
    """One result against one target (:func:`assess`)."""

    ratio_exact: float  # actual / target × 100, unrounded; NaN when not computable
    ratio_pct: float  # rounded half-up to ``decimals``
    decimals: int
    verdict: str  # exceeded | met | not_met | unknown
    margin: float  # actual − target, in the indicator's unit (NaN when unknown)
    flags: tuple[str, ...]

    @property
    def verdict_vi(self) -> str:
        return VERDICT_VI[self.verdict]


def assess(actual: float | None, target: float | None, *, direction: str, decimals: int = 0,
           target_comparator: str = "=", actual_comparator: str = "=", published: float | None = None,
           published_decimals: int | None = None, published_words: str | None = None) -> Assessment:
    """One result against one target: :func:`judge` on a panel of one, plus the checks of a printed comparison.

    ``published`` is the ratio the document prints, if any: the ratio is then rounded to its precision and a
    mismatch is flagged. ``published_words`` is a printed verdict in words (``met``, ``not_met``, ``exceeded``,
    ``completed``).
    """
    if published_decimals is not None:
        decimals = published_decimals
    missing = [x is None or (isinstance(x, float) and math.isnan(x)) for x in (actual, target)]
    if any(missing):
        return Assessment(math.nan, math.nan, decimals, "unknown", math.nan,
                          ("no_actual",) if not missing[1] else ())
    j = judge(actual, target, direction, target_comparator or "=", actual_comparator or "=", decimals)
    flags = [f for f in j["flags"][0].split("; ") if f]
    if published is not None and not math.isnan(published) and published_mismatch(j["ratio_exact"], published,
                                                                                   decimals)[0]:
        flags.append("published_mismatch")
    verdict = j["verdict"][0]
    if (published_words == "not_met" and verdict in ("met", "exceeded")) or \
            (published_words in ("met", "exceeded", "completed") and verdict == "not_met" and published is None):
        flags.append("published_verdict_mismatch")
    return Assessment(float(j["ratio_exact"][0]), float(j["ratio_pct"][0]), decimals, verdict, float(j["margin"][0]),
                      tuple(flags))


def status_rank(status) -> np.ndarray:
    """The rank of each status among results (actual 0, estimate 1, derived 2); 9 for anything else (a target)."""
    s = np.atleast_1d(np.asarray(status, dtype=object))
    return np.array([STATUS_RANK.get(x, 9) for x in s.tolist()], dtype=np.int8)


def pick_latest(group, year, rank, *, position=None, prefer=None) -> np.ndarray:
    """Indices of the record that counts in each group: the latest ``year``, then the lowest ``rank``, then the
    first ``position``. ``prefer`` (bool): where a group has preferred records, only those compete (the target's
    own row). Returns one index per group, in the order of the sorted group keys.

    >>> pick_latest([7, 7, 7, 8], [2024, 2025, 2025, 2025], [0, 1, 0, 1]).tolist()
    [2, 3]
    """
    group = np.asarray(group)
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    year = np.asarray(year, dtype=np.int64)
    rank = np.asarray(rank, dtype=np.int64)
    position = np.arange(len(group)) if position is None else np.asarray(position)
    keep = np.ones(len(group), bool)
    if prefer is not None:
        prefer = np.asarray(prefer, bool)
        codes, inverse = np.unique(group, return_inverse=True)
        has_pref = np.zeros(len(codes), bool)
        has_pref[inverse[prefer]] = True
        keep = prefer | ~has_pref[inverse]
    idx = np.flatnonzero(keep)
    order = np.lexsort((position[idx], rank[idx], -year[idx], group[idx]))
    srt = idx[order]
    g = group[srt]
    return srt[np.r_[True, g[1:] != g[:-1]]]
