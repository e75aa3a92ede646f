"""Cache keys and execution order (aicompute.pipeline.deps): what invalidates what."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from aicompute.paths import LIB
from aicompute.pipeline import deps

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TOOLS = {"python": "3.11.0", "pandas": "2.2.0"}


def _nb(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def test_imports_found_in_every_form(tmp_path: Path) -> None:
    nb = _nb(tmp_path / "01_x.ipynb", "from aicompute import chips, charts\nimport aicompute.tables as t\n%time 1",
             "from aicompute.results import publish\nimport numpy")
    assert deps.imported_modules(nb) == {"chips", "charts", "tables", "results"}


def test_closure_follows_function_level_imports() -> None:
    closure = deps.module_closure({"charts"})
    assert {"charts", "cite", "context", "__init__"} <= closure  # charts imports cite inside a function
    assert "build" not in closure and "render" not in closure


def test_editing_a_module_invalidates_exactly_its_users(tmp_path: Path) -> None:
    """For every library module: editing it changes the key of each notebook whose code can reach it, and of
    no other notebook."""
    lib = tmp_path / "aicompute"
    shutil.copytree(LIB, lib, ignore=shutil.ignore_patterns("__pycache__"))
    before = {nb.stem: deps.notebook_key(nb, {}, lib, TOOLS) for nb in NOTEBOOKS}
    users = {nb.stem: deps.module_closure(deps.imported_modules(nb, lib), lib) for nb in NOTEBOOKS}
    for module in sorted(p.stem for p in lib.glob("*.py")):
        path = lib / f"{module}.py"
        original = path.read_text()
        path.write_text(original + "\n# an edit\n")
        changed = {nb.stem for nb in NOTEBOOKS if deps.notebook_key(nb, {}, lib, TOOLS) != before[nb.stem]}
        path.write_text(original)
        assert changed == {s for s, mods in users.items() if module in mods}, module
    # the renderer and the build itself never re-execute a chapter
    assert not any({"build", "render", "summary", "__main__"} & mods for mods in users.values())
    assert all("data" in users[nb.stem] for nb in NOTEBOOKS if nb.stem < "90")


def test_key_covers_parameters_toolchain_and_the_notebook(tmp_path: Path) -> None:
    nb = _nb(tmp_path / "01_x.ipynb", "from aicompute import chips")
    key = deps.notebook_key(nb, {"a": 1}, tools=TOOLS)
    assert key == deps.notebook_key(nb, {"a": 1}, tools=TOOLS)
    assert key != deps.notebook_key(nb, {"a": 2}, tools=TOOLS)
    assert key != deps.notebook_key(nb, {"a": 1}, tools={**TOOLS, "pandas": "3.0.0"})
    assert key != deps.notebook_key(nb, {"a": 1}, tools=TOOLS, svg=False)  # a run without the charts' SVGs
    _nb(nb, "from aicompute import chips  # edited")
    assert key != deps.notebook_key(nb, {"a": 1}, tools=TOOLS)


def test_recorded_paths_are_relative_and_content_hashed(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.csv").write_text("a\n1\n")
    hashes = deps.file_hashes([str(tmp_path / "data" / "x.csv"), "data/missing.csv"], tmp_path)
    assert list(hashes) == ["data/missing.csv", "data/x.csv"] and hashes["data/missing.csv"] == "missing"
    assert deps.file_hashes(["data/x.csv"], tmp_path) == {"data/x.csv": hashes["data/x.csv"]}
