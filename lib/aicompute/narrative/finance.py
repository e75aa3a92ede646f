"""Wording of chapter 03 (finance): the cash model's burn, runways, guidance figures, like-for-like headlines.

The models (:mod:`aicompute.finance`, :mod:`aicompute.headlines`) return numbers; these functions say them.
"""

from __future__ import annotations

import math

import pandas as pd

from aicompute import finance

__all__ = ["burn_phrase", "year_label", "guidance_note", "rent_cover_phrase", "capex_cover_phrase"]


def burn_phrase(model: pd.DataFrame, total: str, unit: str = "USD bn") -> str:
    """The cash model's burn in words: "it burns <total> in total and at most N <unit> before cash flow turns
    positive in <year>", or, where cash flow is still negative in the last year, "... and cash flow is still
    negative in <year> (-N <unit>)": the peak cumulative burn is then not a peak. ``model``: a :func:`cash_model`
    frame; ``total``: the total burn already formatted (a tagged result)."""
    flow = model.set_index("year")["cash_flow"] if "year" in model.columns else model["cash_flow"]
    last_year, last = flow.index[-1], float(flow.iloc[-1])
    if last < 0:
        return f"it burns {total} in total, and cash flow is still negative in {last_year} ({last:.0f} {unit})"
    negative = flow[flow < 0]
    if negative.empty:
        return f"cash flow is positive in every year ({total} of burn in total)"
    turn = flow.index[flow.index.get_loc(negative.index[-1]) + 1]
    return (f"it burns {total} in total and at most {finance.funding_need(-flow):.0f} {unit} before cash flow turns "
            f"positive in {turn}")


def year_label(t: float | None, horizon: int | None = None) -> str:
    """A runway as words: 2028.25 -> 'early 2028' (first third), 'mid-2028', 'late 2028'; None -> 'beyond <horizon>'."""
    if t is None or (isinstance(t, float) and math.isinf(t)):
        return f"beyond {horizon}" if horizon else "beyond the horizon"
    year, frac = int(t), t - int(t)
    return f"{'early ' if frac < 1 / 3 else 'mid-' if frac < 2 / 3 else 'late '}{year}"


def guidance_note(basis: str, value: float, compilation: float | None = None) -> str:
    """What a guidance figure is, for a parenthesis: its ``basis``, and where a compilation gives another
    figure, which way it goes ("company guidance after Q1 2026; compilations give up to 725")."""
    if compilation is None or round(compilation) == round(value):
        return basis
    return f"{basis}; compilations give {'up to' if compilation > value else 'as little as'} {compilation:.0f}"


def rent_cover_phrase(ratio: float) -> str:
    """What revenue over rent means: below 1 the revenue does not even pay the rent."""
    if ratio < 1:
        return "short of the rent alone, before power, staff or the chips OpenAI buys itself"
    return "enough for the rent, with the rest left for power, staff and the chips OpenAI buys itself"


def capex_cover_phrase(share: float) -> str:
    """Capex as a share (%) of operating cash flow, in words: above 100 the gap is borrowed, leased or raised."""
    if share > 100:
        return "more than the cash the businesses generate: the difference is borrowed, leased or raised"
    return "within the cash the businesses generate"
