"""Outputs an analyst can paste into the report without fixing them first (issue #13), one test group per point.

Each test names what it checks on the code as it was (commit 7b66115) and why it failed there. Expected numbers
come from the documents (seed 002, Mường Ảng's *Biểu kết quả*, lines 788 on) or from hand arithmetic written
beside them, never from the code under test.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import sys
from pathlib import Path
from unittest import mock

import pandas as pd
import plotly.graph_objects as go
import pytest

from chitieu.analysis.achievement import results_table
from chitieu.io.data import load_locality
from chitieu.report import charts, sections
from conftest import DATA


def cli(*args: str, columns: int = 100, data: Path | None = None) -> tuple[int, str, str]:
    """``chitieu ARGS`` in this process with a terminal ``columns`` wide: (exit code, stdout, stderr)."""
    import chitieu.cli as cli_mod

    out, err = io.StringIO(), io.StringIO()
    code = 0
    env = {"COLUMNS": str(columns)}
    if data is not None:
        env["CHITIEU_DATA"] = str(data)
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, env))
        stack.enter_context(mock.patch.object(sys, "argv", ["chitieu", *args]))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        try:
            cli_mod.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # noqa: BLE001 - what a user would see as a traceback
            code = f"traceback: {type(exc).__name__}: {exc}"
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def muong_ang():
    return load_locality("muong-ang")


@pytest.fixture(scope="module")
def table(muong_ang):
    return results_table(muong_ang)


def _row(table: pd.DataFrame, indicator: str) -> pd.Series:
    return table.set_index("indicator").loc[indicator]


# --------------------------------------------------------------------------------------------
# 1. "Nhịp cần" reaches the target by construction, strict bounds included
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scenarios(muong_ang):
    return sections.scenario_frame(muong_ang, 2030, [])


def test_required_pace_meets_every_target_strict_bounds_included(muong_ang, scenarios):
    """Old code: income (target "trên 47", line 793) and "trên 99%" (line 847) came out "Không đạt" at the required
    pace, because 47 reached is not strictly above 47."""
    required = scenarios[scenarios["scenario"] == "Nhịp cần thiết"]
    assert len(required) > 40
    assert set(required["verdict"]) == {"met"}, required[required["verdict"] != "met"]
    income = required[required["indicator"] == "income_per_capita"].iloc[0]
    assert income["projected"] == pytest.approx(47.0)  # 39 × (47/39) = 47, the target itself
    assert "Không đạt" not in sections.scenario_html(muong_ang, scenarios)


@pytest.mark.slow
@pytest.mark.parametrize("loc_id", ["phieng-pan", "hac-thanh"])
def test_required_pace_meets_every_target_elsewhere(loc_id):
    frame = sections.scenario_frame(load_locality(loc_id), 2030, [])
    required = frame[frame["scenario"] == "Nhịp cần thiết"]
    assert not required.empty and set(required["verdict"]) == {"met"}


def test_required_pace_button_and_rounded_slider_reach_the_target(muong_ang):
    """Old code: the "Nhịp cần" button (and the slider's rounding of it) gave 47 → "Không đạt" for "trên 47"."""
    from chitieu.analysis.whatif import WhatIfUI

    ui = WhatIfUI(muong_ang, ["income_per_capita"], charts=False)
    ui.buttons["income_per_capita"][1].click()
    r = ui.results["income_per_capita"]
    assert r.verdict == "met" and r.projected == pytest.approx(47.0)
    # (47/39)^(1/5) − 1 = 3,8022 %/năm; a slider at 3,80 (its step) still stands for the required pace
    ui.sliders["income_per_capita"].value = 3.80
    assert ui.results["income_per_capita"].verdict == "met"
    assert "Không đạt" not in ui.texts["income_per_capita"].value


# --------------------------------------------------------------------------------------------
# 2. Excel as a statistics office ships it
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workbook(tmp_path_factory, table, muong_ang):
    from openpyxl import load_workbook

    from chitieu.report.tables import write_xlsx

    path = tmp_path_factory.mktemp("xlsx") / "bieu.xlsx"
    write_xlsx(table, path, title="Biểu kết quả — huyện Mường Ảng")
    return load_workbook(path)


def _find(ws, name: str) -> int:
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, 2).value == name:
            return r
    raise AssertionError(name)


