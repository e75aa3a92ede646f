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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt

__all__ = ["alt", "FONT", "PALETTE", "theme", "with_source", "show", "chart_bundle", "vega_bundle", "reset_page", "binned",
           "source_text", "VEGA_SCRIPT", "DOWNLOADS", "REFERENCES_PAGE"]

FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"
#: Categorical palette (colour-blind safe: Okabe-Ito order).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
#: Verdict colours used throughout the report.
VERDICT_COLORS = {
    "confirmed": "#009E73",
    "partly": "#E69F00",
    "misattributed": "#CC79A7",
    "contradicted": "#D55E00",
    "unverified": "#999999",
    "pending": "#DDDDDD",
}
VL_VERSION = "6.4"  # Vega-Lite version of Altair 6 (alt.SCHEMA_VERSION v6.4.x)
WIDTH = 560
TITLE_CHARS = 72  # characters per title line at 15 px bold over the chart width (longer titles wrap)
SOURCE_CHARS = 110  # characters per source line at 10 px
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
            "padding": 8,
            "title": {"anchor": "start", "fontSize": 15, "fontWeight": "bold", "color": "#1a1a1a",
                      "subtitleFontSize": 12, "subtitleColor": grey, "offset": 10, "limit": WIDTH + 80},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "titleColor": grey, "labelColor": grey,
                     "gridColor": "#e6e6e6", "domainColor": "#999999", "tickColor": "#999999",
                     "titleFontWeight": "normal"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11, "orient": "bottom", "titleColor": grey},
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
    """A copy of ``chart`` whose long title (and subtitle) wrap onto several lines instead of being cut."""
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
                              fontWeight="normal", color="#666666", offset=12, limit=WIDTH + 80)
    )


def vega_bundle(*, inline: bool = True) -> str:
    """The Vega + Vega-Lite + vega-embed JavaScript (about 0.9 MB, a classic script that sets
    ``window.vegaEmbed``); ``inline``: safe inside a ``<script>`` element (``</script`` escaped)."""
    global _BUNDLE
    if _BUNDLE is None:
        import vl_convert as vlc

        _BUNDLE = vlc.javascript_bundle(vl_version=VL_VERSION)
    return _BUNDLE.replace("</script", "<\\/script") if inline else _BUNDLE


def reset_page() -> None:
    """Forget that the bundle was emitted (the next chart carries it again)."""
    global _PAGE_HAS_BUNDLE
    _PAGE_HAS_BUNDLE = False


def _embed_html(spec: dict[str, Any], chart_id: str, title: str, runtime: str = "", *,
                name: str | None = None, cites: Sequence[str] = (), links: str = "") -> str:
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
    parts.append(
        f'<div class="aic-chart" id="{chart_id}"{extra} role="img" aria-label="{html.escape(title)}"></div>\n'
        "<script>(function(){"
        f"var spec={spec_json};"
        f"function go(){{window.vegaEmbed('#{chart_id}',spec,{{renderer:'svg',actions:false}})"
        ".catch(function(e){console.error(e);});}"
        "if(window.vegaEmbed){go();}else{window.addEventListener('load',go);}"
        "})();</script>"
    )
    if links:
        parts.append(links)
    return "\n".join(parts)


def chart_links(name: str, notebook: str | None, files: Sequence[str], cites: Sequence[str], *,
                ev: Any = None) -> str:
    """The line under a chart on the site: its downloads (``files``: ``csv``, ``svg``, copied by the build to
    ``downloads/figures/<notebook>/<name>.<ext>``) and its sources, each linked to its entry on the
    references page with the label its citation shows (the labels of ``ev``'s as-of date, as the references
    page; without ``ev``, of the whole sources table). ``""`` when there is nothing to link."""
    parts = []
    if notebook and files:
        base = f"{DOWNLOADS}/{notebook}/{name}"
        links = [f'<a href="{html.escape(base, quote=True)}.{ext}" download>{label}</a>'
                 for ext, label in (("csv", "data (CSV)"), ("svg", "image (SVG)")) if ext in files]
        parts.append("Download: " + " · ".join(links))
    if cites:
        from aicompute import cite, data

        labels = cite.citation_labels(ev.sources() if ev is not None else data.load("sources"))
        refs = [f'<a href="{REFERENCES_PAGE}#ref-{html.escape(c, quote=True)}">{html.escape(labels[c])}</a>'
                for c in dict.fromkeys(cites)]
        parts.append("Sources: " + "; ".join(refs))
    return f'<p class="aic-chart-links">{" · ".join(parts)}</p>' if parts else ""


def _title_of(spec: dict[str, Any]) -> str:
    def find(node: Any) -> str | None:
        if isinstance(node, dict):
            t = node.get("title")
            if isinstance(t, list) and not node.get("vconcat"):
                return " ".join(t)
            if isinstance(t, str) and not node.get("vconcat"):
                return t
            if isinstance(t, dict) and t.get("orient") != "bottom" and isinstance(t.get("text"), (str, list)):
                return t["text"] if isinstance(t["text"], str) else " ".join(t["text"])
            for key in ("vconcat", "hconcat", "layer", "spec"):
                sub = node.get(key)
                for child in sub if isinstance(sub, list) else [sub] if sub else []:
                    found = find(child)
                    if found:
                        return found
        return None

    return find(spec) or "Chart"


