"""aicompute.scenarios.model, .start, .baserates: the regime-switching simulation, endings, base rates, starts."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aicompute import data
from aicompute.scenarios import baserates as br
from aicompute.scenarios import model as sm
from aicompute.scenarios import start as st
from aicompute.scenarios import update as up

ROOT = Path(__file__).resolve().parents[1]


def _quiet(cal: sm.Calibration) -> sm.Calibration:
    """No randomness and no regime switching: every path follows its regime's mean."""
    zero = [k for k in cal.values if k.endswith(("_sd", "_volatility")) or k.startswith("hazard_")
            or k.startswith(("credit_event_hazard", "funding_raise_hazard")) or k == "memory_cycle_amplitude"]
    return cal.with_values(**{k: 0.0 for k in zero})


# ---------------------------------------------------------------------------------------- calibration, start

def test_calibration_names_a_missing_parameter(ev) -> None:
    table = ev.table("scenario_drivers")
    with pytest.raises(ValueError, match=r"missing parameter\(s\) \['hazard_slope'\]"):
        sm.Calibration.from_table(table[table["id"] != "hazard_slope"])


def test_calibration_ranges_and_unknown_names(cal: sm.Calibration) -> None:
    lo, hi = cal.ranges["hazard_slope"]
    assert cal.at("hazard_slope", "low") == lo < cal.at("hazard_slope", "central") < hi == cal.at("hazard_slope", "high")
    with pytest.raises(KeyError, match="unknown parameter"):
        cal.with_values(no_such_thing=1.0)


def test_every_calibration_row_is_known_at_the_seed() -> None:
    """Calibration may only lean on sources published before the seed, so the chapter runs at an early as-of."""
    early = data.evidence("2026-02-01")
    assert set(early.table("scenario_drivers")["id"]) == set(data.load("scenario_drivers")["id"])


def test_start_2026_from_pre_seed_claims_only(cal: sm.Calibration) -> None:
    early = st.start_2026(data.evidence("2026-02-01"), cal)
    # capex: Q3 2025 (114 a quarter) x4, grown 4.5 months at its 76% growth over a year
    assert early.capex == pytest.approx(4 * 114 * 1.76 ** (4.5 / 12))
    assert early.capex_momentum == pytest.approx(math.log(1.76))
    # chips: geometric mean of WSTS autumn 2025 for 2025 (772) and 2026 (975)
    assert early.chips == pytest.approx(math.sqrt(772 * 975))
    assert early.buildout_share == pytest.approx(4 * 51.2 / 0.80 / math.sqrt(772 * 975))
    assert early.nvidia_dc == pytest.approx(4 * 65 * 51.2 / 57.0)
    assert early.spread == 139
    openai, anthropic = early.labs
    assert (openai.revenue, anthropic.revenue) == (20, pytest.approx(math.sqrt(4.7 * 15.2)))
    assert openai.cost_ratio == pytest.approx((13 + 9) / 13)
    assert "net" in openai.basis and "gross" in anthropic.basis
    assert early.regime == sm.BOOM


def test_start_regime_rule() -> None:
    base = dict(clock=st.CLOCK_2026, capex=100.0, chips=100.0, buildout_share=0.3)
    assert sm.Start(capex_momentum=0.3, chips_momentum=0.0, **base).regime == sm.BOOM
    assert sm.Start(capex_momentum=0.1, chips_momentum=0.05, **base).regime == sm.COOLING
    assert sm.Start(capex_momentum=-0.1, chips_momentum=-0.2, **base).regime == sm.BUST


def test_backtest_starts_from_the_readings_known_then(ev, cal: sm.Calibration) -> None:
    s = st.start_backtest("dotcom_2000", ev.table("observations"), cal)
    assert s.chips == pytest.approx(math.sqrt(143.8 * 174))  # SIA, December 1999: 1999 estimate and 2000 forecast
    assert s.capex_momentum == s.chips_momentum == pytest.approx(math.log(174 / 143.8))
    assert s.labs == () and s.nvidia_dc is None and s.regime == sm.BOOM  # a +21% forecast: above the boom line
    s22 = st.start_backtest("memory_2022", ev.table("observations"), cal)
    assert s22.chips == pytest.approx(math.sqrt(552.4 * 601)) and s22.regime == sm.COOLING  # +8.8% forecast
    with pytest.raises(ValueError, match="episode"):
        st.start_backtest("tulips_1637", ev.table("observations"), cal)


# --------------------------------------------------------------------------------------------- simulation

def test_same_seed_identical_different_seed_not(cal: sm.Calibration, start: sm.Start) -> None:
    a, b, c = (sm.simulate(cal, start, 500, seed) for seed in (3, 3, 4))
    assert np.array_equal(a.chips, b.chips) and np.array_equal(a.regime, b.regime)
    assert not np.array_equal(a.chips, c.chips)


