"""aicompute.scenarios: Bayes by hand, determinism, conservation, anchoring, likelihoods from simulations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from aicompute import data
from aicompute import scenarios as sc


@pytest.fixture(scope="module")
def model() -> sc.Model:
    return sc.model_from_table(data.load("scenario_drivers"), sc.start_from_ledger(data.evidence("2026-11-28")))


@pytest.fixture(scope="module")
def sim(model: sc.Model) -> sc.Simulation:
    return sc.simulate(model, 2_000, seed=7)


# ---------------------------------------------------------------------------------------------- Bayes

def test_bayes_hand_computed() -> None:
    # 0.5*0.8 = 0.40, 0.3*0.2 = 0.06, 0.2*0.5 = 0.10; total 0.56
    post = sc.update_probabilities({"a": 0.5, "b": 0.3, "c": 0.2}, {"a": 0.8, "b": 0.2, "c": 0.5})
    assert post == pytest.approx({"a": 0.40 / 0.56, "b": 0.06 / 0.56, "c": 0.10 / 0.56})


def test_bayes_equal_likelihoods_keep_the_prior_and_sum_to_one() -> None:
    prior = {"hard_landing": 0.25, "muddle_through": 0.3, "soft_landing": 0.3, "continued_boom": 0.15}
    assert sc.update_probabilities(prior, {s: 2.0 for s in prior}) == pytest.approx(prior)
    post = sc.update_probabilities(prior, {"hard_landing": 1e-9, "muddle_through": 3, "soft_landing": 7,
                                           "continued_boom": 0.1})
    assert sum(post.values()) == pytest.approx(1.0)


def test_bayes_normalises_the_prior_and_is_sequentially_consistent() -> None:
    # two updates equal one update with the product of the likelihoods
    p1 = sc.update_probabilities({"a": 2, "b": 6}, {"a": 3, "b": 1})  # prior 0.25/0.75 -> 0.5/0.5
    assert p1 == pytest.approx({"a": 0.5, "b": 0.5})
    two = sc.update_probabilities(p1, {"a": 0.5, "b": 2})
    one = sc.update_probabilities({"a": 0.25, "b": 0.75}, {"a": 1.5, "b": 2})
    assert two == pytest.approx(one)
    assert one == pytest.approx({"a": 0.2, "b": 0.8})  # 0.375 / 1.875


def test_bayes_zero_likelihood() -> None:
    post = sc.update_probabilities({"a": 0.5, "b": 0.5}, {"a": 0.0, "b": 0.1})
    assert post == {"a": 0.0, "b": 1.0}
    with pytest.raises(ValueError, match="likelihoods: every scenario"):
        sc.update_probabilities({"a": 0.5, "b": 0.5}, {"a": 0.0, "b": 0.0})
    # a scenario with zero prior cannot come back
    assert sc.update_probabilities({"a": 0.0, "b": 1.0}, {"a": 100.0, "b": 1.0}) == {"a": 0.0, "b": 1.0}


@pytest.mark.parametrize("prior, lk, name", [
    ({"a": -0.1, "b": 1.1}, {"a": 1, "b": 1}, "prior"),
    ({"a": 0.5, "b": 0.5}, {"a": float("nan"), "b": 1}, "likelihoods"),
    ({"a": 0.5, "b": 0.5}, {"a": 1}, "likelihoods"),
    ({"a": 0.0, "b": 0.0}, {"a": 1, "b": 1}, "prior"),
    ([0.5, 0.5], {"a": 1, "b": 1}, "prior"),
    ({"a": 0.5, "b": 0.5}, {"a": "high", "b": 1}, "likelihoods"),
    ({}, {}, "prior"),
])
def test_bayes_bad_input_names_the_parameter(prior, lk, name) -> None:
    with pytest.raises(ValueError, match=f"^{name}:"):
        sc.update_probabilities(prior, lk)


# ------------------------------------------------------------------------------------------ simulation

def test_start_levels_follow_the_ledger(model: sc.Model) -> None:
    st = model.start
    assert st.lab_revenue == 20 + 9  # OpenAI end-2025 + Anthropic end-2025
    assert st.ai_capex == pytest.approx(math.sqrt(410 * 645))
    assert st.nvidia_dc == pytest.approx(4 * 62.3)
    assert st.ai_semis == pytest.approx(4 * 62.3 / 0.8)
    assert st.custom_share == 20
    assert st.lab_cost_ratio == pytest.approx(47 / 30)
    assert sc.midpoint(4, 9) == 6


def test_same_seed_identical_different_seed_not(model: sc.Model) -> None:
    a, b, c = (sc.simulate(model, 400, seed=s) for s in (3, 3, 4))
    for s in sc.SCENARIOS:
        for v in sc.VARIABLES:
            np.testing.assert_array_equal(a.paths[s][v], b.paths[s][v])
    assert not np.array_equal(a.paths["soft_landing"]["semis_revenue"], c.paths["soft_landing"]["semis_revenue"])


def test_vectorised_equals_plain_python_loop(model: sc.Model) -> None:
    anchors = {"lab_revenue": {3: 55.0}, "credit_spread": {1: 104.0}, "semis_revenue": {6: 1300.0}}
    vec = sc.simulate(model, 40, seed=11, anchors=anchors)
    loop = sc.simulate_loop(model, 40, seed=11, anchors=anchors)
    for s in sc.SCENARIOS:
        for v in sc.VARIABLES:
            np.testing.assert_allclose(vec.paths[s][v], loop.paths[s][v], rtol=1e-10, atol=1e-9)


def test_shapes_start_values_and_identities(sim: sc.Simulation, model: sc.Model) -> None:
    st = model.start
    for s in sc.SCENARIOS:
        p = sim.paths[s]
        assert p["semis_revenue"].shape == (500, sc.HORIZON)
        assert np.allclose(p["lab_revenue"][:, 0], st.lab_revenue)
        assert np.allclose(p["semis_revenue"][:, 0], st.semis_revenue)
        assert np.allclose(p["credit_spread"][:, 0], st.credit_spread)
        assert np.allclose(p["funding_gap"], p["lab_cost"] - p["lab_revenue"])
        assert ((p["custom_share"] >= 0) & (p["custom_share"] <= 100)).all()
        assert (p["semis_revenue"] > 0).all() and (p["credit_spread"] > 0).all()
        # capex never outruns the power brought online by more than the headroom
        cap = st.ai_capex * model.shared["power_headroom"] * p["power_index"]
        assert (p["ai_capex"] <= cap + 1e-9).all()


def test_tidy_has_one_row_per_path_month_variable(model: sc.Model) -> None:
    small = sc.simulate(model, 8, seed=1)
    tidy = small.tidy(["semis_revenue", "ai_capex"])
    assert len(tidy) == 8 * sc.HORIZON * 2
    assert list(tidy.columns) == ["scenario", "path", "month", "variable", "value"]
    row = tidy[(tidy.scenario == "hard_landing") & (tidy.path == 1) & (tidy.variable == "ai_capex")]
    np.testing.assert_array_equal(row["value"].to_numpy(), small.paths["hard_landing"]["ai_capex"][1])
    assert row["month"].iloc[0] == pd.Timestamp("2026-01-01") and row["month"].iloc[-1] == pd.Timestamp("2027-12-01")


def test_scenarios_are_ordered_as_named(sim: sc.Simulation) -> None:
    med = {s: np.median(sc.annual_total(sim.paths[s]["semis_revenue"], 2027)) for s in sc.SCENARIOS}
    assert med["hard_landing"] < med["muddle_through"] < med["soft_landing"] < med["continued_boom"]
    spread = {s: np.median(sim.paths[s]["credit_spread"][:, -1]) for s in sc.SCENARIOS}
    assert spread["hard_landing"] == max(spread.values())


def test_anchors_replace_simulated_values(model: sc.Model) -> None:
    sim = sc.simulate(model, 200, seed=2, anchors={"lab_revenue": {4: 69.0}, "ai_capex": {6: 725.0},
                                                    "gpu_rental_price": {2: 2.35}, "credit_spread": {1: 104.0},
                                                    "semis_revenue": {6: 1510.0}})
    for s in sc.SCENARIOS:
        p = sim.paths[s]
        assert np.allclose(p["lab_revenue"][:, 4], 69.0) and np.allclose(p["ai_capex"][:, 6], 725.0)
        assert np.allclose(p["gpu_rental_price"][:, 2], 2.35) and np.allclose(p["credit_spread"][:, 1], 104.0)
        assert np.allclose(p["semis_revenue"][:, 6], 1510.0)
        assert p["lab_revenue"][:, 5].std() > 0  # paths diverge again after the anchor
    with pytest.raises(ValueError, match="anchors"):
        sc.simulate(model, 8, anchors={"funding_gap": {1: 3.0}})


def test_simulate_rejects_bad_n_paths(model: sc.Model) -> None:
    with pytest.raises(ValueError, match="n_paths"):
        sc.simulate(model, 2)


# ----------------------------------------------------------------------------------------- summaries

def test_weighted_quantile_hand_checked() -> None:
    v = np.array([1.0, 2.0, 3.0, 4.0])
    assert sc.weighted_quantile(v, np.ones(4), [0.5])[0] == pytest.approx(2.5)
    # all weight on 4 -> every quantile is 4
    assert sc.weighted_quantile(v, np.array([0, 0, 0, 1.0]), [0.05, 0.5, 0.95]).tolist() == [4, 4, 4]
    with pytest.raises(ValueError, match="weights"):
        sc.weighted_quantile(v, -np.ones(4), [0.5])


def test_bands_are_ordered(sim: sc.Simulation) -> None:
    for var in ("semis_revenue", "ai_capex", "lab_revenue", "lab_cost"):
        b = sc.bands(sim, var, weights={"hard_landing": 0.4, "muddle_through": 0.3, "soft_landing": 0.2,
                                        "continued_boom": 0.1})
        assert set(b["scenario"]) == set(sc.SCENARIOS) | {"combined"}
        assert (b["p5"] <= b["p25"] + 1e-9).all() and (b["p25"] <= b["p50"] + 1e-9).all()
        assert (b["p50"] <= b["p75"] + 1e-9).all() and (b["p75"] <= b["p95"] + 1e-9).all()


def test_annual_total_and_probabilities(sim: sc.Simulation) -> None:
    arr = np.tile(np.arange(24, dtype=float), (2, 1))
    assert sc.annual_total(arr, 2026).tolist() == [5.5, 5.5]  # mean of months 0..11
    assert sc.annual_total(arr, 2027).tolist() == [17.5, 17.5]
    with pytest.raises(ValueError, match="year"):
        sc.annual_total(arr, 2028)
    w = {"hard_landing": 1.0, "muddle_through": 0.0, "soft_landing": 0.0, "continued_boom": 0.0}
    p = sc.prob_annual_below(sim, "semis_revenue", 1e9, 2027, w)
    assert p["combined"] == 1.0 and all(0 <= x <= 1 for x in p.values())
    p = sc.prob_annual_below(sim, "semis_revenue", 700, 2027, w)
    assert p["combined"] == p["hard_landing"] > p["continued_boom"]


def test_likelihoods_come_from_the_simulated_densities(sim: sc.Simulation) -> None:
    # a reading at the hard-landing median is most likely under the hard landing, and vice versa
    low = float(np.median(sim.paths["hard_landing"]["semis_revenue"][:, 18]))
    high = float(np.median(sim.paths["continued_boom"]["semis_revenue"][:, 18]))
    lk_low = sc.likelihoods(sim, "semis_revenue", 18, low, 0.05)
    lk_high = sc.likelihoods(sim, "semis_revenue", 18, high, 0.05)
    assert max(lk_low, key=lk_low.get) == "hard_landing" and max(lk_high, key=lk_high.get) == "continued_boom"
    assert max(lk_low.values()) == 1.0
    # weight 0 ignores the evidence
    assert set(sc.likelihoods(sim, "semis_revenue", 18, low, 0.05, weight=0.0).values()) == {1.0}


def test_log_likelihood_matches_a_normal_density() -> None:
    # paths all equal to 100: the kernel is the reading error alone -> normal density in logs
    paths = {s: {"ai_capex": np.full((50, sc.HORIZON), 100.0)} for s in sc.SCENARIOS}
    sim = sc.Simulation(paths=paths)
    ll = sc.log_likelihoods(sim, "ai_capex", 3, 110.0, 0.1)
    z = math.log(1.1) / 0.1
    assert ll["soft_landing"] == pytest.approx(-0.5 * z * z - math.log(0.1 * math.sqrt(2 * math.pi)))
    with pytest.raises(ValueError, match="value"):
        sc.log_likelihoods(sim, "ai_capex", 3, -1.0, 0.1)


def test_observations_through_as_of_and_anchors() -> None:
    obs = sc.observation_table(data.load("observations"), data.load("signposts"), "2026-04-10")
    assert (obs["published"] <= "2026-04-10").all() and len(obs) >= 5
    assert obs.loc[obs["id"] == "obs_capex_2026_02", "month"].item() == 6  # mid-2026
    assert obs.loc[obs["id"] == "obs_capex_2026_02", "rel_error"].item() == pytest.approx(
        max(0.05, math.log(660 / 630) / 4))
    full = sc.observation_table(data.load("observations"), data.load("signposts"), "2026-11-28")
    anchors = sc.anchors_from(full)
    assert anchors["ai_capex"] == {6: 725.0}  # the later guidance for the same month wins
    assert "contract_cancellations" not in anchors and "nvidia_dc_revenue" not in anchors
    assert sc.anchors_from(full, exclude={("ai_capex", 6)}).get("ai_capex") is None


def test_sequential_update_sums_to_one_and_records_each_reading(model: sc.Model) -> None:
    obs = sc.observation_table(data.load("observations"), data.load("signposts"), "2026-11-28")
    prior = {"hard_landing": 0.25, "muddle_through": 0.3, "soft_landing": 0.3, "continued_boom": 0.15}
    hist, lk = sc.sequential_update(model, prior, obs, n_paths=400, seed=1, evidence_weight=0.5)
    total = hist.groupby("published")["probability"].sum()
    assert np.allclose(total, 1.0)
    first = hist[hist["published"] == hist["published"].min()].set_index("scenario")["probability"]
    assert first.to_dict() == pytest.approx(prior)
    assert len(lk) == int(obs["model_variable"].notna().sum())
    assert set(lk["favours"]) <= set(sc.SCENARIOS)


def test_tornado_and_watch_list(model: sc.Model, sim: sc.Simulation) -> None:
    w = {s: 0.25 for s in sc.SCENARIOS}

    def outcome(x: sc.Simulation) -> float:
        return float(np.median(sc.annual_total(x.paths["muddle_through"]["semis_revenue"], 2027)))

    tor = sc.tornado(model, outcome, n_paths=200, seed=3, anchors=None, weights=w,
                     drivers=["capex_growth", "power_growth"])
    assert list(tor.columns) == ["driver", "setting_low", "setting_high", "low", "high", "base", "swing"]
    cap = tor.set_index("driver").loc["capex_growth"]
    assert cap["low"] < cap["base"] < cap["high"] and cap["setting_low"] == -0.2
    sp = data.load("signposts")
    obs = sc.observation_table(data.load("observations"), sp, "2026-11-28")
    wl = sc.watch_list(sim, sp, obs, "2026-11-28", w)
    assert ((wl["p_cross"] >= 0) & (wl["p_cross"] <= 1)).all()
    assert wl["p_cross"].is_monotonic_decreasing and len(wl) == int(sp["model_variable"].notna().sum())
    table = sc.signpost_table(obs, sp, pd.DataFrame(columns=["id", "favours"]))
    assert len(table) == len(sp)


def test_causal_graph_covers_the_chain() -> None:
    nodes, edges = sc.causal_graph()
    ids = set(nodes["id"])
    assert set(edges["from"]) <= ids and set(edges["to"]) <= ids
    chain = [("gap", "spread"), ("spread", "capex"), ("capex", "ai_chips"), ("ai_chips", "semis")]
    assert set(chain) <= set(zip(edges["from"], edges["to"]))
    assert ((edges["x"].between(0, 560)) & (edges["y2"].between(0, 300))).all()
