"""`chitieu audit`: claims of a draft checked against the data and their own arithmetic.

Reference values: lines of seed 002 (read by hand, quoted in the comments), the independent transcription of its
narrative's printed ratios (data/muong-ang/comparisons_narrative.csv, made by someone else), and the small draft
tests/fixtures/du_thao_muong_ang.txt, whose every claim is worked out below.
"""
from __future__ import annotations

import csv
import io

import pytest

from chitieu.analysis import audit
from chitieu.errors import InputError
from conftest import DATA, ROOT, run_cli

SEED = DATA / "sources" / "002_12d62f31151c975c.txt"
DRAFT = ROOT / "tests" / "fixtures" / "du_thao_muong_ang.txt"


@pytest.fixture(scope="module")
def seed_report():
    return audit.audit_document(SEED, "muong-ang", root=DATA)


def findings(report, finding):
    return {(c.line, c.indicator) for c in report.claims if c.finding == finding}


# --------------------------------------------------------------------------------------------
# Seed 002 against its own table
# --------------------------------------------------------------------------------------------

def test_seed_002_contradictions_are_the_verified_ones(seed_report):
    # every one read in the document (see docs/AUDIT.md); no other claim may be called a contradiction
    assert seed_report.self_source == "002_12d62f31151c975c.txt"
    assert findings(seed_report, "contradicts_data") == {
        (131, "budget_revenue"),            # 2025: 22,5 tỷ đồng, 140,6% — table 17 tỷ đồng, 106% (794)
        (185, "national_standard_schools"),  # end 2024: 33/37 — table 2024: 34/37 (831)
        (207, "cultural_agencies"),          # 98,89% — table 98,80% (2024), 98,90% (2025) (832)
        (207, "cultural_villages"),          # 74,58% — table 82,20% / 81,36% (833)
        (207, "cultural_households"),        # 74,01%, 98,7% — table 75,65%, 100,87% (834)
        (431, "ntm_model_villages"),         # "chưa có bản đạt bản NTM kiểu mẫu" — table: 2 (812)
        (431, "ntm_villages"),               # "… và bản NTM" — table: 7 (812)
        (525, "poultry_flock_growth"),       # 2030: 4%/năm — table 5%/năm (801)
        (541, "hospital_beds_per_10k"),      # 2030: 250 giường/1 vạn dân — table 200 (825)
        (581, "cattle_herd_growth"),         # 2030: 1,5%/năm — table 2,5%/năm (800)
        (581, "poultry_flock_growth"),       # 2030: 4%/năm — table 5%/năm (801)
    }
    assert {line for line, _ in findings(seed_report, "arithmetic_fails")} == {
        79,   # 28,9 ÷ 29,2 = 98,97% → 99%, not "99,9%"
        819,  # table row: 28 ÷ 45,6 = 61,40% → 61%, not "62%"
    }


def test_seed_002_details(seed_report):
    by = {(c.line, c.indicator, c.kind): c for c in seed_report.claims}
    budget = by[(131, "budget_revenue", "ratio")]
    assert "17 tỷ đồng" in budget.expected and "106%" in budget.expected and "140,63%" in budget.expected
    # line 231 is the 2024 figure ("Ước thực hiện đến hết năm 2024"): 26,82 ÷ 45,6 = 58,82% → 58,8% — consistent
    labour = by[(231, "trained_labour_share", "ratio")]
    assert labour.finding == "consistent" and labour.year == "2024"
    # "(xã Ấng Cang), đạt 60% NQĐH" spans a page break (lines 95 → 101): (2 + 1) ÷ 5 = 60%
    assert by[(101, "ntm_communes", "ratio")].finding == "consistent"
    # coffee: 2.815 ÷ 2.000 = 140,75% → 141%
    assert by[(87, "coffee_area", "ratio")].finding == "consistent"
    # "tăng 5,85% so với Nghị quyết Đại hội": 89,18 − 30/36 × 100 (83,33) = 5,85 points
    assert by[(185, "national_standard_schools", "change")].finding == "consistent"
    # "… còn 12,58%, bình quân giảm 6,37%/năm, vượt mục tiêu NQĐH": 6,37 ≥ 3,5 points a year, exceeded
    assert by[(229, "poverty_rate_reduction", "verdict")].finding == "consistent"
    # "không đạt mục tiêu Nghị quyết … như: Tổng diện tích cây ăn quả, tổng đàn gia súc, gia cầm"
    assert {c.indicator for c in seed_report.claims if c.line == 421 and c.kind == "verdict"} == {
        "fruit_tree_area", "cattle_herd_growth", "poultry_flock_growth"}


