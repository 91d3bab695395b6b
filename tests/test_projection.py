"""Tests of chitieu.analysis.projection against values computed by hand.

Every expected number below is worked out in the comment beside it (the arithmetic was done with a
calculator, never copied from the module's output). Sources: data/sources/004_05b6456d80a4201f.txt
(xã Phiêng Pằn), data/sources/003_c7dea64111fd1197.txt (phường Hạc Thành).
"""

from __future__ import annotations

from _tier import examples
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from chitieu.analysis.projection import (
    CATEGORY_LABELS_VI,
    PANEL_COLUMNS,
    ProjectionError,
    Scenario,
    fit_series,
    project_panel,
)

REL = 1e-6  # hand-computed constants are written to 7+ significant digits


def approx(x, rel=REL):
    return pytest.approx(x, rel=rel, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# Phiêng Pằn, fruit-tree area (seed 004)
# line 179: "cây ăn quả với diện tích khoảng 1.052,4 ha, tăng 609,25 ha so với năm 2020"
#   -> 2025: 1052.4 ha; 2020: 1052.4 − 609.25 = 443.15 ha
# line 775: target 2030 "cây ăn quả 1.229 ha"
# (Not 1052.4 − 184.4: 184,4 ha on line 175 is the winter-spring rice area, "lúa chiêm xuân 184,4 ha".)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def phieng_pan():
    return fit_series(years=[2020, 2025], values=[443.15, 1052.4], target=1229.0, target_year=2030,
                      direction="higher", kind="level", comparator=">=")


def test_phieng_pan_paces(phieng_pan):
    res = phieng_pan
    # required: (1229 / 1052.4)^(1/5) − 1 = 1.1678070^(0.2) − 1 = 0.0315118
    assert res.required_cagr == approx(0.0315118196)
    # required linear: (1229 − 1052.4) / 5 = 176.6 / 5 = 35.32 ha a year
    assert res.required_linear_slope == approx(35.32)
    # observed: (1052.4 / 443.15)^(1/5) − 1 = 2.3748166^(0.2) − 1 = 0.1888471
    assert res.observed_cagr == approx(0.1888471395)
    # observed linear: 609.25 / 5 = 121.85 ha a year
    assert res.observed_linear_slope == approx(121.85)
    # R = 0.1888471 / 0.0315118 = 5.99290  (≥ 0.95: on track)
    assert res.pace_basis == "compound"
    assert res.pace_ratio == approx(5.9928986)
    assert res.category == "on_track"
    assert res.category_label_vi == "Đúng hướng"
    # years to target: ln(1.1678070) / ln(1.1888471) = 0.1551290 / 0.1729853 = 0.896774
    assert res.years_to_target == approx(0.8967738)


def test_phieng_pan_methods(phieng_pan):
    sf = phieng_pan.summary_frame().set_index("method")
    # compound: 1052.4 · (1052.4/443.15)^(5/5) = 1052.4² / 443.15 = 1107545.76 / 443.15 = 2499.2570
    assert sf.loc["compound", "projected"] == approx(2499.2570461)
    # linear through two points: 1052.4 + 5 · 121.85 = 1661.65 ; 1661.65 / 1229 = 135.2034 %
    assert sf.loc["linear", "projected"] == approx(1661.65)
    assert sf.loc["linear", "anticipated_pct"] == approx(135.2034174)
    assert sf.loc["weighted_linear", "projected"] == approx(1661.65)  # two points: the same line
    assert math.isnan(sf.loc["linear", "lower"])  # no interval from two points
    assert "no_interval_lt3_points" in sf.loc["linear", "flags"]
    assert "ets_needs_5_points" in sf.loc["ets", "flags"]
    assert (sf.loc[["compound", "linear"], "verdict"] == "met").all()
    assert sf.loc["compound", "verdict_vi"] == "Đạt"
    # disagreement: (2499.2570 − 1661.65) / 1229 = 837.6070 / 1229 = 0.681535
    assert phieng_pan.disagreement == approx(0.6815354)
    # two points: no probability
    assert math.isnan(phieng_pan.probability)
    assert "indicative" in phieng_pan.probability_note


def test_phieng_pan_scenarios(phieng_pan):
    # required pace: exactly the target
    req = phieng_pan.scenario(Scenario.required())
    assert req.projected == pytest.approx(1229.0)
    assert req.pace == approx(3.15118196)
    assert req.verdict == "met" and req.anticipated_pct == approx(100.0)
    # +5 % a year: 1052.4 · 1.05^5 = 1052.4 · 1.2762816 = 1343.1587 ; /1229 = 109.2887 %
    s5 = phieng_pan.scenario(Scenario.pace_pct(5.0))
    assert s5.projected == approx(1343.1587164)
    assert s5.anticipated_pct == approx(109.2887483)
    assert s5.verdict == "met" and s5.verdict_vi == "Đạt"
    # +20 ha a year: 1052.4 + 5·20 = 1152.4 ; 1152.4/1229 = 93.7673 % → not met
    s20 = phieng_pan.scenario(Scenario.pace_units(20))
    assert s20.projected == approx(1152.4)
    assert s20.anticipated_pct == approx(93.7672905)
    assert s20.verdict == "not_met" and s20.verdict_vi == "Không đạt"
    # historical pace − 15 points: 18.884714 − 15 = 3.884714 %/yr ;
    # 1052.4 · 1.03884714^5 = 1273.3245 ; /1229 = 103.6065 %
    hist = phieng_pan.scenario(Scenario.historical(delta_pct=-15))
    assert hist.pace == approx(3.8847139)
    assert hist.projected == approx(1273.3244570)
    assert hist.verdict == "met"
    table = phieng_pan.scenarios([Scenario.required(), Scenario.pace_pct(5.0), Scenario.historical()])
    assert list(table["scenario"]) == ["required", "pace_pct", "historical"]
    assert table["label_vi"].iloc[0] == "Nhịp cần thiết để đạt mục tiêu"


def test_phieng_pan_path(phieng_pan):
    path = phieng_pan.path(to=2030)
    assert list(path.index) == list(range(2020, 2031))
    assert path.loc[2020, "observed"] == 443.15 and path.loc[2025, "observed"] == 1052.4
    assert path["is_observed"].sum() == 2 and bool(path.loc[2025, "is_observed"])
    # compound path one year on: 1052.4 · 1.1888471 = 1251.1427
    assert path.loc[2026, "compound"] == approx(1251.1427299)
    # linear path: 1052.4 + 121.85 · 3 = 1417.95 in 2028
    assert path.loc[2028, "linear"] == approx(1417.95)
    assert math.isnan(path.loc[2024, "linear"])  # projections only after the data


# ---------------------------------------------------------------------------------------------
# Lower is better
# ---------------------------------------------------------------------------------------------

def test_population_growth_below_a_ceiling():
    # Hạc Thành target (6), line 353: "Tốc độ tăng dân số bình quân hàng năm đạt dưới 1%"
    # observed 1,5 %/yr (illustrative), a rate compared as a rate with a strict ceiling "<".
    res = fit_series([2025], [1.5], target=1.0, target_year=2030, direction="lower",
                     kind="rate_per_year", comparator="<")
    # R = 1 + d·(obs − req)/|req| with d = −1: 1 − (1.5 − 1)/1 = 0.5 → limited progress
    assert res.pace_ratio == approx(0.5)
    assert res.category == "limited"
    assert res.category_label_vi == "Tiến bộ hạn chế"
    row = res.summary_frame().set_index("method").loc["average"]
    # anticipated: 100 · (1 − (1.5 − 1)/1) = 50 %, not met
    assert row["projected"] == approx(1.5)
    assert row["anticipated_pct"] == approx(50.0)
    assert row["verdict"] == "not_met"


def test_population_growth_under_a_ceiling_is_not_88_percent():
    # DOMAIN §4: 1,5 % vs a 1,7 % ceiling prints "88 %" though the target is met.
    # direction-aware: 100 · (1 + (1.7 − 1.5)/1.7) = 111.7647 % ; R = 1 + 0.2/1.7 = 1.117647
    res = fit_series([2025], [1.5], target=1.7, target_year=2030, direction="lower",
                     kind="rate_per_year", comparator="<=")
    row = res.summary_frame().iloc[0]
    assert row["anticipated_pct"] == approx(111.7647059)
    assert row["verdict"] == "met"
    assert res.pace_ratio == approx(1.1176471)
    assert res.category == "on_track"


def test_strict_ceiling_is_respected():
    # exactly at the ceiling: 1.0 is not "dưới 1%" (<), but is "không quá 1%" (<=)
    strict = fit_series([2025], [1.0], target=1.0, target_year=2030, direction="lower",
                        kind="rate_per_year", comparator="<")
    loose = fit_series([2025], [1.0], target=1.0, target_year=2030, direction="lower",
                       kind="rate_per_year", comparator="<=")
    assert strict.summary_frame()["verdict"].iloc[0] == "not_met"
    assert loose.summary_frame()["verdict"].iloc[0] == "met"


def test_lower_is_better_level_halving():
    # a poverty rate halving in five years: 12 → 6 %, target below 3 % by 2030
    # g_obs = (6/12)^(1/5) − 1 = −0.1294494 ; g_req = (3/6)^(1/5) − 1 = −0.1294494
    # R = d·g_obs/|g_req| = (−1)(−0.1294494)/0.1294494 = 1.0 → on track
    res = fit_series([2020, 2025], [12.0, 6.0], target=3.0, target_year=2030, direction="lower",
                     kind="share", comparator="<")
    assert res.observed_cagr == approx(-0.1294494367)
    assert res.required_cagr == approx(-0.1294494367)
    assert res.pace_ratio == approx(1.0)
    assert res.category == "on_track"
    sf = res.summary_frame().set_index("method")
    # compound: 6 · 0.5 = 3.0 exactly: not strictly below 3 → not met; anticipated 100 %
    assert sf.loc["compound", "projected"] == approx(3.0)
    assert sf.loc["compound", "verdict"] == "not_met"
    assert sf.loc["compound", "anticipated_pct"] == approx(100.0)
    # linear: 6 − 1.2·5 = 0 → floored at 0 (a share), (1 + (3 − 0)/3)·100 = 200 %
    assert sf.loc["linear", "projected"] == approx(0.0)
    assert sf.loc["linear", "anticipated_pct"] == approx(200.0)


def test_lower_is_better_already_met_and_moving_away():
    met = fit_series([2020, 2025], [4.0, 2.5], target=3.0, target_year=2030, direction="lower",
                     kind="share", comparator="<=")
    assert met.category == "met" and met.category_label_vi == "Đã đạt mục tiêu"
    assert met.years_to_target == 0.0
    away = fit_series([2020, 2025], [4.0, 5.0], target=3.0, target_year=2030, direction="lower",
                      kind="share", comparator="<=")
    # g_obs > 0 while lower is better: R < 0
    assert away.pace_ratio < 0
    assert away.category == "away" and away.category_label_vi == "Đi ngược hướng"
    assert away.years_to_target == math.inf


# ---------------------------------------------------------------------------------------------
# Rates per year
# ---------------------------------------------------------------------------------------------

def test_grdp_rate_target_single_average():
    # Hạc Thành, line 39: GRDP growth "bình quân giai đoạn 2023-2025 ước đạt 9,19%";
    # line 342: target "(1) Tốc độ tăng … bình quân hằng năm: đạt 10,2%" for 2026–2030.
    res = fit_series([2025], [9.19], target=10.2, target_year=2030, direction="higher",
                     kind="rate_per_year", comparator="=", period_start=2026)
    # a rate is compared as a rate: R = 9.19 / 10.2 = 0.9009804 → must accelerate
    assert res.observed_cagr == approx(0.0919)
    assert res.required_cagr == approx(0.102)
    assert res.pace_ratio == approx(0.9009804)
    assert res.category == "accelerate" and res.category_label_vi == "Cần tăng tốc"
    sf = res.summary_frame()
    assert list(sf["method"]) == ["average", "linear", "weighted_linear", "ets"]
    avg = sf.set_index("method").loc["average"]
    assert avg["projected"] == approx(9.19)  # the average carried forward, not a level grown
    assert avg["anticipated_pct"] == approx(90.0980392)
    assert avg["verdict"] == "not_met"
    assert "too_few_points" in sf.set_index("method").loc["linear", "flags"]


def test_grdp_rate_target_yearly_rates():
    # three yearly rates with mean (8.5 + 9.2 + 9.87)/3 = 9.19: same ratio as the average
    res = fit_series([2023, 2024, 2025], [8.5, 9.2, 9.87], target=10.2, target_year=2030,
                     direction="higher", kind="rate_per_year", comparator="=", period_start=2026)
    assert res.pace_ratio == approx(0.9009804)
    sf = res.summary_frame().set_index("method")
    # linear trend of the rates: slope (9.87 − 8.5)/2 = 0.685 ; value at 2024 = 9.19 ;
    # average over 2026..2030 = value at the mid-year 2028 = 9.19 + 4·0.685 = 11.93
    assert res.observed_linear_slope == approx(0.685)
    assert sf.loc["linear", "projected"] == approx(11.93)
    assert sf.loc["linear", "verdict"] == "met"
    # path holds the yearly rates: 2030 trend = 9.19 + 6·0.685 = 13.3
    assert res.path().loc[2030, "linear"] == approx(13.3)


def test_rate_target_with_part_of_the_period_observed():
    # 2026: 9.0 %, 2027: 9.6 % of a 2026–2030 average of 10,2 %
    # rates still needed in 2028–2030: (10.2·5 − 18.6)/3 = 32.4/3 = 10.8 %
    # R = mean(9.0, 9.6) / 10.8 = 9.3 / 10.8 = 0.8611111 ; average kept: (18.6 + 3·9.3)/5 = 9.3
    res = fit_series([2026, 2027], [9.0, 9.6], target=10.2, target_year=2030, direction="higher",
                     kind="rate_per_year", comparator=">=", period_start=2026)
    assert res.required_pace == approx(10.8)
    assert res.pace_ratio == approx(0.8611111)
    assert res.category == "accelerate"
    assert res.summary_frame().set_index("method").loc["average", "projected"] == approx(9.3)
    req = res.scenario(Scenario.required())
    assert req.projected == approx(10.2) and req.verdict == "met"


def test_reduction_per_year():
    # poverty-rate reduction, points a year: 1.2, 0.8, 1.0 vs "giảm 1,5%/năm"
    # mean 1.0 ; R = 1.0/1.5 = 0.6666667 → accelerate (higher is better for the reduction)
    res = fit_series([2023, 2024, 2025], [1.2, 0.8, 1.0], target=1.5, target_year=2030,
                     direction="higher", kind="reduction_per_year", comparator=">=")
    assert res.pace_ratio == approx(0.6666667)
    assert res.category == "accelerate"
    assert math.isnan(res.observed_cagr)  # a reduction in points is not a growth rate
    assert res.observed_pace == approx(1.0)


# ---------------------------------------------------------------------------------------------
# Totals over the term
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def enterprises():
    # Hạc Thành (5), line 349: "Số doanh nghiệp mới … 05 năm giai đoạn 2026 – 2030 đạt 1.500
    # doanh nghiệp trở lên". Synthetic progress: 260 founded in 2026, 300 in 2027.
    return fit_series([2026, 2027], [260.0, 300.0], target=1500.0, target_year=2030,
                      direction="higher", kind="cumulative", comparator=">=", period_start=2026)


def test_cumulative_paces(enterprises):
    res = enterprises
    # accumulated 260 + 300 = 560 ; required (1500 − 560)/3 = 313.3333 a year
    assert res.accumulated == approx(560.0)
    assert res.required_linear_slope == approx(313.3333333)
    # observed 280 a year ; R = 280 / 313.3333 = 0.8936170 → accelerate
    assert res.observed_pace == approx(280.0)
    assert res.pace_ratio == approx(0.8936170)
    assert res.category == "accelerate"
    # years of founding at 280 a year to fill 940: 940/280 = 3.357143
    assert res.years_to_target == approx(3.3571429)


def test_cumulative_methods(enterprises):
    sf = enterprises.summary_frame().set_index("method")
    # average: 560 + 3·280 = 1400 (93.33 %)
    assert sf.loc["average", "projected"] == approx(1400.0)
    assert sf.loc["average", "anticipated_pct"] == approx(93.3333333)
    assert sf.loc["average", "verdict"] == "not_met"
    # linear: slope 40 → 340 + 380 + 420 = 1140 → 1700
    assert sf.loc["linear", "projected"] == approx(1700.0)
    # compound: g = 300/260 − 1 = 0.1538462 ; 300·(1.1538462 + 1.3313609 + 1.5361856) = 1206.4178
    # → 560 + 1206.4178 = 1766.4178
    assert sf.loc["compound", "projected"] == approx(1766.4178425)
    # running total in the path: 560 + 340 = 900 in 2028
    path = enterprises.path()
    assert path.loc[2027, "observed"] == approx(560.0)
    assert path.loc[2028, "linear"] == approx(900.0)
    assert path.loc[2030, "average"] == approx(1400.0)


def test_cumulative_scenarios(enterprises):
    # 320 a year: 560 + 960 = 1520 → met ; history + 10 %: 308 a year → 560 + 924 = 1484
    s = enterprises.scenario(Scenario.pace_units(320))
    assert s.projected == approx(1520.0) and s.verdict == "met"
    h = enterprises.scenario(Scenario.historical(delta_pct=10))
    assert h.pace == approx(308.0) and h.projected == approx(1484.0) and h.verdict == "not_met"
    r = enterprises.scenario(Scenario.required())
    assert r.projected == approx(1500.0) and r.verdict == "met"


def test_cumulative_met_early_and_history_before_the_period():
    early = fit_series([2026, 2027], [800.0, 750.0], target=1500.0, target_year=2030,
                       direction="higher", kind="cumulative", comparator=">=", period_start=2026)
    assert early.category == "met" and early.years_to_target == 0.0
    # five years of history before the term: nothing accumulated yet, 1500/5 = 300 a year needed;
    # history averages (250+260+270+280+290)/5 = 270 → R = 0.9 → accelerate
    hist = fit_series(range(2021, 2026), [250.0, 260, 270, 280, 290], target=1500.0, target_year=2030,
                      direction="higher", kind="cumulative", comparator=">=", period_start=2026)
    assert hist.accumulated == 0.0
    assert hist.required_pace == approx(300.0)
    assert hist.pace_ratio == approx(0.9)
    # linear: flows 300, 310, 320, 330, 340 in 2026..2030 → 1600
    assert hist.summary_frame().set_index("method").loc["linear", "projected"] == approx(1600.0)


# ---------------------------------------------------------------------------------------------
# Shares, bands, "maintain"
# ---------------------------------------------------------------------------------------------

def test_share_capped_at_100():
    # 90 % in 2020, 97 % in 2025, target ≥ 99 % in 2030
    # compound 97 · 97/90 = 104.544 → 100 ; linear 97 + 7 = 104 → 100 ; 100/99 = 101.0101 %
    res = fit_series([2020, 2025], [90.0, 97.0], target=99.0, target_year=2030, direction="higher",
                     kind="share", comparator=">=")
    sf = res.summary_frame().set_index("method")
    assert sf.loc["compound", "projected"] == 100.0
    assert sf.loc["linear", "projected"] == 100.0
    assert "capped_at_100" in sf.loc["compound", "flags"]
    assert sf.loc["compound", "anticipated_pct"] == approx(101.0101010)
    assert (res.path()[["compound", "linear"]].dropna() <= 100.0).all().all()
    # the same numbers as a level are not capped
    lvl = fit_series([2020, 2025], [90.0, 97.0], target=99.0, target_year=2030, direction="higher",
                     kind="level", comparator=">=")
    assert lvl.summary_frame().set_index("method").loc["compound", "projected"] == approx(104.5444444)


def test_share_x_of_y_capped_too():
    res = fit_series([2021, 2023, 2025], [80.0, 90.0, 98.0], target=100.0, target_year=2030,
                     direction="higher", kind="x_of_y", comparator=">=")
    sf = res.summary_frame().set_index("method")
    assert (sf["projected"].dropna() <= 100.0).all()
    assert sf.loc["linear", "upper"] <= 100.0


def test_maintain_a_band():
    # "giữ vững 100%": kept ≥ 100 → met
    keep = fit_series([2024, 2025], [100.0, 100.0], target=100.0, target_year=2030, direction="band",
                      kind="share", comparator=">=")
    assert keep.category == "met"
    assert (keep.summary_frame()["verdict"].dropna() == "met").all()
    # a band "=" target: met within ±5 % of the target (38 vs 40: |−2|/40 = 5 %)
    band = fit_series([2020, 2025], [30.0, 38.0], target=40.0, target_year=2030, direction="band",
                      kind="share", comparator="=")
    assert band.category == "met"
    # out of the band: 30 → 34 in 2020–2025, target 40 (move toward it):
    # g_obs = (34/30)^(1/5) − 1 = 0.0253486 ; g_req = (40/34)^(1/5) − 1 = 0.0330378
    # R = 0.0253486 / 0.0330378 = 0.767260 → accelerate
    out = fit_series([2020, 2025], [30.0, 34.0], target=40.0, target_year=2030, direction="band",
                     kind="share", comparator="=")
    assert out.pace_ratio == approx(0.7672597)
    assert out.category == "accelerate"


# ---------------------------------------------------------------------------------------------
# CAGR fallback, too few points, no target
# ---------------------------------------------------------------------------------------------

def test_cagr_cannot_start_at_zero():
    # 0 → 4 in four years: no compound rate; linear 1 a year ; required (10 − 4)/5 = 1.2
    res = fit_series([2021, 2025], [0.0, 4.0], target=10.0, target_year=2030, direction="higher",
                     kind="level", comparator=">=")
    assert math.isnan(res.observed_cagr)
    assert res.pace_basis == "linear"
    assert res.pace_ratio == approx(1.0 / 1.2)  # 0.8333 → accelerate
    assert res.category == "accelerate"
    row = res.summary_frame().set_index("method").loc["compound"]
    assert "cagr_fallback_linear" in row["flags"]
    assert row["projected"] == approx(9.0)  # 4 + 5·1
    # years to target on the linear basis: (10 − 4)/1 = 6
    assert res.years_to_target == approx(6.0)


def test_cagr_cannot_cross_zero():
    res = fit_series([2020, 2025], [-2.0, 3.0], target=5.0, target_year=2030, direction="higher",
                     kind="level", comparator=">=")
    assert res.pace_basis == "linear"
    assert "cagr_fallback_linear" in res.summary_frame().set_index("method").loc["compound", "flags"]


def test_not_assessable():
    one = fit_series([2025], [50.0], target=60.0, target_year=2030, direction="higher", kind="level",
                     comparator=">=")
    assert one.category == "not_assessable"
    assert one.category_label_vi == "Chưa đánh giá được"
    assert "too_few_points_for_pace" in one.flags
    no_target = fit_series([2020, 2025], [50.0, 55.0], target=None, target_year=2030,
                           direction="higher", kind="level")
    assert no_target.category == "not_assessable" and "no_target" in no_target.flags
    # projections are still made; achievement is not
    sf = no_target.summary_frame().set_index("method")
    assert sf.loc["linear", "projected"] == approx(60.0)
    assert math.isnan(sf.loc["linear", "anticipated_pct"]) and sf.loc["linear", "verdict"] is None
    qual = fit_series([], [], target=None, target_year=2030, direction="higher", kind="qualitative")
    assert qual.category == "not_assessable" and "qualitative" in qual.flags


def test_category_thresholds():
    # linear basis with a zero start so that R is exactly observed/required slope:
    # 0 → x over 2020–2025 (slope x/5), target 2030 = x + 10 (required 2 a year)
    def cat(x):
        return fit_series([2020, 2025], [0.0, x], target=x + 10.0, target_year=2030,
                          direction="higher", kind="level", comparator=">=")

    assert cat(9.5).category == "on_track"      # 1.9/2 = 0.95
    assert cat(9.4).category == "accelerate"    # 1.88/2 = 0.94
    assert cat(6.0).category == "accelerate"    # 1.2/2 = 0.60
    assert cat(5.9).category == "limited"       # 1.18/2 = 0.59
    assert cat(0.0).category == "limited"       # 0
    assert cat(-1.0).category == "away"         # −0.2/2 = −0.1
    assert set(CATEGORY_LABELS_VI) == {"met", "on_track", "accelerate", "limited", "away",
                                       "not_assessable"}


# ---------------------------------------------------------------------------------------------
# Intervals, ETS, probability
# ---------------------------------------------------------------------------------------------

def test_ols_and_wls_intervals_match_statsmodels():
    from statsmodels.regression.linear_model import OLS, WLS

    years = np.array([2018, 2019, 2021, 2022, 2024, 2025])
    vals = np.array([10.0, 13.0, 12.5, 16.0, 18.5, 18.0])
    res = fit_series(years, vals, target=25.0, target_year=2030, direction="higher", comparator=">=",
                     ets=False)
    sf = res.summary_frame().set_index("method")
    x = np.column_stack([np.ones(6), years - 2025.0])
    x_new = np.array([[1.0, 5.0]])
    ols = OLS(vals, x).fit().get_prediction(x_new).summary_frame(alpha=0.05)
    assert sf.loc["linear", "projected"] == approx(ols["mean"].iloc[0], rel=1e-10)
    assert sf.loc["linear", "lower"] == approx(ols["obs_ci_lower"].iloc[0], rel=1e-10)
    assert sf.loc["linear", "upper"] == approx(ols["obs_ci_upper"].iloc[0], rel=1e-10)
    w = years - 2018.0 + 1.0   # weights grow with the year: 1, 2, 4, 5, 7, 8
    wls = WLS(vals, x, weights=w).fit().get_prediction(x_new, weights=np.array([8.0]))
    wls = wls.summary_frame(alpha=0.05)
    assert sf.loc["weighted_linear", "projected"] == approx(wls["mean"].iloc[0], rel=1e-10)
    assert sf.loc["weighted_linear", "lower"] == approx(wls["obs_ci_lower"].iloc[0], rel=1e-10)
    assert sf.loc["weighted_linear", "upper"] == approx(wls["obs_ci_upper"].iloc[0], rel=1e-10)


def test_ets_degenerates_on_a_perfect_line():
    # six points on a straight line: statsmodels pins the smoothing parameters to their lower
    # bounds and AICc is infinite (n ≤ 6). The result must say so, not raise.
    res = fit_series(range(2020, 2026), [10.0, 12, 14, 16, 18, 20], target=30.0, target_year=2030,
                     direction="higher", comparator=">=")
    row = res.summary_frame().set_index("method").loc["ets"]
    assert "ets_degenerate" in row["flags"]
    assert not math.isfinite(res.ets_info["aicc"])
    assert res.ets_info["smoothing_level"] <= 1e-3
    assert set(res.ets_info["degenerate_reasons"]) == {"aicc_not_finite", "smoothing_at_zero"}
    assert math.isfinite(row["projected"])  # still projected, only flagged


def test_ets_degenerate_with_finite_aicc_has_too_narrow_intervals():
    # eight noisy points: AICc is finite but the level smoothing collapses to 0
    years = range(2016, 2026)
    vals = [100.0, 103, 101, 106, 112, 110, 117, 121, 119, 127]
    res = fit_series(years, vals, target=150.0, target_year=2030, direction="higher", comparator=">=")
    sf = res.summary_frame().set_index("method")
    assert "ets_degenerate" in sf.loc["ets", "flags"]
    assert math.isfinite(res.ets_info["aicc"])
    ets_width = sf.loc["ets", "upper"] - sf.loc["ets", "lower"]
    ols_width = sf.loc["linear", "upper"] - sf.loc["linear", "lower"]
    assert ets_width < ols_width


def test_ets_healthy_fit_is_not_flagged():
    res = fit_series(range(2016, 2026), [10.0, 11, 13, 16, 20, 25, 31, 38, 46, 55], target=150.0,
                     target_year=2030, direction="higher", comparator=">=")
    row = res.summary_frame().set_index("method").loc["ets"]
    assert row["flags"] == ""
    assert row["lower"] < row["projected"] < row["upper"]


def test_ets_irregular_years_and_failure_are_recorded(monkeypatch):
    gaps = fit_series([2015, 2017, 2019, 2021, 2023, 2025], [1.0, 2, 3, 4, 5, 6], target=10.0,
                      direction="higher", comparator=">=")
    assert "ets_irregular_years" in gaps.summary_frame().set_index("method").loc["ets", "flags"]

    from statsmodels.tsa.exponential_smoothing import ets as ets_module

    def boom(self, *args, **kwargs):
        raise np.linalg.LinAlgError("synthetic failure")

    monkeypatch.setattr(ets_module.ETSModel, "fit", boom)
    res = fit_series(range(2019, 2026), [1.0, 2, 2.5, 4, 4.2, 6, 7], target=10.0, direction="higher",
                     comparator=">=")
    row = res.summary_frame().set_index("method").loc["ets"]
    assert "ets_failed" in row["flags"] and math.isnan(row["projected"])
    assert "synthetic failure" in res.ets_info["error"]


def test_probability_is_the_equal_mixture_of_the_methods():
    # three points 10, 13, 14 (2023–2025), target ≥ 24 in 2030
    # OLS: slope (14 − 10)/2 = 2, mean 12.3333 at 2024 → 2030: 12.3333 + 6·2 = 24.3333
    #   residuals −1/3, 2/3, −1/3 → SSE = 2/3, s² = 2/3 (df 1)
    #   se = sqrt(2/3 · (1 + 1/3 + 36/2)) = sqrt(12.8889) = 3.590110
    # compound: 14 · (14/10)^(5/2) = 14 · 1.96 · sqrt(1.4) = 14 · 2.3191033 = 32.467446, with the OLS se
    # WLS (w = 1, 2, 3): weighted means t = 12146/6 = 2024.3333, y = 78/6 = 13
    #   Sxx_w = 1·(4/3)² + 2·(1/3)² + 3·(2/3)² = 10/3 ; Sxy_w = 1·(−4/3)(−3) + 3·(2/3)(1) = 6 → b_w = 1.8
    #   2030: 13 + 1.8 · 17/3 = 23.2 ; fitted 10.6, 12.4, 14.2 → residuals −0.6, 0.6, −0.2
    #   SSE_w = 0.36 + 2·0.36 + 3·0.04 = 1.2 = s² (df 1) ; a future year weighs as the latest (w = 3):
    #   se = sqrt(1.2 · (1/3 + 1/6 + (17/3)²/(10/3))) = sqrt(1.2 · 10.133333) = sqrt(12.16) = 3.4871192
    res = fit_series([2023, 2024, 2025], [10.0, 13.0, 14.0], target=24.0, target_year=2030,
                     direction="higher", comparator=">=", ets=False)
    sf = res.summary_frame().set_index("method")
    assert sf.loc["linear", "projected"] == approx(24.3333333)
    assert sf.loc["compound", "projected"] == approx(32.4674458)
    assert sf.loc["weighted_linear", "projected"] == approx(23.2)
    t1 = stats.t(df=1)
    p_lin = 1 - t1.cdf((24.0 - 24.3333333) / 3.5901099)
    p_cmp = 1 - t1.cdf((24.0 - 32.4674458) / 3.5901099)
    p_wls = 1 - t1.cdf((24.0 - 23.2) / 3.4871192)
    assert res.probability == approx((p_lin + p_cmp + p_wls) / 3, rel=1e-6)
    assert 0.0 <= res.probability <= 1.0
    assert "indicative" in res.probability_note


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(years=[2020, 2025], values=[1.0]), "length"),
        (dict(years=[2020, 2025], values=[1.0, float("nan")]), "finite"),
        (dict(years=[2020, 2025], values=[1.0, float("inf")]), "finite"),
        (dict(years=[2025, 2020], values=[1.0, 2.0]), "increasing"),
        (dict(years=[2020, 2020], values=[1.0, 2.0]), "increasing"),
        (dict(years=[2020.5, 2025], values=[1.0, 2.0]), "whole"),
        (dict(years=[2020, 2025], values=[1.0, 2.0], direction="up"), "direction"),
        (dict(years=[2020, 2025], values=[1.0, 2.0], kind="ratio"), "kind"),
        (dict(years=[2020, 2025], values=[1.0, 2.0], comparator="=>"), "comparator"),
        (dict(years=[2020, 2025], values=[1.0, 2.0], comparator="<"), "contradicts"),
        (dict(years=[2020, 2025], values=[1.0, 2.0], target_year=2025), "after the latest"),
        (dict(years=[2020, 2025], values=[1.0, 2.0], kind="cumulative"), "period_start"),
        (dict(years=[], values=[]), "no observations"),
    ],
)
def test_bad_input_raises(kwargs, message):
    args = dict(target=5.0, target_year=2030, direction="higher", kind="level", comparator="=")
    args.update(kwargs)
    with pytest.raises(ProjectionError, match=message):
        fit_series(**args)
    assert issubclass(ProjectionError, ValueError)


