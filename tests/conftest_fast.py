"""The fast tier's shared session state (fixtures that only save time; imported by conftest.py).

:func:`shared_frictionless_verdicts`: under pytest-xdist each worker is a process of its own, so each checked the
real data package with frictionless again (about 3 CPU s a time, the largest single cost of the fast tier's data
tests). :func:`aicompute.datapackage._frictionless_check` already keeps, per process, the keys of the resources it
found valid (a hash of everything frictionless's verdict depends on: descriptor and file, and those of the tables
its foreign keys reference); here the workers of one session share those keys through a file in the session's
base temporary folder (read before each check, merged after it, under a short lock; the check itself runs unlocked:
holding the lock through it made the other worker sit idle, even for a check of other tables). Errors are never
shared: a failing table is checked again wherever it fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from filelock import FileLock


@pytest.fixture(scope="session", autouse=True)
def shared_frictionless_verdicts(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[None]:
    """Share the frictionless verdicts (keys of valid resources) between the xdist workers of this session. A test
    that swaps ``datapackage._VALIDATED`` for a set of its own (to watch what is validated) sees only its own."""
    # imported here: xdist's controller, which runs no test, loads this file and need not import pandas
    from aicompute import datapackage

    if worker_id == "master":  # one process: its own cache serves every test
        yield
        return
    shared = tmp_path_factory.getbasetemp().parent / "frictionless-valid.txt"
    lock = FileLock(f"{shared}.lock")
    real, session_keys = datapackage._frictionless_check, datapackage._VALIDATED

    def merge(write: bool = False) -> None:  # under the lock: the other workers' keys, then (write) ours for them
        with lock:
            if shared.exists():
                session_keys.update(shared.read_text(encoding="utf-8").split())
            if write:
                shared.write_text("\n".join(sorted(session_keys)), encoding="utf-8")

    def check(folder, **kw):
        if datapackage._VALIDATED is not session_keys:
            return real(folder, **kw)
        merge()
        try:
            return real(folder, **kw)
        finally:
            merge(write=True)

    mp = pytest.MonkeyPatch()
    mp.setattr(datapackage, "_frictionless_check", check)
    yield
    mp.undo()
