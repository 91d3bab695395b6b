"""Achievement ratios and verdicts. Expected values: the Mường Ảng table's own printed column (seed 002,
lines 790-846, transcribed in data/muong-ang/comparisons.csv) and hand arithmetic written beside each case."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from chitieu.analysis.achievement import assess, results_table
from chitieu.io.data import load_locality
from chitieu.core.numfmt import format_pct_vi, format_vi, round_half_up


def test_half_up_not_bankers():
    assert round(62.5) == 62  # Python's rounding: half to even
    assert round_half_up(62.5, 0) == 63  # the reports: 5 / 8 = 62,5 → "63%"
    assert round_half_up(101.125, 2) == 101.13
    assert round_half_up(2.675, 2) == 2.68  # the decimal value as written, not its binary neighbour


def test_vietnamese_format():
    assert format_vi(2815) == "2.815"
    assert format_vi(16097.12) == "16.097,12"
    assert format_pct_vi(140.75, 2) == "140,75%"
    assert format_vi(float("nan")) == "chưa có số liệu"


@pytest.mark.parametrize("actual, target, direction, expected_ratio, verdict", [
    (2815, 2000, "higher", 141, "exceeded"),   # 2815/2000 = 140,75 → 141
    (509.1, 1000, "higher", 51, "not_met"),     # 50,91 → 51
    (2.5, 3.5, "higher", 71, "not_met"),        # 71,43 → 71
    (5, 8, "higher", 63, "not_met"),            # 62,5 → 63 (half up)
    (6.37, 3.5, "higher", 182, "exceeded"),     # reduction compared as reduction: 182,0
    (3, 5, "higher", 60, "not_met"),
])
def test_domain_examples(actual, target, direction, expected_ratio, verdict):
    a = assess(actual, target, direction=direction)
    assert a.ratio_pct == expected_ratio and a.verdict == verdict


def test_ceiling_met_though_ratio_below_100():
    # population growth 1,5% under a 1,7% ceiling: prints 88% (1,5/1,7 = 88,2) though the ceiling held
    a = assess(1.5, 1.7, direction="lower", target_comparator="<=")
    assert a.ratio_pct == 88 and a.verdict == "met" and "convention_disagrees" in a.flags
    assert a.margin == pytest.approx(-0.2)


def test_strict_bounds():
    assert assess(99, 99, direction="higher", target_comparator=">").verdict == "not_met"
    assert assess(99, 99, direction="higher", target_comparator=">", actual_comparator=">").verdict == "met"
    assert assess(1.0, 1.0, direction="lower", target_comparator="<").verdict == "not_met"


def test_zero_target_is_flagged_not_divided():
    a = assess(3, 0, direction="higher")
    assert math.isnan(a.ratio_pct) and "target_zero" in a.flags


def test_printed_ratio_that_does_not_follow_is_flagged():
    # trained labour 28,00% vs 45,60%: 28/45,6 = 61,40% → 61, the report prints 62
    a = assess(28.0, 45.6, direction="higher", published=62, published_decimals=0)
    assert a.ratio_pct == 61 and "published_mismatch" in a.flags


@pytest.fixture(scope="module")
def muong_ang() -> pd.DataFrame:
    return results_table(load_locality("muong-ang"))


def test_every_printed_ratio_reproduced_but_one(muong_ang):
    numeric = muong_ang[muong_ang["published_ratio_pct"].notna()]
    assert len(numeric) >= 30  # the table prints a number for 36 of its rows
    same = numeric["ratio_pct"] == numeric["published_ratio_pct"]
    assert list(numeric.loc[~same, "indicator"]) == ["trained_labour_share"]
    assert "published_mismatch" in numeric.set_index("indicator").loc["trained_labour_share", "flags"]
    assert not numeric.loc[same, "flags"].str.contains("published_mismatch").any()


@pytest.mark.parametrize("indicator, ratio, decimals", [
    ("coffee_area", 141, 0), ("fruit_tree_area", 51, 0), ("cattle_herd_growth", 71, 0),
    ("poultry_flock_growth", 63, 0), ("poverty_rate_reduction", 182, 0), ("ntm_communes", 60, 0),
    ("forest_area", 101.13, 2),                      # 15.248 / 15.078 = 1,011275 → 101,13
    ("forest_cover", 101.15, 2),                     # 34,39 / 34 = 101,147 → 101,15
    ("forest_land_certified_unforested", 179.48, 2),  # (6984,91/7783,45) / 50% = 179,48
    ("forest_land_certified_forested", 90.94, 2),    # 4686,23 / 5153,01 = 90,94%
    ("population", 100.4, 1),                        # 53.200 / 53.000 = 100,377 → 100,4
    ("grain_output", 103, 0),                        # 17.500 / 17.000 = 102,94 → 103
])
def test_headline_rows(muong_ang, indicator, ratio, decimals):
    row = muong_ang.set_index("indicator").loc[indicator]
    assert row["ratio_pct"] == ratio and row["decimals"] == decimals


def test_direction_aware_verdicts(muong_ang):
    t = muong_ang.set_index("indicator")
    assert t.loc["population_growth", "verdict"] == "met"          # under the ceiling
    assert "convention_disagrees" in t.loc["population_growth", "flags"]
    assert t.loc["econ_share_agriculture", "verdict"] == "exceeded"  # the share fell below plan, as intended
    assert t.loc["fruit_tree_area", "verdict"] == "not_met"
    assert t.loc["ntm_model_villages", "verdict"] == "not_met"      # the table: "Không đạt chỉ tiêu NQ"
    assert t.loc["universal_education", "verdict"] == "exceeded"    # words only: "Vượt chỉ tiêu NQ"


def test_grain_row_guess_is_visible(muong_ang):
    assert "separator_guessed" in muong_ang.set_index("indicator").loc["grain_output", "flags"]
