"""The as-of rule (aicompute.evidence): nothing published after the as-of date is evidence."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from aicompute import data
from aicompute.evidence import NotYetPublished, check_dating
from aicompute.paths import default_as_of


def test_claim_is_published_when_both_its_date_and_its_source_are_out(pkg: Path) -> None:
    # capex_2026: as_of 2026-01-15, source src_a dated 2026-01-14 -> published 2026-01-15
    assert data.evidence("2026-01-15", folder=pkg).value("capex_2026") == 54
    with pytest.raises(NotYetPublished, match=r"'capex_2026' was published on 2026-01-15, after the as-of date "
                                              r"2026-01-14"):
        data.evidence("2026-01-14", folder=pkg).value("capex_2026")
    # share_now: as_of 2025-11-01 but its source (src_b) appeared 2025-11-24
    ev = data.evidence("2025-11-23", folder=pkg)
    assert not ev.known("share_now") and ev.value("share_now", default=None) is None
    assert data.evidence("2025-11-24", folder=pkg).claim("share_now").value == 80


def test_tables_drop_later_rows_and_say_which(pkg: Path) -> None:
    ev = data.evidence("2026-01-20", folder=pkg)
    assert set(ev.claims()["id"]) == {"site_gw", "capex_2026", "share_now"}
    assert list(ev.withheld("claims")["id"]) == ["growth"]  # as_of 2026-06-30
    assert set(ev.sources()["id"]) == {"src_a", "src_b"}
    assert set(data.evidence("2025-12-01", folder=pkg).sources()["id"]) == {"src_b"}
    assert ev.cutoff == dt.date(2026, 1, 15)


def test_latest_takes_the_newest_known_vintage(pkg: Path) -> None:
    assert data.evidence("2026-07-01", folder=pkg).latest("growth", "capex_2026").id == "growth"
    assert data.evidence("2026-02-01", folder=pkg).latest("growth", "capex_2026").id == "capex_2026"
    with pytest.raises(NotYetPublished, match="none of"):
        data.evidence("2025-01-01", folder=pkg).latest("growth", "capex_2026")


def test_unknown_claim_is_a_data_error_not_a_date_error(pkg: Path) -> None:
    with pytest.raises(data.DataError, match="no claim with id 'capex_2062'; did you mean"):
        data.evidence("2026-11-28", folder=pkg).claim("capex_2062")


def test_dating_rule_is_validated() -> None:
    res = {"name": "x", "published": ["note"], "schema": {"fields": [{"name": "note", "type": "string"}]}}
    assert "neither a date nor a foreign key" in check_dating(res)
    res["published"] = ["nope"]
    assert "unknown field 'nope'" in check_dating(res)
    res["published"] = "date"
    assert "must be a list" in check_dating(res)


def test_bad_dating_rule_stops_validation(pkg: Path) -> None:
    desc = json.loads((pkg / "datapackage.json").read_text())
    next(r for r in desc["resources"] if r["name"] == "claims")["published"] = ["statement"]
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(data.DataError, match=r"datapackage.json, column 'published': resource 'claims': 'published' "
                                             r"field 'statement' is neither a date"):
        data.validate_package(pkg)


def test_real_package_every_dated_table_respects_the_date() -> None:
    """On the real package: at the seed's date, no row of any table is published later, and every dated
    table loses rows against the full package's latest date."""
    ev = data.evidence("2026-02-01")
    for name in data.resources():
        kept = ev.table(name, resolve=False)
        assert (kept["published"].isna() | (kept["published"] <= pd.Timestamp("2026-02-01"))).all(), name
        assert len(kept) + len(ev.withheld(name)) == len(data.load(name)), name
    assert ev.cutoff <= dt.date(2026, 2, 1)
    assert ev.unobserved == (ev.cutoff < ev.as_of and (ev.swept_to is None or ev.swept_to < "2026-02"))
    assert not ev.known("nvidia_dc_revenue_fy2026") and ev.known("nvidia_dc_revenue_fy2025")


def test_rows_linking_a_claim_take_its_value() -> None:
    ind = data.evidence().table("indicators").set_index("id")
    assert ind.loc["capex_big4_2025", "value"] == data.claim("hyperscaler_capex_2025").value


def test_latest_evidence_is_never_later_than_the_latest_source() -> None:
    """A row dated by a future period (a forecast's period end) must not pass for evidence published then."""
    ev = data.evidence()  # the report's as-of date
    assert pd.Timestamp(ev.cutoff) <= data.load("sources")["date"].max()


def test_csv_records_keep_quoted_newlines_and_drop_blank_lines() -> None:
    from aicompute.evidence import _csv_records

    assert _csv_records('a,b\n1,"x\ny"\n\n2,z') == ["a,b\n", '1,"x\ny"\n', "2,z"]


def test_the_download_holds_only_what_was_published_by_the_as_of_date(tmp_path: Path) -> None:
    import filecmp

    from aicompute.evidence import _csv_records, write_package

    early = "2026-02-01"
    withheld = write_package(early, tmp_path / "early")
    ev = data.evidence(early)
    assert withheld["gpu_rental_prices"] == len(ev.withheld("gpu_rental_prices")) > 0
    assert sum(withheld.values()) > 500  # claims, sources, observations, the sweep log ...
    for name in ("claims", "sources", "observations", "commitments"):
        kept = set(pd.read_csv(tmp_path / "early" / f"{name}.csv")["id"])
        assert kept == set(ev.table(name, resolve=False)["id"]), name
        assert not kept & set(ev.withheld(name)["id"]), name
    # a table with every row published later keeps its header alone
    assert (tmp_path / "early" / "gpu_rental_prices.csv").read_text(encoding="utf-8").count("\n") == 1
    # each row kept is byte for byte a row of the source file; files with nothing to drop are plain copies
    source = (data.data_dir() / "claims.csv").read_text(encoding="utf-8")
    assert all(rec in source for rec in _csv_records((tmp_path / "early" / "claims.csv").read_text(encoding="utf-8")))
    assert filecmp.cmp(data.data_dir() / "datapackage.json", tmp_path / "early" / "datapackage.json", shallow=False)
    # on the report's date nothing was published later: the download is the package itself
    assert write_package(default_as_of(), tmp_path / "now") == {}
    same = filecmp.dircmp(data.data_dir(), tmp_path / "now")
    assert not same.diff_files and not same.left_only and not same.right_only


def test_a_pending_seed_claim_has_no_reason_until_the_narrative_words_one() -> None:
    """Just after the seed (2026-02-01) most seed claims are pending: the evidence layer gives their verdict code and
    no reason (models return codes, not sentences); the narrative words each pending reason, and leaves the audited
    claims' reasons as the ledger gives them."""
    from aicompute.narrative.evidence import with_pending_reasons

    ev = data.evidence("2026-02-01")
    seed = ev.seed_claims()
    pending = seed["verdict"].eq("pending")
    assert pending.any() and seed.loc[pending, "reason"].isna().all() and seed.loc[pending, "value"].isna().all()
    worded = with_pending_reasons(seed, ev.as_of)
    assert (worded.loc[pending, "reason"] == "Its evidence was published after 2026-02-01.").all()
    assert worded.loc[~pending, "reason"].equals(seed.loc[~pending, "reason"])
