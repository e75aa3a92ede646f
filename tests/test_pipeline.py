"""The build pipeline on a tiny project: parameters injected, cache hit/miss, failures keep the last site."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from aicompute import chapters
from aicompute.pipeline import build as build_mod
from aicompute.pipeline.build import BuildError, Project

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, body: str, params: str = 'as_of = "2026-11-28"\nfactor = 2  # [0, 10]\n',
              reads: tuple[str, ...] = ()) -> None:
    """Write a tiny chapter and register it (with the chapters it ``reads``) in report/chapters.yml."""
    nb = nbformat.v4.new_notebook()
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny chapter"), p, nbformat.v4.new_code_cell(body)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    registry = path.parent.parent / "report" / "chapters.yml"
    old = {c.stem: c.reads for c in chapters.load(path.parent.parent)} if registry.exists() else {}
    old[path.stem] = tuple(reads)
    registry.parent.mkdir(parents=True, exist_ok=True)
    registry.write_text("chapters:\n" + "".join(
        f"  - {{file: {s}.ipynb, number: '{i + 1}', name: c{i}, title: Tiny chapter, reads: {list(r)}}}\n"
        for i, (s, r) in enumerate(sorted(old.items()))))


BODY = """
from aicompute import data
from aicompute.results import publish
c = data.claim("capex_2026")
publish("scaled", c.value * factor, label="scaled capex")
print("scaled", c.value * factor)
"""


@pytest.fixture
def project(tmp_path: Path, pkg: Path) -> Project:
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "report" / "params").mkdir(parents=True)
    (tmp_path / "report" / "params" / "default.yaml").write_text("all:\n  factor: 3\n")
    _notebook(tmp_path / "notebooks" / "00_tiny.ipynb", BODY)
    return Project(root=tmp_path)


@pytest.fixture(scope="session")
def _built_once(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The tiny project of :func:`project` after one good build (fake renderer): executed, cached, its site made;
    built once per session."""
    from conftest import once_per_session, tiny_package

    def make(root: Path) -> None:
        tiny_package(root / "data")
        (root / "notebooks").mkdir()
        (root / "report" / "params").mkdir(parents=True)
        (root / "report" / "params" / "default.yaml").write_text("all:\n  factor: 3\n")
        _notebook(root / "notebooks" / "00_tiny.ipynb", BODY)
        mp = pytest.MonkeyPatch()
        try:
            assert _run(Project(root=root), mp)[0] == ["executed"]
        finally:
            mp.undo()

    return once_per_session(tmp_path_factory, worker_id, "pipeline-tiny-built", make)


@pytest.fixture
def built(_built_once: Path, tmp_path: Path) -> Project:
    """A copy of :func:`project` after a good build, for the tests that start from a last good report: the copy
    is up to date as copied (cache records and the site's manifest hold relative paths; see
    :func:`test_moved_copy_keeps_its_cache_and_rebuilds_after_an_edit`), so no kernel starts to make it."""
    root = tmp_path / "built"
    shutil.copytree(_built_once, root, symlinks=True)
    return Project(root=root)


def fake_render(report_dir: Path, chapters: list[Path], out_dir: Path, log=print) -> str:
    (out_dir / "index.html").write_text("<html>" + ",".join(c.name for c in chapters) + "</html>")
    return "fake"


def _run(project: Project, monkeypatch: pytest.MonkeyPatch, **kw) -> list:
    monkeypatch.setattr("aicompute.pipeline.render.render", fake_render)
    monkeypatch.setattr("aicompute.pipeline.render.find_quarto", lambda: ("quarto", (1, 10, 18)))
    # the tiny chapters publish no front-page headlines: a stub front page
    monkeypatch.setattr("aicompute.summary.write_summary", lambda results, chapters, target, *a, **k: "")
    lines: list[str] = []
    out = build_mod.build(project, jobs=1, log=lines.append, **kw)
    return [o.status for o in out], lines


