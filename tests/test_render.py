"""Tests for aicompute.render: the offline pandoc + typst fallback and the Quarto command."""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from aicompute import cite
from aicompute import render as r

REPO = Path(__file__).resolve().parents[1]
REPORT_SRC = REPO / "report"

CHART_HTML = (
    '<div class="aic-chart" id="aic-chart-1" data-spec="demo"></div>\n'
    '<script type="module">window.aicDemo = (window.aicDemo || 0) + 1;\tconst sep = "\t";'
    " /* https://vega.github.io */</script>"
)
CHART_SVG = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="500" height="200" viewBox="0 0 500 200">'
    '<rect x="10" y="10" width="200" height="120" fill="#1f5fa8"/>'
    '<text x="20" y="170" font-size="16">demo chart</text></svg>'
)
TABLE_HTML = (
    '<table class="aic-table"><tr><th>Deal</th><th>GW</th></tr><tr><td>Alpha</td><td>1.5</td></tr></table>'
)
TABLE_MD = "| Deal | GW |\n|---|--:|\n| Alpha | 1.5 |\n| Beta & co | 10 |"


def tiny_notebook(*, with_error: bool = False) -> nbformat.NotebookNode:
    """A small executed notebook exercising the output contract."""
    params = new_code_cell('as_of = "2026-01-31"', metadata={"tags": ["parameters"]})
    injected = new_code_cell('as_of = "2026-02-01"', metadata={"tags": ["injected-parameters"]})
    prose = new_code_cell(
        "display(Markdown(f'The article cites {x} deals.'))",
        outputs=[
            new_output(
                "display_data",
                data={"text/markdown": "The article cites **three** deals.", "text/plain": "<Markdown>"},
            )
        ],
    )
    chart = new_code_cell(
        '#| label: fig-demo\n#| fig-cap: "Demo chart of <deals>"\nchart = bars(df)\nshow(chart)',
        outputs=[
            new_output(
                "display_data",
                data={"text/html": CHART_HTML, "image/svg+xml": CHART_SVG, "text/plain": "<Chart>"},
            )
        ],
    )
    table = new_code_cell(
        "show_table(df)",
        metadata={"aicompute": {"label": "fig-table", "caption": "Deals table"}},
        outputs=[new_output("display_data", data={"text/html": TABLE_HTML, "text/markdown": TABLE_MD})],
    )
    streams = new_code_cell(
        "print('hello stdout')",
        outputs=[
            new_output("stream", name="stdout", text="hello stdout\n"),
            new_output("stream", name="stderr", text="noisy stderr warning\n"),
        ],
    )
    removed = new_code_cell(
        "secret_cell = 1",
        metadata={"tags": ["remove-cell"]},
        outputs=[new_output("stream", name="stdout", text="SECRET OUTPUT\n")],
    )
    no_input = new_code_cell(
        "hidden_input_marker = 2",
        metadata={"tags": ["remove-input"]},
        outputs=[new_output("execute_result", data={"text/plain": "visible result 42"}, execution_count=1)],
    )
    code_marker = new_code_cell("x = 1 < 2  # code-marker", outputs=[])
    cells = [
        new_markdown_cell(
            "# Claims audit: the *trade-press* argument\n\nSee @fig-demo and [next](01_chip_strategy.ipynb)."
        ),
        params,
        injected,
        prose,
        new_markdown_cell("## Figures\n\nA chart follows."),
        chart,
        table,
        streams,
        removed,
        no_input,
        code_marker,
    ]
    if with_error:
        cells.append(
            new_code_cell(
                "1/0",
                outputs=[
                    new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])
                ],
            )
        )
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def _write_nb(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path


#: Synthetic sources: one with every BibTeX special in its title, one never cited (nocite '@*').
SOURCES = pd.DataFrame(
    {
        "id": ["src_a", "src_b", "src_c"],
        "title": ["Company release A", "Analyst note B", "R&D at 100% ($5B) #1 under_score {x} ~ok^"],
        "publisher": ["Company A (press release)", "Outlet B", "Ünïcode Research"],
        "author": [None, "Jane Doe", None],
        "date": pd.to_datetime(["2026-01-14", "2025-11-24", "2024-03-01"]),
        "url": ["https://example.com/a", "https://example.com/b", "https://example.com/c_d%20e"],
        "type": ["company", "analyst", "research"],
        "accessed": pd.to_datetime(["2026-11-28"] * 3),
        "note": [None, "copy read at a syndication site", None],
    }
)


def _copy_report(
    dst: Path, chapters: list[str] | None = None, appendices: list[str] | None = None
) -> Path:
    """A private copy of report/ (config, index, references, assets) so tests never touch the real one.

    ``chapters`` / ``appendices`` replace the book's lists (``index.qmd`` first, ``references.qmd`` last).
    """
    dst.mkdir(parents=True)
    for name in ("_quarto.yml", "index.qmd", "references.qmd"):
        shutil.copy2(REPORT_SRC / name, dst / name)
    shutil.copytree(REPORT_SRC / "assets", dst / "assets")
    (dst / "references.bib").write_text(cite.bibtex(SOURCES), encoding="utf-8")
    if chapters is not None or appendices is not None:
        config = yaml.safe_load((dst / "_quarto.yml").read_text(encoding="utf-8"))
        config["book"]["chapters"] = ["index.qmd", *(chapters or []), "references.qmd"]
        if appendices:
            config["book"]["appendices"] = appendices
        (dst / "_quarto.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return dst


CITED_MD = "Company A reported it [@src_a]; @src_b disagrees, and @nobody is no source."
HOSTILE_MD = "Claim: <script>alert(1)</script> and <img src=x onerror=alert(1)> as stated [@src_a]."
NAMED_CHART_HTML = (
    '<div class="aic-chart" id="aic-chart-2" data-name="fig-demo-named" data-cites="src_a src_b"'
    ' role="img" aria-label="Named"></div>'
)


def extra_cells() -> list[nbformat.NotebookNode]:
    """Cells for citations, escaping, a numbered table and a named chart (added to the first chapter)."""
    return [
        new_markdown_cell(f"## Sources\n\n{CITED_MD} See @tbl-deals.\n\n<!-- an author's comment -->"),
        new_code_cell(
            "display(Markdown(statement))",
            outputs=[new_output("display_data", data={"text/markdown": HOSTILE_MD, "text/plain": "<Md>"})],
        ),
        new_code_cell(
            "tables.show(deals)",
            metadata={"aicompute": {"label": "tbl-deals", "caption": "Deals by size"}},
            outputs=[new_output("display_data", data={"text/html": TABLE_HTML, "text/markdown": TABLE_MD})],
        ),
        new_code_cell(
            '#| fig-cap: "Named chart"\nshow(chart, name="fig-demo-named")',
            outputs=[
                new_output(
                    "display_data",
                    data={"text/html": NAMED_CHART_HTML, "image/svg+xml": CHART_SVG, "text/plain": "<Chart>"},
                )
            ],
        ),
    ]


def appendix_notebook() -> nbformat.NotebookNode:
    chart = new_code_cell(
        '#| label: fig-method\n#| fig-cap: "Method chart"\nshow(chart)',
        outputs=[new_output("display_data", data={"image/svg+xml": CHART_SVG, "text/plain": "<Chart>"})],
    )
    cells = [new_markdown_cell("# Methodology\n\nBuilds on @fig-demo; see @fig-method."), chart]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})


