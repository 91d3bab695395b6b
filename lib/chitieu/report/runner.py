"""The batch runner: every locality's report notebook executed, exported and moved into place atomically.

Per locality it writes ``<out>/<locality>/``: ``report.ipynb`` (executed, the record of the run), ``report.html``
(no code, charts embedded with plotly.js inlined once — works offline), ``charts/*.png`` (2× scale) and
``charts/*.svg``, and ``bieu-ket-qua.xlsx``; then ``<out>/index.html`` links every locality.

Why it is fast: most of a papermill run is fixed cost (kernel start, imports, the first plotly display). Each
worker process keeps **one warm kernel** and one headless browser for image export, and reuses them for every
locality it is given. Parameters are injected by papermill (``papermill.parameterize``) and the notebook is
executed by nbclient on the warm kernel. Between two notebooks the kernel's namespace is reset (``%reset -f``)
and checked empty, so nothing one locality defined is visible to the next (tested).

Atomicity: a locality's files are written into ``<out>/.tmp-<locality>-<random>/`` and only a complete folder is
moved into place (the previous report is moved aside first and removed after). A run killed midway leaves the
previous complete report in place (or restorable from ``.old-*``, which the next run restores).
"""
from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from chitieu.config import notebook_path
from chitieu.report.params import ReportParams

__all__ = ["LocalityResult", "WarmKernel", "render_locality", "run_batch", "write_index", "NOTEBOOK"]

NOTEBOOK = notebook_path("locality_report.ipynb")
RESET_CHECK = (
    "%reset -f\n"
    "_left = [k for k in globals() if not k.startswith('_') and k not in get_ipython().user_ns_hidden]\n"
    "assert not _left, f'namespace not empty after reset: {_left}'\n"
    "del _left"
)


REPORT_CSS = """<style>
body { font-family: 'DejaVu Sans', Arial, sans-serif; }
table.chitieu { border-collapse: collapse; font-size: 13px; margin: 0.5em 0 1.5em; }
table.chitieu th { background: #d9e1f2; text-align: left; padding: 4px 6px; }
table.chitieu td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #ddd; }
table.chitieu td:first-child { min-width: 18em; }
@media print { .plotly-chart { page-break-inside: avoid; } }
</style>"""


PAGE_CSS = """<style>
body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #222; margin: 0; }
main.chitieu-report { max-width: 1200px; margin: 1.5em auto; padding: 0 1.5em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.jp-OutputPrompt, .jp-InputPrompt, .prompt, .anchor-link { display: none; }
</style>"""


@dataclass
class LocalityResult:
    locality: str
    ok: bool
    seconds: float
    error: str = ""
    headline: dict = field(default_factory=dict)


class WarmKernel:
    """One IPython kernel kept alive across notebooks (nbclient), reset between them."""

    def __init__(self, kernel_name: str = "python3"):
        from jupyter_client.manager import AsyncKernelManager

        self.kernel_name = kernel_name
        self.km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc",
                                     connection_file=tempfile.mktemp(prefix="chitieu-kernel-", suffix=".json"))
        self.kc = None
        self.runs = 0

    def _client(self, nb, timeout: int):
        from nbclient import NotebookClient

        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, timeout=timeout,
                                allow_errors=False, record_timing=False,
                                resources={"metadata": {"path": str(Path.cwd())}})
        client.kc = self.kc
        return client

    def execute(self, nb, timeout: int = 600):
        if self.runs:
            reset = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(RESET_CHECK)])
            c = self._client(reset, timeout)
            c.execute(cleanup_kc=False)
            self.kc = c.kc
        client = self._client(nb, timeout)
        try:
            client.execute(cleanup_kc=False)
        finally:
            self.kc = client.kc
            self.runs += 1
        return nb

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)


_KERNEL: WarmKernel | None = None


def _kernel() -> WarmKernel:
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = WarmKernel()
        import atexit
        from multiprocessing import util

        atexit.register(_KERNEL.shutdown)  # the main process
        util.Finalize(_KERNEL, _KERNEL.shutdown, exitpriority=10)  # pool workers leave through os._exit
    return _KERNEL


_PLAIN = (str, int, float, bool, type(None))


