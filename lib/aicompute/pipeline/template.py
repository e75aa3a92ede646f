"""``make new-chapter NAME=06_topic``: a new chapter from the template, registered in report/chapters.yml.

The notebook has what every chapter has: the first heading with its section id, the ``parameters`` cell
(``as_of = None``: the report's date from report/params/default.yaml), the evidence and its as-of header, a
chart cell (house theme, a title stating the finding, axis units, a source line citing the evidence), a
published headline result, and a Markdown cell whose number is an inline expression. The registry entry is
added after the last chapter, and the generated chapter lists (report/_quarto.yml, report/index.qmd,
README.md) are rewritten (:mod:`aicompute.pipeline.registry`). Then: ``python -m aicompute build --no-render``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

from aicompute import chapters as chapters_mod
from aicompute.paths import find_root
from aicompute.pipeline import registry

_NAME = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)$")

INTRO = """# {title} {{#sec-{name}}}

*Each paragraph in italics tells you what to write in its place.* The question this chapter answers, and
the answer in a sentence, for a reader who reads no further. Then how the chapter gets there: the evidence it
reads (its own table in `data/`, the claims ledger) and the other chapters' results it builds on (list those
under `reads` in `report/chapters.yml`, and point at them with a cross-reference to their section id)."""

EVIDENCE = """*The evidence.* Every table, claim and source comes from `ev`, the evidence published by the as-of
date, and the banner below says what it covers. Read your own table with `ev.table("name")` once it is in
`data/` (the README's checklist has a copy-ready entry) and a sourced figure with `ev.value(id)`."""

SETUP = """from IPython.display import Markdown, display

from aicompute import charts, data, results
from aicompute.narrative.evidence import header

ev = data.evidence(as_of)
as_of = ev.as_of.isoformat()  # as_of = None means the report's date: from here on, the date itself
display(Markdown(header(ev)))
results.publish("as_of", as_of, label="as-of date")"""

FINDING = """## A first finding

*What the chart shows, in the sentence its title repeats, and why it matters to the question.* The example
counts the claims ledger by chapter; replace it with this chapter's own reading. A model or a verdict rule
longer than a few lines is a library function in `lib/aicompute/` with a hand-checked test, so the cells
below stay short calls: read the evidence, call the model, show the result. Each quantity is published once,
with its label and unit; a front-page theme as `headline=` puts it on the front page."""

COMPUTE = """counts = ev.claims()["chapter"].value_counts().rename_axis("chapter").reset_index(name="claims")
top = counts.iloc[0]
n_top = int(top["claims"])
results.publish("{key}_top_claims", n_top, label=f"figures of the {{top['chapter']}} chapter in the ledger",
                unit="count", headline="watch")"""

SHOW = """*The chart.* Its title states the finding and its axes their units; `charts.show` adds the house theme
and the source line, naming the sources it is given (an `illustrative` source is labelled as an example). The
cell's `#| label` and `#| fig-cap` make it a numbered figure, cited elsewhere as `@fig-{name}-example`."""

CHART = """#| label: fig-{name}-example
#| fig-cap: {caption}
chart = charts.alt.Chart(counts).mark_bar().encode(
    x=charts.alt.X("claims:Q", title="figures in the claims ledger (count)"),
    y=charts.alt.Y("chapter:N", title=None, sort="-x"),
).properties(title=charts.alt.TitleParams(f"The {{top['chapter']}} chapter holds the most sourced figures",
                                          subtitle=f"Claims ledger, figures published by {{as_of}}"))
charts.show(chart, source="claims ledger (data/claims.csv)", name="fig-{name}-example", ev=ev)"""

CLOSE = """The largest chapter holds `{python} n_top` figures. *A number in prose is an inline expression like this
one, filled from the chapter's results when the report is built, never typed by hand. End with what the
finding means for the question, and what a reader should watch for next.*"""


def notebook(title: str, name: str) -> nbformat.NotebookNode:
    """The template notebook of chapter ``name`` (its short name, e.g. ``"topic"``): more prose than code, each
    paragraph telling its author what to write."""
    key = name.replace("-", "_")
    caption = json.dumps(f"{title}: the claims ledger by chapter, an example to replace.", ensure_ascii=False)
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        md(INTRO.format(title=title, name=name)),
        code("as_of = None  # the report's as-of date, YYYY-MM-DD (None: the one in report/params/default.yaml); "
             "evidence dated after it is left out\nfast = False  # test mode (no effect here)",
             metadata={"tags": ["parameters"]}),
        md(EVIDENCE),
        code(SETUP),
        md(FINDING),
        code(COMPUTE.format(key=key)),
        md(SHOW.format(name=name)),
        code(CHART.format(name=name, caption=caption)),
        md(CLOSE),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def new_chapter(root: Path, stem: str, title: str | None = None) -> Path:
    """Write notebooks/<stem>.ipynb from the template and register it; returns the notebook's path."""
    m = _NAME.match(stem)
    if not m:
        raise ValueError(f"chapter name {stem!r}: expected NN_topic (two digits, then lower-case words joined by '_')")
    if m.group(1).startswith("9"):
        raise ValueError(f"{stem}: notebooks 90-99 are appendices; a chapter is numbered 00-89")
    path = root / "notebooks" / f"{stem}.ipynb"
    if path.exists():
        raise ValueError(f"{path} exists already")
    reg = chapters_mod.load(root)
    name = m.group(2).replace("_", "-")
    title = title or m.group(2).replace("_", " ").capitalize()
    numbers = [int(c.number) for c in reg.chapters if c.number.isdigit()]
    entry = (f"  - file: {stem}.ipynb\n    number: \"{max(numbers, default=0) + 1}\"\n    name: {name}\n"
             f"    title: {title}\n    summary: >-\n      one sentence on what this chapter shows.\n")
    reg_path = root / chapters_mod.REGISTRY_FILE
    text = reg_path.read_text(encoding="utf-8")
    at = text.find("\nappendices:")
    text = text[:at].rstrip("\n") + "\n" + entry + text[at:] if at >= 0 else text.rstrip("\n") + "\n" + entry
    chapters_mod.parse(text, reg_path)  # refuse a duplicate name, or a file out of order, before writing
    nbformat.write(notebook(title, name), path)
    reg_path.write_text(text, encoding="utf-8")
    registry.write(root)
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m aicompute new-chapter NN_topic [--title TEXT] [--project DIR]``."""
    parser = argparse.ArgumentParser(prog="python -m aicompute new-chapter", description=__doc__.split("\n")[0])
    parser.add_argument("stem", help="NN_topic: the notebook's file name without .ipynb")
    parser.add_argument("--title", help="the chapter's title (default: from the name)")
    parser.add_argument("--project", type=Path, default=None, help="the project folder")
    args = parser.parse_args(argv)
    root = (args.project or find_root()).resolve()
    try:
        path = new_chapter(root, args.stem, args.title)
    except (ValueError, chapters_mod.RegistryError) as exc:
        print(f"new-chapter: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path.relative_to(root)} and registered it in {chapters_mod.REGISTRY_FILE}; next: "
          f"python -m aicompute build --no-render (then make report)")
    return 0
