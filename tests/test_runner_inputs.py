"""What a report is made from: one read of the data (a snapshot), work skipped only when nothing changed, outputs
never inside the inputs, reserved ids refused.

The snapshot test changes the data *while* the notebook runs (as ``import --replace`` did in #17: the xlsx said
2815 and the HTML 2.900): the Excel table must still come from the same read as the notebook. The skip tests run
real kernels (slow); the path and id checks are fast.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, VENV_BIN, run_cli


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


def _coffee_actual(data: Path) -> tuple[Path, int, str]:
    values = data / "muong-ang" / "values.csv"
    lines = values.read_text(encoding="utf-8").splitlines()
    i = next(i for i, ln in enumerate(lines) if ln.startswith("coffee_area,2025,estimate,"))
    return values, i, lines[i]


@pytest.fixture
def data(tmp_path: Path, monkeypatch) -> Path:
    dst = tmp_path / "data"
    shutil.copytree(ROOT / "data", dst)
    monkeypatch.setenv("CHITIEU_DATA", str(dst))
    return dst


@pytest.mark.slow
def test_the_html_and_the_excel_come_from_one_read_of_the_data(data: Path, tmp_path: Path, monkeypatch):
    import chitieu.report.runner as runner
    from chitieu.report.params import load_params

    values, i, line = _coffee_actual(data)
    assert ",2815," in line  # the document's 2.815 ha (seed 002, line 798)
    real = runner.WarmKernel.execute

    def import_then_execute(self, nb, *args, **kwargs):
        # an import rewrites the locality after the run began with it, before the kernel reads it
        lines = values.read_text(encoding="utf-8").splitlines()
        lines[i] = line.replace(",2815,", ",2900,")
        values.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return real(self, nb, *args, **kwargs)

    monkeypatch.setattr(runner.WarmKernel, "execute", import_then_execute)
    out = tmp_path / "out"
    result = runner.render_locality(load_params("muong-ang"), out)
    assert result.ok, result.error
    html = (out / "muong-ang" / "report.html").read_text(encoding="utf-8")
    records = json.loads((out / "muong-ang" / "records.json").read_text(encoding="utf-8"))
    assert records["ratios"]["coffee_area"][0] == 141  # 2815 / 2000, the version the notebook read
    assert "2.815" in html and "2.900" not in html
    sheet = _xlsx_text(out / "muong-ang" / "bieu-ket-qua.xlsx")
    assert "2815" in sheet and "2900" not in sheet  # the same read: never the version written meanwhile


@pytest.mark.slow
def test_an_unchanged_locality_is_kept_and_any_change_renders_again(data: Path, tmp_path: Path, monkeypatch):
    import chitieu.report.runner as runner
    from chitieu.report.params import load_params

    out = tmp_path / "out"
    (first,) = runner.run_batch([load_params("phieng-pan")], out)
    assert first.ok and not first.skipped, first.error
    folder = out / "phieng-pan"
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}

    def no_kernel():
        raise AssertionError("a kernel was started for an unchanged locality")

    with monkeypatch.context() as m:
        m.setattr(runner, "_kernel", no_kernel)
        (again,) = runner.run_batch([load_params("phieng-pan")], out)
    assert again.ok and again.skipped and again.headline["locality"] == "phieng-pan"
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == stamps  # not one file written

    # a changed number (the 2030 target 9.589 ha read as 9.590): rendered again, the new number in the report
    values = data / "phieng-pan" / "values.csv"
    text = values.read_text(encoding="utf-8")
    assert "agricultural_area,2030,target,9589," in text
    values.write_text(text.replace("agricultural_area,2030,target,9589,", "agricultural_area,2030,target,9590,"),
                      encoding="utf-8")
    (changed,) = runner.run_batch([load_params("phieng-pan")], out)
    assert changed.ok and not changed.skipped, changed.error
    assert "9.590" in (folder / "report.html").read_text(encoding="utf-8")
    values.write_text(text, encoding="utf-8")

    # changed parameters: rendered again
    params_dir = tmp_path / "params"
    params_dir.mkdir()
    (params_dir / "phieng-pan.yaml").write_text("locality: phieng-pan\nscenarios:\n  - name: '5%'\n    pace_pct: 5\n",
                                               encoding="utf-8")
    from chitieu.report.params import load_params as load

    (with_params,) = runner.run_batch([load("phieng-pan", params_dir)], out)
    assert with_params.ok and not with_params.skipped

    # back to the first inputs: rendered (the folder holds the other version), then kept
    (back,) = runner.run_batch([load_params("phieng-pan")], out)
    assert back.ok and not back.skipped
    (kept,) = runner.run_batch([load_params("phieng-pan")], out)
    assert kept.skipped

    # a file of the report changed or removed by hand: rendered again, never kept half
    chart = sorted(folder.glob("charts/*.png"))[0]
    chart.unlink()
    (redone,) = runner.run_batch([load_params("phieng-pan")], out)
    assert redone.ok and not redone.skipped and chart.exists()

    # --force renders an unchanged locality
    (forced,) = runner.run_batch([load_params("phieng-pan")], out, force=True)
    assert forced.ok and not forced.skipped


def test_the_key_changes_with_every_input(tmp_path: Path):
    """The key of a report covers the data snapshot, the parameters, the notebook and chitieu's code."""
    from chitieu.report.params import ReportParams
    from chitieu.report.runner import NOTEBOOK, inputs_key, snapshot_locality

    a = snapshot_locality("phieng-pan", ROOT / "data", tmp_path / "a")
    b = snapshot_locality("phieng-pan", ROOT / "data", tmp_path / "b")
    assert a == b  # the same bytes, the same digest
    assert {"catalogue.csv", "localities.csv", "phieng-pan", "sources"} <= {p.name for p in (tmp_path / "a").iterdir()}
    assert not (tmp_path / "a" / "muong-ang").exists()  # only what this locality's report reads
    cited = {p.name for p in (tmp_path / "a" / "sources").iterdir() if p.suffix == ".txt"}
    assert cited == {"004_05b6456d80a4201f.txt"}  # the one document phieng-pan cites, not the other three
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "phieng-pan" / "values.csv").write_bytes((data / "phieng-pan" / "values.csv").read_bytes() + b"\n")
    assert snapshot_locality("phieng-pan", data, tmp_path / "c") != a
    (data / "muong-ang" / "values.csv").write_bytes(b"")  # another locality's files: not part of this one's key
    shutil.rmtree(tmp_path / "c")
    assert snapshot_locality("phieng-pan", data, tmp_path / "c") == snapshot_locality("phieng-pan", data,
                                                                                         tmp_path / "d")
    p = ReportParams(locality="phieng-pan")
    key = inputs_key(p, a)
    assert key == inputs_key(ReportParams(locality="phieng-pan"), a)
    assert key != inputs_key(ReportParams(locality="phieng-pan", horizon=2035), a)
    assert key != inputs_key(p, b[::-1])
    other_nb = tmp_path / "nb.ipynb"
    other_nb.write_bytes(NOTEBOOK.read_bytes() + b" ")
    assert key != inputs_key(p, a, other_nb)


