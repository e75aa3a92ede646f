"""Consistency arithmetic, checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from aicompute import audit


def test_multiple_and_cagr() -> None:
    assert audit.multiple(2, 20) == 10
    # 10x over 2 years: sqrt(10) - 1 = 2.1623 -> 216.2% a year
    assert audit.cagr_pct(2, 20, 2) == pytest.approx(216.2278, rel=1e-5)
    # IEA: 415 -> 945 TWh over 6 years = 14.7% a year (reference-figures 2.2)
    assert audit.cagr_pct(415, 945, 6) == pytest.approx(14.7, abs=0.05)
    with pytest.raises(ValueError):
        audit.cagr_pct(1, 2, 0)


def test_pct_change_tsmc_guidance() -> None:
    # 52/40.9 - 1 = 27.1%; 56/40.9 - 1 = 36.9% (the seed's +27% to +37%)
    assert audit.pct_change(40.9, 52) == pytest.approx(27.14, abs=0.01)
    assert audit.pct_change(40.9, 56) == pytest.approx(36.92, abs=0.01)


def test_growth_window_two_years_not_three() -> None:
    g = audit.growth_check(9.5, 3, 0.2, 1.9, 2023, 2025)
    assert g.actual_multiple == pytest.approx(9.5)
    assert g.actual_years == 2
    assert g.multiple_holds and not g.window_holds
    assert g.actual_cagr_pct == pytest.approx((9.5**0.5 - 1) * 100)  # 208.2%
    assert g.claimed_cagr_pct == pytest.approx((9.5 ** (1 / 3) - 1) * 100)  # 111.8%


def test_sum_check_coreweave() -> None:
    total, ok = audit.sum_check([11.9, 4.0, 6.5], 22.4)
    assert total == pytest.approx(22.4) and ok
    assert not audit.sum_check([11.9, 6.5], 22.4)[1]


def _ledger() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "chapter": ["chips", "chips", "infra", "infra"],
            "statement": ["A", "B", "C", "D"],
            "seed_text": ["x", "y", "z", None],
            "seed_value": [10.0, 10.0, 26.0, None],
            "value": [10.2, 20.0, 30.0, 5.0],
            "low": [None, None, 26.0, None],
            "high": [None, None, 36.0, None],
            "unit": ["GW"] * 4,
            "verdict": ["confirmed", "contradicted", "partly", None],
            "reason": ["r1", "r2", "r3", None],
        }
    )


def test_verdict_counts_and_corrections() -> None:
    counts = audit.verdict_counts(_ledger())
    assert counts[["chapter", "verdict", "count"]].astype({"verdict": str}).values.tolist() == [
        ["chips", "confirmed", 1],
        ["chips", "contradicted", 1],
        ["infra", "partly", 1],
    ]
    fixes = audit.corrections(_ledger(), rel_tol=0.05)
    assert fixes["id"].tolist() == ["b", "c"]  # a is within 5% and confirmed; d is not a seed claim


def test_value_with_range_and_audit_table() -> None:
    assert audit.value_with_range(54, 52, 56) == "54 (52–56)"
    assert audit.value_with_range(1.2, None, None) == "1.2" and audit.value_with_range(1.2, float("nan"), 1.5) == "1.2"
    assert audit.value_with_range(54, 54, 54) == "54" and audit.value_with_range(1234.5, 1234.5, 1234.5) == "1,235"
    assert audit.value_with_range(float("nan"), None, None) == ""
    t = audit.audit_table(_ledger())
    assert t.columns.tolist() == ["chapter", "claim", "seed says", "sourced value", "verdict", "reason"]
    assert t["sourced value"].tolist() == ["10.2 GW", "20 GW", "30 (26–36) GW"]
