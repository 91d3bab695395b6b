"""The batch runner: every locality's report notebook executed, exported and moved into place atomically.

Per locality it writes ``<out>/<locality>/``: ``report.ipynb`` (executed, the record of the run), ``report.html``
(no code, charts embedded with plotly.js inlined once — works offline), ``charts/*.png`` (2× scale) and
``charts/*.svg``, ``bieu-ket-qua.xlsx`` and ``.chitieu-inputs.json`` (what the report was made from); then
``<out>/index.html`` links every locality.

**One version of the data.** Each locality's data is read once, as a snapshot (its files, the shared tables and
the sources it cites, copied under the data folder's lock into the run's temporary folder): the notebook's kernel
reads that snapshot (``CHITIEU_DATA``), and so does the Excel table, so the HTML and the .xlsx can never come from
two versions of a locality that an import is rewriting.

**Unchanged work is skipped.** The snapshot's content hash, the parameters, the notebook, chitieu's own code and the
versions of the libraries that draw the report make a key; a report already in place with the same key and every
file intact is kept as it is (a rerun of an unchanged locality costs a few milliseconds); any changed input renders
again. ``force=True`` (``chitieu run --force``) renders everything.

**Why it is fast.** Most of a papermill run is fixed cost (kernel start, imports, the first plotly display). Each
worker process keeps **one warm kernel** and one headless browser page (:mod:`chitieu.report.imagepage`) and reuses
them for every locality it is given: parameters are injected by papermill (``papermill.parameterize``), the notebook
is executed by nbclient on the warm kernel, and every chart of a report becomes PNG and SVG in one call of the
page. Between two notebooks the kernel's namespace is reset (``%reset -f``) and checked empty, so nothing one
locality defined is visible to the next (tested).

**Nothing lost, nothing left.** A locality's files are written into a temporary folder beside its report and
swapped into place whole (:func:`chitieu.io.safe.swap_folder`); a run killed midway leaves the previous complete
report. Temporary folders carry the process id: recovery (:func:`recover`) touches only those of processes that no
longer run, never a concurrent run's. Each run has a private temporary folder (``$TMPDIR/chitieu-run-<pid>-<token>``,
locked while the run lives) where its workers, kernels and browsers keep their files; it is removed on every exit
path. SIGTERM, SIGINT and SIGHUP stop the workers, kernels and browsers, keep every earlier report, and raise
:class:`Interrupted` (the CLI prints one line).
"""
from __future__ import annotations

import copy
import hashlib
import html
import json
import os
import re
import secrets
import shutil
import signal
import tempfile
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from chitieu.config import notebook_path
from chitieu.report.params import ReportParams

__all__ = ["LocalityResult", "WarmKernel", "render_locality", "run_batch", "write_index", "NOTEBOOK", "Interrupted",
           "RunTemp", "snapshot_locality", "recover"]

NOTEBOOK = notebook_path("locality_report.ipynb")
RESET_CHECK = (
    "%reset -f\n"
    "_left = [k for k in globals() if not k.startswith('_') and k not in get_ipython().user_ns_hidden]\n"
    "assert not _left, f'namespace not empty after reset: {_left}'\n"
    "del _left"
)


def _report_css() -> str:
    from chitieu.report.present import verdict_css

    return ("<style>\n"
            "body { font-family: 'DejaVu Sans', Arial, sans-serif; }\n"
            "table.chitieu { border-collapse: collapse; font-size: 13px; margin: 0.5em 0 1.5em; }\n"
            "table.chitieu th { background: #d9e1f2; text-align: left; padding: 4px 6px; vertical-align: bottom; }\n"
            "table.chitieu td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid "
            "#ddd; }\n"
            "table.chitieu td:nth-child(2) { min-width: 16em; }\n"
            "p.note { color: #595959; font-size: 13px; }\n"
            + verdict_css() + "\n"
            "@media print { .plotly-chart { page-break-inside: avoid; } }\n"
            "</style>")


#: the report's table styles: numbers right-aligned, one colour per verdict (chitieu.report.present)
REPORT_CSS = _report_css()


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
    skipped: bool = False  # inputs unchanged since the report in place was made: kept as it is
    key: str = ""  # the key of the inputs the report in place was made from (:func:`inputs_key`)


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal (SIGTERM, SIGINT, SIGHUP): workers, kernels and browsers are stopped and
    every earlier report is in place. ``signum`` says which signal; the CLI exits with ``128 + signum``."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class _OwnThread:
    """One daemon thread that runs every call it is given, in order. The kernel is driven from it (never from the
    main thread): nbclient installs its own SIGINT/SIGTERM handlers when it runs in the main thread, and removing
    them afterwards resets Ctrl-C to its default — the run's own handlers must stay in force (:func:`run_batch`)."""

    def __init__(self, name: str):
        import queue

        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:  # stop
                return
            fn, box, done = job
            try:
                box["value"] = fn()
            except BaseException as exc:  # handed to the caller
                box["error"] = exc
            done.set()

    def stop(self) -> None:
        self._jobs.put(None)

    def call(self, fn):
        box: dict = {}
        done = threading.Event()
        self._jobs.put((fn, box, done))
        while not done.wait(0.5):  # the main thread stays responsive to signals while it waits
            pass
        if "error" in box:
            raise box["error"]
        return box.get("value")


