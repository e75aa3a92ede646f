"""aicompute.cite: references.bib from sources.csv (checked through the BibLaTeX reader of the pandoc that
Quarto ships, ``quarto pandoc``; those checks skip without Quarto)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from aicompute import cite, data
from conftest import quarto_tool

ROOT = Path(__file__).resolve().parents[1]


def _sources(**overrides: list) -> pd.DataFrame:
    rows = {
        "id": ["src_b", "src_a"],
        "title": ["Capex & margins: 100% of $5B in #1_fund {x}", "OpenAI–Cerebras deal"],
        "publisher": [
            "Outlet B (as reported by ts2.tech)",
            "半导体产业纵横 (Semiconductor Industry Perspective)",
        ],
        "author": ["Karen Kaplan; Jon Healey", None],
        "date": pd.to_datetime(["2025-11-24", "2026-01-14"]),
        "url": ["https://example.com/b_c%20d?x=1&y=2#top", "https://example.com/a"],
        "type": ["analyst", "company"],
        "accessed": pd.to_datetime(["2026-11-28", "2026-11-28"]),
        "note": ["line one\nline two ~ 50%", None],
    }
    rows.update(overrides)
    return pd.DataFrame(rows)




def _csl(bib: str, tmp_path: Path) -> dict[str, dict]:
    """What pandoc (the renderer's reader) makes of the .bib, as CSL JSON by id."""
    path = tmp_path / "refs.bib"
    path.write_text(bib, encoding="utf-8")
    out = subprocess.run([*quarto_tool("pandoc"), str(path), "-t", "csljson"], capture_output=True, text=True, check=True)
    return {item["id"]: item for item in json.loads(out.stdout)}


def test_bibtex_entries_sorted_typed_and_escaped() -> None:
    bib = cite.bibtex(_sources())
    assert bib.startswith("% report/references.bib: generated from data/sources.csv")
    assert [m for m in re.findall(r"^@(\w+)\{(\w+),", bib, re.MULTILINE)] == [
        ("online", "src_a"),
        ("report", "src_b"),
    ]
    assert r"title = {{Capex \& margins: 100\% of \$5B in \#1\_fund \{x\}}}" in bib
    assert "author = {Karen Kaplan and Jon Healey}" in bib
    assert "author = {{半导体产业纵横}}" in bib  # outlet without asides as corporate author, UTF-8 kept
    assert "institution = {Outlet B (as reported by ts2.tech)}" in bib
    assert "organization = {半导体产业纵横 (Semiconductor Industry Perspective)}" in bib
    assert "year = {2026},\n  date = {2026-01-14}" in bib and "urldate = {2026-11-28}" in bib
    assert "url = {https://example.com/b_c%20d?x=1&y=2#top}" in bib  # verbatim field
    assert r"note = {line one line two \textasciitilde{} 50\%}" in bib
    assert cite.bibtex(_sources().iloc[::-1]) == bib  # deterministic whatever the row order


def test_bibtex_round_trips_through_pandoc(tmp_path: Path) -> None:
    refs = _csl(cite.bibtex(_sources()), tmp_path)
    b, a = refs["src_b"], refs["src_a"]
    assert b["title"] == "Capex & margins: 100% of $5B in #1_fund {x}"
    assert b["author"] == [{"family": "Kaplan", "given": "Karen"}, {"family": "Healey", "given": "Jon"}]
    assert b["URL"] == "https://example.com/b_c%20d?x=1&y=2#top"
    assert b["issued"]["date-parts"] == [[2025, 11, 24]] and b["accessed"]["date-parts"] == [[2026, 11, 28]]
    assert b["type"] == "report" and b["publisher"] == "Outlet B (as reported by ts2.tech)"
    assert b["note"] == "line one line two ~ 50%"
    assert a["author"] == [{"literal": "半导体产业纵横"}] and a["type"] == "webpage"
    assert a["title"] == "OpenAI–Cerebras deal"


def test_real_sources_round_trip(tmp_path: Path) -> None:
    """Every real source survives pandoc's reader; an ``illustrative`` one (a made-up example's) is in no
    bibliography, as the report leaves it out."""
    sources = data.load("sources")
    refs = _csl(cite.bibtex(sources), tmp_path)
    evidence = sources[~sources["id"].isin(cite.illustrative_ids(sources))]
    assert set(refs) == set(evidence["id"])
    for row in evidence.itertuples():
        got = refs[row.id]
        assert got["title"].replace("’", "'") == " ".join(row.title.split()), row.id
        assert got["URL"] == row.url, row.id


def test_references_list_only_sources_published_by_the_as_of_date(tmp_path: Path, pkg: Path) -> None:
    """The bibliography of a report dated 2025-12-01 lists src_b (2025-11-24), not src_a (2026-01-14)."""
    early = cite.write_references(tmp_path / "early.bib", folder=pkg, as_of="2025-12-01").read_text(encoding="utf-8")
    assert "@report{src_b," in early and "src_a" not in early
    full = cite.write_references(tmp_path / "full.bib", folder=pkg, as_of="2026-11-28").read_text(encoding="utf-8")
    assert "@online{src_a," in full and full == cite.bibtex(data.load("sources", folder=pkg))


def test_source_lines_use_the_labels_of_the_evidence_passed(pkg: Path) -> None:
    """A chart's source line uses the sources known on the as-of date of the evidence it is given (as the
    chapter's bibliography), not those of the evidence made last."""
    late, early = data.evidence("2026-11-28", folder=pkg), data.evidence("2025-12-01", folder=pkg)
    assert cite.source_line(["src_b"], ev=late) == "Source: Doe (2025)"
    assert cite.source_line(["src_a"], ev=late).startswith("Source: ")
    with pytest.raises(KeyError, match="src_a"):
        cite.source_line(["src_a"], ev=early)  # not yet published on that date
    data.evidence("2025-12-01", folder=pkg)  # made later: changes nothing for the evidence passed
    assert cite.source_line(["src_a"], ev=late).startswith("Source: ")


def test_write_references_only_rewrites_on_change(tmp_path: Path, pkg: Path) -> None:
    target = tmp_path / "references.bib"
    assert cite.write_references(target, folder=pkg) == target
    text = target.read_text(encoding="utf-8")
    assert "@online{src_a," in text and "@report{src_b," in text and "author = {Jane Doe}" in text
    stamp = target.stat().st_mtime_ns
    cite.write_references(target, folder=pkg)
    assert target.stat().st_mtime_ns == stamp


def test_short_publisher_drops_asides() -> None:
    assert cite.short_publisher("Reuters (following The Information)") == "Reuters"
    assert (
        cite.short_publisher("Where's Your Ed At (Ed Zitron), as reported by TechCrunch")
        == "Where's Your Ed At"
    )
    assert cite.short_publisher("J.P. Morgan (note by A and B, as reported by Bloomberg)") == "J.P. Morgan"
    assert cite.short_publisher("McKinsey & Company") == "McKinsey & Company"


def test_source_line_outlet_and_year() -> None:
    s = _sources()
    assert (
        cite.source_line(["src_a", "src_b"], s) == "Source: 半导体产业纵横 (2026); Kaplan and Healey (2025)"
    )
    assert cite.source_line("src_b", s) == "Source: Kaplan and Healey (2025)"
    assert cite.source_line(["src_b", "src_b"], s) == "Source: Kaplan and Healey (2025)"  # shown once
    twice = _sources(
        id=["x1", "x2"],
        author=[None, None],
        publisher=["NVIDIA (press release)", "NVIDIA"],
        title=["Zeta results", "Alpha results"],
        date=pd.to_datetime(["2026-02-25", "2026-05-01"]),
    )
    # one outlet, two entries in a year: year suffixes in title order, as citeproc assigns them
    assert cite.source_line(["x1", "x2"], twice) == "Source: NVIDIA (2026b); NVIDIA (2026a)"
    with pytest.raises(KeyError, match="nope"):
        cite.source_line(["src_a", "nope"], s)
    with pytest.raises(ValueError):
        cite.source_line([], s)


def test_author_labels() -> None:
    s = _sources(
        id=["one", "three", "open"],
        author=["David Cahn", "A Noffsinger; B Patel; C Sachdeva", "Stacy A. Rasgon et al."],
        publisher=["Sequoia", "McKinsey", "Bernstein"],
        title=["t1", "t2", "t3"],
        url=["https://e.com/1", "https://e.com/2", "https://e.com/3"],
        type=["analyst", "research", "analyst"],
        date=pd.to_datetime(["2024-06-20", "2025-04-28", "2025-10-29"]),
        accessed=pd.to_datetime(["2026-11-28"] * 3),
        note=[None] * 3,
    )
    assert cite.citation_labels(s) == {
        "one": "Cahn (2024)",
        "three": "Noffsinger et al. (2025)",
        "open": "Rasgon et al. (2025)",
    }


def test_source_line_labels_equal_pandoc_citations(tmp_path: Path) -> None:
    """For every real source, the chart label equals what pandoc's citeproc prints for ``@id`` (an
    ``illustrative`` source is in no bibliography: its label is checked in the test below)."""
    sources = data.load("sources")
    made_up = cite.illustrative_ids(sources)
    labels = {k: v for k, v in cite.citation_labels(sources).items() if k not in made_up}
    ids = sorted(labels)
    md = '---\nnocite: "@*"\nsuppress-bibliography: true\n---\n' + "\n".join(f"- @{i}" for i in ids) + "\n"
    bib = tmp_path / "references.bib"
    bib.write_text(cite.bibtex(sources), encoding="utf-8")
    cmd = [*quarto_tool("pandoc"), "--citeproc", f"--bibliography={bib}", "-t", "plain", "--wrap=none"]
    out = subprocess.run(cmd, input=md, capture_output=True, text=True, check=True).stdout
    printed = [line[2:].strip().replace("’", "'") for line in out.splitlines() if line.startswith("- ")]
    assert dict(zip(ids, printed, strict=True)) == labels


def test_source_line_from_the_data_package() -> None:
    line = cite.source_line(["nvidia_q4fy26_pr_2026_02_25", "the_information_openai_burn_2025_09_05"])
    # year letters (2026a, 2025c) depend on how many sources share an author and year
    assert re.fullmatch(r"Source: NVIDIA \(2026[a-z]?\); The Information \(2025[a-z]?\)", line), line


def test_illustrative_sources_are_labelled_and_kept_out_of_the_bibliography() -> None:
    """A made-up example's source is named as one on a chart and never listed as evidence; the other
    sources' labels (year suffixes) are those of the bibliography without it."""
    sources = _sources()
    extra = sources.iloc[[0]].assign(id="made_up", type="illustrative", publisher="Example Co")
    both = pd.concat([sources, extra], ignore_index=True)
    assert "made_up" not in cite.bibtex(both) and cite.bibtex(both) == cite.bibtex(sources)
    labels = cite.citation_labels(both)
    assert labels["made_up"] == "illustrative example, not evidence (Example Co)"
    assert {k: v for k, v in labels.items() if k != "made_up"} == cite.citation_labels(sources)
    assert cite.source_line(["made_up"], both) == "Source: illustrative example, not evidence (Example Co)"


def test_a_series_of_releases_is_cited_once() -> None:
    """A trade body's yearly figure cited from each year's release: one citation naming the series and the
    years of its first and last release, not a label per release (Fig 6.1 listed about 20)."""
    releases = _sources(
        id=["r1999", "r2026", "r2001", "other"],
        author=[None] * 4,
        publisher=["SIA", "Reuters", "The Wall Street Journal", "NVIDIA"],
        title=["t1", "t2", "t3", "t4"],
        url=["https://e.com/1", "https://e.com/2", "https://e.com/3", "https://e.com/4"],
        type=["company"] * 4,
        date=pd.to_datetime(["1999-02-05", "2026-02-06", "2001-02-03", "2026-02-25"]),
        accessed=pd.to_datetime(["2026-11-28"] * 4),
        note=[None] * 4,
    )
    series = {"WSTS/SIA releases": ["r2026", "r1999", "r2001"]}
    assert cite.series_citation("WSTS/SIA releases", ["r2026", "r1999", "r2001"], releases) == "WSTS/SIA releases, 1999–2026"
    assert cite.series_citation("SIA", ["r1999"], releases) == "SIA, 1999"
    assert cite.source_line([], releases, series=series) == "Source: WSTS/SIA releases, 1999–2026"
    assert cite.source_line(["other"], releases, series=series) == "Source: NVIDIA (2026); WSTS/SIA releases, 1999–2026"
    with pytest.raises(KeyError, match="nope"):
        cite.source_line([], releases, series={"x": ["r1999", "nope"]})
    with pytest.raises(ValueError):
        cite.source_line([], releases, series={"x": []})


def test_duplicate_sources_same_work_under_two_ids() -> None:
    """One article under two ids (same outlet, date and URL, or same title) is reported; distinct works sharing
    a URL (a data series read on two dates, two companies' filings read in one summary) are not."""
    base = _sources(
        id=["memo_a", "memo_b", "series_1", "series_2", "tenk_x", "tenk_y", "post_1", "post_2"],
        author=[None] * 8,
        publisher=["The Information", "The Information (via HTX)", "FRED", "FRED", "Amazon", "Meta",
                   "OpenAI (company blog)", "OpenAI (announcement; reported by CNBC)"],
        title=["Memo disputes run-rate", "Memo disputes revenue figures", "Spread", "Spread",
               "Amazon 10-K", "Meta 10-K", "OpenAI raises $122 billion", "OpenAI raises $122 Billion!"],
        url=["https://e.com/memo", "https://e.com/memo", "https://e.com/fred", "https://e.com/fred",
             "https://e.com/lives", "https://e.com/lives", "https://e.com/post", "https://copy.e.com/post"],
        type=["leak"] * 8,
        date=pd.to_datetime(["2026-04-13", "2026-04-13", "2026-01-02", "2026-03-06",
                             "2023-02-02", "2023-02-02", "2026-03-31", "2026-03-31"]),
        accessed=pd.to_datetime(["2026-11-28"] * 8),
        note=[None] * 8,
    )
    assert cite.duplicate_sources(base) == [("memo_a", "memo_b"), ("post_1", "post_2")]
    assert cite.duplicate_sources(base.iloc[[0, 2, 3, 4, 5, 6]]) == []


def test_no_source_listed_twice() -> None:
    """data/sources.csv lists each work once (the CRO memo was listed under two ids: two References entries
    and two year letters for one article)."""
    assert cite.duplicate_sources(data.load("sources")) == []
