"""A pytest plugin that records each test's CPU seconds (setup + call + teardown, the process and the
children it waited for): on a loaded machine wall times mislead. Used by bench/bench_tests.py:

    PYTHONPATH=bench CPUTIME_DIR=/tmp/x python -m pytest -p cputime_plugin ...

writes one ``<worker>.tsv`` per process into $CPUTIME_DIR (seconds, test id).
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest

_times: dict[str, float] = {}


def _cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    start = _cpu()
    yield
    _times[item.nodeid] = _times.get(item.nodeid, 0.0) + _cpu() - start


def pytest_sessionfinish(session: pytest.Session) -> None:
    out = os.environ.get("CPUTIME_DIR")
    if not out or not _times:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    lines = [f"{seconds:.3f}\t{test}" for test, seconds in _times.items()]
    (Path(out) / f"{worker}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