def test_vectorised_equals_the_plain_python_loop(cal: sm.Calibration, start: sm.Start) -> None:
    spec = importlib.util.spec_from_file_location("scenario_loop", ROOT / "bench" / "scenario_loop.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    funded = st.with_financing(start, cal, {"openai": (2026.9, 60.0)})  # runs out within the horizon on many paths
    vec, loop = sm.simulate(cal, funded, 300, 11, hazard_scale=3.0), mod.simulate_loop(cal, funded, 300, 11, hazard_scale=3.0)
    assert vec.unfunded["openai"].any() and np.array_equal(vec.regime, loop["regime"])
    assert np.array_equal(vec.event, loop["event"])
    for k in ("capex", "chips", "nvidia_dc", "spread", "lab:openai", "lab:anthropic"):
        assert np.allclose(vec.variable(k), loop[k], rtol=1e-5), k


def test_quiet_paths_follow_the_regime_means(cal: sm.Calibration, start: sm.Start) -> None:
    p = sm.simulate(_quiet(cal), start, 4, 0)
    t = np.arange(1, start.horizon + 1) / 12
    assert np.allclose(p.capex, start.capex * np.exp(start.capex_momentum * t), rtol=1e-6)
    a0 = start.buildout_share * start.chips
    other = (start.chips - a0) * np.exp(start.chips_momentum * t)
    assert np.allclose(p.chips, a0 * np.exp(cal["ai_chip_elasticity"] * start.capex_momentum * t) + other, rtol=1e-6)
    assert np.allclose(p.nvidia_dc, start.nvidia_dc * np.exp((cal["ai_chip_elasticity"] * start.capex_momentum
                                                            - cal["nvidia_share_drift"]) * t), rtol=1e-6)
    assert (p.regime == sm.BOOM).all() and not p.event.any()
    assert np.allclose(p.spread, start.spread)


def test_a_bust_can_follow_a_strong_first_year(cal: sm.Calibration, start: sm.Start) -> None:
    p = sm.simulate(cal, start, 20_000, 5, hazard_scale=2.0)
    boom_then_bust = (p.regime[:, :12] == sm.BOOM).all(axis=1) & (p.regime[:, 12:] == sm.BUST).any(axis=1)
    assert boom_then_bust.sum() > 100
    # and such paths had a strong first year: capex and chips grew through it
    assert np.median(p.capex[boom_then_bust, 11] /
                     p.capex[boom_then_bust, 0]) > 1.1


def test_the_bust_hazard_rises_with_stress(cal: sm.Calibration, start: sm.Start) -> None:
    """With capex outgrowing the labs' revenue and internal funds, stress builds; a steeper slope means more busts."""
    stressed = sm.Start(**{**start.__dict__, "capex_momentum": 0.9,
                           "labs": tuple(sm.Lab(lab.name, lab.revenue, 0.0, lab.cost_ratio, lab.basis, lab.weight)
                                         for lab in start.labs)})
    flat, steep = (sm.bust_share(sm.simulate(cal.with_values(hazard_slope=k), stressed, 20_000, 2)) for k in (0.0, 3.0))
    p = sm.simulate(cal, stressed, 2_000, 2)
    assert np.median(p.stress[:, -1]) > 0.2
    assert steep > flat + 0.05


def test_credit_events_come_mostly_in_a_bust(cal: sm.Calibration, start: sm.Start) -> None:
    p = sm.simulate(cal, start, 20_000, 8, hazard_scale=3.0)
    first = p.event.argmax(axis=1)
    had = p.event[:, -1]
    in_bust = p.regime[np.arange(p.n), first][had] == sm.BUST
    assert in_bust.mean() > 0.7


# ------------------------------------------------------------------------------------------- memory cycle

def test_memory_cycle_reverts_with_its_half_life() -> None:
    # an impulse that arrives at once (a huge arrival rate) then reverts at 0.7 a year: p_t = 0.4 exp(-0.7 t / 12)
    p = sm.memory_cycle(0.4, 0.7, 1e6, 24)
    assert p[0] == pytest.approx(0.4)
    assert p[12] == pytest.approx(0.4 * math.exp(-0.7))
    half_life = 12 * math.log(2) / 0.7  # 11.88 months: the deviation halves
    assert p[11] > 0.2 > p[12]
    assert half_life == pytest.approx(11.88, abs=0.01)
    # without reversion the impulse stays in the level (the old upward-only surge, here signed): 0.4 (1 - q^24)
    step = sm.memory_cycle(-0.4, 0.0, 2.0, 24)
    assert step[-1] == pytest.approx(-0.4 * (1 - math.exp(-2.0 / 12 * 24)))
    assert (np.diff(step) < 0).all()


def test_a_memory_price_fall_can_cut_chip_revenue_without_a_bust(cal: sm.Calibration, start: sm.Start) -> None:
    """No regime switch at all (quiet paths with a memory cycle): chip revenue can fall in the second year only if
    the memory price deviation reverts; with no reversion a price spike stays in the level."""
    q = _quiet(cal).with_values(memory_cycle_amplitude=0.4)
    start = dataclasses.replace(start, capex_momentum=0.1, chips_momentum=0.05)  # a cooled build-out: no boom either
    cycling, stuck = (sm.simulate(q.with_values(memory_price_reversion=k), start, 4_000, 3) for k in (1.4, 0.0))
    assert not (cycling.regime == sm.BUST).any()
    impulse = q["memory_cycle_amplitude"] * cycling.eps[[n for n, _ in sm.PER_PATH].index("memory_cycle")]
    spike = impulse > 0  # a memory price spike: with reversion, a fall follows; without, it stays in the level
    assert (sm.growth(cycling.chips[spike]) < 0).mean() > 0.1
    assert not (sm.growth(stuck.chips[spike]) < 0).any()
    # each path's chip revenue outside the build-out is its quiet trend times exp(memory_cycle(impulse))
    t = np.arange(1, start.horizon + 1) / 12
    a0 = start.buildout_share * start.chips
    quiet_other = (start.chips - a0) * np.exp(q["other_chips_growth_cooling"] * t)
    dev = sm.memory_cycle(float(impulse[0]), 1.4, q["memory_impulse_decay"], start.horizon)
    other = cycling.chips[0] - cycling.buildout_chips[0]
    assert np.allclose(other, quiet_other * np.exp(dev), rtol=1e-5)


# ------------------------------------------------------------------------------------------ financing state

def _no_raise(cal: sm.Calibration, buffer: float = 0.0) -> sm.Calibration:
    """Quiet paths, no raise, strain only when the money is gone (``buffer`` months of burn: 0)."""
    return _quiet(cal).with_values(funding_raise_hazard=0.0, funding_buffer_months=buffer)


def test_funds_run_out_at_the_runway_on_the_quiet_path(cal: sm.Calibration, start: sm.Start) -> None:
    q = _no_raise(cal)
    lab = start.labs[0]
    burn = sm.quiet_burn(q, start, lab, 12)
    assert burn[0] == pytest.approx(lab.cost_ratio * (0.5 * lab.revenue * math.exp(
        cal["lab_growth_boom"] / 12 + (lab.momentum - cal["lab_growth_boom"]) / 12 * math.exp(-cal["lab_growth_decay"] / 12))
        + 0.5 * lab.revenue * math.exp(start.capex_momentum / 12)) - lab.revenue * math.exp(
        cal["lab_growth_boom"] / 12 + (lab.momentum - cal["lab_growth_boom"]) / 12 * math.exp(-cal["lab_growth_decay"] / 12)))
    assert sm.funds_for_runway(q, start, lab, 10.5) == pytest.approx(burn[:10].sum() / 12 + 0.5 * burn[10] / 12)
    funded = st.with_financing(start, q, {"openai": (2026 + 10.5 / 12, 100.0)})
    p = sm.simulate(q, funded, 4, 0)
    short = p.unfunded["openai"]
    assert not short[:, :10].any() and short[:, 10:].all()  # out of funds from the eleventh month on
    assert "anthropic" not in p.unfunded


def test_a_lab_with_no_runway_raises_the_hazard(cal: sm.Calibration, start: sm.Start) -> None:
    q = _no_raise(cal)
    broke = st.with_financing(start, q, {"openai": (2026.0, 100.0)})
    a, b = sm.simulate(q, start, 4, 0), sm.simulate(q, broke, 4, 0)
    assert b.unfunded["openai"].all()
    # stress up by the weight of an unfunded lab: 1.0 x OpenAI's weight 0.75 over the weights' sum 1
    assert np.allclose(b.stress - a.stress, cal["stress_weight_unfunded"] * 0.75, atol=1e-6)
    # so the bust hazard is exp(1.5 x 0.75) = 3.08 times higher in every month, and credit events likelier
    full = cal.with_values(funding_raise_hazard=0.0)
    calm, short = (sm.simulate(full, s, 20_000, 4) for s in (start, st.with_financing(start, full, {"openai": (2026.0, 100.0)})))
    assert sm.bust_share(short) > sm.bust_share(calm) + 0.05
    assert short.event[:, -1].mean() > calm.event[:, -1].mean() + 0.2


def test_a_successful_raise_lowers_the_hazard(cal: sm.Calibration, start: sm.Start) -> None:
    sure = cal.with_values(funding_raise_hazard=50.0, funding_raise_earliest=0)  # a raise in the first month
    raised, never = (st.with_financing(start, c, {"openai": (2026.0, 500.0)}) for c in (sure, cal))
    p_raised = sm.simulate(sure, raised, 4_000, 4)
    p_never = sm.simulate(cal.with_values(funding_raise_hazard=0.0), never, 4_000, 4)
    assert not p_raised.unfunded["openai"].any() and p_never.unfunded["openai"][:, 0].all()
    assert sm.bust_share(p_raised) < sm.bust_share(p_never)
    with pytest.raises(ValueError, match="financing"):
        st.with_financing(start, cal, {"xai": (2028.0, 10.0)})


def test_strain_starts_at_the_buffer_not_at_the_last_dollar(cal: sm.Calibration, start: sm.Start) -> None:
    """With a buffer of six months of burn, a lab whose funds last 10.5 months is under strain from the month its
    funds fall to six months of that month's burn: on the quiet path, from month 4 or 5 (funds left after month t,
    F_t = funds - burn_0 - ... - burn_t over 12, against 6 x burn_t / 12)."""
    q = _no_raise(cal, buffer=6.0)
    funded = st.with_financing(start, q, {"openai": (2026 + 10.5 / 12, 100.0)})
    lab = funded.labs[0]
    burn = sm.quiet_burn(q, start, lab, 24)
    left = lab.funds - np.cumsum(burn) / 12
    first = int(np.argmax(left <= 6 * burn / 12))
    assert 3 <= first <= 5  # about 10.5 - 6 months in (burn rises month by month, so a little later)
    p = sm.simulate(q, funded, 4, 0)
    short = p.unfunded["openai"]
    assert not short[:, :first].any() and short[:, first:].all()
    assert np.allclose(p.burn["openai"][0], burn, rtol=1e-5)
    # no raise possible: strain by the horizon is certain; by a month before it starts, impossible
    assert np.allclose(sm.strain_probability(p, q, "openai"), 1.0)
    assert np.allclose(sm.strain_probability(p, q, "openai", by=first - 1), 0.0)


def test_strain_probability_integrates_the_raise_by_hand() -> None:
    """Constant burn of 12 a year (1 a month), funds 20: without a raise, funds left after month t are 19 - t, under
    strain (six months of burn: 6) from t = 13. A raise (hazard 0.1, from month 7) must not close in months 7..13: 7
    months, probability exp(-0.7) = 0.4966; a bust month counts at 0.2 of the hazard; by month 12: 0."""
    cal = sm.Calibration({"funding_buffer_months": 6.0, "funding_raise_hazard": 0.1, "funding_raise_earliest": 7.0,
                          "funding_raise_bust_ratio": 0.2})
    start = sm.Start(clock=st.CLOCK_2026, capex=1.0, capex_momentum=0.0, chips=1.0, chips_momentum=0.0,
                     buildout_share=0.5, labs=(sm.Lab("openai", 10.0, 0.0, 2.2, funds=20.0, raise_size=50.0),))
    z = np.zeros((2, 24), np.float32)
    regime = np.zeros((2, 24), np.int8)
    regime[1, 10:12] = sm.BUST  # two bust months inside the window
    p = sm.Paths(start, z, z, z, None, {}, z, z, z, regime, np.zeros((2, 24), bool),
                 burn={"openai": np.full((2, 24), 12.0, np.float32)})
    assert np.allclose(sm.strain_probability(p, cal, "openai"), [math.exp(-0.7), math.exp(-0.1 * 5 - 0.02 * 2)])
    assert np.allclose(sm.strain_probability(p, cal, "openai", by=12), 0.0)
    # buffer 0: strain only when the money is gone (t = 19): months 7..19, exp(-1.3)
    assert sm.strain_probability(p, cal.with_values(funding_buffer_months=0.0), "openai")[0] == pytest.approx(math.exp(-1.3))
    with pytest.raises(KeyError, match="anthropic"):
        sm.strain_probability(p, cal, "anthropic")


def test_simulated_strain_matches_its_probability(cal: sm.Calibration, start: sm.Start) -> None:
    """The simulation's strain flag (raises drawn) and :func:`strain_probability` (raises integrated out) agree."""
    q = _quiet(cal).with_values(funding_raise_hazard=0.1)
    funded = st.with_financing(start, q, {"openai": (2027.5, 100.0)})
    p = sm.simulate(q, funded, 20_000, 3)
    drawn = p.unfunded["openai"].any(axis=1).mean()
    assert 0.1 < drawn < 0.9
    assert sm.strain_probability(p, q, "openai").mean() == pytest.approx(drawn, abs=0.015)


# ------------------------------------------------------------------------------------------- reweighting

def test_transition_log_prob_hand_checked(cal: sm.Calibration, start: sm.Start) -> None:
    q = _quiet(cal).with_values(hazard_boom_cooling=0.04, hazard_bust=0.01, hazard_slope=0.0)
    p = sm.simulate(q, start, 2_000, 1)
    stayed = (p.regime == sm.BOOM).all(axis=1) & ~p.event[:, -1]
    lp = sm.transition_log_prob(p, q, 1.0)
    # a path that stays in the boom: 24 months of neither switch, (1 - p_bust - p_cooling)^24
    stay = 1 - (1 - math.exp(-0.01)) - (1 - math.exp(-0.04))
    assert lp[stayed][0] == pytest.approx(24 * math.log(stay), rel=1e-6)


def test_reweighting_reproduces_a_direct_rerun(cal: sm.Calibration, start: sm.Start) -> None:
    """Reweighting the central paths to the cooling hazard's high end gives what a new simulation there gives."""
    alt = cal.with_values(hazard_boom_cooling=cal.at("hazard_boom_cooling", "high"))
    base = sm.simulate(cal, start, 40_000, 2)
    w = np.exp(sm.transition_log_prob(base, alt, 1.0) - sm.transition_log_prob(base, cal, 1.0))
    w /= w.sum()
    direct = sm.simulate(alt, start, 40_000, 3)
    for flag in (lambda p: (p.regime == sm.BUST).any(axis=1), lambda p: sm.endings(p, alt) == 3):
        assert float(w[flag(base)].sum()) == pytest.approx(float(flag(direct).mean()), abs=0.015)
    # the memory amplitude and the capex momentum by a change of variable of one draw
    alt2 = cal.with_values(memory_cycle_amplitude=cal.at("memory_cycle_amplitude", "high"))
    w2 = np.exp(sm.draw_log_ratio(base, cal, alt2, capex_shift=-0.1))
    w2 /= w2.sum()
    shifted = dataclasses.replace(start, capex_momentum=start.capex_momentum - 0.1)
    direct2 = sm.simulate(alt2, shifted, 40_000, 3)
    assert float(w2 @ sm.growth(base.capex)) == pytest.approx(float(sm.growth(direct2.capex).mean()), abs=0.01)
    assert float(w2[sm.growth(base.chips) < 0].sum()) == pytest.approx(float((sm.growth(direct2.chips) < 0).mean()),
                                                                       abs=0.015)


def test_endings_read_calendar_years_or_december_over_december() -> None:
    arr = np.tile(np.arange(1.0, 25.0), (1, 1))
    assert sm.growth_window(arr, "calendar")[0] == pytest.approx(np.mean(np.arange(13, 25)) / np.mean(np.arange(1, 13)) - 1)
    assert sm.growth_window(arr, "december")[0] == pytest.approx(24 / 12 - 1)
    with pytest.raises(ValueError, match="window"):
        sm.growth_window(arr, "fiscal")


def test_simulate_rejects_bad_n_paths(cal: sm.Calibration, start: sm.Start) -> None:
    with pytest.raises(ValueError, match="n_paths"):
        sm.simulate(cal, start, 0)


# ------------------------------------------------------------------------------------------------ outcomes

def _fake(chips_years: tuple[float, float], capex_years: tuple[float, float], event: bool = False) -> sm.Paths:
    flat = lambda a, b: np.array([[a] * 12 + [b] * 12], dtype=float)  # noqa: E731
    z = np.zeros((1, 24))
    return sm.Paths(start=None, capex=flat(*capex_years), chips=flat(*chips_years), buildout_chips=z,
                    nvidia_dc=None, labs={}, spread=z, leverage=z, stress=z, regime=np.zeros((1, 24), np.int8),
                    event=np.full((1, 24), event))


@pytest.mark.parametrize("chips, capex, event, ending", [
    ((100, 84), (100, 110), False, "hard_landing"),  # chips -16%
    ((100, 100), (100, 79), False, "hard_landing"),  # capex -21%
    ((100, 99), (100, 99), True, "hard_landing"),  # a credit event and capex falling
    ((100, 99), (100, 101), True, "muddle_through"),  # a credit event, capex still growing: not hard
    ((100, 90), (100, 110), False, "muddle_through"),  # chips -10%
    ((100, 100), (100, 103), False, "muddle_through"),  # capex stalls
    ((100, 96), (100, 110), False, "soft_landing"),
    ((100, 120), (100, 120), False, "soft_landing"),  # capex +20%: not a boom
    ((100, 116), (100, 126), False, "continued_boom"),
])
def test_endings_are_defined_by_outcomes(cal, chips, capex, event, ending) -> None:
    code = sm.endings(_fake(chips, capex, event), cal)[0]
    assert sm.ENDINGS[code] == ending


def test_annual_total_and_growth() -> None:
    arr = np.array([np.r_[np.full(12, 10.0), np.arange(1, 13, dtype=float)]])
    assert sm.annual_total(arr, 0)[0] == 10 and sm.annual_total(arr, 1)[0] == 6.5
    assert sm.growth(arr)[0] == pytest.approx(-0.35)
    with pytest.raises(ValueError, match="not fully inside"):
        sm.annual_total(arr, 2)


def test_weighted_quantile_hand_checked() -> None:
    v, w = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 1.0, 1.0])
    assert sm.weighted_quantile(v, w, [0.5])[0] == pytest.approx(2.5)
    assert sm.weighted_quantile(v, np.array([0.0, 0.0, 1.0, 0.0]), [0.1, 0.9]).tolist() == [3.0, 3.0]
    with pytest.raises(ValueError, match="non-negative"):
        sm.weighted_quantile(v, -w, [0.5])