# ---------------------------------------------------------------------------------------------
# Vectorised panel == per-series path
# ---------------------------------------------------------------------------------------------

def _synthetic_panel():
    """Synthetic panel covering the edge cases (label: synthetic, not from any document)."""
    series = [
        # locality, indicator, years, values, target, target_year, direction, kind, comparator, period_start
        ("a", "two_points", [2020, 2025], [443.15, 1052.4], 1229.0, 2030, "higher", "level", ">=", None),
        ("a", "ten_points", list(range(2016, 2026)), [5, 7, 6, 9, 8, 11, 10, 13, 12, 15], 25.0, 2030,
         "higher", "level", ">=", None),
        ("a", "zeros", [2021, 2022, 2023, 2025], [0.0, 0.0, 2.0, 4.0], 10.0, 2030, "higher", "level", ">=", None),
        ("a", "all_zero", [2023, 2024, 2025], [0.0, 0.0, 0.0], 10.0, 2030, "higher", "level", ">", None),
        ("a", "negative_slope", [2021, 2023, 2025], [50.0, 46.0, 41.0], 60.0, 2030, "higher", "level", ">=", None),
        ("a", "lower_better", [2020, 2022, 2025], [12.0, 9.5, 6.0], 3.0, 2030, "lower", "share", "<", None),
        ("a", "already_met", [2020, 2025], [4.0, 2.5], 3.0, 2030, "lower", "share", "<=", None),
        ("a", "missing_target", [2020, 2025], [50.0, 55.0], np.nan, 2030, "higher", "level", "=", None),
        ("a", "one_point", [2025], [50.0], 60.0, 2030, "higher", "level", ">=", None),
        ("b", "share_cap", [2019, 2021, 2023, 2025], [88.0, 92.0, 95.0, 98.5], 99.0, 2030, "higher",
         "share", ">=", None),
        ("b", "x_of_y", [2020, 2025], [50.0, 80.0], 90.0, 2030, "higher", "x_of_y", ">=", None),
        ("b", "band_eq", [2020, 2023, 2025], [30.0, 31.0, 34.0], 40.0, 2030, "band", "share", "=", None),
        ("b", "band_keep", [2024, 2025], [100.0, 100.0], 100.0, 2030, "band", "share", ">=", None),
        ("b", "grdp_single", [2025], [9.19], 10.2, 2030, "higher", "rate_per_year", "=", 2026),
        ("b", "grdp_yearly", [2021, 2022, 2023, 2024, 2025], [7.1, 8.5, 9.2, 9.87, 10.4], 10.2, 2030,
         "higher", "rate_per_year", "=", 2026),
        ("b", "grdp_in_period", [2026, 2027], [9.0, 9.6], 10.2, 2030, "higher", "rate_per_year", ">=", 2026),
        ("b", "pop_growth", [2023, 2024, 2025], [1.6, 1.5, 1.4], 1.0, 2030, "lower", "rate_per_year", "<", None),
        ("c", "poverty_reduction", [2023, 2024, 2025], [1.2, 0.8, 1.0], 1.5, 2030, "higher",
         "reduction_per_year", ">=", None),
        ("c", "enterprises", [2026, 2027], [260.0, 300.0], 1500.0, 2030, "higher", "cumulative", ">=", 2026),
        ("c", "enterprises_hist", [2021, 2022, 2023, 2024, 2025], [250.0, 262, 268, 281, 290], 1500.0,
         2030, "higher", "cumulative", ">=", 2026),
        ("c", "enterprises_gap", [2022, 2024], [250.0, 300.0], 1500.0, 2030, "higher", "cumulative", ">=", 2026),
        ("c", "enterprises_met", [2026, 2027, 2028], [600.0, 500.0, 450.0], 1500.0, 2030, "higher",
         "cumulative", ">=", 2026),
        ("c", "accidents_cap", [2026, 2027, 2028], [12.0, 10.0, 9.0], 50.0, 2030, "lower", "cumulative",
         "<=", 2026),
        ("c", "zero_flow_start", [2024, 2025, 2026], [0.0, 5.0, 9.0], 40.0, 2030, "higher", "cumulative",
         ">=", 2025),
        ("c", "target_2028", [2021, 2023, 2024], [100.0, 120.0, 125.0], 150.0, 2028, "higher", "level",
         ">=", None),
        ("c", "strict_gt", [2020, 2025], [10.0, 20.0], 20.0, 2030, "higher", "level", ">", None),
    ]
    obs_rows, target_rows, specs = [], [], []
    for loc, ind, years, vals, target, ty, direction, kind, cmp, ps in series:
        obs_rows += [dict(locality=loc, indicator=ind, year=yr, value=float(v)) for yr, v in zip(years, vals)]
        target_rows.append(dict(locality=loc, indicator=ind, target=target, target_year=ty,
                                direction=direction, kind=kind, comparator=cmp, period_start=ps))
        specs.append((loc, ind, years, vals, target, ty, direction, kind, cmp, ps))
    obs = pd.DataFrame(obs_rows).sample(frac=1.0, random_state=3)  # order must not matter
    targets = pd.DataFrame(target_rows)
    targets["period_start"] = targets["period_start"].astype("Int64")
    return obs, targets, specs


