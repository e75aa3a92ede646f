"""Finance models: one OpenAI cash model, the Sequoia and Bain revenue questions, HSBC's gap, capital structure.

The OpenAI cash model (chapter 03): :func:`take_or_pay_schedule` counts each binding compute contract once
(chip agreements whose systems sit inside these cloud contracts are not added on top), ramping as capacity is
delivered; compute beyond the contracts scales with revenue (:func:`uncontracted_share`), other costs are a
share of revenue (:func:`implied_other_ratio`); :func:`cash_model` gives cash flow and burn, :func:`runway` and
:func:`funding_need` when the money runs out and how much is needed.

Tables that mix bases (recognized revenue, run-rate, leak, projection) take their linked claims' values from the
evidence (:meth:`aicompute.evidence.Evidence.table`) and are labelled by :func:`aicompute.narrative.finance.series_label`, never silently merged. Rules return codes,
never sentences (the words are in :mod:`aicompute.narrative.finance`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aicompute.evidence import NotYetPublished


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate as a fraction: (end/start)^(1/years) - 1."""
    if years <= 0 or start <= 0 or end < 0:
        raise ValueError("cagr needs start > 0, end >= 0 and years > 0")
    return (end / start) ** (1 / years) - 1


def required_revenue(ai_capex: float, datacenter_multiplier: float = 2.0, gross_margin: float = 0.5) -> float:
    """Sequoia's method: the yearly revenue end customers must earn to pay for ``ai_capex`` of GPUs.

    GPUs are 1/``datacenter_multiplier`` of a data centre's total cost, and the buyer of the compute needs a
    ``gross_margin``: revenue = capex x multiplier / (1 - margin). Defaults: x2 and x2 (Cahn 2023, 2024).
    """
    if not 0 <= gross_margin < 1:
        raise ValueError("gross_margin must be in [0, 1)")
    if datacenter_multiplier < 1:
        raise ValueError("datacenter_multiplier must be >= 1 (GPUs cannot cost more than the data centre)")
    return ai_capex * datacenter_multiplier / (1 - gross_margin)


def sequoia_case(label: str, nvidia_runrate: float, ai_revenue: float | None = None,
                 datacenter_multiplier: float = 2.0, gross_margin: float = 0.5) -> dict[str, object]:
    """One row of the Sequoia arithmetic: run-rate -> data-centre cost -> required revenue -> gap."""
    dc_cost = nvidia_runrate * datacenter_multiplier
    req = required_revenue(nvidia_runrate, datacenter_multiplier, gross_margin)
    gap = None if ai_revenue is None else req - ai_revenue  # positive: a hole to fill
    return {"case": label, "nvidia_runrate": nvidia_runrate, "datacenter_cost": dc_cost,
            "required_revenue": req, "ai_revenue": ai_revenue, "gap": gap,
            "coverage": None if ai_revenue is None else ai_revenue / req}


def sequoia_table(cases: list[tuple[str, float, float | None]], datacenter_multiplier: float = 2.0,
                  gross_margin: float = 0.5) -> pd.DataFrame:
    """Rows of :func:`sequoia_case` for ``[(label, nvidia_runrate, ai_revenue or None), ...]``."""
    return pd.DataFrame([sequoia_case(lab, rr, rev, datacenter_multiplier, gross_margin) for lab, rr, rev in cases])


def breakeven_ad_arpu(annual_cost: float, other_revenue: float, users_m: float) -> float:
    """Yearly ad revenue per user (USD) that closes ``annual_cost - other_revenue`` (USD bn) over ``users_m`` million users."""
    if users_m <= 0:
        raise ValueError("users_m must be positive")
    return max(0.0, annual_cost - other_revenue) * 1e3 / users_m


def circular_pairs(flows: pd.DataFrame) -> pd.DataFrame:
    """Pairs of parties with money or commitments flowing both ways: the round-trip is the smaller direction."""
    sums = flows.groupby(["from_party", "to_party"])["value"].sum()
    rows = []
    for (a, b), out in sums.items():
        back = sums.get((b, a))
        if back is not None and a < b:
            rows.append({"party_a": a, "party_b": b, "a_to_b": out, "b_to_a": back, "round_trip": min(out, back)})
    return pd.DataFrame(rows, columns=["party_a", "party_b", "a_to_b", "b_to_a", "round_trip"])


# -- the OpenAI cash model ------------------------------------------------------------------------------

