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
    assert text.splitlines() == ["## Key results as of 2026-11-28", "", "**[The audit](00_a.html)**", "",
                                 "- Seed claims audited: **70**"]
    assert (tmp_path / "_summary.md").read_text() == text
