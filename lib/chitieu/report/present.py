"""The presentation layer: how every output of chitieu writes what a reader sees.

HTML pages, chart images, Excel sheets, the Word draft, the terminal and CSV files all take from here:

- **numbers** in the indicator's own precision (as many decimals as the document writes for it, at most three),
  in the Vietnamese format (``2.815``, ``509,1``), never ``nan``, ``2025.0`` or ``2.499,257046``;
- **bounds** as reports write them: ``trên 39``, ``dưới 1``, ``≥ 130``, ``≤ 1,7`` (:func:`bound`);
- **units** beside the number (``2.815 ha``, ``29,2%``, ``2,5%/năm``) (:func:`with_unit`);
- **one colour per verdict** (:data:`VERDICT_COLORS`), the same in HTML, Excel and charts, with a readable text
  colour on it (:data:`VERDICT_TEXT_COLORS`);
- **one counting rule** (:func:`verdict_counts`): every row of the results table counts once, under its verdict
  (a verdict in words counts like a verdict in numbers); a row that needs review counts as *cần rà soát*, never
  under a clean verdict; :func:`counts_text` is the one sentence that says it;
- **rows that need review** (a ``review`` column, or the flag ``needs_review``) show *Cần rà soát* instead of a
  verdict (:func:`display_verdict`);
- **sources** as the reader knows them: the document's title and the line (``Báo cáo chính trị huyện Mường Ảng,
  dòng 790``), not ``002_12d62f31151c975c.txt:790`` (:func:`source_label`).

>>> bound(39, ">", unit="triệu đồng"), bound(130, ">="), with_unit(number(29.2), "%")
('trên 39 triệu đồng', '≥ 130', '29,2%')
>>> number(2499.257046, 1), number(float("nan")), number(2025.0)
('2.499,3', 'chưa có số liệu', '2.025')
"""
from __future__ import annotations

import math
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from chitieu.core.numfmt import decimals_of, format_vi, is_missing, round_half_up
from chitieu.core.vocabulary import COMPARATOR_CELL_VI, FLAG_VI, VERDICT_VI

__all__ = [
    "MISSING", "has_number", "VERDICT_ORDER", "VERDICT_COLORS", "VERDICT_TEXT_COLORS", "VERDICT_LABELS", "CATEGORY_COLORS",
    "MAX_DECIMALS", "decimals_needed", "indicator_decimals", "row_decimals", "value_decimals", "number", "with_unit", "bound",
    "bound_words", "pct", "year_text", "needs_review", "review_reasons", "display_verdict", "verdict_label", "verdict_counts",
    "counts_text", "flags_text", "document_titles", "document_title", "source_label", "source_file",
    "results_display", "verdict_css", "is_numeric_text", "PRIMARY_METHOD", "primary_method", "pace_unit",
]

MISSING = "chưa có số liệu"

#: verdict codes as displayed, best first; ``review`` replaces a verdict on a row whose reading is uncertain
VERDICT_ORDER = ("exceeded", "met", "not_met", "review", "unknown")
VERDICT_LABELS = dict(VERDICT_VI)  # "review": "Cần rà soát" included
#: one colour per verdict, everywhere (charts, HTML cells, Excel fills): teal greens for good, vermillion for bad,
#: reddish purple for "needs review", grey for unknown — told apart under colour-vision deficiencies too (after
#: Okabe & Ito)
VERDICT_COLORS = {
    "exceeded": "#00735a",
    "met": "#6cc3a0",
    "not_met": "#d55e00",
    "review": "#cc79a7",
    "unknown": "#a6a6a6",
}
#: the text colour that reads on each verdict colour (contrast ≥ 4.5 where it matters)
VERDICT_TEXT_COLORS = {"exceeded": "#ffffff", "met": "#111111", "not_met": "#ffffff", "review": "#111111",
                       "unknown": "#111111"}
#: the 2030 progress categories (chitieu.analysis.projection.CATEGORIES) and the comparison's gaps, good to bad
CATEGORY_COLORS = {
    "met": VERDICT_COLORS["exceeded"], "on_track": VERDICT_COLORS["met"], "accelerate": "#f0e442",
    "limited": "#e69f00", "away": VERDICT_COLORS["not_met"], "not_assessable": "#b8b8b8", "no_data": "#e6e6e6",
    "absent": "#ffffff",
}
CATEGORY_TEXT_COLORS = {"met": "#ffffff", "away": "#ffffff"}

