"""The 24-month scenarios: a small causal Monte Carlo model, signposts that update the odds, sensitivity.

Causal structure (monthly steps, January 2026 = month 0, 24 months to the end of 2027)::

    AI end-revenue growth ─┐
    cost-per-token decline ┴─> lab revenue ─┐
    AI capex, lab revenue ─> lab cost ──────┴─> funding gap ─> credit spread <─ credit event
    custom-silicon share ─> lab compute cost, AI chip revenue, Nvidia's slice
    credit spread, credit event, power brought online ─> AI capex ─> AI chip revenue ─┐
    non-AI chip demand (memory cycle) ───────────────────────────────────────────────┴─> semiconductor revenue
    lab revenue vs AI capex ─> GPU rental price

A scenario is a set of normal distributions over the drivers (``data/scenario_drivers.csv``), drawn once
per path, plus monthly shocks and, with a scenario-specific hazard, a credit event that triples credit
spreads and cuts capex and chip demand once. Levels are annualised run-rates in USD bn a year.

Observed signposts (``data/observations.csv``) up to the as-of date replace simulated values in the
months they refer to (:func:`anchors_from`), and each reading's likelihood under each scenario is the
density of the reading under that scenario's simulated distribution for that month
(:func:`likelihoods`), fed to plain Bayes (:func:`update_probabilities`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CLOCK_START",
    "DRIVERS",
    "HORIZON",
    "LABELS",
    "SCENARIOS",
    "SCENARIO_COLORS",
    "VARIABLES",
    "Model",
    "Simulation",
    "Start",
    "anchors_from",
    "annual_total",
    "bands",
    "causal_diagram",
    "causal_graph",
    "fan_chart",
    "fan_frame",
    "likelihoods",
    "log_likelihoods",
    "model_from_table",
    "month_dates",
    "month_index",
    "observation_table",
    "prob_annual_below",
    "sequential_update",
    "signpost_table",
    "simulate",
    "simulate_loop",
    "start_from_ledger",
    "tornado",
    "tornado_chart",
    "update_probabilities",
    "watch_list",
    "weighted_quantile",
]

SCENARIOS = ["hard_landing", "muddle_through", "soft_landing", "continued_boom"]
LABELS = {"hard_landing": "Hard landing", "muddle_through": "Muddle-through", "soft_landing": "Soft landing",
          "continued_boom": "Continued boom", "combined": "All scenarios (weighted)"}
#: Simulated variables (annualised levels unless noted).
VARIABLES = ["lab_revenue", "lab_cost", "funding_gap", "credit_spread", "ai_capex", "semis_revenue",
             "nvidia_dc_revenue", "gpu_rental_price", "custom_share", "power_index", "token_cost"]
#: Scenario-specific drivers (mean, sd per scenario).
DRIVERS = ["revenue_growth", "capex_growth", "token_cost_decline", "custom_share_shift", "power_growth",
           "nonai_semis_growth", "credit_event_hazard"]
HORIZON = 24
CLOCK_START = dt.date(2026, 1, 1)
_ANCHORABLE = ["lab_revenue", "ai_capex", "credit_spread", "semis_revenue", "gpu_rental_price"]


@dataclass(frozen=True)
class Start:
    """Levels at the start of the clock (January 2026)."""

    lab_revenue: float  # USD bn/yr, OpenAI + Anthropic run-rate
    lab_cost_ratio: float  # lab cost / lab revenue
    ai_capex: float  # USD bn/yr, Big-4 hyperscaler capex run-rate
    semis_revenue: float  # USD bn/yr, global
    ai_semis: float  # USD bn/yr, the AI-accelerator part of semis_revenue
    nvidia_dc: float  # USD bn/yr, Nvidia data-centre revenue (quarter x 4)
    custom_share: float  # percent of AI accelerator spend on custom silicon
    credit_spread: float  # bp, Oracle 5-year CDS
    gpu_price: float  # USD per H100-hour


@dataclass(frozen=True)
class Model:
    """Driver distributions per scenario {scenario: {driver: (mean, sd)}} and shared parameters."""

    drivers: dict[str, dict[str, tuple[float, float]]]
    shared: dict[str, float]
    start: Start

    def with_driver(self, driver: str, mean: float | None = None, shift: float = 0.0,
                    scale: float = 1.0) -> Model:
        """A copy with ``driver``'s mean set (or shifted/scaled) in every scenario."""
        new = {s: dict(d) for s, d in self.drivers.items()}
        for by_driver in new.values():
            m, sd = by_driver[driver]
            by_driver[driver] = ((m if mean is None else mean) * scale + shift, sd)
        return replace(self, drivers=new)