def _plain(value) -> bool:
    """A value papermill can write as a literal safely: JSON types only (no numpy scalars, paths, dates)."""
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return type(value) in _PLAIN and not (isinstance(value, float) and value != value)


def notebook_values(params: ReportParams) -> dict:
    """The values to inject, checked: every name is a field of :class:`ReportParams` and a Python identifier, every
    value a plain JSON value (papermill escapes values but not names — ECOSYSTEM notes)."""
    import keyword

    from chitieu.report.params import ParamsError

    values = params.notebook_parameters()
    allowed = set(ReportParams.model_fields)
    for name, value in values.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name) or name not in allowed:
            raise ParamsError(f"tham số notebook không hợp lệ: {name!r} (not a parameter of the report)")
        if not _plain(value):
            raise ParamsError(f"tham số notebook '{name}': giá trị kiểu {type(value).__name__} không phải JSON thuần")
    return values


def parameterize(params: ReportParams, notebook: Path = NOTEBOOK):
    """The template notebook with papermill's injected-parameters cell (checked names, plain JSON values only)."""
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    values = notebook_values(params)
    nb = load_notebook_node(str(notebook))
    nb = parameterize_notebook(nb, values, report_mode=False)
    for cell in nb.cells:  # papermill gives the injected cell a random id; a fixed one keeps runs identical
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    return nb


def _charts(nb) -> list[tuple[str, dict]]:
    from chitieu.report.sections import CHART_META, PLOTLY_MIME

    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            name = o.get("metadata", {}).get(CHART_META)
            if name and PLOTLY_MIME in o.get("data", {}):
                out.append((name, o["data"][PLOTLY_MIME]))
    return out


def records(nb) -> dict:
    """Values recorded with :func:`chitieu.report.record` in an executed notebook."""
    from chitieu.report.sections import RECORD_MIME

    found = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if RECORD_MIME in data:
                found[data[RECORD_MIME]["name"]] = data[RECORD_MIME]["value"]
    return found


def _script_json(value) -> str:
    """JSON that is safe inside an HTML ``<script>``: ``<``, ``>``, ``&`` and the JS line separators escaped, so
    no text from data (an indicator named ``</script><script>…``) can close the script or open another."""
    text = json.dumps(value)  # ensure_ascii: U+2028/U+2029 come out escaped too
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_html(nb) -> str:
    """The executed notebook as HTML without code; plotly outputs become divs, plotly.js inlined once."""
    from nbconvert import HTMLExporter

    from chitieu.report.charts import plotlyjs_script
    from chitieu.report.sections import CHART_META, PLOTLY_MIME

    nb = copy.deepcopy(nb)
    n = 0
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if PLOTLY_MIME in data:
                fig = data.pop(PLOTLY_MIME)
                n += 1  # ids numbered in page order: the same notebook gives the same page, byte for byte
                name = re.sub(r"[^a-z0-9-]", "-", str(o.get("metadata", {}).get(CHART_META, "x")).lower())[:60]
                div_id = f"chart-{n}-{name}"
                height = int(fig.get("layout", {}).get("height") or 520)
                data["text/html"] = (f'<div id="{div_id}" class="plotly-chart" style="height:{height}px"></div>'
                                     f"<script>Plotly.newPlot({_script_json(div_id)}, "
                                     f"{_script_json(fig.get('data', []))}, {_script_json(fig.get('layout', {}))}, "
                                     '{"displaylogo": false, "responsive": true});</script>')
                data.pop("text/plain", None)
            data.pop("application/vnd.chitieu.record+json", None)
    holder = nbformat.v4.new_code_cell("")  # its input is hidden; its output carries plotly.js, inlined once
    holder.id = "chitieu-plotlyjs"  # fixed, not random: the same notebook gives the same page
    holder.outputs = [nbformat.v4.new_output("display_data", data={"text/html": REPORT_CSS + plotlyjs_script()})]
    nb.cells.insert(0, holder)
    # the "basic" template: the cells only, no require.js or MathJax fetched from a CDN; the page is ours
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    title = html.escape(str(nb.metadata.get("chitieu_title", "Báo cáo thực hiện chỉ tiêu Nghị quyết")))
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{PAGE_CSS}</head>'
            f'<body><main class="chitieu-report">{body}</main></body></html>')


