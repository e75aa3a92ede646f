"""Data-centre arithmetic: power, capex, energy, the annual cost of a GW or an accelerator and the revenue it needs.

Capital is charged either straight-line (capex / life, no return) or, given a cost of capital ``wacc``, with
the capital-recovery factor CRF = r(1+r)^n / ((1+r)^n - 1): the level annual payment that repays capex with
return r over n years (r = 10%, n = 5: 0.2638 a year, against 0.2 straight-line).

Conventions: ``gw`` is facility (grid) power; ``kw_per_accelerator`` is the IT power per accelerator
including its share of CPUs, networking and storage (e.g. a ~132 kW GB200 NVL72 rack / 72 GPUs ~ 1.8 kW);
facility power = IT power x PUE. Money in USD bn unless the name says otherwise.
"""

from __future__ import annotations

import pandas as pd

HOURS_PER_YEAR = 8760.0


def accelerators_for_power(gw: float, kw_per_accelerator: float, pue: float = 1.0) -> float:
    """Accelerators a site of ``gw`` facility power can run: gw x 1e6 kW / (kW each x PUE)."""
    if kw_per_accelerator <= 0 or pue < 1:
        raise ValueError("kw_per_accelerator must be positive and pue >= 1")
    return gw * 1e6 / (kw_per_accelerator * pue)


def power_for_accelerators(count: float, kw_per_accelerator: float, pue: float = 1.0) -> float:
    """Facility power (GW) that ``count`` accelerators draw: count x kW each x PUE / 1e6 kW (the inverse of
    :func:`accelerators_for_power`)."""
    if count < 0 or kw_per_accelerator < 0 or pue < 1:
        raise ValueError("count and kw_per_accelerator must be >= 0 and pue >= 1")
    return count * kw_per_accelerator * pue / 1e6


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


def capital_recovery_factor(rate: float, years: float) -> float:
    """Level annual payment per unit of capex that repays it with return ``rate`` over ``years``:
    r(1+r)^n / ((1+r)^n - 1); 1/n at a zero rate. (10%, 5 years: 0.263797.)"""
    if years <= 0:
        raise ValueError(f"life must be positive, got {years} years")
    if not -1 < rate < 1:
        raise ValueError(f"rate must be a fraction in (-1, 1) (e.g. 0.10 for 10%), got {rate}")
    if rate == 0:
        return 1 / years
    growth = (1 + rate) ** years
    return rate * growth / (growth - 1)


def capital_charge(capex: float, years: float, wacc: float | None = None) -> float:
    """Annual capital charge: straight-line ``capex / years`` without ``wacc``, else ``capex x CRF``."""
    if years <= 0:
        raise ValueError(f"life must be positive, got {years} years")
    return capex / years if wacc is None else capex * capital_recovery_factor(wacc, years)


def annual_cost_per_gw(capex_per_gw: float, chip_share: float, chip_life: float, building_life: float,
                       price_per_mwh: float, utilization: float, opex_share: float = 0.0,
                       wacc: float | None = None) -> dict[str, float]:
    """Annual cost of 1 GW (USD bn/yr): the capital charge on the chip share of capex over ``chip_life``
    years and on the rest (building, power, cooling) over ``building_life``, electricity, and operations as
    ``opex_share`` of capex a year. Straight-line without ``wacc``; with it, capital-recovery factors (the
    charge then includes the return the capital needs). Returns each part and the total."""
    if not 0 <= chip_share <= 1 or chip_life <= 0 or building_life <= 0:
        raise ValueError("chip_share in [0, 1]; lives positive")
    parts = {
        "chips": capital_charge(capex_per_gw * chip_share, chip_life, wacc),
        "building": capital_charge(capex_per_gw * (1 - chip_share), building_life, wacc),
        "energy": annual_energy_cost(1.0, price_per_mwh, utilization),
        "operations": capex_per_gw * opex_share,
    }
    parts["total"] = sum(parts.values())
    return parts


def cost_by_life(capex_per_gw: float, chip_share: float, lives: list[float], waccs: list[float | None], *,
                 building_life: float, price_per_mwh: float, utilization: float,
                 opex_share: float = 0.0) -> pd.DataFrame:
    """Annual cost of 1 GW for each chip life and cost of capital (None = straight-line).
    Tidy: chip_life, wacc (NaN for straight-line), usd_bn (total)."""
    rows = [{"chip_life": life, "wacc": float("nan") if w is None else w,
             "usd_bn": annual_cost_per_gw(capex_per_gw, chip_share, life, building_life, price_per_mwh,
                                          utilization, opex_share, w)["total"]}
            for w in waccs for life in lives]
    return pd.DataFrame(rows)


