"""The infrastructure chapter's charts (02_infrastructure); see :mod:`aicompute.figures`."""

from __future__ import annotations

import pandas as pd

from aicompute.charts import PALETTE, alt
from aicompute.formatting import plain, plain_range

_STATUS = ["counted", "already counted elsewhere"]


def commitments(deals: pd.DataFrame) -> alt.Chart:
    """Deals with a stated GW by counterparty, coloured by whether they count (others house or repeat them)."""
    shown = deals.dropna(subset=["gw"]).assign(status=deals["counted"].map({True: _STATUS[0], False: _STATUS[1]}))
    return alt.Chart(shown).mark_bar().encode(
        x=alt.X("gw:Q", title="Capacity (GW)"), y=alt.Y("counterparty:N", sort="-x", title=None),
        color=alt.Color("status:N", title=None, scale=alt.Scale(domain=_STATUS, range=[PALETTE[0], "#bbbbbb"])),
        tooltip=["counterparty", "type", "gw", "overlaps_with", "note"],  # named, not by its code id
    ).properties(height=alt.Step(22))


def cost_parts(cost: dict[str, dict[str, float]]) -> alt.Chart:
    """A GW's annual cost by part (chips, building, energy, operations), one bar per case of ``cost``
    ({case: parts from :func:`aicompute.infra.annual_cost_per_gw`}), in the order given."""
    parts = pd.DataFrame([{"case": k, "part": p, "usd_bn": c[p]} for k, c in cost.items()
                          for p in ("chips", "building", "energy", "operations")])
    return alt.Chart(parts).mark_bar().encode(
        x=alt.X("sum(usd_bn):Q", title="USD bn a year per GW"), y=alt.Y("case:N", sort=list(cost), title="Capital charged at"),
        color=alt.Color("part:N", title="Annual cost"), tooltip=["case", "part", alt.Tooltip("usd_bn:Q", format=".2f")],
    ).properties(height=160)


def rent(rents: pd.DataFrame, refs: pd.DataFrame) -> alt.LayerChart:
    """Rent per GW-year by contract (labelled provider → customer (year announced)), with dashed reference
    lines ``refs`` (``x``, ``what``)."""
    rents = rents.assign(label=rents["provider"] + " → " + rents["customer"] + " (" + rents["announced"].dt.year.astype(str) + ")")
    bars = alt.Chart(rents).mark_bar().encode(
        x=alt.X("usd_bn_per_gw_year:Q", title="USD bn per GW-year (facility power)"),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300)),
        tooltip=["label", "chip", "usd_bn", "gw", "gw_kind", "term_years", alt.Tooltip("usd_bn_per_gw_year:Q", format=".2f")])
    lines = alt.Chart(refs).mark_rule(strokeDash=[4, 3], strokeWidth=2).encode(
        x="x:Q", color=alt.Color("what:N", title=None, legend=alt.Legend(labelLimit=0)), tooltip=["what", alt.Tooltip("x:Q", format=".1f")])
    return (bars + lines).properties(height=alt.Step(26), width=420)


def chip_life(by_life: pd.DataFrame, marks: pd.DataFrame) -> alt.LayerChart:
    """A GW's annual cost by chip life, one line per way of charging capital (``wacc``: NaN = straight-line),
    with the lives the owners book as dots (``marks``: years, usd_bn, company, asset_class, effective_date)."""
    by_life = by_life.assign(charged=by_life["wacc"].map(
        lambda w: "straight-line" if w != w else f"{plain(w, spec='.0%')} cost of capital"))
    lines = alt.Chart(by_life).mark_line().encode(
        x=alt.X("chip_life:Q", title="Chip and server life (years)"), y=alt.Y("usd_bn:Q", title="USD bn a year per GW"),
        color=alt.Color("charged:N", title=None), tooltip=["charged", "chip_life", alt.Tooltip("usd_bn:Q", format=".1f")])
    dots = alt.Chart(marks).mark_point(size=70, filled=True, color="black").encode(
        x="years:Q", y="usd_bn:Q", tooltip=["company", "asset_class", "years", "effective_date:T"])
    return (lines + dots).properties(height=260)


