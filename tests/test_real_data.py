"""The committed data package: valid (ours and frictionless), complete and internally consistent."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicompute import audit, data, infra

ROOT = Path(__file__).resolve().parents[1]


def test_package_is_valid_by_our_loader() -> None:
    counts = data.validate_package()
    assert counts["sources"] >= 50 and counts["claims"] >= 120


def test_package_is_valid_frictionless() -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(ROOT / "data" / "datapackage.json"))
    errors = [str(e) for task in report.tasks for e in task.errors]
    assert report.valid, errors[:5]


def test_every_source_is_cited_and_every_seed_claim_has_a_verdict() -> None:
    claims, sources = data.load("claims"), data.load("sources")
    cited = set(claims["source_id"])
    for name in data.resources():  # chapter datasets cite sources too (source_id, price_source_id, ...)
        table = data.load(name)
        for col in [c for c in table.columns if c.endswith("source_id")] if name not in ("claims", "sources") else []:
            cited |= set(table[col].dropna())
    assert set(sources["id"]) == cited, f"uncited sources: {sorted(set(sources['id']) - cited)}"
    seed = claims[claims["seed_text"].notna()]
    assert len(seed) >= 55  # seed-figures.md lists about 60 figures and dated claims
    assert seed["verdict"].notna().all() and seed["reason"].notna().all()
    assert "seed_article" in set(sources["id"])


def test_seed_arithmetic_reproduced() -> None:
    v = {r.id: r.value for r in data.load("claims").itertuples()}
    # CoreWeave: 11.9 + 4.0 + 6.5 = 22.4 USD bn
    assert audit.sum_check([v["coreweave_openai_contract_mar2025"], v["coreweave_openai_contract_may2025"],
                            v["coreweave_openai_contract_sep2025"]], v["coreweave_openai_contracts_total"])[1]
    # OpenAI compute 0.2 -> 1.9 GW = 9.5x, revenue 2 -> 20 = 10x
    assert v["openai_compute_gw_2025"] / v["openai_compute_gw_2023"] == pytest.approx(9.5)
    assert v["openai_arr_2025"] / v["openai_arr_2023"] == pytest.approx(10)
    # Abilene: 8 buildings x 50,000 GPUs = 400,000 GPUs on 1.2 GW -> 3 kW per GPU
    assert v["abilene_buildings"] * v["abilene_gb200_per_building"] == 400_000
    assert infra.accelerators_for_power(v["abilene_gw"], 3.0) == pytest.approx(400_000)


def test_seed_values_are_recorded_in_the_claims_unit() -> None:
    seed = data.load("claims").set_index("id")
    assert seed.loc["semis_revenue_2025", "seed_value"] == 700
    assert seed.loc["semis_crash_threshold", "value"] == 400
    assert seed.loc["tsmc_capex_2026", ["low", "high"]].tolist() == [52, 56]
