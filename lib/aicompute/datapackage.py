"""Load and validate the data package in ``data/``.

``data/datapackage.json`` is a Frictionless data package: each resource (CSV) has a Table Schema with
field names, types, constraints, a primary key and foreign keys. :func:`load` checks a resource on every
load and returns a typed :class:`pandas.DataFrame`; anything wrong raises :class:`DataError` whose message
names the file, the row (and file line), the column, what was expected and what was found.

:func:`load` checks, in order: file readable, no byte-order mark, valid UTF-8, no control characters, a final
newline, header = schema fields (no missing, no unknown), at least one data row, each row's field count, each
cell's type (numbers in ASCII digits, finite; real calendar dates), the row rules, units and dates below.
:func:`validate_package` (a build runs it before any kernel; ``make validate``) adds :mod:`frictionless`'s
validation of the whole package: constraints (required, enum, pattern, minimum, maximum), unique and primary
keys, foreign keys (every ``source_id`` exists in ``sources.csv``). It is several times slower than the
loader's checks, so it runs once per build (and once per resource content in a process), not on every load.

Numbers must be finite (no ``inf``, ``nan``) and within the bounds of their unit: ``unitBounds`` in
``datapackage.json`` gives each unit a plausible range (a share <= 100 %, a GW figure below the world's
generating capacity, a USD figure below world GDP...). A numeric field is in its own ``unit`` (schema) or,
without one, in the row's ``unit`` column; every unit used must have bounds.

Row rules (applied wherever the named columns exist):
    * ``low <= value <= high`` (and ``low <= high``);
    * a ``unit`` of ``percent`` is a share: numbers in [0, 100];
    * amounts (every unit except ``percent change`` and units whose ``unitBounds`` minimum is negative, e.g.
      a log growth rate) are not negative;
    * a row with ``seed_text`` (a claim from the seed article) has a ``verdict``;
    * a source's publication ``date`` is not after the day it was ``accessed``;
    * a reading's ``period`` is the first day of a month, and an ``actual`` reading is not ``published``
      before its period begins (only guidance and forecasts may precede their period).

A foreign key marked ``"sameUnit": true`` also requires each row's ``unit`` to equal the referenced row's.

The loader keeps no record of what it reads: in a build, the executor's audit hook
(:func:`aicompute.pipeline.tracking.track_reads`) logs every project file a kernel opens, so the build
re-executes a notebook only when data it actually read has changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import functools
import hashlib
import io
import json
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from aicompute.paths import ROOT, data_dir

__all__ = ["DataError", "build_date", "BUILD_DATE_ENV", "by_id", "Claim", "load", "claim", "claim_of", "claims", "validate_package", "resources",
           "dating_fields", "check_dating"]

NUMBER_FIELDS = ("value", "low", "high", "seed_value")
SIGNED_UNITS = {"percent change"}
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
#: Numbers as plain ASCII decimals: Python's float() and int() also take '1_0', Arabic-Indic or full-width digits.
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
#: C0 controls except tab/newline/carriage return, DEL, C1 controls, and the bidirectional overrides.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: Plausible years of a date field (a forecast period too).
DATE_YEARS = (1850, 2100)
_CACHE: dict[tuple[str, str], tuple[str, pd.DataFrame]] = {}


#: Set to YYYY-MM-DD to fix the build date (tests); otherwise today.
BUILD_DATE_ENV = "AICOMPUTE_BUILD_DATE"


def build_date() -> dt.date:
    """The build's date: no data is dated after it (forecast periods aside) and no as_of lies after it without
    ``--allow-future-as-of``. ``$AICOMPUTE_BUILD_DATE`` (YYYY-MM-DD) overrides today, for tests."""
    raw = os.environ.get(BUILD_DATE_ENV, "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"${BUILD_DATE_ENV}: expected a date as YYYY-MM-DD, got {raw[:40]!r}") from None


class DataError(ValueError):
    """Invalid data. The message names the file, row, column and what was expected."""

    def __init__(
        self,
        file: str | Path,
        message: str,
        *,
        row: int | None = None,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file, self.row, self.line, self.column = _display(file), row, line, column
        where = [self.file]
        if row is not None:
            where.append(f"row {row}" + (f" (line {line})" if line is not None else ""))
        elif line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column '{column}'")
        self.detail = message
        super().__init__(", ".join(where) + ": " + message)


@dataclass(frozen=True)
class Claim:
    """One row of the claims ledger, with its source."""

    id: str
    statement: str
    value: float | None
    low: float | None
    high: float | None
    unit: str
    as_of: dt.date
    source_id: str
    basis: str
    chapter: str
    verdict: str | None
    seed_text: str | None
    seed_value: float | None
    source_title: str
    source_publisher: str
    source_url: str

    @property
    def range(self) -> tuple[float | None, float | None]:
        """(low, high), falling back to the value where no range is recorded."""
        return (self.value if self.low is None else self.low, self.value if self.high is None else self.high)


def _display(path: str | Path) -> str:
    """A path relative to the project root where possible (how users see it)."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(ROOT.resolve()))
    except ValueError:
        return str(p)


