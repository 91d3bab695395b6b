"""Bad input gets a clear answer: a corpus of broken data files, parameters and command lines.

Each case breaks one thing in a private copy of ``data/`` (``CHITIEU_DATA``), runs one ``chitieu`` command and
checks that it exits non-zero with a message naming the file (and the row and column where they apply) and what
was expected — never a traceback — and that no file under the test's folder changed: not the data copy (apart
from what the case itself broke, before the command ran), not an earlier ``outputs/``.

The commands run in-process through :func:`chitieu.cli.main`, the console script's own entry point (≈0,2 s a case
instead of ≈3 s of interpreter start); :func:`test_same_answers_from_the_installed_command` runs a few cases
through the real ``chitieu`` executable to show the two agree. The table of cases and messages is
``docs/ERRORS.md`` (``python tests/test_bad_inputs.py`` prints it from the cases below).
"""
from __future__ import annotations

from _tier import examples
import contextlib
import csv
import hashlib
import math
import io
import json
import os
import shutil
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest

from conftest import DATA, ROOT, run_cli

V = "data/muong-ang/values.csv"
VN = "data/muong-ang/values_narrative.csv"
I = "data/muong-ang/indicators.csv"  # noqa: E741
C = "data/muong-ang/comparisons.csv"
L = "data/localities.csv"
K = "data/catalogue.csv"
BAD = Path(__file__).resolve().parent / "fixtures" / "bad"


# --------------------------------------------------------------------------------------------
# Running the command in-process, and what "nothing changed" means
# --------------------------------------------------------------------------------------------

@dataclass
class Result:
    code: int | str  # "traceback" when an exception escaped main()
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        """stdout + stderr with every run of whitespace folded to one space (the console wraps long lines)."""
        return " ".join((self.stdout + "\n" + self.stderr).split())


def chitieu(*args: str, data: Path, cwd: Path | None = None) -> Result:
    """``chitieu ARGS`` in this process, as the console script runs it (``chitieu.cli:main``)."""
    import chitieu.cli as cli

    out, err = io.StringIO(), io.StringIO()
    code: int | str = 0
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.dict(os.environ, {"CHITIEU_DATA": str(data), "COLUMNS": "100"}))
        stack.enter_context(mock.patch.object(sys, "argv", ["chitieu", *args]))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        if cwd is not None:
            stack.enter_context(contextlib.chdir(cwd))
        try:
            cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # noqa: BLE001 - this is what the user would see as a traceback
            code = "traceback"
            err.write(traceback.format_exc())
    return Result(code, out.getvalue(), err.getvalue())


