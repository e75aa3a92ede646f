"""Shared fixtures: a small synthetic copy of the data package (real schema, tiny rows), and the report
built as ``make report`` builds it, once per session (:func:`report`).

Three tiers: ``make test`` runs everything but the hostile build; ``make test-fast`` (``pytest -m "not slow"``) leaves out every test
marked ``slow``: those that start a kernel or Quarto. A test is marked here, without editing it, when it uses
one of :data:`SLOW_FIXTURES` or lives in one of :data:`KERNEL_MODULES` (modules whose tests build tiny
projects or execute notebooks); a test elsewhere that starts a kernel marks itself ``@pytest.mark.slow``.
``make test-hostile`` (CI runs it after ``make test``) runs the tests marked ``hostile``: they build a second,
hostile report (payloads planted in every text field; several minutes), so a plain ``pytest`` skips them unless
``AICOMPUTE_HOSTILE=1``: ``make test`` keeps to one report build. ``make test-browser`` (CI runs it too) runs
the tests that drive Chromium over the built site (:data:`BROWSER_FIXTURES`: the reader checks with axe-core, the
offline-drawing check, the dials): several minutes on the long appendix pages, so a plain ``pytest`` skips them
unless ``AICOMPUTE_BROWSER=1``.
"""

from __future__ import annotations

import aicompute  # noqa: F401  (first, before nbformat: skips rfc3987_syntax, ~2 CPU s per process)

# isort: split
import csv
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from filelock import FileLock

from conftest_fast import shared_frictionless_verdicts  # noqa: F401  (the fast tier's shared session fixtures)

if TYPE_CHECKING:  # imported where used: xdist's controller loads this file before it starts the workers (~1 CPU s)
    import nbformat

    from aicompute.pipeline.build import Project

ROOT = Path(__file__).resolve().parents[1]

#: Fixtures that execute notebooks (the session's report build, the early as-of build).
SLOW_FIXTURES = {"report", "fast_build", "early"}
#: Test modules whose tests run builds or kernels throughout.
KERNEL_MODULES = {"test_pipeline", "test_failures", "test_inline", "test_notebooks", "test_pdf", "test_site"}


