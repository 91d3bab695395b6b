"""Parsing a results table (*Biểu kết quả*) into indicators, values and the report's own comparisons.

1. **The header** (:func:`find_header`, :func:`column_roles`): each header cell gets a role from the rule table
   ``core/rules/header_roles.csv`` (``STT``, ``Chỉ tiêu``, ``ĐVT``, ``KH 2019`` / ``Chỉ tiêu NQ`` / ``MT 2030``,
   ``TH 2020`` / ``Ước TH``, ``So với NQ (%)`` / ``Đạt %``, ``Đánh giá``, ``Ghi chú``), a year where it names one,
   and a second header row under merged cells is joined to the first. A column "So với … (%)" or "Đạt %" is the
   report's printed comparison, never a target. **The table's year** (:func:`table_year`) is the year its own
   target and result columns share (a 2019 plan-year table is about 2019): comparisons and unnamed years take it.
2. **Each row's cells** are read together by the cell grammar (:func:`chitieu.io.quantity.parse_row`); a number
   typed as a number in Excel is taken as it is (no separator to guess); a correction from the review file
   replaces a cell's reading.
3. **The indicator**: its unit (the unit column, a ``(unit)`` after the name, else the target's), kind, direction
   and catalogue code. Direction comes from the target's own words (``dưới``, ``không quá`` → lower; a
   reduction ``giảm …`` → higher, stored as the size of the reduction), else the catalogue code, else the rule
   table ``core/rules/direction_words.csv`` (CPI, poverty, malnutrition … lower; income, output, coverage …
   higher); when none applies it is **assumed** higher and marked so: its verdicts need review. The catalogue code
   is given only where the meaning really matches (:mod:`chitieu.io.catalogue`).
4. **Each value** is expressed in the indicator's unit (``1,2 nghìn tỷ`` → 1.200 tỷ đồng, with a note); an x/y
   result against a count target (``24/27`` vs ``27 chỉ tiêu``) is the count x; a range keeps both ends
   (``value``, ``value_high``); every reason to doubt it is a code in ``flags`` that travels with the value to the
   results table, the report, the Excel sheet and compare.
5. **The review list** (:class:`ReviewItem`): every doubtful cell with its reading, the alternatives, and its
   impact — 3 when another reading would change the verdict, 2 when it moves the ratio by 5 points or more, 1
   otherwise — ranked so that what matters is read first.

>>> rows = [["STT", "Chỉ tiêu", "Nghị quyết", "Ước thực hiện năm 2025"], ["1", "Diện tích cà phê", "2.000 ha", "2.815 ha"]]
>>> table = parse_table(rows, term_end=2025, file_label="bieu.txt")
>>> [(r["indicator"], r["status"], r["period"], r["value"]) for r in table.values]
[('dien_tich_ca_phe', 'target', '2025', 2000.0), ('dien_tich_ca_phe', 'estimate', '2025', 2815.0)]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from chitieu.core import rules
from chitieu.core.engine import judge
from chitieu.core.numfmt import format_vi, machine_number
from chitieu.core.vocabulary import DOUBT_VI, RATE_KINDS, VERDICT_WORDS_VI
from chitieu.errors import InputError
from chitieu.io import catalogue as catalogue_match
from chitieu.io.quantity import Quantity, parse, parse_row, unit_info
from chitieu.io.text import fold, slugify

__all__ = ["ReviewItem", "ParsedTable", "parse_table", "find_header", "column_roles", "table_year",
           "unit_from_name", "direction_of", "VERDICT_WORDS_VI", "IMPORT_FLAGS_VI", "REVIEW_FLAGS"]

#: flags the importer adds to a value, beside the doubts of core.vocabulary.DOUBT_VI
IMPORT_FLAGS_VI = {
    "approx": "giá trị ghi xấp xỉ (khoảng, gần)",
    "prose_number": "số nằm trong câu chữ: coi là chỉ tiêu bằng lời",
    "corrected": "đã sửa theo tệp rà soát",
    "confirmed": "đã xác nhận trong tệp rà soát",
    "words_as_100": "'Hoàn thành' đọc là chỉ tiêu 100%",
}
#: the flags that make a value (and the verdict resting on it) need review
REVIEW_FLAGS = frozenset(DOUBT_VI)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_SPAN = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)(?!\d)")
_STT = re.compile(r"^(?:[0-9]{1,3}|[ivxlcIVXLC]{1,6}|[a-zđ])[.)]?$")


# --------------------------------------------------------------------------------------------
# The header
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Role:
    role: str  # stt | name | unit | note | target | actual | comparison | verdict
    year: int | None = None
    status: str | None = None  # target | actual | estimate
    period: str | None = None  # "2021-2025" for a column of a whole term


@lru_cache(maxsize=1)
def _header_rules() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple((re.compile(r["pattern"]), r["role"], r.get("status", "")) for r in rules.table("header_roles"))


def column_role(header: str) -> Role | None:
    """The role of one header cell (first matching rule of ``core/rules/header_roles.csv``), with its year."""
    h = fold(header)
    if not h:
        return None
    for pattern, role, status in _header_rules():
        if pattern.search(h):
            span = _SPAN.search(h)
            years = [int(y) for y in _YEAR.findall(h)]
            year = int(span.group(2)) if span else (max(years) if years else None)
            period = f"{span.group(1)}-{span.group(2)}" if span else None
            return Role(role, year if role in ("target", "actual", "comparison", "verdict") else None,
                        status or None, period)
    return None


def column_roles(header: list[str]) -> dict[int, Role]:
    roles: dict[int, Role] = {}
    for i, h in enumerate(header):
        r = column_role(h)
        if r is not None:
            if r.role in ("stt", "name", "unit", "note") and any(v.role == r.role for v in roles.values()):
                continue
            roles[i] = r
    return roles


def table_year(roles: dict[int, Role], term_end: int) -> int:
    """The year the table is about: the latest year that both a target and a result column name; else the latest
    result year; else the term's end."""
    targets = {r.year for r in roles.values() if r.role == "target" and r.year}
    results = {r.year for r in roles.values() if r.role == "actual" and r.year}
    shared = sorted(targets & results)
    if shared:
        return shared[-1]
    if results:
        return max(results)
    near = sorted(y for y in targets if y <= term_end)
    return near[-1] if near else term_end


