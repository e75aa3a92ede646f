"""The executive summary on the front page, assembled from the results each chapter published.

No figure is typed by hand: :func:`summary_markdown` formats what the notebooks passed to
:func:`aicompute.results.publish`, and the build writes it to ``report/_summary.md``, which
``index.qmd`` includes (``{{< include _summary.md >}}``, for Quarto and the fallback alike).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["format_result", "summary_markdown", "chapter_title", "write_summary"]


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
        return text + "%"
    if unit == "x":
        return text + "×"
    return f"{text} {unit}".strip()


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
            if key == "as_of":
                continue
            lines.append(f"- {res['label'][:1].upper() + res['label'][1:]}: **{format_result(res)}**")
        lines.append("")
    return "\n".join(lines)


def chapter_title(notebook: Path) -> str:
    """The first level-1 heading of a notebook's markdown cells (its chapter title)."""
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return Path(notebook).stem


def write_summary(results_dir: Path, chapters: list[Path], target: Path) -> str:
    """Write the summary Markdown for the executed ``chapters`` to ``target``; return it."""
    from aicompute.results import read_all

    stems = {c.stem for c in chapters}
    results = {k: v for k, v in read_all(results_dir).items() if k in stems} if results_dir.exists() else {}
    as_of = next((r["as_of"]["value"] for r in results.values() if "as_of" in r), None)
    text = summary_markdown(results, {c.stem: chapter_title(c) for c in chapters}, as_of)
    target.write_text(text, encoding="utf-8")
    return text
