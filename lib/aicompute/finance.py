"""Finance models: growth, the Sequoia revenue question, a small OpenAI P&L, commitments and the funding gap.

Every function is small and unit-tested against hand-checked or published numbers (tests/test_finance.py):

* :func:`required_revenue` / :func:`revenue_gap` reproduce Sequoia's "$200B question" (2023) and
  "$600B question" (2024) exactly, and re-run them on Nvidia's later data-centre revenue
  (:func:`sequoia_table`).
* :func:`hsbc_reproduction` rebuilds HSBC's OpenAI funding gap from the public inputs and shows where it
  cannot be reproduced (the published $207B needs a cash-flow definition the summaries do not give).
* :func:`pnl_path` is a transparent yearly P&L: revenue by line (subscriptions, API, enterprise, ads),
  inference and training compute, other costs, operating cash flow and the cumulative burn.
* :func:`payment_schedule` spreads contract values over their payment windows; :func:`funding_gap`
  nets cumulative costs against cash generated and other sources of funds.

Tables that mix bases (recognized revenue, run-rate, leak, projection) are resolved with
:func:`resolve_claims` and labelled with :func:`series_label`, never silently merged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

__all__ = [
    "HSBC_INPUTS",
    "PnLAssumptions",
    "breakeven_ad_arpu",
    "cagr",
    "circular_pairs",
    "coverage",
    "funding_gap",
    "hsbc_reproduction",
    "payment_schedule",
    "pnl_path",
    "ratio_path",
    "required_revenue",
    "resolve_claims",
    "revenue_gap",
    "revenue_per_gw",
    "sequoia_case",
    "sequoia_table",
    "series_label",
    "with_overrides",
]


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


def revenue_gap(required: float, actual: float) -> float:
    """Required minus actual AI revenue (positive = a hole to fill)."""
    return required - actual


def sequoia_case(label: str, nvidia_runrate: float, ai_revenue: float | None = None,
                 datacenter_multiplier: float = 2.0, gross_margin: float = 0.5) -> dict[str, object]:
    """One row of the Sequoia arithmetic: run-rate -> data-centre cost -> required revenue -> gap."""
    dc_cost = nvidia_runrate * datacenter_multiplier
    req = required_revenue(nvidia_runrate, datacenter_multiplier, gross_margin)
    gap = None if ai_revenue is None else revenue_gap(req, ai_revenue)
    return {"case": label, "nvidia_runrate": nvidia_runrate, "datacenter_cost": dc_cost,
            "required_revenue": req, "ai_revenue": ai_revenue, "gap": gap,
            "coverage": None if ai_revenue is None else ai_revenue / req}


def sequoia_table(cases: list[tuple[str, float, float | None]], datacenter_multiplier: float = 2.0,
                  gross_margin: float = 0.5) -> pd.DataFrame:
    """Rows of :func:`sequoia_case` for ``[(label, nvidia_runrate, ai_revenue or None), ...]``."""
    return pd.DataFrame([sequoia_case(lab, rr, rev, datacenter_multiplier, gross_margin) for lab, rr, rev in cases])


def resolve_claims(table: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Fill value/low/high of rows that link a claim (``claim_id``) from the claims ledger.

    Raises ValueError when a linked claim's unit differs from the row's unit, or a row has neither a value
    nor a claim. Adds ``claim_as_of`` (the claim's date) for filtering by the report's as-of date.
    """
    out = table.copy()
    ledger = claims.set_index("id")
    out["claim_as_of"] = pd.NaT
    for i, row in out[out["claim_id"].notna()].iterrows():
        c = ledger.loc[row["claim_id"]]
        if c["unit"] != row["unit"]:
            raise ValueError(f"row {row['id']}: unit '{row['unit']}' differs from claim {row['claim_id']} ('{c['unit']}')")
        out.loc[i, ["value", "low", "high"]] = [c["value"], c["low"], c["high"]]
        out.loc[i, "claim_as_of"] = c["as_of"]
    if out["value"].isna().any():
        raise ValueError(f"rows without a value: {out.loc[out['value'].isna(), 'id'].tolist()}")
    return out