#: Under pytest-xdist (``make test``), the tests sharing one of these builds run on one worker, so each build
#: is made once, and the two builds run side by side on different workers.
BUILD_GROUPS = {"report": "report", "fast_build": "report", "early": "early"}
#: Fixtures that drive Chromium over the built site (the browser tier, ``make test-browser``).
BROWSER_FIXTURES = {"chromium", "browser"}
#: Modules whose tests reach a build without naming its fixture (test_reader asks for the report at run time).
MODULE_GROUPS = {"test_reader": "report"}
#: In the fast tier only: test_build_reliability's cases share one executed tiny project, built by the first worker
#: that needs it while any other waits on its lock (~5 s idle): one worker runs them all.
FAST_MODULE_GROUPS = {"test_build_reliability": "reliability"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives Chromium over the built site (make test-browser; CI runs it; "
                            "skipped otherwise)")


def _group(item: pytest.Item, group: str) -> None:
    """Put ``item`` in xdist group ``group``: the mark, and the ``@group`` suffix of its node id that ``--dist
    loadgroup`` schedules by. pytest-xdist 3.8 writes that suffix to ``item._nodeid``, which pytest 9.2 no longer
    reads (it keeps the id in ``item._id``): the groups were silently ignored, so both workers built the early as-of
    report and chapter 05's reruns their own. The suffix is written here where this pytest keeps it."""
    item.add_marker(pytest.mark.xdist_group(group))
    if not getattr(item.config.option, "loadgroup", False) or item.nodeid.endswith(f"@{group}"):
        return
    nodeid = f"{item.nodeid}@{group}"
    current = getattr(item, "_id", None)
    if current is not None and hasattr(type(current), "parse"):
        item._id = type(current).parse(nodeid)
    else:
        item._nodeid = nodeid


def _fast_tier(config: pytest.Config) -> bool:
    """This run is the fast tier (``-m "not slow"``, as ``make test-fast`` runs it)."""
    return (config.option.markexpr or "").strip() == "not slow"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fast tier (``-m "not slow"``) does not import :data:`KERNEL_MODULES`: every test in them is deselected
    anyway, and importing them (rewriting their asserts) costs each xdist worker CPU."""
    if _fast_tier(config) and collection_path.suffix == ".py" and collection_path.stem in KERNEL_MODULES:
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``slow`` the tests that start a kernel or Quarto (see the module docstring); group the tests of
    each shared build onto one xdist worker."""
    module_groups = {**MODULE_GROUPS, **(FAST_MODULE_GROUPS if _fast_tier(config) else {})}
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if getattr(item, "module", None) else ""
        fixtures = set(getattr(item, "fixturenames", ()))
        if module in KERNEL_MODULES or SLOW_FIXTURES & fixtures:
            item.add_marker(pytest.mark.slow)
        groups = sorted({BUILD_GROUPS[f] for f in fixtures & BUILD_GROUPS.keys()}
                        | ({module_groups[module]} if module in module_groups else set()))
        if groups:
            _group(item, groups[0])
        if item.get_closest_marker("hostile") and os.environ.get("AICOMPUTE_HOSTILE") != "1":
            item.add_marker(pytest.mark.skip(reason="a second, hostile report build: make test-hostile"))
        elif BROWSER_FIXTURES & fixtures and not item.get_closest_marker("hostile"):
            item.add_marker(pytest.mark.browser)
            if os.environ.get("AICOMPUTE_BROWSER") != "1":
                item.add_marker(pytest.mark.skip(reason="drives Chromium over the built site: make test-browser"))

SOURCES_HEADER = ["id", "title", "publisher", "author", "date", "url", "type", "accessed", "note"]
CLAIMS_HEADER = [
    "id",
    "chapter",
    "statement",
    "value",
    "low",
    "high",
    "unit",
    "as_of",
    "source_id",
    "basis",
    "seed_text",
    "seed_value",
    "verdict",
    "reason",
    "series",
    "period",
]
SOURCES = [
    [
        "src_a",
        "Company release A",
        "Company A",
        "",
        "2026-01-14",
        "https://example.com/a",
        "company",
        "2026-11-28",
        "",
    ],
    [
        "src_b",
        "Analyst note B",
        "Outlet B",
        "Jane Doe",
        "2025-11-24",
        "https://example.com/b",
        "analyst",
        "2026-11-28",
        "copy read at a syndication site",
    ],
]
CLAIMS = [
    [
        "site_gw",
        "infra",
        "Site power",
        "1.2",
        "",
        "",
        "GW",
        "2025-09-30",
        "src_a",
        "company statement",
        "1.2 GW campus",
        "1.2",
        "confirmed",
        "Company says 1.2 GW",
    ],
    [
        "capex_2026",
        "bubble",
        "Capex guidance",
        "54",
        "52",
        "56",
        "USD bn",
        "2026-01-15",
        "src_a",
        "company statement",
        "",
        "",
        "",
        "",
    ],
    [
        "share_now",
        "chips",
        "Market share",
        "80",
        "70",
        "90",
        "percent",
        "2025-11-01",
        "src_b",
        "analyst estimate",
        "about 80%",
        "80",
        "partly",
        "Range across analysts",
    ],
    [
        "growth",
        "finance",
        "Revenue growth",
        "-12.5",
        "",
        "",
        "percent change",
        "2026-06-30",
        "src_b",
        "reported",
        "",
        "",
        "",
        "",
    ],
]
CLAIMS = [[*row, "", ""] for row in CLAIMS]  # no series/period: one-off figures


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def quarto_tool(name: str) -> list[str]:
    """The command that runs ``name`` (pandoc, typst) as Quarto ships it: the binary next to Quarto, the one
    ``quarto pandoc`` runs, called directly (``quarto pandoc`` starts Quarto's own runtime first: ~1 CPU s a call);
    ``[quarto, name]`` where the binary is elsewhere. Skips the test without Quarto."""
    from aicompute.pipeline.quarto import which

    quarto = which()  # on PATH, else the one make venv installed
    if quarto is None:
        pytest.skip(f"Quarto (which brings {name}) is not installed")
    tools = Path(quarto).resolve().parent / "tools"
    found = sorted(tools.glob(f"*/{name}")) + sorted(tools.glob(name))
    return [str(found[0])] if found else [quarto, name]


def bench_line_counts():
    """``bench/prose_ratio.py``'s ``line_counts(nb)``: (markdown lines, code lines) as the bench counts them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("prose_ratio", ROOT / "bench" / "prose_ratio.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.line_counts


def tiny_package(folder: Path) -> Path:
    """Write a valid tiny data package into ``folder`` (made here): the real datapackage.json restricted to the
    two resources these synthetic rows fill (chapter datasets such as accelerators.csv are tested against the
    real data package), and the rows."""
    folder.mkdir(parents=True)
    descriptor = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] in ("sources", "claims")]
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    write_csv(folder / "sources.csv", SOURCES_HEADER, SOURCES)
    write_csv(folder / "claims.csv", CLAIMS_HEADER, CLAIMS)
    return folder


def once_per_session(factory: pytest.TempPathFactory, worker_id: str, name: str, make: Callable[[Path], None]) -> Path:
    """The folder ``name`` in the session's temporary base, made by ``make(folder)`` once per test session: under
    xdist the workers share the session's base folder, and the first one to get here makes it (the tiny
    projects the build tests copy, built once instead of once per test)."""
    base = factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    root, done = shared / name, shared / f"{name}.done"
    with FileLock(str(shared / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            make(root)
            done.touch()
    return root


@pytest.fixture
def pkg(tmp_path: Path) -> Path:
    """A valid tiny data package in tmp_path/data (real datapackage.json, synthetic rows)."""
    return tiny_package(tmp_path / "data")


# ------------------------------------------------------------------------------------------------
# The report, built as `make report` builds it, once per test session (notebook, site and PDF tests share it)
# ------------------------------------------------------------------------------------------------


@dataclass
class BuiltReport:
    """This project's report, built by the session as ``make report`` builds it."""

    project: Project
    log: list[str]
    rendered: bool  # False without Quarto: the notebooks ran, nothing was rendered
    skip_reason: str = ""

    @property
    def site(self) -> Path:
        return self.project.site

    def executed(self) -> dict[str, nbformat.NotebookNode]:
        import nbformat

        return {nb.stem: nbformat.read(self.project.out / "executed" / nb.name, as_version=4)
                for nb in self.project.chapters()}

    def results(self) -> dict[str, dict]:
        from aicompute.results import read_all

        stems = {nb.stem for nb in self.project.chapters()}
        return {k: v for k, v in read_all(self.project.out / "results").items() if k in stems}

    def need_site(self) -> Path:
        """The rendered site, or skip (or fail, with AICOMPUTE_REQUIRE_QUARTO=1 as in CI) without Quarto."""
        if not self.rendered:
            if os.environ.get("AICOMPUTE_REQUIRE_QUARTO") == "1":
                pytest.fail(self.skip_reason)
            pytest.skip(self.skip_reason)
        return self.site


