"""Chapter 05's wording: the models in :mod:`aicompute.scenarios` return numbers and tables; these functions turn
them into the words the chapter shows (numbers through :mod:`aicompute.formatting`).

* :func:`probability`, :func:`odds_with_error`, :func:`odds_range`: a probability for prose, with its Monte Carlo
  error or its range;
* :func:`projection_text`, :func:`predictive_flag`: the posterior predictive check's projections and flags;
* :func:`drivers_clause`: why the hard landing moved (the signposts whose readings moved it most);
* :func:`dial_name`: a dial of the structural range in words;
* :func:`reading_table`, :func:`lab_table`: every reading on its own basis, each lab separately (periods and bases
  in words).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aicompute.formatting import (
    capitalised,
    fiscal_quarter,
    fmt,
    fmt_range,
    plain,
    plain_range,
    quote,
    significant,
    with_range,
)


def probability(p: float) -> str:
    """A probability for prose, tagged: 'under 0.1%', 'under 1%', else whole per cent ('58%')."""
    if p < 0.001:
        return fmt("under 0.1%")
    if p < 0.005:
        return fmt("under 1%")
    return fmt(100 * p, "%", ".0f")


def odds_with_error(p: float, se: float) -> str:
    """'58% (± 0.7 points)': a probability with one Monte Carlo standard error, in points."""
    return f"{probability(p)} (± {fmt(100 * se, '', '.1f')} points)"


def odds_range(low: float, high: float) -> str:
    """'47–63%': the range of a probability over the settings tried."""
    return fmt_range(100 * low, 100 * high, "%", ".0f")


#: Each dial of :func:`aicompute.scenarios.update.settings` in words.
DIALS = {
    "window": "endings read December over December", "hazard_boom_cooling": "the boom's cooling hazard",
    "hazard_cooling_boom": "the re-acceleration hazard", "hazard_bust_recovery": "the bust's recovery hazard",
    "hazard_cooling_bust_ratio": "the bust hazard after cooling", "memory_cycle_amplitude": "the memory cycle's amplitude",
    "stress_weight_spread": "the credit coupling (spread in the stress)",
    "credit_event_hazard_bust": "the credit-event hazard in a bust",
    "spread_level_sd": "the spread of the credit state's level", "hazard_slope": "the hazard slope",
    "floor": "the error floors", "evidence_weight": "the evidence weight", "base_rate": "the base rate",
    "readings": "actual readings only", "sources": "primary readings only",
    "preset": "an analyst's preset (bear: hazard x2, capex momentum -0.1; bull: x0.5, +0.1)", "central": "central",
}


#: The reader's dials (:func:`aicompute.scenarios.update.dial_grid`): a label for each, and for the window's values.
READER_DIAL_LABELS = {"evidence_weight": "Evidence weight (0: before any reading; 1: every reading as stated)",
                      "hazard_scale": "Bust hazard (times the base rate's)",
                      "window": "Endings read"}
READER_VALUE_LABELS = {"window": {"calendar": "calendar year over calendar year",
                                  "december": "December over December"}}


def dial_name(dial: str) -> str:
    """A dial in words (its id when unknown)."""
    return DIALS.get(dial, dial)


def setting_name(dial: str, end: str) -> str:
    """'the boom's cooling hazard at its high end', 'the error floors at their low end', 'the bear preset', 'endings
    read December over December'."""
    if dial == "window":
        return DIALS["window"]
    if dial == "preset":
        return f"the {end} preset"
    if dial == "central":
        return "the central setting"
    if dial == "readings":
        return "actual readings only (forecasts and guidance left out)"
    if dial == "sources":
        return "primary readings only (secondary copies left out)"
    return f"{dial_name(dial)} at {'their' if dial == 'floor' else 'its'} {end} end"  # 'the error floors': plural


def _num(x: float, sig: int = 4) -> str:
    """A number for a table or a sentence: ``sig`` significant figures, thousands separated (1,914; 15.2; 30)."""
    return significant(float(x), sig)


def basis_label(r: Any) -> str:
    """A reading's basis from its codes (kind, revenue basis when given, source class): 'actual, run-rate gross,
    secondary'."""
    parts = [r.kind]
    if isinstance(r.revenue_basis, str) and r.revenue_basis:
        parts.append(r.revenue_basis)
    parts.append(r.source_class)
    return ", ".join(parts)


def period_label(p: Any, kind: str, entity: str | None = None) -> str:
    """A reading's period, the same in a table and a sentence: '2026' (year), 'May 2026' (month), a quarter as
    :func:`aicompute.formatting.fiscal_quarter` labels it for the reporting ``entity`` ('Q1 FY27 (Feb–Apr 2026)',
    'Q1 2026')."""
    ts = pd.Timestamp(p)
    return f"{ts:%Y}" if kind == "year" else (f"{ts:%b %Y}" if kind == "month" else fiscal_quarter(ts.date(), entity))


def projection_text(publisher: str, value: float, low: float, high: float) -> str:
    """'Company guidance (Q1 2026 results): 710 (685–725)': a projection as the predictive check lists it, with the
    stated range it counts with when that range reaches beyond the value (``low``/``high`` as
    :func:`predictive_check` reads them: missing ends are the value)."""
    text = f"{publisher}: {_num(value)}"
    if low < value or high > value:
        text += f" ({plain_range(low, high, spec='sig4')})"
    return text


