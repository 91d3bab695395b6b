"""Charts of a locality's targets: achievement, trends with projections, a scorecard; static export.

Every chart is a plotly figure in one theme, the plotly template ``"chitieu"`` (registered on import): fonts
that carry Vietnamese diacritics, Vietnamese number format (``separators=",."``, so plotly itself writes
``2.815`` and ``140,75``), the verdict colours of :mod:`chitieu.report.present` (the same in HTML and Excel).
Labels a reader sees are Vietnamese; numbers written as text come from :mod:`chitieu.report.present` (the
indicator's own precision, bounds in words, units beside them).

**Designed for A4 Word.** A chart is laid out :data:`EXPORT_WIDTH` pixels wide (600) and inserted in the draft
:data:`WORD_WIDTH_CM` wide (16 cm): one layout pixel is then 0,76 pt, and no text in a chart is smaller than
:data:`MIN_FONT_PX` (12 px ≈ 9 pt). A long results table is drawn as several charts (by verdict, at most 15 rows
each: :func:`chitieu.report.sections.achievement_charts`), each within one page.

>>> from chitieu.analysis import achievement
>>> from chitieu.io import data
>>> table = achievement.results_table(data.load_locality("muong-ang"))
>>> fig = achievement_bars(table)
>>> fig.layout.separators
',.'

Static images (PNG/SVG) go through kaleido 1.x and a Chromium (Debian's ``/usr/bin/chromium``, or the one
``BROWSER_PATH`` names). :func:`export_figures` starts kaleido's sync server once per process, so one browser
renders every image (≈2 s for the first image, a fraction of a second for each next one).
"""
from __future__ import annotations

import html
import math
import os
import shutil
import textwrap
import threading
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from chitieu.analysis.achievement import VERDICT_VI
from chitieu.core.vocabulary import NO_RATIO_DOUBTS
from chitieu.report import present
from chitieu.report.present import VERDICT_COLORS, VERDICT_LABELS, VERDICT_ORDER

__all__ = [
    "ChartExportError",
    "TEMPLATE_NAME",
    "FONT_FAMILY",
    "VERDICT_ORDER",
    "VERDICT_COLORS",
    "EXPORT_WIDTH",
    "WORD_WIDTH_CM",
    "MIN_FONT_PX",
    "register_template",
    "use_theme",
    "bullet_chart",
    "achievement_bars",
    "trend_fan",
    "scorecard",
    "export_figures",
    "find_chromium",
    "to_html_div",
    "plotlyjs_script",
    "font_sizes",
]

TEMPLATE_NAME = "chitieu"
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
TEXT_COLOR = "#222222"
MUTED_COLOR = "#595959"
GRID_COLOR = "#e5e5e5"

DATA_COLOR = "#1f3b73"
TARGET_COLOR = "#c0392b"
#: projection paths: lighter than the data, one hue per method
PROJECTION_COLORS = ("#4c9be8", "#e69f00", "#9b6fc4", "#2bb3a3", "#cc79a7", "#8c8c3a")

#: layout pixels of an exported image when the figure sets no width: the width of a chart inserted in Word
EXPORT_WIDTH = 600
#: the width a chart is inserted at in the Word draft (A4 portrait, 2 cm margins leave 17 cm)
WORD_WIDTH_CM = 16.0
#: the smallest text in any chart, in layout pixels: 12 px × (16 cm / 600 px) ≈ 9,1 pt in Word
MIN_FONT_PX = 12
EXPORT_FORMATS = ("png", "svg", "pdf", "jpeg", "webp")

_COMPARATOR_SIGN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "=": "", "": ""}
_LOWER_MARK = "▼"
_LOWER_NOTE = f"{_LOWER_MARK} chỉ tiêu càng thấp càng tốt: tỷ lệ dưới 100% vẫn có thể là đạt hoặc vượt."


class ChartExportError(RuntimeError):
    """A chart could not be written as an image (no Chromium, a browser that fails, a bad name or format)."""


# --------------------------------------------------------------------------------------------
# Theme
# --------------------------------------------------------------------------------------------

def _template() -> go.layout.Template:
    axis = dict(showgrid=True, gridcolor=GRID_COLOR, zeroline=False, showline=True, linecolor="#8c8c8c",
                ticks="outside", tickcolor="#8c8c8c", ticklen=4, separatethousands=True, exponentformat="none",
                automargin=True, tickfont=dict(size=12),
                title=dict(font=dict(size=13, color=MUTED_COLOR)))
    return go.layout.Template(layout=dict(
        font=dict(family=FONT_FAMILY, size=13, color=TEXT_COLOR),
        separators=",.",
        colorway=[DATA_COLOR, *PROJECTION_COLORS],
        paper_bgcolor="white",
        plot_bgcolor="white",
        title=dict(x=0.012, xref="container", xanchor="left", font=dict(size=16, color=TEXT_COLOR),
                   subtitle=dict(font=dict(size=12, color=MUTED_COLOR))),
        xaxis=axis,
        yaxis=axis,
        legend=dict(font=dict(size=12), bgcolor="rgba(255,255,255,0)"),
        hoverlabel=dict(font=dict(family=FONT_FAMILY, size=13)),
        margin=dict(l=20, r=20, t=100, b=60),
    ))


def register_template() -> go.layout.Template:
    """Register (again) the ``"chitieu"`` plotly template and return it. Done once on import."""
    pio.templates[TEMPLATE_NAME] = _template()
    return pio.templates[TEMPLATE_NAME]


def use_theme() -> None:
    """Make ``"chitieu"`` plotly's default template (for ad-hoc charts in a notebook). Not done on import."""
    register_template()
    pio.templates.default = TEMPLATE_NAME


register_template()


def _layout(**kwargs) -> dict:
    """Layout of every chart: the template, and Vietnamese separators even if the template is swapped later."""
    return dict(template=pio.templates[TEMPLATE_NAME], separators=",.", **kwargs)