def start_from_ledger(ev: Any) -> Start:
    """Starting levels from the claims ledger as known to ``ev`` (an :class:`aicompute.evidence.Evidence`;
    see the chapter for the rule behind each)."""
    v = {cid: ev.value(cid) for cid in (
        "openai_arr_2025", "anthropic_arr_2025", "openai_revenue_2026_target", "openai_cash_burn_2026",
        "hyperscaler_capex_2025", "hyperscaler_capex_2026_feb_guidance", "semis_revenue_2025",
        "semis_revenue_2026f_wsts_autumn", "nvidia_dc_revenue_q4fy26", "nvidia_ai_share_now",
        "oracle_cds_2025_12", "h100_rental_2025_10")}
    nvidia_dc = 4 * v["nvidia_dc_revenue_q4fy26"]
    ai_semis = nvidia_dc / (v["nvidia_ai_share_now"] / 100)
    return Start(
        lab_revenue=v["openai_arr_2025"] + v["anthropic_arr_2025"],
        lab_cost_ratio=(v["openai_revenue_2026_target"] + v["openai_cash_burn_2026"]) / v["openai_revenue_2026_target"],
        ai_capex=midpoint(v["hyperscaler_capex_2025"], v["hyperscaler_capex_2026_feb_guidance"]),
        semis_revenue=midpoint(v["semis_revenue_2025"], v["semis_revenue_2026f_wsts_autumn"]),
        ai_semis=ai_semis, nvidia_dc=nvidia_dc, custom_share=100 - v["nvidia_ai_share_now"],
        credit_spread=v["oracle_cds_2025_12"], gpu_price=v["h100_rental_2025_10"],
    )


def midpoint(last_year: float, next_year: float) -> float:
    """Run-rate at the turn of the year between two annual totals (geometric mean: constant growth)."""
    if last_year <= 0 or next_year <= 0:
        raise ValueError(f"annual totals must be positive, got {last_year} and {next_year}")
    return math.sqrt(last_year * next_year)


def model_from_table(table: pd.DataFrame, start: Start, *, revenue_growth_shift: float = 0.0,
                     capex_growth_shift: float = 0.0, credit_hazard_scale: float = 1.0) -> Model:
    """Build a :class:`Model` from the ``scenario_drivers`` table, with optional analyst shifts."""
    drivers: dict[str, dict[str, tuple[float, float]]] = {s: {} for s in SCENARIOS}
    shared: dict[str, float] = {}
    for r in table.itertuples(index=False):
        if r.scenario == "all":
            shared[r.driver] = float(r.mean)
        else:
            drivers[r.scenario][r.driver] = (float(r.mean), float(r.sd))
    for s in SCENARIOS:
        missing = set(DRIVERS) - set(drivers[s])
        if missing:
            raise ValueError(f"scenario '{s}' lacks driver(s) {sorted(missing)}")
    model = Model(drivers=drivers, shared=shared, start=start)
    model = model.with_driver("revenue_growth", shift=revenue_growth_shift)
    model = model.with_driver("capex_growth", shift=capex_growth_shift)
    return model.with_driver("credit_event_hazard", scale=credit_hazard_scale)


def month_index(day: Any) -> int:
    """Months since January 2026 (January 2026 = 0)."""
    ts = pd.Timestamp(day)
    return (ts.year - CLOCK_START.year) * 12 + ts.month - 1


def month_dates(horizon: int = HORIZON) -> pd.DatetimeIndex:
    """First day of each simulated month."""
    return pd.date_range(pd.Timestamp(CLOCK_START), periods=horizon, freq="MS")


# --------------------------------------------------------------------------------------------- simulation

@dataclass
class Simulation:
    """Simulated paths: ``paths[scenario][variable]`` is an array (n_paths, horizon)."""

    paths: dict[str, dict[str, np.ndarray]]
    horizon: int = HORIZON
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def months(self) -> pd.DatetimeIndex:
        return month_dates(self.horizon)

    def tidy(self, variables: list[str] | None = None) -> pd.DataFrame:
        """Long table: scenario, path, month, variable, value (one row per path, month and variable)."""
        frames = []
        for s, vars_ in self.paths.items():
            for var in variables or VARIABLES:
                arr = vars_[var]
                n, t = arr.shape
                frames.append(pd.DataFrame({
                    "scenario": s, "path": np.repeat(np.arange(n), t),
                    "month": np.tile(self.months.values, n), "variable": var, "value": arr.ravel()}))
        return pd.concat(frames, ignore_index=True)


def _draws(rng: np.random.Generator, model: Model, scenario: str, n: int, horizon: int) -> dict[str, np.ndarray]:
    """All random numbers of one scenario, drawn in a fixed order (shared by both implementations)."""
    d = model.drivers[scenario]
    out = {name: rng.normal(d[name][0], d[name][1], n) for name in DRIVERS[:-1]}
    out["token_cost_decline"] = np.clip(out["token_cost_decline"], 0.0, 0.95)
    out["z"] = rng.standard_normal((5, horizon, n), dtype=np.float32)
    out["u"] = rng.random((horizon, n))
    return out


def _anchor_array(anchors: Mapping[str, Mapping[int, float]] | None, horizon: int) -> dict[str, np.ndarray]:
    arr = {v: np.full(horizon, np.nan) for v in _ANCHORABLE}
    for var, by_month in (anchors or {}).items():
        if var not in arr:
            raise ValueError(f"anchors: variable '{var}' cannot be anchored; expected one of {_ANCHORABLE}")
        for m, value in by_month.items():
            if 0 <= m < horizon:
                arr[var][m] = value
    return arr


