"""Chapters as documents: verdict rules are library functions (hand-checked), wording lives in
aicompute.narrative, and the text points at chapters by cross-reference, never by file number."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from aicompute import audit, verdicts
from aicompute.formatting import tagged_numbers
from aicompute.narrative import evidence as say_ev
from aicompute.narrative import infra as say_infra
from conftest import bench_line_counts


# ------------------------------------------------------------------------------------------- verdict rules
def test_site_count_verdict_by_hand() -> None:
    # 1.2 GW over 400,000 GPUs = 3.0 kW each, over 480,000 = 2.5 kW: both inside 2-4 kW -> the figure holds
    # read as GPUs ("partly"); read as 400,000 racks of 72 it is 1.2e6 / 28.8e6 = 0.042 kW -> "contradicted".
    kw = [1.2e6 / 400_000, 1.2e6 / 480_000]
    assert kw == [3.0, 2.5]
    assert verdicts.site_count_verdict(kw, 2.0, 4.0) == "partly"
    assert verdicts.site_count_verdict(kw + [1.2e6 / 28_800_000], 2.0, 4.0) == "contradicted"
    assert verdicts.site_count_verdict([4.0, 2.0], 2.0, 4.0) == "partly"  # the band's ends count as inside
    assert verdicts.site_count_verdict([4.01], 2.0, 4.0) == "contradicted"
    with pytest.raises(ValueError):
        verdicts.site_count_verdict([], 2.0, 4.0)
    with pytest.raises(ValueError):
        verdicts.site_count_verdict([3.0], 4.0, 2.0)
    # the reported $40B order at ~$47,200 a GPU (a GB200's share of its rack) is ~847,000 GPUs: 1.2e6 / 847,000
    # = 1.42 kW each, below the 2-4 kW band; the reported 400,000 (3.0 kW) is inside, and so are both ends
    assert not verdicts.plausible_site_kw(1.2e6 / 847_000, 2.0, 4.0)
    assert verdicts.plausible_site_kw(3.0, 2.0, 4.0) and verdicts.plausible_site_kw(2.0, 2.0, 4.0)
    assert not verdicts.plausible_site_kw(4.01, 2.0, 4.0)
    with pytest.raises(ValueError):
        verdicts.plausible_site_kw(3.0, 4.0, 2.0)


def test_rent_position_by_hand() -> None:
    # owner's cost 5: above 5.5 is a margin, 4.5-5.5 break-even, under 4.5 below cost
    assert verdicts.rent_position(5.6, 5.0) == "margin"
    assert verdicts.rent_position(5.5, 5.0) == "break-even"
    assert verdicts.rent_position(4.5, 5.0) == "break-even"
    assert verdicts.rent_position(4.4, 5.0) == "below cost"
    assert set(say_infra.RENT_WORDS) == set(verdicts.RENT_POSITIONS)
    with pytest.raises(ValueError):
        verdicts.rent_position(1.0, 0.0)


def test_inference_bill_takes_the_best_figure_known() -> None:
    from aicompute import chips

    # reported first; else revenue 13 x (1 - 33% margin) = 8.71; else nine months 6 x 12 / 9 = 8
    assert chips.inference_bill(reported=8.4, revenue=13.0, gross_margin_pct=33.0, nine_month_spend=6.0) == (8.4, "reported")
    bill, basis = chips.inference_bill(revenue=13.0, gross_margin_pct=33.0, nine_month_spend=6.0)
    assert basis == "cost of revenue" and bill == pytest.approx(8.71)
    assert chips.inference_bill(revenue=13.0, nine_month_spend=6.0) == (8.0, "nine months annualised")
    with pytest.raises(ValueError):
        chips.inference_bill(revenue=13.0)


def test_quoted_data_text_is_escaped_and_not_counted_as_a_number() -> None:
    from aicompute import prose
    from aicompute.formatting import quote

    assert quote("Llama 3.1 [405B]") == r'<span class="aic-data">Llama 3\.1 \[405B\]</span>'
    assert prose.number_counts("Measured on " + quote("Llama 3.1 405B") + " and GPT-4, CS-3.") == (0, 0)


# ------------------------------------------------------------------------------------- audit helpers (numbers)
def test_verdict_tally_and_seed_ratios() -> None:
    seed = pd.DataFrame({"verdict": ["confirmed", "partly", "confirmed", "pending"],
                         "value": [10.0, 3.0, None, 8.0], "seed_value": [10.0, 6.0, 5.0, 0.0],
                         "statement": ["a" * 60, "b", "c", "d"]})
    tally = audit.verdict_tally(seed)
    assert tally == {"confirmed": 2, "partly": 1, "misattributed": 0, "contradicted": 0, "unverified": 0, "pending": 1}
    ratios = audit.seed_ratios(seed, label_chars=55)  # the claim without a value and the one with a zero seed value drop out
    assert ratios["ratio"].tolist() == [1.0, 0.5]
    assert ratios["label"].tolist() == ["a" * 55 + "…", "b"]  # an ellipsis only where the statement was cut
    assert audit.seed_ratios(seed)["label"].tolist() == ["a" * 60, "b"]


def test_indexed_series() -> None:
    out = audit.indexed({"rev": [2.0, 5.0, 20.0], "gw": [0.2, 0.6, 1.9]}, (2023, 2024, 2025))
    assert out.loc[out["series"] == "rev", "index"].tolist() == [1.0, 2.5, 10.0]
    assert out.loc[out["series"] == "gw", "index"].round(2).tolist() == [1.0, 3.0, 9.5]


# ------------------------------------------------------------------------------------------------ wording
def _ev(as_of: str, cutoff: str, swept_to: str | None) -> SimpleNamespace:
    a, c = dt.date.fromisoformat(as_of), dt.date.fromisoformat(cutoff)
    return SimpleNamespace(as_of=a, cutoff=c, swept_to=swept_to,
                           unobserved=c < a and (swept_to is None or swept_to < as_of[:7]))


def test_header_says_when_months_are_unobserved() -> None:
    full = say_ev.header(_ev("2026-11-28", "2026-07-03", "2026-07"))
    assert tagged_numbers(full)[:2] == ["2026-11-28", "2026-07-03"]
    assert "evidence to" in full and "latest evidence used" in full and "2026-07" in tagged_numbers(full)
    assert "the months after it are projected, not observed" in full and "unobserved" not in full  # said once
    assert "projected" not in say_ev.header(_ev("2026-06-30", "2026-06-28", "2026-06"))
    assert "no later source recorded" in say_ev.header(_ev("2026-11-28", "2026-07-03", None))


def test_chapter_refs_in_data_text_show_the_displayed_number() -> None:
    numbers = {"00": "1", "02": "3", "05": "6"}
    assert say_ev.chapter_refs("Chapter 02: see chapter 05's signposts; chapter 07 stays", numbers) == \
        "Chapter 3: see chapter 6's signposts; chapter 07 stays"
    assert say_ev.chapter_refs("chapter 02")[:9] == "chapter 3"  # from report/chapters.yml
    numbers = {f"0{i}": str(i + 1) for i in range(6)}  # the change list's commit subjects name ranges too
    assert say_ev.chapter_refs("Chapters 00-02: charts", numbers) == "Chapters 1-3: charts"
    assert say_ev.chapter_refs("Chapters 01/02 and chapters 03 and 04", numbers) == "Chapters 2/3 and chapters 4 and 5"
    assert say_ev.chapter_refs("Chapters 01-09", numbers) == "Chapters 01-09"  # 09 is unknown: left as it is


def test_infra_wording() -> None:
    assert say_infra.rent_position("margin") == "a margin for the owner"
    rows = pd.DataFrame({"provider": ["Microsoft"], "customer": ["Open[AI]"]})
    assert say_infra.pairs(rows) == r'<span class="aic-data">Microsoft–Open\[AI\]</span>'  # quoted: escaped, tagged
    nan = float("nan")
    rents = pd.DataFrame({"provider": ["A", "B", "C", "D"], "customer": ["X"] * 4,
                          "gw": [nan, nan, 1.0, nan], "term_years": [7.0, 5.0, nan, nan]})
    tag = '<span class="aic-data">{}–X</span>'.format
    assert say_infra.missing_terms(rents) == (f"{tag('D')} (no GW or term), {tag('A')} and {tag('B')} (no GW), "
                                              f"{tag('C')} (no term)")
    assert say_infra.missing_terms(rents.iloc[[0]]) == f"{tag('A')} (no GW)"
    assert say_infra.order_reading(False).startswith("outside the plausible band")
    assert say_infra.order_reading(True).startswith("inside the plausible band")
    rej = pd.DataFrame({"reading": ["order / price per GPU"], "count": [847_058.8], "site_kw_per_gpu": [1.4167]})
    text = say_infra.rejected_counts(rej)
    assert text.startswith("left out: ") and "price per GPU</span>" in text  # the reading quoted (escaped, tagged)
    assert tagged_numbers(text) == ["847,000 GPUs", "1.4 kW"]  # to the thousand; one decimal
    assert say_infra.rejected_counts(rej.iloc[0:0]) == "no count left out"
    booked = pd.DataFrame({"company": ["Alphabet", "Amazon"], "years": [6.0, 5.0]})
    assert tagged_numbers(say_infra.booked_lives(booked)) == ["6", "5"]
    assert "no rental price" in say_infra.observed_prices(pd.DataFrame(columns=["gpu", "contract", "usd_per_gpu_hour"]))
    own = pd.DataFrame({"provider": ["O", "A", "M"], "ratio": [0.79, 1.68, 0.9], "ratio_low": [0.79, 1.68, 0.9],
                        "ratio_high": [0.95, 2.02, 1.1]})
    covers = say_infra.own_covers(own)
    assert tagged_numbers(covers) == ["0.79×", "0.79–0.95×", "1.68×", "1.68–2.02×", "0.90×", "0.90–1.10×"]
    assert [part.split(", ")[-1] for part in covers.split("; ")] == [
        "short of it on every reading", "enough for it on every reading", "short or enough depending on the reading"]
    status = say_infra.site_status(operating=2, buildings=8, operating_date=dt.date(2026, 3, 8),
                                   operational_gw=0.3, operational_date=dt.date(2026, 4, 17))
    assert tagged_numbers(status) == ["2", "8", "March 2026", "0.3 GW", "April"]
    assert "due for completion only in" in say_infra.site_status(full_build_year=2026.0)
    assert say_infra.breakeven_title(ref_kind="one-year reserved", ref_price=2.1, payback=3.44, breakeven=1.9,
                                     chip_life=5) == "At the one-year reserved rate of 2.10 USD an hour, an H100 pays back in 3.4 years"
    assert "never pays back" in say_infra.breakeven_title(ref_kind="x", ref_price=0.5, payback=None, breakeven=1.9, chip_life=5)


# ------------------------------------------------------------------------------ chapter references, rendered
def _chapters() -> list[str]:
    """Every chapter of the registry (report/chapters.yml; a new one is checked as soon as it is registered)."""
    from aicompute import chapters

    return [c.stem for c in chapters.load().chapters]


#: The chapters whose pages are checked: all of them, from the registry.
CONVERTED = _chapters()
FILE_NUMBER = re.compile(r"\bchapters? 0\d\b", re.IGNORECASE)


@pytest.mark.slow
def test_no_page_names_a_chapter_by_its_file_number(fast_build: Path) -> None:
    """The converted chapters' pages (prose, tables, chart titles) never say "chapter 0N"; every other page's
    count is printed (-s), so the list can grow as their owners convert them."""
    import nbformat

    from aicompute.prose import page_text

    bad = {}
    for path in sorted((fast_build / "executed").glob("*.ipynb")):
        found = sorted(set(FILE_NUMBER.findall(page_text(nbformat.read(path, as_version=4)))))
        print(f"{path.stem}: {'checked' if path.stem in CONVERTED else 'not yet checked'}, says {found or 'none'}")
        if found and path.stem in CONVERTED:
            bad[path.stem] = found
    assert not bad, f"pages that name chapters by file number (write @sec-<name>, report/chapters.yml): {bad}"


# ------------------------------------------------------------------------ which numbers in prose are references
def test_number_counts_by_hand() -> None:
    from aicompute import prose
    from aicompute.formatting import fmt
    from aicompute.results import tag

    markup = (f"A GW costs {fmt(4.31, 'USD bn', '.1f')} ({tag({'value': 4.3, 'unit': 'USD bn'}, 'x.y')}); the H100 and "
              "GB200 NVL72 racks of 2025, over 2026–2028, draw 132 kW in `data/x2.csv` [a](http://e.org/12) "
              "<!-- if: n > 3 --> and 1,200.5 more over a 24-month window.")
    # references: two tagged numbers; by hand: 132, 1,200.5 and 24 (of 24-month); not numbers: H100, GB200,
    # NVL72, the years, the code span, the link target, the comment
    assert prose.number_counts(markup) == (2, 3)
    assert prose.number_counts("no numbers at all") == (0, 0)


def test_prose_text_fills_inline_results_and_skips_tables_and_charts() -> None:
    from aicompute import prose

    nb = {"cells": [
        {"cell_type": "markdown", "source": "Cost `{python} fmt(x)` and `{python} n`.", "metadata": {
            "user_expressions": [{"expression": "fmt(x)", "result": {"data": {"text/markdown": '<span class="aic-num">4.3</span>'}}},
                                 {"expression": "n", "result": {"data": {"text/markdown": '<span class="aic-num">7</span>'}}}]}},
        {"cell_type": "code", "source": "", "outputs": [
            {"data": {"text/html": '<table class="aic-table"><td>99</td></table>', "text/markdown": "| 99 |"}},
            {"data": {"text/markdown": "Typed 12 by hand."}},
            {"data": {"text/markdown": '<div class="aic-dial"><option>0.75</option><output>7.4%</output></div>'}}]},
    ]}
    text = prose.prose_text(nb)  # the dial panel (a control over a precomputed grid) is not prose either
    assert text == 'Cost <span class="aic-num">4.3</span> and <span class="aic-num">7</span>.\n\nTyped 12 by hand.'
    assert prose.number_counts(text) == (2, 1)
    assert "aic-table" in prose.page_text(nb)


@pytest.mark.slow
def test_numbers_in_converted_chapters_are_references(fast_build: Path) -> None:
    """At least 90% of the numbers in a converted chapter's prose are references the consistency test sees
    (tagged by the one formatter or published results); the share of every chapter is printed (-s)."""
    import nbformat

    from aicompute import prose

    shares = {}
    for path in sorted((fast_build / "executed").glob("0[0-9]_*.ipynb")):
        ref, bare = prose.number_counts(prose.prose_text(nbformat.read(path, as_version=4)))
        shares[path.stem] = ref / (ref + bare) if ref + bare else 1.0
        print(f"{path.stem}: {ref} of {ref + bare} numbers in prose are references ({shares[path.stem]:.0%})")
    low = {s: round(x, 2) for s, x in shares.items() if s in CONVERTED and x < 0.9}
    assert not low, f"chapters whose prose numbers are below 90% references: {low}"


def test_chip_wording() -> None:
    from aicompute.narrative import chips as say_chips

    assert say_chips.reconcile_title(41.6) == "Frontier list prices are 42× the modelled cost of serving the same request"
    assert "no API list price" in say_chips.reconcile_title(None)
    dates = pd.Series(pd.to_datetime(["2025-08-07", "2026-03-05"]))
    assert say_chips.price_trend_title(9.7, 0.5, dates) == (
        "A fixed capability got 10× cheaper a year; OpenAI's frontier list price fell 2.0× from August 2025 to March 2026")
    assert say_chips.price_trend_title(None, 0.5, dates) == "Token prices for a fixed capability"
    assert say_chips.fiscal_year("nvidia_dc_revenue_fy2026") == "2026"
    ev = SimpleNamespace(sources=lambda: pd.DataFrame({"id": ["s"], "publisher": ["The Information (paywalled)"]}),
                         claim=lambda _id: SimpleNamespace(source_id="s"))
    said = say_chips.reported_by(ev, "x", 6.5, 13.0)
    assert said.startswith('as reported by <span class="aic-data">The Information</span>')
    assert tagged_numbers(said) == ["0.50", "13.0 USD bn"]


def test_changes_table_columns() -> None:
    from aicompute.figures import changes_table

    changes = pd.DataFrame({"event_date": pd.to_datetime(["2026-03-10"]), "event": ["Oracle Q3"],
                            "bears_on": ["rents"], "source_id": ["oracle_q3"], "id": ["x"]})
    out = changes_table(changes)
    assert out.columns.tolist() == ["published", "event", "what this chapter makes of it", "source"]
    assert out.iloc[0].tolist() == [dt.date(2026, 3, 10), "Oracle Q3", "rents", "oracle_q3"]


def test_figures_encode_the_chapter_frames() -> None:
    """Each figure draws the columns the chapter passes (a renamed column would fail here, not in a build)."""
    from aicompute.figures import audit as fa
    from aicompute.figures import chips as fc
    from aicompute.figures import infra as fi

    def fields(chart) -> set[str]:
        spec = chart.to_dict()
        layers = spec.get("layer", [spec])
        return {enc.get("field") for layer in layers for enc in layer.get("encoding", {}).values() if isinstance(enc, dict)}

    deals = pd.DataFrame({"gw": [1.0, None], "counted": [True, False], "counterparty": ["a", "b"], "id": ["a", "b"],
                          "type": ["chips", "cloud"], "overlaps_with": [None, "a"], "note": ["", ""]})
    assert {"gw", "counterparty", "status"} <= fields(fi.commitments(deals))
    cost = {"straight-line": {"chips": 1.0, "building": 0.5, "energy": 0.4, "operations": 0.1}}
    assert fields(fi.cost_parts(cost)) == {"usd_bn", "case", "part"}
    lat = pd.DataFrame({"chip": ["a", "b"], "memory_type": ["SRAM", "HBM"], "n_chips": [1, 8], "tokens_s_per_user": [2500.0, 150.0]})
    assert fields(fc.latency(lat)) >= {"base", "tokens_s_per_user", "chip"}
    assert fc.latency(lat).to_dict()["datasets"]  # the data travels with the chart
    bars = pd.DataFrame({"what": ["x"], "usd": [0.35], "kind": ["k"]})
    assert fc.reconcile(bars).data["base"].tolist() == [0.1]  # log-scale bars start at the power of ten below 0.35
    seed = pd.DataFrame({"ratio": [0.5], "label": ["a…"], "verdict": ["partly"], "id": ["a"], "statement": ["a"],
                         "seed_value": [2.0], "value": [1.0], "unit": ["x"], "reason": [""]})
    assert {"ratio", "label", "verdict", "x"} <= fields(fa.ratios(seed))


def test_a_markdown_table_is_a_table_not_prose() -> None:
    from aicompute import prose

    table = "\n| Chip | W |\n|------|---:|\n| H100 | 700 |\n\n"
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "data": {"text/markdown": table, "text/plain": "H100 700"}},
        {"output_type": "display_data", "data": {"text/markdown": "It draws 700 W.", "text/plain": ""}}]}]}
    assert prose.number_counts(prose.prose_text(nb)) == (0, 1)  # the 700 of the sentence, not the table's
    assert "| H100 | 700 |" in prose.page_text(nb)


# ------------------------------------------------------------------ chapters read as documents (issue 18)
def test_line_counts_by_hand() -> None:
    """Non-blank markdown lines against non-blank code lines; the parameters cell and ``#|`` options are not code."""
    nb = {"cells": [{"cell_type": "markdown", "source": ["# T\n", "\n", "text\n"]},
                    {"cell_type": "code", "source": "x = 1\n", "metadata": {"tags": ["parameters"]}},
                    {"cell_type": "code", "source": "#| label: fig-a\n\nshow(x)\ny = 2", "metadata": {}}]}
    assert bench_line_counts()(nb) == (2, 2)


