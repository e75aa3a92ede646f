"""Extending is a recipe: `make new-chapter` and the README's example table, in a scratch copy of the project,
pass the checks a build and the suite run (the registry, the generated lists, parameters, data validation,
the fast tier's project checks unedited, and the chapter itself executed), with no test edited."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from aicompute import chapters, cite, data
from aicompute.paths import default_as_of
from aicompute.pipeline import params, registry, template
from aicompute.pipeline.build import Project, copy_sources
from conftest import bench_line_counts

ROOT = Path(__file__).resolve().parents[1]

#: What the suite's project checks read besides the build's inputs (data/, notebooks/, report/).
CHECKOUT = ("README.md", "pyproject.toml", "environment.yml", "Makefile", ".ci", "bench", "tests")

#: The fast tier's checks that read the project itself (its registry and generated lists, notebooks, prose,
#: sources and bibliography, parameters), run unedited in the scratch copy with a chapter and a table added: each
#: reads the project it runs in (the tests' folder's parent, or the working directory). The data package's
#: validation is :func:`test_a_new_chapter_and_table_pass_the_checks`'s (the same library call).
PROJECT_CHECKS = (
    "test_project.py", "test_chapters.py", "test_params.py",
    "test_prose.py::test_every_chapter_has_more_prose_than_code",
    "test_prose.py::test_no_data_text_or_notebook_names_a_chapter_by_its_file_number",
    "test_prose.py::test_the_sweep_events_a_chapter_shows_name_no_row_by_its_id",
    "test_cite.py::test_real_sources_round_trip", "test_cite.py::test_source_line_labels_equal_pandoc_citations",
    "test_real_data.py::test_every_source_is_cited_and_every_seed_claim_has_a_verdict",
)


def readme_table() -> dict:
    """The README's copy-ready table entry (the JSON block after "A table entry to copy")."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("A table entry to copy"):]
    start = block.index("```json") + len("```json")
    return json.loads(block[start:block.index("```", start)])


