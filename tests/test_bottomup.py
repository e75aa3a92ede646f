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
