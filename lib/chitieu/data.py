"""Load and validate the data of ``data/`` (format: ``docs/DATA_FORMAT.md``).

Every problem is collected, never only the first: :func:`check` returns them all, each with its file, row
(the line number in the CSV file, header = 1) and column. :func:`load_locality` raises :class:`DataError`
carrying the full list when the locality's files are not valid.

>>> loc = load_locality("muong-ang")            # doctest: +SKIP
>>> loc.values.query("indicator == 'coffee_area'")[["period", "status", "value"]]  # doctest: +SKIP
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

__all__ = [
    "Problem", "DataError", "Locality", "data_dir", "load_localities", "load_catalogue", "load_locality",
    "check", "KINDS", "DIRECTIONS", "COMPARATORS", "STATUSES", "LOCALITY_ID",
]

KINDS = ("level", "share", "rate_per_year", "reduction_per_year", "bound", "x_of_y", "cumulative", "qualitative")
DIRECTIONS = ("higher", "lower", "band")
COMPARATORS = ("=", ">=", ">", "<=", "<")
STATUSES = ("target", "actual", "estimate", "derived")
LEVELS = ("tinh", "huyen", "xa", "phuong")
LOCALITY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
INDICATOR_ID = re.compile(r"^[a-z0-9_]+$")
SOURCE = re.compile(r"^(?P<file>[0-9]{3}_[0-9a-f]{16}\.txt):(?P<line>[1-9][0-9]*)$")
PERIOD = re.compile(r"^(?P<start>(19|20)[0-9]{2})(?:-(?P<end>(19|20)[0-9]{2}))?$")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", dòng {self.row}"
        if self.column:
            where += f", cột '{self.column}'"
        return f"{where}: {self.message}"


class DataError(Exception):
    """Invalid data; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        head = f"{len(self.problems)} lỗi dữ liệu (data problems):"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


def data_dir() -> Path:
    """``$CHITIEU_DATA`` or the project's ``data/``."""
    env = os.environ.get("CHITIEU_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data"


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def read_csv_text(path: Path, root: Path, problems: list[Problem]) -> pd.DataFrame | None:
    """Read a CSV as strings. Encoding and shape problems become :class:`Problem` entries."""
    name = _rel(path, root)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, None, None, f"không đọc được tệp: {exc.strerror}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(name, line, None,
                                "tệp không phải UTF-8 (file is not UTF-8; save it as 'CSV UTF-8')"))
        return None
    if not text.strip():
        problems.append(Problem(name, None, None, "tệp rỗng (empty file)"))
        return None
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for i, r in enumerate(rows[1:], start=2):
        if r and len(r) != len(header):
            problems.append(Problem(name, i, None, f"có {len(r)} ô, tiêu đề có {len(header)} (wrong number of cells)"))
    good = [r for r in rows[1:] if len(r) == len(header)]
    rownum = [i for i, r in enumerate(rows[1:], start=2) if len(r) == len(header)]
    frame = pd.DataFrame(good, columns=header, dtype=str)
    frame.index = rownum
    return frame


def _numeric(s: pd.Series) -> pd.Series:
    return s.eq("") | pd.to_numeric(s, errors="coerce").notna()


