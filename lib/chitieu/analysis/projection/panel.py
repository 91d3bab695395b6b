"""The whole-panel path: progress and projections for every (locality, indicator) of a panel at once, with numpy
group arithmetic and no per-series Python loop, for every method but ETS. The numbers equal
``fit_series(..., ets=False).to_panel_rows()`` (tested to 1e-9; the per-series loop kept for that check is
``tests/reference_panel.py``).

The computation is one pass in stages, each a function of the arrays the stages before it made (one entry per
series, or per series × method): :func:`_checked_frames` → :func:`_series` → :func:`_fits` → :func:`_progress` →
:func:`_method_grid` → :func:`_flag_grid` → :func:`_long_frame`.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Sequence

import numpy as np
import pandas as pd

from chitieu.analysis.projection.rules import (
    CATEGORY_LABELS_VI, DEFAULT_ALPHA, METHOD_LABELS_VI, MIN_POINTS_INTERVAL, MIN_POINTS_PACE,
    MIN_POINTS_PROBABILITY, PANEL_METHODS, SHARE_CAP, VERDICT_LABELS_VI, ProjectionError, _anticipated_pct,
    _CAP_EPS, _categorise, _prob_meets, _ratio_gap, _ratio_pace, _sign, _snap_slope, _t_quantile,
)
from chitieu.core.engine import GE, GT, effective_comparator, meets
from chitieu.core.vocabulary import COMPARATORS, CONTRADICTING_COMPARATORS, DIRECTIONS, KINDS, RATE_KINDS, \
    SHARE_KINDS

__all__ = ["project_panel", "PANEL_COLUMNS", "TARGET_COLUMNS"]

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
    o, tg = _checked_frames(obs, targets)
    if len(o) == 0:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    s = _series(o, tg, to)
    f = _fits(s, alpha)
    p = _progress(s, f)
    grid = _method_grid(s, f)
    return _long_frame(s, f, p, grid, _flag_grid(s, f, grid))


def _checked_frames(obs: pd.DataFrame, targets: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The observations (years and values as numbers) and the target rows; every problem reported at once."""
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
    return o, tg


