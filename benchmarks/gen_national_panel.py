"""Generate a SYNTHETIC national panel in the long-table format of ``chitieu data`` (for ``chitieu panel``).

Nothing here comes from a document: every number is drawn from a seeded random generator. The panel has
3.321 localities (the number of communes and wards after the 2025 reorganisation) × 40 indicators of
``data/catalogue.csv`` × the years 2015–2025, with a 2025 target (the term just ended) and a 2030 target
(the new resolution) per indicator. It is labelled SYNTHETIC three times: the locality ids are
``synthetic-0001`` …, and every row's ``source`` and ``note`` say SYNTHETIC.

    .venv/bin/python benchmarks/gen_national_panel.py                       # /tmp/chitieu-national-panel.csv
    .venv/bin/python benchmarks/gen_national_panel.py OUT.csv --localities 100 --first-year 2021
    .venv/bin/python benchmarks/gen_national_panel.py OUT.parquet           # needs pyarrow

Deterministic: the same arguments give the same file, byte for byte. Written outside the repository by
default; never commit a generated panel.

What makes it look like real reports (and exercises the reader): statuses ``actual`` to 2023 and
``estimate`` for 2024–2025; comparators ``=``, ``>=``, ``<=``, ``<``; rate and term-total targets written as a
span (``2026-2030``); an x-of-y indicator with numerator and denominator; about 4 % of series starting late,
1 % with a year left as a placeholder (``…``, empty value), 0,5 % without a 2030 target.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path(tempfile.gettempdir()) / "chitieu-national-panel.csv"
N_LOCALITIES = 3321
SEED = 2030
SOURCE = "SYNTHETIC:benchmarks/gen_national_panel.py"
NOTE = "SYNTHETIC"
COLUMNS = ["locality", "indicator", "name", "catalogue_code", "period", "value", "comparator", "numerator",
           "denominator", "unit", "kind", "direction", "status", "raw", "source", "formula", "note"]

# code, model, start low, start high, drift mean, drift sd, decimals
#   level:   value = start × Π(1 + N(mean, sd))          (a stock or a yearly amount)
#   share:   value = start + Σ N(mean, sd) points, clipped to 0–100
#   rate:    each year N(locality mean ∈ [low, high], sd)
#   flow:    yearly amounts for a term total: start × (1 + mean)^k × lognormal(sd), whole numbers
#   xofy:    criteria met out of 19 (numerator/denominator), value = the share in %
PROFILES = [
    ("grdp_growth", "rate", 5.0, 9.0, 0, 2.0, 2),
    ("budget_revenue_growth", "rate", 3.0, 12.0, 0, 4.0, 2),
    ("cattle_herd_growth", "rate", 1.0, 5.0, 0, 1.5, 2),
    ("population_growth", "rate", 0.8, 1.9, 0, 0.25, 2),
    ("poverty_rate_reduction", "rate", 0.5, 4.0, 0, 1.0, 2),
    ("new_enterprises_term", "flow", 3, 40, 0.05, 0.35, 0),
    ("new_jobs_term", "flow", 80, 600, 0.03, 0.25, 0),
    ("public_investment_term_total", "flow", 20, 300, 0.06, 0.30, 1),
    ("ntm_commune_criteria_met", "xofy", 5, 15, 0, 0, 2),
    ("econ_share_agriculture", "share", 20, 60, -1.0, 0.8, 2),
    ("poverty_rate", "share", 2, 35, -1.5, 0.9, 2),
    ("near_poverty_rate", "share", 3, 20, -0.6, 0.7, 2),
    ("child_malnutrition_rate", "share", 8, 25, -0.6, 0.5, 2),
    ("econ_share_industry", "share", 10, 40, 0.0, 0.8, 2),
    ("econ_share_services", "share", 20, 50, 0.6, 0.8, 2),
    ("public_investment_disbursement", "share", 70, 98, 0.5, 3.0, 1),
    ("forest_cover", "share", 10, 60, 0.4, 0.4, 2),
    ("trained_labour_share", "share", 30, 60, 1.5, 1.0, 1),
    ("health_insurance_coverage", "share", 75, 95, 0.6, 0.8, 1),
    ("social_insurance_coverage", "share", 5, 30, 1.0, 0.6, 1),
    ("child_vaccination", "share", 85, 99, 0.2, 0.8, 1),
    ("national_standard_schools_share", "share", 30, 70, 2.0, 2.0, 1),
    ("cultural_households_share", "share", 70, 90, 0.5, 0.8, 1),
    ("cultural_villages_share", "share", 50, 85, 1.0, 1.5, 1),
    ("grid_electricity_households_share", "share", 88, 99.5, 0.3, 0.3, 2),
    ("clean_water_households_share", "share", 70, 95, 0.8, 0.6, 1),
    ("waste_collection_rate", "share", 30, 80, 2.0, 1.5, 1),
    ("online_public_services_share", "share", 5, 40, 4.0, 2.0, 1),
    ("digital_signature_share", "share", 0, 20, 4.0, 2.5, 1),
    ("income_per_capita", "level", 18, 60, 0.07, 0.04, 2),
    ("budget_revenue_annual", "level", 3, 80, 0.06, 0.10, 2),
    ("retail_sales", "level", 50, 900, 0.08, 0.06, 1),
    ("grain_output", "level", 2000, 30000, 0.01, 0.05, 0),
    ("forest_area", "level", 500, 20000, 0.005, 0.01, 1),
    ("livestock_total", "level", 2000, 40000, 0.02, 0.06, 0),
    ("doctors_per_10k", "level", 5, 14, 0.03, 0.05, 2),
    ("ocop_products", "level", 1, 10, 0.12, 0.15, 0),
    ("new_party_members_per_year", "level", 10, 60, 0.0, 0.15, 0),
    ("population", "level", 8000, 60000, 0.012, 0.004, 0),
    ("rice_area", "level", 100, 3000, -0.005, 0.02, 1),
]


def _indicators() -> pd.DataFrame:
    cat = pd.read_csv(ROOT / "data" / "catalogue.csv", dtype=str, keep_default_na=False).set_index("code")
    rows = []
    for code, model, lo, hi, mu, sd, dec in PROFILES:
        c = cat.loc[code]
        rows.append({"code": code, "model": model, "lo": lo, "hi": hi, "mu": mu, "sd": sd, "dec": dec,
                     "name": c["name_vi"], "unit": c["unit"], "kind": c["kind"], "direction": c["direction"]})
    return pd.DataFrame(rows)


def _round(x: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Round to per-column decimals; k / 10^d is the double nearest the decimal number, as a CSV reader gives."""
    scale = 10.0 ** decimals
    return np.round(x * scale) / scale