def annual_cost_per_accelerator(system_usd: float, facility_usd: float, kw: float, *, life: float,
                                building_life: float, wacc: float | None, price_per_mwh: float, pue: float,
                                opex_share: float = 0.0, load: float = 1.0) -> float:
    """USD a year of owning one accelerator: capital charges on its system share (``life``) and facility
    share (``building_life``), operations (``opex_share`` of both a year) and electricity for ``kw`` of IT
    power x PUE at average ``load`` (0-1) of that power."""
    if kw < 0 or pue < 1 or not 0 <= load <= 1:
        raise ValueError("kw >= 0, pue >= 1 and load in [0, 1]")
    energy = kw * pue * load * HOURS_PER_YEAR / 1000 * price_per_mwh
    return (capital_charge(system_usd, life, wacc) + capital_charge(facility_usd, building_life, wacc)
            + opex_share * (system_usd + facility_usd) + energy)


def breakeven_rental_price(system_usd: float, facility_usd: float, kw: float, *, life: float,
                           building_life: float, wacc: float | None, price_per_mwh: float, pue: float,
                           opex_share: float = 0.0, occupancy: float = 1.0) -> float:
    """USD per GPU-hour at which renting out the accelerator covers its annual cost when it is let for
    ``occupancy`` (0-1] of the hours (electricity is drawn only while let)."""
    if not 0 < occupancy <= 1:
        raise ValueError(f"occupancy must be in (0, 1], got {occupancy}")
    annual = annual_cost_per_accelerator(system_usd, facility_usd, kw, life=life, building_life=building_life,
                                         wacc=wacc, price_per_mwh=price_per_mwh, pue=pue,
                                         opex_share=opex_share, load=occupancy)
    return annual / (HOURS_PER_YEAR * occupancy)


def breakeven_life(price_per_hour: float, system_usd: float, facility_usd: float, kw: float, *,
                   building_life: float, wacc: float | None, price_per_mwh: float, pue: float,
                   opex_share: float = 0.0, occupancy: float = 1.0, max_life: float = 15.0) -> float | None:
    """Shortest chip life (years, to 0.01) over which renting at ``price_per_hour`` repays the accelerator;
    None if even ``max_life`` years do not (the break-even price falls as the life lengthens)."""
    def price(life: float) -> float:
        return breakeven_rental_price(system_usd, facility_usd, kw, life=life, building_life=building_life,
                                      wacc=wacc, price_per_mwh=price_per_mwh, pue=pue, opex_share=opex_share,
                                      occupancy=occupancy)
    if price(max_life) > price_per_hour:
        return None
    lo, hi = 0.01, max_life
    if price(lo) <= price_per_hour:
        return lo
    while hi - lo > 0.001:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if price(mid) <= price_per_hour else (mid, hi)
    return round(hi, 2)


def facility_usd_per_kw(all_in_usd: float, compute_usd: float, capex_per_gw_bn: float) -> float:
    """USD per kW of facility power for the building, power and cooling: the non-compute share of an all-in
    system cost (all_in - compute) / all_in, applied to a capex per GW (USD bn) and divided by 1e6 kW/GW.
    (Bernstein: (5.9 - 3.4) / 5.9 x 35 bn = 14.83 bn per GW = 14,831 USD/kW.)"""
    if not 0 < compute_usd <= all_in_usd:
        raise ValueError("need 0 < compute cost <= all-in cost")
    return (all_in_usd - compute_usd) / all_in_usd * capex_per_gw_bn * 1e9 / 1e6