def _package(folder: Path | None = None) -> tuple[Path, dict[str, Any]]:
    folder = Path(folder) if folder is not None else data_dir()
    path = folder / "datapackage.json"
    try:
        raw = path.read_bytes()  # read every time: an edit is seen (and the build's executor records the read)
    except FileNotFoundError:
        raise DataError(path, "data package descriptor not found") from None
    key = (str(path.resolve()), hashlib.sha1(raw).hexdigest())
    if key not in _PARSED:  # parsed and checked once per content (a load asks for it several times)
        try:
            pkg = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise DataError(path, f"not UTF-8: {exc.reason}") from None
        except json.JSONDecodeError as exc:
            raise DataError(path, f"invalid JSON: {exc.msg}", line=exc.lineno) from None
        _check_descriptor(path, pkg)
        _PARSED[key] = pkg
    return path, _PARSED[key]  # shared: callers read it, never change it


_PARSED: dict[tuple[str, str], dict[str, Any]] = {}
_TYPES = ("string", "number", "integer", "date", "boolean", "year")


def _check_descriptor(path: Path, pkg: Any) -> None:
    """The descriptor's structure, before any table is read: each problem is one :class:`DataError` naming
    the resource and the key (instead of a KeyError or TypeError from deep inside a load)."""
    def bad(message: str, column: str | None = None) -> None:
        raise DataError(path, message, column=column)

    if not isinstance(pkg, dict):
        bad(f"expected an object (a data package descriptor), got {type(pkg).__name__}")
    if not isinstance(pkg.get("resources"), list):
        bad("expected a 'resources' list")
    bounds = pkg.get("unitBounds", {})
    if not isinstance(bounds, dict):
        bad("'unitBounds' must be an object {unit: {minimum, maximum, why}}", column="unitBounds")
    for unit, b in bounds.items():
        if not isinstance(b, dict):
            bad(f"unitBounds '{unit}': expected an object with minimum/maximum", column="unitBounds")
        for k in ("minimum", "maximum"):
            if k in b and (isinstance(b[k], bool) or not isinstance(b[k], (int, float))):
                bad(f"unitBounds '{unit}': '{k}' expected a number, got {b[k]!r}", column="unitBounds")
    folder = path.parent.resolve()
    names: dict[str, dict[str, Any]] = {}
    for i, res in enumerate(pkg["resources"], start=1):
        if not isinstance(res, dict):
            bad(f"resource {i}: expected an object, got {type(res).__name__}")
        name = res.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name):
            bad(f"resource {i}: expected a 'name' (lower-case letters, digits, '_', '-', '.'), got {name!r}",
                column="name")
        if name in names:
            bad(f"resource {i}: duplicate name '{name}'", column="name")
        names[name] = res
        where = f"resource '{name}'"
        rpath = res.get("path")
        if not isinstance(rpath, str) or not rpath.strip():
            bad(f"{where}: expected a 'path' (a CSV file in the data folder), got {rpath!r}", column="path")
        target = (folder / rpath).resolve()
        if Path(rpath).is_absolute() or target.parent != folder:
            bad(f"{where}: path '{rpath}' lies outside the data folder; expected a file name in {_display(folder)}/",
                column="path")
        schema = res.get("schema")
        if not isinstance(schema, dict):
            bad(f"{where}: 'schema' expected an object with 'fields', got {type(schema).__name__}", column="schema")
        fields = schema.get("fields")
        if not isinstance(fields, list) or not fields:
            bad(f"{where}: schema 'fields' expected a list of field objects, got {type(fields).__name__}",
                column="fields")
        seen: set[str] = set()
        for j, f in enumerate(fields, start=1):
            if not isinstance(f, dict) or not isinstance(f.get("name"), str) or not f["name"].strip():
                bad(f"{where}: field {j}: expected an object with a 'name'", column="fields")
            fw = f"{where}, field '{f['name']}'"
            if f["name"] in seen:
                bad(f"{fw}: duplicate field name", column="fields")
            seen.add(f["name"])
            kind = f.get("type", "string")
            if kind not in _TYPES:
                bad(f"{fw}: unsupported type {kind!r}; expected one of {list(_TYPES)}", column="type")
            for flag in ("forecastPeriod", "publicationDate"):
                if flag in f and (not isinstance(f[flag], bool) or kind != "date"):
                    bad(f"{fw}: '{flag}' expected true/false on a date field", column=flag)
            c = f.get("constraints", {})
            if not isinstance(c, dict):
                bad(f"{fw}: 'constraints' expected an object", column="constraints")
            for k in ("minimum", "maximum"):
                if k in c and (isinstance(c[k], bool) or not isinstance(c[k], (int, float))
                               or kind not in ("number", "integer", "year")):
                    bad(f"{fw}: constraint '{k}' expected a number on a numeric field, got {c[k]!r}", column=k)
            if "pattern" in c:
                try:
                    re.compile(c["pattern"]) if isinstance(c["pattern"], str) else None
                except (re.error, RecursionError) as exc:
                    bad(f"{fw}: constraint 'pattern' {c['pattern']!r} is not a valid regular expression ({exc})",
                        column="pattern")
                if not isinstance(c["pattern"], str):
                    bad(f"{fw}: constraint 'pattern' expected text, got {c['pattern']!r}", column="pattern")
            if "enum" in c and not isinstance(c["enum"], list):
                bad(f"{fw}: constraint 'enum' expected a list, got {c['enum']!r}", column="enum")
            for k in ("required", "unique"):
                if k in c and not isinstance(c[k], bool):
                    bad(f"{fw}: constraint '{k}' expected true/false, got {c[k]!r}", column=k)
        pk = schema.get("primaryKey", [])
        for k in [pk] if isinstance(pk, str) else pk if isinstance(pk, list) else [pk]:
            if not isinstance(k, str) or k not in seen:
                bad(f"{where}: primaryKey names unknown field {k!r}; expected one of its fields", column="primaryKey")
        fks = schema.get("foreignKeys", [])
        if not isinstance(fks, list):
            bad(f"{where}: 'foreignKeys' expected a list", column="foreignKeys")
        for fk in fks:
            ref = fk.get("reference") if isinstance(fk, dict) else None
            if not isinstance(ref, dict):
                bad(f"{where}: foreignKeys: expected objects with 'fields' and 'reference'", column="foreignKeys")
            cols = _as_list(fk.get("fields"))
            for k in cols or [fk.get("fields")]:
                if not isinstance(k, str) or k not in seen:
                    bad(f"{where}: foreignKeys names unknown field {k!r}; expected one of its fields",
                        column="foreignKeys")
            if not isinstance(ref.get("resource", ""), str):
                bad(f"{where}: foreignKeys reference 'resource' expected a name", column="foreignKeys")
            ref_cols = _as_list(ref.get("fields"))
            if len(ref_cols) != len(cols) or not all(isinstance(k, str) for k in ref_cols):
                bad(f"{where}: foreignKeys {cols}: expected as many reference fields, got {ref.get('fields')!r}",
                    column="foreignKeys")
    for name, res in names.items():
        for fk in res["schema"].get("foreignKeys", []):
            ref = fk["reference"]
            target = names.get(ref.get("resource") or name)
            if target is None:
                bad(f"resource '{name}': foreignKeys reference unknown resource '{ref.get('resource')}'",
                    column="foreignKeys")
            known = {f["name"] for f in target["schema"]["fields"]}
            for k in _as_list(ref["fields"]):
                if k not in known:
                    bad(f"resource '{name}': foreignKeys reference unknown field '{k}' of resource "
                        f"'{target['name']}'", column="foreignKeys")


