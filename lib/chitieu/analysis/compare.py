"""Comparing localities on the indicators they share: values, targets, achievement, 2030 categories, rankings,
peers ("localities like mine"), charts, and the files of ``chitieu compare`` / ``chitieu run --all``.

Indicators are matched **by catalogue code** (``catalogue_code`` in ``<locality>/indicators.csv``, codes in
``data/catalogue.csv``): a local indicator without a code cannot be compared and is listed as such
(:attr:`Comparison.uncoded`). Every (code, locality) pair gets one row, also when the locality does not have the
indicator (``status = "absent"``, *không có chỉ tiêu này*) or has it without numbers (``"no_data"``, *chưa có số
liệu*): gaps are shown, never dropped. The method is in ``docs/COMPARE.md``.

>>> comp = compare_localities(["muong-ang", "hac-thanh", "phieng-pan"])          # doctest: +SKIP
>>> comp.table.query("catalogue_code == 'income_per_capita'")[["locality", "latest_value", "category"]]  # doctest: +SKIP
"""
from __future__ import annotations

import html
import json
import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chitieu.analysis.achievement import results_table
from chitieu.core.engine import pick_latest, status_rank
from chitieu.core.vocabulary import LEVELS_VI, RATE_KINDS, RESULT_STATUSES
from chitieu.io.data import Locality, load_catalogue, load_localities, load_locality
from chitieu.core.numfmt import is_missing, decimals_of, format_vi, round_half_up
from chitieu.analysis.projection import CATEGORIES, CATEGORY_LABELS_VI, project_panel
from chitieu.report import present
from chitieu.report.present import MISSING
from chitieu.report.sections import observations_and_targets

__all__ = [
    "CompareError", "Comparison", "compare_localities", "COMPARE_COLUMNS", "HEAT_ORDER", "HEAT_LABELS_VI",
    "HEAT_COLORS", "COVERAGE_STATUS_VI", "LEVELS_VI", "summary_text", "display_frame", "overlap_frame", "overlap_display",
    "coverage_frame", "coverage_display", "uncoded_display", "rank_table", "ranking_display", "overall_ranking",
    "overall_ranking_display", "peers", "peers_display", "peer_summary", "category_heatmap", "progress_chart",
    "trend_small_multiples", "record_summary", "to_csv", "write_xlsx", "compare_html", "write_compare_outputs",
    "values_wide", "values_html", "MIN_ASSESSED", "ranking_threshold",
]

COVERAGE_STATUS_VI = {"data": "có số liệu", "no_data": MISSING, "absent": "không có chỉ tiêu này"}
#: cells of the heatmap: the progress categories, then "no numbers" and "no such indicator"
HEAT_ORDER = (*CATEGORIES, "no_data", "absent")
HEAT_LABELS_VI = {**CATEGORY_LABELS_VI, "no_data": "Chưa có số liệu", "absent": "Không có chỉ tiêu này"}
#: good to bad: teal greens, yellow, orange, vermillion (after Okabe & Ito); greys for "cannot say" — the one palette
#: of chitieu.report.present (the same greens and vermillion as the verdicts)
HEAT_COLORS = present.CATEGORY_COLORS
#: the overall ranking ranks a locality only when it has at least this many assessable indicators, and at least
#: half as many as the locality with the most (a locality judged on 3 indicators is not ranked against one on 20)
MIN_ASSESSED = 5
LOCALITY_COLORS = ("#1f3b73", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#8c6d31", "#0072b2",
                   "#9b6fc4", "#6b6b6b")
#: progress chart: values outside are drawn at the edge; "met" gets its own column to the right
PROGRESS_CLIP = (-100.0, 300.0)
PROGRESS_MET_X = 345.0

COMPARE_COLUMNS = [
    "catalogue_code", "indicator_name", "unit", "kind", "direction",
    "locality", "locality_name", "level", "status", "status_vi", "local_indicator", "local_name",
    "n_points", "first_year", "first_value", "latest_period", "latest_year", "latest_value", "latest_status",
    "target_year", "target_comparator", "target", "achievement_target_pct",
    "term_year", "term_target", "term_actual", "term_ratio_pct", "term_verdict", "term_verdict_vi",
    "pace_basis", "observed_growth_pct", "observed_pace", "required_pace", "pace_unit", "pace_ratio",
    "progress_pct", "category", "category_vi", "heat", "heat_vi", "projection_method", "projected",
    "anticipated_pct", "flags", "source",
]


class CompareError(ValueError):
    """A comparison that cannot be made as asked (unknown codes or localities, fewer than two localities)."""


@dataclass
class Comparison:
    """The result of :func:`compare_localities`.

    ``table``: one row per (catalogue code, locality), columns :data:`COMPARE_COLUMNS`, codes in ``codes`` order
    and localities in the order given. ``series``: the single-year observations behind the trends
    (``locality, catalogue_code, year, value``). ``localities``: id, name, level and counts per locality.
    ``uncoded``: the indicators of each locality that have no catalogue code (cannot be compared).
    """

    locality_ids: list[str]
    codes: list[str]
    horizon: int
    table: pd.DataFrame
    series: pd.DataFrame
    localities: pd.DataFrame
    uncoded: pd.DataFrame
    catalogue: pd.DataFrame = field(repr=False)
    requested: list[str] | None = None  # the codes asked for (None: every code shared by ≥ min_shared)

    @property
    def names(self) -> dict[str, str]:
        return dict(zip(self.localities["id"], self.localities["name"]))


# --------------------------------------------------------------------------------------------
# Building the comparison
# --------------------------------------------------------------------------------------------

def _nan(x) -> bool:
    return is_missing(x)


def _choose_local(ind: pd.DataFrame, loc: Locality, horizon: int) -> tuple[str, list[str]]:
    """The local indicator that represents a code (one with a ``horizon`` target and the most numbers first)."""
    vals = loc.values
    def score(i):
        v = vals[vals["indicator"] == i]
        has_target = bool(((v["status"] == "target") & (v["year"] == horizon) & v["value"].notna()).any())
        numbers = int((v["status"].isin(RESULT_STATUSES) & v["value"].notna()).sum())
        return (not has_target, -numbers, i)
    ordered = sorted(ind["id"], key=score)
    return ordered[0], ordered[1:]


def _latest_records(values: pd.DataFrame) -> dict[str, dict]:
    """Per indicator, the latest numeric result of any period (a single year before a span ending the same year;
    actual before estimate before derived)."""
    v = values[values["status"].isin(RESULT_STATUSES) & values["value"].notna()]
    if v.empty:
        return {}
    span = (v["period_start"] != v["year"]).to_numpy(np.int64)
    codes, _ = pd.factorize(v["indicator"])
    chosen = v.iloc[pick_latest(codes, v["year"].to_numpy(np.int64), span * 10 + status_rank(v["status"].to_numpy()))]
    return {r["indicator"]: r for r in chosen.to_dict("records")}


_pace_unit = present.pace_unit  # one rule for the unit of a pace (chitieu.report.present)


def compare_localities(locality_ids: list[str], codes: list[str] | None = None, *, horizon: int = 2030,
                       year: int | None = None, min_shared: int = 2, root: Path | None = None) -> Comparison:
    """Compare ``locality_ids`` on catalogue ``codes`` (default: every code held by ≥ ``min_shared`` of them).

    ``year`` is the term year of the achievement columns (default: each locality's term end). Raises
    :class:`CompareError` for fewer than two localities, a locality named twice, unknown localities or codes.

    >>> comp = compare_localities(["muong-ang", "hac-thanh"], ["income_per_capita"])   # doctest: +SKIP
    >>> comp.table[["locality", "latest_value", "target", "category"]].values.tolist()  # doctest: +SKIP
    [['muong-ang', 39.0, 47.0, 'on_track'], ['hac-thanh', 120.5, 135.0, 'not_assessable']]
    """
    ids = [str(i) for i in locality_ids]
    catalogue, codes, requested = _checked_request(ids, codes, root)
    cat = catalogue.set_index("code")
    locs = {i: load_locality(i, root) for i in ids}
    held, uncoded_rows, loc_rows = _holdings(locs)
    if not codes:
        count = {c: sum(c in h for h in held.values()) for c in cat.index}
        order = {c: k for k, c in enumerate(cat.index)}
        codes = sorted((c for c, n in count.items() if n >= min_shared), key=lambda c: (-count[c], order[c]))

    rows, series_parts, obs_parts, target_parts = [], [], [], []
    for i, loc in locs.items():
        loc_rows_i, series_part, obs_part, target_part = _locality_rows(i, loc, codes, cat, horizon, year)
        rows.extend(loc_rows_i)
        series_parts.append(series_part)
        obs_parts.append(obs_part)
        target_parts.append(target_part)

    table = pd.DataFrame(rows).reindex(columns=COMPARE_COLUMNS)
    obs_all = pd.concat(obs_parts, ignore_index=True) if obs_parts else pd.DataFrame()
    targets_all = pd.concat(target_parts, ignore_index=True) if target_parts else pd.DataFrame()
    if not targets_all.empty:
        panel = project_panel(obs_all, targets_all.drop(columns=["source"]), to=horizon)
        table = _merge_panel(table, panel)
    table = _finish(table)
    shown = display_names({i: loc.name for i, loc in locs.items()})
    table["locality_name"] = table["locality"].map(shown).fillna(table["locality_name"])
    for r in loc_rows:
        r["name"] = shown[r["id"]]
    series = (pd.concat(series_parts, ignore_index=True) if series_parts
              else pd.DataFrame(columns=["locality", "catalogue_code", "indicator", "year", "value"]))
    series = series[series["catalogue_code"].notna()].reset_index(drop=True)
    uncoded = pd.DataFrame(uncoded_rows, columns=["locality", "indicator", "name", "unit", "source"])
    return Comparison(ids, list(codes), horizon, table, series, pd.DataFrame(loc_rows), uncoded, catalogue,
                      requested=requested)


def display_names(names: dict[str, str]) -> dict[str, str]:
    """Locality id → the name shown side by side: the name, and the id after it where two share one (two imports
    both called "cả nước" must not look like one column)."""
    count = pd.Series(list(names.values())).value_counts()
    return {i: f"{n} ({i})" if count[n] > 1 else n for i, n in names.items()}


