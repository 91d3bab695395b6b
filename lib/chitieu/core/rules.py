"""Rules that are data: tables shipped in ``chitieu/core/rules/*.csv`` (header vocabulary, direction of an
indicator by its name, OCR repairs, scale words …), read once, validated like ``data/``.

Each table is UTF-8 CSV with a header row; its columns are declared in :data:`TABLES` (name → required columns).
:func:`table` returns it as a list of dicts of strings; a missing file, a missing column or an empty required
cell is a :class:`chitieu.errors.DataError` naming file, row and column. ``chitieu check`` validates every table
(:func:`check`). To change a rule, edit its CSV; the docstring of the module that applies it says how it is used.

>>> sorted(TABLES)[:1]
['direction_words']
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from chitieu.errors import DataError, Problem

__all__ = ["TABLES", "table", "check", "rules_dir"]

#: table name -> (required columns, columns that may be empty)
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "direction_words": (("pattern", "direction", "why"), ("example",)),
    "header_roles": (("pattern", "role", "why"), ("status", "example")),
    "ocr_repairs": (("damaged", "repaired", "why"), ("example",)),
    "units": (("unit", "base", "factor", "family"), ("aliases", "why")),
    "scale_words": (("word", "factor"), ("why",)),
}


def rules_dir() -> Path:
    return Path(str(resources.files("chitieu.core") / "rules"))


def _read(name: str) -> tuple[list[dict[str, str]], list[Problem]]:
    required, optional = TABLES[name]
    path = rules_dir() / f"{name}.csv"
    label = f"chitieu/core/rules/{name}.csv"
    problems: list[Problem] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(label, None, None, f"không đọc được bảng quy tắc ({exc})")]
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    for col in required:
        if col not in header:
            problems.append(Problem(label, 1, col, "thiếu cột (missing column)"))
    if problems:
        return [], problems
    rows = []
    for i, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values()):
            continue
        for col in required:
            if not (row.get(col) or "").strip():
                problems.append(Problem(label, i, col, "không được để trống (required)"))
        if row.get("pattern"):
            try:
                re.compile(row["pattern"])
            except re.error as exc:
                problems.append(Problem(label, i, "pattern", f"biểu thức không hợp lệ (invalid pattern): {exc}"))
        if None in row:
            problems.append(Problem(label, i, None, "thừa ô: một dấu phẩy trong ô cần đặt ô trong ngoặc kép \"…\" "
                                                    "(too many cells: quote a cell that holds a comma)"))
        rows.append({k: (v or "") for k, v in row.items() if k is not None} | {"_row": str(i)})
    return rows, problems


@lru_cache(maxsize=None)
def _table(name: str) -> tuple[dict[str, str], ...]:
    rows, problems = _read(name)
    if problems:
        raise DataError(problems)
    return tuple(rows)


def table(name: str) -> list[dict[str, str]]:
    """The rows of rule table ``name`` (each a dict of strings; ``_row`` is its line in the file)."""
    if name not in TABLES:
        raise KeyError(f"no rule table {name!r}; known: {', '.join(sorted(TABLES))}")
    return list(_table(name))


def check() -> list[Problem]:
    """Every problem of every rule table (``chitieu check`` reports them with the data's)."""
    problems: list[Problem] = []
    for name in TABLES:
        problems.extend(_read(name)[1])
    return problems
