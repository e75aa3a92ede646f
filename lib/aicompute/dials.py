"""The reader's dials: headline numbers precomputed by the build over a small grid of key assumptions, and the
HTML that lets a reader move them in the page (a few lines of inline JavaScript over embedded JSON: no Python, no
network, nothing loaded from elsewhere).

A grid is a JSON-ready dict, the shape :func:`aicompute.scenarios.update.dial_grid` publishes for the endings' odds::

    {"dials": [{"name", "label", "values", "default", "value_labels"}, ...],
     "endings" or "outputs": [output keys], "unit": "...",
     "rows": [{<dial>: value, ..., <output>: number, ...}, ...]}     # one row per grid point

:func:`cost_grid` builds one for the annual cost of owning a gigawatt and the revenue it must earn, over the cost of
capital and the chips' life (:func:`aicompute.infra.annual_cost_per_gw`, :func:`aicompute.infra.revenue_needed_per_gw`).
:func:`widget` turns any grid into the HTML block. Every text in it is escaped; the JSON has every ``<`` as ``\\u003c``
(inert inside a ``<script>`` element).
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aicompute.formatting import capitalised

#: The cost grid's outputs and what they are called on the page.
COST_OUTPUTS = {"cost_per_gw": "Annual cost of owning 1 GW (USD bn a year)",
                "revenue_needed_per_gw": "Revenue 1 GW must earn at the gross margin set (USD bn a year)"}


def grid(compute: Callable[..., Mapping[str, float]], dials: Sequence[Mapping[str, Any]], *, unit: str,
         digits: int = 1) -> dict[str, Any]:
    """Evaluate ``compute(**point)`` (returning {output: number}) at every point of the dials' grid (each dial:
    ``name``, ``label``, ``values``, ``default``, optional ``value_labels``); numbers rounded to ``digits``."""
    spec = []
    for d in dials:
        values = list(d["values"])
        if d["default"] not in values:
            raise ValueError(f"dial {d['name']}: default {d['default']!r} is not one of its values {values}")
        labels = list(d.get("value_labels") or [str(v) for v in values])
        spec.append({"name": d["name"], "label": d["label"], "values": values, "default": d["default"],
                     "value_labels": labels})
    rows, outputs = [], None
    for point in itertools.product(*(d["values"] for d in spec)):
        at = dict(zip((d["name"] for d in spec), point))
        out = {k: round(float(v), digits) for k, v in compute(**at).items()}
        outputs = outputs or list(out)
        rows.append({**at, **out})
    return {"dials": spec, "outputs": outputs or [], "unit": unit, "rows": rows}


def cost_grid(capex_per_gw: float, *, waccs: Sequence[float], chip_lives: Sequence[float], wacc: float,
              chip_life: float, gross_margin: float, chip_share: float, building_life: float, price_per_mwh: float,
              utilization: float, opex_share: float = 0.0) -> dict[str, Any]:
    """The annual cost of owning 1 GW and the revenue it must earn (at ``gross_margin``) over the cost of capital
    (``waccs``) and the chips' life (``chip_lives``, years); the other arguments as
    :func:`aicompute.infra.annual_cost_per_gw`. The defaults are ``wacc`` and ``chip_life``."""
    from aicompute import infra

    def compute(wacc: float, chip_life: float) -> dict[str, float]:
        total = infra.annual_cost_per_gw(capex_per_gw, chip_share, chip_life, building_life, price_per_mwh,
                                         utilization, opex_share, wacc)["total"]
        return {"cost_per_gw": total, "revenue_needed_per_gw": infra.revenue_needed_per_gw(total, gross_margin)}

    waccs = sorted({float(w) for w in waccs} | {float(wacc)})
    lives = sorted({float(x) for x in chip_lives} | {float(chip_life)})
    return grid(compute, [
        {"name": "wacc", "label": "Cost of capital", "values": waccs, "default": float(wacc),
         "value_labels": [f"{w:.0%}" for w in waccs]},
        {"name": "chip_life", "label": "Chip life (years the chips are paid off over)", "values": lives,
         "default": float(chip_life), "value_labels": [f"{x:g} years" for x in lives]},
    ], unit="USD bn a year")


def outputs_of(g: Mapping[str, Any]) -> list[str]:
    """A grid's output keys (``outputs``, or the odds grid's ``endings``)."""
    return list(g.get("outputs") or g.get("endings") or [])


def row_at(g: Mapping[str, Any], **at: Any) -> dict[str, Any]:
    """The grid's row at the dials ``at`` (each dial not given: its default)."""
    want = {d["name"]: at.get(d["name"], d["default"]) for d in g["dials"]}
    for row in g["rows"]:
        if all(row[k] == v for k, v in want.items()):
            return row
    raise KeyError(f"no grid row at {want}")


def _words(key: str) -> str:
    """An output key as a label: an ending as the model spells it everywhere ('Muddle-through',
    :data:`aicompute.scenarios.model.LABELS`), any other key in words."""
    from aicompute.scenarios.model import LABELS

    if key in LABELS:
        return LABELS[key]
    return capitalised(key.replace("_", " "))


