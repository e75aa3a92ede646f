"""One notebook run, in a build worker process (:func:`execute_one`).

Its own module so that a worker, which the build starts by ``spawn``, imports papermill and the build's
engine only: not :mod:`aicompute.pipeline.build` with the parameters and data layers (pandas, numpy), about
0.6 s of CPU per worker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def execute_one(notebook: str, output: str, parameters: dict[str, Any], cwd: str, setup: str = "",
                kernel_log: str | None = None, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one notebook with papermill (in a worker process): ``setup`` (:func:`tracking.setup_code`) runs in
    the kernel before the first cell; the kernel's stderr goes to ``kernel_log``; ``env``, when given, is the
    environment the kernel starts with (the build's at the time it submitted the run: a worker outlives the
    build that started it). Returns {"ok", "seconds", "error"}."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    from aicompute.pipeline import inline

    inline.register()

    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # the debugger's warning about frozen modules
    if kernel_log:
        # The kernel inherits this process's stderr: keep its chatter (shutdown noise) in a log.
        log_fh = open(kernel_log, "a", encoding="utf-8")  # noqa: SIM115
        os.dup2(log_fh.fileno(), 2)
    start = time.perf_counter()
    try:
        pm.execute_notebook(notebook, output, parameters=parameters, kernel_name="python3", cwd=cwd, engine_name="aicompute",
                            progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                            run_setup=setup)
    except PapermillExecutionError as exc:
        msg = (f"{Path(notebook).name}: cell {exc.cell_index} (execution count {exc.exec_count}) raised "
               f"{exc.ename}: {exc.evalue}")
        return {"ok": False, "seconds": time.perf_counter() - start, "error": msg}
    except Exception as exc:  # kernel died, bad notebook JSON, ...
        return {"ok": False, "seconds": time.perf_counter() - start,
                "error": f"{Path(notebook).name}: {type(exc).__name__}: {exc}"}
    return {"ok": True, "seconds": time.perf_counter() - start, "error": ""}