def series_label(metric: str, kind: str, basis: str) -> str:
    """A legend label that keeps bases apart, e.g. 'revenue (recognized, leak)'."""
    return f"{metric.replace('_', ' ')} ({kind}, {basis})"


def revenue_per_gw(revenue: float, gw: float) -> float:
    """Revenue per gigawatt of compute (USD bn per GW when revenue is in USD bn)."""
    if gw <= 0:
        raise ValueError("gw must be positive")
    return revenue / gw


def breakeven_ad_arpu(annual_cost: float, other_revenue: float, users_m: float) -> float:
    """Yearly ad revenue per user (USD) that closes ``annual_cost - other_revenue`` (USD bn) over ``users_m`` million users."""
    if users_m <= 0:
        raise ValueError("users_m must be positive")
    return max(0.0, annual_cost - other_revenue) * 1e3 / users_m


def coverage(commitments: float, annual_revenue: float) -> dict[str, float]:
    """Commitments against revenue: years of revenue they equal, and revenue as a share of them."""
    if annual_revenue <= 0:
        raise ValueError("annual_revenue must be positive")
    return {"years_of_revenue": commitments / annual_revenue, "revenue_share": annual_revenue / commitments}


def ratio_path(start: float, end: float, years: list[int]) -> np.ndarray:
    """Geometric glide from ``start`` (first year) to ``end`` (last year)."""
    t = np.linspace(0.0, 1.0, len(years))
    return start * (end / start) ** t


@dataclass(frozen=True)
class PnLAssumptions:
    """Inputs of :func:`pnl_path` (USD bn, fractions). Defaults: our calibration to 2025 (see the notebook)."""

    base_year: int = 2025
    end_year: int = 2030
    revenue: Mapping[str, float] = field(default_factory=lambda: {
        "subscriptions": 9.0, "api": 2.5, "enterprise": 1.6})  # 13.1 = the 2025 projection
    growth: Mapping[str, float] = field(default_factory=lambda: {
        "subscriptions": 0.50, "api": 0.70, "enterprise": 0.90})
    users_m: float = 800.0  # weekly users in the base year
    users_growth: float = 0.25
    ad_arpu_end: float = 12.0  # USD per user per year reached in the end year
    ads_start: int = 2026
    inference_ratio_start: float = 0.70  # inference cost / revenue in the base year
    inference_ratio_end: float = 0.40
    training_start: float = 7.0
    training_growth: float = 0.60
    other_ratio: float = 0.40  # staff, sales, G&A as a share of revenue


def _revenue_lines(a: PnLAssumptions, years: np.ndarray) -> pd.DataFrame:
    t = years - a.base_year
    lines = {name: base * (1 + a.growth[name]) ** t for name, base in a.revenue.items()}
    users = a.users_m * (1 + a.users_growth) ** t
    ramp = np.clip((years - a.ads_start + 1) / max(1, a.end_year - a.ads_start + 1), 0, 1)
    lines["ads"] = users * a.ad_arpu_end * ramp / 1e3
    return pd.DataFrame({"year": years, "users_m": users, **lines})


def pnl_path(a: PnLAssumptions | None = None) -> pd.DataFrame:
    """Yearly P&L from ``base_year`` to ``end_year``: revenue by line, compute costs, other costs, cash flow."""
    a = a or PnLAssumptions()
    years = np.arange(a.base_year, a.end_year + 1)
    df = _revenue_lines(a, years)
    df["revenue"] = df[[*a.revenue, "ads"]].sum(axis=1)
    df["inference"] = df["revenue"] * ratio_path(a.inference_ratio_start, a.inference_ratio_end, list(years))
    df["training"] = a.training_start * (1 + a.training_growth) ** (years - a.base_year)
    df["other"] = df["revenue"] * a.other_ratio
    df["cost"] = df[["inference", "training", "other"]].sum(axis=1)
    df["cash_flow"] = df["revenue"] - df["cost"]
    df["cumulative_cash_flow"] = df["cash_flow"].cumsum()
    return df


