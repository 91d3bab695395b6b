"""Read a quantity as Vietnamese reports write it.

``parse`` takes one cell or phrase (``"2.815 ha"``, ``"Trên 5%/năm"``, ``"30/36 trường đạt 83,3%"``) and returns a
:class:`Quantity`: the value(s), comparator, unit, whether it is per year, the parts of an x-of-y, words such as
*Hoàn thành*, and a list of guesses whenever the reading was not certain. It never returns a silently wrong
number: text it cannot read comes back with ``status="unread"`` and the raw text kept.

Separators. Vietnamese writes ``2.815`` for 2815 and ``509,1`` for 509.1, but real documents mix conventions
(``29.40%`` beside ``29,2%``; ``17,504`` tonnes). A separator followed by exactly three digits is ambiguous.
:func:`parse` decides it from context (the unit, the magnitude of the other cells of the row: ``context=``) and
records the guess; :func:`parse_row` decides all the cells of a row together.

>>> q = parse("2.815 ha")
>>> q.value, q.unit, q.guessed
(2815.0, 'ha', True)
>>> parse("Trên 5%/năm").comparator, parse("Trên 5%/năm").per_year
('>', True)
>>> q = parse("30/36 trường đạt 83,3%")
>>> (q.numerator, q.denominator, q.value)
(30.0, 36.0, 83.3)

The only exception it raises is :class:`QuantityError`, for an argument that is not text.
"""
from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = ["Quantity", "QuantityError", "parse", "parse_row", "Token"]


class QuantityError(TypeError):
    """The argument of :func:`parse` was not a string."""


SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_MAP = {c: str(i) for i, c in enumerate(SUPERSCRIPTS)}
PLACEHOLDERS = ("…", "...", "…..")

# A number: digit groups joined by '.' or ',' (a space after the separator is an OCR artefact: "184, 4").
_NUM = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)*)(?![\d])")
_UNIT_WITH_DIGIT = re.compile(r"(?<=[\d\s])(k?m[23])\b|\b(CO2|[345]G)\b", re.IGNORECASE)
_OCR_LOOKALIKE = re.compile(r"[lIoO|][.,]?\d")  # letters OCR reads for 1 and 0, inside a number
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_FRACTION = re.compile(
    r"(?P<x>\d[\d.,]*)\s*(?P<xu>[^\W\d_]{0,12})\s*/\s*(?P<y>\d[\d.,]*)\s*(?P<yu>[^\W\d_]{0,12})"
)

# Comparators, most specific first. Matched on the lower-cased, whitespace-folded text.
_COMPARATOR_WORDS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(>=|≥|⩾)"), ">="),
    (re.compile(r"(<=|≤|⩽)"), "<="),
    (re.compile(r"\btừ\b.*\btrở lên\b"), ">="),
    (re.compile(r"\btrở lên\b"), ">="),
    (re.compile(r"\b(tối thiểu|ít nhất)\b"), ">="),
    (re.compile(r"\b(không quá|tối đa|không vượt quá)\b"), "<="),
    (re.compile(r"\b(trên|hơn)\b"), ">"),
    (re.compile(r"\bkhông có\b.*\bdưới\b"), ">="),
    (re.compile(r"\bdưới\b"), "<"),
    (re.compile(r">"), ">"),
    (re.compile(r"<"), "<"),
]
_PER_YEAR = re.compile(r"/\s*năm\b|\bhằng năm\b|\bhàng năm\b|\bmỗi năm\b|\bbình quân\b.*\bnăm\b")
_ESTIMATE = re.compile(r"\bước\b")

# Words that stand instead of a number, and what they say.
_WORDS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\bkhông đạt\b"), "not_met"),
    (re.compile(r"\bchưa đạt\b"), "not_met"),
    (re.compile(r"\bvượt\b"), "exceeded"),
    (re.compile(r"\bhoàn thành\b"), "completed"),
    (re.compile(r"\bđạt\b"), "met"),
    (re.compile(r"\b(giữ vững|duy trì)\b"), "maintained"),
]

# Units, longest first; matched right after a number (after optional spaces).
_UNITS = [
    "triệu đồng/người/năm", "triệu đồng/người", "tỷ đồng", "triệu đồng", "nghìn đồng", "đồng",
    "tiêu chí/xã", "đảng viên", "lao động", "doanh nghiệp", "hợp tác xã", "gia đình", "tổ dân phố",
    "triệu kwh", "kwh", "triệu m3", "triệu viên", "km", "m3", "m2", "ha", "tấn", "người", "hộ", "con", "xã",
    "bản", "trường", "tiêu chí", "%", "lượt", "giường", "bác sỹ", "bác sĩ", "sản phẩm", "phường", "thôn",
]
_COUNT_UNITS = {"người", "hộ", "con", "xã", "bản", "trường", "đảng viên", "lao động", "doanh nghiệp",
                "hợp tác xã", "tổ dân phố", "gia đình", "lượt", "sản phẩm", "phường", "thôn"}