def _free(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3`` ... if a project already has it (say the example was copied in)."""
    return next(n for n in (name, *(f"{name}_{i}" for i in range(2, 100))) if n not in taken)


def _scratch(tmp_path: Path, *, suite: bool = False) -> Project:
    project = copy_sources(tmp_path)
    for name in CHECKOUT if suite else ("README.md",):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
        elif src.exists():
            shutil.copy2(src, tmp_path / name)
    return project


def _new_stem(project: Project) -> str:
    """The next chapter's file name: the number after the last chapter's, a short name no chapter has."""
    reg = chapters.load(project.root)
    number = max(int(c.stem[:2]) for c in reg.chapters) + 1
    return f"{number:02d}_{_free('topic', {c.name.replace('-', '_') for c in reg.chapters})}"


def _add_table(project: Project) -> tuple[str, str]:
    """The README's table entry (under a free name), two rows, and their ``illustrative`` source: (table, source)."""
    desc = json.loads((project.data / "datapackage.json").read_text(encoding="utf-8"))
    table = readme_table()
    table["name"] = _free(table["name"], {r["name"] for r in desc["resources"]})
    table["path"] = f"{table['name']}.csv"
    desc["resources"].append(table)
    (project.data / "datapackage.json").write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n")
    source = _free("example_prices", set(data.load("sources", folder=project.data)["id"]))
    with (project.data / "sources.csv").open("a", encoding="utf-8") as fh:  # an example's made-up source
        fh.write(f"{source},An example price list,Example Co,,2026-01-15,https://example.com/prices,"
                 "illustrative,2026-01-15,made up for the new-chapter test\n")
    (project.data / table["path"]).write_text(f"id,date,price,source_id\nh100_2026_01,2026-01-15,2.1,{source}\n"
                                              f"b200_2026_01,2026-01-15,3.4,{source}\n")
    return table["name"], source


def test_a_new_chapter_and_table_pass_the_checks(tmp_path: Path) -> None:
    project = _scratch(tmp_path)
    before = chapters.load(project.root)
    stem = _new_stem(project)
    path = template.new_chapter(project.root, stem)
    reg = chapters.load(project.root)
    new = reg[stem]
    name = stem[3:].replace("_", "-")
    assert len(reg.chapters) == len(before.chapters) + 1 and new.section == f"sec-{name}"
    assert int(new.number) == max(int(c.number) for c in before.chapters) + 1
    assert registry.stale(project.root) == []  # the book's, the front page's and the README's lists include it
    assert f"{stem}.ipynb" in (project.report / "_quarto.yml").read_text()
    assert project.chapters()[-len(reg.appendices) - 1] == path  # the build runs it, in book order
    assert chapters.heading(path) == (name.replace("-", " ").capitalize(), f"sec-{name}")
    values = params.resolve(project.chapters(), {}, {})
    assert values[stem] == {"as_of": default_as_of(project.root)}  # as_of = None: the report's date
    with pytest.raises(ValueError, match="exists already"):
        template.new_chapter(project.root, stem)
    table, source = _add_table(project)
    counts = data.validate_package(project.data)
    assert counts[table] == 2
    ev = data.evidence(folder=project.data)
    assert len(ev.table(table)) == 2
    assert source not in cite.bibtex(ev.sources())  # an example is not evidence
    assert cite.source_line(source, ev=ev) == "Source: illustrative example, not evidence (Example Co)"


def test_the_template_reads_as_a_chapter() -> None:
    """The template's chart cell is a numbered figure with a caption from the chapter's title, and it has more
    prose than code (as bench/prose_ratio.py counts: the parameters cell and ``#|`` lines are not code)."""
    nb = template.notebook('Prices "today"', "prices")
    chart = next(c.source for c in nb.cells if "charts.show(" in c.source)
    assert chart.splitlines()[:2] == ["#| label: fig-prices-example",
                                      '#| fig-cap: "Prices \\"today\\": the claims ledger by chapter, an example to replace."']
    md, code = bench_line_counts()(nb)
    assert md > code > 0


@pytest.mark.slow  # a second pytest process: about 10 CPU s, too much for the fast tier's budget
def test_the_fast_tiers_project_checks_pass_unedited_in_a_project_with_a_new_chapter(tmp_path: Path) -> None:
    """The done-when of issue 19: a copy of the project (the suite included, byte for byte), a chapter added by
    ``make new-chapter`` and the README's table, then the fast tier's project checks run there, as they are
    (those needing pandoc skip without Quarto, as in the suite)."""
    project = _scratch(tmp_path, suite=True)
    template.new_chapter(project.root, _new_stem(project))
    _add_table(project)
    files = {f.split("::")[0] for f in PROJECT_CHECKS} | {"conftest.py"}
    assert all((tmp_path / "tests" / f).read_bytes() == (ROOT / "tests" / f).read_bytes() for f in files)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AICOMPUTE_", "PYTEST_"))}
    cmd = [sys.executable, "-m", "pytest", "-q", "-m", "not slow", "-p", "no:cacheprovider",
           *(f"tests/{f}" for f in PROJECT_CHECKS)]
    out = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", out.stdout) and "failed" not in out.stdout, out.stdout[-2000:]


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
    stem = _new_stem(project)
    key, name = stem[3:], stem[3:].replace("_", "-")
    path = template.new_chapter(project.root, stem)
    run = RunContext(root=project.root, notebook=stem, results_out=tmp_path / "out" / "results",
                     figures_out=tmp_path / "out" / "figures")
    log = tmp_path / "reads.log"
    out = tmp_path / "out" / f"{stem}.ipynb"
    res = execute_one(str(path), str(out), {"as_of": default_as_of(project.root)}, str(project.notebooks),
                      tracking.setup_code(run, log))
    assert res["ok"], res["error"]
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert f"As of {default_as_of(project.root)}" in re.sub(r"<[^>]+>", "", text) and f"fig-{name}-example" in text
    assert "claims.csv" in {Path(p).name for p in log.read_text().split()}  # the executor saw the read
    published = json.loads((tmp_path / "out" / "results" / f"{stem}.json").read_text())
    result = published[f"{key}_top_claims"]
    assert result["headline"] == "watch" and result["value"] >= 1
    inline = nb.cells[-1].metadata["user_expressions"][0]
    assert inline["expression"] == "n_top"
    assert f">{result['value']}<" in inline["result"]["data"]["text/markdown"]