class WarmKernel:
    """One IPython kernel kept alive across notebooks (nbclient), reset between them."""

    def __init__(self, kernel_name: str = "python3"):
        self.kernel_name = kernel_name
        self.connection_file = tempfile.mktemp(prefix="chitieu-kernel-", suffix=".json")
        self._thread = _OwnThread("chitieu-kernel")
        self.km = self._thread.call(self._manager)
        self.kc = None
        self.runs = 0
        self.stopped = False

    def _manager(self):
        from jupyter_client.manager import AsyncKernelManager

        return AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", connection_file=self.connection_file)

    def _client(self, nb, timeout: int):
        from nbclient import NotebookClient

        client = NotebookClient(nb, km=self.km, kernel_name=self.kernel_name, timeout=timeout,
                                allow_errors=False, record_timing=False,
                                resources={"metadata": {"path": str(Path.cwd())}})
        client.kc = self.kc
        return client

    def execute(self, nb, timeout: int = 600, *, data_dir: Path | None = None):
        """Execute ``nb`` on the warm kernel. ``data_dir``: the kernel's ``CHITIEU_DATA`` for this notebook (set in
        a setup cell that is not part of ``nb``, after the reset)."""
        return self._thread.call(lambda: self._execute(nb, timeout, data_dir))

    def _execute(self, nb, timeout: int, data_dir: Path | None):
        setup = []
        if self.runs:
            setup.append(RESET_CHECK)
        if data_dir is not None:
            setup.append(f"import os as _chitieu_os\n_chitieu_os.environ['CHITIEU_DATA'] = {str(data_dir)!r}\n"
                         "del _chitieu_os")
        if setup:
            import nbformat  # imported where used: importing it costs ≈ 1 s (jsonschema's format grammars)

            prep = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in setup])
            c = self._client(prep, timeout)
            c.execute(cleanup_kc=False)
            self.kc = c.kc
        client = self._client(nb, timeout)
        try:
            client.execute(cleanup_kc=False)
        finally:
            self.kc = client.kc
            self.runs += 1
        return nb

    def run_code(self, code: str, timeout: int = 600) -> None:
        """Run ``code`` on the kernel, in the namespace the last notebook left (not recorded in any notebook)."""

        def run():
            import nbformat

            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
            client = self._client(nb, timeout)
            try:
                client.execute(cleanup_kc=False)
            finally:
                self.kc = client.kc

        self._thread.call(run)

    def shutdown(self) -> None:
        if self.stopped:
            return
        try:
            self._thread.call(self._shutdown)
        finally:
            self.kill()

    def _shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km.has_kernel:
            run_sync(self.km.shutdown_kernel)(now=True)

    def pid(self) -> int | None:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(process, "pid", None)

    def kill(self) -> None:
        """Stop at once (for a signal handler): the kernel's process group (it runs in a session of its own)
        killed, its connection and socket files removed. Safe to call more than once."""
        from chitieu.report.imagepage import _kill_tree

        if self.stopped:
            return
        self.stopped = True
        self._thread.stop()  # after the job it runs now, if any: a kernel killed under it makes that job fail
        pid = self.pid()
        if pid:
            _kill_tree(pid)
        stem = Path(self.connection_file)
        for path in (stem, *stem.parent.glob(stem.stem + "-ipc-*")):
            try:
                path.unlink()
            except OSError:
                pass


_KERNEL: WarmKernel | None = None


def _kernel() -> WarmKernel:
    global _KERNEL
    if _KERNEL is None:
        from chitieu.io.safe import on_process_exit

        kernel = WarmKernel()
        on_process_exit(kernel.shutdown)
        _KERNEL = kernel
    return _KERNEL


def _stop_kernel(*, hard: bool = False) -> None:
    global _KERNEL
    kernel, _KERNEL = _KERNEL, None
    if kernel is not None:
        if hard:
            kernel.kill()
        else:
            try:
                kernel.shutdown()
            except Exception:  # a kernel that does not stop cleanly is killed (shutdown's finally)
                kernel.kill()


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


