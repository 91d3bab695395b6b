"""Charts: real content of each chart built from the Mường Ảng results table, the theme, HTML, and static export."""
from __future__ import annotations

import json
import math
import re
import struct

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from chitieu.analysis import achievement
from chitieu.report import charts
from chitieu.io import data
from chitieu.report.charts import VERDICT_COLORS


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return achievement.results_table(data.load_locality("muong-ang"))


def _point(fig: go.Figure, key: str) -> tuple[go.Bar, int]:
    """The bar trace holding indicator ``key`` and the index of its point."""
    found = [(tr, list(tr.y).index(key)) for tr in fig.data
             if isinstance(tr, go.Bar) and tr.name in charts.VERDICT_VI.values() and key in list(tr.y)]
    assert len(found) == 1, f"{key} drawn {len(found)} times"
    return found[0]


def _no_data_count(table: pd.DataFrame) -> int:
    """Rows without a numeric actual or target, counted independently of the chart code."""
    return int((table["actual"].isna() | table["target"].isna()).sum())


# --- theme ---------------------------------------------------------------------------------------

def test_template_registered_with_vietnamese_separators_and_font():
    tpl = pio.templates[charts.TEMPLATE_NAME]
    assert tpl.layout.separators == ",."
    assert tpl.layout.font.family.startswith("DejaVu Sans")
    assert tpl.layout.yaxis.separatethousands is True


def test_every_chart_uses_the_theme(table):
    figs = [charts.bullet_chart(table), charts.achievement_bars(table), charts.scorecard(table),
            charts.trend_fan([2020, 2025], [443.15, 1052.4], target=1229, target_year=2030, name="x", unit="ha")]
    for fig in figs:
        assert fig.layout.separators == ",."
        assert fig.layout.template.layout.separators == ",."
        assert fig.layout.template.layout.font.family == charts.FONT_FAMILY


# --- achievement bars ----------------------------------------------------------------------------

def test_achievement_bars_coffee_is_141_and_exceeded(table):
    fig = charts.achievement_bars(table)
    bar, i = _point(fig, "coffee_area")
    assert bar.x[i] == 141
    assert bar.name == "Vượt"
    assert bar.marker.color == VERDICT_COLORS["exceeded"]
    assert bar.text[i] == "141%"
    forest, j = _point(fig, "forest_area")
    assert forest.text[j] == "101,13%"  # Vietnamese decimal comma, the report's two decimals
    fruit, k = _point(fig, "fruit_tree_area")
    assert (fruit.name, fruit.marker.color, fruit.x[k]) == ("Không đạt", VERDICT_COLORS["not_met"], 51)


def test_achievement_bars_sorted_with_vietnamese_legend_in_fixed_order(table):
    fig = charts.achievement_bars(table)
    order = list(fig.layout.yaxis.categoryarray)
    ratios = table.set_index("indicator")["ratio_pct"]
    with_ratio = [k for k in order if not math.isnan(ratios[k])]
    assert [ratios[k] for k in with_ratio] == sorted(ratios.dropna(), reverse=True)
    assert order[len(with_ratio):] == [k for k in order if math.isnan(ratios[k])]  # no-ratio rows last
    names = [tr.name for tr in fig.data if isinstance(tr, go.Bar)]
    expected = [v for k, v in charts.VERDICT_VI.items() if (table["verdict"] == k).any()]
    assert names == expected
    assert set(names) <= {"Vượt", "Đạt", "Không đạt", "Chưa có số liệu"}
    assert any(s.type == "line" and s.x0 == 100 and s.line.dash == "dash" for s in fig.layout.shapes)


def test_achievement_bars_rows_without_data(table):
    t = table.copy()
    gone = ["coffee_area", "forest_cover"]
    t.loc[t["indicator"].isin(gone), ["actual", "ratio_exact", "ratio_pct"]] = math.nan
    t.loc[t["indicator"].isin(gone), "verdict"] = "unknown"
    fig = charts.achievement_bars(t)
    unknown = next(tr for tr in fig.data if tr.name == "Chưa có số liệu")
    assert set(gone) <= set(unknown.y)
    assert unknown.marker.color == VERDICT_COLORS["unknown"]
    assert all(unknown.text[list(unknown.y).index(k)] == "chưa có số liệu" for k in gone)


# --- bullet chart --------------------------------------------------------------------------------

