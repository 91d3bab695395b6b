"""`chitieu extract FILE --locality ID [--format csv] [--write]` as a user runs it: nothing changes in data/ without
--write; with it the sure proposals land in data/<locality>/ (valid data: `load_locality` reads them) and the doubtful
ones in a ranked review file; errors are messages with exit code 2. The command did not exist before issue #14."""
from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import pytest

from chitieu.io.data import load_locality
from conftest import DATA, ROOT, run_cli

DEV = ROOT / "tests" / "corpus" / "extract" / "dev"
NEW = ["--name", "xã Quế An", "--level", "xa", "--province", "Quảng Nam"]


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_csv_to_stdout_changes_nothing(data_copy):
    before = digest(data_copy)
    r = run_cli("extract", str(DEV / "026.txt"), "-l", "que-an", "--format", "csv", data=data_copy)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    for col in ("indicator_name", "catalogue_code", "status", "period", "value", "unit", "comparator", "raw", "source",
                "confidence"):
        assert col in rows[0]
    # line 6: 'Tổng giá trị sản xuất tăng bình quân 11,4%/năm' (a 2020 congress: the 2016-2020 term)
    first = rows[0]
    assert (first["status"], first["period"], float(first["value"]), first["source"]) == \
        ("actual", "2016-2020", 11.4, "026.txt:6")
    assert digest(data_copy) == before
    assert "data/ không thay đổi" in r.stderr


@pytest.mark.slow
def test_write_new_locality_then_refuse_then_replace(data_copy):
    r = run_cli("extract", str(DEV / "026.txt"), "-l", "que-an", *NEW, "--write", data=data_copy)
    assert r.returncode == 0, r.stderr
    folder = data_copy / "que-an"
    for f in ("indicators_extract.csv", "values_extract.csv", "comparisons_extract.csv", "review-extract.csv",
              "EXTRACT.md"):
        assert (folder / f).exists(), f
    loc = load_locality("que-an", data_copy)  # valid data: raw on its cited line, ids, keys
    vals = loc.values
    income = vals[vals["raw"] == "đạt 33,5 triệu đồng"]
    assert len(income) == 1 and float(income["value"].iloc[0]) == 33.5  # in 'triệu đồng', as data/ writes values
    src = income["source"].iloc[0]
    copy = (data_copy / "sources" / src.split(":")[0]).read_text(encoding="utf-8").splitlines()
    assert "đạt 33,5 triệu đồng" in copy[int(src.split(":")[1]) - 1]
    review = list(csv.DictReader((folder / "review-extract.csv").open(encoding="utf-8")))
    assert list(review[0]) == ["rank", "source", "raw", "indicator_name", "reading", "alternatives", "confidence",
                               "why"] if review else True
    assert [int(r["rank"]) for r in review] == list(range(1, len(review) + 1))
    # a second run without --replace is refused, data/ unchanged
    before = digest(data_copy)
    r2 = run_cli("extract", str(DEV / "026.txt"), "-l", "que-an", "--write", data=data_copy)
    assert r2.returncode == 2 and "--replace" in r2.stderr and "Traceback" not in r2.stderr
    assert digest(data_copy) == before
    r3 = run_cli("extract", str(DEV / "026.txt"), "-l", "que-an", "--write", "--replace", data=data_copy)
    assert r3.returncode == 0, r3.stderr


@pytest.mark.slow
def test_write_into_a_seed_locality_beside_the_hand_data(data_copy):
    """Hạc Thành's own report into hac-thanh: the extract files sit beside the hand transcription (ids prefixed
    ex_, the seed cited as it is in data/sources/), and the locality still loads."""
    r = run_cli("extract", str(DATA / "sources" / "003_c7dea64111fd1197.txt"), "-l", "hac-thanh", "--write",
                data=data_copy)
    assert r.returncode == 0, r.stderr
    assert "Nguồn: data/sources/003_c7dea64111fd1197.txt" in r.stderr
    loc = load_locality("hac-thanh", data_copy)
    ours = loc.indicators[loc.indicators["id"].str.startswith("ex_")]
    assert len(ours) > 30
    assert len(loc.indicators) > len(ours) + 100  # the hand transcription is still there


def test_review_ranks_verdict_bearing_doubts_first():
    from chitieu.analysis.extract import extract_lines
    from chitieu.analysis.extract_write import review_rows

    ex = extract_lines(["Phấn đấu đến năm 2030 tỷ lệ che phủ rừng đạt 40%.",
                        "Nhiệm kỳ qua, tỷ lệ che phủ rừng đạt 36,3%.",
                        "Nhiệm kỳ qua, có 12 chợ."], name="x.txt", term=(2025, 2030))
    props = ex.proposals
    for p in props:
        p.confidence = 0.5  # all doubtful: the rank then says which doubt matters most
    rows = review_rows(props, props)
    assert "che phủ rừng" in rows[0]["indicator_name"].lower() and "chợ" in rows[-1]["indicator_name"].lower()


@pytest.mark.slow
def test_new_locality_needs_name_level_province(data_copy):
    r = run_cli("extract", str(DEV / "026.txt"), "-l", "que-an", "--write", data=data_copy)
    assert r.returncode == 2 and "--name" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("extract", str(DEV / "026.txt"), "-l", "Quế An", "--write", *NEW, data=data_copy)
    assert r.returncode == 2 and "Traceback" not in r.stderr
