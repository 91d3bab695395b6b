"""The cell grammar: read one quantity as Vietnamese reports write it.

:func:`parse` takes one table cell or phrase and returns a :class:`Quantity`. A cell is read as **clauses**
(split at ``,`` ``;`` and brackets). The first clause that carries a number is the **main** one; it is read as

    [comparator / approximation / sign words]  NUMBER  [range | x/y]  [scale words]  [unit]  [/năm]  [trở lên]

and every other clause is classified: a **change** (``tăng 12% so với 2020``, ``giảm 5,7%``, ``gấp 1,8 lần``), a
**printed ratio** (``đạt 101,11% kế hoạch``, ``bằng 109,4% KH``, ``vượt 5,3% kế hoạch``), a **share of a whole**
(``chiếm 30% toàn tỉnh``) or a **breakdown** in brackets (``(10 vượt + 22 đạt …)``). Years are **labels**, not
quantities, where they name a time (``năm 2021``, ``giai đoạn 2021-2025``, ``(ước 2021)``, ``đến năm 2025``), as
are months, quarters, dates and document numbers.

What the grammar reads (each form has tests in ``tests/test_quantity.py``, with the corpus of real cells in
``tests/corpus/cells/`` and the rules in ``docs/IMPORT.md``):

- **signs**: ``-4,13``, ``−4,13`` (U+2212), ``– 4,13`` (a dash opening the cell), ``giảm 4,13%``, ``âm 6,78%`` are
  negative; ``giảm còn 1,85%`` / ``xuống còn`` is a level reached (positive);
- **scale words** (``core/rules/scale_words.csv``): ``trên 14 nghìn tấn`` = 14.000 tấn, ``63 vạn tấn`` = 630.000
  tấn, ``1,2 nghìn tỷ đồng`` = 1.200 tỷ đồng, ``153 tỷ 900 triệu đồng`` = 153,9 tỷ đồng; money keeps its unit
  (``tỷ đồng``, ``triệu USD``) and :attr:`Quantity.base_value` converts to đồng / USD (``core/rules/units.csv``);
- **ranges** ``3-4%/năm``, ``7,5-8,0``, ``55 - 60 triệu``, ``từ 96 đến 97%``: ``value`` and ``value_high``;
- **approximations** ``khoảng``, ``gần``, ``xấp xỉ``, ``trên dưới``: ``approx``;
- **x of y** ``24/27``, ``16/19 tiêu chí``, ``30/36 trường đạt 83,3%``: numerator, denominator, the counted noun in
  ``unit``, and ``value`` = the share (printed, or x/y × 100);
- **bounds** ``trên``, ``hơn``, ``dưới``, ``trở lên``, ``từ … trở lên``, ``không quá``, ``≥``: ``comparator``;
- **separators**: ``2.815`` = 2815 and ``509,1`` = 509,1 by the Vietnamese convention; a separator followed by
  exactly three digits that the row's context does not settle is a guess (:func:`parse_row` decides the cells of
  a row together).

**Never a silent guess.** Every reading that could be wrong carries a code in :attr:`Quantity.review` (a
separator context did not settle, a unit assumed, numbers the grammar cannot place, a year that may be a count,
text it could not read). Callers show those cells for review and never print a clean verdict on them.

>>> q = parse("trên 14 nghìn tấn")
>>> (q.value, q.unit, q.comparator, q.review)
(14000.0, 'tấn', '>', ())
>>> q = parse("24/27 chỉ tiêu")
>>> (q.numerator, q.denominator, q.counted, round(q.value, 2))
(24.0, 27.0, 'chỉ tiêu', 88.89)
>>> q = parse("5.700 ha, tăng 12% so với 2020")
>>> (q.value, q.unit, q.changes[0].value, q.changes[0].unit, q.year_labels)
(5700.0, 'ha', 12.0, '%', (2020,))
>>> parse("−4,13%").value, parse("giảm còn 1,85%").value
(-4.13, 1.85)
>>> q = parse("55 - 60 triệu", unit="triệu đồng")
>>> (q.value, q.value_high, q.unit)
(55.0, 60.0, 'triệu đồng')

The only exception it raises is :class:`QuantityError`, for an argument that is not text.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from chitieu.core import rules
from chitieu.core.numfmt import format_vi
from chitieu.io.text import normalise

__all__ = ["Quantity", "Change", "DATES", "QuantityError", "parse", "parse_row", "PLACEHOLDERS", "unit_info",
           "same_measure"]


class QuantityError(TypeError):
    """The argument of :func:`parse` was not a string."""


SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP = re.compile(f"[{SUPERSCRIPTS}]+")
_SUP_MAP = {c: str(i) for i, c in enumerate(SUPERSCRIPTS)}
_UNIT_EXPONENT = re.compile(r"(?<![^\W\d_])((?:[kcdh]|)m)([²³])(?![⁰¹²³⁴⁵⁶⁷⁸⁹])", re.IGNORECASE)
PLACEHOLDERS = ("…", "...", "…..")


# ------------------------------------------------------------------------------------------------
# Vocabulary of the grammar
# ------------------------------------------------------------------------------------------------

_NUM = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)*)(?![\d])")
_WORD = re.compile(r"[^\W\d_]+")
DATES = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}/(?:19|20)\d{2}\b|"
                   r"(?i:\b(?:quý|quí)\s+(?:[ivx]+|\d)\s*/\s*(?:19|20)\d{2}\b)")  # "quý II/2022"
# document numbers: "20/NQ-HĐND", "12-CT/TU", "Nghị định 100/2019/NĐ-CP", "Quyết định số 898/QĐ-UBND"
_DOCNO = re.compile(r"\b\d+\s*[/-]\s*(?:\d{4}\s*/\s*)?[A-ZĐ][A-ZĐa-zđ]*(?:\s*-\s*[A-ZĐ]+)*(?:/[A-ZĐ]+)?\b|"
                    r"(?i:\b(?:nghị quyết|quyết định|chỉ thị|kết luận|thông tư|nghị định|đề án|chương trình|"
                    r"công văn|thông báo|đại hội|khóa|khoá|lần thứ)\s+(?:số\s+)?)\d+\b(?![.,]\d|\s*%)", re.UNICODE)
_UNIT_WITH_DIGIT = re.compile(r"(?<=[\d\s])(k?m[23]|m²|m³|km²)\b|\b(CO2|[345]G|F0|F1)\b", re.IGNORECASE)
_GLUED = re.compile(r"(?i)\b(đạt|bằng|khoảng|gần|trên|dưới|hơn|còn|là|tăng|giảm|vượt|ước|năm|chiếm|gấp)(\d|kế|chỉ|mục|"
                    r"nghị|so)")
_MULTIPLES = {"đôi": 2, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "rưỡi": 1.5}
_MULTIPLE_WORDS = re.compile(r"(?i)\bgấp (đôi|hai|ba|bốn|năm|rưỡi)\b(?!\s*\d)(?:\s*lần)?")
_OCR_LOOKALIKE = re.compile(r"[lIoO|][.,]?\d")  # letters OCR reads for 1 and 0, right after a number
_YEAR = re.compile(r"^(19[4-9]\d|20[0-4]\d|2050)$")
_YEAR_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)\b")
# words after which a year-like number is a year: "năm 2021", "đến 2025", "NQ 2020", "(ước 2021)"
_YEAR_BEFORE = re.compile(r"(?:năm|đến|tới|từ|giai đoạn|thời kỳ|nhiệm kỳ|kỳ|ước|dự toán|kế hoạch|kh|nq|th|mt|cuối|"
                          r"đầu|trong|quý\s+[ivx]+|tháng\s+\d+|so với|sau|trước|vào|của|niên độ|vụ)\s*$")
# time expressions whose number is a label: "6 tháng", "9 tháng đầu năm", "quý II", "tuần"
_TIME_AFTER = re.compile(r"^\s*(?:tháng|quý|tuần|ngày|giờ)\b")

_COMPARATORS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(>=|≥|⩾)\s*$"), ">="),
    (re.compile(r"(<=|≤|⩽)\s*$"), "<="),
    (re.compile(r"\bkhông có\b.*\bdưới\b[^\d]*$"), ">="),  # "không có xã nào dưới 10 tiêu chí" = at least 10
    (re.compile(r"\b(từ|đạt từ)\b[^\d]*$"), "from"),  # "từ X trở lên" (>=) or "từ X - Y" (a range)
    (re.compile(r"\b(tối thiểu|ít nhất|không dưới|không thấp hơn)\b[^\d]*$"), ">="),
    (re.compile(r"\b(không quá|tối đa|không vượt quá|không cao hơn)\b[^\d]*$"), "<="),
    (re.compile(r"\btrên dưới\b[^\d]*$"), "approx"),
    (re.compile(r"\b(trên|hơn|cao hơn|lớn hơn|vượt trên)\b[^\d]*$"), ">"),
    (re.compile(r"\b(dưới|thấp hơn|nhỏ hơn)\b[^\d]*$"), "<"),
    (re.compile(r">\s*$"), ">"),
    (re.compile(r"<\s*$"), "<"),
]
_APPROX = re.compile(r"((?<!trong )\b(khoảng|gần|xấp xỉ|chừng|ước chừng|trên dưới|hơn kém|xấp sỉ)\b|~|≈)[^\d]*$")
_AT_LEAST_AFTER = re.compile(r"^\s*(?:[^\W\d_]+\s*){0,4}?\btrở lên\b")
_AT_MOST_AFTER = re.compile(r"^\s*(?:[^\W\d_]+\s*){0,4}?\btrở xuống\b")
_LEVEL_REACHED = re.compile(r"\b(còn|xuống còn|giảm còn|hạ xuống|xuống|giảm xuống còn|giảm xuống)\s*(?:dưới|khoảng|"
                            r"gần|trên|hơn)?\s*$|\bgiảm (?:dưới|xuống dưới)\s*$")  # "giảm dưới 5%": fell to below 5 %
_FALL = re.compile(r"\b(giảm|âm|sụt giảm|suy giảm|tăng trưởng âm)\b(?!\s*(còn|xuống))[^\d]*$")
_PER_YEAR = re.compile(r"/\s*năm\b|\bhằng năm\b|\bhàng năm\b|\bmỗi năm\b|\bbình quân\b.*\bnăm\b|\b/năm\b")
_ESTIMATE = re.compile(r"\bước\b|\bdự kiến\b|\bdự ước\b")
_RANGE_SEP = re.compile(r"^\s*(?:-|–|—|~|đến|tới|den)\s*$")

# clauses after the main one
_PRINTED = re.compile(r"^\s*(?:(?:và\s+)?(?:đạt|bằng|được|vượt|hoàn thành))\s+(?:mức\s+|gần\s+|khoảng\s+|hơn\s+|"
                      r"trên\s+|xấp xỉ\s+)?(?P<num>\d[\d.,]*)\s*%\s*"
                      r"(?:so\s+(?:với\s+)?)?(?:của\s+)?(?P<what>kế hoạch|kh\b|nghị quyết|nq|chỉ tiêu|mục tiêu|dự toán|"
                      r"mtnq|nqđh|nqdh|ctnq)", re.IGNORECASE)
_CHANGE = re.compile(r"^\s*(?:(?:và|,|tương đương|bình quân|so với [^,]*?)\s+)*(?P<verb>tăng thêm|giảm thêm|tăng|giảm|"
                     r"gấp|bằng|cao hơn|thấp hơn|hơn)\b", re.IGNORECASE)
_VERB_AFTER = re.compile(r"(?i)\s(?:và\s+)?(?=(?:tăng|giảm|bằng|gấp|vượt|đạt|chiếm|tương đương)\b)")
_SHARE_OF_WHOLE = re.compile(r"^\s*(?:chiếm|bằng)\b", re.IGNORECASE)

_WORDS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bkhông đạt\b|\bchưa đạt\b|\bkhông hoàn thành\b|\bchưa hoàn thành\b"), "not_met"),
    (re.compile(r"\bvượt\b|\bcao hơn\b.*\b(nghị quyết|kế hoạch|mục tiêu|chỉ tiêu|đề ra)\b"), "exceeded"),
    (re.compile(r"\bhoàn thành\b"), "completed"),
    (re.compile(r"\bđạt\b"), "met"),
    (re.compile(r"\b(giữ vững|duy trì)\b"), "maintained"),
]
_STOP_NOUNS = {"so", "với", "và", "đạt", "tăng", "giảm", "bằng", "trở", "lên", "năm", "trong", "của", "là", "được",
               "trên", "dưới", "hơn", "khoảng", "gần", "kế", "hoạch", "nghị", "quyết", "cả",
               "vượt", "chiếm", "toàn", "bình", "quân", "mỗi", "hằng", "hàng", "ước", "thực", "hiện", "đến", "từ",
               "tổng", "số", "các", "những", "với", "về", "theo", "có", "đã", "đang", "sẽ", "tại", "ở", "như", "thì"}
#: amounts above which an ambiguous dot is doubted: 100.000 tỷ đồng, 10 tỷ USD (a few provinces' yearly figures)
_HUGE_MONEY = {"money": 1e14, "usd": 1e10}
_MONEY_CUES = re.compile(r"thu nhập|thu ngân sách|ngân sách|vốn|đầu tư|giá trị|doanh thu|kim ngạch|xuất khẩu|nhập "
                         r"khẩu|grdp|gdp|tổng sản phẩm|chi\b|thu\b|đồng|tiền|dự toán|giải ngân|tín dụng|dư nợ|"
                         r"lương|tiết kiệm|bán lẻ|tổng mức|usd|tỷ đồng|triệu đồng")


@dataclass(frozen=True)
class Change:
    """A change stated after the value: ``tăng 12% so với năm 2020`` → (12, '%', 'tăng', 'so với năm 2020')."""

    value: float
    unit: str | None
    verb: str
    against: str = ""
    text: str = ""  # the clause as written
    per_year: bool = False


@dataclass(frozen=True)
class Quantity:
    """A parsed cell. ``value`` is the main number in ``unit`` (for an x-of-y, the share in %)."""

    raw: str
    status: str  # "number" | "fraction" | "words" | "missing" | "unread"
    value: float | None = None
    decimals: int = 0
    comparator: str = "="
    unit: str | None = None
    per_year: bool = False
    estimate: bool = False
    numerator: float | None = None
    denominator: float | None = None
    values: tuple[float, ...] = ()
    words: str | None = None  # "completed", "met", "exceeded", "not_met", "maintained"
    footnotes: tuple[str, ...] = ()
    guesses: tuple[str, ...] = field(default_factory=tuple)
    against_convention: bool = False  # a guess overrode the Vietnamese reading ('.' thousands, ',' decimal)
    problems: tuple[str, ...] = field(default_factory=tuple)
    value_high: float | None = None  # the upper end of a range ("55 - 60 triệu")
    approx: bool = False  # khoảng, gần, xấp xỉ
    counted: str | None = None  # what an x-of-y counts ("chỉ tiêu", "xã"); also the noun of a count
    changes: tuple[Change, ...] = ()
    printed_pct: float | None = None  # a printed achievement inside the cell: "đạt 101,11% kế hoạch"
    printed_against: str = ""
    year_labels: tuple[int, ...] = ()
    review: tuple[str, ...] = ()  # codes of core.vocabulary.DOUBT_VI: why the reading may be wrong
    alternatives: tuple[float, ...] = ()  # other readings of ``value`` when its separator was a guess

    @property
    def guessed(self) -> bool:
        return bool(self.guesses)

    @property
    def is_number(self) -> bool:
        return self.value is not None

    @property
    def needs_review(self) -> bool:
        return bool(self.review)

    @property
    def base_unit(self) -> str | None:
        """The unit the value converts to for comparison (đồng, USD, tấn, ha, %, or the counted noun)."""
        info = unit_info(self.unit)
        return info[0] if info else self.unit

    def base(self, x: float | None) -> float | None:
        info = unit_info(self.unit)
        return None if x is None else (x * info[1] if info else x)

    @property
    def base_value(self) -> float | None:
        """``value`` in :attr:`base_unit` (``1.034 tỷ đồng`` → 1.034e12 đồng); an x-of-y's value is its share."""
        return self.value if self.status == "fraction" else self.base(self.value)


