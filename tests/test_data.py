"""The loader: good data loads typed; each kind of bad data fails naming file, row and column."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aicompute import data
from aicompute.data import DataError
from conftest import CLAIMS, CLAIMS_HEADER, SOURCES, SOURCES_HEADER, write_csv


def test_good_package_loads_typed(pkg: Path) -> None:
    claims = data.load("claims", folder=pkg)
    assert list(claims.columns) == CLAIMS_HEADER
    assert len(claims) == 4
    assert claims.loc[claims.id == "capex_2026", "value"].item() == 54.0
    assert str(claims["as_of"].dtype).startswith("datetime64")
    assert claims.loc[claims.id == "growth", "value"].item() == -12.5  # signed unit allowed
    assert data.validate_package(pkg) == {"sources": 2, "claims": 4}


def test_claim_returns_value_and_source(pkg: Path) -> None:
    c = data.claim("capex_2026", folder=pkg)
    assert (c.value, c.low, c.high, c.unit) == (54.0, 52.0, 56.0, "USD bn")
    assert c.source_publisher == "Company A"
    assert c.range == (52.0, 56.0)
    assert data.claim("site_gw", folder=pkg).range == (1.2, 1.2)
    assert c.as_of.isoformat() == "2026-01-15"


def test_unknown_claim_suggests_close_id(pkg: Path) -> None:
    with pytest.raises(DataError, match=r"no claim with id 'capex_2025'; did you mean \['capex_2026'\]"):
        data.claim("capex_2025", folder=pkg)


def _claims_text(pkg: Path) -> str:
    return (pkg / "claims.csv").read_text(encoding="utf-8")


def _set_cell(pkg: Path, row: int, column: str, value: str) -> None:
    rows = [list(r) for r in CLAIMS]
    rows[row - 1][CLAIMS_HEADER.index(column)] = value
    write_csv(pkg / "claims.csv", CLAIMS_HEADER, rows)


# (description, mutate(pkg), file, row, column, phrase expected in the message)
CELL_CASES = [
    ("wrong type", 2, "value", "fifty-four", "expected a number, got 'fifty-four'"),
    ("negative power", 1, "value", "-1.2", "expected a non-negative amount for unit 'GW'"),
    ("unit not allowed", 1, "unit", "gigawatts", "expected one of"),
    ("percent over 100", 3, "high", "120", "expected a share in [0, 100]"),
    ("low above high", 2, "low", "60", "expected low <= high"),
    ("value outside range", 2, "value", "57", "expected value <= high"),
    ("wrong date format", 1, "as_of", "30/09/2025", "expected a date as YYYY-MM-DD"),
    ("impossible date", 1, "as_of", "2025-02-30", "expected a valid calendar date"),
    (
        "unknown source id",
        2,
        "source_id",
        "src_c",
        "unknown id 'src_c': expected an id that exists in sources.csv",
    ),
    ("basis not allowed", 2, "basis", "rumour", "expected one of"),
    ("missing required", 2, "statement", "", "expected a value (string), got an empty cell"),
    ("seed claim without verdict", 1, "verdict", "", "expected a verdict for a seed claim"),
    ("bad id pattern", 2, "id", "Capex 2026", "expected text matching the pattern"),
]


@pytest.mark.parametrize("desc,row,column,value,phrase", CELL_CASES, ids=[c[0] for c in CELL_CASES])
def test_bad_cell_names_file_row_column(
    pkg: Path, desc: str, row: int, column: str, value: str, phrase: str
) -> None:
    _set_cell(pkg, row, column, value)
    with pytest.raises(DataError) as info:  # load()'s own checks, then frictionless's (types, constraints, keys)
        data.validate_package(pkg)
    msg = str(info.value)
    assert msg.startswith(str(pkg / "claims.csv")) or "claims.csv" in msg.split(":")[0]
    assert f"row {row} (line {row + 1})" in msg or (desc == "unknown source id" and f"row {row}" in msg)
    assert f"column '{column}'" in msg
    assert phrase in msg, msg


def _watch_frictionless(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The resources of each frictionless validation run from now on (appended as they run)."""
    import frictionless

    seen: list[list[str]] = []
    real = frictionless.Package.validate

    def spy(self, *args, **kw):
        seen.append([r.name for r in self.resources])
        return real(self, *args, **kw)

    monkeypatch.setattr(frictionless.Package, "validate", spy)
    return seen