def _merge_subheader(header: list[str], sub: list[str] | None) -> list[str] | None:
    """Join a second header row (years under a merged "Kết quả thực hiện") to the first; None if there is none.

    The second row is a sub-header when its name cell is empty and every filled cell names a year or a kind of
    result. A merged cell arrives empty (xlsx) or repeated (docx) in the columns it spans: the label to its left
    is carried over.
    """
    if not sub:
        return None
    roles = column_roles(header)
    name_col = next((i for i, r in roles.items() if r.role == "name"), None)
    filled = [(i, fold(c)) for i, c in enumerate(sub) if c and c.strip()]
    if not filled or (name_col is not None and name_col < len(sub) and sub[name_col].strip()):
        return None
    if not all(_YEAR.search(c) or column_role(c) is not None for _, c in filled):
        return None
    out, carried = [], ""
    for i in range(max(len(header), len(sub))):
        top = header[i].strip() if i < len(header) and header[i] else ""
        carried = top or carried
        below = sub[i].strip() if i < len(sub) and sub[i] else ""
        out.append(f"{carried} {below}".strip() if below else top)
    return out


def find_header(rows: list[list[str]], term_end: int = 2025, limit: int | None = 12) -> int | None:
    """The first row that names a name column and a target or result column (among the first ``limit`` rows) —
    alone, or with the row under it when the value columns are named there (merged cells)."""
    for i, row in enumerate(rows if limit is None else rows[:limit]):
        kinds = {r.role for r in column_roles(row).values()}
        if "name" in kinds and kinds & {"target", "actual"}:
            return i
        if "name" in kinds and i + 1 < len(rows):
            merged = _merge_subheader(row, rows[i + 1])
            if merged and {r.role for r in column_roles(merged).values()} & {"target", "actual"}:
                return i
    return None


# --------------------------------------------------------------------------------------------
# Review items and the result
# --------------------------------------------------------------------------------------------

@dataclass
class ReviewItem:
    """A cell to check by hand: guessed, not read, or a row skipped — with its reading and what else it could be."""

    row: int  # line in the imported file (text) or row of the table (docx/xlsx), 1-based
    column: str | None
    raw: str
    message: str
    kind: str  # "guess" | "unread" | "skipped"
    code: str = ""  # the flag (DOUBT_VI / IMPORT_FLAGS_VI code, or unknown_column …)
    reading: str = ""
    alternatives: str = ""
    impact: int = 1  # 3: another reading changes the verdict; 2: moves the ratio ≥ 5 points; 1: neither
    indicator: str = ""

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
    year: int = 0  # the year the table is about


_COUNT_NOUNS = {"người", "hộ", "xã", "phường", "thôn", "bản", "trường", "lao động", "doanh nghiệp", "lượt", "sản phẩm",
                "con", "cây", "nhà", "căn", "chỉ tiêu", "tiêu chí", "đảng viên", "chi bộ", "huyện", "giường", "bác sĩ"}


