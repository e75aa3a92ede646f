"""Published results: each quantity is computed once, in one chapter, and read everywhere else from here.

A chapter publishes each number other pages may quote::

    publish("p_hard_landing", 0.12, low=0.05, high=0.20, label="chance of a hard landing", unit="%",
            fmt=".0f", headline="odds")

and shows it in its own prose with :func:`text` (``results.text("p_hard_landing")``), which tags the
formatted number so a test can check that every page shows the same value. Another chapter reads it with
:func:`upstream` / :func:`value` — never by recomputing it. The chapter registry (``report/chapters.yml``)
declares which chapters each one reads; the build runs those first and refuses a read that is not declared.

Headlines: ``headline`` names the front-page theme a result belongs to (:data:`THEMES`). The front page
(:mod:`aicompute.summary`) knows no chapter names: it shows the headlines the chapters declared and fails
the build when a theme has none.

Under the build, results go to ``<results_out>/<notebook>.json`` (see :mod:`aicompute.context`);
interactively they are only kept in memory.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any

from aicompute import context, escape
from aicompute.formatting import number, with_unit

#: Front-page themes a headline can belong to, in the order the front page shows them.
THEMES = {
    "verdict": "the answer to the seed's question, in a sentence (text)",
    "odds": "the odds of each ending at the horizon",
    "cost": "what compute costs",
    "revenue": "what it earns",
    "financing": "how the gap is financed",
    "watch": "a signpost to watch (text)",
}
_TAG = re.compile(r'<span class="aic-result" data-result="([^"]+)">(.*?)</span>', re.S)
_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # a markdown backslash escape of ASCII punctuation
_RESULTS: dict[str, dict[str, Any]] = {}


class UpstreamMissing(LookupError):
    """Another chapter's results are not available (not built yet, or the key is not published)."""


def _plain(x: Any) -> Any:
    return x.item() if hasattr(x, "item") else x


def publish(key: str, value: Any, *, label: str, unit: str = "", fmt: str = "", low: Any = None,
            high: Any = None, headline: str | None = None) -> None:
    """Record a result (returns nothing, so a trailing call prints nothing in the notebook).

    ``low``/``high``: the range the assumptions allow (shown next to the value); ``headline``: a key of
    :data:`THEMES` for the front page.
    """
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise ValueError(f"result key {key!r}: expected lower-case letters, digits and underscores")
    value, low, high = _plain(value), _plain(low), _plain(high)
    for name, x in (("value", value), ("low", low), ("high", high)):
        if isinstance(x, float) and not math.isfinite(x):
            raise ValueError(f"result '{key}': {name} is {x}")
    if low is not None and high is not None and not (low <= high):
        raise ValueError(f"result '{key}': low {low} > high {high}")
    if headline is not None and headline not in THEMES:
        raise ValueError(f"result '{key}': headline {headline!r} is not one of {sorted(THEMES)}")
    ctx = context.current()
    _RESULTS[key] = {"value": value, "label": label, "unit": unit, "fmt": fmt, "low": low, "high": high,
                     "headline": headline, "notebook": ctx.notebook}
    if ctx.results_out is not None:
        path = Path(ctx.results_out) / f"{ctx.notebook or 'notebook'}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_RESULTS, indent=1, default=str), encoding="utf-8")


def published() -> dict[str, dict[str, Any]]:
    """Results published so far in this process."""
    return dict(_RESULTS)


def read_all(folder: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """{notebook: {key: result}} from a results folder written by the build."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("*.json"))}


def upstream(notebook: str) -> dict[str, dict[str, Any]]:
    """Everything chapter ``notebook`` (e.g. ``"03_finance"``) published, as built.

    The build runs ``notebook`` first; interactively, build the report once (``make report``).
    """
    ctx = context.current()
    folder = ctx.results_in or (ctx.root / "build" / "results")
    path = Path(folder) / f"{notebook}.json"
    if not path.is_file():
        raise UpstreamMissing(f"no published results of {notebook} in {folder}: run `make report` (or execute "
                              f"{notebook} first)")
    return json.loads(path.read_text(encoding="utf-8"))


def _upstream_result(notebook: str, key: str) -> dict[str, Any]:
    res = upstream(notebook)
    if key not in res:
        raise UpstreamMissing(f"{notebook} published no result '{key}' (it has {sorted(res)})")
    return res[key]


def value(notebook: str, key: str) -> Any:
    """One result of another chapter (its value)."""
    return _upstream_result(notebook, key)["value"]


def format_result(result: dict[str, Any]) -> str:
    """A published result as text: value (with ``fmt``) and unit, then its range where one was published.

    A percentage whose whole range is below 0.1 reads "under 0.1%"; a range reads "12% (5–20%)".
    """
    val, unit, fmt = result["value"], result.get("unit", ""), result.get("fmt", "")
    low, high = result.get("low"), result.get("high")
    if unit == "%" and isinstance(val, (int, float)) and (high if high is not None else val) < 0.1 and val >= 0:
        return "under 0.1%"
    text = with_unit(number(val, fmt), unit)
    if low is not None and high is not None and isinstance(val, (int, float)):
        lo, hi = number(low, fmt), number(high, fmt)
        if unit == "%" and low < 0.1 <= high:
            lo = "<0.1"
        if (lo, hi) != (number(val, fmt), number(val, fmt)):
            text += f" ({with_unit(lo + '–' + hi, unit)})" if unit in ("%", "x") or unit.startswith("/") \
                else f" ({lo}–{hi})"
    return text


def tag(result: dict[str, Any], rid: str) -> str:
    """``result`` formatted and tagged with its id (``<notebook>.<key>``) for the consistency check.

    The tag goes into markdown, where Pandoc reads the text between the ``<span>`` tags as markdown: a text
    result (a sentence that may quote the data) is markdown-escaped (:func:`aicompute.escape.md`), a number
    HTML-escaped (its ``<0.1`` is no tag).
    """
    shown = format_result(result)
    number = isinstance(result.get("value"), (int, float)) and not isinstance(result.get("value"), bool)
    return f'<span class="aic-result" data-result="{escape.html(rid)}">' \
           f"{html.escape(shown, quote=False) if number else escape.md(shown)}</span>"


def text(key: str, notebook: str | None = None) -> str:
    """A result formatted for prose, tagged: this chapter's own (``notebook=None``) or another's."""
    if notebook is None:
        if key not in _RESULTS:
            raise KeyError(f"no result '{key}' published in this notebook (published: {sorted(_RESULTS)})")
        res, stem = _RESULTS[key], _RESULTS[key].get("notebook") or "notebook"
    else:
        res, stem = _upstream_result(notebook, key), notebook
    return tag(res, f"{stem}.{key}")


def tagged_values(markup: str) -> list[tuple[str, str]]:
    """[(result id, text shown)] for every tagged result in ``markup`` (HTML or Markdown: its backslash
    escapes are undone)."""
    return [(rid, html.unescape(_MD_ESCAPED.sub(r"\1", shown))) for rid, shown in _TAG.findall(markup)]
