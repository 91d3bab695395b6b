"""Reading a table from a file: the rows of a .docx table, an .xlsx sheet or the tab-separated lines of a text
file, with the line of each row in a text copy (what ``chitieu import`` stores in ``data/sources/``).

Every input is checked against :data:`chitieu.io.safe.LIMITS` before it is opened (a regular file, its size; for a
.docx / .xlsx the uncompressed sizes of the zip directory, so a zip bomb is refused before a byte is inflated) and
while it is read (rows, columns, cells, characters in a cell): a file beyond a limit is refused with a message
naming the limit, in well under a second, instead of minutes of work and gigabytes of memory."""
from __future__ import annotations

import math
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from chitieu.core.numfmt import decimals_of, format_vi
from chitieu.errors import InputError
from chitieu.io.safe import LIMITS, FileRefused, check_regular_file, check_zip, fmt_int
from chitieu.io.tableparse import find_header
from chitieu.io.text import clean_cell, read_text_file

__all__ = ["TableSource", "read_table", "TABLE_SUFFIXES"]

TABLE_SUFFIXES = (".docx", ".xlsx", ".txt", ".tsv", ".tab")


@dataclass
class TableSource:
    """Rows of cells as read, and for each row its line number in ``source_lines`` (what is copied to sources/)."""

    rows: list[list[str]]
    lines: list[int]
    source_lines: list[str]
    what: str  # "bảng 1", "trang tính 'Sheet1'", "các dòng có dấu tab"
    encoding: str = ""
    notes: list[str] = field(default_factory=list)
    #: per row and column, the number an .xlsx cell holds as a number (a percentage format × 100), else None:
    #: such a cell has no separator to guess (chitieu.io.tableparse takes it as it is)
    native: list[list] | None = None


class _Budget:
    """Counts what a table file holds while it is read; refuses the file once a limit of LIMITS is passed."""

    def __init__(self, label: str):
        self.label, self.cells = label, 0

    def refuse(self, what: str) -> None:
        raise InputError(f"{self.label}: {what} — chitieu nhập Biểu kết quả (vài chục đến vài trăm dòng); bảng lớn "
                         "hơn: chia thành nhiều tệp, hoặc dùng chitieu panel cho một bảng dài (over a limit)")

    def rows(self, n: int, where: str = "bảng") -> None:
        if n > LIMITS.table_rows:
            self.refuse(f"{where} có {fmt_int(n)} dòng, vượt giới hạn {fmt_int(LIMITS.table_rows)} dòng")

    def row(self, cells: list[str], number: int) -> None:
        if len(cells) > LIMITS.table_columns:
            self.refuse(f"dòng {number} có {fmt_int(len(cells))} cột, vượt giới hạn {fmt_int(LIMITS.table_columns)} cột")
        self.cells += len(cells)
        if self.cells > LIMITS.table_cells:
            self.refuse(f"hơn {fmt_int(LIMITS.table_cells)} ô, vượt giới hạn số ô")
        for i, c in enumerate(cells):
            if len(c) > LIMITS.cell_chars:
                self.refuse(f"dòng {number}, cột {i + 1}: ô dài {fmt_int(len(c))} ký tự, vượt giới hạn "
                            f"{fmt_int(LIMITS.cell_chars)} ký tự một ô")


def _docx_tables(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path.name}: không mở được tệp .docx ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # noqa: BLE001 - lxml's XMLSyntaxError and the like: a damaged document
        raise InputError(f"{path.name}: tệp .docx hỏng, không đọc được ({type(exc).__name__}: {exc})") from None
    out = []
    budget = _Budget(path.name)
    for number, table in enumerate(document.tables, start=1):
        budget.rows(len(table._tbl.tr_lst), f"bảng {number}")
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
            budget.row(cells, len(rows) + 1)
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
        if "%" in fmt and math.isfinite(float(value)) and abs(float(value)) < 1e16:
            pct = float(value) * 100
            return format_vi(pct, min(decimals_of(round(pct, 10)), 6)) + "%"
        x = float(value)
        if not math.isfinite(x) or abs(x) >= 1e18:  # beyond what a report holds: kept as written, checked later
            return f"{x:.6g}"
        return format_vi(x, min(decimals_of(round(x, 10)), 6))
    if hasattr(value, "year") and hasattr(value, "month"):
        return value.strftime("%d/%m/%Y")
    return clean_cell(value)


