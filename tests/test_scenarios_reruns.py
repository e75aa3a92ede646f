"""Issue 21's three reruns, rebuilt with chapter 05's own parameters: the endings read December over December (the
seed's window), the boom's cooling hazard at the high end of its stated range, and the bear preset
(report/params/bear.yaml). Each is a new simulation (another seed), and each must land inside the range the chapter
publishes, up to three standard errors of the two estimates (Monte Carlo noise).

The range is the one the chapter published (``range_ends`` of the session build: the value, effective paths and
Monte Carlo error of the setting at each end), not a recomputation of it. Slow: it needs the session build (chapter
03's cash model, chapter 05's range) and three runs at the chapter's size."""

from __future__ import annotations

import ast
import dataclasses
import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from aicompute import data
from aicompute.scenarios import baserates as br
from aicompute.scenarios import model as sm
from aicompute.scenarios import start as st
from aicompute.scenarios import update as up

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
ENDINGS = list(sm.ENDINGS)


def _parameters() -> dict:
    """Chapter 05's parameters cell (its defaults), read as literals."""
    nb = json.loads((ROOT / "notebooks" / "05_scenarios.ipynb").read_text(encoding="utf-8"))
    [cell] = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    out = {}
    for node in ast.parse("".join(cell["source"])).body:
        if isinstance(node, ast.Assign):
            out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


def _setup(ev, finance: dict, hazard_scale: float = 1.0, capex_growth_shift: float = 0.0):
    """What the chapter's setup cells build: calibration (forecast discipline), start (with OpenAI's financing state),
    the base rate and its range."""
    cal_judged = sm.Calibration.from_table(ev.table("scenario_drivers"))
    obs, history = ev.table("observations"), ev.table("semis_history")
    start = st.start_2026(ev, cal_judged)
    start = dataclasses.replace(start, capex_momentum=start.capex_momentum + capex_growth_shift)
    start = st.with_financing(start, cal_judged, {"openai": (finance["openai_runway"]["value"],
                                                             finance["openai_funding_gap"]["value"])})
    known = br.known_history(history, pd.Timestamp(ev.as_of) + pd.Timedelta(days=1))
    target = br.hazard_target(known, cal_judged["base_rate_fall"], cal_judged["boom_line"])
    lo, hi = br.hazard_target_range(known, cal_judged["base_rate_fall"], cal_judged["boom_line"])
    cal = up.with_forecast_errors(cal_judged, *up.forecast_error_model(
        up.forecast_misses(obs, history, ev.as_of.isoformat()), cal_judged))
    return cal, start, target, (lo, hi)


@pytest.fixture(scope="module")
def chapter(report):
    """The ingredients of a rerun at the chapter's default parameters (chapter 03's cash model from the session
    build, whose tests share one worker under xdist) and the range chapter 05 published in that build."""
    p = _parameters()
    ev = data.evidence()
    results = report.results()
    finance = results["03_finance"]
    cal, start, target, _ = _setup(ev, finance)
    kw = dict(episode="ai_2026", knowledge_date=ev.seed_date, day=ev.as_of.isoformat(), n_paths=p["n_paths"],
              widen=up.CHAPTER_WIDEN,
              **{**up.CHAPTER_RUN, "min_ess": up.MIN_EFFECTIVE_PATHS / 2})  # half the chapter's final paths, half its floor
    assert results["05_scenarios"]["as_of"]["value"] == ev.as_of.isoformat()
    ends = pd.DataFrame(results["05_scenarios"]["range_ends"]["value"])
    assert sorted(ends["outcome"]) == sorted(ENDINGS)
    return dict(p=p, ev=ev, finance=finance, cal=cal, start=start, target=target, kw=kw, obs=ev.table("observations"),
                sp=ev.table("signposts"), ends=ends)


def _inside(ends: pd.DataFrame, odds: dict, n_eff: float, what: str) -> None:
    """Each ending of a rerun inside the published range, up to three standard errors of the difference from the
    range's end (the rerun's and that of the setting at the end: :func:`aicompute.scenarios.update.range_ends`, as the
    chapter published it). A rerun of a setting
    that sets an end lands on either side of it by Monte Carlo noise alone; three standard errors keep a seeded test
    from failing on that noise (about one check in 700), not on a range too narrow for a structural choice."""
    for end in ends.to_dict("records"):
        e = end["outcome"]
        se = float(up.mc_error(odds[e], n_eff))
        for side, outside in (("low", end["low"] - odds[e]), ("high", odds[e] - end["high"])):
            assert outside <= 3 * math.hypot(se, end[f"{side}_se"]), (
                f"{what}: {e} {100 * odds[e]:.1f}% outside the published range {100 * end['low']:.1f}-"
                f"{100 * end['high']:.1f}% by more than three Monte Carlo errors")


def _rerun(c: dict, cal: sm.Calibration, start: sm.Start, seed: int, hazard_multiplier: float = 1.0) -> up.Run:
    return up.run(cal, start, c["obs"], c["sp"], seed=seed, target=c["target"], hazard_multiplier=hazard_multiplier,
                  final_paths=c["p"]["final_paths"] // 2, **c["kw"])


def test_endings_read_december_over_december_fall_inside_the_range(chapter) -> None:
    rr = _rerun(chapter, chapter["cal"], chapter["start"], chapter["p"]["seed"] + 1)
    dec = sm.endings(rr.paths, chapter["cal"], "december")
    w = up.weights(rr.ll, up.scales(rr.readings, rr.day, chapter["cal"]), dec, up.caps(rr.readings, chapter["cal"]),
                   rr.best.prior)
    _inside(chapter["ends"], up.odds(dec, w), up.ess(w), "December over December")


def test_the_cooling_hazard_at_its_stated_high_end_falls_inside_the_range(chapter) -> None:
    cal = chapter["cal"]
    assert cal.at("hazard_boom_cooling", "high") == pytest.approx(0.08)  # the end the issue names
    alt = cal.with_values(hazard_boom_cooling=cal.at("hazard_boom_cooling", "high"))
    rr = _rerun(chapter, alt, chapter["start"], chapter["p"]["seed"] + 2)
    _inside(chapter["ends"], up.odds(rr.codes, rr.weights), up.ess(rr.weights), "hazard_boom_cooling = 0.08")


def test_the_bear_preset_falls_inside_the_range(chapter) -> None:
    bear = yaml.safe_load((ROOT / "report" / "params" / "bear.yaml").read_text(encoding="utf-8"))["notebooks"]["05_scenarios"]
    assert (bear["hazard_scale"], bear["capex_growth_shift"]) == up.PRESETS["bear"]  # the range's preset is the file's
    cal, start, _, _ = _setup(chapter["ev"], chapter["finance"], capex_growth_shift=bear["capex_growth_shift"])
    rr = _rerun(chapter, cal, start, chapter["p"]["seed"] + 3, hazard_multiplier=bear["hazard_scale"])
    _inside(chapter["ends"], up.odds(rr.codes, rr.weights), up.ess(rr.weights), "bear preset")
