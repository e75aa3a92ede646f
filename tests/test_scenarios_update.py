"""aicompute.scenarios.update and .signposts: readings, likelihoods that admit error, revisions, correlated
readings, bounded influence, the calibration grid, the predictive check."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from aicompute import data
from aicompute.narrative import scenarios as nar
from aicompute.paths import default_as_of
from aicompute.scenarios import baserates as br
from aicompute.scenarios import model as sm
from aicompute.scenarios import signposts as sg
from aicompute.scenarios import update as up

AS_OF = default_as_of()  # the report's date (report/params/default.yaml)


@pytest.fixture(scope="module")
def run(ev, cal, start) -> up.Run:
    target = br.hazard_target(ev.table("semis_history"), cal["base_rate_fall"], cal["boom_line"])
    return up.run(cal, start, ev.table("observations"), ev.table("signposts"), episode="ai_2026",
                  knowledge_date=ev.seed_date, day=AS_OF, n_paths=20_000, seed=4, target=target, adapt=4,
                  calibration_paths=800, iterations=8, widen=up.CHAPTER_WIDEN, min_ess=300, restarts=2)


def _readings(rows: list[dict]) -> pd.DataFrame:
    base = {"episode": "ai_2026", "entity": "X", "period_type": "month", "low": np.nan, "high": np.nan,
            "unit": "USD bn/yr", "kind": "actual", "basis": "reported", "revenue_basis": np.nan,
            "source_class": "secondary", "revises": np.nan, "source_id": "s", "note": ""}
    out = pd.DataFrame([{**base, **r} for r in rows])
    for c in ("published", "period"):
        out[c] = pd.to_datetime(out[c])
    return out


SIGNPOSTS = pd.DataFrame([
    {"id": "lab_a", "name": "Lab A run-rate", "model_variable": "lab:openai", "measure": "level", "factor": 1.0,
     "window_months": np.nan, "revenue_basis": "run-rate net", "model_error": 0.0, "unit": "USD bn/yr",
     "threshold": 20.0, "direction": "below", "rationale": ""},
    {"id": "chips_q", "name": "Chip sales in a quarter", "model_variable": "chips", "measure": "level", "factor": 4.0,
     "window_months": np.nan, "revenue_basis": np.nan, "model_error": 0.01, "unit": "USD bn", "threshold": 225.0,
     "direction": "below", "rationale": ""},
    {"id": "chips_3mma", "name": "Chip sales, 3-month average", "model_variable": "chips", "measure": "level",
     "factor": 12.0, "window_months": 3, "revenue_basis": np.nan, "model_error": 0.0, "unit": "USD bn",
     "threshold": 75.0, "direction": "below", "rationale": ""},
    {"id": "chips_year", "name": "Chip sales in a year", "model_variable": "chips", "measure": "level", "factor": 1.0,
     "window_months": np.nan, "revenue_basis": np.nan, "model_error": 0.03, "unit": "USD bn", "threshold": 975.0,
     "direction": "below", "rationale": ""},
    {"id": "gpu", "name": "GPU price", "model_variable": np.nan, "measure": np.nan, "factor": 1.0,
     "window_months": np.nan, "revenue_basis": np.nan, "model_error": 0.0, "unit": "USD/GPU-hour",
     "threshold": 1.7, "direction": "below", "rationale": ""},
])


# ------------------------------------------------------------------------------------------------ readings

def test_prepare_maps_each_reading_and_says_why_not(start: sm.Start) -> None:
    obs = _readings([
        dict(id="a", series="lab_a", published="2026-03-01", period="2026-02-01", value=25, revenue_basis="run-rate net"),
        dict(id="b", series="lab_a", published="2026-03-02", period="2026-02-01", value=30, revenue_basis="run-rate gross"),
        dict(id="c", series="gpu", published="2026-03-02", period="2026-02-01", value=2.3, unit="USD/GPU-hour"),
        dict(id="d", series="lab_a", published="2026-01-20", period="2025-12-01", value=20, revenue_basis="run-rate net"),
        dict(id="e", series="chips_year", published="2026-02-06", period="2025-01-01", period_type="year", value=792,
             unit="USD bn"),
        dict(id="f", series="chips_q", published="2026-05-06", period="2026-01-01", period_type="quarter", value=298.5,
             unit="USD bn"),
        dict(id="g", series="chips_3mma", published="2026-03-11", period="2026-01-01", value=77.4, unit="USD bn"),
        dict(id="h", series="chips_year", published="2026-06-02", period="2027-01-01", period_type="year", value=1914,
             unit="USD bn", kind="forecast"),
    ])
    r = up.prepare(obs, SIGNPOSTS, start, episode="ai_2026", knowledge_date="2026-01-28").set_index("id")
    assert r.loc["a", "status"] == "modelled" and (r.loc["a", "m0"], r.loc["a", "m1"]) == (1, 1)
    assert r.loc["b", "status"] == "another revenue basis (run-rate gross)"
    assert r.loc["c", "status"] == "watched, not modelled"
    assert r.loc["d", "status"].startswith("part of the start")
    assert r.loc["e", "status"] == "a year outside the horizon"
    assert (r.loc["f", "m0"], r.loc["f", "m1"], r.loc["f", "target"]) == (0, 2, 298.5 * 4)
    assert (r.loc["g", "m0"], r.loc["g", "m1"], r.loc["g", "target"]) == (-2, 0, pytest.approx(77.4 * 12))
    # months ahead: a forecast for 2027 published in June 2026 runs to January 2028
    assert r.loc["h", "months_ahead"] == 19 and (r.loc["h", "m0"], r.loc["h", "m1"]) == (12, 23)


def test_actuals_whose_months_overlap_share_a_cluster(start: sm.Start, cal: sm.Calibration) -> None:
    """January's three-month average (Nov-Jan), the first quarter (Jan-Mar) and April's average (Feb-Apr) read
    overlapping months of one quantity: one cluster, joined through the quarter, each counting 1 / (1 + 2 rho).
    July's average (May-Jul) overlaps none; a forecast of the year is an outlook and keeps its own cluster."""
    obs = _readings([
        dict(id="jan", series="chips_3mma", published="2026-03-11", period="2026-01-01", value=82.5, unit="USD bn"),
        dict(id="q1", series="chips_q", published="2026-05-04", period="2026-01-01", period_type="quarter",
             value=298.5, unit="USD bn"),
        dict(id="apr", series="chips_3mma", published="2026-06-05", period="2026-04-01", value=110.5, unit="USD bn"),
        dict(id="jul", series="chips_3mma", published="2026-09-05", period="2026-07-01", value=120, unit="USD bn"),
        dict(id="fc", series="chips_year", published="2026-06-02", period="2026-01-01", period_type="year", value=1500,
             unit="USD bn", kind="forecast"),
    ])
    r = up.prepare(obs, SIGNPOSTS, start, episode="ai_2026", knowledge_date="2026-01-28").set_index("id")
    assert r.loc["jan", "cluster"] == r.loc["q1", "cluster"] == r.loc["apr", "cluster"]
    assert len({r.loc["jan", "cluster"], r.loc["jul", "cluster"], r.loc["fc", "cluster"]}) == 3
    s = pd.Series(up.scales(r.reset_index(), "2026-11-28", cal), index=r.index)
    w, rho = cal["evidence_weight"], cal["cluster_correlation"]
    assert s[["jan", "q1", "apr"]].tolist() == pytest.approx([w / (1 + 2 * rho)] * 3)
    assert (s["jul"], s["fc"]) == (pytest.approx(w), pytest.approx(w))
    # primary readings only: the secondary copies weigh nothing and leave their clusters' counts (the quarter,
    # primary, then counts in full: 1 / (1 + 0 rho)), as if they had never been staged
    prim = r.reset_index().assign(source_class=lambda d: np.where(d["id"].isin(["q1", "jul"]), "primary", "secondary"))
    only = pd.Series(up.setting_scales(prim, "2026-11-28", cal, up.Setting("sources", "primary", readings="primary")),
                     index=prim["id"])
    assert only[["jan", "apr", "fc"]].tolist() == [0, 0, 0] and only[["q1", "jul"]].tolist() == pytest.approx([w, w])
    # the count is of the cluster's readings published by the day: in April only January's is out
    early = pd.Series(up.scales(r.reset_index(), "2026-04-30", cal), index=r.index)
    assert early["jan"] == pytest.approx(w) and early["q1"] == early["apr"] == 0


