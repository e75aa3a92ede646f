"""Project-level invariants: environments agree, notebooks are clean and parameterized."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_lists_the_same_packages_as_pyproject() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = set(), set()
    for d in env["dependencies"]:
        if isinstance(d, dict):
            pip |= {_name(x) for x in d["pip"] if not x.startswith("-e")}
        else:
            conda.add(_name(d))
    assert "quarto" in conda and "-e ." in next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    assert {_name(d) for d in deps} == (conda | pip) - {"python", "pip", "quarto"}
    assert "conda-forge" in env["channels"]


def test_lower_bounds_match() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = (ROOT / "environment.yml").read_text()
    for d in deps:
        assert d.replace(" ", "") in env.replace(" ", ""), f"{d} not pinned the same way in environment.yml"


def test_notebooks_exist_numbered_and_without_outputs() -> None:
    assert NOTEBOOKS, "no numbered notebooks"
    for nb in NOTEBOOKS:
        doc = json.loads(nb.read_text(encoding="utf-8"))
        for i, cell in enumerate(doc["cells"]):
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), (
                    f"{nb.name} cell {i} has outputs: strip them before committing"
                )
                assert cell.get("execution_count") is None, f"{nb.name} cell {i} has an execution count"


def test_every_notebook_has_one_parameters_cell_with_as_of() -> None:
    for nb in NOTEBOOKS:
        doc = json.loads(nb.read_text(encoding="utf-8"))
        tagged = [c for c in doc["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, nb.name
        assert "as_of" in "".join(tagged[0]["source"]), nb.name


def test_notebooks_do_not_hack_sys_path_or_star_import() -> None:
    for nb in NOTEBOOKS:
        src = "\n".join(
            "".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"
        )
        assert "sys.path" not in src and "import *" not in src, nb.name


def test_markdown_cells_have_no_hand_typed_figures() -> None:
    figure = re.compile(r"(?<![\w.])\$?\d[\d,]*(?:\.\d+)?\s?(?:%|x\b|bn\b|billion|trillion|GW|MW|TWh)")
    for nb in NOTEBOOKS:
        for cell in json.loads(nb.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"])
                assert not figure.findall(text), (
                    f"{nb.name}: figure typed by hand in markdown: {figure.findall(text)}"
                )


def test_makefile_and_ci_use_the_readme_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "make report" in ci


def test_chart_cells_carry_quarto_figure_options() -> None:
    """Charts are numbered figures under Quarto: `#| label: fig-...` and `#| fig-cap:`."""
    for nb in NOTEBOOKS:
        for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
            src = "".join(cell["source"])
            if cell["cell_type"] == "code" and "charts.show(" in src:
                head = [line for line in src.splitlines() if line.startswith("#|")]
                assert any(line.startswith("#| label: fig-") for line in head), f"{nb.name} cell {i}: no #| label"
                assert any(line.startswith("#| fig-cap:") for line in head), f"{nb.name} cell {i}: no #| fig-cap"