def _checked_request(ids: list[str], codes: list[str] | None, root: Path | None):
    """(catalogue, codes asked for without repeats, the same list kept as requested) — or a :class:`CompareError`
    for fewer than two localities, one named twice, unknown localities or codes."""
    if len(ids) < 2:
        raise CompareError("cần ít nhất hai địa phương để so sánh (at least two localities)")
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise CompareError(f"địa phương được nêu hai lần: {', '.join(dup)}")
    known = list(load_localities(root)["id"])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise CompareError(f"không có địa phương: {', '.join(unknown)}; có: {', '.join(known)}")
    catalogue = load_catalogue(root)
    cat = catalogue.set_index("code")
    requested = None
    if codes:
        codes = list(dict.fromkeys(str(c) for c in codes))
        requested = list(codes)
        bad = [c for c in codes if c not in cat.index]
        if bad:
            raise CompareError(f"mã chỉ tiêu không có trong data/catalogue.csv: {', '.join(bad)} "
                               "(xem cột code của data/catalogue.csv)")
    return catalogue, codes, requested


def _holdings(locs: dict) -> tuple[dict[str, set[str]], list[dict], list[dict]]:
    """Per locality: the catalogue codes it holds, its indicators without a code, and its line of the overview."""
    held: dict[str, set[str]] = {}
    uncoded_rows, loc_rows = [], []
    for i, loc in locs.items():
        ind = loc.indicators
        coded = ind[ind["catalogue_code"] != ""]
        held[i] = set(coded["catalogue_code"])
        for r in ind[ind["catalogue_code"] == ""].itertuples(index=False):
            uncoded_rows.append({"locality": i, "indicator": r.id, "name": r.name, "unit": r.unit, "source": r.source})
        numeric = loc.values["status"].isin(RESULT_STATUSES) & loc.values["value"].notna()
        loc_rows.append({"id": i, "name": loc.name, "level": loc.meta["level"],
                         "level_vi": LEVELS_VI.get(loc.meta["level"], loc.meta["level"]),
                         "province": loc.meta.get("province", ""), "term_end": loc.term_end,
                         "n_indicators": len(ind), "n_coded": len(coded), "n_uncoded": len(ind) - len(coded),
                         "has_numbers": bool(numeric.any())})
    return held, uncoded_rows, loc_rows


def _locality_rows(i: str, loc, codes: list[str], cat: pd.DataFrame, horizon: int, year: int | None):
    """One locality's rows of the comparison (one per code), its series, observations and targets."""
    ind = loc.indicators
    term_year = int(year or loc.term_end)
    chosen: dict[str, tuple[str, list[str]]] = {}
    for code in codes:
        part = ind[ind["catalogue_code"] == code]
        if len(part) == 1:
            chosen[code] = (part["id"].iloc[0], [])
        elif len(part) > 1:
            chosen[code] = _choose_local(part, loc, horizon)
    keep = [c[0] for c in chosen.values()]
    sub = Locality(loc.id, loc.meta, ind[ind["id"].isin(keep)].reset_index(drop=True),
                   loc.values[loc.values["indicator"].isin(keep)].reset_index(drop=True),
                   loc.comparisons[loc.comparisons["indicator"].isin(keep)].reset_index(drop=True))
    obs, targets = observations_and_targets(sub, horizon)
    term = results_table(sub, year=term_year) if keep else pd.DataFrame()
    term = term.set_index("indicator") if not term.empty else term
    code_of = {c[0]: code for code, c in chosen.items()}
    s = obs.assign(catalogue_code=obs["indicator"].map(code_of))
    local = ind.set_index("id")
    latest_of = _latest_records(sub.values)
    series_of = {k: g.sort_values("year") for k, g in s.groupby("indicator")}
    target_of = {r["indicator"]: r for r in targets.to_dict("records")}
    rows = [_code_row(code, cat.loc[code], i, loc, term_year, horizon, chosen, local, series_of, s, latest_of,
                      target_of, term) for code in codes]
    return (rows, s[["locality", "catalogue_code", "indicator", "year", "value"]],
            obs[obs["indicator"].isin(targets["indicator"])], targets)


def _code_row(code: str, c: pd.Series, i: str, loc, term_year: int, horizon: int, chosen: dict, local: pd.DataFrame,
              series_of: dict, s: pd.DataFrame, latest_of: dict, target_of: dict, term: pd.DataFrame) -> dict:
    """The row of one catalogue code for one locality: its local indicator, series, latest value, target, the
    term's achievement and flags."""
    base = {"catalogue_code": code, "indicator_name": c["name_vi"], "unit": c["unit"], "kind": c["kind"],
            "direction": c["direction"], "locality": i, "locality_name": loc.name,
            "level": loc.meta["level"], "term_year": term_year, "target_year": horizon}
    if code not in chosen:
        return {**base, "status": "absent", "heat": "absent", "flags": ""}
    lid, others = chosen[code]
    li = local.loc[lid]
    flags = ["several_local_indicators"] if others else []
    if li["unit"] != c["unit"]:
        flags.append("unit_differs_from_catalogue")  # values would not be comparable: say so
    row = {**base, "local_indicator": lid, "local_name": li["name"], "kind": li["kind"],
           "direction": li["direction"], "source": li["source"]}
    ser = series_of.get(lid, s.iloc[0:0])
    if len(ser):
        row.update(n_points=len(ser), first_year=int(ser["year"].iloc[0]),
                   first_value=float(ser["value"].iloc[0]))
    else:
        row["n_points"] = 0
    latest = latest_of.get(lid)
    if latest is not None:
        row.update(latest_period=str(latest["period"]), latest_year=int(latest["year"]),
                   latest_value=float(latest["value"]), latest_status=str(latest["status"]))
    t = target_of.get(lid)
    if t is not None:
        row.update(target=float(t["target"]), target_comparator=str(t["comparator"]), source=str(t["source"]))
        if latest is not None and float(t["target"]) != 0 and int(latest["year"]) < horizon \
                and t["kind"] != "cumulative":  # a total of another term is not progress toward this one
            row["achievement_target_pct"] = float(latest["value"]) / float(t["target"]) * 100
    else:
        flags.append("no_target")
    if not term.empty and lid in term.index:
        tr = term.loc[lid]
        row.update(term_target=tr["target"], term_actual=tr["actual"], term_ratio_pct=tr["ratio_pct"],
                   term_verdict=tr["verdict"], term_verdict_vi=tr["verdict_vi"])
    row["status"] = "data" if latest is not None else "no_data"
    row["flags"] = "; ".join(flags)
    return row


