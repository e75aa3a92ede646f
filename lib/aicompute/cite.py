"""Citations: ``report/references.bib`` from ``data/sources.csv``, and chart source lines that match it.

Sources without a personal author get their outlet as a corporate author (``{{NVIDIA}}``), so an in-text
citation reads "NVIDIA (2026)", like the chart source lines; :func:`source_line` gives the labels pandoc's
Chicago author-date style prints for ``@id``, with the same a/b/c suffix citeproc adds when one author has
several entries in a year.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from aicompute.escape import bibtex as escape
from aicompute.escape import url as _escape_url

#: BibLaTeX entry type per ``sources.type``: web pages and news items are ``@online``; filings,
#: analyst notes and research publications are ``@report``.
ENTRY_TYPES = {
    "company": "online",
    "filing": "report",
    "report": "online",
    "leak": "online",
    "analyst": "report",
    "research": "report",
    "secondary": "online",
}
HEADER = (
    "% report/references.bib: generated from data/sources.csv by aicompute.cite. Do not edit:\n"
    "% change data/sources.csv and run `python -m aicompute build` to refresh it.\n"
)
_PAREN = re.compile(r"\s*\([^()]*\)")
_RELAYED = re.compile(
    r",?\s+(?:as reported|as relayed|as summari[sz]ed|reported|via|following)\b.*$", re.IGNORECASE
)


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def _iso(value: Any) -> str:
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)[:10]


def short_publisher(publisher: str) -> str:
    """The outlet's name without asides: "Reuters (following The Information)" -> "Reuters"."""
    text = _PAREN.sub("", str(publisher))
    text = _RELAYED.sub("", text)
    return " ".join(text.split()).strip(" ,;") or str(publisher).strip()


def _names(author: Any) -> tuple[list[str], bool]:
    """Personal names in ``author`` ("A B; C D et al.") and whether the list is open-ended."""
    names = [n.strip() for n in re.split(r";|\band\b", str(author)) if n.strip()]
    more = bool(names) and bool(re.search(r"\bet al\.?$", names[-1]))
    if more:
        names[-1] = re.sub(r"\s*\bet al\.?$", "", names[-1])
        names = [n for n in names if n]
    return names, more


def _authors(author: Any) -> str | None:
    """BibTeX ``author``: "A B; C D" -> "A B and C D"; a trailing "et al." -> "and others"."""
    if not _present(author):
        return None
    names, more = _names(author)
    return " and ".join([escape(n) for n in names] + (["others"] if more else []))


def _author_label(row: dict[str, Any]) -> str:
    """The author part of an in-text citation (pandoc's Chicago author-date): "Cahn", "Kaplan and
    Healey", "Rasgon et al." (three or more, or an open list); else the outlet."""
    if not _present(row.get("author")):
        return short_publisher(row["publisher"])
    names, more = _names(row["author"])
    family = [n.split()[-1] for n in names]
    if more or len(family) >= 3:
        return f"{family[0]} et al."
    return " and ".join(family)


def _sort_title(title: str) -> str:
    """Collation key close to citeproc's: case, spaces and punctuation ignored."""
    return re.sub(r"[\W_]", "", str(title).casefold())


#: The source type of a made-up example (a template's, a tutorial's): kept out of the bibliography and
#: labelled as such wherever it is named, so an example is never passed off as evidence.
ILLUSTRATIVE = "illustrative"


def illustrative_ids(sources: pd.DataFrame) -> set[str]:
    """The ids of the sources of type ``illustrative``."""
    if "type" not in sources.columns:
        return set()
    return set(sources.loc[sources["type"].astype(str) == ILLUSTRATIVE, "id"].astype(str))


def sources_of(ev: Any = None) -> pd.DataFrame:
    """The sources table of ``ev``'s as-of date (its bibliography), or the whole table without ``ev``."""
    from aicompute import data

    return ev.sources() if ev is not None else data.load("sources")


def citation_labels(sources: pd.DataFrame) -> dict[str, str]:
    """Source id -> "Author (year)" as a narrative citation ``@id`` prints it (``2025a`` etc. included).

    Year suffixes follow citeproc: entries sharing an author label and a year get a, b, c ... in
    bibliography order (by title within the group). An ``illustrative`` source is in no bibliography: its
    label says it is an example ("illustrative example, not evidence (Publisher)").
    """
    made_up = illustrative_ids(sources)
    rows = [r for r in sources.to_dict("records") if str(r["id"]) not in made_up]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((_author_label(row), _iso(row["date"])[:4]), []).append(row)
    labels = {}
    for (label, year), members in groups.items():
        members.sort(key=lambda r: _sort_title(r["title"]))
        for k, row in enumerate(members):
            suffix = chr(ord("a") + k) if len(members) > 1 else ""
            labels[str(row["id"])] = f"{label} ({year}{suffix})"
    for row in sources.to_dict("records"):
        if str(row["id"]) in made_up:
            labels[str(row["id"])] = f"illustrative example, not evidence ({short_publisher(row['publisher'])})"
    return labels