def test_xlsx_keeps_bounds_inside_numeric_cells(workbook):
    """Old code: "> 39", "> 10", "≥ 130" were bare numbers 39, 10, 130 (format #,##0.##): the bound was lost."""
    ws = workbook["Biểu kết quả"]
    income = _find(ws, "Thu nhập bình quân đầu người")  # line 793: Kết quả ">39"
    cell = ws.cell(income, 5)
    assert cell.value == 39 and "trên" in cell.number_format
    villages = _find(ws, "Bản đạt bản nông thôn mới kiểu mẫu")  # line 812: Nghị quyết "> 10"
    assert ws.cell(villages, 4).value == 10 and "trên" in ws.cell(villages, 4).number_format
    members = _find(ws, "Kết nạp đảng viên mới hằng năm")  # line 846: "≥ 130" targeted, "≥ 195" done
    assert ws.cell(members, 4).value == 130 and "≥" in ws.cell(members, 4).number_format
    fruit = _find(ws, "Diện tích cây ăn quả")  # 509,1 ha: one decimal, as written
    assert ws.cell(fruit, 5).value == pytest.approx(509.1) and ws.cell(fruit, 5).number_format == "#,##0.0"
    forest = _find(ws, "Diện tích rừng được duy trì, quản lý, bảo vệ và chăm sóc")  # 15.248/15.078 = 101,13 %
    assert ws.cell(forest, 7).value == pytest.approx(101.13) and ws.cell(forest, 7).number_format == "#,##0.00"


def test_xlsx_has_borders_and_a4_landscape_print_setup(workbook):
    """Old code: no borders, no page set-up."""
    ws = workbook["Biểu kết quả"]
    cell = ws.cell(_find(ws, "Diện tích cà phê có hiệu quả"), 4)
    assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin"
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows.replace("$", "") == "2:2"  # the header on every printed page


def test_xlsx_of_a_locality_without_term_targets_says_why(tmp_path):
    """Old code: Hạc Thành's, Phiêng Pằn's and the template's workbooks held only a header row."""
    from openpyxl import load_workbook

    from chitieu.report.tables import write_xlsx

    loc = load_locality("hac-thanh")
    path = tmp_path / "bieu.xlsx"
    write_xlsx(results_table(loc), path, title="Biểu kết quả — phường Hạc Thành", loc=loc)
    wb = load_workbook(path)
    ws = wb["Biểu kết quả"]
    assert ws.max_row >= 3 and "không có chỉ tiêu Nghị quyết" in str(ws.cell(3, 1).value)
    targets = wb["Mục tiêu"]
    names = [targets.cell(r, 2).value for r in range(3, targets.max_row + 1)]
    # seed 003 sets an income of at least 135 triệu đồng/người for 2030
    row = names.index("Thu nhập bình quân đầu người/năm") + 3  # line 343: "đạt 135 triệu đồng trở lên"
    assert targets.cell(row, 4).value == 135 and "≥" in targets.cell(row, 4).number_format


@pytest.fixture(scope="module")
def comp():
    from chitieu.analysis.compare import compare_localities

    return compare_localities(["muong-ang", "hac-thanh", "phieng-pan"])


