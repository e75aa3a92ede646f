"""Parameter validation happens before any kernel starts and names the parameter."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from aicompute import params
from aicompute.params import ParameterError

PARAMS_SRC = """as_of = "2026-11-28"  # report date
seed = 42
n_paths = 1000
p_crash = 0.3  # [0, 1] prior
label = "base"
fast = False
weights = [1, 2]
"""


@pytest.fixture
def nb(tmp_path: Path) -> Path:
    n = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(PARAMS_SRC)
    cell.metadata["tags"] = ["parameters"]
    n.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    path = tmp_path / "05_demo.ipynb"
    nbformat.write(n, path)
    return path


def test_reads_defaults_and_ranges(nb: Path) -> None:
    spec = params.notebook_parameters(nb)
    assert spec["p_crash"] == {"default": 0.3, "range": (0.0, 1.0), "comment": "prior"}
    assert spec["as_of"]["comment"] == "report date" and spec["seed"]["comment"] == ""
    assert spec["seed"]["default"] == 42 and spec["seed"]["range"] is None
    assert list(spec) == ["as_of", "seed", "n_paths", "p_crash", "label", "fast", "weights"]


def test_resolve_merges_file_and_overrides(nb: Path) -> None:
    out = params.resolve(
        [nb],
        {"all": {"seed": 7}, "notebooks": {"05_demo": {"p_crash": 1}}},
        params.parse_overrides(["05_demo.label=bear", "fast=true"]),
    )
    assert out == {"05_demo": {"seed": 7, "p_crash": 1.0, "label": "bear", "fast": True}}
    assert isinstance(out["05_demo"]["p_crash"], float)


@pytest.mark.parametrize(
    "override,phrase",
    [
        ("nonsense=1", "unknown parameter 'nonsense'"),
        ("p_crash=1.5", "parameter 'p_crash' of 05_demo: expected a value in [0, 1], got 1.5"),
        ("p_crash=high", "parameter 'p_crash' of 05_demo: expected a number, got 'high'"),
        ("n_paths=-5", "parameter 'n_paths' of 05_demo: expected a positive integer, got -5"),
        ("n_paths=2.5", "parameter 'n_paths' of 05_demo: expected an integer, got 2.5"),
        ("seed=-1", "parameter 'seed' of 05_demo: expected a non-negative integer"),
        ("as_of=2025-12-31", "expected a date on or after 2026-01-01"),
        ("as_of=yesterday", "expected a date as YYYY-MM-DD"),
        ("fast=1", "parameter 'fast' of 05_demo: expected true/false, got 1"),
        ("99_none.seed=1", "unknown notebook '99_none'"),
        ("novalue", "expected name=value"),
    ],
)
def test_bad_overrides_name_the_parameter(nb: Path, override: str, phrase: str) -> None:
    with pytest.raises(ParameterError) as info:
        params.resolve([nb], {}, params.parse_overrides([override]))
    assert phrase in str(info.value)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("all:\n  seed: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"bad.yaml: malformed YAML \(line \d+, column \d+\)"):
        params.load_params_file(bad)


def test_yaml_with_unknown_section(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("everything:\n  seed: 1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="expected a mapping with the sections 'all' and/or 'notebooks'"):
        params.load_params_file(f)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("all:\n  seed: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="malformed YAML"):
        params.load_params_file(f)


def test_parameters_cell_must_be_literal(tmp_path: Path) -> None:
    n = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = compute()\n")
    cell.metadata["tags"] = ["parameters"]
    n.cells = [cell]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(n, path)
    with pytest.raises(ParameterError, match="parameter 'x' needs a literal default"):
        params.notebook_parameters(path)


def test_default_yaml_matches_real_notebooks() -> None:
    root = Path(__file__).resolve().parents[1]
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    values = params.resolve(notebooks, params.load_params_file(root / "report/params/default.yaml"), {})
    assert set(values) == {p.stem for p in notebooks}
    for nb in notebooks:
        assert json.loads(nb.read_text())["cells"], nb
