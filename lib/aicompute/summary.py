"""The front page's verdict, assembled from the headline results the chapters published.

No figure is typed by hand and no chapter is named here: each chapter marks its headline results with a
theme (``publish(..., headline="odds")``, see :data:`aicompute.results.THEMES`), and :func:`verdict_panel`
shows them in theme order — the verdict sentence(s), the odds, then the numbers that tell the story (cost,
revenue, financing), each linked to its chapter, then what to watch. A theme that no chapter published fails
the build (:class:`MissingHeadline`), so the front page can never silently lose its answer.

The build writes the panel to ``report/_summary.md``, which ``index.qmd`` includes. Every text in it that
is not this module's own wording — a verdict or watch sentence (which quote the data: signpost names), a
result's label, a chapter title — is markdown-escaped (:func:`aicompute.escape.md`); the ``note`` is
markdown its writer escaped (the build's parameters line, :func:`aicompute.pipeline.build._params_note`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aicompute.chapters import chapter_title
from aicompute.escape import md
from aicompute.results import THEMES, format_result, read_all, tag

__all__ = ["REQUIRED", "MissingHeadline", "headlines", "verdict_panel", "write_summary", "format_result"]

#: Themes the front page cannot do without.
REQUIRED = ("verdict", "odds", "cost", "revenue", "financing")
_STORY = {"cost": "What compute costs", "revenue": "What it earns", "financing": "How the gap is financed"}


class MissingHeadline(RuntimeError):
    """A front-page theme has no headline result."""


def headlines(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """{theme: [(notebook, key, result), ...]} in chapter order, then publication order."""
    out: dict[str, list[tuple[str, str, dict[str, Any]]]] = {t: [] for t in THEMES}
    for stem in sorted(results):
        for key, res in results[stem].items():
            theme = res.get("headline")
            if theme:
                out.setdefault(theme, []).append((stem, key, res))
    return out


def _cap(text: str) -> str:
    """``text`` with a capital first letter, markdown-escaped."""
    return md(text[:1].upper() + text[1:])


def verdict_panel(results: dict[str, dict[str, dict[str, Any]]], as_of: str | None = None,
                  evidence_line: str = "", titles: dict[str, str] | None = None) -> str:
    """The one-glance panel (Markdown): verdict, odds, the numbers that matter, what to watch.

    Raises :class:`MissingHeadline` when a :data:`REQUIRED` theme has no headline result.
    """
    found = headlines(results)
    missing = [t for t in REQUIRED if not found.get(t)]
    if missing:
        raise MissingHeadline(f"no chapter published a headline result for {missing} (publish(..., headline=...)); "
                              f"the front page needs one per theme {list(REQUIRED)}")
    titles = titles or {}

    def link(stem: str) -> str:
        return f"[{md(titles.get(stem, stem))}]({stem}.html)"

    lines = ["::: {.callout-important}", "## The verdict" + (f" as of {as_of}" if as_of else ""), ""]
    if evidence_line:
        lines += [evidence_line, ""]
    for stem, _key, res in found["verdict"]:
        lines += [f"{md(res['value'])} ({link(stem)})", ""]
    odds = [f"{_cap(res['label'])}: **{tag(res, f'{stem}.{key}')}**" for stem, key, res in found["odds"]]
    lines += ["**The odds at the horizon** (central case, and the range over the model's calibration settings; "
              f"{link(found['odds'][0][0])}):", ""] + [f"- {o}" for o in odds] + [""]
    lines += ["**The numbers that matter:**", ""]
    for theme in ("cost", "revenue", "financing"):
        items = [f"{_cap(res['label'])}: **{tag(res, f'{stem}.{key}')}** ({link(stem)})"
                 for stem, key, res in found[theme]]
        lines += [f"- *{_STORY[theme]}.* " + "; ".join(items) + "."]
    lines.append("")
    if found.get("watch"):
        lines += ["**What to watch:** " + "; ".join(md(res["value"]) for _, _, res in found["watch"]) + ".", ""]
    lines.append(":::")
    return "\n".join(lines) + "\n"


def write_summary(results_dir: Path, chapters: list[Path], target: Path, note: str = "",
                  data_folder: Path | None = None) -> str:
    """Write the front-page panel for the executed ``chapters`` to ``target``; return it.

    ``note`` (which parameters file and overrides produced this build; markdown, its parts escaped by its
    writer) is printed under the panel.
    """
    from aicompute import data
    from aicompute.narrative.evidence import header

    stems = {c.stem for c in chapters}
    results = {k: v for k, v in read_all(results_dir).items() if k in stems} if Path(results_dir).exists() else {}
    as_of = max((r["as_of"]["value"] for r in results.values() if "as_of" in r), default=None)
    evidence_line = header(data.evidence(as_of, folder=data_folder)) if as_of else ""
    panel = verdict_panel(results, as_of, evidence_line, {c.stem: chapter_title(c) for c in chapters})
    text = panel + (f"\n*{note}*\n" if note else "")
    Path(target).write_text(text, encoding="utf-8")
    return text
