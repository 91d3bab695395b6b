"""Write the results section of a report from the data: Vietnamese sentences, the results table, the charts.

:func:`sentence` turns one row of :func:`chitieu.achievement.results_table` into the sentence a report would print:

    Diện tích cà phê có hiệu quả ước đạt 2.815 ha, bằng 141% chỉ tiêu Nghị quyết, vượt 815 ha.

* the verb follows the record's status: *ước đạt* for an estimate, *đạt* for an actual value;
* the ratio is the report's convention (actual ÷ target, rounded half up to the precision the report prints);
* the verdict is direction-aware: *vượt … / đạt chỉ tiêu / chưa đạt (còn thiếu …)* when higher is better, and for a
  ceiling "dưới mức trần 1,7%/năm của Nghị quyết", with the report's ratio given apart because it misleads there;
* numbers in the Vietnamese format (``2.815``, ``509,1``), margins of percentages in percentage points.

:func:`write_draft` writes ``.md`` and ``.docx`` (python-docx: heading, sentences, results table, charts exported
as PNG by :func:`chitieu.charts.export_figures` into ``charts/`` next to them). :func:`fill_template` fills the
``…`` placeholders of a template (seed 001) that the chosen locality's data can answer, and lists the rest.

>>> row = {"name": "Diện tích cà phê có hiệu quả", "unit": "ha", "kind": "level", "direction": "higher",
...        "target": 2000.0, "target_comparator": "=", "actual": 2815.0, "actual_comparator": "=",
...        "actual_status": "estimate", "actual_year": 2025, "ratio_pct": 141.0, "decimals": 0,
...        "verdict": "exceeded", "margin": 815.0, "flags": "", "published_ratio_pct": 141.0}
>>> sentence(row, term_end=2025)
'Diện tích cà phê có hiệu quả ước đạt 2.815 ha, bằng 141% chỉ tiêu Nghị quyết, vượt 815 ha.'
"""
from __future__ import annotations

import html
import io
import math
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from chitieu.config import data_dir
from chitieu.core.engine import pick_latest, status_rank
from chitieu.core.numfmt import decimals_of, format_vi
from chitieu.core.vocabulary import COMPARATOR_PREFIX_VI, RESULT_STATUSES
from chitieu.io.quantity import parse
from chitieu.report import present

__all__ = ["sentence", "results_sentences", "draft_markdown", "write_draft", "fill_template", "DraftResult",
           "TemplateFill", "VERDICT_HEADINGS"]

VERDICT_HEADINGS = {
    "exceeded": "Các chỉ tiêu vượt Nghị quyết",
    "met": "Các chỉ tiêu đạt Nghị quyết",
    "not_met": "Các chỉ tiêu chưa đạt Nghị quyết",
    "review": "Các chỉ tiêu cần rà soát số liệu trước khi đánh giá",
    "unknown": "Chưa có số liệu",
}
_MARGIN_BOUND = {">": "trên ", ">=": "ít nhất ", "<": "dưới ", "<=": "không quá "}


def _isnum(x) -> bool:
    try:
        return x is not None and not pd.isna(x) and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _num(x: float, max_decimals: int = 2) -> str:
    x = float(x)
    return format_vi(x, min(decimals_of(round(x, 6)), max_decimals))


def _with_unit(text: str, unit: str) -> str:
    unit = unit or ""
    if not unit:
        return text
    if unit.startswith("%"):
        return text + unit
    return f"{text} {unit}"


def _margin_unit(unit: str) -> str:
    """Differences of percentages are in percentage points."""
    unit = unit or ""
    if unit == "%":
        return "điểm phần trăm"
    if unit == "%/năm":
        return "điểm phần trăm/năm"
    return unit


def _margin_text(m: float, unit: str) -> str:
    mu = _margin_unit(unit)
    return f"{_num(abs(m))} {mu}".strip() if mu else _num(abs(m))


