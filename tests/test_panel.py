"""`chitieu panel`: a whole long-format panel from a user's file (docs/PANEL.md).

The small panel below is written by hand; its numbers are checked against the per-series functions
(`fit_series`, `assess`) and, for a few, against arithmetic done by hand. Synthetic panels from
benchmarks/gen_national_panel.py (labelled SYNTHETIC) check the vectorised path against the per-series
groupby-apply on many series.
"""
from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from chitieu.analysis.panel import OUTPUT_COLUMNS, assess_panel
from chitieu.core.engine import assess, half_up
from chitieu.core.numfmt import round_half_up
from chitieu.io.panelio import PanelDataError, PanelInputError, panel_from_frame, read_panel, write_csv, write_output
from reference_panel import assess_panel_per_series
from chitieu.analysis.projection import CATEGORIES, CATEGORY_LABELS_VI, fit_series
from conftest import ROOT, run_cli

sys.path.insert(0, str(ROOT / "benchmarks"))
from gen_national_panel import generate  # noqa: E402

HEADER = "locality,indicator,name,period,value,comparator,unit,kind,direction,status,raw,source,note\n"
# Hand-written panel (numbers from the Mường Ảng and Phiêng Pằn documents, localities renamed: not real rows).
SMALL = HEADER + """\
xa-a,fruit_area,Diện tích cây ăn quả,2020,443.15,,ha,level,higher,actual,"443,15",t:1,
xa-a,fruit_area,Diện tích cây ăn quả,2025,1052.4,,ha,level,higher,estimate,"1.052,4",t:2,
xa-a,fruit_area,Diện tích cây ăn quả,2030,1229,>=,ha,level,higher,target,1.229,t:3,
xa-a,coffee_area,Diện tích cà phê,2025,2000,,ha,level,higher,target,2.000,t:4,
xa-a,coffee_area,Diện tích cà phê,2024,2700,,ha,level,higher,estimate,2.700,t:5,
xa-a,coffee_area,Diện tích cà phê,2025,2815,,ha,level,higher,estimate,2.815,t:4,
xa-a,coffee_area,Diện tích cà phê,2030,3000,,ha,level,higher,target,3.000,t:6,
xa-a,poultry_growth,Tốc độ tăng đàn gia cầm,2025,8,,%/năm,rate_per_year,higher,target,8%/năm,t:7,
xa-a,poultry_growth,Tốc độ tăng đàn gia cầm,2025,5,>,%/năm,rate_per_year,higher,estimate,Trên 5%/năm,t:7,
xa-a,poultry_growth,Tốc độ tăng đàn gia cầm,2026-2030,6,,%/năm,rate_per_year,higher,target,6%/năm,t:8,
xa-b,population_growth,"Tỷ lệ phát triển dân số, hằng năm",2025,1.7,<=,%/năm,rate_per_year,lower,target,"1,7%",t:9,
xa-b,population_growth,"Tỷ lệ phát triển dân số, hằng năm",2023,1.6,,%/năm,rate_per_year,lower,actual,"1,6%",t:10,
xa-b,population_growth,"Tỷ lệ phát triển dân số, hằng năm",2024,1.6,,%/năm,rate_per_year,lower,estimate,"1,6%",t:11,
xa-b,population_growth,"Tỷ lệ phát triển dân số, hằng năm",2025,1.5,,%/năm,rate_per_year,lower,estimate,"1,5%",t:9,
xa-b,population_growth,"Tỷ lệ phát triển dân số, hằng năm",2030,1,<,%/năm,rate_per_year,lower,target,dưới 1%,t:12,
xa-b,forest_cover,Tỷ lệ che phủ rừng,2021,30.1,,%,share,higher,actual,"30,1%",t:13,"ghi chú
hai dòng"
xa-b,forest_cover,Tỷ lệ che phủ rừng,2023,31.9,,%,share,higher,actual,"31,9%",t:14,

xa-b,forest_cover,Tỷ lệ che phủ rừng,2025,33.2,,%,share,higher,estimate,"33,2%",t:15,
xa-b,forest_cover,Tỷ lệ che phủ rừng,2030,36,,%,share,higher,target,36%,t:16,
xa-b,new_jobs,Lao động được tạo việc làm,2024,520,,người,cumulative,higher,actual,520,t:17,
xa-b,new_jobs,Lao động được tạo việc làm,2025,560,,người,cumulative,higher,estimate,560,t:18,
xa-b,new_jobs,Lao động được tạo việc làm,2030,3000,,người,cumulative,higher,target,3.000,t:19,
xa-b,ocop,Sản phẩm OCOP,2030,5,,sản phẩm,level,higher,target,5,t:20,
"""


