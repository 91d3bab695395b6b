"""``chitieu import`` of several tables in one call (one process): one locality id per file, a mapping file, or a
folder; a file that fails changes nothing and does not stop the others (#16: 52 tables were 52 start-ups)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

FIXTURE = ROOT / "tests" / "fixtures" / "bieu_nho.tsv"  # six rows of the Mường Ảng table, tab-separated


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.name.startswith(".chitieu"):
            h.update(str(p.relative_to(root)).encode() + p.read_bytes())
    return h.hexdigest()


@pytest.mark.slow
def test_a_folder_with_a_mapping_imports_every_table_and_names_the_one_that_fails(data_copy: Path, tmp_path: Path):
    folder = tmp_path / "bieu"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "a.tsv")
    shutil.copy(FIXTURE, folder / "b.tsv")
    (folder / "c.txt").write_text("không phải một bảng\n", encoding="utf-8")
    (folder / "map.csv").write_text("file,locality,name,level,province\n"
                                    "a.tsv,xa-a,xã A (thử),xa,Điện Biên\n"
                                    "b.tsv,xa-b,xã B (thử),xa,Điện Biên\n"
                                    "c.txt,xa-c,xã C (thử),xa,Điện Biên\n", encoding="utf-8")
    res = run_cli("import", str(folder), "--map", str(folder / "map.csv"), "-q", data=data_copy)
    assert res.returncode == 2, res.stderr  # one file failed
    assert "Traceback" not in res.stderr + res.stdout
    assert "Đã nhập 2/3 tệp" in res.stdout and "LỖI c.txt (xa-c)" in res.stdout
    assert res.stdout.count("Đã nhập 6 chỉ tiêu, 21 số liệu, 6 so sánh") == 2  # the fixture's own counts
    localities = (data_copy / "localities.csv").read_text(encoding="utf-8")
    assert "xa-a,xã A (thử),xa,Điện Biên" in localities and "xa-b,xã B (thử)" in localities
    assert "xa-c" not in localities and not (data_copy / "xa-c").exists()  # the failed one changed nothing
    check = run_cli("check", data=data_copy)
    assert check.returncode == 0, check.stderr
    table = run_cli("table", "xa-b", "--format", "csv", data=data_copy)
    assert table.returncode == 0 and "2815" in table.stdout, table.stderr  # the fixture's 2.815 ha


@pytest.mark.slow
def test_one_id_per_file_in_order(data_copy: Path, tmp_path: Path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    shutil.copy(FIXTURE, a)
    shutil.copy(FIXTURE, b)
    before = _digest(data_copy)
    # one name for two new localities: refused before anything is written (it used to name both after it)
    res = run_cli("import", str(a), str(b), "-l", "xa-mot", "-l", "xa-hai", "--name", "xã Thử", "--level", "xa",
                  "--province", "Điện Biên", "-q", data=data_copy)
    assert res.returncode == 2 and "một --name cho mỗi tệp" in res.stderr and "Traceback" not in res.stderr
    assert _digest(data_copy) == before
    # a name per file, in order; a level and a province given once are shared
    res = run_cli("import", str(a), str(b), "-l", "xa-mot", "-l", "xa-hai", "--name", "xã Một", "--name", "xã Hai",
                  "--level", "xa", "--province", "Điện Biên", "-q", data=data_copy)
    assert res.returncode == 0, res.stderr
    assert "=== [1/2]" in res.stdout and "data/xa-mot/" in res.stdout and "data/xa-hai/" in res.stdout
    assert (data_copy / "xa-mot" / "values.csv").exists() and (data_copy / "xa-hai" / "values.csv").exists()
    localities = (data_copy / "localities.csv").read_text(encoding="utf-8")
    assert "xa-mot,xã Một,xa,Điện Biên" in localities and "xa-hai,xã Hai,xa,Điện Biên" in localities


def test_repeated_options_pair_with_the_files_never_only_the_last(data_copy: Path, tmp_path: Path):
    """A new user's call (the lead, 2026-12-06): a province and two national tables, one --name and --level each.
    Typer kept the last --name and --level for all three, so the province became "cả nước", level quoc-gia."""
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    shutil.copy(FIXTURE, a)
    shutil.copy(FIXTURE, b)
    res = run_cli("import", str(a), str(b), "-l", "tinh-a", "-l", "ca-nuoc-b", "--name", "tỉnh A", "--name",
                  "cả nước", "--level", "tinh", "--level", "quoc-gia", "-q", data=data_copy)
    assert res.returncode == 0, res.stderr
    localities = (data_copy / "localities.csv").read_text(encoding="utf-8")
    # no --province: a province is its own ("tỉnh A" → "A"), the country's is "Việt Nam"
    assert "tinh-a,tỉnh A,tinh,A," in localities and "ca-nuoc-b,cả nước,quoc-gia,Việt Nam," in localities
    res = run_cli("import", str(a), str(b), "-l", "xa-x", "-l", "xa-y", "--name", "xã X", "--name", "xã Y",
                  "--level", "xa", "--level", "xa", "--level", "xa", "-q", data=data_copy)
    assert res.returncode == 2 and "--level: 3 giá trị cho 2 tệp" in res.stderr


def test_files_and_ids_that_do_not_pair_are_refused_before_anything_is_written(data_copy: Path, tmp_path: Path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    shutil.copy(FIXTURE, a)
    shutil.copy(FIXTURE, b)
    before = _digest(data_copy)
    res = run_cli("import", str(a), str(b), "-l", "xa-mot", data=data_copy)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "2 tệp cần 2 mã địa phương" in res.stderr
    bad_map = tmp_path / "map.csv"
    bad_map.write_text("tep,ma\na.tsv,xa-a\n", encoding="utf-8")
    res = run_cli("import", str(a), "--map", str(bad_map), data=data_copy)
    assert res.returncode == 2 and "cần các cột 'file' và 'locality'" in res.stderr
    bad_map.write_text("file,locality\na.tsv,xa-a\n", encoding="utf-8")
    res = run_cli("import", str(a), str(b), "--map", str(bad_map), data=data_copy)
    assert res.returncode == 2 and "b.tsv" in res.stderr and "no row" in res.stderr
    assert _digest(data_copy) == before
