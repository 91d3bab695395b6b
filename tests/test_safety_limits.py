"""Limits with clear messages (issue 17, item 6) and parameters files that are no files (item 10).

Every large or hostile file is generated here, at test time, in a temporary folder (``tests/fixtures/bad/
make_fixtures.py`` has the makers; nothing large is committed). Before this change a 50.000-row text table took
2 min 23 s and 1,28 GB to import, four zip bombs gave tracebacks at 2,2-7,6 GB or hung, ``1e300`` passed ``check``
and broke ``run``, and a parameters file that was a FIFO hung ``run``. Where the old code would hang or eat memory,
the command runs in a child process with a time limit and a memory cap, so the test fails instead of the machine.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, VENV_BIN
from test_bad_inputs import chitieu, set_line, snapshot

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "bad"))
import make_fixtures  # noqa: E402

NEW = ("--name", "xã Mới", "--level", "xa", "--province", "Sơn La")
V = "data/muong-ang/values.csv"


def bounded(*args: str, data: Path, timeout: float = 60, memory: int = 4_000_000_000,
            python: str | None = None) -> tuple[int | str, str]:
    """``chitieu ARGS`` (or ``python -c PYTHON``) in a child process capped at ``memory`` bytes of address space
    and ``timeout`` seconds: ``("timeout", …)`` when it does not finish (a hang), the exit code otherwise, with
    stdout + stderr folded to one line."""
    exe = VENV_BIN / "chitieu"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "chitieu.cli"]
    if python is not None:
        cmd = [sys.executable, "-c", python]

    def cap():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    try:
        res = subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=timeout, preexec_fn=cap,
                             env=dict(os.environ, CHITIEU_DATA=str(data)), cwd=data.parent)
    except subprocess.TimeoutExpired:
        return "timeout", ""
    return res.returncode, " ".join((res.stdout + "\n" + res.stderr).split())


def refused(result, *words: str) -> None:
    assert result.code == 2, (result.code, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    for w in words:
        assert w in result.text, (w, result.text)


# --------------------------------------------------------------------------------------------------------------
# Tables to import
# --------------------------------------------------------------------------------------------------------------

def test_a_50000_row_text_table_is_refused_at_once_naming_the_limit(tmp_path: Path, data_copy: Path):
    big = make_fixtures.text_table(tmp_path / "bieu_lon.txt", 50_000)
    before = snapshot(data_copy)
    result = chitieu("import", str(big), "-l", "xa-lon", *NEW, data=data_copy)
    refused(result, "bieu_lon.txt", "50.001 dòng", "vượt giới hạn 2.000 dòng", "chitieu panel")
    assert snapshot(data_copy) == before


def test_a_table_at_the_limit_is_imported_with_progress(tmp_path: Path, data_copy: Path):
    """Under the limit nothing changes, and the steps are said on stderr as they happen."""
    table = make_fixtures.text_table(tmp_path / "bieu.txt", 200)
    result = chitieu("import", str(table), "-l", "xa-vua", *NEW, data=data_copy)
    assert result.code == 0, result.stderr
    for step in ("đọc bieu.txt", "đã đọc 201 dòng", "phân tích 201 dòng", "kiểm tra 200 chỉ tiêu", "ghi vào data/"):
        assert step in result.stderr, result.stderr
    assert result.stderr.index("phân tích") < result.stderr.index("ghi vào data/")


@pytest.mark.parametrize("kind", ["rows_xlsx", pytest.param("rows_docx", marks=pytest.mark.slow), "columns", "cell"])
def test_tables_beyond_a_limit_are_refused_naming_it(kind: str, tmp_path: Path, data_copy: Path):
    rows = make_fixtures.table_rows(3)
    if kind == "rows_xlsx":
        path, words = make_fixtures.xlsx_table(tmp_path / "lon.xlsx", make_fixtures.table_rows(2_100)), \
            ("lon.xlsx", "vượt giới hạn 2.000 dòng")
    elif kind == "rows_docx":
        path, words = make_fixtures.docx_table(tmp_path / "lon.docx", make_fixtures.table_rows(2_100)), \
            ("lon.docx", "bảng 1 có 2.101 dòng, vượt giới hạn 2.000 dòng")
    elif kind == "columns":
        rows[2] = rows[2] + ["x"] * 70
        path, words = make_fixtures.xlsx_table(tmp_path / "rong.xlsx", rows), ("dòng 3 có 78 cột", "giới hạn 60 cột")
    else:
        rows[2][1] = "Diện tích " * 1_000
        path = tmp_path / "dai.txt"
        path.write_text("\n".join("\t".join(r) for r in rows) + "\n", encoding="utf-8")
        words = ("dai.txt", "dòng 3, cột 2", "vượt giới hạn 4.000 ký tự một ô")
    before = snapshot(data_copy)
    refused(chitieu("import", str(path), "-l", "xa-lon", *NEW, data=data_copy), *words)
    assert snapshot(data_copy) == before


@pytest.mark.parametrize("kind, size, words", [
    ("xlsx_sheet", 256 << 20, ("khi giải nén lớn", "vượt giới hạn 200 MB", "zip bomb")),
    ("many_parts", 1, ("5.009 tệp bên trong", "vượt giới hạn 2.000")),
])
def test_a_zip_bomb_is_refused_from_the_zip_directory(kind: str, size: int, words, tmp_path: Path, data_copy: Path):
    bomb = make_fixtures.zip_bomb(tmp_path, kind, size)
    assert bomb.stat().st_size < 3_000_000  # a small file ...
    code, text = bounded("import", str(bomb), "-l", "xa-bom", *NEW, data=data_copy, timeout=60)
    assert code == 2 and "Traceback" not in text, (code, text[-2000:])  # ... refused, not inflated
    for w in words:
        assert w in text, (w, text)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["xlsx_sheet", "xlsx_strings", "docx_document"])
def test_one_gib_zip_bombs_are_refused_in_a_second(kind: str, tmp_path: Path, data_copy: Path):
    """The issue's four bombs: 1 GiB each inside a few MB (and ``many_parts`` above)."""
    bomb = make_fixtures.zip_bomb(tmp_path, kind)
    code, text = bounded("import", str(bomb), "-l", "xa-bom", *NEW, data=data_copy, timeout=60)
    assert code == 2 and "Traceback" not in text, (code, text[-2000:])
    assert "khi giải nén lớn 1,1 GB, vượt giới hạn 200 MB" in text, text


