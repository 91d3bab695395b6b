"""Load and validate the data of ``data/`` (format: ``docs/DATA_FORMAT.md``).

Every problem is collected, never only the first: :func:`check` returns them all, each with its file, row
(the line number in the CSV file, header = 1) and column. :func:`load_locality` raises :class:`DataError`
carrying the full list when the locality's files are not valid. What is legitimate but worth a look (a target of
zero, a value that is no reading of its raw text) is a warning, not an error: ``check(warnings=...)`` and
``Locality.warnings`` (the policy and every message: ``docs/ERRORS.md``). No input makes these functions raise
anything else: unreadable files, encodings and shapes are problems too (``tests/test_bad_inputs.py``).

>>> loc = load_locality("muong-ang")            # doctest: +SKIP
>>> loc.values.query("indicator == 'coffee_area'")[["period", "status", "value"]]  # doctest: +SKIP
"""
from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from chitieu.config import LOCALITY_ID_PATTERN, data_dir, locality_id_problem
from chitieu.core.numfmt import machine_number
from chitieu.core.vocabulary import COMPARATORS, DIRECTION_SOURCES, DIRECTIONS, KINDS, LEVELS, STATUSES
from chitieu.errors import DataError, Problem

__all__ = [
    "Problem", "DataError", "Locality", "data_dir", "load_localities", "load_catalogue", "load_locality",
    "check", "long_table", "LONG_COLUMNS", "KINDS", "DIRECTIONS", "COMPARATORS", "STATUSES", "LOCALITY_ID",
]

