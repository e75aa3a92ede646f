"""The executor records the files a kernel reads (an audit hook), not the data loader."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from aicompute.context import RunContext
from aicompute.pipeline import tracking


def test_reads_under_the_project_are_logged_once_writes_and_the_library_are_not(tmp_path: Path) -> None:
    root, outside = tmp_path / "project", tmp_path / "elsewhere"
    for folder in (root / "data", root / "lib", outside):
        folder.mkdir(parents=True)
    for f in (root / "data" / "a.csv", root / "lib" / "m.py", outside / "b.csv"):
        f.write_text("x\n")
    log = tmp_path / "reads.log"
    code = f"""
from pathlib import Path
from aicompute.pipeline.tracking import track_reads
track_reads({str(log)!r}, [{str(root)!r}], [{str(root / 'lib')!r}])
root = Path({str(root)!r})
(root / "data" / "a.csv").read_text(); open(root / "data" / "a.csv", "rb").read()  # read twice: logged once
(root / "lib" / "m.py").read_text()                 # the library: keyed by its source, not logged
Path({str(outside / 'b.csv')!r}).read_text()        # outside the project
(root / "data" / "new.csv").write_text("y")         # a write
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
    assert log.read_text().splitlines() == [str((root / "data" / "a.csv").resolve())]


def test_setup_code_enters_the_run_and_tracks(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("x\n")
    run = RunContext(root=tmp_path, notebook="07_x", results_out=tmp_path / "run-1" / "results")
    log = tmp_path / "reads.log"
    code = tracking.setup_code(run, log) + f"""
from aicompute import context
assert context.current() == context.RunContext.from_json({run.to_json()!r})
open({str(tmp_path / 'data' / 't.csv')!r}).read()
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
    assert log.read_text().split() == [str((tmp_path / "data" / "t.csv").resolve())]


def test_run_context_round_trips_through_json(tmp_path: Path) -> None:
    """The kernel gets the run as JSON: paths come back as paths, the flag as a bool (``"False"`` read back as a
    path would be true)."""
    run = RunContext(root=tmp_path, notebook="07_x", figures_out=tmp_path / "f", svg=False)
    back = RunContext.from_json(run.to_json())
    assert back == run and back.svg is False and back.results_in is None and isinstance(back.figures_out, Path)
