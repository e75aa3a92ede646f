"""The settings of one notebook run, in one object.

The build writes a small JSON file per notebook run and points ``AICOMPUTE_RUN`` at it; every part of the
library that needs to know where to write (published results, chart copies) or what to record (the data
files read) asks :func:`current` instead of reading environment variables of its own. Outside the build
(JupyterLab, a Python prompt) there is no run file: results stay in memory, nothing is recorded, and other
chapters' published results are read from the project's ``build/results``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["RunContext", "current", "use", "ENV"]

ENV = "AICOMPUTE_RUN"


@dataclass(frozen=True)
class RunContext:
    """Where one run reads and writes. Paths are absolute; ``None`` means "not under the build"."""

    root: Path
    notebook: str | None = None          # the notebook's stem, e.g. "03_finance"
    results_out: Path | None = None      # folder for this run's published results (<notebook>.json)
    results_in: Path | None = None       # folder holding other chapters' published results
    figures_out: Path | None = None      # folder for chart copies (SVG, CSV)
    read_log: Path | None = None         # file listing the inputs this run read (cache keys)

    def to_json(self) -> str:
        return json.dumps({k: (str(v) if v is not None else None) for k, v in asdict(self).items()}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> RunContext:
        raw: dict[str, Any] = json.loads(text)
        return cls(**{k: (Path(v) if v is not None and k != "notebook" else v) for k, v in raw.items()})


_OVERRIDE: list[RunContext] = []


def current() -> RunContext:
    """This process's run context: a test's :func:`use`, else the build's run file, else interactive."""
    if _OVERRIDE:
        return _OVERRIDE[-1]
    spec = os.environ.get(ENV)
    if spec:
        try:
            return RunContext.from_json(Path(spec).read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError) as exc:
            raise RuntimeError(f"{ENV}={spec}: unreadable run context ({exc})") from None
    from aicompute.paths import ROOT

    return RunContext(root=ROOT, results_in=ROOT / "build" / "results")


@contextmanager
def use(ctx: RunContext) -> Iterator[RunContext]:
    """Run the body with ``ctx`` as the current context (tests, benchmarks)."""
    _OVERRIDE.append(ctx)
    try:
        yield ctx
    finally:
        _OVERRIDE.pop()
