"""Every real notebook executes (the session build: `make report`'s), and its published results match the data."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from aicompute import data
from aicompute.paths import default_as_of

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def executed(fast_build: Path) -> dict[str, tuple[nbformat.NotebookNode, dict]]:
    """Every chapter executed by the build itself (the session's build, as `make report` runs it)."""
    return {nb.stem: (nbformat.read(fast_build / "executed" / nb.name, as_version=4),
                      json.loads((fast_build / "results" / f"{nb.stem}.json").read_text()))
            for nb in NOTEBOOKS}


@pytest.mark.slow
def test_every_notebook_runs_and_publishes(executed) -> None:
    assert set(executed) == {nb.stem for nb in NOTEBOOKS}
    for stem, (nb, results) in executed.items():
        assert results, f"{stem} published no results"
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error"], stem
        charts = [o for o in outputs if "aic-chart" in str(o.get("data", {}).get("text/html", ""))]
        assert charts or stem.startswith("9"), f"{stem} shows no chart"  # 9N_ appendices are tables
        for o in charts:
            assert o["data"]["image/svg+xml"].lstrip().startswith("<svg"), stem
            assert "Source:" in o["data"]["image/svg+xml"], f"{stem}: a chart without a source line"


@pytest.mark.slow
def test_claims_audit_results_match_the_ledger(executed) -> None:
    _, results = executed["00_claims_audit"]
    ledger = data.claims()
    seed = ledger[ledger["seed_text"].notna() & (ledger["as_of"] <= str(default_as_of()))]
    assert results["seed_claims"]["value"] == len(seed)
    assert results["seed_confirmed"]["value"] == int((seed["verdict"] == "confirmed").sum())
    gw = ledger.set_index("id")["value"]
    assert results["compute_growth_multiple"]["value"] == round(
        gw["openai_compute_gw_2025"] / gw["openai_compute_gw_2023"], 1
    )
    expected_drop = (gw["semis_crash_threshold"] / gw["semis_revenue_2025"] - 1) * 100
    assert results["crash_drop_pct"]["value"] == pytest.approx(round(expected_drop, 1))


@pytest.mark.slow
def test_chip_and_infra_results_match_the_library(executed) -> None:
    from aicompute import infra

    _, chips_results = executed["01_chip_strategy"]
    assert 0 <= chips_results["non_nvidia_share_final"]["value"] <= 100
    assert chips_results["wafer_latency_multiple"]["value"] > 1  # SRAM beats HBM on single-stream speed
    # the front page's costs are like for like: the owner's floor, the renter's cost on the systems it can hire (each
    # at its own rent) and, apart, the ceiling OpenAI's own figures set; no blend of one system and another's markup
    floor = chips_results["serving_cost_usd_per_mtok"]
    assert floor["low"] <= floor["value"] <= floor["high"] and floor["headline"] == "cost"
    rented = chips_results["serving_cost_rented"]
    assert rented["headline"] == "cost" and rented["low"] <= rented["value"] <= rented["high"]
    ceiling = chips_results["openai_implied_usd_per_mtok"]
    assert ceiling["headline"] == "cost" and ceiling["label"].startswith("the ceiling")
    assert "serving_cost_range" not in chips_results
    keys = [k for k, r in chips_results.items() if r.get("headline") == "cost"]  # the front page's order
    assert keys == ["serving_cost_usd_per_mtok", "serving_cost_rented", "openai_implied_usd_per_mtok"]
    assert chips_results["serving_cost_unexplained"]["value"] == pytest.approx(
        ceiling["value"] / rented["value"], rel=0.05)  # what is left between the renter's cost and the ceiling
    assert chips_results["serving_cost_spread"]["value"] > 1  # the systems no longer tie
    # the H100's share of a DGX H100 (SemiAnalysis): $270,000 / 8 = $33,750 on one basis
    assert chips_results["owner_system_usd_h100"]["value"] == 33_750
    _, infra_results = executed["02_infrastructure"]
    assert infra_results["annual_cost_per_gw"]["value"] > infra_results["annual_cost_per_gw_straight_line"]["value"]
    rents = infra.rent_per_gw_year(data.load("contract_rents"), pue=1.2)["usd_bn_per_gw_year"]
    assert infra_results["rent_per_gw_year"]["value"] == pytest.approx(rents.median(), abs=0.05)
    abilene = infra_results["abilene_gpus"]
    assert abilene["value"] == 400_000 and abilene["low"] <= 400_000
    # the range includes every plausible count the chapter derives (to the thousand): Oracle's 480k and what the site's
    # power supports; a count outside the plausible band (the order read as GPUs alone) is not a range end
    assert abilene["high"] >= round(max(480_000, infra_results["abilene_gpus_supported"]["value"]), -3)
    if not infra_results["abilene_order_kw_plausible"]["value"]:
        assert abilene["high"] < infra_results["abilene_order_gpus"]["value"]
    assert not infra_results["revenue_to_rent_ratio"].get("headline")  # the front page uses OpenAI's own contracts
    deals = data.load("commitments")
    assert infra_results["commitments_gw_dedup"]["value"] == pytest.approx(infra.dedup_total(deals, "gw"), abs=0.01)
    # OpenAI's revenue per GW at end-2025: 20 USD bn / 1.9 GW = 10.5
    assert infra_results["revenue_per_gw_today"]["value"] == pytest.approx(10.5, abs=0.05)


def fin_per_gw(executed) -> float:
    """OpenAI's revenue per GW as chapter 02 published it (chapter 03 reads it)."""
    return executed["02_infrastructure"][1]["revenue_per_gw_today"]["value"]


@pytest.mark.slow
def test_finance_and_bubble_results_match_the_library(executed) -> None:
    _, fin = executed["03_finance"]
    ev = data.evidence()  # the session build's as-of date (report/params/default.yaml)
    # Sequoia's method on Nvidia's latest data-centre quarter x4, at the chapter's defaults (x2 data-centre cost,
    # 50% buyer margin: required revenue = run-rate x 2 / 0.5), whatever today's quarter is
    runrate = 4 * ev.latest(series="nvidia_dc_revenue_quarter").value
    assert fin["sequoia_required_latest"]["value"] == pytest.approx(runrate * 2 / 0.5, abs=0.5)
    assert fin["sequoia_required_latest"]["low"] < fin["sequoia_required_latest"]["value"] < fin["sequoia_required_latest"]["high"]
    # HSBC's gap rebuilt: cumulative compute cost - cumulative free cash flow - other sources (its public inputs)
    v = {k: ev.claim(f"hsbc_openai_{k}").value for k in ("cum_compute_2030", "cum_fcf_2030", "other_funds")}
    assert fin["hsbc_naive_gap"]["value"] == pytest.approx(v["cum_compute_2030"] - v["cum_fcf_2030"] - v["other_funds"])
    flows = data.load("financing_flows")
    binding = flows[(flows["from_party"] == "OpenAI") & (flows["flow"] == "cloud contract") & (flows["status"] == "binding")]
    contracts = data.claims().set_index("id")["value"]
    total = sum(r.value if r.value == r.value else contracts[r.claim_id] for r in binding.itertuples())
    assert fin["contracted_compute"]["value"] == pytest.approx(round(total, 0))  # each contract counted once
    for key in ("openai_funding_gap", "openai_revenue_to_compute", "openai_runway", "sequoia_coverage_latest"):
        assert fin[key]["low"] <= fin[key]["value"] <= fin[key]["high"], key
    assert {fin[k]["headline"] for k in ("openai_funding_gap", "openai_runway")} == {"financing"}
    assert {fin[k]["headline"] for k in ("openai_revenue_to_compute", "sequoia_required_latest", "sequoia_coverage_latest")} == {"revenue"}
    assert "revenue_per_gw_2025" not in fin  # chapter 02 publishes revenue per GW; chapter 03 reads it
    _, bub = executed["04_bubble_debate"]
    assert bub["bubble_score_low"]["value"] <= bub["bubble_score"]["value"] <= bub["bubble_score_high"]["value"]
    assert bub["bubble_score_weights_p5"]["value"] <= bub["bubble_score_weights_p95"]["value"]
    # like for like with telecom 2000: the four hyperscalers' 2025 capex, US share 75% (Epoch), over 2025 US GDP
    assert bub["capex_share_gdp"]["value"] == pytest.approx(round(410 * 0.75 / 30.6 / 10, 2))
    assert bub["capex_share_gdp"]["high"] == pytest.approx(round(410 / 30.6 / 10, 2))  # all in the US = worldwide / US GDP
    assert fin["big4_capex_2026"]["value"] == 710  # company guidance after Q1 2026, as in chapter 05
    assert bub["hyperscaler_capex_to_ocf"]["headline"] == "financing"
    # the front page's like-for-like metrics, recomputed from the data with the library
    from aicompute import finance, headlines

    own = headlines.revenue_to_rent_on_contracts(fin_per_gw(executed), data.load("contract_rents"), pue=1.2)
    cover = headlines.revenue_to_rent(own)  # OpenAI's contracts together, the range over them and their GW readings
    infra_results = executed["02_infrastructure"][1]  # revenue per GW and OpenAI's own rents: one chapter
    assert infra_results["revenue_to_rent_own_contracts"]["headline"] == "revenue"
    published = infra_results["revenue_to_rent_own_contracts"]
    assert [published[k] for k in ("value", "low", "high")] == pytest.approx([round(cover[k], 2) for k in ("central", "low", "high")])
    assert "revenue_to_rent_own_contracts" not in fin
    cf = data.load("hyperscaler_cashflows")
    actual = cf[cf["company"].isin(["Alphabet", "Amazon", "Meta", "Microsoft"]) & cf["basis"].isin(["company statement", "reported"])]
    cs = finance.capital_structure_total(finance.capital_structure(actual, capex="cash"))  # latest periods, cash capex
    assert bub["hyperscaler_capex_to_ocf"]["value"] == pytest.approx(round(cs["capex_to_ocf"], 0))
    guide = bub["hyperscaler_capex_to_ocf_guidance"]
    assert guide["headline"] == "financing"
    assert guide["value"] == pytest.approx(round(100 * fin["big4_capex_2026"]["value"] / cs["operating_cash_flow"], 0))


@pytest.mark.slow
def test_scenario_odds_are_ranges_and_the_verdict_is_text(executed) -> None:
    _, res = executed["05_scenarios"]
    endings = ("p_hard_landing", "p_muddle_through", "p_soft_landing", "p_continued_boom")
    for key in (*endings, "p_crash_threshold"):
        r = res[key]
        assert r["headline"] == "odds" and r["low"] <= r["value"] <= r["high"], key
    assert sum(res[k]["value"] for k in endings) == pytest.approx(100, abs=0.5)
    med = res["semis_2027_median"]
    assert med["low"] < med["value"] < med["high"] and med["unit"] == "USD bn"
    assert res["verdict"]["headline"] == "verdict" and isinstance(res["verdict"]["value"], str)
    # the odds on actual results alone are published once and the verdict quotes them as published: within the
    # range over every setting (which holds that setting), and as the sentence rounds them
    from aicompute.narrative.scenarios import probability_plain
    soft, hard = res["p_soft_or_boom_actual_only"]["value"], res["p_hard_landing_actual_only"]["value"]
    assert res["p_hard_landing"]["low"] <= hard <= res["p_hard_landing"]["high"]
    assert (f"{probability_plain(soft / 100)} against {probability_plain(hard / 100)} on actual results alone"
            in res["verdict"]["value"])
    # the central odds rest on enough paths that their Monte Carlo error stays under a point
    from aicompute.scenarios.update import MIN_EFFECTIVE_PATHS
    assert res["effective_paths"]["value"] >= MIN_EFFECTIVE_PATHS
    assert 2 <= sum(1 for r in res.values() if r["headline"] == "watch") <= 4
    # no ending is ruled out by construction: every ending keeps a chance somewhere on the calibration grid
    assert all(res[k]["high"] >= 1 for k in endings)
    # fit for purpose on history: in mid-2000 the engine gave the coming bust a real chance (the bar: not
    # under 1%), and by December 2001 it had seen 2001's fall in chip revenue
    assert res["backtest_dotcom_2000_hard_mid_first_year"]["value"] >= 5
    assert res["backtest_dotcom_2000_fall_end"]["value"] >= 50
    assert res["backtest_memory_2022_fall_end"]["value"] >= 50