def test_frictionless_revalidates_what_an_edit_can_change(pkg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resource found valid is validated again only when its own file or descriptor, or a table its foreign
    keys reference, changed: claims.csv is untouched, yet removing a source it cites fails it."""
    from aicompute import datapackage

    monkeypatch.setattr(datapackage, "_VALIDATED", set())  # what other tests validated (the same rows) is not seen
    assert data.validate_package(pkg) == {"sources": 2, "claims": 4}
    seen = _watch_frictionless(monkeypatch)
    data.validate_package(pkg)
    assert seen == []  # nothing changed: nothing validated again
    write_csv(pkg / "sources.csv", SOURCES_HEADER, [SOURCES[0]])  # src_b gone; claim row 3 cites it
    with pytest.raises(DataError, match=r"claims\.csv.*row 3 .*column 'source_id': unknown id 'src_b'"):
        data.validate_package(pkg)
    assert seen == [["sources", "claims"]]
    rows = [list(r) for r in SOURCES]
    rows[1][SOURCES_HEADER.index("type")] = "blog"  # sources.csv fails; claims.csv (same ids) is valid with it
    write_csv(pkg / "sources.csv", SOURCES_HEADER, rows)
    for _ in range(2):
        with pytest.raises(DataError, match=r"sources\.csv, row 2 .*column 'type'"):
            data.validate_package(pkg)
    assert seen[1:] == [["sources", "claims"], ["sources"]]  # claims' verdict was kept although sources failed


def test_frictionless_verdicts_kept_on_disk_serve_the_next_process(pkg: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A verdicts file (a build's) lets the next process skip frictionless for unchanged tables; an edited table,
    another frictionless version or a damaged file means validating again; errors are never stored."""
    from aicompute import datapackage

    verdicts = tmp_path / "build" / "cache" / "frictionless.txt"
    monkeypatch.setattr(datapackage, "_VALIDATED", set())
    assert data.validate_package(pkg, verdicts=verdicts) == {"sources": 2, "claims": 4}
    assert len(verdicts.read_text().split()) == 2  # one key per valid table
    seen = _watch_frictionless(monkeypatch)

    def next_process() -> None:  # a new process: nothing validated in memory yet
        monkeypatch.setattr(datapackage, "_VALIDATED", set())
        data.validate_package(pkg, verdicts=verdicts)

    next_process()
    assert seen == []  # both verdicts read from the file
    verdicts.write_text("not a key\n\x00")  # damaged: ignored, everything validated, the file rewritten
    next_process()
    assert seen == [["sources", "claims"]] and len(verdicts.read_text().split()) == 2
    version = datapackage._checker_version
    monkeypatch.setattr(datapackage, "_checker_version", lambda: "frictionless 99")  # an upgrade: all again
    next_process()
    monkeypatch.setattr(datapackage, "_checker_version", version)
    next_process()  # the file now holds the upgrade's keys only
    assert seen[1:] == [["sources", "claims"], ["sources", "claims"]]
    seen.clear()
    next_process()
    assert seen == []
    rows = [list(r) for r in SOURCES]
    rows[1][SOURCES_HEADER.index("type")] = "blog"  # sources.csv fails; claims.csv (same ids) is valid with it
    write_csv(pkg / "sources.csv", SOURCES_HEADER, rows)
    for _ in range(2):  # the error is not stored: the next process finds it again
        with pytest.raises(DataError, match=r"sources\.csv, row 2 .*column 'type'"):
            next_process()
    assert seen == [["sources", "claims"], ["sources"]]  # claims' verdict was stored although sources failed


def test_duplicate_id_names_both_rows(pkg: Path) -> None:
    write_csv(pkg / "claims.csv", CLAIMS_HEADER, [*CLAIMS, CLAIMS[1]])
    with pytest.raises(
        DataError,
        match=r"row 5 \(line 6\), column 'id': duplicate value 'capex_2026' "
        r"\(first used in row 2\)",
    ):
        data.validate_package(pkg)


def test_missing_column(pkg: Path) -> None:
    header = [h for h in CLAIMS_HEADER if h != "unit"]
    rows = [[v for h, v in zip(CLAIMS_HEADER, r) if h != "unit"] for r in CLAIMS]
    write_csv(pkg / "claims.csv", header, rows)
    with pytest.raises(DataError, match=r"claims.csv, line 1, column 'unit': missing column\(s\) \['unit'\]"):
        data.load("claims", folder=pkg)


def test_unknown_extra_column(pkg: Path) -> None:
    write_csv(pkg / "claims.csv", [*CLAIMS_HEADER, "comment"], [[*r, "x"] for r in CLAIMS])
    with pytest.raises(DataError, match=r"line 1, column 'comment': unknown column\(s\) \['comment'\]"):
        data.load("claims", folder=pkg)


def test_stray_delimiter(pkg: Path) -> None:
    text = _claims_text(pkg).splitlines()
    text[2] = text[2].replace("Capex guidance", "Capex, guidance")
    (pkg / "claims.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 2 \(line 3\): has 17 fields, expected 16 \(a stray delimiter"):
        data.load("claims", folder=pkg)


def test_empty_file(pkg: Path) -> None:
    (pkg / "claims.csv").write_text("", encoding="utf-8")
    with pytest.raises(DataError, match=r"claims.csv: file is empty; expected a header row"):
        data.load("claims", folder=pkg)


def test_header_only(pkg: Path) -> None:
    write_csv(pkg / "claims.csv", CLAIMS_HEADER, [])
    with pytest.raises(DataError, match=r"claims.csv, line 1: has a header but no data rows"):
        data.load("claims", folder=pkg)


def test_bom(pkg: Path) -> None:
    (pkg / "claims.csv").write_bytes(b"\xef\xbb\xbf" + (pkg / "claims.csv").read_bytes())
    with pytest.raises(DataError, match=r"claims.csv, line 1: starts with a byte-order mark"):
        data.load("claims", folder=pkg)


def test_encoding_error_names_row_and_column(pkg: Path) -> None:
    raw = (pkg / "claims.csv").read_bytes().replace(b"Capex guidance", b"Capex \xe9 guidance")
    (pkg / "claims.csv").write_bytes(raw)
    with pytest.raises(DataError, match=r"row 2 \(line 3\), column 'statement': invalid UTF-8 byte 0xe9"):
        data.load("claims", folder=pkg)


def test_bad_source_type_in_sources(pkg: Path) -> None:
    rows = [list(r) for r in SOURCES]
    rows[1][SOURCES_HEADER.index("type")] = "blog"
    write_csv(pkg / "sources.csv", SOURCES_HEADER, rows)
    with pytest.raises(DataError, match=r"sources.csv, row 2 \(line 3\), column 'type': expected one of"):
        data.validate_package(pkg)


def test_unknown_resource(pkg: Path) -> None:
    with pytest.raises(DataError, match=r"no resource named 'claim' \(did you mean 'claims'\?\)"):
        data.load("claim", folder=pkg)


def test_invalid_descriptor_json(pkg: Path) -> None:
    (pkg / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    with pytest.raises(DataError, match=r"datapackage.json, line 1: invalid JSON"):
        data.load("claims", folder=pkg)


def test_numeric_field_without_unit_is_rejected(pkg: Path, tmp_path: Path) -> None:
    desc = json.loads((pkg / "datapackage.json").read_text())
    src = next(r for r in desc["resources"] if r["name"] == "sources")
    src["schema"]["fields"].append({"name": "rank", "type": "number"})
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(DataError, match=r"numeric field 'rank' has no 'unit'"):
        data.load("sources", folder=pkg)


def test_cache_sees_edits(pkg: Path) -> None:
    assert data.claim("site_gw", folder=pkg).value == 1.2
    _set_cell(pkg, 1, "value", "1.4")
    assert data.claim("site_gw", folder=pkg).value == 1.4


def test_error_message_format_is_exact(pkg: Path) -> None:
    _set_cell(pkg, 2, "value", "abc")
    with pytest.raises(DataError) as info:
        data.load("claims", folder=pkg)
    tail = re.sub(r"^.*claims\.csv", "claims.csv", str(info.value))
    assert tail == "claims.csv, row 2 (line 3), column 'value': expected a number, got 'abc'"
    assert (info.value.row, info.value.line, info.value.column) == (2, 3, "value")


# --- issue 14: non-finite and absurd numbers, observations sense-checked ---

@pytest.mark.parametrize("raw", ["inf", "-inf", "Infinity", "1e309", "-1e400"])
def test_non_finite_numbers_are_rejected(pkg: Path, raw: str) -> None:
    _set_cell(pkg, 2, "value", raw)
    with pytest.raises(DataError, match=rf"row 2 \(line 3\), column 'value': expected a finite number, got '{raw}'"):
        data.load("claims", folder=pkg)


@pytest.mark.parametrize("row,column,value,phrase", [
    (1, "value", "1e308", "expected a value in [0, 10,000] for unit 'GW' (unitBounds in datapackage.json; the "
                          "world's generating capacity is about 9,000 GW), got 1e+308"),
    (1, "seed_value", "12000", "for unit 'GW'"),
    (2, "high", "130000", "expected a value in [0, 120,000] for unit 'USD bn'"),
    (4, "value", "-100.5", "expected a value in [-100, 100,000] for unit 'percent change'"),
])
def test_each_unit_has_plausible_bounds(pkg: Path, row: int, column: str, value: str, phrase: str) -> None:
    _set_cell(pkg, row, column, value)
    with pytest.raises(DataError) as info:
        data.load("claims", folder=pkg)
    assert f"claims.csv, row {row} (line {row + 1}), column '{column}': " in str(info.value)
    assert phrase in str(info.value), info.value


def test_bounds_are_inclusive(pkg: Path) -> None:
    _set_cell(pkg, 1, "value", "10000")
    assert data.claim("site_gw", folder=pkg).value == 10000


def test_every_unit_needs_bounds(pkg: Path) -> None:
    desc = json.loads((pkg / "datapackage.json").read_text())
    del desc["unitBounds"]["GW"]
    (pkg / "datapackage.json").write_text(json.dumps(desc))
    with pytest.raises(DataError, match=r"datapackage.json.*resource 'claims' uses unit 'GW' with no plausible bounds"):
        data.load("claims", folder=pkg)


def test_every_unit_of_the_real_package_has_bounds() -> None:
    desc = json.loads((Path(__file__).resolve().parents[1] / "data" / "datapackage.json").read_text())
    units = {f["unit"] for r in desc["resources"] for f in r["schema"]["fields"] if f.get("unit")}
    units |= {u for r in desc["resources"] for f in r["schema"]["fields"] if f["name"] == "unit"
              for u in f.get("constraints", {}).get("enum", [])}
    assert units <= set(desc["unitBounds"])
    assert desc["unitBounds"]["percent"] == {"minimum": 0, "maximum": 100, "why": "a share"}
    assert all(b["minimum"] < b["maximum"] and b["why"] for u, b in desc["unitBounds"].items() if u != "event")


def test_source_cannot_be_published_after_it_was_read(pkg: Path) -> None:
    rows = [list(r) for r in SOURCES]
    rows[0][SOURCES_HEADER.index("date")] = "2026-12-24"
    write_csv(pkg / "sources.csv", SOURCES_HEADER, rows)
    with pytest.raises(DataError, match=r"sources.csv, row 1 \(line 2\), column 'date': expected a publication date on "
                                        r"or before the day the source was accessed \(2026-11-28\), got 2026-12-24"):
        data.load("sources", folder=pkg)


OBS_HEADER = ["id", "episode", "series", "entity", "published", "period", "period_type", "value", "low", "high",
              "unit", "kind", "basis", "revenue_basis", "source_class", "revises", "source_id", "note"]
SIGNPOSTS_HEADER = ["id", "name", "model_variable", "measure", "factor", "window_months", "revenue_basis",
                    "model_error", "unit", "threshold", "threshold_period", "direction", "rationale"]


@pytest.fixture
def obs_pkg(pkg: Path) -> Path:
    """The tiny package plus signposts and observations (real schema)."""
    real = json.loads((Path(__file__).resolve().parents[1] / "data" / "datapackage.json").read_text())
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"] += [r for r in real["resources"] if r["name"] in ("signposts", "observations")]
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2))
    write_csv(pkg / "signposts.csv", SIGNPOSTS_HEADER,
              [["lab_revenue", "Lab revenue", "lab:openai", "level", "1", "", "run-rate net", "0", "USD bn/yr", "50",
                "", "below", "why"]])
    write_csv(pkg / "observations.csv", OBS_HEADER, [
        ["obs_a", "ai_2026", "lab_revenue", "Lab A", "2026-04-07", "2026-04-01", "month", "55", "", "", "USD bn/yr",
         "actual", "reported", "run-rate net", "secondary", "", "src_a", ""],
        ["obs_g", "ai_2026", "lab_revenue", "Lab A", "2026-02-07", "2026-07-01", "month", "60", "", "", "USD bn/yr",
         "guidance", "company statement", "run-rate net", "primary", "", "src_a", "guidance may precede its period"],
    ])
    return pkg


