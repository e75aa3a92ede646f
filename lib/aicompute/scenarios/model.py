"""The scenario model: a build-out cycle whose regime can switch, simulated month by month (vectorised).

Every path starts in the regime the start data show (a *boom* when the latest annual growth of chip revenue or
capex exceeds the boom line) and may switch each month::

    boom ──(cooling hazard)──> cooling ──(re-acceleration)──> boom
      │                          │
      └──(bust hazard)──> bust <─┘        bust ──(recovery hazard)──> cooling

The bust hazard is ``base x exp(slope x stress)``, where *stress* rises with the labs' funding gap (their cost
over their revenue, weighted by their compute commitments), the credit spread and the build-out's leverage (the
share of capex financed from outside: capex growing faster than internal funds raises it). A bust can therefore
start in any month, after a strong first year as well as a weak one, and a long boom makes one likelier.

Blocks (annualised run-rates, USD bn a year unless noted):

* **capex** ``K``: grows at the path's regime rate (boom: the start momentum plus a per-path draw; cooling and
  bust: calibrated rates) with monthly shocks; a credit event cuts it once.
* **chip revenue** = build-out part ``A = A0 (K/K0)^e`` (AI accelerators: Nvidia, custom silicon, HBM) plus the
  rest ``M`` (memory, PCs, phones, cars), which follows its own regime growth times a **memory price cycle**
  ``exp(p)``: a per-path impulse (up or down, Student-t, scale ``memory_cycle_amplitude``) arrives over a few
  months and the price deviation ``p`` then reverts to zero (``memory_price_reversion``; :func:`memory_cycle`), so
  chip revenue can fall after a price spike without any bust.
* **Nvidia data-centre revenue** = Nvidia's share of ``A`` (the share drifts down as custom silicon gains).
* **each lab's revenue** on its own basis (never summed): growth starts at the lab's momentum and decays towards
  the regime's long-run rate. Each lab's cost grows with its usage and with the capacity built for it.
* **credit spread** (Oracle's 5-year CDS in 2026): its log change since the start, the credit state, reverts to a
  per-path level (uncertain: ``spread_level_sd`` around the start's; the readings move it) with monthly shocks, and
  jumps in a bust and on a credit event (a monthly hazard, high in a bust, higher while a lab is out of funds).
* **each lab's financing state** (labs with ``funds``): its cash and firm commitments fall by its burn (cost less
  revenue) each month; a raise (a monthly hazard from month ``funding_raise_earliest`` on, lower in a bust) adds the
  amount still to raise. A lab *under strain* (its funds down to ``funding_buffer_months`` of its current burn, and
  no raise closed) renegotiates or defers its compute contracts: it raises the stress (so the bust hazard) and the
  credit-event hazard until it raises. :func:`strain_probability` gives each path's chance of strain by a month,
  integrating the raise over its hazard (lower Monte Carlo error; any raise setting without a new simulation).

The four endings are defined by outcomes at the horizon (:func:`endings`): the second year's chip revenue and
capex against the first year's, and credit events. Calibration: ``data/scenario_drivers.csv`` (one row per
parameter, with its range, basis and source) read by :class:`Calibration`; starting levels from the sources
published before the clock starts (:mod:`aicompute.scenarios.start`).

Pure: numpy/pandas only, no chart code, no data-package reads.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["REGIMES", "ENDINGS", "LABELS", "HORIZON", "Calibration", "Start", "Lab", "CreditSeries", "Paths", "simulate",
           "draws", "normal_f32", "monthly_shocks", "Proposal", "Guide", "guide_path", "lab_start_path", "PER_PATH", "endings", "annual_total", "growth", "month_dates", "weighted_quantile", "calibrate_hazard",
           "bust_share", "bands", "causal_graph", "PARAMETERS", "memory_cycle", "quiet_burn",
           "funds_for_runway", "strain_probability", "spread_level", "spread_level_bp", "spread_level_prior", "FUNDING_DIALS", "transition_log_prob", "regime_terms", "regime_log_prob", "event_log_prob", "RegimeTerms",
           "REGIME_PARAMETERS", "EVENT_PARAMETERS", "stress_under", "draw_log_ratio", "WINDOWS", "growth_window"]

REGIMES = ("boom", "cooling", "bust")
BOOM, COOLING, BUST = 0, 1, 2
ENDINGS = ("hard_landing", "muddle_through", "soft_landing", "continued_boom")
LABELS = {"hard_landing": "Hard landing", "muddle_through": "Muddle-through", "soft_landing": "Soft landing",
          "continued_boom": "Continued boom"}
HORIZON = 24

#: Every calibration parameter the model reads (data/scenario_drivers.csv must hold each one).
PARAMETERS = (
    # regime growth, log per year
    "capex_growth_boom_sd", "capex_growth_cooling", "capex_growth_bust", "capex_growth_sd",
    "other_chips_growth_boom_sd", "other_chips_growth_cooling", "other_chips_growth_bust", "other_chips_growth_sd",
    "memory_cycle_amplitude", "memory_impulse_decay", "memory_price_reversion",
    "lab_growth_boom", "lab_growth_cooling", "lab_growth_bust", "lab_growth_sd", "lab_growth_decay",
    # volatility, log per square-root year
    "capex_volatility", "other_chips_volatility", "lab_volatility", "spread_volatility", "spread_mean_reversion",
    "spread_start_sd", "spread_level_sd",
    "start_level_sd", "lab_start_sd",
    # chips
    "ai_chip_elasticity", "ai_chip_elasticity_sd", "nvidia_share_drift", "nvidia_share_drift_sd",
    # regime switching, per month
    "hazard_boom_cooling", "hazard_cooling_boom", "hazard_bust", "hazard_cooling_bust_ratio",
    "hazard_bust_recovery", "hazard_slope", "stress_weight_gap", "stress_weight_spread", "stress_weight_leverage",
    # credit
    "credit_event_hazard_bust", "credit_event_hazard_calm", "spread_jump_bust", "spread_jump_event",
    "event_capex_cut",
    # leverage and the labs' cost
    "external_financing_share", "internal_funds_growth", "lab_cost_usage_share", "openai_commitment_weight",
    # the labs' financing state
    "funding_raise_hazard", "funding_raise_bust_ratio", "funding_raise_earliest", "funding_buffer_months",
    "stress_weight_unfunded", "credit_event_hazard_unfunded",
    # endings
    "ending_hard_chip_fall", "ending_hard_capex_fall", "ending_boom_capex_growth", "ending_boom_chip_growth",
    "ending_soft_capex_growth", "ending_soft_chip_floor",
    # backtests
    "backtest_buildout_chip_share",
    # the credit channel: how each credit series reads the latent credit state
    "credit_beta_hy_oas", "credit_beta_ig_oas", "credit_beta_coreweave_cds", "credit_beta_cancellations",
    "cancellation_rate", "cancellation_unfunded_multiplier",
)


@dataclass(frozen=True)
class Calibration:
    """Parameter values ``{name: value}`` with their ranges ``{name: (low, high)}``."""

    values: Mapping[str, float]
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> float:
        try:
            return float(self.values[name])
        except KeyError:
            raise KeyError(f"calibration: no parameter '{name}' (data/scenario_drivers.csv)") from None

    def with_values(self, **values: float) -> Calibration:
        """A copy with some values replaced."""
        unknown = set(values) - set(self.values)
        if unknown:
            raise KeyError(f"calibration: unknown parameter(s) {sorted(unknown)}")
        return replace(self, values={**self.values, **{k: float(v) for k, v in values.items()}})

    def at(self, name: str, end: str) -> float:
        """The ``low``/``high`` end of a parameter's range (``central`` = its value)."""
        if end == "central":
            return self[name]
        lo, hi = self.ranges.get(name, (self[name], self[name]))
        return {"low": lo, "high": hi}[end]

    @classmethod
    def from_table(cls, table: pd.DataFrame, required: tuple[str, ...] = PARAMETERS) -> Calibration:
        """From the ``scenario_drivers`` table (columns id, value, low, high); names a missing parameter."""
        values, ranges = {}, {}
        for r in table.itertuples(index=False):
            values[r.id] = float(r.value)
            lo = float(r.low) if pd.notna(r.low) else float(r.value)
            hi = float(r.high) if pd.notna(r.high) else float(r.value)
            ranges[r.id] = (lo, hi)
        missing = [p for p in required if p not in values]
        if missing:
            raise ValueError(f"data/scenario_drivers.csv: missing parameter(s) {missing}; expected one row per "
                             "parameter of aicompute.scenarios.model.PARAMETERS")
        return cls(values, ranges)