def test_a_revision_replaces_the_earlier_reading(start: sm.Start, cal: sm.Calibration) -> None:
    obs = _readings([
        dict(id="v1", series="chips_year", published="2026-02-06", period="2026-01-01", period_type="year",
             value=1000, unit="USD bn", kind="forecast", entity="SIA"),
        dict(id="v2", series="chips_year", published="2026-05-06", period="2026-01-01", period_type="year",
             value=1050, unit="USD bn", kind="forecast", entity="SIA"),
        dict(id="w1", series="chips_year", published="2026-04-14", period="2026-01-01", period_type="year",
             value=1300, unit="USD bn", kind="forecast", entity="Gartner"),
        dict(id="x1", series="lab_a", published="2026-03-01", period="2026-02-01", value=25,
             revenue_basis="run-rate net"),
        dict(id="x2", series="lab_a", published="2026-06-01", period="2026-05-01", value=24,
             revenue_basis="run-rate net", revises="x1"),
    ])
    r = up.prepare(obs, SIGNPOSTS, start, episode="ai_2026", knowledge_date="2026-01-28")
    repl = r.set_index("id")["replaced_on"]
    assert repl["v1"] == pd.Timestamp("2026-05-06") and pd.isna(repl["v2"]) and pd.isna(repl["w1"])
    assert repl["x1"] == pd.Timestamp("2026-06-01")  # named in 'revises'
    s = pd.Series(up.scales(r, "2026-11-28", cal), index=r["id"])
    w, rho = cal["evidence_weight"], cal["cluster_correlation"]
    assert s["v1"] == 0 and s["x1"] == 0  # replaced
    # SIA's May forecast and Gartner's share an error (same quantity and year): k = 2 count as 2 / (1 + rho)
    assert s["v2"] == s["w1"] == pytest.approx(w / (1 + rho))
    assert s["x2"] == pytest.approx(w)
    before = pd.Series(up.scales(r, "2026-03-01", cal), index=r["id"])
    assert before["v1"] == pytest.approx(w) and before["w1"] == 0  # not yet published
    # the range's "actual readings only" setting: forecasts weigh nothing, the actual keeps its weight; the
    # default setting weighs as scales() does
    actual = pd.Series(up.setting_scales(r, "2026-11-28", cal, up.Setting("readings", "actual", readings="actual")),
                       index=r["id"])
    assert (actual[["v1", "v2", "w1", "x1"]] == 0).all() and actual["x2"] == pytest.approx(w)
    assert list(up.setting_scales(r, "2026-11-28", cal, up.Setting("central", "central"))) == list(s)
    with pytest.raises(ValueError, match="readings"):
        up.setting_scales(r, "2026-11-28", cal, up.Setting("readings", "x", readings="forecast"))
    bad = obs.assign(revises=["", "", "", "", "nope"])
    with pytest.raises(ValueError, match="revises"):
        up.prepare(bad.replace("", np.nan), SIGNPOSTS, start, episode="ai_2026", knowledge_date="2026-01-28")


