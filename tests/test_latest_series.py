"""ev.latest(series=..., period=...): the newest reading of a series, so a new reading is a data-only change."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

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