# ------------------------------------------------------------------------------------------------
# Units and scale words (rule tables)
# ------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _unit_table() -> tuple[dict[str, tuple[str, float, str, str]], list[str]]:
    """alias (folded) -> (canonical unit, base, factor, family); aliases longest first."""
    out: dict[str, tuple[str, str, float, str]] = {}
    for row in rules.table("units"):
        names = [row["unit"], *[a for a in row.get("aliases", "").split(";") if a.strip()]]
        for n in names:
            out[n.strip().lower()] = (row["unit"], row["base"], float(row["factor"]), row["family"])
    return out, sorted(out, key=len, reverse=True)


@lru_cache(maxsize=1)
def _scales() -> dict[str, float]:
    return {r["word"].lower(): float(r["factor"]) for r in rules.table("scale_words")}


def unit_info(unit: str | None) -> tuple[str, float, str] | None:
    """``(base unit, factor, family)`` of a unit the lexicon knows (``tỷ đồng`` → ``('đồng', 1e9, 'money')``)."""
    if not unit:
        return None
    hit = _unit_table()[0].get(unit.strip().lower())
    if hit is None:
        base = unit.split("/")[0].strip().lower()
        hit = _unit_table()[0].get(base)
        if hit is None:
            return None
    return hit[1], hit[2], hit[3]


