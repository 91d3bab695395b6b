"""``chitieu localities``, ``check``, ``data`` and ``table``: the data as transcribed and the results table."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from chitieu.analysis.achievement import results_table
from chitieu.cli._common import Format, UserError, csv_text, err, load_or_fail, print_table, write_text
from chitieu.errors import DataError
from chitieu.io import data as data_mod
from chitieu.io.safe import atomic_write_bytes
from chitieu.report import present
from chitieu.report.sections import results_title
from chitieu.report.tables import own_file, to_csv, write_xlsx

app = typer.Typer()


def terminal_results(table, term_end: int) -> tuple:
    """The results table for the terminal: one row per indicator, the flags as numbered notes under the table
    (so that the table fits a narrow terminal), the year only where the result is not the term's end."""
    mine = own_file(table)
    shown = present.results_display(table, own_file=mine)
    notes, names = [], []
    for name, flags, pub, ratio in zip(shown["Chỉ tiêu"], shown["Lưu ý"], shown["Báo cáo ghi (%)"],
                                       shown["Tỷ lệ đạt (%)"]):
        if pub and ratio and pub != ratio:  # the printed comparison, in case its column does not fit
            flags = (flags + "; " if flags else "") + f"báo cáo ghi {pub}" + ("%" if present.is_numeric_text(pub)
                                                                             else "")
        if flags:
            notes.append(f"({len(notes) + 1}) {name}: {flags}.")
            names.append(f"{name} ({len(notes)})")
        else:
            names.append(name)
    shown["Chỉ tiêu"] = names
    shown = shown.drop(columns=["Lưu ý"])
    shown["Kết quả"] = [a if (not y or y == str(term_end)) else f"{a} ({y})"
                        for a, y in zip(shown["Kết quả"], shown["Năm"])]
    shown = shown.drop(columns=["Năm"]).rename(columns={"Tỷ lệ đạt (%)": "Tỷ lệ %", "Báo cáo ghi (%)": "Báo cáo ghi"})
    counts = present.verdict_counts(table)
    head = [f"Tổng hợp: {present.counts_text(counts)}."]
    if mine:
        head.append(f"Nguồn: {present.document_title(mine)} ({mine}); cột «Nguồn»: số dòng trong tài liệu.")
    return shown, head + notes


@app.command()
def table(locality: str = typer.Argument(..., help="mã địa phương, ví dụ muong-ang"),
          format: Format = typer.Option(Format.table, "--format", "-f", help="table | csv | xlsx"),
          output: Path | None = typer.Option(None, "--output", "-o", help="tệp ra (bắt buộc với xlsx)"),
          year: int | None = typer.Option(None, help="năm của chỉ tiêu (mặc định: cuối nhiệm kỳ, hoặc năm của biểu đã nhập)")) -> None:
    """Biểu kết quả: chỉ tiêu Nghị quyết, kết quả, tỷ lệ đạt và đánh giá."""
    from chitieu.config import check_output_path

    if output is not None:
        check_output_path(output)  # never inside data/, params/, notebooks/ (links followed)
    loc = load_or_fail(locality)
    res = results_table(loc, year=year)
    shown_year = int(res.attrs.get("year") or year or loc.term_end)  # default: the table's own year
    title = results_title(loc, res)
    if res.empty:
        err.print(f"{loc.name}: chưa có số liệu — tài liệu không có chỉ tiêu Nghị quyết cho năm {shown_year} "
                  "(xem mục tiêu đến 2030: chitieu project " + loc.id + ")", markup=False, highlight=False)
    if format is Format.csv:
        write_text(to_csv(res), output, bom=True)
    elif format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        write_xlsx(res, output, title=title, loc=loc, year=shown_year)
        err.print(f"Đã ghi {output}", markup=False, highlight=False)
    elif not res.empty:
        shown, notes = terminal_results(res, shown_year)
        print_table(shown, title, notes=notes, optional=("Báo cáo ghi",))


@app.command()
def localities() -> None:
    """Danh sách địa phương."""
    from chitieu.core.vocabulary import LEVELS_VI

    frame = data_mod.load_localities()
    t = Table(title="Địa phương", header_style="bold")
    for col in ("Mã", "Tên", "Cấp", "Tỉnh", "Nhiệm kỳ", "Sáp nhập từ"):
        t.add_column(col, overflow="fold")
    for r in frame.itertuples(index=False):
        merged = r.merged_from.replace(";", ", ") if r.merged_from else ""
        t.add_row(r.id, r.name, LEVELS_VI.get(r.level, r.level), r.province, f"{r.term_start}–{r.term_end}", merged)
    Console().print(t)


@app.command()
def check() -> None:
    """Kiểm tra toàn bộ data/: liệt kê mọi lỗi một lần (tệp, dòng, cột)."""
    warnings: list = []
    problems = data_mod.check(warnings=warnings)
    for w in warnings:
        err.print(f"cảnh báo (warning): {w}", markup=False, highlight=False)
    if problems:
        raise DataError(problems)
    typer.echo(f"data/ hợp lệ (valid): {len(data_mod.load_localities())} địa phương.")


@app.command()
def data(locality: str = typer.Argument(..., help="mã địa phương"),
         format: Format = typer.Option(Format.csv, "--format", "-f", help="csv | xlsx | table"),
         output: Path | None = typer.Option(None, "--output", "-o")) -> None:
    """Bảng dài mọi số liệu (chỉ tiêu, kết quả) của một địa phương, kèm chuỗi gốc và nguồn."""
    from chitieu.config import check_output_path

    if output is not None:
        check_output_path(output)  # never inside data/, params/, notebooks/ (links followed)
    loc = load_or_fail(locality)
    frame = data_mod.long_table(loc)
    if format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        _long_xlsx(frame, output, title=f"Số liệu — {loc.name}")
    elif format is Format.table:
        prec = present.indicator_decimals(loc)
        shown = [{"Chỉ tiêu": r.indicator, "Kỳ": str(r.period),
                  "Giá trị": present.bound(r.value, getattr(r, "comparator", "="), prec.get(r.indicator),
                                           unit=r.unit) if present.has_number(r.value) else (r.raw or present.MISSING),
                  "Loại": r.status, "Chuỗi gốc": r.raw,
                  "Nguồn": present.source_label(r.source, own_file=loc.meta.get("source_file"))}
                 for r in frame.itertuples(index=False)]
        import pandas as pd

        print_table(pd.DataFrame(shown), f"Số liệu — {loc.name}")
    else:
        write_text(csv_text(frame), output, bom=True)


def _long_xlsx(frame, output: Path, *, title: str) -> None:
    """The long table as a sheet: numbers as numbers, text formula-safe, header styled, print set-up."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from chitieu.report.tables import save_workbook, set_cell, write_frame

    wb = Workbook()
    ws = wb.active
    ws.title = "Số liệu"
    set_cell(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=13)
    write_frame(ws, frame, header_row=2, widths=18, freeze="B3")
    save_workbook(wb, output)
