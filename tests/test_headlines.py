"""Like-for-like front-page figures, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from aicompute import headlines
from aicompute.paths import default_as_of


def test_serving_cost_bridge_by_hand() -> None:
    # floor 0.08, implied 2.66: gap 33.25x; utilisation 50%->25% (x2), renting (x2.5), a 3x bigger model (x3)
    b = headlines.serving_cost_bridge(0.08, 2.66, {"utilisation": 2.0, "renting": 2.5, "model size": 3.0})
    assert (b["low"], b["high"]) == (0.08, 2.66)
    assert b["gap"] == pytest.approx(33.25)
    assert list(b["steps"]["cost"]) == pytest.approx([0.16, 0.40, 1.20])
    assert b["explained"] == pytest.approx(15.0)
    assert b["unexplained"] == pytest.approx(2.66 / 1.20)  # 2.2167: what the named factors leave
    assert headlines.serving_cost_bridge(1.0, 2.0, {})["unexplained"] == 2.0
    with pytest.raises(ValueError, match="factor 'x'"):
        headlines.serving_cost_bridge(1.0, 2.0, {"x": -1})
    with pytest.raises(ValueError):
        headlines.serving_cost_bridge(0.0, 2.0, {})


def test_renter_cost_applies_each_systems_own_markup() -> None:
    # toy systems: a 0.10 x 1.0 = 0.10, b 0.20 x 2.0 = 0.40, c 0.05 x 3.0 = 0.15, f 0.08 x 2.5 = 0.20;
    # d has no rent and e no owner's cost, so neither counts
    owner = {"a": 0.10, "b": 0.20, "c": 0.05, "d": 0.30, "f": 0.08}
    markup = {"a": 1.0, "b": 2.0, "c": 3.0, "e": 9.0, "f": 2.5}
    r = headlines.renter_cost(owner, markup)
    assert list(r["per_system"].index) == ["a", "c", "f", "b"]  # cheapest first
    assert list(r["per_system"]) == pytest.approx([0.10, 0.15, 0.20, 0.40])
    assert r["central"] == pytest.approx(0.175)  # median of four: (0.15 + 0.20) / 2
    assert (r["low"], r["high"]) == pytest.approx((0.10, 0.40))
    assert r["owned"] == pytest.approx(0.09)  # the same four owned: median of 0.05, 0.08, 0.10, 0.20
    # not the cheapest system marked up by the median markup (0.05 x 2.25 = 0.1125), nor any system at another's rent
    assert r["central"] != pytest.approx(0.05 * 2.25)
    # the bridge from the floor (c, 0.05) through these systems owned (x 1.8) and rented (x 0.175 / 0.09) to a
    # ceiling of 2.8 leaves 2.8 / 0.175 = 16x unexplained
    b = headlines.serving_cost_bridge(0.05, 2.8, {"systems": r["owned"] / 0.05, "renting": r["central"] / r["owned"]})
    assert list(b["steps"]["cost"]) == pytest.approx([0.09, 0.175])
    assert b["unexplained"] == pytest.approx(16.0)
    with pytest.raises(ValueError, match="no system"):
        headlines.renter_cost({"a": 1.0}, {"b": 2.0})
    with pytest.raises(ValueError, match="markup"):
        headlines.renter_cost({"a": 1.0}, {"a": 0.0})
    with pytest.raises(ValueError, match="owner's cost"):
        headlines.renter_cost({"a": float("nan")}, {"a": 1.0})


def test_revenue_to_rent_on_openais_own_contracts() -> None:
    rents = pd.DataFrame({
        "id": ["aws", "oracle", "coreweave", "iren", "nebius"], "provider": ["AWS", "Oracle", "CoreWeave", "IREN", "Nebius"],
        "usd_bn": [100.0, 300.0, 22.4, 9.7, 12.0], "usd_bn_high": [None, None, None, None, 15.0],
        "gw": [2.0, 4.5, None, 0.2, 0.5], "gw_kind": ["unspecified", "unspecified", None, "critical IT", "facility"],
        "term_years": [8, 5, 5, 5, 4], "start_year": [2027, 2027, 2025, 2026, 2026],
        "commitment_id": ["aws_2026_02", "oracle_2025_07", "coreweave_2025", None, "nebius_x"], "source_id": list("abcde")})
    out = headlines.revenue_to_rent_on_contracts(10.5, rents, pue=1.25).set_index("id")
    # only OpenAI's contracts with a GW and term, largest first
    assert list(out.index) == ["oracle", "aws", "nebius"]
    # an unspecified GW read both ways: Oracle as stated 300 / 4.5 / 5 = 13.333, as IT 300 / (4.5 x 1.25) / 5 = 10.667
    assert out.loc["oracle", ["rent_per_gw_year", "rent_low", "rent_high"]].tolist() == pytest.approx([13.3333, 10.6667, 13.3333], rel=1e-4)
    # AWS 100 / 2 / 8 = 6.25 as stated, 100 / 2.5 / 8 = 5.0 as IT: ratios 10.5 / 6.25 = 1.68 and 10.5 / 5 = 2.1
    assert out.loc["aws", ["ratio", "ratio_low", "ratio_high"]].tolist() == pytest.approx([1.68, 1.68, 2.1])
    # a facility GW has one reading; its value's high end raises the rent: 12 / 0.5 / 4 = 6, 15 / 0.5 / 4 = 7.5
    assert out.loc["nebius", ["rent_low", "rent_per_gw_year", "rent_high"]].tolist() == pytest.approx([6.0, 6.0, 7.5])
    assert out.loc["nebius", "ratio_low"] == pytest.approx(1.4)
    r = headlines.revenue_to_rent(out)
    # all the contracts together: yearly rents 60 + 12.5 + 3 = 75.5 over 4.5 + 2 + 0.5 = 7 GW = 10.786 a GW-year;
    # 10.5 / 10.786 = 0.9735. Its range: every contract at its dearest reading (Nebius's high value: 15 / 4 = 3.75 a
    # year over the same 0.5 GW) -> 76.25 / 7 = 10.893, 0.9639; at its cheapest (Oracle and AWS read as IT: 5.625 and
    # 2.5 GW) -> 75.5 / 8.625 = 8.754, 1.1995. Single contracts: lowest 0.7875 (Oracle as stated), highest 2.1 (AWS as IT)
    assert (r["central"], r["low"], r["high"], r["n"]) == pytest.approx((0.97351, 0.96393, 1.19950, 3), rel=1e-4)
    assert (r["contract_low"], r["contract_high"]) == pytest.approx((0.7875, 2.1))
    # two contracts weigh by their gigawatts, not as a plain mean ((0.7875 + 1.68) / 2 = 1.234): 72.5 / 6.5 = 11.154,
    # 10.5 / 11.154 = 0.9414, nearer Oracle's 4.5 GW than AWS's 2
    assert headlines.revenue_to_rent(out.loc[["oracle", "aws"]])["central"] == pytest.approx(0.94138, rel=1e-4)
    with pytest.raises(ValueError):
        headlines.revenue_to_rent_on_contracts(0, rents, pue=1.25)
    with pytest.raises(ValueError, match="no contract"):
        headlines.revenue_to_rent(out.iloc[0:0])


def test_capex_to_cash_flow_trailing_and_on_guidance() -> None:
    # 444 of capex on 600 of cash flow = 74%; 2026 guidance 710 over the same 600 = 118.3%
    r = headlines.capex_to_cash_flow(444, 600, 710)
    assert r["trailing"] == pytest.approx(74.0)
    assert r["guidance"] == pytest.approx(118.333, rel=1e-4)
    assert headlines.capex_to_cash_flow(1, 2)["guidance"] is None
    with pytest.raises(ValueError):
        headlines.capex_to_cash_flow(1, 0)


def test_watch_items_read_the_latest_reading_in_the_evidence() -> None:
    """Each watch item (chapter 05's watch list, the front page's 'What to watch') sets its threshold against the
    latest reading of its series in the evidence: for monthly and quarterly series the watch list's pick is the
    series' latest period and vintage (annual forecasts deliberately read the as-of year, tested in
    test_scenarios_update)."""
    from aicompute import data
    from aicompute.scenarios import signposts as sg

    ev = data.evidence(default_as_of())
    obs = ev.table("observations")
    obs = obs[(obs["episode"] == "ai_2026") & (obs["period_type"] != "year")]
    sp = ev.table("signposts")
    watched = sp[sp["model_variable"].fillna("").ne("") & sp["threshold"].notna() & (sp["measure"] == "level")]["id"]
    checked = 0
    for series in watched:
        mine = obs[obs["series"] == series]
        if mine.empty:
            continue
        pick = sg.latest_reading(mine, ev.as_of)
        latest = mine.sort_values(["period", "published", "id"]).iloc[-1]  # latest period, then vintage
        assert pick["id"] == latest["id"], (series, pick["id"], latest["id"])
        checked += 1
    assert checked > 0