def _run(model: Model, scenario: str, n: int, rng: np.random.Generator, anchors: dict[str, np.ndarray],
         horizon: int) -> dict[str, np.ndarray]:
    """Vectorised over paths; one numpy step per month."""
    st, sh, dr = model.start, model.shared, _draws(rng, model, scenario, n, horizon)
    hazard = model.drivers[scenario]["credit_event_hazard"][0]
    p_event = 1 - math.exp(-max(hazard, 0.0) / 12)
    dt_, sq = 1 / 12, math.sqrt(1 / 12)
    c0 = st.lab_revenue * st.lab_cost_ratio
    gap0, ls0 = st.lab_cost_ratio - 1, math.log(st.credit_spread)
    nonai0 = st.semis_revenue - st.ai_semis
    rev_g = dr["revenue_growth"] - sh["token_demand_elasticity"] * np.log1p(-dr["token_cost_decline"])
    R, K, N, P = (np.full(n, x, dtype=float) for x in (st.lab_revenue, st.ai_capex, nonai0, 1.0))
    x, tok, p_gpu, u = np.zeros(n), np.ones(n), np.full(n, st.gpu_price), np.full(n, st.custom_share)
    event = np.zeros(n, dtype=bool)
    out = {v: np.empty((horizon, n)) for v in VARIABLES}  # month-major: contiguous writes
    log_s = np.full(n, ls0)
    for t in range(horizon):
        z, new = dr["z"][:, t].astype(np.float64), np.zeros(n, dtype=bool)
        dlog_r = dlog_k = 0.0
        if t > 0:
            tok = tok * (1 - dr["token_cost_decline"]) ** dt_
            new = ~event & (dr["u"][t] < p_event)
            event = event | new
            dlog_r = rev_g * dt_ + sh["revenue_volatility"] * sq * z[0]
            k_prev = K
            K = K * np.exp((dr["capex_growth"] - sh["capex_spread_sensitivity"] * (log_s - ls0)) * dt_
                           + sh["capex_volatility"] * sq * z[1] - sh["event_capex_cut"] * new)
            P = P * np.exp(dr["power_growth"] * dt_)
            K = np.minimum(K, st.ai_capex * sh["power_headroom"] * P)
            R = R * np.exp(dlog_r)
            u = np.clip(u + dr["custom_share_shift"] * dt_, 0.0, 100.0)
            x = x * (1 - sh["spread_mean_reversion"] * dt_) + sh["spread_volatility"] * sq * z[2]
            N = N * np.exp(dr["nonai_semis_growth"] * dt_ + sh["nonai_volatility"] * sq * z[3]
                           - sh["event_nonai_cut"] * new)
        R = np.where(np.isnan(anchors["lab_revenue"][t]), R, anchors["lab_revenue"][t])
        K = np.where(np.isnan(anchors["ai_capex"][t]), K, anchors["ai_capex"][t])
        if t > 0:
            dlog_k = np.log(K / k_prev)
        mix = sh["inference_cost_share"] * R / st.lab_revenue + (1 - sh["inference_cost_share"]) * K / st.ai_capex
        cost = c0 * mix * (1 - sh["custom_cost_saving"] / 100 * (u - st.custom_share))
        gap = cost / R - 1
        base = ls0 + sh["spread_gap_sensitivity"] * (gap - gap0) + sh["event_spread_jump"] * event
        if not np.isnan(anchors["credit_spread"][t]):
            x = np.full(n, math.log(anchors["credit_spread"][t])) - base
        log_s = base + x
        ai = st.ai_semis * (K / st.ai_capex) * (1 - sh["asic_revenue_discount"] / 100 * (u - st.custom_share))
        if not np.isnan(anchors["semis_revenue"][t]):
            N = np.maximum(anchors["semis_revenue"][t] - ai, 1e-3 * anchors["semis_revenue"][t])
        if t > 0:
            p_gpu = p_gpu * np.exp(sh["gpu_price_sensitivity"] * (dlog_r - dlog_k) + sh["gpu_price_drift"] * dt_
                                   + sh["gpu_price_volatility"] * sq * z[4])
        p_gpu = np.where(np.isnan(anchors["gpu_rental_price"][t]), p_gpu, anchors["gpu_rental_price"][t])
        for var, val in (("lab_revenue", R), ("lab_cost", cost), ("funding_gap", cost - R),
                         ("credit_spread", np.exp(log_s)), ("ai_capex", K), ("semis_revenue", N + ai),
                         ("nvidia_dc_revenue", st.nvidia_dc * (ai / st.ai_semis) * (100 - u) / (100 - st.custom_share)),
                         ("gpu_rental_price", p_gpu), ("custom_share", u), ("power_index", P), ("token_cost", tok)):
            out[var][t] = val
    return {v: a.T for v, a in out.items()}


