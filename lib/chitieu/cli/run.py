"""``chitieu run``: the main job — every locality's report (notebook, HTML, charts, Excel) into the output folder."""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path

import typer

from chitieu.cli._common import UserError, err

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
        params_dir: Path | None = typer.Option(None, "--params", help="thư mục tham số (mặc định params/)"),
        force: bool = typer.Option(False, "--force", help="chạy lại cả địa phương có dữ liệu, tham số, notebook và "
                                                         "mã không đổi (mặc định: giữ báo cáo đã có)"),
        no_compare: bool = typer.Option(False, "--no-compare", help="không làm trang so sánh các địa phương "
                                                                    "(compare/)")) -> None:
    """Chạy báo cáo của từng địa phương (notebook → HTML, biểu đồ PNG/SVG, Excel) vào thư mục kết quả.

    Báo cáo của địa phương không có gì thay đổi (số liệu, tham số, notebook, phiên bản chitieu) được giữ nguyên,
    không chạy lại (--force để chạy lại). Ctrl-C hay SIGTERM dừng mọi tiến trình và giữ nguyên các báo cáo cũ."""
    from chitieu.config import ConfigError, check_locality_id, check_output_path
    from chitieu.io import data as data_mod
    from chitieu.report.params import ParamsError, load_params
    from chitieu.report.runner import Interrupted, run_batch, write_index

    check_output_path(out, what="thư mục kết quả (--out)")  # never inside data/, params/ or notebooks/
    known = set(data_mod.load_localities()["id"])
    ids = sorted(known) if all_ else list(localities or [])
    if not ids:
        raise UserError("cần ít nhất một mã địa phương, hoặc --all")
    problems, params = [], []
    for loc_id in ids:  # every id and every locality's parameters are validated before any kernel starts
        try:
            check_locality_id(loc_id)  # reserved names (compare, sources …) and malformed ids: refused here
            params.append(load_params(loc_id, params_dir, known=known))
        except (ParamsError, ConfigError) as exc:
            problems.append(str(exc))
    if problems:
        raise UserError("tham số không hợp lệ:\n  " + "\n  ".join(problems))
    try:
        results = _run_with_progress(params, out, workers=min(workers, len(params)), executor=executor.value,
                                     scheduler=scheduler, force=force, run_batch=run_batch)
    except Interrupted as stop:
        # one line, no traceback: every worker, kernel and browser of the run is stopped by now
        err.print(f"Đã dừng ({stop.name}): các báo cáo đã có vẫn giữ nguyên trong {out}/; chạy lại để làm tiếp "
                  f"(stopped by {stop.name}; earlier reports kept).", markup=False, highlight=False)
        sys.exit(128 + stop.signum)
    ok = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    skipped = [r for r in results if r.skipped]
    compare_failed = False
    if len(ids) >= 2 and not no_compare:  # the comparison of the localities of this run, under <out>/compare/
        from chitieu.analysis.compare import CompareError, write_compare_outputs
        from chitieu.errors import DataError
        from chitieu.report.runner import compare_key, unchanged, write_manifest

        key = compare_key(results, ids)
        if key and not force and unchanged(out / "compare", key):  # the same localities, none changed
            err.print(f"So sánh các địa phương: {out / 'compare' / 'compare.html'} (không đổi)", markup=False,
                      highlight=False)
        else:
            try:
                written = write_compare_outputs(out, ids)
                if key:
                    write_manifest(out / "compare", key)
                write_index(out, results)  # now with the link to the comparison
                err.print(f"So sánh các địa phương: {written[2]}", markup=False, highlight=False)
            except (CompareError, DataError) as exc:
                compare_failed = True
                err.print(f"  LỖI so sánh: {exc}", markup=False, highlight=False)
    kept = f" ({len(skipped)} không đổi, giữ báo cáo đã có — --force để chạy lại)" if skipped else ""
    err.print(f"Xong {len(ok)}/{len(results)} địa phương trong {out}/{kept} — mục lục: {out / 'index.html'}",
              markup=False, highlight=False)
    for r in failed:
        err.print(f"  LỖI {r.locality}: {r.error}", markup=False, highlight=False)
    if failed or compare_failed:
        sys.exit(1)


def _run_with_progress(params, out: Path, *, run_batch, **options):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[last]}"), console=err, transient=False) as bar:
        task = bar.add_task("Báo cáo", total=len(params), last="")

        def tick(r):
            state = "không đổi" if r.skipped else ("xong" if r.ok else "LỖI")
            bar.update(task, advance=1, last=f"{r.locality}: {state}")

        return run_batch(params, out, progress=tick, **options)
