"""Accelerator economics: performance per watt and per dollar, a roofline inference cost model, and
procurement portfolios.

The inference model follows the usual roofline for autoregressive decode. One decode step of a batch of
``B`` sequences on a serving group of ``n`` chips

* reads the weights once: ``min(total, B x active)`` parameters (a dense model reads all of them; a
  mixture-of-experts model at small batch only the experts its tokens use), plus each sequence's KV cache
  (``context x kv_bytes_per_token``);
* does ``2 x active parameters`` FLOPs per token (attention FLOPs are left out: small next to the weights
  for the contexts used here).

The step takes the longer of the compute time (FLOPs / achieved FLOP/s) and the memory time
(bytes / achieved bandwidth): decode is memory-bandwidth-bound at small batch and compute-bound above the
*ridge* batch. Cost per token = (capex amortised per hour + energy per hour) / tokens per hour.

**Serving systems.** Chips are served in systems that differ in more than the chip: the precision the chip
runs at (FP4 halves the weight bytes and doubles the FLOP rate where supported), the scale-up domain (72 GPUs
on one NVLink fabric in an NVL72 rack, 8 in an HGX/DGX server), memory capacity (which caps the batch) and
power. :func:`operating_point` adds a third roof to the roofline, the exchange of activations between the
chips of a serving group (expert parallelism): it runs at scale-up speed inside the domain and at scale-out
(network) speed beyond it. The operating point is the busiest one (largest batch) that still gives every user
``min_user_tps`` tokens a second, over groups of 1, 2, 4, ... chips and the whole domain. Prefill (reading the
prompt) is compute-bound; a request's cost adds its prefill and its decode (visible and reasoning tokens)
chip-seconds (:func:`mix_cost_table`).

**One price basis.** Prices are quoted per chip, per server share or per rack share (CPUs, switches and the
rest of the system included). :func:`price_basis` converts each to a per-accelerator share of its system with
stated factors (pairs of quotes for the same chip generation, :func:`scope_factor`); :func:`allin_table` adds
the accelerator's share of the data-centre building and power gear (USD per kW of facility power).

Units: TFLOPS (1e12 FLOP/s), TB/s (1e12 B/s), GB (1e9 B), GB/s, W, kW, USD, USD/MWh, years.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from aicompute import infra

MINUTES_PER_YEAR = 525_600.0
#: Weight bytes per parameter at each serving precision.
PRECISION_BYTES = {"FP8": 1.0, "FP4": 0.5}
#: Systems with at least this many accelerators are racks (their prices are rack shares), smaller ones servers.
RACK_MIN_ACCELERATORS = 32


@dataclass(frozen=True)
class Model:
    """A served language model. Parameters in billions; ``kv_bytes_per_token`` is the KV cache per context
    token over all layers (e.g. 80 layers x 8 KV heads x 128 dims x 2 (K and V) x 2 bytes = 327,680 B)."""

    total_params_b: float
    active_params_b: float
    bytes_per_param: float = 1.0
    context_tokens: int = 8000
    kv_bytes_per_token: float = 327_680.0
    comm_bytes_per_token: float = 0.0  # activations a token exchanges across its group per step (all layers)
    attn_flops_per_context_token: float = 0.0  # attention FLOPs per decoded token per token of context

    @property
    def weight_gb(self) -> float:
        return self.total_params_b * self.bytes_per_param

    @property
    def kv_gb_per_sequence(self) -> float:
        return self.context_tokens * self.kv_bytes_per_token / 1e9


def efficiency_table(acc: pd.DataFrame) -> pd.DataFrame:
    """Peak dense TFLOPS per kW and per 1,000 USD for each chip, FP8 where published, else BF16.

    Chips without a FLOPS figure are left out; per-dollar columns are empty where no price is sourced, and
    the low/high per-dollar values come from the high/low ends of the price range."""
    out = acc.assign(tflops=acc["fp8_dense_tflops"].fillna(acc["bf16_dense_tflops"]),
                     precision=acc["fp8_dense_tflops"].notna().map({True: "FP8", False: "BF16"}))
    out = out[out["tflops"].notna()].copy()
    out["tflops_per_kw"] = out["tflops"] / (out["power_w"] / 1000)
    out["tflops_per_kusd"] = out["tflops"] / (out["price_usd"] / 1000)
    out["tflops_per_kusd_low"] = out["tflops"] / (out["price_high_usd"].fillna(out["price_usd"]) / 1000)
    out["tflops_per_kusd_high"] = out["tflops"] / (out["price_low_usd"].fillna(out["price_usd"]) / 1000)
    ids = ["id"] if "id" in out.columns else []  # the stable key to look a chip up by (data.by_id)
    return out[[*ids, "vendor", "chip", "year", "precision", "tflops", "tflops_per_kw", "tflops_per_kusd",
                "tflops_per_kusd_low", "tflops_per_kusd_high"]].reset_index(drop=True)


def weight_bytes_per_step(model: Model, batch: int) -> float:
    """Weight bytes read in one decode step: min(total, batch x active) parameters x bytes per parameter."""
    params = min(model.total_params_b, batch * model.active_params_b) * 1e9
    return params * model.bytes_per_param


def decode_step_seconds(model: Model, batch: int, tflops: float, tb_s: float, n_chips: int = 1,
                        utilization: float = 1.0) -> tuple[float, float]:
    """(compute seconds, memory seconds) of one decode step; the step takes the larger."""
    if not 0 < utilization <= 1:
        raise ValueError(f"utilization must be in (0, 1], got {utilization}")
    flops = 2 * model.active_params_b * 1e9 * batch
    nbytes = weight_bytes_per_step(model, batch) + batch * model.kv_gb_per_sequence * 1e9
    compute = flops / (n_chips * tflops * 1e12 * utilization)
    memory = nbytes / (n_chips * tb_s * 1e12 * utilization)
    return compute, memory


def max_batch(model: Model, memory_gb: float, n_chips: int = 1) -> int:
    """Largest batch whose KV caches fit beside the weights in the group's memory (0 if weights don't fit)."""
    free = memory_gb * n_chips - model.weight_gb
    if free <= 0:
        return 0
    if model.kv_gb_per_sequence == 0:
        return 10**9
    return int(free // model.kv_gb_per_sequence)


def hourly_cost(capex_usd: float, power_w: float, *, years: float, price_per_mwh: float,
                pue: float = 1.0) -> float:
    """USD per hour of one chip: straight-line capex over ``years`` + electricity at the facility (x PUE)."""
    if years <= 0:
        raise ValueError(f"amortisation years must be positive, got {years}")
    return capex_usd / (years * infra.HOURS_PER_YEAR) + power_w / 1e6 * pue * price_per_mwh


def single_stream_tokens_per_s(model: Model, tb_s: float, n_chips: int = 1, utilization: float = 1.0) -> float:
    """Tokens per second one user sees (batch 1, memory-bound): chips' bandwidth / bytes per token.

    ``n_chips`` chips splitting each layer (tensor parallelism) add their bandwidth; chips in a pipeline do
    not (each token still passes every stage in turn), so a pipeline of wafers counts as one."""
    nbytes = weight_bytes_per_step(model, 1) + model.kv_gb_per_sequence * 1e9
    return n_chips * tb_s * 1e12 * utilization / nbytes


def latency_table(acc: pd.DataFrame, model: Model, *, tensor_parallel: int, utilization: float) -> pd.DataFrame:
    """Single-stream tokens/s per chip type: HBM chips split the model over ``tensor_parallel`` chips;
    on-wafer SRAM designs (memory_type 'SRAM') pipeline over wafers, which adds no bandwidth per token."""
    ok = acc.dropna(subset=["memory_tb_s"])
    rows = []
    for r in ok.itertuples():
        n = 1 if r.memory_type == "SRAM" else tensor_parallel
        rows.append({"chip": r.chip, "vendor": r.vendor, "memory_type": r.memory_type, "n_chips": n,
                     "tokens_s_per_user": single_stream_tokens_per_s(model, r.memory_tb_s, n, utilization)})
    return pd.DataFrame(rows)


def delivery_schedule(deals: pd.DataFrame, default_years: int) -> pd.DataFrame:
    """Spread each deal's GW evenly over its delivery years (start..end; a missing end is start + default - 1).

    Input columns: id, chip_vendor, gw, start_year, end_year. Output: id, chip_vendor, year, gw_added."""
    rows = []
    for r in deals.dropna(subset=["gw", "start_year"]).itertuples():
        start = int(r.start_year)
        end = start + default_years - 1 if pd.isna(r.end_year) else int(r.end_year)
        years = range(start, end + 1)
        rows += [{"id": r.id, "chip_vendor": r.chip_vendor, "year": y, "gw_added": r.gw / len(years)} for y in years]
    return pd.DataFrame(rows, columns=["id", "chip_vendor", "year", "gw_added"])


def gw_by_vendor_year(schedule: pd.DataFrame, base: dict[str, float] | None = None,
                      base_year: int | None = None) -> pd.DataFrame:
    """Cumulative GW by chip vendor and year (tidy: year, chip_vendor, gw). ``base`` is an installed base
    {vendor: GW} in ``base_year`` (e.g. the fleet before the deals)."""
    rows = schedule[["year", "chip_vendor", "gw_added"]]
    if base:
        rows = pd.concat([rows, pd.DataFrame({"year": base_year, "chip_vendor": list(base),
                                              "gw_added": list(base.values())})], ignore_index=True)
    add = rows.groupby(["year", "chip_vendor"])["gw_added"].sum().unstack(fill_value=0.0).sort_index()
    return add.cumsum().reset_index().melt(id_vars="year", var_name="chip_vendor", value_name="gw")


def non_nvidia_share(cum: pd.DataFrame) -> pd.Series:
    """Share (0-1) of cumulative GW per year whose chips are not Nvidia's."""
    total = cum.groupby("year")["gw"].sum()
    other = cum[cum["chip_vendor"] != "Nvidia"].groupby("year")["gw"].sum()
    return (other.reindex(total.index, fill_value=0.0) / total).rename("non_nvidia_share")