def test_every_chapter_has_more_prose_than_code() -> None:
    """Each chapter of the registry (not the appendices) has more markdown lines than code lines: it reads as a
    document, with short read evidence -> call -> show cells (``python bench/prose_ratio.py`` prints the ratios)."""
    import json

    from aicompute import chapters
    from aicompute.paths import ROOT

    line_counts = bench_line_counts()
    counts = {c.stem: line_counts(json.loads((ROOT / "notebooks" / c.file).read_text(encoding="utf-8")))
              for c in chapters.load().chapters}
    assert counts
    low = {stem: f"{md} markdown / {code} code" for stem, (md, code) in counts.items() if md <= code}
    assert not low, f"chapters with no more prose than code (move logic into lib/, explain in markdown): {low}"


def test_no_data_text_or_notebook_names_a_chapter_by_its_file_number() -> None:
    """The data package's text (every CSV and the field descriptions) and every notebook's cells name chapters by
    name or cross-reference (@sec-<name>), never by file number ("chapter 02" is the page shown as Chapter 3):
    they reach the rendered text through tables, notes and folded code. The rendered pages are checked too
    (test_no_page_names_a_chapter_by_its_file_number, slow)."""
    import nbformat

    from aicompute.paths import ROOT

    found = {}
    for path in sorted((ROOT / "data").glob("*.csv")) + [ROOT / "data" / "datapackage.json"]:
        hits = FILE_NUMBER.findall(path.read_text(encoding="utf-8"))
        if hits:
            found[path.name] = sorted(set(hits))
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        hits = [h for c in nbformat.read(path, as_version=4).cells for h in FILE_NUMBER.findall(c.source)]
        if hits:
            found[path.name] = sorted(set(hits))
    assert not found, f"file-number chapter references (write the chapter's name, or @sec-<name> in markdown): {found}"


