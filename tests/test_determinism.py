"""Same data, same outputs: tables and numbers identical across runs, processes and hash seeds; every file of a
locality's report byte-identical between two runs. And a run killed midway never leaves a partial report.

Fast tests check the tables across two interpreters with different ``PYTHONHASHSEED`` (set and dict order), the
Excel bytes and the HTML of one notebook. The slow tests run real reports: a complete run, a second run killed
with SIGKILL in the middle of it, and a third that recovers — whose files are then byte-identical to the first's.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, VENV_BIN

LOCALITIES = ["muong-ang", "hac-thanh", "phieng-pan", "phuong-mau"]

_DIGESTS = r"""
import hashlib, json, sys
from chitieu.io import data
from chitieu.analysis.achievement import results_table
from chitieu.io.data import long_table
from chitieu.report.sections import projection_frame, scenario_frame
from chitieu.report.tables import display_frame, to_csv

def h(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

out = {}
for loc_id in sys.argv[1:]:
    loc = data.load_locality(loc_id)
    table = results_table(loc)
    out[loc_id] = {
        "results_csv": h(to_csv(table)),
        "results_shown": h(display_frame(table).to_csv(index=False)) if not table.empty else "",
        "long_table": h(long_table(loc).to_csv(index=False, lineterminator="\n")),
        "projection": h(projection_frame(loc, 2030).to_csv(index=False, lineterminator="\n")),
        "scenarios": h(scenario_frame(loc, 2030, [{"name": "5%", "pace_pct": 5}]).to_csv(index=False)),
    }
print(json.dumps(out, sort_keys=True))
"""


def test_tables_are_identical_across_processes_and_hash_seeds():
    """Two interpreters with different hash seeds (so sets and dicts of strings iterate differently)."""
    runs = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        res = subprocess.run([sys.executable, "-c", _DIGESTS, *LOCALITIES], capture_output=True, text=True,
                             env=env, cwd=ROOT, timeout=300)
        assert res.returncode == 0, res.stderr[-3000:]
        runs.append(json.loads(res.stdout))
    assert runs[0] == runs[1]
    assert all(v["results_csv"] for v in runs[0].values())


def test_excel_bytes_are_identical_between_runs(tmp_path: Path):
    from chitieu.analysis.achievement import results_table
    from chitieu.io.data import load_locality
    from chitieu.report.tables import write_xlsx

    table = results_table(load_locality("muong-ang"))
    write_xlsx(table, tmp_path / "a.xlsx", title="Biểu kết quả")
    time.sleep(2.1)  # the zip format stores times to 2 s: a later save would differ if times were kept
    write_xlsx(table, tmp_path / "b.xlsx", title="Biểu kết quả")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")
    import openpyxl
    ws = openpyxl.load_workbook(tmp_path / "a.xlsx").active
    assert ws["B3"].value == table.iloc[0]["name"]  # still the same workbook


def test_the_html_of_a_notebook_is_the_same_every_time():
    import nbformat

    from chitieu.report.sections import CHART_META, PLOTLY_MIME
    from chitieu.report.runner import to_html

    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={
        PLOTLY_MIME: {"data": [{"type": "bar", "x": [1], "y": [2]}], "layout": {}}}, metadata={CHART_META: "ty-le-dat"})
        for _ in range(2)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    first, second = to_html(nb), to_html(copy.deepcopy(nb))
    assert first == second
    assert 'id="chart-1-ty-le-dat"' in first and 'id="chart-2-ty-le-dat"' in first


def test_the_injected_parameters_cell_has_a_fixed_id():
    from chitieu.report.params import load_params
    from chitieu.report.runner import parameterize

    ids = [[c.id for c in parameterize(load_params("phieng-pan")).cells] for _ in range(2)]
    assert ids[0] == ids[1] and "injected-parameters" in ids[0]


def test_svg_ids_are_made_stable():
    from chitieu.report.charts import _stable_svg

    a = b'<svg><defs id="defs-3f9a1c"/><g clip-path="url(#clip3f9a1cxyplot)"/><rect fill="#3f9a1c"/></svg>'
    assert _stable_svg(a) == (b'<svg><defs id="defs-chitieu"/><g clip-path="url(#clipchitieuxyplot)"/>'
                              b'<rect fill="#3f9a1c"/></svg>')  # a colour that happens to match is left alone


# --------------------------------------------------------------------------------------------
# Real runs: determinism of every file, and a run killed midway
# --------------------------------------------------------------------------------------------

RUN = ["muong-ang", "phuong-mau"]  # rendered in this order (one worker): the kill lands in the second


def _chitieu_run(out: Path, **popen) -> subprocess.Popen:
    env = {**os.environ, "COLUMNS": "200"}
    exe = VENV_BIN / "chitieu"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "chitieu.cli"]
    return subprocess.Popen([*cmd, "run", *RUN, "--out", str(out), "--workers", "1"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _complete(folder: Path, reference: dict[str, str]) -> None:
    """A whole report: the same set of files as a complete run, each file whole."""
    assert set(_files(folder)) == set(reference), folder
    assert (folder / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    json.loads((folder / "records.json").read_text(encoding="utf-8"))
    json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
    for png in folder.glob("charts/*.png"):
        assert png.read_bytes().endswith(b"IEND\xaeB`\x82"), png
    with zipfile.ZipFile(folder / "bieu-ket-qua.xlsx") as z:
        assert z.testzip() is None


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (kernel, browser), from the parent ids in /proc/<pid>/stat."""
    parents: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(proc.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill(proc: subprocess.Popen) -> None:
    """SIGKILL the run and everything it started (a kernel and a browser live in sessions of their own)."""
    children = _descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGKILL)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "outputs"
    proc = _chitieu_run(out)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    return out


@pytest.mark.slow
def test_a_run_killed_midway_leaves_every_report_whole_and_the_next_run_recovers(first_run: Path, tmp_path: Path):
    out = tmp_path / "outputs"
    import shutil
    shutil.copytree(first_run, out, symlinks=True)
    earlier = {loc: _files(out / loc) for loc in RUN}
    for loc in RUN:  # mark the earlier reports, to tell "kept" from "replaced"
        (out / loc / "earlier.marker").write_text("earlier run", encoding="utf-8")
    earlier_files = {loc: _files(out / loc) for loc in RUN}

    proc = _chitieu_run(out, start_new_session=True)
    killed_in = None
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            tmps = list(out.glob(".tmp-phuong-mau-*"))
            try:  # once the notebook is written into it (or after a minute): kill, mid-way through the locality
                begun = tmps and (any(any(t.iterdir()) for t in tmps) or time.monotonic() > deadline - 240)
            except FileNotFoundError:
                begun = False
            if begun:
                _kill(proc)
                killed_in = sorted(p.name for t in tmps for p in t.rglob("*"))
                break
            time.sleep(0.02)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            _kill(proc)
        proc.communicate()
    assert killed_in is not None, "the run ended before it could be killed in the second locality"
    assert proc.returncode == -signal.SIGKILL

    # muong-ang was finished: fully replaced (the marker is gone with the old folder), byte-identical to the
    # earlier complete run's files; phuong-mau was in the middle: the earlier report, untouched
    assert not (out / "muong-ang" / "earlier.marker").exists()
    _complete(out / "muong-ang", earlier["muong-ang"])
    assert _files(out / "muong-ang") == earlier["muong-ang"]
    assert _files(out / "phuong-mau") == earlier_files["phuong-mau"]
    assert list(out.glob(".tmp-phuong-mau-*")), "the unfinished folder is left for the next run to clear"

    # the next run recovers: temporary folders cleared, every report complete again
    proc = _chitieu_run(out)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".old-*"))
    for loc in RUN:
        _complete(out / loc, earlier[loc])
        assert _files(out / loc) == earlier[loc]  # and the same bytes as the first run: deterministic


