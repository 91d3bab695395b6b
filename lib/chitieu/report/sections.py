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
from chitieu.core.vocabulary import FLAG_VI, RATE_KINDS, RESULT_STATUSES, VERDICT_VI
from chitieu.io.data import Locality
from chitieu.core.numfmt import format_vi
from chitieu.report.tables import display_frame

__all__ = ["RECORD_MIME", "PLOTLY_MIME", "show_chart", "record", "html_table", "summary_counts", "summary_text",
           "data_notes", "projection_frame", "observations_and_targets", "scenario_frame"]

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


def html_table(frame: pd.DataFrame, *, caption: str | None = None) -> str:
    """An HTML table with every cell escaped (names from data can never inject markup)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="chitieu">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def summary_counts(table: pd.DataFrame) -> dict[str, int]:
    """How many targets were exceeded, met, not met, or have no data."""
    counts = table["verdict"].value_counts() if not table.empty else pd.Series(dtype=int)
    return {k: int(counts.get(k, 0)) for k in VERDICT_VI}


def summary_text(loc: Locality, counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if total == 0:
        return f"{loc.name}: chưa có số liệu về chỉ tiêu nhiệm kỳ {loc.meta['term_start']}–{loc.term_end}."
    return (f"{loc.name}, nhiệm kỳ {loc.meta['term_start']}–{loc.term_end}: {total} chỉ tiêu có mục tiêu; "
            f"{counts['exceeded']} vượt, {counts['met']} đạt, {counts['not_met']} không đạt, "
            f"{counts['unknown']} chưa có số liệu.")


def data_notes(loc: Locality, table: pd.DataFrame) -> pd.DataFrame:
    """Guessed cells, contradictions kept from the documents, printed ratios that do not follow."""
    rows = []
    for r in table.itertuples(index=False):
        for flag in ("published_mismatch", "separator_guessed", "convention_disagrees", "published_verdict_mismatch"):
            if flag in r.flags.split("; "):
                detail = FLAG_VI[flag]
                if flag == "published_mismatch":
                    detail += (f": {format_vi(r.actual)} ÷ {format_vi(r.target)} = {format_vi(r.ratio_exact, 2)}%, "
                               f"báo cáo ghi {r.published_raw}")
                rows.append({"Chỉ tiêu": r.name, "Loại lưu ý": detail, "Nguồn": r.source})
    vals = loc.values
    noted = vals[vals["note"].str.contains("contradict|mâu thuẫn|khác|differs|guess|đoán", case=False, na=False)]
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    for r in noted.itertuples(index=False):
        rows.append({"Chỉ tiêu": names.get(r.indicator, r.indicator), "Loại lưu ý": r.note, "Nguồn": r.source})
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
                         "anticipated_pct": math.nan, "verdict": f"không tính được: {exc}"})
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
                         "anticipated_pct": _get(out, "anticipated_pct"), "verdict": _get(out, "verdict")})
    return pd.DataFrame(rows, columns=["indicator", "scenario", "projected", "anticipated_pct", "verdict"])


def _get(obj, name):
    if isinstance(obj, dict):
        return obj.get(name)
    if isinstance(obj, pd.Series):
        return obj.get(name)
    return getattr(obj, name, None)


def results_display(loc: Locality, year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The results table (machine) and its Vietnamese display form."""
    table = results_table(loc, year=year)
    return table, (display_frame(table) if not table.empty else pd.DataFrame())


def fmt(x, decimals=None) -> str:
    """Vietnamese number or 'chưa có số liệu'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "chưa có số liệu"
    return format_vi(x, decimals)


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


def _progress_display(progress: pd.DataFrame) -> pd.DataFrame:
    from chitieu.analysis.projection import CATEGORY_LABELS_VI

    one = progress.drop_duplicates("indicator")
    def pct(x):
        return "" if x is None or (isinstance(x, float) and math.isnan(x)) else format_vi(x, 2) + "%"
    return pd.DataFrame({
        "Chỉ tiêu": one["name"], "Đơn vị": one["unit"],
        "Năm gần nhất": [("" if pd.isna(y) else str(int(y))) for y in one["latest_year"]],
        "Giá trị gần nhất": [fmt(v) for v in one["latest_value"]],
        "Mục tiêu": [fmt(v) for v in one["target"]],
        "Nhịp đã qua (%/năm)": [pct(v) for v in one["observed_cagr_pct"]],
        "Nhịp cần (%/năm)": [pct(v) for v in one["required_cagr_pct"]],
        "Đánh giá": [CATEGORY_LABELS_VI.get(c, c) for c in one["category"]],
        "Nguồn": one["source"],
    })


def progress_html(progress: pd.DataFrame, horizon: int) -> str:
    if progress.empty:
        return paragraph(f"Chưa có chỉ tiêu {horizon} nào có số liệu để đánh giá tiến độ.")
    return html_table(_progress_display(progress))


def trend_charts(loc: Locality, progress: pd.DataFrame, horizon: int, limit: int = 6,
                 skipped: list[str] | None = None):
    """Trend charts with projection fans for the indicators that have at least two data points.

    An indicator whose series cannot be fitted is not drawn; its reason goes to ``skipped`` when given.
    """
    from chitieu.report.charts import trend_fan
    from chitieu.analysis.projection import fit_series

    obs, targets = observations_and_targets(loc, horizon)
    counts = obs.groupby("indicator").size()
    chosen = [i for i in targets["indicator"] if counts.get(i, 0) >= 2][:limit]
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    units = dict(zip(loc.indicators["id"], loc.indicators["unit"]))
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
        yield f"xu-huong-{ind.replace('_', '-')}", trend_fan(
            s["year"].tolist(), s["value"].tolist(), target=float(t["target"]), target_year=horizon,
            name=names.get(ind, ind), unit=units.get(ind, ""), projections=_long_path(path))


def _long_path(path: pd.DataFrame) -> pd.DataFrame:
    """``ProjectionResults.path()`` in the long shape the chart wants: year, method, projected, lower, upper."""
    from chitieu.analysis.projection import METHOD_LABELS_VI

    skip = {"observed", "observed_flow", "is_observed"}
    methods = [c for c in path.columns if c not in skip and not c.endswith(("_lower", "_upper"))]
    rows = []
    for m in methods:
        part = pd.DataFrame({"year": path.index.to_numpy(), "method": METHOD_LABELS_VI.get(m, m),
                             "projected": path[m].to_numpy(),
                             "lower": path.get(f"{m}_lower", pd.Series(math.nan, index=path.index)).to_numpy(),
                             "upper": path.get(f"{m}_upper", pd.Series(math.nan, index=path.index)).to_numpy()})
        rows.append(part[part["projected"].notna()])
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["year", "method", "projected",
                                                                                   "lower", "upper"])


def scenario_html(loc: Locality, what_if: pd.DataFrame) -> str:
    if what_if.empty:
        return paragraph("Chưa có chỉ tiêu nào có đủ số liệu để chạy kịch bản.")
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    shown = pd.DataFrame({
        "Chỉ tiêu": what_if["indicator"].map(names), "Kịch bản": what_if["scenario"],
        "Dự báo": [fmt(v) for v in what_if["projected"]],
        "So với mục tiêu (%)": [fmt(v, 1) for v in what_if["anticipated_pct"]],
        "Đánh giá": what_if["verdict"].map(lambda v: {"met": "Đạt", "exceeded": "Vượt", "not_met": "Không đạt"}
                                           .get(v, v if isinstance(v, str) else "")),
    })
    return html_table(shown)
