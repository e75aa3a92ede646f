"""Text from the data or the command line, made literal for each place it is written to.

A signpost name, a source title, a claim's statement, a parameters file's path or a ``-p`` value is text,
never markup. Each target language (HTML, Pandoc markdown, Typst, BibTeX, a URL) has one function; whatever
writes such text into a page calls the one for the language it writes.

Quarto reads a chapter's ``text/markdown`` outputs and the front page's ``_summary.md`` as Pandoc markdown
and writes both HTML and Typst from it, so markdown-escaped text is literal in the web page and in the PDF:
``[@id]`` is not a citation, ``*x*`` not emphasis, ``<img onerror=...>`` not a tag, ``<!--`` not the start
of a comment that swallows the rest of the page, ``$x$`` not maths, ``#`` not a heading or a Typst call.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

#: ASCII punctuation. Pandoc markdown lets a backslash escape every one of these (``all_symbols_escapable``),
#: and each can start or end some markup (emphasis, links, citations, raw HTML, maths, lists, tables ...).
_ASCII_PUNCT = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _one_line(value: Any) -> str:
    return " ".join(_text(value).split())


def html(value: Any) -> str:
    """``value`` as HTML text, safe in element content and in a double- or single-quoted attribute."""
    return _html.escape(_text(value), quote=True)


def md(value: Any) -> str:
    """``value`` as literal Pandoc markdown on one line (inline text, a pipe-table cell, a caption).

    Every ASCII punctuation character is backslash-escaped and runs of whitespace (newlines included)
    become one space, so nothing in it can open markup or end a table row: ``md("[@id] <b>")`` renders
    "[@id] <b>", never a citation or a tag.
    """
    return _ASCII_PUNCT.sub(r"\\\1", _one_line(value))


def md_code(value: Any) -> str:
    """``value`` as a Pandoc markdown inline code span, shown literally in monospace.

    The fence is one backtick longer than the longest run of backticks in the text, so a backtick in
    it cannot close the span; newlines become spaces (a code span holds one line).
    """
    text = " ".join(_text(value).splitlines())
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


#: Characters with a meaning in Typst markup (markup, code, maths, labels, references, comments, smart
#: quotes, shorthands such as ``--`` and ``...``); each is written as ``\c``.
_TYPST_SPECIAL = re.compile(r"""([\\#$*_`<>@\[\]{}~'"=+\-/.:!?^&%|;,()])""")


def typst(value: Any) -> str:
    """``value`` as literal Typst markup on one line: ``typst("#sys.exit() *x*")`` prints the text itself.

    Typst reads a backslash and any character as that character; newlines become spaces (a backslash
    before a newline would be a line break).
    """
    return _TYPST_SPECIAL.sub(r"\\\1", _one_line(value))


_BIBTEX = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "`": "\\`{}",  # else a LaTeX opening quote (pandoc drops \textasciigrave)
    "-": "-{}",  # else "--" and "---" become dashes
    "<": r"\textless{}", ">": r"\textgreater{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX))


def bibtex(value: Any) -> str:
    """``value`` as a BibTeX field value: LaTeX specials escaped, whitespace collapsed, UTF-8 kept.

    Pandoc reads BibTeX fields as LaTeX, so ``$``, ``#``, ``%``, braces and backslashes are escaped, and
    ``` `` ``, ``--`` and ``<``/``>`` are kept from becoming quotes, dashes or inverted punctuation.
    A lone hyphen prints as itself.
    """
    text = _BIBTEX_RE.sub(lambda m: _BIBTEX[m.group(0)], _one_line(value))
    return re.sub(r"-\{\}(?=[^-]|$)", "-", text)


_SAFE_SCHEME = re.compile(r"(?:https?://|mailto:)\S+", re.IGNORECASE)


def url(value: Any) -> str:
    """``value`` if it is an ``http(s)://`` or ``mailto:`` address, else ``""`` (no ``javascript:`` link).

    Characters that would end a BibTeX field, an HTML attribute or a markdown link (braces, backslash,
    double quotes, angle brackets, backticks) are percent-encoded.
    """
    text = _text(value).strip()
    if not _SAFE_SCHEME.fullmatch(text):
        return ""
    enc = {"\\": "%5C", "{": "%7B", "}": "%7D", '"': "%22", "<": "%3C", ">": "%3E", "`": "%60"}
    return "".join(enc.get(c, c) for c in text)