def with_overrides(a: PnLAssumptions, **changes: object) -> PnLAssumptions:
    """A copy of ``a`` with some fields changed (notebook parameters -> assumptions)."""
    return replace(a, **changes)


def payment_schedule(contracts: pd.DataFrame, total: float | None = None, remainder_window: tuple[int, int] = (2026, 2033),
                     ) -> pd.DataFrame:
    """Spread each contract's ``value`` evenly over ``years`` from ``start_year``: long table (id, year, amount).

    With ``total``, the part of it not covered by the contracts is spread evenly over ``remainder_window`` as
    the row 'unscheduled remainder'.
    """
    rows = [(r.id, int(r.start_year) + k, r.value / int(r.years))
            for r in contracts.itertuples() for k in range(int(r.years))]
    out = pd.DataFrame(rows, columns=["id", "year", "amount"])
    if total is not None:
        rest = total - contracts["value"].sum()
        if rest < 0:
            raise ValueError(f"contracts ({contracts['value'].sum():g}) exceed the total ({total:g})")
        span = range(remainder_window[0], remainder_window[1] + 1)
        out = pd.concat([out, pd.DataFrame({"id": "unscheduled remainder", "year": list(span),
                                            "amount": rest / len(span)})], ignore_index=True)
    return out


def funding_gap(cumulative_cost: float, cumulative_cash: float, other_sources: Mapping[str, float] | None = None) -> float:
    """New financing needed: cumulative cost minus cumulative cash generated minus other sources of funds."""
    return cumulative_cost - cumulative_cash - sum((other_sources or {}).values())


#: Public inputs of HSBC's OpenAI model (reference-figures 2.4; The Register, Fortune, Techzine).
HSBC_INPUTS = {"cum_compute_2030": 792.0, "cum_fcf_2030": 282.0,
               "sources": {"Nvidia and AMD commitments": 26.0, "undrawn facilities": 24.0, "cash": 17.5},
               "reported_gap": 207.0, "buffer": 10.0}


def hsbc_reproduction(inputs: Mapping[str, object] | None = None) -> dict[str, float]:
    """Rebuild HSBC's funding gap from public inputs; report the gap that cannot be reproduced.

    Returns the naive gap (cost - FCF - other sources), the reported gap, their difference, and the
    cumulative cash the reported gap implies (what the FCF figure would have to be for it to hold).
    """
    x = dict(HSBC_INPUTS, **(inputs or {}))
    sources = sum(x["sources"].values())  # type: ignore[union-attr]
    naive = funding_gap(x["cum_compute_2030"], x["cum_fcf_2030"], x["sources"])  # type: ignore[arg-type]
    implied_cash = x["cum_compute_2030"] - x["reported_gap"] - sources  # type: ignore[operator]
    return {"cum_compute_2030": x["cum_compute_2030"], "cum_fcf_2030": x["cum_fcf_2030"], "other_sources": sources,
            "naive_gap": naive, "reported_gap": x["reported_gap"], "unexplained": naive - x["reported_gap"],  # type: ignore[operator]
            "implied_cash_for_reported_gap": implied_cash, "reported_gap_with_buffer": x["reported_gap"] + x["buffer"]}  # type: ignore[operator]


def circular_pairs(flows: pd.DataFrame) -> pd.DataFrame:
    """Pairs of parties with money or commitments flowing both ways: the round-trip is the smaller direction."""
    sums = flows.groupby(["from_party", "to_party"])["value"].sum()
    rows = []
    for (a, b), out in sums.items():
        back = sums.get((b, a))
        if back is not None and a < b:
            rows.append({"party_a": a, "party_b": b, "a_to_b": out, "b_to_a": back, "round_trip": min(out, back)})
    return pd.DataFrame(rows, columns=["party_a", "party_b", "a_to_b", "b_to_a", "round_trip"])
