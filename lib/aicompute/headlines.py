"""Front-page figures that compare like with like (issue 22): serving cost as a range from the roofline floor to
the cost implied by OpenAI's own figures; OpenAI's revenue per GW over the rent of its *own* contracts (not a
median of other companies' leases); the hyperscalers' capex over operating cash flow. Numbers and frames only:
the wording is in :mod:`aicompute.narrative`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd


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


def revenue_to_rent_on_contracts(revenue_per_gw: float, rents: pd.DataFrame) -> pd.DataFrame:
    """OpenAI's annualised revenue per GW over the rent per GW-year of each of its own contracts.

    ``rents``: contract_rents rows (``usd_bn``, ``gw``, ``term_years``, ``commitment_id``); only OpenAI's
    contracts (a ``commitment_id``) with a disclosed GW and term count. Returns one row per contract, largest
    value first: id, provider, usd_bn, gw, term_years, rent_per_gw_year (value / GW / term: the average year;
    payments that ramp make the peak year dearer) and ratio (revenue per GW over it).
    """
    if revenue_per_gw <= 0:
        raise ValueError(f"revenue per GW must be positive, got {revenue_per_gw}")
    own = rents[rents["commitment_id"].notna() & (rents["commitment_id"] != "") & rents["gw"].notna()
                & rents["term_years"].notna() & (rents["gw"] > 0) & (rents["term_years"] > 0)].copy()
    own["rent_per_gw_year"] = own["usd_bn"] / own["gw"] / own["term_years"]
    own["ratio"] = revenue_per_gw / own["rent_per_gw_year"]
    cols = ["id", "provider", "usd_bn", "gw", "term_years", "rent_per_gw_year", "ratio"]
    return own.sort_values("usd_bn", ascending=False)[cols].reset_index(drop=True)


def capex_to_cash_flow(capex_trailing: float, ocf_trailing: float, capex_guidance: float | None = None) -> dict:
    """Capex over operating cash flow (%): ``trailing`` on the latest periods, and ``guidance`` -- the new year's
    capex guidance over the same (trailing) cash flow, None without guidance."""
    if ocf_trailing <= 0:
        raise ValueError(f"operating cash flow must be positive, got {ocf_trailing}")
    return {"trailing": 100 * capex_trailing / ocf_trailing,
            "guidance": None if capex_guidance is None else 100 * capex_guidance / ocf_trailing}
