"""Issue #12: the forms real tables use, each read right or flagged — never a silent wrong ratio.

Expected values are hand arithmetic, written beside each assertion. Tables are small and SYNTHETIC in their
layout; their cells are forms seen in the real corpus (tests/corpus/cells/).
"""
from __future__ import annotations

import csv
import io
import math

import pytest

from chitieu.analysis.achievement import judge_row
from chitieu.io.catalogue import match
from chitieu.io.data import load_catalogue
from chitieu.io.quantity import parse
from chitieu.io.tableparse import column_role, parse_table, table_year


def row_of(target: str, actual: str, name: str = "Chỉ tiêu thử", header=("STT", "Chỉ tiêu", "Chỉ tiêu NQ", "Thực hiện",
                                                                         "So sánh"), printed: str = ""):
    """A one-row table through the import path, judged as the results table judges it."""
    table = parse_table([list(header), ["1", name, target, actual, printed]], term_end=2025, file_label="t.tsv",
                        catalogue=load_catalogue())
    ind = table.indicators[0]
    recs = {("target" if v["status"] == "target" else "actual"): v for v in table.values}
    for r in recs.values():
        r["year"] = int(str(r["period"])[-4:])
    row = judge_row(ind, recs["target"], recs.get("actual"), year=table.year or 2025)
    return row, ind, table


# 1 — x/y counts against a count target ---------------------------------------------------------------------------

@pytest.mark.parametrize("target, actual, x, y", [("27 chỉ tiêu", "24/27", 24, 27), ("19 tiêu chí", "16/19 tiêu chí", 16, 19),
                                                  ("22", "20/22", 20, 22)])
def test_x_of_y_against_a_count_target_is_x_against_the_count(target, actual, x, y):
    row, ind, _ = row_of(target, actual, "Số chỉ tiêu đạt và vượt kế hoạch")
    assert ind["kind"] == "level"
    assert row["ratio_pct"] == round(100 * x / y)  # 24/27 = 88,9 % → 89 (not 329 % "Vượt")
    assert row["verdict"] == "not_met"


def test_x_of_y_with_a_breakdown_in_brackets():
    q = parse("46/57 (10 vượt + 22 đạt …)")
    assert (q.numerator, q.denominator, q.review) == (46, 57, ())


# 2 — minus signs ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", ["-4,13%", "−4,13%", "– 4,13%", "giảm 4,13%", "âm 4,13%", "(−4,13%)"])
def test_every_minus_is_negative(raw):
    assert parse(raw).value == -4.13


def test_a_contracting_sector_is_not_an_exceeded_target():
    row, _, _ = row_of("5%", "−4,13%", "Tốc độ tăng trưởng ngành công nghiệp")
    assert row["ratio_pct"] == -83  # −4,13 / 5 = −82,6 % → −83 (half away from zero), not 181 %
    assert row["verdict"] == "not_met"


def test_a_level_reached_after_a_fall_is_positive():
    assert parse("giảm còn 1,85%").value == 1.85
    assert parse("từ hơn 50% xuống còn 35%").value == 35.0


# 3 — years as labels ---------------------------------------------------------------------------------------------

def test_years_are_labels_not_quantities():
    q = parse("dự toán năm 2021: 1.034 tỷ")
    assert (q.value, q.unit, q.year_labels) == (1034.0, "tỷ đồng", (2021,))
    q = parse("đến năm 2025 đạt 55 - 60 triệu", unit="triệu đồng/người/năm")
    assert (q.value, q.value_high, q.year_labels) == (55.0, 60.0, (2025,))
    q = parse("1.200 tỷ đồng (ước 2021)")
    assert (q.value, q.review) == (1200.0, ())


def test_a_lone_year_like_number_is_doubted():
    assert "year_or_count" in parse("2021").review


# 4 — value, then a change ----------------------------------------------------------------------------------------