def test_bands_are_ordered(cal: sm.Calibration, start: sm.Start) -> None:
    p = sm.simulate(cal, start, 2_000, 1)
    b = sm.bands(p, "chips", np.full(p.n, 1 / p.n))
    assert len(b) == start.horizon
    assert (b["p5"] <= b["p25"]).all() and (b["p25"] <= b["p50"]).all() and (b["p75"] <= b["p95"]).all()
    assert (b["p95"] - b["p5"]).iloc[-1] > (b["p95"] - b["p5"]).iloc[0]  # bands widen


# --------------------------------------------------------------------------------------------- base rates

def _history(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"year": list(values), "revenue_usd_bn": list(values.values()),
                         "published": pd.Timestamp("2000-01-01")})


def test_base_rates_hand_counted() -> None:
    # growth: 2001 +25% (boom), 2002 -10%, 2003 +5%, 2004 -4%, 2005 +30% (boom; next years unknown)
    h = _history({2000: 100, 2001: 125, 2002: 112.5, 2003: 118.125, 2004: 113.4, 2005: 147.42})
    r = br.base_rates(h, 0.20, (0.05,)).iloc[0]
    assert (r["years"], r["falls_any_year"]) == (5, 1)
    assert (r["boom_years"], r["falls_second_year"], r["falls_within_two"]) == (1, 0, 1)
    # within two years of a start year: 2001 (2002 fell) yes, 2002 no (+5%, -4%), 2003 no (-4%, +30%) -> 1 of 3
    assert br.fall_counts(h, 0.05, 0.20) == (1, 3, 1, 1)
    target = br.hazard_target(h, 0.05, 0.20)
    assert target == pytest.approx(((1 + 1) / (3 + 2) + (1 + 1) / (1 + 2)) / 2)
    # the base rate's own ends are the two rates it averages, lower first: 2/5 = 40% and 2/3 = 67%
    lo, hi = br.hazard_target_range(h, 0.05, 0.20)
    assert (lo, hi) == pytest.approx((0.4, 2 / 3)) and lo <= target <= hi
    # without a boom year (boom line 50%): the smoothed rate less and plus one binomial standard error
    assert br.fall_counts(h, 0.05, 0.50) == (1, 3, 0, 0)
    assert br.hazard_target(h, 0.05, 0.50) == pytest.approx(0.4)
    lo, hi = br.hazard_target_range(h, 0.05, 0.50)
    p = (1 + 1) / (3 + 2)
    se = math.sqrt(p * (1 - p) / (3 + 2))
    assert (lo, hi) == pytest.approx((p - se, p + se))


