"""One value per quantity: every page shows a published result as published, and no quantity is published
twice."""

from __future__ import annotations

import difflib
import itertools
import json
from pathlib import Path

import pytest

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
