"""Audit a draft report: find each claim of achievement or change and check it against the data and its own arithmetic.

A *claim* is one of:

* ``ratio`` — an achievement ratio against the resolution: "đạt 141% NQĐH", "(đạt 96% mục tiêu Nghị quyết)";
* ``plan`` — a ratio against a plan, an estimate or a quota ("đạt 97% kế hoạch", "196,55% dự toán tỉnh giao"): not an
  achievement ratio of the resolution, so it cannot be checked against it (its x/y arithmetic still is, when given);
* ``share`` — "x/y …, đạt z%": a share (coverage of a list), checked by its arithmetic, and against the data when the
  sentence names an indicator;
* ``verdict`` — "vượt mục tiêu NQĐH", "chưa đạt NQĐH", "không đạt mục tiêu Nghị quyết … như: A, B, C";
* ``change`` — "tăng 161 tỷ đồng so với năm 2020", "giảm 288 người so với năm 2020", "tăng 5,85% so với Nghị quyết";
* ``value`` — a value with its unit next to an indicator's name ("độ che phủ rừng lên 34,39%"), and in the part of the
  report on the next term, a target ("tổng đàn gia cầm … tăng 4%/năm" → compared with the 2030 targets);
* ``table`` — a row of a results table inside the document: its printed ratio against its own numbers.

Each claim gets a finding: ``consistent``, ``contradicts_data`` (the data hold another value for the same indicator
and the same year or period), ``arithmetic_fails`` (the claim's own numbers do not give what it states) or
``cannot_check`` (no matching indicator, no data for that year, a ratio against a plan, an undated value …).
Precision first: "contradicts" only when the indicator is matched without ambiguity, the year or period is known
(stated, or carried from the same paragraph) and the data hold a value for it.

When the document *is* one of ``data/sources/`` (the seeds), records transcribed from the very paragraph of a claim
are left out of the comparison, so that a claim is checked against the rest of the document (its table, its other
passages), never against itself.

>>> report = audit_document(Path("data/sources/002_12d62f31151c975c.txt"), "muong-ang")   # doctest: +SKIP
>>> report.counts()                                                                        # doctest: +SKIP
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from functools import lru_cache
from pathlib import Path

import pandas as pd

from chitieu.config import data_dir
from chitieu.core.vocabulary import RATE_KINDS, RESULT_STATUSES
from chitieu.errors import InputError
from chitieu.io.tableparse import parse_table
from chitieu.io.text import clean_cell, fold, read_text_file
from chitieu.core.numfmt import format_vi, round_half_up
from chitieu.io.quantity import parse

__all__ = ["Claim", "AuditReport", "audit_document", "audit_lines", "read_document", "FINDINGS", "FINDING_VI",
           "KIND_VI", "CSV_COLUMNS", "Matcher"]

FINDINGS = ("consistent", "contradicts_data", "arithmetic_fails", "cannot_check")
FINDING_VI = {
    "consistent": "khớp",
    "contradicts_data": "mâu thuẫn với số liệu",
    "arithmetic_fails": "phép tính không đúng",
    "cannot_check": "không kiểm tra được",
}
KIND_VI = {
    "ratio": "tỷ lệ so với Nghị quyết", "plan": "tỷ lệ so với kế hoạch/dự toán", "share": "tỷ lệ x/y",
    "verdict": "đánh giá đạt/không đạt", "change": "tăng/giảm so với", "value": "giá trị", "target": "chỉ tiêu",
    "table": "dòng bảng",
}
CSV_COLUMNS = ["line", "quote", "kind", "indicator", "year", "stated", "expected", "finding", "finding_vi", "reason",
               "data_source"]


# --------------------------------------------------------------------------------------------
# Reading the document
# --------------------------------------------------------------------------------------------

@dataclass
class Document:
    lines: list[str]
    name: str
    encoding: str = "utf-8"


def read_document(path: Path) -> Document:
    """Lines of a draft: a text file (UTF-8, UTF-16, Windows-1258), or a .docx (one line per paragraph, one per table
    row with tab-separated cells, in document order)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{path}: không có tệp này (file not found)")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: tệp rỗng (empty file)")
    if suffix == ".docx":
        import zipfile

        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        try:
            d = docx.Document(str(path))
        except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise InputError(f"{path.name}: không mở được tệp .docx ({type(exc).__name__})") from None
        lines: list[str] = []
        for block in d.element.body.iterchildren():
            tag = block.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(unicodedata.normalize("NFC", Paragraph(block, d).text))
            elif tag == "tbl":
                for row in Table(block, d).rows:
                    cells, seen = [], []
                    for cell in row.cells:
                        cells.append("" if seen and seen[-1] is cell._tc else clean_cell(cell.text))
                        seen.append(cell._tc)
                    lines.append("\t".join(cells))
        if not any(line.strip() for line in lines):
            raise InputError(f"{path.name}: tệp .docx không có chữ nào (no text)")
        return Document(lines, path.name, "docx")
    if suffix not in (".txt", ".md", ".text", ""):
        raise InputError(f"{path.name}: định dạng không hỗ trợ '{suffix}' — dùng .txt hoặc .docx")
    lines, enc = read_text_file(path)
    return Document(lines, path.name, enc)


# --------------------------------------------------------------------------------------------
# Words, abbreviations, indicator matching
# --------------------------------------------------------------------------------------------

_ABBREV = {
    "ntm": "nông thôn mới", "tdp": "tổ dân phố",
    "bhxh": "bảo hiểm xã hội", "bhyt": "bảo hiểm y tế", "thcs": "trung học cơ sở", "thpt": "trung học phổ thông",
    "gcnqsd": "giấy chứng nhận quyền sử dụng", "qsd": "quyền sử dụng", "qsdđ": "quyền sử dụng đất",
    "cchc": "cải cách hành chính", "mttq": "mặt trận tổ quốc", "httnv": "hoàn thành tốt nhiệm vụ",
    "htnv": "hoàn thành nhiệm vụ", "cbccvc": "cán bộ công chức viên chức", "llct": "lý luận chính trị",
    "gpmb": "giải phóng mặt bằng", "ttxh": "trật tự xã hội", "antt": "an ninh trật tự", "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân", "grdp": "tổng sản phẩm trên địa bàn", "mtqg": "mục tiêu quốc gia",
}
_TONE_FIX = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oé": "óe", "oè": "òe", "oẻ": "ỏe",
             "oẽ": "õe", "oẹ": "ọe", "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_SPELL = {"sỹ": "sĩ", "kỹ": "kĩ", "hàng": "hằng", "trung": "trung"}
_STOP = {"và", "các", "của", "có", "được", "trong", "theo", "đạt", "với", "cho", "là", "đã", "những", "một", "số",
         "tỷ", "lệ", "tổng", "đến", "năm", "trên", "từ", "về", "tại", "bình", "quân", "hằng", "thực", "hiện",
         "ước", "toàn", "huyện", "phường", "so", "nâng", "lên", "còn", "khoảng", "gần", "vượt", "tăng", "giảm",
         "dưới", "trở", "mỗi", "nay", "hết", "cuối", "riêng"}
# words that say what the claim compares with, not what it is about
_REFERENCE = re.compile(r"\b(?:nghị quyết(?: đại hội)?(?: đảng bộ)?(?: huyện| tỉnh| xã| phường)?|nqđh|nq|"
                        r"mục tiêu|chỉ tiêu|kế hoạch(?: giao)?|dự toán)\b", re.IGNORECASE)


def _words(text: str) -> list[str]:
    text = _REFERENCE.sub(" ", unicodedata.normalize("NFC", str(text)))
    text = re.sub(r"\([^()]*\)", " ", text)
    out = []
    for w in re.findall(r"[^\W\d_]+", fold(text)):
        if w in _ABBREV:
            out.extend(_ABBREV[w].split())
            continue
        for a, b in _TONE_FIX.items():
            if w.endswith(a) and len(w) > len(a):
                w = w[: -len(a)] + b
                break
        out.append(_SPELL.get(w, w))
    return out


def _features(text: str) -> set[str]:
    ws = _words(text)
    feats = {w for w in ws if w not in _STOP}
    feats |= {f"{a} {b}" for a, b in zip(ws, ws[1:]) if a not in _STOP or b not in _STOP}
    return feats


@dataclass
class Match:
    indicator: str
    coverage: float
    score: float
    runner_up: str = ""
    by_unit: bool = False


