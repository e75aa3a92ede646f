"""Tables for the report: numbered, captioned Markdown tables for the web page and the PDF.

:func:`show` emits one Markdown pipe table (Quarto renders it for both formats) with its caption and a
``tbl-`` label, so Quarto numbers it ("Table 4.2") in HTML and PDF and chapters can cross-reference it.
Column names that are code (``operating_cash_flow``) are shown readable ("Operating cash flow"); a column of
source ids (``source_id``, ``sources``) is shown as citations (``[@id]``: the author-year label, linked to its
reference). The pipe table's rule gives each column a width in proportion to its content, so a wide table wraps
inside its columns in the PDF instead of printing text over text. ``only="html"``/``"pdf"`` shows a table in
one format (the appendices print a summary, the site the full table).

Quarto reads a ``text/markdown`` output as Pandoc markdown: text from the data reaching it must be
escaped (:func:`escape_md`, the same function as :func:`aicompute.escape.md`), or ``[@id]`` becomes a
citation (typst then stops: "label <id> does not exist"), ``*x*`` emphasis, ``<b>`` markup, ``$x$``
maths. The Markdown table escapes every cell and header; notebooks wrap data they interpolate into ``display(Markdown(...))`` in :func:`escape_md`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from aicompute.escape import md as escape_md
from aicompute.formatting import significant

fmt_num = significant  # the one formatter (aicompute.formatting): up to 3 significant digits, '' for missing


#: Column names whose whole numbers are calendar or fiscal years: written 2026, not 2,026.
_YEAR_COLUMN = re.compile(r"\byears?\b", re.IGNORECASE)


def _cell(x: Any, column: Any = None) -> str:
    if isinstance(x, (bool, np.bool_)):  # a flag reads as a word, not 1/0 or True/False
        return "yes" if x else "no"
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    if (column is not None and _YEAR_COLUMN.search(str(column)) and isinstance(x, (int, float))
            and not isinstance(x, bool) and x == x and float(x).is_integer() and 1000 <= x <= 9999):
        return str(int(x))
    return fmt_num(x)


#: Columns whose values are source ids (data/sources.csv), shown as citations; also any column whose name ends in
#: one of these words ('quote source', 'overlap_source_id'): see :func:`is_source_column`.
SOURCE_COLUMNS = ("source", "source_id", "source_ids", "sources", "source id", "source ids")


def is_source_column(column: Any) -> bool:
    """Whether a column holds source ids: its name (any case, '_' or ' ') is or ends in one of :data:`SOURCE_COLUMNS`."""
    words = str(column).lower().replace("_", " ").split()
    return any(words[-len(w.split()):] == w.split() for w in {c.replace("_", " ") for c in SOURCE_COLUMNS}) if words else False
#: Words written in capitals (or their usual form) when a code column name is made readable.
_WORDS = {"usd": "USD", "eur": "EUR", "bn": "bn", "gw": "GW", "mw": "MW", "kw": "kW", "twh": "TWh", "gb": "GB",
          "tb": "TB", "tflops": "TFLOPS", "fp8": "FP8", "fp4": "FP4", "bf16": "BF16", "hbm": "HBM", "gpu": "GPU",
          "gpus": "GPUs", "tpu": "TPU", "asic": "ASIC", "ai": "AI", "gdp": "GDP", "cds": "CDS", "ess": "ESS",
          "mc": "MC", "pct": "%", "yoy": "y/y", "id": "id", "arpu": "ARPU", "capex": "capex", "opex": "opex",
          "dc": "DC", "kwh": "kWh", "mwh": "MWh", "pue": "PUE", "roi": "ROI", "fcf": "FCF", "ocf": "OCF",
          "us": "US", "cagr": "CAGR", "sd": "SD", "p5": "p5", "p50": "p50", "p95": "p95"}
_CODE_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+|[a-z][a-z0-9]*")


def readable(column: Any) -> str:
    """A column name as a reader sees it: ``operating_cash_flow`` -> 'Operating cash flow',
    ``capex_usd_bn`` -> 'Capex USD bn', ``source_id`` -> 'Source', ``overlap_source_id`` -> 'Overlap source'
    (the column shows citations, not ids); other names unchanged."""
    name = str(column)
    if not _CODE_NAME.fullmatch(name):
        return name
    if name in ("source_id", "source_ids"):
        return "Source" if name == "source_id" else "Sources"
    if re.search(r"_sources?_ids?$", name):
        name = re.sub(r"_(source)_id$|_(source)s?_ids$", lambda m: "_source" if m[1] else "_sources", name)
    words = [_WORDS.get(w, w) for w in name.split("_")]
    first = words[0]
    words[0] = first[:1].upper() + first[1:] if first == first.lower() else first
    return " ".join(words)


def _source_ids() -> set[str]:
    from aicompute import data

    try:
        return set(data.load("sources")["id"].astype(str))
    except Exception:  # no data package (a unit test's frame): no citations
        return set()


def _citations(value: Any, known: set[str]) -> str | None:
    """``[@a; @b]`` when every id in ``value`` (separated by ';', ',' or spaces) is a known source, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    ids = [i for i in re.split(r"[;,\s]+", value.strip()) if i]
    if ids and all(i in known for i in ids):
        return "[" + "; ".join(f"@{i}" for i in dict.fromkeys(ids)) + "]"
    return None


