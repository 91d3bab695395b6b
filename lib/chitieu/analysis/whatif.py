"""What if the yearly pace changes? One indicator's projection, required pace and verdict at a chosen pace, and
the ipywidgets page that moves it with a slider (``notebooks/what_if_2030.ipynb``).

The numbers are :meth:`chitieu.projection.ProjectionResults.scenario`'s: a pace in ``%/năm`` is
``Scenario.pace_pct`` (compound growth from the latest value), a pace in units is ``Scenario.pace_units`` (a
level changing by that much a year; for a rate target the rate itself in the remaining years; for a term total
the amount a year). Which one a slider moves is decided per indicator (:class:`PaceControl`):

- levels and shares with a positive latest value and target: ``%/năm`` (compound);
- levels that start at or reach zero (compound growth is not defined): units a year;
- rates per year (``tăng 10,2%/năm``): the rate, in the indicator's unit;
- term totals (``cumulative``): the amount a year.

>>> from chitieu.io.data import load_locality
>>> r = what_if(load_locality("phieng-pan"), "fruit_tree_area", 3.0)
>>> round(r.projected, 2), r.verdict
(1220.02, 'not_met')
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from chitieu.io.data import Locality
from chitieu.core.numfmt import decimals_of, format_vi, round_half_up
from chitieu.core.vocabulary import RATE_KINDS, SHARE_KINDS
from chitieu.analysis.projection import CATEGORY_LABELS_VI, ProjectionError, Scenario, fit_series
from chitieu.report import present

__all__ = ["WhatIfError", "PaceControl", "WhatIfResult", "WhatIfModel", "usable_indicators", "what_if",
           "what_if_frame", "what_if_display", "what_if_chart", "WhatIfUI", "build_ui", "static_outputs",
           "frame_record"]

LEVEL_KINDS = ("level", "share", "x_of_y", "bound")  # modelled by a growth rate from the latest value
#: the verdict's one colour (chitieu.report.present), the same as in tables and charts
PACE_VERDICT_COLORS = {"met": present.VERDICT_COLORS["met"], "not_met": present.VERDICT_COLORS["not_met"],
                  None: "#595959"}


class WhatIfError(ValueError):
    """An indicator that cannot be varied (unknown, qualitative, no number, no target for the horizon)."""


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _num(x, max_decimals: int = 2) -> str:
    """As many decimals as the value needs after rounding half up to ``max_decimals`` (72.000, 1.220,02)."""
    if _nan(x):
        return "chưa có số liệu"
    x = round_half_up(float(x), max_decimals)
    return format_vi(x, decimals_of(x))


def _pace(x, unit: str, decimals: int = 2) -> str:
    """A pace with its unit: ``3,15%/năm``, ``20 ha/năm``."""
    return present.with_unit(_num(x, decimals), unit)


@dataclass(frozen=True)
class PaceControl:
    """How one indicator's slider works: the pace it moves, in which unit, over which range."""

    indicator: str
    mode: str  # "pct": Scenario.pace_pct (compound %/năm); "units": Scenario.pace_units
    pace_unit: str
    observed: float  # the observed pace in this unit (NaN with one point)
    required: float  # the pace that reaches the target exactly, in this unit
    minimum: float
    maximum: float
    step: float
    default: float

    @property
    def label_vi(self) -> str:
        return "Tăng trưởng mỗi năm" if self.mode == "pct" else "Mức mỗi năm"


@dataclass(frozen=True)
class WhatIfResult:
    """One indicator at one pace: the projection for the target year, its achievement and verdict."""

    locality: str
    indicator: str
    name: str
    unit: str
    kind: str
    mode: str
    pace: float
    pace_unit: str
    target: float
    target_comparator: str
    target_year: int
    latest_year: int
    latest_value: float
    observed_pace: float
    required_pace: float
    projected: float
    anticipated_pct: float
    verdict: str | None  # "met" | "not_met" | None (no target)
    verdict_vi: str
    category_vi: str  # the category at the observed pace (from the fit), for reference
    path: pd.DataFrame  # year, value, series: "observed" | "scenario" | "required"
    text: str  # one Vietnamese sentence: pace → projection, % of target, verdict; required and observed paces

    def to_dict(self) -> dict:
        return {"indicator": self.indicator, "pace": self.pace, "pace_unit": self.pace_unit,
                "projected": self.projected, "anticipated_pct": self.anticipated_pct, "verdict": self.verdict,
                "required_pace": self.required_pace, "observed_pace": self.observed_pace}


