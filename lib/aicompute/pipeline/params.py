"""Notebook parameters: read each notebook's ``parameters`` cell (as papermill's inspection reads it, plus
the ranges and ``require`` rules papermill does not read), merge user values, validate.

Parameters come from ``report/params/default.yaml`` (or ``--params FILE``) and ``-p name=value``
overrides. A YAML file has two optional sections::

    all:            # applied to every notebook whose parameters cell defines the name
      as_of: "2026-06-30"
    notebooks:      # per notebook (file stem)
      00_claims_audit:
        fast: false

Validation happens before any kernel starts and names the parameter: unknown names, wrong types
(checked against the default's type in the parameters cell), non-finite numbers, and ranges. A range is
written as a comment on the default, ``utilization = 0.6  # [0, 1] share of peak``; some names have built-in
rules (``seed`` >= 0, ``n_paths`` >= 1, ``as_of`` a real calendar date as YYYY-MM-DD, not before the seed
article's publication date (``seed_article`` in ``data/sources.csv``: earlier, the chapters have nothing to
audit), not after today unless ``allow_future_as_of``, never after :data:`HORIZON`, the end of the seed's
24-month window; ``as_of`` is one date for the whole report, so it is refused per notebook).

The file itself is checked before YAML sees it (it exists, is a file, at most :data:`MAX_FILE_BYTES`, UTF-8
text without NUL bytes) and read with a safe loader that refuses aliases (no "billion laughs"), duplicate
keys and keys that are not names; messages name the file and the key, and quote values shortened.

Constraints between parameters are declared in the parameters cell as comment lines::

    plausible_kw_low = 2.0  # [0.1, 10]
    plausible_kw_high = 4.0  # [0.1, 10]
    # require: plausible_kw_low <= plausible_kw_high

A ``require`` expression may use the cell's parameter names, numbers, ``+ - * /``, comparisons, ``and``,
``or``, ``not`` and ``abs``/``min``/``max``; it is evaluated by walking its syntax tree (never ``eval``) on
the values a build would inject, and a false one stops the build naming the values.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
import re
from pathlib import Path
from typing import Any

import yaml

from aicompute.datapackage import build_date
from aicompute.parameters_cell import ParameterError, notebook_parameters, parameters_source
from aicompute.paths import default_as_of

#: The seed article's 24-month clock starts in January 2026 ...
CLOCK_START = dt.date(2026, 1, 1)
#: ... and ends with December 2027: no as_of beyond it, even with --allow-future-as-of.
HORIZON = dt.date(2027, 12, 31)
#: The seed article's row in data/sources.csv (the earliest as_of is its publication date).
SEED_SOURCE = "seed_article"
#: A parameters file is a few lines; anything larger is refused before YAML parses it.
MAX_FILE_BYTES = 64 * 1024
_PRESET = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_REQUIRE = re.compile(r"^\s*#\s*require:\s*(.*?)\s*$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit dates (``2026-02-30`` stays text, so a bad date is reported, not raised),
    without aliases (a few lines of nested aliases expand to gigabytes) and without duplicate keys."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in a parameters file",
                                              event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(None, None, "expected a name as key, got a "
                                                        f"{type(key).__name__}", key_node.start_mark)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{_short(key)}' (first on line {seen[key].line + 1})",
                    key_node.start_mark)
            seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short(value: Any, limit: int = 60) -> str:
    """``repr``-like text of a value, at most ``limit`` characters (a huge value never floods a message)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show(value: Any, limit: int = 60) -> str:
    """``repr(value)``, at most ``limit`` characters."""
    return _short(repr(value), limit)