NUMERIC = ["target", "target_year", "n_points", "first_year", "latest_year", "latest_value", "accumulated",
           "observed_cagr_pct", "observed_linear_slope", "required_cagr_pct", "required_linear_slope",
           "observed_pace", "required_pace", "pace_ratio", "years_to_target", "projected", "lower", "upper",
           "anticipated_pct", "disagreement", "probability"]
TEXT = ["kind", "direction", "comparator", "pace_basis", "category", "category_vi", "method", "method_vi",
        "verdict", "verdict_vi", "flags"]


def _assert_same(panel: pd.DataFrame, expected: pd.DataFrame) -> None:
    key = ["locality", "indicator", "method"]
    panel = panel.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    assert list(panel.columns) == PANEL_COLUMNS
    assert panel[key].astype(str).values.tolist() == expected[key].astype(str).values.tolist()
    for col in NUMERIC:
        a = panel[col].to_numpy(dtype=float)
        b = expected[col].to_numpy(dtype=float)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=col)
    for col in TEXT:
        a = panel[col].astype(object).where(panel[col].notna(), None).tolist()
        b = expected[col].astype(object).where(expected[col].notna(), None).tolist()
        assert a == b, col


def _per_series(specs):
    frames = []
    for loc, ind, years, vals, target, ty, direction, kind, cmp, ps in specs:
        res = fit_series(years, vals, target=None if pd.isna(target) else target, target_year=ty,
                         direction=direction, kind=kind, comparator=cmp, period_start=ps, ets=False)
        frames.append(res.to_panel_rows(loc, ind))
    return pd.concat(frames, ignore_index=True)