def test_compare_xlsx_ranks_and_percentages_are_numbers(tmp_path, comp):
    """Old code: ranks ("1", "2 (đồng hạng)") and shares ("80,0%") were text cells."""
    from openpyxl import load_workbook

    from chitieu.analysis.compare import write_xlsx

    write_xlsx(comp, tmp_path / "so-sanh.xlsx")
    wb = load_workbook(tmp_path / "so-sanh.xlsx")
    ws = wb["Xếp hạng theo chỉ tiêu"]
    ranks = [ws.cell(r, c).value for r in range(2, ws.max_row + 1) for c in range(2, ws.max_column + 1)]
    assert any(isinstance(v, int) for v in ranks)
    assert not any(isinstance(v, str) and re.fullmatch(r"\d+( \(đồng hạng\))?", v) for v in ranks)
    overall = wb["Xếp hạng chung"]
    header = [c.value for c in overall[1]]
    share = header.index("Đã đạt hoặc đúng hướng (%)") + 1
    values = [overall.cell(r, share).value for r in range(2, 6) if overall.cell(r, share).value is not None]
    assert values and all(isinstance(v, (int, float)) for v in values)


# --------------------------------------------------------------------------------------------
# 3. Charts that hold in Word
# --------------------------------------------------------------------------------------------

def _font_sizes(fig: go.Figure) -> list[float]:
    """Every font size in a figure's JSON (layout, traces, template) and inline ``font-size:…px``: independent of
    the chart code's own helper."""
    spec = fig.to_plotly_json()
    sizes: list[float] = []

    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k.endswith("font") and isinstance(v, dict) and isinstance(v.get("size"), (int, float)):
                    sizes.append(float(v["size"]))
                walk(v)
        elif isinstance(node, list):
            for x in node:
                walk(x)

    walk(spec)
    sizes += [float(x) for x in re.findall(r"font-size:\s*(\d+(?:\.\d+)?)px", json.dumps(spec))]
    return sizes


def _chart_kinds(table, muong_ang, comp) -> dict[str, go.Figure]:
    figs = dict(sections.achievement_charts(table))
    progress = sections.projection_frame(muong_ang)
    figs.update(dict(sections.trend_charts(muong_ang, progress, 2030, limit=2)))
    figs["scorecard"] = charts.scorecard(table)
    from chitieu.analysis import compare as cmp
    from chitieu.analysis.whatif import what_if, what_if_chart

    figs["heatmap"] = cmp.category_heatmap(comp)
    figs["progress"] = cmp.progress_chart(comp)
    figs["trends"] = cmp.trend_small_multiples(comp)
    figs["what-if"] = what_if_chart(what_if(muong_ang, "income_per_capita", 3.0))
    return figs


@pytest.mark.slow
def test_text_is_at_least_9_pt_at_the_size_inserted_in_word(table, muong_ang, comp):
    """Old code: 12 px labels on a 960 px wide image inserted 13,9–17 cm wide: 12 × (16 cm = 453,5 pt) / 960 =
    5,7 pt. At 600 px and 16 cm: 12 px × 453,5 / 600 = 9,07 pt."""
    word_pt = charts.WORD_WIDTH_CM / 2.54 * 72
    for name, fig in _chart_kinds(table, muong_ang, comp).items():
        width = fig.layout.width or charts.EXPORT_WIDTH
        smallest = min(_font_sizes(fig))
        assert smallest * word_pt / width >= 9.0, (name, smallest, width)


def test_achievement_charts_are_split_and_draw_each_indicator_once(table):
    """Old code: two near-duplicate 43-row charts (bullet chart and bars), each 5 pt labels in Word."""
    figs = sections.achievement_charts(table)
    drawn = []
    for name, fig in figs:
        keys = list(fig.layout.yaxis.categoryarray)
        assert len(keys) <= 12, name
        drawn += keys
    numeric = table[table["actual"].notna() & table["target"].notna()]
    assert sorted(drawn) == sorted(numeric["indicator"])  # once each: 42 of the 43 rows have numbers


def test_chart_texts_never_sit_on_the_100_percent_line(table):
    """Old code: ratio labels drawn "outside" the bars, struck through by the 100% line."""
    fig = charts.bullet_chart(table)
    assert all(tr.textposition in (None, "none") for tr in fig.data if isinstance(tr, go.Bar))
    bars = charts.achievement_bars(table)
    assert all(s.layer == "below" for s in bars.layout.shapes if s.x0 == 100)


