"""Reading, checking and writing whole panels: a long table (the columns ``chitieu data`` writes, one row per
number, with a ``locality`` column) from a user's CSV or Parquet file, checked row by row with every problem
reported at once (file, line, column), turned into integer codes for :func:`chitieu.analysis.panel.assess_panel`,
and results written back as CSV or Parquet. The format: ``docs/PANEL.md``.

>>> panel = read_panel("ca-nuoc.csv")                        # doctest: +SKIP
>>> write_output(out, "ket-qua.parquet")                      # doctest: +SKIP
"""
from __future__ import annotations

import csv
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from chitieu.core.vocabulary import COMPARATORS, CONTRADICTING_COMPARATORS, DIRECTIONS, KINDS, STATUSES
from chitieu.errors import DataError, InputError, Problem
from chitieu.io.data import PERIOD
from chitieu.io.safe import spreadsheet_text

__all__ = ["REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "LongPanel", "PanelInputError", "PanelDataError", "read_table",
           "read_panel", "panel_from_frame", "write_output", "write_csv"]

REQUIRED_COLUMNS = ("locality", "indicator", "period", "value", "status", "kind", "direction")
OPTIONAL_COLUMNS = ("comparator", "numerator", "denominator", "name", "unit", "source")
_NUMBER_COLUMNS = ("value", "numerator", "denominator")
_CODE_COLUMNS = ("locality", "indicator", "period", "status", "kind", "direction", "comparator", "name", "unit",
                 "source")
MAX_PROBLEMS_SHOWN = 100
_PER_CHECK = 1000  # problems materialised per check (the count is always exact)

# positive values only, as `chitieu check` requires
_NON_NEGATIVE_KINDS = ("share", "x_of_y", "level", "cumulative")


class PanelInputError(InputError):
    """The file cannot be read at all (missing, unknown extension, Parquet without pyarrow)."""


