"""Vietnamese number formatting and exact half-up rounding.

Reports group thousands with ``.`` and mark decimals with ``,`` (``2.815``, ``140,75``). They round half up
(62,5 → 63), which Python's ``round()`` does not (it rounds half to even).

>>> format_vi(2815)
'2.815'
>>> format_vi(140.75, 2)
'140,75'
>>> round_half_up(62.5, 0)
63.0
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["round_half_up", "format_vi", "format_pct_vi", "decimals_of", "is_missing", "machine_number"]


def is_missing(x) -> bool:
    """None, pandas' NA, or a float NaN (numpy included); False for anything else, text included."""
    import pandas as pd

    if x is None or x is pd.NA:
        return True
    try:
        return bool(math.isnan(x))
    except TypeError:
        return False


def round_half_up(x: float, decimals: int = 0) -> float:
    """Round half away from zero at ``decimals`` places, on the decimal value as written (``repr``) of ``x``."""
    if x is None or not math.isfinite(x):
        return x
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def decimals_of(x: float, max_decimals: int = 6) -> int:
    """Number of decimals needed to write ``x`` exactly (up to ``max_decimals``)."""
    d = Decimal(repr(float(x))).normalize()
    return max(0, min(max_decimals, -d.as_tuple().exponent))


def format_vi(x: float | int | None, decimals: int | None = None, *, missing: str = "chưa có số liệu") -> str:
    """Format with ``.`` thousands and ``,`` decimals. ``decimals=None`` writes as many as the value needs."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return missing
    if decimals is None:
        decimals = decimals_of(x)
    x = round_half_up(float(x), decimals)
    sign = "-" if x < 0 else ""
    text = f"{abs(x):,.{decimals}f}"  # 1,234.56
    return sign + text.replace(",", "\u0001").replace(".", ",").replace("\u0001", ".")


def format_pct_vi(x: float | None, decimals: int | None = None, *, missing: str = "chưa có số liệu") -> str:
    """``140.75`` → ``'140,75%'``."""
    text = format_vi(x, decimals, missing=missing)
    return text if text == missing else text + "%"


def machine_number(x: float | None) -> str:
    """A number as data files store it: ``2815``, ``509.1`` (no grouping, a dot for decimals, at most 10 decimals so
    that arithmetic noise such as ``0.30000000000000004`` is not written); ``""`` when missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    x = float(x)
    return str(int(x)) if x.is_integer() else repr(round(x, 10))
