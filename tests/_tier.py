"""Test tiers. ``./scripts/test`` runs the fast tier; ``./scripts/test --all`` (and CI) the full tier, which sets
``CHITIEU_TEST_TIER=full``. Property tests keep their full example counts in the full tier and run a tenth of them
(at least 20) in the fast tier, so a change is checked in seconds and fuzzed in full before it lands."""
from __future__ import annotations

import os

FULL = os.environ.get("CHITIEU_TEST_TIER") == "full"


def examples(n: int) -> int:
    """``n`` examples in the full tier, a tenth (at least 20) in the fast tier."""
    return n if FULL else min(n, max(20, n // 10))