def _seg(a: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The sum of ``a`` over each series (from ``starts[i]`` up to the next start)."""
    return np.add.reduceat(a, starts)


def _series(o: pd.DataFrame, tg: pd.DataFrame, to: int) -> SimpleNamespace:
    """One entry per series: its rows' bounds, first and latest points, target row and codes (validated)."""
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

    n = np.diff(np.r_[starts, N])
    t_first, t_last = t[starts], t[ends]
    y_first, y_last = y[starts], y[ends]
    T = pd.to_numeric(merged["target"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    Ty_raw = pd.to_numeric(merged["target_year"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    Ty = np.where(np.isnan(Ty_raw), float(to), Ty_raw)
    p_start = pd.to_numeric(merged["period_start"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    _check_series(keys, has_row, direction, kind, comparator, T, Ty, t_last, p_start)

    kind_arr = kind.to_numpy(dtype=object)
    dir_arr = direction.to_numpy(dtype=object)
    cmp_arr = comparator.to_numpy(dtype=object)
    cmp = effective_comparator(dir_arr, cmp_arr) if len(dir_arr) else np.zeros(0, np.int8)
    is_rate = np.isin(kind_arr, RATE_KINDS)
    is_cum = kind_arr == "cumulative"
    is_level = ~is_rate & ~is_cum
    is_qual = kind_arr == "qualitative"
    is_share = np.isin(kind_arr, SHARE_KINDS)
    has_target = np.isfinite(T) & ~is_qual
    return SimpleNamespace(**locals())  # every array above, by name, for the stages after this one


def _check_series(keys, has_row, direction, kind, comparator, T, Ty, t_last, p_start) -> None:
    """The target rows' codes and years; every problem at once, as one :class:`ProjectionError`."""
    errors: list[str] = []
    dir_ok = direction.isin(DIRECTIONS).to_numpy()
    kind_ok = kind.isin(KINDS).to_numpy()
    cmp_ok = comparator.isin(COMPARATORS).to_numpy()
    dir_arr = direction.to_numpy(dtype=object)
    contradiction = (((dir_arr == "higher") & comparator.isin(CONTRADICTING_COMPARATORS["higher"]).to_numpy())
                     | ((dir_arr == "lower") & comparator.isin(CONTRADICTING_COMPARATORS["lower"]).to_numpy()))
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
    is_cum = kind.to_numpy(dtype=object) == "cumulative"
    if (is_cum & np.isnan(p_start)).any():
        errors.append(f"cumulative targets need period_start ({_key_list(keys, is_cum & np.isnan(p_start))})")
    bad_ps = ~np.isnan(p_start) & ((p_start != np.round(p_start)) | (p_start > Ty))
    if bad_ps.any():
        errors.append(f"period_start must be a whole year not after target_year ({_key_list(keys, bad_ps)})")
    if errors:
        raise ProjectionError("; ".join(errors))


def _fits(s: SimpleNamespace, alpha: float) -> SimpleNamespace:
    """Per series: the observed pace, the least-squares lines (by group sums), each method's value in the target
    year (level kinds) and its sum over the future years of the target period (rate and cumulative kinds)."""
    t, y, gid, starts, n = s.t, s.y, s.gid, s.starts, s.n
    t_first, t_last, y_first, y_last, Ty = s.t_first, s.t_last, s.y_first, s.y_last, s.Ty
    is_qual, is_rate, is_cum, p_start = s.is_qual, s.is_rate, s.is_cum, s.p_start

    def seg(a: np.ndarray) -> np.ndarray:
        return _seg(a, starts)

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
    return SimpleNamespace(**locals())  # every array above, by name


def _progress(s: SimpleNamespace, f: SimpleNamespace) -> SimpleNamespace:
    """Per series: the required pace, the pace ratio R, the category, the paces reported and the years to target."""
    T, y_last, cmp, kind_arr = s.T, s.y_last, s.cmp, s.kind_arr
    is_level, is_rate, is_cum, is_qual, has_target = s.is_level, s.is_rate, s.is_cum, s.is_qual, s.has_target
    h, m_in, L, s_in, two, g_obs, b_pace, ybar = f.h, f.m_in, f.L, f.s_in, f.two, f.g_obs, f.b_pace, f.ybar
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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
    return SimpleNamespace(**locals())  # every array above, by name


def _method_grid(s: SimpleNamespace, f: SimpleNamespace) -> SimpleNamespace:
    """Series × method (``PANEL_METHODS``): projections, intervals, achievement and verdicts; per series the spread of
    the methods (disagreement) and the indicative probability (an equal-weight mixture over the methods)."""
    G, T, n, cmp = s.G, s.T, s.n, s.cmp
    is_level, is_cum, is_qual, is_share, has_target = s.is_level, s.is_cum, s.is_qual, s.is_share, s.has_target
    two, three, q, dof, divisor, agg_base = f.two, f.three, f.q, f.dof, f.divisor, f.agg_base
    sum_avg, sum_compound, sum_lin, sum_wl = f.sum_avg, f.sum_compound, f.sum_lin, f.sum_wl
    lvl_compound, lvl_lin, lvl_wl = f.lvl_compound, f.lvl_lin, f.lvl_wl
    sum_lin_sd, sum_wl_sd, lvl_lin_sd, lvl_wl_sd = f.sum_lin_sd, f.sum_wl_sd, f.lvl_lin_sd, f.lvl_wl_sd
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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
    return SimpleNamespace(**locals())  # every array above, by name


def _flag_grid(s: SimpleNamespace, f: SimpleNamespace, grid: SimpleNamespace) -> np.ndarray:
    """Series × method: the flags as text, in the fixed order of ``FLAG_ORDER``."""
    G, M, T = s.G, grid.M, s.T
    is_qual, has_row, is_level = s.is_qual, s.has_row, s.is_level
    two, three, cagr_ok = f.two, f.three, f.cagr_ok
    capped, floored = grid.capped, grid.floored

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
    return texts[inverse.reshape(G, M)]


def _long_frame(s: SimpleNamespace, f: SimpleNamespace, p: SimpleNamespace, grid: SimpleNamespace,
                flags: np.ndarray) -> pd.DataFrame:
    """One row per (series, applicable method), columns ``PANEL_COLUMNS``."""
    keys, kind_arr, direction, comparator = s.keys, s.kind_arr, s.direction, s.comparator
    T, Ty, p_start, n, t_first, t_last, y_last = s.T, s.Ty, s.p_start, s.n, s.t_first, s.t_last, s.y_last
    is_cum, is_qual = s.is_cum, s.is_qual
    s_in, b_pace = f.s_in, f.b_pace
    category, ratio, ytt = p.category, p.ratio, p.ytt
    observed_cagr, required_cagr, required_slope = p.observed_cagr, p.required_cagr, p.required_slope
    observed_pace, required_pace, pace_basis = p.observed_pace, p.required_pace, p.pace_basis
    applicable, projected, lower, upper = grid.applicable, grid.projected, grid.lower, grid.upper
    anticipated, verdict, disagreement, prob = grid.anticipated, grid.verdict, grid.disagreement, grid.prob
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
