"""Import a *Biểu kết quả*-style table (.docx, .xlsx or tab-separated text) into ``data/<locality>/``.

The table's header names its columns (``STT``, ``Lĩnh vực`` / ``Chỉ tiêu``, ``Nghị quyết …``, ``Ước thực hiện năm
2024``, ``So sánh với NQĐH``, ``Mục tiêu đến năm 2030``, ``Đơn vị``). Every cell goes through the quantity parser
(:func:`chitieu.quantity.parse_row`, so that the ambiguous separators of a row are read together) and every cell
that was guessed or could not be read is listed for review. Nothing is written without a valid result:

1. the table is read into rows (:func:`read_table`) and parsed (:func:`parse_table`);
2. the three CSV files of ``docs/DATA_FORMAT.md`` are built, with ``raw`` and ``source`` for every number;
3. the imported file's text is copied into ``data/sources/`` as ``9NN_<16 hex of its sha256>.txt`` (one line per
   table row, tab-separated; a text file keeps its own lines), so that ``source`` = ``<that file>:<line>``
   validates like the seeds' sources;
4. the new locality folder is built in a temporary folder, validated with :func:`chitieu.data.load_locality`
   against a staged copy of ``data/``, and only then renamed into place (an existing folder only with
   ``replace=True``); a new locality's row is appended to ``localities.csv`` only when its name, level and province
   are given.

>>> rows = [["STT", "Chỉ tiêu", "Nghị quyết", "Ước thực hiện năm 2025"], ["1", "Diện tích cà phê", "2.000 ha", "2.815 ha"]]
>>> table = parse_table(rows, term_end=2025, file_label="bieu.txt")
>>> [(r["indicator"], r["status"], r["period"], r["value"]) for r in table.values]
[('dien_tich_ca_phe', 'target', '2025', 2000.0), ('dien_tich_ca_phe', 'estimate', '2025', 2815.0)]
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from chitieu.config import data_dir
from chitieu.errors import InputError
from chitieu.core.numfmt import decimals_of, format_vi
from chitieu.io.quantity import Quantity, parse, parse_row

__all__ = [
    "InputError", "ReviewItem", "ParsedTable", "ImportResult", "decode_text", "read_table", "read_text_file",
    "parse_table", "import_table", "fold", "syllables", "slugify", "INDICATOR_COLUMNS", "VALUE_COLUMNS",
    "COMPARISON_COLUMNS",
]

INDICATOR_COLUMNS = ["id", "name", "unit", "kind", "direction", "catalogue_code", "group", "source", "note"]
VALUE_COLUMNS = ["indicator", "period", "status", "value", "comparator", "numerator", "denominator", "raw", "source",
                 "formula", "note"]
COMPARISON_COLUMNS = ["indicator", "period", "value", "verdict", "raw", "source", "note"]
SUPPORTED = (".docx", ".xlsx", ".txt", ".tsv", ".tab")
VERDICT_WORDS_VI = {"met": "Đạt", "exceeded": "Vượt", "not_met": "Không đạt", "completed": "Hoàn thành",
                    "maintained": "Giữ vững"}


# --------------------------------------------------------------------------------------------
# Text helpers (shared with the audit and the draft)
# --------------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """NFC, lower case, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip().lower()


def syllables(text: str) -> list[str]:
    """The words (syllables) of a Vietnamese text, folded: ``'Diện tích cà phê'`` → ``['diện', 'tích', 'cà', 'phê']``."""
    return re.findall(r"[^\W_]+", fold(text))


def slugify(text: str, max_len: int = 48) -> str:
    """An ascii id: ``'Diện tích cà phê có hiệu quả'`` → ``'dien_tich_ca_phe_co_hieu_qua'``."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", text)
    out = ""
    for w in words:
        if len(out) + len(w) + (1 if out else 0) > max_len:
            break
        out = f"{out}_{w}" if out else w
    return out or "chi_tieu"


def clean_cell(text: object) -> str:
    """A cell's text on one line: NFC, tabs and line breaks as spaces, runs of spaces collapsed, trimmed."""
    if text is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(text))).strip()


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (BOM, or the NUL bytes of ASCII text), else
    Windows-1258 (Vietnamese). Returns ``(text, encoding)``; raises :class:`InputError` when empty or unreadable."""
    if not raw.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{name}: tệp rỗng (empty file)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return unicodedata.normalize("NFC", raw.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: tệp UTF-16 hỏng ở byte {exc.start} (broken UTF-16 file)") from None
    sample = raw[:4000]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a BOM: every other byte of ASCII text is 0
        enc = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
        try:
            return unicodedata.normalize("NFC", raw.decode(enc)), enc
        except UnicodeDecodeError:
            raise InputError(f"{name}: không đọc được (có byte 0 nhưng không phải UTF-16)") from None
    try:
        return unicodedata.normalize("NFC", raw.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        line = raw[:bad_at].count(b"\n") + 1
        raise InputError(f"{name}, dòng {line}: tệp không phải UTF-8, UTF-16 hay Windows-1258 "
                         "(save it as UTF-8)") from None
    text = unicodedata.normalize("NFC", text)
    if not re.search(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", text.lower()):
        line = raw[:bad_at].count(b"\n") + 1
        raise InputError(f"{name}, dòng {line}: tệp không phải UTF-8 và không giống tiếng Việt Windows-1258 "
                         "(save it as UTF-8)")
    return text, "cp1258"


def read_text_file(path: Path) -> tuple[list[str], str]:
    """The lines of a text file (any of the encodings :func:`decode_text` knows) and the encoding used."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: không có tệp này (file not found)") from None
    except OSError as exc:
        raise InputError(f"{path}: không đọc được tệp ({exc.strerror})") from None
    text, enc = decode_text(raw, path.name)
    return text.splitlines(), enc  # as chitieu.data reads data/sources/: line numbers agree


