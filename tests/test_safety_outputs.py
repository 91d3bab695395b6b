"""Outputs never land inside data/, params/ or notebooks/ (issue 17, item 1), and locality ids are checked once,
in one place (item 8).

Each command that writes where the user says is run in-process (as the console script runs it) inside a private
project (a copy of data/, an empty params/), with the output pointed into the inputs — directly, through ``..``,
through a link to a file, through a link to a folder. Each must exit 2 with a message naming the protected folder,
and no file of the project may change. Before this change ``chitieu table muong-ang -f csv -o
data/muong-ang/values.csv`` replaced the data file and exited 0.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import ROOT
from test_bad_inputs import chitieu, snapshot

DRAFT = ROOT / "tests" / "fixtures" / "du_thao_muong_ang.txt"


@pytest.fixture
def project(data_copy: Path) -> Path:
    """A project folder: data/ (a copy), params/ (empty), and the links a user might have made."""
    root = data_copy.parent
    (root / "params").mkdir()
    (root / "ra.csv").symlink_to(data_copy / "muong-ang" / "values.csv")  # a link to a data file
    (root / "ketqua").symlink_to(data_copy)  # a link to the data folder
    (root / "thamso").symlink_to(root / "params")
    return root


INTO_INPUTS = [
    ("table", "muong-ang", "-f", "csv", "-o", "data/muong-ang/values.csv"),
    ("table", "muong-ang", "-f", "xlsx", "-o", "data/bieu.xlsx"),
    ("table", "muong-ang", "-f", "csv", "-o", "outputs/../data/muong-ang/values.csv"),
    ("table", "muong-ang", "-f", "csv", "-o", "ra.csv"),
    ("table", "muong-ang", "-f", "csv", "-o", "ketqua/muong-ang/values.csv"),
    ("table", "muong-ang", "-f", "csv", "-o", "{notebooks}/bieu.csv"),
    ("data", "muong-ang", "-o", "data"),
    ("data", "muong-ang", "-f", "xlsx", "-o", "data/muong-ang/so-lieu.xlsx"),
    ("project", "muong-ang", "-f", "csv", "-o", "params/tien-do.csv"),
    ("project", "muong-ang", "-f", "csv", "-o", "thamso/tien-do.csv"),
    ("compare", "muong-ang", "hac-thanh", "-f", "csv", "-o", "data/so-sanh.csv"),
    ("compare", "muong-ang", "hac-thanh", "-f", "html", "-o", "data/so-sanh.html"),
    ("audit", str(DRAFT), "-l", "muong-ang", "-f", "csv", "-o", "data/muong-ang/doi-chieu.csv"),
    ("draft", "muong-ang", "--no-charts", "--output", "data/muong-ang"),
    ("panel", "data/muong-ang/values.csv", "--output", "data/tien-do.csv"),
]


@pytest.mark.parametrize("args", INTO_INPUTS, ids=lambda a: f"{a[0]}:{a[-1]}")
def test_an_output_inside_the_inputs_is_refused(args: tuple[str, ...], project: Path):
    args = tuple(a.replace("{notebooks}", str(ROOT / "notebooks")) for a in args)
    before = snapshot(project)
    result = chitieu(*args, data=project / "data", cwd=project)
    assert result.code == 2, (result.code, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert "chitieu không bao giờ ghi kết quả vào" in result.text and "an output may never be written inside" in \
        result.text, result.text
    assert any(f"thư mục {name}/" in result.text for name in ("data", "params", "notebooks")), result.text
    assert snapshot(project) == before  # nothing written, nothing replaced (the links are still links)
    assert (project / "ra.csv").is_symlink()


def test_an_output_elsewhere_is_written(project: Path):
    """The control: the same command with an ordinary output path works (the refusal can tell the two apart)."""
    result = chitieu("table", "muong-ang", "-f", "csv", "-o", "outputs/bieu.csv", data=project / "data", cwd=project)
    assert result.code == 0, result.stderr
    assert "coffee_area" in (project / "outputs" / "bieu.csv").read_text(encoding="utf-8-sig")


def test_the_guard_resolves_links_and_loops(project: Path, monkeypatch):
    from chitieu.config import check_output_path
    from chitieu.errors import ConfigError

    monkeypatch.chdir(project)
    monkeypatch.setenv("CHITIEU_DATA", str(project / "data"))
    assert check_output_path("outputs/x.csv") == Path("outputs/x.csv")
    (project / "vong-a").symlink_to(project / "vong-b")
    (project / "vong-b").symlink_to(project / "vong-a")
    (project / "chuoi").symlink_to(project / "ketqua")  # a link to a link to data/
    for bad in ("data", "data/", "./data/muong-ang", "chuoi/x.csv", "ra.csv", str(project / "data" / "sources" / "x")):
        with pytest.raises(ConfigError, match="nằm trong thư mục data/"):
            check_output_path(bad)
    with pytest.raises(ConfigError):
        check_output_path("vong-a/x.csv")  # a loop of links: refused, not followed for ever


def test_the_safe_writers_refuse_the_inputs_too(project: Path, monkeypatch):
    """Library code (a notebook, a helper) that writes through chitieu's writers is held to the same rule."""
    from chitieu.errors import ConfigError
    from chitieu.io.safe import atomic_folder, atomic_write_bytes

    monkeypatch.chdir(project)
    monkeypatch.setenv("CHITIEU_DATA", str(project / "data"))
    before = snapshot(project)
    with pytest.raises(ConfigError):
        atomic_write_bytes(project / "data" / "muong-ang" / "values.csv", b"x")
    with pytest.raises(ConfigError):
        with atomic_folder(project / "data" / "muong-ang") as tmp:
            (tmp / "values.csv").write_text("x")
    assert snapshot(project) == before


