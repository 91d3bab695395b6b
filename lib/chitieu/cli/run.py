"""``chitieu run``: the main job — every locality's report (notebook, HTML, charts, Excel) into the output folder."""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from chitieu.analysis.compare import CompareError, write_compare_outputs
from chitieu.cli._common import UserError, err
from chitieu.errors import DataError
from chitieu.io import data as data_mod
from chitieu.report.params import ParamsError, load_params
from chitieu.report.runner import run_batch, write_index

app = typer.Typer()


class Executor(str, Enum):
    process = "process"
    dask = "dask"


@app.command()
def run(localities: list[str] = typer.Argument(None, help="mã địa phương (bỏ trống với --all)"),
        all_: bool = typer.Option(False, "--all", help="mọi địa phương trong data/localities.csv"),
        out: Path = typer.Option(Path("outputs"), "--out", help="thư mục kết quả"),
        workers: int = typer.Option(min(2, os.cpu_count() or 1), "--workers", min=1, max=64,
                                    help="số tiến trình song song"),
        executor: Executor = typer.Option(Executor.process, "--executor", help="process | dask"),
        scheduler: str | None = typer.Option(None, "--scheduler", help="địa chỉ Dask scheduler (mặc định: LocalCluster)"),
        params_dir: Path | None = typer.Option(None, "--params", help="thư mục tham số (mặc định params/)")) -> None:
    """Chạy báo cáo của từng địa phương (notebook → HTML, biểu đồ PNG/SVG, Excel) vào thư mục kết quả."""
    known = set(data_mod.load_localities()["id"])
    ids = sorted(known) if all_ else list(localities or [])
    if not ids:
        raise UserError("cần ít nhất một mã địa phương, hoặc --all")
    problems, params = [], []
    for loc_id in ids:  # every locality's parameters are validated before any kernel starts
        try:
            params.append(load_params(loc_id, params_dir, known=known))
        except ParamsError as exc:
            problems.append(str(exc))
    if problems:
        raise UserError("tham số không hợp lệ:\n  " + "\n  ".join(problems))
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[last]}"), console=err, transient=False) as bar:
        task = bar.add_task("Báo cáo", total=len(params), last="")

        def tick(r):
            bar.update(task, advance=1, last=f"{r.locality}: {'xong' if r.ok else 'LỖI'}")

        results = run_batch(params, out, workers=min(workers, len(params)), executor=executor.value,
                            scheduler=scheduler, progress=tick)
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    compare_failed = False
    if len(ids) >= 2:  # the comparison of the localities of this run, under <out>/compare/
        try:
            written = write_compare_outputs(out, ids)
            write_index(out, results)  # now with the link to the comparison
            err.print(f"So sánh các địa phương: {written[2]}", markup=False, highlight=False)
        except (CompareError, DataError) as exc:
            compare_failed = True
            err.print(f"  LỖI so sánh: {exc}", markup=False, highlight=False)
    err.print(f"Xong {len(ok)}/{len(results)} địa phương trong {out}/ — mục lục: {out / 'index.html'}",
              markup=False, highlight=False)
    for r in failed:
        err.print(f"  LỖI {r.locality}: {r.error}", markup=False, highlight=False)
    if failed or compare_failed:
        sys.exit(1)