@pytest.fixture(scope="session")
def report() -> BuiltReport:
    """``make report``'s build of this project (report/params/default.yaml into build/ and report/_site; the
    render skipped without Quarto): a no-op when the report is up to date, as after ``make report``; otherwise
    it executes what changed and re-renders, exactly as ``make report`` would. So the tests check the report a
    reader gets, and the README's order (``make report``, then ``make test``) builds it once. A failing build
    leaves the last good report as it was (the build's own guarantee) and fails every test that needs it with
    the build's message. Another build of this project running (``make report``): waits for it."""
    from aicompute.pipeline.build import RENDER_LOG, BuildError, Project, build
    from aicompute.pipeline.render import RenderError, find_quarto

    project = Project(root=ROOT)
    try:
        find_quarto()
        rendered, reason = True, ""
    except RenderError as exc:
        rendered, reason = False, f"site and PDF not rendered: {exc}"
    lines: list[str] = []
    try:
        build(project, render=rendered, wait=True, log=lines.append)
    except BuildError as exc:
        pytest.fail(f"The session's report build (what `make report` runs) failed; {project.site} was left as "
                    f"it was.\n{exc}\nBuild log:\n" + "\n".join(lines[-30:]), pytrace=False)
    render_log = project.out / RENDER_LOG
    if rendered and not any(line.startswith("Rendered with") for line in lines) and render_log.is_file():
        lines += render_log.read_text(encoding="utf-8").splitlines()  # the log of the render that made the site
    return BuiltReport(project, lines, rendered, reason)