def test_panel_equals_per_series_on_edge_cases():
    obs, targets, specs = _synthetic_panel()
    panel = project_panel(obs, targets, to=2030)
    _assert_same(panel, _per_series(specs))
    # a few spot checks of the panel itself
    cats = panel.drop_duplicates(["locality", "indicator"]).set_index("indicator")["category"]
    assert cats["already_met"] == "met"
    assert cats["missing_target"] == "not_assessable"
    assert cats["one_point"] == "not_assessable"
    assert cats["negative_slope"] == "away"
    assert cats["enterprises_met"] == "met"
    assert cats["grdp_single"] == "accelerate"
    assert set(panel["method"]) == {"average", "compound", "linear", "weighted_linear"}


def test_panel_pairs_without_a_target_row():
    obs, targets, _ = _synthetic_panel()
    extra = pd.DataFrame({"locality": "z", "indicator": "orphan", "year": [2020, 2025], "value": [1.0, 2.0]})
    panel = project_panel(pd.concat([obs, extra]), targets, to=2030)
    orphan = panel[panel["indicator"] == "orphan"]
    assert (orphan["category"] == "not_assessable").all()
    assert orphan["flags"].str.contains("no_target_row").all()
    assert (orphan["target_year"] == 2030).all()
    # linear: 2 + 0.2·5 = 3.0
    assert orphan.set_index("method").loc["linear", "projected"] == approx(3.0)


