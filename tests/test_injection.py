"""Nothing crafted into a name runs or escapes.

- A locality id crafted as a path (``../../etc``) or as code (``x; import os``) is refused before any kernel
  starts, on the command line, in a parameters file and in ``localities.csv``; nothing is written anywhere.
- A notebook parameter whose name is not a parameter of the report never reaches the notebook, and every value is
  injected as a literal that reads back to itself (hypothesis).
- An indicator name, a locality name or a scenario name crafted as HTML/JavaScript shows as text in
  ``report.html`` and ``index.html``: checked in the page source and in headless Chromium (no script ran, the text
  is there, escaped), while the report's own charts did render.
"""
from __future__ import annotations

from _tier import examples
import ast
import csv
import html
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chitieu.report.params import ParamsError, ReportParams, load_params
from chitieu.report.runner import notebook_values, parameterize, render_locality
from conftest import DATA, ROOT, run_cli
from test_bad_inputs import chitieu, snapshot

CRAFTED_IDS = ["../../etc", "..", "/etc/passwd", "x; import os", "muong-ang; rm -rf ~", "$(touch PWNED)",
               "muong-ang\nimport os", "MUONG-ANG", "muong_ang", "muong-ang/../hac-thanh", "-", ""]


def _rewrite_csv(path: Path, change) -> None:
    """Rewrite a CSV through the csv module (a crafted name may hold commas and quotes)."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = list(rows[0])
    for r in rows:
        change(r)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _no_pwned_files(*folders: Path) -> None:
    for folder in folders:
        found = [p for p in folder.rglob("*") if "pwned" in p.name.lower()] if folder.is_dir() else []
        assert not found, found


# --------------------------------------------------------------------------------------------
# Locality ids: refused before any kernel, nothing written
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("loc_id", CRAFTED_IDS)
def test_a_crafted_locality_id_is_refused_before_any_kernel(loc_id: str, tmp_path: Path):
    out = tmp_path / "sandbox" / "outputs"
    before = snapshot(tmp_path)
    result = chitieu("run", loc_id, "--out", str(out), data=DATA, cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
    assert "mã địa phương không hợp lệ" in result.text or "không có địa phương" in result.text or \
        "cần ít nhất một mã" in result.text, result.text
    assert snapshot(tmp_path) == before and not out.exists()
    table = chitieu("table", loc_id, data=DATA, cwd=tmp_path)
    assert table.code == 2 and "Traceback" not in table.stderr
    assert snapshot(tmp_path) == before
    _no_pwned_files(tmp_path, ROOT)


@pytest.mark.parametrize("loc_id", ["../../etc", "x; import os", "ok-id/../../tmp"])
def test_a_crafted_id_in_localities_csv_is_refused(loc_id: str, data_copy: Path, tmp_path: Path):
    _rewrite_csv(data_copy / "localities.csv", lambda r: r.update(id=loc_id) if r["id"] == "phieng-pan" else None)
    out = tmp_path / "outputs"
    before = snapshot(tmp_path)
    result = chitieu("run", "--all", "--out", str(out), data=data_copy, cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.stderr
    assert "data/localities.csv, dòng 4, cột 'id'" in result.text, result.text
    check = chitieu("check", data=data_copy, cwd=tmp_path)
    assert check.code == 2 and "data/localities.csv, dòng 4, cột 'id'" in check.text
    assert snapshot(tmp_path) == before and not out.exists()


def test_a_crafted_locality_never_reaches_a_path_even_past_the_cli(tmp_path: Path, monkeypatch):
    """``render_locality`` validates again: a model built without validation cannot name a folder."""
    import chitieu.report.runner as runner

    def no_kernel():
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(runner, "_kernel", no_kernel)
    out = tmp_path / "a" / "b" / "outputs"
    for loc_id in ("../../etc", "x; import os", "../escape"):
        result = render_locality(ReportParams.model_construct(locality=loc_id, year=2025, horizon=2030,
                                                              language="vi", scenarios=[]), out)
        assert not result.ok and "kernel" not in result.error and "locality" in result.error
    assert not (tmp_path / "a").exists() and not (tmp_path / "escape").exists()


# --------------------------------------------------------------------------------------------
# Notebook parameters: only the model's names, only literals
# --------------------------------------------------------------------------------------------

def test_a_parameter_name_that_is_not_an_identifier_is_refused(tmp_path: Path):
    (tmp_path / "muong-ang.yaml").write_text(
        'locality: muong-ang\n"x = 1; __import__(\'os\').system(\'touch PWNED\') #": 1\n'
        '"os.system(\'id\')": 2\nscenarios:\n  - name: ok\n    "__class__": 3\n', encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params("muong-ang", tmp_path)
    message = str(exc.value)
    assert "x = 1; __import__" in message and "os.system('id')" in message and "scenarios.0.__class__" in message
    assert "Extra inputs are not permitted" in message
    out = tmp_path / "outputs"
    result = chitieu("run", "muong-ang", "--params", str(tmp_path), "--out", str(out), data=DATA, cwd=tmp_path)
    assert result.code == 2 and "Traceback" not in result.stderr and not out.exists()
    _no_pwned_files(tmp_path, ROOT)


class _Tampered(ReportParams):
    """A model whose parameters were tampered with after validation (what ``parameterize`` must still refuse)."""

    def notebook_parameters(self) -> dict:
        return {**super().notebook_parameters(), **self.__dict__.get("_extra_for_test", {})}


@pytest.mark.parametrize("extra", [
    {"x = 1; __import__('os').system('touch PWNED') #": 1},
    {"not an identifier": 1},
    {"import": 1},
    {"secret": "a valid identifier, but not a parameter of the report"},
    {"year": __import__("numpy").int64(2025)},  # papermill would inject it as the string "2025"
    {"locality": Path("muong-ang")},  # papermill would inject it unquoted
    {"horizon": float("nan")},
])
def test_parameterize_never_injects_a_name_or_value_outside_the_model(extra: dict):
    p = _Tampered(locality="muong-ang")
    object.__setattr__(p, "__dict__", {**p.__dict__, "_extra_for_test": extra})
    with pytest.raises(ParamsError):
        notebook_values(p)
    with pytest.raises(ParamsError):
        parameterize(p)


def _injected(nb) -> str:
    (cell,) = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return cell.source


_any_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)
_scenario = st.fixed_dictionaries({"name": _any_text.filter(lambda s: len(s) >= 1)},
                                  optional={"pace_pct": st.floats(-100, 1000), "pace_units": st.floats(-1e6, 1e6),
                                            "historical_delta_pct": st.floats(-100, 100)})


@settings(max_examples=examples(150), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(scenarios=st.lists(_scenario, max_size=4), year=st.integers(2000, 2100), language=st.sampled_from(["vi"]),
       extra=st.dictionaries(_any_text, st.integers(), max_size=2))
def test_injected_cell_holds_only_model_names_with_literal_values(scenarios, year, language, extra):
    raw = {"locality": "muong-ang", "year": year, "language": language, "scenarios": scenarios, **extra}
    unknown = set(extra) - set(ReportParams.model_fields)
    try:
        p = ReportParams.model_validate(raw)
    except ValidationError:
        assert unknown or any(set(s) - {"name", "pace_pct", "pace_units", "historical_delta_pct"} for s in scenarios)
        return
    assert not unknown
    source = _injected(parameterize(p))
    tree = ast.parse(source)
    assigned = {}
    for node in tree.body:  # nothing but `name = literal`
        assert isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        assigned[node.targets[0].id] = ast.literal_eval(node.value)
    assert set(assigned) == set(ReportParams.model_fields)
    assert assigned == p.notebook_parameters()  # every value reads back to itself: quotes, backslashes, newlines


# --------------------------------------------------------------------------------------------
# HTML/JavaScript in names: escaped in the reports, inert in a browser
# --------------------------------------------------------------------------------------------

SCRIPT = "<script>document.title=['PW','NED'].join('')</script>"
IMG = "<img src=x onerror=\"document.body.setAttribute('data-x',['PW','NED'].join(''))\">"
BREAKOUT = "</script><script>document.body.appendChild(document.createElement(['pw','ned'].join('')))</script>"
SVG = "<svg onload=\"document.title=['PW','NED'].join('')\">"
PYTHON = "\"); __import__('pathlib').Path('pw' + 'ned-py').touch(); (\""
PAYLOADS = {"coffee_area": f"Diện tích cà phê {SCRIPT}", "fruit_tree_area": f"Cây ăn quả {IMG}",
            "econ_share_agriculture": f"Tỷ trọng nông nghiệp {BREAKOUT}", "forest_cover": f"Độ che phủ rừng {SVG}",
            "budget_revenue": f"Thu ngân sách {PYTHON}"}
LOCALITY_NAME = f"huyện Mường Ảng {IMG}"


def _chromium_dom(page: Path, profile: Path) -> str:
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(exe):
        pytest.skip("no Chromium")
    res = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions",
                          f"--user-data-dir={profile}", "--virtual-time-budget=8000", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "<html" in res.stdout, res.stderr[-2000:]
    return res.stdout


@pytest.mark.slow
def test_the_browser_check_detects_a_script_that_runs(tmp_path: Path):
    """The control: the same payloads unescaped do run in this Chromium, so their absence below means something."""
    page = tmp_path / "control.html"
    page.write_text(f"<!doctype html><html><head><title>t</title></head><body>{SCRIPT}{IMG}</body></html>",
                    encoding="utf-8")
    dom = _chromium_dom(page, tmp_path / "profile")
    assert "<title>PWNED</title>" in dom and 'data-x="PWNED"' in dom


@pytest.mark.slow
def test_crafted_names_show_as_text_and_never_run(data_copy: Path, tmp_path: Path):
    _rewrite_csv(data_copy / "muong-ang" / "indicators.csv",
                 lambda r: r.update(name=PAYLOADS[r["id"]]) if r["id"] in PAYLOADS else None)
    _rewrite_csv(data_copy / "localities.csv", lambda r: r.update(name=LOCALITY_NAME) if r["id"] == "muong-ang" else None)
    params = tmp_path / "params"
    params.mkdir()
    (params / "muong-ang.yaml").write_text(yaml.safe_dump(
        {"locality": "muong-ang", "scenarios": [{"name": SCRIPT, "pace_pct": 5}, {"name": PYTHON, "pace_pct": 3}]},
        allow_unicode=True), encoding="utf-8")
    assert load_params("muong-ang", params).scenarios[1].name == PYTHON
    assert chitieu("check", data=data_copy).code == 0  # names are free text: valid data
    out = tmp_path / "sandbox" / "outputs"
    out.parent.mkdir()
    (out.parent / "sibling.txt").write_text("untouched", encoding="utf-8")
    before = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("sandbox/outputs")}
    res = run_cli("run", "muong-ang", "--out", str(out), "--params", str(params), "--workers", "1", data=data_copy,
                  cwd=tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    after = {k: v for k, v in snapshot(tmp_path).items() if not k.startswith("sandbox/outputs")}
    assert after == before  # nothing written beside outputs/, nor into the data or the parameters
    _no_pwned_files(tmp_path, ROOT, ROOT / "notebooks")

    report = (out / "muong-ang" / "report.html").read_text(encoding="utf-8")
    index = (out / "index.html").read_text(encoding="utf-8")
    for payload in (SCRIPT, IMG, BREAKOUT, SVG):  # never as markup, in the page source
        assert payload not in report and payload not in index
    for name in PAYLOADS.values():
        assert html.escape(name, quote=False) in report, name  # the results table: escaped text
    assert html.escape(LOCALITY_NAME, quote=False) in report and html.escape(LOCALITY_NAME) in index
    assert html.escape(SCRIPT, quote=False) in report  # the scenario table
    assert report.count("<script") == report.count("</script>")  # no script element opened or closed by data

    for page in (out / "muong-ang" / "report.html", out / "index.html"):
        dom = _chromium_dom(page, tmp_path / "profile")
        assert "PWNED" not in dom and "<pwned" not in dom.lower() and "data-x=" not in dom, page
        assert "<img" not in dom and "<svg onload" not in dom
        assert html.escape(LOCALITY_NAME, quote=False) in dom  # shown, as text
        if page.name == "report.html":
            assert "main-svg" in dom  # the report's own scripts ran: plotly drew its charts
            assert html.escape(f"Diện tích cà phê {SCRIPT}", quote=False) in dom
            assert html.escape(f"Tỷ trọng nông nghiệp {BREAKOUT}", quote=False) in dom
            assert html.escape(PYTHON, quote=False) in dom
            title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
            assert title == "Báo cáo thực hiện chỉ tiêu Nghị quyết"


def _figure_notebook(trace_name: str):
    """An executed-looking notebook holding one plotly output whose trace name is raw markup (a figure made outside
    chitieu.charts, which escapes names itself)."""
    import nbformat

    from chitieu.report.sections import CHART_META, PLOTLY_MIME

    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        PLOTLY_MIME: {"data": [{"type": "bar", "x": [1, 2], "y": [3, 4], "name": trace_name}],
                      "layout": {"title": {"text": "ok"}, "height": 300, "showlegend": True}}},
        metadata={CHART_META: "test-chart"})]
    return nbformat.v4.new_notebook(cells=[cell])


def test_chart_data_cannot_close_its_script_element():
    from chitieu.report.runner import to_html

    page = to_html(_figure_notebook(BREAKOUT))
    assert BREAKOUT not in page and "</script><script>document.body" not in page
    assert page.count("<script") == page.count("</script>") == 2  # plotly.js, and the one chart


@pytest.mark.slow
def test_chart_data_stays_data_in_a_browser(tmp_path: Path):
    from chitieu.report.runner import to_html

    page = tmp_path / "chart.html"
    page.write_text(to_html(_figure_notebook(BREAKOUT + SCRIPT)), encoding="utf-8")
    dom = _chromium_dom(page, tmp_path / "profile")
    assert "main-svg" in dom and "PWNED" not in dom and "<pwned" not in dom.lower()
    assert html.escape(BREAKOUT, quote=False)[:40] in dom  # the legend shows the name as text
