"""``chitieu run`` under signals, concurrency and every exit path — real processes, real signals (slow).

What the issue found (#17): SIGTERM left 26 processes (workers, kernels, Chromium) alive and still moving reports
into place; Ctrl-C printed a ZMQError traceback; every run left Chromium profiles and kernel connection files in
the temporary folder; a second ``run --all --out X`` deleted the first run's temporary folders in its start-up
recovery and the first failed.

Each test runs ``chitieu`` with a private ``TMPDIR`` (an empty folder of the test): whatever a run, its workers,
kernels and browsers leave in the temporary folder is seen there, and any process still alive whose command line
names that folder (a kernel's connection file, a browser's profile) is a process the run failed to stop.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, VENV_BIN

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

LOCALITIES = ["hac-thanh", "phieng-pan", "phuong-mau", "muong-ang"]


def _short_tmp() -> Path:
    """A private temporary folder with a short path: a kernel's and a browser's sockets live in the run's
    folder inside it, and a socket path is limited to 107 bytes (a deep pytest folder would not do)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="ct", dir="/tmp"))


@pytest.fixture
def tmpdir_short():
    folder = _short_tmp()
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _cmd() -> list[str]:
    exe = VENV_BIN / "chitieu"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "chitieu.cli"]


def _start(args: list[str], tmpdir: Path, **extra) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmpdir), "COLUMNS": "200"}
    env.update(extra.pop("env", {}))
    return subprocess.Popen([*_cmd(), *args], cwd=extra.pop("cwd", ROOT), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **extra)