#: the most decimals any number is written with (the documents never print more)
MAX_DECIMALS = 3


# --------------------------------------------------------------------------------------------
# Precision
# --------------------------------------------------------------------------------------------

def has_number(x) -> bool:
    """True for a finite number (not None, NaN, ±inf, or text)."""
    return _finite(x)


def _finite(x) -> bool:
    try:
        return not is_missing(x) and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def decimals_needed(values, cap: int = MAX_DECIMALS) -> int:
    """The decimals the given numbers are written with (the most any of them needs), at most ``cap``.

    Arithmetic noise does not count: ``99.99999999999999`` needs none, ``0.30000000000000004`` one.

    >>> decimals_needed([2815, 509.1]), decimals_needed([99.99999999999999]), decimals_needed([])
    (1, 0, 0)
    """
    out = 0
    for x in values:
        if _finite(x):
            out = max(out, decimals_of(round(float(x), 9), cap))
    return min(out, cap)


def indicator_decimals(loc, cap: int = MAX_DECIMALS) -> dict[str, int]:
    """Per indicator of ``loc``: the decimals its numbers are written with in the document (targets and results as
    transcribed; a number derived by formula counts with at most two). Computed numbers of the indicator
    (projections, scenarios) are written with as many."""
    v = loc.values
    v = v[v["value"].notna()]
    out: dict[str, int] = {}
    for ind, x, st in zip(v["indicator"].astype(str), v["value"], v["status"]):  # one pass, no frame per group
        d = value_decimals(x, st, cap)
        out[ind] = max(out.get(ind, d), d)
    return out


def row_decimals(row, cap: int = MAX_DECIMALS) -> int:
    """The precision of a results-table row: the decimals its target and result are written with (a result
    derived by formula, such as x/y as a share, counts with at most two)."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    return max(value_decimals(get("target"), "target", cap), value_decimals(get("actual"), get("actual_status"), cap))


def value_decimals(x, status: str | None = None, cap: int = MAX_DECIMALS) -> int:
    """The decimals one transcribed number is written with: as in the document (``509,1`` one, ``2.815`` none);
    a number derived by formula (``status == "derived"``, e.g. 4.686,23/5.153,01 as a share) at most two."""
    return decimals_needed([x], min(cap, 2) if status == "derived" else cap)


# --------------------------------------------------------------------------------------------
# Numbers, units, bounds
# --------------------------------------------------------------------------------------------

def number(x, decimals: int | None = None, *, missing: str = MISSING) -> str:
    """A number the Vietnamese way at ``decimals`` (default: as many as it needs, at most :data:`MAX_DECIMALS`);
    ``missing`` for None/NaN/text that is not a number. Never ``nan``, never ``2025.0``."""
    if not _finite(x):
        return missing
    x = float(x)
    if decimals is None:
        decimals = decimals_needed([x])
    text = format_vi(round_half_up(x, decimals), decimals)
    return "0" if re.fullmatch(r"-0(,0*)?", text) else text


def with_unit(text: str, unit: str | None) -> str:
    """``text`` with its unit: glued for ``%`` units (``29,2%``, ``2,5%/năm``), after a space otherwise."""
    unit = "" if unit is None or (isinstance(unit, float) and math.isnan(unit)) else str(unit).strip()
    if not unit or not text or text == MISSING:
        return text
    return f"{text}{unit}" if unit.startswith("%") else f"{text} {unit}"


#: comparators as a table cell writes them (``trên 39``, ``≥ 130``) and as a sentence does (``từ 130 trở lên``)


def bound(x, comparator: str | None = "=", decimals: int | None = None, *, unit: str | None = "",
          missing: str = MISSING) -> str:
    """A value with its bound, as a report's table writes it: ``trên 39``, ``dưới 1%``, ``≥ 130``, ``≤ 1,7``.

    >>> bound(5, ">", unit="%/năm"), bound(1.7, "<=", unit="%"), bound(2815, "=", unit="ha")
    ('trên 5%/năm', '≤ 1,7%', '2.815 ha')
    """
    text = number(x, decimals, missing=missing)
    if text == missing:
        return text
    return with_unit(COMPARATOR_CELL_VI.get(comparator or "=", "") + text, unit)


def bound_words(x, comparator: str | None = "=", decimals: int | None = None, *, unit: str | None = "") -> str:
    """A value with its bound as a sentence says it: ``trên 39``, ``từ 130 … trở lên``, ``không quá 1,7%``."""
    text = with_unit(number(x, decimals), unit)
    c = comparator or "="
    if c == ">=":
        return f"từ {text} trở lên"
    return {">": "trên ", "<": "dưới ", "<=": "không quá "}.get(c, "") + text


def pct(x, decimals: int = 0, *, missing: str = "") -> str:
    """``140.75`` → ``'141%'`` (half up, Vietnamese format); ``missing`` when there is no number."""
    text = number(x, decimals, missing=missing)
    return text if text == missing else text + "%"


def year_text(y) -> str:
    """``2025`` for 2025, 2025.0 or "2025"; ``""`` when missing."""
    return str(int(float(y))) if _finite(y) else ""


_NUMERIC_CELL = re.compile(r"^(?:trên |dưới |[≥≤<>] ?)?[−-]?\d{1,3}(?:\.\d{3})*(?:,\d+)?(?: ?%(?:/năm)?)?"
                           r"(?: \(\d{4}\))?$")


def is_numeric_text(text) -> bool:
    """True for a cell that is one number as :func:`number` / :func:`bound` / :func:`pct` write it (right-aligned
    in tables)."""
    return bool(_NUMERIC_CELL.match(str(text).strip())) if text is not None else False


# --------------------------------------------------------------------------------------------
# Verdicts and the one counting rule
# --------------------------------------------------------------------------------------------

def needs_review(row) -> bool:
    """True when a row's reading is uncertain: the verdict ``review``, a true ``needs_review`` column, a ``review``
    column that is true or names reasons, or the flag ``needs_review``."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    if get("verdict", "") == "review":
        return True
    for col in ("needs_review", "review"):
        flag = get(col, False)
        if isinstance(flag, str):
            text = flag.strip().lower()
            if text and text not in ("0", "false", "no", "không"):
                return True
        elif not is_missing(flag) and bool(flag):
            return True
    flags = get("flags", "") or ""
    return "needs_review" in str(flags).split("; ")


