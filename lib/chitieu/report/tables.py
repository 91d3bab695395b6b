"""Results tables as analysts read them: Vietnamese labels and number format, CSV, and an Excel sheet a statistics
office would ship (numbers as numbers in each row's precision, bounds written inside the number's format
— the cell holds 39 and shows ``trên 39`` —, borders, verdict colours, A4 landscape fitted to the page width,
the header repeated on every printed page, and a sheet that says why when there is nothing to show).

The words and numbers come from :mod:`chitieu.report.present`; the cells are formula-safe
(:func:`chitieu.io.safe.spreadsheet_text`).
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from chitieu.core.vocabulary import COMPARATOR_CELL_VI
from chitieu.io.safe import atomic_write_bytes, spreadsheet_text
from chitieu.report import present
from chitieu.report.present import MISSING

__all__ = ["CSV_COLUMNS", "LABELS_VI", "display_frame", "to_csv", "write_xlsx", "save_workbook", "xlsx_number_format",
           "set_cell", "style_header", "finish_sheet", "write_frame", "verdict_fill", "write_progress_xlsx"]

CSV_COLUMNS = ["indicator", "name", "unit", "kind", "direction", "target_comparator", "target", "target_high",
               "target_raw", "actual_comparator", "actual", "actual_raw", "actual_year", "actual_status", "ratio_pct",
               "ratio_exact", "ratio_other_pct", "published_ratio_pct", "published_raw", "verdict", "verdict_vi",
               "verdict_computed", "needs_review", "review", "margin", "flags", "source", "actual_source"]
LABELS_VI = {
    "name": "Chỉ tiêu", "unit": "Đơn vị", "target": "Nghị quyết", "actual": "Kết quả", "actual_year": "Năm",
    "ratio_pct": "Tỷ lệ đạt (%)", "published_ratio_pct": "Báo cáo ghi (%)", "verdict_vi": "Đánh giá",
    "margin": "Chênh lệch", "flags_vi": "Lưu ý", "source": "Nguồn",
}


def own_file(table: pd.DataFrame) -> str | None:
    """The document most rows of ``table`` come from (its rows' sources are then written ``dòng N``)."""
    if table is None or table.empty or "source" not in table:
        return None
    files = table["source"].map(present.source_file)
    files = files[files != ""]
    return None if files.empty else str(files.mode().iloc[0])


def display_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The results table with Vietnamese labels and numbers written the Vietnamese way (text cells); the hidden
    column ``_verdict`` carries each row's display verdict (for colours)."""
    return present.results_display(table, own_file=own_file(table))


def to_csv(table: pd.DataFrame) -> str:
    """Machine CSV (dot decimals, codes) with the documented columns: the raw strings as printed, the flags and the
    review reasons beside every number, the Vietnamese verdict beside its code; text cells formula-safe."""
    frame = table.reindex(columns=CSV_COLUMNS).copy()
    frame["actual_year"] = frame["actual_year"].astype("Int64")
    if not table.empty:
        frame["verdict_vi"] = [present.verdict_label(present.display_verdict(r)) for _, r in table.iterrows()]
    for col in frame.columns:
        if pd.api.types.is_object_dtype(frame[col]) or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(spreadsheet_text)
    return frame.to_csv(index=False, lineterminator="\n")


# --------------------------------------------------------------------------------------------
# Excel: shared by every workbook chitieu writes (results, compare, project, audit)
# --------------------------------------------------------------------------------------------

_HEADER_FILL = "D9E1F2"


def xlsx_number_format(decimals: int = 0, comparator: str | None = None, suffix: str = "") -> str:
    """An Excel number format for ``decimals`` places, with a bound written inside it (the cell stays a number:
    ``"trên "#,##0`` shows 39 as ``trên 39``) and an optional suffix (``%``)."""
    body = "#,##0" + ("." + "0" * int(decimals) if decimals and decimals > 0 else "")
    prefix = COMPARATOR_CELL_VI.get(comparator or "", "")
    text = (f'"{prefix}"' if prefix else "") + body + (f'"{suffix}"' if suffix else "")
    return text


def set_cell(ws, row: int, col: int, value, *, number_format: str | None = None):
    """Write one cell: a number stays a number (NaN/None → empty), text is formula-safe."""
    cell = ws.cell(row, col)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        cell.value = None
    elif isinstance(value, str):
        cell.value = spreadsheet_text(value)
        cell.data_type = "s"  # never a formula, whatever the text
    elif hasattr(value, "item"):
        cell.value = value.item()
    else:
        cell.value = value
    if number_format and not isinstance(cell.value, str):
        cell.number_format = number_format
    return cell


def _border():
    from openpyxl.styles import Border, Side

    thin = Side(style="thin", color="8C8C8C")
    return Border(left=thin, right=thin, top=thin, bottom=thin)


def style_header(ws, row: int, ncols: int, *, first_col: int = 1) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for col in range(first_col, first_col + ncols):
        cell = ws.cell(row, col)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        cell.border = _border()


def write_frame(ws, frame: pd.DataFrame, *, header_row: int, widths: int = 16, freeze: str | None = None) -> None:
    """A plain frame as a finished sheet from ``header_row`` down: its column names as the header, one row per
    record (numbers stay numbers, text formula-safe), numeric columns right-aligned."""
    cols = list(frame.columns)
    for c, h in enumerate(cols, start=1):
        set_cell(ws, header_row, c, str(h))
    style_header(ws, header_row, len(cols))
    for r, rec in enumerate(frame.itertuples(index=False), start=header_row + 1):
        for c, v in enumerate(rec, start=1):
            set_cell(ws, r, c, v)
    numeric = tuple(i for i, c in enumerate(cols, start=1) if str(frame[c].dtype).startswith(("float", "int", "Int")))
    first = header_row + 1
    finish_sheet(ws, header_row=header_row, first_row=first, last_row=max(first, header_row + len(frame)),
                 ncols=len(cols), widths=[widths] * len(cols), numeric_cols=numeric, freeze=freeze)


def verdict_fill(cell, code: str, *, colors: dict | None = None, text_colors: dict | None = None) -> None:
    """Colour a cell with the verdict's (or category's) one colour, text readable on it."""
    from openpyxl.styles import Font, PatternFill

    colors = colors or present.VERDICT_COLORS
    text_colors = text_colors or present.VERDICT_TEXT_COLORS
    if code not in colors:
        return
    cell.fill = PatternFill("solid", fgColor=colors[code].lstrip("#").upper())
    cell.font = Font(bold=True, color=text_colors.get(code, "#111111").lstrip("#").upper())


def finish_sheet(ws, *, header_row: int, first_row: int, last_row: int, ncols: int, widths: list[int] | tuple,
                 numeric_cols: tuple[int, ...] = (), freeze: str | None = None, landscape: bool = True) -> None:
    """Borders and alignment on the table, column widths, frozen header, and the print set-up of a statistics
    office's sheet: A4, landscape, fitted to one page wide, the header repeated on every page, page numbers."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    border = _border()
    for r in range(first_row, last_row + 1):
        for c in range(1, ncols + 1):
            cell = ws.cell(r, c)
            cell.border = border
            right = c in numeric_cols and not isinstance(cell.value, str)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right" if right else "left")
    for col, width in zip(range(1, ncols + 1), widths):
        ws.column_dimensions[get_column_letter(col)].width = width
    # row heights for wrapped text: neither Excel nor LibreOffice grows a row written by openpyxl by itself
    for r in [header_row, *range(first_row, last_row + 1)]:
        lines = 1
        for c, width in zip(range(1, ncols + 1), widths):
            value = ws.cell(r, c).value
            if isinstance(value, str) and value:
                per_line = max(1.0, width * 1.1 - 1)
                lines = max(lines, sum(math.ceil(max(1, len(part)) / per_line) for part in value.split("\n")))
        if lines > 1:
            ws.row_dimensions[r].height = 15 * lines
    if freeze:
        ws.freeze_panes = freeze
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "Trang &P/&N"


def _note_rows(ws, row: int, ncols: int, lines: list[str]) -> int:
    """Notes under a table, each merged across the table's width; returns the next free row."""
    from openpyxl.styles import Alignment, Font

    for line in lines:
        set_cell(ws, row, 1, line)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row, 1).font = Font(italic=True, color="595959")
        ws.row_dimensions[row].height = 15 * max(1, math.ceil(len(line) / 150))
        row += 1
    return row


