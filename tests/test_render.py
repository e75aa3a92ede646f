"""Tests for aicompute.render: the offline pandoc + typst fallback and the Quarto command."""

from __future__ import annotations

import os
import re
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from aicompute import render as r
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

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


def _copy_report(dst: Path) -> Path:
    """A private copy of report/ (config, index, assets) so tests never touch the real one."""
    dst.mkdir(parents=True)
    shutil.copy2(REPORT_SRC / "_quarto.yml", dst / "_quarto.yml")
    shutil.copy2(REPORT_SRC / "index.qmd", dst / "index.qmd")
    shutil.copytree(REPORT_SRC / "assets", dst / "assets")
    return dst


def _path_without_quarto() -> str:
    keep = [
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and not (Path(p) / "quarto").exists()
    ]
    return os.pathsep.join(keep)


@pytest.fixture(scope="module")
def fallback_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, list[str]]]:
    base = tmp_path_factory.mktemp("fallback")
    report_dir = _copy_report(base / "report")
    nb_dir = base / "executed"
    nb_dir.mkdir()
    chapter = _write_nb(tiny_notebook(), nb_dir / "00_claims_audit.ipynb")
    second = tiny_notebook()
    second.cells[0].source = "# Chip strategy\n\nBack to @fig-demo."
    for cell in second.cells:  # distinct labels in the second chapter
        cell.source = cell.source.replace("fig-demo\n", "fig-demo-2\n")
        cell.metadata.pop("aicompute", None)
    chapter2 = _write_nb(second, nb_dir / "01_chip_strategy.ipynb")
    out_dir = base / "site"
    out_dir.mkdir()
    lines: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", _path_without_quarto())
        engine = r.render(report_dir, [chapter, chapter2], out_dir, log=lines.append)
    yield out_dir, engine, lines


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_fallback_produces_site_and_pdf(fallback_site: tuple[Path, str, list[str]]) -> None:
    out_dir, engine, lines = fallback_site
    assert engine == "pandoc+typst"
    assert len(lines) == 1 and lines[0].startswith("Quarto not found on PATH: rendering with pandoc 3.")
    assert "conda env create -f environment.yml" in lines[0]
    for name in ("index.html", "00_claims_audit.html", "01_chip_strategy.html"):
        assert (out_dir / name).is_file(), name
    pdf = (out_dir / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


def test_index_page_has_front_matter_and_preface(fallback_site: tuple[Path, str, list[str]]) -> None:
    page = _read(fallback_site[0] / "index.html")
    assert '<h1 class="title">AI compute economics: the 24-month test</h1>' in page
    assert "aicompute contributors" in page
    assert 'class="callout callout-note"' in page and 'class="callout-title"' in page
    assert "{{<" not in page and "<!-- summary" in page


def test_every_page_has_the_same_navigation(fallback_site: tuple[Path, str, list[str]]) -> None:
    out_dir = fallback_site[0]
    pages = ["index.html", "00_claims_audit.html", "01_chip_strategy.html"]
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
