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


def test_kernels_talk_over_private_unix_sockets_not_tcp_ports(tmp_path: Path) -> None:
    """Two kernels starting at once (the build's workers, a test run's other worker) could pick the same free TCP
    port, and the second died with "Address already in use" before replying; the engine's kernel uses a socket in
    a folder of its own, removed after the run."""
    import os

    if os.name == "nt":
        pytest.skip("Windows kernels keep TCP")
    code = nbformat.v4.new_code_cell
    out = _run(tmp_path, [code("from ipykernel.kernelapp import IPKernelApp\n"
                               "app = IPKernelApp.instance()\nprint(app.transport, app.ip)")])
    transport, ip = out.cells[0].outputs[0].text.split()
    assert transport == "ipc"
    assert Path(ip).parent.name.startswith("aicompute-kernel-")
    assert not Path(ip).parent.exists()


def test_a_killed_workers_socket_folder_is_removed_by_the_next_run(tmp_path: Path, monkeypatch) -> None:
    """A folder named for a pid that no longer runs is removed; one of a live process (this one) is kept."""
    import os
    import subprocess
    import sys

    monkeypatch.setattr(inline.tempfile, "tempdir", str(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    gone, kept, other = (tmp_path / f"{inline.SOCKET_PREFIX}{dead}-x1", tmp_path / f"{inline.SOCKET_PREFIX}{os.getpid()}-x2",
                         tmp_path / f"{inline.SOCKET_PREFIX}notapid-x3")
    for folder in (gone, kept, other):
        folder.mkdir()
        (folder / "k-1").write_text("")
    inline._remove_orphan_socket_folders()
    assert not gone.exists() and kept.exists() and other.exists()
