"""Shared fixtures: a small synthetic copy of the data package (real schema, tiny rows)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SOURCES_HEADER = ["id", "title", "publisher", "author", "date", "url", "type", "accessed", "note"]
CLAIMS_HEADER = [
    "id",
    "chapter",
    "statement",
    "value",
    "low",
    "high",
    "unit",
    "as_of",
    "source_id",
    "basis",
    "seed_text",
    "seed_value",
    "verdict",
    "reason",
]
SOURCES = [
    [
        "src_a",
        "Company release A",
        "Company A",
        "",
        "2026-01-14",
        "https://example.com/a",
        "company",
        "2026-11-28",
        "",
    ],
    [
        "src_b",
        "Analyst note B",
        "Outlet B",
        "Jane Doe",
        "2025-11-24",
        "https://example.com/b",
        "analyst",
        "2026-11-28",
        "copy read at a syndication site",
    ],
]
CLAIMS = [
    [
        "site_gw",
        "infra",
        "Site power",
        "1.2",
        "",
        "",
        "GW",
        "2025-09-30",
        "src_a",
        "company statement",
        "1.2 GW campus",
        "1.2",
        "confirmed",
        "Company says 1.2 GW",
    ],
    [
        "capex_2026",
        "bubble",
        "Capex guidance",
        "54",
        "52",
        "56",
        "USD bn",
        "2026-01-15",
        "src_a",
        "company statement",
        "",
        "",
        "",
        "",
    ],
    [
        "share_now",
        "chips",
        "Market share",
        "80",
        "70",
        "90",
        "percent",
        "2025-11-01",
        "src_b",
        "analyst estimate",
        "about 80%",
        "80",
        "partly",
        "Range across analysts",
    ],
    [
        "growth",
        "finance",
        "Revenue growth",
        "-12.5",
        "",
        "",
        "percent change",
        "2026-06-30",
        "src_b",
        "reported",
        "",
        "",
        "",
        "",
    ],
]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A valid tiny data package in tmp_path/data (real datapackage.json, synthetic rows)."""
    folder = tmp_path / "data"
    folder.mkdir()
    # the real descriptor, restricted to the two resources these synthetic rows fill (chapter datasets
    # such as accelerators.csv are tested against the real data package)
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in ("sources", "claims")]
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    write_csv(folder / "sources.csv", SOURCES_HEADER, SOURCES)
    write_csv(folder / "claims.csv", CLAIMS_HEADER, CLAIMS)
    return folder


@pytest.fixture(scope="session")
def fast_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every chapter executed once per test session by the build itself, in fast mode, without rendering:
    the build folder (executed/, results/, figures/) plus the front page's panel (summary.md)."""
    from aicompute import summary
    from aicompute.build import Project, build

    out = tmp_path_factory.mktemp("fast-build")
    build(Project(root=ROOT, build_dir=out), overrides=["fast=true"], render=False, log=lambda s: None)
    chapters = sorted((out / "executed").glob("*.ipynb"))
    summary.write_summary(out / "results", chapters, out / "summary.md", data_folder=ROOT / "data")
    return out
