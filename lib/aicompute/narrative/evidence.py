"""Wording about the evidence itself: the as-of line every chapter and the front page open with.

:class:`aicompute.evidence.Evidence` knows the dates (``as_of``, ``cutoff``, ``swept_to``) and whether the
months after the latest evidence are unobserved (:attr:`~aicompute.evidence.Evidence.unobserved`); this
module says it in words.
"""

from __future__ import annotations

import re
from typing import Any

from aicompute.formatting import capitalised, fmt

#: 'chapter 02', 'Chapters 00-02', 'chapters 03 and 04', 'Chapters 01/02': chapters named by file number.
_FILE_NUMBER = re.compile(r"\b([Cc])hapter(s?) (\d\d)(?:(\s*[-–/]\s*|\s+and\s+|,\s*)(\d\d))?\b")


def header(ev: Any) -> str:
    """Markdown: the as-of banner, one compact line (a block of class ``aic-asof``): the as-of date, the latest
    evidence used ("evidence to", as the front page's verdict says it) and, when the months after it are
    unobserved, that figures for them are projected, how far the sweep searched, and a link to why.
    ``ev``: an :class:`~aicompute.evidence.Evidence`."""
    as_of, cutoff = fmt(ev.as_of), fmt(ev.cutoff)
    text = f"**As of {as_of}** · evidence to {cutoff} (the latest evidence used)"
    if ev.unobserved:
        searched = f"sources searched to {fmt(ev.swept_to)}" if ev.swept_to else "no later source recorded"
        text += (f" · the months after it are projected, not observed ({searched}; "
                 "why: @sec-methodology)")
    return "::: {.aic-asof}\n" + text + "\n:::"


def on_evidence(evidence_to: Any, as_of: Any = None, *, tagged: bool = True, capital: bool = False) -> str:
    """How a verdict or a table of evidence is dated: 'on evidence to 2026-07-04' (``evidence_to``: the latest
    evidence's date, :attr:`aicompute.evidence.Evidence.cutoff`), and when the report's ``as_of`` is later,
    '(the months from then to 2026-12-31 are projected, not observed)': a report dated after its evidence never
    says 'as of' for what it did not observe. ``tagged``: dates through the formatter (prose); ``capital``: the
    phrase opens a sentence."""
    def day(x: Any) -> str:
        text = str(x)[:10]
        return fmt(text) if tagged else text

    text = f"{'O' if capital else 'o'}n evidence to {day(evidence_to)}"
    if as_of is not None and str(as_of)[:10] > str(evidence_to)[:10]:
        text += f" (the months from then to {day(as_of)} are projected, not observed)"
    return text


def undated(text: str, evidence_to: Any, as_of: Any = None) -> str:
    """``text`` (a verdict that opens with :func:`on_evidence`'s words, untagged) without that opening, for a panel
    whose own line has just said the same dates (the front page's verdict, under its as-of line: :func:`header`).
    A text that does not open with exactly these dates is returned as it is: a verdict is never left undated."""
    opening = on_evidence(evidence_to, as_of, tagged=False, capital=True) + ", "
    if not str(text).startswith(opening):
        return str(text)
    return capitalised(str(text)[len(opening):])


def holds(ok: bool, yes: str, no: str) -> str:
    """The word for a check's outcome (the check itself is a library rule): ``yes`` if ``ok``, else ``no``."""
    return yes if ok else no


def pending_reason(as_of: object) -> str:
    """A seed claim's reason while its evidence is later than the as-of date."""
    return f"Its evidence was published after {as_of}."


def with_pending_reasons(seed: Any, as_of: object) -> Any:
    """The seed's claims (:meth:`aicompute.evidence.Evidence.seed_claims`) with the reason of each ``pending`` one
    (its evidence later than ``as_of``) worded (:func:`pending_reason`); the other reasons as the ledger gives them."""
    out = seed.copy()
    out.loc[out["verdict"].eq("pending"), "reason"] = pending_reason(as_of)
    return out


def chapter_refs(text: str, numbers: dict[str, str] | None = None) -> str:
    """Text that names chapters by file number ('Chapter 05', 'Chapters 00-02') with the numbers the report shows
    ('Chapter 6', 'Chapters 1-3'), from the chapter registry (``numbers``: {file prefix: shown number}, by default
    read from ``report/chapters.yml``). A prefix the registry does not know is left as it is. The data and the
    notebooks never name a chapter by file number (a test checks them); the commit subjects of the front page's
    change list do."""
    if numbers is None:
        from aicompute import chapters

        numbers = {c.stem[:2]: c.number for c in chapters.load()}

    def sub(m: re.Match) -> str:
        c, plural, a, sep, b = m.groups()
        first, second = numbers.get(a), numbers.get(b) if b else None
        if not first or (b and not second):
            return m.group(0)
        if not b:
            return f"{c}hapter{plural} {first}"
        return f"{c}hapter{plural} {first}{'-' if sep.strip() in ('-', '–') else sep}{second}"

    return _FILE_NUMBER.sub(sub, text)
