"""Parsing a results table (*Biểu kết quả*): which column is the target, the result, the printed comparison;
every cell read by the cell grammar (:mod:`chitieu.io.quantity`) with the other cells of its row; indicators,
values and comparisons as ``docs/DATA_FORMAT.md`` defines them, and a review list of every guessed or unread cell.

>>> rows = [["STT", "Chỉ tiêu", "Nghị quyết", "Ước thực hiện năm 2025"], ["1", "Diện tích cà phê", "2.000 ha", "2.815 ha"]]
>>> table = parse_table(rows, term_end=2025, file_label="bieu.txt")
>>> [(r["indicator"], r["status"], r["period"], r["value"]) for r in table.values]
[('dien_tich_ca_phe', 'target', '2025', 2000.0), ('dien_tich_ca_phe', 'estimate', '2025', 2815.0)]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from chitieu.core.numfmt import decimals_of, format_vi, machine_number
from chitieu.errors import InputError
from chitieu.io.quantity import Quantity, parse, parse_row
from chitieu.io.text import fold, slugify, syllables

__all__ = ["ReviewItem", "ParsedTable", "parse_table", "find_header", "unit_from_name", "VERDICT_WORDS_VI"]

VERDICT_WORDS_VI = {"met": "Đạt", "exceeded": "Vượt", "not_met": "Không đạt", "completed": "Hoàn thành",
                    "maintained": "Giữ vững"}


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


def find_header(rows: list[list[str]], term_end: int = 2025, limit: int | None = 12) -> int | None:
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


def unit_from_name(name: str) -> tuple[str, str]:
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
    hi = find_header(rows, term_end)
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
        name_clean, unit_in_name = unit_from_name(name_clean)
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


