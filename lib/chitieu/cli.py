"""The ``chitieu`` command.

Every user-facing failure (bad data, unknown locality, unreadable file) ends in a clear message on stderr and a
non-zero exit, never a traceback: see :func:`main`.
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from . import data as data_mod
from .achievement import results_table
from .data import DataError
from .tables import display_frame, to_csv, write_xlsx

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="chitieu: chỉ tiêu Nghị quyết — kết quả, xu hướng, dự báo đến 2030, báo cáo.")
err = Console(stderr=True)


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""


class Format(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def _load(loc_id: str):
    try:
        return data_mod.load_locality(loc_id)
    except KeyError as exc:
        raise UserError(exc.args[0]) from None


def _print_table(frame, title: str) -> None:
    console = Console(width=max(Console().width, 220))
    t = Table(title=title, show_lines=False, header_style="bold")
    for col in frame.columns:
        if col == "Chỉ tiêu":
            t.add_column(col, overflow="fold", min_width=40, max_width=56)
        elif col in ("Lưu ý", "Nguồn"):
            t.add_column(col, overflow="fold", max_width=32)
        else:
            t.add_column(str(col), overflow="fold", max_width=24)
    for row in frame.itertuples(index=False):
        t.add_row(*[str(v) for v in row])
    console.print(t)


@app.command()
def table(locality: str = typer.Argument(..., help="mã địa phương, ví dụ muong-ang"),
          format: Format = typer.Option(Format.table, "--format", "-f", help="table | csv | xlsx"),
          output: Path | None = typer.Option(None, "--output", "-o", help="tệp ra (bắt buộc với xlsx)"),
          year: int | None = typer.Option(None, help="năm của chỉ tiêu (mặc định: cuối nhiệm kỳ)")) -> None:
    """Biểu kết quả: chỉ tiêu Nghị quyết, kết quả, tỷ lệ đạt và đánh giá."""
    loc = _load(locality)
    res = results_table(loc, year=year)
    title = f"Biểu kết quả thực hiện chỉ tiêu Nghị quyết — {loc.name} (nhiệm kỳ {loc.meta['term_start']}–{loc.term_end})"
    if res.empty:
        err.print(f"{loc.name}: chưa có số liệu (no targets for {year or loc.term_end})")
    if format is Format.csv:
        text = to_csv(res)
        if output:
            from .tables import atomic_write_bytes
            atomic_write_bytes(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
    elif format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        write_xlsx(res, output, title=title)
        err.print(f"Đã ghi {output}")
    elif not res.empty:
        _print_table(display_frame(res), title)


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
    problems = data_mod.check()
    if problems:
        raise DataError(problems)
    typer.echo(f"data/ hợp lệ (valid): {len(data_mod.load_localities())} địa phương.")


@app.command()
def data(locality: str = typer.Argument(..., help="mã địa phương"),
         format: Format = typer.Option(Format.csv, "--format", "-f", help="csv | xlsx | table"),
         output: Path | None = typer.Option(None, "--output", "-o")) -> None:
    """Bảng dài mọi số liệu (chỉ tiêu, kết quả) của một địa phương, kèm chuỗi gốc và nguồn."""
    from .longtable import long_table
    frame = long_table(_load(locality))
    if format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        from .tables import atomic_write_bytes
        from io import BytesIO
        buf = BytesIO()
        frame.to_excel(buf, index=False, sheet_name="Số liệu")
        atomic_write_bytes(output, buf.getvalue())
    elif format is Format.table:
        _print_table(frame[["indicator", "period", "value", "unit", "status", "raw", "source"]].astype(str), locality)
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
        if output:
            from .tables import atomic_write_bytes
            atomic_write_bytes(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)


def main() -> None:
    """Entry point: runs the app and turns user errors into messages and exit codes."""
    try:
        app(standalone_mode=False)
    except DataError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(2)
    except UserError as exc:
        err.print(f"Lỗi: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code)
    except typer.Abort:
        sys.exit(130)
    except __import__("click").ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
