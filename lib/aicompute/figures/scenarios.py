"""The scenarios chapter's charts (05_scenarios): frames built from the model's results, titles that state the
finding (numbers as plain text, :func:`aicompute.narrative.scenarios.probability_plain`); see
:mod:`aicompute.figures`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from aicompute import charts
from aicompute.formatting import plain, plain_range
from aicompute.narrative.scenarios import dial_name, probability_plain
from aicompute.scenarios import model as sm


def odds_history(hist: pd.DataFrame, endings: Sequence[str], names: Mapping[str, str], now: Mapping[str, float],
                 last_reading: Any = None) -> Any:
    """Each ending's probability at each month end (``hist``: :func:`aicompute.scenarios.update.history`), titled
    with the leading ending and the hard landing's move from the first month to now. With ``last_reading`` (the
    date of the latest reading) the lines stop at that month's end: later months have no readings to show; with no
    reading yet (``last_reading`` NaT, an early as-of date) only the first month, the start, is drawn."""
    if last_reading is not None:
        dates = pd.to_datetime(hist["date"])
        shown = dates <= pd.Timestamp(last_reading) + pd.offsets.MonthEnd(0) if pd.notna(last_reading) else False
        hist = hist[shown | (dates == dates.min())]
    long = hist.melt(id_vars="date", value_vars=list(endings), var_name="e", value_name="probability")
    long = long.assign(ending=long["e"].map(names), probability=100 * long["probability"])
    lead = max(endings, key=lambda e: now[e])
    return charts.odds_over_time(long, title=f"The readings moved the odds towards the {names[lead].lower()} "
                                 f"({probability_plain(now[lead])}); the hard landing fell from "
                                 f"{probability_plain(hist.iloc[0]['hard_landing'])} to {probability_plain(now['hard_landing'])}",
                                 subtitle="Probability of each ending at each month end (central calibration), to the "
                                          "month of the latest reading: later months have none")


def odds_ranges(endings: Sequence[str], names: Mapping[str, str], now: Mapping[str, float], low: Mapping[str, float],
                high: Mapping[str, float], n_settings: int) -> Any:
    """Each ending's central probability and its range over the ``n_settings`` settings beside the central one."""
    frame = pd.DataFrame({"ending": [names[e] for e in endings], "central": [100 * now[e] for e in endings],
                          "low": [100 * low[e] for e in endings], "high": [100 * high[e] for e in endings]})
    frame["label"] = [f"{plain(c, '%', '.0f')} ({plain_range(lo, hi, '%', '.0f')})"
                      for c, lo, hi in zip(frame["central"], frame["low"], frame["high"])]
    return charts.odds_ranges(frame, title=f"Hard landing {probability_plain(now['hard_landing'])}, within "
                              f"{probability_plain(low['hard_landing'])} to {probability_plain(high['hard_landing'])} "
                              "over every setting tried",
                              subtitle=f"Central setting (dot) and range (bar) over {n_settings} settings: structural "
                                       "choices, calibration dials and the two analysts' presets, each reweighting the "
                                       "same paths")


def tornado(torn: pd.DataFrame, central: float) -> Any:
    """The hard landing at each dial's two ends around the ``central`` value (``torn``:
    :func:`aicompute.scenarios.update.tornado`, largest move first)."""
    frame = pd.DataFrame({"ending": [dial_name(d) for d in torn["dial"]], "central": 100 * central,
                          "low": 100 * (central + torn["down"]), "high": 100 * (central + torn["up"])})
    frame["label"] = [plain_range(lo, hi, "%", ".0f") for lo, hi in zip(frame["low"], frame["high"])]
    return charts.odds_ranges(frame, title=f"The hard landing moves most with {dial_name(torn.iloc[0]['dial'])}",
                              subtitle="Hard landing (%) at each dial's two ends (bar) around the central setting (dot), "
                                       "largest move first; each dial alone, the others central")


def movers_table(tornados: Mapping[str, pd.DataFrame], names: Mapping[str, str], central: Mapping[str, float],
                 top: int = 2) -> pd.DataFrame:
    """For each ending (``tornados``: ending -> :func:`aicompute.scenarios.update.tornado`), the ``top`` dials that
    move it most, with the ending's probability (%) at the dial's two ends around the ``central`` value."""
    rows = []
    for e, torn in tornados.items():
        for k, d in enumerate(torn.head(top).itertuples()):
            rows.append({"Ending": names[e] if k == 0 else "", "Central (%)": round(100 * central[e], 1) if k == 0 else None,
                         "Dial": dial_name(d.dial), "Low end (%)": round(100 * (central[e] + d.down), 1),
                         "High end (%)": round(100 * (central[e] + d.up), 1)})
    return pd.DataFrame(rows)


def projection_points(projections: pd.DataFrame, variable: str, years: Sequence[int]) -> pd.DataFrame:
    """The published annual projections of a model variable as fan-chart points (mid-year, value, publisher)."""
    pts = projections[(projections["model_variable"] == variable) & projections["year"].isin(list(years))]
    return pd.DataFrame({"month": pd.to_datetime(pts["year"].astype(str) + "-07-01"), "value": pts["value"],
                         "label": pts["publisher"]})


def lab_fans(paths: Any, w: Any, labs: Sequence[Any], last_reading: Any, year: int) -> Any:
    """Each lab's revenue run-rate on its own basis, one panel per lab, titled with the medians at the end."""
    frames = [sm.bands(paths, f"lab:{lab.name}", w).assign(
        last_reading=last_reading, panel=f"{'OpenAI' if lab.name == 'openai' else lab.name.capitalize()} ({lab.basis})")
        for lab in labs]
    bands = pd.concat(frames, ignore_index=True)
    ends = bands[bands["month"] == bands["month"].max()].set_index("panel")["p50"]
    return charts.fan(bands, facet="panel", columns=2, y_title="USD bn a year (own basis)",
                      title="The labs diverge: " + " and ".join(f"{k.split(' (')[0]} ends {year} near {v:,.0f}"
                                                                for k, v in ends.items()) + " USD bn a year (medians)",
                      subtitle="Run-rates on each lab's own basis (never added): median, 50% and 90% bands; dotted: "
                               "latest reading")
