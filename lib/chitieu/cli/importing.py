"""``chitieu import``: a results table (.docx, .xlsx, tab-separated text) into ``data/<locality>/``."""
from __future__ import annotations

from pathlib import Path

import typer

from chitieu.cli._common import UserError
from chitieu.errors import DataError, InputError
from chitieu.io.importer import import_table as run_import

app = typer.Typer()


def _echo(text: str = "") -> None:
    typer.echo(text)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


@app.command("import")
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
    options = dict(replace=replace, name=name, level=level, province=province, term_start=term_start,
                   term_end=term_end, next_term_end=next_term_end, table=table, sheet=sheet)
    if strict and not dry_run:  # read first; write only if every cell could be read
        try:
            trial = run_import(file, locality, **options, dry_run=True)
        except InputError as exc:
            raise UserError(str(exc)) from None
        unread = [r for r in trial.review if r.kind == "unread"]
        if unread:
            for r in unread:
                _warn("  " + r.describe(trial.file_label))
            _warn(f"--strict: {len(unread)} ô không đọc được; data/ không thay đổi.")
            raise typer.Exit(3)
    try:
        result = run_import(file, locality, **options, dry_run=dry_run)
    except InputError as exc:
        raise UserError(str(exc)) from None
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