def snapshot(root: Path) -> dict[str, str]:
    """Every file (sha256) and folder under ``root``."""
    return {str(p.relative_to(root)): (hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>")
            for p in sorted(root.rglob("*"))}


def earlier_outputs(out: Path) -> None:
    """A complete-looking earlier run in ``out/`` that no failing command may touch."""
    for loc in ("muong-ang", "phieng-pan"):
        d = out / loc
        (d / "charts").mkdir(parents=True)
        (d / "report.html").write_text(f"<!doctype html><html><body>báo cáo cũ {loc}</body></html>", encoding="utf-8")
        (d / "records.json").write_text('{"locality": "%s", "counts": {"met": 1}}' % loc, encoding="utf-8")
        (d / "report.ipynb").write_text("{}", encoding="utf-8")
        (d / "bieu-ket-qua.xlsx").write_bytes(b"PK\x03\x04 earlier workbook")
        (d / "bieu.csv").write_text("indicator\nearlier\n", encoding="utf-8")
        (d / "charts" / "ty-le-dat.png").write_bytes(b"\x89PNG earlier")
    (out / "index.html").write_text("<!doctype html><html><body>mục lục cũ</body></html>", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Breaking a data copy
# --------------------------------------------------------------------------------------------

def _path(d: Path, rel: str) -> Path:
    return d.parent / rel  # rel starts with "data/"


def sub(rel: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace the first ``old`` with ``new`` in one file."""
    def apply(d: Path) -> None:
        p = _path(d, rel)
        text = p.read_text(encoding="utf-8")
        assert old in text, f"{rel}: {old!r} not found: the corpus needs updating"
        p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def set_line(rel: str, n: int, old: str, new: str) -> Callable[[Path], None]:
    """Replace ``old`` with ``new`` on line ``n`` (1-based; the header is line 1)."""
    def apply(d: Path) -> None:
        p = _path(d, rel)
        lines = p.read_text(encoding="utf-8").split("\n")
        assert old in lines[n - 1], f"{rel}:{n}: {old!r} not in {lines[n - 1]!r}: the corpus needs updating"
        lines[n - 1] = lines[n - 1].replace(old, new, 1)
        p.write_text("\n".join(lines), encoding="utf-8")
    return apply


def append(rel: str, text: str) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        p = _path(d, rel)
        body = p.read_text(encoding="utf-8")
        p.write_text(body + ("" if body.endswith("\n") else "\n") + text + "\n", encoding="utf-8")
    return apply


def copy_line(rel: str, n: int) -> Callable[[Path], None]:
    """Append a copy of line ``n`` at the end of the file."""
    def apply(d: Path) -> None:
        p = _path(d, rel)
        lines = p.read_text(encoding="utf-8").rstrip("\n").split("\n")
        p.write_text("\n".join([*lines, lines[n - 1]]) + "\n", encoding="utf-8")
    return apply


def write_bytes(rel: str, data: bytes | Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        p = _path(d, rel)
        p.write_bytes(data(p.read_bytes()) if callable(data) else data)
    return apply


def remove(rel: str) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        p = _path(d, rel)
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return apply


def header_only(rel: str) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        p = _path(d, rel)
        p.write_text(p.read_text(encoding="utf-8").split("\n", 1)[0] + "\n", encoding="utf-8")
    return apply


def _fixture_maker():
    """tests/fixtures/bad/make_fixtures.py, which wrote the fixtures: one encoder for both."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", ROOT / "tests" / "fixtures" / "bad" / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def to_windows_1258(text: str) -> bytes:
    """Vietnamese text as Windows-1258 writes it (precomposed letters, tones as combining marks)."""
    return _fixture_maker().to_windows_1258(text)


def windows_1258(raw: bytes) -> bytes:
    """What Excel on a Vietnamese Windows writes for 'CSV (Comma delimited)'."""
    return to_windows_1258(raw.decode("utf-8"))


def semicolons(raw: bytes) -> bytes:
    """What Excel writes with a Vietnamese regional setting (decimal comma): ';' between the cells."""
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def extra_folder(d: Path) -> None:
    (d / "muong-lay").mkdir()
    (d / "muong-lay" / "values.csv").write_text("indicator,period\n", encoding="utf-8")


def params_file(text: str | bytes) -> Callable[[Path], None]:
    """A parameters folder beside the data copy, holding ``muong-ang.yaml``."""
    def apply(d: Path) -> None:
        folder = d.parent / "params"
        folder.mkdir(exist_ok=True)
        p = folder / "muong-ang.yaml"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return apply


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(d: Path) -> None:
        for step in steps:
            step(d)
    return apply


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------

@dataclass
class Case:
    id: str
    what: str  # the bad input, in words (docs/ERRORS.md)
    breaks: Callable[[Path], None] | None
    args: tuple[str, ...]  # {out} = the earlier outputs folder, {params} = the parameters folder
    expect: tuple[str, ...]  # substrings of the message: file, row, column, what was expected
    code: int = 2
    index_changes: bool = False  # `run` rewrites index.html to name the failure (the reports stay untouched)
    data: str | None = None  # CHITIEU_DATA relative to the test folder, when not the data copy
    tags: tuple[str, ...] = field(default_factory=tuple)


ROW3 = f"{V}, dòng 3"  # econ_share_agriculture,2024,estimate,29.4,=,,,29.40%,002_12d62f31151c975c.txt:790,,

CASES = [
    # --- columns and shape
    Case("missing_column", "values.csv without the `value` column (renamed)",
         sub(V, "status,value,comparator", "status,gia_tri,comparator"), ("check",),
         (f"{V}, dòng 1, cột 'value'", "thiếu cột (missing column)")),
    Case("wrong_column_name", "indicators.csv with `huong` for `direction`",
         sub(I, "kind,direction,", "kind,huong,"), ("table", "muong-ang"),
         (f"{I}, dòng 1, cột 'direction'", "thiếu cột")),
    Case("repeated_column", "a column named twice in the header",
         sub(V, "formula,note", "note,note"), ("check",),
         (f"{V}, dòng 1, cột 'note'", "cột lặp lại trong dòng tiêu đề")),
    Case("wrong_cell_count", "a row with one cell too many",
         set_line(V, 3, "29.40%,", "29.40%,extra,"), ("data", "muong-ang"),
         (f"{ROW3}:", "có 12 ô, tiêu đề có 11 (wrong number of cells)")),
    Case("unclosed_quote", "a quote opened and never closed (the rest of the file is one cell)",
         set_line(V, 3, "29.40%,", '"29.40%,'), ("check",),
         (f"{ROW3}:", "thiếu dấu \" đóng", "kéo dài từ dòng 3")),
    Case("unclosed_quote_huge", "an unclosed quote followed by more than 128 KB",
         append(V, 'coffee_area,2025,target,1,=,,,"' + "x" * 140_000), ("check",),
         (f"{V}, dòng 192", "không đọc được CSV", "thiếu dấu \" đóng")),
    Case("semicolons", "Excel's 'CSV' with a Vietnamese regional setting: ';' between cells",
         write_bytes(V, semicolons), ("check",), (f"{V}, dòng 1:", "cách nhau bằng ';'", "dấu phẩy")),
    Case("empty_file", "values.csv of 0 bytes", write_bytes(V, b""), ("table", "muong-ang"),
         (f"{V}: tệp rỗng (empty file)",)),
    Case("indicators_header_only", "indicators.csv with its header and no row",
         header_only(I), ("check",), ("1 lỗi dữ liệu", f"{I}: tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào (no rows)")),
    Case("spreadsheet_as_csv", "an .xlsx saved under the name values.csv",
         write_bytes(V, b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200)), ("check",),
         (f"{V}:", "tệp Excel/Word, không phải CSV", "CSV UTF-8")),
    Case("missing_values_file", "a locality folder without values.csv",
         remove("data/phieng-pan/values.csv"), ("table", "phieng-pan"),
         ("data/phieng-pan/values.csv: thiếu tệp values.csv (missing file)",)),
    # --- encodings
    Case("windows_1258", "indicators.csv saved as Windows-1258 (Excel 'CSV (Comma delimited)')",
         write_bytes(I, windows_1258), ("table", "muong-ang"),
         (f"{I}, dòng 2, cột 'name'", "không phải UTF-8", "Windows-1258", "CSV UTF-8")),
    Case("utf16", "comparisons.csv saved as UTF-16 (Excel 'Unicode Text')",
         write_bytes(C, lambda raw: raw.decode("utf-8").encode("utf-16")), ("check",),
         (f"{C}, dòng 1:", "UTF-16", "CSV UTF-8")),
    # --- values
    Case("non_numeric", "a value that is not a number", set_line(V, 3, ",29.4,", ",29.4x,"), ("check",),
         (f"{ROW3}, cột 'value'", "'29.4x'", "không phải là số viết kiểu máy")),
    Case("vietnamese_decimal", "a value written the Vietnamese way (29,4)",
         set_line(V, 3, ",29.4,", ',"29,4",'), ("project", "muong-ang"),
         (f"{ROW3}, cột 'value'", "'29,4'", "viết kiểu máy, ví dụ 29.4")),
    Case("value_with_unit", "a value with its unit (29.4%)", set_line(V, 3, ",29.4,", ",29.4%,"), ("check",),
         (f"{ROW3}, cột 'value'", "ví dụ 29.4", "đơn vị")),
    Case("placeholder", "the document's placeholder '…' copied into `value`",
         set_line(V, 3, ",29.4,", ",…,"), ("check",), (f"{ROW3}, cột 'value'", "'…'", "để trống ô này")),
    Case("ocr_letter_in_number", "an OCR-damaged number: 28l5 (letter l for 1)",
         set_line(V, 31, ",2815,", ",28l5,"), ("table", "muong-ang", "--format", "csv"),
         (f"{V}, dòng 31, cột 'value'", "'28l5'", "lỗi OCR")),
    Case("ocr_damaged_raw", "an OCR-damaged line: raw '2.8l5 ha' is not on the cited line (2.815 ha)",
         set_line(V, 31, "2.815 ha", "2.8l5 ha"), ("check",),
         (f"{V}, dòng 31, cột 'raw'", "'2.8l5 ha' không có trên dòng 798", "raw text not found")),
    Case("ocr_period", "an OCR-damaged year: 2O25 (letter O)", set_line(V, 4, "2025", "2O25"), ("check",),
         (f"{V}, dòng 4, cột 'period'", "'2O25'", "kỳ: '2025' hoặc '2021-2025'")),
    Case("negative_area", "a negative area (coffee, ha)", set_line(V, 31, ",2815,", ",-2815,"), ("check",),
         (f"{V}, dòng 31, cột 'value'", "giá trị âm (-2815)", "loại 'level'")),
    Case("negative_share", "a negative share (forest cover, %)", set_line(V, 80, ",34.11,", ",-34.11,"),
         ("check",), (f"{V}, dòng 80, cột 'value'", "giá trị âm (-34.11)", "loại 'share'")),
    Case("share_over_100", "a share above 100%", set_line(V, 80, ",34.11,", ",341.1,"), ("check",),
         (f"{V}, dòng 80, cột 'value'", "341.1% vượt 100%", "between 0 and 100")),
    Case("negative_denominator", "an x/y with a negative total", set_line(V, 128, ",30,36,", ",30,-36,"),
         ("check",), (f"{V}, dòng 128, cột 'denominator'", "denominator âm (-36)")),
    Case("zero_denominator", "an x/y out of 0", set_line(V, 128, ",30,36,", ",30,0,"), ("check",),
         (f"{V}, dòng 128, cột 'denominator'", "mẫu số bằng 0")),
    Case("mixed_units", "a value in triệu đồng for an indicator counted in tỷ đồng, without a conversion note",
         append(V, "budget_revenue,2024,actual,24441,=,,,24.441 triệu đồng,002_12d62f31151c975c.txt:155,,"),
         ("check",), (f"{V}, dòng 192, cột 'value'", "'triệu đồng'", "'tỷ đồng'", "mixed units")),
    # --- keys and references
    Case("duplicate_key", "the same record twice (indicator, period, status, source)", copy_line(V, 3),
         ("check",), (f"{V}, dòng 192, cột 'indicator'", "trùng khóa", f"với {V}, dòng 3")),
    Case("duplicate_indicator", "an indicator id declared twice", copy_line(I, 2), ("table", "muong-ang"),
         (f"{I}, dòng 71, cột 'id'", "'econ_share_agriculture' khai báo hai lần")),
    Case("duplicate_locality", "a locality listed twice", copy_line(L, 2), ("localities",),
         (f"{L}, dòng 6, cột 'id'", "'muong-ang' bị trùng")),
    Case("unknown_indicator", "a value for an indicator that indicators.csv does not declare",
         set_line(V, 3, "econ_share_agriculture", "econ_share_agri"), ("check",),
         (f"{ROW3}, cột 'indicator'", "'econ_share_agri' không có trong indicators*.csv (unknown indicator)")),
    Case("unknown_indicator_comparison", "a printed comparison for an unknown indicator",
         set_line(C, 2, "econ_share_agriculture", "econ_share_agri"), ("check",),
         (f"{C}, dòng 2, cột 'indicator'", "unknown indicator")),
    Case("unknown_catalogue_code", "a catalogue code that catalogue.csv does not have",
         set_line(I, 2, ",econ_share_agriculture,1,", ",econ_share_agri,1,"), ("check",),
         (f"{I}, dòng 2, cột 'catalogue_code'", "'econ_share_agri' không có trong data/catalogue.csv")),
    Case("unknown_locality", "a locality id that localities.csv does not have (typo)", None,
         ("table", "muong-anh"), ("'muong-anh'", "data/localities.csv", "unknown locality", "có: muong-ang")),
    Case("unknown_source_file", "a source naming a document that is not in data/sources/",
         set_line(V, 3, "002_12d62f31151c975c.txt", "002_12d62f31151c975d.txt"), ("check",),
         (f"{ROW3}, cột 'source'", "không có tệp nguồn '002_12d62f31151c975d.txt'")),
    Case("source_line_out_of_range", "a source line beyond the end of the document",
         set_line(V, 3, "txt:790", "txt:99999"), ("check",), (f"{ROW3}, cột 'source'", "chỉ có")),
    Case("bad_status", "an unknown status", set_line(V, 3, ",estimate,", ",guess,"), ("check",),
         (f"{ROW3}, cột 'status'", "'guess'", "trạng thái: một trong")),
    Case("bad_comparator", "a comparator written as a symbol (≥)", set_line(V, 3, ",=,", ",≥,"), ("check",),
         (f"{ROW3}, cột 'comparator'", "'≥'", "so sánh: một trong")),
    Case("derived_without_formula", "a derived record without its formula", set_line(V, 3, ",estimate,", ",derived,"),
         ("check",), (f"{ROW3}, cột 'formula'", "cần công thức")),
    Case("bad_kind", "an unknown kind", set_line(I, 2, ",share,", ",percent,"), ("check",),
         (f"{I}, dòng 2, cột 'kind'", "'percent'", "loại: một trong")),
    Case("no_direction", "an indicator without its direction (never defaulted)", set_line(I, 2, ",lower,", ",,"),
         ("check",), (f"{I}, dòng 2, cột 'direction'", "chiều: một trong")),
    Case("empty_name", "an indicator without a name", set_line(I, 3, "Tỷ trọng công nghiệp - xây dựng trong cơ cấu kinh tế", ""),
         ("check",), (f"{I}, dòng 3, cột 'name'", "không được để trống (required)")),
    # --- localities and the data folder
    Case("bad_locality_id", "a locality id with capitals and a space", set_line(L, 2, "muong-ang,", "Muong Ang,"),
         ("check",), (f"{L}, dòng 2, cột 'id'", "'Muong Ang'", "id: chữ thường, số, '-'")),
    Case("bad_year", "an OCR-damaged term end (2O25)", set_line(L, 2, ",2020,2025,", ",2020,2O25,"),
         ("table", "muong-ang"), (f"{L}, dòng 2, cột 'term_end'", "'2O25'", "năm (year)")),
    Case("missing_locality_folder", "a listed locality without its folder", remove("data/phuong-mau"),
         ("table", "phuong-mau"), (f"{L}, dòng 5, cột 'id'", "không có thư mục data/phuong-mau/")),
    Case("unlisted_folder", "a folder that localities.csv does not list", extra_folder, ("check",),
         ("data/muong-lay: thư mục không có trong data/localities.csv",)),
    Case("missing_localities_file", "no localities.csv", remove(L), ("localities",),
         (f"{L}: không đọc được tệp: No such file or directory",)),
    Case("empty_catalogue", "catalogue.csv of 0 bytes", write_bytes(K, b""), ("check",),
         (f"{K}: tệp rỗng (empty file)", "1 lỗi dữ liệu")),
    Case("no_data_folder", "CHITIEU_DATA pointing to a folder that does not exist", None, ("check",),
         ("nowhere", "không có thư mục dữ liệu"), data="nowhere"),
    # --- outputs written by the command: an earlier file stays as it was
    Case("table_output_bad_data", "`table --output` over an earlier file, with bad data",
         set_line(V, 3, ",29.4,", ",29.4x,"),
         ("table", "muong-ang", "--format", "csv", "--output", "{out}/muong-ang/bieu.csv"),
         (f"{ROW3}, cột 'value'",)),
    Case("xlsx_without_output", "`table --format xlsx` without --output", None,
         ("table", "muong-ang", "--format", "xlsx"), ("--format xlsx cần --output",)),
    Case("run_bad_data", "`run` over an earlier report, with bad data: refused before any kernel, report kept",
         set_line(V, 3, ",29.4,", ",29.4x,"), ("run", "muong-ang", "--out", "{out}"),
         ("LỖI muong-ang", f"{ROW3}, cột 'value'", "Xong 0/1"), code=1, index_changes=True),
    # --- `chitieu import`: files analysts bring (tests/fixtures/bad/, made by make_fixtures.py)
    Case("import_docx_without_table", "a .docx whose table was pasted as text (no table)", None,
         ("import", "{fixtures}/khong_co_bang.docx", "-l", "muong-ang", "--replace"),
         ("khong_co_bang.docx: không có bảng nào trong tệp .docx (no table found)",)),
    Case("import_not_text", "a .txt that is binary (no known encoding)", None,
         ("import", "{fixtures}/nhi_phan.txt", "-l", "muong-ang", "--replace"),
         ("nhi_phan.txt, dòng 2: tệp không phải UTF-8, UTF-16 hay Windows-1258",)),
    Case("import_unsupported_format", "a scanned .pdf", None, ("import", "{fixtures}/bieu.pdf", "-l", "muong-ang"),
         ("bieu.pdf: định dạng không hỗ trợ '.pdf'",)),
    Case("import_crafted_locality", "an import into a locality id crafted as a path", None,
         ("import", "{fixtures}/bieu_utf16.txt", "-l", "../../etc"), ("mã địa phương không hợp lệ: '../../etc'",)),
    Case("import_over_existing", "an import over a locality's data without --replace", None,
         ("import", "{fixtures}/bieu_utf16.txt", "-l", "muong-ang"), ("data/muong-ang/ đã có số liệu", "--replace")),
    # --- report parameters (params/<locality>.yaml), checked before any kernel starts
    Case("params_bad_value", "a parameter of the wrong type (horizon: soon)",
         params_file("locality: muong-ang\nhorizon: soon\n"),
         ("run", "muong-ang", "--params", "{params}", "--out", "{out}"),
         ("muong-ang.yaml, trường 'horizon'", "tham số không hợp lệ")),
    Case("params_not_mapping", "a parameters file that is a list", params_file("- 2025\n- 2030\n"),
         ("run", "muong-ang", "--params", "{params}", "--out", "{out}"),
         ("muong-ang.yaml: cần một bảng khóa: giá trị",)),
    Case("params_not_yaml", "a parameters file that is not text (UTF-16 bytes)",
         params_file("locality: muong-ang\n".encode("utf-16")),
         ("run", "muong-ang", "--params", "{params}", "--out", "{out}"),
         ("muong-ang.yaml: tệp không phải UTF-8",)),
    Case("params_other_locality", "a parameters file naming another locality",
         params_file("locality: hac-thanh\n"), ("run", "muong-ang", "--params", "{params}", "--out", "{out}"),
         ("muong-ang.yaml, trường 'locality'", "'hac-thanh' khác tên tệp 'muong-ang'")),
]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("pristine") / "data"
    shutil.copytree(DATA, d)
    return d


def run_case(case: Case, tmp_path: Path, pristine: Path) -> tuple[Result, dict, dict, Path]:
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    out = tmp_path / "outputs"
    earlier_outputs(out)
    (tmp_path / "params").mkdir()
    if case.breaks is not None:
        case.breaks(data)
    args = [a.replace("{out}", str(out)).replace("{params}", str(tmp_path / "params")).replace("{fixtures}", str(BAD))
            for a in case.args]
    before = snapshot(tmp_path)
    result = chitieu(*args, data=tmp_path / case.data if case.data else data, cwd=tmp_path)
    return result, before, snapshot(tmp_path), out


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input_gets_a_clear_answer(case: Case, tmp_path: Path, pristine: Path):
    result, before, after, out = run_case(case, tmp_path, pristine)
    assert result.code != 0 and result.code == case.code, (result.code, result.stderr[-3000:])
    assert "Traceback" not in result.stdout + result.stderr
    for needle in case.expect:
        assert " ".join(needle.split()) in result.text, (needle, result.stderr)
    if case.index_changes:  # the summary page names the failure; every report is untouched
        index = out / "index.html"
        assert after.pop("outputs/index.html") != before.pop("outputs/index.html")
        page = index.read_text(encoding="utf-8")
        assert "Không tạo được báo cáo" in page and "muong-ang" in page and "báo cáo cũ" in page
    assert after == before, sorted(set(after.items()) ^ set(before.items()))


# --------------------------------------------------------------------------------------------
# Not errors: what is accepted, and what is only a warning (docs/ERRORS.md: the policy)
# --------------------------------------------------------------------------------------------

def test_a_target_of_zero_is_flagged_not_an_error(data_copy: Path):
    """A target of 0 ("không còn hộ nghèo") is legitimate: no ratio (÷ 0), a verdict by direction, a warning."""
    from chitieu.io.data import check, load_locality

    set_line(V, 2, ",29.2,", ",0,")(data_copy)
    result = chitieu("table", "muong-ang", "--format", "csv", data=data_copy)
    assert result.code == 0 and "Traceback" not in result.stderr
    row = next(r for r in csv.DictReader(io.StringIO(result.stdout)) if r["indicator"] == "econ_share_agriculture")
    assert row["target"] == "0.0" and row["ratio_pct"] == "" and "target_zero" in row["flags"]
    assert row["verdict"] == "not_met"  # direction lower: 28,9% is above a ceiling of 0
    shown = chitieu("table", "muong-ang", data=data_copy)
    assert shown.code == 0 and "chỉ tiêu bằng 0" in shown.text
    assert chitieu("project", "muong-ang", data=data_copy).code == 0
    warnings: list = []
    assert check(data_copy, warnings=warnings) == []
    assert any(str(w).startswith(f"{V}, dòng 2, cột 'value'") and "target_zero" in str(w) for w in warnings)
    assert any("target_zero" in str(w) for w in load_locality("muong-ang", data_copy).warnings)


def test_a_value_not_found_in_its_raw_text_is_a_warning(data_copy: Path):
    """2.815 ha typed as 2.815: a valid number, but no reading of the raw text; said, not refused."""
    from chitieu.io.data import check

    set_line(V, 31, ",2815,", ",2.815,")(data_copy)
    warnings: list = []
    assert check(data_copy, warnings=warnings) == []
    assert [str(w) for w in warnings if "dòng 31" in str(w)] == [
        f"{V}, dòng 31, cột 'value': giá trị 2.815 không phải số nào trong raw '2.815 ha' và không có note giải "
        "thích (value not found in raw)"]
    assert chitieu("check", data=data_copy).code == 0


@pytest.mark.parametrize("change", ["bom_crlf", "blank_excel_rows", "spaces_in_header"])
def test_what_excel_adds_is_accepted(change: str, data_copy: Path):
    p = data_copy / "muong-ang" / "values.csv"
    text = p.read_text(encoding="utf-8")
    if change == "bom_crlf":
        p.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    elif change == "blank_excel_rows":
        p.write_text(text + ",,,,,,,,,,\n,,,,,,,,,,\n\n", encoding="utf-8")
    else:
        p.write_text(text.replace("indicator,period,status,value", "indicator, period ,status,value ", 1),
                     encoding="utf-8")
    result = chitieu("check", data=data_copy)
    assert result.code == 0, result.stderr
    expected = chitieu("table", "muong-ang", "--format", "csv", data=DATA).stdout
    assert chitieu("table", "muong-ang", "--format", "csv", data=data_copy).stdout == expected


@pytest.mark.parametrize("fixture, note", [
    ("bieu_utf16.txt", "tệp được đọc theo bảng mã utf-16"),
    ("bieu_windows1258.txt", "tệp được đọc theo bảng mã cp1258"),
    ("tieu_de_va_nhom_gop_o.xlsx", "'Ước thực hiện năm 2025' → actual 2025 (estimate)"),
    ("bieu_ocr.txt", "[KHÔNG ĐỌC ĐƯỢC] bieu_ocr.txt, dòng 4, cột 'Ước thực hiện năm 2024': '2.8l5 ha' — không đọc "
                     "được số: '2.8l5' looks OCR-damaged"),
])
def test_import_reads_other_encodings_and_says_what_it_could_not_read(fixture: str, note: str, data_copy: Path):
    """Other encodings and merged title cells are read (and said); an OCR-damaged cell is listed, never guessed."""
    before = snapshot(data_copy)
    result = chitieu("import", str(BAD / fixture), "-l", "thu-nghiem", "--name", "xã Thử Nghiệm", "--level", "xa",
                     "--province", "Sơn La", "--dry-run", data=data_copy)
    assert result.code == 0 and "Traceback" not in result.stderr, result.stderr
    assert " ".join(note.split()) in result.text, result.text
    assert "2,8" not in result.text.replace("2,8I5", "")  # the damaged '2,8I5' is not read as 2,8
    assert snapshot(data_copy) == before  # --dry-run


def test_every_problem_at_once_in_one_message(data_copy: Path):
    for case in ("non_numeric", "negative_area", "unknown_catalogue_code", "windows_1258"):
        next(c for c in CASES if c.id == case).breaks(data_copy)
    result = chitieu("check", data=data_copy)
    assert result.code == 2
    for case in ("non_numeric", "windows_1258"):  # the other two are cross-file checks: after the format is right
        for needle in next(c for c in CASES if c.id == case).expect:
            assert needle in result.text


# --------------------------------------------------------------------------------------------
# Outputs that cannot be written, and warnings of `chitieu check` (docs/ERRORS.md)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("target", ["{out}/muong-ang", "/proc/chitieu-test/bieu.xlsx"])
def test_an_output_that_cannot_be_written_is_a_message(target: str, tmp_path: Path, pristine: Path):
    case = Case("unwritable_output", "", None, ("table", "muong-ang", "--format", "xlsx", "--output", target),
                (target.replace("{out}", str(tmp_path / "outputs")),))
    result, before, after, _ = run_case(case, tmp_path, pristine)
    assert result.code == 2 and "Traceback" not in result.stderr, result.stderr
    assert after == before


def test_check_prints_warnings_and_exits_0(data_copy: Path):
    set_line(V, 2, ",29.2,", ",0,")(data_copy)
    result = chitieu("check", data=data_copy)
    assert result.code == 0 and f"{V}, dòng 2, cột 'value'" in result.text and "target_zero" in result.text


# --------------------------------------------------------------------------------------------
# The installed command agrees with the in-process runs
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("case_id", ["windows_1258", "duplicate_key", "run_bad_data"])
def test_same_answers_from_the_installed_command(case_id: str, tmp_path: Path, pristine: Path):
    case = next(c for c in CASES if c.id == case_id)
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    out = tmp_path / "outputs"
    earlier_outputs(out)
    case.breaks(data)
    before = {k: v for k, v in snapshot(tmp_path).items() if k != "outputs/index.html"}
    res = run_cli(*[a.replace("{out}", str(out)) for a in case.args], data=data, cwd=tmp_path)
    assert res.returncode == case.code and "Traceback" not in res.stdout + res.stderr
    text = " ".join((res.stdout + res.stderr).split())
    assert all(needle in text for needle in case.expect), res.stderr
    assert {k: v for k, v in snapshot(tmp_path).items() if k != "outputs/index.html"} == before


def corpus_table() -> str:
    """The case → message table of docs/ERRORS.md, from the real messages (``python tests/test_bad_inputs.py``)."""
    import tempfile

    rows = ["| # | case | bad input | command | exit | message (stderr) |", "|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        pristine = Path(tmp) / "pristine"
        shutil.copytree(DATA, pristine)
        for n, case in enumerate(CASES, start=1):
            folder = Path(tmp) / case.id
            folder.mkdir()
            result, *_ = run_case(case, folder, pristine)
            lines = [ln.strip() for ln in (result.stderr or result.stdout).splitlines()
                     if ln.strip() and not ln.startswith("Báo cáo ━")]  # the progress bar
            message = " ".join(" ".join(lines).split()).replace(str(folder) + "/", "").replace(str(BAD) + "/", "")
            message = message.replace("|", "\\|")
            if len(message) > 420:
                message = message[:400] + " …"
            command = "chitieu " + " ".join(case.args).replace("{out}", "outputs").replace("{params}", "params") \
                .replace("{fixtures}", "tests/fixtures/bad")
            rows.append(f"| {n} | `{case.id}` | {case.what} | `{command}` | {result.code} | {message} |")
    return "\n".join(rows)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "tests"))
    print(corpus_table())


# --------------------------------------------------------------------------------------------
# Fuzzing the quantity parser: it never raises, except QuantityError for what is not text
# --------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from chitieu.io.quantity import Quantity, QuantityError, parse, parse_row  # noqa: E402

#: pieces of what report cells are made of, including what OCR and copy-paste do to them
_PIECES = [
    "0", "1", "5", "9", "00", "06", "2.815", "29,2", "17,504", "1.052,4", "4.686,23", "5.130.000.000", "0,500", "83,019",
    "30/36", "…/…", "113/118", "12/3/2024", "2021-2025", "2O25", "28l5", "1.1.1", ",", ".", "/", "-", "+", "%", "%/năm",
    " ", "  ", "\t", "\n", "(", ")", ";", ":", "…", "...", "¹", "⁵", "²", "³", "ha", "km2", "km²", "m3", "tấn", "tỷ đồng",
    "triệu đồng/người/năm", "người", "hộ", "xã", "trường", "tiêu chí/xã", "Trên", "trên", "dưới", "trở lên", "từ",
    "không quá", "tối thiểu", "≥", "≤", ">=", "<", "ước", "ước đạt", "đạt", "Đạt", "không đạt", "vượt", "Hoàn thành",
    "giữ vững", "bình quân", "hằng năm", "giảm", "tăng", "CO2", "4G", "tiéu chi", "c6", "d6", "nghin", "x", "e", "E5",
    "1e999", "NaN", "inf", "−", "٣", "１２", "\u00a0", "\u200b", "\u2028", "\ufeff", "a\u0301", "ư", "Ơ", "ǃ",
]
_pieces_text = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)
_digit_runs = st.builds(lambda d, seps: "".join(x + s for x, s in zip(d, seps)),
                        st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=1, max_size=8),
                        st.lists(st.sampled_from([".", ",", ", ", " ", "/", "", "%", " ha "]), min_size=8, max_size=8))
