"""Inline `` `{python} expr` `` in Markdown cells, filled by the build's papermill engine.

Quarto shows a Markdown cell's `` `{python} expr` `` as the result stored in the cell's
``metadata.user_expressions`` (``[{"expression": expr, "result": {"status": "ok", "data": {mime: text}}}]``,
read by quarto-cli ``src/core/jupyter/jupyter-inline.ts``; ``text/markdown`` is used as is, ``text/plain``
would be de-quoted and escaped). Quarto's own executor fills it; the build executes with papermill and renders
with ``quarto render --no-execute``, so this engine fills it instead: papermill runs the cells in order, and at
each Markdown cell — after every code cell above it has run, in the same kernel — the engine evaluates the
cell's expressions there (the kernel's ``user_expressions``) and stores each as Markdown
(:func:`aicompute.formatting.inline`: text as is, whole numbers with separators, a bare float refused).

A Markdown cell whose first line is ``<!-- if: condition -->`` is kept only when ``condition`` is true in
the kernel at that point; otherwise its source is emptied in the executed copy (nothing is shown) and its
expressions are not evaluated. Write alternatives as two cells (``<!-- if: ok -->`` / ``<!-- if: not ok -->``).

A failing expression or condition stops the run with :class:`papermill.exceptions.PapermillExecutionError`
naming the notebook, the Markdown cell and the expression. :func:`register` makes it papermill's engine
``aicompute`` (the build calls it, then passes ``engine_name="aicompute"``). It is not a ``papermill.engine``
entry point: papermill loads those while ``papermill.engines`` is first imported, so importing this module
first would have loaded it half-initialised (an import cycle).

In JupyterLab the expressions are not evaluated: a Markdown cell shows its source, and each expression can
be run in a code cell to see its value (see docs/CONVERTING.md).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from nbclient.util import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.exceptions import PapermillExecutionError

#: An inline expression, exactly as Quarto finds it (``src/core/execute-inline.ts``).
EXPRESSION = re.compile(r"(?:^|[^`])`\{python\}[ \t]([^`]+)`", re.M)
#: A conditional Markdown cell's first line.
CONDITION = re.compile(r"\A\s*<!--\s*if:\s*(.+?)\s*-->[ \t]*\n?")
_WRAP = "__import__('aicompute.formatting', fromlist=['inline']).inline(({}))"


def expressions(source: str) -> list[str]:
    """The inline expressions of a Markdown cell's source, trimmed, in order, without repeats."""
    return list(dict.fromkeys(e.strip() for e in EXPRESSION.findall(source)))


def condition(source: str) -> str | None:
    """The condition of a conditional Markdown cell (``<!-- if: cond -->`` first line), else None."""
    m = CONDITION.match(source)
    return m.group(1) if m else None


#: The name of a kernel's socket folder in the temporary directory: this prefix, the worker's pid, "-", a random part.
SOCKET_PREFIX = "aicompute-kernel-"