def test_a_change_after_the_value_is_not_the_value():
    q = parse("5.700 ha, tăng 12% so với 2020")
    assert (q.value, q.unit) == (5700.0, "ha")
    assert (q.changes[0].value, q.changes[0].unit, q.changes[0].verb) == (12.0, "%", "tăng")
    q = parse("22/23 triệu, tăng 5%")
    assert (q.numerator, q.denominator, round(q.value, 2)) == (22, 23, 95.65)  # 22/23, not the 5 %


def test_a_change_does_not_become_a_mismatch_of_the_printed_ratio():
    row, _, table = row_of("5.000 ha", "5.700 ha, tăng 12% so với 2020", "Diện tích cây ăn quả", printed="114%")
    assert row["ratio_pct"] == 114  # 5.700 / 5.000 = 114 %, as printed: no mismatch blamed on the report
    assert table.comparisons[0]["value"] == 114


# 5 — scale words -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, value, unit, base", [
    ("trên 14 nghìn tấn", 14000, "tấn", 14000), ("63 vạn tấn", 630000, "tấn", 630000),
    ("2,5 ngàn tấn", 2500, "tấn", 2500), ("1,2 nghìn tỷ đồng", 1.2, "nghìn tỷ đồng", 1.2e12),
    ("153 tỷ 900 triệu đồng", 153900, "triệu đồng", 153.9e9), ("2,5 triệu USD", 2.5, "triệu USD", 2.5e6),
    ("1,1 triệu lượt khách", 1.1e6, "lượt", 1.1e6)])
def test_scale_words_are_never_dropped(raw, value, unit, base):
    q = parse(raw)
    assert (q.value, q.unit) == (pytest.approx(value), unit)
    assert q.base_value == pytest.approx(base)


def test_a_target_and_a_result_in_different_scales_are_compared_in_one_unit():
    row, _, _ = row_of("4,6 tỷ USD", "3.503 triệu USD", "Kim ngạch xuất khẩu")
    assert row["target"] == 4.6 and row["actual"] == pytest.approx(3.503)  # 3.503 triệu USD = 3,503 tỷ USD
    assert row["ratio_pct"] == 76  # 3,503 / 4,6 = 76,15 %


# 6 — ranges and approximations -----------------------------------------------------------------------------------

def test_a_range_uses_the_deciding_bound_and_is_met_inside():
    row, _, _ = row_of("3-4%/năm", "3,5%/năm", "Tốc độ tăng trưởng đàn gia súc bình quân")
    assert (row["target"], row["target_high"]) == (3.0, 4.0)
    assert row["ratio_pct"] == 117  # 3,5 / 3 = 116,7 → 117 (the lower bound decides when higher is better)
    assert row["ratio_other_pct"] == 88  # 3,5 / 4 = 87,5 → 88, shown beside
    assert row["verdict"] == "met"  # inside the range
    row, _, _ = row_of("7,5-8,0", "8,1", "Tốc độ tăng trưởng kinh tế")
    assert row["verdict"] == "exceeded" and row["ratio_pct"] == 108  # 8,1 / 7,5 = 108


def test_a_range_under_a_lower_is_better_target_uses_its_upper_bound():
    row, _, _ = row_of("3-4%", "3,5%", "Chỉ số giá tiêu dùng (CPI)")
    assert row["direction"] == "lower" and row["ratio_pct"] == 88  # 3,5 / 4 = 87,5 → 88
    assert row["verdict"] == "met"


@pytest.mark.parametrize("raw", ["Khoảng 4", "gần 4", "xấp xỉ 4", "trên dưới 4"])
def test_approximations(raw):
    q = parse(raw)
    assert (q.value, q.approx) == (4.0, True)


# 7 — header wording and the table's year -------------------------------------------------------------------------

@pytest.mark.parametrize("header, role, status", [
    ("KH", "target", "target"), ("TH", "actual", "actual"), ("KH 2019", "target", "target"),
    ("TH 2020", "actual", "actual"), ("Ước TH", "actual", "estimate"), ("Kế hoạch năm", "target", "target"),
    ("Thực hiện", "actual", "actual"), ("Đạt %", "comparison", None), ("Tỷ lệ đạt", "comparison", None),
    ("So với NQ (%)", "comparison", None), ("So với KH", "comparison", None), ("MT 2030", "target", "target"),
    ("Chỉ tiêu NQ", "target", "target"), ("Đánh giá", "verdict", None), ("Ghi chú", "note", None),
    ("Chỉ tiêu", "name", None), ("ĐVT", "unit", None)])
