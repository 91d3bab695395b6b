"""Reading a table from a file: the rows of a .docx table, an .xlsx sheet or the tab-separated lines of a text
file, with the line of each row in a text copy (what ``chitieu import`` stores in ``data/sources/``)."""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from chitieu.core.numfmt import decimals_of, format_vi
from chitieu.errors import InputError
from chitieu.io.tableparse import find_header
from chitieu.io.text import clean_cell, read_text_file

__all__ = ["TableSource", "read_table", "SUPPORTED"]

SUPPORTED = (".docx", ".xlsx", ".txt", ".tsv", ".tab")


@dataclass
class TableSource:
    """Rows of cells as read, and for each row its line number in ``source_lines`` (what is copied to sources/)."""

    rows: list[list[str]]
    lines: list[int]
    source_lines: list[str]
    what: str  # "bảng 1", "trang tính 'Sheet1'", "các dòng có dấu tab"
    encoding: str = ""
    notes: list[str] = field(default_factory=list)


def _docx_tables(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path.name}: không mở được tệp .docx ({type(exc).__name__}: {exc})") from None
    out = []
    for table in document.tables:
        rows = []
        previous: list = []
        for row in table.rows:
            cells, tcs = [], []
            for i, cell in enumerate(row.cells):
                tc = cell._tc
                repeated = (tcs and tcs[-1] is tc) or (i < len(previous) and previous[i] is tc)
                cells.append("" if repeated else clean_cell(cell.text))
                tcs.append(tc)
            previous = tcs
            rows.append(cells)
        out.append(rows)
    return out


def _xlsx_cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        fmt = str(cell.number_format or "")
        if "%" in fmt:
            pct = float(value) * 100
            return format_vi(pct, min(decimals_of(round(pct, 10)), 6)) + "%"
        x = float(value)
        return format_vi(x, min(decimals_of(round(x, 10)), 6))
    if hasattr(value, "year") and hasattr(value, "month"):
        return value.strftime("%d/%m/%Y")
    return clean_cell(value)


def read_table(path: Path, *, table: int | None = None, sheet: str | None = None) -> TableSource:
    """Read the rows of the table in ``path`` (.docx: the table with a recognised header, or number ``table``;
    .xlsx: ``sheet`` or the first sheet with a recognised header; text: the lines that hold tab characters)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(f"{path.name}: định dạng không hỗ trợ '{suffix or '(không có đuôi)'}' — dùng .docx, .xlsx "
                         "hoặc văn bản .txt/.tsv có dấu tab giữa các ô")
    if not path.exists():
        raise InputError(f"{path}: không có tệp này (file not found)")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: tệp rỗng (empty file)")
    if suffix == ".docx":
        tables = _docx_tables(path)
        if not tables:
            raise InputError(f"{path.name}: không có bảng nào trong tệp .docx (no table found)")
        if table is not None:
            if not 1 <= table <= len(tables):
                raise InputError(f"{path.name}: không có bảng số {table} (tệp có {len(tables)} bảng)")
            order = [table - 1]
        else:
            order = sorted(range(len(tables)), key=lambda i: (find_header(tables[i]) is None, -len(tables[i])))
        rows = tables[order[0]]
        if not any(any(c for c in r) for r in rows):
            raise InputError(f"{path.name}: bảng {order[0] + 1} không có nội dung (the table is empty)")
        return TableSource(rows, list(range(1, len(rows) + 1)), ["\t".join(r) for r in rows], f"bảng {order[0] + 1}")
    if suffix == ".xlsx":
        import openpyxl

        try:
            wb = openpyxl.load_workbook(str(path), data_only=True, read_only=False)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise InputError(f"{path.name}: không mở được tệp .xlsx ({type(exc).__name__}: {exc})") from None
        names = [sheet] if sheet else wb.sheetnames
        if sheet and sheet not in wb.sheetnames:
            raise InputError(f"{path.name}: không có trang tính '{sheet}'; có: {', '.join(wb.sheetnames)}")
        candidates = []
        for name in names:
            ws = wb[name]
            rows = [[_xlsx_cell_text(c) for c in r] for r in ws.iter_rows()]
            while rows and not any(rows[-1]):
                rows.pop()
            width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows), default=0)
            rows = [r[:width] for r in rows]
            if any(any(r) for r in rows):
                candidates.append((name, rows))
        if not candidates:
            raise InputError(f"{path.name}: bảng tính không có ô nào có nội dung (empty workbook)")
        candidates.sort(key=lambda nr: find_header(nr[1]) is None)
        name, rows = candidates[0]
        return TableSource(rows, list(range(1, len(rows) + 1)), ["\t".join(r) for r in rows], f"trang tính '{name}'")
    lines, enc = read_text_file(path)
    rows, numbers = [], []
    for i, line in enumerate(lines, start=1):
        if "\t" in line:
            rows.append([clean_cell(c) for c in line.split("\t")])
            numbers.append(i)
        elif rows and line.strip() and find_header(rows, limit=None) is not None:
            break  # a line of prose after the table ends it
    start = find_header(rows, limit=None) if rows else None
    if start:  # tab characters in the prose before the table are not part of it
        rows, numbers = rows[start:], numbers[start:]
    if not rows:
        raise InputError(f"{path.name}: không có dòng nào có dấu tab — không tìm thấy bảng (no tab-separated table)")
    source = TableSource(rows, numbers, lines, "các dòng có dấu tab", enc)
    if enc != "utf-8":
        source.notes.append(f"tệp được đọc theo bảng mã {enc}")
    return source


