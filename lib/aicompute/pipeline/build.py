"""The build: validate data -> execute notebooks (papermill, cached, parallel) -> render -> swap in.

``python -m aicompute build`` (what ``make report`` runs):

1. Parameters: ``report/params/default.yaml`` (or ``--params FILE``) and ``-p name=value`` are checked
   against each notebook's ``parameters`` cell. A bad one stops the build before any kernel starts.
2. Data: every resource of ``data/datapackage.json`` is validated; a :class:`~aicompute.data.DataError`
   stops the build before any notebook runs.
3. Execute: each numbered notebook ``notebooks/NN_*.ipynb`` runs under papermill (``--jobs`` in
   parallel) into ``build/executed/``. A notebook is re-executed only when its own file, its
   parameters, the library source, or a data file **it read** (recorded by :mod:`aicompute.data`
   while it ran) has changed; otherwise the cached executed copy is reused.
4. Render: ``quarto render --no-execute`` (the HTML site and, in parallel, the PDF through typst;
   :mod:`aicompute.pipeline.render`) into a temporary folder, post-render checks (offline, every chart, the PDF),
   then a swap into ``report/_site`` that never loses the last good site (:func:`safety.swap_in`). Re-rendered only when the executed notebooks, the book's files or the renderer
   glue changed. Without Quarto the build stops after step 3 with one message saying how to install it.
   A failing build exits non-zero, names the notebook and cell, and leaves the last good report untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicompute import chapters as chapters_mod
from aicompute.context import RunContext
from aicompute.paths import LIB, ROOT
from aicompute.pipeline import deps, safety, tracking
from aicompute.pipeline import params as params_mod
from aicompute.pipeline.execute import execute_one

__all__ = ["Project", "BuildError", "build", "main", "execute_one", "copy_sources", "RENDER_LOG"]

#: The log of the render that made the current site, in the build folder (a no-op build shows it to the tests).
RENDER_LOG = "render.log"
#: Files the render writes into report/ (the front page's panel, the odds chart, the PDF's title page, the
#: version section, the Vega bundle): left out of scratch copies and of the render key, which is computed before
#: they are written (with them in, the first build after a render in a fresh clone rendered everything again).
RENDER_WRITES = frozenset({"_summary.md", "_odds.svg", "_titlepage.yml", "_changelog.md", "vega-bundle.js"})


class BuildError(RuntimeError):
    """A build step failed; the message says which and why."""


@dataclass(frozen=True)
class Project:
    """Where the build reads and writes. Defaults to this repository."""

    root: Path = ROOT
    build_dir: Path | None = None
    site_dir: Path | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def report(self) -> Path:
        return self.root / "report"

    @property
    def site(self) -> Path:
        return self.site_dir or (self.report / "_site")

    @property
    def out(self) -> Path:
        return self.build_dir or (self.root / "build")

    def registry(self) -> chapters_mod.Registry:
        """The chapter registry (report/chapters.yml)."""
        return chapters_mod.load(self.root)

    def chapters(self) -> list[Path]:
        """The registered notebooks, in book order; a notebook missing, or one not registered, is an error."""
        listed = [self.notebooks / c.file for c in self.registry()]
        missing = [p.name for p in listed if not p.is_file()]
        if missing:
            raise chapters_mod.RegistryError(f"{self.report / 'chapters.yml'} lists {missing}, not found in "
                                             f"{self.notebooks}")
        extra = sorted({p.name for p in self.notebooks.glob("[0-9][0-9]_*.ipynb")} - {p.name for p in listed})
        if extra:
            raise chapters_mod.RegistryError(f"{extra} in {self.notebooks} not registered in "
                                             f"{self.report / 'chapters.yml'} (`make new-chapter` registers one)")
        return listed


@dataclass
class Outcome:
    stem: str
    status: str  # "executed" | "cached" | "failed" | "skipped" (an upstream chapter failed)
    seconds: float = 0.0
    error: str = ""
    reads: dict[str, str] = field(default_factory=dict)


def copy_sources(dest: Path, root: Path = ROOT) -> Project:
    """Copy the build's inputs (data/, notebooks/, report/ without outputs) to ``dest``: a scratch project
    for tests and benchmarks that leaves this one's build/ and report/_site alone."""
    for name in ("data", "notebooks"):
        shutil.copytree(root / name, dest / name)
    shutil.copytree(root / "report", dest / "report",
                    ignore=shutil.ignore_patterns("_site*", ".quarto", "*.ipynb", *RENDER_WRITES))
    return Project(root=dest)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _cache_hit(project: Project, stem: str, key: str) -> bool:
    """The executed copy is current: same key, the products (executed notebook, results) are the ones the
    record names (a truncated or edited product is re-made, never trusted), and every input it read has the
    same content. A record that is not a well-formed record is a miss."""
    record_path = project.out / "cache" / f"{stem}.json"
    if not record_path.exists() or not (project.out / "executed" / f"{stem}.ipynb").exists():
        return False
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("key") != key:
        return False
    products, reads = record.get("products"), record.get("reads")
    if not isinstance(products, dict) or not products or not isinstance(reads, dict) \
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in [*products.items(), *reads.items()]):
        return False
    if _products(project, stem) != products:
        return False
    return deps.file_hashes(list(reads), project.root) == reads