def _nice_step(span: float) -> float:
    raw = max(span, 1e-9) / 200.0
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10 ** exp >= raw:
            return float(m * 10 ** exp)
    return float(10 ** (exp + 1))


class WhatIfModel:
    """One indicator of one locality, fitted once (no ETS); :meth:`at` answers for any pace.

    >>> m = WhatIfModel(load_locality("phieng-pan"), "fruit_tree_area")      # doctest: +SKIP
    >>> m.control.mode, round(m.control.required, 4)                          # doctest: +SKIP
    ('pct', 3.1512)
    """

    def __init__(self, loc: Locality, indicator: str, horizon: int = 2030, *, pace: float | None = None):
        from chitieu.report.sections import observations_and_targets

        ind = loc.indicators.set_index("id")
        if indicator not in ind.index:
            raise WhatIfError(f"{loc.id}: không có chỉ tiêu '{indicator}'")
        obs, targets = observations_and_targets(loc, horizon)
        tg = targets[targets["indicator"] == indicator]
        series = obs[obs["indicator"] == indicator].sort_values("year")
        meta = ind.loc[indicator]
        if meta["kind"] == "qualitative":
            raise WhatIfError(f"{loc.id}: '{indicator}' là chỉ tiêu định tính, không có nhịp để thay đổi")
        if tg.empty:
            raise WhatIfError(f"{loc.id}: '{indicator}' chưa có mục tiêu {horizon}")
        if series.empty:
            raise WhatIfError(f"{loc.id}: '{indicator}' chưa có số liệu")
        t = tg.iloc[0]
        try:
            fit = fit_series(series["year"].tolist(), series["value"].tolist(), target=float(t["target"]),
                             target_year=horizon, direction=t["direction"], kind=t["kind"],
                             comparator=t["comparator"], period_start=t["period_start"], ets=False)
        except ProjectionError as exc:
            raise WhatIfError(f"{loc.id}: '{indicator}': {exc}") from None
        self.locality = loc.id
        self.indicator = indicator
        self.name = str(meta["name"])
        self.unit = str(meta["unit"])
        self.kind = str(t["kind"])
        self.direction = str(t["direction"])
        self.target = float(t["target"])
        self.comparator = str(t["comparator"])
        self.horizon = int(horizon)
        self.source = str(t["source"])
        self.years = series["year"].astype(int).tolist()
        self.values = series["value"].astype(float).tolist()
        self.fit = fit
        #: the indicator's precision in the document: projections are written with as many decimals
        self.decimals = min(2, present.indicator_decimals(loc).get(indicator, 2))
        self.control = self._control(pace)

    # ---- the slider -------------------------------------------------------------------------------------------

    def _mode(self) -> str:
        if self.kind in LEVEL_KINDS and self.fit.latest_value > 0 and self.target > 0:
            return "pct"
        return "units"

    def _paces(self, mode: str) -> tuple[float, float, str]:
        f = self.fit
        if mode == "pct":
            return 100.0 * f.observed_cagr, 100.0 * f.required_cagr, "%/năm"
        if self.kind in LEVEL_KINDS:
            obs = f.observed_linear_slope if f.n_points >= 2 else math.nan
            return obs, f.required_linear_slope, f"{self.unit}/năm" if self.unit else "đơn vị/năm"
        if self.kind in RATE_KINDS:
            return f.observed_pace, f.required_pace, self.unit or "đơn vị"
        return f.observed_pace, f.required_pace, f"{self.unit}/năm" if self.unit else "đơn vị/năm"

    def _control(self, pace: float | None) -> PaceControl:
        mode = self._mode()
        observed, required, unit = self._paces(mode)
        if pace is not None:
            default = float(pace)
        elif math.isfinite(observed):
            default = observed
        else:  # one data point: no observed pace; start from "hold steady"
            default = 0.0
        points = [v for v in (0.0, observed, required, default) if math.isfinite(v)]
        lo, hi = min(points), max(points)
        span = max(hi - lo, 10.0 if mode == "pct" or unit.startswith("%") else max(abs(hi), abs(lo), 1.0))
        lo, hi = lo - 0.5 * span, hi + 0.5 * span
        if mode == "pct":
            lo = max(lo, -95.0)
        step = _nice_step(hi - lo)
        lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
        return PaceControl(self.indicator, mode, unit, observed, required, lo, hi, step, default)

    # ---- one pace ---------------------------------------------------------------------------------------------

    def scenario(self, pace: float) -> Scenario:
        return Scenario.pace_pct(pace) if self.control.mode == "pct" else Scenario.pace_units(pace)

    def _future(self) -> np.ndarray:
        return np.arange(self.fit.latest_year + 1, self.horizon + 1)

    def _path(self, pace: float, mode: str) -> np.ndarray:
        """The yearly path after the latest observation at ``pace`` (levels: level; rates: rate; totals: running
        total)."""
        f = self.fit
        fut = self._future()
        k = fut - f.latest_year
        if self.kind in LEVEL_KINDS:
            y = f.latest_value * (1 + pace / 100.0) ** k if mode == "pct" else f.latest_value + pace * k
            return np.clip(y, 0.0, 100.0) if self.kind in SHARE_KINDS else y
        if self.kind in RATE_KINDS:
            return np.full(len(fut), float(pace))
        start = f.period_start
        flows = np.where(fut >= start, float(pace), 0.0)
        return f.accumulated + np.cumsum(flows)

    def _observed_path(self) -> tuple[list[int], list[float]]:
        if self.kind == "cumulative":
            p = self.fit.path()
            obs = p["observed"].dropna()
            return [int(y) for y in obs.index], [float(v) for v in obs]
        return self.years, self.values

    def is_required(self, pace: float) -> bool:
        """True when ``pace`` is the required pace as the slider can hold it (within half a step): the slider
        rounds to its step, and the rounded pace must still reach the target ("Nhịp cần" by construction)."""
        c = self.control
        return math.isfinite(c.required) and abs(float(pace) - c.required) <= c.step / 2 + 1e-12

    def at(self, pace: float) -> WhatIfResult:
        """The projection, achievement and verdict at ``pace`` (in :attr:`control`'s unit). At the required pace
        (:meth:`is_required`) the numbers are those of the exact required pace: it reaches the target, strict
        bounds ("trên 47") included."""
        pace = float(pace)
        c = self.control
        if self.is_required(pace):
            pace = c.required
            out = self.fit.scenario(Scenario.required())
        else:
            out = self.fit.scenario(self.scenario(pace))
        fut = self._future().tolist()
        oy, ov = self._observed_path()
        rows = [pd.DataFrame({"year": oy, "value": ov, "series": "observed"}),
                pd.DataFrame({"year": [oy[-1], *fut], "value": [ov[-1], *self._path(pace, c.mode)],
                              "series": "scenario"})]
        if math.isfinite(c.required):
            rows.append(pd.DataFrame({"year": [oy[-1], *fut], "value": [ov[-1], *self._path(c.required, c.mode)],
                                      "series": "required"}))
        path = pd.concat(rows, ignore_index=True)
        verdict_vi = out.verdict_vi or "chưa đánh giá được"
        res = WhatIfResult(
            locality=self.locality, indicator=self.indicator, name=self.name, unit=self.unit, kind=self.kind,
            mode=c.mode, pace=pace, pace_unit=c.pace_unit, target=self.target, target_comparator=self.comparator,
            target_year=self.horizon, latest_year=int(self.fit.latest_year), latest_value=float(self.fit.latest_value),
            observed_pace=c.observed, required_pace=c.required, projected=float(out.projected),
            anticipated_pct=float(out.anticipated_pct), verdict=out.verdict, verdict_vi=verdict_vi,
            category_vi=CATEGORY_LABELS_VI.get(self.fit.category, self.fit.category), path=path, text="")
        return _with_text(res, self.fit.period_start, self.decimals, required=self.is_required(pace))


