"""The build's papermill engine fills each Markdown cell's inline `{python} expr` from the same kernel, after the
code above it ran; conditional cells are dropped when false; a failure names notebook, cell and expression."""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest
from papermill.exceptions import PapermillExecutionError

from aicompute.pipeline import inline


def test_expressions_and_conditions_are_found_as_quarto_finds_them() -> None:
    src = "A `{python} fmt(x, 'GW')` and ``{python} not_this`` and `{python}  n ` and `{python} n`."
    assert inline.expressions(src) == ["fmt(x, 'GW')", "n"]
    assert inline.condition("<!-- if: a > 1 -->\ntext") == "a > 1"
    assert inline.condition("text <!-- if: a -->") is None


def _run(tmp_path: Path, cells: list) -> nbformat.NotebookNode:
    inline.register()
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    nbformat.write(nb, tmp_path / "t.ipynb")
    pm.execute_notebook(str(tmp_path / "t.ipynb"), str(tmp_path / "o.ipynb"), engine_name="aicompute",
                        kernel_name="python3", progress_bar=False)
    return nbformat.read(tmp_path / "o.ipynb", as_version=4)


def test_engine_fills_user_expressions_in_order(tmp_path: Path) -> None:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    out = _run(tmp_path, [
        code("from aicompute.formatting import fmt\nx, n, ok = 1.26, 1200, False"),
        md("Now `{python} fmt(x, 'GW', '.1f')`, `{python} n`."),
        code("x = 2.0"),
        md("Then `{python} fmt(x, 'GW', '.1f')`."),
        md("<!-- if: ok -->\nNever `{python} undefined`"),
        md("<!-- if: not ok -->\nOtherwise."),
    ])
    first = {e["expression"]: e["result"] for e in out.cells[1].metadata["user_expressions"]}
    assert first["fmt(x, 'GW', '.1f')"] == {"status": "ok", "data": {
        "text/markdown": '<span class="aic-num" data-unit="GW">1.3 GW</span>'}}
    assert first["n"]["data"]["text/markdown"] == '<span class="aic-num">1,200</span>'
    later = out.cells[3].metadata["user_expressions"][0]["result"]["data"]["text/markdown"]
    assert ">2.0 GW<" in later  # evaluated after the code cell above it, in the same kernel
    assert out.cells[4].source == "" and out.cells[4].metadata["aicompute"] == {"dropped": "ok"}
    assert "Otherwise." in out.cells[5].source and "user_expressions" not in out.cells[5].metadata


def test_a_failing_expression_names_notebook_cell_and_expression(tmp_path: Path) -> None:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    with pytest.raises(PapermillExecutionError) as err:
        _run(tmp_path, [code("x = 1.5"), md("Text"), md("Bad `{python} x`")])
    assert err.value.ename == "InlineExpressionError"
    assert "t.ipynb: Markdown cell 2, inline `{python} x`: TypeError" in err.value.evalue
    with pytest.raises(PapermillExecutionError, match="NameError"):
        _run(tmp_path, [md("<!-- if: missing > 0 -->\nx")])


def test_the_engine_module_imports_first_without_a_cycle() -> None:
    """Imported before papermill in a fresh process, the engine module loads (papermill's entry points used to
    load it half-initialised) and registers the engine."""
    import subprocess
    import sys

    code = ("import aicompute.pipeline.inline as i; i.register(); "
            "from papermill.engines import papermill_engines as e; assert e.get_engine('aicompute') is i.AicomputeEngine")
    subprocess.run([sys.executable, "-c", code], check=True)
