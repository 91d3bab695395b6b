"""`chitieu import`: a Biểu kết quả from .docx / .xlsx / tab-separated text into data/, through the quantity parser.

Reference values come from the documents: the Mường Ảng table (seed 002, lines 788-849) and its ratios as
`chitieu table muong-ang` computes them from the hand transcription in data/muong-ang/, and the small table in
tests/fixtures/bieu_nho.tsv, whose expected values are written out below with their arithmetic.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest

from chitieu.errors import InputError
from chitieu.io import importer, tableparse
from chitieu.io.data import SOURCE, check, load_locality
from conftest import DATA, ROOT, run_cli

SEED = "002_12d62f31151c975c.txt"
FIXTURE = ROOT / "tests" / "fixtures" / "bieu_nho.tsv"
NEW = ["--name", "huyện Thử nghiệm", "--level", "huyen", "--province", "Điện Biên"]


def tree_digest(root: Path) -> str:
    """A hash of every file under root (names and bytes): 'nothing in data/ changed'."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def seed_table_rows() -> tuple[list[list[str]], list[int]]:
    """The Mường Ảng table as rows of cells, with the seed line of each row (blank lines skipped)."""
    lines = (DATA / "sources" / SEED).read_text(encoding="utf-8").splitlines()
    rows, numbers = [], []
    for no in range(788, 850):
        if lines[no - 1].strip():
            rows.append(lines[no - 1].split("\t"))
            numbers.append(no)
    return rows, numbers


def write_docx(rows: list[list[str]], path: Path, *, title: str = "BIỂU KẾT QUẢ") -> None:
    import docx

    d = docx.Document()
    d.add_paragraph(title)
    width = max(len(r) for r in rows)
    table = d.add_table(rows=len(rows), cols=width)
    for i, r in enumerate(rows):
        for j, text in enumerate(r):
            table.cell(i, j).text = text
    d.save(str(path))


def table_csv(loc: str, data: Path) -> list[dict]:
    res = run_cli("table", loc, "--format", "csv", data=data)
    assert res.returncode == 0, res.stderr
    return list(csv.DictReader(io.StringIO(res.stdout)))


# --------------------------------------------------------------------------------------------
# The round trip: a .docx of the Mường Ảng table gives the ratios of `chitieu table muong-ang`
# --------------------------------------------------------------------------------------------

def test_docx_round_trip_gives_the_same_ratios(tmp_path, data_copy):
    rows, seed_lines = seed_table_rows()
    path = tmp_path / "bieu-muong-ang.docx"
    write_docx(rows, path)
    before = tree_digest(DATA)
    res = run_cli("import", str(path), "--locality", "muong-ang-docx", *NEW, data=data_copy)
    assert res.returncode == 0, res.stderr
    assert "Cần rà soát" in res.stdout and "dòng thiếu ô STT" in res.stdout  # line 844 is shifted one cell left
    assert tree_digest(DATA) == before  # only the copy was written
    # the terminal lists the doubtful cells in the review file's order (most consequential first)
    review = list(csv.DictReader(io.StringIO((data_copy / "muong-ang-docx" / "review.csv").read_text("utf-8-sig"))))
    listed = [line for line in res.stdout.split("Cần rà soát", 1)[1].splitlines()[1:] if line.startswith("  [")]
    assert len(listed) == len(review) >= 1
    assert [f"dòng {r['line']}" in line for r, line in zip(review, listed)] == [True] * len(review)
    assert [int(r["impact"]) for r in review] == sorted((int(r["impact"]) for r in review), reverse=True)

    imported = table_csv("muong-ang-docx", data_copy)
    # the reference: what `chitieu table muong-ang --format csv` prints (same function, called in process)
    from chitieu.analysis.achievement import results_table
    from chitieu.report.tables import to_csv

    reference = list(csv.DictReader(io.StringIO(to_csv(results_table(load_locality("muong-ang", data_copy))))))
    # the docx row k (1 = header) is seed line seed_lines[k - 1]; compare rows that hold one measure in the
    # hand transcription (lines 812, 821 … split into several indicators are left out)
    per_line: dict[int, list[dict]] = {}
    for r in reference:
        m = re.fullmatch(rf"{SEED}:(\d+)", r["source"])
        if m:
            per_line.setdefault(int(m.group(1)), []).append(r)
    compared, differing = 0, []
    for r in imported:
        row = int(r["source"].rsplit(":", 1)[1])
        line = seed_lines[row - 1]
        refs = per_line.get(line, [])
        if len(refs) != 1:
            continue
        compared += 1
        if r["ratio_pct"] != refs[0]["ratio_pct"]:
            differing.append((line, r["ratio_pct"], refs[0]["ratio_pct"]))
    assert differing == []
    assert compared >= 34  # 35 single-measure rows of the table have a 2025 target
    by_line = {seed_lines[int(r["source"].rsplit(":", 1)[1]) - 1]: r for r in imported}
    # independent values, from the table's own cells:
    assert float(by_line[798]["ratio_pct"]) == 141.0   # 2.815 ha / 2.000 ha = 140,75 → 141
    assert float(by_line[796]["ratio_pct"]) == 103.0   # '17,500' read as 17 500 t: 17 500 / 17 000 = 102,94 → 103
    assert float(by_line[801]["ratio_pct"]) == 63.0    # 'Trên 5%/năm' / 8 = 62,5 → 63 (half up)
    assert float(by_line[819]["ratio_pct"]) == 61.0    # 28 / 45,6 = 61,40 (the table prints 62%)
    assert float(by_line[821]["ratio_pct"]) == 182.0   # 6,37 / 3,5 = 182 (the cell's second number, per year)
    assert float(by_line[814]["ratio_pct"]) == 101.13  # 15.248 / 15.078 = 101,127 → 101,13 (2 decimals printed)
    assert float(by_line[844]["ratio_pct"]) == 97.47   # shifted row read back in place: 97,47 / 100
    assert check(data_copy) == []


