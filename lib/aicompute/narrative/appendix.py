"""Wording of the appendices' generated tables (:mod:`aicompute.appendix` builds them from the sources of truth)."""

from __future__ import annotations

import re


def range_words(low: str, high: str) -> str:
    """A parameter's allowed range from its ends as already written ('' for an open end): '1 to 2', 'at least 0',
    'at most 1', or '' when both are open."""
    if low and high:
        return f"{low} to {high}"
    return f"at least {low}" if low else f"at most {high}" if high else ""


#: Python's words in a parameter's comment, as a reader says them ('None: the one in ...' -> 'if not set: ...').
_PY_WORDS = ((re.compile(r"\(None: "), "(if not set: "), (re.compile(r"\bNone\b"), "not set"),
             (re.compile(r"\bTrue\b"), "yes"), (re.compile(r"\bFalse\b"), "no"))


def description_words(comment: str) -> str:
    """A parameter's description from its parameters-cell comment, without Python's words: "the report's as-of
    date (None: the one in report/params/default.yaml)" -> "... (if not set: the one in ...)"."""
    for pattern, words in _PY_WORDS:
        comment = pattern.sub(words, comment)
    return comment
