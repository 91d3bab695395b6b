"""Static images of many plotly figures at once: one headless Chromium, one page, every figure in one call.

The batch runner exports each report's charts as PNG (2×) and SVG. Through kaleido every image is a separate
request that plots the figure again: 18 images of a Mường Ảng-sized report cost ≈ 4,9 s of browser CPU. Here the
page loads plotly.js once, and one call renders every figure of a report: plotly.js draws the SVG
(``Plotly.toImage``), and the PNG is rasterised **from that same SVG** in the page (a canvas, as plotly.js does
itself for PNG) — one layout per figure instead of two, and no page reload and round trip per image: ≈ 0,8 s
of browser CPU for the same 18 images (``benchmarks/RESULTS.md``). The pictures are kaleido's (same size, same
pixels but for the anti-aliasing of some text); the same figures always give the same bytes: the page is reloaded
before each call, because plotly.js keeps state between plots (``tests/test_runner_images.py``).

One :class:`ChartPage` per process; :meth:`ChartPage.kill` stops the browser at once (for a signal handler), and
its profile lives in the process's temporary folder (the runner gives each run a private one).
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["ChartPage", "figure_spec", "write_images"]

_RENDER_JS = r"""
window.chitieuRender = async function (specs, scale, formats) {
  const out = [];
  for (const s of specs) {
    try {
      const svg = await Plotly.toImage({data: s.data, layout: s.layout, config: {}},
                                       {format: 'svg', width: s.width, height: s.height, scale: scale,
                                        imageDataOnly: true});
      const item = {};
      if (formats.includes('svg')) item.svg = svg;
      if (formats.includes('png')) {
        item.png = await new Promise((resolve, reject) => {
          const img = new Image();
          const canvas = document.createElement('canvas');
          canvas.width = s.width * scale; canvas.height = s.height * scale;
          img.onload = () => {
            canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
            resolve(canvas.toDataURL('image/png').split(',')[1]);
          };
          img.onerror = () => reject(new Error('SVG could not be rasterised'));
          img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
        });
      }
      out.push(item);
    } catch (e) {
      out.push({error: String(e && e.message || e)});
    }
  }
  return JSON.stringify(out);
};
"""


def figure_spec(fig) -> dict:
    """The JSON-ready dict of a figure (a ``go.Figure`` or a figure dict), with its export size, prepared as
    :func:`chitieu.report.charts.export_figures` prepares it (fixed trace uids: the same figure, the same bytes)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from chitieu.report.charts import EXPORT_WIDTH, _export_size

    if isinstance(fig, dict) and isinstance(fig.get("layout", {}).get("template"), dict):
        # a figure as a notebook stores it, its template inside (plotly's own JSON): used as it is — building a go.Figure to write the
        # same JSON back cost ≈ 0,13 s a report; the spec is the same, key for key (checked on 41 report figures)
        layout = fig.get("layout", {})
        template = (layout.get("template") or {}).get("layout", {})
        width = int(layout.get("width") or template.get("width") or EXPORT_WIDTH)
        height = int(layout.get("height") or template.get("height") or 540)
        data = [dict(trace) for trace in fig.get("data", [])]
    else:
        width, height = _export_size(fig)
        spec = json.loads(pio.to_json(fig if isinstance(fig, go.Figure) else go.Figure(fig), validate=False))
        data, layout = spec.get("data", []), spec.get("layout", {})
    for i, trace in enumerate(data):  # plotly draws a random uid otherwise: files differ
        trace.setdefault("uid", f"t{i}")
    return {"data": data, "layout": layout, "width": width, "height": height}