@lru_cache(maxsize=1)
def _html_exporter():
    """One exporter per process: its Jinja templates are compiled once, not for every report (≈ 0,1 s each). The
    "basic" template: the cells only, no require.js or MathJax fetched from a CDN; the page is ours."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def to_html(nb) -> str:
    """The executed notebook as HTML without code; plotly outputs become divs, plotly.js inlined once."""
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
    import nbformat

    holder = nbformat.v4.new_code_cell("")  # its input is hidden; its output carries plotly.js, inlined once
    holder.id = "chitieu-plotlyjs"  # fixed, not random: the same notebook gives the same page
    holder.outputs = [nbformat.v4.new_output("display_data", data={"text/html": REPORT_CSS + plotlyjs_script()})]
    nb.cells.insert(0, holder)
    body, _ = _html_exporter().from_notebook_node(nb)
    title = html.escape(str(nb.metadata.get("chitieu_title", "Báo cáo thực hiện chỉ tiêu Nghị quyết")))
    return (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{PAGE_CSS}</head>'
            f'<body><main class="chitieu-report">{body}</main></body></html>')


# --------------------------------------------------------------------------------------------
# One version of the data: a snapshot per locality, and the key of everything a report is made from
# --------------------------------------------------------------------------------------------

MANIFEST = ".chitieu-inputs.json"  # in each report folder: the key of its inputs and the hash of every file
IMAGE_SCALE = 2.0
IMAGE_FORMATS = ("png", "svg")
_SOURCE_REF = re.compile(rb"([0-9]{3}_[0-9a-f]{16}\.txt):")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_snapshot_files(loc_id: str, root: Path) -> dict[str, bytes]:
    """The files a locality's report reads, by path relative to ``root``: the shared tables at the top of the data
    folder, every file of ``<loc_id>/``, and of ``sources/`` the documents the locality cites (plus any file there
    that is not a document, such as an index)."""
    files: dict[str, bytes] = {}

    def take(path: Path) -> None:
        try:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            pass

    for path in sorted(root.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            take(path)
    folder = root / loc_id
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
                take(path)
    cited = set()
    for rel, data in list(files.items()):
        if rel.startswith(f"{loc_id}/"):
            cited.update(m.decode("ascii") for m in _SOURCE_REF.findall(data))
    sources = root / "sources"
    if sources.is_dir():
        for path in sorted(sources.iterdir()):
            if path.is_file() and not path.name.startswith(".") and (path.suffix != ".txt" or path.name in cited):
                take(path)
    return files


def snapshot_locality(loc_id: str, root: Path, dest: Path, *, wait: float | None = None) -> str:
    """Copy what ``loc_id``'s report reads from the data folder ``root`` into ``dest`` (a new folder named like
    the data folder's files: ``dest/localities.csv``, ``dest/<loc_id>/…``, ``dest/sources/…``), read under the data
    folder's lock so that an import never shows half its change; returns the content hash of the snapshot.

    A data folder that cannot be locked (read-only, such as the sample data installed with chitieu) is read as it
    is: nothing can write there.
    """
    root = Path(root)
    try:
        from chitieu.io.safe import DEFAULT_WAIT, data_lock, settle
    except ImportError:  # pragma: no cover - an older chitieu.io.safe
        data_lock = settle = None
        DEFAULT_WAIT = 60.0
    lock = None
    if data_lock is not None:
        settle(root)  # a writer killed midway: finished or undone first (never waits)
        lock = data_lock(root, wait=DEFAULT_WAIT if wait is None else wait, what="ghi vào")
        try:
            lock.__enter__()
        except Exception as exc:  # read-only folder: nobody writes there; DataBusy: say so
            lock = None
            if type(exc).__name__ == "DataBusy":
                raise
    try:
        files = _read_snapshot_files(loc_id, root)
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)
    dest = Path(dest)
    for rel, data in files.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    dest.mkdir(parents=True, exist_ok=True)
    return _sha(json.dumps({rel: _sha(data) for rel, data in sorted(files.items())}).encode())


@lru_cache(maxsize=1)
def code_digest() -> str:
    """What else a report depends on: chitieu's own code and the versions of the libraries and the browser that
    compute and draw it. A change to any of them renders every report again."""
    import platform
    from importlib import metadata

    import chitieu

    h = hashlib.sha256(platform.python_version().encode())
    package = Path(chitieu.__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if (path.is_file() and path.suffix in (".py", ".csv", ".json", ".css", ".js")
                and "__pycache__" not in rel.parts and "_bundled" not in rel.parts):
            h.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for dist in ("chitieu", "pandas", "numpy", "plotly", "statsmodels", "scipy", "nbconvert", "nbformat", "nbclient",
                 "papermill", "ipykernel", "openpyxl", "pydantic", "choreographer"):
        try:
            h.update(f"{dist}={metadata.version(dist)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=-;".encode())
    try:
        from chitieu.report.charts import find_chromium

        st = Path(find_chromium()).resolve().stat()
        h.update(f"browser={st.st_size}:{st.st_mtime_ns}".encode())
    except Exception:  # no browser: the render fails anyway, with its own message
        h.update(b"browser=-")
    return h.hexdigest()


def inputs_key(params: ReportParams, data_digest: str, notebook: Path = NOTEBOOK) -> str:
    """The key of a report's inputs: data snapshot, parameters, notebook, code and library versions, image options."""
    parts = {"data": data_digest, "params": notebook_values(params), "notebook": _sha(Path(notebook).read_bytes()),
             "code": code_digest(), "images": {"scale": IMAGE_SCALE, "formats": list(IMAGE_FORMATS)}}
    return _sha(json.dumps(parts, sort_keys=True, ensure_ascii=True).encode())