def unit_from_name(name: str) -> tuple[str, str]:
    """A trailing '(unit)' of the name: ``'Thu nhập (triệu đồng/người/năm)'`` → (name, unit). Only a known unit
    or a counted noun: ``'Tốc độ tăng trưởng (GRDP)'`` keeps its bracket."""
    m = re.search(r"\(([^()]{1,40})\)\s*$", name)
    if m:
        inner = fold(m.group(1))
        if inner == "%" or unit_info(inner) is not None or inner.split("/")[0].strip() in _COUNT_NOUNS:
            return name[: m.start()].strip(), inner
    return name, ""


def _is_prose(text: str) -> bool:
    """A sentence that happens to hold numbers ('Duy trì … cho trẻ 5 tuổi, … mức độ 3'), not a quantity."""
    return len(re.findall(r"[^\W\d_]+", text)) > 8 and not re.match(r"\s*\W*\d", text)


@lru_cache(maxsize=1)
def _direction_rules() -> tuple[tuple[re.Pattern, str, str], ...]:
    return tuple((re.compile(r["pattern"]), r["direction"], r["why"]) for r in rules.table("direction_words"))


def direction_of(name: str, target: Quantity | None, catalogue_direction: str = "") -> tuple[str, str, str]:
    """``(direction, source, why)`` of an indicator: from the target's words, the catalogue, the rule table, or
    assumed (source ``assumed``: its verdicts need review)."""
    if target is not None and target.value is not None and target.value < 0:
        return "higher", "target", "chỉ tiêu là mức giảm ('giảm …'): giảm càng nhiều càng tốt"
    if target is not None and target.comparator in ("<", "<="):
        return "lower", "target", "chỉ tiêu ghi 'dưới / không quá'"
    if catalogue_direction:
        return catalogue_direction, "catalogue", "theo mã danh mục"
    folded = fold(name)
    for pattern, direction, why in _direction_rules():
        if pattern.search(folded):
            if direction == "unknown":
                return "higher", "assumed", f"không có chiều tốt hơn ({why}): đặt mặc định, cần rà soát"
            return direction, "rule", f"theo tên ({why}; core/rules/direction_words.csv)"
    if target is not None and target.comparator in (">", ">="):
        return "higher", "target", "chỉ tiêu ghi 'trên / trở lên'"
    return "higher", "assumed", "chiều 'càng cao càng tốt' đặt mặc định: không có quy tắc nào cho tên này"


# --------------------------------------------------------------------------------------------
# One row
# --------------------------------------------------------------------------------------------

@dataclass
class _Cell:
    col: int
    header: str
    role: Role
    raw: str
    q: Quantity
    flags: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    value: float | None = None
    high: float | None = None
    numerator: float | None = None
    denominator: float | None = None


def _read_cells(cells: list[str], cols: list[int], header: list[str], roles: dict[int, Role], unit_hint: str,
                name: str, native: list | None, corrections: dict, line: int) -> list[_Cell]:
    """The value cells of a row, read together; native numbers and corrections applied."""
    texts = [cells[i] for i in cols]
    qs = parse_row(texts, unit=unit_hint or None, name=name) if texts else []
    out = []
    for i, q in zip(cols, qs):
        raw = cells[i]
        if not raw:
            continue
        c = _Cell(i, header[i], roles[i], raw, q)
        number = native[i] if native is not None and i < len(native) else None
        if isinstance(number, (int, float)) and not isinstance(number, bool) and math.isfinite(number):
            # typed as a number in Excel: nothing was guessed about its separators
            c.q = replace(q, value=float(number), review=tuple(r for r in q.review
                                                               if r not in ("separator_guessed", "against_convention")),
                          guesses=(), alternatives=())
        fix = corrections.get((line, fold(header[i]), raw.strip()))
        if fix is not None:
            c.q, mark = _apply_correction(c.q, fix, unit_hint, name)
            c.flags.append(mark)
        if c.q.status in ("number", "fraction") and _is_prose(raw) and ("several_numbers" in c.q.review
                                                                         or c.q.unit is None):
            c.q = Quantity(raw=raw, status="words", words=c.q.words)
            c.flags.append("prose_number")
        out.append(c)
    return out


def _apply_correction(q: Quantity, fix: str, unit_hint: str, name: str) -> tuple[Quantity, str]:
    """A correction from the review file: ``ok`` confirms the reading; anything else is read as the cell."""
    if fix.strip().lower() in ("ok", "đúng", "dung", "x", "✓"):
        return replace(q, review=(), guesses=()), "confirmed"
    fixed = parse(fix, unit=unit_hint or None, name=name)
    return replace(fixed, raw=q.raw, review=(), guesses=()), "corrected"


