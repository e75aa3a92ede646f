"""End to end: build the real report on a scratch copy, then open every page in headless Chromium.

Chromium (Debian's package) runs with background networking off; the test checks that every chart
container was filled with an SVG by vega-embed, using only what the page itself carries.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from aicompute.build import Project, build

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("project")
    for name in ("data", "notebooks"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copytree(ROOT / "report", root / "report", ignore=shutil.ignore_patterns("_site*", ".quarto", "*.ipynb"))
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


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (apt-get install chromium)")
def test_charts_render_in_headless_chromium(site: Path, tmp_path: Path) -> None:
    for page in sorted(site.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        expected = html.count('class="aic-chart"')
        dom = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
             f"--user-data-dir={tmp_path / page.stem}", "--virtual-time-budget=15000", "--dump-dom",
             page.as_uri()],
            capture_output=True, text=True, timeout=120,
        ).stdout
        rendered = re.findall(r'<div class="aic-chart[^"]*"[^>]*>\s*<svg', dom)
        assert len(rendered) == expected, f"{page.name}: {len(rendered)} of {expected} charts rendered"
