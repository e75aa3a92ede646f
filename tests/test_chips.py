"""Accelerator economics and the roofline inference cost model, checked against hand arithmetic."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aicompute import chips, data

# A dense 70B model in BF16 with no KV traffic: 140 GB of weights, 1.4e11 FLOPs per token.
DENSE70 = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=2, context_tokens=0)
H100 = {"tflops": 989.0, "tb_s": 3.35}


def test_perf_per_watt_and_dollar() -> None:
    # H100: 989 TFLOPS / 0.7 kW = 1,412.9 TFLOPS per kW
    assert chips.tflops_per_kw(989, 700) == pytest.approx(1412.857, rel=1e-6)
    # 989 TFLOPS / ($30,000 / 1,000) = 32.97 TFLOPS per $1,000
    assert chips.tflops_per_kusd(989, 30_000) == pytest.approx(32.9667, rel=1e-5)
    with pytest.raises(ValueError):
        chips.tflops_per_kw(1, 0)


def test_efficiency_table_uses_fp8_else_bf16_and_price_ranges() -> None:
    acc = _acc().assign(year=2024)
    acc.loc[0, "fp8_dense_tflops"] = 1979.0
    t = chips.efficiency_table(acc)
    assert list(t["chip"]) == ["A"]  # the wafer publishes no dense FLOPS: left out
    row = t.iloc[0]
    # 1,979 / 0.7 kW = 2,827.1 TFLOPS/kW; 1,979 / 30 = 65.97 per $1,000; range 1,979/35 = 56.54 to 1,979/25 = 79.16
    assert row["precision"] == "FP8"
    assert row["tflops_per_kw"] == pytest.approx(2827.14, rel=1e-5)
    assert row["tflops_per_kusd"] == pytest.approx(65.9667, rel=1e-5)
    assert (row["tflops_per_kusd_low"], row["tflops_per_kusd_high"]) == pytest.approx((56.5429, 79.16), rel=1e-5)


def test_decode_batch_one_is_memory_bound() -> None:
    comp, mem = chips.decode_step_seconds(DENSE70, 1, **H100)
    # compute: 2 x 70e9 = 1.4e11 FLOP / 989e12 FLOP/s = 1.41557e-4 s
    assert comp == pytest.approx(1.4e11 / 989e12)
    # memory: 140e9 B / 3.35e12 B/s = 0.0417910 s  -> 23.93 tokens/s
    assert mem == pytest.approx(0.0417910, rel=1e-5)
    assert chips.tokens_per_second(DENSE70, 1, **H100) == pytest.approx(23.9286, rel=1e-4)


def test_ridge_batch_is_where_compute_catches_up() -> None:
    # ridge = 989 / 3.35 x 2 bytes / 2 = 295.22 sequences
    ridge = chips.ridge_batch(989, 3.35, 2)
    assert ridge == pytest.approx(295.224, rel=1e-5)
    below = chips.decode_step_seconds(DENSE70, 290, **H100)
    above = chips.decode_step_seconds(DENSE70, 300, **H100)
    assert below[0] < below[1] and above[0] > above[1]


def test_utilization_and_group_scale_linearly() -> None:
    # Half the utilisation doubles both times; 8 chips divide them by 8.
    c1, m1 = chips.decode_step_seconds(DENSE70, 4, **H100)
    c2, m2 = chips.decode_step_seconds(DENSE70, 4, **H100, utilization=0.5)
    c8, m8 = chips.decode_step_seconds(DENSE70, 4, **H100, n_chips=8)
    assert (c2, m2) == pytest.approx((2 * c1, 2 * m1))
    assert (c8, m8) == pytest.approx((c1 / 8, m1 / 8))
    with pytest.raises(ValueError):
        chips.decode_step_seconds(DENSE70, 1, **H100, utilization=0)


def test_moe_reads_only_the_experts_it_uses() -> None:
    moe = chips.Model(total_params_b=100, active_params_b=10, bytes_per_param=1, context_tokens=0)
    # batch 4: min(100, 4 x 10) = 40e9 params x 1 B = 40 GB; batch 20: capped at all 100 GB
    assert chips.weight_bytes_per_step(moe, 4) == pytest.approx(40e9)
    assert chips.weight_bytes_per_step(moe, 20) == pytest.approx(100e9)


def test_kv_cache_traffic_and_memory_cap() -> None:
    m = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=1, context_tokens=8000,
                    kv_bytes_per_token=327_680)
    # KV per sequence: 8,000 x 327,680 B = 2.62144 GB
    assert m.kv_gb_per_sequence == pytest.approx(2.62144)
    # 8 x 80 GB = 640 GB; minus 70 GB weights = 570 GB / 2.62144 = 217.4 -> 217 sequences
    assert chips.max_batch(m, 80, 8) == 217
    assert chips.max_batch(m, 80, 1) == 3  # (80 - 70) / 2.62 = 3.8
    assert chips.max_batch(chips.Model(200, 200, 1), 80, 1) == 0
    # memory bytes at batch 10: 70e9 + 10 x 2.62144e9 = 96.2144e9 B / 3.35e12 = 0.0287207 s
    _, mem = chips.decode_step_seconds(m, 10, **H100)
    assert mem == pytest.approx(96.2144e9 / 3.35e12)


def test_hourly_cost_and_cost_per_token() -> None:
    # $30,000 over 5 years: 30,000 / 43,800 h = $0.684932/h; 700 W x 1.0 x $100/MWh = $0.07/h
    usd_h = chips.hourly_cost(30_000, 700, years=5, price_per_mwh=100, pue=1.0)
    assert usd_h == pytest.approx(0.754932, rel=1e-6)
    # PUE 1.3 raises only the energy part: 0.684932 + 0.091 = 0.775932
    assert chips.hourly_cost(30_000, 700, years=5, price_per_mwh=100, pue=1.3) == pytest.approx(0.775932, rel=1e-6)
    # batch 256 is still memory-bound (0.036239 s compute < 0.041791 s memory): 256 / 0.041791 = 6,125.7 tok/s
    tps = chips.tokens_per_second(DENSE70, 256, **H100)
    assert tps == pytest.approx(6125.71, rel=1e-4)
    # $0.754932/h / (6,125.71 x 3,600 tok/h) x 1e6 = $0.034233 per million tokens
    assert chips.cost_per_million_tokens(tps, usd_h) == pytest.approx(0.034233, rel=1e-4)
    with pytest.raises(ValueError):
        chips.hourly_cost(1, 1, years=0, price_per_mwh=1)


def test_single_stream_latency_sram_vs_hbm() -> None:
    m = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=1, context_tokens=0)
    # H100 x8 tensor parallel: 8 x 3.35e12 / 70e9 = 382.9 tok/s; one wafer at 21 PB/s: 21e15 / 70e9 = 300,000
    assert chips.single_stream_tokens_per_s(m, 3.35, 8) == pytest.approx(382.857, rel=1e-5)
    assert chips.single_stream_tokens_per_s(m, 21_000, 1) == pytest.approx(300_000)


def _acc() -> pd.DataFrame:
    return pd.DataFrame([
        {"chip": "A", "vendor": "X", "fp8_dense_tflops": 989.0, "bf16_dense_tflops": 989.0, "memory_gb": 80.0,
         "memory_type": "HBM3", "memory_tb_s": 3.35, "power_w": 700.0, "price_usd": 30_000.0,
         "price_low_usd": 25_000.0, "price_high_usd": 35_000.0},
        {"chip": "W", "vendor": "Y", "fp8_dense_tflops": math.nan, "bf16_dense_tflops": math.nan, "memory_gb": 44.0,
         "memory_type": "SRAM", "memory_tb_s": 21_000.0, "power_w": math.nan, "price_usd": math.nan,
         "price_low_usd": math.nan, "price_high_usd": math.nan},
    ])


def test_cost_table_groups_caps_and_ranges() -> None:
    m = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=2, context_tokens=0)
    t = chips.cost_table(_acc(), m, batch=256, utilization=1.0, years=5, price_per_mwh=100, pue=1.0,
                         capex_multiplier=1.0)
    assert list(t["chip"]) == ["A"]  # the wafer has no FLOPS or price: left out, not guessed
    row = t.iloc[0]
    # 140 GB of weights need a group of 2 chips of 80 GB (no KV cache here, so all 256 sequences fit). The
    # group halves the step time (0.041791 / 2 s) and tokens/s per chip = 256 / 0.0208955 / 2 = 6,125.71, as for
    # one chip; the cost is $0.754932/h / (6,125.71 x 3,600) x 1e6 = $0.034233 per million tokens
    assert row["n_chips"] == 2 and row["bound"] == "memory"
    assert row["tokens_s_per_chip"] == pytest.approx(6125.71, rel=1e-4)
    assert row["usd_per_mtok"] == pytest.approx(0.034233, rel=1e-4)
    assert row["usd_per_mtok_low"] < row["usd_per_mtok"] < row["usd_per_mtok_high"]


def test_latency_table_treats_wafers_as_a_pipeline() -> None:
    m = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=1, context_tokens=0)
    t = chips.latency_table(_acc(), m, tensor_parallel=8, utilization=1.0).set_index("chip")
    assert t.loc["A", "n_chips"] == 8 and t.loc["W", "n_chips"] == 1
    assert t.loc["W", "tokens_s_per_user"] / t.loc["A", "tokens_s_per_user"] == pytest.approx(21_000 / (8 * 3.35))


def test_delivery_schedule_and_cumulative_share() -> None:
    deals = pd.DataFrame([
        {"id": "n", "chip_vendor": "Nvidia", "gw": 4.0, "start_year": 2026, "end_year": 2027},
        {"id": "a", "chip_vendor": "AMD", "gw": 3.0, "start_year": 2026, "end_year": None},
    ])
    sched = chips.delivery_schedule(deals, default_years=3)
    # n: 2 GW in 2026 and 2027; a: 1 GW a year 2026-2028 (default 3 years)
    assert sched.groupby("year")["gw_added"].sum().to_dict() == {2026: 3.0, 2027: 3.0, 2028: 1.0}
    cum = chips.gw_by_vendor_year(sched, base={"Nvidia": 1.0}, base_year=2025)
    total = cum.groupby("year")["gw"].sum()
    assert total.to_dict() == {2025: 1.0, 2026: 4.0, 2027: 7.0, 2028: 8.0}
    share = chips.non_nvidia_share(cum)
    # 2026: AMD 1 of 4 GW = 0.25; 2028: AMD 3 of 8 = 0.375
    assert share[2026] == pytest.approx(0.25) and share[2028] == pytest.approx(0.375)


def test_vendor_revenue_at_share_nvidia_80_to_60() -> None:
    # Nvidia FY2026 data-centre revenue 193.7 at an 80% share -> market 242.125; others 48.425.
    r = chips.vendor_revenue_at_share(193.7, 0.8, 0.6, market_growth=1.0)
    assert r["market_now"] == pytest.approx(242.125)
    assert r["others_now"] == pytest.approx(48.425)
    # at 60% of the same market the others earn 96.85: twice as much
    assert r["others_then"] == pytest.approx(96.85)
    assert r["nvidia_then"] == pytest.approx(145.275)


def test_accelerator_table_specs_match_datasheets() -> None:
    acc = data.load("accelerators").set_index("id")
    # spot checks against vendor datasheets (dense, no sparsity)
    assert acc.loc["nvidia_h100", ["bf16_dense_tflops", "memory_gb", "memory_tb_s", "power_w"]].tolist() == [
        989, 80, 3.35, 700]
    assert acc.loc["google_tpu_v7", "fp8_dense_tflops"] == 4614
    assert acc.loc["amd_mi355x", "memory_gb"] == 288
    # unknowns stay empty: the OpenAI-Broadcom chip has no published spec
    spec_cols = ["bf16_dense_tflops", "fp8_dense_tflops", "memory_gb", "memory_tb_s", "power_w", "price_usd"]
    assert acc.loc["openai_broadcom_asic", spec_cols].isna().all()
    # a price always comes with its source and basis, and low <= price <= high
    priced = acc[acc["price_usd"].notna()]
    assert priced["price_source_id"].notna().all() and priced["price_basis"].notna().all()
    rng = priced.dropna(subset=["price_low_usd", "price_high_usd"])
    assert ((rng["price_low_usd"] <= rng["price_usd"]) & (rng["price_usd"] <= rng["price_high_usd"])).all()
