"""Progress toward a target and projections to the target year (chỉ tiêu → 2030).

From the 2 to 10 points an indicator usually has, this module measures the observed pace, the pace
still required to reach the target, a progress category, and each method's projected value in the
target year. The method is written up, with every rule and threshold, in ``docs/PROJECTIONS.md``.

Two entry points:

- :func:`fit_series` fits one series and returns a :class:`ProjectionResults` (statsmodels style:
  ``summary_frame()``, ``path(to=2030)``, ``scenario(...)``). It runs every method, ETS included.
- :func:`project_panel` computes the same numbers for a whole panel (every locality × indicator) at
  once with numpy group arithmetic, for every method but ETS. It gives the same numbers as
  ``fit_series(..., ets=False)`` (tested to 1e-9).

Example
-------
>>> res = fit_series([2020, 2025], [443.15, 1052.4], target=1229.0, target_year=2030,
...                  direction="higher", kind="level", comparator=">=")
>>> round(res.required_cagr, 4), res.category, res.category_label_vi
(0.0315, 'on_track', 'Đúng hướng')
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from chitieu.core.engine import BAND, GE, GT, LE, LT, effective_comparator, meets
from chitieu.core.numfmt import is_missing
from chitieu.core.vocabulary import BAND_TOLERANCE, COMPARATORS, DIRECTIONS, KINDS, RATE_KINDS, SHARE_KINDS

__all__ = [
    "ProjectionError",
    "ProjectionResults",
    "Scenario",
    "ScenarioResult",
    "fit_series",
    "project_panel",
    "CATEGORIES",
    "CATEGORY_LABELS_VI",
    "METHOD_LABELS_VI",
    "VERDICT_LABELS_VI",
    "PACE_BASIS_LABELS_VI",
    "PANEL_METHODS",
    "PANEL_COLUMNS",
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
VERDICT_LABELS_VI = {"met": "Đạt", "not_met": "Không đạt"}
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

# effective comparator codes (direction and comparator folded together)


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
    if not problems:
        if direction == "higher" and comparator in ("<", "<="):
            problems.append(f"direction 'higher' contradicts comparator {comparator!r}")
        if direction == "lower" and comparator in (">", ">="):
            problems.append(f"direction 'lower' contradicts comparator {comparator!r}")
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


# --------------------------------------------------------------------------------------------
# Per-series estimation (plain scalar code; the panel path re-derives the same with group sums)
# --------------------------------------------------------------------------------------------

class _Line:
    """(Weighted) least-squares line with prediction variances, from the normal equations."""

    def __init__(self, t: np.ndarray, y: np.ndarray, w: np.ndarray):
        self.n = len(t)
        self.t_ref = float(t[-1])
        x = np.column_stack([np.ones(self.n), t - self.t_ref])
        a = (x.T * w) @ x
        self.a_inv = np.linalg.inv(a)
        self.beta = self.a_inv @ ((x.T * w) @ y)
        resid = y - x @ self.beta
        self.df = self.n - 2
        self.s2 = float((w * resid**2).sum() / self.df) if self.df > 0 else math.nan
        self.w_new = float(w[-1])  # a future year weighs as much as the latest one

    @property
    def slope(self) -> float:
        return float(self.beta[1])

    def mean(self, years: np.ndarray) -> np.ndarray:
        return self.beta[0] + self.beta[1] * (np.asarray(years, dtype=float) - self.t_ref)

    def sd_point(self, years: np.ndarray) -> np.ndarray:
        out = []
        for yr in np.atleast_1d(years):
            xv = np.array([1.0, yr - self.t_ref])
            out.append(math.sqrt(self.s2 * (xv @ self.a_inv @ xv + 1.0 / self.w_new)) if self.df > 0 else math.nan)
        return np.array(out)

    def sum_mean(self, years: np.ndarray) -> float:
        return float(self.mean(years).sum())

    def sd_sum(self, years: np.ndarray) -> float:
        if self.df <= 0:
            return math.nan
        years = np.asarray(years, dtype=float)
        c = np.array([len(years), (years - self.t_ref).sum()])
        return math.sqrt(self.s2 * (c @ self.a_inv @ c + len(years) / self.w_new))


class _Ets:
    """Damped additive-trend ETS (statsmodels ETSModel), fitted defensively: never raises."""

    def __init__(self, t: np.ndarray, y: np.ndarray):
        self.flags: list[str] = []
        self.info: dict[str, Any] = {}
        self.res = None
        self.n = len(t)
        if self.n < MIN_POINTS_ETS:
            self.flags.append("ets_needs_5_points")
            return
        if np.any(np.diff(t) != 1):
            self.flags.append("ets_irregular_years")
            return
        # statsmodels raises many exception types on bad fits; the failure is recorded, not hidden
        try:
            from statsmodels.tsa.exponential_smoothing.ets import ETSModel

            series = pd.Series(y, index=pd.period_range(start=str(int(t[0])), periods=self.n, freq="Y"))
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                self.res = ETSModel(series, error="add", trend="add", damped_trend=True).fit(disp=False)
        except Exception as exc:  # noqa: BLE001 - recorded in flags and info
            self.flags.append("ets_failed")
            self.info["error"] = f"{type(exc).__name__}: {exc}"
            self.res = None
            return
        level = float(self.res.smoothing_level)
        trend = float(self.res.smoothing_trend)
        aicc = float(self.res.aicc)
        reasons = []
        if not math.isfinite(aicc):
            reasons.append("aicc_not_finite")
        if level <= ETS_SMOOTHING_ZERO:
            reasons.append("smoothing_at_zero")
        self.info.update(
            smoothing_level=level, smoothing_trend=trend, damping_trend=float(self.res.damping_trend),
            aicc=aicc, degenerate_reasons=tuple(reasons),
        )
        if reasons:
            self.flags.append("ets_degenerate")

    @property
    def ok(self) -> bool:
        return self.res is not None

    @property
    def degenerate(self) -> bool:
        return "ets_degenerate" in self.flags

    def _guard(self, fn):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                return fn()
            except Exception as exc:  # noqa: BLE001 - recorded in flags and info
                self.flags.append("ets_failed")
                self.info["error"] = f"{type(exc).__name__}: {exc}"
                return None

    def forecast(self, h: int, alpha: float):
        """Mean, lower, upper, sd for steps 1..h (analytic intervals)."""
        def run():
            frame = self.res.get_prediction(start=self.n, end=self.n + h - 1).summary_frame(alpha=alpha)
            mean = frame["mean"].to_numpy(float)
            lo = frame["pi_lower"].to_numpy(float)
            hi = frame["pi_upper"].to_numpy(float)
            sd = (hi - lo) / (2.0 * stats.norm.ppf(1.0 - alpha / 2.0))
            if not np.all(np.isfinite(mean)):
                raise FloatingPointError("non-finite ETS forecast")
            return mean, lo, hi, sd
        return self._guard(run)

    def simulate(self, h: int) -> np.ndarray | None:
        """Simulated future paths, shape (h, ETS_SIMULATIONS), seeded for reproducibility."""
        def run():
            sims = self.res.simulate(nsimulations=h, repetitions=ETS_SIMULATIONS, anchor="end",
                                     rng=np.random.default_rng(ETS_SEED))
            return np.asarray(sims, dtype=float).reshape(h, -1)
        return self._guard(run)


@dataclass(frozen=True)
class _MethodResult:
    method: str
    projected: float
    lower: float = math.nan
    upper: float = math.nan
    center: float = math.nan      # before capping, for the probability
    scale: float = math.nan       # predictive sd on the projected quantity
    df: float = math.nan          # t degrees of freedom; NaN = normal
    flags: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """A what-if pace. Build with the class methods, then pass to ``ProjectionResults.scenario``."""

    name: str
    value: float = math.nan
    delta_pct: float = math.nan
    delta_units: float = math.nan

    @classmethod
    def pace_pct(cls, pct: float) -> "Scenario":
        """+pct % a year (levels: compound growth; rates: that rate; cumulative: yearly amount grows pct %)."""
        return cls("pace_pct", value=float(pct))

    @classmethod
    def pace_units(cls, units: float) -> "Scenario":
        """+units a year (levels: linear change; rates: that rate; cumulative: that amount each year)."""
        return cls("pace_units", value=float(units))

    @classmethod
    def required(cls) -> "Scenario":
        """The pace that exactly reaches the target."""
        return cls("required")

    @classmethod
    def historical(cls, delta_pct: float | None = None, delta_units: float | None = None) -> "Scenario":
        """The observed pace, optionally shifted by ±delta_pct (see docs) or ±delta_units."""
        if delta_pct is not None and delta_units is not None:
            raise ProjectionError("Scenario.historical takes delta_pct or delta_units, not both")
        return cls(
            "historical",
            delta_pct=0.0 if delta_pct is None else float(delta_pct),
            delta_units=math.nan if delta_units is None else float(delta_units),
        )

    @property
    def label_vi(self) -> str:
        if self.name == "pace_pct":
            return f"Nhịp tùy chọn {_fmt_vi(self.value)}%/năm"
        if self.name == "pace_units":
            return f"Nhịp tùy chọn {_fmt_vi(self.value)} đơn vị/năm"
        if self.name == "required":
            return "Nhịp cần thiết để đạt mục tiêu"
        if math.isfinite(self.delta_units):
            return f"Nhịp lịch sử {_fmt_vi(self.delta_units, signed=True)} đơn vị/năm"
        if self.delta_pct:
            return f"Nhịp lịch sử {_fmt_vi(self.delta_pct, signed=True)}%"
        return "Nhịp lịch sử"


def _fmt_vi(x: float, signed: bool = False) -> str:
    text = f"{x:+g}" if signed else f"{x:g}"
    return text.replace(".", ",")


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    label_vi: str
    pace: float
    pace_unit: str
    target_year: int
    projected: float
    anticipated_pct: float
    verdict: str | None
    verdict_vi: str | None
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario.name,
            "label_vi": self.label_vi,
            "pace": self.pace,
            "pace_unit": self.pace_unit,
            "target_year": self.target_year,
            "projected": self.projected,
            "anticipated_pct": self.anticipated_pct,
            "verdict": self.verdict,
            "verdict_vi": self.verdict_vi,
            "flags": _join_flags(self.flags),
        }


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------

def _as_float_array(x: Any, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ProjectionError(f"{name} must be numbers: {exc}") from None
    if arr.ndim != 1:
        raise ProjectionError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def _whole_year(x: Any, name: str) -> int:
    try:
        value = float(x)
    except (TypeError, ValueError):
        raise ProjectionError(f"{name} must be a whole year, got {x!r}") from None
    if not math.isfinite(value) or value != round(value):
        raise ProjectionError(f"{name} must be a whole year, got {x!r}")
    return int(value)


_is_missing = is_missing  # None, NA or NaN (shared with the rest of the package)


_FLOAT_ATTRIBUTES = (
    "latest_value", "target", "accumulated", "observed_cagr", "observed_linear_slope", "required_cagr",
    "required_linear_slope", "observed_pace", "required_pace", "pace_ratio", "years_to_target",
    "disagreement", "probability",
)


class ProjectionResults:
    """Progress and projections of one series toward its target. Build it with :func:`fit_series`.

    Attributes (paces as fractions for CAGR, in the series' units per year for linear ones):
    ``observed_cagr``, ``observed_linear_slope``, ``required_cagr``, ``required_linear_slope``,
    ``years_to_target``, ``observed_pace``, ``required_pace``, ``pace_basis``, ``pace_ratio``,
    ``category``, ``category_label_vi``, ``disagreement``, ``probability``, ``probability_note``,
    ``flags``, ``ets_info``.
    """

    def __init__(self, years, values, target, target_year, direction, kind, comparator,
                 period_start, ets: bool, alpha: float):
        comparator = _normalise_comparator(comparator)
        problems = _check_codes(direction, kind, comparator)
        if problems:
            raise ProjectionError("; ".join(problems))
        t = _as_float_array(years, "years")
        y = _as_float_array(values, "values")
        if len(t) != len(y):
            raise ProjectionError(f"years and values differ in length ({len(t)} vs {len(y)})")
        if len(t) == 0 and kind != "qualitative":
            raise ProjectionError("no observations: at least one (year, value) is needed")
        if not np.all(np.isfinite(t)) or np.any(t != np.round(t)):
            raise ProjectionError(f"years must be whole, finite numbers, got {list(years)}")
        if np.any(np.diff(t) <= 0):
            raise ProjectionError(f"years must be strictly increasing, got {[int(v) for v in t]}")
        if kind != "qualitative" and not np.all(np.isfinite(y)):
            raise ProjectionError(f"values must be finite numbers, got {list(values)}")
        if _is_missing(target_year):
            raise ProjectionError("target_year is required (the year the projection is made for)")
        target_year = _whole_year(target_year, "target_year")
        if len(t) and target_year <= t[-1]:
            raise ProjectionError(
                f"target_year {target_year} must come after the latest observation {int(t[-1])} "
                "(a target already due is an achievement question, not a projection)"
            )
        if _is_missing(target):
            target_f = math.nan
        else:
            try:
                target_f = float(target)
            except (TypeError, ValueError):
                raise ProjectionError(f"target must be a number or None, got {target!r}") from None
            if not math.isfinite(target_f):
                raise ProjectionError(f"target must be finite or None, got {target!r}")
        if _is_missing(period_start):
            period_start = None
        else:
            period_start = _whole_year(period_start, "period_start")
            if period_start > target_year:
                raise ProjectionError(f"period_start {period_start} comes after target_year {target_year}")
        if kind == "cumulative" and period_start is None:
            raise ProjectionError("a cumulative target needs period_start (e.g. 2026 for '2026-2030')")

        self.years = t.astype(int)
        self.values = y
        self.target = target_f
        self.target_year = target_year
        self.direction = direction
        self.kind = kind
        self.comparator = comparator
        self.period_start = period_start
        self.alpha = float(alpha)
        self.family = _family(kind)
        self._cmp = _effective_comparator(direction, comparator)
        self.flags: list[str] = []
        self.ets_info: dict[str, Any] = {}
        self._fit(t, y, ets)

    # ---- fitting ---------------------------------------------------------------------------

    def _fit(self, t: np.ndarray, y: np.ndarray, use_ets: bool) -> None:
        n = len(t)
        self.n_points = n
        self.latest_year = int(t[-1]) if n else None
        self.latest_value = float(y[-1]) if n else math.nan
        self.first_year = int(t[0]) if n else None
        has_target = math.isfinite(self.target) and self.kind != "qualitative"
        if self.kind == "qualitative":
            self.flags.append("qualitative")
        elif not math.isfinite(self.target):
            self.flags.append("no_target")

        # observed pace, shared by the families
        self._cagr_ok = n >= 2 and y[0] > 0 and y[-1] > 0 and self.kind != "qualitative"
        if n >= 2 and self.kind != "qualitative":
            span = t[-1] - t[0]
            self._slope_end = (y[-1] - y[0]) / span
            self._g_obs = (y[-1] / y[0]) ** (1.0 / span) - 1.0 if self._cagr_ok else math.nan
            self._ols = _Line(t, y, np.ones(n))
            self._wls = _Line(t, y, t - t[0] + 1.0)
            self.observed_linear_slope = float(_snap_slope(self._ols.slope, span, np.max(np.abs(y))))
        else:
            self._slope_end = math.nan
            self._g_obs = math.nan
            self._ols = self._wls = None
            self.observed_linear_slope = math.nan
        self._ets = _Ets(t, y) if (use_ets and self.kind != "qualitative") else None
        if self._ets is not None:
            self.ets_info = dict(self._ets.info)

        q = float(_t_quantile(self.alpha, n - 2)) if n >= MIN_POINTS_INTERVAL else math.nan
        self._q = q
        if self.family == "level":
            self._fit_level(t, y, has_target, q)
        else:
            self._fit_aggregate(t, y, has_target, q)

        # ETS may have recorded a late failure
        if self._ets is not None:
            self.ets_info = dict(self._ets.info)

        self.category = str(self.category)
        self.category_label_vi = CATEGORY_LABELS_VI[self.category]

        finals = [m.projected for m in self._methods.values() if math.isfinite(m.projected)]
        if has_target and len(finals) >= 2 and self.target != 0:
            self.disagreement = (max(finals) - min(finals)) / abs(self.target)
        else:
            self.disagreement = math.nan
        self.probability = self._probability(has_target)
        self.probability_note = PROBABILITY_NOTE
        for name in _FLOAT_ATTRIBUTES:
            setattr(self, name, float(getattr(self, name)))

    def _fit_level(self, t, y, has_target, q) -> None:
        n = len(t)
        T, Ty, cmp = self.target, self.target_year, self._cmp
        qualitative = self.kind == "qualitative"
        h = Ty - t[-1] if n else math.nan
        y_last = self.latest_value
        self.observed_cagr = self._g_obs
        if has_target and n:
            self.required_cagr = (T / y_last) ** (1.0 / h) - 1.0 if (y_last > 0 and T > 0) else math.nan
            self.required_linear_slope = (T - y_last) / h
            met = bool(meets(y_last, T, cmp) == 1.0)
        else:
            self.required_cagr = self.required_linear_slope = math.nan
            met = False
        self.accumulated = math.nan
        if n >= MIN_POINTS_PACE and not qualitative:
            if math.isfinite(self.observed_cagr) and (not has_target or math.isfinite(self.required_cagr)):
                self.pace_basis = "compound"
                obs, req = self.observed_cagr, self.required_cagr
                self.observed_pace, self.required_pace = 100.0 * obs, 100.0 * req
            else:
                self.pace_basis = "linear"
                obs, req = self.observed_linear_slope, self.required_linear_slope
                self.observed_pace, self.required_pace = obs, req
            ratio = float(_ratio_pace(obs, req, cmp)) if has_target else math.nan
        else:
            self.pace_basis = "none"
            self.observed_pace = self.required_pace = ratio = math.nan
            obs = math.nan
            if not qualitative and n:
                self.flags.append("too_few_points_for_pace")
        self.pace_ratio = math.nan if met else ratio

        # years to target at the current pace
        if not has_target or n < MIN_POINTS_PACE or qualitative:
            ytt = math.nan
        elif met:
            ytt = 0.0
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                if self.pace_basis == "compound":
                    ytt = float(np.log(T / y_last) / np.log1p(obs))
                else:
                    ytt = (T - y_last) / obs if obs != 0 else math.inf
            if not math.isfinite(ytt) or ytt < 0:
                ytt = math.inf  # moving away, or standing still
        self.years_to_target = ytt + 0.0

        assessable = has_target and n >= MIN_POINTS_PACE and not qualitative
        self.category = _categorise(met, assessable, self.pace_ratio)[()]

        # methods at the target year
        methods: dict[str, _MethodResult] = {}
        lin_scale = math.nan
        for name in _METHODS_BY_FAMILY["level"]:
            flags: list[str] = []
            proj = lo = hi = scale = df = math.nan
            if name == "ets":
                if self._ets is None:
                    continue
                if self._ets.ok:
                    fc = self._ets.forecast(int(h), self.alpha)
                    if fc is not None:
                        proj, lo, hi, scale = fc[0][-1], fc[1][-1], fc[2][-1], fc[3][-1]
                flags.extend(self._ets.flags)  # read after forecasting: a late failure is recorded
            elif qualitative:
                pass
            elif n < MIN_POINTS_PACE:
                flags.append("too_few_points")
            elif name == "compound":
                proj = self._compound_at(np.array([Ty]), t[-1], y_last)[0]
                if not self._cagr_ok:
                    flags.append("cagr_fallback_linear")
            else:
                line = self._ols if name == "linear" else self._wls
                proj = float(line.mean(np.array([Ty]))[0])
                if n >= MIN_POINTS_INTERVAL:
                    scale = float(line.sd_point(np.array([Ty]))[0])
                    lo, hi, df = proj - q * scale, proj + q * scale, n - 2
                else:
                    flags.append("no_interval_lt3_points")
                if name == "linear":
                    lin_scale = scale
            methods[name] = _MethodResult(name, proj, lo, hi, center=proj, scale=scale, df=df,
                                          flags=tuple(flags))
        if "compound" in methods and n >= MIN_POINTS_INTERVAL:
            m = methods["compound"]
            methods["compound"] = _MethodResult(m.method, m.projected, center=m.center, scale=lin_scale,
                                                df=n - 2, flags=m.flags)
        if self.kind in SHARE_KINDS:
            methods = {k: self._cap_share(m) for k, m in methods.items()}
        self._methods = methods

    def _compound_at(self, years: np.ndarray, t_last: float, y_last: float) -> np.ndarray:
        k = np.asarray(years, dtype=float) - t_last
        if self._cagr_ok:
            return y_last * (1.0 + self._g_obs) ** k
        return y_last + self._slope_end * k

    @staticmethod
    def _cap_share(m: _MethodResult) -> _MethodResult:
        flags = list(m.flags)
        if m.projected > SHARE_CAP + _CAP_EPS:
            flags.append("capped_at_100")
        if m.projected < -_CAP_EPS:
            flags.append("floored_at_0")
        clip = lambda v: min(max(v, 0.0), SHARE_CAP) if math.isfinite(v) else v  # noqa: E731
        return _MethodResult(m.method, clip(m.projected), clip(m.lower), clip(m.upper), center=m.center,
                             scale=m.scale, df=m.df, flags=tuple(flags))

    def _fit_aggregate(self, t, y, has_target, q) -> None:
        """Rate kinds (average over the target period) and cumulative kinds (total over it)."""
        n = len(t)
        T, Ty, cmp = self.target, self.target_year, self._cmp
        t_last, y_last = t[-1], self.latest_value
        p0 = self.period_start if self.period_start is not None else int(t_last) + 1
        in_period = t >= p0
        m_in = int(in_period.sum())
        s_in = float(y[in_period].sum())
        future = np.arange(max(int(t_last) + 1, p0), Ty + 1)
        L = len(future)
        self._future, self._s_in, self._m_in, self._p0 = future, s_in, m_in, p0
        obs = float(np.mean(y))
        rate = self.family == "rate"
        divisor = (m_in + L) if rate else 1.0
        self._divisor = divisor

        if rate:
            req = (T * (m_in + L) - s_in) / L if has_target else math.nan
            self.pace_basis = "average_rate"
            self.accumulated = math.nan
            self.observed_cagr = obs / 100.0 if self.kind == "rate_per_year" else math.nan
            self.required_cagr = req / 100.0 if self.kind == "rate_per_year" else math.nan
            self.required_linear_slope = math.nan
            met = False
        else:
            req = (T - s_in) / L if has_target else math.nan
            self.pace_basis = "average_flow"
            self.accumulated = s_in
            self.observed_cagr = self._g_obs
            self.required_cagr = math.nan
            self.required_linear_slope = req
            met = bool(meets(s_in, T, cmp) == 1.0) if (has_target and cmp in (GE, GT)) else False
        self.observed_pace, self.required_pace = obs, req
        ratio = float(_ratio_gap(obs, req, cmp)) if has_target else math.nan
        self.pace_ratio = math.nan if met else ratio

        if rate or not has_target or _sign(cmp) < 0:
            ytt = math.nan
        elif met:
            ytt = 0.0
        else:
            ytt = (T - s_in) / obs if obs > 0 else math.inf
        self.years_to_target = ytt
        self.category = _categorise(met, has_target, self.pace_ratio)[()]

        methods: dict[str, _MethodResult] = {}
        lin_scale = math.nan
        for name in _METHODS_BY_FAMILY[self.family]:
            flags: list[str] = []
            total = scale = df = math.nan
            if name == "ets":
                if self._ets is None:
                    continue
                if self._ets.ok:
                    h = int(Ty - t_last)
                    fc = self._ets.forecast(h, self.alpha)
                    sims = self._ets.simulate(h) if fc is not None else None
                    if fc is not None and sims is not None:
                        keep = np.arange(int(t_last) + 1, Ty + 1) >= p0
                        total = float(fc[0][keep].sum())
                        scale = float(sims[keep].sum(axis=0).std(ddof=1))
                flags.extend(self._ets.flags)
            elif name == "average":
                total = L * obs
            elif n < MIN_POINTS_PACE:
                flags.append("too_few_points")
            elif name == "compound":
                total = float(self._compound_at(future, t_last, y_last).sum())
                if not self._cagr_ok:
                    flags.append("cagr_fallback_linear")
            else:
                line = self._ols if name == "linear" else self._wls
                total = line.sum_mean(future)
                if n >= MIN_POINTS_INTERVAL:
                    scale = line.sd_sum(future)
                    df = n - 2
                else:
                    flags.append("no_interval_lt3_points")
                if name == "linear":
                    lin_scale = scale
            proj = (s_in + total) / divisor
            sd = scale / divisor
            if name == "ets":
                z = stats.norm.ppf(1.0 - self.alpha / 2.0)
                lo, hi = proj - z * sd, proj + z * sd
            elif math.isfinite(sd):
                lo, hi = proj - q * sd, proj + q * sd
            else:
                lo = hi = math.nan
            methods[name] = _MethodResult(name, proj, lo, hi, center=proj, scale=sd, df=df, flags=tuple(flags))
        if n >= MIN_POINTS_INTERVAL:
            for name in ("average", "compound"):
                if name in methods:
                    m = methods[name]
                    methods[name] = _MethodResult(name, m.projected, center=m.center,
                                                  scale=lin_scale / divisor, df=n - 2, flags=m.flags)
        self._methods = methods

    def _probability(self, has_target: bool) -> float:
        if not has_target or self.n_points < MIN_POINTS_PROBABILITY:
            return math.nan
        probs = []
        for m in self._methods.values():
            if not math.isfinite(m.center):
                continue
            if m.method == "ets" and (self._ets is None or self._ets.degenerate or not math.isfinite(m.scale)):
                continue  # a collapsed ETS fit has intervals far too narrow to trust
            probs.append(float(_prob_meets(m.center, m.scale, m.df, self.target, self._cmp)))
        probs = [p for p in probs if math.isfinite(p)]
        return float(np.mean(probs)) if probs else math.nan

    # ---- outputs ---------------------------------------------------------------------------

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self._methods)

    def summary_frame(self) -> pd.DataFrame:
        """One row per method: projected value in the target year, interval, achievement, verdict."""
        rows = []
        has_target = math.isfinite(self.target) and self.kind != "qualitative"
        for name, m in self._methods.items():
            ant = float(_anticipated_pct(m.projected, self.target, self._cmp)) if has_target else math.nan
            ok = float(meets(m.projected, self.target, self._cmp)) if has_target else math.nan
            verdict = None if math.isnan(ok) else ("met" if ok == 1.0 else "not_met")
            rows.append({
                "method": name,
                "method_vi": METHOD_LABELS_VI[name],
                "target_year": self.target_year,
                "projected": m.projected,
                "lower": m.lower,
                "upper": m.upper,
                "target": self.target,
                "anticipated_pct": ant,
                "verdict": verdict,
                "verdict_vi": VERDICT_LABELS_VI.get(verdict) if verdict else None,
                "flags": _join_flags(m.flags),
            })
        cols = ["method", "method_vi", "target_year", "projected", "lower", "upper", "target",
                "anticipated_pct", "verdict", "verdict_vi", "flags"]
        return pd.DataFrame(rows, columns=cols)

    def overview(self) -> pd.Series:
        """The headline numbers of the series as one Series."""
        return pd.Series({
            "kind": self.kind, "direction": self.direction, "comparator": self.comparator,
            "n_points": self.n_points, "first_year": self.first_year, "latest_year": self.latest_year,
            "latest_value": self.latest_value, "accumulated": self.accumulated, "target": self.target,
            "target_year": self.target_year, "period_start": self.period_start,
            "observed_cagr": self.observed_cagr, "observed_linear_slope": self.observed_linear_slope,
            "required_cagr": self.required_cagr, "required_linear_slope": self.required_linear_slope,
            "observed_pace": self.observed_pace, "required_pace": self.required_pace,
            "pace_basis": self.pace_basis, "pace_ratio": self.pace_ratio,
            "years_to_target": self.years_to_target, "category": self.category,
            "category_vi": self.category_label_vi, "disagreement": self.disagreement,
            "probability": self.probability, "flags": _join_flags(self.flags),
        }, dtype=object)

    def to_panel_rows(self, locality: Any = None, indicator: Any = None) -> pd.DataFrame:
        """This result in the layout of :func:`project_panel` (one row per method)."""
        summary = self.summary_frame()
        head = {
            "locality": locality, "indicator": indicator, "kind": self.kind, "direction": self.direction,
            "comparator": self.comparator, "target": self.target, "target_year": self.target_year,
            "period_start": self.period_start, "n_points": self.n_points, "first_year": self.first_year,
            "latest_year": self.latest_year, "latest_value": self.latest_value,
            "accumulated": self.accumulated,
            "observed_cagr_pct": 100.0 * self.observed_cagr,
            "observed_linear_slope": self.observed_linear_slope,
            "required_cagr_pct": 100.0 * self.required_cagr,
            "required_linear_slope": self.required_linear_slope,
            "observed_pace": self.observed_pace, "required_pace": self.required_pace,
            "pace_basis": self.pace_basis, "pace_ratio": self.pace_ratio,
            "years_to_target": self.years_to_target, "category": self.category,
            "category_vi": self.category_label_vi,
        }
        rows = []
        for rec in summary.to_dict("records"):
            row = dict(head)
            row.update({
                "method": rec["method"], "method_vi": rec["method_vi"], "projected": rec["projected"],
                "lower": rec["lower"], "upper": rec["upper"], "anticipated_pct": rec["anticipated_pct"],
                "verdict": rec["verdict"], "verdict_vi": rec["verdict_vi"],
                "disagreement": self.disagreement, "probability": self.probability,
                "flags": _join_flags(list(self.flags) + [f for f in rec["flags"].split("; ") if f]),
            })
            rows.append(row)
        return pd.DataFrame(rows, columns=PANEL_COLUMNS)

    def path(self, to: int | None = None) -> pd.DataFrame:
        """Year × method: observed values, then each method's projected path (and bounds) to ``to``.

        Level kinds: the projected level. Rate kinds: the projected yearly rate (the summary holds the
        period average). Cumulative kinds: the running total over the target period (``observed`` is
        the running total too; ``observed_flow`` the yearly amounts).
        """
        to = self.target_year if to is None else int(to)
        if self.latest_year is None:
            raise ProjectionError("no observations to draw a path from")
        if to < self.latest_year:
            raise ProjectionError(f"path(to={to}) ends before the latest observation {self.latest_year}")
        t = self.years.astype(float)
        y = self.values
        index = pd.RangeIndex(self.first_year, to + 1, name="year")
        frame = pd.DataFrame(index=index)
        observed = pd.Series(y, index=self.years)
        fut = np.arange(self.latest_year + 1, to + 1)
        cumulative = self.family == "cumulative"
        if cumulative:
            in_p = self.years >= self._p0
            running = pd.Series(np.where(in_p, np.cumsum(np.where(in_p, y, 0.0)), np.nan), index=self.years)
            frame["observed"] = running.reindex(index)
            frame["observed_flow"] = observed.reindex(index)
        else:
            frame["observed"] = observed.reindex(index)
        frame["is_observed"] = frame.index.isin(self.years)
        n = self.n_points
        q = self._q
        for name in self._methods:
            mean = lo = hi = None
            if len(fut) == 0:
                mean = np.array([])
            elif name == "ets":
                if self._ets is not None and self._ets.ok:
                    fc = self._ets.forecast(len(fut), self.alpha)
                    if fc is not None:
                        mean, lo, hi, sd = fc
                        if cumulative:
                            sims = self._ets.simulate(len(fut))
                            keep = self._in_period(fut)
                            mean = self.accumulated + np.cumsum(np.where(keep, mean, 0.0))
                            if sims is not None:
                                sd = np.cumsum(np.where(keep[:, None], sims, 0.0), axis=0).std(axis=1, ddof=1)
                                z = stats.norm.ppf(1.0 - self.alpha / 2.0)
                                lo, hi = mean - z * sd, mean + z * sd
                            else:
                                lo = hi = None
            elif name == "average":
                flow = np.full(len(fut), self.observed_pace)
                mean = self._running(flow, fut) if cumulative else flow
            elif n < MIN_POINTS_PACE:
                continue
            elif name == "compound":
                flow = self._compound_at(fut, t[-1], self.latest_value)
                mean = self._running(flow, fut) if cumulative else flow
            else:
                line = self._ols if name == "linear" else self._wls
                flow = line.mean(fut)
                if cumulative:
                    mean = self._running(flow, fut)
                    if n >= MIN_POINTS_INTERVAL:
                        keep = self._in_period(fut)
                        sds = np.array([line.sd_sum(fut[: j + 1][keep[: j + 1]]) if keep[: j + 1].any()
                                        else 0.0 for j in range(len(fut))])
                        lo, hi = mean - q * sds, mean + q * sds
                else:
                    mean = flow
                    if n >= MIN_POINTS_INTERVAL:
                        sds = line.sd_point(fut)
                        lo, hi = mean - q * sds, mean + q * sds
            if mean is None:
                continue
            if self.kind in SHARE_KINDS:
                mean = np.clip(mean, 0.0, SHARE_CAP)
                lo = None if lo is None else np.clip(lo, 0.0, SHARE_CAP)
                hi = None if hi is None else np.clip(hi, 0.0, SHARE_CAP)
            frame[name] = pd.Series(mean, index=fut, dtype=float).reindex(index)
            if lo is not None:
                frame[f"{name}_lower"] = pd.Series(lo, index=fut, dtype=float).reindex(index)
                frame[f"{name}_upper"] = pd.Series(hi, index=fut, dtype=float).reindex(index)
        return frame

    def _in_period(self, years: np.ndarray) -> np.ndarray:
        return (years >= self._p0) & (years <= self.target_year)

    def _running(self, flow: np.ndarray, fut: np.ndarray) -> np.ndarray:
        keep = self._in_period(fut)
        return self.accumulated + np.cumsum(np.where(keep, flow, 0.0))

    def scenario(self, scenario: Scenario) -> ScenarioResult:
        """The target-year value, achievement and verdict under a what-if pace."""
        if not isinstance(scenario, Scenario):
            raise ProjectionError(f"expected a Scenario, got {type(scenario).__name__}")
        if self.kind == "qualitative" or self.n_points == 0:
            raise ProjectionError("a qualitative indicator has no pace to vary")
        flags: list[str] = []
        T, Ty, cmp = self.target, self.target_year, self._cmp
        has_target = math.isfinite(T)
        y_last, t_last = self.latest_value, float(self.latest_year)
        name = scenario.name
        if self.family == "level":
            h = Ty - t_last
            if name == "pace_pct":
                pace, unit = scenario.value, "%/năm"
                proj = y_last * (1.0 + pace / 100.0) ** h
            elif name == "pace_units":
                pace, unit = scenario.value, "đơn vị/năm"
                proj = y_last + pace * h
            elif name == "required":
                if not has_target:
                    pace, unit, proj = math.nan, "", math.nan
                    flags.append("no_target")
                elif math.isfinite(self.required_cagr):
                    pace, unit = 100.0 * self.required_cagr, "%/năm"
                    proj = y_last * (1.0 + self.required_cagr) ** h
                else:
                    pace, unit = self.required_linear_slope, "đơn vị/năm"
                    proj = y_last + pace * h
            else:  # historical
                if math.isfinite(scenario.delta_units) or not math.isfinite(self._g_obs):
                    if self.n_points < MIN_POINTS_PACE:
                        pace, unit, proj = math.nan, "đơn vị/năm", math.nan
                        flags.append("too_few_points")
                    else:
                        base = self.observed_linear_slope
                        if math.isfinite(scenario.delta_units):
                            pace = base + scenario.delta_units
                        else:
                            pace = base * (1.0 + scenario.delta_pct / 100.0)
                            flags.append("cagr_fallback_linear")
                        unit = "đơn vị/năm"
                        proj = y_last + pace * h
                else:
                    pace, unit = 100.0 * self._g_obs + scenario.delta_pct, "%/năm"
                    proj = y_last * (1.0 + pace / 100.0) ** h
            if self.kind in SHARE_KINDS and math.isfinite(proj):
                if proj > SHARE_CAP + _CAP_EPS:
                    flags.append("capped_at_100")
                if proj < -_CAP_EPS:
                    flags.append("floored_at_0")
                proj = min(max(proj, 0.0), SHARE_CAP)
        else:
            fut, L = self._future, len(self._future)
            rate = self.family == "rate"
            unit = "đơn vị của chỉ tiêu" if rate else "đơn vị/năm"
            if name == "pace_pct" and not rate:
                pace, unit = scenario.value, "%/năm"
                flows = y_last * (1.0 + pace / 100.0) ** (fut - t_last)
            else:
                if name in ("pace_pct", "pace_units"):
                    pace = scenario.value
                elif name == "required":
                    pace = self.required_pace
                    if not has_target:
                        flags.append("no_target")
                elif math.isfinite(scenario.delta_units):
                    pace = self.observed_pace + scenario.delta_units
                elif rate:
                    pace = self.observed_pace + scenario.delta_pct
                else:
                    pace = self.observed_pace * (1.0 + scenario.delta_pct / 100.0)
                flows = np.full(L, pace)
            proj = (self._s_in + float(np.sum(flows))) / self._divisor
        if has_target and math.isfinite(proj):
            ant = float(_anticipated_pct(proj, T, cmp))
            verdict = "met" if float(meets(proj, T, cmp)) == 1.0 else "not_met"
        else:
            ant, verdict = math.nan, None
        return ScenarioResult(
            scenario=scenario, label_vi=scenario.label_vi, pace=float(pace), pace_unit=unit,
            target_year=Ty, projected=float(proj), anticipated_pct=ant, verdict=verdict,
            verdict_vi=VERDICT_LABELS_VI.get(verdict) if verdict else None, flags=tuple(flags),
        )

    def scenarios(self, scenarios: Sequence[Scenario]) -> pd.DataFrame:
        """Several scenarios side by side, one row each."""
        return pd.DataFrame([self.scenario(s).to_dict() for s in scenarios])

    def __repr__(self) -> str:
        return (
            f"<ProjectionResults {self.kind}/{self.direction} n={self.n_points} "
            f"latest={self.latest_value:g} ({self.latest_year}) target={self.target:g} ({self.target_year}) "
            f"category={self.category}>"
        )


def fit_series(
    years: Sequence[int],
    values: Sequence[float],
    target: float | None = None,
    target_year: int = 2030,
    *,
    direction: str,
    kind: str = "level",
    comparator: str = "=",
    period_start: int | None = None,
    ets: bool = True,
    alpha: float = DEFAULT_ALPHA,
) -> ProjectionResults:
    """Fit every projection method to one indicator's series and assess progress to its target.

    ``direction`` is required (no silent default). ``ets=False`` skips the ETS fit (what
    :func:`project_panel` computes). ``alpha`` sets the interval level (0.05 → 95 %).

    >>> res = fit_series([2023, 2024, 2025], [1.6, 1.5, 1.5], target=1.0, target_year=2030,
    ...                  direction="lower", kind="rate_per_year", comparator="<")
    >>> res.category, round(res.pace_ratio, 4)
    ('limited', 0.4667)
    """
    return ProjectionResults(years, values, target, target_year, direction, kind, comparator,
                             period_start, ets=ets, alpha=alpha)


# --------------------------------------------------------------------------------------------
# Vectorised panel path
# --------------------------------------------------------------------------------------------

PANEL_COLUMNS = [
    "locality", "indicator", "kind", "direction", "comparator", "target", "target_year", "period_start",
    "n_points", "first_year", "latest_year", "latest_value", "accumulated",
    "observed_cagr_pct", "observed_linear_slope", "required_cagr_pct", "required_linear_slope",
    "observed_pace", "required_pace", "pace_basis", "pace_ratio", "years_to_target",
    "category", "category_vi", "method", "method_vi", "projected", "lower", "upper", "anticipated_pct",
    "verdict", "verdict_vi", "disagreement", "probability", "flags",
]
TARGET_COLUMNS = ["locality", "indicator", "target", "target_year", "direction", "kind", "comparator",
                  "period_start"]


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ProjectionError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ProjectionError(f"{name} lacks columns {missing} (has {list(frame.columns)})")


def _key_list(frame: pd.DataFrame, mask: np.ndarray, limit: int = 10) -> str:
    keys = frame.loc[mask, ["locality", "indicator"]].drop_duplicates().itertuples(index=False)
    keys = [f"{a}/{b}" for a, b in keys]
    more = f" and {len(keys) - limit} more" if len(keys) > limit else ""
    return ", ".join(keys[:limit]) + more


def project_panel(obs: pd.DataFrame, targets: pd.DataFrame, to: int = 2030, *,
                  alpha: float = DEFAULT_ALPHA) -> pd.DataFrame:
    """Progress and projections for every (locality, indicator) of a panel at once, all but ETS.

    ``obs``: ``locality, indicator, year, value``. ``targets``: ``locality, indicator, target,
    target_year, direction, kind, comparator, period_start`` (one row per pair; ``target`` may be
    NaN). Projections are made for each row's ``target_year``; ``to`` is used where it is missing
    (pairs without a target row are projected as levels to ``to``, category ``not_assessable``).
    Returns one row per (locality, indicator, method), columns ``PANEL_COLUMNS``; the numbers equal
    ``fit_series(..., ets=False).to_panel_rows()``.

    >>> obs = pd.DataFrame({"locality": "x", "indicator": "fruit_area", "year": [2020, 2025],
    ...                     "value": [443.15, 1052.4]})
    >>> targets = pd.DataFrame({"locality": ["x"], "indicator": ["fruit_area"], "target": [1229.0],
    ...                         "target_year": [2030], "direction": ["higher"], "kind": ["level"],
    ...                         "comparator": [">="], "period_start": [None]})
    >>> project_panel(obs, targets)[["method", "category"]].values.tolist()
    [['compound', 'on_track'], ['linear', 'on_track'], ['weighted_linear', 'on_track']]
    """
    _require_columns(obs, ["locality", "indicator", "year", "value"], "obs")
    _require_columns(targets, TARGET_COLUMNS, "targets")
    errors: list[str] = []

    o = obs[["locality", "indicator", "year", "value"]].copy()
    if o[["locality", "indicator"]].isna().to_numpy().any():
        errors.append("obs: locality and indicator must not be empty")
    year = pd.to_numeric(o["year"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    value = pd.to_numeric(o["value"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad_year = ~np.isfinite(year) | (year != np.round(year))
    if bad_year.any():
        errors.append(f"obs: years must be whole numbers ({_key_list(o, bad_year)})")
    bad_value = ~np.isfinite(value)
    if bad_value.any():
        errors.append(f"obs: values must be finite numbers ({_key_list(o, bad_value)})")
    o["year"] = year
    o["value"] = value
    dup = o.duplicated(["locality", "indicator", "year"], keep=False).to_numpy()
    if dup.any():
        errors.append(f"obs: a year appears twice for {_key_list(o, dup)}")
    tg = targets[TARGET_COLUMNS].copy()
    tdup = tg.duplicated(["locality", "indicator"], keep=False).to_numpy()
    if tdup.any():
        errors.append(f"targets: more than one row for {_key_list(tg, tdup)}")
    if errors:
        raise ProjectionError("; ".join(errors))
    if len(o) == 0:
        return pd.DataFrame(columns=PANEL_COLUMNS)

    o = o.sort_values(["locality", "indicator", "year"], kind="mergesort").reset_index(drop=True)
    gid = o.groupby(["locality", "indicator"], sort=False).ngroup().to_numpy()
    N = len(o)
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    ends = np.r_[starts[1:], N] - 1
    G = len(starts)
    t = o["year"].to_numpy(float)
    y = o["value"].to_numpy(float)

    keys = o.loc[starts, ["locality", "indicator"]].reset_index(drop=True)
    merged = keys.merge(tg.assign(_row=True), on=["locality", "indicator"], how="left")
    has_row = merged["_row"].eq(True).to_numpy()
    comparator = merged["comparator"]
    comparator = comparator.where(comparator.notna(), "=").astype(object)
    comparator = comparator.where(~comparator.map(lambda v: isinstance(v, str)), comparator.str.strip())
    comparator = comparator.where((comparator != "") & has_row, "=")
    direction = merged["direction"].where(has_row, None).astype(object)
    kind = merged["kind"].where(has_row, "level").astype(object)

    # validation, all problems at once
    n = np.diff(np.r_[starts, N])
    t_first, t_last = t[starts], t[ends]
    y_first, y_last = y[starts], y[ends]
    T = pd.to_numeric(merged["target"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    Ty_raw = pd.to_numeric(merged["target_year"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    Ty = np.where(np.isnan(Ty_raw), float(to), Ty_raw)
    p_start = pd.to_numeric(merged["period_start"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    dir_ok = direction.isin(DIRECTIONS).to_numpy()
    kind_ok = kind.isin(KINDS).to_numpy()
    cmp_ok = comparator.isin(COMPARATORS).to_numpy()
    dir_arr = direction.to_numpy(dtype=object)
    cmp_arr = comparator.to_numpy(dtype=object)
    contradiction = (((dir_arr == "higher") & comparator.isin(["<", "<="]).to_numpy())
                     | ((dir_arr == "lower") & comparator.isin([">", ">="]).to_numpy()))
    for label, bad in (("direction must be one of " + str(DIRECTIONS), has_row & ~dir_ok),
                       ("kind must be one of " + str(KINDS), has_row & ~kind_ok),
                       ("comparator must be one of " + str(COMPARATORS), has_row & ~cmp_ok),
                       ("direction contradicts comparator", has_row & contradiction)):
        if bad.any():
            errors.append(f"targets: {label} ({_key_list(keys, bad)})")
    if np.isinf(T).any():
        errors.append(f"targets: target must be finite or empty ({_key_list(keys, np.isinf(T))})")
    bad_ty = Ty != np.round(Ty)
    if bad_ty.any():
        errors.append(f"targets: target_year must be a whole year ({_key_list(keys, bad_ty)})")
    late = Ty <= t_last
    if late.any():
        errors.append("target_year must come after the latest observation for "
                      f"{_key_list(keys, late)}")
    kind_arr = kind.to_numpy(dtype=object)
    is_cum = kind_arr == "cumulative"
    if (is_cum & np.isnan(p_start)).any():
        errors.append(f"cumulative targets need period_start ({_key_list(keys, is_cum & np.isnan(p_start))})")
    bad_ps = ~np.isnan(p_start) & ((p_start != np.round(p_start)) | (p_start > Ty))
    if bad_ps.any():
        errors.append(f"period_start must be a whole year not after target_year ({_key_list(keys, bad_ps)})")
    if errors:
        raise ProjectionError("; ".join(errors))

    cmp = effective_comparator(dir_arr, cmp_arr) if len(dir_arr) else np.zeros(0, np.int8)
    is_rate = np.isin(kind_arr, RATE_KINDS)
    is_level = ~is_rate & ~is_cum
    is_qual = kind_arr == "qualitative"
    is_share = np.isin(kind_arr, SHARE_KINDS)
    has_target = np.isfinite(T) & ~is_qual

    def seg(a: np.ndarray) -> np.ndarray:
        return np.add.reduceat(a, starts)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        n_f = n.astype(float)
        two = n >= MIN_POINTS_PACE
        three = n >= MIN_POINTS_INTERVAL
        span = t_last - t_first
        cagr_ok = two & (y_first > 0) & (y_last > 0) & ~is_qual
        g_obs = np.where(cagr_ok, (y_last / y_first) ** (1.0 / span) - 1.0, np.nan)
        slope_end = np.where(two, (y_last - y_first) / span, np.nan)

        # ordinary least squares, centred on the group means
        tbar = seg(t) / n_f
        ybar = seg(y) / n_f
        dt = t - tbar[gid]
        dy = y - ybar[gid]
        sxx = seg(dt * dt)
        b = np.where(two, seg(dt * dy) / sxx, np.nan)
        b_pace = _snap_slope(b, t_last - t_first, np.maximum.reduceat(np.abs(y), starts))
        sse = seg((dy - b[gid] * dt) ** 2)
        dof = np.where(three, n_f - 2.0, np.nan)
        s2 = sse / dof
        # weighted least squares, w = year − first year + 1, centred on the weighted means
        w = t - t_first[gid] + 1.0
        W = seg(w)
        tbar_w = seg(w * t) / W
        ybar_w = seg(w * y) / W
        dtw = t - tbar_w[gid]
        dyw = y - ybar_w[gid]
        sxx_w = seg(w * dtw * dtw)
        b_w = np.where(two, seg(w * dtw * dyw) / sxx_w, np.nan)
        s2_w = seg(w * (dyw - b_w[gid] * dtw) ** 2) / dof
        w_last = t_last - t_first + 1.0
        q = _t_quantile(alpha, dof)

        # ---------------- level kinds: the value in the target year
        h = Ty - t_last
        lvl_compound = np.where(cagr_ok, y_last * (1.0 + g_obs) ** h, y_last + slope_end * h)
        lvl_lin = ybar + b * (Ty - tbar)
        lvl_lin_sd = np.sqrt(s2 * (1.0 + 1.0 / n_f + (Ty - tbar) ** 2 / sxx))
        lvl_wl = ybar_w + b_w * (Ty - tbar_w)
        lvl_wl_sd = np.sqrt(s2_w * (1.0 / w_last + 1.0 / W + (Ty - tbar_w) ** 2 / sxx_w))

        # ---------------- rate and cumulative kinds: sums over the future years of the period
        p0 = np.where(np.isnan(p_start), t_last + 1.0, p_start)
        in_p = t >= p0[gid]
        m_in = seg(in_p.astype(float))
        s_in = seg(np.where(in_p, y, 0.0))
        f0 = np.maximum(t_last + 1.0, p0)
        L = Ty - f0 + 1.0
        sum_f = (f0 + Ty) * L / 2.0
        k0 = f0 - t_last
        geo = np.where(g_obs == 0, L, (1.0 + g_obs) ** k0 * np.expm1(L * np.log1p(g_obs)) / g_obs)
        sum_compound = np.where(cagr_ok, y_last * geo, L * y_last + slope_end * (sum_f - L * t_last))
        sum_lin = L * ybar + b * (sum_f - L * tbar)
        sum_lin_sd = np.sqrt(s2 * (L * L / n_f + (sum_f - L * tbar) ** 2 / sxx + L))
        sum_wl = L * ybar_w + b_w * (sum_f - L * tbar_w)
        sum_wl_sd = np.sqrt(s2_w * (L * L / W + (sum_f - L * tbar_w) ** 2 / sxx_w + L / w_last))
        sum_avg = L * ybar
        divisor = np.where(is_rate, m_in + L, 1.0)
        agg_base = np.where(is_rate | is_cum, s_in, 0.0)

        # ---------------- paces, ratio, category
        req_cagr_lvl = np.where(has_target & (y_last > 0) & (T > 0), (T / y_last) ** (1.0 / h) - 1.0, np.nan)
        req_slope_lvl = np.where(has_target, (T - y_last) / h, np.nan)
        req_rate = np.where(has_target, (T * (m_in + L) - s_in) / L, np.nan)
        req_flow = np.where(has_target, (T - s_in) / L, np.nan)

        basis_compound = is_level & two & np.isfinite(g_obs) & (~has_target | np.isfinite(req_cagr_lvl)) & ~is_qual
        basis_linear = is_level & two & ~basis_compound & ~is_qual
        obs_lvl = np.where(basis_compound, g_obs, b_pace)
        req_lvl = np.where(basis_compound, req_cagr_lvl, req_slope_lvl)
        ratio_lvl = np.where(has_target & (basis_compound | basis_linear), _ratio_pace(obs_lvl, req_lvl, cmp), np.nan)
        req_agg = np.where(is_rate, req_rate, req_flow)
        ratio_agg = np.where(has_target, _ratio_gap(ybar, req_agg, cmp), np.nan)

        met_lvl = is_level & has_target & (meets(y_last, T, cmp) == 1.0)
        met_cum = is_cum & has_target & ((cmp == GE) | (cmp == GT)) & (meets(s_in, T, cmp) == 1.0)
        met = met_lvl | met_cum
        ratio = np.where(is_level, ratio_lvl, ratio_agg)
        ratio = np.where(met, np.nan, ratio)
        assessable = has_target & np.where(is_level, two, True)
        category = _categorise(met, assessable, ratio)

        observed_cagr = np.where(is_rate, np.where(kind_arr == "rate_per_year", ybar / 100.0, np.nan), g_obs)
        required_cagr = np.where(is_level, req_cagr_lvl,
                                 np.where(kind_arr == "rate_per_year", req_rate / 100.0, np.nan))
        required_slope = np.where(is_level, req_slope_lvl, np.where(is_cum, req_flow, np.nan))
        observed_pace = np.where(is_level, np.where(basis_compound, 100.0 * g_obs,
                                                    np.where(basis_linear, b_pace, np.nan)), ybar)
        required_pace = np.where(is_level, np.where(basis_compound, 100.0 * req_cagr_lvl,
                                                    np.where(basis_linear, req_slope_lvl, np.nan)), req_agg)
        pace_basis = np.select([is_rate, is_cum, basis_compound, basis_linear],
                               ["average_rate", "average_flow", "compound", "linear"], default="none").astype(object)

        # years to target
        ytt_c = np.log(T / y_last) / np.log1p(g_obs)
        ytt_l = np.where(b_pace != 0, (T - y_last) / b_pace, np.inf)
        ytt_lvl = np.where(basis_compound, ytt_c, ytt_l)
        ytt_lvl = np.where(np.isnan(ytt_lvl) | (ytt_lvl < 0) | np.isinf(ytt_lvl), np.inf, ytt_lvl)
        ytt_lvl = np.where(met, 0.0, ytt_lvl)
        ytt_lvl = np.where(has_target & two & ~is_qual, ytt_lvl, np.nan)
        ytt_cum = np.where(met, 0.0, np.where(ybar > 0, (T - s_in) / ybar, np.inf))
        ytt_cum = np.where(has_target & (_sign(cmp) >= 0), ytt_cum, np.nan)
        ytt = np.where(is_level, ytt_lvl, np.where(is_cum, ytt_cum, np.nan))
        ytt = np.where(ytt == 0, 0.0, ytt)

        # ---------------- methods: G × M arrays (M = PANEL_METHODS)
        M = len(PANEL_METHODS)
        applicable = np.column_stack([
            ~is_level,                     # average
            is_level | is_cum,             # compound
            np.ones(G, dtype=bool),        # linear
            np.ones(G, dtype=bool),        # weighted_linear
        ])
        raw_sum = np.column_stack([sum_avg, sum_compound, sum_lin, sum_wl])
        raw_sum = np.where(np.column_stack([np.ones(G, bool), two, two, two]), raw_sum, np.nan)
        agg_proj = (agg_base[:, None] + raw_sum) / divisor[:, None]
        lvl_proj = np.column_stack([np.full(G, np.nan), lvl_compound, lvl_lin, lvl_wl])
        lvl_proj = np.where(two[:, None], lvl_proj, np.nan)
        center = np.where(is_level[:, None], lvl_proj, agg_proj)
        center = np.where(is_qual[:, None], np.nan, center)
        agg_sd = np.column_stack([sum_lin_sd, sum_lin_sd, sum_lin_sd, sum_wl_sd]) / divisor[:, None]
        lvl_sd = np.column_stack([lvl_lin_sd, lvl_lin_sd, lvl_lin_sd, lvl_wl_sd])
        scale = np.where(is_level[:, None], lvl_sd, agg_sd)
        scale = np.where(three[:, None], scale, np.nan)
        has_interval = np.array([False, False, True, True])[None, :] & three[:, None]
        lower = np.where(has_interval, center - q[:, None] * scale, np.nan)
        upper = np.where(has_interval, center + q[:, None] * scale, np.nan)
        cap = is_share[:, None] & np.ones((1, M), dtype=bool)
        capped = cap & (center > SHARE_CAP + _CAP_EPS)
        floored = cap & (center < -_CAP_EPS)
        projected = np.where(cap, np.clip(center, 0.0, SHARE_CAP), center)
        lower = np.where(cap, np.clip(lower, 0.0, SHARE_CAP), lower)
        upper = np.where(cap, np.clip(upper, 0.0, SHARE_CAP), upper)

        Tm = np.broadcast_to(T[:, None], (G, M))
        cmpm = np.broadcast_to(cmp[:, None], (G, M))
        anticipated = np.where(has_target[:, None], _anticipated_pct(projected, Tm, cmpm), np.nan)
        sat = meets(projected, Tm, cmpm)
        verdict = np.where(~has_target[:, None] | np.isnan(sat), None,
                           np.where(sat == 1.0, "met", "not_met")).astype(object)

        # disagreement and indicative probability (equal-weight mixture over the methods)
        finite = applicable & np.isfinite(projected)
        p_max = np.where(finite, projected, -np.inf).max(axis=1)
        p_min = np.where(finite, projected, np.inf).min(axis=1)
        disagreement = np.where(has_target & (finite.sum(axis=1) >= 2) & (T != 0),
                                (p_max - p_min) / np.abs(T), np.nan)
        comp = _prob_meets(center, scale, np.broadcast_to(dof[:, None], (G, M)), Tm, cmpm)
        use = applicable & np.isfinite(comp)
        prob = np.where(use, comp, 0.0).sum(axis=1) / use.sum(axis=1)
        prob = np.where(has_target & (n >= MIN_POINTS_PROBABILITY) & (use.sum(axis=1) > 0), prob, np.nan)

    # ---------------- flags (fixed order, as in FLAG_ORDER)
    def col(mask_g: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(mask_g)[:, None], (G, M))

    method_idx = {m: i for i, m in enumerate(PANEL_METHODS)}
    is_m = {m: np.zeros((G, M), dtype=bool) for m in PANEL_METHODS}
    for m, i in method_idx.items():
        is_m[m][:, i] = True
    flag_masks = [
        ("qualitative", col(is_qual)),
        ("no_target", col(~is_qual & ~np.isfinite(T))),
        ("no_target_row", col(~has_row)),
        ("too_few_points_for_pace", col(is_level & ~is_qual & ~two)),
        ("too_few_points", ~is_m["average"] & col(~two & ~is_qual)),
        ("cagr_fallback_linear", is_m["compound"] & col(two & ~cagr_ok & ~is_qual)),
        ("no_interval_lt3_points", (is_m["linear"] | is_m["weighted_linear"]) & col(two & ~three & ~is_qual)),
        ("capped_at_100", capped),
        ("floored_at_0", floored),
    ]
    # one string per distinct combination of flags, not per cell (the same text as joining cell by cell)
    bits = np.zeros((G, M), dtype=np.int64)
    for i, (_, mask) in enumerate(flag_masks):
        bits |= np.asarray(mask, dtype=bool).astype(np.int64) << i
    combos, inverse = np.unique(bits, return_inverse=True)
    texts = np.array(["; ".join(name for i, (name, _) in enumerate(flag_masks) if c >> i & 1)
                      for c in combos.tolist()], dtype=object)
    flags = texts[inverse.reshape(G, M)]

    # ---------------- long output
    gi, mi = np.nonzero(applicable)
    methods = np.array(PANEL_METHODS, dtype=object)[mi]
    cat = category[gi]
    out = pd.DataFrame({
        "locality": keys["locality"].to_numpy()[gi],
        "indicator": keys["indicator"].to_numpy()[gi],
        "kind": kind_arr[gi],
        "direction": direction.to_numpy(dtype=object)[gi],
        "comparator": comparator.to_numpy(dtype=object)[gi],
        "target": T[gi],
        "target_year": Ty[gi].astype(int),
        "period_start": pd.array(np.where(np.isnan(p_start), np.nan, p_start)[gi], dtype="Int64"),
        "n_points": n[gi],
        "first_year": t_first[gi].astype(int),
        "latest_year": t_last[gi].astype(int),
        "latest_value": y_last[gi],
        "accumulated": np.where(is_cum, s_in, np.nan)[gi],
        "observed_cagr_pct": 100.0 * observed_cagr[gi],
        "observed_linear_slope": np.where(is_qual, np.nan, b_pace)[gi],
        "required_cagr_pct": 100.0 * required_cagr[gi],
        "required_linear_slope": required_slope[gi],
        "observed_pace": observed_pace[gi],
        "required_pace": required_pace[gi],
        "pace_basis": pace_basis[gi],
        "pace_ratio": ratio[gi],
        "years_to_target": ytt[gi],
        "category": cat,
        "category_vi": pd.Series(cat, dtype=object).map(CATEGORY_LABELS_VI).to_numpy(),
        "method": methods,
        "method_vi": pd.Series(methods).map(METHOD_LABELS_VI).to_numpy(),
        "projected": projected[gi, mi],
        "lower": lower[gi, mi],
        "upper": upper[gi, mi],
        "anticipated_pct": anticipated[gi, mi],
        "verdict": verdict[gi, mi],
        "verdict_vi": pd.Series(verdict[gi, mi], dtype=object).map(VERDICT_LABELS_VI).to_numpy(),
        "disagreement": disagreement[gi],
        "probability": prob[gi],
        "flags": flags[gi, mi],
    }, columns=PANEL_COLUMNS)
    return out
