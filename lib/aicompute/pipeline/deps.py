"""What a notebook run depends on: the build's cache keys and execution order.

A notebook's cache key covers everything that can change what it computes:

* its own file (cells, and so its parameters cell) and the parameter values injected;
* the library modules it can reach: the ``aicompute`` modules its code imports, and everything those
  import in turn (function-level imports included), found by reading the source, never from a hand-kept
  list — so editing ``chips.py`` re-runs the chapters that use it and nothing else;
* the toolchain that executes it (Python, papermill, the kernel, pandas, numpy, Altair, vl-convert);
* after it has run, the hash of every input it actually read (data files, other chapters' published
  results), recorded by :mod:`aicompute.data` and :mod:`aicompute.results` while it ran.

Paths in cache records are relative to the project root, so a moved or copied checkout keeps (or, after an
edit, invalidates) its cache by content alone.

The order chapters run in comes from the chapter registry (``report/chapters.yml``: the chapters each one
reads), not from this module.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from aicompute.paths import LIB

#: Packages whose versions are part of every notebook's key.
TOOLCHAIN = ("papermill", "nbclient", "nbformat", "ipykernel", "jupyter_client", "pandas", "numpy", "altair",
             "vl-convert-python", "pyyaml")


def code_cells(notebook: Path) -> list[str]:
    """The source of each code cell."""
    nb = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb.get("cells", []) if c.get("cell_type") == "code"]


@functools.lru_cache(maxsize=512)
def _imports(source: str) -> frozenset[str]:
    """aicompute module names imported anywhere in ``source`` (module-level and inside functions)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return frozenset(set(re.findall(r"aicompute\.(\w+)", source)) | set(
            m for grp in re.findall(r"from aicompute import ([\w, ]+)", source) for m in grp.replace(" ", "").split(",")))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "aicompute" and len(parts) > 1:
                    found.add(".".join(parts[1:]))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "aicompute":
                continue
            if len(parts) > 1:
                found.add(".".join(parts[1:]))
                found.update(".".join([*parts[1:], alias.name]) for alias in node.names)  # submodules of a package
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:  # relative import inside the package
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return frozenset(found)


def module_file(name: str, lib: Path = LIB) -> Path | None:
    """The file of library module ``name`` (dotted for a package's submodule, e.g. ``scenarios.model``), or None."""
    rel = Path(*name.split("."))
    for candidate in (lib / rel.with_suffix(".py"), lib / rel / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(notebook: Path, lib: Path = LIB) -> set[str]:
    """The aicompute modules a notebook's code cells import directly."""
    return {m for cell in code_cells(notebook) for m in _imports(cell) if module_file(m, lib)}


def module_closure(names: Iterable[str], lib: Path = LIB) -> set[str]:
    """``names`` plus every aicompute module they import, transitively (``__init__`` always included)."""
    todo, seen = [*names, "__init__"], set()
    while todo:
        name = todo.pop()
        path = module_file(name, lib)
        if name in seen or path is None:
            continue
        seen.add(name)
        todo.extend(_imports(path.read_text(encoding="utf-8")) - seen)
    return seen


def library_hash(modules: Iterable[str], lib: Path = LIB) -> str:
    """Hash of the named library modules' source (name and content)."""
    h = hashlib.sha256()
    for name in sorted(set(modules)):
        path = module_file(name, lib)
        if path is not None:
            h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def toolchain() -> dict[str, str]:
    """Versions of Python and of the packages that execute a notebook."""
    out = {"python": ".".join(map(str, sys.version_info[:3]))}
    for pkg in TOOLCHAIN:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "absent"
    return out


def notebook_key(notebook: Path, parameters: dict[str, Any], lib: Path = LIB,
                 tools: dict[str, str] | None = None, svg: bool = True) -> str:
    """Cache key of one notebook run, before its inputs' hashes are considered (module docstring); ``svg=False``
    (charts without their static SVG) keys a run apart from one that made them."""
    modules = module_closure(imported_modules(notebook, lib) | {"pipeline.inline"}, lib)  # + the engine that runs it
    payload = {"params": parameters, "lib": library_hash(modules, lib), "modules": sorted(modules),
               "tools": tools or toolchain(), **({} if svg else {"svg": False})}
    payload = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(Path(notebook).read_bytes() + b"\0" + payload).hexdigest()


def relative(path: str | Path, root: Path) -> str:
    """``path`` relative to ``root`` (posix) when inside it, else absolute."""
    p = Path(path).resolve()
    try:
        return p.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(p)


def file_hashes(paths: Iterable[str], root: Path) -> dict[str, str]:
    """{path relative to root: sha256 of its content, or "missing"} for recorded inputs."""
    out = {}
    for p in sorted({relative(x if Path(x).is_absolute() else Path(root) / x, root) for x in paths}):
        full = Path(p) if Path(p).is_absolute() else Path(root) / p
        try:
            out[p] = hashlib.sha256(full.read_bytes()).hexdigest()
        except (FileNotFoundError, IsADirectoryError):
            out[p] = "missing"
    return out