@dataclass(frozen=True)
class Lab:
    """One frontier lab, on its own revenue basis."""

    name: str
    revenue: float  # run-rate at the start of the clock, USD bn a year
    momentum: float  # log growth per year at the start
    cost_ratio: float  # cost / revenue at the start
    basis: str = ""  # e.g. "run-rate net of partner shares"
    weight: float = 0.5  # weight of its funding gap in the stress index (compute commitments)
    funds: float | None = None  # cash and firm commitments at the start, USD bn (None: no financing state)
    raise_size: float = 0.0  # what a successful raise brings, USD bn (the amount still to raise)


@dataclass(frozen=True)
class CreditSeries:
    """A credit series read as a noisy view of the model's one latent credit state ``c = log(spread / spread at the
    start)`` (the log change of Oracle's CDS since the clock started; it jumps in a bust and on a credit event).

    A level series (a spread) is ``level x exp(beta c)``; a count (``rate`` > 0: contract cancellations since the
    clock started) has the expected cumulative number ``sum over months of rate / 12 x exp(beta c) x (1 + unfunded x
    u)``, where ``u`` is 1 in the months after a lab ran out of funds before raising (it renegotiates or defers its
    compute contracts: they show up as cancellations) and 0 otherwise."""

    level: float  # the series at the start of the clock (a spread, bp; a count: 0)
    beta: float  # log change of the series per unit of the latent credit state
    rate: float = 0.0  # a count: events a year at the start's credit state (0: a level series)
    unfunded: float = 0.0  # a count: extra rate, as a multiple of ``rate``, while a lab is out of funds

    @property
    def is_count(self) -> bool:
        return self.rate > 0


@dataclass(frozen=True)
class Start:
    """The state at the start of the clock and the momentum the data showed then."""

    clock: dt.date  # first simulated month
    capex: float  # capex run-rate (USD bn a year, or an index)
    capex_momentum: float  # latest annual log growth of capex
    chips: float  # chip revenue run-rate, USD bn a year
    chips_momentum: float  # latest annual log growth of chip revenue
    buildout_share: float  # share of chip revenue tied to the build-out (AI accelerators) at the start
    nvidia_dc: float | None = None  # Nvidia data-centre run-rate (None: not modelled)
    spread: float = 100.0  # credit spread, bp (latent when no reading exists)
    labs: tuple[Lab, ...] = ()
    credit: Mapping[str, CreditSeries] = field(default_factory=dict)  # series id -> how it reads the credit state
    horizon: int = HORIZON
    boom_line: float = 0.20  # annual growth above which the start regime is a boom

    @property
    def regime(self) -> int:
        """The regime the start data show: boom above the boom line, bust below zero, else cooling."""
        g = max(math.expm1(self.capex_momentum), math.expm1(self.chips_momentum))
        return BOOM if g > self.boom_line else (BUST if g < 0 else COOLING)

    @property
    def months(self) -> pd.DatetimeIndex:
        return month_dates(self.clock, self.horizon)


def month_dates(clock: dt.date, horizon: int = HORIZON) -> pd.DatetimeIndex:
    """First day of each simulated month."""
    return pd.date_range(pd.Timestamp(clock), periods=horizon, freq="MS")


# ------------------------------------------------------------------------------------------------ random draws

_BLOCK = 16384  # paths simulated together (arrays of this size stay in cache; 16k measured fastest)
#: Per-path standardised draws: (name, prior family). "t" is a Student-t with 3 degrees of freedom.
PER_PATH = (("capex_boom", "n"), ("capex_cool", "n"), ("capex_bust", "n"), ("other_boom", "n"), ("memory_cycle", "t"),
            ("other_cool", "n"),
            ("other_bust", "n"), ("elasticity", "n"), ("nv_drift", "n"), ("start_capex", "n"), ("start_chips", "n"),
            ("start_nvidia", "n"), ("start_spread", "n"),
            ("lab_g0_0", "t"), ("lab_g0_1", "t"), ("lab_g0_2", "t"), ("lab_start_0", "n"), ("lab_start_1", "n"),
            ("lab_start_2", "n"), ("spread_level", "n"))
_T_CONST = math.lgamma(2.0) - math.lgamma(1.5) - 0.5 * math.log(3 * math.pi)
_N_CONST = -0.5 * math.log(2 * math.pi)


def _log_density(x: np.ndarray, fam: str) -> np.ndarray:
    """Log density of standardised draws ``x`` of one family of :data:`PER_PATH`: Student-t (3 df, "t") or normal."""
    return _T_CONST - 2.0 * np.log1p(x * x / 3) if fam == "t" else _N_CONST - 0.5 * x * x


def _log_prior(eps: np.ndarray) -> np.ndarray:
    """Log density of the standardised per-path draws under the prior (summed over the dimensions)."""
    out = np.zeros(eps.shape[1])
    for k, (_, fam) in enumerate(PER_PATH):
        out += _log_density(eps[k], fam)
    return out


@dataclass(frozen=True)
class Guide:
    """Readings that a :class:`Proposal` draws one series of monthly shocks towards (a Kalman smoother).

    On the start-regime path without switches, the log of the quantity read is linear in the series' monthly shocks
    ``z``: ``D + c M z``, with ``M`` the running sum (``keep`` = 1: a lab's run-rate, capex) or a decaying sum
    (``keep`` < 1: the credit state's mean reversion; ``D`` then holds the reversion to the path's level) and ``c``
    the shock's scale. A reading ``i`` sees
    ``beta_i`` times the average of that over its months (``weights``, rows summing to one), with log error
    ``sigma_i``. With Gaussian errors the shocks given the readings are ``N(mu, S)``: ``S = (I + B' R^-1 B)^-1``,
    ``mu = S B' R^-1 (y - beta weights D)``, ``B = c diag(beta) weights M``. Drawing them from that and correcting
    with the importance weight keeps every estimate exact; it only spends fewer paths where the readings rule them
    out."""

    row: int  # which shock series: 0 capex, 2 the credit state, 3 + j lab j
    weights: np.ndarray  # (k, horizon)
    y: np.ndarray  # (k,) log readings, less each series' log level at the start where it has one
    sigma: np.ndarray  # (k,)
    beta: np.ndarray  # (k,) sensitivity of each reading's log to the quantity (1: the quantity itself)
    c: float  # the shock's scale per month
    keep: float = 1.0  # 1: a random walk; < 1: mean reversion per month

    def conditional(self) -> tuple[np.ndarray, np.ndarray]:
        """``(S's lower Cholesky factor, the gain G)``: ``mu = G (y - beta weights D)``."""
        h = self.weights.shape[1]
        t = np.arange(h)
        lag = t[:, None] - t[None, :]
        m = np.where(lag >= 0, self.keep ** np.maximum(lag, 0), 0.0)
        b = self.c * self.beta[:, None] * (self.weights @ m)
        rinv = 1 / self.sigma ** 2
        cov = np.linalg.inv(np.eye(h) + (b.T * rinv) @ b)
        cov = (cov + cov.T) / 2
        return np.linalg.cholesky(cov), cov @ (b.T * rinv)