def test_trend_of_a_constant_has_no_rounding_noise_on_its_axis(muong_ang):
    """Old code: disbursement at 100% (line 795) gave a y tick "99,99999999999998579" and a 2030 forecast that
    plunged to it."""
    figs = dict(sections.trend_charts(muong_ang, sections.projection_frame(muong_ang), 2030, limit=6))
    fig = figs["xu-huong-public-investment-disbursement"]
    ys = [y for tr in fig.data for y in (tr.y or []) if y is not None]
    assert all(abs(y - round(y, 6)) < 1e-12 for y in ys)
    lo, hi = fig.layout.yaxis.range
    assert hi - lo >= 5  # 100 % held: the axis spans whole percent points, not 1e-14
    assert fig.layout.yaxis.tickformat != ",~r" or hi - lo > 1


def test_trend_promises_a_band_only_when_drawn_and_says_how_few_points():
    """Old code: every trend said "vùng tô nhạt: khoảng dự báo" and drew no band; two points were not mentioned."""
    years = [2026, 2027, 2028, 2029, 2030]
    one = pd.DataFrame({"year": years, "method": "compound", "projected": [1100, 1150, 1200, 1250, 1300]})
    fig = charts.trend_fan([2024, 2025], [1000, 1052.4], target=1229, target_year=2030, name="x", unit="ha",
                           projections=one)
    text = fig.layout.title.subtitle.text + " ".join(a.text for a in fig.layout.annotations)
    assert not any(tr.fill == "toself" for tr in fig.data) and "tô nhạt" not in text and "Khoảng" not in text
    assert "2 năm số liệu" in text
    two = pd.concat([one, one.assign(method="linear", projected=[1080, 1110, 1140, 1170, 1200])])
    fig = charts.trend_fan([2024, 2025], [1000, 1052.4], target=1229, target_year=2030, name="x", unit="ha",
                           projections=two)
    bands = [tr for tr in fig.data if tr.fill == "toself"]
    assert len(bands) == 1 and "Khoảng giữa 2 phương pháp" in bands[0].name
    # the methods' 2030 values, in words, in the series' precision (1.052,4: one decimal)
    assert "từ 1.200,0 đến 1.300,0 ha" in fig.layout.title.subtitle.text.replace("<br>", " ")
    assert not any("Mục tiêu" in (a.text or "") for a in fig.layout.annotations)  # the target is in the legend


# --------------------------------------------------------------------------------------------
# 4. Numbers in the indicator's own precision
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("loc_id", ["muong-ang", pytest.param("hac-thanh", marks=pytest.mark.slow),
                                    pytest.param("phieng-pan", marks=pytest.mark.slow)])
def test_section_5_writes_numbers_as_the_document_does(loc_id, muong_ang, scenarios):
    """Old code: "22.334,927344", "1.500.000,120000", "1,276282" OCOP products in section 5."""
    loc = muong_ang if loc_id == "muong-ang" else load_locality(loc_id)
    frame = scenarios if loc_id == "muong-ang" else sections.scenario_frame(loc, 2030, [])
    page = sections.scenario_html(loc, frame)
    assert not re.search(r"\d,\d{4,}", page), re.search(r".{40}\d,\d{4,}.{10}", page)
    assert ">nan<" not in page


def test_project_terminal_has_one_row_per_indicator_and_no_machine_numbers():
    """Old code: "2025.0", "nan", "2.499,257046", and every indicator three times (one per method)."""
    code, out, err = cli("project", "muong-ang", columns=240)  # wide enough for every name on one line
    assert code == 0, err
    assert "nan" not in out and not re.search(r"\b20\d\d\.0\b", out) and not re.search(r"\d,\d{4,}", out)
    loc = load_locality("muong-ang")
    frame = sections.projection_frame(loc)
    table_part = out.split("Số chỉ tiêu theo đánh giá")[0]  # the notes under the table may name rows again
    for name in frame["name"].unique():  # every name shown once, on one row (then the next column's padding)
        assert len(re.findall(re.escape(name) + r"(?: \(\d+\))?\s{2,}", table_part)) == 1, name