def sentence(row, *, term_end: int | None = None) -> str | None:
    """The sentence of one results-table row (a dict or a Series); None when there is nothing to say (no result)."""
    get = row.get if hasattr(row, "get") else (lambda k, d=None: getattr(row, k, d))
    name = str(get("name", "")).strip()
    unit = str(get("unit", "") or "")
    verdict = get("verdict", "unknown")
    kind = get("kind", "")
    if kind == "qualitative" or not _isnum(get("target")):
        if verdict in ("exceeded", "met", "not_met"):
            word = {"exceeded": "vượt", "met": "đạt", "not_met": "chưa đạt"}[verdict]
            return f"{name}: {word} chỉ tiêu Nghị quyết (đánh giá bằng lời của báo cáo)."
        return None
    if not _isnum(get("actual")):
        return None
    actual, target = float(get("actual")), float(get("target"))
    a_comp = str(get("actual_comparator", "=") or "=")
    t_comp = str(get("target_comparator", "=") or "=")
    status = get("actual_status", "")
    verb = {"estimate": "ước đạt", "actual": "đạt", "derived": "ước tính đạt"}.get(status, "đạt")
    year = get("actual_year")
    year_txt = f" (năm {int(year)})" if _isnum(year) and term_end and int(year) != term_end else ""
    value = _with_unit(COMPARATOR_PREFIX_VI.get(a_comp, "") + _num(actual), unit)
    decimals = int(get("decimals", 0) or 0)
    ratio = get("ratio_pct")
    ratio_txt = f"{format_vi(float(ratio), decimals)}%" if _isnum(ratio) else ""
    published = get("published_ratio_pct")
    flags = str(get("flags", "") or "")
    pub_txt = ""
    if "published_mismatch" in flags and _isnum(published):
        pub_txt = f" (báo cáo ghi {format_vi(float(published), decimals_of(float(published)))}%)"
    direction = get("direction", "higher")
    margin = get("margin")
    margin = float(margin) if _isnum(margin) else actual - target
    target_txt = _with_unit(COMPARATOR_PREFIX_VI.get(t_comp, "") + _num(target), unit)
    head = f"{name} {verb} {value}{year_txt}"
    if direction == "lower":
        # the report's ratio misleads when lower is better: given as the report's, then the verdict said right
        ceiling = t_comp in ("<", "<=")
        level = "mức trần" if ceiling else "mức Nghị quyết đề ra"
        tgt = _with_unit(_num(target), unit)
        conv = f", bằng {ratio_txt} chỉ tiêu Nghị quyết theo cách tính của báo cáo{pub_txt}" if ratio_txt else ""
        if verdict in ("exceeded", "met"):
            where = f"dưới {level} ({tgt})" if actual < target else f"bằng {level} ({tgt})"
            word = "vượt chỉ tiêu" if verdict == "exceeded" else "đạt chỉ tiêu"
            gap = f" {_margin_text(margin, unit)}" if actual < target and not ceiling else ""
            tail = f"chỉ tiêu càng thấp càng tốt: {where}{gap}, {word}"
        else:
            tail = f"chỉ tiêu càng thấp càng tốt: cao hơn {level} ({tgt}) {_margin_text(margin, unit)}, chưa đạt"
        return f"{head}{conv}; {tail}."
    ratio_part = f", bằng {ratio_txt} chỉ tiêu Nghị quyết{pub_txt}" if ratio_txt else ""
    if direction == "band":
        word = "đạt chỉ tiêu" if verdict == "met" else "chưa đạt"
        gap = "" if margin == 0 else f" (chênh {'+' if margin > 0 else '−'}{_margin_text(margin, unit)} so với " \
                                     f"{target_txt})"
        return f"{head}{ratio_part}, {word}{gap}."
    bound = _MARGIN_BOUND.get(a_comp, "")
    if verdict == "exceeded":
        tail = f"vượt {bound}{_margin_text(margin, unit)}" if margin > 0 else "vượt chỉ tiêu"
    elif verdict == "met":
        tail = "đạt chỉ tiêu"
    elif verdict == "not_met":
        if a_comp in (">", ">="):
            tail = f"chưa đạt (còn thiếu chưa đến {_margin_text(margin, unit)})"
        elif margin:
            tail = f"chưa đạt (còn thiếu {_margin_text(margin, unit)})"
        else:
            tail = "chưa đạt"
    else:
        tail = "chưa đánh giá được"
    return f"{head}{ratio_part}, {tail}."