def vendor_revenue_at_share(nvidia_revenue: float, share_now: float, share_then: float,
                            market_growth: float = 1.0) -> dict[str, float]:
    """Market implied by Nvidia's revenue at ``share_now``; revenue of Nvidia and of the others at ``share_then``
    after the market grows ``market_growth``-fold. Shares in [0, 1]."""
    if not (0 < share_now <= 1 and 0 <= share_then <= 1):
        raise ValueError("shares must be in (0, 1]")
    market = nvidia_revenue / share_now
    future = market * market_growth
    return {"market_now": market, "others_now": market - nvidia_revenue, "market_then": future,
            "nvidia_then": future * share_then, "others_then": future * (1 - share_then)}


# -- serving systems: precision, scale-up domain, memory, prefill and decode ------------------------------------
@dataclass(frozen=True)
class TokenMix:
    """Tokens of one request: prompt (prefill), visible output and hidden reasoning (both decoded)."""

    input_tokens: int
    output_tokens: int
    reasoning_tokens: int = 0

    @property
    def decode_tokens(self) -> int:
        return self.output_tokens + self.reasoning_tokens

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.decode_tokens

    @property
    def mean_context(self) -> int:
        """Context held on average while decoding: the prompt plus half the decoded tokens."""
        return int(self.input_tokens + self.decode_tokens / 2)


