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

Units: TFLOPS (1e12 FLOP/s), TB/s (1e12 B/s), GB (1e9 B), W, USD, USD/MWh, years.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "HOURS_PER_YEAR",
    "Model",
    "cost_per_million_tokens",
    "cost_table",
    "decode_step_seconds",
    "delivery_schedule",
    "efficiency_table",
    "gw_by_vendor_year",
    "hourly_cost",
    "latency_table",
    "max_batch",
    "non_nvidia_share",
    "ridge_batch",
    "single_stream_tokens_per_s",
    "tflops_per_kusd",
    "tflops_per_kw",
    "tokens_per_second",
    "vendor_revenue_at_share",
    "weight_bytes_per_step",
]

HOURS_PER_YEAR = 8760.0


@dataclass(frozen=True)
class Model:
    """A served language model. Parameters in billions; ``kv_bytes_per_token`` is the KV cache per context
    token over all layers (e.g. 80 layers x 8 KV heads x 128 dims x 2 (K and V) x 2 bytes = 327,680 B)."""

    total_params_b: float
    active_params_b: float
    bytes_per_param: float = 1.0
    context_tokens: int = 8000
    kv_bytes_per_token: float = 327_680.0

    @property
    def weight_gb(self) -> float:
        return self.total_params_b * self.bytes_per_param

    @property
    def kv_gb_per_sequence(self) -> float:
        return self.context_tokens * self.kv_bytes_per_token / 1e9


def tflops_per_kw(tflops: float, power_w: float) -> float:
    """Peak TFLOPS per kW of power (H100: 989 / 0.7 = 1,413)."""
    if power_w <= 0:
        raise ValueError(f"power must be positive, got {power_w}")
    return tflops / (power_w / 1000)


def tflops_per_kusd(tflops: float, price_usd: float) -> float:
    """Peak TFLOPS per 1,000 USD of chip price."""
    if price_usd <= 0:
        raise ValueError(f"price must be positive, got {price_usd}")
    return tflops / (price_usd / 1000)


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
    return out[["vendor", "chip", "year", "precision", "tflops", "tflops_per_kw", "tflops_per_kusd",
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


def ridge_batch(tflops: float, tb_s: float, bytes_per_param: float) -> float:
    """Batch at which a dense model without KV traffic turns compute-bound: (FLOP/s / B/s) x bytes / 2."""
    return tflops / tb_s * bytes_per_param / 2


def max_batch(model: Model, memory_gb: float, n_chips: int = 1) -> int:
    """Largest batch whose KV caches fit beside the weights in the group's memory (0 if weights don't fit)."""
    free = memory_gb * n_chips - model.weight_gb
    if free <= 0:
        return 0
    if model.kv_gb_per_sequence == 0:
        return 10**9
    return int(free // model.kv_gb_per_sequence)


def tokens_per_second(model: Model, batch: int, tflops: float, tb_s: float, n_chips: int = 1,
                      utilization: float = 1.0) -> float:
    """Output tokens per second of the whole serving group at this batch (roofline bound)."""
    return batch / max(decode_step_seconds(model, batch, tflops, tb_s, n_chips, utilization))


def hourly_cost(capex_usd: float, power_w: float, *, years: float, price_per_mwh: float,
                pue: float = 1.0) -> float:
    """USD per hour of one chip: straight-line capex over ``years`` + electricity at the facility (x PUE)."""
    if years <= 0:
        raise ValueError(f"amortisation years must be positive, got {years}")
    return capex_usd / (years * HOURS_PER_YEAR) + power_w / 1e6 * pue * price_per_mwh


def cost_per_million_tokens(tokens_per_s: float, usd_per_hour: float) -> float:
    """USD per million output tokens for a chip (group) producing ``tokens_per_s`` at ``usd_per_hour``."""
    if tokens_per_s <= 0:
        raise ValueError("tokens_per_s must be positive")
    return usd_per_hour / (tokens_per_s * 3600) * 1e6


def single_stream_tokens_per_s(model: Model, tb_s: float, n_chips: int = 1, utilization: float = 1.0) -> float:
    """Tokens per second one user sees (batch 1, memory-bound): chips' bandwidth / bytes per token.

    ``n_chips`` chips splitting each layer (tensor parallelism) add their bandwidth; chips in a pipeline do
    not (each token still passes every stage in turn), so a pipeline of wafers counts as one."""
    nbytes = weight_bytes_per_step(model, 1) + model.kv_gb_per_sequence * 1e9
    return n_chips * tb_s * 1e12 * utilization / nbytes


def _group_size(model: Model, memory_gb: float, batch: int) -> int:
    """Smallest power-of-two group whose memory holds the weights and one batch's KV caches (max 64)."""
    n = 1
    while n < 64 and memory_gb * n < model.weight_gb + batch * model.kv_gb_per_sequence:
        n *= 2
    return n


def cost_table(acc: pd.DataFrame, model: Model, *, batch: int, utilization: float, years: float,
               price_per_mwh: float, pue: float, capex_multiplier: float, fp8: bool = True) -> pd.DataFrame:
    """Cost per million output tokens for every accelerator with a FLOPS, bandwidth, power and price figure.

    Each chip serves from the smallest group that holds the model; the batch is capped by memory. Capex per
    chip = price x ``capex_multiplier`` (the all-in data-centre cost per chip over the chip price). Columns:
    chip, n_chips, batch, bound, tokens_s_per_chip, usd_per_mtok (mid), usd_per_mtok_low/high (price range).
    """
    col = "fp8_dense_tflops" if fp8 else "bf16_dense_tflops"
    ok = acc.dropna(subset=[col, "memory_tb_s", "power_w", "price_usd", "memory_gb"])
    rows = []
    for r in ok.itertuples():
        n = _group_size(model, r.memory_gb, batch)
        b = max(1, min(batch, max_batch(model, r.memory_gb, n)))
        comp, mem = decode_step_seconds(model, b, getattr(r, col), r.memory_tb_s, n, utilization)
        tps = b / max(comp, mem) / n
        cost = {k: cost_per_million_tokens(tps, hourly_cost(p * capex_multiplier, r.power_w, years=years,
                                                            price_per_mwh=price_per_mwh, pue=pue))
                for k, p in (("mid", r.price_usd), ("low", _or(r.price_low_usd, r.price_usd)),
                             ("high", _or(r.price_high_usd, r.price_usd)))}
        rows.append({"chip": r.chip, "vendor": r.vendor, "n_chips": n, "batch": b,
                     "bound": "compute" if comp >= mem else "memory", "tokens_s_per_chip": tps,
                     "usd_per_mtok": cost["mid"], "usd_per_mtok_low": cost["low"], "usd_per_mtok_high": cost["high"]})
    return pd.DataFrame(rows)


def _or(x: float, default: float) -> float:
    return default if pd.isna(x) else x


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