def test_panel_collects_every_problem():
    obs = pd.DataFrame({"locality": ["a", "a", "b", "c"], "indicator": ["x", "x", "y", "z"],
                        "year": [2020, 2020, 2021, 2022], "value": [1.0, 2.0, np.nan, 3.0]})
    targets = pd.DataFrame({"locality": ["a", "b", "c"], "indicator": ["x", "y", "z"],
                            "target": [5.0, 5.0, 5.0], "target_year": [2030, 2030, 2030],
                            "direction": ["higher", "higher", "sideways"], "kind": ["level"] * 3,
                            "comparator": [">=", ">=", ">="], "period_start": [None] * 3})
    with pytest.raises(ProjectionError) as info:
        project_panel(obs, targets)
    text = str(info.value)
    assert "twice" in text and "finite" in text
    targets.loc[2, "direction"] = "sideways"
    with pytest.raises(ProjectionError, match="direction"):
        project_panel(obs.iloc[[0, 3]], targets)
    with pytest.raises(ProjectionError, match="lacks columns"):
        project_panel(obs.drop(columns="value"), targets)


_KINDS = st.sampled_from([
    ("higher", "level", ">="), ("lower", "level", "<="), ("lower", "share", "<"), ("higher", "share", ">="),
    ("band", "share", "="), ("higher", "rate_per_year", "="), ("lower", "rate_per_year", "<"),
    ("higher", "reduction_per_year", ">="), ("higher", "cumulative", ">="), ("lower", "cumulative", "<="),
])