def take_or_pay_schedule(contracts: pd.DataFrame, ramp_years: float = 2.0) -> pd.DataFrame:
    """Yearly payments of each contract: long table (id, year, amount).

    ``contracts`` has columns id, value, start_year, years. Each contract is counted once and spread over
    ``years`` from ``start_year``; payments ramp linearly over the first ``ramp_years`` (weight of year k,
    k = 1..years, is min(1, k / ramp_years), normalised), because capacity is delivered gradually.
    ``ramp_years=1`` spreads evenly.
    """
    if ramp_years < 1:
        raise ValueError(f"ramp_years must be >= 1, got {ramp_years}")
    rows = []
    for r in contracts.itertuples():
        n = int(r.years)
        if n < 1 or pd.isna(r.value) or pd.isna(r.start_year):
            raise ValueError(f"contract {r.id}: needs value, start_year and years >= 1")
        w = np.minimum(1.0, np.arange(1, n + 1) / ramp_years)
        rows += [(r.id, int(r.start_year) + k, float(r.value) * w[k] / w.sum()) for k in range(n)]
    return pd.DataFrame(rows, columns=["id", "year", "amount"])


def with_assumed_terms(contracts: pd.DataFrame, term: int | None) -> pd.DataFrame:
    """``contracts`` with every term that is our assumption (``years_basis``) set to ``term`` years (None: unchanged);
    sourced terms never change. Schedule the result with :func:`take_or_pay_schedule`."""
    if term is None:
        return contracts
    if term < 1:
        raise ValueError(f"term must be >= 1 year, got {term}")
    return contracts.assign(years=contracts["years"].where(~contracts["years_basis"].eq("our assumption"), term))


def revenue_path(start: float, growth_start: float, growth_end: float, years: Sequence[int]) -> pd.Series:
    """Revenue by year: ``start`` in the first year, then growth fading linearly from ``growth_start``
    (second year) to ``growth_end`` (last year)."""
    years = list(years)
    if start <= 0 or len(years) < 1:
        raise ValueError("revenue_path needs start > 0 and at least one year")
    g = np.linspace(growth_start, growth_end, max(1, len(years) - 1)) if len(years) > 1 else []
    out = [start]
    for rate in g:
        out.append(out[-1] * (1 + rate))
    return pd.Series(out, index=years, name="revenue")


def fill_geometric(known: Mapping[int, float], years: Sequence[int]) -> pd.Series:
    """A projection given at some years, filled in between by constant growth (geometric interpolation).

    Years outside the known range are left missing (a projection is not extended by us).
    """
    pts = sorted((int(y), float(v)) for y, v in known.items() if v is not None and not pd.isna(v))
    out = pd.Series(np.nan, index=list(years), name="revenue")
    for (y0, v0), (y1, v1) in zip(pts, pts[1:]):
        for y in out.index:
            if y0 <= y <= y1:
                out[y] = v0 * (v1 / v0) ** ((y - y0) / (y1 - y0))
    for y, v in pts:
        if y in out.index:
            out[y] = v
    return out


def implied_other_ratio(revenue_total: float, burn_total: float, compute_total: float) -> float:
    """Other costs (staff, sales, overhead) as a share of revenue that a plan implies:
    revenue + burn = compute + other, so other / revenue = (revenue + burn - compute) / revenue."""
    if revenue_total <= 0:
        raise ValueError("revenue_total must be positive")
    return (revenue_total + burn_total - compute_total) / revenue_total


def uncontracted_share(plan_compute: float, contracted: float, plan_revenue: float) -> float:
    """Compute a plan buys beyond its take-or-pay contracts, per dollar of the plan's revenue (>= 0)."""
    if plan_revenue <= 0:
        raise ValueError("plan_revenue must be positive")
    return max(0.0, plan_compute - contracted) / plan_revenue


def cash_model(revenue: pd.Series, take_or_pay: pd.Series, uncontracted_per_revenue: float,
               other_ratio: float) -> pd.DataFrame:
    """Yearly cash model (USD bn): revenue, compute (take-or-pay + uncontracted), other costs, cash flow, burn.

    ``take_or_pay``: payments by year (missing years are 0). Uncontracted compute = ``uncontracted_per_revenue``
    x revenue (it can be cut when revenue lags, the contracts cannot); other = ``other_ratio`` x revenue.
    burn = -cash flow; ``cumulative_burn`` is the running sum.
    """
    if not 0 <= other_ratio < 5 or uncontracted_per_revenue < 0:
        raise ValueError("other_ratio must be in [0, 5) and uncontracted_per_revenue >= 0")
    rev = revenue.astype(float)
    if rev.isna().any():
        raise ValueError(f"revenue is missing for {rev[rev.isna()].index.tolist()}")
    df = pd.DataFrame({"year": rev.index, "revenue": rev.to_numpy()})
    df["take_or_pay"] = take_or_pay.reindex(rev.index).fillna(0.0).to_numpy()
    df["uncontracted"] = uncontracted_per_revenue * df["revenue"]
    df["compute"] = df["take_or_pay"] + df["uncontracted"]
    df["other"] = other_ratio * df["revenue"]
    df["cash_flow"] = df["revenue"] - df["compute"] - df["other"]
    df["burn"] = -df["cash_flow"]
    df["cumulative_burn"] = df["burn"].cumsum()
    return df


