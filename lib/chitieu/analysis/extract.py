"""Propose every target and result a document states: ``chitieu extract``.

A *proposal* is one number the document states about the locality, read as a record of the long table: the
indicator's name as written, a catalogue code (only on an exact name match), value, unit, comparator, kind, period,
status (``target`` / ``actual`` / ``estimate``), the raw fragment, the source (``file:line`` or ``file:page:line``)
and a confidence with the reasons for any doubt. Conflicting statements of one indicator are all kept and flagged.

How a sentence is read (the rules, in order):

1. **Lines → paragraphs → sentences → clauses** (:mod:`chitieu.io.sentences`). Tab-separated blocks with a header
   are tables and go through the importer's table parser (:func:`chitieu.io.tableparse.parse_table`).
2. **Quantities**: a number (read by the cell grammar :func:`chitieu.io.quantity.parse`, which decides ``2.815`` vs
   ``17,504`` and records any guess) followed by a unit this module knows: scale words (``nghìn``, ``vạn``,
   ``triệu``, ``tỷ``) multiplied out into base units, money, ``%``, areas, weights, ``lần`` and the counted nouns
   of these reports (hộ, người, xã, thôn, trường, doanh nghiệp, chỉ tiêu …); ranges (``8-10%``, ``từ 4.200 đến
   4.400 USD``), x-of-y (``29/30 chỉ tiêu``, ``70 trường/76 trường``), ``gấp đôi``. A number without such a unit is
   not proposed (dates, years, document numbers, ordinals, ages, delegates …).
3. **Role** from the words around it: an achievement ratio (``đạt 141% NQĐH``, ``đạt 103% chỉ tiêu giao``), a
   change (``tăng 25,7 triệu đồng so với năm 2020``, ``giảm 12,8% so với đầu nhiệm kỳ``: a fall is negative), a
   multiple (``gấp 1,5 lần``), a growth rate (``tăng bình quân 12%/năm``), or a value. Congress logistics are left
   out (delegates, party members present, the size of the new committee, counts of tasks and breakthroughs).
4. **Status**: the nearest cue before the number in its sentence (``phấn đấu``, ``mục tiêu``, ``chỉ tiêu …:``, a
   future year → target; ``nhiệm kỳ qua``, ``đã``, ``đến nay``, a past year → result; ``ước`` → estimate), else
   the state carried from the sentences before, else the section (headings such as *Các chỉ tiêu chủ yếu*,
   *Phương hướng* → target; *Kết quả* → result).
5. **Period**: the year or span the clause states (``năm 2025``, ``giai đoạn 2016-2020``, ``(năm 2024)``,
   ``vào năm 2030``), else the congress term's default: a target's level in the term's last year, its rates and
   totals over the term (``2026-2030``); a result's level in the congress year, its rates and totals over the term
   that ends (``2021-2025``).
6. **Name**: the subject before the verb (``Thu nhập bình quân đầu người năm 2025 ước đạt …`` → *Thu nhập bình quân
   đầu người*), carried to the numbers of the same sentence that have none (``…, tăng 25,7 triệu đồng so với năm
   2020`` → *… (tăng so với năm 2020)*).

Confidence starts at 0.95 and drops for each doubt (a separator guessed against the convention, no name of its
own, a status or period taken from context, OCR text, a conflicting statement …); a proposal below
:data:`ACCEPT` goes to review instead of ``data/``.

>>> ex = extract_lines(["Thu nhập bình quân đầu người năm 2025 ước đạt 81,8 triệu đồng, tăng 25,7 triệu đồng "
...                     "so với năm 2020."], name="x.txt", term=(2025, 2030))
>>> [(p.status, p.period, p.base_value, p.base_unit) for p in ex.proposals]
[('estimate', '2025', 81800000.0, 'đồng'), ('estimate', '2025', 25700000.0, 'đồng')]
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import pandas as pd

from chitieu.errors import InputError
from chitieu.io.documents import DocumentText, read_document
from chitieu.io.quantity import parse
from chitieu.io.sentences import clauses as split_clauses
from chitieu.io.sentences import paragraphs, split_outside_parentheses, tab_blocks
from chitieu.io.text import clean_cell, fold

__all__ = ["Proposal", "Extraction", "extract_document", "extract_text", "extract_lines", "PROPOSAL_COLUMNS", "ACCEPT",
           "ascii_fold", "PROPOSAL_STATUS_VI", "PROPOSAL_KIND_VI"]

#: proposals at or above this confidence are written into data/ by ``--write``; the others go to review
ACCEPT = 0.7

PROPOSAL_COLUMNS = ["indicator_name", "catalogue_code", "status", "period", "value", "value_high", "unit", "comparator",
               "kind", "per_year", "numerator", "denominator", "base_value", "base_value_high", "base_unit", "raw",
               "source", "confidence", "accepted", "conflict", "why"]
PROPOSAL_STATUS_VI = {"target": "chỉ tiêu", "actual": "thực hiện", "estimate": "ước thực hiện"}
PROPOSAL_KIND_VI = {"level": "giá trị", "share": "tỷ lệ", "rate_per_year": "tốc độ tăng/năm", "reduction_per_year":
           "mức giảm/năm", "rate": "tốc độ tăng", "change": "tăng/giảm so với", "multiple": "gấp … lần",
           "ratio": "tỷ lệ đạt so với NQ/kế hoạch", "x_of_y": "x/y", "cumulative": "tổng cả giai đoạn"}


# --------------------------------------------------------------------------------------------
# Folding: the same text, lower case (and without diacritics for OCR text), same length
# --------------------------------------------------------------------------------------------

def _ascii_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", c)[0]
    low = base.lower()
    return low if len(low) == 1 else base


_ASCII_TABLE = {cp: _ascii_char(chr(cp)) for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250))
                + list(range(0x1E00, 0x1F00)) if len(_ascii_char(chr(cp))) == 1}


def ascii_fold(text: str) -> str:
    """Lower case without diacritics, one character for one (positions stay the same).

    >>> ascii_fold("Đạt 2.815 ha")
    'dat 2.815 ha'
    """
    return text.translate(_ASCII_TABLE)


def _strip_marks(pattern: str) -> str:
    """A regular expression without diacritics (case kept: '(?P<unit>' stays a group)."""
    return "".join("d" if c == "đ" else "D" if c == "Đ" else unicodedata.normalize("NFD", c)[0] for c in pattern)


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)




class _Folder:
    """Cue matching on lower-case text, or on ascii-folded text for OCR-damaged documents (diacritics lost)."""

    def __init__(self, ascii_mode: bool):
        self.ascii = ascii_mode
        self._cache: dict[str, re.Pattern] = {}

    def low(self, text: str) -> str:
        return ascii_fold(text) if self.ascii else _lower(text)

    def re(self, pattern: str) -> re.Pattern:
        p = self._cache.get(pattern)
        if p is None:
            p = re.compile(_strip_marks(pattern) if self.ascii else pattern)
            self._cache[pattern] = p
        return p


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

_SCALES = [("nghìn tỷ", 1e12), ("ngàn tỷ", 1e12), ("nghìn tỉ", 1e12), ("ngàn tỉ", 1e12), ("tỷ", 1e9), ("tỉ", 1e9),
           ("triệu", 1e6), ("vạn", 1e4), ("nghìn", 1e3), ("ngàn", 1e3)]
# (as written, canonical unit, base unit, factor); longest first when compiled
_UNITS: list[tuple[str, str, str, float]] = [
    ("đồng", "đồng", "đồng", 1), ("usd", "USD", "USD", 1), ("đô la", "USD", "USD", 1),
    ("%", "%", "%", 1), ("phần trăm", "%", "%", 1),
    ("ha", "ha", "ha", 1), ("hécta", "ha", "ha", 1), ("héc-ta", "ha", "ha", 1), ("hecta", "ha", "ha", 1),
    ("km2", "km2", "km2", 1), ("km²", "km2", "km2", 1), ("km", "km", "km", 1), ("m2", "m2", "m2", 1),
    ("m²", "m2", "m2", 1), ("m3", "m3", "m3", 1), ("m³", "m3", "m3", 1), ("tấn", "tấn", "tấn", 1),
    ("tạ", "tạ", "tạ", 1), ("kg", "kg", "kg", 1), ("lít", "lít", "lít", 1), ("kwh", "kWh", "kWh", 1),
    ("mw", "MW", "MW", 1), ("lần", "lần", "lần", 1), ("điểm", "điểm", "điểm", 1), ("bậc", "bậc", "bậc", 1),
]
_COUNTED = [
    "lượt người", "lượt khách", "lượt lao động", "lượt", "lao động", "hộ gia đình", "hộ dân", "hộ nghèo",
    "hộ cận nghèo", "hộ", "người", "nhân khẩu", "khách", "xã", "phường", "thị trấn", "thôn", "bản", "tổ dân phố",
    "khu phố", "khu dân cư", "làng nghề", "làng", "trường", "phòng học", "lớp", "doanh nghiệp", "hợp tác xã", "htx",
    "tổ hợp tác", "sản phẩm", "công trình", "dự án", "chỉ tiêu", "tiêu chí", "đảng viên", "chi bộ", "tổ chức",
    "mô hình", "cán bộ", "công chức", "hội viên", "đoàn viên", "con", "cây", "cơ sở", "chợ", "siêu thị",
    "cửa hàng", "nhà văn hóa", "nhà văn hoá", "căn nhà", "ngôi nhà", "nhà", "căn", "di tích", "tài khoản",
    "thuê bao", "học sinh", "sinh viên", "trẻ", "giường bệnh", "giường", "bác sĩ", "bác sỹ", "việc làm",
    "đối tượng", "hồ sơ", "thủ tục", "tuyến", "cầu", "trạm", "điểm", "vụ", "gia đình", "giáo viên", "thửa",
    "tàu", "xe", "máy", "nhà máy", "cụm công nghiệp", "khu công nghiệp", "huy chương", "bể", "giếng",
    "hồ", "đập", "kênh", "công", "tổ", "câu lạc bộ", "đội", "chương trình", "đề án", "mô hình",
]
_PER = r"(?:\s*/\s*(?:1\s*)?(?:năm|người|ha|tháng|hộ|vạn dân|nghìn dân|1\.000 dân|km2|lao động|xã|trường|con|lượt))"
_TRAIL = r"(?=$|[\s,.;:)(\-–—/+…\]\"'”’»]|[⁰¹²³⁴⁵⁶⁷⁸⁹])"  # a unit ends at a space or a punctuation mark


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_UNIT_RE_SRC = (r"\s*(?P<scale>(?:" + _alternation(s for s, _ in _SCALES) + r")(?![^\W\d_]))?\s*(?P<unit>(?:"
                + _alternation([u[0] for u in _UNITS if u[0] != "%"] + _COUNTED) + r")" + _TRAIL + r"|%)?")

_SCALE_OF = {s: f for s, f in _SCALES}
_PER_ASCII = re.compile("(?:" + "".join(_ascii_char(c) for c in _PER) + ")*")
_UNIT_OF = {u[0]: u for u in _UNITS}

# counts that describe the congress or the organisation, not a result (left out unless a result verb says so)
_ORG_UNITS = {"đảng viên", "chi bộ", "tổ chức", "đảng bộ", "hội viên", "đoàn viên", "cán bộ", "công chức",
              "chương trình", "đề án"}
_DESCRIPTION = r"diện tích tự nhiên|quy mô dân số|dân số|nhân khẩu|sáp nhập|được thành lập trên cơ sở"


# --------------------------------------------------------------------------------------------
# Cues (Vietnamese; folded to ascii for OCR text)
# --------------------------------------------------------------------------------------------

_TARGET_CUE = (r"phấn đấu|đặt mục tiêu|đặt ra mục tiêu|các mục tiêu|mục tiêu(?! (?:nghị quyết|nq|đề ra|đại hội|"
               r"quốc gia|kế hoạch))(?:\s+(?:đến|là|cụ thể|chủ yếu|tổng quát|phát triển|đề ra|mới|:))|"
               r"(?:các|những|với các) chỉ tiêu (?:chủ yếu|cụ thể|sau|phát triển (?:kinh tế[^.;:]{0,30})?(?:giai đoạn|"
               r"nhiệm kỳ|đến)|:)|chỉ tiêu (?:chủ yếu|cụ thể)|(?:với|gồm) (?:các|\d+) chỉ tiêu|"
               r"đề ra (?:các |những |\d+ )?(?:mục tiêu|chỉ tiêu|phương hướng|nhiệm vụ|kế hoạch)|đề ra:|"
               r"xác định (?:mục tiêu|chỉ tiêu|\d)|định hướng (?:đến|phát triển|giai đoạn|nhiệm kỳ)|hướng tới|"
               r"nhiệm kỳ (?:tới|mới)|giai đoạn tới|năm tới|\bsẽ\b|thông qua (?:nghị quyết|các chỉ tiêu)|"
               r"(?:đến|vào) năm 20[3-9]\d|đến 20[3-9]\d|tầm nhìn|kế hoạch (?:giai đoạn|5 năm|năm năm) 202[5-9]")
_RESULT_CUE = (r"nhiệm kỳ (?:qua|vừa qua|trước)|\d+ năm qua|qua \d+ năm|năm năm qua|những năm qua|"
               r"trong nhiệm kỳ(?! (?:tới|mới|20\d\d\s*[-–]\s*20[3-9]\d))|(?<!sẽ )\bđã\b|đạt được|kết quả|"
               r"(?<!so với )(?<!gấp đôi )(?:đến nay|hiện nay|hiện tại)|đến thời điểm|nổi bật|"
               r"so với (?:năm 20[01]\d|đầu nhiệm kỳ|đầu kỳ|cách đây)")
_WEAK_RESULT = r"trong nhiệm kỳ|kết quả|nổi bật|hiện nay|hiện tại|đến thời điểm"
_ESTIMATE_CUE = r"\bước\b|dự kiến|dự ước|ước tính"
_TARGET_HEAD = (r"chỉ tiêu chủ yếu|các chỉ tiêu|mục tiêu(?!\s+qu\w*c gia)|phương hướng|phần thứ hai|^\W*định hướng|"
                r"nhiệm vụ,? giải pháp|"
                r"nhiệm vụ trọng tâm|nhiệm kỳ 20\d\d\s*[-–]\s*20[3-9]\d")
_RESULT_HEAD = (r"kết quả|đánh giá|tình hình thực hiện|phần thứ nhất|biểu kết quả|hạn chế|bài học|nguyên nhân|"
                r"bối cảnh")

_VERBS = (r"ước đạt|ước thực hiện|ước tính|dự kiến đạt|dự kiến|đạt được|đạt|là|còn|xuống còn|xuống|lên|tăng lên|đã|"
          r"giảm còn|giảm xuống còn|giảm xuống|giảm|tăng|chiếm|bằng|gấp|vượt|có|với|hoàn thành|huy động|được")
_CONTEXT_LEAD = (r"^(?:[-–•+*]\s*|\(\d+\)\s*|\d+[.)]\s+|[a-zđ][.)]\s+)*(?:(?:nhiệm kỳ (?:qua|vừa qua)|trong nhiệm kỳ(?: qua)?|"
                 r"nổi bật là|đặc biệt(?: là)?|theo đó|trong đó(?: có)?|còn lại|ngoài ra|bên cạnh đó|cụ thể|"
                 r"phấn đấu(?: đến (?:hết |cuối )?năm \d{4})?|đến (?:hết |cuối )?năm \d{4}|năm \d{4}|đến nay|hiện nay|"
                 r"hiện tại|giai đoạn \d{4}\s*[-–]\s*\d{4}|nhiệm kỳ \d{4}\s*[-–]\s*\d{4}|trong \d+ năm(?: qua)?|"
                 r"\d+ năm qua|tính đến năm \d{4}|và|với|các|những)\s*[,:]?\s*)+")


@dataclass
class _Quantity:
    start: int
    end: int  # end of the number, its unit and its per-suffix
    token: str
    value: float
    decimals: int
    guesses: tuple[str, ...]
    against_convention: bool
    alternatives: tuple[float, ...]
    unit: str  # canonical unit as written, with scale and per ('triệu đồng/người/năm', '%', 'hộ')
    base_unit: str
    factor: float
    per: str
    high: float | None = None
    high_token: str = ""
    numerator: float | None = None
    denominator: float | None = None
    comparator: str = "="
    negative: bool = False
    kind: str = "level"
    role: str = "value"  # value | change | multiple | ratio | skip
    reference: str = ""  # what a ratio or a change compares with
    tail_end: int = 0  # end of the phrase that belongs to it ('so với năm 2020', 'NQĐH', 'trở lên')
    printed_share: float | None = None  # 'x/y …, đạt z%': the z printed beside an x/y
    share_end: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Proposal:
    indicator_name: str
    status: str
    period: str
    value: float | None
    unit: str
    comparator: str
    kind: str
    raw: str
    source: str
    line: int  # 1-based line of the document
    confidence: float
    value_high: float | None = None
    per_year: bool = False
    numerator: float | None = None
    denominator: float | None = None
    base_value: float | None = None
    base_value_high: float | None = None
    base_unit: str = ""
    catalogue_code: str = ""
    why: list[str] = field(default_factory=list)
    conflict: str = ""
    alternatives: list[float] = field(default_factory=list)
    origin: str = "text"  # text | table
    reference: str = ""  # for ratios and changes: what is compared with

    @property
    def accepted(self) -> bool:
        return self.confidence >= ACCEPT and not self.conflict

    def as_row(self) -> dict:
        return {"indicator_name": self.indicator_name, "catalogue_code": self.catalogue_code, "status": self.status,
                "period": self.period, "value": self.value, "value_high": self.value_high, "unit": self.unit,
                "comparator": self.comparator, "kind": self.kind, "per_year": int(self.per_year),
                "numerator": self.numerator, "denominator": self.denominator, "base_value": self.base_value,
                "base_value_high": self.base_value_high, "base_unit": self.base_unit, "raw": self.raw,
                "source": self.source, "confidence": round(self.confidence, 2), "accepted": int(self.accepted),
                "conflict": self.conflict, "why": "; ".join(self.why)}


@dataclass
class Extraction:
    document: DocumentText
    proposals: list[Proposal]
    term: tuple[int, int]  # the congress term (start, end): 2025, 2030 for a 2025 congress
    notes: list[str] = field(default_factory=list)
    tables: list = field(default_factory=list)  # ParsedTable of each table found

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.as_row() for p in self.proposals], columns=PROPOSAL_COLUMNS)

    def counts(self) -> dict[str, int]:
        out = {"target": 0, "actual": 0, "estimate": 0}
        for p in self.proposals:
            out[p.status] = out.get(p.status, 0) + 1
        return out


# --------------------------------------------------------------------------------------------
# Reading numbers and their units
# --------------------------------------------------------------------------------------------

_NUM = re.compile(r"(?<![\w.,⁰¹²³⁴⁵⁶⁷⁸⁹])(\d+(?:[.,]\d+)*)(?![\d])")
_YEAR_TOKEN = re.compile(r"(?:19[5-9]\d|20[0-4]\d)$")


class _UnitMatch:
    """The unit after a number: scale word, unit word, and the '/người/năm' suffix (read on ascii text, so that
    'đồng/nguời/năm' with a misplaced mark reads too)."""

    def __init__(self, m: re.Match, per: str, end: int):
        self._m, self._per, self._end = m, per, end

    def group(self, name: str):
        return self._per if name == "per" else self._m.group(name)

    def end(self) -> int:
        return self._end


def _unit_match(fd: _Folder, low: str, pos: int, asc: str | None = None) -> _UnitMatch:
    m = fd.re(_UNIT_RE_SRC).match(low, pos)
    end = m.end() if (m.group("unit") or m.group("scale")) else pos
    asc = asc if asc is not None else ascii_fold(low)
    pm = _PER_ASCII.match(asc, end) if (m.group("unit") or m.group("scale")) else None
    per = pm.group(0) if pm and pm.group(0) else ""
    return _UnitMatch(m, per, end + len(per))


_CANONICAL: dict[bool, dict[str, tuple[str, str, float]]] = {}
_SCALE_NAMES: dict[bool, dict[str, tuple[str, float]]] = {}
for _mode in (False, True):
    _f = ascii_fold if _mode else _lower
    _CANONICAL[_mode] = {}
    for _c in reversed(_COUNTED):
        _CANONICAL[_mode][_f(_c)] = (_c, _c, 1.0)
    for _u in reversed(_UNITS):
        _CANONICAL[_mode][_f(_u[0])] = (_u[1], _u[2], _u[3])
    _SCALE_NAMES[_mode] = {_f(_s): (_s, _v) for _s, _v in reversed(_SCALES)}


def _canonical(unit_written: str, fd: _Folder) -> tuple[str, str, float]:
    """(canonical unit, base unit, factor) of a unit word as matched (folded)."""
    return _CANONICAL[fd.ascii].get(unit_written, (unit_written, unit_written, 1.0))


def _scale_factor(scale_written: str, fd: _Folder) -> tuple[str, float]:
    return _SCALE_NAMES[fd.ascii].get(scale_written, (scale_written, 1.0))


@lru_cache(maxsize=8192)
def _read_value(token: str, unit_hint: str | None) -> tuple[float, int, tuple[str, ...], bool, tuple[float, ...]] | None:
    q = parse(token, unit=unit_hint)
    if q.value is None:
        return None
    alternatives: tuple[float, ...] = ()
    if q.guesses:
        # the other reading of an ambiguous separator: '17,504' → 17.504 or 17504
        digits = token.replace(".", "").replace(",", "")
        sep = "," if "," in token else "."
        if token.count(sep) == 1 and len(token.split(sep)[1]) == 3:
            a, b = float(digits), float(token.replace(".", "").replace(",", ".") if sep == "," else
                                        token.replace(",", ""))
            other = float(token.replace(sep, ".")) if q.value == a else a
            alternatives = (other,) if other != q.value else (b,)
    return float(q.value), q.decimals, tuple(q.guesses), bool(q.against_convention), alternatives


@dataclass
class _Written:
    """The unit written after a number: unit word, scale word, '/người/năm' suffix, and where it ends."""

    unit: str
    scale: str
    per: str
    end: int


def _written_after(fd: _Folder, low: str, asc: str, pos: int) -> _Written:
    um = _unit_match(fd, low, pos, asc)
    unit, scale, per = (um.group("unit") or ""), (um.group("scale") or ""), (um.group("per") or "")
    return _Written(unit, scale, per, um.end() if (unit or scale) else pos)


def _range_after(fd, low, asc, tokens, i, token, w: _Written) -> tuple[str, _Written]:
    """The upper end of a range after the number (8-10%, 9%-10%/năm, 75.000 - 80.000 tỉ đồng, từ 4.200 đến 4.400
    USD): its token and the unit written after it; ('', w) when there is none."""
    if i >= len(tokens) or _YEAR_TOKEN.match(token):
        return "", w
    nxt = tokens[i]
    if not re.fullmatch(r"\s*(?:-|–|—|đến|tới|den|toi)\s*", low[w.end:nxt.start(1)]):
        return "", w
    h = _written_after(fd, low, asc, nxt.end(1))
    if (h.unit or h.scale) and (not w.unit or w.unit == h.unit) and (not w.scale or w.scale == h.scale):
        return nxt.group(1), _Written(h.unit, h.scale, h.per or w.per, h.end)
    return "", w


def _fraction_after(fd, text, low, asc, s, e, token, w: _Written) -> tuple[str | None, str | None, _Written, bool]:
    """x/y after the number (29/30 chỉ tiêu, 70 trường/76 trường, 4.686,23ha/5.153,01ha): (x, y, unit, is a date or a
    document number to skip). '250 giường/1 vạn dân' is a rate, not an x/y."""
    start = w.end if w.unit else e
    fm = re.match(r"\s*/\s*(\d+(?:[.,]\d+)*)", text[start:])
    if not fm:
        return None, None, w, False
    y_end = start + fm.end(1)
    y = _written_after(fd, low, asc, y_end)
    per_one = fm.group(1) == "1" and y.unit != w.unit
    date_like = re.search(r"(?:ngày|sáng|chiều|tối|trưa|đêm|hôm|ngay|sang|chieu|toi)\s*$", low[max(0, s - 12):s])
    if not per_one and not date_like and (y.unit or w.unit) and (not w.unit or not y.unit or w.unit == y.unit):
        return token, fm.group(1), _Written(w.unit or y.unit, w.scale or y.scale, y.per or w.per,
                                            y.end if y.unit else y_end), False
    return None, None, w, (not per_one and not w.unit)


def _make_quantity(fd, text, s, e, token, w: _Written) -> _Quantity | None:
    canonical, base_unit, unit_factor = _canonical(w.unit, fd) if w.unit else ("đồng", "đồng", 1.0)
    scale_name, scale_factor = _scale_factor(w.scale, fd) if w.scale else ("", 1.0)
    hint = "%" if canonical == "%" else (canonical if canonical in ("ha", "tấn", "km") else None)
    read = _read_value(token, hint)
    if read is None:
        return None
    value, decimals, guesses, against, alts = read
    per_norm = re.sub(r"\s+", "", w.per).replace("/1vạndân", "/vạn dân").replace("/vạndân", "/vạn dân")
    unit = (f"{scale_name} {canonical}".strip() if scale_name else canonical) + (
        "" if not per_norm else _per_written(text[w.end - len(w.per):w.end] if w.per else ""))
    return _Quantity(s, w.end, token, value, decimals, guesses, against, alts, unit, base_unit,
                     scale_factor * unit_factor, per_norm)


def _quantities(text: str, low: str, fd: _Folder) -> list[_Quantity]:
    """Every number of ``text`` that has a known unit (or is an x/y with one), with ranges and x/y joined."""
    tokens = [m for m in _NUM.finditer(text)]
    asc = ascii_fold(text)
    out: list[_Quantity] = []
    skip_until = -1
    for i, m in enumerate(tokens, start=1):
        s, e, token = m.start(1), m.end(1), m.group(1)
        if s < skip_until or (s > 0 and text[s - 1].isalpha()):
            continue  # inside the previous quantity; QL279, 'v6i'
        w = _written_after(fd, low, asc, e)
        high_token, w = _range_after(fd, low, asc, tokens, i, token, w)
        num_tok = den_tok = None
        if not high_token:
            num_tok, den_tok, w, skip = _fraction_after(fd, text, low, asc, s, e, token, w)
            if skip:
                continue  # a date or a document number (303/2022)
        if not w.unit and (not w.scale or fd.ascii):
            continue  # nothing known after it (OCR text: 'ti', 'ty' alone are not sure to be tỉ, tỷ)
        if _YEAR_TOKEN.match(token) and not num_tok and w.unit != "%" and not high_token and \
                re.search(r"(?:năm|nam|kỳ|ky|đoạn|doan|đến|den|từ|tu)\s*$", low[max(0, s - 8):s]):
            continue
        q = _make_quantity(fd, text, s, e, token, w)
        if q is None:
            continue
        if high_token:
            h = _read_value(high_token, "%" if q.base_unit == "%" else None)
            if h is not None and h[0] >= q.value:  # '2-2,5%' is a range; '10-8' is not
                q.high, q.high_token = h[0], high_token
        if num_tok is not None:
            x, y = _read_value(num_tok, None), _read_value(den_tok, None)
            if x is None or y is None or y[0] == 0:
                continue
            q.numerator, q.denominator, q.kind = x[0], y[0], "x_of_y"
        skip_until = q.end
        out.append(q)
    _with_context(out)
    _join_shares(out, text)
    out += _multiples_in_words(text, low, fd)
    return sorted(out, key=lambda q: q.start)


def _multiples_in_words(text: str, low: str, fd: _Folder) -> list[_Quantity]:
    """gấp đôi / gấp ba / tăng gấp hai: a multiple in words."""
    out = []
    for m in fd.re(r"\bgấp (đôi|hai|ba|bốn)\b").finditer(low):
        n = {"đôi": 2, "hai": 2, "ba": 3, "bốn": 4, "doi": 2, "bon": 4}.get(m.group(1), 2)
        out.append(_Quantity(m.start(), m.end(), text[m.start():m.end()], float(n), 0, (), False, (), "lần", "lần",
                             1.0, "", kind="multiple", role="multiple"))
    return out


def _with_context(qs: list[_Quantity]) -> None:
    """Read an ambiguous separator again with the other numbers of the paragraph in the same unit as context
    ('năm 2023: 6,950 tỷ' among '2,402 tỷ', '3,136 tỷ' … is 6,95, not 6 950)."""
    for q in qs:
        if not q.guesses or q.numerator is not None:
            continue
        ctx = tuple(o.value for o in qs if o is not q and o.base_unit == q.base_unit and o.factor == q.factor)
        if len(ctx) < 2:
            continue
        hint = "%" if q.unit == "%" else None
        again = parse(q.token, unit=hint, context=ctx)
        if again.value is not None and again.value != q.value and not again.against_convention:
            q.notes.append(f"'{q.token}' đọc là {again.value:g} (không phải {q.value:g}) theo các số cùng đơn vị "
                           "trong đoạn")
            q.alternatives = (q.value,)
            q.value, q.decimals, q.guesses = float(again.value), again.decimals, tuple(again.guesses)
            q.against_convention = bool(again.against_convention)


def _join_shares(qs: list[_Quantity], text: str) -> None:
    """'x/y …, đạt z%' states one share: the z joins its x/y (and is not proposed again) when x/y rounds to it."""
    for i, q in enumerate(qs):
        if q.numerator is None:
            continue
        prev = qs[i - 1] if i > 0 else None
        if prev is not None and prev.base_unit == "%" and prev.numerator is None and prev.role != "skip" and \
                re.fullmatch(r"\s*\(\s*", text[prev.end:q.start]):
            exact = q.numerator / q.denominator * 100
            if any(abs(round(exact, d) - prev.value) < 10 ** -d * 0.51 for d in range(0, 4)):
                # 'đạt 92,1% (70 trường/76 trường)': one share, printed then justified
                q.printed_share, q.share_end = prev.value, q.end
                prev.role = "skip"
                continue
        if q.base_unit == "điểm":  # '83,019/99 điểm': a score out of 99, not a share
            q.kind, q.numerator, q.denominator = "level", None, None
            continue
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if nxt is None or nxt.base_unit != "%" or nxt.start - q.end > 45 or re.search(r"[;]", text[q.end:nxt.start]):
            continue
        exact = q.numerator / q.denominator * 100
        close = any(abs(round(exact, d) - nxt.value) < 10 ** -d * 0.51 or
                    abs(math.floor(exact * 10 ** d) / 10 ** d - nxt.value) < 1e-9 for d in range(0, 4))
        if close:
            q.printed_share = nxt.value
            q.share_end = nxt.end
            nxt.role = "skip"
            nxt.tail_end = nxt.end
        else:
            nxt.notes.append(f"{q.numerator:g}/{q.denominator:g} = {exact:.2f}% khác {nxt.value:g}% ghi bên cạnh")


def _per_written(per: str) -> str:
    p = re.sub(r"\s+", " ", per.strip()).replace(" / ", "/").replace("/ ", "/").replace(" /", "/")
    return p.replace("/1 vạn dân", "/vạn dân")


# --------------------------------------------------------------------------------------------
# Years and periods
# --------------------------------------------------------------------------------------------

_SPAN = r"((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)"
_YEAR_MARK = (r"(?<!so với )(?<!so với đầu )(?<!so )(?:đến hết năm|hết năm|đến cuối năm|cuối năm|đến năm|vào năm|"
              r"trong năm|riêng năm|tính đến năm|đầu năm|năm)\s+((?:19|20)\d\d)(?!\s*[-–—]\s*(?:19|20)\d\d)")
_MONTH_YEAR = r"tháng\s+\d{1,2}\s*[-/]\s*((?:19|20)\d\d)"
_DATE_YEAR = r"\b\d{1,2}/\d{1,2}/((?:19|20)\d\d)\b"
_BASE_MARK = (r"so với\s+(?:cùng kỳ\s+)?(?:năm\s+)?(?:19|20)\d\d|so (?:năm|với đầu năm)\s+(?:19|20)\d\d|"
              r"giá (?:so sánh|hiện hành|cố định)\s+(?:năm\s+)?(?:19|20)\d\d")


@dataclass
class _Mark:
    pos: int
    end: int
    start_year: int | None
    year: int
    how: str  # year | span | now


def _marks(low: str, fd: _Folder, now: int) -> list[_Mark]:
    marks: list[_Mark] = []
    bases = [(m.start(), m.end()) for m in fd.re(_BASE_MARK).finditer(low)]

    def in_base(pos: int) -> bool:
        return any(a <= pos < b for a, b in bases)

    for m in fd.re(_SPAN).finditer(low):
        a, b = int(m.group(1)), int(m.group(2))
        if b > a and b - a <= 15 and not in_base(m.start()):
            pre = low[max(0, m.start() - 12):m.start()]
            if re.search(r"(?:kỳ|ky)\s*$", pre) and b - a == 5:
                marks.append(_Mark(m.start(), m.end(), a, b, "term"))
            else:
                marks.append(_Mark(m.start(), m.end(), a, b, "span"))
    for pat in (_YEAR_MARK, _MONTH_YEAR, _DATE_YEAR):
        for m in fd.re(pat).finditer(low):
            if in_base(m.start()):
                continue
            y = int(m.group(1))
            marks.append(_Mark(m.start(), m.end(), None, y, "year"))
    for m in fd.re(r"\((?:năm\s+)?((?:19|20)\d\d)\)").finditer(low):
        marks.append(_Mark(m.start(), m.end(), None, int(m.group(1)), "year"))
    for m in fd.re(r"đến nay|hiện nay|hiện tại|hiện có|đến thời điểm hiện tại").finditer(low):
        marks.append(_Mark(m.start(), m.end(), None, now, "now"))
    marks.sort(key=lambda k: k.pos)
    # drop a year inside a span already found
    out = []
    for k in marks:
        if k.how == "year" and any(o.how in ("span", "term") and o.pos <= k.pos < o.end for o in marks):
            continue
        out.append(k)
    return out


# --------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------

@dataclass
class _Context:
    term: tuple[int, int]
    fd: _Folder
    name: str
    doc: DocumentText | None
    ocr: bool


def _is_heading(line: str) -> bool:
    s = line.strip().strip("*#_ ").strip()
    if not s or len(s) > 140 or s.endswith((".", ";", ",")):
        return False
    letters = [c for c in s if c.isalpha()]
    upper = letters and sum(c.isupper() for c in letters) / len(letters) > 0.6
    numbered = re.match(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.|[A-ZĐ]\.|phần thứ|PHẦN THỨ|Phần thứ|[a-zđ]\))\s*", s)
    return bool(upper or numbered or (len(s) < 90 and not re.search(r"\d", s)))


def _congress_term(lines: list[str], title: str = "") -> tuple[int, int] | None:
    """The term of the congress the document is about: the latest party term it names ('nhiệm kỳ 2025-2030', or
    'giai đoạn 2026-2030' for the same term). When the latest term is named only as a 'giai đoạn' and the text aims
    at the year five years later ('phấn đấu đến năm 2030'), the congress is the next one. 'Đại hội … lần thứ I' (the
    first congress of a unit merged in 2025) means 2025-2030."""
    named: dict[tuple[int, int], str] = {}
    weak: set[tuple[int, int]] = set()
    aims: set[int] = set()
    first_congress = False
    for line in [title] + lines:
        asc = ascii_fold(line)
        for m in re.finditer(r"nhiem ky\s+((?:19|20)\d\d)\s*[-–—]?\s*((?:19|20)\d\d)", asc):
            a, b = int(m.group(1)), int(m.group(2))
            if b - a == 5 and a % 5 == 0:
                named[(a, b)] = "nhiệm kỳ"
        for m in re.finditer(r"(?:giai doan|thoi ky)\s+((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)", asc):
            a, b = int(m.group(1)), int(m.group(2))
            if b - a == 4 and b % 5 == 0:
                named.setdefault((b - 5, b), "giai đoạn")
            elif b - a == 5 and b % 5 == 0:  # 'giai đoạn 2020-2025': results of the term that ends
                weak.add((b, b + 5))
        for m in re.finditer(r"(?:phan dau|muc tieu|chi tieu)[^.;]{0,60}?(?:den|vao) (?:nam )?(20[23][05])\b", asc):
            aims.add(int(m.group(1)))
        if re.search(r"dai hoi[^.]{0,60}lan thu (?:i|nhat)\b(?!\w)", asc):
            first_congress = True
    if first_congress:
        return (2025, 2030)
    if not named:
        return max(weak, key=lambda t: t[1]) if weak else None
    term = max(named, key=lambda t: t[1])
    if named[term] == "giai đoạn" and term[1] + 5 in aims:
        term = (term[1], term[1] + 5)
    return term


class _Reader:
    def __init__(self, ctx: _Context):
        self.ctx = ctx
        self.fd = ctx.fd
        self.S, self.E = ctx.term
        self.proposals: list[Proposal] = []
        self.section: str | None = None

    # -- status ---------------------------------------------------------------------------------
    def cues(self, low: str) -> list[tuple[int, str]]:
        """(position, 'target' | 'result' | 'estimate') of every cue of a sentence."""
        fd = self.fd
        out = []
        for m in fd.re(_TARGET_CUE).finditer(low):
            # "đạt và vượt các chỉ tiêu chủ yếu", "hoàn thành các chỉ tiêu": the term's targets judged, a result
            judged = fd.re(r"(?:đạt|vượt|hoàn thành|thực hiện)(?:\s+(?:và vượt|và|được|cơ bản|toàn diện|tốt|xong))*"
                           r"\s*$").search(low[max(0, m.start() - 40):m.start()])
            out.append((m.start(), "result" if judged else "target"))
        for m in fd.re(_RESULT_CUE).finditer(low):
            if self.section == "target" and fd.re(_WEAK_RESULT).fullmatch(m.group(0)):
                continue  # 'trong nhiệm kỳ công nhận mới 05 trường' in a list of targets
            out.append((m.start(), "result"))
        for m in fd.re(_ESTIMATE_CUE).finditer(low):
            out.append((m.start(), "estimate"))
        for m in fd.re(r"(?:năm|nam)\s+((?:19|20)\d\d)|((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)").finditer(low):
            pre = low[max(0, m.start() - 16):m.start()]
            if re.search(r"(?:so với|so voi|so|đầu|dau|so sánh|so sanh|hiện hành|hien hanh|cố định|co dinh)\s*$",
                         pre):
                continue
            if m.group(2) and (int(m.group(2)), int(m.group(3))) == (self.S, self.E):
                continue  # 'nhiệm kỳ 2025-2030': the congress itself, neither past nor future
            if m.group(2) and int(m.group(2)) < self.S and int(m.group(3)) <= self.S:
                out.append((m.start(), "result"))  # 'nhiệm kỳ 2020-2025' in a 2025 document: the term behind
                continue
            y = int(m.group(1) or m.group(3))
            if y > self.S:
                out.append((m.start(), "target"))
            elif y < self.S:
                out.append((m.start(), "result"))
        return sorted(out)

    # -- the document ----------------------------------------------------------------------------
    def run(self, lines: list[str]) -> None:
        text_lines = []
        for line in lines:
            cells = [c for c in line.split("\t") if c.strip()]
            text_lines.append(line.replace("\t", " ").strip() if len(cells) < 2 else "")
        section: str | None = None
        section_at: dict[int, str | None] = {}
        for no, line in enumerate(text_lines, start=1):
            if line and _is_heading(line):
                low = self.fd.low(line)
                if self.fd.re(_RESULT_HEAD).search(low):
                    section = "result"
                elif self.fd.re(_TARGET_HEAD).search(low):
                    section = "target"
            section_at[no] = section
        carried = "result"
        for p in paragraphs(text_lines):
            first = p.spans[0][1]
            sec = section_at.get(first)
            if sec is not None and _is_heading(p.text):
                carried = sec
                continue
            self.section = sec
            if sec is not None:
                carried = sec  # each paragraph of a section starts in the section's status
            carried = self.paragraph(p, carried)

    def paragraph(self, p, carried: str) -> str:
        text = p.text
        fd = self.fd
        low = fd.low(text)
        qs = _quantities(text, low, fd)
        sentences = self._sentences(text)
        if not qs:
            # a sentence without numbers can still set the status of the next ones ('… các chỉ tiêu cụ thể:')
            for a, b in sentences:
                cs = self.cues(low[a:b])
                st = [c[1] for c in cs if c[1] != "estimate"]
                if st:
                    carried = st[-1]
            return carried
        marks = _marks(low, fd, self.S)
        for a, b in sentences:
            sq = [q for q in qs if a <= q.start < b]
            cues = [(a + pos, kind) for pos, kind in self.cues(low[a:b])]
            if sq:
                self.sentence(p, text, low, a, b, sq, cues, marks, carried)
            st = [c[1] for c in cues if c[1] != "estimate"]
            if st:
                carried = st[-1]
        return carried

    def _sentences(self, text: str) -> list[tuple[int, int]]:
        return split_outside_parentheses(text, r"(?<=[.!?…])\s+(?=[A-ZĐÀ-Ỹ(*\-–•0-9\"“])")

    # -- one sentence -----------------------------------------------------------------------------
    def sentence(self, p, text, low, a, b, qs, cues, marks, carried) -> None:
        fd = self.fd
        clauses = [(a + x, a + y) for x, y in split_clauses(text[a:b])]
        last_name = ""
        prev_end = a
        emitted = 0
        for qi, q in enumerate(qs):
            clause = next((c for c in clauses if c[0] <= q.start < c[1]), (a, b))
            seg_start = max(clause[0], prev_end)
            self.role(q, text, low, qs[qi + 1].start if qi + 1 < len(qs) else b, seg_start)
            if q.role == "skip":
                prev_end = max(prev_end, q.tail_end or q.end)
                continue
            name, own_name = self.name(q, text, low, seg_start, clause, last_name)
            if self.excluded(q, text, low, seg_start, clause, name):
                prev_end = max(prev_end, q.tail_end or q.end)
                continue
            if own_name:
                last_name = name
            elif not name:
                name = last_name
            status, status_how = self.status(q, low, cues, carried, a)
            previous = self.proposals[-1] if self.proposals and emitted else None
            period, period_how = self.period(q, low, marks, clause, status, a, b, name, seg_start, previous)
            self.emit(p, text, q, name, own_name, status, status_how, period, period_how, clause)
            emitted += 1
            prev_end = max(prev_end, q.tail_end or q.end)

    def role(self, q: _Quantity, text: str, low: str, next_start: int, seg_start: int) -> None:
        fd = self.fd
        after = low[q.end:min(next_start, q.end + 90)]
        before = low[max(seg_start, q.start - 40):q.start]
        if q.role == "skip":
            return
        q.tail_end = q.end
        m = fd.re(r"^\s*(?:trở lên|trở xuống)").match(after)
        if m:
            q.comparator = ">=" if "lên" in m.group(0) or "len" in m.group(0) else "<="
            q.tail_end = q.end + m.end()
            after = low[q.tail_end:min(next_start, q.tail_end + 90)]
        if q.printed_share is not None:
            q.tail_end = max(q.tail_end, q.share_end)
        if q.role == "multiple":
            pass
        elif q.base_unit == "%":
            m = fd.re(r"^\s*\)?\s*(?:so với\s+)?(?:(?:mục tiêu|chỉ tiêu|chi tiêu)\s+)?(?:của\s+)?"
                      r"(nghị quyết|nqđh|nq\b|nq ?đh)(?!\s+số)").match(after)
            m2 = fd.re(r"^\s*\)?\s*(?:so với\s+)?(kế hoạch|kh\b|dự toán|chỉ tiêu(?: (?:kế hoạch|được giao|giao|trên giao|"
                       r"tỉnh giao|huyện giao|cấp trên giao|đề ra))?|mục tiêu đề ra)").match(after)
            if m:
                q.role, q.kind, q.reference = "ratio", "ratio", "nghị quyết"
                q.tail_end = q.end + m.end()
            elif m2:
                q.role, q.kind, q.reference = "ratio", "ratio", m2.group(1)
                q.tail_end = q.end + m2.end()
        if q.role == "value":
            verb = fd.re(r"(tăng gấp|tăng|giảm|vượt|gấp|bằng|cao hơn|thấp hơn|nhiều hơn|ít hơn)(?:\s+(?:thêm|hơn|"
                         r"gần|khoảng|trên|bình quân|được|là|lên|từ|gấp|hằng năm|hàng năm|mỗi năm|\d+ năm))*\s*"
                         r"$").search(before)
            so = fd.re(r"^[^;()]{0,60}?\bso (?:với\s+)?(?P<base>(?:cùng kỳ|năm (?:19|20)\d\d|đầu nhiệm kỳ|đầu kỳ|"
                       r"(?:mục tiêu |chỉ tiêu )?nghị quyết(?: đại hội)?(?: đề ra)?|nq\S*|kế hoạch|cách đây \d+ năm|"
                       r"giai đoạn trước|nhiệm kỳ trước|(?:19|20)\d\d|đầu năm(?: (?:19|20)\d\d)?|hiện nay|trước|"
                       r"bình quân chung|mục tiêu(?: đề ra)?|chỉ tiêu(?: đề ra)?)[^;,.()]{0,25})").match(after)
            if verb and so:
                q.role, q.reference = ("multiple", so.group("base").strip()) if q.base_unit == "lần" else \
                    ("change", so.group("base").strip())
                q.kind = "multiple" if q.base_unit == "lần" else "change"
                if verb.group(1) in ("giảm", "thấp hơn", "ít hơn", "giam", "thap hon", "it hon"):
                    q.negative = True
                q.tail_end = q.end + so.end()
            elif q.base_unit == "lần":
                q.role, q.kind = "multiple", "multiple"
                if so:
                    q.reference = so.group("base").strip()
                    q.tail_end = q.end + so.end()
            elif verb and verb.group(1) in ("giảm", "giam") and not fd.re(r"giảm\s+(?:còn|xuống)").search(before) \
                    and not (fd.re(r"\btừ\s*$").search(before) and fd.re(r"^[^;]{0,40}?\b(?:xuống|còn|đến|lên)\b")
                             .search(after)):
                q.negative = True  # ('giảm từ 0,05% năm 2022 xuống còn 0,04%': 0,05 is where it started)
            elif q.base_unit == "%" and fd.re(r"^\s*(?:[-–•+*]\s*|\(\d+\)\s*)?giảm\b(?![^,;]*\b(?:còn|xuống|đến|tới)\b)"
                                            ).search(low[seg_start:q.start]):
                q.negative = True
        # comparator words right before the number (after the verb)
        if q.comparator == "=":
            pre = before[-28:]
            if fd.re(r"(?:trên dưới|xấp xỉ|khoảng|gần|chừng|hơn kém)\s*(?:gấp\s*)?$").search(pre):
                q.comparator = "~"
            elif fd.re(r"(?:ít nhất|tối thiểu|không dưới|không thấp hơn)\s*$").search(pre):
                q.comparator = ">="
            elif fd.re(r"(?:không quá|tối đa|không vượt quá|không cao hơn)\s*$").search(pre):
                q.comparator = "<="
            elif fd.re(r"(?<!từ )(?:trên|hơn|vượt trên|cao hơn)\s*$").search(pre) and q.high is None:
                q.comparator = ">"
            elif fd.re(r"(?:dưới|chưa đến|chưa tới|thấp hơn)\s*$").search(pre):
                q.comparator = "<"
            elif fd.re(r"\btừ\s*$").search(pre) and q.high is None and fd.re(r"^\s*(?:trở lên|trở lên)").search(
                    low[q.end:q.end + 12]):
                q.comparator = ">="

    def name(self, q: _Quantity, text: str, low: str, seg_start: int, clause, last_name: str) -> tuple[str, bool]:
        fd = self.fd
        region = text[seg_start:q.start]
        # cut at the last list delimiter; 'Name: value' keeps the name before the colon
        colon = region.rfind(":")
        if colon >= 0 and len(re.findall(r"[^\W\d_]+", self._strip_name(region[colon + 1:]))) < 2:
            region = region[:colon]
            colon = -1
        cut = max(region.rfind(";"), colon)
        paren = region.rfind("(")
        if paren > cut and ")" not in region[paren:]:
            cut = paren
        region = region[cut + 1:] if cut >= 0 else region
        region = self._strip_name(region)
        if text[seg_start:q.start].strip() == "(" and last_name:
            # '50% (8 xã)': the count that goes with the share before it
            return self._suffix(q, f"{last_name} (số {q.unit.split('/')[0]})"), True
        counted = q.base_unit not in ("%", "đồng", "USD", "ha", "tấn", "km", "km2", "m2", "m3", "lần", "tạ", "kg",
                                      "lít", "kWh", "MW", "điểm", "bậc") and q.role == "value"
        if counted:
            # '29/30 chỉ tiêu chủ yếu', '36 đảng viên mới', '571 hộ sản xuất, kinh doanh': the noun names it
            after = re.match(r"\s*([^,;.()0-9:]{2,60})", text[q.end:clause[1]])
            tail = re.split(r"\s(?:đạt|là|tăng|giảm|so với|trong đó|với|của|và)\s", after.group(1))[0].strip() \
                if after else ""
            tail = re.sub(r"^(?:trở lên|trở xuống)\b\s*|\s*\b(?:trở lên|trở xuống)$", "", tail)  # a bound's words
            if tail or not region or fd.re(r"\b(?:xã|phường|huyện|tỉnh|thị trấn|thành phố|đảng bộ)\b").search(
                    fd.low(region)):
                return self._suffix(q, f"{q.unit.split('/')[0]} {tail}".strip()), True
        if "," in region:
            parts = [self._strip_name(x) for x in region.split(",")]
            parts = [x for x in parts if x]
            if len(region.split()) > 14 and parts:
                region = next((x for x in reversed(parts) if len(x.split()) >= 2), parts[-1])
        own = len(re.findall(r"[^\W\d_]+", region)) >= 2
        if not own:
            # the noun after the number: '100% đường giao thông được cứng hóa', '32 mô hình'
            after = text[q.end:clause[1]]
            m = re.match(r"\s*([^,;.()0-9]{3,80})", after)
            tail = ""
            if m and q.role == "value":
                tail = re.split(r"\s(?:đạt|là|tăng|giảm|được công nhận|so với)\s", m.group(1))[0].strip()
            unit_noun = q.unit if q.base_unit not in ("%", "đồng", "USD", "ha", "tấn", "km", "lần") else ""
            if tail and len(tail.split()) >= 2 and q.base_unit == "%":
                return self._suffix(q, f"tỷ lệ {tail}"), True
            if unit_noun and region:
                return self._suffix(q, f"{region} ({unit_noun})".strip()), True
            if unit_noun and tail:
                return self._suffix(q, f"{unit_noun} {tail}"), True
            if region:
                return self._suffix(q, region), bool(region)
            if last_name:
                return self._suffix(q, last_name), False
            if unit_noun:
                return self._suffix(q, f"số {unit_noun}"), True
            return self._suffix(q, ""), False
        return self._suffix(q, region), True

    def _strip_name(self, region: str) -> str:
        fd = self.fd
        s = region.strip(" ,;:\t")
        for _ in range(3):
            low = fd.low(s)
            m = fd.re(_CONTEXT_LEAD).match(low)
            if m and m.end() > 0:
                s = s[m.end():].strip(" ,;:-–()")
        s = s.strip(" ,;:-–()*•+")
        # time phrases and the verb at the end
        for _ in range(4):
            low = fd.low(s)
            m = fd.re(r"(?:\s|^)(?:" + _VERBS + r"|bình quân(?: hằng năm| hàng năm| mỗi năm)?|hằng năm|hàng năm|mỗi năm|"
                      r"trên|hơn|dưới|khoảng|gần|từ|ít nhất|tối thiểu|không quá|tối đa|xấp xỉ|thêm|"
                      r"(?:giai đoạn|thời kỳ|nhiệm kỳ)\s*\d{4}\s*[-–—]\s*\d{4}|(?:đến hết |đến cuối |đến |cuối |vào |"
                      r"trong |tính đến )?năm \d{4}|đến nay|hiện nay|của [\w\s]{0,20}?(?:xã|phường|huyện|tỉnh|thị trấn)"
                      r" [\w\s]{1,20}|toàn (?:xã|phường|huyện|tỉnh))\s*$").search(low)
            if not m or m.start() == 0 and m.end() == len(low) and len(low) == 0:
                break
            s2 = s[:m.start()].rstrip(" ,;:-–")
            if s2 == s:
                break
            s = s2
        return re.sub(r"\s+", " ", s).strip(" ,;:-–")

    def _suffix(self, q: _Quantity, name: str) -> str:
        if q.role == "ratio":
            ref = "Nghị quyết" if q.reference == "nghị quyết" else q.reference
            return f"{name} (so với {ref})".strip()
        if q.role == "change":
            word = "giảm" if q.negative else "tăng"
            return f"{name} ({word} so với {q.reference})".strip()
        if q.role == "multiple" and q.reference:
            return f"{name} (so với {q.reference})".strip()
        return name

    def excluded(self, q: _Quantity, text: str, low: str, seg_start: int, clause, name: str) -> bool:
        fd = self.fd
        if fd.re(r"\s*(?:cầu|trường học|danh|thi|đến|tới)\b").match(low, q.end) and q.base_unit == "điểm":
            return True
        if q.base_unit in ("dự án", "đề án", "chương trình", "mô hình", "công trình") and \
                fd.re(r"[^,;.]{0,25}\b(?:trọng điểm|trọng tâm|đột phá)").match(low, q.end):
            return True
        if q.base_unit not in ("%", "đồng", "USD") and fd.re(r"(?:^|[\s,;(])trong\s*$").search(
                low[max(0, q.start - 8):q.start]):
            return True
        seg_low = low[max(clause[0], q.start - 60):q.start]
        near = low[max(clause[0], q.start - 30):q.start]
        after = low[q.end:q.end + 40]
        unit = q.base_unit
        if unit in _ORG_UNITS or fd.low(unit) in {fd.low(u) for u in _ORG_UNITS}:
            if not fd.re(r"\bmới\b|kết nạp|phát triển(?: được)?|thành lập mới|công nhận|thu hút|tuyển dụng").search(
                    near + after[:12]):
                return True
        if (unit == "chỉ tiêu" or unit == fd.low("chỉ tiêu")) and q.numerator is None:
            if not fd.re(r"đạt|hoàn thành|vượt|không đạt|chưa đạt").search(seg_low + after[:25]) or \
                    fd.re(r"đề ra|xác định|gồm|với").search(near):
                return True
        if unit in ("km2", "ha", "người", "hộ", "nhân khẩu", "bản", "thôn", "xã", "tổ dân phố", "khu phố", "phường",
                    "thị trấn", "làng") and \
                fd.re(_DESCRIPTION).search(low[max(clause[0], q.start - 90):q.start]):
            return True
        if fd.re(r"đại biểu|đồng chí|ủy viên|uỷ viên|ban chấp hành|bch\b|trúng cử|bầu").search(
                low[max(clause[0], q.start - 50):q.end + 25]) and unit not in ("%",):
            return True
        if fd.re(r"(?:lần thứ|khóa|khoá|số|điều|khoản|mục|chương|phần|tập)\s*$").search(near):
            return True
        return False

    def status(self, q: _Quantity, low: str, cues, carried: str, sent_start: int) -> tuple[str, str]:
        before = [c for c in cues if c[0] < q.start]
        main = [c for c in before if c[1] != "estimate"]
        est = [c for c in before if c[1] == "estimate"]
        # a cue right after the number in the same clause ('… 0,5% vào năm 2030')
        after = [c for c in cues if q.start <= c[0] < q.tail_end + 25 and c[1] != "estimate"]
        if main:
            st, how = main[-1][1], "cue"
        elif after:
            st, how = after[0][1], "cue"
        else:
            st, how = carried, "carried"
        if st == "result":
            # a span of years ("chuẩn nghèo giai đoạn 2021 - 2025") says past, not measured: it keeps an earlier "ước"
            main = [c for c in main if not re.match(r"(?:19|20)\d\d\s*[-–—]", low[c[0]:c[0] + 12])]
            if est and (not main or est[-1][0] > main[-1][0]) or \
                    self.fd.re(r"\bước\b|dự kiến").search(low[max(sent_start, q.start - 40):q.start]):
                return "estimate", how
            return "actual", how
        return "target", how

    def classify(self, q: _Quantity, low: str, clause, name: str, seg_start: int) -> bool:
        """Set the kind of a value (rate, share, cumulative …); True when its period is a span (a rate, a total, a
        share held 'hằng năm')."""
        fd = self.fd
        # "bình quân" of "thu nhập bình quân (đầu người)" is an average over people, not over years: masked where
        # the per-year cues are looked for (a total growth "đến 2030 so với 2025 tăng 31,6%" is not 31,6 %/năm)
        low = self._per_capita(low)
        seg = low[max(clause[0], seg_start):q.start]
        name_low = self._per_capita(fd.low(name))
        rate = q.kind in ("rate_per_year", "rate") or (q.base_unit == "%" and q.role == "value" and (
            "/năm" in q.unit or (fd.re(r"tốc độ|tăng trưởng|\btăng\b|\bgiảm\b|tăng thu").search(seg + " " + name_low)
                                 and fd.re(r"bình quân|hằng năm|hàng năm|mỗi năm|tốc độ|tăng trưởng").search(
                seg + " " + name_low + " " + low[q.end:q.tail_end + 12]))
            or fd.re(r"(?:tăng|giảm)(?:\s+(?:bình quân|hằng năm|hàng năm|mỗi năm|từ|hơn|khoảng|gần|trên|thêm|"
                     r"tối thiểu|ít nhất))*\s*$").search(seg)
            # "; tổng giá trị sản phẩm bình quân hàng năm từ 12-14%" (the "tăng" left in the clause before): a
            # per-year % of an amount (no share of anything) is its growth
            or (fd.re(r"(?:bình quân\s+)?(?:hằng năm|hàng năm|mỗi năm)").search(seg + " " + name_low)
                and fd.re(r"(?:tổng )?giá trị sản (?:xuất|phẩm)|grdp|thu ngân sách|vốn đầu tư|doanh thu|"
                          r"kim ngạch").search(name_low + " " + seg)
                and not fd.re(r"tỷ trọng|tỷ lệ|chiếm|cơ cấu|huy động|vào ngân sách").search(name_low + " " + seg))))
        near = low[max(clause[0], seg_start, q.start - 45):q.start]
        cumulative = bool(fd.re(r"vốn đầu tư|tổng thu ngân sách|thu ngân sách (?:cả giai đoạn|\d+ năm|thực hiện \d+ năm)|"
                                r"kinh phí|\d+ năm\b").search(name_low) or
                          fd.re(r"huy động|kết nạp|phát triển(?: được)?\s*$|thành lập mới|xây dựng(?: mới)?\s*$|"
                                r"làm mới|trồng mới|giải quyết việc làm|tạo việc làm|\d+ năm qua|trong \d+ năm|"
                                r"cả giai đoạn|trong nhiệm kỳ|tuyển dụng|thu hút|kiên cố hóa|hiến|đầu tư\s*$").search(
                              near)) and q.base_unit not in ("%",) and q.role == "value"
        if q.base_unit == "%" and q.role == "value" and rate:
            q.kind = "rate_per_year" if ("/năm" in q.unit or fd.re(r"bình quân|hằng năm|hàng năm|mỗi năm|/\s*năm")
                                         .search(low[max(clause[0], q.start - 80):q.tail_end + 10])) else "rate"
            if q.negative and q.kind == "rate_per_year":
                q.kind = "reduction_per_year"
        elif q.role == "value" and q.kind == "level":
            if q.base_unit == "%":
                q.kind = "share"
            elif cumulative and fd.re(r"(?:hằng năm|hàng năm|mỗi năm)\b").search(
                    low[max(clause[0], seg_start, q.start - 60):q.start]):
                q.per = q.per or "năm"  # "hằng năm kết nạp từ 25 đảng viên": 25 a year, not 25 over the term
            elif cumulative:
                q.kind = "cumulative"
        yearly = q.role == "value" and q.base_unit == "%" and not rate and \
            fd.re(r"hằng năm|hàng năm|mỗi năm").search(seg + " " + low[q.end:q.tail_end + 12]) is not None
        return rate or q.kind == "cumulative" or (cumulative and q.kind == "x_of_y") or yearly

    def _per_capita(self, low: str) -> str:
        """``low`` with the per-person uses of "bình quân" blanked (same length: offsets stay)."""
        return self.fd.re(r"(?:thu nhập|tiền lương|lương)\s+bình quân|bình quân\s*(?:đầu người|/\s*người|"
                          r"(?:1|một|mỗi) người)").sub(lambda m: " " * len(m.group(0)), low)

    def period(self, q: _Quantity, low: str, marks: list[_Mark], clause, status: str, a: int, b: int,
               name: str, seg_start: int, previous: "Proposal | None") -> tuple[str, str]:
        """The year or span of a quantity, and how it was decided ('stated', 'sentence', 'carried', 'default')."""
        S, E = self.S, self.E
        spanish = self.classify(q, low, clause, name, seg_start)
        # a change, a multiple or a ratio is of the quantity it follows: its period
        if q.role in ("change", "multiple", "ratio") and previous is not None:
            own = [m for m in marks if max(clause[0], seg_start) <= m.pos < q.start]
            if not own:
                return previous.period, "sentence"
            spanish = False
        before = [m for m in marks if clause[0] <= m.pos < q.start and m.how != "now"]
        right_after = [m for m in marks if q.end <= m.pos <= q.tail_end + 3 and m.how == "year"
                       and not re.search(r"[,;]", low[q.end:m.pos])]
        inside_after = [m for m in marks if q.start <= m.pos < min(clause[1], q.tail_end + 30) and m.how == "year"]
        sent_before = [m for m in marks if a <= m.pos < q.start]
        carried = [m for m in marks if m.pos < a and m.how != "now"]
        now = [m for m in marks if a <= m.pos < q.start and m.how == "now"]
        if right_after:
            mark, how = right_after[0], "stated"
        elif before:
            mark, how = before[-1], "stated"
        elif inside_after:
            mark, how = inside_after[0], "stated"
        elif sent_before:
            mark, how = sent_before[-1], "sentence"
        elif carried and status != "target":
            mark, how = carried[-1], "carried"
        else:
            mark, how = None, ""
        if mark is not None:
            if mark.how in ("span", "term"):
                if status == "target" and mark.year <= S:
                    mark = None  # 'Nhiệm kỳ 2020-2025 … đề ra' with a 2030 target: use the defaults
                elif spanish:
                    start = mark.start_year
                    if mark.how == "term" and status == "target":
                        start = mark.start_year + 1
                    return f"{start}-{mark.year}", how
                else:
                    return str(mark.year), how
            elif mark.how == "now":
                return (str(S) if not spanish else f"{S - 4}-{S}"), how + " (đến nay)"
            else:
                if status == "target" and mark.year <= S:
                    mark = None
                elif spanish and how in ("sentence", "carried"):
                    return (f"{S - 4}-{S}" if status != "target" else f"{S + 1}-{E}"), "default"
                elif spanish and status == "target" and mark.year > S:
                    return f"{S + 1}-{mark.year}", how
                else:
                    return str(mark.year), how
        if status == "target":
            return (f"{S + 1}-{E}" if spanish else str(E)), "default"
        if now:
            return (str(S) if not spanish else f"{S - 4}-{S}"), "đến nay"
        return (f"{S - 4}-{S}" if spanish else str(S)), "default"

    # -- one proposal ------------------------------------------------------------------------------
    def emit(self, p, text, q: _Quantity, name, own_name, status, status_how, period, period_how, clause) -> None:
        doc_line = p.line_at(q.start)
        raw_start = q.start
        # the raw fragment: the verb or comparator before, the number, its unit and what belongs to it
        lead = re.search(r"(?:(?:ước |dự kiến )?đạt(?: được)?|là|còn|chiếm|tăng|giảm|vượt|gấp|bằng|trên|hơn|dưới|"
                         r"khoảng|gần|từ|ít nhất|tối thiểu|không quá|tối đa|xuống|lên)(?:\s+(?:bình quân|hằng năm|"
                         r"hàng năm|mỗi năm|thêm|còn|xuống|lên|hơn|trên|dưới|khoảng|gần|từ|được|gấp))*\s*$",
                         text[max(clause[0], q.start - 40):q.start], re.IGNORECASE)
        if lead:
            raw_start = q.start - (len(text[max(clause[0], q.start - 40):q.start]) - lead.start())
        raw = text[raw_start:q.tail_end].strip()
        raw = self._raw_on_line(p, raw_start, q.tail_end, raw)
        sign = -1.0 if q.negative else 1.0
        value = q.value * sign
        high = q.high * sign if q.high is not None else None
        if high is not None and q.negative:
            value, high = high, value
        why: list[str] = []
        conf = 0.95
        if q.guesses and (q.against_convention or q.decimals == 3):
            conf -= 0.3
            why.append("dấu phân cách đoán: " + "; ".join(q.guesses))
        elif q.guesses:
            conf -= 0.05
        if not own_name:
            conf -= 0.15
            why.append("câu không nêu tên chỉ tiêu ngay trước số: lấy tên của số trước" if name else
                       "không rõ tên chỉ tiêu")
        if not name:
            conf -= 0.2
        if status_how == "carried":
            conf -= 0.1
            why.append("trạng thái (chỉ tiêu/kết quả) suy từ các câu trước")
        if period_how == "default":
            conf -= 0.05
            why.append("năm/giai đoạn không ghi: lấy theo nhiệm kỳ")
        if self.ctx.ocr:
            conf -= 0.1
            why.append("văn bản OCR")
        if q.role == "ratio" and q.reference != "nghị quyết":
            why.append(f"tỷ lệ so với '{q.reference}', không phải so với Nghị quyết")
        if q.kind == "rate" and status != "target":
            conf -= 0.05
        if q.unit == "đồng" and not re.search(r"đồng|dong", text[q.start:q.end], re.IGNORECASE):
            conf -= 0.2
            why.append("đơn vị 'đồng' suy từ chữ 'triệu/tỷ'")
        base = value * q.factor
        base_high = high * q.factor if high is not None else None
        unit = q.unit
        numerator = denominator = None
        shown_value = value
        why.extend(q.notes)
        if q.notes and any("khác" in n for n in q.notes):
            conf -= 0.2
        if q.kind == "x_of_y" and q.numerator is not None:
            numerator, denominator = q.numerator, q.denominator
            shown_value = q.printed_share if q.printed_share is not None else \
                round(q.numerator / q.denominator * 100, 2)
            unit = "%"
            base = shown_value
        per_year = bool(q.per and "năm" in q.per) or q.kind in ("rate_per_year", "reduction_per_year")
        self.proposals.append(Proposal(
            indicator_name=_tidy_name(name), status=status, period=period, value=shown_value, unit=unit,
            comparator=q.comparator, kind=q.kind, raw=raw, source="", line=doc_line, confidence=round(max(conf, 0.05), 2),
            value_high=high, per_year=per_year, numerator=numerator, denominator=denominator, base_value=base,
            base_value_high=base_high, base_unit=q.base_unit if q.kind != "x_of_y" else "%", why=why,
            alternatives=[a * q.factor for a in q.alternatives], reference=q.reference))

    def _raw_on_line(self, p, a: int, b: int, raw: str) -> str:
        """The fragment, cut to the line it starts on (a paragraph joins lines; ``raw`` must be on one line)."""
        line_no = p.line_at(a)
        offs = [off for off, ln in p.spans if ln == line_no]
        start = offs[0] if offs else 0
        nxt = [off for off, ln in p.spans if off > start]
        end = (nxt[0] - 1) if nxt else len(p.text)
        return p.text[max(a, start):min(b, end)].strip()


def _tidy_name(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,;:-–")
    return name[:1].upper() + name[1:] if name else name


# --------------------------------------------------------------------------------------------
# Tables inside the document
# --------------------------------------------------------------------------------------------

def _tables(doc_lines: list[str], name: str, term_end: int, catalogue, ascii_mode: bool = False,
            notes: list[str] | None = None) -> tuple[list[Proposal], list]:
    """The tables of the document (tab-separated rows under a recognised header), read by the importer's table
    parser; a cell holding several measures ('20 bản NTM; 2 bản kiểu mẫu') gives one proposal per measure, each read
    like running text, with the column's status and period."""
    from chitieu.io.tableparse import parse_table

    fd = _Folder(ascii_mode)
    blocks = tab_blocks(doc_lines, min_cells=2)
    out: list[Proposal] = []
    parsed_all = []
    for block in blocks:
        rows = [[clean_cell(c) for c in doc_lines[no - 1].split("\t")] for no in block]
        try:
            parsed = parse_table(rows, term_end=term_end, file_label=name, lines=block, source_name=name,
                                 catalogue=catalogue)
        except InputError as exc:  # said, not dropped: its numbers are not proposed
            if notes is not None:
                notes.append(f"bảng ở dòng {block[0]}–{block[-1]} không đọc được, số trong đó không được đề xuất: "
                             f"{str(exc).splitlines()[0]}")
            continue
        parsed_all.append(parsed)
        inds = {i["id"]: i for i in parsed.indicators}
        guessed = {(r.row, r.raw) for r in parsed.review if r.kind == "guess"}
        for rec in parsed.values:
            ind = inds[rec["indicator"]]
            line = int(str(rec["source"]).rsplit(":", 1)[1])
            cell = _cell_text(doc_lines[line - 1], rec["raw"])
            low = fd.low(cell)
            qs = [q for q in _quantities(cell, low, fd) if q.role != "skip"]
            status, period = rec["status"], str(rec["period"])
            why = ["đọc từ bảng"] + ([rec["note"]] if rec.get("note") else [])
            if len(qs) >= 2:
                for q in qs:
                    local = re.sub(r"\s+", " ", re.split(r"[;,:]", cell[:q.start])[-1]).strip(" -–()")
                    local = re.sub(r"^(?:đạt|là|có|gồm|trong đó)\s+", "", local, flags=re.IGNORECASE)
                    label = f"{ind['name']} — {local}" if local else ind["name"]
                    out.append(_table_proposal(q, cell, label, status, period, line, why + [
                        "ô có nhiều số: mỗi số một đề xuất"], 0.75, fd))
                continue
            if rec["value"] is None or (isinstance(rec["value"], float) and math.isnan(rec["value"])):
                continue
            unit = ind["unit"] or ""
            factor, base_unit = _unit_factor(unit)
            if len(qs) == 1 and qs[0].numerator is None and abs(qs[0].value - float(rec["value"])) < 1e-9:
                factor, base_unit = qs[0].factor, qs[0].base_unit
            kind = ind["kind"]
            value = float(rec["value"])
            conf = 0.9 - (0.3 if (line, rec["raw"]) in guessed and rec.get("note") else 0.0)
            out.append(Proposal(
                indicator_name=ind["name"], status=status, period=period, value=value, unit=unit,
                comparator=rec["comparator"] or "=", kind=kind, raw=rec["raw"], source="", line=line,
                confidence=round(conf, 2), per_year="/năm" in unit or kind in ("rate_per_year", "reduction_per_year"),
                numerator=rec.get("numerator"), denominator=rec.get("denominator"),
                base_value=value * factor if kind != "x_of_y" else value, base_unit=base_unit if kind != "x_of_y"
                else "%", catalogue_code=ind.get("catalogue_code", ""), why=why, origin="table"))
        for cmp in parsed.comparisons:
            if cmp["value"] is None:
                continue
            ind = inds[cmp["indicator"]]
            line = int(str(cmp["source"]).rsplit(":", 1)[1])
            out.append(Proposal(
                indicator_name=f"{ind['name']} (so với Nghị quyết)", status="estimate", period=str(cmp["period"]),
                value=float(cmp["value"]), unit="%", comparator="=", kind="ratio", raw=cmp["raw"], source="",
                line=line, confidence=0.9, base_value=float(cmp["value"]), base_unit="%", why=["đọc từ bảng"],
                origin="table", reference="nghị quyết"))
    return out, parsed_all


