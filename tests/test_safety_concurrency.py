"""Nothing lost when imports run at once or are killed (issue 17, items 2 and 7's import part).

Real processes: each import is the installed ``chitieu`` command started with ``subprocess.Popen``, several at
once, against a private copy of data/. Before this change two imports into two new localities lost one
``localities.csv`` row (5 of 5 tries; ``check`` then failed), two into the same new locality both exited 0 with the
first silently lost, and an import killed midway left ``data/.import-*`` that made ``check`` fail until removed by
hand.
"""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, VENV_BIN
from test_bad_inputs import chitieu, snapshot

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "bad"))
import make_fixtures  # noqa: E402

NEW = ["--level", "xa", "--province", "Sơn La"]


def start(*args: str, data: Path) -> subprocess.Popen:
    exe = VENV_BIN / "chitieu"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "chitieu.cli"]
    env = dict(os.environ, CHITIEU_DATA=str(data))
    return subprocess.Popen([*cmd, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=data.parent, start_new_session=True)


def finish(p: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, " ".join((out + "\n" + err).split())


def listed(data: Path) -> list[str]:
    with open(data / "localities.csv", encoding="utf-8-sig", newline="") as f:
        return [r["id"] for r in csv.DictReader(f)]


def table(tmp: Path, name: str, rows: int, offset: int = 0) -> Path:
    """A text table of ``rows`` indicators; ``offset`` shifts every number (two versions of one table)."""
    lines = make_fixtures.table_rows(rows)
    for r in lines[1:]:
        r[3:6] = [str(int(v) + offset) for v in r[3:6]]
    path = tmp / name
    path.write_text("\n".join("\t".join(r) for r in lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow  # two interpreters and a check: 5-15 s on a shared machine
def test_two_imports_into_two_new_localities_both_land(tmp_path: Path, data_copy: Path):
    a, b = table(tmp_path, "a.txt", 60), table(tmp_path, "b.txt", 60, 7)
    procs = [start("import", str(a), "-l", "xa-mot", "--name", "xã Một", *NEW, data=data_copy),
             start("import", str(b), "-l", "xa-hai", "--name", "xã Hai", *NEW, data=data_copy)]
    results = [finish(p) for p in procs]
    assert [code for code, _ in results] == [0, 0], results
    assert {"xa-mot", "xa-hai"} <= set(listed(data_copy))
    assert chitieu("check", data=data_copy).code == 0
    assert not [p.name for p in data_copy.iterdir() if p.name.startswith(".")]


@pytest.mark.slow  # two interpreters and a check: 5-15 s on a shared machine
def test_two_imports_into_the_same_new_locality_one_lands_the_other_says_why(tmp_path: Path, data_copy: Path):
    a, b = table(tmp_path, "a.txt", 60), table(tmp_path, "b.txt", 60, 7)
    procs = [start("import", str(a), "-l", "xa-moi", "--name", "xã Mới", *NEW, data=data_copy),
             start("import", str(b), "-l", "xa-moi", "--name", "xã Mới", *NEW, data=data_copy)]
    results = [finish(p) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results  # never both 0: the second never silently replaces the first
    loser = next(text for code, text in results if code == 2)
    assert "'xa-moi' đã có trong data/localities.csv" in loser and "another import may have just created it" in loser
    assert "Traceback" not in loser
    assert listed(data_copy).count("xa-moi") == 1
    winner = a if "a.txt" in next(text for code, text in results if code == 0) else b
    assert f"Nhập từ `{winner.name}`" in (data_copy / "xa-moi" / "IMPORT.md").read_text(encoding="utf-8")
    assert chitieu("check", data=data_copy).code == 0


@pytest.mark.slow  # two interpreters and a check: 5-15 s on a shared machine
def test_a_busy_data_folder_is_said_and_waited_for(tmp_path: Path, data_copy: Path):
    """The lock: with --wait 0 the second import stops at once with a clear message; with --wait it lands once the
    first releases the folder."""
    from chitieu.io.safe import data_lock

    a = table(tmp_path, "a.txt", 5)
    before = snapshot(data_copy)
    with data_lock(data_copy):
        code, text = finish(start("import", str(a), "-l", "xa-cho", "--name", "xã Chờ", *NEW, "--wait", "0",
                                  data=data_copy))
        assert code == 2 and "another import is running" in text and "--wait" in text and "Traceback" not in text, text
        assert snapshot(data_copy) == before
        waiting = start("import", str(a), "-l", "xa-cho", "--name", "xã Chờ", *NEW, "--wait", "60", data=data_copy)
        said = []
        for line in waiting.stderr:  # its progress, line by line, until it says it waits for the lock
            said.append(line)
            if "đang chờ" in line:
                break
        assert "another import is running; waiting" in said[-1], said
        time.sleep(0.5)
        assert waiting.poll() is None  # still waiting
        assert snapshot(data_copy) == before
    code, text = finish(waiting)
    assert code == 0, text
    assert "xa-cho" in listed(data_copy)


def test_imports_in_threads_serialise_on_the_lock(tmp_path: Path, data_copy: Path):
    """The fast tier's guard of the same rule (the real processes are in the slow tier): three imports into three new
    localities from three threads — each takes the folder's lock in turn, all three land."""
    from chitieu.io.importer import import_table

    tables = [table(tmp_path, f"t{k}.txt", 8, k) for k in range(3)]
    results, errors = [], []

    def one(k: int):
        try:
            results.append(import_table(tables[k], f"xa-luong-{k}", root=data_copy, name=f"xã {k}", level="xa",
                                        province="Sơn La", wait=60))
        except Exception as exc:  # noqa: BLE001 - collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(results) == 3, errors
    assert {f"xa-luong-{k}" for k in range(3)} <= set(listed(data_copy))
    from chitieu.io.data import load_locality
    assert all(len(load_locality(f"xa-luong-{k}", data_copy).values) == 32 for k in range(3))


def test_what_a_killed_import_leaves_never_breaks_check(data_copy: Path):
    """Staging folders of a killed import (the old ``.import-*`` and an unfinished ``.txn-*``) are ignored or
    removed; a transaction killed after its commit point is finished by the next reader."""
    from chitieu.io import safe

    (data_copy / ".import-abc123" / "check").mkdir(parents=True)  # what the importer before this change left
    (data_copy / ".import-abc123" / "xa-moi").mkdir()
    (data_copy / ".txn-999999-deadbeef" / "item-0").mkdir(parents=True)  # a kill before the commit point
    assert chitieu("check", data=data_copy).code == 0
    assert not (data_copy / ".txn-999999-deadbeef").exists()  # undone
    # a kill just after the commit point: the journal is written, nothing moved yet
    locs = (data_copy / "localities.csv").read_text(encoding="utf-8")
    txn = safe.FolderTransaction(data_copy)
    folder = txn.stage_folder("xa-moi", copy_existing=False)
    for f in (data_copy / "phuong-mau").glob("*.csv"):
        (folder / f.name).write_bytes(f.read_bytes())
    txn.stage_file("localities.csv", (locs + "xa-moi,xã Mới,xa,Sơn La,2020,2025,2030,,,,\n").encode("utf-8"))
    real_apply = safe._apply
    try:
        safe._apply = lambda *a: (_ for _ in ()).throw(KeyboardInterrupt())  # killed at the commit point
        with pytest.raises(KeyboardInterrupt):
            txn.commit()
    finally:
        safe._apply = real_apply
    assert not (data_copy / "xa-moi").exists() and "xa-moi" not in listed(data_copy)
    result = chitieu("check", data=data_copy)
    assert result.code == 0, result.stderr
    assert (data_copy / "xa-moi" / "values.csv").exists() and "xa-moi" in listed(data_copy)  # finished, whole
    assert not safe.pending_transactions(data_copy)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_imports_killed_at_random_instants_leave_data_whole(tmp_path: Path, data_copy: Path):
    """SIGKILL at random instants of a real import (new locality): after each kill, ``check`` passes and the
    locality is either wholly there (listed, with its files) or wholly absent."""
    a = table(tmp_path, "a.txt", 400)
    t0 = time.monotonic()  # how long one import takes here, start to end: the kills are spread over it
    assert finish(start("import", str(a), "-l", "xa-do", "--name", "xã Đo", *NEW, "-q", data=data_copy))[0] == 0
    whole = time.monotonic() - t0
    outcomes = set()
    for i, fraction in enumerate((0.3, 0.5, 0.65, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0, 1.2)):
        p = start("import", str(a), "-l", f"xa-giet-{i}", "--name", "xã Giết", *NEW, "-q", data=data_copy)
        time.sleep(whole * fraction)
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        result = chitieu("check", data=data_copy)
        assert result.code == 0, (i, result.stderr[-2000:])
        there = (data_copy / f"xa-giet-{i}").exists()
        assert there == (f"xa-giet-{i}" in listed(data_copy)), i
        if there:
            assert (data_copy / f"xa-giet-{i}" / "values.csv").stat().st_size > 1000
        outcomes.add(there)
        assert not [q.name for q in data_copy.iterdir() if q.name.startswith(".txn-")]
    assert outcomes == {True, False}, outcomes  # the kills did land both before and after the commit point


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_five_tries_of_parallel_imports_lose_nothing(tmp_path: Path, data_copy: Path):
    for i in range(5):
        tables = [table(tmp_path, f"t{i}{k}.txt", 100, k) for k in range(3)]
        procs = [start("import", str(t), "-l", f"xa-{i}-{k}", "--name", f"xã {i} {k}", *NEW, "-q", data=data_copy)
                 for k, t in enumerate(tables)]
        assert [finish(p)[0] for p in procs] == [0, 0, 0]
        assert {f"xa-{i}-{k}" for k in range(3)} <= set(listed(data_copy))
    assert chitieu("check", data=data_copy).code == 0


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_locality_read_while_it_is_replaced_is_one_version(tmp_path: Path, data_copy: Path):
    """``import --replace`` in a loop (two versions of the table, every number different) while this process loads
    the locality again and again: each load is wholly one version, never a mix, never an error."""
    from chitieu.io.data import load_locality

    v1, v2 = table(tmp_path, "v1.txt", 120), table(tmp_path, "v2.txt", 120, 50_000)
    assert finish(start("import", str(v1), "-l", "xa-doi", "--name", "xã Đổi", *NEW, "-q", data=data_copy))[0] == 0
    stop = threading.Event()
    errors: list[str] = []

    def writer():
        k = 0
        while not stop.is_set():
            code, text = finish(start("import", str((v2, v1)[k % 2]), "-l", "xa-doi", "--replace", "-q",
                                      data=data_copy))
            if code != 0:
                errors.append(text)
            k += 1

    thread = threading.Thread(target=writer)
    thread.start()
    seen = set()
    try:
        deadline = time.monotonic() + 25
        while time.monotonic() < deadline:
            loc = load_locality("xa-doi", data_copy)
            actual = loc.values[loc.values["status"] != "target"]["value"]
            versions = {"v2" if v > 40_000 else "v1" for v in actual}
            assert len(versions) == 1, versions  # never half of one import and half of the other
            seen |= versions
    finally:
        stop.set()
        thread.join()
    assert not errors, errors[:1]
    assert seen == {"v1", "v2"}, seen  # the loads did overlap the replacements
