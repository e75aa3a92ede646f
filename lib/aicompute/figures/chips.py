"""The chip chapter's charts (01_chip_strategy); see :mod:`aicompute.figures`."""

from __future__ import annotations

import math

import pandas as pd

from aicompute.charts import alt
from aicompute.formatting import plain

#: The two price bases of :func:`rank_by_basis`, in the order shown.
BASES = ["before: quotes x one multiplier", "now: one basis"]


def _log_base(values: pd.Series) -> float:
    """The power of ten below the smallest value: log-scale bars start there, not at zero."""
    return 10 ** math.floor(math.log10(values.min()))


def perf_per_watt(per_w: pd.DataFrame) -> alt.Chart:
    """Peak dense TFLOPS per kW by chip (``tflops_per_kw``, from :func:`aicompute.chips.efficiency_table`)."""
    return alt.Chart(per_w).mark_bar().encode(
        x=alt.X("tflops_per_kw:Q", title="Peak dense TFLOPS per kW of chip power"),
        y=alt.Y("chip:N", sort="-x", title=None), color=alt.Color("vendor:N", title="Vendor"),
        tooltip=["chip", "precision", alt.Tooltip("tflops_per_kw:Q", format=",.0f")],
    ).properties(height=alt.Step(22))


def cost_per_token(costs: pd.DataFrame) -> alt.LayerChart:
    """Cost per million tokens of the request by system, with a rule from ``low`` to ``high``."""
    base = alt.Chart(costs).encode(y=alt.Y("chip:N", sort=alt.EncodingSortField("usd_per_mtok"), title=None))
    chart = base.mark_bar().encode(
        x=alt.X("usd_per_mtok:Q", title="USD per million tokens of the request (owner's cost)"),
        color=alt.Color("precision:N", title="Serves at"),
        tooltip=["chip", "system", "precision", "n_chips", "batch", "bound", alt.Tooltip("usd_per_mtok:Q", format=".3f")],
    ) + base.mark_rule(color="black").encode(x="low:Q", x2="high:Q")
    return chart.properties(height=alt.Step(30))


def cost_by_speed(curve: pd.DataFrame) -> alt.Chart:
    """Cost per million output tokens against the decode speed each user gets (``speed``), by system."""
    return alt.Chart(curve).mark_line(point=True).encode(
        x=alt.X("speed:Q", title="Decode speed per user (tokens per second)"),
        y=alt.Y("usd_per_mtok_output:Q", title="USD per million output tokens (owner's cost)"),
        color=alt.Color("chip:N", title=None), tooltip=["chip", "speed", "n_chips", "batch", "bound",
                                                        alt.Tooltip("usd_per_mtok_output:Q", format=".3f")],
    ).properties(height=260)