class Matcher:
    """Finds the indicator a passage talks about, by the words of the indicators' names (and of their catalogue
    names), each word and pair of words weighted by how rare it is among the names (idf)."""

    def __init__(self, indicators: pd.DataFrame, catalogue: pd.DataFrame | None = None):
        names: dict[str, list[str]] = defaultdict(list)
        cat = {} if catalogue is None else dict(zip(catalogue["code"], catalogue["name_vi"]))
        for _, r in indicators.iterrows():
            names[r["id"]].append(str(r["name"]))
            code = r.get("catalogue_code", "")
            if code and code in cat:
                names[r["id"]].append(cat[code])
        self.ids = list(indicators["id"])
        self.units = dict(zip(indicators["id"], indicators["unit"]))
        self.kinds = dict(zip(indicators["id"], indicators["kind"]))
        self.names = dict(zip(indicators["id"], indicators["name"]))
        self.feats = {i: [f for f in (_features(n) for n in ns) if f] for i, ns in names.items()}
        df: dict[str, int] = defaultdict(int)
        for fs in self.feats.values():
            for f in set().union(*fs) if fs else set():
                df[f] += 1
        n = max(len(self.feats), 1)
        self.weight = {f: math.log(1 + n / c) * (1.5 if " " in f else 1.0) for f, c in df.items()}

    def score(self, ind: str, window: set[str]) -> tuple[float, float, bool]:
        """(score, coverage, a pair of words matched) of one indicator for a window of features."""
        best = (0.0, 0.0, False)
        for fs in self.feats.get(ind, []):
            total = sum(self.weight[f] for f in fs) or 1.0
            hit = [f for f in fs if f in window]
            matched = sum(self.weight[f] for f in hit)
            cov = matched / total
            sc = matched * cov
            if sc > best[0]:
                best = (sc, cov, any(" " in f for f in hit))
        return best

    def rank(self, text: str, candidates=None, *, unit: str | None = None) -> list[tuple[float, float, bool, str]]:
        window = _features(text)
        out = []
        pool = list(self.ids if candidates is None else candidates)
        if unit is not None:
            exact = [i for i in pool if _unit_key(self.units.get(i, "")) == _unit_key(unit)]
            pool = exact or pool
        for ind in pool:
            if unit is not None and not unit_compatible(unit, self.units.get(ind, "")):
                continue
            sc, cov, pair = self.score(ind, window)
            if sc > 0:
                out.append((sc, cov, pair, ind))
        return sorted(out, reverse=True)

    def match(self, text: str, candidates=None, *, unit: str | None = None, min_coverage: float = 0.3) -> Match | None:
        """The indicator among ``candidates`` that ``text`` names, None when none is named clearly enough; a Match
        with ``runner_up`` set when two are named about as well."""
        ranked = self.rank(text, candidates, unit=unit)
        if not ranked:
            return None
        sc, cov, pair, ind = ranked[0]
        alone = unit is not None and (len(ranked) == 1 or ranked[1][0] < 0.34 * sc)
        # a unit of its own ('giường/vạn dân', 'tiêu chí/xã') names the indicator with any word of its name
        own_unit = unit is not None and _norm_unit(unit) not in _PCT_UNITS and \
            sum(1 for i in self.ids if _norm_unit(self.units.get(i, "")) == _norm_unit(unit)) == 1 and \
            _norm_unit(self.units.get(ind, "")) == _norm_unit(unit)
        if own_unit:
            return Match(ind, cov, sc, by_unit=True)
        dominant = len(ranked) == 1 or ranked[1][0] < 0.2 * sc
        needed = min(min_coverage, 0.35) if dominant and min_coverage <= 0.3 else min_coverage
        if alone and min_coverage <= 0.3:
            needed = 0.15
        if not pair or cov < needed:
            return None
        if len(ranked) > 1 and ranked[1][0] > 0.8 * sc:
            return Match(ind, cov, sc, ranked[1][3])
        return Match(ind, cov, sc)

    def pick(self, text: str, preferred: list[str], *, unit: str | None = None,
             min_coverage: float = 0.3) -> tuple[Match | None, Match | None]:
        """(match among ``preferred`` (e.g. the indicators with a target), match among all indicators). The caller
        uses the first unless the second names another indicator much better (the claim is then about an
        indicator outside ``preferred``)."""
        return (self.match(text, preferred, unit=unit, min_coverage=min_coverage),
                self.match(text, None, unit=unit, min_coverage=min_coverage))


_PCT_UNITS = {"%", "%/năm", "điểm%/năm", "điểm%", "điểmphầntrăm"}


@lru_cache(maxsize=4096)
def _norm_unit(u: str | None) -> str:
    u = fold(u or "").replace(" ", "").replace("m³", "m3").replace("m²", "m2").replace("sỹ", "sĩ")
    return u.replace("/1vạn", "/vạn")


def _unit_key(u: str | None) -> str:
    """A unit for exact comparison: 'điểm %/năm' and '%/năm' are one."""
    n = _norm_unit(u)
    return "%" if n in _PCT_UNITS else n


def unit_compatible(stated: str | None, unit: str | None) -> bool:
    """Whether a value written with unit ``stated`` can be a value of an indicator in ``unit``."""
    s, u = _norm_unit(stated), _norm_unit(unit)
    if not s:
        return True
    if not u:
        return s not in _PCT_UNITS
    if s in _PCT_UNITS or u in _PCT_UNITS:
        return s in _PCT_UNITS and u in _PCT_UNITS and (not s.endswith("/năm") or u.endswith("/năm"))
    return s == u or u == s + "/năm" or s == u + "/năm"


# --------------------------------------------------------------------------------------------
# Numbers in running text
# --------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.,/])(\d+(?:[.,]\d+)*)(?![\d]|[.,]\d)")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{4}\b|\b\d{1,2}/\d{4}\b")
_DOCNUM = re.compile(r"^(?:-|/)\s*[A-ZĐ]|^\s*-\s*(?:NQ|CT|KL|QĐ|BC|TB|CTr)\b")
_FRACTION = re.compile(r"(?<![\w.,/])(?P<x>\d+(?:[.,]\d+)*)\s*(?P<xu>km|ha|m|[^\W\d_]{0,0})\s*/\s*(?P<y>\d+(?:[.,]\d+)*)"
                       r"(?P<yu>\s*(?:km|ha|m)\b)?")
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"


@dataclass
class Num:
    start: int
    end: int  # end of the number and its unit
    text: str
    value: float
    decimals: int
    unit: str | None
    per_year: bool
    comparator: str
    paren: int  # parenthesis depth at the number
    fraction: tuple[float, float] | None = None  # (x, y) when the token is the x of an x/y
    role: str = "value"  # value | pct_ratio | pct_plan | change | year | docnum


def _decimals(token: str, value: float) -> int:
    m = re.search(r"[.,](\d+)$", token)
    return len(m.group(1)) if m and not value.is_integer() else (len(m.group(1)) if m and "," in token else 0)


def _read_number(text: str, start: int, end: int) -> tuple[float, int, str | None, bool, int]:
    """Value, decimals, unit, per-year and the end of the unit, of the number at ``text[start:end]``."""
    tail = text[end:end + 40].replace("m³", "m3").replace("m²", "m2")
    nxt = re.search(r"\d", tail)
    span = text[start:end] + (tail[: nxt.start()] if nxt else tail)
    q = parse(span)
    value = q.value if q.value is not None else float(text[start:end].replace(".", "").replace(",", "."))
    unit = q.unit
    per_year = q.per_year and bool(re.match(r"\s*%?\s*[^\d]{0,25}?/\s*năm", tail)) or \
        bool(re.match(r"\s*%\s*/\s*năm", tail))
    unit_end = end
    if unit:
        m = re.match(r"\s*" + re.escape(unit).replace("m3", "m[3³]"), text[end:], re.IGNORECASE)
        if m:
            unit_end = end + m.end()
        m2 = re.match(r"\s*/\s*năm\b", text[unit_end:])
        m3 = re.match(r"\s*(?:[^\W\d_]+\s*)?/\s*(?:1\s*)?((?:vạn|nghìn|người|xã|hộ|ha|con)(?:\s+dân)?)\b",
                      text[unit_end:])
        if m2:
            unit_end += m2.end()
            per_year = True
            unit = unit if unit.endswith("/năm") else f"{unit}/năm"
        elif m3 and unit != "%":
            unit = f"{unit}/{m3.group(1)}"
            unit_end += m3.end()
    else:
        m = re.match(r"\s*(m[3³]|m[2²])", text[end:])
        if m:
            unit = "m3" if m.group(1) in ("m3", "m³") else "m2"
            unit_end = end + m.end()
    return value, q.decimals, unit, per_year, unit_end


def _numbers(text: str) -> list[Num]:
    masked = _DATE.sub(lambda m: " " * len(m.group()), text)
    nums: list[Num] = []
    depth_at = []
    depth = 0
    for ch in text:
        depth_at.append(depth)
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
    for m in _NUMBER.finditer(masked):
        token = m.group(1)
        s, e = m.start(1), m.end(1)
        before = text[max(0, s - 25):s]
        after = text[e:e + 12]
        if s > 0 and (text[s - 1].isalpha() or text[s - 1] in _SUPERSCRIPT):
            continue  # QL279, footnote marks
        if re.fullmatch(r"(19|20)\d\d", token) and (re.search(r"(năm|kỳ|đoạn|đến|từ|-|–|/)\s*$", before)
                                                      or re.match(r"\s*[-–]\s*(19|20)\d\d", after)
                                                      or re.match(r"\s*[-–,]", after)):
            role = "year"
        elif _DOCNUM.match(after) or re.search(r"\b(số|Đề án|Nghị định|Quyết định|Chỉ thị|Kết luận|Quy định|"
                                               r"lần thứ|khóa|khoá|Chương trình)\s*$", before, re.IGNORECASE):
            role = "docnum"
        else:
            role = "value"
        try:
            value, dec, unit, per_year, unit_end = _read_number(text, s, e)
        except ValueError:
            continue
        lower_before = fold(before)
        comparator = "="
        if re.search(r"(trên|hơn|vượt trên)\s*$", lower_before):
            comparator = ">"
        elif re.search(r"(dưới|chưa tới)\s*$", lower_before):
            comparator = "<"
        elif re.search(r"(không quá|tối đa|gần)\s*$", lower_before):
            comparator = "<="
        elif re.search(r"(từ|tối thiểu|ít nhất)\s*$", lower_before) or re.match(r"[^,;.]{0,25}\btrở lên\b",
                                                                                 fold(text[e:e + 40])):
            comparator = ">="
        nums.append(Num(s, unit_end, token, value, dec, unit, per_year, comparator, depth_at[s], role=role))
    for m in _FRACTION.finditer(masked):
        xs = m.start("x")
        for n in nums:
            if n.start == xs:
                try:
                    y = float(parse(m.group("y")).value)
                except (TypeError, ValueError):
                    continue
                if y > 0 and n.value <= y * 1.5:
                    n.fraction = (n.value, y)
                    n.end = max(n.end, m.end())
    # the y of an x/y is not a value of its own
    ys = {m.start("y") for m in _FRACTION.finditer(masked)}
    return [n for n in nums if n.start not in ys]