def results_sentences(table: pd.DataFrame, *, term_end: int | None = None) -> list[dict]:
    """One entry per row: indicator, group (the display verdict of :func:`chitieu.report.present.display_verdict`:
    exceeded / met / not_met / review / unknown — the one counting rule, so a verdict in words counts under its
    verdict), text, source, and ``qualitative`` (judged in words)."""
    out = []
    for _, row in table.iterrows():
        group = present.display_verdict(row)
        qualitative = row.get("kind") == "qualitative" or not _isnum(row.get("target"))
        if group == "review":
            flags = present.review_reasons(row) or present.flags_text(row.get("flags", ""),
                                                                        skip=("needs_review",) + present.QUIET_FLAGS)
            text = (f"{row['name']}: số liệu cần rà soát trước khi đánh giá" + (f" ({flags})" if flags else "")
                    + "; chưa đưa tỷ lệ đạt vào báo cáo.")
        else:
            text = sentence(row, term_end=term_end)
            if text is None:
                group = "unknown" if group in ("exceeded", "met", "not_met") else group
                text = f"{row['name']}: chưa có số liệu kết quả."
        out.append({"indicator": row["indicator"], "group": group, "text": text, "qualitative": qualitative,
                    "source": row.get("source", ""), "actual_source": row.get("actual_source", "")})
    return out


# --------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------

TABLE_HEADERS = ["STT", "Chỉ tiêu", "Đơn vị", "Nghị quyết", "Kết quả", "Năm", "Tỷ lệ đạt (%)", "Đánh giá"]


def _short(text: str, n: int = 28) -> str:
    text = str(text or "")
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _table_rows(table: pd.DataFrame) -> list[list[str]]:
    """The draft's table, in the words and numbers of :func:`chitieu.report.present.results_display`."""
    shown = present.results_display(table)
    rows = []
    for r in shown.itertuples(index=False, name=None):
        get = dict(zip(shown.columns, r))
        rows.append([get["STT"], get["Chỉ tiêu"], get["Đơn vị"], _short(get["Nghị quyết"]), _short(get["Kết quả"]),
                     get["Năm"], get["Tỷ lệ đạt (%)"], get["Đánh giá"]])
    return rows


def _notes(table: pd.DataFrame, own_file: str | None = None) -> list[str]:
    notes = []
    for r in table.itertuples(index=False):
        text = present.flags_text(r.flags, skip=present.QUIET_FLAGS)
        if text:
            notes.append(f"{r.name}: {text} (nguồn: {present.source_label(r.source, own_file=own_file)}).")
    return notes


def _md_escape(text: str) -> str:
    """A table cell's text in Markdown: ``|`` escaped, one line, HTML escaped (:func:`md_text`)."""
    return md_text(str(text)).replace("|", "\\|").replace("\n", " ")


def md_text(text) -> str:
    """Text from data made inert in Markdown: ``&``, ``<`` and ``>`` as HTML entities, so that a name holding
    ``<script>`` or ``<img onerror=…>`` shows as text in every Markdown viewer and never runs (the .docx built
    from the same Markdown turns the entities back into the characters, as plain text)."""
    return html.escape(str(text), quote=False)


