"""Comparing localities (chitieu.compare, `chitieu compare`, the compare notebook, run --all's compare/ folder).

Reference values are hand arithmetic on the transcribed numbers (each cited with its source line) or on the
SYNTHETIC localities of `chitieu.synthetic` (labelled so: never real data).
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from chitieu.analysis import compare
from chitieu.io.synthetic import make_synthetic_data
from conftest import run_cli

REAL = ["muong-ang", "hac-thanh", "phieng-pan", "phuong-mau"]
# codes held by all three localities that have numbers (checked by hand in their indicators.csv)
SHARED_BY_THREE = {"income_per_capita", "budget_revenue_term_total", "trained_labour_share",
                   "health_insurance_coverage", "national_standard_schools_share", "cultural_households_share",
                   "waste_collection_rate", "party_orgs_good_share", "party_members_good_share"}


@pytest.fixture(scope="module")
def real() -> compare.Comparison:
    return compare.compare_localities(REAL)


def row(comp, code, loc):
    t = comp.table
    (r,) = t[(t["catalogue_code"] == code) & (t["locality"] == loc)].to_dict("records")
    return r


# --------------------------------------------------------------------------------------------
# The three real localities: partial overlap, gaps shown
# --------------------------------------------------------------------------------------------

def test_real_overlap_is_partial_and_every_gap_is_a_row(real):
    o = compare.overlap_frame(real)
    held_by_three = set(o.loc[(o[["muong-ang", "hac-thanh", "phieng-pan"]] != "absent").all(axis=1), "catalogue_code"])
    assert held_by_three == SHARED_BY_THREE
    # no code is held by all four: the ward template has only two coded indicators, both without numbers
    assert (o["n_holding"] < 4).all()
    assert len(real.table) == len(real.codes) * 4  # one row per (code, locality), gaps included
    assert row(real, "budget_revenue_annual", "phuong-mau")["status"] == "no_data"
    assert row(real, "budget_revenue_annual", "phuong-mau")["heat_vi"] == "Chưa có số liệu"
    assert row(real, "natural_population_growth", "phuong-mau")["status"] == "no_data"
    assert row(real, "coffee_area", "hac-thanh")["status"] == "absent"
    assert row(real, "coffee_area", "hac-thanh")["heat_vi"] == "Không có chỉ tiêu này"
    # Phiêng Pằn holds trained labour (target 35% in 2030, seed 004) but gives no number for it
    assert row(real, "trained_labour_share", "phieng-pan")["status"] == "no_data"
    cov = compare.coverage_frame(real).set_index("locality")
    assert not cov.loc["phuong-mau", "has_numbers"]
    # uncoded indicators cannot be compared and are counted: Mường Ảng 226 indicators, 57 coded (data/README.md)
    assert cov.loc["muong-ang", "n_uncoded"] == 226 - 57
    text = compare.summary_text(real)
    assert "phường … (mẫu): chưa có số liệu" in text and "9 chỉ tiêu có ở tất cả" in text
    assert "không có mã danh mục nên không so sánh được" in text


def test_real_values_paces_and_categories(real):
    # Mường Ảng income (seed 002 line 793): 34,45 (2024) → 39 (2025), 2030 target > 47
    r = row(real, "income_per_capita", "muong-ang")
    assert (r["latest_value"], r["latest_year"], r["target"], r["target_comparator"]) == (39.0, 2025, 47.0, ">")
    # observed 39/34,45 − 1 = 13,2075 %; required (47/39)^(1/5) − 1 = 1,205128^0,2 − 1 = 3,8022 %; R = 3,4736
    assert r["observed_growth_pct"] == pytest.approx(13.2075, abs=1e-4)
    assert r["required_pace"] == pytest.approx(3.8022, abs=1e-4)
    assert r["progress_pct"] == pytest.approx(347.36, abs=0.01)
    assert r["category"] == "on_track"
    # achievement against the 2030 target, reports' convention: 39 / 47 × 100 = 82,98 %
    assert r["achievement_target_pct"] == pytest.approx(82.9787, abs=1e-4)
    # Hạc Thành health insurance: 91,2 (2020) → 94,2 (2025), ≥ 95 in 2030:
    # (94,2/91,2)^(1/5) − 1 = 0,6494 %; (95/94,2)^(1/5) − 1 = 0,16928 %; R = 3,8363
    r = row(real, "health_insurance_coverage", "hac-thanh")
    assert r["observed_growth_pct"] == pytest.approx(0.6494, abs=1e-4)
    assert r["pace_ratio"] == pytest.approx(3.8363, abs=1e-3)
    # Hạc Thành income has one number (120,5 in 2025): no pace, not assessable, said so
    r = row(real, "income_per_capita", "hac-thanh")
    assert r["category"] == "not_assessable" and r["n_points"] == 1
    # a term total is a number (192 tỷ đồng 2020–2025, seed 002 line 131) but not a series
    r = row(real, "budget_revenue_term_total", "muong-ang")
    assert (r["status"], r["latest_period"], r["latest_value"], r["category"]) == ("data", "2020-2025", 192.0,
                                                                                   "not_assessable")


def test_ranking_shows_ties_and_missing_data(real):
    ranks = compare.rank_table(real).query("catalogue_code == 'health_insurance_coverage'").set_index("locality")
    # Mường Ảng 98 ≥ 95 and Phiêng Pằn 100 ≥ 100 are both met: a tie at 1; Hạc Thành (R = 3,84) comes 3rd
    assert ranks.loc["muong-ang", "rank_vi"] == "1 (đồng hạng)"
    assert ranks.loc["phieng-pan", "rank_vi"] == "1 (đồng hạng)"
    assert ranks.loc["hac-thanh", "rank_vi"] == "3"
    assert pd.isna(ranks.loc["phuong-mau", "rank"]) and ranks.loc["phuong-mau", "rank_vi"] == "không có chỉ tiêu này"
    ranks = compare.rank_table(real).query("catalogue_code == 'income_per_capita'").set_index("locality")
    # Mường Ảng R = 3,47; Phiêng Pằn 12,5 → 21,5 (2020–2025), 36,5 in 2030:
    # obs 1,72^0,2 − 1 = 11,457 %, req (36,5/21,5)^0,2 − 1 = 11,166 %, R = 1,026; Hạc Thành one number
    assert list(ranks["rank_vi"]) == ["1", "chưa đánh giá được", "2", "không có chỉ tiêu này"]
    assert compare.rank_table(real).query("catalogue_code == 'party_orgs_good_share'")["rank_vi"].tolist() == \
        ["chưa có số liệu"] * 3 + ["không có chỉ tiêu này"]


def test_overall_ranking_ties_and_a_locality_without_numbers():
    codes = ["income_per_capita", "health_insurance_coverage", "trained_labour_share"]
    comp = compare.compare_localities(REAL, codes)
    # Mường Ảng: income on track, insurance met, trained labour 26,82 → 28 vs 35: obs 4,400 %, req 1,25^0,2 − 1 =
    # 4,564 %, R = 0,964 ≥ 0,95 on track: 3/3. Hạc Thành: income not assessable; insurance on track; trained labour
    # 85 → 90,02 vs 95: obs 1,154 %, req 1,083 %, R = 1,066: 2/2. Phiêng Pằn: income on track (R = 1,026),
    # insurance met, trained labour no number: 2/2. All 100 %, but a share of 2 is not ranked against a share of 3
    # (issue #13): 3 codes compared, so a locality needs all 3 assessed; only Mường Ảng has them.
    o = compare.overall_ranking(comp).set_index("locality")
    assert o.loc[["muong-ang", "hac-thanh", "phieng-pan"], "n_assessed"].tolist() == [3, 2, 2]
    assert compare.ranking_threshold(comp) == 3
    assert o.loc["muong-ang", "rank_vi"] == "duy nhất đủ chỉ tiêu để xếp hạng"
    assert o.loc[["hac-thanh", "phieng-pan"], "rank_vi"].tolist() == [
        "không xếp hạng: đánh giá được 2 chỉ tiêu (cần ít nhất 3)"] * 2
    assert o.loc["phuong-mau", "rank_vi"] == "chưa có số liệu"
    # two codes held by all three with numbers: ties are shared (1, 1, 1)
    two = compare.compare_localities(REAL, ["health_insurance_coverage", "income_per_capita"])
    o2 = compare.overall_ranking(two).set_index("locality")
    ranked = o2[o2["ranked"]]
    assert len(ranked) >= 2 and set(ranked["rank_vi"]) == {"1 (đồng hạng)"}
    assert row(comp, "trained_labour_share", "muong-ang")["pace_ratio"] == pytest.approx(0.9640, abs=1e-3)


def test_peers_same_level_without_numbers_are_shown_as_such(real):
    p = compare.peers(real, "hac-thanh", start_tolerance_pct=None)
    # the only other ward is the template: same level, nothing to compare, said so
    assert set(p["peer"]) == {"phuong-mau"} and set(p["why"]) == {"same_level"}
    assert set(p["comparison"]) == {"not_comparable"}
    shown = compare.peers_display(real, p, "hac-thanh")
    assert shown["So với phường Hạc Thành"].str.startswith("không so được (").all()
    # Phiêng Pằn fruit trees 443,15 ha (2020) vs Mường Ảng 509 ha (2024): 14,86 % apart, within 25 %;
    # Mường Ảng grew 509 → 509,1 (0,02 %/năm), Phiêng Pằn 18,88 %/năm: Mường Ảng is slower
    p = compare.peers(real, "phieng-pan").set_index("catalogue_code")
    fruit = p.loc["fruit_tree_area"]
    assert fruit["why"] == "similar_start" and fruit["start_gap_pct"] == pytest.approx(14.8595, abs=1e-3)
    assert fruit["comparison"] == "slower" and fruit["own_pace"] == pytest.approx(18.8847, abs=1e-3)


def test_display_is_vietnamese(real):
    d = compare.display_frame(real)
    assert "Giá trị gần nhất" in d.columns and "Đánh giá đến 2030" in d.columns
    mine = d[(d["Địa phương"] == "huyện Mường Ảng") & (d["Chỉ tiêu"] == "Diện tích cà phê")].iloc[0]
    assert mine["Giá trị gần nhất"] == "2.815 ha" and mine["Mục tiêu 2030"] == "4.000 ha"  # units beside numbers
    assert mine["Đạt so với NQ nhiệm kỳ"] == "141% (Vượt)"  # 2.815 / 2.000 = 140,75 → 141 (seed 002 line 798)
    assert (d["Giá trị gần nhất"] == "không có chỉ tiêu này").any()
    assert (d["Giá trị gần nhất"] == "chưa có số liệu").any()


def test_charts_show_gaps_as_cells(real):
    fig = compare.category_heatmap(real)
    z = fig.data[0].z
    assert len(z) == len(real.codes) and len(z[0]) == 4
    text = [x for r in fig.data[0].text for x in r]
    assert "Chưa có số liệu" in text and "Không có chỉ tiêu này" in text
    assert fig.layout.separators == ",."
    prog = compare.progress_chart(real)
    assert any(tr.name == "huyện Mường Ảng" for tr in prog.data)
    trends = compare.trend_small_multiples(real)
    assert trends.layout.title.text.startswith("Xu hướng")


def test_errors():
    with pytest.raises(compare.CompareError, match="ít nhất hai"):
        compare.compare_localities(["muong-ang"])
    with pytest.raises(compare.CompareError, match="nowhere"):
        compare.compare_localities(["muong-ang", "nowhere"])
    with pytest.raises(compare.CompareError, match="bogus_code"):
        compare.compare_localities(["muong-ang", "hac-thanh"], ["bogus_code"])


# --------------------------------------------------------------------------------------------
# 30 SYNTHETIC localities
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic") / "data"
    ids = make_synthetic_data(root, 30)
    return root, ids, compare.compare_localities(ids, root=root)


@pytest.mark.slow  # 30 localities: ~10 s
def test_synthetic_thirty_localities(synthetic):
    root, ids, comp = synthetic
    assert len(ids) == 30 and all(i.startswith("synthetic-") for i in ids)
    assert all("SYNTHETIC" in n for n in comp.names.values())
    # every synthetic locality is the Mường Ảng table (muong-ang/indicators.csv, not the narrative) scaled: the
    # same coded indicators everywhere
    table_rows = list(csv.DictReader(open(root / "muong-ang" / "indicators.csv", encoding="utf-8")))
    n_coded = len({r["catalogue_code"] for r in table_rows if r["catalogue_code"]})
    assert len(comp.codes) == n_coded == 46 and len(comp.table) == 46 * 30
    assert (compare.overlap_frame(comp)["n_holding"] == 30).all()
    fig = compare.category_heatmap(comp)
    assert len(fig.data[0].z) == 46 and len(fig.data[0].z[0]) == 30
    assert fig.data[0].text is None  # 1 380 cells: hover only, no text in the cells

    # synthetic-001 has factor 0,70 + (37·1 mod 61)/100 = 1,07; its values.csv holds income 36,86 (2024) and
    # 41,73 (2025), the target (47, not scaled) stays. obs 41,73/36,86 − 1 = 4,87/36,86 = 13,2121 %;
    # req (47/41,73)^(1/5) − 1 = 1,126288^0,2 − 1 = 2,4071 %; R = 5,4888.
    values = list(csv.DictReader(open(root / "synthetic-001" / "values.csv", encoding="utf-8")))
    income = {(r["period"], r["status"]): r["value"] for r in values if r["indicator"] == "income_per_capita"}
    assert income[("2024", "estimate")] == "36.86" and income[("2025", "estimate")] == "41.73"
    r = row(comp, "income_per_capita", "synthetic-001")
    assert r["observed_growth_pct"] == pytest.approx(13.2121, abs=1e-3)
    assert r["required_pace"] == pytest.approx(2.4071, abs=1e-3)
    assert r["pace_ratio"] == pytest.approx(5.4888, abs=2e-3)

    # public investment disbursed (seed 002 line 795): 100 % in 2024 and 2025, target 100 % in 2030. Scaled and
    # capped at 100: a factor ≥ 1, i.e. (37·i mod 61) ≥ 30, keeps 100 % → met; counted by hand over i = 1…30:
    # i = 1, 3, 6, 8, 11, 13, 14, 16, 18, 19, 21, 23, 24, 26, 28, 29 (16 localities), all tied at rank 1.
    # The 14 others are flat at 100·f % (< 100): observed pace 0, R = 0 → "limited", all tied at rank 16 + 1 = 17.
    ranks = compare.rank_table(comp).query("catalogue_code == 'public_investment_disbursement'")
    met = {f"synthetic-{i:03d}" for i in (1, 3, 6, 8, 11, 13, 14, 16, 18, 19, 21, 23, 24, 26, 28, 29)}
    assert set(ranks.loc[ranks["rank_vi"] == "1 (đồng hạng)", "locality"]) == met
    assert set(ranks.loc[ranks["rank_vi"] == "17 (đồng hạng)", "locality"]) == set(ids) - met
    # indicators the Mường Ảng table holds without numbers stay "chưa có số liệu" in all 30 (e.g. waste collection,
    # a 2030 target only, seed 002 line 839)
    waste = compare.rank_table(comp).query("catalogue_code == 'waste_collection_rate'")
    assert set(waste["rank_vi"]) == {"chưa có số liệu"}


@pytest.mark.slow  # 30 localities: ~10 s
def test_synthetic_localities_like_mine(synthetic):
    _, ids, comp = synthetic
    # same level: every synthetic locality is a xã
    same = compare.peers(comp, "synthetic-001", start_tolerance_pct=None)
    assert set(same["peer"]) == set(ids) - {"synthetic-001"}
    # similar start on income within 10 %: first values 34,45·f (2024) vs 36,86 for f = 1,07, so f within
    # [0,963; 1,177], i.e. (37·i mod 61) in 27…47 other than i = 1: i = 6, 9, 11, 14, 16, 19, 21, 24, 26, 29
    # (i = 4 at f = 0,96 is 10,3 % below, i = 3 at f = 1,20 is 12,2 % above).
    near = compare.peers(comp, "synthetic-001", same_level=False, start_tolerance_pct=10.0)
    income = near[near["catalogue_code"] == "income_per_capita"]
    assert set(income["peer"]) == {f"synthetic-{i:03d}" for i in (6, 9, 11, 14, 16, 19, 21, 24, 26, 29)}
    # both years are scaled by the same factor: the same growth up to rounding to 2 decimals → "same"
    assert set(income["comparison"]) == {"same"}
    assert (income["pace_difference"].abs() < 0.05).all()


@pytest.mark.slow  # 30 localities: ~10 s
def test_cli_compare_on_synthetic_data(synthetic, tmp_path):
    root, _, _ = synthetic
    code, err, out = cli_in_process(["compare", "synthetic-001", "synthetic-002", "--indicator", "income_per_capita",
                                     "--format", "csv"], data=root)
    assert code == 0, err
    rows = list(csv.DictReader(out.splitlines()))
    assert [r["locality"] for r in rows] == ["synthetic-001", "synthetic-002"]
    assert float(rows[0]["latest_value"]) == 41.73 and rows[0]["category"] == "on_track"
    # synthetic-002: factor 0,70 + 13/100 = 0,83; 39 × 0,83 = 32,37
    assert float(rows[1]["latest_value"]) == pytest.approx(32.37)
    xlsx = tmp_path / "so-sanh.xlsx"
    assert cli_in_process(["compare", "synthetic-001", "synthetic-002", "synthetic-003", "--format", "xlsx",
                           "-o", str(xlsx)], data=root)[0] == 0
    from openpyxl import load_workbook
    wb = load_workbook(xlsx)
    # the values side by side first (issue #13), then the long comparison
    assert wb.sheetnames[:3] == ["Bảng giá trị", "So sánh", "Chỉ tiêu chung"] and "Không so sánh được" in wb.sheetnames
    assert wb["Bảng giá trị"].max_row == 3 + 46
    assert wb["So sánh"].max_row == 2 + 46 * 3


def cli_in_process(args: list[str], data: Path | None = None) -> tuple[int, str, str]:
    """``chitieu ARGS`` through ``chitieu.cli.main`` in this process: (exit code, stderr, stdout)."""
    import io
    import os
    import sys
    from contextlib import redirect_stderr, redirect_stdout

    from chitieu import cli
    from chitieu.cli import _common

    old_argv, old_env = sys.argv, os.environ.get("CHITIEU_DATA")
    sys.argv = ["chitieu", *args]
    if data is not None:
        os.environ["CHITIEU_DATA"] = str(data)
    err, out = io.StringIO(), io.StringIO()
    code = 0
    try:
        with redirect_stderr(err), redirect_stdout(out):
            _common.err.file = err
            try:
                cli.main()
            except SystemExit as exc:
                code = exc.code or 0
    finally:
        _common.err.file = None
        sys.argv = old_argv
        if data is not None:
            if old_env is None:
                os.environ.pop("CHITIEU_DATA", None)
            else:
                os.environ["CHITIEU_DATA"] = old_env
    return code, err.getvalue(), out.getvalue()


def test_cli_errors_exit_2_without_traceback():
    res = run_cli("compare", "muong-ang", "nowhere")  # as a user runs it: a message, exit 2, no traceback
    assert res.returncode == 2 and res.stderr.startswith("Lỗi:") and "nowhere" in res.stderr
    assert "Traceback" not in res.stderr
    for args in (["compare", "muong-ang"], ["compare", "muong-ang", "hac-thanh", "-i", "bogus"],
                 ["compare", "--all", "-f", "xlsx"], ["compare", "--all", "muong-ang"]):
        code, err, _ = cli_in_process(args)
        assert code == 2, (args, err)
        assert err.startswith("Lỗi:") and "Traceback" not in err


# --------------------------------------------------------------------------------------------
# run --all's folder, written atomically, offline and escaped
# --------------------------------------------------------------------------------------------

def test_write_compare_outputs(tmp_path, data_copy):
    # a locality name that tries to inject markup must come out as text
    locs = (data_copy / "localities.csv").read_text(encoding="utf-8")
    (data_copy / "localities.csv").write_text(locs.replace("phường Hạc Thành", "phường <script>alert(1)</script>"),
                                              encoding="utf-8")
    out = tmp_path / "outputs"
    (out / "compare").mkdir(parents=True)
    (out / "compare" / "stale.txt").write_text("old run")
    paths = compare.write_compare_outputs(out, REAL, root=data_copy)
    assert [p.name for p in paths] == ["compare.csv", "compare.xlsx", "compare.html", "overlap.csv"]
    assert all(p.exists() for p in paths)
    assert not (out / "compare" / "stale.txt").exists()  # the folder was replaced whole
    assert not list(out.glob(".tmp-compare-*")) and not (out / ".old-compare").exists()
    page = (out / "compare" / "compare.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'src="http' not in page and "Plotly.newPlot" in page and len(page) > 3_000_000  # plotly.js inlined
    assert "chưa có số liệu" in page and "không có chỉ tiêu này" in page.lower()
    table = pd.read_csv(out / "compare" / "compare.csv")
    assert len(table) == len(compare.compare_localities(REAL, root=data_copy).codes) * 4


# --------------------------------------------------------------------------------------------
# The notebook, parametrised and executed on a kernel (slow)
# --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_compare_notebook_runs_and_records(tmp_path):
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from chitieu.config import notebook_path
    from chitieu.report.runner import WarmKernel, records, to_html

    nb = load_notebook_node(str(notebook_path("compare_localities.ipynb")))
    nb = parameterize_notebook(nb, {"localities": REAL, "indicators": [], "focus": "phieng-pan"}, report_mode=False)
    kernel = WarmKernel()
    try:
        kernel.execute(nb)
    finally:
        kernel.shutdown()
    rec = records(nb)
    summary = rec["summary"]
    assert summary["localities"] == REAL and summary["overlap_all"] == []
    assert summary["heat"]["budget_revenue_annual|phuong-mau"] == "no_data"
    assert summary["heat"]["health_insurance_coverage|hac-thanh"] == "on_track"
    assert summary["overall_rank"]["phuong-mau"] == "chưa có số liệu"
    assert rec["peers"] > 0
    page = to_html(nb)
    assert "Chưa có số liệu" in page and "đồng hạng" in page and "localities: list" not in page
    json.dumps(rec)  # records are plain JSON
    assert not math.isnan(summary["n_uncoded"]["muong-ang"])


def test_compare_workbook_is_identical_across_runs(tmp_path):
    from chitieu.analysis.compare import compare_localities, write_xlsx

    comp = compare_localities(["muong-ang", "phieng-pan"])
    write_xlsx(comp, tmp_path / "a.xlsx")
    write_xlsx(comp, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_two_localities_with_one_name_are_told_apart(data_copy):
    """A new user's compare page (the lead, 2026-12-06): two imported national tables both named "cả nước" gave
    two columns headed "cả nước", and a ranking with "cả nước" twice. Shown names carry the id where names repeat."""
    from chitieu.analysis.compare import compare_localities, display_names

    assert display_names({"a": "xã A", "b": "cả nước", "c": "cả nước"}) == {
        "a": "xã A", "b": "cả nước (b)", "c": "cả nước (c)"}
    path = data_copy / "localities.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("hac-thanh,phường Hạc Thành,", "hac-thanh,huyện Mường Ảng,"), encoding="utf-8")
    comp = compare_localities(["muong-ang", "hac-thanh"], ["income_per_capita"], root=data_copy)
    assert sorted(comp.localities["name"]) == ["huyện Mường Ảng (hac-thanh)", "huyện Mường Ảng (muong-ang)"]
    assert set(comp.table["locality_name"]) == {"huyện Mường Ảng (hac-thanh)", "huyện Mường Ảng (muong-ang)"}
