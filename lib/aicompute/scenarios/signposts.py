"""Signposts: what to watch next, and the posterior predictive check.

* :func:`watch_list`: modelled signposts by the chance, under today's weights, that they cross their warning
  threshold between the as-of month and the end of the horizon (the months after the latest reading are
  simulated, not frozen).
* :func:`predictive_check`: the model's 2026/2027 medians and 90% bands against the projections published by
  the as-of date, flagging where the median lies outside all of them or the band excludes them all.

The readings' tables for the reader (each reading on its own basis, each lab separately) word periods and bases,
so they live in :mod:`aicompute.narrative.scenarios` (:func:`~aicompute.narrative.scenarios.reading_table`,
:func:`~aicompute.narrative.scenarios.lab_table`); this module returns numbers and codes only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aicompute.scenarios.model import Paths, annual_total, weighted_quantile
from aicompute.scenarios.update import month_index

__all__ = ["watch_list", "predictive_check", "latest_reading", "series_influence"]


def latest_reading(readings: pd.DataFrame, as_of: Any) -> pd.Series | None:
    """The reading of one series to set against its threshold on ``as_of``: the latest published for the latest
    period that has begun by ``as_of`` (for an annual series, the as-of year: WSTS's spring forecast for this year,
    not its forecast for next year published the same day); when every reading is for a later period, the latest
    published for the nearest of them. ``readings``: rows with published, period, period_type, value (already
    limited to what was published by ``as_of``). None when there is none."""
    if not len(readings):
        return None
    period = pd.to_datetime(readings["period"])
    begun = period <= pd.Timestamp(as_of)
    target = period[begun].max() if begun.any() else period.min()
    mine = readings[period == target]
    return mine.sort_values("published", kind="stable").iloc[-1]


def watch_list(paths: Paths, w: np.ndarray, signposts: pd.DataFrame, readings: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """Modelled signposts with a threshold, by the chance (under weights ``w``) of crossing it after the as-of
    month; with the latest reading of the series (on the modelled basis) and its distance from the threshold.
    Thresholds and readings are in the reading's unit (a quarter's revenue, a month's sales); the paths are
    compared with the threshold times the series' factor. One signpost per simulated variable.

    The latest reading is the one for the period the as-of date falls in (:func:`latest_reading`), named in
    by its start, ``latest_period`` (``latest_period_type``: year, month or quarter): a forecast for a later year is
    not set against a threshold stated for this one."""
    start = min(max(month_index(as_of, paths.start.clock) + 1, 0), paths.start.horizon - 1)
    rows = []
    for sp in signposts.itertuples(index=False):
        var = sp.model_variable
        if not isinstance(var, str) or not var or pd.isna(sp.threshold) or sp.measure != "level":
            continue
        try:
            arr = paths.variable(var)[:, start:]
        except KeyError:
            continue
        level = sp.threshold * sp.factor  # on the model's scale (an annual run-rate)
        hit = (arr < level) if sp.direction == "below" else (arr > level)
        p = float(w[hit.any(axis=1)].sum())
        mine = readings[(readings["series"] == sp.id) & (readings["status"] != "watched, not modelled")
                        & ~readings["status"].str.startswith("another revenue basis")]
        mine = mine[pd.to_datetime(mine["published"]) <= pd.Timestamp(as_of)]
        now = latest_reading(mine, as_of)
        latest = float(now["value"]) if now is not None else float("nan")
        rows.append({"signpost_id": sp.id, "signpost": sp.name, "threshold": float(sp.threshold),
                     "warns_if": sp.direction, "latest": latest,
                     "latest_period": pd.Timestamp(now["period"]) if now is not None else None,
                     "latest_period_type": now["period_type"] if now is not None else None,
                     "latest_entity": now["entity"] if now is not None else None,
                     "latest_published": pd.Timestamp(now["published"]).date() if now is not None else None,
                     "distance_pct": 100 * (latest / sp.threshold - 1) if np.isfinite(latest) else float("nan"),
                     "p_cross": p, "model_variable": var, "readings": len(mine)})
    out = pd.DataFrame(rows, columns=["signpost_id", "signpost", "threshold", "warns_if", "latest", "latest_period",
                                      "latest_period_type", "latest_entity", "latest_published", "distance_pct", "p_cross",
                                      "model_variable", "readings"])
    # one signpost per simulated variable: the series with the most readings (then the latest)
    out = out.sort_values(["readings", "latest_published"], ascending=False, na_position="last") \
        .drop_duplicates("model_variable")
    return out.drop(columns=["model_variable", "readings"]).sort_values("p_cross", ascending=False).reset_index(drop=True)


def series_influence(influence: pd.DataFrame, readings: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Each signpost's readings taken together: ``hard_landing`` is the sum of its readings' shifts of the hard landing
    (each on top of all the other readings, from :func:`aicompute.scenarios.update.influence`; negative: towards the
    boom path), ``largest`` the largest shift of any ending by one of its readings; ``chip_base`` and ``chip_growth``
    (when the influence has them) the sums of its readings' shifts of the first year's chip revenue (relative) and of
    the second year's growth over it; ``se`` (when the influence has it) the Monte Carlo error of the summed shift,
    its readings' errors added in quadrature. Sorted by ``hard_landing``, most lowering first. ``names``: {series id:
    short name}."""
    m = influence.merge(readings[["id", "series"]], on="id")
    var = {"se": ("var", "sum")} if "se" in m.columns else {}  # errors add as variances, next to the shift they qualify
    sums = {c: (c, "sum") for c in ("chip_base", "chip_growth") if c in m.columns}
    out = m.assign(var=m["se"] ** 2 if var else 0.0).groupby("series").agg(
        readings=("id", "size"), hard_landing=("hard_landing", "sum"), **var, largest=("largest", "max"),
        **sums).reset_index()
    if var:
        out["se"] = np.sqrt(out["se"])
    out.insert(1, "signpost", out["series"].map(names).fillna(out["series"]))
    return out.sort_values(["hard_landing", "series"]).reset_index(drop=True)