def test_bullet_chart_normalises_to_target_and_writes_values(table):
    fig = charts.bullet_chart(table)
    bar, i = _point(fig, "coffee_area")
    assert bar.x[i] == pytest.approx(140.75)  # 2.815 / 2.000 × 100
    assert bar.text[i] == "141%"
    # the values column: the ratio in bold, then "actual / target unit", never over the bars
    texts = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert "<b>141%</b> 2.815 / 2.000 ha" in texts
    assert "<b>101,13%</b> 15.248 / 15.078 ha" in texts
    assert "<b>88%</b> 1,5 / ≤ 1,7%/năm" in texts  # a ceiling keeps its sign


def test_bullet_chart_counts_skipped_rows(table):
    t = table.copy()
    blank = ["coffee_area", "grain_output", "forest_cover"]
    t.loc[t["indicator"].isin(blank), ["actual", "ratio_exact", "ratio_pct"]] = math.nan
    t.loc[t["indicator"].isin(blank), "verdict"] = "unknown"
    expected = _no_data_count(t)
    assert expected >= len(blank)
    fig = charts.bullet_chart(t)
    assert f"{expected} chỉ tiêu chưa có số liệu" in fig.layout.title.subtitle.text.replace("<br>", " ")
    drawn = {k for tr in fig.data if isinstance(tr, go.Bar) and tr.name in charts.VERDICT_VI.values() for k in tr.y}
    assert len(drawn) == len(t) - expected
    assert not drawn & set(blank)
    notes = [a.text.replace("<br>", " ") for a in fig.layout.annotations]
    assert any("Chưa có số liệu (không vẽ)" in n and "Diện tích cà phê" in n for n in notes)


def test_bullet_chart_without_missing_rows_says_nothing_missing(table):
    complete = table[table["actual"].notna() & table["target"].notna()]
    fig = charts.bullet_chart(complete)
    assert "chưa có số liệu" not in fig.layout.title.subtitle.text


# --- trend fan -----------------------------------------------------------------------------------

@pytest.fixture
def projections() -> pd.DataFrame:
    years = [2026, 2027, 2028, 2029, 2030]
    linear = pd.DataFrame({"year": years, "method": "linear", "projected": [1190, 1312, 1433, 1555, 1676],
                           "lower": [1117, 1230, 1342, 1453, 1563], "upper": [1264, 1394, 1525, 1656, 1788]})
    compound = pd.DataFrame({"year": years, "method": "compound", "projected": [1251, 1487, 1768, 2102, 2499],
                             "lower": math.nan, "upper": math.nan})
    return pd.concat([linear, compound], ignore_index=True)


def test_trend_fan_data_solid_one_method_dashed_the_others_a_band(projections):
    years, values = [2020, 2021, 2022, 2023, 2024, 2025], [443.15, 600, 700, 850, 950, 1052.4]
    fig = charts.trend_fan(years, values, target=1229, target_year=2030, name="Diện tích cây ăn quả", unit="ha",
                           projections=projections, primary="compound")
    by_name = {tr.name: tr for tr in fig.data}
    data_trace = by_name["Số liệu"]
    assert data_trace.line.dash == "solid" and "markers" in data_trace.mode
    assert list(data_trace.x) == years
    dashed = [tr for tr in fig.data if tr.name.startswith("Dự báo (")]
    assert [tr.name for tr in dashed] == ["Dự báo (Tăng trưởng kép)"]  # one method drawn: the indicator's own
    assert dashed[0].line.dash == "dash" and dashed[0].line.color != data_trace.line.color
    assert (dashed[0].x[0], dashed[0].y[0]) == (2025, 1052.4)  # the path starts at the last observation
    assert dashed[0].y[-1] == 2499
    fans = [tr for tr in fig.data if tr.fill == "toself"]
    # the band between the methods (linear 1.676 and compound 2.499 in 2030), from the last observation
    assert len(fans) == 1 and fans[0].name == "Khoảng giữa 2 phương pháp dự báo"
    assert max(fans[0].y) == 2499 and min(fans[0].y) == 1052.4
    subtitle = fig.layout.title.subtitle.text.replace("<br>", " ")
    assert "cho 2030 từ 1.676,00 đến 2.499,00 ha" in subtitle  # in words, in the series' precision (443,15)
    star = next(tr for tr in fig.data if tr.name.startswith("Mục tiêu 2030"))
    assert star.name == "Mục tiêu 2030: 1.229 ha"  # the target's value in the legend, not over the lines
    assert star.marker.symbol == "star" and (star.x[0], star.y[0]) == (2030, 1229)
    assert fig.layout.xaxis.tickformat == "d"  # years never written 2.020


