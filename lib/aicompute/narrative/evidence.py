"""Wording about the evidence itself: the as-of line every chapter and the front page open with.

:class:`aicompute.evidence.Evidence` knows the dates (``as_of``, ``cutoff``, ``swept_to``) and whether the
months after the latest evidence are unobserved (:attr:`~aicompute.evidence.Evidence.unobserved`); this
module says it in words.
"""

from __future__ import annotations

import re
from typing import Any

from aicompute.formatting import fmt

__all__ = ["header", "holds", "chapter_refs"]

_FILE_NUMBER = re.compile(r"\b([Cc])hapter (\d\d)\b")


def header(ev: Any) -> str:
    """Markdown: the as-of banner, one compact line (a block of class ``aic-asof``): the as-of date, the latest
    evidence used ("evidence to", as the front page's verdict says it) and, when the months after it are
    unobserved, that figures for them are projected, how far the sweep searched, and a link to why.
    ``ev``: an :class:`~aicompute.evidence.Evidence`."""
    as_of, cutoff = fmt(ev.as_of), fmt(ev.cutoff)
    text = f"**As of {as_of}** · evidence to {cutoff} (the latest evidence used)"
    if ev.unobserved:
        searched = f"sources searched to {fmt(ev.swept_to)}" if ev.swept_to else "no later source recorded"
        text += (f" · the months after it are unobserved: figures for them are projected, not observed ({searched}; "
                 "[why](90_methodology.html#sec-methodology))")
    return "::: {.aic-asof}\n" + text + "\n:::"


def holds(ok: bool, yes: str, no: str) -> str:
    """The word for a check's outcome (the check itself is a library rule): ``yes`` if ``ok``, else ``no``."""
    return yes if ok else no


def chapter_refs(text: str, numbers: dict[str, str] | None = None) -> str:
    """Text from the data that names a chapter by its file number ('chapter 02') with the number the report
    shows instead ('chapter 3'), from the chapter registry (``numbers``: {file prefix: shown number}, by
    default read from ``report/chapters.yml``). A prefix the registry does not know is left as it is."""
    if numbers is None:
        from aicompute import chapters

        numbers = {c.stem[:2]: c.number for c in chapters.load()}

    def sub(m: re.Match) -> str:
        shown = numbers.get(m.group(2))
        return f"{m.group(1)}hapter {shown}" if shown else m.group(0)

    return _FILE_NUMBER.sub(sub, text)