@pytest.fixture(scope="module")
def small_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "small.csv"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def small_out(small_csv) -> pd.DataFrame:
    return assess_panel(read_panel(small_csv), to=2030)


def _series(out: pd.DataFrame, loc: str, ind: str) -> pd.DataFrame:
    return out[(out["locality"] == loc) & (out["indicator"] == ind)].reset_index(drop=True)


def test_cli_writes_the_documented_columns(small_csv, tmp_path):
    dest = tmp_path / "ket-qua.csv"
    res = run_cli("panel", str(small_csv), "--to", "2030", "--output", str(dest))
    assert res.returncode == 0, res.stderr
    assert "Đã đọc" in res.stderr and "Đã ghi" in res.stderr and "Đúng hướng" in res.stderr
    out = pd.read_csv(dest, keep_default_na=False, na_values={c: [""] for c in ("target", "projected")})
    assert list(out.columns) == OUTPUT_COLUMNS
    assert set(out["category"]) <= set(CATEGORIES)
    assert (out["category_vi"] == out["category"].map(CATEGORY_LABELS_VI)).all()
    assert not list(tmp_path.glob(".ket-qua.csv.*"))  # the temporary file was renamed over
    fruit = out[(out["locality"] == "xa-a") & (out["indicator"] == "fruit_area")]
    assert list(fruit["method"]) == ["compound", "linear", "weighted_linear"]
    assert fruit["name"].iloc[0] == "Diện tích cây ăn quả" and fruit["unit"].iloc[0] == "ha"
    # a name holding a comma came back whole (the writer quotes it)
    assert "Tỷ lệ phát triển dân số, hằng năm" in set(out["name"])


def test_hand_checked_fruit_area(small_out):
    # 443,15 ha (2020) → 1.052,4 ha (2025), target ≥ 1.229 ha in 2030:
    #   g_obs = (1052.4 / 443.15)^(1/5) − 1 = 0.18885  (18,885 %/năm)
    #   g_req = (1229 / 1052.4)^(1/5) − 1 = 0.03151    (3,151 %/năm)
    #   R = 0.18885 / 0.03151 = 5.99 ≥ 0.95 → on track; years to target ln(1229/1052.4)/ln(1.18885) = 0.90
    #   compound projection 1052.4 × 1.18885^5 = 1052.4 × (1052.4 / 443.15) = 1052.4 × 2.37482 = 2499.26 ha
    s = _series(small_out, "xa-a", "fruit_area")
    assert s["observed_cagr_pct"].iloc[0] == pytest.approx(18.885, abs=1e-3)
    assert s["required_cagr_pct"].iloc[0] == pytest.approx(3.151, abs=1e-3)
    assert s["pace_ratio"].iloc[0] == pytest.approx(5.99, abs=5e-3)
    assert s["years_to_target"].iloc[0] == pytest.approx(0.90, abs=5e-3)
    assert s["category"].iloc[0] == "on_track" and s["category_vi"].iloc[0] == "Đúng hướng"
    assert s.loc[s["method"] == "compound", "projected"].iloc[0] == pytest.approx(2499.26, abs=0.01)