def test_trend_fan_without_projections_or_target():
    fig = charts.trend_fan([2021, 2025], [1.2, 1.5], target=None, target_year=None, name="Tỷ lệ", unit="%/năm")
    assert [tr.name for tr in fig.data] == ["Số liệu"]
    with pytest.raises(ValueError):
        charts.trend_fan([2021, 2025], [1.2], target=2, target_year=2030, name="x")


# --- scorecard -----------------------------------------------------------------------------------

def test_scorecard_counts_verdicts(table):
    fig = charts.scorecard(table)
    shown = {tr.title.text.split("<br>")[0].strip("<b>/"): tr.value for tr in fig.data}
    counts = table["verdict"].value_counts()
    # a tile per verdict; "Cần rà soát" only when some row needs review (none here)
    assert shown == {v: int(counts.get(k, 0)) for k, v in
                     (("exceeded", "Vượt"), ("met", "Đạt"), ("not_met", "Không đạt"), ("unknown", "Chưa có số liệu"))}
    assert sum(shown.values()) == len(table)
    assert f"{len(table)} chỉ tiêu" in fig.layout.title.subtitle.text


def test_figures_are_plain_json(table, projections):
    """The report notebook displays figures as JSON (``fig.to_plotly_json()``): no numpy arrays inside."""
    figs = [charts.bullet_chart(table), charts.achievement_bars(table), charts.scorecard(table),
            charts.trend_fan([2020, 2025], [443.15, 1052.4], target=1229, target_year=2030, name="x", unit="ha",
                             projections=projections)]
    for fig in figs:
        assert pio.from_json(json.dumps(fig.to_plotly_json())).layout.separators == ",."


def test_charts_accept_an_empty_table():
    empty = pd.DataFrame()  # results_table of a locality without targets has no columns at all
    for build in (charts.bullet_chart, charts.achievement_bars, charts.scorecard):
        fig = build(empty)
        assert isinstance(fig, go.Figure)


# --- HTML ----------------------------------------------------------------------------------------

def test_html_div_leaves_plotlyjs_out_and_script_has_it_inline(table):
    div = charts.to_html_div(charts.scorecard(table), div_id="the-scorecard")
    assert 'id="the-scorecard"' in div and "Plotly.newPlot" in div
    assert "<script src" not in div and "plotly.js v" not in div
    script = charts.plotlyjs_script()
    assert script.startswith("<script") and script.rstrip().endswith("</script>")
    assert "plotly.js v" in script and len(script) > 1_000_000
    assert not re.search(r"<script[^>]*\bsrc=", script)


# --- static export -------------------------------------------------------------------------------

def test_export_without_chromium_fails_clearly(monkeypatch, tmp_path):
    monkeypatch.setattr(charts, "_SERVER_STARTED", False)  # as in a fresh process
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium-here"))
    with pytest.raises(charts.ChartExportError, match="scripts/bootstrap.sh") as err:
        charts.export_figures({"a": go.Figure()}, tmp_path / "out")
    assert "cần Chromium để xuất ảnh" in str(err.value) and "No Chromium" in str(err.value)


def test_export_rejects_names_that_are_not_file_names(tmp_path):
    with pytest.raises(charts.ChartExportError):
        charts.export_figures({"../escape": go.Figure()}, tmp_path)
    with pytest.raises(charts.ChartExportError):
        charts.export_figures({"a": go.Figure()}, tmp_path, formats=("gif",))


@pytest.mark.slow
def test_export_png_and_svg(table, tmp_path):
    figs = {"ty-le-dat": charts.achievement_bars(table), "bang-diem": charts.scorecard(table)}
    out = tmp_path / "charts"
    written = charts.export_figures(figs, out, scale=2.0, formats=("png", "svg"))
    assert sorted(p.name for p in written) == ["bang-diem.png", "bang-diem.svg", "ty-le-dat.png", "ty-le-dat.svg"]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)  # no temporary files left
    for name, fig in figs.items():
        png = (out / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        layout_width = fig.layout.width or charts.EXPORT_WIDTH
        assert width >= 2 * layout_width and height >= 2 * fig.layout.height
    svg = (out / "ty-le-dat.svg").read_text(encoding="utf-8")
    assert "Diện tích cà phê có hiệu quả" in svg and "101,13%" in svg
    assert "Không đạt" in (out / "bang-diem.svg").read_text(encoding="utf-8")
