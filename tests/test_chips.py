"""Accelerator economics and the roofline inference cost model, checked against hand arithmetic."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from aicompute import chips, data

# A dense 70B model in BF16 with no KV traffic: 140 GB of weights, 1.4e11 FLOPs per token.
DENSE70 = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=2, context_tokens=0)
H100 = {"tflops": 989.0, "tb_s": 3.35}


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


def test_ridge_batch_is_where_compute_catches_up() -> None:
    # ridge = 989 / 3.35 x 2 bytes / 2 = 295.22 sequences
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


def test_hourly_cost() -> None:
    # $30,000 over 5 years: 30,000 / 43,800 h = $0.684932/h; 700 W x 1.0 x $100/MWh = $0.07/h
    usd_h = chips.hourly_cost(30_000, 700, years=5, price_per_mwh=100, pue=1.0)
    assert usd_h == pytest.approx(0.754932, rel=1e-6)
    # PUE 1.3 raises only the energy part: 0.684932 + 0.091 = 0.775932
    assert chips.hourly_cost(30_000, 700, years=5, price_per_mwh=100, pue=1.3) == pytest.approx(0.775932, rel=1e-6)
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


def _system(**kw) -> pd.Series:
    row = {"id": "s", "chip": "A", "vendor": "X", "system": "S", "accelerator_id": "a", "tflops": 989.0,
           "fp8_dense_tflops": 989.0, "memory_tb_s": 3.35, "memory_gb": 80.0, "scale_up_domain": 8,
           "scale_up_gb_s": 900.0, "scale_out_gb_s": 50.0, "bytes_per_param": 1.0, "precision": "FP8",
           "accelerators_per_system": 8}
    row.update(kw)
    return pd.Series(row)


def test_comm_seconds_by_hand() -> None:
    m = chips.Model(total_params_b=100, active_params_b=10, comm_bytes_per_token=7e6)
    # 100 tokens x 7 MB x 7/8 leave the chip = 6.125e8 B over 8 chips x 450 GB/s one way = 1.7014e-4 s
    assert chips.comm_seconds(m, 100, 8, 450) == pytest.approx(6.125e8 / (8 * 450e9))
    assert chips.comm_seconds(m, 100, 1, 450) == 0.0


def test_operating_point_meets_the_user_speed() -> None:
    # Dense 70B at FP8, no KV: memory 70e9 / 3.35e12 = 20.9 ms a step whatever the batch; at 35 tok/s per user a
    # step may take 1/35 = 28.571 ms, so compute caps the batch: b x 1.4e11 / 989e12 <= 0.028571 -> b = 201,
    # i.e. 989e12 / 1.4e11 = 7,064.3 tokens/s per chip (a group of 2 does no better per chip: the first is kept)
    m = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=1, context_tokens=0)
    op = chips.operating_point(m, _system(), min_user_tps=35, utilization=1.0)
    assert (op["n_chips"], op["batch"], op["bound"]) == (1, 201, "compute")
    assert op["tokens_s_per_chip"] == pytest.approx(989e12 / 1.4e11)
    assert op["user_tps"] >= 35
    # 100B of FP8 weights do not fit in 80 GB: the smallest group is 2 chips
    big = chips.Model(total_params_b=100, active_params_b=100, bytes_per_param=1, context_tokens=0)
    assert chips.operating_point(big, _system(), min_user_tps=35, utilization=1.0)["n_chips"] >= 2
    # a speed no group can reach: None
    assert chips.operating_point(m, _system(memory_tb_s=0.1), min_user_tps=1000, utilization=1.0) is None


def test_scale_out_links_slow_groups_beyond_the_domain() -> None:
    # A model needing 16 chips: inside a 72-GPU domain the exchange runs at 900 GB/s one way, beyond an 8-GPU
    # domain at 50 GB/s, so the 8-GPU system serves fewer tokens per chip at the same user speed
    m = chips.Model(total_params_b=1000, active_params_b=40, bytes_per_param=1, context_tokens=4000,
                    kv_bytes_per_token=70_000, comm_bytes_per_token=7e6)
    nvl = chips.operating_point(m, _system(scale_up_domain=72, scale_up_gb_s=1800.0), min_user_tps=50, utilization=0.5,
                                max_group=72)
    hgx = chips.operating_point(m, _system(), min_user_tps=50, utilization=0.5, max_group=72)
    assert nvl["in_domain"] and not hgx["in_domain"]
    assert nvl["tokens_s_per_chip"] > hgx["tokens_s_per_chip"]


def test_prefill_mix_and_list_price() -> None:
    m = chips.Model(total_params_b=600, active_params_b=40)
    # 10,000 TFLOPS x 0.4 / (2 x 40e9) = 50,000 prompt tokens per second
    assert chips.prefill_tokens_per_s(m, 10_000, 0.4) == pytest.approx(50_000)
    mix = chips.TokenMix(4000, 800, 4000)
    assert (mix.decode_tokens, mix.total_tokens, mix.mean_context) == (4800, 8800, 6400)
    api = pd.DataFrame({"input_usd_per_mtok": [5.0], "output_usd_per_mtok": [30.0]})
    # (4,000 x 5 + 4,800 x 30) / 8,800 = 18.636 USD per million tokens of the mix
    assert chips.mix_price(api, mix).iloc[0] == pytest.approx(18.63636, rel=1e-5)


def test_mix_cost_table_by_hand() -> None:
    m = chips.Model(total_params_b=70, active_params_b=70, bytes_per_param=1, kv_bytes_per_token=0)
    serving = pd.DataFrame([_system()])
    mix = chips.TokenMix(1000, 1000, 0)
    t = chips.mix_cost_table(m, serving, mix, pd.Series({"s": 3.6}), min_user_tps=35, utilization=1.0,
                             prefill_utilization=1.0)
    row = t.iloc[0]
    # $3.6/h = $0.001/s; decode 7,064.3 tok/s -> 0.001 / 7,064.3 x 1e6 = $0.141557 per million output tokens
    assert row["usd_per_mtok_output"] == pytest.approx(0.001 / (989e12 / 1.4e11) * 1e6)
    # prefill 989e12 / 1.4e11 tok/s as well (compute-bound), so the mix costs the same per token
    assert row["usd_per_mtok"] == pytest.approx(row["usd_per_mtok_output"])
    assert row["usd_per_request"] == pytest.approx(2000 * 0.001 / (989e12 / 1.4e11))
    # no hourly cost for a system: left out
    assert chips.mix_cost_table(m, serving, mix, pd.Series(dtype=float), min_user_tps=35, utilization=1.0,
                                prefill_utilization=1.0).empty


def _prices() -> pd.DataFrame:
    return pd.DataFrame([
        {"accelerator_id": "a", "date": "2025-01-01", "scope": "accelerator", "price_usd": 10_000.0,
         "price_low_usd": 9_000.0, "price_high_usd": 11_000.0, "source_id": "s1"},
        {"accelerator_id": "a", "date": "2024-01-01", "scope": "server share", "price_usd": 12_500.0,
         "price_low_usd": None, "price_high_usd": None, "source_id": "s0"},
        {"accelerator_id": "b", "date": "2025-01-01", "scope": "rack share", "price_usd": 20_000.0,
         "price_low_usd": None, "price_high_usd": 22_000.0, "source_id": "s2"},
    ])


def test_system_usd_per_h100e_by_hand() -> None:
    # a rack share of 50,000 USD (45,000-55,000) per GPU of 5,000 FP8 TFLOPS, against an H100's 2,000:
    # 50,000 x 2,000 / 5,000 = 20,000 USD per H100e (18,000-22,000)
    basis = pd.DataFrame({"id": ["rack"], "system_usd": [50_000.0], "system_low_usd": [45_000.0], "system_high_usd": [55_000.0]})
    assert chips.system_usd_per_h100e(basis, "rack", 5_000.0, 2_000.0) == {"value": 20_000.0, "low": 18_000.0, "high": 22_000.0}


def test_price_basis_conversion_by_hand() -> None:
    prices = _prices()
    # server factor from a pair of quotes for the same chip: 12,500 / 10,000 = 1.25
    assert chips.scope_factor(prices, ("a", "server share"), ("a", "accelerator")) == pytest.approx(1.25)
    with pytest.raises(ValueError, match="no 'rack share' price"):
        chips.scope_factor(prices, ("a", "rack share"), ("a", "accelerator"))
    serving = pd.DataFrame([_system(id="sa", accelerator_id="a"),
                            _system(id="sb", accelerator_id="b", chip="B", accelerators_per_system=72),
                            _system(id="sc", accelerator_id="c", chip="C")])
    b = chips.price_basis(prices, serving, {"server share": 1.25, "rack share": 1.5}).set_index("id")
    # chip quote 10,000 (9,000-11,000) x 1.25 = 12,500 (11,250-13,750); the rack share is used as quoted
    assert b.loc["sa", "stated_scope"] == "accelerator"
    assert (b.loc["sa", "system_usd"], b.loc["sa", "system_low_usd"], b.loc["sa", "system_high_usd"]) == \
        pytest.approx((12_500, 11_250, 13_750))
    assert (b.loc["sb", "factor"], b.loc["sb", "system_usd"], b.loc["sb", "system_high_usd"]) == (1.0, 20_000, 22_000)
    assert "sc" not in b.index  # no quote: left out, not guessed
    # all-in: + 14,830.5 USD per facility kW x 2 kW x PUE 1.2 = 35,593.2
    serving["kw_per_accelerator"] = 2.0
    a = chips.allin_table(b.reset_index(), serving, facility_usd_per_kw=14_830.5, pue=1.2).set_index("id")
    assert a.loc["sa", "facility_usd"] == pytest.approx(35_593.2)
    assert a.loc["sa", "allin_usd"] == pytest.approx(48_093.2)


def test_rank_by_basis_moves_ranks() -> None:
    old = pd.DataFrame({"id": ["x", "y"], "chip": ["X", "Y"], "usd_per_mtok_output": [1.0, 2.0]})
    new = pd.DataFrame({"id": ["x", "y"], "chip": ["X", "Y"], "usd_per_mtok_output": [3.0, 2.5]})
    r = chips.rank_by_basis({"old": old, "new": new}).set_index(["basis", "id"])["rank"]
    assert (r["old", "x"], r["new", "x"], r["new", "y"]) == (1, 2, 1)


def test_implied_cost_and_annual_decline() -> None:
    # $8.777bn over 6bn tokens a minute x 525,600 minutes = 3.1536e15 tokens -> $2.7832 per million
    assert chips.implied_cost_per_mtok(8.777, 6) == pytest.approx(2.78317, rel=1e-5)
    # a16z: $60 (Nov 2021) -> $0.06 (Nov 2024): 1,000x over 1,096 days = 3.0007 years -> 9.995x a year
    d = pd.Series(["2021-11-01", "2024-11-01"])
    assert chips.annual_decline(d, pd.Series([60.0, 0.06])) == pytest.approx(9.9948, rel=1e-4)
    with pytest.raises(ValueError):
        chips.annual_decline(d[:1], pd.Series([1.0]))


def test_serving_table_precision_and_power() -> None:
    acc = pd.DataFrame([{"id": "a", "vendor": "X", "chip": "A", "fp8_dense_tflops": 5000.0, "memory_gb": 186.0,
                         "memory_tb_s": 8.0, "power_w": 1400.0}])
    systems = pd.DataFrame([
        {"id": "rack", "accelerator_id": "a", "system": "R", "accelerators_per_system": 72, "scale_up_domain": 72,
         "scale_up_gb_s": 1800.0, "scale_out_gb_s": 50.0, "fp4_dense_tflops": 10_000.0, "system_it_kw": 140.0},
        {"id": "srv", "accelerator_id": "a", "system": "S", "accelerators_per_system": 8, "scale_up_domain": 8,
         "scale_up_gb_s": 1800.0, "scale_out_gb_s": 50.0, "fp4_dense_tflops": None, "system_it_kw": None}])
    t = chips.serving_table(acc, systems, fp4=True, server_overhead=1.7875).set_index("id")
    # FP4 where the chip has it: 10,000 TFLOPS at 0.5 B per parameter; else FP8
    assert (t.loc["rack", "precision"], t.loc["rack", "tflops"], t.loc["rack", "bytes_per_param"]) == ("FP4", 10_000, 0.5)
    assert t.loc["srv", "precision"] == "FP8"
    # 140 kW / 72 = 1.9444 kW; unpublished system power: 1.4 kW x 1.7875 = 2.5025 kW
    assert t.loc["rack", "kw_per_accelerator"] == pytest.approx(1.94444, rel=1e-5)
    assert t.loc["srv", "kw_per_accelerator"] == pytest.approx(2.5025)
    assert chips.serving_table(acc, systems, fp4=False).loc[0, "precision"] == "FP8"


def test_owner_hourly_cost_is_the_break_even_rent_at_the_load() -> None:
    # $30,000 system share, $10,000 facility share, 1 kW, 10%, 5/20 years, $100/MWh, PUE 1.25, serving 80% of hours:
    # 9,964.52 USD a year / 7,008 serving hours = $1.42187 per serving hour (as tests/test_infra.py)
    allin = pd.DataFrame([{"id": "s", "system_usd": 30_000.0, "system_low_usd": 27_000.0, "facility_usd": 10_000.0,
                           "kw_per_accelerator": 1.0}])
    kw = dict(life=5, building_life=20, price_per_mwh=100, pue=1.25, opex_share=0.0, load=0.8)
    assert chips.owner_hourly_cost(allin, wacc=0.10, **kw)["s"] == pytest.approx(1.42187, rel=1e-4)
    # the low system price: capital 27,000 x 0.263797 = 7,122.52 + 1,174.60 + 876 = 9,173.12 / 7,008 = 1.30895
    assert chips.owner_hourly_cost(allin, wacc=0.10, price="system_low_usd", **kw)["s"] == pytest.approx(1.30895, rel=1e-4)


def test_chapter_helpers_unpublished_overhead_and_racks() -> None:
    acc = pd.DataFrame({"id": ["a", "b", "c"], "bf16_dense_tflops": [1.0, None, 1.0], "fp8_dense_tflops": [2.0, 2.0, 2.0],
                        "memory_tb_s": [1.0, 1.0, 1.0], "power_w": [1000.0, 1000.0, None]})
    assert chips.n_unpublished(acc) == 2  # b lacks BF16, c lacks power
    systems = pd.DataFrame({"id": ["srv", "rack"], "system_it_kw": [14.3, 132.0], "accelerators_per_system": [8, 72],
                            "scale_up_domain": [8, 72]})
    # 14.3 kW / 8 GPUs = 1.7875 kW per GPU over a 1 kW chip = 1.7875
    assert chips.server_overhead(systems, acc, "srv", "a") == pytest.approx(1.7875)
    # the cheapest rack (domain >= 32) and the cheapest server, whatever the order given
    assert chips.best_rack_and_server(pd.Series({"srv": 3.0, "rack": 2.0}), systems) == (2.0, 3.0)


def test_legacy_cost_renters_and_list_price_series() -> None:
    allin = pd.DataFrame({"id": ["s"], "stated_usd": [30_000.0]})
    serving = pd.DataFrame({"id": ["s"], "power_w": [1000.0], "accelerator_id": ["x"]})
    # 30,000 x 2 over 5 x 8,760 h = 1.36986 USD/h + 1 kW x 1.2 x 80 USD/MWh = 0.096 -> 1.46586, at load 0.5: 2.93173
    legacy = chips.legacy_hourly_cost(allin, serving, 2.0, years=5, price_per_mwh=80, pue=1.2, load=0.5)
    assert legacy["s"] == pytest.approx(2 * (60_000 / 43_800 + 0.096))
    costs = pd.DataFrame({"id": ["s", "t"], "usd_per_mtok": [0.5, 0.7]})
    rentals = pd.DataFrame({"accelerator_id": ["x", "x", "x"], "usd_per_gpu_hour": [2.0, 3.0, 10.0]})
    r = chips.renter_costs(costs, serving, pd.Series({"s": 1.5}), rentals)
    assert r["id"].tolist() == ["s"]  # t has no rental price
    # median rent 3.0 over the owner's 1.5 USD/h = 2x, so 0.5 USD per million tokens becomes 1.0
    assert r[["rent", "ratio", "usd"]].iloc[0].tolist() == pytest.approx([3.0, 2.0, 1.0])
    api = pd.DataFrame({"provider": ["O", "O", "G"], "model_class": ["frontier"] * 3, "date": pd.to_datetime(["2025-06-01", "2024-01-01", "2025-01-01"]),
                        "input_usd_per_mtok": [2.0, 10.0, 1.0], "output_usd_per_mtok": [8.0, 30.0, 1.0], "source_id": ["b", "a", "c"]})
    s = chips.list_price_series(api, "O", "frontier", series="O frontier")
    assert s["usd_per_mtok"].tolist() == [20.0, 5.0] and s["source_id"].tolist() == ["a", "b"]  # oldest first
    assert s.columns.tolist() == ["date", "series", "usd_per_mtok", "source_id"]
