"""Text normalised on the way in (issue 17, item 9): NFC, zero-width characters removed, non-breaking and thin
spaces as separators, the Unicode minus and dashes before a number as minus.

Before this change a values.csv saved in NFD gave 121 "raw text not found" errors; a zero-width space inside
``2815`` read 2,8 and inside a header hid it; non-breaking-space thousands separators were refused with an error
naming an internal staging path (``check/xa-t/values.csv``); ``−2,5%`` and ``–5`` were stored positive without a
review entry.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from test_bad_inputs import chitieu

TABLE = (ROOT / "tests" / "fixtures" / "bieu_nho.tsv").read_text(encoding="utf-8")
NEW = ("--name", "xã Mới", "--level", "xa", "--province", "Sơn La")


def imported_values(data: Path, locality: str = "xa-moi") -> list[dict]:
    with open(data / locality / "values.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_a_values_csv_saved_in_nfd_loads_like_its_nfc_twin(data_copy: Path):
    for name in ("values.csv", "indicators.csv"):
        p = data_copy / "muong-ang" / name
        p.write_bytes(unicodedata.normalize("NFD", p.read_text(encoding="utf-8")).encode("utf-8"))
    assert unicodedata.normalize("NFC", (data_copy / "muong-ang" / "values.csv").read_text(encoding="utf-8")) != \
        (data_copy / "muong-ang" / "values.csv").read_text(encoding="utf-8")  # the file really is NFD
    result = chitieu("check", data=data_copy)
    assert result.code == 0, result.stderr[-2000:]
    expected = chitieu("table", "muong-ang", "--format", "csv", data=DATA).stdout
    assert chitieu("table", "muong-ang", "--format", "csv", data=data_copy).stdout == expected


def test_zero_width_characters_hide_neither_a_number_nor_a_header(tmp_path: Path, data_copy: Path):
    table = tmp_path / "bieu.txt"
    table.write_text(TABLE.replace("2.815 ha\t2.815 ha", "2.8\u200b15 ha\t2.815\u2060 ha")
                     .replace("\tChỉ tiêu\t", "\tCh\u200bỉ tiêu\t").replace("Ước thực hiện năm 2024", "Ước\ufeff thực "
                                                                            "hiện năm 2024"), encoding="utf-8")
    result = chitieu("import", str(table), "-l", "xa-moi", *NEW, data=data_copy)
    assert result.code == 0, result.text  # before: "không nhận ra dòng tiêu đề"
    coffee = {(r["period"], r["status"]): r for r in imported_values(data_copy)
              if r["indicator"].startswith("dien_tich_ca_phe")}
    assert float(coffee[("2024", "estimate")]["value"]) == 2815  # before: 2.8
    assert float(coffee[("2025", "estimate")]["value"]) == 2815
    assert "\u200b" not in (data_copy / "xa-moi" / "values.csv").read_text(encoding="utf-8")


def test_non_breaking_space_thousands_separators_import_and_never_name_a_staging_path(tmp_path: Path,
                                                                                     data_copy: Path):
    table = tmp_path / "bieu.txt"
    table.write_text(TABLE.replace("2.815 ha\t2.815 ha", "2\u00a0815 ha\t2\u202f815 ha")
                     .replace("17.000\t17,504", "17\u2009000\t17,504"), encoding="utf-8")
    result = chitieu("import", str(table), "-l", "xa-moi", *NEW, data=data_copy)
    assert ".txn-" not in result.text and "check/" not in result.text, result.text
    assert result.code == 0, result.text  # before: refused, "check/xa-moi/values.csv … raw text not found"
    raws = {r["raw"] for r in imported_values(data_copy)}
    assert "2 815 ha" in raws and "17 000" in raws  # the stored raw text uses plain spaces …
    assert chitieu("check", data=data_copy).code == 0  # … and is still found on its source line


def test_a_minus_sign_or_a_dash_before_a_number_is_a_minus(tmp_path: Path, data_copy: Path):
    table = tmp_path / "bieu.txt"
    table.write_text(TABLE.rstrip("\n") + "\n6\tTốc độ tăng dân số tự nhiên\t%/năm\tdưới 1,5%\t\u22120,5%\t"
                     "\u20130,3%\t\t1,2%\n", encoding="utf-8")
    result = chitieu("import", str(table), "-l", "xa-moi", *NEW, data=data_copy)
    assert result.code == 0, result.text
    rows = {(r["period"], r["status"]): r for r in imported_values(data_copy) if r["indicator"].startswith("toc_do")}
    assert rows[("2024", "estimate")]["raw"] == "-0,5%" and rows[("2025", "estimate")]["raw"] == "-0,3%"
    for key, expected in ((("2024", "estimate"), -0.5), (("2025", "estimate"), -0.3)):
        value = float(rows[key]["value"])  # negative, or at least never a silent positive: said for review
        assert value == expected or (value > 0 and "-" in result.text.split(rows[key]["raw"])[0][-300:]), rows[key]
    assert chitieu("check", data=data_copy).code == 0


@pytest.mark.parametrize("text, expected", [
    ("Ch\u200bỉ tiêu", "Chỉ tiêu"),
    ("Mu\u031bo\u031b\u0300ng Ảng", "Mường Ảng"),
    ("2.8\u200b15 ha", "2.815 ha"),
    ("\u22122,5%", "-2,5%"),
    ("\u2013 5", "-5"),
    ("2\u00a0815\u202fha", "2 815 ha"),
    ("  a \t b\n", "a b"),
])
def test_a_cell_is_normalised_on_the_way_in(text: str, expected: str):
    from chitieu.io.text import clean_cell

    assert clean_cell(text) == expected


def test_raw_text_is_found_on_its_line_whatever_either_went_through():
    from chitieu.io.text import match_form, visible_text

    line = "2\tDiện tích cà phê\tha\t2\u00a0815 ha\t\u2212 5%\t2.8\u200b15"
    for raw in ("2 815 ha", "-5%", "- 5%", "2.815"):
        assert match_form(raw) in match_form(line), raw
    assert visible_text("a\u200bb\u00a0c") == "ab\u00a0c"  # a whole file: only what never depends on context
