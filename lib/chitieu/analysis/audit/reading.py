"""Reading a draft: its lines (text or .docx), the numbers in its running text with their units and roles, the
time marks of a paragraph ("năm 2024", "đến nay"), and the small text helpers the claims are quoted with.
Paragraphs and clauses come from :mod:`chitieu.io.sentences` (shared with ``extract``).

>>> [(n.text, n.unit, n.comparator) for n in _numbers("Thu nhập bình quân trên 39 triệu đồng/người/năm, tăng 5%")]
[('39', 'triệu đồng/người/năm', '>'), ('5', '%', '=')]
>>> _year_marks("Đến nay có 3 xã; năm 2024 đạt 5 xã", 2025)
[(0, 2025, 'đến nay'), (17, 2024, 'năm')]
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from chitieu.errors import InputError
from chitieu.io.quantity import DATES, parse
from chitieu.io.sentences import FOOTNOTE_MARKS
from chitieu.analysis.audit.matching import _words
from chitieu.io.text import fold, read_text_file

__all__ = ["Document", "read_document", "Num", "known_source"]


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
        from chitieu.io.documents import docx_texts  # python-docx (and lxml) load only when a .docx is read

        lines = [unicodedata.normalize("NFC", t) for t in docx_texts(path, split_breaks=False)]
        if not any(line.strip() for line in lines):
            raise InputError(f"{path.name}: tệp .docx không có chữ nào (no text)")
        return Document(lines, path.name, "docx")
    if suffix not in (".txt", ".md", ".text", ""):
        raise InputError(f"{path.name}: định dạng không hỗ trợ '{suffix}' — dùng .txt hoặc .docx")
    lines, enc = read_text_file(path)
    return Document(lines, path.name, enc)


_NUMBER = re.compile(r"(?<![\w.,/])(\d+(?:[.,]\d+)*)(?![\d]|[.,]\d)")
_DOCNUM = re.compile(r"^(?:-|/)\s*[A-ZĐ]|^\s*-\s*(?:NQ|CT|KL|QĐ|BC|TB|CTr)\b")
_FRACTION = re.compile(r"(?<![\w.,/])(?P<x>\d+(?:[.,]\d+)*)\s*(?P<xu>km|ha|m|[^\W\d_]{0,0})\s*/\s*(?P<y>\d+(?:[.,]\d+)*)"
                       r"(?P<yu>\s*(?:km|ha|m)\b)?")
_SUPERSCRIPT = FOOTNOTE_MARKS


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
    nxt = re.search(r"(?<![^\W\d_])\d", tail)  # the next number, not the 3 of "m3" (a digit right after a letter)
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


def _numbers(text: str, unread: list[str] | None = None) -> list[Num]:
    """The numbers of ``text`` with their roles; a token that cannot be read as a number is added to ``unread``."""
    masked = DATES.sub(lambda m: " " * len(m.group()), text)
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
        elif re.search(r"\d\s*[-–]\s*$", before) and not re.fullmatch(r"(19|20)\d\d", token):
            continue  # the upper end of a range ("01 - 02 tổ chức"): the claim is the range, read from its start
        else:
            role = "value"
        try:
            value, dec, unit, per_year, unit_end = _read_number(text, s, e)
        except ValueError:
            if unread is not None:
                unread.append(token)
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
                y = parse(m.group("y")).value
                if y is None:  # "x/…": not a fraction, the x stays a value
                    continue
                if y > 0 and n.value <= y * 1.5:
                    n.fraction = (n.value, y)
                    n.end = max(n.end, m.end())
    # the y of an x/y is not a value of its own
    ys = {m.start("y") for m in _FRACTION.finditer(masked)}
    return [n for n in nums if n.start not in ys]


_YEAR_PHRASE = re.compile(r"(?<!so với )(?<!so với đầu )\b(?:đến hết năm|hết năm|đến cuối năm|cuối năm|đến năm|"
                          r"riêng năm|trong năm|năm)\s+((?:19|20)\d\d)\b(?!\s*[-–]\s*(?:19|20)\d\d)", re.IGNORECASE)
_DATE_YEAR = re.compile(r"\b\d{1,2}/\d{1,2}/((?:19|20)\d\d)\b")
_NOW = re.compile(r"\b(đến nay|hiện nay|hiện tại|đến thời điểm hiện tại)\b", re.IGNORECASE)

# what a percentage is compared with, right after it: the resolution, or a plan, an estimate, a quota
_NQ_REF = re.compile(r"^\s*\)?\s*(?:so với\s+)?(?:(?:mục tiêu|chỉ tiêu|chi tiêu)\s+)?"
                     r"(?:nghị quyết(?!\s+số)|nqđh|nq\b|nq ?đh)", re.IGNORECASE)
_PLAN_REF = re.compile(r"^\s*\)?\s*(?:so với\s+)?(?:kế hoạch|kh\b|dự toán|chỉ tiêu(?:,)? (?:kế hoạch )?(?:giao|tỉnh giao|"
                       r"tuyển quân)|chỉ tiêu giao|mục tiêu đề ra|diện tích cần giao|cùng kỳ)", re.IGNORECASE)

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


def known_source(lines: list[str], root: Path) -> str | None:
    """The name of the file of ``root/sources/`` whose text these lines are (NFC, a BOM ignored), or None."""
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


