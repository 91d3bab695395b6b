"""Time project_panel against a groupby-apply over fit_series(ets=False), on a SYNTHETIC panel.

The panel is synthetic (random series, not from any document): N localities × 25 indicators with
2 to 10 points each and a mix of kinds. Both paths compute the same numbers (checked here too).

    PYTHONPATH=lib .venv/bin/python benchmarks/bench_panel.py [n_localities]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from chitieu.analysis.projection import fit_series, project_panel

KINDS = [
    ("higher", "level", ">=", None), ("lower", "share", "<=", None), ("higher", "share", ">=", None),
    ("higher", "rate_per_year", "=", 2026), ("higher", "cumulative", ">=", 2026),
]


def synthetic_panel(n_localities: int, n_indicators: int = 25, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    obs, targets = [], []
    for loc in range(n_localities):
        for ind in range(n_indicators):
            direction, kind, cmp, ps = KINDS[ind % len(KINDS)]
            n = int(rng.integers(2, 11))
            years = np.arange(2026 - n, 2026) if kind != "cumulative" else np.arange(2028 - n, 2028)
            base = rng.uniform(20, 80)
            vals = np.round(base * (1 + rng.normal(0.03, 0.05, n)).cumprod(), 2)
            for yr, v in zip(years, vals):
                obs.append((f"L{loc:04d}", f"I{ind:02d}", int(yr), float(v)))
            target = float(np.round(vals[-1] * rng.uniform(0.8, 1.6) * (5 if kind == "cumulative" else 1), 1))
            targets.append((f"L{loc:04d}", f"I{ind:02d}", target, 2030, direction, kind, cmp, ps))
    obs = pd.DataFrame(obs, columns=["locality", "indicator", "year", "value"])
    targets = pd.DataFrame(targets, columns=["locality", "indicator", "target", "target_year", "direction",
                                             "kind", "comparator", "period_start"])
    targets["period_start"] = targets["period_start"].astype("Int64")
    return obs, targets


def per_series(obs: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    spec = targets.set_index(["locality", "indicator"])

    def one(group: pd.DataFrame) -> pd.DataFrame:
        loc, ind = group.name
        t = spec.loc[(loc, ind)]
        group = group.sort_values("year")
        res = fit_series(group["year"].to_numpy(), group["value"].to_numpy(), target=t["target"],
                         target_year=int(t["target_year"]), direction=t["direction"], kind=t["kind"],
                         comparator=t["comparator"], period_start=t["period_start"], ets=False)
        return res.to_panel_rows(loc, ind)

    out = obs.groupby(["locality", "indicator"])[["year", "value"]].apply(one)
    return out.reset_index(drop=True)


def main(n_localities: int = 40) -> None:
    obs, targets = synthetic_panel(n_localities)
    n_series = len(targets)
    project_panel(obs.head(50), targets)  # warm-up (imports, scipy)

    t0 = time.perf_counter()
    fast = project_panel(obs, targets)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = per_series(obs, targets)
    t_slow = time.perf_counter() - t0

    key = ["locality", "indicator", "method"]
    a = fast.sort_values(key).reset_index(drop=True)
    b = slow.sort_values(key).reset_index(drop=True)
    for col in ["projected", "anticipated_pct", "pace_ratio", "probability", "lower", "upper"]:
        np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float), rtol=1e-9, atol=1e-9)
    assert (a["category"].to_numpy() == b["category"].to_numpy()).all()

    print(f"synthetic panel: {n_localities} localities × 25 indicators = {n_series} series, "
          f"{len(obs)} observations, {len(fast)} output rows")
    print(f"project_panel (vectorised)           : {t_fast * 1000:9.1f} ms")
    print(f"groupby-apply over fit_series(ets=False): {t_slow * 1000:9.1f} ms")
    print(f"ratio (per-series / vectorised)      : {t_slow / t_fast:9.1f}×  (same numbers, checked)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
