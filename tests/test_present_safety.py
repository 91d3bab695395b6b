"""Issue #17, items 4 and 5: nothing crafted into a name runs in a spreadsheet or a Markdown viewer.

- Every .xlsx and CSV chitieu writes for people (results table, long data table, comparison, progress, audit): a
  text starting with ``=``, ``+``, ``-`` or ``@`` (OWASP "CSV injection") is written as inert text — never a
  formula cell, and prefixed with ``'`` so that no spreadsheet reads it as one.
- The Markdown draft: HTML in a name is escaped (``&lt;script&gt;``), so a Markdown viewer shows it as text; the
  .docx built from it holds the name as it was, as plain text.
"""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from test_injection import _rewrite_csv
from test_present import cli

CRAFTED = {
    "coffee_area": '=HYPERLINK("http://evil.example/x","bấm vào đây")',
    "fruit_tree_area": "+1+cmd|' /C calc'!A0",
    "grain_output": "-2+3",
    "forest_area": "@SUM(1,1)",
}
LOCALITY = "=1+1 huyện"


@pytest.fixture
def crafted(data_copy):
    _rewrite_csv(data_copy / "muong-ang" / "indicators.csv",
                 lambda r: r.update(name=CRAFTED[r["id"]]) if r["id"] in CRAFTED else None)
    _rewrite_csv(data_copy / "localities.csv",
                 lambda r: r.update(name=LOCALITY) if r["id"] == "muong-ang" else None)
    _rewrite_csv(data_copy / "catalogue.csv",
                 lambda r: r.update(name_vi="=2+2") if r["code"] == "income_per_capita" else None)
    return data_copy


def _inert_workbook(path) -> list[str]:
    """Every text cell of a workbook; none a formula, none starting like one."""
    texts = []
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value != "=":  # "=": the comparator code, nothing to run
                    assert not cell.value.startswith(("=", "+", "-", "@")), (ws.title, cell.coordinate, cell.value)
                    texts.append(cell.value)
    return texts


def _inert_csv(text: str) -> list[str]:
    fields = [f for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for f in row]
    for f in fields:  # a lone "=" is the comparator code: nothing to evaluate
        assert f == "=" or not f.startswith(("=", "+", "@")) and not (f.startswith("-") and not _number(f)), f
    return fields


def _number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@pytest.mark.slow
def test_results_data_and_progress_spreadsheets_are_inert(crafted, tmp_path):
    """Old code: openpyxl wrote '=HYPERLINK(…)' as a live formula; CSVs kept every crafted text as it was."""
    for args, name in ((["table", "muong-ang", "-f", "xlsx"], "bieu.xlsx"),
                       (["data", "muong-ang", "-f", "xlsx"], "data.xlsx"),
                       (["project", "muong-ang", "-f", "xlsx"], "project.xlsx")):
        code, out, err = cli(*args, "-o", str(tmp_path / name), data=crafted)
        assert code == 0, err
        texts = _inert_workbook(tmp_path / name)
        if name != "data.xlsx":  # the long table names indicators by id
            assert "'" + CRAFTED["coffee_area"] in texts  # kept, readable, inert
    for args in (["table", "muong-ang", "-f", "csv"], ["data", "muong-ang", "-f", "csv"],
                 ["project", "muong-ang", "-f", "csv"]):
        code, out, err = cli(*args, data=crafted)
        assert code == 0, err
        fields = _inert_csv(out)
        if args[0] != "data":
            assert "'" + CRAFTED["fruit_tree_area"] in fields


def test_results_table_xlsx_and_csv_are_inert(crafted, tmp_path):
    """The fast tier's share of the check above: the results table's .xlsx and CSV, written in process."""
    from chitieu.analysis.achievement import results_table
    from chitieu.io.data import load_locality
    from chitieu.report.tables import to_csv, write_xlsx

    loc = load_locality("muong-ang", crafted)
    table = results_table(loc)
    write_xlsx(table, tmp_path / "b.xlsx", title=loc.name, loc=loc)
    texts = _inert_workbook(tmp_path / "b.xlsx")
    assert "'" + CRAFTED["coffee_area"] in texts and "'" + LOCALITY in texts
    fields = _inert_csv(to_csv(table))
    assert "'" + CRAFTED["grain_output"] in fields and "'" + CRAFTED["forest_area"] in fields


@pytest.mark.slow
def test_compare_spreadsheets_are_inert(crafted, tmp_path):
    code, out, err = cli("compare", "muong-ang", "hac-thanh", "-f", "xlsx", "-o", str(tmp_path / "c.xlsx"),
                         data=crafted)
    assert code == 0, err
    texts = _inert_workbook(tmp_path / "c.xlsx")
    assert "'" + LOCALITY in texts
    code, out, err = cli("compare", "muong-ang", "hac-thanh", "-f", "csv", data=crafted)
    assert code == 0, err
    assert "'=2+2" in _inert_csv(out)


def test_html_in_a_name_is_inert_in_the_markdown_draft(data_copy, tmp_path):
    """Old code: the name went raw into the .md: a Markdown viewer ran the script."""
    import docx

    from chitieu.report.draft import write_draft

    script = "<script>alert('x')</script>"
    img = '<img src=x onerror="alert(1)">'
    _rewrite_csv(data_copy / "muong-ang" / "indicators.csv",
                 lambda r: r.update(name=img) if r["id"] == "coffee_area" else None)
    _rewrite_csv(data_copy / "localities.csv",
                 lambda r: r.update(name=f"huyện {script}") if r["id"] == "muong-ang" else None)
    result = write_draft("muong-ang", tmp_path, root=data_copy, charts=False)
    md = result.markdown.read_text(encoding="utf-8")
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md and "&lt;img src=x onerror=" in md
    d = docx.Document(str(result.docx))
    texts = [p.text for p in d.paragraphs] + [c.text for t in d.tables for row in t.rows for c in row.cells]
    assert any(script in t for t in texts) and img in texts  # the .docx shows the name as written, as text