class ChartPage:
    """A headless Chromium holding one page with plotly.js, kept for the life of the process.

    >>> page = ChartPage()                                             # doctest: +SKIP
    >>> page.render([figure_spec(fig)], scale=2.0, formats=("png", "svg"))[0]["png"][:4]   # doctest: +SKIP
    b'\\x89PNG'
    """

    def __init__(self, *, timeout: float = 180.0):
        self.timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._browser = None
        self._tab = None
        self._folder: Path | None = None
        self._lock = threading.Lock()
        self._used = False  # the page has rendered since it was (re)loaded

    # -- life ----------------------------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        return self._browser is not None

    def _call(self, coro, timeout: float | None = None):
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result(timeout or self.timeout)
        except BaseException:
            fut.cancel()
            raise

    def start(self) -> None:
        if self.started:
            return
        from chitieu.report.charts import find_chromium
        from plotly.offline import get_plotlyjs

        browser_path = find_chromium()  # ChartExportError (Vietnamese and English) when there is none
        self._folder = Path(tempfile.mkdtemp(prefix="chitieu-page-"))
        page = self._folder / "page.html"
        page.write_text('<!doctype html><html><head><meta charset="utf-8"><script>window.PlotlyConfig = '
                        '{MathJaxConfig: "local"};</script><script>' + get_plotlyjs() + "</script><script>"
                        + _RENDER_JS + "</script></head><body></body></html>", encoding="utf-8")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="chitieu-chart-page", daemon=True)
        self._thread.start()
        try:
            self._call(self._open(browser_path, page.as_uri()), timeout=60)
        except BaseException as exc:
            self.kill()
            from chitieu.report.charts import ChartExportError

            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise ChartExportError(f"Chromium không khởi động được ({type(exc).__name__}: {exc}) / Chromium failed "
                                   "to start for image export (run scripts/bootstrap.sh, check BROWSER_PATH)") from exc

    async def _open(self, browser_path: str, url: str) -> None:
        import logging

        import choreographer as choreo

        # its watchdog warns "Wait expired, Browser is being closed by watchdog." when the browser ends before the
        # page is closed: on a stopped run (Ctrl-C reaches the browser first) that is expected, and a real failure
        # of the browser surfaces as the export's own error
        logging.getLogger("choreographer.browser_async").setLevel(logging.ERROR)
        browser = choreo.Browser(path=browser_path, headless=True, tmp_dir=str(self._folder))
        self._browser = browser
        await browser.open()
        self._tab = await browser.create_tab(url)
        await self._ready()

    async def _ready(self) -> None:
        deadline = time.monotonic() + 50
        while True:  # the page is a local file: plotly.js is ready in a fraction of a second
            r = await self._tab.send_command("Runtime.evaluate", params={
                "expression": "!window.chitieuStale && typeof window.chitieuRender === 'function' "
                              "&& typeof Plotly === 'object'",
                "returnByValue": True})
            if r.get("result", {}).get("result", {}).get("value") is True:
                return
            if time.monotonic() > deadline:
                raise TimeoutError("plotly.js did not load in the export page")
            await asyncio.sleep(0.05)

    async def _close(self) -> None:
        if self._browser is not None:
            await self._browser.close()

    def close(self) -> None:
        """Stop the browser and remove its page and profile (the way every normal exit takes)."""
        if self._loop is not None and self._browser is not None and self._thread and self._thread.is_alive():
            try:
                self._call(self._close(), timeout=15)
            except BaseException:  # a browser that does not close in time is killed below
                pass
        self.kill()

    def browser_pid(self) -> int | None:
        proc = getattr(self._browser, "subprocess", None)
        return getattr(proc, "pid", None)

    def kill(self) -> None:
        """Stop at once: kill the browser's process group (it runs in a session of its own), stop the loop,
        remove the page and the profile. Safe to call from a signal handler, and more than once."""
        pid = self.browser_pid()
        if pid:
            _kill_tree(pid)
        self._browser = None
        self._tab = None
        if self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._loop.stop)
            except RuntimeError:  # already closed
                pass
            self._loop = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    # -- work ----------------------------------------------------------------------------------------------
    def render(self, specs: list[dict], *, scale: float = 2.0, formats: Iterable[str] = ("png", "svg"),
               chunk: int = 12) -> list[dict[str, bytes]]:
        """Each spec (:func:`figure_spec`) as ``{"png": bytes, "svg": bytes}``; in calls of ``chunk`` figures.

        Raises :class:`chitieu.report.charts.ChartExportError` naming the figure (by position) that failed.
        """
        from chitieu.report.charts import ChartExportError

        formats = [f for f in formats]
        with self._lock:
            self.start()
            out: list[dict[str, bytes]] = []
            for i in range(0, len(specs), chunk):
                part = specs[i:i + chunk]
                try:
                    text = self._call(self._evaluate(part, scale, formats))
                except ChartExportError:
                    raise
                except Exception as exc:
                    self.kill()
                    raise ChartExportError(f"không xuất được ảnh biểu đồ: {type(exc).__name__}: {exc} / image "
                                           "export failed (the browser stopped or did not answer)") from exc
                for j, item in enumerate(json.loads(text)):
                    if "error" in item:
                        raise ChartExportError(f"biểu đồ thứ {i + j + 1}: {item['error']} / chart could not be drawn")
                    out.append({fmt: (item[fmt].encode("utf-8") if fmt == "svg" else base64.b64decode(item[fmt]))
                                for fmt in formats})
            return out

    async def _evaluate(self, specs: list[dict], scale: float, formats: list[str]) -> str:
        if self._used:  # plotly.js keeps state between plots (a legend drawn after the first differs in the order
            # of its SVG attributes): a fresh page for every call, so the same figure always gives the same bytes
            await self._tab.send_command("Runtime.evaluate", params={"expression": "window.chitieuStale = true"})
            await self._tab.send_command("Page.reload", params={"ignoreCache": False})
            await self._ready()
        self._used = True
        expression = (f"window.chitieuRender({json.dumps(specs, ensure_ascii=True)}, {float(scale)!r}, "
                      f"{json.dumps(formats)})")
        r = await self._tab.send_command("Runtime.evaluate", params={
            "expression": expression, "awaitPromise": True, "returnByValue": True})
        if "error" in r:
            raise RuntimeError(str(r["error"]))
        result = r.get("result", {})
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"].get("text", "javascript error")))
        return result["result"]["value"]


