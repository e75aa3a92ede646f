"""What a reader sees of an executed chapter, and how many of its numbers are references.

A chapter's prose is its Markdown cells, with each inline `` `{python} expr` `` replaced by the Markdown the
build stored for it (:mod:`aicompute.pipeline.inline`), plus any Markdown a code cell displays that is not a
table or a chart. A number in it is a *reference* when it went through the one formatter
(:func:`aicompute.formatting.fmt`, tag ``aic-num``) or is a published result
(:func:`aicompute.results.text`, tag ``aic-result``); any other digits were typed by hand or formatted
in an f-string. :func:`number_counts` counts both kinds; ``bench/prose_ratio.py`` and
``tests/test_consistency.py`` report the share.

Not counted as numbers: digits inside a word or a name (H100, GB200 NVL72, GPT-4, Q3; but the 24 of
"24-month" is counted), a calendar year standing alone (2025, 2026–2028: it names a period, it is not a
quantity), text quoted from the data (:func:`aicompute.formatting.quote`, tag ``aic-data``), code spans, link
targets and HTML tags' attributes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from typing import Any

_EXPRESSION = re.compile(r"(?:^|[^`])`\{python\}[ \t]([^`]+)`", re.M)  # as aicompute.pipeline.inline.EXPRESSION
_TAGGED = re.compile(r'<span class="aic-(?:num|result)"[^>]*>(.*?)</span>', re.S)
_DATA = re.compile(r'<span class="aic-data">.*?</span>', re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NUMBER = re.compile(r"(?<![\w.,])(?<![A-Za-z]-)\d+(?:,\d{3})*(?:\.\d+)?(?!\w)")
_YEAR = re.compile(r"(19|20)\d\d")
#: A Markdown pipe table's separator row: a table displayed as Markdown (:func:`aicompute.tables.show`).
_PIPE_TABLE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+\s*$", re.M)


def _is_table(html: str, md: str | None) -> bool:
    """An output that is a table (HTML ``aic-table``, or a Markdown pipe table), a chart or a dial panel (its
    precomputed grid, :mod:`aicompute.dials`), not prose."""
    return ("aic-table" in html or "aic-chart" in html or "aic-dial" in html or "aic-dial" in (md or "")
            or bool(md and _PIPE_TABLE.search(md)))


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


def _filled(cell: Any) -> str:
    """A Markdown cell's source with each inline expression replaced by its stored result."""
    shown = {e["expression"]: e["result"]["data"]["text/markdown"]
             for e in cell.get("metadata", {}).get("user_expressions", [])}

    def sub(m: re.Match) -> str:
        lead = m.group(0)[: m.group(0).index("`{python}")]
        return lead + shown.get(m.group(1).strip(), f"`{m.group(1)}`")

    return _EXPRESSION.sub(sub, _text(cell["source"]))


def _outputs(cell: Any) -> Iterator[tuple[str, str | None]]:
    """(HTML, Markdown or None) of each output of ``cell``."""
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        yield _text(data.get("text/html", "")), _text(data["text/markdown"]) if "text/markdown" in data else None


def prose_text(nb: Any) -> str:
    """The chapter's prose: Markdown cells (inline results filled in) and Markdown displayed by code cells,
    leaving out tables (``aic-table``) and charts (``aic-chart``)."""
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append(_filled(cell))
            continue
        parts += [md for html, md in _outputs(cell) if md and not _is_table(html, md)]
    return "\n\n".join(parts)


def page_text(nb: Any) -> str:
    """Everything a reader sees of the chapter: its prose, tables and charts (titles and subtitles included)."""
    tables = [html or md or "" for cell in nb["cells"] for html, md in _outputs(cell) if _is_table(html, md)]
    return "\n\n".join([prose_text(nb), *tables])


def number_counts(markup: str) -> tuple[int, int]:
    """(numbers that are references, numbers that are not) in prose ``markup``: see the module docstring."""
    text = _DATA.sub(" ", _COMMENT.sub(" ", markup))
    referenced = sum(1 for shown in _TAGGED.findall(text) if re.search(r"\d", shown))
    rest = _TAGGED.sub(" ", text)
    rest = _HTML_TAG.sub(" ", _LINK_TARGET.sub("]", _CODE.sub(" ", rest)))
    bare = [n for n in _NUMBER.findall(rest) if not _YEAR.fullmatch(n)]
    return referenced, len(bare)


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
#: A citation (``[@id]``, ``[-@id; @other]``, ``@id``): Quarto shows it as the source's author and year.
_CITATION = re.compile(r"\[-?@[^\]]*\]|(?<![\w.])@[\w:.-]+")
_MD_ESCAPE = re.compile(r"\\([^\w\s]|_)")


def raw_ids(text: str, ids: Iterable[str]) -> list[str]:
    """The ``ids`` (data rows' keys: 'rd_ant_rr_2026_03', 'bigtech_capex_q3_2025') that ``text`` (a page's markup,
    :func:`page_text`) shows a reader as they are, in order of first appearance: a citation (``[@id]``, shown as
    author and year), a code span, a comment and a chart's script do not count, and Markdown escapes are read
    (``rd\\_x`` is ``rd_x``). An id must stand alone: not inside a longer word, path or anchor (``a_b_c`` does not
    show ``a_b``; ``#tbl-x``, ``data/x.csv`` do not show ``x``)."""
    keys = {i for i in ids if i}
    if not keys:
        return []
    shown = _MD_ESCAPE.sub(r"\1", _CITATION.sub(" ", _CODE.sub(" ", _COMMENT.sub(" ", _SCRIPT.sub(" ", text)))))
    shown = html.unescape(_HTML_TAG.sub(" ", shown))
    if all(_WORD.fullmatch(k) for k in keys):  # every id one run of [\w-]: the run is the only candidate (fast)
        return list(dict.fromkeys(w for w in _WORD_STANDING.findall(shown) if w in keys))
    longest_first = sorted(keys, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w@#/.:-])(?:" + "|".join(map(re.escape, longest_first)) + r")(?![\w-])")
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(shown)))


#: An id made of word characters and hyphens can only be shown as a whole run of them (the pattern above wants no
#: [\w-] after it, and no [\w-] or [@#/.:] before it): the runs standing alone are the candidates, each looked up
#: in the set, the same answer as the alternation of ~2,000 ids, which the regex engine tries at every position.
_WORD = re.compile(r"[\w-]+")
_WORD_STANDING = re.compile(r"(?<![\w@#/.:-])[\w-]+")