cells = st.one_of(_pieces_text, _digit_runs, st.text(max_size=60),
                  st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
                  st.builds(lambda n: "9" * n, st.integers(250, 420)))
units = st.one_of(st.none(), st.sampled_from(["ha", "%", "%/năm", "tấn", "người", "tỷ đồng", "triệu đồng/người/năm",
                                              "", "/", "điểm %/năm"]), st.text(max_size=12))
contexts = st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=4)

def fuzz(n: int) -> settings:
    return settings(max_examples=examples(n), deadline=None, database=None, suppress_health_check=list(HealthCheck))
STATUSES = {"number", "fraction", "words", "missing", "unread"}


def _sound(q: Quantity, raw: str) -> None:
    assert q.raw == raw and q.status in STATUSES
    assert q.value is None or math.isfinite(q.value), q  # never an infinite or NaN number
    assert all(math.isfinite(v) for v in q.values), q
    assert (q.value is not None) == (q.status in ("number", "fraction")), q


@fuzz(7000)
@given(raw=cells, unit=units, context=contexts)
def test_fuzz_parse_never_raises(raw, unit, context):
    _sound(parse(raw, unit=unit, context=context), raw)


@fuzz(3000)
@given(row=st.lists(cells, min_size=1, max_size=7), unit=units)
def test_fuzz_parse_row_never_raises(row, unit):
    out = parse_row(row, unit=unit)
    assert len(out) == len(row)
    for q, raw in zip(out, row):
        _sound(q, raw)