# --------------------------------------------------------------------------------------------
# 5. The terminal fits its width, nothing that matters cut
# --------------------------------------------------------------------------------------------

def _joined(out: str) -> str:
    """The terminal text with the table's wrapping undone enough to find words: all whitespace collapsed."""
    return " ".join(out.split())


@pytest.mark.parametrize("columns", [100, pytest.param(200, marks=pytest.mark.slow)])
def test_table_fits_the_terminal(columns, table):
    """Old code: 220 columns forced whatever the terminal; at 120 the source column read "002 / .tx"."""
    code, out, err = cli("table", "muong-ang", columns=columns)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= columns
    words = set(_joined(out).split())
    for r in table.itertuples(index=False):
        assert set(r.name.split()) <= words, r.name  # every word of every name, whole
        line = r.source.rsplit(":", 1)[1]
        assert re.search(rf"dòng\s+{line}\b", out), r.source  # the source line, never cut
    for whole in ("2.815", "15.248", "101,13", "trên 39", "≥ 130", "Không đạt"):
        assert whole in out  # numbers and verdicts on one line


@pytest.mark.parametrize("columns", [100, pytest.param(200, marks=pytest.mark.slow)])
def test_project_and_compare_fit_the_terminal(columns):
    code, out, err = cli("project", "muong-ang", columns=columns)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= columns
    assert "trên 47" in _joined(out) and "4.000 ha" in _joined(out)  # lines 793, 798 (2030 targets)
    code, out, err = cli("compare", "muong-ang", "hac-thanh", "phieng-pan", columns=columns)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= columns
    words = set(_joined(out).split())
    for name in ("Mường Ảng", "Hạc Thành", "Phiêng Pằn"):  # a name may wrap between its words, never inside one
        assert set(name.split()) <= words
    joined = _joined(out)
    assert "120,5" in joined  # Hạc Thành's income, seed 003


def test_project_without_anything_to_project_is_not_a_traceback():
    """Old code: `chitieu project phuong-mau` crashed with a KeyError traceback."""
    code, out, err = cli("project", "phuong-mau")
    assert code == 0 and "traceback" not in str(code).lower() and "Traceback" not in err
    assert "chưa có mục tiêu 2030" in err


# --------------------------------------------------------------------------------------------
# 6. Vietnamese in Vietnamese outputs
# --------------------------------------------------------------------------------------------

def test_help_is_vietnamese():
    """Old code: typer's "Show this message and exit." under every command."""
    code, out, err = cli("table", "--help")
    assert code == 0
    assert "Show this message" not in out and "Hiện hướng dẫn" in out


@pytest.mark.parametrize("args, expected", [
    (("table",), "Lỗi: Thiếu tham số 'locality'."),
    (("table", "muong-ang", "--bogus"), "Lỗi: Không có tùy chọn --bogus"),
    (("table", "muong-ang", "--format", "pdf"),
     "Lỗi: Giá trị không hợp lệ cho '--format' / '-f': 'pdf' không phải một trong 'table', 'csv', 'xlsx'."),
    (("tabel",), "Lỗi: Không có lệnh 'tabel'."),
    (("table", "muong-ang", "extra"), "Lỗi: Thừa tham số: extra"),
    (("project", "muong-ang", "--to", "abc"), "Lỗi: Giá trị không hợp lệ cho '--to': cần một số nguyên"),
])
def test_usage_errors_are_vietnamese(args, expected):
    """Old code: click's "Usage: … Try 'chitieu table -h' for help. Error: Missing argument 'locality'." in English
    (issue #13, item 6). Exit code 2, no traceback, the usage line kept."""
    code, out, err = cli(*args)
    assert code == 2 and "Traceback" not in err
    assert expected in err.splitlines(), err
    assert not any(w in err for w in ("Usage:", "Error:", "for help", "Missing", "Invalid value", "No such")), err


