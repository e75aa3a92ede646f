"""Where the project is: found from the working directory (or named explicitly), never from where the
package happens to be installed.

The project root is the nearest folder, from the working directory upwards, that holds
``data/datapackage.json`` and ``notebooks/``: the build runs every notebook in the project's ``notebooks/``
folder, and ``python -m aicompute build --project DIR`` names another project. Outside any project the
folder the package was loaded from is used, if it is one (an editable install, e.g. ``import aicompute``
from a Python prompt started elsewhere). No environment variable names it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ROOT", "DATA", "NOTEBOOKS", "REPORT", "BUILD", "LIB", "find_root", "is_project", "data_dir"]

#: The library's own source folder (what the build hashes for its cache keys).
LIB = Path(__file__).resolve().parent


def is_project(folder: Path) -> bool:
    """Whether ``folder`` looks like a checkout of this project."""
    return (folder / "data" / "datapackage.json").is_file() and (folder / "notebooks").is_dir()


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest project folder at or above ``start`` (default: the working directory),
    else the checkout the package was loaded from."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_project(folder):
            return folder
    return LIB.parents[1]


#: Repository root (see the module docstring), fixed when the package is imported.
ROOT = find_root()
DATA = ROOT / "data"
NOTEBOOKS = ROOT / "notebooks"
REPORT = ROOT / "report"
BUILD = ROOT / "build"


def data_dir() -> Path:
    """The data package folder; AICOMPUTE_DATA overrides it (tests use a corrupted copy)."""
    return Path(os.environ.get("AICOMPUTE_DATA", DATA))