def serving_table(acc: pd.DataFrame, systems: pd.DataFrame, *, fp4: bool = True,
                  server_overhead: float | None = None) -> pd.DataFrame:
    """One row per serving system with what the model needs: precision (FP4 where the chip has an FP4 rate
    and ``fp4``, else FP8), its dense TFLOPS and weight bytes, memory, bandwidth, scale-up domain and link
    speeds, and IT kW per accelerator (system power / accelerators; where a system's power is not published,
    chip power x ``server_overhead``, the system/chip power ratio of a comparable server, and kw_basis says so).
    Systems whose chip has no FP8 rate, bandwidth or memory figure are left out."""
    cols = ["id", "vendor", "chip", "fp8_dense_tflops", "memory_gb", "memory_tb_s", "power_w"]
    t = systems.merge(acc[cols].rename(columns={"id": "accelerator_id"}), on="accelerator_id", how="left")
    t = t.dropna(subset=["fp8_dense_tflops", "memory_gb", "memory_tb_s"]).copy()
    use4 = fp4 & t["fp4_dense_tflops"].notna()
    t["precision"] = use4.map({True: "FP4", False: "FP8"})
    t["tflops"] = t["fp4_dense_tflops"].where(use4, t["fp8_dense_tflops"])
    t["bytes_per_param"] = t["precision"].map(PRECISION_BYTES)
    has_kw = t["system_it_kw"].notna()
    derived = t["power_w"] / 1000 * (server_overhead if server_overhead else math.nan)
    t["kw_per_accelerator"] = (t["system_it_kw"] / t["accelerators_per_system"]).where(has_kw, derived)
    t["kw_basis"] = has_kw.map({True: "system power", False: "chip power x server overhead"})
    return t.reset_index(drop=True)