def _indicator_unit(cells: list[_Cell], unit_hint: str, table_y: int) -> str:
    if unit_hint:
        return unit_hint
    numeric = [c for c in cells if c.q.value is not None]
    counts = [c for c in numeric if c.q.status == "number" and c.q.unit and not c.q.unit.startswith("%")]
    fractions = [c for c in numeric if c.q.status == "fraction"]
    if counts and fractions:  # "10.760/10.760 căn" beside "9.825 căn"
        return counts[0].q.unit
    bare = [c for c in numeric if c.role.role == "target" and c.q.status == "number" and not c.q.unit]
    if bare and fractions:  # a bare target beside an x/y: a count when it is the y ("22" vs "20/22")
        y = fractions[0].q.denominator
        if y and math.isclose(bare[0].q.value, y):
            return fractions[0].q.counted or "đơn vị"
        if bare[0].q.value <= (y or 0):
            bare[0].flags.append("unit_assumed")  # "15" vs "20/22": 15 of them, or 15 %?
    targets = [c for c in cells if c.role.role == "target" and c.q.value is not None]
    targets.sort(key=lambda c: c.role.year != table_y)
    for c in targets + [c for c in cells if c.q.value is not None]:
        if c.q.status == "fraction":
            return "%"
        if c.q.unit:
            return c.q.unit + ("/năm" if c.q.per_year and c.q.unit == "%" else "")
    return ""


def _completed_as_100(cells: list[_Cell], unit: str) -> None:
    """"Hoàn thành" as a target, in a row whose results are percentages: a target of 100 %."""
    shares = any(c.q.value is not None and (c.q.status == "fraction" or c.q.unit == "%") and c.role.role == "actual"
                 for c in cells) or unit.startswith("%")
    for c in cells:
        if c.role.role == "target" and c.q.status == "words" and c.q.words in ("completed", "maintained") and shares:
            c.q = replace(c.q, status="number", value=100.0, unit="%", decimals=0)
            c.note.append("'Hoàn thành' đọc là chỉ tiêu 100%")
            c.flags.append("words_as_100")


def _kind(cells: list[_Cell], unit: str, target: _Cell | None, reduction: bool = False) -> str:
    numeric = [c for c in cells if c.q.value is not None]
    if not numeric:
        return "qualitative"
    if reduction:  # the size of a fall: per year when written so, else a level
        per_year = unit.endswith("/năm") or any(c.q.per_year for c in numeric if c.role.role == "target")
        return "reduction_per_year" if unit.startswith("%") and per_year else "level"
    count_target = target is not None and target.q.status == "number" and not unit.startswith("%")
    counts = [c for c in numeric if c.q.status == "number" and not (c.q.unit or "").startswith("%")]
    if any(c.q.status == "fraction" for c in numeric) and not count_target and not counts:
        return "x_of_y"  # shares against shares; an x/y beside plain counts is compared as a count (x)
    per_year = unit.endswith("/năm") or any(c.q.per_year for c in numeric if c.role.role == "target")
    if unit.startswith("%") and per_year:
        return "reduction_per_year" if target is not None and (target.q.value or 0) < 0 else "rate_per_year"
    if unit.startswith("%"):
        return "share"
    return "level"


def _express(c: _Cell, unit: str, kind: str, reduction: bool = False) -> None:
    """The cell's value in the indicator's unit (x/y as a share or as a count, units converted, reductions as
    their size), with what was done in ``note`` and every doubt in ``flags``."""
    q = c.q
    if kind in RATE_KINDS and not q.per_year and q.status == "number":
        pace = next((ch for ch in q.changes if ch.per_year and ch.unit == "%"), None)
        if pace is not None:  # "còn 12,58%, so với đầu kỳ giảm 6,37%/năm": the per-year pace counts here
            c.q = q = replace(q, value=pace.value, value_high=None, per_year=True, unit="%", approx=False,
                              alternatives=())
            if pace.text and pace.text in c.raw:
                c.raw = pace.text
            c.note.append("lấy vế theo năm của ô (chỉ tiêu tính theo năm)")
    c.flags += [r for r in q.review if r not in c.flags]
    if q.approx:
        c.flags.append("approx")
    if q.value is None:
        return
    if q.status == "fraction":
        c.numerator, c.denominator = q.numerator, q.denominator
        if kind == "x_of_y":
            c.value = q.value
            return
        c.value = q.numerator  # "24/27" against "27 chỉ tiêu": 24 of them
        c.note.append(f"x/y so với chỉ tiêu đếm được: lấy x = {format_vi(q.numerator)}")
        return
    value, high = q.value, q.value_high
    cu, iu = unit_info(q.unit), unit_info(unit)
    if cu and iu and cu[0] == iu[0] and not math.isclose(cu[1], iu[1]):
        f = cu[1] / iu[1]
        value, high = value * f, None if high is None else high * f
        c.note.append(f"đổi '{c.raw.strip()[:40]}' sang {unit}")
    elif q.unit and unit and cu and iu and cu[0] != iu[0]:
        c.flags.append("unit_differs")
    if reduction or kind == "reduction_per_year":
        if value < 0:
            value, high = -value, None if high is None else -high
            if high is not None and high < value:
                value, high = high, value
            c.note.append("mức giảm, ghi bằng độ lớn")
    c.value, c.high = value, high


