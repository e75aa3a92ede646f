"""Base rates from the history of annual chip revenue (``data/semis_history.csv``): how often revenue fell, by how
much, and what followed a boom year. They set the bust hazard (:func:`aicompute.scenarios.model.calibrate_hazard`
matches the model's prior to :func:`hazard_target`) and explain the priors in the chapter.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["annual_growth", "base_rates", "fall_counts", "hazard_target", "hazard_target_range", "known_history"]


def known_history(history: pd.DataFrame, before: Any) -> pd.DataFrame:
    """Rows of ``semis_history`` published before ``before`` (what an analyst could know then)."""
    return history[history["published"] < pd.Timestamp(before)].reset_index(drop=True)


def annual_growth(history: pd.DataFrame) -> pd.DataFrame:
    """year, revenue, growth over the year before (only where the year before is in the table)."""
    h = history[["year", "revenue_usd_bn"]].rename(columns={"revenue_usd_bn": "revenue"}).sort_values("year")
    prev = h.set_index("year")["revenue"].reindex(h["year"] - 1).to_numpy()
    return h.assign(growth=h["revenue"].to_numpy() / prev - 1).reset_index(drop=True)


def base_rates(history: pd.DataFrame, boom_line: float = 0.20,
               falls: tuple[float, ...] = (0.05, 0.10, 0.15, 0.20, 0.30)) -> pd.DataFrame:
    """How often chip revenue fell by more than each of ``falls``.

    Columns: fall; years, falls_any_year, share_any_year (every year with a known growth); boom_years (years of
    growth above ``boom_line`` whose next two years are known), falls_second_year and share_second_year (the
    second year after the boom below the first: the comparison the endings make), falls_within_two and
    share_within_two (either of the two years after the boom below the year before).
    """
    g = annual_growth(history).dropna(subset=["growth"])
    by_year = g.set_index("year")["growth"]
    booms = [y for y, x in by_year.items() if x > boom_line and y + 1 in by_year and y + 2 in by_year]
    rows = []
    for f in falls:
        any_year = int((by_year <= -f).sum())
        second = sum(by_year[y + 2] <= -f for y in booms)
        within = sum(min(by_year[y + 1], by_year[y + 2]) <= -f for y in booms)
        rows.append({"fall": f, "years": len(by_year), "falls_any_year": any_year,
                     "share_any_year": any_year / len(by_year) if len(by_year) else np.nan,
                     "boom_years": len(booms), "falls_second_year": int(second),
                     "share_second_year": second / len(booms) if booms else np.nan,
                     "falls_within_two": int(within), "share_within_two": within / len(booms) if booms else np.nan})
    return pd.DataFrame(rows)


def fall_counts(history: pd.DataFrame, fall: float, boom_line: float = 0.20) -> tuple[int, int, int, int]:
    """(k, n, k_boom, n_boom) behind :func:`hazard_target`: of the ``n`` years with two known years after them,
    ``k`` were followed by a fall of at least ``fall`` within those two years; ``k_boom`` of the ``n_boom`` boom
    years among them were (the chapter words the base rate from these, :mod:`aicompute.narrative.scenarios`)."""
    g = annual_growth(history).dropna(subset=["growth"]).set_index("year")["growth"]
    starts = [y for y in g.index if y + 1 in g.index and y + 2 in g.index]
    if not starts:
        raise ValueError("semis_history: no run of three consecutive yearly changes; cannot set a base rate")
    hit = {y: min(g[y + 1], g[y + 2]) <= -fall for y in starts}
    booms = [y for y in starts if g[y] > boom_line]
    return sum(hit.values()), len(starts), sum(hit[y] for y in booms), len(booms)


def hazard_target(history: pd.DataFrame, fall: float, boom_line: float = 0.20) -> float:
    """The prior probability that a bust begins within the two years of the horizon.

    Its historical counterpart: chip revenue falls by at least ``fall`` in one of the two years after a start
    year. Rates are Laplace-smoothed ((k + 1) / (n + 2): small samples), and the rate after boom years (few) is
    pooled half and half with the rate after any year. The counts behind it are :func:`fall_counts` (worded by
    :func:`aicompute.narrative.scenarios.hazard_basis`).
    """
    k_all, n_all, k_b, n_b = fall_counts(history, fall, boom_line)
    p_all = (k_all + 1) / (n_all + 2)
    return float((p_all + (k_b + 1) / (n_b + 2)) / 2 if n_b else p_all)


def hazard_target_range(history: pd.DataFrame, fall: float, boom_line: float = 0.20) -> tuple[float, float]:
    """The ends of the base rate's own uncertainty: (low, high).

    :func:`hazard_target` averages two smoothed rates (after any year, after boom years); the ends are those two
    rates, lower first. Without a boom year to compare, they are the smoothed rate less and plus one binomial
    standard error, ``sqrt(p (1 - p) / (n + 2))``. Either way the central target lies between them.
    """
    k_all, n_all, k_b, n_b = fall_counts(history, fall, boom_line)
    p_all = (k_all + 1) / (n_all + 2)
    if n_b:
        lo, hi = sorted((p_all, (k_b + 1) / (n_b + 2)))
        return float(lo), float(hi)
    se = math.sqrt(p_all * (1 - p_all) / (n_all + 2))
    lo, hi = max(0.01, p_all - se), min(0.99, p_all + se)
    return float(lo), float(hi)