def _kill_tree(pid: int) -> None:
    """SIGKILL a process, its process group and every process below it."""
    try:
        import psutil

        try:
            procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
        except psutil.Error:
            procs = []
    except ImportError:  # pragma: no cover - psutil is a dependency
        procs = []
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    for p in procs:
        try:
            p.kill()
        except Exception:  # gone already
            pass
    for p in procs:
        try:
            p.wait(timeout=2)
        except Exception:
            pass


_PAGE: ChartPage | None = None


def page() -> ChartPage:
    """The process's chart page (started on first use; stopped at exit, or by :func:`stop_page`)."""
    global _PAGE
    if _PAGE is None:
        from chitieu.io.safe import on_process_exit

        new = ChartPage()
        on_process_exit(new.close)
        _PAGE = new
    return _PAGE


def stop_page(*, hard: bool = False) -> None:
    """Stop the process's page (``hard``: kill the browser at once, for a signal handler)."""
    global _PAGE
    current, _PAGE = _PAGE, None
    if current is not None:
        (current.kill if hard else current.close)()


def write_images(figs: Mapping[str, object], folder: Path, *, scale: float = 2.0,
                 formats: Iterable[str] = ("png", "svg")) -> list[Path]:
    """Write ``<folder>/<name>.<fmt>`` for every figure, rendered in one call of the process's page. The SVG ids
    are made stable (:func:`chitieu.report.charts._stable_svg`), so the same figure gives the same files."""
    from chitieu.report.charts import ChartExportError, _stable_svg

    formats = tuple(formats)
    for name in figs:
        if not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith("."):
            raise ChartExportError(f"tên biểu đồ không hợp lệ / invalid chart name {name!r}: a plain file name")
    if not figs:
        return []
    images = page().render([figure_spec(f) for f in figs.values()], scale=scale, formats=formats)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, item in zip(figs, images):
        for fmt in formats:
            data = _stable_svg(item[fmt]) if fmt == "svg" else item[fmt]
            path = folder / f"{name}.{fmt}"
            path.write_bytes(data)  # inside the report's temporary folder, moved into place whole
            written.append(path)
    return written