@fuzz(300)
@given(raw=st.one_of(st.none(), st.integers(), st.floats(), st.binary(max_size=8), st.lists(st.text(max_size=3))))
def test_parser_refuses_what_is_not_text_with_its_own_error(raw):
    with pytest.raises(QuantityError):
        parse(raw)
    with pytest.raises(QuantityError):
        parse_row(["1", raw])


# --------------------------------------------------------------------------------------------
# Fuzzing the CSV reader: any bytes become problems (file, row), never an exception
# --------------------------------------------------------------------------------------------

_csv_pieces = st.sampled_from([",", '"', '""', "\n", "\r\n", "\r", ";", "\t", "\x00", "indicator", "period", "value",
                               "2025", "29.4", "…", "ư", "\ufeff", "a,b", " ", "x" * 50])


@fuzz(400)
@given(body=st.one_of(st.binary(max_size=200), st.lists(_csv_pieces, max_size=40).map(lambda p: "".join(p).encode()),
                      st.text(max_size=120).map(lambda t: t.encode("utf-8"))),
       kind=st.sampled_from(["values", "indicators", "comparisons", "localities", "catalogue"]),
       keep_header=st.booleans())
def test_fuzz_csv_reader_never_raises(tmp_path_factory, body, kind, keep_header):
    from chitieu.io.data import Problem, _schemas, read_csv_text, validate_frame

    folder = tmp_path_factory.getbasetemp() / "fuzz-csv" / "data"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{kind}.csv"
    header = ",".join(_schemas()[kind].columns).encode() + b"\n" if keep_header else b""
    path.write_bytes(header + body)
    problems: list = []
    frame = read_csv_text(path, folder, problems)
    if frame is not None:
        validate_frame(frame, kind, f"data/{kind}.csv", problems)
    assert all(isinstance(p, Problem) and p.file.startswith("data/") for p in problems)
    assert sorted(problems) is not None  # problems of one file with and without a row still sort


