"""The finance chapter's charts (03_finance); see :mod:`aicompute.figures`."""

from __future__ import annotations

import pandas as pd

from aicompute.charts import MAX_COLOURS, alt, wrapped_axis

#: The cash model's lines as the legend names them (the frame's columns are code names).
CASH_LINES = {"revenue": "Revenue", "take_or_pay": "Take-or-pay contracts", "uncontracted": "Uncontracted compute",
              "other": "Other costs"}


#: Money series always drawn in their own colour: the run-rate and the recognised revenue the text and title read.
_CORE = {("annualized_revenue", "run-rate"), ("revenue", "recognized")}


def colour_series(money: pd.DataFrame, keep: int = MAX_COLOURS - 1, other: str = "Other") -> pd.Series:
    """The colour of each row of ``money`` (``series``, ``metric``, ``kind``, ``value``): its series for the ``keep``
    series drawn apart -- the run-rate and recognised revenue first, then those with most readings, then the
    largest -- and ``other`` for the rest. (Unlike :func:`aicompute.charts.fold_other`, which sums what it folds,
    each folded series keeps its own line: lines of different quantities cannot be added.)"""
    core = pd.Series([(m, k) in _CORE for m, k in zip(money["metric"], money["kind"])], index=money.index)
    rank = (money.assign(core=core, size=money["value"].abs()).groupby("series")
            .agg(core=("core", "any"), n=("size", "size"), total=("size", "sum"))
            .sort_values(["core", "n", "total"], ascending=False))
    if len(rank) <= keep + 1:
        return money["series"]
    return money["series"].where(money["series"].isin(rank.index[:keep]), other)


def money_series(money: pd.DataFrame) -> alt.Chart:
    """OpenAI's money series (``period_end``, ``value``, ``series`` label, ``metric``, ``kind``) as lines on a log
    scale, one line per series; beyond the palette the smaller series share the colour "Other"
    (:func:`colour_series`), each with its own line and tooltip."""
    shown = money.assign(line=money["series"], series=colour_series(money))
    return alt.Chart(shown).mark_line(point=True).encode(
        x=alt.X("period_end:T", title="Period end"),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), title="USD bn (log scale)"),
        color=alt.Color("series:N", title="Series (kind, basis)", legend=alt.Legend(orient="bottom", columns=2, labelLimit=0)),
        strokeDash=alt.StrokeDash("kind:N", title="Kind"),
        detail="line:N",
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("line:N", title="Series"),
                 alt.Tooltip("value:Q", title="USD bn"), alt.Tooltip("source_id:N", title="Source")],
    ).properties(height=300)


def take_or_pay(sched: pd.DataFrame, compute: pd.DataFrame) -> alt.LayerChart:
    """Payments due by year and contract (``sched``: year, amount, ``to_party``) as stacked bars, with the cash
    model's compute (``compute``: year, compute) as a black line."""
    bars = alt.Chart(sched.astype({"year": str})).mark_bar().encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("sum(amount):Q", title="Payments due (USD bn)"),
        color=alt.Color("to_party:N", title="Contract with"),
        tooltip=[alt.Tooltip("to_party:N", title="Contract with"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("amount:Q", title="USD bn", format=".1f")])
    line = alt.Chart(compute.astype({"year": str})).mark_line(color="black", point=True).encode(
        x="year:O", y="compute:Q",
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("compute:Q", title="Compute (USD bn)", format=".0f")])
    return (bars + line).properties(height=280)


def cash_model(model: pd.DataFrame) -> alt.LayerChart:
    """One case of :func:`aicompute.finance.cash_model`: revenue above zero, compute and other costs below, burn
    as a black line."""
    parts = model.melt(id_vars="year", value_vars=list(CASH_LINES), var_name="line", value_name="usd_bn")
    parts["usd_bn"] = parts["usd_bn"].where(parts["line"] == "revenue", -parts["usd_bn"])
    parts["line"] = parts["line"].map(CASH_LINES)
    bars = alt.Chart(parts).mark_bar().encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("sum(usd_bn):Q", title="USD bn (costs below zero)"),
        color=alt.Color("line:N", title=None, scale=alt.Scale(domain=list(CASH_LINES.values()))),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("line:N", title="Line"),
                 alt.Tooltip("usd_bn:Q", title="USD bn", format=".1f")])
    burn = alt.Chart(model).mark_line(color="black", point=True).encode(
        x="year:O", y=alt.Y("burn:Q"), tooltip=[alt.Tooltip("burn:Q", title="Burn (USD bn)", format=".1f")])
    return (bars + burn).properties(height=300)


