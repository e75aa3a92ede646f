"""One value per quantity: every page shows a published result as published, and no quantity is published
twice."""

from __future__ import annotations

import difflib
import html
import itertools
import json
import re
from pathlib import Path

import nbformat
import pytest

from aicompute import prose
from aicompute.formatting import number, with_unit
from aicompute.results import format_result, read_all, tagged_values


def _outputs_text(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            for mime in ("text/markdown", "text/html"):
                value = out.get("data", {}).get(mime)
                if value:
                    parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


@pytest.mark.slow
def test_every_tagged_number_matches_its_published_result(fast_build: Path) -> None:
    results = read_all(fast_build / "results")
    pages = {p.stem: _outputs_text(p) for p in sorted((fast_build / "executed").glob("*.ipynb"))}
    pages["index (front page)"] = (fast_build / "summary.md").read_text(encoding="utf-8")
    seen = 0
    for page, text in pages.items():
        for rid, shown in tagged_values(text):
            stem, key = rid.split(".", 1)
            assert stem in results and key in results[stem], f"{page} shows {rid}, which nobody published"
            assert shown == format_result(results[stem][key]), f"{page} shows {rid} as {shown!r}"
            seen += 1
    assert seen >= 5  # at least the front page's headlines


@pytest.mark.slow
def test_no_quantity_is_published_twice(fast_build: Path) -> None:
    """Two chapters publishing the same quantity (the same value under the same or a near-identical label)
    must instead publish it once and read it from there."""
    rows = [(stem, key, r) for stem, res in read_all(fast_build / "results").items() for key, r in res.items()
            if key != "as_of" and isinstance(r["value"], (int, float)) and not isinstance(r["value"], bool)]
    dupes = []
    for (s1, k1, r1), (s2, k2, r2) in itertools.combinations(rows, 2):
        if s1 == s2:
            continue
        same_label = difflib.SequenceMatcher(None, r1["label"].lower(), r2["label"].lower()).ratio() >= 0.75
        close = abs(r1["value"] - r2["value"]) <= 0.01 * max(abs(r1["value"]), abs(r2["value"]), 1e-9)
        if same_label and (close or r1["label"].lower() == r2["label"].lower()):
            dupes.append(f"{s1}.{k1} = {r1['value']} and {s2}.{k2} = {r2['value']} ({r1['label']!r})")
    assert not dupes, "published twice: " + "; ".join(dupes)


_NUM = re.compile(r'<span class="aic-num" data-unit="([^"]*)">(.*?)</span>', re.S)


def _parse(shown: str, unit: str) -> tuple[float, int] | None:
    """(value, decimals) of a formatted number 'shown' with its unit, or None (a range, a date, a percent of a
    fraction...)."""
    core = shown.removesuffix(with_unit("", unit)).strip() if unit else shown
    if not re.fullmatch(r"[-\u2212]?\d+(?:,\d{3})*(?:\.\d+)?", core):
        return None
    return float(core.replace(",", "").replace("\u2212", "-")), len(core.split(".")[1]) if "." in core else 0


def same_quantity_other_format(markup: str, results: dict[str, dict[str, dict]]) -> list[str]:
    """Formatted numbers (aic-num) that show a published result of ``results`` (the page's own and those of the
    chapters it reads) with its unit but not as it is published: the shown number is the stored value (within
    half a unit of the stored value's last digit), yet its text differs from the published text, so one
    quantity would read two ways: write results.text(key). A shown number coarser than the stored value is
    not flagged (it may be another quantity that rounds the same)."""
    published = [(f"{stem}.{key}", r) for stem, res in results.items() for key, r in res.items()
                 if isinstance(r.get("value"), (int, float)) and not isinstance(r["value"], bool) and r.get("unit")]
    found = []
    for unit, shown in _NUM.findall(markup):
        unit, shown = html.unescape(unit), html.unescape(shown)
        parsed = _parse(shown, unit)
        if parsed is None:
            continue
        value, _ = parsed
        for rid, r in published:
            as_published = with_unit(number(r["value"], r.get("fmt", "")), r["unit"])
            if r["unit"] != unit or shown == as_published:
                continue
            stored = repr(float(r["value"])).split(".")[1] if isinstance(r["value"], float) else ""
            # a whole float published at a fixed precision (13.0 with '.1f', a rounded 13.02) is known to that digit
            fixed = re.fullmatch(r"[^.]*\.(\d+)f", r.get("fmt", "")) if isinstance(r["value"], float) else None
            stored_decimals = max(0 if stored in ("", "0") else len(stored), int(fixed[1]) if fixed else 0)
            if abs(value - r["value"]) <= 0.5 * 10 ** -stored_decimals + 1e-9 and re.search(r"[1-9]\d*[.,]?\d", shown):
                found.append(f"{shown!r} is {rid}, published as {as_published!r}")
    return found


def test_same_quantity_other_format_by_hand() -> None:
    results = {"ch": {"cost": {"value": 4.26, "unit": "USD bn", "fmt": ".1f"}, "n": {"value": 3, "unit": "GW"},
                      "x": {"value": 1.65, "unit": "x", "fmt": ".2f"}, "y": {"value": 1.47, "unit": "x"},
                      "m": {"value": 13.0, "unit": "million", "fmt": ".1f"}}}
    shown = ('<span class="aic-num" data-unit="USD bn">4.26 USD bn</span> '  # 4.26 published as 4.3: flagged
             '<span class="aic-num" data-unit="USD bn">4.3 USD bn</span> '   # as published
             '<span class="aic-num" data-unit="kW">4.26 kW</span> '          # another unit: another quantity
             '<span class="aic-num" data-unit="GW">3.0 GW</span> '           # 3 published as '3 GW': flagged
             '<span class="aic-num" data-unit="x">2×</span> '                # coarser: may be another quantity
             '<span class="aic-num" data-unit="x">1.49×</span> '             # not 1.47 (shown as 1.5×): another one
             '<span class="aic-num" data-unit="million">12.6 million</span>')  # not 13.0 (known to .1): another one
    assert same_quantity_other_format(shown, results) == [
        "'4.26 USD bn' is ch.cost, published as '4.3 USD bn'", "'3.0 GW' is ch.n, published as '3 GW'"]


#: Numbers that equal a published result by coincidence: (page, shown text, result id).
COINCIDENCES = {
    # Nvidia's fiscal-2026 data-centre revenue; the others' revenue at the future share is 194 by chance
    ("01_chip_strategy", "'193.7 USD bn' is 01_chip_strategy.others_revenue_at_future_share, published as '194.0 USD bn'"),
    # US telecom capex at its 2000 peak and Acemoglu's ten-year TFP gain: percentages within half a point of the
    # hyperscalers' capex share of GDP (published as 1.0%)
    ("04_bubble_debate", "'1.2%' is 04_bubble_debate.capex_share_gdp, published as '1.0%'"),
    ("04_bubble_debate", "'0.66%' is 04_bubble_debate.capex_share_gdp, published as '1.0%'"),
}


@pytest.mark.slow
def test_every_formatted_number_reads_as_its_published_result(fast_build: Path) -> None:
    """Every number formatted by the one formatter (aic-num) in a chapter's prose, tables and charts: none
    shows one of the results the chapter publishes or reads at a finer precision than it is published with."""
    from aicompute import chapters

    results, registry = read_all(fast_build / "results"), chapters.load()
    bad = []
    for path in sorted((fast_build / "executed").glob("*.ipynb")):
        text = prose.page_text(nbformat.read(path, as_version=4))
        seen = {s: results[s] for s in {path.stem, *registry[path.stem].reads} if s in results}
        bad += [f"{path.stem}: {x}" for x in same_quantity_other_format(text, seen) if (path.stem, x) not in COINCIDENCES]
    assert not bad, "; ".join(bad)