def review_reasons(row) -> str:
    """Why a row needs review, in Vietnamese (the ``review`` column's codes), ``""`` when it does not say."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    text = get("review", "")
    if not isinstance(text, str) or text.strip().lower() in ("", "true", "1", "x"):
        return ""
    return flags_text(text)


def display_verdict(row) -> str:
    """The verdict code a reader is shown for a results row: ``review`` when the row needs review, else its
    verdict (``exceeded`` / ``met`` / ``not_met`` / ``unknown``)."""
    if needs_review(row):
        return "review"
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    v = get("verdict", "unknown")
    return v if v in VERDICT_LABELS else "unknown"


def verdict_label(code: str) -> str:
    """The Vietnamese word of a display verdict (``Vượt``, ``Đạt``, ``Không đạt``, ``Cần rà soát``, …)."""
    return VERDICT_LABELS.get(code, VERDICT_LABELS["unknown"])


def verdict_counts(table: pd.DataFrame) -> dict[str, int]:
    """The one counting rule: how many rows of a results table fall under each display verdict.

    Every row counts once. A verdict in words (a qualitative target the report judged) counts like a verdict in
    numbers; a row that needs review counts as ``review`` only. Keys: ``exceeded, met, not_met, review, unknown``
    and ``total``; ``qualitative``: how many of the judged rows were judged in words (already inside the others).
    """
    counts = {k: 0 for k in VERDICT_ORDER}
    qualitative = 0
    if table is not None and not table.empty:
        for _, row in table.iterrows():
            code = display_verdict(row)
            counts[code] += 1
            if code in ("exceeded", "met", "not_met") and (row.get("kind") == "qualitative"
                                                           or not _finite(row.get("target"))):
                qualitative += 1
    counts["total"] = sum(counts[k] for k in VERDICT_ORDER)
    counts["qualitative"] = qualitative
    return counts


def counts_text(counts: dict[str, int]) -> str:
    """The one sentence of the counts, used by the report, the index, the draft and the charts:
    ``43 chỉ tiêu: 17 vượt, 13 đạt, 12 không đạt, 1 chưa có số liệu``."""
    total = counts.get("total", sum(counts.get(k, 0) for k in VERDICT_ORDER))
    if not total:
        return "chưa có chỉ tiêu nào"
    parts = [f"{counts.get(k, 0)} {VERDICT_LABELS[k].lower()}" for k in ("exceeded", "met", "not_met")]
    for k in ("review", "unknown"):
        if counts.get(k):
            parts.append(f"{counts[k]} {VERDICT_LABELS[k].lower()}")
    return f"{total} chỉ tiêu: " + ", ".join(parts)


def flags_text(flags: str, *, skip: tuple[str, ...] = ()) -> str:
    """Flag codes (``"a; b"``) in Vietnamese, joined with ``; ``."""
    codes = [f for f in str(flags or "").split("; ") if f and f not in skip]
    return "; ".join(FLAG_VI.get(f, "cần rà soát" if f == "needs_review" else f) for f in codes)


def verdict_css() -> str:
    """CSS for tables: numbers right-aligned, one colour per verdict and per 2030 category (class ``v-<code>`` /
    ``c-<code>`` on the cell)."""
    rules = ["table.chitieu td.num, table.chitieu th.num { text-align: right; white-space: nowrap; "
             "font-variant-numeric: tabular-nums; }",
             "table.chitieu .col-name { min-width: 16em; } table.chitieu .col-note { min-width: 14em; } "
             "table.chitieu .col-src { min-width: 5.5em; } table.chitieu th.grp { text-align: center; } "
             "table.chitieu td.absent { color: #8c8c8c; text-align: center; } div.scroll { overflow-x: auto; }"]
    for code, color in VERDICT_COLORS.items():
        rules.append(f"table.chitieu td.v-{code} {{ background: {color}; color: {VERDICT_TEXT_COLORS[code]}; "
                     "font-weight: bold; white-space: nowrap; }")
    for code, color in CATEGORY_COLORS.items():
        if code in ("absent", "no_data"):
            continue
        text = CATEGORY_TEXT_COLORS.get(code, "#111111")
        rules.append(f"table.chitieu td.c-{code} {{ background: {color}; color: {text}; min-width: 7em; }}")
    return "\n".join(rules)


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _titles_cached(root: str) -> dict[str, str]:
    from chitieu.io.data import load_localities

    try:
        locs = load_localities(Path(root))
    except Exception:  # an index of titles is a nicety: a broken localities.csv is `chitieu check`'s to report
        return {}
    out = {}
    for r in locs.itertuples(index=False):
        src = str(getattr(r, "source_file", "") or "")
        if not src:
            continue
        note = str(getattr(r, "note", "") or "")
        imported = re.match(r"Nhập từ (.+?) bằng chitieu import", note)
        out[src] = (f"Tệp {imported.group(1)} ({r.name})" if imported else f"Báo cáo chính trị {r.name}")
    return out


def document_titles(root: Path | None = None) -> dict[str, str]:
    """Source file name → the title a reader knows it by (``Báo cáo chính trị huyện Mường Ảng``)."""
    from chitieu.config import data_dir

    return dict(_titles_cached(str(Path(root) if root is not None else data_dir())))


def document_title(file: str, root: Path | None = None) -> str:
    return document_titles(root).get(file, file)


def source_file(source) -> str:
    """``002_x.txt:790`` → ``002_x.txt``."""
    return str(source or "").rsplit(":", 1)[0] if ":" in str(source or "") else str(source or "")


def source_label(source, *, own_file: str | None = None, root: Path | None = None) -> str:
    """A source as a reader wants it: ``dòng 790`` in the locality's own document (``own_file``), else the
    document's title and the line (``Báo cáo chính trị huyện Mường Ảng, dòng 790``). Several sources joined by
    ``; `` are each written so."""
    text = "" if is_missing(source) else str(source or "")
    if not text:
        return ""
    parts = []
    for one in text.split("; "):
        file, _, line = one.rpartition(":")
        if not file or not line.isdigit():
            parts.append(one)
            continue
        where = f"dòng {line}"
        parts.append(where if file == own_file else f"{document_title(file, root)}, {where}")
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------
# The results table as people read it
# --------------------------------------------------------------------------------------------

RESULT_HEADERS = ["STT", "Chỉ tiêu", "Đơn vị", "Nghị quyết", "Kết quả", "Năm", "Tỷ lệ đạt (%)", "Báo cáo ghi (%)",
                  "Đánh giá", "Lưu ý", "Nguồn"]
#: flags a reader does not need spelled out in a table (the bound shows itself in the cell: "trên 39")
QUIET_FLAGS = ("target_is_bound", "actual_is_bound", "qualitative")


def _raw_or_missing(raw) -> str:
    text = "" if is_missing(raw) else str(raw or "").strip()
    return text or MISSING


def results_display(table: pd.DataFrame, *, own_file: str | None = None, term_end: int | None = None,
                    units_inline: bool = False) -> pd.DataFrame:
    """The results table as a reader sees it (every cell text): :data:`RESULT_HEADERS`, numbers in each row's
    precision, bounds in words, verdict *Cần rà soát* on a row that needs review, sources as document + line.

    ``units_inline``: write the unit beside each number and leave out the ``Đơn vị`` column (narrow outputs).
    The column ``_verdict`` (display verdict code) rides along for colouring; drop it before showing.
    """
    rows = []
    if table is None or table.empty:
        return pd.DataFrame(columns=[*RESULT_HEADERS, "_verdict"])
    for i, (_, r) in enumerate(table.iterrows(), start=1):
        unit = r.get("unit", "") if units_inline else ""
        target = (bound(r["target"], r.get("target_comparator"), value_decimals(r["target"]), unit=unit)
                  if _finite(r.get("target")) else _raw_or_missing(r.get("target_raw")))
        actual = (bound(r["actual"], r.get("actual_comparator"), value_decimals(r["actual"], r.get("actual_status")),
                        unit=unit) if _finite(r.get("actual")) else _raw_or_missing(r.get("actual_raw")))
        ratio_dec = int(r.get("decimals", 0) or 0) if _finite(r.get("decimals")) else 0
        published = r.get("published_ratio_pct")
        if _finite(published):
            pub = number(published, decimals_needed([published], 2))
        else:
            pub = "" if is_missing(r.get("published_raw")) else str(r.get("published_raw") or "")
        code = display_verdict(r)
        rows.append({
            "STT": str(i), "Chỉ tiêu": str(r.get("name", "")), "Đơn vị": str(r.get("unit", "") or ""),
            "Nghị quyết": target, "Kết quả": actual, "Năm": year_text(r.get("actual_year")),
            "Tỷ lệ đạt (%)": number(r.get("ratio_pct"), ratio_dec, missing=""),
            "Báo cáo ghi (%)": pub, "Đánh giá": verdict_label(code),
            "Lưu ý": "; ".join(x for x in (review_reasons(r), flags_text(r.get("flags", ""), skip=QUIET_FLAGS))
                              if x),
            "Nguồn": source_label(r.get("source", ""), own_file=own_file),
            "_verdict": code,
        })
    out = pd.DataFrame(rows)
    if units_inline:
        out = out.drop(columns=["Đơn vị"])
    return out


# --------------------------------------------------------------------------------------------
# Projections as people read them
# --------------------------------------------------------------------------------------------

#: the method that stands for an indicator's projection (the one its pace is measured on); the others are its
#: spread. By pace basis: compound growth, a linear change, the average of a rate or of a yearly amount.
PRIMARY_METHOD = {"compound": "compound", "linear": "linear", "average_rate": "average", "average_flow": "average"}


def primary_method(rows: pd.DataFrame) -> pd.Series | None:
    """The row of ``rows`` (one indicator's methods) that stands for its projection (:data:`PRIMARY_METHOD`)."""
    if rows.empty:
        return None
    basis = rows["pace_basis"].iloc[0] if "pace_basis" in rows else None
    want = PRIMARY_METHOD.get(basis)
    # positions, not boolean-indexed frames: called once per indicator of every report
    hits = np.flatnonzero(rows["method"].to_numpy() == want) if want is not None and "method" in rows else []
    if not len(hits) and "projected" in rows:
        hits = np.flatnonzero(rows["projected"].notna().to_numpy())
    return rows.iloc[int(hits[0]) if len(hits) else 0]


def pace_unit(basis: str, unit: str) -> str:
    """The unit of a pace: ``%/năm`` for compound growth, the indicator's unit a year for a linear change or a
    yearly amount, the indicator's own unit for a rate."""
    if basis == "compound":
        return "%/năm"
    if basis in ("linear", "average_flow"):
        return f"{unit}/năm" if unit else "đơn vị/năm"
    if basis == "average_rate":
        return unit or "đơn vị"
    return ""