def draft_markdown(loc, table: pd.DataFrame, *, charts: list[tuple[str, str]] = (), made_on: date | None = None,
                   chart_note: str = "") -> str:
    """The results section in Markdown. ``charts``: (title, relative path of the PNG)."""
    made_on = made_on or date.today()
    term = f"{loc.meta['term_start']}–{loc.term_end}"
    sents = results_sentences(table, term_end=loc.term_end)
    counts = present.verdict_counts(table)
    own = loc.meta.get("source_file")
    in_words = sum(1 for x in sents if x["qualitative"] and x["group"] in ("exceeded", "met", "not_met"))
    lines = [f"# Kết quả thực hiện các chỉ tiêu Nghị quyết nhiệm kỳ {term} — {md_text(loc.name)}", "",
             f"*Bản nháp do `chitieu draft` viết từ số liệu `data/{md_text(loc.id)}/` ngày "
             f"{made_on.strftime('%d/%m/%Y')}. Tỷ lệ đạt tính như báo cáo (kết quả ÷ chỉ tiêu, làm tròn nửa lên); "
             "đánh giá đạt/không đạt theo chiều của từng chỉ tiêu.*", "",
             "## 1. Khái quát", "",
             f"{md_text(loc.name)}, nhiệm kỳ {term}: {present.counts_text(counts)}."
             + (f" Trong đó {in_words} chỉ tiêu được báo cáo đánh giá bằng lời (không có tỷ lệ)." if in_words else ""),
             "", "## 2. Kết quả từng chỉ tiêu", ""]
    for group in ("exceeded", "met", "not_met", "review", "unknown"):
        items = [x for x in sents if x["group"] == group]
        if not items:
            continue
        lines += [f"### {VERDICT_HEADINGS[group]}", ""]
        lines += [f"- {md_text(x['text'])}" for x in items]
        lines.append("")
    lines += ["## 3. Biểu kết quả", "", "| " + " | ".join(TABLE_HEADERS) + " |",
              "|" + "|".join(["---:", "---", "---", "---:", "---:", "---:", "---:", "---"]) + "|"]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in _table_rows(table)]
    lines.append("")
    if own:
        lines += [f"*Nguồn: {md_text(present.document_title(own))} (tệp `{md_text(own)}`); «dòng» là số dòng trong "
                  "tài liệu.*", ""]
    if charts or chart_note:
        lines += ["## 4. Biểu đồ", ""]
        lines += [f"![{md_text(title)}]({path})\n" for title, path in charts]
        if chart_note:
            lines += [chart_note, ""]
    notes = _notes(table, own)
    if notes:
        lines += [f"## {5 if (charts or chart_note) else 4}. Lưu ý khi dùng số liệu", ""]
        lines += [f"- {md_text(n)}" for n in notes]
        lines.append("")
    return "\n".join(lines)


def _docx_document():
    """An empty A4 document in the reports' type: Times New Roman 13 pt, headings in dark blue, 2 cm margins."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2)
    sec.top_margin = sec.bottom_margin = Cm(2)
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    for sname in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        st = d.styles[sname]
        st.font.name = "Times New Roman"
        st.font.color.rgb = RGBColor(0x1F, 0x3B, 0x73)
        rpr = st.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), "Times New Roman")
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            if fonts.get(qn(attr)) is not None:
                del fonts.attrib[qn(attr)]
    d.styles["Heading 1"].font.size = Pt(16)
    d.styles["Heading 2"].font.size = Pt(14)
    d.styles["Heading 3"].font.size = Pt(13)

    return d


def _add_runs(par, text: str) -> None:
    """Markdown runs of one line into a paragraph: **bold** (highlighted: a value filled in from the data), *italic*,
    `code`; entities back to plain text."""
    text = text.replace("\\*", "\u0000")
    for part in re.split(r"(\*\*[^*]+\*\*|\*[^*]+\*|`[^`]+`)", text):
        if not part:
            continue
        part = part.replace("\u0000", "*") if not part.startswith("*") else part
        # the Markdown holds data text with & < > as entities (md_text): the .docx holds the plain text
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            run = par.add_run(html.unescape(part[2:-2].replace("\u0000", "*")))
            run.bold = True
            run.font.highlight_color = 7  # yellow: a value filled in from the data
        elif part.startswith("*") and part.endswith("*"):
            par.add_run(html.unescape(part[1:-1].replace("`", "").replace("\u0000", "*"))).italic = True
        elif part.startswith("`") and part.endswith("`"):
            par.add_run(html.unescape(part[1:-1]))
        else:
            par.add_run(html.unescape(part))


def _docx_table(d, block: list[str]) -> None:
    """A Markdown table as a Word table: grid style, the results table's column widths, a shaded header row
    repeated on every page, numbers right-aligned."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    rows = [[html.unescape(c.strip().replace("\\|", "|")) for c in re.split(r"(?<!\\)\|", r.strip())[1:-1]]
            for r in block if not re.match(r"^\|[-:|]+\|$", r)]
    table = d.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(1.15), Cm(5.65), Cm(2.0), Cm(1.9), Cm(1.9), Cm(1.2), Cm(1.6), Cm(1.6)]
    if len(rows[0]) == len(widths):
        grid = table._tbl.tblGrid
        for gc, w in zip(grid.findall(qn("w:gridCol")), widths):
            gc.set(qn("w:w"), str(int(w.twips)))
        for col, w in zip(table.columns, widths):
            col.width = w
    for ri, (row_obj, row) in enumerate(zip(table.rows, rows)):
        cells = row_obj.cells  # once per row: table.cell() rebuilds the whole grid on every call
        for ci, text in enumerate(row):
            cell = cells[ci]
            cell.text = ""
            par = cell.paragraphs[0]
            run = par.add_run(text)
            run.font.size = Pt(9.5)
            if ri == 0:
                run.bold = True
                par.alignment = WD_ALIGN_PARAGRAPH.CENTER
                shade = OxmlElement("w:shd")
                shade.set(qn("w:val"), "clear")
                shade.set(qn("w:fill"), "D9E1F2")
                cell._tc.get_or_add_tcPr().append(shade)
            elif ci not in (1, 2, 7):
                par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if ci < len(widths) and len(row) == len(widths):
                cell.width = widths[ci]
    # the header row repeats on every page
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)
    d.add_paragraph()


