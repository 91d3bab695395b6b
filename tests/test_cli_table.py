"""`chitieu table`: terminal, CSV and Excel outputs of the Mường Ảng results table."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from conftest import run_cli


def test_csv_has_the_documented_columns_and_sources():
    out = run_cli("table", "muong-ang", "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    for col in ("indicator", "unit", "target", "actual", "actual_year", "ratio_pct", "published_ratio_pct",
                "verdict", "source"):
        assert col in rows[0]
    coffee = next(r for r in rows if r["indicator"] == "coffee_area")
    assert coffee["source"] == "002_12d62f31151c975c.txt:798"
    assert (float(coffee["target"]), float(coffee["actual"]), float(coffee["ratio_pct"])) == (2000, 2815, 141)
    assert coffee["verdict"] == "exceeded"
    # the strings as the document prints them travel with the numbers, and so do the flags (#12)
    assert (coffee["target_raw"], coffee["actual_raw"], coffee["needs_review"]) == ("2.000 ha", "2.815 ha", "False")
    grain = next(r for r in rows if r["indicator"] == "grain_output")
    assert grain["actual_raw"] == "17,500" and "separator_guessed" in grain["flags"]
    for col in ("target_high", "ratio_other_pct", "published_raw", "verdict_computed", "review"):
        assert col in rows[0]


def test_terminal_table_is_vietnamese(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the table fits the terminal: wide enough for every name on one line
    out = run_cli("table", "muong-ang")
    assert out.returncode == 0
    assert "Diện tích cà phê có hiệu quả" in out.stdout and "2.815" in out.stdout and "Vượt" in out.stdout


def test_xlsx(tmp_path):
    path = tmp_path / "bieu.xlsx"
    out = run_cli("table", "muong-ang", "--format", "xlsx", "--output", str(path))
    assert out.returncode == 0, out.stderr
    ws = load_workbook(path).active
    assert ws["B2"].value == "Chỉ tiêu"
    names = [ws.cell(r, 2).value for r in range(3, ws.max_row + 1)]
    r = names.index("Diện tích cà phê có hiệu quả") + 3
    assert ws.cell(r, 4).value == 2000 and ws.cell(r, 5).value == 2815 and ws.cell(r, 7).value == 141


def test_unknown_locality_is_a_clear_error():
    out = run_cli("table", "../../etc")
    assert out.returncode == 2 and "không có địa phương" in out.stderr and "Traceback" not in out.stderr


def test_xlsx_without_output_is_a_clear_error():
    out = run_cli("table", "muong-ang", "--format", "xlsx")
    assert out.returncode == 2 and "--output" in out.stderr