def _products(project: Project, stem: str) -> dict[str, str]:
    """{relative path: sha256} of what executing ``stem`` left in the build folder (the executed notebook, its
    results when it published any)."""
    found = {}
    for rel in (f"executed/{stem}.ipynb", f"results/{stem}.json"):
        path = project.out / rel
        if path.is_file():
            found[rel] = _sha(path.read_bytes())
    return found


#: The notebook workers of this process, by pool size, kept from one build to the next: a process that runs many
#: builds (the test suite runs about forty) starts its workers (papermill's imports, about 1 s of CPU each) once, not
#: for every build. An interrupted build (Ctrl-C, a signal, a worker that died) stops its pool's workers at once and
#: drops the pool. Each run gets the build's environment and absolute paths (:func:`execute_one`).
_WORKERS: dict[int, safety.InterruptiblePool] = {}


def _worker_pool(jobs: int) -> safety.InterruptiblePool:
    if jobs not in _WORKERS:
        _WORKERS[jobs] = safety.InterruptiblePool(max_workers=jobs, mp_context=mp.get_context("spawn"))
    return _WORKERS[jobs]


def _run_notebooks(project: Project, registry: chapters_mod.Registry, chapters: list[Path],
                   values: dict[str, dict[str, Any]], force: bool, jobs: int, log: Callable[[str], None],
                   svg: bool = True) -> list[Outcome]:
    """Execute what is not cached, in parallel, each chapter as soon as every chapter it reads has settled (not
    in waves: one slow chapter holds up only its readers), in the process's pool of workers (:func:`_worker_pool`).
    A chapter is looked up in the cache once what it reads is stored (its read hashes include their results); one
    that reads a failed chapter is skipped."""
    order = [s for wave in registry.waves([nb.stem for nb in chapters]) for s in wave]  # readers after what they read
    by_stem = {nb.stem: nb for nb in chapters}
    pending, outcomes, n = list(order), [], len(chapters)
    tools = deps.toolchain()
    tmp: Path | None = None
    pool: safety.InterruptiblePool | None = None
    running: dict[Any, tuple[Path, str, Path]] = {}

    def settle_ready() -> None:
        """Skip, find cached or start every pending chapter whose reads have all settled."""
        busy = {nb.stem for nb, _, _ in running.values()}
        broken = {o.stem for o in outcomes if o.status in ("failed", "skipped")}
        for stem in list(pending):
            reads = set(registry[stem].reads)
            if reads & (set(pending) | busy):
                continue
            pending.remove(stem)
            nb = by_stem[stem]
            blocked = sorted(reads & broken)
            if blocked:  # it reads results a failed chapter did not publish: report it, run the rest
                outcomes.append(Outcome(stem, "skipped", error=f"{nb.name}: not run, it reads the results of "
                                        f"{', '.join(blocked)}, which failed"))
                log(f"[{len(outcomes)}/{n}] {stem}: skipped (reads {', '.join(blocked)})")
                broken.add(stem)
                continue
            key = deps.notebook_key(nb, values[stem], tools=tools, svg=svg)
            if not force and _cache_hit(project, stem, key):
                outcomes.append(Outcome(stem, "cached"))
                _clear_failed(project, stem)
                log(f"[{len(outcomes)}/{n}] {stem}: up to date (cached)")
                continue
            fut = start(nb, values[stem])  # (makes the scratch folder tmp on the first start)
            running[fut] = (nb, key, tmp / f"{stem}.reads")
            busy.add(stem)

    def start(nb: Path, params: dict[str, Any]) -> Any:
        nonlocal tmp, pool
        if pool is None:
            tmp = Path(tempfile.mkdtemp(prefix="run-", dir=project.out)).resolve()
            safety.mark(tmp, safety.BUILD_MARKER)  # a killed build's scratch folder is recognised and removed
            log(f"Executing notebooks with papermill, up to {jobs} at a time...")
            pool = _worker_pool(jobs)
        log_file = tmp / f"{nb.stem}.reads"
        log_file.touch()
        run = RunContext(root=project.root.resolve(), notebook=nb.stem, results_out=tmp / "results",
                         results_in=project.out.resolve() / "results", figures_out=tmp / "figures" / nb.stem, svg=svg)
        setup = tracking.setup_code(run, log_file, [project.data.resolve(), run.results_in])
        return pool.submit(execute_one, str(nb.resolve()), str(tmp / nb.name), params, str(project.notebooks.resolve()),
                           setup, str(tmp / f"{nb.stem}.stderr"), dict(os.environ))

    try:
        settle_ready()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                nb, key, log_file = running.pop(fut)
                res = fut.result()
                done = len(outcomes) + 1
                if not res["ok"]:
                    outcomes.append(Outcome(nb.stem, "failed", res["seconds"], res["error"]))
                    failed_dir = project.out / "failed"
                    failed_dir.mkdir(parents=True, exist_ok=True)
                    for suffix in (".ipynb", ".stderr"):
                        if (tmp / f"{nb.stem}{suffix}").exists():
                            shutil.copy2(tmp / f"{nb.stem}{suffix}", failed_dir / f"{nb.stem}{suffix}")
                    log(f"[{done}/{n}] {nb.stem}: FAILED after {res['seconds']:.1f} s")
                    continue
                reads = log_file.read_text(encoding="utf-8").splitlines()
                if reads:
                    reads.append(str((project.data / "datapackage.json").resolve()))
                hashes = deps.file_hashes(reads, project.root)
                _store(project, nb.stem, tmp, key, hashes)
                _clear_failed(project, nb.stem)
                outcomes.append(Outcome(nb.stem, "executed", res["seconds"], reads=hashes))
                log(f"[{done}/{n}] {nb.stem}: executed in {res['seconds']:.1f} s "
                    f"(read {len(hashes) - 1 if hashes else 0} input file(s))")
            settle_ready()
    except BaseException as exc:
        if pool is not None:  # Ctrl-C, a dead worker ...: stop the workers now, and start afresh next time
            _WORKERS.pop(jobs, None)
            pool.__exit__(type(exc), exc, exc.__traceback__)
        raise
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return outcomes


