"""Progress toward a target and projections to the target year (chỉ tiêu → 2030).

From the 2 to 10 points an indicator usually has, this package measures the observed pace, the pace
still required to reach the target, a progress category, and each method's projected value in the
target year. The method is written up, with every rule and threshold, in ``docs/PROJECTIONS.md``.

Two entry points:

- :func:`fit_series` fits one series and returns a :class:`ProjectionResults` (statsmodels style:
  ``summary_frame()``, ``path(to=2030)``, ``scenario(...)``). It runs every method, ETS included.
- :func:`project_panel` computes the same numbers for a whole panel (every locality × indicator) at
  once with numpy group arithmetic, for every method but ETS. It gives the same numbers as
  ``fit_series(..., ets=False)`` (tested to 1e-9).

The modules, by responsibility: :mod:`.rules` (vocabulary, thresholds and the element-wise formulas both paths
share), :mod:`.methods` (the estimators of one series: least-squares lines, ETS), :mod:`.results` (the results
object, :func:`fit_series`, scenarios), :mod:`.panel` (:func:`project_panel`).

Example
-------
>>> res = fit_series([2020, 2025], [443.15, 1052.4], target=1229.0, target_year=2030,
...                  direction="higher", kind="level", comparator=">=")
>>> round(res.required_cagr, 4), res.category, res.category_label_vi
(0.0315, 'on_track', 'Đúng hướng')
"""
from __future__ import annotations

from chitieu.analysis.projection.panel import PANEL_COLUMNS, TARGET_COLUMNS, project_panel  # noqa: F401
from chitieu.analysis.projection.results import ProjectionResults, Scenario, ScenarioResult, fit_series
from chitieu.analysis.projection.rules import (  # noqa: F401 - thresholds, re-exported
    ACCELERATE_MIN, CATEGORIES, CATEGORY_LABELS_VI, DEFAULT_ALPHA, FLAG_ORDER, LIMITED_MIN, METHOD_LABELS_VI,
    MIN_POINTS_ETS, MIN_POINTS_INTERVAL, MIN_POINTS_PACE, MIN_POINTS_PROBABILITY, ON_TRACK_MIN,
    PACE_BASIS_LABELS_VI, PANEL_METHODS, PROBABILITY_NOTE, SHARE_CAP, VERDICT_LABELS_VI, ProjectionError,
)

__all__ = [
    "ProjectionError",
    "ProjectionResults",
    "Scenario",
    "ScenarioResult",
    "fit_series",
    "project_panel",
    "CATEGORIES",
    "CATEGORY_LABELS_VI",
    "METHOD_LABELS_VI",
    "VERDICT_LABELS_VI",
    "PACE_BASIS_LABELS_VI",
    "PANEL_METHODS",
    "PANEL_COLUMNS",
]
