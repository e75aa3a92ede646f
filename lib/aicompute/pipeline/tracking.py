"""The executor's side of a notebook run: the kernel's run context and the files it reads.

The build's papermill engine (:class:`aicompute.pipeline.inline.InlineClient`) runs :func:`setup_code` in each
kernel before the notebook's first cell. That code enters the run's :class:`~aicompute.context.RunContext`
(where published results and chart copies go) and installs :func:`track_reads`: an audit hook
(:func:`sys.addaudithook`, event ``open``) that appends every project file the kernel opens for reading to
the run's read log. The cache keys a notebook on exactly those files (and re-executes it when one changes),
whatever code read them: the data loader, a chapter reading another's results, the appendix reading the
parameters cells, or a plain ``open`` in a notebook. Nothing in the models or the evidence layer records
reads, and no environment variable carries the run to the kernel.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from aicompute.context import RunContext

#: Folders under the project whose reads are not inputs (the library is keyed by its source already).
SKIP = ("lib", ".venv", ".git")


def track_reads(log: Path, roots: Iterable[Path], skip: Iterable[Path] = ()) -> None:
    """From now on, append to ``log`` (once each, absolute) every existing file under one of ``roots`` (and
    not under ``skip``) this process opens for reading."""
    log = Path(log).resolve()
    roots = tuple(str(Path(r).resolve()) + "/" for r in roots)
    skip = tuple(str(Path(s).resolve()) + "/" for s in skip)
    seen: set[str] = set()
    busy = [False]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or busy[0]:
            return
        path, mode = args[0], args[1]
        if not isinstance(path, str | Path) or (isinstance(mode, str) and any(c in mode for c in "wax+")):
            return
        if mode is None and args[2] & 3:  # os.open with O_WRONLY / O_RDWR
            return
        busy[0] = True  # the hook's own calls (resolve, open of the log) raise audit events too
        try:
            full = str(Path(path).resolve())
            if full in seen or not full.startswith(roots) or full.startswith(skip) or not Path(full).is_file():
                return
            seen.add(full)
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(full + "\n")
        except (OSError, ValueError):
            pass
        finally:
            busy[0] = False

    sys.addaudithook(hook)


def setup_code(ctx: RunContext, read_log: Path, extra_roots: Iterable[Path] = ()) -> str:
    """Python source the executor runs in a fresh kernel: enter ``ctx`` and log the project files read."""
    roots = [ctx.root, *extra_roots]
    skip = [ctx.root / s for s in SKIP]
    if ctx.results_out is not None:
        skip.append(Path(ctx.results_out).parent)  # this run's own scratch folder
    return ("from aicompute import context as _aic_context\n"
            "from aicompute.pipeline import tracking as _aic_tracking\n"
            f"_aic_context.enter(_aic_context.RunContext.from_json({ctx.to_json()!r}))\n"
            f"_aic_tracking.track_reads({str(read_log)!r}, {[str(r) for r in roots]!r}, {[str(s) for s in skip]!r})\n"
            "del _aic_context, _aic_tracking\n")