def test_imported_sources_validate_like_the_seeds(tmp_path, data_copy):
    rows, _ = seed_table_rows()
    path = tmp_path / "bieu.docx"
    write_docx(rows[:12], path)
    result = importer.import_table(path, "ma-nho", root=data_copy, name="huyện Nhỏ", level="huyen",
                                   province="Điện Biên")
    assert re.fullmatch(r"9\d\d_[0-9a-f]{16}\.txt", result.source_file)
    copy_lines = (data_copy / "sources" / result.source_file).read_text(encoding="utf-8").splitlines()
    assert copy_lines[0].split("\t")[:2] == ["STT", "Lĩnh vực"]  # one line per table row, tab-separated
    loc = load_locality("ma-nho", data_copy)
    for _, rec in loc.values.iterrows():
        m = SOURCE.match(rec["source"])
        assert m and m["file"] == result.source_file
        assert rec["raw"] in copy_lines[int(m["line"]) - 1]
    assert (data_copy / "ma-nho" / "IMPORT.md").exists()
    assert "ma-nho,huyện Nhỏ,huyen,Điện Biên,2020,2025,2030" in (data_copy / "localities.csv").read_text("utf-8")
    assert check(data_copy) == []
    # importing the same file again reuses the same copy
    again = importer.import_table(path, "ma-nho", root=data_copy, replace=True)
    assert again.source_file == result.source_file


def test_a_seed_text_reuses_the_seed_as_source(data_copy):
    result = importer.import_table(DATA / "sources" / SEED, "ma-txt", root=data_copy, name="huyện M",
                                   level="huyen", province="Điện Biên", dry_run=True)
    assert result.source_file == SEED
    assert result.dry_run and not (data_copy / "ma-txt").exists()


# --------------------------------------------------------------------------------------------
# Parsing: hand-checked cells of tests/fixtures/bieu_nho.tsv
# --------------------------------------------------------------------------------------------

def parsed_fixture():
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines]
    return tableparse.parse_table(rows, term_end=2025, file_label=FIXTURE.name, source_name="901_0000000000000000.txt")