def test_error_floors_by_basis(start: sm.Start, cal: sm.Calibration) -> None:
    obs = _readings([
        dict(id="act_p", series="lab_a", published="2026-03-01", period="2026-02-01", value=25,
             revenue_basis="run-rate net", source_class="primary"),
        dict(id="act_s", series="lab_a", published="2026-03-01", period="2026-02-01", value=25,
             revenue_basis="run-rate net"),
        dict(id="fc", series="chips_year", published="2026-06-02", period="2026-01-01", period_type="year",
             value=1510, unit="USD bn", kind="forecast", low=1400, high=1600),
    ])
    r = up.prepare(obs, SIGNPOSTS, start, episode="ai_2026", knowledge_date="2026-01-28").set_index("id")
    sig = pd.Series(up.sigmas(r.reset_index(), cal), index=r.index)
    m = cal["secondary_floor_multiplier"]
    assert sig["act_p"] == pytest.approx(cal["floor_actual"])
    assert sig["act_s"] == pytest.approx(cal["floor_actual"] * m)
    floor = (cal["floor_forecast"] + 7 * cal["floor_forecast_per_month"]) * m  # June to the end of December: 7 months
    assert sig["fc"] == pytest.approx(math.sqrt(floor ** 2 + 0.03 ** 2 + (math.log(1600 / 1400) / 4) ** 2))
    assert sig["act_p"] < sig["act_s"] < sig["fc"]
    low = up.sigmas(r.reset_index(), cal, "low")
    assert (low <= sig.to_numpy()).all()


def test_student_t_likelihood_hand_checked(start: sm.Start, cal: sm.Calibration) -> None:
    """Two paths: one on the reading, one 30% off; their log-likelihood gap is the t density's."""
    p = sm.simulate(sm.Calibration({**cal.values, "lab_start_sd": 0.0}, cal.ranges), start, 2, 0)
    level = p.labs["openai"][:, 1].astype(float)
    obs = _readings([dict(id="a", series="lab_a", published="2026-03-01", period="2026-02-01",
                          value=float(level[0]), revenue_basis="run-rate net")])
    r = up.prepare(obs, SIGNPOSTS, start, episode="ai_2026", knowledge_date="2026-01-28")
    ll = up.log_likelihoods(r, p, cal)
    sig, nu = up.sigmas(r, cal)[0], cal["t_df"]
    x = math.log(level[0] / level[1]) / sig
    assert ll[0, 0] - ll[0, 1] == pytest.approx((nu + 1) / 2 * math.log1p(x * x / nu), rel=1e-4)
    assert ll.max() == 0  # relative to the best path


def test_window_months_before_the_clock_count_at_the_start(start: sm.Start, cal: sm.Calibration) -> None:
    p = sm.simulate(cal, start, 50, 1)
    obs = _readings([dict(id="g", series="chips_3mma", published="2026-03-11", period="2026-01-01", value=77.4,
                          unit="USD bn")])
    r = up.prepare(obs, SIGNPOSTS, start, episode="ai_2026", knowledge_date="2026-01-28")
    q = up._quantity(p, next(r.itertuples(index=False)))
    assert np.allclose(q, (2 * p.initial["chips"] + p.chips[:, 0]) / 3)


# ------------------------------------------------------------------------------------- bounded influence

def test_a_quarter_before_the_clock_reads_the_starting_capex_level(start: sm.Start, cal: sm.Calibration) -> None:
    """The big four's Q4 2025 capex (a quarter ending the month before the clock) times 4 is an annual run-rate read
    against each path's starting level: 128 a quarter maps to 512 a year, and the path that starts nearest it wins."""
    sp = pd.concat([SIGNPOSTS, pd.DataFrame([{
        "id": "capex_q", "name": "Capex in a quarter", "model_variable": "capex", "measure": "level", "factor": 4.0,
        "window_months": np.nan, "revenue_basis": np.nan, "model_error": 0.05, "unit": "USD bn", "threshold": 114.0,
        "direction": "below", "rationale": ""}])], ignore_index=True)
    obs = _readings([dict(id="q4", series="capex_q", published="2026-02-06", period="2025-10-01",
                          period_type="quarter", value=128, unit="USD bn"),
                     dict(id="q3", series="capex_q", published="2026-02-06", period="2025-07-01",
                          period_type="quarter", value=114, unit="USD bn")])
    r = up.prepare(obs, sp, start, episode="ai_2026", knowledge_date="2026-01-28").set_index("id")
    assert r.loc["q4", "status"] == "modelled"
    assert (r.loc["q4", "m0"], r.loc["q4", "m1"], r.loc["q4", "target"]) == (-3, -1, 512)
    assert r.loc["q3", "status"] == "a period before the clock"  # ends two months before it: not read
    p = sm.simulate(cal, start, 40, 2)
    q4 = r.loc[["q4"]].reset_index()
    assert np.allclose(up._quantity(p, next(q4.itertuples(index=False))), p.initial["capex"])
    ll = up.log_likelihoods(q4, p, cal)[0]
    k0 = p.initial["capex"]
    assert np.argmax(ll) == np.argmin(np.abs(np.log(k0 / 512)))
    # hand-checked t density between the best path and one whose start is 10% above 512
    sig, nu = up.sigmas(q4, cal)[0], cal["t_df"]
    assert sig == pytest.approx(math.sqrt((cal["floor_actual"] * cal["secondary_floor_multiplier"]) ** 2 + 0.05 ** 2))
    p2 = sm.simulate(cal, start, 2, 0)
    p1 = dataclasses.replace(p2, initial={**p2.initial, "capex": np.array([512.0, 512 * 1.1])})
    ll1 = up.log_likelihoods(q4, p1, cal)[0]
    x = math.log(1.1) / sig
    assert ll1[0] == 0 and ll1[0] - ll1[1] == pytest.approx((nu + 1) / 2 * math.log1p(x * x / nu))


def test_bound_cap() -> None:
    assert up.bound_cap(0.3) == pytest.approx(2 * math.log(1.3 / 0.7))
    with pytest.raises(ValueError, match="bound"):
        up.bound_cap(1.0)


