"""ev.latest(series=..., period=...): the newest reading of a series, so a new reading is a data-only change."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import numpy as np
import pytest

from aicompute import data, finance
from aicompute.evidence import NotYetPublished


def _append(path: Path, row: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        fields = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=fields, lineterminator="\n").writerow({k: row.get(k, "") for k in fields})


@pytest.fixture()
def pkg_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(data.data_dir(), dest)
    return dest


def _claim(cid: str, series: str, period: str, value: str, as_of: str, source: str, unit: str = "USD bn") -> dict:
    return {"id": cid, "chapter": "finance", "statement": f"Test reading {cid}.", "value": value, "unit": unit,
            "as_of": as_of, "source_id": source, "basis": "company statement", "series": series, "period": period}


def test_series_picks_latest_period_then_latest_vintage(pkg_copy: Path) -> None:
    _append(pkg_copy / "sources.csv", {"id": "test_src_2026_08", "title": "Test release", "publisher": "Test",
                                       "date": "2026-08-20", "url": "https://example.com/t", "type": "company",
                                       "accessed": "2026-11-28"})
    # a later period (Q2 FY27) and a later vintage of the same period (a revised 2026 guidance)
    _append(pkg_copy / "claims.csv", _claim("test_nv_dc_q2", "nvidia_dc_revenue_quarter", "2026-05-01", "90",
                                            "2026-07-26", "test_src_2026_08"))
    _append(pkg_copy / "claims.csv", _claim("test_big4_aug", "big4_capex_guidance", "2026-01-01", "750",
                                            "2026-08-20", "test_src_2026_08"))
    before, after = data.evidence("2026-08-19", folder=pkg_copy), data.evidence("2026-08-20", folder=pkg_copy)
    assert before.latest(series="nvidia_dc_revenue_quarter").id != "test_nv_dc_q2"
    assert after.latest(series="nvidia_dc_revenue_quarter").id == "test_nv_dc_q2"
    assert after.latest(series="big4_capex_guidance", period=2026).value == 750
    # the library's own reading follows with no code edit
    assert finance.big4_capex_2026(after)["claim"].id == "test_big4_aug"
    assert finance.big4_capex_2026(before)["claim"].id != "test_big4_aug"


def test_series_query_by_hand(pkg_copy: Path) -> None:
    _append(pkg_copy / "sources.csv", {"id": "t_a", "title": "A", "publisher": "P", "date": "2026-03-01",
                                       "url": "https://example.com/a", "type": "company", "accessed": "2026-11-28"})
    _append(pkg_copy / "sources.csv", {"id": "t_b", "title": "B", "publisher": "P", "date": "2026-05-01",
                                       "url": "https://example.com/b", "type": "company", "accessed": "2026-11-28"})
    rows = [_claim("t_x_jan", "t_x", "2026-01-01", "1", "2026-01-31", "t_a"),   # published 2026-03-01
            _claim("t_x_feb", "t_x", "2026-02-01", "2", "2026-02-28", "t_a"),   # published 2026-03-01
            _claim("t_x_jan_rev", "t_x", "2026-01-01", "3", "2026-01-31", "t_b")]  # a revision, 2026-05-01
    for r in rows:
        _append(pkg_copy / "claims.csv", r)
    ev = data.evidence("2026-06-01", folder=pkg_copy)
    assert ev.latest(series="t_x").id == "t_x_feb"                    # latest period wins over a later vintage
    assert ev.latest(series="t_x", period="2026-01-01").id == "t_x_jan_rev"  # newest vintage of January
    assert data.evidence("2026-04-01", folder=pkg_copy).latest(series="t_x", period="2026-01-01").id == "t_x_jan"
    assert list(ev.series("t_x")["id"]) == ["t_x_jan", "t_x_jan_rev", "t_x_feb"]
    with pytest.raises(NotYetPublished):
        data.evidence("2026-02-01", folder=pkg_copy).latest(series="t_x")
    assert data.evidence("2026-02-01", folder=pkg_copy).latest(series="t_x", default=None) is None
    with pytest.raises(data.DataError, match="no claim of series 't_y'"):
        ev.latest(series="t_y")
    with pytest.raises(TypeError):
        ev.latest("t_x_jan", series="t_x")
    # two readings that cannot be ordered are a data error, not a silent pick
    _append(pkg_copy / "claims.csv", _claim("t_x_feb_twin", "t_x", "2026-02-01", "5", "2026-02-28", "t_a"))
    with pytest.raises(data.DataError, match="share period"):
        data.evidence("2026-06-01", folder=pkg_copy).latest(series="t_x")


def test_a_new_openai_projection_is_a_data_row(pkg_copy: Path) -> None:
    """Chapter 03's plan (finance.openai_plan) and subscriber base (finance.paying_users) read series: a newer
    projection or count changes what they return with no code edit."""
    _append(pkg_copy / "sources.csv", {"id": "test_src_2026_08", "title": "Test projections", "publisher": "Test",
                                       "date": "2026-08-20", "url": "https://example.com/p", "type": "company",
                                       "accessed": "2026-11-28"})
    new = [_claim("test_rev_2030", "openai_revenue_projection", "2030-01-01", "320", "2026-08-20", "test_src_2026_08"),
           _claim("test_burn_2026", "openai_burn_projection", "2026-01-01", "30", "2026-08-20", "test_src_2026_08"),
           _claim("test_subs", "chatgpt_paying_subscribers", "2026-07-01", "60", "2026-07-31", "test_src_2026_08", "count M"),
           _claim("test_users", "chatgpt_weekly_users", "2026-07-01", "1000", "2026-07-31", "test_src_2026_08", "count M")]
    for row in new:
        _append(pkg_copy / "claims.csv", row)
    before, after = data.evidence("2026-08-19", folder=pkg_copy), data.evidence("2026-08-20", folder=pkg_copy)
    years = range(2026, 2031)
    old, plan = finance.openai_plan(before, years, 13.1), finance.openai_plan(after, years, 13.1)
    assert old["revenue"][2030] == 280 and plan["revenue"][2030] == 320  # the February 2026 plan, then the new row
    assert old["burn"][2026] == 25 and plan["burn"][2026] == 30
    # the years between known points follow by constant growth: 62 (2027) to 320 (2030) over three years
    assert plan["revenue"][2028] == pytest.approx(62 * (320 / 62) ** (1 / 3))
    assert plan["burn"][2030] == -39  # a projected positive cash flow is a negative burn
    subs, users = finance.paying_users(after)
    assert (subs.id, users.id) == ("test_subs", "test_users")
    assert [c.id for c in finance.paying_users(before)] == ["chatgpt_paying_subscribers_2026_02", "chatgpt_weekly_users"]


def test_openai_plan_before_a_compute_plan_uses_the_older_projections() -> None:
    # September 2025 projections: 2030 revenue 200, burn 17/35/45 for 2026-2028 and 115 for 2025-2029 with 9 in
    # 2025, so 2029 = 115 - 9 - (17 + 35 + 45) = 9; no compute total yet, no 2030 figure
    plan = finance.openai_plan(data.evidence("2026-01-15"), range(2026, 2031), 13.0)
    assert plan["compute"] is None and plan["revenue"][2030] == 200
    assert plan["burn"].loc[:2029].tolist() == [17, 35, 45, 9] and np.isnan(plan["burn"][2030])
    assert plan["revenue"][2026] == pytest.approx(13.0 * (200 / 13.0) ** (1 / 5))


#: The series chapter 04 reads by query (no claim id in the notebook): {series: (period, unit, a new reading)}.
BUBBLE_SERIES = {"nvidia_h100e_stock": (None, "count M", 6), "cowos_capacity_year_end": (2026, "count k", 130),
                 "memory_share_of_chip_growth": (2026, "percent", 70), "hyperscaler_capex_to_ocf_year": (2026, "percent", 95)}


def test_a_new_reading_of_a_bubble_series_is_a_data_row(pkg_copy: Path) -> None:
    # before JPMorgan's January 2026 note, its September 2025 forecast of end-2026 CoWoS capacity (95k) is the reading
    assert data.evidence("2025-12-31", folder=pkg_copy).latest(series="cowos_capacity_year_end", period=2026).value == 95
    assert data.evidence("2026-02-01", folder=pkg_copy).latest(series="cowos_capacity_year_end", period=2026).value == 115
    _append(pkg_copy / "sources.csv", {"id": "test_src_2026_08", "title": "Test note", "publisher": "Test",
                                       "date": "2026-08-20", "url": "https://example.com/t", "type": "analyst",
                                       "accessed": "2026-11-28"})
    for i, (series, (period, unit, new)) in enumerate(BUBBLE_SERIES.items()):
        _append(pkg_copy / "claims.csv", {**_claim(f"test_new_{i}", series, f"{period or 2026}-01-01", str(new),
                                                   "2026-08-20", "test_src_2026_08", unit), "chapter": "bubble"})
    before, after = data.evidence("2026-08-19", folder=pkg_copy), data.evidence("2026-08-20", folder=pkg_copy)
    for series, (period, _unit, new) in BUBBLE_SERIES.items():
        assert before.latest(series=series, period=period).value != new
        assert after.latest(series=series, period=period).value == new
