"""Where each run starts: the January 2026 levels from sources published before the seed, and the backtests'
starts from the readings an analyst had before their clocks began.

One rule throughout: a run-rate at the turn of the year is the geometric mean of the last year's total and the
forecast for the new year (constant growth), and the *momentum* is the log growth between them. Evidence published
before the clock starts sets the start; evidence published after it enters only as readings (so the same figure
is never both the start and evidence about it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from aicompute.scenarios.model import Calibration, CreditSeries, Lab, Start, funds_for_runway

__all__ = ["midpoint", "before_seed", "reading", "start_inputs", "start_2026", "start_backtest", "with_financing", "credit_series", "EPISODES", "EPISODE_YEARS", "episode_span", "CLOCK_2026",
           "CREDIT_START"]

CLOCK_2026 = dt.date(2026, 1, 1)

#: The years each backtest covers (first, last): the readings before its clock and the outturn after it.
EPISODE_YEARS = {"dotcom_2000": (1999, 2002), "memory_2022": (2021, 2023)}


def episode_span(episode: str) -> str:
    """The years backtest ``episode`` covers, e.g. '1999–2002' (:data:`EPISODE_YEARS`)."""
    first, last = EPISODE_YEARS[episode]
    return f"{first}–{last}"


#: The backtests: episode id -> (clock start, label); what happened is read from ``semis_history``.
EPISODES = {
    "dotcom_2000": (dt.date(2000, 1, 1), f"{episode_span('dotcom_2000')}: the dot-com and telecom bust"),
    "memory_2022": (dt.date(2022, 1, 1), f"{episode_span('memory_2022')}: the memory downturn"),
}


#: The credit series read as views of the latent credit state: series id -> the claims series giving its level at
#: the start (its latest reading published before the seed) and its sensitivity parameter. Contract cancellations
#: are a count from zero.
CREDIT_START = {"hy_oas": ("hy_oas", "credit_beta_hy_oas"),
                "ig_oas": ("ig_oas", "credit_beta_ig_oas"),
                "coreweave_cds": ("coreweave_cds", "credit_beta_coreweave_cds")}


def before_seed(ev: Any) -> Any:
    """The evidence published before the seed article (the day before ``ev.seed_date``): what the start reads."""
    from aicompute.evidence import evidence

    return evidence(ev.seed_date - dt.timedelta(days=1), folder=ev.folder)


def reading(ev: Any, series: str, period: Any = None) -> tuple[float, pd.Timestamp]:
    """(value, period) of the newest claim of ``series`` known to ``ev`` (for ``period`` if given; a year, a
    date or 'YYYY-MM-DD'): a query over the claims' series and period, so a new reading is a data row."""
    claim = ev.latest(series=series, period=period)
    rows = ev.series(series)
    return float(claim.value), pd.Timestamp(rows.loc[rows["id"] == claim.id, "period"].iloc[0])


def credit_series(ev: Any, cal: Calibration) -> dict[str, CreditSeries]:
    """The credit channel's series (:class:`aicompute.scenarios.model.CreditSeries`): each spread's level at the
    start, the latest reading of its claims series published before the seed (:data:`CREDIT_START`), its
    sensitivity to the latent credit state from the calibration; contract cancellations as a count at
    ``cancellation_rate`` a year (``cancellation_unfunded_multiplier`` more while a lab is out of funds)."""
    pre = before_seed(ev)
    out = {sid: CreditSeries(reading(pre, series)[0], cal[beta]) for sid, (series, beta) in CREDIT_START.items()}
    out["contract_cancellations"] = CreditSeries(0.0, cal["credit_beta_cancellations"], cal["cancellation_rate"],
                                                 cal["cancellation_unfunded_multiplier"])
    return out


def midpoint(last_year: float, next_year: float) -> float:
    """Run-rate at the turn of the year between two annual totals (geometric mean: constant growth)."""
    if last_year <= 0 or next_year <= 0:
        raise ValueError(f"annual totals must be positive, got {last_year} and {next_year}")
    return math.sqrt(last_year * next_year)


def start_inputs(ev: Any, clock: dt.date = CLOCK_2026) -> dict[str, float]:
    """The figures the start at ``clock`` is built from, by name: for each claims series, its latest reading
    published before the seed article (:func:`before_seed`), the year around the clock picked by period. No claim
    id is named, so a newer pre-seed reading of a series is a data row in ``data/claims.csv``."""
    pre = before_seed(ev)
    year = clock.year
    capex, capex_period = reading(pre, "big4_capex_quarter")
    capex_yoy, _ = reading(pre, "big4_capex_quarter_yoy", capex_period.date())
    dc, dc_period = reading(pre, "nvidia_dc_revenue_quarter")
    arr, arr_period = reading(pre, "openai_arr")
    return {"capex_quarter": capex, "capex_yoy_pct": capex_yoy,
            # months from the quarter's middle (1.5 months after its start) to the clock
            "capex_months": 12 * (clock.year - capex_period.year) + clock.month - capex_period.month - 1.5,
            "chips_last": reading(pre, "semis_revenue_wsts_forecast", year - 1)[0],
            "chips_next": reading(pre, "semis_revenue_wsts_forecast", year)[0],
            "nvidia_ai_share_pct": reading(pre, "nvidia_ai_accelerator_share")[0], "nvidia_dc_quarter": dc,
            "nvidia_quarter": reading(pre, "nvidia_revenue_quarter", dc_period.date())[0],
            "nvidia_next_guide": reading(pre, "nvidia_revenue_quarter_guidance",
                                         (dc_period + pd.DateOffset(months=3)).date())[0],
            "spread_bp": reading(pre, "oracle_cds")[0], "openai_arr": arr,
            "openai_arr_year_before": reading(pre, "openai_arr", (arr_period - pd.DateOffset(years=1)).date())[0],
            "openai_revenue": reading(pre, "openai_revenue_year", year - 1)[0],
            "openai_burn": reading(pre, "openai_burn_projection", year - 1)[0],
            "anthropic_last": reading(pre, "anthropic_revenue_projection", year - 1)[0],
            "anthropic_next": reading(pre, "anthropic_revenue_projection", year)[0]}