# --------------------------------------------------------------------------------------------
# Reading a table from a file
# --------------------------------------------------------------------------------------------

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
            order = sorted(range(len(tables)), key=lambda i: (_find_header(tables[i]) is None, -len(tables[i])))
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
        candidates.sort(key=lambda nr: _find_header(nr[1]) is None)
        name, rows = candidates[0]
        return TableSource(rows, list(range(1, len(rows) + 1)), ["\t".join(r) for r in rows], f"trang tính '{name}'")
    lines, enc = read_text_file(path)
    rows, numbers = [], []
    for i, line in enumerate(lines, start=1):
        if "\t" in line:
            rows.append([clean_cell(c) for c in line.split("\t")])
            numbers.append(i)
        elif rows and line.strip() and _find_header(rows, limit=None) is not None:
            break  # a line of prose after the table ends it
    start = _find_header(rows, limit=None) if rows else None
    if start:  # tab characters in the prose before the table are not part of it
        rows, numbers = rows[start:], numbers[start:]
    if not rows:
        raise InputError(f"{path.name}: không có dòng nào có dấu tab — không tìm thấy bảng (no tab-separated table)")
    source = TableSource(rows, numbers, lines, "các dòng có dấu tab", enc)
    if enc != "utf-8":
        source.notes.append(f"tệp được đọc theo bảng mã {enc}")
    return source


# --------------------------------------------------------------------------------------------
# Header and columns
# --------------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _column_role(header: str, term_end: int) -> tuple[str, int | None, str | None] | None:
    """(role, year, status) of a header cell; role is stt, name, unit, target, actual, comparison."""
    h = fold(header)
    if not h:
        return None
    years = [int(y) for y in _YEAR.findall(h)]
    if re.fullmatch(r"(stt|tt|số tt|số thứ tự)\.?", h):
        return ("stt", None, None)
    if h.startswith("đơn vị") or h in ("đvt", "đv tính", "đơn vị tính"):
        return ("unit", None, None)
    if "so sánh" in h or "tỷ lệ đạt" in h or "đánh giá" in h or h.startswith("% ") or h.startswith("tỷ lệ so"):
        return ("comparison", term_end, None)
    if re.search(r"nghị quyết|\bnq|kế hoạch|mục tiêu|chỉ tiêu (đại hội|đh)", h):
        year = max(years) if years else term_end
        return ("target", year, "target")
    if re.search(r"\bước\b|thực hiện|kết quả|^năm \d{4}$|^\d{4}$", h):
        year = max(years) if years else term_end
        return ("actual", year, "estimate" if re.search(r"\bước\b", h) else "actual")
    if re.search(r"lĩnh vực|chỉ tiêu|nội dung|^tên|danh mục|hạng mục", h):
        return ("name", None, None)
    return None


def _roles(header: list[str], term_end: int) -> dict[int, tuple[str, int | None, str | None]]:
    roles = {}
    for i, h in enumerate(header):
        r = _column_role(h, term_end)
        if r is not None:
            if r[0] in ("stt", "name", "unit") and any(v[0] == r[0] for v in roles.values()):
                continue
            roles[i] = r
    return roles