@pytest.mark.parametrize("row,column,value,where,phrase", [
    (1, "published", "2026-03-31", "published", "an actual reading cannot be published (2026-03-31) before the "
                                                "period it reports begins (2026-04-01)"),
    (2, "kind", "actual", "published", "an actual reading cannot be published (2026-02-07) before the period"),
    (1, "period", "2026-04-15", "period", "expected the first day of a month"),
    (1, "unit", "bp", "unit", "expected the unit of signposts 'lab_revenue' ('USD bn/yr'), got 'bp'"),
    (1, "value", "inf", "value", "expected a finite number"),
    (1, "value", "1e9", "value", "for unit 'USD bn/yr'"),
])
def test_observations_are_sense_checked(obs_pkg: Path, row: int, column: str, value: str, where: str,
                                        phrase: str) -> None:
    assert len(data.load("observations", folder=obs_pkg)) == 2  # a guidance published before its period is fine
    rows = [r.split(",") for r in (obs_pkg / "observations.csv").read_text().splitlines()[1:]]
    rows[row - 1][OBS_HEADER.index(column)] = value
    write_csv(obs_pkg / "observations.csv", OBS_HEADER, rows)
    with pytest.raises(DataError) as info:
        data.load("observations", folder=obs_pkg)
    assert f"observations.csv, row {row}" in str(info.value) and f"column '{where}'" in str(info.value)
    assert phrase in str(info.value), info.value