class PanelDataError(DataError):
    """Problems in the panel's rows; the message lists the first :data:`MAX_PROBLEMS_SHOWN` and the total."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        problems = sorted(problems, key=lambda p: (p.file, p.row if p.row is not None else -1, p.column or "",
                                                   p.message))
        self.problems = problems
        self.total = max(total or 0, len(problems))
        shown = problems[:MAX_PROBLEMS_SHOWN]
        head = f"{self.total} lỗi dữ liệu (data problems):"
        lines = [head, *(f"  - {p}" for p in shown)]
        if self.total > len(shown):
            lines.append(f"  … và {self.total - len(shown)} lỗi khác (and {self.total - len(shown)} more)")
        Exception.__init__(self, "\n".join(lines))


@dataclass
class LongPanel:
    """A validated long table, as integer codes (one entry per row).

    ``loc``/``ind`` index ``localities``/``indicators`` (sorted names); ``status``, ``kind``, ``direction``,
    ``comparator`` index ``STATUSES``, ``KINDS``, ``DIRECTIONS``, ``COMPARATORS``; ``year`` is the period's last
    year and ``start`` its first (equal for a single year); ``row`` is where the row is in the file (the CSV line,
    header = 1; the Parquet row, first = 1). ``name``, ``unit``, ``source`` index their own ``labels``
    (-1: absent).
    """

    file: str
    localities: np.ndarray
    indicators: np.ndarray
    loc: np.ndarray
    ind: np.ndarray
    status: np.ndarray
    kind: np.ndarray
    direction: np.ndarray
    comparator: np.ndarray
    year: np.ndarray
    start: np.ndarray
    value: np.ndarray
    row: np.ndarray
    labels: dict
    name: np.ndarray
    unit: np.ndarray
    source: np.ndarray
    pairs: np.ndarray       # the series, as loc × len(indicators) + ind, sorted
    pair_first: np.ndarray  # each series' first row
    pair: np.ndarray        # each row's series (index into pairs)

    def __len__(self) -> int:
        return len(self.loc)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------

def _csv_header(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as fh:
        line = fh.readline()
    return next(csv.reader([line]), []) if line.strip() else []


def _count_lines(path: Path) -> int:
    """Physical lines of the file (a last line without a newline counts)."""
    n, last = 0, b"\n"
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n + (last != b"\n")


def _record_lines(path: Path) -> np.ndarray:
    """The line each data record starts on, as pandas counts records (blank lines skipped). Slow: a fallback."""
    starts = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        prev = reader.line_num
        for rec in reader:
            if rec:
                starts.append(prev + 1)
            prev = reader.line_num
    return np.asarray(starts, dtype=np.int64)


def _structure_problems(path: Path, name: str) -> tuple[list[Problem], int]:
    """Encoding and cell-count problems, each with its line (a slow pass, run only when something is wrong)."""
    problems: list[Problem] = []
    total = prev = 0
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            prev = reader.line_num
            for rec in reader:
                if rec and len(rec) != len(header):
                    total += 1
                    hint = (f" — bản ghi kéo dài từ dòng {prev + 1} đến {reader.line_num}: có lẽ thiếu dấu \" đóng "
                            "(an unclosed quote?)" if reader.line_num > prev + 1 else "")
                    if len(problems) < _PER_CHECK:
                        problems.append(Problem(name, prev + 1, None, f"có {len(rec)} ô, tiêu đề có {len(header)} "
                                                                      f"(wrong number of cells){hint}"))
                prev = reader.line_num
    except UnicodeDecodeError:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            return [Problem(name, line, None, f"tệp không phải UTF-8, có lẽ Windows-1258 hay TCVN3 (byte "
                                              f"0x{raw[exc.start]:02X}; file is not UTF-8; save it as 'CSV UTF-8')")], 1
    except csv.Error as exc:
        problems.append(Problem(name, prev + 1, None, f"không đọc được CSV ({exc}): có lẽ thiếu dấu \" đóng "
                                                      "(unreadable CSV: an unclosed quote?)"))
        total += 1
    return problems, total


def _read_csv(path: Path, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    header = _csv_header(path)
    if not header:
        raise PanelDataError([Problem(name, 1, None, "tệp rỗng hoặc không có dòng tiêu đề (empty file, no header)")])
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "';'" if ";" in header[0] else "tab"
        raise PanelDataError([Problem(name, 1, None, f"các cột cách nhau bằng {sep}, cần dấu phẩy ',' (columns are "
                                                     f"separated by {sep}, not ','; save it as 'CSV UTF-8 "
                                                     "(Comma delimited)')")])
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise PanelDataError([Problem(name, 1, h, "cột lặp lại trong dòng tiêu đề (repeated column)")
                              for h in repeated])
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise PanelDataError([Problem(name, 1, c, "thiếu cột (missing column)") for c in missing])
    wanted = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in header]
    dtypes = {c: ("float64" if c in _NUMBER_COLUMNS else "category") for c in wanted}
    common = dict(usecols=wanted, keep_default_na=False, encoding="utf-8-sig", engine="c")
    try:
        try:
            frame = pd.read_csv(path, dtype=dtypes, na_values={c: [""] for c in _NUMBER_COLUMNS if c in wanted},
                                **common)
        except ValueError as exc:  # a number column holds text: read it as text to say where
            if isinstance(exc, (UnicodeDecodeError, pd.errors.ParserError)):
                raise
            dtypes = {c: ("str" if c in _NUMBER_COLUMNS else "category") for c in wanted}
            frame = pd.read_csv(path, dtype=dtypes, na_filter=False, **common)
    except (UnicodeDecodeError, pd.errors.ParserError, csv.Error) as exc:
        problems, total = _structure_problems(path, name)
        raise PanelDataError(problems or [Problem(name, None, None, f"không đọc được CSV (unreadable CSV): {exc}")],
                             total)
    for c in frame.columns:  # read_csv turns all-number categories into numbers ("0001" → 1): keep the text
        if isinstance(frame[c].dtype, pd.CategoricalDtype) and not _is_text_index(frame[c].cat.categories):
            if c == "period":
                frame[c] = frame[c].cat.rename_categories([_year_text(v) for v in frame[c].cat.categories])
            else:
                frame[c] = pd.read_csv(path, usecols=[c], dtype=str, keep_default_na=False, na_filter=False,
                                       encoding="utf-8-sig")[c].astype("category")
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    if _count_lines(path) != len(frame) + 1:  # blank lines or line breaks inside quoted cells
        rows = _record_lines(path)
        if len(rows) != len(frame):  # should not happen; fall back to record numbers
            rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    return frame, rows


def _is_text_index(index: pd.Index) -> bool:
    return len(index) == 0 or pd.api.types.is_string_dtype(index) or index.dtype == object


def _year_text(v) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    return str(int(f)) if f == int(f) else str(v)


def _read_parquet(path: Path, name: str) -> tuple[pd.DataFrame, np.ndarray]:
    try:
        import pyarrow.parquet as pq  # deliberately lazy: pyarrow loads only for a Parquet file
    except ImportError:
        raise PanelInputError("đọc Parquet cần gói 'pyarrow' (chưa cài: pip install pyarrow), hoặc dùng tệp CSV / "
                              "reading Parquet needs the 'pyarrow' package, which is not installed") from None
    try:
        names = list(pq.read_schema(path).names)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds
        raise PanelInputError(f"{name}: không đọc được Parquet (unreadable Parquet file): {exc}") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise PanelDataError([Problem(name, None, c, "thiếu cột (missing column)") for c in missing])
    wanted = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in names]
    frame = pd.read_parquet(path, columns=wanted)
    return frame, np.arange(1, len(frame) + 1, dtype=np.int64)


def read_table(path: str | os.PathLike) -> tuple[pd.DataFrame, np.ndarray]:
    """The file's columns that matter, unchecked (text as categories, numbers as floats), and each row's place
    (CSV line, header = 1; Parquet row, first = 1). :func:`read_panel` is this, then :func:`panel_from_frame`."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise PanelInputError(f"không có tệp '{name}' (no such file)")
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return _read_parquet(path, name)
    if suffix in (".csv", ".txt", ""):
        return _read_csv(path, name)
    raise PanelInputError(f"'{name}': cần tệp .csv hoặc .parquet (expected a .csv or .parquet file)")