@dataclass(frozen=True)
class Proposal:
    """Where to draw a path instead of the prior: two defensive mixtures (Hesterberg 1995), so that every path's
    importance weight (prior over proposal density) is bounded.

    The per-path quantities come from a multivariate normal over the standardised dimensions (it keeps their
    posterior correlations), mixed with the prior (share ``defensive``): their ratio ``p / q`` is at most
    ``1 / defensive``. Given them, the shocks of the guided series come from their :class:`Guide` (all at once),
    mixed with the prior (share ``guide_defensive``): at most ``1 / guide_defensive``. So no path weighs more than
    ``1 / (defensive x guide_defensive)`` (400 with the defaults). Without the second mixture the guided shocks' ratio is
    unbounded: the Gaussian guide is tighter than the readings' Student-t likelihood, so in its tails the weight
    grows without limit and has infinite variance whenever a reading halves a direction's variance (``S`` has an
    eigenvalue below 1/2); a rare path then carries much of the weight, and more paths do not buy more effective
    paths (200,000 final paths once gave half the effective paths of 140,000; other seeds gave 22 and 923). The
    shares are small because a path from the prior is mostly wasted once the readings are tight: with 0.2 for the
    per-path quantities the chapter's run kept about 2,900 effective paths of 140,000, with 0.05 about 4,900."""

    mean: np.ndarray  # (len(PER_PATH),)
    chol: np.ndarray  # lower Cholesky factor of the covariance
    defensive: float = 0.05
    guides: tuple[Guide, ...] = ()  # readings that series of monthly shocks are drawn towards
    guide_defensive: float = 0.05

    @property
    def max_weight(self) -> float:
        """The largest importance weight any path can carry: ``1 / defensive``, over ``guide_defensive`` if guided."""
        return 1 / self.defensive / (self.guide_defensive if self.guides else 1.0)

    def log_density(self, eps: np.ndarray) -> np.ndarray:
        k = len(self.mean)
        y = np.linalg.solve(self.chol, eps - self.mean[:, None])
        lq = k * _N_CONST - np.log(np.diag(self.chol)).sum() - 0.5 * (y * y).sum(0)
        lp = _log_prior(eps)
        return np.logaddexp(math.log(self.defensive) + lp, math.log1p(-self.defensive) + lq)

    def log_guide_weight(self, log_guide_ratio: np.ndarray) -> np.ndarray:
        """The guided shocks' log importance weight ``log p - log q = -log(d + (1 - d) g / p)`` from their
        ``log g - log p`` (the guides' density over the prior's; ``d = guide_defensive``): at most ``-log d``."""
        d = self.guide_defensive
        return -np.logaddexp(math.log(d), math.log1p(-d) + log_guide_ratio)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.mean[:, None] + self.chol @ rng.standard_normal((len(self.mean), n))

    @classmethod
    def fit(cls, eps: np.ndarray, w: np.ndarray, widen: float = 1.3, defensive: float = 0.05,
            guides: tuple[Guide, ...] = ()) -> Proposal:
        """A proposal from weighted draws: weighted mean and covariance (times ``widen``^2, plus a small ridge)."""
        w = w / w.sum()
        mean = eps @ w
        dev = eps - mean[:, None]
        cov = (dev * w) @ dev.T * widen ** 2 + 0.01 * np.eye(len(mean))
        return cls(mean, np.linalg.cholesky(cov), defensive, guides)


def guide_path(cal: Calibration, start: Start, row: int, e: Mapping[str, np.ndarray]) -> np.ndarray:
    """(n, horizon) each path's ``D`` for a :class:`Guide` of shock series ``row`` (``e``: the standardised per-path
    draws by name): the path without monthly shocks, regime switches or credit events."""
    t = np.arange(1, start.horizon + 1)
    if row == 0:  # log capex: its start level, growing at the start regime's rate
        g = {BOOM: start.capex_momentum + cal["capex_growth_boom_sd"] * e["capex_boom"],
             COOLING: cal["capex_growth_cooling"] + cal["capex_growth_sd"] * e["capex_cool"],
             BUST: cal["capex_growth_bust"] + cal["capex_growth_sd"] * e["capex_bust"]}[start.regime]
        return (math.log(start.capex) + cal["start_level_sd"] * e["start_capex"])[:, None] + g[:, None] * t[None, :] / 12
    if row == 2:  # the credit state: its starting error, reverting to the path's level m: c0 keep^t + m (1 - keep^t)
        decay = (1 - cal["spread_mean_reversion"] / 12) ** t[None, :]
        m = spread_level(cal, e["spread_level"])[:, None]
        return (cal["spread_start_sd"] * e["start_spread"])[:, None] * decay + m * (1 - decay)
    return lab_start_path(cal, start, row - 3, e[f"lab_start_{row - 3}"], e[f"lab_g0_{row - 3}"])


def spread_level(cal: Calibration, eps: np.ndarray) -> np.ndarray:
    """The level each path's credit state reverts to (log, relative to the spread at the start) from its standardised
    draw: ``spread_level_sd x eps``. Centred on the start: the readings, not the prior, say whether December 2025's
    spreads were a peak (``spread_level_sd`` = 0: every path reverts to the start's level)."""
    return cal["spread_level_sd"] * eps


def spread_level_bp(paths: Paths, cal: Calibration) -> np.ndarray:
    """Each path's level of the spread read at the start (Oracle's CDS, bp) that its credit state reverts to:
    ``start.spread x exp(m)`` (:func:`spread_level`)."""
    if paths.eps is None:
        raise ValueError("spread_level_bp: the paths carry no per-path draws")
    k = [name for name, _ in PER_PATH].index("spread_level")
    return float(paths.start.spread) * np.exp(spread_level(cal, paths.eps[k]))


def spread_level_prior(cal: Calibration, spread: float, qs: Any) -> np.ndarray:
    """Quantiles ``qs`` of that level before any reading: ``spread x exp(spread_level_sd x z_q)``, ``z_q`` the
    standard normal's quantile."""
    z = np.array([NormalDist().inv_cdf(float(q)) for q in np.atleast_1d(qs)])
    return float(spread) * np.exp(cal["spread_level_sd"] * z)


def lab_start_path(cal: Calibration, start: Start, j: int, lab_start: np.ndarray, lab_g0: np.ndarray) -> np.ndarray:
    """(n, horizon) each path's log run-rate of lab ``j`` without monthly shocks and regime switches (its start, its
    starting growth decaying towards the start regime's long-run rate): the ``D`` of a lab's :class:`Guide`."""
    lab, dt_ = start.labs[j], 1 / 12
    target = {BOOM: cal["lab_growth_boom"], COOLING: cal["lab_growth_cooling"],
              BUST: cal["lab_growth_bust"]}[start.regime] * dt_
    decay = math.exp(-cal["lab_growth_decay"] * dt_)
    log_r0 = math.log(lab.revenue) + cal["lab_start_sd"] * lab_start
    dev0 = (lab.momentum + cal["lab_growth_sd"] * lab_g0) * dt_ - target
    t = np.arange(1, start.horizon + 1)
    cum_decay = np.cumsum(decay ** t)
    return log_r0[:, None] + target * t[None, :] + dev0[:, None] * cum_decay[None, :]