def predictive_check(paths: Paths, w: np.ndarray, projections: pd.DataFrame, labels: dict[str, str],
                     years: tuple[int, ...] = (2026, 2027)) -> pd.DataFrame:
    """The model's median and 90% band of each calendar-year total against the published projections of the
    same quantity and year (``projections``: rows with model_variable, year, value, publisher, scope).

    Flags: ``median outside all`` when the median is below the lowest or above the highest projection (a
    projection's stated range counts: 'above 527' or 920-1,400); ``band excludes all`` when no projection's range
    meets the 90% band. ``labels``: {model variable: row label}. ``projections used`` lists every projection as
    (publisher, value, low, high) with the range it counts with, so ``lowest`` and ``highest`` are always numbers
    it lists (:func:`aicompute.narrative.scenarios.predictive_table` words them).
    """
    rows = []
    clock_year = paths.start.clock.year
    for var, label in labels.items():
        for year in years:
            y = year - clock_year
            try:
                arr = paths.variable(var)
            except KeyError:
                continue
            if not 0 <= y < paths.start.horizon // 12:
                continue
            p5, p50, p95 = weighted_quantile(annual_total(arr, y), w, [0.05, 0.5, 0.95])
            pr = projections[(projections["model_variable"] == var) & (projections["year"] == year)]
            low = pr.get("low", pr["value"]).fillna(pr["value"]).clip(upper=pr["value"])
            high = pr.get("high", pr["value"]).fillna(pr["value"]).clip(lower=pr["value"])
            lo, hi = (float(low.min()), float(high.max())) if len(pr) else (np.nan, np.nan)
            outside = bool(len(pr)) and not lo <= p50 <= hi
            excludes = bool(len(pr)) and not ((high >= p5) & (low <= p95)).any()
            side = "" if not outside else ("below" if p50 < lo else "above")
            rows.append({"quantity": label, "year": year, "model p5": p5, "model median": p50, "model p95": p95,
                         "projections": len(pr), "lowest": lo, "highest": hi,
                         "projections used": [(str(p), float(v), float(a), float(b)) for p, v, a, b in
                                              zip(pr["publisher"], pr["value"], low, high)],
                         "median outside all": side or ("no" if len(pr) else "no projection"),
                         "band excludes all": "yes" if excludes else ("no" if len(pr) else "")})
    return pd.DataFrame(rows)
