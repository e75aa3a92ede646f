"""Extending is a recipe: `make new-chapter` and one data table, in a scratch copy of the project, pass the
checks a build and the suite run (the registry, the generated lists, parameters, data validation, and the
chapter itself executed), with no test edited."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from aicompute import chapters, data
from aicompute.paths import default_as_of
from aicompute.pipeline import params, registry, template
from aicompute.pipeline.build import Project, copy_sources

#: The README's copy-ready table entry (a resource of data/datapackage.json) and two rows for it.
TABLE = {
    "name": "topic_prices", "path": "topic_prices.csv", "title": "Example: list prices by date",
    "description": "One row per dated price; every value cites its source.", "format": "csv",
    "mediatype": "text/csv", "encoding": "utf-8", "published": ["date", "source_id"],
    "schema": {
        "fields": [
            {"name": "id", "type": "string", "description": "Row id.",
             "constraints": {"required": True, "unique": True, "pattern": "^[a-z][a-z0-9_]*$"}},
            {"name": "date", "type": "date", "format": "%Y-%m-%d", "description": "Date the price applies from.",
             "constraints": {"required": True}},
            {"name": "price", "type": "number", "unit": "USD/GPU-hour", "description": "List price.",
             "constraints": {"required": True, "minimum": 0}},
            {"name": "source_id", "type": "string", "description": "Source (sources.id).",
             "constraints": {"required": True}},
        ],
        "primaryKey": ["id"],
        "foreignKeys": [{"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["id"]}}],
    },
}


def _scratch(tmp_path: Path) -> Project:
    project = copy_sources(tmp_path)
    (tmp_path / "README.md").write_text((Path(__file__).resolve().parents[1] / "README.md").read_text())
    return project


def _add_table(project: Project) -> None:
    desc = json.loads((project.data / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"].append(TABLE)
    (project.data / "datapackage.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n")
    with (project.data / "sources.csv").open("a", encoding="utf-8") as fh:  # an example's made-up source
        fh.write("example_prices,An example price list,Example Co,,2026-01-15,https://example.com/prices,"
                 "illustrative,2026-01-15,made up for the new-chapter test\n")
    (project.data / "topic_prices.csv").write_text("id,date,price,source_id\na,2026-01-15,2.1,example_prices\n"
                                                   "b,2026-01-15,1.9,example_prices\n")


def test_a_new_chapter_and_table_pass_the_checks(tmp_path: Path) -> None:
    project = _scratch(tmp_path)
    before = chapters.load(project.root)
    path = template.new_chapter(project.root, "06_topic")
    reg = chapters.load(project.root)
    new = reg["06_topic"]
    assert len(reg.chapters) == len(before.chapters) + 1 and new.section == "sec-topic"
    assert int(new.number) == max(int(c.number) for c in before.chapters) + 1
    assert registry.stale(project.root) == []  # the book's, the front page's and the README's lists include it
    assert "06_topic.ipynb" in (project.report / "_quarto.yml").read_text()
    assert project.chapters()[-len(reg.appendices) - 1] == path  # the build runs it, in book order
    assert chapters.heading(path) == ("Topic", "sec-topic")
    values = params.resolve(project.chapters(), {}, {})
    assert values["06_topic"] == {"as_of": default_as_of(project.root)}  # as_of = None: the report's date
    with pytest.raises(ValueError, match="exists already"):
        template.new_chapter(project.root, "06_topic")
    _add_table(project)
    counts = data.validate_package(project.data)
    assert counts["topic_prices"] == 2
    ev = data.evidence(folder=project.data)
    assert len(ev.table("topic_prices")) == 2
    from aicompute import cite

    assert "example_prices" not in cite.bibtex(ev.sources())  # an example is not evidence
    assert cite.source_line("example_prices", ev=ev) == "Source: illustrative example, not evidence (Example Co)"


@pytest.mark.parametrize("bad", ["6_topic", "06-topic", "06_Topic", "91_appendix"])
def test_new_chapter_names_are_checked(tmp_path: Path, bad: str) -> None:
    project = _scratch(tmp_path)
    with pytest.raises(ValueError, match=bad):
        template.new_chapter(project.root, bad)


@pytest.mark.slow
def test_the_template_chapter_runs(tmp_path: Path) -> None:
    """Executed as the build runs it: the as-of header, a chart citing its source, the headline published,
    the inline number filled."""
    from aicompute.context import RunContext
    from aicompute.pipeline import tracking
    from aicompute.pipeline.build import execute_one

    project = _scratch(tmp_path)
    path = template.new_chapter(project.root, "06_topic")
    run = RunContext(root=project.root, notebook="06_topic", results_out=tmp_path / "out" / "results",
                     figures_out=tmp_path / "out" / "figures")
    log = tmp_path / "reads.log"
    out = tmp_path / "out" / "06_topic.ipynb"
    res = execute_one(str(path), str(out), {"as_of": default_as_of(project.root)}, str(project.notebooks),
                      tracking.setup_code(run, log))
    assert res["ok"], res["error"]
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert f"As of {default_as_of(project.root)}" in re.sub(r"<[^>]+>", "", text) and "fig-topic-example" in text
    assert "claims.csv" in {Path(p).name for p in log.read_text().split()}  # the executor saw the read
    published = json.loads((tmp_path / "out" / "results" / "06_topic.json").read_text())
    assert published["topic_top_claims"]["headline"] == "watch" and published["topic_top_claims"]["value"] >= 1
    inline = nb.cells[-1].metadata["user_expressions"][0]
    assert inline["expression"] == "n_top"
    value = published["topic_top_claims"]["value"]
    assert f">{value}<" in inline["result"]["data"]["text/markdown"]
