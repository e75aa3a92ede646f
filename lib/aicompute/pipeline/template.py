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
import re
import sys
from pathlib import Path

import nbformat

from aicompute import chapters as chapters_mod
from aicompute.paths import find_root
from aicompute.pipeline import registry

_NAME = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)$")

SETUP = '''from IPython.display import Markdown, display

from aicompute import charts, data
from aicompute.charts import alt
from aicompute.narrative.evidence import header
from aicompute.results import publish

ev = data.evidence(as_of)  # the evidence published by as_of: every table, claim and source comes from here
as_of = ev.as_of.isoformat()  # as_of = None means the report's date: here it is the date itself
display(Markdown(header(ev)))
publish("as_of", as_of, label="as-of date")'''

CHART = '''# An example to replace: the claims ledger by chapter. Read this chapter's own table with ev.table("name")
# (add it to data/ first: see the README's checklist); models and their verdict rules go in lib/aicompute/.
ledger = ev.claims()
counts = ledger.groupby("chapter").size().rename("claims").reset_index().sort_values("claims", ascending=False)
top = counts.iloc[0]
chart = alt.Chart(counts).mark_bar().encode(
    x=alt.X("claims:Q", title="figures in the claims ledger (count)"),
    y=alt.Y("chapter:N", title=None, sort="-x"),
).properties(title=alt.TitleParams(f"The {top['chapter']} chapter holds the most sourced figures",
                                   subtitle=f"Claims ledger, figures published by {as_of}"))
charts.show(chart, source="claims ledger (data/claims.csv)", name="fig-{name}-example", ev=ev)
# headline=: a front-page theme (aicompute.results.THEMES); leave it out for a result that is not a headline
publish("{key}_top_claims", int(top["claims"]), label=f"figures of the {top['chapter']} chapter in the ledger",
        unit="count", headline="watch")
n_top = int(top["claims"])'''


def notebook(title: str, name: str) -> nbformat.NotebookNode:
    """The template notebook of chapter ``name`` (its short name, e.g. ``"topic"``)."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        "as_of = None  # the report's as-of date, YYYY-MM-DD (None: the one in report/params/default.yaml); "
        "evidence dated after it is left out\n"
        "fast = False  # test mode (no effect here)", metadata={"tags": ["parameters"]})
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title} {{#sec-{name}}}\n\nThe question this chapter answers, and how: "
                                      "one paragraph for the reader."),
        params,
        nbformat.v4.new_code_cell(SETUP),
        nbformat.v4.new_markdown_cell("## A first finding\n\nWhat the chart shows, in a sentence the chart's title "
                                      "repeats."),
        nbformat.v4.new_code_cell(CHART.replace("{name}", name).replace("{key}", name.replace("-", "_"))),
        nbformat.v4.new_markdown_cell("The largest chapter holds `{python} n_top` figures. Numbers in prose are "
                                      "inline expressions like this one, never typed."),
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
