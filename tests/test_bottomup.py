"""Bottom-up views (installed stock, packaging ceiling, revenue build-up), checked by hand."""

from __future__ import annotations

import pytest

from aicompute import bottomup


def test_stock_growth_and_implied_growth() -> None:
    # 4M to 15M in 1.5 years: (15/4)^(1/1.5) = 2.4137 a year
    assert bottomup.stock_growth(4, 15, 1.5) == pytest.approx(2.4137, rel=1e-4)
    assert bottomup.implied_growth(20, 40, 1) == pytest.approx(1.0)
    assert bottomup.implied_growth(100, 121, 2) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        bottomup.stock_growth(0, 1, 1)


def test_packaging_ceiling_by_hand() -> None:
    # 95,000 wafers/month x 12 x 9 packages = 10.26M packages; x 2 kW x PUE 1.2 = 24.6 GW a year
    c = bottomup.packaging_ceiling(95_000, 9, 2.0, pue=1.2)
    assert c["packages_m"] == pytest.approx(10.26)
    assert c["gw_per_year"] == pytest.approx(24.624)
    assert bottomup.packaging_ceiling(95_000, 9, 2.0, share=0.5)["packages_m"] == pytest.approx(5.13)
    with pytest.raises(ValueError):
        bottomup.packaging_ceiling(1, 1, 1, share=1.5)


def test_revenue_build_by_hand() -> None:
    # 900M users x 5.56% paying = 50M payers x 20 USD x 12 = 12.0 USD bn; + 8 of API and enterprise = 20
    r = bottomup.revenue_build(900, 50 / 900, 20, other_bn=8)
    assert r["payers_m"] == pytest.approx(50)
    assert r["subscriptions_bn"] == pytest.approx(12.0)
    assert r["total_bn"] == pytest.approx(20.0)
    with pytest.raises(ValueError):
        bottomup.revenue_build(900, 1.2, 20)


def test_hbm_ceiling_by_hand() -> None:
    # 30 bn Gb = 30e9 / 8 = 3.75e9 GB; / 288 GB a package = 13.02 M packages; and back: 13.02 M x 288 x 8 = 30 bn Gb
    assert bottomup.hbm_ceiling(30, 288) == pytest.approx(13.0208, rel=1e-4)
    assert bottomup.hbm_ceiling(8, 1) == pytest.approx(1000.0)  # 8 bn Gb = 1 bn GB = 1,000 M one-GB packages
    assert bottomup.hbm_needed(bottomup.hbm_ceiling(30, 288), 288) == pytest.approx(30)
    # 16.38 M packages (150k wafers x 12 x 9.1) x 288 GB x 8 = 37.74 bn Gb
    assert bottomup.hbm_needed(16.38, 288) == pytest.approx(37.739, rel=1e-4)
    with pytest.raises(ValueError):
        bottomup.hbm_ceiling(30, 0)


def test_supply_ceiling_is_the_smaller_bound_by_hand() -> None:
    # CoWoS 12.558 M against HBM 13.02 M: packaging binds; 12.558 x 2 kW x PUE 1.2 = 30.14 GW
    c = bottomup.supply_ceiling(12.558, 13.02, 2.0, pue=1.2)
    assert (c["binds"], c["packages_m"]) == ("cowos", 12.558) and c["gw_per_year"] == pytest.approx(30.1392)
    # CoWoS 16.38 M against HBM 13.02 M: memory binds; 13.02 x 2 x 1.2 = 31.248 GW
    c = bottomup.supply_ceiling(16.38, 13.02, 2.0, pue=1.2)
    assert (c["binds"], c["packages_m"]) == ("hbm", 13.02) and c["gw_per_year"] == pytest.approx(31.248)
    assert bottomup.supply_ceiling(5.0, 5.0, 1.0)["binds"] == "cowos"  # a tie is packaging's
    assert bottomup.supply_ceiling(5.0, None, 1.0) == {"packages_m": 5.0, "gw_per_year": 5.0, "binds": "cowos"}
    with pytest.raises(ValueError):
        bottomup.supply_ceiling(1.0, 1.0, 1.0, pue=0.9)


def test_usd_per_h100e_by_hand() -> None:
    # a 40,000 USD chip with 2.5x an H100's FP8 rate (5,000 vs 2,000 TFLOPS): 40,000 x 2,000 / 5,000 = 16,000 per H100e
    assert bottomup.usd_per_h100e(40_000.0, 5_000.0, 2_000.0) == 16_000.0
    # its share of a rack at 1.5x the chip price: 60,000 x 2,000 / 5,000 = 24,000 per H100e
    assert bottomup.usd_per_h100e(60_000.0, 5_000.0, 2_000.0) == 24_000.0
    assert bottomup.usd_per_h100e(30_000.0, 2_000.0, 2_000.0) == 30_000.0  # the H100 itself
    with pytest.raises(ValueError):
        bottomup.usd_per_h100e(1.0, 0.0, 2_000.0)


def test_compute_share_by_hand() -> None:
    assert bottomup.compute_share(40.0, 50.0) == 0.8  # 40 of 50 USD bn is compute, 10 networking
    assert bottomup.compute_share(None, 50.0) == 1.0  # no split known: all of it (an upper bound)
    with pytest.raises(ValueError):
        bottomup.compute_share(60.0, 50.0)  # a part larger than the whole


def test_units_bought_by_hand() -> None:
    # added = revenue x share / price: 100 USD bn x 0.9 / 20,000 USD = 4.5 M
    assert bottomup.units_bought(100.0, 0.9, 20_000.0) == pytest.approx(4.5)
    assert bottomup.units_bought(100.0, 0.9, 30_000.0) == pytest.approx(3.0)  # 1.5x the price: two thirds the units
    with pytest.raises(ValueError):
        bottomup.units_bought(100.0, 1.2, 20_000.0)
