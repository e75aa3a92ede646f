"""Render the report with Quarto: the glue around ``quarto render``, nothing more.

:func:`render` (called by :func:`aicompute.pipeline.build.render_site`):

1. **Stage** (:func:`stage`): each executed notebook is written next to ``report/_quarto.yml`` (git-ignored
   ``report/NN_name.ipynb``, left there so ``quarto render report`` by hand works after a build), with
   two adjustments to cell options and outputs, never to content:

   * a figure cell (``#| label: fig-...``) that shows more than its chart is split in two or three cells
     (outputs before the chart, the chart, outputs after), or Quarto makes every output a sub-figure
     with an empty caption ("(a)", "(b)");
   * the parameters cells fold under "Parameters (defaults)" / "Parameters used in this build".

   The Vega runtime that chart outputs load (:mod:`aicompute.charts`) is written once to
   ``report/assets/vega-bundle.js`` (git-ignored), a resource Quarto copies into the site.
   An executed notebook with an ``error`` output, or one that ``_quarto.yml`` does not list, stops here.
2. **Render** (:func:`render_formats`): ``quarto render <report> --to html --no-execute`` into the output
   folder and, at the same time, ``--to typst`` (the PDF) from a copy of the report folder.
3. **Post-process** (:func:`postprocess`): Quarto adds require.js and jQuery from a CDN to every page with
   an HTML output (no option turns it off; our charts need neither): the tags are removed. Quarto's own
   ES-module scripts (``quarto.js`` imports ``tabsets.js``), which browsers refuse to load from
   ``file://``, are bundled into classic deferred scripts with the esbuild that ships with Quarto, so
   the site works opened from disk as well as served. Each chapter page's hidden bibliography (every source:
   ``nocite: "@*"`` gives every page the References page's year letters) is trimmed back to the page's
   citations (:func:`trim_page_bibliographies`).
4. **Check** (:func:`check_site`): no page loads anything from the network (script, link, img, ...), every
   chart of every staged notebook is on its page, the PDF exists.

Which Quarto is used, and how ``make venv`` installs the pinned one, is :mod:`aicompute.pipeline.quarto`.
Without Quarto (or with one older than :data:`aicompute.pipeline.quarto.MIN_QUARTO`) :func:`find_quarto` raises
:class:`QuartoMissing` with install help, before anything is written. Quarto runs in its own process group: an interrupted
build stops it within seconds (:func:`stop_running`), and a build killed outright takes Quarto with it (Linux)
and leaves a temporary folder that the next build removes (:func:`clean_temp`).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import nbformat
import yaml

from aicompute.pipeline import quarto as _quarto

PDF_NAME = "report.pdf"
PARAMETER_SUMMARY = {"parameters": "Parameters (defaults)", "injected-parameters": "Parameters used in this build"}
QUARTO_TIMEOUT_S = 900
#: The PDF should stay printable: the build warns above this many pages (tests/test_pdf.py fails). The appendices
#: print summaries (the full claims ledger and data dictionary are CSV/JSON downloads).
PDF_PAGE_BUDGET = 180
#: Prefix of the temporary copy of report/ the PDF is rendered from; ``<prefix><pid>-`` names its owner, so a
#: later build removes the copies of builds that were killed (:func:`clean_temp`).
PDF_TMP_PREFIX = "aicompute-pdf-"
#: Seconds a Quarto process group gets after SIGTERM before SIGKILL, when the build is interrupted.
KILL_GRACE_S = 2.0
#: Set in Quarto's environment (inherited by everything it starts) to the build's pid: what a later build
#: looks for to stop the processes of a build that was killed (:func:`clean_temp`).
RENDER_TAG = "AICOMPUTE_RENDER_OF"


class RenderError(RuntimeError):
    """The book could not be rendered (bad input notebook, Quarto failed, a post-render check failed)."""


class QuartoMissing(RenderError):
    """No usable Quarto; the message says how to install it."""


# -- Quarto --------------------------------------------------------------------------------------------------

def find_quarto() -> tuple[str, tuple[int, ...]]:
    """The Quarto the build uses (:func:`aicompute.pipeline.quarto.find`: on PATH, else the project's own) and
    its version; :class:`QuartoMissing` if none, or too old."""
    try:
        found = _quarto.find()
    except _quarto.QuartoMissing as exc:
        raise QuartoMissing(str(exc)) from None
    return found.path, found.version


# Quarto runs in its own process group (so that an interrupted build can stop it and everything it started:
# deno, pandoc, typst, dart-sass), through a launcher that asks Linux to kill it if the build dies (SIGKILL).
_LAUNCHER = ("import ctypes, os, signal, sys\n"
             "try:\n ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)\n"
             "except Exception:\n pass\n"
             "os.execvp(sys.argv[1], sys.argv[1:])\n")
_RUNNING: set[subprocess.Popen[str]] = set()
_RUNNING_LOCK = threading.Lock()


def stop_running(grace: float = KILL_GRACE_S) -> int:
    """Stop every Quarto this process started that is still running: SIGTERM to its process group, SIGKILL
    after ``grace`` seconds. Returns how many were stopped."""
    with _RUNNING_LOCK:
        procs = [p for p in _RUNNING if p.poll() is None]
    for proc in procs:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)  # also what it started, if still there
    return len(procs)


def quarto_render(quarto: str, report_dir: Path, out_dir: Path, fmt: str | None = None) -> float:
    """``quarto render <report> [--to <fmt>] --output-dir <out> --no-execute``; returns the seconds taken.

    Quarto empties the output folder at the start of each call. ``--output-dir`` is project-relative, so it
    is given relative to ``report_dir`` (and run from there). Quarto runs in its own process group, stopped by
    :func:`stop_running` when the build is interrupted.
    """
    cmd = [quarto, "render", str(report_dir), *(["--to", fmt] if fmt else []),
           "--output-dir", os.path.relpath(out_dir, report_dir), "--no-execute"]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, *cmd], cwd=report_dir, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, RENDER_TAG: str(os.getpid())})
    with _RUNNING_LOCK:
        _RUNNING.add(proc)
    try:
        stdout, stderr = proc.communicate(timeout=QUARTO_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RenderError(f"{' '.join(cmd[1:])} took longer than {QUARTO_TIMEOUT_S} s") from exc
    finally:
        with _RUNNING_LOCK:
            _RUNNING.discard(proc)
    if proc.returncode != 0:
        raise RenderError(f"quarto render failed (exit {proc.returncode}):\n{_tail(stderr or stdout)}")
    return time.perf_counter() - start


def clean_temp(tmpdir: str | None = None) -> list[str]:
    """Clear what a build killed outright (SIGKILL: nothing of its own could run) left behind: processes its
    Quarto started that still run (tagged :data:`RENDER_TAG` with the dead build's pid; Linux ``/proc``), and
    its temporary PDF projects (``aicompute-pdf-<pid>-*``). Running builds are left alone. Returns what was
    stopped or removed."""
    done = []
    tag = re.compile(rb"(?:^|\0)" + RENDER_TAG.encode() + rb"=(\d+)(?:\0|$)")
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            match = tag.search((proc_dir / "environ").read_bytes())
        except OSError:
            continue
        if match and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                os.kill(int(proc_dir.name), signal.SIGKILL)
                done.append(f"process {proc_dir.name}")
    for folder in Path(tmpdir or tempfile.gettempdir()).glob(f"{PDF_TMP_PREFIX}*"):
        match = re.match(rf"{re.escape(PDF_TMP_PREFIX)}(\d+)-", folder.name)
        if not folder.is_dir() or not match or _alive(int(match.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        done.append(str(folder))
    return done


def _alive(pid: int) -> bool:
    try:
        with contextlib.suppress(PermissionError):  # alive, and another user's
            os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def render_formats(quarto: str, report_dir: Path, out_dir: Path) -> dict[str, float]:
    """The HTML site into ``out_dir`` and, at the same time, the PDF from a copy of ``report_dir`` (one project
    folder cannot host two renders; Quarto is single-threaded, so two processes halve the wait on two
    cores). ``report.pdf`` is moved into ``out_dir``. Returns the seconds per format."""
    with tempfile.TemporaryDirectory(prefix=f"{PDF_TMP_PREFIX}{os.getpid()}-") as tmp:
        pdf_project = Path(shutil.copytree(report_dir, Path(tmp) / report_dir.name,
                                           ignore=shutil.ignore_patterns("_site*", "_book", ".quarto")))
        pdf_out = pdf_project / "_site"
        pdf_out.mkdir()
        drop_html_only(pdf_project)
        with ThreadPoolExecutor(max_workers=2) as pool:
            html = pool.submit(quarto_render, quarto, report_dir, out_dir, "html")
            pdf = pool.submit(quarto_render, quarto, pdf_project, pdf_out, "typst")
            try:
                seconds = {"html": html.result(), "typst": pdf.result()}
            except BaseException:  # Ctrl-C, SIGTERM, or one format failed: stop the other one now
                stop_running()
                raise
        if not (pdf_out / PDF_NAME).is_file():
            raise RenderError(f"quarto render --to typst produced no {PDF_NAME}")
        shutil.move(str(pdf_out / PDF_NAME), out_dir / PDF_NAME)
    return seconds


#: A cell tagged so shows only on the site: the PDF's copy of the notebook leaves it out (its empty output block at
#: the end of a page would push a blank page into the PDF).
HTML_ONLY_TAG = "html-only"


def drop_html_only(report_dir: Path) -> int:
    """Remove the cells tagged :data:`HTML_ONLY_TAG` from the staged notebooks in ``report_dir`` (the PDF's copy).
    Returns how many were removed."""
    removed = 0
    for path in sorted(Path(report_dir).glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        keep = [c for c in nb.cells if HTML_ONLY_TAG not in (c.get("metadata", {}).get("tags") or [])]
        if len(keep) != len(nb.cells):
            removed += len(nb.cells) - len(keep)
            nb.cells = keep
            nbformat.write(nb, str(path))
    return removed


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


# -- the book (_quarto.yml) ----------------------------------------------------------------------------------

def book_files(report_dir: Path) -> list[str]:
    """Files listed under ``book.chapters`` then ``book.appendices`` in ``_quarto.yml`` (parts flattened)."""
    config = yaml.safe_load((report_dir / "_quarto.yml").read_text(encoding="utf-8")) or {}
    book = config.get("book") or {}
    names: list[str] = []
    for entry in [*(book.get("chapters") or []), *(book.get("appendices") or [])]:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            names += [entry["part"]] if str(entry.get("part", "")).endswith((".qmd", ".ipynb")) else []
            names += [c for c in entry.get("chapters") or [] if isinstance(c, str)]
    return names


# -- staging -------------------------------------------------------------------------------------------------
_OPTION = re.compile(r"^#\|\s?(.*)$")


def _options(source: str) -> dict[str, Any]:
    lines = []
    for line in source.splitlines():
        match = _OPTION.match(line)
        if not match:
            break
        lines.append(match.group(1))
    try:
        parsed = yaml.safe_load("\n".join(lines)) if lines else {}
    except yaml.YAMLError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def is_chart(output: Mapping[str, Any]) -> bool:
    """A chart (or image) output: what a figure cell's caption belongs to."""
    data = output.get("data") or {}
    html = data.get("text/html", "")
    return "image/svg+xml" in data or "image/png" in data or 'class="aic-chart"' in "".join(html)


def _split_figure_cell(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """[before, figure, after]: the figure cell keeps its code, options and the chart output only."""
    outputs = cell.get("outputs") or []
    at = next((i for i, o in enumerate(outputs) if is_chart(o)), None)
    if at is None or len(outputs) == 1:
        return [cell]
    cells = []
    for part, keep in ((outputs[:at], False), ([outputs[at]], True), (outputs[at + 1:], False)):
        if keep:
            figure = copy.deepcopy(cell)
            figure.outputs = part
            cells.append(figure)
        elif part:
            cells.append(nbformat.v4.new_code_cell("#| echo: false", outputs=part))
    return cells


def _prepare(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The notebook as Quarto should see it (see the module docstring); raises on error outputs."""
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        for output in cell.get("outputs") or []:
            if output.get("output_type") == "error":
                raise RenderError(f"{name}: cell {index} raised {output.get('ename')}: {output.get('evalue')} "
                                  "(an executed chapter with an error output is not published)")
        tags = set(cell.metadata.get("tags") or [])
        summary = next((PARAMETER_SUMMARY[t] for t in PARAMETER_SUMMARY if t in tags), None)
        if summary:
            cell = copy.deepcopy(cell)
            cell.source = f"#| code-summary: {json.dumps(summary)}\n{cell.source}"
        if str(_options(cell.source).get("label", "")).startswith("fig-"):
            cells += _split_figure_cell(cell)
        else:
            cells.append(cell)
    out = copy.deepcopy(nb)
    out.cells = cells
    return out


def write_runtime(report_dir: Path) -> Path:
    """``report/assets/vega-bundle.js``: the Vega runtime for this vl-convert version (generating it takes
    several seconds, so a copy is kept in ``report/.quarto``); rewritten only when it changes."""
    import vl_convert

    from aicompute import charts

    cached = report_dir / ".quarto" / f"aicompute-vega-{vl_convert.__version__}-vl{charts.VL_VERSION}.js"
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(charts.vega_bundle(inline=False), encoding="utf-8")
    target = report_dir / charts.VEGA_SCRIPT
    if not target.is_file() or target.read_bytes() != cached.read_bytes():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
    return target


def stage(report_dir: Path, chapters: Sequence[Path]) -> dict[str, int]:
    """Write the executed ``chapters`` next to ``_quarto.yml``, prepared for Quarto.

    Every passed notebook must be listed in ``_quarto.yml`` and every listed notebook passed (Quarto
    would otherwise drop it, or render a stale copy). Writes the Vega runtime (:func:`write_runtime`).
    Returns {stem: number of chart outputs}.
    """
    listed = {n for n in book_files(report_dir) if n.endswith(".ipynb")}
    names = {Path(c).name for c in chapters}
    if names - listed:
        raise RenderError(f"notebook(s) not listed in {report_dir / '_quarto.yml'} book.chapters or "
                          f"book.appendices: {sorted(names - listed)}")
    if listed - names:
        raise RenderError(f"{report_dir / '_quarto.yml'} lists notebook(s) this build did not execute: "
                          f"{sorted(listed - names)}")
    charts = {}
    for path in chapters:
        path = Path(path)
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as exc:  # nbformat raises several unrelated types
            raise RenderError(f"cannot read executed notebook {path}: {exc}") from exc
        prepared = _prepare(nb, path.name)
        nbformat.write(prepared, str(report_dir / path.name))
        charts[path.stem] = sum(is_chart(o) for c in prepared.cells if c.cell_type == "code" for o in c.outputs)
    write_runtime(report_dir)
    return charts


# -- post-processing and checks ------------------------------------------------------------------------------
#: The tags Quarto adds for "JavaScript widgets" (require.js, jQuery from cdn.jsdelivr.net, and the
#: inline ``define('jquery', ...)`` that needs require.js).
_CDN_SCRIPTS = re.compile(
    r"[ \t]*<script\b[^>]*\bsrc=\"https://cdn\.jsdelivr\.net/npm/(?:requirejs|jquery)@[^\"]*\"[^>]*>\s*</script>[ \t]*\n?"
    r"|[ \t]*<script\b[^>]*>\s*define\('jquery',\s*\[\],\s*function\(\)\s*\{\s*return window\.jQuery;\s*\}\)\s*</script>"
    r"[ \t]*\n?"
)


_MODULE_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""\ssrc=["']([^"':]+\.js)["']""")
_TYPE_MODULE = re.compile(r"""\stype=["']module["']""")


def find_esbuild(quarto: str) -> str | None:
    """The esbuild that ships with Quarto (``$QUARTO_ESBUILD``, else ``<quarto --paths>/tools/<arch>/esbuild``),
    else one on PATH, else None."""
    if os.environ.get("QUARTO_ESBUILD"):
        return os.environ["QUARTO_ESBUILD"]
    try:
        out = subprocess.run([quarto, "--paths"], capture_output=True, text=True, timeout=60, check=False).stdout
    except OSError:
        out = ""
    for line in out.splitlines()[:1]:
        for candidate in (Path(line) / "tools" / platform.machine() / "esbuild", Path(line) / "tools" / "esbuild"):
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    return shutil.which("esbuild")


def _classic_scripts(out_dir: Path, pages: dict[Path, str], esbuild: str) -> int:
    """Every local ``<script type="module" src=X>``: X bundled in place as a classic script (IIFE), the tag
    made ``defer`` (a module's own timing). A module that only exports becomes a harmless no-op."""
    bundled: set[str] = set()
    for page, text in pages.items():
        def classic(tag: re.Match[str]) -> str:
            src = _SRC.search(tag.group(0))
            if not _TYPE_MODULE.search(tag.group(0)) or not src:
                return tag.group(0)
            if src.group(1) not in bundled:
                target = out_dir / src.group(1)
                proc = subprocess.run([esbuild, str(target), "--bundle", "--format=iife", "--log-level=error",
                                       f"--outfile={target}", "--allow-overwrite"], capture_output=True, text=True,
                                      timeout=120, check=False)
                if proc.returncode != 0:
                    raise RenderError(f"esbuild could not bundle {src.group(1)}: {_tail(proc.stderr)}")
                bundled.add(src.group(1))
            return _TYPE_MODULE.sub(" defer", tag.group(0))

        pages[page] = _MODULE_TAG.sub(classic, text)
    return len(bundled)


def postprocess(out_dir: Path, esbuild: str | None = None) -> tuple[int, int]:
    """Remove the CDN script tags Quarto adds to pages with HTML outputs; make Quarto's module scripts
    classic (with ``esbuild``). Returns (CDN tags removed, modules bundled)."""
    pages = {page: page.read_text(encoding="utf-8") for page in sorted(out_dir.glob("*.html"))}
    originals = dict(pages)
    removed = 0
    for page, text in pages.items():
        pages[page], n = _CDN_SCRIPTS.subn("", text)
        removed += n
    bundled = _classic_scripts(out_dir, pages, esbuild) if esbuild else 0
    for page, text in pages.items():
        if text != originals[page]:
            page.write_text(text, encoding="utf-8")
    return removed, bundled


_REFS_OPEN = re.compile(r'<div id="refs"[^>]*>')
_CSL_ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(?:(?!<div\b).)*?</div>\s*', re.DOTALL)
_CITES = re.compile(r'<span class="citation" data-cites="([^"]*)"')


def trim_page_bibliographies(out_dir: Path) -> int:
    """Keep in each page's hidden bibliography only the entries the page cites; returns the entries removed.

    ``_quarto.yml`` gives every page ``nocite: "@*"``, so that citeproc sees every source on every page and gives
    each the year letter (2026a, 2026b ...) the References page gives it. Quarto keeps each chapter page's own
    bibliography, hidden (``#refs``, ``display: none``), for the citation pop-ups: with every source in it, it
    would add a few hundred KB to each page. The References page (whose ``#refs`` is shown) is left alone.
    """
    removed = 0
    for page in sorted(out_dir.glob("*.html")):
        text = page.read_text(encoding="utf-8")
        opening = _REFS_OPEN.search(text)
        if not opening or "display: none" not in opening.group(0):
            continue
        cited = {c for group in _CITES.findall(text) for c in group.split()}
        start = end = opening.end()
        entries = []
        for entry in _CSL_ENTRY.finditer(text, start):  # the entries follow one another, then the div closes
            if entry.start() != end and text[end:entry.start()].strip():
                break
            entries.append(entry)
            end = entry.end()
        kept = [e.group(0) for e in entries if e.group(1) in cited]
        if len(kept) < len(entries):
            removed += len(entries) - len(kept)
            page.write_text(text[:start] + "".join(kept) + text[end:], encoding="utf-8")
    return removed


_SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?(</script\s*>)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<([a-zA-Z][\w:-]*)(\s[^>]*)?>", re.DOTALL)
_URL_ATTR = re.compile(r"""(?:^|\s)(src|href|xlink:href|data|poster|srcset)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""",
                       re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:@import\s+(?:url\()?|url\()\s*["']?\s*((?:https?:)?//[^"')\s;]*)""", re.IGNORECASE)


def find_external_refs(page: str) -> list[str]:
    """What an HTML page would load from the network (``http(s)://`` or ``//``).

    Hyperlinks (``<a href>``) are fine; a remote ``src``/``href`` on anything else (script, link, img,
    iframe ...) or a CSS ``@import``/``url()`` is reported. Script bodies are not inspected (the chart
    specs mention URLs in strings).
    """
    text = _SCRIPT_BODY.sub(r"\1\2", page)
    found: list[str] = []
    for tag in _TAG.finditer(text):
        name, attrs = tag.group(1).lower(), tag.group(2) or ""
        if name not in {"a", "area"}:
            found += [f"<{name} {m.group(1)}={m.group(2)}>" for m in _URL_ATTR.finditer(attrs)]
    found += [f"css url({m.group(1)})" for m in _CSS_URL.finditer(text)]
    return found


_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(pdf: Path) -> int:
    """The number of pages of a PDF written by typst (its page objects are not compressed)."""
    return len(_PDF_PAGE.findall(Path(pdf).read_bytes()))


def check_site(out_dir: Path, charts: Mapping[str, int]) -> None:
    """Offline (nothing remote in any page or stylesheet), every chart on its page, the PDF present."""
    from aicompute.charts import VEGA_SCRIPT

    problems = []
    for file in sorted([*out_dir.rglob("*.html"), *out_dir.rglob("*.css")]):
        problems += [f"{file.relative_to(out_dir)}: {ref}" for ref in find_external_refs(file.read_text("utf-8"))]
    if problems:
        raise RenderError("the site would load remote resources (it must work offline):\n" + "\n".join(problems[:20]))
    for stem, expected in charts.items():
        page = out_dir / f"{stem}.html"
        if not page.is_file():
            raise RenderError(f"quarto produced no {page.name}")
        text = page.read_text(encoding="utf-8")
        found = text.count('class="aic-chart"')
        if found != expected:
            raise RenderError(f"{page.name}: {found} chart(s) on the page, {expected} in the notebook")
        if expected and f'src="{VEGA_SCRIPT}"' not in text:
            raise RenderError(f"{page.name}: charts but no {VEGA_SCRIPT} (was the notebook executed by the build?)")
    if any(charts.values()) and not (out_dir / VEGA_SCRIPT).is_file():
        raise RenderError(f"the site has charts but no {VEGA_SCRIPT} (project resources in _quarto.yml)")
    pdf = out_dir / PDF_NAME
    if not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        raise RenderError(f"quarto produced no {PDF_NAME} in {out_dir}")


# -- entry point ---------------------------------------------------------------------------------------------

def render(report_dir: Path, chapters: list[Path], out_dir: Path, *, log: Callable[[str], None] = print) -> str:
    """Stage ``chapters`` (executed notebooks) in ``report_dir``, render the book into ``out_dir`` (an
    existing folder) as HTML and PDF, post-process and check it. Returns "quarto X.Y.Z"."""
    report_dir, out_dir = Path(report_dir).resolve(), Path(out_dir).resolve()
    quarto, version = find_quarto()
    if not out_dir.is_dir():
        raise RenderError(f"output folder {out_dir} does not exist")
    charts = stage(report_dir, [Path(c) for c in chapters])
    seconds = render_formats(quarto, report_dir, out_dir)
    log(f"quarto render (in parallel): HTML site in {seconds['html']:.1f} s, PDF in {seconds['typst']:.1f} s")
    esbuild = find_esbuild(quarto)
    if esbuild is None:
        log("warning: no esbuild found next to Quarto: pages keep Quarto's ES-module scripts, which need the "
            "site served over http (make serve) rather than opened from disk")
    removed, bundled = postprocess(out_dir, esbuild)
    log(f"post-render: {removed} CDN script tag(s) removed, {bundled} ES-module script(s) made classic")
    trimmed = trim_page_bibliographies(out_dir)
    log(f"post-render: {trimmed} uncited entries removed from the pages' hidden bibliographies")
    check_site(out_dir, charts)
    pages = pdf_pages(out_dir / PDF_NAME)
    log(f"{PDF_NAME}: {pages} pages" + (f" (warning: more than the budget of {PDF_PAGE_BUDGET})"
                                          if pages > PDF_PAGE_BUDGET else ""))
    return "quarto " + ".".join(map(str, version))