def predictive_flag(median: float, side: str, lowest: float, highest: float, projections: int,
                    tagged: bool = False) -> str:
    """The clause that words a flag of :func:`predictive_check` (``side``: 'below' or 'above'):

    * several projections: 'the median (766) is below every published projection (882–1,400)';
    * one projection, or several of one value: 'the median (1,671) is below the one published projection, 1,914'
      ('... all 3 published projections, each 1,000');
    * the median gets one more significant figure until it no longer reads as the projection it is compared with
      (29.6 against 30, not 30 against 30); if six figures still read alike it is 'at' the projection.

    ``tagged``: each number goes through the formatter (for prose)."""
    def t(text: str) -> str:
        return fmt(text) if tagged else text

    bound = lowest if side == "below" else highest
    shown = _num(bound)
    sig = 3
    while _num(median, sig) == shown and sig < 6:
        sig += 1
    med = _num(median, sig)
    rel = "at" if med == shown else side
    if projections == 1:
        return f"the median ({t(med)}) is {rel} the one published projection, {t(shown)}"
    if _num(lowest) == _num(highest):
        return f"the median ({t(med)}) is {rel} all {t(str(projections))} published projections, each {t(shown)}"
    return f"the median ({t(med)}) is {rel} every published projection ({t(plain_range(lowest, highest, spec='sig4'))})"


def drivers_clause(by_series: pd.DataFrame, lowered: int = 3, raised: int = 2, min_shift: float = 0.005,
                   tagged: bool = False, year: int | None = None, subject: str = "it") -> str:
    """Why the hard landing moved, from :func:`series_influence`: the ``lowered`` signposts whose readings together
    lowered it most and the ``raised`` that raised it most, each with its summed shift in points (shifts under
    ``min_shift``, or within two Monte Carlo errors ``se`` when the table has them, are left out: a seed's noise is not
    a reason). ``tagged``: numbers through the formatter and names quoted (for prose). ``subject``: what the
    clause first calls the hard landing ("it" after a sentence about it; "the hard landing" to open one).

    ``year`` (the second year, whose growth over the first the endings read): when every signpost named as raising
    it lifted the first year's chip revenue and lowered the growth from it (``chip_base`` and ``chip_growth`` beyond
    ``min_shift``), the clause says so: such readings raise the hard landing by raising the base a fall is measured
    from more than the year after it."""
    def pts(v: float) -> str:
        text = plain(100 * v, spec="+.1f")
        return fmt(text) if tagged else text

    def name(n: str) -> str:
        return quote(n) if tagged else n

    clear = np.maximum(min_shift, 2 * by_series["se"]) if "se" in by_series.columns else min_shift
    down = by_series[by_series["hard_landing"] < -clear].head(lowered)
    up = by_series[by_series["hard_landing"] > clear].sort_values("hard_landing", ascending=False).head(raised)
    if not len(down):
        text = f"no signpost's readings have lowered {subject} much yet"
    else:
        text = (("the signposts" if len(down) > 1 else "the signpost") + f" whose readings together lowered {subject} most ("
                + "; ".join(f"{name(n)}, {pts(v)} points" if i == 0 else f"{name(n)}, {pts(v)}"
                            for i, (n, v) in enumerate(zip(down["signpost"], down["hard_landing"])))
                + ") came in on the boom path")
    if len(up):
        text += (", while " if len(down) else "; ") + " and ".join(
            f"{name(n)} ({pts(v)})" for n, v in zip(up["signpost"], up["hard_landing"])) + " raised it"
        if year is not None and {"chip_base", "chip_growth"} <= set(up.columns) \
                and (up["chip_base"] > min_shift).all() and (up["chip_growth"] < -min_shift).all():
            text += f" by lifting {year - 1}'s chip revenue more than {year}'s, and a fall in {year} is measured from {year - 1}"
    return text


# --------------------------------------------------------------------------------------- the chapter's pieces
def probability_plain(p: float) -> str:
    """:func:`probability` untagged, for chart titles, table cells and published text ('under 1%', '58%')."""
    return "under 0.1%" if p < 0.001 else "under 1%" if p < 0.005 else plain(100 * p, "%", ".0f")


def endings_table(t: Mapping[str, float], names: Mapping[str, str]) -> pd.DataFrame:
    """The four endings as outcomes of the second year against the first, from the calibration's 'ending' group
    (``t``: parameter -> value; ``names``: ending id -> label)."""
    what = "outcome in the second year against the first"
    return pd.DataFrame([
        {"ending": names["hard_landing"], what:
            f"chip revenue {plain(t['ending_hard_chip_fall'], spec='+.0%')} or worse, or capex {plain(t['ending_hard_capex_fall'], spec='+.0%')} or "
            "worse, or a credit event with capex falling"},
        {"ending": names["muddle_through"], what: "anything else: capex stalls, or chip revenue sags without collapsing"},
        {"ending": names["soft_landing"], what: f"capex still grows {plain(t['ending_soft_capex_growth'], spec='+.0%')} or more, chip "
                                                f"revenue above {plain(t['ending_soft_chip_floor'], spec='+.0%')}, not a boom"},
        {"ending": names["continued_boom"], what: f"capex grows {plain(t['ending_boom_capex_growth'], spec='+.0%')} or more and chip "
                                                  f"revenue {plain(t['ending_boom_chip_growth'], spec='+.0%')} or more"},
    ])


