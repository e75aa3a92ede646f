"""aicompute.pipeline.render, the glue around Quarto, without running Quarto (fast): staging, post-processing, checks,
and what happens without Quarto. The real render is tested on the session build (test_site, test_pdf)."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from aicompute import chapters, charts
from aicompute.pipeline import render as r

REPO = Path(__file__).resolve().parents[1]
CHART = {"text/html": '<div class="aic-chart" id="c1"></div><script>go()</script>', "image/svg+xml": "<svg/>",
         "text/plain": "<Chart>"}


def _display(data: dict) -> nbformat.NotebookNode:
    return new_output("display_data", data=data)


def _notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    params = new_code_cell('as_of = "2026-11-28"', metadata={"tags": ["parameters"]})
    injected = new_code_cell('as_of = "2026-06-30"', metadata={"tags": ["injected-parameters"]})
    return new_notebook(cells=[new_markdown_cell("# A chapter"), params, injected, *cells])


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A report folder whose _quarto.yml lists 00_a.ipynb (chapter) and 90_b.ipynb (appendix)."""
    report = tmp_path / "report"
    report.mkdir()
    (report / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  chapters:\n    - index.qmd\n    - 00_a.ipynb\n"
        "    - part: Extra\n      chapters: [references.qmd]\n  appendices:\n    - 90_b.ipynb\n")
    return report


def _write(folder: Path, name: str, nb: nbformat.NotebookNode) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def test_book_files_flattens_parts(book: Path) -> None:
    assert r.book_files(book) == ["index.qmd", "00_a.ipynb", "references.qmd", "90_b.ipynb"]


def test_stage_splits_figure_cells_and_labels_parameter_folds(book: Path, tmp_path: Path) -> None:
    figure = new_code_cell('#| label: fig-a-x\n#| fig-cap: "X"\nshow(chart)', outputs=[
        _display({"text/markdown": "before", "text/plain": "b"}), _display(CHART),
        _display({"text/markdown": "after", "text/plain": "a"}), new_output("stream", name="stdout", text="hi\n")])
    alone = new_code_cell("#| label: fig-a-y\nshow(chart)", outputs=[_display(CHART)])
    table = new_code_cell("tables.show(df)", outputs=[_display({"text/html": "<table></table>"}),
                                                      _display({"text/markdown": "x"})])
    executed = tmp_path / "executed"
    charts_on_page = r.stage(book, [_write(executed, "00_a.ipynb", _notebook(figure, alone, table)),
                                    _write(executed, "90_b.ipynb", _notebook())])
    assert charts_on_page == {"00_a": 2, "90_b": 0}
    staged = nbformat.read(book / "00_a.ipynb", as_version=4)
    code = [c for c in staged.cells if c.cell_type == "code"]
    assert code[0].source.startswith('#| code-summary: "Parameters (defaults)"\nas_of')
    assert code[1].source.startswith('#| code-summary: "Parameters used in this build"\n')
    before, fig, after, fig_alone, tab = code[2:]
    assert before.source == after.source == "#| echo: false"
    assert [o.data["text/markdown"] for o in before.outputs] == ["before"]
    assert fig.source == figure.source and fig.outputs == [figure.outputs[1]]
    assert [o.get("output_type") for o in after.outputs] == ["display_data", "stream"]
    assert fig_alone.outputs == alone.outputs and len(tab.outputs) == 2  # unlabelled cells are left alone
    # the executed copy itself is untouched
    assert len(nbformat.read(executed / "00_a.ipynb", as_version=4).cells[3].outputs) == 4


def test_stage_refuses_error_outputs(book: Path, tmp_path: Path) -> None:
    bad = new_code_cell("1/0", outputs=[new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                                   traceback=[])])
    with pytest.raises(r.RenderError, match=r"00_a.ipynb: cell 3 raised ZeroDivisionError: division by zero"):
        r.stage(book, [_write(tmp_path, "00_a.ipynb", _notebook(bad)), _write(tmp_path, "90_b.ipynb", _notebook())])


def test_stage_checks_the_book_lists_exactly_the_notebooks(book: Path, tmp_path: Path) -> None:
    a, b = _write(tmp_path, "00_a.ipynb", _notebook()), _write(tmp_path, "90_b.ipynb", _notebook())
    extra = _write(tmp_path, "01_new.ipynb", _notebook())
    with pytest.raises(r.RenderError, match=r"not listed in .*_quarto.yml book.chapters or book.appendices: "
                                            r"\['01_new.ipynb'\]"):
        r.stage(book, [a, b, extra])
    with pytest.raises(r.RenderError, match=r"lists notebook\(s\) this build did not execute: \['90_b.ipynb'\]"):
        r.stage(book, [a])