#: Tables whose ids are names a reader is shown on purpose: the calibration parameters (the names the scenarios
#: chapter's calibration table, the presets and data/scenario_drivers.csv use for them).
NAMED_ON_PURPOSE = {"scenario_drivers"}


def _data_ids() -> set[str]:
    """The keys of every row of the data package (each CSV's ``id``, sources included) but the named parameters."""
    from aicompute.paths import data_dir

    ids: set[str] = set()
    for path in sorted(data_dir().glob("*.csv")):
        if path.stem in NAMED_ON_PURPOSE:
            continue
        frame = pd.read_csv(path, dtype=str)
        if "id" in frame:
            ids |= set(frame["id"].dropna())
    return ids


def test_raw_ids_by_hand() -> None:
    from aicompute.prose import raw_ids

    page = ("Re-verified rd\\_ant\\_rr\\_2026\\_03 (9) [@src_a; -@src_b] @src_c `rd_y` <!-- if: ev.known('rd_z') --> "
            "rd_z_long, [a](#tbl-rd_w) data/rd_w.csv <td>rd_w</td> <script>{\"id\": \"rd_v\"}</script> &amp;rd_u rd_ant")
    ids = ["rd_ant_rr_2026_03", "src_a", "src_b", "src_c", "rd_y", "rd_z", "rd_w", "rd_v", "rd_u", "rd_ant", ""]
    # shown: the escaped id, the table cell, the one after an entity, the short id standing alone at the end; not
    # shown: citations, the code span, the comment, a longer word, an anchor, a path, the chart's script
    assert raw_ids(page, ids) == ["rd_ant_rr_2026_03", "rd_w", "rd_u", "rd_ant"]
    assert raw_ids("nothing here", ids) == [] and raw_ids("rd_w", []) == []