def font_sizes(fig: go.Figure) -> list[float]:
    """Every font size a figure's text is drawn with (layout, axes, legend, annotations, traces), for checking
    that nothing is smaller than :data:`MIN_FONT_PX`."""
    spec = fig.to_plotly_json()
    tpl = fig.layout.template.layout if fig.layout.template else None
    base = (fig.layout.font.size or (tpl.font.size if tpl else None) or 12)
    out: list[float] = [base]

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("font", "tickfont", "textfont", "insidetextfont", "outsidetextfont") and isinstance(v, dict):
                    size = v.get("size")
                    if isinstance(size, (int, float)):
                        out.append(float(size))
                    elif isinstance(size, list):
                        out.extend(float(x) for x in size if isinstance(x, (int, float)))
                walk(v, k)
        elif isinstance(node, list):
            for x in node:
                walk(x, key)

    walk(spec.get("layout", {}))
    walk(spec.get("data", []))
    if tpl is not None:
        walk(tpl.to_plotly_json())
    for a in spec.get("layout", {}).get("annotations", []):  # inline <span style='font-size:…'>
        import re

        out.extend(float(x) for x in re.findall(r"font-size:\s*(\d+(?:\.\d+)?)px", str(a.get("text", ""))))
    return out


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

def _esc(text: object) -> str:
    """Text from data, safe inside plotly's pseudo-HTML labels (plotly decodes the entities back)."""
    return html.escape("" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text),
                       quote=False)


def _wrap(text: str, width: int = 30, lines: int = 3) -> str:
    """Wrap a long indicator name on ``lines`` lines of about ``width`` characters (``<br>``), ``…`` if longer."""
    parts = textwrap.wrap(str(text), width=width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip(" ,;") + "…"
    return "<br>".join(_esc(p) for p in parts)


def _num(x: float, decimals: int | None = None) -> str:
    """A value as the report would write it (the indicator's precision when given)."""
    return present.number(x, decimals)


def _with_unit(text: str, unit: str) -> str:
    return present.with_unit(text, _esc(unit) if unit else unit)


def _is_number(x) -> bool:
    try:
        return x is not None and not pd.isna(x) and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


_TABLE_DEFAULTS = {"indicator": "", "name": "", "unit": "", "kind": "", "direction": "higher",
                   "target": math.nan, "target_comparator": "=", "actual": math.nan, "actual_comparator": "=",
                   "actual_status": "", "ratio_exact": math.nan, "ratio_pct": math.nan, "decimals": 0,
                   "verdict": "unknown", "flags": "", "review": ""}


def _prepare(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a results table with every column the charts read (an empty table may have no columns), and
    ``_code``: the display verdict (``review`` for a row that needs review)."""
    t = table.copy()
    for col, default in _TABLE_DEFAULTS.items():
        if col not in t.columns:
            t[col] = default
    t = t.reset_index(drop=True)
    ids = t["indicator"].astype("string").fillna("")
    # category keys of the y axis: the indicator id, made unique (names may repeat across sections)
    t["_key"] = [f"{i}#{n}" if (i == "" or list(ids).count(i) > 1) else i for n, i in enumerate(ids)]
    t["name"] = t["name"].astype("string").fillna("").astype(object)
    t["unit"] = t["unit"].astype("string").fillna("").astype(object)
    for col in ("target", "actual", "ratio_exact", "ratio_pct"):
        t[col] = pd.to_numeric(t[col], errors="coerce").astype(float)
    t["decimals"] = pd.to_numeric(t["decimals"], errors="coerce").fillna(0).astype(int)
    t["verdict"] = t["verdict"].where(t["verdict"].isin(VERDICT_ORDER), "unknown")
    t["_code"] = [present.display_verdict(r) for _, r in t.iterrows()] if len(t) else []
    return t


def _label(row, width: int = 30) -> str:
    mark = f" {_LOWER_MARK}" if row["direction"] == "lower" else ""
    return _wrap(row["name"] or row["indicator"], width) + mark


def _ratio_text(ratio_pct: float, decimals: int) -> str:
    return present.pct(ratio_pct, int(decimals)) if _is_number(ratio_pct) else ""


def _empty_note(fig: go.Figure, text: str) -> go.Figure:
    fig.add_annotation(text=_esc(text), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=14, color=MUTED_COLOR))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _top_legend(height: int, title: str | None = None, top_px: int = 84) -> dict:
    """A one-row legend just under the subtitle, pinned in pixels from the top: if a narrow page wraps it, it
    grows down towards the plot, never up over the title."""
    legend = dict(orientation="h", x=0, xanchor="left", yref="container", y=1 - top_px / height, yanchor="top",
                  traceorder="normal")
    if title:
        legend["title"] = dict(text=title)
    return legend


def _footnote(fig: go.Figure, notes: Sequence[str], *, below_px: int = 56, width: int = 78,
              pending: list[dict] | None = None) -> int:
    """Notes under the plot (below the x axis), left-aligned; returns the pixels they need in the bottom margin.
    ``pending``: a list of annotations not yet on the figure, to add this one to (see :func:`_values_column`)."""
    lines = [line for note in notes for line in textwrap.wrap(note, width=width)]
    if lines:
        note = dict(text="<br>".join(_esc(x) for x in lines), x=0, xref="paper", xanchor="left", y=0, yref="paper",
                    yanchor="top", yshift=-below_px, showarrow=False, align="left",
                    font=dict(size=12, color=MUTED_COLOR))
        if pending is None:
            fig.add_annotation(**note)
        else:
            pending.append(note)
    return below_px + 17 * len(lines) + 12


def _subtitle(parts: Sequence[str], width: int = 84) -> str:
    """A subtitle of several parts, wrapped to the chart's width (``<br>``)."""
    text = " · ".join(p for p in parts if p)
    return "<br>".join(_esc(x) for x in textwrap.wrap(text, width=width))


# --------------------------------------------------------------------------------------------
# 1. Bullet chart: actual against target, each indicator normalised to its own target
# --------------------------------------------------------------------------------------------

def _bullet_rows(t: pd.DataFrame) -> tuple[pd.Series, list[str], list[str]]:
    """(the rows a bullet chart draws, the subtitle's counts of those it leaves out, the notes naming them). Left
    out: no numeric actual and target; a zero target; a result in another measure than its target ("ước tăng
    17,57%" against 108.000 tỷ đồng: no ratio exists)."""
    numeric = (t["actual"].map(_is_number) & t["target"].map(_is_number)).astype(bool)
    zero_target = numeric & (t["target"] == 0)
    other_measure = numeric & t["review"].astype(str).map(
        lambda r: any(d in r.split("; ") for d in NO_RATIO_DOUBTS)).astype(bool)
    missing = t[~numeric]
    n_missing, n_zero, n_other = len(missing), int(zero_target.sum()), int(other_measure.sum())
    counts, notes = [], []
    if n_missing:
        counts.append(f"{n_missing} chỉ tiêu chưa có số liệu")
        names = [str(n) or str(i) for n, i in zip(missing["name"], missing["indicator"])]
        listed = "; ".join(textwrap.shorten(n, 60, placeholder="…") for n in names[:3])
        more = f" và {n_missing - 3} chỉ tiêu khác" if n_missing > 3 else ""
        notes.append(f"Chưa có số liệu (không vẽ): {listed}{more}.")
    if n_zero:
        counts.append(f"{n_zero} chỉ tiêu có mục tiêu bằng 0")
        notes.append(f"{n_zero} chỉ tiêu có mục tiêu bằng 0, không tính được tỷ lệ (không vẽ).")
    if n_other:
        counts.append(f"{n_other} chỉ tiêu có kết quả khác đơn vị mục tiêu")
        names = "; ".join(textwrap.shorten(str(n), 60, placeholder="…") for n in t.loc[other_measure, "name"][:3])
        notes.append(f"Kết quả khác đơn vị với mục tiêu, không so được (không vẽ, cần rà soát): {names}.")
    return numeric & ~zero_target & ~other_measure, counts, notes


def _bullet_traces(fig: go.Figure, shown: pd.DataFrame, keys: list, x_max: float, row_px: int) -> pd.DataFrame:
    """A bullet chart's traces: the grey band to 100% first (so that nothing is drawn under the bars' texts), a bar
    per verdict, the dark target tick, and ``▸`` at the edge for bars beyond ``x_max``; returns those rows."""
    fig.add_trace(go.Bar(
        y=keys, x=[100] * len(keys), orientation="h", width=0.8, marker=dict(color="#ececec", line_width=0),
        name="Mục tiêu (100%)", showlegend=False, hoverinfo="skip"))
    for verdict in VERDICT_ORDER:
        part = shown[shown["_code"] == verdict]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            y=part["_key"].tolist(), x=[min(x, x_max) for x in part["_ratio"]], orientation="h", width=0.42,
            name=VERDICT_LABELS[verdict], marker=dict(color=VERDICT_COLORS[verdict], line_width=0),
            text=part["_ratio_text"].tolist(), textposition="none",
            customdata=list(zip(part["name"].map(_esc), part["_values"], part["_ratio_text"])),
            hovertemplate="<b>%{customdata[0]}</b><br>Thực hiện / mục tiêu: %{customdata[1]}"
                          "<br>Tỷ lệ: %{customdata[2]}<extra>" + VERDICT_LABELS[verdict] + "</extra>"))
    fig.add_trace(go.Scatter(
        y=keys, x=[100] * len(keys), mode="markers", name="Mục tiêu (100%)", showlegend=False,
        marker=dict(symbol="line-ns", size=row_px * 0.62, color="#333333", line=dict(width=2.5, color="#333333")),
        hoverinfo="skip"))
    beyond = shown[shown["_ratio"] > x_max]
    if not beyond.empty:
        fig.add_trace(go.Scatter(y=beyond["_key"].tolist(), x=[x_max] * len(beyond), mode="markers",
                                 marker=dict(symbol="triangle-right", size=11, color=TEXT_COLOR), showlegend=False,
                                 hoverinfo="skip", name="vượt quá thang"))

    return beyond


