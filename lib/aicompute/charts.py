"""House chart style and the offline chart renderer.

Altair's default output loads Vega from a CDN when the page is viewed, so no chart renders offline.
:func:`show` instead emits one MIME bundle per chart (one output: Quarto makes it one numbered figure):

* ``text/html``: a ``<div class="aic-chart">`` and a small script that calls ``vegaEmbed`` on the spec.
  The Vega, Vega-Lite and vega-embed runtime (``vl_convert.javascript_bundle``, ~0.9 MB) comes with the
  first chart of a page: under the build, as ``<script src="assets/vega-bundle.js">``, a file the
  renderer (:mod:`aicompute.pipeline.render`) writes once next to the book (a Quarto resource, so the site gets
  it however it is rendered); interactively (JupyterLab), inline. Under the build the chart is followed by its links: the chart's data (CSV) and image (SVG)
  in ``downloads/figures/<notebook>/`` and its sources, linked to the references page.
* ``image/svg+xml``: a static SVG made by vl-convert, which the PDF (typst) uses.
* ``text/plain``: the chart title.

Every chart gets the house theme (:func:`theme`), a title that should state the finding, and a
source line under it (:func:`with_source`); :func:`show` refuses a chart without one.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt

FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
#: Categorical palette: Okabe-Ito's colour-blind-safe order, each colour at least 3:1 against the white background
#: (WCAG 1.4.11 for graphics; :func:`contrast`): Okabe-Ito's orange and sky blue darkened, its yellow (1.3:1)
#: replaced by a purple. A chart with more categories than colours is refused (:func:`show`): fold the smallest
#: into "Other" (:func:`fold_other`).
PALETTE = ["#0072B2", "#C17A00", "#009E73", "#D55E00", "#CC79A7", "#3A8FC9", "#7A5195", "#000000"]
#: The most colours a chart's categorical colour scale may need.
MAX_COLOURS = len(PALETTE)
#: :func:`show` refuses a chart needing more colours (else it warns: a chapter still to be fixed keeps building).
STRICT_COLOURS = False
#: Verdict colours used throughout the report.
VERDICT_COLORS = {
    "confirmed": "#009E73",
    "partly": "#C17A00",
    "misattributed": "#CC79A7",
    "contradicted": "#D55E00",
    "unverified": "#767676",
    "pending": "#949494",
}
VL_VERSION = "6.4"  # Vega-Lite version of Altair 6 (alt.SCHEMA_VERSION v6.4.x)
WIDTH = 560
#: Characters per title line at 15 px bold (longer titles wrap). The title's pixel limit is 10 px a character
#: (DejaVu Sans Bold averages ~9 px at 15 px), so a wrapped line is never cut by Vega's limit with an ellipsis;
#: on a narrow screen both scale by the same factor (``_FIT_JS``).
TITLE_CHARS = 64
TITLE_LIMIT = TITLE_CHARS * 10
SOURCE_CHARS = 100  # characters per source line at 10 px (its limit 7 px a character: never cut)
SOURCE_LIMIT = SOURCE_CHARS * 7
#: Axis and legend labels are drawn in full up to this many pixels (Vega's default cuts them at 160-180 px with
#: an ellipsis, which hid the end of long category names).
LABEL_LIMIT = 320
#: The Vega runtime, relative to report/ and to every page of the site (aicompute.pipeline.render writes it; Quarto
#: copies it as a project resource, _quarto.yml).
VEGA_SCRIPT = "assets/vega-bundle.js"
#: Where the site holds each chart's data and image: downloads/figures/<notebook>/<name>.csv|svg (aicompute.pipeline.build).
DOWNLOADS = "downloads/figures"
#: The page with the bibliography (report/references.qmd); a source's entry is #ref-<source id>.
REFERENCES_PAGE = "references.html"
_PAGE_HAS_BUNDLE = False
_BUNDLE: str | None = None


def theme() -> dict[str, Any]:
    """The house theme: one font, muted axes, a left-aligned title with subtitle, the palette."""
    grey = "#4d4d4d"
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": WIDTH, "continuousHeight": 300, "discreteWidth": WIDTH, "stroke": None},
            "background": "white",
            "aria": False,  # marks and axes carry no ARIA roles: the chart is one image with its alt text
            "padding": 8,
            "title": {"anchor": "start", "fontSize": 15, "fontWeight": "bold", "color": "#1a1a1a",
                      "subtitleFontSize": 12, "subtitleColor": grey, "offset": 10, "limit": TITLE_LIMIT},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleColor": grey, "labelColor": grey,
                     "gridColor": "#e6e6e6", "domainColor": "#999999", "tickColor": "#999999",
                     "titleFontWeight": "normal", "labelLimit": LABEL_LIMIT, "labelOverlap": True,
                     "labelSeparation": 4},
            "axisX": {"labelFlush": True},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "titleColor": grey,
                       "labelLimit": LABEL_LIMIT, "titleLimit": LABEL_LIMIT, "columns": 3},
            "header": {"labelLimit": LABEL_LIMIT, "labelFontSize": 11},
            "range": {"category": PALETTE},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0], "filled": True},
            "text": {"fontSize": 11, "color": "#1a1a1a"},
        }
    }


@alt.theme.register("aicompute", enable=True)
def _altair_theme() -> alt.theme.ThemeConfig:
    return theme()  # type: ignore[return-value]


#: Characters per legend label line (longer labels wrap onto more lines instead of being cut).
LEGEND_CHARS = 40


#: A Vega expression: the label, or a code name in it ('operating_cash_flow') as words ('Operating cash flow').
READABLE_LABEL = ("(test(/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/, datum.label) ? upper(substring(datum.label, 0, 1))"
                  " + replace(substring(datum.label, 1), /_/g, ' ') : datum.label)")


def wrap_labels(chars: int) -> str:
    """A Vega ``labelExpr`` that wraps an axis or legend label onto lines of at most ``chars`` characters (at
    spaces; an array of lines, which Vega draws one under another) instead of cutting it with an ellipsis; a code
    name is shown as words (:data:`READABLE_LABEL`)."""
    return f"split(trim(replace({READABLE_LABEL}, /(.{{1,{int(chars)}}})(\\s+|$)/g, '$1\\n')), '\\n')"


def wrapped_axis(chars: int, line_height: float = 12.0) -> dict[str, Any]:
    """Arguments of ``alt.Axis`` for a category axis whose long labels wrap (:func:`wrap_labels`): each label's
    lines centred on its tick (shifted up by half the extra lines) and none hidden as overlapping. Give the axis a
    band step tall enough for the lines."""
    return {"labelExpr": wrap_labels(chars), "labelOverlap": False,
            "labelOffset": {"expr": f"-{line_height / 2:g} * (length({wrap_labels(chars)}) - 1)"}}


def wrap_text(text: str, width: int) -> str | list[str]:
    """``text`` as lines of at most ``width`` characters (a list, which Vega draws as lines), or as is."""
    if len(text) <= width:
        return text
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def wrap_title(chart: alt.TopLevelMixin, width: int = TITLE_CHARS) -> alt.TopLevelMixin:
    """A copy of ``chart`` whose long title (and subtitle) wrap onto several lines instead of being cut: the
    chart's own, and those of the charts it layers or concatenates (a panel's title is wrapped to its share of
    the width)."""
    chart = _wrap_own_title(chart, width)
    for key in ("layer", "vconcat", "hconcat", "concat"):
        children = getattr(chart, key, alt.Undefined)
        if isinstance(children, list) and children:
            share = width if key in ("layer", "vconcat") else max(20, width // len(children))
            chart = chart.copy()
            setattr(chart, key, [wrap_title(c, share) for c in children])
    return chart


def _wrap_own_title(chart: alt.TopLevelMixin, width: int) -> alt.TopLevelMixin:
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, str):
        return chart.properties(title=wrap_text(title, width))
    if isinstance(title, alt.TitleParams):
        params = title.to_dict()
        if isinstance(params.get("text"), str):
            params["text"] = wrap_text(params["text"], width)
        if isinstance(params.get("subtitle"), str):
            params["subtitle"] = wrap_text(params["subtitle"], int(width * 1.2))
        return chart.properties(title=alt.TitleParams(**params))
    return chart


def with_source(chart: alt.TopLevelMixin, source: str | list[str]) -> alt.VConcatChart:
    """Wrap ``chart`` so that a grey source line sits under it (a bottom title of a one-chart concat)."""
    text = source if isinstance(source, str) else "; ".join(source)
    if not text.strip():
        raise ValueError("a chart needs a source line: pass source='Source: ...'")
    if not text.lower().startswith(("source", "sources")):
        text = "Source: " + text
    return alt.vconcat(wrap_title(chart)).properties(
        title=alt.TitleParams(text=wrap_text(text, SOURCE_CHARS), orient="bottom", anchor="start", fontSize=10,
                              fontWeight="normal", color="#666666", offset=12, limit=SOURCE_LIMIT)
    )


def contrast(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two ``#RRGGBB`` colours (1 to 21)."""
    def luminance(hex_colour: str) -> float:
        h = hex_colour.lstrip("#")
        channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(colour), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


