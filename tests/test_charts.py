"""The offline chart renderer: no CDN, the Vega runtime once per page (inline interactively, the site's
shared file under the build), an SVG copy, a source line, download and source links under the build."""

from __future__ import annotations

import re
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from aicompute import charts, data
from aicompute.context import RunContext


def _chart() -> alt.Chart:
    df = pd.DataFrame({"year": [2023, 2024, 2025], "gw": [0.2, 0.6, 1.9]})
    return (
        alt.Chart(df)
        .mark_line()
        .encode(x="year:O", y=alt.Y("gw:Q", title="Compute (GW)"))
        .properties(title="Compute rose 9.5-fold in two years")
    )


@pytest.fixture(autouse=True)
def small_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stand-in for the 0.9 MB Vega runtime (vl-convert takes seconds to generate it; the session build
    draws every chart with the real one, tests/test_site.py)."""
    monkeypatch.setattr(charts, "_BUNDLE", "/* vega */ window.vegaEmbed = function () {}; // </script>")
    monkeypatch.setattr("aicompute.context._OVERRIDE", [])  # interactive unless a test says otherwise


def test_bundle_has_no_remote_scripts_and_an_svg() -> None:
    b = charts.chart_bundle(charts.with_source(_chart(), "OpenAI"), runtime="inline")
    html = b["text/html"]
    assert not re.search(r"<script[^>]+src=", html)
    assert "window.vegaEmbed" in html and 'class="aic-chart"' in html
    assert b["image/svg+xml"].lstrip().startswith("<svg")
    assert "Source: OpenAI" in b["image/svg+xml"]  # the source line is drawn under the chart
    assert "Compute rose 9.5-fold in two years" in b["image/svg+xml"]
    assert b["text/plain"] == "<Chart: Compute rose 9.5-fold in two years>"
    assert "</script" not in charts.vega_bundle() and "</script" in charts.vega_bundle(inline=False)
    site = charts.chart_bundle(_chart(), runtime="site")["text/html"]
    assert f'<script data-aic="vega-bundle" src="{charts.VEGA_SCRIPT}"></script>' in site
    assert "vega-bundle" not in charts.chart_bundle(_chart())["text/html"]


def test_a_build_that_renders_nothing_can_skip_the_static_svg(tmp_path: Path) -> None:
    from aicompute.pipeline.build import BuildError, Project, build

    b = charts.chart_bundle(_chart(), runtime="site", svg=False)
    assert "image/svg+xml" not in b and 'data-width="0"' in b["text/html"]
    assert b["text/plain"] == "<Chart: Compute rose 9.5-fold in two years>"
    with pytest.raises(BuildError, match="svg=False"):  # the PDF prints the SVG: a rendering build needs it
        build(Project(root=tmp_path), svg=False, log=lambda s: None)


def test_runtime_once_per_page_inline_interactively(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[dict] = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.setattr(charts, "_PAGE_HAS_BUNDLE", False)
    charts.show(_chart(), source="OpenAI", name="fig-a")
    charts.show(_chart(), source="OpenAI", name="fig-b")
    first, second = (s["text/html"] for s in shown)
    assert first.count('data-aic="vega-bundle"') == 1 and charts.vega_bundle() in first
    assert "vega-bundle" not in second and "aic-chart-links" not in first + second


def test_under_the_build_the_site_runtime_and_links(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[dict] = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.setattr("aicompute.context._OVERRIDE", [RunContext(root=tmp_path, notebook="02_infra",
                                                                   figures_out=tmp_path)])
    monkeypatch.setattr(charts, "_PAGE_HAS_BUNDLE", False)
    charts.show(_chart(), sources=["nvidia_q4fy26_pr_2026_02_25"], name="fig-infra-a", ev=data.evidence())
    charts.show(_chart(), source="OpenAI", name="fig-infra-b")
    first, second = (s["text/html"] for s in shown)
    assert first.count(f'src="{charts.VEGA_SCRIPT}"') == 1 and charts.vega_bundle() not in first
    assert "vega-bundle" not in second and len(first) < 20_000
    links = re.search(r'<p class="aic-chart-links">(.*?)</p>', first).group(1)
    assert '<a href="downloads/figures/02_infra/fig-infra-a.csv" download>data (CSV)</a>' in links
    assert '<a href="downloads/figures/02_infra/fig-infra-a.svg" download>image (SVG)</a>' in links
    assert re.search(r'Sources: <a href="references.html#ref-nvidia_q4fy26_pr_2026_02_25">NVIDIA \(2026[a-z]?\)</a>',
                     links)
    assert "Sources:" not in second and "fig-infra-b.csv" in second
    assert (tmp_path / "fig-infra-a.svg").exists() and (tmp_path / "fig-infra-a.csv").exists()


def test_source_line_is_required() -> None:
    with pytest.raises(ValueError, match="a chart needs a source line"):
        charts.with_source(_chart(), " ")


def test_theme_is_active_with_house_font() -> None:
    spec = _chart().to_dict()
    assert spec["config"]["font"] == charts.FONT
    assert spec["config"]["range"]["category"] == charts.PALETTE


def test_figure_copies_written(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("aicompute.context._OVERRIDE", [RunContext(root=tmp_path, figures_out=tmp_path)])
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: None)
    charts.show(_chart(), source="OpenAI", name="fig-test")
    assert (tmp_path / "fig-test.svg").read_text().startswith("<svg")
    assert (tmp_path / "fig-test.csv").read_text().splitlines() == [
        "year,gw",
        "2023,0.2",
        "2024,0.6",
        "2025,1.9",
    ]


def test_sources_build_the_source_line_and_data_cites(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[dict] = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.setattr(charts, "_PAGE_HAS_BUNDLE", False)
    ids = ["nvidia_q4fy26_pr_2026_02_25", "the_information_openai_burn_2025_09_05"]
    ev = data.evidence()
    charts.show(_chart(), sources=ids, source="Source: our estimate", name="fig-x-cited", ev=ev)
    charts.show(_chart(), source="OpenAI", name="fig-x-free")
    with pytest.raises(TypeError, match=r"^fig-x-no-ev: .*needs ev=ev"):  # no hidden "last evidence" to fall back on
        charts.show(_chart(), sources=ids, name="fig-x-no-ev")
    cited, free = shown
    from aicompute import cite

    expected = cite.source_line(ids, ev=ev) + "; our estimate"  # e.g. "Source: NVIDIA (2026a); The Information (2025c)"
    assert expected.startswith("Source: NVIDIA (2026") and expected in cited["image/svg+xml"]
    div = re.search(r'<div class="aic-chart"[^>]*>', cited["text/html"]).group(0)
    assert 'data-name="fig-x-cited"' in div and f'data-cites="{" ".join(ids)}"' in div
    assert charts.chart_links("fig-x", None, [], ids).count("references.html#ref-") == 2
    free_div = re.search(r'<div class="aic-chart"[^>]*>', free["text/html"]).group(0)
    assert 'data-name="fig-x-free"' in free_div and "data-cites" not in free_div
    assert "Source: OpenAI" in free["image/svg+xml"]


def test_source_text_combinations() -> None:
    assert charts.source_text("OpenAI") == "OpenAI"
    assert charts.source_text(["A", "B"]) == "A; B"
    assert re.fullmatch(r"Source: NVIDIA \(2026[a-z]?\)", charts.source_text(None, ["nvidia_q4fy26_pr_2026_02_25"]))
    with pytest.raises(ValueError, match="a chart needs a source line"):
        charts.with_source(_chart(), charts.source_text(None, None))
    with pytest.raises(KeyError, match="not_a_source"):
        charts.source_text(None, ["not_a_source"])


def test_layered_chart_data_written_and_files_listed(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[dict] = []
    monkeypatch.setattr("aicompute.context._OVERRIDE", [RunContext(root=tmp_path, notebook="00_x", figures_out=tmp_path)])
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    rule = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule().encode(y="y:Q")
    charts.show(_chart() + rule, source="OpenAI", name="fig-layered")
    assert (tmp_path / "fig-layered.csv").read_text().splitlines()[0] == "year,gw"  # first layer's data
    inline = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q").properties(title="Inline")
    charts.show(inline, source="OpenAI", name="fig-inline")
    assert not (tmp_path / "fig-inline.csv").exists()
    assert "fig-layered.csv" in shown[0]["text/html"] and "fig-layered.svg" in shown[0]["text/html"]
    assert "fig-inline.csv" not in shown[1]["text/html"] and "fig-inline.svg" in shown[1]["text/html"]


def test_long_titles_and_source_lines_wrap_instead_of_being_cut() -> None:
    assert charts.wrap_text("short", 10) == "short"
    assert charts.wrap_text("one two three four", 9) == ["one two", "three", "four"]
    long = "Payments due peak at 239 USD bn in 2027, 6.1 times modelled revenue that year, then fall away"
    c = _chart().properties(title=alt.TitleParams(long, subtitle="s"))
    spec = charts.with_source(c, "x " * 80).to_dict()
    title = spec["vconcat"][0]["title"]
    assert isinstance(title["text"], list) and " ".join(title["text"]) == long
    assert all(len(line) <= charts.TITLE_CHARS for line in title["text"])
    assert isinstance(spec["title"]["text"], list)  # the source line wraps too
    b = charts.chart_bundle(charts.with_source(c, "OpenAI"))
    assert b["text/plain"] == f"<Chart: {long}>"


def test_binned_counts_every_value_once() -> None:
    frame = charts.binned([0.0, 1.0, 1.0, 2.0, 9.0, 10.0], bins=5)
    assert frame["count"].tolist() == [3, 1, 0, 0, 2]  # bins of width 2 from 0 to 10; the last bin is closed
    assert frame["start"].tolist() == [0, 2, 4, 6, 8] and frame["end"].iloc[-1] == 10


def test_palette_contrast_at_least_3_to_1_and_distinct() -> None:
    """WCAG 1.4.11: graphics need 3:1 against the background (Okabe-Ito's yellow #F0E442 was 1.3:1)."""
    assert charts.contrast("#000000") == pytest.approx(21.0) and charts.contrast("#FFFFFF") == pytest.approx(1.0)
    assert charts.contrast("#F0E442") < 1.5  # hand-checked: the colour dropped
    colours = [*charts.PALETTE, *charts.VERDICT_COLORS.values(), *charts.ENDING_COLORS.values()]
    assert all(charts.contrast(c) >= 3.0 for c in colours), {c: round(charts.contrast(c), 2) for c in colours}
    assert len(set(charts.PALETTE)) == len(charts.PALETTE) == charts.MAX_COLOURS == 8


def test_fold_other_keeps_the_largest_and_sums_the_rest() -> None:
    import pandas as pd

    frame = pd.DataFrame({"year": [2025] * 10, "entity": list("abcdefghij"), "value": [10, 9, 8, 7, 6, 5, 4, 3, 2, -1]})
    folded = charts.fold_other(frame, "entity", "value", keep=3)
    assert sorted(folded["entity"]) == ["Other", "a", "b", "c"]
    assert folded.set_index("entity").loc["Other", "value"] == 5 + 7 + 6 + 4 + 3 + 2 - 1 + 0  # 26: sums, not abs
    assert folded["value"].sum() == frame["value"].sum()
    assert charts.fold_other(frame.head(4), "entity", "value", keep=3) is not None  # 4 = keep + 1: unchanged
    assert len(charts.fold_other(frame.head(4), "entity", "value", keep=3)) == 4


def test_show_warns_or_refuses_more_colours_than_the_palette(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    frame = pd.DataFrame({"x": range(12), "y": range(12), "k": [f"s{i}" for i in range(12)]})
    chart = alt.Chart(frame).mark_point().encode(x="x:Q", y="y:Q", color="k:N").properties(title="t")
    assert charts.colour_count(chart.to_dict()) == 12
    own = alt.Chart(frame).mark_point().encode(
        x="x:Q", y="y:Q", color=alt.Color("k:N", scale=alt.Scale(range=["#000000"] * 12)))
    assert charts.colour_count(own.to_dict()) == 0  # its own colours
    monkeypatch.setattr(charts, "STRICT_COLOURS", True)
    with pytest.raises(charts.TooManyColours, match="12 categories"):
        charts.show(chart, source="Source: test", name="fig-x")


def test_nested_titles_wrap_and_charts_fit_their_container() -> None:
    long = "A finding-stating title that runs well past the width of one line of the chart column, twice over"
    inner = alt.Chart().mark_point().properties(title=long)
    spec = charts.with_source(alt.layer(inner), "Source: test").to_dict()
    assert isinstance(spec["vconcat"][0]["layer"][0]["title"], list)  # wrapped, not cut
    html = charts.chart_bundle(charts.with_source(inner, "Source: x"), runtime="site")["text/html"]
    assert "el.clientWidth" in html and "data-width=" in html  # laid out at the container's width when narrower
    assert "window.aicFit=" in html  # the fitting function comes with the page's first chart only
    assert "window.aicFit=" not in charts.chart_bundle(charts.with_source(inner, "Source: x"))["text/html"]


def test_alt_text_states_title_subtitle_source_and_data() -> None:
    import pandas as pd

    frame = pd.DataFrame({"year": [2025, 2026], "value": [1, 2]})
    chart = alt.Chart(frame).mark_bar().encode(x="year:O", y="value:Q").properties(
        title=alt.TitleParams("Capex doubled", subtitle="USD bn"))
    text = charts.alt_text(charts.with_source(chart, "Source: filings"), frame)
    assert text == "Capex doubled. USD bn. Source: filings. Data: 2 rows (year, value), in the CSV linked under the chart."


def test_a_series_of_releases_is_one_citation_on_the_chart_and_short_links_under_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fig 6.1 cites one release per year: the chart's source line names the series once, the links line links
    each release by its year (its full label on hover), and data-cites still lists every release."""
    from aicompute import cite

    ev = data.evidence()
    table = ev.sources()
    ids = list(table.loc[table["id"].str.startswith("sia_"), "id"].head(4))
    assert len(ids) == 4
    shown: list[dict] = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append(obj))
    monkeypatch.setattr(charts, "_PAGE_HAS_BUNDLE", False)
    charts.show(_chart(), series={"SIA releases": ids}, name="fig-x-series", ev=ev)
    (bundle,) = shown
    line = cite.source_line([], ev=ev, series={"SIA releases": ids})
    years = sorted(str(d)[:4] for d in table.set_index("id").loc[ids, "date"])
    assert line == f"Source: SIA releases, {years[0]}–{years[-1]}" and line in bundle["image/svg+xml"]
    assert f'data-cites="{" ".join(ids)}"' in bundle["text/html"]
    links = charts.chart_links("fig-x", None, [], [], ev=ev, series={"SIA releases": ids})
    assert links.count("references.html#ref-") == 4 and "SIA releases: " in links
    assert re.findall(r">(\d{4})</a>", links) == years  # each link's text is its year, in date order
    labels = cite.citation_labels(table)
    assert all(f'title="{labels[i]}"' in links for i in ids)


def test_tooltips_read_as_the_report() -> None:
    """A tooltip names a field as a reader reads it, formats its numbers, shows a year as a year and a source id as
    its citation; what the chart sets itself stays."""
    frame = pd.DataFrame({"seed_value": [1234.5678], "year": [2026], "term_years": [5.5], "share": [0.193548],
                          "source_id": ["a_2026; b_2025"], "other_source": ["unknown_id"]})
    chart = alt.Chart(frame).mark_point().encode(
        x="seed_value:Q", y="share:Q",
        tooltip=["seed_value", "year", "term_years", alt.Tooltip("share:Q", format=".1%", title="Share"), "source_id",
                 "other_source"])
    spec = charts.readable_tooltips(chart.to_dict(), lambda: {"a_2026": "A (2026)", "b_2025": "B (2025)"})
    tips = {t["field"]: t for t in spec["encoding"]["tooltip"]}
    assert tips["seed_value"]["title"] == "Seed value" and tips["seed_value"]["format"] == ",.3~r"  # 1,230
    assert tips["year"]["format"] == "d" and tips["term_years"]["format"] == ",.3~r"  # 5.5 years stays 5.5
    assert tips["share"]["format"] == ".1%" and tips["share"]["title"] == "Share"
    assert tips["source_id"]["title"] == "Source" and tips["other_source"]["title"] == "Source"
    (rows,) = spec["datasets"].values()
    assert rows[0]["source_id"] == "A (2026); B (2025)" and rows[0]["other_source"] == "unknown_id"  # unknown: as is


def test_growth_bars_keep_missing_years_as_a_labelled_gap() -> None:
    """The chip history has 1988, then 1996 onwards: the axis is a number line, so 1989-1995 is an empty stretch
    labelled 'no data', not a bar for 1988 next to one for 1996."""
    assert charts.year_gaps([1988, 1996, 1997, 1999]) == [(1989, 1995), (1998, 1998)]
    assert charts.year_gaps([2001, 2002]) == []
    frame = pd.DataFrame({"year": [1988, 1996, 1997], "growth": [30.0, -10.0, 5.0],
                          "kind": ["boom year", "a fall", "ordinary year"]})
    spec = charts.annual_growth_bars(frame, title="t", subtitle="s", lines={"boom line": 15.0}).to_dict()
    bars, gap = spec["layer"][0], spec["layer"][-1]
    assert bars["encoding"]["x"]["type"] == "quantitative" and bars["encoding"]["x"]["scale"]["domain"] == [1987.4, 1997.6]
    rows = spec["datasets"][gap["data"]["name"]]
    assert rows == [{"mid": 1992.0, "label": "no data\n1989–1995"}]


def test_flow_sums_shrink_with_their_cells_and_give_way_on_a_phone() -> None:
    """The money-flows sums ('250', '350') side by side on a 390 px phone touched ('250350'): the font follows the
    cell's width so three digits (~1.9 font sizes) keep a margin, and below 7 px the sums are hidden (colour and
    tooltip remain)."""
    from aicompute.figures import finance

    def font(band: float) -> float:
        return eval(finance.SUM_FONT.replace("bandwidth('x')", str(band)))  # noqa: S307 (our own constant)

    assert font(35) == 10 and font(23) == 10  # a desktop column: the house size
    assert font(19.2) == pytest.approx(8.0) and 3 * 0.6 * font(19.2) < 19.2 - 4  # three digits fit with a margin
    assert font(16) < 7  # a phone's fitted column: hidden
    frame = pd.DataFrame({"from_party": ["A", "B"], "to_party": ["B", "A"], "flow": "x", "status": "y",
                          "value": [250.0, 350.0]})
    text = finance.flows(frame).to_dict()["layer"][1]["mark"]
    assert text["fontSize"] == {"expr": finance.SUM_FONT} and text["opacity"] == {"expr": f"({finance.SUM_FONT}) < 7 ? 0 : 1"}


def test_odds_history_stops_at_the_month_of_the_latest_reading() -> None:
    from aicompute.figures import scenarios as fs

    ends = ("hard_landing", "boom")
    hist = pd.DataFrame({"date": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]),
                         "hard_landing": [0.2, 0.1, 0.1, 0.1], "boom": [0.8, 0.9, 0.9, 0.9]})
    names = {"hard_landing": "Hard landing", "boom": "Boom"}
    now = {"hard_landing": 0.1, "boom": 0.9}
    spec = fs.odds_history(hist, ends, names, now, last_reading=pd.Timestamp("2026-02-10")).to_dict()
    dates = {row["date"][:10] for row in next(iter(spec["datasets"].values()))}
    assert dates == {"2026-01-31", "2026-02-28"}  # March and April have no reading: no line drawn there
    spec = fs.odds_history(hist, ends, names, now).to_dict()
    assert len({row["date"][:10] for row in next(iter(spec["datasets"].values()))}) == 4
    spec = fs.odds_history(hist, ends, names, now, last_reading=pd.NaT).to_dict()  # no reading yet (an early as-of)
    assert {row["date"][:10] for row in next(iter(spec["datasets"].values()))} == {"2026-01-31"}


def test_movers_table_lists_each_endings_largest_dials_by_hand() -> None:
    from aicompute.figures import scenarios as fs

    hard = pd.DataFrame({"dial": ["window", "hazard_boom_cooling", "seed"], "down": [-0.01, -0.03, 0.0],
                         "up": [0.15, 0.02, 0.001]})
    hard["largest"] = hard[["down", "up"]].abs().max(axis=1)
    hard = hard.sort_values("largest", ascending=False)
    out = fs.movers_table({"hard_landing": hard}, {"hard_landing": "Hard landing"}, {"hard_landing": 0.06})
    assert out["Ending"].tolist() == ["Hard landing", ""]  # the ending named once, on its first row
    assert out["Low end (%)"].tolist() == pytest.approx([5.0, 3.0])  # 6% - 1 point; 6% - 3 points
    assert out["High end (%)"].tolist() == pytest.approx([21.0, 8.0])


def test_fit_on_a_phone_puts_legends_in_fewer_columns_and_cuts_no_label() -> None:
    """The fitting script (run by Node, the JavaScript engine Playwright ships): at half the natural width a legend's
    three columns become one, label limits stay (a label is never cut); at full width nothing changes.
    (A three-column legend kept phone charts twice their column's width: CSS shrank their text to ~5 px.)"""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    import playwright

    node = Path(playwright.__file__).parent / "driver" / "node"
    node_cmd = str(node) if node.exists() else shutil.which("node")
    if node_cmd is None:
        pytest.skip("no JavaScript engine (node) to run the fitting script")
    spec = {"config": {"legend": {"columns": 3, "labelLimit": 320}, "axis": {"labelLimit": 320}},
            "width": 560, "encoding": {"color": {"field": "k", "legend": {"columns": 2, "labelLimit": 300}},
                                       "y": {"field": "n", "axis": {"labelLimit": 200}}}}
    script = f"const fit={charts._FIT_JS};const s={json.dumps(spec)};" \
             "console.log(JSON.stringify([fit(s,304,600),fit(s,700,600)]));"
    narrow, wide = json.loads(subprocess.run([node_cmd, "-e", script], capture_output=True, text=True, check=True,
                                             timeout=60).stdout)
    assert wide == spec
    assert narrow["width"] == 280 and narrow["config"]["axis"]["labelLimit"] == 320  # f = (304 - 4) / 600 = 0.5
    assert narrow["config"]["legend"] == {"columns": 1, "labelLimit": 320}
    assert narrow["encoding"]["color"]["legend"] == {"columns": 1, "labelLimit": 300}
    assert narrow["encoding"]["y"]["axis"] == {"labelLimit": 200}


def _node_fit(spec: dict, avail: int, natural: int) -> dict:
    """``charts._FIT_JS`` run on ``spec`` by Node (the JavaScript engine Playwright ships), or skip."""
    import json
    import shutil
    import subprocess
    from pathlib import Path

    import playwright

    node = Path(playwright.__file__).parent / "driver" / "node"
    node_cmd = str(node) if node.exists() else shutil.which("node")
    if node_cmd is None:
        pytest.skip("no JavaScript engine (node) to run the fitting script")
    script = f"const fit={charts._FIT_JS};console.log(JSON.stringify(fit({json.dumps(spec)},{avail},{natural})));"
    return json.loads(subprocess.run([node_cmd, "-e", script], capture_output=True, text=True, check=True,
                                     timeout=60).stdout)


def test_fit_on_a_phone_wraps_long_category_labels_onto_shorter_lines_and_taller_bands() -> None:
    """At half the natural width (f = (304 - 4) / 600 = 0.5) a category axis wrapped at 48 characters wraps at 19:
    half of 48 is 24, but a label may take only 40% of 304 px at 6.5 px a character (18.7 -> 19); its band grows to
    the lines of the longest label in the data (60 characters: 4 lines, plus one for uneven breaks: 5 x 12 + 6 =
    66 px). An axis of short labels (under 19 characters) and a quantitative one are left alone; a facet's two
    columns become one. (On a phone the adoption chart's 65-character labels kept it 647 px wide: drawn at 52%.)"""
    wrap48 = charts.wrapped_axis(48)
    long_label = "x" * 9 + " " + "y" * 50  # 60 characters
    spec = {"datasets": {"d": [{"m": long_label, "s": "short", "v": 1}, {"m": "b", "s": "tiny", "v": 2}]},
            "facet": {"field": "p"}, "columns": 2,
            "spec": {"width": 400, "height": {"step": 40}, "layer": [
                {"encoding": {"y": {"field": "m", "type": "nominal", "axis": dict(wrap48)},
                              "x": {"field": "v", "type": "quantitative", "axis": {"labelLimit": 100}}}},
                {"encoding": {"y": {"field": "s", "type": "nominal", "axis": {"labelLimit": 300}}}}]}}
    narrow, wide = _node_fit(spec, 304, 600), _node_fit(spec, 700, 600)
    assert wide == spec
    wrapped, short = (layer["encoding"]["y"]["axis"] for layer in narrow["spec"]["layer"])
    assert wrapped == charts.wrapped_axis(19) and short == {"labelLimit": 300}
    assert narrow["spec"]["layer"][0]["encoding"]["x"]["axis"] == {"labelLimit": 100}
    assert narrow["spec"]["height"] == {"step": 66} and narrow["spec"]["width"] == 200 and narrow["columns"] == 1
    # labels without a wrap of their own get one (code names still read as words), and a fixed height grows to
    # hold every band: 2 categories x (ceil(60 / 19) + 1) lines x 12 + 6 = 2 x 66 = 132 px
    plain = {"datasets": spec["datasets"], "width": 400, "height": 100,
             "encoding": {"y": {"field": "m", "type": "nominal", "axis": {"labelExpr": charts.READABLE_LABEL}}}}
    fitted = _node_fit(plain, 304, 600)
    assert fitted["encoding"]["y"]["axis"] == charts.wrapped_axis(19) and fitted["height"] == 132
