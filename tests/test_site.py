"""The real report rendered by Quarto (the session build, tests/conftest.py): the files, the offline rule,
figures and folds, then every page in headless Chromium, served over http://127.0.0.1 and opened from disk.

Chromium is Debian's package driven by Playwright (no browser download), with background networking off
and a fresh profile. Every chart must be drawn as an SVG by vega-embed from the site's own files, with no
console error and no request leaving the site. Screenshots go to build/screenshots/<mode>-<page>.png (over
http the page down to 6,000 px, from disk the first screen).
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aicompute import charts
from aicompute.pipeline import registry
from aicompute.pipeline.render import PARAMETER_SUMMARY, find_external_refs

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Ceiling for a chapter page's HTML. The Vega runtime (~900 KB) is a shared site file, never inlined, so a
#: page holds text, tables (with linked citations), chart specs (binned, not raw draws, with their alt text) and
#: folded code: the largest (chapter 05) is ~390 KB (its specs carry only the columns they draw: charts.trim_datasets).
MAX_PAGE_BYTES = 500_000
#: Screenshots cover the page down to this many pixels (the appendix tables run far longer).
MAX_SHOT_HEIGHT = 6000


@pytest.fixture(scope="module")
def site(report) -> Path:
    return report.need_site()


def _pages(site: Path) -> list[Path]:
    return sorted(site.glob("*.html"))


@pytest.mark.slow
def test_site_files(site: Path, report) -> None:
    names = {p.name for p in _pages(site)}
    stems = [nb.stem for nb in report.project.chapters()]
    back = {Path(p).with_suffix(".html").name for p in registry.BACK_MATTER}  # the change list and the references
    assert names == {"index.html", *back, *(f"{s}.html" for s in stems)}
    assert (site / "report.pdf").read_bytes()[:5] == b"%PDF-"
    assert (site / "downloads" / "data" / "claims.csv").exists()
    assert (site / "downloads" / "aicompute-data-package.zip").exists()
    assert "as it stood on" in (site / "downloads" / "AS-OF.txt").read_text(encoding="utf-8")
    assert (site / charts.VEGA_SCRIPT).stat().st_size > 500_000
    assert not list(site.parent.glob("_site.tmp-*")), "the temporary render folder was left behind"


@pytest.mark.slow
def test_by_hand_render_inputs_stay_in_report(site: Path, report) -> None:
    """After a build, `quarto render report` works by hand: every file the book lists, the summary it
    includes and the bibliography are in report/ (the staged notebooks are git-ignored build products)."""
    from aicompute.pipeline.render import book_files

    folder = report.project.report
    for name in [*book_files(folder), "_summary.md", "references.bib"]:
        assert (folder / name).is_file(), f"report/{name} missing after the build"


@pytest.mark.slow
def test_pages_are_small_and_offline(site: Path, report) -> None:
    assert any("CDN script tag(s) removed" in line for line in report.log), report.log
    assert not (site / "_site").exists() and len(list(site.rglob("vega-bundle.js"))) == 1  # no earlier site nested
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        assert find_external_refs(html) == [], page.name
        assert "cdn.jsdelivr.net" not in html and 'type="module"' not in html, page.name
        if re.fullmatch(r"[0-8]\d_\w+\.html", page.name):  # chapters; appendices grow with the data package
            assert page.stat().st_size <= MAX_PAGE_BYTES, f"{page.name}: {page.stat().st_size} bytes"
        if 'class="aic-chart"' in html:  # the runtime is loaded once, from the site
            assert html.count(f'src="{charts.VEGA_SCRIPT}"') == 1, page.name
            assert "window.vegaEmbed=" not in html, page.name
    for css in site.rglob("*.css"):
        assert find_external_refs(css.read_text(encoding="utf-8")) == [], css


@pytest.mark.slow
def test_figures_numbered_without_subfigures(site: Path) -> None:
    first = (site / "00_claims_audit.html").read_text(encoding="utf-8")
    assert re.search(r"Figure&nbsp;1\.1", first), "the first chapter's figures are 1.x (index.qmd is unnumbered)"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert '<span class="chapter-number">' not in index.split("</header>")[0]
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        assert "quarto-subfloat" not in html, f"{page.name}: a chart cell became sub-figures"
        for number in re.findall(r"Figure&nbsp;([0-9A-Z]+\.\d+)", html):
            assert number[0] != "0", page.name


@pytest.mark.slow
def test_chart_links_resolve(site: Path, report) -> None:
    refs = set(re.findall(r'id="(ref-[^"]+)"', (site / "references.html").read_text(encoding="utf-8")))
    pages_with_charts = set()
    for page in _pages(site):
        if page.name == "index.html":  # the front page's odds chart is drawn from the published results
            continue
        html = page.read_text(encoding="utf-8")
        n_charts = html.count('class="aic-chart"')
        links = re.findall(r'<p class="aic-chart-links">(.*?)</p>', html, re.DOTALL)
        assert len(links) == n_charts, f"{page.name}: {n_charts} charts, {len(links)} link lines"
        if n_charts:
            pages_with_charts.add(page.stem)
        for line in links:
            downloads = re.findall(r'href="(downloads/figures/[^"]+)"', line)
            assert downloads, f"{page.name}: a chart without downloads"
            for href in downloads:
                assert (site / href).is_file(), f"{page.name}: {href} missing"
            for target in re.findall(r'href="references\.html#([^"]+)"', line):
                assert target in refs, f"{page.name}: source link to missing #{target}"
    # every chapter that shows a chart (in its executed notebook) has them on its page: derived, not counted
    drawn = {stem for stem, nb in report.executed().items()
             if any('class="aic-chart"' in str(out.get("data", {})) for cell in nb.cells for out in cell.get("outputs", []))}
    assert drawn and pages_with_charts == drawn


@pytest.mark.slow
def test_references_page_lists_every_source(site: Path) -> None:
    """Every source but the illustrative ones (made-up examples, kept out of the bibliography) has an entry."""
    from aicompute import cite, data

    refs = (site / "references.html").read_text(encoding="utf-8")
    div = re.search(r'<div id="refs"[^>]*>', refs).group(0)
    assert "display: none" not in div, "Quarto hid the bibliography (no nocite on the book's first page)"
    ids = set(re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', refs))
    sources = data.load("sources", folder=site.parents[1] / "data")
    assert ids == set(sources["id"]) - cite.illustrative_ids(sources)


@pytest.mark.slow
def test_parameter_folds_and_code_folded(site: Path) -> None:
    page = (site / "01_chip_strategy.html").read_text(encoding="utf-8")
    for summary in PARAMETER_SUMMARY.values():
        assert f"<summary>{summary}</summary>" in page
    assert "<summary>Code</summary>" in page and '<details class="code-fold">' in page


# ------------------------------------------------------------------------------------------------
# in the browser
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(site: Path) -> Iterator:
    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="aicompute-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                        args=CHROMIUM_FLAGS, viewport={"width": 1280, "height": 900})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """The site over http://127.0.0.1 (what `make serve` does)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["http", "file"])