class TooManyColours(ValueError):
    """A chart's categorical colour scale needs more colours than the palette has."""


def fold_other(frame: Any, column: str, value: str, *, keep: int = MAX_COLOURS - 1, other: str = "Other") -> Any:
    """``frame`` with the categories of ``column`` beyond the ``keep`` largest (by the sum of ``value``, in
    absolute terms) renamed ``other`` and summed (``value`` only; other numeric columns are dropped from the
    folded rows' key), so a chart needs at most ``keep + 1`` colours. Rows keep their other key columns."""
    import pandas as pd

    totals = frame.groupby(column)[value].apply(lambda v: v.abs().sum()).sort_values(ascending=False)
    if len(totals) <= keep + 1:
        return frame
    keep_names = set(totals.index[:keep])
    folded = frame.assign(**{column: frame[column].where(frame[column].isin(keep_names), other)})
    keys = [c for c in frame.columns if c != value and not pd.api.types.is_float_dtype(frame[c])]
    return folded.groupby(keys, as_index=False, dropna=False, sort=False)[value].sum()


_COLOUR_CHANNELS = ("color", "fill", "stroke")


def _encodings(node: Any) -> Any:
    """Every ``encoding`` dict of a Vega-Lite spec (its data and datasets are not searched)."""
    if isinstance(node, list):
        for child in node:
            yield from _encodings(child)
    elif isinstance(node, dict):
        if isinstance(node.get("encoding"), dict):
            yield node["encoding"]
        for key, child in node.items():
            if key not in ("datasets", "data", "encoding"):
                yield from _encodings(child)


def colour_count(spec: dict[str, Any]) -> int:
    """The most distinct values any categorical colour channel of ``spec`` (a Vega-Lite dict) draws from the
    palette: channels with their own ``scale.range``/``scheme`` or a ``value`` are not counted."""
    rows = [r for d in (spec.get("datasets") or {}).values() if isinstance(d, list) for r in d if isinstance(r, dict)]
    most = 0
    for enc in _encodings(spec):
        for ch in _COLOUR_CHANNELS:
            c = enc.get(ch)
            if not isinstance(c, dict) or c.get("type") not in ("nominal", "ordinal") or "field" not in c:
                continue
            scale = c.get("scale") or {}
            if scale.get("range") or scale.get("scheme"):
                continue
            field = c["field"]
            if scale.get("domain") and isinstance(scale["domain"], list):
                most = max(most, len(scale["domain"]))
            else:
                most = max(most, len({str(r[field]) for r in rows if field in r and r[field] is not None}))
    return most