def test_hand_checked_term_achievements(small_out):
    one = small_out.drop_duplicates(["locality", "indicator"]).set_index("indicator")
    # coffee: the target's own line (t:4) holds 2.815 → 2815 / 2000 = 140,75 % → 141, exceeded
    c = one.loc["coffee_area"]
    assert (c["term_actual"], c["term_ratio_exact"], c["term_ratio_pct"]) == (2815, 140.75, 141)
    assert c["term_verdict"] == "exceeded" and c["term_verdict_vi"] == "Vượt"
    # poultry "Trên 5%/năm" vs 8 %: 62,5 % → 63 (half up, where round() gives 62), not met; the actual is a bound
    p = one.loc["poultry_growth"]
    assert (p["term_ratio_exact"], p["term_ratio_pct"], p["term_verdict"]) == (62.5, 63, "not_met")
    assert p["term_flags"] == "actual_is_bound"
    # population growth 1,5 % under a 1,7 % ceiling: the reports print 88 % though the ceiling held
    g = one.loc["population_growth"]
    assert g["term_ratio_pct"] == 88 and g["term_verdict"] == "met"
    assert g["term_flags"] == "target_is_bound; convention_disagrees"
    # OCOP has a 2030 target and no data at all: listed, not assessable
    o = one.loc["ocop"]
    assert o["category"] == "not_assessable" and o["flags"] == "no_data" and o["n_points"] == 0
    # a term total written for one year (2030) reads as 2026–2030, flagged
    assert one.loc["new_jobs", "period_start"] == 2026 and "period_assumed" in one.loc["new_jobs", "flags"]


def test_numbers_equal_fit_series(small_out):
    checks = [
        ("xa-a", "fruit_area", [2020, 2025], [443.15, 1052.4], 1229.0, "higher", "level", ">=", None),
        ("xa-b", "forest_cover", [2021, 2023, 2025], [30.1, 31.9, 33.2], 36.0, "higher", "share", "=", None),
        ("xa-b", "population_growth", [2023, 2024, 2025], [1.6, 1.6, 1.5], 1.0, "lower", "rate_per_year", "<", None),
        ("xa-a", "poultry_growth", [2025], [5.0], 6.0, "higher", "rate_per_year", "=", 2026),
        ("xa-b", "new_jobs", [2024, 2025], [520.0, 560.0], 3000.0, "higher", "cumulative", "=", 2026),
    ]
    for loc, ind, years, values, target, direction, kind, cmp, start in checks:
        ref = fit_series(years, values, target=target, target_year=2030, direction=direction, kind=kind,
                         comparator=cmp, period_start=start, ets=False).to_panel_rows(loc, ind)
        got = _series(small_out, loc, ind)
        assert list(got["method"]) == list(ref["method"]), ind
        for col in ("projected", "lower", "upper", "anticipated_pct", "pace_ratio", "probability",
                    "observed_pace", "required_pace", "years_to_target"):
            np.testing.assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float), rtol=0, atol=1e-9,
                                       err_msg=f"{ind}.{col}")
        assert list(got["category"]) == list(ref["category"])


def test_same_as_the_per_series_groupby_on_a_synthetic_panel():
    frame = generate(4, seed=7)  # SYNTHETIC: 4 localities × 40 indicators, with late starts and placeholders
    fast = assess_panel(panel_from_frame(frame, "synthetic"), to=2030)
    slow = assess_panel_per_series(frame, to=2030)
    _assert_same(fast, slow)
    assert len(fast.drop_duplicates(["locality", "indicator"])) == 160


def test_same_as_the_per_series_groupby_on_the_real_long_tables():
    from chitieu.io import data as data_mod
    from chitieu.analysis.achievement import results_table
    from chitieu.io.data import long_table

    locs = [data_mod.load_locality(i) for i in data_mod.load_localities()["id"]]
    frame = pd.concat([long_table(loc) for loc in locs], ignore_index=True)
    fast = assess_panel(panel_from_frame(frame, "data"), to=2030)
    _assert_same(fast, assess_panel_per_series(frame, to=2030))
    # the term's achievements are those of the results table (Mường Ảng: coffee 141 %, exceeded)
    table = results_table(next(loc for loc in locs if loc.id == "muong-ang")).set_index("indicator")
    one = fast[fast["locality"] == "muong-ang"].drop_duplicates("indicator").set_index("indicator")
    numeric = table[table["kind"] != "qualitative"].index
    np.testing.assert_allclose(one.loc[numeric, "term_ratio_exact"].to_numpy(float),
                               table.loc[numeric, "ratio_exact"].to_numpy(float), rtol=0, atol=1e-9)
    assert (one.loc[numeric, "term_verdict"] == table.loc[numeric, "verdict"]).all()
    assert one.loc["coffee_area", "term_ratio_pct"] == 141


