"""Which catalogue code an indicator's name means — strictly: no code is better than a wrong one.

``compare`` puts side by side the localities that share a code, so a code must mean the same thing everywhere:
"tốc độ tăng trưởng kinh tế" is not budget-revenue growth, and cassava is not a fruit tree. A name matches a code
only when, after folding case and diacritics-preserving spelling and dropping words that do not change the meaning
(``bình quân``, ``hằng năm``, ``trên địa bàn``, ``đến năm 2025``, the locality's own name …), its words are
**exactly** the words of the code's Vietnamese name (``data/catalogue.csv``: ``name_vi``, or one of its
``aliases``, separated by ``;``), and the kind and the unit agree. Anything else gets no code, and the review list
says so.

>>> import pandas as pd
>>> cat = pd.DataFrame({"code": ["fruit_tree_area"], "name_vi": ["Diện tích cây ăn quả"], "unit": ["ha"],
...                     "kind": ["level"]})
>>> match("Diện tích cây ăn quả trên địa bàn", "ha", "level", cat)
('fruit_tree_area', "tên trùng với 'Diện tích cây ăn quả'")
>>> match("Diện tích trồng sắn", "ha", "level", cat)
('', 'không có mã danh mục nào cùng nghĩa')
"""
from __future__ import annotations

import re

import pandas as pd

from chitieu.core.vocabulary import RATE_KINDS, SHARE_KINDS
from chitieu.io.quantity import same_measure, unit_info
from chitieu.io.text import fold

__all__ = ["match", "content_words"]

#: words that do not change what an indicator measures
HARMLESS = {
    "bình", "quân", "hằng", "hàng", "năm", "mỗi", "trên", "địa", "bàn", "toàn", "đến", "của", "các", "những",
    "được", "đạt", "tỷ", "tỉ", "lệ", "số", "tổng", "giai", "đoạn", "nhiệm", "kỳ", "cả", "cuối", "đầu", "trong",
    "và", "có", "là", "với", "so", "theo", "tại", "mức", "chung", "chủ", "yếu", "lượng",
}


def content_words(name: str) -> frozenset[str]:
    """The words of a name that carry its meaning (``'Tỷ lệ hộ nghèo bình quân hằng năm'`` → {hộ, nghèo})."""
    text = re.sub(r"\(([^)]*)\)", lambda m: " " if _is_unit(m.group(1)) else f" {m.group(1)} ", fold(name))
    words = re.findall(r"[^\W\d_]+", text)
    return frozenset(w for w in words if w not in HARMLESS)


def _is_unit(text: str) -> bool:
    """A bracket that only names a unit (``(ha)``, ``(triệu đồng/người/năm)``, ``(%)``): not part of the meaning.
    Any other bracket (``(chuẩn 2016-2020)``, ``(trâu, bò, ngựa, dê)``) qualifies the name and is kept."""
    text = text.strip()
    return not text or text == "%" or unit_info(text) is not None or bool(re.fullmatch(r"[^\W\d_]+(/[^\W\d_]+)*", text)
                                                                          and len(text) <= 12)


def _units_agree(a: str, b: str) -> bool:
    if not a or not b:
        return True
    same = same_measure(a, b)
    return same if same is not None else fold(a).split("/")[0].strip() == fold(b).split("/")[0].strip()


def _kinds_agree(a: str, b: str) -> bool:
    return a == b or {a, b} <= set(RATE_KINDS) or {a, b} <= set(SHARE_KINDS)


def match(name: str, unit: str, kind: str, catalogue: pd.DataFrame | None) -> tuple[str, str]:
    """``(code, why)``: the code whose name (or alias) has exactly the same meaning-carrying words, with an
    agreeing kind and unit; ``('', why)`` when there is none — or more than one."""
    if catalogue is None or catalogue.empty or kind == "qualitative":
        return "", "không có mã danh mục nào cùng nghĩa"
    words = content_words(name)
    if not words:
        return "", "không có mã danh mục nào cùng nghĩa"
    hits = []
    aliases = catalogue["aliases"] if "aliases" in catalogue else [""] * len(catalogue)
    for code, name_vi, cunit, ckind, extra in zip(catalogue["code"], catalogue["name_vi"], catalogue["unit"],
                                                  catalogue["kind"], aliases):
        names = [name_vi, *[a for a in str(extra or "").split(";") if a.strip()]]
        same = next((n for n in names if content_words(n) == words), None)
        if same and _kinds_agree(kind, ckind) and _units_agree(unit, cunit):
            hits.append((code, same))
    if len(hits) == 1:
        return hits[0][0], f"tên trùng với '{hits[0][1]}'"
    if len(hits) > 1:
        return "", "tên trùng với nhiều mã danh mục: " + ", ".join(c for c, _ in hits)
    return "", "không có mã danh mục nào cùng nghĩa"
