"""The reader's dials (issue 20): the odds precomputed over a grid of dials by reweighting one run's paths equal a
direct computation with those parameters."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from aicompute.scenarios import baserates as br
from aicompute.scenarios import model as sm
from aicompute.scenarios import update as up

AS_OF = "2026-11-28"


def _kw(ev, cal) -> dict:
    target = br.hazard_target(ev.table("semis_history"), cal["base_rate_fall"], cal["boom_line"])
    # adapted as the chapter's run is (smaller): a run whose adaptation collapsed onto a few paths is no test
    return dict(episode="ai_2026", knowledge_date=ev.seed_date, day=AS_OF, n_paths=12_000, target=target, adapt=4,
                calibration_paths=1_500, iterations=8, widen=up.CHAPTER_WIDEN, min_ess=200, restarts=2)


@pytest.fixture(scope="module")
def run(ev, cal, start) -> up.Run:
    return up.run(cal, start, ev.table("observations"), ev.table("signposts"), seed=21, **_kw(ev, cal))


@pytest.fixture(scope="module")
def grid(run, cal) -> dict:
    dials = {"evidence_weight": ((0.0, 0.5, 1.0), None), "hazard_scale": ((1.0, 2.0), 1.0),
             "window": (("calendar", "december"), "calendar")}
    return up.dial_grid(run, cal, dials, labels={"evidence_weight": "Evidence weight"})


def _row(grid: dict, **at) -> dict:
    [row] = [x for x in grid["rows"] if all(x[k] == v for k, v in at.items())]
    return row


def test_grid_schema_one_row_per_point(grid, cal) -> None:
    names = [d["name"] for d in grid["dials"]]
    assert names == ["evidence_weight", "hazard_scale", "window"]
    ew = grid["dials"][0]
    # the calibration's own evidence weight (0.75) is the default and joins the values
    assert ew["default"] == cal["evidence_weight"] and ew["values"] == [0.0, 0.5, cal["evidence_weight"], 1.0]
    assert ew["label"] == "Evidence weight" and grid["dials"][1]["label"] == "hazard_scale"
    assert ew["value_labels"] == ["0.0", "0.5", "0.75", "1.0"]
    assert len(grid["rows"]) == 4 * 2 * 2
    assert {tuple(r[n] for n in names) for r in grid["rows"]} == set(itertools.product(*(d["values"] for d in grid["dials"])))
    for r in grid["rows"]:
        assert sum(r[e] for e in sm.ENDINGS) == pytest.approx(100, abs=0.25) and r["ess"] > 0
    json.dumps(grid)  # publishable as it is


def test_default_point_is_the_runs_central_odds(grid, run, cal) -> None:
    row = _row(grid, evidence_weight=cal["evidence_weight"], hazard_scale=1.0, window="calendar")
    central = up.odds(run.codes, run.weights)
    assert all(row[e] == pytest.approx(100 * central[e], abs=0.051) for e in sm.ENDINGS)


def test_no_evidence_point_is_the_prior_sample(grid, run) -> None:
    """Evidence weight 0 at the default hazard: the prior sample's unweighted shares (its paths are drawn from the
    prior, so every weight is equal: the direct no-reading rerun)."""
    rd = run.rounds[0]
    row = _row(grid, evidence_weight=0.0, hazard_scale=1.0, window="calendar")
    for i, e in enumerate(sm.ENDINGS):
        assert row[e] == pytest.approx(100 * float((rd.codes == i).mean()), abs=0.051)
    assert row["ess"] == run.prior_paths.n


def test_a_non_default_point_equals_a_direct_rerun(grid, run, ev, cal, start) -> None:
    """Evidence weight 1 and the bust hazard doubled: a new simulation with those parameters (another seed) gives the
    same odds within three Monte Carlo errors of the two estimates; at evidence weight 1 with the December window the
    grid is exactly the run's last round reweighed (the same paths, the endings reread)."""
    row = _row(grid, evidence_weight=1.0, hazard_scale=2.0, window="calendar")
    rr = up.run(cal.with_values(evidence_weight=1.0), start, ev.table("observations"), ev.table("signposts"),
                seed=22, hazard_multiplier=2.0, **_kw(ev, cal))
    direct, n_eff = up.odds(rr.codes, rr.weights), up.ess(rr.weights)
    for e in sm.ENDINGS:
        se = math.hypot(float(up.mc_error(direct[e], n_eff)), float(up.mc_error(row[e] / 100, row["ess"])))
        assert abs(row[e] / 100 - direct[e]) <= 3 * se + 0.001, e
    # exact: the December window at evidence weight 1, hazard x1, on the last round's paths
    dec = sm.endings(run.paths, cal, "december")
    w = up.weights(run.ll, up.scales(run.readings, AS_OF, cal, 1.0), dec, up.caps(run.readings, cal), run.best.prior)
    row = _row(grid, evidence_weight=1.0, hazard_scale=1.0, window="december")
    assert row["ess"] == round(up.ess(w))
    assert all(row[e] == pytest.approx(100 * up.odds(dec, w)[e], abs=0.051) for e in sm.ENDINGS)