# --------------------------------------------------------------------------------------------
# Paragraphs, clauses, years
# --------------------------------------------------------------------------------------------

@dataclass
class Paragraph:
    text: str
    spans: list[tuple[int, int]]  # (offset in text, line number)

    def line_at(self, pos: int) -> int:
        line = self.spans[0][1]
        for off, ln in self.spans:
            if off <= pos:
                line = ln
        return line

    @property
    def lines(self) -> list[int]:
        return [ln for _, ln in self.spans]


_TERMINAL = tuple(".!?:;…”\"»)")


def _is_footnote(line: str) -> bool:
    return bool(line.lstrip()) and line.lstrip()[0] in _SUPERSCRIPT


def paragraphs(lines: list[str]) -> list[Paragraph]:
    """Join the lines a page break split ('… xã Ấng' / '(footnote)' / 'Cang), đạt 60% NQĐH'): a line that does not end
    a sentence continues on the next line of text that starts in lower case, footnotes in between skipped."""
    out: list[Paragraph] = []
    current: Paragraph | None = None
    for no, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip() or "\t" in line:
            continue
        if _is_footnote(line):
            out.append(Paragraph(line, [(0, no)]))
            continue
        first = line.lstrip()[0]
        unclosed = current is not None and current.text.count("(") > current.text.count(")")
        abbreviation = bool(re.match(r"^[A-ZĐ]{2,5}\b(?!\s*[-–.)]\s)", line.lstrip())) and not line.isupper()
        if current is not None and not current.text.rstrip().endswith(_TERMINAL) and (
                first.islower() or first == "(" or first.isdigit() or unclosed or abbreviation
                or re.match(r"^\S+[),]", line.lstrip())):
            current.spans.append((len(current.text) + 1, no))
            current.text += " " + line.strip()
            continue
        current = Paragraph(line.strip(), [(0, no)])
        out.append(current)
    return out


def _clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a paragraph: split at ';' and at sentence ends, not inside parentheses."""
    depth, depth_at = 0, []
    for ch in text:
        depth_at.append(depth)
        depth = depth + 1 if ch == "(" else max(0, depth - 1) if ch == ")" else depth
    bounds = [0]
    for m in re.finditer(r";|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ(*0-9])", text):
        if depth_at[m.start()] == 0:
            bounds.append(m.end())
    bounds.append(len(text))
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


_YEAR_PHRASE = re.compile(r"(?<!so với )(?<!so với đầu )\b(?:đến hết năm|hết năm|đến cuối năm|cuối năm|đến năm|"
                          r"riêng năm|trong năm|năm)\s+((?:19|20)\d\d)\b(?!\s*[-–]\s*(?:19|20)\d\d)", re.IGNORECASE)
_DATE_YEAR = re.compile(r"\b\d{1,2}/\d{1,2}/((?:19|20)\d\d)\b")
_NOW = re.compile(r"\b(đến nay|hiện nay|hiện tại|đến thời điểm hiện tại)\b", re.IGNORECASE)
_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*[-–]\s*((?:19|20)\d\d)\b")


def _year_marks(text: str, doc_year: int | None) -> list[tuple[int, int, str]]:
    """(position, year, how) of each time mark of a paragraph."""
    marks = []
    for m in _YEAR_PHRASE.finditer(text):
        pre = fold(text[max(0, m.start() - 12):m.start()])
        if pre.endswith("so với") or pre.endswith("so với đầu"):
            continue
        marks.append((m.start(), int(m.group(1)), "năm"))
    for m in _DATE_YEAR.finditer(text):
        marks.append((m.start(), int(m.group(1)), "ngày"))
    if doc_year:
        for m in _NOW.finditer(text):
            marks.append((m.start(), doc_year, "đến nay"))
    return sorted(marks)


def _year_for(pos: int, clause: tuple[int, int], marks, default=None) -> tuple[int | None, str]:
    inside = [m for m in marks if clause[0] <= m[0] < clause[1] and m[0] <= pos]
    if inside:
        return inside[-1][1], inside[-1][2]
    before = [m for m in marks if m[0] < pos]
    if before:
        return before[-1][1], before[-1][2] + " (đầu đoạn)"
    return default, ""


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

def primary_sources(loc) -> dict[str, str]:
    """Indicator → the source of its term target: the row of a results table, whose records are preferred."""
    tgt = loc.values[(loc.values["status"] == "target") & (loc.values["year"] == loc.term_end)
                     & (loc.values["period_start"] == loc.term_end)]
    return dict(tgt.drop_duplicates("indicator")[["indicator", "source"]].itertuples(index=False, name=None))


class DataView:
    """The locality's records, without those transcribed from the audited passage itself."""

    def __init__(self, loc, exclude: set[str], primary: dict[str, str] | None = None):
        self.loc = loc
        vals, cmps = loc.values, loc.comparisons
        if exclude and vals["source"].isin(exclude).any():
            vals = vals[~vals["source"].isin(exclude)]
        if exclude and cmps["source"].isin(exclude).any():
            cmps = cmps[~cmps["source"].isin(exclude)]
        self.values = vals
        self.comparisons = cmps
        self.primary = primary if primary is not None else primary_sources(loc)
        self._cache: dict = {}

    def _prefer(self, recs: pd.DataFrame, ind: str) -> pd.DataFrame:
        p = self.primary.get(ind)
        if p is not None and (recs["source"] == p).any():
            return pd.concat([recs[recs["source"] == p], recs[recs["source"] != p]])
        return recs

    def target(self, ind: str, year: int) -> pd.Series | None:
        v = self.values
        recs = v[(v["indicator"] == ind) & (v["status"] == "target") & (v["year"] == year) & v["value"].notna()]
        if year == self.loc.term_end:
            recs = recs[recs["period_start"] == year] if (recs["period_start"] == year).any() else recs
        recs = self._prefer(recs, ind)
        return None if recs.empty else recs.iloc[0]

    def targets(self, ind: str, year: int) -> pd.DataFrame:
        v = self.values
        return self._prefer(v[(v["indicator"] == ind) & (v["status"] == "target") & (v["year"] == year)
                              & v["value"].notna()], ind)

    def results(self, ind: str, year: int | None = None, *, span_ok: bool = False) -> pd.DataFrame:
        v = self.values
        recs = v[(v["indicator"] == ind) & v["status"].isin(RESULT_STATUSES) & v["value"].notna()]
        if year is not None:
            same = recs["year"] == year
            if not span_ok:
                same &= recs["period_start"] == year
            recs = recs[same]
        return self._prefer(recs, ind)

    def published(self, ind: str, year: int) -> pd.DataFrame:
        c = self.comparisons
        return self._prefer(c[(c["indicator"] == ind) & (c["period"] == str(year))], ind)

    def with_verdicts(self, year: int) -> list[str]:
        """Indicators whose result is judged in words only (qualitative), with a printed verdict for ``year``."""
        key = ("verdicts", year)
        if key not in self._cache:
            c = self.comparisons
            words = c[(c["period"] == str(year)) & c["value"].isna() & (c["verdict"] != "")]
            self._cache[key] = sorted(set(words["indicator"]))
        return self._cache[key]

    def verdict_words(self, ind: str, year: int) -> tuple[str, str, str] | None:
        c = self.comparisons
        recs = c[(c["indicator"] == ind) & (c["period"] == str(year)) & c["value"].isna()]
        for _, r in recs.iterrows():
            q = parse(r["raw"])
            if q.words:
                return q.words, r["raw"], r["source"]
        return None

    def with_targets(self, year: int) -> list[str]:
        key = ("targets", year)
        if key not in self._cache:
            v = self.values
            self._cache[key] = sorted(set(v[(v["status"] == "target") & (v["year"] == year)
                                            & v["value"].notna()]["indicator"]))
        return self._cache[key]

    def with_results(self) -> list[str]:
        if "results" not in self._cache:
            v = self.values
            self._cache["results"] = sorted(set(v[v["status"].isin(RESULT_STATUSES)
                                                  & v["value"].notna()]["indicator"]))
        return self._cache["results"]


# --------------------------------------------------------------------------------------------
# Claims and checks
# --------------------------------------------------------------------------------------------

@dataclass
class Claim:
    line: int
    quote: str
    kind: str
    stated: str
    expected: str
    finding: str
    reason: str = ""
    indicator: str = ""
    year: str = ""
    data_source: str = ""

    def as_row(self) -> dict:
        return {"line": self.line, "quote": self.quote, "kind": self.kind, "indicator": self.indicator,
                "year": self.year, "stated": self.stated, "expected": self.expected, "finding": self.finding,
                "finding_vi": FINDING_VI[self.finding], "reason": self.reason, "data_source": self.data_source}


@dataclass
class AuditReport:
    document: str
    locality: str
    claims: list[Claim]
    self_source: str | None = None
    doc_year: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([c.as_row() for c in self.claims], columns=CSV_COLUMNS)

    def counts(self) -> dict[str, int]:
        out = {f: 0 for f in FINDINGS}
        for c in self.claims:
            out[c.finding] += 1
        return out


