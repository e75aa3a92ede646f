from __future__ import annotations

import subprocess

import pandas as pd
import pytest

from aicompute import tables
from conftest import quarto_tool


def test_markdown_escape() -> None:
    df = pd.DataFrame({"name": ["a|b", "<script>x</script>"], "value": [1234567.0, 0.0123456]})
    md = tables.to_markdown(df)
    assert md.splitlines() == [
        "| name | value |",
        "|---|---|",
        "| a\\|b | 1\\,234\\,567 |",
        "| \\<script\\>x\\<\\/script\\> | 0\\.0123 |",
    ]


#: Data text that Pandoc would otherwise read as markup: a citation (typst stops on it: "label <id> does not
#: exist"), emphasis, a tag, maths, a cross-reference, a footnote, a heading, a list, a Quarto shortcode.
TRICKY = ["cited as [@id] in the report", "*not emphasis* and __this__", "<b>bold</b> & co", "$5 to $6",
          "see @fig-x", "^[a note]", "# not a heading", "1. not a list", "{{< include x >}}", "back\\slash `tick`"]


def test_escape_md_keeps_data_text_literal() -> None:
    assert tables.escape_md("cited as [@id]\nin the report") == "cited as \\[\\@id\\] in the report"
    pandoc = quarto_tool("pandoc")
    md = tables.to_markdown(pd.DataFrame({"text": TRICKY}))
    out = subprocess.run([*pandoc, "-f", "markdown", "-t", "plain", "--wrap=none"], input=md, capture_output=True,
                         text=True, check=True).stdout
    for text in TRICKY:
        assert text in out, f"{text!r} did not survive: {out}"
    native = subprocess.run([*pandoc, "-f", "markdown", "-t", "native"], input=md, capture_output=True, text=True,
                            check=True).stdout
    for markup in ("Cite", "Emph", "Strong", "RawInline", "Math", "Note", "Header", "OrderedList"):
        assert markup not in native, markup




def test_fmt_num() -> None:
    assert [tables.fmt_num(x) for x in (0, 3.14159, 22.4, 1400.0, None, float("nan"), "x")] == [
        "0",
        "3.14",
        "22.4",
        "1,400",
        "",
        "",
        "x",
    ]


def test_year_columns_have_no_thousands_separator() -> None:
    df = pd.DataFrame({"year": [2026, 2027], "fiscal year": [2026.0, 2027.0], "value": [2026, 1914.0]})
    md = tables.to_markdown(df)
    assert "| 2026 | 2026 | 2\\,026 |" in md  # the value column keeps its separator (Pandoc-escaped comma)
    assert "| 2027 | 2027 | 1\\,914 |" in md
    assert "| 3\\.5 |" in tables.to_markdown(pd.DataFrame({"years": [3.5]}))  # not a whole year: unchanged


def test_readable_column_names() -> None:
    assert tables.readable("operating_cash_flow") == "Operating cash flow"
    assert tables.readable("capex_usd_bn") == "Capex USD bn"
    assert tables.readable("source_id") == "Source"
    assert tables.readable("bf16_dense_tflops") == "BF16 dense TFLOPS"
    assert tables.readable("value") == "Value"
    assert tables.readable("Nvidia DC run-rate") == "Nvidia DC run-rate"  # already readable: unchanged
    assert tables.readable("our case") == "our case"


def test_source_ids_become_citations_and_other_text_stays_literal() -> None:
    known = {"a_2026", "b_2025"}
    assert tables._citations("a_2026", known) == "[@a_2026]"
    assert tables._citations("a_2026; b_2025", known) == "[@a_2026; @b_2025]"
    assert tables._citations("a_2026; not_a_source", known) is None  # all or nothing
    assert tables._citations("", known) is None