@pytest.mark.parametrize("seed", range(6))
def test_no_single_reading_moves_an_ending_by_more_than_its_bound(seed: int) -> None:
    """A reading that, taken at face value, would settle the question is tempered: adding it to any prior and any
    other readings moves no ending (and no union of endings) by more than the bound."""
    rng = np.random.default_rng(seed)
    n, b = 4_000, 0.3
    codes = rng.integers(0, 4, n)
    prior = rng.dirichlet(np.ones(4))[codes] * rng.random(n)
    ll = np.vstack([np.where(codes == 0, 0.0, -40.0),  # decisive for the hard landing
                    -rng.random(n) * 3, -((codes == 2) * 5.0)])  # two ordinary readings
    s, cap = np.array([1.0, 0.7, 0.7]), np.full(3, up.bound_cap(b))
    w, alpha = up.weights(ll, s, codes, cap, prior, return_alpha=True)
    assert alpha[0] < 0.1 and (alpha <= 1).all()
    logw = np.log(prior / prior.sum()) + (alpha * s) @ ll
    for i in range(3):
        wo = np.exp(logw - alpha[i] * s[i] * ll[i] - (logw - alpha[i] * s[i] * ll[i]).max())
        wo /= wo.sum()
        with_, without = up.odds(codes, w), up.odds(codes, wo)
        for e in sm.ENDINGS:
            assert abs(with_[e] - without[e]) <= b + 1e-6
        soft_or_boom = lambda o: o["soft_landing"] + o["continued_boom"]  # noqa: E731
        assert abs(soft_or_boom(with_) - soft_or_boom(without)) <= b + 1e-6
    plain = up.weights(ll, s, prior=prior)  # without the bound the decisive reading settles it
    assert up.odds(codes, plain)["hard_landing"] > 0.99


def test_in_the_chapter_no_secondary_reading_moves_an_ending_beyond_the_bound(run: up.Run, cal) -> None:
    infl = up.influence(run, cal)
    assert len(infl) == int((up.scales(run.readings, AS_OF, cal) > 0).sum()) > 10
    sec = infl[infl["source_class"] == "secondary"]
    assert len(sec) and (sec["largest"] <= cal["secondary_bound"] + 1e-6).all()
    assert (infl["largest"] <= cal["primary_bound"] + 1e-6).all()


def test_a_readings_shift_of_the_first_years_chip_revenue_and_the_growth_from_it_by_hand(cal) -> None:
    """Two paths: A flat at 100 both years, B at 200 then 100 (a 50% fall). One reading favours B (likelihood 1
    against 1/4, raised to its scale ``s``); both paths end alike, so nothing is tempered. With it B weighs
    1 / (1 + 4**-s); without it the paths weigh half each."""
    from types import SimpleNamespace

    chips = np.array([[100.0] * 24, [200.0] * 12 + [100.0] * 12])
    readings = pd.DataFrame({"id": ["x"], "source_class": ["primary"], "published": [pd.Timestamp("2026-02-01")],
                             "replaced_on": [pd.NaT], "cluster": ["x"]})
    r = SimpleNamespace(readings=readings, day=pd.Timestamp("2026-03-01"), ll=np.array([[math.log(0.25), 0.0]]),
                        codes=np.array([0, 0]), best=SimpleNamespace(prior=np.array([0.5, 0.5])),
                        paths=SimpleNamespace(chips=chips))
    s = float(up.scales(readings, r.day, cal)[0])
    b = 1 / (1 + 0.25 ** s)
    out = up.influence(r, cal).iloc[0]
    assert out["chip_base"] == pytest.approx((100 * (1 - b) + 200 * b) / 150 - 1)
    assert out["chip_growth"] == pytest.approx(-0.5 * b - (-0.25))
    assert out["chip_base"] > 0 > out["chip_growth"]  # a strong first year leaves more to fall
    assert out["hard_landing"] == pytest.approx(0.0)  # both paths end alike
    assert out["se"] == 0.0  # and a certain share has no Monte Carlo error


def test_log_likelihoods_at_every_floor_end_at_once(run: up.Run, cal) -> None:
    """Each reading's counterpart computed once for all floor ends gives the same rows as one floor end at a time, and
    a tighter floor never raises a reading's log-likelihood (each row is at most 0: the exact match)."""
    by = up.log_likelihoods_by_floor(run.readings, run.paths, cal, up.GRID_ENDS)
    for f in up.GRID_ENDS:
        assert np.array_equal(by[f], up.log_likelihoods(run.readings, run.paths, cal, f))
    assert (by["low"] <= by["high"] + 1e-12).all() and (by["central"] <= 0).all()


def test_weights_without_readings_are_the_prior() -> None:
    prior = np.array([1.0, 3.0])
    assert up.weights(np.zeros((1, 2)), np.zeros(1), prior=prior) == pytest.approx([0.25, 0.75])
    assert up.weights(np.array([[0.0, -math.log(3)]]), np.ones(1), prior=prior) == pytest.approx([0.5, 0.5])


# ------------------------------------------------------------------------------------------- a whole run

def test_run_uses_only_readings_after_the_seed_and_by_the_as_of(run: up.Run, ev) -> None:
    mod = run.readings
    assert (mod["published"] > pd.Timestamp(ev.seed_date)).all()
    assert (mod["published"] <= pd.Timestamp(AS_OF)).all()
    assert not mod["series"].isin(["openai_revenue_recognised", "capex_guidance_meta"]).any()
    assert set(mod["status"]) == {"modelled"}
    w = run.weights
    # a valid importance sample; how many effective paths a run keeps is checked on the chapter's own run
    # (test_notebooks: up.MIN_EFFECTIVE_PATHS), not on this 20,000-path run
    assert w.sum() == pytest.approx(1) and (w >= 0).all() and 1 <= up.ess(w) <= len(w)


def test_months_after_the_latest_reading_are_simulated_not_frozen(run: up.Run) -> None:
    b = sm.bands(run.paths, "chips", run.weights)
    width = (b["p95"] - b["p5"]) / b["p50"]
    assert width.iloc[-1] > 1.5 * width.iloc[6]  # July 2026 (the last readings) to December 2027