def _merge_panel(table: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """One panel row per pair: the compound method for levels and totals, the observed average for rates."""
    if panel.empty:
        return table
    pref = {"compound": 0, "average": 1, "linear": 2, "weighted_linear": 3}
    p = panel.assign(_pref=panel["method"].map(pref)).sort_values(["locality", "indicator", "_pref"])
    p = p.drop_duplicates(["locality", "indicator"])
    p = p.rename(columns={"indicator": "local_indicator", "method": "projection_method",
                          "observed_cagr_pct": "observed_growth_pct", "flags": "panel_flags"})
    cols = ["locality", "local_indicator", "pace_basis", "observed_growth_pct", "observed_pace", "required_pace",
            "pace_ratio", "category", "projection_method", "projected", "anticipated_pct", "panel_flags"]
    t = table.drop(columns=[c for c in cols[2:] if c in table.columns and c != "panel_flags"])
    t = t.merge(p[cols], on=["locality", "local_indicator"], how="left")
    t["flags"] = [("; ".join(x for x in (a, b) if isinstance(x, str) and x)) for a, b in zip(t["flags"], t["panel_flags"])]
    return t.drop(columns=["panel_flags"]).reindex(columns=COMPARE_COLUMNS)


def _finish(t: pd.DataFrame) -> pd.DataFrame:
    t = t.copy()
    t["category"] = t["category"].astype(object)
    has_cat = t["category"].notna()
    t.loc[~has_cat & t["status"].eq("data"), "category"] = "not_assessable"
    t.loc[t["status"].isin(["no_data", "absent"]), "category"] = np.nan
    t["category_vi"] = t["category"].map(CATEGORY_LABELS_VI)
    t["heat"] = np.where(t["status"].eq("data"), t["category"], t["status"])
    t["heat_vi"] = t["heat"].map(HEAT_LABELS_VI)
    t["status_vi"] = t["status"].map(COVERAGE_STATUS_VI)
    t["progress_pct"] = 100.0 * pd.to_numeric(t["pace_ratio"], errors="coerce")
    t["pace_unit"] = [_pace_unit(b, u) if isinstance(b, str) else "" for b, u in zip(t["pace_basis"], t["unit"])]
    for c in ("n_points", "first_year", "latest_year", "term_year", "target_year"):
        t[c] = pd.to_numeric(t[c], errors="coerce").astype("Int64")
    for c in ("first_value", "latest_value", "target", "achievement_target_pct", "term_target", "term_actual",
              "term_ratio_pct", "observed_growth_pct", "observed_pace", "required_pace", "pace_ratio",
              "progress_pct", "projected", "anticipated_pct"):
        t[c] = pd.to_numeric(t[c], errors="coerce").astype(float)
    for c in ("local_indicator", "local_name", "latest_period", "latest_status", "target_comparator", "term_verdict",
              "term_verdict_vi", "pace_basis", "category", "category_vi", "projection_method", "flags", "source"):
        t[c] = t[c].astype(object).where(t[c].notna(), "")
    return t.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Tables users read (Vietnamese)
# --------------------------------------------------------------------------------------------

def _num(x, decimals: int | None = None, missing: str = MISSING) -> str:
    if _nan(x):
        return missing
    x = float(x)
    if decimals is None:
        x = round_half_up(x, 2)
        decimals = decimals_of(x)
    return format_vi(x, decimals)


def _pct(x, decimals: int = 1, missing: str = "") -> str:
    return missing if _nan(x) else format_vi(float(x), decimals) + "%"


def _indicator_label(name: str, direction: str) -> str:
    return f"{name} ▼" if direction == "lower" else name


def _value(x, unit: str = "", comparator: str = "=") -> str:
    """A transcribed value as written (its own decimals, at most two), its bound in words, its unit."""
    return present.bound(x, comparator, present.value_decimals(x), unit=unit)


def display_frame(comp: Comparison) -> pd.DataFrame:
    """The comparison as analysts read it: one row per (indicator, locality), Vietnamese labels, numbers with their
    unit and bounds in words (``trên 47 triệu đồng/người/năm``)."""
    order_code = {c: k for k, c in enumerate(comp.codes)}
    order_loc = {c: k for k, c in enumerate(comp.locality_ids)}
    t = comp.table.assign(_c=comp.table["catalogue_code"].map(order_code),
                          _l=comp.table["locality"].map(order_loc)).sort_values(["_c", "_l"], kind="stable")
    h = comp.horizon
    out = []
    for r in t.itertuples(index=False):  # indicator by indicator, the localities side by side
        absent = r.status == "absent"
        gap = COVERAGE_STATUS_VI[r.status] if r.status != "data" else ""
        period = r.latest_period if r.latest_period else ""
        latest = gap or _value(r.latest_value, r.unit)
        target = ("" if absent else (_value(r.target, r.unit, r.target_comparator)
                                     if not _nan(r.target) else f"chưa có mục tiêu {h}"))
        if not _nan(r.progress_pct):
            progress = _pct(r.progress_pct, 0)
        elif r.category == "met":
            progress = "đã đạt"
        else:
            progress = ""
        out.append({
            "Chỉ tiêu": _indicator_label(r.indicator_name, r.direction),
            "Địa phương": r.locality_name,
            "Giá trị gần nhất": latest, "Kỳ": period,
            f"Mục tiêu {h}": target,
            f"Hiện đạt so với mục tiêu {h}": _pct(r.achievement_target_pct, 1),
            "Đạt so với NQ nhiệm kỳ": _term_text(r),
            "Nhịp đã qua": "" if _nan(r.observed_pace) else present.with_unit(_num(r.observed_pace), r.pace_unit),
            "Nhịp cần": "" if _nan(r.required_pace) else present.with_unit(_num(r.required_pace), r.pace_unit),
            "Nhịp đã qua / nhịp cần": progress,
            f"Đánh giá đến {h}": r.heat_vi,
            "Nguồn": present.source_label(r.source),
        })
    return pd.DataFrame(out)


def values_wide(comp: Comparison) -> pd.DataFrame:
    """The comparison side by side: one row per indicator, for each locality its latest value (and year), its
    target for the horizon, how far the value is toward that target (%) and the assessment. Columns are pairs
    ``(locality name, field)``; the first two are ``("", "Chỉ tiêu")`` and ``("", "Đơn vị")``. Cells are text as
    :mod:`chitieu.report.present` writes them; a gap says which (*chưa có số liệu*, *không có chỉ tiêu này*)."""
    t = comp.table.set_index(["catalogue_code", "locality"])
    h = comp.horizon
    names = comp.table.drop_duplicates("catalogue_code").set_index("catalogue_code")
    rows = []
    for code in comp.codes:
        row = {("", "Chỉ tiêu"): _indicator_label(names.loc[code, "indicator_name"], names.loc[code, "direction"]),
               ("", "Đơn vị"): names.loc[code, "unit"]}
        for i in comp.locality_ids:
            r = t.loc[(code, i)]
            who = comp.names[i]
            if r["status"] == "absent":
                cells = ["không có chỉ tiêu này", "", "", ""]
            else:
                year = r["latest_year"]
                latest = (COVERAGE_STATUS_VI[r["status"]] if r["status"] != "data" else
                          _value(r["latest_value"]) + (f" ({int(year)})" if not pd.isna(year) else ""))
                target = (_value(r["target"], "", r["target_comparator"]) if not _nan(r["target"])
                          else "chưa có")  # under the header "Mục tiêu 2030": no target for that year
                cells = [latest, target, _pct(r["achievement_target_pct"], 0), r["heat_vi"] or ""]
            for field_name, cell in zip(("Giá trị", f"Mục tiêu {h}", "Đạt (% mục tiêu)", "Đánh giá"), cells):
                row[(who, field_name)] = cell
        rows.append(row)
    cols = [("", "Chỉ tiêu"), ("", "Đơn vị")] + [(comp.names[i], f) for i in comp.locality_ids
                                                  for f in ("Giá trị", f"Mục tiêu {h}", "Đạt (% mục tiêu)",
                                                            "Đánh giá")]
    return pd.DataFrame(rows, columns=pd.MultiIndex.from_tuples(cols))


def values_html(comp: Comparison) -> str:
    """:func:`values_wide` as an HTML table: localities as column groups, numbers right-aligned, each assessment
    in its category's colour; every text escaped."""
    wide = values_wide(comp)
    by_label = {v: k for k, v in HEAT_LABELS_VI.items()}
    top = '<th rowspan="2" class="col-name">Chỉ tiêu</th><th rowspan="2">Đơn vị</th>' + "".join(
        f'<th colspan="4" class="grp">{html.escape(comp.names[i])}</th>' for i in comp.locality_ids)
    sub = "".join(f"<th>{html.escape(f)}</th>" for (who, f) in wide.columns[2:])
    body = []
    for _, row in wide.iterrows():
        cells = []
        skip = 0
        for (who, f), v in row.items():
            if skip:
                skip -= 1
                continue
            text = "" if v is None else str(v)
            if f == "Giá trị" and text == "không có chỉ tiêu này":  # one cell across the locality's four
                cells.append(f'<td colspan="4" class="absent">{html.escape(text)}</td>')
                skip = 3
                continue
            cls = []
            if present.is_numeric_text(text):
                cls.append("num")
            if f == "Đánh giá" and text in by_label:
                cls.append(f"c-{by_label[text]}")
            if f == "Chỉ tiêu":
                cls.append("col-name")
            attr = f' class="{" ".join(cls)}"' if cls else ""
            cells.append(f"<td{attr}>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="scroll"><table class="chitieu wide"><thead><tr>{top}</tr><tr>{sub}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def summary_text(comp: Comparison) -> str:
    """One Vietnamese paragraph: what is compared, how much overlaps, what cannot be compared, who has no numbers."""
    o = overlap_frame(comp)
    n = len(comp.locality_ids)
    everywhere = int((o["n_holding"] == n).sum()) if not o.empty else 0
    data_everywhere = int((o["n_with_data"] == n).sum()) if not o.empty else 0
    parts = [f"So sánh {n} địa phương theo {len(comp.codes)} chỉ tiêu có mã trong danh mục chung"
             + (" (có ở ít nhất hai địa phương)" if comp.requested is None else "") + ".",
             f"{everywhere} chỉ tiêu có ở cả {n} địa phương, {data_everywhere} chỉ tiêu cả {n} địa phương đều có số "
             "liệu; các ô còn lại ghi rõ «chưa có số liệu» hoặc «không có chỉ tiêu này».",
             f"{len(comp.uncoded)} chỉ tiêu của các địa phương không có mã danh mục nên không so sánh được."]
    with_numbers = [r.id for r in comp.localities.itertuples(index=False) if r.has_numbers]
    if 1 < len(with_numbers) < n and not o.empty:
        held = (o[with_numbers] != "absent").all(axis=1)
        parts.insert(2, f"Giữa {len(with_numbers)} địa phương có số liệu, {int(held.sum())} chỉ tiêu có ở tất cả: "
                        + ", ".join(x[:1].lower() + x[1:] for x in o.loc[held, "indicator_name"]) + ".")
    empty = [comp.names[r.id] for r in comp.localities.itertuples(index=False) if not r.has_numbers]
    if empty:
        parts.append(f"{', '.join(empty)}: chưa có số liệu.")
    return " ".join(parts)


def _term_text(r) -> str:
    """The term achievement (report convention) with its verdict; says why when there is none."""
    if r.status == "absent":
        return ""
    if _nan(r.term_target) and not r.term_verdict_vi:
        return f"không có chỉ tiêu NQ {r.term_year}"
    if _nan(r.term_ratio_pct):
        return r.term_verdict_vi or MISSING
    return f"{_pct(r.term_ratio_pct, 0)} ({r.term_verdict_vi})" if r.term_verdict_vi else _pct(r.term_ratio_pct, 0)


def overlap_frame(comp: Comparison) -> pd.DataFrame:
    """Which localities hold each compared code: ``data`` / ``no_data`` / ``absent`` per locality, and counts."""
    t = comp.table
    wide = t.pivot(index="catalogue_code", columns="locality", values="status").reindex(index=comp.codes,
                                                                                       columns=comp.locality_ids)
    names = t.drop_duplicates("catalogue_code").set_index("catalogue_code")
    out = pd.DataFrame({"catalogue_code": comp.codes, "indicator_name": names.loc[comp.codes, "indicator_name"].to_numpy(),
                        "unit": names.loc[comp.codes, "unit"].to_numpy()})
    for i in comp.locality_ids:
        out[i] = wide[i].to_numpy()
    st = wide.to_numpy()
    out["n_holding"] = (st != "absent").sum(axis=1)
    out["n_with_data"] = (st == "data").sum(axis=1)
    return out


def overlap_display(comp: Comparison) -> pd.DataFrame:
    o = overlap_frame(comp)
    names = comp.names
    shown = pd.DataFrame({"Chỉ tiêu": o["indicator_name"], "Mã": o["catalogue_code"], "Đơn vị": o["unit"]})
    for i in comp.locality_ids:
        shown[names[i]] = o[i].map({"data": "có số liệu", "no_data": MISSING, "absent": "—"})
    shown["Số địa phương có chỉ tiêu"] = o["n_holding"]
    shown["Số địa phương có số liệu"] = o["n_with_data"]
    return shown


def coverage_frame(comp: Comparison) -> pd.DataFrame:
    """Per locality: its indicators, how many carry a catalogue code (comparable), and the compared codes it has."""
    t = comp.table
    rows = []
    for r in comp.localities.itertuples(index=False):
        mine = t[t["locality"] == r.id]
        rows.append({"locality": r.id, "name": r.name, "level": r.level, "n_indicators": r.n_indicators,
                     "n_coded": r.n_coded, "n_uncoded": r.n_uncoded,
                     "n_compared_held": int((mine["status"] != "absent").sum()),
                     "n_compared_with_data": int((mine["status"] == "data").sum()),
                     "n_compared": len(comp.codes), "has_numbers": r.has_numbers})
    return pd.DataFrame(rows)


def uncoded_display(comp: Comparison, max_names: int = 8) -> pd.DataFrame:
    """Per locality: how many of its indicators have no catalogue code (cannot be compared), with examples."""
    rows = []
    for i in comp.locality_ids:
        names = comp.uncoded.loc[comp.uncoded["locality"] == i, "name"].tolist()
        example = "; ".join(names[:max_names]) + (f"; … (và {len(names) - max_names} chỉ tiêu khác)"
                                                  if len(names) > max_names else "")
        rows.append({"Địa phương": comp.names[i], "Số chỉ tiêu không có mã": len(names), "Ví dụ": example})
    return pd.DataFrame(rows, columns=["Địa phương", "Số chỉ tiêu không có mã", "Ví dụ"])


def coverage_display(comp: Comparison) -> pd.DataFrame:
    c = coverage_frame(comp)
    return pd.DataFrame({
        "Địa phương": c["name"], "Cấp": c["level"].map(lambda x: LEVELS_VI.get(x, x)),
        "Số chỉ tiêu": c["n_indicators"], "Có mã danh mục (so sánh được)": c["n_coded"],
        "Không có mã (không so sánh được)": c["n_uncoded"],
        f"Có trong {len(comp.codes)} chỉ tiêu được so sánh": c["n_compared_held"],
        "Trong đó có số liệu": c["n_compared_with_data"],
        "Ghi chú": ["" if h else MISSING for h in c["has_numbers"]],
    })


# --------------------------------------------------------------------------------------------
# Rankings: ties shared, missing data listed as such
# --------------------------------------------------------------------------------------------

RANK_BY = ("progress", "anticipated", "latest_value")


def _score(t: pd.DataFrame, by: str) -> pd.Series:
    if by == "progress":
        # met ranks first (its pace ratio is not defined: nothing left to do); then observed ÷ required pace
        s = t["pace_ratio"].round(10)
        s = s.where(t["category"] != "met", np.inf)
        return s.where(t["category"].isin(["met", "on_track", "accelerate", "limited", "away"]))
    if by == "anticipated":
        return t["anticipated_pct"].round(10).where(t["status"] == "data")
    if by == "latest_value":
        d = t["direction"].map({"higher": 1.0, "lower": -1.0})
        band = -(t["latest_value"] - t["target"]).abs()
        s = (t["latest_value"] * d).where(t["direction"] != "band", band)
        return s.round(10).where(t["status"] == "data")
    raise CompareError(f"xếp hạng theo '{by}': dùng một trong {RANK_BY}")


def rank_table(comp: Comparison, by: str = "progress") -> pd.DataFrame:
    """Each code's localities ranked (1 = best), ties sharing a rank (1, 1, 3), missing data left unranked.

    ``by``: ``progress`` (observed ÷ required pace; targets already met first), ``anticipated`` (projected
    achievement in the target year, direction-aware) or ``latest_value`` (direction-aware; a band by its distance
    to the target). Columns: catalogue_code, locality, score, rank (Int64, NA when unranked), tied, rank_vi.
    """
    t = comp.table.copy()
    t["score"] = _score(t, by)
    t["rank"] = t.groupby("catalogue_code")["score"].rank(method="min", ascending=False).astype("Int64")
    size = t.groupby(["catalogue_code", "rank"])["rank"].transform("size")
    t["tied"] = t["rank"].notna() & (size > 1)
    n_ranked = t.groupby("catalogue_code")["rank"].transform("count")
    why = np.where(t["status"] != "data", t["status"].map(COVERAGE_STATUS_VI), "chưa đánh giá được")
    t["rank_vi"] = [
        w if pd.isna(r) else "duy nhất đánh giá được" if n == 1 else f"{int(r)} (đồng hạng)" if tie else str(int(r))
        for r, tie, w, n in zip(t["rank"], t["tied"], why, n_ranked)]
    return t[["catalogue_code", "indicator_name", "locality", "locality_name", "score", "rank", "tied", "rank_vi"]]


def ranking_display(comp: Comparison, by: str = "progress") -> pd.DataFrame:
    """Codes × localities, each cell the rank text ("1", "2 (đồng hạng)", "chưa có số liệu" …)."""
    r = rank_table(comp, by)
    wide = r.pivot(index="catalogue_code", columns="locality", values="rank_vi").reindex(
        index=comp.codes, columns=comp.locality_ids)
    names = r.drop_duplicates("catalogue_code").set_index("catalogue_code")["indicator_name"]
    out = pd.DataFrame({"Chỉ tiêu": names.loc[comp.codes].to_numpy()})
    for i in comp.locality_ids:
        out[comp.names[i]] = wide[i].to_numpy()
    return out


def ranking_threshold(comp: Comparison) -> int:
    """How many assessable indicators a locality needs to be ranked overall: :data:`MIN_ASSESSED` (or every compared
    indicator when fewer are compared), and at least half as many as the locality with the most."""
    t = comp.table
    assessed = t[t["category"].isin(["met", "on_track", "accelerate", "limited", "away"])]
    most = int(assessed.groupby("locality").size().max()) if not assessed.empty else 0
    return max(min(MIN_ASSESSED, len(comp.codes)), math.ceil(most / 2), 1)


def overall_ranking(comp: Comparison) -> pd.DataFrame:
    """Localities ranked by the share of their assessed indicators that are met or on track (ties shared) —
    only those with enough assessable indicators (:func:`ranking_threshold`): a share of 3 is not ranked against
    a share of 20.

    Columns: locality, name, n_compared_held, n_assessed, n_met, n_on_track, n_good, share_good_pct, ranked, rank,
    tied, rank_vi. A locality not ranked says why (*chưa có số liệu*, *chưa đánh giá được*, *không xếp hạng: …*).
    """
    t = comp.table
    need = ranking_threshold(comp)
    rows = []
    for i in comp.locality_ids:
        m = t[t["locality"] == i]
        assessed = m["category"].isin(["met", "on_track", "accelerate", "limited", "away"])
        n_met = int((m["category"] == "met").sum())
        n_on = int((m["category"] == "on_track").sum())
        n_ass = int(assessed.sum())
        rows.append({"locality": i, "name": comp.names[i], "n_compared_held": int((m["status"] != "absent").sum()),
                     "n_with_data": int((m["status"] == "data").sum()), "n_assessed": n_ass, "n_met": n_met,
                     "n_on_track": n_on, "n_good": n_met + n_on,
                     "share_good_pct": (n_met + n_on) / n_ass * 100 if n_ass else math.nan,
                     "ranked": n_ass >= need})
    out = pd.DataFrame(rows)
    score = out["share_good_pct"].round(10).where(out["ranked"])
    out["rank"] = score.rank(method="min", ascending=False).astype("Int64")
    size = out.groupby("rank")["rank"].transform("size")
    out["tied"] = out["rank"].notna() & (size > 1)
    n_ranked = int(out["ranked"].sum())

    def why(r) -> str:
        if r.n_with_data == 0:
            return MISSING
        if r.n_assessed == 0:
            return "chưa đánh giá được"
        return f"không xếp hạng: đánh giá được {r.n_assessed} chỉ tiêu (cần ít nhất {need})"

    out["rank_vi"] = [(("duy nhất đủ chỉ tiêu để xếp hạng" if n_ranked == 1 else
                        f"{int(r.rank)} (đồng hạng)" if r.tied else str(int(r.rank))) if not pd.isna(r.rank)
                       else why(r)) for r in out.itertuples(index=False)]
    return out.sort_values(["rank", "locality"], na_position="last", kind="stable").reset_index(drop=True)


def overall_ranking_display(comp: Comparison) -> pd.DataFrame:
    o = overall_ranking(comp)
    return pd.DataFrame({
        "Hạng": o["rank_vi"], "Địa phương": o["name"], "Chỉ tiêu có (trong số so sánh)": o["n_compared_held"],
        "Có số liệu": o["n_with_data"], "Đánh giá được": o["n_assessed"], "Đã đạt": o["n_met"],
        "Đúng hướng": o["n_on_track"],
        "Đã đạt hoặc đúng hướng (%)": [_pct(x, 1, MISSING) for x in o["share_good_pct"]],
    })


def ranking_note(comp: Comparison) -> str:
    """The ranking rule in one sentence, with this comparison's threshold."""
    return (f"Xếp hạng chung theo tỷ lệ chỉ tiêu đã đạt hoặc đúng hướng trong các chỉ tiêu đánh giá được; chỉ xếp "
            f"hạng địa phương đánh giá được ít nhất {ranking_threshold(comp)} chỉ tiêu (ít nhất {MIN_ASSESSED} hoặc mọi "
            "chỉ tiêu được so sánh, và ít nhất một nửa số của địa phương nhiều nhất), để không so một tỷ lệ trên 3 chỉ "
            "tiêu với một tỷ lệ trên 20. Cùng giá trị thì đồng hạng.")


# --------------------------------------------------------------------------------------------
# Localities like mine
# --------------------------------------------------------------------------------------------

def _comparable_pace(r) -> tuple[float, str]:
    """A pace two localities can compare on the same code: compound growth %/yr when defined, else the basis' own."""
    if r["kind"] not in RATE_KINDS and r["kind"] != "cumulative" and not _nan(r["observed_growth_pct"]):
        return float(r["observed_growth_pct"]), "%/năm"
    if r["pace_basis"] in ("linear", "average_rate", "average_flow") and not _nan(r["observed_pace"]):
        return float(r["observed_pace"]), r["pace_unit"]
    return math.nan, ""


def peers(comp: Comparison, locality: str, *, same_level: bool = True, start_tolerance_pct: float | None = 25.0,
          pace_tolerance: float = 0.1) -> pd.DataFrame:
    """The other localities of the same level, or with a similar starting value on a code, and their pace.

    For each code and each other locality that qualifies (``same_level``: same ``level``; ``start_tolerance_pct``:
    first observed value within that many % of ``locality``'s own), one row: both starting values, both paces
    (compound growth in %/năm where both have it, else the observed pace in the indicator's unit), the difference,
    and ``comparison``: ``faster`` / ``slower`` (toward the target: for a lower-is-better indicator, falling faster
    is faster) / ``same`` (within ``pace_tolerance``) / ``not_comparable``.
    """
    if locality not in comp.locality_ids:
        raise CompareError(f"'{locality}' không nằm trong các địa phương được so sánh: {', '.join(comp.locality_ids)}")
    t = comp.table
    level = comp.localities.set_index("id").loc[locality, "level"]
    rows = []
    for code in comp.codes:
        part = t[t["catalogue_code"] == code].set_index("locality")
        me = part.loc[locality]
        if me["status"] == "absent":  # nothing of its own to compare with
            continue
        my_pace, my_unit = _comparable_pace(me)
        for other, r in part.iterrows():
            if other == locality:
                continue
            why = []
            if same_level and r["level"] == level:
                why.append("same_level")
            gap = math.nan
            if not _nan(me["first_value"]) and not _nan(r["first_value"]) and me["first_value"] != 0:
                gap = (r["first_value"] - me["first_value"]) / abs(me["first_value"]) * 100
                if start_tolerance_pct is not None and abs(round(gap, 9)) <= start_tolerance_pct:
                    why.append("similar_start")
            if not why:
                continue
            pace, unit = _comparable_pace(r)
            if my_unit == "%/năm" and unit != "%/năm" and r["kind"] not in RATE_KINDS:
                pace, unit = math.nan, ""
            diff = pace - my_pace if unit and unit == my_unit else math.nan
            d = {"higher": 1.0, "lower": -1.0}.get(me["direction"])
            if _nan(diff) or d is None:
                comparison = "not_comparable"
            elif abs(diff) <= pace_tolerance:
                comparison = "same"
            else:
                comparison = "faster" if d * diff > 0 else "slower"
            rows.append({"catalogue_code": code, "indicator_name": r["indicator_name"], "peer": other,
                         "peer_name": r["locality_name"], "peer_level": r["level"], "why": "; ".join(why),
                         "own_first_year": me["first_year"], "own_first_value": me["first_value"],
                         "peer_first_year": r["first_year"], "peer_first_value": r["first_value"],
                         "start_gap_pct": gap, "own_pace": my_pace, "peer_pace": pace,
                         "pace_unit": unit if unit == my_unit else (my_unit or unit),
                         "pace_difference": diff, "own_required_pace": me["required_pace"],
                         "own_status": me["status"], "peer_status": r["status"], "comparison": comparison})
    cols = ["catalogue_code", "indicator_name", "peer", "peer_name", "peer_level", "why", "own_first_year",
            "own_first_value", "peer_first_year", "peer_first_value", "start_gap_pct", "own_pace", "peer_pace",
            "pace_unit", "pace_difference", "own_required_pace", "own_status", "peer_status", "comparison"]
    return pd.DataFrame(rows, columns=cols)


COMPARISON_VI = {"faster": "nhanh hơn", "slower": "chậm hơn", "same": "ngang nhau", "not_comparable": "không so được"}
WHY_VI = {"same_level": "cùng cấp", "similar_start": "giá trị đầu kỳ gần"}


def peers_display(comp: Comparison, frame: pd.DataFrame, locality: str) -> pd.DataFrame:
    """:func:`peers` in Vietnamese; a gap says which (*chưa có số liệu*, *không có chỉ tiêu này*, one year only)."""
    me = comp.names[locality]
    out = []
    for r in frame.itertuples(index=False):
        def start(v, y, status):
            if status != "data":
                return COVERAGE_STATUS_VI[status]
            return "chưa có chuỗi số liệu theo năm" if _nan(v) else f"{_num(v)} ({int(y)})"

        def pace(v, status):
            if status != "data":
                return COVERAGE_STATUS_VI[status]
            return "chưa tính được" if _nan(v) else f"{_num(v)} {r.pace_unit}"
        verdict = COMPARISON_VI[r.comparison]
        if r.comparison == "not_comparable":
            if "absent" in (r.peer_status, r.own_status):
                verdict += " (không có chỉ tiêu này)"
            elif "no_data" in (r.peer_status, r.own_status):
                verdict += f" ({MISSING})"
            elif _nan(r.own_pace) or _nan(r.peer_pace):
                verdict += " (cần số liệu ít nhất hai năm)"
        out.append({"Chỉ tiêu": r.indicator_name, "Địa phương": r.peer_name,
                    "Vì sao": "; ".join(WHY_VI[w] for w in r.why.split("; ")),
                    f"Đầu kỳ của {me}": start(r.own_first_value, r.own_first_year, r.own_status),
                    "Đầu kỳ của địa phương này": start(r.peer_first_value, r.peer_first_year, r.peer_status),
                    f"Nhịp của {me}": pace(r.own_pace, r.own_status),
                    "Nhịp của địa phương này": pace(r.peer_pace, r.peer_status),
                    f"So với {me}": verdict})
    return pd.DataFrame(out, columns=["Chỉ tiêu", "Địa phương", "Vì sao", f"Đầu kỳ của {me}",
                                      "Đầu kỳ của địa phương này", f"Nhịp của {me}", "Nhịp của địa phương này",
                                      f"So với {me}"])


def peer_summary(comp: Comparison, frame: pd.DataFrame) -> pd.DataFrame:
    """Per peer (Vietnamese): why it is a peer, and on how many codes it moves faster, slower, at the same pace."""
    rows = []
    for peer, part in frame.groupby("peer", sort=False):
        counts = part["comparison"].value_counts()
        whys = sorted({w for x in part["why"] for w in x.split("; ")})
        rows.append({"Địa phương": comp.names[peer],
                     "Cấp": LEVELS_VI.get(part["peer_level"].iloc[0], part["peer_level"].iloc[0]),
                     "Vì sao": "; ".join(WHY_VI[w] for w in whys), "Số chỉ tiêu": len(part),
                     "Nhanh hơn": int(counts.get("faster", 0)), "Chậm hơn": int(counts.get("slower", 0)),
                     "Ngang nhau": int(counts.get("same", 0)), "Không so được": int(counts.get("not_comparable", 0))})
    return pd.DataFrame(rows, columns=["Địa phương", "Cấp", "Vì sao", "Số chỉ tiêu", "Nhanh hơn", "Chậm hơn",
                                       "Ngang nhau", "Không so được"])


# --------------------------------------------------------------------------------------------
# Charts
# --------------------------------------------------------------------------------------------

def _esc(text) -> str:
    return html.escape("" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text), quote=False)


def _wrap(text: str, width: int = 42, lines: int = 2) -> str:
    parts = textwrap.wrap(str(text), width=width) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip(" ,;") + "…"
    return "<br>".join(_esc(p) for p in parts)


def _layout(**kwargs) -> dict:
    import plotly.io as pio

    from chitieu.report.charts import TEMPLATE_NAME, register_template

    if TEMPLATE_NAME not in pio.templates:
        register_template()
    return dict(template=pio.templates[TEMPLATE_NAME], separators=",.", **kwargs)


def _locality_colors(ids: list[str]) -> dict[str, str]:
    return {i: LOCALITY_COLORS[k % len(LOCALITY_COLORS)] for k, i in enumerate(ids)}


def category_heatmap(comp: Comparison, *, title: str | None = None):
    """Indicators × localities, each cell the 2030 progress category; *chưa có số liệu* and *không có chỉ tiêu
    này* are cells of their own (grey, white), never blanks.

    >>> fig = category_heatmap(comp)   # doctest: +SKIP
    """
    import plotly.graph_objects as go

    t = comp.table
    codes, ids = comp.codes, comp.locality_ids
    n = len(HEAT_ORDER)
    code_index = {c: n - 1 - k for k, c in enumerate(HEAT_ORDER)}  # "met" on top of the colour bar
    wide = t.pivot(index="catalogue_code", columns="locality", values="heat").reindex(index=codes, columns=ids)
    z = wide.apply(lambda col: col.map(code_index)).to_numpy(dtype=float)
    labels = wide.apply(lambda col: col.map(HEAT_LABELS_VI)).to_numpy(dtype=object)
    info = t.set_index(["catalogue_code", "locality"])
    hover = []
    for c in codes:
        row = []
        for i in ids:
            r = info.loc[(c, i)]
            extra = ""
            if r["status"] == "data":
                extra = (f"<br>Giá trị gần nhất: {_esc(_num(r['latest_value']))} ({_esc(r['latest_period'])})"
                         f"<br>Mục tiêu {comp.horizon}: {_esc(_num(r['target']) if not _nan(r['target']) else 'chưa có')}")
            row.append(f"<b>{_esc(r['locality_name'])}</b><br>{_esc(r['indicator_name'])}<br>"
                       f"{_esc(HEAT_LABELS_VI[r['heat']])}{extra}")
        hover.append(row)
    scale = []
    for k, h in enumerate(reversed(HEAT_ORDER)):
        scale += [[k / n, HEAT_COLORS[h]], [(k + 1) / n, HEAT_COLORS[h]]]
    directions = t.drop_duplicates("catalogue_code").set_index("catalogue_code")["direction"]
    names = t.drop_duplicates("catalogue_code").set_index("catalogue_code")["indicator_name"]
    ylabels = [_wrap(names[c], 48) + (" ▼" if directions[c] == "lower" else "") for c in codes]
    numbers = dict(zip(comp.localities["id"], comp.localities["has_numbers"]))
    xlabels = [_wrap(comp.names[i], 14, 3) + ("" if numbers[i] else "<br><i>(chưa có số liệu)</i>") for i in ids]
    show_text = len(codes) * len(ids) <= 240
    cell_text = [[_esc(x) for x in r] for r in labels] if show_text else None
    fig = go.Figure(go.Heatmap(
        z=z, x=list(range(len(ids))), y=list(range(len(codes))), zmin=-0.5, zmax=n - 0.5, colorscale=scale,
        xgap=2, ygap=2, text=cell_text, texttemplate="%{text}" if show_text else None,
        textfont=dict(size=12), customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        colorbar=dict(tickvals=list(range(n)), ticktext=[HEAT_LABELS_VI[h] for h in reversed(HEAT_ORDER)], thickness=14,
                      len=min(1.0, max(0.4, 300 / max(300, 30 * len(codes) + 160))), outlinewidth=0,
                      title=dict(text="Đánh giá")),
    ))
    n_gap = int((t["status"] != "data").sum())
    subtitle = (f"{len(codes)} chỉ tiêu theo mã danh mục × {len(ids)} địa phương; "
                f"{n_gap} ô chưa có số liệu hoặc không có chỉ tiêu")
    height = 200 + 34 * len(codes)
    fig.update_layout(**_layout(title=dict(text=_esc(title or f"Đánh giá tiến độ đến {comp.horizon} theo địa phương"),
                                           subtitle=dict(text=_esc(subtitle))),
                                height=height, plot_bgcolor="#cfcfcf", margin=dict(t=150, b=40, l=20, r=20)))
    fig.update_xaxes(tickmode="array", tickvals=list(range(len(ids))), ticktext=xlabels, side="top", showgrid=False,
                     showline=False, ticks="", tickangle=0 if len(ids) <= 8 else -60, range=[-0.5, len(ids) - 0.5])
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(codes))), ticktext=ylabels, autorange="reversed",
                     showgrid=False, showline=False, ticks="", tickfont=dict(size=12))
    return fig