def test_fixture_cells():
    t = parsed_fixture()
    vals = {(v["indicator"], v["status"], v["period"]): v for v in t.values}
    names = {i["id"]: i for i in t.indicators}
    assert set(names) == {"nong_lam_nghiep_va_thuy_san", "dien_tich_ca_phe_co_hieu_qua",
                          "tong_san_luong_luong_thuc_cay_co_hat", "ty_le_ho_ngheo", "truong_dat_chuan_quoc_gia",
                          "cap_giay_chung_nhan_quyen_su_dung_dat_lam_nghiep"}
    # the heading row 'Cơ cấu kinh tế:' names the dash item's group
    assert names["nong_lam_nghiep_va_thuy_san"]["name"] == "Nông, lâm nghiệp và thủy sản (Cơ cấu kinh tế)"
    assert vals[("dien_tich_ca_phe_co_hieu_qua", "target", "2025")]["value"] == 2000   # '2.000 ha'
    assert vals[("tong_san_luong_luong_thuc_cay_co_hat", "estimate", "2025")]["value"] == 17500  # '17,500' t
    # 'Giảm bình quân 3,5%/năm trở lên': a reduction per year with a lower bound
    tgt = vals[("ty_le_ho_ngheo", "target", "2025")]
    assert (tgt["value"], tgt["comparator"]) == (3.5, ">=")
    assert names["ty_le_ho_ngheo"]["kind"] == "reduction_per_year"
    # 'còn 12,58%, so với đầu kỳ giảm 6,37%/năm': the clause in the target's unit (per year), not the first number
    est = vals[("ty_le_ho_ngheo", "estimate", "2025")]
    assert est["value"] == 6.37 and est["raw"] == "so với đầu kỳ giảm 6,37%/năm"
    # x/y with its printed share: the share is the value, the parts are kept
    sch = vals[("truong_dat_chuan_quoc_gia", "estimate", "2025")]
    assert (sch["value"], sch["numerator"], sch["denominator"]) == (91.42, 32, 35)
    # a row missing its STT cell is read one cell to the right; 'Hoàn thành' is a 100% target there
    cert = vals[("cap_giay_chung_nhan_quyen_su_dung_dat_lam_nghiep", "target", "2025")]
    assert cert["value"] == 100.0
    x = vals[("cap_giay_chung_nhan_quyen_su_dung_dat_lam_nghiep", "estimate", "2024")]
    assert abs(x["value"] - 4686.23 / 5153.01 * 100) < 1e-9  # 90,94%
    kinds = {(r.row, r.kind) for r in t.review}
    assert (9, "skipped") in kinds  # the continuation row with only a 2030 cell
    assert any(r.row == 8 and "thiếu ô STT" in r.message for r in t.review)
    assert any(r.row == 5 and "đọc là 17.504" in r.message for r in t.review)  # the separator guess is listed
    cmps = {c["indicator"]: c for c in t.comparisons}
    assert cmps["dien_tich_ca_phe_co_hieu_qua"]["value"] == 141
    assert cmps["truong_dat_chuan_quoc_gia"]["value"] is None and cmps["truong_dat_chuan_quoc_gia"]["verdict"] == "Vượt"


def test_header_is_required():
    with pytest.raises(InputError, match="tiêu đề"):
        tableparse.parse_table([["a", "b"], ["1", "2"]], term_end=2025, file_label="x.tsv")


# --------------------------------------------------------------------------------------------
# Other formats and encodings
# --------------------------------------------------------------------------------------------

def test_xlsx_import(tmp_path, data_copy):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["STT", "Chỉ tiêu", "Đơn vị", "Nghị quyết", "Ước thực hiện năm 2025", "So sánh (%)"])
    ws.append([1, "Diện tích cà phê có hiệu quả", "ha", 2000, 2815, 141])
    ws.append([2, "Độ che phủ rừng", "%", 0.34, 0.3439, None])
    ws["D3"].number_format = ws["E3"].number_format = "0.00%"
    path = tmp_path / "bieu.xlsx"
    wb.save(path)
    importer.import_table(path, "ma-xlsx", root=data_copy, name="huyện X", level="huyen", province="Điện Biên")
    loc = load_locality("ma-xlsx", data_copy)
    v = loc.values.set_index(["indicator", "status", "period"])["value"]
    assert v[("dien_tich_ca_phe_co_hieu_qua", "estimate", "2025")] == 2815
    assert abs(v[("do_che_phu_rung", "estimate", "2025")] - 34.39) < 1e-9  # a % cell 0,3439 is 34,39%


def to_cp1258(text: str) -> bytes:
    """Windows-1258 writes the tone marks as combining characters after a base letter (ê, ơ, ư … precomposed)."""
    import unicodedata

    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)


@pytest.mark.parametrize("encoding", ["cp1258", "utf-16"])
def test_windows_1258_and_utf16_text(tmp_path, data_copy, encoding):
    path = tmp_path / f"bieu-{encoding}.txt"
    text = FIXTURE.read_text(encoding="utf-8")
    path.write_bytes(to_cp1258(text) if encoding == "cp1258" else text.encode(encoding))
    result = importer.import_table(path, "ma-enc", root=data_copy, name="huyện E", level="huyen",
                                   province="Điện Biên")
    assert any(encoding.split("-")[0] in n for n in result.notes)
    loc = load_locality("ma-enc", data_copy)
    assert "Diện tích cà phê có hiệu quả" in set(loc.indicators["name"])


# --------------------------------------------------------------------------------------------
# Refusals: clear message, exit code 2, no traceback, nothing in data/ changed
# --------------------------------------------------------------------------------------------

def expect_refusal(res, *words):
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert "Traceback" not in res.stderr
    for w in words:
        assert w in res.stderr, res.stderr


def test_refuses_to_overwrite_without_replace(tmp_path, data_copy):
    before = tree_digest(data_copy)
    res = run_cli("import", str(FIXTURE), "-l", "muong-ang", data=data_copy)
    expect_refusal(res, "--replace", "muong-ang")
    assert tree_digest(data_copy) == before


def test_replace_that_would_break_other_files_is_refused(data_copy):
    # muong-ang's narrative files refer to the table's indicator ids: replacing the table with another one would
    # leave them dangling, so the import is refused and nothing changes
    before = tree_digest(data_copy)
    with pytest.raises(InputError, match="không hợp lệ"):
        importer.import_table(FIXTURE, "muong-ang", root=data_copy, replace=True)
    assert tree_digest(data_copy) == before