def test_known_history_filters_by_publication(ev) -> None:
    h = ev.table("semis_history")
    assert br.known_history(h, "2000-01-01")["year"].max() == 1998  # the 1999 total came out in February 2000
    assert br.known_history(h, "2026-11-28")["year"].max() == 2025


def test_calibrated_hazard_reproduces_the_base_rate(cal: sm.Calibration, start: sm.Start) -> None:
    scale = sm.calibrate_hazard(cal, start, 0.4, n_paths=3_000, seed=1, iterations=10)
    assert sm.bust_share(sm.simulate(cal, start, 3_000, 1, hazard_scale=scale)) == pytest.approx(0.4, abs=0.02)
    with pytest.raises(ValueError, match="cannot be matched"):
        sm.calibrate_hazard(cal, start, 0.0001, n_paths=500, seed=1, iterations=2)


def test_causal_graph_covers_the_chain() -> None:
    nodes, edges = sm.causal_graph()
    assert {("gap", "stress"), ("spread", "stress"), ("leverage", "stress"), ("stress", "regime"),
            ("regime", "capex"), ("capex", "chips")} <= set(zip(edges["from"], edges["to"]))
    assert set(edges["from"]) | set(edges["to"]) <= set(nodes["id"])


def test_the_chapter_cache_key_covers_every_scenario_module() -> None:
    """A change in any module of the package re-executes the chapter (submodules are tracked, not just the package)."""
    from aicompute.pipeline import deps

    closure = deps.module_closure(deps.imported_modules(ROOT / "notebooks" / "05_scenarios.ipynb"))
    assert {f"scenarios.{m}" for m in ("model", "start", "baserates", "update", "signposts")} <= closure