def progress_chart(comp: Comparison, *, title: str | None = None):
    """One unit-free scale for every indicator: observed pace ÷ required pace (%), one dot per locality.

    100% = moving exactly at the pace the target needs; the bands are the categories (≥ 95% đúng hướng, 60–95% cần
    tăng tốc, 0–60% tiến bộ hạn chế, < 0 đi ngược hướng). A target already met has no required pace: its dot (★)
    sits in the "Đã đạt" column on the right. Values beyond −100% / 300% are drawn at the edge (▶ ◀).
    """
    import plotly.graph_objects as go

    t = comp.table
    drawn = t["progress_pct"].notna() | (t["category"] == "met")
    codes = [c for c in comp.codes if drawn[t["catalogue_code"] == c].any()]
    left_out = len(comp.codes) - len(codes)
    lo, hi = PROGRESS_CLIP
    names = t.drop_duplicates("catalogue_code").set_index("catalogue_code")
    ylab = {c: _wrap(names.loc[c, "indicator_name"], 46) + (" ▼" if names.loc[c, "direction"] == "lower" else "")
            for c in codes}
    fig = go.Figure()
    for x0, x1, color, in ((lo, 0, HEAT_COLORS["away"]), (0, 60, HEAT_COLORS["limited"]),
                           (60, 95, HEAT_COLORS["accelerate"]), (95, hi, HEAT_COLORS["on_track"])):
        fig.add_vrect(x0=x0, x1=x1, fillcolor=color, opacity=0.13, line_width=0, layer="below")
    fig.add_vline(x=100, line=dict(color="#333333", width=1.2, dash="dash"))
    colors = _locality_colors(comp.locality_ids)
    shown = 0
    for i in comp.locality_ids:
        m = t[(t["locality"] == i) & (t["catalogue_code"].isin(codes))]
        m = m[m["progress_pct"].notna() | (m["category"] == "met")]
        if m.empty:
            continue
        shown += 1
        xs, symbols, texts = [], [], []
        for r in m.itertuples(index=False):
            if r.category == "met":
                xs.append(PROGRESS_MET_X)
                symbols.append("star")
                texts.append("đã đạt mục tiêu")
            else:
                x = float(r.progress_pct)
                xs.append(min(max(x, lo), hi))
                symbols.append("triangle-right" if x > hi else "triangle-left" if x < lo else "circle")
                texts.append(f"nhịp đã qua ÷ nhịp cần: {format_vi(x, 0)}% ({r.category_vi})")
        fig.add_trace(go.Scatter(  # the legend entry: a plain dot (the points' symbols vary)
            x=[None], y=[None], mode="markers", name=_esc(comp.names[i]), legendgroup=i,
            marker=dict(size=11, color=colors[i], symbol="circle")))
        fig.add_trace(go.Scatter(
            x=xs, y=[ylab[c] for c in m["catalogue_code"]], mode="markers", name=_esc(comp.names[i]),
            legendgroup=i, showlegend=False,
            marker=dict(size=11, color=colors[i], symbol=symbols, line=dict(width=1, color="white"), opacity=0.9),
            customdata=[_esc(x) for x in texts],
            hovertemplate="<b>" + _esc(comp.names[i]) + "</b><br>%{y}<br>%{customdata}<extra></extra>"))
    n_missing = int((~drawn).sum())
    subtitle = ("Nhịp đã qua chia nhịp cần để đạt mục tiêu (%), không phụ thuộc đơn vị<br>"
                f"{n_missing} ô chưa có số liệu hoặc chưa đánh giá được (không vẽ)"
                + (f"; {left_out} chỉ tiêu không có địa phương nào đánh giá được" if left_out else ""))
    height = 220 + 30 * max(len(codes), 3)
    fig.update_layout(**_layout(
        title=dict(text=_esc(title or f"Tiến độ so với yêu cầu đến {comp.horizon}"), subtitle=dict(text=subtitle)),
        height=height, margin=dict(t=120, b=110, l=20, r=20), hovermode="closest",
        legend=dict(orientation="h", x=0, y=-75 / (height - 230), yanchor="top")))
    fig.update_xaxes(range=[lo - 10, PROGRESS_MET_X + 20], tickmode="array",
                     tickvals=[lo, 0, 60, 95, 200, hi, PROGRESS_MET_X],
                     ticktext=["≤ −100%", "0%", "60%", "95%", "200%", "≥ 300%", "★ Đã đạt"],
                     title=dict(text="nhịp đã qua ÷ nhịp cần (%); 100% = đúng nhịp cần", standoff=6), zeroline=False)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=[ylab[c] for c in codes][::-1], showgrid=True,
                     tickfont=dict(size=12))
    if not shown:
        fig.add_annotation(text="Chưa có chỉ tiêu nào đánh giá được.", x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False)
    return fig