def test_cubic_metres_are_read_as_cubic_metres(seed_report):
    """Line 595 states three 2030 targets in m³ (72.000 m³/năm of stone, 1.800 m³/năm of crushed sand, 1,8 triệu m³
    of water: table lines 803, 804, 806). The 3 of "m3" was taken for the next number and the unit read as "m", so
    the claims were never matched (197 claims became 194, silently). Each is found and consistent."""
    by = {(c.line, c.indicator): c for c in seed_report.claims}
    for ind in ("construction_stone", "crushed_sand", "domestic_water"):
        assert by[(595, ind)].finding == "consistent", ind
    from chitieu.analysis.audit.reading import _read_number

    assert _read_number("đạt 1.800m3/năm, nước", 4, 9)[2] == "m3/năm"


def test_seed_002_finds_every_printed_ratio(seed_report):
    # an independent list: the ratios and verdicts of the narrative transcribed by hand
    lines = set()
    with open(DATA / "muong-ang" / "comparisons_narrative.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            lines.add(int(r["source"].split(":")[1]))
    found = {c.line for c in seed_report.claims if c.kind in ("ratio", "plan", "share", "verdict", "change")}
    assert lines - found == set()


def test_shares_and_plans_are_not_achievement_ratios(seed_report):
    at = lambda line: sorted((c.kind, c.finding) for c in seed_report.claims if c.line == line)  # noqa: E731
    # 203: "2.055/2.168 người, đạt 94,78% kế hoạch" is a share (2.055 ÷ 2.168 = 94,788 → 94,78 cut), and so is
    # "1.150/2.767 người đạt 41,56% kế hoạch" (41,561)
    assert at(203) == [("share", "consistent"), ("share", "consistent")]
    # 109: "9.346/9.536 hộ, đạt 98% số hộ nông thôn …, đạt 100% NQĐH": a share (98,01%) and a ratio (98 ÷ 98)
    kinds = {c.kind for c in seed_report.claims if c.line == 109}
    assert {"share", "ratio", "plan"} <= kinds
    # ratios against a plan, a quota or an estimate are never checked against the resolution
    assert {c.finding for c in seed_report.claims if c.kind == "plan"} == {"cannot_check"}
    assert {c.line for c in seed_report.claims if c.kind == "plan"} >= {59, 65, 121, 165, 201}


# --------------------------------------------------------------------------------------------
# A small draft, every claim worked out by hand
# --------------------------------------------------------------------------------------------

EXPECTED_DRAFT = {
    # line: (kind, finding)
    6: ("ratio", "consistent"),         # 2.815 ÷ 2.000 = 140,75 → 141%
    7: ("ratio", "arithmetic_fails"),   # 34,39 is the table's 2025 value, 34,39 ÷ 34 = 101,15%, not 105%
    8: ("ratio", "contradicts_data"),   # 30 ÷ 45,6 = 65,79 → 66% holds, but the table has 28% for 2025
    9: ("share", "arithmetic_fails"),   # 9/10 = 90%, not 95%
    10: ("plan", "cannot_check"),       # against the plan, not the resolution
    11: ("ratio", "cannot_check"),      # aquaculture has no resolution target in the data
    12: ("verdict", "consistent"),      # poultry 'Trên 5%' against 8%/năm: not met
    17: ("target", "consistent"),       # 2030 forest cover 36,3% = table 36,30%
    18: ("target", "contradicts_data"),  # 2030: 250 beds per 10 000, table 200
}


def claims_by_line(report):
    out = {}
    for c in report.claims:
        out.setdefault(c.line, []).append((c.kind, c.finding))
    return out


def test_fixture_draft():
    report = audit.audit_document(DRAFT, "muong-ang", root=DATA)
    assert report.self_source is None and report.doc_year == 2024
    got = claims_by_line(report)
    for line, expected in EXPECTED_DRAFT.items():
        assert expected in got.get(line, []), (line, got.get(line))
    # line 13: "9.346/9.536 hộ, đạt 98% số hộ nông thôn …, đạt 100% NQĐH" — 98,01% share, 98 ÷ 98 = 100%
    assert sorted(got[13]) == [("ratio", "consistent"), ("share", "consistent")]
    assert report.counts()["contradicts_data"] == 2


def test_docx_draft_and_csv(tmp_path):
    import docx

    d = docx.Document()
    for line in DRAFT.read_text(encoding="utf-8").splitlines():
        d.add_paragraph(line)
    path = tmp_path / "du-thao.docx"
    d.save(str(path))
    res = run_cli("audit", str(path), "--locality", "muong-ang", "--format", "csv", data=DATA)
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {"line", "quote", "stated", "expected", "finding"} <= set(rows[0])
    got = {}
    for r in rows:
        got.setdefault(int(r["line"]), []).append((r["kind"], r["finding"]))
    for line, expected in EXPECTED_DRAFT.items():  # one paragraph per line: same numbers
        assert expected in got.get(line, []), (line, got.get(line))


def test_generated_draft_audits_clean(tmp_path):
    from chitieu.report.draft import write_draft

    result = write_draft("muong-ang", tmp_path, root=DATA, charts=False)
    report = audit.audit_document(result.markdown, "muong-ang", root=DATA)
    counts = report.counts()
    assert counts["contradicts_data"] == 0 and counts["arithmetic_fails"] == 0
    assert counts["consistent"] >= 40


# --------------------------------------------------------------------------------------------
# Pieces
# --------------------------------------------------------------------------------------------

def test_ratio_and_value_matching():
    assert audit.ratio_matches(62.5, 63, 0)            # half up, not half to even
    assert audit.ratio_matches(91.428, 91.42, 2)       # cut, as the reports often do
    assert not audit.ratio_matches(98.97, 99.9, 1)
    assert audit.values_match(26.8, 1, 26.82, "26.82%")  # 26,8 is 26,82 at one decimal
    assert audit.values_match(53207, 0, 53200, "53.200 người")  # 53.200 is rounded to hundreds
    assert not audit.values_match(98.89, 2, 98.80, "98.80%")
    assert not audit.values_match(250, 0, 200, "200 giường")


def test_page_breaks_are_joined():
    lines = ["Ước đến hết năm 2025, có 01 xã cơ bản đạt nông thôn mới (xã Ấng", "",
             "⁵ 03 sản phẩm OCOP.", "", "Cang), đạt 60% NQĐH; 07 bản đạt NTM."]
    paras = audit.paragraphs(lines)
    assert [p.lines for p in paras] == [[1, 5], [3]]
    assert paras[0].line_at(paras[0].text.index("60%")) == 5


def test_units():
    assert audit.unit_compatible("%", "%/năm")          # texts often drop '/năm'
    assert not audit.unit_compatible("%/năm", "%")      # but a rate is not a level
    assert audit.unit_compatible("tấn/năm", "tấn")
    assert not audit.unit_compatible("ha", "%")
    assert not audit.unit_compatible("tiêu chí", "tiêu chí/xã")


def test_bad_inputs(tmp_path):
    empty = tmp_path / "rong.txt"
    empty.write_bytes(b"")
    garbage = tmp_path / "hong.txt"
    garbage.write_bytes(b"\x81\x8d\x8f\x90 abc")
    pdf = tmp_path / "du-thao.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    for path, word in ((empty, "rỗng"), (garbage, "UTF-8"), (pdf, "định dạng"),
                       (tmp_path / "khong-co.txt", "không có tệp")):
        with pytest.raises(InputError) as info:
            audit.audit_document(path, "muong-ang", root=DATA)
        assert path.name in str(info.value) and word in str(info.value)
    with pytest.raises(InputError, match="khong-co-dau"):
        audit.audit_document(DRAFT, "khong-co-dau", root=DATA)
    res = run_cli("audit", str(empty), "-l", "muong-ang", data=DATA)
    assert res.returncode == 2 and "rong.txt" in res.stderr and "Traceback" not in res.stderr


def test_what_the_audit_cannot_read_is_in_its_notes(tmp_path):
    """A tab block the table reader refuses was skipped in silence, its claims never checked; now the report's
    notes say which lines were not checked."""
    draft = tmp_path / "du-thao.txt"
    draft.write_text("Thu nhập bình quân đầu người năm 2025 đạt 39 triệu đồng.\na\t12\nb\t13\n", encoding="utf-8")
    report = audit.audit_document(draft, "muong-ang", root=DATA)
    assert any(n.startswith("bảng ở dòng 2–3 không đọc được") for n in report.notes), report.notes
