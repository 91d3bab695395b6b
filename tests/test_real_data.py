"""The transcribed localities (issue: real data). Expected values are read off the source documents."""
from __future__ import annotations

import csv
import io

import pytest

from chitieu.analysis.achievement import results_table
from chitieu.io.data import load_catalogue, load_localities, load_locality
from chitieu.io.data import long_table
from conftest import run_cli


def _value(loc, indicator, period, status):
    v = loc.values
    rows = v[(v["indicator"] == indicator) & (v["period"] == period) & (v["status"] == status)]
    return sorted(rows["value"].tolist())


def test_localities_and_mergers():
    locs = load_localities().set_index("id")
    assert set(locs.index) == {"muong-ang", "hac-thanh", "phieng-pan", "phuong-mau"}
    assert len(locs.loc["hac-thanh", "merged_from"].split(";")) == 11   # seed 003 line 27: 11 wards
    assert len(locs.loc["phieng-pan", "merged_from"].split(";")) == 3   # seed 004: 3 communes
    assert locs.loc["muong-ang", "level"] == "huyen" and locs.loc["phieng-pan", "level"] == "xa"


def test_hac_thanh_contradiction_on_health_insurance_is_kept():
    # seed 003 line 357: "(8) ... năm 2030 đạt 95% trở lên"; line 497: "... đạt từ 98% trở lên"
    loc = load_locality("hac-thanh")
    assert _value(loc, "health_insurance_coverage", "2030", "target") == [95, 98]
    notes = loc.values[(loc.values["indicator"] == "health_insurance_coverage") & (loc.values["status"] == "target")]
    assert notes["note"].str.len().gt(0).all()


def test_hac_thanh_section_iii_targets():
    loc = load_locality("hac-thanh")
    assert _value(loc, "grdp_growth", "2026-2030", "target") == [10.2]        # (1) đạt 10,2%
    assert _value(loc, "income_per_capita", "2030", "target") == [135]        # (2) 135 triệu đồng trở lên
    targets = loc.values[loc.values["status"] == "target"]
    assert len(targets) >= 30  # 17 chỉ tiêu split into single measures, plus part two


def test_phieng_pan_fruit_trees():
    # seed 004: 2030 target 1.229 ha (line 775); 2025 about 1.052,4 ha, up 609,25 ha since 2020 (line 179)
    loc = load_locality("phieng-pan")
    assert _value(loc, "fruit_tree_area", "2030", "target") == [1229]
    assert _value(loc, "fruit_tree_area", "2025", "actual") == [1052.4]
    derived = loc.values[(loc.values["indicator"] == "fruit_tree_area") & (loc.values["status"] == "derived")]
    assert derived["value"].tolist() == [pytest.approx(1052.4 - 609.25)]
    assert derived["formula"].str.contains("1052.4 - 609.25").all()


def test_derived_records_state_their_formula():
    for loc_id in ("muong-ang", "hac-thanh", "phieng-pan"):
        v = load_locality(loc_id).values
        assert (v.loc[v["status"] == "derived", "formula"].str.len() > 0).all(), loc_id


def test_catalogue_mappings_agree_on_direction():
    cat = load_catalogue().set_index("code")
    for loc_id in ("muong-ang", "hac-thanh", "phieng-pan"):
        ind = load_locality(loc_id).indicators
        mapped = ind[ind["catalogue_code"] != ""]
        assert len(mapped) >= 10, loc_id
        wrong = mapped[mapped["direction"] != mapped["catalogue_code"].map(cat["direction"])]
        assert wrong.empty, (loc_id, wrong[["id", "direction", "catalogue_code"]].to_dict("records"))


def test_template_has_only_missing_values_and_says_so():
    loc = load_locality("phuong-mau")
    assert len(loc.values) >= 10 and loc.values["value"].isna().all()
    assert loc.values["raw"].str.contains("…").all()
    table = results_table(loc)
    assert table.empty or (table["verdict"] == "unknown").all()
    out = run_cli("table", "phuong-mau")
    assert out.returncode == 0 and "chưa có số liệu" in (out.stdout + out.stderr)


@pytest.mark.parametrize("loc_id", ["muong-ang", "hac-thanh", "phieng-pan", "phuong-mau"])
def test_data_command_writes_the_long_table(loc_id):
    out = run_cli("data", loc_id, "--format", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows
    for col in ("indicator", "catalogue_code", "period", "value", "unit", "kind", "status", "raw", "source"):
        assert col in rows[0]
    assert {r["status"] for r in rows} <= {"target", "actual", "estimate", "derived"}
    assert len(rows) == len(long_table(load_locality(loc_id)))


def test_localities_command():
    out = run_cli("localities")
    assert out.returncode == 0 and "Phiêng Pằn" in out.stdout and "Nà Ớt" in out.stdout
