"""aicompute.bubble: scorecard normalisation, weights, ranges, sensitivity and analog helpers (hand-checked)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicompute import bubble, data
from aicompute.formatting import tagged_numbers
from aicompute.narrative import bubble as nb
from aicompute.paths import default_as_of

SPEC = (
    bubble.Threshold("up", "higher is hotter", "supply", "%", 0.0, 10.0, "higher", "test"),
    bubble.Threshold("down", "lower is hotter", "demand", "%", 50.0, 10.0, "lower", "test"),
)


def test_normalize_both_directions_and_clipping() -> None:
    assert bubble.normalize(5, 0, 10) == 0.5
    assert bubble.normalize(30, 50, 10) == 0.5
    assert bubble.normalize(-3, 0, 10) == 0 and bubble.normalize(99, 0, 10) == 1
    with pytest.raises(ValueError):
        bubble.normalize(1, 2, 2)


def test_threshold_rejects_contradictory_direction() -> None:
    with pytest.raises(ValueError):
        bubble.Threshold("x", "x", "supply", "%", 10, 0, "higher", "")
    with pytest.raises(ValueError):
        bubble.Threshold("x", "x", "supply", "%", 0, 10, "sideways", "")


def test_scorecard_total_and_weights() -> None:
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC)
    assert card["score"].tolist() == [0.5, 1.0]
    assert bubble.total_score(card) == pytest.approx(75)  # equal weights
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, weights={"up": 3, "down": 1}, spec=SPEC)
    assert card["weight"].tolist() == [0.75, 0.25]
    assert bubble.total_score(card) == pytest.approx(62.5)  # 0.75*50 + 0.25*100
    assert card["contribution"].sum() == pytest.approx(62.5)
    with pytest.raises(ValueError):
        bubble.scorecard({"up": 1.0}, weights={"up": 0}, spec=SPEC)


def test_score_range_uses_the_calm_and_hot_ends() -> None:
    card = bubble.scorecard({"up": (5.0, 2.0, 8.0), "down": (30.0, 20.0, 40.0)}, spec=SPEC)
    # up: 0.2..0.8; down: value 40 -> 0.25, value 20 -> 0.75
    assert card["score_low"].tolist() == pytest.approx([0.2, 0.25])
    assert card["score_high"].tolist() == pytest.approx([0.8, 0.75])
    assert bubble.score_range(card) == pytest.approx((22.5, 77.5))


def test_weight_sensitivity_bounds_and_reproducible() -> None:
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC)
    s = bubble.weight_sensitivity(card, n=500, seed=1)
    assert len(s) == 500 and s.between(50, 100).all()  # any weighting of 0.5 and 1.0
    assert s.equals(bubble.weight_sensitivity(card, n=500, seed=1))


def test_leave_one_out() -> None:
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC)
    loo = bubble.leave_one_out(card).set_index("dropped")
    assert loo.loc["up", "total"] == pytest.approx(100) and loo.loc["down", "total"] == pytest.approx(50)
    assert loo.loc["down", "change"] == pytest.approx(-25)


def test_band_is_a_code_and_the_narrative_says_it() -> None:
    # the bands split 0-100 in thirds: below 33.3 calm, up to 66.7 elevated, above hot
    assert [bubble.band(x) for x in (10, 33.3, 100 / 3, 50, 200 / 3, 66.7, 90)] == \
        ["calm", "calm", "elevated", "elevated", "elevated", "hot", "hot"]
    assert set(nb.BAND_WORDS) == set(bubble.BANDS)
    assert nb.band("hot") == "bubble-like"
    assert nb.band_span("elevated", "elevated") == "all in one band (elevated)"
    assert nb.band_span("calm", "hot") == "not all in one band (calm to bubble-like)"


def test_analog_helpers() -> None:
    # $725B of capex on a $30.6T economy = 2.37% of GDP; telecom peak 1.2%
    assert bubble.share_of_gdp(725, 30.6) == pytest.approx(2.369, abs=1e-3)
    with pytest.raises(ValueError):
        bubble.share_of_gdp(1, 0)


def test_default_scorecard_thresholds_are_consistent() -> None:
    spec = bubble.load_scorecard(data.load("scorecard_thresholds"))
    keys = [t.key for t in spec]
    assert len(keys) == len(set(keys)) >= 8
    assert bubble.total_score(bubble.scorecard({t.key: t.hot for t in spec}, spec=spec)) == pytest.approx(100)
    values = {t.key: t.calm for t in spec}
    assert bubble.total_score(bubble.scorecard(values, spec=spec)) == pytest.approx(0)
    assert np.isclose(bubble.scorecard(values, spec=spec)["weight"].sum(), 1)


def test_valuation_multiples() -> None:
    ev = data.evidence(default_as_of())  # rows published by the as-of date, with their claims' values
    m = bubble.valuation_multiples(ev.table("indicators"), ev.table("analogs")).set_index("company")
    # Cisco: 550 / 14 = 39.3x (450 / 18.9 = 23.8x to 555 / 12.2 = 45.5x)
    assert m.loc["Cisco, Mar 2000 (peak)"].tolist() == pytest.approx([39.29, 23.81, 45.49], abs=0.01)
    # each lab: its latest valuation over its latest run-rate, the range from the rows' ends (low valuation over high
    # run-rate to high over low): a relation, since the figures change with every sweep
    ind = ev.table("indicators")
    for lab in ("OpenAI", "Anthropic"):
        rows = ind[(ind["entity"] == lab) & ind["indicator"].isin(["valuation", "revenue_run_rate"])]
        val, rr = (rows[rows["indicator"] == k].sort_values("date").iloc[-1] for k in ("valuation", "revenue_run_rate"))
        ends = [(x if x == x else val["value"]) for x in (val["low"], val["high"])], \
               [(x if x == x else rr["value"]) for x in (rr["low"], rr["high"])]
        got = m.loc[[i for i in m.index if i.startswith(lab)][0]].tolist()
        assert got == pytest.approx([val["value"] / rr["value"], ends[0][0] / ends[1][1], ends[0][1] / ends[1][0]], abs=0.01)
    early = data.evidence("2026-01-20")
    early = bubble.valuation_multiples(early.table("indicators"), early.table("analogs"))
    assert early["company"].tolist() == ["Cisco, Mar 2000 (peak)"]


def test_ledger_weight() -> None:
    assert bubble.ledger_weight("unverified") == 0  # the seed's $5 of burn per $1 of new revenue
    assert bubble.ledger_weight("confirmed") == 1 and bubble.ledger_weight(None) == 1
    assert bubble.ledger_weight(float("nan")) == 1 and bubble.ledger_weight("misattributed", 9, 9) == 1
    assert bubble.ledger_weight("partly", 2.0) == 0.5  # the seed's figure, no corrected value
    assert bubble.ledger_weight("partly", 840, 800) == 1  # the ledger's corrected value is used
    assert bubble.ledger_weight("contradicted", 130, 130) == 0 and bubble.ledger_weight("contradicted", 213, 130) == 1
    with pytest.raises(ValueError):
        bubble.ledger_weight("maybe")


def test_scorecard_evidence_scales_weights() -> None:
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC, evidence={"down": 0.5})
    # raw weights 1 and 0.5 -> 2/3 and 1/3: 2/3 x 50 + 1/3 x 100 = 66.7
    assert card["weight"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert bubble.total_score(card) == pytest.approx(200 / 3)
    zero = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC, evidence={"down": 0.0})
    assert bubble.total_score(zero) == pytest.approx(50)
    assert bubble.weight_sensitivity(zero, n=50, seed=0).eq(50).all()  # random weights keep evidence 0 at 0
    with pytest.raises(ValueError):
        bubble.scorecard({"up": 5.0}, spec=SPEC, evidence={"up": 0.0})
    with pytest.raises(ValueError):
        bubble.scorecard({"up": 5.0}, spec=SPEC, evidence={"up": 2.0})


def test_like_for_like_ratio() -> None:
    it = "US investment in information-processing equipment and software"
    then = bubble.Measure("dot-com peak, Q4 2000", it, "US nominal GDP", 4.6)
    now = bubble.Measure("Q2 2025", it, "US nominal GDP", 4.4)
    assert bubble.like_for_like(then, now) == pytest.approx(4.4 / 4.6)
    # US telecom capex in 2000 (1.2% of GDP) vs hyperscalers' 2025 capex, US share 75%: 410 x 0.75 / 30.6T = 1.005%
    share = bubble.us_share_of_gdp(410, 0.75, 30.6)
    assert share == pytest.approx(1.005, abs=1e-3)
    telecom = bubble.Measure("telecom 2000", "sector capex in the US", "US nominal GDP", 1.2)
    assert bubble.like_for_like(telecom, bubble.Measure("AI 2025", "sector capex in the US", "US nominal GDP", share)) == \
        pytest.approx(0.8374, abs=1e-4)
    # worldwide capex against US GDP is not the same measure
    with pytest.raises(ValueError, match="not like for like"):
        bubble.like_for_like(telecom, bubble.Measure("Big-4 2026", "worldwide capex of four companies", "US nominal GDP", 2.4))
    with pytest.raises(ValueError):
        bubble.us_share_of_gdp(410, 75, 30.6)


def test_growth_split() -> None:
    # WSTS spring 2026: 791.7 -> 1510; memory 80% of the growth: 574.6 of 718.3, the rest 143.7 (+18% on 2025)
    g = bubble.growth_split(791.7, 1510, 80)
    assert g["growth"] == pytest.approx(718.3) and g["part"] == pytest.approx(574.64)
    assert g["rest"] == pytest.approx(143.66) and g["rest_growth_pct"] == pytest.approx(18.15, abs=0.01)


def test_debate_map_holds_back_quotes_the_audit_could_not_find() -> None:
    quotes = pd.DataFrame({"id": ["a", "b", "c", "d"], "claim_id": ["q_unv", None, "q_ok", "q_contra"]})
    claims = pd.DataFrame({"id": ["q_unv", "q_ok", "q_contra"], "verdict": ["unverified", "confirmed", "contradicted"],
                           "reason": ["not found", "found", "said the opposite"]})
    shown, held = bubble.debate_map(quotes, claims)
    assert shown["id"].tolist() == ["b", "c"] and held["id"].tolist() == ["a", "d"]
    assert held["reason"].tolist() == ["not found", "said the opposite"] and shown["verdict"].tolist()[1] == "confirmed"
    # the real map: Katti's "compute is the single most important input" is graded unverified, so it is held back
    ev = data.evidence()  # the report's as-of date
    shown, held = bubble.debate_map(ev.table("quotes"), ev.claims())
    assert "katti_2026_01" in held["id"].tolist() and "katti_2026_01" not in shown["id"].tolist()
    assert held.set_index("id").loc["katti_2026_01", "verdict"] == "unverified"
    assert len(shown) + len(held) == len(ev.table("quotes"))


def test_levels_phrase_agrees_with_its_counts() -> None:
    import re

    def words(markup: str) -> str:  # the phrase as read, without the formatter's tags
        return re.sub(r"<[^>]+>", "", markup)

    card = pd.DataFrame({"score": [1.0, 0.5, 0.0, 0.0, 0.3, 0.2, 0.6, 0.7, 0.995]})
    assert words(nb.levels_phrase(card)) == "2 of 9 indicators are at or beyond their hot level, 2 at or below their calm level"
    assert tagged_numbers(nb.levels_phrase(card)) == ["2", "9", "2"]  # every count is a formatted number
    card = pd.DataFrame({"score": [1.0, 0.5, 0.0, 0.4, 0.3, 0.2, 0.6, 0.7, 0.9]})
    assert words(nb.levels_phrase(card)) == "1 of 9 indicators is at or beyond its hot level, 1 at or below its calm level"
    assert words(nb.levels_phrase(pd.DataFrame({"score": [0.5]}))) == \
        "0 of 1 indicator are at or beyond their hot level, 0 at or below their calm level"


def test_us_share_of_gdp_range_ends_on_the_worldwide_share() -> None:
    # 410 USD bn of 2025 capex, 75% (55-100%) in the US, on 30.6 USD tn of GDP
    mid, low, high = bubble.us_share_of_gdp_range(410, 0.75, 0.55, 30.6)
    assert mid == pytest.approx(100 * 410 * 0.75 / 30_600) and low == pytest.approx(100 * 410 * 0.55 / 30_600)
    assert high == bubble.share_of_gdp(410, 30.6) == pytest.approx(1.3399, abs=1e-4)
    assert round(high, 2) == 1.34


def test_lab_mix_multiple_by_hand() -> None:
    ts = pd.Timestamp
    ind = pd.DataFrame({"entity": ["OpenAI", "OpenAI", "Anthropic", "Anthropic", "xAI"],
                        "indicator": ["valuation", "revenue_run_rate", "valuation", "revenue_run_rate", "valuation"],
                        "date": [ts("2026-03-31"), ts("2026-06-09"), ts("2026-05-28"), ts("2026-05-28"), ts("2026-02-02")],
                        "kind": ["actual"] * 5, "value": [852.0, 24.0, 965.0, 47.0, 250.0], "low": [None] * 5, "high": [None] * 5})
    gross = bubble.lab_mix_multiple(ind)
    # no net share given: (852 + 965) / (24 + 47) = 1817 / 71 = 25.59x, from Anthropic's 20.53x alone to OpenAI's 35.5x
    assert gross["value"] == pytest.approx(25.592, rel=1e-4)
    assert (gross["low"], gross["high"]) == (pytest.approx(965 / 47), pytest.approx(35.5))
    assert gross["labs"] == ("OpenAI", "Anthropic")
    mix = bubble.lab_mix_multiple(ind, net_share={"Anthropic": 8 / 30})
    # Anthropic net of its cloud partners' share: 47 x (1 - 8/30) = 34.467; together 1817 / 58.467 = 31.08x
    assert mix["value"] == pytest.approx(31.078, rel=1e-4)
    r = mix["readings"]
    assert r[("together", "gross")][0] == pytest.approx(25.592, rel=1e-4)
    assert r[("Anthropic", "net")][0] == pytest.approx(27.998, rel=1e-4) and r[("OpenAI", "net")][0] == pytest.approx(35.5)
    # the range holds every reading: Anthropic alone on its gross run-rate (20.53x) to OpenAI alone (35.5x)
    assert (mix["low"], mix["high"]) == (pytest.approx(20.532, rel=1e-4), pytest.approx(35.5))
    ranged = ind.assign(low=[800.0, 24.0, None, None, None], high=[900.0, 25.0, None, None, None])
    # OpenAI's rows' ranges widen its own reading: 800 / 25 = 32x to 900 / 24 = 37.5x
    assert bubble.lab_mix_multiple(ranged, net_share={"Anthropic": 8 / 30})["high"] == pytest.approx(37.5)
    assert bubble.lab_mix_multiple(ind, ("xAI",)) is None
    assert bubble.CONTESTED == 0.5


# ------------------------------------------------------------------------- the chapter's steps (hand-checked)
def test_capex_path_by_hand() -> None:
    total = pd.Series([150.0, 250.0, 400.0], index=["2023", "2024", "2025"])
    assert bubble.capex_path(total) == {"start_year": "2023", "start": 150.0, "end_year": "2025", "end": 400.0,
                                        "multiple": pytest.approx(8 / 3)}
    assert bubble.capex_path(total, ("2026", 600.0))["multiple"] == 4.0  # guidance as the end: 600 / 150


def test_big4_capex_keeps_the_four_and_their_sum() -> None:
    ind = pd.DataFrame({"id": ["a", "b", "c", "capex_big4_2024", "capex_big4_2025"],
                        "indicator": ["capex", "capex", "capex", "capex", "capex"],
                        "entity": ["Amazon", "Microsoft", "Oracle", "Big 4", "Big 4"],
                        "period": ["2024", "FY2025", "2025", "2024", "2025"], "value": [80.0, 60.0, 20.0, 200.0, 300.0],
                        "date": pd.to_datetime(["2025-02-01", "2025-07-30", "2026-02-01", "2025-02-01", "2026-02-01"])})
    rows, total = bubble.big4_capex(ind)
    assert rows["entity"].tolist() == ["Amazon", "Microsoft"] and rows["year"].tolist() == ["2024", "2025"]
    assert total.to_dict() == {"2024": 200.0, "2025": 300.0}
    # a raised guidance replaces the earlier one for the same company and year (the later date wins, wherever it sits)
    raised = pd.concat([ind, pd.DataFrame({"id": ["a2"], "indicator": ["capex"], "entity": ["Amazon"], "period": ["2024"],
                                           "value": [90.0], "date": pd.to_datetime(["2025-04-30"])})], ignore_index=True)
    rows, _ = bubble.big4_capex(raised)
    assert rows.set_index("entity").loc["Amazon", "value"] == 90.0 and len(rows) == 2


def test_latest_year_with_a_gdp_figure() -> None:
    rows = pd.DataFrame({"period": ["2024", "2025", "2023"], "date": pd.to_datetime(["2025-02-01", "2026-02-01", "2024-02-01"]),
                         "value": [246.0, 410.0, 151.0]})
    assert bubble.latest_year_with(rows, {2024: 1, 2025: 1})["value"] == 410.0
    assert bubble.latest_year_with(rows, [2023, 2024])["value"] == 246.0  # 2025 has no GDP figure yet
    with pytest.raises(ValueError):
        bubble.latest_year_with(rows, [2019])


def test_peak_comparison_by_hand() -> None:
    analogs = pd.DataFrame({"id": ["dotcom_it_invest_gdp_2000", "ai_it_invest_gdp_2025", "telecom_capex_gdp_2000"],
                            "year": [2000, 2025, 2000], "value": [4.0, 4.4, 1.2]})
    lfl = bubble.peak_comparison(analogs, (0.9, 0.6, 1.2), 2025)
    assert lfl["now / then"].tolist() == pytest.approx([1.1, 0.75])  # 4.4 / 4.0; 0.9 / 1.2
    assert lfl["then"].tolist() == ["dot-com peak, 2000", "US telecom peak, 2000"]
    assert lfl["now"].tolist() == ["AI boom, 2025", "four hyperscalers, 2025, US share"]
    assert lfl["low %"].tolist() == [4.4, 0.6] and lfl["high %"].tolist() == [4.4, 1.2]  # a point is its own range
    assert lfl["position"].tolist() == ["level", "level"]  # 4.4 within 10% of 4.0; 0.6-1.2 reaches the peak
    # next year's guidance on the same basis: 1.8 (1.5-2.4) against 1.2 -> the whole range over 1.32
    lfl = bubble.peak_comparison(analogs, (0.9, 0.6, 1.2), 2025, (1.8, 1.5, 2.4), 2026)
    assert lfl["now"].iloc[2] == "four hyperscalers, 2026 guidance, US share" and lfl["then %"].iloc[2] == 1.2
    assert lfl["now / then"].iloc[2] == pytest.approx(1.5) and lfl["position"].iloc[2] == "beyond"
    view = nb.peaks_view(lfl)  # for readers: words, not codes; the ratio to two decimals
    assert view["Where the range lies"].tolist() == [
        "a range that straddles the peak, its central reading above it",
        "a range that straddles the peak, its central reading below it",
        "beyond the peak even at the bottom of its range"]
    assert view["Now / peak"].tolist() == [1.1, 0.75, 1.5] and view["Its range"].iloc[1] == "0.60–1.20"


def test_ratio_range_spans_the_known_readings() -> None:
    assert bubble.ratio_range(74.0, 70.0, 100.0) == (74.0, 70.0, 100.0)
    assert bubble.ratio_range(74.0, None, 0, 80.0) == (74.0, 74.0, 80.0)  # unknown readings (None, 0) are left out
    assert bubble.ratio_range(74.0) == (74.0, 74.0, 74.0)


def test_installed_stock_by_hand() -> None:
    # 160 USD bn x 0.8 compute = 128 USD bn / 16,000 USD per H100e = 8 M H100e; on a stock of 4 M: 12 M, 3x in a year
    assert bubble.installed_stock(160.0, 0.8, 16_000.0, 4.0) == {"added": 8.0, "stock": 12.0, "growth": 3.0}
    # the same money at a system price 1.5x the chip's buys a third fewer: 128 bn / 24,000 = 5.33 M
    assert bubble.installed_stock(160.0, 0.8, 24_000.0, 4.0)["added"] == pytest.approx(16 / 3)


def test_packaging_ceilings_at_each_end() -> None:
    # 100 thousand wafers a month x 12 x 15 packages = 18 M packages; x 1.5 kW x 1.2 PUE = 32.4 GW
    ceil = bubble.packaging_ceilings({"low": 50.0, "central": 100.0}, 15.0, 1.5, 1.2)
    assert ceil["central"]["packages_m"] == pytest.approx(18.0) and ceil["central"]["gw_per_year"] == pytest.approx(32.4)
    assert ceil["low"]["gw_per_year"] == pytest.approx(16.2)


def test_a_years_capacity_is_its_average_not_its_closing_run_rate() -> None:
    # 75-80k wafers a month as 2026 opens, 95-150k as it closes: averages (75 + 95) / 2 = 85, (77.5 + 115) / 2 = 96.25
    # and (80 + 150) / 2 = 115
    avg = bubble.year_average({"low": 75.0, "central": 77.5, "high": 80.0}, {"low": 95.0, "central": 115.0, "high": 150.0})
    assert avg == {"low": 85.0, "central": 96.25, "high": 115.0}
    # 96.25k x 12 x 10 packages = 11.55 M packages, x 2 kW x 1.2 PUE = 27.72 GW; the closing 115k would give 33.12 GW
    ceil = bubble.packaging_ceilings(avg, 10.0, 2.0, 1.2)
    assert ceil["central"]["packages_m"] == pytest.approx(11.55) and ceil["central"]["gw_per_year"] == pytest.approx(27.72)
    assert bubble.packaging_ceilings({"c": 115.0}, 10.0, 2.0, 1.2)["c"]["gw_per_year"] == pytest.approx(33.12)
    with pytest.raises(ValueError):
        bubble.year_average({"central": 1.0}, {"central": 2.0, "high": 3.0})


def test_debt_wall_leaves_out_leases_and_debt_counted_twice() -> None:
    debt = pd.DataFrame({"id": ["googl_notes_2026_02", "googl_notes_2026q1_total", "lease", "cw_2030", "vehicle"],
                         "issuer": ["Alphabet", "Alphabet", "Oracle", "CoreWeave (notes)", "Blue Owl"],
                         "instrument": ["notes", "notes", "data-centre lease", "notes", "loan"],
                         "year": [2036, 2036, 2040, 2030, None], "value": [5.0, 20.0, 30.0, 2.0, 27.0]})
    wall, open_ended = bubble.debt_wall(debt)
    assert wall["id"].tolist() == ["googl_notes_2026q1_total", "cw_2030"] and wall["year"].tolist() == ["2036", "2030"]
    assert open_ended["id"].tolist() == ["vehicle"]
    wall, _ = bubble.debt_wall(debt[debt["id"] != "googl_notes_2026q1_total"])  # without the total, the note counts
    assert "googl_notes_2026_02" in wall["id"].tolist()


def test_claims_frame_skips_claims_not_yet_published() -> None:
    from types import SimpleNamespace

    c = SimpleNamespace(value=100.0, range=(90.0, 110.0), as_of="2026-01-01", basis="reported", source_id="s")
    out = bubble.claims_frame({"known": c, "later": None}, "what")
    assert out.columns.tolist() == ["what", "USD bn", "low", "high", "as of", "basis", "source"]
    assert out.iloc[0].tolist() == ["known", 100.0, 90.0, 110.0, "2026-01-01", "reported", "s"] and len(out) == 1


def test_bubble_wording() -> None:
    cs = pd.DataFrame({"company": ["Alphabet", "Meta [x]"], "capex_to_ocf": [70.4, 95.0]})
    assert tagged_numbers(nb.company_ratios(cs)) == ["70%", "95%"] and "Meta \\[x\\]" in nb.company_ratios(cs)
    shown = nb.cashflow_table(cs.assign(period="FY", months=12, operating_cash_flow=[10.0, 20.0], capex=[7.0, 19.0],
                                        capex_basis=["cash", "leases"], free_cash_flow=[3.0, 1.0]),
                              {"operating_cash_flow": 30.0, "capex": 26.0, "free_cash_flow": 4.0, "capex_to_ocf": 86.7,
                               "capex_basis": "mixed"})
    assert shown["company"].tolist()[-1] == "Total" and shown["capex_basis"].tolist() == ["cash", "incl. leases", "mixed"]
    mult = pd.DataFrame({"value": [39.4, 24.6, 21.2]})
    assert nb.multiples_title(mult) == "Leading AI labs are valued at 21–25× run-rate revenue, against Cisco's 39× at the 2000 peak"
    assert nb.multiples_title(mult.head(1)) == "Cisco was valued at 39× revenue at the 2000 peak"


def test_missing_years_of_an_annual_series() -> None:
    assert bubble.missing_years([1987, 1988, 1995, 1996, 1998]) == [(1989, 1994), (1997, 1997)]
    assert bubble.missing_years(range(2000, 2010)) == [] and bubble.missing_years([]) == []
    assert nb.year_runs([(1989, 1994), (1997, 1997)]) == "1989–1994 and 1997"
    assert nb.year_runs([(1, 2), (4, 4), (6, 7)]) == "1–2, 4 and 6–7"
    assert nb.year_runs([]) == ""


def test_range_position_by_hand() -> None:
    # a peak of 1.2%: "below" needs the whole range under 1.08, "beyond" the whole range over 1.32 (10% either side)
    assert bubble.range_position(0.6, 1.0, 1.2) == "below"  # 1.0 < 1.08
    assert bubble.range_position(0.6, 1.3, 1.2) == "level"  # straddles the peak
    assert bubble.range_position(1.1, 2.3, 1.2) == "level"  # centre far above, but the low end is under 1.32
    assert bubble.range_position(1.4, 2.3, 1.2) == "beyond"  # 1.4 > 1.32
    assert bubble.range_position(4.4, 4.4, 4.6) == "level"  # a point 4% under its peak
    assert bubble.range_position(1.0, 1.0, 1.0, tol=0) == "level" and bubble.range_position(1.01, 1.01, 1.0, tol=0) == "beyond"
    with pytest.raises(ValueError):
        bubble.range_position(2.0, 1.0, 1.2)  # low above high


def test_peak_position_by_hand() -> None:
    assert bubble.peak_position(["level", "below"]) == "level"
    assert bubble.peak_position(["below", "below"]) == "below"
    assert bubble.peak_position(["below", "beyond"]) == "beyond"  # one beyond is enough
    assert set(nb.PEAK_WORDS) == set(bubble.PEAK_POSITIONS)
    with pytest.raises(ValueError):
        bubble.peak_position([])
    with pytest.raises(ValueError):
        bubble.peak_position(["above"])


def test_a_new_oracle_reading_is_a_data_row(tmp_path) -> None:
    """The chapter reads Oracle's leases, fiscal-year figures and Nvidia's gains by series: next quarter's or next
    year's figure is one claims row (series + period), no code edit."""
    import csv
    import shutil

    dest = tmp_path / "data"
    shutil.copytree(data.data_dir(), dest)
    with (dest / "claims.csv").open(encoding="utf-8", newline="") as fh:
        fields = next(csv.reader(fh))
    new = [("test_leases_q3", "oracle_leases_not_commenced", "2025-12-01", "300", "2026-02-28"),
           ("test_ocf_fy27", "oracle_ocf_fiscal_year", "2026-06-01", "40", "2026-02-28")]
    with (dest / "claims.csv").open("a", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        for cid, series, period, value, as_of in new:
            w.writerow({k: "" for k in fields} | {"id": cid, "chapter": "bubble", "statement": f"Test reading {cid}.",
                                                    "value": value, "unit": "USD bn", "as_of": as_of, "basis": "company statement",
                                                    "source_id": "oracle_q3fy26_2026_03_10", "series": series, "period": period})
    before = data.evidence(default_as_of())
    assert before.latest(series="oracle_leases_not_commenced").id == "oracle_lease_commitments_not_commenced"
    assert before.latest(series="nvidia_investment_gains_quarter").id == "nvidia_investment_gains_q1fy27"
    ev = data.evidence(default_as_of(), folder=dest)
    assert ev.latest(series="oracle_leases_not_commenced").id == "test_leases_q3"
    newest = ev.series("oracle_ocf_fiscal_year").iloc[-1]
    assert newest["id"] == "test_ocf_fy27" and newest["period"].year + 1 == 2027  # labelled fiscal 2027 in the chapter
    assert data.evidence("2026-03-01", folder=dest).latest(series="oracle_leases_not_commenced").id == \
        "oracle_lease_commitments_not_commenced"  # not yet published on 2026-03-01 (its source is dated 2026-03-10)


def test_full_year_capex_to_ocf_is_like_for_like() -> None:
    cf = pd.DataFrame({"company": ["A", "B", "B", "C"], "months": [12, 12, 3, 12],
                       "period_end": ["2025-12-31", "2025-06-30", "2025-12-31", "2024-12-31"],
                       "capex_cash": [30.0, 10.0, 99.0, 5.0], "operating_cash_flow": [60.0, 40.0, 1.0, 10.0],
                       "basis": ["company statement", "reported", "company statement", "company statement"]})
    # A's calendar year and B's fiscal year to June 2025; B's quarter and C's 2024 are left out: 40 / 100
    assert bubble.full_year_capex_to_ocf(cf, ("A", "B"), 2025) == 40.0
    assert bubble.full_year_capex_to_ocf(cf, ("A", "B", "C"), 2025) is None  # C has no full year ending in 2025


def test_latest_cash_flows_takes_each_companys_latest_actual_period_on_one_basis() -> None:
    from aicompute import finance, headlines

    ts = pd.Timestamp
    cf = pd.DataFrame({
        "company": ["A", "A", "B", "B", "C", "C", "D", "E"],
        "fiscal_period": ["FY2025", "Q1 2026", "TTM Q1 2026", "Q1 2026", "FY26 Q2", "FY26 Q3", "Q1 2026", "Q1 2026"],
        "calendar_period": ["2025", "2026Q1", "TTM to 2026Q1", "2026Q1", "2025Q4", "2026Q1", "2026Q1", "2026Q1"],
        "period_end": [ts("2025-12-31"), ts("2026-03-31"), ts("2026-03-31"), ts("2026-03-31"), ts("2025-12-31"),
                       ts("2026-03-31"), ts("2026-03-31"), ts("2026-03-31")],
        "months": [12, 3, 12, 3, 3, 3, 3, 3],
        "operating_cash_flow": [100.0, 30.0, 150.0, np.nan, 20.0, 40.0, 10.0, 50.0],
        "capex_cash": [60.0, 20.0, 140.0, 40.0, 15.0, 30.0, 5.0, 50.0],
        "capex_incl_leases": [np.nan, np.nan, np.nan, 41.0, 16.0, 33.0, 6.0, np.nan],
        "basis": ["company statement", "reported", "company statement", "company statement", "company statement",
                  "analyst estimate", "company statement", "company statement"],
        "source_id": list("abcdefgh")})
    cs = bubble.latest_cash_flows(cf, ("A", "B", "C", "D"), capex="cash").set_index("company")
    # A: its Q1 2026 (reported) is newer than FY2025: x4 = 120 / 80; B: the quarter has no OCF, the TTM to Q1 counts
    # as it is, 150 / 140; C: FY26 Q3 is an analyst's estimate, so FY26 Q2 x4 = 80 / 60; D: 40 / 20; E: not asked for
    assert cs.index.tolist() == ["A", "B", "C", "D"]
    assert cs["period"].tolist() == ["Q1 2026", "TTM Q1 2026", "FY26 Q2", "Q1 2026"]
    assert cs["operating_cash_flow"].tolist() == [120.0, 150.0, 80.0, 40.0]
    assert cs["capex"].tolist() == [80.0, 140.0, 60.0, 20.0] and set(cs["capex_basis"]) == {"cash"}
    assert cs["source_id"].tolist() == ["b", "c", "e", "g"]
    total = finance.capital_structure_total(cs)
    # 300 of capex on 390 of cash flow = 76.92%; guidance of 429 over the same 390 = 110%
    assert (total["capex"], total["operating_cash_flow"]) == (300.0, 390.0) and total["capex_basis"] == "cash"
    assert total["capex_to_ocf"] == pytest.approx(76.923, rel=1e-4)
    assert headlines.capex_to_cash_flow(total["capex"], total["operating_cash_flow"], 429.0)["guidance"] == pytest.approx(110.0)
    # on the lease-inclusive basis A and B have no figure in any period and drop out; C's Q2 x4 = 64, D's = 24
    leases = bubble.latest_cash_flows(cf, ("A", "B", "C", "D"), capex="leases").set_index("company")
    assert leases.index.tolist() == ["C", "D"] and leases["capex"].tolist() == [64.0, 24.0]
    with pytest.raises(ValueError):
        finance.capital_structure(cf, capex="gross")


def test_cash_flow_periods_read_in_calendar_terms() -> None:
    assert nb.cashflow_period("2026Q1", "FY26 Q3") == "Q1 2026 (FY26 Q3)"
    assert nb.cashflow_period("2026Q1", "Q1 2026") == "Q1 2026"
    assert nb.cashflow_period("TTM to 2026Q1", "TTM Q1 2026") == "12 months to Q1 2026"
    assert nb.cashflow_period(None, "FY2025") == "FY2025" and nb.quarter(2025) == "2025"


def test_leave_one_out_reads_in_points_to_one_decimal() -> None:
    import pandas as pd

    from aicompute.narrative.bubble import leave_one_out_table

    loo = pd.DataFrame({"label": ["a", "b", "c"], "total": [52.00805, 46.2, 53.54], "change": [0.00805, -5.8, 1.54]})
    shown = leave_one_out_table(loo)
    assert list(shown["indicator dropped"]) == ["b", "a", "c"]
    assert list(shown["change (points)"]) == ["−5.8", "0.0", "+1.5"] and list(shown["total (of 100)"]) == ["46.2", "52.0", "53.5"]


def test_memory_metrics_read_as_words() -> None:
    import pandas as pd

    from aicompute.narrative.bubble import memory_table

    mem = pd.DataFrame({"metric": ["dram_contract_price_change", "new_metric"], "period": ["2026Q1", "2026"]})
    shown = memory_table(mem)
    assert list(shown["metric"]) == ["DRAM contract price change", "new metric"]
    assert list(shown["period"]) == ["Q1 2026", "2026"]


def test_present_runs_by_hand() -> None:
    assert bubble.present_runs([1995, 1987, 1988, 1996, 1997]) == [(1987, 1988), (1995, 1997)]
    assert bubble.present_runs([2001]) == [(2001, 2001)] and bubble.present_runs([]) == []


def test_guidance_ratio_says_its_basis_and_keeps_the_outside_estimate_out_of_its_range() -> None:
    label = nb.guidance_ratio_label(2026)
    assert "partly lease-inclusive" in label and label.endswith("range: the guidance's own low and high over that cash flow")
    assert "UBS" not in label
    text = nb.estimate_sentence(2026, 100.0)
    assert text.startswith("UBS puts its own 2026 ratio at") and "not part of this range" in text
    assert tagged_numbers(text) == ["100%"]
    assert nb.estimate_sentence(2026, None) == "" and nb.estimate_sentence(2026, 0) == ""


def test_capex_to_ocf_bases_put_every_company_on_one_basis() -> None:
    ts = pd.Timestamp
    cf = pd.DataFrame({
        "company": ["A", "A", "A", "B", "B", "B", "B"],
        "fiscal_period": ["FY2025", "Q1 2026", "TTM Q1 2026", "FY2025", "FY26 Q3", "TTM FY26 Q3", "FY26 Q3 est"],
        "calendar_period": ["2025", "2026Q1", "TTM to 2026Q1", "Jul 2024-Jun 2025", "2026Q1", "TTM to 2026Q1", "2026Q1"],
        "period_end": [ts("2025-12-31"), ts("2026-03-31"), ts("2026-03-31"), ts("2025-06-30"), ts("2026-03-31"),
                       ts("2026-03-31"), ts("2026-06-30")],
        "months": [12, 3, 12, 12, 3, 12, 3],
        "operating_cash_flow": [100.0, 20.0, 110.0, 50.0, 15.0, 60.0, 99.0],
        "capex_cash": [60.0, 25.0, 75.0, 20.0, 10.0, 30.0, 99.0],
        "capex_incl_leases": [np.nan] * 7,
        "basis": ["company statement"] * 6 + ["analyst estimate"],
        "source_id": list("abcdefg")})
    bases = bubble.capex_to_ocf_bases(cf, ("A", "B"), 2025)
    ratios = bubble.basis_ratios(bases).set_index("basis")
    # by hand -- trailing: (75 + 30) / (110 + 60) = 61.76%; full years ending 2025 (B's to June): (60 + 20) / (100 + 50)
    # = 53.33%; latest quarter x 4: (25 + 10) / (20 + 15) = 100% (B's estimate for June is not an actual figure)
    assert list(ratios.index) == ["trailing", "full_year", "quarter"]
    assert ratios["capex_to_ocf"].tolist() == pytest.approx([61.765, 53.333, 100.0], abs=1e-3)
    assert ratios.loc["quarter", ["capex", "operating_cash_flow"]].tolist() == [140.0, 140.0]  # x 4
    assert ratios.loc["trailing", "periods"] == "A: TTM Q1 2026; B: TTM FY26 Q3"
    # without A's trailing row the latest twelve months end on different days: no trailing basis, not a mixed one
    assert list(bubble.capex_to_ocf_bases(cf.drop(index=2), ("A", "B"), 2025)) == ["full_year", "quarter"]
    # with no basis that has both (B has no year ending 2025 and no quarter to March): each one's latest, flagged
    early = bubble.capex_to_ocf_bases(cf.drop(index=[2, 3, 4]), ("A", "B"), 2025)
    assert list(early) == ["latest"] and bubble.central_basis(early) == "latest"
    assert early["latest"]["period"].tolist() == ["Q1 2026", "TTM FY26 Q3"]  # A's quarter x 4, B's twelve months
    words = nb.basis_words("quarter", bases["quarter"]), nb.basis_words("full_year", bases["full_year"])
    assert words == ("Q1 2026 × 4", "full years 2025 (B's Jul 2024-Jun 2025)")
    assert nb.basis_words("trailing", bases["trailing"]) == "trailing twelve months to Q1 2026"
