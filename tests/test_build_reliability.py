"""Reliability battery (issue 23, cases 2, 3, 5 and 8): the build never loses the last good site, never calls
a damaged or stale site or cache "up to date", never takes a user's folder for its own, and stops cleanly on
interrupts, kills, read-only folders and full disks. Each case failed on the main of 2026-12-06.

Tiny project (one chapter, synthetic data), executed once per session (shared by the xdist workers) and copied
per case; Quarto is replaced by a fake renderer (in-process cases) or a fake ``quarto`` script (the signal cases),
so no case renders. The cases whose build re-executes the chapter start a kernel, and the signal cases start a build
process of their own: they are marked ``slow``."""

from __future__ import annotations

import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from aicompute.pipeline import build as build_mod
from aicompute.pipeline import safety
from aicompute.pipeline.build import BuildError, Project
from conftest import once_per_session, tiny_package

ROOT = Path(__file__).resolve().parents[1]

BODY = """
from aicompute import data
from aicompute.results import publish
publish("scaled", data.claim("capex_2026").value * factor, label="scaled capex")
"""


def _tiny(root: Path) -> Project:
    tiny_package(root / "data")
    (root / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('as_of = "2026-11-28"\nfactor = 2  # [0, 10]\n')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny chapter"), params, nbformat.v4.new_code_cell(BODY)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "notebooks" / "00_tiny.ipynb")
    (root / "report" / "params").mkdir(parents=True)
    (root / "report" / "params" / "default.yaml").write_text("all: {}\n")
    (root / "report" / "chapters.yml").write_text(
        "chapters:\n  - {file: 00_tiny.ipynb, number: '1', name: c0, title: Tiny chapter, reads: []}\n")
    return Project(root=root)


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The tiny project with its chapter executed once per session (build/ holds the cache every case starts
    from): under xdist the workers share the session's base folder, and the first one builds it."""
    def make(root: Path) -> None:
        project = _tiny(root)
        mp = pytest.MonkeyPatch()
        mp.setenv("AICOMPUTE_ROOT", str(root))
        try:
            build_mod.build(project, jobs=1, render=False, log=lambda s: None)
        finally:
            mp.undo()

    return once_per_session(tmp_path_factory, worker_id, "reliability-tiny", make)


@pytest.fixture
def project(executed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    root = tmp_path / "proj"
    shutil.copytree(executed, root, symlinks=True)
    monkeypatch.setenv("AICOMPUTE_ROOT", str(root))
    return Project(root=root)


RENDERS: list[str] = []


def fake_render(report_dir: Path, chapters: list[Path], out_dir: Path, log: Callable[[str], None] = print) -> str:
    RENDERS.append(str(out_dir))
    (out_dir / "index.html").write_text(f"<html>render {len(RENDERS)} of data {_data_hash(report_dir.parent)}</html>")
    (out_dir / "01_tiny.html").write_text("<html>a chapter</html>")
    return "quarto 1.10.18"


def _data_hash(root: Path) -> str:
    import hashlib

    return hashlib.sha256((root / "data" / "claims.csv").read_bytes()).hexdigest()[:16]


def _build(project: Project, monkeypatch: pytest.MonkeyPatch, **kw) -> tuple[list[str], list[str]]:
    """One build with the fake renderer; returns (statuses, log lines)."""
    monkeypatch.setattr("aicompute.pipeline.render.render", fake_render)
    monkeypatch.setattr("aicompute.pipeline.render.find_quarto", lambda: ("quarto", (1, 10, 18)))
    monkeypatch.setattr("aicompute.summary.write_summary", lambda *a, **k: "")
    lines: list[str] = []
    out = build_mod.build(project, jobs=1, log=lines.append, **kw)
    return [o.status for o in out], lines


def _rendered(lines: list[str]) -> bool:
    return any(line.startswith("Rendered with") for line in lines)


def _up_to_date(lines: list[str]) -> bool:
    return any(line.startswith("Report up to date") for line in lines)


# ------------------------------------------------------------------------------------------------
# case 2: a lost site
# ------------------------------------------------------------------------------------------------

def _other_filesystem() -> Path | None:
    for candidate in (Path("/dev/shm"), Path("/run/user") / str(os.getuid())):
        if candidate.is_dir() and os.access(candidate, os.W_OK) \
                and os.stat(candidate).st_dev != os.stat(tempfile.gettempdir()).st_dev:
            return candidate
    return None


def test_case2_site_on_another_filesystem_is_swapped_in_not_lost(project: Project,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    other = _other_filesystem()
    if other is None:
        pytest.skip("no second filesystem here (/dev/shm)")
    site = Path(tempfile.mkdtemp(prefix="aicompute-test-", dir=other)) / "site"
    try:
        published = Project(root=project.root, site_dir=site)
        assert _rendered(_build(published, monkeypatch)[1])
        first = (site / "index.html").read_text()
        assert not safety.site_problem(site)
        _book_edit(project)
        _build(published, monkeypatch)  # a second run (a re-render) replaces it: never an empty target
        assert (site / "index.html").read_text() != first and not safety.site_problem(site)
        assert sorted(p.name for p in site.parent.iterdir()) == ["site"]  # no .old / .new left beside it
    finally:
        shutil.rmtree(site.parent, ignore_errors=True)


SWAP_FAULTS = {
    "renaming the new site in fails": "rename-new",
    "the swapped-in site does not verify": "verify",
    "interrupted between the two renames": "interrupt",
}


@pytest.mark.parametrize("fault", list(SWAP_FAULTS), ids=list(SWAP_FAULTS))
def test_case2_a_failed_swap_keeps_the_last_good_site(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                       fault: str) -> None:
    _build(project, monkeypatch)
    good = (project.site / "index.html").read_text()
    how = SWAP_FAULTS[fault]
    real_rename, real_problem = Path.rename, safety.site_problem
    calls = {"n": 0}

    def rename(self: Path, target: Path) -> Path:
        if Path(target) == project.site and self.name.startswith(f".{project.site.name}.new-"):
            if how == "rename-new":
                raise OSError(errno.EXDEV, "Invalid cross-device link", str(self))
            if how == "interrupt":
                raise KeyboardInterrupt
        return real_rename(self, target)

    def problem(site: Path, key: str | None = None) -> str:
        if how == "verify" and Path(site) == project.site and key is None:
            calls["n"] += 1
            return "index.html in it was changed or damaged since it was rendered"
        return real_problem(site, key)

    monkeypatch.setattr(Path, "rename", rename)
    monkeypatch.setattr(safety, "site_problem", problem)
    _book_edit(project)  # a re-render (no kernel): the swap is what fails
    with pytest.raises((BuildError, KeyboardInterrupt)):
        _build(project, monkeypatch)
    monkeypatch.setattr(Path, "rename", real_rename)
    monkeypatch.setattr(safety, "site_problem", real_problem)
    assert (project.site / "index.html").read_text() == good
    assert not real_problem(project.site)
    assert sorted(p.name for p in project.report.iterdir() if p.name.startswith(("_site", "._site"))) == ["_site"]


def test_case2_a_build_killed_between_the_renames_gets_the_old_site_back(project: Project,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    _build(project, monkeypatch)
    good = (project.site / "index.html").read_text()
    aside = project.report / "._site.old-x1y2"
    project.site.rename(aside)  # what a SIGKILL between the two renames leaves
    statuses, lines = _build(project, monkeypatch)
    assert (project.site / "index.html").read_text() == good and not aside.exists()
    assert _up_to_date(lines)  # restored whole: nothing to re-render


# ------------------------------------------------------------------------------------------------
# case 3: a stale "up to date"
# ------------------------------------------------------------------------------------------------

def _edit_data(p: Project) -> None:
    claims = p.data / "claims.csv"
    claims.write_text(claims.read_text().replace("Capex guidance,54,", "Capex guidance,55,"))


def _preview_then_default(p: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A --site preview of edited data, then the default build (issue 23: it said "up to date")."""
    _build(Project(root=p.root, site_dir=p.root / "preview"), monkeypatch)


DAMAGES: dict[str, tuple[Callable[[Project, pytest.MonkeyPatch], None], str]] = {
    "--site preview of edited data, then make report": (_preview_then_default, "render"),
    "a page deleted": (lambda p, m: (p.site / "01_tiny.html").unlink(), "render"),
    "a page edited": (lambda p, m: (p.site / "index.html").write_text("<html>old odds 6%</html>"), "render"),
    "a page truncated": (lambda p, m: (p.site / "01_tiny.html").write_bytes(b"<ht"), "render"),
    "the manifest corrupt": (lambda p, m: (p.site / safety.MANIFEST).write_text("{"), "render"),
    "the manifest deleted": (lambda p, m: (p.site / safety.MANIFEST).unlink(), "render"),
    "executed notebook truncated": (lambda p, m: (p.out / "executed" / "00_tiny.ipynb").write_text('{"cells": ['),
                                    "execute"),
    "results json corrupt": (lambda p, m: (p.out / "results" / "00_tiny.json").write_text("{\"scaled\": "),
                             "execute"),
    "results json deleted": (lambda p, m: (p.out / "results" / "00_tiny.json").unlink(), "execute"),
    "cache record []": (lambda p, m: (p.out / "cache" / "00_tiny.json").write_text("[]"), "execute"),
    "cache record null": (lambda p, m: (p.out / "cache" / "00_tiny.json").write_text("null"), "execute"),
}


def _kernel_if(cases: dict, starts_kernel: Callable[[str], bool]) -> list:
    """The parametrize cases, those whose build re-executes the chapter (a kernel) marked ``slow``."""
    return [pytest.param(c, id=c, marks=[pytest.mark.slow] if starts_kernel(c) else []) for c in cases]


@pytest.mark.parametrize("damage", _kernel_if(DAMAGES, lambda d: DAMAGES[d][1] == "execute"
                                              or d.startswith("--site preview")))
def test_case3_damaged_or_stale_outputs_are_rebuilt_never_trusted(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                                   damage: str) -> None:
    apply, expect = DAMAGES[damage]
    _build(project, monkeypatch)
    assert _up_to_date(_build(project, monkeypatch)[1])  # the baseline: a second build does nothing
    if damage.startswith("--site preview"):
        _edit_data(project)
    apply(project, monkeypatch)
    statuses, lines = _build(project, monkeypatch)
    assert not _up_to_date(lines), lines
    assert statuses == (["executed"] if expect == "execute" else ["cached"])
    assert _rendered(lines) and not safety.site_problem(project.site)
    if damage.startswith("--site preview"):  # report/_site now shows the edited data
        assert f"of data {_data_hash(project.root)}</html>" in (project.site / "index.html").read_text()
    assert _up_to_date(_build(project, monkeypatch)[1])  # and then it is up to date again


def test_case3_the_build_after_a_render_is_up_to_date(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """The render writes the front page's files into report/ (the summary, and the real writers' title page
    lines and changelog, as :func:`aicompute.summary.write_summary` does): the next build is "up to date". It
    re-rendered every page (83 s): those files did not exist yet when the first render's key was taken."""
    from aicompute import summary

    def front_page(results: Path, chapters: list[Path], target: Path, note: str = "", data_folder=None) -> str:
        Path(target).write_text("the front page's summary", encoding="utf-8")  # (the tiny chapter has no headlines)
        summary.write_titlepage(Path(target).with_name(summary.TITLEPAGE), "2026-11-28", "2026-07-04")
        summary.write_changelog(Path(target).with_name(summary.CHANGELOG))
        return ""

    monkeypatch.setattr("aicompute.pipeline.render.render", fake_render)
    monkeypatch.setattr("aicompute.pipeline.render.find_quarto", lambda: ("quarto", (1, 10, 18)))
    monkeypatch.setattr(summary, "write_summary", front_page)
    lines: list[str] = []
    build_mod.build(project, jobs=1, log=lines.append)
    assert _rendered(lines)
    written = [name for name in (summary.TITLEPAGE, summary.CHANGELOG) if (project.report / name).is_file()]
    assert written == [summary.TITLEPAGE, summary.CHANGELOG] and set(written) <= set(build_mod.RENDER_WRITES)
    lines.clear()
    build_mod.build(project, jobs=1, log=lines.append)
    assert _up_to_date(lines), lines


# ------------------------------------------------------------------------------------------------
# case 5: guesses that delete user files
# ------------------------------------------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _user_folder_with_cache(p: Project) -> tuple[dict, Path]:
    mine = p.root / "mine"
    for rel in ("cache/notes.txt", "run-2024/results.csv", "run-final/thesis.tex"):
        (mine / rel).parent.mkdir(parents=True, exist_ok=True)
        (mine / rel).write_text("a user's work")
    return {"build_dir": mine}, mine


def _user_site_lookalike(p: Project) -> tuple[dict, Path]:
    mine = p.root / "published"
    (mine / "downloads").mkdir(parents=True)
    (mine / "index.html").write_text("<html>my own homepage</html>")
    (mine / "downloads" / "aicompute-data-package.zip").write_bytes(b"PK")
    (mine / "notes.md").write_text("my notes")
    return {"site_dir": mine}, mine


GUESSES = {
    "a --build-dir holding cache/ and run-* folders": (_user_folder_with_cache, "--build-dir"),
    "a --site holding index.html and a downloads zip beside notes": (_user_site_lookalike, "--site"),
}


@pytest.mark.parametrize("case", list(GUESSES), ids=list(GUESSES))
def test_case5_no_folder_is_taken_for_the_builds_by_its_contents(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                                  case: str) -> None:
    make, option = GUESSES[case]
    kw, folder = make(project)
    before = _snapshot(folder)
    with pytest.raises(BuildError, match=rf"^{option} .*was not created by the build \(no \.aicompute-"):
        _build(Project(root=project.root, **kw), monkeypatch)
    assert _snapshot(folder) == before


def test_case5_only_marked_scratch_folders_are_cleaned(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """Leftovers are recognised by the marker, not by their name: a user's ``run-*``, ``_site.tmp-*`` or a
    folder named like the old site stays."""
    users = [project.out / "run-my-notes", project.report / "_site.tmp-mine", project.report / "_site.old",
             project.report / "._site.old-mine"]
    for folder in users:
        folder.mkdir()
        (folder / "keep.txt").write_text("keep")
    dead = [project.out / "run-dead1", project.report / "_site.tmp-dead2", project.report / "._site.new-dead3"]
    for folder in dead:
        safety.mark(folder, safety.BUILD_MARKER if folder.name.startswith("run") else safety.SITE_MARKER)
    _build(project, monkeypatch)
    assert all((f / "keep.txt").read_text() == "keep" for f in users)
    assert not any(f.exists() for f in dead)


# ------------------------------------------------------------------------------------------------
# case 8: faults
# ------------------------------------------------------------------------------------------------

def test_case8_build_dir_inside_the_site_is_refused(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    _build(project, monkeypatch)
    before = _snapshot(project.site)
    for inside in (project.site / "build", project.site):
        with pytest.raises(BuildError, match=r"^--build-dir .*refusing.*inside\) the site folder"):
            _build(Project(root=project.root, build_dir=inside), monkeypatch)
    assert _snapshot(project.site) == before


def _oserror(code: int) -> Callable[..., None]:
    def fail(*a: object, **k: object) -> None:
        raise OSError(code, os.strerror(code), "/x/build/executed/00_tiny.ipynb")
    return fail


WRITE_FAULTS = {
    "read-only build folder": (errno.EROFS, "aicompute.pipeline.safety.mark", "the file system is read-only"),
    "permission denied": (errno.EACCES, "aicompute.pipeline.safety.mark", "permission denied"),
    "disk full while storing a notebook": (errno.ENOSPC, "aicompute.pipeline.build._store",
                                           "no space left on the device"),
    "disk full while rendering": (errno.ENOSPC, "aicompute.pipeline.build._add_downloads",
                                  "no space left on the device"),
}


@pytest.mark.parametrize("fault", _kernel_if(WRITE_FAULTS, lambda f: f == "disk full while storing a notebook"))
def test_case8_read_only_and_disk_full_print_one_line(project: Project, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], fault: str) -> None:
    code, where, phrase = WRITE_FAULTS[fault]
    _build(project, monkeypatch)
    good = _snapshot(project.site)
    monkeypatch.setattr(where, _oserror(code))
    if where.endswith("_add_downloads"):
        _book_edit(project)  # a re-render, no kernel
        again = []
    else:
        again = ["--force"]
    assert build_mod.main(["--project", str(project.root), *again, "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("BUILD FAILED:") and "Traceback" not in err, err
    assert phrase in err and "/x/build/executed/00_tiny.ipynb" in err and "left untouched" in err
    assert _snapshot(project.site) == good


FAKE_QUARTO = """#!/bin/sh
case "$1" in
  --version) echo 1.10.18; exit 0;;
  --paths) echo /nonexistent; echo /nonexistent; exit 0;;
esac
echo "quarto $$" >> "$FAKE_QUARTO_PIDS"
sleep 120 &
echo "child $!" >> "$FAKE_QUARTO_PIDS"
wait
"""

#: the build, with the front page stubbed (the tiny chapter publishes no headlines) and no staging (the tiny
#: project has no _quarto.yml): what runs is the real render_formats with the fake Quarto
BUILD = ("import sys; import aicompute.summary as s; s.write_summary = lambda *a, **k: ''; "
         "import aicompute.pipeline.render as r; r.stage = lambda *a, **k: {}; "
         "from aicompute.pipeline import build; sys.exit(build.main(sys.argv[1:]))")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or not re.search(r"State:\s+Z", status.read_text())


def _pids(pids: Path, kind: str = "") -> list[int]:
    return [int(line.split()[1]) for line in pids.read_text().splitlines() if line.startswith(kind)]


def _book_edit(p: Project) -> None:
    """A change to a file of report/: a re-render, no notebook re-executed."""
    (p.report / "extra.qmd").write_text("# Extra\n")


def _rendering(project: Project, tmp_path: Path) -> tuple[subprocess.Popen, Path]:
    """Start a build whose (fake) Quarto hangs; return once both renders (HTML, PDF) are running."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "quarto").write_text(FAKE_QUARTO)
    (fake / "quarto").chmod(0o755)
    pids = tmp_path / "quarto.pids"
    env = {**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "FAKE_QUARTO_PIDS": str(pids),
           "AICOMPUTE_ROOT": str(project.root), "TMPDIR": str(tmp_path)}
    # Ctrl-C as at a terminal: SIGINT at its default in the build even when the test process ignores it (a process
    # that started a kernel in this worker may have; an ignored SIGINT is inherited, and Python then keeps ignoring it)
    proc = subprocess.Popen([sys.executable, "-c", BUILD, "--project", str(project.root), "--jobs", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 120
    while not (pids.exists() and len(pids.read_text().splitlines()) >= 4):
        assert proc.poll() is None and time.time() < deadline, proc.communicate()
        time.sleep(0.1)
    return proc, pids


#: The signal cases are integration tests of a whole build process: each starts a fresh interpreter that imports and
#: runs the build (about 3 CPU s, mostly imports) and a fake Quarto, so they run in ``make test``, not the fast tier.
SIGNAL_CASE = pytest.mark.slow


@SIGNAL_CASE
@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT", "Ctrl-C (the whole process group)"])
def test_case8_an_interrupt_stops_the_render_within_5_s(project: Project, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    _build(project, monkeypatch)
    good = _snapshot(project.site)
    _book_edit(project)
    proc, pids = _rendering(project, tmp_path)
    t0 = time.time()
    if how.startswith("Ctrl-C"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(getattr(signal, how))
    out, err = proc.communicate(timeout=60)
    took = time.time() - t0
    assert took < 5, f"stopping took {took:.1f} s"
    assert proc.returncode == 130 and err.startswith("Interrupted: build stopped;"), err
    assert not [p for p in _pids(pids) if _alive(p)], "Quarto outlived the build"
    assert not list(tmp_path.glob("aicompute-pdf-*")) and not list(project.report.glob("_site.tmp-*"))
    assert _snapshot(project.site) == good


@SIGNAL_CASE
def test_case8_a_killed_render_is_cleaned_up(project: Project, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _build(project, monkeypatch)
    _book_edit(project)
    proc, pids = _rendering(project, tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    quarto_pids = _pids(pids)
    time.sleep(0.5)
    assert not [p for p in _pids(pids, "quarto") if _alive(p)], "Quarto itself outlived a SIGKILLed build"
    assert list(tmp_path.glob("aicompute-pdf-*"))  # the killed build's temporary copy of report/
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    statuses, lines = _build(project, monkeypatch)  # the next build clears what the killed one left
    assert statuses == ["cached"] and _rendered(lines)
    deadline = time.time() + 5
    while any(_alive(p) for p in quarto_pids) and time.time() < deadline:
        time.sleep(0.1)
    assert not [p for p in quarto_pids if _alive(p)], "what the killed build's Quarto started still runs"
    assert not list(tmp_path.glob("aicompute-pdf-*")) and not list(project.report.glob("_site.tmp-*"))


def test_case8_readme_monte_carlo_figures_are_within_the_parameter_ranges() -> None:
    """The README promised ``n_paths=1000000`` while the parameter's range stopped at 400,000."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    nb = nbformat.read(ROOT / "notebooks" / "05_scenarios.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    ranges = {name: (float(lo), float(hi)) for name, lo, hi in
              re.findall(r"^(\w+)\s*=[^#\n]*#\s*\[([\d.e+_]+),\s*([\d.e+_]+)\]", cell.source, re.M)}
    cap = max(hi for name, (lo, hi) in ranges.items() if name.endswith("paths"))
    for name, n in re.findall(r"`(\w*paths)=([\d,_]+)`", readme):
        low, high = ranges[name]
        assert low <= int(n.replace(",", "").replace("_", "")) <= high, (name, n, ranges[name])
    counts = [int(n.replace(",", "")) for n in re.findall(r"\b(\d[\d,]*) paths\b", readme)]
    assert counts and all(n <= cap for n in counts), (counts, cap)