def _fmt(x: float, decimals: int | None = None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if decimals is None:
        decimals = min(_natural_decimals(x), 2)
    return format_vi(x, decimals)


def _natural_decimals(x: float) -> int:
    d = Decimal(repr(float(x))).normalize()
    return max(0, -d.as_tuple().exponent)


def _with_unit(text: str, unit: str | None) -> str:
    if not unit:
        return text
    if unit.startswith("%"):
        return text + unit
    return f"{text} {unit}"


def _trunc(x: float, d: int) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_DOWN))


def ratio_matches(exact: float, stated: float, decimals: int) -> bool:
    """A printed ratio follows from ``exact`` when rounded half up, or cut, to the printed decimals."""
    if exact is None or math.isnan(exact):
        return False
    return round_half_up(exact, decimals) == round_half_up(stated, decimals) or \
        _trunc(exact, decimals) == round_half_up(stated, decimals)


def values_match(stated: float, stated_dec: int, data: float, data_raw: str = "") -> bool:
    """Two writings of one value: equal at the coarser precision (rounded half up or cut); a large number printed with
    trailing zeros (53.200) is a rounding to those zeros."""
    data_dec = _natural_decimals(data)
    m = re.search(r"[.,](\d+)\s*%?\s*$", data_raw.strip()) if data_raw else None
    if m and not re.search(r"\d[.,]\d{3}(?!\d)", data_raw):
        data_dec = max(data_dec, len(m.group(1)))
    d = min(stated_dec, data_dec)
    if round_half_up(stated, d) == round_half_up(data, d) or _trunc(max(stated, data), d) == _trunc(min(stated, data), d) \
            and abs(stated - data) < 10 ** -d:
        return True
    for a, b in ((stated, data), (data, stated)):
        if a >= 1000 and float(a).is_integer():
            zeros = len(str(int(a))) - len(str(int(a)).rstrip("0"))
            if zeros >= 2 and round_half_up(b, -zeros) == a:
                return True
    return False


_NQ_REF = re.compile(r"^\s*\)?\s*(?:so với\s+)?(?:(?:mục tiêu|chỉ tiêu|chi tiêu)\s+)?"
                     r"(?:nghị quyết(?!\s+số)|nqđh|nq\b|nq ?đh)", re.IGNORECASE)
_PLAN_REF = re.compile(r"^\s*\)?\s*(?:so với\s+)?(?:kế hoạch|kh\b|dự toán|chỉ tiêu(?:,)? (?:kế hoạch )?(?:giao|tỉnh giao|"
                       r"tuyển quân)|chỉ tiêu giao|mục tiêu đề ra|diện tích cần giao|cùng kỳ)", re.IGNORECASE)
_VERDICT = re.compile(r"\b(?P<verb>vượt|đạt|chưa đạt|không đạt|hoàn thành)\s+(?:và vượt\s+)?(?:so với\s+)?"
                      r"(?:(?:mục tiêu|chỉ tiêu|chi tiêu)\s+)?(?:của\s+)?(?P<ref>nghị quyết|nqđh|nq\b)",
                      re.IGNORECASE)
_CHANGE = re.compile(r"\b(?P<dir>tăng|giảm|vượt)\s+(?:thêm\s+)?(?P<num>\d+(?:[.,]\d+)*)\s*(?P<unit>[^\d;,.()]{0,30}?)\s*"
                     r"(?:so với|so)\s+(?P<base>năm\s+(?:19|20)\d\d|đầu (?:năm\s+)?(?:19|20)\d\d|đầu kỳ|đầu nhiệm kỳ|"
                     r"nghị quyết(?: đại hội)?(?!\s+số)|nqđh|những năm trước(?: đây)?|cùng kỳ|kế hoạch)", re.IGNORECASE)
_NONE = re.compile(r"\bchưa có\s+(?P<np>[^\d;,.:()]{4,60})", re.IGNORECASE)
_TARGET_ON = re.compile(r"phần thứ hai|phương hướng|mục tiêu, nhiệm vụ|chỉ tiêu chủ yếu|nhiệm kỳ 2025\s*-\s*2030|"
                        r"mục tiêu cụ thể", re.IGNORECASE)
_TARGET_OFF = re.compile(r"phần thứ nhất|kết quả thực hiện|đánh giá tình hình|biểu kết quả|kết quả đạt được",
                         re.IGNORECASE)


