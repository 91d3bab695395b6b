"""Checking a draft's claims: the locality's data seen from a passage (:class:`DataView`, without the records
transcribed from that very passage), and one check per kind of claim — each compares what the sentence states
with the data and with its own arithmetic, and records a :class:`Claim` with its finding. The claims are found
by :mod:`.claims`, which hands each to :class:`Checker`.

>>> ratio_matches(140.75, 141, 0), ratio_matches(61.4, 62, 0)      # half up or cut to the printed precision
(True, False)
>>> values_match(2815, 0, 2815.0), values_match(53200, 0, 53214.0, "53.214")   # 53.200 is 53.214 rounded
(True, True)
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

import pandas as pd

from chitieu.analysis.audit.matching import Matcher, _features, _words, unit_compatible
from chitieu.analysis.audit.reading import _NQ_REF, _PLAN_REF, Num, _item, _numbers, _previous_context, _quote
from chitieu.core.engine import assess
from chitieu.core.numfmt import format_vi, round_half_up
from chitieu.core.vocabulary import COMPARATOR_PREFIX_VI, RATE_KINDS, RESULT_STATUSES
from chitieu.io.quantity import parse
from chitieu.io.text import fold

__all__ = ["FINDINGS", "FINDING_VI", "CLAIM_KIND_VI", "CLAIM_COLUMNS", "Claim", "AuditReport", "DataView", "Checker",
           "primary_sources", "ratio_matches", "values_match"]

FINDINGS = ("consistent", "contradicts_data", "arithmetic_fails", "cannot_check")
FINDING_VI = {
    "consistent": "khớp",
    "contradicts_data": "mâu thuẫn với số liệu",
    "arithmetic_fails": "phép tính không đúng",
    "cannot_check": "không kiểm tra được",
}
CLAIM_KIND_VI = {
    "ratio": "tỷ lệ so với Nghị quyết", "plan": "tỷ lệ so với kế hoạch/dự toán", "share": "tỷ lệ x/y",
    "verdict": "đánh giá đạt/không đạt", "change": "tăng/giảm so với", "value": "giá trị", "target": "chỉ tiêu",
    "table": "dòng bảng",
}
CLAIM_COLUMNS = ["line", "quote", "kind", "indicator", "year", "stated", "expected", "finding", "finding_vi", "reason",
               "data_source"]


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------

def primary_sources(loc) -> dict[str, str]:
    """Indicator → the source of its term target: the row of a results table, whose records are preferred."""
    tgt = loc.values[(loc.values["status"] == "target") & (loc.values["year"] == loc.term_end)
                     & (loc.values["period_start"] == loc.term_end)]
    return dict(tgt.drop_duplicates("indicator")[["indicator", "source"]].itertuples(index=False, name=None))


class DataView:
    """The locality's records, without those transcribed from the audited passage itself."""

    def __init__(self, loc, exclude: set[str], primary: dict[str, str] | None = None):
        self.loc = loc
        vals, cmps = loc.values, loc.comparisons
        if exclude and vals["source"].isin(exclude).any():
            vals = vals[~vals["source"].isin(exclude)]
        if exclude and cmps["source"].isin(exclude).any():
            cmps = cmps[~cmps["source"].isin(exclude)]
        self.values = vals
        self.comparisons = cmps
        self.primary = primary if primary is not None else primary_sources(loc)
        self._cache: dict = {}

    def _prefer(self, recs: pd.DataFrame, ind: str) -> pd.DataFrame:
        p = self.primary.get(ind)
        if p is not None and (recs["source"] == p).any():
            return pd.concat([recs[recs["source"] == p], recs[recs["source"] != p]])
        return recs

    def target(self, ind: str, year: int) -> pd.Series | None:
        v = self.values
        recs = v[(v["indicator"] == ind) & (v["status"] == "target") & (v["year"] == year) & v["value"].notna()]
        if year == self.loc.term_end:
            recs = recs[recs["period_start"] == year] if (recs["period_start"] == year).any() else recs
        recs = self._prefer(recs, ind)
        return None if recs.empty else recs.iloc[0]

    def targets(self, ind: str, year: int) -> pd.DataFrame:
        v = self.values
        return self._prefer(v[(v["indicator"] == ind) & (v["status"] == "target") & (v["year"] == year)
                              & v["value"].notna()], ind)

    def results(self, ind: str, year: int | None = None, *, span_ok: bool = False) -> pd.DataFrame:
        v = self.values
        recs = v[(v["indicator"] == ind) & v["status"].isin(RESULT_STATUSES) & v["value"].notna()]
        if year is not None:
            same = recs["year"] == year
            if not span_ok:
                same &= recs["period_start"] == year
            recs = recs[same]
        return self._prefer(recs, ind)

    def published(self, ind: str, year: int) -> pd.DataFrame:
        c = self.comparisons
        return self._prefer(c[(c["indicator"] == ind) & (c["period"] == str(year))], ind)

    def with_verdicts(self, year: int) -> list[str]:
        """Indicators whose result is judged in words only (qualitative), with a printed verdict for ``year``."""
        key = ("verdicts", year)
        if key not in self._cache:
            c = self.comparisons
            words = c[(c["period"] == str(year)) & c["value"].isna() & (c["verdict"] != "")]
            self._cache[key] = sorted(set(words["indicator"]))
        return self._cache[key]

    def verdict_words(self, ind: str, year: int) -> tuple[str, str, str] | None:
        c = self.comparisons
        recs = c[(c["indicator"] == ind) & (c["period"] == str(year)) & c["value"].isna()]
        for _, r in recs.iterrows():
            q = parse(r["raw"])
            if q.words:
                return q.words, r["raw"], r["source"]
        return None

    def with_targets(self, year: int) -> list[str]:
        key = ("targets", year)
        if key not in self._cache:
            v = self.values
            self._cache[key] = sorted(set(v[(v["status"] == "target") & (v["year"] == year)
                                            & v["value"].notna()]["indicator"]))
        return self._cache[key]

    def with_results(self) -> list[str]:
        if "results" not in self._cache:
            v = self.values
            self._cache["results"] = sorted(set(v[v["status"].isin(RESULT_STATUSES)
                                                  & v["value"].notna()]["indicator"]))
        return self._cache["results"]