def growth_kinds(growth: pd.DataFrame, boom_line: float, fall: float) -> pd.DataFrame:
    """Annual growth (``growth``: year, growth as a fraction) in per cent, each year labelled a boom year, a fall
    of ``fall`` or more, or an ordinary year (the base-rate chart's colours)."""
    kind = np.where(growth["growth"] > boom_line, "boom year",
                    np.where(growth["growth"] <= -fall, f"fall of {plain(fall, spec='.0%')} or more", "ordinary year"))
    return growth.assign(kind=kind, growth=100 * growth["growth"])


def base_rates_title(growth: pd.DataFrame) -> str:
    """'Chip revenue fell in 9 of 37 years; the worst fall was 32% in 2001' (``growth`` in per cent; a fall is
    named as such, so its size is written without a sign)."""
    worst = growth.loc[growth["growth"].idxmin()]
    return (f"Chip revenue fell in {plain(int((growth['growth'] < 0).sum()))} of {plain(len(growth))} years; the worst "
            f"fall was {plain(-float(worst['growth']), '%', '.0f')} in {int(worst['year'])}")


def rates_table(rates: pd.DataFrame) -> pd.DataFrame:
    """:func:`aicompute.scenarios.baserates.base_rates` with readable columns, the fall and the shares in per cent
    (the one formatter: 0.194 -> '19%'; a share with no years to count is left blank)."""
    def percent(x: Any) -> str:
        return plain(x, spec=".0%") if pd.notna(x) else ""

    shares = [c for c in rates.columns if c == "fall" or c.startswith("share_")]
    return rates.assign(**{c: rates[c].map(percent) for c in shares}).rename(columns={
        "fall": "fall of at least", "falls_any_year": "years with that fall", "share_any_year": "share of years",
        "boom_years": "boom years", "falls_second_year": "second year after a boom fell",
        "share_second_year": "share (second year)", "falls_within_two": "fell within two years of a boom",
        "share_within_two": "share (within two)"})


def k_of_n(k: int, n: int, noun: str, plural: str | None = None) -> str:
    """'3 of 5 years', '1 of 1 year' (the noun agrees with ``n``), numbers tagged; the verb after it agrees with
    ``k`` ('1 of 28 years was', '3 of 28 years were': the caller's)."""
    return f"{fmt(k)} of {fmt(n)} {noun if n == 1 else plural or noun + 's'}"


def hazard_basis(k_all: int, n_all: int, k_boom: int, n_boom: int, fall: float) -> str:
    """How the base rate was set, from :func:`aicompute.scenarios.baserates.fall_counts` (tagged): 'the rate after
    any year (10 of 28) and after a boom year (3 of 5), each smoothed by Laplace's rule (one more fall and one more
    year without), then averaged'."""
    p_all = (k_all + 1) / (n_all + 2)
    text = (f"{k_of_n(k_all, n_all, 'year')} {'was' if k_all == 1 else 'were'} followed by a fall of "
            f"{fmt(fall, spec='.0%')} or more within two years")
    if n_boom:
        p_boom = (k_boom + 1) / (n_boom + 2)
        return (text + f"; {k_of_n(k_boom, n_boom, 'boom year')} {'was' if k_boom == 1 else 'were'} (rates smoothed by Laplace's rule, "
                f"then averaged: {fmt(p_all, spec='.0%')} and {fmt(p_boom, spec='.0%')})")
    return text + (f" (smoothed by Laplace's rule: {fmt(p_all, spec='.0%')}; no boom year with two known years "
                   "after it)")


def latest_lab_readings(labs: pd.DataFrame) -> str:
    """'**OpenAI** 24 USD bn/yr (actual, run-rate net, secondary, 2026-05, published 2026-06-09); ...': each lab's
    latest modelled reading (``labs``: :func:`lab_table`), data text quoted."""
    rows = labs[labs["status"].eq("modelled")].groupby("lab", sort=False).tail(1)
    return "; ".join(f"**{quote(r.lab)}** {fmt(r.value, '', ',.4g')} {quote(r.unit)} ({quote(r.basis)}, "
                     f"{fmt(r.period)}, published {fmt(pd.Timestamp(r.published).date())})"
                     for r in rows.itertuples(index=False))


def watch_text(row: Any, year: int) -> str:
    """A watch-list item as published (plain text): 'Oracle CDS: warning if above 198; latest 104 for 2026-02
    (2026-02-02); chance by the end of 2027: 51%'."""
    latest = "" if pd.isna(row.latest) else (f"; latest {row.latest:,.4g} for "
                                             f"{period_label(row.latest_period, row.latest_period_type, getattr(row, 'latest_entity', None))} "
                                             f"({row.latest_published})")
    return (f"{row.signpost}: warning if {row.warns_if} {row.threshold:,.4g}{latest}; chance by the end of {year}: "
            f"{probability_plain(row.p_cross)}")


def watch_items(watch: pd.DataFrame, year: int) -> str:
    """The modelled signposts as a Markdown list (names quoted, numbers tagged), likeliest warning first."""
    def latest(r: Any) -> str:
        if not r.latest_published:
            return "no reading yet"
        return (f"latest {fmt(r.latest, '', ',.4g')} for {fmt(period_label(r.latest_period, r.latest_period_type, getattr(r, 'latest_entity', None)))} "
                f"(published {fmt(r.latest_published)})")

    return "\n".join(f"- **{quote(r.signpost)}**: {latest(r)}, warning if {r.warns_if} {fmt(r.threshold, '', ',.4g')}; "
                     f"chance by the end of {year}: {probability(r.p_cross)}." for r in watch.itertuples(index=False))