def test_every_page_draws_offline_in_chromium(site: Path, browser, server: str, mode: str) -> None:
    base = server if mode == "http" else site.as_uri() + "/"
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    failures = []
    for html in _pages(site):
        page = browser.new_page()
        errors: list[str] = []
        remote: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
        page.on("request", lambda r, out=remote: out.append(r.url)
                if not r.url.startswith((base, "data:", "blob:", "about:")) else None)
        page.goto(base + html.name, wait_until="load")
        page.wait_for_function("document.querySelectorAll('.aic-chart svg').length"
                               " >= document.querySelectorAll('.aic-chart').length", timeout=30_000)
        drawn = page.eval_on_selector_all(".aic-chart", "els => els.map(e => !!e.querySelector('svg'))")
        # quarto.js ran (an ES module made a classic script by the renderer, so file:// loads it too)
        quarto_ran = page.evaluate("() => typeof window.quartoToggleReader === 'function'")
        # a table wider than the text column scrolls sideways; its caption must stay inside the column, readable
        clipped = page.evaluate("""() => [...document.querySelectorAll('main table > caption')].filter(c => {
            const box = (c.closest('.cell-output-display') || c.parentElement.parentElement).getBoundingClientRect();
            const r = c.getBoundingClientRect();
            return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
        }).map(c => c.innerText.slice(0, 60))""")
        expected = (site / html.name).read_text(encoding="utf-8").count('class="aic-chart"')
        # the long view once, of the pages with charts; from disk, and of text-only pages such as the references (whose
        # long view timed out at 30 s), the first screen is enough
        if mode == "http" and expected:
            height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_SHOT_HEIGHT)
            page.screenshot(path=str(shots / f"{mode}-{html.stem}.png"), full_page=True,
                            clip={"x": 0, "y": 0, "width": 1280, "height": height})
        else:
            page.screenshot(path=str(shots / f"{mode}-{html.stem}.png"))
        page.close()
        if len(drawn) != expected or not all(drawn):
            failures.append(f"{html.name}: charts drawn {drawn}, expected {expected}")
        if errors:
            failures.append(f"{html.name}: console errors {errors[:3]}")
        if remote:
            failures.append(f"{html.name}: requests leaving the site {remote[:3]}")
        if clipped:
            failures.append(f"{html.name}: table captions cut off by their scrolling table {clipped[:3]}")
        if not quarto_ran:
            failures.append(f"{html.name}: Quarto's scripts did not run")
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_summary_numbers_equal_published_results(site: Path, report) -> None:
    from aicompute.results import format_result, tagged_values

    index = (site / "index.html").read_text(encoding="utf-8")
    results = report.results()
    assert results, "no published results"
    # the verdict's panel says its dates once, under its heading and before the lead (the as-of line every chapter
    # opens with: evidence to the cut-off, and the months after it projected)
    panel = index.index('class="aic-verdict')
    dates = index[panel:index.index("aic-lead", panel)]
    assert "evidence to" in dates and "latest evidence used" in dates
    shown = tagged_values(index)
    assert len(shown) >= 5
    for rid, text in shown:
        stem, key = rid.split(".", 1)
        assert text == format_result(results[stem][key]), rid