def _store(project: Project, stem: str, tmp: Path, key: str, hashes: dict[str, str]) -> None:
    """Move a successful run's products into build/ and write its cache record."""
    for sub in ("executed", "cache", "results", "figures"):
        (project.out / sub).mkdir(parents=True, exist_ok=True)
    shutil.move(str(tmp / f"{stem}.ipynb"), project.out / "executed" / f"{stem}.ipynb")
    results = tmp / "results" / f"{stem}.json"
    target = project.out / "results" / f"{stem}.json"
    if results.exists():
        shutil.move(str(results), target)
    elif target.exists():
        target.unlink()
    figures = project.out / "figures" / stem
    shutil.rmtree(figures, ignore_errors=True)
    if (tmp / "figures" / stem).exists():
        shutil.move(str(tmp / "figures" / stem), figures)
    record = {"key": key, "reads": hashes, "products": _products(project, stem),
              "built": time.strftime("%Y-%m-%dT%H:%M:%S")}
    (project.out / "cache" / f"{stem}.json").write_text(json.dumps(record, indent=1), encoding="utf-8")


def _clear_failed(project: Project, stem: str) -> None:
    """A notebook that now succeeds (or is cached) drops the copies of its earlier failures."""
    for suffix in (".ipynb", ".stderr"):
        (project.out / "failed" / f"{stem}{suffix}").unlink(missing_ok=True)