def _values_column(keys: list, ratio_texts, values) -> tuple[list[dict], int]:
    """The values column in the right margin of a bullet chart (the ratio in bold, then "actual / target unit"),
    one annotation per row, and the margin's width in pixels. The annotations are returned to be set on the figure
    at once with the footnote: plotly copies and validates every annotation again on each ``add_annotation`` (a
    15-row chart: 10× slower, and 0,02 s more for a note added after them)."""
    column_px = int(16 + 7.3 * max(len("Tỷ lệ · thực hiện / mục tiêu") - 6, *(len(html.unescape(v)) for v in values)))
    added = [dict(text="<b>Tỷ lệ</b> · thực hiện / mục tiêu", x=1, xref="paper", xshift=10, xanchor="left", y=1.0,
                  yref="paper", yanchor="bottom", showarrow=False, font=dict(size=12, color=MUTED_COLOR))]
    for key, ratio_text, value in zip(keys, ratio_texts, values):
        plain = html.unescape(value)
        wrapped = "<br>".join(textwrap.wrap(plain, width=28)) if len(plain) > 28 else plain
        added.append(dict(text=f"<b>{_esc(ratio_text)}</b><br>{_esc(wrapped).replace('&lt;br&gt;', '<br>')}",
                          x=1, xref="paper", xshift=10, xanchor="left", y=key, yref="y", align="left",
                          showarrow=False, font=dict(size=12, color=TEXT_COLOR)))
    return added, min(column_px, 215)