_CITATION = re.compile(r'<span class="citation" data-cites="[^"]*">(.*?)</span>', re.DOTALL)
_BIBLIOREF = re.compile(r'<a href="[^"]*#ref-([^"]+)" role="doc-biblioref"[^>]*>(.*?)</a>', re.DOTALL)
_CHART_REF = re.compile(r'<a href="references\.html#ref-([^"]+)"(?: title="([^"]*)")?>(.*?)</a>', re.DOTALL)
_YEAR = re.compile(r"(\d{4}[a-z]?|n\.d\.(?:-[a-z])?)$")


def _text(fragment: str) -> str:
    import html as _html

    return " ".join(_html.unescape(re.sub(r"<[^>]+>", "", fragment)).replace("’", "'").split())


def _in_text_labels(page: str) -> list[tuple[str, str]]:
    """(source id, "Author (year)") for each linked in-text citation on a page, the author left out ("(year)")
    where the citation does not print one next to the link (``[-@id]``)."""
    found = []
    for span in _CITATION.finditer(page):
        inner, before = span.group(1), 0
        for link in _BIBLIOREF.finditer(inner):
            text = _text(link.group(2))
            year = _YEAR.search(text)
            assert year, f"no year in the citation text {text!r}"
            author = text[:year.start()].strip(" ,")
            if not author:  # narrative citation: "Author (<a>2026a</a>)"
                author = _text(inner[before:link.start()]).strip(" ;(")
                author = "" if author.endswith(")") else author
            found.append((link.group(1), f"{author} ({year.group(1)})".strip()))
            before = link.end()
    return found


@pytest.mark.slow
def test_citation_labels_agree_across_pages(site: Path) -> None:
    """One source, one label in the whole book: each in-text citation (prose, tables) and each chart source link
    shows, for a source, the author and year letter the References page gives it (citeproc letters works among
    those it sees: with each page's own citations only, "The Information 2026d" in a table and "The Information
    (2026g)" under a chart were one memo, and "2026c" meant different articles on different pages)."""
    refs = (site / "references.html").read_text(encoding="utf-8")
    years = {}
    for entry in re.finditer(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>', refs, re.DOTALL):
        year = re.search(r"\.\s(\d{4}[a-z]?|n\.d\.(?:-[a-z])?)\.", _text(entry.group(2)))
        assert year, f"references.html: no year in the entry of {entry.group(1)}"
        years[entry.group(1)] = year.group(1)
    labels: dict[str, dict[str, str]] = {}  # source id -> label -> first page showing it
    n_cites = 0
    for page in _pages(site):
        html = page.read_text(encoding="utf-8")
        shown = _in_text_labels(html)
        for line in re.findall(r'<p class="aic-chart-links">(.*?)</p>', html, re.DOTALL):
            shown += [(ref, _text(title or text)) for ref, title, text in _CHART_REF.findall(line)]
        for ref, label in shown:
            assert ref in years, f"{page.name}: {label} links to #ref-{ref}, not on the References page"
            assert label.endswith(f"({years[ref]})"), (
                f"{page.name}: {ref} is cited as {label!r}; the References page dates it {years[ref]}")
            if not label.startswith("("):
                labels.setdefault(ref, {}).setdefault(label, page.name)
        n_cites += len(shown)
    assert n_cites > 0, "no linked citation found on any page (has the citation markup changed?)"
    differing = {ref: seen for ref, seen in labels.items() if len(seen) > 1}
    assert not differing, f"sources with two labels (label: first page): {differing}"
    by_label: dict[str, set[str]] = {}
    for ref, seen in labels.items():
        for label in seen:
            by_label.setdefault(label, set()).add(ref)
    shared = {label: ids for label, ids in by_label.items() if len(ids) > 1}
    assert not shared, f"labels naming two sources: {shared}"
