"""What every command shares: the error console, user errors, output to a file or stdout, terminal tables."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from chitieu.errors import UserError

__all__ = ["err", "UserError", "Format", "load_or_fail", "print_table", "write_text", "csv_text"]

err = Console(stderr=True, soft_wrap=True)  # no wrapping: "file, dòng, cột" stays on one line in logs


class Format(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def load_or_fail(loc_id: str):
    """The locality, validated; an unknown id is a :class:`UserError` naming the known ones."""
    from chitieu.io.data import load_locality

    try:
        return load_locality(loc_id)
    except KeyError as exc:
        raise UserError(exc.args[0]) from None


def write_text(text: str, output: Path | None, *, bom: bool = False) -> None:
    """``text`` to ``output`` (written safely), or to stdout when no file is given. ``bom``: a CSV file for people
    starts with a UTF-8 byte-order mark, so that Excel on Windows reads its Vietnamese right (stdout gets none:
    it is for pipes)."""
    if output:
        from chitieu.io.safe import atomic_write_bytes

        atomic_write_bytes(output, (("\ufeff" if bom else "") + text).encode("utf-8"))
    else:
        sys.stdout.write(text)


def csv_text(frame) -> str:
    """A frame as CSV for files people open: text cells made formula-safe (:func:`chitieu.io.safe.spreadsheet_text`),
    numbers as numbers (dot decimals), one line per row."""
    from chitieu.io.safe import spreadsheet_text

    safe = frame.copy()
    import pandas as pd

    for col in safe.columns:
        if pd.api.types.is_object_dtype(safe[col]) or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(spreadsheet_text)
    return safe.to_csv(index=False, lineterminator="\n")


def print_table(frame, title: str, *, notes: list[str] | tuple[str, ...] = (), numeric: list[str] | None = None,
                console: Console | None = None, optional: tuple[str, ...] = ()) -> None:
    """A terminal table that fits the terminal's width (rich's own measure: the terminal, or ``COLUMNS``).

    Nothing that matters is cut: a cell that is a number (as :mod:`chitieu.report.present` writes them) never
    breaks — its column is at least that wide —, a word never breaks when the column can hold it, and long text
    (names, words of a qualitative target, notes) wraps onto more lines. Number columns are right-aligned
    (``numeric``: the columns to right-align; by default those whose cells are all numbers). A hidden column
    ``_verdict`` colours the ``Đánh giá`` cells with the verdict's colour. ``notes`` are printed under the table.
    ``optional``: columns left out, in that order, when the terminal is too narrow to show them whole.
    """
    from rich.text import Text

    from chitieu.report.present import VERDICT_COLORS, is_numeric_text

    console = console or Console()
    verdicts = list(frame["_verdict"]) if "_verdict" in frame.columns else None
    frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("_")])
    console_width = console.width
    for col in optional:
        if col in frame.columns and _min_width(frame) > console_width:
            frame = frame.drop(columns=[col])
    cells = {c: ["" if v is None else str(v) for v in frame[c]] for c in frame.columns}
    if numeric is None:
        numeric = [c for c in frame.columns if any(cells[c]) and all(is_numeric_text(v) or v in ("", "—")
                                                                     for v in cells[c])]
    t = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0),
              title_justify="left", show_edge=False)
    names = [str(c) for c in frame.columns]
    widths = _fit_widths(names, [cells[c] for c in frame.columns], console.width)
    for col, name, width in zip(frame.columns, names, widths):
        justify = "right" if col in numeric else "left"
        t.add_column(name, overflow="fold", justify=justify, width=width)
    for i, row in enumerate(zip(*cells.values()) if cells else []):
        out = list(row)
        if verdicts is not None and "Đánh giá" in cells:
            k = list(cells).index("Đánh giá")
            color = VERDICT_COLORS.get(verdicts[i])
            out[k] = Text(out[k], style=f"bold {color}") if color else out[k]
        t.add_row(*out)
    console.print(t)
    for note in notes:
        console.print(note, markup=False, highlight=False)


_GAP = 2  # characters between two columns: one of padding, one of the (blank) separator


def _floors(names: list[str], columns: list[list[str]]) -> tuple[list[int], list[int]]:
    """Each column's natural width (its longest cell) and its floor: a number (as :mod:`chitieu.report.present`
    writes them, ``trên 39``, ``90,94 (2024)``) is never broken, a short cell (``Không đạt``, ``dòng 790``) stays
    whole when it can, longer text breaks between words (a very long word folds, nothing is lost)."""
    from chitieu.report.present import is_numeric_text

    natural = [max([len(n), *(len(v) for v in vals)]) for n, vals in zip(names, columns)]

    def unit(v: str) -> int:
        if is_numeric_text(v):
            return len(v)
        return len(v) if len(v) <= 10 else min(10, max((len(w) for w in v.split()), default=0))

    floor = []
    for n, vals, nat in zip(names, columns, natural):
        numbers = max((len(v) for v in vals if is_numeric_text(v)), default=0)
        words = max([2, *(min(len(w), 10) for w in n.split()), *(unit(v) for v in vals)])
        floor.append(max(min(nat, 16), min(words, 16)) if n == "Chỉ tiêu" else max(numbers, min(words, 12)))
    return natural, floor


def _min_width(frame) -> int:
    """The narrowest a frame's table can be without cutting anything (floors and gaps)."""
    names = [str(c) for c in frame.columns if not str(c).startswith("_")]
    cols = [["" if v is None else str(v) for v in frame[c]] for c in names]
    return sum(_floors(names, cols)[1]) + _GAP * (len(names) - 1)


def _fit_widths(names: list[str], columns: list[list[str]], total: int) -> list[int]:
    """Column widths that fit ``total`` characters: each column as wide as its longest cell when that fits;
    otherwise long text wraps (other columns at about 14 characters, the name column takes the rest), but no
    column gets narrower than its floor (:func:`_floors`), so nothing is cut."""
    natural, floor = _floors(names, columns)
    avail = max(total - _GAP * (len(names) - 1), sum(floor))
    widths = list(natural)
    if sum(widths) <= avail:
        return widths
    name_col = names.index("Chỉ tiêu") if "Chỉ tiêu" in names else None
    others = [i for i in range(len(names)) if i != name_col]
    for i in others:  # long text outside the name column wraps at about 14 characters
        widths[i] = max(floor[i], min(natural[i], 14))
    want_name = 0 if name_col is None else min(natural[name_col], max(floor[name_col], 24))
    while sum(widths[i] for i in others) + want_name > avail:
        wider = [i for i in others if widths[i] > floor[i]]
        if not wider:
            break
        i = max(wider, key=lambda k: widths[k] - floor[k])
        widths[i] -= 1
    if name_col is not None:
        widths[name_col] = max(floor[name_col], min(want_name, avail - sum(widths[i] for i in others)))

    def grow(candidates: list[int], limit) -> None:
        while sum(widths) < avail:
            short = [i for i in candidates if widths[i] < limit(i)]
            if not short:
                return
            i = min(short, key=lambda k: limit(k) - widths[k])  # the nearest to whole first
            widths[i] += 1

    if name_col is not None:  # room left: the names whole first
        grow([name_col], lambda i: natural[i])
    grow(others, lambda i: natural[i])  # then whatever still wraps, the nearest to whole first
    return widths
