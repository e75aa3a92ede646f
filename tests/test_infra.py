"""Data-centre arithmetic and de-duplicated commitments, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from aicompute import data, infra
from aicompute.figures import infra as fig_infra


def test_accelerators_and_power_are_inverse() -> None:
    # 1 GW / (1.8 kW x PUE 1.2) = 1e6 / 2.16 = 462,963 accelerators
    assert infra.accelerators_for_power(1.0, 1.8, 1.2) == pytest.approx(462_962.96, rel=1e-6)
    with pytest.raises(ValueError):
        infra.accelerators_for_power(1, 1, pue=0.9)
    # back again: 462,963 x 1.8 kW x 1.2 = 1,000,000 kW = 1 GW; 10 M packages x 2 kW x 1.2 = 24 GW
    assert infra.power_for_accelerators(1e6 / 2.16, 1.8, 1.2) == pytest.approx(1.0)
    assert infra.power_for_accelerators(10e6, 2.0, 1.2) == pytest.approx(24.0)
    with pytest.raises(ValueError):
        infra.power_for_accelerators(1, 1, pue=0.9)


def test_huang_4_to_5_million_gpus_per_10_gw() -> None:
    # 10 GW / 4.5M GPUs = 2.22 kW of facility power per GPU
    assert infra.accelerators_for_power(10, 2.2222222, 1.0) == pytest.approx(4.5e6, rel=1e-6)


def test_capex_range() -> None:
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


def test_capital_recovery_factor_by_hand() -> None:
    # 1.1^5 = 1.61051 -> 0.1 x 1.61051 / 0.61051 = 0.263797; 8%: 0.250456; 12%: 0.277410; 10%, 20 y: 0.117460
    assert infra.capital_recovery_factor(0.10, 5) == pytest.approx(0.263797, rel=1e-5)
    assert infra.capital_recovery_factor(0.08, 5) == pytest.approx(0.250456, rel=1e-5)
    assert infra.capital_recovery_factor(0.12, 5) == pytest.approx(0.277410, rel=1e-5)
    assert infra.capital_recovery_factor(0.10, 20) == pytest.approx(0.117460, rel=1e-5)
    assert infra.capital_recovery_factor(0.0, 4) == pytest.approx(0.25)  # no return: straight-line
    assert infra.capital_charge(1000, 5) == pytest.approx(200) and infra.capital_charge(1000, 5, 0.10) == pytest.approx(263.797, rel=1e-5)
    with pytest.raises(ValueError, match="fraction"):
        infra.capital_recovery_factor(10, 5)  # 10 (percent) instead of 0.10
    with pytest.raises(ValueError):
        infra.capital_recovery_factor(0.1, 0)


def test_annual_cost_per_gw_with_the_cost_of_capital() -> None:
    # $40bn/GW at 10%: chips 24 x 0.263797 = 6.33114; building 16 x 0.117460 = 1.87936; energy 0.56064;
    # operations 0.8 -> 9.57114 (against 6.96064 straight-line)
    c = infra.annual_cost_per_gw(40, 0.6, 5, 20, 80, 0.8, opex_share=0.02, wacc=0.10)
    assert c["chips"] == pytest.approx(6.33114, rel=1e-5)
    assert c["building"] == pytest.approx(1.87936, rel=1e-4)
    assert c["total"] == pytest.approx(9.57114, rel=1e-5)
    t = infra.cost_by_life(40, 0.6, [3, 5], [None, 0.10], building_life=20, price_per_mwh=80, utilization=0.8,
                           opex_share=0.02)
    assert len(t) == 4 and t["wacc"].isna().sum() == 2
    assert t.query("chip_life == 5 and wacc == 0.1")["usd_bn"].iloc[0] == pytest.approx(9.57114, rel=1e-5)
    # shorter lives cost more: 3 years straight-line = 24/3 + 0.8 + 0.56064 + 0.8 = 10.16064
    assert t.query("chip_life == 3 and wacc != wacc")["usd_bn"].iloc[0] == pytest.approx(10.16064)


def test_breakeven_rental_price_by_hand() -> None:
    # $30,000 system share, $10,000 facility share, 1 kW, PUE 1.25, $100/MWh, let 80% of the hours, 10%:
    # capital 30,000 x 0.263797 + 10,000 x 0.117460 = 9,088.52; energy 1 x 1.25 x 0.8 x 8,760 / 1,000 x 100
    # = 876.0 -> 9,964.52 a year over 7,008 let hours = $1.42187 per GPU-hour
    kw = dict(building_life=20, price_per_mwh=100, pue=1.25, occupancy=0.8)
    p = infra.breakeven_rental_price(30_000, 10_000, 1.0, life=5, wacc=0.10, **kw)
    assert p == pytest.approx(1.42187, rel=1e-4)
    # straight-line: (6,000 + 500 + 876) / 7,008 = 1.05251
    assert infra.breakeven_rental_price(30_000, 10_000, 1.0, life=5, wacc=None, **kw) == pytest.approx(1.05251, rel=1e-4)
    # the life at which that price just pays back is 5 years; a price below the 15-year floor never does
    assert infra.breakeven_life(1.42187, 30_000, 10_000, 1.0, wacc=0.10, **kw) == pytest.approx(5.0, abs=0.01)
    assert infra.breakeven_life(0.1, 30_000, 10_000, 1.0, wacc=0.10, **kw) is None
    with pytest.raises(ValueError):
        infra.breakeven_rental_price(1, 1, 1, life=5, wacc=0.1, building_life=20, price_per_mwh=1, pue=1.2,
                                     occupancy=0)


def test_rent_per_gw_year_turns_it_load_into_facility_power() -> None:
    rents = pd.DataFrame([
        {"id": "a", "usd_bn": 100.0, "usd_bn_high": None, "gw": 2.0, "gw_kind": "unspecified", "term_years": 8.0},
        {"id": "b", "usd_bn": 9.7, "usd_bn_high": None, "gw": 0.2, "gw_kind": "critical IT", "term_years": 5.0},
        {"id": "c", "usd_bn": 30.0, "usd_bn_high": None, "gw": 1.0, "gw_kind": "unspecified", "term_years": None},
    ])
    r = infra.rent_per_gw_year(rents, pue=1.25).set_index("id")
    # 100 / 2 / 8 = 6.25; 9.7 / (0.2 x 1.25) / 5 = 7.76; no term: left out
    assert r.loc["a", "usd_bn_per_gw_year"] == pytest.approx(6.25)
    # an unspecified GW read as IT load too: 100 / (2 x 1.25) / 8 = 5.0; a critical-IT GW has one reading
    assert r.loc["a", "usd_bn_per_gw_year_low"] == pytest.approx(5.0)
    assert r.loc["b", "usd_bn_per_gw_year_low"] == pytest.approx(7.76)
    assert r.loc["b", "facility_gw"] == pytest.approx(0.25)
    assert r.loc["b", "usd_bn_per_gw_year"] == pytest.approx(7.76)
    assert "c" not in r.index


def test_site_checks_abilene_counts() -> None:
    counts = pd.DataFrame({"who": ["Crusoe", "Oracle"], "role": ["operator", "operator"], "count": [400_000, 480_000]})
    s = infra.site_checks(1.2, counts, gpu_load_mw=900, usd_bn=40).set_index("who")
    # 1.2e6 kW / 400,000 = 3.0 kW; / 480,000 = 2.5; 900 MW: 2.25 and 1.875 kW; $40bn: $100,000 and $83,333
    assert s.loc["Crusoe", "site_kw_per_gpu"] == pytest.approx(3.0)
    assert s.loc["Oracle", "site_kw_per_gpu"] == pytest.approx(2.5)
    assert s.loc["Oracle", "load_kw_per_gpu"] == pytest.approx(1.875)
    assert s.loc["Oracle", "usd_per_gpu"] == pytest.approx(83_333.33, rel=1e-6)


def test_facility_cost_per_kw_from_bernstein() -> None:
    # (5.9 - 3.4) / 5.9 x $35bn per GW = $14.8305bn per GW = $14,830.5 per kW of facility power
    assert infra.facility_usd_per_kw(5.9, 3.4, 35) == pytest.approx(14_830.508, rel=1e-6)
    with pytest.raises(ValueError):
        infra.facility_usd_per_kw(3.0, 3.4, 35)


def test_gpu_count_readings_include_every_derived_count() -> None:
    # Abilene-like: 50k and 60k per building x 8; 400k reported; 1.2 GW / (1.944 kW x 1.2) = 514,403;
    # 900 MW / 1.944 kW = 462,963; 40 USD bn / 47,222 USD (a GB200's share of a 3.4M rack) = 847,059
    r = infra.gpu_count_readings(per_building={"Crusoe": 50_000, "Oracle": 60_000}, buildings=8, reported_total=400_000,
                                 site_gw=1.2, kw_per_gpu=140 / 72, pue=1.2, gpu_load_mw=900, order_usd_bn=40,
                                 usd_per_gpu=3.4e6 / 72)
    counts = dict(zip(r["reading"], r["count"]))
    assert counts["Crusoe: per building x 8 buildings"] == 400_000 and counts["Oracle: per building x 8 buildings"] == 480_000
    assert counts["site power / (kW per GPU x PUE)"] == pytest.approx(514_285.7, rel=1e-4)
    assert counts["stated GPU load / kW per GPU"] == pytest.approx(462_857.1, rel=1e-4)
    assert counts["order / price per GPU"] == pytest.approx(847_058.8, rel=1e-4)
    assert r["count"].min() == 400_000 and r["count"].max() == pytest.approx(847_058.8, rel=1e-4)
    # the site power each count leaves: 1.2 GW / 400,000 = 3.0 kW; / 847,059 = 1.42 kW (below a 2-4 kW band)
    kw = dict(zip(r["reading"], r["site_kw_per_gpu"]))
    assert kw["reported total"] == pytest.approx(3.0) and kw["order / price per GPU"] == pytest.approx(1.4167, rel=1e-3)
    view = fig_infra.count_readings_view(r, plausible_low=2.0, plausible_high=4.0)
    band = [c for c in view.columns if c.startswith("Within")][0]
    assert dict(zip(view["Count from"], view[band])) == {
        "Crusoe: per building x 8 buildings": "yes", "Oracle: per building x 8 buildings": "yes", "reported total": "yes",
        "site power / (kW per GPU x PUE)": "yes", "stated GPU load / kW per GPU": "yes", "order / price per GPU": "no"}
    assert view["GPUs"].tolist() == [400_000, 480_000, 400_000, 514_000, 463_000, 847_000]  # to the nearest thousand
    with pytest.raises(ValueError):
        infra.gpu_count_readings(per_building={}, buildings=0, reported_total=None, site_gw=1, kw_per_gpu=1, pue=1)
    # the published range: the counts inside the 2-4 kW band (400,000 to 514,286); the order's 847,059 (1.42 kW) is
    # reported and rejected, not a range end
    lo, hi, rejected = infra.plausible_count_range(r, 2.0, 4.0)
    assert lo == 400_000 and hi == pytest.approx(514_285.7, rel=1e-4)
    assert rejected["reading"].tolist() == ["order / price per GPU"]
    # a band wide enough for 1.42 kW keeps every count; an empty band is an error, as is low > high
    assert infra.plausible_count_range(r, 1.0, 4.0)[1] == pytest.approx(847_058.8, rel=1e-4)
    with pytest.raises(ValueError, match="no count"):
        infra.plausible_count_range(r, 5.0, 6.0)
    with pytest.raises(ValueError, match="kw_low"):
        infra.plausible_count_range(r, 4.0, 2.0)


def test_chapter_helpers_lives_grid_and_rents() -> None:
    assert infra.chip_lives(3, 5, step=0.5) == [3.0, 3.5, 4.0, 4.5, 5.0]
    kw = dict(building_life=20, wacc=None, price_per_mwh=0.0, pue=1.0)
    # 43,800 USD straight-line over 5 years = 8,760 USD a year = 1 USD per hour (no facility, no power)
    grid = infra.breakeven_grid({"G": (43_800.0, 0.0, 1.0)}, [5.0, 10.0], **kw)
    assert grid.columns.tolist() == ["gpu", "chip_life", "usd_per_hour"]
    assert grid["usd_per_hour"].tolist() == pytest.approx([1.0, 0.5])
    booked = pd.DataFrame({"company": ["a"], "years": [4.0]})
    # capex 40 bn/GW, all chips, straight-line over the booked 4 years = 10 bn; no energy or operations
    out = infra.booked_life_costs(booked, 40.0, chip_share=1.0, chip_life=6.0, building_life=20.0, price_per_mwh=0.0,
                                  utilization=0.5)
    assert out["usd_bn"].tolist() == pytest.approx([10.0])
    rentals = pd.DataFrame({"accelerator_id": ["h", "b", "z"], "usd_per_gpu_hour": [2.0, 4.0, 9.0]})
    assert infra.gpu_rents(rentals, {"H100": "h", "B200": "b"})["gpu"].tolist() == ["H100", "B200"]


def test_kw_per_gpu_range_follows_the_gpu_range_by_hand() -> None:
    # 1.2 GW = 1,200,000 kW: over 847,000 GPUs 1.417 kW each, over 400,000 GPUs 3.0 kW each
    low, high = infra.kw_per_gpu_range(1.2, 400_000, 847_000)
    assert low == pytest.approx(1_200_000 / 847_000) and round(low, 1) == 1.4
    assert high == pytest.approx(3.0)
    with pytest.raises(ValueError):
        infra.kw_per_gpu_range(1.2, 847_000, 400_000)