def seed_date(folder: Path) -> dt.date | None:
    """The seed article's publication date from ``folder``/sources.csv (None when it cannot be read: the
    data check that follows names the problem)."""
    import csv

    try:
        with open(Path(folder) / "sources.csv", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row.get("id") == SEED_SOURCE:
                    day = dt.date.fromisoformat((row.get("date") or "").strip())
                    return day if day <= build_date() else None  # a date that lies: the data check refuses it
    except (OSError, ValueError, csv.Error):
        return None
    return None


def check_preset_name(name: str) -> str:
    """A preset is a plain name (letters, digits, ``-``, ``_``): it becomes a file and two folder names."""
    if not _PRESET.fullmatch(name):
        raise ParameterError(f"--preset {_short(name)!r}: expected a plain name (letters, digits, '-' or '_', "
                             "e.g. bear), the stem of a file in report/params/; use --params FILE for another file")
    return name


_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
            ast.Eq: operator.eq, ast.NotEq: operator.ne}
_CALLS = {"abs": abs, "min": min, "max": max}


def _evaluate(node: ast.AST, env: dict[str, Any]) -> Any:
    """Evaluate a ``require`` expression's tree (only the node types listed in the module docstring)."""
    if isinstance(node, ast.Expression):
        return _evaluate(node.body, env)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool)):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in env:
            raise ParameterError(f"unknown name '{node.id}' (expected a parameter of this cell)")
        return env[node.id]
    if isinstance(node, ast.BoolOp):
        values = [_evaluate(v, env) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.UAdd)):
        x = _evaluate(node.operand, env)
        return not x if isinstance(node.op, ast.Not) else (-x if isinstance(node.op, ast.USub) else +x)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_evaluate(node.left, env), _evaluate(node.right, env))
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        left = _evaluate(node.left, env)
        for op, comp in zip(node.ops, node.comparators):
            right = _evaluate(comp, env)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS
            and not node.keywords):
        return _CALLS[node.func.id](*(_evaluate(a, env) for a in node.args))
    raise ParameterError(f"'{ast.unparse(node)}' is not allowed (use parameter names, numbers, + - * /, "
                         "comparisons, and/or/not, abs/min/max)")


def notebook_requirements(path: Path) -> list[tuple[str, ast.Expression]]:
    """The ``# require: <expr>`` lines of the parameters cell, parsed and checked against its names."""
    src, names = parameters_source(path), notebook_parameters(path)
    out = []
    for lineno, line in enumerate(src.splitlines(), start=1):
        m = _REQUIRE.match(line)
        if not m:
            continue
        where = f"{Path(path).name}: '# require: {m.group(1)}' (line {lineno} of the parameters cell)"
        try:
            tree = ast.parse(m.group(1), mode="eval")
            _evaluate(tree, {n: spec["default"] for n, spec in names.items()})
        except SyntaxError:
            raise ParameterError(f"{where}: not a valid expression") from None
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
        except (TypeError, ArithmeticError) as exc:
            raise ParameterError(f"{where}: cannot be evaluated on the defaults ({exc})") from None
        out.append((m.group(1), tree))
    return out


def check_requirements(notebook: Path, values: dict[str, Any]) -> None:
    """Check every ``require`` line on the defaults updated with ``values``; raise naming the values."""
    spec = notebook_parameters(notebook)
    env = {n: s["default"] for n, s in spec.items()} | values
    for text, tree in notebook_requirements(notebook):
        try:
            ok = bool(_evaluate(tree, env))
        except (TypeError, ArithmeticError) as exc:
            ok, text = False, f"{text} (evaluating it failed: {exc})"
        if not ok:
            names = sorted((n.col_offset, n.id) for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in env)
            used = list(dict.fromkeys(name for _, name in names))
            got = ", ".join(f"{n}={env[n]!r}" for n in used)
            raise ParameterError(f"parameters of {notebook.stem}: expected {text} (a '# require' line of its "
                                 f"parameters cell), got {got}")