def test_history_at_the_start_is_the_base_rate_prior(run: up.Run, cal) -> None:
    h = up.history(run.readings, run.rounds, ["2026-01-31", AS_OF], cal)
    assert h["readings"].tolist()[0] == 0 and h["readings"].tolist()[1] > 10
    assert h[list(sm.ENDINGS)].sum(axis=1).to_numpy() == pytest.approx([1, 1])
    p0 = run.rounds[0]
    assert h.iloc[0]["hard_landing"] == pytest.approx(float(p0.prior[p0.codes == 0].sum()))


def test_early_as_of_has_no_evidence_yet(cal, start) -> None:
    early = data.evidence("2026-02-01")
    r = up.run(cal, start, early.table("observations"), early.table("signposts"), episode="ai_2026",
               knowledge_date=early.seed_date, day="2026-02-01", n_paths=500, seed=1, target=0.4, adapt=2,
               calibration_paths=300, iterations=4)
    assert len(r.rounds) == 1 and np.allclose(r.weights, 1 / 500)


def test_a_collapsed_adaptation_starts_again_from_the_prior(ev, cal, start) -> None:
    """Below ``min_ess`` the run adapts again from the prior sample with other seeds, at most ``restarts`` times,
    and keeps its richest round: the first attempt is the run without a floor (same seeds), so the kept round is
    never poorer; a floor met at once changes nothing."""
    kw = dict(episode="ai_2026", knowledge_date=ev.seed_date, day=AS_OF, n_paths=600, seed=3, target=0.4, adapt=2,
              calibration_paths=300, iterations=4)
    obs, sp = ev.table("observations"), ev.table("signposts")
    one = up.run(cal, start, obs, sp, **kw)
    assert len(one.rounds) == 1 + 2
    never = up.run(cal, start, obs, sp, min_ess=float("inf"), restarts=2, **kw)  # an unreachable floor
    assert len(never.rounds) == 1 + 3 * 2
    assert all(np.array_equal(a.codes, b.codes) for a, b in zip(one.rounds, never.rounds))  # attempt 0 is the run
    assert up.ess(never.weights) >= up.ess(one.weights)
    met = up.run(cal, start, obs, sp, min_ess=1.0, restarts=2, **kw)
    assert len(met.rounds) == 3 and np.array_equal(met.weights, one.weights)


def test_grid_ranges_hold_the_central_setting(ev, cal, start) -> None:
    g, runs = up.grid(cal, start, ev.table("observations"), ev.table("signposts"), episode="ai_2026",
                      knowledge_date=ev.seed_date, days=["2026-03-31", AS_OF], n_paths=800, seed=2, target=0.45,
                      adapt=1, calibration_paths=300, iterations=4)
    final = g[g["date"] == pd.Timestamp(AS_OF)]
    assert len(final) == 27 and set(runs) == {"low", "central", "high"}
    central = final[(final["hazard_slope"] == "central") & (final["floor"] == "central")
                    & (final["evidence_weight"] == "central")].iloc[0]
    for e in sm.ENDINGS:
        assert final[e].min() <= central[e] <= final[e].max()
    assert len(g[g["date"] == pd.Timestamp("2026-03-31")]) == 3  # other settings only on the range days
    assert (g["base_rate"] == "central").all()


def test_the_base_rate_ends_widen_the_range_and_move_the_hard_landing(ev, cal, start) -> None:
    kw = dict(episode="ai_2026", knowledge_date=ev.seed_date, days=["2026-01-31", AS_OF], n_paths=800, seed=2,
              target=0.45, adapt=1, calibration_paths=600, iterations=8)
    g, runs = up.grid(cal, start, ev.table("observations"), ev.table("signposts"), target_range=(0.30, 0.60), **kw)
    final = g[g["date"] == pd.Timestamp(AS_OF)]
    assert len(final) == 29 and set(runs) == {"low", "central", "high"}
    ends = final[final["base_rate"] != "central"].set_index("base_rate")
    assert (ends[["hazard_slope", "floor", "evidence_weight"]] == "central").all().all()
    # the range over all 29 settings contains every one of them, the base-rate ends included
    for e in sm.ENDINGS:
        assert final[e].min() <= ends[e].min() and ends[e].max() <= final[e].max()
    # a higher base rate means a larger bust hazard and more hard landings before any reading (common random
    # numbers: same seed). The posterior odds of these small test runs (a few effective paths) are too noisy to
    # order, so the prior is compared.
    lo_run, hi_run = (up.run(cal, start, ev.table("observations"), ev.table("signposts"), episode="ai_2026",
                             knowledge_date=ev.seed_date, day=AS_OF, n_paths=4000, seed=2, target=t, adapt=0,
                             calibration_paths=600, iterations=8) for t in (0.30, 0.60))
    assert lo_run.hazard_scale < hi_run.hazard_scale
    prior_hard = [float(r.best.prior[r.best.codes == 0].sum()) for r in (lo_run, hi_run)]
    assert prior_hard[0] + 0.03 < prior_hard[1]
    with pytest.raises(ValueError, match="target_range"):
        up.grid(cal, start, ev.table("observations"), ev.table("signposts"), target_range=(0.5, 0.6), **kw)


# ---------------------------------------------------------------------------------------------- signposts

def test_lab_table_keeps_each_lab_on_its_own_basis(run: up.Run) -> None:
    t = nar.lab_table(run.all_readings, {"openai_revenue": "OpenAI", "anthropic_revenue": "Anthropic"})
    assert set(t["lab"]) == {"OpenAI", "Anthropic"}
    assert t[t["lab"] == "OpenAI"]["basis"].str.contains("net|recognised").all()
    assert t[(t["lab"] == "Anthropic") & t["status"].eq("modelled")]["basis"].str.contains("gross").all()
    assert not t["lab"].str.contains(r"\+").any()  # never a combined row


