"""Time ``chitieu extract`` on a 40-page report without OCR, and OCR pages in parallel against one at a time.

1. **Text layer, 40 pages.** A PDF with a real text layer is built from the narrative of seed 002 (Mường Ảng,
   lines 1-780: the real sentences, repeated until there are 40 pages of 45 lines each, about 1 800 lines of real
   report text). Timed: reading the PDF alone (the baseline: pypdfium2's text extraction), then the whole
   ``extract_document`` (reading + every rule + the tables). Goal of issue #14: under 10 s.
2. **OCR in parallel.** ``n`` pages of seed 003 rendered to 300-dpi images (an image-only PDF, no text layer) and
   read back through Tesseract with 1 worker, then with 2 (this machine has 2 cores): the ratio is the speed-up.

    PYTHONPATH=lib .venv/bin/python benchmarks/bench_extract.py [--ocr-pages N] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from chitieu.analysis.extract import extract_document  # noqa: E402
from chitieu.io import synthetic  # noqa: E402
from chitieu.io.documents import read_document  # noqa: E402

SERIF = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"


def text_pdf(lines: list[str], out: Path) -> None:
    synthetic.text_pdf(lines, out, per_page=45, size=6.0, leading=17, top=810, left=20)


def scan_pdf(paragraphs: list[str], out: Path, pages: int) -> None:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(SERIF, 34)
    imgs = []
    wrapped = [w for para in paragraphs for w in (textwrap.wrap(para, 100) or [""])]
    per_page = 60
    for k in range(pages):
        img = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(wrapped[(k * per_page) % max(1, len(wrapped) - per_page):][:per_page]):
            draw.text((180, 180 + 52 * i), line, font=font, fill=0)
        imgs.append(img)
    imgs[0].save(str(out), save_all=True, append_images=imgs[1:], resolution=300)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ocr-pages", type=int, default=4)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    out: dict = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-extract-"))
    try:
        narrative = (ROOT / "data" / "sources" / "002_12d62f31151c975c.txt").read_text(encoding="utf-8").splitlines()[:780]
        # long paragraphs are wrapped to page lines as a PDF prints them
        lines = [w for line in narrative for w in (textwrap.wrap(line, 150) or [""])]
        pages = 40
        lines = (lines * (pages * 45 // len(lines) + 1))[:pages * 45]
        pdf = tmp / "bao-cao-40-trang.pdf"
        text_pdf(lines, pdf)
        t0 = time.perf_counter()
        doc = read_document(pdf)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        ex = extract_document(pdf)
        t_all = time.perf_counter() - t0
        n_pages = max(ln.page for ln in doc.lines)
        out["text_layer"] = {"pages": n_pages, "lines": len(doc.lines), "proposals": len(ex.proposals),
                             "read_s": round(t_read, 3), "extract_s": round(t_all, 3),
                             "ratio_extract_to_read": round(t_all / t_read, 1)}
        print(f"40-page PDF with a text layer ({n_pages} pages, {len(doc.lines)} lines): read {t_read:.2f} s; "
              f"extract (read + rules + tables) {t_all:.2f} s, {len(ex.proposals)} proposals "
              f"({t_all / t_read:.1f}× the read alone); goal < 10 s")
        if shutil.which("tesseract") and args.ocr_pages > 0:
            seed3 = (ROOT / "data" / "sources" / "003_c7dea64111fd1197.txt").read_text(encoding="utf-8").splitlines()
            scan = tmp / "scan.pdf"
            scan_pdf([x for x in seed3[30:300] if x.strip()], scan, args.ocr_pages)
            times = {}
            for workers in (1, 2):
                t0 = time.perf_counter()
                d = read_document(scan, workers=workers)
                times[workers] = time.perf_counter() - t0
                assert d.ocr
            out["ocr"] = {"pages": args.ocr_pages, "one_worker_s": round(times[1], 2),
                          "two_workers_s": round(times[2], 2), "speedup": round(times[1] / times[2], 2),
                          "s_per_page_two_workers": round(times[2] / args.ocr_pages, 2)}
            print(f"OCR of {args.ocr_pages} scanned pages (300 dpi, Tesseract 'vie'): 1 worker {times[1]:.1f} s, "
                  f"2 workers {times[2]:.1f} s ({times[1] / times[2]:.2f}× faster; "
                  f"{times[2] / args.ocr_pages:.1f} s a page)")
        elif args.ocr_pages > 0:
            print("OCR not timed: Tesseract is not installed (./scripts/bootstrap.sh)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
