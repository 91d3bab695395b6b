"""Running text as chitieu reads it: paragraphs joined across the line breaks a page or an OCR pass left, and the
clauses of a paragraph. Shared by ``audit`` (checking a draft's claims) and ``extract`` (proposing a document's
targets and results), so that both read a sentence the same way.

>>> ps = paragraphs(["Diện tích cà phê đạt 2.815 ha (xã Ấng", "Cang), đạt 141% NQĐH."])
>>> ps[0].text, ps[0].lines
('Diện tích cà phê đạt 2.815 ha (xã Ấng Cang), đạt 141% NQĐH.', [1, 2])
>>> text = "Thu nhập đạt 39 triệu; hộ nghèo còn 5%."
>>> [text[a:b] for a, b in clauses(text)]
['Thu nhập đạt 39 triệu;', ' hộ nghèo còn 5%.']
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Paragraph", "paragraphs", "clauses", "split_outside_parentheses", "tab_blocks", "is_footnote", "FOOTNOTE_MARKS",
           "TERMINAL"]

#: superscript digits and parentheses: footnote marks glued to numbers or opening a footnote line
FOOTNOTE_MARKS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"
#: characters that end a sentence (a line ending otherwise continues on the next line of text)
TERMINAL = tuple(".!?:;…”\"»)")


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


def is_footnote(line: str) -> bool:
    return bool(line.lstrip()) and line.lstrip()[0] in FOOTNOTE_MARKS


def paragraphs(lines: list[str]) -> list[Paragraph]:
    """Join the lines a page break split ('… xã Ấng' / '(footnote)' / 'Cang), đạt 60% NQĐH'): a line that does not end
    a sentence continues on the next line of text that starts in lower case, footnotes in between skipped."""
    out: list[Paragraph] = []
    current: Paragraph | None = None
    for no, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip() or "\t" in line:
            continue
        if is_footnote(line):
            out.append(Paragraph(line, [(0, no)]))
            continue
        first = line.lstrip()[0]
        unclosed = current is not None and current.text.count("(") > current.text.count(")")
        abbreviation = bool(re.match(r"^[A-ZĐ]{2,5}\b(?!\s*[-–.)]\s)", line.lstrip())) and not line.isupper()
        if current is not None and not current.text.rstrip().endswith(TERMINAL) and (
                first.islower() or first == "(" or first.isdigit() or unclosed or abbreviation
                or re.match(r"^\S+[),]", line.lstrip())):
            current.spans.append((len(current.text) + 1, no))
            current.text += " " + line.strip()
            continue
        current = Paragraph(line.strip(), [(0, no)])
        out.append(current)
    return out


def split_outside_parentheses(text: str, boundary: str | re.Pattern) -> list[tuple[int, int]]:
    """(start, end) of the non-blank pieces of ``text`` cut after each match of ``boundary`` that is not inside
    parentheses."""
    depth, depth_at = 0, []
    for ch in text:
        depth_at.append(depth)
        depth = depth + 1 if ch == "(" else max(0, depth - 1) if ch == ")" else depth
    bounds = [0]
    for m in re.finditer(boundary, text):
        if depth_at[m.start()] == 0:
            bounds.append(m.end())
    bounds.append(len(text))
    return [(a, b) for a, b in zip(bounds, bounds[1:]) if text[a:b].strip()]


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of the clauses of a paragraph: split at ';' and at sentence ends, not inside parentheses."""
    return split_outside_parentheses(text, r";|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ(*0-9])")


def tab_blocks(lines: list[str], *, min_cells: int = 1) -> list[list[int]]:
    """The tables of a text: runs of lines (numbered from 1) holding a tab (and at least ``min_cells`` non-empty
    cells); a blank line does not end a run, a line of text does."""
    blocks, block = [], []
    for no, line in enumerate(lines, start=1):
        if "\t" in line and sum(1 for c in line.split("\t") if c.strip()) >= min_cells:
            block.append(no)
        elif line.strip() and block:
            blocks.append(block)
            block = []
    if block:
        blocks.append(block)
    return blocks
