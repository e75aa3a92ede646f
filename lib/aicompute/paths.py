"""Where the project is: found from the working directory (or named explicitly), never from where the
package happens to be installed.

The project root is the nearest folder, from the working directory upwards, that holds
``data/datapackage.json`` and ``notebooks/``: the build runs every notebook in the project's ``notebooks/``
folder, and ``python -m aicompute build --project DIR`` names another project. Outside any project the
folder the package was loaded from is used, if it is one (an editable install, e.g. ``import aicompute``
from a Python prompt started elsewhere). No environment variable names it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ROOT", "DATA", "NOTEBOOKS", "REPORT", "BUILD", "LIB", "find_root", "is_project", "data_dir",
           "default_as_of", "DEFAULT_PARAMS"]

#: The report's parameters file, relative to the project root: the one place the as-of date is written.
DEFAULT_PARAMS = Path("report") / "params" / "default.yaml"

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
    """This project's data package folder (no environment variable overrides it: the loaders take another
    folder, e.g. a test's corrupted copy, as ``folder=``)."""
    return DATA


def default_as_of(root: Path | None = None) -> str:
    """The report's as-of date (YYYY-MM-DD), from ``report/params/default.yaml`` (``all: as_of``) of project
    ``root`` (default: this project): the notebooks' ``as_of = None`` and ``data.evidence()`` mean this date."""
    import yaml

    path = Path(root if root is not None else ROOT) / DEFAULT_PARAMS
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        value = raw["all"]["as_of"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: cannot read the report's as-of date (all: as_of: YYYY-MM-DD): {exc!r}") from None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