RESULT_WIDTHS = (5, 46, 14, 12, 12, 7, 10, 14, 12, 34, 16)


def write_xlsx(table: pd.DataFrame, path: Path, *, title: str, loc=None, year: int | None = None) -> None:
    """The results table as a formatted sheet (*Biểu kết quả*): title, Vietnamese headers, numbers as numbers in
    each row's precision with bounds inside the number format, verdict colours, borders, print set-up, and notes
    (the flags in words, the source document). An empty table gives a sheet that says why; with ``loc``, a second
    sheet lists what the locality does have: its targets for the next term with the latest values.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu kết quả"
    set_cell(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=13)
    headers = present.RESULT_HEADERS
    for c, h in enumerate(headers, start=1):
        set_cell(ws, 2, c, h)
    style_header(ws, 2, len(headers))
    mine = own_file(table)
    row = 3
    notes: list[str] = []
    if table is None or table.empty:
        term = f"năm {year}" if year else "nhiệm kỳ"
        set_cell(ws, row, 1, f"Tài liệu không có chỉ tiêu Nghị quyết cho {term}: không có kết quả nào để so với chỉ "
                             "tiêu. " + ("Các mục tiêu đến năm sau nhiệm kỳ ở trang «Mục tiêu»." if loc is not None
                                         else "Xem các mục tiêu đến 2030 trong báo cáo (report.html)."))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
        ws.row_dimensions[row].height = 32
        finish_sheet(ws, header_row=2, first_row=3, last_row=row, ncols=len(headers), widths=RESULT_WIDTHS)
        if loc is not None:
            _targets_sheet(wb, loc)
        save_workbook(wb, path)
        return
    for i, (_, r) in enumerate(table.iterrows(), start=1):
        code = present.display_verdict(r)
        ratio_dec = int(r["decimals"]) if present.has_number(r.get("decimals")) else 0
        pub = r.get("published_ratio_pct")
        values = [
            (i, None), (str(r["name"]), None), (str(r.get("unit", "") or ""), None),
            (float(r["target"]), xlsx_number_format(present.value_decimals(r["target"]), r.get("target_comparator")))
            if present.has_number(r["target"])
            else (str(r.get("target_raw") or MISSING), None),
            (float(r["actual"]), xlsx_number_format(present.value_decimals(r["actual"], r.get("actual_status")),
                                                    r.get("actual_comparator"))) if present.has_number(r["actual"])
            else (str(r.get("actual_raw") or MISSING), None),
            (int(r["actual_year"]) if present.has_number(r.get("actual_year")) else None, "0"),
            (float(r["ratio_pct"]), xlsx_number_format(ratio_dec)) if present.has_number(r.get("ratio_pct")) else (None, None),
            (float(pub), xlsx_number_format(present.decimals_needed([pub], 2))) if present.has_number(pub)
            else (str(r.get("published_raw") or ""), None),
            (present.verdict_label(code), None),
            ("; ".join(x for x in (present.review_reasons(r),
                                   present.flags_text(r.get("flags", ""), skip=present.QUIET_FLAGS)) if x), None),
            (present.source_label(r.get("source", ""), own_file=mine), None),
        ]
        for c, (v, fmt) in enumerate(values, start=1):
            set_cell(ws, row, c, v, number_format=fmt)
        verdict_fill(ws.cell(row, 9), code)
        note = str(r.get("note", "") or "")
        if note:
            notes.append(f"{r['name']}: {note}")
        row += 1
    last = row - 1
    finish_sheet(ws, header_row=2, first_row=3, last_row=last, ncols=len(headers), widths=RESULT_WIDTHS,
                 numeric_cols=(1, 4, 5, 6, 7, 8), freeze="C3")
    counts = present.verdict_counts(table)
    lines = [f"Tổng hợp: {present.counts_text(counts)}.",
             "Tỷ lệ đạt = kết quả ÷ chỉ tiêu × 100, làm tròn nửa lên như báo cáo; «Đánh giá» xét chiều của chỉ tiêu "
             "(chỉ tiêu càng thấp càng tốt: dưới mức Nghị quyết là đạt)."]
    if mine:
        lines.append(f"Nguồn: {present.document_title(mine)} (tệp {mine}); cột «Nguồn» ghi số dòng trong tài liệu.")
    lines += [f"Ghi chú: {n}" for n in notes]
    _note_rows(ws, last + 2, len(headers), lines)
    if loc is not None:
        _targets_sheet(wb, loc)
    save_workbook(wb, path)


def _targets_sheet(wb, loc, horizon: int | None = None) -> None:
    """A sheet of the locality's targets for the next term, each with its latest value (what it does have)."""
    from chitieu.core.vocabulary import RESULT_STATUSES

    horizon = int(horizon or loc.meta.get("next_term_end") or (loc.term_end + 5))
    ws = wb.create_sheet("Mục tiêu")
    set_cell(ws, 1, 1, f"Mục tiêu đến năm {horizon} — {loc.name}")
    headers = ["STT", "Chỉ tiêu", "Đơn vị", f"Mục tiêu {horizon}", "Giá trị gần nhất", "Năm", "Nguồn"]
    for c, h in enumerate(headers, start=1):
        set_cell(ws, 2, c, h)
    style_header(ws, 2, len(headers))
    v = loc.values
    names = dict(zip(loc.indicators["id"], loc.indicators["name"]))
    units = dict(zip(loc.indicators["id"], loc.indicators["unit"]))
    prec = present.indicator_decimals(loc)
    targets = v[(v["status"] == "target") & (v["year"] == horizon)].drop_duplicates("indicator")
    results = v[v["status"].isin(RESULT_STATUSES) & v["value"].notna()]
    row = 3
    for i, t in enumerate(targets.itertuples(index=False), start=1):
        d = prec.get(t.indicator, 0)
        mine = results[results["indicator"] == t.indicator].sort_values("year")
        last = mine.iloc[-1] if not mine.empty else None
        target = (float(t.value), xlsx_number_format(d, t.comparator)) if present.has_number(t.value) \
            else (str(t.raw or MISSING), None)
        latest = (float(last["value"]), xlsx_number_format(d, last["comparator"])) if last is not None \
            else (MISSING, None)
        cells = [(i, None), (names.get(t.indicator, t.indicator), None), (units.get(t.indicator, ""), None), target,
                 latest, (int(last["year"]) if last is not None else None, "0"),
                 (present.source_label(t.source, own_file=loc.meta.get("source_file")), None)]
        for c, (val, fmt) in enumerate(cells, start=1):
            set_cell(ws, row, c, val, number_format=fmt)
        row += 1
    if row == 3:
        row = _message_row(ws, row, f"Tài liệu chưa có mục tiêu nào đến năm {horizon}.", len(headers))
    finish_sheet(ws, header_row=2, first_row=3, last_row=row - 1, ncols=len(headers),
                 widths=(5, 52, 16, 14, 14, 7, 18), numeric_cols=(1, 4, 5, 6), freeze="C3")