def _impact(target: _Cell | None, actual: _Cell | None, direction: str, cell: _Cell, direction_alt: bool) -> int:
    """3 when another reading (or the other direction) changes the verdict, 2 when it moves the ratio by ≥ 5
    points, 1 otherwise (no verdict rests on this cell)."""
    if target is None or actual is None or target.value is None or actual.value is None:
        return 2 if cell.q.status == "unread" else 1
    if cell is not target and cell is not actual and not direction_alt:
        return 1  # a cell no verdict rests on (another year's result)
    tcmp, acmp = target.q.comparator, actual.q.comparator

    def verdict(t, a, d):
        j = judge(a, t, d, tcmp, acmp)
        return j["verdict"][0], j["ratio_exact"][0]

    base_v, base_r = verdict(target.value, actual.value, direction)
    outcomes = []
    if direction_alt:
        outcomes.append(verdict(target.value, actual.value, "lower" if direction == "higher" else "higher"))
    for alt in cell.q.alternatives:
        scale = alt / cell.q.value if cell.q.value else 1.0
        if cell is target:
            outcomes.append(verdict(target.value * scale, actual.value, direction))
        else:
            outcomes.append(verdict(target.value, actual.value * scale, direction))
    if any(v != base_v for v, _ in outcomes):
        return 3
    if any(np.isfinite(r) and np.isfinite(base_r) and abs(r - base_r) >= 5 for _, r in outcomes):
        return 2
    return 1


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------

@dataclass
class _Layout:
    header: list[str]
    header_line: int
    first_data: int
    roles: dict[int, Role]
    year: int
    name_col: int | None
    stt_col: int | None
    unit_col: int | None
    value_cols: list[int]
    cmp_cols: list[int]


def _layout(rows: list[list[str]], lines: list[int], term_end: int, file_label: str,
            review: list[ReviewItem]) -> _Layout:
    hi = find_header(rows, term_end)
    if hi is None:
        raise InputError(f"{file_label}: không nhận ra dòng tiêu đề của bảng — cần một cột tên chỉ tiêu ('STT', "
                         "'Chỉ tiêu', 'Nội dung' …) và một cột chỉ tiêu hoặc kết quả ('Chỉ tiêu NQ', 'KH 2020', "
                         "'MT 2030', 'TH 2020', 'Ước TH 2025', 'Thực hiện' …); danh sách đầy đủ: docs/IMPORT.md "
                         "(no header row recognised)")
    header, first_data = rows[hi], hi + 1
    merged = _merge_subheader(header, rows[hi + 1] if hi + 1 < len(rows) else None)
    if merged is not None:  # a header over two rows ("Kết quả thực hiện" merged over "Năm 2024 | Năm 2025")
        header, first_data = merged, hi + 2
        review.append(ReviewItem(lines[hi + 1], None, " | ".join(c for c in rows[hi + 1] if c),
                                 "tiêu đề hai dòng (ô gộp): ghép thành " + "; ".join(h for h in header if h), "guess",
                                 code="header_merged", impact=1))
    roles = column_roles(header)
    year = table_year(roles, term_end)
    for i, r in list(roles.items()):  # a column without a year is about the table's year
        if r.role in ("target", "actual", "comparison", "verdict") and r.year is None:
            roles[i] = replace(r, year=year)
    col = {r.role: i for i, r in sorted(roles.items(), reverse=True)}
    seen: set[tuple] = set()
    owner = None  # the value column a comparison column belongs to: the nearest one on its left
    for i, r in sorted(roles.items()):
        if r.role in ("target", "actual", "partial"):
            owner = r
        elif r.role in ("comparison", "verdict") and owner is not None and owner.role == "partial":
            review.append(ReviewItem(lines[hi], header[i], "", "tỷ lệ của cột kết quả một phần năm: không nhập",
                                     "skipped", code="column_skipped", impact=1))
            roles.pop(i)
            continue
        key = (r.role, r.year, r.status, r.period)
        if r.role == "partial" or (r.role in ("target", "actual") and key in seen):
            why = ("cột kết quả một phần năm: không phải kết quả cả năm, không nhập" if r.role == "partial" else
                   "cột trùng vai trò và năm với một cột trước: không nhập")
            review.append(ReviewItem(lines[hi], header[i], "", why, "skipped", code="column_skipped", impact=1))
            roles.pop(i)
        seen.add(key)
    for i, h in enumerate(header):
        if i not in roles and h.strip() and not any(x.column == h for x in review):
            review.append(ReviewItem(lines[hi], h, "", "cột không nhận ra: bỏ qua — đổi tên tiêu đề theo "
                                     "docs/IMPORT.md nếu cột có số liệu", "skipped", code="unknown_column", impact=2))
    return _Layout(header, lines[hi], first_data, roles, year, col.get("name"), col.get("stt"), col.get("unit"),
                   [i for i, r in roles.items() if r.role in ("target", "actual")],
                   [i for i, r in roles.items() if r.role in ("comparison", "verdict")])


