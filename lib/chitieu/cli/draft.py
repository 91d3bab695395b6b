"""``chitieu draft``: the results section's sentences, table and charts (.md and .docx), or a filled template."""
from __future__ import annotations

from pathlib import Path

import typer

from chitieu.cli._common import UserError
from chitieu.errors import InputError
from chitieu.report.draft import write_draft

app = typer.Typer()


def _echo(text: str = "") -> None:
    typer.echo(text)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


@app.command()
def draft(
    locality: str = typer.Argument(..., help="mã địa phương"),
    output: Path | None = typer.Option(None, "--output", "-o", help="thư mục ghi (mặc định outputs/<địa phương>/du-thao)"),
    template: Path | None = typer.Option(None, "--template", help="mẫu báo cáo có chỗ trống '…' (ví dụ seed 001) "
                                                                  "để điền số liệu"),
    no_charts: bool = typer.Option(False, "--no-charts", help="không xuất biểu đồ (không cần Chromium)"),
    year: int | None = typer.Option(None, "--year", help="năm của chỉ tiêu (mặc định: cuối nhiệm kỳ)"),
) -> None:
    """Viết phần kết quả (câu chữ tiếng Việt, biểu kết quả, biểu đồ) ra .md và .docx; hoặc điền một mẫu báo cáo."""
    from chitieu.config import check_output_path

    if output is not None:
        check_output_path(output)  # never inside data/, params/, notebooks/ (links followed)
    out = output or Path("outputs") / locality / "du-thao"
    try:
        result = write_draft(locality, out, charts=not no_charts, template=template, year=year)
    except InputError as exc:
        raise UserError(str(exc)) from None
    _echo(f"Đã ghi {result.markdown}")
    _echo(f"Đã ghi {result.docx}")
    for p in result.charts:
        _echo(f"Đã ghi {p}")
    if result.chart_error:
        _warn(f"Cảnh báo: biểu đồ chưa xuất được ({result.chart_error}); văn bản vẫn được ghi. Dùng --no-charts để "
              "bỏ qua biểu đồ.")
    if template is not None:
        _echo(f"\nĐã điền {len(result.filled)} chỗ trống:")
        for f in result.filled:
            _echo(f"  dòng {f['line']}: {f['what']} = {f['value']} (nguồn {f['source']})")
        _echo(f"Chưa có số liệu ({len(result.missing)}):")
        for m in result.missing:
            _echo(f"  dòng {m['line']}: «{m['context']}» — {m['reason']}")
        if result.others:
            _echo(f"Chỗ trống khác, không phải số liệu ({len(result.others)}): dòng "
                  + ", ".join(str(o["line"]) for o in result.others))
    else:
        _echo(f"{result.sentences} chỉ tiêu trong phần kết quả.")
