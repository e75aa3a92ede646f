"""The front page's verdict, assembled from the headline results the chapters published.

No figure is typed by hand and no chapter is named here: each chapter marks its headline results with a
theme (``publish(..., headline="odds")``, see :data:`aicompute.results.THEMES`), and :func:`verdict_panel`
shows them in theme order — the verdict sentence(s), the odds, then the numbers that tell the story (cost,
revenue, financing), each linked to its chapter, then what to watch. A theme that no chapter published fails
the build (:class:`MissingHeadline`), so the front page can never silently lose its answer.

The build writes the panel to ``report/_summary.md``, which ``index.qmd`` includes. Every text in it that
is not this module's own wording — a verdict or watch sentence (which quote the data: signpost names), a
result's label, a chapter title — is markdown-escaped (:func:`aicompute.escape.md`); the ``note`` is
markdown its writer escaped (the build's parameters line, :func:`aicompute.pipeline.build._params_note`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aicompute.chapters import chapter_title
from aicompute.escape import md
from aicompute.formatting import capitalised
from aicompute.results import THEMES, format_result, read_all, tag

#: Themes the front page cannot do without.
REQUIRED = ("verdict", "odds", "cost", "revenue", "financing")
_STORY = {"cost": "What compute costs", "revenue": "What it earns", "financing": "How the gap is financed"}


class MissingHeadline(RuntimeError):
    """A front-page theme has no headline result."""


def headlines(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """{theme: [(notebook, key, result), ...]} in chapter order, then publication order."""
    out: dict[str, list[tuple[str, str, dict[str, Any]]]] = {t: [] for t in THEMES}
    for stem in sorted(results):
        for key, res in results[stem].items():
            theme = res.get("headline")
            if theme:
                out.setdefault(theme, []).append((stem, key, res))
    return out


def _cap(text: str) -> str:
    """``text`` with a capital first letter, markdown-escaped."""
    return md(capitalised(text))


def verdict_panel(results: dict[str, dict[str, dict[str, Any]]], as_of: str | None = None,
                  evidence_line: str = "", titles: dict[str, str] | None = None, *, cutoff: str | None = None,
                  numbers: dict[str, str] | None = None, extra: str = "") -> str:
    """The front page's executive summary (Markdown): the verdict in a few lines with its dates, the odds, the
    download buttons, then the numbers that matter as a table (value and range, unit, what it tells, section).

    ``evidence_line``: the as-of line (:func:`aicompute.narrative.evidence.header`); when it names the ``cutoff`` it
    is the panel's one statement of the dates, under its heading, and the verdict is shown without its own.

    ``numbers``: {notebook stem: chapter number} for the links ("Chapter 4"); ``extra``: Markdown inserted after
    the odds (the odds chart, definitions, signposts: :func:`write_summary`). Raises :class:`MissingHeadline`
    when a :data:`REQUIRED` theme has no headline result.
    """
    from aicompute.narrative.evidence import undated

    found = headlines(results)
    missing = [t for t in REQUIRED if not found.get(t)]
    if missing:
        raise MissingHeadline(f"no chapter published a headline result for {missing} (publish(..., headline=...)); "
                              f"the front page needs one per theme {list(REQUIRED)}")
    titles = titles or {}
    numbers = numbers or {}

    def link(stem: str, text: str | None = None) -> str:
        label = text or (f"Chapter {numbers[stem]}" if stem in numbers else titles.get(stem, stem))
        return f"[{md(label)}]({stem}.html)"

    def day(value: Any) -> str:  # an ISO date needs no escaping
        text = str(value)
        return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else md(text)

    # The dates are said once, inside the panel, by the as-of line every chapter opens with (evidence_line: as of,
    # evidence to, the months after it projected); the verdict below it then drops its own opening 'On evidence to
    # ... (... projected, not observed),' (narrative.evidence.undated). Without that line the heading dates it.
    said = bool(cutoff and f"evidence to {cutoff}" in re.sub(r"<[^>]+>", "", evidence_line))  # numbers are tagged
    if said:
        lines = ["::: {.aic-verdict}", "", "**The verdict**", "", evidence_line, ""]
    else:  # dated by its evidence; a later as-of date is the report's, whose months after the evidence are projected
        dates = f" on evidence to {day(cutoff)}" if cutoff else ""
        if as_of and (not cutoff or str(as_of) != str(cutoff)):
            dates += f"{',' if dates else ''} as of {day(as_of)}"
        lines = ["::: {.aic-verdict}", "", f"**The verdict{dates}.**", ""]
    odds = found["odds"]
    numeric = [(stem, key, res) for stem, key, res in odds if isinstance(res.get("value"), (int, float))]
    if numeric:
        top = max(numeric, key=lambda item: item[2]["value"])
        hard = next((item for item in numeric if str(item[2]["label"]).lower().startswith("hard landing")), None)
        lead = f"Likeliest: {md(str(top[2]['label']))}, **{tag(top[2], f'{top[0]}.{top[1]}')}**"
        if hard is not None and hard is not top:
            lead += f"; {md(str(hard[2]['label']))}: **{tag(hard[2], f'{hard[0]}.{hard[1]}')}**"
        lines += [f"[{lead}.]{{.aic-lead}}", ""]
    for stem, _key, res in found["verdict"]:
        text = undated(str(res["value"]), cutoff, as_of) if said else str(res["value"])
        lines += [f"{md(text)} ({link(stem)})", ""]
    shown = [f"{_cap(res['label'])}: **{tag(res, f'{stem}.{key}')}**" for stem, key, res in odds]
    lines += ["**The odds** (central case on calendar-year totals, and the range over every setting tried: structural choices, the seed's "
              "December-over-December reading among them, calibration dials, the actual or the primary readings alone and presets; "
              f"{link(odds[0][0])}):", ""] + [f"- {o}" for o in shown] + [""]
    lines += [":::", ""]
    if evidence_line and not said:  # the as-of banner (narrative.evidence.header: its own compact block)
        lines += [evidence_line, ""]
    lines += ['::: {.content-visible when-format="html"}', "::: {.aic-downloads}",
              "[Download the report (PDF)](report.pdf)",
              "[Download the data package (zip)](downloads/aicompute-data-package.zip)",
              "[Cite this report](#sec-cite)", ":::", ":::", ""]
    if extra:
        lines += [extra, ""]
    lines += ["## The numbers that matter", "",
              "| What | Value (range) | What it tells | Where |", "|---|---|---|---|"]
    for theme in ("cost", "revenue", "financing"):
        for stem, key, res in found[theme]:  # the value carries its unit (the formatter's): no column of its own
            lines.append(f"| {_cap(res['label'])} | {tag(res, f'{stem}.{key}')} | {_STORY[theme]} | {link(stem)} |")
    lines += ["", ": The numbers that tell the story, each computed in the chapter it links to "
              "{#tbl-key-numbers .aic-stack}", ""]  # .aic-stack: rows as cards on a phone (assets/quarto.css)
    if found.get("watch"):
        lines += ["**What to watch:** " + "; ".join(md(res["value"]) for _, _, res in found["watch"]) + ".", ""]
    return "\n".join(lines) + "\n"


def definitions(folder: Path | None = None) -> str:
    """One-line definitions of the seed (linked to its reference) and the four endings (their thresholds from
    data/scenario_drivers.csv, group 'ending'), as a Markdown list."""
    from aicompute import cite, data
    from aicompute.formatting import number
    from aicompute.narrative import front

    sources = data.load("sources", folder=folder)
    label = cite.citation_labels(sources).get(SEED_ID, "the seed article")
    seed = sources.set_index("id").loc[SEED_ID] if SEED_ID in set(sources["id"]) else None
    date = f", {seed['date']:%d %B %Y}" if seed is not None and hasattr(seed["date"], "strftime") else ""
    drivers = data.load("scenario_drivers", folder=folder).set_index("id")["value"]

    pct = {k: number(abs(float(v)) * 100, ".0f") + "%" for k, v in drivers.items() if str(k).startswith("ending_")}
    return front.definitions(f"[{md(label)}]({REFERENCES}#ref-{SEED_ID}){md(date)}", pct)


SEED_ID = "seed_article"
REFERENCES = "references.html"


def signpost_table(watch: list[str], as_of: Any, folder: Path | None = None) -> str:
    """The signposts the watch list names (``watch``: its sentences, each starting with a signpost's name), as a
    Markdown table: signpost, unit, warning threshold, latest reading published by ``as_of`` (its period and date).
    "" when none is found."""
    import pandas as pd

    from aicompute import data
    from aicompute.scenarios.signposts import latest_reading

    signposts = data.load("signposts", folder=folder)
    obs = data.load("observations", folder=folder)
    obs = obs[pd.to_datetime(obs["published"]) <= pd.Timestamp(as_of)] if as_of else obs
    rows = []
    for sentence in watch:
        sp = next((r for r in signposts.itertuples(index=False) if str(sentence).startswith(f"{r.name}:")), None)
        if sp is None:
            continue
        mine = obs[obs["series"] == sp.id]
        if isinstance(sp.revenue_basis, str) and sp.revenue_basis:
            mine = mine[mine["revenue_basis"] == sp.revenue_basis]
        now = latest_reading(mine, as_of) if as_of else None
        latest = reading_text(now) if now is not None else "no reading yet"
        rows.append(f"| {md(sp.name)} | {md(str(sp.unit))} | {warning_text(sp, now)} | {md(latest)} |")
    if not rows:
        return ""
    return "\n".join(["| Signpost | Unit | Warning if | Latest reading |", "|---|---|---|---|", *rows, "",
                      ": The signposts to watch: each one's warning line and latest reading, in its own unit "
                      "{#tbl-signposts .aic-stack}"])  # .aic-stack: rows as cards on a phone (assets/quarto.css)


def warning_text(sp: Any, reading: Any = None) -> str:
    """A signpost's warning line as the watch table shows it (markdown, escaped): 'above 881'; where the line is a
    past reading of the series (its ``threshold_period``) and the ``reading`` shown is for that period or later,
    which one, labelled as the reading's period is: 'above 881, the Dec 2025 peak' beside '643 for Dec 2025'
    (:func:`aicompute.narrative.front.warning_line`)."""
    import pandas as pd

    from aicompute.formatting import significant
    from aicompute.narrative import front
    from aicompute.narrative.scenarios import period_label

    origin, period = getattr(sp, "threshold_period", None), None if reading is None else reading.get("period")
    shown = (pd.notna(origin) and period is not None and pd.notna(period)
             and pd.Timestamp(period) >= pd.Timestamp(origin))
    label = period_label(origin, str(reading.get("period_type") or "month"), reading.get("entity")) if shown else ""
    return front.warning_line(md(str(sp.direction)), significant(float(sp.threshold), 4), md(label))


def reading_text(r: Any) -> str:
    """A signpost reading as the watch table shows it: its value, the range it was stated with (a reading read
    as an estimate, e.g. our arithmetic on a reported change), the period it is for, labelled as its kind reads
    (a month 'Feb 2026'; a company's fiscal quarter 'Q1 FY27 (Feb–Apr 2026)', not the month it starts) and the
    day it was published, so a stale reading shows its age: '104 (100–110) for Feb 2026, published 2026-02-02'."""
    import pandas as pd

    from aicompute.formatting import with_range
    from aicompute.narrative.scenarios import period_label

    value, low, high = (float(r[k]) if pd.notna(r.get(k)) else None for k in ("value", "low", "high"))
    text = with_range(value, low, high, spec="sig4")
    period = period_label(r["period"], str(r.get("period_type") or "month"), r.get("entity"))
    return f"{text} for {period}, published {pd.Timestamp(r['published']):%Y-%m-%d}"


def reconcile(results: dict[str, dict[str, dict[str, Any]]], folder: Path | None = None) -> str:
    """One paragraph that sets the chance that a bust *begins* (a result keyed ``p_bust_by_<year>``) and the
    signposts' warnings beside the hard-landing odds (the odds headline labelled 'hard landing ...'). "" when
    either is missing."""
    from aicompute import data
    from aicompute.formatting import number
    from aicompute.narrative import front

    bust = next(((stem, key, res) for stem in sorted(results) for key, res in results[stem].items()
                 if key.startswith("p_bust_by_")), None)
    hard = next(((stem, key, res) for stem, key, res in headlines(results).get("odds") or []
                 if str(res.get("label", "")).lower().startswith("hard landing")), None)
    if bust is None or hard is None:
        return ""
    drivers = data.load("scenario_drivers", folder=folder).set_index("id")["value"]
    chip = number(abs(float(drivers["ending_hard_chip_fall"])) * 100, ".0f") + "%"
    capex = number(abs(float(drivers["ending_hard_capex_fall"])) * 100, ".0f") + "%"
    return front.reconcile(_cap(str(bust[2]["label"])), tag(bust[2], f"{bust[0]}.{bust[1]}"), md(str(hard[2]["label"])),
                           tag(hard[2], f"{hard[0]}.{hard[1]}"), chip, capex)


def odds_chart(results: dict[str, dict[str, dict[str, Any]]], svg_path: Path | None = None) -> str:
    """The odds (headline theme 'odds') as a chart: each ending's central value and range. Markdown: the chart's
    HTML for the site; for the PDF, its SVG (written to ``svg_path``) as an image. "" without odds."""
    import pandas as pd

    from aicompute import charts

    odds = headlines(results).get("odds") or []
    rows = [{"ending": str(res["label"])[:1].upper() + str(res["label"])[1:], "central": float(res["value"]),
             "low": float(res["low"] if res.get("low") is not None else res["value"]),
             "high": float(res["high"] if res.get("high") is not None else res["value"]),
             "label": format_result(res)} for _stem, _key, res in odds if isinstance(res.get("value"), (int, float))]
    if not rows:
        return ""
    frame = pd.DataFrame(rows)
    top = frame.sort_values("central", ascending=False).iloc[0]
    chart = charts.odds_ranges(frame, title=f"Likeliest: {top['ending'].lower()}, {top['label']}",
                               subtitle="Central odds (point) and the range over every setting tried (bar), %")
    wrapped = charts.with_source(chart, "Source: the scenario model (chapter 6), from the published results")
    spec = wrapped.to_dict()
    bundle = charts.chart_bundle(spec, runtime="site", name="fig-front-odds", alt_text=charts.alt_text(spec, frame))
    out = ["```{=html}", bundle["text/html"], "```"]
    if svg_path is not None:
        Path(svg_path).write_text(bundle["image/svg+xml"], encoding="utf-8")
        out += ["", '::: {.content-visible when-format="typst"}',
                f"![The odds of each ending, with their ranges]({Path(svg_path).name})", ":::"]
    return "\n".join(out)


def _published(results: dict[str, dict[str, dict[str, Any]]], key: str) -> tuple[str, Any] | None:
    """(notebook, value) of the first chapter that published ``key``; None when none did."""
    return next(((stem, results[stem][key]["value"]) for stem in sorted(results) if key in results[stem]), None)


#: The published grids the front page's dials read (:mod:`aicompute.dials`): the endings' odds, the cost of a GW.
ODDS_GRID, COST_GRID = "dial_grid", "cost_dial_grid"


def dials_section(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """"Move the dials" (Markdown: raw HTML on the site; in the PDF a note and the central numbers): the odds over the scenario model's dials and
    the cost of a GW over the cost of capital and chip life, from the grids the chapters published. "" without
    either grid."""
    from aicompute import dials

    odds, cost = _published(results, ODDS_GRID), _published(results, COST_GRID)
    if odds is None and cost is None:
        return ""
    blocks = ["## Move the dials {#sec-dials}", "", '::: {.content-visible when-format="html"}',
              "The numbers above rest on assumptions. Pick other values and the figures below change: each is "
              "precomputed by the build over a small grid (no calculation happens in the page, and nothing is "
              "fetched).", ":::", ""]
    shown = []  # (grid, widget arguments)
    if odds is not None:
        shown.append((odds[1], {"element_id": "aic-dials-odds", "suffix": "%",
                                "caption": "The odds of each ending by the end of the window"}))
    if cost is not None:
        shown.append((cost[1], {"element_id": "aic-dials-cost", "output_labels": dials.COST_OUTPUTS,
                                "caption": "What a gigawatt costs its owner, and must earn"}))
    registry = _registry()
    links = " and ".join(f"[{md(registry[stem].title if stem in registry else stem)}]({stem}.html)" for stem in
                         dict.fromkeys(x[0] for x in (odds, cost) if x is not None))
    blocks += ['::: {.content-visible when-format="html"}', "```{=html}", "\n".join(dials.widget(g, **kw) for g, kw in shown),
               "```", "", f"How each grid is computed: {links}.", ":::", "",
               # the PDF cannot run the dials: it says so where they would be and prints the central numbers
               '::: {.content-visible when-format="typst"}', "", "\n\n".join(dials.printed(g, **kw) for g, kw in shown),
               "", ":::", ""]
    return "\n".join(blocks)


def _registry() -> dict[str, Any]:
    """The registry's chapters by notebook stem; {} without a registry (a test folder)."""
    try:
        from aicompute import chapters as registry

        return {c.stem: c for c in registry.load()}
    except Exception:
        return {}


def write_summary(results_dir: Path, chapters: list[Path], target: Path, note: str = "",
                  data_folder: Path | None = None) -> str:
    """Write the front page's executive summary for the executed ``chapters`` to ``target``; return it.

    ``note`` (which parameters file and overrides produced this build; markdown, its parts escaped by its
    writer) is printed under the panel. Also writes the PDF's title page lines (:func:`write_titlepage`).
    """
    from aicompute import data
    from aicompute.narrative.evidence import header

    stems = {c.stem for c in chapters}
    results = {k: v for k, v in read_all(results_dir).items() if k in stems} if Path(results_dir).exists() else {}
    as_of = max((r["as_of"]["value"] for r in results.values() if "as_of" in r), default=None)
    ev = data.evidence(as_of, folder=data_folder) if as_of else None
    evidence_line = header(ev) if ev else ""
    cutoff = str(ev.cutoff) if ev else None
    # without a registry (a test folder) links name the chapters by title
    numbers = {k: c.number for k, c in _registry().items() if k in stems}
    chart = odds_chart(results, Path(target).with_name("_odds.svg"))
    extra = [chart] if chart else []
    try:
        extra += ["## What the words mean", "", definitions(data_folder)]
        watch = [str(res["value"]) for _, _, res in headlines(results).get("watch") or []]
        table = signpost_table(watch, as_of, data_folder) if watch else ""
        if table:
            extra += ["", "## The signposts to watch", "", table]
        paragraph = reconcile(results, data_folder)
        if paragraph:
            extra += ["", paragraph]
        section = dials_section(results)
        if section:
            extra += ["", section]
    except (KeyError, LookupError, ValueError):  # a test package without these resources
        pass
    panel = verdict_panel(results, as_of, evidence_line, {c.stem: chapter_title(c) for c in chapters},
                          cutoff=cutoff, numbers=numbers, extra="\n".join(extra))
    text = panel + "\n" + cite_block(as_of) + "\n" + version_line() + (f"\n*{note}*\n" if note else "")
    Path(target).write_text(text, encoding="utf-8")
    write_titlepage(Path(target).with_name(TITLEPAGE), as_of, cutoff)
    write_changelog(Path(target).with_name(CHANGELOG))
    return text


#: The PDF title page's lines (report/_titlepage.yml, a Quarto metadata file read by report/typst-show.typ).
TITLEPAGE = "_titlepage.yml"
#: Where the site is, when no address is given: the rendered folder, which opens offline.
LOCAL_SITE = "report/_site/index.html in the project folder (opens offline)"


def _git(*args: str, timeout: float) -> str:
    """``git args`` in the project's checkout: its output, "" outside a git checkout."""
    import subprocess

    from aicompute.paths import ROOT

    try:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=timeout,
                              check=False).stdout
    except OSError:
        return ""


def version() -> str:
    """The package version and, in a git checkout, the commit it was built from: '0.1.0 (ca5b8ee)'."""
    from aicompute import __version__

    commit = _git("rev-parse", "--short", "HEAD", timeout=10).strip()
    return f"{__version__} ({commit})" if commit else __version__


def titlepage_lines(as_of: Any, cutoff: Any, site: str | None = None) -> list[str]:
    """The title page's lines under the author: as-of date and latest evidence, version, site address (``site``,
    default :data:`LOCAL_SITE`; passed in, never read from the environment, so the page depends on its inputs only)."""
    site = site or LOCAL_SITE
    lines = []
    if as_of:
        lines.append(f"As of {as_of} · evidence to {cutoff}" if cutoff else f"As of {as_of}")
    lines += [f"Version {version()}", f"Web version: {site}"]
    return lines


def write_titlepage(path: Path, as_of: Any, cutoff: Any, site: str | None = None) -> Path:
    """``report/_titlepage.yml``: ``aic-titlepage``, the title page's lines (markdown-escaped)."""
    import yaml

    lines = [md(str(line)) for line in titlepage_lines(as_of, cutoff, site)]
    Path(path).write_text(yaml.safe_dump({"aic-titlepage": lines}, allow_unicode=True), encoding="utf-8")
    return Path(path)


#: The change list (report/_changelog.md, included by report/changes.qmd, a page of its own).
CHANGELOG = "_changelog.md"


def version_line(entries: list[tuple[str, str, str]] | None = None) -> str:
    """The front page's one line on its edition (Markdown): 'Version 0.1.0 (ca5b8ee), of 2026-12-07.', the date
    of the latest change (``entries``: :func:`changelog`); on the site with a link to the change list, which has
    a page of its own (report/changes.qmd) and is not front-page copy."""
    entries = changelog(1) if entries is None else entries
    when = f", of {entries[0][0]}" if entries else ""
    line = f"Version {md(version())}{md(when)}."
    return "\n".join(['::: {.content-visible when-format="html"}', f"{line} [What changed](changes.html).", ":::", "",
                       '::: {.content-hidden when-format="html"}', line, ":::", ""])


def changelog(limit: int = 15) -> list[tuple[str, str, str]]:
    """The latest ``limit`` changes from the git history: (date, commit, subject); [] outside a git checkout."""
    out = _git("log", f"-{limit}", "--no-merges", "--date=short", "--format=%ad%x09%h%x09%s", timeout=20)
    return [tuple(line.split("\t", 2)) for line in out.splitlines() if line.count("\t") >= 2]  # type: ignore[misc]


def outside_inputs() -> str:
    """What the front page reads from outside report/, the data and the results: the version (with the commit),
    the change list from the git history and CITATION.cff (the citation). The build's render key hashes it, so a
    new commit refreshes the version and the change list even when nothing else changed."""
    from aicompute.paths import ROOT

    cff = ROOT / "CITATION.cff"
    return repr((version(), changelog(), cff.read_text(encoding="utf-8") if cff.is_file() else ""))


#: What in a commit subject is code, shown as code on the change list: a dotted name (``formatting.signed``,
#: ``signposts.csv``; each part two characters or more, so "e.g." stays text), a snake_case name (``cashflow_period``)
#: or a number in e-notation (``1e-05``).
_CODE = re.compile(r"(?<![\w.])(?:[A-Za-z_]\w+(?:\.[A-Za-z_]\w+)+|[A-Za-z]\w*_\w+|[-+\u2212]?\d+(?:\.\d+)?e[-+]\d+)(?!\w)")


def subject_markdown(subject: str) -> str:
    """A commit subject as Markdown: its code (:data:`_CODE`) as inline code, the rest escaped (:func:`md`)."""
    def text(part: str) -> str:  # md() trims; the spaces around a code span are kept
        core = part.strip()
        return part.replace(core, md(core), 1) if core else part

    out, at = [], 0
    for m in _CODE.finditer(subject):
        out += [text(subject[at:m.start()]), f"`{m.group(0)}`"]
        at = m.end()
    return "".join(out) + text(subject[at:])


def write_changelog(path: Path, limit: int = 15) -> str:
    """``report/_changelog.md``, the change list's page: the version and the latest changes, newest first, each
    the project's own note on it (subjects escaped, their code shown as code: :func:`subject_markdown`; cut at 160
    characters)."""
    lines = [f"This is version **{md(version())}** of the report. The latest {limit} changes to its code, data and "
             "text, newest first, each as the project's history records it (the commit id finds the change in the "
             "repository):", ""]
    from aicompute.narrative.evidence import chapter_refs

    entries = changelog(limit)
    for date, commit, subject in entries:
        subject = chapter_refs(subject)  # 'Chapter 05' (a file number) as the report numbers it
        text = subject if len(subject) <= 160 else subject[:157].rsplit(" ", 1)[0] + " …"
        lines.append(f"- {date} ({commit}): {subject_markdown(text)}")
    if not entries:
        lines.append("- (no git history in this copy)")
    text = "\n".join(lines) + "\n"
    Path(path).write_text(text, encoding="utf-8")
    return text


def cite_block(as_of: Any = None, cff: Path | None = None) -> str:
    """"Cite this report" (Markdown): a citation in words and as BibTeX, from CITATION.cff (title, authors, version,
    year), with the as-of date and the commit. (Quarto's own ``citation:`` appendix is not rendered in books.)"""
    import yaml

    from aicompute.paths import ROOT

    path = Path(cff) if cff is not None else ROOT / "CITATION.cff"
    meta = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    title = str(meta.get("title", "AI compute economics: the 24-month test"))
    authors = [a.get("name") or " ".join(filter(None, (a.get("given-names"), a.get("family-names"))))
               for a in meta.get("authors") or [] if isinstance(a, dict)] or ["aicompute contributors"]
    year = str(meta.get("date-released", ""))[:4] or (str(as_of)[:4] if as_of else "")
    ver = version()
    when = f", as of {as_of}" if as_of else ""
    words = f"{'; '.join(authors)} ({year}). *{md(title)}*. Version {md(ver)}{md(when)}."
    bib_authors = " and ".join("{" + a + "}" for a in authors)
    bibtex = "\n".join(["@techreport{aicompute" + year + ",", f"  title = {{{title}}},", f"  author = {{{bib_authors}}},",
                        f"  year = {{{year}}},", f"  note = {{Version {ver}{when}}},", "}"])
    return "\n".join(["## Cite this report {#sec-cite}", "", words, "", "```bibtex", bibtex, "```", ""])