def parse_table(rows: list[list[str]], *, term_end: int, file_label: str, lines: list[int] | None = None,
                source_name: str = "", catalogue: pd.DataFrame | None = None,
                existing_ids: dict[str, str] | None = None, native: list[list] | None = None,
                corrections: dict | None = None) -> ParsedTable:
    """Parse the rows of a results table into records (``source`` = ``source_name:<line>``) and a ranked review.

    ``lines``: the line of each row in the source text (default 1, 2, …). ``native``: per row and column, the
    number an Excel cell holds as a number (else None). ``corrections``: ``(line, folded header, raw) → text`` from
    the review file. ``existing_ids``: folded name → id, to keep the ids of a locality being replaced.
    """
    lines = lines or list(range(1, len(rows) + 1))
    review: list[ReviewItem] = []
    lay = _layout(rows, lines, term_end, file_label, review)
    out = ParsedTable([], [], [], review, lay.header_line, {}, lay.year)
    ctx = {"used": set(), "group_no": "", "group_label": "", "existing": existing_ids or {},
           "catalogue": catalogue, "source": source_name, "corrections": corrections or {}}
    for ri in range(lay.first_data, len(rows)):
        _parse_row(rows[ri], lines[ri], native[ri] if native is not None and ri < len(native) else None, lay, ctx,
                   out)
    out.columns = {lay.header[i]: f"{r.role}{'' if r.year is None else ' ' + str(r.year)}"
                   f"{'' if not r.status else ' (' + r.status + ')'}" for i, r in sorted(lay.roles.items())}
    if not out.indicators:
        raise InputError(f"{file_label}: bảng không có dòng chỉ tiêu nào có số liệu (no indicator rows)")
    out.review.sort(key=lambda r: (-r.impact, r.row, r.column or ""))
    return out


def _row_cells(raw_cells: list[str], lay: _Layout, line: int, review: list[ReviewItem]) -> tuple[list[str], bool]:
    """The row padded to the header's width; a row shifted one cell left (no STT cell) put back."""
    cells, ncols = list(raw_cells), len(lay.header)
    shifted = False
    if lay.stt_col is not None and lay.name_col == lay.stt_col + 1 and cells and cells[lay.stt_col] and \
            not _STT.match(cells[lay.stt_col]) and len(cells[lay.stt_col]) > 6 and (len(cells) < ncols or not cells[-1]):
        cells = [""] + cells[:ncols - 1] if len(cells) >= ncols else [""] + cells
        shifted = True
    if len(cells) > ncols and any(cells[ncols:]):
        review.append(ReviewItem(line, None, " | ".join(c for c in cells[ncols:] if c),
                                 f"dòng có {len(cells)} ô, tiêu đề có {ncols}: các ô thừa bị bỏ qua", "skipped",
                                 code="extra_cells", impact=2))
    return (cells + [""] * ncols)[:ncols], shifted