def _with_text(r: WhatIfResult, period_start: int | None, decimals: int = 2, *, required: bool = False
               ) -> WhatIfResult:
    """The result's sentence: numbers in the indicator's precision with their unit, the target's bound in words."""
    value = present.with_unit(_num(r.projected, decimals), r.unit)
    target = present.bound_words(r.target, r.target_comparator, present.value_decimals(r.target), unit=r.unit)
    if r.kind in RATE_KINDS:
        start = period_start or r.latest_year + 1
        what = f"bình quân {start}–{r.target_year}: {value}"
    elif r.kind == "cumulative":
        what = f"tổng {period_start}–{r.target_year}: {value}"
    else:
        what = f"năm {r.target_year}: {value}"
    pct = "" if _nan(r.anticipated_pct) else f", bằng {format_vi(r.anticipated_pct, 1)}% mục tiêu"
    req = "không tính được" if _nan(r.required_pace) else _pace(r.required_pace, r.pace_unit)
    obs = "chưa tính được (cần hai năm số liệu)" if _nan(r.observed_pace) else _pace(r.observed_pace, r.pace_unit)
    strict = required and r.target_comparator in (">", "<")
    reach = " (vừa chạm mức mục tiêu: cần nhanh hơn một chút để vượt hẳn)" if strict else ""
    head = "Với nhịp cần" if required else "Với nhịp"
    text = (f"{head} {_pace(r.pace, r.pace_unit)}: {what}{pct} (mục tiêu {target}) — {r.verdict_vi}{reach}. "
            f"Nhịp cần để đạt: {req}; nhịp đã qua: {obs}.")
    return WhatIfResult(**{**r.__dict__, "text": text})