def draws(cal: Calibration, start: Start, n: int, seed: int, proposal: Proposal | None = None) -> dict[str, np.ndarray]:
    """Every random number of a run, drawn in a fixed order (shared by :func:`simulate` and the benchmark loop).

    Per path (standardised, then scaled; :data:`PER_PATH`): regime growth rates, the AI-chip elasticity,
    Nvidia's share drift, the starting levels' error, each lab's starting growth and the level the credit state
    reverts to (:func:`spread_level`). The growth outside the
    build-out in a boom and each lab's starting growth are Student-t (3 degrees of freedom): they can surprise
    far more than a normal draw allows. Per month and path: shocks (float32 normals, :func:`normal_f32`;
    antithetic: the second half of the paths gets the first half's shocks with the sign flipped; ``z_half`` holds
    the first half, :func:`monthly_shocks` all of them) and the uniforms that decide regime switches and credit
    events. With a ``proposal`` the per-path draws come from it and ``log_iw`` holds each path's
    log importance weight (prior over proposal density); otherwise ``log_iw`` is zero.
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n_paths: expected a positive integer, got {n!r}")
    if len(start.labs) > 3:
        raise ValueError("start: at most three labs are modelled")
    rng = np.random.default_rng(seed)
    h, k = start.horizon, len(PER_PATH)
    eps = np.empty((k, n))
    for j, (_, fam) in enumerate(PER_PATH):
        eps[j] = rng.standard_t(3, n) if fam == "t" else rng.standard_normal(n)
    guided = proposal is not None and bool(proposal.guides)
    # antithetic monthly shocks: the second half of the paths mirrors the first (not when a lab's shocks are guided)
    half = n if guided else (n + 1) // 2
    z_half = normal_f32(rng, (3 + len(start.labs), h, half))
    out: dict[str, np.ndarray] = {"z_half": z_half,  # the shocks of paths >= half are these, negated
                                  "u_regime": rng.random((h, n), dtype=np.float32),
                                  "u_event": rng.random((h, n), dtype=np.float32),
                                  "u_raise": rng.random((max(1, len(start.labs)), h, n), dtype=np.float32)}
    log_iw = np.zeros(n)
    if proposal is not None:
        from_q = rng.random(n) >= proposal.defensive
        eps[:, from_q] = proposal.sample(rng, int(from_q.sum()))
        log_iw = _log_prior(eps) - proposal.log_density(eps)
    e = dict(zip((name for name, _ in PER_PATH), eps))
    out["eps"], out["log_iw"] = eps, log_iw
    out["capex_boom"] = start.capex_momentum + cal["capex_growth_boom_sd"] * e["capex_boom"]
    out["capex_cool"] = cal["capex_growth_cooling"] + cal["capex_growth_sd"] * e["capex_cool"]
    out["capex_bust"] = cal["capex_growth_bust"] + cal["capex_growth_sd"] * e["capex_bust"]
    out["other_boom"] = start.chips_momentum + cal["other_chips_growth_boom_sd"] * e["other_boom"]
    out["memory_impulse"] = cal["memory_cycle_amplitude"] * e["memory_cycle"]  # a memory price swing, up or down
    out["other_cool"] = cal["other_chips_growth_cooling"] + cal["other_chips_growth_sd"] * e["other_cool"]
    out["other_bust"] = cal["other_chips_growth_bust"] + cal["other_chips_growth_sd"] * e["other_bust"]
    out["elasticity"] = np.maximum(cal["ai_chip_elasticity"] + cal["ai_chip_elasticity_sd"] * e["elasticity"], 0.0)
    out["nv_drift"] = cal["nvidia_share_drift"] + cal["nvidia_share_drift_sd"] * e["nv_drift"]
    out["start"] = np.stack([e["start_capex"], e["start_chips"], e["start_nvidia"]])
    out["spread0"] = cal["spread_start_sd"] * e["start_spread"]
    out["spread_level"] = spread_level(cal, e["spread_level"])
    out["lab_g0"] = np.stack([e[f"lab_g0_{j}"] for j in range(3)])
    out["lab_start"] = np.stack([e[f"lab_start_{j}"] for j in range(3)])
    if guided:
        from_g = rng.random(n) >= proposal.guide_defensive  # False: every guided series keeps its prior shocks
        log_ratio = np.zeros(n)  # log g - log p of the guided shocks
        for g in proposal.guides:
            chol, gain = g.conditional()
            d_path = guide_path(cal, start, g.row, e)
            mu = gain @ (g.y[:, None] - g.beta[:, None] * (g.weights @ d_path.T))  # (h, n)
            xi = rng.standard_normal((h, n))
            z = np.where(from_g, (mu + chol @ xi).astype(np.float32), z_half[g.row])  # as simulated: float32
            xi = np.linalg.solve(chol, z.astype(np.float64) - mu)
            # guide N(mu, S) over prior N(0, I): -|xi|^2/2 - log det S / 2 + |z|^2/2
            log_ratio += -0.5 * (xi * xi).sum(0) - np.log(np.diag(chol)).sum() + 0.5 * (z.astype(np.float64) ** 2).sum(0)
            z_half[g.row] = z
        out["log_iw"] = log_iw + proposal.log_guide_weight(log_ratio)
    return out


def normal_f32(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Standard normal draws in float32, by the Box-Muller transform of float32 uniforms.

    The monthly shocks are most of a run's random numbers, and this is about twice as fast as numpy's float32
    ziggurat (``make bench``). Each pair of uniforms ``(u, v)`` gives ``sqrt(-2 ln(1 - u)) cos(2 pi v)`` and the
    same radius times the sine, two independent normals. The uniforms' resolution (2^-24) caps ``|z|`` at
    ``sqrt(48 ln 2)``, about 5.77: a normal lies beyond that with probability 8e-9, immaterial for monthly shocks
    (the model's fat tails come from its Student-t draws and its regime switches).
    """
    size = math.prod(shape)
    m = (size + 1) // 2
    u = rng.random((2, m), dtype=np.float32)
    radius = np.subtract(np.float32(1), u[0])  # in (0, 1]
    np.log(radius, out=radius)
    radius *= np.float32(-2)
    np.sqrt(radius, out=radius)
    angle = u[1]
    angle *= np.float32(2 * math.pi)
    out = np.empty((2, m), dtype=np.float32)
    np.cos(angle, out=out[0])
    np.sin(angle, out=out[1])
    out *= radius
    return out.reshape(-1)[:size].reshape(shape)


def monthly_shocks(d: dict[str, np.ndarray], n: int) -> np.ndarray:
    """The monthly shocks of all ``n`` paths, (variables, months, n): the first half as drawn, the second half the
    first half's shocks negated (antithetic). :func:`simulate` reads them block by block instead."""
    z_half = d["z_half"]
    return np.concatenate([z_half, -z_half[..., :n - z_half.shape[2]]], axis=2)


# ------------------------------------------------------------------------------------------------- simulation

@dataclass
class Paths:
    """Simulated paths: each array is (n_paths, horizon) unless noted."""

    start: Start
    capex: np.ndarray
    chips: np.ndarray
    buildout_chips: np.ndarray
    nvidia_dc: np.ndarray | None
    labs: dict[str, np.ndarray]
    spread: np.ndarray
    leverage: np.ndarray
    stress: np.ndarray
    regime: np.ndarray  # int8
    event: np.ndarray  # bool: a credit event has happened by this month
    hazard_scale: float = 1.0
    eps: np.ndarray | None = None  # (len(PER_PATH), n) standardised per-path draws
    log_iw: np.ndarray | None = None  # log importance weight of each path (prior / proposal)
    initial: dict[str, np.ndarray] = field(default_factory=dict)  # levels at the start (before month 0)
    unfunded: dict[str, np.ndarray] = field(default_factory=dict)  # lab -> (n, horizon) bool: under strain, not raised
    burn: dict[str, np.ndarray] = field(default_factory=dict)  # lab -> (n, horizon) burn (cost less revenue), USD bn a year

    @property
    def prior_weights(self) -> np.ndarray:
        """Normalised importance weights (uniform without a proposal)."""
        if self.log_iw is None:
            return np.full(self.n, 1 / self.n)
        w = np.exp(self.log_iw - self.log_iw.max())
        return w / w.sum()

    @property
    def n(self) -> int:
        return self.capex.shape[0]

    @property
    def months(self) -> pd.DatetimeIndex:
        return self.start.months

    def credit_state(self) -> np.ndarray:
        """The latent credit state ``log(spread / spread at the start)`` per path and month (float64)."""
        return np.log(self.spread.astype(np.float64) / float(self.start.spread))

    def variable(self, name: str) -> np.ndarray:
        """A simulated series by name: capex, chips, buildout_chips, nvidia_dc, spread, leverage, stress,
        ``lab:<name>``, or ``credit:<series>`` (a credit series read from the latent credit state:
        :class:`CreditSeries`)."""
        if name.startswith("credit:"):
            key = name[7:]
            if key not in self.start.credit:
                raise KeyError(f"no credit series '{key}' in the simulation (series: {sorted(self.start.credit)})")
            cs = self.start.credit[key]
            step = np.exp(cs.beta * self.credit_state())
            if cs.is_count:
                if cs.unfunded and self.unfunded:
                    unf = np.zeros(step.shape, dtype=bool)
                    for arr in self.unfunded.values():
                        unf |= arr
                    unf[:, 1:] = unf[:, :-1].copy()  # the month after funds ran out, as the credit-event hazard
                    unf[:, 0] = False
                    step = step * (1 + cs.unfunded * unf)
                return np.cumsum(step * (cs.rate / 12), axis=1)
            return cs.level * step
        if name.startswith("lab:"):
            key = name[4:]
            if key not in self.labs:
                raise KeyError(f"no lab '{key}' in the simulation (labs: {sorted(self.labs)})")
            return self.labs[key]
        if name == "nvidia_dc" and self.nvidia_dc is None:
            raise KeyError("Nvidia data-centre revenue is not modelled in this run")
        if name not in ("capex", "chips", "buildout_chips", "nvidia_dc", "spread", "leverage", "stress"):
            raise KeyError(f"unknown simulated variable '{name}'")
        return getattr(self, name)