@st.composite
def _random_series(draw):
    n = draw(st.integers(1, 10))
    first = draw(st.integers(2012, 2024 - n + 1))
    gaps = draw(st.lists(st.integers(1, 2), min_size=n - 1, max_size=n - 1))
    years = [first]
    for g in gaps:
        years.append(years[-1] + g)
    years = [yr for yr in years if yr <= 2025]
    if draw(st.booleans()):  # noisy values, zeros and negatives included
        vals = draw(st.lists(st.floats(-20.0, 120.0, allow_nan=False).map(lambda v: round(v, 2)),
                             min_size=len(years), max_size=len(years)))
    else:  # a perfect line: zero residuals, zero-width intervals
        a, b = draw(st.integers(0, 50)), draw(st.integers(-3, 6))
        vals = [float(a + b * (yr - years[0])) for yr in years]
    direction, kind, cmp = draw(_KINDS)
    target = draw(st.one_of(st.just(float("nan")), st.just(0.0), st.floats(-10.0, 150.0).map(lambda v: round(v, 1))))
    ty = draw(st.integers(max(years) + 1, 2031))
    ps = draw(st.integers(ty - 8, ty)) if kind == "cumulative" else draw(st.one_of(st.none(), st.integers(ty - 8, ty)))
    return years, vals, target, ty, direction, kind, cmp, ps