def _tree_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("out", ["data", "data/phieng-pan", "params", "notebooks", "./data/../data/x", "link"])
def test_run_never_writes_inside_the_inputs(tmp_path: Path, out: str):
    """``run phieng-pan --out data`` used to delete data/phieng-pan/*.csv and NOTES.md, exit 0."""
    project = tmp_path / "project"
    for name in ("data", "params"):
        shutil.copytree(ROOT / name, project / name)
    (project / "notebooks").mkdir()
    (project / "link").symlink_to(project / "data", target_is_directory=True)
    before = _tree_digest(project)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHITIEU_")}
    exe = VENV_BIN / "chitieu"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "chitieu.cli"]
    res = subprocess.run([*cmd, "run", "phieng-pan", "--out", out], cwd=project, env=env, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and ("data/" in res.stderr or "params/" in res.stderr
                                              or "notebooks/" in res.stderr)
    assert _tree_digest(project) == before  # nothing written, nothing deleted


@pytest.mark.slow
def test_a_locality_named_like_a_folder_the_tool_uses_is_refused(tmp_path: Path):
    """A locality ``compare`` had its report overwritten by the comparison; ``sources`` gave "File exists"."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    res = run_cli("run", "compare", "--out", str(tmp_path / "out"), data=data)
    assert res.returncode == 2 and "Traceback" not in res.stderr and "compare" in res.stderr
    assert not (tmp_path / "out").exists()
    text = (data / "localities.csv").read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if ln.startswith("phieng-pan,"))
    for reserved in ("compare", "sources"):
        if reserved == "compare":
            shutil.copytree(data / "phieng-pan", data / reserved)  # a locality folder like any other
        (data / "localities.csv").write_text(text + row.replace("phieng-pan,", f"{reserved},", 1) + "\n",
                                             encoding="utf-8")
        res = run_cli("run", "--all", "--out", str(tmp_path / "out"), data=data)
        assert res.returncode == 2, res.stderr[-2000:]
        assert reserved in res.stderr and "Traceback" not in res.stderr
        assert not (tmp_path / "out").exists()  # refused before anything ran
        (data / "localities.csv").write_text(text, encoding="utf-8")
        shutil.rmtree(data / "compare", ignore_errors=True)