def usable_indicators(loc: Locality, horizon: int = 2030, *, refused: dict[str, str] | None = None) -> list[str]:
    """Indicators whose pace can be varied: a number, a ``horizon`` target, not qualitative. Not yet met first.
    ``refused``: filled with the indicators that have both but cannot be modelled, and why."""
    from chitieu.report.sections import observations_and_targets

    obs, targets = observations_and_targets(loc, horizon)
    have = set(obs["indicator"])
    out = []
    for t in targets.itertuples(index=False):
        if t.indicator not in have or t.kind == "qualitative":
            continue
        try:
            m = WhatIfModel(loc, t.indicator, horizon)
        except WhatIfError as exc:
            if refused is not None:
                refused[t.indicator] = str(exc)
            continue
        out.append((m.fit.category == "met", t.indicator))
    return [i for _, i in sorted(out, key=lambda x: x[0])]  # stable: the locality's order within each group


def what_if(loc: Locality, indicator: str, pace: float, *, horizon: int = 2030) -> WhatIfResult:
    """The projection, required pace and verdict of ``indicator`` at ``pace`` (see :class:`PaceControl`)."""
    return WhatIfModel(loc, indicator, horizon).at(pace)


def what_if_frame(loc: Locality, indicators: list[str], paces: dict | None = None, *,
                  horizon: int = 2030) -> pd.DataFrame:
    """One row per indicator at its pace (``paces[indicator]``, else its observed pace): machine columns."""
    rows = []
    for i in indicators:
        m = WhatIfModel(loc, i, horizon, pace=(paces or {}).get(i))
        r = m.at(m.control.default)
        rows.append({**r.to_dict(), "name": r.name, "unit": r.unit, "latest_year": r.latest_year,
                     "latest_value": r.latest_value, "target": r.target, "target_comparator": r.target_comparator,
                     "verdict_vi": r.verdict_vi, "text": r.text, "source": m.source})
    return pd.DataFrame(rows)


