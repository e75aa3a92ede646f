"""aicompute.finance: hand-checked and published numbers (Sequoia, HSBC, reference-figures section 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicompute import data, finance
from aicompute.formatting import plain, tagged_numbers
from aicompute.narrative import finance as nf
from aicompute.paths import default_as_of


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
    assert finance.required_revenue(50) == 200 and finance.sequoia_case("2023", 50, 75)["gap"] == 125
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
    assert c["sequoia_2024_required_revenue"] - c["sequoia_2024_assumed_ai_revenue"] == c["sequoia_2024_gap"]


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


def test_ad_arpu() -> None:
    # a $30B hole over 1,000M users needs $30 per user per year
    assert finance.breakeven_ad_arpu(50, 20, 1000) == pytest.approx(30)
    assert finance.breakeven_ad_arpu(10, 20, 1000) == 0


def test_hsbc_reproduction_gap_is_shown() -> None:
    r = finance.hsbc_reproduction(792, 282, 26 + 24 + 17.5, 207, buffer=10)
    # 792 - (282 + 26 + 24 + 17.5) = 442.5, not the reported 207
    assert r["other_sources"] == pytest.approx(67.5)
    assert r["naive_gap"] == pytest.approx(442.5)
    assert r["unexplained"] == pytest.approx(235.5)
    # the reported gap holds only if cumulative cash were 792 - 207 - 67.5 = 517.5
    assert r["implied_cash_for_reported_gap"] == pytest.approx(517.5)
    assert r["reported_gap_with_buffer"] == 217


def test_hsbc_inputs_are_in_the_ledger() -> None:
    c = {k: data.claim(k) for k in ("hsbc_openai_cum_compute_2030", "hsbc_openai_cum_fcf_2030",
                                    "hsbc_openai_other_funds", "hsbc_openai_funding_gap")}
    assert (c["hsbc_openai_cum_compute_2030"].value, c["hsbc_openai_cum_fcf_2030"].value) == (792, 282)
    assert c["hsbc_openai_other_funds"].value == pytest.approx(67.5)
    assert c["hsbc_openai_funding_gap"].range == (207, 217)


def test_take_or_pay_schedule_counts_each_contract_once_and_ramps() -> None:
    c = pd.DataFrame({"id": ["a", "b"], "value": [350.0, 40.0], "start_year": [2027, 2025], "years": [4, 2]})
    flat = finance.take_or_pay_schedule(c, ramp_years=1).groupby("year")["amount"].sum()
    # a: 350 / 4 = 87.5 a year 2027-2030; b: 20 in 2025 and 2026
    assert flat.to_dict() == pytest.approx({2025: 20, 2026: 20, 2027: 87.5, 2028: 87.5, 2029: 87.5, 2030: 87.5})
    ramp = finance.take_or_pay_schedule(c, ramp_years=2).set_index(["id", "year"])["amount"]
    # weights 0.5, 1, 1, 1 (sum 3.5): 350 x 0.5 / 3.5 = 50 in the first year, then 100
    assert ramp.loc["a"].tolist() == pytest.approx([50, 100, 100, 100])
    # two years: weights 0.5, 1 -> 40/1.5 x 0.5 = 13.33 then 26.67
    assert ramp.loc["b"].tolist() == pytest.approx([40 / 3, 80 / 3])
    assert ramp.sum() == pytest.approx(390)  # counted once: the total is the contracts' value
    with pytest.raises(ValueError):
        finance.take_or_pay_schedule(c, ramp_years=0.5)


def test_revenue_path_and_geometric_fill() -> None:
    r = finance.revenue_path(10, 1.0, 0.5, [2026, 2027, 2028])
    # 10, x2 = 20, x1.5 = 30
    assert r.tolist() == pytest.approx([10, 20, 30])
    assert finance.revenue_path(5, 0.3, 0.3, [2026]).tolist() == [5]
    f = finance.fill_geometric({2027: 62, 2030: 280, 2026: 30}, range(2025, 2031))
    assert np.isnan(f[2025])
    g = (280 / 62) ** (1 / 3)
    assert f[2028] == pytest.approx(62 * g) and f[2029] == pytest.approx(62 * g**2)
    assert f[[2026, 2027, 2030]].tolist() == [30, 62, 280]


def test_cash_model_hand_checked() -> None:
    rev = pd.Series([10.0, 20.0, 40.0], index=[2026, 2027, 2028])
    top = pd.Series({2026: 15.0, 2027: 20.0})  # nothing contracted for 2028
    m = finance.cash_model(rev, top, uncontracted_per_revenue=0.25, other_ratio=0.5).set_index("year")
    # 2026: compute 15 + 2.5 = 17.5, other 5 -> cash flow 10 - 22.5 = -12.5
    # 2027: 20 + 5 = 25, other 10 -> -15; 2028: 0 + 10, other 20 -> +10
    assert m["compute"].tolist() == pytest.approx([17.5, 25, 10])
    assert m["burn"].tolist() == pytest.approx([12.5, 15, -10])
    assert m["cumulative_burn"].tolist() == pytest.approx([12.5, 27.5, 17.5])
    assert finance.funding_need(m["burn"]) == pytest.approx(27.5)
    assert finance.funding_need([-1, -2]) == 0
    with pytest.raises(ValueError):
        finance.cash_model(pd.Series([1.0, np.nan], index=[1, 2]), top, 0, 0.3)


def test_plan_calibration_reproduces_the_plan_total() -> None:
    # a plan: revenue 30 + 70 = 100, burn 25 + 15 = 40, compute 110 -> other = (100 + 40 - 110) / 100 = 0.3
    o = finance.implied_other_ratio(100, 40, 110)
    assert o == pytest.approx(0.3)
    # contracts cover 90 of the 110: 20 uncontracted per 100 of revenue
    u = finance.uncontracted_share(110, 90, 100)
    assert u == pytest.approx(0.2)
    assert finance.uncontracted_share(80, 90, 100) == 0
    m = finance.cash_model(pd.Series([30.0, 70.0], index=[2026, 2027]), pd.Series({2026: 50.0, 2027: 40.0}), u, o)
    # on the plan's own revenue the model's cumulative burn equals the plan's (yearly split differs)
    assert m["burn"].sum() == pytest.approx(40)
    assert m["compute"].sum() == pytest.approx(110)


def test_runway() -> None:
    burn = pd.Series({2026: 25.0, 2027: 57.0, 2028: 85.0, 2029: 51.0})
    # 104.5 of funds: 25 + 57 = 82 spent by end-2027, 22.5 left of 85 -> 2028 + 22.5/85 = 2028.26
    assert finance.runway(burn, 104.5) == pytest.approx(2028 + 22.5 / 85)
    assert finance.runway(burn, 10) == pytest.approx(2026.4)
    assert finance.runway(burn, 1000) is None
    # a year of positive cash flow adds to the funds: 12 + 5 = 17 > 10, so they last
    assert finance.runway(pd.Series({2026: -5.0, 2027: 10.0}), 12) is None
    assert finance.burn_multiple(25, 30, 13.1) == pytest.approx(25 / 16.9)
    with pytest.raises(ValueError):
        finance.burn_multiple(1, 5, 6)


def test_cash_at_start_hand_checked() -> None:
    ts = pd.Timestamp
    received = [(ts("2025-04-01"), 10.0), (ts("2025-08-01"), 8.3), (ts("2025-12-01"), 22.5), (ts("2026-03-01"), 40.0)]
    h1 = [(ts("2025-01-01"), 6, 2.5)]
    # a June balance of 17.5: + 8.3 + 22.5 received after June and before 2026 (not April's, not March 2026's),
    # - (9 - 2.5) burned in July-December (the year's burn less the first half reported) = 41.8
    c = finance.cash_at_start((ts("2025-06-01"), 17.5), received, {2025: 9.0}, h1, 2026)
    assert c == pytest.approx({"cash": 41.8, "balance": 17.5, "received": 30.8, "burn": 6.5})
    # only Q1 reported: the year's other 8 spread over April-December, June's balance keeps 6 of those 9 months
    q1 = [(ts("2025-01-01"), 3, 1.0)]
    assert finance.cash_at_start((ts("2025-06-01"), 17.5), [], {2025: 9.0}, q1, 2026)["burn"] == pytest.approx(8 * 6 / 9)
    # quarters and the half of the same months are counted once (the half: the longest reading from January)
    quarters = [(ts("2025-01-01"), 3, 1.0), (ts("2025-04-01"), 3, 1.5), (ts("2025-07-01"), 3, 2.0)]
    assert finance.cash_at_start((ts("2025-06-01"), 17.5), [], {2025: 9.0}, quarters + h1, 2026)["burn"] == 6.5
    # a September balance after Q3 is reported: 9 - 2.5 - 2 = 4.5 in October-December
    assert finance.cash_at_start((ts("2025-09-01"), 12.0), [], {2025: 9.0}, quarters + h1, 2026)["burn"] == 4.5
    # a December balance is the opening cash; an older one adds each later year's burn: 20 - (9 - 2.5) - 17
    assert finance.cash_at_start((ts("2025-12-01"), 30.0), received, {}, [], 2026)["cash"] == 30
    assert finance.cash_at_start((ts("2025-06-01"), 20.0), [], {2025: 9.0, 2026: 17.0}, h1, 2027)["cash"] == -3.5
    with pytest.raises(ValueError):
        finance.cash_at_start((ts("2026-03-01"), 30.0), [], {}, [], 2026)


def test_case_summary() -> None:
    top = pd.Series({2026: 20.0, 2027: 20.0})
    models = {"flat": finance.cash_model(pd.Series([10.0, 10.0], index=[2026, 2027]), top, 0.0, 0.5),
              "growth": finance.cash_model(pd.Series([10.0, 60.0], index=[2026, 2027]), top, 0.0, 0.5)}
    s = finance.case_summary(models, funds=20, conditional=10).set_index("case")
    # flat: burn 15 + 15 = 30 -> need 30, gap 10; funds 20 last to 2027 + 5/15; with 30 they last
    assert s.loc["flat", ["burn", "funding_need", "funding_gap"]].tolist() == [30, 30, 10]
    assert s.loc["flat", "runway"] == pytest.approx(2027 + 5 / 15)
    assert s.loc["flat", "runway_with_conditional"] is None
    # growth: burn 15 then 20 + 30 - 60 = -10 -> need 15, no gap
    assert s.loc["growth", ["funding_need", "funding_gap", "cash_flow_last"]].tolist() == [15, 0, 10]
    assert s.loc["growth", "revenue_to_compute"] == pytest.approx(70 / 40)


def test_sequoia_sensitivity() -> None:
    t = finance.sequoia_sensitivity(300, 120, {"Nvidia 60%": 1 / 0.6, "Sequoia": 2.0, "GPUs 39%": 1 / 0.39})
    # 300 x 1/0.6 x 2 = 1000; 300 x 2 x 2 = 1200; 300 / 0.39 x 2 = 1538.5
    assert t["required_revenue"].tolist() == pytest.approx([1000, 1200, 1538.46], abs=0.01)
    assert t["coverage"].tolist() == pytest.approx([0.12, 0.1, 0.078], abs=1e-3)


def test_share_multiplier_both_ways() -> None:
    # Sequoia: GPUs half the cost -> x2; Bernstein GPUs 39% -> x2.56; Nvidia systems ~60% -> x1.67
    assert finance.share_multiplier(0.5) == 2
    assert finance.share_multiplier(0.39) == pytest.approx(2.564, abs=1e-3)
    assert finance.share_multiplier(0.6) == pytest.approx(1.667, abs=1e-3)
    # the $600B question at x1.67 instead of x2: 150 x 1.667 x 2 = 500
    assert finance.required_revenue(150, finance.share_multiplier(0.6)) == pytest.approx(500)
    with pytest.raises(ValueError):
        finance.share_multiplier(0)


def test_bain_rebuild() -> None:
    # Bain 2025: $500B a year of capex at a 25% capex-to-revenue ratio -> $2T; $800B short -> $1.2T identified
    b = finance.bain_rebuild(500, 0.25, shortfall=800)
    assert (b["revenue_needed"], b["identified"]) == (2000, 1200)
    assert finance.bain_rebuild(725, 0.25)["revenue_needed"] == 2900
    with pytest.raises(ValueError):
        finance.bain_rebuild(500, 25)


def test_bain_inputs_match_the_ledger() -> None:
    c = {k: data.claim(k).value for k in ("bain_capex_per_year_2030", "bain_capex_to_revenue",
                                         "bain_revenue_needed_2030", "bain_revenue_shortfall_2030")}
    b = finance.bain_rebuild(c["bain_capex_per_year_2030"], c["bain_capex_to_revenue"] / 100,
                             c["bain_revenue_shortfall_2030"])
    assert b["revenue_needed"] == c["bain_revenue_needed_2030"]


def test_capital_structure_hand_checked() -> None:
    cf = pd.DataFrame({
        "company": ["A", "A", "B", "C"], "fiscal_period": ["FY", "Q1", "Q4", "Q4"],
        "period_end": pd.to_datetime(["2025-12-31", "2026-03-31", "2025-12-31", "2025-12-31"]),
        "months": [12, 3, 3, 3], "operating_cash_flow": [100.0, np.nan, 30.0, 10.0],
        "capex_cash": [60.0, 20.0, 24.0, np.nan], "capex_incl_leases": [np.nan, np.nan, 27.0, 9.0]})
    s = finance.capital_structure(cf).set_index("company")
    # A: the Q1 row has no OCF, so FY: 100 / 60; B: quarter x4 = 120 / 96 (cash capex preferred); C: 40 / 36 incl. leases
    assert s.loc["A", ["operating_cash_flow", "capex", "free_cash_flow"]].tolist() == [100, 60, 40]
    assert s.loc["B", ["operating_cash_flow", "capex", "capex_to_ocf"]].tolist() == pytest.approx([120, 96, 80])
    assert s.loc["C", "capex_basis"] == "leases" and s.loc["C", "capex"] == 36
    assert "Total" not in s.index  # the model returns the companies; the total is its own function
    total = finance.capital_structure_total(s)
    # 100 + 120 + 40 = 260 of cash flow, 60 + 96 + 36 = 192 of capex: 68 free, 192 / 260 = 73.85%
    assert [total[k] for k in ("operating_cash_flow", "capex", "free_cash_flow")] == pytest.approx([260, 192, 68])
    assert total["capex_to_ocf"] == pytest.approx(73.846, rel=1e-4) and total["capex_basis"] == "mixed"
    assert finance.capital_structure_total(s.loc[["A", "B"]])["capex_basis"] == "cash"


def test_series_label() -> None:
    assert nf.series_label("annualized_revenue", "run-rate", "leak") == "annualized revenue (run-rate, leak)"


def test_every_linked_table_resolves() -> None:
    ev = data.evidence(default_as_of())
    assert ev.table("openai_financials").set_index("id").loc["arr_2025", "value"] == data.claim("openai_arr_2025").value
    for name in ("openai_financials", "indicators", "analogs", "financing_flows"):
        assert ev.table(name)["value"].notna().all(), name


def test_circular_pairs() -> None:
    f = pd.DataFrame({"from_party": ["N", "O", "O", "A", "O"], "to_party": ["O", "N", "N", "O", "M"],
                      "value": [100.0, 200.0, 50.0, 34.0, 250.0]})
    c = finance.circular_pairs(f)
    assert len(c) == 1
    row = c.iloc[0]
    assert (row["party_a"], row["party_b"]) == ("N", "O")
    assert (row["a_to_b"], row["b_to_a"], row["round_trip"]) == (100, 250, 100)


def test_big4_capex_2026_reads_the_company_guidance_sum() -> None:
    # after Q1 2026: Alphabet 185 + Amazon 200 + Meta 135 + Microsoft 190 = 710; a compilation says 725
    late = finance.big4_capex_2026(data.evidence())
    assert late["claim"].value == 710 and late["claim"].range == (685, 725)
    assert late["compilation"].value == 725 and late["basis"] == (1, 2026)  # given with the Q1 2026 results
    # February: the sum after Q4 2025 (645), the April figures not yet public
    feb = finance.big4_capex_2026(data.evidence("2026-02-10"))
    assert feb["claim"].value == 645 and feb["compilation"] is None and feb["basis"] == (4, 2025)
    assert finance.big4_capex_2026(data.evidence("2026-02-01")) is None


def test_guidance_wording() -> None:
    note = nf.guidance_note((1, 2026), 710, 725)
    assert note.startswith("company guidance after Q1 2026; compilations give up to ") and tagged_numbers(note) == ["725"]
    assert nf.guidance_note((4, 2025), 645) == "company guidance after Q4 2025"
    assert nf.guidance_note("b", 710, 710.4) == "b"  # the same figure once rounded: no second figure
    assert "as little as" in nf.guidance_note("b", 710, 700)


def test_burn_profile_says_when_cash_flow_turns() -> None:
    rev = pd.Series([10.0, 20.0, 40.0], index=[2026, 2027, 2028])
    never = finance.cash_model(rev, pd.Series({2026: 30.0, 2027: 40.0, 2028: 50.0}), 0.0, 0.0)  # flows -20, -20, -10
    p = finance.burn_profile(never)
    assert (p["shape"], p["last_year"], p["last_cash_flow"], p["turn_year"], p["peak"]) == ("still negative", 2028, -10, None, 50)
    turns = finance.cash_model(rev, pd.Series({2026: 30.0, 2027: 25.0, 2028: 10.0}), 0.0, 0.0)  # flows -20, -5, +30
    p = finance.burn_profile(turns)  # the most needed: 20 + 5 = 25, before 2028 turns positive
    assert (p["shape"], p["turn_year"], p["peak"]) == ("turns positive", 2028, 25)
    always = finance.cash_model(rev, pd.Series(dtype=float), 0.0, 0.0)  # flows +10, +20, +40
    assert finance.burn_profile(always)["shape"] == "always positive" and finance.burn_profile(always)["peak"] == 0
    assert set(finance.BURN_SHAPES) == {"still negative", "turns positive", "always positive"}


def test_burn_wording() -> None:
    rev = pd.Series([10.0, 20.0, 40.0], index=[2026, 2027, 2028])
    never = finance.cash_model(rev, pd.Series({2026: 30.0, 2027: 40.0, 2028: 50.0}), 0.0, 0.0)
    said = nf.burn_phrase(never, "50 USD bn")
    assert said.startswith("it burns 50 USD bn in total, and cash flow is still negative in 2028 (")
    assert tagged_numbers(said) == ["\u221210 USD bn"]
    turns = finance.cash_model(rev, pd.Series({2026: 30.0, 2027: 25.0, 2028: 10.0}), 0.0, 0.0)
    said = nf.burn_phrase(turns, "-5 USD bn")
    assert said.endswith("before cash flow turns positive in 2028") and tagged_numbers(said) == ["25 USD bn"]
    always = finance.cash_model(rev, pd.Series(dtype=float), 0.0, 0.0)
    assert nf.burn_phrase(always, "-70 USD bn") == "cash flow is positive in every year (-70 USD bn of burn in total)"
    # by hand: 0.29 of 2028 x 12 = 3.48 months gone, so April; 0.5 x 12 = 6 -> July; 0.99 x 12 = 11.88 -> December
    assert nf.year_label(2028.29) == "April 2028" and nf.year_label(2027.5) == "July 2027"
    assert nf.year_label(2029.99) == "December 2029" and nf.year_label(2028.0) == "January 2028"
    assert nf.year_label(2028.2499) == "April 2028"  # read at the published precision: 2028.25, a quarter gone
    assert nf.year_label(None, 2030) == "beyond 2030" and nf.year_label(float("inf"), 2030) == "beyond 2030"
    assert nf.year_label(2028.29) == plain(2028.29, spec="month")  # the front page's formatter, the same words


def test_cover_rules_by_hand() -> None:
    # revenue per GW over rent per GW-year: 0.79 does not pay the rent, exactly 1 does
    assert finance.rent_cover(0.79) == "short" and finance.rent_cover(1.0) == "covers" and finance.rent_cover(1.68) == "covers"
    # capex over operating cash flow (%): 118 is beyond it, exactly 100 is within
    assert finance.capex_cover(118) == "beyond cash" and finance.capex_cover(100) == "within cash"
    assert set(nf.RENT_COVER_WORDS) == set(finance.RENT_COVER) and set(nf.CAPEX_COVER_WORDS) == set(finance.CAPEX_COVER)


def test_cover_phrases_follow_the_ratio() -> None:
    assert nf.rent_cover_phrase(0.79).startswith("short of the rent")
    assert nf.rent_cover_phrase(1.68).startswith("enough for the rent")
    assert nf.capex_cover_phrase(118).startswith("more than the cash")
    assert nf.capex_cover_phrase(74) == "within the cash the businesses generate"


def test_sequoia_base_counts_each_line_once_by_hand() -> None:
    lines = pd.DataFrame({"line": ["lab", "cloud", "hidden"], "value": [20.0, 37.0, float("nan")],
                          "overlap": [0.0, 11.5, 0.0], "source_id": ["a", "b", "c"]})
    out = finance.sequoia_base(lines).set_index("line")
    assert out.loc["cloud", "net"] == pytest.approx(25.5)  # 37 - 11.5 (the lab's spend inside the cloud line)
    assert out["net"].sum() == pytest.approx(45.5)
    assert not out.loc["hidden", "counted"] and out.loc["hidden", "net"] == 0
    with pytest.raises(ValueError, match="twice"):
        finance.sequoia_base(pd.concat([lines, lines.iloc[:1]]))
    with pytest.raises(ValueError, match="overlap above"):
        finance.sequoia_base(lines.assign(overlap=[30.0, 0.0, 0.0]))


def test_sequoia_lines_name_each_line_and_its_source() -> None:
    ev = data.evidence()  # the report's as-of date
    base = finance.sequoia_lines(ev).set_index("line")
    assert list(base.index) == ["openai", "anthropic", "anthropic_cloud_share", "microsoft_ai", "aws_ai", "google_cloud_ai",
                                "meta_ai", "xai"]
    assert base.index[base["lab"]].tolist() == ["openai", "anthropic", "anthropic_cloud_share"]
    # Each line cites the source of the claim the rule reads (the series' latest reading; the overlap's own claim),
    # and an undisclosed line the source that shows it undisclosed. Checked by hand against data/claims.csv:
    # line: (claim read, its source, overlap claim, its source)
    cites = {
        "openai": ("openai_arr_2026_05", "openai_ipo_filing_2026_06_09", None, None),
        "anthropic": ("anthropic_arr_2026_05", "anthropic_series_h_2026_05_28",
                      "anthropic_gross_net_gap", "the_information_openai_cro_memo_2026_04_13"),
        # the clouds' share taken out of Anthropic's line, counted once on its own (the gap's source)
        "anthropic_cloud_share": ("anthropic_gross_net_gap", "the_information_openai_cro_memo_2026_04_13", None, None),
        "microsoft_ai": ("microsoft_ai_runrate_2026_03", "microsoft_fy26q3_2026_04_29",
                         "openai_9m_2025_inference_cost", "zitron_openai_leak_2025_11_14"),
        "aws_ai": ("aws_ai_runrate_2026_03", "amazon_q1_2026_2026_04_29", None, None),  # the whole line is the overlap
        "google_cloud_ai": (None, "alphabet_q1_2026_2026_04_29", None, None),
        "meta_ai": (None, "meta_q1_2026_2026_04_29", None, None),
        "xai": (None, "xai_series_e_2026_01_06", None, None),
    }
    assert base["source_id"].to_dict() == {line: src for line, (_, src, _, _) in cites.items()}
    assert base["overlap_source_id"].dropna().to_dict() == {
        line: osrc for line, (_, _, _, osrc) in cites.items() if osrc is not None}
    claims = ev.claims().set_index("id")["source_id"]
    for line, (claim, src, oclaim, osrc) in cites.items():
        assert claim is None or claims[claim] == src, line  # the rule: the line's source is its claim's source
        assert oclaim is None or claims[oclaim] == osrc, line
    assert dict(finance.SEQUOIA_LINES_NOT_DISCLOSED) == {line: src for line, (c, src, _, _) in cites.items() if c is None}
    assert set(base["source_id"]) | set(base["overlap_source_id"].dropna()) <= set(ev.sources()["id"])
    # overlaps are taken out where they are known, and the gross sum is never below the counted base
    assert base.loc["microsoft_ai", "overlap"] > 0 and base.loc["aws_ai", "net"] == 0
    assert base.loc["anthropic", "overlap"] == pytest.approx(base.loc["anthropic", "value"] * base.loc["anthropic", "overlap_share"])
    assert base["net"].sum() < base["value"].sum()
    assert not base.loc[["google_cloud_ai", "meta_ai", "xai"], "counted"].any()
    # what Anthropic's line takes out is counted once, on its own line; the Azure bill is of an earlier period
    assert base.loc["anthropic_cloud_share", "net"] == pytest.approx(base.loc["anthropic", "overlap"])
    assert base.loc["microsoft_ai", "overlap_as_of"] < base.loc["microsoft_ai", "as_of"]


def test_sequoia_coverage_counts_each_dollar_at_most_once_by_hand() -> None:
    # Each line by hand (USD bn a year): OpenAI 24; Anthropic 47 gross, of which 12.5 is the clouds' share (restated
    # 34.5) and that share counted once on its own line; Microsoft 37 less OpenAI's Azure bill 11.5 = 25.5; AWS 15, all
    # of it overlap (0); Google Cloud undisclosed (0). Base 24 + 34.5 + 12.5 + 25.5 + 0 = 96.5; labs 24 + 34.5 + 12.5 = 71.
    lines = pd.DataFrame({"line": ["openai", "anthropic", "anthropic_cloud_share", "microsoft_ai", "aws_ai", "google_cloud_ai"],
                          "value": [24.0, 47.0, 12.5, 37.0, 15.0, float("nan")],
                          "overlap": [0.0, 12.5, 0.0, 11.5, 15.0, 0.0], "source_id": list("abcdef")})
    base = finance.sequoia_base(lines).assign(lab=lambda d: d["line"].isin(finance.SEQUOIA_LABS))
    out = finance.sequoia_coverage(base, required=1200, required_low=965, required_high=1420)
    assert out["base"] == pytest.approx(96.5) and out["labs"] == pytest.approx(71)
    assert out["value"] == pytest.approx(100 * 96.5 / 1200)  # 8.04%
    assert out["high"] == pytest.approx(100 * 96.5 / 965)  # 10%: the same base, lowest requirement; never the gross 136
    assert out["low"] == pytest.approx(100 * 71 / 1420)  # 5%: the labs alone, highest requirement
    assert out["low"] < out["value"] < out["high"]
    with pytest.raises(ValueError, match="required_low"):
        finance.sequoia_coverage(base, required=900, required_low=965, required_high=1420)


def test_sequoia_line_wording() -> None:
    base = pd.DataFrame({"line": ["anthropic", "xai"], "as_of": [pd.Timestamp("2026-05-28").date(), None],
                         "overlap_share": [0.2667, 0.0]})
    shown = nf.sequoia_lines(base)
    assert shown["line"].tolist() == ["Anthropic (restated net of cloud partners' share)", "xAI"]
    assert shown["note"].tolist() == ["gross run-rate, May 2026; less 27% that is the clouds' revenue", "xAI discloses no revenue"]
    assert set(nf.SEQUOIA_LINE_WORDS) >= set(finance.SEQUOIA_LABS) | {k for k, _ in finance.SEQUOIA_LINES_NOT_DISCLOSED}


def test_money_series_colours_keep_the_run_rate() -> None:
    from aicompute.figures import finance as ff

    money = pd.DataFrame({"series": ["arr", "many", "many", "many", "big", "mid", "small"],
                          "metric": ["annualized_revenue", "cash_burn", "cash_burn", "cash_burn", "compute", "x", "y"],
                          "kind": ["run-rate", "projection", "projection", "projection", "projection", "p", "p"],
                          "value": [2.0, 1.0, 1.0, 1.0, 600.0, 50.0, 1.0]})
    # keep 3: the run-rate first (the smallest values, but what the text reads), then most readings, then largest
    assert ff.colour_series(money, keep=3).tolist() == ["arr", "many", "many", "many", "big", "Other", "Other"]
    assert ff.colour_series(money, keep=4).tolist() == money["series"].tolist()  # 5 series fit 4 + Other: none folded
    spec = ff.money_series(money.assign(period_end=pd.Timestamp("2026-01-01"), period="2026", source_id="s")).to_dict()
    assert spec["encoding"]["detail"]["field"] == "line"  # a folded series keeps its own line


def test_plateau_finds_the_flat_end_of_a_run_rate_by_hand() -> None:
    d = pd.to_datetime(["2025-12-31", "2026-02-28", "2026-03-31", "2026-05-31"])
    out = finance.plateau(pd.Series([20.0, 25.0, 24.0, 24.0], index=d))
    # 24 (May), 24 (Mar) and 25 (Feb: 25 / 24 - 1 = 4.2%, within 5%) are flat; 20 / 24 - 1 = -17% is not
    assert (out["start"], out["end"], out["low"], out["high"], out["readings"]) == (d[1], d[3], 24.0, 25.0, 3)
    assert out["before"] == (d[0], 20.0)
    assert finance.plateau(pd.Series([20.0, 25.0, 24.0, 24.0], index=d), rel_tol=0.0)["start"] == d[2]  # exact: Mar-May
    assert finance.plateau(pd.Series([2.0, 6.0, 20.0], index=d[:3])) is None  # still growing
    assert finance.plateau(pd.Series([24.0, 24.0], index=d[:2]))["before"] is None


def test_assumed_terms_move_only_the_assumed_contracts_by_hand() -> None:
    contracts = pd.DataFrame({"id": ["azure", "oracle"], "value": [100.0, 30.0], "start_year": [2026, 2026],
                              "years": [2, 3], "years_basis": ["our assumption", "reported"]})
    assert finance.with_assumed_terms(contracts, None) is contracts
    longer = finance.with_assumed_terms(contracts, 4)
    assert longer["years"].tolist() == [4, 3]  # the sourced term stays
    due = finance.take_or_pay_schedule(longer, ramp_years=1).groupby("year")["amount"].sum()
    # azure 100 over 4 years = 25 a year; oracle 30 over 3 = 10 a year: 2026-2027 due 2 x (25 + 10) = 70
    assert due.loc[2026:2027].sum() == pytest.approx(70)
    base = finance.take_or_pay_schedule(contracts, ramp_years=1).groupby("year")["amount"].sum()
    assert base.loc[2026:2027].sum() == pytest.approx(120)  # 100 + 2 x 10: the shorter term is due sooner
    with pytest.raises(ValueError, match="term"):
        finance.with_assumed_terms(contracts, 0)


def test_deals_table_shows_where_each_term_comes_from() -> None:
    contracts = pd.DataFrame({"to_party": ["Microsoft", "Oracle"], "flow": ["cloud contract"] * 2, "status": ["binding"] * 2,
                              "value": [250.0, 300.0], "start_year": [2026, 2027], "years": [7, 5],
                              "years_basis": ["our assumption", "reported"], "basis": ["company statement", "reported"],
                              "source_id": ["a", "b"]})
    shown = nf.deals_table(contracts, contracts.iloc[:0])
    assert shown[["with", "term from", "value from"]].values.tolist() == [["Microsoft", "our assumption", "company statement"],
                                                                         ["Oracle", "reported", "reported"]]
    assert tagged_numbers(nf.assumed_terms(contracts.iloc[:1])) == ["7 years"]
    assert nf.assumed_terms(contracts).count(" and ") == 1


def test_trailing_twelve_months_is_the_year_plus_this_stretch_less_last_years() -> None:
    ts = pd.Timestamp
    year = pd.Series({"period_end": ts("2025-12-31"), "months": 12, "operating_cash_flow": 100.0, "capex_cash": 60.0})
    q1 = pd.Series({"period_end": ts("2026-03-31"), "months": 3, "operating_cash_flow": 30.0, "capex_cash": 25.0})
    q1_before = pd.Series({"period_end": ts("2025-03-31"), "months": 3, "operating_cash_flow": 20.0, "capex_cash": 10.0})
    ttm = finance.trailing_twelve_months(year, q1, q1_before)
    # by hand: OCF 100 + 30 - 20 = 110; capex 60 + 25 - 10 = 75; revenue absent from the parts: NaN
    assert (ttm["operating_cash_flow"], ttm["capex_cash"]) == (110.0, 75.0) and np.isnan(ttm["revenue"])
    # a June fiscal year: FY to 2025-06-30 + nine months to 2026-03-31 - nine months to 2025-03-31 = 50 + 45 - 35 = 60
    fy = pd.Series({"period_end": ts("2025-06-30"), "months": 12, "operating_cash_flow": 50.0})
    nine = pd.Series({"period_end": ts("2026-03-31"), "months": 9, "operating_cash_flow": 45.0})
    nine_before = pd.Series({"period_end": ts("2025-03-31"), "months": 9, "operating_cash_flow": 35.0})
    assert finance.trailing_twelve_months(fy, nine, nine_before)["operating_cash_flow"] == 60.0
    with pytest.raises(ValueError, match="equal stretches"):  # a quarter against nine months
        finance.trailing_twelve_months(year, q1, nine_before)
    with pytest.raises(ValueError, match="a year apart"):  # the year is not between the two stretches
        finance.trailing_twelve_months(pd.Series({**year, "period_end": ts("2024-12-31")}), q1, q1_before)


def test_trailing_twelve_month_rows_equal_their_parts() -> None:
    """Each trailing-twelve-month row we built in hyperscaler_cashflows equals its fiscal year plus the stretch to
    its end less the same stretch a year before (the rows it names), so the typed figures cannot drift."""
    cf = data.load("hyperscaler_cashflows").set_index("id")
    parts = {"googl_ttm_2026q1": ("googl_2025", "googl_2026q1", "googl_2025q1"),
             "meta_ttm_2026q1": ("meta_2025", "meta_2026q1", "meta_2025q1"),
             "msft_ttm_2026q1": ("msft_fy2025", "msft_fy26_9m", "msft_fy25_9m")}
    for ttm_id, (year, now, before) in parts.items():
        built = finance.trailing_twelve_months(cf.loc[year], cf.loc[now], cf.loc[before])
        row = cf.loc[ttm_id]
        assert row["months"] == 12 and row["period_end"] == cf.loc[now, "period_end"], ttm_id
        for col in ("operating_cash_flow", "capex_cash", "capex_incl_leases", "revenue"):
            if not np.isnan(built[col]):
                assert row[col] == pytest.approx(built[col], abs=1e-6), (ttm_id, col)


def test_reconciliation_labels_hsbcs_burn_as_our_arithmetic() -> None:
    years = range(2026, 2031)
    s = pd.Series(10.0, index=years)
    frame = pd.DataFrame({"revenue": s, "compute": s, "burn": s, "cash_flow": -s})
    plan = {"revenue": s, "burn": s, "compute": 50.0, "contracted": 40.0, "label": "plan"}
    hsbc = {"revenue_2030": 200.0, "users_2030": 3000.0, "contracted_gw": 36.0, "cum_compute_2030": 792.0,
            "cum_fcf_2030": 282.0, "other_sources": 67.5, "reported_gap": 207.0, "naive_gap": 442.5}
    out = nf.reconciliation(plan, frame, frame, pd.Series({"funding_need": 50.0, "funding_gap": 20.0}), hsbc, 30.0)
    row = out.set_index("quantity (USD bn)").loc["Cumulative burn 2026-2030"]
    # by hand: 792 - 282 = 510, shown with its arithmetic; HSBC's window (late 2025 to 2030) named in the reason
    assert row["HSBC (Nov 2025)"] == "510 (our arithmetic: 792 − 282)"
    assert "our arithmetic" in row["why they differ"] and "late 2025 to 2030" in row["why they differ"]
    assert row["model, our case"] == "50"