def funding_need(burn: pd.Series | Sequence[float]) -> float:
    """Peak cumulative burn: the most money needed at any point before cash flow turns positive (>= 0)."""
    cum = np.cumsum(np.asarray(burn, dtype=float))
    return float(max(0.0, cum.max())) if len(cum) else 0.0


def runway(burn: pd.Series, funds: float) -> float | None:
    """When ``funds`` run out: year + fraction of the year (burn spread evenly within each year), e.g.
    2028.25 = end of March 2028. ``burn`` is indexed by year; None if the funds last the whole horizon."""
    left = float(funds)
    for year, b in burn.items():
        if b > 0 and b > left:
            return int(year) + max(0.0, left) / b
        left -= b
    return None


def plateau(series: pd.Series, rel_tol: float = 0.05) -> dict[str, object] | None:
    """The flat stretch at the end of a series of readings (sorted by date): the readings from the last one back
    while each stays within ``rel_tol`` of the last. None unless the stretch holds two readings or more; else
    ``start``/``end`` (its first and last date), ``low``/``high`` (its values), ``readings`` (how many) and
    ``before`` ((date, value) of the reading before it, or None). E.g. 20 (Dec), 25 (Feb), 24 (Mar), 24 (May), at
    5%: Feb-May, 24-25, three readings, before: 20 in December."""
    s = series.dropna().sort_index()
    if len(s) < 2:
        return None
    last, k = float(s.iloc[-1]), len(s) - 1
    while k > 0 and abs(float(s.iloc[k - 1]) / last - 1) <= rel_tol:
        k -= 1
    run = s.iloc[k:]
    if len(run) < 2:
        return None
    return {"start": run.index[0], "end": run.index[-1], "low": float(run.min()), "high": float(run.max()),
            "readings": len(run), "before": (s.index[k - 1], float(s.iloc[k - 1])) if k > 0 else None}


def burn_multiple(burn: float, revenue_now: float, revenue_before: float) -> float:
    """Cash burned per dollar of new revenue: burn / (revenue_now - revenue_before)."""
    new = revenue_now - revenue_before
    if new <= 0:
        raise ValueError("burn_multiple needs revenue growth")
    return burn / new


#: What a cash model's cash flow does over its years (see :func:`burn_profile`).
BURN_SHAPES = ("still negative", "turns positive", "always positive")


def burn_profile(model: pd.DataFrame) -> dict[str, object]:
    """The shape of a :func:`cash_model`'s cash flow: ``shape`` (one of :data:`BURN_SHAPES`: negative in the last
    year; negative, then positive from ``turn_year`` on; positive in every year), ``last_year`` and
    ``last_cash_flow``, ``turn_year`` (the year after the last negative one; None unless it turns) and ``peak``
    (:func:`funding_need` of the burn: the most it needs before cash flow turns positive)."""
    flow = model.set_index("year")["cash_flow"] if "year" in model.columns else model["cash_flow"]
    out = {"last_year": int(flow.index[-1]), "last_cash_flow": float(flow.iloc[-1]), "turn_year": None,
           "peak": funding_need(-flow)}
    negative = flow[flow < 0]
    if out["last_cash_flow"] < 0:
        return out | {"shape": BURN_SHAPES[0]}
    if negative.empty:
        return out | {"shape": BURN_SHAPES[2]}
    return out | {"shape": BURN_SHAPES[1], "turn_year": int(flow.index[flow.index.get_loc(negative.index[-1]) + 1])}


#: The decimals a runway (a decimal year) is published and read with: 0.01 of a year, about four days.
RUNWAY_DECIMALS = 2


#: Revenue per GW against the rent per GW-year (see :func:`rent_cover`).
RENT_COVER = ("short", "covers")


def rent_cover(ratio: float) -> str:
    """Does revenue per GW pay the rent per GW-year? ``ratio`` = revenue / rent: below 1 "short", else "covers"."""
    return RENT_COVER[0] if ratio < 1 else RENT_COVER[1]


#: Capex against operating cash flow (see :func:`capex_cover`).
CAPEX_COVER = ("beyond cash", "within cash")


def capex_cover(share: float) -> str:
    """Capex as a percentage of operating cash flow: above 100 "beyond cash" (the difference is borrowed, leased
    or raised), else "within cash"."""
    return CAPEX_COVER[0] if share > 100 else CAPEX_COVER[1]


def case_summary(models: Mapping[str, pd.DataFrame], funds: float, conditional: float = 0.0) -> pd.DataFrame:
    """One row per revenue case of :func:`cash_model` outputs: totals over the horizon, the funding need
    (peak cumulative burn), the gap left after ``funds`` (firm money) and the runway with and without
    ``conditional`` money (e.g. a tranche due only on an IPO)."""
    rows = []
    for name, m in models.items():
        burn = m.set_index("year")["burn"]
        need = funding_need(burn)
        rows.append({"case": name, "revenue": m["revenue"].sum(), "compute": m["compute"].sum(),
                     "take_or_pay": m["take_or_pay"].sum(), "other": m["other"].sum(), "burn": burn.sum(),
                     "revenue_last": m["revenue"].iloc[-1], "cash_flow_last": m["cash_flow"].iloc[-1],
                     "funding_need": need, "funding_gap": max(0.0, need - funds),
                     "runway": runway(burn, funds), "runway_with_conditional": runway(burn, funds + conditional),
                     "revenue_to_compute": m["revenue"].sum() / m["compute"].sum()})
    return pd.DataFrame(rows)