def test_float32_normals_are_standard_normal() -> None:
    # Box-Muller from float32 uniforms: the shocks' mean, spread, tails and kurtosis match a standard normal
    z = sm.normal_f32(np.random.default_rng(5), (4, 250_001)).astype(np.float64)
    assert z.shape == (4, 250_001) and sm.normal_f32(np.random.default_rng(5), (3,)).dtype == np.float32
    assert np.array_equal(sm.normal_f32(np.random.default_rng(5), (7, 3)), sm.normal_f32(np.random.default_rng(5), (7, 3)))
    x = z.ravel()
    assert abs(x.mean()) < 0.005 and abs(x.std() - 1) < 0.005
    assert abs((np.abs(x) > 1.959964).mean() - 0.05) < 0.002  # two-sided 5% tail
    assert abs((np.abs(x) > 3.0).mean() - 0.0026998) < 0.0004  # two-sided 3-sigma tail
    assert abs(((x - x.mean()) ** 4).mean() / x.var() ** 2 - 3) < 0.05
    assert np.abs(x).max() <= math.sqrt(48 * math.log(2)) + 1e-4  # the cap the uniforms' resolution sets


# ------------------------------------------------------------------------------------ guided monthly shocks

def test_guide_conditional_hand_checked() -> None:
    """One reading of a random walk at month m (months 0..m summed, scale c, error sigma): the shocks' posterior mean
    is c r / (sigma^2 + c^2 (m + 1)) on each month up to m and zero after; their sum's variance shrinks to
    (m + 1) sigma^2 / (sigma^2 + c^2 (m + 1))."""
    h, m, c, sigma, r = 6, 2, 0.1, 0.05, 0.3
    w = np.zeros((1, h))
    w[0, m] = 1.0
    g = sm.Guide(3, w, np.array([r]), np.array([sigma]), np.array([1.0]), c)
    chol, gain = g.conditional()
    mu = gain @ np.array([r])
    assert np.allclose(mu[:m + 1], c * r / (sigma ** 2 + c ** 2 * (m + 1))) and np.allclose(mu[m + 1:], 0.0)
    cov = chol @ chol.T
    ones = np.r_[np.ones(m + 1), np.zeros(h - m - 1)]
    assert ones @ cov @ ones == pytest.approx((m + 1) * sigma ** 2 / (sigma ** 2 + c ** 2 * (m + 1)))
    assert cov[-1, -1] == pytest.approx(1.0)  # a month after the reading keeps its prior


