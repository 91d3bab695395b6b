"""``chitieu import``: results tables (.docx, .xlsx, tab-separated text) into ``data/<locality>/``.

One file::

    chitieu import bieu.docx --locality xa-moi --name "xã …" --level xa --province "…"

Several files in one call (one process: the start-up is paid once, not per table), one locality id per file, in
the same order, or a mapping file (CSV: ``file,locality`` and, for new localities, ``name,level,province`` …; a
file named relative to the mapping's folder), or a folder (every .docx/.xlsx/.txt/.tsv in it, with a mapping)::

    chitieu import a.xlsx b.docx -l xa-a -l xa-b --replace      # localities already in data/
    chitieu import bieu/ --map bieu/map.csv                      # new ones: name, level, province in the map

Each file is its own transaction (:func:`chitieu.io.importer.import_table`): one that fails changes nothing and
does not stop the others; the summary names it and the exit code is 2.
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from pathlib import Path

import typer

from chitieu.cli._common import UserError
from chitieu.errors import ChitieuError, DataError, InputError
from chitieu.io.tablefile import TABLE_SUFFIXES

app = typer.Typer()

#: columns a mapping file may have beside ``file`` and ``locality``: the options of one import
MAP_OPTIONS = ("name", "level", "province", "term_start", "term_end", "next_term_end", "table", "sheet")
_INT_OPTIONS = ("term_start", "term_end", "next_term_end", "table")


def _echo(text: str = "") -> None:
    typer.echo(text)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


@dataclass
class Job:
    file: Path
    locality: str
    options: dict = field(default_factory=dict)


@app.command("import")
def import_table(
    files: list[Path] = typer.Argument(..., help="tệp .docx, .xlsx hoặc văn bản có dấu tab (.txt/.tsv) chứa Biểu kết "
                                                  "quả; nhiều tệp, hoặc một thư mục (cùng --map)"),
    locality: list[str] = typer.Option(None, "--locality", "-l", help="mã địa phương, ví dụ muong-ang; nhiều tệp: "
                                                                      "một -l cho mỗi tệp, theo thứ tự"),
    mapping: Path | None = typer.Option(None, "--map", help="tệp CSV: file,locality[,name,level,province,…] — "
                                                            "mỗi dòng một tệp cần nhập"),
    replace: bool = typer.Option(False, "--replace", help="thay số liệu đã có của địa phương"),
    name: list[str] = typer.Option(None, "--name", help="tên địa phương mới, ví dụ 'huyện Mường Ảng'; nhiều tệp: "
                                                         "một --name cho mỗi tệp, theo thứ tự"),
    level: list[str] = typer.Option(None, "--level", help="cấp của địa phương mới: tinh, huyen, xa, phuong; nhiều "
                                                          "tệp: một lần cho tất cả, hoặc một lần cho mỗi tệp"),
    province: list[str] = typer.Option(None, "--province", help="tỉnh của địa phương mới (không cần với --level "
                                       "tinh: chính tỉnh đó; quoc-gia: Việt Nam); nhiều tệp: như --level"),
    term_start: int | None = typer.Option(None, "--term-start", help="năm đầu nhiệm kỳ (địa phương mới; mặc định: "
                                          "năm cuối − 5)"),
    term_end: int | None = typer.Option(None, "--term-end", help="năm cuối nhiệm kỳ (mặc định: nhiệm kỳ 5 năm chứa "
                                        "năm của biểu, thường 2025)"),
    next_term_end: int | None = typer.Option(None, "--next-term-end", help="năm của chỉ tiêu nhiệm kỳ sau (mặc "
                                             "định: năm cuối + 5)"),
    table: int | None = typer.Option(None, "--table", min=1, help="số thứ tự của bảng trong tệp .docx"),
    sheet: str | None = typer.Option(None, "--sheet", help="tên trang tính trong tệp .xlsx"),
    dry_run: bool = typer.Option(False, "--dry-run", help="chỉ đọc và báo cáo, không ghi gì vào data/"),
    strict: bool = typer.Option(False, "--strict", help="không ghi gì và thoát với mã 3 nếu có ô không đọc được"),
    wait: float = typer.Option(60.0, "--wait", min=0, help="số giây chờ khi một lần nhập khác đang ghi vào data/ "
                                                          "(0: không chờ)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="không in tiến độ (no progress messages)"),
) -> None:
    """Nhập Biểu kết quả (.docx, .xlsx, văn bản có tab) vào data/<địa phương>/ và liệt kê các ô cần rà soát.

    Nhiều tệp trong một lệnh: một -l cho mỗi tệp (theo thứ tự), hoặc --map tệp.csv (cột file, locality và, cho địa
    phương mới, name, level, province …), hoặc một thư mục cùng --map. Tệp lỗi không làm dừng các tệp khác."""
    started = time.perf_counter()

    def progress(msg: str) -> None:  # on stderr, so that stdout stays the report
        if not quiet:
            _warn(f"[{time.perf_counter() - started:5.1f} s] {msg}")

    defaults = dict(replace=replace, term_start=term_start, term_end=term_end, next_term_end=next_term_end,
                    table=table, sheet=sheet, wait=wait, progress=progress)
    jobs = _jobs(list(files), list(locality or []), mapping)
    per_file = _per_file({"name": list(name or []), "level": list(level or []), "province": list(province or [])},
                         len(jobs))
    if len(jobs) == 1 and len(files) == 1 and not Path(files[0]).is_dir():
        job = jobs[0]  # one table: exactly as before, errors as messages with exit code 2
        code = _import_one(job.file, job.locality, {**defaults, **per_file[0], **job.options}, dry_run=dry_run,
                           strict=strict)
        if code:
            raise typer.Exit(code)
        return
    failed: list[tuple[Job, str]] = []
    unread_refused: list[Job] = []
    for i, job in enumerate(jobs, 1):
        _echo(f"\n=== [{i}/{len(jobs)}] {job.file} → data/{job.locality}/ ===")
        try:
            code = _import_one(job.file, job.locality, {**defaults, **per_file[i - 1], **job.options},
                               dry_run=dry_run, strict=strict)
        except (ChitieuError, OSError) as exc:  # this file changed nothing; the next one goes on
            message = (f"{exc.filename}: {exc.strerror or exc}" if isinstance(exc, OSError) and exc.filename
                       else str(exc))
            _warn(f"LỖI {job.file.name}: {message}")
            failed.append((job, message))
            continue
        if code == 3:
            unread_refused.append(job)
    done = len(jobs) - len(failed) - len(unread_refused)
    verb = "Sẽ nhập" if dry_run else "Đã nhập"
    _echo(f"\n{verb} {done}/{len(jobs)} tệp trong {time.perf_counter() - started:.1f} s.")
    for job, message in failed:
        _echo(f"  LỖI {job.file.name} ({job.locality}): {message.splitlines()[0] if message else ''}")
    for job in unread_refused:
        _echo(f"  --strict: {job.file.name} ({job.locality}) có ô không đọc được; không ghi.")
    if failed:
        raise typer.Exit(2)
    if unread_refused:
        raise typer.Exit(3)


def _per_file(given: dict[str, list[str]], n: int) -> list[dict]:
    """The --name, --level, --province of each of ``n`` files: each option given once for all or once per file, in
    order (a repeated option used to keep only its last value, and gave every new locality the last name). One name
    for several files is refused: two localities with one name is a slip, not a wish."""
    out: list[dict] = [{} for _ in range(n)]
    for opt, values in given.items():
        if not values:
            for d in out:
                d[opt] = None
            continue
        if len(values) == n or (len(values) == 1 and (opt != "name" or n == 1)):
            for i, d in enumerate(out):
                d[opt] = values[i] if len(values) == n else values[0]
            continue
        if opt == "name":
            raise UserError(f"--name: {len(values)} tên cho {n} tệp; cần đúng một --name cho mỗi tệp, theo thứ tự "
                            "(hoặc dùng --map) (one --name per file)")
        raise UserError(f"--{opt}: {len(values)} giá trị cho {n} tệp; cần một giá trị cho tất cả, hoặc một cho mỗi "
                        "tệp theo thứ tự (once for all files, or once per file)")
    return out


def _jobs(files: list[Path], ids: list[str], mapping: Path | None) -> list[Job]:
    """The (file, locality, options) to import, in order, from the arguments; a :class:`UserError` saying what is
    missing when they do not name one locality per file."""
    expanded: list[Path] = []
    for f in files:
        if f.is_dir():
            found = sorted(p for p in f.iterdir() if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES
                           and not p.name.startswith("."))
            if not found:
                raise UserError(f"{f}: thư mục không có tệp .docx, .xlsx, .txt hay .tsv nào (no table files)")
            expanded.extend(found)
        else:
            expanded.append(f)
    if mapping is not None:
        by_file = _read_mapping(mapping)
        if ids:
            raise UserError("dùng --map hoặc -l, không dùng cả hai (use either --map or -l)")
        if not files:
            return list(by_file.values())
        jobs = []
        missing = []
        for f in expanded:
            key = _same_file_key(f)
            if key in by_file:
                jobs.append(by_file[key])
            else:
                missing.append(str(f))
        if missing:
            raise UserError(f"{mapping}: không có dòng cho tệp {', '.join(missing)} (no row for these files)")
        return jobs
    if len(ids) != len(expanded):
        listed = "\n  ".join(str(f) for f in expanded[:20])
        raise UserError(f"{len(expanded)} tệp cần {len(expanded)} mã địa phương (-l, mỗi tệp một, theo thứ tự) hoặc "
                        f"--map, nhưng có {len(ids)} mã (one --locality per file, or --map):\n  {listed}")
    return [Job(f, loc) for f, loc in zip(expanded, ids)]


def _same_file_key(path: Path) -> str:
    try:
        return str(Path(path).resolve())
    except OSError:
        return str(Path(path).absolute())


def _read_mapping(mapping: Path) -> dict[str, Job]:
    """The rows of a mapping CSV (``file,locality`` and the options of :data:`MAP_OPTIONS`), each checked."""
    try:
        text = mapping.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{mapping}: không đọc được tệp ánh xạ ({getattr(exc, 'strerror', None) or exc}); cần CSV "
                        "UTF-8 với các cột file,locality") from None
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in (reader.fieldnames or [])]
    if "file" not in columns or "locality" not in columns:
        raise UserError(f"{mapping}, dòng 1: cần các cột 'file' và 'locality' (có: {', '.join(columns) or 'không có'})")
    unknown = [c for c in columns if c not in ("file", "locality", *MAP_OPTIONS)]
    if unknown:
        raise UserError(f"{mapping}, dòng 1: cột không dùng được {unknown}; các cột: file, locality, "
                        f"{', '.join(MAP_OPTIONS)}")
    jobs: dict[str, Job] = {}
    problems = []
    for line, row in enumerate(reader, 2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        if not row.get("file") or not row.get("locality"):
            problems.append(f"{mapping}, dòng {line}: cần cả 'file' và 'locality'")
            continue
        options = {}
        for key in MAP_OPTIONS:
            value = row.get(key, "")
            if not value:
                continue
            if key in _INT_OPTIONS:
                if not value.isdigit():
                    problems.append(f"{mapping}, dòng {line}, cột '{key}': '{value}' không phải số nguyên")
                    continue
                options[key] = int(value)
            else:
                options[key] = value
        path = (mapping.parent / row["file"]) if not Path(row["file"]).is_absolute() else Path(row["file"])
        key = _same_file_key(path)
        if key in jobs:
            problems.append(f"{mapping}, dòng {line}: tệp '{row['file']}' đã có ở một dòng trước (listed twice)")
            continue
        jobs[key] = Job(path, row["locality"], options)
    if problems:
        raise UserError("\n".join(problems))
    if not jobs:
        raise UserError(f"{mapping}: không có dòng nào (no rows)")
    return jobs


def _import_one(file: Path, locality: str, options: dict, *, dry_run: bool, strict: bool) -> int:
    """Import one file and print its report; returns the exit code (0, or 3 when ``strict`` refused it)."""
    from chitieu.io.importer import import_table as run_import

    if strict and not dry_run:  # read first; write only if every cell could be read
        try:
            trial = run_import(file, locality, **options, dry_run=True)
        except InputError as exc:
            raise UserError(str(exc)) from None
        unread = [r for r in trial.review if r.kind == "unread"]
        if unread:
            for r in unread:
                _warn("  " + r.describe(trial.file_label))
            _warn(f"--strict: {len(unread)} ô không đọc được; data/ không thay đổi.")
            return 3
    try:
        result = run_import(file, locality, **options, dry_run=dry_run)
    except InputError as exc:
        raise UserError(str(exc)) from None
    except DataError:
        raise
    verb = "Sẽ nhập" if dry_run else "Đã nhập"
    _echo(f"{verb} {result.indicators} chỉ tiêu, {result.values} số liệu, {result.comparisons} so sánh từ "
          f"{file.name} vào data/{locality}/" + (" (thay số liệu cũ)" if result.replaced else "") + ".")
    _echo(f"Nguồn: data/sources/{result.source_file} (cột source = {result.source_file}:<dòng>).")
    if result.added_locality:
        _echo(("Sẽ thêm" if dry_run else "Đã thêm") + f" địa phương '{locality}' vào data/localities.csv.")
    for note in result.notes:
        _echo(f"Lưu ý: {note}.")
    _echo("Các cột: " + "; ".join(f"'{h}' → {r}" for h, r in result.columns.items()))
    review = result.review
    if review:
        kinds = {"unread": "không đọc được", "skipped": "bỏ qua", "guess": "đoán"}
        counts = "; ".join(f"{sum(1 for r in review if r.kind == k)} {v}" for k, v in kinds.items())
        _echo(f"\nCần rà soát {len(review)} ô ({counts}), ô ảnh hưởng nhiều nhất trước (thứ tự của review.csv):")
        marks = {3: "đổi đánh giá", 2: "lệch tỷ lệ ≥ 5 điểm"}
        for r in review:  # the parser's ranking, the review file's order
            _echo("  " + r.describe(result.file_label) + (f" [{marks[r.impact]}]" if r.impact in marks else ""))
    else:
        _echo("Không có ô nào phải đoán.")
    if dry_run:
        _echo("\n(--dry-run: data/ không thay đổi)")
    else:
        _echo(f"Ghi chép của lần nhập: data/{locality}/IMPORT.md. Kiểm tra: chitieu check; xem: chitieu table {locality}")
    return 0