def test_the_sweep_events_a_chapter_shows_name_no_row_by_its_id() -> None:
    """The evidence sweep's found events are each chapter's 'What changed since the seed' table (event and what the
    chapter makes of it): they name a claim, reading or source in words, never by its id ('rd_ant_rr_2026_03')."""
    from aicompute.paths import data_dir
    from aicompute.prose import raw_ids

    ids = _data_ids()
    log = pd.read_csv(data_dir() / "sweep_log.csv", dtype=str)
    found = log[log["outcome"] == "found"]
    bad = {f"{row.id}.{col}": raw_ids(getattr(row, col), ids) for row in found.itertuples()
           for col in ("event", "bears_on") if isinstance(getattr(row, col), str)}
    bad = {k: v for k, v in bad.items() if v}
    assert not bad, f"sweep events that show a row's id (name it in words): {bad}"


@pytest.mark.slow
def test_no_chapter_shows_a_raw_claim_or_reading_id(fast_build: Path) -> None:
    """No chapter page and not the front page shows a reader a data row's id (a claim's, a reading's, a source's)
    in its prose, tables or chart titles: ids derive from data/*.csv; the appendices list them on purpose (the
    claims ledger's key column, the data dictionary's allowed values), the calibration parameters are named."""
    import nbformat

    from aicompute import chapters
    from aicompute.prose import page_text, raw_ids

    ids = _data_ids()
    pages = {c.stem: page_text(nbformat.read(fast_build / "executed" / c.file, as_version=4))
             for c in chapters.load() if not c.appendix}
    pages["front page"] = (fast_build / "summary.md").read_text(encoding="utf-8")
    shown = {name: raw_ids(text, ids) for name, text in pages.items()}
    assert not {k: v for k, v in shown.items() if v}, f"pages that show raw ids: {shown}"