def _as_list(x: Any) -> list[Any]:
    return [x] if isinstance(x, str) else list(x) if isinstance(x, list) else []


def resources(folder: Path | None = None) -> list[str]:
    """Names of the resources in the data package, in descriptor order."""
    return [r["name"] for r in _package(folder)[1]["resources"]]


def _resource(name: str, folder: Path | None) -> tuple[Path, dict[str, Any]]:
    pkg_path, pkg = _package(folder)
    for res in pkg["resources"]:
        if res.get("name") == name:
            return pkg_path.parent / res["path"], res
    raise DataError(pkg_path, f"no resource named '{name}'{_hint(name, [r.get('name', '') for r in pkg['resources']])}")


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(path, "file not found (named in datapackage.json)") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise DataError(path, "starts with a byte-order mark (BOM); expected UTF-8 without BOM", line=1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line = raw.count(b"\n", 0, exc.start) + 1
        header = raw.split(b"\n", 1)[0].decode("utf-8", "replace").split(",")
        col_idx = raw[line_start : exc.start].count(b",")
        column = header[col_idx].strip() if col_idx < len(header) else None
        raise DataError(
            path,
            f"invalid UTF-8 byte 0x{raw[exc.start]:02x}; expected UTF-8 text (re-save the file as UTF-8)",
            row=line - 1,
            line=line,
            column=column,
        ) from None
    if not text.strip():
        raise DataError(path, "file is empty; expected a header row and at least one data row")
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        start = text.rfind("\n", 0, bad.start()) + 1
        header = next(csv.reader([text.split("\n", 1)[0]]), [])
        try:  # the column, counted by the CSV reader over the line up to the character
            col_idx = len(next(csv.reader([text[start:bad.start()]]), [""])) - 1
        except csv.Error:
            col_idx = -1
        column = header[col_idx].strip() if 0 <= col_idx < len(header) else None
        raise DataError(path, f"control character U+{ord(bad.group()):04X} in the text; expected printable "
                        "text (a NUL byte or an escape sequence from a copy-paste or a binary file?)",
                        row=line - 1 if line > 1 else None, line=line, column=column)
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise DataError(path, "does not end with a newline: the file looks truncated (was it cut while being "
                        "written or copied?); expected every row, including the last, to end with a newline",
                        line=last)
    return text


def _parse_cell(text: str, field: dict[str, Any]) -> Any:
    """Parse one non-empty cell by Table Schema type; raise ValueError('expected ...')."""
    kind = field.get("type", "string")
    if kind == "string":
        return text
    if kind in ("number", "integer"):
        try:
            num = float(text) if kind == "number" else int(text)
        except ValueError:
            raise ValueError(f"expected {'a number' if kind == 'number' else 'an integer'}") from None
        if kind == "number" and num != num:  # NaN
            raise ValueError("expected a number")
        if not math.isfinite(num):
            raise ValueError("expected a finite number")
        if not (_NUMBER if kind == "number" else _INTEGER).fullmatch(text):
            raise ValueError(f"expected {'a number' if kind == 'number' else 'an integer'} written with ASCII "
                             "digits 0-9 (no '_' separators, no other scripts' digits)")
        return num
    if kind == "date":
        if not _ISO_DATE.match(text):
            raise ValueError("expected a date as YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError("expected a valid calendar date as YYYY-MM-DD") from None
    if kind == "boolean":
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        raise ValueError("expected true or false")
    if kind == "year":
        if re.fullmatch(r"[0-9]{4}", text):
            return int(text)
        raise ValueError("expected a four-digit year")
    raise ValueError(f"unsupported field type '{kind}' in the schema")


def _check_row(rec: dict[str, Any], err: Any, bounds: dict[str, dict[str, Any]] | None = None) -> None:
    """Cross-field rules (module docstring). ``err(column, message)`` raises."""
    unit = rec.get("unit")
    if unit is not None:
        for col in NUMBER_FIELDS:
            num = rec.get(col)
            if num is None:
                continue
            if unit == "percent" and not 0 <= num <= 100:
                err(col, f"expected a share in [0, 100] for unit 'percent', got {num:g}")
            if unit not in SIGNED_UNITS and num < 0 and (bounds or {}).get(unit, {}).get("minimum", 0) >= 0:
                err(col, f"expected a non-negative amount for unit '{unit}', got {num:g}")
    low, value, high = rec.get("low"), rec.get("value"), rec.get("high")
    if low is not None and high is not None and low > high:
        err("low", f"expected low <= high, got low {low:g} > high {high:g}")
    if value is not None and low is not None and value < low:
        err("value", f"expected low <= value, got value {value:g} < low {low:g}")
    if value is not None and high is not None and value > high:
        err("value", f"expected value <= high, got value {value:g} > high {high:g}")
    if "verdict" in rec and rec.get("seed_text") and not rec.get("verdict"):
        err("verdict", "expected a verdict for a seed claim (seed_text is set)")
    if isinstance(rec.get("date"), dt.date) and isinstance(rec.get("accessed"), dt.date) \
            and rec["date"] > rec["accessed"]:
        err("date", f"expected a publication date on or before the day the source was accessed "
                    f"({rec['accessed']}), got {rec['date']}")
    published, period = rec.get("published"), rec.get("period")
    if isinstance(published, dt.date) and isinstance(period, dt.date):
        if period.day != 1:
            err("period", f"expected the first day of a month (the month the reading refers to), got {period}")
        if rec.get("kind") == "actual" and published < period:
            err("published", f"an actual reading cannot be published ({published}) before the period it reports "
                             f"begins ({period}); only guidance and forecasts may precede their period (fix the "
                             "dates, or the kind)")


def _bounds(folder: Path) -> dict[str, dict[str, Any]]:
    """``unitBounds`` of the package in ``folder``: {unit: {"minimum", "maximum", "why"}}."""
    return _package(folder)[1].get("unitBounds", {})


def _check_bounds(rec: dict[str, Any], fields: list[dict[str, Any]], bounds: dict[str, dict[str, Any]],
                  err: Any) -> None:
    """Every number within the bounds of its unit (the field's own, else the row's ``unit``)."""
    for f in fields:
        num = rec.get(f["name"])
        if f.get("type") not in ("number", "integer") or num is None:
            continue
        unit = f.get("unit") or (rec.get("unit") if f.get("type") == "number" else None)
        if unit is None:
            continue
        b = bounds.get(unit)
        if b is None:
            continue  # not an allowed unit (frictionless names it: enum); every allowed one has bounds
        lo, hi = b.get("minimum", -math.inf), b.get("maximum", math.inf)
        if not lo <= num <= hi:
            why = f"; {b['why']}" if b.get("why") else ""
            err(f["name"], f"expected a value in [{lo:,g}, {hi:,g}] for unit '{unit}' (unitBounds in "
                           f"datapackage.json{why}), got {num:g}")


def _check_dates(rec: dict[str, Any], fields: list[dict[str, Any]], today: dt.date, err: Any) -> None:
    """Dates that cannot lie: plausible years; nothing dated after the build date, except a field flagged
    ``forecastPeriod`` (the period a forecast or guidance refers to). (Integer years have unitBounds 'year'.)"""
    for f in fields:
        value = rec.get(f["name"])
        if value is None:
            continue
        if f.get("type") == "date":
            lo, hi = DATE_YEARS
            if not lo <= value.year <= hi:
                err(f["name"], f"expected a year in [{lo}, {hi}], got {value}")
            if value > today and not f.get("forecastPeriod"):
                err(f["name"], f"{value} is after the build date ({today}): no evidence is dated in the future "
                               "(a typo? only a field flagged forecastPeriod in datapackage.json may be later)")


def _parse_table(path: Path, res: dict[str, Any]) -> pd.DataFrame:
    schema = res.get("schema", {})
    fields = schema.get("fields", [])
    names = [f["name"] for f in fields]
    reader = csv.reader(io.StringIO(_read_text(path), newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise DataError(path, f"malformed CSV header: {exc}", line=1) from None
    header = [h.strip() for h in header]
    missing = [n for n in names if n not in header]
    unknown = [h for h in header if h not in names]
    if missing:
        raise DataError(path, f"missing column(s) {missing}; expected header {','.join(names)}",
                        line=1, column=missing[0])
    if unknown:
        raise DataError(path, f"unknown column(s) {unknown}; add them to the schema in datapackage.json "
                        f"or remove them (expected header {','.join(names)})", line=1, column=unknown[0])
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise DataError(path, "duplicate column in header", line=1, column=dup)
    by_name = {f["name"]: f for f in fields}
    bounds = _bounds(path.parent)
    today = build_date()
    records: list[dict[str, Any]] = []
    row = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(path, f"malformed CSV: {exc}", row=row + 1, line=reader.line_num) from None
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        row += 1
        line = reader.line_num
        if all(not c.strip() for c in cells):
            raise DataError(path, "a row of only empty fields (a line of commas?); expected data, or delete the line",
                            row=row, line=line)

        def err(column: str | None, message: str, _row: int = row, _line: int = line) -> None:
            raise DataError(path, message, row=_row, line=_line, column=column)

        if len(cells) != len(header):
            err(None, f"has {len(cells)} fields, expected {len(header)} (a stray delimiter or an "
                      "unquoted comma? quote text that contains commas)")
        rec: dict[str, Any] = {}
        for name, text in zip(header, cells):
            field = by_name[name]
            text = text.strip()
            try:
                rec[name] = _parse_cell(text, field) if text else None
            except ValueError as exc:
                err(name, f"{exc}, got '{text}'")
        _check_row(rec, err, bounds)
        _check_bounds(rec, fields, bounds, err)
        _check_dates(rec, fields, today, err)
        records.append(rec)
    if not records:
        raise DataError(path, "has a header but no data rows; expected at least one row", line=1)
    frame = pd.DataFrame.from_records(records, columns=names)
    for f in fields:
        if f.get("type") in ("number",):
            frame[f["name"]] = pd.to_numeric(frame[f["name"]], errors="raise").astype("float64")
        elif f.get("type") == "date":
            frame[f["name"]] = pd.to_datetime(frame[f["name"]])
    return frame


def _check_foreign_keys(path: Path, res: dict[str, Any], frame: pd.DataFrame, folder: Path | None) -> None:
    for fk in res.get("schema", {}).get("foreignKeys", []):
        cols = _as_list(fk["fields"])
        ref = fk["reference"]
        ref_cols = _as_list(ref["fields"])
        own = ref.get("resource") in (None, "", res["name"])  # a reference within the table (``revises``)
        for i, (key, mine) in enumerate(zip(frame[cols[0]], frame[ref_cols[0]] if own else []), start=1):
            if key == mine:  # unknown ids: :func:`_frictionless_check`
                raise DataError(path, f"{cols[0]} '{key}' is the row's own {ref_cols[0]}; expected another "
                                "row's", row=i, column=cols[0])
        if fk.get("sameUnit"):
            target = frame if own else load(ref["resource"], folder=folder)
            units = dict(zip(target[ref_cols[0]], target["unit"]))
            for i, (key, unit) in enumerate(zip(frame[cols[0]], frame["unit"]), start=1):
                if key in units and unit != units[key]:
                    raise DataError(path, f"expected the unit of {ref['resource']} '{key}' ('{units[key]}'), "
                                    f"got '{unit}'", row=i, column="unit")


def _check_published_after_source(path: Path, res: dict[str, Any], frame: pd.DataFrame, folder: Path | None) -> None:
    """A row's publication date (a field named ``published`` or flagged ``publicationDate``) is not before its
    source's publication (``source_id``): a reading cannot become public before the document reporting it."""
    fields = res["schema"]["fields"]
    pub = [f["name"] for f in fields if f.get("type") == "date" and (f["name"] == "published" or
                                                                     f.get("publicationDate"))]
    if not pub or "source_id" not in frame.columns or res["name"] == "sources":
        return
    dates = dict(zip(*[load("sources", folder=folder)[c] for c in ("id", "date")]))
    for col in pub:
        for i, (when, sid) in enumerate(zip(frame[col], frame["source_id"]), start=1):
            src = dates.get(sid)
            if pd.notna(when) and src is not None and pd.notna(src) and when < src:
                raise DataError(path, f"published {when.date()}, before its source '{sid}' was published "
                                f"({src.date()}); expected a date on or after the source's (sources.csv)",
                                row=i, column=col)


def _check_units_declared(path: Path, res: dict[str, Any]) -> None:
    fields = res.get("schema", {}).get("fields", [])
    has_unit_column = any(f["name"] == "unit" for f in fields)
    for f in fields:
        if f.get("type") in ("number", "integer") and not f.get("unit") and not has_unit_column:
            raise DataError(path.parent / "datapackage.json",
                            f"resource '{res['name']}' numeric field '{f['name']}' has no 'unit'; "
                            "expected a unit in the schema (or a 'unit' column)", column=f["name"])
    bounds = _bounds(path.parent)
    units = {f["unit"] for f in fields if f.get("type") in ("number", "integer") and f.get("unit")}
    units |= {u for f in fields if f["name"] == "unit" for u in f.get("constraints", {}).get("enum", [])}
    for unit in sorted(units - set(bounds)):
        raise DataError(path.parent / "datapackage.json", f"resource '{res['name']}' uses unit '{unit}' "
                        "with no plausible bounds; expected an entry in unitBounds")


def load(name: str, *, folder: Path | None = None) -> pd.DataFrame:
    """Load resource ``name`` of the data package, validated; raises :class:`DataError`.

    >>> load("claims").set_index("id").loc["abilene_gw", "unit"]
    'GW'
    """
    path, res = _resource(name, folder)
    _check_units_declared(path, res)
    try:
        stamp = hashlib.sha1(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        raise DataError(path, "file not found (named in datapackage.json)") from None
    key = (str(path.resolve()), name)
    cached = _CACHE.get(key)
    if cached and cached[0] == stamp:
        frame = cached[1]
    else:
        frame = _parse_table(path, res)
        _CACHE[key] = (stamp, frame)
    _check_foreign_keys(path, res, frame, folder)
    _check_published_after_source(path, res, frame, folder)
    return frame.copy()


def validate_package(folder: Path | None = None, *, verdicts: Path | None = None) -> dict[str, int]:
    """Validate every resource; return {name: row count}. Raises the first :class:`DataError`.

    Also checks that each resource's ``published`` rule (how the as-of filter dates its rows, see
    :mod:`aicompute.evidence`) names date fields or references to sources or claims. ``verdicts``: a file that
    keeps frictionless's verdicts from one process to the next (a build passes one in its build folder; see
    :func:`_frictionless_check`); without it only this process's verdicts are reused.
    """
    counts = {name: len(load(name, folder=folder)) for name in resources(folder)}
    _frictionless_check(folder, verdicts=verdicts)
    pkg_path, pkg = _package(folder)
    for res in pkg["resources"]:
        problem = check_dating(res)
        if problem:
            raise DataError(pkg_path, f"resource '{res['name']}': {problem}", column="published")
    return counts


_VALIDATED: set[str] = set()


def _frictionless_check(folder: Path | None, *, verdicts: Path | None = None) -> None:
    """Types, constraints (required, enum, pattern, minimum, maximum), unique and primary keys and foreign keys
    of every resource, by :mod:`frictionless`. It is several times slower than :func:`load`'s own checks (bytes,
    numerals, units and their bounds, dates, row rules), so it runs here, once per resource content: a build
    validates the package before any kernel starts. A resource found valid is not validated again in this
    process while its key (:func:`_validation_keys`: its descriptor and file, those of the resources its foreign
    keys reference, and the package's own properties) is unchanged: a copy of the package with one table edited
    validates that table (and the tables it references), not all of them; the resources found valid are kept
    when another one fails (the tests' bad copies of the real package). The first error raises
    :class:`DataError` (file, row, column).

    ``verdicts`` keeps the keys of the valid resources on disk, one per line, so that the next process (the next
    ``make report``) does not validate unchanged tables again (about 4 of a no-op build's 5.5 s). A key also
    hashes the frictionless version and this module's source, so an upgrade or a changed check validates
    everything again. Only valid verdicts are kept, never errors; an unreadable or damaged file is ignored (then
    everything is validated) and rewritten whole (a temporary file renamed over it)."""
    pkg_path, pkg = _package(folder)
    files = {r["name"]: (pkg_path.parent / r["path"], r) for r in pkg["resources"]}
    keys = _validation_keys(pkg, files)
    stored = _read_verdicts(verdicts)
    todo = {name for name, key in keys.items() if key not in _VALIDATED and key not in stored}
    if not todo:
        _write_verdicts(verdicts, set(keys.values()), stored)
        return
    import frictionless

    needed = todo | {t for name in todo for t in _targets(files[name][1]) if t in files}
    subset = {**pkg, "resources": [r for r in pkg["resources"] if r["name"] in needed]}  # package order
    try:
        report = frictionless.Package(subset, basepath=str(pkg_path.parent)).validate()
    except frictionless.FrictionlessException as exc:
        raise DataError(pkg_path, f"not a valid Frictionless data package: {exc.error.note}") from None
    errors = {task.name: [e for e in task.errors if e.type != "blank-row" and "are all \"None\"" not in e.note]
              for task in report.tasks}  # blank lines: load() decides
    _VALIDATED.update(keys[name] for name in needed if not errors.get(name))  # (also when another one fails)
    _write_verdicts(verdicts, {key for key in keys.values() if key in _VALIDATED or key in stored}, stored)
    for task in report.tasks:
        if errors[task.name]:
            raise _frictionless_error(*files[task.name], errors[task.name][0])


def _read_verdicts(path: Path | None) -> set[str]:
    """The keys stored in ``path`` (none when there is no file, or it cannot be read or is not one)."""
    if path is None:
        return set()
    try:
        lines = path.read_text(encoding="ascii").split()
    except (OSError, ValueError):
        return set()
    return {line for line in lines if re.fullmatch(r"[0-9a-f]{40}", line)}


def _write_verdicts(path: Path | None, valid: set[str], stored: set[str]) -> None:
    """Store the current package's valid keys in ``path`` (not when they are already what it holds). Best effort:
    a build whose folder cannot be written validates again next time, it does not fail."""
    if path is None or valid == stored:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text("".join(f"{key}\n" for key in sorted(valid)), encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


@functools.cache
def _checker_version() -> str:
    """What a verdict depends on besides the data: frictionless's version and this module's source."""
    from importlib.metadata import version

    return f"frictionless {version('frictionless')} " + hashlib.sha1(Path(__file__).read_bytes()).hexdigest()


def _targets(res: dict[str, Any]) -> list[str]:
    """The other resources ``res``'s foreign keys reference (their rows are the lookup table)."""
    out = []
    for fk in res.get("schema", {}).get("foreignKeys", []):
        target = fk.get("reference", {}).get("resource")
        if target and target != res["name"]:
            out.append(target)
    return out


def _validation_keys(pkg: dict[str, Any], files: dict[str, tuple[Path, dict[str, Any]]]) -> dict[str, str]:
    """{resource: key}: everything frictionless's verdict on a resource depends on, hashed: the package's own
    properties, the resource's descriptor and file, and the descriptor and file (or absence) of each resource
    its foreign keys reference."""
    top = json.dumps({k: v for k, v in pkg.items() if k != "resources"}, sort_keys=True) + _checker_version()
    own = {name: hashlib.sha1(json.dumps(res, sort_keys=True).encode() + b"\0" + path.read_bytes()).hexdigest()
           for name, (path, res) in files.items()}
    return {name: hashlib.sha1("\0".join([top, own[name], *(f"{t}:{own.get(t, 'missing')}"
                                                           for t in sorted(set(_targets(res))))]).encode()).hexdigest()
            for name, (_, res) in files.items()}


def _frictionless_error(path: Path, res: dict[str, Any], err: Any) -> DataError:
    """A frictionless error in our words; its row position (header 1, blank lines counted) becomes row and line."""
    reader, at, row = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")), {}, 0
    for pos, cells in enumerate(reader, start=1):
        row += pos > 1 and any(c.strip() for c in cells)
        at[pos] = (row, reader.line_num)
    row, line = at.get(getattr(err, "row_number", 0), (None, None))
    first = re.search(r"position (\d+)", err.note)
    first = at.get(int(first.group(1)), (None,))[0] if first else None
    field = next((f for f in res["schema"]["fields"] if f["name"] == getattr(err, "field_name", None)), {})
    c, cell = field.get("constraints", {}), getattr(err, "cell", "")
    kind = m.group(1) if (m := re.search(r'constraint "(\w+)"', err.note)) else err.type
    pk = _as_list(res["schema"].get("primaryKey"))
    if err.type == "foreign-key":
        ref, value = err.reference_field_names[0], err.field_cells[0]
        target = _resource(err.reference_name or res["name"], path.parent)[0].name
        return DataError(path, f"unknown {ref} '{value}': expected an id that exists in {target}", row=row,
                         line=line, column=err.field_names[0])
    message = {"required": f"expected a value ({field.get('type', 'string')}), got an empty cell",
               "enum": f"expected one of {c.get('enum')}{_hint(cell, c.get('enum'))}, got '{cell}'",
               "pattern": f"expected text matching the pattern {c.get('pattern')}, got '{cell}'",
               "minimum": f"expected a value >= {c.get('minimum')}, got '{cell}'",
               "maximum": f"expected a value <= {c.get('maximum')}, got '{cell}'",
               "unique-error": f"duplicate value '{cell}' (first used in row {first}); expected unique",
               "primary-key": f"duplicate primary key (first used in row {first})"}.get(kind, f"{err.title}: {err.note}")
    column = field.get("name") or (pk[0] if kind == "primary-key" and pk else None)
    return DataError(path, message, row=row, line=line, column=column)


def _hint(text: str, choices: list[Any] | None) -> str:
    close = difflib.get_close_matches(str(text), [str(e) for e in choices or []], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _refs(res: dict[str, Any]) -> dict[str, str]:
    """{field: referenced resource} for the resource's foreign keys to sources or claims."""
    out = {}
    for fk in res.get("schema", {}).get("foreignKeys", []):
        fields = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        target = fk["reference"].get("resource")
        if len(fields) == 1 and target in ("sources", "claims"):
            out[fields[0]] = target
    return out


def dating_fields(res: dict[str, Any]) -> list[str]:
    """The fields whose dates make a row of ``res`` public (see the module docstring)."""
    declared = res.get("published")
    if declared is not None:
        if not isinstance(declared, list) or not all(isinstance(f, str) for f in declared):
            raise ValueError(f"resource '{res.get('name')}': 'published' must be a list of field names")
        return list(declared)
    return list(_refs(res))


def check_dating(res: dict[str, Any]) -> str | None:
    """What is wrong with resource ``res``'s ``published`` rule (None when it is sound)."""
    try:
        fields = dating_fields(res)
    except ValueError as exc:
        return str(exc)
    types = {f["name"]: f.get("type") for f in res.get("schema", {}).get("fields", [])}
    refs = _refs(res)
    for f in fields:
        if f not in types:
            return f"'published' names unknown field '{f}'"
        if types[f] != "date" and f not in refs:
            return (f"'published' field '{f}' is neither a date nor a foreign key to sources or claims; expected "
                    "e.g. [\"date\", \"source_id\"]")
    return None


def claims(folder: Path | None = None) -> pd.DataFrame:
    """The claims ledger joined with source title, publisher, url and type."""
    src = load("sources", folder=folder).rename(
        columns={"id": "source_id", "title": "source_title", "publisher": "source_publisher",
                 "url": "source_url", "type": "source_type", "date": "source_date"})
    cols = ["source_id", "source_title", "source_publisher", "source_url", "source_type", "source_date"]
    return load("claims", folder=folder).merge(src[cols], on="source_id", how="left")


def claim(claim_id: str, *, folder: Path | None = None) -> Claim:
    """One claim by id, with value, range, unit, date, basis and source."""
    table = claims(folder)
    hit = table[table["id"] == claim_id]
    if hit.empty:
        close = difflib.get_close_matches(claim_id, table["id"].tolist(), n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise DataError(_resource("claims", folder)[0], f"no claim with id '{claim_id}'{hint}", column="id")
    return claim_of(hit.iloc[0])


def claim_of(r: pd.Series) -> Claim:
    """The :class:`Claim` of one row of :func:`claims`."""

    def num(x: Any) -> float | None:
        return None if pd.isna(x) else float(x)

    return Claim(
        id=r["id"], statement=r["statement"], value=num(r["value"]), low=num(r["low"]), high=num(r["high"]),
        unit=r["unit"], as_of=r["as_of"].date(), source_id=r["source_id"], basis=r["basis"],
        chapter=r["chapter"], verdict=None if pd.isna(r["verdict"]) else r["verdict"],
        seed_text=None if pd.isna(r["seed_text"]) else r["seed_text"], seed_value=num(r["seed_value"]),
        source_title=r["source_title"], source_publisher=r["source_publisher"], source_url=r["source_url"],
    )


def by_id(frame: pd.DataFrame, key: str, *, table: str, column: str = "id") -> pd.Series:
    """The one row of ``frame`` (rows of resource ``table``) whose ``column`` is ``key``.

    Chapters look rows up by their id, the data's stable key, never by a display name that an edit of the
    data may change (``"H100 SXM"``). A missing or repeated id raises :class:`DataError` naming the table, the
    id and the closest ids, instead of a bare ``KeyError`` inside a kernel.
    """
    if column not in frame.columns:
        raise DataError(f"data/{table}.csv", f"no column '{column}' to look '{key}' up by", column=column)
    hit = frame[frame[column] == key]
    if len(hit) == 1:
        return hit.iloc[0]
    if hit.empty:
        close = difflib.get_close_matches(str(key), [str(k) for k in frame[column]], n=3)
        hint = f"; did you mean {close}?" if close else ""
        raise DataError(f"data/{table}.csv", f"no row with {column} '{key}' (among the {len(frame)} rows used "
                        f"here){hint}", column=column)
    raise DataError(f"data/{table}.csv", f"{len(hit)} rows with {column} '{key}'; expected one", column=column)