def test_guided_shocks_keep_prior_expectations_exact(cal: sm.Calibration, start: sm.Start) -> None:
    """Drawing a lab's shocks towards a reading far from the prior, the importance weights give back the prior's
    mean run-rate (the same as a plain simulation, within Monte Carlo error)."""
    w = np.zeros((1, start.horizon))
    w[0, 5] = 1.0
    lab = start.labs[1]
    g = sm.Guide(4, w, np.array([math.log(3 * lab.revenue)]), np.array([0.1]), np.array([1.0]),
                 cal["lab_volatility"] / math.sqrt(12))
    k = len(sm.PER_PATH)
    prop = sm.Proposal(np.zeros(k), np.eye(k), 0.2, (g,))
    guided = sm.simulate(cal, start, 60_000, 8, proposal=prop)
    plain = sm.simulate(cal, start, 60_000, 9)
    x_g, x_p = np.log(guided.labs[lab.name][:, 5]), np.log(plain.labs[lab.name][:, 5])
    pw = guided.prior_weights
    assert float(pw @ x_g) == pytest.approx(float(x_p.mean()), abs=0.03)
    # and the guided draws do sit nearer the reading
    assert np.median(x_g) > np.median(x_p) + 0.2


def test_cancellations_rise_while_a_lab_is_out_of_funds() -> None:
    """Hand-checked: a count at 1 a year, the credit state flat, a lab out of funds from month 12 on: the months after
    it ran out (13 to 23) count at (1 + 4) / 12 each, the first thirteen at 1 / 12: 13/12 + 11 x 5/12 = 68/12."""
    cs = sm.CreditSeries(0.0, 1.5, 1.0, unfunded=4.0)
    st_ = sm.Start(clock=sm.dt.date(2026, 1, 1), capex=1, capex_momentum=0.5, chips=1, chips_momentum=0.5,
                   buildout_share=0.5, spread=100.0, credit={"c": cs})
    z = np.zeros((1, 24))
    unf = np.zeros((1, 24), dtype=bool)
    unf[:, 12:] = True
    p = sm.Paths(st_, z + 1, z + 1, z + 1, None, {}, z + 100, z, z, np.zeros((1, 24), np.int8),
                 np.zeros((1, 24), bool), unfunded={"openai": unf})
    assert p.variable("credit:c")[0, -1] == pytest.approx(68 / 12)
    assert p.variable("credit:c")[0, 12] == pytest.approx(13 / 12)
    funded = sm.Paths(st_, z + 1, z + 1, z + 1, None, {}, z + 100, z, z, np.zeros((1, 24), np.int8),
                      np.zeros((1, 24), bool), unfunded={"openai": ~unf & unf})
    assert funded.variable("credit:c")[0, -1] == pytest.approx(2.0)


# ------------------------------------------------------------------------------------ the defensive mixture