def test_the_hazard_dial_reweights_regime_switches_exactly() -> None:
    """Hand-checked: one path, boom for two months then a bust in month 3 (stress 0). Under the hazard multiplied by
    2 its weight changes by the ratio of the switch probabilities: staying twice, then the bust."""
    cal = sm.Calibration({"hazard_bust": 0.01, "hazard_cooling_bust_ratio": 1.0, "hazard_slope": 0.0,
                          "hazard_boom_cooling": 0.02, "hazard_cooling_boom": 0.05, "hazard_bust_recovery": 0.1,
                          "credit_event_hazard_calm": 0.0, "credit_event_hazard_bust": 0.0,
                          "credit_event_hazard_unfunded": 0.0})
    import numpy as np

    st = sm.Start(clock=sm.dt.date(2026, 1, 1), capex=1, capex_momentum=0.5, chips=1, chips_momentum=0.5,
                  buildout_share=0.5, horizon=3)
    z = np.zeros((1, 3))
    p = sm.Paths(st, z + 1, z + 1, z + 1, None, {}, z + 100, z, z, np.array([[0, 0, 2]], dtype=np.int8),
                 np.zeros((1, 3), bool))
    lr = sm.transition_log_prob(p, cal, 2.0) - sm.transition_log_prob(p, cal, 1.0)

    def stay(h: float) -> float:
        return 1 - (1 - math.exp(-h)) - (1 - math.exp(-0.02))

    hand = 2 * math.log(stay(0.02) / stay(0.01)) + math.log((1 - math.exp(-0.02)) / (1 - math.exp(-0.01)))
    assert float(lr[0]) == pytest.approx(hand, rel=1e-12)


def test_more_paths_in_blocks_pool_with_the_run(run, cal) -> None:
    """:func:`extend` draws more paths from the run's last proposal and pools them: the run's own paths keep their
    likelihoods (each normalised by its largest possible value, not by the sample's best path) and the pool is one
    weighted sample. (More effective paths is the expectation, not a rule: when few paths carry the weight, one heavy
    new path can lower the count, so the test does not assert it.)"""
    more = up.extend(run, cal, 2_000, seed=5)
    assert more.paths.n == run.paths.n + 2_000 and more.weights.shape == (more.paths.n,)
    assert (more.ll[:, :run.paths.n] == run.ll).all() and (more.ll <= 1e-12).all()
    assert np.isfinite(more.weights).all() and (more.weights >= 0).all() and math.isclose(more.weights.sum(), 1.0)
    assert more.weights[run.paths.n:].sum() > 0  # the new block carries weight