def duplicate_sources(sources: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs of ids (first, later, in table order) that list one work twice: the same date, the same author
    label (the outlet or authors an in-text citation prints) and the same URL or the same title (case, spaces
    and punctuation ignored).

    Such a pair gets two bibliography entries and two year letters for one article. Distinct works may share a
    URL (a live data series read on several dates; several filings read in one secondary summary; our sum of
    four companies' figures, whose URL is the part read last): their dates or author labels differ.
    """
    rows = sources.to_dict("records")
    seen: dict[tuple[str, str, str, str], str] = {}
    pairs: list[tuple[str, str]] = []
    for row in rows:
        who, when = _author_label(row), _iso(row["date"])
        keys = [("title", _sort_title(row["title"]))]
        if _present(row.get("url")):
            keys.append(("url", str(row["url"]).strip()))
        found = None
        for kind, value in keys:
            key = (kind, value, who, when)
            found = found or seen.get(key)
            seen.setdefault(key, str(row["id"]))
        if found is not None:
            pairs.append((found, str(row["id"])))
    return pairs


def _entry(row: dict[str, Any]) -> str:
    kind = ENTRY_TYPES.get(str(row["type"]), "misc")
    date = _iso(row["date"])
    author = _authors(row.get("author")) or "{" + escape(short_publisher(row["publisher"])) + "}"
    fields = [
        ("author", author),
        ("title", "{" + escape(row["title"]) + "}"),  # braces: printed as written, no case changes
        ("institution" if kind == "report" else "organization", escape(row["publisher"])),
        ("year", date[:4]),
        ("date", date),
        ("url", _escape_url(row["url"])),  # "" unless http(s): no javascript: link on the references page
        ("urldate", _iso(row["accessed"])),
    ]
    fields = [(name, value) for name, value in fields if value != ""]
    if _present(row.get("note")):
        fields.append(("note", escape(row["note"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{row['id']},\n{body}\n}}\n"


def bibtex(sources: pd.DataFrame) -> str:
    """One BibLaTeX entry per source (sorted by id; ``illustrative`` ones left out), preceded by a comment
    saying where it came from."""
    made_up = illustrative_ids(sources)
    rows = sorted((r for r in sources.to_dict("records") if str(r["id"]) not in made_up), key=lambda r: str(r["id"]))
    return HEADER + "".join("\n" + _entry(r) for r in rows)


def write_references(path: Path | None = None, *, folder: Path | None = None, as_of: Any = None) -> Path:
    """Write ``report/references.bib`` (or ``path``) from the validated sources table; returns the path.

    With ``as_of``, only the sources published by then (:func:`aicompute.data.evidence`): the bibliography
    of a report dated earlier lists nothing later. The file is a build product (git-ignored), rewritten only
    when its content changes (its timestamp then says something).
    """
    from aicompute import data
    from aicompute.paths import REPORT

    target = Path(path) if path is not None else REPORT / "references.bib"
    sources = data.evidence(as_of, folder=folder).sources() if as_of is not None else data.load("sources", folder=folder)
    text = bibtex(sources.drop(columns=["published"], errors="ignore"))
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def source_line(ids: Sequence[str] | str, sources: pd.DataFrame | None = None, *, ev: Any = None,
                series: Mapping[str, Sequence[str]] | None = None) -> str:
    """ "Source: NVIDIA (2026); The Information (2025a)" for source ids, in the given order.

    ``series``: {name: source ids} of repeated releases of one series (a trade body's sales figure, year after
    year), each cited once after ``ids`` as :func:`series_citation` words it ("WSTS/SIA releases, 1989–2026")
    instead of one label per release.

    Each label is the one the citation ``@id`` shows (:func:`citation_labels`; ``sources`` must be the
    whole table for year suffixes to agree). ``ev``: the chapter's :class:`~aicompute.evidence.Evidence`,
    whose sources (those known on its as-of date, as in its bibliography) give the labels when ``sources``
    is not given; with neither, the whole sources table. Unknown ids raise ``KeyError`` naming them.
    """
    ids = [ids] if isinstance(ids, str) else list(ids)
    series = {name: list(members) for name, members in (series or {}).items()}
    if not ids and not any(series.values()):
        raise ValueError("source_line needs at least one source id")
    if sources is None:
        sources = sources_of(ev)
    labels = citation_labels(sources)
    missing = [i for i in [*ids, *(i for members in series.values() for i in members)] if i not in labels]
    if missing:
        raise KeyError(f"unknown source id(s) {missing}: not in data/sources.csv")
    cited = [labels[i] for i in ids] + [series_citation(n, m, sources) for n, m in series.items() if m]
    return "Source: " + "; ".join(dict.fromkeys(cited))


def series_citation(name: str, ids: Sequence[str], sources: pd.DataFrame) -> str:
    """One citation for the releases ``ids`` of one series: "``name``, 1989–2026" (the years of its first and last
    release, one year if they agree)."""
    dates = sources.set_index(sources["id"].astype(str)).loc[list(ids), "date"]
    first, last = (_iso(d)[:4] for d in (dates.min(), dates.max()))
    return f"{name}, {first}" if first == last else f"{name}, {first}–{last}"