def comm_seconds(model: Model, batch: int, n_chips: int, link_gb_s: float, utilization: float = 1.0) -> float:
    """Seconds one decode step spends exchanging activations: each token sends (n-1)/n of its
    ``comm_bytes_per_token`` to other chips, over each chip's one-way link of ``link_gb_s``."""
    if n_chips <= 1 or model.comm_bytes_per_token == 0:
        return 0.0
    nbytes = batch * model.comm_bytes_per_token * (n_chips - 1) / n_chips
    return nbytes / (n_chips * link_gb_s * 1e9 * utilization)


def _step(model: Model, batch: int, n: int, row, utilization: float) -> tuple[float, float, float]:
    """(compute, memory, interconnect) seconds of a decode step: weights at the system's precision, attention
    over the context at the FP8 rate, links at one-way scale-up speed inside the domain, scale-out beyond."""
    link = row.scale_up_gb_s / 2 if n <= row.scale_up_domain else row.scale_out_gb_s
    comp, mem = decode_step_seconds(model, batch, row.tflops, row.memory_tb_s, n, utilization)
    attn = batch * model.attn_flops_per_context_token * model.context_tokens
    comp += attn / (n * row.fp8_dense_tflops * 1e12 * utilization)
    return comp, mem, comm_seconds(model, batch, n, link, utilization)


def _largest_batch(model: Model, n: int, row, utilization: float, max_step: float, cap: int) -> int:
    """Largest batch (<= cap) whose decode step takes at most ``max_step`` seconds (0 if none)."""
    if max(_step(model, 1, n, row, utilization)) > max_step:
        return 0
    lo, hi = 1, cap
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if max(_step(model, mid, n, row, utilization)) <= max_step else (lo, mid - 1)
    return lo