def test_numbered_table_markdown(monkeypatch: pytest.MonkeyPatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    tables._LABELS.clear()
    df = pd.DataFrame({"event_date": ["2026-01-02"], "source_id": ["seed_article"]})
    tables.show(df, caption="What changed since the seed")
    tables.show(df, caption="What changed since the seed", only="pdf")
    first, second = (s["text/markdown"] for s in shown)
    assert "text/html" not in shown[0]  # one Markdown table for both formats: Quarto numbers it
    assert "| Event date | Source |" in first and "| 2026\\-01\\-02 | [@seed_article] |" in first
    assert first.strip().endswith(": What changed since the seed {#tbl-nb-what-changed-since-the-seed}")
    assert "{#tbl-nb-what-changed-since-the-seed-2}" in second  # unique labels
    assert second.strip().startswith('::: {.content-visible when-format="typst"}')
    with pytest.raises(ValueError, match="only="):
        tables.show(df, caption="x", only="docx")


def test_wide_tables_get_relative_column_widths() -> None:
    df = pd.DataFrame({"short": ["a"], "long text": ["x" * 100]})
    rule = tables.to_markdown(df, readable_headers=True).splitlines()[1]
    # in proportion to the content (up to 80) or twice the longest word (up to 40; 'short': 10); text aligned left
    assert rule == "|:" + "-" * 9 + "|:" + "-" * 79 + "|"
    ids = pd.DataFrame({"id": ["cancellation_unfunded_multiplier"], "calibration": ["word " * 60]})
    rule = tables.to_markdown(ids, readable_headers=True).splitlines()[1]
    assert rule == "|:" + "-" * 39 + "|:" + "-" * 79 + "|"  # the prose twice the identifier's share
    events = pd.DataFrame({"published": ["2026-02-04"], "event": ["word " * 30], "share": ["19%"], "n": [1234.5],
                           "range": ["4–21%"], "note": ["about 5"]})
    rule = tables.to_markdown(events, readable_headers=True).splitlines()[1]
    # the date: twice its 10 characters (escapes not counted), so it keeps its line; numbers aligned right
    assert rule.split("|")[1:-1] == [":" + "-" * 19, ":" + "-" * 79, "-" * 9 + ":", "-" * 9 + ":", "-" * 9 + ":",
                                     ":" + "-" * 9]  # "about 5": twice "about"
    # a column's share set by hand: a column of names narrower, so that short number headers keep their words whole
    rule = tables.to_markdown(events, readable_headers=True, widths={"event": 30}).splitlines()[1]
    assert rule.split("|")[2] == ":" + "-" * 29 and rule.split("|")[1] == ":" + "-" * 19


def test_tables_of_long_text_are_stacked_on_a_phone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table whose rows are a paragraph each (the 'what changed since the seed' tables) carries the class that
    stacks its rows as cards on a narrow screen; a table of numbers does not; ``stack`` overrides the rule."""
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    tables._LABELS.clear()
    prose = pd.DataFrame({"published": ["2026-01-02"] * 2, "event": ["e" * 120] * 2, "what it means": ["m" * 80] * 2})
    numbers = pd.DataFrame({"year": [2025, 2026], "revenue": [1.5, 2.25]})
    assert tables.stacks(prose) and not tables.stacks(numbers) and not tables.stacks(numbers.iloc[:0])
    assert not tables.stacks(prose.assign(event="e" * 99))  # 10 + 99 + 80 = 189 < 200 characters a row
    # seven columns of medium text (the ledger: ~450 px a row on a phone) stack from 120 characters a row; seven of
    # numbers do not (a grid compares rows)
    ledger = pd.DataFrame({c: ["word " * 4] for c in "abcdefg"})  # 7 x 20 = 140 characters
    assert tables.stacks(ledger) and not tables.stacks(ledger.iloc[:, :6])
    assert not tables.stacks(pd.DataFrame({c: ["1,234,567,890,123.45"] for c in "abcdefg"}))  # 7 x 20, all numbers
    tables.show(prose, caption="Events")
    tables.show(numbers, caption="Revenue")
    tables.show(numbers, caption="Forced", stack=True)
    events, revenue, forced = (s["text/markdown"] for s in shown)
    assert events.strip().endswith("{#tbl-nb-events .aic-stack}")
    assert revenue.strip().endswith("{#tbl-nb-revenue}") and forced.strip().endswith("{#tbl-nb-forced .aic-stack}")


def test_flags_and_id_columns_read_as_words() -> None:
    import numpy as np

    from aicompute.tables import _cell, readable

    assert [_cell(v, "counted") for v in (True, False, np.True_, np.False_)] == ["yes", "no", "yes", "no"]
    assert readable("overlap_source_id") == "Overlap source" and readable("quote_source_ids") == "Quote sources"
    assert readable("source_id") == "Source"


def test_source_ids_in_notes_become_citations() -> None:
    from aicompute.tables import cite_ids

    known = {"sia_2019_annual"}
    assert cite_ids("fell 33% in 2019 (sia_2019_annual) and 29% (semis_history)", known) == (
        r"fell 33\% in 2019 [@sia_2019_annual] and 29\% \(semis\_history\)")
    assert cite_ids("see sia_2019_annual", known) == "see @sia_2019_annual"
    assert cite_ids("[@x] *y*", known) == r"\[\@x\] \*y\*"


def test_a_table_set_ragged_in_print_is_a_typst_scope_around_it() -> None:
    md = tables.to_markdown(pd.DataFrame({"a": [1]})) + "\n\n: caption {#tbl-x}"
    shown = tables.ragged_in_print(md)
    opening, closing = "```{=typst}\n#[#set par(justify: false)\n```", "```{=typst}\n]\n```"
    assert shown.startswith(opening) and shown.endswith(closing) and md in shown  # the table and its label inside
    assert shown.count("#[") == 1 and shown.count("\n]\n") == 1  # one scope, opened and closed