def trend_small_multiples(comp: Comparison, codes: list[str] | None = None, *, max_panels: int = 12, cols: int = 3):
    """One small chart per indicator (its own unit), one line per locality; a dashed line from the latest value
    to the locality's target (★) shows the way still to go. Codes with no series anywhere are left out and named
    in the subtitle."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    t, s = comp.table, comp.series
    codes = list(codes or comp.codes)
    n_series = s.groupby("catalogue_code")["locality"].nunique()
    with_series = sorted((c for c in codes if n_series.get(c, 0) > 0), key=lambda c: -n_series[c])  # stable
    without = [c for c in codes if c not in with_series]
    chosen = with_series[:max_panels]
    names = t.drop_duplicates("catalogue_code").set_index("catalogue_code")
    colors = _locality_colors(comp.locality_ids)
    if not chosen:
        fig = go.Figure(layout=_layout(title=dict(text="Xu hướng"), height=300))
        fig.add_annotation(text="Chưa có chỉ tiêu nào có chuỗi số liệu.", x=0.5, y=0.5, xref="paper", yref="paper",
                           showarrow=False)
        return fig
    rows = math.ceil(len(chosen) / cols)
    titles = [f"{_wrap(names.loc[c, 'indicator_name'], 40)}<br><span style='font-size:12px'>"
              f"{_esc(names.loc[c, 'unit'])}</span>" for c in chosen]
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=titles, vertical_spacing=min(0.3, 0.5 / rows) if rows > 1 else 0.2,
                        horizontal_spacing=0.08)
    seen = set()
    years = [int(y) for y in s["year"]] + [comp.horizon]
    for k, c in enumerate(chosen):
        rr, cc = k // cols + 1, k % cols + 1
        part = t[t["catalogue_code"] == c].set_index("locality")
        for i in comp.locality_ids:
            ser = s[(s["catalogue_code"] == c) & (s["locality"] == i)].sort_values("year")
            if ser.empty:
                continue
            legend = i not in seen
            seen.add(i)
            name = _esc(comp.names[i])
            fig.add_trace(go.Scatter(x=ser["year"].tolist(), y=ser["value"].tolist(), mode="lines+markers", name=name,
                                     legendgroup=i, showlegend=legend, line=dict(color=colors[i], width=2.2),
                                     marker=dict(size=6, color=colors[i]),
                                     hovertemplate=name + " %{x}: %{y}<extra></extra>"), row=rr, col=cc)
            tg = part.loc[i, "target"]
            if not _nan(tg):
                fig.add_trace(go.Scatter(x=[int(ser["year"].iloc[-1]), comp.horizon], y=[float(ser["value"].iloc[-1]), float(tg)],
                                         mode="lines+markers", legendgroup=i, showlegend=False,
                                         line=dict(color=colors[i], width=1.2, dash="dot"),
                                         marker=dict(size=[0, 11], symbol=["circle", "star"], color=colors[i]),
                                         hovertemplate=name + f" — mục tiêu {comp.horizon}: %{{y}}<extra></extra>"),
                              row=rr, col=cc)
        fig.layout.annotations[k].update(font=dict(size=12))
        fig.update_xaxes(range=[min(years) - 0.5, comp.horizon + 0.5], dtick=2 if comp.horizon - min(years) > 6 else 1,
                         tickformat="d", row=rr, col=cc)
        fig.update_yaxes(rangemode="tozero" if (s.loc[s["catalogue_code"] == c, "value"] >= 0).all() else "normal",
                         row=rr, col=cc)
    sub = "Đường liền: số liệu; đường chấm tới ★: từ giá trị gần nhất đến mục tiêu của địa phương<br>"
    if without:
        sub += f"{len(without)} chỉ tiêu chưa có chuỗi số liệu ở địa phương nào (không vẽ)"
    if len(with_series) > len(chosen):
        sub += f"; vẽ {len(chosen)}/{len(with_series)} chỉ tiêu có chuỗi số liệu"
    height = 170 + 270 * rows
    fig.update_layout(**_layout(title=dict(text="Xu hướng theo chỉ tiêu và địa phương", subtitle=dict(text=sub)),
                                height=height, margin=dict(t=140, b=90, l=20, r=20), hovermode="closest",
                                legend=dict(orientation="h", x=0, y=-50 / height, yanchor="top")))
    return fig


# --------------------------------------------------------------------------------------------
# Files: CSV, Excel, an offline HTML page; the folder of `chitieu run --all`
# --------------------------------------------------------------------------------------------

def record_summary(comp: Comparison) -> dict:
    """JSON-ready headline numbers of a comparison (for ``report.record`` in the notebook and for tests)."""
    t = comp.table
    return {
        "localities": comp.locality_ids, "codes": comp.codes,
        "heat": {f"{r.catalogue_code}|{r.locality}": r.heat for r in t.itertuples(index=False)},
        "overlap_all": [c for c, n in zip(overlap_frame(comp)["catalogue_code"], overlap_frame(comp)["n_holding"])
                        if n == len(comp.locality_ids)],
        "n_uncoded": {i: int((comp.uncoded["locality"] == i).sum()) for i in comp.locality_ids},
        "overall_rank": {r.locality: r.rank_vi for r in overall_ranking(comp).itertuples(index=False)},
    }


def to_csv(comp: Comparison) -> str:
    """The machine table (:data:`COMPARE_COLUMNS`, dot decimals, UTF-8), text cells formula-safe."""
    from chitieu.io.safe import spreadsheet_text

    frame = comp.table.reindex(columns=COMPARE_COLUMNS).copy()
    for col in frame.columns:
        if pd.api.types.is_object_dtype(frame[col]) or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(spreadsheet_text)
    return frame.to_csv(index=False, lineterminator="\n")


def write_xlsx(comp: Comparison, path: Path) -> None:
    """A workbook a statistics office would ship: the values side by side (indicator × locality), the long
    comparison (numbers as numbers, bounds inside the number format, categories coloured), which indicators
    overlap, coverage, rankings (ranks and percentages as numbers) and the indicators that cannot be compared;
    borders and A4 landscape print set-up on every sheet; text cells formula-safe."""
    from openpyxl import Workbook

    from chitieu.report.tables import save_workbook

    wb = Workbook()
    title = f"So sánh địa phương theo chỉ tiêu chung — {len(comp.locality_ids)} địa phương, {len(comp.codes)} chỉ tiêu"
    _xlsx_values_sheet(wb.active, comp, title)
    _xlsx_long_sheet(wb.create_sheet("So sánh"), comp, title)
    _xlsx_frame_sheet(wb, "Chỉ tiêu chung", overlap_display(comp), {1: 44, 2: 28})
    _xlsx_frame_sheet(wb, "Độ phủ", coverage_display(comp), {1: 26})
    _xlsx_overall_ranking(wb, comp)
    _xlsx_ranks_by_indicator(wb.create_sheet("Xếp hạng theo chỉ tiêu"), comp)
    unc = comp.uncoded.assign(locality=comp.uncoded["locality"].map(comp.names),
                              source=comp.uncoded["source"].map(present.source_label))
    _xlsx_frame_sheet(wb, "Không so sánh được", unc.rename(columns={
        "locality": "Địa phương", "indicator": "Mã địa phương", "name": "Chỉ tiêu (không có mã danh mục)",
        "unit": "Đơn vị", "source": "Nguồn"}), {1: 24, 2: 30, 3: 60})
    save_workbook(wb, path)  # atomic, and identical bytes on every run


def _cat_text() -> dict:
    """The text colour on each category's fill in the comparison workbook."""
    return {**{k: "#111111" for k in HEAT_COLORS}, **present.CATEGORY_TEXT_COLORS}