#: A source id as it may stand in a note: a word of lower-case letters, digits and underscores with at least one '_'.
_ID_WORD = re.compile(r"(\()?\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b(\))?")


def cite_ids(text: str, known: set[str]) -> str:
    """Text from the data for a Markdown cell, escaped (:func:`escape_md`), with every known source id in it made a
    citation: '(sia_2019_annual)' -> '[@sia_2019_annual]' (the author-date label in parentheses), a bare id ->
    '@id' (the label in the sentence). A reader sees 'SIA (2020)', never the id; other words stay literal."""
    def esc(piece: str) -> str:  # escape_md trims: keep the spaces around a citation
        return (" " if piece[:1].isspace() else "") + escape_md(piece) + (" " if piece[-1:].isspace() and piece.strip() else "")

    text = " ".join(str(text).split())
    out, at = [], 0
    for m in _ID_WORD.finditer(text):
        if m[2] not in known:
            continue
        paren = bool(m[1] and m[3])
        start, end = (m.start(), m.end()) if paren else m.span(2)
        out += [esc(text[at:start]), f"[@{m[2]}]" if paren else f"@{m[2]}"]
        at = end
    return "".join(out) + esc(text[at:]) if out else escape_md(text)


def _widths(cells: list[list[str]], header: list[str]) -> list[int]:
    """Dashes per column for the pipe table's rule: in proportion to the column's longest cell or header (up to 80), or
    twice its longest word if that is more (up to 40; a date or a number is one word: next to columns of long text it
    kept too narrow a share and broke, '2026-02-' over '04'), at least 6, so Pandoc gives a wide table relative column
    widths that sum to the text width. A column of paragraphs gets twice an identifier's share (with both capped at
    40, the calibration table's prose had the share of its id column and ran to 79 rows of ~300 px)."""
    out = []
    for j, head in enumerate(header):
        texts = [t.replace("\\", "") for t in (head, *(row[j] for row in cells))]  # as shown: escapes not counted
        longest = max(len(t) for t in texts)
        word = max((len(w) for t in texts for w in t.split()), default=0)
        out.append(max(6, min(80, longest), min(40, 2 * word)))
    return out


#: A cell that reads as a number ('1,234', '-3.5', '19%', '2.1×', '4–21%'): such columns are aligned right.
_NUMBER = re.compile(r"^[−\-+]?[\d.,]+(\s*[%×])?(\s*[–-]\s*[\d.,]+(\s*[%×])?)?$")


def _alignments(cells: list[list[str]], n: int) -> list[str]:
    """'right' for a column of numbers (each non-empty cell :data:`_NUMBER`), else 'left' (text read from its start;
    centred, a paragraph in a cell was hard to read)."""
    out = []
    for j in range(n):
        shown = [row[j].replace("\\", "") for row in cells if row[j].strip()]
        out.append("right" if shown and all(_NUMBER.match(c) for c in shown) else "left")
    return out


def to_markdown(df: pd.DataFrame, *, cite: bool = False, readable_headers: bool = False,
                widths: dict[str, int] | None = None) -> str:
    """A pipe table; every header and cell is escaped (:func:`escape_md`): data text is never markup.

    ``cite``: cells of a source-id column (:data:`SOURCE_COLUMNS`) whose ids are all in data/sources.csv become
    citations; ``readable_headers``: code column names made readable (:func:`readable`), with relative widths
    (:func:`_widths`), of which ``widths`` {column: dashes} sets some (a column of names that wrap well, which by its
    longest name would take the share its short-headed number columns need)."""
    known = _source_ids() if cite else set()
    header = [escape_md(readable(c) if readable_headers else str(c)) for c in df.columns]
    cells = []
    for row in df.itertuples(index=False):
        line = []
        for v, c in zip(row, df.columns):
            cited = _citations(v, known) if known and is_source_column(c) else None
            text = _cell(v, c)
            ids_shown = str(c).lower() in ("id", "ids")  # a column of ids (a data dictionary's) shows them as they are
            line.append(cited if cited is not None else cite_ids(text, known) if known and not ids_shown else escape_md(text))
        cells.append(line)
    head = "| " + " | ".join(header) + " |"
    if readable_headers:  # relative widths, numbers right and text left
        shares = [max(2, (widths or {}).get(str(c), w)) for c, w in zip(df.columns, _widths(cells, header))]
        rule = "|" + "|".join((":" + "-" * (w - 1)) if a == "left" else ("-" * (w - 1) + ":")
                              for w, a in zip(shares, _alignments(cells, len(header)))) + "|"
    else:
        rule = "|" + "|".join("---" for _ in df.columns) + "|"
    rows = ["| " + " | ".join(line) + " |" for line in cells]
    return "\n".join([head, rule, *rows])


_LABELS: set[str] = set()