def test_thin_settings_get_a_tilted_proposal_and_keep_the_richer_sample(run, cal) -> None:
    """A setting under ``min_ess`` effective paths is reread on new paths from a proposal fitted to its own weights;
    the richer of the two samples is kept, so no setting loses effective paths, and one with enough is untouched."""
    settings = [up.Setting("central", "central"), up.Setting("evidence_weight", "high", evidence_weight=1.0, kind="calibration")]
    plain = up.structural_range(run, cal, settings, 0.3)
    assert (plain["paths"] == run.paths.n).all()
    tilted = up.structural_range(run, cal, settings, 0.3, min_ess=1e9, block=3_000, max_blocks=2, seed=5)
    assert (tilted["ess"] >= plain["ess"]).all() and set(tilted["paths"]) <= {run.paths.n, 3_000}
    enough = up.structural_range(run, cal, settings, 0.3, min_ess=1.0, block=3_000, seed=5)
    assert enough[list(sm.ENDINGS)].equals(plain[list(sm.ENDINGS)])  # nothing thin: no block drawn
    new = up.resample(run, cal, run.proposal, 1_000, seed=6)
    assert new.paths.n == 1_000 and new.proposal is run.proposal and set(new.best.ll) == set(run.best.ll)


def test_range_ends_name_the_setting_and_its_effective_paths() -> None:
    import pandas as pd

    t = pd.DataFrame({"dial": ["central", "a", "b"], "end": ["central", "low", "high"],
                      "x": [0.2, 0.1, 0.5], "ess": [400.0, 100.0, 2500.0]})
    [row] = up.range_ends(t, ["x"]).to_dict("records")
    assert (row["low"], row["low_dial"], row["low_end"], row["low_ess"]) == (0.1, "a", "low", 100.0)
    assert (row["high"], row["high_dial"], row["high_ess"]) == (0.5, "b", 2500.0)
    # sqrt(p (1 - p) / n): 0.02 at the centre, 0.03 at the low end, 0.01 at the high end
    assert (row["central_se"], row["low_se"], row["high_se"]) == pytest.approx((0.02, 0.03, 0.01))


def test_could_be_end_adds_the_settings_within_two_errors_of_an_end() -> None:
    # values 0.10, 0.30, 0.50, 0.12, 0.45; errors sqrt(p (1 - p) / n):
    #   0.30 on 100 paths: 0.0458 -> 0.30 - 0.092 = 0.208 > 0.10 and 0.30 + 0.092 = 0.392 < 0.50: inside
    #   0.12 on 10,000 paths: 0.00325 -> 0.12 - 0.0065 = 0.1135 > 0.10: inside (well measured, though close)
    #   0.45 on 100 paths: 0.0497 -> 0.45 + 0.099 = 0.549 >= 0.50: could be the high end
    v = np.array([0.10, 0.30, 0.50, 0.12, 0.45])
    n = np.array([5_000.0, 100.0, 5_000.0, 10_000.0, 100.0])
    assert up.could_be_end(v, n) == {0, 2, 4}
    assert up.could_be_end(v, n, z=0.0) == {0, 2}  # no noise allowed: the two ends only
    # 0.12 on 100 paths (error 0.0325) is within two errors of the low end 0.10
    assert up.could_be_end(v, np.array([5_000.0, 100.0, 5_000.0, 100.0, 100.0])) == {0, 2, 3, 4}


def test_only_the_settings_at_a_range_end_get_more_paths(run, cal) -> None:
    settings = [up.Setting("central", "central"), up.Setting("window", "december", window="december"),
                up.Setting("evidence_weight", "high", evidence_weight=1.0, kind="calibration")]
    plain = up.structural_range(run, cal, settings, 0.3)
    ends = {int(plain["hard_landing"].idxmin()), int(plain["hard_landing"].idxmax())}
    tilted = up.structural_range(run, cal, settings, 0.3, min_ess=1e9, block=2_000, max_blocks=1, seed=5,
                                 ends_of=["hard_landing"])
    ends = set().union(*(up.could_be_end(plain[o].to_numpy(), plain["ess"].to_numpy()) for o in ["hard_landing"]))
    for k in set(range(3)) - ends:  # a setting inside the range, beyond noise of its ends, keeps its numbers
        assert tilted.loc[k, list(sm.ENDINGS)].equals(plain.loc[k, list(sm.ENDINGS)])
    assert (tilted["ess"] >= plain["ess"]).all()