def _render_key(project: Project, chapters: list[Path], note: str = "", engine: str = "") -> str:
    """Hash of what the render reads: the book's files, the executed notebooks, the published results
    (the summary), the data package (downloads), the renderer glue with the modules it imports, the Quarto
    version, and what the front page reads from git and CITATION.cff (version, change list, citation:
    :func:`aicompute.summary.outside_inputs`). Content is hashed under relative names."""
    from aicompute import summary

    h = hashlib.sha256(f"{note}\0{engine}\0{summary.outside_inputs()}".encode())
    files = [(p.relative_to(project.report).as_posix(), p) for p in sorted(project.report.rglob("*")) if p.is_file()
             and not any(part.startswith(("_site", "_book", ".quarto")) for part in p.relative_to(project.report).parts)
             and p.suffix != ".ipynb" and p.name not in RENDER_WRITES]
    files += [(f"executed/{p.name}", p) for p in chapters]
    files += [(f"results/{p.name}", p) for p in sorted((project.out / "results").glob("*.json"))]
    files += [(f"data/{p.name}", p) for p in sorted(project.data.glob("*")) if p.is_file()]  # downloads, header
    # the renderer glue and everything it imports (the front page's summary, results, evidence ...), read from
    # the source, plus this module: no hand-kept list
    glue = deps.module_closure({"pipeline.render", "summary", "pipeline.build"})
    files += [(f"lib/{m}", deps.module_file(m)) for m in sorted(glue) if deps.module_file(m)]
    for name, p in files:
        h.update(name.encode() + b"\0" + _sha(p.read_bytes()).encode())
    return h.hexdigest()


def _add_downloads(project: Project, site: Path, as_of: str | None = None) -> None:
    """The data package as it stood on the report's as-of date (rows published later left out, so an early
    report does not hand out later evidence), zipped too, and each chart's SVG + data CSV (downloads/)."""
    from aicompute import evidence

    dl = site / "downloads"
    if as_of is None:
        shutil.copytree(project.data, dl / "data", dirs_exist_ok=True)
    else:
        withheld = evidence.write_package(as_of, dl / "data", folder=project.data)
        left = f"{sum(withheld.values()):,} row(s) published later left out, in {len(withheld)} table(s)" \
            if withheld else "no row was published later"
        (dl / "AS-OF.txt").write_text(f"The data package as it stood on {as_of}, the report's as-of date: {left}. "
                                      "The full package is data/ in the project's repository.\n", encoding="utf-8")
    shutil.make_archive(str(dl / "aicompute-data-package"), "zip", dl / "data")
    figures = project.out / "figures"
    if figures.exists():
        shutil.copytree(figures, dl / "figures", dirs_exist_ok=True)


def write_references(project: Project, as_of: str | None = None) -> Path:
    """report/references.bib from data/sources.csv: the sources published by ``as_of`` (rewritten only when it
    changes)."""
    from aicompute import cite

    return cite.write_references(project.report / "references.bib", folder=project.data, as_of=as_of)


def build_as_of(values: dict[str, dict[str, Any]]) -> str | None:
    """The report's as-of date: the latest ``as_of`` any chapter runs with."""
    dates = [str(v["as_of"]) for v in values.values() if "as_of" in v]
    return max(dates) if dates else None