# --- frictionless's constraints in our words: minimum, maximum, primary key, and the fallback ---

ANALOGS_HEADER = ["id", "analog", "metric", "year", "value", "low", "high", "unit", "basis", "source_id", "claim_id",
                  "note"]


def _edit_descriptor(pkg: Path, resource: str, field: str, constraints: dict) -> None:
    """Merge ``constraints`` into (None values: remove them from) a field's constraints in ``pkg``'s descriptor."""
    desc = json.loads((pkg / "datapackage.json").read_text())
    res = next(r for r in desc["resources"] if r["name"] == resource)
    c = next(f for f in res["schema"]["fields"] if f["name"] == field).setdefault("constraints", {})
    c.update(constraints)
    for k in [k for k, v in c.items() if v is None]:
        del c[k]
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2))


def _refused_tail(pkg: Path, file: str) -> str:
    """validate_package's message from ``file``'s name on (the folder is the test's)."""
    with pytest.raises(DataError) as info:
        data.validate_package(pkg)
    return re.sub(rf"^.*{re.escape(file)}", file, str(info.value))


def test_below_a_minimum_names_the_bound(pkg: Path) -> None:
    real = json.loads((Path(__file__).resolve().parents[1] / "data" / "datapackage.json").read_text())
    desc = json.loads((pkg / "datapackage.json").read_text())
    desc["resources"] += [r for r in real["resources"] if r["name"] == "analogs"]  # year: minimum 1800
    (pkg / "datapackage.json").write_text(json.dumps(desc, indent=2))
    row = ["telecom_capex_gdp", "telecom_fiber", "capex_share_gdp", "1800", "1.2", "", "", "percent",
           "analyst estimate", "src_a", "", ""]
    write_csv(pkg / "analogs.csv", ANALOGS_HEADER, [row])
    assert data.validate_package(pkg)["analogs"] == 1  # the bound itself is allowed
    write_csv(pkg / "analogs.csv", ANALOGS_HEADER, [[*row[:3], "1700", *row[4:]]])
    assert _refused_tail(pkg, "analogs.csv") == ("analogs.csv, row 1 (line 2), column 'year': expected a value >= 1800, "
                                                 "got '1700'")