def test_header_vocabulary(header, role, status):
    r = column_role(header)
    assert (r.role, r.status) == (role, status)


def test_a_plan_year_table_is_about_its_own_year():
    table = parse_table([["STT", "Chỉ tiêu", "KH 2019", "TH 2019", "So với KH (%)"],
                         ["1", "Thu ngân sách", "1.000 tỷ đồng", "1.050 tỷ đồng", "105"]], term_end=2025,
                        file_label="t.tsv")
    assert table.year == 2019
    assert {v["period"] for v in table.values} == {"2019"}
    assert table.comparisons[0]["period"] == "2019"  # the printed comparison is about 2019, not 2025


def test_a_printed_comparison_column_is_never_a_target():
    roles = [column_role(h) for h in ("Đạt %", "So với NQ (%)", "Tỷ lệ đạt")]
    assert all(r.role == "comparison" for r in roles)


# 8 — direction ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Chỉ số giá tiêu dùng (CPI)", "Tỷ lệ lạm phát", "Tỷ lệ hộ nghèo",
                                  "Tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi", "Tỷ suất sinh thô",
                                  "Số vụ tai nạn giao thông", "Tỷ lệ thất nghiệp khu vực thành thị",
                                  "Tỷ lệ tăng dân số tự nhiên", "Số vụ ô nhiễm môi trường"])
def test_lower_is_better_by_name(name):
    _, ind, _ = row_of("2", "1,5", name)
    assert (ind["direction"], ind["direction_source"]) == ("lower", "rule")


def test_an_unknown_direction_is_a_visible_guess_and_the_verdict_needs_review():
    row, ind, table = row_of("10", "12", "Chỉ số thử nghiệm xyz")
    assert ind["direction_source"] == "assumed"
    assert row["verdict"] == "review" and row["verdict_computed"] == "exceeded" and "direction_assumed" in row["review"]
    assert any(r.code == "direction_assumed" for r in table.review)


def test_a_reduction_is_compared_by_its_size():
    row, ind, _ = row_of("Giảm bình quân 3,5%/năm trở lên", "giảm 6,37%/năm", "Tỷ lệ hộ nghèo")
    assert (ind["kind"], ind["direction"]) == ("reduction_per_year", "higher")
    assert row["ratio_pct"] == 182  # 6,37 / 3,5 = 182 %


# 9 — catalogue codes by meaning, not likeness ---------------------------------------------------------------------

def test_catalogue_codes_only_where_the_meaning_matches():
    cat = load_catalogue()
    assert match("Tốc độ tăng trưởng kinh tế", "%/năm", "rate_per_year", cat)[0] != "budget_revenue_growth"
    for crop in ("Diện tích sắn", "Diện tích cây nghệ", "Diện tích gừng"):
        assert match(crop, "ha", "level", cat)[0] == ""  # never the fruit-tree code
    assert match("Diện tích cây ăn quả", "ha", "level", cat)[0] == "fruit_tree_area"


# 10 — review noise ----------------------------------------------------------------------------------------------

def test_a_number_typed_as_a_number_in_excel_is_not_a_separator_guess():
    rows = [["STT", "Chỉ tiêu", "Chỉ tiêu NQ", "Thực hiện"], ["1", "Sản lượng lương thực", "17.000", "17.504"]]
    native = [[None] * 4, [None, None, 17000.0, 17504.0]]
    plain = parse_table(rows, term_end=2025, file_label="t.xlsx")
    typed = parse_table(rows, term_end=2025, file_label="t.xlsx", native=native)
    assert [v["value"] for v in typed.values] == [17000.0, 17504.0]
    assert not [r for r in typed.review if r.code in ("separator_guessed", "against_convention")]
    assert plain.values[1]["value"] == 17504.0 or plain.values[1]["flags"]  # as text: read or flagged