@settings(max_examples=examples(25), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_random_series(), min_size=1, max_size=6))
# found by hypothesis: a perfectly straight series falling onto a target of 0 — rounding in the two paths' spreads
@example(series=[([2015, 2016, 2017], [36.0, 33.0, 30.0], 0.0, 2027, "higher", "level", ">=", None)])
def test_panel_equals_per_series_property(series):
    specs = [("loc", f"ind{i}", *s) for i, s in enumerate(series)]
    obs = pd.DataFrame([dict(locality=loc, indicator=ind, year=yr, value=v)
                        for loc, ind, years, vals, *_ in specs for yr, v in zip(years, vals)])
    targets = pd.DataFrame([dict(locality=loc, indicator=ind, target=t, target_year=ty, direction=d, kind=k,
                                 comparator=c, period_start=ps)
                            for loc, ind, _, _, t, ty, d, k, c, ps in specs])
    targets["period_start"] = targets["period_start"].astype("Int64")
    _assert_same(project_panel(obs, targets), _per_series(specs))


def test_path_of_a_qualitative_series_has_no_method_lines():
    # a qualitative indicator has no pace and no fitted line: its path is the observations alone
    # (before the projection package, path() raised AttributeError: the linear methods drew a line never fitted)
    res = fit_series([2021, 2023, 2025], [1.0, 1.0, 1.0], target=None, direction="higher", kind="qualitative")
    frame = res.path(to=2030)
    assert list(frame.columns) == ["observed", "is_observed"]
    assert frame.loc[2025, "observed"] == 1.0 and math.isnan(frame.loc[2030, "observed"])
    assert res.summary_frame()["projected"].isna().all()


