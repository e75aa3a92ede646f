"""The bubble chapter's charts (04_bubble_debate); see :mod:`aicompute.figures`.

Each function takes the frame the chapter computed and returns the chart without its title; colours come from
the house palette (:data:`aicompute.charts.PALETTE`), never typed in here.
"""

from __future__ import annotations

import pandas as pd

from aicompute.charts import PALETTE, alt, binned, wrapped_axis

_GREY = "#767676"  # the report's colour for "no side" (charts.VERDICT_COLORS["unverified"]): 4.5:1 on white
#: Colours of the debate's sides, the same on every chart: confidence green, mixed orange, doubt vermilion.
SIDE_COLOURS = {"confidence": PALETTE[2], "mixed": PALETTE[1], "doubt": PALETTE[3]}


def capex(capex_rows: pd.DataFrame) -> alt.Chart:
    """Capex by company and year (``year``, ``value``, ``entity``, ``kind``: guidance bars lighter)."""
    return alt.Chart(capex_rows).mark_bar().encode(
        x=alt.X("year:O", title="Year (Microsoft: fiscal year to June; guidance dated when given)"),
        y=alt.Y("sum(value):Q", title="Capex (USD bn)"), color=alt.Color("entity:N", title="Company"),
        opacity=alt.Opacity("kind:N", scale=alt.Scale(domain=["actual", "guidance"], range=[1, 0.45]), title="Kind"),
        tooltip=["entity", "period", "kind", "value", "source_id"],
    ).properties(height=280)


def peaks(lfl: pd.DataFrame) -> alt.LayerChart:
    """Then and now on the same measure (``lfl`` from :func:`aicompute.bubble.peak_comparison`), one row per
    comparison, each reading's range (``low %``..``high %``) as a rule."""
    lfl = lfl.assign(row=lfl["measure"] + ": " + lfl["now"], low=lfl["low %"], high=lfl["high %"])
    long = pd.concat([lfl.assign(when=lfl["then"], pct=lfl["then %"], era="then"),
                      lfl.assign(when=lfl["now"], pct=lfl["now %"], era="now")])
    rng = lfl.loc[lfl["low"] < lfl["high"], ["row", "low", "high"]]
    y = alt.Y("row:N", title=None, sort=None, axis=alt.Axis(labelLimit=360, **wrapped_axis(55)))  # on every layer: the first's axis wins
    base = alt.Chart(long).encode(y=y)
    return (alt.Chart(rng).mark_rule(strokeWidth=3, color=PALETTE[0], opacity=0.4).encode(y=y, x="low:Q", x2="high:Q")
            + base.mark_point(filled=True, size=120).encode(
                x=alt.X("pct:Q", title="Share of US GDP (%)"), tooltip=["when", "pct"],
                color=alt.Color("era:N", title=None, scale=alt.Scale(domain=["then", "now"], range=[_GREY, PALETTE[0]])))
            ).properties(height=alt.Step(40))


def multiples(mult: pd.DataFrame) -> alt.LayerChart:
    """Valuation over revenue by company: point at ``value``, rule from ``low`` to ``high``."""
    base = alt.Chart(mult).encode(y=alt.Y("company:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)))
    return (base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title="Valuation / revenue (x)"), x2="high:Q")
            + base.mark_point(filled=True, size=90).encode(x="value:Q", tooltip=["company", "value", "low", "high"])
            ).properties(height=alt.Step(30))


_FLOWS = {"operating_cash_flow": "operating cash flow", "capex": "capex"}


def cashflow(cs: pd.DataFrame) -> alt.Chart:
    """Operating cash flow against capex by company (``cs`` from :func:`aicompute.finance.capital_structure`)."""
    from aicompute.narrative.bubble import CAPEX_BASIS

    cs = cs.assign(capex_basis=cs["capex_basis"].map(CAPEX_BASIS).fillna(cs["capex_basis"]))
    bars = cs.melt(id_vars=["company", "capex_basis"], value_vars=list(_FLOWS), var_name="flow", value_name="usd_bn")
    bars["flow"] = bars["flow"].map(_FLOWS)
    return alt.Chart(bars).mark_bar().encode(
        x=alt.X("flow:N", title=None, axis=alt.Axis(labels=False, ticks=False)), y=alt.Y("usd_bn:Q", title="USD bn a year"),
        color=alt.Color("flow:N", title=None, scale=alt.Scale(domain=list(_FLOWS.values()), range=[PALETTE[2], PALETTE[3]])),
        column=alt.Column("company:N", title=None),
        tooltip=["company", "flow", "capex_basis", alt.Tooltip("usd_bn:Q", format=".0f")],
    ).properties(width=90, height=220)


