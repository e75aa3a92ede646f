"""Headline results a chapter publishes for the executive summary (and the tests).

A notebook calls :func:`publish` for each number the summary may quote. Under the build, results go to
``$AICOMPUTE_RESULTS_DIR/<notebook>.json`` (the build sets both variables); interactively they are only
kept in memory. The summary reads them back with :func:`read_all` — never another notebook's cells.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["publish", "published", "read_all"]

_RESULTS: dict[str, dict[str, Any]] = {}


def publish(key: str, value: Any, *, label: str, unit: str = "", fmt: str = "") -> None:
    """Record a headline result (returns nothing, so a trailing call prints nothing in the notebook)."""
    if isinstance(value, float) and value != value:
        raise ValueError(f"result '{key}' is NaN")
    if hasattr(value, "item"):
        value = value.item()  # numpy scalar -> Python
    _RESULTS[key] = {"value": value, "label": label, "unit": unit, "fmt": fmt}
    target = os.environ.get("AICOMPUTE_RESULTS_DIR")
    if target:
        name = os.environ.get("AICOMPUTE_NOTEBOOK", "notebook")
        path = Path(target) / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_RESULTS, indent=1, default=str), encoding="utf-8")


def published() -> dict[str, dict[str, Any]]:
    """Results published so far in this process."""
    return dict(_RESULTS)


def read_all(folder: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """{notebook: {key: result}} from a results folder written by the build."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(folder).glob("*.json"))}
