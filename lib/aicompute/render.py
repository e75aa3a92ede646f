"""Render the report book (index.qmd + executed chapter notebooks) into a static site and a PDF.

Two paths, chosen by :func:`render`:

1. **Quarto** (when ``quarto`` is on ``PATH``): the executed notebooks are copied next to
   ``report/_quarto.yml`` and ``quarto render <report_dir> --output-dir <out_dir> --no-execute``
   builds the book project (HTML site + ``report.pdf`` via Typst). This is the canonical path.

2. **pandoc + typst fallback** (no Quarto): the same book is produced with Quarto's own engines,
   pandoc 3 (``pypandoc``'s binary) and Typst (the ``typst`` Python wheel), fully offline:

   * each notebook becomes one pandoc-markdown document per target (``html`` / ``pdf``): markdown
     cells verbatim; code folded into ``<details>`` (HTML) or omitted (PDF); outputs chosen by MIME
     preference, raw HTML passed through untouched in ```` ```{=html} ```` blocks;
   * one pandoc call per HTML page (``index.html`` + ``NN_name.html``) with the template
     ``report/assets/page.html``, CSS inlined from ``report/assets/style.css``, a shared sidebar
     navigation, prev/next links and a footer;
   * one pandoc call for the whole book to Typst (template ``report/assets/book.typ``), compiled
     to ``report.pdf`` with ``typst.compile``; charts use their static SVG copies.

   Afterwards every produced HTML page is scanned: any script/stylesheet/image that would load from
   an ``http(s)://`` or ``//`` address is a :class:`RenderError` (the site must work offline).

Executed notebooks containing an ``error`` output are never published: :class:`RenderError`.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import importlib.metadata
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import nbformat
import yaml

__all__ = [
    "RenderError",
    "book_chapters",
    "find_external_refs",
    "quarto_available",
    "quarto_command",
    "render",
]

Target = Literal["html", "pdf"]

BOOK_TITLE_DEFAULT = "AI compute economics: the 24-month test"
PDF_NAME = "report.pdf"
#: Navigation label of index.html (its body is the book's preface, also titled so in the PDF).
INDEX_NAV_LABEL = "Preface"
#: Usable text width of the A4 typst page (``book.typ``: 210 mm - 2 x 23 mm), in points.
PDF_TEXT_WIDTH_PT = 465.0
PANDOC_TIMEOUT_S = 300

HTML_MIME_ORDER = ("text/html", "image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain")
PDF_MIME_ORDER = ("image/svg+xml", "image/png", "image/jpeg", "text/markdown", "text/plain")
PARAMETER_TAGS = frozenset({"parameters", "injected-parameters"})


class RenderError(RuntimeError):
    """The book could not be rendered (bad input notebook, missing tool, engine failure)."""


# --------------------------------------------------------------------------------------------
# public entry points
# --------------------------------------------------------------------------------------------


def quarto_available() -> bool:
    """True when a ``quarto`` executable is on ``PATH``."""
    return shutil.which("quarto") is not None


def render(
    report_dir: Path,
    chapters: list[Path],
    out_dir: Path,
    *,
    log: Callable[[str], None] = print,
) -> str:
    """Render the book from ``report_dir`` and the executed ``chapters`` into ``out_dir``.

    ``report_dir`` holds ``_quarto.yml``, ``index.qmd`` and ``assets/``; ``chapters`` are executed
    notebooks in book order; ``out_dir`` is an existing (empty) directory. Returns the engine used,
    ``"quarto"`` or ``"pandoc+typst"``. Raises :class:`RenderError` on any failure.
    """
    report_dir, out_dir = Path(report_dir).resolve(), Path(out_dir).resolve()
    chapters = [Path(c).resolve() for c in chapters]
    _check_inputs(report_dir, chapters, out_dir)
    notebooks = [_read_notebook(path) for path in chapters]
    for path, nb in zip(chapters, notebooks, strict=True):
        _raise_on_error_outputs(path, nb)
    if quarto_available():
        _render_quarto(report_dir, chapters, out_dir, log)
        engine = "quarto"
    else:
        log(_fallback_banner())
        _render_fallback(report_dir, chapters, notebooks, out_dir)
        engine = "pandoc+typst"
    _assert_offline(out_dir)
    return engine


def _check_inputs(report_dir: Path, chapters: Sequence[Path], out_dir: Path) -> None:
    """Fail early, with a clear message, on missing inputs."""
    for required in (report_dir / "_quarto.yml", report_dir / "index.qmd"):
        if not required.is_file():
            raise RenderError(f"missing {required}")
    missing = [str(c) for c in chapters if not c.is_file()]
    if missing:
        raise RenderError(f"chapter notebook(s) not found: {', '.join(missing)}")
    stems = [c.stem for c in chapters]
    if len(set(stems)) != len(stems) or "index" in stems:
        raise RenderError(f"chapter names must be unique and not 'index': {stems}")
    if not out_dir.is_dir():
        raise RenderError(f"output directory {out_dir} does not exist")


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        raise RenderError(f"cannot read notebook {path}: {exc}") from exc


def _raise_on_error_outputs(path: Path, nb: nbformat.NotebookNode) -> None:
    """An executed chapter with an ``error`` output must not be published."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
                raise RenderError(
                    f"{path.name}: cell {index} raised {ename}: {evalue} "
                    "(an executed chapter with an error output is not published)"
                )


