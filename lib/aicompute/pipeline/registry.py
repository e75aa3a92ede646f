"""Lists generated from the chapter registry (``report/chapters.yml``, :mod:`aicompute.chapters`).

``make chapters`` (``python -m aicompute chapters``) rewrites, between ``generated: chapters`` markers:

* ``report/_quarto.yml``: ``book.chapters`` (index first, then the chapters, the change list and the references) and
  ``book.appendices``;
* ``report/index.qmd``: the front page's chapter list;
* ``README.md``: the readers' chapter list;

and sets the ``chapter`` enum of every table in ``data/datapackage.json`` that has one to the registry's
ledger codes. :func:`stale` lists what is out of date (a test fails on any), ``--check`` exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from aicompute import chapters as chapters_mod
from aicompute import context
from aicompute.chapters import Registry

_BEGIN, _END = "generated: chapters", "end generated"
#: The pages after the chapters and before the appendices (report/*.qmd): the change list, then the references.
BACK_MATTER = ("changes.qmd", "references.qmd")


def _quarto(reg: Registry, indent: str) -> list[str]:
    lines = [f"{indent}chapters:", f"{indent}  - index.qmd"]
    lines += [f"{indent}  - {c.file}" for c in reg.chapters]
    lines += [f"{indent}  - {page}" for page in BACK_MATTER] + [f"{indent}appendices:"]
    lines += [f"{indent}  - {c.file}" for c in reg.appendices]
    return lines


def _index(reg: Registry, indent: str) -> list[str]:
    # no chapter numbers: the preface holds no typed figures (Quarto numbers the chapters). The registry is
    # written by the project, like the notebooks' markdown: its text is markdown, not escaped data.
    return [f"- **{c.title}**{': ' + c.summary if c.summary else ''}" for c in reg.chapters] \
        + ["", "Appendices: " + "; ".join(f"{c.number}, {c.title}" for c in reg.appendices) + "."]


def _readme(reg: Registry, indent: str) -> list[str]:
    return [f"- **{c.number} {c.title}** (`notebooks/{c.file}`){' — ' + c.summary if c.summary else ''}"
            for c in reg.chapters]


#: {relative path: (comment syntax (begin, end), the lines between the markers)}
GENERATED: dict[str, tuple[tuple[str, str], Callable[[Registry, str], list[str]]]] = {
    "report/_quarto.yml": (("# ", ""), _quarto),
    "report/index.qmd": (("<!-- ", " -->"), _index),
    "README.md": (("<!-- ", " -->"), _readme),
}
PACKAGE = "data/datapackage.json"


def _replace_block(text: str, path: str, comment: tuple[str, str], body: Callable[[str], list[str]]) -> str:
    open_, close = (re.escape(c) for c in comment)
    pattern = re.compile(rf"^([ \t]*){open_}{_BEGIN}\b[^\n]*\n(.*?)^[ \t]*{open_}{_END}{close}[ \t]*$", re.S | re.M)
    matches = list(pattern.finditer(text))
    if len(matches) != 1:
        raise chapters_mod.RegistryError(
            f"{path}: expected one block between '{comment[0]}{_BEGIN} ...{comment[1]}' and "
            f"'{comment[0]}{_END}{comment[1]}' lines, found {len(matches)}")
    m = matches[0]
    new = "\n".join(body(m.group(1))) + "\n"
    return text[:m.start(2)] + new + text[m.end(2):]


def _package(text: str, reg: Registry) -> str:
    pkg = json.loads(text)
    for res in pkg.get("resources", []):
        for fld in res.get("schema", {}).get("fields", []):
            if fld.get("name") == "chapter" and "enum" in fld.get("constraints", {}):
                fld["constraints"]["enum"] = reg.ledger_codes()
    return json.dumps(pkg, indent=2, ensure_ascii=False) + "\n"


def generate(root: Path, reg: Registry | None = None) -> dict[str, str]:
    """{relative path: its text with the generated parts rewritten from the registry}."""
    reg = reg or chapters_mod.load(root)
    out = {}
    for rel, (comment, body) in GENERATED.items():
        text = (root / rel).read_text(encoding="utf-8")
        out[rel] = _replace_block(text, rel, comment, lambda indent, body=body: body(reg, indent))
    out[PACKAGE] = _package((root / PACKAGE).read_text(encoding="utf-8"), reg)
    return out


def stale(root: Path, reg: Registry | None = None) -> list[str]:
    """Files whose generated parts differ from what the registry gives."""
    return [rel for rel, text in generate(root, reg).items() if (root / rel).read_text(encoding="utf-8") != text]


def write(root: Path) -> list[str]:
    """Rewrite the generated parts; returns the files changed."""
    changed = []
    for rel, text in generate(root).items():
        if (root / rel).read_text(encoding="utf-8") != text:
            (root / rel).write_text(text, encoding="utf-8")
            changed.append(rel)
    return changed


def main(argv: list[str] | None = None) -> int:
    """``python -m aicompute chapters [--check]``."""
    parser = argparse.ArgumentParser(prog="python -m aicompute chapters", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files (exit 1 if any)")
    parser.add_argument("--project", type=Path, default=None, help="the project folder")
    args = parser.parse_args(argv)
    root = (args.project or context.current().root).resolve()
    try:
        changed = stale(root) if args.check else write(root)
    except chapters_mod.RegistryError as exc:
        print(f"chapter registry: {exc}", file=sys.stderr)
        return 1
    verb = "out of date" if args.check else "rewritten"
    print(f"{verb}: {', '.join(changed)}" if changed else "generated chapter lists are up to date")
    return 1 if (args.check and changed) else 0