def test_defensive_log_weight_hand_checked() -> None:
    """``p / q = 1 / (d + (1 - d) g / p)``: with d = 0.2, g = p gives 1; g = 4 p gives 1 / 3.4; g -> 0 gives the
    bound 1 / d = 5. A guided proposal's largest weight: 1 / (0.2 x 0.05) = 100."""
    k = len(sm.PER_PATH)
    prop = sm.Proposal(np.zeros(k), np.eye(k), 0.2, guide_defensive=0.2)
    lw = prop.log_guide_weight(np.array([0.0, math.log(4.0), -800.0]))
    assert np.allclose(lw, [0.0, -math.log(3.4), math.log(5.0)])
    g = sm.Guide(3, np.ones((1, 24)) / 24, np.zeros(1), np.ones(1), np.ones(1), 0.1)
    assert sm.Proposal(np.zeros(k), np.eye(k), 0.2, (g,)).max_weight == pytest.approx(100.0)
    assert sm.Proposal(np.zeros(k), np.eye(k), 0.2).max_weight == pytest.approx(5.0)


def test_defensive_mixture_bounds_every_weight(cal: sm.Calibration, start: sm.Start) -> None:
    """A proposal far from the prior (every per-path quantity shifted by 3 sd, tight, and a lab's shocks drawn towards
    a reading far off): no path's importance weight exceeds 1 / (0.25 x 0.05) = 80, the paths drawn wholly from the
    prior come close to it, and the weights still give back the prior's mean of a per-path quantity (within Monte
    Carlo error). Same seed, same paths."""
    k = len(sm.PER_PATH)
    w = np.zeros((1, start.horizon))
    w[0, 5] = 1.0
    lab = start.labs[1]
    g = sm.Guide(4, w, np.array([math.log(3 * lab.revenue)]), np.array([0.05]), np.array([1.0]),
                 cal["lab_volatility"] / math.sqrt(12))
    prop = sm.Proposal(np.full(k, 3.0), 0.5 * np.eye(k), 0.25, (g,))
    p = sm.simulate(cal, start, 20_000, 3, proposal=prop)
    assert prop.max_weight == pytest.approx(80.0)
    assert p.log_iw.max() <= math.log(80.0) + 1e-9
    assert p.log_iw.max() > math.log(80.0) - 1e-3  # a path wholly from the prior, where the fitted parts are ~0
    x = p.eps[[n for n, _ in sm.PER_PATH].index("capex_boom")]
    pw = p.prior_weights  # the prior mean of a standard normal, within 4 Monte Carlo standard errors
    assert float(pw @ x) == pytest.approx(0.0, abs=4 / math.sqrt(up.ess(pw)))
    again = sm.simulate(cal, start, 20_000, 3, proposal=prop)
    assert np.array_equal(again.log_iw, p.log_iw) and np.array_equal(again.labs[lab.name], p.labs[lab.name])


def test_defensive_importance_sampling_recovers_a_known_posterior() -> None:
    """Toy 1-d case with a closed form: prior N(0, 1), one reading y = 2 with error 0.5, so the posterior is
    N(y / (1 + s^2), s^2 / (1 + s^2)) = N(1.6, 0.2). Draws from the defensive mixture of the prior and a poor fitted
    normal N(1, 0.8^2) (d = 0.2), weighted by likelihood x prior / mixture, give back the posterior mean and the
    posterior probability of x > 2 (1 - Phi(0.4 / sqrt(0.2)) = 0.1855); the weights over the likelihood never exceed
    1 / d; the Kish effective paths are (sum w)^2 / sum w^2."""
    rng = np.random.default_rng(11)
    n, d, m, sd, y, s = 200_000, 0.2, 1.0, 0.8, 2.0, 0.5
    prior_draw = rng.random(n) < d
    x = np.where(prior_draw, rng.standard_normal(n), m + sd * rng.standard_normal(n))
    log_p = -0.5 * x * x - 0.5 * math.log(2 * math.pi)
    log_q1 = -0.5 * ((x - m) / sd) ** 2 - math.log(sd) - 0.5 * math.log(2 * math.pi)
    log_iw = sm.Proposal(np.zeros(1), np.eye(1), guide_defensive=d).log_guide_weight(log_q1 - log_p)
    assert log_iw.max() <= math.log(1 / d) + 1e-12
    w = np.exp(log_iw - 0.5 * ((y - x) / s) ** 2)
    w /= w.sum()
    assert float(w @ x) == pytest.approx(1.6, abs=0.01)
    assert float(w @ (x > 2)) == pytest.approx(0.1855, abs=0.005)
    assert up.ess(np.array([1.0, 1.0, 2.0])) == pytest.approx(16 / 6)
    assert 0.3 * n < up.ess(w) < n


def test_a_credit_shock_halves_in_the_simulations_own_steps(cal) -> None:
    """Reversion 2 a year: a month keeps 1 - 2 / 12 = 0.8333 of a shock, so it halves in ln 2 / -ln 0.8333 = 3.80
    months (the continuous 12 ln 2 / 2 = 4.16 would overstate it); twice the reversion, under half the time."""
    assert sm.spread_half_life(cal.with_values(spread_mean_reversion=2.0)) == pytest.approx(3.8018, abs=1e-4)
    assert sm.spread_half_life(cal.with_values(spread_mean_reversion=4.0)) < 3.8018 / 2


# ------------------------------------------------------------------------------- the credit state's level

def _credit_quiet(cal: sm.Calibration, **values: float) -> sm.Calibration:
    """No regime switches, credit events or other randomness; the credit state's own draws as given."""
    return _quiet(cal).with_values(spread_mean_reversion=2.0, **values)