def same_measure(a: str | None, b: str | None) -> bool | None:
    """Whether two units measure the same thing (``tỷ đồng`` and ``triệu đồng``: yes; ``ha`` and ``tấn``: no), by
    ``core/rules/units.csv``; None when either is not in the table (a counted noun, an unknown unit)."""
    ia, ib = unit_info(a), unit_info(b)
    if ia is None or ib is None:
        return None
    return ia[0] == ib[0]


def _money_unit(factor: float, family: str) -> str | None:
    """The canonical money unit with this factor (1e9, 'money' → 'tỷ đồng')."""
    for canon, base, f, fam in _unit_table()[0].values():
        if fam == family and math.isclose(f, factor) and canon == canon.strip():
            return canon
    return None


# ------------------------------------------------------------------------------------------------
# Numbers as written: the readings of one token, and the joint choice over a row
# ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Token:
    """One number as written, with its possible readings."""

    text: str
    start: int
    readings: tuple[tuple[float, int, str], ...]  # (value, decimals, how) — one reading unless ambiguous

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1


def _readings(text: str) -> tuple[tuple[float, int, str], ...]:
    """All plausible readings of one number token (Vietnamese convention first)."""
    seps = [c for c in text if c in ".,"]
    groups = re.split(r"[.,]", text)
    if not seps:
        return ((float(text), 0, "plain"),)
    if len(set(seps)) == 2:  # both kinds: the last one is the decimal mark
        dec = text[max(text.rfind("."), text.rfind(","))]
        thou = "," if dec == "." else "."
        intpart, frac = text.rsplit(dec, 1)
        if all(len(g) == 3 for g in intpart.split(thou)[1:]) and intpart.count(dec) == 0:
            return ((float(intpart.replace(thou, "") + "." + frac), len(frac), "mixed"),)
        return ()
    sep = seps[0]
    if len(seps) > 1:  # 1.234.567: grouping only
        if all(len(g) == 3 for g in groups[1:]):
            return ((float("".join(groups)), 0, "grouped"),)
        return ()
    intpart, frac = groups
    if len(frac) != 3:
        return ((float(intpart + "." + frac), len(frac), "decimal"),)
    if intpart == "0" or intpart == "":  # 0,500 can only be a decimal
        return ((float("0." + frac), 3, "decimal"),)
    thousands = (float(intpart + frac), 0, "thousands")
    decimal = (float(intpart + "." + frac), 3, "decimal")
    return (thousands, decimal) if sep == "." else (decimal, thousands)


_COUNT_HINTS = {"người", "hộ", "con", "xã", "bản", "trường", "đảng viên", "lao động", "doanh nghiệp", "hợp tác xã",
                "tổ dân phố", "gia đình", "lượt", "sản phẩm", "phường", "thôn", "nhà", "căn", "chi bộ", "huyện",
                "chỉ tiêu", "tiêu chí", "dự án", "công trình", "khách", "cây", "giường"}


def _score(groups: dict[str | None, list[float]], readings: list[tuple[float, int, str, int, str | None]],
           convention: bool = True) -> float:
    """Lower is better: the spread of magnitudes (decades) among the cells of one unit, plus penalties for unlikely
    readings. ``convention=False`` leaves out the preference for the Vietnamese convention: what remains is
    evidence from the cells."""
    score = 0.0
    for values in groups.values():
        logs = [math.log10(abs(v)) for v in values if v]
        score += (max(logs) - min(logs)) if len(logs) > 1 else 0.0
    for value, decimals, how, convention_rank, unit in readings:
        if convention:
            score += 0.3 * convention_rank  # against the Vietnamese convention
        info = unit_info(unit)
        thousandths = info is not None and info[2] in ("money", "usd") and info[1] >= 1e9  # "6,950 tỷ" = 6 tỷ 950 triệu
        if how == "decimal" and decimals == 3 and str(round(value * 1000))[-1] == "0" and not thousandths:
            score += 1.0  # "17,500" as 17.5 would be written "17,5" (not so for tỷ: three decimals are millions)
        if unit == "%" and value > 1000:
            score += 2.0
        if unit in _COUNT_HINTS and how == "decimal":
            score += 2.0  # counts of people, households, communes are whole
    return score


