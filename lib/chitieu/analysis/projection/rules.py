"""The rules of progress toward a target, shared by the per-series and the panel paths: vocabulary (categories,
methods, flags and their Vietnamese labels), thresholds, and the element-wise formulas — the pace ratio R, the
progress category, the direction-aware anticipated achievement, the indicative probability. Pure functions on
arrays; no estimation here (that is :mod:`.methods`). Every rule and threshold is written up in
``docs/PROJECTIONS.md``.

>>> _categorise([False, False, False], [True, True, False], [0.97, 0.3, 2.0]).tolist()
['on_track', 'limited', 'not_assessable']
>>> round(float(_anticipated_pct(90.0, 100.0, effective_comparator("lower", "<=")[0])), 9)   # 10 % under a ceiling
110.0
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
from scipy import stats

from chitieu.core.engine import BAND, GE, GT, LE, LT, effective_comparator, meets
from chitieu.core.vocabulary import BAND_TOLERANCE, COMPARATORS, CONTRADICTING_COMPARATORS, DIRECTIONS, KINDS, \
    RATE_KINDS, VERDICT_VI

__all__ = [
    "ProjectionError", "CATEGORIES", "CATEGORY_LABELS_VI", "METHOD_LABELS_VI", "VERDICT_LABELS_VI",
    "PACE_BASIS_LABELS_VI", "PANEL_METHODS", "PROBABILITY_NOTE", "FLAG_ORDER", "DEFAULT_ALPHA",
]


class ProjectionError(ValueError):
    """Bad input to a projection (lengths, non-finite numbers, years, unknown codes)."""


# --------------------------------------------------------------------------------------------
# Vocabulary and thresholds (documented in docs/PROJECTIONS.md)
# --------------------------------------------------------------------------------------------


#: pace ratio R at or above which an indicator is on track
ON_TRACK_MIN = 0.95
#: pace ratio R at or above which (and below ON_TRACK_MIN) it must accelerate
ACCELERATE_MIN = 0.60
#: pace ratio R at or above which (and below ACCELERATE_MIN) progress is limited; below: moving away
LIMITED_MIN = 0.0

MIN_POINTS_PACE = 2          # level kinds: a pace needs two points
MIN_POINTS_INTERVAL = 3      # OLS / WLS prediction intervals
MIN_POINTS_ETS = 5           # damped-trend ETS is fitted only from this many points
MIN_POINTS_PROBABILITY = 3   # the indicative probability needs the intervals
ETS_SMOOTHING_ZERO = 1e-3    # smoothing_level at or below this: the fit has collapsed
ETS_SIMULATIONS = 2000       # repetitions for intervals of ETS sums / averages
ETS_SEED = 2030
SHARE_CAP = 100.0            # shares cannot exceed 100 %
_CAP_EPS = 1e-9              # rounding noise around 0 and 100 is not flagged as capping
DEFAULT_ALPHA = 0.05         # 95 % intervals

CATEGORIES = ("met", "on_track", "accelerate", "limited", "away", "not_assessable")
CATEGORY_LABELS_VI = {
    "met": "Đã đạt mục tiêu",
    "on_track": "Đúng hướng",
    "accelerate": "Cần tăng tốc",
    "limited": "Tiến bộ hạn chế",
    "away": "Đi ngược hướng",
    "not_assessable": "Chưa đánh giá được",
}
PANEL_METHODS = ("average", "compound", "linear", "weighted_linear")
METHOD_LABELS_VI = {
    "average": "Giữ nhịp bình quân",
    "compound": "Tăng trưởng kép",
    "linear": "Xu hướng tuyến tính",
    "weighted_linear": "Tuyến tính có trọng số",
    "ets": "San bằng mũ (ETS)",
}
#: a projection is met or not met (never "exceeded"): the labels are the core vocabulary's
VERDICT_LABELS_VI = {code: VERDICT_VI[code] for code in ("met", "not_met")}
PACE_BASIS_LABELS_VI = {
    "compound": "tăng trưởng kép (%/năm)",
    "linear": "mức thay đổi tuyến tính (đơn vị/năm)",
    "average_rate": "tốc độ bình quân (đơn vị của chỉ tiêu)",
    "average_flow": "mức bình quân mỗi năm (đơn vị/năm)",
    "none": "không có",
}
PROBABILITY_NOTE = (
    "indicative / mang tính tham khảo: share of an equal-weight mixture of the methods' predictive "
    "distributions that meets the target; short series make it swing with the choice of method"
)

# the order in which flags are listed, everywhere
FLAG_ORDER = (
    "qualitative",
    "no_target",
    "no_target_row",
    "too_few_points_for_pace",
    "too_few_points",
    "cagr_fallback_linear",
    "no_interval_lt3_points",
    "capped_at_100",
    "floored_at_0",
    "ets_needs_5_points",
    "ets_irregular_years",
    "ets_failed",
    "ets_degenerate",
)

_METHODS_BY_FAMILY = {
    "level": ("compound", "linear", "weighted_linear", "ets"),
    "rate": ("average", "linear", "weighted_linear", "ets"),
    "cumulative": ("average", "compound", "linear", "weighted_linear", "ets"),
}


def _family(kind: str) -> str:
    if kind in RATE_KINDS:
        return "rate"
    if kind == "cumulative":
        return "cumulative"
    return "level"


def _effective_comparator(direction: str, comparator: str) -> int:
    """One series' effective comparator (:func:`chitieu.core.engine.effective_comparator`)."""
    return int(effective_comparator(direction, comparator)[0])