def _cell_text(line: str, raw: str) -> str:
    """The whole cell of ``line`` that holds ``raw`` (the parser may keep only a clause of it)."""
    for c in line.split("\t"):
        if raw and raw in c:
            return clean_cell(c)
    return raw


def _table_proposal(q: _Quantity, cell: str, name: str, status: str, period: str, line: int, why: list[str],
                    conf: float, fd: _Folder) -> Proposal:
    low = fd.low(cell)
    before = low[max(0, q.start - 30):q.start]
    comparator = q.comparator
    if comparator == "=":
        if re.search(r"(?:trên|hơn|tren|hon)\s*$", before):
            comparator = ">"
        elif re.search(r"(?:dưới|duoi)\s*$", before):
            comparator = "<"
        elif re.search(r"^\s*(?:trở lên|tro len)", low[q.end:q.end + 12]) or re.search(r"(?:ít nhất|tối thiểu)\s*$",
                                                                                     before):
            comparator = ">="
    value = q.value
    base = value * q.factor
    numerator = denominator = None
    unit, base_unit, kind = q.unit, q.base_unit, "share" if q.base_unit == "%" else "level"
    if q.numerator is not None:
        numerator, denominator = q.numerator, q.denominator
        value = q.printed_share if q.printed_share is not None else round(q.numerator / q.denominator * 100, 2)
        base, unit, base_unit, kind = value, "%", "%", "x_of_y"
    end = max(q.tail_end, q.end, q.share_end)
    return Proposal(indicator_name=name, status=status, period=period, value=value, unit=unit,
                    comparator=comparator, kind=kind, raw=cell[q.start:end].strip(), source="", line=line,
                    confidence=conf, numerator=numerator, denominator=denominator, base_value=base,
                    base_unit=base_unit, why=list(why), origin="table")


