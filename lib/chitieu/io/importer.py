"""Import a *Biểu kết quả*-style table (.docx, .xlsx or tab-separated text) into ``data/<locality>/``.

The table's header names its columns (``STT``, ``Lĩnh vực`` / ``Chỉ tiêu``, ``Nghị quyết …``, ``Ước thực hiện năm
2024``, ``So sánh với NQĐH``, ``Mục tiêu đến năm 2030``, ``Đơn vị``). Every cell goes through the quantity parser
(:func:`chitieu.io.quantity.parse_row`, so that the ambiguous separators of a row are read together) and every cell
that was guessed or could not be read is listed for review. Nothing is written without a valid result:

1. the table is read into rows (:func:`chitieu.io.tablefile.read_table`) and parsed
   (:func:`chitieu.io.tableparse.parse_table`);
2. the three CSV files of ``docs/DATA_FORMAT.md`` are built, with ``raw`` and ``source`` for every number;
3. the imported file's text is copied into ``data/sources/`` as ``9NN_<16 hex of its sha256>.txt`` (one line per
   table row, tab-separated; a text file keeps its own lines), so that ``source`` = ``<that file>:<line>``
   validates like the seeds' sources;
4. holding the lock of ``data/`` (:func:`chitieu.io.safe.data_lock`; a second import waits, then is told another
   one is running), the new locality folder, the new ``localities.csv`` and the source copy are staged in one
   :class:`chitieu.io.safe.FolderTransaction` (``data/.txn-<pid>-<token>/``), validated with
   :func:`chitieu.io.data.load_locality` against a staged copy of ``data/``, and only then moved into place together
   (an existing folder only with ``replace=True``); a new locality's row is appended to ``localities.csv`` only when
   its name, level and province are given. A kill at any instant leaves ``data/`` as it was or, past the commit
   point, is finished by the next import (or ``check``).
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from chitieu.config import check_locality_id, writable_data_dir
from chitieu.errors import InputError
from chitieu.io.safe import DEFAULT_WAIT, FolderTransaction, data_lock, recover_transactions
from chitieu.io.tablefile import TableSource, read_table
from chitieu.core.numfmt import machine_number
from chitieu.io.tableparse import ParsedTable, ReviewItem, parse_table, unit_from_name
from chitieu.io.review import read_corrections, review_bytes
from chitieu.io.text import fold

__all__ = ["ImportResult", "import_table", "check_locality", "INDICATOR_COLUMNS", "VALUE_COLUMNS", "COMPARISON_COLUMNS"]

INDICATOR_COLUMNS = ["id", "name", "unit", "kind", "direction", "catalogue_code", "group", "source", "note",
                     "direction_source"]
VALUE_COLUMNS = ["indicator", "period", "status", "value", "comparator", "numerator", "denominator", "raw", "source",
                 "formula", "note", "value_high", "flags"]
COMPARISON_COLUMNS = ["indicator", "period", "value", "verdict", "raw", "source", "note"]



@dataclass
class ImportResult:
    locality: str
    folder: Path
    source_file: str
    indicators: int
    values: int
    comparisons: int
    review: list[ReviewItem]
    file_label: str
    added_locality: bool = False
    replaced: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)

    def review_lines(self) -> list[str]:
        return [r.describe(self.file_label) for r in self.review]


def _csv_bytes(rows: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([machine_number(r.get(c)) if c in ("value", "numerator", "denominator", "value_high")
                    else (r.get(c) or "")
                    for c in columns])
    return buf.getvalue().encode("utf-8")


def _source_name(root: Path, content: bytes, digest: str) -> tuple[str, bool]:
    """Name of the copy in data/sources/: an existing file with the same bytes, else the next free 9NN_<hash>.txt."""
    folder = root / "sources"
    taken = set()
    lines = content.decode("utf-8").splitlines()
    for p in sorted(folder.glob("*.txt")):
        taken.add(p.name[:3])
        if abs(p.stat().st_size - len(content)) < 4096 and p.read_text(encoding="utf-8").splitlines() == lines:
            return p.name, False
    for n in range(901, 1000):
        if f"{n:03d}" not in taken:
            return f"{n:03d}_{digest[:16]}.txt", True
    raise InputError("data/sources/ đã có đủ 99 tệp nhập (901–999): không còn số cho tệp mới")


def _locality_row(locs_text: str, fields: dict) -> str:
    header = next(csv.reader(io.StringIO(locs_text)))
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([fields.get(h, "") for h in header])
    return locs_text + ("" if locs_text.endswith("\n") else "\n") + buf.getvalue()


def _stage_root(root: Path, staging: Path, locs_text: str, loc_id: str, folder: Path, source_name: str,
                source_bytes: bytes) -> Path:
    """A copy of data/ for validation: links to the real files, the new localities.csv, folder and source. It is
    named ``data`` so that a problem reads ``data/<locality>/values.csv, dòng …`` (never an internal path)."""
    vroot = staging / "check" / "data"
    (vroot / "sources").mkdir(parents=True)
    (vroot / "localities.csv").write_text(locs_text, encoding="utf-8")
    (vroot / "catalogue.csv").symlink_to((root / "catalogue.csv").resolve())
    for p in (root / "sources").glob("*.txt"):
        if not p.name.startswith("."):
            (vroot / "sources" / p.name).symlink_to(p.resolve())
    if not (vroot / "sources" / source_name).exists():
        (vroot / "sources" / source_name).write_bytes(source_bytes)
    (vroot / loc_id).symlink_to(folder.resolve())
    return vroot


def import_table(path: Path, locality: str, *, root: Path | None = None, replace: bool = False,
                 name: str | None = None, level: str | None = None, province: str | None = None,
                 term_start: int | None = None, term_end: int | None = None, next_term_end: int | None = None,
                 table: int | None = None, sheet: str | None = None, dry_run: bool = False,
                 wait: float | None = DEFAULT_WAIT, progress: Callable[[str], None] | None = None) -> ImportResult:
    """Import the table of ``path`` into ``data/<locality>/`` (see the module docstring). Raises :class:`InputError`
    for anything the user can fix; on any failure nothing in ``data/`` is changed.

    Everything that reads or writes ``data/`` happens under the data folder's lock (:func:`chitieu.io.safe.data_lock`):
    a second import waits up to ``wait`` seconds (``--wait``; ``None`` for ever, ``0`` not at all) and is then told
    that another import is running. ``localities.csv``, the locality's folder and the source copy are written as one
    :class:`chitieu.io.safe.FolderTransaction`: all of them or none, even if the process is killed. ``progress``
    receives a line at each step (reading, parsing, checking, writing).

    A new locality's term, when not given, is the five-year term holding the table's own year (:func:`term_of`): a
    2023 table → 2020–2025, a 2019 plan-year table → 2015–2020; the import's notes say so.
    """
    from chitieu.io import data as data_mod

    say = progress or (lambda _msg: None)
    root = Path(root) if root is not None else writable_data_dir()
    path = Path(path)
    check_locality_id(locality)
    say(f"đọc {path.name} …")
    src = read_table(path, table=table, sheet=sheet)  # the file's own problems first, named by the file
    say(f"đã đọc {len(src.rows)} dòng ({src.what})")
    with data_lock(root, wait=wait, on_wait=say, what="ghi vào"):
        recover_transactions(root)  # what a killed import left: finished or undone, before reading data/
        return _import_locked(path, locality, src, root, replace=replace, name=name, level=level, province=province,
                              term_start=term_start, term_end=term_end, next_term_end=next_term_end,
                              dry_run=dry_run, say=say, data_mod=data_mod)


DEFAULT_TERM_END = 2025  # the term the seeds report on (2020–2025)


def term_of(year: int, term_start: int | None = None, next_term_end: int | None = None
            ) -> tuple[int, int, int, str]:
    """(term start, term end, next term end, a note) of a new locality whose term was not given: the five-year term
    that holds ``year`` (the table's own year), ending on a multiple of five as the congress terms do.

    >>> term_of(2023)[:3], term_of(2019)[:3], term_of(2020)[:3]
    ((2020, 2025, 2030), (2015, 2020, 2025), (2015, 2020, 2025))
    """
    end = -(-int(year) // 5) * 5
    start = term_start if term_start is not None else end - 5
    nxt = next_term_end if next_term_end is not None else end + 5
    note = (f"nhiệm kỳ {start}–{end}: suy từ năm của biểu ({year}); nếu khác, nhập lại với --term-start/--term-end "
            "(term inferred from the table's year)")
    return start, end, nxt, note


def default_province(level: str | None, name: str | None, province: str | None) -> str | None:
    """The province of a new locality when the user gives none and it cannot be otherwise: the country for a
    national table ("Việt Nam"), the province itself for a province ("tỉnh Gia Lai" → "Gia Lai"). Any other level
    needs --province (a district's province cannot be guessed)."""
    if province or not name:
        return province
    if level == "quoc-gia":
        return "Việt Nam"
    if level == "tinh":
        return re.sub(r"^\s*tỉnh\s+", "", name, flags=re.IGNORECASE).strip() or None
    return province


def check_locality(root: Path, locality: str, name, level, province, data_mod, *, exists_hint: str = ""
                   ) -> tuple[str, pd.DataFrame, bool]:
    """(the text of localities.csv, its frame, whether ``locality`` is in it) — for a writer into ``data/``, holding
    the lock. A known locality must not be given --name/--level/--province; a new one needs all three."""
    locs_path = root / "localities.csv"
    try:
        locs_text = locs_path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{locs_path}: không đọc được ({exc.strerror})") from None
    locs = data_mod.load_localities(root)
    known = locality in set(locs["id"])
    if known and any(v is not None for v in (name, level, province)):
        raise InputError(f"địa phương '{locality}' đã có trong data/localities.csv: bỏ --name/--level/--province"
                         + exists_hint)
    if not known:
        missing = [opt for opt, v in (("--name", name), ("--level", level), ("--province", province)) if not v]
        if missing:
            raise InputError(f"chưa có địa phương '{locality}' trong data/localities.csv (có: {', '.join(locs['id'])}); "
                             f"để tạo mới cần {', '.join(missing)}")
        if level not in data_mod.LEVELS:
            raise InputError(f"--level '{level}': một trong {', '.join(data_mod.LEVELS)}")
    return locs_text, locs, known


def _import_locked(path: Path, locality: str, src: TableSource, root: Path, *, replace: bool, name, level, province,
                   term_start: int | None, term_end: int | None, next_term_end: int | None, dry_run: bool, say,
                   data_mod
                   ) -> ImportResult:
    """The import proper, holding the lock: data/ is read here, so what is checked is what is replaced."""
    province = default_province(level, name, province)
    locs_text, locs, known = check_locality(
        root, locality, name, level, province, data_mod,
        exists_hint=" (nếu một lần nhập khác vừa tạo địa phương này, số liệu của lần đó được giữ nguyên; thêm --replace "
                    "để thay) (the locality exists: another import may have just created it)")
    if known:
        term_end = term_end or int(locs.set_index("id").loc[locality, "term_end"])
    term_given = known or term_end is not None
    term_end = term_end or DEFAULT_TERM_END
    folder = root / locality
    owned = ("indicators.csv", "values.csv", "comparisons.csv")
    if folder.exists() and any((folder / f).exists() for f in owned) and not replace:
        raise InputError(f"data/{locality}/ đã có số liệu ({', '.join(f for f in owned if (folder / f).exists())}); "
                         "thêm --replace để thay (các tệp khác trong thư mục được giữ)")
    raw_bytes = "\n".join(src.source_lines).encode("utf-8")
    if not raw_bytes.endswith(b"\n"):
        raw_bytes += b"\n"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    source_name, new_source = _source_name(root, raw_bytes, digest)
    existing_ids: dict[str, str] = {}
    if folder.exists() and (folder / "indicators.csv").exists():
        old = pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)
        existing_ids = {fold(unit_from_name(n)[0]): i for n, i in zip(old.get("name", []), old.get("id", []))}
    say(f"phân tích {len(src.rows)} dòng …")
    corrections = read_corrections(folder / "review.csv")  # what a person confirmed or corrected last time
    parsed = parse_table(src.rows, term_end=term_end, file_label=path.name, lines=src.lines, source_name=source_name,
                         catalogue=data_mod.load_catalogue(root), existing_ids=existing_ids, native=src.native,
                         corrections=corrections)
    term_note = None
    if not term_given:
        term_start, term_end, next_term_end, term_note = term_of(parsed.year, term_start, next_term_end)
        if term_end == DEFAULT_TERM_END:
            term_note = None  # the usual term: nothing to say
        else:  # the table is about another term: read again against its end
            parsed = parse_table(src.rows, term_end=term_end, file_label=path.name, lines=src.lines,
                                 source_name=source_name, catalogue=data_mod.load_catalogue(root),
                                 existing_ids=existing_ids, native=src.native, corrections=corrections)
    elif not known:
        term_start = term_end - 5 if term_start is None else term_start
        next_term_end = term_end + 5 if next_term_end is None else next_term_end
    result = ImportResult(locality, folder, source_name, len(parsed.indicators), len(parsed.values),
                          len(parsed.comparisons), parsed.review, path.name, added_locality=not known,
                          replaced=folder.exists() and any((folder / f).exists() for f in owned), dry_run=dry_run,
                          notes=list(src.notes) + ([term_note] if term_note else []), columns=parsed.columns)
    files = {
        "indicators.csv": _csv_bytes(parsed.indicators, INDICATOR_COLUMNS),
        "values.csv": _csv_bytes(parsed.values, VALUE_COLUMNS),
        "comparisons.csv": _csv_bytes(parsed.comparisons, COMPARISON_COLUMNS),
        "review.csv": review_bytes(parsed.review, path.name),
        "IMPORT.md": _import_notes(path, digest, src, source_name, parsed, result).encode("utf-8"),
    }
    say(f"kiểm tra {result.indicators} chỉ tiêu, {result.values} số liệu …")
    with FolderTransaction(root) as txn:
        if new_source:  # the source copy first: the folder's rows cite it
            txn.stage_file(f"sources/{source_name}", raw_bytes, only_if_absent=True)
        new_folder = txn.stage_folder(locality, copy_existing=True)
        for fname, content in files.items():
            (new_folder / fname).write_bytes(content)
        locs_text_new = locs_text
        if not known:
            new_meta = {"id": locality, "name": name, "level": level, "province": province, "term_start": term_start,
                        "term_end": term_end, "next_term_end": next_term_end, "merged_from": "", "merged_on": "",
                        "source_file": source_name, "note": f"Nhập từ {path.name} bằng chitieu import."}
            locs_text_new = _locality_row(locs_text, new_meta)
            txn.stage_file("localities.csv", locs_text_new.encode("utf-8"))
        _check_staged(_stage_root(root, txn.staging, locs_text_new, locality, new_folder, source_name, raw_bytes),
                      locality, path, result.replaced, data_mod)
        if dry_run:
            return result  # the transaction is dropped: nothing written
        say("ghi vào data/ …")
        txn.commit()
    return result


def _check_staged(vroot: Path, locality: str, path: Path, replaced: bool, data_mod) -> None:
    """Validate the staged data as ``load_locality`` will read it; an :class:`InputError` listing every problem
    (nothing is written: the transaction is dropped)."""
    try:
        data_mod.load_locality(locality, root=vroot)
    except data_mod.DataError as exc:
        problems = "\n".join(f"  - {p}" for p in exc.problems[:30])
        more = f"\n  … và {len(exc.problems) - 30} lỗi khác" if len(exc.problems) > 30 else ""
        raise InputError(f"{path.name}: số liệu nhập vào không hợp lệ — data/ không bị thay đổi:\n{problems}{more}"
                         + ("\n(các tệp khác trong data/" + locality + "/ tham chiếu chỉ tiêu không còn trong "
                            "bảng mới?)" if replaced else "")) from None


def _import_notes(path: Path, digest: str, src: TableSource, source_name: str, parsed: ParsedTable,
                  result: ImportResult) -> str:
    lines = [f"# Nhập từ `{path.name}`", "",
             f"- Ngày nhập: {date.today().isoformat()}; tệp gốc sha256 `{digest}`.",
             f"- Đọc: {src.what}" + (f" (bảng mã {src.encoding})" if src.encoding else "") +
             f"; dòng tiêu đề: {parsed.header_row}.",
             f"- Bản sao văn bản: `data/sources/{source_name}` — mỗi dòng là một hàng của bảng (ô cách nhau bằng tab); "
             f"cột `source` = `{source_name}:<dòng>`.",
             f"- {result.indicators} chỉ tiêu, {result.values} số liệu, {result.comparisons} so sánh.",
             "", "## Cột", ""]
    lines += [f"- `{h}` → {role}" for h, role in parsed.columns.items()]
    lines += ["", f"## Cần rà soát ({len(parsed.review)}; xếp theo mức ảnh hưởng — sửa trong review.csv rồi nhập lại "
                  "với --replace)", ""]
    lines += [f"- {r.describe(path.name)}" for r in parsed.review] or ["- (không có)"]
    return "\n".join(lines) + "\n"