def what_if_display(frame: pd.DataFrame, horizon: int = 2030) -> pd.DataFrame:
    """:func:`what_if_frame` with Vietnamese labels, numbers with their unit, the target's bound in words."""
    def value(v, u):
        return present.with_unit(_num(v), u)
    return pd.DataFrame({
        "Chỉ tiêu": frame["name"],
        "Giá trị gần nhất": [f"{value(v, u)} ({int(y)})" for v, u, y in zip(frame["latest_value"], frame["unit"],
                                                                             frame["latest_year"])],
        f"Mục tiêu {horizon}": [present.bound(v, c, present.value_decimals(v), unit=u)
                                for c, v, u in zip(frame["target_comparator"], frame["target"], frame["unit"])],
        "Nhịp giả định": [_pace(p, u) for p, u in zip(frame["pace"], frame["pace_unit"])],
        "Nhịp đã qua": [("chưa tính được" if _nan(p) else _pace(p, u))
                        for p, u in zip(frame["observed_pace"], frame["pace_unit"])],
        "Nhịp cần": [("không tính được" if _nan(p) else _pace(p, u))
                     for p, u in zip(frame["required_pace"], frame["pace_unit"])],
        f"Dự báo {horizon}": [value(v, u) for v, u in zip(frame["projected"], frame["unit"])],
        "So với mục tiêu (%)": ["" if _nan(v) else format_vi(v, 1) for v in frame["anticipated_pct"]],
        "Đánh giá": frame["verdict_vi"],
        "_verdict": [v if v in ("met", "not_met") else "unknown" for v in frame["verdict"]],
        "Nguồn": [present.source_label(x, own_file=_own_file(frame)) for x in frame["source"]],
    })


def _own_file(frame: pd.DataFrame) -> str | None:
    """The document most rows come from: its rows' sources are written ``dòng N`` (the title is the page's)."""
    files = frame["source"].map(present.source_file) if "source" in frame else pd.Series(dtype=object)
    files = files[files != ""]
    return None if files.empty else str(files.mode().iloc[0])


