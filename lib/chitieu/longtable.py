"""The long table of one locality: every target and result, one row each, with its raw text and source."""
from __future__ import annotations

import pandas as pd

from .data import Locality

__all__ = ["long_table", "LONG_COLUMNS"]

LONG_COLUMNS = ["locality", "indicator", "name", "catalogue_code", "period", "value", "comparator", "numerator",
                "denominator", "unit", "kind", "direction", "status", "raw", "source", "formula", "note"]


def long_table(loc: Locality) -> pd.DataFrame:
    """``status`` is target / actual / estimate / derived; a missing value (a ``…`` placeholder) stays empty."""
    ind = loc.indicators.rename(columns={"id": "indicator", "note": "indicator_note", "source": "indicator_source"})
    out = loc.values.merge(ind[["indicator", "name", "catalogue_code", "unit", "kind", "direction"]],
                           on="indicator", how="left")
    out.insert(0, "locality", loc.id)
    return out.reindex(columns=LONG_COLUMNS)
