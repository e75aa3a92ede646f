"""aicompute.bubble: scorecard normalisation, weights, ranges, sensitivity and analog helpers (hand-checked)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aicompute import bubble, data

SPEC = (
    bubble.Threshold("up", "higher is hotter", "supply", "%", 0.0, 10.0, "higher", "test"),
    bubble.Threshold("down", "lower is hotter", "demand", "%", 50.0, 10.0, "lower", "test"),
)


def test_normalize_both_directions_and_clipping() -> None:
    assert bubble.normalize(5, 0, 10) == 0.5
    assert bubble.normalize(30, 50, 10) == 0.5
    assert bubble.normalize(-3, 0, 10) == 0 and bubble.normalize(99, 0, 10) == 1
    with pytest.raises(ValueError):
        bubble.normalize(1, 2, 2)


def test_threshold_rejects_contradictory_direction() -> None:
    with pytest.raises(ValueError):
        bubble.Threshold("x", "x", "supply", "%", 10, 0, "higher", "")
    with pytest.raises(ValueError):
        bubble.Threshold("x", "x", "supply", "%", 0, 10, "sideways", "")


def test_scorecard_total_and_weights() -> None:
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC)
    assert card["score"].tolist() == [0.5, 1.0]
    assert bubble.total_score(card) == pytest.approx(75)  # equal weights
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, weights={"up": 3, "down": 1}, spec=SPEC)
    assert card["weight"].tolist() == [0.75, 0.25]
    assert bubble.total_score(card) == pytest.approx(62.5)  # 0.75*50 + 0.25*100
    assert card["contribution"].sum() == pytest.approx(62.5)
    with pytest.raises(ValueError):
        bubble.scorecard({"up": 1.0}, weights={"up": 0}, spec=SPEC)


def test_score_range_uses_the_calm_and_hot_ends() -> None:
    card = bubble.scorecard({"up": (5.0, 2.0, 8.0), "down": (30.0, 20.0, 40.0)}, spec=SPEC)
    # up: 0.2..0.8; down: value 40 -> 0.25, value 20 -> 0.75
    assert card["score_low"].tolist() == pytest.approx([0.2, 0.25])
    assert card["score_high"].tolist() == pytest.approx([0.8, 0.75])
    assert bubble.score_range(card) == pytest.approx((22.5, 77.5))


def test_weight_sensitivity_bounds_and_reproducible() -> None:
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC)
    s = bubble.weight_sensitivity(card, n=500, seed=1)
    assert len(s) == 500 and s.between(50, 100).all()  # any weighting of 0.5 and 1.0
    assert s.equals(bubble.weight_sensitivity(card, n=500, seed=1))


def test_leave_one_out() -> None:
    card = bubble.scorecard({"up": 5.0, "down": 10.0}, spec=SPEC)
    loo = bubble.leave_one_out(card).set_index("dropped")
    assert loo.loc["up", "total"] == pytest.approx(100) and loo.loc["down", "total"] == pytest.approx(50)
    assert loo.loc["down", "change"] == pytest.approx(-25)


def test_band() -> None:
    assert [bubble.band(x) for x in (10, 50, 90)] == ["calm", "elevated", "bubble-like"]


def test_analog_helpers() -> None:
    # $725B of capex on a $30.6T economy = 2.37% of GDP; telecom peak 1.2%
    assert bubble.share_of_gdp(725, 30.6) == pytest.approx(2.369, abs=1e-3)
    assert bubble.capex_to_cash_flow(410, 602.8) == pytest.approx(68.02, abs=0.01)
    # Nasdaq 5,048.62 -> 1,114.11 = -77.9%
    assert bubble.drawdown_pct(5048.62, 1114.11) == pytest.approx(-77.93, abs=0.01)
    assert bubble.multiple_of(840, 25) == pytest.approx(33.6)
    with pytest.raises(ValueError):
        bubble.share_of_gdp(1, 0)
    analogs = pd.DataFrame({"analog": ["telecom_fiber", "railway_us"], "metric": ["capex_share_gdp"] * 2,
                            "year": [2000, 1870], "value": [1.2, 6.0]})
    cmp_ = bubble.analog_comparison({"AI 2026": 2.4}, analogs, "capex_share_gdp").set_index("label")
    assert cmp_.loc["AI 2026", "vs_peak_analog"] == pytest.approx(0.4)


def test_default_scorecard_thresholds_are_consistent() -> None:
    spec = bubble.load_scorecard(data.load("scorecard_thresholds"))
    keys = [t.key for t in spec]
    assert len(keys) == len(set(keys)) >= 8
    assert bubble.total_score(bubble.scorecard({t.key: t.hot for t in spec}, spec=spec)) == pytest.approx(100)
    values = {t.key: t.calm for t in spec}
    assert bubble.total_score(bubble.scorecard(values, spec=spec)) == pytest.approx(0)
    assert np.isclose(bubble.scorecard(values, spec=spec)["weight"].sum(), 1)


def _indicators() -> pd.DataFrame:
    from aicompute import data, finance

    return finance.resolve_claims(data.load("indicators"), data.claims())


def test_inputs_from_data_hand_checked() -> None:
    ind = bubble.known_by(_indicators(), "2026-11-28")
    x = bubble.inputs_from_data(ind, extra={"sequoia_coverage": (3.9, 3.9, 5.0)})
    # 725 / 30.6T = 2.37% of GDP; low 630 / 30.8T = 2.05%; high 725 / 30.0T = 2.42%
    assert x["capex_gdp"] == pytest.approx((2.369, 2.045, 2.417), abs=1e-3)
    # UBS 100% in 2026; 2025 actual 410 / 602.8 = 68.0%
    assert x["capex_ocf"] == pytest.approx((100, 68.02, 100), abs=0.01)
    # OpenAI 840 / 25 = 33.6x (730/25 = 29.2 to 852/25 = 34.1)
    assert x["revenue_multiple"] == pytest.approx((33.6, 29.2, 34.08))
    assert x["zero_roi_share"][0] == 95 and x["sequoia_coverage"] == (3.9, 3.9, 5.0)


def test_inputs_from_data_respect_as_of() -> None:
    early = bubble.inputs_from_data(bubble.known_by(_indicators(), "2026-01-20"))
    # the Feb 2026 valuation and the April 2026 guidance are not yet known
    assert "revenue_multiple" not in early and "capex_ocf" not in early
    assert early["capex_gdp"][0] == pytest.approx(410 / 30.6 / 10)


def test_valuation_multiples() -> None:
    from aicompute import data, finance

    analogs = finance.resolve_claims(data.load("analogs"), data.claims())
    m = bubble.valuation_multiples(bubble.known_by(_indicators(), "2026-11-28"), analogs).set_index("company")
    # Cisco: 550 / 14 = 39.3x (450 / 18.9 = 23.8x to 555 / 12.2 = 45.5x); OpenAI 840 / 25 = 33.6x
    assert m.loc["Cisco, Mar 2000 (peak)"].tolist() == pytest.approx([39.29, 23.81, 45.49], abs=0.01)
    assert m.loc["OpenAI, Feb 2026", "value"] == pytest.approx(33.6)
    early = bubble.valuation_multiples(bubble.known_by(_indicators(), "2026-01-20"), analogs)
    assert early["company"].tolist() == ["Cisco, Mar 2000 (peak)"]