def rent_per_gw_year(rents: pd.DataFrame, pue: float) -> pd.DataFrame:
    """Rent per facility GW-year implied by each contract with a stated GW and term: usd_bn / GW / years,
    where GW of critical IT load are turned into facility GW (x ``pue``). Rows without GW or term are left
    out. A GW of ``gw_kind`` 'unspecified' has two readings: as stated (facility power, the central reading)
    and as critical IT (x ``pue``, so a lower rent per facility GW). Adds: facility_gw (central reading),
    usd_bn_per_gw_year (central), usd_bn_per_gw_year_low (the IT reading of an unspecified GW, else the
    central) and usd_bn_per_gw_year_high (at the high end of the contract value, where there is one)."""
    if pue < 1:
        raise ValueError(f"pue must be >= 1, got {pue}")
    out = rents.dropna(subset=["gw", "term_years", "usd_bn"]).copy()
    it, either = out["gw_kind"].eq("critical IT"), out["gw_kind"].eq("unspecified")
    out["facility_gw"] = out["gw"].where(~it, out["gw"] * pue)
    out["usd_bn_per_gw_year"] = out["usd_bn"] / out["facility_gw"] / out["term_years"]
    out["usd_bn_per_gw_year_low"] = out["usd_bn_per_gw_year"].where(~either, out["usd_bn_per_gw_year"] / pue)
    out["usd_bn_per_gw_year_high"] = out["usd_bn_high"].fillna(out["usd_bn"]) / out["facility_gw"] / out["term_years"]
    return out.reset_index(drop=True)


def site_checks(site_gw: float, counts: pd.DataFrame, *, gpu_load_mw: float | None = None,
                usd_bn: float | None = None) -> pd.DataFrame:
    """What each reported accelerator count implies for a site of ``site_gw``: site kW per GPU, kW per GPU of
    the stated GPU load (``gpu_load_mw``) and USD per GPU of a stated spend (``usd_bn``).
    ``counts`` columns: who, role (operator | reporter), count. Returns them with the three ratios."""
    if (counts["count"] <= 0).any():
        raise ValueError("site_checks: every count must be positive")
    out = counts.copy()
    out["site_kw_per_gpu"] = site_gw * 1e6 / out["count"]
    out["load_kw_per_gpu"] = gpu_load_mw * 1e3 / out["count"] if gpu_load_mw else float("nan")
    out["usd_per_gpu"] = usd_bn * 1e9 / out["count"] if usd_bn else float("nan")
    return out


def kw_per_gpu_range(site_gw: float, count_low: float, count_high: float) -> tuple[float, float]:
    """Site power per GPU (kW) at the two ends of a GPU count range, (low, high): the most GPUs leave each the least
    power, so the low end comes from ``count_high``. 1.2 GW over 400,000-847,000 GPUs -> (1.42, 3.0)."""
    if not 0 < count_low <= count_high or site_gw <= 0:
        raise ValueError("kw_per_gpu_range needs site_gw > 0 and 0 < count_low <= count_high")
    return site_gw * 1e6 / count_high, site_gw * 1e6 / count_low


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