def watched_items(latest: pd.DataFrame) -> str:
    """The watched, not modelled series as a Markdown list: latest reading, its source and the warning line."""
    return "\n".join(f"- **{quote(r.name)}**: {fmt(r.value, '', ',.4g')} {quote(r.unit)} ({quote(r.entity)}, published "
                     f"{fmt(pd.Timestamp(r.published).date())}); warning {r.direction} {fmt(r.threshold, '', ',.4g')}."
                     for r in latest.itertuples(index=False))


def predictive_flags(flagged: pd.DataFrame) -> str:
    """The flags of the posterior predictive check (rows of :func:`aicompute.scenarios.signposts.predictive_check`
    whose median lies outside every projection), each quantity bold, its clause from :func:`predictive_flag`."""
    return "; ".join(f"**{q} {y}**: {predictive_flag(m, side, lo, hi, n, tagged=True)}" for q, y, m, side, lo, hi, n in
                     zip(flagged["quantity"], flagged["year"], flagged["model median"], flagged["median outside all"],
                         flagged["lowest"], flagged["highest"], flagged["projections"]))


def verdict(*, as_of: Any, evidence_to: Any, soft_boom: float, hard: float, muddle: float, low: float,
            high: float, by_series: pd.DataFrame, crash: float, below_crash: float, year: int, bust_any: float,
            actual_only: tuple[float, float] | None = None, december: float | None = None,
            latest_quarter: tuple[Any, float] | None = None, tagged: bool = False) -> str:
    """The chapter's verdict: which side the evidence leans to (soft landing or boom against hard landing or
    muddle-through), the hard landing with its range, why (:func:`drivers_clause`), the seed's crash line and the
    chance that a bust begins. It is dated by its evidence (``evidence_to``: the latest evidence's date,
    :attr:`aicompute.evidence.Evidence.cutoff`), not by the report's ``as_of``; when that is later the months
    between are said to be projected (:func:`aicompute.narrative.evidence.on_evidence`). Plain text as published
    (``tagged=False``: the front page escapes it); with ``tagged`` the numbers go through the formatter and the
    signpost names are quoted, for the chapter's page. ``actual_only``: the same two odds (soft landing or boom,
    hard landing) with the actual readings alone, forecasts and guidance left out (the range's setting of that
    name), said beside the range so the reader sees how much the forecasts carry. The odds are read on calendar-year
    totals (the central window) and the sentence says so; ``december``: the hard landing with the endings read December
    over December, the seed's own reading of its window (the range's setting of that name, as published), said first in
    the brackets so a reader of the seed sees its measure beside ours. ``latest_quarter``: (the quarter's first day,
    USD bn) of the latest actual quarter of world chip sales, said beside the crash line so the reader sees that
    the line is out of reach on sales already made, not by the model's construction."""
    from aicompute.narrative.evidence import on_evidence

    p = probability if tagged else probability_plain
    side = ("soft landing or continued boom" if soft_boom > hard + muddle else "hard landing or muddle-through")
    line = fmt(crash, "", ",.0f") if tagged else plain(crash, "", ",.0f")
    return (f"{on_evidence(evidence_to, as_of, tagged=tagged, capital=True)}, the odds lean to a {side}: {p(soft_boom)} against {p(hard)} "
            f"for the seed's hard landing on calendar-year totals ("
            + (f"{p(december)} read December over December, as the seed reads its window; " if december is not None else "")
            + f"{p(low)} to {p(high)} over every setting tried"
            + (f"; {p(actual_only[0])} against {p(actual_only[1])} on actual results alone, forecasts and guidance "
               "left out" if actual_only is not None else "")
            + "). " + capitalised(drivers_clause(by_series, tagged=tagged, year=year, subject="the hard landing"))
            + f". The seed's {line} USD bn crash line is {crash_words(below_crash)} "
            f"({p(below_crash)}{_quarter_against_line(latest_quarter, crash, year, tagged)}); the live risk is a later bust, which begins by the end of {year} on {p(bust_any)} "
            "of the paths.")


def _quarter_against_line(quarter: tuple[Any, float] | None, crash: float, year: int, tagged: bool) -> str:
    """': all of 2027 would have to sell less than 1.34 times the 299 USD bn sold in the first quarter of 2026 alone'
    (the line over the quarter's sales), or '' without a quarter."""
    if quarter is None:
        return ""
    start, usd_bn = quarter
    q = pd.Timestamp(start)
    words = f"the {('first', 'second', 'third', 'fourth')[(q.month - 1) // 3]} quarter of {q.year}"
    f = fmt if tagged else plain
    return (f": all of {year} would have to sell less than {f(crash / usd_bn, 'times', '.2f')} the "
            f"{f(usd_bn, 'USD bn', ',.0f')} sold in {words} alone")


#: How the crash line reads by its probability: (below this share, the words); above the last, 'within reach'.
CRASH_WORDS = ((0.01, "out of reach"), (0.10, "unlikely"))