@dataclass(frozen=True)
class Token:
    """One number as written, with its possible readings."""

    text: str
    start: int
    readings: tuple[tuple[float, int, str], ...]  # (value, decimals, how) — one reading unless ambiguous

    @property
    def ambiguous(self) -> bool:
        return len(self.readings) > 1


@dataclass(frozen=True)
class Quantity:
    """A parsed cell. ``value`` is the main number (for an x-of-y, the share in %)."""

    raw: str
    status: str  # "number" | "fraction" | "words" | "missing" | "unread"
    value: float | None = None
    decimals: int = 0
    comparator: str = "="
    unit: str | None = None
    per_year: bool = False
    estimate: bool = False
    numerator: float | None = None
    denominator: float | None = None
    values: tuple[float, ...] = ()
    words: str | None = None  # "completed", "met", "exceeded", "not_met", "maintained"
    footnotes: tuple[str, ...] = ()
    guesses: tuple[str, ...] = field(default_factory=tuple)
    against_convention: bool = False  # a guess overrode the Vietnamese reading ('.' thousands, ',' decimal)
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def guessed(self) -> bool:
        return bool(self.guesses)

    @property
    def is_number(self) -> bool:
        return self.value is not None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()


def _strip_footnotes(text: str) -> tuple[str, tuple[str, ...]]:
    notes = tuple("".join(_SUP_MAP[c] for c in m.group()) for m in re.finditer(f"[{SUPERSCRIPTS}]+", text))
    return re.sub(f"[{SUPERSCRIPTS}]+", "", text), notes


def _readings(text: str) -> tuple[tuple[float, int, str], ...]:
    """All plausible readings of one number token."""
    seps = [c for c in text if c in ".,"]
    groups = re.split(r"[.,]", text)
    if not seps:
        return ((float(text), 0, "plain"),)
    if len(set(seps)) == 2:  # both kinds: the last one is the decimal mark
        dec = text[max(text.rfind("."), text.rfind(","))]
        thou = "," if dec == "." else "."
        intpart, frac = text.rsplit(dec, 1)
        if all(len(g) == 3 for g in intpart.split(thou)[1:]) and intpart.count(dec) == 0:
            return ((float(intpart.replace(thou, "") + "." + frac), len(frac), "mixed"),)
        return ()
    sep = seps[0]
    if len(seps) > 1:  # 1.234.567: grouping only
        if all(len(g) == 3 for g in groups[1:]):
            return ((float("".join(groups)), 0, "grouped"),)
        return ()
    intpart, frac = groups
    if len(frac) != 3:
        return ((float(intpart + "." + frac), len(frac), "decimal"),)
    if intpart == "0" or intpart == "":  # 0,500 can only be a decimal
        return ((float("0." + frac), 3, "decimal"),)
    thousands = (float(intpart + frac), 0, "thousands")
    decimal = (float(intpart + "." + frac), 3, "decimal")
    # Vietnamese convention first: '.' groups thousands, ',' marks decimals
    return (thousands, decimal) if sep == "." else (decimal, thousands)


def _tokens(text: str) -> tuple[list[Token], list[str]]:
    tokens, problems = [], []
    masked = _DATE.sub(lambda m: " " * len(m.group()), text)
    masked = _UNIT_WITH_DIGIT.sub(lambda m: "u" * len(m.group()), masked)
    for m in _NUM.finditer(masked):
        s = m.group(1)
        before = masked[m.start() - 1] if m.start() > 0 else " "
        if before.isalpha():
            problems.append(f"digits glued to letters ('{text[max(0, m.start() - 3):m.end() + 1].strip()}'): not read")
            continue
        if _OCR_LOOKALIKE.match(masked, m.end()):  # "2.8l5", "1O0": a letter read in place of a digit
            problems.append(f"'{text[m.start():m.end() + 3].strip()}' looks OCR-damaged (a letter among the "
                            "digits): not read")
            continue
        readings = tuple(r for r in _readings(s) if math.isfinite(r[0]))
        if not readings and len(s) > 300:
            problems.append(f"'{s[:12]}…' ({len(s)} characters) is too long to be a number")
            continue
        if not readings:
            problems.append(f"'{s}' mixes separators in no known convention")
            continue
        tokens.append(Token(s, m.start(), readings))
    return tokens, problems