def _assert_same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    key = ["locality", "indicator", "method"]
    a = fast.sort_values(key, na_position="first").reset_index(drop=True)
    b = slow.sort_values(key, na_position="first").reset_index(drop=True)
    assert len(a) == len(b)
    for col in OUTPUT_COLUMNS:
        x, y = a[col], b[col]
        xn = pd.to_numeric(x, errors="coerce")
        if xn.notna().sum() == x.notna().sum() and col not in key:
            np.testing.assert_allclose(xn.to_numpy(float, na_value=np.nan),
                                       pd.to_numeric(y, errors="coerce").to_numpy(float, na_value=np.nan),
                                       rtol=0, atol=1e-9, err_msg=col)
        else:
            def text(s: pd.Series) -> list[str]:
                return ["" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
                        for v in s.astype(object)]
            assert text(x) == text(y), col


def test_bad_file_names_file_row_and_column(tmp_path):
    bad = tmp_path / "sai.csv"
    bad.write_text(HEADER + "\n".join([
        "xa-a,forest,Rừng,2020,30,,%,share,higher,actual,30,t:1,",
        "xa-a,forest,Rừng,2025,\"33,5\",,%,share,higher,actual,\"33,5\",t:2,",     # Vietnamese decimal comma
        "xa-a,forest,Rừng,2030,40,<,%,level,higher,target,40,t:3,",           # kind differs; '<' with higher
        "xa-b,forest,Rừng,20x5,35,,%,share,up,actuel,35,t:4,",
        ",forest,Rừng,2025,-3,,%,share,higher,actual,-3,t:5,",
    ]) + "\n", encoding="utf-8")
    res = run_cli("panel", str(bad), "--output", str(tmp_path / "o.csv"))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    text = " ".join(res.stderr.split())
    for where in (f"{bad}, dòng 3, cột 'value': '33,5'", f"{bad}, dòng 4, cột 'kind'",
                  f"{bad}, dòng 4, cột 'comparator'", f"{bad}, dòng 5, cột 'period': '20x5'",
                  f"{bad}, dòng 5, cột 'direction': 'up'", f"{bad}, dòng 5, cột 'status': 'actuel'",
                  f"{bad}, dòng 6, cột 'locality'", f"{bad}, dòng 6, cột 'value'"):
        assert where in text, where
    assert "8 lỗi dữ liệu" in text
    assert not (tmp_path / "o.csv").exists()


def test_file_level_problems(tmp_path):
    def problems(text: str | bytes, name: str = "t.csv") -> list[str]:
        path = tmp_path / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        with pytest.raises(PanelDataError) as exc:
            read_panel(path)
        return [" ".join(str(p).split()) for p in exc.value.problems]

    assert problems("locality,indicator,period,value\nx,y,2020,1\n") == [
        f"{tmp_path / 't.csv'}, dòng 1, cột '{c}': thiếu cột (missing column)" for c in ("direction", "kind", "status")]
    assert "các cột cách nhau bằng ';'" in problems("locality;indicator;period;value;status;kind;direction\n")[0]
    head = "locality,indicator,period,value,status,kind,direction\n"
    got = problems(head + "x,y,2020,1,actual,level,higher\nx,y,2021,1,actual,level,higher,thừa\n"
                   + "x,y,2022,x,actual,level,higher\n")
    assert any("dòng 3: có 8 ô, tiêu đề có 7" in p for p in got) and any("dòng 4, cột 'value'" in p for p in got)
    got = problems((head + "x,y,2020,1,actual,level,higher\nx,Diện tích,2021,1,actual,level,higher\n")
                   .encode("cp1258", errors="replace"))
    assert got == [got[0]] and "dòng 3: tệp không phải UTF-8" in got[0]
    with pytest.raises(PanelInputError, match="không có tệp"):
        read_panel(tmp_path / "khong-co.csv")
    with pytest.raises(PanelInputError, match=".csv hoặc .parquet"):
        (tmp_path / "a.xlsx").write_bytes(b"")
        read_panel(tmp_path / "a.xlsx")