# --- the command, on the real localities ----------------------------------------------------------------

def test_project_command_real_localities():
    import csv
    import io

    from conftest import run_cli

    counts = {}
    for loc_id in ("muong-ang", "hac-thanh", "phieng-pan"):
        out = run_cli("project", loc_id, "--to", "2030", "--format", "csv")
        assert out.returncode == 0, out.stderr
        rows = list(csv.DictReader(io.StringIO(out.stdout)))
        for col in ("indicator", "latest_year", "latest_value", "target", "required_cagr_pct", "observed_cagr_pct",
                    "method", "projected", "anticipated_pct", "category", "source"):
            assert col in rows[0], col
        per_indicator = {r["indicator"]: r["category"] for r in rows}
        counts[loc_id] = per_indicator
    fruit = [r for r in csv.DictReader(io.StringIO(run_cli("project", "phieng-pan", "--format", "csv").stdout))
             if r["indicator"] == "fruit_tree_area"]
    # (1229/1052.4)^(1/5) − 1 = 3,15% a year needed; 2020–2025 pace (1052.4/443.15)^(1/5) − 1 = 18,88%
    assert float(fruit[0]["required_cagr_pct"]) == pytest.approx(3.15118, abs=1e-4)
    assert float(fruit[0]["observed_cagr_pct"]) == pytest.approx(18.8847, abs=1e-3)
    assert fruit[0]["category"] == "on_track"
    assert all(len(c) >= 5 for c in counts.values())


def test_project_scenarios_in_csv():
    import csv
    import io

    from conftest import run_cli

    out = run_cli("project", "phieng-pan", "--format", "csv", "--scenario", "pace_pct=5", "--scenario", "required")
    rows = [r for r in csv.DictReader(io.StringIO(out.stdout)) if r["indicator"] == "fruit_tree_area"]
    methods = {r["method"]: r for r in rows}
    # 1052.4 × 1.05^5 = 1343,159 ha
    assert float(methods["scenario: pace_pct=5"]["projected"]) == pytest.approx(1343.159, abs=1e-3)
    assert float(methods["scenario: Nhịp cần thiết"]["projected"]) == pytest.approx(1229.0)
    bad = run_cli("project", "phieng-pan", "--scenario", "fast")
    assert bad.returncode == 2 and "--scenario" in bad.stderr and "Traceback" not in bad.stderr