def test_predictive_check_flags_a_median_outside_every_projection(run: up.Run) -> None:
    w = run.weights
    med = sm.weighted_quantile(sm.annual_total(run.paths.chips, 1), w, [0.5])[0]
    proj = pd.DataFrame({"model_variable": ["chips", "chips", "capex"], "year": [2027, 2027, 2027],
                         "value": [2 * med, 3 * med, 1.0], "publisher": ["A", "B", "C"]})
    t = sg.predictive_check(run.paths, w, proj, {"chips": "chips", "capex": "capex"}).set_index("quantity")
    assert t.loc["chips"].query("year == 2027")["median outside all"].item() == "below"
    assert t.loc["chips"].query("year == 2027")["band excludes all"].item() == "yes"
    assert t.loc["chips"].query("year == 2026")["median outside all"].item() == "no projection"
    assert t.loc["capex"].query("year == 2027")["median outside all"].item() == "above"


def test_predictive_check_lists_every_number_its_range_uses(run: up.Run) -> None:
    # the range of 2026 counts the guidance's stated 685-725 and the 2027 one 920-1,400: both are listed
    proj = pd.DataFrame({"model_variable": ["capex"] * 5, "year": [2026, 2026, 2026, 2027, 2027],
                         "value": [720.0, 367.0, 710.0, 882.0, 1100.0], "low": [np.nan, np.nan, 685.0, np.nan, 920.0],
                         "high": [np.nan, np.nan, 725.0, np.nan, 1400.0],
                         "publisher": ["MS Feb", "MS Jul", "Guidance", "MS Feb", "GS Jun"]})
    t = sg.predictive_check(run.paths, run.weights, proj, {"capex": "capex"}).set_index("year")
    assert (t.loc[2026, "lowest"], t.loc[2026, "highest"]) == (367.0, 725.0)
    assert t.loc[2026, "projections used"] == [("MS Feb", 720.0, 720.0, 720.0), ("MS Jul", 367.0, 367.0, 367.0),
                                               ("Guidance", 710.0, 685.0, 725.0)]
    assert (t.loc[2027, "lowest"], t.loc[2027, "highest"]) == (882.0, 1400.0)
    shown = nar.predictive_table(t.reset_index()).set_index("year")["published by"]
    assert shown[2026] == "MS Feb: 720; MS Jul: 367; Guidance: 710 (685–725)"
    assert shown[2027] == "MS Feb: 882; GS Jun: 1,100 (920–1,400)"
    # a one-sided statement ('above 527': low = value) adds nothing beyond the value
    assert nar.projection_text("GS", 527.0, 527.0, 527.0) == "GS: 527"
    assert nar.projection_text("X", 12345.0, 12000.0, 12345.0) == "X: 12,345 (12,000–12,345)"



def test_watch_list_compares_thresholds_on_the_model_scale(run: up.Run, ev) -> None:
    wl = sg.watch_list(run.paths, run.weights, ev.table("signposts"), run.all_readings, AS_OF)
    assert wl["p_cross"].between(0, 1).all() and wl["p_cross"].is_monotonic_decreasing
    nv = wl[wl["signpost_id"] == "nvidia_dc_revenue"].iloc[0]
    assert nv["threshold"] == 62.3 and nv["latest"] == 75.2  # a quarter's revenue, compared x4 with the run-rate
    assert nv["latest_period_type"] == "quarter" and nv["latest_period"].day == 1


def test_watch_list_sets_the_threshold_against_the_as_of_years_reading(run: up.Run) -> None:
    # WSTS's spring release gives 2026 (1,510) and 2027 (1,914) the same day; the 975 line is set against 2026's
    rd = _readings([
        {"id": "aut26", "series": "chips_year", "published": "2025-12-02", "period": "2026-01-01", "value": 975.0},
        {"id": "spr26", "series": "chips_year", "published": "2026-06-02", "period": "2026-01-01", "value": 1510.0},
        {"id": "spr27", "series": "chips_year", "published": "2026-06-02", "period": "2027-01-01", "value": 1914.0},
    ]).assign(period_type="year", unit="USD bn", status="modelled")
    wl = sg.watch_list(run.paths, run.weights, SIGNPOSTS[SIGNPOSTS["id"] == "chips_year"], rd, "2026-11-28").iloc[0]
    assert (wl["latest"], wl["latest_period"], wl["latest_period_type"], str(wl["latest_published"])) == (
        1510.0, pd.Timestamp("2026-01-01"), "year", "2026-06-02")
    # in 2027 the 2027 forecast is the one that counts
    assert sg.latest_reading(rd, "2027-02-01")["id"] == "spr27"
    # before 2026 began, the nearest year forecast (the only one then published)
    early = rd[rd["published"] <= "2025-12-31"]
    assert sg.latest_reading(early, "2025-12-31")["value"] == 975.0
    assert sg.latest_reading(rd.iloc[0:0], "2026-11-28") is None



def test_monte_carlo_error_of_a_weighted_share() -> None:
    # hand-checked: sqrt(0.25 * 0.75 / 100) = 0.0433; sqrt(0.5 * 0.5 / 400) = 0.025; a certain share has none
    assert up.mc_error(0.25, 100) == pytest.approx(0.0433013, abs=1e-6)
    assert np.allclose(up.mc_error(np.array([0.5, 1.0]), np.array([400, 50])), [0.025, 0.0])
    # the effective number of paths of equal weights is the number of paths
    assert up.ess(np.full(250, 0.004)) == pytest.approx(250)
    # the chapter's floor keeps the error of any share within a point: sqrt(0.25 / 2,500) = 0.01
    assert up.mc_error(0.5, up.MIN_EFFECTIVE_PATHS) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="mc_error"):
        up.mc_error(0.5, 0)
    with pytest.raises(ValueError, match="mc_error"):
        up.mc_error(1.2, 10)


# ------------------------------------------------------------------------------------------ the credit channel

CREDIT_SIGNPOSTS = pd.DataFrame([
    {"id": "hy", "name": "High-yield spread", "model_variable": "credit:hy_oas", "measure": "level", "factor": 1.0,
     "window_months": np.nan, "revenue_basis": np.nan, "model_error": 0.1, "unit": "bp", "threshold": 500.0,
     "direction": "above", "rationale": ""},
    {"id": "cancel", "name": "Cancellations", "model_variable": "credit:contract_cancellations", "measure": "count",
     "factor": 1.0, "window_months": np.nan, "revenue_basis": np.nan, "model_error": 0.5, "unit": "count",
     "threshold": 3.0, "direction": "above", "rationale": ""},
])