# --------------------------------------------------------------------------------------------
# Claims and checks
# --------------------------------------------------------------------------------------------

@dataclass
class Claim:
    line: int
    quote: str
    kind: str
    stated: str
    expected: str
    finding: str
    reason: str = ""
    indicator: str = ""
    year: str = ""
    data_source: str = ""

    def as_row(self) -> dict:
        return {"line": self.line, "quote": self.quote, "kind": self.kind, "indicator": self.indicator,
                "year": self.year, "stated": self.stated, "expected": self.expected, "finding": self.finding,
                "finding_vi": FINDING_VI[self.finding], "reason": self.reason, "data_source": self.data_source}


@dataclass
class AuditReport:
    document: str
    locality: str
    claims: list[Claim]
    self_source: str | None = None
    doc_year: int | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([c.as_row() for c in self.claims], columns=CLAIM_COLUMNS)

    def counts(self) -> dict[str, int]:
        out = {f: 0 for f in FINDINGS}
        for c in self.claims:
            out[c.finding] += 1
        return out


def _fmt(x: float, decimals: int | None = None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "?"
    if decimals is None:
        decimals = min(_natural_decimals(x), 2)
    return format_vi(x, decimals)


def _natural_decimals(x: float) -> int:
    d = Decimal(repr(float(x))).normalize()
    return max(0, -d.as_tuple().exponent)


def _with_unit(text: str, unit: str | None) -> str:
    if not unit:
        return text
    if unit.startswith("%"):
        return text + unit
    return f"{text} {unit}"


def _trunc(x: float, d: int) -> float:
    return float(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-d), rounding=ROUND_DOWN))


def ratio_matches(exact: float, stated: float, decimals: int) -> bool:
    """A printed ratio follows from ``exact`` when rounded half up, or cut, to the printed decimals."""
    if exact is None or math.isnan(exact):
        return False
    return round_half_up(exact, decimals) == round_half_up(stated, decimals) or \
        _trunc(exact, decimals) == round_half_up(stated, decimals)


def values_match(stated: float, stated_dec: int, data: float, data_raw: str = "") -> bool:
    """Two writings of one value: equal at the coarser precision (rounded half up or cut); a large number printed with
    trailing zeros (53.200) is a rounding to those zeros."""
    data_dec = _natural_decimals(data)
    m = re.search(r"[.,](\d+)\s*%?\s*$", data_raw.strip()) if data_raw else None
    if m and not re.search(r"\d[.,]\d{3}(?!\d)", data_raw):
        data_dec = max(data_dec, len(m.group(1)))
    d = min(stated_dec, data_dec)
    if round_half_up(stated, d) == round_half_up(data, d) or _trunc(max(stated, data), d) == _trunc(min(stated, data), d) \
            and abs(stated - data) < 10 ** -d:
        return True
    for a, b in ((stated, data), (data, stated)):
        if a >= 1000 and float(a).is_integer():
            zeros = len(str(int(a))) - len(str(int(a)).rstrip("0"))
            if zeros >= 2 and round_half_up(b, -zeros) == a:
                return True
    return False


