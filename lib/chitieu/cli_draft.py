"""Commands ``chitieu import``, ``chitieu audit`` and ``chitieu draft`` (registered on the main app by
:func:`register`). User-fixable problems are raised as :class:`chitieu.cli.UserError`: a message naming the file, exit
code 2, no traceback."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

__all__ = ["register"]


class AuditFormat(str, Enum):
    table = "table"
    csv = "csv"


def _user_error(exc: Exception):
    from .cli import UserError

    return UserError(str(exc))


def _echo(text: str = "") -> None:
    typer.echo(text)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


def import_table(
    file: Path = typer.Argument(..., help="tệp .docx, .xlsx hoặc văn bản có dấu tab (.txt/.tsv) chứa Biểu kết quả"),
    locality: str = typer.Option(..., "--locality", "-l", help="mã địa phương, ví dụ muong-ang"),
    replace: bool = typer.Option(False, "--replace", help="thay số liệu đã có của địa phương"),
    name: str | None = typer.Option(None, "--name", help="tên địa phương mới, ví dụ 'huyện Mường Ảng'"),
    level: str | None = typer.Option(None, "--level", help="cấp của địa phương mới: tinh, huyen, xa, phuong"),
    province: str | None = typer.Option(None, "--province", help="tỉnh của địa phương mới"),
    term_start: int = typer.Option(2020, "--term-start", help="năm đầu nhiệm kỳ (địa phương mới)"),
    term_end: int | None = typer.Option(None, "--term-end", help="năm cuối nhiệm kỳ (mặc định 2025)"),
    next_term_end: int = typer.Option(2030, "--next-term-end", help="năm của chỉ tiêu nhiệm kỳ sau"),
    table: int | None = typer.Option(None, "--table", min=1, help="số thứ tự của bảng trong tệp .docx"),
    sheet: str | None = typer.Option(None, "--sheet", help="tên trang tính trong tệp .xlsx"),
    dry_run: bool = typer.Option(False, "--dry-run", help="chỉ đọc và báo cáo, không ghi gì vào data/"),
    strict: bool = typer.Option(False, "--strict", help="không ghi gì và thoát với mã 3 nếu có ô không đọc được"),
) -> None:
    """Nhập Biểu kết quả (.docx, .xlsx, văn bản có tab) vào data/<địa phương>/ và liệt kê các ô cần rà soát."""
    from .data import DataError
    from .importer import InputError
    from .importer import import_table as run_import

    options = dict(replace=replace, name=name, level=level, province=province, term_start=term_start,
                   term_end=term_end, next_term_end=next_term_end, table=table, sheet=sheet)
    if strict and not dry_run:  # read first; write only if every cell could be read
        try:
            trial = run_import(file, locality, **options, dry_run=True)
        except InputError as exc:
            raise _user_error(exc) from None
        unread = [r for r in trial.review if r.kind == "unread"]
        if unread:
            for r in unread:
                _warn("  " + r.describe(trial.file_label))
            _warn(f"--strict: {len(unread)} ô không đọc được; data/ không thay đổi.")
            raise typer.Exit(3)
    try:
        result = run_import(file, locality, **options, dry_run=dry_run)
    except InputError as exc:
        raise _user_error(exc) from None
    except DataError:
        raise
    verb = "Sẽ nhập" if dry_run else "Đã nhập"
    _echo(f"{verb} {result.indicators} chỉ tiêu, {result.values} số liệu, {result.comparisons} so sánh từ "
          f"{file.name} vào data/{locality}/" + (" (thay số liệu cũ)" if result.replaced else "") + ".")
    _echo(f"Nguồn: data/sources/{result.source_file} (cột source = {result.source_file}:<dòng>).")
    if result.added_locality:
        _echo(("Sẽ thêm" if dry_run else "Đã thêm") + f" địa phương '{locality}' vào data/localities.csv.")
    for note in result.notes:
        _echo(f"Lưu ý: {note}.")
    _echo("Các cột: " + "; ".join(f"'{h}' → {r}" for h, r in result.columns.items()))
    review = result.review
    if review:
        kinds = {"unread": "không đọc được", "skipped": "bỏ qua", "guess": "đoán"}
        counts = "; ".join(f"{sum(1 for r in review if r.kind == k)} {v}" for k, v in kinds.items())
        _echo(f"\nCần rà soát {len(review)} ô ({counts}):")
        order = {"unread": 0, "skipped": 1, "guess": 2}
        for r in sorted(review, key=lambda r: (order[r.kind], r.row)):
            _echo("  " + r.describe(result.file_label))
    else:
        _echo("Không có ô nào phải đoán.")
    if dry_run:
        _echo("\n(--dry-run: data/ không thay đổi)")
    else:
        _echo(f"Ghi chép của lần nhập: data/{locality}/IMPORT.md. Kiểm tra: chitieu check; xem: chitieu table {locality}")


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
    from .audit import FINDING_VI, KIND_VI, audit_document
    from .importer import InputError
    from .tables import atomic_write_bytes

    try:
        report = audit_document(file, locality, doc_year=year)
    except InputError as exc:
        raise _user_error(exc) from None
    frame = report.frame
    if format is AuditFormat.csv:
        text = frame.to_csv(index=False, lineterminator="\n")
        if output:
            atomic_write_bytes(output, text.encode("utf-8"))
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
            lines.append(f"dòng {c.line} [{KIND_VI.get(c.kind, c.kind)}] «{c.quote}»")
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


def draft(
    locality: str = typer.Argument(..., help="mã địa phương"),
    output: Path | None = typer.Option(None, "--output", "-o", help="thư mục ghi (mặc định outputs/<địa phương>/du-thao)"),
    template: Path | None = typer.Option(None, "--template", help="mẫu báo cáo có chỗ trống '…' (ví dụ seed 001) "
                                                                  "để điền số liệu"),
    no_charts: bool = typer.Option(False, "--no-charts", help="không xuất biểu đồ (không cần Chromium)"),
    year: int | None = typer.Option(None, "--year", help="năm của chỉ tiêu (mặc định: cuối nhiệm kỳ)"),
) -> None:
    """Viết phần kết quả (câu chữ tiếng Việt, biểu kết quả, biểu đồ) ra .md và .docx; hoặc điền một mẫu báo cáo."""
    from .draft import write_draft
    from .importer import InputError

    out = output or Path("outputs") / locality / "du-thao"
    try:
        result = write_draft(locality, out, charts=not no_charts, template=template, year=year)
    except InputError as exc:
        raise _user_error(exc) from None
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


def register(app: typer.Typer) -> None:
    """Add ``import``, ``audit`` and ``draft`` to the main ``chitieu`` app."""
    app.command("import")(import_table)
    app.command("audit")(audit)
    app.command("draft")(draft)