def vega_bundle(*, inline: bool = True) -> str:
    """The Vega + Vega-Lite + vega-embed JavaScript (about 0.9 MB, a classic script that sets
    ``window.vegaEmbed``); ``inline``: safe inside a ``<script>`` element (``</script`` escaped)."""
    global _BUNDLE
    if _BUNDLE is None:
        import vl_convert as vlc

        _BUNDLE = vlc.javascript_bundle(vl_version=VL_VERSION)
    return _BUNDLE.replace("</script", "<\\/script") if inline else _BUNDLE


#: The chart's layout fitted to its container when the container is narrower than the chart (a phone, a narrow
#: window): every view width and title limit scaled down (not below 45%), titles re-wrapped to the new width, legends
#: and facets in fewer columns (a phone's three-column legend made the chart twice its column's width, and CSS then
#: shrank its text to 5 px), and a category axis's long labels wrapped onto more, shorter lines (on a phone a
#: 60-character label kept the chart ~650 px wide, drawn at half size): the lines scale with the view, never below
#: :data:`PHONE_LABEL_CHARS` nor above :data:`LABEL_SHARE` of the width, and each band grows to hold its lines. Labels are never cut (tests/test_reader.py). What
#: is still wider after that is scaled by CSS (``.aic-chart svg {max-width: 100%}``).
#: A view with this name (a diagram laid out in pixels) is never re-laid out, only scaled.
NO_FIT = "aic-nofit"
#: The fewest characters a wrapped axis label's line is given on a narrow screen (about 100 px at 11 px).
PHONE_LABEL_CHARS = 16
#: The most of the chart's width a wrapped axis label may take on a narrow screen, at about this many pixels a
#: character (11 px text).
LABEL_SHARE, CHAR_PX = 0.4, 6.5
#: Pixels per line of a wrapped axis label (11 px text), and the band's margin around its lines.
LABEL_LINE, BAND_MARGIN = 12, 6
_FIT_JS = ("(function(s,avail,nat){if(!avail||!nat||avail>=nat||JSON.stringify(s).indexOf('" + NO_FIT + "')>=0){return s;}"
           "var f=Math.max(0.45,(avail-4)/nat);s=JSON.parse(JSON.stringify(s));"
           "function wrap(t,n){if(Array.isArray(t)){t=t.join(' ');}if(typeof t!=='string'||t.length<=n){return t;}"
           "var out=[];t.split(' ').forEach(function(w){var l=out.length-1;"
           "if(l>=0&&out[l].length+1+w.length<=n){out[l]+=' '+w;}else{out.push(w);}});return out;}"
           "var T=Math.round(@T*f),S=Math.round(@S*f),U=Math.round(@U*f);"
           "function fewer(l){if(l&&typeof l==='object'&&typeof l.columns==='number'){l.columns=Math.max(1,Math.floor(l.columns*f));}}"
           # a category axis's labels: the longest in the chart's data, wrapped to lines that scale with the view
           "var W=@W,R=@R,band=0,tall=0,rows=[];"
           "Object.keys(s.datasets||{}).forEach(function(k){rows=rows.concat(s.datasets[k]||[]);});"
           "function longest(fd){var m=0;rows.forEach(function(r){var t=r&&r[fd];if(typeof t==='string'&&t.length>m){m=t.length;}});return m;}"
           "function kinds(fd){var seen={};rows.forEach(function(r){if(r&&r[fd]!==undefined){seen[r[fd]]=1;}});return Object.keys(seen).length;}"
           "function lines(d,c){var a=d.axis;if(c!=='y'||!a||typeof a!=='object'||(d.type!=='nominal'&&d.type!=='ordinal')){return;}"
           "var j=JSON.stringify(a),m=j.match(/\\{1,(\\d+)\\}/),L=longest(d.field),n=m?+m[1]:L;"
           "if(!m&&a.labelExpr&&a.labelExpr!==R){return;}"
           "var n2=Math.max(@C,Math.min(Math.round(n*f),Math.round(avail*@Q/@X)));if(n2>=n||n2>=L){return;}"
           "if(m){var b=JSON.parse(j.split('{1,'+n+'}').join('{1,'+n2+'}'));Object.keys(b).forEach(function(k){a[k]=b[k];});}"
           "else{a.labelExpr=W.split('{1,999}').join('{1,'+n2+'}');a.labelOverlap=false;"
           "a.labelOffset={expr:'-@H * (length('+a.labelExpr+') - 1)'};}"
           "var need=(Math.ceil(L/n2)+1)*@P+@M;band=Math.max(band,need);tall=Math.max(tall,need*kinds(d.field));}"
           "function walk(o){if(Array.isArray(o)){o.forEach(walk);return;}if(!o||typeof o!=='object'){return;}"
           "Object.keys(o).forEach(function(k){var v=o[k];"
           "if(k==='data'||k==='datasets'){return;}"
           "if(k==='encoding'){Object.keys(v||{}).forEach(function(c){var d=v[c];if(d&&typeof d==='object'){fewer(d.legend);lines(d,c);}});return;}"
           "if(k==='legend'){fewer(v);return;}"
           "if(k==='columns'&&typeof v==='number'&&o.facet){o[k]=Math.max(1,Math.floor(v*f));return;}"
           "if((k==='width'||k==='continuousWidth'||k==='discreteWidth'||k==='limit')&&typeof v==='number'){"
           "o[k]=Math.round(v*f);return;}"
           "if(k==='title'&&(typeof v==='string'||Array.isArray(v))){o[k]=wrap(v,T);return;}"
           "if(k==='title'&&v&&typeof v==='object'&&!Array.isArray(v)){"
           "if(v.text!==undefined){v.text=wrap(v.text,v.fontSize&&v.fontSize<=10?S:T);}"
           "if(v.subtitle!==undefined){v.subtitle=wrap(v.subtitle,U);}}"
           "walk(v);});}"
           # each band as tall as its wrapped lines: a step grows to them, a fixed height to all the bands
           "function grow(o){if(Array.isArray(o)){o.forEach(grow);return;}if(!o||typeof o!=='object'){return;}"
           "Object.keys(o).forEach(function(k){var v=o[k];if(k==='data'||k==='datasets'||k==='encoding'){return;}"
           "if(k==='height'&&typeof v==='number'){o[k]=Math.max(v,tall);return;}"
           "if(k==='height'&&v&&typeof v.step==='number'){v.step=Math.max(v.step,band);return;}grow(v);});}"
           "walk(s);if(band){grow(s);}return s;})").replace("@T", str(TITLE_CHARS)).replace("@S", str(SOURCE_CHARS)).replace(
               "@U", str(int(TITLE_CHARS * 1.2))).replace("@C", str(PHONE_LABEL_CHARS)).replace("@Q", f"{LABEL_SHARE:g}").replace("@X", f"{CHAR_PX:g}").replace(
               "@P", str(LABEL_LINE)).replace("@M", str(BAND_MARGIN)).replace("@H", f"{LABEL_LINE / 2:g}").replace(
               "@W", json.dumps(wrap_labels(999))).replace("@R", json.dumps(READABLE_LABEL))