def operating_point(model: Model, row, *, min_user_tps: float, utilization: float,
                    max_group: int = 128) -> dict | None:
    """The decode operating point with the most output tokens per second per chip such that every user gets
    at least ``min_user_tps``: over serving groups of 1, 2, 4, ... chips and the scale-up domain (up to
    ``max_group``), the largest batch that fits in memory and meets the speed. ``row``: a row of
    :func:`serving_table` (with ``model.bytes_per_param`` at its precision). None if no group can."""
    if min_user_tps <= 0:
        raise ValueError("min_user_tps must be positive")
    sizes = {2**k for k in range(12) if 2**k <= max_group}
    if row.scale_up_domain <= max_group:
        sizes.add(int(row.scale_up_domain))
    best = None
    for n in sorted(sizes):
        cap = min(max_batch(model, row.memory_gb, n), 1_000_000)
        b = _largest_batch(model, n, row, utilization, 1 / min_user_tps, cap) if cap >= 1 else 0
        if b < 1:
            continue
        parts = _step(model, b, n, row, utilization)
        tps = b / max(parts) / n
        if best is None or tps > best["tokens_s_per_chip"]:
            bound = ("compute", "memory", "interconnect")[parts.index(max(parts))]
            best = {"n_chips": n, "batch": b, "user_tps": 1 / max(parts), "tokens_s_per_chip": tps,
                    "bound": bound, "in_domain": n <= row.scale_up_domain}
    return best


def prefill_tokens_per_s(model: Model, tflops: float, utilization: float) -> float:
    """Prompt tokens a chip reads per second (compute-bound: 2 FLOPs per active parameter per token;
    attention FLOPs left out)."""
    return tflops * 1e12 * utilization / (2 * model.active_params_b * 1e9)


def mix_cost_table(model: Model, serving: pd.DataFrame, mix: TokenMix, usd_per_hour: pd.Series, *,
                   min_user_tps: float, utilization: float, prefill_utilization: float) -> pd.DataFrame:
    """Cost of serving ``mix`` on each system: decode at :func:`operating_point` (context = the mix's mean
    context, weights at the system's precision), prefill compute-bound. ``usd_per_hour``: cost of one
    accelerator per serving hour, indexed by system id (systems without one are left out).

    Columns: id, chip, system, precision, n_chips, batch, bound, user_tps, decode_tps (per chip),
    prefill_tps, usd_per_request, usd_per_mtok (all tokens of the mix), usd_per_mtok_output (decode only),
    usd_per_mtok_input (prefill only)."""
    rows = []
    for r in serving.itertuples():
        if r.id not in usd_per_hour.index or pd.isna(usd_per_hour[r.id]):
            continue
        m = replace(model, context_tokens=mix.mean_context, bytes_per_param=r.bytes_per_param)
        op = operating_point(m, r, min_user_tps=min_user_tps, utilization=utilization)
        if op is None:
            continue
        usd_s = usd_per_hour[r.id] / 3600
        pre = prefill_tokens_per_s(m, r.tflops, prefill_utilization)
        chip_s = mix.input_tokens / pre + mix.decode_tokens / op["tokens_s_per_chip"]
        rows.append({"id": r.id, "chip": r.chip, "vendor": r.vendor, "system": r.system, "precision": r.precision,
                     **op, "decode_tps": op["tokens_s_per_chip"], "prefill_tps": pre,
                     "usd_per_request": chip_s * usd_s,
                     "usd_per_mtok": chip_s * usd_s / mix.total_tokens * 1e6,
                     "usd_per_mtok_output": usd_s / op["tokens_s_per_chip"] * 1e6,
                     "usd_per_mtok_input": usd_s / pre * 1e6})
    return pd.DataFrame(rows)


# -- one price basis ---------------------------------------------------------------------------------------
def _rows(prices: pd.DataFrame, accelerator_id: str, scopes: tuple[str, ...]) -> pd.DataFrame:
    hit = prices[(prices["accelerator_id"] == accelerator_id) & prices["scope"].isin(scopes)]
    return hit.sort_values("date")


def scope_factor(prices: pd.DataFrame, numerator: tuple[str, str], denominator: tuple[str, str]) -> float:
    """Ratio of the newest price of (accelerator id, scope) ``numerator`` to that of ``denominator``, e.g. a
    DGX H100 server share over the H100 chip price; raises if either is missing."""
    out = []
    for acc_id, scope in (numerator, denominator):
        rows = _rows(prices, acc_id, (scope,))
        if rows.empty:
            raise ValueError(f"chip_prices: no '{scope}' price for accelerator '{acc_id}' (needed for a factor)")
        out.append(float(rows.iloc[-1]["price_usd"]))
    return out[0] / out[1]


