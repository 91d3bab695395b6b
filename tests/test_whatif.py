"""What-if paces (chitieu.whatif): the numbers at a pace, the slider callbacks, the notebook in both modes.

Reference values: hand arithmetic on Phiêng Pằn's fruit-tree area (seed 004: 1.052,4 ha in 2025, line 175;
443,15 ha in 2020 derived from the 609,25 ha increase of line 179; 1.229 ha in 2030, line 775), as in
docs/PROJECTIONS.md.
"""
from __future__ import annotations

import json

import pytest

from chitieu.analysis import whatif
from chitieu.io.data import load_locality
from chitieu.analysis.projection import Scenario, fit_series


@pytest.fixture(scope="module")
def phieng_pan():
    return load_locality("phieng-pan")


def test_numbers_at_a_pace(phieng_pan):
    r = whatif.what_if(phieng_pan, "fruit_tree_area", 3.0)
    assert r.mode == "pct" and r.pace_unit == "%/năm"
    # 1.052,4 × 1,03⁵ = 1.052,4 × 1,1592741 = 1.220,02 ha: 99,27 % of 1.229 → not met
    assert r.projected == pytest.approx(1220.0201, abs=1e-3)
    assert r.anticipated_pct == pytest.approx(99.2694, abs=1e-3)
    assert r.verdict == "not_met" and r.verdict_vi == "Không đạt"
    # required (1.229/1.052,4)^(1/5) − 1 = 3,1512 %; observed (1.052,4/443,15)^(1/5) − 1 = 18,885 %
    assert r.required_pace == pytest.approx(3.1512, abs=1e-4)
    assert r.observed_pace == pytest.approx(18.8847, abs=1e-3)
    assert "1.220,02 ha" in r.text and "Không đạt" in r.text and "3,15%/năm" in r.text
    # the path ends on the projection; the required path ends on the target
    sc = r.path[r.path["series"] == "scenario"]
    assert sc["year"].tolist() == [2025, 2026, 2027, 2028, 2029, 2030]
    assert sc["value"].iloc[-1] == pytest.approx(r.projected)
    assert r.path[r.path["series"] == "required"]["value"].iloc[-1] == pytest.approx(1229.0)


def test_rate_target_moves_the_rate(phieng_pan):
    # Hạc Thành GRDP growth: 9,19 %/năm on average 2023–2025 (seed 003), 10,2 %/năm targeted for 2026–2030
    m = whatif.WhatIfModel(load_locality("hac-thanh"), "grdp_growth")
    assert m.control.mode == "units" and m.control.pace_unit == "%/năm"
    assert m.control.default == pytest.approx(9.19) and m.control.required == pytest.approx(10.2)
    r = m.at(10.2)  # 10,2 every year of 2026–2030 averages 10,2: met exactly
    assert r.projected == pytest.approx(10.2) and r.verdict == "met"
    r = m.at(9.69)  # 9,69 / 10,2 = 95,0 %
    assert r.anticipated_pct == pytest.approx(95.0) and r.verdict == "not_met"
    assert "bình quân 2026–2030" in r.text


def test_one_point_starts_from_holding_steady():
    # Hạc Thành income: one number (120,5 in 2025), ≥ 135 in 2030: no observed pace; the slider starts at 0
    m = whatif.WhatIfModel(load_locality("hac-thanh"), "income_per_capita")
    assert m.control.default == 0.0 and m.control.observed != m.control.observed  # NaN
    r = m.at(0.0)
    assert r.projected == pytest.approx(120.5) and r.verdict == "not_met"
    assert "chưa tính được" in r.text


def test_unusable_indicators_are_refused_with_the_usable_list(phieng_pan):
    with pytest.raises(whatif.WhatIfError, match="chưa có số liệu"):
        whatif.WhatIfModel(phieng_pan, "trained_labour_share")  # a 2030 target, no number
    with pytest.raises(whatif.WhatIfError, match="fruit_tree_area"):
        whatif.build_ui(phieng_pan, ["trained_labour_share"])
    assert "fruit_tree_area" in whatif.usable_indicators(phieng_pan)