#: OpenAI's own projections as claims series (claims.csv ``series``; ``period`` = the year projected): each year's
#: newest vintage is read, so a new projection is a data row. Burn is positive; a year the plan projects a positive
#: cash flow is in the cash-flow series. ``compute``: the plan's compute total, period = its last year.
PLAN_SERIES = {"revenue": "openai_revenue_projection", "burn": "openai_burn_projection",
               "cash_flow": "openai_cash_flow_projection", "compute": "openai_compute_plan"}
#: The September 2025 projections give 2029's burn only inside a 2025-2029 total (and 2025's burn apart).
_CUMULATIVE_BURN = ("openai_cash_burn_2025_2029", "openai_cash_burn_2025")


def openai_plan(ev, years: Sequence[int], revenue_before: float) -> dict[str, object]:
    """OpenAI's own plan known on ``ev``'s as-of date, each year at its newest vintage (:data:`PLAN_SERIES`):

    ``revenue`` by year (``revenue_before`` in the year before ``years``, the projected years, and constant growth
    in between: :func:`fill_geometric`); ``burn`` by year (a projected burn, else minus a projected cash flow, else
    2029 from the 2025-2029 total where only that is known; missing years NaN); ``compute`` (the plan's compute
    total, None before one is published; ``compute_claim`` its claim) and ``date`` (when the projection of the
    plan's last year was made)."""
    years = list(years)

    def newest(kind: str, year: int):
        return ev.latest(series=PLAN_SERIES[kind], period=year, default=None)

    rev = {y: c.value for y in years if (c := newest("revenue", y)) is not None}
    revenue = fill_geometric({years[0] - 1: revenue_before} | rev, years)
    burn = pd.Series(np.nan, index=years, dtype=float)
    for y in years:
        if (c := newest("burn", y)) is not None:
            burn[y] = c.value
        elif (c := newest("cash_flow", y)) is not None:
            burn[y] = -c.value
    total, first = (ev.value(cid, default=None) for cid in _CUMULATIVE_BURN)
    if 2029 in burn.index and pd.isna(burn[2029]) and total is not None and first is not None and burn.loc[:2028].notna().all():
        burn[2029] = total - first - burn.loc[:2028].sum()
    compute = ev.latest(series=PLAN_SERIES["compute"], default=None)
    last = next((c for y in reversed(years) if (c := newest("revenue", y)) is not None), None)  # the plan's end point
    return {"revenue": revenue, "burn": burn, "compute": compute.value if compute is not None else None,
            "compute_claim": compute, "date": last.as_of if last is not None else None}


def paying_users(ev) -> tuple | None:
    """(paying subscribers, weekly users): the newest count of ChatGPT's paying subscribers and the weekly users
    stated for the same period (claims series ``chatgpt_paying_subscribers`` and ``chatgpt_weekly_users``);
    None before a subscriber count is published or without users for its period."""
    rows = ev.series("chatgpt_paying_subscribers")
    if rows.empty:
        return None
    last = rows.iloc[-1]
    users = ev.latest(series="chatgpt_weekly_users", period=last["period"].date().isoformat(), default=None)
    return None if users is None else (ev.claim(str(last["id"])), users)


#: Chapter 03's opening cash as claims series (claims.csv ``series``/``period``; a period is a month): cash balances
#: (period = the month at whose end the balance stands), money received (period = the month it came in),
#: full-year burn (OpenAI's projection, period = the year) and burn actually reported for part of a year
#: (:data:`BURN_ACTUAL_SERIES`). A new reading of any of them is a data row (:func:`opening_cash`).
CASH_SERIES = {"balance": "openai_cash_balance", "received": "openai_funding_received",
               "year_burn": PLAN_SERIES["burn"]}
#: Burn reported for part of a year: {series: months each reading spans from its period}.
BURN_ACTUAL_SERIES = {"openai_cash_burn_half": 6, "openai_cash_burn_quarter": 3}


