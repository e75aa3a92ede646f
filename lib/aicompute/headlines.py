"""Front-page figures that compare like with like (issue 22): serving cost as the owner's floor, the renter's cost
on the same systems (each at its own rent) and, apart, the ceiling OpenAI's own figures set; OpenAI's revenue per GW over the rent of its *own* contracts (not a
median of other companies' leases); the hyperscalers' capex over operating cash flow. Numbers and frames only:
the wording is in :mod:`aicompute.narrative`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from aicompute import infra


def serving_cost_bridge(floor: float, implied: float, factors: Mapping[str, float]) -> dict:
    """From the modelled floor (USD per million tokens) to the cost implied by OpenAI's figures.

    ``factors``: {what: multiplier >= 0} applied in order (e.g. utilisation actually reached over the model's,
    renting over owning, a bigger model). Returns ``low`` (the floor), ``high`` (the implied cost), ``gap`` (their
    ratio), ``steps`` (a frame: factor, multiplier, cost after it) and ``unexplained`` (the ratio left once the
    factors are applied; above 1 the named factors fall short, below 1 they overshoot).
    """
    if floor <= 0 or implied <= 0:
        raise ValueError(f"serving costs must be positive, got floor {floor} and implied {implied}")
    rows, cost = [], floor
    for what, mult in factors.items():
        if not math.isfinite(mult) or mult < 0:
            raise ValueError(f"factor '{what}': expected a finite multiplier >= 0, got {mult}")
        cost *= mult
        rows.append({"factor": what, "multiplier": float(mult), "cost": cost})
    steps = pd.DataFrame(rows, columns=["factor", "multiplier", "cost"])
    return {"low": floor, "high": implied, "gap": implied / floor, "steps": steps,
            "explained": cost / floor, "unexplained": implied / cost if cost > 0 else math.inf}


def renter_cost(owner: Mapping[str, float], markup: Mapping[str, float]) -> dict:
    """What a renter pays to serve on the systems it can hire, like for like: system k's owner's cost (``owner``,
    USD per million tokens) times its *own* rent markup (``markup``: its rental price over its owner's hourly
    cost), never another system's; only the systems in both count.

    Returns ``per_system`` (a Series, cost_k x markup_k, by system, cheapest first), ``central`` (its median),
    ``low`` and ``high`` (its cheapest and dearest system) and ``owned`` (the median owner's cost of the same
    systems, so a bridge can split the step from the floor into choosing these systems and renting them).
    """
    own, mark = pd.Series(owner, dtype=float), pd.Series(markup, dtype=float)
    both = own.index.intersection(mark.index)
    if both.empty:
        raise ValueError("no system has both an owner's cost and a rent markup")
    for name, s in (("owner's cost", own[both]), ("markup", mark[both])):
        bad = s[~(s.map(math.isfinite) & (s > 0))]
        if not bad.empty:
            raise ValueError(f"{name} must be finite and positive, got {bad.to_dict()}")
    per = (own[both] * mark[both]).sort_values()
    return {"per_system": per, "central": float(per.median()), "low": float(per.min()), "high": float(per.max()),
            "owned": float(own[both].median())}


def revenue_to_rent_on_contracts(revenue_per_gw: float, rents: pd.DataFrame, *, pue: float) -> pd.DataFrame:
    """OpenAI's annualised revenue per GW over the rent per GW-year of each of its own contracts.

    ``rents``: contract_rents rows (``usd_bn``, ``usd_bn_high``, ``gw``, ``gw_kind``, ``term_years``,
    ``start_year``, ``commitment_id``, ``source_id``); only OpenAI's contracts (a ``commitment_id``) with a disclosed GW and term count. Each
    rent is per facility GW-year, the average year (value / facility GW / term; payments that ramp make the peak
    year dearer), on the readings of its GW (:func:`aicompute.infra.rent_per_gw_year`): 'facility' as stated,
    'critical IT' x ``pue``, 'unspecified' both ways -- as stated (central) and as IT (x ``pue``, the low rent).

    Returns one row per contract, largest value first: id, provider, usd_bn, gw, gw_kind, term_years,
    start_year, rent_per_gw_year (central reading), rent_low, rent_high (its range), ratio (revenue per GW over
    the central rent), ratio_low (over rent_high), ratio_high (over rent_low) and source_id.
    """
    if revenue_per_gw <= 0:
        raise ValueError(f"revenue per GW must be positive, got {revenue_per_gw}")
    mine = rents[rents["commitment_id"].notna() & (rents["commitment_id"] != "") & (rents["gw"] > 0)
                 & (rents["term_years"] > 0)]
    own = infra.rent_per_gw_year(mine, pue).rename(columns={
        "usd_bn_per_gw_year": "rent_per_gw_year", "usd_bn_per_gw_year_low": "rent_low", "usd_bn_per_gw_year_high": "rent_high"})
    own["ratio"] = revenue_per_gw / own["rent_per_gw_year"]
    own["ratio_low"], own["ratio_high"] = revenue_per_gw / own["rent_high"], revenue_per_gw / own["rent_low"]
    cols = ["id", "provider", "usd_bn", "gw", "gw_kind", "term_years", "start_year", "rent_per_gw_year", "rent_low",
            "rent_high", "ratio", "ratio_low", "ratio_high", "source_id"]
    return own.sort_values("usd_bn", ascending=False)[cols].reset_index(drop=True)


def revenue_to_rent(own: pd.DataFrame) -> dict:
    """One figure for :func:`revenue_to_rent_on_contracts`: the revenue per GW over the rent of all the contracts
    together (their yearly rents summed over their facility GW summed: what OpenAI pays per GW-year across its
    contracts, so a large contract weighs as much as its gigawatts; a median of two contracts would be their plain
    mean). ``central`` with each GW on its central reading, ``low`` and ``high`` with every contract on its dearest
    and its cheapest reading (the same measure, its range); ``contract_low`` and ``contract_high`` the lowest and
    highest single contract's ratio over its readings (the spread behind it); ``n`` the contracts."""
    if own.empty:
        raise ValueError("no contract of OpenAI's with a GW and a term")
    # revenue x total GW / total yearly rent is the contracts' ratios averaged with their yearly rents as weights
    # (revenue x GW_i = yearly_i x ratio_i). A dearer rent comes from a higher stated value: the same GW pays more a
    # year; a cheaper one from reading an unspecified GW as IT load: the same yearly rent buys more facility GW
    yearly = own["usd_bn"] / own["term_years"]  # each contract's average yearly rent, USD bn
    yearly_dear = yearly * own["rent_high"] / own["rent_per_gw_year"]
    return {"central": float(np.average(own["ratio"], weights=yearly)),
            "low": float(np.average(own["ratio_low"], weights=yearly_dear)),
            "high": float(np.average(own["ratio_high"], weights=yearly)),
            "contract_low": float(own["ratio_low"].min()), "contract_high": float(own["ratio_high"].max()), "n": len(own)}


def capex_to_cash_flow(capex_trailing: float, ocf_trailing: float, capex_guidance: float | None = None) -> dict:
    """Capex over operating cash flow (%): ``trailing`` on the latest periods, and ``guidance`` -- the new year's
    capex guidance over the same (trailing) cash flow, None without guidance."""
    if ocf_trailing <= 0:
        raise ValueError(f"operating cash flow must be positive, got {ocf_trailing}")
    return {"trailing": 100 * capex_trailing / ocf_trailing,
            "guidance": None if capex_guidance is None else 100 * capex_guidance / ocf_trailing}
