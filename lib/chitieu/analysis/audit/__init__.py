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

The package, by responsibility: :mod:`.reading` (the draft's lines, numbers in running text, time marks),
:mod:`.matching` (which indicator a passage names), :mod:`.claims` (finding the claims: the scan of the document),
:mod:`.checks` (checking them against the data and their own arithmetic). Rules in ``docs/AUDIT.md``.

>>> report = audit_document(Path("data/sources/002_12d62f31151c975c.txt"), "muong-ang")   # doctest: +SKIP
>>> report.counts()                                                                        # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

from chitieu.analysis.audit.checks import (
    CLAIM_COLUMNS, FINDING_VI, FINDINGS, CLAIM_KIND_VI, AuditReport, Checker, Claim, ratio_matches, values_match,
)
from chitieu.analysis.audit.claims import ClaimFinder
from chitieu.analysis.audit.matching import Matcher, unit_compatible
from chitieu.analysis.audit.reading import Document, _doc_year, known_source, read_document
from chitieu.config import data_dir
from chitieu.errors import InputError
from chitieu.io import data as data_mod
from chitieu.io.sentences import paragraphs

__all__ = ["Claim", "AuditReport", "audit_document", "audit_lines", "read_document", "FINDINGS", "FINDING_VI",
           "CLAIM_KIND_VI", "CLAIM_COLUMNS", "Matcher", "known_source", "ratio_matches", "values_match", "unit_compatible",
           "paragraphs"]

def audit_lines(lines: list[str], locality: str, *, name: str = "(văn bản)", root: Path | None = None,
                doc_year: int | None = None) -> AuditReport:
    """Audit lines of text (see :func:`audit_document`)."""
    root = Path(root) if root is not None else data_dir()
    try:
        loc = data_mod.load_locality(locality, root)
    except KeyError as exc:
        raise InputError(exc.args[0]) from None
    catalogue = data_mod.load_catalogue(root)
    self_source = known_source(lines, root)
    doc_year = doc_year or _doc_year(lines)
    check = Checker(loc, catalogue, self_source, doc_year)
    finder = ClaimFinder(Document(lines, name), check)
    claims = finder.run()
    notes = list(finder.notes)
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