def test_execute_then_cache_then_miss_on_data_change(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses, lines = _run(project, monkeypatch)
    assert statuses == ["executed"]
    result = json.loads((project.out / "results" / "00_tiny.json").read_text())
    assert result["scaled"]["value"] == 54.0 * 3  # parameter from default.yaml injected
    assert (project.site / "index.html").read_text() == "<html>00_tiny.ipynb</html>"
    record = json.loads((project.out / "cache" / "00_tiny.json").read_text())
    assert {Path(p).name for p in record["reads"]} == {"claims.csv", "sources.csv", "datapackage.json"}

    statuses, lines = _run(project, monkeypatch)
    assert statuses == ["cached"] and any("nothing re-rendered" in s for s in lines)

    # A different parameter value is a miss.
    statuses, _ = _run(project, monkeypatch, overrides=["factor=4"])
    assert statuses == ["executed"]
    assert json.loads((project.out / "results" / "00_tiny.json").read_text())["scaled"]["value"] == 216.0

    # Editing a data file the notebook read is a miss; the new value flows through.
    _run(project, monkeypatch)
    claims = project.data / "claims.csv"
    claims.write_text(claims.read_text().replace("Capex guidance,54,", "Capex guidance,55,"))
    statuses, _ = _run(project, monkeypatch)
    assert statuses == ["executed"]
    assert json.loads((project.out / "results" / "00_tiny.json").read_text())["scaled"]["value"] == 165.0


def test_unread_data_file_change_is_a_hit(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    _notebook(project.notebooks / "00_tiny.ipynb", "x = factor * 2\n")  # reads no data
    assert _run(project, monkeypatch)[0] == ["executed"]
    claims = project.data / "claims.csv"
    claims.write_text(claims.read_text() + "\n")
    assert _run(project, monkeypatch)[0] == ["cached"]


def test_failing_cell_names_notebook_and_cell_and_keeps_site(
    built: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built
    _run(project, monkeypatch)
    before = (project.site / "index.html").read_text()
    _notebook(project.notebooks / "00_tiny.ipynb", "1 / 0\n")
    with pytest.raises(BuildError) as info:
        _run(project, monkeypatch)
    msg = str(info.value)
    assert "00_tiny.ipynb: cell 3" in msg and "ZeroDivisionError" in msg
    assert "last good report was left untouched" in msg
    assert (project.site / "index.html").read_text() == before
    assert (project.out / "failed" / "00_tiny.ipynb").exists()


def test_bad_data_stops_before_any_notebook(built: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = built
    _run(project, monkeypatch)
    before = (project.site / "index.html").read_text()
    executed = (project.out / "executed" / "00_tiny.ipynb").stat().st_mtime_ns
    claims = project.data / "claims.csv"
    claims.write_text(claims.read_text().replace("Capex guidance,54,", "Capex guidance,lots,"))
    with pytest.raises(
        BuildError,
        match=r"Data check failed \(no notebook was run\): .*claims.csv, row 2 "
        r"\(line 3\), column 'value': expected a number, got 'lots'",
    ):
        _run(project, monkeypatch, force=True)
    assert (project.out / "executed" / "00_tiny.ipynb").stat().st_mtime_ns == executed
    assert (project.site / "index.html").read_text() == before


def test_bad_parameter_stops_before_any_kernel(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(
        BuildError,
        match=r"Parameter check failed .*'factor' of 00_tiny: expected a value in "
        r"\[0, 10\], got 11",
    ):
        _run(project, monkeypatch, overrides=["factor=11"])
    assert not (project.out / "executed").exists()


def test_render_failure_keeps_last_site(built: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = built
    _run(project, monkeypatch)
    before = (project.site / "index.html").read_text()

    def broken(*a, **k):
        raise RuntimeError("pandoc exploded")

    monkeypatch.setattr("aicompute.pipeline.render.render", broken)
    with pytest.raises(
        BuildError, match="Render failed; the last good report was left untouched: pandoc exploded"
    ):
        build_mod.build(project, jobs=1, force=True, log=lambda s: None)
    assert (project.site / "index.html").read_text() == before
    assert not list(project.report.glob("_site.tmp-*"))


def test_without_quarto_notebooks_run_then_one_message(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from aicompute.pipeline import safety

    project.site.mkdir(parents=True)
    (project.site / "index.html").write_text(before := "<html>last good report</html>")
    safety.mark(project.site, safety.SITE_MARKER)  # as if an earlier build had made it
    monkeypatch.setattr("shutil.which", lambda name, *a, **k: None)  # no quarto on PATH
    monkeypatch.setattr("aicompute.pipeline.quarto.environment", lambda: project.root / "env")  # nor in .venv
    lines: list[str] = []
    with pytest.raises(BuildError) as info:
        build_mod.build(project, jobs=1, force=True, log=lines.append)
    msg = str(info.value)
    assert msg.startswith("Quarto not found on PATH nor in the project's environment. Quarto 1.9.36 or later "
                          "is needed")
    assert "the notebooks were executed and cached" in msg and "https://quarto.org" in msg
    assert "pip install quarto-cli" in msg and "environment.yml" in msg and "\n" not in msg  # one line
    assert any("00_tiny: executed" in line for line in lines)  # the notebooks did run
    assert (project.site / "index.html").read_text() == before  # nothing half-rendered
    assert not list(project.report.glob("_site.tmp-*")) and not (project.report / "00_tiny.ipynb").exists()


def test_render_key_hashes_content_under_relative_names(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    (project.out / "executed").mkdir(parents=True)
    shutil.copy2(project.notebooks / "00_tiny.ipynb", project.out / "executed" / "00_tiny.ipynb")
    executed = [project.out / "executed" / "00_tiny.ipynb"]
    key = build_mod._render_key(project, executed, "note", "quarto 1.10.18")
    assert key == build_mod._render_key(project, executed, "note", "quarto 1.10.18")
    assert key != build_mod._render_key(project, executed, "note", "quarto 1.10.19")
    # a moved copy of the project (same content) has the same key
    moved = Project(root=shutil.copytree(project.root, tmp_path.with_name(tmp_path.name + "-moved")))
    assert build_mod._render_key(moved, [moved.out / "executed" / "00_tiny.ipynb"], "note", "quarto 1.10.18") == key
    # what the render itself writes into report/ (the panel, title page, version section ...) leaves it alone,
    # or the first build after a render would render again
    for name in ("_summary.md", "_odds.svg", "_titlepage.yml", "_changelog.md"):
        (project.report / name).write_text("written by the render\n")
    assert build_mod._render_key(project, executed, "note", "quarto 1.10.18") == key
    (project.report / "extra.qmd").write_text("# Extra\n")
    assert build_mod._render_key(project, executed, "note", "quarto 1.10.18") != key


def test_render_key_follows_the_front_pages_git_sections(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The front page's change list and version come from git, not from a file the key hashes: a new commit
    (a new change list, a new HEAD) must re-render even when nothing else changed."""
    from aicompute import summary

    (project.out / "executed").mkdir(parents=True)
    executed = [project.notebooks / "00_tiny.ipynb"]
    monkeypatch.setattr(summary, "version", lambda: "0.1.0 (aaaaaaa)")
    monkeypatch.setattr(summary, "changelog", lambda limit=15: [("2026-12-06", "aaaaaaa", "first")])
    key = build_mod._render_key(project, executed, "note", "quarto")
    assert build_mod._render_key(project, executed, "note", "quarto") == key
    monkeypatch.setattr(summary, "changelog", lambda limit=15: [("2026-12-07", "bbbbbbb", "second"),
                                                               ("2026-12-06", "aaaaaaa", "first")])
    changed = build_mod._render_key(project, executed, "note", "quarto")
    assert changed != key
    monkeypatch.setattr(summary, "version", lambda: "0.1.0 (bbbbbbb)")  # a merge: same list, new HEAD
    assert build_mod._render_key(project, executed, "note", "quarto") not in (key, changed)


def test_moved_copy_keeps_its_cache_and_rebuilds_after_an_edit(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Cache records hold paths relative to the project: a copied checkout is up to date as copied, and an
    edit to a CSV in the copy re-executes the copy (not the original)."""
    _run(project, monkeypatch)
    record = (project.out / "cache" / "00_tiny.json").read_text()
    assert str(project.root) not in record
    copy = tmp_path_factory.mktemp("moved") / "checkout"
    shutil.copytree(project.root, copy)
    moved = Project(root=copy)
    assert _run(moved, monkeypatch)[0] == ["cached"]
    claims = moved.data / "claims.csv"
    claims.write_text(claims.read_text().replace("Capex guidance,54,", "Capex guidance,55,"))
    assert _run(moved, monkeypatch)[0] == ["executed"]
    assert json.loads((moved.out / "results" / "00_tiny.json").read_text())["scaled"]["value"] == 165.0
    assert _run(project, monkeypatch)[0] == ["cached"]  # the original is untouched


def test_chapter_reading_another_runs_after_it(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    _notebook(project.notebooks / "01_reader.ipynb",
              "from aicompute import results\nfrom aicompute.results import publish\n"
              "publish('doubled', 2 * results.value('00_tiny', 'scaled'), label='doubled')\n", reads=("00_tiny",))
    statuses, lines = _run(project, monkeypatch)
    assert statuses == ["executed", "executed"]
    assert json.loads((project.out / "results" / "01_reader.json").read_text())["doubled"]["value"] == 324.0
    # the reader's cache depends on the published result it read: a new upstream value re-runs it
    assert _run(project, monkeypatch)[0] == ["cached", "cached"]
    assert _run(project, monkeypatch, overrides=["00_tiny.factor=4"])[0] == ["executed", "executed"]
    assert json.loads((project.out / "results" / "01_reader.json").read_text())["doubled"]["value"] == 432.0


def test_a_checkout_run_by_another_checkouts_library_is_refused(project: Project) -> None:
    """A .venv copied from another checkout imports that checkout's library: the build says so."""
    (project.root / "lib" / "aicompute").mkdir(parents=True)
    with pytest.raises(BuildError, match=r"installed from .* not this checkout's .*Re-install it"):
        build_mod.build(project, jobs=1, log=lambda s: None)


def test_project_is_found_from_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from aicompute import paths

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "datapackage.json").write_text("{}")
    (tmp_path / "notebooks" / "deep").mkdir(parents=True)
    monkeypatch.setenv("AICOMPUTE_ROOT", str(ROOT))  # no environment variable names the project
    assert paths.find_root(tmp_path / "notebooks" / "deep") == tmp_path.resolve()


# --- issue 14: failed copies, site marker, interruptions ---

def test_failed_copies_are_cleared_when_the_notebook_succeeds(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    failed = project.out / "failed"

    def old_failure() -> None:  # what a failed run leaves (see test_failing_cell_names_notebook_and_cell_and_keeps_site)
        failed.mkdir(parents=True, exist_ok=True)
        for name in ("00_tiny.ipynb", "00_tiny.stderr", "99_other.ipynb"):
            (failed / name).write_text("{}")

    old_failure()
    assert _run(project, monkeypatch)[0] == ["executed"]
    assert sorted(p.name for p in failed.iterdir()) == ["99_other.ipynb"]
    old_failure()
    assert _run(project, monkeypatch)[0] == ["cached"]  # a cached success clears them too
    assert sorted(p.name for p in failed.iterdir()) == ["99_other.ipynb"]


def test_the_build_marks_what_it_creates(project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from aicompute.pipeline import safety

    elsewhere = Project(root=project.root, site_dir=tmp_path / "published" / "site", build_dir=tmp_path / "b")
    _run(elsewhere, monkeypatch)
    assert (elsewhere.site / safety.SITE_MARKER).exists() and (elsewhere.out / safety.BUILD_MARKER).exists()
    (elsewhere.site / "index.html").write_text("stale")  # no longer matches the site's manifest
    _run(elsewhere, monkeypatch)  # its own site: replaced
    assert (elsewhere.site / "index.html").read_text() == "<html>00_tiny.ipynb</html>"
    assert not (elsewhere.out / "build.lock.owner").exists()  # both locks released
    assert not (project.root / "build" / "report.lock.owner").exists()


def test_ctrl_c_while_rendering_keeps_the_last_site(built: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project = built
    _run(project, monkeypatch)
    before = (project.site / "index.html").read_text()

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr("aicompute.pipeline.render.render", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_mod.build(project, jobs=1, force=True, log=lambda s: None)
    assert (project.site / "index.html").read_text() == before
    assert not list(project.report.glob("_site.tmp-*")) and not list(project.out.glob("run-*"))
    monkeypatch.setattr("aicompute.pipeline.render.render", fake_render)
    assert [o.status for o in build_mod.build(project, jobs=1, log=lambda s: None)] == ["cached"]  # lock released


def test_ctrl_c_prints_one_line(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_mod, "build", interrupted)
    assert build_mod.main(["--no-render"]) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Interrupted: build stopped; the last good report (") \
        and "was left untouched" in err


SLEEPER = """
import os, pathlib, time
pathlib.Path(os.environ["KERNEL_PID_FILE"]).write_text(str(os.getpid()))
time.sleep(secs)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/status").exists() or "zombie" not in Path(f"/proc/{pid}/status").read_text()


def _start_and_wait_for_kernel(project: Project, tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """Start `python -m aicompute build` on the tiny project; return once its notebook is running."""
    _notebook(project.notebooks / "00_tiny.ipynb", SLEEPER, params='as_of = "2026-11-28"\nsecs = 60  # [0, 100]\n')
    (project.report / "params" / "default.yaml").write_text("all: {}\n")
    pid_file = tmp_path / "kernel.pid"
    env = {**os.environ, "KERNEL_PID_FILE": str(pid_file)}
    proc = subprocess.Popen([sys.executable, "-m", "aicompute", "build", "--jobs", "1"], cwd=project.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not (pid_file.exists() and pid_file.read_text()):
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        time.sleep(0.2)
    return proc, int(pid_file.read_text())


def _gone(pid: int, seconds: float = 15) -> bool:
    deadline = time.time() + seconds
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.2)
    return not _alive(pid)


@pytest.mark.parametrize("how", ["Ctrl-C (the whole process group)", "SIGINT to the build only", "SIGTERM"])
def test_interrupted_build_stops_cleanly(project: Project, tmp_path: Path, how: str) -> None:
    from aicompute.pipeline import safety

    safety.mark(project.site, safety.SITE_MARKER)
    (project.site / "index.html").write_text("last good")
    proc, kernel = _start_and_wait_for_kernel(project, tmp_path)
    t0 = time.time()
    if how.startswith("Ctrl-C"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT if "SIGINT" in how else signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert time.time() - t0 < 20  # the 60-second notebook was not waited for
    assert proc.returncode == 130, err
    assert err.count("\n") == 1 and err.startswith("Interrupted: build stopped;"), err
    assert (project.site / "index.html").read_text() == "last good"
    assert not list(project.out.glob("run-*")) and not (project.out / "executed").exists()
    assert not (project.root / "build" / "build.lock.owner").exists()  # the lock was released
    assert _gone(kernel), "the notebook's kernel outlived the build"


def test_killed_build_leaves_nothing_that_blocks_the_next(project: Project, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from aicompute.pipeline import safety

    safety.mark(project.site, safety.SITE_MARKER)
    (project.site / "index.html").write_text("last good")
    proc, kernel = _start_and_wait_for_kernel(project, tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert f"pid {proc.pid}," in (project.root / "build" / "build.lock.owner").read_text()  # a stale lock
    assert list(project.out.glob("run-*"))  # and the dead build's scratch folder
    assert _gone(kernel), "the notebook's kernel outlived the killed build"
    assert (project.site / "index.html").read_text() == "last good"
    monkeypatch.setenv("KERNEL_PID_FILE", str(tmp_path / "kernel2.pid"))
    statuses, lines = _run(project, monkeypatch, overrides=["secs=0"])
    assert statuses == ["executed"] and not list(project.out.glob("run-*"))
    assert (project.site / "index.html").read_text() == "<html>00_tiny.ipynb</html>"


def _stopped(proc, timeout: float = 15.0) -> bool:
    """``proc`` (a pool worker) has exited within ``timeout``. ``is_alive`` is asked again until then: it can say
    True for a moment after the process died, when the pool's own thread reaped it first (both wait on the same
    pid; the loser's ``waitpid`` fails with ECHILD before the winner has recorded the exit code). Seen under load:
    a worker killed by SIGTERM (exit code -15, no /proc entry) reported alive once."""
    deadline = time.monotonic() + timeout
    while True:
        proc.join(0.2)
        if not proc.is_alive():
            return True
        if time.monotonic() > deadline:
            return False


def test_builds_in_one_process_share_their_workers_and_an_interrupt_stops_them(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second build in the same process runs in the first one's worker (no new process), yet its kernel sees the
    environment as it is at the second build; an interrupted build stops that worker and the next starts a new one."""
    _notebook(project.notebooks / "00_tiny.ipynb", "import os\nfrom aicompute.results import publish\n"
              "publish('mark', float(os.environ['AICOMPUTE_TEST_MARK']), label='mark')\n")
    mark = lambda: json.loads((project.out / "results" / "00_tiny.json").read_text())["mark"]["value"]  # noqa: E731
    monkeypatch.setenv("AICOMPUTE_TEST_MARK", "1")
    assert _run(project, monkeypatch, force=True)[0] == ["executed"] and mark() == 1
    workers = list(build_mod._WORKERS[1]._processes.values())
    monkeypatch.setenv("AICOMPUTE_TEST_MARK", "2")
    assert _run(project, monkeypatch, force=True)[0] == ["executed"] and mark() == 2
    assert list(build_mod._WORKERS[1]._processes.values()) == workers

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_mod, "_store", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _run(project, monkeypatch, force=True)
    assert 1 not in build_mod._WORKERS
    for proc in workers:
        assert _stopped(proc), "a worker outlived the interrupted build"
    monkeypatch.undo()
    monkeypatch.setenv("AICOMPUTE_TEST_MARK", "3")
    assert _run(project, monkeypatch, force=True)[0] == ["executed"] and mark() == 3
    assert not set(build_mod._WORKERS[1]._processes.values()) & set(workers)


def test_a_failed_chapter_skips_its_readers_and_the_rest_still_run(project: Project,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _notebook(project.notebooks / "00_tiny.ipynb", "1 / 0\n")
    _notebook(project.notebooks / "01_reader.ipynb", "from aicompute import results\nresults.value('00_tiny', 'x')\n",
              reads=("00_tiny",))
    _notebook(project.notebooks / "02_alone.ipynb", "x = factor\n")
    with pytest.raises(BuildError) as info:
        _run(project, monkeypatch)
    msg = str(info.value)
    assert "00_tiny.ipynb: cell" in msg and "01_reader.ipynb: not run, it reads the results of 00_tiny" in msg
    assert (project.out / "executed" / "02_alone.ipynb").exists()  # an independent chapter still ran


def test_editing_any_book_file_re_renders_and_re_executes_nothing(tmp_path: Path) -> None:
    """Each file of the real book (and of the data package, which the site's downloads copy) is part of the
    render key; none of them is part of a notebook's key."""
    from aicompute.pipeline import deps

    project = build_mod.copy_sources(tmp_path / "copy")
    executed = sorted(project.notebooks.glob("*.ipynb"))
    nb_keys = {nb.stem: deps.notebook_key(nb, {}, tools={"python": "3"}) for nb in executed}
    key = build_mod._render_key(project, executed, "note", "quarto")
    book = [p for p in sorted(project.report.rglob("*"))  # less what the render itself writes
            if p.is_file() and p.name not in build_mod.RENDER_WRITES]
    book += sorted(project.data.glob("*.csv"))[:3]
    assert len(book) >= 5
    for path in book:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert build_mod._render_key(project, executed, "note", "quarto") != key, path.name
        assert {nb.stem: deps.notebook_key(nb, {}, tools={"python": "3"}) for nb in executed} == nb_keys
        path.write_bytes(original)
    assert build_mod._render_key(project, executed, "note", "quarto") == key
