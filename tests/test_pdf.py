"""The PDF Quarto renders through typst (the session build, tests/conftest.py), read back with pdftotext
(poppler-utils): every chapter and appendix, no code, numbered figures, the references listed, data text
printed literally."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from aicompute import data
from aicompute.chapters import chapter_title


@pytest.fixture(scope="module")
def pdf_text(report) -> str:
    site = report.need_site()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    out = subprocess.run(["pdftotext", "-layout", str(site / "report.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    return re.sub(r"[ \t]+", " ", out)


def _flat(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


@pytest.mark.slow
def test_every_chapter_and_appendix_present(pdf_text: str, report) -> None:
    flat = _flat(pdf_text)
    assert "AI compute economics: the 24-month test" in flat
    assert "Summary" in flat and not re.search(r"^\s*1\s+Summary", pdf_text, re.MULTILINE)
    titles = [chapter_title(p) for p in sorted((report.project.out / "executed").glob("*.ipynb"))]
    for title in titles:
        assert _flat(title) in flat, f"chapter '{title}' missing from the PDF"
    # chapters numbered 1..6 in the table of contents, appendices A, B, C
    assert re.search(r"^\s*1 The seed", pdf_text, re.MULTILINE)
    assert re.search(r"^\s*A [A-Z]", pdf_text, re.MULTILINE)


@pytest.mark.slow
def test_no_code_in_the_pdf(pdf_text: str) -> None:
    for code in ("import ", "from aicompute", "publish(", "charts.show(", "as_of = ", "display(Markdown"):
        assert code not in pdf_text, f"code in the PDF: {code!r}"


@pytest.mark.slow
def test_figures_numbered(pdf_text: str, report) -> None:
    n_charts = sum('class="aic-chart"' in str(o.get("data", {}).get("text/html", ""))
                   for nb in report.executed().values() for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    numbers = set(re.findall(r"Figure ([1-9]\.\d+)", pdf_text))
    assert "1.1" in numbers and len(numbers) >= n_charts, sorted(numbers)
    assert not re.search(r"^\s*\([ab]\)\s*$", pdf_text, re.MULTILINE), "sub-figure captions in the PDF"


@pytest.mark.slow
def test_references_listed(pdf_text: str) -> None:
    after = _flat(pdf_text.split("Every source in the data package", 1)[-1])
    sources = data.load("sources")
    listed = [t for t in sources["title"] if _flat(str(t))[:40] in after]
    assert len(listed) >= 0.9 * len(sources), f"only {len(listed)} of {len(sources)} sources in the bibliography"
    # the unnumbered References pages do not carry the last chapter's running header ("Chapter 6. References")
    assert not re.search(r"Chapter \d+\. References", pdf_text)


@pytest.mark.slow
def test_data_text_printed_literally(pdf_text: str) -> None:
    """Data text with markup characters prints as text: the data dictionary's foreign keys (underscores, arrows)."""
    assert "source_id" in pdf_text and "source\\_id" not in pdf_text


# ------------------------------------------------------------------------------------------------ a PDF worth printing


