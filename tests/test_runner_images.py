"""The batch's chart images (:mod:`chitieu.report.imagepage`): one page renders every chart of a report in one call.

The same figure gives the same bytes (first call of a fresh browser, a later call, another browser); the pictures
are kaleido's (same size, the same pixels but for text anti-aliasing); a chart that cannot be drawn is named; a
page stopped at once leaves no browser and no folder. Real Chromium: slow.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import plotly.graph_objects as go
import pytest

pytestmark = pytest.mark.slow


def _figures() -> dict[str, go.Figure]:
    from chitieu.report.charts import register_template

    register_template()
    bars = go.Figure(go.Bar(x=[141, 51, 63], y=["Diện tích cà phê", "Cây ăn quả", "Đàn gia cầm"], orientation="h",
                            name="Tỷ lệ đạt"), layout={"template": "chitieu", "title": "Tỷ lệ đạt (%)",
                                                        "width": 600, "height": 360, "showlegend": True})
    line = go.Figure([go.Scatter(x=[2020, 2021, 2022, 2023, 2024], y=[1.2, 1.5, 1.9, 2.4, 2.815], name="Thực hiện"),
                      go.Scatter(x=[2024, 2030], y=[2.815, 4.0], name="Dự báo", line={"dash": "dot"})],
                     layout={"template": "chitieu", "title": "Xu hướng — nghìn ha", "width": 600, "height": 400})
    return {"ty-le-dat": bars, "xu-huong": line}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_the_same_figures_give_the_same_bytes(tmp_path: Path):
    from chitieu.report import imagepage

    figs = _figures()
    try:
        imagepage.write_images(figs, tmp_path / "a")
        imagepage.write_images(figs, tmp_path / "b")  # a later call of the same page
        imagepage.write_images({"xu-huong": figs["xu-huong"]}, tmp_path / "c")  # alone, not after another chart
    finally:
        imagepage.stop_page()
    try:
        imagepage.write_images(figs, tmp_path / "d")  # another browser
    finally:
        imagepage.stop_page()
    a = _files(tmp_path / "a")
    assert sorted(a) == ["ty-le-dat.png", "ty-le-dat.svg", "xu-huong.png", "xu-huong.svg"]
    assert a == _files(tmp_path / "b") == _files(tmp_path / "d")
    assert _files(tmp_path / "c")["xu-huong.png"] == a["xu-huong.png"]
    assert a["ty-le-dat.png"].startswith(b"\x89PNG") and b'id="defs-chitieu"' in a["ty-le-dat.svg"]
    width = int.from_bytes(a["ty-le-dat.png"][16:20], "big")
    assert width == 2 * 600  # PNG at 2× the layout width


def test_the_pictures_are_kaleidos(tmp_path: Path):
    """Against kaleido (:func:`chitieu.report.charts.export_figures`, a browser request per image): the same size
    and, but for the anti-aliasing of text, the same pixels."""
    from PIL import Image, ImageChops

    from chitieu.report import imagepage
    from chitieu.report.charts import export_figures

    figs = _figures()
    try:
        imagepage.write_images(figs, tmp_path / "page")
    finally:
        imagepage.stop_page()
    export_figures(figs, tmp_path / "kaleido")
    for name in figs:
        mine = Image.open(io.BytesIO((tmp_path / "page" / f"{name}.png").read_bytes())).convert("RGB")
        theirs = Image.open(io.BytesIO((tmp_path / "kaleido" / f"{name}.png").read_bytes())).convert("RGB")
        assert mine.size == theirs.size
        diff = ImageChops.difference(mine, theirs).convert("L")
        changed = sum(diff.histogram()[49:])  # pixels that differ by more than a shade of anti-aliasing
        assert changed <= 0.005 * mine.size[0] * mine.size[1], (name, changed)
        svg = (tmp_path / "page" / f"{name}.svg").read_text(encoding="utf-8")
        assert svg.split(">", 1)[0] == (tmp_path / "kaleido" / f"{name}.svg").read_text(encoding="utf-8").split(">", 1)[0]


def test_a_chart_that_cannot_be_drawn_is_named(tmp_path: Path):
    from chitieu.report import imagepage
    from chitieu.report.charts import ChartExportError

    broken = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]), layout={"width": 600, "height": 300})
    spec = imagepage.figure_spec(broken)
    spec["width"] = -5  # plotly.js refuses it: "Height and width should be pixel values"
    page = imagepage.ChartPage()
    try:
        with pytest.raises(ChartExportError) as exc:
            page.render([imagepage.figure_spec(_figures()["xu-huong"]), spec])
        assert "thứ 2" in str(exc.value)
        assert page.render([imagepage.figure_spec(_figures()["xu-huong"])])[0]["png"].startswith(b"\x89PNG")
    finally:
        page.close()
    with pytest.raises(ChartExportError):
        imagepage.write_images({"../escape": _figures()["xu-huong"]}, tmp_path)


def test_a_page_killed_at_once_leaves_no_browser_and_no_folder():
    from chitieu.report import imagepage

    page = imagepage.ChartPage()
    page.start()
    pid, folder = page.browser_pid(), page._folder
    assert pid and folder.is_dir()
    page.kill()
    assert not folder.exists()
    try:
        os.kill(pid, 0)
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state == "Z"
    except (ProcessLookupError, FileNotFoundError):
        pass
