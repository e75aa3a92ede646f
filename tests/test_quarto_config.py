"""report/_quarto.yml and report/index.qmd: a valid Quarto book that lists exactly the chapter notebooks, with the
options the real render needs (the rendered result is tested in test_site.py and test_pdf.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "report"
NOTEBOOKS = ROOT / "notebooks"


def _config() -> dict[str, Any]:
    config = yaml.safe_load((REPORT / "_quarto.yml").read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    return config


def _chapter_files(config: dict[str, Any], key: str = "chapters") -> list[str]:
    """Chapter file names from book.chapters (or book.appendices): plain entries or `part:` groups."""
    files: list[str] = []
    for entry in config["book"].get(key) or []:
        if isinstance(entry, str):
            files.append(entry)
        elif isinstance(entry, dict):
            if "part" in entry and str(entry["part"]).endswith((".qmd", ".ipynb")):
                files.append(entry["part"])
            files += [c for c in entry.get("chapters", []) if isinstance(c, str)]
    return files


def test_is_a_book_rendered_to_site_without_execution() -> None:
    config = _config()
    assert config["project"]["type"] == "book"
    assert config["project"]["output-dir"] == "_book"  # by hand; the build's report/_site is never Quarto's own
    assert config["execute"]["enabled"] is False
    assert config["book"]["title"] == "AI compute economics: the 24-month test"
    assert config["book"]["subtitle"] and config["book"]["author"] == "aicompute contributors"
    assert config["book"]["output-file"] == "report"  # -> report.pdf
    assert (REPORT / config["book"]["favicon"]).is_file()


def test_formats_html_and_pdf() -> None:
    formats = _config()["format"]
    html = formats["html"]
    assert html["code-fold"] is True and html["code-tools"] is False
    assert html["embed-resources"] is False and html["toc"] is True
    assert html.get("html-math-method") != "mathjax"  # nothing from a CDN
    typst = formats["typst"]
    assert typst["echo"] is False  # no code in the PDF, parameters cells included
    assert typst["citeproc"] is True  # pandoc's citeproc: the book-wide nocite lists every source in the PDF


def test_every_page_sees_every_source() -> None:
    """nocite '@*' for the whole book, in every format and on every page: citeproc gives a source the year letter
    (2026a, 2026b ...) it has among the works it sees, so a page that saw only its own citations lettered them
    differently from the References page (aicompute.pipeline.render trims the hidden per-page lists after)."""
    config = _config()
    assert config["nocite"] == "@*"
    for name, fmt in config["format"].items():
        assert fmt.get("nocite", "@*") == "@*" and not fmt.get("suppress-bibliography"), name
    for page in REPORT.glob("*.qmd"):
        head = re.match(r"---\n(.*?)\n---\n", page.read_text(encoding="utf-8"), re.DOTALL)
        meta = (yaml.safe_load(head.group(1)) or {}) if head else {}
        assert meta.get("nocite", "@*") == "@*" and "bibliography" not in meta, page.name


def test_chapters_match_index_and_notebooks() -> None:
    config = _config()
    chapters, appendices = _chapter_files(config), _chapter_files(config, "appendices")
    assert chapters[0] == "index.qmd" and (REPORT / "index.qmd").is_file()
    assert chapters[-1] == "references.qmd", "the references page comes last in book.chapters"
    notebooks = {p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    for chapter in chapters[1:] + appendices:
        assert chapter.endswith((".ipynb", ".qmd")), chapter
        if chapter.endswith(".qmd"):
            assert (REPORT / chapter).is_file(), (
                f"{chapter} is listed in _quarto.yml but report/{chapter} does not exist"
            )
        else:
            assert chapter in notebooks, (
                f"{chapter} is listed in _quarto.yml but notebooks/{chapter} does not exist"
            )
    listed = [c for c in chapters if c.endswith(".ipynb")]
    listed_appendices = [c for c in appendices if c.endswith(".ipynb")]
    assert sorted(notebooks - set(listed) - set(listed_appendices)) == [], (
        "notebooks missing from _quarto.yml book.chapters / book.appendices"
    )
    assert listed == sorted(listed) and listed_appendices == sorted(listed_appendices), (
        "chapters must be listed in notebook order"
    )
    assert all(c.startswith("9") for c in listed_appendices), "appendix notebooks are named 9N_name.ipynb"
    assert not any(c.startswith("9") for c in listed), "9N_ notebooks are appendices, not chapters"
    assert len(set(chapters + appendices)) == len(chapters + appendices)


def test_bibliography_exists_and_references_page_lists_it() -> None:
    config = _config()
    bib = config["bibliography"]
    # references.bib is a build product (the sources published by the build's as-of date), not a tracked file
    assert (bib if isinstance(bib, list) else [bib]) == ["references.bib"]
    ignored = (REPORT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "references.bib" in [line.strip().lstrip("/") for line in ignored]
    build_src = (REPORT.parent / "lib" / "aicompute" / "pipeline" / "build.py").read_text(encoding="utf-8")
    assert 'project.report / "references.bib"' in build_src  # the build writes the file _quarto.yml names
    refs = (REPORT / "references.qmd").read_text(encoding="utf-8")
    meta = yaml.safe_load(re.match(r"---\n(.*?)\n---\n", refs, re.DOTALL).group(1))
    assert meta["nocite"] == "@*"  # every source is listed, cited or not
    assert "# References {.unnumbered}" in refs and re.search(r"^::: \{#refs\}\n:::$", refs, re.MULTILINE)


def test_index_is_an_unnumbered_summary_page() -> None:
    text = (REPORT / "index.qmd").read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n\s*(.*)", text, re.DOTALL)
    assert match, "index.qmd needs YAML front matter"
    meta, text = yaml.safe_load(match.group(1)), match.group(2)
    # Quarto's book bibliography takes nocite from the first page only: every source is listed
    assert meta["nocite"] == "@*"
    # not numbered as chapter 1; hidden (the book title is the page's one visible H1), still in the contents
    assert text.startswith("# Summary {#sec-summary .unnumbered}\n")  # hidden by CSS, not by a class (which
    # Pandoc would put on the whole section, hiding the page)
    assert len(re.findall(r"^# ", text, re.MULTILINE)) == 1  # one H1 on the page
    # the verdict comes first (the build writes it from published results), then the rest
    assert text.index("{{< include _summary.md >}}") < text.index("## ")
    assert "{{< include _changelog.md >}}" not in text  # the change list has a page of its own, not front-page copy
    assert "{{< include _changelog.md >}}" in (REPORT / "changes.qmd").read_text(encoding="utf-8")
    # no hand-typed figures in the preface: the only digits allowed are years and Quarto's minimum version
    body = text.replace("1.9.36", "").replace("24-month", "")
    assert [n for n in re.findall(r"\d[\d.,]*", body) if not re.fullmatch(r"(19|20)\d\d", n)] == []


def test_assets_offline() -> None:
    assets = REPORT / "assets"
    # committed: the favicon and the CSS; the build adds vega-bundle.js (git-ignored)
    assert sorted(p.name for p in assets.iterdir() if p.name != "vega-bundle.js") == ["a11y.html", "favicon.svg",
                                                                                     "quarto.css", "typst"]
    css = (assets / "quarto.css").read_text(encoding="utf-8")
    assert not re.search(r"@import\s", css) and not re.search(r"url\(\s*['\"]?(https?:)?//", css)


def test_quarto_pins_agree() -> None:
    """The publish workflow installs the pinned Quarto (aicompute.pipeline.quarto.PINNED; environment.yml,
    pyproject.toml and .ci/run: tests/test_quarto.py)."""
    from aicompute.pipeline.quarto import MIN_QUARTO, PINNED

    workflow = (ROOT / ".github" / "workflows" / "publish.yml").read_text(encoding="utf-8")
    pinned = re.search(r"quarto-actions/setup@v\d+\s+with:\s+version: \"([\d.]+)\"", workflow).group(1)
    assert pinned == PINNED and tuple(int(x) for x in pinned.split(".")) >= MIN_QUARTO
    assert "make test" in workflow and "make report" in workflow and "make lint" in workflow


def test_resources_are_anchored_to_the_project() -> None:
    """An unanchored resource glob (``assets/x.js``) also matches ``_site/assets/x.js``: each build would copy the
    last site into the new one, one level deeper every time."""
    resources = _config()["project"].get("resources", [])
    assert resources and all(str(r).startswith("/") for r in resources), resources
