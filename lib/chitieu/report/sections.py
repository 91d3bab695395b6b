"""Building blocks of the per-locality report notebook: sections as frames, escaped HTML, charts and records.

A notebook calls these and displays what they return; it defines nothing itself. Two display helpers leave
machine-readable traces in the executed notebook, read back by the runner and by tests:

- :func:`show_chart` displays a plotly figure as its JSON mimetype, tagged with a chart name (the runner exports
  each tagged chart to PNG/SVG and embeds it in the HTML report);
- :func:`record` displays a value under the ``application/vnd.chitieu.record+json`` mimetype (papermill's
  ``pm.record`` is gone; this is the few lines that replace it).
"""
from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd

from chitieu.analysis.achievement import results_table
from chitieu.core.engine import pick_latest, status_rank
from chitieu.core.vocabulary import FLAG_VI, RATE_KINDS, RESULT_STATUSES
from chitieu.io.data import Locality
from chitieu.core.numfmt import format_vi
from chitieu.report import present
from chitieu.report.present import PRIMARY_METHOD
from chitieu.report.tables import display_frame

__all__ = ["RECORD_MIME", "PLOTLY_MIME", "show_chart", "record", "html_table", "summary_counts", "summary_text",
           "data_notes", "projection_frame", "observations_and_targets", "scenario_frame", "progress_display",
           "achievement_charts", "term_overview_html", "results_html"]

RECORD_MIME = "application/vnd.chitieu.record+json"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
CHART_META = "chitieu_chart"


def show_chart(fig, name: str) -> None:
    """Display ``fig`` in the notebook as plotly JSON, tagged ``name`` for export."""
    from IPython.display import display

    display({PLOTLY_MIME: fig.to_plotly_json(), "text/plain": f"<biểu đồ {name}>"}, raw=True,
            metadata={CHART_META: name})


def record(name: str, value) -> None:
    """Leave ``value`` (JSON-serialisable) in the executed notebook under ``name``."""
    from IPython.display import display

    display({RECORD_MIME: {"name": name, "value": value}, "text/plain": ""}, raw=True)