def crash_words(p_below: float) -> str:
    """'out of reach' under 1%, 'unlikely' under 10%, else 'within reach' (:data:`CRASH_WORDS`)."""
    return next((w for limit, w in CRASH_WORDS if p_below < limit), "within reach")


def backtest_item(label: str, year: int, realised: float, target: float, basis: str, mid: Mapping[str, float],
                  grid: tuple[float, float], end_year: Mapping[str, float], last: Mapping[str, float]) -> str:
    """One backtest as a list item: what happened, the base rate before any reading (``basis``:
    :func:`hazard_basis`), and the engine's hard landing and fall in the second year in mid-first-year (with the
    calibration grid's range), at the end of the first year and at the end of the second."""
    return (f"- **{quote(label)}** (what happened: chip revenue {fmt(realised, spec='+.0%')} in {year + 1}). Before "
            f"any reading the base rate known then set a bust within two years at {fmt(target, spec='.0%')} ({basis}). "
            f"In mid-{year} the engine gave the hard landing **{probability(mid['hard_landing'])}** (grid "
            f"{probability(grid[0])}–{probability(grid[1])}) and a fall in {year + 1} {probability(mid['chip_fall'])}; "
            f"at the end of {year}, {probability(end_year['hard_landing'])} and {probability(end_year['chip_fall'])}; "
            f"by the end of {year + 1}, {probability(last['hard_landing'])} and {probability(last['chip_fall'])}.")


#: The credit channel's series (:data:`aicompute.scenarios.start.CREDIT_START`) in words.
CREDIT_NAMES = {"hy_oas": "the US high-yield spread", "ig_oas": "the US investment-grade spread",
                "coreweave_cds": "CoreWeave's five-year CDS", "contract_cancellations": "large project cancellations"}


def start_notes(x: Mapping[str, float], start: Any, runway: float | None = None) -> str:
    """How each starting level of January 2026 was built, as a Markdown list with tagged numbers (``x``:
    :func:`aicompute.scenarios.start.start_inputs`; ``start``: the :class:`~aicompute.scenarios.model.Start`,
    with a lab's funds when :func:`~aicompute.scenarios.start.with_financing` gave it a ``runway``)."""
    def n(v: float, spec: str = "g", unit: str = "") -> str:
        return fmt(v, unit, spec)

    items = {
        "Hyperscaler capex": f"the big four's Q3 2025 capex ({n(x['capex_quarter'], unit='USD bn')} a quarter, "
                             f"times four) grown for {n(x['capex_months'])} months at its growth over a year "
                             f"({n(x['capex_yoy_pct'], unit='%')}): the latest actual before the seed",
        "Chip revenue": f"geometric mean of WSTS's autumn 2025 figures for 2025 ({n(x['chips_last'], unit='USD bn')}) "
                        f"and 2026 ({n(x['chips_next'], unit='USD bn')})",
        "Build-out share": f"Nvidia's data-centre run-rate in its Q3 FY2026 ({n(4 * x['nvidia_dc_quarter'], '.1f', 'USD bn')}) "
                           f"over its {n(x['nvidia_ai_share_pct'], '.0f', '%')} share of AI accelerators, as a share "
                           "of chip revenue",
        "Nvidia's data-centre revenue": f"Nvidia's Q4 FY2026 revenue guidance ({n(x['nvidia_next_guide'], unit='USD bn')}) "
                                        f"times the data-centre share of Q3 ({n(x['nvidia_dc_quarter'])} of "
                                        f"{n(x['nvidia_quarter'])}), annualised",
        "Credit spread": f"Oracle's five-year CDS in December 2025 ({n(x['spread_bp'], unit='bp')})",
        "OpenAI's revenue": f"its annualised revenue at the end of 2025 ({n(x['openai_arr'], unit='USD bn')}, net of "
                            f"partner shares); momentum from {n(x['openai_arr_year_before'], unit='USD bn')} a year earlier",
        "Anthropic's revenue": f"geometric mean of its projected revenue for 2025 ({n(x['anthropic_last'], unit='USD bn')}) "
                               f"and 2026 ({n(x['anthropic_next'], unit='USD bn')}) (investor projections, November "
                               "2025; gross of cloud-partner shares)",
        "The labs' cost": f"OpenAI's projected 2025 revenue plus its 2025 cash burn, over the revenue: "
                          f"{n((x['openai_revenue'] + x['openai_burn']) / x['openai_revenue'], '.2f', 'x')} (applied to "
                          "both labs: judgment, Anthropic burns less)",
    }
    credit = start.credit or {}
    spreads = [f"{CREDIT_NAMES.get(sid, sid)} from {n(cs.level, unit='bp')} (sensitivity {n(cs.beta)})"
               for sid, cs in credit.items() if not cs.is_count]
    counts = [f"{CREDIT_NAMES.get(sid, sid)} at {n(cs.rate)} a year at the start's credit state (sensitivity "
              f"{n(cs.beta)})" for sid, cs in credit.items() if cs.is_count]
    if credit:
        items["The credit channel"] = ("one latent credit state (the log change of Oracle's CDS) read by several series: "
                                       + ", ".join(spreads) + ("; " + "; ".join(counts) if counts else ""))
    clock = start.clock.year + (start.clock.month - 1) / 12
    for lab in start.labs:
        if lab.funds is not None and runway is not None:
            items[f"{'OpenAI' if lab.name == 'openai' else lab.name.capitalize()}'s runway-equivalent funds"] = (
                f"{n(lab.funds, ',.0f', 'USD bn')}: the amount that lasts "
                f"{n(12 * (runway - clock), '.0f', 'months')} on this model's quiet burn, so that the money runs out "
                "when the cash model of @sec-finance says it does (that model counts more cash and firm commitments "
                "against a heavier burn, so its funds figure is larger); a raise brings the "
                f"{n(lab.raise_size, ',.0f', 'USD bn')} it still has to raise")
    return "\n".join(f"- **{k}**: {v}" for k, v in items.items())


