from __future__ import annotations

import json
from pathlib import Path

import nbformat

from aicompute import summary


def test_format_result() -> None:
    assert summary.format_result({"value": 61.42, "unit": "%"}) == "61.4%"
    assert summary.format_result({"value": 9.5, "unit": "x"}) == "9.5×"
    assert summary.format_result({"value": 1400.0, "unit": "USD bn"}) == "1,400 USD bn"
    assert summary.format_result({"value": 70, "unit": ""}) == "70"
    assert summary.format_result({"value": 0.1234, "unit": "", "fmt": ".0%"}) == "12%"
    assert summary.format_result({"value": 0.0, "unit": "%"}) == "under 0.1%"
    assert summary.format_result({"value": 82.1, "unit": "/100"}) == "82.1/100"


def test_summary_from_published_results(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "00_a.json").write_text(json.dumps({
        "as_of": {"value": "2026-11-28", "label": "as-of date", "unit": "", "fmt": ""},
        "n": {"value": 70, "label": "seed claims audited", "unit": "", "fmt": ""}}))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("Intro\n# The audit\ntext")]
    nbformat.write(nb, tmp_path / "00_a.ipynb")
    text = summary.write_summary(results, [tmp_path / "00_a.ipynb"], tmp_path / "_summary.md")
    assert text.startswith("::: {.callout-important}\n## The verdict as of 2026-11-28\n")
    assert text.split(":::\n\n", 1)[1].splitlines() == ["## Key results as of 2026-11-28", "", "**[The audit](00_a.html)**", "",
                                 "- Seed claims audited: **70**"]
    assert (tmp_path / "_summary.md").read_text() == text


def _r(value, unit=""):
    return {"value": value, "label": "x", "unit": unit, "fmt": ""}


def test_verdict_panel_uses_only_published_results() -> None:
    results = {
        "00_claims_audit": {"seed_confirmed_share": _r(61.4, "%")},
        "05_scenarios": {"p_hard_landing": _r(0.5, "%"), "p_soft_landing": _r(26.0, "%"),
                         "p_crash_threshold": _r(0.0, "%"), "semis_2027_median": _r(2021, "USD bn"),
                         "watch_1": _r("Credit spread (warning if above 250)")},
    }
    panel = summary.verdict_panel(results, "2026-11-28")
    assert panel.splitlines() == [
        "::: {.callout-important}", "## The verdict as of 2026-11-28", "",
        "**Scenario odds today:** Hard landing **0.5%** · Soft landing **26.0%**", "",
        "**Five numbers that matter:**", "",
        "1. **61.4%** of the seed article's claims hold up exactly as stated.",
        "2. Chance that 2027 chip revenue falls under the seed's crash line: **under 0.1%** (median 2027 revenue "
        "**2,021 USD bn**).", "",
        "**What to watch:** Credit spread (warning if above 250).", "", ":::"]
    # a sentence whose companion figure is missing is dropped, not filled by hand
    assert "bubble" not in summary.verdict_panel({"04_bubble_debate": {"bubble_score": _r(82.1)}}).lower()
