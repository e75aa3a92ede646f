"""End to end: build the real report on a scratch copy, then open every page in headless Chromium.

Chromium (Debian's package) runs with background networking off; the test checks that every chart
container was filled with an SVG by vega-embed, using only what the page itself carries.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from aicompute.build import Project, build, copy_sources

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    copy_sources(root)
    mp = pytest.MonkeyPatch()
    mp.setenv("AICOMPUTE_ROOT", str(root))
    try:
        build(Project(root=root), log=lambda s: None)
    finally:
        mp.undo()
    return root / "report" / "_site"


@pytest.mark.slow
def test_site_files_and_no_remote_assets(site: Path) -> None:
    pages = sorted(site.glob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "00_claims_audit.html"}
    assert (site / "report.pdf").read_bytes()[:4] == b"%PDF"
    assert (site / "downloads" / "data" / "claims.csv").exists()
    assert (site / "downloads" / "figures" / "00_claims_audit" / "fig-audit-verdicts.svg").exists()
    for page in pages:
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r"<(?:script|link|img|iframe)[^>]+(?:src|href)=[\"']?(?:https?:)?//", html)
        assert not remote, f"{page.name} loads remote assets: {remote[:3]}"
        # the Vega bundle appears at most once per page
        assert html.count('data-aic="vega-bundle"') <= 1


def _browser():
    """A headless Debian Chromium driven by Playwright, or skip with the reason."""
    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    return sync_api


@pytest.mark.slow
def test_every_page_renders_offline_in_chromium(site: Path) -> None:
    sync_api = _browser()
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-quic"])
        try:
            for html in sorted(site.glob("*.html")):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                errors: list[str] = []
                remote: list[str] = []
                page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda exc, e=errors: e.append(str(exc)))
                page.on("request", lambda r, out=remote: out.append(r.url)
                        if not r.url.startswith(("file:", "data:", "blob:", "about:")) else None)
                page.goto(html.as_uri(), wait_until="load")
                page.wait_for_function(
                    "document.querySelectorAll('.aic-chart svg, .aic-chart canvas').length"
                    " >= document.querySelectorAll('.aic-chart').length", timeout=30_000)
                drawn = page.eval_on_selector_all(".aic-chart", "els => els.map(e => !!e.querySelector('svg, canvas'))")
                page.screenshot(path=str(shots / f"{html.stem}.png"), full_page=True)
                assert all(drawn), f"{html.name}: charts without SVG/canvas: {drawn}"
                assert errors == [], f"{html.name}: console errors {errors[:3]}"
                assert remote == [], f"{html.name}: requests to non-file URLs {remote[:3]}"
                page.close()
        finally:
            browser.close()


@pytest.mark.slow
def test_summary_numbers_equal_published_results(site: Path) -> None:
    from aicompute.results import format_result, read_all, tagged_values

    index = (site / "index.html").read_text(encoding="utf-8")
    results = read_all(site.parents[1] / "build" / "results")
    assert results, "no published results"
    assert "The verdict as of" in index and "latest evidence used" in index
    shown = tagged_values(index)
    assert len(shown) >= 5
    for rid, text in shown:
        stem, key = rid.split(".", 1)
        assert text == format_result(results[stem][key]), rid


@pytest.mark.slow
def test_two_clean_builds_publish_identical_results(site: Path, tmp_path: Path) -> None:
    from aicompute.results import read_all

    root = site.parents[1]
    mp = pytest.MonkeyPatch()
    mp.setenv("AICOMPUTE_ROOT", str(root))
    try:
        build(Project(root=root, build_dir=tmp_path / "second"), force=True, render=False, log=lambda s: None)
    finally:
        mp.undo()
    first, second = read_all(root / "build" / "results"), read_all(tmp_path / "second" / "results")
    assert first and first == second
