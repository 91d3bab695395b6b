"""The cache of validated data (start-up speed, #16): a locality whose exact bytes passed every check before is read
without checking again — the same Locality, the same warnings — and anything changed is checked again, with the
same messages as without a cache.

Each test uses its own cache folder (``CHITIEU_CACHE``)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from chitieu.errors import DataError
from conftest import ROOT

LOCALITIES = [pytest.param("muong-ang", marks=pytest.mark.slow), pytest.param("hac-thanh", marks=pytest.mark.slow),
              "phieng-pan", "phuong-mau"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHITIEU_CACHE", str(folder))
    return folder


def _same(a, b) -> None:
    assert a.id == b.id and a.meta == b.meta and a.warnings == b.warnings
    for name in ("indicators", "values", "comparisons"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


@pytest.mark.parametrize("loc_id", LOCALITIES)
def test_a_locality_read_from_the_cache_is_the_locality_checked(cache: Path, loc_id: str):
    from chitieu.io import data as data_mod

    checked = data_mod._load_and_check(loc_id, ROOT / "data")  # every check, no cache involved
    first = data_mod.load_locality(loc_id, ROOT / "data")  # checks, and remembers the verdict
    assert list((cache / "validated-v1").glob("*.json"))
    again = data_mod.load_locality(loc_id, ROOT / "data")  # from the cache
    _same(checked, first)
    _same(checked, again)


@pytest.mark.slow
def test_a_cached_locality_needs_no_pandera(cache: Path):
    code = ("import sys; from chitieu.io.data import load_locality; loc = load_locality('muong-ang'); "
            "print(len(loc.values), 'pandera' in sys.modules)")
    env = {**os.environ, "CHITIEU_CACHE": str(cache), "CHITIEU_DATA": str(ROOT / "data")}
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
            for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr[-2000:]
    rows = {r.stdout.split()[0] for r in runs}
    assert len(rows) == 1
    assert runs[0].stdout.split()[1] == "True" and runs[1].stdout.split()[1] == "False"


def test_a_changed_byte_is_checked_again_with_the_same_message(cache: Path, tmp_path: Path, monkeypatch):
    from chitieu.io import data as data_mod

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    data_mod.load_locality("phieng-pan", data)  # valid: remembered
    values = data / "phieng-pan" / "values.csv"
    text = values.read_text(encoding="utf-8")
    values.write_text(text.replace("agricultural_area,2030,target,9589,", "agricultural_area,2030,target,9.589.0,"),
                      encoding="utf-8")
    with pytest.raises(DataError) as cached:
        data_mod.load_locality("phieng-pan", data)
    monkeypatch.setenv("CHITIEU_CACHE", "off")
    with pytest.raises(DataError) as uncached:
        data_mod.load_locality("phieng-pan", data)
    assert str(cached.value) == str(uncached.value) and "values.csv, dòng 2, cột 'value'" in str(cached.value)
    # a failure is never remembered: with the cache on, the same bytes fail again
    monkeypatch.setenv("CHITIEU_CACHE", str(cache))
    with pytest.raises(DataError):
        data_mod.load_locality("phieng-pan", data)
    # a cited source document changed: checked again (the raw text is no longer on its line)
    values.write_text(text, encoding="utf-8")
    data_mod.load_locality("phieng-pan", data)
    source = data / "sources" / "004_05b6456d80a4201f.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("9.589", "9.598"), encoding="utf-8")
    with pytest.raises(DataError) as moved:
        data_mod.load_locality("phieng-pan", data)
    assert "raw text not found" in str(moved.value)


def test_a_tampered_or_foreign_cache_entry_is_not_trusted(cache: Path, tmp_path: Path):
    from chitieu.io import data as data_mod

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    key = data_mod._validation_key("phieng-pan", data)
    (cache / "validated-v1").mkdir(parents=True)
    (cache / "validated-v1" / f"{key}.json").write_text(json.dumps({"key": "another", "warnings": []}),
                                                        encoding="utf-8")
    loc = data_mod.load_locality("phieng-pan", data)  # the entry names another key: checked, then remembered
    assert json.loads((cache / "validated-v1" / f"{key}.json").read_text(encoding="utf-8"))["key"] == key
    _same(loc, data_mod._load_and_check("phieng-pan", data))


def test_the_cache_can_be_turned_off(tmp_path: Path, monkeypatch):
    from chitieu.io import data as data_mod

    monkeypatch.setenv("CHITIEU_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    data_mod.load_locality("phieng-pan", ROOT / "data")
    data_mod.load_localities(ROOT / "data")
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


def test_a_cache_that_cannot_be_written_is_said_once(tmp_path, monkeypatch):
    """The validation cache's write failures were swallowed (``except OSError: pass``): the user never learnt that
    every command validated everything again. Now one line on stderr says so, and the command still works."""
    from conftest import run_cli

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("CHITIEU_CACHE", str(blocker / "cache"))
    res = run_cli("table", "muong-ang", "--format", "csv")
    assert res.returncode == 0, res.stderr
    assert res.stderr.count("không ghi được bộ nhớ đệm") == 1, res.stderr
    assert "coffee_area" in res.stdout