def rank_by_basis(ranks: pd.DataFrame) -> alt.Chart:
    """Each system's cost rank on the two price bases (:data:`BASES`; from :func:`aicompute.chips.rank_by_basis`)."""
    return alt.Chart(ranks).mark_line(point=True).encode(
        x=alt.X("basis:N", sort=BASES, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rank:O", title="Rank by cost per million output tokens (1 = cheapest)"), color=alt.Color("chip:N", title=None),
        tooltip=["chip", "basis", "rank", alt.Tooltip("value:Q", format=".3f", title="USD per million output tokens")],
    ).properties(height=220, width=320)


def reconcile(bars: pd.DataFrame) -> alt.LayerChart:
    """Lollipops of USD per million tokens (``usd``) by item (``what``, in the order given), coloured by ``kind``."""
    bars = bars.assign(base=_log_base(bars["usd"]))
    lolly = alt.Chart(bars).encode(y=alt.Y("what:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
                                   color=alt.Color("kind:N", title=None), tooltip=["what", alt.Tooltip("usd:Q", format=".3f")])
    chart = lolly.mark_rule(strokeWidth=6).encode(
        x=alt.X("base:Q", scale=alt.Scale(type="log"), title="USD per million tokens of the request (log scale)"), x2="usd:Q") + \
        lolly.mark_point(size=60, filled=True).encode(x="usd:Q")
    return chart.properties(height=alt.Step(20))


def price_trend(series: pd.DataFrame) -> alt.Chart:
    """Price per million tokens over time by series, log scale."""
    return alt.Chart(series).mark_line(point=True).encode(
        x=alt.X("date:T", title="Date"), y=alt.Y("usd_per_mtok:Q", scale=alt.Scale(type="log"),
                                                  title="USD per million tokens, mean of input and output (log scale)"),
        color=alt.Color("series:N", title=None, legend=alt.Legend(labelLimit=0, columns=1)),
        tooltip=["series", "date:T", "usd_per_mtok"],
    ).properties(height=260)


def latency(lat: pd.DataFrame) -> alt.LayerChart:
    """Upper bound on single-user tokens per second by chip (``tokens_s_per_user``), log-scale bars."""
    lat = lat.assign(base=_log_base(lat["tokens_s_per_user"]))
    bar = alt.Chart(lat).encode(y=alt.Y("chip:N", sort=alt.EncodingSortField("tokens_s_per_user", order="descending"), title=None),
                                color=alt.Color("memory_type:N", title="Memory"),
                                tooltip=["chip", "n_chips", alt.Tooltip("tokens_s_per_user:Q", format=",.0f")])
    chart = bar.mark_rule(strokeWidth=8).encode(
        x=alt.X("base:Q", scale=alt.Scale(type="log"), title="Upper bound on tokens per second for one user (log scale)"),
        x2="tokens_s_per_user:Q") + bar.mark_point(size=50, filled=True).encode(x="tokens_s_per_user:Q")
    return chart.properties(height=alt.Step(20))


def portfolio(cum: pd.DataFrame) -> alt.Chart:
    """Cumulative GW by chip designer and year (from :func:`aicompute.chips.gw_by_vendor_year`), stacked."""
    return alt.Chart(cum).mark_area().encode(
        x=alt.X("year:O", title="Year end"), y=alt.Y("sum(gw):Q", title="Cumulative announced capacity (GW)"),
        color=alt.Color("chip_vendor:N", title="Chip designer"), tooltip=["year", "chip_vendor", alt.Tooltip("gw:Q", format=".1f")],
    ).properties(height=260)


# -- the chapter's tables and the frames its charts draw ----------------------------------------------------
def spec_table(acc: pd.DataFrame) -> pd.DataFrame:
    """The accelerators table as shown: dense peak throughput, memory and power, with readable headers."""
    return (acc.assign(year=acc["year"].astype(str))[["vendor", "chip", "year", "bf16_dense_tflops", "fp8_dense_tflops",
                                                       "memory_gb", "memory_type", "memory_tb_s", "power_w"]]
            .rename(columns={"bf16_dense_tflops": "BF16 TFLOPS", "fp8_dense_tflops": "FP8 TFLOPS",
                             "memory_gb": "memory GB", "memory_tb_s": "TB/s", "power_w": "W"}))


def allin_view(allin: pd.DataFrame) -> pd.DataFrame:
    """The one-price-basis table as shown (from :func:`aicompute.chips.allin_table`): quote, factor, system
    share, facility share and all-in price with its range."""
    return allin[["chip", "system", "stated_scope", "stated_usd", "factor", "system_usd", "kw_per_accelerator", "facility_usd",
                  "allin_usd", "allin_low_usd", "allin_high_usd", "source_id"]].rename(columns={
        "stated_scope": "quoted as", "stated_usd": "quote USD", "factor": "factor to system share",
        "system_usd": "system share USD", "kw_per_accelerator": "IT kW", "facility_usd": "facility share USD",
        "allin_usd": "all-in USD", "allin_low_usd": "low", "allin_high_usd": "high", "source_id": "quote source"})


def cost_table(costs: pd.DataFrame, chat_usd_per_request: pd.Series) -> pd.DataFrame:
    """Prefill and decode by system as shown (from :func:`aicompute.chips.mix_cost_table`), with the cost of a
    chat request (``chat_usd_per_request``, indexed by system id) next to the reasoning request's."""
    return costs.assign(chat_request=costs["id"].map(chat_usd_per_request))[
        ["chip", "precision", "n_chips", "batch", "bound", "decode_tps", "prefill_tps", "usd_per_mtok_input", "usd_per_mtok_output",
         "usd_per_mtok", "chat_request", "usd_per_request"]].rename(columns={
        "n_chips": "group", "decode_tps": "decode tok/s per chip", "prefill_tps": "prefill tok/s per chip",
        "usd_per_mtok_input": "USD/M prompt", "usd_per_mtok_output": "USD/M output", "usd_per_mtok": "USD/M request",
        "chat_request": "USD per chat request", "usd_per_request": "USD per reasoning request"})


def reconcile_bars(costs: pd.DataFrame, renter: pd.DataFrame, implied: tuple[str, float], classes: pd.Series) -> pd.DataFrame:
    """The items of :func:`reconcile`: the modelled owner's cost by system (``costs``), the same at observed
    rental prices (``renter``, from :func:`aicompute.chips.renter_costs`), the cost OpenAI's figures imply
    (``implied``: its label and value) and the median list price by model class (``classes``)."""
    return pd.concat([
        pd.DataFrame({"what": "Owner (model): " + costs["chip"], "usd": costs["usd_per_mtok"], "kind": "modelled owner's cost"}),
        pd.DataFrame({"what": "Renter: " + renter["chip"] + " at " + renter["rent"].map(lambda x: plain(x, "USD/h", ".2f")),
                      "usd": renter["usd"], "kind": "at observed rental prices"}),
        pd.DataFrame({"what": [f"OpenAI {implied[0]} / API tokens (ceiling)"], "usd": [implied[1]], "kind": ["OpenAI's own figures"]}),
        pd.DataFrame({"what": "List price, " + classes.index + " models (median)", "usd": classes.values, "kind": "API list price"}),
    ], ignore_index=True)