def test_csv_gives_people_the_vietnamese_verdict_beside_the_code():
    """Old code: only exceeded / met / not_met."""
    code, out, err = cli("table", "muong-ang", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    coffee = next(r for r in rows if r["indicator"] == "coffee_area")
    assert (coffee["verdict"], coffee["verdict_vi"]) == ("exceeded", "Vượt")


@pytest.mark.parametrize("loc_id", ["muong-ang", pytest.param("hac-thanh", marks=pytest.mark.slow),
                                    pytest.param("phieng-pan", marks=pytest.mark.slow)])
def test_data_notes_shown_in_the_report_are_vietnamese(loc_id, muong_ang, table):
    """Old code: "CONTRADICTION with the table …" in section 6; "(no targets for 2025)" from `table`."""
    loc = muong_ang if loc_id == "muong-ang" else load_locality(loc_id)
    notes = sections.data_notes(loc, table if loc_id == "muong-ang" else pd.DataFrame())
    text = " ".join(notes["Loại lưu ý"])
    assert notes.shape[0] > 0
    assert not re.search(r"\b(CONTRADICTION|Contradiction|contradiction|guess|the table)\b", text), loc_id
    if loc_id != "muong-ang":
        return
    assert "MÂU THUẪN" in text
    code, out, err = cli("table", "hac-thanh")
    assert "no targets" not in err and "không có chỉ tiêu" in err


# --------------------------------------------------------------------------------------------
# 7. Empty results are not presented as results
# --------------------------------------------------------------------------------------------

def test_no_scorecard_of_zeros():
    """Old code: four tiles of 0 (and "Chưa có số liệu: 0") for a locality without 2020–2025 targets."""
    fig = charts.scorecard(pd.DataFrame())
    assert not [tr for tr in fig.data if isinstance(tr, go.Indicator)]
    assert "không có chỉ tiêu" in " ".join(a.text for a in fig.layout.annotations)


def test_a_locality_without_term_targets_says_what_it_has():
    """Old code: "chưa có số liệu về chỉ tiêu nhiệm kỳ" and nothing about the 2030 targets it does have."""
    loc = load_locality("hac-thanh")
    with open(DATA / "hac-thanh" / "values.csv", encoding="utf-8") as f:
        targets = {r["indicator"] for r in csv.DictReader(f)  # "2030" or a span ending in 2030 ("2026-2030")
                   if r["status"] == "target" and r["period"].split("-")[-1] == "2030"}
    text = sections.summary_text(loc, sections.summary_counts(results_table(loc)), 2030)
    assert "không đặt chỉ tiêu Nghị quyết cho nhiệm kỳ" in text
    assert f"{len(targets)} mục tiêu đến năm 2030" in text


# --------------------------------------------------------------------------------------------
# 8. The comparison shows the comparison
# --------------------------------------------------------------------------------------------

def test_compare_page_has_the_values_side_by_side(comp):
    """Old code: no indicator × locality table of values."""
    from chitieu.analysis import compare as cmp

    wide = cmp.values_wide(comp)
    income = wide[wide[("", "Chỉ tiêu")] == "Thu nhập bình quân đầu người"].iloc[0]
    # line 793 (Mường Ảng: >39 in 2025, >47 in 2030); seed 003 (Hạc Thành 120,5; ≥ 135)
    assert income[("huyện Mường Ảng", "Giá trị")] == "39 (2025)"
    assert income[("huyện Mường Ảng", "Mục tiêu 2030")] == "trên 47"
    assert income[("phường Hạc Thành", "Giá trị")] == "120,5 (2025)"
    assert income[("phường Hạc Thành", "Mục tiêu 2030")] == "≥ 135"
    assert income[("phường Hạc Thành", "Đạt (% mục tiêu)")] == "89%"  # 120,5 / 135 = 89,26 %
    page = cmp.compare_html(comp)
    assert page.index("Bảng giá trị") < page.index("Xếp hạng")
    assert "<td class=\"num\">trên 47</td>" in page


def test_ranking_needs_enough_assessable_indicators(comp):
    """Old code: Hạc Thành, judged on 3 indicators, tied first with Phiêng Pằn (5), ahead of Mường Ảng (20)."""
    from chitieu.analysis import compare as cmp

    o = cmp.overall_ranking(comp).set_index("locality")
    assert pd.isna(o.loc["hac-thanh", "rank"]) and pd.isna(o.loc["phieng-pan", "rank"])
    assert "không xếp hạng" in o.loc["hac-thanh", "rank_vi"]
    assert o.loc["muong-ang", "ranked"]
    assert "ít nhất" in cmp.ranking_note(comp)


# --------------------------------------------------------------------------------------------
# 9. One counting rule everywhere
# --------------------------------------------------------------------------------------------

def test_counts_agree_in_report_index_draft_and_charts(table, muong_ang, tmp_path):
    """Old code: index and report 17 vượt, the draft 16 + 1 (a verdict in words counted apart), the chart another.

    Mường Ảng's table (lines 790–849): 17 exceeded, 13 met, 12 not met, 1 without a result (a verdict in words,
    "Vượt", for universal education, counts as exceeded)."""
    from chitieu.report.draft import draft_markdown
    from chitieu.report.runner import LocalityResult, write_index

    expected = "43 chỉ tiêu: 17 vượt, 13 đạt, 12 không đạt, 1 chưa có số liệu"
    counts = sections.summary_counts(table)
    assert sections.summary_text(muong_ang, counts).endswith(expected + ".")
    assert expected in draft_markdown(muong_ang, table)
    assert expected in charts.scorecard(table).layout.title.subtitle.text
    folder = tmp_path / "muong-ang"
    folder.mkdir()
    (folder / "report.html").write_text("x", encoding="utf-8")
    (folder / "records.json").write_text(json.dumps({"counts": counts}), encoding="utf-8")
    write_index(tmp_path, [LocalityResult("muong-ang", True, 0.0)])
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="num[^"]*">(\d+)</td>', index)
    assert cells[:4] == ["17", "13", "12", "1"]


