"""The verdict rules the chapters apply, each a small function of numbers with a hand-checked test.

A chapter computes the evidence, calls a rule here and shows the outcome; the words for an outcome live in
:mod:`aicompute.narrative` (a rule returns a verdict code, never a sentence).
"""

from __future__ import annotations

from collections.abc import Iterable


def site_count_verdict(site_kw_per_gpu: Iterable[float], plausible_low: float, plausible_high: float) -> str:
    """The verdict on a seed's per-building chip figure at a site, from the site power per GPU that each
    reported count implies (site kW / GPUs).

    ``"partly"`` when every count gives a site power per GPU inside ``[plausible_low, plausible_high]`` kW:
    the figure holds read as GPUs (design capacity), not as racks; ``"contradicted"`` when any count falls
    outside that band (the power cannot run that many GPUs, or leaves far more per GPU than one draws).
    """
    values = [float(x) for x in site_kw_per_gpu]
    if not values:
        raise ValueError("site_count_verdict: no reported count to judge")
    return "partly" if all(plausible_site_kw(x, plausible_low, plausible_high) for x in values) else "contradicted"


def plausible_site_kw(site_kw_per_gpu: float, plausible_low: float, plausible_high: float) -> bool:
    """Whether one count's site power per GPU (kW) lies in the plausible band ``[plausible_low, plausible_high]``
    (ends included), the test :func:`site_count_verdict` applies to every count."""
    if plausible_low > plausible_high:
        raise ValueError(f"plausible_low {plausible_low} > plausible_high {plausible_high}")
    return plausible_low <= float(site_kw_per_gpu) <= plausible_high


#: Where a contract rent sits against the owner's annual cost (see :func:`rent_position`).
RENT_POSITIONS = ("margin", "break-even", "below cost")


def rent_position(rent: float, owner_cost: float, band: float = 0.10) -> str:
    """``"margin"`` when ``rent`` exceeds the owner's annual cost by more than ``band`` (a share of the
    cost), ``"break-even"`` within ``band`` below it up to ``band`` above it, ``"below cost"`` under that."""
    if owner_cost <= 0:
        raise ValueError(f"owner_cost must be positive, got {owner_cost}")
    if rent > (1 + band) * owner_cost:
        return "margin"
    return "break-even" if rent >= (1 - band) * owner_cost else "below cost"
