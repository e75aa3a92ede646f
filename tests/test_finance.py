"""aicompute.finance: hand-checked and published numbers (Sequoia, HSBC, reference-figures section 2)."""

from __future__ import annotations

import pandas as pd
import pytest

from aicompute import data, finance


def test_cagr() -> None:
    # $2B -> $20B over two years: sqrt(10) - 1 = 216.2% a year
    assert finance.cagr(2, 20, 2) == pytest.approx(10**0.5 - 1)
    assert finance.cagr(100, 100, 5) == 0
    with pytest.raises(ValueError):
        finance.cagr(0, 1, 1)
    with pytest.raises(ValueError):
        finance.cagr(1, 2, 0)


def test_sequoia_2023_and_2024_exactly() -> None:
    # Cahn 2023: $50B x2 x2 = $200B required; $125B hole (so $75B assumed revenue)
    assert finance.required_revenue(50) == 200
    assert finance.revenue_gap(200, 75) == 125
    # Cahn 2024: $150B -> $300B data-centre cost -> $600B; ~$100B of AI revenue -> $500B gap
    row = finance.sequoia_case("2024", 150, 100)
    assert (row["datacenter_cost"], row["required_revenue"], row["gap"]) == (300, 600, 500)


def test_sequoia_published_figures_match_the_ledger() -> None:
    c = {k: data.claim(k).value for k in ("sequoia_2023_nvidia_runrate", "sequoia_2023_required_revenue",
                                         "sequoia_2023_gap", "sequoia_2024_nvidia_runrate",
                                         "sequoia_2024_required_revenue", "sequoia_2024_assumed_ai_revenue",
                                         "sequoia_2024_gap")}
    assert finance.required_revenue(c["sequoia_2023_nvidia_runrate"]) == c["sequoia_2023_required_revenue"]
    assert finance.required_revenue(c["sequoia_2024_nvidia_runrate"]) == c["sequoia_2024_required_revenue"]
    assert finance.revenue_gap(c["sequoia_2024_required_revenue"], c["sequoia_2024_assumed_ai_revenue"]) == \
        c["sequoia_2024_gap"]


def test_sequoia_reruns_on_later_nvidia_data() -> None:
    # reference-figures 2.1: Q4 FY25 35.6 x4 = 142.4 -> 569.6; Q2 FY26 41.1 x4 -> 657.6;
    # FY26 193.7 -> 774.8; Q4 FY26 62.3 x4 = 249.2 -> 996.8 (the "$1T question")
    t = finance.sequoia_table([("q4fy25", 35.6 * 4, None), ("q2fy26", 41.1 * 4, None), ("fy26", 193.7, None),
                               ("q4fy26", 62.3 * 4, 39.0)])
    assert t["datacenter_cost"].tolist() == pytest.approx([284.8, 328.8, 387.4, 498.4])
    assert t["required_revenue"].tolist() == pytest.approx([569.6, 657.6, 774.8, 996.8])
    assert t["gap"].iloc[-1] == pytest.approx(957.8)
    assert t["coverage"].iloc[-1] == pytest.approx(39 / 996.8)


def test_required_revenue_other_assumptions() -> None:
    # GPUs 39% of capex (Bernstein) -> multiplier 1/0.39; 60% margin -> /0.4
    assert finance.required_revenue(100, 1 / 0.39, 0.6) == pytest.approx(100 / 0.39 / 0.4)
    assert finance.required_revenue(100, 1.0, 0.0) == 100
    with pytest.raises(ValueError):
        finance.required_revenue(100, 2, 1.0)
    with pytest.raises(ValueError):
        finance.required_revenue(100, 0.5)


def test_revenue_per_gw_and_ad_arpu_and_coverage() -> None:
    # $20B of run-rate on 1.9 GW = 10.5 USD bn per GW
    assert finance.revenue_per_gw(20, 1.9) == pytest.approx(10.526, abs=1e-3)
    # a $30B hole over 1,000M users needs $30 per user per year
    assert finance.breakeven_ad_arpu(50, 20, 1000) == pytest.approx(30)
    assert finance.breakeven_ad_arpu(10, 20, 1000) == 0
    cov = finance.coverage(1400, 20)
    assert cov["years_of_revenue"] == 70 and cov["revenue_share"] == pytest.approx(20 / 1400)
    with pytest.raises(ValueError):
        finance.revenue_per_gw(1, 0)


