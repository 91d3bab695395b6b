"""The estimators of one series: a (weighted) least-squares line with prediction variances, the damped-trend ETS
fit, and the result of one method in the target year. Plain scalar code; :mod:`.panel` re-derives the same
numbers for a whole panel with group sums (tested equal to 1e-9).

>>> line = _Line(np.array([2020.0, 2021.0, 2022.0]), np.array([1.0, 2.0, 3.0]), np.ones(3))
>>> round(line.slope, 12), float(line.mean(np.array([2025.0]))[0])
(1.0, 6.0)
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from chitieu.analysis.projection.rules import ETS_SEED, ETS_SIMULATIONS, ETS_SMOOTHING_ZERO, MIN_POINTS_ETS, \
    SHARE_CAP, _CAP_EPS

__all__ = ["_Line", "_Ets", "_MethodResult", "_cap_share"]


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
            # deliberately lazy: statsmodels takes 1,3 s to import and only the ETS method needs it
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


def _cap_share(m: _MethodResult) -> _MethodResult:
    """A share's projection kept within 0–100 %, flagged when it had to be cut."""
    flags = list(m.flags)
    if m.projected > SHARE_CAP + _CAP_EPS:
        flags.append("capped_at_100")
    if m.projected < -_CAP_EPS:
        flags.append("floored_at_0")
    clip = lambda v: min(max(v, 0.0), SHARE_CAP) if math.isfinite(v) else v  # noqa: E731
    return _MethodResult(m.method, clip(m.projected), clip(m.lower), clip(m.upper), center=m.center,
                         scale=m.scale, df=m.df, flags=tuple(flags))
