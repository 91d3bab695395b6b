"""The text of a document, whatever it came in: lines with their page and line numbers, for ``chitieu extract``.

Reads ``.txt`` (UTF-8, UTF-16, Windows-1258), ``.docx`` (one line per paragraph, one per table row with tab-separated
cells, in document order), ``.html`` (a saved news page: one line per block, tables as tab-separated rows; scripts,
menus and footers left out), ``.pdf`` with a text layer (pypdfium2), and scanned PDFs or images (``.png``, ``.jpg``,
``.tif`` …) through OCR: Tesseract with its Vietnamese model (Debian ``tesseract-ocr`` + ``tesseract-ocr-vie``),
pages in parallel, with a progress bar.

OCR text goes through the repair rules of ``chitieu/core/rules/ocr_repairs.csv`` (``Tong`` → ``Tổng``, ``1a`` →
``là``, ``S6`` → ``Số`` …: whole tokens only). Each :class:`DocLine` keeps the text as read (``raw``) beside the
repaired text (``text``). A text file whose words look OCR-damaged (seed 004) gets the same repairs
(``ocr_repairs="auto"``).

Every line says where it came from: ``file:line``, or ``file:page:line`` for a PDF (:meth:`DocumentText.source`).

>>> doc = read_document(Path("data/sources/002_12d62f31151c975c.txt"))     # doctest: +SKIP
>>> doc.source(41)                                                          # doctest: +SKIP
'002_12d62f31151c975c.txt:41'
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from chitieu.errors import InputError
from chitieu.io.text import clean_cell, decode_text

try:  # the lead's normaliser (minus signs, zero-width and thin spaces); plain NFC where it is not there yet
    from chitieu.io.text import normalise as _normalise
except ImportError:  # pragma: no cover
    def _normalise(text: str) -> str:
        return unicodedata.normalize("NFC", text)

__all__ = ["DocLine", "DocumentText", "read_document", "docx_texts", "DOCUMENT_SUFFIXES", "IMAGE_SUFFIXES", "OcrUnavailable",
           "ocr_available", "repair_ocr", "looks_ocr_damaged", "INSTALL_OCR"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp", ".gif")
DOCUMENT_SUFFIXES = (".txt", ".text", ".md", ".docx", ".html", ".htm", ".pdf") + IMAGE_SUFFIXES
INSTALL_OCR = ("cần Tesseract và mô hình tiếng Việt để đọc bản quét (OCR): chạy ./scripts/bootstrap.sh, hoặc "
               "'sudo apt-get install tesseract-ocr tesseract-ocr-vie' (needs the Tesseract OCR engine with its "
               "Vietnamese model)")
_FRONT_MATTER = re.compile(r"^#\s*(title|url|locality|source|date)\s*:", re.IGNORECASE)


class OcrUnavailable(InputError):
    """A scan needs OCR and Tesseract (or its Vietnamese model) is not installed."""


@dataclass
class DocLine:
    text: str  # what is read (OCR repairs applied)
    raw: str  # as read from the file or the OCR engine
    page: int | None = None  # 1-based page (PDF, multi-page image), None for a text file
    line: int = 0  # 1-based line in the file, or on its page
    skip: bool = False  # front matter ('# title: …') — kept for line numbers, not read


@dataclass
class DocumentText:
    name: str
    lines: list[DocLine]
    kind: str  # text | docx | html | pdf | scan
    encoding: str = "utf-8"
    ocr: bool = False  # some text came from OCR
    repaired: int = 0  # lines changed by the OCR repair rules
    meta: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        """The lines to read, one per line of the document (front matter blanked)."""
        return ["" if ln.skip else ln.text for ln in self.lines]

    @property
    def paged(self) -> bool:
        return any(ln.page is not None for ln in self.lines)

    def source(self, number: int) -> str:
        """``file:line`` or ``file:page:line`` of the 1-based line ``number`` of :attr:`lines`."""
        ln = self.lines[number - 1]
        return f"{self.name}:{ln.page}:{ln.line}" if ln.page is not None else f"{self.name}:{ln.line}"


# --------------------------------------------------------------------------------------------
# OCR repairs
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _repairs() -> tuple[tuple[re.Pattern, str], ...]:
    from chitieu.core.rules import table

    out = []
    for row in table("ocr_repairs"):
        damaged = unicodedata.normalize("NFC", row["damaged"])
        pattern = re.compile(r"(?<![\w])" + re.escape(damaged) + r"(?![\w])")
        out.append((pattern, unicodedata.normalize("NFC", row["repaired"])))
    return tuple(out)


def repair_ocr(text: str) -> str:
    """``text`` with every OCR repair rule applied, in the order of the rule table (whole tokens only).

    >>> repair_ocr("Ty 1€ hộ nghèo 1a 5%, trd 1én")
    'Tỷ lệ hộ nghèo là 5%, trở lên'
    """
    for pattern, repaired in _repairs():
        text = pattern.sub(repaired, text)
    # a space after a decimal separator: "184, 4 ha" → "184,4 ha" (never between two numbers of a list: "1, 2")
    return re.sub(r"(?<=\d)([.,]) (?=\d{1,2}\s*(?:ha|%|tấn|km|m2|m3|người|hộ)\b)", r"\1", text)


_DAMAGE = re.compile(r"(?<![\w])(?:1a|S6|s6|x4|x3|trd|1én|nim|ting|v4i|v6i|c6|d6|Ty 1€|Ty 1¢|dong|nguoi|nam|"
                     r"tren|duoi|dat|tang|giam|chi tieu|ty le)(?![\w])")


def looks_ocr_damaged(lines: list[str]) -> bool:
    """Whether a text reads like OCR output that lost its diacritics (seed 004): many plain-ascii words that
    Vietnamese writes with marks (``dat``, ``nam``, ``tang``, ``1a`` …)."""
    sample = " ".join(lines[:2000])
    words = len(re.findall(r"\w+", sample))
    return words > 0 and len(_DAMAGE.findall(sample)) >= max(8, words // 200)


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------

def _lines_from_text(text: str) -> list[DocLine]:
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        line = _normalise(line)
        out.append(DocLine(line, line, None, i))
    return out


def docx_texts(path: Path, *, split_breaks: bool = True) -> list[str]:
    """The text of a .docx in document order: one line per paragraph (split at its line breaks unless
    ``split_breaks`` is false), one per table row with its cells tab-separated (a merged cell once). The zip
    directory is checked first (:func:`chitieu.io.safe.check_zip`: a zip bomb is refused unread)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from chitieu.io.safe import check_zip

    check_zip(path)
    try:
        d = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path.name}: không mở được tệp .docx ({type(exc).__name__})") from None
    texts: list[str] = []
    for block in d.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(block, d).text
            texts.extend((text.split("\n") or [""]) if split_breaks else [text])
        elif tag == "tbl":
            for row in Table(block, d).rows:
                cells, seen = [], []
                for cell in row.cells:
                    cells.append("" if seen and seen[-1] is cell._tc else clean_cell(cell.text))
                    seen.append(cell._tc)
                texts.append("\t".join(cells))
    return texts


