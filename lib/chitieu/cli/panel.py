"""``chitieu panel FILE --to 2030 --output OUT``: a whole long-format panel from the user's own file.

The computation is :mod:`chitieu.panel`; the format and
the rules are in ``docs/PANEL.md``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import typer

from chitieu.analysis.panel import assess_panel
from chitieu.io.panelio import PanelInputError, read_panel, write_csv, write_output
from chitieu.analysis.projection import CATEGORIES, CATEGORY_LABELS_VI, ProjectionError
from chitieu.cli._common import UserError, err

app = typer.Typer()

_OUT_SUFFIXES = (".csv", ".parquet", ".pq")


def _fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@app.command()
def panel(file: Path = typer.Argument(..., help="bảng dài (long table) .csv hoặc .parquet, cột như `chitieu data`"),
          to: int = typer.Option(2030, "--to", help="năm mục tiêu (target year)"),
          output: str | None = typer.Option(None, "--output", "-o",
                                            help="tệp kết quả .csv hoặc .parquet ('-' = CSV ra stdout)"),
          term: int | None = typer.Option(None, "--term",
                                          help="năm cuối nhiệm kỳ để tính tỷ lệ đạt (mặc định --to − 5)"),
          quiet: bool = typer.Option(False, "--quiet", "-q", help="không in tiến độ (no progress messages)")) -> None:
    """Cả bảng từ tệp của bạn: tỷ lệ đạt nhiệm kỳ, nhịp đã qua và nhịp cần, dự báo (trừ ETS), đánh giá."""
    started = time.perf_counter()

    def say(msg: str) -> None:
        if not quiet:
            err.print(f"[{time.perf_counter() - started:5.1f} s] {msg}", markup=False, highlight=False, soft_wrap=True)

    if output is None:
        raise UserError("cần --output TỆP.csv hoặc TỆP.parquet (hoặc '-' để in CSV)")
    if output != "-":
        from chitieu.config import check_output_path

        check_output_path(output)  # never inside data/, params/, notebooks/ (links followed)
    if output != "-" and Path(output).suffix.lower() not in _OUT_SUFFIXES:
        raise UserError(f"--output '{output}': cần đuôi .csv hoặc .parquet (expected .csv or .parquet)")
    if output != "-" and Path(output).suffix.lower() in (".parquet", ".pq"):
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UserError("ghi Parquet cần gói 'pyarrow' (chưa cài: pip install pyarrow); dùng --output ….csv / "
                            "writing Parquet needs the 'pyarrow' package, which is not installed") from None
    if not 1900 <= to <= 2100 or (term is not None and not 1900 <= term < to):
        raise UserError(f"--to {to} / --term {term}: cần năm 1900–2100 và --term trước --to")

    try:
        long = read_panel(file, progress=say)
        say(f"hợp lệ: {_fmt_int(len(long.localities))} địa phương × {_fmt_int(len(long.indicators))} chỉ tiêu")
        out = assess_panel(long, to=to, term=term, progress=say)
    except PanelInputError as exc:
        raise UserError(str(exc)) from None
    except ProjectionError as exc:  # the checks above should leave none
        raise UserError(f"{file}: {exc}") from None
    del long
    series = out.drop_duplicates(["locality", "indicator"])
    say(f"xong: {_fmt_int(len(series))} chuỗi, {_fmt_int(len(out))} dòng kết quả; ghi …")
    try:
        if output == "-":
            write_csv(out, sys.stdout.buffer)
            sys.stdout.flush()
        else:
            write_output(out, output)
    except PanelInputError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"không ghi được '{output}' (cannot write): {exc.strerror or exc}") from None
    if not quiet:
        counts = series["category"].value_counts()
        parts = [f"{CATEGORY_LABELS_VI[c]}: {_fmt_int(int(counts.get(c, 0)))}" for c in CATEGORIES if counts.get(c, 0)]
        say(f"Tiến độ đến {to} (số chuỗi): " + ("; ".join(parts) or "không có chuỗi nào (no series)"))
        verdicts = series["term_verdict_vi"].dropna().value_counts()
        if len(verdicts):
            say(f"Kết quả nhiệm kỳ {term or to - 5}: " + "; ".join(f"{k}: {_fmt_int(int(v))}"
                                                                  for k, v in verdicts.items()))
        if output != "-":
            say(f"Đã ghi {output}")