def cash_at_start(balance: tuple[pd.Timestamp, float], received: Sequence[tuple[pd.Timestamp, float]],
                  year_burn: Mapping[int, float], burned: Sequence[tuple[pd.Timestamp, int, float]],
                  start_year: int) -> dict[str, float]:
    """Cash on 1 January of ``start_year`` from a balance at the end of month ``balance[0]``: plus the money
    ``received`` ((month, amount)) after that month and before the start, minus the burn after the balance.

    The burn after the balance: in the balance's year, its full-year burn (``year_burn``, by year) less the burn
    already reported for the months up to the balance (``burned``: (first month, months spanned, amount), taken
    back to back from January); months between the reported burn and the balance are spread evenly over the rest
    of the year. Each later year before the start adds its full-year burn. Returns ``cash``, ``balance``,
    ``received`` and ``burn`` (USD as given)."""
    month, cash = pd.Timestamp(balance[0]), float(balance[1])
    if month.year >= start_year:
        raise ValueError(f"the balance ({month:%Y-%m}) is not before {start_year}")
    inflow = sum(float(v) for m, v in received if month < pd.Timestamp(m) and pd.Timestamp(m).year < start_year)
    covered, done = 0, 0.0  # months of the balance's year with reported burn, from January on
    while pieces := [(n, v) for m, n, v in burned
                     if pd.Timestamp(m).year == month.year and pd.Timestamp(m).month == covered + 1
                     and covered + n <= month.month]:
        n, v = max(pieces, key=lambda p: p[0])
        covered, done = covered + n, done + float(v)
    burn = 0.0 if month.month == 12 else (year_burn[month.year] - done) * (12 - month.month) / (12 - covered)
    burn += sum(year_burn[y] for y in range(month.year + 1, start_year))
    return {"cash": cash + inflow - burn, "balance": cash, "received": inflow, "burn": burn}


def opening_cash(ev, start_year: int) -> dict[str, object]:
    """OpenAI's cash on 1 January of ``start_year`` (:func:`cash_at_start`) from the readings known on ``ev``'s
    as-of date (:data:`CASH_SERIES`, :data:`BURN_ACTUAL_SERIES`; each period at its newest vintage): the latest
    balance before that year (a later one already holds the money and burn the model counts itself), plus
    ``balance_claim`` and ``received_claims`` for citing."""
    def newest(series: str) -> pd.DataFrame:
        return ev.series(series).drop_duplicates("period", keep="last")
    balances = newest(CASH_SERIES["balance"])
    balances = balances[balances["period"].dt.year < start_year]
    if balances.empty:
        raise NotYetPublished(f"no OpenAI cash balance before {start_year} is known by {ev.as_of}")
    last = balances.iloc[-1]
    received = newest(CASH_SERIES["received"])
    received = received[(received["period"] > last["period"]) & (received["period"].dt.year < start_year)]
    year_burn = {y: ev.latest(series=CASH_SERIES["year_burn"], period=y).value
                 for y in range(last["period"].year + (last["period"].month == 12), start_year)}
    burned = [(r["period"], n, r["value"]) for s, n in BURN_ACTUAL_SERIES.items() for _, r in newest(s).iterrows()]
    out = cash_at_start((last["period"], last["value"]), list(zip(received["period"], received["value"])),
                        year_burn, burned, start_year)
    return out | {"balance_claim": ev.claim(str(last["id"])), "received_claims": [ev.claim(str(i)) for i in received["id"]]}


# -- anchors --------------------------------------------------------------------------------------------

def share_multiplier(share: float) -> float:
    """Sequoia's data-centre multiplier from the share of data-centre cost that the run-rate pays for:
    GPUs at half the cost -> x2; Nvidia's systems at ~60% -> x1.67; GPUs alone at 39% -> x2.56."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    return 1 / share


def sequoia_sensitivity(nvidia_runrate: float, ai_revenue: float, multipliers: Mapping[str, float],
                        gross_margin: float = 0.5) -> pd.DataFrame:
    """Sequoia's required revenue and the share of it earned (``ai_revenue``) under several data-centre
    multipliers ({label: multiplier}), at one buyer's gross margin."""
    rows = [{"multiplier_basis": k, "multiplier": m, "required_revenue": required_revenue(nvidia_runrate, m, gross_margin)}
            for k, m in multipliers.items()]
    out = pd.DataFrame(rows)
    out["coverage"] = ai_revenue / out["required_revenue"]
    return out


def bain_rebuild(capex_per_year: float, capex_to_revenue: float, shortfall: float | None = None) -> dict[str, float]:
    """Bain's method: revenue needed = yearly capex / sustainable capex-to-revenue ratio (a fraction);
    with the published ``shortfall``, the revenue Bain could identify = needed - shortfall."""
    if not 0 < capex_to_revenue <= 1:
        raise ValueError("capex_to_revenue must be a fraction in (0, 1]")
    need = capex_per_year / capex_to_revenue
    out = {"capex_per_year": capex_per_year, "capex_to_revenue": capex_to_revenue, "revenue_needed": need}
    if shortfall is not None:
        out |= {"shortfall": shortfall, "identified": need - shortfall}
    return out


