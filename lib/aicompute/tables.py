"""Tables for the report: escaped HTML for the web page and a Markdown pipe table for the PDF.

Quarto reads a ``text/markdown`` output as Pandoc markdown: text from the data reaching it must be
escaped (:func:`escape_md`, the same function as :func:`aicompute.escape.md`), or ``[@id]`` becomes a
citation (typst then stops: "label <id> does not exist"), ``*x*`` emphasis, ``<b>`` markup, ``$x$``
maths. The Markdown table escapes every cell and header; notebooks wrap data they interpolate into ``display(Markdown(...))`` in :func:`escape_md`.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from aicompute import escape
from aicompute.escape import md as escape_md
from aicompute.formatting import significant

__all__ = ["to_markdown", "to_html", "show", "fmt_num", "escape_md"]


fmt_num = significant  # the one formatter (aicompute.formatting): up to 3 significant digits, '' for missing


#: Column names whose whole numbers are calendar or fiscal years: written 2026, not 2,026.
_YEAR_COLUMN = re.compile(r"\byears?\b", re.IGNORECASE)


def _cell(x: Any, column: Any = None) -> str:
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    if (column is not None and _YEAR_COLUMN.search(str(column)) and isinstance(x, (int, float))
            and not isinstance(x, bool) and x == x and float(x).is_integer() and 1000 <= x <= 9999):
        return str(int(x))
    return fmt_num(x)


def to_markdown(df: pd.DataFrame) -> str:
    """A pipe table; every header and cell is escaped (:func:`escape_md`): data text is never markup."""
    head = "| " + " | ".join(escape_md(c) for c in df.columns) + " |"
    rule = "|" + "|".join("---" for _ in df.columns) + "|"
    rows = ["| " + " | ".join(escape_md(_cell(v, c)) for v, c in zip(row, df.columns)) + " |"
            for row in df.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def to_html(df: pd.DataFrame, caption: str | None = None) -> str:
    """An HTML table with every cell escaped (text from data never becomes markup)."""
    head = "".join(f"<th>{escape.html(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape.html(_cell(v, c))}</td>" for v, c in zip(row, df.columns)) + "</tr>"
        for row in df.itertuples(index=False)
    )
    cap = f"<caption>{escape.html(caption)}</caption>" if caption else ""
    return f'<table class="aic-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def show(df: pd.DataFrame, caption: str | None = None) -> None:
    """Display ``df`` as a table in both HTML (escaped) and Markdown."""
    from IPython.display import display

    md = to_markdown(df) + (f"\n\n: {escape_md(caption)}" if caption else "")
    display({"text/html": to_html(df, caption), "text/markdown": md, "text/plain": df.to_string()}, raw=True)
