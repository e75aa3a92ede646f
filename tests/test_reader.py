"""The report as a reader meets it, in headless Chromium at a desktop (1366×900) and a phone (390×844) size:
the verdict in the first screen, charts that fit their column with nothing cut, no accessibility violation that
axe-core rates serious or critical, no code leaking into the text (a raw source id, a Python repr, "chapter 0N").

Screenshots go to build/screenshots/reader-<width>-<page>.png (the first screen) and
build/screenshots/reader-<width>-chart-<n>.png (the front page's odds chart and a chapter chart).

Every check must pass on every page, the chapters' included (they were marked xfail until all passed).

One Chromium serves the module, and each page is opened once per size (:func:`visits`): that one visit gathers
what every check below reads, and each test asserts its own part, so a failure still names its check.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import test_site

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_DIR = ROOT / "tests" / "browser"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = ROOT / "build" / "screenshots"


@pytest.fixture(scope="module")
def site(request) -> Path:
    """The session build's site; ``AICOMPUTE_READER_SITE=<folder>`` checks an existing site instead (e.g.
    report/_site after ``make report``), without the session build."""
    import os

    if os.environ.get("AICOMPUTE_READER_SITE"):
        return Path(os.environ["AICOMPUTE_READER_SITE"])
    return request.getfixturevalue("report").need_site()


#: The site over http://127.0.0.1 (test_site's fixture, here with this module's ``site``).
server = test_site.server


@pytest.fixture(scope="module")
def chromium() -> Iterator:
    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def _axe() -> Path:
    """axe-core from npm (tests/browser/package.json), installed on first use."""
    if not AXE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm not installed: cannot install axe-core (apt-get install npm)")
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR)], check=True,
                       capture_output=True, timeout=600)
    return AXE


def _open(chromium, server: str, page_name: str, size: str):
    context = chromium.new_context(viewport=VIEWPORTS[size], device_scale_factor=2 if size == "phone" else 1,
                                   is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    page.goto(server + page_name, wait_until="load")
    page.wait_for_function("document.querySelectorAll('.aic-chart svg').length"
                           " >= document.querySelectorAll('.aic-chart').length", timeout=60_000)
    return context, page


def _pages(site: Path) -> list[str]:
    return sorted(p.name for p in site.glob("*.html"))


def _settle(failures: dict[str, list[str]]) -> None:
    """Fail on any page with a failure (chapters included: every chapter page passed on 2026-12-06)."""
    failed = {p: f for p, f in failures.items() if f}
    assert not failed, json.dumps(failed, indent=1, ensure_ascii=False)[:6000]


_FIRST_SCREEN = """() => { const el = document.querySelector('.aic-verdict .aic-lead');
    const r = el ? el.getBoundingClientRect() : null;
    return {box: el ? {top: r.top, bottom: r.bottom, width: r.width, text: el.innerText} : null,
        panel: (document.querySelector('.aic-verdict') || {innerText: ''}).innerText,
        h1: [...document.querySelectorAll('h1')].filter(h => {
            const b = h.getBoundingClientRect(); return b.width > 1 && b.height > 1; }).length,
        important: !!document.querySelector('.callout-important .aic-lead, .callout-important .aic-verdict')}; }"""

_AXE_RUN = """async () => {
    const r = await axe.run(document, {resultTypes: ['violations']});
    return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.impact} ${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(' ')}`);
}"""


@pytest.fixture(scope="module")
def visits(site: Path, chromium, server: str) -> dict[str, dict[str, dict]]:
    """Every page opened once at each size, gathering what each check reads, in this order: the first screen
    (front page: its screenshot, the verdict's box), the charts' boxes and cut labels (pages with charts), the
    reader's text and table cells (desktop), axe-core's serious and critical violations, then a chart's
    screenshot (it scrolls). ``{size: {page: {...}}}``; ``axe`` is None (and ``axe_skip`` says why) without npm."""
    try:
        axe, axe_skip = _axe(), ""
    except pytest.skip.Exception as exc:
        axe, axe_skip = None, str(exc)
    SHOTS.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict[str, dict]] = {}
    for size in VIEWPORTS:
        out[size] = {}
        shots = 0
        for name in _pages(site):
            seen: dict = {"axe_skip": axe_skip}
            has_charts = 'class="aic-chart"' in (site / name).read_text(encoding="utf-8")
            context, page = _open(chromium, server, name, size)
            try:
                if name == "index.html":
                    page.screenshot(path=str(SHOTS / f"reader-{VIEWPORTS[size]['width']}-index.png"))
                    seen["first_screen"] = page.evaluate(_FIRST_SCREEN)
                if has_charts:
                    seen["charts"] = page.evaluate(_CHART_CHECK)
                if size == "desktop":
                    seen["text"], seen["cells"] = _reader_text(page), _cells(page)
                if axe is not None:
                    page.add_script_tag(path=str(axe))
                    seen["axe"] = page.evaluate(_AXE_RUN)
                if has_charts and shots < 2 and seen["charts"] and (name == "index.html" or name.startswith("05_")):
                    page.locator(".aic-chart").first.scroll_into_view_if_needed()
                    page.locator(".aic-chart").first.screenshot(
                        path=str(SHOTS / f"reader-{VIEWPORTS[size]['width']}-chart-{name.removesuffix('.html')}.png"))
                    shots += 1
            finally:
                context.close()
            out[size][name] = seen
    return out


# ------------------------------------------------------------------------------------------------ the first screen


@pytest.mark.slow
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_verdict_in_the_first_screen(visits: dict, size: str) -> None:
    seen = visits[size]["index.html"]["first_screen"]
    box, panel, h1, important = seen["box"], seen["panel"], seen["h1"], seen["important"]
    assert box is not None, "no verdict lead (.aic-verdict .aic-lead) on the front page"
    assert box["width"] > 100 and box["top"] >= 0, f"the verdict is not visible: {box}"  # not clipped away
    assert box["bottom"] <= VIEWPORTS[size]["height"], f"the verdict ends at {box['bottom']:.0f} px, below the first screen"
    assert re.search(r"evidence to \d{4}-\d{2}-\d{2}", panel), "the verdict does not say how recent its evidence is"
    assert len(re.findall(r"evidence to \d{4}-\d{2}-\d{2}", panel)) == 1, "the verdict's panel says its dates more than once"
    assert "%" in box["text"], box["text"]
    assert h1 == 1, f"{h1} visible H1 headings on the front page"
    assert not important, "the verdict sits in a red 'Important' callout"


# ------------------------------------------------------------------------------------------------ charts


_CHART_CHECK = """() => [...document.querySelectorAll('.aic-chart')].map((c, i) => {
    const main = document.querySelector('main') || document.body;
    const column = main.getBoundingClientRect();
    const svg = c.querySelector('svg');
    const r = svg ? svg.getBoundingClientRect() : {width: 0, right: 0, left: 0};
    const cut = svg ? [...svg.querySelectorAll('text')].map(t => t.textContent).filter(t => t.includes('\u2026')) : [];
    return {i, name: c.dataset.name || c.id, svgWidth: r.width, box: c.getBoundingClientRect().width,
            right: r.right, column: column.right, left: r.left, columnLeft: column.left, cut: cut.slice(0, 3),
            natural: svg ? parseFloat(svg.getAttribute('width')) || 0 : 0, axes: !!(svg && svg.querySelector('.role-axis'))};
})"""


@pytest.mark.slow
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_charts_fit_their_column_and_nothing_is_cut(visits: dict, size: str) -> None:
    failures: dict[str, list[str]] = {}
    for name, seen in visits[size].items():
        if "charts" not in seen:  # a page without charts
            continue
        found = seen["charts"]
        problems = []
        for chart in found:
            if chart["svgWidth"] > chart["box"] + 1 or chart["right"] > chart["column"] + 1:
                problems.append(f"{chart['name']}: {chart['svgWidth']:.0f} px wide in a {chart['box']:.0f} px box")
            if chart["cut"]:
                problems.append(f"{chart['name']}: labels cut {chart['cut']}")
        failures[name] = problems
    _settle(failures)


#: The least a phone may scale a chart with axes down (CSS ``max-width``) after its layout is fitted to the column
#: (charts._FIT_JS): below it the labels' 11 px text reads under 9 px. A diagram without axes, laid out in pixels, is
#: scaled whole.
PHONE_MIN_SCALE = 0.8


@pytest.mark.slow
def test_phone_charts_with_axes_are_drawn_at_four_fifths_of_their_size_or_more(visits: dict) -> None:
    failures: dict[str, list[str]] = {}
    for name, seen in visits["phone"].items():
        failures[name] = [f"{c['name']}: drawn at {c['svgWidth'] / c['natural']:.2f} of its {c['natural']:.0f} px"
                          for c in seen.get("charts", []) if c["axes"] and c["natural"]
                          and c["svgWidth"] / c["natural"] < PHONE_MIN_SCALE]
    _settle(failures)


# ------------------------------------------------------------------------------------------------ accessibility


@pytest.mark.slow
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_axe_finds_no_serious_or_critical_violation(visits: dict, size: str) -> None:
    failures: dict[str, list[str]] = {}
    for name, seen in visits[size].items():
        if seen["axe_skip"]:
            pytest.skip(seen["axe_skip"])
        failures[name] = seen["axe"]
    _settle(failures)


# ------------------------------------------------------------------------------------------------ text


#: Python reprs and code that must not reach a reader: a list repr, a bare boolean or None cell, scientific
#: notation, a pandas or chart repr.
REPRS = re.compile(r"\['[a-z_]+'(?:, '[a-z_]+')*\]|\b\d(?:\.\d+)?e[+-]\d\d\b|<Chart:|dtype:|DataFrame")
#: A table cell that is a bare Python value.
CELL_REPRS = {"True", "False", "None", "NaN", "nan"}
CHAPTER_0N = re.compile(r"\b[Cc]hapters? 0\d\b")


def _reader_text(page) -> str:
    """The page's text as a reader sees it: without code folds, code blocks and the bibliography's entries."""
    return page.evaluate("""() => { const main = (document.querySelector('main') || document.body).cloneNode(true);
        main.querySelectorAll('details, pre, code, .cell-code, script, style, #refs, .csl-entry, #sec-cite')
            .forEach(e => e.remove());
        // a list of the sources by their key (appendix B) shows ids on purpose
        main.querySelectorAll('table').forEach(t => { const h = t.querySelector('th');
            if (h && h.innerText.trim() === 'Id') t.remove(); });
        return main.innerText; }""")


def _cells(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('main td')].map(td => td.innerText.trim())")


@pytest.mark.slow
def test_no_code_ids_or_reprs_in_the_text(visits: dict) -> None:
    from aicompute import data

    ids = sorted(set(data.load("sources")["id"].astype(str)), key=len, reverse=True)
    id_pattern = re.compile(r"(?<![\w#/.-])(?:" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    failures: dict[str, list[str]] = {}
    for name, seen in visits["desktop"].items():
        text, cells = seen["text"], seen["cells"]
        problems = [f"'{m.group(0)}' in …{text[max(0, m.start() - 40):m.end() + 20]!r}…"
                    for pattern in (CHAPTER_0N, REPRS, id_pattern) for m in list(pattern.finditer(text))[:3]]
        problems += [f"a table cell shows {c!r}" for c in sorted(set(cells) & CELL_REPRS)]
        failures[name] = problems
    _settle(failures)


# ------------------------------------------------------------------------------------------------ fast checks


def test_no_category_spelled_two_ways() -> None:
    """A category that differs only in case ('HBM3e', 'HBM3E') would be two bars or two legend entries."""
    import json as _json

    from aicompute import data

    resources = _json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    twice = []
    for res in resources:
        frame = data.load(res["name"])
        for column in frame.columns:
            values = set(frame[column].dropna().astype(str)) if frame[column].dtype == object else set()
            if not values or len(values) > 300:  # free text, not a category
                continue
            spellings: dict[str, set[str]] = {}
            for value in values:
                spellings.setdefault(value.lower(), set()).add(value)
            twice += [f"{res['name']}.{column}: {sorted(s)}" for s in spellings.values() if len(s) > 1]
    assert twice == []


def test_a_filing_label_matches_its_link() -> None:
    """A source labelled an SEC filing links to sec.gov, or its label names the site it was read on."""
    from urllib.parse import urlparse

    from aicompute import data

    sources = data.load("sources")
    wrong = []
    for row in sources.itertuples(index=False):
        if "SEC filing" not in str(row.publisher):
            continue
        host = urlparse(str(row.url)).netloc.lower().removeprefix("www.")
        if not host.endswith("sec.gov") and f"read via {host}" not in str(row.publisher):
            wrong.append(f"{row.id}: '{row.publisher}' links to {host}")
    assert wrong == []


def test_chart_labels_wrap_and_code_names_read_as_words() -> None:
    """Drawn by Vega (vl-convert): a long legend label wraps onto lines instead of ending in an ellipsis; code
    names ('take_or_pay') in a legend and on a category axis read as words; unused data columns are dropped."""
    import altair as alt
    import pandas as pd
    import vl_convert as vlc

    from aicompute import charts

    long = "Census Business Trends and Outlook Survey (BTOS): share of firms with 250+ employees using AI"
    frame = pd.DataFrame({"flow": ["take_or_pay", long], "usd": [1.0, 2.0], "unused": ["x" * 50, "y" * 50]})
    chart = alt.Chart(frame).mark_bar().encode(x="flow:N", y="usd:Q", color="flow:N")
    spec = charts.trim_datasets(charts.wrap_legend_labels(charts.with_source(chart, "Source: test").to_dict()))
    assert all("unused" not in row for rows in spec["datasets"].values() for row in rows)
    svg = vlc.vegalite_to_svg(spec, vl_version=charts.VL_VERSION)
    legend = svg[svg.index("role-legend-label"):]
    texts = re.findall(r"<tspan[^>]*>([^<]*)</tspan>|<text[^>]*>([^<]+)</text>", legend)
    words = [a or b for a, b in texts]
    assert "Take or pay" in words and "take_or_pay" not in words
    lines = [w for w in words if w in long]
    assert " ".join(lines) == long and not any("\u2026" in w for w in words)
    assert len(lines) > 1 and max(map(len, lines)) <= charts.LEGEND_CHARS
    assert "Take or pay" in svg[svg.index("role-axis-label"):]


def test_title_lines_fit_their_limit() -> None:
    """A wrapped title line (at most TITLE_CHARS characters of 15 px bold, ~9 px each) is never cut by Vega's limit."""
    from aicompute import charts

    assert charts.TITLE_LIMIT >= 9.5 * charts.TITLE_CHARS
    assert charts.SOURCE_LIMIT >= 6.5 * charts.SOURCE_CHARS
    assert charts.theme()["config"]["title"]["limit"] == charts.TITLE_LIMIT


# ------------------------------------------------------------------------------------------------ the dials


@pytest.mark.slow
def test_moving_a_dial_changes_the_numbers(site: Path, chromium, server: str) -> None:
    """On the front page, offline: every dial widget shows numbers; picking another value of a dial changes them
    (from the grid embedded in the page) and picking the default again brings the first numbers back."""
    context, page = _open(chromium, server, "index.html", "desktop")
    try:
        widgets = page.locator(".aic-dials")
        assert widgets.count() >= 1, "no dials on the front page"
        for i in range(widgets.count()):
            box = widgets.nth(i)
            outputs = box.locator("output[data-out]")

            def read() -> list[str]:
                return [outputs.nth(k).inner_text() for k in range(outputs.count())]  # noqa: B023

            before = read()
            assert before and all(re.search(r"\d", t) for t in before), before
            select = box.locator("select[data-dial]").first
            default = select.input_value()
            options = [o for o in select.locator("option").evaluate_all("os => os.map(o => o.value)") if o != default]
            changed = False
            for option in options:
                select.select_option(option)
                if read() != before:
                    changed = True
                    break
            assert changed, f"dial {i}: no value of its first dial changed {before}"
            assert "n/a" not in read()
            select.select_option(default)
            assert read() == before
    finally:
        context.close()


def test_a_wrapped_category_axis_shows_every_label_whole() -> None:
    """charts.wrapped_axis: long category labels wrap onto lines (none cut, none hidden as overlapping)."""
    import altair as alt
    import pandas as pd
    import vl_convert as vlc

    from aicompute import charts

    labels = ["Analyst capex estimates put a TPU/ASIC data-centre build at roughly 80% of the cost per GW",
              "Short one", "Another label that is long enough to wrap onto two lines"]
    chart = alt.Chart(pd.DataFrame({"label": labels, "v": [1, 2, 3]})).mark_point().encode(
        y=alt.Y("label:N", axis=alt.Axis(**charts.wrapped_axis(40))), x="v:Q").properties(height=alt.Step(40))
    svg = vlc.vegalite_to_svg(chart.to_dict(), vl_version=charts.VL_VERSION)
    axis = svg[svg.rindex("role-axis-label"):svg.rindex("role-axis-domain")]
    texts = re.findall(r"<text\b.*?</text>", axis, re.S)
    shown = [" ".join(re.findall(r">([^<>]+)<", t)) for t in texts]
    assert sorted(shown) == sorted(labels) and "\u2026" not in axis
