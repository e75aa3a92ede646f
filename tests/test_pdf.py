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
    """A page with nothing but (at most) its page number is blank (a chapter that waited for an odd page)."""
    blank = [i + 1 for i, page in enumerate(pdf_pages) if not re.sub(r"\s|\d", "", page)]
    assert blank == [], f"blank pages {blank}"


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