def price_basis(prices: pd.DataFrame, serving: pd.DataFrame, factors: dict[str, float]) -> pd.DataFrame:
    """Each system's accelerator price on one basis: the accelerator's share of its server or rack.

    A chip-price quote ('accelerator' scope) is multiplied by ``factors['server share']`` or
    ``factors['rack share']`` (by system size); where the chip has no chip-price quote, its newest
    server/rack-share quote is used as is. Value = newest quote of the scope used; low/high = the lowest and
    highest of that scope's quotes and ranges. Systems without any quote are left out."""
    rows = []
    for r in serving.itertuples():
        kind = "rack share" if r.accelerators_per_system >= RACK_MIN_ACCELERATORS else "server share"
        q = _rows(prices, r.accelerator_id, ("accelerator",))
        factor = factors[kind] if not q.empty else 1.0
        if q.empty:
            q = _rows(prices, r.accelerator_id, (kind,))
        if q.empty:
            continue
        last = q.iloc[-1]
        lows = pd.concat([q["price_usd"], q["price_low_usd"].dropna()])
        highs = pd.concat([q["price_usd"], q["price_high_usd"].dropna()])
        rows.append({"id": r.id, "chip": r.chip, "vendor": r.vendor, "system": r.system,
                     "stated_scope": last["scope"], "stated_usd": float(last["price_usd"]),
                     "stated_low_usd": float(lows.min()), "stated_high_usd": float(highs.max()), "factor": factor,
                     "system_usd": float(last["price_usd"]) * factor, "system_low_usd": float(lows.min()) * factor,
                     "system_high_usd": float(highs.max()) * factor, "source_id": last["source_id"]})
    return pd.DataFrame(rows)


def system_usd_per_h100e(basis: pd.DataFrame, system_id: str, fp8_tflops: float, h100_fp8_tflops: float) -> dict[str, float]:
    """What a buyer pays per H100-equivalent of FP8 performance for an accelerator in system ``system_id``: its share
    of the server or rack (``system_usd``, ``system_low_usd``, ``system_high_usd`` of :func:`price_basis`) x the
    H100's FP8 rate / the accelerator's (:func:`aicompute.bottomup.usd_per_h100e`): ``value``, ``low``, ``high``."""
    from aicompute.bottomup import usd_per_h100e

    row = basis.set_index("id").loc[system_id]
    cols = {"value": "system_usd", "low": "system_low_usd", "high": "system_high_usd"}
    return {k: usd_per_h100e(float(row[c]), fp8_tflops, h100_fp8_tflops) for k, c in cols.items()}


def allin_table(basis: pd.DataFrame, serving: pd.DataFrame, *, facility_usd_per_kw: float,
                pue: float) -> pd.DataFrame:
    """Adds each accelerator's share of the data centre: facility USD per kW of facility power x its IT kW x
    PUE (facility_usd), and the all-in share (system + facility, with low/high)."""
    kw = serving.set_index("id")["kw_per_accelerator"]
    out = basis.copy()
    out["kw_per_accelerator"] = out["id"].map(kw)
    out["facility_usd"] = facility_usd_per_kw * out["kw_per_accelerator"] * pue
    for sfx in ("", "_low", "_high"):
        out[f"allin{sfx}_usd"] = out[f"system{sfx}_usd"] + out["facility_usd"]
    return out


