"""The review file: the doubtful cells of an import, ranked, for a person to confirm or correct.

``chitieu import`` writes ``data/<locality>/review.csv`` beside the data it imported (UTF-8 with BOM, so Excel on
Windows opens it with its diacritics). One row per doubtful cell, most consequential first:

| column | meaning |
|---|---|
| rank | 1 = read first |
| impact | 3: another reading changes the verdict; 2: it moves the ratio by 5 points or more; 1: neither |
| file, line, column | where the cell is (the imported file, its row, the header of its column) |
| raw | the cell as written |
| reading | what chitieu read |
| alternatives | what else it could be |
| why | the doubt, in words |
| code | the doubt, as a code (docs/IMPORT.md) |
| indicator | the indicator's id in data/<locality>/indicators.csv |
| correction | **for you**: ``ok`` to confirm the reading; a number or a quantity as it should be read (``2815``, ``2.815 ha``, ``trên 5%``); ``lower`` / ``higher`` for a direction; empty to leave it |

Importing the same file again (``--replace``) applies every filled ``correction``: the cell is read from it, its
doubt is gone (flag ``corrected`` or ``confirmed``), and it leaves the review list. A correction whose cell is no
longer in the file is reported, never silently dropped.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from chitieu.io.tableparse import ReviewItem
from chitieu.io.text import fold

__all__ = ["REVIEW_COLUMNS", "review_bytes", "read_corrections"]

REVIEW_COLUMNS = ["rank", "impact", "file", "line", "column", "raw", "reading", "alternatives", "why", "code",
                  "indicator", "correction"]


def review_bytes(items: list[ReviewItem], file_label: str) -> bytes:
    """The review file's bytes (UTF-8 with BOM), items in the order given (the parser ranks them)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(REVIEW_COLUMNS)
    for rank, r in enumerate(items, start=1):
        w.writerow([rank, r.impact, file_label, r.row, r.column or "", r.raw, r.reading, r.alternatives, r.message,
                    r.code, r.indicator, ""])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def read_corrections(path: Path) -> dict[tuple[int, str, str], str]:
    """``(line, folded column header, raw) → correction`` of the filled rows of a review file (none if absent)."""
    path = Path(path)
    if not path.is_file():
        return {}
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    out = {}
    for row in csv.DictReader(io.StringIO(text)):
        fix = (row.get("correction") or "").strip()
        if not fix:
            continue
        try:
            line = int(row.get("line") or 0)
        except ValueError:
            continue
        out[(line, fold(row.get("column") or ""), (row.get("raw") or "").strip())] = fix
    return out