def test_hsbc_reproduction_gap_is_shown() -> None:
    r = finance.hsbc_reproduction()
    # 792 - (282 + 26 + 24 + 17.5) = 442.5, not the reported 207
    assert r["other_sources"] == pytest.approx(67.5)
    assert r["naive_gap"] == pytest.approx(442.5)
    assert r["reported_gap"] == 207
    assert r["unexplained"] == pytest.approx(235.5)
    # the reported gap holds only if cumulative cash were 792 - 207 - 67.5 = 517.5
    assert r["implied_cash_for_reported_gap"] == pytest.approx(517.5)
    assert r["reported_gap_with_buffer"] == 217
    assert finance.funding_gap(10, 4, {"a": 1, "b": 2}) == 3


def test_hsbc_inputs_match_the_ledger() -> None:
    assert finance.HSBC_INPUTS["cum_compute_2030"] == data.claim("hsbc_openai_cum_compute_2030").value
    assert finance.HSBC_INPUTS["reported_gap"] == data.claim("hsbc_openai_funding_gap").value


def test_pnl_path_hand_checked() -> None:
    a = finance.PnLAssumptions(base_year=2025, end_year=2027, revenue={"subscriptions": 10.0}, growth={"subscriptions": 1.0},
                               users_m=1000, users_growth=0.0, ad_arpu_end=20.0, ads_start=2026,
                               inference_ratio_start=1.0, inference_ratio_end=0.25, training_start=5.0,
                               training_growth=0.0, other_ratio=0.5)
    d = finance.pnl_path(a).set_index("year")
    # subscriptions 10, 20, 40; ads ramp 0, 1/2, 1 of 1000M x $20 = 0, 10, 20
    assert d["subscriptions"].tolist() == [10, 20, 40]
    assert d["ads"].tolist() == pytest.approx([0, 10, 20])
    # inference ratio 1.0 -> 0.5 -> 0.25 (geometric)
    assert (d["inference"] / d["revenue"]).tolist() == pytest.approx([1.0, 0.5, 0.25])
    # 2025: 10 - (10 + 5 + 5) = -10; 2027: 60 - (15 + 5 + 30) = 10
    assert d.loc[2025, "cash_flow"] == pytest.approx(-10)
    assert d.loc[2027, "cash_flow"] == pytest.approx(10)
    assert d["cumulative_cash_flow"].iloc[-1] == pytest.approx(d["cash_flow"].sum())


def test_default_pnl_calibrated_to_2025() -> None:
    d = finance.pnl_path().set_index("year")
    assert d.loc[2025, "revenue"] == pytest.approx(data.claim("openai_revenue_2025_projection").high)
    burn = data.claim("openai_cash_burn_2025")
    assert burn.low - 1 <= -d.loc[2025, "cash_flow"] <= burn.high + 1
    assert finance.with_overrides(finance.PnLAssumptions(), end_year=2033).end_year == 2033


def test_payment_schedule_and_remainder() -> None:
    c = pd.DataFrame({"id": ["a", "b"], "value": [300.0, 40.0], "start_year": [2027, 2025], "years": [5, 2]})
    s = finance.payment_schedule(c, total=400, remainder_window=(2026, 2028))
    by_year = s.groupby("year")["amount"].sum()
    assert by_year[2025] == 20 and by_year[2027] == 60 + 20
    assert s["amount"].sum() == pytest.approx(400)
    assert s[s["id"] == "unscheduled remainder"]["amount"].tolist() == pytest.approx([20, 20, 20])
    with pytest.raises(ValueError):
        finance.payment_schedule(c, total=100)


def test_resolve_claims_fills_and_checks_units() -> None:
    table = data.load("openai_financials")
    out = finance.resolve_claims(table, data.claims())
    row = out.set_index("id").loc["arr_2025"]
    assert row["value"] == data.claim("openai_arr_2025").value
    assert out["value"].notna().all()
    bad = table.copy()
    bad.loc[bad["id"] == "arr_2025", "unit"] = "GW"
    with pytest.raises(ValueError, match="differs"):
        finance.resolve_claims(bad, data.claims())
    assert finance.series_label("annualized_revenue", "run-rate", "leak") == "annualized revenue (run-rate, leak)"


def test_every_linked_table_resolves() -> None:
    for name in ("openai_financials", "indicators", "analogs", "financing_flows"):
        assert finance.resolve_claims(data.load(name), data.claims())["value"].notna().all(), name


def test_circular_pairs() -> None:
    f = pd.DataFrame({"from_party": ["N", "O", "O", "A", "O"], "to_party": ["O", "N", "N", "O", "M"],
                      "value": [100.0, 200.0, 50.0, 34.0, 250.0]})
    c = finance.circular_pairs(f)
    assert len(c) == 1
    row = c.iloc[0]
    assert (row["party_a"], row["party_b"]) == ("N", "O")
    assert (row["a_to_b"], row["b_to_a"], row["round_trip"]) == (100, 250, 100)