def test_replace(data_copy):
    importer.import_table(FIXTURE, "ma-r", root=data_copy, name="huyện R", level="huyen", province="Điện Biên")
    first = (data_copy / "ma-r" / "values.csv").read_bytes()
    (data_copy / "ma-r" / "NOTES.md").write_text("ghi chú của người dùng", encoding="utf-8")
    result = importer.import_table(FIXTURE, "ma-r", root=data_copy, replace=True)
    assert result.replaced
    assert (data_copy / "ma-r" / "values.csv").read_bytes() == first
    assert (data_copy / "ma-r" / "NOTES.md").read_text(encoding="utf-8") == "ghi chú của người dùng"  # kept
    assert not any(p.name.startswith(".import") for p in data_copy.iterdir())


def test_bad_inputs(tmp_path, data_copy):
    import docx

    before = tree_digest(data_copy)
    no_table = tmp_path / "khong-bang.docx"
    d = docx.Document()
    d.add_paragraph("Báo cáo không có bảng.")
    d.save(str(no_table))
    empty = tmp_path / "rong.txt"
    empty.write_bytes(b"")
    garbage = tmp_path / "hong.txt"
    garbage.write_bytes(b"\x81\x8d\x8f\x90\x9d\tabc\n")  # undefined in UTF-8 and in Windows-1258
    fake = tmp_path / "gia.docx"
    fake.write_text("không phải docx", encoding="utf-8")
    new = dict(name="huyện Mới", level="huyen", province="Điện Biên")
    cases = [  # (file, locality, options, words the message must hold)
        (empty, "ma-moi", new, ("rong.txt", "rỗng")),
        (garbage, "ma-moi", new, ("hong.txt", "UTF-8")),
        (fake, "ma-moi", new, ("gia.docx", "không mở được")),
        (tmp_path / "khong-co.docx", "ma-moi", new, ("khong-co.docx",)),
        (tmp_path / "bieu.pdf", "ma-moi", new, ("bieu.pdf", ".docx")),
        (FIXTURE, "Mã Sai", new, ("Mã Sai",)),                                   # not a slug
        (FIXTURE, "ma-moi", dict(new, level="huyện"), ("--level",)),
    ]
    (tmp_path / "bieu.pdf").write_bytes(b"%PDF-1.4")
    for path, loc, opts, words in cases:
        with pytest.raises(InputError) as info:
            importer.import_table(path, loc, root=data_copy, **opts)
        for w in words:
            assert w in str(info.value), str(info.value)
    # through the command: exit code 2, the file named, no traceback
    expect_refusal(run_cli("import", str(no_table), "-l", "ma-moi", *NEW, data=data_copy),
                   "khong-bang.docx", "không có bảng")
    expect_refusal(run_cli("import", str(FIXTURE), "-l", "ma-moi", data=data_copy), "ma-moi", "--name")
    assert tree_digest(data_copy) == before


def test_header_over_two_rows_with_merged_cells(data_copy):
    """'Kết quả thực hiện' merged over 'Năm 2024 | Năm 2025' (fixture built by tests/fixtures/bad/make_fixtures.py
    from seed 002 line 799: fruit trees 509 ha in 2024, 509,1 ha in 2025)."""
    from conftest import ROOT, run_cli
    from chitieu.io.data import load_locality

    fixture = ROOT / "tests" / "fixtures" / "bad" / "tieu_de_gop_o.xlsx"
    out = run_cli("import", str(fixture), "--locality", "thu", "--name", "xã Thử (kiểm thử)", "--level", "xa",
                  "--province", "Thử", data=data_copy)
    assert out.returncode == 0, out.stderr
    assert "tiêu đề hai dòng" in out.stdout + out.stderr
    v = load_locality("thu", data_copy).values
    fruit = v[v["indicator"].str.contains("cay_an_qua") & (v["status"] != "target")]
    assert sorted(zip(fruit["period"], fruit["value"])) == [("2024", 509.0), ("2025", 509.1)]


def test_strict_import_writes_nothing_when_a_cell_cannot_be_read(data_copy):
    from conftest import ROOT, run_cli
    from test_bad_inputs import snapshot

    before = snapshot(data_copy)
    fixture = ROOT / "tests" / "fixtures" / "bad" / "bieu_ocr.txt"  # '2.8l5 ha': OCR-damaged
    out = run_cli("import", str(fixture), "--locality", "thu", "--name", "xã Thử", "--level", "xa",
                  "--province", "Thử", "--strict", data=data_copy)
    assert out.returncode == 3 and "2.8l5" in out.stderr and "Traceback" not in out.stderr
    assert snapshot(data_copy) == before