def _choose(tokens_per_cell: list[list[Token]], units: list[str | None], context: tuple[float, ...]):
    """Pick one reading per ambiguous token, jointly for all cells: {(cell, token): (reading, why, flipped,
    settled, by_evidence)}. ``units``: each cell's unit (its own, else the row's), then the row's unit.

    The reading with the best score wins (the Vietnamese convention on a tie). It is **settled** when the evidence
    alone (magnitudes of the cells of the same unit, units, a trailing zero) puts it ahead of every other reading
    by 0,25 — or when it is the dot-as-thousands convention (``2.815``), which Vietnamese documents keep far more
    often than they break. Otherwise (``5,142`` alone: 5,142 or 5.142?) it is a guess, and the cell is flagged.
    """
    slots = [(ci, ti) for ci, toks in enumerate(tokens_per_cell) for ti, t in enumerate(toks) if t.ambiguous]
    chosen: dict[tuple[int, int], tuple] = {}
    if not slots:
        return chosen
    row_unit = units[-1] if len(units) > len(tokens_per_cell) else None
    cell_units = [units[ci] if ci < len(units) and units[ci] else row_unit for ci in range(len(tokens_per_cell))]
    context = tuple(float(v) for v in context
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
    scores = []
    combos = [tuple(0 for _ in slots)] if len(slots) > 10 else itertools.product(*[range(2) for _ in slots])
    for combo in combos:
        pick = dict(zip(slots, combo))
        groups: dict[str | None, list[float]] = {row_unit: list(context)}
        readings = []
        for ci, toks in enumerate(tokens_per_cell):
            for ti, t in enumerate(toks):
                r = t.readings[pick.get((ci, ti), 0)]
                if (ci, ti) in pick:
                    readings.append((*r, pick[(ci, ti)], cell_units[ci]))
                if ti == 0:
                    groups.setdefault(cell_units[ci], []).append(r[0])
        scores.append((_score(groups, readings), _score(groups, readings, convention=False), combo))
    best_score, best_evidence, best = min(scores, key=lambda sc: (sc[0], sc[2]))
    runner_up = min((e for s, e, c in scores if c != best), default=math.inf)
    by_evidence = runner_up - best_evidence >= 0.25
    for (ci, ti), k in zip(slots, best):
        token = tokens_per_cell[ci][ti]
        reading, other = token.readings[k], token.readings[1 - k]
        settled = by_evidence or (reading[2] == "thousands" and "." in token.text)
        basis = ("độ lớn của các số khác trong dòng" if by_evidence and (len(context) + sum(map(len,
                 tokens_per_cell)) > 1) else "đơn vị và các chữ số của ô" if by_evidence else
                 "quy ước viết số Việt Nam" if settled else "quy ước viết số Việt Nam (ngữ cảnh không quyết định được)")
        mark = "dấu phân cách hàng nghìn" if reading[2] == "thousands" else "dấu thập phân"
        why = (f"'{token.text}' đọc là {_show(reading[0])} (không phải {_show(other[0])}): "
               f"'{_separator(token.text)}' là {mark}, theo {basis}")
        chosen[(ci, ti)] = (reading, why, k == 1, settled, by_evidence)
    return chosen


def _show(x: float) -> str:
    """A reading written the Vietnamese way (5.910; 5,91), so that it reads against the cell as printed."""
    return format_vi(x)


def _separator(text: str) -> str:
    """The separator a guess is about: the last '.' or ',' of the number."""
    marks = [c for c in text if c in ".,"]
    return marks[-1] if marks else "."


# ------------------------------------------------------------------------------------------------
# Scanning a cell: text, labels, numbers
# ------------------------------------------------------------------------------------------------

@dataclass
class _Scan:
    raw: str
    text: str  # normalised, one line
    lower: str
    footnotes: tuple[str, ...]
    tokens: list[Token]
    labels: list[tuple[int, int, int | None]]  # masked spans (start, end, year or None)
    problems: list[str]
    review: list[str]


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    out = list(text)
    for a, b in spans:
        out[a:b] = " " * (b - a)
    return "".join(out)


def _label_spans(text: str, lower: str) -> list[tuple[int, int, int | None]]:
    """Spans of the text that are times or document numbers, not quantities (with the year where it is one)."""
    spans: list[tuple[int, int, int | None]] = []
    for m in DATES.finditer(text):
        spans.append((m.start(), m.end(), None))
    for m in _DOCNO.finditer(text):
        if not any(a <= m.start() < b for a, b, _ in spans):
            spans.append((m.start(), m.end(), None))
    for m in _YEAR_SPAN.finditer(text):
        if not any(a <= m.start() < b for a, b, _ in spans):
            spans.append((m.start(1), m.end(1), int(m.group(1))))
            spans.append((m.start(2), m.end(2), int(m.group(2))))
    return spans


def _scan(raw: str) -> _Scan:
    if not isinstance(raw, str):
        raise QuantityError(f"parse() needs text, got {type(raw).__name__}")
    # the exponent of a square or cubic metre is part of the unit, not a footnote: "km²" is an area, not "km" + note 2
    cell = _UNIT_EXPONENT.sub(lambda m: m.group(1) + _SUP_MAP[m.group(2)], raw)  # raw itself is kept as written
    notes = tuple("".join(_SUP_MAP[c] for c in m.group()) for m in _SUP.finditer(cell))
    spaced_groups = bool(re.search("\\d[\u00a0\u202f\u2009]\\d{3}(?!\\d)", cell))
    text = normalise(_SUP.sub("", cell))
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(\d)([.,]) (\d)(?!\d{2})", r"\1\2\3", text)  # OCR: "184, 4 ha"
    text = _GLUED.sub(r"\1 \2", text)  # a missing space: "bằng165,4%", "đạt16.743 tỷ", "vượtkế hoạch"
    text = _MULTIPLE_WORDS.sub(lambda m: f"gấp {_MULTIPLES[m.group(1).lower()]} lần", text)  # "gấp đôi" = 2 lần
    review: list[str] = []
    if re.search(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.,])", text):  # "1 234 567": thousands grouped by spaces
        text = re.sub(r"(?<![\d.,])(\d{1,3})((?: \d{3})+)(?![\d.,])", lambda m: m.group(1) + m.group(2).replace(" ", ""),
                      text)
        if not spaced_groups:
            review.append("space_grouping")
    lower = text.lower()
    labels = _label_spans(text, lower)
    masked = _mask(text, [(a, b) for a, b, _ in labels])
    masked = _UNIT_WITH_DIGIT.sub(lambda m: "u" * len(m.group()), masked)
    tokens, problems = [], []
    for m in _NUM.finditer(masked):
        s = m.group(1)
        before = masked[m.start() - 1] if m.start() > 0 else " "
        if before.isalpha():
            problems.append(f"digits glued to letters ('{text[max(0, m.start() - 3):m.end() + 1].strip()}'): not read")
            review.append("ocr_damaged")
            continue
        if _OCR_LOOKALIKE.match(masked, m.end()) and not re.match(r"[lIoO|][^\W\d_]", masked[m.end():]):
            problems.append(f"'{text[m.start():m.end() + 3].strip()}' looks OCR-damaged (a letter among the digits)")
            review.append("ocr_damaged")
            continue
        readings = tuple(r for r in _readings(s) if math.isfinite(r[0]))
        if not readings:
            problems.append(f"'{s[:12]}…' ({len(s)} characters) is too long to be a number" if len(s) > 300
                            else f"'{s}' mixes separators in no known convention")
            continue
        tokens.append(Token(s, m.start(), readings))
    tokens, labels = _years_as_labels(text, lower, tokens, labels)
    return _Scan(raw, text, lower, notes, tokens, labels, problems, review)


