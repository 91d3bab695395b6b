"""`chitieu extract`: the rules that read targets and results out of running text, and the measured figures.

Expected values are read from the sentences by hand (the arithmetic is written beside each), or come from hand
labels made without the extractor: the dev corpus (tests/corpus/extract/dev, tests/corpus/README.md section 3) and
the hand transcription of the three seed reports in data/. None of it existed before `extract`: every test here
fails on the code as it was before (no `chitieu.analysis.extract`).
"""
from __future__ import annotations

import importlib.util
import sys

import pytest

from chitieu.analysis.extract import ascii_fold, extract_lines
from conftest import ROOT

TERM_2025 = (2025, 2030)  # a 2025 congress: results of 2021-2025, targets to 2030
TERM_2020 = (2020, 2025)


def one(text: str, term=TERM_2025, **kw):
    return extract_lines([text], name="x.txt", term=term, **kw).proposals


def _score_module():
    spec = importlib.util.spec_from_file_location("score_extract", ROOT / "tools" / "score_extract.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["score_extract"] = mod
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------------------------------------------------
# Reading a sentence
# ------------------------------------------------------------------------------------------------------------

def test_value_and_change_with_year_and_base_units():
    ps = one("Thu nhập bình quân đầu người năm 2025 ước đạt 81,8 triệu đồng, tăng 25,7 triệu đồng so với năm 2020.")
    assert [(p.status, p.period, p.kind) for p in ps] == [("estimate", "2025", "level"), ("estimate", "2025", "change")]
    # 81,8 triệu = 81 800 000 đồng; the value as written stays in 'triệu đồng'
    assert ps[0].base_value == pytest.approx(81_800_000) and ps[0].base_unit == "đồng"
    assert (ps[0].value, ps[0].unit) == (81.8, "triệu đồng")
    assert ps[1].base_value == pytest.approx(25_700_000)
    assert ps[0].indicator_name == "Thu nhập bình quân đầu người"
    assert ps[1].indicator_name.startswith("Thu nhập bình quân đầu người (tăng so với năm 2020")
    assert ps[0].raw == "ước đạt 81,8 triệu đồng" and ps[0].source == "x.txt:1"


def test_targets_list_comparators_and_periods():
    ps = one("Phấn đấu đến năm 2030: thu nhập bình quân đầu người đạt 135 triệu đồng trở lên; tốc độ tăng trưởng "
             "kinh tế bình quân đạt 10,2%/năm; tỷ lệ hộ nghèo dưới 1%; tổng vốn đầu tư huy động 5 năm đạt 2.318 tỷ "
             "đồng.")
    got = [(p.status, p.period, p.comparator, p.base_value, p.kind) for p in ps]
    assert got == [("target", "2030", ">=", 135e6, "level"),
                   ("target", "2026-2030", "=", 10.2, "rate_per_year"),
                   ("target", "2030", "<", 1.0, "share"),
                   ("target", "2026-2030", "=", 2318e9, "cumulative")]  # 2.318 tỷ = 2 318 000 000 000 đồng


def test_fall_is_negative_level_after_giam_con_is_not():
    ps = one("Phấn đấu tỷ lệ hộ nghèo giảm bình quân 0,39%/năm.")
    assert (ps[0].base_value, ps[0].kind, ps[0].status) == (-0.39, "reduction_per_year", "target")
    ps = one("Nhiệm kỳ qua, tỷ lệ hộ nghèo giảm còn 8,07%, giảm 12,8% so với đầu nhiệm kỳ.", term=TERM_2020)
    assert [(p.base_value, p.kind) for p in ps] == [(8.07, "share"), (-12.8, "change")]
    assert all(p.status == "actual" for p in ps)


def test_per_year_or_over_the_span_is_read_from_the_sentence_not_from_the_name():
    """Forms met on fresh news accounts of 2025 commune congresses (sentences written here in their wording): the
    "bình quân" of "thu nhập bình quân" is not a per-year cue, so a total growth to 2030 is not a pace per year; a
    count "hằng năm" is per year, not a total over the term; a unit followed by "…" is still a unit."""
    ps = one("Nhiệm kỳ 2025-2030 đề ra các chỉ tiêu: thu nhập bình quân đầu người trên địa bàn đến năm 2030 so với "
             "năm 2025 tăng 31,6%; tỷ lệ hộ nghèo giảm bình quân mỗi năm 2,1%.")
    assert [(p.base_value, p.kind, p.per_year) for p in ps] == [(31.6, "rate", False),
                                                              (-2.1, "reduction_per_year", True)]
    ps = one("Nghị quyết đề ra 25 chỉ tiêu. Hàng năm kết nạp mới từ 25 đảng viên trở lên.")
    assert [(p.status, p.period, p.comparator, p.base_value, p.kind, p.per_year) for p in ps] == [
        ("target", "2030", ">=", 25.0, "level", True)]
    assert ps[0].indicator_name == "Hàng năm kết nạp mới"  # not "Đảng viên trở lên": a bound's words name nothing
    ps = one("Nhiệm kỳ 2020-2025, kết nạp mới 69 đảng viên.")
    assert [(p.period, p.kind, p.per_year) for p in ps] == [("2020-2025", "cumulative", False)]
    ps = one("Mục tiêu nhiệm kỳ 2025-2030: trung bình mỗi năm giải quyết việc làm cho trên 250 lao động…")
    assert [(p.comparator, p.base_value, p.unit, p.per_year) for p in ps] == [(">", 250.0, "lao động", True)]


def test_the_term_behind_and_its_judged_targets_are_results():
    """A second batch of fresh 2025 accounts (sentences written here in their wording): "đạt và vượt các chỉ tiêu
    chủ yếu Nghị quyết đề ra" judges the old term's targets — what follows are results, not 2030 targets; a
    per-year % of an amount, its "tăng" left in the clause before, is a growth, not a share."""
    ps = one("Sau 5 năm triển khai thực hiện Nghị quyết Đại hội nhiệm kỳ 2020 - 2025, Đảng bộ phường cơ bản thực hiện "
             "đạt và vượt các chỉ tiêu chủ yếu Nghị quyết đề ra. Tổng thu ngân sách Nhà nước trên địa bàn năm 2025 "
             "đạt 85,3 tỷ đồng, đạt 108%. Tổng vốn đầu tư toàn xã hội 5 năm đạt 3.250 tỷ đồng.")
    assert [(p.status, p.period, p.base_value) for p in ps] == [
        ("actual", "2025", 85.3e9), ("actual", "2025", 108.0), ("actual", "2021-2025", 3250e9)]
    ps = one("Nhiệm kỳ 2025-2030 đề ra các chỉ tiêu chủ yếu, trong đó phấn đấu tăng tổng thu ngân sách bình quân từ "
             "10-12%/năm; tổng giá trị sản phẩm bình quân hàng năm từ 12-14%.")
    assert [(p.status, p.kind, p.base_value, p.base_value_high) for p in ps] == [
        ("target", "rate_per_year", 10.0, 12.0), ("target", "rate_per_year", 12.0, 14.0)]
    # an earlier "ước" holds across a standard's span of years
    ps = one("Ước thực hiện đến hết năm 2025, tỷ lệ hộ nghèo đa chiều theo chuẩn nghèo giai đoạn 2021 - 2025 còn "
             "12,58%.")
    assert [(p.status, p.base_value) for p in ps] == [("estimate", 12.58)]


def test_a_growth_over_the_span_is_left_for_review_never_written_as_a_pace(tmp_path):
    """31,6 % from 2025 to 2030 is ≈ 5,6 %/năm: written as 31,6 %/năm it would be a wrong target. --write leaves
    it in the review file."""
    from chitieu.analysis.extract import extract_document
    from chitieu.analysis.extract_write import _plan

    doc = tmp_path / "xa-a.txt"
    doc.write_text("Đại hội Đảng bộ xã A nhiệm kỳ 2025-2030 đề ra các chỉ tiêu: thu nhập bình quân đầu người đến năm "
                   "2030 so với năm 2025 tăng 31,6%; tỷ lệ dân số tham gia bảo hiểm y tế đạt 99,2%.\n", encoding="utf-8")
    _, values, _, doubtful = _plan(extract_document(doc), doc.name, None, set())
    written = [(v["value"], v["raw"]) for v in values]
    assert (99.2, "đạt 99,2%") in written and not any(v == 31.6 for v, _ in written), written
    assert any(p.value == 31.6 and p.kind == "rate" for p in doubtful)


def test_ranges_x_of_y_and_ratio_to_the_resolution():
    ps = one("Giai đoạn 2026-2030 đặt mục tiêu tăng trưởng GRDP đạt 9%-10%/năm; thu ngân sách 75.000 - 80.000 tỉ đồng.")
    assert (ps[0].base_value, ps[0].base_value_high, ps[0].period) == (9, 10, "2026-2030")
    assert (ps[1].base_value, ps[1].base_value_high) == (75_000e9, 80_000e9)
    ps = one("Nhiệm kỳ qua, phường đã hoàn thành 29/30 chỉ tiêu chủ yếu; diện tích cà phê đạt 2.815 ha, đạt 141% "
             "NQĐH.")
    share, coffee, ratio = ps
    assert (share.numerator, share.denominator, share.value) == (29, 30, 96.67)  # 29 ÷ 30 × 100 = 96,67
    assert (coffee.base_value, coffee.base_unit) == (2815, "ha")
    assert (ratio.kind, ratio.value, ratio.reference) == ("ratio", 141, "nghị quyết")


def test_share_printed_beside_its_parts_is_one_statement():
    # 2.055 ÷ 2.168 = 94,79% (printed 94,78%: cut, not rounded) — one proposal with both, not two
    ps = one("Số người tham gia bảo hiểm xã hội là 2.055/2.168 người, đạt 94,78% kế hoạch.")
    assert len(ps) == 1
    assert (ps[0].numerator, ps[0].denominator, ps[0].value) == (2055, 2168, 94.78)


def test_congress_logistics_are_not_proposed():
    ps = one("Dự đại hội có 126 đại biểu chính thức đại diện cho 364 đảng viên trong toàn đảng bộ. Đại hội bầu Ban "
             "Chấp hành gồm 15 đồng chí; xác định 6 nhiệm vụ trọng tâm và 5 dự án trọng điểm. Ngày 20/8/2020, lần "
             "thứ XVI, Nghị quyết số 303/2022/NQ-HĐND.")
    assert ps == []


def test_conflicting_statements_are_both_kept_and_flagged():
    ex = extract_lines(["Tỷ lệ che phủ rừng năm 2025 đạt 36,3%.", "Tỷ lệ che phủ rừng năm 2025 đạt 38%."],
                       name="x.txt", term=TERM_2025)
    assert [p.base_value for p in ex.proposals] == [36.3, 38]
    assert all(p.conflict and not p.accepted for p in ex.proposals)
    assert "x.txt:2" in ex.proposals[0].conflict and "x.txt:1" in ex.proposals[1].conflict


def test_ambiguous_separator_read_with_the_paragraph_and_flagged():
    # every other figure of the paragraph is '2,402 tỷ', '3,136 tỷ' …: '6,950 tỷ' is 6,95 tỷ, not 6 950 tỷ
    ps = one("Năm 2020: 2,402 tỷ đồng; năm 2021: 3,136 tỷ đồng; năm 2022: 5,714 tỷ đồng; năm 2023: 6,950 tỷ đồng.",
             term=TERM_2025)
    assert [p.base_value for p in ps] == pytest.approx([2.402e9, 3.136e9, 5.714e9, 6.95e9])
    assert ps[3].alternatives == [6950e9]


def test_ocr_text_read_through_its_repairs_raw_kept():
    lines = ["Cac chi tiéu chii yéu dén nim 2030", "(2) S6 Hop tac xa duoc thanh 1ap méi: 08 hop tac xa.",
             "(4) Ty 1€ ho nghéo con dudi 20%; thu ngan sach tang binh quan hang nim 10%."] * 3
    ex = extract_lines(lines, name="ocr.txt", term=TERM_2025)
    got = [(p.status, p.base_value, p.base_unit, p.comparator, p.raw) for p in ex.proposals[:3]]
    assert got == [("target", 8, "hợp tác xã", "=", "08 hop tac xa"),
                   ("target", 20, "%", "<", "dudi 20%"),  # 'dudi' = dưới: the raw is the OCR text as printed
                   ("target", 10, "%", "=", "10%")]


def test_ascii_fold_keeps_positions():
    text = "Đạt 2.815 ha, tăng 3,5%/năm"
    assert len(ascii_fold(text)) == len(text) and ascii_fold(text).startswith("dat 2.815 ha, tang")


def test_catalogue_code_only_where_the_meaning_matches():
    import pandas as pd

    cat = pd.DataFrame({"code": ["forest_cover", "income_per_capita"],
                        "name_vi": ["Tỷ lệ che phủ rừng", "Thu nhập bình quân đầu người"],
                        "unit": ["%", "triệu đồng/người/năm"], "kind": ["share", "level"],
                        "direction": ["higher", "higher"]})
    ps = extract_lines(["Năm 2025, tỷ lệ che phủ rừng đạt 36,3%; tỷ lệ che phủ rừng tự nhiên đạt 20%."],
                       name="x.txt", term=TERM_2025, catalogue=cat).proposals
    assert [p.catalogue_code for p in ps] == ["forest_cover", ""]


# ------------------------------------------------------------------------------------------------------------
# Measured against hand labels
# ------------------------------------------------------------------------------------------------------------

def test_dev_corpus_recall_and_precision():
    """37 real texts, 290 hand labels (tests/corpus/extract/dev): the development set, so high figures here are
    expected; the holdout (scored once by the lead with tools/score_extract.py) is the honest measure."""
    score = _score_module()
    out = score.corpus(ROOT / "tests" / "corpus" / "extract" / "dev", show=False)
    assert out["texts"] == 37 and out["target_labels"] + out["result_labels"] == 290
    assert out["target_recall"] >= 0.95
    assert out["result_recall"] >= 0.95
    assert out["precision"] >= 0.95


@pytest.mark.slow
def test_seed_reports_against_their_hand_transcription():
    """The three seeds against data/ (transcribed by hand, not by the extractor). Goals of issue #14: 2030 targets
    recall ≥ 90 %, 2020-2025 results recall ≥ 75 %; precision is reported in docs/EXTRACT.md (met on the numbers the
    transcription reads; not met counting every number it left out)."""
    score = _score_module()
    out = score.seeds(show=False)
    assert out["target_recall"] >= 0.90
    assert out["result_recall"] >= 0.75
    assert out["value_precision"] >= 0.95


def test_a_table_that_cannot_be_read_is_said_not_dropped():
    """A tab-separated block without a recognisable header used to be skipped in silence: its numbers were simply
    not proposed. The extraction's notes now name its lines and why."""
    ex = extract_lines(["Kết quả: thu nhập bình quân đầu người đạt 50 triệu đồng.", "a\t12", "b\t13"], name="x.txt",
                       term=TERM_2020)
    assert any(n.startswith("bảng ở dòng 2–3 không đọc được") and "tiêu đề" in n for n in ex.notes), ex.notes
