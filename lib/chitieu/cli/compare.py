"""``chitieu compare``: localities side by side on the indicators they share (by catalogue code)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from chitieu.analysis import compare as cmp
from chitieu.cli._common import UserError, err, print_table, write_text
from chitieu.io.data import load_localities
from chitieu.io.safe import atomic_write_bytes

app = typer.Typer()


class CompareFormat(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"
    html = "html"


@app.command()
def compare(
    localities: list[str] = typer.Argument(None, help="mã địa phương (ít nhất hai), ví dụ muong-ang hac-thanh"),
    indicator: list[str] = typer.Option([], "--indicator", "-i",
                                        help="mã chỉ tiêu trong data/catalogue.csv (lặp lại được); mặc định: "
                                             "mọi mã có ở ít nhất hai địa phương"),
    all_: bool = typer.Option(False, "--all", help="mọi địa phương trong data/localities.csv"),
    format: CompareFormat = typer.Option(CompareFormat.table, "--format", "-f", help="table | csv | xlsx | html"),
    output: Path | None = typer.Option(None, "--output", "-o", help="tệp ra (bắt buộc với xlsx và html)"),
    to: int = typer.Option(2030, "--to", help="năm mục tiêu"),
) -> None:
    """So sánh các địa phương theo chỉ tiêu chung: giá trị, mục tiêu, tỷ lệ đạt, đánh giá đến 2030."""
    from chitieu.config import check_output_path

    if output is not None:
        check_output_path(output)  # never inside data/, params/, notebooks/ (links followed)
    ids = list(load_localities()["id"]) if all_ else list(localities or [])
    if all_ and localities:
        raise UserError("dùng --all hoặc nêu mã địa phương, không dùng cả hai")
    if format in (CompareFormat.xlsx, CompareFormat.html) and output is None:
        raise UserError(f"--format {format.value} cần --output TỆP.{format.value}")
    try:
        comp = cmp.compare_localities(ids, indicator or None, horizon=to)
    except cmp.CompareError as exc:
        raise UserError(str(exc)) from None
    unc = comp.uncoded.groupby("locality").size()
    notes = [f"So sánh {len(comp.codes)} chỉ tiêu theo mã danh mục giữa {len(ids)} địa phương."]
    if not comp.codes:
        notes.append("Không có chỉ tiêu nào chung (theo mã danh mục) giữa các địa phương này.")
    for i in comp.locality_ids:
        mine = comp.table[comp.table["locality"] == i]
        has_numbers = bool(comp.localities.set_index("id").loc[i, "has_numbers"])
        notes.append(f"  {comp.names[i]}: có {int((mine['status'] != 'absent').sum())}, có số liệu "
                     f"{int((mine['status'] == 'data').sum())}; {int(unc.get(i, 0))} chỉ tiêu không có mã "
                     "(không so sánh được)" + ("" if has_numbers else "; địa phương chưa có số liệu"))
    if format is CompareFormat.csv:
        write_text(cmp.to_csv(comp), output, bom=True)
    elif format is CompareFormat.xlsx:
        cmp.write_xlsx(comp, output)
        notes.append(f"Đã ghi {output}")
    elif format is CompareFormat.html:
        atomic_write_bytes(output, cmp.compare_html(comp).encode("utf-8"))
        notes.append(f"Đã ghi {output}")
    else:
        print_table(_terminal(comp, to), f"So sánh địa phương — {len(comp.codes)} chỉ tiêu chung",
                    optional=("Đạt so với NQ nhiệm kỳ",))
        ranks = cmp.overall_ranking(comp)
        notes.append("Xếp hạng chung: " + "; ".join(f"{r.name}: {r.rank_vi}" for r in ranks.itertuples(index=False))
                     + ". " + cmp.ranking_note(comp))
    err.print("\n".join(notes), markup=False, highlight=False, soft_wrap=True)


def _terminal(comp, to: int):
    """One block per indicator: its name on the first row, then one row per locality (value with its year,
    target, % of the target, assessment)."""
    shown = cmp.display_frame(comp)
    shown["Giá trị gần nhất"] = [f"{v} ({k})" if k and v and v[0].isdigit() else v
                                 for v, k in zip(shown["Giá trị gần nhất"], shown["Kỳ"])]
    first = ~shown["Chỉ tiêu"].duplicated()
    shown["Chỉ tiêu"] = shown["Chỉ tiêu"].where(first, "")
    cols = ["Chỉ tiêu", "Địa phương", "Giá trị gần nhất", f"Mục tiêu {to}", f"Hiện đạt so với mục tiêu {to}",
            "Đạt so với NQ nhiệm kỳ", f"Đánh giá đến {to}"]
    return shown[cols].rename(columns={f"Hiện đạt so với mục tiêu {to}": "% mục tiêu"})
