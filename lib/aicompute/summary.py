"""The executive summary on the front page, assembled from the results each chapter published.

No figure is typed by hand: :func:`summary_markdown` formats what the notebooks passed to
:func:`aicompute.results.publish`, and the build writes it to ``report/_summary.md``, which
``index.qmd`` includes (``{{< include _summary.md >}}``, for Quarto and the fallback alike).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["format_result", "verdict_panel", "summary_markdown", "write_summary"]

#: The scenario odds shown in the verdict panel: (result key in 05_scenarios, label).
ODDS = [("p_hard_landing", "Hard landing"), ("p_muddle_through", "Muddle-through"),
        ("p_soft_landing", "Soft landing"), ("p_continued_boom", "Continued boom")]
#: The five numbers that matter: (notebook, result key, sentence with {v} for the formatted value).
KEY_NUMBERS = [
    ("00_claims_audit", "seed_confirmed_share", "{v} of the seed article's claims hold up exactly as stated"),
    ("02_infrastructure", "revenue_per_gw_today",
     "OpenAI earns {v} a year per gigawatt of compute; a gigawatt must earn about {revenue_needed_per_gw}"),
    ("03_finance", "sequoia_required_latest",
     "AI revenue needed to pay for Nvidia's current run-rate (Sequoia's method): {v}; the two largest labs "
     "earn {sequoia_coverage_latest} of it"),
    ("04_bubble_debate", "bubble_score", "Bubble scorecard: {v} (range {bubble_score_low} to {bubble_score_high})"),
    ("05_scenarios", "p_crash_threshold",
     "Chance that 2027 chip revenue falls under the seed's crash line: {v} (median 2027 revenue "
     "{semis_2027_median})"),
]


def format_result(result: dict[str, Any]) -> str:
    """A published result as text: its ``fmt`` if given, else a compact number, then its unit."""
    value, unit, fmt = result["value"], result.get("unit", ""), result.get("fmt", "")
    if fmt:
        text = format(value, fmt)
    elif isinstance(value, float):
        text = f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    if unit == "%":
        if isinstance(value, (int, float)) and 0 <= value < 0.05 and not fmt:
            return "under 0.1%"  # below what the published rounding (and Monte Carlo resolution) can show
        return text + "%"
    if unit.startswith("/"):
        return text + unit
    if unit == "x":
        return text + "×"
    return f"{text} {unit}".strip()


def verdict_panel(results: dict[str, dict[str, dict[str, Any]]], as_of: str | None = None) -> str:
    """The one-glance panel: scenario odds today, five numbers that matter, what to watch.

    Every figure comes from a published result; a missing result drops its line (never a typed number).
    """
    lines = ["::: {.callout-important}", "## The verdict" + (f" as of {as_of}" if as_of else ""), ""]
    scen = results.get("05_scenarios", {})
    odds = [f"{label} **{format_result(scen[key])}**" for key, label in ODDS if key in scen]
    if odds:
        lines += ["**Scenario odds today:** " + " · ".join(odds), ""]
    numbers = []
    for stem, key, sentence in KEY_NUMBERS:
        res = results.get(stem, {})
        if key not in res:
            continue
        extra = {k: f"**{format_result(v)}**" for k, v in res.items()}
        try:
            numbers.append(sentence.format(v=f"**{format_result(res[key])}**", **extra))
        except KeyError:
            continue
    if numbers:
        lines += ["**Five numbers that matter:**", ""] + [f"{i}. {t[:1].upper() + t[1:]}."
                                                           for i, t in enumerate(numbers, start=1)] + [""]
    watch = [scen[k]["value"] for k in sorted(scen) if k.startswith("watch_")]
    if watch:
        lines += ["**What to watch:** " + "; ".join(watch) + ".", ""]
    lines.append(":::")
    return "\n".join(lines) + "\n"


def summary_markdown(results: dict[str, dict[str, dict[str, Any]]], titles: dict[str, str],
                     as_of: str | None = None) -> str:
    """Markdown: one list of key results per chapter, in chapter order, linking to the chapter page."""
    lines = ["## Key results" + (f" as of {as_of}" if as_of else ""), ""]
    if not results:
        return "\n".join([*lines, "No chapter has published results yet.", ""])
    for stem in sorted(results):
        title = titles.get(stem, stem)
        lines.append(f"**[{title}]({stem}.html)**")
        lines.append("")
        for key, res in results[stem].items():
            if key == "as_of" or key.startswith("watch_"):
                continue
            lines.append(f"- {res['label'][:1].upper() + res['label'][1:]}: **{format_result(res)}**")
        lines.append("")
    return "\n".join(lines)


def write_summary(results_dir: Path, chapters: list[Path], target: Path, note: str = "") -> str:
    """Write the summary Markdown for the executed ``chapters`` to ``target``; return it.

    ``note`` (e.g. which parameters file and overrides produced this build) is printed under the panel.
    """
    from aicompute.render import chapter_title
    from aicompute.results import read_all

    stems = {c.stem for c in chapters}
    results = {k: v for k, v in read_all(results_dir).items() if k in stems} if results_dir.exists() else {}
    as_of = next((r["as_of"]["value"] for r in results.values() if "as_of" in r), None)
    text = verdict_panel(results, as_of) + (f"\n*{note}*\n" if note else "") + "\n" + summary_markdown(results, {c.stem: chapter_title(c) for c in chapters},
                                                                     as_of)
    target.write_text(text, encoding="utf-8")
    return text
