"""chitieu: targets (chỉ tiêu) of Vietnamese congress resolutions — achievement, trends, projections, reports.

The public API, what the notebooks use. Names are imported on first use, so ``import chitieu`` costs nothing
until something is called::

    import chitieu as ct
    loc = ct.load_locality("muong-ang")
    table = ct.results_table(loc)                        # one row per target: ratio, verdict, flags
    ct.assess(actual=2815, target=2000, direction="higher").ratio_pct     # 140.75
    ct.parse("Trên 5%/năm").comparator                   # '>'

Modules for notebooks: ``ct.sections`` (the report's sections), ``ct.charts``, ``ct.compare``, ``ct.whatif``.
Where each rule lives: ``docs/ARCHITECTURE.md``.
"""
from __future__ import annotations

import importlib

__version__ = "0.2.0"

_NAMES = {
    # data
    "load_locality": "chitieu.io.data", "load_localities": "chitieu.io.data", "load_catalogue": "chitieu.io.data",
    "long_table": "chitieu.io.data", "check": "chitieu.io.data", "Locality": "chitieu.io.data",
    "parse": "chitieu.io.quantity", "parse_row": "chitieu.io.quantity",
    "DataError": "chitieu.errors", "Problem": "chitieu.errors",
    # the domain core
    "assess": "chitieu.core.engine", "Assessment": "chitieu.core.engine",
    "format_vi": "chitieu.core.numfmt", "round_half_up": "chitieu.core.numfmt",
    # analysis
    "results_table": "chitieu.analysis.achievement",
    "fit_series": "chitieu.analysis.projection", "project_panel": "chitieu.analysis.projection",
    "compare_localities": "chitieu.analysis.compare",
    "audit_document": "chitieu.analysis.audit",
    "import_table": "chitieu.io.importer",
}
_MODULES = {
    "sections": "chitieu.report.sections", "charts": "chitieu.report.charts", "compare": "chitieu.analysis.compare",
    "whatif": "chitieu.analysis.whatif", "config": "chitieu.config",
}
__all__ = sorted([*_NAMES, *_MODULES])


def __getattr__(name: str):
    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    elif name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
    else:
        raise AttributeError(f"module 'chitieu' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
