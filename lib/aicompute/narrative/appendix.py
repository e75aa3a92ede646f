"""Wording of the appendices' generated tables (:mod:`aicompute.appendix` builds them from the sources of truth)."""

from __future__ import annotations


def range_words(low: str, high: str) -> str:
    """A parameter's allowed range from its ends as already written ('' for an open end): '1 to 2', 'at least 0',
    'at most 1', or '' when both are open."""
    if low and high:
        return f"{low} to {high}"
    return f"at least {low}" if low else f"at most {high}" if high else ""
