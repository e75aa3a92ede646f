"""scenarios.start reads its January 2026 levels by series and period (no claim ids): a newer reading of a series
published before the seed is a data row, and one published after the seed leaves the start alone."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest

from aicompute import data
from aicompute.scenarios import model as sm
from aicompute.scenarios import start as st


def _append(path: Path, row: dict[str, str]) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        fields = next(csv.reader(fh))
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.DictWriter(fh, fieldnames=fields, lineterminator="\n").writerow({k: row.get(k, "") for k in fields})


def _source(folder: Path, sid: str, date: str) -> None:
    _append(folder / "sources.csv", {"id": sid, "title": "Test release", "publisher": "Test", "date": date,
                                     "url": "https://example.com/t", "type": "company", "accessed": "2026-11-28"})


def _claim(folder: Path, cid: str, series: str, period: str, value: str, as_of: str, source: str, unit: str) -> None:
    _append(folder / "claims.csv", {"id": cid, "chapter": "scenarios", "statement": f"Test reading {cid}.",
                                    "value": value, "unit": unit, "as_of": as_of, "source_id": source,
                                    "basis": "reported", "series": series, "period": period})


@pytest.fixture()
def pkg(tmp_path: Path) -> Path:
    dest = tmp_path / "data"
    shutil.copytree(data.data_dir(), dest)
    return dest


def test_a_new_quarter_before_the_seed_is_a_data_row(pkg: Path) -> None:
    ev = data.evidence("2026-11-28", folder=pkg)
    assert ev.seed_date.isoformat() == "2026-01-28"
    # Q4 2025 capex (period 2025-10-01), reported before the seed: 130 a quarter, +50% on a year
    _source(pkg, "test_capex_q4_src", "2026-01-20")
    _claim(pkg, "test_capex_q4", "big4_capex_quarter", "2025-10-01", "130", "2025-12-31", "test_capex_q4_src", "USD bn")
    _claim(pkg, "test_capex_q4_yoy", "big4_capex_quarter_yoy", "2025-10-01", "50", "2025-12-31", "test_capex_q4_src", "percent change")
    # and a later quarter published after the seed: evidence, not the start
    _source(pkg, "test_capex_q1_src", "2026-04-30")
    _claim(pkg, "test_capex_q1", "big4_capex_quarter", "2026-01-01", "150", "2026-03-31", "test_capex_q1_src", "USD bn")
    ev = data.evidence("2026-11-28", folder=pkg)
    x = st.start_inputs(ev)
    # the Q4 quarter's middle is mid-November: 1.5 months to the turn of the year
    assert (x["capex_quarter"], x["capex_yoy_pct"], x["capex_months"]) == (130.0, 50.0, 1.5)
    cal = sm.Calibration.from_table(ev.table("scenario_drivers"))
    start = st.start_2026(ev, cal)
    # 4 x 130 = 520 a year, grown 1.5 months at log(1.5) a year: 520 x 1.5 ** (1.5 / 12) = 520 x 1.0520 = 547.0
    assert start.capex == pytest.approx(520 * 1.5 ** (1.5 / 12)) and start.capex == pytest.approx(547.0, abs=0.05)
    assert start.capex_momentum == pytest.approx(math.log(1.5))


def test_the_start_reads_only_what_was_published_before_the_seed(pkg: Path) -> None:
    # a high-yield spread published after the seed does not move the credit channel's starting level
    _source(pkg, "test_hy_src", "2026-02-10")
    _claim(pkg, "test_hy_2026_01", "hy_oas", "2026-01-01", "999", "2026-01-31", "test_hy_src", "bp")
    ev = data.evidence("2026-11-28", folder=pkg)
    cal = sm.Calibration.from_table(ev.table("scenario_drivers"))
    assert ev.latest(series="hy_oas").id != "test_hy_2026_01"  # a later period, but hy_oas has newer readings still
    assert st.credit_series(ev, cal)["hy_oas"].level != 999
    assert st.reading(st.before_seed(ev), "hy_oas")[1].isoformat()[:7] <= "2026-01"


def test_the_run_rate_rules_by_hand() -> None:
    # geometric mean of 772 and 975 = sqrt(752,700) = 867.58; of 4.7 and 15.2 = 8.45
    assert st.midpoint(772.0, 975.0) == pytest.approx(867.58, abs=0.01)
    assert st.midpoint(4.7, 15.2) == pytest.approx(8.452, abs=0.001)
    with pytest.raises(ValueError):
        st.midpoint(0.0, 1.0)


def test_episode_span_names_the_years_each_backtest_covers() -> None:
    # the prose and the labels read the span from one definition; the clock year lies inside it
    assert st.episode_span("dotcom_2000") == "1999–2002" and st.episode_span("memory_2022") == "2021–2023"
    for ep, (clock, label) in st.EPISODES.items():
        first, last = st.EPISODE_YEARS[ep]
        assert first < clock.year <= last and label.startswith(st.episode_span(ep) + ":")
