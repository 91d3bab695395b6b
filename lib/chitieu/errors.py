"""The problems a user can fix, in one place: each is shown as a message (Vietnamese first, English in
brackets) naming the file, row and column where it can, with exit code 2 and never a traceback
(:func:`chitieu.cli.main`). Cheap to import: the command line catches these before loading anything heavy."""
from __future__ import annotations

import functools
from dataclasses import dataclass

__all__ = ["ChitieuError", "Problem", "DataError", "InputError", "UserError", "ConfigError", "OutputError",
           "LocalityIdError"]


class ChitieuError(Exception):
    """Base of every user-fixable problem."""


@functools.total_ordering
@dataclass(frozen=True)
class Problem:
    """One thing wrong in one place. Sorted by file, then row (a problem of the whole file first), column, text."""

    file: str
    row: int | None
    column: str | None
    message: str

    def _key(self) -> tuple:
        return (self.file, -1 if self.row is None else self.row, self.column or "", self.message)

    def __lt__(self, other: "Problem") -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", dòng {self.row}"
        if self.column:
            where += f", cột '{self.column}'"
        return f"{where}: {self.message}"


class DataError(ChitieuError):
    """Invalid data; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        head = f"{len(self.problems)} lỗi dữ liệu (data problems):"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class InputError(ChitieuError, ValueError):
    """An input the user can fix (unreadable file, no table, unknown locality …). The message names the file."""


class UserError(ChitieuError):
    """A command used in a way that cannot work (a missing option, a bad value); printed without a traceback."""


class ConfigError(ChitieuError, ValueError):
    """A path that cannot serve (the packaged sample data as a place to write, an output inside data/)."""


class OutputError(ChitieuError, OSError):
    """An output file could not be written. ``filename`` is the path the user gave (never the temporary file)."""


class LocalityIdError(InputError, ConfigError):
    """A locality id that cannot be used (:func:`chitieu.config.check_locality_id` says why): an input error
    wherever the id came from, and never used to build a path."""