def load_params_file(path: Path) -> dict[str, Any]:
    """Read a YAML parameters file safely; every problem names the file (and the key)."""
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"{path}: parameters file not found")
    if not path.is_file():
        raise ParameterError(f"{path}: expected a YAML parameters file, got a folder or a special file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ParameterError(f"{path}: {size:,} bytes; a parameters file is at most {MAX_FILE_BYTES:,} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                             "expected a YAML parameters file") from None
    if "\0" in text:
        raise ParameterError(f"{path}: contains a NUL byte (a binary file?); expected a YAML parameters file")
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ParameterError(f"{path}: malformed YAML{where}: {_short(getattr(exc, 'problem', exc), 200)}") from None
    except RecursionError:
        raise ParameterError(f"{path}: malformed YAML: nested too deeply") from None
    if data is None:  # an empty file (or only comments): no parameters
        data = {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: expected a mapping with the sections 'all' and/or 'notebooks', got "
                             f"{_type_name(data)} {_short(data)}")
    unknown = [k for k in data if k not in ("all", "notebooks")]
    if unknown:
        raise ParameterError(f"{path}: expected a mapping with the sections 'all' and/or 'notebooks', got the "
                             f"key '{_short(unknown[0])}'")
    for section in ("all", "notebooks"):
        if data.get(section) is not None and not isinstance(data[section], dict):
            raise ParameterError(f"{path}: section '{section}' must be a mapping of name: value, got "
                                 f"{_type_name(data[section])} {_short(data[section])}")
    notebooks = dict(data.get("notebooks") or {})
    for stem, values in notebooks.items():
        if values is not None and not isinstance(values, dict):
            raise ParameterError(f"{path}: notebooks: '{_short(stem)}' must be a mapping of name: value, got "
                                 f"{_type_name(values)} {_short(values)}")
    return {"all": dict(data.get("all") or {}), "notebooks": {k: dict(v or {}) for k, v in notebooks.items()}}


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["n_paths=1000", "05_scenarios.seed=7"]`` -> {"n_paths": 1000, "05_scenarios.seed": 7} (YAML values)."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"-p {item!r}: expected name=value")
        if len(item) > 1000:
            raise ParameterError(f"-p {_short(item)!r}: longer than 1,000 characters")
        try:
            out[name.strip()] = yaml.load(raw, Loader=_Loader)
        except (yaml.YAMLError, RecursionError):
            raise ParameterError(f"-p {_short(item)!r}: the value is not valid YAML (aliases are not allowed)") from None
    return out


def _type_name(x: Any) -> str:
    return {bool: "true/false", int: "an integer", float: "a number", str: "text", list: "a list",
            dict: "a mapping"}.get(type(x), type(x).__name__)