def _unit_factor(unit: str) -> tuple[float, str]:
    """(factor to base units, base unit) of a unit as data/ writes it: 'triệu đồng/người/năm' → (1e6, 'đồng')."""
    u = fold(unit)
    for s, f in _SCALES:
        if u.startswith(s + " "):
            rest = u[len(s) + 1:].split("/")[0].strip()
            return f, (rest or "đồng")
    head = u.split("/")[0].strip()
    if head.startswith("%"):
        return 1.0, "%"
    return 1.0, head


# --------------------------------------------------------------------------------------------
# Catalogue, conflicts, sources
# --------------------------------------------------------------------------------------------

def _norm_name(name: str) -> str:
    s = fold(name)
    for a, b in (("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oạ", "ọa"), ("uỷ", "ủy"), ("uý", "úy"), ("hoá", "hóa")):
        s = s.replace(a, b)
    s = re.sub(r"\([^()]*\)", " ", s)
    return re.sub(r"[^\w%]+", " ", s).strip()


def _catalogue_codes(props: list[Proposal], catalogue) -> None:
    """A code only where the meaning really matches: the catalogue matcher (:func:`chitieu.io.catalogue.match`:
    the same meaning-carrying words, kind and unit), else an exact normalised name match with a compatible unit."""
    if catalogue is None or catalogue.empty:
        return
    try:
        from chitieu.io.catalogue import match
    except ImportError:  # pragma: no cover - before the matcher landed
        match = None
    by_name = {}
    for code, name, unit, kind in zip(catalogue["code"], catalogue["name_vi"], catalogue["unit"], catalogue["kind"]):
        by_name.setdefault(_norm_name(name), []).append((code, unit, kind))
    for p in props:
        if p.catalogue_code or p.kind in ("change", "ratio", "multiple") or not p.indicator_name:
            continue
        kind = {"rate": "rate_per_year"}.get(p.kind, p.kind)
        if match is not None:
            code, _why = match(p.indicator_name, p.unit, kind, catalogue)
            if code:
                p.catalogue_code = code
            continue
        for code, unit, ckind in by_name.get(_norm_name(p.indicator_name), []):
            cu = _unit_factor(unit)[1]
            if cu == p.base_unit:
                p.catalogue_code = code
                break