def test_credit_series_read_one_latent_state(cal: sm.Calibration, start: sm.Start) -> None:
    """A spread series is level x (spread / spread at the start)^beta; a count accumulates rate/12 x the same."""
    s = sm.Start(**{**start.__dict__, "credit": {"hy_oas": sm.CreditSeries(300.0, 0.5),
                                                  "contract_cancellations": sm.CreditSeries(0.0, 2.0, 1.2)}})
    p = sm.simulate(cal, s, 40, 3)
    ratio = p.spread.astype(float) / s.spread
    assert np.allclose(p.variable("credit:hy_oas"), 300.0 * ratio ** 0.5)
    assert np.allclose(p.variable("credit:contract_cancellations"), np.cumsum(0.1 * ratio ** 2, axis=1))
    with pytest.raises(KeyError, match="no credit series 'ig_oas'"):
        p.variable("credit:ig_oas")
    assert np.all(p.initial["credit:hy_oas"] == 300.0) and np.all(p.initial["credit:contract_cancellations"] == 0.0)


def test_a_wider_credit_reading_favours_paths_with_a_wider_latent_spread(cal: sm.Calibration, start: sm.Start) -> None:
    s = sm.Start(**{**start.__dict__, "credit": {"hy_oas": sm.CreditSeries(284.0, 0.4),
                                                  "contract_cancellations": sm.CreditSeries(0.0, 1.5, 1.0)}})
    p = sm.simulate(cal, s, 2000, 5)
    obs = _readings([dict(id="hy1", series="hy", published="2026-06-22", period="2026-06-01", value=400, unit="bp"),
                     dict(id="c1", series="cancel", published="2026-06-22", period="2026-06-01", value=4,
                          unit="count")])
    r = up.prepare(obs, CREDIT_SIGNPOSTS, s, episode="ai_2026", knowledge_date="2026-01-28", paths=p)
    assert (r["status"] == "modelled").all()
    ll = up.log_likelihoods(r, p, cal)
    state = np.log(p.spread[:, 5].astype(float) / s.spread)
    for row in ll:  # both readings say credit is tighter than at the start: paths with a wider spread weigh more
        assert np.corrcoef(state, row)[0, 1] > 0.3


def test_count_likelihood_hand_checked() -> None:
    """Negative binomial with shape 1/sigma^2; sigma -> 0 is the Poisson."""
    lam = np.array([0.5, 2.0])
    ll = up.count_log_likelihood(1.0, lam, 0.5)  # shape 4: C(4, 1) (4/4.5)^4 (0.5/4.5) for lam 0.5
    assert ll[0] == pytest.approx(math.log(4 * (4 / 4.5) ** 4 * (0.5 / 4.5)))
    assert ll[1] == pytest.approx(math.log(4 * (4 / 6) ** 4 * (2 / 6)))
    poisson = up.count_log_likelihood(3.0, lam, 1e-4)
    assert poisson == pytest.approx(3 * np.log(lam) - lam - math.log(6), abs=1e-4)
    with pytest.raises(ValueError, match="count"):
        up.count_log_likelihood(-1.0, lam, 0.5)


def test_the_credit_channel_reads_every_credit_series(ev, cal: sm.Calibration, start: sm.Start) -> None:
    """HY and IG spreads, CoreWeave's CDS and contract cancellations are modelled readings of the latent state;
    their starting levels are the pre-seed claims (HY 284 bp on 24 December 2025, IG 79 bp at the end of 2025, both FRED)."""
    assert start.credit["hy_oas"].level == 284 and start.credit["ig_oas"].level == 79
    assert start.credit["coreweave_cds"].level == 643 and start.credit["contract_cancellations"].is_count
    p = sm.simulate(cal, start, 200, 2)
    r = up.prepare(ev.table("observations"), ev.table("signposts"), start, episode="ai_2026",
                   knowledge_date=ev.seed_date, paths=p)
    used = r[r["status"] == "modelled"]
    assert {"hy_oas", "ig_oas", "contract_cancellations"} <= set(used["series"])
    assert r.set_index("id").loc["rd_hy_oas_2025_12", "status"].startswith("part of the start")


# ------------------------------------------------------------------------------ structural range by reweighting

