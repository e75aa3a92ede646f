"""Data-centre arithmetic and de-duplicated commitments, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from aicompute import audit, data, infra


def test_accelerators_and_power_are_inverse() -> None:
    # 1 GW / (1.8 kW x PUE 1.2) = 1e6 / 2.16 = 462,963 accelerators
    assert infra.accelerators_for_power(1.0, 1.8, 1.2) == pytest.approx(462_962.96, rel=1e-6)
    # 400,000 GB200 x 1.8 kW x 1.2 = 864,000 kW = 0.864 GW
    assert infra.power_for_accelerators(400_000, 1.8, 1.2) == pytest.approx(0.864)
    assert infra.power_for_accelerators(infra.accelerators_for_power(2.5, 2.0, 1.3), 2.0, 1.3) == pytest.approx(2.5)
    with pytest.raises(ValueError):
        infra.accelerators_for_power(1, 1, pue=0.9)


def test_huang_4_to_5_million_gpus_per_10_gw() -> None:
    # 10 GW / 4.5M GPUs = 2.22 kW of facility power per GPU (the same arithmetic as audit.kw_per_accelerator)
    assert audit.kw_per_accelerator(10, 4.5e6) == pytest.approx(2.2222, rel=1e-4)
    assert infra.accelerators_for_power(10, 2.2222222, 1.0) == pytest.approx(4.5e6, rel=1e-6)


def test_capex_for_power_with_a_range() -> None:
    # 30 GW x $46.7bn/GW (Altman's $1.4T / 30 GW) = $1,401bn
    assert infra.capex_for_power(30, 46.7) == pytest.approx(1401)
    assert infra.capex_for_power(30, (29.0, 55.0)) == pytest.approx((870.0, 1650.0))
    assert infra.capex_range(pd.Series([35, 55, 29, 40])) == (29.0, 37.5, 55.0)


def test_annual_energy_cost() -> None:
    # 1 GW x 8,760 h = 8.76 TWh; at $80/MWh: 8.76e6 MWh x 80 = $700.8M = $0.7008bn
    assert infra.twh_per_year(1.0) == pytest.approx(8.76)
    assert infra.annual_energy_cost(1.0, 80, 1.0) == pytest.approx(0.7008)
    # 26 GW at 70% load and $60/MWh: 26 x 0.7 x 8.76 = 159.43 TWh x 60 = $9.566bn
    assert infra.annual_energy_cost(26, 60, 0.7) == pytest.approx(9.56592)
    with pytest.raises(ValueError):
        infra.annual_energy_cost(1, 80, 1.5)


def test_annual_cost_per_gw_splits_lives() -> None:
    # $40bn/GW, 60% chips over 5 years = 4.8; 40% building over 20 years = 0.8;
    # energy 8.76 TWh x 0.8 x $80 = 0.56064; operations 2% x 40 = 0.8 -> total 6.96064
    c = infra.annual_cost_per_gw(40, 0.6, 5, 20, 80, 0.8, opex_share=0.02)
    assert c["chips"] == pytest.approx(4.8)
    assert c["building"] == pytest.approx(0.8)
    assert c["energy"] == pytest.approx(0.56064)
    assert c["operations"] == pytest.approx(0.8)
    assert c["total"] == pytest.approx(6.96064)
    # at a 50% gross margin the GW must earn 2 x 6.96064 = 13.92 bn a year
    assert infra.revenue_needed_per_gw(c["total"], 0.5) == pytest.approx(13.92128)
    with pytest.raises(ValueError):
        infra.revenue_needed_per_gw(1, 1.0)


def test_years_to_add() -> None:
    # 30 GW at 48.6 GW/yr of all new US capacity = 0.617 years; at 4.4 GW/yr of new gas = 6.8 years
    assert infra.years_to_add(30, 48.6) == pytest.approx(0.61728, rel=1e-4)
    assert infra.years_to_add(30, 4.4) == pytest.approx(6.8182, rel=1e-4)


def _deals() -> pd.DataFrame:
    return pd.DataFrame([
        {"id": "chips", "gw": 10.0, "usd_bn": None, "counted": True, "overlaps_with": None},
        {"id": "cloud", "gw": 4.5, "usd_bn": 300.0, "counted": True, "overlaps_with": None},
        {"id": "site", "gw": 5.5, "usd_bn": None, "counted": False, "overlaps_with": "cloud"},
    ])


def test_dedup_total_excludes_housing_of_counted_deals() -> None:
    # naive sum 10 + 4.5 + 5.5 = 20 GW; the site houses the cloud deal: 14.5 GW counted
    assert _deals()["gw"].sum() == 20
    assert infra.dedup_total(_deals(), "gw") == pytest.approx(14.5)
    assert infra.dedup_total(_deals(), "usd_bn") == pytest.approx(300)


def test_overlap_marked_but_counted_is_an_error() -> None:
    bad = _deals()
    bad.loc[2, "counted"] = True
    with pytest.raises(ValueError, match="count twice"):
        infra.dedup_total(bad, "gw")
    bad = _deals()
    bad.loc[2, "overlaps_with"] = "nope"
    with pytest.raises(ValueError, match="unknown"):
        infra.check_overlaps(bad)


def test_real_commitments_dedup_total() -> None:
    deals = data.load("commitments")
    infra.check_overlaps(deals)
    # counted GW: Nvidia 10 + AMD 6 + Broadcom 10 + Cerebras 0.75 + Oracle 4.5 + Abilene 1.2 + AWS Trainium 2 = 34.45
    assert infra.dedup_total(deals, "gw") == pytest.approx(34.45)
    # naive sum also adds Vera Rubin 5 (a tranche of the Nvidia LOI) and the sites 5.5 + 1.5 = 46.45
    assert deals["gw"].sum() == pytest.approx(46.45)
    # the chip deals alone are the seed's 26 GW: 10 + 6 + 10
    chips_only = deals[(deals["type"] == "chips") & deals["counted"]]["gw"].sum()
    assert chips_only == pytest.approx(26)
    # counted dollars: Oracle 300 + Microsoft 250 + AWS 38 + 100 + CoreWeave 22.4 + Cerebras 10 = 720.4
    assert infra.dedup_total(deals, "usd_bn") == pytest.approx(720.4)