def _read_docx(path: Path) -> list[DocLine]:
    return [DocLine(_normalise(t), _normalise(t), None, i) for i, t in enumerate(docx_texts(path), start=1)]


_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article", "header",
               "footer", "ul", "ol", "dl", "dt", "dd", "figcaption", "pre", "main", "body", "caption", "center",
               "address", "figure", "table", "tbody", "thead", "tfoot"}
_SKIP_TAGS = {"script", "style", "noscript", "nav", "iframe", "svg", "form", "button", "select", "template", "head"}


def _read_html(path: Path, raw: bytes) -> list[DocLine]:
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag

    text, _ = decode_text(raw, path.name)
    soup = BeautifulSoup(text, "lxml")
    lines: list[str] = []
    current: list[str] = []

    def flush() -> None:
        joined = re.sub(r"\s+", " ", "".join(current)).strip()
        if joined:
            lines.append(joined)
        current.clear()

    def walk(node) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                current.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name in _SKIP_TAGS:
                continue
            if name == "br":
                flush()
            elif name == "tr":
                flush()
                cells = [clean_cell(c.get_text(" ")) for c in child.find_all(["td", "th"], recursive=False)]
                if any(cells):
                    lines.append("\t".join(cells))
            elif name in _BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)

    walk(soup.body or soup)
    flush()
    return [DocLine(_normalise(t), _normalise(t), None, i) for i, t in enumerate(lines, start=1)]