def simulate(cal: Calibration, start: Start, n_paths: int = 10_000, seed: int = 0, *,
             hazard_scale: float = 1.0, proposal: Proposal | None = None) -> Paths:
    """Vectorised Monte Carlo: ``n_paths`` paths over ``start.horizon`` months (one numpy step per month).

    ``hazard_scale`` multiplies the base bust hazard (set by :func:`calibrate_hazard`); ``proposal`` draws the
    per-path quantities from it (``Paths.log_iw`` then corrects). Same seed, same numbers.
    """
    d = draws(cal, start, n_paths, seed, proposal)
    n, h, dt_ = n_paths, start.horizon, 1 / 12
    sq = math.sqrt(dt_)
    s = start
    vol_k, vol_m, vol_l = cal["capex_volatility"], cal["other_chips_volatility"], cal["lab_volatility"]
    vol_s, rev_s = cal["spread_volatility"], cal["spread_mean_reversion"]
    h_cool, h_reboom, h_rec = cal["hazard_boom_cooling"], cal["hazard_cooling_boom"], cal["hazard_bust_recovery"]
    h_bust = cal["hazard_bust"] * hazard_scale
    ratio_cb, slope = cal["hazard_cooling_bust_ratio"], cal["hazard_slope"]
    w_gap, w_spr, w_lev = cal["stress_weight_gap"], cal["stress_weight_spread"], cal["stress_weight_leverage"]
    ev_bust, ev_calm = cal["credit_event_hazard_bust"], cal["credit_event_hazard_calm"]
    jump_bust, jump_ev, cut_ev = cal["spread_jump_bust"], cal["spread_jump_event"], cal["event_capex_cut"]
    ext0, g_int = cal["external_financing_share"], cal["internal_funds_growth"]
    usage, decay = cal["lab_cost_usage_share"], math.exp(-cal["lab_growth_decay"] * dt_)
    fade, keep_mem = math.exp(-cal["memory_impulse_decay"] * dt_), math.exp(-cal["memory_price_reversion"] * dt_)
    fin = [j for j, lab in enumerate(s.labs) if lab.funds is not None]  # labs with a financing state
    w_unf, ev_unf = cal["stress_weight_unfunded"], cal["credit_event_hazard_unfunded"]
    raise_b, raise_from = cal["funding_raise_hazard"], int(round(cal["funding_raise_earliest"]))
    buffer = cal["funding_buffer_months"]
    p_raise_of = 1 - np.exp(-raise_b * np.array([1.0, 1.0, cal["funding_raise_bust_ratio"]]))

    f32 = np.float32
    out = {k: np.empty((h, n), dtype=f32) for k in ("capex", "chips", "buildout", "spread", "leverage", "stress")}
    out_nv = np.empty((h, n), dtype=f32) if s.nvidia_dc is not None else None
    out_labs = [np.empty((h, n), dtype=f32) for _ in s.labs]
    out_regime = np.empty((h, n), dtype=np.int8)
    out_event = np.empty((h, n), dtype=bool)
    out_unf = {j: np.empty((h, n), dtype=bool) for j in fin}
    out_burn = {j: np.empty((h, n), dtype=f32) for j in fin}
    init = {k: np.empty(n) for k in ("capex", "chips", "buildout_chips", "nvidia_dc",
                                     *(f"lab:{lab.name}" for lab in s.labs))}
    full = d
    half = full["z_half"].shape[2]
    bounds = sorted({*range(0, half, _BLOCK), *range(half, n, _BLOCK), n})  # no block straddles the antithetic half
    # per regime (boom, cooling, bust): the bust hazard's sign-flipped base, the hazard of the other switch, where
    # that switch leads, the monthly credit-event probability, the lab growth rate's long-run target (per month)
    # and the spread's jump
    neg_hazard_of = -h_bust * np.array([1.0, ratio_cb, 0.0])
    p_other_of = np.array([1 - math.exp(-h_cool), 1 - math.exp(-h_reboom), 1 - math.exp(-h_rec)])
    switch_to = np.array([COOLING, BOOM, COOLING], dtype=np.int8)
    ev_rate_of = np.array([ev_calm, ev_calm, ev_bust])
    lab_lr_dt = np.array([cal["lab_growth_boom"], cal["lab_growth_cooling"], cal["lab_growth_bust"]]) * dt_
    jump_of = np.array([0.0, 0.0, jump_bust])
    total_w = sum(lab.weight for lab in s.labs) or 1.0
    # the labs' part of the stress index is sum_j coef_j (K/K0 r0_j/r_j - 1): lab j's cost over its revenue,
    # less the same at the start, where cost = cost_ratio r0 (usage r/r0 + (1 - usage) K/K0)
    coef = [w_gap * lab.weight / total_w * lab.cost_ratio * (1 - usage) for lab in s.labs]
    stress_const = -w_lev * ext0 - sum(coef)
    fund_step, spread_keep = math.exp(g_int * dt_), 1 - rev_s * dt_
    log_s0, r0_regime = math.log(s.spread), s.regime
    n_z = 3 + len(s.labs)
    for lo, hi in zip(bounds[:-1], bounds[1:]):  # blocks of paths: small arrays stay in cache
        sl = slice(lo, hi)
        d = {k: v[..., sl] for k, v in full.items() if k != "z_half"}
        mirrored = lo >= half
        z_block = full["z_half"][..., lo - half:hi - half] if mirrored else full["z_half"][..., sl]
        # scale of each shock series (negated for the mirrored half: antithetic paths)
        shock_scale = np.array([vol_k, vol_m, vol_s, *([vol_l] * len(s.labs))])[:, None] * (-sq if mirrored else sq)
        n_b = hi - lo
        # each path's monthly growth in each regime: row i holds path i's boom, cooling and bust rates
        g_capex = np.stack([d["capex_boom"], d["capex_cool"], d["capex_bust"]], axis=1) * dt_
        g_other = np.stack([d["other_boom"], d["other_cool"], d["other_bust"]], axis=1) * dt_
        k0 = s.capex * np.exp(cal["start_level_sd"] * d["start"][0])
        c0 = s.chips * np.exp(cal["start_level_sd"] * d["start"][1])
        a0 = s.buildout_share * c0
        nv0 = (s.nvidia_dc or 0.0) * np.exp(cal["start_level_sd"] * d["start"][2])
        log_k, log_m = np.log(k0), np.log(c0 - a0)
        log_k0, inv_k0 = log_k.copy(), 1 / k0
        init["capex"][sl], init["chips"][sl], init["buildout_chips"][sl], init["nvidia_dc"][sl] = k0, c0, a0, nv0
        funds = (1 - ext0) * k0
        r0 = [lab.revenue * np.exp(cal["lab_start_sd"] * d["lab_start"][j]) for j, lab in enumerate(s.labs)]
        log_r = [np.log(v) for v in r0]
        r0_coef = [c * v for c, v in zip(coef, r0)]
        for lab, v in zip(s.labs, r0):
            init[f"lab:{lab.name}"][sl] = v
        # regime-dependent quantities per path, changed only where a path switches regime (a few per cent a month)
        regime = np.full(n_b, r0_regime, dtype=np.int8)
        event = np.zeros(n_b, dtype=bool)
        neg_hazard = np.full(n_b, neg_hazard_of[r0_regime])
        p_other = np.full(n_b, p_other_of[r0_regime])
        p_ev = np.empty(n_b)
        unf_any = np.zeros(n_b, dtype=bool)  # a lab out of funds last month
        lab_funds = {j: np.full(n_b, float(s.labs[j].funds)) for j in fin}
        raised = {j: np.zeros(n_b, dtype=bool) for j in fin}
        drift_k, drift_m = g_capex[:, r0_regime].copy(), g_other[:, r0_regime].copy()
        target = np.full(n_b, lab_lr_dt[r0_regime])  # each lab's long-run monthly growth in the path's regime
        jump = np.full(n_b, jump_of[r0_regime])  # the spread's jump: bust and credit event
        # each lab's monthly growth = target + dev; dev decays towards zero
        dev = [(lab.momentum + cal["lab_growth_sd"] * d["lab_g0"][j]) * dt_ - target for j, lab in enumerate(s.labs)]
        x = d["spread0"].copy()  # the spread at the start of the clock is known only to within a band
        level_step = (1 - spread_keep) * d["spread_level"]  # x reverts to the path's level: keep x + (1 - keep) m
        stress = np.zeros(n_b)
        elasticity = d["elasticity"]
        nv_ratio, nv_step = nv0 / a0, np.exp(-d["nv_drift"] * dt_)  # Nvidia's share drifts down month by month
        impulse = d["memory_impulse"] * (1 - fade)  # arrives over a few months ...
        mem = np.zeros(n_b)  # ... into the log memory price deviation, which reverts
        p_bust, thr, z, tmp, a, lev = (np.empty(n_b) for _ in range(6))
        zs = np.empty((n_z, n_b))
        for t in range(h):
            # each month: regime switches (competing hazards, on last month's stress), then growth; the recorded
            # value is the run-rate at the end of the month (month 0 = end of the clock's first month)
            u = d["u_regime"][t]
            np.multiply(stress, slope, out=p_bust)
            np.minimum(p_bust, 50.0, out=p_bust)
            np.exp(p_bust, out=p_bust)
            p_bust *= neg_hazard
            np.expm1(p_bust, out=p_bust)
            np.negative(p_bust, out=p_bust)
            np.add(p_bust, p_other, out=thr)
            moved = np.flatnonzero(u < thr)  # u < p_bust: to a bust; else u < p_bust + p_other: the other switch
            if moved.size:
                new = np.where(u[moved] < p_bust[moved], np.int8(BUST), switch_to[regime[moved]])
                regime[moved] = new
                neg_hazard[moved], p_other[moved] = neg_hazard_of[new], p_other_of[new]
                drift_k[moved], drift_m[moved] = g_capex[moved, new], g_other[moved, new]
                for dv in dev:
                    dv[moved] += target[moved] - lab_lr_dt[new]
                target[moved] = lab_lr_dt[new]
                jump[moved] = jump_of[new] + jump_ev * event[moved]
            # a credit event (once per path): the regime's hazard, plus more while a lab is out of funds
            np.multiply(unf_any, ev_unf, out=p_ev)
            p_ev += ev_rate_of[regime]
            np.negative(p_ev, out=p_ev)
            np.expm1(p_ev, out=p_ev)
            np.negative(p_ev, out=p_ev)
            p_ev[event] = 0.0
            hit = np.flatnonzero(d["u_event"][t] < p_ev)
            if hit.size:
                event[hit] = True
                log_k[hit] -= cut_ev
                jump[hit] += jump_ev
            np.multiply(z_block[:, t], shock_scale, out=zs, dtype=np.float64)
            log_k += drift_k
            log_k += zs[0]
            log_m += drift_m
            log_m += zs[1]
            mem *= keep_mem
            np.multiply(impulse, fade ** t, out=tmp)
            mem += tmp
            x *= spread_keep
            x += level_step
            x += zs[2]
            funds *= fund_step
            k = np.exp(log_k)
            ratio_k = k * inv_k0
            np.subtract(log_k, log_k0, out=a)
            a *= elasticity
            np.exp(a, out=a)
            a *= a0
            np.add(log_m, mem, out=tmp)
            chips = np.exp(tmp)
            chips += a
            d_spread = x + jump
            np.divide(funds, k, out=lev)
            np.subtract(1.0, lev, out=lev)
            np.clip(lev, 0.0, 1.0, out=lev)
            stress = d_spread * w_spr
            np.multiply(lev, w_lev, out=tmp)
            stress += tmp
            stress += stress_const
            for j in range(len(s.labs)):
                dv = dev[j]
                dv *= decay
                log_r[j] += target
                log_r[j] += dv
                log_r[j] += zs[3 + j]
                r = np.exp(log_r[j])
                np.multiply(ratio_k, r0_coef[j], out=tmp)
                tmp /= r
                stress += tmp
                out_labs[j][t, sl] = r
                if j in lab_funds:  # the financing state: burn, a raise, and what running out does
                    lab = s.labs[j]
                    fj = lab_funds[j]
                    np.multiply(ratio_k, (1 - usage) * lab.cost_ratio * r0[j], out=tmp)
                    tmp += (usage * lab.cost_ratio - 1) * r  # burn = cost - revenue, USD bn a year
                    out_burn[j][t, sl] = tmp
                    tmp *= dt_
                    fj -= tmp
                    if t >= raise_from:
                        new_raise = ~raised[j] & (d["u_raise"][j, t] < p_raise_of[regime])
                        fj[new_raise] += lab.raise_size
                        raised[j] |= new_raise
                    # under strain: funds down to the buffer's months of the current burn (or gone), no raise yet
                    np.maximum(tmp, 0.0, out=tmp)
                    tmp *= buffer
                    short = fj <= tmp
                    stress += (w_unf * lab.weight / total_w) * short
                    out_unf[j][t, sl] = short
            unf_any[:] = False
            for j in fin:
                unf_any |= out_unf[j][t, sl]
            out["capex"][t, sl], out["chips"][t, sl], out["buildout"][t, sl] = k, chips, a
            d_spread += log_s0
            np.exp(d_spread, out=d_spread)
            out["spread"][t, sl], out["leverage"][t, sl], out["stress"][t, sl] = d_spread, lev, stress
            if out_nv is not None:
                nv_ratio *= nv_step
                np.multiply(a, nv_ratio, out=out_nv[t, sl])
            out_regime[t, sl], out_event[t, sl] = regime, event
    return Paths(start=s, capex=out["capex"].T, chips=out["chips"].T, buildout_chips=out["buildout"].T,
                 nvidia_dc=None if out_nv is None else out_nv.T,
                 labs={lab.name: arr.T for lab, arr in zip(s.labs, out_labs)},
                 spread=out["spread"].T, leverage=out["leverage"].T, stress=out["stress"].T,
                 regime=out_regime.T, event=out_event.T, hazard_scale=hazard_scale, eps=full["eps"], log_iw=full["log_iw"],
                 unfunded={s.labs[j].name: arr.T for j, arr in out_unf.items()},
                 burn={s.labs[j].name: arr.T for j, arr in out_burn.items()},
                 initial={**{k: v for k, v in init.items() if k != "nvidia_dc" or s.nvidia_dc is not None},
                          "spread": np.full(n, float(s.spread)),
                          **{f"credit:{k}": np.full(n, 0.0 if cs.is_count else float(cs.level))
                             for k, cs in s.credit.items()}})