def _path_without_quarto() -> str:
    keep = [
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not (Path(p) / "quarto").exists()
    ]
    return os.pathsep.join(keep)


@pytest.fixture(scope="module")
def fallback_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, list[str]]]:
    base = tmp_path_factory.mktemp("fallback")
    report_dir = _copy_report(
        base / "report", ["00_claims_audit.ipynb", "01_chip_strategy.ipynb"], ["90_methodology.ipynb"]
    )
    nb_dir = base / "executed"
    nb_dir.mkdir()
    first = tiny_notebook()
    first.cells += extra_cells()
    chapter = _write_nb(first, nb_dir / "00_claims_audit.ipynb")
    second = tiny_notebook()
    second.cells[0].source = "# Chip strategy\n\nBack to @fig-demo."
    for cell in second.cells:  # distinct labels in the second chapter
        cell.source = cell.source.replace("fig-demo\n", "fig-demo-2\n")
        cell.metadata.pop("aicompute", None)
    chapter2 = _write_nb(second, nb_dir / "01_chip_strategy.ipynb")
    appendix = _write_nb(appendix_notebook(), nb_dir / "90_methodology.ipynb")
    out_dir = base / "site"
    out_dir.mkdir()
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", _path_without_quarto())
        engine = r.render(report_dir, [chapter, chapter2, appendix], out_dir, log=lines.append)
    yield out_dir, engine, lines


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_fallback_produces_site_and_pdf(fallback_site: tuple[Path, str, list[str]]) -> None:
    out_dir, engine, lines = fallback_site
    assert engine == "pandoc+typst"
    assert len(lines) == 1 and lines[0].startswith("Quarto not found on PATH: rendering with pandoc 3.")
    assert "conda env create -f environment.yml" in lines[0]
    for name in PAGES:
        assert (out_dir / name).is_file(), name
    pdf = (out_dir / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


def test_index_page_has_front_matter_and_preface(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "index.html")
    assert '<h1 class="title">AI compute economics: the 24-month test</h1>' in page
    assert "aicompute contributors" in page
    assert 'class="callout callout-note"' in page and 'class="callout-title"' in page
    assert "{{<" not in page and "summary:" not in page  # shortcode expanded, HTML comment dropped


PAGES = [
    "index.html",
    "00_claims_audit.html",
    "01_chip_strategy.html",
    "references.html",
    "90_methodology.html",
]


def test_every_page_has_the_same_navigation(fallback_site: tuple[Path, str, list[str]]) -> None:
    out_dir = fallback_site[0]
    pages = PAGES
    for name in pages:
        page = _read(out_dir / name)
        nav = page[page.index('<nav class="book-nav"') : page.index("</ol></nav>")]
        assert [m for m in re.findall(r'href="([^"#]+)"', nav)] == pages, name
        assert re.search(rf'<a class="active" aria-current="page" href="{re.escape(name)}">', page), name
        assert "<style>" in page and 'class="site-footer"' in page
    chapter = _read(out_dir / "00_claims_audit.html")
    assert "Claims audit: the trade-press argument</a>" in chapter  # title from first '# ' heading, escaped
    assert (
        'class="prev" href="index.html"' in chapter and 'class="next" href="01_chip_strategy.html"' in chapter
    )


def test_chapter_cells_follow_the_output_contract(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "00_claims_audit.html")
    # chart html (div + script) passes through untouched; the SVG copy is not used in HTML
    assert CHART_HTML in page
    assert "demo chart</text>" not in page
    # numbered figure with caption and anchor; cross reference resolved
    assert '<figure id="fig-demo" class="aic-figure">' in page
    assert "Figure 1.1:</span> Demo chart of &lt;deals&gt;" in page
    assert '<a href="#fig-demo">Figure 1.1</a>' in page
    assert '<figure id="fig-table"' in page and "Figure 1.2:</span> Deals table" in page
    # code folded and escaped; parameters folded separately
    assert '<details class="code-fold"><summary>Code</summary>' in page
    assert "x = 1 &lt; 2  # code-marker" in page
    assert page.count('<details class="code-fold parameters"><summary>Parameters (defaults)</summary>') == 1
    assert page.count('<details class="code-fold parameters"><summary>Parameters used in this build</summary>') == 1
    assert "#| label" not in page
    # outputs: markdown rendered, html table preferred, stdout kept, stderr dropped, tags honoured
    assert "The article cites <strong>three</strong> deals." in page
    assert TABLE_HTML in page
    assert "hello stdout" in page and "noisy stderr" not in page
    assert "SECRET" not in page and "secret_cell" not in page
    assert "visible result 42" in page and "hidden_input_marker" not in page
    assert 'href="01_chip_strategy.html"' in page  # .ipynb link rewritten


def test_cross_chapter_reference_links_to_other_page(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "01_chip_strategy.html")
    assert '<a href="00_claims_audit.html#fig-demo">Figure 1.1</a>' in page
    assert '<figure id="fig-demo-2" class="aic-figure">' in page and "Figure 2.1:" in page


def test_html_is_offline(fallback_site: tuple[Path, str, list[str]]) -> None:
    for page in fallback_site[0].glob("*.html"):
        text = _read(page)
        assert not re.search(r"<script[^>]*\ssrc=[\"']?(https?:)?//", text)
        assert not re.search(r"<link[^>]*\shref=[\"']?(https?:)?//", text)
        assert "mathjax" not in text.lower()
        assert r.find_external_refs(text) == []


def test_citations_link_to_the_references_page(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "00_claims_audit.html")
    # Chicago author-date from pandoc's citeproc; the outlet (asides dropped) is the corporate author
    assert re.search(r'\(<a href="references\.html#ref-src_a"[^>]*>Company A 2026</a>\)', page)
    assert re.search(r'Doe \(<a href="references\.html#ref-src_b"[^>]*>2025</a>\)', page)
    assert "@nobody is no source" in page and "nobody?" not in page  # unknown key stays text
    assert 'id="refs"' not in page and 'class="csl-entry"' not in page  # bibliography only on its page
    assert "an author&#39;s comment" not in page and "author's comment" not in page


def test_references_page_lists_every_source(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "references.html")
    assert '<h1 class="unnumbered" id="references">References</h1>' in page
    entries = re.findall(r'<div id="ref-([\w-]+)" class="csl-entry"', page)
    assert entries == ["src_a", "src_b", "src_c"]  # src_c is cited nowhere: nocite '@*'
    assert "R&amp;D at 100% ($5B) #1 under_score {x} ~ok^" in page  # BibTeX specials round-trip
    assert "Ünïcode Research" in page
    assert 'href="https://example.com/c_d%20e"' in page
    assert "Doe, Jane. 2025." in page


def test_text_from_data_is_escaped(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "00_claims_audit.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert not re.search(r"<img\b[^>]*onerror", page, re.IGNORECASE)
    assert not re.search(r"<script>\s*alert", page)
    assert page.count("<script") == 1  # the demo chart's own script (a raw html block) only


def test_numbered_table_with_caption_on_top(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "00_claims_audit.html")
    assert re.search(
        r'<figure id="tbl-deals" class="aic-figure aic-table-figure"><figcaption>'
        r'<span class="fig-number">Table 1\.1:</span> Deals by size</figcaption>\s*'
        r'<div class="cell-output cell-output-display">\s*<table',
        page,
    )
    assert '<a href="#tbl-deals">Table 1.1</a>' in page
    assert "Figure 1.3:</span> Named chart" in page  # figures and tables counted separately


def test_chart_download_links(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "00_claims_audit.html")
    base = "downloads/figures/00_claims_audit/fig-demo-named"
    footer = re.search(r'<div class="chart-downloads">\s*<p>(.*?)</p>\s*</div>', page, re.DOTALL)
    assert footer and page.count('class="chart-downloads"') == 1  # the chart without data-name gets none
    text = footer.group(1)
    assert f'Download: <a href="{base}.csv" download="">data (CSV)</a> · ' in text
    assert f'<a href="{base}.svg" download="">image (SVG)</a>' in text
    # the chart's sources (data-cites) as citations, linked to the bibliography, as in its source line
    assert re.search(r'Sources: <span class="citation" data-cites="src_a">Company A \(<a href="references\.html#ref-src_a"', text)
    assert 'href="references.html#ref-src_b"' in text
    nav = page[page.index('<nav class="nav-downloads"') :]
    for href in ("report.pdf", "downloads/data/datapackage.json", "downloads/aicompute-data-package.zip"):
        assert f'href="{href}"' in nav


def test_chart_footer_links_only_the_files_written() -> None:
    div = '<div class="aic-chart" id="c" data-name="fig-x" data-files="svg" data-cites="src_a">'
    footer = r._chart_downloads(div, "02_infra")
    assert footer == (
        "\n\n::: {.chart-downloads}\nDownload: [image (SVG)](downloads/figures/02_infra/fig-x.svg){download=''}"
        " · Sources: @src_a\n:::"
    )
    assert r._chart_downloads('<div class="aic-chart" id="c">', "02_infra") == ""
    hostile = '<div class="aic-chart" data-name="a&quot;b" data-cites="x) [y](javascript:z">'
    assert r._chart_downloads(hostile, "02_infra") == ""  # odd names / ids are ignored


def test_appendices_follow_chapters(fallback_site: tuple[Path, str, list[str]]) -> None:
    out_dir = fallback_site[0]
    page = _read(out_dir / "90_methodology.html")
    nav = page[page.index('<nav class="book-nav"') : page.index("</ol></nav>")]
    assert nav.index("references.html") < nav.index(">Appendices<") < nav.index("90_methodology.html")
    assert ">Appendix A: Methodology</a>" in nav
    assert re.search(r'<h1[^>]*>Appendix A: Methodology</h1>', page)
    assert "Figure A.1:</span> Method chart" in page
    assert '<a href="00_claims_audit.html#fig-demo">Figure 1.1</a>' in page
    assert '<a href="#fig-method">Figure A.1</a>' in page
    assert "<title>Appendix A: Methodology" in page
    chapter = _read(out_dir / "00_claims_audit.html")
    assert ">Appendices<" in chapter and ">Appendix A: Methodology</a>" in chapter


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_has_references_and_appendix_at_the_end(fallback_site: tuple[Path, str, list[str]]) -> None:
    import subprocess

    text = subprocess.run(
        ["pdftotext", "-layout", str(fallback_site[0] / "report.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    text = " ".join(text.split())
    body = text[text.index("Company A reported it") :]
    assert "(Company A 2026)" in body and "Doe (2025)" in body
    refs = body.index("References Every source")
    assert body.index("Company A. 2026. “Company release A.” Company A (press release)", refs)
    assert refs < body.index("Appendix A: Methodology") and "Figure A.1: Method chart" in body
    assert "R&D at 100% ($5B) #1 under_score {x} ~ok^" in body[refs:]
    assert "Table 1.1: Deals by size" in body
    assert "&lt;script" not in body and "<script>alert(1)</script>" in body  # shown as text


def test_fallback_rejects_unlisted_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_without_quarto())
    report_dir = _copy_report(tmp_path / "report", ["00_claims_audit.ipynb"])
    listed = _write_nb(tiny_notebook(), tmp_path / "00_claims_audit.ipynb")
    stray = _write_nb(tiny_notebook(), tmp_path / "93_stray.ipynb")
    out_dir = tmp_path / "site"
    out_dir.mkdir()
    with pytest.raises(r.RenderError, match=r"not listed in .*book\.chapters or book\.appendices.*93_stray"):
        r.render(report_dir, [listed, stray], out_dir, log=lambda _: None)


def test_missing_bibliography_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", _path_without_quarto())
    report_dir = _copy_report(tmp_path / "report", ["00_claims_audit.ipynb"])
    (report_dir / "references.bib").unlink()
    chapter = _write_nb(tiny_notebook(), tmp_path / "00_claims_audit.ipynb")
    out_dir = tmp_path / "site"
    out_dir.mkdir()
    with pytest.raises(r.RenderError, match=r"bibliography .*references\.bib.*python -m aicompute build"):
        r.render(report_dir, [chapter], out_dir, log=lambda _: None)


def test_book_pages_place_notebooks_by_quarto_yml(tmp_path: Path) -> None:
    report_dir = _copy_report(
        tmp_path / "report", ["00_a.ipynb", "01_b.ipynb"], ["90_x.ipynb", "91_y.ipynb"]
    )
    names = ["00_a", "01_b", "90_x", "91_y"]
    nbs = [new_notebook(cells=[new_markdown_cell(f"# Title {n}")]) for n in names]
    paths = [tmp_path / f"{n}.ipynb" for n in names]
    # passed in file order, but 01_b is missing from this build: skipped
    pages = r._book_pages(report_dir, [paths[0], paths[2], paths[3]], [nbs[0], nbs[2], nbs[3]])
    assert [(p.path.name, p.key, p.title) for p in pages] == [
        ("00_a.ipynb", "1", "Title 00_a"),
        ("references.qmd", "0", "References"),
        ("90_x.ipynb", "A", "Appendix A: Title 90_x"),
        ("91_y.ipynb", "B", "Appendix B: Title 91_y"),
    ]
    assert pages[1].meta == {"nocite": "@*"}


def test_error_output_raises(tmp_path: Path) -> None:
    report_dir = _copy_report(tmp_path / "report")
    chapter = _write_nb(tiny_notebook(with_error=True), tmp_path / "00_claims_audit.ipynb")
    out_dir = tmp_path / "site"
    out_dir.mkdir()
    with pytest.raises(r.RenderError, match="ZeroDivisionError"):
        r.render(report_dir, [chapter], out_dir, log=lambda _: None)
    assert not any(out_dir.iterdir())


def test_find_external_refs_flags_remote_resources_only() -> None:
    page = (
        '<a href="https://example.com">ok</a><script>var u = "<script src=https://x.org/a.js>";</script>'
        '<script src="https://cdn.example/vega.js"></script>'
        '<link rel="stylesheet" href="//fonts.example/css">'
        '<style>@import url("https://fonts.example/x.css"); .a{background:url(#grad)}</style>'
        '<img src="data:image/png;base64,AAAA"><img data-href="https://fine.example" src="local.png">'
    )
    found = r.find_external_refs(page)
    assert len(found) == 3
    assert any("cdn.example" in f for f in found) and any("//fonts.example/css" in f for f in found)
    assert any("@" not in f and "fonts.example/x.css" in f for f in found)


def test_cell_options_from_comments_and_metadata() -> None:
    cell = new_code_cell('#| label: fig-a\n#| fig-cap: "A: b"\n#| echo: false\nplot()')
    options, code = r.cell_options(cell)
    assert options == {"label": "fig-a", "fig-cap": "A: b", "echo": False} and code == "plot()"
    cell = new_code_cell("plot()", metadata={"aicompute": {"label": "fig-b", "caption": "B"}})
    assert r.cell_options(cell) == ({"label": "fig-b", "fig-cap": "B"}, "plot()")


def test_raw_block_fence_is_longer_than_content_backticks() -> None:
    block = r.raw_block("<pre>```\ncode\n````</pre>", "html")
    assert block.startswith("`````{=html}\n") and block.endswith("\n`````")


# ------------------------------------------------------------------------------------------
# Quarto path, with a fake `quarto` executable
# ------------------------------------------------------------------------------------------

FAKE_QUARTO = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_QUARTO_LOG"
pwd > "$FAKE_QUARTO_LOG.cwd"
[ -n "$FAKE_QUARTO_FAIL" ] && { echo "ERROR: boom" >&2; exit 1; }
out=""; prev=""
for a in "$@"; do [ "$prev" = "--output-dir" ] && out="$a"; prev="$a"; done
mkdir -p "$out"
echo '<html><body><a href="https://quarto.org">Quarto</a></body></html>' > "$out/index.html"
echo '%PDF-1.7 fake' > "$out/AI-compute-economics.pdf"
"""


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO)
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    log = tmp_path / "quarto-args.txt"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{_path_without_quarto()}")
    monkeypatch.setenv("FAKE_QUARTO_LOG", str(log))
    return log


def test_quarto_path_builds_the_documented_command(tmp_path: Path, fake_quarto: Path) -> None:
    report_dir = _copy_report(tmp_path / "report")
    chapter = _write_nb(tiny_notebook(), tmp_path / "00_claims_audit.ipynb")
    out_dir = tmp_path / "report" / "_site.tmp"
    out_dir.mkdir()
    lines: list[str] = []
    assert r.quarto_available()
    assert r.render(report_dir, [chapter], out_dir, log=lines.append) == "quarto"
    args = fake_quarto.read_text().splitlines()
    assert args == ["render", str(report_dir.resolve()), "--output-dir", "_site.tmp", "--no-execute"]
    assert Path(fake_quarto.with_name(fake_quarto.name + ".cwd").read_text().strip()) == report_dir.resolve()
    assert (report_dir / "00_claims_audit.ipynb").is_file()  # copied next to _quarto.yml
    assert (out_dir / "report.pdf").read_bytes().startswith(b"%PDF")  # renamed
    assert not any("Quarto not found" in line for line in lines)


def test_quarto_command_uses_project_relative_output_dir(tmp_path: Path) -> None:
    cmd = r.quarto_command("quarto", tmp_path / "report", tmp_path / "build" / "site")
    assert cmd == [
        "quarto",
        "render",
        str(tmp_path / "report"),
        "--output-dir",
        "../build/site",
        "--no-execute",
    ]


def test_quarto_failure_raises(tmp_path: Path, fake_quarto: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    report_dir = _copy_report(tmp_path / "report")
    chapter = _write_nb(tiny_notebook(), tmp_path / "00_claims_audit.ipynb")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(r.RenderError, match=r"(?s)quarto render failed.*boom"):
        r.render(report_dir, [chapter], out_dir, log=lambda _: None)


def test_quarto_path_rejects_chapters_missing_from_quarto_yml(tmp_path: Path, fake_quarto: Path) -> None:
    report_dir = _copy_report(tmp_path / "report")
    assert r.book_chapters(report_dir)[0] == "index.qmd"
    chapter = _write_nb(tiny_notebook(), tmp_path / "09_unlisted.ipynb")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(r.RenderError, match=r"09_unlisted\.ipynb"):
        r.render(report_dir, [chapter], out_dir, log=lambda _: None)
    assert not fake_quarto.exists()  # quarto never ran


def test_pdf_markdown_uses_svg_and_markdown_never_html(tmp_path: Path) -> None:
    nb = tiny_notebook()
    chapter = r.Chapter(path=tmp_path / "00_claims_audit.ipynb", nb=nb, number=1, title="Claims audit")
    figures = r._number_figures([chapter])
    doc = r._chapter_markdown(chapter, "pdf", figures, asset_dir=tmp_path)
    assert "{=html}" not in doc and "<details" not in doc and "aic-chart" not in doc
    assert "code-marker" not in doc and "as_of" not in doc  # code and parameters omitted
    assert "hello stdout" not in doc  # streams are HTML-only
    assert "The article cites **three** deals." in doc
    assert "| Beta & co | 10 |" in doc and "**Figure 1.2:** Deals table" in doc  # table from its markdown
    assert re.search(
        r"!\[\*\*Figure 1\.1:\*\* Demo chart of \\<deals\\>\]\((\S+\.svg)\)\{#fig-demo width=", doc
    )
    svg_files = list(tmp_path.glob("*.svg"))
    assert len(svg_files) == 1 and svg_files[0].read_text(encoding="utf-8").startswith("<svg")
    assert "[Figure 1.1](#fig-demo)" in doc


def test_pdf_markdown_table_caption_above_and_appendix_heading(tmp_path: Path) -> None:
    nb = tiny_notebook()
    nb.cells += extra_cells()
    chapter = r.Chapter(path=tmp_path / "90_x.ipynb", nb=nb, number=0, title="Appendix A: X", appendix="A")
    figures = r._number_figures([chapter])
    doc = r._chapter_markdown(chapter, "pdf", figures, asset_dir=tmp_path)
    assert doc.startswith("# Appendix A: Claims audit: the *trade-press* argument")
    caption = "::: {#tbl-deals .figure-caption}\n**Table A.1:** Deals by size\n:::"
    assert caption + "\n\n| Deal | GW |" in doc
    assert "[Table A.1](#tbl-deals)" in doc and "**Figure A.3:** Named chart" in doc
    assert "[@src_a]" in doc and "<!--" not in doc