def _docx_bytes(markdown: str, base: Path) -> bytes:
    """A .docx of the draft: headings, paragraphs, bullets, the table, the images (paths relative to ``base``)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    d = _docx_document()
    lines = markdown.split("\n")
    i = 0
    images = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("|"):
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append(lines[i])
                i += 1
            _docx_table(d, block)
            continue
        m_img = re.match(r"!\[(?P<alt>[^\]]*)\]\((?P<path>[^)]+)\)", line)
        if line.startswith("# "):
            d.add_heading(html.unescape(line[2:]), level=1)
        elif line.startswith("## "):
            h = d.add_heading(html.unescape(line[3:]), level=2)
            if "Biểu đồ" in line:  # the charts start on a page of their own, under their heading
                h.paragraph_format.page_break_before = True
                h.paragraph_format.keep_with_next = True
        elif line.startswith("### "):
            d.add_heading(html.unescape(line[4:]), level=3)
        elif line.startswith("- "):
            par = d.add_paragraph(style="List Bullet")
            _add_runs(par, line[2:])
            par.paragraph_format.space_after = Pt(3)
        elif m_img:
            path = base / m_img.group("path")
            if path.exists():
                cap = d.add_paragraph()
                cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
                cap.paragraph_format.keep_with_next = True
                images += 1
                cap.paragraph_format.page_break_before = images > 1
                run = cap.add_run(f"Biểu đồ {images}")
                run.italic = True
                run.font.size = Pt(11)
                d.add_picture(str(path), width=Cm(_picture_width_cm(path)))
                d.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif line.strip():
            par = d.add_paragraph()
            _add_runs(par, line)
            par.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        i += 1
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


#: the tallest a chart may be on an A4 page under its caption (29,7 cm − 2 × 2 cm margins − caption)
MAX_PICTURE_HEIGHT_CM = 24.0


def _picture_width_cm(path: Path) -> float:
    """The width a chart is inserted at: :data:`chitieu.report.charts.WORD_WIDTH_CM` (its text is then ≥ 9 pt),
    narrower only when the chart would be taller than the page."""
    from chitieu.report.charts import WORD_WIDTH_CM

    w_px, h_px = _png_size(path)
    return min(WORD_WIDTH_CM, MAX_PICTURE_HEIGHT_CM * w_px / h_px) if h_px else WORD_WIDTH_CM


def _png_size(path: Path) -> tuple[int, int]:
    """Width and height in pixels of a PNG (from its IHDR chunk)."""
    head = Path(path).read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return 0, 0
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


@dataclass
class DraftResult:
    markdown: Path
    docx: Path
    charts: list[Path]
    sentences: int
    chart_error: str = ""
    filled: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    others: list[dict] = field(default_factory=list)


def _charts(table: pd.DataFrame, folder: Path) -> list[tuple[str, Path]]:
    """The achievement charts of the draft (:func:`chitieu.report.sections.achievement_charts`: by verdict, at
    most 12 rows each), exported as PNG for Word at the width they are inserted at."""
    from chitieu.report import charts as charts_mod
    from chitieu.report.charts import export_figures
    from chitieu.report.sections import achievement_charts

    figs = dict(achievement_charts(table))
    titles = {name: fig.layout.title.text for name, fig in figs.items()}
    try:
        paths = export_figures(figs, folder, formats=("png",))
    finally:
        # close the browser now: left to the interpreter's exit, its profile folder is sometimes removed while
        # Chromium still writes to it, and Python prints a traceback
        stop = getattr(charts_mod, "_stop_server", None)
        if stop is not None and getattr(charts_mod, "_SERVER_STARTED", False):
            stop()
    return [(html.unescape(titles[p.stem]), p) for p in paths]


def write_draft(locality: str, out_dir: Path, *, root: Path | None = None, charts: bool = True,
                template: Path | None = None, year: int | None = None, made_on: date | None = None) -> DraftResult:
    """Write the results section (``ket-qua-<locality>.md`` / ``.docx``, charts in ``charts/``) into ``out_dir``;
    with ``template``, write the filled template instead (``<template stem>-<locality>.md`` / ``.docx``)."""
    from chitieu.io import data as data_mod
    from chitieu.analysis.achievement import results_table
    from chitieu.report.charts import ChartExportError
    from chitieu.errors import InputError
    from chitieu.io.safe import atomic_write_bytes

    try:
        loc = data_mod.load_locality(locality, root)
    except KeyError as exc:
        raise InputError(exc.args[0]) from None
    out_dir = Path(out_dir)
    table = results_table(loc, year=year)
    if template is not None:
        fill = fill_template(Path(template), loc, root=root, table=table)
        stem = f"{Path(template).stem}-{locality}"
        md = fill.markdown(loc)
        md_path, docx_path = out_dir / f"{stem}.md", out_dir / f"{stem}.docx"
        atomic_write_bytes(md_path, md.encode("utf-8"))
        atomic_write_bytes(docx_path, _docx_bytes(md, out_dir))
        return DraftResult(md_path, docx_path, [], 0, filled=fill.filled, missing=fill.missing, others=fill.others)
    if table.empty:
        raise InputError(f"{loc.name}: chưa có chỉ tiêu nào có chỉ tiêu Nghị quyết năm {year or loc.term_end} "
                         "(no targets): không viết được phần kết quả")
    chart_list: list[tuple[str, Path]] = []
    chart_error = ""
    if charts:
        try:
            chart_list = _charts(table, out_dir / "charts")
        except ChartExportError as exc:
            chart_error = str(exc)
    rel = [(title, p.relative_to(out_dir).as_posix()) for title, p in chart_list]
    note = f"*Biểu đồ chưa xuất được: {md_text(chart_error)}*" if chart_error else ""
    md = draft_markdown(loc, table, charts=rel, made_on=made_on, chart_note=note)
    md_path, docx_path = out_dir / f"ket-qua-{locality}.md", out_dir / f"ket-qua-{locality}.docx"
    atomic_write_bytes(md_path, md.encode("utf-8"))
    atomic_write_bytes(docx_path, _docx_bytes(md, out_dir))
    return DraftResult(md_path, docx_path, [p for _, p in chart_list], len(table), chart_error)


# --------------------------------------------------------------------------------------------
# Templates with … placeholders
# --------------------------------------------------------------------------------------------

_PLACE = "…"


@dataclass
class TemplateFill:
    name: str
    lines: list[str]
    filled: list[dict]
    missing: list[dict]
    others: list[dict] = field(default_factory=list)
    original: list[str] = field(default_factory=list)

    def markdown(self, loc) -> str:
        t = md_text  # every text from a document or from data: HTML made inert
        out = [f"# {t(self.name)} — điền số liệu của {t(loc.name)}", "",
               f"*Điền tự động bằng `chitieu draft {t(loc.id)} --template` ngày "
               f"{date.today().strftime('%d/%m/%Y')}: {len(self.filled)} chỗ trống đã điền, {len(self.missing)} chỗ "
               "chưa có số liệu (xem cuối văn bản).*", ""]
        for original, line in zip(self.original, self.lines):
            if line.strip():
                out += [_mark_filled(original, line), ""]
        out += ["## Đã điền", ""]
        out += [f"- Dòng {f['line']}: {t(f['what'])} = {t(f['value'])} (nguồn {t(f['source'])})"
                for f in self.filled] or ["- (không có)"]
        out += ["", "## Chưa có số liệu", ""]
        out += [f"- Dòng {m['line']}: «{t(m['context'])}» — {t(m['reason'])}" for m in self.missing] or \
            ["- (không có)"]
        if self.others:
            out += ["", "## Chỗ trống khác (không phải số liệu)", ""]
            out += [f"- Dòng {m['line']}: «{t(m['context'])}»" for m in self.others]
        return "\n".join(out) + "\n"


def _placeholders_of(template_lines: list[str], root: Path) -> tuple[str | None, pd.DataFrame]:
    """The template's placeholder records in data/ (the locality transcribed from it), if it is a known source."""
    from chitieu.io import data as data_mod
    from chitieu.analysis.audit import known_source as _known_source

    name = _known_source(template_lines, root)
    if name is None:
        return None, pd.DataFrame()
    frames = []
    locs = data_mod.load_localities(root)
    own = list(locs.loc[locs["source_file"] == name, "id"])  # the locality transcribed from the template
    for loc_id in own or list(locs["id"]):
        try:
            other = data_mod.load_locality(loc_id, root)
        except data_mod.DataError:
            continue
        v = other.values[other.values["source"].str.startswith(name + ":") & other.values["raw"].str.contains(_PLACE)]
        if not v.empty:
            frames.append(v.merge(other.indicators[["id", "name", "unit", "catalogue_code"]], left_on="indicator",
                                  right_on="id", how="left"))
    return name, (pd.concat(frames, ignore_index=True) if frames else pd.DataFrame())


