"""``chitieu project``: progress toward the next term's targets — paces, each method's projection, category."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from chitieu.cli._common import Format, UserError, err, load_or_fail, print_table, write_text
from chitieu.core.numfmt import format_vi
from chitieu.report.sections import projection_frame, scenario_frame

app = typer.Typer()


def _parse_scenario(text: str) -> dict:
    """``pace_pct=5`` | ``pace_units=20`` | ``historical=+2`` | ``required``."""
    key, _, val = text.partition("=")
    key = key.strip()
    if key == "required" and not val:
        return {"name": "required"}
    names = {"pace_pct": "pace_pct", "pace_units": "pace_units", "historical": "historical_delta_pct"}
    if key not in names:
        raise UserError(f"--scenario '{text}': cần pace_pct=X, pace_units=Y, historical=±Z hoặc required")
    try:
        number = float(val)
    except ValueError:
        raise UserError(f"--scenario '{text}': '{val}' không phải là số") from None
    return {"name": text, names[key]: number}


@app.command()
def project(locality: str = typer.Argument(..., help="mã địa phương"),
            to: int = typer.Option(2030, "--to", help="năm mục tiêu"),
            scenario: list[str] = typer.Option([], "--scenario", help="pace_pct=5 | pace_units=20 | historical=+2 | required"),
            format: Format = typer.Option(Format.table, "--format", "-f", help="table | csv"),
            output: Path | None = typer.Option(None, "--output", "-o")) -> None:
    """Tiến độ đến năm mục tiêu: nhịp đã qua, nhịp cần, dự báo theo từng phương pháp, đánh giá."""
    loc = load_or_fail(locality)
    scenarios = [_parse_scenario(s) for s in scenario]
    frame = projection_frame(loc, to)
    if frame.empty:
        err.print(f"{loc.name}: chưa có số liệu để dự báo đến {to}", markup=False)
        frame = pd.DataFrame(columns=PROJECT_COLUMNS)
    if scenarios:
        sc = scenario_frame(loc, to, [s for s in scenarios if s["name"] != "required"])
        if not any(s["name"] == "required" for s in scenarios):
            sc = sc[sc["scenario"] != "Nhịp cần thiết"]
        base = frame.drop_duplicates("indicator").set_index("indicator")
        sc = sc[sc["indicator"].isin(base.index)]
        extra = base.loc[sc["indicator"]].reset_index()
        extra["method"] = "scenario: " + sc["scenario"].to_numpy()
        extra["projected"] = sc["projected"].to_numpy()
        extra["anticipated_pct"] = sc["anticipated_pct"].to_numpy()
        extra["verdict"] = sc["verdict"].to_numpy()
        extra[["lower", "upper"]] = float("nan")
        frame = pd.concat([frame, extra], ignore_index=True)
    cols = PROJECT_COLUMNS + [c for c in frame.columns if c not in PROJECT_COLUMNS]
    frame = frame.reindex(columns=cols)
    if format is Format.csv:
        write_text(frame.to_csv(index=False, lineterminator="\n"), output)
        return
    if format is Format.xlsx:
        raise UserError("project: dùng --format csv hoặc table")
    shown = frame[["name", "latest_year", "latest_value", "target", "observed_cagr_pct", "required_cagr_pct",
                   "method_vi", "projected", "anticipated_pct", "category_vi"]].copy()
    for c in ("latest_value", "target", "projected"):
        shown[c] = [_fmt(v) for v in shown[c]]
    for c in ("observed_cagr_pct", "required_cagr_pct", "anticipated_pct"):
        shown[c] = [_fmt(v, 2) for v in shown[c]]
    shown.columns = ["Chỉ tiêu", "Năm", "Giá trị", "Mục tiêu", "Nhịp đã qua %", "Nhịp cần %", "Phương pháp",
                     "Dự báo", "So mục tiêu %", "Đánh giá"]
    print_table(shown.astype(str), f"Tiến độ đến {to} — {loc.name}")
    counts = frame.drop_duplicates("indicator")["category_vi"].value_counts()
    err.print("Số chỉ tiêu theo đánh giá: " + "; ".join(f"{k}: {v}" for k, v in counts.items()), markup=False)


PROJECT_COLUMNS = ["indicator", "name", "latest_year", "latest_value", "target", "required_cagr_pct",
                   "observed_cagr_pct", "method", "projected", "anticipated_pct", "category", "source"]


def _fmt(v, decimals=None) -> str:
    return "" if v is None or pd.isna(v) else format_vi(float(v), decimals)