def test_real_book_lists_every_notebook() -> None:
    listed = [n for n in r.book_files(REPO / "report") if n.endswith(".ipynb")]
    assert sorted(listed) == sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


# Tags exactly as Quarto 1.10.18 writes them into <head> for pages with text/html outputs
# (src/core/jupyter/widgets.ts); the session build checks the real pages (test_site).
QUARTO_HEAD = """<script src="site_libs/quarto-html/quarto.js" type="module"></script>
<script src="site_libs/quarto-html/tabsets/tabsets.js" type="module"></script>
<script src="https://cdn.jsdelivr.net/npm/requirejs@2.3.6/require.min.js" integrity="sha384-c9c" crossorigin="anonymous"></script>
<script src="https://cdn.jsdelivr.net/npm/jquery@3.5.1/dist/jquery.min.js" integrity="sha384-Zvp" crossorigin="anonymous" data-relocate-top="true"></script>
<script type="application/javascript">define('jquery', [],function() {return window.jQuery;})</script>
"""


@pytest.fixture(autouse=True)
def small_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for the 0.9 MB Vega runtime, which vl-convert takes seconds to generate."""
    monkeypatch.setattr(charts, "_BUNDLE", "/* vega */ window.vegaEmbed = function () {};")


def test_postprocess_removes_cdn_scripts(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(f"<html><head>{QUARTO_HEAD}</head><body></body></html>")
    assert len(r.find_external_refs(QUARTO_HEAD)) == 2
    assert r.postprocess(tmp_path) == (3, 0)  # no esbuild: module scripts stay
    html = (tmp_path / "a.html").read_text()
    assert r.find_external_refs(html) == [] and "define('jquery'" not in html
    assert html.count('type="module"') == 2


def test_runtime_written_once_next_to_the_book(book: Path) -> None:
    target = r.write_runtime(book)
    assert target == book / charts.VEGA_SCRIPT and target.read_text() == charts.vega_bundle(inline=False)
    mtime = target.stat().st_mtime_ns
    assert r.write_runtime(book).stat().st_mtime_ns == mtime  # unchanged: not rewritten
    config = (REPO / "report" / "_quarto.yml").read_text()
    assert f"- /{charts.VEGA_SCRIPT}" in config, "the runtime must be a Quarto project resource (anchored: /...)"


def test_postprocess_makes_module_scripts_classic(tmp_path: Path) -> None:
    try:
        esbuild = shutil.which("esbuild") or r.find_esbuild(r.find_quarto()[0])
    except r.QuartoMissing:
        esbuild = None
    if esbuild is None:
        pytest.skip("no esbuild (it ships with Quarto)")
    lib = tmp_path / "site_libs" / "quarto-html"
    (lib / "tabsets").mkdir(parents=True)
    (lib / "tabsets" / "tabsets.js").write_text("export function init() { window.inited = 1; }\n")
    (lib / "quarto.js").write_text('import * as tabsets from "./tabsets/tabsets.js";\ntabsets.init();\n')
    (tmp_path / "a.html").write_text(f"<html><head>{QUARTO_HEAD}</head></html>")
    assert r.postprocess(tmp_path, esbuild) == (3, 2)
    html = (tmp_path / "a.html").read_text()
    assert '<script src="site_libs/quarto-html/quarto.js" defer></script>' in html and "module" not in html
    bundled = (lib / "quarto.js").read_text()
    assert "import " not in bundled and "window.inited = 1" in bundled


def test_find_external_refs() -> None:
    page = ('<a href="https://quarto.org">ok</a><img src="//cdn.x/y.png"><link href="http://f/s.css" rel="stylesheet">'
            '<script>var u = "https://vega.github.io";</script><style>@import url("https://fonts/x.css");</style>'
            '<script src="site_libs/local.js"></script>')
    assert r.find_external_refs(page) == ["<img src=//cdn.x/y.png>", "<link href=http://f/s.css>",
                                          "css url(https://fonts/x.css)"]


def test_check_site_counts_charts_and_needs_the_pdf(tmp_path: Path) -> None:
    chart = f'<script src="{charts.VEGA_SCRIPT}"></script><div class="aic-chart"></div>'
    (tmp_path / "00_a.html").write_text(chart)
    with pytest.raises(r.RenderError, match="charts but no assets/vega-bundle.js"):
        r.check_site(tmp_path, {"00_a": 1})
    (tmp_path / "assets").mkdir()
    (tmp_path / charts.VEGA_SCRIPT).write_text("/* vega */")
    with pytest.raises(r.RenderError, match="00_a.html: 1 chart"):
        r.check_site(tmp_path, {"00_a": 2})
    with pytest.raises(r.RenderError, match="no report.pdf"):
        r.check_site(tmp_path, {"00_a": 1})
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7\n")
    r.check_site(tmp_path, {"00_a": 1})
    (tmp_path / "x.html").write_text('<script src="https://cdn.example/x.js"></script>')
    with pytest.raises(r.RenderError, match="x.html: <script src=https://cdn.example/x.js>"):
        r.check_site(tmp_path, {"00_a": 1})


def test_without_quarto_the_message_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("aicompute.pipeline.quarto.environment", lambda: tmp_path / "env")  # nor in .venv
    with pytest.raises(r.QuartoMissing) as info:
        r.find_quarto()
    msg = str(info.value)
    for hint in ("Quarto not found", "1.9.36", "https://quarto.org", "environment.yml", "pip install quarto-cli"):
        assert hint in msg


def test_too_old_quarto_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "quarto"
    fake.write_text("#!/bin/sh\necho 1.6.40\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("aicompute.pipeline.quarto.environment", lambda: tmp_path / "env")
    with pytest.raises(r.QuartoMissing, match=r"Quarto 1\.6\.40 at .* is too old"):
        r.find_quarto()


def test_chapter_title(tmp_path: Path) -> None:
    nb = new_notebook(cells=[new_markdown_cell("# Power is *the* bottleneck {#sec-x}\n\ntext")])
    assert chapters.chapter_title(_write(tmp_path, "02_x.ipynb", nb)) == "Power is the bottleneck"
    assert chapters.chapter_title(_write(tmp_path, "03_y.ipynb", new_notebook(cells=[new_markdown_cell("no title")]))) == "03_y"


def test_html_only_cells_are_left_out_of_the_pdf_copy(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    web = nbformat.v4.new_code_cell("tables.show(full, only='html')")
    web.metadata["tags"] = [r.HTML_ONLY_TAG]
    nb.cells = [nbformat.v4.new_markdown_cell("# A"), web, nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "92_x.ipynb")
    assert r.drop_html_only(tmp_path) == 1
    assert [c.source for c in nbformat.read(tmp_path / "92_x.ipynb", as_version=4).cells] == ["# A", "x = 1"]
    assert r.drop_html_only(tmp_path) == 0


def test_hidden_page_bibliographies_keep_only_the_page_citations(tmp_path: Path) -> None:
    """Every page sees every source (nocite: one set of year letters for the book); a chapter page's hidden
    bibliography keeps only what the page cites, and the References page (shown) keeps all."""
    entries = "".join(f'<div id="ref-{k}" class="csl-entry" role="listitem">\n{k.upper()}. 2026{k}.\n</div>\n'
                      for k in "abc")
    chapter = ('<p><span class="citation" data-cites="a c">(<a href="references.html#ref-a" role="doc-biblioref">'
               'X 2026a</a>; <a href="references.html#ref-c" role="doc-biblioref">X 2026c</a>)</span></p>\n'
               f'<div id="refs" class="references csl-bib-body hanging-indent" role="list" style="display: none">\n'
               f'{entries}</div>\n</main>')
    shown = f'<div id="refs" class="references csl-bib-body hanging-indent" role="list">\n{entries}</div>\n</main>'
    (tmp_path / "01_x.html").write_text(chapter, encoding="utf-8")
    (tmp_path / "references.html").write_text(shown, encoding="utf-8")
    assert r.trim_page_bibliographies(tmp_path) == 1
    page = (tmp_path / "01_x.html").read_text(encoding="utf-8")
    assert 'id="ref-a"' in page and 'id="ref-c"' in page and 'id="ref-b"' not in page
    assert page.endswith("2026c.\n</div>\n</div>\n</main>") and page.count("<div") == page.count("</div>")
    assert (tmp_path / "references.html").read_text(encoding="utf-8") == shown
    assert r.trim_page_bibliographies(tmp_path) == 0  # a second pass changes nothing