def _unit_after(text: str, end: int) -> tuple[str | None, bool]:
    rest = text[end:].lstrip().lower()
    for unit in _UNITS:
        if rest.startswith(unit):
            tail = rest[len(unit):]
            if unit != "%" and tail[:1].isalnum():
                continue
            return unit, bool(re.match(r"\s*/\s*năm", tail))
    return None, False


def _comparator(folded_lower: str, first_number_at: int | None) -> str:
    head = folded_lower if first_number_at is None else folded_lower[: first_number_at]
    tail = "" if first_number_at is None else folded_lower[first_number_at:]
    for pattern, comp in _COMPARATOR_WORDS:
        if comp == ">=" and pattern.pattern.startswith(r"\btrở"):
            if pattern.search(tail) or pattern.search(head):
                return comp
            continue
        if pattern.search(head):
            return comp
    return "="


def _words(folded_lower: str) -> str | None:
    for pattern, code in _WORDS:
        if pattern.search(folded_lower):
            return code
    return None


def _score(values: list[float], readings: list[tuple[float, int, str, int]], unit: str | None) -> float:
    """Lower is better: spread of magnitudes (decades) plus penalties for unlikely readings."""
    logs = [math.log10(abs(v)) for v in values if v]
    score = (max(logs) - min(logs)) if len(logs) > 1 else 0.0
    for value, decimals, how, convention_rank in readings:
        score += 0.3 * convention_rank  # against the Vietnamese convention
        if how == "decimal" and decimals == 3 and str(round(value * 1000))[-1] == "0":
            score += 1.0  # "17,500" as 17.5 would be written "17,5"
        if unit == "%" and value > 1000:
            score += 2.0
        if unit in _COUNT_UNITS and how == "decimal":
            score += 2.0  # counts of people, households, communes are whole
    return score


def _choose(tokens_per_cell: list[list[Token]], units: list[str | None], context: tuple[float, ...]):
    """Pick one reading per ambiguous token, jointly for all cells. Returns {(cell, token_index): (reading, why)}."""
    slots = [(ci, ti) for ci, toks in enumerate(tokens_per_cell) for ti, t in enumerate(toks) if t.ambiguous]
    chosen: dict[tuple[int, int], tuple[tuple[float, int, str], str]] = {}
    if not slots:
        return chosen
    # only finite numbers say anything about magnitude (an inf or NaN in the row, or a non-number, is left out)
    context = tuple(float(v) for v in context
                    if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v))
    best, best_score, scores = None, math.inf, []
    for combo in itertools.product(*[range(2) for _ in slots]):
        if len(slots) > 10:  # very long rows: decide each token by convention only
            combo = tuple(0 for _ in slots)
        pick = dict(zip(slots, combo))
        firsts, readings = list(context), []
        for ci, toks in enumerate(tokens_per_cell):
            for ti, t in enumerate(toks):
                r = t.readings[pick.get((ci, ti), 0)]
                if (ci, ti) in pick:
                    readings.append((*r, pick[(ci, ti)]))
                if ti == 0:
                    firsts.append(r[0])
        unit = next((u for u in units if u), None)
        s = _score(firsts, readings, unit)
        scores.append((s, combo))
        if s < best_score - 1e-12:
            best, best_score = combo, s
        if len(slots) > 10:
            break
    if best is None:  # no score was finite: the Vietnamese convention
        best = scores[0][1]
        best_score = scores[0][0]
    runner_up = min((s for s, c in scores if c != best), default=math.inf)
    has_context = len(context) + sum(len(t) for t in tokens_per_cell) > 1
    for (ci, ti), k in zip(slots, best):
        token = tokens_per_cell[ci][ti]
        reading = token.readings[k]
        other = token.readings[1 - k]
        if runner_up - best_score < 0.25:
            basis = "the Vietnamese convention (context did not decide)"
        elif has_context:
            basis = "the magnitude of the row's other numbers"
        elif k == 0:
            basis = "the Vietnamese convention"
        else:
            basis = "its unit and digits (a decimal is not written with a trailing 0; counts are whole)"
        why = (f"'{token.text}' read as {_show(reading[0])} (not {_show(other[0])}): {reading[2]} separator, "
               f"decided by {basis}")
        chosen[(ci, ti)] = (reading, why, k == 1)
    return chosen