def _parse_row(raw_cells: list[str], line: int, native, lay: _Layout, ctx: dict, out: ParsedTable) -> None:
    """One row of the table: an indicator with its values and comparisons, and its review items."""
    if not any(raw_cells):
        return
    cells, shifted = _row_cells(raw_cells, lay, line, out.review)
    stt = cells[lay.stt_col] if lay.stt_col is not None else ""
    name = cells[lay.name_col] if lay.name_col is not None else ""
    filled = [i for i in lay.value_cols + lay.cmp_cols if cells[i]]
    if not name:
        if filled or stt:
            what = ", ".join(f"'{lay.header[i]}'" for i in filled) or "STT"
            out.review.append(ReviewItem(line, None, " | ".join(c for c in cells if c), f"dòng không có tên chỉ "
                                         f"tiêu (chỉ có {what}): dòng nối tiếp, không nhập — thêm bằng tay nếu cần",
                                         "skipped", code="no_name", impact=2))
        return
    if stt:
        ctx["group_no"], ctx["group_label"] = stt.rstrip(".)"), ""
    if not filled:  # a heading row: "1 | Cơ cấu ngành kinh tế:"
        ctx["group_label"] = name.rstrip(": ")
        return
    if shifted:
        out.review.append(ReviewItem(line, lay.header[lay.name_col], name, "dòng thiếu ô STT (lệch một ô sang trái): "
                                     "đọc lệch lại một ô sang phải", "guess", code="row_shifted", impact=2))
    name_clean, unit_in_name = unit_from_name(re.sub(r"^[-–•+]\s*(?:(?:trong đó|gồm|bao gồm)\s*:?\s*)?", "", name,
                                                     flags=re.IGNORECASE).strip())
    unit_hint = fold(cells[lay.unit_col]) if lay.unit_col is not None and cells[lay.unit_col] else unit_in_name
    label = f"{name_clean} ({ctx['group_label']})" if ctx["group_label"] and name.lstrip().startswith(
        ("-", "–", "•", "+")) else name_clean
    ind_id = ctx["existing"].get(fold(name_clean)) or slugify(name_clean)
    base, k = ind_id, 2
    while ind_id in ctx["used"]:
        ind_id, k = f"{base}_{k}", k + 1
    ctx["used"].add(ind_id)
    read = _read_cells(cells, lay.value_cols, lay.header, lay.roles, unit_hint, name_clean, native,
                       ctx["corrections"], line)
    _indicator_and_values(read, ind_id, label, name_clean, unit_hint, line, lay, ctx, out)
    _comparisons(cells, read, ind_id, line, lay, ctx, out)


def _indicator_and_values(read: list[_Cell], ind_id: str, label: str, name: str, unit_hint: str, line: int,
                          lay: _Layout, ctx: dict, out: ParsedTable) -> None:
    unit = _indicator_unit(read, unit_hint, lay.year)
    _completed_as_100(read, unit)
    targets = sorted((c for c in read if c.role.role == "target" and c.q.value is not None),
                     key=lambda c: c.role.year != lay.year)
    target = targets[0] if targets else None
    # a reduction ("giảm 3,5%/năm", "Mức giảm tỷ lệ hộ nghèo"): compared by its size, the more the better
    reduction = (target is not None and (target.q.value or 0) < 0) or bool(re.search(r"\bgiảm\b", fold(name)))
    kind = _kind(read, unit, target, reduction)
    if kind == "x_of_y":
        unit = "%"
    elif kind in RATE_KINDS and unit == "%":
        unit = "%/năm"
    code, code_why = catalogue_match.match(name, unit, kind, ctx["catalogue"])
    cat_dir = ""
    if code:
        cat_dir = str(ctx["catalogue"].set_index("code").loc[code, "direction"])
    direction, dir_source, dir_why = direction_of(label, target.q if target else None, cat_dir)
    name_header = fold(lay.header[lay.name_col]) if lay.name_col is not None else ""
    fix = fold(ctx["corrections"].get((line, name_header, name.strip()), ""))
    if fix in ("lower", "higher", "band"):  # set by a person in the review file
        direction, dir_source, dir_why = fix, "corrected", "theo tệp rà soát (review.csv)"
    if kind == "qualitative":
        dir_source = dir_source if dir_source != "assumed" else "qualitative"
    for c in read:
        _express(c, unit, kind, reduction)
    src = f"{ctx['source']}:{line}"
    out.indicators.append({"id": ind_id, "name": label, "unit": unit, "kind": kind, "direction": direction,
                           "catalogue_code": code, "group": ctx["group_no"], "source": src,
                           "direction_source": dir_source,
                           "note": f"Nhập từ bảng. Chiều: {dir_why}. Mã danh mục: {code_why}."})
    term_target = next((c for c in read if c.role.role == "target" and c.role.year == lay.year
                        and c.value is not None), None)
    term_actual = max((c for c in read if c.role.role == "actual" and c.value is not None
                       and (c.role.year or 0) <= lay.year), key=lambda c: (c.role.year or 0), default=None)
    for c in read:
        out.values.append(_record(c, ind_id, src))
        _review_items(c, line, ind_id, term_target, term_actual, direction, out)
    if dir_source == "assumed" and term_target is not None and term_actual is not None:
        impact = _impact(term_target, term_actual, direction, term_target, direction_alt=True)
        out.review.append(ReviewItem(line, lay.header[lay.name_col], name, "chiều đặt mặc định 'càng cao càng tốt': "
                                     "sửa cột direction trong indicators.csv (hoặc ghi lower/higher vào cột correction) "
                                     "nếu chỉ tiêu càng thấp càng tốt", "guess", code="direction_assumed",
                                     reading="higher", alternatives="lower", impact=impact, indicator=ind_id))