def memory_cycle(impulse: float, reversion: float, decay: float, months: int) -> np.ndarray:
    """The log memory price deviation ``p`` month by month after a per-path ``impulse`` (what :func:`simulate`
    adds to the log of chip revenue outside the build-out): the impulse arrives at ``decay`` per year,
    ``p_t = exp(-reversion/12) p_(t-1) + impulse (1 - q) q^t`` with ``q = exp(-decay/12)``, and ``p`` then reverts
    to zero with a half-life of ``12 ln 2 / reversion`` months. ``reversion = 0`` keeps the whole impulse in
    the level (a price step that never reverses)."""
    q, keep = math.exp(-decay / 12), math.exp(-reversion / 12)
    out, p = np.empty(months), 0.0
    for t in range(months):
        p = keep * p + impulse * (1 - q) * q ** t
        out[t] = p
    return out


def quiet_burn(cal: Calibration, start: Start, lab: Lab, months: int) -> np.ndarray:
    """A lab's burn (cost less revenue, USD bn a year) month by month on the path without shocks or regime switches
    (the start regime's means, each growth at its central value): what its funds are measured against."""
    dt_ = 1 / 12
    lr = {BOOM: cal["lab_growth_boom"], COOLING: cal["lab_growth_cooling"], BUST: cal["lab_growth_bust"]}[start.regime]
    g_k = {BOOM: start.capex_momentum, COOLING: cal["capex_growth_cooling"], BUST: cal["capex_growth_bust"]}[start.regime]
    decay, usage = math.exp(-cal["lab_growth_decay"] * dt_), cal["lab_cost_usage_share"]
    dev, log_r, out = (lab.momentum - lr) * dt_, math.log(lab.revenue), np.empty(months)
    for t in range(months):
        dev *= decay
        log_r += lr * dt_ + dev
        r, ratio_k = math.exp(log_r), math.exp(g_k * dt_ * (t + 1))
        out[t] = lab.cost_ratio * (usage * r + (1 - usage) * lab.revenue * ratio_k) - r
    return out


def funds_for_runway(cal: Calibration, start: Start, lab: Lab, runway_months: float) -> float:
    """The funds (USD bn) that last exactly ``runway_months`` from the clock on the lab's quiet burn
    (:func:`quiet_burn`): how a published runway (chapter 03's cash model) becomes the model's starting funds."""
    if runway_months <= 0:
        return 0.0
    whole = int(math.floor(runway_months))
    burn = quiet_burn(cal, start, lab, whole + 1) / 12
    return float(burn[:whole].sum() + (runway_months - whole) * burn[whole])


#: The financing dials a lab's strain probability is read at the ends of (:func:`strain_probability`, no new simulation).
FUNDING_DIALS = ("funding_buffer_months", "funding_raise_hazard", "funding_raise_earliest", "funding_raise_bust_ratio")


