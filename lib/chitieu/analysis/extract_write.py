"""``chitieu extract --write``: the accepted proposals into ``data/<locality>/``, the doubtful ones into a ranked
review file — through the importer's transaction, so that nothing is half-written.

What is written (all in one :class:`chitieu.io.safe.FolderTransaction`, under the data folder's lock, validated with
:func:`chitieu.io.data.load_locality` before anything moves into place):

* ``data/sources/9NN_<hash>.txt`` — the document's text as read (OCR text as it came from the engine), one line per
  line, so that every record's ``source`` = ``<that file>:<line>`` and ``raw`` validate like the seeds' (a document
  already in ``data/sources/`` is cited as it is);
* ``data/<locality>/indicators_extract.csv``, ``values_extract.csv``, ``comparisons_extract.csv`` — beside any
  imported or transcribed files (``data/`` reads every ``indicators*.csv``): ids are prefixed ``ex_`` so they never
  clash; ``--replace`` replaces only these files;
* ``data/<locality>/review-extract.csv`` — every proposal not written (confidence under
  :data:`chitieu.analysis.extract.ACCEPT`, conflicting statements, ratios against a plan rather than the resolution),
  ranked by how much a wrong reading would change a verdict: first the indicators that have both a target and a
  result (a verdict hangs on them), then those with a catalogue code (comparisons across localities), then the rest;
  within a rank, the least sure first. Columns: ``rank, source, raw, indicator_name, reading, alternatives,
  confidence, why``;
* ``data/<locality>/EXTRACT.md`` — what was read, from which file, when.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from chitieu.analysis.extract import PROPOSAL_STATUS_VI, Extraction, Proposal, _norm_name
from chitieu.core.numfmt import format_vi
from chitieu.core.vocabulary import COMPARATOR_SIGN
from chitieu.errors import InputError
from chitieu.io.text import slugify

__all__ = ["WriteResult", "write_extraction", "review_rows", "EXTRACT_REVIEW_COLUMNS", "OWN_FILES"]

EXTRACT_REVIEW_COLUMNS = ["rank", "source", "raw", "indicator_name", "reading", "alternatives", "confidence", "why"]
OWN_FILES = ("indicators_extract.csv", "values_extract.csv", "comparisons_extract.csv", "review-extract.csv",
             "EXTRACT.md")


@dataclass
class WriteResult:
    locality: str
    source_file: str
    indicators: int
    values: int
    comparisons: int
    review: int
    added_locality: bool = False
    replaced: bool = False
    notes: list[str] = field(default_factory=list)


def reading(p: Proposal) -> str:
    """A proposal as a person reads it: 'chỉ tiêu 2030: ≥ 135 triệu đồng'."""
    value = "?" if p.value is None else format_vi(p.value, _decimals(p.value))
    if p.value_high is not None:
        value += "–" + format_vi(p.value_high, _decimals(p.value_high))
    unit = p.unit if p.unit.startswith("%") else f" {p.unit}"
    parts = f" ({format_vi(p.numerator, _decimals(p.numerator))}/{format_vi(p.denominator, _decimals(p.denominator))})" \
        if p.numerator is not None else ""
    return f"{PROPOSAL_STATUS_VI.get(p.status, p.status)} {p.period}: {COMPARATOR_SIGN.get(p.comparator, '')}{value}{unit}{parts}"


def _decimals(x: float) -> int:
    s = f"{x:.6f}".rstrip("0").rstrip(".")
    return len(s.split(".")[1]) if "." in s else 0


def _impact(p: Proposal, verdictable: set[str]) -> int:
    key = _norm_name(_base_name(p.indicator_name))
    if key in verdictable:
        return 3
    if p.catalogue_code:
        return 2
    return 1


def _base_name(name: str) -> str:
    return re.sub(r"\s*\((?:tăng|giảm) so với [^()]*\)$|\s*\(so với [^()]*\)$", "", name)


def review_rows(props: list[Proposal], doubtful: list[Proposal]) -> list[dict]:
    """The ranked rows of the review file for ``doubtful`` (``props``: every proposal, to know which indicators
    have both a target and a result)."""
    targets = {_norm_name(_base_name(p.indicator_name)) for p in props if p.status == "target"}
    results = {_norm_name(_base_name(p.indicator_name)) for p in props if p.status != "target"}
    verdictable = targets & results
    order = sorted(doubtful, key=lambda p: (-_impact(p, verdictable) - (1 if p.conflict else 0), p.confidence,
                                            p.line))
    rows = []
    for rank, p in enumerate(order, start=1):
        alts = "; ".join(format_vi(a, _decimals(a)) + f" {p.base_unit}" for a in p.alternatives)
        rows.append({"rank": rank, "source": p.source, "raw": p.raw, "indicator_name": p.indicator_name,
                     "reading": reading(p), "alternatives": alts, "confidence": f"{p.confidence:.2f}",
                     "why": "; ".join(p.why) or "độ tin cậy thấp"})
    return rows


def _csv(rows: list[dict], columns: list[str]) -> bytes:
    from chitieu.core.numfmt import machine_number
    from chitieu.io.safe import spreadsheet_text

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([machine_number(r.get(c)) if c in ("value", "numerator", "denominator") else
                    spreadsheet_text("" if r.get(c) is None else str(r.get(c))) if c in EXTRACT_REVIEW_COLUMNS and
                    c in ("raw", "indicator_name", "why", "reading", "alternatives") else
                    ("" if r.get(c) is None else r.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


class _Planner:
    """Turns accepted proposals into the rows of indicators_extract.csv, values_extract.csv, comparisons_extract.csv;
    whatever cannot be written (a ratio to a plan, a second record with the same key …) is kept as doubtful."""

    def __init__(self, ex: Extraction, source_name: str, catalogue, taken_ids: set[str]):
        self.ex, self.source_name, self.taken = ex, source_name, taken_ids
        self.cat_direction = {} if catalogue is None else dict(zip(catalogue["code"], catalogue["direction"]))
        self.indicators: dict[tuple, dict] = {}
        self.values: list[dict] = []
        self.comparisons: list[dict] = []
        self.doubtful: list[Proposal] = []
        self.keys: set[tuple] = set()

    def indicator_for(self, p: Proposal, name: str, unit: str, kind: str) -> dict:
        key = (_norm_name(name), unit, kind)
        if key in self.indicators:
            return self.indicators[key]
        base = "ex_" + slugify(name, 40)
        ind_id, k = base, 2
        while ind_id in self.taken:
            ind_id, k = f"{base}_{k}", k + 1
        self.taken.add(ind_id)
        code = p.catalogue_code
        if code and code in self.cat_direction:
            direction, why = self.cat_direction[code], f"chiều theo mã danh mục '{code}'"
        elif p.comparator in ("<", "<=") and p.status == "target":
            direction, why = "lower", "chiều 'càng thấp càng tốt' vì chỉ tiêu ghi 'dưới / không quá'"
        elif kind == "reduction_per_year":
            direction, why = "higher", "mức giảm: càng giảm nhiều càng tốt"
        else:
            direction, why = "higher", "chiều 'càng cao càng tốt' đặt mặc định — kiểm tra"
        ind = {"id": ind_id, "name": name, "unit": unit, "kind": kind, "direction": direction,
               "catalogue_code": code, "group": "", "source": f"{self.source_name}:{p.line}",
               "note": f"Đọc bằng chitieu extract ({why})."}
        self.indicators[key] = ind
        return ind

    def notes(self, p: Proposal) -> tuple[list[str], str]:
        note = []
        if self.ex.document.paged:
            ln = self.ex.document.lines[p.line - 1]
            note.append(f"{self.ex.document.name} trang {ln.page}, dòng {ln.line}")
        comparator = p.comparator
        if comparator == "~":
            comparator = "="
            note.append("văn bản ghi 'khoảng/gần' (≈): ghi là '='")
        if p.value_high is not None:
            note.append(f"khoảng {format_vi(p.value, _decimals(p.value))}–{format_vi(p.value_high, _decimals(p.value_high))}"
                        f" {p.unit}: ghi cận dưới")
        return note, comparator

    def add_ratio(self, p: Proposal, note: list[str]) -> None:
        base_name = _base_name(p.indicator_name)
        target = next((i for (n, _, _), i in self.indicators.items() if n == _norm_name(base_name)), None)
        key = ("cmp", target["id"] if target else "", p.period, p.source)
        if target is None or key in self.keys:
            self.doubtful.append(p)
            return
        self.keys.add(key)
        self.comparisons.append({"indicator": target["id"], "period": p.period.split("-")[-1], "value": p.value,
                                 "verdict": "", "raw": p.raw, "source": f"{self.source_name}:{p.line}",
                                 "note": "; ".join(note)})

    def add_value(self, index: int, p: Proposal, note: list[str], comparator: str) -> None:
        kind = p.kind if p.kind in ("level", "share", "rate_per_year", "reduction_per_year", "x_of_y",
                                    "cumulative") else ("share" if p.unit.startswith("%") else "level")
        if p.kind == "rate":
            # a growth over a whole span ("đến 2030 so với 2025 tăng 31,6%", "nhiệm kỳ tăng 9,15%") is neither a
            # pace per year nor a share: data/ has no kind for it, so it is left for a person, never re-labelled
            p.why.append("tăng/giảm cả giai đoạn, không phải mỗi năm: chưa ghi vào data/ (rate over a span)")
            self.doubtful.append(p)
            return
        unit = p.unit if kind != "rate_per_year" or p.unit.endswith("/năm") else p.unit + "/năm"
        value = p.value
        if value is not None and value < 0 and (p.kind in ("change", "reduction_per_year") or "giảm" in p.raw):
            value = -value  # a fall is written as the size of the fall; the name says 'giảm' (as data/ does)
            note.append("mức giảm, ghi số dương")
        ind = self.indicator_for(p, p.indicator_name or "(không rõ tên)", unit, kind)
        key = (ind["id"], p.period, p.status, p.line)
        if key in self.keys:
            self.doubtful.append(p)
            return
        self.keys.add(key)
        self.values.append({"indicator": ind["id"], "period": p.period, "status": p.status, "value": value,
                            "comparator": comparator, "numerator": p.numerator, "denominator": p.denominator,
                            "raw": p.raw, "source": f"{self.source_name}:{p.line}", "formula": "",
                            "note": "; ".join(note + [w for w in p.why if "bảng" not in w][:2]), "_proposal": index})


def _plan(ex: Extraction, source_name: str, catalogue, taken_ids: set[str]):
    """(indicators, values, comparisons, doubtful) for the accepted proposals."""
    plan = _Planner(ex, source_name, catalogue, taken_ids)
    for index, p in enumerate(ex.proposals):
        if not p.accepted or p.value is None or (p.kind == "ratio" and p.reference != "nghị quyết"):
            plan.doubtful.append(p)
            continue
        note, comparator = plan.notes(p)
        if p.kind == "ratio":
            plan.add_ratio(p, note)
        else:
            plan.add_value(index, p, note, comparator)
    return list(plan.indicators.values()), plan.values, plan.comparisons, plan.doubtful


def _precheck(values: list[dict], indicators: list[dict]) -> dict[int, str]:
    """Index (in the extraction's proposals) → reason, for the records data/ would refuse: a negative level, share
    or count (validation rejects them). Checked before staging so that one bad reading does not stop the write."""
    kinds = {i["id"]: i["kind"] for i in indicators}
    out = {}
    for v in values:
        if v.get("value") is not None and v["value"] < 0 and kinds.get(v["indicator"]) in (
                "level", "share", "x_of_y", "cumulative"):
            out[v["_proposal"]] = f"giá trị âm ({v['value']:g}) không hợp lệ cho loại '{kinds[v['indicator']]}'"
    return out


def write_extraction(ex: Extraction, path: Path, locality: str, *, root: Path | None = None,
                     name: str | None = None, level: str | None = None, province: str | None = None,
                     replace: bool = False, wait: float | None = None, dry_run: bool = False) -> WriteResult:
    """Write the accepted proposals of ``ex`` (read from ``path``) into ``data/<locality>/`` (see the module
    docstring). Raises :class:`InputError` for anything the user can fix; on any failure ``data/`` is unchanged."""
    from chitieu.config import check_locality_id, writable_data_dir
    from chitieu.io import data as data_mod
    from chitieu.io.importer import _source_name, check_locality, default_province
    from chitieu.io.safe import DEFAULT_WAIT, data_lock, recover_transactions

    root = Path(root) if root is not None else writable_data_dir()
    check_locality_id(locality)
    raw_bytes = ("\n".join(ln.raw for ln in ex.document.lines) + "\n").encode("utf-8")
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    with data_lock(root, wait=DEFAULT_WAIT if wait is None else wait, what="ghi vào"):
        recover_transactions(root)
        province = default_province(level, name, province)
        locs_text, _, known = check_locality(root, locality, name, level, province, data_mod)
        folder = root / locality
        mine = [f for f in OWN_FILES[:3] if (folder / f).exists()]
        if mine and not replace:
            raise InputError(f"data/{locality}/ đã có số liệu của một lần extract trước ({', '.join(mine)}); thêm "
                             "--replace để thay (các tệp khác trong thư mục được giữ)")
        source_name, new_source = _source_name(root, raw_bytes, digest)
        files, counts = _files(ex, path, digest, source_name, data_mod.load_catalogue(root), _taken_ids(folder))
        result = WriteResult(locality, source_name, *counts, added_locality=not known, replaced=bool(mine))
        meta = None if known else {
            "id": locality, "name": name, "level": level, "province": province, "term_start": ex.term[0] - 5,
            "term_end": ex.term[0], "next_term_end": ex.term[1], "merged_from": "", "merged_on": "",
            "source_file": source_name, "note": f"Đọc từ {Path(path).name} bằng chitieu extract."}
        _stage_and_commit(root, locality, files, locs_text, meta, source_name, raw_bytes if new_source else None,
                          Path(path).name, dry_run, data_mod)
    return result


def _taken_ids(folder: Path) -> set[str]:
    taken: set[str] = set()
    for f in folder.glob("indicators*.csv") if folder.is_dir() else []:
        if f.name != "indicators_extract.csv":
            with f.open(encoding="utf-8") as fh:
                taken |= {r.get("id", "") for r in csv.DictReader(fh)}
    return taken


def _files(ex: Extraction, path: Path, digest: str, source_name: str, catalogue, taken: set[str]):
    """The bytes of the files to write, and (indicators, values, comparisons, review) counts."""
    from chitieu.io.importer import COMPARISON_COLUMNS, INDICATOR_COLUMNS, VALUE_COLUMNS

    indicators, values, comparisons, doubtful = _plan(ex, source_name, catalogue, set(taken))
    problems = _precheck(values, indicators)
    if problems:  # a record data/ would refuse (a negative share …) goes to review with the reason
        for i, why in problems.items():
            ex.proposals[i].why.append(f"data/ không nhận: {why}")
        bad = {id(ex.proposals[i]) for i in problems}
        sub = Extraction(ex.document, [p for p in ex.proposals if id(p) not in bad], ex.term, ex.notes)
        indicators, values, comparisons, doubtful = _plan(sub, source_name, catalogue, set(taken))
        doubtful += [ex.proposals[i] for i in problems]
    review = review_rows(ex.proposals, doubtful)
    notes_md = _notes(ex, path, digest, source_name, len(indicators), len(values), len(comparisons), len(review))
    files = {"indicators_extract.csv": _csv(indicators, INDICATOR_COLUMNS),
             "values_extract.csv": _csv(values, VALUE_COLUMNS),
             "comparisons_extract.csv": _csv(comparisons, COMPARISON_COLUMNS),
             "review-extract.csv": _csv(review, EXTRACT_REVIEW_COLUMNS),
             "EXTRACT.md": notes_md.encode("utf-8")}
    return files, (len(indicators), len(values), len(comparisons), len(review))


def _stage_and_commit(root: Path, locality: str, files: dict[str, bytes], locs_text: str, meta: dict | None,
                      source_name: str, source_bytes: bytes | None, file_label: str, dry_run: bool, data_mod) -> None:
    """The importer's transaction: stage the folder, the source copy and localities.csv, validate, commit."""
    from chitieu.io.importer import _locality_row, _stage_root
    from chitieu.io.safe import FolderTransaction

    with FolderTransaction(root) as txn:
        if source_bytes is not None:
            txn.stage_file(f"sources/{source_name}", source_bytes, only_if_absent=True)
        new_folder = txn.stage_folder(locality, copy_existing=True)
        for fname, content in files.items():
            (new_folder / fname).write_bytes(content)
        locs_text_new = locs_text
        if meta is not None:
            locs_text_new = _locality_row(locs_text, meta)
            txn.stage_file("localities.csv", locs_text_new.encode("utf-8"))
        raw = source_bytes if source_bytes is not None else (root / "sources" / source_name).read_bytes()
        vroot = _stage_root(root, txn.staging, locs_text_new, locality, new_folder, source_name, raw)
        try:
            data_mod.load_locality(locality, root=vroot)
        except data_mod.DataError as exc:
            problems = "\n".join(f"  - {p}" for p in exc.problems[:30])
            raise InputError(f"{file_label}: số liệu đọc được không hợp lệ — data/ không bị thay đổi:\n"
                             f"{problems}") from None
        if not dry_run:
            txn.commit()


def _notes(ex: Extraction, path: Path, digest: str, source_name: str, n_ind: int, n_val: int, n_cmp: int,
           n_review: int) -> str:
    lines = [f"# Đọc từ `{Path(path).name}` bằng chitieu extract", "",
             f"- Ngày: {date.today().isoformat()}; tệp gốc sha256 `{digest}`; dạng: {ex.document.kind}"
             + (" (OCR)" if ex.document.ocr else "") + ".",
             f"- Bản sao văn bản: `data/sources/{source_name}` (cột `source` = `{source_name}:<dòng>`).",
             f"- Nhiệm kỳ Đại hội: {ex.term[0]}-{ex.term[1]}.",
             f"- Ghi {n_ind} chỉ tiêu, {n_val} số liệu, {n_cmp} so sánh; {n_review} đề xuất cần rà soát trong "
             "`review-extract.csv` (xếp theo mức ảnh hưởng đến đánh giá).", "", "## Lưu ý", ""]
    lines += [f"- {n}" for n in ex.notes] or ["- (không có)"]
    return "\n".join(lines) + "\n"