def html_table(frame: pd.DataFrame, *, caption: str | None = None, numeric: list[str] | None = None) -> str:
    """An HTML table with every cell escaped (names from data can never inject markup).

    Cells that are numbers as :mod:`chitieu.report.present` writes them are right-aligned (``numeric``: force
    these columns); the verdict column (``Đánh giá``) is coloured with the verdict's one colour — from the hidden
    column ``_verdict`` when the frame carries it, else from the label — and a 2030 category cell with the
    category's colour. Hidden columns (``_…``) are not shown.
    """
    from chitieu.analysis.projection import CATEGORY_LABELS_VI

    verdicts = list(frame["_verdict"]) if "_verdict" in frame.columns else None
    shown = frame[[c for c in frame.columns if not str(c).startswith("_")]]
    by_label = {v: k for k, v in present.VERDICT_LABELS.items()}
    by_category = {v: k for k, v in CATEGORY_LABELS_VI.items()}
    numeric = set(numeric or [])
    cols = list(shown.columns)

    def cell(value, col, i) -> str:
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        classes = [_COLUMN_CLASS[col]] if col in _COLUMN_CLASS else []
        if col in numeric or present.is_numeric_text(text):
            classes.append("num")
        if str(col).startswith("Đánh giá"):
            code = verdicts[i] if (verdicts is not None and col == "Đánh giá") else by_label.get(text)
            if code is not None:
                classes.append(f"v-{code}")
            elif text in by_category:
                classes.append(f"c-{by_category[text]}")
        cls = f' class="{" ".join(classes)}"' if classes else ""
        return f"<td{cls}>{html.escape(text)}</td>"

    head = "".join(f'<th class="{_COLUMN_CLASS[c]}">{html.escape(str(c))}</th>' if c in _COLUMN_CLASS
                   else f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = "".join("<tr>" + "".join(cell(v, c, i) for v, c in zip(row, cols)) + "</tr>"
                   for i, row in enumerate(shown.itertuples(index=False)))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="chitieu">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


#: columns that get a width of their own in HTML tables (CSS: chitieu.report.present.verdict_css)
_COLUMN_CLASS = {"Chỉ tiêu": "col-name", "Lưu ý": "col-note", "Loại lưu ý": "col-note", "Nguồn": "col-src"}


def summary_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many targets were exceeded, met, not met, need review, or have no data: the one counting rule
    (:func:`chitieu.report.present.verdict_counts`), without its totals (so the values sum to the rows)."""
    counts = present.verdict_counts(table)
    return {k: counts[k] for k in present.VERDICT_ORDER}


def _horizon_targets(loc: Locality, horizon: int) -> int:
    v = loc.values
    return int(v.loc[(v["status"] == "target") & (v["year"] == horizon), "indicator"].nunique())


def summary_text(loc: Locality, counts: dict[str, int], horizon: int | None = None) -> str:
    """The report's summary sentence, in the words every output uses (:func:`chitieu.report.present.counts_text`).
    A locality whose document sets no target for the term says so, and says what it does have."""
    term = f"{loc.meta['term_start']}–{loc.term_end}"
    full = present.verdict_counts(pd.DataFrame()) if not counts else dict(counts)
    full.setdefault("total", sum(full.get(k, 0) for k in present.VERDICT_ORDER))
    if not full["total"]:
        horizon = int(horizon or loc.meta.get("next_term_end") or loc.term_end + 5)
        n = _horizon_targets(loc, horizon)
        have = (f" Tài liệu có {n} mục tiêu đến năm {horizon}: tiến độ và dự báo ở mục 4." if n
                else f" Tài liệu cũng chưa có mục tiêu đến năm {horizon}.")
        return f"{loc.name}: tài liệu không đặt chỉ tiêu Nghị quyết cho nhiệm kỳ {term}, nên không có tỷ lệ đạt.{have}"
    return f"{loc.name}, nhiệm kỳ {term}: {present.counts_text(full)}."


def term_overview_html(loc: Locality, table: pd.DataFrame, horizon: int) -> str:
    """Section 1 when the document has no targets for the term: what it does have, instead of four zeros."""
    return paragraph(summary_text(loc, {}, horizon))


def data_notes(loc: Locality, table: pd.DataFrame) -> pd.DataFrame:
    """Guessed cells, contradictions kept from the documents, printed ratios that do not follow."""
    own = loc.meta.get("source_file")
    rows = []
    for r in table.itertuples(index=False):
        for flag in ("published_mismatch", "separator_guessed", "convention_disagrees", "published_verdict_mismatch",
                     "needs_review"):
            if flag in str(r.flags).split("; "):
                detail = FLAG_VI.get(flag, "cần rà soát")
                if flag == "published_mismatch":
                    detail += (f": {present.number(r.actual)} ÷ {present.number(r.target)} = "
                               f"{present.number(r.ratio_exact, 2)}%, báo cáo ghi {r.published_raw}")
                rows.append({"Chỉ tiêu": r.name, "Loại lưu ý": detail,
                             "Nguồn": present.source_label(r.source, own_file=own)})
    vals = loc.values
    noted = vals[vals["note"].str.contains("contradict|mâu thuẫn|khác|differs|guess|đoán", case=False, na=False)]
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    for r in noted.itertuples(index=False):
        rows.append({"Chỉ tiêu": names.get(r.indicator, r.indicator), "Loại lưu ý": r.note,
                     "Nguồn": present.source_label(r.source, own_file=own)})
    return pd.DataFrame(rows, columns=["Chỉ tiêu", "Loại lưu ý", "Nguồn"]).drop_duplicates()


def observations_and_targets(loc: Locality, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Single-year numeric results (the series) and the targets for ``horizon``, in projection's panel shape."""
    v = loc.values
    ind = loc.indicators.set_index("id")
    kinds = v["indicator"].map(ind["kind"])
    # a level is observed in one year; an average rate over a span (2023-2025) counts as that span's last year
    usable = (v["period_start"] == v["year"]) | kinds.isin(RATE_KINDS)
    obs = v[v["status"].isin(RESULT_STATUSES) & v["value"].notna() & usable & (v["year"] <= loc.term_end)]
    codes, _ = pd.factorize(pd.MultiIndex.from_arrays([obs["indicator"], obs["year"]]), sort=True)
    obs = obs.iloc[pick_latest(codes, obs["year"].to_numpy(np.int64), status_rank(obs["status"].to_numpy()))]
    obs = pd.DataFrame({"locality": loc.id, "indicator": obs["indicator"].to_numpy(),
                        "year": obs["year"].astype(int).to_numpy(), "value": obs["value"].astype(float).to_numpy()})
    tg = v[(v["status"] == "target") & (v["year"] == horizon) & v["value"].notna()].drop_duplicates("indicator")
    tg = tg[tg["indicator"].map(ind["kind"]).ne("qualitative")]
    targets = pd.DataFrame({
        "locality": loc.id, "indicator": tg["indicator"].to_numpy(), "target": tg["value"].astype(float).to_numpy(),
        "target_year": horizon, "direction": tg["indicator"].map(ind["direction"]).to_numpy(),
        "kind": tg["indicator"].map(ind["kind"]).to_numpy(), "comparator": tg["comparator"].to_numpy(),
        "period_start": [None if ps == y else int(ps) for ps, y in zip(tg["period_start"], tg["year"])],
        "source": tg["source"].to_numpy(),
    })
    return obs, targets


def projection_frame(loc: Locality, horizon: int = 2030) -> pd.DataFrame:
    """One row per indicator with a ``horizon`` target: latest value, paces, projection (compound) and category."""
    from chitieu.analysis.projection import project_panel

    obs, targets = observations_and_targets(loc, horizon)
    if targets.empty:
        return pd.DataFrame()
    panel = project_panel(obs, targets.drop(columns=["source"]), to=horizon)
    panel = panel[panel["indicator"].isin(targets["indicator"])]  # indicators without a target are not assessed here
    missing = targets[~targets["indicator"].isin(panel["indicator"])]
    if not missing.empty:  # a target without any data point: listed, not assessable
        from chitieu.analysis.projection import CATEGORY_LABELS_VI
        panel = pd.concat([panel, missing.drop(columns=["source"]).assign(
            category="not_assessable", category_vi=CATEGORY_LABELS_VI["not_assessable"], flags="no_data")],
            ignore_index=True)
    panel = panel.merge(targets[["indicator", "source"]], on="indicator", how="left")
    from chitieu.analysis.projection import CATEGORIES
    order = {c: i for i, c in enumerate(CATEGORIES)}
    panel = panel.sort_values(["category", "indicator"], key=lambda s: s.map(order) if s.name == "category" else s,
                              kind="stable").reset_index(drop=True)
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    units = dict(zip(loc.indicators["id"], loc.indicators["unit"]))
    panel.insert(1, "name", panel["indicator"].map(names))
    panel.insert(2, "unit", panel["indicator"].map(units))
    return panel


def scenario_frame(loc: Locality, horizon: int, scenarios: list[dict]) -> pd.DataFrame:
    """Each what-if scenario applied to every indicator that has a series and a ``horizon`` target."""
    from chitieu.analysis.projection import Scenario, fit_series

    obs, targets = observations_and_targets(loc, horizon)
    rows = []
    for t in targets.itertuples(index=False):
        series = obs[obs["indicator"] == t.indicator].sort_values("year")
        if len(series) < 1:
            continue
        try:
            res = fit_series(series["year"].tolist(), series["value"].tolist(), target=t.target,
                             target_year=horizon, direction=t.direction, kind=t.kind, comparator=t.comparator,
                             period_start=t.period_start)
        except ValueError as exc:  # shown in the table, not dropped
            rows.append({"indicator": t.indicator, "scenario": "—", "projected": math.nan,
                         "anticipated_pct": math.nan, "verdict": f"không tính được: {exc}", "pace": math.nan,
                         "pace_unit": "", "target": t.target, "comparator": t.comparator})
            continue
        specs = [("Nhịp cần thiết", Scenario.required())]
        for s in scenarios:
            if s.get("pace_pct") is not None:
                specs.append((s["name"], Scenario.pace_pct(float(s["pace_pct"]))))
            elif s.get("pace_units") is not None:
                specs.append((s["name"], Scenario.pace_units(float(s["pace_units"]))))
            elif s.get("historical_delta_pct") is not None:
                specs.append((s["name"], Scenario.historical(delta_pct=float(s["historical_delta_pct"]))))
        for label, spec in specs:
            out = res.scenario(spec)
            rows.append({"indicator": t.indicator, "scenario": label, "projected": _get(out, "projected"),
                         "anticipated_pct": _get(out, "anticipated_pct"), "verdict": _get(out, "verdict"),
                         "pace": _get(out, "pace"), "pace_unit": _get(out, "pace_unit"), "target": t.target,
                         "comparator": t.comparator})
    return pd.DataFrame(rows, columns=["indicator", "scenario", "projected", "anticipated_pct", "verdict", "pace",
                                       "pace_unit", "target", "comparator"])


def _get(obj, name):
    if isinstance(obj, dict):
        return obj.get(name)
    if isinstance(obj, pd.Series):
        return obj.get(name)
    return getattr(obj, name, None)


def results_display(loc: Locality, year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The results table (machine) and its Vietnamese display form (:func:`chitieu.report.present.results_display`;
    sources written ``dòng N`` in the locality's own document, named under the table)."""
    table = results_table(loc, year=year)
    if table.empty:
        return table, pd.DataFrame()
    return table, present.results_display(table, own_file=loc.meta.get("source_file"))


def results_html(loc: Locality, shown: pd.DataFrame) -> str:
    """The results table as HTML, with the source document named under it."""
    if shown.empty:
        return paragraph("Tài liệu không có chỉ tiêu Nghị quyết cho nhiệm kỳ này.")
    src = loc.meta.get("source_file") or ""
    note = (f'<p class="note">Nguồn: {html.escape(present.document_title(src))} (tệp {html.escape(src)}); '
            "cột «Nguồn» ghi số dòng trong tài liệu. Tỷ lệ đạt = kết quả ÷ chỉ tiêu × 100, làm tròn nửa lên như "
            "báo cáo; «Đánh giá» xét chiều của chỉ tiêu.</p>") if src else ""
    return html_table(shown) + note


def fmt(x, decimals=None) -> str:
    """Vietnamese number or 'chưa có số liệu'."""
    return present.number(x, decimals)


def report_title(loc: Locality, table: pd.DataFrame) -> str:
    """The report's heading: the locality and its term, and the year of the targets when it is not the term's end
    (an imported plan-year table shows its own year)."""
    title = f"{loc.name} — nhiệm kỳ {loc.meta['term_start']}–{loc.term_end}"
    shown = table.attrs.get("year")
    return title if not shown or int(shown) == loc.term_end else f"{title} — chỉ tiêu năm {int(shown)}"


def results_title(loc: Locality, table: pd.DataFrame) -> str:
    """The title of the results table (terminal and Excel): the report's heading after the table's name."""
    return f"Biểu kết quả thực hiện chỉ tiêu Nghị quyết — {report_title(loc, table)}"


def heading(text: str, level: int = 2) -> str:
    """An escaped HTML heading (locality names come from data)."""
    level = min(max(int(level), 1), 6)
    return f"<h{level}>{html.escape(text)}</h{level}>"


def paragraph(text: str) -> str:
    return f"<p>{html.escape(text)}</p>"


def has_numbers(table: pd.DataFrame) -> bool:
    return not table.empty and bool((table["actual"].notna() & table["target"].notna()).any())


def ratios_record(table: pd.DataFrame) -> dict:
    """indicator → [ratio_pct, published_ratio_pct, verdict] (None for missing), for the run's record."""
    def clean(x):
        return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)
    return {r.indicator: [clean(r.ratio_pct), clean(r.published_ratio_pct), r.verdict]
            for r in table.itertuples(index=False)}


def category_counts(progress: pd.DataFrame) -> dict[str, int]:
    """How many indicators fall in each 2030 progress category (one row per indicator)."""
    if progress.empty:
        return {}
    one = progress.drop_duplicates("indicator")
    col = "category_vi" if "category_vi" in one else "category"
    return {str(k): int(v) for k, v in one[col].value_counts().items()}


primary_method = present.primary_method
pace_unit = present.pace_unit


def _pace_text(x, basis: str, unit: str, decimals: int) -> str:
    if not present.has_number(x):
        return ""
    d = 1 if basis == "compound" else decimals if basis == "average_rate" else min(2, decimals + 1)
    return present.with_unit(present.number(x, d), pace_unit(basis, unit))


def progress_display(progress: pd.DataFrame, loc: Locality | None = None, horizon: int = 2030,
                     *, own_file: str | None = None) -> pd.DataFrame:
    """One row per indicator, as a reader wants it: latest value (unit, year), target, the observed and required
    paces in their unit, the projection of the indicator's own method (the other methods' spread beside it when
    they disagree), the category, the source. Numbers in the indicator's precision; never ``nan``."""
    if progress.empty:
        return pd.DataFrame()
    prec = present.indicator_decimals(loc) if loc is not None else {}
    own_file = own_file or (loc.meta.get("source_file") if loc is not None else None)
    rows = []
    for ind, part in progress.groupby("indicator", sort=False):
        r = primary_method(part)
        unit = str(r.get("unit", "") or "")
        d = min(2, prec.get(ind, present.decimals_needed([r.get("latest_value"), r.get("target")])))
        basis = str(r.get("pace_basis", "") or "")
        projected = [float(x) for x in part.get("projected", pd.Series(dtype=float)) if present.has_number(x)]
        proj = present.with_unit(present.number(r.get("projected"), d, missing=""), unit)
        if len(projected) > 1:
            lo, hi = present.number(min(projected), d), present.number(max(projected), d)
            if lo != hi:
                proj += f" (các phương pháp: {lo}–{hi})"
        latest = present.with_unit(present.number(r.get("latest_value"), present.value_decimals(
            r.get("latest_value"), None, d), missing=""), unit)  # as written, within the indicator's precision
        year = present.year_text(r.get("latest_year"))
        n = int(r["n_points"]) if present.has_number(r.get("n_points")) else 0
        notes = []
        if 0 < n < 3 and proj and r.get("category") != "met":
            notes.append(f"dự báo từ {n} năm số liệu: chỉ để tham khảo")
        rows.append({
            "Chỉ tiêu": str(r.get("name", ind)),
            "Gần nhất": f"{latest} ({year})" if latest and year else (latest or present.MISSING),
            f"Mục tiêu {horizon}": present.bound(r.get("target"), r.get("comparator"),
                                                 present.value_decimals(r.get("target")), unit=unit),
            "Nhịp đã qua": _pace_text(r.get("observed_pace"), basis, unit, d),
            "Nhịp cần": _pace_text(r.get("required_pace"), basis, unit, d),
            f"Dự báo {horizon}": proj,
            "Đánh giá": str(r.get("category_vi", "") or ""),
            "Lưu ý": "; ".join(notes),
            "Nguồn": present.source_label(r.get("source", ""), own_file=own_file),
        })
    return pd.DataFrame(rows)


def progress_html(progress: pd.DataFrame, horizon: int, loc: Locality | None = None) -> str:
    if progress.empty:
        return paragraph(f"Chưa có chỉ tiêu {horizon} nào có số liệu để đánh giá tiến độ.")
    note = ('<p class="note">Dự báo: theo phương pháp đo nhịp của chỉ tiêu (tăng trưởng kép cho chỉ tiêu mức, '
            "bình quân cho chỉ tiêu tốc độ); trong ngoặc: khoảng giữa các phương pháp khi chúng khác nhau. Nhịp cần: "
            f"nhịp mỗi năm từ giá trị gần nhất để vừa đạt mục tiêu {horizon}.</p>")
    return html_table(progress_display(progress, loc, horizon)) + note


def achievement_charts(table: pd.DataFrame, *, max_rows: int = 12):
    """The achievement chart of a results table, split by verdict (vượt, đạt, không đạt, …) and in parts of at
    most ``max_rows`` rows (in balanced parts), so that each fits an A4 page in Word at 16 cm wide with text of at
    least 9 pt: ``[(name, figure)]``."""
    from chitieu.report.charts import bullet_chart

    if table is None or table.empty:
        return []
    codes = [present.display_verdict(r) for _, r in table.iterrows()]
    t = table.assign(_code=codes)
    numeric = t["actual"].map(present._finite) & t["target"].map(present._finite)
    out = []
    groups = {"exceeded": "vượt", "met": "đạt", "not_met": "chưa đạt", "review": "cần rà soát"}
    for code, word in groups.items():
        part = t[(t["_code"] == code) & numeric]
        if part.empty:
            continue
        part = part.sort_values("ratio_exact", ascending=False, kind="stable")
        n_chunks = math.ceil(len(part) / max_rows)
        size = math.ceil(len(part) / n_chunks)  # balanced parts: 17 rows are 9 + 8, not 12 + 5
        chunks = [part.iloc[i:i + size] for i in range(0, len(part), size)]
        for k, chunk in enumerate(chunks, start=1):
            suffix = f" (phần {k}/{len(chunks)})" if len(chunks) > 1 else ""
            name = f"ty-le-dat-{code.replace('_', '-')}" + (f"-{k}" if len(chunks) > 1 else "")
            title = f"Các chỉ tiêu {word} Nghị quyết{suffix}"
            out.append((name, bullet_chart(chunk.drop(columns=["_code"]), title=title, total=len(table))))
    return out


def trend_charts(loc: Locality, progress: pd.DataFrame, horizon: int, limit: int = 6,
                 skipped: list[str] | None = None):
    """Trend charts with the projection of each indicator's own method for the indicators that have at least two
    data points; the other methods' spread is drawn as a band and said in words.

    An indicator whose series cannot be fitted is not drawn; its reason goes to ``skipped`` when given.
    """
    from chitieu.report.charts import trend_fan
    from chitieu.analysis.projection import fit_series

    obs, targets = observations_and_targets(loc, horizon)
    counts = obs.groupby("indicator").size()
    chosen = [i for i in targets["indicator"] if counts.get(i, 0) >= 2][:limit]
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    units = dict(zip(loc.indicators["id"], loc.indicators["unit"]))
    prec = present.indicator_decimals(loc)
    for ind in chosen:
        t = targets[targets["indicator"] == ind].iloc[0]
        s = obs[obs["indicator"] == ind].sort_values("year")
        try:
            res = fit_series(s["year"].tolist(), s["value"].tolist(), target=float(t["target"]), target_year=horizon,
                             direction=t["direction"], kind=t["kind"], comparator=t["comparator"],
                             period_start=t["period_start"])
            path = res.path(to=horizon)
        except ValueError as exc:
            if skipped is not None:
                skipped.append(f"{names.get(ind, ind)}: {exc}")
            continue
        basis = getattr(res, "pace_basis", None)
        yield f"xu-huong-{ind.replace('_', '-')}", trend_fan(
            s["year"].tolist(), s["value"].tolist(), target=float(t["target"]), target_year=horizon,
            name=names.get(ind, ind), unit=units.get(ind, ""), projections=_long_path(path),
            primary=PRIMARY_METHOD.get(basis), decimals=prec.get(ind), target_comparator=t["comparator"])


def _long_path(path: pd.DataFrame) -> pd.DataFrame:
    """``ProjectionResults.path()`` in the long shape the chart wants: year, method (code), projected, lower,
    upper."""
    skip = {"observed", "observed_flow", "is_observed"}
    methods = [c for c in path.columns if c not in skip and not c.endswith(("_lower", "_upper"))]
    rows = []
    for m in methods:
        part = pd.DataFrame({"year": path.index.to_numpy(), "method": m,
                             "projected": path[m].to_numpy(),
                             "lower": path.get(f"{m}_lower", pd.Series(math.nan, index=path.index)).to_numpy(),
                             "upper": path.get(f"{m}_upper", pd.Series(math.nan, index=path.index)).to_numpy()})
        rows.append(part[part["projected"].notna()])
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["year", "method", "projected",
                                                                                   "lower", "upper"])


def scenario_html(loc: Locality, what_if: pd.DataFrame) -> str:
    """Section 5: each scenario's projection in the indicator's precision and unit, its share of the target and
    the verdict (the required pace reaches the target by construction)."""
    from chitieu.analysis.projection import VERDICT_LABELS_VI

    if what_if.empty:
        return paragraph("Chưa có chỉ tiêu nào có đủ số liệu để chạy kịch bản.")
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    units = dict(zip(loc.indicators["id"], loc.indicators["unit"]))
    prec = present.indicator_decimals(loc)
    labels = VERDICT_LABELS_VI
    codes = {"met": "met", "not_met": "not_met"}
    rows = []
    for r in what_if.itertuples(index=False):
        d = prec.get(r.indicator, 0)
        unit = units.get(r.indicator, "")
        pace = getattr(r, "pace", math.nan)
        punit = str(getattr(r, "pace_unit", "") or "")
        if punit in ("đơn vị/năm", "đơn vị của chỉ tiêu"):  # the projection's generic words: the indicator's unit
            punit = f"{unit}/năm" if punit == "đơn vị/năm" and unit else (unit or punit)
        verdict = r.verdict if isinstance(r.verdict, str) else ""
        rows.append({
            "Chỉ tiêu": names.get(r.indicator, r.indicator), "Kịch bản": r.scenario,
            "Nhịp mỗi năm": present.with_unit(present.number(pace, 1 if punit == "%/năm" else min(3, d + 1),
                                                             missing=""), punit),
            "Dự báo": present.with_unit(present.number(r.projected, d, missing=""), unit),
            "Mục tiêu": present.bound(getattr(r, "target", math.nan), getattr(r, "comparator", "="), d, unit=unit,
                                      missing=""),
            "So với mục tiêu (%)": present.number(r.anticipated_pct, 1, missing=""),
            "Đánh giá": labels.get(verdict, verdict),
            "_verdict": codes.get(verdict, "unknown"),
        })
    return html_table(pd.DataFrame(rows))