def test_a_separator_the_row_settles_is_not_a_guess():
    table = parse_table([["STT", "Chỉ tiêu", "Chỉ tiêu NQ", "Thực hiện"],
                         ["1", "Diện tích cây ăn quả", "1.000 ha", "1,005 ha"]], term_end=2025, file_label="t.tsv")
    assert table.values[1]["value"] == 1005 and not table.values[1]["flags"]  # 1,005 beside 1.000: 1.005 ha
    assert any(r.code == "against_convention_settled" for r in table.review)  # listed, not in doubt


def test_the_review_is_ranked_by_what_a_wrong_reading_would_change():
    # "17,504 tấn" has no other number in tấn beside it: 17,504 or 17.504? Against "17 nghìn tấn" the verdict flips
    # between the readings (impact 3); the 2024 column's guess changes no verdict (impact 1)
    table = parse_table([["STT", "Chỉ tiêu", "Chỉ tiêu NQ", "TH 2024", "TH 2025"],
                         ["1", "Sản lượng lương thực", "17 nghìn tấn", "16,504 tấn", "17,504 tấn"]],
                        term_end=2025, file_label="t.tsv")
    guesses = [(r.column, r.impact) for r in table.review if r.code == "separator_guessed"]
    assert guesses == [("TH 2025", 3), ("TH 2024", 1)]


def test_flags_travel_to_the_results_table_and_its_csv(tmp_path, data_copy):
    from chitieu.io.data import load_locality
    from chitieu.io.importer import import_table
    from chitieu.analysis.achievement import results_table
    from chitieu.report.tables import to_csv

    src = tmp_path / "bieu.tsv"
    src.write_text("STT\tChỉ tiêu\tChỉ tiêu NQ\tThực hiện\n1\tSản lượng lương thực\t17 nghìn tấn\t17,504 tấn\n"
                   "2\tDiện tích lúa\t2.000 ha\t1.500 ha\n", encoding="utf-8")
    import_table(src, "xa-thu", root=data_copy, name="xã Thử", level="xa", province="Điện Biên")
    table = results_table(load_locality("xa-thu", data_copy))
    grain = table.set_index("name").loc["Sản lượng lương thực"]
    assert grain["verdict"] == "review" and grain["verdict_vi"] == "Cần rà soát"
    assert "separator_guessed" in grain["review"]
    rice = table.set_index("name").loc["Diện tích lúa"]
    assert rice["verdict"] == "not_met" and not rice["needs_review"]  # 1.500 / 2.000 = 75 %, nothing guessed
    rows = list(csv.DictReader(io.StringIO(to_csv(table))))
    assert any("needs_review" in r["flags"] for r in rows)
    review = (data_copy / "xa-thu" / "review.csv").read_text(encoding="utf-8-sig")
    assert "17,504 tấn" in review and "correction" in review.splitlines()[0]


def test_a_correction_in_the_review_file_stops_being_a_guess(tmp_path, data_copy):
    from chitieu.io.data import load_locality
    from chitieu.io.importer import import_table
    from chitieu.analysis.achievement import results_table

    src = tmp_path / "bieu.tsv"
    src.write_text("STT\tChỉ tiêu\tChỉ tiêu NQ\tThực hiện\n1\tSản lượng lương thực\t17 nghìn tấn\t17,504 tấn\n",
                   encoding="utf-8")
    import_table(src, "xa-sua", root=data_copy, name="xã Sửa", level="xa", province="Điện Biên")
    review_path = data_copy / "xa-sua" / "review.csv"
    rows = list(csv.DictReader(io.StringIO(review_path.read_text(encoding="utf-8-sig"))))
    for r in rows:
        if r["raw"] == "17,504 tấn":
            r["correction"] = "17504"  # the person knows: 17.504 tấn, not 17,504 tấn
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    review_path.write_text(buf.getvalue(), encoding="utf-8-sig")
    import_table(src, "xa-sua", root=data_copy, replace=True)
    row = results_table(load_locality("xa-sua", data_copy)).iloc[0]
    assert row["actual"] == 17504 and row["verdict"] == "exceeded" and not row["needs_review"]  # 17.504/17.000 = 103 %
    assert row["ratio_pct"] == 103
    assert "corrected" in (data_copy / "xa-sua" / "values.csv").read_text(encoding="utf-8")
    assert "17,504 tấn" not in (data_copy / "xa-sua" / "review.csv").read_text(encoding="utf-8-sig")


