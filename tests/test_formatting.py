"""The one formatter: unit, precision and the tag a test finds; published results read by the same rules."""

from __future__ import annotations

import datetime as dt

import pytest

from aicompute import formatting as f
from aicompute.results import format_result


def test_units_and_specs() -> None:
    assert f.plain(1.234, "GW", ".1f") == "1.2 GW"
    assert f.plain(0.6, spec=".0%") == "60%"
    assert f.plain(3.24, "x", ".1f") == "3.2×"
    assert f.plain(12, "%") == "12%"
    assert f.plain(1234567) == "1,234,567"
    assert f.plain(1234.5) == "1,235" and f.plain(12.34) == "12.3"
    assert f.plain(2028.2, spec="quarter") == "Q1 2028" and f.plain(2028.8, spec="quarter") == "Q4 2028"
    # a decimal year as its month, by hand: 0.29 x 12 = 3.48 -> the fourth month; 0.9999 x 12 -> December
    assert f.plain(2028.29, spec="month") == "April 2028" and f.plain(2028.9999, spec="month") == "December 2028"
    assert f.plain(dt.date(2026, 3, 5), spec="%B %Y") == "March 2026"
    assert f.plain(0.012345, spec="sig3") == "0.0123"
    assert f.plain(2.5, "/h", ".2f") == "2.50/h"
    with pytest.raises(ValueError, match="not a finite number"):
        f.plain(float("nan"), "GW")
    # a range in a title or label: an en dash, never a hyphen ('8%-12%' read as a minus)
    assert f.plain_range(0.08, 0.12, spec=".0%") == "8%–12%" and f.plain_range(0.85, 1.2, "x", ".2f") == "0.85–1.20×"
    assert f.plain_range(2025, 2030, spec="d") == "2025–2030"


def test_a_negative_number_has_a_minus_sign() -> None:
    """Shown text writes a negative number with U+2212 (a hyphen reads as a dash), by every path of the formatter."""
    m = "\u2212"
    assert f.plain(-0.03, spec="+.0%") == f"{m}3%" and f.plain(0.03, spec="+.0%") == "+3%"
    assert f.plain(-22.6, "points", ".1f") == f"{m}22.6 points" and f.plain(-1234) == f"{m}1,234"
    assert f.plain(-1234.5) == f"{m}1,235" and f.significant(-8.45) == f"{m}8.45" and f.rate(-259593) == f"{m}260,000"
    assert f.plain(-3, spec="d") == f"{m}3" and f.plain_range(-8.5, -8.3, spec=".1f") == f"{m}8.5–{m}8.3"
    assert f.plain(-0.04, spec="+.1f") == "0.0"  # rounds to zero: no sign at all
    assert f.number("2026-01-14") == "2026-01-14" and f.number("a-b", ">4") == " a-b"  # text keeps its hyphens
    assert f.fmt(-5, "%", ".0f") == f'<span class="aic-num" data-unit="%">{m}5%</span>'


def test_only_a_sign_gets_the_minus_sign() -> None:
    """The hyphen of an exponent is no minus sign: '1e-05' stays, the sign before it changes."""
    m = "\u2212"
    assert f.plain(1e-05, spec="g") == "1e-05" and f.plain(-1e-05, spec=".1e") == f"{m}1.0e-05"
    assert f.number(-2.5e-09, ".2g") == f"{m}2.5e-09" and f.number(3e-07, ".0E") == "3E-07"
    assert f.plain(-3, spec="*>7.1f") == f"***{m}3.0" and f.number(-3, ">5d") == f"   {m}3"  # padded: still the sign
    assert f.signed("-inf") == f"{m}inf" and f.signed("2026-01-14") == "2026-01-14"  # a date's hyphens are no signs


def test_a_value_with_its_range() -> None:
    assert f.with_range(29.04, 22.2, 38.1, "%", ".1f", ".0f") == "29.0% (22–38%)"
    assert f.with_range(54, 52, 56, spec="sig3") == "54 (52–56)"
    assert f.with_range(-5, -8, -2, "%", ".0f") == "\u22125% (\u22128–\u22122%)"
    assert f.with_range(0.25, float("nan"), float("nan"), spec="sig3") == "0.25"  # no range recorded: the value alone
    assert f.with_range(7, None, 9, "%", ".0f") == "7%"
    assert f.with_range(1300, None, None, spec="sig3") == "1,300"  # absent range: the value alone
    assert f.with_range(1300, 1300, 1300, spec="sig3") == "1,300"  # an equal range is not repeated: never '1,300 (1,300)'
    assert f.with_range(0.25, 0.2501, 0.2503, spec="sig3") == "0.25"  # nor a range shown as the value's own digits
    assert f.with_range(1300, 1300, 1300, spec="sig4") == "1,300" and f.with_range(6, 6, 8, "%", ".0f") == "6% (6–8%)"
    assert f.with_range(1300, 1200, 1200, spec="sig3") == "1,300 (1,200)"  # an equal range off the value is kept


def test_tag_is_found_and_escaped() -> None:
    shown = f.fmt(1.26, "USD bn", ".1f") + " and " + f.fmt_range(2, 4, "kW", ".1f")
    assert shown == ('<span class="aic-num" data-unit="USD bn">1.3 USD bn</span> and '
                     '<span class="aic-num" data-unit="kW">2.0–4.0 kW</span>')
    assert f.tagged_numbers(shown) == ["1.3 USD bn", "2.0–4.0 kW"]
    assert f.fmt(1, '"<u>') == '<span class="aic-num" data-unit="&quot;&lt;u&gt;">1 "&lt;u&gt;</span>'