def table_label(caption: str, notebook: str | None = None) -> str:
    """A ``tbl-`` label for a table's caption, unique within the running notebook: ``tbl-<NN>-<slug>``, the
    notebook's number and the caption's first words (a counter appended if that label was used)."""
    prefix = (notebook or "nb")[:2]
    words = re.findall(r"[a-z0-9]+", caption.lower())[:6]
    base = f"tbl-{prefix}-" + ("-".join(words) or "table")
    label, n = base, 2
    while label in _LABELS:
        label, n = f"{base}-{n}", n + 1
    _LABELS.add(label)
    return label


_WHEN = {"html": "html", "pdf": "typst"}


def _only(md: str, only: str | None) -> str:
    """``md`` shown in one format only (``"html"`` or ``"pdf"``), or as is."""
    if only and only not in _WHEN:
        raise ValueError(f"only={only!r}: use 'html' or 'pdf'")
    return f'::: {{.content-visible when-format="{_WHEN[only]}"}}\n\n{md}\n\n:::' if only else md


#: A table whose rows average this many characters or more (a paragraph a row: events, claims, notes) is stacked on a
#: narrow screen: each row a card, each cell a line under its column's name (CSS ``table.aic-stack`` in
#: report/assets/quarto.css, the names from report/assets/a11y.html); as columns, a phone made each row ~20 lines tall.
STACK_CHARS = 200


#: A table of this many columns or more, mostly text (under a fifth of its cells numbers), is stacked from rows of
#: this many characters on average: on a phone the claims ledger's eight columns of medium text made every row
#: ~450 px tall and still scrolled sideways.
WIDE_COLUMNS, WIDE_CHARS = 7, 120


def stacks(df: pd.DataFrame) -> bool:
    """Whether ``df`` is prose in rows (:data:`STACK_CHARS`), or many columns of text (:data:`WIDE_COLUMNS`): stacked
    on a phone, a table on a desktop and in the PDF."""
    if df.empty:
        return False
    texts = [[_cell(v, c) for v, c in zip(row, df.columns)] for row in df.itertuples(index=False)]
    mean = sum(sum(len(t) for t in row) for row in texts) / len(texts)
    if mean >= STACK_CHARS:
        return True
    shown = [t.replace("\\", "") for row in texts for t in row if t.strip()]
    numbers = sum(bool(_NUMBER.match(t)) for t in shown) / max(1, len(shown))
    return len(df.columns) >= WIDE_COLUMNS and mean >= WIDE_CHARS and numbers < 0.2


def show(df: pd.DataFrame, caption: str | None = None, *, label: str | None = None, only: str | None = None,
         stack: bool | None = None, widths: dict[str, int] | None = None, ragged: bool = False) -> None:
    """Display ``df`` as a numbered table (Markdown, rendered by Quarto for the site and the PDF).

    With a ``caption`` the table gets a ``tbl-`` label (``label``, else :func:`table_label`), so Quarto numbers
    it; headers are made readable and source ids become citations. ``only``: ``"html"`` or ``"pdf"`` shows the
    table in that format only. ``stack``: rows as cards on a narrow screen (the class ``aic-stack``; by default
    when the rows are long text, :func:`stacks`; a table needs a caption to carry the class). ``widths``: some
    columns' relative widths (:func:`to_markdown`). ``ragged``: in the PDF its cells set ragged right, not justified
    (:func:`ragged_in_print`)."""
    from IPython.display import display

    from aicompute.context import current

    md = to_markdown(df, cite=True, readable_headers=True, widths=widths)
    if caption:
        tbl = label or table_label(caption, current().notebook)
        stacked = " .aic-stack" if (stacks(df) if stack is None else stack) else ""
        md += f"\n\n: {escape_md(caption)} {{#{tbl}{stacked}}}"
    md = ragged_in_print(md) if ragged else md
    # blank lines around: under ``#| output: asis`` outputs are joined as they are
    display({"text/markdown": f"\n{_only(md, only)}\n\n", "text/plain": df.to_string()}, raw=True)


def ragged_in_print(md: str) -> str:
    """Markdown ``md`` (a table) set ragged right in the PDF: a typst scope around it that turns justification off
    (and with it hyphenation). Justified into narrow columns, short headers broke mid-word ('Read-ings', 'land-ing')
    and stretched their spaces; ragged, a column must be as wide as its longest word, or the word runs into the next
    column (a dated readings table's 'Published' did): for a table whose widths allow it, not for every table. The
    site ignores the typst."""
    return f"```{{=typst}}\n#[#set par(justify: false)\n```\n\n{md}\n\n```{{=typst}}\n]\n```"


def heading(text: str, level: int = 2, *, only: str | None = None) -> None:
    """Display a section heading (escaped) from a cell with ``#| output: asis`` (there it is a real section:
    in the page's contents list and numbered); ``only``: ``"html"`` or ``"pdf"``."""
    from IPython.display import display

    md = f"{'#' * level} {escape_md(text)}"
    display({"text/markdown": f"\n{_only(md, only)}\n\n", "text/plain": text}, raw=True)