def compare_key(results: list[LocalityResult], ids: list[str]) -> str:
    """The key of the comparison of ``ids``: every locality's inputs (as their reports were made) and chitieu's
    code; empty when a locality has no report of this run's inputs (the comparison is then always made again)."""
    keys = {r.locality: r.key for r in results if r.ok and r.key}
    if any(loc not in keys for loc in ids):
        return ""
    return _sha(json.dumps({"compare": [[loc, keys[loc]] for loc in ids], "code": code_digest()}).encode())


def _folder_hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): _sha(p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}


def unchanged(final: Path, key: str) -> bool:
    """Whether the report in ``final`` was made from inputs with this ``key`` and every file of it is as written
    (none changed, missing or added since)."""
    try:
        manifest = json.loads((Path(final) / MANIFEST).read_text(encoding="utf-8"))
        return (isinstance(manifest, dict) and manifest.get("key") == key
                and manifest.get("files") == _folder_hashes(Path(final)))
    except (OSError, ValueError):
        return False


def write_manifest(folder: Path, key: str) -> None:
    """Record in ``folder`` the key of the inputs it was made from and the hash of each of its files."""
    from chitieu.io.safe import atomic_write_bytes

    manifest = {"key": key, "files": _folder_hashes(Path(folder))}
    atomic_write_bytes(Path(folder) / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"))


def _headline(final: Path) -> dict:
    try:
        rec = json.loads((Path(final) / "records.json").read_text(encoding="utf-8"))
        return rec if isinstance(rec, dict) else {}
    except (OSError, ValueError):
        return {}


# --------------------------------------------------------------------------------------------
# One locality
# --------------------------------------------------------------------------------------------

#: run on the kernel after the notebook: the Excel results table, from the notebook's own ``table`` and ``loc`` when
#: it has them (the template does), else computed there from the same snapshot
XLSX_CELL = """\
def _chitieu_xlsx(path):
    from chitieu.analysis.achievement import results_table
    from chitieu.io.data import Locality, load_locality
    from chitieu.report.sections import results_title
    from chitieu.report.tables import write_xlsx
    ns = get_ipython().user_ns
    loc, table, year = ns.get("loc"), ns.get("table"), ns.get("year")
    if (not isinstance(loc, Locality) or loc.id != ns.get("locality") or not hasattr(table, "attrs")
            or (year is not None and table.attrs.get("year") != year)):
        loc = load_locality(ns["locality"])
        table = results_table(loc, year=year)
    write_xlsx(table, path, title=results_title(loc, table), loc=loc, year=table.attrs.get("year") or year)
_chitieu_xlsx({path!r})
del _chitieu_xlsx
"""

_CURRENT_TMP: Path | None = None  # the report folder being written by this process (removed if it is stopped)
_CURRENT_SNAPSHOT: Path | None = None  # the snapshot this process made for itself (removed if it is stopped)
_SWAP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@contextmanager
def _signals_blocked():
    """No signal handler runs inside the block (it runs right after): the swap of a report is never cut."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SWAP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def render_locality(params: ReportParams, out_dir: Path, *, snapshot: Path | None = None, key: str | None = None,
                    force: bool = False) -> LocalityResult:
    """Execute, export and move one locality's report into ``out_dir/<locality>`` (atomically).

    ``snapshot`` is the locality's data as :func:`snapshot_locality` copied it and ``key`` its :func:`inputs_key`
    (the batch takes them in the main process); without them the snapshot is taken here. A report already in place
    with the same key is kept (``skipped``) unless ``force``.

    The parameters are validated again and the locality's data loaded from the snapshot **before** any kernel
    starts: bad data fails fast, with the message of :class:`chitieu.errors.DataError` (file, row, column), and the
    previous report stays.
    """
    global _CURRENT_TMP, _CURRENT_SNAPSHOT
    from chitieu.io.data import load_locality
    from chitieu.io.safe import swap_folder, temp_sibling

    start = time.perf_counter()
    loc_id = str(getattr(params, "locality", ""))
    out_dir = Path(out_dir)
    tmp = own_snapshot = None
    try:
        params = ReportParams.model_validate(params.model_dump())  # a hand-built model never reaches a path
        if snapshot is None:
            from chitieu.config import data_dir

            own_snapshot = _CURRENT_SNAPSHOT = Path(tempfile.mkdtemp(prefix=f"chitieu-snapshot-{loc_id}-"))
            snapshot = own_snapshot / "data"
            key = inputs_key(params, snapshot_locality(loc_id, data_dir(), snapshot))
        final = out_dir / loc_id
        if not force and key is not None and unchanged(final, key):
            return LocalityResult(loc_id, True, time.perf_counter() - start, headline=_headline(final), skipped=True,
                                  key=key)
        load_locality(loc_id, root=Path(snapshot))  # validated here, before any kernel: bad data fails fast
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = _CURRENT_TMP = temp_sibling(final, "tmp")
        tmp.mkdir()
        os.chmod(tmp, 0o777 & ~_umask())  # a report folder reads like any other
        nb = parameterize(params)
        kernel = _kernel()
        kernel.execute(nb, data_dir=Path(snapshot))
        # the Excel table from the very table the notebook shows (its own read of the snapshot, computed once)
        kernel.run_code(XLSX_CELL.format(path=str(tmp / "bieu-ket-qua.xlsx")))
        import nbformat

        nbformat.write(nb, tmp / "report.ipynb")
        (tmp / "report.html").write_text(to_html(nb), encoding="utf-8")
        figs = dict(_charts(nb))
        if figs:
            from chitieu.report.imagepage import write_images

            write_images(figs, tmp / "charts", scale=IMAGE_SCALE, formats=IMAGE_FORMATS)
        headline = records(nb)
        (tmp / "records.json").write_text(json.dumps(headline, ensure_ascii=False, indent=1), encoding="utf-8")
        if key is not None:
            write_manifest(tmp, key)
        with _signals_blocked():
            swap_folder(tmp, final)
            tmp = _CURRENT_TMP = None
        return LocalityResult(loc_id, True, time.perf_counter() - start, headline=headline, key=key or "")
    except BaseException as exc:  # collected, reported in the summary; the batch goes on
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            _CURRENT_TMP = None
        if isinstance(exc, KeyboardInterrupt):
            raise
        return LocalityResult(loc_id, False, time.perf_counter() - start, error=_short_error(exc))
    finally:
        if own_snapshot is not None:
            shutil.rmtree(own_snapshot, ignore_errors=True)
            _CURRENT_SNAPSHOT = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _short_error(exc: BaseException) -> str:
    from nbclient.exceptions import CellExecutionError
    from pydantic import ValidationError

    from chitieu.errors import ChitieuError, DataError

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
    if isinstance(exc, ChitieuError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}".strip() or "".join(traceback.format_exception_only(exc))


def recover(out_dir: Path) -> list[Path]:
    """After a killed run: restore any report left aside and drop unfinished temporary folders — only those of
    processes that no longer run (:func:`chitieu.io.safe.recover_folders`): a concurrent run's are left alone."""
    from chitieu.io.safe import recover_folders

    return recover_folders(Path(out_dir)) if Path(out_dir).is_dir() else []


# --------------------------------------------------------------------------------------------
# A run: its private temporary folder, its signals, its workers
# --------------------------------------------------------------------------------------------

RUN_PREFIX = "chitieu-run-"
_MAX_BASE = 32  # longest temporary folder a run's folder goes into (see RunTemp)


def _lock_free(lock_file: Path) -> bool:
    """Whether nobody holds the ``flock`` of ``lock_file`` (its run has ended, even if killed)."""
    import fcntl

    try:
        fd = os.open(lock_file, os.O_RDWR)
    except OSError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # closing drops the lock taken here


class RunTemp:
    """The run's private temporary folder ``$TMPDIR/chitieu-run-<pid>-<token>/``, locked (``flock``) while the run
    lives. While active it is ``TMPDIR`` for the run and every process it starts (workers, kernels and their
    connection files, browsers and their profiles, Dask workers), so one removal cleans them all, on every exit
    path. A run killed with SIGKILL leaves its folder; the next run removes every such folder whose lock is free."""

    def __init__(self) -> None:
        import fcntl

        self.base = Path(tempfile.gettempdir())
        if len(str(self.base)) > _MAX_BASE and os.access("/tmp", os.W_OK):
            # a kernel's and a browser's sockets live in this folder, and a socket's path is limited to 107
            # bytes: a deep temporary folder would make them fail to start
            self.base = Path("/tmp")
        self.sweep(self.base)
        self.id = f"{os.getpid()}-{secrets.token_hex(2)}"
        self.path = self.base / f"{RUN_PREFIX}{self.id}"
        self.path.mkdir(mode=0o700)
        self._fd = os.open(self.path / ".lock", os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._saved: tuple[str | None, str | None] | None = None

    @staticmethod
    def sweep(base: Path) -> list[Path]:
        """Remove the private folders of runs that have ended (their lock is free); never a running one's."""
        removed = []
        for folder in sorted(Path(base).glob(f"{RUN_PREFIX}*")):
            if folder.is_dir() and _lock_free(folder / ".lock"):
                if not (folder / ".lock").exists():  # between mkdir and the lock of a starting run: by its pid
                    m = re.match(rf"^{RUN_PREFIX}([0-9]+)-", folder.name)
                    if m and _pid_alive(int(m.group(1))):
                        continue
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        return removed

    def __enter__(self) -> "RunTemp":
        self._saved = (os.environ.get("TMPDIR"), tempfile.tempdir)
        os.environ["TMPDIR"] = str(self.path)
        tempfile.tempdir = str(self.path)
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._saved is not None:
            env, cached = self._saved
            if env is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = env
            tempfile.tempdir = cached
            self._saved = None
        shutil.rmtree(self.path, ignore_errors=True)
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_PROCESS_TEMP: RunTemp | None = None


def _process_temp_dir() -> None:
    """Make multiprocessing's own temporary folder (``pymp-*``, the fork server's socket) inside a locked folder of
    this process, ``$TMPDIR/chitieu-run-<pid>-<token>/``: a process killed with SIGKILL cannot remove its
    ``pymp-*`` folder, and a bare one in ``$TMPDIR`` would stay for ever; inside the locked folder, the next run's
    sweep removes it with the rest. Removed at exit, after multiprocessing's own clean-up."""
    global _PROCESS_TEMP
    from multiprocessing import process, util

    if _PROCESS_TEMP is not None or process.current_process()._config.get("tempdir") is not None:
        return
    holder = RunTemp()
    cached = tempfile.tempdir
    tempfile.tempdir = str(holder.path)
    try:
        util.get_temp_dir()
    finally:
        tempfile.tempdir = cached
    util.Finalize(None, holder.close, exitpriority=-101)  # after multiprocessing removes pymp-* (priority -100)
    _PROCESS_TEMP = holder


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


@contextmanager
def _stop_on_signals():
    """In the main thread: SIGTERM, SIGINT and SIGHUP raise :class:`Interrupted` (once: the cleanup that follows is
    not interrupted by a second Ctrl-C). Previous handlers are restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        for s in _SWAP_SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    old = {s: signal.signal(s, handler) for s in _SWAP_SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _hard_stop() -> None:
    """This process's kernel and browser killed, its unfinished report folder and its own snapshot removed."""
    global _CURRENT_TMP
    if _CURRENT_TMP is not None:
        shutil.rmtree(_CURRENT_TMP, ignore_errors=True)
        _CURRENT_TMP = None
    if _CURRENT_SNAPSHOT is not None:
        shutil.rmtree(_CURRENT_SNAPSHOT, ignore_errors=True)
    _stop_kernel(hard=True)
    from chitieu.report.imagepage import stop_page

    stop_page(hard=True)


def _worker_init(tmpdir: str) -> None:
    """A pool worker: Ctrl-C reaches the whole foreground group, the main process decides (it sends SIGTERM);
    SIGTERM stops this worker's kernel and browser and removes its unfinished folder, then the worker exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stop)
    os.environ["TMPDIR"] = tmpdir
    tempfile.tempdir = tmpdir


def _worker_stop(signum, frame) -> None:
    try:
        _hard_stop()
    finally:
        os._exit(128 + signum)


def _worker(payload: tuple) -> LocalityResult:
    params, out, snapshot, key, force = payload
    try:
        return render_locality(ReportParams.model_validate(params), Path(out), snapshot=Path(snapshot), key=key,
                               force=force)
    finally:
        shutil.rmtree(Path(snapshot).parent, ignore_errors=True)


def _descendants() -> list:
    """The processes below this one, but multiprocessing's fork server (it serves every run of this process)."""
    import psutil
    from multiprocessing import forkserver

    server = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    try:
        return [p for p in psutil.Process().children(recursive=True) if p.pid != server]
    except psutil.Error:
        return []


def _reap(procs: list, *, grace: float = 0.0) -> None:
    """Wait ``grace`` seconds for ``procs`` to end, then SIGKILL whatever is left of them."""
    import psutil

    alive = [p for p in procs if _running(p)]
    if grace and alive:
        _, alive = psutil.wait_procs(alive, timeout=grace)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    if alive:
        psutil.wait_procs(alive, timeout=5)


def _running(p) -> bool:
    import psutil

    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


# long function: one try/except/finally owns everything a run starts (pool, Dask cluster, snapshots, kernels, browsers)
def run_batch(params: list[ReportParams], out_dir: Path, *, workers: int = 1, executor: str = "process",
              scheduler: str | None = None, progress=None, force: bool = False) -> list[LocalityResult]:
    """Render every locality; a failure is collected and the others go on. ``progress(result)`` per locality.

    The main process snapshots each locality's data and computes its key (:func:`inputs_key`); an unchanged
    report is kept without starting anything, the others go to the workers (``workers`` processes; ``executor=
    "dask"``: a Dask ``LocalCluster``, or the scheduler at ``scheduler``). Raises :class:`Interrupted` on SIGTERM,
    SIGINT or SIGHUP, after stopping every worker, kernel and browser of the run; earlier reports stay in place.
    """
    from chitieu.config import data_dir

    out_dir = Path(out_dir)
    root = data_dir()
    results: list[LocalityResult] = []

    def done(r: LocalityResult) -> None:
        results.append(r)
        if progress:
            progress(r)

    _process_temp_dir()  # multiprocessing's own folder (the fork server's socket): outside the run's, it serves
    # every run of this process
    before = {p.pid for p in _descendants()}  # processes that are not this run's
    with RunTemp() as run, _stop_on_signals():
        from chitieu.io.safe import temp_sibling

        pool = cluster = client = None
        jobs: list = []
        snapshots = temp_sibling(out_dir / "snapshots", "tmp")  # beside the reports: a Dask worker elsewhere sees it
        try:
            recover(out_dir)
            snapshots.mkdir(parents=True)
            for p in params:  # snapshot and key in the main process; unchanged reports never reach a worker
                snap = Path(tempfile.mkdtemp(prefix=f"{p.locality}-", dir=snapshots)) / "data"
                started = time.perf_counter()
                try:
                    key = inputs_key(p, snapshot_locality(p.locality, root, snap))
                except Exception as exc:  # unreadable data folder, a lock held too long: this locality fails
                    shutil.rmtree(snap.parent, ignore_errors=True)
                    done(LocalityResult(p.locality, False, time.perf_counter() - started, error=_short_error(exc)))
                    continue
                if not force and unchanged(out_dir / p.locality, key):
                    shutil.rmtree(snap.parent, ignore_errors=True)
                    done(LocalityResult(p.locality, True, time.perf_counter() - started,
                                        headline=_headline(out_dir / p.locality), skipped=True, key=key))
                    continue
                payload = (p.model_dump(), str(out_dir), str(snap), key, force)
                if executor == "dask":
                    jobs.append(payload)
                elif workers <= 1:
                    done(_worker(payload))
                else:
                    if pool is None:
                        pool = _process_pool(workers, run.path)
                    jobs.append(pool.submit(_worker, payload))
            if executor == "dask" and jobs:
                from distributed import Client, LocalCluster
                from distributed import as_completed as dask_completed

                if scheduler:
                    client = Client(scheduler)
                else:
                    cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                           dashboard_address=None)
                    client = Client(cluster)
                for fut in dask_completed(client.map(_worker, jobs, pure=False)):
                    done(fut.result())
            elif pool is not None:
                from concurrent.futures import as_completed

                for fut in as_completed(jobs):
                    done(fut.result())
                pool.shutdown(wait=True)  # workers leave through their finalizers: kernels and browsers stopped
                pool = None
        except BaseException:
            # stopped (a signal) or broken: every process this run started is stopped, earlier reports stay
            mine = [p for p in _descendants() if p.pid not in before]
            if pool is not None:
                workers_now = list(getattr(pool, "_processes", {}).values())
                for proc in workers_now:
                    try:
                        os.kill(proc.pid, signal.SIGTERM)  # the worker kills its kernel and browser, then exits
                    except (ProcessLookupError, OSError):
                        pass
                pids = {proc.pid for proc in workers_now}
                _reap([p for p in mine if p.pid in pids], grace=10)
                pool.shutdown(wait=False, cancel_futures=True)
            _close_dask(client, cluster)
            client = cluster = None
            _hard_stop()
            _reap(mine)
            recover(out_dir)  # the folders of this run's stopped workers (their processes are gone now)
            raise
        finally:
            mine = [p for p in _descendants() if p.pid not in before]  # before Dask's workers orphan their kernels
            _close_dask(client, cluster)
            if executor != "dask" and workers <= 1:
                _stop_kernel()  # the in-process kernel and browser are this run's: stopped with it
                from chitieu.report.imagepage import stop_page

                stop_page()
            _reap(mine + [p for p in _descendants() if p.pid not in before], grace=5)
            shutil.rmtree(snapshots, ignore_errors=True)
    order = {p.locality: i for i, p in enumerate(params)}
    results.sort(key=lambda r: order[r.locality])
    write_index(out_dir, results)
    return results


#: imported once by the fork server, so that no worker pays for them (≈ 2 s a worker: nbformat's jsonschema
#: grammars alone take ≈ 1 s, nbconvert and papermill most of the rest)
FORKSERVER_PRELOAD = ["chitieu.report.runner", "nbformat", "nbclient", "nbconvert.exporters.html", "papermill.iorw",
                      "papermill.parameterize", "jupyter_client.manager", "chitieu.report.charts",
                      "chitieu.report.imagepage", "chitieu.report.sections", "choreographer"]


def _process_pool(workers: int, tmpdir: Path):
    """Worker processes forked from multiprocessing's fork server (never from this process, whose threads — a
    progress bar — could hold a lock at the instant of a fork), each with the run's signal handling and temporary
    folder. The server, started with this module imported once, serves every later run of this process; its socket
    is in multiprocessing's own folder (made before the run's folder, see :func:`run_batch`)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(str(tmpdir),))


def _close_dask(client, cluster) -> None:
    for thing in (client, cluster):
        if thing is not None:
            try:
                thing.close()
            except Exception:  # already closed, or the scheduler went away
                pass


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
    from chitieu.analysis.projection import CATEGORIES, CATEGORY_LABELS_VI
    from chitieu.report.present import VERDICT_LABELS, VERDICT_ORDER, verdict_css

    category_order = [CATEGORY_LABELS_VI[c] for c in CATEGORIES]  # best first, as the report lists them

    failed = {r.locality: r.error for r in results if not r.ok}
    rows = []
    shown_codes = ["exceeded", "met", "not_met", "unknown"]
    folders = sorted(p for p in Path(out_dir).iterdir() if p.is_dir() and not p.name.startswith("."))
    recs = {}
    for folder in folders:
        rec_file = folder / "records.json"
        if not (folder / "report.html").exists() or not rec_file.exists():
            continue
        try:
            rec = json.loads(rec_file.read_text(encoding="utf-8"))
            recs[folder] = rec if isinstance(rec, dict) else {}
        except (OSError, UnicodeDecodeError, ValueError):
            recs[folder] = {}
    if any(isinstance(r.get("counts"), dict) and r["counts"].get("review") for r in recs.values()):
        shown_codes.insert(3, "review")  # a column for rows that need review, only when some do
    for folder, rec in recs.items():
        c = rec.get("counts") if isinstance(rec.get("counts"), dict) else {}
        cats = rec.get("categories") if isinstance(rec.get("categories"), dict) else {}
        status = "lỗi ở lần chạy này — báo cáo cũ" if folder.name in failed else ""
        if not rec:
            status = (status + "; " if status else "") + "records.json không đọc được"
        name = html.escape(str(names.get(folder.name, folder.name)))
        if any(c.get(k) for k in VERDICT_ORDER):
            counts = "".join(f'<td class="num v-{k}">{html.escape(str(c.get(k, 0)))}</td>' if c.get(k) else
                             f'<td class="num">{html.escape(str(c.get(k, 0)))}</td>' for k in shown_codes)
        else:  # no 2020-2025 target at all: say so rather than print zeros
            more = "; xem tiến độ đến 2030" if any(cats.values()) else ""
            counts = f'<td colspan="{len(shown_codes)}">tài liệu không có chỉ tiêu nhiệm kỳ{more}</td>'
        rank = {label: k for k, label in enumerate(category_order)}
        progress = "; ".join(f"{k}: {v}" for k, v in sorted(cats.items(), key=lambda kv: rank.get(kv[0], 99)) if v)
        rows.append(
            f"<tr><td><a href=\"{html.escape(folder.name)}/report.html\">{name}</a></td>{counts}"
            f"<td>{html.escape(progress) or 'chưa có mục tiêu 2030 có số liệu'}</td>"
            f"<td><a href=\"{html.escape(folder.name)}/bieu-ket-qua.xlsx\">Excel</a></td>"
            f"<td>{html.escape(status)}</td></tr>")
    fails = "".join(f'<li style="white-space:pre-wrap">{html.escape(k)}: {html.escape(v)}</li>'
                    for k, v in failed.items())
    heads = "".join(f'<th class="num">{html.escape(VERDICT_LABELS[k])}</th>' for k in shown_codes)
    page = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Báo cáo chỉ tiêu — chitieu</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#222}}
table.chitieu{{border-collapse:collapse}} table.chitieu td, table.chitieu th{{border:1px solid #bbb;padding:4px 8px;
vertical-align:top}} table.chitieu th{{background:#d9e1f2}} p.note{{color:#595959;font-size:13px}}
{verdict_css()}</style></head><body>
<h1>Báo cáo thực hiện chỉ tiêu Nghị quyết</h1>
<p class="note">Số chỉ tiêu Nghị quyết nhiệm kỳ theo đánh giá (xét chiều của chỉ tiêu: chỉ tiêu càng thấp càng tốt
thì dưới mức Nghị quyết là đạt); mỗi chỉ tiêu đếm một lần, như trong báo cáo và bản dự thảo.</p>
<table class="chitieu"><thead><tr><th>Địa phương</th>{heads}
<th>Tiến độ đến 2030 (số chỉ tiêu)</th><th>Biểu</th><th>Ghi chú</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
{'<h2>Không tạo được báo cáo</h2><ul>' + fails + '</ul>' if fails else ''}
{'<p><a href="compare/compare.html">So sánh các địa phương</a></p>' if (Path(out_dir) / "compare" / "compare.html").exists() else ''}
</body></html>"""
    atomic_write_bytes(Path(out_dir) / "index.html", page.encode("utf-8"))