def _merge_subheader(header: list[str], sub: list[str] | None, term_end: int) -> list[str] | None:
    """Join a second header row (years under a merged "Kết quả thực hiện") to the first; None if there is none.

    The second row is a sub-header when its name cell is empty and every filled cell names a year or a kind of
    result. A merged cell arrives empty (xlsx) or repeated (docx) in the columns it spans: the label to its left
    is carried over.
    """
    if not sub:
        return None
    roles = _roles(header, term_end)
    name_col = next((i for i, r in roles.items() if r[0] == "name"), None)
    filled = [(i, fold(c)) for i, c in enumerate(sub) if c and c.strip()]
    if not filled or (name_col is not None and name_col < len(sub) and sub[name_col].strip()):
        return None
    if not all(_YEAR.search(c) or re.search(r"\bước\b|thực hiện|kết quả|\bnq\b|nghị quyết", c) for _, c in filled):
        return None
    out, carried = [], ""
    for i in range(max(len(header), len(sub))):
        top = header[i].strip() if i < len(header) and header[i] else ""
        carried = top or carried
        below = sub[i].strip() if i < len(sub) and sub[i] else ""
        out.append(f"{carried} {below}".strip() if below else top)
    return out


def _find_header(rows: list[list[str]], term_end: int = 2025, limit: int | None = 12) -> int | None:
    """The first row that names a name column and a target or result column (among the first ``limit`` rows)."""
    for i, row in enumerate(rows if limit is None else rows[:limit]):
        roles = _roles(row, term_end).values()
        kinds = [r[0] for r in roles]
        if "name" in kinds and ("target" in kinds or "actual" in kinds):
            return i
    return None


# --------------------------------------------------------------------------------------------
# Parsing the table
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReviewItem:
    """A cell to check by hand: guessed, not read, or a row skipped."""

    row: int  # line in the imported file (text) or row of the table (docx/xlsx), 1-based
    column: str | None
    raw: str
    message: str
    kind: str  # "guess" | "unread" | "skipped"

    def describe(self, file_label: str) -> str:
        where = f"{file_label}, dòng {self.row}" + (f", cột '{self.column}'" if self.column else "")
        text = f": '{self.raw[:70]}{'…' if len(self.raw) > 70 else ''}'" if self.raw else ""
        label = {"guess": "ĐOÁN", "unread": "KHÔNG ĐỌC ĐƯỢC", "skipped": "BỎ QUA"}[self.kind]
        return f"[{label}] {where}{text} — {self.message}"


@dataclass
class ParsedTable:
    indicators: list[dict]
    values: list[dict]
    comparisons: list[dict]
    review: list[ReviewItem]
    header_row: int
    columns: dict[str, str]  # header text → role description


_STT = re.compile(r"^(?:[0-9]{1,3}|[ivxlcIVXLC]{1,6}|[a-zđ])[.)]?$")
_PLACEHOLDER = ("…", "...")


def _unit_of(q: Quantity) -> str:
    """The unit of a parsed cell, '/năm' included when written (``'3,5%/năm'`` → ``'%/năm'``; ``'Đạt 100% kế hoạch
    giao hằng năm'`` stays ``'%'``)."""
    if q.status == "fraction":
        return "%"
    unit = q.unit or ""
    if unit and q.per_year and not unit.endswith("/năm") and (unit != "%" or re.search(r"%\s*/\s*năm", q.raw)):
        unit += "/năm"
    return unit


def _unit_from_name(name: str) -> tuple[str, str]:
    """A trailing '(unit)' of the name: ``'Thu nhập (triệu đồng/người/năm)'`` → (name, unit)."""
    m = re.search(r"\(([^()]{1,40})\)\s*$", name)
    if m:
        q = parse("1 " + m.group(1))
        if q.unit and fold(m.group(1)).startswith(q.unit):
            return name[: m.start()].strip(), fold(m.group(1))
    return name, ""


def _is_prose(text: str) -> bool:
    """A sentence that happens to hold a number ('… cho trẻ 5 tuổi, … mức độ 3'), not a quantity."""
    words = re.findall(r"[^\W\d_]+", text)
    return len(words) > 8


