"""Results tables as analysts read them: Vietnamese labels and number format, CSV, and a formatted Excel sheet."""
from __future__ import annotations

import math
from contextlib import contextmanager
import os
import tempfile
from pathlib import Path

import pandas as pd

from chitieu.core.numfmt import format_pct_vi, format_vi
from chitieu.io.safe import atomic_write_bytes

__all__ = ["CSV_COLUMNS", "LABELS_VI", "display_frame", "to_csv", "write_xlsx"]

CSV_COLUMNS = ["indicator", "name", "unit", "kind", "direction", "target_comparator", "target", "actual_comparator",
               "actual", "actual_year", "actual_status", "ratio_pct", "ratio_exact", "published_ratio_pct", "verdict",
               "margin", "flags", "source", "actual_source"]
LABELS_VI = {
    "name": "Chỉ tiêu", "unit": "Đơn vị", "target": "Nghị quyết", "actual": "Kết quả", "actual_year": "Năm",
    "ratio_pct": "Tỷ lệ đạt (%)", "published_ratio_pct": "Báo cáo ghi (%)", "verdict_vi": "Đánh giá",
    "margin": "Chênh lệch", "flags_vi": "Lưu ý", "source": "Nguồn",
}
MISSING = "chưa có số liệu"
_COMP_VI = {">=": "≥ ", ">": "> ", "<=": "≤ ", "<": "< ", "=": "", "": ""}


def _num(x, decimals=None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return MISSING
    return format_vi(float(x), decimals)


def display_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The results table with Vietnamese labels and numbers written the Vietnamese way (text cells)."""
    from chitieu.analysis.achievement import FLAG_VI

    out = pd.DataFrame({
        LABELS_VI["name"]: table["name"],
        LABELS_VI["unit"]: table["unit"],
        LABELS_VI["target"]: [_COMP_VI.get(c, "") + _num(v) if not pd.isna(v) else (r or MISSING)
                              for c, v, r in zip(table["target_comparator"], table["target"], table["target_raw"])],
        LABELS_VI["actual"]: [_COMP_VI.get(c, "") + _num(v, 2 if isinstance(v, float) and not float(v).is_integer()
                                                          and len(repr(v)) > 8 else None)
                              if not pd.isna(v) else (r or MISSING)
                              for c, v, r in zip(table["actual_comparator"], table["actual"], table["actual_raw"])],
        LABELS_VI["actual_year"]: [MISSING if pd.isna(y) else str(int(y)) for y in table["actual_year"]],
        LABELS_VI["ratio_pct"]: [_num(v, int(d)) for v, d in zip(table["ratio_pct"], table["decimals"])],
        LABELS_VI["published_ratio_pct"]: [_num(v) if not pd.isna(v) else (r or "") for v, r in
                                           zip(table["published_ratio_pct"], table["published_raw"])],
        LABELS_VI["verdict_vi"]: table["verdict_vi"],
        LABELS_VI["flags_vi"]: ["; ".join(FLAG_VI.get(f, f) for f in fl.split("; ") if f) for fl in table["flags"]],
        LABELS_VI["source"]: table["source"],
    })
    return out


def to_csv(table: pd.DataFrame) -> str:
    """Machine CSV (dot decimals) with the documented columns."""
    frame = table.reindex(columns=CSV_COLUMNS).copy()
    frame["actual_year"] = frame["actual_year"].astype("Int64")
    return frame.to_csv(index=False, lineterminator="\n")




_FILL = {"exceeded": "C6EFCE", "met": "DDEBF7", "not_met": "FFC7CE", "unknown": "EDEDED"}


def write_xlsx(table: pd.DataFrame, path: Path, *, title: str) -> None:
    """A formatted sheet: title, Vietnamese headers, numbers as numbers, verdict colours, frozen header."""
    from io import BytesIO

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from chitieu.analysis.achievement import FLAG_VI

    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu kết quả"
    headers = ["STT", "Chỉ tiêu", "Đơn vị", "Nghị quyết", "Kết quả", "Năm", "Tỷ lệ đạt (%)", "Báo cáo ghi (%)",
               "Đánh giá", "Lưu ý", "Nguồn"]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.fill = PatternFill("solid", fgColor="D9E1F2")

    def val(v, raw):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
            return raw or MISSING
        return float(v)

    for i, r in enumerate(table.itertuples(index=False), start=1):
        flags = "; ".join(FLAG_VI.get(f, f) for f in r.flags.split("; ") if f)
        ws.append([i, r.name, r.unit, val(r.target, r.target_raw), val(r.actual, r.actual_raw),
                   None if pd.isna(r.actual_year) else int(r.actual_year), val(r.ratio_pct, ""),
                   val(r.published_ratio_pct, r.published_raw), r.verdict_vi, flags, r.source])
        row = ws.max_row
        ws.cell(row, 7).number_format = "0" if int(r.decimals) == 0 else "0." + "0" * int(r.decimals)
        for col in (4, 5):
            ws.cell(row, col).number_format = "#,##0.##"
        ws.cell(row, 9).fill = PatternFill("solid", fgColor=_FILL.get(r.verdict, "FFFFFF"))
        for cell in ws[row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for col, width in zip(range(1, 12), (5, 48, 14, 14, 14, 7, 11, 14, 12, 40, 30)):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "C3"
    save_workbook(wb, path)


def save_workbook(wb, path: Path) -> None:
    """Save an openpyxl workbook atomically and byte-identically on every run (no time of saving inside)."""
    from io import BytesIO

    wb.properties.creator = "chitieu"
    wb.properties.created = wb.properties.modified = _FIXED_TIME
    buf = BytesIO()
    wb.save(buf)
    atomic_write_bytes(Path(path), _deterministic_zip(buf.getvalue()))


_FIXED_TIME = __import__("datetime").datetime(2000, 1, 1)


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook, byte for byte, on every run: fixed entry times in the zip and in ``docProps/core.xml``
    (openpyxl stamps the time of saving), so two runs on the same data give identical files."""
    import re
    import zipfile
    from io import BytesIO

    src = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", body)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, body)
    return out.getvalue()