#: The four largest US hyperscalers' 2026 capex guidance: claims of this series (claims.csv ``series``) are sums of
#: each company's own guidance (a primary basis); the newest vintage known is used. Chapter 05 and the front page
#: use the same figure.
BIG4_CAPEX_SERIES = "big4_capex_guidance"
#: Secondary compilations of the same guidance, quoted only as the other end where they differ.
BIG4_CAPEX_COMPILATION_SERIES = "big4_capex_guidance_compilation"


def results_quarter(published: dt.date) -> tuple[int, int]:
    """(quarter, year) of the last calendar quarter complete before ``published``: guidance given with the
    results of that quarter (2026-04-29 -> (1, 2026); 2026-02-07 -> (4, 2025))."""
    q = (published.month - 1) // 3
    return (4, published.year - 1) if q == 0 else (q, published.year)


def big4_capex_2026(ev, year: int = 2026) -> dict | None:
    """The Big-4 capex guidance for ``year`` known on ``ev``'s as-of date: the newest vintage of
    :data:`BIG4_CAPEX_SERIES` as ``{"claim", "basis", "compilation"}`` (``basis``: (quarter, year) of the results
    the guidance came with, :func:`results_quarter`; the words are :func:`aicompute.narrative.finance.guidance_basis`;
    ``compilation``: the newest compilation's claim where it is known and differs, else None); None before any
    guidance is published."""
    try:
        claim = ev.latest(series=BIG4_CAPEX_SERIES, period=year)
    except NotYetPublished:
        return None
    rows = ev.series(BIG4_CAPEX_SERIES)
    published = rows.loc[rows["id"] == claim.id, "published"].iloc[0].date()
    try:
        comp = ev.latest(series=BIG4_CAPEX_COMPILATION_SERIES, period=year)
    except NotYetPublished:
        comp = None
    if comp is not None and round(comp.value) == round(claim.value):
        comp = None
    return {"claim": claim, "basis": results_quarter(published), "compilation": comp}


def hsbc_reproduction(cum_compute: float, cum_fcf: float, other_sources: float, reported_gap: float,
                      buffer: float = 0.0) -> dict[str, float]:
    """Rebuild HSBC's funding gap from its public inputs; report the part that cannot be reproduced.

    naive gap = cumulative compute cost - cumulative free cash flow - other sources of funds; the cash the
    reported gap implies = cost - reported gap - other sources.
    """
    naive = cum_compute - cum_fcf - other_sources
    return {"cum_compute_2030": cum_compute, "cum_fcf_2030": cum_fcf, "other_sources": other_sources,
            "naive_gap": naive, "reported_gap": reported_gap, "unexplained": naive - reported_gap,
            "implied_cash_for_reported_gap": cum_compute - reported_gap - other_sources,
            "reported_gap_with_buffer": reported_gap + buffer}


# -- capital structure ----------------------------------------------------------------------------------

def capital_structure(cashflows: pd.DataFrame, capex: str | None = None) -> pd.DataFrame:
    """Per company, its latest period with operating cash flow and a capex figure, annualised (x 12/months); of
    two periods ending on the same day, the longer (a full year or trailing twelve months before a quarter).

    ``capex``: 'cash' (cash purchases, ``capex_cash``) or 'leases' (``capex_incl_leases``) puts every company on
    that one basis, a period without that figure not counting; None takes cash purchases where reported, else
    lease-inclusive capex (the bases may then differ). Columns: company, period (the company's own label),
    calendar_period (where the input has it), months, operating_cash_flow, capex, capex_basis (code: 'cash' /
    'leases'), free_cash_flow (OCF - capex), capex_to_ocf (percent), source_id (where the input has it).
    :func:`capital_structure_total` sums the companies.
    """
    if capex not in (None, "cash", "leases"):
        raise ValueError(f"capital_structure: capex must be 'cash', 'leases' or None, got {capex!r}")
    columns = {"cash": ["capex_cash"], "leases": ["capex_incl_leases"], None: ["capex_cash", "capex_incl_leases"]}[capex]
    rows = []
    usable = cashflows[cashflows["operating_cash_flow"].notna() & cashflows[columns].notna().any(axis=1)]
    for company, g in usable.sort_values(["period_end", "months"]).groupby("company", sort=True):
        r = g.iloc[-1]
        k = 12 / int(r["months"])
        cash = "capex_cash" in columns and pd.notna(r["capex_cash"])
        spent = (r["capex_cash"] if cash else r["capex_incl_leases"]) * k
        ocf = r["operating_cash_flow"] * k
        rows.append({"company": company, "period": r["fiscal_period"], "calendar_period": r.get("calendar_period"),
                     "months": int(r["months"]), "operating_cash_flow": ocf, "capex": spent,
                     "capex_basis": "cash" if cash else "leases", "free_cash_flow": ocf - spent,
                     "capex_to_ocf": 100 * spent / ocf, "source_id": r.get("source_id")})
    return pd.DataFrame(rows, columns=["company", "period", "calendar_period", "months", "operating_cash_flow", "capex",
                                       "capex_basis", "free_cash_flow", "capex_to_ocf", "source_id"])