def _params_note(project: Project, params_file: Path, overrides: list[str],
                 quarto: tuple[int, ...] | None = None) -> str:
    """One line of markdown for the front page: which parameters produced this build (and, given its version,
    which Quarto rendered it). The path and the ``-p`` texts come from the command line: each is a literal
    code span (:func:`aicompute.escape.md_code`)."""
    from aicompute.escape import md_code

    try:
        shown = params_file.resolve().relative_to(project.root.resolve())
    except ValueError:
        shown = params_file
    extra = f" with overrides {', '.join(md_code(o) for o in overrides)}" if overrides else ""
    rendered = f" Rendered with Quarto {'.'.join(map(str, quarto))}." if quarto else ""
    return f"Parameters: {md_code(shown)}{extra}.{rendered}"


def render_site(project: Project, chapters: list[Path], log: Callable[[str], None], note: str = "",
                as_of: str | None = None, key: str = "") -> str:
    """Render into a temporary folder in report/, then swap it in as the site (:func:`safety.swap_in`: staged
    next to the target, the last good site removed only once the new one is in place and verified; its
    manifest records ``key``). Returns the engine."""
    from aicompute import summary
    from aicompute.pipeline import render

    scratch = Path(tempfile.mkdtemp(prefix="_site.tmp-", dir=project.report))
    safety.mark(scratch, safety.SITE_MARKER)  # a killed build's scratch folder is recognised and removed
    staged = scratch / "site"
    staged.mkdir(mode=0o755)
    try:
        summary.write_summary(project.out / "results", chapters, project.report / "_summary.md", note,
                              data_folder=project.data)
        engine = render.render(project.report, chapters, staged, log=log)
        _add_downloads(project, staged, as_of)
        safety.mark(staged, safety.SITE_MARKER)  # later builds may replace what this one made
        safety.write_manifest(staged, key, engine)
        safety.swap_in(staged, project.site)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return engine


def _check_library(project: Project) -> None:
    """Refuse to build a checkout with another checkout's library (a copied or moved .venv)."""
    own = project.root / "lib" / "aicompute"
    if own.is_dir() and own.resolve() != LIB.resolve():
        raise BuildError(f"this environment runs the aicompute library installed from {LIB.parent}, not this "
                         f"checkout's {own.parent} (a copied or moved .venv?). Re-install it: "
                         f"`{sys.executable} -m pip install -e {project.root}` (or delete .venv and run make again).")


def build(project: Project | None = None, *, params_file: Path | None = None, overrides: list[str] | None = None,
          jobs: int | None = None, force: bool = False, render: bool = True, allow_future_as_of: bool = False,
          wait: bool = False, chapter: str | None = None, svg: bool = True,
          log: Callable[[str], None] = print) -> list[Outcome]:
    """Run the whole build; raise BuildError (after logging) on the first failing step. ``chapter``: execute
    only that chapter and the chapters it reads (:func:`one_chapter`), and render nothing. ``svg=False``: a check
    build that is never rendered (the as-of tests): charts get no static SVG, and the cache keeps such runs apart.

    Before anything is written: the site and build folders are checked (:func:`safety.check_outputs`) and
    the build's locks are taken (:func:`safety.lock_files`; another build holding one: BuildError naming its
    process, or ``wait``)."""
    project = project or Project()
    render = render and chapter is None  # one chapter: the site is neither rendered nor locked
    if render and not svg:
        raise BuildError("svg=False is for builds that render nothing (the PDF prints each chart's SVG)")
    with contextlib.ExitStack() as held:
        try:
            safety.check_outputs(project.root, project.site if render else None, project.out)
            for path in safety.lock_files(project.root, project.out, render):
                held.enter_context(safety.BuildLock(path, wait=wait, log=log))
        except (safety.UnsafeOutput, safety.BuildLocked) as exc:
            raise BuildError(str(exc)) from None
        safety.clean_leftovers(project.out, project.report if render else None,
                               project.site if render else None)
        if render:
            from aicompute.pipeline.render import clean_temp

            clean_temp()  # the PDF's temporary copy of report/ left by a build that was killed
        safety.mark(project.out, safety.BUILD_MARKER)
        if render:
            project.site.parent.mkdir(parents=True, exist_ok=True)  # the site is renamed into it
        return _build(project, params_file, overrides, jobs, force, render, allow_future_as_of, log, chapter, svg)