def chart_bundle(chart: alt.TopLevelMixin, *, runtime: str = "", name: str | None = None,
                 cites: Sequence[str] = (), links: str = "") -> dict[str, str]:
    """The MIME bundle for ``chart``: text/html (offline embed), image/svg+xml and text/plain.

    ``runtime``: ``"inline"`` carries the Vega runtime in the HTML, ``"site"`` loads it from the site's
    :data:`VEGA_SCRIPT`, ``""`` relies on an earlier chart of the page. ``name`` (the figure's file name)
    and ``cites`` (source ids) become ``data-name`` / ``data-cites`` attributes of the chart div;
    ``links`` (HTML, :func:`chart_links`) goes under the chart.
    """
    import vl_convert as vlc

    spec = chart.to_dict()
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    title = _title_of(spec)
    svg = vlc.vegalite_to_svg(spec, vl_version=VL_VERSION)
    return {
        "text/html": _embed_html(spec, f"aic-chart-{digest}", title, runtime, name=name, cites=cites, links=links),
        "image/svg+xml": svg,
        "text/plain": f"<Chart: {title}>",
    }


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
    (out / f"{name}.svg").write_text(bundle["image/svg+xml"], encoding="utf-8")
    data = chart_data(chart)
    if data is not None:
        data.to_csv(out / f"{name}.csv", index=False)


def source_text(source: str | list[str] | None = None, sources: Sequence[str] | None = None, *,
                ev: Any = None) -> str:
    """The source line: ``cite.source_line(sources, ev=ev)`` (outlet and year per source id, labelled as in
    the bibliography of ``ev``'s as-of date), then free ``source`` text."""
    free = source if isinstance(source, str) else "; ".join(source or [])
    if not sources:
        return free
    from aicompute import cite

    line = cite.source_line(list(sources), ev=ev)
    free = re.sub(r"^\s*sources?\s*:\s*", "", free, flags=re.IGNORECASE).strip()
    return f"{line}; {free}" if free else line


def show(chart: alt.TopLevelMixin, *, source: str | list[str] | None = None, name: str,
         sources: Sequence[str] | None = None, ev: Any = None) -> None:
    """Display ``chart`` with its source line, offline-ready; ``name`` is its file name (fig-<chapter>-<slug>).

    ``sources``: source ids from data/sources.csv; the source line then reads like the citations
    ("Source: NVIDIA (2026); The Information (2025)"), ``source`` text is appended, and the chart's
    HTML carries ``data-cites``. Either ``source`` or ``sources`` is required. ``ev``: the chapter's evidence
    (``ev = data.evidence(as_of)``), whose as-of date's bibliography labels the sources; pass it with ``sources``.

    Under the build (the run context has ``figures_out``) the chart's SVG and data are saved for the site's
    downloads, the HTML links them and the sources, and the Vega runtime is the site's shared file.
    """
    global _PAGE_HAS_BUNDLE
    from IPython.display import display

    from aicompute.context import current

    if ev is None and sources:
        from aicompute import evidence

        ev = evidence._last()  # until every chapter passes ev=ev (then this fallback goes)
    wrapped = with_source(chart, source_text(source, sources, ev=ev))
    if sources:  # an illustrative source has no entry on the references page: named on the chart, not linked
        from aicompute import cite, data

        made_up = cite.illustrative_ids(ev.sources() if ev is not None else data.load("sources"))
        sources = [s for s in sources if s not in made_up]
    run = current()
    under_build = run.figures_out is not None
    files = ["csv", "svg"] if chart_data(chart) is not None else ["svg"]
    links = chart_links(name, run.notebook, files, list(sources or []), ev=ev) if under_build else ""
    runtime = "" if _PAGE_HAS_BUNDLE else "site" if under_build else "inline"
    bundle = chart_bundle(wrapped, runtime=runtime, name=name, cites=list(sources or []), links=links)
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
ENDING_COLORS = {"Hard landing": "#D55E00", "Muddle-through": "#E69F00", "Soft landing": "#009E73",
                 "Continued boom": "#0072B2"}


def _ending_colour(names: list[str], title: str | None = None) -> alt.Color:
    domain = [n for n in ENDING_COLORS if n in names] + sorted(set(names) - set(ENDING_COLORS))
    return alt.Color("ending:N", title=title, sort=domain,
                     scale=alt.Scale(domain=domain, range=[ENDING_COLORS.get(n, "#999999") for n in domain]))


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
    y = alt.Y("ending:N", sort=names, title=None)
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


def annual_growth_bars(frame: Any, *, title: str, subtitle: str, lines: dict[str, float]) -> alt.TopLevelMixin:
    """Annual growth (%) per year as bars coloured by ``kind`` (boom year, ordinary year, a fall); dashed rules
    at ``lines`` {label: value in %}."""
    falls = sorted(set(frame["kind"]) - {"boom year", "ordinary year"})
    kinds = ["boom year", "ordinary year", *falls]
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("growth:Q", title="Growth over the year before (%)"),
        color=alt.Color("kind:N", sort=kinds, title=None,
                        scale=alt.Scale(domain=kinds, range=[PALETTE[0], "#BBBBBB", PALETTE[3]][:len(kinds)])),
        tooltip=["year", alt.Tooltip("growth:Q", format=".1f"), "kind"])
    rules = [alt.Chart().mark_rule(strokeDash=[4, 3], color="#333333").encode(y=alt.datum(v)) for v in lines.values()]
    return alt.layer(bars, *rules).properties(width=WIDTH, height=240, title=alt.TitleParams(title, subtitle=subtitle))


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
    labels = alt.Chart(nodes).mark_text(fontWeight="bold", fontSize=11).encode(x=x, y=y, text="label:N", color=colour)
    return (lines + heads + labels).properties(width=width, height=height,
                                               title=alt.TitleParams(title, subtitle=subtitle))