def _years_as_labels(text: str, lower: str, tokens: list[Token], labels):
    """A whole number 1940–2050 written without separators is a year where the words around it name a time."""
    keep = []
    for t in tokens:
        if not _YEAR.match(t.text):
            keep.append(t)
            continue
        head = lower[:t.start].rstrip(" (:")
        tail = lower[t.end:]
        after_unit = re.match(r"^\s*(%|[^\W\d_]+)", tail)
        is_label = bool(_YEAR_BEFORE.search(head)) or bool(re.match(r"^\s*[):,;]|^\s*$", tail)) and len(tokens) > 1 \
            or re.match(r"^\s*(?:tháng|quý)", tail) is not None
        if after_unit and after_unit.group(1) in ("%", "ha", "tấn", "người", "hộ", "tỷ", "triệu", "nghìn", "ngàn"):
            is_label = False
        if is_label:
            labels.append((t.start, t.end, int(t.text)))
        else:
            keep.append(t)
    # months, quarters: "6 tháng", "9 tháng đầu năm"
    out = []
    for t in keep:
        if "," not in t.text and "." not in t.text and _TIME_AFTER.match(lower[t.end:]) and len(keep) > 1:
            labels.append((t.start, t.end, None))
        else:
            out.append(t)
    return out, labels


# ------------------------------------------------------------------------------------------------
# Clauses
# ------------------------------------------------------------------------------------------------

def _clauses(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, in_brackets) of the clauses: split at , ; and brackets (a decimal comma is inside a number)."""
    out, start, depth, open_at = [], 0, 0, 0
    for i, c in enumerate(text):
        if c in "([":
            if depth == 0:
                if i > start:
                    out.append((start, i, False))
                open_at = i + 1
            depth += 1
        elif c in ")]" and depth:
            depth -= 1
            if depth == 0:
                out.append((open_at, i, True))
                start = i + 1
        elif depth == 0 and (c == ";" or (c == "," and not (0 < i < len(text) - 1 and text[i - 1].isdigit()
                                                             and text[i + 1].isdigit()))):
            out.append((start, i, False))
            start = i + 1
    if depth:  # an unclosed bracket: the rest is one clause
        out.append((open_at, len(text), True))
    elif start < len(text):
        out.append((start, len(text), False))
    split = []
    for a, b, br in out:  # "702.562 triệu đồng bằng 104,7% so với cùng kỳ": a second verb starts a clause
        first = re.search(r"\d", text[a:b])
        cut = _VERB_AFTER.search(text, a + first.end(), b) if first else None
        while cut is not None and re.search(r"\d", text[cut.start():b]):
            split.append((a, cut.start(), br))
            a = cut.start()
            cut = _VERB_AFTER.search(text, a + 1, b)
        split.append((a, b, br))
    return [(a, b, br) for a, b, br in split if text[a:b].strip()]


def _unit_at(lower: str, pos: int) -> tuple[str | None, int, float]:
    """The unit (canonical), its end, and the scale factor of scale words before it, read from ``pos``."""
    i = pos
    factor = 1.0
    table, aliases = _unit_table()
    while True:
        m = re.match(r"\s*([^\W\d_]+)", lower[i:])
        if not m or m.group(1) not in _scales():
            break
        # a scale word that starts a unit alias ("tỷ đồng", "triệu usd") is read as the unit
        rest = lower[i:].lstrip()
        if any(rest.startswith(a) and (len(rest) == len(a) or not rest[len(a)].isalnum()) for a in aliases if " " in a):
            break
        factor *= _scales()[m.group(1)]
        i += m.end()
    rest = lower[i:].lstrip()
    skip = len(lower[i:]) - len(rest)
    if rest.startswith("%"):
        return "%", i + skip + 1, factor
    for a in aliases:
        if rest.startswith(a) and (len(rest) == len(a) or not rest[len(a)].isalnum()):
            return table[a][0], i + skip + len(a), factor
    return None, i, factor


def _comparator(prefix: str) -> tuple[str, bool]:
    """(comparator, approx) from the words before the number; "từ" alone is decided by what follows."""
    approx = bool(_APPROX.search(prefix))
    for pattern, comp in _COMPARATORS:
        if pattern.search(prefix):
            return ("approx", True) if comp == "approx" else (comp, approx)
    return "=", approx


def _noun_after(text: str, lower: str, pos: int) -> str | None:
    """The counted noun right after a number ("3 xã", "24/27 chỉ tiêu"), or None."""
    words = re.findall(r"[^\W\d_]+", lower[pos:pos + 40])
    out = []
    for w in words[:3]:
        if w in _STOP_NOUNS or w in _scales():
            break
        out.append(w)
        if len(out) == 2:
            break
    if not out:
        return None
    two = " ".join(out)
    return two if two in _COUNT_HINTS or len(out) == 1 else (out[0] if out[0] in _COUNT_HINTS else two)


@dataclass
class _Main:
    value: float
    decimals: int
    comparator: str = "="
    approx: bool = False
    unit: str | None = None
    scale: float = 1.0
    per_year: bool = False
    high: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    counted: str | None = None
    share: float | None = None
    share_decimals: int = 2
    used: int = 1  # tokens of the clause consumed
    review: list[str] = field(default_factory=list)


def _value_of(t: Token, chosen: dict[int, tuple], i: int) -> tuple[float, int]:
    r = chosen[i][0] if i in chosen else t.readings[0]
    return r[0], r[1]


def _read_main(s: _Scan, toks: list[tuple[int, Token]], clause: tuple[int, int, bool], chosen) -> _Main:
    """The main clause: comparator, sign, number, range or x/y, compound amounts, scale, unit, per year, bounds."""
    a, b, _ = clause
    lower, text = s.lower, s.text
    i0, t0 = toks[0]
    v0, d0 = _value_of(t0, chosen, i0)
    prefix = lower[a:t0.start]
    comp, approx = _comparator(prefix)
    m = _Main(v0, d0, approx=approx)
    negative = bool(_FALL.search(prefix)) and not _LEVEL_REACHED.search(prefix)
    if text[max(a, t0.start - 1):t0.start] == "-" and not re.search(r"\d\s*$", text[a:t0.start - 1]):
        negative = True
    nxt = toks[1] if len(toks) > 1 else None
    if nxt and comp == "from" and _transition(lower, t0, nxt, chosen, m):
        # "từ hơn 50% xuống còn 35%": the value is the level reached, positive even after "giảm"
        negative, comp = False, "="
        t0, toks = nxt[1], toks[1:]
        nxt = toks[1] if len(toks) > 1 else None
    between = lower[t0.end:nxt[1].start] if nxt else ""
    end = t0.end
    frac = re.fullmatch(r"\s*(?P<xu>[^\W\d_]+(?:\s[^\W\d_]+){0,2})?\s*/\s*", between) if nxt else None
    per_other = frac is not None and frac.group("xu") and _per_other_noun(s, frac.group("xu"), nxt[1])
    if per_other:  # "9 bác sĩ/10.000 dân", "250 giường/1 vạn dân": a rate per so many of something else
        m.unit, end, m.used = f"{frac.group('xu')}/{nxt[1].text} {per_other}", nxt[1].end, 2
        end = lower.index(per_other.split()[-1], end) + len(per_other.split()[-1])
    elif frac:
        end = _read_fraction(s, m, t0, toks, chosen, bool(frac.group("xu")), b)
    elif nxt and nxt[1].start < b and re.fullmatch(r"\s*%?\s*(?:(?:triệu|tỷ|tỉ|nghìn|ngàn|vạn)\s*)*(?:-|–|—|~|đến|tới)\s*",
                                                     between):  # "55 - 60", "9%-10%/năm"
        vh, dh = _value_of(nxt[1], chosen, nxt[0])  # a range: "55 - 60", "từ 96 đến 97%", "2,5 triệu - 3 triệu"
        m.high, m.used, end = vh, 2, nxt[1].end
        m.decimals = max(d0, dh)
        comp = "=" if comp == "from" else comp
    elif nxt and nxt[1].start < b and re.fullmatch(r"\s*(?:tỷ|tỉ|triệu|nghìn|ngàn)\s*", between):
        end = _read_compound(lower, m, t0, nxt, chosen) or end
    end = _read_unit(s, m, end, b)
    tail = re.sub(r"^\s*/\s*năm", "", lower[end:b])
    m.per_year = bool(re.match(r"\s*/\s*năm\b", lower[end:b])) or bool(_PER_YEAR.search(lower[a:b]))
    if _AT_LEAST_AFTER.match(tail) or (comp == "from" and "trở lên" in lower[a:b]):
        comp = ">="  # "3,5%/năm trở lên", "130 đảng viên mới trở lên"
    elif _AT_MOST_AFTER.match(tail):
        comp = "<="
    comp = "=" if comp == "from" else comp
    m.comparator = "=" if comp == "approx" else comp
    m.approx = m.approx or comp == "approx"
    if negative:
        m.value = -abs(m.value)
        m.high = None if m.high is None else -abs(m.high)
    return m


def _transition(lower: str, t0: Token, nxt: tuple[int, Token], chosen, m: _Main) -> bool:
    """"từ X (xuống còn | lên) Y": the value is Y, the level reached. True when the clause reads so."""
    between = lower[t0.end:nxt[1].start]
    words = re.sub(r"\bnăm\s+(?:19|20)\d\d\b", " ", between)  # "64,5% năm 2020 lên 70%"
    if not re.fullmatch(r"\s*(?:%|[^\W\d_]+)?\s*(?:lên|xuống|xuống còn|giảm còn|tăng lên|còn|giảm xuống còn|"
                        r"giảm xuống|lên mức|xuống mức)\s*(?:mức\s+|dưới\s+|trên\s+|khoảng\s+)?", words):
        return False
    m.value, m.decimals = _value_of(nxt[1], chosen, nxt[0])
    m.used, m.approx = 2, bool(_APPROX.search(between))
    return True


def _per_other_noun(s: _Scan, x_noun: str, y: Token) -> str | None:
    """The noun after y when it differs from x's ("bác sĩ" / "10.000 dân"): then x/y is a rate, not x of y."""
    after = re.match(r"\s*((?:vạn|nghìn|ngàn|triệu)\s+)?([^\W\d_]+(?:\s[^\W\d_]+)?)", s.lower[y.end:])
    if not after:
        return None
    noun = (after.group(1) or "") + after.group(2)
    a, b = fold_noun(x_noun), fold_noun(after.group(2))
    if a == b or b.startswith(a) or a.startswith(b) or b.split()[0] in _STOP_NOUNS:
        return None
    return noun.strip()


