"""Which indicator a passage names: words folded and spelled one way (abbreviations expanded, tone marks and
spellings unified), each word and pair of words weighted by how rare it is among the locality's indicator names
(idf), and whether a stated unit can be an indicator's unit.

>>> unit_compatible("%/năm", "%"), unit_compatible("ha", "%"), unit_compatible("tấn", "tấn/năm")
(False, False, True)
>>> _words("Tỷ lệ hộ nghèo theo chuẩn NTM")[-3:]
['nông', 'thôn', 'mới']
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from chitieu.io.text import fold

__all__ = ["Match", "Matcher", "unit_compatible"]

_ABBREV = {
    "ntm": "nông thôn mới", "tdp": "tổ dân phố",
    "bhxh": "bảo hiểm xã hội", "bhyt": "bảo hiểm y tế", "thcs": "trung học cơ sở", "thpt": "trung học phổ thông",
    "gcnqsd": "giấy chứng nhận quyền sử dụng", "qsd": "quyền sử dụng", "qsdđ": "quyền sử dụng đất",
    "cchc": "cải cách hành chính", "mttq": "mặt trận tổ quốc", "httnv": "hoàn thành tốt nhiệm vụ",
    "htnv": "hoàn thành nhiệm vụ", "cbccvc": "cán bộ công chức viên chức", "llct": "lý luận chính trị",
    "gpmb": "giải phóng mặt bằng", "ttxh": "trật tự xã hội", "antt": "an ninh trật tự", "ubnd": "ủy ban nhân dân",
    "hđnd": "hội đồng nhân dân", "grdp": "tổng sản phẩm trên địa bàn", "mtqg": "mục tiêu quốc gia",
}
_TONE_FIX = {"oá": "óa", "oà": "òa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oé": "óe", "oè": "òe", "oẻ": "ỏe",
             "oẽ": "õe", "oẹ": "ọe", "uý": "úy", "uỳ": "ùy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_SPELL = {"sỹ": "sĩ", "kỹ": "kĩ", "hàng": "hằng", "trung": "trung"}
_STOP = {"và", "các", "của", "có", "được", "trong", "theo", "đạt", "với", "cho", "là", "đã", "những", "một", "số",
         "tỷ", "lệ", "tổng", "đến", "năm", "trên", "từ", "về", "tại", "bình", "quân", "hằng", "thực", "hiện",
         "ước", "toàn", "huyện", "phường", "so", "nâng", "lên", "còn", "khoảng", "gần", "vượt", "tăng", "giảm",
         "dưới", "trở", "mỗi", "nay", "hết", "cuối", "riêng"}
# words that say what the claim compares with, not what it is about
_REFERENCE = re.compile(r"\b(?:nghị quyết(?: đại hội)?(?: đảng bộ)?(?: huyện| tỉnh| xã| phường)?|nqđh|nq|"
                        r"mục tiêu|chỉ tiêu|kế hoạch(?: giao)?|dự toán)\b", re.IGNORECASE)


def _words(text: str) -> list[str]:
    text = _REFERENCE.sub(" ", unicodedata.normalize("NFC", str(text)))
    text = re.sub(r"\([^()]*\)", " ", text)
    out = []
    for w in re.findall(r"[^\W\d_]+", fold(text)):
        if w in _ABBREV:
            out.extend(_ABBREV[w].split())
            continue
        for a, b in _TONE_FIX.items():
            if w.endswith(a) and len(w) > len(a):
                w = w[: -len(a)] + b
                break
        out.append(_SPELL.get(w, w))
    return out


def _features(text: str) -> set[str]:
    ws = _words(text)
    feats = {w for w in ws if w not in _STOP}
    feats |= {f"{a} {b}" for a, b in zip(ws, ws[1:]) if a not in _STOP or b not in _STOP}
    return feats


@dataclass
class Match:
    indicator: str
    coverage: float
    score: float
    runner_up: str = ""
    by_unit: bool = False


class Matcher:
    """Finds the indicator a passage talks about, by the words of the indicators' names (and of their catalogue
    names), each word and pair of words weighted by how rare it is among the names (idf)."""

    def __init__(self, indicators: pd.DataFrame, catalogue: pd.DataFrame | None = None):
        names: dict[str, list[str]] = defaultdict(list)
        cat = {} if catalogue is None else dict(zip(catalogue["code"], catalogue["name_vi"]))
        for _, r in indicators.iterrows():
            names[r["id"]].append(str(r["name"]))
            code = r.get("catalogue_code", "")
            if code and code in cat:
                names[r["id"]].append(cat[code])
        self.ids = list(indicators["id"])
        self.units = dict(zip(indicators["id"], indicators["unit"]))
        self.kinds = dict(zip(indicators["id"], indicators["kind"]))
        self.names = dict(zip(indicators["id"], indicators["name"]))
        self.feats = {i: [f for f in (_features(n) for n in ns) if f] for i, ns in names.items()}
        df: dict[str, int] = defaultdict(int)
        for fs in self.feats.values():
            for f in set().union(*fs) if fs else set():
                df[f] += 1
        n = max(len(self.feats), 1)
        self.weight = {f: math.log(1 + n / c) * (1.5 if " " in f else 1.0) for f, c in df.items()}

    def score(self, ind: str, window: set[str]) -> tuple[float, float, bool]:
        """(score, coverage, a pair of words matched) of one indicator for a window of features."""
        best = (0.0, 0.0, False)
        for fs in self.feats.get(ind, []):
            total = sum(self.weight[f] for f in fs) or 1.0
            hit = [f for f in fs if f in window]
            matched = sum(self.weight[f] for f in hit)
            cov = matched / total
            sc = matched * cov
            if sc > best[0]:
                best = (sc, cov, any(" " in f for f in hit))
        return best

    def rank(self, text: str, candidates=None, *, unit: str | None = None) -> list[tuple[float, float, bool, str]]:
        window = _features(text)
        out = []
        pool = list(self.ids if candidates is None else candidates)
        if unit is not None:
            exact = [i for i in pool if _unit_key(self.units.get(i, "")) == _unit_key(unit)]
            pool = exact or pool
        for ind in pool:
            if unit is not None and not unit_compatible(unit, self.units.get(ind, "")):
                continue
            sc, cov, pair = self.score(ind, window)
            if sc > 0:
                out.append((sc, cov, pair, ind))
        return sorted(out, reverse=True)

    def match(self, text: str, candidates=None, *, unit: str | None = None, min_coverage: float = 0.3) -> Match | None:
        """The indicator among ``candidates`` that ``text`` names, None when none is named clearly enough; a Match
        with ``runner_up`` set when two are named about as well."""
        ranked = self.rank(text, candidates, unit=unit)
        if not ranked:
            return None
        sc, cov, pair, ind = ranked[0]
        alone = unit is not None and (len(ranked) == 1 or ranked[1][0] < 0.34 * sc)
        # a unit of its own ('giường/vạn dân', 'tiêu chí/xã') names the indicator with any word of its name
        own_unit = unit is not None and _norm_unit(unit) not in _PCT_UNITS and \
            sum(1 for i in self.ids if _norm_unit(self.units.get(i, "")) == _norm_unit(unit)) == 1 and \
            _norm_unit(self.units.get(ind, "")) == _norm_unit(unit)
        if own_unit:
            return Match(ind, cov, sc, by_unit=True)
        dominant = len(ranked) == 1 or ranked[1][0] < 0.2 * sc
        needed = min(min_coverage, 0.35) if dominant and min_coverage <= 0.3 else min_coverage
        if alone and min_coverage <= 0.3:
            needed = 0.15
        if not pair or cov < needed:
            return None
        if len(ranked) > 1 and ranked[1][0] > 0.8 * sc:
            return Match(ind, cov, sc, ranked[1][3])
        return Match(ind, cov, sc)

    def pick(self, text: str, preferred: list[str], *, unit: str | None = None,
             min_coverage: float = 0.3) -> tuple[Match | None, Match | None]:
        """(match among ``preferred`` (e.g. the indicators with a target), match among all indicators). The caller
        uses the first unless the second names another indicator much better (the claim is then about an
        indicator outside ``preferred``)."""
        return (self.match(text, preferred, unit=unit, min_coverage=min_coverage),
                self.match(text, None, unit=unit, min_coverage=min_coverage))


_PCT_UNITS = {"%", "%/năm", "điểm%/năm", "điểm%", "điểmphầntrăm"}


@lru_cache(maxsize=4096)
def _norm_unit(u: str | None) -> str:
    u = fold(u or "").replace(" ", "").replace("m³", "m3").replace("m²", "m2").replace("sỹ", "sĩ")
    return u.replace("/1vạn", "/vạn")


def _unit_key(u: str | None) -> str:
    """A unit for exact comparison: 'điểm %/năm' and '%/năm' are one."""
    n = _norm_unit(u)
    return "%" if n in _PCT_UNITS else n


def unit_compatible(stated: str | None, unit: str | None) -> bool:
    """Whether a value written with unit ``stated`` can be a value of an indicator in ``unit``."""
    s, u = _norm_unit(stated), _norm_unit(unit)
    if not s:
        return True
    if not u:
        return s not in _PCT_UNITS
    if s in _PCT_UNITS or u in _PCT_UNITS:
        return s in _PCT_UNITS and u in _PCT_UNITS and (not s.endswith("/năm") or u.endswith("/năm"))
    return s == u or u == s + "/năm" or s == u + "/năm"