def _num_str(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(round(x, 10))


def _clauses(text: str) -> list[tuple[int, str]]:
    """Clauses of a cell (split at ',', ';' and ' và ' between words), with their offsets."""
    out, start = [], 0
    for m in re.finditer(r"(?<!\d)[,;](?!\d)|;|\s+và\s+", text):
        out.append((start, text[start:m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return [(s, c) for s, c in out if c.strip()]


def _pick_clause(cell: str, want_unit: str, want_per_year: bool, unit_hint: str | None):
    """For a cell holding several numbers: the clause whose quantity has the wanted unit (and per-year-ness)."""
    best = None
    for _, clause in _clauses(cell):
        q = parse(clause.strip(), unit=unit_hint)
        if q.value is None:
            continue
        score = (bool(want_unit) and _unit_of(q) == want_unit) * 2 + (q.per_year == want_per_year)
        if best is None or score > best[0]:
            best = (score, clause.strip(), q)
    return best


def _match_catalogue(name: str, unit: str, kind: str, catalogue: pd.DataFrame | None) -> tuple[str, float]:
    """The catalogue code whose Vietnamese name shares most words with ``name`` (Dice coefficient ≥ 0.6), among
    codes of the same kind and unit (an unknown unit matches any); '' when none is close enough.

    Calibrated on the Mường Ảng table against its hand transcription: at 0.6 with kind and unit equal, 22 codes
    assigned, none wrong."""
    if catalogue is None or catalogue.empty or kind == "qualitative":
        return "", 0.0
    words = set(syllables(name))
    best, best_score = "", 0.0
    for code, name_vi, cunit, ckind in zip(catalogue["code"], catalogue["name_vi"], catalogue["unit"],
                                           catalogue["kind"]):
        cwords = set(syllables(name_vi))
        if not cwords or not words or ckind != kind or (unit and fold(unit) != fold(cunit)):
            continue
        score = 2 * len(words & cwords) / (len(words) + len(cwords))
        if score > best_score:
            best, best_score = code, score
    return (best, best_score) if best_score >= 0.6 else ("", best_score)


def parse_table(rows: list[list[str]], *, term_end: int, file_label: str, lines: list[int] | None = None,
                source_name: str = "", catalogue: pd.DataFrame | None = None,
                existing_ids: dict[str, str] | None = None) -> ParsedTable:
    """Parse the rows of a results table into records (``source`` = ``source_name:<line>``) and review items.

    ``lines``: the line of each row in the source text (default 1, 2, …). ``existing_ids``: folded name → id, to
    keep the ids of a locality being replaced.
    """
    lines = lines or list(range(1, len(rows) + 1))
    review: list[ReviewItem] = []
    hi = _find_header(rows, term_end)
    if hi is None:
        raise InputError(f"{file_label}: không nhận ra dòng tiêu đề của bảng — cần các cột như 'STT', 'Chỉ tiêu' "
                         "(hoặc 'Lĩnh vực'), 'Nghị quyết …', 'Ước thực hiện năm …', 'So sánh …', 'Mục tiêu đến năm …'")
    header = rows[hi]
    first_data = hi + 1
    merged = _merge_subheader(header, rows[hi + 1] if hi + 1 < len(rows) else None, term_end)
    if merged is not None:  # a header over two rows ("Kết quả thực hiện" merged over "Năm 2024 | Năm 2025")
        header, first_data = merged, hi + 2
        review.append(ReviewItem(lines[hi + 1], None, " | ".join(c for c in rows[hi + 1] if c),
                                 "tiêu đề hai dòng (ô gộp): ghép thành " + "; ".join(h for h in header if h), "guess"))
    roles = _roles(header, term_end)
    ncols = len(header)
    col_of = {r[0]: i for i, r in sorted(roles.items(), reverse=True)}
    name_col, stt_col, unit_col = col_of.get("name"), col_of.get("stt"), col_of.get("unit")
    value_cols = [i for i, r in roles.items() if r[0] in ("target", "actual")]
    cmp_cols = [i for i, r in roles.items() if r[0] == "comparison"]
    indicators, values, comparisons = [], [], []
    used_ids: set[str] = set()
    group_no, group_label = "", ""
    existing_ids = existing_ids or {}
    default_direction: list[str] = []

    def src(line: int) -> str:
        return f"{source_name}:{line}"

    for ri in range(first_data, len(rows)):
        line = lines[ri]
        cells = list(rows[ri])
        if not any(cells):
            continue
        shifted = False
        if stt_col is not None and name_col == stt_col + 1 and cells[stt_col] and not _STT.match(cells[stt_col]) \
                and len(cells[stt_col]) > 6 and (len(cells) < ncols or not cells[-1]):
            cells = [""] + cells[:ncols - 1] if len(cells) >= ncols else [""] + cells
            shifted = True
        if len(cells) > ncols and any(cells[ncols:]):
            review.append(ReviewItem(line, None, " | ".join(c for c in cells[ncols:] if c),
                                     f"dòng có {len(cells)} ô, tiêu đề có {ncols}: các ô thừa bị bỏ qua", "skipped"))
        cells = (cells + [""] * ncols)[:ncols]
        stt = cells[stt_col] if stt_col is not None else ""
        name = cells[name_col] if name_col is not None else ""
        filled = [i for i in value_cols + cmp_cols if cells[i]]
        if not name:
            if filled or stt:
                what = ", ".join(f"'{header[i]}'" for i in filled) or "STT"
                review.append(ReviewItem(line, None, " | ".join(c for c in cells if c),
                                         f"dòng không có tên chỉ tiêu (chỉ có {what}): dòng nối tiếp, không nhập — "
                                         "thêm bằng tay nếu cần", "skipped"))
            continue
        if stt:
            group_no, group_label = stt.rstrip(".)"), ""
        if not filled:  # a heading row: "1 | Cơ cấu ngành kinh tế:"
            group_label = name.rstrip(": ")
            continue
        if shifted:
            review.append(ReviewItem(line, header[name_col], name, "dòng thiếu ô STT (lệch một ô sang trái): đọc "
                                     "lệch lại một ô sang phải", "guess"))
        name_clean = re.sub(r"^[-–•+]\s*", "", name).strip()
        name_clean, unit_in_name = _unit_from_name(name_clean)
        unit_hint = fold(cells[unit_col]) if unit_col is not None and cells[unit_col] else unit_in_name
        label = f"{name_clean} ({group_label})" if group_label and name.lstrip().startswith(("-", "–", "•", "+")) \
            else name_clean
        ind_id = existing_ids.get(fold(name_clean)) or slugify(name_clean)
        base, k = ind_id, 2
        while ind_id in used_ids:
            ind_id, k = f"{base}_{k}", k + 1
        used_ids.add(ind_id)
        # -- the value cells of the row, read together
        vcells = [cells[i] for i in value_cols]
        qs = parse_row(vcells, unit=unit_hint or None) if vcells else []
        by_col = dict(zip(value_cols, qs))
        target_cols = [i for i in value_cols if roles[i][0] == "target"]
        main_target = next((by_col[i] for i in target_cols if roles[i][1] == term_end and by_col[i].value is not None),
                           None)
        want_unit = unit_hint or (_unit_of(main_target) if main_target else "")
        want_per_year = bool(main_target.per_year) if main_target else False
        numeric_units = [_unit_of(q) for q in qs if q.value is not None and _unit_of(q)]
        unit = unit_hint or want_unit or (numeric_units[0] if numeric_units else "")
        records = []
        for i in value_cols:
            raw = cells[i]
            if not raw:
                continue
            q = by_col[i]
            role, year, status = roles[i]
            if q.estimate and status == "actual":
                status = "estimate"
            rec = {"indicator": ind_id, "period": str(year), "status": status, "value": None, "comparator": "=",
                   "numerator": None, "denominator": None, "raw": raw, "source": src(line), "formula": "", "note": ""}
            if q.status == "number" and q.unit is None and _is_prose(raw):
                review.append(ReviewItem(line, header[i], raw, "số nằm trong câu chữ, không có đơn vị: coi là chỉ "
                                         "tiêu bằng lời (không lấy số)", "guess"))
                q = Quantity(raw=raw, status="words", words=q.words)
            if q.status in ("number", "fraction") and len(q.values) > (3 if q.status == "fraction" else 1):
                pick = _pick_clause(raw, want_unit, want_per_year, unit_hint or None) if role == "actual" else None
                if pick is not None and pick[2].value != q.value:
                    _, clause, q2 = pick
                    review.append(ReviewItem(line, header[i], raw, f"ô có {len(q.values)} số: lấy '{clause}' (cùng "
                                             "đơn vị với chỉ tiêu)", "guess"))
                    q, rec["raw"] = q2, clause
                else:
                    review.append(ReviewItem(line, header[i], raw, f"ô có {len(q.values)} số: lấy số đầu "
                                             f"({format_vi(q.value)})", "guess"))
            if q.status == "number" or q.status == "fraction":
                rec["value"] = q.value
                rec["comparator"] = q.comparator
                if q.status == "fraction":
                    rec["numerator"], rec["denominator"] = q.numerator, q.denominator
                notes = list(q.guesses)
                if notes:
                    review.append(ReviewItem(line, header[i], rec["raw"], "; ".join(notes), "guess"))
                    rec["note"] = "Đoán khi nhập: " + "; ".join(notes)
                qu = _unit_of(q)
                if qu and unit and qu != unit and not (unit.startswith(qu) or qu.startswith(unit)):
                    review.append(ReviewItem(line, header[i], rec["raw"], f"đơn vị '{qu}' khác đơn vị của chỉ tiêu "
                                             f"'{unit}': không đổi đơn vị, cần kiểm tra", "guess"))
            elif q.status == "missing":
                rec["note"] = "chưa có số liệu"
            elif q.status == "words":
                rec["note"] = f"chỉ có lời: {VERDICT_WORDS_VI.get(q.words, q.words)}"
            elif not re.search(r"\d", raw):
                rec["note"] = "chỉ có lời"
            else:
                review.append(ReviewItem(line, header[i], raw, "không đọc được số: " + "; ".join(q.problems),
                                         "unread"))
                continue
            records.append((i, q, rec))
        # "Hoàn thành" as a target, when the row's results are percentages: 100%
        for i, q, rec in records:
            if roles[i][0] == "target" and q.status == "words" and q.words in ("completed", "maintained") and \
                    any(r["value"] is not None and _unit_of(q2) == "%" for _, q2, r in records if r is not rec):
                rec["value"], rec["note"] = 100.0, "'Hoàn thành' đọc là 100% (đoán khi nhập)"
                review.append(ReviewItem(line, header[i], rec["raw"], "'Hoàn thành' đọc là chỉ tiêu 100% (kết quả của "
                                         "dòng ghi bằng %)", "guess"))
        numeric = [(q, r) for _, q, r in records if r["value"] is not None]
        fractions = [q for q, _ in numeric if q.status == "fraction"]
        tq = next((q for i, q, r in records if roles[i][0] == "target" and r["value"] is not None), None)
        if not numeric:
            kind = "qualitative"
        elif fractions:
            kind = "x_of_y"
        elif unit.startswith("%") and ("/năm" in unit or want_per_year):
            kind = "reduction_per_year" if tq is not None and re.search(r"\bgiảm\b", fold(tq.raw)) else "rate_per_year"
            unit = "%/năm" if unit == "%" else unit
        elif unit.startswith("%"):
            kind = "share"
        else:
            kind = "level"
        if kind == "x_of_y":
            unit = "%"
        code, _score = _match_catalogue(f"{name_clean} {group_label}", unit, kind, catalogue)
        direction, dir_note = "higher", "chiều 'càng cao càng tốt' đặt mặc định"
        if code and catalogue is not None:
            crow = catalogue.set_index("code").loc[code]
            direction, dir_note = crow["direction"], f"chiều theo mã danh mục '{code}'"
            unit = unit or crow["unit"]
            review.append(ReviewItem(line, header[name_col], name_clean,
                                     f"gán mã danh mục '{code}' ({crow['name_vi']}) theo tên; chiều '{direction}'",
                                     "guess"))
        elif tq is not None and tq.comparator in ("<", "<="):
            direction, dir_note = "lower", "chiều 'càng thấp càng tốt' vì chỉ tiêu ghi 'dưới / không quá'"
        elif kind != "qualitative":
            default_direction.append(ind_id)
        indicators.append({"id": ind_id, "name": label, "unit": unit, "kind": kind, "direction": direction,
                           "catalogue_code": code, "group": group_no, "source": src(line),
                           "note": f"Nhập từ bảng ({dir_note})."})
        for _, _, rec in records:
            values.append(rec)
        for i in cmp_cols:
            raw = cells[i]
            if not raw:
                continue
            q = parse(raw)
            value = q.value if q.status == "number" and (q.unit in (None, "%")) else None
            if q.status == "number" and value is None:
                review.append(ReviewItem(line, header[i], raw, f"so sánh ghi bằng '{q.unit}', không phải %: "
                                         "chỉ giữ lời nhận xét", "guess"))
            if q.status == "unread":
                review.append(ReviewItem(line, header[i], raw, "không đọc được so sánh: " + "; ".join(q.problems),
                                         "unread"))
                continue
            if value is None and not q.words:
                continue
            comparisons.append({"indicator": ind_id, "period": str(roles[i][1]), "value": value,
                                "verdict": VERDICT_WORDS_VI.get(q.words, "") if q.words else "", "raw": raw,
                                "source": src(line), "note": "; ".join(q.guesses)})
    columns = {header[i]: f"{r[0]}{'' if r[1] is None else ' ' + str(r[1])}{'' if not r[2] else ' (' + r[2] + ')'}"
               for i, r in sorted(roles.items())}
    for i, h in enumerate(header):
        if i not in roles and h:
            review.append(ReviewItem(lines[hi], h, "", "cột không nhận ra: bỏ qua", "skipped"))
    if default_direction:
        review.append(ReviewItem(lines[hi], None, "", f"{len(default_direction)} chỉ tiêu không khớp mã danh mục nào: "
                                 "chiều đặt mặc định 'higher' (càng cao càng tốt) — sửa cột direction trong "
                                 "indicators.csv nếu chỉ tiêu càng thấp càng tốt: " + ", ".join(default_direction),
                                 "guess"))
    if not indicators:
        raise InputError(f"{file_label}: bảng không có dòng chỉ tiêu nào có số liệu (no indicator rows)")
    return ParsedTable(indicators, values, comparisons, review, lines[hi], columns)


# --------------------------------------------------------------------------------------------
# Writing into data/
# --------------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    locality: str
    folder: Path
    source_file: str
    indicators: int
    values: int
    comparisons: int
    review: list[ReviewItem]
    file_label: str
    added_locality: bool = False
    replaced: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    def review_lines(self) -> list[str]:
        return [r.describe(self.file_label) for r in self.review]


def _csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_num_str(r.get(c)) if c in ("value", "numerator", "denominator") else (r.get(c) or "")
                    for c in columns])
    return buf.getvalue().encode("utf-8")


def _source_name(root: Path, content: bytes, digest: str) -> tuple[str, bool]:
    """Name of the copy in data/sources/: an existing file with the same bytes, else the next free 9NN_<hash>.txt."""
    folder = root / "sources"
    taken = set()
    lines = content.decode("utf-8").splitlines()
    for p in sorted(folder.glob("*.txt")):
        taken.add(p.name[:3])
        if abs(p.stat().st_size - len(content)) < 4096 and p.read_text(encoding="utf-8").splitlines() == lines:
            return p.name, False
    for n in range(901, 1000):
        if f"{n:03d}" not in taken:
            return f"{n:03d}_{digest[:16]}.txt", True
    raise InputError("data/sources/ đã có đủ 99 tệp nhập (901–999): không còn số cho tệp mới")


def _locality_row(locs_text: str, fields: dict) -> str:
    header = next(csv.reader(io.StringIO(locs_text)))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([fields.get(h, "") for h in header])
    return locs_text + ("" if locs_text.endswith("\n") else "\n") + buf.getvalue()


def _stage_root(root: Path, staging: Path, locs_text: str, loc_id: str, folder: Path, source_name: str,
                source_bytes: bytes) -> Path:
    """A copy of data/ for validation: links to the real files, the new localities.csv, folder and source."""
    vroot = staging / "check"
    (vroot / "sources").mkdir(parents=True)
    (vroot / "localities.csv").write_text(locs_text, encoding="utf-8")
    (vroot / "catalogue.csv").symlink_to((root / "catalogue.csv").resolve())
    for p in (root / "sources").glob("*.txt"):
        (vroot / "sources" / p.name).symlink_to(p.resolve())
    if not (vroot / "sources" / source_name).exists():
        (vroot / "sources" / source_name).write_bytes(source_bytes)
    (vroot / loc_id).symlink_to(folder.resolve())
    return vroot


def import_table(path: Path, locality: str, *, root: Path | None = None, replace: bool = False,
                 name: str | None = None, level: str | None = None, province: str | None = None,
                 term_start: int = 2020, term_end: int | None = None, next_term_end: int = 2030,
                 table: int | None = None, sheet: str | None = None, dry_run: bool = False) -> ImportResult:
    """Import the table of ``path`` into ``data/<locality>/`` (see the module docstring). Raises :class:`InputError`
    for anything the user can fix; on any failure nothing in ``data/`` is changed."""
    from chitieu.io import data as data_mod

    root = Path(root) if root is not None else data_dir()
    path = Path(path)
    if not data_mod.LOCALITY_ID.match(locality or ""):
        raise InputError(f"mã địa phương '{locality}' không hợp lệ: chỉ chữ thường không dấu, số và '-' "
                         "(ví dụ muong-ang)")
    src = read_table(path, table=table, sheet=sheet)  # the file's own problems first, named by the file
    locs_path = root / "localities.csv"
    try:
        locs_text = locs_path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{locs_path}: không đọc được ({exc.strerror})") from None
    locs = data_mod.load_localities(root)
    known = locality in set(locs["id"])
    new_meta = None
    if known:
        meta = locs.set_index("id").loc[locality]
        term_end = term_end or int(meta["term_end"])
        if any(v is not None for v in (name, level, province)):
            raise InputError(f"địa phương '{locality}' đã có trong data/localities.csv: bỏ --name/--level/--province")
    else:
        missing = [opt for opt, v in (("--name", name), ("--level", level), ("--province", province)) if not v]
        if missing:
            raise InputError(f"chưa có địa phương '{locality}' trong data/localities.csv (có: {', '.join(locs['id'])}); "
                             f"để tạo mới cần {', '.join(missing)}")
        if level not in data_mod.LEVELS:
            raise InputError(f"--level '{level}': một trong {', '.join(data_mod.LEVELS)}")
        term_end = term_end or 2025
    folder = root / locality
    owned = ("indicators.csv", "values.csv", "comparisons.csv")
    if folder.exists() and any((folder / f).exists() for f in owned) and not replace:
        raise InputError(f"data/{locality}/ đã có số liệu ({', '.join(f for f in owned if (folder / f).exists())}); "
                         "thêm --replace để thay (các tệp khác trong thư mục được giữ)")
    raw_bytes = "\n".join(src.source_lines).encode("utf-8")
    if not raw_bytes.endswith(b"\n"):
        raw_bytes += b"\n"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    source_name, new_source = _source_name(root, raw_bytes, digest)
    existing_ids: dict[str, str] = {}
    if folder.exists() and (folder / "indicators.csv").exists():
        old = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
        existing_ids = {fold(_unit_from_name(n)[0]): i for n, i in zip(old.get("name", []), old.get("id", []))}
    parsed = parse_table(src.rows, term_end=term_end, file_label=path.name, lines=src.lines, source_name=source_name,
                         catalogue=data_mod.load_catalogue(root), existing_ids=existing_ids)
    result = ImportResult(locality, folder, source_name, len(parsed.indicators), len(parsed.values),
                          len(parsed.comparisons), parsed.review, path.name, added_locality=not known,
                          replaced=folder.exists() and any((folder / f).exists() for f in owned), dry_run=dry_run,
                          notes=list(src.notes), columns=parsed.columns)
    if not known:
        new_meta = {"id": locality, "name": name, "level": level, "province": province, "term_start": term_start,
                    "term_end": term_end, "next_term_end": next_term_end, "merged_from": "", "merged_on": "",
                    "source_file": source_name, "note": f"Nhập từ {path.name} bằng chitieu import."}
        locs_text_new = _locality_row(locs_text, new_meta)
    else:
        locs_text_new = locs_text
    files = {
        "indicators.csv": _csv_bytes(parsed.indicators, INDICATOR_COLUMNS),
        "values.csv": _csv_bytes(parsed.values, VALUE_COLUMNS),
        "comparisons.csv": _csv_bytes(parsed.comparisons, COMPARISON_COLUMNS),
        "IMPORT.md": _import_notes(path, digest, src, source_name, parsed, result).encode("utf-8"),
    }
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=root))
    try:
        new_folder = staging / locality
        if folder.exists():
            shutil.copytree(folder, new_folder, symlinks=True)
        else:
            new_folder.mkdir()
        for fname, content in files.items():
            (new_folder / fname).write_bytes(content)
        vroot = _stage_root(root, staging, locs_text_new, locality, new_folder, source_name, raw_bytes)
        try:
            data_mod.load_locality(locality, root=vroot)
        except data_mod.DataError as exc:
            problems = "\n".join(f"  - {p}" for p in exc.problems[:30])
            more = f"\n  … và {len(exc.problems) - 30} lỗi khác" if len(exc.problems) > 30 else ""
            raise InputError(f"{path.name}: số liệu nhập vào không hợp lệ — data/ không bị thay đổi:\n{problems}{more}"
                             + ("\n(các tệp khác trong data/" + locality + "/ tham chiếu chỉ tiêu không còn trong "
                                "bảng mới?)" if result.replaced else "")) from None
        if dry_run:
            return result
        _commit(root, staging, locality, new_folder, folder, source_name, raw_bytes if new_source else None,
                locs_path, locs_text_new if not known else None)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _commit(root: Path, staging: Path, locality: str, new_folder: Path, folder: Path, source_name: str,
            source_bytes: bytes | None, locs_path: Path, locs_text: str | None) -> None:
    """Source copy, then the folder (renamed into place), then localities.csv; undone if a later step fails."""
    from chitieu.io.safe import atomic_write_bytes

    source_path = root / "sources" / source_name
    wrote_source = False
    old_moved: Path | None = None
    placed = False
    try:
        if source_bytes is not None and not source_path.exists():
            atomic_write_bytes(source_path, source_bytes)
            wrote_source = True
        final_stage = root / f".import-new-{locality}-{os.getpid()}"
        shutil.rmtree(final_stage, ignore_errors=True)
        os.rename(new_folder, final_stage)
        if folder.exists():
            old_moved = staging / "old"
            os.rename(folder, old_moved)
        os.rename(final_stage, folder)
        placed = True
        if locs_text is not None:
            atomic_write_bytes(locs_path, locs_text.encode("utf-8"))
    except BaseException:
        if placed:
            shutil.rmtree(folder, ignore_errors=True)
        if old_moved is not None and old_moved.exists():
            os.rename(old_moved, folder)
        if wrote_source:
            source_path.unlink(missing_ok=True)
        raise


def _import_notes(path: Path, digest: str, src: TableSource, source_name: str, parsed: ParsedTable,
                  result: ImportResult) -> str:
    lines = [f"# Nhập từ `{path.name}`", "",
             f"- Ngày nhập: {date.today().isoformat()}; tệp gốc sha256 `{digest}`.",
             f"- Đọc: {src.what}" + (f" (bảng mã {src.encoding})" if src.encoding else "") +
             f"; dòng tiêu đề: {parsed.header_row}.",
             f"- Bản sao văn bản: `data/sources/{source_name}` — mỗi dòng là một hàng của bảng (ô cách nhau bằng tab); "
             f"cột `source` = `{source_name}:<dòng>`.",
             f"- {result.indicators} chỉ tiêu, {result.values} số liệu, {result.comparisons} so sánh.",
             "", "## Cột", ""]
    lines += [f"- `{h}` → {role}" for h, role in parsed.columns.items()]
    lines += ["", f"## Cần rà soát ({len(parsed.review)})", ""]
    lines += [f"- {r.describe(path.name)}" for r in parsed.review] or ["- (không có)"]
    return "\n".join(lines) + "\n"