def _latest(loc, indicator: str, period: str) -> pd.Series | None:
    v = loc.values
    recs = v[(v["indicator"] == indicator) & v["status"].isin(RESULT_STATUSES) & v["value"].notna()]
    same = recs[recs["period"] == period]
    if same.empty and re.fullmatch(r"\d{4}", period):
        same = recs[(recs["year"] <= int(period)) & (recs["period_start"] == recs["year"])]
    if same.empty:
        return None
    return same.iloc[pick_latest(np.zeros(len(same), np.int64), same["year"].to_numpy(np.int64),
                                 status_rank(same["status"].to_numpy()))[0]]


def fill_template(template: Path, loc, *, root: Path | None = None, table: pd.DataFrame | None = None) -> TemplateFill:
    """Fill the ``…`` of a template with ``loc``'s values where the data answer them (same catalogue code, same
    period); the ratio that follows a filled value ("đạt …% so với nghị quyết") is filled from the results table.
    Every other placeholder is listed as *chưa có số liệu*."""
    from chitieu.io import data as data_mod
    from chitieu.analysis.achievement import results_table
    from chitieu.analysis.audit import read_document

    root = Path(root) if root is not None else data_dir()
    doc = read_document(template)
    lines = list(doc.lines)
    table = results_table(loc) if table is None else table
    source, places = _placeholders_of(lines, root)
    filled, missing, others = [], [], []
    done: set[tuple[int, int]] = set()
    by_code = {c: i for i, c in zip(loc.indicators["id"], loc.indicators["catalogue_code"]) if c}
    ratios = {r.indicator: r for r in table.itertuples(index=False)}
    ratio_after = re.compile(r"(?P<pre>[^;.…]{0,30}?đạt\s*)…(?=\s*%\s*(?:so với|chỉ tiêu)?\s*(?:nghị quyết|nq))",
                             re.IGNORECASE)
    for _, rec in (places.iterrows() if not places.empty else iter(())):
        line_no = int(rec["source"].split(":")[1])
        original = doc.lines[line_no - 1]
        if original.find(rec["raw"]) < 0 or lines[line_no - 1].find(rec["raw"]) < 0:
            continue
        orig_pos = original.find(rec["raw"]) + rec["raw"].index(_PLACE)
        for k in re.finditer(_PLACE, rec["raw"]):
            done.add((line_no, original.find(rec["raw"]) + k.start()))
        code = rec.get("catalogue_code") or ""
        ind = by_code.get(code) if code else None
        value = _latest(loc, ind, rec["period"]) if ind else None
        if value is None:
            why = ("chỉ tiêu này chưa có mã danh mục để đối chiếu" if not code else
                   f"không có chỉ tiêu mã '{code}' trong số liệu" if not ind else
                   f"'{ind}' chưa có số liệu kỳ {rec['period']}")
            missing.append({"line": line_no, "context": rec["raw"], "reason": f"chưa có số liệu ({why})"})
            continue
        text = COMPARATOR_PREFIX_VI.get(value["comparator"], "") + _num(float(value["value"]))
        cur = lines[line_no - 1]
        pos = cur.find(rec["raw"]) + rec["raw"].index(_PLACE)
        lines[line_no - 1] = cur[:pos] + text + cur[pos + 1:]
        filled.append({"line": line_no, "what": f"{rec['name']} ({value['period']})",
                       "value": _with_unit(text, rec.get("unit") or ""), "source": value["source"]})
        # "…, đạt …% so với nghị quyết" right after it: the report's achievement ratio, from the results table
        m_orig = ratio_after.match(original[orig_pos + 1:])
        m_cur = ratio_after.match(lines[line_no - 1][pos + len(text):])
        r = ratios.get(ind)
        if m_orig and m_cur and r is not None and _isnum(r.ratio_pct):
            rt = format_vi(float(r.ratio_pct), int(r.decimals))
            ppos = pos + len(text) + m_cur.end("pre")
            cur = lines[line_no - 1]
            lines[line_no - 1] = cur[:ppos] + rt + cur[ppos + 1:]
            filled.append({"line": line_no, "what": f"tỷ lệ đạt chỉ tiêu Nghị quyết của '{r.name}'",
                           "value": rt + "%", "source": f"{r.actual_source} ÷ {r.source}"})
            done.add((line_no, orig_pos + 1 + m_orig.end("pre")))
    # every other placeholder (counted on the original template)
    for no, line in enumerate(doc.lines, start=1):
        for mm in re.finditer(_PLACE, line):
            if (no, mm.start()) in done:
                continue
            ctx = line[max(0, mm.start() - 40):mm.end() + 25].strip()
            if re.fullmatch(r"[\s…·.\-]*", ctx) or not re.search(r"\w", ctx):
                continue
            after = line[mm.end():mm.end() + 30]
            quantity = bool(re.match(r"\s*(%|/\s*…)", after)) or _known_unit(parse("1 " + after.strip()).unit)
            if quantity:
                missing.append({"line": no, "context": ctx, "reason": "chưa có số liệu"})
            else:
                others.append({"line": no, "context": ctx, "reason": "chỗ trống không phải số liệu (tên, số hiệu, "
                                                                     "dấu lược): điền tay"})
    missing.sort(key=lambda m: m["line"])
    name = source or Path(template).name
    return TemplateFill(name, lines, filled, missing, others, list(doc.lines))


def _known_unit(unit: str | None) -> bool:
    """A unit the lexicon knows (ha, %, tỷ đồng, người …): "… ĐẢNG BỘ PHƯỜNG" or "… lần thứ" is a name, not a
    quantity, although the cell grammar reads any word after a number as its unit."""
    if not unit:
        return False
    try:
        from chitieu.io.quantity import unit_info
    except ImportError:  # a grammar without a lexicon: any unit counts
        return True
    return unit_info(unit) is not None


def _mark_filled(original: str, filled: str) -> str:
    """Markdown of a template line, the values filled in bold (``**17**``), other asterisks escaped."""
    import difflib

    esc = lambda t: md_text(t).replace("*", "\\*")  # noqa: E731
    if original == filled:
        return esc(filled)
    out = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, original, filled, autojunk=False).get_opcodes():
        seg = filled[b0:b1]
        out.append(f"**{esc(seg)}**" if op in ("replace", "insert") and seg.strip() else esc(seg))
    return "".join(out)