def _record(c: _Cell, ind_id: str, src: str) -> dict:
    status = c.role.status or "actual"
    if c.q.estimate and status == "actual":
        status = "estimate"
    period = c.role.period if c.role.period and c.q.per_year else str(c.role.year)
    note = list(c.note)
    if c.q.status == "missing":
        note.append("chưa có số liệu")
    elif c.q.status == "words":
        note.append(f"chỉ có lời: {VERDICT_WORDS_VI.get(c.q.words, c.q.words)}" if c.q.words else "chỉ có lời")
    elif c.q.status == "unread" and re.search(r"\d", c.raw):
        note.append("không đọc được số: " + "; ".join(c.q.problems))
    if c.q.guesses:
        note.append("Đoán khi nhập: " + "; ".join(c.q.guesses))
    return {"indicator": ind_id, "period": period, "status": status, "value": c.value,
            "comparator": c.q.comparator if c.value is not None else "=", "numerator": c.numerator,
            "denominator": c.denominator, "raw": c.raw, "source": src, "formula": "", "note": " | ".join(note),
            "value_high": c.high, "flags": "; ".join(dict.fromkeys(c.flags))}


def _review_items(c: _Cell, line: int, ind_id: str, term_target, term_actual, direction: str,
                  out: ParsedTable) -> None:
    doubts = [f for f in c.flags if f in REVIEW_FLAGS]
    if c.q.status == "unread" and re.search(r"\d", c.raw):
        out.review.append(ReviewItem(line, c.header, c.raw, "không đọc được số: " + "; ".join(c.q.problems),
                                     "unread", code="unread", impact=_impact(term_target, term_actual, direction, c,
                                                                             False) + 1, indicator=ind_id))
        return
    if not doubts and c.q.against_convention and c.q.alternatives:
        # read against the Vietnamese convention because the row's magnitudes say so: listed, not in doubt
        out.review.append(ReviewItem(line, c.header, c.raw, "; ".join(c.q.guesses), "guess",
                                     code="against_convention_settled", reading=format_vi(c.value),
                                     alternatives="; ".join(format_vi(a) for a in c.q.alternatives),
                                     impact=_impact(term_target, term_actual, direction, c, False), indicator=ind_id))
        return
    if not doubts and not {"prose_number", "words_as_100"} & set(c.flags):
        return
    reading = "" if c.value is None else format_vi(c.value) + (f"–{format_vi(c.high)}" if c.high is not None else "")
    alternatives = "; ".join(format_vi(a) for a in c.q.alternatives)
    shown = doubts or [f for f in c.flags if f in ("prose_number", "words_as_100")]
    message = "; ".join(DOUBT_VI.get(f, IMPORT_FLAGS_VI.get(f, f)) for f in shown)
    out.review.append(ReviewItem(line, c.header, c.raw, message + (f" — đọc là {reading}" if reading else ""),
                                 "guess", code=shown[0], reading=reading,
                                 alternatives=alternatives,
                                 impact=_impact(term_target, term_actual, direction, c, False), indicator=ind_id))


def _comparisons(cells: list[str], read: list[_Cell], ind_id: str, line: int, lay: _Layout, ctx: dict,
                 out: ParsedTable) -> None:
    """The report's own comparisons: its comparison columns, and a ratio printed inside a result cell."""
    src = f"{ctx['source']}:{line}"
    for i in lay.cmp_cols:
        raw = cells[i]
        if not raw:
            continue
        q = parse(raw)
        value = q.value if q.status == "number" and q.unit in (None, "%") else None
        if q.status == "number" and value is None:
            out.review.append(ReviewItem(line, lay.header[i], raw, f"so sánh ghi bằng '{q.unit}', không phải %: "
                                         "chỉ giữ lời nhận xét", "guess", code="comparison_unit", indicator=ind_id))
        if q.status == "unread":
            out.review.append(ReviewItem(line, lay.header[i], raw, "không đọc được so sánh: " + "; ".join(q.problems),
                                         "unread", code="unread", impact=2, indicator=ind_id))
            continue
        if value is None and not q.words:
            continue
        out.comparisons.append({"indicator": ind_id, "period": str(lay.roles[i].year), "value": value,
                                "verdict": VERDICT_WORDS_VI.get(q.words, "") if q.words else "", "raw": raw,
                                "source": src, "note": "; ".join(q.guesses)})
    for c in read:  # "trên 5.591 ha, đạt 101,11% kế hoạch": printed inside the result cell
        if c.role.role == "actual" and c.q.printed_pct is not None and c.role.year == lay.year:
            out.comparisons.append({"indicator": ind_id, "period": str(c.role.year), "value": c.q.printed_pct,
                                    "verdict": "", "raw": c.raw, "source": src,
                                    "note": f"tỷ lệ in trong ô kết quả (so với {c.q.printed_against or 'kế hoạch'})"})