LOCALITY_ID = re.compile(rf"^{LOCALITY_ID_PATTERN}\Z")  # the pattern only: chitieu.config.check_locality_id decides
INDICATOR_ID = re.compile(r"^[a-z0-9_]+$")
SOURCE = re.compile(r"^(?P<file>[0-9]{3}_[0-9a-f]{16}\.txt):(?P<line>[1-9][0-9]*)$")
PERIOD = re.compile(r"^(?P<start>(19|20)[0-9]{2})(?:-(?P<end>(19|20)[0-9]{2}))?$")


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _looks_utf16(raw: bytes) -> bool:
    head = raw[:64]
    return raw.startswith(_UTF16_BOMS) or (len(head) >= 8 and (head[1::2].count(0) >= len(head) // 4
                                                               or head[0::2].count(0) >= len(head) // 4))


def _column_at(raw: bytes, offset: int) -> str | None:
    """The header name of the column holding byte ``offset`` (for a decoding error), when it can be told."""
    try:
        header = next(csv.reader(io.StringIO(raw.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace"))))
        start = raw.rfind(b"\n", 0, offset) + 1
        line = raw[start:offset].decode("utf-8", errors="replace")
        cells = next(csv.reader(io.StringIO(line)), [""])
    except (csv.Error, StopIteration):
        return None
    i = len(cells) - 1
    return header[i].strip() if 0 <= i < len(header) and start > 0 else None


def read_csv_text(path: Path, root: Path, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a CSV as strings, indexed by the file line where each record starts (header = 1).

    Every way a file can be unreadable becomes a :class:`Problem` (never an exception): not UTF-8 (Windows-1258,
    UTF-16), empty, a delimiter other than ``,``, a repeated or nameless column, an unclosed quote, a row with the
    wrong number of cells. Rows whose cells are all empty (Excel leaves them) are skipped.
    """
    from chitieu.io.safe import LIMITS, FileRefused, fmt_int, read_limited
    from chitieu.io.text import visible_text

    name = _rel(path, root)
    try:
        raw = read_limited(path, LIMITS.csv_bytes, label=name)
    except FileRefused as exc:
        reason = "không đọc được tệp: No such file or directory" if "file not found" in exc.reason else exc.reason
        problems.append(Problem(name, None, None, reason))
        return None
    if not raw.strip():
        problems.append(Problem(name, None, None, "tệp rỗng (empty file)"))
        return None
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        problems.append(Problem(name, None, None, "đây là tệp Excel/Word, không phải CSV: mở bằng Excel và lưu dạng "
                                                  "'CSV UTF-8 (Comma delimited)' (a spreadsheet, not a CSV file)"))
        return None
    if _looks_utf16(raw):
        problems.append(Problem(name, 1, None, "tệp là UTF-16 (Excel 'Unicode Text'), không phải UTF-8 (file is not "
                                              "UTF-8; save it as 'CSV UTF-8')"))
        return None
    try:
        text = visible_text(raw.decode("utf-8-sig"))  # NFC (a file saved in NFD reads the same), no zero-width marks
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, _column_at(raw, exc.start),
                                f"tệp không phải UTF-8, có lẽ Windows-1258 hay TCVN3 (byte 0x{raw[exc.start]:02X}; "
                                "file is not UTF-8; save it as 'CSV UTF-8')"))
        return None
    reader = csv.reader(io.StringIO(text))
    records: list[tuple[int, int, list[str]]] = []  # (first line, last line, cells)
    last = 0
    try:
        for cells in reader:
            records.append((last + 1, reader.line_num, cells))
            last = reader.line_num
    except csv.Error as exc:
        problems.append(Problem(name, last + 1, None, f"không đọc được CSV ({exc}): có lẽ thiếu dấu \" đóng "
                                                      "(unreadable CSV: an unclosed quote?)"))
        return None
    if len(records) > LIMITS.csv_rows + 1:
        problems.append(Problem(name, None, None, f"tệp có {fmt_int(len(records) - 1)} dòng, vượt giới hạn "
                                                  f"{fmt_int(LIMITS.csv_rows)} dòng cho một tệp của data/ "
                                                  "(more rows than the limit)"))
        return None
    records = [r for r in records if any(c.strip() for c in r[2])]
    if not records:
        problems.append(Problem(name, None, None, "tệp rỗng (empty file)"))
        return None
    return _records_frame(records, name, problems)


def _records_frame(records: list[tuple[int, int, list[str]]], name: str,
                   problems: list[Problem]) -> pd.DataFrame | None:
    """The records of a CSV (first line, last line, cells; the header first) as a frame of strings indexed by
    line; a separator other than ',', a repeated or nameless column, or a row of the wrong length is a Problem."""
    header_line, _, header = records[0]
    header = [h.strip() for h in header]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "';'" if ";" in header[0] else "tab"
        problems.append(Problem(name, header_line, None, f"các cột cách nhau bằng {sep}, cần dấu phẩy ',' (columns are "
                                                         f"separated by {sep}, not ','; save it as 'CSV UTF-8 "
                                                         "(Comma delimited)')"))
        return None
    named = [h for h in header if h]
    repeated = sorted({h for h in named if named.count(h) > 1})
    for h in repeated:
        problems.append(Problem(name, header_line, h, "cột lặp lại trong dòng tiêu đề (repeated column)"))
    if repeated:
        return None
    good, rownum = [], []
    for first, end, cells in records[1:]:
        if len(cells) != len(header):
            hint = (f" — bản ghi kéo dài từ dòng {first} đến {end}: có lẽ thiếu dấu \" đóng (an unclosed quote?)"
                    if end > first else "")
            problems.append(Problem(name, first, None, f"có {len(cells)} ô, tiêu đề có {len(header)} "
                                                       f"(wrong number of cells){hint}"))
            continue
        good.append(cells)
        rownum.append(first)
    frame = pd.DataFrame(good, columns=header, dtype=str)
    frame.index = rownum
    nameless = [i for i, h in enumerate(header) if not h]
    for i in nameless:
        filled = frame.iloc[:, i].str.strip().ne("")
        if filled.any():
            problems.append(Problem(name, int(frame.index[filled.to_numpy().argmax()]), None,
                                    f"cột thứ {i + 1} không có tên trong dòng tiêu đề mà có dữ liệu "
                                    "(a column without a name holds data)"))
            return None
    if nameless:
        frame = frame.drop(columns=[""])
    return frame


def _numeric(s: pd.Series) -> pd.Series:
    """Empty, or a finite number written the machine way ('inf', '1e999' and 'nan' are not numbers here)."""
    x = pd.to_numeric(s, errors="coerce").astype(float)
    return s.eq("") | (x.notna() & x.abs().lt(float("inf")))


def _in_range(s: pd.Series) -> pd.Series:
    """Empty, not a number (said by the number check), zero, or a magnitude chitieu computes exactly:
    ``10^-6 ≤ |x| ≤ 10^15`` (``1e300`` would pass as a float and break the exact half-up rounding of ratios)."""
    from chitieu.io.safe import LIMITS

    x = pd.to_numeric(s, errors="coerce").astype(float).abs()
    return x.isna() | x.eq(0) | x.eq(float("inf")) | (x.le(LIMITS.magnitude) & x.ge(LIMITS.smallest))


_RANGE_ERROR = ("ngoài khoảng tính được: |số| từ 0,000001 đến 10^15 (999 nghìn tỷ) hoặc 0 — ghi theo đơn vị lớn hơn "
                "(tỷ đồng thay vì đồng) (number out of range: magnitudes from 1e-6 to 1e15, or 0)")


def _id_ok(s: pd.Series) -> pd.Series:
    return s.map(lambda v: locality_id_problem(v) is None)


def _schemas() -> dict[str, "pa.DataFrameSchema"]:
    import pandera.pandas as pa  # imported here: loading data validated before needs no pandera (start-up)

    text = dict(dtype=str, nullable=False, coerce=False)
    required = pa.Check.str_length(min_value=1, error="không được để trống (required)")
    number = [pa.Check(_numeric, error="không phải là số viết kiểu máy (expected a number like 2815 or 509.1)"),
              pa.Check(_in_range, error=_RANGE_ERROR)]
    return {
        "localities": pa.DataFrameSchema({
            "id": pa.Column(**text, checks=[pa.Check(_id_ok, error="id: chữ thường, số, '-' (không phải tên thư mục "
                                                                  "dùng riêng như sources, compare)")], unique=True),
            "name": pa.Column(**text, checks=required),
            "level": pa.Column(**text, checks=pa.Check.isin(LEVELS, error=f"cấp: một trong {LEVELS}")),
            "province": pa.Column(**text),
            "term_start": pa.Column(**text, checks=pa.Check.str_matches(r"^(19|20)\d\d$", error="năm (year)")),
            "term_end": pa.Column(**text, checks=pa.Check.str_matches(r"^(19|20)\d\d$", error="năm (year)")),
            "next_term_end": pa.Column(**text, checks=pa.Check.str_matches(r"^(19|20)\d\d$", error="năm (year)")),
            "merged_from": pa.Column(**text), "merged_on": pa.Column(**text), "source_file": pa.Column(**text),
            "note": pa.Column(**text),
        }, strict=False),
        "catalogue": pa.DataFrameSchema({
            "code": pa.Column(**text, checks=pa.Check.str_matches(INDICATOR_ID.pattern, error="mã: a-z, 0-9, _"),
                              unique=True),
            "name_vi": pa.Column(**text, checks=required), "name_en": pa.Column(**text, checks=required),
            "unit": pa.Column(**text),
            "kind": pa.Column(**text, checks=pa.Check.isin(KINDS, error=f"loại: một trong {KINDS}")),
            "direction": pa.Column(**text, checks=pa.Check.isin(DIRECTIONS, error=f"chiều: một trong {DIRECTIONS}")),
        }, strict=False),
        "indicators": pa.DataFrameSchema({
            "id": pa.Column(**text, checks=pa.Check.str_matches(INDICATOR_ID.pattern, error="id: a-z, 0-9, _")),
            "name": pa.Column(**text, checks=required),
            "unit": pa.Column(**text),
            "kind": pa.Column(**text, checks=pa.Check.isin(KINDS, error=f"loại: một trong {KINDS}")),
            "direction": pa.Column(**text, checks=pa.Check.isin(DIRECTIONS, error=f"chiều: một trong {DIRECTIONS}")),
            "catalogue_code": pa.Column(**text), "group": pa.Column(**text),
            "source": pa.Column(**text, checks=pa.Check.str_matches(SOURCE.pattern, error="nguồn: '<tệp>:<dòng>'")),
            "note": pa.Column(**text),
            "direction_source": pa.Column(**text, checks=pa.Check.isin(DIRECTION_SOURCES, error="cách xác định chiều: "
                                                                       f"một trong {DIRECTION_SOURCES}"), required=False),
        }, strict=False),
        "values": pa.DataFrameSchema({
            "indicator": pa.Column(**text, checks=required),
            "period": pa.Column(**text, checks=pa.Check.str_matches(PERIOD.pattern, error="kỳ: '2025' hoặc '2021-2025'")),
            "status": pa.Column(**text, checks=pa.Check.isin(STATUSES, error=f"trạng thái: một trong {STATUSES}")),
            "value": pa.Column(**text, checks=number),
            "comparator": pa.Column(**text, checks=pa.Check.isin(("",) + COMPARATORS, error=f"so sánh: một trong {COMPARATORS}")),
            "numerator": pa.Column(**text, checks=number), "denominator": pa.Column(**text, checks=number),
            "raw": pa.Column(**text, checks=required),
            "source": pa.Column(**text, checks=pa.Check.str_matches(SOURCE.pattern, error="nguồn: '<tệp>:<dòng>'")),
            "formula": pa.Column(**text), "note": pa.Column(**text),
            # optional (written by chitieu import): the upper end of a range, and the reading's doubts
            "value_high": pa.Column(**text, checks=number, required=False),
            "flags": pa.Column(**text, checks=pa.Check.str_matches(r"^[a-z0-9_]*(?:; [a-z0-9_]+)*$",
                                                                  error="mã cờ, cách nhau bằng '; '"), required=False),
        }, strict=False),
        "comparisons": pa.DataFrameSchema({
            "indicator": pa.Column(**text, checks=required),
            "period": pa.Column(**text, checks=pa.Check.str_matches(PERIOD.pattern, error="kỳ: '2025'")),
            "value": pa.Column(**text, checks=number),
            "verdict": pa.Column(**text), "raw": pa.Column(**text, checks=required),
            "source": pa.Column(**text, checks=pa.Check.str_matches(SOURCE.pattern, error="nguồn: '<tệp>:<dòng>'")),
        }, strict=False),
    }


def validate_frame(frame: pd.DataFrame, kind: str, name: str, problems: list[Problem]) -> bool:
    """Validate one CSV's frame (strings) against its schema; append every failure. True when valid."""
    schema = _schemas()[kind]
    before = len(problems)
    missing = [c for c, col in schema.columns.items() if col.required and c not in frame.columns]
    for c in missing:
        problems.append(Problem(name, 1, c, "thiếu cột (missing column)"))
    if missing:
        return False
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for _, case in cases.iterrows():
            col = case.get("column")
            idx = case.get("index")
            row = int(idx) if idx is not None and not pd.isna(idx) else None
            check = str(case.get("check"))
            value = case.get("failure_case")
            if check == "field_uniqueness":
                msg = f"'{value}' bị trùng (duplicate)"
            elif check == "column_in_dataframe":
                msg = "thiếu cột (missing column)"
            else:
                msg = f"'{value}': {check}"
                if col in ("value", "numerator", "denominator") and check != _RANGE_ERROR:
                    msg += _number_hint(str(value))
            problems.append(Problem(name, row, None if pd.isna(col) else str(col), msg))
    return len(problems) == before


def _number_hint(value: str) -> str:
    """Why a cell meant to hold a machine number does not, in words an analyst can act on."""
    from chitieu.io.quantity import PLACEHOLDERS, parse

    v = value.strip()
    if any(ph in v for ph in PLACEHOLDERS):
        return " — tài liệu để trống ('…'): để trống ô này, giữ '…' trong cột raw (leave the cell empty)"
    if re.search(r"\d[lIoO]|[lIoO]\d|\d[lIoO]\d", v):
        return " — có chữ lẫn trong số, có lẽ lỗi OCR ('l'/'I' thay cho 1, 'O' thay cho 0)"
    q = parse(v)
    if q.value is not None and len(q.values) == 1:
        extra = "" if re.fullmatch(r"[\d.,\s]+", v) else "; đơn vị, dấu so sánh và chữ gốc để ở các cột khác"
        return f" — viết kiểu máy, ví dụ {machine_number(q.value)} (dấu chấm thập phân, không dấu phân cách nghìn{extra})"
    return ""


@dataclass
class Locality:
    """One locality: its metadata and its three tables (strings parsed to numbers)."""

    id: str
    meta: dict
    indicators: pd.DataFrame
    values: pd.DataFrame
    comparisons: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def term_end(self) -> int:
        return int(self.meta["term_end"])

    @property
    def next_term_end(self) -> int:
        return int(self.meta["next_term_end"])


def _source_lines(root: Path) -> dict[str, list[str] | None]:
    """Lines of every ``sources/*.txt`` (``None`` for a file that is not UTF-8), cached while the files are unchanged."""
    folder = root / "sources"
    try:
        stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.txt")))
    except OSError:
        stamp = ()
    return _source_lines_cached(str(folder), stamp)


@lru_cache(maxsize=8)
def _source_lines_cached(folder: str, stamp: tuple) -> dict[str, list[str] | None]:
    from chitieu.io.safe import LIMITS, FileRefused, read_limited
    from chitieu.io.text import visible_text

    out: dict[str, list[str] | None] = {}
    for name, _, _ in stamp:
        try:
            out[name] = visible_text(read_limited(Path(folder) / name, LIMITS.text_file_bytes).decode("utf-8")).splitlines()
        except (FileRefused, OSError, UnicodeDecodeError):
            out[name] = None
    return out


def _check_sources(frame: pd.DataFrame, lines: dict[str, list[str]], problems: list[Problem],
                   raw_column: str | None = "raw") -> None:
    """Each ``source`` names an existing line and each ``raw`` occurs on it (compared in
    :func:`chitieu.io.text.match_form`: a cell normalised on the way in is still found on its line). Frame rows carry
    ``_file``/``_row``."""
    from chitieu.io.text import match_form

    forms: dict[tuple[str, int], str] = {}
    for _, rec in frame.iterrows():
        name, row = rec["_file"], int(rec["_row"])
        m = SOURCE.match(rec["source"])
        if not m:
            continue
        file, line = m["file"], int(m["line"])
        if file not in lines:
            problems.append(Problem(name, row, "source", f"không có tệp nguồn '{file}' trong data/sources/"))
            continue
        if lines[file] is None:
            problems.append(Problem(name, row, "source", f"tệp nguồn '{file}' không đọc được (không phải UTF-8)"))
            continue
        if line > len(lines[file]):
            problems.append(Problem(name, row, "source", f"'{file}' chỉ có {len(lines[file])} dòng"))
            continue
        if raw_column and rec[raw_column] not in lines[file][line - 1] and match_form(rec[raw_column]) not in \
                forms.setdefault((file, line), match_form(lines[file][line - 1])):
            problems.append(Problem(name, row, raw_column,
                                    f"'{rec[raw_column][:60]}' không có trên dòng {line} của {file} "
                                    "(raw text not found on the cited line)"))


def _load_table(name: str, kind: str, root: Path | None, *, validate: bool = True) -> pd.DataFrame:
    """One of the shared tables of ``data/`` (``localities.csv``, ``catalogue.csv``), validated."""
    root = root or data_dir()
    problems: list[Problem] = []
    key = _table_key(root / name, kind) if validate else None
    frame = read_csv_text(root / name, root, problems)
    if frame is not None and validate:
        if key is not None and _validated_before(key) is not None and _table_key(root / name, kind) == key:
            pass  # these very bytes passed this very check before
        else:
            validate_frame(frame, kind, _rel(root / name, root), problems)
            if not problems and key is not None and _table_key(root / name, kind) == key:
                _remember(key, {})
    if problems:
        raise DataError(problems)
    return frame.reset_index(drop=True)


def load_localities(root: Path | None = None) -> pd.DataFrame:
    return _load_table("localities.csv", "localities", root)


def load_catalogue(root: Path | None = None) -> pd.DataFrame:
    return _load_table("catalogue.csv", "catalogue", root)


def _read_many(folder: Path, pattern: str, kind: str, root: Path, problems: list[Problem], *,
               columns: list[str] | None = None) -> pd.DataFrame:
    """Every ``pattern`` file of ``folder``, validated; ``columns`` given: read as validated before (the columns
    of an empty table), no validation."""
    frames = []
    for path in sorted(folder.glob(pattern)):
        name = _rel(path, root)
        frame = read_csv_text(path, root, problems)
        if frame is None:
            continue
        if columns is None:
            validate_frame(frame, kind, name, problems)
        frames.append(frame.assign(_file=name, _row=frame.index))
    if not frames:
        return pd.DataFrame(columns=list(columns if columns is not None else _schemas()[kind].columns)
                            + ["_file", "_row"], dtype=str)
    return pd.concat(frames, ignore_index=True)


def _unit_mismatch(raw: str, unit: str) -> str | None:
    """The unit written in ``raw`` when it is another unit of the same measure as the indicator's (``tỷ đồng`` for
    ``triệu đồng``, by ``core/rules/units.csv``), else None."""
    from chitieu.io.quantity import parse, same_measure, unit_info

    found = parse(raw).unit
    if not found or not unit or not same_measure(found, unit):
        return None
    return found if unit_info(found)[1] != unit_info(unit)[1] else None  # another scale: "tỷ" for "triệu đồng"


def _value_in_raw(raw: str, value: float, unit: str = "") -> bool:
    """Whether ``value`` is the parser's reading of a number in ``raw`` (or its x/y share), or raw has no number."""
    from chitieu.io.quantity import parse

    q = parse(raw, unit=unit or None)
    readings = [*q.values, *([q.value] if q.value is not None else [])]
    return not readings or any(math.isclose(v, value, rel_tol=1e-9, abs_tol=1e-12) for v in readings)


def _check_locality_frames(loc_id: str, ind: pd.DataFrame, val: pd.DataFrame, cmp_: pd.DataFrame,
                           catalogue_codes: set[str] | None, lines: dict[str, list[str] | None], problems: list[Problem],
                           warnings: list[Problem] | None = None) -> None:
    """Checks across a locality's files (run once every file has the right columns and cell formats).

    Errors go to ``problems``; what deserves a look but is not wrong goes to ``warnings`` (see docs/ERRORS.md).
    """
    warnings = warnings if warnings is not None else []
    dup = ind[ind.duplicated("id", keep=False)] if "id" in ind else ind.iloc[0:0]
    for _, r in dup.iterrows():
        problems.append(Problem(r["_file"], r["_row"], "id", f"chỉ tiêu '{r['id']}' khai báo hai lần (duplicate id)"))
    for _, r in ind.iterrows():
        if catalogue_codes is not None and r.get("catalogue_code") and r["catalogue_code"] not in catalogue_codes:
            problems.append(Problem(r["_file"], r["_row"], "catalogue_code",
                                    f"mã '{r['catalogue_code']}' không có trong data/catalogue.csv"))
    known = set(ind["id"]) if "id" in ind else set()
    kinds = dict(zip(ind.get("id", []), ind.get("kind", [])))
    units = dict(zip(ind.get("id", []), ind.get("unit", [])))
    for frame in (val, cmp_):
        for _, r in frame.iterrows():
            if r.get("indicator") and r["indicator"] not in known:
                problems.append(Problem(r["_file"], r["_row"], "indicator",
                                        f"chỉ tiêu '{r['indicator']}' không có trong indicators*.csv (unknown indicator)"))
    if {"indicator", "period", "status", "source"} <= set(val.columns):
        key = ["indicator", "period", "status", "source"]
        first = val.drop_duplicates(key).set_index(key)[["_file", "_row"]]
        for _, r in val[val.duplicated(key, keep="first")].iterrows():
            f0, r0 = first.loc[tuple(r[k] for k in key)]
            problems.append(Problem(r["_file"], r["_row"], "indicator",
                                    f"bản ghi trùng khóa {tuple(r[k] for k in key)} với {f0}, dòng {r0} "
                                    "(duplicate key)"))
        for _, r in val.iterrows():
            k = kinds.get(r["indicator"])
            where = (r["_file"], r["_row"])
            value = _to_float(r.get("value", ""))
            if r["status"] == "derived" and not r.get("formula"):
                problems.append(Problem(*where, "formula", "bản ghi 'derived' cần công thức (formula)"))
            for col in ("numerator", "denominator"):
                part = _to_float(r.get(col, ""))
                if part is not None and part < 0:
                    problems.append(Problem(*where, col, f"{col} âm ({r[col]}): một số đếm không thể âm"))
            if r.get("denominator") not in (None, "") and _to_float(r["denominator"]) == 0:
                problems.append(Problem(*where, "denominator", "mẫu số bằng 0 (zero denominator)"))
            if value is None:
                continue
            if k in ("share", "x_of_y", "level", "cumulative") and value < 0:
                problems.append(Problem(*where, "value", f"giá trị âm ({r['value']}) không hợp lệ cho loại '{k}' "
                                                         "(a negative area, count or share is impossible)"))
            if k == "share" and value > 100:
                problems.append(Problem(*where, "value", f"tỷ lệ {r['value']}% vượt 100% cho loại 'share' "
                                                         "(a share is between 0 and 100)"))
            if not r.get("note") and not r.get("formula"):
                other = _unit_mismatch(r["raw"], units.get(r["indicator"], ""))
                if other:
                    problems.append(Problem(*where, "value",
                                            f"raw '{r['raw'][:60]}' ghi đơn vị '{other}', chỉ tiêu tính bằng "
                                            f"'{units[r['indicator']]}': đổi giá trị sang '{units[r['indicator']]}' "
                                            "và ghi cách đổi vào cột note (mixed units)"))
                elif r["status"] != "derived" and not _value_in_raw(r["raw"], value, units.get(r["indicator"], "")):
                    warnings.append(Problem(*where, "value",
                                            f"giá trị {r['value']} không phải số nào trong raw '{r['raw'][:60]}' "
                                            "và không có note giải thích (value not found in raw)"))
            if r["status"] == "target" and value == 0 and k != "qualitative":
                warnings.append(Problem(*where, "value", "chỉ tiêu bằng 0: tỷ lệ đạt không tính được, chỉ có đánh giá "
                                                         "theo chiều (target_zero)"))
        _check_sources(val, lines, problems)
    if {"source", "raw"} <= set(cmp_.columns):
        _check_sources(cmp_, lines, problems)
    if {"source"} <= set(ind.columns):
        _check_sources(ind, lines, problems, raw_column=None)


def _to_float(s) -> float | None:
    if s is None or s == "":
        return None
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def _typed(val: pd.DataFrame) -> pd.DataFrame:
    out = val.copy()
    for c in ("value_high", "flags"):  # optional columns (docs/DATA_FORMAT.md)
        if c not in out:
            out[c] = ""
        out[c] = out[c].fillna("")
    for c in ("value", "numerator", "denominator", "value_high"):
        out[c] = pd.to_numeric(out[c].replace("", None), errors="coerce").astype(float)
    need = out["value"].isna() & out["numerator"].notna() & out["denominator"].gt(0)
    out.loc[need, "value"] = out.loc[need, "numerator"] / out.loc[need, "denominator"] * 100
    out["comparator"] = out["comparator"].replace("", "=")
    span = out["period"].str.extract(PERIOD)
    out["year"] = pd.to_numeric(span["end"].fillna(span["start"])).astype("Int64")
    out["period_start"] = pd.to_numeric(span["start"]).astype("Int64")
    return out


def _read_locality(loc_id: str, root: Path, codes: set[str], lines: dict, problems: list[Problem],
                   warnings: list[Problem]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    folder = root / loc_id
    local: list[Problem] = []
    ind = _read_many(folder, "indicators*.csv", "indicators", root, local)
    val = _read_many(folder, "values*.csv", "values", root, local)
    cmp_ = _read_many(folder, "comparisons*.csv", "comparisons", root, local)
    for pattern, frame in (("indicators", ind), ("values", val)):
        files = sorted(folder.glob(f"{pattern}*.csv"))
        if not files:
            local.append(Problem(_rel(folder / f"{pattern}.csv", root), None, None,
                                 f"thiếu tệp {pattern}.csv (missing file)"))
        for path in files:  # a header without rows: an export that lost its rows, not a locality without data
            name = _rel(path, root)
            if name in set(frame["_file"]) or any(p.file == name for p in local):
                continue
            local.append(Problem(name, None, None, "tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào (no rows)"))
    if not local:
        _check_locality_frames(loc_id, ind, val, cmp_, codes, lines, local, warnings)
    problems.extend(local)
    return ind, val, cmp_


def _version(root: Path, loc_id: str) -> tuple:
    """What changes when chitieu writes a locality: ``localities.csv`` and the locality's folder are replaced whole
    (a new inode), so equal stamps before and after a read mean the read saw one version."""
    out = []
    for p in (root / "localities.csv", root / "catalogue.csv", root / loc_id):
        try:
            st = os.stat(p)
            out.append((st.st_ino, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def load_locality(loc_id: str, root: Path | None = None) -> Locality:
    """Load one locality, validated. Raises :class:`DataError` listing every problem, ``KeyError`` if unknown, and
    :class:`~chitieu.errors.LocalityIdError` for an id that is no valid id (a trailing newline, ``compare``, …).

    What is worth a look but not wrong (a target of zero, a value not found in its raw text) is in ``.warnings``.
    The locality is one version of the data: if an import replaced it while it was read, it is read again.
    """
    from chitieu.config import check_locality_id
    from chitieu.errors import InputError
    from chitieu.io.safe import settle

    root = root or data_dir()
    if isinstance(loc_id, str) and loc_id.isascii() and loc_id.isprintable():
        pass  # an unknown id is a KeyError below, naming the known ones
    else:
        check_locality_id(loc_id)
    settle(root)  # an import killed past its commit point is finished first
    for _ in range(3):
        before = _version(root, loc_id)
        loc = _load_locality_once(loc_id, root)
        if _version(root, loc_id) == before:
            return loc
    raise InputError(f"{_rel(root / loc_id, root)}: số liệu thay đổi ba lần trong lúc đọc (một lần nhập khác đang ghi?) "
                     "— chạy lại (the data changed while it was read)")


def _load_locality_once(loc_id: str, root: Path) -> Locality:
    key = _validation_key(loc_id, root)
    known = _validated_before(key)
    if known is not None:  # the same bytes passed every check before, with these warnings: read, not re-checked
        loc = _read_validated(loc_id, root, known)
        if loc is not None and _validation_key(loc_id, root) == key:  # and nothing changed while reading
            return loc
    loc = _load_and_check(loc_id, root)
    _remember_validated(key, loc)
    return loc


def _load_and_check(loc_id: str, root: Path) -> Locality:
    locs = load_localities(root)
    if not isinstance(loc_id, str) or locality_id_problem(loc_id) or loc_id not in set(locs["id"]):
        known = ", ".join(locs["id"])
        raise KeyError(f"không có địa phương {loc_id!r} trong {_rel(root / 'localities.csv', root)} "
                       f"(unknown locality); có: {known}")
    meta = locs.set_index("id").loc[loc_id].to_dict()
    meta["id"] = loc_id
    catalogue = load_catalogue(root)
    if not (root / loc_id).is_dir():
        frame = read_csv_text(root / "localities.csv", root, [])
        row = int(frame.index[frame["id"] == loc_id][0]) if frame is not None else None
        raise DataError([Problem(_rel(root / "localities.csv", root), row, "id",
                                 f"không có thư mục {_rel(root / loc_id, root)}/ (no folder for this locality)")])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    ind, val, cmp_ = _read_locality(loc_id, root, set(catalogue["code"]), _source_lines(root), problems, warnings)
    if problems:
        raise DataError(problems)
    return _assemble(loc_id, meta, ind, val, cmp_, warnings)


def _assemble(loc_id: str, meta: dict, ind: pd.DataFrame, val: pd.DataFrame, cmp_: pd.DataFrame,
              warnings: list[Problem]) -> Locality:
    """The :class:`Locality` from its three tables as read (strings, with ``_file``/``_row``)."""
    values = _typed(val).drop(columns=["_file", "_row"])
    comparisons = cmp_.drop(columns=["_file", "_row"]).copy()
    comparisons["value"] = pd.to_numeric(comparisons["value"].replace("", None), errors="coerce").astype(float)
    indicators = ind.drop(columns=["_file", "_row"]).reset_index(drop=True)
    if "direction_source" not in indicators:  # optional: how the direction was decided (catalogue, rule, assumed …)
        indicators["direction_source"] = ""
    indicators["direction_source"] = indicators["direction_source"].fillna("")
    return Locality(loc_id, meta, indicators, values.reset_index(drop=True), comparisons.reset_index(drop=True),
                    warnings=sorted(warnings))


# ---------------------------------------------------------------------------------------------------------------
# Validated before: a cache of the verdict on a locality's exact bytes (speed; every check still runs on new bytes)
# ---------------------------------------------------------------------------------------------------------------
# Validating a locality (pandera schemas, cross-file checks, every raw text against its source line) costs more
# than everything else `chitieu table` does. Its verdict depends only on the bytes of localities.csv, catalogue.csv,
# the locality's files and the source documents they cite, and on the code that checks them: when all of these are
# the same as at an earlier load that passed, the locality passed with the same warnings. Only successes are
# remembered (a failure is checked again, so its messages are always today's). The cache is a folder of small JSON
# files: $CHITIEU_CACHE, else $XDG_CACHE_HOME/chitieu, else ~/.cache/chitieu; CHITIEU_CACHE=off turns it off.

_SOURCE_REF = re.compile(rb"[0-9]{3}_[0-9a-f]{16}\.txt")
_CACHE_FORMAT = "validated-v1"
_KINDS_OF_LOCALITY = (("indicators", "indicators*.csv"), ("values", "values*.csv"), ("comparisons", "comparisons*.csv"))


def _cache_folder() -> Path | None:
    value = os.environ.get("CHITIEU_CACHE", "")
    if value.strip().lower() in ("0", "off", "no", "false"):
        return None
    base = Path(value) if value else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "chitieu"
    return base / _CACHE_FORMAT


@lru_cache(maxsize=1)
def _checking_code() -> bytes:
    """The code that decides whether data is valid (chitieu's io, core, config and errors; pandas, pandera)."""
    import hashlib
    from importlib import metadata

    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted([*package.glob("io/*.py"), *package.glob("core/*.py"), *package.glob("core/rules/*"),
                        package / "config.py", package / "errors.py"]):
        if path.is_file():
            h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("pandas", "pandera"):
        try:
            h.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=-;".encode())
    return h.digest()


def _validation_key(loc_id: str, root: Path) -> str | None:
    """The hash of everything a locality's validation depends on, or None when it cannot be told (no folder)."""
    import hashlib

    if _cache_folder() is None or not isinstance(loc_id, str) or locality_id_problem(loc_id):
        return None
    try:
        h = hashlib.sha256(_checking_code())
        h.update(f"{root.name}\0{loc_id}\0".encode())
        cited: set[bytes] = set()
        paths = [root / "localities.csv", root / "catalogue.csv",
                 *sorted(p for p in (root / loc_id).iterdir() if p.is_file())]
        for path in paths:
            data = path.read_bytes()
            h.update(path.name.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
            if path.parent.name == loc_id:
                cited.update(_SOURCE_REF.findall(data))
        for name in sorted(cited):
            source = root / "sources" / name.decode("ascii")
            h.update(name + b"\0" + (source.read_bytes() if source.is_file() else b"\0missing\0"))
        return h.hexdigest()
    except (OSError, ValueError):
        return None


def _validated_before(key: str | None) -> dict | None:
    folder = _cache_folder()
    if key is None or folder is None:
        return None
    try:
        import json

        entry = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        return entry if isinstance(entry, dict) and entry.get("key") == key else None
    except (OSError, ValueError):
        return None


def _table_key(path: Path, kind: str) -> str | None:
    """The hash of what a shared table's validation depends on: its bytes, its kind, the checking code."""
    import hashlib

    if _cache_folder() is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(_checking_code() + f"\0table\0{kind}\0".encode() + data).hexdigest()


def _remember_validated(key: str | None, loc: Locality) -> None:
    if key is None or _cache_folder() is None:
        return
    _remember(key, {"warnings": [[p.file, p.row, p.column, p.message] for p in loc.warnings],
                    "columns": {kind: list(_schemas()[kind].columns) for kind, _ in _KINDS_OF_LOCALITY}})


def _remember(key: str, content: dict) -> None:
    folder = _cache_folder()
    if folder is None:
        return
    import json
    import tempfile

    entry = {"key": key, **content}
    tmp = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(entry, f, ensure_ascii=False)
        os.replace(tmp, folder / f"{key}.json")
    except OSError as exc:  # no cache: the next load validates again — said once, not silently
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        _cache_unwritable(folder, exc)


_CACHE_WARNED: set[str] = set()


def _cache_unwritable(folder: Path, exc: OSError) -> None:
    """Say on stderr, once per folder and process, that the validation cache cannot be written."""
    if str(folder) in _CACHE_WARNED:
        return
    _CACHE_WARNED.add(str(folder))
    print(f"chitieu: không ghi được bộ nhớ đệm kiểm tra dữ liệu {folder} ({exc.strerror or exc}); dữ liệu sẽ được "
          "kiểm tra lại mỗi lần (đặt CHITIEU_CACHE=off để tắt bộ nhớ đệm)", file=sys.stderr)


def _read_validated(loc_id: str, root: Path, known: dict) -> Locality | None:
    """The locality read without checks, as :func:`_load_and_check` builds it (its bytes passed them before)."""
    try:
        problems: list[Problem] = []
        locs = _load_table("localities.csv", "localities", root, validate=False)
        if loc_id not in set(locs["id"]):
            return None
        meta = locs.set_index("id").loc[loc_id].to_dict()
        meta["id"] = loc_id
        frames = [_read_many(root / loc_id, pattern, kind, root, problems, columns=known["columns"][kind])
                  for kind, pattern in _KINDS_OF_LOCALITY]
        if problems:
            return None
        warnings = [Problem(*w) for w in known["warnings"]]
        return _assemble(loc_id, meta, *frames, warnings)
    except (OSError, KeyError, TypeError, ValueError, DataError):
        return None


def check(root: Path | None = None, *, warnings: list[Problem] | None = None) -> list[Problem]:
    """Validate all of ``data/``; every problem, sorted by file and row.

    ``warnings``, when given, receives what deserves a look but is not an error (docs/ERRORS.md has the policy).
    """
    from chitieu.io.safe import pending_transactions, settle

    root = root or data_dir()
    warnings = warnings if warnings is not None else []
    problems: list[Problem] = []
    if not root.is_dir():
        return [Problem(str(root), None, None, "không có thư mục dữ liệu (no data folder; see CHITIEU_DATA)")]
    settle(root)  # an import killed midway: finished (past its commit point) or undone, when no import is running
    for staging in pending_transactions(root):
        warnings.append(Problem(_rel(staging, root), None, None, "một lần nhập đang ghi (hoặc bị ngắt, sẽ được hoàn tất "
                                                                 "hay bỏ ở lần nhập sau); bỏ qua khi kiểm tra "
                                                                 "(an import in progress or interrupted)"))
    locs = read_csv_text(root / "localities.csv", root, problems)
    cat = read_csv_text(root / "catalogue.csv", root, problems)
    loc_file, cat_file = _rel(root / "localities.csv", root), _rel(root / "catalogue.csv", root)
    if locs is not None:
        validate_frame(locs, "localities", loc_file, problems)
    if cat is not None:
        validate_frame(cat, "catalogue", cat_file, problems)
    codes = set(cat["code"]) if cat is not None and "code" in cat else None  # None: not checked (reported above)
    lines = _source_lines(root)
    for name, text in sorted(lines.items()):
        if text is None:
            problems.append(Problem(_rel(root / "sources" / name, root), None, None,
                                    "tệp nguồn không đọc được (không phải UTF-8)"))
    listed = list(locs["id"]) if locs is not None and "id" in locs else []
    ids = [i for i in dict.fromkeys(listed) if locality_id_problem(i) is None]  # a bad id is reported, never a path
    for loc_id in ids:
        if not (root / loc_id).is_dir():
            row = int(locs.index[locs["id"] == loc_id][0])
            problems.append(Problem(loc_file, row, "id", f"không có thư mục {_rel(root / loc_id, root)}/"))
            continue
        _read_locality(loc_id, root, codes, lines, problems, warnings)
    # folders whose name starts with '.' are chitieu's own (an import's staging) or hidden: never a locality
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "sources" and not p.name.startswith(".")):
        if folder.name not in listed:
            problems.append(Problem(_rel(folder, root), None, None, "thư mục không có trong data/localities.csv"))
    warnings[:] = sorted(set(warnings))
    return sorted(set(problems))

LONG_COLUMNS = ["locality", "indicator", "name", "catalogue_code", "period", "value", "comparator", "numerator",
                "denominator", "unit", "kind", "direction", "status", "raw", "source", "formula", "note"]


def long_table(loc: Locality) -> pd.DataFrame:
    """``status`` is target / actual / estimate / derived; a missing value (a ``…`` placeholder) stays empty."""
    ind = loc.indicators.rename(columns={"id": "indicator", "note": "indicator_note", "source": "indicator_source"})
    out = loc.values.merge(ind[["indicator", "name", "catalogue_code", "unit", "kind", "direction"]],
                           on="indicator", how="left")
    out.insert(0, "locality", loc.id)
    return out.reindex(columns=LONG_COLUMNS)
