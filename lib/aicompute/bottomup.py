"""Bottom-up views: what the build-out can physically be (installed stock, the packaging ceiling), and what
OpenAI's revenue is made of (users x paying share x revenue per payer, plus API and enterprise revenue).

Money in USD bn, users in millions, power in GW unless a name says otherwise.
"""

from __future__ import annotations

import math


def stock_growth(stock_then: float, stock_now: float, years: float) -> float:
    """Yearly growth factor of a stock between two readings ``years`` apart (2.0 = doubling each year)."""
    if stock_then <= 0 or stock_now <= 0 or years <= 0:
        raise ValueError(f"need positive stocks and a positive span, got {stock_then}, {stock_now}, {years}")
    return (stock_now / stock_then) ** (1 / years)


def packaging_ceiling(wafers_per_month: float, packages_per_wafer: float, kw_per_package: float,
                      pue: float = 1.0, share: float = 1.0) -> dict[str, float]:
    """Accelerator packages a year from a CoWoS capacity (wafers a month x 12 x packages per wafer x the
    ``share`` of capacity that goes to AI accelerators), and the facility power they need (kW of IT power per
    package, incl. its share of the rack, x ``pue``): ``packages_m`` (millions a year) and ``gw_per_year``."""
    if min(wafers_per_month, packages_per_wafer, kw_per_package) < 0 or not 0 <= share <= 1 or pue < 1:
        raise ValueError("packaging_ceiling: capacities must be >= 0, share in [0, 1] and pue >= 1")
    packages = wafers_per_month * 12 * packages_per_wafer * share
    return {"packages_m": packages / 1e6, "gw_per_year": packages * kw_per_package * pue / 1e6}


def revenue_build(users_m: float, paying_share: float, usd_per_payer_month: float,
                  other_bn: float = 0.0) -> dict[str, float]:
    """Yearly revenue from subscriptions (users x paying share x USD a month x 12) plus ``other_bn`` (API,
    enterprise contracts, ads): ``payers_m``, ``subscriptions_bn``, ``other_bn``, ``total_bn``."""
    if users_m < 0 or not 0 <= paying_share <= 1 or usd_per_payer_month < 0 or other_bn < 0:
        raise ValueError("revenue_build: users, price and other revenue must be >= 0 and the paying share in [0, 1]")
    payers = users_m * paying_share
    subs = payers * usd_per_payer_month * 12 / 1000
    return {"payers_m": payers, "subscriptions_bn": subs, "other_bn": float(other_bn), "total_bn": subs + other_bn}


def implied_growth(now: float, later: float, years: float) -> float:
    """Yearly growth rate (0.4 = 40%) that takes ``now`` to ``later`` in ``years``."""
    if now <= 0 or later <= 0 or years <= 0:
        raise ValueError(f"need positive levels and a positive span, got {now}, {later}, {years}")
    return math.exp(math.log(later / now) / years) - 1
