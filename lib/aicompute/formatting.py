"""One formatter for every number a reader sees.

:func:`fmt` knows a quantity's unit and precision and returns it tagged for prose::

    fmt(1.234, "GW", ".1f")      -> '<span class="aic-num" data-unit="GW">1.2 GW</span>'
    fmt(0.6, spec=".0%")         -> '... 60% ...'          (a share written as a percentage)
    fmt(3.2, "x", ".1f")         -> '... 3.2× ...'
    fmt(2028.3, spec="quarter")  -> '... Q2 2028 ...'
    fmt(2028.29, spec="month")   -> '... April 2028 ...'   (a decimal year as its calendar month)
    fmt(date, spec="%B %Y")      -> '... March 2026 ...'   (a date: ``spec`` is a strftime pattern)
    fmt(-0.03, spec="+.0%")      -> '... −3% ...'          (a negative number with a minus sign, U+2212)

The tag (``<span class="aic-num">``, like the ``aic-result`` tag of :func:`aicompute.results.text`) lets a
test find every formatted number on a page and tell it from a number typed by hand. :func:`plain` gives the
same text untagged, for chart titles, axis labels, table captions and anything else that is not Markdown
prose. A published result (:mod:`aicompute.results`) is formatted by the same rules (:func:`number`,
:func:`with_unit`), so one quantity reads the same in a chart title, a table and the text.

:func:`inline` is what the build's papermill engine (:mod:`aicompute.pipeline.inline`) calls on the value of
each `` `{python} expr` `` in a Markdown cell: text passes through as Markdown, whole numbers get thousands
separators, and a bare float is refused (it has no unit or precision: write ``fmt(x, unit, spec)``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import math
import numbers
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

#: The minus sign of a negative number a reader sees (U+2212): a hyphen ('-3%') reads as a dash and is shorter
#: than the plus sign. Only shown text gets it: CSV downloads and published results keep their numbers.
MINUS = "\u2212"

#: A hyphen that is a number's sign: not one inside an exponent ('1e-05'), which follows a letter.
_SIGN = re.compile(r"(?<![0-9A-Za-z.])-(?=[0-9.]|inf|nan)")


def signed(text: str) -> str:
    """A number's text with a minus sign (:data:`MINUS`) for the hyphen of its sign only: '-3.0' -> '−3.0',
    '-1.5e-05' -> '−1.5e-05', '1e-05' as is (an exponent's hyphen is no minus sign), '  -3' -> '  −3'."""
    return _SIGN.sub(MINUS, text)


#: The tag of a formatted number in prose: ``<span class="aic-num" data-unit="...">text</span>``.
TAG = re.compile(r'<span class="aic-num"(?: data-unit="[^"]*")?>(.*?)</span>', re.S)


def _is_date(x: Any) -> bool:
    return isinstance(x, (dt.date, dt.datetime)) or type(x).__name__ == "Timestamp"


def number(x: Any, spec: str = "") -> str:
    """``x`` as text by ``spec``: a format spec (``".1f"``, ``",.0f"``, ``".0%"``), ``"quarter"`` (a
    decimal year as its calendar quarter: 2028.2 -> 'Q1 2028'), ``"month"`` (its calendar month: 2028.29 -> 'April
    2028', the fraction of the year x 12 rounded down: 0.29 x 12 = 3.48, the fourth month), ``"sig3"`` (three significant digits,
    :func:`significant`), ``"rate"`` (a derived rate or multiple to three significant figures, :func:`rate`), a strftime pattern for a date, or ``""``: whole numbers with thousands
    separators, others with one decimal below 1,000 and none above. A negative number has a minus sign (:data:`MINUS`)."""
    if _is_date(x):
        return x.strftime(spec) if spec else x.isoformat()[:10]
    if spec == "quarter":
        year = math.floor(x)
        return f"Q{min(4, int((x - year) * 4) + 1)} {year}"
    if spec == "month":
        year = math.floor(x)
        return f"{calendar.month_name[min(12, int((x - year) * 12) + 1)]} {year}"
    if spec == "rate":
        return rate(x)
    if spec.startswith("sig"):
        return significant(x, int(spec[3:] or 3))
    if spec:
        return _format(x, spec)
    if isinstance(x, bool) or not isinstance(x, numbers.Number):
        return str(x)
    if isinstance(x, numbers.Integral):
        return signed(f"{x:,}")
    return _format(x, ",.1f" if abs(x) < 1000 else ",.0f")


#: A fixed-point or percentage spec: everything before the precision, the precision, the kind.
_FIXED = re.compile(r"^(?P<head>[^.]*?)(?:\.(?P<prec>\d+))?(?P<kind>[f%])$")


def _decimal(x: Any) -> Decimal | None:
    """``x`` as the Decimal of its shortest decimal representation (2.675 -> Decimal('2.675')), or None."""
    if isinstance(x, Decimal):
        return x if x.is_finite() else None
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    return Decimal(repr(float(x))) if math.isfinite(x) else None


def rounded(x: Any, places: int) -> Decimal:
    """``x`` rounded to ``places`` decimals half away from zero, as written (34.5 -> 35, 2.675 -> 2.68), never
    to even as Python's ``round`` and ``format`` do (34.5 -> 34, 25.5 -> 26: shown parts that do not add up);
    a result that rounds to zero is zero without a sign (-0.04 -> 0.0, never '-0.0' or '+0.0')."""
    d = _decimal(x)
    if d is None:
        raise TypeError(f"cannot round {x!r}: not a finite real number")
    q = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return q.copy_abs() if q.is_zero() else q


def _format(x: Any, spec: str) -> str:
    """``format(x, spec)``, except that fixed-point and percentage specs round half away from zero (:func:`rounded`),
    a zero never carries a sign ('+0.0' reads as a rise) and a negative number has a minus sign (:data:`MINUS`)."""
    m = _FIXED.match(spec)
    d = _decimal(x) if m else None
    if d is None:
        text = format(x, spec)
        return signed(text) if isinstance(x, numbers.Number) else text
    places = int(m["prec"]) if m["prec"] is not None else 6
    q = rounded(d * 100 if m["kind"] == "%" else d, places)
    head = m["head"].replace("+", "") if q.is_zero() else m["head"]
    return signed(format(q, f"{head}.{places}f") + ("%" if m["kind"] == "%" else ""))


#: The month a company's fiscal year begins, for companies whose fiscal year is not the calendar year (their
#: filings): Nvidia's begins in late January (FY2027: Feb 2026 - Jan 2027), Micron's in September, Oracle's in June,
#: Microsoft's in July.
FISCAL_YEAR_START = {"Nvidia": 2, "Micron": 9, "Oracle": 6, "Microsoft": 7}


def fiscal_quarter(start: Any, entity: str | None = None) -> str:
    """The one label of a quarter, from its first month (``start``) and the company that reports it: a calendar
    quarter is 'Q1 2026'; a company's fiscal quarter (:data:`FISCAL_YEAR_START`) is 'Q1 FY27 (Feb–Apr 2026)'; a
    quarter off the calendar whose company is unknown is its months, 'Feb–Apr 2026' ('Nov 2025–Jan 2026')."""
    first = dt.date(int(str(start)[:4]), int(str(start)[5:7]), 1)
    last_month = (first.month + 1) % 12 + 1
    last_year = first.year + (first.month + 2 > 12)
    months = (f"{first:%b}–{dt.date(last_year, last_month, 1):%b %Y}" if last_year == first.year
              else f"{first:%b %Y}–{dt.date(last_year, last_month, 1):%b %Y}")
    fy_start = FISCAL_YEAR_START.get(entity or "")
    if fy_start and fy_start != 1:
        q = (first.month - fy_start) % 12 // 3 + 1
        fy_end = first.year + (first.month >= fy_start)  # the fiscal year is named by the year it ends in
        return f"Q{q} FY{fy_end % 100:02d} ({months})"
    if first.month in (1, 4, 7, 10):
        return f"Q{(first.month - 1) // 3 + 1} {first.year}"
    return months


def quarter_ending(end: Any, entity: str | None = None) -> str:
    """:func:`fiscal_quarter` of the quarter that ends on ``end`` (a period-end date: Nvidia's 2026-04-26 ->
    'Q1 FY27 (Feb–Apr 2026)'; a fiscal month ending in its last days counts as that month)."""
    end = dt.date.fromisoformat(str(end)[:10])
    month = end.month - 2 if end.day >= 15 else end.month - 3  # 2026-04-26 ends April; 2026-02-01 ends January
    year = end.year + (month - 1) // 12
    return fiscal_quarter(f"{year:04d}-{(month - 1) % 12 + 1:02d}", entity)


def with_unit(text: str, unit: str) -> str:
    """'12' + '%' -> '12%'; '3.2' + 'x' -> '3.2×'; '5' + 'USD bn' -> '5 USD bn'; '/h' is appended as is."""
    if unit == "%":
        return text + "%"
    if unit.startswith("/"):
        return text + unit
    if unit == "x":
        return text + "×"
    return f"{text} {unit}".strip()


def significant(x: Any, digits: int = 3) -> str:
    """A number with up to ``digits`` significant digits (rounded half away from zero) and thousands
    separators; '' for missing. Whole numbers of more digits stay whole (12,345): use :func:`rate` for a derived
    quantity whose extra digits would be spurious precision."""
    if x is None or (isinstance(x, float) and x != x):
        return ""
    d = _decimal(x)
    if d is None:
        return str(x)
    if d.is_zero():
        return "0"
    if abs(d) >= 10 ** digits:
        return _format(d, ",.0f")
    places = max(0, digits - 1 - d.adjusted())
    q = rounded(d, places)
    if q.adjusted() > d.adjusted():  # 9.996 -> 10.0: one digit fewer after the point
        q = rounded(d, max(0, places - 1))
    text = signed(format(q, f",.{max(0, -q.as_tuple().exponent)}f"))
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate(x: Any, digits: int = 3) -> str:
    """A derived quantity (a rate, a ratio, a multiple) to ``digits`` significant figures however large:
    259,593 -> '260,000', 119.3 -> '119', 0.00805 -> '0.00805'. Measured and reported whole numbers keep their
    digits (:func:`significant`); a model's output does not have six of them."""
    d = _decimal(x)
    if d is None or d.is_zero() or abs(d) < 10 ** digits:
        return significant(x, digits)
    step = Decimal(1).scaleb(d.adjusted() - digits + 1)
    return _format((d / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step, ",.0f")


def plain(value: Any, unit: str = "", spec: str = "") -> str:
    """The formatted text without the tag (chart titles, captions, anything that is not Markdown prose)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot format {value} ({unit or 'no unit'}): not a finite number")
    return with_unit(number(value, spec), unit)


def _tag(text: str, unit: str) -> str:
    attr = f' data-unit="{html.escape(unit, quote=True)}"' if unit else ""
    return f'<span class="aic-num"{attr}>{html.escape(text, quote=False)}</span>'


def fmt(value: Any, unit: str = "", spec: str = "") -> str:
    """``value`` with its ``unit`` and precision ``spec`` (see :func:`number`), tagged for prose."""
    return _tag(plain(value, unit, spec), unit)


def plain_range(low: Any, high: Any, unit: str = "", spec: str = "") -> str:
    """'2.0–4.0 kW', '8%–12%', '1.1–1.6×', '2025–2030' (spec 'd'): a range with an en dash (never a hyphen), the unit
    once after it; untagged, for chart titles, labels and captions (:func:`plain`). A range whose ends are shown
    alike is one number ('6%', never '6–6%')."""
    lo, hi = number(low, spec), number(high, spec)
    return with_unit(lo if lo == hi else f"{lo}–{hi}", unit)


def fmt_range(low: Any, high: Any, unit: str = "", spec: str = "") -> str:
    """:func:`plain_range`, one tag around the range."""
    return _tag(plain_range(low, high, unit, spec), unit)


def with_range(value: Any, low: Any, high: Any, unit: str = "", spec: str = "", range_spec: str | None = None) -> str:
    """'29.0% (22–38%)': a value and the range around it in brackets (:func:`plain_range`), the one way a table cell
    shows both; ``range_spec``: the range's own precision when it is shown coarser than the value (default ``spec``).
    The value alone where an end is missing (None or NaN: no range recorded) and where the range as shown is the
    value as shown ('1,300', never '1,300 (1,300)'). Untagged (table cells, labels)."""
    shown = plain(value, unit, spec)
    if any(x is None or x != x for x in (low, high)):
        return shown
    rspec = spec if range_spec is None else range_spec
    band = plain_range(low, high, unit, rspec)
    return shown if band == plain(value, unit, rspec) else f"{shown} ({band})"


def total_text(values: Any, unit: str = "", spec: str = "") -> str:
    """The total of parts shown beside it (untagged), rounded as the parts are. Where the shown parts add up to
    it, that is all; where they do not (24, 34.5 and 25.5 are shown '24', '35', '26' and total 84), it says so:
    '84 (parts rounded)', so no reader adds the parts and finds the text wrong. ``spec``: the parts' fixed-point
    spec ('.0f', ',.1f'); missing parts count as nothing."""
    m = _FIXED.match(spec)
    if not m or m["kind"] != "f":
        raise ValueError(f"total_text needs the parts' fixed-point spec ('.0f', ',.1f'), not {spec!r}")
    places = int(m["prec"]) if m["prec"] is not None else 6
    parts = [d for d in (_decimal(v) for v in values) if d is not None]
    shown, exact = sum(rounded(d, places) for d in parts), rounded(sum(parts, Decimal(0)), places)
    text = with_unit(_format(exact, spec), unit)
    return text if shown == exact else f"{text} (parts rounded)"


def fmt_total(values: Any, unit: str = "", spec: str = "") -> str:
    """:func:`total_text`, tagged for prose."""
    return _tag(total_text(values, unit, spec), unit)


def article(number_text: str) -> str:
    """'a' or 'an' for a number as it is read aloud: 'an 8%' (eight), 'an 11×' (eleven), 'an 18 GW', 'an 80 USD bn',
    'an 11,000' (eleven thousand), but 'a 1.8×', 'a 110', 'a 12%'. ``number_text``: the number as shown
    (:func:`plain`, or :func:`fmt`'s tagged text); a text that does not start with a digit takes 'a'."""
    m = re.match(r"\s*(\d[\d,]*)", html.unescape(re.sub(r"<[^>]+>", "", number_text)))
    if not m:
        return "a"
    whole = m[1].rstrip(",")
    digits = whole.replace(",", "")
    first_group = whole.split(",")[0] if "," in whole else digits[: (len(digits) - 1) % 3 + 1]
    return "an" if digits[0] == "8" or first_group in ("11", "18") else "a"


def an(number_text: str, capital: bool = False) -> str:
    """``number_text`` (formatted, e.g. by :func:`fmt`) after its article: 'an 8%', 'a 12%' (:func:`article`);
    ``capital``: 'An 8-year ...' opening a sentence. Prose never types 'a' before a number it does not know."""
    word = article(number_text)
    return f"{word.capitalize() if capital else word} {number_text}"


def capitalised(text: str) -> str:
    """``text`` with its first letter capitalised and the rest as it is ('the odds' -> 'The odds'; 'iPhone' ->
    'IPhone': for text that opens with an ordinary word)."""
    return text[:1].upper() + text[1:]


def and_list(items: list[str]) -> str:
    """'A', 'A and B', 'A, B and C': items already formatted, joined as prose."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def quote(value: Any) -> str:
    """Text from the data (a company, a model name, an instrument) for prose: Markdown-escaped, so it can
    never become markup, and tagged ``aic-data`` so a test can tell a name such as 'Llama 3.1 405B' from a
    number typed into the text."""
    from aicompute.escape import md

    return f'<span class="aic-data">{md(value)}</span>'


def tagged_numbers(markup: str) -> list[str]:
    """The text of every :func:`fmt`-tagged number in ``markup``."""
    return [html.unescape(t) for t in TAG.findall(markup)]


class Inline(str):
    """Text that is Markdown: IPython shows it rendered (``_repr_markdown_``)."""

    def _repr_markdown_(self) -> str:
        return str(self)


def inline(value: Any) -> Inline:
    """The Markdown an inline `` `{python} expr` `` shows for ``value``.

    Text is taken as Markdown (format numbers with :func:`fmt` and escape text from data with
    :func:`aicompute.tables.escape_md` before it gets here); a whole number gets thousands separators;
    a float, or anything else, is refused with a message saying what to write instead. Empty text is
    refused too (Quarto would show the expression's source): put optional sentences in a conditional
    cell (``<!-- if: condition -->``)."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("the expression gives empty text; put an optional sentence in its own cell "
                             "starting with <!-- if: condition -->")
        return Inline(value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return Inline(fmt(int(value)))
    raise TypeError(f"the expression gives a {type(value).__name__} ({value!r}); write fmt(value, unit, spec) "
                    f"so the number has its unit and precision")