def bullet_chart(table: pd.DataFrame, *, title: str = "Thực hiện so với chỉ tiêu", total: int | None = None,
                 max_x: float = 200.0) -> go.Figure:
    """Actual against target per indicator, each drawn relative to its own target (target = 100%).

    Units differ (ha, %, xã …), so no two indicators share a scale: the bar is ``actual ÷ target``, the grey band
    ends and the dark tick stands at the target (100%). The ratio as the report prints it and the actual and
    target values with their unit are written in a column on the right, never over the bars or the target line.
    Bars beyond ``max_x`` % are cut at the edge and marked ``▸``. Rows without a numeric actual and target
    (qualitative, no result yet) and rows with a zero target are not drawn; the subtitle says how many and a
    note names them. ``total``: the size of the whole table this chart is a part of (said in the subtitle).

    >>> from chitieu.analysis import achievement
    >>> from chitieu.io import data
    >>> fig = bullet_chart(achievement.results_table(data.load_locality("muong-ang")))
    >>> "chưa có số liệu" in fig.layout.title.subtitle.text
    True
    """
    t = _prepare(table)
    drawn, left_out, left_notes = _bullet_rows(t)
    shown = t[drawn].copy()

    ratio = shown["ratio_exact"].where(shown["ratio_exact"].map(_is_number), shown["actual"] / shown["target"] * 100)
    shown["_ratio"] = ratio.astype(float)
    shown["_ratio_text"] = [_ratio_text(r, d) if _is_number(r) else present.pct(x, 0)
                            for r, d, x in zip(shown["ratio_pct"], shown["decimals"], shown["_ratio"])]
    shown["_values"] = [
        f"{present.bound(a, ac, present.value_decimals(a, st))} / "
        f"{_with_unit(present.bound(tg, tc, present.value_decimals(tg)), u)}"
        for a, ac, st, tg, tc, u in zip(shown["actual"], shown["actual_comparator"], shown["actual_status"],
                                        shown["target"], shown["target_comparator"], shown["unit"])]

    subtitle = [f"{len(shown)} chỉ tiêu" + (f" trong {total} chỉ tiêu của biểu" if total and total != len(t) else ""),
                "mỗi chỉ tiêu so với mục tiêu của chính nó (vạch đen = 100%)", *left_out]
    row_px = 50
    fig = go.Figure(layout=_layout(title=dict(text=_esc(title), subtitle=dict(text=_subtitle(subtitle)))))
    if shown.empty:
        fig.update_layout(height=300)
        return _empty_note(fig, "Chưa có chỉ tiêu nào có số liệu để so với mục tiêu.")

    keys = shown["_key"].tolist()
    x_max = max(125.0, min(max_x, float(shown["_ratio"].max()) * 1.08))
    beyond = _bullet_traces(fig, shown, keys, x_max, row_px)
    pending, column_px = _values_column(keys, shown["_ratio_text"], shown["_values"])
    notes = list(left_notes)
    if not beyond.empty:
        notes.append(f"▸: tỷ lệ trên {present.number(x_max, 0)}% (cột bên phải ghi số đúng).")
    if (shown["direction"] == "lower").any():
        notes.append(_LOWER_NOTE)
    bottom = _footnote(fig, notes, width=80, pending=pending)
    fig.update_layout(annotations=[*fig.layout.annotations, *pending])  # at once (see _values_column)

    n_sub = len(_subtitle(subtitle).split("<br>"))
    legend_codes = [v for v in VERDICT_ORDER if (shown["_code"] == v).any()]
    top = (96 if len(legend_codes) > 1 else 70) + 17 * n_sub  # room for the legend only when there is one
    height = top + bottom + row_px * len(keys)
    fig.update_layout(barmode="overlay", height=height,
                      legend=_top_legend(height, top_px=top - 30), showlegend=len(legend_codes) > 1,
                      margin=dict(t=top, b=bottom, r=column_px, l=10))
    fig.update_xaxes(range=[0, x_max], ticksuffix="%", dtick=50,
                     title=dict(text="Thực hiện so với mục tiêu (%)", standoff=6))
    fig.update_yaxes(categoryorder="array", categoryarray=keys, range=[len(keys) - 0.5, -0.5], showgrid=False,
                     tickmode="array", tickvals=keys,
                     ticktext=[_label(r) for _, r in shown.iterrows()], tickfont=dict(size=12), ticks="")
    return fig


# --------------------------------------------------------------------------------------------
# 2. Achievement bars: the reports' ratio, sorted, coloured by verdict
# --------------------------------------------------------------------------------------------

def achievement_bars(table: pd.DataFrame, *, title: str = "Tỷ lệ thực hiện so với chỉ tiêu") -> go.Figure:
    """``ratio_pct`` (actual ÷ target × 100, as the reports print it) per indicator, sorted, coloured by verdict.

    One bar trace per verdict, in the order Vượt, Đạt, Không đạt, Cần rà soát, Chưa có số liệu (so the legend reads
    in that order); a dashed line at 100%, drawn under the bars' texts. Rows without a ratio (qualitative, no
    result) are listed last with a text instead of a bar ("định tính: Vượt", "chưa có số liệu"). The report and
    the draft use :func:`bullet_chart` split by verdict instead (this chart repeats it); kept for notebooks.

    >>> from chitieu.analysis import achievement
    >>> from chitieu.io import data
    >>> fig = achievement_bars(achievement.results_table(data.load_locality("muong-ang")))
    >>> [tr.name for tr in fig.data][:3]
    ['Vượt', 'Đạt', 'Không đạt']
    """
    t = _prepare(table)
    has_ratio = t["ratio_pct"].map(_is_number).astype(bool)
    with_ratio = t[has_ratio].sort_values("ratio_pct", ascending=False, kind="stable")
    rows = pd.concat([with_ratio, t[~has_ratio]])
    ok = has_ratio.reindex(rows.index)
    rows["_x"] = rows["ratio_pct"].where(ok, 0.0)
    rows["_text"] = [
        _ratio_text(r, d) if good else (f"định tính: {VERDICT_LABELS[v]}" if v != "unknown" else "chưa có số liệu")
        for r, d, v, good in zip(rows["ratio_pct"], rows["decimals"], rows["_code"], ok)]

    fig = go.Figure(layout=_layout(title=dict(text=_esc(title), subtitle=dict(text=_subtitle(
        ["Thực hiện ÷ mục tiêu × 100, như báo cáo tính", "màu theo đánh giá có xét chiều của chỉ tiêu"])))))
    if rows.empty:
        fig.update_layout(height=300)
        return _empty_note(fig, "Chưa có chỉ tiêu nào.")
    keys = rows["_key"].tolist()
    fig.add_vline(x=100, line=dict(color="#333333", width=1.5, dash="dash"), layer="below")
    for verdict in VERDICT_ORDER:
        part = rows[rows["_code"] == verdict]
        if part.empty:
            continue
        fig.add_trace(go.Bar(
            y=part["_key"].tolist(), x=part["_x"].tolist(), orientation="h", name=VERDICT_LABELS[verdict],
            width=0.72, marker=dict(color=VERDICT_COLORS[verdict], line_width=0), text=part["_text"].tolist(),
            textposition="outside", cliponaxis=False,
            textfont=dict(size=12, color=[TEXT_COLOR if good else MUTED_COLOR for good in ok.reindex(part.index)]),
            customdata=list(zip(part["name"].map(_esc), part["_text"])),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra>" + VERDICT_LABELS[verdict]
                          + "</extra>"))
    bottom = _footnote(fig, [_LOWER_NOTE] if (rows["direction"] == "lower").any() else [])
    row_px = 44
    x_max = max(120.0, float(with_ratio["ratio_pct"].max()) * 1.18 if not with_ratio.empty else 120.0)
    height = 150 + bottom + row_px * len(keys)
    fig.update_layout(barmode="overlay", height=height, legend=_top_legend(height, title="Đánh giá:"),
                      margin=dict(t=125, b=bottom, r=30))
    fig.update_xaxes(range=[0, x_max], ticksuffix="%",
                     title=dict(text="Tỷ lệ thực hiện (%); nét đứt: 100% = đạt mục tiêu", standoff=6))
    fig.update_yaxes(categoryorder="array", categoryarray=keys, range=[len(keys) - 0.5, -0.5], showgrid=False,
                     tickmode="array", tickvals=keys,
                     ticktext=[_label(r) for _, r in rows.iterrows()], tickfont=dict(size=12), ticks="")
    return fig