# levels ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["quoc-gia", "tinh", "thanh-pho", "huyen", "thi-xa", "xa", "phuong", "thi-tran"])
def test_every_level_can_be_imported(level, tmp_path, data_copy):
    from chitieu.io.importer import import_table

    src = tmp_path / "b.tsv"
    src.write_text("STT\tChỉ tiêu\tChỉ tiêu NQ\tThực hiện\n1\tDiện tích lúa\t2.000 ha\t1.500 ha\n", encoding="utf-8")
    import_table(src, f"noi-{level}", root=data_copy, name=f"{level} thử", level=level, province="Điện Biên")
    assert f"noi-{level}," in (data_copy / "localities.csv").read_text(encoding="utf-8")


# forms the held-out corpus revealed (each was read silently wrong the first time) -------------------------------

def test_forms_the_held_out_corpus_revealed():
    assert parse("giảm dưới 5%").value == 5.0  # fell to below 5 %: a level, not a fall of 5
    q = parse("9 bác sĩ/10.000 dân")
    assert (q.status, q.value, q.unit) == ("number", 9.0, "bác sĩ/10.000 dân")  # a rate, not 9 of 10.000
    q = parse("quý II/2022 tăng 21,8%")
    assert (q.value, q.unit) == (21.8, "%")  # "quý II/2022" names a period
    assert "scale_doubtful" in parse("hơn 3.000 ngàn hộ nghèo").review  # a thousand written twice?


def test_a_result_in_another_measure_shows_no_ratio():
    """Gia Lai 2023 (tests/fixtures/real_tables, line 9): target '108.000 tỷ đồng', result 'ước tăng 17,57%'. The
    result is a growth, not the retail sales in tỷ đồng: 17,57 / 108.000 printed as "0 %" (old) is a number that
    means nothing. The row keeps its reading and says why, with no ratio and no computed verdict."""
    row, _, _ = row_of("108.000 tỷ đồng", "ước tăng 17,57%", name="Tổng mức bán lẻ hàng hóa và dịch vụ")
    assert "unit_differs" in row["review"] and row["verdict"] == "review"
    assert math.isnan(row["ratio_pct"]) and math.isnan(row["ratio_exact"]) and row["verdict_computed"] == "unknown"
    # a cell in the same measure keeps its ratio
    row, _, _ = row_of("108.000 tỷ đồng", "110.000 tỷ đồng", name="Tổng mức bán lẻ hàng hóa và dịch vụ")
    assert row["ratio_pct"] == 102  # 110.000 / 108.000 = 101,85 → 102


def test_a_result_in_another_measure_is_not_drawn_as_a_bar():
    """The same Gia Lai row in the report's chart: the old chart fell back to actual ÷ target and drew a "0%" bar."""
    import pandas as pd

    from chitieu.report.charts import bullet_chart

    other, _, _ = row_of("108.000 tỷ đồng", "ước tăng 17,57%", name="Tổng mức bán lẻ hàng hóa và dịch vụ")
    same, _, _ = row_of("9 xã", "2 xã", name="Số xã đạt chuẩn nông thôn mới")
    fig = bullet_chart(pd.DataFrame([other, same]))
    drawn = [y for trace in fig.data for y in (trace.y or ())]
    assert drawn and all("ban_le" not in str(y) and "Tổng mức" not in str(y) for y in drawn), drawn
    assert "khác đơn vị" in fig.layout.title.subtitle.text
