"""The reader's dials (aicompute.dials): a grid's numbers equal a rerun of the model at the same parameters, by hand
on a small case; the widget's HTML shows the default row, escapes every text and keeps its JSON inert."""

from __future__ import annotations

import json
import re

import pytest

from aicompute import dials, infra

ARGS = dict(chip_share=1.0, building_life=20.0, price_per_mwh=0.0, utilization=0.5, opex_share=0.0)


def test_cost_grid_by_hand() -> None:
    # all capex in chips, no energy or operations: the cost is the chips' capital charge, capex x CRF(r, n)
    g = dials.cost_grid(10.0, waccs=(0.10,), chip_lives=(1, 2), wacc=0.10, chip_life=2, gross_margin=0.5, **ARGS)
    assert [d["name"] for d in g["dials"]] == ["wacc", "chip_life"] and g["outputs"] == dials.outputs_of(g)
    # 1 year at 10%: 10 x 1.1 = 11.0; 2 years: 10 x 0.1 / (1 - 1.1^-2) = 5.762; revenue at a 50% margin: twice that
    assert dials.row_at(g, chip_life=1.0) == {"wacc": 0.1, "chip_life": 1.0, "cost_per_gw": 11.0,
                                              "revenue_needed_per_gw": 22.0}
    assert dials.row_at(g) == {"wacc": 0.1, "chip_life": 2.0, "cost_per_gw": 5.8, "revenue_needed_per_gw": 11.5}


def test_cost_grid_equals_a_rerun_at_every_point() -> None:
    args = dict(chip_share=0.6, building_life=20.0, price_per_mwh=80.0, utilization=0.8, opex_share=0.02)
    g = dials.cost_grid(40.0, waccs=(0.08, 0.12), chip_lives=range(3, 9), wacc=0.10, chip_life=5.0,
                        gross_margin=0.6, **args)
    assert len(g["rows"]) == 3 * 6  # the default 10% joins the cost-of-capital dial's values
    for row in g["rows"]:
        total = infra.annual_cost_per_gw(40.0, args["chip_share"], row["chip_life"], args["building_life"],
                                         args["price_per_mwh"], args["utilization"], args["opex_share"],
                                         row["wacc"])["total"]
        assert row["cost_per_gw"] == round(total, 1)
        assert row["revenue_needed_per_gw"] == round(infra.revenue_needed_per_gw(total, 0.6), 1)
    # a longer chip life and a cheaper capital both lower the cost
    assert dials.row_at(g, chip_life=8.0)["cost_per_gw"] < dials.row_at(g)["cost_per_gw"] \
        < dials.row_at(g, chip_life=3.0)["cost_per_gw"]
    assert dials.row_at(g, wacc=0.08)["cost_per_gw"] < dials.row_at(g, wacc=0.12)["cost_per_gw"]


def test_a_default_outside_the_values_is_refused() -> None:
    with pytest.raises(ValueError, match="default"):
        dials.grid(lambda x: {"y": x}, [{"name": "x", "label": "X", "values": [1, 2], "default": 3}], unit="")


def test_widget_shows_the_default_row_escaped_and_inert() -> None:
    g = dials.grid(lambda x, w: {"out": x * 10 + (w == "b")},
                   [{"name": "x", "label": "X <b>dial</b>", "values": [1, 2], "default": 2},
                    {"name": "w", "label": "W", "values": ["a", "b"], "default": "a",
                     "value_labels": ["</script><script>alert(1)</script>", "B & co"]}], unit="%")
    page = dials.widget(g, element_id="d1", caption="Odds <now>", output_labels={"out": "Out & about"}, suffix="%")
    assert '<output data-out="out" data-digits="1" data-suffix="%" aria-live="polite">20.0%</output>' in page
    assert "X &lt;b&gt;dial&lt;/b&gt;" in page and "Out &amp; about" in page and "Odds &lt;now&gt;" in page
    assert '<option value="1" selected>2</option>' in page  # the default value (index 1 of x) selected
    data = re.search(r'<script type="application/json" class="aic-dial-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in data and json.loads(data)["rows"][3] == {"x": 2, "w": "b", "out": 21.0}
    assert page.count("<script") == 2  # the data block and the code: a label cannot open or close one
    assert "http" not in page  # nothing fetched


def test_the_pdf_says_where_the_dials_are_and_prints_the_central_numbers() -> None:
    """The PDF cannot run the dials: in their place it says so and prints the default row, escaped."""
    g = dials.grid(lambda x, w: {"hard_landing": x * 10 + (w == "b"), "out": 0.25},
                   [{"name": "x", "label": "X *dial*", "values": [1, 2], "default": 2},
                    {"name": "w", "label": "W", "values": ["a", "b"], "default": "a", "value_labels": ["A", "B"]}],
                   unit="%")
    text = dials.printed(g, caption="Odds [now]", output_labels={"out": "Out"}, suffix="%", element_id="d1")
    assert text == (f"*{dials.PRINTED_NOTE}* (X \\*dial\\*: 2; W: A).\n\n"
                    "**Odds \\[now\\]:** Hard landing 20.0%; Out 0.2%.")  # 0.25 -> 0.2 (Python's rounding, as JS's toFixed)
    both = dials.markdown(g, caption="Odds", element_id="d1", suffix="%")
    html_part, pdf_part = both.split('::: {.content-visible when-format="typst"}')
    assert "<select" in html_part and "<select" not in pdf_part and "Hard landing 20.0%" in pdf_part


def test_published_grids_agree_with_the_chapters_numbers(report) -> None:
    """The build's grids (the session build's results): the cost grid's default row is the chapter's published
    cost of a GW and the revenue it must earn; the odds grid's default row is the chapter's central odds."""
    from aicompute import summary

    results = report.results()
    found = summary._published(results, summary.COST_GRID)
    assert found is not None, "no chapter published the cost grid"
    stem, cost = found
    central = dials.row_at(cost)
    assert central["cost_per_gw"] == results[stem]["annual_cost_per_gw"]["value"]
    assert central["revenue_needed_per_gw"] == results[stem]["revenue_needed_per_gw"]["value"]
    odds = summary._published(results, summary.ODDS_GRID)
    if odds is not None:
        stem, grid = odds
        row = dials.row_at(grid)
        for ending in dials.outputs_of(grid):
            assert row[ending] == pytest.approx(results[stem][f"p_{ending}"]["value"], abs=0.11)  # both in %


def test_endings_are_labelled_as_the_model_spells_them() -> None:
    from aicompute import dials
    from aicompute.scenarios.model import LABELS

    assert dials._words("muddle_through") == LABELS["muddle_through"] == "Muddle-through"
    assert dials._words("cost_per_gw") == "Cost per gw"