def svg_width(svg: str) -> int:
    """The pixel width of a vl-convert SVG (its ``width`` attribute), 0 if none."""
    match = re.search(r'<svg\b[^>]*?\swidth="([\d.]+)', svg)
    return int(float(match.group(1))) if match else 0


def _embed_html(spec: dict[str, Any], chart_id: str, title: str, runtime: str = "", *,
                name: str | None = None, cites: Sequence[str] = (), links: str = "", natural_width: int = 0,
                alt_text: str | None = None) -> str:
    # every '<' as \u003c: inert in a <script> element ('</script', and '<!--' then '<script' from a source
    # title, which would make the element swallow the page after it, cannot occur)
    spec_json = json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")
    parts = []
    if runtime == "inline":
        parts.append(f'<script data-aic="vega-bundle">if (!window.vegaEmbed) {{\n{vega_bundle()}\n}}</script>')
    elif runtime == "site":
        parts.append(f'<script data-aic="vega-bundle" src="{VEGA_SCRIPT}"></script>')
    extra = f' data-name="{html.escape(name, quote=True)}"' if name else ""
    extra += f' data-cites="{html.escape(" ".join(cites), quote=True)}"' if cites else ""
    label = alt_text or title
    parts.append(
        f'<div class="aic-chart" id="{chart_id}"{extra} role="img" aria-label="{html.escape(label, quote=True)}"'
        f' data-width="{natural_width}"></div>\n'
        "<script>(function(){"
        # the layout-fitting function comes once per page, with the page's first chart (like the runtime)
        + (f"window.aicFit=window.aicFit||{_FIT_JS};" if runtime else "")
        + f"var spec={spec_json};"
        f"function go(){{var el=document.getElementById('{chart_id}');"
        f"var fit=window.aicFit||function(s){{return s;}};"
        f"window.vegaEmbed(el,fit(spec,el.clientWidth,{natural_width}),{{renderer:'svg',actions:false}})"
        # the drawing is one image, named by the div's aria-label (its alt text): its marks are not announced one by one
        ".then(function(){var s=el.querySelector('svg');if(s){s.setAttribute('aria-hidden','true');}})"
        ".catch(function(e){console.error(e);});}"
        "if(window.vegaEmbed){go();}else{window.addEventListener('load',go);}"
        "})();</script>"
    )
    if links:
        parts.append(links)
    return "\n".join(parts)


def chart_links(name: str, notebook: str | None, files: Sequence[str], cites: Sequence[str], *,
                ev: Any = None, series: Mapping[str, Sequence[str]] | None = None) -> str:
    """The line under a chart on the site: its downloads (``files``: ``csv``, ``svg``, copied by the build to
    ``downloads/figures/<notebook>/<name>.<ext>``) and its sources, each linked to its entry on the
    references page with the label its citation shows (the labels of ``ev``'s as-of date, as the references
    page; without ``ev``, of the whole sources table); a ``series`` ({name: source ids}, one series' releases)
    as its name and one short link per release, its year (the full label on hover). ``""`` when there is nothing
    to link."""
    parts = []
    if notebook and files:
        base = f"{DOWNLOADS}/{notebook}/{name}"
        links = [f'<a href="{html.escape(base, quote=True)}.{ext}" download>{label}</a>'
                 for ext, label in (("csv", "data (CSV)"), ("svg", "image (SVG)")) if ext in files]
        parts.append("Download: " + " · ".join(links))
    series = {n: list(m) for n, m in (series or {}).items() if m}
    if cites or series:
        from aicompute import cite

        table = cite.sources_of(ev)
        labels = cite.citation_labels(table)

        def link(c: str, text: str, title: str = "") -> str:
            hover = f' title="{html.escape(title, quote=True)}"' if title else ""
            return f'<a href="{REFERENCES_PAGE}#ref-{html.escape(c, quote=True)}"{hover}>{html.escape(text)}</a>'

        refs = [link(c, labels[c]) for c in dict.fromkeys(cites)]
        dates = table.set_index(table["id"].astype(str))["date"]
        for title, members in series.items():
            ordered = sorted(dict.fromkeys(members), key=lambda c: (str(dates[c]), c))
            refs.append(f"{html.escape(title)}: " + ", ".join(link(c, str(dates[c])[:4], labels[c]) for c in ordered))
        parts.append("Sources: " + "; ".join(refs))
    return f'<p class="aic-chart-links">{" · ".join(parts)}</p>' if parts else ""


def _first_in_spec(node: Any, pick: Any) -> Any:
    """The first truthy ``pick(node)`` in a Vega-Lite spec, depth first through its concat, layer and facet
    children (a node's own value before its children's)."""
    if not isinstance(node, dict):
        return None
    found = pick(node)
    if found:
        return found
    for key in ("vconcat", "hconcat", "layer", "spec"):
        sub = node.get(key)
        for child in sub if isinstance(sub, list) else [sub] if sub else []:
            found = _first_in_spec(child, pick)
            if found:
                return found
    return None