def one_chapter(registry: chapters_mod.Registry, chapters: list[Path], stem: str) -> list[Path]:
    """``chapters`` cut to chapter ``stem`` and every chapter it reads, directly or through another (its
    ``reads`` in report/chapters.yml), in book order: the fast loop while editing one chapter."""
    try:
        wanted = {registry[stem].stem} | registry.upstream(stem)
    except KeyError as exc:
        raise BuildError(f"--chapter: {exc.args[0]}") from None
    return [nb for nb in chapters if nb.stem in wanted]


def _build(project: Project, params_file: Path | None, overrides: list[str] | None, jobs: int | None,
           force: bool, render: bool, allow_future_as_of: bool, log: Callable[[str], None],
           chapter: str | None = None, svg: bool = True) -> list[Outcome]:
    from aicompute import data

    t0 = time.perf_counter()
    try:
        registry = project.registry()
        chapters = project.chapters()
    except chapters_mod.RegistryError as exc:
        raise BuildError(f"Chapter registry (no notebook was run): {exc}") from None
    if not chapters:
        raise BuildError(f"no chapters in {project.report / 'chapters.yml'}")
    params_file = params_file or project.report / "params" / "default.yaml"
    try:
        file_params = params_mod.load_params_file(params_file)  # a missing file is an error, never "no parameters"
        values = params_mod.resolve(chapters, file_params, params_mod.parse_overrides(overrides or []),
                                    allow_future_as_of=allow_future_as_of,
                                    earliest_as_of=params_mod.seed_date(project.data))
    except params_mod.ParameterError as exc:
        raise BuildError(f"Parameter check failed (no notebook was run): {exc}") from None
    if chapter is not None:  # parameters were checked for every chapter (a file may name any of them)
        chapters = one_chapter(registry, chapters, chapter)
        log(f"Executing {', '.join(nb.stem for nb in chapters)} ({chapter} and what it reads); nothing is rendered.")
    try:
        counts = data.validate_package(project.data, verdicts=project.out / "cache" / "frictionless.txt")
    except data.DataError as exc:
        raise BuildError(f"Data check failed (no notebook was run): {exc}") from None
    log(f"Data package valid: {', '.join(f'{k} {v} rows' for k, v in counts.items())}.")

    _check_library(project)
    project.out.mkdir(parents=True, exist_ok=True)
    outcomes = _run_notebooks(project, registry, chapters, values, force, jobs or os.cpu_count() or 1, log, svg)
    failed = [o for o in outcomes if o.status in ("failed", "skipped")]
    if failed:
        raise BuildError("Notebook execution failed; the last good report was left untouched.\n"
                         + "\n".join(f"  {o.error}" for o in failed)
                         + f"\n  (partially executed copies: {project.out / 'failed'})")
    executed = [project.out / "executed" / nb.name for nb in chapters]
    if render:
        from aicompute.pipeline import quarto as quarto_mod
        from aicompute.pipeline.render import RenderError, find_quarto

        try:
            import vl_convert

            qpath, qversion = find_quarto()
            quarto = f"quarto {'.'.join(map(str, qversion))}, vl-convert {vl_convert.__version__}"
        except RenderError as exc:
            raise BuildError(f"{exc}") from None
        log(quarto_mod.describe(qpath, qversion))
        fonts = quarto_mod.missing_fonts()
        if fonts:
            log(f"warning: fonts the PDF uses are missing: {'; '.join(fonts)} ({quarto_mod.FONT_HELP})")
        as_of = build_as_of(values)
        write_references(project, as_of)  # before the render key: the bibliography is rendered too
        note = _params_note(project, params_file, overrides or [], qversion)
        key = _render_key(project, executed, note, quarto)
        problem = safety.site_problem(project.site, key)
        if not force and not problem:
            log(f"Report up to date: {project.site / 'index.html'} (nothing re-rendered; every page matches "
                f"its manifest).")
        else:
            if not force and project.site.exists():
                log(f"Re-rendering {project.site}: {problem}.")
            rendering: list[str] = []
            try:
                engine = render_site(project, executed, lambda s: (rendering.append(s), log(s)), note, as_of, key)
            except OSError as exc:
                if exc.errno in safety.WRITE_ERRNOS:
                    raise BuildError(f"Render failed: {safety.os_error_line(exc)}") from None
                raise BuildError(f"Render failed; the last good report was left untouched: {exc}") from None
            except Exception as exc:
                raise BuildError(f"Render failed; the last good report was left untouched: {exc}") from None
            log(f"Rendered with {engine}: {project.site / 'index.html'}")
            (project.out / RENDER_LOG).write_text("\n".join(rendering) + "\n", encoding="utf-8")
    ran = sum(o.status == "executed" for o in outcomes)
    log(f"Done in {time.perf_counter() - t0:.1f} s: {ran} notebook(s) executed, {len(chapters) - ran} cached.")
    return outcomes


