"""``chitieu localities``, ``check``, ``data`` and ``table``: the data as transcribed and the results table."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from chitieu.analysis.achievement import results_table
from chitieu.cli._common import Format, UserError, err, load_or_fail, print_table, write_text
from chitieu.errors import DataError
from chitieu.io import data as data_mod
from chitieu.io.safe import atomic_write_bytes
from chitieu.report.tables import display_frame, to_csv, write_xlsx

app = typer.Typer()


@app.command()
def table(locality: str = typer.Argument(..., help="mã địa phương, ví dụ muong-ang"),
          format: Format = typer.Option(Format.table, "--format", "-f", help="table | csv | xlsx"),
          output: Path | None = typer.Option(None, "--output", "-o", help="tệp ra (bắt buộc với xlsx)"),
          year: int | None = typer.Option(None, help="năm của chỉ tiêu (mặc định: cuối nhiệm kỳ)")) -> None:
    """Biểu kết quả: chỉ tiêu Nghị quyết, kết quả, tỷ lệ đạt và đánh giá."""
    loc = load_or_fail(locality)
    res = results_table(loc, year=year)
    title = f"Biểu kết quả thực hiện chỉ tiêu Nghị quyết — {loc.name} (nhiệm kỳ {loc.meta['term_start']}–{loc.term_end})"
    if res.empty:
        err.print(f"{loc.name}: chưa có số liệu (no targets for {year or loc.term_end})")
    if format is Format.csv:
        write_text(to_csv(res), output)
    elif format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        write_xlsx(res, output, title=title)
        err.print(f"Đã ghi {output}")
    elif not res.empty:
        print_table(display_frame(res), title)


@app.command()
def localities() -> None:
    """Danh sách địa phương."""
    frame = data_mod.load_localities()
    levels = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã", "phuong": "phường"}
    t = Table(title="Địa phương", header_style="bold")
    for col in ("Mã", "Tên", "Cấp", "Tỉnh", "Nhiệm kỳ", "Sáp nhập từ"):
        t.add_column(col, overflow="fold")
    for r in frame.itertuples(index=False):
        merged = r.merged_from.replace(";", ", ") if r.merged_from else ""
        t.add_row(r.id, r.name, levels.get(r.level, r.level), r.province, f"{r.term_start}–{r.term_end}", merged)
    Console(width=160).print(t)


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
    frame = data_mod.long_table(load_or_fail(locality))
    if format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        buf = BytesIO()
        frame.to_excel(buf, index=False, sheet_name="Số liệu")
        atomic_write_bytes(output, buf.getvalue())
    elif format is Format.table:
        print_table(frame[["indicator", "period", "value", "unit", "status", "raw", "source"]].astype(str), locality)
    else:
        write_text(frame.to_csv(index=False, lineterminator="\n"), output)