def _message_row(ws, row: int, text: str, ncols: int) -> int:
    """A sheet without rows says why, in one row merged across the table; returns the next row."""
    set_cell(ws, row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    return row + 1


def write_progress_xlsx(progress: pd.DataFrame, machine: pd.DataFrame, loc, path: Path, *, horizon: int) -> None:
    """``chitieu project --format xlsx``: one row per indicator (numbers as numbers in the indicator's precision,
    the target's bound inside its format, the category coloured) and a sheet of every method's projection."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from chitieu.analysis.projection import CATEGORY_LABELS_VI
    from chitieu.report.present import pace_unit, primary_method

    wb = Workbook()
    ws = wb.active
    ws.title = "Tiến độ"
    set_cell(ws, 1, 1, f"Tiến độ đến năm {horizon} — {loc.name}")
    ws["A1"].font = Font(bold=True, size=13)
    headers = ["STT", "Chỉ tiêu", "Đơn vị", "Giá trị gần nhất", "Năm", f"Mục tiêu {horizon}", "Nhịp đã qua",
               "Nhịp cần", "Đơn vị nhịp", f"Dự báo {horizon}", "Thấp nhất (các phương pháp)",
               "Cao nhất (các phương pháp)", "Đánh giá", "Nguồn"]
    for c, h in enumerate(headers, start=1):
        set_cell(ws, 2, c, h)
    style_header(ws, 2, len(headers))
    prec = present.indicator_decimals(loc)
    by_label = {v: k for k, v in CATEGORY_LABELS_VI.items()}
    row = 3
    for i, (ind, part) in enumerate(progress.groupby("indicator", sort=False), start=1):
        r = primary_method(part)
        d = min(2, prec.get(ind, 2))
        basis = str(r.get("pace_basis", "") or "")
        pd_ = 1 if basis == "compound" else d if basis == "average_rate" else min(2, d + 1)
        projected = [float(x) for x in part["projected"] if present.has_number(x)] if "projected" in part else []
        cells = [
            (i, None), (str(r.get("name", ind)), None), (str(r.get("unit", "") or ""), None),
            (r.get("latest_value"), xlsx_number_format(present.value_decimals(r.get("latest_value"), None, d))),
            (int(r["latest_year"]) if present.has_number(r.get("latest_year")) else None, "0"),
            (r.get("target"), xlsx_number_format(present.value_decimals(r.get("target")), r.get("comparator"))),
            (r.get("observed_pace"), xlsx_number_format(pd_)), (r.get("required_pace"), xlsx_number_format(pd_)),
            (pace_unit(basis, str(r.get("unit", "") or "")), None),
            (r.get("projected"), xlsx_number_format(d)),
            (min(projected) if projected else None, xlsx_number_format(d)),
            (max(projected) if projected else None, xlsx_number_format(d)),
            (str(r.get("category_vi", "") or ""), None),
            (present.source_label(r.get("source", ""), own_file=loc.meta.get("source_file")), None),
        ]
        for c, (v, fmt) in enumerate(cells, start=1):
            if isinstance(v, float) and not present.has_number(v):
                v = None  # no number: an empty cell, never "nan"
            set_cell(ws, row, c, v, number_format=fmt)
        code = by_label.get(str(r.get("category_vi", "")), r.get("category"))
        verdict_fill(ws.cell(row, 13), code, colors=present.CATEGORY_COLORS,
                     text_colors={**{k: "#111111" for k in present.CATEGORY_COLORS}, **present.CATEGORY_TEXT_COLORS})
        row += 1
    if row == 3:
        row = _message_row(ws, row, f"Tài liệu chưa có mục tiêu {horizon} nào có số liệu để đánh giá tiến độ.",
                           len(headers))
    finish_sheet(ws, header_row=2, first_row=3, last_row=row - 1, ncols=len(headers),
                 widths=(5, 44, 14, 12, 7, 12, 10, 10, 12, 12, 12, 12, 16, 14),
                 numeric_cols=(1, 4, 5, 6, 7, 8, 10, 11, 12), freeze="C3")
    _note_rows(ws, row + 1, len(headers), [
        "Dự báo: theo phương pháp đo nhịp của chỉ tiêu (tăng trưởng kép cho chỉ tiêu mức, bình quân cho chỉ tiêu "
        "tốc độ); thấp nhất/cao nhất: khoảng giữa các phương pháp. Nhịp cần: nhịp mỗi năm từ giá trị gần nhất để "
        f"vừa đạt mục tiêu {horizon}. Mọi phương pháp: trang «Các phương pháp»."])
    ws2 = wb.create_sheet("Các phương pháp")
    write_frame(ws2, machine, header_row=1, widths=16, freeze="C2")
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
