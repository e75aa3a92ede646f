"""Notebook parameters: read each notebook's ``parameters`` cell, merge user values, validate.

Parameters come from ``report/params/default.yaml`` (or ``--params FILE``) and ``-p name=value``
overrides. A YAML file has two optional sections::

    all:            # applied to every notebook whose parameters cell defines the name
      as_of: "2026-11-28"
    notebooks:      # per notebook (file stem)
      00_claims_audit:
        fast: false

Validation happens before any kernel starts and names the parameter: unknown names, wrong types
(checked against the default's type in the parameters cell), and ranges. A range is written as a
comment on the default, ``utilization = 0.6  # [0, 1] share of peak``; some names have built-in rules
(``seed`` >= 0, ``n_paths`` >= 1, ``as_of`` an ISO date not before the seed article's clock start).
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ParameterError", "notebook_parameters", "load_params_file", "parse_overrides", "resolve",
           "CLOCK_START"]

#: The seed article's 24-month clock starts in January 2026.
CLOCK_START = dt.date(2026, 1, 1)
_RANGE = re.compile(r"#\s*\[\s*([-+0-9.eE]+|None)\s*,\s*([-+0-9.eE]+|None)\s*\]")


class ParameterError(ValueError):
    """A bad parameter: the message names it and what was expected."""


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """{name: {"default", "range": (lo, hi) | None, "comment"}} from the cell tagged ``parameters``."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [c for c in nb.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(f"{Path(path).name}: expected exactly one cell tagged 'parameters', found {len(cells)}")
    src = "".join(cells[0]["source"]) if isinstance(cells[0]["source"], list) else cells[0]["source"]
    lines = src.splitlines()
    out: dict[str, dict[str, Any]] = {}
    for node in ast.parse(src).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # a docstring
            raise ParameterError(f"{Path(path).name}: the parameters cell may only hold 'name = literal' lines "
                                 f"(line {node.lineno})")
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise ParameterError(f"{Path(path).name}: parameter '{node.targets[0].id}' needs a literal default "
                                 f"(line {node.lineno})") from None
        line = lines[node.lineno - 1]
        m = _RANGE.search(line)
        rng = None
        if m:
            rng = tuple(None if g == "None" else float(g) for g in m.groups())
        comment = line.split("#", 1)[1] if "#" in line else ""
        comment = _RANGE.sub("", "#" + comment).lstrip("#").strip() if comment else ""
        out[node.targets[0].id] = {"default": default, "range": rng, "comment": comment}
    return out


def load_params_file(path: Path) -> dict[str, Any]:
    """Read a YAML parameters file safely; structure errors name the file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ParameterError(f"{path}: parameters file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ParameterError(f"{path}: malformed YAML{where}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict) or set(data) - {"all", "notebooks"}:
        raise ParameterError(f"{path}: expected a mapping with the sections 'all' and/or 'notebooks', "
                             f"got {sorted(data) if isinstance(data, dict) else type(data).__name__}")
    for section in ("all", "notebooks"):
        if not isinstance(data.get(section) or {}, dict):
            raise ParameterError(f"{path}: section '{section}' must be a mapping")
    return {"all": dict(data.get("all") or {}), "notebooks": dict(data.get("notebooks") or {})}


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["n_paths=1000", "05_scenarios.seed=7"]`` -> {"n_paths": 1000, "05_scenarios.seed": 7} (YAML values)."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"-p {item!r}: expected name=value")
        try:
            out[name.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise ParameterError(f"-p {item!r}: the value is not valid YAML") from None
    return out


def _type_name(x: Any) -> str:
    return {bool: "true/false", int: "an integer", float: "a number", str: "text", list: "a list",
            dict: "a mapping"}.get(type(x), type(x).__name__)


def check_value(notebook: str, name: str, value: Any, spec: dict[str, Any]) -> Any:
    """Check ``value`` against the default's type and the range; return it (ints widened to float)."""
    default, where = spec["default"], f"parameter '{name}' of {notebook}"
    if isinstance(value, dt.date) and isinstance(default, str):
        value = value.isoformat()  # YAML reads an unquoted 2026-11-28 as a date
    if isinstance(default, bool) or isinstance(value, bool):
        if type(value) is not type(default):
            raise ParameterError(f"{where}: expected {_type_name(default)}, got {value!r}")
    elif isinstance(default, float) and isinstance(value, int):
        value = float(value)
    elif default is not None and not isinstance(value, type(default)):
        raise ParameterError(f"{where}: expected {_type_name(default)}, got {value!r}")
    rng = spec.get("range")
    if rng and isinstance(value, (int, float)):
        lo, hi = rng
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ParameterError(f"{where}: expected a value in [{lo:g}, {hi:g}], got {value!r}")
    if name == "seed" and (not isinstance(value, int) or value < 0):
        raise ParameterError(f"{where}: expected a non-negative integer, got {value!r}")
    if name == "n_paths" and (not isinstance(value, int) or value < 1):
        raise ParameterError(f"{where}: expected a positive integer, got {value!r}")
    if name == "as_of":
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ParameterError(f"{where}: expected a date as YYYY-MM-DD, got {value!r}") from None
        if day < CLOCK_START:
            raise ParameterError(f"{where}: expected a date on or after {CLOCK_START} (the seed's clock start), "
                                 f"got {value}")
    return value


def resolve(
    notebooks: list[Path], file_params: dict[str, Any], overrides: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per-notebook parameter values to inject: {stem: {name: value}}, validated."""
    specs = {nb.stem: notebook_parameters(nb) for nb in notebooks}
    out: dict[str, dict[str, Any]] = {stem: {} for stem in specs}

    def apply(target: str | None, name: str, value: Any, origin: str) -> None:
        stems = [target] if target else [s for s in specs if name in specs[s]]
        if target and target not in specs:
            raise ParameterError(f"{origin}: unknown notebook '{target}' (expected one of {sorted(specs)})")
        if not stems or any(name not in specs[s] for s in stems):
            known = sorted({n for s in (stems or specs) for n in specs[s]})
            raise ParameterError(f"{origin}: unknown parameter '{name}'"
                                 f"{' of ' + target if target else ''}; known parameters: {known}")
        for stem in stems:
            out[stem][name] = check_value(stem, name, value, specs[stem][name])

    for name, value in file_params.get("all", {}).items():
        apply(None, str(name), value, "parameters file, section 'all'")
    for stem, values in file_params.get("notebooks", {}).items():
        if not isinstance(values, dict):
            raise ParameterError(f"parameters file, notebook '{stem}': expected a mapping of name: value")
        for name, value in values.items():
            apply(str(stem), str(name), value, f"parameters file, notebook '{stem}'")
    for key, value in overrides.items():
        stem, _, name = key.rpartition(".")
        apply(stem or None, name, value, f"-p {key}")
    return out
