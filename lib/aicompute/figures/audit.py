"""The claims audit's charts (00_claims_audit); see :mod:`aicompute.figures`."""

from __future__ import annotations

import pandas as pd

from aicompute import charts
from aicompute.audit import VERDICTS
from aicompute.charts import alt

#: The verdicts' colours, in the order of :data:`aicompute.audit.VERDICTS`.
VERDICT_SCALE = alt.Scale(domain=VERDICTS, range=[charts.VERDICT_COLORS[k] for k in VERDICTS])


def verdicts(counts: pd.DataFrame) -> alt.Chart:
    """Seed claims by chapter, stacked by verdict (``counts`` from :func:`aicompute.audit.verdict_counts`)."""
    return alt.Chart(counts).mark_bar().encode(
        x=alt.X("sum(count):Q", title="Seed claims (count)"),
        y=alt.Y("chapter:N", title=None, sort="-x"),
        color=alt.Color("verdict:N", scale=VERDICT_SCALE, title="Verdict"),
        order=alt.Order("verdict:N"),
        tooltip=["chapter", "verdict", "count"],
    ).properties(height=170)


def ratios(off: pd.DataFrame) -> alt.LayerChart:
    """Sourced value over the seed's figure per claim (``ratio``, ``label``; from
    :func:`aicompute.audit.seed_ratios`), on a log scale with a rule at one (agreement)."""
    points = alt.Chart(off).mark_point(size=80, filled=True).encode(
        x=alt.X("ratio:Q", scale=alt.Scale(type="log"), title="Best sourced value ÷ seed value (log scale)"),
        y=alt.Y("label:N", sort=alt.EncodingSortField("ratio", order="descending"), title=None,
                axis=alt.Axis(labelLimit=330, **charts.wrapped_axis(48))),  # the statement, up to 3 lines
        color=alt.Color("verdict:N", scale=VERDICT_SCALE, title="Verdict"),
        tooltip=["statement", "seed_value", "value", "unit", "verdict", "reason"],  # no code ids: the statement names it
    ).properties(height=alt.Step(40), width=300)
    return points + alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(color="#333").encode(x="x:Q")


def growth(series: pd.DataFrame) -> alt.Chart:
    """Series indexed to their first year (``index``; from :func:`aicompute.audit.indexed`), log scale."""
    return alt.Chart(series).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year end"),
        y=alt.Y("index:Q", scale=alt.Scale(type="log"), title="Multiple of the 2023 level (log scale)"),
        color=alt.Color("series:N", title=None),
        tooltip=["series", "year", "level", alt.Tooltip("index:Q", format=".1f")],
    ).properties(height=260)