def maturities(wall: pd.DataFrame) -> alt.Chart:
    """Principal of AI-linked debt by year due and issuer."""
    return alt.Chart(wall).mark_bar().encode(
        x=alt.X("year:O", title="Year due"), y=alt.Y("sum(value):Q", title="Principal due (USD bn)"),
        color=alt.Color("issuer:N", title="Issuer"), tooltip=["issuer", "instrument", "year", "value", "source_id"],
    ).properties(height=260)


def concentration(nv: pd.DataFrame) -> alt.Chart:
    """Nvidia's revenue share of its largest customers by fiscal period."""
    return alt.Chart(nv).mark_bar().encode(
        x=alt.X("period:N", sort=alt.EncodingSortField("period_end"), title="Nvidia fiscal period"),
        y=alt.Y("share:Q", title="Share of revenue (%)"), xOffset="customer:N",
        color=alt.Color("customer:N", title="Customer group", legend=alt.Legend(labelLimit=320, columns=1)),
        tooltip=["period", "customer", "share", "basis", "source_id"],
    ).properties(height=260)


def memory_split(parts: pd.DataFrame) -> alt.Chart:
    """The growth in chip revenue split into memory and everything else (``part``, ``usd_bn``)."""
    return alt.Chart(parts).mark_bar().encode(
        x=alt.X("usd_bn:Q", title="Growth in chip revenue, 2025 to 2026 (USD bn)"), y=alt.Y("part:N", title=None),
        color=alt.Color("part:N", legend=None, scale=alt.Scale(domain=["memory", "everything else"], range=[PALETTE[3], PALETTE[0]])),
        tooltip=["part", alt.Tooltip("usd_bn:Q", format=".0f")],
    ).properties(height=alt.Step(40))


def memory_hynix(mem: pd.DataFrame) -> alt.Chart:
    """SK hynix's revenue and operating profit (the rows in KRW tn), when no split of the growth is published."""
    return alt.Chart(mem[mem["unit"] == "KRW tn"]).mark_bar().encode(
        x=alt.X("period:N", title="Period"), y=alt.Y("value:Q", title="KRW tn"), color="metric:N", xOffset="metric:N",
    ).properties(height=220)


def adoption(pct: pd.DataFrame) -> alt.LayerChart:
    """Adoption measures by survey (``label``): point at ``value``, rule from ``low`` to ``high``."""
    base = alt.Chart(pct).encode(y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("value", order="descending"),
                                         axis=alt.Axis(labelLimit=420, **wrapped_axis(65))))
    return (base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title="Percent"), x2="high:Q")
            + base.mark_point(filled=True, size=90).encode(
                x="value:Q", tooltip=["study", "measure", "value", "population", "caveat"])
            ).properties(height=alt.Step(44))  # a band holds three lines of label (study and measure, never cut)


def scorecard(card: pd.DataFrame) -> alt.LayerChart:
    """Score by indicator (bars, coloured by side) with a rule over each input's low-high range."""
    bars = alt.Chart(card).mark_bar().encode(
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300, **wrapped_axis(48))),
        x=alt.X("score:Q", title="Score (0 = calm level, 1 = hot level)", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("side:N", title="Side"), tooltip=["label", "value", "low", "high", "calm", "hot", "score", "evidence", "weight"])
    ranges = alt.Chart(card).mark_rule(color="#333333").encode(y=alt.Y("label:N", sort="-x"), x="score_low:Q", x2="score_high:Q")
    return (bars + ranges).properties(height=alt.Step(24))


def weights(draws: pd.Series, total: float) -> alt.LayerChart:
    """Histogram of the totals under random weights, with the default weights' ``total`` as a rule."""
    hist = alt.Chart(binned(draws, bins=40)).mark_bar().encode(
        x=alt.X("start:Q", bin="binned", title="Scorecard total under random weights (0-100)"), x2="end:Q",
        y=alt.Y("count:Q", title="Weight draws (count)"))
    rule = alt.Chart(pd.DataFrame({"x": [total]})).mark_rule(color=PALETTE[3], strokeWidth=2).encode(x="x:Q")
    return (hist + rule).properties(height=240)


def debate(said: pd.DataFrame) -> alt.Chart:
    """Dated statements by speaker, coloured and shaped by side (:data:`SIDE_COLOURS`)."""
    scale = alt.Scale(domain=list(SIDE_COLOURS), range=list(SIDE_COLOURS.values()))
    return alt.Chart(said).mark_point(filled=True, size=140).encode(
        x=alt.X("date:T", title="Date of statement", axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6)),
        y=alt.Y("speaker:N", title=None, sort=alt.EncodingSortField("date")),
        color=alt.Color("side:N", scale=scale, title="Side"), shape=alt.Shape("side:N", title="Side"),
        tooltip=["date", "speaker", "organisation", "side", "paraphrase", "evidence_cited"],
    ).properties(height=alt.Step(24))