def check_value(notebook: str, name: str, value: Any, spec: dict[str, Any], *, allow_future_as_of: bool = False,
                today: dt.date | None = None, earliest: dt.date | None = None) -> Any:
    """Check ``value`` against the default's type and the range; return it (ints widened to float)."""
    default, where = spec["default"], f"parameter '{name}' of {notebook}"
    if isinstance(value, dt.date) and isinstance(default, str):
        value = value.isoformat()  # YAML reads an unquoted 2026-06-30 as a date
    if isinstance(default, bool) or isinstance(value, bool):
        if type(value) is not type(default):
            raise ParameterError(f"{where}: expected {_type_name(default)}, got {_show(value)}")
    elif isinstance(default, float) and isinstance(value, int):
        value = float(value)
    elif default is not None and not isinstance(value, type(default)):
        raise ParameterError(f"{where}: expected {_type_name(default)}, got {_show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(f"{where}: expected a finite number, got {_show(value)}")
    rng = spec.get("range")
    if rng and isinstance(value, (int, float)):
        lo, hi = rng
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ParameterError(f"{where}: expected a value in [{lo:g}, {hi:g}], got {_show(value)}")
    if name == "seed" and (not isinstance(value, int) or value < 0):
        raise ParameterError(f"{where}: expected a non-negative integer, got {_show(value)}")
    if name == "n_paths" and (not isinstance(value, int) or value < 1):
        raise ParameterError(f"{where}: expected a positive integer, got {_show(value)}")
    if name == "as_of":
        if not _ISO_DATE.match(str(value)):
            raise ParameterError(f"{where}: expected a date as YYYY-MM-DD, got {_show(value)}")
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError as exc:
            raise ParameterError(f"{where}: expected a valid calendar date as YYYY-MM-DD, got {value!r} "
                                 f"({exc})") from None
        if earliest is None:
            earliest, what = CLOCK_START, "the seed's clock start"
        else:
            what = "the seed article's publication date, data/sources.csv; before it there is nothing to audit"
        if day < earliest:
            raise ParameterError(f"{where}: expected a date on or after {earliest} ({what}), got {value}")
        today = today or build_date()
        if day > today and not allow_future_as_of:
            raise ParameterError(f"{where}: expected a date on or before today ({today}), got {value}: no "
                                 "evidence exists after today (pass --allow-future-as-of to build anyway)")
        if day > HORIZON:
            raise ParameterError(f"{where}: expected a date on or before {HORIZON} (the end of the seed's 24-month "
                                 f"window; the report models nothing later), got {value}")
    return value


def resolve(
    notebooks: list[Path], file_params: dict[str, Any], overrides: dict[str, Any], *,
    allow_future_as_of: bool = False, today: dt.date | None = None, earliest_as_of: dt.date | None = None,
) -> dict[str, dict[str, Any]]:
    """Per-notebook parameter values to inject: {stem: {name: value}}, validated one by one and then
    against the ``require`` lines of each parameters cell. ``earliest_as_of``: the seed's date
    (:func:`seed_date`; default :data:`CLOCK_START`)."""
    specs = {nb.stem: notebook_parameters(nb) for nb in notebooks}
    out: dict[str, dict[str, Any]] = {stem: {} for stem in specs}

    def apply(target: str | None, name: str, value: Any, origin: str) -> None:
        stems = [target] if target else [s for s in specs if name in specs[s]]
        if target and name == "as_of":
            raise ParameterError(f"{origin}: 'as_of' is the report's date, one for every chapter; set it under "
                                 "'all:' (or with -p as_of=YYYY-MM-DD), not for one notebook")
        if target and target not in specs:
            raise ParameterError(f"{origin}: unknown notebook '{target}' (expected one of {sorted(specs)})")
        if not stems or any(name not in specs[s] for s in stems):
            known = sorted({n for s in (stems or specs) for n in specs[s]})
            raise ParameterError(f"{origin}: unknown parameter '{name}'"
                                 f"{' of ' + target if target else ''}; known parameters: {known}")
        for stem in stems:
            out[stem][name] = check_value(stem, name, value, specs[stem][name],
                                          allow_future_as_of=allow_future_as_of, today=today,
                                          earliest=earliest_as_of)

    for name, value in file_params.get("all", {}).items():
        if not isinstance(name, str):
            raise ParameterError(f"parameters file, section 'all': expected parameter names, got {_short(name)!r}")
        apply(None, str(name), value, "parameters file, section 'all'")
    for stem, values in file_params.get("notebooks", {}).items():
        if not isinstance(values, dict):
            raise ParameterError(f"parameters file, notebook '{stem}': expected a mapping of name: value")
        for name, value in values.items():
            apply(str(stem), str(name), value, f"parameters file, notebook '{stem}'")
    for key, value in overrides.items():
        stem, _, name = key.rpartition(".")
        apply(stem or None, name, value, f"-p {key}")
    for stem, spec in specs.items():  # `as_of = None`: the report's date, from report/params/default.yaml
        if "as_of" in spec and spec["as_of"]["default"] is None and "as_of" not in out[stem]:
            root = notebooks[0].resolve().parent.parent
            try:
                value = default_as_of(root)
            except ValueError as exc:
                raise ParameterError(f"parameter 'as_of' of {stem}: {exc}") from None
            out[stem]["as_of"] = check_value(stem, "as_of", value, spec["as_of"], allow_future_as_of=allow_future_as_of,
                                             today=today, earliest=earliest_as_of)
    for nb in notebooks:
        check_requirements(nb, out[nb.stem])
    return out