def _title_of(spec: dict[str, Any]) -> str:
    def own(node: dict[str, Any]) -> str | None:
        t = node.get("title")
        if isinstance(t, list) and not node.get("vconcat"):
            return " ".join(t)
        if isinstance(t, str) and not node.get("vconcat"):
            return t
        if isinstance(t, dict) and t.get("orient") != "bottom" and isinstance(t.get("text"), (str, list)):
            return t["text"] if isinstance(t["text"], str) else " ".join(t["text"])
        return None

    return _first_in_spec(spec, own) or "Chart"


def chart_bundle(chart: alt.TopLevelMixin | dict[str, Any], *, runtime: str = "", name: str | None = None,
                 cites: Sequence[str] = (), links: str = "", alt_text: str | None = None,
                 source_labels: Any = None, svg: bool = True) -> dict[str, str]:
    """The MIME bundle for ``chart`` (or its spec, ``chart.to_dict()``, which the bundle then changes): text/html
    (offline embed), image/svg+xml and text/plain.

    ``runtime``: ``"inline"`` carries the Vega runtime in the HTML, ``"site"`` loads it from the site's
    :data:`VEGA_SCRIPT`, ``""`` relies on an earlier chart of the page. ``name`` (the figure's file name)
    and ``cites`` (source ids) become ``data-name`` / ``data-cites`` attributes of the chart div;
    ``links`` (HTML, :func:`chart_links`) goes under the chart; ``source_labels``: see :func:`readable_tooltips`.
    ``svg=False``: no static SVG (about 0.3 s a chart), for a build that is never rendered.
    """
    import vl_convert as vlc

    spec = chart.to_dict() if hasattr(chart, "to_dict") else chart
    spec = trim_datasets(readable_tooltips(wrap_legend_labels(spec), source_labels))
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    title = _title_of(spec)
    image = vlc.vegalite_to_svg(spec, vl_version=VL_VERSION) if svg else ""
    return {
        "text/html": _embed_html(spec, f"aic-chart-{digest}", title, runtime, name=name, cites=cites, links=links,
                                 natural_width=svg_width(image), alt_text=alt_text),
        **({"image/svg+xml": image} if image else {}),
        "text/plain": f"<Chart: {title}>",
    }


_LEGEND_CHANNELS = ("color", "fill", "stroke", "shape", "strokeDash")


def wrap_legend_labels(spec: dict[str, Any], chars: int = LEGEND_CHARS) -> dict[str, Any]:
    """``spec`` with every categorical legend's labels wrapped (:func:`wrap_labels`) and every category axis's code
    names shown as words (:data:`READABLE_LABEL`), unless the chart sets its own ``labelExpr`` or has no legend or
    axis (Vega-Lite ignores ``labelExpr`` in the config, so it is set per legend and axis)."""
    for value in _encodings(spec):
        for channel in _LEGEND_CHANNELS:
            enc = value.get(channel)
            if isinstance(enc, dict) and enc.get("type") in ("nominal", "ordinal") and enc.get("legend", {}) is not None:
                enc.setdefault("legend", {}).setdefault("labelExpr", wrap_labels(chars))
        for channel in ("x", "y"):  # a category axis shows code names as words (no wrapping: bands are fixed)
            enc = value.get(channel)
            if isinstance(enc, dict) and enc.get("type") == "nominal" and enc.get("axis", {}) is not None:
                enc.setdefault("axis", {}).setdefault("labelExpr", READABLE_LABEL)
    return spec


#: A tooltip's number without a format of its own: three significant digits with thousands separators (d3-format); a
#: calendar year (a field ``year``, ``..._year``) as a year (2026, not 2,030); a duration in years keeps its decimals.
TOOLTIP_FORMAT = ",.3~r"
_YEAR_FIELD = re.compile(r"(^|_)year$")


def readable_tooltips(spec: dict[str, Any], source_labels: Any = None) -> dict[str, Any]:
    """``spec`` whose tooltips read as the rest of the report: each field titled as a reader reads it
    (``seed_value`` -> 'Seed value', :func:`aicompute.tables.readable`) unless the chart titles it, numbers formatted
    (:data:`TOOLTIP_FORMAT`) unless the chart formats them, and source ids shown as their citations ('SIA (2026)'):
    ``source_labels()`` gives {source id: label} (called only when a tooltip shows a source column)."""
    from aicompute.tables import is_source_column, readable

    sources: set[str] = set()
    for value in _encodings(spec):
        tips = value.get("tooltip")
        for entry in tips if isinstance(tips, list) else [tips]:
            if not isinstance(entry, dict) or not isinstance(entry.get("field"), str):
                continue
            field = entry["field"]
            if is_source_column(field):
                sources.add(field)
            entry.setdefault("title", "Source" if is_source_column(field) else readable(field))
            if entry.get("type") == "quantitative" and "format" not in entry:
                entry["format"] = "d" if _YEAR_FIELD.search(field) else TOOLTIP_FORMAT
    datasets = spec.get("datasets")
    if sources and source_labels is not None and isinstance(datasets, dict):
        labels = source_labels()
        for rows in datasets.values():
            for row in rows if isinstance(rows, list) else []:
                for field in sources & set(row if isinstance(row, dict) else ()):
                    ids = [i for i in re.split(r"[;,\s]+", str(row[field] or "")) if i]
                    if ids and all(i in labels for i in ids):
                        row[field] = "; ".join(dict.fromkeys(labels[i] for i in ids))
    return spec