# --------------------------------------------------------------------------------------------
# 10. Sources, alignment, one colour per verdict, BOM, xlsx for project
# --------------------------------------------------------------------------------------------

def test_sources_are_the_document_and_its_line(table, muong_ang, workbook):
    """Old code: "002_12d62f31151c975c.txt:790" in every table."""
    from chitieu.report import present

    shown = sections.results_display(muong_ang)[1]
    assert shown.set_index("Chỉ tiêu").loc["Diện tích cà phê có hiệu quả", "Nguồn"] == "dòng 798"
    assert not shown["Nguồn"].str.contains(r"\.txt").any()
    ws = workbook["Biểu kết quả"]
    assert ws.cell(_find(ws, "Diện tích cà phê có hiệu quả"), 11).value == "dòng 798"
    page = sections.results_html(muong_ang, shown)
    assert "Báo cáo chính trị huyện Mường Ảng" in page
    assert present.source_label("002_12d62f31151c975c.txt:798") == "Báo cáo chính trị huyện Mường Ảng, dòng 798"


def test_html_tables_align_numbers_and_colour_verdicts_like_excel_and_charts(table, muong_ang, workbook):
    """Old code: numbers left-aligned, verdicts not coloured, Excel's green C6EFCE against the charts' #00735a."""
    from chitieu.report.runner import REPORT_CSS

    page = sections.results_html(muong_ang, sections.results_display(muong_ang)[1])
    assert '<td class="num">2.815</td>' in page and '<td class="v-exceeded">Vượt</td>' in page
    colour = charts.VERDICT_COLORS["exceeded"]
    assert re.search(r"td\.num[^}]*text-align:\s*right", REPORT_CSS)
    assert re.search(r"td\.v-exceeded\s*\{[^}]*background:\s*" + colour, REPORT_CSS)
    ws = workbook["Biểu kết quả"]
    fill = ws.cell(_find(ws, "Diện tích cà phê có hiệu quả"), 9).fill.fgColor.rgb
    assert fill[-6:].upper() == colour.lstrip("#").upper()
    bar = next(tr for tr in charts.bullet_chart(table).data if isinstance(tr, go.Bar) and tr.name == "Vượt")
    assert bar.marker.color == colour


