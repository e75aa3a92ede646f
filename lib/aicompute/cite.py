"""Citations: ``report/references.bib`` from ``data/sources.csv``, and chart source lines that match it.

* :func:`bibtex` turns the sources table into BibLaTeX entries (key = source id), which pandoc's
  ``--citeproc`` (the offline renderer) and Quarto read, so chapters can cite ``[@id]`` / ``@id``.
  Sources without a personal author get their outlet as a corporate author (``{{NVIDIA}}``), so an
  in-text citation reads "NVIDIA (2026)", like the chart source lines.
* :func:`write_references` writes the file; the build calls it before rendering. The file is
  committed too (Quarto needs it); a test checks that it is up to date.
* :func:`source_line` builds "Source: NVIDIA (2026); The Information (2025)" from source ids;
  :func:`aicompute.charts.show` uses it for ``sources=[...]``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["ENTRY_TYPES", "bibtex", "escape", "short_publisher", "source_line", "write_references"]

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
_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIALS))
_PAREN = re.compile(r"\s*\([^()]*\)")
_RELAYED = re.compile(
    r",?\s+(?:as reported|as relayed|as summari[sz]ed|reported|via|following)\b.*$", re.IGNORECASE
)


def escape(text: str) -> str:
    """``text`` as a BibTeX field value: specials escaped, whitespace collapsed, UTF-8 kept."""
    return _SPECIAL_RE.sub(lambda m: _SPECIALS[m.group(0)], " ".join(str(text).split()))


def _escape_url(url: str) -> str:
    """URLs are verbatim in BibLaTeX: only characters that would break the braces are percent-encoded."""
    return str(url).strip().replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def _iso(value: Any) -> str:
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)[:10]


def short_publisher(publisher: str) -> str:
    """The outlet's name without asides: "Reuters (following The Information)" -> "Reuters"."""
    text = _PAREN.sub("", str(publisher))
    text = _RELAYED.sub("", text)
    return " ".join(text.split()).strip(" ,;") or str(publisher).strip()


def _authors(author: Any) -> str | None:
    """BibTeX ``author``: "A B; C D" -> "A B and C D"; a trailing "et al." -> "and others"."""
    if not _present(author):
        return None
    names = [n.strip() for n in re.split(r";|\band\b", str(author)) if n.strip()]
    out = []
    for name in names:
        if re.search(r"\bet al\.?$", name):
            name = re.sub(r"\s*\bet al\.?$", "", name)
            out += [escape(name), "others"] if name else ["others"]
        else:
            out.append(escape(name))
    return " and ".join(out)


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
        ("url", _escape_url(row["url"])),
        ("urldate", _iso(row["accessed"])),
    ]
    if _present(row.get("note")):
        fields.append(("note", escape(row["note"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{row['id']},\n{body}\n}}\n"


def bibtex(sources: pd.DataFrame) -> str:
    """One BibLaTeX entry per source (sorted by id), preceded by a comment saying where it came from."""
    rows = sorted(sources.to_dict("records"), key=lambda r: str(r["id"]))
    return HEADER + "".join("\n" + _entry(r) for r in rows)


def write_references(path: Path | None = None, *, folder: Path | None = None) -> Path:
    """Write ``report/references.bib`` (or ``path``) from the validated sources table; returns the path.

    The file is rewritten only when its content changes (its timestamp then says something).
    """
    from aicompute import data
    from aicompute.paths import REPORT

    target = Path(path) if path is not None else REPORT / "references.bib"
    text = bibtex(data.load("sources", folder=folder))
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target


def source_line(ids: Sequence[str] | str, sources: pd.DataFrame | None = None) -> str:
    """ "Source: NVIDIA (2026); The Information (2025)" for source ids (outlet and year, in the given order).

    Unknown ids raise ``KeyError`` naming them; repeated outlet-year labels are shown once.
    """
    ids = [ids] if isinstance(ids, str) else list(ids)
    if not ids:
        raise ValueError("source_line needs at least one source id")
    if sources is None:
        from aicompute import data

        sources = data.load("sources")
    table = sources.set_index("id")
    missing = [i for i in ids if i not in table.index]
    if missing:
        raise KeyError(f"unknown source id(s) {missing}: not in data/sources.csv")
    labels = _unique(
        f"{short_publisher(table.at[i, 'publisher'])} ({_iso(table.at[i, 'date'])[:4]})" for i in ids
    )
    return "Source: " + "; ".join(labels)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)