# --------------------------------------------------------------------------------------------
# 3. Trend with the projection of the indicator's own method, the others as a band
# --------------------------------------------------------------------------------------------

def _method_label(method: str) -> str:
    from chitieu.analysis.projection import METHOD_LABELS_VI  # labels live with the methods

    return METHOD_LABELS_VI.get(method, method)


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _clean(x: float) -> float:
    """A value without arithmetic noise (99,99999999999999 → 100), so that axes and labels read right."""
    return float(round(float(x), 9))


def _usable_projections(projections: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows of a projections frame (``year, method, projected``) that can be drawn, numbers cleaned; None if
    none can."""
    if projections is None or projections.empty:
        return None
    needed = {"year", "method", "projected"}
    if not needed <= set(projections.columns):
        raise ValueError(f"trend_fan: projections need columns {sorted(needed)} (+ lower, upper), "
                         f"got {list(projections.columns)}")
    proj = projections.reset_index(drop=True)
    for col in ("year", "projected"):
        proj[col] = pd.to_numeric(proj[col], errors="coerce").astype(float)
    proj = proj[proj["projected"].notna() & proj["year"].notna()].copy()
    proj["projected"] = proj["projected"].map(_clean)
    return None if proj.empty else proj


def _projection_traces(fig: go.Figure, proj: pd.DataFrame, obs: pd.DataFrame, last, primary: str | None, unit: str,
                       decimals: int, subtitle: list[str], notes: list[str]) -> None:
    """A trend chart's forecast: the band between the methods (when they differ; the subtitle says how far apart
    they are in the last year), the primary method's dashed line from the last observation, and a note when the
    forecast rests on fewer than three observations. ``subtitle`` and ``notes`` are added to."""
    methods = list(dict.fromkeys(proj["method"].astype(str)))
    main = primary if primary in methods else methods[0]
    label = _esc(_method_label(main))
    wide = proj.pivot_table(index="year", columns="method", values="projected", aggfunc="first").sort_index()
    lo, hi = wide.min(axis=1), wide.max(axis=1)
    xs = wide.index.tolist()
    start = [] if last is None or (xs and xs[0] <= last["year"]) else [float(last["year"])]
    spread = len(methods) > 1 and bool(((hi - lo).abs() > 1e-9 * hi.abs().clip(lower=1)).any())
    if spread:
        bx = start + xs
        top = ([last["value"]] if start else []) + hi.tolist()
        bottom_ = ([last["value"]] if start else []) + lo.tolist()
        fig.add_trace(go.Scatter(
            x=bx + bx[::-1], y=top + bottom_[::-1], fill="toself", fillcolor=_rgba(PROJECTION_COLORS[0], 0.16),
            line=dict(width=0), mode="lines", hoverinfo="skip", legendrank=2100,
            name=f"Khoảng giữa {len(methods)} phương pháp dự báo"))
        end_year = int(xs[-1])
        notes_lo, notes_hi = present.number(lo.iloc[-1], decimals), present.number(hi.iloc[-1], decimals)
        if notes_lo == notes_hi:
            subtitle.append(f"{len(methods)} phương pháp dự báo cho {end_year} cùng một kết quả: "
                            f"{_with_unit(notes_lo, unit)}")
        else:
            subtitle.append(f"{len(methods)} phương pháp dự báo cho {end_year} từ {notes_lo} đến "
                            f"{_with_unit(notes_hi, unit)}")
    elif len(methods) > 1:
        subtitle.append(f"{len(methods)} phương pháp dự báo cho cùng một kết quả")
    mine = proj[proj["method"].astype(str) == main].sort_values("year")
    px, py = mine["year"].tolist(), mine["projected"].tolist()
    if start:
        px, py = start + px, [last["value"]] + py
    fig.add_trace(go.Scatter(
        x=px, y=py, mode="lines+markers", name=f"Dự báo ({label})", legendrank=2000,
        line=dict(color=PROJECTION_COLORS[0], width=2.5, dash="dash"),
        marker=dict(symbol="circle-open", size=7, color=PROJECTION_COLORS[0], line=dict(width=1.5)),
        customdata=[_with_unit(_num(v, decimals), unit) for v in py],
        hovertemplate="%{x}: %{customdata}<extra>Dự báo (" + label + ")</extra>"))
    if len(obs) < 3:
        notes.append(f"Dự báo chỉ từ {len(obs)} năm số liệu ({', '.join(str(int(y)) for y in obs['year'])}): "
                     "quá ít để tin cậy, chỉ để tham khảo.")


def _target_traces(fig: go.Figure, target: float, ty: int, comparator: str | None, unit: str,
                   level_from: float | None) -> None:
    """The target of a trend chart: a star at the target year, named with its value in the legend, and, when there
    is a forecast, a dotted level line from ``level_from`` (the last observed year)."""
    text = _with_unit(present.bound(target, comparator, present.value_decimals(target)), unit)
    label = f"Mục tiêu {ty}: {text}"
    if level_from is not None:
        fig.add_trace(go.Scatter(x=[level_from, ty], y=[target] * 2, mode="lines",
                                 line=dict(color=TARGET_COLOR, width=1, dash="dot"), hoverinfo="skip",
                                 showlegend=False, name="mức mục tiêu"))
    fig.add_trace(go.Scatter(
        x=[ty], y=[target], mode="markers", name=_esc(label), legendrank=1500,
        marker=dict(symbol="star", size=18, color=TARGET_COLOR, line=dict(width=1, color="white")),
        hovertemplate=_esc(label) + "<extra></extra>"))


def _data_forecast_divide(fig: go.Figure, year: float) -> None:
    """A dotted line at the last observed year, "Số liệu ◂" to its left and "▸ Dự báo" to its right."""
    fig.add_vline(x=year, line=dict(color="#b3b3b3", width=1, dash="dot"))
    fig.add_annotation(text="Số liệu ◂", x=year, xref="x", xanchor="right", y=1, yref="paper",
                       yanchor="bottom", showarrow=False, font=dict(size=12, color=MUTED_COLOR))
    fig.add_annotation(text="▸ Dự báo", x=year, xref="x", xanchor="left", y=1, yref="paper",
                       yanchor="bottom", showarrow=False, font=dict(size=12, color=MUTED_COLOR))


def _y_range(ys: list[float], unit: str) -> tuple[float, float, float]:
    """(low, high, span of the values) of a trend chart's y axis: never a span so small that rounding noise shows;
    a percentage near 100 stays under 100."""
    y_lo, y_hi = min(ys), max(ys)
    span = y_hi - y_lo
    floor_span = max(abs(y_hi), abs(y_lo), 1.0) * 0.1
    if span < floor_span:
        mid = (y_hi + y_lo) / 2
        y_lo, y_hi = mid - floor_span / 2, mid + floor_span / 2
        if unit.startswith("%") and y_hi > 100 >= (y_hi + y_lo) / 2 and all(v <= 100 + 1e-9 for v in ys):
            y_lo, y_hi = y_lo - (y_hi - 100), 100 + floor_span * 0.05
    return y_lo, y_hi, span


def trend_fan(years: Sequence[int], values: Sequence[float], *, target: float | None, target_year: int | None,
              name: str, unit: str = "", projections: pd.DataFrame | None = None,
              title: str | None = None, primary: str | None = None, decimals: int | None = None,
              target_comparator: str | None = "=") -> go.Figure:
    """Observed values (solid line and markers), the projection of one method (dashed, from the last observation)
    and the target (a star at ``target_year`` with a dotted level line, its value in the legend).

    ``projections`` is a long frame ``year, method, projected, lower, upper``; ``method`` a code of
    :data:`chitieu.analysis.projection.METHOD_LABELS_VI` or already a label. ``primary``: the method drawn (the one
    the indicator's pace is measured on; default the first). When other methods give other values, the band
    between the lowest and the highest of them is shaded and the subtitle says, in words, how far apart they are
    in the target year; a band is promised only when drawn. A forecast drawn from fewer than three observations
    says so. ``decimals``: the indicator's precision for every number written.

    >>> fig = trend_fan([2020, 2025], [443.15, 1052.4], target=1229, target_year=2030, name="Diện tích", unit="ha")
    >>> [tr.name for tr in fig.data]
    ['Số liệu', 'Mục tiêu 2030: 1.229 ha']
    """
    if len(years) != len(values):
        raise ValueError(f"trend_fan: {len(years)} years but {len(values)} values")
    obs = pd.DataFrame({"year": pd.to_numeric(pd.Series(list(years)), errors="coerce"),
                        "value": pd.to_numeric(pd.Series(list(values)), errors="coerce")})
    obs = obs.dropna().sort_values("year")
    obs["value"] = obs["value"].map(_clean)
    has_target = _is_number(target) and _is_number(target_year)
    if decimals is None:
        decimals = present.decimals_needed([*obs["value"], target if has_target else None], 2)
    proj = _usable_projections(projections)

    last = obs.iloc[-1] if not obs.empty else None
    subtitle = [f"Đơn vị: {unit}" if unit else ""]
    notes: list[str] = []
    fig = go.Figure(layout=_layout(title=dict(text=_esc(title or name)), height=430))

    if proj is not None:
        _projection_traces(fig, proj, obs, last, primary, unit, decimals, subtitle, notes)

    fig.add_trace(go.Scatter(
        x=obs["year"].tolist(), y=obs["value"].tolist(), mode="lines+markers", name="Số liệu", legendrank=1000,
        line=dict(color=DATA_COLOR, width=3, dash="solid"), marker=dict(size=9, color=DATA_COLOR),
        customdata=[_with_unit(_num(v, present.value_decimals(v)), unit) for v in obs["value"]],
        hovertemplate="%{x}: %{customdata}<extra>Số liệu</extra>"))

    if has_target:
        _target_traces(fig, float(target), int(target_year), target_comparator, unit,
                       None if last is None or proj is None else float(last["year"]))

    all_years = obs["year"].tolist() + ([] if proj is None else proj["year"].tolist()) + \
        ([int(target_year)] if has_target else [])
    fig.update_layout(title=dict(subtitle=dict(text=_subtitle(subtitle, 80))))
    if not all_years:
        return _empty_note(fig, "Chưa có số liệu.")
    x0, x1 = min(all_years), max(all_years)
    if proj is not None and last is not None:
        _data_forecast_divide(fig, float(last["year"]))
    # the y axis: never a span so small that rounding noise shows; ticks in the indicator's precision
    ys = obs["value"].tolist() + ([] if proj is None else proj["projected"].tolist()) + \
        ([float(target)] if has_target else [])
    y_lo, y_hi, span = _y_range(ys, unit)
    pad = (y_hi - y_lo) * 0.08
    n_lines = len(_subtitle(subtitle, 80).split("<br>")) if any(subtitle) else 0
    # under the plot: the notes, then the legend, one entry a line (a legend across wraps over the notes at 600 px)
    n_legend = sum(1 for tr in fig.data if tr.showlegend is not False)
    notes_px = _footnote(fig, notes, below_px=50, width=80) if notes else 50
    legend_px = 22 * n_legend + 10
    plot_px = 300
    top = 62 + 19 * n_lines + 24  # title, subtitle lines, the "Số liệu ◂ ▸ Dự báo" row
    height = top + plot_px + notes_px + legend_px
    fig.update_layout(
        legend=dict(orientation="v", x=0, xanchor="left", yref="container", y=0, yanchor="bottom",
                    traceorder="normal"),
        margin=dict(t=top, b=notes_px + legend_px, l=10, r=20), hovermode="closest", height=height)
    fig.update_xaxes(range=[x0 - 0.5, x1 + 0.5], tickformat="d", dtick=1 if x1 - x0 <= 12 else None,
                     showgrid=False)
    fig.update_yaxes(title=dict(text=_esc(unit)), range=[y_lo - pad, y_hi + pad],
                     tickformat=f",.{min(max(decimals, 0), 3)}f" if span < 10 ** -min(decimals, 3) * 20 else ",~r")
    return fig


# --------------------------------------------------------------------------------------------
# 4. Scorecard: how many targets exceeded, met, not met, need review, have no data
# --------------------------------------------------------------------------------------------

def scorecard(table: pd.DataFrame, *, title: str = "Kết quả thực hiện các chỉ tiêu") -> go.Figure:
    """Tiles: how many targets were exceeded (Vượt), met (Đạt), not met (Không đạt), need review (Cần rà soát,
    only when some do) and have no data — the one counting rule (:func:`chitieu.report.present.verdict_counts`),
    its sentence as the subtitle. A table without targets gives a note saying so, not four zeros.

    >>> from chitieu.analysis import achievement
    >>> from chitieu.io import data
    >>> table = achievement.results_table(data.load_locality("muong-ang"))
    >>> fig = scorecard(table)
    >>> len(fig.data), sum(tr.value for tr in fig.data) == len(table)
    (4, True)
    """
    counts = present.verdict_counts(table if table is not None else pd.DataFrame())
    total = counts["total"]
    fig = go.Figure(layout=_layout(title=dict(text=_esc(title), subtitle=dict(text=_subtitle(
        [present.counts_text(counts)], 80))), height=300, margin=dict(t=96, b=16, l=16, r=16)))
    if not total:
        return _empty_note(fig, "Tài liệu không có chỉ tiêu Nghị quyết cho nhiệm kỳ: không có gì để đếm.")
    tiles = [v for v in VERDICT_ORDER if v != "review" or counts["review"]]
    gap = 0.02
    n = len(tiles)
    for i, verdict in enumerate(tiles):
        x0, x1 = i / n + gap / 2, (i + 1) / n - gap / 2
        share = present.pct(counts[verdict] / total * 100, 0)
        fig.add_shape(type="rect", xref="paper", yref="paper", x0=x0, x1=x1, y0=0, y1=1, layer="below",
                      fillcolor=_rgba(VERDICT_COLORS[verdict], 0.10),
                      line=dict(color=_rgba(VERDICT_COLORS[verdict], 0.55), width=1.5))
        fig.add_trace(go.Indicator(
            mode="number", value=counts[verdict], domain=dict(x=[x0, x1], y=[0.05, 0.72]),
            number=dict(font=dict(size=52, color=VERDICT_COLORS[verdict]), valueformat=",d"),
            title=dict(text=f"<b>{VERDICT_LABELS[verdict]}</b><br><span style='font-size:12px;color:{MUTED_COLOR}'>"
                            f"{share} tổng số</span>", font=dict(size=14, color=TEXT_COLOR))))
    return fig


# --------------------------------------------------------------------------------------------
# 5. Static export (kaleido 1.x + Chromium, one browser per process)
# --------------------------------------------------------------------------------------------

_NO_CHROMIUM = ("Không tìm thấy Chromium: cần Chromium để xuất ảnh: chạy scripts/bootstrap.sh (hoặc đặt BROWSER_PATH "
                "trỏ tới trình duyệt). / No Chromium found: exporting images needs Chromium; run "
                "scripts/bootstrap.sh (or set BROWSER_PATH to a Chrome/Chromium executable).")
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_TYPICAL_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
                  "/snap/bin/chromium")

_SERVER_STARTED = False  # kaleido's sync server (one Chromium) started by this module in this process
_SERVER_LOCK = threading.Lock()
_EXPORT_LOCK = threading.Lock()  # kaleido's sync server matches answers to calls by order: one caller at a time


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium() -> str:
    """The Chromium kaleido will use: ``BROWSER_PATH`` if set, else the first on ``PATH`` or in a usual place.

    Raises :class:`ChartExportError` (Vietnamese and English) when there is none.
    """
    env = os.environ.get("BROWSER_PATH")
    if env:
        if _executable(env):
            return env
        raise ChartExportError(f"BROWSER_PATH={env!r} không phải tệp chạy được / is not an executable file. "
                               + _NO_CHROMIUM)
    for name in _BROWSER_NAMES:
        found = shutil.which(name)
        if found and _executable(found):
            return found
    for path in _TYPICAL_PATHS:
        if _executable(path):
            return path
    raise ChartExportError(_NO_CHROMIUM)


def _ensure_server() -> None:
    """Start kaleido's sync server once per process (idempotent), after checking there is a browser.

    The check matters: if the browser is missing or dies at start, kaleido's server thread ends and every later
    call waits forever (kaleido 1.5). :func:`_render` watches that thread too.
    """
    global _SERVER_STARTED
    with _SERVER_LOCK:
        if _SERVER_STARTED:
            return
        import kaleido

        browser = find_chromium()
        # mathjax=False: the default page loads MathJax from a CDN, which an offline machine waits on
        kaleido.start_sync_server(path=browser, mathjax=False, silence_warnings=True)
        import atexit
        atexit.register(_stop_server)  # before Python removes the browser's profile folder under it
        _SERVER_STARTED = True


def _stop_server() -> None:
    global _SERVER_STARTED
    import kaleido

    with _SERVER_LOCK:
        kaleido.stop_sync_server(silence_warnings=True)
        _SERVER_STARTED = False


def _server_thread_alive() -> bool:
    """Whether kaleido's server thread still runs (True when that cannot be told: a private detail of kaleido)."""
    import kaleido

    thread = getattr(getattr(kaleido, "_global_server", None), "_thread", None)
    return thread is None or thread.is_alive()


def _render(fig: dict, opts: dict) -> bytes:
    """One image from the shared browser; fails loudly (instead of hanging) if the browser has gone."""
    import kaleido

    box: dict = {}

    def work() -> None:
        try:
            box["data"] = kaleido.calc_fig_sync(fig, opts=opts)
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=work, name="chitieu-export", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.2)
        if worker.is_alive() and not _server_thread_alive():
            worker.join(1.0)
            if worker.is_alive():
                _stop_server()
                raise ChartExportError(
                    "Chromium không khởi động được hoặc đã dừng giữa chừng (chạy scripts/bootstrap.sh, kiểm tra "
                    "BROWSER_PATH). / Chromium failed to start or stopped while exporting (see the kaleido log).")
    if "error" in box:
        raise box["error"]
    return box["data"]