def _flag_conflicts(props: list[Proposal], sources: dict[int, str]) -> None:
    groups: dict[tuple, list[Proposal]] = defaultdict(list)
    for p in props:
        if not p.indicator_name:
            continue
        key = (p.catalogue_code or _norm_name(p.indicator_name), p.status == "target", p.period, p.kind,
               p.base_unit)
        groups[key].append(p)
    for ps in groups.values():
        values = {round(p.base_value, 6) for p in ps if p.base_value is not None}
        if len(values) > 1:
            for p in ps:
                others = [o for o in ps if o is not p and o.base_value is not None
                          and round(o.base_value, 6) != round(p.base_value, 6)]
                if others:
                    p.conflict = "; ".join(f"{o.raw} ({o.source})" for o in others[:3])
                    p.why.append("văn bản ghi khác cho cùng chỉ tiêu, cùng kỳ: " + p.conflict)


def _map_raw(raw_line: str, fixed_line: str, fragment: str) -> str:
    """The fragment of ``fixed_line`` (OCR repairs applied) as it stands in ``raw_line`` (the OCR text)."""
    if raw_line == fixed_line:
        return fragment
    a = fixed_line.find(fragment)
    if a < 0:
        return fragment
    b = a + len(fragment)
    sm = SequenceMatcher(None, fixed_line, raw_line, autojunk=False)

    def mapped(pos: int, end: bool) -> int:
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if i1 <= pos < i2 or (end and pos == i2):
                if tag == "equal":
                    return j1 + (pos - i1)
                return j2 if end else j1
        return len(raw_line)

    return raw_line[mapped(a, False):mapped(b, True)].strip()


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------