def test_line_numbers_survive_blank_lines_and_quoted_line_breaks(tmp_path):
    path = tmp_path / "dong.csv"
    bad = SMALL.replace("Lao động được tạo việc làm,2025,560", "Lao động được tạo việc làm,2025,5x0")
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(PanelDataError) as exc:
        read_panel(path)
    line = next(i for i, text in enumerate(bad.splitlines(), start=1) if ",5x0," in text)
    assert [(p.row, p.column) for p in exc.value.problems] == [(line, "value")]


def test_blank_rows_are_skipped_and_comparator_is_optional(tmp_path):
    path = tmp_path / "min.csv"
    path.write_text("locality,indicator,period,value,status,kind,direction\n"
                    "x,y,2020,10,actual,level,higher\n,,,,,,\nx,y,2025,12,actual,level,higher\n"
                    "x,y,2030,15,target,level,higher\n", encoding="utf-8")
    out = assess_panel(read_panel(path), to=2030)
    assert list(out["method"]) == ["compound", "linear", "weighted_linear"]
    assert out["comparator"].iloc[0] == "=" and out["n_points"].iloc[0] == 2


def test_stdout_and_bad_output(small_csv, tmp_path):
    res = run_cli("panel", str(small_csv), "--output", "-", "-q")
    assert res.returncode == 0 and res.stderr == ""
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert list(rows[0]) == OUTPUT_COLUMNS
    from chitieu.errors import UserError
    from chitieu.cli.panel import panel

    with pytest.raises(UserError, match=r"\.csv hoặc \.parquet"):
        panel(small_csv, to=2030, output=str(tmp_path / "o.xlsx"), term=None, quiet=True)
    with pytest.raises(UserError, match="--output"):
        panel(small_csv, to=2030, output=None, term=None, quiet=True)
    with pytest.raises(UserError, match="--term"):
        panel(small_csv, to=2030, output=str(tmp_path / "o.csv"), term=2030, quiet=True)


def test_parquet(small_csv, tmp_path):
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # without pyarrow: a clear message naming it, for reading and for writing
        (tmp_path / "x.parquet").write_bytes(b"PAR1")
        with pytest.raises(PanelInputError, match="pyarrow"):
            read_panel(tmp_path / "x.parquet")
        with pytest.raises(PanelInputError, match="pyarrow"):
            write_output(pd.DataFrame({"a": [1]}), tmp_path / "o.parquet")
        return
    frame = pd.read_csv(small_csv, keep_default_na=False, na_values={"value": [""]}, dtype={"period": str})
    frame.to_parquet(tmp_path / "p.parquet", index=False)
    out = assess_panel(read_panel(tmp_path / "p.parquet"), to=2030)
    _assert_same(out, assess_panel(read_panel(small_csv), to=2030))
    write_output(out, tmp_path / "o.parquet")
    assert len(pd.read_parquet(tmp_path / "o.parquet")) == len(out)


def test_write_csv_is_pandas_to_csv(small_out):
    frame = small_out.copy()
    frame.loc[0, "projected"] = -0.0
    frame.loc[1, "flags"] = 'có "ngoặc", dấu phẩy'
    buf = io.BytesIO()
    write_csv(frame, buf, chunk=7)
    assert buf.getvalue().decode("utf-8") == frame.to_csv(index=False, lineterminator="\n")


def test_half_up_is_round_half_up():
    rng = np.random.default_rng(3)
    xs = np.r_[rng.uniform(-300, 300, 2000), np.arange(-20, 20) + 0.5, [62.5, 140.75, 0.49999999999999994, math.nan]]
    got = half_up(xs)
    want = np.array([round_half_up(float(x), 0) for x in xs])
    np.testing.assert_array_equal(got, want)
    assert assess(actual=5, target=8, direction="higher").ratio_pct == half_up(np.array([62.5]))[0] == 63