def owner_hourly_cost(allin: pd.DataFrame, *, life: float, building_life: float, wacc: float | None,
                      price_per_mwh: float, pue: float, opex_share: float, load: float,
                      price: str = "system_usd") -> pd.Series:
    """USD per serving hour of one accelerator owned on the all-in basis (:func:`allin_table`), by system id:
    its annual cost (:func:`aicompute.infra.annual_cost_per_accelerator`) over the hours it serves (``load``
    of the year) -- the break-even rental price at that occupancy. ``price``: which system-share column."""
    return pd.Series({r["id"]: infra.breakeven_rental_price(
        r[price], r["facility_usd"], r["kw_per_accelerator"], life=life, building_life=building_life, wacc=wacc,
        price_per_mwh=price_per_mwh, pue=pue, opex_share=opex_share, occupancy=load) for _, r in allin.iterrows()},
        dtype=float)


def rank_by_basis(costs: dict[str, pd.DataFrame], column: str = "usd_per_mtok_output") -> pd.DataFrame:
    """Each system's ``column`` and rank (1 = cheapest) under each costing, e.g. {"stated quotes x one
    multiplier": table, "one basis": table} from :func:`mix_cost_table`. Tidy: basis, id, chip, value, rank."""
    frames = []
    for basis, t in costs.items():
        f = t[["id", "chip", column]].rename(columns={column: "value"}).assign(basis=basis)
        f["rank"] = f["value"].rank(method="min").astype(int)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)[["basis", "id", "chip", "value", "rank"]]


# -- reconciling with prices -------------------------------------------------------------------------------
def mix_price(api: pd.DataFrame, mix: TokenMix) -> pd.Series:
    """List price per million tokens of ``mix`` for each API price row (input at the input price, visible
    and reasoning tokens at the output price)."""
    usd = api["input_usd_per_mtok"] * mix.input_tokens + api["output_usd_per_mtok"] * mix.decode_tokens
    return usd / mix.total_tokens


def implied_cost_per_mtok(bill_usd_bn: float, tokens_per_minute_bn: float) -> float:
    """USD per million tokens if a year's bill paid for ``tokens_per_minute_bn`` billion tokens a minute."""
    if tokens_per_minute_bn <= 0:
        raise ValueError("tokens_per_minute_bn must be positive")
    return bill_usd_bn * 1e9 / (tokens_per_minute_bn * 1e9 * MINUTES_PER_YEAR) * 1e6


def annual_decline(dates: pd.Series, prices: pd.Series) -> float:
    """Factor by which the price falls per year (10 = tenfold a year): exp(-slope) of a least-squares fit of
    ln(price) on years (days / 365.25). Needs two or more dated prices."""
    d = pd.to_datetime(pd.Series(list(dates)))
    p = pd.Series(list(prices), dtype=float)
    if len(p) < 2 or (p <= 0).any():
        raise ValueError("annual_decline needs at least two positive prices")
    years = (d - d.min()).dt.days / 365.25
    if years.max() == 0:
        raise ValueError("annual_decline needs prices at two or more dates")
    y = p.map(math.log)
    slope = ((years - years.mean()) * (y - y.mean())).sum() / ((years - years.mean()) ** 2).sum()
    return math.exp(-slope)


def inference_bill(*, reported: float | None = None, revenue: float | None = None,
                   gross_margin_pct: float | None = None, nine_month_spend: float | None = None) -> tuple[float, str]:
    """A year's inference bill (USD bn) from the best figure known, and which one it is: the ``reported``
    bill (``"reported"``); else revenue x (1 - adjusted gross margin), the whole cost of revenue, mostly
    inference (``"cost of revenue"``); else a nine-month spend annualised x 12/9 (``"nine months annualised"``)."""
    if reported is not None:
        return reported, "reported"
    if revenue is not None and gross_margin_pct is not None:
        return revenue * (1 - gross_margin_pct / 100), "cost of revenue"
    if nine_month_spend is not None:
        return nine_month_spend * 12 / 9, "nine months annualised"
    raise ValueError("inference_bill: no reported bill, revenue and margin, or nine-month spend")