def runway(models: dict[str, pd.DataFrame], levels: pd.DataFrame) -> alt.LayerChart:
    """Cumulative burn by revenue case (``models``: {case: cash model}) against dashed fund levels (``levels``:
    funds, what)."""
    cum = pd.concat([m.assign(case=name) for name, m in models.items()])
    lines = alt.Chart(cum).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("cumulative_burn:Q", title="Cumulative burn since 2026 (USD bn)"),
        color=alt.Color("case:N", title="Revenue case", legend=alt.Legend(labelLimit=260)),
        tooltip=[alt.Tooltip("case:N", title="Case"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("cumulative_burn:Q", title="Cumulative burn (USD bn)", format=".0f")])
    rules = alt.Chart(levels).mark_rule(strokeDash=[4, 3], color="#555").encode(
        y="funds:Q", tooltip=[alt.Tooltip("what:N", title="Funds"), alt.Tooltip("funds:Q", title="USD bn", format=".0f")])
    return (lines + rules).properties(height=280)


def sequoia(seq: pd.DataFrame, low: float, high: float) -> alt.LayerChart:
    """Sequoia's required revenue by case (bars), the multiplier range of the last case (``low``-``high``, a
    rule) and the AI revenue each case assumes (ticks)."""
    n = len(seq)
    shown = seq.assign(low=[None] * (n - 1) + [low], high=[None] * (n - 1) + [high])
    base = alt.Chart(shown).encode(x=alt.X("case:N", sort=None, title=None))
    tips = [alt.Tooltip("case:N", title="Case"), alt.Tooltip("nvidia_runrate:Q", title="Nvidia run-rate (USD bn)"),
            alt.Tooltip("required_revenue:Q", title="Required revenue (USD bn)"),
            alt.Tooltip("ai_revenue:Q", title="AI revenue (USD bn)")]
    return (base.mark_bar().encode(y=alt.Y("required_revenue:Q", title="Required yearly AI revenue (USD bn)"), tooltip=tips)
            + base.mark_rule(strokeWidth=2).encode(y="low:Q", y2="high:Q")
            + base.mark_tick(color="#D55E00", thickness=3, size=40).encode(y="ai_revenue:Q")).properties(height=260)


#: The flows' sums in a cell: 10 px, or less when the cells are narrow (three digits take ~1.9 font sizes plus a
#: margin): a Vega expression of the x band's width, so it follows the chart fitted to a phone.
SUM_FONT = "min(10, (bandwidth('x') - 4) / 1.9)"


def flows(flows: pd.DataFrame) -> alt.LayerChart:
    """Who pays whom: the value of flows (``from_party`` -> ``to_party``) as a heat map with the sums written in."""
    tips = [alt.Tooltip("from_party:N", title="Pays"), alt.Tooltip("to_party:N", title="Receives"),
            alt.Tooltip("flow:N", title="Structure"), alt.Tooltip("status:N", title="Status"),
            alt.Tooltip("value:Q", title="USD bn")]
    heat = alt.Chart(flows).mark_rect().encode(
        x=alt.X("to_party:N", title="Receives (money or commitment)", axis=alt.Axis(labelAngle=-40, labelOverlap=False)),  # every label, whole
        y=alt.Y("from_party:N", title="Pays or invests", axis=alt.Axis(labelLimit=200, **wrapped_axis(30))),
        color=alt.Color("sum(value):Q", scale=alt.Scale(type="log", scheme="blues"), title="USD bn"), tooltip=tips)
    # white on the darkest cells (black on them was hard to read); the sums shrink with the cells so neighbours never
    # touch on a phone ('250350'), and give way to the colour and the tooltip below a readable size (SUM_FONT)
    ink = alt.condition("datum.sum_value > 150", alt.value("white"), alt.value("#1a1a1a"))
    sums = alt.Chart(flows).mark_text(fontSize=alt.ExprRef(SUM_FONT), opacity=alt.ExprRef(f"({SUM_FONT}) < 7 ? 0 : 1")).encode(
        x="to_party:N", y="from_party:N", text=alt.Text("sum(value):Q", format=".0f"), fill=ink)
    return (heat + sums).properties(height=alt.Step(26), width=420)