def render_locality(params: ReportParams, out_dir: Path) -> LocalityResult:
    """Execute, export and move one locality's report into ``out_dir/<locality>`` (atomically).

    The parameters are validated again and the locality's data loaded **before** any kernel starts: bad data fails
    fast, with the message of :class:`chitieu.data.DataError` (file, row, column), and the previous report stays.
    """
    from chitieu.analysis.achievement import results_table
    from chitieu.report.charts import export_figures
    from chitieu.io.data import load_locality
    from chitieu.report.tables import write_xlsx

    start = time.perf_counter()
    loc_id = str(getattr(params, "locality", ""))
    out_dir = Path(out_dir)
    tmp = None
    try:
        params = ReportParams.model_validate(params.model_dump())  # a hand-built model never reaches a path
        loc = load_locality(loc_id)
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{loc_id}-", dir=out_dir))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; a report folder reads like any other
        nb = parameterize(params)
        _kernel().execute(nb)
        nbformat.write(nb, tmp / "report.ipynb")
        (tmp / "report.html").write_text(to_html(nb), encoding="utf-8")
        import plotly.io as pio
        figs = {name: pio.from_json(json.dumps(spec)) for name, spec in _charts(nb)}
        if figs:
            export_figures(figs, tmp / "charts", scale=2.0, formats=("png", "svg"))
        write_xlsx(results_table(loc, year=params.year), tmp / "bieu-ket-qua.xlsx",
                   title=f"Biểu kết quả — {loc.name}")
        headline = records(nb)
        (tmp / "records.json").write_text(json.dumps(headline, ensure_ascii=False, indent=1), encoding="utf-8")
        _swap_into_place(tmp, out_dir / loc_id)
        return LocalityResult(loc_id, True, time.perf_counter() - start, headline=headline)
    except BaseException as exc:  # collected, reported in the summary; the batch goes on
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, KeyboardInterrupt):
            raise
        return LocalityResult(loc_id, False, time.perf_counter() - start, error=_short_error(exc))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _short_error(exc: BaseException) -> str:
    from nbclient.exceptions import CellExecutionError
    from pydantic import ValidationError

    from chitieu.io.data import DataError

    if isinstance(exc, CellExecutionError):  # the traceback's last line, without the terminal's colour codes
        lines = [ln for ln in re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", str(exc)).splitlines() if ln.strip()]
        return "lỗi khi chạy notebook: " + (lines[-1].strip() if lines else type(exc).__name__)
    if isinstance(exc, DataError):
        return str(exc)  # every problem, each with file, row and column
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    if isinstance(exc, OSError) and exc.filename:
        return f"không ghi được {exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, ValidationError):
        return "tham số không hợp lệ: " + "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return f"{type(exc).__name__}: {exc}".strip() or "".join(traceback.format_exception_only(exc))


def _swap_into_place(tmp: Path, final: Path) -> None:
    """Replace ``final`` by the complete folder ``tmp``. At every instant either ``final`` or ``.old-<name>`` holds
    a complete report (the previous one until the new one is in place); :func:`recover` undoes a killed swap."""
    old = final.parent / f".old-{final.name}"
    if old.exists():  # left by a killed run: if it is the only copy, it comes back first
        if final.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, final)
    if final.exists():
        os.rename(final, old)
    try:
        os.rename(tmp, final)
    except BaseException:
        if old.exists() and not final.exists():
            os.rename(old, final)
        raise
    shutil.rmtree(old, ignore_errors=True)