class Checker:
    """The checks of one locality's claims; each check records its :class:`Claim` in :attr:`claims`."""

    def __init__(self, loc, catalogue: pd.DataFrame | None, self_source: str | None, doc_year: int | None):
        self.loc = loc
        self.self_source = self_source
        self.doc_year = doc_year
        self.matcher = Matcher(loc.indicators, catalogue)
        self.term_end = loc.term_end
        self.next_end = loc.next_term_end
        self.directions = dict(zip(loc.indicators["id"], loc.indicators["direction"]))
        self.primary = primary_sources(loc)
        self.claims: list[Claim] = []
        self.last_candidate: str | None = None

    # -- helpers ------------------------------------------------------------------------------
    def view(self, para_lines: list[int]) -> DataView:
        exclude = {f"{self.self_source}:{ln}" for ln in para_lines} if self.self_source else set()
        return DataView(self.loc, exclude, self.primary)

    def unit(self, ind: str) -> str:
        return self.matcher.units.get(ind, "")

    def name(self, ind: str) -> str:
        return self.matcher.names.get(ind, ind)

    def add(self, **kw) -> None:
        self.claims.append(Claim(**kw))

    def resolve(self, window: str, preferred: list[str], *, unit: str | None, strict: bool = False,
                what: str = "chỉ tiêu Nghị quyết", single_year: bool = False) -> tuple[str | None, str, str]:
        """(indicator, runner-up, reason when none): the indicator ``window`` names, among ``preferred`` unless
        the window names another indicator of the locality much better."""
        min_cov = 0.55 if strict else 0.3
        pref = set(preferred)
        others = [i for i in self.matcher.ids if i not in pref and not (single_year and
                                                                        self.matcher.kinds.get(i) == "cumulative")]
        mt = self.matcher.match(window, preferred, unit=unit, min_coverage=min_cov)
        ma = self.matcher.match(window, others, unit=unit, min_coverage=min_cov)
        self.last_candidate = mt.indicator if mt is not None and not mt.runner_up else None
        if ma is not None and (mt is None or mt.score < 0.8 * ma.score):
            return None, "", f"câu nói về '{self.name(ma.indicator)}', chỉ tiêu chưa có {what} trong số liệu " \
                             "(ngoài chính câu này)"
        if mt is None:
            return None, "", f"không xác định được chỉ tiêu (trong số các chỉ tiêu có {what})"
        if strict and not mt.by_unit and not self._precise(window, mt.indicator):
            return None, "", "câu có nhiều từ không thuộc tên chỉ tiêu"
        return mt.indicator, mt.runner_up, ""

    def _precise(self, window: str, ind: str) -> bool:
        """Most of the window's indicator words belong to this indicator's name (not a sub-item of it)."""
        feats = _features(window)
        known = {f for f in feats if f in self.matcher.weight}
        names = set().union(*self.matcher.feats.get(ind, [set()]))
        total = sum(self.matcher.weight[f] for f in known) or 1.0
        return sum(self.matcher.weight[f] for f in known if f in names) / total >= 0.5

    def years(self, pos: int, clause, marks, *, default_term: bool) -> tuple[list[int], str, str]:
        """Years to check a claim against, and how sure: 'stated', 'carried', 'soft' (đến nay), 'none'."""
        inside = [m for m in marks if clause[0] <= m[0] < clause[1] and m[0] <= pos]
        if inside and inside[-1][2] != "đến nay":
            return [inside[-1][1]], "stated", f"{inside[-1][2]} ghi trong câu"
        before = [m for m in marks if m[0] < pos and m[2] != "đến nay"]
        soft = [m for m in marks if m[0] < pos and m[2] == "đến nay"]  # "đến nay" earlier in the paragraph
        if inside and inside[-1][2] == "đến nay" or soft:
            yrs = [self.doc_year] + ([self.term_end] if self.term_end != self.doc_year else [])
            return [y for y in yrs if y], "soft", "đến nay"
        if before:
            return [before[-1][1]], "carried", "năm ghi ở đầu đoạn"
        return ([self.term_end] if default_term else []), "none", ""

    # -- x/y, đạt z% ---------------------------------------------------------------------------
    def share_claim(self, p, text, nums, i, view: DataView, marks, clause, used) -> None:
        n = nums[i]
        nxt = next((k for k in nums[i + 1:] if k.role not in ("year", "docnum")), None)
        if nxt is None or nxt.unit != "%" or nxt.start - n.end > 70 or nxt.start >= clause[1]:
            return
        x, y = n.fraction
        used.add(n.start)
        if nxt.role == "pct_ratio":
            return  # the x/y is the result the ratio compares: see ratio_claim
        used.add(nxt.start)
        exact = x / y * 100
        ok = ratio_matches(exact, nxt.value, nxt.decimals)
        stated = f"{n.text}/{format_vi(y)}: {_with_unit(nxt.text, '%')}"
        rounded = round_half_up(exact, nxt.decimals) == round_half_up(nxt.value, nxt.decimals)
        expected = f"{_fmt(x)} ÷ {_fmt(y)} × 100 = {format_vi(exact, nxt.decimals + 2)}%"
        reason = ("phép tính đúng" + ("" if rounded else " (chữ số cuối bị cắt, không làm tròn)")) if ok else \
            "x/y không cho tỷ lệ ghi trong câu"
        if nxt.role == "pct_plan":
            reason += "; '% kế hoạch' ở đây là tỷ lệ x/y (độ bao phủ), không phải tỷ lệ đạt Nghị quyết"
        finding, ind, year_txt, source = ("consistent" if ok else "arithmetic_fails"), "", "", ""
        window = text[clause[0]:nxt.end]
        ind_, _, _ = self.resolve(window, self._results_with_targets(view), unit="%", strict=True)
        if ok and ind_ is not None:
            years, how, how_txt = self.years(n.start, clause, marks, default_term=False)
            if how in ("stated", "carried"):
                recs = view.results(ind_, years[0])
                if not recs.empty:
                    rec = recs.iloc[0]
                    ind, year_txt, source = ind_, str(years[0]), str(rec["source"])
                    if values_match(nxt.value, nxt.decimals, rec["value"], rec["raw"]) or \
                            values_match(exact, 2, rec["value"], rec["raw"]):
                        expected += f"; số liệu {years[0]}: {rec['raw']} ({rec['source']})"
                    else:
                        finding = "contradicts_data"
                        expected += f"; số liệu {years[0]}: {rec['raw']} ({rec['source']})"
                        reason = f"'{self.name(ind)}' năm {years[0]} ({how_txt}): số liệu ghi {rec['raw']}; " + reason
        self.add(line=p.line_at(n.start), quote=_quote(text, n.start, nxt.end), kind="share", stated=stated,
                 expected=expected, finding=finding, reason=reason, indicator=ind, year=year_txt, data_source=source)

    def _results_with_targets(self, view: DataView) -> list[str]:
        with_t = set(view.with_targets(self.term_end)) | set(view.with_targets(self.next_end))
        return [i for i in view.with_results() if i in with_t]

    # -- đạt X% kế hoạch, dự toán ---------------------------------------------------------------
    def plan_claim(self, p, text, n: Num, used) -> None:
        used.add(n.start)
        ref = _PLAN_REF.match(text[n.end:n.end + 80]).group(0).strip(" )")
        self.add(line=p.line_at(n.start), quote=_quote(text, n.start, n.end + len(ref) + 1), kind="plan",
                 stated=f"{_with_unit(n.text, '%')} {ref}", expected="—", finding="cannot_check",
                 reason=f"tỷ lệ so với '{ref}', không phải so với chỉ tiêu Nghị quyết (số liệu không có "
                        "kế hoạch, dự toán)")

    # -- đạt X% Nghị quyết --------------------------------------------------------------------
    def ratio_claim(self, p, text, nums, i, view: DataView, marks, clause, used) -> None:
        n = nums[i]
        used.add(n.start)
        ref = _NQ_REF.match(text[n.end:n.end + 80])
        end = n.end + (ref.end() if ref else 4)
        quote = _quote(text, n.start, end)
        stated_ratio = f"{_with_unit(n.text, '%')} NQ"
        actual = _compared_number(nums, i, clause)
        years, how, how_txt = self.years(n.start, clause, marks, default_term=True)
        ind, runner, why, actual = self._ratio_indicator(text, text[clause[0]:end], clause, n, actual, years,
                                                         how == "stated", view)
        if actual is not None:
            used.add(actual.start)
        if ind is None or runner:
            if runner:
                why = f"không rõ là '{self.name(ind)}' hay '{self.name(runner)}'"
            self.add(line=p.line_at(n.start), quote=quote, kind="ratio", stated=stated_ratio, expected="—",
                     finding="cannot_check", reason=why)
            return
        self._check_ratio(p, n, actual, ind, years, how, how_txt, view, quote, stated_ratio)

    def _ratio_indicator(self, text, window, clause, n: Num, actual: Num | None, years, single: bool,
                         view: DataView) -> tuple[str | None, str, str, Num | None]:
        """(indicator, runner-up, reason when none, the number compared — None when its unit cannot be the
        indicator's) of a ratio claim."""
        a_unit = None if actual is None else ("%" if actual.fraction else actual.unit)
        preferred = view.with_targets(self.term_end)
        ind, runner, why = self.resolve(window, preferred, unit=a_unit, single_year=single)
        if ind is None and why.startswith("không xác định") and a_unit is not None:
            ind, runner, why = self.resolve(window, preferred, unit=None, single_year=single)
            if ind is not None and not unit_compatible(a_unit, self.unit(ind)):
                actual = None
        if ind is None and why.startswith("không xác định"):
            prev = _previous_context(text, clause)
            if prev:
                ind, runner, why = self.resolve(prev + " " + window, preferred, unit=a_unit)
        if ind is None and why.startswith("câu nói về") and self.last_candidate:
            if self._ratio_fits(self.last_candidate, n, years, view):
                ind, runner, why = self.last_candidate, "", ""
        return ind, runner, why, actual

    def _ratio_fits(self, cand: str, n: Num, years, view: DataView) -> bool:
        """Another indicator is named about as well: the one with a target is meant if its data give the ratio."""
        tgt_c = view.target(cand, self.term_end)
        if tgt_c is None or not _value_of(tgt_c):
            return False
        for y in years:
            recs = view.results(cand, y, span_ok=True)
            pub = view.published(cand, y)
            if (not recs.empty and ratio_matches(float(recs.iloc[0]["value"]) / _value_of(tgt_c) * 100,
                                                 n.value, n.decimals)) or \
                    (not pub.empty and pd.notna(pub.iloc[0]["value"]) and
                     round_half_up(float(pub.iloc[0]["value"]), n.decimals) == round_half_up(n.value, n.decimals)):
                return True
        return False

    def _check_ratio(self, p, n: Num, actual: Num | None, ind: str, years, how, how_txt, view: DataView, quote,
                     stated_ratio) -> None:
        """The ratio of a claim whose indicator is known, against the data of each year and its own number."""
        tgt = view.target(ind, self.term_end)
        T = _value_of(tgt)
        unit_ind = self.unit(ind)
        a_val = None
        if actual is not None:
            a_unit = "%" if actual.fraction else actual.unit
            a_val = (actual.fraction[0] / actual.fraction[1] * 100, 2) if actual.fraction else \
                (actual.value, actual.decimals)
            stated = f"{_with_unit(actual.text if not actual.fraction else _fmt(a_val[0]), a_unit)} → {stated_ratio}"
        else:
            stated = stated_ratio
        parts = []
        own_ok = None
        if a_val is not None and T:
            own = a_val[0] / T * 100
            own_ok = ratio_matches(own, n.value, n.decimals)
            parts.append(f"{_fmt(a_val[0])} ÷ {_fmt(T)} = {format_vi(own, max(n.decimals, 2))}%")
        results = self._ratio_by_year(ind, years, n, T, a_val, view, parts)  # (year, data_ok, value_ok)
        parts.append(f"chỉ tiêu {_with_unit(_fmt(float(tgt['value'])), unit_ind)} ({tgt['source']})")
        notes = []
        if self.directions.get(ind) == "lower":
            notes.append("chỉ tiêu càng thấp càng tốt: tỷ lệ theo cách tính của báo cáo không cho biết đạt hay không")
        finding, reason = _ratio_finding(results, actual, a_val, own_ok, n, years, how, how_txt)
        self.add(line=p.line_at(n.start), quote=quote, kind="ratio", stated=stated, expected="; ".join(parts),
                 finding=finding, reason="; ".join([reason] + notes), indicator=ind,
                 year="/".join(str(y) for y in years), data_source=str(tgt["source"]))

    def _ratio_by_year(self, ind: str, years, n: Num, T: float, a_val, view: DataView, parts: list[str]) -> list:
        """For each year with data: (year, the data give the stated ratio, the sentence's number is the data's);
        what was compared is appended to ``parts``."""
        results = []
        for y in years:
            recs = view.results(ind, y, span_ok=True)
            pub = view.published(ind, y)
            pv = float(pub.iloc[0]["value"]) if not pub.empty and pd.notna(pub.iloc[0]["value"]) else None
            if recs.empty and pv is None:
                continue
            data_ok, txt = False, f"số liệu {y}:"
            value_ok = None
            if not recs.empty:
                rec = recs.iloc[0]
                A = float(rec["value"])
                exact = A / T * 100 if T else math.nan
                data_ok = ratio_matches(exact, n.value, n.decimals)
                txt += f" {rec['raw']} ({rec['source']}) ÷ {_fmt(T)} = {format_vi(exact, max(n.decimals, 2))}%"
                if a_val is not None:
                    value_ok = values_match(a_val[0], a_val[1], A, rec["raw"])
            if pv is not None:
                data_ok = data_ok or round_half_up(pv, n.decimals) == round_half_up(n.value, n.decimals)
                txt += f"; in trong biểu: {pub.iloc[0]['raw']} ({pub.iloc[0]['source']})"
            parts.append(txt)
            results.append((y, data_ok, value_ok))
        return results

    # -- vượt / đạt / chưa đạt NQ ----------------------------------------------------------------
    def verdict_claim(self, p, text, m, view: DataView, marks, clause) -> None:
        verb = fold(m.group("verb"))
        said = {"vượt": ("exceeded",), "đạt": ("met", "exceeded"), "hoàn thành": ("met", "exceeded"),
                "chưa đạt": ("not_met",), "không đạt": ("not_met",)}[verb]
        preferred = sorted(set(view.with_targets(self.term_end)) | set(view.with_verdicts(self.term_end)))
        found = self._verdict_targets(p, text, m, view, marks, clause, preferred)
        if found is None:
            return  # recorded already: the sentence counts targets, it names none
        targets, why, quote_end = found
        quote = _quote(text, m.start(), quote_end, before=90)
        if not targets:
            self.add(line=p.line_at(m.start()), quote=quote, kind="verdict", stated=m.group(0), expected="—",
                     finding="cannot_check", reason=why or "không xác định được chỉ tiêu")
            return
        years, how, how_txt = self.years(m.start(), clause, marks, default_term=True)
        outcomes = [self._verdict_outcome(ind, item, said, years, view) for ind, item in targets]
        if len(targets) == 2 and not targets[0][1] and all(o[2] is not None for o in outcomes) and \
                outcomes[0][2] != outcomes[1][2]:
            self.add(line=p.line_at(m.start()), quote=quote, kind="verdict", stated=m.group(0),
                     expected="; ".join(o[3] for o in outcomes), finding="cannot_check",
                     reason="câu có thể nói về hai chỉ tiêu, số liệu cho hai kết quả khác nhau")
            return
        for ind, item, ok, expected, y in outcomes:
            self.add(line=p.line_at(m.start()), quote=quote, kind="verdict",
                     stated=m.group(0) + (f" — {item}" if item else ""), expected=expected if ok is not None else "—",
                     finding="cannot_check" if ok is None else ("consistent" if ok else "contradicts_data"),
                     reason=expected if ok is None else ("khớp" if ok else "số liệu cho kết quả khác"),
                     indicator=ind, year=y)

    def _verdict_targets(self, p, text, m, view: DataView, marks, clause, preferred):
        """(indicators with the item of a list naming each, reason when none, end of the quote) that a verdict
        sentence speaks of; None when the sentence only counts targets (a claim is recorded for it)."""
        tail = text[m.end():clause[1]]
        listing = re.match(r"[^:;.]{0,120}?\bnhư\s*:?\s*(?P<items>[^;.]+)", tail)
        targets: list[tuple[str, str]] = []
        why = ""
        if listing:
            # "… không đạt mục tiêu Nghị quyết như: A, B, C": each item names an indicator with a target
            items = [x.strip() for x in listing.group("items").split(",") if len(x.strip()) >= 3]
            for k, item in enumerate(items):
                tries = [item]
                if k > 0 and len(_words(item)) <= 3:
                    head = " ".join(items[k - 1].split()[:-2])
                    tries.insert(0, f"{head} {item}")
                for t in tries:
                    mm = self.matcher.match(t, preferred)
                    if mm is not None and not mm.runner_up:
                        targets.append((mm.indicator, item))
                        break
            quote_end = m.end() + listing.end()
        elif re.search(r"\d+\s*(?:/\s*\d+\s*)?chỉ tiêu", fold(_item(text, m.start(), m.start(), clause))):
            self.add(line=p.line_at(m.start()), quote=_quote(text, m.start(), m.end(), before=90), kind="verdict",
                     stated=m.group(0), expected="—", finding="cannot_check",
                     reason="câu đếm số chỉ tiêu đạt/không đạt, không nói một chỉ tiêu cụ thể")
            return None
        else:
            targets, why = self._verdict_subject(text, m, view, marks, clause, preferred)
            quote_end = m.end()
        return targets, why, quote_end

    def _verdict_subject(self, text, m, view: DataView, marks, clause, preferred) -> tuple[list, str]:
        """The indicator a verdict sentence without a list names (and a runner-up named as well), and why not."""
        targets: list[tuple[str, str]] = []
        before = [k for k in _numbers(text[clause[0]:m.start()]) if k.role == "value" and k.paren == 0]
        unit = None
        if before:
            k = before[-1]
            unit = "%" if k.fraction else k.unit
        narrow = _item(text, m.start(), m.start(), clause)
        ind, runner, why = self.resolve(narrow, preferred, unit=None)
        if ind is None:
            ind, runner, why = self.resolve(text[clause[0]:m.end()], preferred, unit=unit, strict=True)
            loose, loose_runner, _ = self.resolve(text[clause[0]:m.end()], preferred, unit=unit)
            cand = loose if loose and not loose_runner else self.last_candidate
            if ind is None and cand and before:
                # named about as well as another indicator: the one with a target is meant if the sentence's
                # number is its value
                k = before[-1]
                yrs, _, _ = self.years(m.start(), clause, marks, default_term=True)
                for y in yrs:
                    recs = view.results(cand, y, span_ok=True)
                    if not recs.empty and values_match(k.value, k.decimals, float(recs.iloc[0]["value"]),
                                                       recs.iloc[0]["raw"]):
                        ind, runner, why = cand, "", ""
                        break
        if ind is None and why.startswith("không xác định"):
            prev = _previous_context(text, clause)
            if prev:
                ind, runner, why = self.resolve(prev + " " + text[clause[0]:m.end()], preferred, unit=unit,
                                                strict=True)
        if ind is not None:
            targets = [(ind, "")] + ([(runner, "")] if runner else [])
        return targets, why

    def _verdict_outcome(self, ind: str, item: str, said, years, view: DataView) -> tuple:
        """(indicator, list item, the data agree (None: cannot tell), what the data say, year) for one indicator."""
        tgt = view.target(ind, self.term_end)
        words = view.verdict_words(ind, self.term_end)
        if tgt is None and words is not None:
            code, raw, src = words
            word_vi = {"exceeded": "vượt", "met": "đạt", "completed": "đạt", "not_met": "không đạt"}.get(code, "?")
            ok = code in said or (code == "completed" and "met" in said)
            return ind, item, ok, f"'{self.name(ind)}': biểu đánh giá «{raw}» → {word_vi} ({src})", str(self.term_end)
        found = None
        for y in years:
            recs = view.results(ind, y, span_ok=True)
            if not recs.empty:
                found = (y, recs.iloc[0])
                break
        if tgt is None or found is None:
            return (ind, item, None,
                    f"'{self.name(ind)}': không có kết quả năm {', '.join(map(str, years))} trong số liệu", "")
        y, rec = found
        a = assess(float(rec["value"]), float(tgt["value"]), direction=self.directions.get(ind, "higher"),
                   target_comparator=tgt["comparator"], actual_comparator=rec["comparator"])
        verdict_vi = {"exceeded": "vượt", "met": "đạt", "not_met": "không đạt", "unknown": "?"}[a.verdict]
        return (ind, item, a.verdict in said,
                f"'{self.name(ind)}' {y}: {rec['raw']} so với chỉ tiêu {tgt['raw']} → {verdict_vi} ({rec['source']})",
                str(y))

    # -- tăng / giảm … so với ------------------------------------------------------------------
    def change_claim(self, p, text, m, nums, view: DataView, marks, clause, used) -> None:
        n = next((k for k in nums if k.start == m.start("num")), None)
        if n is None:
            return
        used.add(n.start)
        base_txt = fold(m.group("base"))
        quote = _quote(text, m.start(), m.end())
        sign = -1 if fold(m.group("dir")) == "giảm" else 1
        unit_words = n.unit or m.group("unit").strip()
        stated = f"{m.group('dir')} {_with_unit(n.text, unit_words)} so với {m.group('base')}"
        current = None
        for k in reversed([k for k in nums if clause[0] <= k.start < n.start]):
            if k.role == "value" and k.paren <= n.paren:
                k_unit = "%" if k.fraction else k.unit
                if (n.unit is None and k_unit is None) or (n.unit is not None and k_unit is not None and (
                        unit_compatible(n.unit, k_unit) or unit_compatible(k_unit, n.unit))):
                    current = k
                break
        window = text[clause[0]:m.end()]
        unit = None if current is None else ("%" if current.fraction else current.unit)
        vs_nq = "nghị quyết" in base_txt or "nqđh" in base_txt
        by = re.search(r"(19|20)\d\d", base_txt)
        preferred = view.with_targets(self.term_end) if vs_nq else view.with_results()
        ind, runner, why = self.resolve(window, preferred, unit=unit, what="số liệu để so sánh", strict=unit is None)
        if ind is None or runner:
            self.add(line=p.line_at(m.start()), quote=quote, kind="change", stated=stated, expected="—",
                     finding="cannot_check", reason=why or "không rõ chỉ tiêu")
            return
        if current is not None:
            used.add(current.start)
        now = None if current is None else (current.fraction[0] / current.fraction[1] * 100 if current.fraction
                                            else current.value)
        if vs_nq:
            base, base_label = view.target(ind, self.term_end), "chỉ tiêu Nghị quyết"
        elif by:
            recs = view.results(ind, int(by.group()))
            base, base_label = (None if recs.empty else recs.iloc[0]), f"năm {by.group()}"
        else:
            base, base_label = None, m.group("base")
        if base is None or now is None:
            what = "giá trị hiện tại trong câu" if now is None else f"số liệu {base_label}"
            self.add(line=p.line_at(m.start()), quote=quote, kind="change", stated=stated, expected="—",
                     finding="cannot_check", reason=f"'{self.name(ind)}': không có {what} (ngoài chính câu này)",
                     indicator=ind)
            return
        B = _value_of(base)
        diff = now - B
        rel = (now / B - 1) * 100 if B else math.nan
        change = sign * n.value
        d = n.decimals
        ok_abs = ratio_matches(abs(diff), abs(change), d) and (diff >= 0) == (change >= 0)
        ok_rel = n.unit == "%" and ratio_matches(abs(rel), abs(change), d) and (rel >= 0) == (change >= 0)
        expected = (f"{_fmt(now)} − {_fmt(B)} ({base_label}: {base['raw']}, {base['source']}) = {_fmt(diff, max(d, 2))}"
                    + (f"; tương đối {format_vi(rel, 2)}%" if n.unit == "%" and not math.isnan(rel) else ""))
        if ok_abs or ok_rel:
            finding = "consistent"
            reason = "khớp" + (" (điểm phần trăm)" if ok_abs and n.unit == "%" else "") + \
                (" (tương đối)" if ok_rel and not ok_abs else "")
        else:
            finding, reason = "arithmetic_fails", "mức tăng/giảm không khớp với số của câu và số liệu gốc"
        self.add(line=p.line_at(m.start()), quote=quote, kind="change", stated=stated, expected=expected,
                 finding=finding, reason=reason, indicator=ind, data_source=str(base["source"]))

    # -- "chưa có bản đạt bản NTM kiểu mẫu và bản NTM" ---------------------------------------------
    def none_claim(self, p, text, m, view: DataView, marks, clause) -> None:
        np_ = m.group("np")
        count_units = {"xã", "bản", "thôn", "trường", "sản phẩm", "doanh nghiệp"}
        preferred = [i for i in self._results_with_targets(view) if self.unit(i) in count_units]
        parts = [x.strip() for x in re.split(r"\bvà\b", np_) if x.strip()]
        head = parts[0].split()[0] if parts else ""
        found = []
        for part in parts:
            window = part if part == parts[0] or part.split()[0] == head else f"{head} {part}"
            ind, runner, _ = self.resolve(window, preferred, unit=None, strict=True)
            if ind is not None and not runner and ind not in [f[0] for f in found]:
                found.append((ind, part))
        years, how, how_txt = self.years(m.start(), clause, marks, default_term=False)
        if how == "none" and self.doc_year:
            years, how, how_txt = [self.doc_year, self.term_end], "soft", "'chưa có': thời điểm của văn bản"
        quote = _quote(text, m.start(), m.end())
        for ind, part in found:
            recs = [(y, view.results(ind, y)) for y in years]
            recs = [(y, r.iloc[0]) for y, r in recs if not r.empty]
            if not recs:
                self.add(line=p.line_at(m.start()), quote=quote, kind="value", stated=f"0 ('chưa có' {part})",
                         expected="—", finding="cannot_check", reason=f"'{self.name(ind)}': câu không ghi năm",
                         indicator=ind)
                continue
            ok = any(float(r["value"]) == 0 for _, r in recs)
            self.add(line=p.line_at(m.start()), quote=quote, kind="value", stated=f"0 ('chưa có' {part})",
                     expected="; ".join(f"số liệu {y}: {r['raw']} ({r['source']})" for y, r in recs),
                     finding="consistent" if ok else "contradicts_data",
                     reason="khớp" if ok else f"câu nói chưa có; số liệu ({how_txt}) ghi khác 0",
                     indicator=ind, year="/".join(str(y) for y, _ in recs), data_source=str(recs[0][1]["source"]))

    # -- a value next to an indicator's name ------------------------------------------------------
    def value_claim(self, p, text, nums, i, view: DataView, marks, clause, used, target_mode) -> None:
        n = nums[i]
        unit = "%" if n.fraction else n.unit
        before = fold(text[max(clause[0], n.start - 60):n.start])
        if re.search(r"\b(mới|trồng mới|xây mới|tái canh|tổng cộng|vượt|thiếu|thấp hơn|cao hơn|chênh)"
                     r"(?:\s+\S+){0,2}\s*$", before) or \
                re.search(r"\bthêm\b", before):
            return  # an increment ('phấn đấu thêm 02 xã', 'trồng mới 1.185 ha'), not the indicator's level
        window = _item(text, n.start, n.end, clause)
        if target_mode:
            years, how, how_txt = self.years(n.start, clause, marks, default_term=False)
            year = years[0] if years and years[0] > self.term_end else self.next_end
            preferred = view.with_targets(year)
            ind, runner, _ = self.resolve(window, preferred, unit=unit, strict=True, what=f"chỉ tiêu {year}")
            if ind is None or runner:
                return
            used.add(n.start)
            recs = view.targets(ind, year)
            value = n.value
            self._compare_value(p, text, n, ind, value, [year], "stated", recs_by_year={year: recs}, kind="target")
            return
        preferred = self._results_with_targets(view)
        ind, runner, _ = self.resolve(window, preferred, unit=unit, strict=True, what="kết quả")
        if ind is None or runner:
            return
        used.add(n.start)
        value = n.fraction[0] / n.fraction[1] * 100 if n.fraction else n.value
        years, how, how_txt = self.years(n.start, clause, marks, default_term=False)
        if how == "none":
            recs = view.results(ind)
            self._compare_value(p, text, n, ind, value, [], "none", recs_by_year={None: recs}, kind="value")
            return
        avg = self._is_average(ind)
        self._compare_value(p, text, n, ind, value, years, how,
                            recs_by_year={y: view.results(ind, y, span_ok=avg) for y in years}, kind="value",
                            how_txt=how_txt)

    def _compare_value(self, p, text, n, ind, value, years, how, *, recs_by_year, kind, how_txt="") -> None:
        decimals = 2 if n.fraction else n.decimals
        comp = COMPARATOR_PREFIX_VI[n.comparator]
        shown = n.text if not n.fraction else f"{n.text}/{_fmt(n.fraction[1])}"
        stated = f"{comp}{_with_unit(shown, n.unit if not n.fraction else '')}" + \
            (f" ({'/'.join(map(str, years))})" if years else "")
        quote = _quote(text, n.start, n.end, before=70)
        all_recs = [(y, r) for y, recs in recs_by_year.items() for _, r in recs.iterrows()]
        if not all_recs:
            if how == "none":
                return
            self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated, expected="—",
                     finding="cannot_check", reason=f"'{self.name(ind)}': không có số liệu năm "
                     f"{'/'.join(map(str, years))}", indicator=ind, year="/".join(map(str, years)))
            return
        matches = [(y, r) for y, r in all_recs if values_match(value, decimals, float(r["value"]), r["raw"])]
        # first record of each year is the preferred one (the results table's row)
        firsts = {}
        for y, r in all_recs:
            key = y if y is not None else r["period"]
            firsts.setdefault(key, r)
        listing = "; ".join(f"{k}: {r['raw']} ({r['source']})" for k, r in list(firsts.items())[:4])
        if matches and any(r is firsts.get(y if y is not None else r["period"]) for y, r in matches):
            y, r = next((y, r) for y, r in matches if r is firsts.get(y if y is not None else r["period"]))
            notes = []
            rc = r["comparator"] or "="
            if n.comparator != rc and (n.comparator in (">", "<") or rc in (">", "<")):
                notes.append(f"cận khác nhau: câu '{comp.strip() or 'bằng'}', số liệu '{r['raw']}'")
            others = [r2 for y2, r2 in all_recs if (y2 == y) and r2 is not r and
                      not values_match(float(r2["value"]), _natural_decimals(float(r2["value"])), float(r["value"]),
                                       r["raw"])]
            if others:
                notes.append("nơi khác ghi " + "; ".join(f"{o['raw']} ({o['source']})" for o in others[:2]))
            label = y if y is not None else r["period"]
            self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated,
                     expected=f"{'chỉ tiêu' if kind == 'target' else 'số liệu'} {label}: {r['raw']} ({r['source']})",
                     finding="consistent", reason="; ".join(["khớp" + (" (câu không ghi năm)" if how == "none" else "")]
                                                             + notes),
                     indicator=ind, year=str(label), data_source=str(r["source"]))
            return
        if how == "none":
            self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated, expected=listing,
                     finding="cannot_check", reason=f"'{self.name(ind)}': câu không ghi năm, số không khớp số liệu "
                     "năm nào", indicator=ind)
            return
        y0, r0 = next(iter(firsts.items()))
        others = [o for yy, o in all_recs if o is not r0 and values_match(value, decimals, float(o["value"]), o["raw"])]
        reason = f"'{self.name(ind)}' {'/'.join(map(str, years))}" + (f" ({how_txt})" if how_txt else "") + \
            f": {'chỉ tiêu' if kind == 'target' else 'số liệu'} ghi {r0['raw']} ({r0['source']})"
        if others:
            same_doc = self.self_source and all(str(o["source"]).startswith(self.self_source + ":") for o in others)
            reason += "; " + ", ".join(f"{o['source']} ghi {o['raw']}" for o in others[:2]) + \
                (" như câu này — văn bản tự mâu thuẫn" if same_doc else " như câu này")
        self.add(line=p.line_at(n.start), quote=quote, kind=kind, stated=stated, expected=listing,
                 finding="contradicts_data", reason=reason, indicator=ind, year="/".join(map(str, years)),
                 data_source=str(r0["source"]))

    def _is_average(self, ind: str) -> bool:
        name = fold(self.name(ind))
        return bool(re.search(r"bình quân|trung bình|hằng năm|hàng năm", name)) or \
            self.matcher.kinds.get(ind) in RATE_KINDS

    # -- a row of a table inside the document ---------------------------------------------------
    def table_row(self, ind: dict, vals: pd.DataFrame, cmps: pd.DataFrame, lines: list[str]) -> None:
        """A row of a results table in the document: its printed ratio (or verdict) against its own numbers."""
        line = int(ind["source"].split(":")[1])
        quote = lines[line - 1].replace("\t", " | ")[:160]
        v = vals[vals["indicator"] == ind["id"]]
        tgt = v[(v["status"] == "target") & (v["period"] == str(self.term_end)) & v["value"].notna()]
        act = v[v["status"].isin(["actual", "estimate"]) & v["value"].notna()]
        act = act[act["period"].astype(int) <= self.term_end].sort_values("period", kind="stable")
        c = cmps[cmps["indicator"] == ind["id"]] if not cmps.empty else cmps
        if tgt.empty or act.empty or c.empty:
            return
        t, a, cm = tgt.iloc[0], act.iloc[-1], c.iloc[0]
        T, A = float(t["value"]), float(a["value"])
        q = parse(cm["raw"])
        stated = f"{a['raw']} ({a['period']}) so với {t['raw']}: {cm['raw']}"
        if cm["value"] is not None and not pd.isna(cm["value"]):
            exact = A / T * 100 if T else math.nan
            ok = ratio_matches(exact, float(cm["value"]), q.decimals)
            self.add(line=line, quote=quote, kind="table", stated=stated,
                     expected=f"{_fmt(A)} ÷ {_fmt(T)} × 100 = {format_vi(exact, max(q.decimals, 2))}%",
                     finding="consistent" if ok else "arithmetic_fails",
                     reason="khớp" if ok else "tỷ lệ in trong bảng không suy ra từ số của chính dòng đó",
                     indicator=ind["name"], year=str(a["period"]))
        elif q.words in ("met", "exceeded", "not_met"):
            r = assess(A, T, direction=ind["direction"], target_comparator=t["comparator"],
                       actual_comparator=a["comparator"])
            said = {"met": ("met", "exceeded"), "exceeded": ("exceeded",), "not_met": ("not_met",)}[q.words]
            ok = r.verdict in said
            self.add(line=line, quote=quote, kind="table", stated=stated,
                     expected=f"{_fmt(A)} so với {_fmt(T)} → {r.verdict_vi.lower()}",
                     finding="consistent" if ok else "arithmetic_fails",
                     reason="khớp" if ok else "nhận xét trong bảng không khớp số của chính dòng đó",
                     indicator=ind["name"], year=str(a["period"]))