# -- helpers the chip chapter calls (read evidence -> call -> show) ------------------------------------------
def n_unpublished(acc: pd.DataFrame,
                  columns: tuple[str, ...] = ("bf16_dense_tflops", "fp8_dense_tflops", "memory_tb_s", "power_w")) -> int:
    """Accelerators missing at least one of ``columns`` (a figure their vendor has not published)."""
    return int(acc[list(columns)].isna().any(axis=1).sum())


def server_overhead(systems: pd.DataFrame, acc: pd.DataFrame, system_id: str, accelerator_id: str) -> float:
    """System kW per chip kW: a system's IT power per accelerator over the accelerator's own power."""
    s = systems.set_index("id").loc[system_id]
    return float(s["system_it_kw"] / s["accelerators_per_system"] / (acc.set_index("id").loc[accelerator_id, "power_w"] / 1000))


def cost_by_speed(model: Model, serving: pd.DataFrame, mix: TokenMix, usd_per_hour: pd.Series, speeds: list[float], *,
                  utilization: float, prefill_utilization: float) -> pd.DataFrame:
    """:func:`mix_cost_table` at each required user speed in ``speeds``, stacked, with a ``speed`` column."""
    return pd.concat([mix_cost_table(model, serving, mix, usd_per_hour, min_user_tps=s, utilization=utilization,
                                     prefill_utilization=prefill_utilization).assign(speed=s) for s in speeds])


def best_rack_and_server(cost: pd.Series, systems: pd.DataFrame) -> tuple[float, float]:
    """The lowest ``cost`` (indexed by system id) among racks (a scale-up domain of at least
    :data:`RACK_MIN_ACCELERATORS`) and among servers (smaller domains): (rack, server)."""
    domain = cost.index.map(systems.set_index("id")["scale_up_domain"])
    rack = domain >= RACK_MIN_ACCELERATORS
    return float(cost[rack].min()), float(cost[~rack].min())


def legacy_hourly_cost(allin: pd.DataFrame, serving: pd.DataFrame, multiplier: float, *, years: float,
                       price_per_mwh: float, pue: float, load: float) -> pd.Series:
    """The costing before one price basis: every stated quote x one all-in ``multiplier``, written off
    straight-line over ``years`` at chip power, per serving hour (``load`` of the year); by system id."""
    power = allin["id"].map(serving.set_index("id")["power_w"])
    return pd.Series([hourly_cost(q * multiplier, w, years=years, price_per_mwh=price_per_mwh, pue=pue) / load
                      for q, w in zip(allin["stated_usd"], power)], index=allin["id"])


def renter_costs(costs: pd.DataFrame, serving: pd.DataFrame, usd_per_hour: pd.Series, rentals: pd.DataFrame) -> pd.DataFrame:
    """The systems of ``costs`` whose accelerator has observed rental prices, priced at the median rental
    price instead of the owner's hourly cost: adds ``rent`` (median USD per GPU-hour), ``ratio`` (rent over
    the owner's hourly cost) and ``usd`` (cost per million tokens of the request at that rent)."""
    median = rentals.groupby("accelerator_id")["usd_per_gpu_hour"].median()
    accel = costs["id"].map(serving.set_index("id")["accelerator_id"])
    out = costs[accel.isin(median.index)].copy()
    out["rent"] = accel[out.index].map(median)
    out["ratio"] = out["rent"] / out["id"].map(usd_per_hour)
    out["usd"] = out["usd_per_mtok"] * out["rent"] / out["id"].map(usd_per_hour)
    return out


def list_price_series(api: pd.DataFrame, provider: str, model_class: str, series: str) -> pd.DataFrame:
    """One provider's list prices for a model class over time, as a price series (date, series,
    usd_per_mtok = mean of input and output price, source_id), oldest first."""
    rows = api[(api["provider"] == provider) & (api["model_class"] == model_class)].sort_values("date")
    return rows.assign(series=series, usd_per_mtok=(rows["input_usd_per_mtok"] + rows["output_usd_per_mtok"]) / 2)[
        ["date", "series", "usd_per_mtok", "source_id"]]