def _files(folder: Path) -> dict[str, str]:
    """Every file of a report and its hash (the inputs' manifest aside: its key names chitieu's code, which may
    change between two runs of a test in a working copy)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".chitieu-inputs.json"}


def _tree(pid: int) -> set[int]:
    """``pid`` and every process below it (from the parent ids in /proc)."""
    parents: dict[int, list[int]] = {}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(proc.name))
    found, todo = {pid}, [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def _naming(folder: Path) -> set[int]:
    """Processes whose command line or environment names ``folder`` (kernels, browsers, workers of a run that
    was told to keep its temporary files there)."""
    needle = str(folder).encode()
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if needle in (proc / "cmdline").read_bytes() or needle in (proc / "environ").read_bytes():
                state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.add(int(proc.name))
        except OSError:
            continue
    return found


def _kill_all(proc: subprocess.Popen, tmpdir: Path) -> None:
    for pid in _alive(_tree(proc.pid) | _naming(tmpdir)):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _wait_for(predicate, timeout: float, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def _rendering(out: Path) -> bool:
    """A worker is in the middle of a locality: a temporary report folder exists and has files in it."""
    try:
        return any(t.is_dir() and any(t.iterdir()) for t in out.glob(".tmp-*") if not t.name.startswith(".tmp-snap"))
    except OSError:
        return False


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    """A complete earlier run of every locality (the reports a stopped run must leave in place)."""
    base = tmp_path_factory.mktemp("earlier")
    tmpdir = _short_tmp()
    out = base / "outputs"
    try:
        proc = _start(["run", *LOCALITIES, "--out", str(out), "--workers", "2"], tmpdir)
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr[-3000:]
        assert sorted(os.listdir(tmpdir)) == [], "a complete run leaves nothing in the temporary folder"
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return out


def _stop_midway(earlier: Path, tmp_path: Path, tmpdir: Path, send) -> tuple[subprocess.Popen, str, dict, set]:
    out = tmp_path / "outputs"
    shutil.copytree(earlier, out)
    before = {loc: _files(out / loc) for loc in LOCALITIES}
    index = (out / "index.html").read_bytes()
    # --force: every locality renders again (unchanged ones would be kept without starting anything)
    proc = _start(["run", *LOCALITIES, "--out", str(out), "--workers", "2", "--force"], tmpdir)
    try:
        assert _wait_for(lambda: _rendering(out) and _naming(tmpdir), 240, proc), "never got to rendering"
        time.sleep(0.5)  # well inside a locality: kernels and browsers of both workers are up
        started = _tree(proc.pid) | _naming(tmpdir)
        assert len(started) >= 4, "workers, kernels and browsers should be running"
        send(proc)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            _kill_all(proc, tmpdir)
            proc.communicate()
    time.sleep(0.5)
    left = _alive(started | _naming(tmpdir))
    for loc in LOCALITIES:  # whole: the earlier report, or a complete new one — never a mix
        now = _files(out / loc)
        assert now == before[loc] or (now.keys() == before[loc].keys()), loc
    assert not [p.name for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    assert (out / "index.html").read_bytes() == index  # a stopped run does not rewrite the index
    return proc, stderr, before, left


def test_sigterm_stops_every_process_and_keeps_earlier_reports(earlier: Path, tmp_path: Path, tmpdir_short: Path):
    tmpdir = tmpdir_short
    proc, stderr, _, left = _stop_midway(earlier, tmp_path, tmpdir, lambda p: os.kill(p.pid, signal.SIGTERM))
    assert proc.returncode == 128 + signal.SIGTERM, stderr[-3000:]
    assert left == set(), f"processes still running after SIGTERM: {left}"
    lines = [ln for ln in stderr.splitlines() if ln.strip() and "━" not in ln and "Báo cáo" not in ln]
    assert "Traceback" not in stderr and "Error" not in stderr, stderr[-3000:]
    assert len(lines) == 1 and "Đã dừng (SIGTERM)" in lines[0], stderr[-3000:]
    assert sorted(os.listdir(tmpdir)) == [], "kernel files, browser profiles or the run's folder left behind"


def test_ctrl_c_stops_every_process_without_a_traceback(earlier: Path, tmp_path: Path, tmpdir_short: Path):
    # Ctrl-C in a terminal: SIGINT to the whole foreground process group (the run and its workers)
    tmpdir = tmpdir_short
    proc, stderr, _, left = _stop_midway(earlier, tmp_path, tmpdir, lambda p: os.killpg(p.pid, signal.SIGINT))
    assert proc.returncode == 128 + signal.SIGINT, stderr[-3000:]
    assert left == set(), f"processes still running after Ctrl-C: {left}"
    assert "Traceback" not in stderr and "ZMQError" not in stderr, stderr[-3000:]
    lines = [ln for ln in stderr.splitlines() if ln.strip() and "━" not in ln and "Báo cáo" not in ln]
    assert len(lines) == 1 and "Đã dừng (SIGINT)" in lines[0], stderr[-3000:]
    assert sorted(os.listdir(tmpdir)) == []


def test_the_next_run_after_a_stop_completes_and_skips_what_is_unchanged(earlier: Path, tmp_path: Path,
                                                                          tmpdir_short: Path):
    tmpdir = tmpdir_short
    _, _, before, _ = _stop_midway(earlier, tmp_path, tmpdir, lambda p: os.kill(p.pid, signal.SIGTERM))
    out = tmp_path / "outputs"
    again = subprocess.run([*_cmd(), "run", *LOCALITIES, "--out", str(out), "--workers", "2"], cwd=ROOT,
                           env={**os.environ, "TMPDIR": str(tmpdir)}, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    for loc in LOCALITIES:  # every report whole (byte for byte across runs: tests/test_determinism.py)
        assert _files(out / loc).keys() == before[loc].keys()
    assert not [p.name for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    assert sorted(os.listdir(tmpdir)) == []


def test_every_exit_path_leaves_the_temporary_folder_empty(tmp_path: Path, tmpdir_short: Path):
    """A run that succeeds, one whose locality fails and one refused before it starts: nothing left behind."""
    tmpdir = tmpdir_short
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    p = data / "phieng-pan" / "values.csv"
    lines = p.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("target", "not-a-status", 1)
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for args, code in ((["run", "hac-thanh", "phieng-pan", "--workers", "2"], 1),
                       (["run", "hac-thanh", "--workers", "1"], 0),
                       (["run", "nowhere"], 2)):
        proc = _start([*args, "--out", str(tmp_path / "out")], tmpdir, env={"CHITIEU_DATA": str(data)})
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == code, stderr[-3000:]
        assert sorted(os.listdir(tmpdir)) == [], (args, sorted(os.listdir(tmpdir)))
        assert _alive(_tree(proc.pid)) == set() and _naming(tmpdir) == set()
        assert not [q.name for q in (tmp_path / "out").glob(".*") if q.name.startswith((".tmp-", ".old-"))]


def test_two_runs_into_the_same_folder_at_once_both_complete(earlier: Path, tmp_path: Path, tmpdir_short: Path):
    """The second run's start-up recovery must not touch the first run's temporary folders (it used to delete
    them, and the first failed 3 times in 5)."""
    out = tmp_path / "outputs"
    tmpdir = tmpdir_short
    first = _start(["run", "--all", "--out", str(out), "--workers", "1"], tmpdir)

    def begun() -> bool:  # the first run has a locality's temporary folder: its notebook is being executed
        return any(not p.name.startswith(".tmp-snapshots") for p in out.glob(".tmp-*"))

    try:
        assert _wait_for(begun, 240, first), "the first run never started rendering"
        second = _start(["run", "--all", "--out", str(out), "--workers", "1"], tmpdir)
        _, err2 = second.communicate(timeout=600)
        _, err1 = first.communicate(timeout=600)
    finally:
        for proc in (first,):
            if proc.poll() is None:
                _kill_all(proc, tmpdir)
    assert first.returncode == 0, err1[-3000:]
    assert second.returncode == 0, err2[-3000:]
    reference = {loc: _files(earlier / loc) for loc in LOCALITIES}
    for loc in LOCALITIES:
        assert _files(out / loc).keys() == reference[loc].keys(), loc  # complete, as a run alone makes it
    assert not [p.name for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    assert sorted(os.listdir(tmpdir)) == []


def test_a_run_killed_with_sigkill_leaves_its_folder_for_the_next_run_only(tmp_path: Path, tmpdir_short: Path):
    """SIGKILL gives no chance to clean: the next run removes what the dead run left (its lock is free), and never
    what a live run holds."""
    from chitieu.report.runner import RunTemp

    tmpdir = tmpdir_short
    out = tmp_path / "outputs"
    proc = _start(["run", *LOCALITIES, "--out", str(out), "--workers", "1"], tmpdir)
    try:
        assert _wait_for(lambda: _rendering(out) and _naming(tmpdir), 240, proc)
    finally:
        _kill_all(proc, tmpdir)
        proc.communicate()
    left = sorted(os.listdir(tmpdir))
    assert any(n.startswith("chitieu-run-") for n in left), left
    # a live run's folder (this test process holds its lock) is never removed by another run's sweep
    live = _short_tmp()
    os.environ["TMPDIR"], saved = str(live), os.environ.get("TMPDIR")
    import tempfile
    cached, tempfile.tempdir = tempfile.tempdir, str(live)
    try:
        holder = RunTemp()
        assert RunTemp.sweep(live) == [] and holder.path.exists()
    finally:
        tempfile.tempdir = cached
        if saved is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved
    again = subprocess.run([*_cmd(), "run", "phuong-mau", "--out", str(out), "--workers", "1"], cwd=ROOT,
                           env={**os.environ, "TMPDIR": str(tmpdir)}, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    assert sorted(os.listdir(tmpdir)) == []
    assert not [p.name for p in out.iterdir() if p.name.startswith((".tmp-", ".old-"))]
    holder.close()
    assert not holder.path.exists()
    shutil.rmtree(live, ignore_errors=True)