def _vi(values: np.ndarray, decimals: np.ndarray) -> list[str]:
    """Vietnamese spelling for ``raw``: ``.`` groups thousands, ``,`` marks decimals (2.815 / 509,1)."""
    table = str.maketrans({",": ".", ".": ","})
    out = []
    for v, d in zip(values.tolist(), decimals.tolist()):
        if v != v:  # NaN: a placeholder in the document
            out.append("…")
        else:
            out.append(f"{v:,.{d}f}".translate(table))
    return out


def generate(n_localities: int = N_LOCALITIES, first_year: int = 2015, last_year: int = 2025, *,
             seed: int = SEED, term: int = 2025, horizon: int = 2030) -> pd.DataFrame:
    """The SYNTHETIC long table: one row per observation or target, columns of ``chitieu data``."""
    rng = np.random.default_rng(seed)
    ind = _indicators()
    L, I = n_localities, len(ind)
    years = np.arange(first_year, last_year + 1)
    Y = len(years)
    model = ind["model"].to_numpy()
    lo, hi = ind["lo"].to_numpy(float), ind["hi"].to_numpy(float)
    mu, sd = ind["mu"].to_numpy(float), ind["sd"].to_numpy(float)
    dec = ind["dec"].to_numpy(int)
    direction = ind["direction"].to_numpy()
    k = np.arange(Y, dtype=float)[None, None, :]

    start = rng.uniform(lo, hi, (L, I))[:, :, None]
    noise = rng.standard_normal((L, I, Y))
    level = start * np.cumprod(1.0 + mu[None, :, None] + sd[None, :, None] * noise, axis=2)
    share = np.clip(start + np.cumsum(mu[None, :, None] + sd[None, :, None] * noise, axis=2), 0.0, 100.0)
    rate = start + sd[None, :, None] * noise
    flow = start * (1.0 + mu[None, :, None]) ** k * np.exp(sd[None, :, None] * noise - sd[None, :, None] ** 2 / 2)
    met = np.minimum(19, np.floor(start) + np.cumsum(rng.random((L, I, Y)) < 0.5, axis=2))
    xofy = met / 19.0 * 100.0
    m = model[None, :, None]
    value = np.select([m == "level", m == "share", m == "rate", m == "flow", m == "xofy"],
                      [level, share, rate, flow, xofy])
    value = np.where(m == "level", np.maximum(value, 0.01), value)
    value = _round(value, dec[None, :, None])
    numer = np.where(m == "xofy", met, np.nan)

    # irregular series: a late start (4 %), a placeholder year (1 %)
    late = rng.random((L, I)) < 0.04
    late_start = rng.integers(min(first_year + 2, last_year - 1), max(first_year + 3, last_year - 3) + 1, (L, I))
    keep = ~(late[:, :, None] & (years[None, None, :] < late_start[:, :, None]))
    hole = (rng.random((L, I)) < 0.01) & (Y >= 4)
    hole_year = rng.integers(1, max(Y - 2, 2), (L, I))
    placeholder = hole[:, :, None] & (np.arange(Y)[None, None, :] == hole_year[:, :, None])
    value = np.where(placeholder, np.nan, value)
    numer = np.where(placeholder, np.nan, numer)

    # targets: the term's (2025) and the new resolution's (2030)
    last = value[:, :, -1]
    last = np.where(np.isnan(last), value[:, :, -2], last)
    lower = (direction == "lower")[None, :]
    band = (direction == "band")[None, :]
    u = rng.random((L, I))
    term_t = np.where(lower, last * (0.80 + 0.35 * u), last * (0.85 + 0.35 * u))
    in_term = (years >= term - 4) & (years <= term)
    flows_term = np.nansum(np.where(in_term[None, None, :], value, 0.0), axis=2)
    term_t = np.where(model == "flow", flows_term * (0.8 + 0.4 * u), term_t)
    term_t = np.where(model == "xofy", np.round(np.minimum(19, np.round(last / 100 * 19) + rng.integers(0, 4, (L, I)))
                                                / 19 * 100, 2), term_t)
    v = rng.random((L, I))
    new_t = np.select(
        [model == "level", model == "share", model == "rate", model == "flow", model == "xofy"],
        [np.where(band, last * (0.95 + 0.13 * v), last * (1.0 + 0.01 + 0.11 * v) ** (horizon - term)),
         np.where(lower, last * (0.3 + 0.65 * v), np.where(band, last + 6 * v - 3, np.minimum(100, last + 25 * v))),
         np.where(lower, 0.8 + 0.7 * v, lo + (hi - lo) * v),
         5.0 * np.nanmean(np.where(in_term[None, None, :], value, np.nan), axis=2) * (0.8 + 0.8 * v),
         np.full((L, I), 100.0)])
    is_share = np.isin(model, ["share", "xofy"])[None, :]
    term_t = _round(np.where(is_share, np.clip(term_t, 0, 100), term_t), dec[None, :])
    new_t = _round(np.where(is_share, np.clip(new_t, 0, 100), new_t), dec[None, :])
    w = rng.random((L, I))
    higher_cmp = np.where(w < 0.25, ">=", "=")
    lower_cmp = np.where(w < 0.3, "<", np.where(w < 0.7, "<=", "="))
    new_cmp = np.where(lower, lower_cmp, np.where(band, "=", higher_cmp))
    no_new = rng.random((L, I)) < 0.005

    # assemble the long table (observations, then the term target, then the 2030 target, per series)
    loc_ids = np.array([f"synthetic-{i:04d}" for i in range(1, L + 1)], dtype=object)
    li, ii, yi = np.nonzero(keep)
    n_obs = len(li)
    obs_status = np.where(years[yi] >= last_year - 1, "estimate", "actual")
    tl, ti = np.nonzero(np.ones((L, I), bool))
    nl, ni = np.nonzero(~no_new)
    span_model = np.isin(model, ["rate", "flow"])
    loc_col = np.concatenate([li, tl, nl])
    ind_col = np.concatenate([ii, ti, ni])
    order = np.concatenate([yi, np.full(len(tl), Y), np.full(len(nl), Y + 1)])
    period = np.concatenate([
        years[yi].astype(str),
        np.where(model[ti] == "flow", f"{term - 4}-{term}", str(term)),
        np.where(span_model[ni], f"{term + 1}-{horizon}", str(horizon)),
    ]).astype(object)
    vals = np.concatenate([value[li, ii, yi], term_t[tl, ti], new_t[nl, ni]])
    num = np.concatenate([numer[li, ii, yi], np.where(model[ti] == "xofy", np.round(term_t[tl, ti] / 100 * 19), np.nan),
                          np.where(model[ni] == "xofy", 19.0, np.nan)])
    status = np.concatenate([obs_status, np.full(len(tl), "target"), np.full(len(nl), "target")]).astype(object)
    cmp_ = np.concatenate([np.full(n_obs, "="), np.where(lower[0, ti], "<=", np.where(band[0, ti], "=", ">=")),
                           new_cmp[nl, ni]]).astype(object)
    srt = np.lexsort((order, ind_col, loc_col))
    loc_col, ind_col = loc_col[srt], ind_col[srt]
    vals, num, period, status, cmp_ = vals[srt], num[srt], period[srt], status[srt], cmp_[srt]
    d = dec[ind_col]
    raw = _vi(vals, d)
    raw = [r + "%" if s else r for r, s in zip(raw, is_share[0, ind_col].tolist())]
    codes = ind["code"].to_numpy(dtype=object)
    return pd.DataFrame({
        "locality": loc_ids[loc_col], "indicator": codes[ind_col], "name": ind["name"].to_numpy(object)[ind_col],
        "catalogue_code": codes[ind_col], "period": period, "value": vals, "comparator": cmp_,
        "numerator": num, "denominator": np.where(np.isnan(num), np.nan, 19.0),
        "unit": ind["unit"].to_numpy(object)[ind_col], "kind": ind["kind"].to_numpy(object)[ind_col],
        "direction": direction.astype(object)[ind_col], "status": status, "raw": raw, "source": SOURCE,
        "formula": "", "note": NOTE,
    }, columns=COLUMNS)


def write(frame: pd.DataFrame, path: Path) -> None:
    """CSV (machine numbers, UTF-8) or Parquet by the extension; atomically (temp file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    mask = os.umask(0)
    os.umask(mask)
    os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; a data file should read like any other
    os.close(fd)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False, lineterminator="\n", float_format="%.10g")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUT, help=f"CSV or Parquet (default {DEFAULT_OUT})")
    ap.add_argument("--localities", type=int, default=N_LOCALITIES)
    ap.add_argument("--first-year", type=int, default=2015)
    ap.add_argument("--last-year", type=int, default=2025)
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    frame = generate(a.localities, a.first_year, a.last_year, seed=a.seed)
    write(frame, a.output)
    size = a.output.stat().st_size / 1e6
    print(f"SYNTHETIC panel: {a.localities} localities × {len(PROFILES)} indicators × {a.first_year}–{a.last_year}: "
          f"{len(frame):,} rows, {size:,.0f} MB → {a.output} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