def test_csv_files_for_people_start_with_a_bom(tmp_path):
    """Old code: no byte-order mark: Excel on Windows read Vietnamese as mojibake."""
    code, out, err = cli("table", "muong-ang", "--format", "csv", "--output", str(tmp_path / "b.csv"))
    assert code == 0, err
    assert (tmp_path / "b.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.slow
def test_compare_csv_starts_with_a_bom(tmp_path):
    code, out, err = cli("compare", "muong-ang", "hac-thanh", "--format", "csv", "--output", str(tmp_path / "c.csv"))
    assert code == 0, err
    assert (tmp_path / "c.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.slow
def test_project_xlsx_is_written(tmp_path):
    """Old code: `--format xlsx` offered by --help, then refused."""
    from openpyxl import load_workbook

    code, out, err = cli("project", "muong-ang", "--format", "xlsx", "--output", str(tmp_path / "p.xlsx"))
    assert code == 0, err
    ws = load_workbook(tmp_path / "p.xlsx")["Tiến độ"]
    names = [ws.cell(r, 2).value for r in range(3, ws.max_row + 1)]
    row = names.index("Thu nhập bình quân đầu người") + 3
    assert ws.cell(row, 4).value == 39 and ws.cell(row, 6).value == 47 and "trên" in ws.cell(row, 6).number_format


# --------------------------------------------------------------------------------------------
# The presentation layer's own rules
# --------------------------------------------------------------------------------------------

def test_numbers_bounds_units():
    from chitieu.report import present

    assert present.number(2499.257046, 1) == "2.499,3"
    assert present.number(float("nan")) == present.MISSING
    assert present.number(99.99999999999999) == "100"
    assert present.bound(39, ">") == "trên 39" and present.bound(130, ">=") == "≥ 130"
    assert present.bound(1.7, "<=", unit="%/năm") == "≤ 1,7%/năm"
    assert present.with_unit("2.815", "ha") == "2.815 ha" and present.with_unit("29,2", "%") == "29,2%"
    assert present.bound_words(130, ">=", unit="đảng viên") == "từ 130 đảng viên trở lên"


def test_a_row_that_needs_review_never_shows_a_clean_verdict(table, tmp_path):
    """The lead's flag (issue #12): a ``review`` column or the ``needs_review`` flag shows "Cần rà soát" in the
    table, the Excel sheet, the charts, the draft and the counts."""
    from chitieu.report import present

    from openpyxl import load_workbook

    from chitieu.report.draft import results_sentences
    from chitieu.report.tables import write_xlsx

    t = table.copy()
    t["review"] = ""
    t.loc[t["indicator"] == "coffee_area", "review"] = "separator_guessed"
    shown = present.results_display(t)
    assert shown.set_index("Chỉ tiêu").loc["Diện tích cà phê có hiệu quả", "Đánh giá"] == "Cần rà soát"
    counts = present.verdict_counts(t)
    assert (counts["review"], counts["exceeded"]) == (1, 16)
    write_xlsx(t, tmp_path / "r.xlsx", title="x")
    ws = load_workbook(tmp_path / "r.xlsx").active
    assert ws.cell(_find(ws, "Diện tích cà phê có hiệu quả"), 9).value == "Cần rà soát"
    coffee = next(s for s in results_sentences(t) if s["indicator"] == "coffee_area")
    assert coffee["group"] == "review" and "vượt" not in coffee["text"]
    drawn = {k for _, fig in sections.achievement_charts(t) for tr in fig.data
             if isinstance(tr, go.Bar) and tr.name == "Cần rà soát" for k in tr.y}
    assert drawn == {"coffee_area"}
    flagged = table.copy()
    flagged.loc[flagged["indicator"] == "coffee_area", "flags"] = "needs_review"
    assert present.display_verdict(_row(flagged, "coffee_area")) == "review"