def what_if_chart(r: WhatIfResult):
    """Observed values (solid), the path at the chosen pace (dashed), the required path (dotted), the target (★)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from chitieu.report.charts import TEMPLATE_NAME, register_template

    if TEMPLATE_NAME not in pio.templates:
        register_template()
    esc = partial(html.escape, quote=False)
    p = r.path
    unit = esc(r.unit)
    what = "tổng cộng dồn; " if r.kind == "cumulative" else "tốc độ từng năm; " if r.kind in RATE_KINDS else ""
    fig = go.Figure(layout=dict(
        template=pio.templates[TEMPLATE_NAME], separators=",.", height=380,
        title=dict(text=esc(r.name), subtitle=dict(text=f"{what}đơn vị: {unit}")),
        margin=dict(t=90, b=80, l=20, r=20), hovermode="x unified",
        legend=dict(orientation="h", x=0, y=-0.18, yanchor="top")))
    obs = p[p["series"] == "observed"]
    fig.add_trace(go.Scatter(x=obs["year"], y=obs["value"], mode="lines+markers", name="Số liệu",
                             line=dict(color="#1f3b73", width=3), marker=dict(size=8)))
    req = p[p["series"] == "required"]
    if not req.empty:
        fig.add_trace(go.Scatter(x=req["year"], y=req["value"], mode="lines", name="Nhịp cần để đạt",
                                 line=dict(color="#8c8c8c", width=2, dash="dot")))
    sc = p[p["series"] == "scenario"]
    color = PACE_VERDICT_COLORS.get(r.verdict, "#595959")
    fig.add_trace(go.Scatter(x=sc["year"], y=sc["value"], mode="lines+markers",
                             name=f"Nhịp giả định {esc(_pace(r.pace, r.pace_unit))}",
                             line=dict(color=color, width=2.5, dash="dash"),
                             marker=dict(size=7, symbol="circle-open", color=color)))
    fig.add_trace(go.Scatter(x=[r.target_year], y=[r.target], mode="markers", name=f"Mục tiêu {r.target_year}",
                             marker=dict(symbol="star", size=18, color="#c0392b", line=dict(width=1, color="white"))))
    fig.add_annotation(x=1, xref="paper", y=1.02, yref="paper", xanchor="right", yanchor="bottom", showarrow=False,
                       text=f"<b>{esc(r.verdict_vi)}</b>", font=dict(color=color, size=14))
    fig.update_xaxes(tickformat="d", dtick=1 if r.target_year - int(p["year"].min()) <= 12 else 2)
    return fig


# --------------------------------------------------------------------------------------------
# The interactive page (ipywidgets)
# --------------------------------------------------------------------------------------------

class WhatIfUI:
    """Sliders, one per indicator; each move recomputes that indicator and redraws its text and chart.

    ``sliders[indicator]`` (FloatSlider), ``texts[indicator]`` (HTML widget with the sentence of
    :attr:`WhatIfResult.text`), ``results[indicator]`` (the current :class:`WhatIfResult`), ``charts[indicator]``
    (an Output widget holding the chart), ``widget`` (the whole page, a VBox). The callbacks are plain ``observe``
    handlers: setting ``ui.sliders[i].value`` from code runs them exactly as dragging does.
    """

    def __init__(self, loc: Locality, indicators: list[str], *, horizon: int = 2030, paces: dict | None = None,
                 charts: bool = True):
        import ipywidgets as w

        self.loc = loc
        self.horizon = horizon
        self.models = {i: WhatIfModel(loc, i, horizon, pace=(paces or {}).get(i)) for i in indicators}
        self.sliders, self.values, self.texts, self.charts, self.results, self.buttons = {}, {}, {}, {}, {}, {}
        self.updates = 0
        self.draw_charts = charts and _in_kernel()  # outside a kernel there is nowhere to draw
        blocks = [w.HTML(f"<p>{html.escape(loc.name)}, mục tiêu {horizon}: kéo thanh trượt, dự báo, nhịp cần và đánh "
                         "giá được tính lại ngay. «Nhịp đã qua» / «Nhịp cần» đặt lại thanh trượt.</p>")]
        for i, m in self.models.items():
            c = m.control
            slider = w.FloatSlider(value=c.default, min=c.minimum, max=c.maximum, step=c.step, readout=False,
                                   continuous_update=True, description=c.label_vi,
                                   style={"description_width": "150px"}, layout=w.Layout(width="520px"))
            value = w.HTML()
            text = w.HTML()
            out = w.Output()
            b_obs = w.Button(description="Nhịp đã qua", disabled=not math.isfinite(c.observed),
                             tooltip="Đặt lại nhịp đã qua", layout=w.Layout(width="130px"))
            b_req = w.Button(description="Nhịp cần", disabled=not math.isfinite(c.required),
                             tooltip="Nhịp vừa đủ để đạt mục tiêu", layout=w.Layout(width="130px"))
            b_obs.on_click(partial(self._set, i, "observed"))
            b_req.on_click(partial(self._set, i, "required"))
            slider.observe(partial(self._on_change, i), names="value")
            self.sliders[i], self.values[i], self.texts[i], self.charts[i] = slider, value, text, out
            self.buttons[i] = (b_obs, b_req)
            title = f"<h4 style='margin-bottom:2px'>{html.escape(m.name)} <small>({html.escape(m.unit)})</small></h4>"
            blocks.append(w.VBox([w.HTML(title), w.HBox([slider, value, b_obs, b_req]), text, out],
                                 layout=w.Layout(border="1px solid #ddd", padding="4px 10px", margin="6px 0")))
            self.update(i, c.default)
        self.widget = w.VBox(blocks)

    def _on_change(self, indicator: str, change: dict) -> None:
        self.update(indicator, change["new"])

    def _set(self, indicator: str, which: str, _button=None) -> None:
        c = self.models[indicator].control
        value = c.observed if which == "observed" else c.required
        if which == "required":  # the slider holds multiples of its step: the nearest one (at() reads it as required)
            value = round(round(value / c.step) * c.step, 10)
        slider = self.sliders[indicator]
        slider.min, slider.max = min(slider.min, value), max(slider.max, value)
        slider.value = value  # runs _on_change

    def update(self, indicator: str, pace: float) -> WhatIfResult:
        """Recompute ``indicator`` at ``pace`` and redraw its text and chart (what the slider's callback does)."""
        m = self.models[indicator]
        r = m.at(pace)
        self.results[indicator] = r
        self.updates += 1
        self.values[indicator].value = f"<b>{html.escape(_pace(pace, m.control.pace_unit))}</b>"
        color = PACE_VERDICT_COLORS.get(r.verdict, "#595959")
        self.texts[indicator].value = (f"<div style='color:{color}' class='chitieu-whatif-text'>"
                                       f"{html.escape(r.text)}</div>")
        if self.draw_charts:
            from IPython.display import display

            from chitieu.report.sections import PLOTLY_MIME

            out = self.charts[indicator]
            out.clear_output(wait=True)
            with out:
                display({PLOTLY_MIME: what_if_chart(r).to_plotly_json(), "text/plain": r.text}, raw=True)
        return r

    def snapshot(self) -> dict:
        """The current results, JSON-ready (NaN → None): ``{indicator: WhatIfResult.to_dict()}``."""
        return {i: _json_ready(r.to_dict()) for i, r in self.results.items()}

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _json_ready(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


def frame_record(frame: pd.DataFrame) -> dict:
    """:func:`what_if_frame` as ``{indicator: {pace, projected, verdict, …}}``, JSON-ready (for ``report.record``)."""
    keys = ["pace", "pace_unit", "projected", "anticipated_pct", "verdict", "required_pace", "observed_pace"]
    return {r["indicator"]: _json_ready({k: r[k] for k in keys}) for _, r in frame.iterrows()}


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def build_ui(loc: Locality, indicators: list[str] | None = None, *, horizon: int = 2030,
             paces: dict | None = None, max_indicators: int = 8) -> WhatIfUI:
    """The what-if page for ``indicators`` (default: the first ``max_indicators`` of :func:`usable_indicators`)."""
    chosen = _choose(loc, indicators, horizon, max_indicators)
    return WhatIfUI(loc, chosen, horizon=horizon, paces=paces)


def _choose(loc: Locality, indicators: list[str] | None, horizon: int, max_indicators: int) -> list[str]:
    refused: dict[str, str] = {}
    usable = usable_indicators(loc, horizon, refused=refused)
    if not indicators:
        return usable[:max_indicators]
    bad = [i for i in indicators if i not in usable]
    if bad:
        why = "; ".join(f"{i}: {refused[i]}" for i in bad if i in refused)
        raise WhatIfError(f"{loc.id}: không thay đổi nhịp được cho {', '.join(bad)} (chưa có số liệu, chưa có mục "
                          f"tiêu {horizon}, hoặc định tính{'; ' + why if why else ''}). "
                          f"Dùng được: {', '.join(usable) or 'không có'}")
    return list(indicators)


def static_outputs(loc: Locality, indicators: list[str] | None = None, paces: dict | None = None, *,
                   horizon: int = 2030, max_indicators: int = 8) -> tuple[pd.DataFrame, list]:
    """For papermill / HTML: the table at the given paces and one chart per indicator (``[(name, figure)]``)."""
    chosen = _choose(loc, indicators, horizon, max_indicators)
    frame = what_if_frame(loc, chosen, paces, horizon=horizon)
    figs = []
    for i, pace in zip(frame["indicator"], frame["pace"]):
        r = WhatIfModel(loc, i, horizon).at(pace)
        figs.append((f"neu-thi-{i.replace('_', '-')}", what_if_chart(r)))
    return frame, figs