# --------------------------------------------------------------------------------------------
# Quarto path
# --------------------------------------------------------------------------------------------


def quarto_command(quarto: str, report_dir: Path, out_dir: Path) -> list[str]:
    """The ``quarto render`` command line for the book project.

    ``--output-dir`` is documented as *project relative*, so it is given relative to
    ``report_dir`` (and the command runs with ``cwd=report_dir``, so both readings agree).
    ``--no-execute``: the notebooks were already executed by papermill.
    """
    rel_out = os.path.relpath(out_dir, report_dir)
    return [quarto, "render", str(report_dir), "--output-dir", rel_out, "--no-execute"]


def _render_quarto(
    report_dir: Path, chapters: Sequence[Path], out_dir: Path, log: Callable[[str], None]
) -> None:
    quarto = shutil.which("quarto")
    if quarto is None:  # pragma: no cover - guarded by quarto_available()
        raise RenderError("quarto disappeared from PATH")
    _check_book_chapters(report_dir, chapters, log)
    for chapter in chapters:
        target = report_dir / chapter.name
        if chapter != target:
            shutil.copy2(chapter, target)
    cmd = quarto_command(quarto, report_dir, out_dir)
    log("quarto: " + " ".join(cmd[1:]))
    proc = subprocess.run(cmd, cwd=report_dir, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RenderError(
            f"quarto render failed (exit {proc.returncode}):\n{_tail(proc.stderr or proc.stdout)}"
        )
    if not (out_dir / "index.html").is_file():
        raise RenderError(f"quarto render produced no index.html in {out_dir}:\n{_tail(proc.stderr)}")
    _ensure_pdf_name(out_dir)


def book_chapters(report_dir: Path) -> list[str]:
    """File names listed under ``book.chapters`` in ``_quarto.yml`` (``part:`` groups flattened)."""
    config = _quarto_config(report_dir)
    book = config.get("book") if isinstance(config.get("book"), dict) else {}
    names: list[str] = []
    for entry in book.get("chapters") or []:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            names += [c for c in entry.get("chapters") or [] if isinstance(c, str)]
    return names


def _check_book_chapters(report_dir: Path, chapters: Sequence[Path], log: Callable[[str], None]) -> None:
    """Quarto renders only what ``_quarto.yml`` lists: a passed chapter missing there would vanish."""
    listed = set(book_chapters(report_dir))
    unlisted = [c.name for c in chapters if c.name not in listed]
    if unlisted:
        raise RenderError(f"chapter(s) not listed in {report_dir / '_quarto.yml'} book.chapters: {unlisted}")
    passed = {c.name for c in chapters}
    stale = sorted(n for n in listed if n.endswith(".ipynb") and n not in passed)
    if stale:
        log(f"warning: _quarto.yml lists chapters that were not executed in this build: {stale}")


def _ensure_pdf_name(out_dir: Path) -> None:
    """Make sure the book PDF is ``out_dir/report.pdf`` whatever Quarto called it."""
    target = out_dir / PDF_NAME
    if target.is_file():
        return
    pdfs = sorted(out_dir.rglob("*.pdf"), key=lambda p: (len(p.relative_to(out_dir).parts), p.name))
    if not pdfs:
        raise RenderError(f"quarto render produced no PDF in {out_dir} (is the typst format configured?)")
    shutil.move(str(pdfs[0]), target)


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join((text or "").strip().splitlines()[-lines:])


# --------------------------------------------------------------------------------------------
# fallback: data model
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One HTML page of the book (the index or a chapter)."""

    href: str
    title: str


@dataclass(frozen=True)
class FigureRef:
    """A captioned figure: where it lives and its book-wide number (``chapter.k``)."""

    label: str
    href: str
    number: str
    caption: str


@dataclass
class Chapter:
    """An executed notebook prepared for rendering."""

    path: Path
    nb: nbformat.NotebookNode
    number: int
    title: str
    figures: dict[int, FigureRef] = field(default_factory=dict)  # cell index -> figure

    @property
    def href(self) -> str:
        return f"{self.path.stem}.html"


@dataclass(frozen=True)
class IndexDoc:
    """``index.qmd`` split into the metadata the renderer uses and its markdown body."""

    title: str
    subtitle: str
    author: list[str]
    date: str
    body: str


def _render_fallback(
    report_dir: Path,
    chapter_paths: Sequence[Path],
    notebooks: Sequence[nbformat.NotebookNode],
    out_dir: Path,
) -> None:
    pandoc = _pandoc_path()
    assets = report_dir / "assets"
    book_title = _book_title(report_dir)
    index = _read_index(report_dir)
    chapters = [
        Chapter(path=p, nb=nb, number=i, title=_chapter_title(nb, p.stem))
        for i, (p, nb) in enumerate(zip(chapter_paths, notebooks, strict=True), start=1)
    ]
    figures = _number_figures(chapters)
    pages = [Page("index.html", INDEX_NAV_LABEL)] + [Page(c.href, c.title) for c in chapters]
    ctx = _HtmlContext(pandoc=pandoc, assets=assets, book_title=book_title, pages=pages)

    _write_page(ctx, 0, _index_markdown(index, "html"), out_dir)
    for position, chapter in enumerate(chapters, start=1):
        _write_page(ctx, position, _chapter_markdown(chapter, "html", figures, asset_dir=None), out_dir)
    _write_pdf(pandoc, assets, index, chapters, figures, out_dir / PDF_NAME)


def _fallback_banner() -> str:
    return (
        f"Quarto not found on PATH: rendering with pandoc {_pandoc_version()} + typst {_typst_version()} "
        "instead (install Quarto from conda-forge: conda env create -f environment.yml)."
    )


def _pandoc_path() -> str:
    """pandoc from ``pypandoc-binary`` if installed, else from PATH; must be pandoc 3."""
    path: str | None = None
    try:
        import pypandoc

        path = pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        path = shutil.which("pandoc")
    if not path:
        raise RenderError("pandoc not found: install pypandoc-binary (or Quarto)")
    return str(path)


def _pandoc_version() -> str:
    try:
        first = subprocess.run([_pandoc_path(), "--version"], capture_output=True, text=True, check=True)
        return first.stdout.split()[1]
    except (RenderError, OSError, subprocess.CalledProcessError, IndexError):
        return "?"


def _typst_version() -> str:
    try:
        return importlib.metadata.version("typst")
    except importlib.metadata.PackageNotFoundError:
        return "?"


# --------------------------------------------------------------------------------------------
# fallback: index.qmd and _quarto.yml
# --------------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_SHORTCODE = re.compile(r"\{\{<\s*(\w[\w-]*)\s*(.*?)\s*>\}\}", re.DOTALL)


def _quarto_config(report_dir: Path) -> dict[str, Any]:
    path = report_dir / "_quarto.yml"
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"invalid YAML in {path}: {exc}") from exc
    if not isinstance(config, dict):
        raise RenderError(f"{path} must be a YAML mapping")
    return config


def _book_title(report_dir: Path) -> str:
    book = _quarto_config(report_dir).get("book")
    title = book.get("title") if isinstance(book, dict) else None
    return str(title) if title else BOOK_TITLE_DEFAULT


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a ``---`` YAML front matter block from a markdown document."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise RenderError(f"invalid YAML front matter: {exc}") from exc
    if not isinstance(meta, dict):
        raise RenderError("YAML front matter must be a mapping")
    return meta, text[match.end() :]


def _read_index(report_dir: Path) -> IndexDoc:
    meta, body = split_front_matter((report_dir / "index.qmd").read_text(encoding="utf-8"))
    return IndexDoc(
        title=str(meta.get("title") or ""),
        subtitle=str(meta.get("subtitle") or ""),
        author=_authors(meta.get("author")),
        date=_display_date(meta.get("date") or meta.get("as-of")),
        body=expand_shortcodes(body, report_dir),
    )


def _authors(value: Any) -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(a.get("name", "")) if isinstance(a, dict) else str(a) for a in items]


def _display_date(value: Any) -> str:
    """Quarto's ``today`` / ``now`` / ``last-modified`` keywords become today's ISO date."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    if str(value).strip().lower() in {"today", "now", "last-modified"}:
        return dt.date.today().isoformat()
    return str(value)


def expand_shortcodes(text: str, base_dir: Path | None = None) -> str:
    """Handle Quarto ``{{< ... >}}`` shortcodes: ``include`` is inlined, all others are dropped."""

    def replace(match: re.Match[str]) -> str:
        name, arg = match.group(1), match.group(2).strip().strip("\"'")
        if name == "include" and base_dir is not None and arg:
            path = (base_dir / arg).resolve()
            if path.is_file():
                return expand_shortcodes(path.read_text(encoding="utf-8"), path.parent)
        return ""

    return _SHORTCODE.sub(replace, text)


def _index_markdown(index: IndexDoc, target: Target) -> str:
    """The index page (HTML) or the PDF's front part: metadata block + preface body."""
    meta: dict[str, Any] = {"title": index.title or BOOK_TITLE_DEFAULT}
    if index.subtitle:
        meta["subtitle"] = index.subtitle
    if index.author:
        meta["author"] = index.author
    if index.date:
        meta["date"] = index.date
    front = "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n"
    body = _rewrite_links(index.body) if target == "html" else index.body
    if target == "pdf" and not re.search(r"^# ", body, re.MULTILINE):
        body = f"# {INDEX_NAV_LABEL}\n\n" + body
    return front + body.strip() + "\n"


# --------------------------------------------------------------------------------------------
# fallback: notebooks -> pandoc markdown
# --------------------------------------------------------------------------------------------

_H1 = re.compile(r"^#[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_OPTION_LINE = re.compile(r"^#\|\s?(.*)$")
_LOCAL_DOC_LINK = re.compile(r"\]\((?!\w+://)([^)\s#]+?)\.(?:ipynb|qmd)(#[^)\s]*)?\)")
_FIG_XREF = re.compile(r"(?<![\w@/\\])@(fig-[\w-]*\w)")
_XML_PROLOG = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?", re.IGNORECASE)
_SVG_WIDTH = re.compile(r"<svg\b[^>]*?\swidth\s*=\s*[\"']?\s*([\d.]+)\s*(px|pt)?", re.IGNORECASE | re.DOTALL)


def _text(value: Any) -> str:
    """Notebook text fields may be a string or a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value or "")


def _tags(cell: Mapping[str, Any]) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []) or [])


def _chapter_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The first ``# `` heading of the first markdown cell (else a YAML title, else the stem)."""
    for cell in nb.cells:
        if cell.cell_type == "raw":
            meta, _ = split_front_matter(_text(cell.source))
            if meta.get("title"):
                return _plain_title(str(meta["title"]))
        if cell.cell_type == "markdown" and "remove-cell" not in _tags(cell):
            match = _H1.search(_text(cell.source))
            return _plain_title(match.group(1)) if match else fallback
    return fallback


def _plain_title(title: str) -> str:
    """Strip pandoc attributes (``{#id}``) and inline markdown markers from a heading."""
    title = re.sub(r"\s*\{[^}]*\}\s*$", "", title)
    return re.sub(r"[*`]", "", title).strip()


def cell_options(cell: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """Options of a code cell and its source without the leading ``#|`` option lines.

    Options come from Quarto-style ``#| key: value`` comments at the top of the source and from
    ``metadata.aicompute`` (``label``, ``caption`` -> ``fig-cap``).
    """
    lines = _text(cell.get("source", "")).splitlines()
    option_lines: list[str] = []
    while lines and (m := _OPTION_LINE.match(lines[0])):
        option_lines.append(m.group(1))
        lines.pop(0)
    options: dict[str, Any] = {}
    if option_lines:
        try:
            parsed = yaml.safe_load("\n".join(option_lines))
            options = parsed if isinstance(parsed, dict) else {}
        except yaml.YAMLError:
            options = {}
    meta = cell.get("metadata", {}).get("aicompute") or {}
    if isinstance(meta, dict):
        if meta.get("label"):
            options["label"] = meta["label"]
        if meta.get("caption"):
            options["fig-cap"] = meta["caption"]
    return options, "\n".join(lines).strip("\n")


def _number_figures(chapters: Sequence[Chapter]) -> dict[str, FigureRef]:
    """Number captioned figures ``chapter.k`` in book order; returns them by label."""
    by_label: dict[str, FigureRef] = {}
    for chapter in chapters:
        k = 0
        for index, cell in enumerate(chapter.nb.cells):
            if cell.cell_type != "code" or _cell_removed(cell):
                continue
            options, _ = cell_options(cell)
            caption = options.get("fig-cap")
            if not caption or not cell.get("outputs") or not _shows_outputs(cell, options):
                continue
            k += 1
            label = re.sub(r"[^\w-]", "-", str(options.get("label") or f"fig-{chapter.path.stem}-{k}"))
            ref = FigureRef(
                label=label, href=chapter.href, number=f"{chapter.number}.{k}", caption=str(caption)
            )
            chapter.figures[index] = ref
            by_label[label] = ref
    return by_label


def _shows_outputs(cell: Mapping[str, Any], options: Mapping[str, Any]) -> bool:
    """Whether a code cell's outputs are published (not parameters, not removed by tag or option)."""
    tags = _tags(cell)
    return not (tags & PARAMETER_TAGS or "remove-output" in tags or options.get("output") is False)


def _cell_removed(cell: Mapping[str, Any]) -> bool:
    options, _ = cell_options(cell) if cell.get("cell_type") == "code" else ({}, "")
    return "remove-cell" in _tags(cell) or options.get("include") is False


def _rewrite_links(markdown: str) -> str:
    """Links to sibling notebooks / qmd files point at their rendered HTML pages."""
    return _LOCAL_DOC_LINK.sub(lambda m: f"]({m.group(1)}.html{m.group(2) or ''})", markdown)


def _resolve_xrefs(markdown: str, figures: Mapping[str, FigureRef], target: Target, current: str) -> str:
    """Quarto cross references ``@fig-x`` become links reading ``Figure 1.2``."""

    def replace(match: re.Match[str]) -> str:
        ref = figures.get(match.group(1))
        if ref is None:
            return match.group(0)
        if target == "pdf" or ref.href == current:
            return f"[Figure {ref.number}](#{ref.label})"
        return f"[Figure {ref.number}]({ref.href}#{ref.label})"

    return _FIG_XREF.sub(replace, markdown)


def _prose(markdown: str, figures: Mapping[str, FigureRef], target: Target, current: str) -> str:
    """Markdown text (cells or ``text/markdown`` outputs) prepared for pandoc."""
    text = _resolve_xrefs(expand_shortcodes(markdown), figures, target, current)
    return _rewrite_links(text) if target == "html" else text


def _fence(content: str, char: str = "`") -> str:
    """A code fence longer than any run of ``char`` inside ``content``."""
    longest = max((len(run) for run in re.findall(re.escape(char) + "+", content)), default=0)
    return char * max(3, longest + 1)


def raw_block(content: str, fmt: str) -> str:
    """A pandoc raw block (passed through untouched to the ``fmt`` writer)."""
    fence = _fence(content)
    return f"{fence}{{={fmt}}}\n{content.rstrip()}\n{fence}"


def _code_block(content: str) -> str:
    fence = _fence(content)
    return f"{fence}\n{content.rstrip()}\n{fence}"


def _details(summary: str, code: str, extra_class: str = "") -> str:
    cls = f"code-fold {extra_class}".strip()
    return (
        f'<details class="{cls}"><summary>{html.escape(summary)}</summary>'
        f'<pre><code class="language-python">{html.escape(code)}</code></pre></details>'
    )


def _chapter_markdown(
    chapter: Chapter,
    target: Target,
    figures: Mapping[str, FigureRef],
    asset_dir: Path | None,
) -> str:
    """One pandoc-markdown document for a chapter notebook (``asset_dir``: PDF image files)."""
    blocks: list[str] = []
    have_title = False
    for index, cell in enumerate(chapter.nb.cells):
        if _cell_removed(cell) or cell.cell_type == "raw":
            continue
        if cell.cell_type == "markdown":
            text = _text(cell.source)
            have_title = have_title or bool(_H1.search(text))
            blocks.append(_prose(text, figures, target, chapter.href))
        elif cell.cell_type == "code":
            blocks.extend(_code_cell_blocks(chapter, index, cell, target, figures, asset_dir))
    if not have_title:
        blocks.insert(0, f"# {_escape_md(chapter.title)}")
    return "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"


def _code_cell_blocks(
    chapter: Chapter,
    index: int,
    cell: nbformat.NotebookNode,
    target: Target,
    figures: Mapping[str, FigureRef],
    asset_dir: Path | None,
) -> list[str]:
    tags = _tags(cell)
    options, code = cell_options(cell)
    blocks: list[str] = []
    is_params = bool(tags & PARAMETER_TAGS)
    show_input = "remove-input" not in tags and options.get("echo") is not False
    if target == "html" and show_input and code.strip():
        if is_params:
            injected = "injected-parameters" in tags
            summary = "Parameters used in this build" if injected else "Parameters (defaults)"
            extra = "parameters"
        else:
            summary, extra = "Code", ""
        blocks.append(raw_block(_details(summary, code, extra), "html"))
    if not _shows_outputs(cell, options):
        return blocks
    figure = chapter.figures.get(index)
    outputs = list(cell.get("outputs", []))
    caption_at = _caption_output_index(outputs) if figure else None
    for position, output in enumerate(outputs):
        fig = figure if position == caption_at else None
        name = f"{chapter.path.stem}-c{index}-o{position}"
        rendered = (
            _html_output(output, fig) if target == "html" else _pdf_output(output, fig, asset_dir, name)
        )
        if rendered:
            blocks.append(
                _prose(rendered, figures, target, chapter.href) if _is_markdown(output, target) else rendered
            )
    return blocks


def _is_markdown(output: Mapping[str, Any], target: Target) -> bool:
    """True when ``output`` is rendered from its ``text/markdown`` data (so xrefs apply)."""
    order = HTML_MIME_ORDER if target == "html" else PDF_MIME_ORDER
    return _pick_mime(output, order) == "text/markdown"


def _caption_output_index(outputs: Sequence[Mapping[str, Any]]) -> int | None:
    """Which output carries a cell's figure caption: the first chart/image, else the first display."""
    displays = [
        i for i, o in enumerate(outputs) if o.get("output_type") in {"display_data", "execute_result"}
    ]
    for i in displays:
        data = outputs[i].get("data", {})
        if any(m in data for m in ("image/svg+xml", "image/png", "image/jpeg")) or "aic-chart" in _text(
            data.get("text/html", "")
        ):
            return i
    return displays[0] if displays else None


def _pick_mime(output: Mapping[str, Any], order: Iterable[str]) -> str | None:
    data = output.get("data", {}) or {}
    return next((mime for mime in order if mime in data), None)


def _html_output(output: Mapping[str, Any], figure: FigureRef | None) -> str:
    """HTML rendering of one output as pandoc markdown (raw HTML blocks where possible)."""
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") != "stdout" or not _text(output.get("text")).strip():
            return ""
        text = html.escape(_text(output.get("text")).rstrip())
        return raw_block(
            f'<div class="cell-output cell-output-stdout"><pre><code>{text}</code></pre></div>', "html"
        )
    if kind not in {"display_data", "execute_result"}:
        return ""
    mime = _pick_mime(output, HTML_MIME_ORDER)
    if mime is None:
        return ""
    value = _text(output["data"][mime])
    if mime == "text/markdown":
        body = f"::: {{.cell-output .cell-output-markdown}}\n{value.strip()}\n:::"
        if figure is None:
            return body
        return "\n\n".join(
            [raw_block(_figure_open(figure), "html"), body, raw_block(_figure_close(figure), "html")]
        )
    if mime == "text/html":
        inner = value
    elif mime == "image/svg+xml":
        inner = _XML_PROLOG.sub("", value)
    elif mime in {"image/png", "image/jpeg"}:
        alt = html.escape(figure.caption if figure else "", quote=True)
        inner = f'<img src="data:{mime};base64,{"".join(value.split())}" alt="{alt}">'
    else:
        inner = f'<pre class="cell-output-text"><code>{html.escape(value.rstrip())}</code></pre>'
    block = f'<div class="cell-output cell-output-display">\n{inner}\n</div>'
    if figure is not None:
        block = f"{_figure_open(figure)}\n{block}\n{_figure_close(figure)}"
    return raw_block(block, "html")


def _figure_open(figure: FigureRef) -> str:
    return f'<figure id="{html.escape(figure.label, quote=True)}" class="aic-figure">'


def _figure_close(figure: FigureRef) -> str:
    return (
        f'<figcaption><span class="fig-number">Figure {figure.number}:</span> '
        f"{html.escape(figure.caption)}</figcaption></figure>"
    )


def _pdf_output(
    output: Mapping[str, Any], figure: FigureRef | None, asset_dir: Path | None, name: str
) -> str:
    """PDF (typst) rendering of one output as pandoc markdown; never raw HTML."""
    if output.get("output_type") not in {"display_data", "execute_result"}:
        return ""  # streams are HTML-only; errors were rejected up front
    mime = _pick_mime(output, PDF_MIME_ORDER)
    if mime is None:
        return ""
    value = _text(output["data"][mime])
    if mime in {"image/svg+xml", "image/png", "image/jpeg"}:
        if asset_dir is None:
            raise RenderError("internal: no asset directory for PDF images")
        file_name, width_pct = _write_image(asset_dir, name, mime, value)
        return _pdf_image(file_name, width_pct, figure)
    body = value.strip() if mime == "text/markdown" else _code_block(value)
    if figure is None:
        return body
    caption = f"**Figure {figure.number}:** {_escape_md(figure.caption)}"
    return f"{body}\n\n::: {{#{figure.label} .figure-caption}}\n{caption}\n:::"


def _write_image(asset_dir: Path, name: str, mime: str, value: str) -> tuple[str, float]:
    """Write an output image for typst; returns (file name, display width in % of text width)."""
    if mime == "image/svg+xml":
        file_name = f"{name}.svg"
        svg = _XML_PROLOG.sub("", value)
        (asset_dir / file_name).write_text(svg, encoding="utf-8")
        width_pt = _svg_width_pt(svg)
    else:
        file_name = f"{name}.{'png' if mime == 'image/png' else 'jpg'}"
        payload = base64.b64decode("".join(value.split()))
        (asset_dir / file_name).write_bytes(payload)
        width_pt = _png_width_px(payload) * 0.75 if mime == "image/png" else None
    if not width_pt:
        return file_name, 100.0
    return file_name, round(min(100.0, 100.0 * width_pt / PDF_TEXT_WIDTH_PT), 1)


def _svg_width_pt(svg: str) -> float | None:
    match = _SVG_WIDTH.search(svg)
    if not match:
        return None
    value = float(match.group(1))
    return value if (match.group(2) or "px").lower() == "pt" else value * 0.75


def _png_width_px(payload: bytes) -> float | None:
    if payload[:8] != b"\x89PNG\r\n\x1a\n" or len(payload) < 24:
        return None
    return float(struct.unpack(">I", payload[16:20])[0])


def _pdf_image(file_name: str, width_pct: float, figure: FigureRef | None) -> str:
    if figure is None:
        return raw_block(f'#align(center, image("{file_name}", width: {width_pct}%))', "typst")
    caption = f"**Figure {figure.number}:** {_escape_md(figure.caption)}"
    return f"![{caption}]({file_name}){{#{figure.label} width={width_pct}%}}"


def _escape_md(text: str) -> str:
    """Backslash-escape markdown punctuation so ``text`` is read literally by pandoc."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>@$|~^&:\"'])", r"\\\1", text.replace("\n", " "))


# --------------------------------------------------------------------------------------------
# fallback: HTML pages
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _HtmlContext:
    pandoc: str
    assets: Path
    book_title: str
    pages: list[Page]


def navigation(pages: Sequence[Page], current: int, book_title: str) -> tuple[str, str]:
    """Sidebar HTML split around the current page's entry (the page TOC goes in between)."""
    head = [
        f'<a class="book-title" href="index.html">{html.escape(book_title)}</a>',
        '<nav class="book-nav" aria-label="Book"><ol>',
    ]
    tail: list[str] = []
    for i, page in enumerate(pages):
        label = html.escape(page.title)
        if i == current:
            head.append(f'<li><a class="active" aria-current="page" href="{page.href}">{label}</a>')
            tail.append("</li>")
        else:
            (head if i < current else tail).append(f'<li><a href="{page.href}">{label}</a></li>')
    tail.append("</ol></nav>")
    tail.append(f'<p class="download"><a href="{PDF_NAME}">Download the PDF</a></p>')
    return "\n".join(head), "\n".join(tail)


def pager(pages: Sequence[Page], current: int) -> str:
    """Previous / next links."""
    links = []
    if current > 0:
        prev = pages[current - 1]
        links.append(
            f'<a class="prev" href="{prev.href}"><small>← Previous</small>{html.escape(prev.title)}</a>'
        )
    if current < len(pages) - 1:
        nxt = pages[current + 1]
        links.append(f'<a class="next" href="{nxt.href}"><small>Next →</small>{html.escape(nxt.title)}</a>')
    return f'<nav class="pager" aria-label="Chapters">{"".join(links)}</nav>' if links else ""


def _footer(book_title: str) -> str:
    return (
        f"{html.escape(book_title)} · rendered {dt.date.today().isoformat()} with pandoc + typst "
        f'(offline fallback for Quarto) · <a href="{PDF_NAME}">PDF</a>'
    )


def _write_page(ctx: _HtmlContext, position: int, markdown: str, out_dir: Path) -> None:
    """One HTML page; only the index markdown carries a title block (YAML front matter)."""
    page = ctx.pages[position]
    nav_head, nav_tail = navigation(ctx.pages, position, ctx.book_title)
    css = (ctx.assets / "style.css").read_text(encoding="utf-8")
    variables = {
        "inline-css": css,
        "nav-head": nav_head,
        "nav-tail": nav_tail,
        "pager": pager(ctx.pages, position),
        "footer": _footer(ctx.book_title),
        "book-title": ctx.book_title if position else "",
    }
    args = [
        "--to=html5",
        "--standalone",
        f"--template={ctx.assets / 'page.html'}",
        "--toc",
        "--toc-depth=3",
        f"--metadata=pagetitle:{page.title if position else ctx.book_title}",
        *[f"--variable={key}:{value}" for key, value in variables.items()],
        f"--output={out_dir / page.href}",
    ]
    _run_pandoc(ctx.pandoc, ctx.assets, markdown, args)


def _run_pandoc(
    pandoc: str, assets: Path, markdown: str, args: Sequence[str], cwd: Path | None = None
) -> None:
    cmd = [pandoc, "--from=markdown-citations", "--wrap=none", "--preserve-tabs", *_lua_filter(assets), *args]
    try:
        proc = subprocess.run(
            cmd, input=markdown, capture_output=True, text=True, encoding="utf-8",
            cwd=cwd, timeout=PANDOC_TIMEOUT_S, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"pandoc failed to run: {exc}") from exc
    if proc.returncode != 0:
        raise RenderError(f"pandoc failed (exit {proc.returncode}): {_tail(proc.stderr)}")


def _lua_filter(assets: Path) -> list[str]:
    lua = assets / "quarto-compat.lua"
    return [f"--lua-filter={lua}"] if lua.is_file() else []


# --------------------------------------------------------------------------------------------
# fallback: PDF
# --------------------------------------------------------------------------------------------


def _write_pdf(
    pandoc: str,
    assets: Path,
    index: IndexDoc,
    chapters: Sequence[Chapter],
    figures: Mapping[str, FigureRef],
    pdf_path: Path,
) -> None:
    """Whole book -> one typst document (one pandoc call) -> ``typst.compile``."""
    import typst

    with tempfile.TemporaryDirectory(prefix="aicompute-typst-") as tmp:
        work = Path(tmp)
        parts = [_index_markdown(index, "pdf")]
        parts += [_chapter_markdown(c, "pdf", figures, asset_dir=work) for c in chapters]
        typ = work / "book.typ"
        args = ["--to=typst", "--standalone", f"--template={assets / 'book.typ'}", f"--output={typ}"]
        _run_pandoc(pandoc, assets, "\n\n".join(parts), args, cwd=work)
        try:
            typst.compile(str(typ), output=str(pdf_path), root=str(work), font_paths=_font_paths(assets))
        except Exception as exc:  # typst raises its own error types
            raise RenderError(f"typst failed to compile the book: {exc}") from exc
    if not pdf_path.is_file() or pdf_path.read_bytes()[:4] != b"%PDF":
        raise RenderError(f"typst produced no valid PDF at {pdf_path}")


def _font_paths(assets: Path) -> list[str]:
    candidates = [assets / "fonts", Path("/usr/share/fonts"), Path("/usr/local/share/fonts")]
    return [str(p) for p in candidates if p.is_dir()]


# --------------------------------------------------------------------------------------------
# offline check
# --------------------------------------------------------------------------------------------

_SCRIPT_BODY = re.compile(r"(<script\b[^>]*>).*?(</script\s*>)", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<([a-zA-Z][\w:-]*)(\s[^>]*)?>", re.DOTALL)
_URL_ATTR = re.compile(
    r"""(?:^|\s)(src|href|xlink:href|data|poster|srcset)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(
    r"""(?:@import\s+(?:url\()?|url\()\s*["']?\s*((?:https?:)?//[^"')\s;]*)""", re.IGNORECASE
)


def find_external_refs(page: str) -> list[str]:
    """Resources an HTML page would load from the network (``http(s)://`` or ``//``).

    Hyperlinks (``<a href>``) are fine; anything else with a remote ``src``/``href``
    (scripts, stylesheets, images, iframes ...) or a CSS ``@import``/``url()`` is reported.
    Script bodies are not inspected (the inline Vega bundle mentions URLs in strings).
    """
    text = _SCRIPT_BODY.sub(r"\1\2", page)
    found: list[str] = []
    for tag in _TAG.finditer(text):
        name, attrs = tag.group(1).lower(), tag.group(2) or ""
        if name in {"a", "area"}:
            continue
        found += [f"<{name} {m.group(1)}={m.group(2)}>" for m in _URL_ATTR.finditer(attrs)]
    found += [f"css url({m.group(1)})" for m in _CSS_URL.finditer(text)]
    return found


def _assert_offline(out_dir: Path) -> None:
    problems = []
    for page in sorted(out_dir.rglob("*.html")):
        problems += [
            f"{page.relative_to(out_dir)}: {ref}" for ref in find_external_refs(page.read_text("utf-8"))
        ]
    if problems:
        raise RenderError(
            "rendered HTML loads remote resources (must work offline):\n" + "\n".join(problems[:20])
        )