#: The amounts of a cash-flow row (``data/hyperscaler_cashflows.csv``) that add across periods.
FLOW_COLUMNS = ("revenue", "operating_cash_flow", "capex_cash", "capex_incl_leases", "free_cash_flow")


def trailing_twelve_months(full_year: pd.Series, to_date: pd.Series, to_date_before: pd.Series) -> pd.Series:
    """The twelve months to ``to_date``'s end: the fiscal year ``full_year`` plus the year-to-date ``to_date`` less
    the same stretch a year before (``to_date_before``): FY 2025 + Q1 2026 - Q1 2025, or for a June fiscal year
    FY2025 + nine months to March 2026 - nine months to March 2025. Each amount of :data:`FLOW_COLUMNS` (NaN where
    a part lacks it). Refuses parts that do not fit: the year must be 12 months, the two stretches as long as
    each other and shorter than a year, the earlier ending a year before the later, the year between them."""
    end, before, year_end = (pd.Timestamp(r["period_end"]) for r in (to_date, to_date_before, full_year))
    if int(full_year["months"]) != 12 or int(to_date["months"]) != int(to_date_before["months"]) or int(to_date["months"]) >= 12:
        raise ValueError(f"trailing_twelve_months: a 12-month year and two equal stretches under a year, got "
                         f"{full_year['months']}, {to_date['months']}, {to_date_before['months']} months")
    if before != end - pd.DateOffset(years=1) or not before < year_end < end:
        raise ValueError(f"trailing_twelve_months: the stretches must end a year apart with the year between them, "
                         f"got {before.date()}, {year_end.date()}, {end.date()}")
    return pd.Series({c: full_year.get(c, np.nan) + to_date.get(c, np.nan) - to_date_before.get(c, np.nan)
                      for c in FLOW_COLUMNS}, dtype=float)


def capital_structure_total(cs: pd.DataFrame) -> dict[str, float | str]:
    """The companies of :func:`capital_structure` summed (their periods may differ): operating_cash_flow,
    capex, free_cash_flow, capex_to_ocf (percent) and capex_basis (the companies' code, or 'mixed')."""
    ocf, capex = float(cs["operating_cash_flow"].sum()), float(cs["capex"].sum())
    basis = "mixed" if cs["capex_basis"].nunique() > 1 else (cs["capex_basis"].iloc[0] if len(cs) else "")
    return {"operating_cash_flow": ocf, "capex": capex, "free_cash_flow": ocf - capex,
            "capex_to_ocf": 100 * capex / ocf if ocf else float("nan"), "capex_basis": basis}


def sequoia_base(lines: pd.DataFrame) -> pd.DataFrame:
    """The AI revenue base of Sequoia's question, each line counted once.

    ``lines``: one row per revenue line with ``line``, ``value`` (USD bn a year, NaN where not disclosed),
    ``overlap`` (USD bn of it that another line already counts, e.g. OpenAI's Azure spend inside Microsoft's AI
    business; 0 or NaN for none) and ``source_id``. A line without a value is kept, named, and counted as 0
    (``counted`` False). Adds ``net`` (value less overlap, never below 0) and ``counted``; the total is
    ``net.sum()``. Raises ValueError on a duplicated line or an overlap larger than its line.
    """
    if lines["line"].duplicated().any():
        raise ValueError(f"sequoia_base: line(s) {sorted(lines.loc[lines['line'].duplicated(), 'line'])} appear twice")
    out = lines.copy()
    out["overlap"] = out["overlap"].fillna(0.0)
    too_big = out["value"].notna() & (out["overlap"] > out["value"] + 1e-9)
    if too_big.any():
        raise ValueError(f"sequoia_base: overlap above the line's value for {sorted(out.loc[too_big, 'line'])}")
    out["counted"] = out["value"].notna()
    out["net"] = (out["value"] - out["overlap"]).where(out["counted"], 0.0)
    return out


#: The lines of the AI revenue base without a disclosed figure: (line key, the source that shows it undisclosed).
#: They are named (not counted) so the reader sees what the base leaves out; the words are in
#: :data:`aicompute.narrative.finance.SEQUOIA_LINE_WORDS`.
SEQUOIA_LINES_NOT_DISCLOSED = (
    ("google_cloud_ai", "alphabet_q1_2026_2026_04_29"),
    ("meta_ai", "meta_q1_2026_2026_04_29"),
    ("xai", "xai_series_e_2026_01_06"),
)
#: The lines that are the AI labs' sales (the low end of the base): their own revenue and the clouds' share of
#: Anthropic's sales (end customers' money for a lab's models, booked by the cloud that resells them).
SEQUOIA_LABS = ("openai", "anthropic", "anthropic_cloud_share")


