"""The backtests: the 2026 engine (same model, calibration rules and update) run on a past downturn from the
readings an analyst had then, scored against what happened. Returns numbers and frames; the chapter words them
(:mod:`aicompute.narrative.scenarios`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aicompute.scenarios import baserates as br
from aicompute.scenarios import model as sm
from aicompute.scenarios import start as st
from aicompute.scenarios import update as up

__all__ = ["Backtest", "run"]

#: The two quantities a backtest follows, as its odds chart names them.
FOLLOWED = {"hard_landing": "Hard landing", "chip_fall": "Chip revenue falls in the second year"}


@dataclass
class Backtest:
    """One backtest's results: ``history`` the central odds at each month end; ``ranges`` the min and max over the
    calibration settings at ``key_days`` (mid-first-year, end of each half-year); ``realised`` the outcome's growth
    in the second year; ``target`` the base rate known at the start and ``counts`` behind it
    (:func:`aicompute.scenarios.baserates.fall_counts`); Brier scores of the engine's monthly odds of a fall,
    of the base rate alone and of the engine's prior."""

    episode: str
    label: str
    clock: dt.date
    history: pd.DataFrame
    ranges: pd.DataFrame
    key_days: list[pd.Timestamp]
    realised: float
    target: float
    counts: tuple[int, int, int, int]
    brier_engine: float
    brier_base_rate: float
    brier_prior: float
    fall_share: float  # the fall the base rate counts (calibration 'base_rate_fall')

    @property
    def fell(self) -> bool:
        return bool(self.realised < 0)

    def at(self, k: int) -> pd.Series:
        """The central odds at key day ``k`` (0: mid-first-year, 1: end of the first year, 3: end of the second)."""
        return self.history.set_index("date").loc[self.key_days[k]]

    def range_at(self, k: int, column: str) -> tuple[float, float]:
        """(min, max) of ``column`` over the calibration settings at key day ``k``."""
        row = self.ranges.loc[self.key_days[k]]
        return float(row[(column, "min")]), float(row[(column, "max")])

    def long(self) -> pd.DataFrame:
        """The odds chart's frame: date, probability (%), ending, episode, low and high (%) where the range is known."""
        frames = []
        for col, name in FOLLOWED.items():
            f = self.history[["date", col]].rename(columns={col: "probability"}).assign(
                ending=name, episode=self.label, probability=lambda x: 100 * x["probability"])
            lohi = self.ranges[col].reindex(f["date"])
            f["low"], f["high"] = 100 * lohi["min"].to_numpy(), 100 * lohi["max"].to_numpy()
            frames.append(f)
        return pd.concat(frames, ignore_index=True)


def run(episode: str, cal_judged: sm.Calibration, obs: pd.DataFrame, semis_history: pd.DataFrame,
        signposts: pd.DataFrame, *, n_paths: int, seed: int, **run_kw: Any) -> Backtest:
    """Run the engine on ``episode`` (:data:`aicompute.scenarios.start.EPISODES`): its start and base rate from
    what was known at its clock, the forecast error model from the misses known then, the calibration grid's
    range at four dates, and the Brier scores of the odds of a fall in the second year."""
    clk, label = st.EPISODES[episode]
    start = st.start_backtest(episode, obs, cal_judged)
    known = br.known_history(semis_history, clk)
    fall, boom = cal_judged["base_rate_fall"], cal_judged["boom_line"]
    target = br.hazard_target(known, fall, boom)
    lo, hi = br.hazard_target_range(known, fall, boom)
    days = list(pd.date_range(pd.Timestamp(clk) + pd.offsets.MonthEnd(0), periods=24, freq="ME"))
    key_days = [days[5], days[11], days[17], days[23]]

    def flags(p: sm.Paths) -> dict[str, np.ndarray]:
        return {"chip_fall": sm.growth(p.chips) < 0, "chip_fall_15": sm.growth(p.chips) <= cal_judged["ending_hard_chip_fall"]}

    cal = up.with_forecast_errors(cal_judged, *up.forecast_error_model(  # the misses known at the clock
        up.forecast_misses(obs, semis_history, clk), cal_judged))
    r = up.run(cal, start, obs, signposts, episode=episode, knowledge_date=pd.Timestamp(clk) - pd.Timedelta(days=1),
               day=days[-1], n_paths=n_paths, seed=seed, target=target, floor_ends=up.GRID_ENDS, extra=flags, **run_kw)
    history = up.history(r.readings, r.rounds, days, cal)
    calib = [x for x in up.settings(cal, target_range=(lo, hi)) if x.kind == "calibration"]
    grid = up.structural_range(r, cal, [up.Setting("central", "central"), *calib], target, days=key_days)
    ranges = grid.groupby("date")[["hard_landing", "chip_fall", "chip_fall_15"]].agg(["min", "max"])
    prior_fall = float(r.rounds[0].prior[r.rounds[0].flags["chip_fall"]].sum())
    outcome = semis_history.set_index("year")["revenue_usd_bn"]
    realised = float(outcome[clk.year + 1] / outcome[clk.year] - 1)
    fell = bool(realised < 0)
    return Backtest(episode, label, clk, history, ranges, key_days, realised, target,
                    br.fall_counts(known, fall, boom), round(up.brier(history["chip_fall"], fell), 3),
                    round(up.brier([target], fell), 3), round(up.brier([prior_fall], fell), 3), fall)
