"""Wording of the chip chapter (01_chip_strategy): chart titles that depend on the evidence, the basis of
OpenAI's inference bill, and the lists of data the prose names. Numbers go through
:mod:`aicompute.formatting`; text from data is quoted (:func:`aicompute.formatting.quote`)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from aicompute.formatting import fmt, plain, quote

#: What the inference bill of :func:`aicompute.chips.inference_bill` is, by its basis.
BILL = {"reported": "2025 inference bill", "cost of revenue": "2025 cost of revenue (mostly inference)",
        "nine months annualised": "2025 inference bill"}

#: The named steps from the modelled floor to the cost OpenAI's own figures imply (see
#: :func:`aicompute.headlines.serving_cost_bridge` and :func:`aicompute.headlines.renter_cost`), in the order
#: they are applied: the floor to the owner's cost of the systems a renter can hire, then to the renter's cost.
BRIDGE = {"systems": "the systems a renter can hire, owned (their median owner's cost over the cheapest system's)",
          "renting": "renting them, each at its own median GPU-hour price (the renter's cost over the owner's, medians)"}


def reported_by(ev: Any, claim_id: str, bill: float, revenue: float | None) -> str:
    """'as reported by The Information (0.55 of its 13.1 USD bn of revenue)': who reported a bill, and its
    share of revenue where the revenue is known."""
    publisher = ev.sources().set_index("id").loc[ev.claim(claim_id).source_id, "publisher"].split(" (")[0]
    text = f"as reported by {quote(publisher)}"
    if revenue is not None:
        text += f" ({fmt(bill / revenue, spec='.2f')} of its {fmt(revenue, 'USD bn', '.1f')} of revenue)"
    return text


def reconcile_title(gap: float | None) -> str:
    """The reconciliation chart's title: list prices over the modelled cost, when a list price is known."""
    if gap is None:
        return "Modelled cost against rental prices and OpenAI's implied cost (no API list price yet in the evidence)"
    return f"Frontier list prices are {plain(gap, 'x', ',.0f')} the modelled cost of serving the same request"


def price_trend_title(fall: float | None, front_move: float | None, front_dates: pd.Series) -> str:
    """The token-price chart's title: the yearly fall of a fixed capability and how the frontier list price
    moved between its first and last dates."""
    if not fall:
        return "Token prices for a fixed capability"
    title = f"A fixed capability got {plain(fall, 'x', '.0f')} cheaper a year"
    if front_move is not None:
        dates = pd.to_datetime(front_dates)
        title += (f"; OpenAI's frontier list price {'rose' if front_move > 1 else 'fell'} "
                  f"{plain(max(front_move, 1 / front_move), 'x', '.1f')} from {plain(dates.iloc[0], spec='%B %Y')} "
                  f"to {plain(dates.iloc[-1], spec='%B %Y')}")
    return title


def measured_speeds(measured: pd.DataFrame) -> str:
    """'Cerebras CS-3 2,500 tokens/s on Llama 3.1 70B; ...': measured single-user speeds, escaped."""
    return "; ".join(f"{quote(r.system)} {fmt(r.value, 'tokens/s', ',.0f')} on {quote(r.model)}" for r in measured.itertuples())


def fiscal_year(claim_id: str) -> str:
    """The fiscal year a claim id ends with ('nvidia_dc_revenue_fy2026' -> '2026')."""
    return claim_id[-4:]


def compute_basis(share: float) -> str:
    """How much of Nvidia's data-centre revenue counts as accelerators (``share`` from
    :func:`aicompute.bottomup.compute_share`): its compute part, or all of it where no split is known."""
    if share >= 1:
        return "all of it counted as accelerators (no split into compute and networking is published by this date)"
    return (f"of which {fmt(100 * share, '%', '.0f')} is compute, the accelerators and the boards and racks they ship in "
            "(Nvidia's own split of its fourth quarter of fiscal 2026, the latest split in the data; the rest is "
            "networking)")