def breakeven(be: pd.DataFrame, observed: pd.DataFrame) -> alt.Chart | alt.LayerChart:
    """Break-even rental price by chip life per GPU (``be``), with the observed median prices (``observed``:
    gpu, contract, usd_per_gpu_hour) as dashed lines when there are any."""
    chart = alt.Chart(be).mark_line().encode(
        x=alt.X("chip_life:Q", title="Life over which the GPU must pay back (years)"),
        y=alt.Y("usd_per_hour:Q", title="USD per GPU-hour"), color=alt.Color("gpu:N", title="Break-even"),
        tooltip=["gpu", "chip_life", alt.Tooltip("usd_per_hour:Q", format=".2f")])
    if len(observed):
        chart = chart + alt.Chart(observed.assign(what=observed["gpu"] + " " + observed["contract"])).mark_rule(strokeDash=[4, 3]).encode(
            y="usd_per_gpu_hour:Q", color=alt.Color("gpu:N"), tooltip=["what", alt.Tooltip("usd_per_gpu_hour:Q", format=".2f")])
    return chart.properties(height=260)


def power_bars(readings: dict[str, tuple[float, str | None]], ours: dict[str, tuple[float, str | None]]) -> pd.DataFrame:
    """The items of :func:`power`: published projections (``readings``, kind 'IEA') then ours (kind 'OpenAI'),
    each {what: (TWh a year, source id or None)}, in the order given."""
    return pd.DataFrame([{"what": w, "twh": t, "kind": kind, "source": src} for kind, items in (("IEA", readings), ("OpenAI", ours))
                         for w, (t, src) in items.items()])


def power(bars: pd.DataFrame) -> alt.Chart:
    """Electricity a year (``twh``) by item (``what``, in the order given), coloured by ``kind``."""
    return alt.Chart(bars).mark_bar().encode(
        x=alt.X("twh:Q", title="Electricity a year (TWh)"), y=alt.Y("what:N", sort=None, title=None, axis=alt.Axis(labelLimit=300)),
        color=alt.Color("kind:N", title=None), tooltip=["what", alt.Tooltip("twh:Q", format=",.0f")],
    ).properties(height=alt.Step(22))


def count_readings_view(readings: pd.DataFrame, *, plausible_low: float, plausible_high: float) -> pd.DataFrame:
    """Every count for a site as shown (from :func:`aicompute.infra.gpu_count_readings`): counts to the nearest
    thousand, the site power per GPU each leaves and whether it lies in the plausible band (kW)."""
    inside = readings["site_kw_per_gpu"].between(plausible_low, plausible_high)
    return pd.DataFrame({"Count from": readings["reading"], "Kind": readings["kind"],
                         "GPUs": (readings["count"] / 1e3).round() * 1e3,
                         "Site kW per GPU": readings["site_kw_per_gpu"].round(1),
                         f"Within {plain_range(plausible_low, plausible_high, 'kW', '.1f')}":
                             inside.map({True: "yes", False: "no"})})


def own_rents_view(own: pd.DataFrame) -> pd.DataFrame:
    """OpenAI's own contracts as shown (from :func:`aicompute.headlines.revenue_to_rent_on_contracts`): each one's
    GW and what it measures, its term and first year, and its rent per facility GW-year and revenue over rent at
    the central reading of its GW, then over all the readings (an unspecified GW read as facility power and as IT)."""
    return pd.DataFrame({
        "provider": own["provider"], "USD bn": own["usd_bn"], "GW": own["gw"], "GW measures": own["gw_kind"],
        "years": own["term_years"], "from": own["start_year"].map(lambda y: "" if pd.isna(y) else plain(int(y), spec="d")),
        "Rent per GW-year (USD bn)": own["rent_per_gw_year"].map(lambda x: plain(x, spec=".1f")),
        "Rent, all readings": [plain_range(a, b, spec=".1f") for a, b in zip(own["rent_low"], own["rent_high"])],
        "Revenue over rent": own["ratio"].map(lambda x: plain(x, "x", ".2f")),
        "Revenue over rent, all readings": [plain_range(a, b, "x", ".2f") for a, b in zip(own["ratio_low"], own["ratio_high"])],
        "source_id": own["source_id"]})


def site_checks_view(checks: pd.DataFrame, *, site_gw: float, gpu_load_mw: float, order_usd_bn: float) -> pd.DataFrame:
    """The site check table as shown (from :func:`aicompute.infra.site_checks`), its headers naming the site's
    power, GPU load and order they divide."""
    return checks[["who", "role", "count", "site_kw_per_gpu", "load_kw_per_gpu", "usd_per_gpu"]].rename(columns={
        "count": "GPUs", "site_kw_per_gpu": f"site kW per GPU ({plain(site_gw, 'GW', '.1f')})",
        "load_kw_per_gpu": f"kW per GPU of the {plain(gpu_load_mw, 'MW', '.0f')} GPU load",
        "usd_per_gpu": f"USD per GPU of the {plain(order_usd_bn, 'USD bn', '.0f')} order"})