def test_a_sheet_that_claims_a_million_rows_is_read_for_what_it_holds(tmp_path: Path, data_copy: Path):
    """A few KB whose sheet declares A1:XFD1048576 with a cell in the last row: the old reader walked the declared
    million rows (a hang); now the declared size is ignored and the far-away row is refused by the row limit."""
    path = make_fixtures.xlsx_declared_huge(tmp_path)
    code, text = bounded("import", str(path), "-l", "xa-bom", *NEW, data=data_copy, timeout=60)
    assert code == 2 and "kich_thuoc_gia.xlsx, trang tính 'Sheet'" in text and "dòng" in text, (code, text[-2000:])


@pytest.mark.slow  # two child processes
def test_an_import_source_that_is_a_fifo_or_a_device_is_refused_without_reading(tmp_path: Path, data_copy: Path):
    fifo = tmp_path / "bieu.txt"
    os.mkfifo(fifo)
    code, text = bounded("import", str(fifo), "-l", "xa-moi", *NEW, data=data_copy, timeout=30)
    assert code == 2 and "là một ống FIFO, không phải tệp thường" in text, (code, text)  # before: hung
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    code, text = bounded("import", str(zero), "-l", "xa-moi", *NEW, data=data_copy, timeout=30)
    assert code == 2 and "là một thiết bị" in text, (code, text)


# --------------------------------------------------------------------------------------------------------------
# data/ itself
# --------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e300", "-1e16", "1e-300"])
def test_a_magnitude_chitieu_cannot_compute_is_a_data_problem(value: str, data_copy: Path):
    """``1e300`` passed ``check`` and then broke ``run`` with tracebacks and a bare InvalidOperation."""
    set_line(V, 31, ",2815,", f",{value},")(data_copy)
    for args in (("check",), ("table", "muong-ang", "--format", "csv")):
        refused(chitieu(*args, data=data_copy), f"{V}, dòng 31, cột 'value'", f"'{value}'", "ngoài khoảng tính được",
                "10^15")