def test_the_credit_state_reverts_to_its_level_by_hand(cal: sm.Calibration, start: sm.Start) -> None:
    """Reversion 2 a year: a month keeps 5/6 of the gap to the level m, so with no shocks the state after t months is
    c0 (5/6)^t + m (1 - (5/6)^t). Start error 0.2 x 1 = 0.2, level 0.5 x -0.6 = -0.3: month 1 0.2 x 5/6 - 0.3 / 6 =
    0.116667, month 2 0.2 x 25/36 - 0.3 x 11/36 = 0.047222; with no start error -0.05 and -0.091667; after 24 months
    -0.3 + 0.5 x (5/6)^24 = -0.293710 (the level, less what is left of the gap)."""
    q = _credit_quiet(cal, spread_start_sd=0.2, spread_level_sd=0.5)
    d = sm.guide_path(q, start, 2, {"start_spread": np.array([1.0, 0.0]), "spread_level": np.array([-0.6, -0.6])})
    assert np.allclose(d[:, :2], [[0.116667, 0.047222], [-0.05, -0.091667]], atol=1e-6)
    assert d[0, -1] == pytest.approx(-0.293710, abs=1e-6)
    assert sm.spread_level(q, np.array([-0.6]))[0] == pytest.approx(-0.3)


def test_the_guides_credit_path_is_the_simulated_one_without_shocks(cal: sm.Calibration, start: sm.Start) -> None:
    """With no monthly shocks, regime switches or credit events, each simulated path's credit state is the Guide's
    ``D`` for the credit state (row 2) at the path's own draws: its start error and its level."""
    q = _credit_quiet(cal, spread_start_sd=0.2, spread_level_sd=0.5)
    p = sm.simulate(q, start, 300, 4)
    e = dict(zip((name for name, _ in sm.PER_PATH), p.eps))
    assert np.allclose(p.credit_state(), sm.guide_path(q, start, 2, e), atol=1e-5)
    assert np.ptp(p.credit_state()[:, -1]) > 1.0  # the paths settle at different levels


def test_a_zero_level_spread_keeps_the_old_credit_state(cal: sm.Calibration, start: sm.Start) -> None:
    """``spread_level_sd`` = 0: the credit state is the old one, ``c_t = keep c_(t-1) + shock`` from the start error
    (rebuilt here from the run's own draws); with a level, the same draws give that plus ``m (1 - keep^t)``."""
    vol = {"spread_volatility": 0.45, "spread_start_sd": 0.2}
    old, new = _credit_quiet(cal, spread_level_sd=0.0, **vol), _credit_quiet(cal, spread_level_sd=0.5, **vol)
    n, seed, keep = 400, 6, 1 - 2.0 / 12
    d = sm.draws(old, start, n, seed)
    z = sm.monthly_shocks(d, n)[2].astype(np.float64) * 0.45 / math.sqrt(12)
    x, by_hand = d["spread0"].copy(), np.empty((n, start.horizon))
    for t in range(start.horizon):
        x = keep * x + z[t]
        by_hand[:, t] = x
    a, b = sm.simulate(old, start, n, seed), sm.simulate(new, start, n, seed)
    assert np.allclose(a.credit_state(), by_hand, atol=1e-5)
    m = 0.5 * b.eps[[name for name, _ in sm.PER_PATH].index("spread_level")]
    decay = keep ** np.arange(1, start.horizon + 1)
    assert np.allclose(b.credit_state() - a.credit_state(), m[:, None] * (1 - decay[None, :]), atol=1e-5)


def test_the_levels_spread_reweights_by_a_change_of_variable(cal: sm.Calibration, start: sm.Start) -> None:
    """Halving ``spread_level_sd`` (0.5 to 0.25) re-expresses a draw of 1 as 2: log ratio -(4 - 1) / 2 + ln 2 =
    -0.806853. Reweighting a run at 0.5 to 0.7 gives the chance of a level below -0.5 there: Phi(-0.5 / 0.7) =
    0.2375 (0.1587 at 0.5)."""
    q = cal.with_values(spread_level_sd=0.5)
    p = sm.simulate(q, start, 2_000, 1)
    k = [name for name, _ in sm.PER_PATH].index("spread_level")
    p.eps[k, :2] = [1.0, 0.0]
    lr = sm.draw_log_ratio(p, q, q.with_values(spread_level_sd=0.25))
    assert lr[:2] == pytest.approx([-0.806853, math.log(2)], abs=1e-6)
    base = sm.simulate(q, start, 40_000, 2)
    w = np.exp(sm.draw_log_ratio(base, q, q.with_values(spread_level_sd=0.7)))
    w /= w.sum()
    low = base.eps[k] * 0.5 < -0.5
    assert float(low.mean()) == pytest.approx(0.1587, abs=0.01)
    assert float(w @ low) == pytest.approx(0.2375, abs=0.01)


def test_the_level_in_basis_points_by_hand(cal: sm.Calibration, start: sm.Start) -> None:
    """A start of 100 bp and a level spread of 0.5: draws 0, 1 and -1 settle at 100, 100 e^0.5 = 164.87 and
    100 e^-0.5 = 60.65 bp; before any reading the 5th and 95th percentiles are 100 e^(-/+ 0.5 x 1.6449) = 43.94 and
    227.60 bp, the median 100."""
    q = cal.with_values(spread_level_sd=0.5)
    p = sm.simulate(q, dataclasses.replace(start, spread=100.0), 3, 0)
    p.eps[[name for name, _ in sm.PER_PATH].index("spread_level")] = [0.0, 1.0, -1.0]
    assert np.allclose(sm.spread_level_bp(p, q), [100.0, 164.872, 60.653], atol=1e-3)
    assert np.allclose(sm.spread_level_prior(q, 100.0, [0.05, 0.5, 0.95]), [43.94, 100.0, 227.60], atol=0.01)