def _split(n_paths: int, k: int) -> list[int]:
    return [n_paths // k + (1 if i < n_paths % k else 0) for i in range(k)]


def simulate(model: Model, n_paths: int = 10_000, seed: int = 0, *, anchors: Mapping[str, Mapping[int, float]] | None = None,
             horizon: int = HORIZON, weights: Mapping[str, float] | None = None) -> Simulation:
    """Vectorised Monte Carlo: ``n_paths`` paths in all, split evenly across the scenarios.

    ``anchors`` {variable: {month index: observed value}} replace simulated values in those months.
    Same ``seed`` -> identical results (``numpy.random.default_rng``; scenarios drawn in a fixed order).
    """
    if not isinstance(n_paths, int) or n_paths < len(SCENARIOS):
        raise ValueError(f"n_paths: expected an integer >= {len(SCENARIOS)}, got {n_paths!r}")
    rng = np.random.default_rng(seed)
    arr = _anchor_array(anchors, horizon)
    paths = {s: _run(model, s, n, rng, arr, horizon) for s, n in zip(SCENARIOS, _split(n_paths, len(SCENARIOS)))}
    w = dict(weights) if weights else {s: 1 / len(SCENARIOS) for s in SCENARIOS}
    return Simulation(paths=paths, horizon=horizon, weights=w)


def _run_loop(model: Model, scenario: str, n: int, rng: np.random.Generator, anchors: dict[str, np.ndarray],
              horizon: int) -> dict[str, np.ndarray]:
    """The same model as :func:`_run`, path by path and month by month in plain Python (for the benchmark)."""
    st, sh, dr = model.start, model.shared, _draws(rng, model, scenario, n, horizon)
    p_event = 1 - math.exp(-max(model.drivers[scenario]["credit_event_hazard"][0], 0.0) / 12)
    dt_, sq = 1 / 12, math.sqrt(1 / 12)
    c0, gap0, ls0 = st.lab_revenue * st.lab_cost_ratio, st.lab_cost_ratio - 1, math.log(st.credit_spread)
    out = {v: np.empty((n, horizon)) for v in VARIABLES}
    z_all, u_all = dr["z"].tolist(), dr["u"].tolist()
    for i in range(n):
        tdec = float(dr["token_cost_decline"][i])
        rev_g = float(dr["revenue_growth"][i]) - sh["token_demand_elasticity"] * math.log1p(-tdec)
        cap_g, pow_g, non_g, du = (float(dr[k][i]) for k in ("capex_growth", "power_growth", "nonai_semis_growth",
                                                              "custom_share_shift"))
        R, K, N, P, x, tok, pg, u = (st.lab_revenue, st.ai_capex, st.semis_revenue - st.ai_semis, 1.0, 0.0, 1.0,
                                     st.gpu_price, st.custom_share)
        event, log_s = False, ls0
        for t in range(horizon):
            z = [z_all[j][t][i] for j in range(5)]
            new, dlog_r, dlog_k = False, 0.0, 0.0
            if t > 0:
                tok *= (1 - tdec) ** dt_
                new = (not event) and u_all[t][i] < p_event
                event = event or new
                dlog_r = rev_g * dt_ + sh["revenue_volatility"] * sq * z[0]
                k_prev = K
                K *= math.exp((cap_g - sh["capex_spread_sensitivity"] * (log_s - ls0)) * dt_
                              + sh["capex_volatility"] * sq * z[1] - sh["event_capex_cut"] * new)
                P *= math.exp(pow_g * dt_)
                K = min(K, st.ai_capex * sh["power_headroom"] * P)
                R *= math.exp(dlog_r)
                u = min(max(u + du * dt_, 0.0), 100.0)
                x = x * (1 - sh["spread_mean_reversion"] * dt_) + sh["spread_volatility"] * sq * z[2]
                N *= math.exp(non_g * dt_ + sh["nonai_volatility"] * sq * z[3] - sh["event_nonai_cut"] * new)
            R = R if math.isnan(anchors["lab_revenue"][t]) else float(anchors["lab_revenue"][t])
            K = K if math.isnan(anchors["ai_capex"][t]) else float(anchors["ai_capex"][t])
            if t > 0:
                dlog_k = math.log(K / k_prev)
            mix = sh["inference_cost_share"] * R / st.lab_revenue + (1 - sh["inference_cost_share"]) * K / st.ai_capex
            cost = c0 * mix * (1 - sh["custom_cost_saving"] / 100 * (u - st.custom_share))
            base = ls0 + sh["spread_gap_sensitivity"] * (cost / R - 1 - gap0) + sh["event_spread_jump"] * event
            if not math.isnan(anchors["credit_spread"][t]):
                x = math.log(anchors["credit_spread"][t]) - base
            log_s = base + x
            ai = st.ai_semis * (K / st.ai_capex) * (1 - sh["asic_revenue_discount"] / 100 * (u - st.custom_share))
            if not math.isnan(anchors["semis_revenue"][t]):
                N = max(anchors["semis_revenue"][t] - ai, 1e-3 * anchors["semis_revenue"][t])
            if t > 0:
                pg *= math.exp(sh["gpu_price_sensitivity"] * (dlog_r - dlog_k) + sh["gpu_price_drift"] * dt_
                               + sh["gpu_price_volatility"] * sq * z[4])
            pg = pg if math.isnan(anchors["gpu_rental_price"][t]) else float(anchors["gpu_rental_price"][t])
            row = (R, cost, cost - R, math.exp(log_s), K, N + ai,
                   st.nvidia_dc * (ai / st.ai_semis) * (100 - u) / (100 - st.custom_share), pg, u, P, tok)
            for var, val in zip(VARIABLES, row):
                out[var][i, t] = val
    return out


def simulate_loop(model: Model, n_paths: int = 1_000, seed: int = 0, *,
                  anchors: Mapping[str, Mapping[int, float]] | None = None, horizon: int = HORIZON) -> Simulation:
    """:func:`simulate` as a plain-Python loop over paths (same random numbers, same results; slow)."""
    rng = np.random.default_rng(seed)
    arr = _anchor_array(anchors, horizon)
    paths = {s: _run_loop(model, s, n, rng, arr, horizon) for s, n in zip(SCENARIOS, _split(n_paths, len(SCENARIOS)))}
    return Simulation(paths=paths, horizon=horizon, weights={s: 1 / len(SCENARIOS) for s in SCENARIOS})


# ------------------------------------------------------------------------------------------ summaries

def weighted_quantile(values: np.ndarray, weights: np.ndarray, qs: list[float]) -> np.ndarray:
    """Quantiles (qs in [0, 1]) of ``values`` with non-negative ``weights`` (inverted weighted CDF)."""
    values, weights = np.asarray(values, float), np.asarray(weights, float)
    if values.shape != weights.shape:
        raise ValueError("weights: expected the same shape as values")
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("weights: expected non-negative numbers with a positive sum")
    keep = weights > 0
    order = np.argsort(values[keep])
    v, w = values[keep][order], weights[keep][order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(np.asarray(qs, float), cdf, v)


def _stack(sim: Simulation, variable: str, weights: Mapping[str, float] | None) -> tuple[np.ndarray, np.ndarray]:
    w = weights or sim.weights
    arrs, ws = [], []
    for s in SCENARIOS:
        a = sim.paths[s][variable]
        arrs.append(a)
        ws.append(np.full(a.shape[0], w.get(s, 0.0) / a.shape[0]))
    return np.vstack(arrs), np.concatenate(ws)


def bands(sim: Simulation, variable: str, weights: Mapping[str, float] | None = None,
          quantiles: tuple[int, ...] = (5, 25, 50, 75, 95)) -> pd.DataFrame:
    """Percentile bands per month, by scenario and combined (weighted by ``weights`` or ``sim.weights``)."""
    rows = []
    qs = [q / 100 for q in quantiles]
    for s in SCENARIOS:
        pct = np.percentile(sim.paths[s][variable], quantiles, axis=0)
        rows.append(pd.DataFrame({"scenario": s, "month": sim.months, **{f"p{q}": pct[i] for i, q in enumerate(quantiles)}}))
    allv, allw = _stack(sim, variable, weights)
    comb = np.array([weighted_quantile(allv[:, t], allw, qs) for t in range(sim.horizon)])
    rows.append(pd.DataFrame({"scenario": "combined", "month": sim.months,
                              **{f"p{q}": comb[:, i] for i, q in enumerate(quantiles)}}))
    return pd.concat(rows, ignore_index=True)


def annual_total(paths: np.ndarray, year: int, horizon: int = HORIZON) -> np.ndarray:
    """Calendar-year total per path: the mean of the twelve monthly annualised run-rates."""
    start = (year - CLOCK_START.year) * 12
    if start < 0 or start + 12 > horizon:
        raise ValueError(f"year: {year} is not fully inside the simulated horizon")
    return paths[:, start:start + 12].mean(axis=1)


def prob_annual_below(sim: Simulation, variable: str, threshold: float, year: int,
                      weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """P(calendar-year total < threshold) by scenario and 'combined'."""
    out = {s: float((annual_total(sim.paths[s][variable], year, sim.horizon) < threshold).mean()) for s in SCENARIOS}
    w = weights or sim.weights
    out["combined"] = sum(w.get(s, 0.0) * out[s] for s in SCENARIOS) / sum(w.get(s, 0.0) for s in SCENARIOS)
    return out


# ----------------------------------------------------------------------------------------------- Bayes

def _check_mapping(name: str, m: Any) -> dict[str, float]:
    if not isinstance(m, Mapping) or not m:
        raise ValueError(f"{name}: expected a non-empty mapping of scenario -> number, got {m!r}")
    out = {}
    for k, v in m.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v) or v < 0:
            raise ValueError(f"{name}: expected a finite non-negative number for '{k}', got {v!r}")
        out[str(k)] = float(v)
    return out


def update_probabilities(prior: Mapping[str, float], likelihoods: Mapping[str, float]) -> dict[str, float]:
    """Bayes: posterior[s] = prior[s] * likelihood[s] / sum over scenarios. The prior is normalised first.

    A scenario with zero likelihood gets zero posterior; if every scenario with prior weight has zero
    likelihood the evidence is impossible under the model and a ValueError is raised.

    >>> update_probabilities({"a": 0.5, "b": 0.5}, {"a": 3, "b": 1})
    {'a': 0.75, 'b': 0.25}
    """
    p, lk = _check_mapping("prior", prior), _check_mapping("likelihoods", likelihoods)
    if set(p) != set(lk):
        raise ValueError(f"likelihoods: expected the scenarios of the prior {sorted(p)}, got {sorted(lk)}")
    total = sum(p.values())
    if total <= 0:
        raise ValueError("prior: expected a positive total probability")
    joint = {s: p[s] / total * lk[s] for s in p}
    z = sum(joint.values())
    if z <= 0:
        raise ValueError("likelihoods: every scenario with prior weight has zero likelihood; the evidence is "
                         "impossible under the model")
    return {s: joint[s] / z for s in p}


def log_likelihoods(sim: Simulation, variable: str, month: int, value: float, rel_error: float) -> dict[str, float]:
    """Log density of log(value) under each scenario's simulated distribution of ``variable`` in ``month``.

    Gaussian kernel density in logs (Silverman bandwidth), widened by the reading's relative error
    ``rel_error`` (one sd, as a fraction) so that a reading is never judged more precise than it is.
    """
    if value <= 0:
        raise ValueError(f"value: expected a positive reading, got {value}")
    if not 0 <= month < sim.horizon:
        raise ValueError(f"month: {month} is outside the simulated horizon")
    out = {}
    for s in SCENARIOS:
        x = np.log(np.maximum(sim.paths[s][variable][:, month], 1e-12))
        h = math.sqrt((1.06 * x.std() * len(x) ** -0.2) ** 2 + max(rel_error, 1e-3) ** 2)
        zz = (math.log(value) - x) / h
        m = (-0.5 * zz * zz).max()
        out[s] = float(m + math.log(np.exp(-0.5 * zz * zz - m).mean()) - math.log(h * math.sqrt(2 * math.pi)))
    return out


def likelihoods(sim: Simulation, variable: str, month: int, value: float, rel_error: float,
                weight: float = 1.0) -> dict[str, float]:
    """Relative likelihoods (the best scenario = 1), raised to ``weight`` (1 = full Bayes, 0 = ignore)."""
    ll = log_likelihoods(sim, variable, month, value, rel_error)
    top = max(ll.values())
    return {s: math.exp(weight * (v - top)) for s, v in ll.items()}


def observation_table(observations: pd.DataFrame, signposts: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """Observations published up to ``as_of``, joined with their signpost, with month index and reading error."""
    obs = observations[observations["published"] <= pd.Timestamp(as_of)]
    out = obs.merge(signposts[["id", "name", "model_variable", "threshold", "direction", "measurement_error_pct"]]
                    .rename(columns={"id": "signpost_id"}), on="signpost_id", how="left")
    out["month"] = out["period"].map(month_index)
    spread = np.log(out["high"] / out["low"]) / 4  # a stated range read as +/- 2 sd
    out["rel_error"] = np.fmax(out["measurement_error_pct"] / 100, spread.fillna(0))
    return out.sort_values(["published", "id"]).reset_index(drop=True)


def anchors_from(obs: pd.DataFrame, exclude: set[tuple[str, int]] | None = None) -> dict[str, dict[int, float]]:
    """{variable: {month: value}} from modelled observations; a later-published reading of a month wins."""
    out: dict[str, dict[int, float]] = {}
    for r in obs.sort_values("published").itertuples(index=False):
        if isinstance(r.model_variable, str) and r.model_variable in _ANCHORABLE and r.month < HORIZON \
                and (r.model_variable, r.month) not in (exclude or set()):
            out.setdefault(r.model_variable, {})[int(r.month)] = float(r.value)
    return out


def sequential_update(model: Model, prior: Mapping[str, float], obs: pd.DataFrame, *, n_paths: int, seed: int,
                      evidence_weight: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Update the odds reading by reading, in publication order.

    Each day's readings are judged against a simulation anchored on everything published before that
    day (so a second reading of a series is judged on what it adds). Returns (history: published,
    scenario, probability; likelihoods: one row per reading with each scenario's relative likelihood).
    """
    post = update_probabilities(prior, {s: 1.0 for s in prior})
    hist = [{"published": pd.Timestamp(CLOCK_START), **post}]
    rows = []
    modelled = obs[obs["model_variable"].notna() & (obs["month"] < HORIZON)]
    for day, group in modelled.groupby("published", sort=True):
        keys = {(v, int(m)) for v, m in zip(group["model_variable"], group["month"])}
        sim = simulate(model, n_paths, seed, anchors=anchors_from(modelled[modelled["published"] < day], keys))
        for r in group.itertuples(index=False):
            lk = likelihoods(sim, r.model_variable, int(r.month), float(r.value), float(r.rel_error), evidence_weight)
            post = update_probabilities(post, lk)
            rows.append({"id": r.id, "signpost_id": r.signpost_id, "published": day, **lk,
                         "favours": max(lk, key=lk.get)})
        hist.append({"published": day, **post})
    history = pd.DataFrame(hist).melt(id_vars="published", var_name="scenario", value_name="probability")
    return history, pd.DataFrame(rows)


# -------------------------------------------------------------------------------- sensitivity, signposts

def tornado(model: Model, outcome, *, n_paths: int, seed: int, anchors: Mapping[str, Mapping[int, float]] | None,
            weights: Mapping[str, float], drivers: list[str] | None = None) -> pd.DataFrame:
    """One-at-a-time swings: each driver's mean set to its lowest and highest scenario mean in every scenario.

    ``outcome(sim) -> float`` is the headline number; same seed throughout (common random numbers).
    Returns driver, low, high, base, swing (|high - low|), sorted by swing.
    """
    base = outcome(simulate(model, n_paths, seed, anchors=anchors, weights=weights))
    rows = []
    for d in drivers or DRIVERS:
        means = [model.drivers[s][d][0] for s in SCENARIOS]
        lo, hi = (outcome(simulate(model.with_driver(d, mean=m), n_paths, seed, anchors=anchors, weights=weights))
                  for m in (min(means), max(means)))
        rows.append({"driver": d, "setting_low": min(means), "setting_high": max(means), "low": lo, "high": hi,
                     "base": base, "swing": abs(hi - lo)})
    return pd.DataFrame(rows).sort_values("swing", ascending=False).reset_index(drop=True)


def signpost_table(obs: pd.DataFrame, signposts: pd.DataFrame, lk: pd.DataFrame) -> pd.DataFrame:
    """Each signpost's latest reading, threshold, whether it is on the warning side, and the scenario it favours."""
    rows = []
    for sp in signposts.itertuples(index=False):
        mine = obs[obs["signpost_id"] == sp.id].sort_values(["published", "period"])
        last = mine.iloc[-1] if len(mine) else None
        fav = lk.set_index("id")["favours"].get(last["id"]) if last is not None and len(lk) else None
        warn = None if last is None or pd.isna(sp.threshold) else (
            last["value"] < sp.threshold if sp.direction == "below" else last["value"] > sp.threshold)
        rows.append({"signpost": sp.name, "unit": sp.unit, "latest": None if last is None else last["value"],
                     "published": None if last is None else last["published"], "threshold": sp.threshold,
                     "warns if": sp.direction, "warning": {True: "yes", False: "no"}.get(warn, ""),
                     "favours": LABELS.get(fav, "not modelled")})
    return pd.DataFrame(rows)


def watch_list(sim: Simulation, signposts: pd.DataFrame, obs: pd.DataFrame, as_of: Any,
               weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Modelled signposts by the probability of crossing their threshold between the as-of month and the horizon end."""
    start = min(max(month_index(as_of) + 1, 0), sim.horizon - 1)
    w = weights or sim.weights
    rows = []
    for sp in signposts[signposts["model_variable"].notna()].itertuples(index=False):
        prob = 0.0
        for s in SCENARIOS:
            a = sim.paths[s][sp.model_variable][:, start:]
            hit = (a < sp.threshold) if sp.direction == "below" else (a > sp.threshold)
            prob += w.get(s, 0.0) * float(hit.any(axis=1).mean())
        mine = obs[obs["signpost_id"] == sp.id].sort_values("published")
        latest = float(mine["value"].iloc[-1]) if len(mine) else float("nan")
        rows.append({"signpost_id": sp.id, "signpost": sp.name, "threshold": sp.threshold, "warns_if": sp.direction,
                     "latest": latest, "distance_pct": 100 * (latest / sp.threshold - 1),
                     "p_cross": prob / sum(w.get(s, 0.0) for s in SCENARIOS)})
    return pd.DataFrame(rows).sort_values(["p_cross", "distance_pct"], ascending=[False, True],
                                          key=lambda c: c.abs() if c.name == "distance_pct" else c).reset_index(drop=True)


# ------------------------------------------------------------------------------------------ the diagram

_NODES = {  # id: (label, column x, row y, kind)
    "rev_growth": ("AI end-revenue growth", 0, 5, "driver"), "token": ("Cost-per-token decline", 0, 4, "driver"),
    "custom": ("Custom-silicon share", 0, 2.6, "driver"), "power": ("Power brought online", 0, 1.2, "driver"),
    "nonai": ("Non-AI chip demand", 0, 0, "driver"), "event": ("Credit event (hazard)", 1, 2.0, "driver"),
    "lab_rev": ("Lab revenue", 1, 4.6, "state"), "lab_cost": ("Lab cost", 1, 3.3, "state"),
    "gap": ("Funding gap", 2, 4.0, "state"), "spread": ("Credit spread", 2, 2.8, "state"),
    "capex": ("AI capex", 2, 1.3, "state"), "gpu": ("GPU rental price", 3, 5, "outcome"),
    "ai_chips": ("AI chip revenue", 3, 2.4, "state"), "nvidia": ("Nvidia data-centre revenue", 3, 3.6, "outcome"),
    "semis": ("Semiconductor revenue", 3, 0.3, "outcome"),
}
_EDGES = [("rev_growth", "lab_rev"), ("token", "lab_rev"), ("lab_rev", "gap"), ("lab_cost", "gap"),
          ("lab_rev", "lab_cost"), ("custom", "lab_cost"), ("capex", "lab_cost"), ("gap", "spread"),
          ("event", "spread"), ("event", "capex"), ("spread", "capex"), ("power", "capex"), ("capex", "ai_chips"),
          ("custom", "ai_chips"), ("ai_chips", "semis"), ("nonai", "semis"), ("ai_chips", "nvidia"),
          ("lab_rev", "gpu"), ("capex", "gpu")]


def causal_graph(width: float = 560, height: float = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge tables of the causal structure in pixel coordinates (edges stop short of the labels)."""
    nodes = pd.DataFrame([{"id": k, "label": v[0], "x": 70 + v[1] * (width - 140) / 3,
                           "y": height - 20 - v[2] * (height - 40) / 5, "kind": v[3]} for k, v in _NODES.items()])
    pos = nodes.set_index("id")
    edges = []
    for a, b in _EDGES:
        (x1, y1), (x2, y2) = pos.loc[a, ["x", "y"]], pos.loc[b, ["x", "y"]]
        length = math.hypot(x2 - x1, y2 - y1)
        ux, uy = (x2 - x1) / length, (y2 - y1) / length
        s0, s1 = min(30.0, length / 3), min(34.0, length / 3)
        edges.append({"from": a, "to": b, "x": x1 + ux * s0, "y": y1 + uy * s0, "x2": x2 - ux * s1,
                      "y2": y2 - uy * s1, "angle": math.degrees(math.atan2(ux, -uy))})
    return nodes, pd.DataFrame(edges)


def causal_diagram(width: float = 560, height: float = 300):
    """The causal structure as an Altair chart: arrows (rules + triangle heads) and labelled nodes."""
    from aicompute.charts import PALETTE, alt

    nodes, edges = causal_graph(width, height)
    x = alt.X("x:Q", scale=alt.Scale(domain=[0, width]), axis=None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=[height, 0]), axis=None)
    lines = alt.Chart(edges).mark_rule(color="#888888", strokeWidth=1.2).encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    heads = alt.Chart(edges).mark_point(shape="triangle-up", filled=True, size=40, color="#888888", opacity=1).encode(
        x=alt.X("x2:Q", scale=alt.Scale(domain=[0, width]), axis=None),
        y=alt.Y("y2:Q", scale=alt.Scale(domain=[height, 0]), axis=None), angle=alt.Angle("angle:Q", scale=None))
    colour = alt.Color("kind:N", scale=alt.Scale(domain=["driver", "state", "outcome"], range=PALETTE[:3]),
                       legend=alt.Legend(title="Node", orient="bottom"))
    labels = alt.Chart(nodes).mark_text(fontWeight="bold", fontSize=11).encode(x=x, y=y, text="label:N", color=colour)
    return (lines + heads + labels).properties(width=width, height=height)


# ----------------------------------------------------------------------------------------------- charts

SCENARIO_COLORS = {"Hard landing": "#D55E00", "Muddle-through": "#E69F00", "Soft landing": "#009E73",
                   "Continued boom": "#0072B2", "All scenarios (weighted)": "#000000"}


def fan_frame(sim: Simulation, variable: str, weights: Mapping[str, float], *, panels: bool = True) -> pd.DataFrame:
    """Bands of ``variable`` ready for :func:`fan_chart`: one panel per scenario plus the weighted combination."""
    b = bands(sim, variable, weights)
    b["series"] = b["scenario"].map(LABELS)
    b["panel"] = b["series"] if panels else LABELS["combined"]
    return b if panels else b[b["scenario"] == "combined"]


def fan_chart(frame: pd.DataFrame, *, title: str, subtitle: str, y_title: str, columns: int = 2,
              threshold: float | None = None, width: int = 250, height: int = 150):
    """Median line with 50% and 90% bands per series; one facet per ``panel``; optional threshold rule."""
    from aicompute.charts import alt

    frame = frame.assign(threshold=threshold) if threshold is not None else frame
    names = [n for n in SCENARIO_COLORS if n in set(frame["series"])] + sorted(set(frame["series"]) - set(SCENARIO_COLORS))
    palette = [SCENARIO_COLORS.get(n, "#CC79A7") for n in names]
    colour = alt.Color("series:N", scale=alt.Scale(domain=names, range=palette), title=None)
    x = alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", tickCount=4))
    base = alt.Chart().encode(x=x, color=colour)
    layers = [base.mark_area(opacity=0.15).encode(y=alt.Y("p5:Q", title=y_title), y2="p95:Q"),
              base.mark_area(opacity=0.3).encode(y="p25:Q", y2="p75:Q"), base.mark_line().encode(y="p50:Q")]
    if threshold is not None:
        layers.append(alt.Chart().mark_rule(color="#333333", strokeDash=[4, 3]).encode(y="threshold:Q"))
    layered = alt.layer(*layers, data=frame).properties(width=width, height=height)
    chart = layered.facet(facet=alt.Facet("panel:N", title=None, sort=names), columns=columns) \
        if frame["panel"].nunique() > 1 else layered
    return chart.properties(title=alt.TitleParams(title, subtitle=subtitle))


def tornado_chart(tor: pd.DataFrame, *, title: str, subtitle: str, x_title: str):
    """Bars from the outcome at each driver's low setting to its high setting; a rule at the base case."""
    from aicompute.charts import PALETTE, alt

    frame = tor.assign(lo=tor[["low", "high"]].min(axis=1), hi=tor[["low", "high"]].max(axis=1))
    y = alt.Y("driver:N", sort=list(tor["driver"]), title=None)
    bars = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("lo:Q", title=x_title), x2="hi:Q", y=y,
        tooltip=["driver", "setting_low", "setting_high", "low", "high"])
    rule = alt.Chart(frame.head(1)).mark_rule(color="#333333").encode(x="base:Q")
    return (bars + rule).properties(height=alt.Step(26), title=alt.TitleParams(title, subtitle=subtitle))
