"""The settings of one notebook run, in one object.

The build's executor starts each kernel by entering the run's context (:func:`enter`, run by
:mod:`aicompute.pipeline.tracking` before the notebook's first cell); every part of the library that needs to
know where to write (published results, chart copies) asks :func:`current`. Outside the build (JupyterLab, a
Python prompt) nothing is entered: results stay in memory and other chapters' published results are read
from the project's ``build/results``. No environment variable is read; the files a run reads are recorded by
the executor, not here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunContext:
    """Where one run reads and writes. Paths are absolute; ``None`` means "not under the build"."""

    root: Path
    notebook: str | None = None          # the notebook's stem, e.g. "03_finance"
    results_out: Path | None = None      # folder for this run's published results (<notebook>.json)
    results_in: Path | None = None       # folder holding other chapters' published results
    figures_out: Path | None = None      # folder for chart copies (SVG, CSV)
    svg: bool = True                     # False: charts carry no static SVG (a build that is never rendered)

    def to_json(self) -> str:
        return json.dumps({k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(self).items()}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> RunContext:
        raw: dict[str, Any] = json.loads(text)
        return cls(**{k: (Path(v) if isinstance(v, str) and k != "notebook" else v) for k, v in raw.items()})


_OVERRIDE: list[RunContext] = []


def current() -> RunContext:
    """This process's run context: the innermost :func:`use`, else the one the executor entered, else
    interactive (the project found from the working directory)."""
    if _OVERRIDE:
        return _OVERRIDE[-1]
    from aicompute.paths import ROOT

    return RunContext(root=ROOT, results_in=ROOT / "build" / "results")


def enter(ctx: RunContext) -> None:
    """Make ``ctx`` this process's context for good (the executor, once, in a fresh kernel)."""
    _OVERRIDE[:] = [ctx]


@contextmanager
def use(ctx: RunContext) -> Iterator[RunContext]:
    """Run the body with ``ctx`` as the current context (tests, benchmarks)."""
    _OVERRIDE.append(ctx)
    try:
        yield ctx
    finally:
        _OVERRIDE.pop()