def test_chapter_frames_for_tables_and_bars() -> None:
    """The frames chapters 01 and 02 show: the items in the order given, kinds and headers as shown."""
    from aicompute.figures import chips as fc
    from aicompute.figures import infra as fi

    bars = fi.power_bars({"World 2024": (415.0, "iea")}, {"Ours": (100.0, None), "Ours, high": (150.0, "hsbc")})
    assert bars[["what", "twh", "kind"]].values.tolist() == [["World 2024", 415.0, "IEA"], ["Ours", 100.0, "OpenAI"],
                                                             ["Ours, high", 150.0, "OpenAI"]]
    assert bars["source"].isna().tolist() == [False, True, False]  # ours computed here: no source of its own
    costs = pd.DataFrame({"chip": ["A"], "usd_per_mtok": [0.2]})
    renter = pd.DataFrame({"chip": ["A"], "rent": [2.0], "usd": [0.5]})
    r = fc.reconcile_bars(costs, renter, ("inference bill", 3.0), pd.Series({"frontier": 9.0}))
    assert r["kind"].tolist() == ["modelled owner's cost", "at observed rental prices", "OpenAI's own figures", "API list price"]
    assert r["usd"].tolist() == [0.2, 0.5, 3.0, 9.0] and r["what"].iloc[2] == "OpenAI inference bill / API tokens (ceiling)"
    checks = pd.DataFrame({"who": ["x"], "role": ["r"], "count": [1], "site_kw_per_gpu": [2.0], "load_kw_per_gpu": [1.0],
                           "usd_per_gpu": [3.0]})
    shown = fi.site_checks_view(checks, site_gw=1.2, gpu_load_mw=200.0, order_usd_bn=40.0)
    assert shown.columns.tolist()[2] == "GPUs" and shown.values.tolist() == checks.values.tolist()