def strain_probability(paths: Paths, cal: Calibration, lab: str, by: int | None = None) -> np.ndarray:
    """Each path's probability that ``lab`` comes under strain (renegotiates or defers compute contracts) by month
    ``by`` (default: the horizon's last), given the path's burn and regimes: the first month ``tau`` in which its
    funds without a raise, ``funds - sum of burn / 12``, are down to ``funding_buffer_months`` of that month's burn
    (or gone), times the chance that no raise closed from month ``funding_raise_earliest`` to ``tau``:
    ``exp(-sum of funding_raise_hazard x (funding_raise_bust_ratio in a bust month))``; 0 when ``tau`` is after
    ``by``. The raise integrated out (Rao-Blackwell) rather than drawn: the same mean as :func:`simulate`'s strain
    flag, with less Monte Carlo error, and any raise or buffer setting reads the same paths (the strain's own
    feedback on a path's burn and regimes is the simulated one)."""
    if lab not in paths.burn:
        raise KeyError(f"strain_probability: no financing state for lab '{lab}' (labs with one: {sorted(paths.burn)})")
    funds0 = next(x.funds for x in paths.start.labs if x.name == lab)
    h = paths.regime.shape[1]
    by = h - 1 if by is None else int(by)
    burn = paths.burn[lab].astype(np.float64)
    left = funds0 - np.cumsum(burn / 12, axis=1)  # funds at the end of each month without a raise
    strained = left <= cal["funding_buffer_months"] * np.maximum(burn, 0.0) / 12
    hit = strained.any(axis=1)
    tau = np.where(hit, strained.argmax(axis=1), h)
    months = np.arange(h)
    hazard = cal["funding_raise_hazard"] * np.where(paths.regime == BUST, cal["funding_raise_bust_ratio"], 1.0)
    open_ = (months[None, :] >= int(round(cal["funding_raise_earliest"]))) & (months[None, :] <= tau[:, None])
    p = np.exp(-(hazard * open_).sum(axis=1))
    return np.where(hit & (tau <= by), p, 0.0)


def stress_under(paths: Paths, cal: Calibration, alt: Calibration) -> np.ndarray:
    """Each path's stress index had ``alt``'s credit coupling (``stress_weight_spread``) applied instead of
    ``cal``'s: the spread's part of the stress is its weight times the latent credit state (:meth:`Paths.credit_state`),
    so the change is exact given the simulated spread."""
    dw = alt["stress_weight_spread"] - cal["stress_weight_spread"]
    stress = paths.stress.astype(np.float64)
    return stress + dw * paths.credit_state() if dw else stress


#: The calibration parameters the regime part of :func:`transition_log_prob` reads (besides the stress), and those
#: its credit-event part reads: a setting that changes neither leaves a path's probability as it was.
REGIME_PARAMETERS = ("hazard_bust", "hazard_cooling_bust_ratio", "hazard_slope", "hazard_boom_cooling",
                     "hazard_cooling_boom", "hazard_bust_recovery")
EVENT_PARAMETERS = ("credit_event_hazard_calm", "credit_event_hazard_bust", "credit_event_hazard_unfunded")


@dataclass(frozen=True)
class RegimeTerms:
    """What the regime part of a path's log-probability needs apart from the hazard scale (computed once, evaluated
    at many scales: :func:`regime_log_prob`)."""

    g: np.ndarray  # (n, horizon) bust hazard per unit of scale: base x ratio[previous regime] x exp(slope x stress)
    p_other: np.ndarray  # (n, horizon) probability of the other switch (cooling, re-acceleration, recovery)
    stay: np.ndarray  # (n, horizon) bool: no switch this month
    to_bust: np.ndarray  # (n, horizon) bool: a switch into a bust
    to_other: np.ndarray  # (n, horizon) bool: the other switch
    impossible: np.ndarray  # (n,) bool: a switch the model cannot make


def regime_terms(paths: Paths, cal: Calibration, stress: np.ndarray | None = None) -> RegimeTerms:
    """The :class:`RegimeTerms` of ``paths`` under ``cal`` (``stress``: another stress index, :func:`stress_under`)."""
    regime = paths.regime.astype(np.int64)
    prev = np.concatenate([np.full((paths.n, 1), paths.start.regime), regime[:, :-1]], axis=1)
    st = paths.stress if stress is None else stress
    stress_prev = np.concatenate([np.zeros((paths.n, 1)), st[:, :-1].astype(np.float64)], axis=1)
    ratio = np.array([1.0, cal["hazard_cooling_bust_ratio"], 0.0])
    g = np.minimum(cal["hazard_slope"] * stress_prev, 50.0)
    np.exp(g, out=g)
    g *= cal["hazard_bust"] * ratio[prev]
    p_other = (1 - np.exp(-np.array([cal["hazard_boom_cooling"], cal["hazard_cooling_boom"],
                                     cal["hazard_bust_recovery"]])))[prev]
    stay = regime == prev
    to_bust = (regime == BUST) & ~stay
    to_other = (regime == np.array([COOLING, BOOM, COOLING])[prev]) & ~stay & ~to_bust
    return RegimeTerms(g, p_other, stay, to_bust, to_other, (~(stay | to_bust | to_other)).any(axis=1))


def regime_log_prob(terms: RegimeTerms, hazard_scale: float) -> np.ndarray:
    """Log-probability of each path's realised regime switches (the regime part of :func:`transition_log_prob`)."""
    p_bust = -np.expm1(-hazard_scale * terms.g)
    p_other = np.minimum(terms.p_other, 1 - p_bust)
    stay = 1 - p_bust - p_other
    np.maximum(stay, 1e-300, out=stay)
    np.log(stay, out=stay)
    lp = np.where(terms.stay, stay, 0.0).sum(axis=1)
    i, t = np.nonzero(terms.to_bust)
    np.add.at(lp, i, np.log(np.maximum(p_bust[i, t], 1e-300)))
    i, t = np.nonzero(terms.to_other)
    np.add.at(lp, i, np.log(np.maximum(p_other[i, t], 1e-300)))
    lp[terms.impossible] = -np.inf
    return lp


def event_log_prob(paths: Paths, cal: Calibration) -> np.ndarray:
    """Log-probability of each path's credit event or its absence (the event part of :func:`transition_log_prob`):
    the regime's monthly hazard, plus ``credit_event_hazard_unfunded`` while a lab was out of funds."""
    h = paths.regime.shape[1]
    unf = np.zeros((paths.n, h), dtype=bool)
    for arr in paths.unfunded.values():
        unf |= arr
    unf_prev = np.concatenate([np.zeros((paths.n, 1), dtype=bool), unf[:, :-1]], axis=1)
    rate = np.array([cal["credit_event_hazard_calm"], cal["credit_event_hazard_calm"],
                     cal["credit_event_hazard_bust"]])[paths.regime] + cal["credit_event_hazard_unfunded"] * unf_prev
    had = np.concatenate([np.zeros((paths.n, 1), dtype=bool), paths.event[:, :-1]], axis=1)
    new_event = paths.event & ~had
    lp_ev = np.where(had, 0.0, np.where(new_event, np.log(np.maximum(-np.expm1(-rate), 1e-300)), -rate))
    return lp_ev.sum(axis=1)


def transition_log_prob(paths: Paths, cal: Calibration, hazard_scale: float, *,
                        capex_momentum: float | None = None, stress: np.ndarray | None = None) -> np.ndarray:
    """Log-probability of each path's realised regime switches and credit event under ``cal``'s hazards (regime
    switching, bust slope, credit events) and ``hazard_scale``, given its simulated stress.

    Given the per-path draws and shocks, a path is fixed by its switches and its credit event; so
    ``exp(transition_log_prob(alt) - transition_log_prob(central))`` reweights the central simulation to another
    setting of those hazards exactly (importance sampling, :func:`aicompute.scenarios.update.structural_range`).
    ``stress``: another stress index for the same paths (:func:`stress_under`: another credit coupling). The sum of
    :func:`regime_log_prob` and :func:`event_log_prob`."""
    return regime_log_prob(regime_terms(paths, cal, stress), hazard_scale) + event_log_prob(paths, cal)