def start_2026(ev: Any, cal: Calibration) -> Start:
    """January 2026 from the claims ledger (:func:`start_inputs`), using only claims published before the seed
    article.

    ``ev`` is an :class:`aicompute.evidence.Evidence`; the claims named here are all dated before the seed, so
    this works at any as-of date from the seed on.
    """
    x = start_inputs(ev)
    capex_momentum = math.log1p(x["capex_yoy_pct"] / 100)
    capex0 = 4 * x["capex_quarter"] * math.exp(capex_momentum * x["capex_months"] / 12)
    chips0 = midpoint(x["chips_last"], x["chips_next"])
    buildout = 4 * x["nvidia_dc_quarter"] / (x["nvidia_ai_share_pct"] / 100) / chips0
    nvidia_dc = 4 * x["nvidia_next_guide"] * x["nvidia_dc_quarter"] / x["nvidia_quarter"]
    cost_ratio = (x["openai_revenue"] + x["openai_burn"]) / x["openai_revenue"]
    ant_25, ant_26 = x["anthropic_last"], x["anthropic_next"]
    w = cal["openai_commitment_weight"]
    labs = (
        Lab("openai", x["openai_arr"], math.log(x["openai_arr"] / x["openai_arr_year_before"]), cost_ratio,
            "run-rate net of partner shares", w),
        Lab("anthropic", midpoint(ant_25, ant_26), math.log(ant_26 / ant_25), cost_ratio,
            "run-rate gross of cloud-partner shares", 1 - w),
    )
    return Start(clock=CLOCK_2026, capex=capex0, capex_momentum=capex_momentum,
                 chips=chips0, chips_momentum=math.log(x["chips_next"] / x["chips_last"]), buildout_share=buildout,
                 nvidia_dc=nvidia_dc, spread=x["spread_bp"], labs=labs, credit=credit_series(ev, cal))


def with_financing(start: Start, cal: Calibration, financing: Mapping[str, tuple[float, float]]) -> Start:
    """``start`` with a financing state for the labs named in ``financing``: ``{lab: (runway, to_raise)}``, the
    decimal year in which the lab's cash and firm commitments run out and the amount it still has to raise (USD bn),
    as chapter 03's cash model publishes them. The lab's starting funds are what lasts until that runway on its
    quiet burn (:func:`aicompute.scenarios.model.funds_for_runway`); a raise brings the amount still to raise."""
    unknown = sorted(set(financing) - {lab.name for lab in start.labs})
    if unknown:
        raise ValueError(f"financing: no lab {unknown} in the start (labs: {[lab.name for lab in start.labs]})")
    labs = []
    clock = start.clock.year + (start.clock.month - 1) / 12
    for lab in start.labs:
        if lab.name in financing:
            runway, to_raise = (float(x) for x in financing[lab.name])
            if not math.isfinite(runway) or not math.isfinite(to_raise) or to_raise < 0:
                raise ValueError(f"financing['{lab.name}']: expected a finite runway and a non-negative amount to raise, "
                                 f"got {financing[lab.name]!r}")
            months = 12 * (runway - clock)
            funds = funds_for_runway(cal, start, lab, months)
            lab = dataclasses.replace(lab, funds=funds, raise_size=to_raise)
        labs.append(lab)
    return dataclasses.replace(start, labs=tuple(labs))


def _latest(readings: pd.DataFrame, series: tuple[str, ...], year: int, before: pd.Timestamp) -> pd.Series:
    rows = readings[readings["series"].isin(series) & (readings["period"].dt.year == year)
                    & (readings["period_type"] == "year") & (readings["published"] < before)]
    if rows.empty:
        raise ValueError(f"backtest start: no reading of {list(series)} for {year} published before {before.date()}")
    return rows.sort_values("published").iloc[-1]


def start_backtest(episode: str, readings: pd.DataFrame, cal: Calibration) -> Start:
    """A backtest's start from the readings published before its clock (``readings``: the observations table).

    Chip revenue follows the 2026 rule (last year's total and the new year's forecast, latest vintages known
    then). Capex is an index (100 at the start): no level was published for it; its momentum is taken equal to
    chip revenue's (judgment). No lab block; the credit spread is latent (100 at the start).
    """
    if episode not in EPISODES:
        raise ValueError(f"episode: expected one of {sorted(EPISODES)}, got {episode!r}")
    clock = EPISODES[episode][0]
    before = pd.Timestamp(clock)
    mine = readings[readings["episode"] == episode]
    last = _latest(mine, ("semis_revenue_year", "semis_revenue_year_forecast"), clock.year - 1, before)
    nxt = _latest(mine, ("semis_revenue_year_forecast",), clock.year, before)
    chips0 = midpoint(float(last["value"]), float(nxt["value"]))
    momentum = math.log(float(nxt["value"]) / float(last["value"]))
    return Start(clock=clock, capex=100.0, capex_momentum=momentum, chips=chips0, chips_momentum=momentum,
                 buildout_share=cal["backtest_buildout_chip_share"], nvidia_dc=None, spread=100.0, labs=())