def test_above_a_maximum_names_the_bound(obs_pkg: Path) -> None:
    rows = [r.split(",") for r in (obs_pkg / "signposts.csv").read_text().splitlines()[1:]]
    rows[0][SIGNPOSTS_HEADER.index("window_months")] = "12"
    write_csv(obs_pkg / "signposts.csv", SIGNPOSTS_HEADER, rows)
    assert data.validate_package(obs_pkg)["signposts"] == 1  # window_months: maximum 12, inclusive
    rows[0][SIGNPOSTS_HEADER.index("window_months")] = "13"
    write_csv(obs_pkg / "signposts.csv", SIGNPOSTS_HEADER, rows)
    assert _refused_tail(obs_pkg, "signposts.csv") == ("signposts.csv, row 1 (line 2), column 'window_months': "
                                                       "expected a value <= 12, got '13'")


def test_duplicate_primary_key_names_the_key_and_the_first_row(pkg: Path) -> None:
    """sources' id without its own 'unique' constraint: the primary key alone catches the repeated row."""
    _edit_descriptor(pkg, "sources", "id", {"unique": None})
    write_csv(pkg / "sources.csv", SOURCES_HEADER, [*SOURCES, SOURCES[0]])
    assert _refused_tail(pkg, "sources.csv") == ("sources.csv, row 3 (line 4), column 'id': duplicate primary key "
                                                 "(first used in row 1)")


def test_a_constraint_without_our_words_keeps_frictionless_words(pkg: Path) -> None:
    """A constraint the loader has no sentence for (here maxLength) still names file, row and column."""
    _edit_descriptor(pkg, "claims", "statement", {"maxLength": 5})
    assert _refused_tail(pkg, "claims.csv") == ("claims.csv, row 1 (line 2), column 'statement': Constraint Error: "
                                                'constraint "maxLength" is "5"')