def _show(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() else repr(x)


def _prepare(raw: str):
    if not isinstance(raw, str):
        raise QuantityError(f"parse() needs text, got {type(raw).__name__}")
    text, notes = _strip_footnotes(raw)
    text = _fold(text)
    text = re.sub(r"(\d)([.,]) (\d)", r"\1\2\3", text)  # OCR: "184, 4 ha"
    tokens, problems = _tokens(text)
    unit = None
    per_year_unit = False
    if tokens:
        first = tokens[0]
        unit, per_year_unit = _unit_after(text, first.start + len(first.text))
    return text, notes, tokens, problems, unit, per_year_unit


def _build(raw, text, notes, tokens, problems, unit, per_year_unit, chosen: dict[int, tuple]) -> Quantity:
    lower = text.lower()
    per_year = per_year_unit or bool(_PER_YEAR.search(lower))
    estimate = bool(_ESTIMATE.search(lower))
    words = _words(lower)
    if not tokens:
        if any(p in raw for p in PLACEHOLDERS) or not text:
            return Quantity(raw=raw, status="missing", footnotes=notes, problems=tuple(problems),
                            unit=unit, per_year=per_year)
        if words is not None:
            return Quantity(raw=raw, status="words", words=words, footnotes=notes, problems=tuple(problems))
        return Quantity(raw=raw, status="unread", footnotes=notes,
                        problems=tuple(problems) or ("no number and no known words",))
    values, guesses, decimals, against = [], [], [], False
    for i, t in enumerate(tokens):
        if i in chosen:
            reading, why, flipped = chosen[i]
            guesses.append(why)
            against = against or flipped
        else:
            reading = t.readings[0]
        values.append(reading[0])
        decimals.append(reading[1])
    comparator = _comparator(lower, tokens[0].start)
    masked = _DATE.sub(lambda m: " " * len(m.group()), text)
    frac = _FRACTION.search(masked)
    starts = [t.start for t in tokens]
    # "250 giường/1 vạn dân" is a rate per one unit of something else, not 250 out of 1
    per_one = frac is not None and frac.group("y") == "1" and bool(frac.group("xu")) \
        and frac.group("xu").lower() != frac.group("yu").lower()
    if frac is not None and not per_one and frac.start("x") in starts and frac.start("y") in starts:
        ix, iy = starts.index(frac.start("x")), starts.index(frac.start("y"))
        x, y = values[ix], values[iy]
        if y == 0:
            problems.append("x/y with y = 0")
            return Quantity(raw=raw, status="unread", values=tuple(values), footnotes=notes, problems=tuple(problems))
        printed = [i for i, t in enumerate(tokens) if i not in (ix, iy)
                   and _unit_after(text, t.start + len(t.text))[0] == "%"]
        share = values[printed[0]] if printed else x / y * 100
        dec = decimals[printed[0]] if printed else 2
        return Quantity(raw=raw, status="fraction", value=share, decimals=dec, comparator=comparator, unit="%",
                        per_year=per_year, estimate=estimate, numerator=x, denominator=y, values=tuple(values),
                        words=words, footnotes=notes, guesses=tuple(guesses), against_convention=against,
                        problems=tuple(problems))
    if len(values) > 1:
        problems.append(f"{len(values)} numbers in one cell: the first is the value, all are in `values`")
    return Quantity(raw=raw, status="number", value=values[0], decimals=decimals[0], comparator=comparator,
                    unit=unit, per_year=per_year, estimate=estimate, values=tuple(values), words=words,
                    footnotes=notes, guesses=tuple(guesses), against_convention=against, problems=tuple(problems))


def parse(raw: str, *, unit: str | None = None, context: tuple[float, ...] | list[float] = ()) -> Quantity:
    """Parse one cell. ``unit``: the indicator's unit, when known. ``context``: other numbers of the row."""
    text, notes, tokens, problems, found_unit, per_year_unit = _prepare(raw)
    unit_for_choice = found_unit or (unit.split("/")[0].strip().lower() if unit else None)
    chosen = {ti: v for (ci, ti), v in _choose([tokens], [unit_for_choice], tuple(context)).items()}
    return _build(raw, text, notes, tokens, problems, found_unit, per_year_unit, chosen)


def parse_row(cells: list[str] | tuple[str, ...], *, unit: str | None = None) -> list[Quantity]:
    """Parse the cells of one table row together, so that ambiguous separators are read consistently."""
    prepared = [_prepare(c) for c in cells]
    units = [p[4] for p in prepared] + [unit.split("/")[0].strip().lower() if unit else None]
    chosen = _choose([p[2] for p in prepared], units, ())
    out = []
    for ci, p in enumerate(prepared):
        mine = {ti: v for (c, ti), v in chosen.items() if c == ci}
        out.append(_build(cells[ci], *p, chosen=mine))
    return out
