"""The ``chitieu`` command.

Every user-facing failure (bad data, unknown locality, unreadable file) ends in a clear message on stderr and a
non-zero exit, never a traceback: see :func:`main`.
"""
from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from . import data as data_mod
from .achievement import results_table
from .data import DataError
from .tables import display_frame, to_csv, write_xlsx

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="chitieu: chỉ tiêu Nghị quyết — kết quả, xu hướng, dự báo đến 2030, báo cáo.")
err = Console(stderr=True, soft_wrap=True)  # no wrapping: "file, dòng, cột" stays on one line in logs


class UserError(Exception):
    """A problem the user can fix; printed without a traceback."""


class Format(str, Enum):
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


def _load(loc_id: str):
    try:
        return data_mod.load_locality(loc_id)
    except KeyError as exc:
        raise UserError(exc.args[0]) from None


def _print_table(frame, title: str) -> None:
    console = Console(width=max(Console().width, 220))
    t = Table(title=title, show_lines=False, header_style="bold")
    for col in frame.columns:
        if col == "Chỉ tiêu":
            t.add_column(col, overflow="fold", min_width=40, max_width=56)
        elif col in ("Lưu ý", "Nguồn"):
            t.add_column(col, overflow="fold", max_width=32)
        else:
            t.add_column(str(col), overflow="fold", max_width=24)
    for row in frame.itertuples(index=False):
        t.add_row(*[str(v) for v in row])
    console.print(t)


@app.command()
def table(locality: str = typer.Argument(..., help="mã địa phương, ví dụ muong-ang"),
          format: Format = typer.Option(Format.table, "--format", "-f", help="table | csv | xlsx"),
          output: Path | None = typer.Option(None, "--output", "-o", help="tệp ra (bắt buộc với xlsx)"),
          year: int | None = typer.Option(None, help="năm của chỉ tiêu (mặc định: cuối nhiệm kỳ)")) -> None:
    """Biểu kết quả: chỉ tiêu Nghị quyết, kết quả, tỷ lệ đạt và đánh giá."""
    loc = _load(locality)
    res = results_table(loc, year=year)
    title = f"Biểu kết quả thực hiện chỉ tiêu Nghị quyết — {loc.name} (nhiệm kỳ {loc.meta['term_start']}–{loc.term_end})"
    if res.empty:
        err.print(f"{loc.name}: chưa có số liệu (no targets for {year or loc.term_end})")
    if format is Format.csv:
        text = to_csv(res)
        if output:
            from .tables import atomic_write_bytes
            atomic_write_bytes(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
    elif format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        write_xlsx(res, output, title=title)
        err.print(f"Đã ghi {output}")
    elif not res.empty:
        _print_table(display_frame(res), title)


@app.command()
def localities() -> None:
    """Danh sách địa phương."""
    frame = data_mod.load_localities()
    levels = {"tinh": "tỉnh", "huyen": "huyện", "xa": "xã", "phuong": "phường"}
    t = Table(title="Địa phương", header_style="bold")
    for col in ("Mã", "Tên", "Cấp", "Tỉnh", "Nhiệm kỳ", "Sáp nhập từ"):
        t.add_column(col, overflow="fold")
    for r in frame.itertuples(index=False):
        merged = r.merged_from.replace(";", ", ") if r.merged_from else ""
        t.add_row(r.id, r.name, levels.get(r.level, r.level), r.province, f"{r.term_start}–{r.term_end}", merged)
    Console(width=160).print(t)


@app.command()
def check() -> None:
    """Kiểm tra toàn bộ data/: liệt kê mọi lỗi một lần (tệp, dòng, cột)."""
    warnings: list = []
    problems = data_mod.check(warnings=warnings)
    for w in warnings:
        err.print(f"cảnh báo (warning): {w}", markup=False, highlight=False)
    if problems:
        raise DataError(problems)
    typer.echo(f"data/ hợp lệ (valid): {len(data_mod.load_localities())} địa phương.")


@app.command()
def data(locality: str = typer.Argument(..., help="mã địa phương"),
         format: Format = typer.Option(Format.csv, "--format", "-f", help="csv | xlsx | table"),
         output: Path | None = typer.Option(None, "--output", "-o")) -> None:
    """Bảng dài mọi số liệu (chỉ tiêu, kết quả) của một địa phương, kèm chuỗi gốc và nguồn."""
    from .longtable import long_table
    frame = long_table(_load(locality))
    if format is Format.xlsx:
        if output is None:
            raise UserError("--format xlsx cần --output TỆP.xlsx")
        from .tables import atomic_write_bytes
        from io import BytesIO
        buf = BytesIO()
        frame.to_excel(buf, index=False, sheet_name="Số liệu")
        atomic_write_bytes(output, buf.getvalue())
    elif format is Format.table:
        _print_table(frame[["indicator", "period", "value", "unit", "status", "raw", "source"]].astype(str), locality)
    else:
        text = frame.to_csv(index=False, lineterminator="\n")
        if output:
            from .tables import atomic_write_bytes
            atomic_write_bytes(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)


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
    from .report import projection_frame, scenario_frame

    loc = _load(locality)
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
        text = frame.to_csv(index=False, lineterminator="\n")
        if output:
            from .tables import atomic_write_bytes
            atomic_write_bytes(output, text.encode("utf-8"))
        else:
            sys.stdout.write(text)
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
    _print_table(shown.astype(str), f"Tiến độ đến {to} — {loc.name}")
    counts = frame.drop_duplicates("indicator")["category_vi"].value_counts()
    err.print("Số chỉ tiêu theo đánh giá: " + "; ".join(f"{k}: {v}" for k, v in counts.items()), markup=False)


PROJECT_COLUMNS = ["indicator", "name", "latest_year", "latest_value", "target", "required_cagr_pct",
                   "observed_cagr_pct", "method", "projected", "anticipated_pct", "category", "source"]


def _fmt(v, decimals=None) -> str:
    from .numfmt import format_vi
    return "" if v is None or pd.isna(v) else format_vi(float(v), decimals)


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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .params import ParamsError, load_params
    from .runner import run_batch

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
        from .compare import CompareError, write_compare_outputs
        try:
            written = write_compare_outputs(out, ids)
            from .runner import write_index
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


def _register_extensions() -> None:
    """Commands that live in their own modules (``cli_<topic>.py``, each with ``register(app)``)."""
    import importlib

    for name in ("cli_draft", "cli_compare", "cli_panel"):
        try:
            module = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        module.register(app)


_register_extensions()


def main() -> None:
    """Entry point: runs the app and turns user errors into messages and exit codes."""
    try:
        code = app(standalone_mode=False)  # click returns typer.Exit's code instead of raising it here
        if isinstance(code, int) and code:
            sys.exit(code)
    except DataError as exc:
        err.print(str(exc), markup=False, highlight=False)
        sys.exit(2)
    except UserError as exc:
        err.print(f"Lỗi: {exc}", markup=False, highlight=False)
        sys.exit(2)
    except OSError as exc:  # a path the user gave that cannot be written or read (a folder, a read-only place)
        err.print(f"Lỗi: {exc.filename or ''}: {exc.strerror or exc}", markup=False, highlight=False)
        sys.exit(2)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code)
    except typer.Abort:
        sys.exit(130)
    except __import__("click").ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