def backtest_rows(b: Any) -> pd.DataFrame:
    """A backtest (:class:`aicompute.scenarios.backtests.Backtest`) at its four key dates: central odds with the
    calibration settings' range, and what happened."""
    rows = []
    for k, d in enumerate(b.key_days):
        row = b.at(k)
        (h_lo, h_hi), (f_lo, f_hi) = b.range_at(k, "hard_landing"), b.range_at(k, "chip_fall")
        rows.append({"backtest": b.label, "as of": d.date(), "readings": int(row["readings"]),
                     "hard landing": with_range(100 * row["hard_landing"], 100 * h_lo, 100 * h_hi, "%", ".0f"),
                     "chip revenue falls": with_range(100 * row["chip_fall"], 100 * f_lo, 100 * f_hi, "%", ".0f"),
                     "falls 15% or more": plain(100 * row["chip_fall_15"], "%", ".0f"),
                     "what happened": f"{b.clock.year + 1}: {plain(b.realised, spec='+.0%')}"})
    return pd.DataFrame(rows)


def backtest_scores(bts: list[Any]) -> pd.DataFrame:
    """The backtests' Brier scores side by side: the engine's monthly odds of a fall in the second year, the base
    rate alone, the engine's prior."""
    return pd.DataFrame([{"backtest": b.label, "event": f"chip revenue falls in {b.clock.year + 1}",
                          "happened": "yes" if b.fell else "no", "engine, monthly odds": b.brier_engine,
                          "base rate only": b.brier_base_rate, "prior (no reading)": b.brier_prior} for b in bts])


def backtest_items(bts: list[Any]) -> str:
    """Each backtest as a list item (:func:`backtest_item`)."""
    return "\n".join(backtest_item(b.label, b.clock.year, b.realised, b.target, hazard_basis(*b.counts, b.fall_share),
                                   b.at(0), b.range_at(0, "hard_landing"), b.at(1), b.at(3)) for b in bts)


def settings_table(table: pd.DataFrame, mc_se: Any, endings: list[str], names: Mapping[str, str]) -> pd.DataFrame:
    """The odds (%) under every setting of :func:`aicompute.scenarios.update.structural_range`, named in words,
    with the effective paths and ``mc_se`` (one standard error of the least certain ending, as a fraction)."""
    shown = table.assign(setting=[setting_name(d, e) for d, e in zip(table["dial"], table["end"])],
                         **{names[e]: (100 * table[e]).round(1) for e in endings}, mc=(100 * mc_se).round(1),
                         ess=table["ess"].round().astype(int))
    return shown[["setting", "kind", *[names[e] for e in endings], "ess", "mc"]].rename(
        columns={"ess": "effective paths", "mc": "Monte Carlo error (± points)"})