def _schemas() -> dict[str, pa.DataFrameSchema]:
    text = dict(dtype=str, nullable=False, coerce=False)
    required = pa.Check.str_length(min_value=1, error="không được để trống (required)")
    number = pa.Check(_numeric, error="không phải là số viết kiểu máy (expected a number like 2815 or 509.1)")
    return {
        "localities": pa.DataFrameSchema({
            "id": pa.Column(**text, checks=[pa.Check.str_matches(LOCALITY_ID.pattern, error="id: chữ thường, số, '-'")],
                            unique=True),
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
    missing = [c for c in schema.columns if c not in frame.columns]
    for c in missing:
        problems.append(Problem(name, 1, c, "thiếu cột (missing column)"))
    if missing:
        return False
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
            problems.append(Problem(name, row, None if pd.isna(col) else str(col), msg))
    return len(problems) == before


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


def _source_lines(root: Path) -> dict[str, list[str]]:
    return _source_lines_cached(str(root / "sources"))


@lru_cache(maxsize=4)
def _source_lines_cached(folder: str) -> dict[str, list[str]]:
    out = {}
    for p in Path(folder).glob("*.txt"):
        out[p.name] = p.read_text(encoding="utf-8").splitlines()
    return out


def _check_sources(frame: pd.DataFrame, lines: dict[str, list[str]], problems: list[Problem],
                   raw_column: str | None = "raw") -> None:
    """Each ``source`` names an existing line and each ``raw`` occurs on it. Frame rows carry ``_file``/``_row``."""
    for _, rec in frame.iterrows():
        name, row = rec["_file"], int(rec["_row"])
        m = SOURCE.match(rec["source"])
        if not m:
            continue
        file, line = m["file"], int(m["line"])
        if file not in lines:
            problems.append(Problem(name, row, "source", f"không có tệp nguồn '{file}' trong data/sources/"))
            continue
        if line > len(lines[file]):
            problems.append(Problem(name, row, "source", f"'{file}' chỉ có {len(lines[file])} dòng"))
            continue
        if raw_column and rec[raw_column] not in lines[file][line - 1]:
            problems.append(Problem(name, row, raw_column,
                                    f"'{rec[raw_column][:60]}' không có trên dòng {line} của {file} "
                                    "(raw text not found on the cited line)"))


def load_localities(root: Path | None = None) -> pd.DataFrame:
    root = root or data_dir()
    problems: list[Problem] = []
    frame = read_csv_text(root / "localities.csv", root, problems)
    if frame is not None:
        validate_frame(frame, "localities", _rel(root / "localities.csv", root), problems)
    if problems:
        raise DataError(problems)
    return frame.reset_index(drop=True)


def load_catalogue(root: Path | None = None) -> pd.DataFrame:
    root = root or data_dir()
    problems: list[Problem] = []
    frame = read_csv_text(root / "catalogue.csv", root, problems)
    if frame is not None:
        validate_frame(frame, "catalogue", _rel(root / "catalogue.csv", root), problems)
    if problems:
        raise DataError(problems)
    return frame.reset_index(drop=True)


def _read_many(folder: Path, pattern: str, kind: str, root: Path, problems: list[Problem]) -> pd.DataFrame:
    frames = []
    for path in sorted(folder.glob(pattern)):
        name = _rel(path, root)
        frame = read_csv_text(path, root, problems)
        if frame is None:
            continue
        validate_frame(frame, kind, name, problems)
        frames.append(frame.assign(_file=name, _row=frame.index))
    if not frames:
        return pd.DataFrame(columns=list(_schemas()[kind].columns) + ["_file", "_row"], dtype=str)
    return pd.concat(frames, ignore_index=True)


def _check_locality_frames(loc_id: str, ind: pd.DataFrame, val: pd.DataFrame, cmp_: pd.DataFrame,
                           catalogue_codes: set[str], lines: dict[str, list[str]], problems: list[Problem]) -> None:
    dup = ind[ind.duplicated("id", keep=False)] if "id" in ind else ind.iloc[0:0]
    for _, r in dup.iterrows():
        problems.append(Problem(r["_file"], r["_row"], "id", f"chỉ tiêu '{r['id']}' khai báo hai lần (duplicate id)"))
    for _, r in ind.iterrows():
        if r.get("catalogue_code") and r["catalogue_code"] not in catalogue_codes:
            problems.append(Problem(r["_file"], r["_row"], "catalogue_code",
                                    f"mã '{r['catalogue_code']}' không có trong data/catalogue.csv"))
    known = set(ind["id"]) if "id" in ind else set()
    kinds = dict(zip(ind.get("id", []), ind.get("kind", [])))
    for frame in (val, cmp_):
        for _, r in frame.iterrows():
            if r.get("indicator") and r["indicator"] not in known:
                problems.append(Problem(r["_file"], r["_row"], "indicator",
                                        f"chỉ tiêu '{r['indicator']}' không có trong indicators*.csv (unknown indicator)"))
    if {"indicator", "period", "status", "source"} <= set(val.columns):
        key = ["indicator", "period", "status", "source"]
        for _, r in val[val.duplicated(key, keep="first")].iterrows():
            problems.append(Problem(r["_file"], r["_row"], "indicator",
                                    f"bản ghi trùng khóa {tuple(r[k] for k in key)} (duplicate key)"))
        for _, r in val.iterrows():
            k = kinds.get(r["indicator"])
            if r["status"] == "derived" and not r.get("formula"):
                problems.append(Problem(r["_file"], r["_row"], "formula", "bản ghi 'derived' cần công thức (formula)"))
            if r.get("denominator") not in (None, "") and _to_float(r["denominator"]) == 0:
                problems.append(Problem(r["_file"], r["_row"], "denominator", "mẫu số bằng 0 (zero denominator)"))
            if k in ("share", "x_of_y", "level", "cumulative") and _to_float(r.get("value", "")) is not None \
                    and _to_float(r["value"]) < 0:
                problems.append(Problem(r["_file"], r["_row"], "value", f"giá trị âm không hợp lệ cho loại '{k}'"))
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
    for c in ("value", "numerator", "denominator"):
        out[c] = pd.to_numeric(out[c].replace("", None), errors="coerce").astype(float)
    need = out["value"].isna() & out["numerator"].notna() & out["denominator"].gt(0)
    out.loc[need, "value"] = out.loc[need, "numerator"] / out.loc[need, "denominator"] * 100
    out["comparator"] = out["comparator"].replace("", "=")
    span = out["period"].str.extract(PERIOD)
    out["year"] = pd.to_numeric(span["end"].fillna(span["start"])).astype("Int64")
    out["period_start"] = pd.to_numeric(span["start"]).astype("Int64")
    return out


def load_locality(loc_id: str, root: Path | None = None) -> Locality:
    """Load one locality, validated. Raises :class:`DataError` listing every problem, or ``KeyError`` if unknown."""
    root = root or data_dir()
    locs = load_localities(root)
    if not LOCALITY_ID.match(loc_id or "") or loc_id not in set(locs["id"]):
        known = ", ".join(locs["id"])
        raise KeyError(f"không có địa phương '{loc_id}' (unknown locality); có: {known}")
    meta = locs.set_index("id").loc[loc_id].to_dict()
    meta["id"] = loc_id
    catalogue = load_catalogue(root)
    problems: list[Problem] = []
    folder = root / loc_id
    ind = _read_many(folder, "indicators*.csv", "indicators", root, problems)
    val = _read_many(folder, "values*.csv", "values", root, problems)
    cmp_ = _read_many(folder, "comparisons*.csv", "comparisons", root, problems)
    if not problems:
        _check_locality_frames(loc_id, ind, val, cmp_, set(catalogue["code"]), _source_lines(root), problems)
    if problems:
        raise DataError(problems)
    values = _typed(val).drop(columns=["_file", "_row"])
    comparisons = cmp_.drop(columns=["_file", "_row"]).copy()
    comparisons["value"] = pd.to_numeric(comparisons["value"].replace("", None), errors="coerce").astype(float)
    indicators = ind.drop(columns=["_file", "_row"]).reset_index(drop=True)
    return Locality(loc_id, meta, indicators, values.reset_index(drop=True), comparisons.reset_index(drop=True))


def check(root: Path | None = None) -> list[Problem]:
    """Validate all of ``data/``; every problem, sorted by file and row."""
    root = root or data_dir()
    problems: list[Problem] = []
    locs = read_csv_text(root / "localities.csv", root, problems)
    cat = read_csv_text(root / "catalogue.csv", root, problems)
    if locs is not None:
        validate_frame(locs, "localities", "data/localities.csv", problems)
    if cat is not None:
        validate_frame(cat, "catalogue", "data/catalogue.csv", problems)
    codes = set(cat["code"]) if cat is not None and "code" in cat else set()
    lines = _source_lines(root)
    ids = list(locs["id"]) if locs is not None and "id" in locs else []
    for loc_id in ids:
        folder = root / loc_id
        if not folder.is_dir():
            problems.append(Problem("data/localities.csv", None, "id", f"không có thư mục data/{loc_id}/"))
            continue
        local: list[Problem] = []
        ind = _read_many(folder, "indicators*.csv", "indicators", root, local)
        val = _read_many(folder, "values*.csv", "values", root, local)
        cmp_ = _read_many(folder, "comparisons*.csv", "comparisons", root, local)
        if not local:
            _check_locality_frames(loc_id, ind, val, cmp_, codes, lines, local)
        problems.extend(local)
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "sources"):
        if folder.name not in ids:
            problems.append(Problem(_rel(folder, root), None, None, "thư mục không có trong data/localities.csv"))
    return sorted(set(problems))