class _Auditor:
    def __init__(self, doc: Document, loc, catalogue: pd.DataFrame | None, self_source: str | None,
                 doc_year: int | None):
        self.doc, self.loc = doc, loc
        self.self_source = self_source
        self.doc_year = doc_year
        self.matcher = Matcher(loc.indicators, catalogue)
        self.term_end = loc.term_end
        self.next_end = loc.next_term_end
        self.directions = dict(zip(loc.indicators["id"], loc.indicators["direction"]))
        self.primary = primary_sources(loc)
        self.claims: list[Claim] = []
        self.last_candidate: str | None = None

    # -- helpers ------------------------------------------------------------------------------
    def view(self, para_lines: list[int]) -> DataView:
        exclude = {f"{self.self_source}:{ln}" for ln in para_lines} if self.self_source else set()
        return DataView(self.loc, exclude, self.primary)

    def unit(self, ind: str) -> str:
        return self.matcher.units.get(ind, "")

    def name(self, ind: str) -> str:
        return self.matcher.names.get(ind, ind)

    def add(self, **kw) -> None:
        self.claims.append(Claim(**kw))

    def resolve(self, window: str, preferred: list[str], *, unit: str | None, strict: bool = False,
                what: str = "chỉ tiêu Nghị quyết", single_year: bool = False) -> tuple[str | None, str, str]:
        """(indicator, runner-up, reason when none): the indicator ``window`` names, among ``preferred`` unless
        the window names another indicator of the locality much better."""
        min_cov = 0.55 if strict else 0.3
        pref = set(preferred)
        others = [i for i in self.matcher.ids if i not in pref and not (single_year and
                                                                        self.matcher.kinds.get(i) == "cumulative")]
        mt = self.matcher.match(window, preferred, unit=unit, min_coverage=min_cov)
        ma = self.matcher.match(window, others, unit=unit, min_coverage=min_cov)
        self.last_candidate = mt.indicator if mt is not None and not mt.runner_up else None
        if ma is not None and (mt is None or mt.score < 0.8 * ma.score):
            return None, "", f"câu nói về '{self.name(ma.indicator)}', chỉ tiêu chưa có {what} trong số liệu " \
                             "(ngoài chính câu này)"
        if mt is None:
            return None, "", f"không xác định được chỉ tiêu (trong số các chỉ tiêu có {what})"
        if strict and not mt.by_unit and not self._precise(window, mt.indicator):
            return None, "", "câu có nhiều từ không thuộc tên chỉ tiêu"
        return mt.indicator, mt.runner_up, ""

    def _precise(self, window: str, ind: str) -> bool:
        """Most of the window's indicator words belong to this indicator's name (not a sub-item of it)."""
        feats = _features(window)
        known = {f for f in feats if f in self.matcher.weight}
        names = set().union(*self.matcher.feats.get(ind, [set()]))
        total = sum(self.matcher.weight[f] for f in known) or 1.0
        return sum(self.matcher.weight[f] for f in known if f in names) / total >= 0.5

    def years(self, pos: int, clause, marks, *, default_term: bool) -> tuple[list[int], str, str]:
        """Years to check a claim against, and how sure: 'stated', 'carried', 'soft' (đến nay), 'none'."""
        inside = [m for m in marks if clause[0] <= m[0] < clause[1] and m[0] <= pos]
        if inside and inside[-1][2] != "đến nay":
            return [inside[-1][1]], "stated", f"{inside[-1][2]} ghi trong câu"
        before = [m for m in marks if m[0] < pos and m[2] != "đến nay"]
        soft = [m for m in marks if m[0] < pos and m[2] == "đến nay"]  # "đến nay" earlier in the paragraph
        if inside and inside[-1][2] == "đến nay" or soft:
            yrs = [self.doc_year] + ([self.term_end] if self.term_end != self.doc_year else [])
            return [y for y in yrs if y], "soft", "đến nay"
        if before:
            return [before[-1][1]], "carried", "năm ghi ở đầu đoạn"
        return ([self.term_end] if default_term else []), "none", ""

    # -- the document ---------------------------------------------------------------------
    def run(self) -> list[Claim]:
        target_mode = False
        mode_at: dict[int, bool] = {}
        for no, raw in enumerate(self.doc.lines, start=1):
            line = raw.strip()
            if line and "\t" not in line and len(line) < 200 and not line.endswith("."):
                if _TARGET_OFF.search(line):
                    target_mode = False
                elif _TARGET_ON.search(line):
                    target_mode = True
            mode_at[no] = target_mode
        for p in paragraphs(self.doc.lines):
            self.paragraph(p, mode_at.get(p.spans[0][1], False))
        self.tables()
        self.claims.sort(key=lambda c: c.line)
        return self.claims

    def paragraph(self, p: Paragraph, target_mode: bool) -> None:
        text = p.text
        view = self.view(p.lines)
        nums = _numbers(text)
        marks = _year_marks(text, self.doc_year)
        clauses = _clauses(text)
        used: set[int] = set()

        def clause_of(pos):
            return next((c for c in clauses if c[0] <= pos < c[1]), (0, len(text)))

        for n in nums:
            if n.role != "value" or n.unit != "%":
                continue
            after = text[n.end:n.end + 80]
            if _NQ_REF.match(after):
                n.role = "pct_ratio"
            elif _PLAN_REF.match(after):
                n.role = "pct_plan"
        changes = list(_CHANGE.finditer(text))
        for m in changes:
            for n in nums:
                if n.start == m.start("num"):
                    n.role = "change"
        for i, n in enumerate(nums):
            if n.fraction is not None and n.role == "value":
                self.share_claim(p, text, nums, i, view, marks, clause_of(n.start), used)
        for i, n in enumerate(nums):
            if n.role == "pct_ratio":
                self.ratio_claim(p, text, nums, i, view, marks, clause_of(n.start), used)
            elif n.role == "pct_plan" and n.start not in used:
                used.add(n.start)
                ref = _PLAN_REF.match(text[n.end:n.end + 80]).group(0).strip(" )")
                self.add(line=p.line_at(n.start), quote=_quote(text, n.start, n.end + len(ref) + 1), kind="plan",
                         stated=f"{_with_unit(n.text, '%')} {ref}", expected="—", finding="cannot_check",
                         reason=f"tỷ lệ so với '{ref}', không phải so với chỉ tiêu Nghị quyết (số liệu không có "
                                "kế hoạch, dự toán)")
        heading = len(text) < 90 and not re.search(r"\d", text.lstrip("#").lstrip())
        for m in _VERDICT.finditer(text):
            if heading or any(n.role == "pct_ratio" and m.start() <= n.start <= m.end() for n in nums):
                continue
            self.verdict_claim(p, text, m, view, marks, clause_of(m.start()))
        for m in changes:
            self.change_claim(p, text, m, nums, view, marks, clause_of(m.start()), used)
        if not target_mode:
            for m in _NONE.finditer(text):
                self.none_claim(p, text, m, view, marks, clause_of(m.start()))
        for i, n in enumerate(nums):
            if n.role == "value" and n.start not in used and (n.unit is not None or n.fraction) and n.paren == 0:
                self.value_claim(p, text, nums, i, view, marks, clause_of(n.start), used, target_mode)

    # -- x/y, đạt z% ---------------------------------------------------------------------------
    def share_claim(self, p, text, nums, i, view: DataView, marks, clause, used) -> None:
        n = nums[i]
        nxt = next((k for k in nums[i + 1:] if k.role not in ("year", "docnum")), None)
        if nxt is None or nxt.unit != "%" or nxt.start - n.end > 70 or nxt.start >= clause[1]:
            return
        x, y = n.fraction
        used.add(n.start)
        if nxt.role == "pct_ratio":
            return  # the x/y is the result the ratio compares: see ratio_claim
        used.add(nxt.start)
        exact = x / y * 100
        ok = ratio_matches(exact, nxt.value, nxt.decimals)
        stated = f"{n.text}/{format_vi(y)}: {_with_unit(nxt.text, '%')}"
        rounded = round_half_up(exact, nxt.decimals) == round_half_up(nxt.value, nxt.decimals)
        expected = f"{_fmt(x)} ÷ {_fmt(y)} × 100 = {format_vi(exact, nxt.decimals + 2)}%"
        reason = ("phép tính đúng" + ("" if rounded else " (chữ số cuối bị cắt, không làm tròn)")) if ok else \
            "x/y không cho tỷ lệ ghi trong câu"
        if nxt.role == "pct_plan":
            reason += "; '% kế hoạch' ở đây là tỷ lệ x/y (độ bao phủ), không phải tỷ lệ đạt Nghị quyết"
        finding, ind, year_txt, source = ("consistent" if ok else "arithmetic_fails"), "", "", ""
        window = text[clause[0]:nxt.end]
        ind_, _, _ = self.resolve(window, self._results_with_targets(view), unit="%", strict=True)
        if ok and ind_ is not None:
            years, how, how_txt = self.years(n.start, clause, marks, default_term=False)
            if how in ("stated", "carried"):
                recs = view.results(ind_, years[0])
                if not recs.empty:
                    rec = recs.iloc[0]
                    ind, year_txt, source = ind_, str(years[0]), str(rec["source"])
                    if values_match(nxt.value, nxt.decimals, rec["value"], rec["raw"]) or \
                            values_match(exact, 2, rec["value"], rec["raw"]):
                        expected += f"; số liệu {years[0]}: {rec['raw']} ({rec['source']})"
                    else:
                        finding = "contradicts_data"
                        expected += f"; số liệu {years[0]}: {rec['raw']} ({rec['source']})"
                        reason = f"'{self.name(ind)}' năm {years[0]} ({how_txt}): số liệu ghi {rec['raw']}; " + reason
        self.add(line=p.line_at(n.start), quote=_quote(text, n.start, nxt.end), kind="share", stated=stated,
                 expected=expected, finding=finding, reason=reason, indicator=ind, year=year_txt, data_source=source)

    def _results_with_targets(self, view: DataView) -> list[str]:
        with_t = set(view.with_targets(self.term_end)) | set(view.with_targets(self.next_end))
        return [i for i in view.with_results() if i in with_t]

    # -- đạt X% Nghị quyết --------------------------------------------------------------------
    def ratio_claim(self, p, text, nums, i, view: DataView, marks, clause, used) -> None:
        n = nums[i]
        used.add(n.start)
        ref = _NQ_REF.match(text[n.end:n.end + 80])
        end = n.end + (ref.end() if ref else 4)
        quote = _quote(text, n.start, end)
        stated_ratio = f"{_with_unit(n.text, '%')} NQ"
        actual = None
        for k in range(i - 1, -1, -1):
            a = nums[k]
            if a.start < clause[0]:
                break
            if a.role in ("year", "docnum", "pct_ratio", "pct_plan", "change") or a.paren > n.paren:
                continue
            actual = a
            break
        window = text[clause[0]:end]
        a_unit = None if actual is None else ("%" if actual.fraction else actual.unit)
        preferred = view.with_targets(self.term_end)
        years, how, how_txt = self.years(n.start, clause, marks, default_term=True)
        single = how == "stated"
        ind, runner, why = self.resolve(window, preferred, unit=a_unit, single_year=single)
        if ind is None and why.startswith("không xác định") and a_unit is not None:
            ind, runner, why = self.resolve(window, preferred, unit=None, single_year=single)
            if ind is not None and not unit_compatible(a_unit, self.unit(ind)):
                actual = None
        if ind is None and why.startswith("không xác định"):
            prev = _previous_context(text, clause)
            if prev:
                ind, runner, why = self.resolve(prev + " " + window, preferred, unit=a_unit)
        if ind is None and why.startswith("câu nói về") and self.last_candidate:
            # another indicator is named about as well; the one with a target is meant if its data give the ratio
            cand = self.last_candidate
            tgt_c = view.target(cand, self.term_end)
            if tgt_c is not None and _value_of(tgt_c):
                for y in years:
                    recs = view.results(cand, y, span_ok=True)
                    pub = view.published(cand, y)
                    if (not recs.empty and ratio_matches(float(recs.iloc[0]["value"]) / _value_of(tgt_c) * 100,
                                                         n.value, n.decimals)) or \
                            (not pub.empty and pd.notna(pub.iloc[0]["value"]) and
                             round_half_up(float(pub.iloc[0]["value"]), n.decimals) == round_half_up(n.value,
                                                                                                      n.decimals)):
                        ind, runner, why = cand, "", ""
                        break
        if actual is not None:
            used.add(actual.start)
        if ind is None or runner:
            if runner:
                why = f"không rõ là '{self.name(ind)}' hay '{self.name(runner)}'"
            self.add(line=p.line_at(n.start), quote=quote, kind="ratio", stated=stated_ratio, expected="—",
                     finding="cannot_check", reason=why)
            return
        tgt = view.target(ind, self.term_end)
        T = _value_of(tgt)
        unit_ind = self.unit(ind)
        a_val = None
        if actual is not None:
            a_val = (actual.fraction[0] / actual.fraction[1] * 100, 2) if actual.fraction else \
                (actual.value, actual.decimals)
            stated = f"{_with_unit(actual.text if not actual.fraction else _fmt(a_val[0]), a_unit)} → {stated_ratio}"
        else:
            stated = stated_ratio
        parts = []
        own_ok = None
        if a_val is not None and T:
            own = a_val[0] / T * 100
            own_ok = ratio_matches(own, n.value, n.decimals)
            parts.append(f"{_fmt(a_val[0])} ÷ {_fmt(T)} = {format_vi(own, max(n.decimals, 2))}%")
        results = []  # (year, data_ok, value_ok)
        for y in years:
            recs = view.results(ind, y, span_ok=True)
            pub = view.published(ind, y)
            pv = float(pub.iloc[0]["value"]) if not pub.empty and pd.notna(pub.iloc[0]["value"]) else None
            if recs.empty and pv is None:
                continue
            data_ok, txt = False, f"số liệu {y}:"
            value_ok = None
            if not recs.empty:
                rec = recs.iloc[0]
                A = float(rec["value"])
                exact = A / T * 100 if T else math.nan
                data_ok = ratio_matches(exact, n.value, n.decimals)
                txt += f" {rec['raw']} ({rec['source']}) ÷ {_fmt(T)} = {format_vi(exact, max(n.decimals, 2))}%"
                if a_val is not None:
                    value_ok = values_match(a_val[0], a_val[1], A, rec["raw"])
            if pv is not None:
                data_ok = data_ok or round_half_up(pv, n.decimals) == round_half_up(n.value, n.decimals)
                txt += f"; in trong biểu: {pub.iloc[0]['raw']} ({pub.iloc[0]['source']})"
            parts.append(txt)
            results.append((y, data_ok, value_ok))
        parts.append(f"chỉ tiêu {_with_unit(_fmt(float(tgt['value'])), unit_ind)} ({tgt['source']})")
        notes = []
        if self.directions.get(ind) == "lower":
            notes.append("chỉ tiêu càng thấp càng tốt: tỷ lệ theo cách tính của báo cáo không cho biết đạt hay không")
        ok_years = [y for y, d, v in results if d]
        value_bad = a_val is not None and own_ok and results and all(v is False for _, _, v in results)
        if ok_years and value_bad and how != "none":
            finding = "contradicts_data"
            reason = (f"số của câu ({actual.text}) khác số liệu năm {' và '.join(str(y) for y, _, _ in results)} "
                      f"({how_txt}); tỷ lệ {n.text}% vẫn khớp")
        elif ok_years:
            finding = "consistent"
            y_ok = ok_years[0]
            reason = "khớp" + (f" (số liệu năm {y_ok})" if how in ("soft", "none") and len(years) > 1 else "")
            v_bad = [v for y, d, v in results if y == y_ok and v is False]
            if v_bad:
                reason += f"; số {actual.text} đứng trước tỷ lệ không phải số được so"
        elif results:
            v_any = any(v for _, _, v in results)
            if v_any and own_ok is False:
                finding, reason = "arithmetic_fails", "tỷ lệ không suy ra được từ số của câu và chỉ tiêu Nghị quyết"
            elif how == "none" and a_val is not None and own_ok:
                finding = "cannot_check"
                reason = "câu không ghi năm; số của câu khác số liệu cuối nhiệm kỳ (phép chia của câu đúng)"
            else:
                finding = "contradicts_data"
                yrs = " và ".join(str(y) for y, _, _ in results)
                if a_val is not None and own_ok:
                    reason = f"số của câu khác số liệu năm {yrs} ({how_txt or 'cuối nhiệm kỳ'}); phép chia của câu đúng"
                elif a_val is not None:
                    reason = f"số và tỷ lệ của câu khác số liệu năm {yrs}; tỷ lệ cũng không suy ra từ số của câu"
                else:
                    reason = f"tỷ lệ khác tỷ lệ tính từ số liệu năm {yrs} ({how_txt or 'cuối nhiệm kỳ'})"
        elif own_ok is not None:
            finding = "consistent" if own_ok else "arithmetic_fails"
            reason = ("khớp phép tính với chỉ tiêu Nghị quyết" if own_ok else
                      "tỷ lệ không suy ra được từ số của câu và chỉ tiêu Nghị quyết") + \
                f" (không có số liệu kết quả năm {', '.join(map(str, years))})"
        else:
            finding, reason = "cannot_check", f"không có số liệu kết quả năm {', '.join(map(str, years))}"
        self.add(line=p.line_at(n.start), quote=quote, kind="ratio", stated=stated, expected="; ".join(parts),
                 finding=finding, reason="; ".join([reason] + notes), indicator=ind,
                 year="/".join(str(y) for y in years), data_source=str(tgt["source"]))

    # -- vượt / đạt / chưa đạt NQ ----------------------------------------------------------------
    def verdict_claim(self, p, text, m, view: DataView, marks, clause) -> None:
        verb = fold(m.group("verb"))
        said = {"vượt": ("exceeded",), "đạt": ("met", "exceeded"), "hoàn thành": ("met", "exceeded"),
                "chưa đạt": ("not_met",), "không đạt": ("not_met",)}[verb]
        tail = text[m.end():clause[1]]
        listing = re.match(r"[^:;.]{0,120}?\bnhư\s*:?\s*(?P<items>[^;.]+)", tail)
        preferred = sorted(set(view.with_targets(self.term_end)) | set(view.with_verdicts(self.term_end)))
        targets: list[tuple[str, str]] = []
        why = ""
        if listing:
            # "… không đạt mục tiêu Nghị quyết như: A, B, C": each item names an indicator with a target
            items = [x.strip() for x in listing.group("items").split(",") if len(x.strip()) >= 3]
            for k, item in enumerate(items):
                tries = [item]
                if k > 0 and len(_words(item)) <= 3:
                    head = " ".join(items[k - 1].split()[:-2])
                    tries.insert(0, f"{head} {item}")
                for t in tries:
                    mm = self.matcher.match(t, preferred)
                    if mm is not None and not mm.runner_up:
                        targets.append((mm.indicator, item))
                        break
            quote_end = m.end() + listing.end()
        elif re.search(r"\d+\s*(?:/\s*\d+\s*)?chỉ tiêu", fold(_item(text, m.start(), m.start(), clause))):
            self.add(line=p.line_at(m.start()), quote=_quote(text, m.start(), m.end(), before=90), kind="verdict",
                     stated=m.group(0), expected="—", finding="cannot_check",
                     reason="câu đếm số chỉ tiêu đạt/không đạt, không nói một chỉ tiêu cụ thể")
            return
        else:
            before = [k for k in _numbers(text[clause[0]:m.start()]) if k.role == "value" and k.paren == 0]
            unit = None
            if before:
                k = before[-1]
                unit = "%" if k.fraction else k.unit
            narrow = _item(text, m.start(), m.start(), clause)
            ind, runner, why = self.resolve(narrow, preferred, unit=None)
            if ind is None:
                ind, runner, why = self.resolve(text[clause[0]:m.end()], preferred, unit=unit, strict=True)
                loose, loose_runner, _ = self.resolve(text[clause[0]:m.end()], preferred, unit=unit)
                cand = loose if loose and not loose_runner else self.last_candidate
                if ind is None and cand and before:
                    # named about as well as another indicator: the one with a target is meant if the sentence's
                    # number is its value
                    k = before[-1]
                    yrs, _, _ = self.years(m.start(), clause, marks, default_term=True)
                    for y in yrs:
                        recs = view.results(cand, y, span_ok=True)
                        if not recs.empty and values_match(k.value, k.decimals, float(recs.iloc[0]["value"]),
                                                           recs.iloc[0]["raw"]):
                            ind, runner, why = cand, "", ""
                            break
            if ind is None and why.startswith("không xác định"):
                prev = _previous_context(text, clause)
                if prev:
                    ind, runner, why = self.resolve(prev + " " + text[clause[0]:m.end()], preferred, unit=unit,
                                                    strict=True)
            if ind is not None:
                targets = [(ind, "")] + ([(runner, "")] if runner else [])
            quote_end = m.end()
        quote = _quote(text, m.start(), quote_end, before=90)
        if not targets:
            self.add(line=p.line_at(m.start()), quote=quote, kind="verdict", stated=m.group(0), expected="—",
                     finding="cannot_check", reason=why or "không xác định được chỉ tiêu")
            return
        from chitieu.analysis.achievement import assess

        years, how, how_txt = self.years(m.start(), clause, marks, default_term=True)
        outcomes = []
        for ind, item in targets:
            tgt = view.target(ind, self.term_end)
            words = view.verdict_words(ind, self.term_end)
            if tgt is None and words is not None:
                code, raw, src = words
                word_vi = {"exceeded": "vượt", "met": "đạt", "completed": "đạt", "not_met": "không đạt"}.get(code, "?")
                ok = code in said or (code == "completed" and "met" in said)
                outcomes.append((ind, item, ok, f"'{self.name(ind)}': biểu đánh giá «{raw}» → {word_vi} ({src})",
                                 str(self.term_end)))
                continue
            found = None
            for y in years:
                recs = view.results(ind, y, span_ok=True)
                if not recs.empty:
                    found = (y, recs.iloc[0])
                    break
            if tgt is None or found is None:
                outcomes.append((ind, item, None, f"'{self.name(ind)}': không có kết quả năm "
                                                  f"{', '.join(map(str, years))} trong số liệu", ""))
                continue
            y, rec = found
            a = assess(float(rec["value"]), float(tgt["value"]), direction=self.directions.get(ind, "higher"),
                       target_comparator=tgt["comparator"], actual_comparator=rec["comparator"])
            verdict_vi = {"exceeded": "vượt", "met": "đạt", "not_met": "không đạt", "unknown": "?"}[a.verdict]
            outcomes.append((ind, item, a.verdict in said,
                             f"'{self.name(ind)}' {y}: {rec['raw']} so với chỉ tiêu {tgt['raw']} → {verdict_vi} "
                             f"({rec['source']})", str(y)))
        if len(targets) == 2 and not targets[0][1] and all(o[2] is not None for o in outcomes) and \
                outcomes[0][2] != outcomes[1][2]:
            self.add(line=p.line_at(m.start()), quote=quote, kind="verdict", stated=m.group(0),
                     expected="; ".join(o[3] for o in outcomes), finding="cannot_check",
                     reason="câu có thể nói về hai chỉ tiêu, số liệu cho hai kết quả khác nhau")
            return
        for ind, item, ok, expected, y in outcomes:
            self.add(line=p.line_at(m.start()), quote=quote, kind="verdict",
                     stated=m.group(0) + (f" — {item}" if item else ""), expected=expected if ok is not None else "—",
                     finding="cannot_check" if ok is None else ("consistent" if ok else "contradicts_data"),
                     reason=expected if ok is None else ("khớp" if ok else "số liệu cho kết quả khác"),
                     indicator=ind, year=y)

    # -- tăng / giảm … so với ------------------------------------------------------------------
    def change_claim(self, p, text, m, nums, view: DataView, marks, clause, used) -> None:
        n = next((k for k in nums if k.start == m.start("num")), None)
        if n is None:
            return
        used.add(n.start)
        base_txt = fold(m.group("base"))
        quote = _quote(text, m.start(), m.end())
        sign = -1 if fold(m.group("dir")) == "giảm" else 1
        unit_words = n.unit or m.group("unit").strip()
        stated = f"{m.group('dir')} {_with_unit(n.text, unit_words)} so với {m.group('base')}"
        current = None
        for k in reversed([k for k in nums if clause[0] <= k.start < n.start]):
            if k.role == "value" and k.paren <= n.paren:
                k_unit = "%" if k.fraction else k.unit
                if (n.unit is None and k_unit is None) or (n.unit is not None and k_unit is not None and (
                        unit_compatible(n.unit, k_unit) or unit_compatible(k_unit, n.unit))):
                    current = k
                break
        window = text[clause[0]:m.end()]
        unit = None if current is None else ("%" if current.fraction else current.unit)
        vs_nq = "nghị quyết" in base_txt or "nqđh" in base_txt
        by = re.search(r"(19|20)\d\d", base_txt)
        preferred = view.with_targets(self.term_end) if vs_nq else view.with_results()
        ind, runner, why = self.resolve(window, preferred, unit=unit, what="số liệu để so sánh", strict=unit is None)
        if ind is None or runner:
            self.add(line=p.line_at(m.start()), quote=quote, kind="change", stated=stated, expected="—",
                     finding="cannot_check", reason=why or "không rõ chỉ tiêu")
            return
        if current is not None:
            used.add(current.start)
        now = None if current is None else (current.fraction[0] / current.fraction[1] * 100 if current.fraction
                                            else current.value)
        if vs_nq:
            base, base_label = view.target(ind, self.term_end), "chỉ tiêu Nghị quyết"
        elif by:
            recs = view.results(ind, int(by.group()))
            base, base_label = (None if recs.empty else recs.iloc[0]), f"năm {by.group()}"
        else:
            base, base_label = None, m.group("base")
        if base is None or now is None:
            what = "giá trị hiện tại trong câu" if now is None else f"số liệu {base_label}"
            self.add(line=p.line_at(m.start()), quote=quote, kind="change", stated=stated, expected="—",
                     finding="cannot_check", reason=f"'{self.name(ind)}': không có {what} (ngoài chính câu này)",
                     indicator=ind)
            return
        B = _value_of(base)
        diff = now - B
        rel = (now / B - 1) * 100 if B else math.nan
        change = sign * n.value
        d = n.decimals
        ok_abs = ratio_matches(abs(diff), abs(change), d) and (diff >= 0) == (change >= 0)
        ok_rel = n.unit == "%" and ratio_matches(abs(rel), abs(change), d) and (rel >= 0) == (change >= 0)
        expected = (f"{_fmt(now)} − {_fmt(B)} ({base_label}: {base['raw']}, {base['source']}) = {_fmt(diff, max(d, 2))}"
                    + (f"; tương đối {format_vi(rel, 2)}%" if n.unit == "%" and not math.isnan(rel) else ""))
        if ok_abs or ok_rel:
            finding = "consistent"
            reason = "khớp" + (" (điểm phần trăm)" if ok_abs and n.unit == "%" else "") + \
                (" (tương đối)" if ok_rel and not ok_abs else "")
        else:
            finding, reason = "arithmetic_fails", "mức tăng/giảm không khớp với số của câu và số liệu gốc"
        self.add(line=p.line_at(m.start()), quote=quote, kind="change", stated=stated, expected=expected,
                 finding=finding, reason=reason, indicator=ind, data_source=str(base["source"]))

    # -- "chưa có bản đạt bản NTM kiểu mẫu và bản NTM" ---------------------------------------------
    def none_claim(self, p, text, m, view: DataView, marks, clause) -> None:
        np_ = m.group("np")
        count_units = {"xã", "bản", "thôn", "trường", "sản phẩm", "doanh nghiệp"}
        preferred = [i for i in self._results_with_targets(view) if self.unit(i) in count_units]
        parts = [x.strip() for x in re.split(r"\bvà\b", np_) if x.strip()]
        head = parts[0].split()[0] if parts else ""
        found = []
        for part in parts:
            window = part if part == parts[0] or part.split()[0] == head else f"{head} {part}"
            ind, runner, _ = self.resolve(window, preferred, unit=None, strict=True)
            if ind is not None and not runner and ind not in [f[0] for f in found]:
                found.append((ind, part))
        years, how, how_txt = self.years(m.start(), clause, marks, default_term=False)
        if how == "none" and self.doc_year:
            years, how, how_txt = [self.doc_year, self.term_end], "soft", "'chưa có': thời điểm của văn bản"
        quote = _quote(text, m.start(), m.end())
        for ind, part in found:
            recs = [(y, view.results(ind, y)) for y in years]
            recs = [(y, r.iloc[0]) for y, r in recs if not r.empty]
            if not recs:
                self.add(line=p.line_at(m.start()), quote=quote, kind="value", stated=f"0 ('chưa có' {part})",
                         expected="—", finding="cannot_check", reason=f"'{self.name(ind)}': câu không ghi năm",
                         indicator=ind)
                continue
            ok = any(float(r["value"]) == 0 for _, r in recs)
            self.add(line=p.line_at(m.start()), quote=quote, kind="value", stated=f"0 ('chưa có' {part})",
                     expected="; ".join(f"số liệu {y}: {r['raw']} ({r['source']})" for y, r in recs),
                     finding="consistent" if ok else "contradicts_data",
                     reason="khớp" if ok else f"câu nói chưa có; số liệu ({how_txt}) ghi khác 0",
                     indicator=ind, year="/".join(str(y) for y, _ in recs), data_source=str(recs[0][1]["source"]))

    # -- a value next to an indicator's name ------------------------------------------------------
    def value_claim(self, p, text, nums, i, view: DataView, marks, clause, used, target_mode) -> None:
        n = nums[i]
        unit = "%" if n.fraction else n.unit
        before = fold(text[max(clause[0], n.start - 60):n.start])
        if re.search(r"\b(mới|trồng mới|xây mới|tái canh|tổng cộng|vượt|thiếu|thấp hơn|cao hơn|chênh)"
                     r"(?:\s+\S+){0,2}\s*$", before) or \
                re.search(r"\bthêm\b", before):
            return  # an increment ('phấn đấu thêm 02 xã', 'trồng mới 1.185 ha'), not the indicator's level
        window = _item(text, n.start, n.end, clause)
        if target_mode:
            years, how, how_txt = self.years(n.start, clause, marks, default_term=False)
            year = years[0] if years and years[0] > self.term_end else self.next_end
            preferred = view.with_targets(year)
            ind, runner, _ = self.resolve(window, preferred, unit=unit, strict=True, what=f"chỉ tiêu {year}")
            if ind is None or runner:
                return
            used.add(n.start)
            recs = view.targets(ind, year)
            value = n.value
            self._compare_value(p, text, n, ind, value, [year], "stated", recs_by_year={year: recs}, kind="target")
            return
        preferred = self._results_with_targets(view)
        ind, runner, _ = self.resolve(window, preferred, unit=unit, strict=True, what="kết quả")
        if ind is None or runner:
            return
        used.add(n.start)
        value = n.fraction[0] / n.fraction[1] * 100 if n.fraction else n.value
        years, how, how_txt = self.years(n.start, clause, marks, default_term=False)
        if how == "none":
            recs = view.results(ind)
            self._compare_value(p, text, n, ind, value, [], "none", recs_by_year={None: recs}, kind="value")
            return
        avg = self._is_average(ind)
        self._compare_value(p, text, n, ind, value, years, how,
                            recs_by_year={y: view.results(ind, y, span_ok=avg) for y in years}, kind="value",
                            how_txt=how_txt)

    def _compare_value(self, p, text, n, ind, value, years, how, *, recs_by_year, kind, how_txt="") -> None:
        decimals = 2 if n.fraction else n.decimals
        comp = {"=": "", ">": "trên ", ">=": "từ ", "<": "dưới ", "<=": "không quá "}[n.comparator]
        shown = n.text if not n.fraction else f"{n.text}/{_fmt(n.fraction[1])}"
        stated = f"{comp}{_with_unit(shown, n.unit if not n.fraction else '')}" + \
            (f" ({'/'.join(map(str, years))})" if years else "")
        quote = _quote(text, n.start, n.end, before=70)
        all_recs = [(y, r) for y, recs in recs_by_year.items() for _, r in recs.iterrows()]
        if not all_recs:
            if how == "none":
                return
            self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated, expected="—",
                     finding="cannot_check", reason=f"'{self.name(ind)}': không có số liệu năm "
                     f"{'/'.join(map(str, years))}", indicator=ind, year="/".join(map(str, years)))
            return
        primary = [(y, r) for y, r in all_recs if r is all_recs[0][1] or True]
        matches = [(y, r) for y, r in all_recs if values_match(value, decimals, float(r["value"]), r["raw"])]
        # first record of each year is the preferred one (the results table's row)
        firsts = {}
        for y, r in all_recs:
            key = y if y is not None else r["period"]
            firsts.setdefault(key, r)
        listing = "; ".join(f"{k}: {r['raw']} ({r['source']})" for k, r in list(firsts.items())[:4])
        if matches and any(r is firsts.get(y if y is not None else r["period"]) for y, r in matches):
            y, r = next((y, r) for y, r in matches if r is firsts.get(y if y is not None else r["period"]))
            notes = []
            rc = r["comparator"] or "="
            if n.comparator != rc and (n.comparator in (">", "<") or rc in (">", "<")):
                notes.append(f"cận khác nhau: câu '{comp.strip() or 'bằng'}', số liệu '{r['raw']}'")
            others = [r2 for y2, r2 in all_recs if (y2 == y) and r2 is not r and
                      not values_match(float(r2["value"]), _natural_decimals(float(r2["value"])), float(r["value"]),
                                       r["raw"])]
            if others:
                notes.append("nơi khác ghi " + "; ".join(f"{o['raw']} ({o['source']})" for o in others[:2]))
            label = y if y is not None else r["period"]
            self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated,
                     expected=f"{'chỉ tiêu' if kind == 'target' else 'số liệu'} {label}: {r['raw']} ({r['source']})",
                     finding="consistent", reason="; ".join(["khớp" + (" (câu không ghi năm)" if how == "none" else "")]
                                                             + notes),
                     indicator=ind, year=str(label), data_source=str(r["source"]))
            return
        if how == "none":
            self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated, expected=listing,
                     finding="cannot_check", reason=f"'{self.name(ind)}': câu không ghi năm, số không khớp số liệu "
                     "năm nào", indicator=ind)
            return
        y0, r0 = next(iter(firsts.items()))
        others = [o for yy, o in all_recs if o is not r0 and values_match(value, decimals, float(o["value"]), o["raw"])]
        reason = f"'{self.name(ind)}' {'/'.join(map(str, years))}" + (f" ({how_txt})" if how_txt else "") + \
            f": {'chỉ tiêu' if kind == 'target' else 'số liệu'} ghi {r0['raw']} ({r0['source']})"
        if others:
            same_doc = self.self_source and all(str(o["source"]).startswith(self.self_source + ":") for o in others)
            reason += "; " + ", ".join(f"{o['source']} ghi {o['raw']}" for o in others[:2]) + \
                (" như câu này — văn bản tự mâu thuẫn" if same_doc else " như câu này")
        self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated, expected=listing,
                 finding="contradicts_data", reason=reason, indicator=ind, year="/".join(map(str, years)),
                 data_source=str(r0["source"]))

    def _is_average(self, ind: str) -> bool:
        name = fold(self.name(ind))
        return bool(re.search(r"bình quân|trung bình|hằng năm|hàng năm", name)) or \
            self.matcher.kinds.get(ind) in RATE_KINDS

    # -- tables inside the document -------------------------------------------------------------
    def tables(self) -> None:
        from chitieu.analysis.achievement import assess

        lines = self.doc.lines
        blocks, block = [], []
        for no, line in enumerate(lines, start=1):
            if "\t" in line:
                block.append(no)
            elif line.strip() and block:
                blocks.append(block)
                block = []
        if block:
            blocks.append(block)
        for block in blocks:
            rows = [[clean_cell(c) for c in lines[no - 1].split("\t")] for no in block]
            try:
                parsed = parse_table(rows, term_end=self.term_end, file_label=self.doc.name, lines=block,
                                     source_name="doc")
            except InputError:
                continue
            vals = pd.DataFrame(parsed.values)
            cmps = pd.DataFrame(parsed.comparisons)
            for ind in parsed.indicators:
                line = int(ind["source"].split(":")[1])
                quote = lines[line - 1].replace("\t", " | ")[:160]
                v = vals[vals["indicator"] == ind["id"]]
                tgt = v[(v["status"] == "target") & (v["period"] == str(self.term_end)) & v["value"].notna()]
                act = v[v["status"].isin(["actual", "estimate"]) & v["value"].notna()]
                act = act[act["period"].astype(int) <= self.term_end].sort_values("period", kind="stable")
                c = cmps[cmps["indicator"] == ind["id"]] if not cmps.empty else cmps
                if tgt.empty or act.empty or c.empty:
                    continue
                t, a, cm = tgt.iloc[0], act.iloc[-1], c.iloc[0]
                T, A = float(t["value"]), float(a["value"])
                q = parse(cm["raw"])
                stated = f"{a['raw']} ({a['period']}) so với {t['raw']}: {cm['raw']}"
                if cm["value"] is not None and not pd.isna(cm["value"]):
                    exact = A / T * 100 if T else math.nan
                    ok = ratio_matches(exact, float(cm["value"]), q.decimals)
                    self.add(line=line, quote=quote, kind="table", stated=stated,
                             expected=f"{_fmt(A)} ÷ {_fmt(T)} × 100 = {format_vi(exact, max(q.decimals, 2))}%",
                             finding="consistent" if ok else "arithmetic_fails",
                             reason="khớp" if ok else "tỷ lệ in trong bảng không suy ra từ số của chính dòng đó",
                             indicator=ind["name"], year=str(a["period"]))
                elif q.words in ("met", "exceeded", "not_met"):
                    r = assess(A, T, direction=ind["direction"], target_comparator=t["comparator"],
                               actual_comparator=a["comparator"])
                    said = {"met": ("met", "exceeded"), "exceeded": ("exceeded",), "not_met": ("not_met",)}[q.words]
                    ok = r.verdict in said
                    self.add(line=line, quote=quote, kind="table", stated=stated,
                             expected=f"{_fmt(A)} so với {_fmt(T)} → {r.verdict_vi.lower()}",
                             finding="consistent" if ok else "arithmetic_fails",
                             reason="khớp" if ok else "nhận xét trong bảng không khớp số của chính dòng đó",
                             indicator=ind["name"], year=str(a["period"]))


