"""What every command shares: the error console, user errors, output to a file or stdout, terminal tables."""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

from rich.console import Console
from rich.table import Table

from chitieu.errors import UserError

__all__ = ["err", "UserError", "Format", "load_or_fail", "print_table", "write_text"]

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


def write_text(text: str, output: Path | None) -> None:
    """``text`` to ``output`` (written safely), or to stdout when no file is given."""
    if output:
        from chitieu.io.safe import atomic_write_bytes

        atomic_write_bytes(output, text.encode("utf-8"))
    else:
        sys.stdout.write(text)


def print_table(frame, title: str) -> None:
    console = Console(width=max(Console().width, 220))
    t = Table(title=title, show_lines=False, header_style="bold")
    for col in frame.columns:
        if col == "Chỉ tiêu":
            t.add_column(col, overflow="fold", min_width=40, max_width=56)
        elif col in ("Lưu ý", "Nguồn"):
            t.add_column(col, overflow="fold", max_width=32)
        else:
            t.add_column(str(col), overflow="fold", max_width=24)
    for row in frame.itertuples(index=False):
        t.add_row(*[str(v) for v in row])
    console.print(t)
