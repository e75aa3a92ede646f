"""One formatter for every number a reader sees.

:func:`fmt` knows a quantity's unit and precision and returns it tagged for prose::

    fmt(1.234, "GW", ".1f")      -> '<span class="aic-num" data-unit="GW">1.2 GW</span>'
    fmt(0.6, spec=".0%")         -> '... 60% ...'          (a share written as a percentage)
    fmt(3.2, "x", ".1f")         -> '... 3.2× ...'
    fmt(2028.3, spec="quarter")  -> '... Q2 2028 ...'
    fmt(date, spec="%B %Y")      -> '... March 2026 ...'   (a date: ``spec`` is a strftime pattern)

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

import datetime as dt
import html
import math
import numbers
import re
from typing import Any

#: The tag of a formatted number in prose: ``<span class="aic-num" data-unit="...">text</span>``.
TAG = re.compile(r'<span class="aic-num"(?: data-unit="[^"]*")?>(.*?)</span>', re.S)


def _is_date(x: Any) -> bool:
    return isinstance(x, (dt.date, dt.datetime)) or type(x).__name__ == "Timestamp"


def number(x: Any, spec: str = "") -> str:
    """``x`` as text by ``spec``: a format spec (``".1f"``, ``",.0f"``, ``".0%"``), ``"quarter"`` (a
    decimal year as its calendar quarter: 2028.2 -> 'Q1 2028'), ``"sig3"`` (three significant digits,
    :func:`significant`), a strftime pattern for a date, or ``""``: whole numbers with thousands
    separators, others with one decimal below 1,000 and none above."""
    if _is_date(x):
        return x.strftime(spec) if spec else x.isoformat()[:10]
    if spec == "quarter":
        year = math.floor(x)
        return f"Q{min(4, int((x - year) * 4) + 1)} {year}"
    if spec.startswith("sig"):
        return significant(x, int(spec[3:] or 3))
    if spec:
        return format(x, spec)
    if isinstance(x, bool) or not isinstance(x, numbers.Number):
        return str(x)
    if isinstance(x, numbers.Integral):
        return f"{x:,}"
    return f"{x:,.1f}" if abs(x) < 1000 else f"{x:,.0f}"


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
    """A number with up to ``digits`` significant digits and thousands separators; '' for missing."""
    if x is None or (isinstance(x, float) and x != x):
        return ""
    if isinstance(x, (int, float)):
        if x == 0:
            return "0"
        if abs(x) >= 10 ** digits:
            return f"{x:,.0f}"
        return f"{x:,.{digits}g}"
    return str(x)


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
    """'2.0–4.0 kW', '8%–12%', '1.1–1.6×', '2025–2030' (spec 'd'): a range with an en dash (never a hyphen), the unit once
    after it; untagged, for chart titles, labels and captions (:func:`plain`)."""
    return with_unit(f"{number(low, spec)}–{number(high, spec)}", unit)


def fmt_range(low: Any, high: Any, unit: str = "", spec: str = "") -> str:
    """'2.0–4.0 kW', '5–20%', '1.1–1.6×': one tag around the range, the unit once after it."""
    return _tag(plain_range(low, high, unit, spec), unit)


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