def _xlsx_native(cell):
    """The number an .xlsx cell holds as a number (× 100 under a percentage format), else None."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        return None
    return float(value) * 100 if "%" in str(getattr(cell, "number_format", "") or "") else float(value)


def _xlsx_rows(ws, label: str, native: list | None = None) -> list[list[str]]:
    """The rows of a read-only sheet as text, within the limits; the sheet's declared size (``<dimension>``, which a
    crafted file sets to a million rows) is ignored: only the rows the file holds are read."""
    budget = _Budget(label)
    ws.reset_dimensions()
    rows: list[list[str]] = []
    filled = 0
    for number, r in enumerate(ws.iter_rows(), start=1):
        if number > 20 * LIMITS.table_rows:
            budget.refuse(f"hơn {fmt_int(20 * LIMITS.table_rows)} dòng (kể cả dòng trống)")
        cells = [_xlsx_cell_text(c) for c in r]
        if native is not None:
            native.append([_xlsx_native(c) for c in r])
        if any(cells):
            filled += 1
            budget.rows(filled)
            budget.row(cells, number)
        rows.append(cells)
    while rows and not any(rows[-1]):
        rows.pop()
    width = max((max((i + 1 for i, c in enumerate(r) if c), default=0) for r in rows), default=0)
    return [(r + [""] * (width - len(r)))[:width] for r in rows]


def read_table(path: Path, *, table: int | None = None, sheet: str | None = None) -> TableSource:
    """Read the rows of the table in ``path`` (.docx: the table with a recognised header, or number ``table``;
    .xlsx: ``sheet`` or the first sheet with a recognised header; text: the lines that hold tab characters)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"{path.name}: định dạng không hỗ trợ '{suffix or '(không có đuôi)'}' — dùng .docx, .xlsx "
                         "hoặc văn bản .txt/.tsv có dấu tab giữa các ô")
    if not os.path.lexists(path):
        raise InputError(f"{path}: không có tệp này (file not found)")
    try:  # a regular file (never a FIFO or a device), within the size limit, before anything opens it
        st = check_regular_file(path, LIMITS.text_file_bytes if suffix not in (".docx", ".xlsx")
                                else LIMITS.table_file_bytes, label=path.name)
        if st.st_size and suffix in (".docx", ".xlsx"):
            check_zip(path, label=path.name)  # a zip bomb is refused from the zip directory, before inflating
    except FileRefused as exc:
        raise InputError(str(exc)) from None
    if st.st_size == 0:
        raise InputError(f"{path.name}: tệp rỗng (empty file)")
    if suffix == ".docx":
        return _read_docx(path, table)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet)
    return _read_text(path)


def _read_docx(path: Path, table: int | None) -> TableSource:
    """The table of a .docx: number ``table``, else the one with a recognised header (the longest first)."""
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


def _read_xlsx(path: Path, sheet: str | None) -> TableSource:
    """The rows of ``sheet``, else of the first sheet with a recognised header, streamed (read-only)."""
    import openpyxl

    try:  # read-only: the sheet is streamed, so the limits stop a huge one early
        wb = openpyxl.load_workbook(str(path), data_only=True, read_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(f"{path.name}: không mở được tệp .xlsx ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # noqa: BLE001 - a damaged workbook (XML errors and the like)
        raise InputError(f"{path.name}: tệp .xlsx hỏng, không đọc được ({type(exc).__name__}: {exc})") from None
    try:
        names = [sheet] if sheet else wb.sheetnames
        if sheet and sheet not in wb.sheetnames:
            raise InputError(f"{path.name}: không có trang tính '{sheet}'; có: {', '.join(wb.sheetnames)}")
        candidates = []
        for name in names:
            natives: list = []
            rows = _xlsx_rows(wb[name], f"{path.name}, trang tính '{name}'", natives)
            if any(any(r) for r in rows):
                candidates.append((name, rows, natives))
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet: said, never a traceback
        raise InputError(f"{path.name}: tệp .xlsx hỏng, không đọc được ({type(exc).__name__}: {exc})") from None
    finally:
        wb.close()
    if not candidates:
        raise InputError(f"{path.name}: bảng tính không có ô nào có nội dung (empty workbook)")
    candidates.sort(key=lambda nr: find_header(nr[1]) is None)
    name, rows, natives = candidates[0]
    return TableSource(rows, list(range(1, len(rows) + 1)), ["\t".join(r) for r in rows], f"trang tính '{name}'",
                       native=natives[:len(rows)])


def _read_text(path: Path) -> TableSource:
    """The lines with tab characters of a text file (its encoding detected), the prose around them left out."""
    lines, enc = read_text_file(path)
    budget = _Budget(path.name)
    budget.rows(sum(1 for line in lines if "\t" in line), "bảng (các dòng có dấu tab)")
    rows, numbers = [], []
    for i, line in enumerate(lines, start=1):
        if "\t" in line:
            rows.append([clean_cell(c) for c in line.split("\t")])
            budget.row(rows[-1], i)
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
