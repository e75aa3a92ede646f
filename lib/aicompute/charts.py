"""House chart style and the offline chart renderer.

Altair's default output loads Vega from a CDN when the page is viewed, so no chart renders offline.
:func:`show` instead emits a MIME bundle per chart:

* ``text/html``: a ``<div class="aic-chart">`` and a small script that calls ``vegaEmbed`` on the spec.
  The first chart shown in a kernel (= one notebook = one report page) also carries the Vega, Vega-Lite
  and vega-embed bundle from ``vl_convert.javascript_bundle`` inline, once; later charts wait for it.
* ``image/svg+xml``: a static SVG made by vl-convert, which the PDF path (typst) and print use.
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

__all__ = ["alt", "FONT", "PALETTE", "theme", "with_source", "show", "chart_bundle", "vega_bundle", "reset_page",
           "source_text"]

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


def vega_bundle() -> str:
    """The Vega + Vega-Lite + vega-embed JavaScript (about 0.9 MB), which sets ``window.vegaEmbed``."""
    global _BUNDLE
    if _BUNDLE is None:
        import vl_convert as vlc

        _BUNDLE = vlc.javascript_bundle(vl_version=VL_VERSION).replace("</script", "<\\/script")
    return _BUNDLE


def reset_page() -> None:
    """Forget that the bundle was emitted (the next chart carries it again)."""
    global _PAGE_HAS_BUNDLE
    _PAGE_HAS_BUNDLE = False


def _embed_html(spec: dict[str, Any], chart_id: str, title: str, include_bundle: bool, *,
                name: str | None = None, cites: Sequence[str] = (), files: Sequence[str] = ()) -> str:
    spec_json = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
    parts = []
    if include_bundle:
        parts.append(f'<script data-aic="vega-bundle">if (!window.vegaEmbed) {{\n{vega_bundle()}\n}}</script>')
    extra = f' data-name="{html.escape(name, quote=True)}"' if name else ""
    extra += f' data-files="{html.escape(" ".join(files), quote=True)}"' if name and files else ""
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
    return "\n".join(parts)


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


def chart_bundle(chart: alt.TopLevelMixin, *, include_bundle: bool = False, name: str | None = None,
                 cites: Sequence[str] = (), files: Sequence[str] = ()) -> dict[str, str]:
    """The MIME bundle for ``chart``: text/html (offline embed), image/svg+xml and text/plain.

    ``name`` (the figure's file name), ``files`` (the copies written: ``csv``, ``svg``) and ``cites``
    (source ids) become ``data-name`` / ``data-files`` / ``data-cites`` attributes of the chart div:
    the renderer links the chart's downloads and sources from them.
    """
    import vl_convert as vlc

    spec = chart.to_dict()
    digest = hashlib.sha1(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:10]
    title = _title_of(spec)
    svg = vlc.vegalite_to_svg(spec, vl_version=VL_VERSION)
    return {
        "text/html": _embed_html(spec, f"aic-chart-{digest}", title, include_bundle, name=name, cites=cites,
                                 files=files),
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


def source_text(source: str | list[str] | None = None, sources: Sequence[str] | None = None) -> str:
    """The source line: ``cite.source_line(sources)`` (outlet and year per source id), then free ``source`` text."""
    free = source if isinstance(source, str) else "; ".join(source or [])
    if not sources:
        return free
    from aicompute import cite

    line = cite.source_line(list(sources))
    free = re.sub(r"^\s*sources?\s*:\s*", "", free, flags=re.IGNORECASE).strip()
    return f"{line}; {free}" if free else line


def show(chart: alt.TopLevelMixin, *, source: str | list[str] | None = None, name: str,
         sources: Sequence[str] | None = None) -> None:
    """Display ``chart`` with its source line, offline-ready; ``name`` is its file name (fig-<chapter>-<slug>).

    ``sources``: source ids from data/sources.csv; the source line then reads like the citations
    ("Source: NVIDIA (2026); The Information (2025)"), ``source`` text is appended, and the chart's
    HTML carries ``data-cites``. Either ``source`` or ``sources`` is required.
    """
    global _PAGE_HAS_BUNDLE
    from IPython.display import display

    wrapped = with_source(chart, source_text(source, sources))
    files = ["csv", "svg"] if chart_data(chart) is not None else ["svg"]
    bundle = chart_bundle(wrapped, include_bundle=not _PAGE_HAS_BUNDLE, name=name, cites=list(sources or []),
                          files=files)
    _PAGE_HAS_BUNDLE = True
    _save_copy(chart, bundle, name)
    display(bundle, raw=True)