def sequoia_lines(ev) -> pd.DataFrame:
    """The AI revenue base of Sequoia's question from the evidence ``ev``, without double counting:

    * OpenAI and Anthropic at their latest run-rates, Anthropic's restated net of the cloud partners' share (that
      share is the clouds' revenue, not Anthropic's) where the gap is known;
    * that share once, as its own line (``anthropic_cloud_share``): the clouds' lines that would hold it are counted
      at zero (AWS) or not at all (Google Cloud), so without it those end customers' dollars would count nowhere;
    * Microsoft's AI business less OpenAI's Azure spend (leaked Azure inference bill, annualised): OpenAI's
      revenue already counts the sales that money comes from. The bill is of an earlier period than the run-rate
      (``overlap_as_of`` against ``as_of``): the chapter says so;
    * AWS's AI services at zero net: Anthropic's AWS spend sits inside them and is not disclosed, so the line
      cannot be separated;
    * Google Cloud AI, Meta and xAI named, not counted (no figure disclosed), once the source saying so is public.
      Chinese labs and software companies' AI revenue are not lines: no source in the data shows them undisclosed,
      so the chapter names them in prose only.

    Columns: line (a key: openai, anthropic, anthropic_cloud_share, microsoft_ai, aws_ai, google_cloud_ai, meta_ai,
    xai; the words are :func:`aicompute.narrative.finance.sequoia_lines`), lab (one of :data:`SEQUOIA_LABS`), value,
    overlap, overlap_share (the part of the value taken out, as a fraction), as_of (the reading's date), source_id,
    overlap_source_id, overlap_as_of (the date of the overlap's reading) (then :func:`sequoia_base` adds
    net/counted). :func:`sequoia_coverage` turns the base into the coverage and its range.
    """
    rows = []

    def add(line: str, claim, overlap: float, overlap_claim=None, value: float | None = None) -> None:
        value = claim.value if value is None else value
        rows.append({"line": line, "value": value, "overlap": overlap, "as_of": claim.as_of,
                     "overlap_share": overlap / value if value else 0.0, "source_id": claim.source_id,
                     "overlap_source_id": overlap_claim.source_id if overlap_claim is not None else None,
                     "overlap_as_of": overlap_claim.as_of if overlap_claim is not None else None})

    oai = ev.latest(series="openai_arr", default=None)
    if oai is not None:
        add("openai", oai, 0.0)
    ant = ev.latest(series="anthropic_arr", default=None)
    if ant is not None:
        gap = ev.claim("anthropic_gross_net_gap") if ev.known("anthropic_gross_net_gap") else None
        base = ev.claim("anthropic_arr_2026_04") if ev.known("anthropic_arr_2026_04") else None
        share = gap.value / base.value if gap is not None and base is not None else 0.0
        add("anthropic", ant, ant.value * share, gap)
        if share:  # the clouds' share, counted once here (their own lines count at zero or not at all)
            add("anthropic_cloud_share", gap, 0.0, value=ant.value * share)
    msft = ev.latest(series="microsoft_ai_runrate", default=None)
    if msft is not None:
        azure = ev.claim("openai_9m_2025_inference_cost") if ev.known("openai_9m_2025_inference_cost") else None
        add("microsoft_ai", msft, min(azure.value * 12 / 9, msft.value) if azure is not None else 0.0, azure)
    aws = ev.latest(series="aws_ai_runrate", default=None)
    if aws is not None:
        add("aws_ai", aws, aws.value)
    known = set(ev.sources()["id"])
    for line, src in SEQUOIA_LINES_NOT_DISCLOSED:
        if src in known:  # else the source that shows the line undisclosed is not public yet on this date
            rows.append({"line": line, "value": float("nan"), "overlap": 0.0, "as_of": None, "overlap_share": 0.0,
                         "source_id": src, "overlap_source_id": None, "overlap_as_of": None})
    out = sequoia_base(pd.DataFrame(rows))
    return out.assign(lab=out["line"].isin(SEQUOIA_LABS))


def sequoia_coverage(base: pd.DataFrame, required: float, required_low: float, required_high: float) -> dict[str, float]:
    """The share of Sequoia's required revenue the base of :func:`sequoia_lines` earns (percent), with its range.

    ``value``: the base (each dollar once, ``net``) over ``required`` (the chapter's multiplier); ``high``: the same
    base over ``required_low`` (the lowest multiplier); ``low``: the labs' sales alone (:data:`SEQUOIA_LABS`, net)
    over ``required_high`` (the highest multiplier), as if the hyperscalers' own AI lines added nothing beyond them.
    No end adds a line's overlap back. Also returns ``base`` and ``labs`` (USD bn)."""
    if not 0 < required_low <= required <= required_high:
        raise ValueError("sequoia_coverage needs 0 < required_low <= required <= required_high")
    total, labs = float(base["net"].sum()), float(base.loc[base["lab"], "net"].sum())
    return {"base": total, "labs": labs, "value": 100 * total / required, "low": 100 * labs / required_high,
            "high": 100 * total / required_low}