def fold_noun(text: str) -> str:
    return " ".join(re.findall(r"[^\W\d_]+", text.lower()))


def _read_fraction(s: _Scan, m: _Main, t0: Token, toks, chosen, unit_between: bool, b: int) -> int:
    """x/y: "24/27", "4.686,23ha/5.153,01ha", "279,3/492 tỷ đồng"; a printed share after it. Returns the end."""
    lower = s.lower
    nxt = toks[1]
    vy, _ = _value_of(nxt[1], chosen, nxt[0])
    m.numerator, m.denominator, m.used, end = m.value, vy, 2, nxt[1].end
    unit, uend, factor = _unit_at(lower, end)
    m.unit = unit or (_unit_at(lower, t0.end)[0] if unit_between else None)
    if m.unit is None:
        m.counted = _noun_after(s.text, lower, end)
    else:
        end = uend
    if factor != 1.0 and m.unit:
        m.scale = factor
    pct = [(i, t) for i, t in toks[2:] if lower[t.end:t.end + 2].lstrip().startswith("%") and t.start < b]
    if pct:  # "30/36 trường đạt 83,3%": the printed share
        m.share, m.share_decimals = _value_of(pct[0][1], chosen, pct[0][0])
        m.used += 1
    if vy and m.numerator > vy:
        m.review.append("x_over_y_not_share")
    return end


def _read_compound(lower: str, m: _Main, t0: Token, nxt: tuple[int, Token], chosen) -> int | None:
    """A compound amount, "153 tỷ 900 triệu đồng" or "6 nghìn 700 tỷ đồng", in the unit of its last part; the end,
    or None when the two numbers do not make one amount."""
    f0 = _unit_at(lower, t0.end)[2]
    f1_unit, _, f1 = _unit_at(lower, nxt[1].end)
    info = unit_info(f1_unit) if f1_unit else None
    f1 = f1 * (info[1] if info and info[2] in ("money", "usd") else 1.0)
    vx, dx = _value_of(nxt[1], chosen, nxt[0])
    if not (f0 > f1 or (f0 == 1000 and f1 >= 1e9)):  # "6 nghìn 700 tỷ" = 6.700 tỷ
        return None
    total = m.value * f0 + vx * f1 if f0 > f1 else (m.value * 1000 + vx) * f1
    m.value = total / f1
    m.decimals = max(m.decimals, dx) + (3 if f0 > f1 else 0)
    m.used = 2
    return nxt[1].end


def _read_unit(s: _Scan, m: _Main, end: int, b: int) -> int:
    """The unit after the number(s): scale words, a lexicon unit or the noun counted, and a per-unit suffix
    ("15,6 tiêu chí/xã", "triệu đồng/người/năm"). Returns where the unit ends."""
    if m.numerator is not None or m.unit:  # an x/y, or a rate already read ("9 bác sĩ/10.000 dân")
        return end
    lower = s.lower
    unit, uend, factor = _unit_at(lower, end)
    m.unit, m.scale = unit, factor
    end = uend if unit or factor != 1.0 else end
    if unit is None:
        m.counted = _noun_after(s.text, lower, end)
        if m.counted:
            end = lower.index(m.counted.split()[-1], end) + len(m.counted.split()[-1])
    per = re.match(r"/\s*(?!năm\b)([^\W\d_]+(?:\s(?!trở|lên|xuống|và|hoặc|trên|dưới)[^\W\d_]+)?)"
                   r"(?:\s*/\s*(năm))?", lower[end:b])
    if per and (m.unit or m.counted):
        suffix = "/" + per.group(1) + ("/năm" if per.group(2) else "")
        if m.unit:
            m.unit += suffix
        else:
            m.counted += suffix
        end += per.end()
    return end