def _normalise_comparator(comparator: Any) -> Any:
    if comparator is None or (isinstance(comparator, float) and math.isnan(comparator)):
        return "="
    if isinstance(comparator, str) and comparator.strip() == "":
        return "="
    return comparator.strip() if isinstance(comparator, str) else comparator


def _check_codes(direction: Any, kind: Any, comparator: Any) -> list[str]:
    problems = []
    if direction not in DIRECTIONS:
        problems.append(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if kind not in KINDS:
        problems.append(f"kind must be one of {KINDS}, got {kind!r}")
    if comparator not in COMPARATORS:
        problems.append(f"comparator must be one of {COMPARATORS}, got {comparator!r}")
    if not problems and comparator in CONTRADICTING_COMPARATORS.get(direction, ()):
        problems.append(f"direction {direction!r} contradicts comparator {comparator!r}")
    return problems


# --------------------------------------------------------------------------------------------
# Element-wise rules shared by both paths (pure formulas on arrays; no estimation in here)
# --------------------------------------------------------------------------------------------

def _sign(cmp: np.ndarray) -> np.ndarray:
    cmp = np.asarray(cmp)
    return np.where((cmp == GE) | (cmp == GT), 1.0, np.where((cmp == LE) | (cmp == LT), -1.0, 0.0))


def _anticipated_pct(projected: Any, target: Any, cmp: Any) -> np.ndarray:
    """Direction-aware achievement in %: 100 = exactly the target, above 100 = better than it."""
    p = np.asarray(projected, dtype=float)
    t = np.asarray(target, dtype=float)
    d = _sign(cmp)
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = (p - t) / np.abs(t)
        out = np.where(np.asarray(cmp) == BAND, 100.0 * (1.0 - np.abs(gap)), 100.0 * (1.0 + d * gap))
    return np.where(t == 0, np.nan, out)


def _ratio_pace(observed: Any, required: Any, cmp: Any) -> np.ndarray:
    """Level kinds: R = d·g_obs/|g_req| (= g_obs/g_req when the target is not met)."""
    obs = np.asarray(observed, dtype=float)
    req = np.asarray(required, dtype=float)
    d = _sign(cmp)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = d * obs / np.abs(req)
        band = np.asarray(cmp) == BAND
        r = np.where(band, obs / req, r)
        signed = np.where(band, np.sign(req) * obs, d * obs)
        at_zero = np.where(signed > 0, np.inf, np.where(signed < 0, -np.inf, 0.0))
    return np.where(req == 0, at_zero, r)


def _ratio_gap(observed: Any, required: Any, cmp: Any) -> np.ndarray:
    """Rate and cumulative kinds: R = 1 + d·(obs − req)/|req| (= obs/req when higher, req > 0)."""
    obs = np.asarray(observed, dtype=float)
    req = np.asarray(required, dtype=float)
    d = _sign(cmp)
    band = np.asarray(cmp) == BAND
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(band, 1.0 - np.abs(obs - req) / np.abs(req), 1.0 + d * (obs - req) / np.abs(req))
        at_zero = np.where(
            band,
            np.where(obs == req, 1.0, -np.inf),
            np.where(d * (obs - req) >= 0, np.inf, -np.inf),
        )
    return np.where(req == 0, at_zero, r)


def _categorise(met: Any, assessable: Any, ratio: Any) -> np.ndarray:
    """The progress category; R is rounded to 10 decimals first so rounding noise flips nothing."""
    met = np.asarray(met, dtype=bool)
    assessable = np.asarray(assessable, dtype=bool)
    ratio = np.round(np.asarray(ratio, dtype=float), 10)
    with np.errstate(invalid="ignore"):
        return np.select(
            [met, ~assessable | np.isnan(ratio), ratio >= ON_TRACK_MIN, ratio >= ACCELERATE_MIN,
             ratio >= LIMITED_MIN],
            ["met", "not_assessable", "on_track", "accelerate", "limited"],
            default="away",
        ).astype(object)


def _prob_meets(center: Any, scale: Any, df: Any, target: Any, cmp: Any) -> np.ndarray:
    """P(X meets the target) for X = center + scale·t_df (normal where df is NaN)."""
    c = np.asarray(center, dtype=float)
    s = np.asarray(scale, dtype=float)
    df = np.asarray(df, dtype=float)
    t = np.asarray(target, dtype=float)
    cmp = np.asarray(cmp)
    c, s, df, t, cmp = np.broadcast_arrays(c, s, df, t, cmp)

    finite_df = np.isfinite(df)
    safe_df = np.where(finite_df & (df > 0), df, 1.0)

    def cdf(x, where):
        """Student t cdf where df is finite, normal elsewhere; computed only on ``where`` (NaN outside)."""
        out = np.full(c.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (x[where] - c[where]) / s[where]
            fin = finite_df[where]
            vals = np.empty(z.shape)
            vals[fin] = stats.t.cdf(z[fin], safe_df[where][fin])
            vals[~fin] = stats.norm.cdf(z[~fin])
        out[where] = vals
        return out

    tol = BAND_TOLERANCE * np.abs(t)
    upper_side = (cmp == GE) | (cmp == GT)
    lower_side = (cmp == LE) | (cmp == LT)
    band = cmp == BAND
    at_target = cdf(t, upper_side | lower_side)
    p = np.select(
        [upper_side, lower_side, band],
        [1.0 - at_target, at_target, cdf(t + tol, band) - cdf(t - tol, band)],
        default=np.nan,
    )
    point = meets(c, t, cmp)
    # a perfect fit: zero spread up to rounding (both paths must agree on what "zero" is)
    # (1e-9 of the value: the two paths' sums of squares differ by rounding on a perfectly straight series)
    p = np.where(s <= 1e-9 * np.maximum(1.0, np.abs(c)), point, p)
    return np.where(np.isnan(c) | np.isnan(s) | np.isnan(t), np.nan, p)


def _snap_slope(slope: Any, span: Any, scale: Any) -> np.ndarray:
    """A slope whose change over the span is below 1e-10 of the values' size is zero (a flat series)."""
    slope = np.asarray(slope, dtype=float)
    with np.errstate(invalid="ignore"):
        tiny = np.abs(slope) * np.maximum(np.asarray(span, dtype=float), 1.0) <= 1e-10 * np.maximum(
            1.0, np.asarray(scale, dtype=float))
    return np.where(tiny, 0.0, slope)


def _t_quantile(alpha: float, df: Any) -> np.ndarray:
    df = np.asarray(df, dtype=float)
    ok = np.isfinite(df) & (df > 0)
    return np.where(ok, stats.t.ppf(1.0 - alpha / 2.0, np.where(ok, df, 1.0)), np.nan)


def _join_flags(flags: Sequence[str]) -> str:
    order = {f: i for i, f in enumerate(FLAG_ORDER)}
    return "; ".join(sorted(dict.fromkeys(flags), key=lambda f: (order.get(f, len(order)), f)))