# --------------------------------------------------------------------------------------------------------------
# Locality ids: one check, everywhere (item 8)
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, words", [
    ("muong-ang\n", "không hợp lệ: 'muong-ang\\n' — có ký tự điều khiển ở cuối"),
    ("muong-ang\r\n", "ký tự điều khiển"),
    ("muong\u200bang", "U+200B"),
    ("muong\tang", "U+0009"),
    ("Mường Ảng", "có lẽ: 'muong-ang'"),
    ("Mu\u031bo\u031b\u0300ng", "ascii only"),  # NFD
    ("compare", "dùng riêng"),
    ("sources", "dùng riêng"),
    ("../../etc", "chỉ chữ thường không dấu"),
    ("a--b", "có lẽ: 'a-b'"),
    ("-ab", "chỉ chữ thường không dấu"),
    ("a" * 61, "tối đa 60"),
    ("", "để trống"),
    (None, "phải là chữ"),
])
def test_an_invalid_id_is_refused_with_the_reason(value, words):
    from chitieu.config import check_locality_id
    from chitieu.errors import ConfigError, InputError, LocalityIdError

    with pytest.raises(LocalityIdError) as info:
        check_locality_id(value)
    assert words in str(info.value)
    assert isinstance(info.value, InputError) and isinstance(info.value, ConfigError)


@pytest.mark.parametrize("value", ["muong-ang", "xa-2", "a", "phuong-1-2-3", "a" * 60])
def test_a_valid_id_passes(value):
    from chitieu.config import check_locality_id

    assert check_locality_id(value) == value


@pytest.mark.parametrize("locality, words", [
    ("xa-moi\n", "ký tự điều khiển ở cuối"),  # accepted before: then `run --all` failed for every locality
    ("compare", "dùng riêng"),                # accepted before: its report overwritten by the comparison
    ("sources", "dùng riêng"),                # before: 'File exists' on a staging path
])
def test_import_refuses_the_id_before_anything(locality: str, words: str, data_copy: Path):
    before = snapshot(data_copy.parent)
    result = chitieu("import", str(ROOT / "tests" / "fixtures" / "bieu_nho.tsv"), "-l", locality, "--name", "xã Mới",
                     "--level", "xa", "--province", "Sơn La", data=data_copy, cwd=data_copy.parent)
    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
    assert words in result.text and "File exists" not in result.text, result.text
    assert snapshot(data_copy.parent) == before


def test_a_reserved_or_broken_id_in_localities_csv_is_a_data_problem(data_copy: Path):
    """`compare` as a locality (with its folder) was valid data before; an id with a line break in it too."""
    import shutil

    loc = data_copy / "localities.csv"
    text = loc.read_text(encoding="utf-8")
    loc.write_text(text.replace("phuong-mau,", "compare,", 1).replace("hac-thanh,", '"hac-thanh\n",', 1),
                   encoding="utf-8")
    shutil.move(data_copy / "phuong-mau", data_copy / "compare")
    result = chitieu("check", data=data_copy)
    assert result.code == 2 and "Traceback" not in result.stderr
    assert "cột 'id': 'compare': id: chữ thường, số, '-' (không phải tên thư mục dùng riêng" in result.text, result.text
    assert "data/localities.csv, dòng 3, cột 'id': 'hac-thanh" in result.text, result.text


def test_commands_refuse_an_id_with_a_line_break(data_copy: Path):
    for args in (("table", "muong-ang\n"), ("data", "muong-ang\n"), ("project", "muong-ang\n")):
        result = chitieu(*args, data=data_copy)
        assert result.code == 2 and "Traceback" not in result.stderr, (args, result.stderr)
        assert "ký tự điều khiển" in result.text or "không có địa phương" in result.text, result.text


def test_params_refuse_an_id_with_a_line_break(data_copy: Path):
    from chitieu.report.params import ParamsError, load_params

    folder = data_copy.parent / "params"
    folder.mkdir()
    (folder / "muong-ang.yaml").write_text('locality: "muong-ang\\n"\n', encoding="utf-8")
    with pytest.raises(ParamsError, match="ký tự điều khiển"):
        load_params("muong-ang", folder, known={"muong-ang"})
    with pytest.raises(ParamsError, match="ký tự điều khiển"):
        load_params("muong-ang\n", folder, known={"muong-ang\n"})
    os.remove(folder / "muong-ang.yaml")
    with pytest.raises(ParamsError, match="dùng riêng"):
        load_params("compare", folder, known={"compare"})
