"""Bottom-up views: what the build-out can physically be (installed stock, the supply ceiling from CoWoS packaging and
HBM memory), and what OpenAI's revenue is made of (users x paying share x revenue per payer, plus API and enterprise revenue).

Money in USD bn, users in millions, power in GW unless a name says otherwise.
"""

from __future__ import annotations

import math

from aicompute.infra import power_for_accelerators


def stock_growth(stock_then: float, stock_now: float, years: float) -> float:
    """Yearly growth factor of a stock between two readings ``years`` apart (2.0 = doubling each year)."""
    if stock_then <= 0 or stock_now <= 0 or years <= 0:
        raise ValueError(f"need positive stocks and a positive span, got {stock_then}, {stock_now}, {years}")
    return (stock_now / stock_then) ** (1 / years)


def usd_per_h100e(usd: float, fp8_tflops: float, h100_fp8_tflops: float) -> float:
    """A price per H100-equivalent of dense FP8 performance: ``usd`` x the H100's FP8 TFLOPS / the chip's. A chip
    with twice an H100's FP8 rate at twice its price costs the same per H100e."""
    if usd < 0 or fp8_tflops <= 0 or h100_fp8_tflops <= 0:
        raise ValueError(f"usd_per_h100e: need a price >= 0 and positive FP8 rates, got {usd}, {fp8_tflops}, {h100_fp8_tflops}")
    return usd * h100_fp8_tflops / fp8_tflops


def compute_share(compute_bn: float | None, datacentre_bn: float | None) -> float:
    """The share of a vendor's data-centre revenue that is compute (accelerators in the boards and systems they are
    sold in; the rest is networking), from the vendor's own split of one period. 1.0 (all of it) when no split is
    known (``None``): an upper bound."""
    if compute_bn is None or datacentre_bn is None:
        return 1.0
    if not 0 < compute_bn <= datacentre_bn:
        raise ValueError(f"compute_share: need 0 < compute <= data-centre revenue, got {compute_bn}, {datacentre_bn}")
    return compute_bn / datacentre_bn


def units_bought(revenue_bn: float, share: float, usd_per_unit: float) -> float:
    """Million units that the ``share`` of ``revenue_bn`` buys at ``usd_per_unit`` each: revenue x share / price."""
    if revenue_bn < 0 or not 0 <= share <= 1 or usd_per_unit <= 0:
        raise ValueError(f"units_bought: need revenue >= 0, a share in [0, 1] and a positive price, got "
                         f"{revenue_bn}, {share}, {usd_per_unit}")
    return revenue_bn * share * 1e3 / usd_per_unit


def packaging_ceiling(wafers_per_month: float, packages_per_wafer: float, kw_per_package: float,
                      pue: float = 1.0, share: float = 1.0) -> dict[str, float]:
    """Accelerator packages a year from a CoWoS capacity (wafers a month x 12 x packages per wafer x the
    ``share`` of capacity that goes to AI accelerators), and the facility power they need (kW of IT power per
    package, incl. its share of the rack, x ``pue``): ``packages_m`` (millions a year) and ``gw_per_year``."""
    if min(wafers_per_month, packages_per_wafer, kw_per_package) < 0 or not 0 <= share <= 1 or pue < 1:
        raise ValueError("packaging_ceiling: capacities must be >= 0, share in [0, 1] and pue >= 1")
    packages = wafers_per_month * 12 * packages_per_wafer * share
    return {"packages_m": packages / 1e6, "gw_per_year": power_for_accelerators(packages, kw_per_package, pue)}


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


def hbm_ceiling(hbm_gbit_bn: float, gb_per_package: float) -> float:
    """Accelerator packages (millions) that a year's HBM shipments can equip: ``hbm_gbit_bn`` billion gigabits
    (memory makers count bits: 8 Gb = 1 GB) / 8 / ``gb_per_package`` GB of HBM on each package."""
    if hbm_gbit_bn < 0 or gb_per_package <= 0:
        raise ValueError(f"hbm_ceiling: need HBM >= 0 and a positive HBM per package, got {hbm_gbit_bn}, {gb_per_package}")
    return hbm_gbit_bn * 1e9 / 8 / gb_per_package / 1e6


def hbm_needed(packages_m: float, gb_per_package: float) -> float:
    """Billion gigabits of HBM that ``packages_m`` million packages of ``gb_per_package`` GB each need (the inverse
    of :func:`hbm_ceiling`)."""
    return packages_m * 1e6 * gb_per_package * 8 / 1e9


def supply_ceiling(cowos_packages_m: float, hbm_packages_m: float | None, kw_per_package: float,
                   pue: float = 1.0) -> dict[str, float | str]:
    """The supply ceiling: the smaller of the packages CoWoS can package (:func:`packaging_ceiling`) and those HBM
    can equip (:func:`hbm_ceiling`; ``None``: no HBM figure, CoWoS alone), with the facility power they need
    (:func:`aicompute.infra.power_for_accelerators`, as :func:`packaging_ceiling`): ``packages_m``, ``gw_per_year`` and ``binds`` ('cowos', or 'hbm' where memory
    is strictly the smaller bound)."""
    if pue < 1 or kw_per_package < 0:
        raise ValueError("supply_ceiling: pue must be >= 1 and the power per package >= 0")
    binds = "hbm" if hbm_packages_m is not None and hbm_packages_m < cowos_packages_m else "cowos"
    packages = hbm_packages_m if binds == "hbm" else cowos_packages_m
    return {"packages_m": packages, "gw_per_year": power_for_accelerators(packages * 1e6, kw_per_package, pue), "binds": binds}
