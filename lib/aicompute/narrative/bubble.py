"""Wording of chapter 04 (the bubble debate): the scorecard's levels and the like-for-like comparisons.

The models (:mod:`aicompute.bubble`, :mod:`aicompute.headlines`) return numbers; these functions say them.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["levels_phrase"]


def levels_phrase(card: pd.DataFrame, tol: float = 0.01) -> str:
    """How many indicators sit at either end, in words that agree with the counts: "1 of 9 indicators is at or
    beyond its hot level, 2 at or below their calm level" (a score within ``tol`` of 1 or 0 counts)."""
    hot, calm, n = int((card["score"] >= 1 - tol).sum()), int((card["score"] <= tol).sum()), len(card)
    return (f"{hot} of {n} indicator{'' if n == 1 else 's'} {'is' if hot == 1 else 'are'} at or beyond "
            f"{'its' if hot == 1 else 'their'} hot level, {calm} at or below {'its' if calm == 1 else 'their'} calm level")