def _value_of(rec) -> float:
    """A record's value; an x/y by its parts (30/36 = 83,33…, where the table prints 83,3)."""
    if rec is None:
        return math.nan
    num, den = rec.get("numerator"), rec.get("denominator")
    if num is not None and den is not None and pd.notna(num) and pd.notna(den) and den:
        return float(num) / float(den) * 100
    return float(rec["value"])


def _previous_context(text: str, clause) -> str:
    """For 'Cang), đạt 60% NQĐH' the subject is in the clause before, in the same sentence."""
    start = clause[0]
    prev = text[max(0, start - 300):start]
    sentence_end = max(prev.rfind(". "), prev.rfind("? "), prev.rfind("! "))
    return prev[sentence_end + 1:] if sentence_end >= 0 else prev


def _item(text: str, start: int, end: int, clause) -> str:
    """The list item around a number: from the delimiter before it (',', '(', ':' or the clause start; one more item
    back when the item before the number is shorter than two words) to the delimiter after it."""
    left = text[clause[0]:start]
    cuts = [m.end() for m in re.finditer(r"[(:]|,(?!\d)", left)]
    a = clause[0]
    for k in range(len(cuts) - 1, -1, -1):
        seg = left[cuts[k]:]
        if len(_words(seg)) >= 2:
            a = clause[0] + cuts[k]
            break
    right = re.search(r"[,;)]|\.(\s|$)|\s\d|\svà\s", text[end:clause[1]])
    b = end + (right.start() if right else clause[1] - end)
    return text[a:b]


