"""The front page: built only from the headline results chapters published, chapter names unknown to it."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from aicompute import summary
from aicompute.results import format_result
from conftest import quarto_tool


def _r(value, unit="", headline=None, label="x", low=None, high=None, fmt=""):
    return {"value": value, "label": label, "unit": unit, "fmt": fmt, "low": low, "high": high, "headline": headline}


def test_format_result_with_ranges() -> None:
    assert format_result(_r(61.42, "%")) == "61.4%"
    assert format_result(_r(9.5, "x")) == "9.5×"
    assert format_result(_r(1400.0, "USD bn")) == "1,400 USD bn"
    assert format_result(_r(70)) == "70"
    assert format_result(_r(0.1234, fmt=".0%")) == "12%"
    assert format_result(_r(82.1, "/100")) == "82.1/100"
    assert format_result(_r(12.0, "%", low=5.0, high=20.0, fmt=".0f")) == "12% (5–20%)"
    assert format_result(_r(840.0, "USD bn", low=700.0, high=1000.0)) == "840.0 USD bn (700.0–1,000)"
    # "under 0.1%" only where the whole range is that narrow
    assert format_result(_r(0.0, "%")) == "under 0.1%"
    assert format_result(_r(0.02, "%", low=0.0, high=0.05)) == "under 0.1%"
    assert format_result(_r(0.02, "%", low=0.0, high=3.0)) == "0.0% (<0.1–3.0%)"
    # a decimal year as its calendar quarter (2028.2 is a fifth into 2028; 2028.25 starts the second quarter)
    assert format_result(_r(2028.2, fmt="quarter", low=2028.1, high=2028.4)) == "Q1 2028 (Q1 2028–Q2 2028)"
    assert format_result(_r(2027.99, fmt="quarter")) == "Q4 2027"
    assert format_result(_r(2028.25, fmt="quarter", low=2028.25, high=2028.3)) == "Q2 2028"


RESULTS = {
    "01_chips": {"as_of": _r("2026-11-28"), "cost": _r(0.8, "USD per million tokens", "cost", "serving cost")},
    "03_money": {"rev": _r(10.5, "USD bn", "revenue", "revenue per GW"),
                 "gap": _r(207.0, "USD bn", "financing", "funding gap", 150.0, 300.0)},
    "05_odds": {"verdict": _r("A soft landing is likelier than a crash.", headline="verdict"),
                "p_hard": _r(12.0, "%", "odds", "hard landing", 5.0, 20.0, ".0f"),
                "p_crash": _r(0.01, "%", "odds", "2027 chip revenue under 400 USD bn", 0.0, 0.03),
                "w1": _r("Credit spreads above 250 bp", headline="watch")},
}


def test_panel_shows_each_theme_in_order_with_links_and_tags() -> None:
    panel = summary.verdict_panel(RESULTS, "2026-11-28", "**As of 2026-11-28**", {"05_odds": "Scenarios"},
                                  cutoff="2026-07-04", numbers={"05_odds": "6"})
    lines = panel.splitlines()
    # the verdict first, with both dates, in the house panel (not a red 'Important' callout), its first sentence
    # as the lead
    assert lines[:3] == ["::: {.aic-verdict}", "", "**The verdict on evidence to 2026-07-04, as of 2026-11-28.**"]
    assert "callout-important" not in panel
    # the lead: the likeliest ending and the hard landing, with their odds
    assert lines[4].startswith("[Likeliest: hard landing, **<span") and lines[4].endswith(".]{.aic-lead}")
    assert "A soft landing is likelier than a crash\\. ([Chapter 6](05_odds.html))" in lines
    assert '- Hard landing: **<span class="aic-result" data-result="05_odds.p_hard">12% (5–20%)</span>**' in lines
    # the odds say their measure, and that the range holds the seed's own December-over-December reading
    odds_head = next(ln for ln in lines if ln.startswith("**The odds**"))
    assert "central case on calendar-year totals" in odds_head and "the seed's December-over-December reading" in odds_head
    # a label ending in a number reads apart from the odds that follow it
    assert '- 2027 chip revenue under 400 USD bn: **<span class="aic-result" data-result="05_odds.p_crash">under 0.1%' \
        '</span>**' in lines
    # downloads, and the numbers as a numbered table: value (range), unit, what it tells, link
    assert "[Download the report (PDF)](report.pdf)" in lines
    assert "[Download the data package (zip)](downloads/aicompute-data-package.zip)" in lines
    row = next(ln for ln in lines if ln.startswith("| Serving cost |"))
    assert "0.8 USD per million tokens</span> | What compute costs | [01\\_chips](01_chips.html) |" in row  # the unit once, in the value
    assert "207.0 USD bn (150.0–300.0)" in panel and "{#tbl-key-numbers .aic-stack}" in panel  # rows as cards on a phone
    assert panel.index("What compute costs") < panel.index("What it earns") < panel.index("How the gap is financed")
    assert "**What to watch:** Credit spreads above 250 bp." in lines


def test_the_panel_says_its_dates_once_under_its_heading_and_the_verdict_keeps_them() -> None:
    """The as-of line (the one every chapter opens with) is the panel's one statement of the dates: inside the
    verdict's panel, under its heading and above the lead, saying the evidence's cut-off and that the months after it
    are projected, not observed; the verdict below it drops its own 'On evidence to ...' opening. A verdict dated
    otherwise keeps its own dates; without the line the heading dates the verdict."""
    from aicompute.narrative.evidence import on_evidence

    line = ("::: {.aic-asof}\n**As of 2026-11-28** · evidence to 2026-07-04 (the latest evidence used) · the months after "
            "it are projected, not observed\n:::")
    opening = on_evidence("2026-07-04", "2026-11-28", tagged=False, capital=True)
    dated = {**RESULTS, "05_odds": {**RESULTS["05_odds"], "verdict": _r(f"{opening}, a soft landing is likelier.",
                                                                          headline="verdict")}}
    panel = summary.verdict_panel(dated, "2026-11-28", line, cutoff="2026-07-04", numbers={"05_odds": "6"})
    lines = panel.splitlines()
    assert lines[:5] == ["::: {.aic-verdict}", "", "**The verdict**", "", "::: {.aic-asof}"]
    lead = next(i for i, ln in enumerate(lines) if ln.endswith("{.aic-lead}"))
    dates = "\n".join(lines[:lead])  # the dates come before the lead, inside the panel
    assert "evidence to 2026-07-04" in dates and "projected, not observed" in dates and "As of 2026-11-28" in dates
    shown = panel.replace("\\-", "-")  # as read: markdown escapes undone
    assert shown.count("evidence to") == 1 and shown.count("2026-07-04") == 1 and shown.count("2026-11-28") == 1
    assert "A soft landing is likelier\\. ([Chapter 6](05_odds.html))" in lines
    # the line as chapters print it, its dates tagged by the formatter (aicompute.formatting.fmt)
    tagged = line.replace("2026-07-04", '<span class="aic-num">2026-07-04</span>')
    assert summary.verdict_panel(dated, "2026-11-28", tagged, cutoff="2026-07-04") == \
        panel.replace(line, tagged).replace("[Chapter 6](05_odds.html)", "[05\\_odds](05_odds.html)")
    # a verdict on other evidence keeps its own dates (shown beside the line's, never silently dropped)
    other = {**RESULTS, "05_odds": {**RESULTS["05_odds"], "verdict": _r(
        on_evidence("2026-06-30", "2026-11-28", tagged=False, capital=True) + ", a boom.", headline="verdict")}}
    assert "On evidence to 2026\\-06\\-30" in summary.verdict_panel(other, "2026-11-28", line, cutoff="2026-07-04")
    # no as-of line: the heading dates the verdict
    bare = summary.verdict_panel(dated, "2026-11-28", "", cutoff="2026-07-04").splitlines()
    assert bare[2] == "**The verdict on evidence to 2026-07-04, as of 2026-11-28.**"


def test_titlepage_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = summary.titlepage_lines("2026-11-28", "2026-07-04", site="https://example.org/report/")
    assert lines[0] == "As of 2026-11-28 · evidence to 2026-07-04"
    assert lines[1].startswith("Version 0.") and lines[2] == "Web version: https://example.org/report/"
    monkeypatch.setenv("AICOMPUTE_SITE_URL", "https://example.org/elsewhere/")  # the environment is never read
    assert summary.titlepage_lines("2026-11-28", "2026-07-04")[2] == f"Web version: {summary.LOCAL_SITE}"
    import yaml

    path = summary.write_titlepage(tmp_path / "_titlepage.yml", "2026-11-28", "2026-07-04")
    assert yaml.safe_load(path.read_text())["aic-titlepage"][0] == "As of 2026\\-11\\-28 · evidence to 2026\\-07\\-04"


def test_definitions_from_the_data() -> None:
    text = summary.definitions()
    assert "(references.html#ref-seed_article)" in text
    assert "chip revenue falls at least 15% below" in text and "capex at least 20%" in text
    for ending in ("Hard landing", "Muddle-through", "Soft landing", "Continued boom"):
        assert f"**{ending}**" in text


def test_a_missing_theme_fails_the_build() -> None:
    partial = {k: v for k, v in RESULTS.items() if k != "03_money"}
    with pytest.raises(summary.MissingHeadline, match=r"\['revenue', 'financing'\]"):
        summary.verdict_panel(partial)


def test_write_summary_reads_results_and_titles(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    for stem, res in RESULTS.items():
        (results / f"{stem}.json").write_text(json.dumps(res))
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(f"# Chapter {stem} {{#sec-x}}\ntext")]
        nbformat.write(nb, tmp_path / f"{stem}.ipynb")
    text = summary.write_summary(results, sorted(tmp_path.glob("*.ipynb")), tmp_path / "_summary.md", note="Params.")
    assert "[Chapter 05\\_odds](05_odds.html)" in text and text.endswith("*Params.*\n")
    assert (tmp_path / "_titlepage.yml").is_file()
    assert "latest evidence used" in text  # the as-of / evidence pair from the data layer
    assert (tmp_path / "_summary.md").read_text() == text


XSS = '<img src=x onerror="window.__xss=1"> *b* [@src_a] <!-- `t` $x$ #h'


def test_panel_text_from_data_and_command_line_is_literal(tmp_path: Path) -> None:
    """A verdict, watch item, label or title quoting hostile data, and a parameters note from a hostile command
    line, come out of Pandoc (HTML and plain text) as the text itself: no tag, citation, comment or emphasis."""
    import subprocess

    from aicompute.pipeline.build import Project, _params_note

    results = {stem: dict(res) for stem, res in RESULTS.items()}
    results["05_odds"] = {**RESULTS["05_odds"], "verdict": _r(f"Leans soft because {XSS}.", headline="verdict"),
                          "w1": _r(f"{XSS}: warning if above 1", headline="watch"),
                          "p_hard": _r(12.0, "%", "odds", f"hard landing {XSS}", 5.0, 20.0, ".0f")}
    panel = summary.verdict_panel(results, "2026-11-28", "", {"05_odds": f"Scenarios {XSS}"})
    note = _params_note(Project(root=tmp_path), tmp_path / f"my `{XSS}`.yaml", [f"rel_tol=0.1 # {XSS}"])
    assert note.startswith("Parameters: ``my `<img") and " with overrides ``rel_tol=0.1 # <img" in note
    pandoc = quarto_tool("pandoc")
    doc = panel + f"\n*{note}*\n"
    html = subprocess.run([*pandoc, "-f", "markdown", "-t", "html"], input=doc, capture_output=True,
                          text=True, check=True).stdout
    assert "<img" not in html and "<!--" not in html and "<em>b</em>" not in html and "data-cites" not in html
    plain = subprocess.run([*pandoc, "-f", "markdown", "-t", "plain", "--wrap=none"], input=doc,
                           capture_output=True, text=True, check=True).stdout
    # verdict, odds label (twice: the lead and the odds list), title (twice: verdict and odds lines), watch, note x2
    assert plain.count(XSS) == 8, plain


def test_cite_block_from_citation_cff(tmp_path: Path) -> None:
    cff = tmp_path / "CITATION.cff"
    cff.write_text('title: "T: a test"\nauthors:\n  - name: "Some group"\nversion: 0.1.0\ndate-released: 2026-11-28\n')
    text = summary.cite_block("2026-11-28", cff)
    assert text.startswith("## Cite this report {#sec-cite}")
    assert "Some group (2026). *T\\: a test*. Version " in text and "as of 2026\\-11\\-28" in text
    assert "@techreport{aicompute2026," in text and "  author = {{Some group}}," in text


def test_changelog_numbers_chapters_as_the_report_does(tmp_path: Path) -> None:
    text = summary.write_changelog(tmp_path / "_changelog.md")
    assert not __import__("re").search(r"\b[Cc]hapters? 0\d\b", text), text


def test_a_commit_subjects_code_is_shown_as_code_on_the_change_list() -> None:
    f, md = summary.subject_markdown, summary.md
    assert f("formatting.signed: '1e-05' stays, '-1.0e-05' -> '\u22121.0e-05'") == (
        "`formatting.signed`" + md(": '") + "`1e-05`" + md("' stays, '") + "`-1.0e-05`" + md("' -> '")
        + "`\u22121.0e-05`" + md("'"))
    assert f("cashflow_period in signposts.csv, e.g. chapter 4") == (
        "`cashflow_period` in `signposts.csv`" + md(", e.g. chapter 4"))  # the spaces around code kept
    assert f("a <b> *c*") == md("a <b> *c*")  # no code: escaped as before


def test_the_dials_section_in_the_pdf_names_the_web_edition_and_prints_the_central_numbers() -> None:
    from aicompute import dials

    cost = dials.grid(lambda wacc: {"cost_per_gw": 40 * (1 + wacc), "revenue_needed_per_gw": 80 * (1 + wacc)},
                      [{"name": "wacc", "label": "Cost of capital", "values": [0.1, 0.2], "default": 0.1,
                        "value_labels": ["10%", "20%"]}], unit="USD bn a year")
    text = summary.dials_section({"02_infrastructure": {summary.COST_GRID: {"value": cost}}})
    web, pdf = text.split('::: {.content-visible when-format="typst"}')
    assert "<select" in web and "Pick other values" in web and "<select" not in pdf and "Pick other values" not in pdf
    pdf = pdf.replace("\\", "")  # as the reader sees it (labels are Markdown-escaped)
    assert dials.PRINTED_NOTE in pdf and "(Cost of capital: 10%)" in pdf
    assert "Annual cost of owning 1 GW (USD bn a year) 44.0; Revenue 1 GW must earn at the gross margin set (USD bn a year) 88.0" in pdf


def test_the_front_page_carries_one_version_line_and_the_change_list_its_own_page() -> None:
    line = summary.version_line([("2026-12-07", "abc1234", "render key: hash the change list")])
    assert f"Version {summary.md(summary.version())}\\, of 2026\\-12\\-07." in line
    assert "[What changed](changes.html)" in line and "render key" not in line  # no commit subjects on the front page
    assert line.count("Version ") == 2  # the site's line (with the link) and the PDF's (without: no dead link)


@pytest.mark.parametrize(("reading", "shown"), [
    # a reading stated as a range (our arithmetic on a reported change) shows it; a month reads as the month
    ({"value": 104.0, "low": 100.0, "high": 110.0, "period": "2026-02-01", "period_type": "month",
      "entity": "Oracle", "published": "2026-02-02"}, "104 (100–110) for Feb 2026, published 2026-02-02"),
    # a company's fiscal quarter is labelled as the quarter, not the month it starts (Nvidia's Q1 FY27 runs
    # from late January to late April)
    ({"value": 75.2, "low": float("nan"), "high": float("nan"), "period": "2026-02-01", "period_type": "quarter",
      "entity": "Nvidia", "published": "2026-05-20"}, "75.2 for Q1 FY27 (Feb–Apr 2026), published 2026-05-20"),
    ({"value": 643.0, "low": None, "high": None, "period": "2025-12-01", "period_type": "month",
      "entity": "CoreWeave", "published": "2025-12-08"}, "643 for Dec 2025, published 2025-12-08"),
    # a range equal to the value is not repeated; a year is its number; thousands separated
    ({"value": 1300.0, "low": 1300.0, "high": 1300.0, "period": "2026-01-01", "period_type": "year",
      "entity": "Gartner", "published": "2026-04-14"}, "1,300 for 2026, published 2026-04-14"),
])
def test_watch_table_reading_shows_its_range_period_and_age(reading: dict, shown: str) -> None:
    import pandas as pd

    assert summary.reading_text(pd.Series(reading)) == shown


def test_watch_table_warning_line_names_the_past_reading_it_is() -> None:
    """A warning line that is a past reading (a month's peak) says so beside a reading of that month, so '643 for
    Dec 2025' beside 'above 881' is not read as a mismatch; before that month's reading nothing is said."""
    from types import SimpleNamespace

    import pandas as pd

    sp = SimpleNamespace(direction="above", threshold=881.0, threshold_period=pd.Timestamp("2025-12-01"))
    dec = pd.Series({"value": 643.0, "period": "2025-12-01", "period_type": "month", "entity": "CoreWeave"})
    assert summary.warning_text(sp, dec) == "above 881, the Dec 2025 peak"
    assert summary.warning_text(sp, dec.copy().replace({"2025-12-01": "2026-04-01"})) == "above 881, the Dec 2025 peak"
    assert summary.warning_text(sp, dec.copy().replace({"2025-12-01": "2025-10-01"})) == "above 881"  # before it
    assert summary.warning_text(sp, None) == "above 881"  # no reading yet
    low = SimpleNamespace(direction="below", threshold=62.25, threshold_period=pd.Timestamp("2026-02-01"))
    q = pd.Series({"value": 75.2, "period": "2026-02-01", "period_type": "quarter", "entity": "Nvidia"})
    assert summary.warning_text(low, q) == "below 62.25, the Q1 FY27 \\(Feb–Apr 2026\\) low"  # escaped markdown
    assert summary.warning_text(SimpleNamespace(direction="below", threshold=1234.5), q) == "below 1,235"  # no column
    assert summary.warning_text(SimpleNamespace(direction="above", threshold=1.0, threshold_period=float("nan")),
                                dec) == "above 1"  # an empty cell


def test_the_reconciling_paragraph_measures_the_hard_landing_on_yearly_totals() -> None:
    from aicompute.narrative import front

    text = front.reconcile("A bust begins by the end of 2027", "32%", "hard landing", "7%", "15%", "20%")
    assert "the hard landing has only **7%**" in text
    assert "the second year's total chip revenue 15% below the first's (or capex 20% below)" in text
