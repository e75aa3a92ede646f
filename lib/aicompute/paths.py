"""Project paths, anchored on the package location so notebooks run from any working directory."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the folder holding pyproject.toml). Override with AICOMPUTE_ROOT.
ROOT = Path(os.environ.get("AICOMPUTE_ROOT", Path(__file__).resolve().parents[2]))
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
REPORT = ROOT / "report"
BUILD = ROOT / "build"
LIB = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The data package folder; AICOMPUTE_DATA overrides it (tests use a corrupted copy)."""
    return Path(os.environ.get("AICOMPUTE_DATA", DATA))