def _secondary(s: _Scan, toks: list[tuple[int, Token]], clause, chosen, main: _Main | None):
    """Classify a clause after the main one: ('printed', pct, what) | ('change', Change) | ('verdict', words) |
    ('share', None) | ('breakdown', None) | ('unknown', None)."""
    a, b, in_brackets = clause
    piece = s.lower[a:b]
    if main is not None and main.numerator is not None and \
            re.fullmatch(r"\s*(?:đạt|bằng|chiếm)\s+(?:tỷ lệ\s+)?\d[\d.,]*\s*%\s*\.?\s*", piece):
        i, t = toks[0]  # "30/36 trường đạt 83,3%": the printed share of the x-of-y
        return "fraction_share", _value_of(t, chosen, i), None
    printed = _PRINTED.match(piece)
    if printed and not re.match(r"\s*(?:và\s+)?vượt\b", piece):
        i, t = toks[0]
        return "printed", _value_of(t, chosen, i)[0], printed.group("what")
    if re.match(r"\s*(?:và\s+)?vượt\b", piece):  # "vượt 5,3% kế hoạch": exceeded, by that much
        i, t = toks[0]
        v, _ = _value_of(t, chosen, i)
        unit = _unit_at(s.lower, t.end)[0]
        return "change", Change(v, unit, "vượt", piece[t.end - a:].strip(" .")), "exceeded"
    if _SHARE_OF_WHOLE.match(piece) and re.search(r"tổng|toàn|trong|cả nước|khu vực|vùng|gdp|grdp", piece):
        return "share", None, None
    if re.match(r"\s*(?:tương đương|tương ứng|quy đổi)\b", piece):  # the same amount in another unit
        return "equivalent", None, None
    if re.match(r"\s*(?:đạt\s+|chiếm\s+)?tỷ lệ\b", piece):  # "3 trường chuẩn, đạt tỷ lệ 50%": the share restated
        return "share", None, None
    if in_brackets and (re.match(r"\s*(?:cùng kỳ|năm trước|kỳ trước)\b", piece) or
                        re.fullmatch(r"\s*\d[\d.,]*\s*%?\s*", piece)):
        return "aside", None, None  # "(cùng kỳ tăng 7,15%)", "(6,1%)": a figure of another period, beside
    if in_brackets and re.match(r"\s*đạt\s+(?:gần\s+|khoảng\s+)?\d[\d.,]*\s*%\s*$", piece):
        i, t = toks[0]
        return "printed", _value_of(t, chosen, i)[0], ""
    change = _CHANGE.match(piece)
    if change:
        i, t = toks[0]
        v, _ = _value_of(t, chosen, i)
        verb = change.group("verb")
        unit, uend, factor = _unit_at(s.lower, t.end)
        if verb in ("giảm", "giảm thêm", "thấp hơn"):
            v = -abs(v)
        against = s.lower[uend:b].strip(" .")
        per_year = bool(re.search(r"/\s*năm|\bhằng năm|\bhàng năm|\bmỗi năm|\bbình quân", piece))
        return "change", Change(v * (factor if not unit or unit_info(unit) is None else 1.0), unit, verb, against,
                                s.text[a:b].strip(" ,;"), per_year), None
    if in_brackets and main is not None and main.numerator is not None:
        return "breakdown", None, None  # "46/57 (10 vượt + 22 đạt …)"
    if in_brackets and re.search(r"\bước\b", piece) and all(_YEAR.match(t.text) for _, t in toks):
        return "breakdown", None, None
    return "unknown", None, None


def _words_of(lower: str) -> str | None:
    for pattern, code in _WORDS:
        if pattern.search(lower):
            return code
    return None


def _prepare(raw: str):
    s = _scan(raw)
    return s


def _assemble(s: _Scan, chosen: dict[int, tuple], unit_hint: str | None, name: str | None) -> Quantity:
    """Read the scanned cell into a Quantity (chosen: the reading picked for each ambiguous token)."""
    review = list(s.review)
    guesses, against = [], False
    for reading, why, flipped, settled, by_evidence in chosen.values():
        guesses.append(why)
        against = against or flipped
        if not settled:
            review.append("separator_guessed")
        elif flipped and not by_evidence:
            review.append("against_convention")
    year_labels = tuple(sorted({y for _, _, y in s.labels if y is not None}))
    common = dict(raw=s.raw, footnotes=s.footnotes, year_labels=year_labels, estimate=bool(_ESTIMATE.search(s.lower)))
    if not s.tokens:
        return _without_number(s, review, unit_hint, common)
    indexed = list(enumerate(s.tokens))
    clauses = _clauses(s.text)
    per_clause = [[(i, t) for i, t in indexed if a <= t.start < b] for a, b, _ in clauses]
    main_at = next(k for k, toks in enumerate(per_clause) if toks)
    main = _read_main(s, per_clause[main_at], clauses[main_at], chosen)
    review += main.review
    if len(per_clause[main_at]) > main.used and \
            not all(_YEAR.match(t.text) for _, t in per_clause[main_at][main.used:]):
        review.append("several_numbers")
    beside = _beside(s, per_clause, clauses, main_at, chosen, main, review)
    common.update(values=tuple(_value_of(t, chosen, i)[0] for i, t in indexed), guesses=tuple(guesses),
                  against_convention=against, problems=tuple(s.problems), approx=main.approx, **beside)
    if main.numerator is not None:
        return _fraction(main, review, common)
    unit, value, high, unit_review = _resolve_unit(main, unit_hint, name)
    review += unit_review
    first = per_clause[main_at][0][0]
    alternatives: tuple[float, ...] = ()
    if first in chosen and value is not None and chosen[first][0][0]:
        picked = chosen[first][0][0]
        other = next(r[0] for r in s.tokens[first].readings if r[0] != picked)
        alternatives = (value * other / picked,)
        info = unit_info(unit)
        if chosen[first][0][2] == "thousands" and not chosen[first][4] and info and info[2] in ("money", "usd") \
                and abs(value) * info[1] >= _HUGE_MONEY[info[2]]:
            review.append("separator_guessed")  # "672.878 tỷ đồng": 672 nghìn tỷ — or 672,878 tỷ?
    if len(s.tokens) == 1 and _YEAR.match(s.tokens[0].text) and unit is None and not main.counted:
        review.append("year_or_count")
    lead = s.tokens[first]
    if re.search(r"[.,]000$", lead.text) and re.match(r"\s*(?:nghìn|ngàn)\b", s.lower[lead.end:]) and \
            not (unit_info(unit) and unit_info(unit)[2] in ("money", "usd")):
        review.append("scale_doubtful")  # "3.000 ngàn hộ": a thousand thousand households, or 3.000 written twice?
    unit = unit or main.counted  # a count's unit is what it counts ("3 xã", "130 đảng viên")
    return Quantity(status="number", value=value, decimals=main.decimals, comparator=main.comparator, unit=unit,
                    per_year=main.per_year or bool(unit and unit.endswith("/năm")), value_high=high,
                    counted=main.counted, review=tuple(dict.fromkeys(review)), alternatives=alternatives, **common)