def test_published_results_read_as_the_formatter_writes() -> None:
    res = {"value": 5.25, "unit": "USD bn a year", "fmt": ".1f", "low": 4.5, "high": 6.0}
    assert format_result(res) == f"{f.plain(5.25, 'USD bn a year', '.1f')} (4.5–6.0)"
    assert format_result({"value": 12.0, "unit": "%", "low": 5.0, "high": 20.0}) == "12.0% (5.0–20.0%)"


def test_inline_values() -> None:
    assert f.inline("**5 GW**") == "**5 GW**" and f.inline("x")._repr_markdown_() == "x"
    assert f.inline(1234) == f.fmt(1234)
    with pytest.raises(TypeError, match=r"write fmt\(value, unit, spec\)"):
        f.inline(1.5)
    with pytest.raises(ValueError, match="if: condition"):
        f.inline(" ")


def test_rounding_is_half_away_from_zero_on_the_written_decimal() -> None:
    # Python's format() rounds half to even: 34.5 -> '34', 25.5 -> '26' beside 442.5 -> '442'
    assert [f.plain(x, spec=".0f") for x in (34.5, 25.5, 442.5, 235.5, -2.5)] == ["35", "26", "443", "236", "\u22123"]
    assert f.plain(0.555, spec=".0%") == "56%" and f.plain(0.835, spec=".0%") == "84%"  # 55.5% and 83.5% alike
    assert f.plain(2.675, spec=".2f") == "2.68"  # the float is 2.67499..., the number written is 2.675
    assert f.plain(1234.5) == "1,235" and f.plain(0.25) == "0.3"
    assert f.significant(0.0125) == "0.0125" and f.significant(2.345) == "2.35" and f.significant(9.996) == "10"


def test_a_zero_carries_no_sign() -> None:
    assert f.plain(0.0, "points", "+.1f") == "0.0 points" and f.plain(-0.04, spec="+.1f") == "0.0"
    assert f.plain(-0.04, spec=".1f") == "0.0" and f.plain(0.146, spec="+.1%") == "+14.6%"


def test_derived_rates_get_three_significant_figures() -> None:
    assert f.rate(259593.3) == "260,000" and f.rate(12345.6) == "12,300" and f.rate(119.3) == "119"
    assert f.rate(0.00805) == "0.00805" and f.rate(0) == "0"
    assert f.significant(259593) == "259,593"  # a reported whole number keeps its digits


def test_a_total_beside_its_parts_adds_up_or_says_rounded() -> None:
    assert f.total_text([24, 34, 26, 0], "USD bn", ".0f") == "84 USD bn"  # the shown parts add up: nothing to say
    assert f.total_text([24, 34.5, 25.5, 0, float("nan")], "USD bn", ".0f") == "84 USD bn (parts rounded)"  # 24+35+26
    assert f.total_text([0.4, 0.4, 0.4], spec=".0f") == "1 (parts rounded)"
    assert f.fmt_total([1, 2], "GW", ".0f") == f.fmt(3, "GW", ".0f")
    with pytest.raises(ValueError, match="fixed-point"):
        f.total_text([1], spec=".0%")


def test_one_label_for_a_quarter() -> None:
    assert f.fiscal_quarter("2026-02-01", "Nvidia") == "Q1 FY27 (Feb–Apr 2026)"
    assert f.fiscal_quarter("2025-11-01", "Nvidia") == "Q4 FY26 (Nov 2025–Jan 2026)"
    assert f.fiscal_quarter("2025-12-01", "Micron") == "Q2 FY26 (Dec 2025–Feb 2026)"
    assert f.fiscal_quarter("2026-04-01") == "Q2 2026" and f.fiscal_quarter("2026-02-01") == "Feb–Apr 2026"
    assert f.quarter_ending("2026-04-26", "Nvidia") == f.fiscal_quarter("2026-02-01", "Nvidia")
    assert f.quarter_ending("2026-01-25", "Nvidia") == "Q4 FY26 (Nov 2025–Jan 2026)"
    assert f.quarter_ending("2026-03-31") == "Q1 2026"


def test_the_article_before_a_number_is_the_one_read_aloud() -> None:
    assert [f.article(x) for x in ("8%", "11×", "18 GW", "80 USD bn", "11,000", "800", "8,064")] == ["an"] * 7
    assert [f.article(x) for x in ("1.8×", "110", "12%", "180", "1,800", "under 1%", "118")] == ["a"] * 7
    assert f.an(f.fmt(0.08, spec=".0%")) == "an " + f.fmt(0.08, spec=".0%")
    assert f.an(f.plain(3, spec=".0f"), capital=True) == "A 3"


def test_a_range_whose_ends_read_alike_is_one_number() -> None:
    assert f.plain_range(5.6, 6.4, "%", ".0f") == "6%" and f.plain_range(5, 20, "%", ".0f") == "5–20%"
    assert f.tagged_numbers(f.fmt_range(0.061, 0.064, spec=".0%")) == ["6%"]


def test_capitalised_changes_the_first_letter_only() -> None:
    from aicompute.formatting import capitalised

    assert capitalised("the odds lean to a boom") == "The odds lean to a boom"
    assert capitalised("") == "" and capitalised("2027 would") == "2027 would"
