"""``chitieu audit``: every claim of a draft checked against the data and its own arithmetic."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from chitieu.analysis.audit import FINDING_VI, CLAIM_KIND_VI, audit_document
from chitieu.cli._common import UserError
from chitieu.errors import InputError
from chitieu.io.safe import atomic_write_bytes

app = typer.Typer()


class AuditFormat(str, Enum):
    table = "table"
    csv = "csv"


def _echo(text: str = "") -> None:
    typer.echo(text)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


@app.command()
def audit(
    file: Path = typer.Argument(..., help="bản dự thảo báo cáo (.txt hoặc .docx)"),
    locality: str = typer.Option(..., "--locality", "-l", help="mã địa phương có số liệu để đối chiếu"),
    format: AuditFormat = typer.Option(AuditFormat.table, "--format", "-f", help="table | csv"),
    output: Path | None = typer.Option(None, "--output", "-o", help="ghi ra tệp thay vì màn hình"),
    show_all: bool = typer.Option(False, "--all", help="in cả các câu khớp số liệu"),
    year: int | None = typer.Option(None, "--year", help="năm của văn bản ('đến nay' = năm này); mặc định đọc từ "
                                                         "dòng 'ngày … tháng … năm …'"),
) -> None:
    """Đối chiếu từng câu nêu kết quả (đạt X% NQ, x/y, tăng so với, giá trị của chỉ tiêu) với số liệu và phép tính."""
    from chitieu.config import check_output_path

    if output is not None:
        check_output_path(output)  # never inside data/, params/, notebooks/ (links followed)
    try:
        report = audit_document(file, locality, doc_year=year)
    except InputError as exc:
        raise UserError(str(exc)) from None
    frame = report.frame
    if format is AuditFormat.csv:
        from chitieu.cli._common import csv_text

        text = csv_text(frame)  # text cells formula-safe (a quote from a document may start with "=")
        if output:
            atomic_write_bytes(output, ("\ufeff" + text).encode("utf-8"))  # BOM: Excel reads Vietnamese right
            _warn(f"Đã ghi {output} ({len(frame)} câu).")
        else:
            sys.stdout.write(text)
        return
    counts = report.counts()
    lines = [f"Đối chiếu {report.document} với số liệu của '{locality}': {len(frame)} câu nêu kết quả — "
             + "; ".join(f"{FINDING_VI[k]}: {v}" for k, v in counts.items())]
    lines += [f"  ({n})" for n in report.notes]
    order = ["contradicts_data", "arithmetic_fails", "cannot_check"] + (["consistent"] if show_all else [])
    for finding in order:
        part = [c for c in report.claims if c.finding == finding]
        if not part:
            continue
        lines += ["", f"== {FINDING_VI[finding].upper()} ({len(part)}) =="]
        for c in part:
            lines.append(f"dòng {c.line} [{CLAIM_KIND_VI.get(c.kind, c.kind)}] «{c.quote}»")
            lines.append(f"    câu nêu: {c.stated}")
            if c.expected and c.expected != "—":
                lines.append(f"    số liệu / phép tính: {c.expected}")
            lines.append(f"    → {c.reason}")
    if not show_all and counts["consistent"]:
        lines += ["", f"({counts['consistent']} câu khớp số liệu không in ra; thêm --all để xem, --format csv để "
                      "lấy tất cả)"]
    text = "\n".join(lines) + "\n"
    if output:
        atomic_write_bytes(output, text.encode("utf-8"))
        _warn(f"Đã ghi {output}.")
    else:
        sys.stdout.write(text)