def _xlsx_values_sheet(ws, comp: Comparison, title: str) -> None:
    """Sheet 1, *Bảng giá trị*: one row per indicator, for each locality its latest value, year, target,
    achievement and category, side by side."""
    from openpyxl.styles import Alignment, Font

    from chitieu.report.tables import finish_sheet, set_cell, style_header, verdict_fill, xlsx_number_format

    cat_text = _cat_text()
    h = comp.horizon
    ws.title = "Bảng giá trị"
    set_cell(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=13)
    t = comp.table.set_index(["catalogue_code", "locality"])
    names = comp.table.drop_duplicates("catalogue_code").set_index("catalogue_code")
    fields = ["Giá trị gần nhất", "Năm", f"Mục tiêu {h}", "Đạt (% mục tiêu)", f"Đánh giá đến {h}"]
    set_cell(ws, 2, 1, "Chỉ tiêu")
    set_cell(ws, 2, 2, "Đơn vị")
    ws.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    ws.merge_cells(start_row=2, start_column=2, end_row=3, end_column=2)
    for k, i in enumerate(comp.locality_ids):
        c0 = 3 + k * len(fields)
        set_cell(ws, 2, c0, comp.names[i])
        ws.merge_cells(start_row=2, start_column=c0, end_row=2, end_column=c0 + len(fields) - 1)
        for j, f in enumerate(fields):
            set_cell(ws, 3, c0 + j, f)
    ncols = 2 + len(fields) * len(comp.locality_ids)
    style_header(ws, 2, ncols)
    style_header(ws, 3, ncols)
    row = 4
    for code in comp.codes:
        set_cell(ws, row, 1, _indicator_label(names.loc[code, "indicator_name"], names.loc[code, "direction"]))
        set_cell(ws, row, 2, names.loc[code, "unit"])
        for k, i in enumerate(comp.locality_ids):
            r = t.loc[(code, i)]
            c0 = 3 + k * len(fields)
            if r["status"] == "absent":
                set_cell(ws, row, c0, "không có chỉ tiêu này")
                continue
            d = min(2, present.value_decimals(r["latest_value"]))
            set_cell(ws, row, c0, float(r["latest_value"]) if r["status"] == "data" else COVERAGE_STATUS_VI[r["status"]],
                     number_format=xlsx_number_format(d))
            set_cell(ws, row, c0 + 1, None if pd.isna(r["latest_year"]) else int(r["latest_year"]), number_format="0")
            set_cell(ws, row, c0 + 2, None if _nan(r["target"]) else float(r["target"]),
                     number_format=xlsx_number_format(min(2, present.value_decimals(r["target"])),
                                                      r["target_comparator"]))
            set_cell(ws, row, c0 + 3, None if _nan(r["achievement_target_pct"]) else float(r["achievement_target_pct"]),
                     number_format=xlsx_number_format(0))
            set_cell(ws, row, c0 + 4, r["heat_vi"] or "")
            verdict_fill(ws.cell(row, c0 + 4), r["heat"], colors=HEAT_COLORS, text_colors=cat_text)
        row += 1
    numeric = tuple(3 + k * len(fields) + j for k in range(len(comp.locality_ids)) for j in range(4))
    finish_sheet(ws, header_row=3, first_row=4, last_row=max(4, row - 1), ncols=ncols,
                 widths=[40, 12] + [12, 7, 12, 10, 16] * len(comp.locality_ids), numeric_cols=numeric, freeze="C4")
    ws.print_title_rows = "2:3"
    ws.row_dimensions[2].height = 30
    ws.row_dimensions[3].height = 45
    for r_ in (2, 3):
        for c in range(1, ncols + 1):
            ws.cell(r_, c).alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")



