"""The scenario model of :func:`aicompute.scenarios.model.simulate`, path by path and month by month in plain
Python: the yardstick the vectorised version is benchmarked against (``bench_scenarios.py``) and checked
against (``tests/test_scenarios.py``). Same random numbers (:func:`aicompute.scenarios.model.draws`), same
results. Not used by the report.
"""

from __future__ import annotations

import math

import numpy as np

from aicompute.scenarios.model import BOOM, BUST, COOLING, Calibration, Start, draws, monthly_shocks

__all__ = ["simulate_loop"]


def simulate_loop(cal: Calibration, start: Start, n_paths: int, seed: int = 0, *,
                  hazard_scale: float = 1.0) -> dict[str, np.ndarray]:
    """{capex, chips, nvidia_dc, spread, regime, lab:<name>}: arrays (n_paths, horizon)."""
    d = draws(cal, start, n_paths, seed)
    s, h, dt_ = start, start.horizon, 1 / 12
    sq = math.sqrt(dt_)
    c = {k: cal[k] for k in cal.values}
    h_bust = c["hazard_bust"] * hazard_scale
    decay, fade = math.exp(-c["lab_growth_decay"] * dt_), math.exp(-c["memory_impulse_decay"] * dt_)
    keep_mem = math.exp(-c["memory_price_reversion"] * dt_)
    p_raise = [1 - math.exp(-c["funding_raise_hazard"] * f) for f in (1.0, 1.0, c["funding_raise_bust_ratio"])]
    u_raise = d["u_raise"].tolist()
    lab_lr = [c["lab_growth_boom"], c["lab_growth_cooling"], c["lab_growth_bust"]]
    total_w = sum(lab.weight for lab in s.labs) or 1.0
    z_all, u_reg, u_ev = monthly_shocks(d, n_paths).tolist(), d["u_regime"].tolist(), d["u_event"].tolist()
    out = {k: np.empty((n_paths, h)) for k in ("capex", "chips", "nvidia_dc", "spread")}
    out["regime"] = np.empty((n_paths, h), dtype=np.int8)
    out["event"] = np.empty((n_paths, h), dtype=bool)
    for lab in s.labs:
        out[f"lab:{lab.name}"] = np.empty((n_paths, h))
    for i in range(n_paths):
        g_capex = [float(d["capex_boom"][i]), float(d["capex_cool"][i]), float(d["capex_bust"][i])]
        g_other = [float(d["other_boom"][i]), float(d["other_cool"][i]), float(d["other_bust"][i])]
        impulse, elasticity, drift = float(d["memory_impulse"][i]), float(d["elasticity"][i]), float(d["nv_drift"][i])
        mem = 0.0
        lab_funds = [lab.funds for lab in s.labs]
        raised, short = [False] * len(s.labs), [False] * len(s.labs)
        k0 = s.capex * math.exp(c["start_level_sd"] * d["start"][0][i])
        c0 = s.chips * math.exp(c["start_level_sd"] * d["start"][1][i])
        nv0 = (s.nvidia_dc or 0.0) * math.exp(c["start_level_sd"] * d["start"][2][i])
        a0 = s.buildout_share * c0
        log_k, log_m, funds, stress = math.log(k0), math.log(c0 - a0), (1 - c["external_financing_share"]) * k0, 0.0
        x, level = float(d["spread0"][i]), float(d["spread_level"][i])
        r0 = [lab.revenue * math.exp(c["lab_start_sd"] * d["lab_start"][j][i]) for j, lab in enumerate(s.labs)]
        g_lab = [lab.momentum + c["lab_growth_sd"] * d["lab_g0"][j][i] for j, lab in enumerate(s.labs)]
        log_r = [math.log(v) for v in r0]
        regime, event = s.regime, False
        for t in range(h):
            z = [z_all[j][t][i] for j in range(len(z_all))]
            hz = h_bust * math.exp(min(c["hazard_slope"] * stress, 50.0))
            u = u_reg[t][i]
            p_bust = 1 - math.exp(-c["hazard_cooling_bust_ratio"] * hz) if regime == COOLING else 1 - math.exp(-hz)
            p_other = 1 - math.exp(-(c["hazard_boom_cooling"] if regime == BOOM else
                                     c["hazard_cooling_boom"] if regime == COOLING else c["hazard_bust_recovery"]))
            if regime == BUST:
                regime = COOLING if u < p_other else BUST
            elif u < p_bust:
                regime = BUST
            elif u < p_bust + p_other:
                regime = COOLING if regime == BOOM else BOOM
            p_ev = 1 - math.exp(-(c["credit_event_hazard_bust"] if regime == BUST else c["credit_event_hazard_calm"])
                                - c["credit_event_hazard_unfunded"] * any(short))
            new_event = (not event) and u_ev[t][i] < p_ev
            event = event or new_event
            log_k += g_capex[regime] * dt_ + c["capex_volatility"] * sq * z[0] - c["event_capex_cut"] * new_event
            log_m += g_other[regime] * dt_ + c["other_chips_volatility"] * sq * z[1]
            mem = keep_mem * mem + impulse * (1 - fade) * fade ** t
            keep = 1 - c["spread_mean_reversion"] * dt_
            x = x * keep + (1 - keep) * level + c["spread_volatility"] * sq * z[2]
            funds *= math.exp(c["internal_funds_growth"] * dt_)
            for j in range(len(s.labs)):
                g_lab[j] = lab_lr[regime] + (g_lab[j] - lab_lr[regime]) * decay
                log_r[j] += g_lab[j] * dt_ + c["lab_volatility"] * sq * z[3 + j]
            k = math.exp(log_k)
            a = a0 * (k / k0) ** elasticity
            log_spread = math.log(s.spread) + x + c["spread_jump_bust"] * (regime == BUST) + c["spread_jump_event"] * event
            lev = min(max(1 - funds / k, 0.0), 1.0)
            gap = 0.0
            for j, lab in enumerate(s.labs):
                r = math.exp(log_r[j])
                cost = lab.cost_ratio * r0[j] * (c["lab_cost_usage_share"] * r / r0[j]
                                                 + (1 - c["lab_cost_usage_share"]) * k / k0)
                gap += lab.weight / total_w * (cost / r - lab.cost_ratio)
                out[f"lab:{lab.name}"][i, t] = r
                if lab.funds is not None:
                    lab_funds[j] -= (cost - r) * dt_
                    if t >= round(c["funding_raise_earliest"]) and not raised[j] and u_raise[j][t][i] < p_raise[regime]:
                        raised[j], lab_funds[j] = True, lab_funds[j] + lab.raise_size
                    short[j] = lab_funds[j] <= c["funding_buffer_months"] * max(cost - r, 0.0) * dt_
            stress = (c["stress_weight_gap"] * gap + c["stress_weight_spread"] * (log_spread - math.log(s.spread))
                      + c["stress_weight_leverage"] * (lev - c["external_financing_share"]))
            stress += c["stress_weight_unfunded"] * sum(lab.weight / total_w * short[j] for j, lab in enumerate(s.labs))
            out["capex"][i, t], out["chips"][i, t] = k, a + math.exp(log_m + mem)
            out["spread"][i, t], out["event"][i, t] = math.exp(log_spread), event
            out["nvidia_dc"][i, t] = nv0 / a0 * a * math.exp(-drift * dt_) ** (t + 1)
            out["regime"][i, t] = regime
    return out