def test_structural_range_central_row_is_the_run_and_reruns_fall_inside(ev, cal, start) -> None:
    """The range's central setting is the run itself; a direct rerun with the December-over-December window, with the
    cooling hazard at its high end, and as the bear preset (hazard x2, capex momentum -0.1) lands within the range of
    the settings they rerun (allowing three Monte Carlo errors). The range is read on those settings only (the other
    dials' ends only widen it; each costs a hazard recalibration); the chapter's full range and reruns at its size are
    tests/test_scenarios_reruns.py (make test)."""
    target = br.hazard_target(ev.table("semis_history"), cal["base_rate_fall"], cal["boom_line"])
    obs, sp = ev.table("observations"), ev.table("signposts")
    kw = dict(episode="ai_2026", knowledge_date=ev.seed_date, day=AS_OF, n_paths=6_000, target=target, adapt=2,
              calibration_paths=1_500, iterations=8)
    r = up.run(cal, start, obs, sp, seed=11, floor_ends=up.GRID_ENDS, **kw)
    every = up.settings(cal, presets={"bear": (2.0, -0.1)})
    assert len(every) == 1 + 1 + 2 * len(up.STRUCTURAL_DIALS) + 6 + 1 + 1 + 1  # ..., dials, actuals only, primary only, bear
    rerun = [s for s in every if s.dial in ("central", "window", "hazard_boom_cooling", "preset")]
    table = up.structural_range(r, cal, rerun, target)
    assert list(zip(table["dial"], table["end"])) == [(s.dial, s.end) for s in rerun]  # one row per setting
    central = table[table["dial"] == "central"].iloc[0]
    mine = up.odds(r.codes, r.weights)
    assert all(central[e] == pytest.approx(mine[e]) for e in sm.ENDINGS)
    assert ((table["ess"] > 0) & (table["prior_ess"] > 0)).all()
    lo, hi = table[list(sm.ENDINGS)].min(), table[list(sm.ENDINGS)].max()

    def inside(odds: dict, n_eff: float) -> None:
        for e in sm.ENDINGS:
            tol = 3 * float(up.mc_error(odds[e], n_eff)) + 3 * float(up.mc_error(central[e], central["ess"]))
            assert lo[e] - tol <= odds[e] <= hi[e] + tol, e

    s, cp = up.scales(r.readings, AS_OF, cal), up.caps(r.readings, cal)
    dec = sm.endings(r.paths, cal, "december")
    w = up.weights(r.ll, s, dec, cp, r.best.prior)
    inside(up.odds(dec, w), up.ess(w))
    alt = cal.with_values(hazard_boom_cooling=cal.at("hazard_boom_cooling", "high"))
    rr = up.run(alt, start, obs, sp, seed=12, **kw)
    inside(up.odds(rr.codes, rr.weights), up.ess(rr.weights))
    bear = sm.Start(**{**start.__dict__, "capex_momentum": start.capex_momentum - 0.1})
    rb = up.run(cal, bear, obs, sp, seed=13, hazard_multiplier=2.0, **kw)
    inside(up.odds(rb.codes, rb.weights), up.ess(rb.weights))


def test_reweighted_hazard_scale_matches_the_simulated_calibration(cal, start) -> None:
    alt = cal.with_values(hazard_boom_cooling=cal.at("hazard_boom_cooling", "high"))
    direct = sm.calibrate_hazard(alt, start, 0.3, n_paths=4_000, seed=5, iterations=10)
    prior = sm.simulate(cal, start, 8_000, 6, hazard_scale=1.0)
    assert up.reweighted_hazard_scale(prior, cal, 1.0, alt, 0.3) == pytest.approx(direct, rel=0.15)
    # at the central setting it finds the scale that gives the central share
    share = sm.bust_share(prior)
    assert up.reweighted_hazard_scale(prior, cal, 1.0, cal, share) == pytest.approx(1.0, rel=0.02)


def test_tornado_orders_dials_by_their_largest_move() -> None:
    t = pd.DataFrame([{"dial": "central", "end": "central", "kind": "structural", "hard_landing": 0.10},
                      {"dial": "a", "end": "low", "kind": "structural", "hard_landing": 0.08},
                      {"dial": "a", "end": "high", "kind": "structural", "hard_landing": 0.13},
                      {"dial": "b", "end": "december", "kind": "structural", "hard_landing": 0.20}])
    out = up.tornado(t, "hard_landing")
    assert list(out["dial"]) == ["b", "a"]
    assert out.loc[1, "down"] == pytest.approx(-0.02) and out.loc[1, "up"] == pytest.approx(0.03)
    assert out.loc[0, "down"] == 0.0 and out.loc[0, "largest"] == pytest.approx(0.10)


def test_brier_score_hand_checked() -> None:
    assert up.brier([0.2, 0.6], True) == pytest.approx((0.8 ** 2 + 0.4 ** 2) / 2)
    assert up.brier([0.5], False) == 0.25
    with pytest.raises(ValueError, match="brier"):
        up.brier([1.2], True)


# ------------------------------------------------------------------------------------------ forecast discipline

def test_forecast_error_model_fits_past_misses(cal: sm.Calibration) -> None:
    """Misses whose size is exactly (0.1 + 0.02 x months) sqrt(2 / pi) give back a = 0.1, b = 0.02; a fit below the
    calibration's floors keeps the calibration's; too few misses keep it too."""
    m = np.array([1, 5, 12, 24, 30, 7, 14])
    size = (0.1 + 0.02 * m) * math.sqrt(2 / math.pi)
    misses = pd.DataFrame({"months_ahead": m, "miss": np.where(m % 2, size, -size)})
    a, b = up.forecast_error_model(misses, cal)
    assert (a, b) == (pytest.approx(0.1), pytest.approx(0.02))
    tiny = misses.assign(miss=misses["miss"] / 100)
    assert up.forecast_error_model(tiny, cal) == (cal["floor_forecast"], cal["floor_forecast_per_month"])
    assert up.forecast_error_model(misses.head(3), cal) == (cal["floor_forecast"], cal["floor_forecast_per_month"])
    wider = up.with_forecast_errors(cal, a, b)
    assert wider["floor_forecast_per_month"] == pytest.approx(0.02)
    lo, hi = cal.ranges["floor_forecast_per_month"]
    assert wider.ranges["floor_forecast_per_month"] == (pytest.approx(lo * 0.02 / cal["floor_forecast_per_month"]),
                                                        pytest.approx(hi * 0.02 / cal["floor_forecast_per_month"]))


def test_forecast_misses_use_only_what_was_published(ev) -> None:
    obs, hist = ev.table("observations"), ev.table("semis_history")
    m = up.forecast_misses(obs, hist, "2026-11-28").set_index("id")
    # SIA's December 1999 forecast for 2001 (209) against 2001's outturn: 25 months ahead, log(209 / outturn)
    out_2001 = float(hist.set_index("year").loc[2001, "revenue_usd_bn"])
    assert m.loc["bt01_sia_f2001_1999", "months_ahead"] == 25
    assert m.loc["bt01_sia_f2001_1999", "miss"] == pytest.approx(math.log(209 / out_2001))
    # in 2022 the 2022 and 2023 outturns were not yet published, nor the forecasts made later
    early = up.forecast_misses(obs, hist, "2022-01-01")
    assert early["year"].max() <= 2021 and (pd.to_datetime(early["published"]) <= "2022-01-01").all()
    assert "rd_semis_2027_wsts_spr" not in m.index  # 2027's outturn is unknown