def recover(out_dir: Path) -> None:
    """After a killed run: restore any report left aside, drop unfinished temporary folders."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        return
    for old in sorted(out_dir.glob(".old-*")):
        final = out_dir / old.name[len(".old-"):]
        if final.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, final)
    for tmp in sorted(out_dir.glob(".tmp-*")):
        shutil.rmtree(tmp, ignore_errors=True)


def _worker(payload: tuple[dict, str]) -> LocalityResult:
    params, out = payload
    return render_locality(ReportParams.model_validate(params), Path(out))


def run_batch(params: list[ReportParams], out_dir: Path, *, workers: int = 1, executor: str = "process",
              scheduler: str | None = None, progress=None) -> list[LocalityResult]:
    """Render every locality; a failure is collected and the others go on. ``progress(result)`` per locality."""
    out_dir = Path(out_dir)
    recover(out_dir)
    results: list[LocalityResult] = []
    payloads = [(p.model_dump(), str(out_dir)) for p in params]
    if executor == "dask":
        from distributed import Client, LocalCluster

        cluster = None
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        try:
            futures = client.map(_worker, payloads, pure=False)
            from distributed import as_completed as dask_completed
            for fut in dask_completed(futures):
                r = fut.result()
                results.append(r)
                if progress:
                    progress(r)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif workers <= 1:
        for payload in payloads:
            r = _worker(payload)
            results.append(r)
            if progress:
                progress(r)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futs = [pool.submit(_worker, p) for p in payloads]
            for fut in as_completed(futs):
                r = fut.result()
                results.append(r)
                if progress:
                    progress(r)
    order = {p.locality: i for i, p in enumerate(params)}
    results.sort(key=lambda r: order[r.locality])
    write_index(out_dir, results)
    return results


def write_index(out_dir: Path, results: list[LocalityResult]) -> None:
    """``index.html`` linking every locality that has a complete report, with its headline numbers."""
    from chitieu.io.data import DataError, load_localities
    from chitieu.io.safe import atomic_write_bytes

    if not Path(out_dir).is_dir():  # nothing was rendered and nothing was there: nothing to index
        return
    try:
        names = dict(zip(*load_localities()[["id", "name"]].to_numpy().T))
    except DataError:  # the index still lists what is on disk; `chitieu check` says what is wrong
        names = {}
    failed = {r.locality: r.error for r in results if not r.ok}
    rows = []
    for folder in sorted(p for p in Path(out_dir).iterdir() if p.is_dir() and not p.name.startswith(".")):
        rec_file = folder / "records.json"
        if not (folder / "report.html").exists() or not rec_file.exists():
            continue
        try:
            rec = json.loads(rec_file.read_text(encoding="utf-8"))
            rec = rec if isinstance(rec, dict) else {}
        except (OSError, UnicodeDecodeError, ValueError):
            rec = {}
        c = rec.get("counts") if isinstance(rec.get("counts"), dict) else {}
        cats = rec.get("categories") if isinstance(rec.get("categories"), dict) else {}
        status = "lỗi ở lần chạy này — báo cáo cũ" if folder.name in failed else ""
        if not rec:
            status = (status + "; " if status else "") + "records.json không đọc được"
        rows.append(
            f"<tr><td><a href=\"{html.escape(folder.name)}/report.html\">{html.escape(str(names.get(folder.name, folder.name)))}</a></td>"
            + ("".join(f"<td>{html.escape(str(c.get(k, 0)))}</td>" for k in ("exceeded", "met", "not_met", "unknown"))
               if any(c.values()) else  # no 2020-2025 target at all: say so rather than print four zeros
               '<td colspan="4">chưa có chỉ tiêu nhiệm kỳ trong tài liệu</td>')
            + f"<td>{html.escape(', '.join(f'{k}: {v}' for k, v in cats.items()))}</td>"
            f"<td><a href=\"{html.escape(folder.name)}/bieu-ket-qua.xlsx\">Excel</a></td><td>{html.escape(status)}</td></tr>")
    fails = "".join(f'<li style="white-space:pre-wrap">{html.escape(k)}: {html.escape(v)}</li>'
                    for k, v in failed.items())
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo chỉ tiêu — chitieu</title>
<style>body{{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:4px 8px}}th{{background:#d9e1f2}}</style></head><body>
<h1>Báo cáo thực hiện chỉ tiêu Nghị quyết</h1>
<table><thead><tr><th>Địa phương</th><th>Vượt</th><th>Đạt</th><th>Không đạt</th><th>Chưa có số liệu</th>
<th>Tiến độ đến 2030</th><th>Biểu</th><th>Ghi chú</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
{'<h2>Không tạo được báo cáo</h2><ul>' + fails + '</ul>' if fails else ''}
{'<p><a href="compare/compare.html">So sánh các địa phương</a></p>' if (Path(out_dir) / "compare" / "compare.html").exists() else ''}
</body></html>"""
    atomic_write_bytes(Path(out_dir) / "index.html", page.encode("utf-8"))