def read_panel(path: str | os.PathLike, *, progress: Callable[[str], None] | None = None) -> LongPanel:
    """Read and validate a long table from CSV (``.csv``, ``.txt``) or Parquet (``.parquet``, ``.pq``).

    Raises :class:`PanelInputError` when the file cannot be opened as either, and :class:`PanelDataError`
    listing every problem (file, row, column) when rows are wrong.
    """
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    frame, rows = read_table(path)
    if progress:
        progress(f"Đã đọc {name}: {len(frame):,} dòng".replace(",", "."))
    try:
        return panel_from_frame(frame, name, rows=rows)
    except PanelDataError as exc:
        if suffix == ".parquet" or suffix == ".pq":
            raise
        # rows with a wrong number of cells shift the columns after them: say so beside what they broke
        extra, total = _structure_problems(path, name)
        if not extra:
            raise
        raise PanelDataError(exc.problems + extra, exc.total + total) from None


# --------------------------------------------------------------------------------------------
# Validation: every problem at once, on the distinct values of each column
# --------------------------------------------------------------------------------------------

class _Problems:
    def __init__(self, file: str, rows: np.ndarray):
        self.file, self.rows, self.items, self.total = file, rows, [], 0

    def add(self, mask: np.ndarray, column: str | None, message: Callable[[np.ndarray], list[str]] | str) -> None:
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            return
        self.total += len(idx)
        idx = idx[:_PER_CHECK]
        texts = [message] * len(idx) if isinstance(message, str) else message(idx)
        self.items.extend(Problem(self.file, int(self.rows[i]), column, t) for i, t in zip(idx, texts))

    def raise_if_any(self) -> None:
        if self.total:
            raise PanelDataError(self.items, self.total)


