#!/usr/bin/env python3
"""Score ``chitieu extract`` against hand labels: recall and precision, with every miss and every wrong value listed.

Two references, both made by hand (never by the extractor):

* ``corpus FOLDER`` — a folder of ``NNN.txt`` + ``NNN.labels.csv`` (``tests/corpus/extract/<split>/``, format in
  ``tests/corpus/README.md`` section 3). Run it on ``dev`` while developing; the holdout is scored once, at the end,
  by the lead: ``tools/score_extract.py corpus tests/corpus/extract/holdout``.
* ``seeds`` — the three seed reports in ``data/sources/`` against the hand transcription in ``data/<locality>/``
  (Mường Ảng narrative and table, Hạc Thành, Phiêng Pằn): 2030 targets and 2020–2025 results.

A label is **found** when a proposal on the same line has the same value (in base units: ``60 triệu đồng`` =
60 000 000 đồng; an x-of-y by its parts; a range by both ends) and the same status class (target, or result =
actual/estimate). Matching is one to one. **Precision** = proposals that match a label ÷ all proposals; a proposal
on a labelled number with another value or status is a **wrong value** (listed); any other unmatched proposal is an
**extra** (a number the labels leave out: logistics, a quoted province figure …), also counted against precision.
For the seeds the transcription left some passages out on purpose (``data/README.md``), so precision is reported
on the lines the transcription covers, and the proposals on other lines are counted apart.
Secondary figures among the found: period, comparator and exact status (actual vs estimate) agreement.

    .venv/bin/python tools/score_extract.py corpus tests/corpus/extract/dev [--list] [--json OUT]
    .venv/bin/python tools/score_extract.py seeds [--list]
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

from chitieu.analysis.extract import extract_document  # noqa: E402
from chitieu.analysis.extract import _unit_factor  # noqa: E402

SEEDS = {"muong-ang": "002_12d62f31151c975c.txt", "hac-thanh": "003_c7dea64111fd1197.txt",
         "phieng-pan": "004_05b6456d80a4201f.txt"}


def _num(x) -> float | None:
    if x is None or x == "":
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _close(a: float | None, b: float | None, rel: float = 1e-6) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def _klass(status: str) -> str:
    return "target" if status == "target" else "result"


def _matches(label: dict, p, *, absolute: bool = False) -> bool:
    if _klass(label["status"]) != _klass(p.status):
        return False
    num, den = _num(label.get("numerator")), _num(label.get("denominator"))
    if num is not None and den is not None:
        if p.numerator is not None and _close(num, p.numerator) and _close(den, p.denominator):
            return True
        if label.get("share_value") is not None and p.numerator is None:
            return _close(label["share_value"], p.base_value, 1e-3)
        return False
    v, hi = label["value"], label.get("value_high")
    pv, ph = p.base_value, p.base_value_high
    if v is None or pv is None:
        return False
    if absolute:
        v, pv = abs(v), abs(pv)
        hi = abs(hi) if hi is not None else None
        ph = abs(ph) if ph is not None else None
        if hi is not None and hi < v:
            v, hi = hi, v
        if ph is not None and ph < pv:
            pv, ph = ph, pv
    if not _close(v, pv):
        return False
    if hi is not None:
        return ph is not None and _close(hi, ph)
    return True


def _assign(labels: list[dict], props: list, *, absolute: bool = False) -> dict[int, int]:
    """label index → proposal index, one to one, by line."""
    by_line = defaultdict(list)
    for j, p in enumerate(props):
        by_line[p.line].append(j)
    taken: set[int] = set()
    out: dict[int, int] = {}
    for i, lab in enumerate(labels):
        for j in by_line.get(lab["line"], []):
            if j not in taken and _matches(lab, props[j], absolute=absolute):
                out[i] = j
                taken.add(j)
                break
    # an x/y proposal that carries its printed share ('66/112 thôn' beside '58,9%') states two numbers: it may
    # also answer a label of the share alone
    twice: set[int] = set()
    for i, lab in enumerate(labels):
        if i in out:
            continue
        for j in by_line.get(lab["line"], []):
            p = props[j]
            if j in taken and j not in twice and p.numerator is not None and \
                    _matches(lab, p, absolute=absolute):
                out[i] = j
                twice.add(j)
                break
    return out


def _period_ok(label_period: str, p_period: str) -> bool:
    a, b = str(label_period).replace("–", "-"), str(p_period)
    if a == b:
        return True
    return a.split("-")[-1] == b.split("-")[-1] and ("-" in a) == ("-" in b)


def _score(labels: list[dict], props: list, *, absolute: bool = False, covered_lines: set[int] | None = None):
    assign = _assign(labels, props, absolute=absolute)
    matched_props = set(assign.values())
    wrong, extra, outside = [], [], []
    labelled_lines = {lab["line"] for lab in labels}
    for j, p in enumerate(props):
        if j in matched_props:
            continue
        if covered_lines is not None and p.line not in covered_lines:
            outside.append(p)
        elif p.line in labelled_lines and any(_overlaps(lab["raw"], p.raw) for lab in labels if lab["line"] == p.line):
            wrong.append(p)
        else:
            extra.append(p)
    missed = [lab for i, lab in enumerate(labels) if i not in assign]
    sec = {"period": 0, "comparator": 0, "status": 0}
    for i, j in assign.items():
        lab, p = labels[i], props[j]
        sec["period"] += _period_ok(lab.get("period", ""), p.period)
        sec["comparator"] += (lab.get("comparator") or "=") == (p.comparator or "=")
        sec["status"] += lab["status"] == p.status
    return assign, missed, wrong, extra, outside, sec


def _overlaps(a: str, b: str) -> bool:
    import re

    na = set(re.findall(r"\d+(?:[.,]\d+)*", a or ""))
    nb = set(re.findall(r"\d+(?:[.,]\d+)*", b or ""))
    return bool(na & nb)


def _fmt_p(p) -> str:
    v = p.base_value if p.numerator is None else f"{p.numerator:g}/{p.denominator:g}"
    hi = f"..{p.base_value_high:g}" if p.base_value_high is not None else ""
    return f"{p.status} {p.period} {v if isinstance(v, str) else format(v, 'g')}{hi} {p.base_unit} «{p.raw}» " \
           f"[{p.indicator_name[:50]}]"


def _fmt_l(lab) -> str:
    v = lab["value"] if lab.get("numerator") in (None, "") else f"{lab['numerator']}/{lab['denominator']}"
    hi = f"..{lab['value_high']:g}" if lab.get("value_high") is not None else ""
    return f"{lab['status']} {lab.get('period', '')} {v if isinstance(v, str) else format(v or 0, 'g')}{hi} " \
           f"{lab.get('unit', '')} «{lab['raw']}»"


def _summary(rows: list[dict], title: str) -> dict:
    tot = defaultdict(int)
    for r in rows:
        for k, v in r.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                tot[k] += v
    out = {"title": title, **tot}
    for cls in ("target", "result"):
        n, f = tot[f"{cls}_labels"], tot[f"{cls}_found"]
        out[f"{cls}_recall"] = f / n if n else None
    out["precision"] = tot["matched"] / tot["proposals"] if tot["proposals"] else None
    # precision on the numbers the reference reads: a proposal of a labelled number with another value or status is
    # wrong; numbers the reference leaves out (extras) are not counted here
    out["value_precision"] = tot["matched"] / (tot["matched"] + tot["wrong"]) if tot["matched"] + tot["wrong"] else None
    return out


def corpus(folder: Path, show: bool) -> dict:
    rows, wrong_all, missed_all = [], [], []
    for txt in sorted(folder.glob("[0-9][0-9][0-9].txt")):
        lab_path = txt.with_suffix(".labels.csv")
        if not lab_path.exists():
            continue
        labels = []
        with lab_path.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                labels.append({**r, "line": int(r["line"]), "value": _num(r["value"]),
                               "value_high": _num(r.get("value_high"))})
        ex = extract_document(txt)
        props = ex.proposals
        assign, missed, wrong, extra, _, sec = _score(labels, props)
        row = {"proposals": len(props), "matched": len(set(assign.values())), "wrong": len(wrong), "extra": len(extra),
               "target_labels": sum(_klass(l["status"]) == "target" for l in labels),
               "result_labels": sum(_klass(l["status"]) == "result" for l in labels),
               "target_found": sum(_klass(labels[i]["status"]) == "target" for i in assign),
               "result_found": sum(_klass(labels[i]["status"]) == "result" for i in assign),
               "period_ok": sec["period"], "comparator_ok": sec["comparator"], "status_exact": sec["status"]}
        rows.append(row)
        for p in wrong:
            wrong_all.append((txt.name, p))
        for lab in missed:
            missed_all.append((txt.name, lab))
        if show:
            print(f"== {txt.name}: {len(assign)}/{len(labels)} found, {len(props)} proposed, {len(wrong)} wrong, "
                  f"{len(extra)} extra")
            for lab in missed:
                print(f"   MISSED  l{lab['line']} {_fmt_l(lab)}")
            for p in wrong:
                print(f"   WRONG   l{p.line} {_fmt_p(p)}")
            for p in extra:
                print(f"   EXTRA   l{p.line} {_fmt_p(p)}")
            for i, j in assign.items():
                if not _period_ok(labels[i].get("period", ""), props[j].period):
                    print(f"   PERIOD  l{labels[i]['line']} label {labels[i].get('period')} vs {props[j].period} "
                          f"«{props[j].raw}» [{props[j].kind}]")
    out = _summary(rows, f"corpus {folder}")
    out["texts"] = len(rows)
    out["wrong_values"] = [f"{n}:{p.line} {_fmt_p(p)}" for n, p in wrong_all]
    return out


def _seed_reference(loc: str):
    """Every record of the hand transcription (values, and the printed ratios of comparisons), by line of the seed,
    in base units, each with its scope: 'target' (a 2030 target), 'result' (a 2020-2025 result), 'ratio' (a printed
    achievement ratio) or '' (another record: a 2025 target, an older result)."""
    folder = ROOT / "data" / loc
    units, kinds = {}, {}
    for ind in folder.glob("indicators*.csv"):
        with ind.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                units[r["id"]] = r["unit"]
                kinds[r["id"]] = r["kind"]
    refs = []
    for vals in folder.glob("values*.csv"):
        with vals.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["status"] == "derived" or _num(r["value"]) is None:
                    continue
                period = r["period"]
                years = [int(y) for y in period.split("-")]
                if r["status"] == "target":
                    scope = "target" if years[-1] == 2030 else ""
                else:
                    scope = "result" if (2020 <= years[-1] <= 2025 and years[0] >= 2020) else ""
                factor, base = _unit_factor(units.get(r["indicator"], ""))
                num, den = _num(r["numerator"]), _num(r["denominator"])
                value = _num(r["value"])
                line = int(r["source"].rsplit(":", 1)[1])
                refs.append({"line": line, "raw": r["raw"], "status": r["status"], "period": period,
                             "value": value if (num is not None) else value * factor,
                             "share_value": value if num is not None else None,
                             "numerator": num, "denominator": den, "comparator": r["comparator"] or "=",
                             "unit": base, "class": scope, "indicator": r["indicator"],
                             "kind": kinds.get(r["indicator"], "")})
    for cmps in folder.glob("comparisons*.csv"):
        with cmps.open(encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if _num(r["value"]) is None:
                    continue
                refs.append({"line": int(r["source"].rsplit(":", 1)[1]), "raw": r["raw"], "status": "estimate",
                             "period": r["period"], "value": _num(r["value"]), "numerator": None,
                             "denominator": None, "comparator": "=", "unit": "%", "class": "ratio",
                             "indicator": r["indicator"], "kind": "ratio"})
    return refs


def seeds(show: bool) -> dict:
    results = {}
    all_rows, wrong_all = [], []
    for loc, fname in SEEDS.items():
        refs = _seed_reference(loc)
        ex = extract_document(ROOT / "data" / "sources" / fname, locality=loc)
        props = ex.proposals
        covered = {r["line"] for r in refs}
        assign, missed, wrong, extra, outside, sec = _score(refs, props, absolute=True, covered_lines=covered)
        found = [refs[i] for i in assign]
        row = {"proposals": len(set(assign.values())) + len(wrong) + len(extra), "matched": len(set(assign.values())), "wrong": len(wrong),
               "extra": len(extra), "outside": len(outside),
               "target_labels": sum(r["class"] == "target" for r in refs),
               "result_labels": sum(r["class"] == "result" for r in refs),
               "ratio_labels": sum(r["class"] == "ratio" for r in refs),
               "target_found": sum(r["class"] == "target" for r in found),
               "result_found": sum(r["class"] == "result" for r in found),
               "ratio_found": sum(r["class"] == "ratio" for r in found),
               "period_ok": sum(_period_ok(refs[i]["period"], props[j].period) for i, j in assign.items()
                                if refs[i]["class"] in ("target", "result")),
               "comparator_ok": sum((refs[i]["comparator"] or "=") == (props[j].comparator or "=")
                                    for i, j in assign.items() if refs[i]["class"] in ("target", "result")),
               "status_exact": sum(refs[i]["status"] == props[j].status for i, j in assign.items()
                                   if refs[i]["class"] in ("target", "result"))}
        all_rows.append(row)
        results[loc] = _summary([row], loc)
        for p in wrong:
            wrong_all.append((fname, p))
        if show:
            print(f"== {loc} ({fname}): targets {row['target_found']}/{row['target_labels']}, results "
                  f"{row['result_found']}/{row['result_labels']}, ratios {row['ratio_found']}/{row['ratio_labels']}; "
                  f"{row['proposals']} proposals on covered lines, {len(wrong)} wrong, {len(extra)} extra; "
                  f"{len(outside)} on lines the transcription left out")
            for lab in missed:
                if lab["class"]:
                    print(f"   MISSED  l{lab['line']} [{lab['class']}] {lab['indicator']} {_fmt_l(lab)}")
            for p in wrong:
                print(f"   WRONG   l{p.line} {_fmt_p(p)}")
            for p in extra:
                print(f"   EXTRA   l{p.line} {_fmt_p(p)}")
            for p in outside:
                print(f"   OUTSIDE l{p.line} {_fmt_p(p)}")
    out = _summary(all_rows, "seeds")
    out["ratio_recall"] = out["ratio_found"] / out["ratio_labels"] if out.get("ratio_labels") else None
    out["per_seed"] = results
    out["wrong_values"] = [f"{n}:{p.line} {_fmt_p(p)}" for n, p in wrong_all]
    return out


def _print(out: dict) -> None:
    def pct(x):
        return "—" if x is None else f"{100 * x:.1f}%"

    print(f"\n{out['title']}: targets recall {pct(out['target_recall'])} ({out['target_found']}/{out['target_labels']}), "
          f"results recall {pct(out['result_recall'])} ({out['result_found']}/{out['result_labels']}), precision "
          f"{pct(out['precision'])} ({out['matched']}/{out['proposals']}; {out['wrong']} wrong values, "
          f"{out['extra']} extra)" + (f"; {out['outside']} proposals on lines the reference leaves out"
                                      if out.get("outside") else ""))
    print(f"   precision on the numbers the reference reads (wrong values only): {pct(out['value_precision'])} "
          f"({out['matched']}/{out['matched'] + out['wrong']})")
    if out.get("ratio_labels"):
        print(f"   printed ratios (đạt X% NQ) recall {pct(out['ratio_found'] / out['ratio_labels'])} "
              f"({out['ratio_found']}/{out['ratio_labels']})")
    found = out["target_found"] + out["result_found"]
    if found:
        print(f"   among the found: period {pct(out['period_ok'] / found)}, comparator "
              f"{pct(out['comparator_ok'] / found)}, exact status {pct(out['status_exact'] / found)}")
    for k, v in (out.get("per_seed") or {}).items():
        print(f"   {k}: targets {pct(v['target_recall'])} ({v['target_found']}/{v['target_labels']}), results "
              f"{pct(v['result_recall'])} ({v['result_found']}/{v['result_labels']}), precision {pct(v['precision'])}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("corpus", help="a folder of NNN.txt + NNN.labels.csv")
    c.add_argument("folder", type=Path)
    s = sub.add_parser("seeds", help="the three seed reports against data/")
    for p in (c, s):
        p.add_argument("--list", action="store_true", help="list every miss, wrong value and extra")
        p.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args(argv)
    out = corpus(args.folder, args.list) if args.what == "corpus" else seeds(args.list)
    _print(out)
    if out.get("wrong_values"):
        print("   wrong values:")
        for w in out["wrong_values"]:
            print(f"     {w}")
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