def main(argv: list[str] | None = None) -> int:
    """CLI entry point for ``python -m aicompute build``."""
    parser = argparse.ArgumentParser(prog="python -m aicompute build", description=__doc__.split("\n")[0])
    parser.add_argument("--project", type=Path, default=None,
                        help="the project folder (default: found from the working directory upwards)")
    parser.add_argument("--params", type=Path, help="YAML parameters file (default: report/params/default.yaml)")
    parser.add_argument("-p", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter (all notebooks that define it, or NN_name.param=value)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="notebooks run in parallel (default: cores)")
    parser.add_argument("--force", action="store_true", help="ignore the cache: re-execute and re-render")
    parser.add_argument("--no-render", action="store_true", help="execute notebooks only")
    parser.add_argument("--chapter", metavar="NN_name", help="execute only this chapter and the chapters it reads "
                        "(report/chapters.yml), cached as usual; renders nothing")
    parser.add_argument("--build-dir", type=Path, default=None, help="where executed notebooks go (default: build/)")
    parser.add_argument("--site", type=Path, default=None, help="where the site goes (default: report/_site); "
                        "must be new, empty, or a site an earlier build made")
    parser.add_argument("--allow-future-as-of", action="store_true",
                        help="accept an as_of date after today (by default refused: no evidence exists yet)")
    parser.add_argument("--wait", action="store_true",
                        help="if another build is running in this project, wait for it instead of stopping")
    parser.add_argument("--preset", metavar="NAME", help="an alternative report: --params report/params/NAME.yaml "
                        "--build-dir build/NAME --site report/_site-NAME (the default report is left alone)")
    args = parser.parse_args(argv)
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    root = args.project.resolve() if args.project else ROOT
    if args.preset is not None:
        try:
            params_mod.check_preset_name(args.preset)  # it becomes a file and two folder names
        except params_mod.ParameterError as exc:
            parser.error(str(exc))
        preset = root / "report" / "params" / f"{args.preset}.yaml"
        if not preset.exists():
            names = sorted(p.stem for p in preset.parent.glob("*.yaml"))
            parser.error(f"no preset '{args.preset}' (report/params/{args.preset}.yaml); presets: {names}")
        args.params = args.params or preset
        args.build_dir = args.build_dir or root / "build" / args.preset
        args.site = args.site or root / "report" / f"_site-{args.preset}"
    project = Project(root=root, build_dir=args.build_dir.resolve() if args.build_dir else None,
                      site_dir=args.site.resolve() if args.site else None)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill PID` stops as cleanly as Ctrl-C
    try:
        build(project, params_file=args.params, overrides=args.overrides, jobs=args.jobs, force=args.force,
              render=not args.no_render, allow_future_as_of=args.allow_future_as_of,
              wait=args.wait, chapter=args.chapter, log=lambda s: print(s, flush=True))
    except BuildError as exc:
        print(f"BUILD FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print(f"Interrupted: build stopped; the last good report ({project.site}) was left untouched.",
              file=sys.stderr, flush=True)
        return 130
    except OSError as exc:  # a read-only folder, a full disk: one line, no traceback
        print(f"BUILD FAILED: {safety.os_error_line(exc)}", file=sys.stderr, flush=True)
        return 1
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
