"""The results object of one series (statsmodels style) and what-if scenarios: :func:`fit_series` fits every
method to one indicator's series, ETS included, and returns a :class:`ProjectionResults` — ``summary_frame()``,
``overview()``, ``path(to=2030)``, ``scenario(...)``, ``to_panel_rows()``.

>>> res = fit_series([2020, 2025], [443.15, 1052.4], target=1229.0, target_year=2030,
...                  direction="higher", kind="level", comparator=">=")
>>> res.scenario(Scenario.required()).verdict_vi
'Đạt'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from chitieu.analysis.projection.methods import _cap_share, _Ets, _Line, _MethodResult
from chitieu.analysis.projection.panel import PANEL_COLUMNS
from chitieu.analysis.projection.rules import (
    CATEGORY_LABELS_VI, DEFAULT_ALPHA, METHOD_LABELS_VI, MIN_POINTS_INTERVAL, MIN_POINTS_PACE,
    MIN_POINTS_PROBABILITY, PROBABILITY_NOTE, SHARE_CAP, VERDICT_LABELS_VI, ProjectionError, _anticipated_pct,
    _CAP_EPS, _categorise, _check_codes, _effective_comparator, _family, _join_flags, _METHODS_BY_FAMILY,
    _normalise_comparator, _prob_meets, _ratio_gap, _ratio_pace, _sign, _snap_slope, _t_quantile,
)
from chitieu.core.engine import GE, GT, LE, LT, meets
from chitieu.core.numfmt import is_missing
from chitieu.core.vocabulary import SHARE_KINDS

__all__ = ["ProjectionResults", "Scenario", "ScenarioResult", "fit_series"]


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
        self._methods = self._level_methods(t, q, h)

    def _level_methods(self, t, q, h) -> dict[str, _MethodResult]:
        """Each method's value in the target year (level kinds)."""
        n = len(t)
        Ty, y_last = self.target_year, self.latest_value
        qualitative = self.kind == "qualitative"
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
            methods = {k: _cap_share(m) for k, m in methods.items()}
        return methods

    def _compound_at(self, years: np.ndarray, t_last: float, y_last: float) -> np.ndarray:
        k = np.asarray(years, dtype=float) - t_last
        if self._cagr_ok:
            return y_last * (1.0 + self._g_obs) ** k
        return y_last + self._slope_end * k

    def _fit_aggregate(self, t, y, has_target, q) -> None:
        """Rate kinds (average over the target period) and cumulative kinds (total over it)."""
        T, Ty, cmp = self.target, self.target_year, self._cmp
        t_last = t[-1]
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
        self._methods = self._aggregate_methods(t, obs, q)

    def _aggregate_methods(self, t, obs, q) -> dict[str, _MethodResult]:
        """Each method's period average (rate kinds) or period total (cumulative kinds) in the target year."""
        n = len(t)
        Ty, t_last, y_last = self.target_year, t[-1], self.latest_value
        future, s_in, divisor, p0 = self._future, self._s_in, self._divisor, self._p0
        L = len(future)
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
        return methods

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
        for name in self._methods:
            mean, lo, hi = self._method_path(name, fut, cumulative)
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

    def _method_path(self, name: str, fut: np.ndarray, cumulative: bool):
        """(mean, lower, upper) of one method over the future years ``fut``; mean is None where it has none."""
        t = self.years.astype(float)
        n = self.n_points
        q = self._q
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
        elif n < MIN_POINTS_PACE or self.kind == "qualitative":  # no line was fitted: no path
            return None, None, None
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
        return mean, lo, hi

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
        if self.family == "level":
            pace, unit, proj = self._scenario_level(scenario, has_target, flags)
        else:
            pace, unit, proj = self._scenario_aggregate(scenario, has_target, flags)
        if has_target and math.isfinite(proj):
            ant = float(_anticipated_pct(proj, T, cmp))
            judged = cmp
            if scenario.name == "required" and int(cmp) in (GT, LT):
                # the required pace reaches the target by construction: a strict bound ("trên 47") reached exactly
                # counts as reached, as the engine counts a result written as the same strict bound
                judged = GE if int(cmp) == GT else LE
                flags.append("strict_bound_reached")
            verdict = "met" if float(meets(proj, T, judged)) == 1.0 else "not_met"
        else:
            ant, verdict = math.nan, None
        return ScenarioResult(
            scenario=scenario, label_vi=scenario.label_vi, pace=float(pace), pace_unit=unit,
            target_year=Ty, projected=float(proj), anticipated_pct=ant, verdict=verdict,
            verdict_vi=VERDICT_LABELS_VI.get(verdict) if verdict else None, flags=tuple(flags),
        )

    def _scenario_level(self, scenario: Scenario, has_target: bool, flags: list[str]):
        """(pace, its unit, value in the target year) of a level kind under a scenario; flags appended."""
        y_last, t_last = self.latest_value, float(self.latest_year)
        name = scenario.name
        h = self.target_year - t_last
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
        return pace, unit, proj

    def _scenario_aggregate(self, scenario: Scenario, has_target: bool, flags: list[str]):
        """(pace, its unit, period average or total in the target year) of a rate or cumulative kind."""
        y_last, t_last = self.latest_value, float(self.latest_year)
        name = scenario.name
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
        return pace, unit, proj

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

