"""The quantity parser on the cells the issue names, plus property tests (hypothesis).

Expected values are read off the source documents by hand (the Vietnamese convention: '.' thousands, ',' decimal).
"""
from __future__ import annotations

from _tier import examples
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.core.numfmt import format_vi
from chitieu.io.quantity import QuantityError, parse, parse_row


@pytest.mark.parametrize("raw, value, comparator, unit, per_year", [
    ("2.815 ha", 2815, "=", "ha", False),
    ("509,1 ha", 509.1, "=", "ha", False),
    ("29,2%", 29.2, "=", "%", False),
    ("29.40%", 29.4, "=", "%", False),
    (">39", 39, ">", None, False),
    ("Trên 5%/năm", 5, ">", "%", True),
    ("dưới 1%", 1, "<", "%", False),
    ("Hàng năm kết nạp được từ 130 đảng viên mới trở lên", 130, ">=", "đảng viên", True),
    ("Ước đạt 53.000 người", 53000, "=", "người", False),
    ("16.097,12ha", 16097.12, "=", "ha", False),
    ("101.13%", 101.13, "=", "%", False),
    ("3,5%/năm", 3.5, "=", "%", True),
    ("15,6 tiêu chí/xã", 15.6, "=", "tiêu chí/xã", False),
    ("2.318 tỷ đồng", 2318, "=", "tỷ đồng", False),
    ("5.466,752 tỷ", 5466.752, "=", "tỷ đồng", False),  # a scale word is never dropped (issue #12)
    ("184, 4 ha", 184.4, "=", "ha", False),  # OCR: a space after the decimal comma
    ("Không có xã nào đạt dưới 10 tiêu chí", 10, ">=", "tiêu chí", False),  # "no commune below 10" = at least 10
])
def test_single_numbers(raw, value, comparator, unit, per_year):
    q = parse(raw)
    assert q.status == "number"
    assert q.value == pytest.approx(value)
    assert q.comparator == comparator
    assert q.unit == unit
    assert q.per_year is per_year
    assert q.raw == raw


def test_estimate_word_is_kept():
    assert parse("Ước đạt 53.000 người").estimate is True
    assert parse("53.000 người").estimate is False


def test_x_of_y_with_printed_share():
    q = parse("30/36 trường đạt 83,3%")
    assert (q.status, q.numerator, q.denominator, q.value, q.decimals) == ("fraction", 30, 36, 83.3, 1)


def test_x_of_y_areas_share_computed():
    q = parse("4.686,23ha/5.153,01ha")
    assert (q.numerator, q.denominator) == (4686.23, 5153.01)
    assert q.value == pytest.approx(4686.23 / 5153.01 * 100)  # 90,94%
    assert not q.guessed  # both separators present: not ambiguous


@pytest.mark.parametrize("raw, words", [
    ("Hoàn thành", "completed"), ("Không đạt chỉ tiêu NQ", "not_met"), ("Vượt chỉ tiêu NQ", "exceeded"),
    ("Đạt chỉ tiêu", "met"), ("Giữ vững", "maintained"),
])
def test_words(raw, words):
    q = parse(raw)
    assert q.status == "words" and q.value is None and q.words == words


@pytest.mark.parametrize("raw", ["…", "…%", "tăng …%", "...", "", "   "])
def test_placeholders_are_missing_not_zero(raw):
    q = parse(raw)
    assert q.status == "missing" and q.value is None


def test_footnote_digits_are_not_part_of_the_number():
    q = parse("2.815 ha¹²")
    assert q.value == 2815 and q.footnotes == ("12",)
    assert parse("đạt 9,19%⁴").value == pytest.approx(9.19)


def test_ambiguous_separator_is_flagged():
    q = parse("2.815 ha")
    assert q.value == 2815 and q.guessed and "2.815" in q.guesses[0]
    assert not parse("509,1 ha").guessed


def test_row_context_decides_the_grain_row():
    # seed 002 line 796: 17.000 tấn/năm | 17,504 | 17,500 | ... | 17.000 tấn /năm — the commas group thousands
    cells = ["17.000 tấn/năm", "17,504", "17,500", "17.000 tấn /năm"]
    got = [q.value for q in parse_row(cells)]
    assert got == [17000, 17504, 17500, 17000]
    q = parse_row(cells)[1]
    assert q.guessed and q.against_convention and "các số khác trong dòng" in q.guesses[0]


def test_context_numbers_decide_a_single_cell():
    assert parse("17,504", context=[17000]).value == 17504
    assert parse("17,504", context=[17.2]).value == pytest.approx(17.504)
    assert parse("17,504").value == pytest.approx(17.504)  # no context: the Vietnamese convention (',' decimal)


def test_digits_glued_to_letters_are_unread_not_guessed():
    q = parse("S6 hop tac xa")  # OCR of "Số hợp tác xã"
    assert q.status == "unread" and q.value is None and q.problems
    assert q.raw == "S6 hop tac xa"


def test_dates_are_not_fractions():
    q = parse("đến 31/12/2025")
    assert q.status != "fraction" and q.value is None


def test_not_text_is_the_documented_error():
    with pytest.raises(QuantityError):
        parse(12.5)  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------------------------

vn_numbers = st.one_of(
    st.integers(min_value=0, max_value=10**9).map(float),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False).map(float),
    st.decimals(min_value=0, max_value=999, places=3, allow_nan=False, allow_infinity=False).map(float),
)


@settings(max_examples=examples(400), deadline=None)
@given(x=vn_numbers, unit=st.sampled_from(["", " ha", "%", " tấn", " người", " tỷ đồng"]))
def test_vietnamese_formatting_parses_back(x, unit):
    if unit == "%" and x > 1000:
        x = x % 1000  # by design "1.001%" reads as 1,001%: a percentage above 1000 is not plausible
    if unit == " người":
        x = float(int(x))  # by design counts of people are whole: "1,001 người" reads as 1001
    text = format_vi(x) + unit
    q = parse(text)
    assert q.value is not None, text
    assert math.isclose(q.value, x, rel_tol=0, abs_tol=1e-9), (text, q)


@settings(max_examples=examples(1500), deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_never_crashes(text):
    q = parse(text)
    assert q.raw == text
    assert q.status in {"number", "fraction", "words", "missing", "unread"}
    if q.value is not None:
        assert math.isfinite(q.value)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.text(alphabet="0123456789.,/% haTrêndưới…", max_size=20), min_size=1, max_size=6))
def test_rows_of_number_like_text_never_crash(cells):
    out = parse_row(cells)
    assert [q.raw for q in out] == cells


def test_a_rate_per_one_unit_is_not_an_x_of_y():
    # seed 002 line 541: "250 giường/1 vạn dân" is 250 beds per 10 000 people, not 250 out of 1
    q = parse("250 giường/1 vạn dân")
    assert (q.status, q.value, q.numerator) == ("number", 250, None)
    assert parse("1/1 xã").status == "fraction"  # one commune out of one


def test_square_and_cubic_metres_keep_their_exponent():
    """"km²" was read as "km" with a footnote 2 (an area as a length), "m³" as "m": the exponent after m, km, cm,
    dm, hm is the unit's, a superscript elsewhere is still a footnote."""
    assert (parse("15 km²").unit, parse("15 km²").footnotes) == ("km2", ())
    assert (parse("72.000 m³/năm").value, parse("72.000 m³/năm").unit) == (72000, "m3")
    assert parse("20 m²").unit == "m2"
    assert parse("2.815 ha¹²").footnotes == ("12",)