def test_verdicts_are_dated_by_their_evidence_not_the_as_of_date() -> None:
    assert say_ev.on_evidence("2026-07-04", "2026-11-28", tagged=False, capital=True) == (
        "On evidence to 2026-07-04 (the months from then to 2026-11-28 are projected, not observed)")
    assert say_ev.on_evidence("2026-06-28", "2026-06-28", tagged=False) == "on evidence to 2026-06-28"
    assert tagged_numbers(say_ev.on_evidence("2026-07-04", "2026-11-28")) == ["2026-07-04", "2026-11-28"]
    full = say_ev.header(_ev("2026-11-28", "2026-07-03", "2026-07"))
    assert "@sec-methodology" in full and "[why]" not in full  # a cross-reference, live in the PDF too
    # a panel that has said the dates drops the verdict's own opening, and only that exact opening
    dated = say_ev.on_evidence("2026-07-04", "2026-11-28", tagged=False, capital=True) + ", the odds lean to a boom."
    assert say_ev.undated(dated, "2026-07-04", "2026-11-28") == "The odds lean to a boom."
    assert say_ev.undated(dated, "2026-06-30", "2026-11-28") == dated  # other dates: the verdict keeps its own
    assert say_ev.undated("The odds lean to a boom.", "2026-07-04", "2026-11-28") == "The odds lean to a boom."