def draw_log_ratio(paths: Paths, cal: Calibration, alt: Calibration, *, capex_shift: float = 0.0) -> np.ndarray:
    """Log density ratio (``alt`` over ``cal``) of each path's per-path draws, for the dials that only rescale or
    shift one draw: the memory cycle's amplitude (Student-t), the spread of the credit state's level
    (``spread_level_sd``, normal) and the boom's capex momentum (``capex_shift``, normal). The same realised value is
    re-expressed as a standardised draw under ``alt``."""
    if paths.eps is None:
        raise ValueError("draw_log_ratio: the paths carry no per-path draws")
    names = [name for name, _ in PER_PATH]
    out = np.zeros(paths.n)
    family = dict(PER_PATH)
    # a rescaled draw (the memory cycle's amplitude, Student-t; the credit state's level, normal): the same realised
    # value is the draw e x old / new under ``alt``, with the Jacobian old / new
    for draw, dial, what in (("memory_cycle", "memory_cycle_amplitude", "amplitudes"),
                             ("spread_level", "spread_level_sd", "standard deviations")):
        a, a2 = cal[dial], alt[dial]
        if a2 == a:
            continue
        if a <= 0 or a2 <= 0:
            raise ValueError(f"{dial}: reweighting needs positive {what}")
        e = paths.eps[names.index(draw)]
        out += _log_density(e * a / a2, family[draw]) - _log_density(e, family[draw]) + math.log(a / a2)
    if capex_shift:  # a shifted normal draw: the same value is the draw e - shift / sd under ``alt``
        e = paths.eps[names.index("capex_boom")]
        out += _log_density(e - capex_shift / cal["capex_growth_boom_sd"], "n") - _log_density(e, "n")
    return out


# ----------------------------------------------------------------------------------------------- outcomes

def spread_half_life(cal: Calibration) -> float:
    """Months in which a shock to the credit state halves as it reverts to the path's level (:func:`spread_level`; a
    month keeps ``1 - spread_mean_reversion / 12`` of the gap, as :func:`simulate` steps it)."""
    return math.log(2) / -math.log(1 - cal["spread_mean_reversion"] / 12)


def annual_total(arr: np.ndarray, year_index: int) -> np.ndarray:
    """Calendar-year total per path: the mean of the twelve monthly run-rates of the year (0 = first year)."""
    lo = 12 * year_index
    if lo < 0 or lo + 12 > arr.shape[1]:
        raise ValueError(f"year_index: year {year_index} is not fully inside the simulated horizon")
    return arr[:, lo:lo + 12].astype(np.float64).mean(axis=1)


def growth(arr: np.ndarray, year_index: int = 1) -> np.ndarray:
    """Growth of the calendar-year total over the year before (as a fraction)."""
    return annual_total(arr, year_index) / annual_total(arr, year_index - 1) - 1


WINDOWS = ("calendar", "december")


def growth_window(arr: np.ndarray, window: str = "calendar") -> np.ndarray:
    """Growth of the second year over the first: calendar-year totals (``calendar``), or the December run-rate of
    the second year over the first's (``december``, the seed's December-over-December reading)."""
    if window == "calendar":
        return growth(arr)
    if window == "december":
        return arr[:, 23].astype(np.float64) / arr[:, 11].astype(np.float64) - 1
    raise ValueError(f"window: expected one of {WINDOWS}, got {window!r}")


def endings(paths: Paths, cal: Calibration, window: str = "calendar") -> np.ndarray:
    """The ending of each path (index into :data:`ENDINGS`), from outcomes of the second year over the first
    (``window``: calendar-year totals, or December over December: :func:`growth_window`).

    * hard landing: chip revenue falls by ``ending_hard_chip_fall`` or more, or capex by ``ending_hard_capex_fall``
      or more, or a credit event has happened and capex falls;
    * continued boom: capex grows by at least ``ending_boom_capex_growth`` and chip revenue by at least
      ``ending_boom_chip_growth``;
    * soft landing: capex grows by at least ``ending_soft_capex_growth`` and chip revenue falls by less than
      ``ending_soft_chip_floor``;
    * muddle-through: everything else (capex stalls, or chips fall moderately).
    """
    g_c, g_k = growth_window(paths.chips, window), growth_window(paths.capex, window)
    ev = paths.event[:, -1]
    hard = (g_c <= cal["ending_hard_chip_fall"]) | (g_k <= cal["ending_hard_capex_fall"]) | (ev & (g_k < 0))
    boom = ~hard & (g_k >= cal["ending_boom_capex_growth"]) & (g_c >= cal["ending_boom_chip_growth"])
    soft = ~hard & ~boom & (g_k >= cal["ending_soft_capex_growth"]) & (g_c > cal["ending_soft_chip_floor"])
    out = np.full(paths.n, 1, dtype=np.int8)
    out[soft], out[boom], out[hard] = 2, 3, 0
    return out


def weighted_quantile(values: np.ndarray, weights: np.ndarray, qs: Any) -> np.ndarray:
    """Quantiles (``qs`` in [0, 1]) of ``values`` with non-negative ``weights`` (inverted weighted CDF)."""
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


# ------------------------------------------------------------------------------------- base-rate calibration

def bust_share(paths: Paths) -> float:
    """Share of paths (unweighted) in which a bust begins at some month of the horizon."""
    return float((paths.regime == BUST).any(axis=1).mean())


def calibrate_hazard(cal: Calibration, start: Start, target: float, *, n_paths: int = 4_000, seed: int = 0,
                     iterations: int = 12) -> float:
    """The multiplier of the base bust hazard that makes the model, before any reading, start a bust within the
    horizon with probability ``target`` (the base rate of a downturn beginning within two years).

    Bisection in logs between 1/50 and 50 with common random numbers (the share is monotone in the hazard).
    Raises when the target cannot be reached inside that bracket.
    """
    if not 0 < target < 1:
        raise ValueError(f"target: expected a probability in (0, 1), got {target}")

    def share(scale: float) -> float:
        return bust_share(simulate(cal, start, n_paths, seed, hazard_scale=scale))

    lo, hi = math.log(1 / 50), math.log(50)
    p_lo, p_hi = share(math.exp(lo)), share(math.exp(hi))
    if not p_lo <= target <= p_hi:
        raise ValueError(f"calibrate_hazard: a bust within the horizon has probability {p_lo:.2f} to {p_hi:.2f} over "
                         f"the hazard bracket; the base rate {target:.2f} cannot be matched")
    for _ in range(iterations):
        mid = (lo + hi) / 2
        if share(math.exp(mid)) < target:
            lo = mid
        else:
            hi = mid
    return math.exp((lo + hi) / 2)


# ----------------------------------------------------------------------------------------- bands, structure

def bands(paths: Paths, variable: str, w: np.ndarray, quantiles: tuple[int, ...] = (5, 25, 50, 75, 95)) -> pd.DataFrame:
    """Weighted percentile bands of ``variable`` per month: month, p5, p25, p50, p75, p95."""
    arr = paths.variable(variable)
    qs = [q / 100 for q in quantiles]
    rows = np.array([weighted_quantile(arr[:, t].astype(np.float64), w, qs) for t in range(arr.shape[1])])
    return pd.DataFrame({"month": paths.months, **{f"p{q}": rows[:, i] for i, q in enumerate(quantiles)}})


_NODES = {  # id: (label, column, row, kind)
    "lab_growth": ("Each lab's revenue growth", 0, 5, "driver"), "capex_growth": ("Capex growth (regime)", 0, 3.4, "driver"),
    "other": ("Other chip demand (memory)", 0, 1.2, "driver"), "regime": ("Regime: boom, cooling, bust", 1, 3.4, "state"),
    "labs": ("Lab revenue and cost", 1, 5, "state"), "gap": ("Funding gap", 2, 5, "state"),
    "spread": ("Credit spread", 2, 3.9, "state"), "leverage": ("Leverage", 2, 2.8, "state"),
    "stress": ("Stress -> bust hazard", 1, 2.0, "state"), "capex": ("AI capex", 2, 1.4, "outcome"),
    "event": ("Credit event", 3, 4.4, "outcome"), "chips": ("Chip revenue", 3, 0.3, "outcome"),
    "nvidia": ("Nvidia data-centre revenue", 3, 2.2, "outcome"),
}
_EDGES = [("lab_growth", "labs"), ("capex_growth", "regime"), ("labs", "gap"), ("capex", "labs"), ("gap", "stress"),
          ("spread", "stress"), ("leverage", "stress"), ("stress", "regime"), ("regime", "capex"),
          ("regime", "spread"), ("regime", "event"), ("event", "spread"), ("capex", "leverage"), ("capex", "chips"),
          ("other", "chips"), ("capex", "nvidia")]


def causal_graph(width: float = 560, height: float = 300) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge tables of the model's causal structure in pixel coordinates (edges stop short of labels)."""
    nodes = pd.DataFrame([{"id": k, "label": v[0], "x": 75 + v[1] * (width - 150) / 3,
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