def _remove_orphan_socket_folders() -> None:
    """Remove the kernel socket folders whose worker process is gone (killed before it could remove its own)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_PREFIX}*-*"):
        pid = folder.name[len(SOCKET_PREFIX):].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:  # alive, another user's
            pass


class InlineClient(PapermillNotebookClient):
    """papermill's client that also fills the inline expressions of each Markdown cell as it reaches it, and
    first runs the build's ``run_setup`` code in the kernel (:func:`aicompute.pipeline.tracking.setup_code`)."""

    run_setup = ""

    def create_kernel_manager(self) -> Any:
        """The kernel talks over Unix sockets in a private folder, not TCP ports (except on Windows). With TCP,
        jupyter_client picks free ports and the kernel binds them a moment later: two kernels starting at once
        (the build's workers, a test run's other worker) could pick the same port, and the second died with
        "Address already in use" before replying to ``kernel_info``. A socket path in a folder of its own cannot
        collide; :meth:`execute` removes the folder when the run ends, and a folder left by a worker that was
        killed (its pid is in the name) is removed by the next run (:func:`_remove_orphan_socket_folders`)."""
        km = super().create_kernel_manager()
        if os.name != "nt":
            _remove_orphan_socket_folders()
            self._socket_folder = tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-")
            km.transport = "ipc"
            km.ip = os.path.join(self._socket_folder, "k")
        return km

    def execute(self, **kwargs: Any) -> Any:
        try:
            return super().execute(**kwargs)
        finally:
            folder = getattr(self, "_socket_folder", None)
            if folder:
                shutil.rmtree(folder, ignore_errors=True)

    def papermill_execute_cells(self) -> None:
        if self.run_setup:
            reply = self.wait_for_reply(self.kc.execute(self.run_setup, silent=True, store_history=False))
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                raise RuntimeError(f"the build's kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")
        super().papermill_execute_cells()

    async def async_execute_cell(self, cell: Any, cell_index: int, execution_count: int | None = None,
                                 store_history: bool = True) -> Any:
        if cell.cell_type != "markdown":
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        cell.metadata.pop("user_expressions", None)
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        cond = condition(source)
        if cond is not None:
            shown = await self._evaluate(cell_index, {"c": f"bool({cond})"}, cond)
            if shown["c"]["data"]["text/plain"] != "True":
                cell.metadata["aicompute"] = {"dropped": cond}
                cell.source = ""
                return cell
        exprs = expressions(source)
        if exprs:
            results = {}
            for i, expr in enumerate(exprs):  # one at a time, so an error names its expression
                results[expr] = (await self._evaluate(cell_index, {str(i): _WRAP.format(expr)}, expr))[str(i)]
            cell.metadata["user_expressions"] = [
                {"expression": e, "result": {"status": "ok", "data": {"text/markdown": _markdown(r, e, cell_index, self)}}}
                for e, r in results.items()]
        return cell

    async def _evaluate(self, cell_index: int, exprs: dict[str, str], shown: str) -> dict[str, Any]:
        msg_id = self.kc.execute("", silent=False, store_history=False, user_expressions=exprs)
        reply = await self.async_wait_for_reply(msg_id)
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            self._fail(cell_index, shown, content.get("ename", "Error"), content.get("evalue", "no reply"))
        out = content.get("user_expressions", {})
        for key in exprs:
            res = out.get(key, {})
            if res.get("status") != "ok":
                self._fail(cell_index, shown, res.get("ename", "Error"), res.get("evalue", "no result"))
        return out

    execute_cell = run_sync(async_execute_cell)  # nbclient binds execute_cell to its own coroutine

    def _fail(self, cell_index: int, expr: str, ename: str, evalue: str) -> None:
        name = self.nb.metadata.get("papermill", {}).get("input_path") or "notebook"
        msg = f"{name}: Markdown cell {cell_index}, inline `{{python}} {expr}`: {ename}: {evalue}"
        raise PapermillExecutionError(cell_index=cell_index, exec_count=None, source=expr, ename="InlineExpressionError",
                                      evalue=msg, traceback=[msg])


def _markdown(result: dict[str, Any], expr: str, cell_index: int, client: InlineClient) -> str:
    data = result.get("data", {})
    if "text/markdown" not in data:  # formatting.inline always gives Markdown; anything else is a bug
        client._fail(cell_index, expr, "TypeError", f"no Markdown for the value (got {sorted(data)})")
    return data["text/markdown"]


class AicomputeEngine(NBClientEngine):
    """papermill's nbclient engine with :class:`InlineClient` (inline expressions, conditional cells)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                 stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                 execution_timeout: int | None = None, **kwargs: Any) -> Any:
        from papermill.log import logger
        from papermill.utils import merge_kwargs, remove_args

        run_setup = kwargs.pop("run_setup", "")
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout or kwargs.get("timeout"),
                                    startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                                    log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
        client = InlineClient(nb_man, **final_kwargs)
        client.run_setup = run_setup
        return client.execute()


def register() -> None:
    """Make :class:`AicomputeEngine` papermill's engine ``aicompute`` in this process."""
    papermill_engines.register("aicompute", AicomputeEngine)