_SCRIPT = """<script>(function(){var box=document.getElementById(%(id)s);if(!box){return;}
var g=JSON.parse(box.querySelector('script.aic-dial-data').textContent);
var sel=box.querySelectorAll('select[data-dial]');
function show(){var at={};sel.forEach(function(s){var d=g.dials[+s.dataset.index];at[d.name]=d.values[+s.value];});
var row=g.rows.find(function(r){return g.dials.every(function(d){return r[d.name]===at[d.name];});});
box.querySelectorAll('output[data-out]').forEach(function(o){var v=row?row[o.dataset.out]:null;
o.textContent=(v===null||v===undefined)?'n/a':v.toFixed(+o.dataset.digits)+(o.dataset.suffix||'');});}
sel.forEach(function(s){s.addEventListener('change',show);});show();})();</script>"""


def widget(g: Mapping[str, Any], *, element_id: str, caption: str, output_labels: Mapping[str, str] | None = None,
           suffix: str = "", digits: int = 1) -> str:
    """The dials as HTML: one ``<select>`` per dial (its default selected), a table of the outputs (showing the
    default row, so the page reads right without JavaScript), the grid as embedded JSON and the script that shows
    the row the reader picks. ``suffix`` follows each number ('%'); ``output_labels``: {output key: words}."""
    labels = dict(output_labels or {})
    out_keys = outputs_of(g)
    default = row_at(g)
    eid = html.escape(element_id, quote=True)
    parts = [f'<div class="aic-dials" id="{eid}">', '<div class="aic-dial-controls">']
    for i, d in enumerate(g["dials"]):
        options = "".join(
            f'<option value="{j}"{" selected" if v == d["default"] else ""}>{html.escape(str(lab))}</option>'
            for j, (v, lab) in enumerate(zip(d["values"], d.get("value_labels") or map(str, d["values"]))))
        parts.append(f'<label>{html.escape(str(d["label"]))} <select data-dial="{html.escape(str(d["name"]), quote=True)}"'
                     f' data-index="{i}">{options}</select></label>')
    parts.append("</div>")
    parts.append(f'<table class="aic-dial-out"><caption>{html.escape(caption)}</caption><tbody>')
    for key in out_keys:
        value = default[key]
        parts.append(f'<tr><th scope="row">{html.escape(labels.get(key, _words(key)))}</th><td>'
                     f'<output data-out="{html.escape(key, quote=True)}" data-digits="{int(digits)}" '
                     f'data-suffix="{html.escape(suffix, quote=True)}" aria-live="polite">'
                     f"{value:.{int(digits)}f}{html.escape(suffix)}</output></td></tr>")
    parts.append("</tbody></table>")
    data = json.dumps({"dials": g["dials"], "rows": g["rows"]}, separators=(",", ":")).replace("<", "\\u003c")
    parts.append(f'<script type="application/json" class="aic-dial-data">{data}</script>')
    parts.append("</div>")
    parts.append(_SCRIPT % {"id": json.dumps(element_id).replace("<", "\\u003c")})
    return "\n".join(parts)


#: What the PDF says where the web edition has dials (a PDF cannot run them).
PRINTED_NOTE = "The web edition has dials here to pick other values; this printed edition shows the central setting"


def printed(g: Mapping[str, Any], *, caption: str, output_labels: Mapping[str, str] | None = None, suffix: str = "",
            digits: int = 1, **_: Any) -> str:
    """What the PDF prints in the dials' place (Markdown, every text escaped): :data:`PRINTED_NOTE`, the dials'
    default values, then ``caption`` and each output at that setting, formatted as the widget shows it."""
    from aicompute.escape import md
    from aicompute.formatting import plain

    labels = dict(output_labels or {})
    default = row_at(g)
    settings = "; ".join(f"{md(str(d['label']))}: {md(str(_value_label(d)))}" for d in g["dials"])
    numbers = "; ".join(f"{md(labels.get(k, _words(k)))} {plain(default[k], suffix, f'.{int(digits)}f')}"
                        for k in outputs_of(g))
    return f"*{PRINTED_NOTE}* ({settings}).\n\n**{md(caption)}:** {numbers}."


def _value_label(d: Mapping[str, Any]) -> Any:
    labels = d.get("value_labels") or [str(v) for v in d["values"]]
    return labels[list(d["values"]).index(d["default"])]


def markdown(g: Mapping[str, Any], **kwargs: Any) -> str:
    """The widget (:func:`widget`) as Markdown for Quarto: raw HTML on the site; in the PDF, which cannot run it,
    a note and the numbers at the central setting (:func:`printed`)."""
    return "\n".join(['::: {.content-visible when-format="html"}', "```{=html}", widget(g, **kwargs), "```", ":::", "",
                      '::: {.content-visible when-format="typst"}', "", printed(g, **kwargs), "", ":::"])


def show(g: Mapping[str, Any], **kwargs: Any) -> None:
    """Display the widget in a chapter (a Markdown output; see :func:`markdown` for the arguments)."""
    from IPython.display import display

    display({"text/markdown": "\n" + markdown(g, **kwargs) + "\n\n", "text/plain": ""}, raw=True)