def _codes(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(codes, stripped text of each category); a missing cell is the empty string."""
    s = frame[column]
    if not isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object).where(s.notna(), "").astype(str).astype("category")
    cats = np.array([str(c).strip() for c in s.cat.categories] + [""], dtype=object)
    codes = s.cat.codes.to_numpy()  # int8 / int16 / int32: small arrays for 1,7 million rows
    if len(cats) >= np.iinfo(codes.dtype).max:
        codes = codes.astype(np.int32)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(cats) - 1, codes).astype(codes.dtype)
    return codes, cats


def _lookup(codes: np.ndarray, cats: np.ndarray, allowed: tuple[str, ...], empty: str | None = None) -> np.ndarray:
    """Index of each row's text in ``allowed`` (-1 when not allowed); ``empty`` stands for the empty string."""
    pos = {v: i for i, v in enumerate(allowed)}
    table = np.array([pos.get(empty if (c == "" and empty is not None) else c, -1) for c in cats], dtype=np.int8)
    return table[codes]


def _numbers(frame: pd.DataFrame, column: str, probs: _Problems) -> np.ndarray:
    s = frame[column]
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        out = s.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = s.astype(object).where(s.notna(), "")
        codes, uniq = pd.factorize(text.to_numpy(dtype=object))
        stripped = pd.Series(uniq, dtype=object).map(lambda v: str(v).strip())
        num = pd.to_numeric(stripped.where(stripped != "", None), errors="coerce").to_numpy(dtype=float,
                                                                                           na_value=np.nan)
        bad_u = (stripped != "").to_numpy() & np.isnan(num) & ~stripped.str.lower().isin(["nan"]).to_numpy()
        out = num[codes] if len(uniq) else np.full(len(s), np.nan)
        bad = bad_u[codes] if len(uniq) else np.zeros(len(s), bool)
        probs.add(bad, column, lambda idx: [f"'{uniq[codes[i]]}' không phải là số viết kiểu máy "
                                            "(expected a number like 2815 or 509.1)" for i in idx])
    probs.add(np.isinf(out), column, "số phải hữu hạn (the number must be finite)")
    return out


def panel_from_frame(frame: pd.DataFrame, name: str = "<bảng>", *, rows: np.ndarray | None = None) -> LongPanel:
    """Validate a long table held in memory (e.g. ``chitieu.io.data.long_table(loc)`` or a file read by pandas).

    ``rows`` gives each row's place for the messages (default: the CSV line, header = 1). Raises
    :class:`PanelDataError` with every problem.
    """
    frame = frame.rename(columns=lambda c: str(c).strip())
    rows = np.arange(2, len(frame) + 2, dtype=np.int64) if rows is None else np.asarray(rows, dtype=np.int64)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise PanelDataError([Problem(name, 1, c, "thiếu cột (missing column)") for c in missing])
    blank = _blank_rows(frame)
    if blank is not None:  # rows whose cells are all empty (Excel leaves them) are skipped
        frame, rows = frame[~blank].reset_index(drop=True), rows[~blank]
    probs = _Problems(name, rows)
    n = len(frame)

    loc_c, loc_cats = _codes(frame, "locality")
    ind_c, ind_cats = _codes(frame, "indicator")
    probs.add(loc_cats[loc_c] == "", "locality", "không được để trống (required)")
    probs.add(ind_cats[ind_c] == "", "indicator", "không được để trống (required)")

    coded = _coded_columns(frame, probs)
    start, year = _periods(frame, probs)
    value = _values(frame, probs)
    kind, direction, comparator, status = coded["kind"], coded["direction"], coded["comparator"], coded["status"]
    nonneg = np.isin(kind, [KINDS.index(k) for k in _NON_NEGATIVE_KINDS])
    probs.add(nonneg & (value < 0), "value",
              lambda idx: [f"giá trị âm không hợp lệ cho loại '{KINDS[kind[i]]}' (negative value)" for i in idx])

    loc_names, loc_map = _sorted_codes(loc_cats)  # codes that order like the names
    ind_names, ind_map = _sorted_codes(ind_cats)
    loc = loc_map[loc_c].astype(np.int32)
    ind = ind_map[ind_c].astype(np.int32)
    pairs, first, pair = _pairs(loc, ind, max(len(ind_names), 1))
    _check_series_codes(probs, rows, first, pair, kind, direction, comparator, status)
    probs.raise_if_any()

    labels, extra = {}, {}
    for col in ("name", "unit", "source"):
        if col in frame.columns:
            c, cats = _codes(frame, col)
            labels[col], extra[col] = cats, c
        else:
            labels[col], extra[col] = np.array([""], dtype=object), np.full(n, -1, dtype=np.int8)
    return LongPanel(
        file=name, localities=loc_names, indicators=ind_names, loc=loc, ind=ind, status=status.astype(np.int8),
        kind=kind.astype(np.int8), direction=direction.astype(np.int8), comparator=comparator.astype(np.int8),
        year=year.astype(np.int16), start=start.astype(np.int16), value=value, row=rows, labels=labels,
        name=extra["name"], unit=extra["unit"], source=extra["source"], pairs=pairs, pair_first=first, pair=pair)


def _coded_columns(frame: pd.DataFrame, probs: _Problems) -> dict[str, np.ndarray]:
    """status, kind, direction and comparator as indexes into their vocabulary (-1 and a problem when unknown)."""
    n = len(frame)
    coded = {}
    for col, allowed, empty in (("status", STATUSES, None), ("kind", KINDS, None),
                                ("direction", DIRECTIONS, None), ("comparator", COMPARATORS, "=")):
        if col not in frame.columns:  # only comparator is optional
            coded[col] = np.zeros(n, dtype=np.int8)
            continue
        codes, cats = _codes(frame, col)
        pos = _lookup(codes, cats, allowed, empty)
        coded[col] = pos
        shown = "" if empty else " (bắt buộc)"
        probs.add(pos < 0, col, lambda idx, cats=cats, codes=codes, col=col, allowed=allowed, shown=shown:
                  [f"'{cats[codes[i]]}': {col} phải là một trong {allowed}{shown}" for i in idx])
    return coded


def _periods(frame: pd.DataFrame, probs: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """(first year, last year) of each row's period ('2025' or '2021-2025'); -1 and a problem when unreadable."""
    per_c, per_cats = _codes(frame, "period")
    starts = np.full(len(per_cats), -1, dtype=np.int16)
    ends = np.full(len(per_cats), -1, dtype=np.int16)
    for i, p in enumerate(per_cats):
        m = PERIOD.match(p)
        if m and (not m["end"] or int(m["end"]) >= int(m["start"])):
            starts[i] = int(m["start"])
            ends[i] = int(m["end"] or m["start"])
    start, year = starts[per_c], ends[per_c]
    probs.add(year < 0, "period", lambda idx: [f"'{per_cats[per_c[i]]}': kỳ phải là năm '2025' hoặc khoảng "
                                               "'2021-2025' (period: a year or a span)" for i in idx])
    return start, year


def _values(frame: pd.DataFrame, probs: _Problems) -> np.ndarray:
    """Each row's value; an empty value with a numerator and a positive denominator is x/y × 100."""
    value = _numbers(frame, "value", probs)
    if "numerator" in frame.columns and "denominator" in frame.columns:
        num = _numbers(frame, "numerator", probs)
        den = _numbers(frame, "denominator", probs)
        probs.add(den == 0, "denominator", "mẫu số bằng 0 (zero denominator)")
        need = np.isnan(value) & ~np.isnan(num) & (den > 0)
        value = np.where(need, num / np.where(need, den, 1.0) * 100.0, value)
    return value


def _check_series_codes(probs: _Problems, rows: np.ndarray, first: np.ndarray, pair: np.ndarray, kind: np.ndarray,
                        direction: np.ndarray, comparator: np.ndarray, status: np.ndarray) -> None:
    """Kind and direction belong to the indicator: every row of a series agrees with its first row; a target's
    comparator may not contradict its direction (:data:`CONTRADICTING_COMPARATORS`)."""
    for col, arr, names in (("kind", kind, KINDS), ("direction", direction, DIRECTIONS)):
        ref = arr[first][pair]
        bad = (arr != ref) & (arr >= 0) & (ref >= 0)
        probs.add(bad, col, lambda idx, arr=arr, ref=ref, names=names, col=col: [
            f"'{names[arr[i]]}' khác '{names[ref[i]]}' ở dòng {rows[first[pair[i]]]} của cùng chỉ tiêu "
            f"({col} must be the same on every row of a series)" for i in idx])
    is_target = status == STATUSES.index("target")
    higher, lower = direction == DIRECTIONS.index("higher"), direction == DIRECTIONS.index("lower")
    below = np.isin(comparator, [COMPARATORS.index(c) for c in CONTRADICTING_COMPARATORS["higher"]])
    above = np.isin(comparator, [COMPARATORS.index(c) for c in CONTRADICTING_COMPARATORS["lower"]])
    probs.add(is_target & ((higher & below) | (lower & above)), "comparator",
              lambda idx: [f"chiều '{DIRECTIONS[direction[i]]}' mâu thuẫn với so sánh '{COMPARATORS[comparator[i]]}' "
                           "(direction contradicts comparator)" for i in idx])


def _pairs(loc: np.ndarray, ind: np.ndarray, n_ind: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The series (loc × n_ind + ind, sorted), each one's first row, and each row's series index."""
    key = loc.astype(np.int64) * n_ind + ind
    if len(key) and (key[1:] >= key[:-1]).all():  # a file sorted by series (the usual case): no sort needed
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        pid = np.cumsum(np.r_[False, key[1:] != key[:-1]]).astype(np.int32)
        return key[starts], starts, pid
    pairs, first, pid = np.unique(key, return_index=True, return_inverse=True)
    return pairs, first, pid.astype(np.int32)


def _blank_rows(frame: pd.DataFrame) -> np.ndarray | None:
    """Rows where every required column is empty, or None when there is none (the usual case: no copy)."""
    blank = np.ones(len(frame), dtype=bool)
    for c in REQUIRED_COLUMNS:
        s = frame[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = np.array([str(v).strip() == "" for v in s.cat.categories] + [True])
            codes = s.cat.codes.to_numpy()
            blank &= cats[np.where(codes < 0, len(cats) - 1, codes)]
        elif pd.api.types.is_numeric_dtype(s.dtype):
            blank &= s.isna().to_numpy()
        else:
            blank &= (s.isna() | s.astype(str).str.strip().eq("")).to_numpy()
        if not blank.any():
            return None
    return blank


def _sorted_codes(cats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Names used (sorted) and the map from category code to the index in them."""
    names = np.array(sorted(set(cats.tolist()) - {""}), dtype=object)
    pos = {v: i for i, v in enumerate(names)}
    return names, np.array([pos.get(c, 0) for c in cats], dtype=np.int64)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

_CSV_SPECIAL = re.compile(r'[",\r\n]')


def _csv_text(v) -> str:
    """One cell as ``csv`` writes it (QUOTE_MINIMAL)."""
    text = str(v)
    return '"' + text.replace('"', '""') + '"' if _CSV_SPECIAL.search(text) else text


def _column_text(s: pd.Series) -> list[str]:
    """A column's cells as text: floats as ``repr`` (shortest exact), missing as empty, text escaped once per
    distinct value."""
    if pd.api.types.is_float_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        x = s.to_numpy()
        codes, uniq = pd.factorize(x, use_na_sentinel=True)  # values repeat across a series' method rows
        text = np.array([repr(u) for u in uniq.tolist()] + [""], dtype=object)[codes]
        zero = np.flatnonzero(x == 0)  # hashing merges 0.0 and -0.0: spell those one by one
        text[zero] = [repr(v) for v in x[zero].tolist()]
        return text.tolist()
    if pd.api.types.is_integer_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        return [str(x) for x in s.to_numpy().tolist()]
    # text that a spreadsheet would run as a formula is made inert (spreadsheet_text)
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    text = np.array([_csv_text(spreadsheet_text(u)) for u in uniq] + [""], dtype=object)
    return text[codes].tolist()


def write_csv(frame: pd.DataFrame, fh, *, chunk: int = 50_000) -> None:
    """``frame.to_csv(fh, index=False)`` in UTF-8, the same text, about five times faster on a big panel.

    pandas formats each float with numpy (≈ 1 µs a number); here Python's ``repr`` gives the same shortest
    exact spelling, and text columns (few distinct values) are escaped once per value.
    """
    fh.write((",".join(_csv_text(c) for c in frame.columns) + "\n").encode("utf-8"))
    for lo in range(0, len(frame), chunk):
        part = frame.iloc[lo:lo + chunk]
        cols = [_column_text(part[c]) for c in part.columns]
        fh.write(("\n".join(map(",".join, zip(*cols))) + "\n").encode("utf-8"))


def write_output(frame: pd.DataFrame, path: str | os.PathLike) -> Path:
    """CSV (``.csv``) or Parquet (``.parquet``, ``.pq``) by the extension, written to a temporary file beside
    ``path`` and renamed over it (a reader never sees half a file; a failure leaves the old file)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        try:
            import pyarrow  # noqa: F401 - deliberately lazy: only for a Parquet output
        except ImportError:
            raise PanelInputError("ghi Parquet cần gói 'pyarrow' (chưa cài: pip install pyarrow); dùng --output "
                                  "….csv / writing Parquet needs the 'pyarrow' package, which is not installed"
                                  ) from None
    elif suffix != ".csv":
        raise PanelInputError(f"--output '{path}': cần đuôi .csv hoặc .parquet (expected .csv or .parquet)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        mask = os.umask(0)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)  # mkstemp makes 0600; the result should read like any other file
        with os.fdopen(fd, "wb") as fh:
            if suffix == ".csv":
                write_csv(frame, fh)
            else:
                frame.to_parquet(fh, index=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