@pytest.fixture(scope="session")
def fast_build(report: BuiltReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session build's registered chapters (executed/, results/, linked from build/) plus the front page's
    panel (summary.md), in a scratch folder: nothing is written into build/ or report/."""
    from aicompute import summary

    out = tmp_path_factory.mktemp("session-build")
    chapters = report.project.chapters()
    for sub, suffix in (("executed", ".ipynb"), ("results", ".json")):
        (out / sub).mkdir()
        for nb in chapters:
            source = report.project.out / sub / f"{nb.stem}{suffix}"
            if source.is_file():
                (out / sub / source.name).symlink_to(source)
    summary.write_summary(out / "results", [out / "executed" / nb.name for nb in chapters], out / "summary.md",
                          data_folder=report.project.data)
    return out


# ----------------------------------------------------------------------------- the scenario model's inputs
@pytest.fixture(scope="session")
def ev():
    """The real evidence as of the report's as-of date (chapter 05's tests). Session-wide, as are :func:`cal` and
    :func:`start` (frozen; each module built them again, ~0.6 CPU s): a test derives its variants, never edits them."""
    from aicompute import data

    return data.evidence()  # the as-of date of report/params/default.yaml


@pytest.fixture(scope="session")
def cal(ev):
    """Chapter 05's calibration table."""
    from aicompute.scenarios import model as sm

    return sm.Calibration.from_table(ev.table("scenario_drivers"))


@pytest.fixture(scope="session")
def start(ev, cal):
    """The scenario model's January 2026 start."""
    from aicompute.scenarios import start as st

    return st.start_2026(ev, cal)


# ------------------------------------------------------------------------------------------------ the fast tier
#: The folders of the checkout a fast-tier run must leave as they were: the build's own (what `make report`
#: reuses; a test that wrote into report/ made the next `make report` re-render every page). The sources (lib/,
#: data/, notebooks/ ...) are left out: you may be editing them while the tests run.
BUILD_FOLDERS = ("report", "build")


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    """{path: (size, mtime)} of every file under :data:`BUILD_FOLDERS` (a stat each: cheap)."""
    out = {}
    for top in BUILD_FOLDERS:
        for folder, _, files in os.walk(root / top):
            for name in files:
                path = os.path.join(folder, name)
                st = os.stat(path, follow_symlinks=False)
                out[os.path.relpath(path, root)] = (st.st_size, st.st_mtime_ns)
    return out


def _fast_tier_controller(config: pytest.Config) -> bool:
    return "not slow" in (config.option.markexpr or "") and not hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    if _fast_tier_controller(session.config):
        session.config.stash[_TREE] = _tree(ROOT)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The fast tier writes only in temporary folders: a file under report/ or build/ it created, changed or
    removed fails the run."""
    before = session.config.stash.get(_TREE, None)
    if before is None:
        return
    after = _tree(ROOT)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    if changed:
        session.config.get_terminal_writer().line(
            f"\nThe fast tier changed {len(changed)} file(s) of the checkout's report/ or build/ (tests write in "
            f"tmp_path): {', '.join(changed[:10])}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_TREE = pytest.StashKey[dict]()