def deal_date_conflicts(commitments: pd.DataFrame, linked: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows of other tables that date a commitment differently from ``commitments``.

    ``linked``: {table name: frame with ``commitment_id``, ``start_year`` and a term column (``years`` or
    ``term_years``)}. A row disagrees when its start year, or its term where both give one, differs from its
    commitment's. Returns one row per disagreement: table, row id, commitment, field, its value, the
    commitment's value (empty frame: every deal is dated once).
    """
    cols = ["table", "id", "commitment_id", "field", "value", "commitment_value"]
    base = commitments.set_index("id")
    out = []
    for name, frame in linked.items():
        term_col = "years" if "years" in frame.columns else "term_years"
        for r in frame.itertuples(index=False):
            cid = r.commitment_id
            if pd.isna(cid) or cid == "":
                continue
            if cid not in base.index:
                raise ValueError(f"{name}: row '{r.id}' names commitment '{cid}', which commitments.csv does not hold")
            c = base.loc[cid]
            for field, mine, theirs in (("start_year", r.start_year, c["start_year"]),
                                        ("term", getattr(r, term_col), c["term_years"])):
                if ((pd.notna(mine) and pd.notna(theirs) and float(mine) != float(theirs))
                        or (field == "start_year" and pd.isna(mine) != pd.isna(theirs))):
                    out.append({"table": name, "id": r.id, "commitment_id": cid, "field": field,
                                "value": float(mine) if pd.notna(mine) else float("nan"),
                                "commitment_value": float(theirs) if pd.notna(theirs) else float("nan")})
    return pd.DataFrame(out, columns=cols)


def gpu_count_readings(*, per_building: dict[str, float], buildings: float, reported_total: float | None,
                       site_gw: float, kw_per_gpu: float, pue: float, gpu_load_mw: float | None = None,
                       order_usd_bn: float | None = None, usd_per_gpu: float | None = None) -> pd.DataFrame:
    """Every GPU count for a site that its sources state or imply, so that a published range can include them
    all: per-building figures x buildings (``per_building``: {who: GPUs per building}), a reported total, the
    count the site's power supports (``site_gw`` / (``kw_per_gpu`` x ``pue``)), the count the stated GPU load
    supports (``gpu_load_mw`` / ``kw_per_gpu``) and the count an order buys at a price per GPU
    (``order_usd_bn`` / ``usd_per_gpu``). Returns reading, count, kind ("stated" or "derived") and the site power
    per GPU each count leaves (``site_gw`` / count, kW), to test it against a plausible band."""
    if buildings <= 0 or site_gw <= 0 or kw_per_gpu <= 0 or pue < 1:
        raise ValueError("gpu_count_readings: buildings, site power and kW per GPU must be positive, pue >= 1")
    rows = [{"reading": f"{who}: per building x {buildings:g} buildings", "count": n * buildings, "kind": "stated"}
            for who, n in per_building.items()]
    if reported_total is not None:
        rows.append({"reading": "reported total", "count": float(reported_total), "kind": "stated"})
    rows.append({"reading": "site power / (kW per GPU x PUE)", "count": accelerators_for_power(site_gw, kw_per_gpu, pue),
                 "kind": "derived"})
    if gpu_load_mw is not None:
        rows.append({"reading": "stated GPU load / kW per GPU", "count": gpu_load_mw * 1e3 / kw_per_gpu, "kind": "derived"})
    if order_usd_bn is not None and usd_per_gpu:
        rows.append({"reading": "order / price per GPU", "count": order_usd_bn * 1e9 / usd_per_gpu, "kind": "derived"})
    out = pd.DataFrame(rows, columns=["reading", "count", "kind"])
    return out.assign(site_kw_per_gpu=site_gw * 1e6 / out["count"])


def plausible_count_range(readings: pd.DataFrame, kw_low: float, kw_high: float) -> tuple[float, float, pd.DataFrame]:
    """``(lowest, highest, rejected)``: the range of the :func:`gpu_count_readings` whose site power per GPU lies in
    the plausible band ``[kw_low, kw_high]`` kW (ends included), and the readings outside it (a count the site's
    power cannot feed, or would leave mostly idle, is a reading to report and reject, not a range end). Raises
    ValueError when no reading is plausible."""
    if kw_low > kw_high:
        raise ValueError(f"plausible_count_range: kw_low {kw_low} > kw_high {kw_high}")
    ok = readings["site_kw_per_gpu"].between(kw_low, kw_high)
    if not ok.any():
        raise ValueError(f"plausible_count_range: no count leaves {kw_low}-{kw_high} kW of site power per GPU")
    kept = readings.loc[ok, "count"]
    return float(kept.min()), float(kept.max()), readings[~ok].reset_index(drop=True)


def chip_lives(low: float, high: float, step: float = 0.5) -> list[float]:
    """Chip lives from ``low`` to ``high`` years (both included when ``high - low`` is a multiple of ``step``)."""
    return [low + step * i for i in range(int((high - low) / step) + 1)]


def booked_life_costs(booked: pd.DataFrame, capex_per_gw: float, **cost_args) -> pd.DataFrame:
    """Each owner's booked useful life (``booked``: a ``years`` column) with the annual cost of a GW at that chip
    life (``usd_bn``, :func:`annual_cost_per_gw` with ``cost_args``; their ``chip_life`` is replaced)."""
    return booked.assign(usd_bn=[annual_cost_per_gw(capex_per_gw, **{**cost_args, "chip_life": y})["total"]
                                 for y in booked["years"]])


def breakeven_grid(owner_costs: dict[str, tuple[float, float, float]], lives: list[float], **kw) -> pd.DataFrame:
    """:func:`breakeven_rental_price` for each GPU (``owner_costs``: name -> (system USD, facility USD, kW)) at
    each chip life in ``lives``: gpu, chip_life, usd_per_hour."""
    return pd.DataFrame([{"gpu": g, "chip_life": life, "usd_per_hour": breakeven_rental_price(*c, life=life, **kw)}
                         for g, c in owner_costs.items() for life in lives])


def gpu_rents(rentals: pd.DataFrame, gpus: dict[str, str]) -> pd.DataFrame:
    """The observed rental prices of the accelerators in ``gpus`` (name -> accelerator id), with a ``gpu`` column."""
    by_id = {a: g for g, a in gpus.items()}
    hit = rentals[rentals["accelerator_id"].isin(list(by_id))]
    return hit.assign(gpu=hit["accelerator_id"].map(by_id))