def _xlsx_long_sheet(ws, comp: Comparison, title: str) -> None:
    """Sheet 2, *So sánh*: the long comparison, a row per indicator × locality."""
    from openpyxl.styles import Font

    from chitieu.report.tables import finish_sheet, set_cell, style_header, verdict_fill, xlsx_number_format

    cat_text = _cat_text()
    h = comp.horizon
    headers = ["Chỉ tiêu", "Mã", "Đơn vị", "Địa phương", "Cấp", "Tình trạng", "Giá trị gần nhất", "Kỳ",
               f"Mục tiêu {h}", f"Hiện đạt so với mục tiêu {h} (%)", "Đạt so với NQ nhiệm kỳ (%)", "Đánh giá NQ",
               "Nhịp đã qua", "Nhịp cần", "Đơn vị nhịp", "Nhịp đã qua / nhịp cần (%)", f"Đánh giá đến {h}",
               f"Dự báo {h}", "Nguồn"]
    set_cell(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=13)
    for c, x in enumerate(headers, start=1):
        set_cell(ws, 2, c, x)
    style_header(ws, 2, len(headers))
    row = 3
    for r in comp.table.itertuples(index=False):
        gap = COVERAGE_STATUS_VI[r.status] if r.status != "data" else ""
        d = min(2, present.value_decimals(r.latest_value))
        cells = [(_indicator_label(r.indicator_name, r.direction), None), (r.catalogue_code, None), (r.unit, None),
                 (r.locality_name, None), (LEVELS_VI.get(r.level, r.level), None), (r.status_vi, None),
                 (gap if _nan(r.latest_value) else float(r.latest_value), xlsx_number_format(d)),
                 (r.latest_period, None),
                 (None if _nan(r.target) else float(r.target),
                  xlsx_number_format(min(2, present.value_decimals(r.target)), r.target_comparator)),
                 (None if _nan(r.achievement_target_pct) else float(r.achievement_target_pct), "0.0"),
                 (None if _nan(r.term_ratio_pct) else float(r.term_ratio_pct), "0.##"),
                 (r.term_verdict_vi, None),
                 (None if _nan(r.observed_pace) else float(r.observed_pace), "#,##0.00"),
                 (None if _nan(r.required_pace) else float(r.required_pace), "#,##0.00"),
                 (r.pace_unit, None), (None if _nan(r.progress_pct) else float(r.progress_pct), "0"),
                 (r.heat_vi, None), (None if _nan(r.projected) else float(r.projected), xlsx_number_format(d)),
                 (present.source_label(r.source), None)]
        for c, (v, fmt) in enumerate(cells, start=1):
            set_cell(ws, row, c, v, number_format=fmt)
        verdict_fill(ws.cell(row, 17), r.heat, colors=HEAT_COLORS, text_colors=cat_text)
        if r.term_verdict in present.VERDICT_COLORS:
            verdict_fill(ws.cell(row, 12), r.term_verdict)
        row += 1
    finish_sheet(ws, header_row=2, first_row=3, last_row=max(3, row - 1), ncols=len(headers),
                 widths=(40, 22, 12, 20, 8, 14, 12, 10, 12, 12, 12, 11, 11, 11, 12, 12, 18, 12, 24),
                 numeric_cols=(7, 9, 10, 11, 13, 14, 16, 18), freeze="E3")



def _xlsx_frame_sheet(wb, name: str, frame: pd.DataFrame, widths: dict[int, int] | None = None,
                      formats: dict | None = None):
    """A sheet holding ``frame`` as it is: a header row, then its rows (numbers in ``formats`` by column)."""
    from chitieu.report.tables import finish_sheet, set_cell, style_header

    s = wb.create_sheet(name)
    for c, x in enumerate(frame.columns, start=1):
        set_cell(s, 1, c, str(x))
    style_header(s, 1, len(frame.columns))
    for r_i, rec in enumerate(frame.itertuples(index=False), start=2):
        for c, x in enumerate(rec, start=1):
            set_cell(s, r_i, c, None if _nan(x) else x, number_format=(formats or {}).get(c))
    finish_sheet(s, header_row=1, first_row=2, last_row=max(2, len(frame) + 1), ncols=len(frame.columns),
                 widths=[(widths or {}).get(k, 16) for k in range(1, len(frame.columns) + 1)],
                 numeric_cols=tuple((formats or {}).keys()), freeze="B2")
    return s