def _without_number(s: _Scan, review: list[str], unit_hint: str | None, common: dict) -> Quantity:
    """A cell without a number: a placeholder (missing), words of a verdict, or unread."""
    words = _words_of(s.lower)
    if any(p in s.raw for p in PLACEHOLDERS) or not s.text:
        return Quantity(status="missing", problems=tuple(s.problems), unit=unit_hint, **common)
    if words is not None:
        return Quantity(status="words", words=words, problems=tuple(s.problems), **common)
    if common["year_labels"] and not s.problems:
        review.append("year_or_count")
    return Quantity(status="unread", problems=tuple(s.problems) or ("no number and no known words",),
                    review=tuple(dict.fromkeys(review + ["unread"])), **common)


def _beside(s: _Scan, per_clause, clauses, main_at: int, chosen, main: _Main, review: list[str]) -> dict:
    """What the other clauses say beside the value: changes, a printed ratio, verdict words (doubts to review)."""
    changes, printed, printed_what, verdict_words = [], None, "", None
    for k, toks in enumerate(per_clause):
        if k == main_at or not toks:
            continue
        kind, payload, extra = _secondary(s, toks, clauses[k], chosen, main)
        if kind == "printed":
            printed, printed_what = payload, extra
        elif kind == "fraction_share":
            main.share, main.share_decimals = payload
        elif kind == "change":
            changes.append(payload)
            verdict_words = extra or verdict_words
        elif kind == "unknown":
            review.append("several_numbers")  # equivalent, share, aside, breakdown: beside the value, no doubt
    tail_words = _words_of(" ".join(s.lower[a:b] for k, (a, b, _) in enumerate(clauses) if k != main_at))
    verdict_words = verdict_words or (tail_words if tail_words in ("exceeded", "not_met") else None)
    return {"changes": tuple(changes), "printed_pct": printed, "printed_against": printed_what, "words": verdict_words}


def _fraction(main: _Main, review: list[str], common: dict) -> Quantity:
    """An x-of-y: the share (printed, or x/y × 100), the parts, and what they count."""
    share = main.share if main.share is not None else (main.numerator / main.denominator * 100
                                                       if main.denominator else None)
    if share is None:
        review.append("unread")
        common = {**common, "problems": common["problems"] + ("x/y with y = 0",)}
        return Quantity(status="unread", review=tuple(dict.fromkeys(review)),
                        **{k: v for k, v in common.items() if k not in ("approx", "changes", "printed_pct",
                                                                         "printed_against", "words")})
    return Quantity(status="fraction", value=share, decimals=main.share_decimals if main.share is not None else 2,
                    comparator=main.comparator, unit="%", per_year=main.per_year, numerator=main.numerator,
                    denominator=main.denominator, counted=main.unit or main.counted,
                    review=tuple(dict.fromkeys(review)), **common)


def _resolve_unit(main: _Main, hint: str | None, name: str | None) -> tuple[str | None, float, float | None, list]:
    """The unit of a plain number and its value in that unit: the cell's own unit, else the hint (a unit column,
    the indicator's unit), else a money unit when scale words say so. Scale words fold into the value except for
    money, which keeps its unit (1.034 tỷ đồng); the unit is flagged when it had to be assumed."""
    value, high, review = main.value, main.high, []
    unit, factor = main.unit, main.scale

    def scaled(x, f):
        return None if x is None else x * f

    info = unit_info(unit)
    if unit is not None:
        if factor != 1.0 and info and info[2] not in ("money", "usd"):
            return unit, scaled(value, factor), scaled(high, factor), review  # "14 nghìn tấn"
        if factor != 1.0 and info:  # "1,2 nghìn tỷ" read as the unit already; a leftover scale multiplies
            return unit, scaled(value, factor), scaled(high, factor), review
        return unit, value, high, review
    hint_info = unit_info(hint)
    if hint and main.counted and main.counted.split("/")[0] not in hint.lower():
        review.append("unit_differs")  # "3 xã" under a "%" column: the cell's own noun, and a look
        return main.counted, scaled(value, factor), scaled(high, factor), review
    if hint:
        if factor != 1.0 and hint_info and hint_info[2] in ("money", "usd"):
            f = factor / hint_info[1]  # "55 triệu" in triệu đồng → 55; "1,2 nghìn tỷ" in tỷ đồng → 1.200
            return hint, scaled(value, f), scaled(high, f), review
        words = hint.strip().lower().split()
        hint_scale = _scales().get(words[0], 1.0) if len(words) > 1 and factor != 1.0 and not hint_info else 1.0
        # "7,2 triệu viên" in "triệu viên" → 7,2; "14 nghìn" in "tấn" → 14.000
        return hint, scaled(value, factor / hint_scale), scaled(high, factor / hint_scale), review
    if factor != 1.0:
        money = bool(name and _MONEY_CUES.search(name.lower()))
        if factor >= 1e9 or money:  # "1.034 tỷ" is money in these documents; "55 triệu" only with a money cue
            canon = _money_unit(factor, "money")
            if canon:
                if not money:
                    review.append("unit_assumed")
                return canon, value, high, review
        if main.counted:
            return None, scaled(value, factor), scaled(high, factor), review
        review.append("unit_assumed")
        return None, scaled(value, factor), scaled(high, factor), review
    return None, value, high, review


def _cell_unit(s: _Scan) -> str | None:
    """The unit of a cell's first number, for choosing separators: a lexicon unit, or the noun it counts."""
    if not s.tokens:
        return None
    unit, end, factor = _unit_at(s.lower, s.tokens[0].end)
    if factor != 1.0:  # "114,465 nghìn con": the printed number before a scale word may be a decimal
        return None
    if unit:
        return unit.lower()
    noun = _noun_after(s.text, s.lower, s.tokens[0].end)
    return noun.split("/")[0] if noun else None


def parse(raw: str, *, unit: str | None = None, context: tuple[float, ...] | list[float] = (),
          name: str | None = None) -> Quantity:
    """Parse one cell. ``unit``: the unit the cell is written in when the cell does not say (a unit column, the
    indicator's unit). ``context``: other numbers of the row. ``name``: the indicator's name (money cues)."""
    s = _scan(raw)
    row_unit = unit.split("/")[0].strip().lower() if unit else None
    chosen = {ti: v for (ci, ti), v in _choose([s.tokens], [_cell_unit(s), row_unit], tuple(context)).items()}
    return _assemble(s, chosen, unit, name)


def parse_row(cells: list[str] | tuple[str, ...], *, unit: str | None = None,
              name: str | None = None) -> list[Quantity]:
    """Parse the cells of one table row together, so that ambiguous separators are read consistently."""
    scans = [_scan(c) for c in cells]
    units = [_cell_unit(sc) for sc in scans]
    units.append(unit.split("/")[0].strip().lower() if unit else None)
    chosen = _choose([sc.tokens for sc in scans], units, ())
    out = []
    for ci, sc in enumerate(scans):
        mine = {ti: v for (c, ti), v in chosen.items() if c == ci}
        out.append(_assemble(sc, mine, unit, name))
    return out
