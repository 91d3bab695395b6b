"""``chitieu extract``: every target and result a report states (text, .docx, .html, PDF, scan), proposed as
records; ``--write`` puts the sure ones into ``data/<locality>/`` and the doubtful ones into a ranked review file."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from chitieu.cli._common import UserError
from chitieu.errors import InputError

app = typer.Typer()


class ExtractFormat(str, Enum):
    table = "table"
    csv = "csv"


class OcrMode(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def _warn(text: str) -> None:
    typer.echo(text, err=True)


@app.command()
def extract(
    file: Path = typer.Argument(..., help="báo cáo: .txt, .docx, .html, .pdf (có lớp chữ hoặc bản quét), ảnh .png/.jpg/.tif"),
    locality: str = typer.Option(..., "--locality", "-l", help="mã địa phương (mới hoặc đã có), ví dụ xa-moi"),
    name: str | None = typer.Option(None, "--name", help="tên địa phương mới, ví dụ 'xã Phú Bình'"),
    level: str | None = typer.Option(None, "--level", help="cấp của địa phương mới: tinh, huyen, xa, phuong …"),
    province: str | None = typer.Option(None, "--province", help="tỉnh của địa phương mới (không cần với "
                                        "--level tinh: chính tỉnh đó; quoc-gia: Việt Nam)"),
    format: ExtractFormat = typer.Option(ExtractFormat.table, "--format", "-f", help="table | csv"),
    output: Path | None = typer.Option(None, "--output", "-o", help="ghi bảng/CSV ra tệp thay vì màn hình"),
    write: bool = typer.Option(False, "--write", help="ghi các đề xuất chắc chắn vào data/<địa phương>/, các đề xuất "
                                                     "còn nghi vào data/<địa phương>/review-extract.csv"),
    replace: bool = typer.Option(False, "--replace", help="với --write: thay kết quả của lần extract trước"),
    ocr: OcrMode = typer.Option(OcrMode.auto, "--ocr", help="auto: OCR các trang PDF không có lớp chữ; always; never"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="số trang OCR chạy song song"),
) -> None:
    """Đọc cả văn bản và đề xuất mọi chỉ tiêu, kết quả nó nêu (tên, mã danh mục, giá trị, đơn vị, kỳ, nguồn, độ tin cậy)."""
    from chitieu.analysis.extract import PROPOSAL_COLUMNS, extract_document

    try:
        ex = extract_document(file, locality=locality, progress=sys.stderr.isatty(), ocr=ocr.value, workers=workers)
    except InputError as exc:
        raise UserError(str(exc)) from None
    frame = ex.frame
    if format is ExtractFormat.csv:
        from chitieu.io.safe import spreadsheet_text

        text_cols = ["indicator_name", "raw", "why", "conflict", "unit", "source"]
        safe = frame.copy()
        for c in text_cols:
            safe[c] = safe[c].map(spreadsheet_text)
        text = safe.to_csv(index=False, lineterminator="\n", columns=PROPOSAL_COLUMNS)
    else:
        text = _table_text(ex)
    if output:
        from chitieu.io.safe import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
        _warn(f"Đã ghi {output} ({len(frame)} đề xuất).")
    elif format is ExtractFormat.csv or not write:
        sys.stdout.write(text)
    if write:
        from chitieu.analysis.extract_write import write_extraction

        try:
            res = write_extraction(ex, file, locality, name=name, level=level, province=province, replace=replace)
        except InputError as exc:
            raise UserError(str(exc)) from None
        _warn(f"Đã ghi {res.indicators} chỉ tiêu, {res.values} số liệu, {res.comparisons} so sánh vào data/{locality}/ "
              f"(indicators_extract.csv, values_extract.csv, comparisons_extract.csv)"
              + (" — thay lần extract trước" if res.replaced else "") + ".")
        _warn(f"Nguồn: data/sources/{res.source_file}. Cần rà soát {res.review} đề xuất: "
              f"data/{locality}/review-extract.csv (xếp theo mức ảnh hưởng đến đánh giá).")
        if res.added_locality:
            _warn(f"Đã thêm địa phương '{locality}' vào data/localities.csv.")
    else:
        if name or level or province:
            _warn("(--name/--level/--province chỉ dùng với --write)")
        _warn("(không có --write: data/ không thay đổi)")


def _table_text(ex) -> str:
    from chitieu.analysis.extract_write import reading

    counts = ex.counts()
    lines = [f"{ex.document.name}: {len(ex.proposals)} đề xuất — {counts.get('target', 0)} chỉ tiêu, "
             f"{counts.get('actual', 0)} kết quả, {counts.get('estimate', 0)} ước thực hiện; "
             f"{sum(1 for p in ex.proposals if not p.accepted)} cần rà soát"]
    lines += [f"  ({n})" for n in ex.notes]
    for p in ex.proposals:
        mark = "  " if p.accepted else "? "
        code = f" [{p.catalogue_code}]" if p.catalogue_code else ""
        lines.append(f"{mark}{p.source:<34} {reading(p):<46} {p.indicator_name[:70]}{code}  ({p.confidence:.2f})")
        lines.append(f"      «{p.raw}»")
        if not p.accepted and p.why:
            lines.append(f"      → {'; '.join(p.why)[:200]}")
    return "\n".join(lines) + "\n"