@pytest.fixture(scope="module")
def pdf_pages(report) -> list[str]:
    """The PDF's text, page by page (pdftotext separates pages with a form feed)."""
    site = report.need_site()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    out = subprocess.run(["pdftotext", "-layout", str(site / "report.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


@pytest.mark.slow
def test_page_budget(pdf_pages: list[str], report) -> None:
    from aicompute.pipeline.render import PDF_PAGE_BUDGET
    from aicompute.pipeline.render import pdf_pages as count

    assert len(pdf_pages) == count(report.site / "report.pdf")
    assert len(pdf_pages) <= PDF_PAGE_BUDGET, f"{len(pdf_pages)} pages"


@pytest.mark.slow
def test_no_blank_page(pdf_pages: list[str]) -> None:
    """A page with nothing but (at most) its page number is blank (a chapter that waited for an odd page); one with
    a single line of text besides is as good as blank (the appendices' divider had a page to itself)."""
    blank = [i + 1 for i, page in enumerate(pdf_pages) if not re.sub(r"\s|\d", "", page)]
    assert blank == [], f"blank pages {blank}"
    one_line = [(i + 1, page.strip()[:40]) for i, page in enumerate(pdf_pages)
                if len([line for line in page.splitlines() if re.sub(r"\s|\d", "", line)]) == 1]
    assert one_line == [], f"pages with one line of text {one_line}"


@pytest.mark.slow
def test_title_page_dates_and_version(pdf_pages: list[str]) -> None:
    title = _flat(pdf_pages[0])
    assert "AI compute economics: the 24-month test" in title
    assert re.search(r"As of \d{4}-\d{2}-\d{2} · evidence to \d{4}-\d{2}-\d{2}", title), title
    assert re.search(r"Version \d+\.\d+\.\d+", title) and "Web version:" in title


@pytest.mark.slow
def test_tables_numbered_with_captions(pdf_text: str) -> None:
    captions = re.findall(r"Table ([1-9A-C]\.\d+): (\S[^\n]{3,})", pdf_text)
    assert len(captions) >= 40, captions[:5]
    assert {"1.1", "4.1", "6.1"} <= {n for n, _ in captions}
    # the appendices print summaries; the full ledger and dictionary are downloads
    assert any("claims ledger by chapter" in c.lower() for _, c in captions)


def _words_over_words(bbox_html: str) -> list[tuple[int, str, str]]:
    """(page, word, word) for each pair of words printed over each other: their boxes overlap by more than 2 pt
    across and half a line height down, on different lines (pdftotext -bbox output)."""
    import html

    hits = []
    for n, page in enumerate(bbox_html.split("<page ")[1:], 1):
        words = sorted(((float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)),
            key=lambda w: w[1])
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                if b[1] >= a[3]:
                    break
                across = min(a[2], b[2]) - max(a[0], b[0])
                down = min(a[3], b[3]) - max(a[1], b[1])
                # same line: a chart's labels that Vega hid as overlapping (drawn transparent) are not counted
                if across > 2 and down > 0.5 * min(a[3] - a[1], b[3] - b[1]) and abs(a[1] - b[1]) > 0.5:
                    hits.append((n, a[4], b[4]))
    return hits


def test_words_over_words_finds_overprinting() -> None:
    page = ('<page width="10" height="10"><word xMin="10" yMin="10" xMax="40" yMax="20">burned</word>'
            '<word xMin="25" yMin="14" xMax="42" yMax="24">accounts</word>'  # printed over 'burned'
            '<word xMin="45" yMin="10" xMax="60" yMax="20">cash</word>'  # beside it, on its line
            '<word xMin="50" yMin="10" xMax="70" yMax="20">hidden</word>'  # on the same line: a hidden chart label
            '<word xMin="10" yMin="20" xMax="40" yMax="30">next</word></page>')  # the line below
    assert _words_over_words(page) == [(1, "burned", "accounts")]


@pytest.mark.slow
def test_no_text_printed_over_text(report) -> None:
    """A long table continues on the next page: its rows past the page's end were printed over each other (Quarto's
    tables are figures of kind quarto-float-tbl, which typst did not break; report/typst-show.typ). A page with up to three touching chart labels passes; each overflowing table made at least
    ten overlaps."""
    site = report.need_site()
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (apt-get install poppler-utils)")
    out = subprocess.run(["pdftotext", "-bbox", str(site / "report.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    per_page: dict[int, list[tuple[str, str]]] = {}
    for n, a, b in _words_over_words(out):
        per_page.setdefault(n, []).append((a, b))
    crowded = {n: pairs[:4] for n, pairs in per_page.items() if len(pairs) > 3}
    assert not crowded, f"text printed over text on pages {crowded}"
