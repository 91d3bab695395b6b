"""Finding a draft's claims: the scan of the document that spots each claim — a percentage against the
resolution or a plan, an x/y with its share, a verdict (vượt / đạt / không đạt NQ), a change since a year, a
"chưa có", a value next to an indicator's name, a row of a table — and hands it to its check
(:class:`chitieu.analysis.audit.checks.Checker`) in a fixed order: shares, ratios and plans, verdicts, changes,
"chưa có", then values (a number used by an earlier claim is not a value claim of its own).

The part of the document on the next term (after "phương hướng", "chỉ tiêu chủ yếu" …) holds targets: its values
are compared with the 2030 targets, not with results.

>>> bool(_VERDICT.search("đạt và vượt chỉ tiêu Nghị quyết")), bool(_CHANGE_SINCE.search("tăng 161 tỷ đồng so với năm 2020"))
(True, True)
"""
from __future__ import annotations

import re

import pandas as pd

from chitieu.analysis.audit.checks import Checker, Claim
from chitieu.analysis.audit.reading import _NQ_REF, _PLAN_REF, Document, _numbers, _year_marks
from chitieu.errors import InputError
from chitieu.io.sentences import Paragraph, paragraphs, tab_blocks
from chitieu.io.sentences import clauses as split_clauses
from chitieu.io.tableparse import parse_table
from chitieu.io.text import clean_cell

__all__ = ["ClaimFinder"]

_VERDICT = re.compile(r"\b(?P<verb>vượt|đạt|chưa đạt|không đạt|hoàn thành)\s+(?:và vượt\s+)?(?:so với\s+)?"
                      r"(?:(?:mục tiêu|chỉ tiêu|chi tiêu)\s+)?(?:của\s+)?(?P<ref>nghị quyết|nqđh|nq\b)",
                      re.IGNORECASE)
_CHANGE_SINCE = re.compile(r"\b(?P<dir>tăng|giảm|vượt)\s+(?:thêm\s+)?(?P<num>\d+(?:[.,]\d+)*)\s*(?P<unit>[^\d;,.()]{0,30}?)\s*"
                     r"(?:so với|so)\s+(?P<base>năm\s+(?:19|20)\d\d|đầu (?:năm\s+)?(?:19|20)\d\d|đầu kỳ|đầu nhiệm kỳ|"
                     r"nghị quyết(?: đại hội)?(?!\s+số)|nqđh|những năm trước(?: đây)?|cùng kỳ|kế hoạch)", re.IGNORECASE)
_NONE = re.compile(r"\bchưa có\s+(?P<np>[^\d;,.:()]{4,60})", re.IGNORECASE)
_TARGET_ON = re.compile(r"phần thứ hai|phương hướng|mục tiêu, nhiệm vụ|chỉ tiêu chủ yếu|nhiệm kỳ 2025\s*-\s*2030|"
                        r"mục tiêu cụ thể", re.IGNORECASE)
_TARGET_OFF = re.compile(r"phần thứ nhất|kết quả thực hiện|đánh giá tình hình|biểu kết quả|kết quả đạt được",
                         re.IGNORECASE)


class ClaimFinder:
    """Scans one document for claims; each is checked by ``check`` as it is found."""

    def __init__(self, doc: Document, check: Checker):
        self.doc = doc
        self.check = check
        self.notes: list[str] = []  # what could not be read, said in the report (never silently skipped)

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
        self.check.claims.sort(key=lambda c: c.line)
        return self.check.claims

    def paragraph(self, p: Paragraph, target_mode: bool) -> None:
        text = p.text
        check = self.check
        view = check.view(p.lines)
        unread: list[str] = []
        nums = _numbers(text, unread)
        self.notes += [f"dòng {p.spans[0][1]}: số '{t}' không đọc được, không kiểm tra" for t in unread]
        marks = _year_marks(text, check.doc_year)
        clauses = split_clauses(text)
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
        changes = list(_CHANGE_SINCE.finditer(text))
        for m in changes:
            for n in nums:
                if n.start == m.start("num"):
                    n.role = "change"
        for i, n in enumerate(nums):
            if n.fraction is not None and n.role == "value":
                check.share_claim(p, text, nums, i, view, marks, clause_of(n.start), used)
        for i, n in enumerate(nums):
            if n.role == "pct_ratio":
                check.ratio_claim(p, text, nums, i, view, marks, clause_of(n.start), used)
            elif n.role == "pct_plan" and n.start not in used:
                check.plan_claim(p, text, n, used)
        heading = len(text) < 90 and not re.search(r"\d", text.lstrip("#").lstrip())
        for m in _VERDICT.finditer(text):
            if heading or any(n.role == "pct_ratio" and m.start() <= n.start <= m.end() for n in nums):
                continue
            check.verdict_claim(p, text, m, view, marks, clause_of(m.start()))
        for m in changes:
            check.change_claim(p, text, m, nums, view, marks, clause_of(m.start()), used)
        if not target_mode:
            for m in _NONE.finditer(text):
                check.none_claim(p, text, m, view, marks, clause_of(m.start()))
        for i, n in enumerate(nums):
            if n.role == "value" and n.start not in used and (n.unit is not None or n.fraction) and n.paren == 0:
                check.value_claim(p, text, nums, i, view, marks, clause_of(n.start), used, target_mode)

    def tables(self) -> None:
        """Each row of a tab-separated table in the document, read by the importer's table parser."""
        lines = self.doc.lines
        blocks = tab_blocks(lines)
        for block in blocks:
            rows = [[clean_cell(c) for c in lines[no - 1].split("\t")] for no in block]
            try:
                parsed = parse_table(rows, term_end=self.check.term_end, file_label=self.doc.name, lines=block,
                                     source_name="doc")
            except InputError as exc:
                self.notes.append(f"bảng ở dòng {block[0]}–{block[-1]} không đọc được, không kiểm tra: "
                                  f"{str(exc).splitlines()[0]}")
                continue
            vals = pd.DataFrame(parsed.values)
            cmps = pd.DataFrame(parsed.comparisons)
            for ind in parsed.indicators:
                self.check.table_row(ind, vals, cmps, lines)