def _export_size(fig: go.Figure) -> tuple[int, int]:
    width = fig.layout.width or (fig.layout.template.layout.width if fig.layout.template else None) or EXPORT_WIDTH
    height = fig.layout.height or (fig.layout.template.layout.height if fig.layout.template else None) or 540
    return int(width), int(height)


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name in the same folder, then rename (readers never see a partial file)."""
    from chitieu.io.safe import atomic_write_bytes

    atomic_write_bytes(path, data)


def _stable_svg(data: bytes) -> bytes:
    """The SVG with plotly's random figure id (``defs-3f9a1c``, ``clip3f9a1cxyplot``, ``legend3f9a1c``) replaced by
    a fixed one, so that the same figure gives the same file on every run."""
    import re

    m = re.search(rb'id="defs-([0-9a-f]{6})"', data)
    if not m:
        return data
    return re.sub(rb"(?<=[A-Za-z-])" + m.group(1) + rb"(?![0-9a-f])", b"chitieu", data)


def export_figures(figs: Mapping[str, go.Figure], folder: Path | str, *, scale: float = 2.0,
                   formats: Iterable[str] = ("png", "svg")) -> list[Path]:
    """Write each figure as ``<folder>/<name>.<format>`` (PNG at ``scale``× its layout size, SVG), one browser for all.

    The browser is kaleido's sync server, started on the first call of the process and kept. Each file is written
    to a temporary name in ``folder`` then renamed, so a reader never sees half an image. Returns the paths
    written. Raises :class:`ChartExportError` when there is no Chromium, a name is not a plain file name, or a
    render fails.

    >>> export_figures({"ty-le-dat": fig}, Path("outputs/muong-ang/charts"))  # doctest: +SKIP
    [PosixPath('outputs/muong-ang/charts/ty-le-dat.png'), PosixPath('outputs/muong-ang/charts/ty-le-dat.svg')]
    """
    formats = tuple(str(f).lower().lstrip(".") for f in formats)
    formats = tuple("jpeg" if f == "jpg" else f for f in formats)
    bad = [f for f in formats if f not in EXPORT_FORMATS]
    if bad:
        raise ChartExportError(f"định dạng không hỗ trợ / unsupported format(s): {bad}; use {list(EXPORT_FORMATS)}")
    for name in figs:
        if not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith("."):
            raise ChartExportError(f"tên biểu đồ không hợp lệ / invalid chart name {name!r}: a plain file name")
    if not scale or scale <= 0:
        raise ChartExportError(f"scale must be positive, got {scale!r}")
    if not figs:
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _ensure_server()
    written: list[Path] = []
    with _EXPORT_LOCK:
        for name, fig in figs.items():
            fig = fig if isinstance(fig, go.Figure) else go.Figure(fig)
            width, height = _export_size(fig)
            spec = fig.to_dict()
            for i, trace in enumerate(spec.get("data", [])):  # plotly draws a random uid otherwise: files differ
                trace.setdefault("uid", f"t{i}")
            for fmt in formats:
                path = folder / f"{name}.{'jpg' if fmt == 'jpeg' else fmt}"
                try:
                    data = _render(spec, dict(format=fmt, width=width, height=height, scale=scale))
                except ChartExportError:
                    raise
                except Exception as exc:
                    raise ChartExportError(f"không xuất được / could not export {path.name}: {exc}") from exc
                if fmt == "svg":
                    data = _stable_svg(data)
                _atomic_write(path, data)
                written.append(path)
    return written


# --------------------------------------------------------------------------------------------
# 6. HTML
# --------------------------------------------------------------------------------------------

def to_html_div(fig: go.Figure, *, div_id: str | None = None) -> str:
    """An HTML fragment for the figure, without plotly.js (the page includes :func:`plotlyjs_script` once).

    >>> "<div" in to_html_div(go.Figure(), div_id="x")
    True
    """
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


@lru_cache(maxsize=1)
def plotlyjs_script() -> str:
    """A ``<script>`` holding the whole plotly.js that plotly.py ships (≈4,8 MB): the page works offline."""
    from plotly.offline import get_plotlyjs

    return ('<script type="text/javascript">window.PlotlyConfig = {MathJaxConfig: "local"};\n'
            + get_plotlyjs() + "\n</script>")
