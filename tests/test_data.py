"""The data files: valid, traceable to their source lines, and errors reported with file, row and column."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from chitieu.io.data import DataError, check, load_locality
from chitieu.io.quantity import parse_row
from conftest import DATA, run_cli

SOURCES = DATA / "sources"


def test_all_data_is_valid():
    assert check() == []


def _value_files():
    return sorted(DATA.glob("*/values*.csv")) + sorted(DATA.glob("*/comparisons*.csv"))


@pytest.mark.parametrize("path", _value_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_raw_string_occurs_on_its_cited_line(path: Path):
    lines = {p.name: p.read_text(encoding="utf-8").splitlines() for p in SOURCES.glob("*.txt")}
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows, f"{path} is empty"
    for i, r in enumerate(rows, start=2):
        m = re.fullmatch(r"(.+\.txt):(\d+)", r["source"])
        assert m, f"{path}:{i} source {r['source']!r}"
        assert r["raw"] in lines[m[1]][int(m[2]) - 1], f"{path}:{i}: {r['raw']!r} not on {r['source']}"
        if r.get("value", "") == "" and r.get("numerator", "") == "" and "…" not in r["raw"]:
            continue


def test_sources_are_the_seed_documents_unchanged():
    names = sorted(p.name for p in SOURCES.glob("*.txt"))
    assert names == ["001_119cdcf1f9c6df3f.txt", "002_12d62f31151c975c.txt",
                     "003_c7dea64111fd1197.txt", "004_05b6456d80a4201f.txt"]
    # the Mường Ảng appendix header sits where DOMAIN.md says (line 788)
    assert (SOURCES / "002_12d62f31151c975c.txt").read_text(encoding="utf-8").splitlines()[787].startswith("STT\tLĩnh vực")


def test_parser_reads_the_muong_ang_table_as_transcribed_by_hand():
    """The values in data/muong-ang/values.csv were typed by hand; the parser, given each table row, agrees."""
    loc = load_locality("muong-ang")
    lines = (SOURCES / "002_12d62f31151c975c.txt").read_text(encoding="utf-8").splitlines()
    units = dict(zip(loc.indicators["id"], loc.indicators["unit"]))
    kinds = dict(zip(loc.indicators["id"], loc.indicators["kind"]))
    checked = 0
    for line_no in range(790, 850):
        cells = [c.strip() for c in lines[line_no - 1].split("\t")]
        recs = loc.values[loc.values["source"] == f"002_12d62f31151c975c.txt:{line_no}"]
        whole = recs[recs["raw"].isin(cells) & recs["value"].notna()]
        if whole.empty:
            continue
        by_cell = dict(zip(cells, parse_row(cells, unit=units[whole.iloc[0]["indicator"]])))
        for _, rec in whole.iterrows():
            q = by_cell[rec["raw"]]
            if q.status == "words":  # a reading of words ("Hoàn thành" as 100%) must say so in its note
                assert rec["note"], (line_no, rec["raw"])
                continue
            # a reduction ("Giảm … 3,5%/năm") is read with its sign; data/ stores its size (kind reduction_per_year)
            got = abs(q.value) if kinds[rec["indicator"]] == "reduction_per_year" else q.value
            assert got == pytest.approx(rec["value"]), (line_no, rec["raw"], q)
            checked += 1
    assert checked >= 80


def test_malformed_file_reports_file_row_column(data_copy: Path):
    p = data_copy / "muong-ang" / "values.csv"
    text = p.read_text(encoding="utf-8").splitlines()
    i = text.index("econ_share_agriculture,2024,estimate,29.4,=,,,29.40%,002_12d62f31151c975c.txt:790,,")
    text[i] = "econ_share_agriculture,2024,guess,29.4x,=,,,29.40%,002_12d62f31151c975c.txt:790,,"
    p.write_text("\n".join(text) + "\n", encoding="utf-8")
    row = i + 1  # line number in the file, header = 1
    with pytest.raises(DataError) as exc:
        load_locality("muong-ang", data_copy)
    msg = str(exc.value)
    assert f"data/muong-ang/values.csv, dòng {row}, cột 'status'" in msg
    assert f"data/muong-ang/values.csv, dòng {row}, cột 'value'" in msg
    result = run_cli("check", data=data_copy)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and f"values.csv, dòng {row}, cột 'status'" in result.stderr


def test_all_problems_reported_at_once(data_copy: Path):
    p = data_copy / "muong-ang" / "values.csv"
    rows = p.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("target", "targte", 1)            # row 2: status
    rows[2] = rows[2].replace("econ_share_agriculture", "no_such_indicator", 1)  # row 3: indicator
    rows[4] = rows[4].replace("002_12d62f31151c975c.txt:790", "002_12d62f31151c975c.txt:791", 1)  # row 5: raw not on line
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (data_copy / "catalogue.csv").write_text(
        (data_copy / "catalogue.csv").read_text(encoding="utf-8").replace(",higher,", ",upward,", 1), encoding="utf-8")
    out = run_cli("check", data=data_copy)
    assert out.returncode == 2
    for needle in ("catalogue.csv, dòng 2, cột 'direction'", "values.csv, dòng 2, cột 'status'"):
        assert needle in out.stderr, out.stderr
    # row-level cross checks run once the columns are valid: fix the status and look again
    p.write_text("\n".join([rows[0], rows[1].replace("targte", "target")] + rows[2:]) + "\n", encoding="utf-8")
    out = run_cli("check", data=data_copy)
    assert "values.csv, dòng 3, cột 'indicator'" in out.stderr
    assert "values.csv, dòng 5, cột 'raw'" in out.stderr
    assert "Traceback" not in out.stderr


def test_non_utf8_file_is_named(data_copy: Path):
    p = data_copy / "muong-ang" / "comparisons.csv"
    p.write_bytes(p.read_text(encoding="utf-8").encode("utf-16"))
    out = run_cli("table", "muong-ang", data=data_copy)
    assert out.returncode == 2 and "comparisons.csv" in out.stderr and "UTF-8" in out.stderr
    assert "Traceback" not in out.stderr