@pytest.mark.slow
def test_two_runs_give_identical_files(first_run: Path, tmp_path: Path):
    """Every file of every locality's report, byte for byte: tables, numbers, HTML, notebook, images."""
    out = tmp_path / "outputs"
    proc = _chitieu_run(out)
    _, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-3000:]
    for loc in RUN:
        a, b = _files(first_run / loc), _files(out / loc)
        assert a.keys() == b.keys()
        assert [f for f in a if a[f] != b[f]] == []
    a = json.loads((first_run / "muong-ang" / "records.json").read_text(encoding="utf-8"))
    assert a["ratios"]["coffee_area"][:2] == [141, 141]
    assert (first_run / "index.html").read_bytes() == (out / "index.html").read_bytes()


# --------------------------------------------------------------------------------------------
# Recovery after a killed run: only the folders of processes that no longer run
# --------------------------------------------------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_recovery_restores_a_report_left_aside_by_a_killed_run(tmp_path: Path):
    """A run killed between the two renames of a swap (where the system cannot exchange two names in one step)
    leaves only ``.old-<name>-<pid>-<token>``: the next run puts it back before anything else."""
    import chitieu.report.runner as runner

    dead = _dead_pid()
    old = tmp_path / f".old-muong-ang-{dead}-ab12"
    old.mkdir()
    (old / "report.html").write_text("earlier", encoding="utf-8")
    unfinished = tmp_path / f".tmp-phuong-mau-{dead}-cd34"
    unfinished.mkdir()
    (unfinished / "report.ipynb").write_text("half", encoding="utf-8")
    runner.recover(tmp_path)
    assert (tmp_path / "muong-ang" / "report.html").read_text(encoding="utf-8") == "earlier"
    assert not old.exists() and not unfinished.exists()


def test_recovery_never_touches_a_running_process_folders(tmp_path: Path):
    """A second run's start-up recovery used to delete the first run's temporary folders (#17): folders of a
    process that is still running are left alone."""
    import chitieu.report.runner as runner

    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        tmp = tmp_path / f".tmp-muong-ang-{running.pid}-ab12"
        tmp.mkdir()
        (tmp / "report.ipynb").write_text("being written", encoding="utf-8")
        old = tmp_path / f".old-hac-thanh-{running.pid}-cd34"
        old.mkdir()
        runner.recover(tmp_path)
        assert tmp.exists() and old.exists() and not (tmp_path / "hac-thanh").exists()
    finally:
        running.kill()
        running.wait()
    runner.recover(tmp_path)  # now its process is gone
    assert not tmp.exists() and (tmp_path / "hac-thanh").exists()