def extract_text(doc: DocumentText, *, term: tuple[int, int] | None = None, catalogue=None,
                 tables: bool = True) -> Extraction:
    """Propose every target and result of ``doc`` (a :class:`DocumentText`)."""
    lines = doc.texts
    found = _congress_term(lines, doc.meta.get("title", ""))
    term = term or found or (2025, 2030)
    notes = []
    if found is None and term == (2025, 2030):
        notes.append("không thấy 'nhiệm kỳ …' của Đại hội: lấy nhiệm kỳ 2025-2030 (chỉ tiêu đến 2030, kết quả "
                     "2021-2025)")
    notes.append(f"Đại hội nhiệm kỳ {term[0]}-{term[1]}: chỉ tiêu đến {term[1]}, kết quả đến {term[0]}.")
    ascii_mode = doc.ocr or doc.repaired > 0
    ctx = _Context(term, _Folder(ascii_mode), doc.name, doc, ascii_mode)
    reader = _Reader(ctx)
    reader.run(lines)
    props = reader.proposals
    parsed = []
    if tables:
        tprops, parsed = _tables(lines, doc.name, term[0], catalogue, ascii_mode, notes)
        props = props + tprops
    for p in props:
        p.source = doc.source(p.line)
        ln = doc.lines[p.line - 1]
        if ln.raw != ln.text:
            p.raw = _map_raw(ln.raw, ln.text, p.raw)
    _catalogue_codes(props, catalogue)
    _flag_conflicts(props, {})
    props.sort(key=lambda p: (p.line, p.origin))
    return Extraction(doc, props, term, notes + list(doc.notes), parsed)


