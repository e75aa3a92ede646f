"""Data-centre arithmetic: power <-> accelerators, capex, energy, annual cost and the revenue a GW needs;
de-duplicated commitment totals; how fast capacity can be added.

Conventions: ``gw`` is facility (grid) power; ``kw_per_accelerator`` is the IT power per accelerator
including its share of CPUs, networking and storage (e.g. a ~132 kW GB200 NVL72 rack / 72 GPUs ~ 1.8 kW);
facility power = IT power x PUE. Money in USD bn unless the name says otherwise.
"""

from __future__ import annotations

import pandas as pd

__all__ = [
    "HOURS_PER_YEAR",
    "accelerators_for_power",
    "annual_cost_per_gw",
    "annual_energy_cost",
    "capex_for_power",
    "capex_range",
    "check_overlaps",
    "dedup_total",
    "power_for_accelerators",
    "revenue_needed_per_gw",
    "twh_per_year",
    "years_to_add",
]

HOURS_PER_YEAR = 8760.0


def accelerators_for_power(gw: float, kw_per_accelerator: float, pue: float = 1.0) -> float:
    """Accelerators a site of ``gw`` facility power can run: gw x 1e6 kW / (kW each x PUE)."""
    if kw_per_accelerator <= 0 or pue < 1:
        raise ValueError("kw_per_accelerator must be positive and pue >= 1")
    return gw * 1e6 / (kw_per_accelerator * pue)


def power_for_accelerators(n: float, kw_per_accelerator: float, pue: float = 1.0) -> float:
    """Facility GW needed for ``n`` accelerators: n x kW each x PUE / 1e6."""
    if kw_per_accelerator <= 0 or pue < 1:
        raise ValueError("kw_per_accelerator must be positive and pue >= 1")
    return n * kw_per_accelerator * pue / 1e6


def capex_for_power(gw: float, capex_per_gw: float | tuple[float, float]) -> float | tuple[float, float]:
    """Capex (USD bn) for ``gw`` at ``capex_per_gw`` (USD bn/GW); a (low, high) range gives a range."""
    if isinstance(capex_per_gw, tuple):
        return (gw * capex_per_gw[0], gw * capex_per_gw[1])
    return gw * capex_per_gw


def capex_range(estimates: pd.Series) -> tuple[float, float, float]:
    """(low, median, high) of a set of published USD bn/GW estimates."""
    return float(estimates.min()), float(estimates.median()), float(estimates.max())


def twh_per_year(gw: float, utilization: float = 1.0) -> float:
    """Energy in TWh a year at average load gw x utilization (1 GW all year = 8.76 TWh)."""
    return gw * utilization * HOURS_PER_YEAR / 1000


def annual_energy_cost(gw: float, price_per_mwh: float, utilization: float = 1.0) -> float:
    """USD bn a year for electricity: TWh x 1e6 MWh/TWh x USD/MWh / 1e9."""
    if not 0 <= utilization <= 1:
        raise ValueError(f"utilization must be in [0, 1], got {utilization}")
    return twh_per_year(gw, utilization) * 1e6 * price_per_mwh / 1e9


def annual_cost_per_gw(capex_per_gw: float, chip_share: float, chip_life: float, building_life: float,
                       price_per_mwh: float, utilization: float, opex_share: float = 0.0) -> dict[str, float]:
    """Annual cost of 1 GW (USD bn/yr): straight-line depreciation of the chip share of capex over
    ``chip_life`` years and of the rest (building, power, cooling) over ``building_life``, electricity, and
    operations as ``opex_share`` of capex a year. Returns each part and the total."""
    if not 0 <= chip_share <= 1 or chip_life <= 0 or building_life <= 0:
        raise ValueError("chip_share in [0, 1]; lives positive")
    parts = {
        "chips": capex_per_gw * chip_share / chip_life,
        "building": capex_per_gw * (1 - chip_share) / building_life,
        "energy": annual_energy_cost(1.0, price_per_mwh, utilization),
        "operations": capex_per_gw * opex_share,
    }
    parts["total"] = sum(parts.values())
    return parts


def revenue_needed_per_gw(annual_cost: float, gross_margin: float) -> float:
    """Revenue (USD bn/yr) at which a GW's annual cost leaves ``gross_margin`` (0-1): cost / (1 - margin)."""
    if not 0 <= gross_margin < 1:
        raise ValueError(f"gross_margin must be in [0, 1), got {gross_margin}")
    return annual_cost / (1 - gross_margin)


def check_overlaps(deals: pd.DataFrame) -> None:
    """Raise ValueError unless every ``overlaps_with`` names a row of the table and such rows are not counted."""
    ids = set(deals["id"])
    for r in deals.itertuples():
        refs = [] if pd.isna(r.overlaps_with) else [x.strip() for x in str(r.overlaps_with).split(";") if x.strip()]
        unknown = [x for x in refs if x not in ids]
        if unknown:
            raise ValueError(f"commitment '{r.id}': overlaps_with names unknown id(s) {unknown}")
        if refs and r.counted:
            raise ValueError(f"commitment '{r.id}' overlaps {refs} but is marked counted: it would count twice")


def dedup_total(deals: pd.DataFrame, column: str) -> float:
    """Sum of ``column`` over the rows marked ``counted`` (after :func:`check_overlaps`)."""
    check_overlaps(deals)
    return float(deals.loc[deals["counted"].astype(bool), column].fillna(0).sum())


def years_to_add(gw: float, gw_per_year: float) -> float:
    """Years to add ``gw`` at a build rate of ``gw_per_year``."""
    if gw_per_year <= 0:
        raise ValueError("gw_per_year must be positive")
    return gw / gw_per_year