def odds_results(now: Mapping[str, float], low: Mapping[str, float], high: Mapping[str, float],
                 se: Mapping[str, float], table: pd.DataFrame, names: Mapping[str, str], years: tuple[int, int],
                 crash: float) -> dict[str, dict[str, Any]]:
    """The odds the chapter publishes, each as ``{result id: keyword arguments of results.publish}`` (value, range,
    unit, format and its label in words): every ending with its range, Monte Carlo error and prior, the hard landing
    read December over December (when ``table`` has that setting: the seed's window), a soft landing or boom and the
    hard landing on actual results alone (when it has the 'readings' setting: forecasts and guidance left out), the
    crash line, a soft landing or boom, a bust beginning, OpenAI unfunded, a credit event and a memory fall without a bust.
    ``now``/``low``/``high``: the central setting and the range over the settings (fractions); ``years``: the
    horizon's first and second year."""
    year1, year2 = years

    def pct(x: float, digits: int = 3) -> float:  # three decimals kept: a figure is rounded once, when shown (fmt)
        return round(100 * x, digits)

    def ranged(key: str, label: str, **kw: Any) -> dict[str, Any]:
        return dict(value=pct(now[key]), low=pct(low[key]), high=pct(high[key]), fmt=".0f", unit="%", label=label, **kw)

    out: dict[str, dict[str, Any]] = {}
    for e in names:
        out[f"p_{e}"] = ranged(e, f"{names[e].lower()} by the end of {year2}", headline="odds")
        out[f"p_{e}_mc_error"] = dict(value=pct(se[e], 2), unit="points",
                                      label=f"Monte Carlo standard error of the {names[e].lower()} (central setting)")
        out[f"p_prior_{e}"] = dict(value=pct(now[f"prior_{e}"]), low=pct(table[f"prior_{e}"].min()),
                                   high=pct(table[f"prior_{e}"].max()), fmt=".0f", unit="%",
                                   label=f"{names[e].lower()} before any reading (the base-rate prior)")
    out["p_crash_threshold"] = dict(value=pct(now["below_crash"], 2), low=pct(low["below_crash"], 2),
                                    high=pct(high["below_crash"], 2), unit="%", headline="odds",
                                    label=f"{year2} chip revenue under {plain(crash, spec='.0f')} USD bn")
    out["p_soft_or_boom"] = dict(value=pct(now["soft_landing"] + now["continued_boom"]), fmt=".0f", unit="%",
                                 label="a soft landing or continued boom (central setting)")
    out["p_bust_by_2027"] = ranged("bust_any", f"a bust begins by the end of {year2}")
    def setting(dial: str, end: str) -> pd.Series | None:  # the range's row of one setting, if the table has it
        rows = table[table["dial"].eq(dial) & table["end"].eq(end)] if "dial" in table else table.iloc[:0]
        return rows.iloc[0] if len(rows) else None

    if (row := setting("window", "december")) is not None:  # the endings read as the seed reads its window
        out["p_hard_landing_december"] = dict(value=pct(row["hard_landing"]), fmt=".0f", unit="%",
                                              label=f"hard landing by the end of {year2}, the endings read December "
                                                    "over December (the seed's reading of its window)")
    if (row := setting("readings", "actual")) is not None:  # the actual results alone (forecasts and guidance left out)
        out["p_soft_or_boom_actual_only"] = dict(
            value=pct(row["soft_landing"] + row["continued_boom"]), fmt=".0f", unit="%",
            label=f"a soft landing or continued boom by the end of {year2} on actual results alone (forecasts and "
                  "guidance left out)")
        out["p_hard_landing_actual_only"] = dict(
            value=pct(row["hard_landing"]), fmt=".0f", unit="%",
            label=f"hard landing by the end of {year2} on actual results alone (forecasts and guidance left out)")
    out["p_hard_landing_january"] = dict(value=pct(now["prior_hard_landing"]), fmt=".0f", unit="%",
                                         label=f"the hard landing before any reading (January {year1}, base-rate prior)")
    out["p_openai_unfunded"] = ranged("openai_unfunded", "OpenAI under funding strain (funds down to its buffer of "
                                      "months of burn with no raise closed: renegotiates, defers or defaults on compute "
                                      f"contracts) by the end of {year2}")
    out["p_credit_event"] = ranged("credit_event", f"a credit event by the end of {year2}")
    out["p_memory_fall_no_bust"] = dict(value=pct(now["memory_fall"]), fmt=".0f", unit="%",
                                        label=f"{year2} chip revenue below {year1}'s without a bust (the memory cycle "
                                              "turning)")
    return out


def prior_posterior_table(now: Mapping[str, float], low: Mapping[str, float], high: Mapping[str, float],
                          table: pd.DataFrame, endings: list[str], names: Mapping[str, str]) -> pd.DataFrame:
    """Each ending before any reading and after the readings: central setting (range over every setting), and the
    shift in points."""
    return pd.DataFrame([{"ending": names[e],
                          "before the evidence": with_range(100 * now["prior_" + e], 100 * table["prior_" + e].min(),
                                                            100 * table["prior_" + e].max(), "%", ".1f", ".0f"),
                          "after it": with_range(100 * now[e], 100 * low[e], 100 * high[e], "%", ".1f", ".0f"),
                          "shift (points)": round(100 * (now[e] - now["prior_" + e]), 1)} for e in endings])


def points(x: Any) -> str:
    """A shift of the odds (a fraction of the paths) in percentage points, the one way every table shows it:
    0.0682 -> '6.8', 0.000882 -> '0.1', -0.0004 -> '0.0' (a shift that rounds to nothing has no sign); '' if missing."""
    return "" if pd.isna(x) else plain(100 * float(x), spec=".1f")


def signpost_label(series: str, names: Mapping[str, str]) -> str:
    """A signpost's name for the reader (``names``: {series id: name}, from data/signposts.csv); an id the table
    does not name reads as words ('oracle_cds' -> 'oracle cds'), never as code."""
    return names.get(series) or str(series).replace("_", " ")


