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