# --------------------------------------------------------------------------------------------
# Failure isolation: a bad locality never takes the batch down (real kernels: slow)
# --------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_broken_localities_among_several_the_others_complete(tmp_path: Path, pristine: Path):
    data = tmp_path / "data"
    shutil.copytree(pristine, data)
    set_line("data/phieng-pan/values.csv", 2, ",9589,", ",9.589.0,")(data)
    set_line(I, 2, ",share,", ",percent,")(data)
    out = tmp_path / "outputs"
    earlier_outputs(out)  # earlier reports of muong-ang and phieng-pan
    earlier = {k: v for k, v in snapshot(out).items() if k.split("/")[0] in ("muong-ang", "phieng-pan")}
    res = run_cli("run", "muong-ang", "phuong-mau", "phieng-pan", "--out", str(out), "--workers", "1", data=data,
                  cwd=tmp_path)
    text = " ".join((res.stdout + res.stderr).split())
    assert res.returncode == 1 and "Traceback" not in text, res.stderr[-3000:]
    assert "Xong 1/3" in text
    assert "LỖI muong-ang: 1 lỗi dữ liệu (data problems): - data/muong-ang/indicators.csv, dòng 2, cột 'kind'" in text
    assert "LỖI phieng-pan: 1 lỗi dữ liệu (data problems): - data/phieng-pan/values.csv, dòng 2, cột 'value'" in text
    assert (out / "phuong-mau" / "report.html").exists() and json.loads(
        (out / "phuong-mau" / "records.json").read_text(encoding="utf-8"))["locality"] == "phuong-mau"
    now = {k: v for k, v in snapshot(out).items() if k.split("/")[0] in ("muong-ang", "phieng-pan")}
    assert now == earlier  # the failed localities keep their earlier reports, byte for byte
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "phieng-pan/values.csv, dòng 2, cột &#x27;value&#x27;" in index and "báo cáo cũ" in index
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".old-*"))


@pytest.mark.slow
def test_a_notebook_failing_in_the_kernel_does_not_stop_the_next(tmp_path: Path, monkeypatch):
    """A failure inside the kernel (not caught by validation): collected; the warm kernel then renders the next."""
    import nbformat

    import chitieu.report.runner as runner
    from chitieu.report.params import load_params

    real = runner.parameterize

    def parameterize(params, *args, **kwargs):
        nb = real(params, *args, **kwargs)
        if params.locality == "hac-thanh":
            nb.cells.append(nbformat.v4.new_code_cell("leftover = 1\nraise RuntimeError('hỏng giữa chừng')"))
        return nb

    monkeypatch.setattr(runner, "parameterize", parameterize)
    out = tmp_path / "outputs"
    results = runner.run_batch([load_params("hac-thanh"), load_params("phuong-mau")], out)
    assert [r.ok for r in results] == [False, True], results
    assert "RuntimeError: hỏng giữa chừng" in results[0].error
    assert not (out / "hac-thanh").exists() and (out / "phuong-mau" / "report.html").exists()
    assert not list(out.glob(".tmp-*"))