def reading_table(readings: pd.DataFrame, influence: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per reading (as prepared by :func:`aicompute.scenarios.update.prepare`): published, series,
    entity, period (:func:`period_label`), value, unit, basis (:func:`basis_label`), use (modelled or why not;
    replaced by a later revision), source. ``influence``: :func:`aicompute.scenarios.update.influence`."""
    rows = []
    for r in readings.itertuples(index=False):
        use = r.status
        if pd.notna(r.replaced_on):
            use += f"; replaced on {pd.Timestamp(r.replaced_on).date()}"
        rows.append({"published": pd.Timestamp(r.published).date(), "series": r.series, "entity": r.entity,
                     "period": period_label(r.period, r.period_type, r.entity),
                     "value": r.value, "unit": r.unit, "basis": basis_label(r), "use": use, "id": r.id,
                     "source_id": r.source_id})
    out = pd.DataFrame(rows)
    if influence is not None and len(influence) and len(out):
        out = out.merge(influence[["id", "largest"]].rename(columns={"largest": "largest shift"}), on="id", how="left")
    return out


def lab_table(readings: pd.DataFrame, labs: dict[str, str]) -> pd.DataFrame:
    """Each lab's revenue readings, separately, on their own basis. ``labs``: {series id: lab name}."""
    mine = readings[readings["series"].isin(list(labs) + [f"{k}_recognised" for k in labs])].copy()
    mine["lab"] = mine["series"].str.replace("_recognised", "", regex=False).map(labs)
    mine["basis"] = [basis_label(r) for r in mine.itertuples(index=False)]
    mine["period"] = [period_label(p, t, e) for p, t, e in zip(mine["period"], mine["period_type"], mine["entity"])]
    mine["published"] = pd.to_datetime(mine["published"]).dt.date
    cols = ["lab", "published", "period", "value", "unit", "basis", "status", "source_id"]
    return mine.sort_values(["lab", "published", "id"])[cols].reset_index(drop=True)


def readings_table(table: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """:func:`reading_table` for the reader: each series by its signpost's name
    (:func:`signpost_label`), without the readings' ids, the largest shift in points (:func:`points`); entity,
    period, value and unit read as one cell, 'Oracle, Dec 2025: 128 bp' (four columns fewer on a phone)."""
    out = table.drop(columns=["id"], errors="ignore").assign(series=[signpost_label(s, names) for s in table["series"]])
    if {"entity", "period", "value", "unit"} <= set(out.columns):
        reading = [", ".join(str(x) for x in (e, p) if pd.notna(x) and str(x)) + ": " + plain(v, u if pd.notna(u) else "", "sig3")
                   for e, p, v, u in zip(out["entity"], out["period"], out["value"], out["unit"])]
        at = out.columns.get_loc("entity")
        out = out.drop(columns=["entity", "period", "value", "unit"])
        out.insert(at, "reading", reading)
    if "largest shift" in out:
        out["largest shift"] = out["largest shift"].map(points)
    return out.rename(columns={"series": "signpost", "largest shift": "largest shift (points)"})


def calibration_table(drivers: pd.DataFrame) -> pd.DataFrame:
    """The calibration parameters (data/scenario_drivers.csv) for the reader: each by its name, its value with its
    range in one cell ('0.25 (0.15–0.35)'; the value alone where no range is set), unit, basis, source and how it
    was set: seven columns, not nine."""
    return pd.DataFrame({"parameter": drivers["id"], "group": drivers["group"],
                         "value (range)": [with_range(v, lo, hi, spec="sig3")
                                           for v, lo, hi in zip(drivers["value"], drivers["low"], drivers["high"])],
                         "unit": drivers["unit"], "basis": drivers["basis"], "source_id": drivers["source_id"],
                         "calibration": drivers["calibration"]}).reset_index(drop=True)


def predictive_table(check: pd.DataFrame) -> pd.DataFrame:
    """:func:`aicompute.scenarios.signposts.predictive_check` for the reader: the median with its 90% band in one
    cell ('46.6 (33.8–61)'), the projections' span ('367–1,400', or 'none'), who published them and the two flags:
    seven columns, not eleven."""
    def span(n: int, lo: float, hi: float) -> str:
        return plain_range(lo, hi, spec="sig3") if n else "none"

    return pd.DataFrame({
        "quantity": check["quantity"], "year": check["year"],
        "model median (90% band)": [with_range(m, lo, hi, spec="sig3") for m, lo, hi in
                                    zip(check["model median"], check["model p5"], check["model p95"])],
        "projections (lowest to highest)": [span(*x) for x in zip(check["projections"], check["lowest"], check["highest"])],
        "published by": ["; ".join(projection_text(*p) for p in used) for used in check["projections used"]],
        "median outside all": check["median outside all"],
        "band excludes all": check["band excludes all"]}).reset_index(drop=True)


def drivers_table(by_series: pd.DataFrame, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """:func:`aicompute.scenarios.signposts.series_influence` in points (:func:`points`), by signpost name. The
    headers are short, a word or two a column, so that they read in print and on a phone; the units and what each
    shift is measured on go in the table's caption (:data:`DRIVERS_NOTE`). ``years``: the horizon's first and second
    year, named in the chip columns ('2026 chip revenue (%)'); without them 'first year', 'second year'."""
    first, second = (str(y) for y in years) if years else ("first year's", "second year's")
    shifts = {c: by_series[c].map(points) for c in ("hard_landing", "se", "largest", "chip_base", "chip_growth")
              if c in by_series.columns}
    return by_series.drop(columns=["series"]).assign(**shifts).rename(
        columns={"signpost": "Signpost", "readings": "Readings", "hard_landing": "Hard landing", "se": "± error",
                 "largest": "Largest", "chip_base": f"{first} chip revenue (%)",
                 "chip_growth": f"{second} chip growth"})


#: The drivers table's shares of the width (:func:`aicompute.tables.to_markdown`): its signposts' names wrap to two
#: lines so that its short number headers have room for their words, set ragged in print (``tables.show(ragged=True)``;
#: justified they broke mid-word: 'Read-ings', 'land-ing', 'rev-enue').
DRIVERS_WIDTHS = {"Signpost": 34, "± error": 12}

#: What the drivers table's columns measure (:func:`drivers_table`), for its caption: the units kept out of its headers.
DRIVERS_NOTE = ("each signpost's readings summed, each reading's shift measured on top of all the others (negative: "
                "towards the boom path). Hard landing: the summed shift in points, ± its Monte Carlo error; largest: "
                "the largest shift of any ending by a single one of its readings, either way, in points; chip "
                "revenue and growth: the same readings' shifts of the paths' first-year chip revenue (in %) and of "
                "the second year's growth from it (in points)")
