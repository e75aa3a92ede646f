"""A notebook's ``parameters`` cell, read as papermill reads it: names, literal defaults, the comment after
each, and the ``# [lo, hi]`` range written in that comment.

Below the build layer: the appendix lists every parameter from here, and :mod:`aicompute.pipeline.params`
builds its validation on it (the dependency goes from the build to the library, never back).
"""

from __future__ import annotations

import ast
import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

_RANGE = re.compile(r"\s*\[\s*([-+0-9.eE]+|None)\s*,\s*([-+0-9.eE]+|None)\s*\]")


class ParameterError(ValueError):
    """A bad parameter: the message names it and what was expected."""


def parameters_source(path: Path) -> str:
    """The text of the one cell tagged ``parameters`` in the notebook at ``path``."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{Path(path).name}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    return "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) else cells[0]["source"]


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """{name: {"default", "range": (lo, hi) | None, "comment"}} from the cell tagged ``parameters``: names,
    defaults and comments as papermill reads them (``PythonTranslator.inspect``, what
    :func:`papermill.inspect_notebook` runs, here without its need of a kernel name in the notebook); ours
    are the checks that each line is ``name = literal`` and the ``# [lo, hi]`` range in the comment."""
    return copy.deepcopy(_parameters(Path(path).name, parameters_source(path)))


@functools.lru_cache(maxsize=64)
def _parameters(name: str, src: str) -> dict[str, dict[str, Any]]:
    """:func:`notebook_parameters` of a parameters cell's source, kept per source: a build reads each notebook's
    parameters three times (resolve, its ``require`` lines, their check)."""
    from papermill.translators import PythonTranslator

    found = {p.name: p._asdict() for p in PythonTranslator.inspect({"source": src})}
    out: dict[str, dict[str, Any]] = {}
    for node in ast.parse(src).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # a docstring
            raise ParameterError(f"{name}: the parameters cell may only hold 'name = literal' lines "
                                 f"(line {node.lineno})")
        target = node.targets[0].id
        if target not in found:
            raise ParameterError(f"{name}: papermill cannot read parameter '{target}' (line {node.lineno}); expected "
                                 "'name = literal  # comment' with no '=' in the comment")
        try:
            default = ast.literal_eval(found[target]["default"])
        except (ValueError, SyntaxError):
            raise ParameterError(f"{name}: parameter '{target}' needs a literal default (line {node.lineno})") from None
        comment = found[target]["help"] or ""
        m = _RANGE.search(comment)
        rng = tuple(None if g == "None" else float(g) for g in m.groups()) if m else None
        out[target] = {"default": default, "range": rng, "comment": _RANGE.sub("", comment, count=1).strip()}
    return out