def test_moving_the_slider_runs_the_callbacks_and_matches_fit_series(phieng_pan):
    ui = whatif.build_ui(phieng_pan, ["fruit_tree_area", "income_per_capita"])
    slider = ui.sliders["fruit_tree_area"]
    fit = fit_series([2020, 2025], [443.15, 1052.4], target=1229.0, target_year=2030, direction="higher",
                     kind="level", comparator="=", ets=False)
    before_text, before = ui.texts["fruit_tree_area"].value, ui.results["fruit_tree_area"]
    assert before.pace == pytest.approx(18.8847, abs=1e-3)  # starts at the observed pace
    updates = ui.updates
    slider.value = 3.0  # what dragging does: the observe callback runs
    after = ui.results["fruit_tree_area"]
    assert ui.updates == updates + 1
    assert after.projected != before.projected and ui.texts["fruit_tree_area"].value != before_text
    assert after.projected == pytest.approx(fit.scenario(Scenario.pace_pct(3.0)).projected, rel=1e-12)
    assert "1.220,02 ha" in ui.texts["fruit_tree_area"].value and "Không đạt" in ui.texts["fruit_tree_area"].value
    slider.value = 4.0  # 1.052,4 × 1,04⁵ = 1.052,4 × 1,2166529 = 1.280,41 ha: 104,18 % of 1.229 → met
    assert ui.results["fruit_tree_area"].projected == pytest.approx(1280.4055, abs=1e-3)
    assert ui.results["fruit_tree_area"].verdict == "met" and "Đạt" in ui.texts["fruit_tree_area"].value
    assert ui.values["fruit_tree_area"].value == "<b>4%/năm</b>"
    # the other indicator did not move
    assert ui.results["income_per_capita"].pace == pytest.approx(ui.models["income_per_capita"].control.observed)
    # "Nhịp cần" sets the slider to the required pace: the projection lands on the target, met
    ui.buttons["fruit_tree_area"][1].click()
    # the slider holds multiples of its step: the nearest one to 3,1512, read as the exact required pace
    assert abs(slider.value - 3.1512) <= slider.step / 2 + 1e-9
    assert ui.results["fruit_tree_area"].pace == pytest.approx(3.1512, abs=1e-4)
    assert ui.results["fruit_tree_area"].projected == pytest.approx(1229.0) and ui.results["fruit_tree_area"].verdict == "met"
    snap = ui.snapshot()
    json.dumps(snap)
    assert snap["fruit_tree_area"]["verdict"] == "met"


@pytest.mark.slow
def test_widget_in_a_real_kernel_and_the_notebook_statically():
    """A real kernel: build the page, move a slider from code, read the text; then the notebook under papermill's
    parameters (interactive=False) renders a table and charts."""
    import nbformat
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from chitieu.config import notebook_path
    from chitieu.report.runner import WarmKernel, records, to_html

    drive = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import json\n"
        "from chitieu import whatif\n"
        "from chitieu.io.data import load_locality\n"
        "ui = whatif.build_ui(load_locality('phieng-pan'), ['fruit_tree_area'])\n"
        "display(ui.widget)\n"
        "before = ui.texts['fruit_tree_area'].value\n"
        "ui.sliders['fruit_tree_area'].value = 3.0\n"
        "print(json.dumps({'before': before, 'after': ui.texts['fruit_tree_area'].value,\n"
        "                  'projected': ui.results['fruit_tree_area'].projected, 'charts': ui.draw_charts}))")])
    nb = load_notebook_node(str(notebook_path("what_if_2030.ipynb")))
    nb = parameterize_notebook(nb, {"locality": "phieng-pan", "indicators": ["fruit_tree_area", "income_per_capita"],
                                    "paces": {"fruit_tree_area": 3.0}, "interactive": False}, report_mode=False)
    kernel = WarmKernel()
    try:
        kernel.execute(drive)
        kernel.execute(nb)
    finally:
        kernel.shutdown()
    outputs = drive.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    printed = json.loads(next(o["text"] for o in outputs if o.get("name") == "stdout").strip().splitlines()[-1])
    assert printed["charts"] is True  # in a kernel the callback redraws the chart too
    assert printed["before"] != printed["after"] and "1.220,02 ha" in printed["after"]
    assert printed["projected"] == pytest.approx(1220.0201, abs=1e-3)

    rec = records(nb)["what_if"]
    assert rec["fruit_tree_area"]["pace"] == 3.0
    assert rec["fruit_tree_area"]["projected"] == pytest.approx(1220.0201, abs=1e-3)
    # income (seed 004 line 782): no pace given → its observed pace, 12,5 → 21,5 (2020–2025): 1,72^0,2 − 1 = 11,457 %
    assert rec["income_per_capita"]["pace"] == pytest.approx(11.457, abs=1e-3)
    page = to_html(nb)
    assert "Plotly.newPlot" in page and "1.220,02" in page and "Không đạt" in page
    assert "interactive: bool" not in page