def _quote(text: str, start: int, end: int, before: int = 50) -> str:
    a = max(0, start - before)
    a = text.rfind(" ", 0, a) + 1 if a > 0 else 0
    b = min(len(text), end + 5)
    chunk = text[a:b].strip()
    return ("…" if a > 0 else "") + chunk + ("…" if b < len(text) else "")


def _doc_year(lines: list[str]) -> int | None:
    for line in lines[:25]:
        m = re.search(r"tháng\s+\S*\s*năm\s+((?:19|20)\d\d)", line, re.IGNORECASE)
        if m:
            return int(m.group(1))
    return None


def _known_source(lines: list[str], root: Path) -> str | None:
    folder = root / "sources"
    if not folder.is_dir():
        return None
    n = len(lines)
    def norm(ls: list[str]) -> list[str]:
        return [unicodedata.normalize("NFC", x).lstrip("\ufeff") if i == 0 else unicodedata.normalize("NFC", x)
                for i, x in enumerate(ls)]

    mine = norm(lines)
    for p in sorted(folder.glob("*.txt")):
        other = p.read_text(encoding="utf-8").splitlines()
        if len(other) == n and norm(other) == mine:
            return p.name
    return None


def audit_lines(lines: list[str], locality: str, *, name: str = "(văn bản)", root: Path | None = None,
                doc_year: int | None = None) -> AuditReport:
    """Audit lines of text (see :func:`audit_document`)."""
    from chitieu.io import data as data_mod

    root = Path(root) if root is not None else data_dir()
    try:
        loc = data_mod.load_locality(locality, root)
    except KeyError as exc:
        raise InputError(exc.args[0]) from None
    catalogue = data_mod.load_catalogue(root)
    self_source = _known_source(lines, root)
    doc_year = doc_year or _doc_year(lines)
    auditor = _Auditor(Document(lines, name), loc, catalogue, self_source, doc_year)
    claims = auditor.run()
    notes = []
    if self_source:
        notes.append(f"Văn bản chính là data/sources/{self_source}: mỗi câu được so với phần còn lại của văn bản "
                     "(bảng, các đoạn khác), không so với bản ghi chép từ chính câu đó.")
    if doc_year:
        notes.append(f"'Đến nay', 'hiện nay' đọc là năm {doc_year} (ngày của văn bản).")
    return AuditReport(name, locality, claims, self_source, doc_year, notes)


def audit_document(path: Path, locality: str, *, root: Path | None = None, doc_year: int | None = None) -> AuditReport:
    """Read a draft (.txt or .docx) and audit every claim in it against ``locality``'s data."""
    doc = read_document(path)
    return audit_lines(doc.lines, locality, name=doc.name, root=root, doc_year=doc_year)