def extract_lines(lines: list[str], *, name: str = "(văn bản)", term: tuple[int, int] | None = None,
                  catalogue=None) -> Extraction:
    """Extraction from lines of text (tests, notebooks)."""
    from chitieu.io.documents import DocLine, looks_ocr_damaged, repair_ocr

    doc_lines = [DocLine(unicodedata.normalize("NFC", t), unicodedata.normalize("NFC", t), None, i)
                 for i, t in enumerate(lines, start=1)]
    doc = DocumentText(name, doc_lines, "text")
    if looks_ocr_damaged(lines):
        for ln in doc.lines:
            ln.text = repair_ocr(ln.text)
        doc.repaired = sum(ln.text != ln.raw for ln in doc.lines)
    return extract_text(doc, term=term, catalogue=catalogue)


def extract_document(path: Path, *, locality: str | None = None, root: Path | None = None,
                     term: tuple[int, int] | None = None, progress: bool = False, ocr: str = "auto",
                     workers: int | None = None) -> Extraction:
    """Read ``path`` (any format :func:`chitieu.io.documents.read_document` reads) and propose its targets and
    results. ``locality``: an id of ``data/localities.csv`` whose term is used (else the document's congress term)."""
    from chitieu.config import data_dir
    from chitieu.io import data as data_mod

    doc = read_document(Path(path), ocr=ocr, progress=progress, workers=workers)
    root = Path(root) if root is not None else data_dir()
    catalogue = None
    try:
        catalogue = data_mod.load_catalogue(root)
    except Exception:  # noqa: BLE001 — a missing catalogue only means no codes
        catalogue = None
    if term is None and locality:
        try:
            locs = data_mod.load_localities(root)
        except Exception:  # noqa: BLE001
            locs = None
        if locs is not None and locality in set(locs["id"]):
            row = locs.set_index("id").loc[locality]
            term = (int(row["term_end"]), int(row["next_term_end"]))
    return extract_text(doc, term=term, catalogue=catalogue)