def _ratio_finding(results, actual: Num | None, a_val, own_ok, n: Num, years, how, how_txt) -> tuple[str, str]:
    """(finding, reason) of a ratio claim from the years compared, the claim's own division and its number."""
    ok_years = [y for y, d, v in results if d]
    value_bad = a_val is not None and own_ok and results and all(v is False for _, _, v in results)
    if ok_years and value_bad and how != "none":
        finding = "contradicts_data"
        reason = (f"số của câu ({actual.text}) khác số liệu năm {' và '.join(str(y) for y, _, _ in results)} "
                  f"({how_txt}); tỷ lệ {n.text}% vẫn khớp")
    elif ok_years:
        finding = "consistent"
        y_ok = ok_years[0]
        reason = "khớp" + (f" (số liệu năm {y_ok})" if how in ("soft", "none") and len(years) > 1 else "")
        v_bad = [v for y, d, v in results if y == y_ok and v is False]
        if v_bad:
            reason += f"; số {actual.text} đứng trước tỷ lệ không phải số được so"
    elif results:
        v_any = any(v for _, _, v in results)
        if v_any and own_ok is False:
            finding, reason = "arithmetic_fails", "tỷ lệ không suy ra được từ số của câu và chỉ tiêu Nghị quyết"
        elif how == "none" and a_val is not None and own_ok:
            finding = "cannot_check"
            reason = "câu không ghi năm; số của câu khác số liệu cuối nhiệm kỳ (phép chia của câu đúng)"
        else:
            finding = "contradicts_data"
            yrs = " và ".join(str(y) for y, _, _ in results)
            if a_val is not None and own_ok:
                reason = f"số của câu khác số liệu năm {yrs} ({how_txt or 'cuối nhiệm kỳ'}); phép chia của câu đúng"
            elif a_val is not None:
                reason = f"số và tỷ lệ của câu khác số liệu năm {yrs}; tỷ lệ cũng không suy ra từ số của câu"
            else:
                reason = f"tỷ lệ khác tỷ lệ tính từ số liệu năm {yrs} ({how_txt or 'cuối nhiệm kỳ'})"
    elif own_ok is not None:
        finding = "consistent" if own_ok else "arithmetic_fails"
        reason = ("khớp phép tính với chỉ tiêu Nghị quyết" if own_ok else
                  "tỷ lệ không suy ra được từ số của câu và chỉ tiêu Nghị quyết") + \
            f" (không có số liệu kết quả năm {', '.join(map(str, years))})"
    else:
        finding, reason = "cannot_check", f"không có số liệu kết quả năm {', '.join(map(str, years))}"
    return finding, reason


def _compared_number(nums: list[Num], i: int, clause) -> Num | None:
    """The number a ratio compares: the nearest value before it in the clause, not deeper in parentheses."""
    n = nums[i]
    for k in range(i - 1, -1, -1):
        a = nums[k]
        if a.start < clause[0]:
            break
        if a.role in ("year", "docnum", "pct_ratio", "pct_plan", "change") or a.paren > n.paren:
            continue
        return a
    return None


def _value_of(rec) -> float:
    """A record's value; an x/y by its parts (30/36 = 83,33…, where the table prints 83,3)."""
    if rec is None:
        return math.nan
    num, den = rec.get("numerator"), rec.get("denominator")
    if num is not None and den is not None and pd.notna(num) and pd.notna(den) and den:
        return float(num) / float(den) * 100
    return float(rec["value"])