def test_a_data_file_beyond_the_row_limit_is_a_problem_at_once(data_copy: Path):
    values = data_copy / "muong-ang" / "values.csv"
    body = values.read_text(encoding="utf-8")
    header, first = body.split("\n")[:2]
    values.write_text(header + "\n" + (first + "\n") * 25_000, encoding="utf-8")
    refused(chitieu("check", data=data_copy), f"{V}: tệp có 25.000 dòng, vượt giới hạn 20.000 dòng")


@pytest.mark.slow  # a child process
def test_a_data_file_that_is_a_device_is_a_problem_not_a_hang(data_copy: Path):
    values = data_copy / "muong-ang" / "values.csv"
    values.unlink()
    values.symlink_to("/dev/zero")
    code, text = bounded("check", data=data_copy, timeout=60)
    assert code == 2 and f"{V}: là một thiết bị, không phải tệp thường" in text, (code, text[-1500:])


# --------------------------------------------------------------------------------------------------------------
# Parameters (item 10): `run` validates them before any kernel starts
# --------------------------------------------------------------------------------------------------------------

PARAMS_CASES = {
    "year_5000_digits": (lambda p: p.write_text("locality: muong-ang\nyear: " + "9" * 5000 + "\n", encoding="utf-8"),
                         "có một số dài hơn 4.300 chữ số"),
    "too_large": (lambda p: p.write_text("locality: muong-ang\n# " + "x" * 70_000 + "\n", encoding="utf-8"),
                  "vượt giới hạn 64 KB"),
    "nested": (lambda p: p.write_text("locality: muong-ang\nscenarios: " + "[" * 3000 + "]" * 3000 + "\n",
                                      encoding="utf-8"), "không đọc được YAML"),
    "folder": (lambda p: p.mkdir(), "là một thư mục"),
    "dev_zero": (lambda p: p.symlink_to("/dev/zero"), "là một thiết bị, không phải tệp thường"),
    "fifo": (lambda p: os.mkfifo(p), "là một ống FIFO, không phải tệp thường"),
}


@pytest.mark.parametrize("case", ["year_5000_digits", "too_large", "nested", "folder"])
def test_a_parameters_file_that_cannot_be_read_is_a_message(case: str, data_copy: Path):
    """``run`` validates every parameters file before any kernel starts: a message naming the file, exit 2."""
    make, words = PARAMS_CASES[case]
    params = data_copy.parent / "params"
    params.mkdir()
    make(params / "muong-ang.yaml")
    out = data_copy.parent / "outputs"
    refused(chitieu("run", "muong-ang", "--params", str(params), "--out", str(out), data=data_copy),
            "muong-ang.yaml", words)  # before: a ValueError traceback (5.000 digits), RecursionError (nested)
    assert not out.exists()


@pytest.mark.parametrize("case", ["dev_zero", "fifo"])
def test_a_parameters_file_that_is_a_device_or_a_fifo_is_refused_unread(case: str, data_copy: Path):
    """Before: a MemoryError traceback (/dev/zero) or a hang (FIFO). In a bounded child process, so that the old
    behaviour fails the test instead of filling the memory or hanging the suite."""
    make, words = PARAMS_CASES[case]
    params = data_copy.parent / "params"
    params.mkdir()
    make(params / "muong-ang.yaml")
    code, text = bounded(data=data_copy, timeout=60, python=(
        "from chitieu.report.params import ParamsError, load_params\n"
        "try:\n"
        f"    load_params('muong-ang', __import__('pathlib').Path({str(params)!r}), known={{'muong-ang'}})\n"
        "except ParamsError as exc:\n"
        "    print(exc); raise SystemExit(2)\n"))
    assert code == 2 and "muong-ang.yaml" in text and words in text, (code, text[-2000:])


@pytest.mark.slow
@pytest.mark.parametrize("case", ["dev_zero", "fifo", "year_5000_digits"])
def test_run_refuses_such_parameters_before_any_kernel(case: str, data_copy: Path):
    make, words = PARAMS_CASES[case]
    params = data_copy.parent / "params"
    params.mkdir()
    make(params / "muong-ang.yaml")
    code, text = bounded("run", "muong-ang", "--params", str(params), "--out", str(data_copy.parent / "outputs"),
                         data=data_copy, timeout=120)
    assert code == 2, (code, text[-2000:])
    assert "Traceback" not in text and "muong-ang.yaml" in text and words in text, text[-2000:]
    assert not (data_copy.parent / "outputs").exists()