def _xlsx_overall_ranking(wb, comp: Comparison) -> None:
    """*Xếp hạng chung*: ranks as numbers ("(đồng hạng)" inside the format), the share a percentage number."""
    from chitieu.report.tables import _note_rows

    # rankings as numbers: the rank, "(đồng hạng)" inside its format; the share a percentage number
    o = overall_ranking(comp)
    ranks = pd.DataFrame({
        "Hạng": [int(x) if not pd.isna(x) else None for x in o["rank"]], "Ghi chú": [
            "" if not pd.isna(x) and "duy nhất" not in v else v for x, v in zip(o["rank"], o["rank_vi"])],
        "Địa phương": o["name"], "Chỉ tiêu có (trong số so sánh)": o["n_compared_held"],
        "Có số liệu": o["n_with_data"], "Đánh giá được": o["n_assessed"], "Đã đạt": o["n_met"],
        "Đúng hướng": o["n_on_track"], "Đã đạt hoặc đúng hướng (%)": o["share_good_pct"]})
    s = _xlsx_frame_sheet(wb, "Xếp hạng chung", ranks, {2: 40, 3: 26},
                          formats={1: "0", 4: "0", 5: "0", 6: "0", 7: "0", 8: "0", 9: "0.0"})
    for r_i, tie in enumerate(o["tied"], start=2):
        if tie:
            s.cell(r_i, 1).number_format = '0" (đồng hạng)"'
    _note_rows(s, len(o) + 3, len(ranks.columns), [ranking_note(comp)])


def _xlsx_ranks_by_indicator(s, comp: Comparison) -> None:
    """*Xếp hạng theo chỉ tiêu*: an indicator × locality grid of ranks (a text where a rank means nothing)."""
    from chitieu.report.tables import finish_sheet, set_cell, style_header

    names = comp.table.drop_duplicates("catalogue_code").set_index("catalogue_code")
    r = rank_table(comp)
    wide = r.pivot(index="catalogue_code", columns="locality", values="rank").reindex(index=comp.codes,
                                                                                      columns=comp.locality_ids)
    why = r.pivot(index="catalogue_code", columns="locality", values="rank_vi").reindex(index=comp.codes,
                                                                                       columns=comp.locality_ids)
    tied = r.pivot(index="catalogue_code", columns="locality", values="tied").reindex(index=comp.codes,
                                                                                     columns=comp.locality_ids)
    heads = ["Chỉ tiêu"] + [comp.names[i] for i in comp.locality_ids]
    for c, x in enumerate(heads, start=1):
        set_cell(s, 1, c, x)
    style_header(s, 1, len(heads))
    for r_i, code in enumerate(comp.codes, start=2):
        set_cell(s, r_i, 1, names.loc[code, "indicator_name"])
        for k, i in enumerate(comp.locality_ids, start=2):
            rank = wide.loc[code, i]
            if pd.isna(rank) or "duy nhất" in str(why.loc[code, i]):
                set_cell(s, r_i, k, str(why.loc[code, i]))
            else:
                set_cell(s, r_i, k, int(rank), number_format='0" (đồng hạng)"' if bool(tied.loc[code, i]) else "0")
    finish_sheet(s, header_row=1, first_row=2, last_row=max(2, len(comp.codes) + 1), ncols=len(heads),
                 widths=[44] + [18] * len(comp.locality_ids), numeric_cols=tuple(range(2, len(heads) + 1)),
                 freeze="B2")


def _figure_div(fig, div_id: str) -> str:
    """A plotly figure as a div + script; the JSON cannot close the script tag (``</`` escaped)."""
    from plotly.utils import PlotlyJSONEncoder

    spec = fig.to_plotly_json()
    data = json.dumps(spec.get("data", []), cls=PlotlyJSONEncoder).replace("</", "<\\/")
    layout = json.dumps(spec.get("layout", {}), cls=PlotlyJSONEncoder).replace("</", "<\\/")
    height = int(spec.get("layout", {}).get("height") or 520)
    return (f'<div id="{html.escape(div_id)}" class="plotly-chart" style="height:{height}px"></div>'
            f"<script>Plotly.newPlot({json.dumps(div_id)}, {data}, {layout}, "
            '{"displaylogo": false, "responsive": true});</script>')


_PAGE_CSS = """<style>
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #222; margin: 0; }
main { max-width: 1400px; margin: 1.5em auto; padding: 0 1.5em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table.chitieu { border-collapse: collapse; font-size: 13px; margin: 0.5em 0 1.5em; }
table.chitieu th { background: #d9e1f2; text-align: left; padding: 4px 6px; vertical-align: bottom; }
table.chitieu td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #ddd; }
table.chitieu.wide th.grp { text-align: center; border-left: 2px solid #fff; }
table.chitieu.wide td.absent { color: #8c8c8c; text-align: center; }
div.scroll { overflow-x: auto; }
table.chitieu caption { text-align: left; font-weight: bold; padding: 4px 0; }
p.note { color: #595959; font-size: 13px; }
"""


def _page_css() -> str:
    return _PAGE_CSS + present.verdict_css() + "\n</style>"


def compare_html(comp: Comparison, *, title: str | None = None) -> str:
    """A self-contained page (plotly.js inlined once, works offline); every text from data is escaped. The values
    side by side come first (indicator × locality: value, target, % of target, assessment)."""
    from chitieu.report.charts import plotlyjs_script
    from chitieu.report.sections import html_table

    title = title or "So sánh các địa phương theo chỉ tiêu chung"
    names = ", ".join(comp.names[i] for i in comp.locality_ids)
    n_unc = len(comp.uncoded)
    no_numbers = [comp.names[r.id] for r in comp.localities.itertuples(index=False) if not r.has_numbers]
    h = comp.horizon
    parts = [f"<h1>{html.escape(title)}</h1>",
             f"<p>{html.escape(names)}. So sánh theo mã chỉ tiêu trong danh mục chung (data/catalogue.csv): "
             f"{len(comp.codes)} chỉ tiêu có ở ít nhất hai địa phương.</p>",
             f'<p class="note">{n_unc} chỉ tiêu của các địa phương không có mã danh mục nên không so sánh được '
             "(danh sách ở cuối trang). Ô <i>chưa có số liệu</i>: địa phương có chỉ tiêu nhưng tài liệu chưa có số; "
             "ô <i>không có chỉ tiêu này</i>: tài liệu của địa phương không đặt chỉ tiêu đó. ▼: chỉ tiêu càng thấp "
             "càng tốt.</p>"]
    if no_numbers:
        parts.append(f'<p class="note">{html.escape(", ".join(no_numbers))}: chưa có số liệu.</p>')
    parts += [f"<h2>1. Bảng giá trị: các địa phương cạnh nhau</h2>",
              f'<p class="note">Mỗi địa phương: giá trị gần nhất (năm), mục tiêu {h}, giá trị gần nhất bằng bao nhiêu '
              f"% mục tiêu {h}, và đánh giá tiến độ đến {h}.</p>", values_html(comp),
              f"<h2>2. Đánh giá tiến độ đến {h}</h2>", _figure_div(category_heatmap(comp), "heatmap"),
              "<h2>3. Tiến độ trên một thang chung</h2>", _figure_div(progress_chart(comp), "progress"),
              "<h2>4. Xếp hạng</h2>", f'<p class="note">{html.escape(ranking_note(comp))} Xếp hạng theo từng chỉ '
              "tiêu: theo tỷ lệ nhịp đã qua ÷ nhịp cần (chỉ tiêu đã đạt đứng đầu); địa phương chưa có số liệu hoặc "
              "chưa đánh giá được không xếp hạng.</p>",
              html_table(overall_ranking_display(comp), caption="Xếp hạng chung: tỷ lệ chỉ tiêu đã đạt hoặc đúng hướng"),
              html_table(ranking_display(comp), caption="Xếp hạng theo từng chỉ tiêu"),
              "<h2>5. Xu hướng</h2>", _figure_div(trend_small_multiples(comp), "trends"),
              "<h2>6. Độ phủ: chỉ tiêu nào so sánh được</h2>", html_table(coverage_display(comp)),
              html_table(overlap_display(comp), caption="Chỉ tiêu chung và chỗ trống"),
              "<h2>7. Bảng so sánh chi tiết</h2>", html_table(display_frame(comp)),
              "<h2>8. Chỉ tiêu không so sánh được (không có mã danh mục)</h2>"]
    parts.append(html_table(uncoded_display(comp)))
    parts.append('<p class="note">Danh sách đầy đủ: trang «Không so sánh được» của compare.xlsx.</p>')
    body = "\n".join(parts)
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{_page_css()}'
            f"{plotlyjs_script()}</head><body><main>{body}</main></body></html>")


def write_compare_outputs(out_dir: Path, locality_ids: list[str], *, codes: list[str] | None = None,
                          horizon: int = 2030, root: Path | None = None) -> list[Path]:
    """Write ``out_dir/compare/``: ``compare.csv``, ``compare.xlsx``, ``compare.html`` (offline), ``overlap.csv``.

    Everything is written into a temporary folder beside ``compare/`` and swapped into place whole
    (:func:`chitieu.io.safe.atomic_folder`: a concurrent run's folders are never touched, a killed run's are
    recovered by the next). Returns the final paths.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    comp = compare_localities(list(locality_ids), codes, horizon=horizon, root=root)
    final = out_dir / "compare"
    from chitieu.io.safe import atomic_folder

    # built beside, swapped in whole (a concurrent run's folder is never touched; a killed one is recovered)
    with atomic_folder(final) as tmp:
        # a byte-order mark: Excel on Windows then reads the Vietnamese right
        (tmp / "compare.csv").write_text("\ufeff" + to_csv(comp), encoding="utf-8")
        from chitieu.io.safe import spreadsheet_text

        overlap = overlap_frame(comp)
        overlap = overlap.assign(**{c: overlap[c].map(spreadsheet_text) for c in overlap.columns
                                    if pd.api.types.is_object_dtype(overlap[c])
                                    or pd.api.types.is_string_dtype(overlap[c])})
        (tmp / "overlap.csv").write_text("\ufeff" + overlap.to_csv(index=False, lineterminator="\n"),
                                         encoding="utf-8")
        write_xlsx(comp, tmp / "compare.xlsx")
        (tmp / "compare.html").write_text(compare_html(comp), encoding="utf-8")
    return [final / n for n in ("compare.csv", "compare.xlsx", "compare.html", "overlap.csv")]