def ocr_available() -> str | None:
    """None when Tesseract with its Vietnamese model can run, else what to install."""
    exe = shutil.which("tesseract")
    if exe is None:
        return INSTALL_OCR
    try:
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return INSTALL_OCR
    if "vie" not in langs:
        return "Tesseract có, nhưng thiếu mô hình tiếng Việt: 'sudo apt-get install tesseract-ocr-vie' " \
               "(the Vietnamese model is missing)"
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return "thiếu gói Python pytesseract: chạy ./scripts/bootstrap.sh (pip package pytesseract is missing)"
    return None


def _ocr_image(image) -> str:
    import pytesseract

    return pytesseract.image_to_string(image, lang="vie", config="--psm 4")


def _ocr_pages(images_or_render, count: int, name: str, workers: int | None, progress: bool) -> list[str]:
    """OCR ``count`` pages in parallel (Tesseract runs as its own process, so threads suffice); ``images_or_render``
    gives the image of page i (rendering stays in this thread: pdfium is not thread-safe)."""
    missing = ocr_available()
    if missing:
        raise OcrUnavailable(f"{name}: {missing}")
    workers = workers or max(1, min(4, os.cpu_count() or 1))
    # one thread per Tesseract process: pages run side by side, and Tesseract's own OpenMP threads would only
    # compete with them for the same cores
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    texts: list[str | None] = [None] * count
    bar = None
    if progress:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        from rich.console import Console

        bar = Progress(TextColumn(f"OCR {name}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=Console(stderr=True), transient=True)
        task = bar.add_task("ocr", total=count)
        bar.start()
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending = {}
            for i in range(count):
                pending[pool.submit(_ocr_image, images_or_render(i))] = i
                while len(pending) >= 2 * workers:
                    done = next(f for f in list(pending) if f.done()) if any(f.done() for f in pending) else None
                    if done is None:
                        import concurrent.futures as cf

                        finished, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
                        done = next(iter(finished))
                    texts[pending.pop(done)] = done.result()
                    if bar:
                        bar.advance(task)
            for f, i in pending.items():
                texts[i] = f.result()
                if bar:
                    bar.advance(task)
    except Exception as exc:  # a Tesseract failure names the file, never a traceback
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{name}: OCR thất bại ({type(exc).__name__}: {str(exc)[:200]})") from None
    finally:
        if bar:
            bar.stop()
    return [t or "" for t in texts]


def _paged_lines(pages: list[str], ocr_pages: set[int]) -> list[DocLine]:
    out = []
    for p, text in enumerate(pages, start=1):
        for i, line in enumerate(text.splitlines(), start=1):
            line = _normalise(line)
            out.append(DocLine(line, line, p, i))
    return out


def _read_pdf(path: Path, *, ocr: str, workers: int | None, progress: bool, scale: float) -> tuple[list[DocLine], set[int]]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise InputError(f"{path.name}: không mở được tệp PDF ({exc})") from None
    try:
        n = len(pdf)
        pages: list[str] = []
        for i in range(n):
            page = pdf[i]
            tp = page.get_textpage()
            pages.append(tp.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
            tp.close()
            page.close()
        scanned = [i for i, t in enumerate(pages) if len(re.sub(r"\s", "", t)) < 20]
        if ocr == "always":
            scanned = list(range(n))
        if ocr == "never":
            scanned = []
        if scanned:
            def render(k: int):
                page = pdf[scanned[k]]
                image = page.render(scale=scale, grayscale=True).to_pil()
                page.close()
                return image

            texts = _ocr_pages(render, len(scanned), path.name, workers, progress)
            for k, i in enumerate(scanned):
                pages[i] = texts[k]
    finally:
        pdf.close()
    if not any(p.strip() for p in pages):
        raise InputError(f"{path.name}: PDF không có chữ nào (no text layer and nothing read by OCR)")
    return _paged_lines(pages, set(scanned)), {i + 1 for i in scanned}


def _read_image(path: Path, *, workers: int | None, progress: bool) -> list[DocLine]:
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        img = Image.open(path)
        frames = [f.copy() for f in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(f"{path.name}: không mở được ảnh ({type(exc).__name__})") from None
    texts = _ocr_pages(lambda i: frames[i], len(frames), path.name, workers, progress)
    if len(frames) == 1:
        return [DocLine(_normalise(t), _normalise(t), None, i) for i, t in enumerate(texts[0].splitlines(), start=1)]
    return _paged_lines(texts, set(range(1, len(frames) + 1)))


def read_document(path: Path, *, ocr: str = "auto", ocr_repairs: str = "auto", workers: int | None = None,
                  progress: bool = False, scale: float = 300 / 72) -> DocumentText:
    """Read ``path`` into lines (see the module docstring).

    ``ocr``: ``auto`` (OCR the PDF pages without a text layer), ``always``, ``never``. ``ocr_repairs``: ``auto``
    (OCR output, and text that looks OCR-damaged), ``on``, ``off``. Raises :class:`InputError` naming the file for
    anything unreadable, and :class:`OcrUnavailable` (saying what to install) for a scan without Tesseract."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(f"{path}: không có tệp này (file not found)")
    if path.is_dir():
        raise InputError(f"{path}: là một thư mục, cần một tệp (is a folder)")
    if suffix not in DOCUMENT_SUFFIXES:
        raise InputError(f"{path.name}: định dạng không hỗ trợ '{suffix or '(không có đuôi)'}' — dùng .txt, .docx, "
                         ".html, .pdf hoặc ảnh (.png, .jpg, .tif)")
    if path.stat().st_size == 0:
        raise InputError(f"{path.name}: tệp rỗng (empty file)")
    encoding, ocr_used, kind = "utf-8", False, "text"
    notes: list[str] = []
    if suffix == ".docx":
        lines, kind = _read_docx(path), "docx"
    elif suffix in (".html", ".htm"):
        lines, kind = _read_html(path, path.read_bytes()), "html"
    elif suffix == ".pdf":
        lines, scanned = _read_pdf(path, ocr=ocr, workers=workers, progress=progress, scale=scale)
        kind, ocr_used = ("scan" if scanned else "pdf"), bool(scanned)
        if scanned:
            notes.append(f"đọc bằng OCR {len(scanned)} trang không có lớp chữ: "
                         + ", ".join(str(p) for p in sorted(scanned)[:20]) + ("…" if len(scanned) > 20 else ""))
    elif suffix in IMAGE_SUFFIXES:
        lines, kind, ocr_used = _read_image(path, workers=workers, progress=progress), "scan", True
        notes.append("đọc bằng OCR (ảnh)")
    else:
        text, encoding = decode_text(path.read_bytes(), path.name)
        lines = _lines_from_text(text)
    meta: dict[str, str] = {}
    for ln in lines[:6]:
        m = _FRONT_MATTER.match(ln.text)
        if m:
            ln.skip = True
            meta[m.group(1).lower()] = ln.text.split(":", 1)[1].strip()
    if not any(ln.text.strip() for ln in lines if not ln.skip):
        raise InputError(f"{path.name}: tệp không có chữ nào (no text)")
    repair = ocr_repairs == "on" or (ocr_repairs == "auto" and (ocr_used or looks_ocr_damaged(
        [ln.text for ln in lines])))
    repaired = 0
    if repair:
        for ln in lines:
            fixed = repair_ocr(ln.text)
            if fixed != ln.text:
                ln.text = fixed
                repaired += 1
        notes.append(f"sửa lỗi OCR theo bảng quy tắc ocr_repairs ở {repaired} dòng (chuỗi gốc giữ trong cột raw)")
    if encoding not in ("utf-8",):
        notes.append(f"tệp được đọc theo bảng mã {encoding}")
    return DocumentText(path.name, lines, kind, encoding, ocr_used, repaired, meta, notes)
