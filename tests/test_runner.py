"""The report runner: the notebook executed per locality, recorded numbers read back, failures isolated,
outputs atomic, nothing leaking from one locality to the next. These run real kernels (slow: seconds each)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from chitieu.report.params import ParamsError, ReportParams, load_params
from chitieu.report.runner import WarmKernel, records, render_locality, run_batch
from conftest import ROOT, run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    (result,) = run_batch([load_params("muong-ang")], out)
    assert result.ok, result.error
    return out


def test_recorded_numbers_come_back_from_the_executed_notebook(rendered):
    nb = nbformat.read(rendered / "muong-ang" / "report.ipynb", as_version=4)
    rec = records(nb)
    assert rec["locality"] == "muong-ang"
    ratios = rec["ratios"]
    # the document's own printed comparisons (seed 002 lines 798, 799, 801, 814)
    assert ratios["coffee_area"][:2] == [141, 141]
    assert ratios["fruit_tree_area"][0] == 51
    assert ratios["poultry_flock_growth"][0] == 63
    assert ratios["forest_area"][0] == 101.13
    assert ratios["trained_labour_share"][:2] == [61, 62]  # 28 / 45,6 = 61,4%: the printed 62% is flagged
    assert sum(rec["counts"].values()) == len(ratios)
    # injected parameters are papermill's, in their own cell
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert ["injected-parameters"] in tags


def test_artefacts(rendered):
    d = rendered / "muong-ang"
    html = (d / "report.html").read_text(encoding="utf-8")
    assert "Diện tích cà phê có hiệu quả" in html
    assert "Plotly.newPlot" in html and 'src="https://cdn' not in html  # plotly.js inlined, never fetched
    assert "locality: str" not in html and "import" not in html.split("Plotly.newPlot")[0][-2000:]  # no code
    pngs = sorted(p.name for p in (d / "charts").glob("*.png"))
    svgs = sorted(p.name for p in (d / "charts").glob("*.svg"))
    ratio_charts = [p for p in pngs if p.startswith("ty-le-dat")]  # the ratio chart, split by verdict group
    assert ratio_charts and len(pngs) == len(svgs) >= 4
    assert [p[:-4] for p in pngs] == [p[:-4] for p in svgs]  # every chart in both formats
    png = (d / "charts" / ratio_charts[0]).read_bytes()
    width = int.from_bytes(png[16:20], "big")
    svg = (d / "charts" / (ratio_charts[0][:-4] + ".svg")).read_text(encoding="utf-8")
    layout_width = float(svg.split('viewBox="', 1)[1].split()[2])
    assert layout_width >= 500 and width == 2 * layout_width  # PNG at 2× the chart's layout size
    assert (d / "bieu-ket-qua.xlsx").stat().st_size > 4000
    index = (rendered / "index.html").read_text(encoding="utf-8")
    assert 'href="muong-ang/report.html"' in index and "huyện Mường Ảng" in index


def test_nothing_leaks_between_notebooks_on_a_warm_kernel():
    kernel = WarmKernel()
    try:
        first = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("secret = 42\nimport math as m")])
        kernel.execute(first)
        second = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "assert 'secret' not in globals() and 'm' not in globals()\nprint('clean')")])
        kernel.execute(second)
        assert "clean" in second.cells[0].outputs[0]["text"]
    finally:
        kernel.shutdown()


def test_same_numbers_on_a_warm_kernel_as_on_a_fresh_one(tmp_path):
    warm = tmp_path / "warm"
    for loc in ("phieng-pan", "muong-ang"):  # muong-ang second, after another locality on the same kernel
        assert render_locality(load_params(loc), warm).ok
    fresh = tmp_path / "fresh"
    kernel = WarmKernel()
    try:
        import chitieu.report.runner as runner
        saved, runner._KERNEL = runner._KERNEL, kernel
        assert render_locality(load_params("muong-ang"), fresh).ok
    finally:
        runner._KERNEL = saved
        kernel.shutdown()
    a = json.loads((warm / "muong-ang" / "records.json").read_text(encoding="utf-8"))
    b = json.loads((fresh / "muong-ang" / "records.json").read_text(encoding="utf-8"))
    assert a == b


def _broken_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    p = data / "phieng-pan" / "values.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("target", "not-a-status", 1)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


def test_one_failing_locality_does_not_stop_the_batch(tmp_path):
    data = _broken_data(tmp_path)
    out = tmp_path / "out"
    res = run_cli("run", "muong-ang", "phieng-pan", "--out", str(out), "--workers", "2", data=data)
    assert res.returncode == 1
    assert "LỖI phieng-pan" in res.stderr and "Xong 1/2" in res.stderr
    assert "Traceback" not in res.stderr
    assert (out / "muong-ang" / "report.html").exists()
    assert not (out / "phieng-pan").exists()
    assert not list(out.glob(".tmp-*"))
    assert "phieng-pan" in (out / "index.html").read_text(encoding="utf-8")  # named among the failures


def test_a_failed_run_keeps_the_previous_report(tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", "phieng-pan", "--out", str(out), "--workers", "1").returncode == 0
    before = {p.relative_to(out): p.read_bytes() for p in (out / "phieng-pan").rglob("*") if p.is_file()}
    res = run_cli("run", "phieng-pan", "--out", str(out), "--workers", "1", data=_broken_data(tmp_path))
    assert res.returncode == 1
    after = {p.relative_to(out): p.read_bytes() for p in (out / "phieng-pan").rglob("*") if p.is_file()}
    assert after == before


def test_params_are_validated_before_any_kernel(tmp_path):
    (tmp_path / "muong-ang.yaml").write_text("locality: muong-ang\nhorizon: soon\nnotebook_code: 1\n", encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params("muong-ang", tmp_path)
    assert "horizon" in str(exc.value) and "notebook_code" in str(exc.value)
    with pytest.raises(ParamsError):
        load_params("../../etc", tmp_path)
    with pytest.raises(ParamsError):
        load_params("nowhere", tmp_path)
    res = run_cli("run", "muong-ang", "--params", str(tmp_path), "--out", str(tmp_path / "o"))
    assert res.returncode == 2 and "horizon" in res.stderr and not (tmp_path / "o").exists()


def test_parameters_reach_the_notebook_as_plain_values():
    p = ReportParams(locality="muong-ang", scenarios=[{"name": "x", "pace_pct": 5}])
    values = p.notebook_parameters()
    assert values == {"locality": "muong-ang", "year": None, "horizon": 2030, "language": "vi",
                      "scenarios": [{"name": "x", "pace_pct": 5.0}]}


def test_dask_executor_against_a_scheduler_address(tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        results = run_batch([load_params("phieng-pan")], tmp_path, executor="dask",
                            scheduler=cluster.scheduler_address)
    assert [r.ok for r in results] == [True], results[0].error
    assert (tmp_path / "phieng-pan" / "report.html").exists() and (tmp_path / "index.html").exists()
