"""``chitieu project``: progress toward the next term's targets — paces, each method's projection, category."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer

from chitieu.cli._common import Format, UserError, csv_text, err, load_or_fail, print_table, write_text
from chitieu.analysis.projection import VERDICT_LABELS_VI
from chitieu.report.sections import progress_display, projection_frame, scenario_frame

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
            format: Format = typer.Option(Format.table, "--format", "-f", help="table | csv | xlsx"),
            output: Path | None = typer.Option(None, "--output", "-o", help="tệp ra (bắt buộc với xlsx)")) -> None:
    """Tiến độ đến năm mục tiêu: nhịp đã qua, nhịp cần, dự báo theo từng phương pháp, đánh giá."""
    from chitieu.config import check_output_path

    if output is not None:
        check_output_path(output)  # never inside data/, params/, notebooks/ (links followed)
    from chitieu.report import present

    loc = load_or_fail(locality)
    if format is Format.xlsx and output is None:
        raise UserError("--format xlsx cần --output TỆP.xlsx")
    scenarios = [_parse_scenario(s) for s in scenario]
    frame = projection_frame(loc, to)
    if frame.empty:
        err.print(f"{loc.name}: tài liệu chưa có mục tiêu {to} nào có số liệu để dự báo", markup=False,
                  highlight=False)
        frame = pd.DataFrame(columns=PROJECT_COLUMNS)
    sc = pd.DataFrame()
    if scenarios and not frame.empty:
        sc = scenario_frame(loc, to, [s for s in scenarios if s["name"] != "required"])
        if not any(s["name"] == "required" for s in scenarios):
            sc = sc[sc["scenario"] != "Nhịp cần thiết"]
        sc = sc[sc["indicator"].isin(frame["indicator"])]
    if format is Format.csv:
        write_text(csv_text(_machine(frame, sc)), output, bom=True)
        return
    if format is Format.xlsx:
        from chitieu.report.tables import write_progress_xlsx

        write_progress_xlsx(frame, _machine(frame, sc), loc, output, horizon=to)
        err.print(f"Đã ghi {output}", markup=False, highlight=False)
        return
    if frame.empty:
        return
    shown = progress_display(frame, loc, to)
    numbers: dict[str, int] = {}  # one number per distinct note: rows saying the same share it
    names = []
    for name, note in zip(shown["Chỉ tiêu"], shown["Lưu ý"]):
        if note:
            k = numbers.setdefault(note, len(numbers) + 1)
            names.append(f"{name} ({k})")
        else:
            names.append(name)
    notes = [f"({k}) {note[:1].upper() + note[1:]}." for note, k in numbers.items()]
    shown["Chỉ tiêu"] = names
    shown = shown.drop(columns=["Lưu ý"])
    counts = frame.drop_duplicates("indicator")["category_vi"].value_counts()
    head = ["Số chỉ tiêu theo đánh giá: " + "; ".join(f"{k}: {v}" for k, v in counts.items()) + "."]
    own = loc.meta.get("source_file")
    if own:
        head.append(f"Nguồn: {present.document_title(own)} ({own}); cột «Nguồn»: số dòng trong tài liệu.")
    head.append("Dự báo: theo phương pháp đo nhịp của chỉ tiêu; trong ngoặc: khoảng giữa các phương pháp "
                "(mọi phương pháp: --format csv).")
    print_table(shown, f"Tiến độ đến {to} — {loc.name}", notes=head + notes)
    if not sc.empty:
        print_table(_scenario_display(loc, sc), f"Kịch bản đến {to} — {loc.name}")


def _machine(frame: pd.DataFrame, sc: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator × method (and × scenario), codes with their Vietnamese labels beside them."""
    out = frame.copy()
    if not sc.empty:
        base = frame.drop_duplicates("indicator").set_index("indicator")
        extra = base.loc[sc["indicator"]].reset_index()
        extra["method"] = "scenario: " + sc["scenario"].to_numpy()
        extra["method_vi"] = "Kịch bản: " + sc["scenario"].to_numpy()
        extra["projected"] = sc["projected"].to_numpy()
        extra["anticipated_pct"] = sc["anticipated_pct"].to_numpy()
        extra["verdict"] = sc["verdict"].to_numpy()
        extra["verdict_vi"] = sc["verdict"].map(VERDICT_LABELS_VI).to_numpy()
        extra[["lower", "upper"]] = float("nan")
        out = pd.concat([out, extra], ignore_index=True)
    cols = PROJECT_COLUMNS + [c for c in out.columns if c not in PROJECT_COLUMNS]
    return out.reindex(columns=cols)


def _scenario_display(loc, sc: pd.DataFrame) -> pd.DataFrame:
    from chitieu.report import present

    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    units = dict(zip(loc.indicators["id"], loc.indicators["unit"]))
    prec = present.indicator_decimals(loc)
    return pd.DataFrame({
        "Chỉ tiêu": sc["indicator"].map(names).fillna(sc["indicator"]),
        "Kịch bản": sc["scenario"],
        "Dự báo": [present.with_unit(present.number(v, min(2, prec.get(i, 2)), missing=""), units.get(i, ""))
                   for v, i in zip(sc["projected"], sc["indicator"])],
        "So mục tiêu %": [present.number(v, 1, missing="") for v in sc["anticipated_pct"]],
        "Đánh giá": sc["verdict"].map(VERDICT_LABELS_VI).fillna(sc["verdict"]),
    })


PROJECT_COLUMNS = ["indicator", "name", "unit", "latest_year", "latest_value", "target", "comparator",
                   "required_cagr_pct", "observed_cagr_pct", "method", "method_vi", "projected", "anticipated_pct",
                   "category", "category_vi", "source"]
