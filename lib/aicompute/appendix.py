"""Tables for the appendices: every parameter, the data dictionary, the full claims ledger.

All three are generated from the sources of truth (the notebooks' parameters cells,
``data/datapackage.json``, ``data/claims.csv``), so the appendices cannot drift from the code and data.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from aicompute import data
from aicompute.datapackage import dating_fields
from aicompute.formatting import signed
from aicompute.narrative.appendix import description_words, range_words
from aicompute.parameters_cell import notebook_parameters
from aicompute.paths import NOTEBOOKS, data_dir

#: Parameter names whose whole numbers are labels, not quantities: years, seeds, ids (written 2030, 20260128).
_LABEL_NAME = re.compile(r"(?:^|_)(?:years?|seed|id)\d*(?:$|_)")


def plain_value(value: Any, name: str = "") -> str:
    """A parameter value as a reader writes it (never a Python repr): ``True`` -> 'yes', ``1e6`` ->
    '1,000,000', ``0.05`` -> '0.05', ``-0.15`` -> '−0.15' (a minus sign, :data:`aicompute.formatting.MINUS`), a list
    -> 'a, b', text as is, ``None`` -> 'none'. A whole number of a
    parameter ``name``d for a year, a seed or an id has no thousands separator ('end_year' 2030, 'seed'
    20260128)."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    sep = "" if _LABEL_NAME.search(name) else ","
    if isinstance(value, int):
        return signed(format(value, f"{sep}d"))
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return signed(format(int(value), f"{sep}d"))
        return signed(f"{value:.10f}".rstrip("0").rstrip(".") if 1e-6 <= abs(value) < 1e15 else f"{value:g}")
    if isinstance(value, (list, tuple)):
        return ", ".join(plain_value(v, name) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {plain_value(v, str(k))}" for k, v in value.items())
    return str(value)


def _fmt_range(rng: tuple[float | None, float | None] | None, name: str = "") -> str:
    return range_words(*("" if x is None else plain_value(x, name) for x in rng)) if rng else ""


def parameters_table(notebooks: list[Path] | None = None) -> pd.DataFrame:
    """One row per notebook parameter: notebook, parameter, default, range, description."""
    notebooks = notebooks if notebooks is not None else sorted(Path(NOTEBOOKS).glob("[0-9][0-9]_*.ipynb"))
    rows = []
    for nb in notebooks:
        for name, spec in notebook_parameters(nb).items():
            rows.append({"notebook": nb.stem, "parameter": name, "default": plain_value(spec["default"], name),
                         "range": _fmt_range(spec["range"], name), "description": description_words(spec["comment"])})
    return pd.DataFrame(rows, columns=["notebook", "parameter", "default", "range", "description"])


def _names(fields: Any) -> str:
    return ", ".join(map(str, fields)) if isinstance(fields, (list, tuple)) else str(fields)


def _constraints(field: dict) -> str:
    c = field.get("constraints", {})
    parts = [k for k in ("required", "unique") if c.get(k)]
    if "enum" in c:
        parts.append("one of: " + ", ".join(map(str, c["enum"])))
    if "pattern" in c:
        parts.append(f"pattern {c['pattern']}")
    for key, sym in (("minimum", ">="), ("maximum", "<=")):
        if key in c:
            parts.append(f"{sym} {plain_value(c[key])}")
    return "; ".join(parts)


def _resources(folder: Path | None) -> list[dict[str, Any]]:
    folder = Path(folder) if folder is not None else data_dir()
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]


def data_dictionary(folder: Path | None = None) -> pd.DataFrame:
    """One row per field of every resource: resource, field, type, unit, constraints, description."""
    rows = []
    for res in _resources(folder):
        for f in res.get("schema", {}).get("fields", []):
            unit = f.get("unit", "see column 'unit'" if f.get("type") in ("number", "integer") else "")
            rows.append({"resource": res["name"], "field": f["name"], "type": f.get("type", "string"),
                         "unit": unit, "constraints": _constraints(f),
                         "description": f.get("description", "")})
    return pd.DataFrame(rows)


def resource_summary(folder: Path | None = None, ev: Any = None) -> pd.DataFrame:
    """One row per resource: name, file, rows, how rows are dated, primary key, foreign keys, title.

    With ``ev`` (:func:`aicompute.data.evidence`), ``rows`` counts the rows published by its as-of date.
    """
    rows = []
    for res in _resources(folder):
        schema = res.get("schema", {})
        fks = [f"{_names(fk['fields'])} → {fk['reference']['resource']}" for fk in schema.get("foreignKeys", [])]
        count = len(ev.table(res["name"], resolve=False)) if ev is not None else len(data.load(res["name"], folder=folder))
        rows.append({"resource": res["name"], "file": res["path"], "rows": count,
                     "dated by": ", ".join(dating_fields(res)) or "(timeless)",
                     "primary key": ", ".join(schema.get("primaryKey", [])) if isinstance(schema.get("primaryKey"), list)
                     else schema.get("primaryKey", ""), "foreign keys": "; ".join(fks), "title": res.get("title", "")})
    return pd.DataFrame(rows)


def ledger_table(ev: Any) -> pd.DataFrame:
    """The claims ledger known to ``ev`` (:func:`aicompute.data.evidence`) for print: claim, value (range),
    unit, date, basis, source label, verdict, id."""
    from aicompute.audit import value_with_range
    from aicompute.cite import citation_labels

    led = ev.claims()
    labels = citation_labels(ev.sources())
    led = led.sort_values(["chapter", "id"])
    return pd.DataFrame({
        "chapter": led["chapter"], "claim": led["statement"],
        "value": [value_with_range(v, lo, hi) for v, lo, hi in zip(led["value"], led["low"], led["high"])],
        "unit": led["unit"], "as of": led["as_of"].dt.date.astype(str), "basis": led["basis"],
        "source": led["source_id"].map(labels), "verdict": led["verdict"].fillna(""), "id": led["id"],
    }).reset_index(drop=True)


def ledger_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger (:func:`ledger_table`) in one row per chapter: figures, how many by basis, and the seed's
    audited claims by verdict; a last row sums the chapters."""
    bases = list(ledger["basis"].value_counts().index)
    verdicts = [v for v in ledger["verdict"].value_counts().index if v]
    rows = []
    for chapter, part in [*ledger.groupby("chapter", sort=False), ("all chapters", ledger)]:
        row: dict[str, Any] = {"chapter": str(chapter), "figures": len(part)}
        row.update({b: int((part["basis"] == b).sum()) for b in bases})
        row.update({f"seed: {v}": int((part["verdict"] == v).sum()) for v in verdicts})
        rows.append(row)
    return pd.DataFrame(rows)