def trim_datasets(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` whose inline datasets keep only the columns the spec names somewhere (encodings, tooltips,
    transforms, expressions): a chart's frame often carries columns no mark draws, which only made the page
    heavier. The chart's full data is its CSV download (:func:`chart_data`)."""
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict):
        return spec
    rest = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    for key, rows in datasets.items():
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            continue
        columns = {c for r in rows for c in r}
        keep = {c for c in columns if json.dumps(c)[1:-1] in rest or json.dumps(c.replace(".", "\\."))[1:-1] in rest}
        if keep != columns:
            datasets[key] = [{c: v for c, v in r.items() if c in keep} for r in rows]
    return spec


def chart_data(chart: Any) -> Any:
    """The chart's data frame: its own, else the first found in its layers / concatenated charts."""
    data = getattr(chart, "data", None)
    if hasattr(data, "to_csv"):
        return data
    for key in ("layer", "vconcat", "hconcat", "concat"):
        for sub in getattr(chart, key, None) or []:
            found = chart_data(sub)
            if found is not None:
                return found
    return None


def _save_copy(chart: alt.TopLevelMixin, bundle: dict[str, str], name: str) -> None:
    """Write the SVG and the chart's data (CSV) where the build asks (the run context's figures_out)."""
    from aicompute.context import current

    target = current().figures_out
    if target is None:
        return
    out = Path(target)
    out.mkdir(parents=True, exist_ok=True)
    if "image/svg+xml" in bundle:
        (out / f"{name}.svg").write_text(bundle["image/svg+xml"], encoding="utf-8")
    data = chart_data(chart)
    if data is not None:
        data.to_csv(out / f"{name}.csv", index=False)


def source_text(source: str | list[str] | None = None, sources: Sequence[str] | None = None, *,
                ev: Any = None, series: Mapping[str, Sequence[str]] | None = None) -> str:
    """The source line: ``cite.source_line(sources, ev=ev, series=series)`` (outlet and year per source id,
    labelled as in the bibliography of ``ev``'s as-of date; a series' releases cited once), then free ``source``
    text."""
    free = source if isinstance(source, str) else "; ".join(source or [])
    if not sources and not series:
        return free
    from aicompute import cite

    line = cite.source_line(list(sources or []), ev=ev, series=series)
    free = re.sub(r"^\s*sources?\s*:\s*", "", free, flags=re.IGNORECASE).strip()
    return f"{line}; {free}" if free else line


def _plain_title(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value) if isinstance(value, str) else ""


def alt_text(chart: alt.TopLevelMixin | dict[str, Any], frame: Any = None) -> str:
    """The chart's (or its spec's) text alternative: its title (the finding), subtitle, source line, and what data
    it draws (rows and columns of its data, downloadable as CSV under the chart)."""
    spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
    parts = [_title_of(spec)]

    def subtitle(node: dict[str, Any]) -> str:
        t = node.get("title")
        return _plain_title(t["subtitle"]) if isinstance(t, dict) and t.get("subtitle") else ""

    if sub := _first_in_spec(spec, subtitle):
        parts.append(sub)
    top = spec.get("title")
    if isinstance(top, dict) and top.get("orient") == "bottom":
        parts.append(_plain_title(top.get("text")))
    if frame is not None and hasattr(frame, "columns"):
        cols = ", ".join(str(c) for c in list(frame.columns)[:8])
        parts.append(f"Data: {len(frame)} rows ({cols}), in the CSV linked under the chart")
    return ". ".join(p.rstrip(". ") for p in parts if p) + "."


def show(chart: alt.TopLevelMixin, *, source: str | list[str] | None = None, name: str,
         sources: Sequence[str] | None = None, ev: Any = None,
         series: Mapping[str, Sequence[str]] | None = None) -> None:
    """Display ``chart`` with its source line, offline-ready; ``name`` is its file name (fig-<chapter>-<slug>).

    ``sources``: source ids from data/sources.csv; the source line then reads like the citations
    ("Source: NVIDIA (2026); The Information (2025)"), ``source`` text is appended, and the chart's
    HTML carries ``data-cites``. Either ``source`` or ``sources`` is required. ``ev``: the chapter's evidence
    (``ev = data.evidence(as_of)``), whose as-of date's bibliography labels the sources; required with ``sources`` (a TypeError without it).
    ``series``: {name: source ids} of one series' releases (a figure re-published each year), cited once as
    "name, 1989–2026" (:func:`aicompute.cite.series_citation`), not one label per release; needs ``ev`` too.

    Under the build (the run context has ``figures_out``) the chart's SVG and data are saved for the site's
    downloads, the HTML links them and the sources, and the Vega runtime is the site's shared file.
    """
    global _PAGE_HAS_BUNDLE
    from IPython.display import display

    from aicompute.context import current

    if (sources or series) and ev is None:
        raise TypeError(f"{name}: charts.show(..., sources=[...]) needs ev=ev, the chapter's evidence (its as-of "
                        "date's bibliography labels the sources)")
    wrapped = with_source(chart, source_text(source, sources, ev=ev, series=series))
    cites = [*(sources or []), *(i for members in (series or {}).values() for i in members)]
    from aicompute import cite

    if cites:  # an illustrative source has no entry on the references page: named on the chart, not linked
        made_up = cite.illustrative_ids(ev.sources())
        sources = [s for s in sources or [] if s not in made_up]
        series = {n: [i for i in m if i not in made_up] for n, m in (series or {}).items()}
        cites = [c for c in cites if c not in made_up]
    spec = wrapped.to_dict()  # validated once: the colour check, the text alternative and the bundle read it
    colours = colour_count(spec)
    if colours > MAX_COLOURS:
        message = (f"{name}: a colour scale with {colours} categories, more than the palette's {MAX_COLOURS} distinct "
                   "colours: fold the smallest into 'Other' (charts.fold_other) or give the scale its own range")
        if STRICT_COLOURS:
            raise TooManyColours(message)
        import warnings

        warnings.warn(message, stacklevel=2)
    run = current()
    under_build = run.figures_out is not None
    files = [*(["csv"] if chart_data(chart) is not None else []), *(["svg"] if run.svg else [])]
    links = chart_links(name, run.notebook, files, list(sources or []), ev=ev, series=series) if under_build else ""
    runtime = "" if _PAGE_HAS_BUNDLE else "site" if under_build else "inline"
    text = alt_text(spec, chart_data(chart))
    bundle = chart_bundle(spec, runtime=runtime, name=name, cites=list(dict.fromkeys(cites)), links=links,
                          source_labels=lambda: cite.citation_labels(cite.sources_of(ev)), alt_text=text, svg=run.svg)
    _PAGE_HAS_BUNDLE = True
    _save_copy(chart, bundle, name)
    display(bundle, raw=True)


def binned(values: Any, bins: int = 40) -> Any:
    """A histogram of ``values`` as a small frame (``start``, ``end``, ``count``): charts of many draws embed
    the bins, not every draw, so a page stays light."""
    import numpy as np
    import pandas as pd

    counts, edges = np.histogram(np.asarray(values, dtype=float), bins=bins)
    return pd.DataFrame({"start": edges[:-1], "end": edges[1:], "count": counts})


# --------------------------------------------------------------------------------- chapter 05: the scenarios

#: One colour per ending, the same on every chart of the chapter.
ENDING_COLORS = {"Hard landing": "#D55E00", "Muddle-through": "#C17A00", "Soft landing": "#009E73",
                 "Continued boom": "#0072B2"}


def ending_colour_of(name: str) -> str:
    """The colour of the ending ``name`` names ('Hard landing', or a label starting with it: 'Hard landing by the
    end of 2027'); a neutral grey (4.5:1 on white) for anything else."""
    for ending, colour in ENDING_COLORS.items():
        if str(name).lower().startswith(ending.lower()):
            return colour
    return "#767676"


def _ending_colour(names: list[str], title: str | None = None) -> alt.Color:
    order = list(ENDING_COLORS)
    rank = {n: next((i for i, e in enumerate(order) if str(n).lower().startswith(e.lower())), len(order)) for n in names}
    domain = sorted(dict.fromkeys(names), key=lambda n: (rank[n], str(n)))
    return alt.Color("ending:N", title=title, sort=domain,
                     scale=alt.Scale(domain=domain, range=[ending_colour_of(n) for n in domain]))


def odds_over_time(frame: Any, *, title: str, subtitle: str, x_title: str = "As of (month end)",
                   height: int = 240, facet: str | None = None, columns: int = 1, width: int = WIDTH) -> alt.TopLevelMixin:
    """Probability of each ending on each date: lines (``date``, ``ending``, ``probability`` in %), with a band
    where ``low``/``high`` are given; optional facet column (one panel per value)."""
    names = sorted(frame["ending"].unique())
    colour = _ending_colour(names)
    x = alt.X("date:T", title=x_title, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6))
    y = alt.Y("probability:Q", title="Probability (%)", scale=alt.Scale(domain=[0, 100]))
    line = alt.Chart().mark_line(interpolate="step-after", point=True).encode(
        x=x, y=y, color=colour, tooltip=["date:T", "ending:N", alt.Tooltip("probability:Q", format=".1f")])
    layers = [line]
    if "low" in frame.columns:
        layers.insert(0, alt.Chart().mark_area(opacity=0.15, interpolate="step-after").encode(
            x=x, y="low:Q", y2="high:Q", color=colour))
    chart = alt.layer(*layers, data=frame).properties(width=width if not facet else int(width / columns) - 20,
                                                      height=height)
    if facet:
        chart = chart.facet(facet=alt.Facet(f"{facet}:N", title=None), columns=columns).resolve_scale(x="independent")
    return chart.properties(title=alt.TitleParams(title, subtitle=subtitle))


def odds_ranges(frame: Any, *, title: str, subtitle: str) -> alt.TopLevelMixin:
    """Each ending's central probability (point) and its range over the calibration settings (bar); columns ending,
    central, low, high (in %)."""
    names = list(frame["ending"])
    colour = _ending_colour(names)
    y = alt.Y("ending:N", sort=names, title=None, axis=alt.Axis(**wrapped_axis(40)))  # long names wrap
    colour.legend = None  # the axis names each ending
    bars = alt.Chart(frame).mark_rule(strokeWidth=8, opacity=0.35).encode(
        x=alt.X("low:Q", title="Probability (%)", scale=alt.Scale(domain=[0, 100])), x2="high:Q", y=y, color=colour)
    points = alt.Chart(frame).mark_point(filled=True, size=90).encode(
        x="central:Q", y=y, color=colour, tooltip=["ending", alt.Tooltip("central:Q", format=".1f"),
                                                    alt.Tooltip("low:Q", format=".1f"), alt.Tooltip("high:Q", format=".1f")])
    labels = alt.Chart(frame).mark_text(align="left", dx=8, dy=-10, fontSize=11).encode(
        x="central:Q", y=y, text="label:N")
    return (bars + points + labels).properties(height=alt.Step(40), width=WIDTH,
                                               title=alt.TitleParams(title, subtitle=subtitle))


def fan(frame: Any, *, title: str, subtitle: str, y_title: str, threshold: float | None = None,
        points: Any = None, width: int = WIDTH, height: int = 260, facet: str | None = None,
        columns: int = 2, log: bool = False) -> alt.TopLevelMixin:
    """Median line with 50% and 90% bands over ``month`` (columns p5, p25, p50, p75, p95); a vertical rule at
    ``last_reading`` if the frame has it (months after it are simulated); optional dashed ``threshold`` and
    ``points`` (month, value, label) such as published projections; optional facet."""
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    x = alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y", tickCount=6))
    layers = [alt.Chart().mark_area(opacity=0.15, color=PALETTE[0]).encode(
                  x=x, y=alt.Y("p5:Q", title=y_title, scale=scale), y2="p95:Q"),
              alt.Chart().mark_area(opacity=0.3, color=PALETTE[0]).encode(x=x, y="p25:Q", y2="p75:Q"),
              alt.Chart().mark_line(color=PALETTE[0]).encode(x=x, y="p50:Q")]
    if threshold is not None:
        layers.append(alt.Chart().mark_rule(color="#333333", strokeDash=[4, 3]).encode(y=alt.datum(threshold)))
    if "last_reading" in frame.columns:
        layers.append(alt.Chart().mark_rule(color="#999999", strokeDash=[2, 2]).encode(x="max(last_reading):T"))
    chart = alt.layer(*layers, data=frame).properties(width=width if not facet else int(width / columns) - 20,
                                                      height=height)
    if points is not None and len(points):
        pts = alt.Chart(points).mark_point(shape="diamond", filled=True, size=60, color=PALETTE[3]).encode(
            x="month:T", y="value:Q", tooltip=["label:N", "value:Q"])
        chart = alt.layer(chart, pts)
    if facet:
        chart = chart.facet(facet=alt.Facet(f"{facet}:N", title=None), columns=columns).resolve_scale(y="independent")
    return chart.properties(title=alt.TitleParams(title, subtitle=subtitle))


def year_gaps(years: Any) -> list[tuple[int, int]]:
    """The runs of years missing between the first and the last of ``years``: [1988, 1996, 1997] -> [(1989, 1995)]."""
    known = sorted({int(y) for y in years})
    return [(a + 1, b - 1) for a, b in zip(known, known[1:]) if b - a > 1]


def annual_growth_bars(frame: Any, *, title: str, subtitle: str, lines: dict[str, float]) -> alt.TopLevelMixin:
    """Annual growth (%) per year as bars coloured by ``kind`` (boom year, ordinary year, a fall); dashed rules
    at ``lines`` {label: value in %}. The year axis is a number line: years with no data stay an empty stretch,
    labelled 'no data' (:func:`year_gaps`), instead of the bars on either side sitting next to each other."""
    import pandas as pd

    falls = sorted(set(frame["kind"]) - {"boom year", "ordinary year"})
    kinds = ["boom year", "ordinary year", *falls]
    years = frame["year"].astype(int)
    frame = frame.assign(year=years, left=years - 0.4, right=years + 0.4)
    scale = alt.Scale(domain=[int(years.min()) - 0.6, int(years.max()) + 0.6], nice=False, zero=False)
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("left:Q", title=None, scale=scale, axis=alt.Axis(format="d", tickMinStep=1, labelAngle=-90)),
        x2="right:Q",
        y=alt.Y("growth:Q", title="Growth over the year before (%)"), y2=alt.datum(0),
        color=alt.Color("kind:N", sort=kinds, title=None,
                        scale=alt.Scale(domain=kinds, range=[PALETTE[0], "#BBBBBB", PALETTE[3]][:len(kinds)])),
        tooltip=["year", alt.Tooltip("growth:Q", format=".1f"), "kind"])
    rules = [alt.Chart().mark_rule(strokeDash=[4, 3], color="#333333").encode(y=alt.datum(v)) for v in lines.values()]
    layers = [bars, *rules]
    gaps = pd.DataFrame([{"mid": (a + b) / 2, "label": f"no data\n{a}–{b}" if b > a else f"no data\n{a}"}
                         for a, b in year_gaps(years)])
    if len(gaps):
        layers.append(alt.Chart(gaps).mark_text(fontSize=10, fontStyle="italic", color="#555555", lineBreak="\n",
                                                baseline="bottom", dy=-4).encode(
            x=alt.X("mid:Q", scale=scale), y=alt.datum(0), text="label:N"))
    return alt.layer(*layers).properties(width=WIDTH, height=240, title=alt.TitleParams(title, subtitle=subtitle))


def _break_lines(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, joined by newlines (Vega's ``lineBreak``)."""
    wrapped = wrap_text(text, width)
    return wrapped if isinstance(wrapped, str) else "\n".join(wrapped)


def causal_diagram(nodes: Any, edges: Any, *, width: float, height: float, title: str,
                   subtitle: str) -> alt.TopLevelMixin:
    """Nodes (x, y, label, kind) and arrows (x, y, x2, y2, angle) in pixel coordinates."""
    x = alt.X("x:Q", scale=alt.Scale(domain=[0, width]), axis=None)
    y = alt.Y("y:Q", scale=alt.Scale(domain=[height, 0]), axis=None)
    lines = alt.Chart(edges).mark_rule(color="#888888", strokeWidth=1.2).encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    heads = alt.Chart(edges).mark_point(shape="triangle-up", filled=True, size=40, color="#888888", opacity=1).encode(
        x=alt.X("x2:Q", scale=alt.Scale(domain=[0, width]), axis=None),
        y=alt.Y("y2:Q", scale=alt.Scale(domain=[height, 0]), axis=None), angle=alt.Angle("angle:Q", scale=None))
    kinds = ["driver", "state", "outcome"]
    colour = alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=PALETTE[:3]),
                       legend=alt.Legend(title="Node", orient="bottom"))
    # labels on up to three short lines (they overlapped on one), over a white halo that keeps them clear of the arrows
    nodes = nodes.assign(label=[_break_lines(str(t), 16) for t in nodes["label"]])
    halo = alt.Chart(nodes).mark_text(fontWeight="bold", fontSize=11, lineBreak="\n", stroke="white", strokeWidth=4,
                                      strokeJoin="round").encode(x=x, y=y, text="label:N")
    labels = alt.Chart(nodes).mark_text(fontWeight="bold", fontSize=11, lineBreak="\n").encode(
        x=x, y=y, text="label:N", color=colour)
    # name NO_FIT: positions are pixels, so on a narrow screen the diagram is scaled whole, not re-laid out
    return (lines + heads + halo + labels).properties(name=NO_FIT, width=width, height=height,
                                               title=alt.TitleParams(title, subtitle=subtitle))
