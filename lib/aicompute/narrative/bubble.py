"""Wording of the bubble chapter (04_bubble_debate): the scorecard's bands and levels, lists of data rows and the
chart titles whose wording depends on the evidence.

The models (:mod:`aicompute.bubble`, :mod:`aicompute.headlines`) return numbers and codes; these functions say
them. Numbers in prose go through :func:`aicompute.formatting.fmt` (tagged), text from the data through
:func:`aicompute.formatting.quote` (escaped); chart titles use :func:`aicompute.formatting.plain`.
"""

from __future__ import annotations

import pandas as pd

from aicompute.formatting import fmt, plain, plain_range, quote

#: The words for each band code of :func:`aicompute.bubble.band`.
BAND_WORDS = {"calm": "calm", "elevated": "elevated", "hot": "bubble-like"}


#: The words for each code of :func:`aicompute.bubble.peak_position` (the readings to date taken together).
PEAK_WORDS = {"below": "below the 2000 peaks, not near them",
              "level": "on a par with the 2000 peaks, not beyond them",
              "beyond": "beyond the 2000 peaks"}
#: The same codes for one reading's range against its own peak (:func:`aicompute.bubble.range_position`).
RANGE_WORDS = {"below": "below the peak even at the top of its range",
               "level": "a range that straddles the peak",
               "beyond": "beyond the peak even at the bottom of its range"}
#: The same codes in a chart title.
PEAK_TITLE_WORDS = {"below": "below the 2000 peaks", "level": "level with the 2000 peaks", "beyond": "beyond the 2000 peaks"}


def range_phrase(position: str, ratio: float) -> str:
    """One reading against its peak: where its range lies (a :func:`aicompute.bubble.range_position` code) and,
    where the range straddles it, which side its central reading (``ratio`` = now / then) falls on."""
    if position != "level":
        return RANGE_WORDS[position]
    side = "above" if ratio > 1 else "below" if ratio < 1 else "at"
    return f"{RANGE_WORDS[position]}, its central reading {side} it"


def peaks_view(lfl: pd.DataFrame) -> pd.DataFrame:
    """:func:`aicompute.bubble.peak_comparison`'s table for readers: plain headers, the ratio to two decimals and each
    row's position in words (:func:`range_phrase`, with the side its central reading falls on), not a code."""
    return pd.DataFrame({"Measure": lfl["measure"], "Peak": lfl["then"], "Peak, % of GDP": lfl["then %"],
                         "Now": lfl["now"], "Now, % of GDP": lfl["now %"],
                         "Its range": [plain_range(lo, hi, spec=".2f") for lo, hi in zip(lfl["low %"], lfl["high %"])],
                         "Now / peak": lfl["now / then"].round(2),
                         "Where the range lies": [range_phrase(p, r) for p, r in zip(lfl["position"], lfl["now / then"])]})


def peaks_title(code: str, guidance: str | None = None, guidance_ratio: float | None = None) -> str:
    """The peaks chart's title: spending to date against the 2000 peaks (a :func:`aicompute.bubble.peak_position`
    code) and, where given, what the ``guidance`` year's guidance would be against telecom's peak."""
    title = f"On the same measures, spending to date is {PEAK_TITLE_WORDS[code]}"
    if guidance is None or guidance_ratio is None:
        return title
    return f"{title}; {guidance} guidance would be {plain(guidance_ratio, 'x', '.2f')} telecom's"


def band(code: str) -> str:
    """The words for a band code ("hot" -> "bubble-like")."""
    return BAND_WORDS[code]


def band_span(low: str, high: str) -> str:
    """Whether two totals (their band codes, cooler first) share a band: "all in one band (elevated)" or
    "not all in one band (calm to elevated)"."""
    if low == high:
        return f"all in one band ({band(low)})"
    return f"not all in one band ({band(low)} to {band(high)})"


def levels_phrase(card: pd.DataFrame, tol: float = 0.01) -> str:
    """How many indicators sit at either end, in words that agree with the counts: "1 of 9 indicators is at or
    beyond its hot level, 2 at or below their calm level" (a score within ``tol`` of 1 or 0 counts)."""
    hot, calm, n = int((card["score"] >= 1 - tol).sum()), int((card["score"] <= tol).sum()), len(card)
    return (f"{fmt(hot)} of {fmt(n)} indicator{'' if n == 1 else 's'} {'is' if hot == 1 else 'are'} at or beyond "
            f"{'its' if hot == 1 else 'their'} hot level, {fmt(calm)} at or below {'its' if calm == 1 else 'their'} calm level")


def company_ratios(cs: pd.DataFrame) -> str:
    """Each company's capex as a share of its operating cash flow: "Alphabet 70%; Amazon 95%" (``cs`` from
    :func:`aicompute.finance.capital_structure`)."""
    return "; ".join(f"{quote(r.company)} {fmt(r.capex_to_ocf, '%', '.0f')}" for r in cs.itertuples())


#: The capex bases of :func:`aicompute.finance.capital_structure`, as a reader reads them.
CAPEX_BASIS = {"cash": "cash", "leases": "incl. leases", "mixed": "mixed"}


def quarter(period: object) -> str:
    """A calendar period as read: '2026Q1' -> 'Q1 2026', 'TTM to 2026Q1' -> '12 months to Q1 2026'; other text as is."""
    text = str(period)
    if text.startswith("TTM to "):
        return f"12 months to {quarter(text[7:])}"
    return f"{text[4:]} {text[:4]}" if len(text) == 6 and text[4] == "Q" else text


def cashflow_period(calendar: object, fiscal: object) -> str:
    """A cash-flow period in calendar terms, the company's own label after it where its fiscal year is not the
    calendar year: ('2026Q1', 'FY26 Q3') -> 'Q1 2026 (FY26 Q3)'; ('2026Q1', 'Q1 2026') -> 'Q1 2026'."""
    if calendar is None or pd.isna(calendar):
        return str(fiscal)
    return quarter(calendar) + (f" ({fiscal})" if str(fiscal).startswith("FY") else "")


def basis_words(basis: str, cs: pd.DataFrame) -> str:
    """One like-for-like basis of :func:`aicompute.bubble.capex_to_ocf_bases` in words, with its period (the
    companies' common calendar period; a company whose period differs named after it): 'trailing twelve months
    to Q1 2026', 'full years 2025 (Microsoft's Jul 2024-Jun 2025)', 'Q1 2026 × 4'; 'latest' lists each company's."""
    if basis == "latest":
        return "each company's latest period, annualised (" + ", ".join(
            f"{r.company} {cashflow_period(r.calendar_period, r.period)}" for r in cs.itertuples()) + ")"
    periods = cs["calendar_period"].astype(str)
    common = periods.mode().iloc[0]
    odd = [f"{r.company}'s {quarter(r.calendar_period)}" for r in cs.itertuples() if str(r.calendar_period) != common]
    head = {"trailing": f"trailing twelve months to {quarter(common.removeprefix('TTM to '))}",
            "full_year": f"full years {common}", "quarter": f"{quarter(common)} × 4"}[basis]
    return head + (f" ({'; '.join(odd)})" if odd else "")


def basis_label(central: str, bases: dict[str, pd.DataFrame]) -> str:
    """The published label of capex over operating cash flow: the central basis in words, and the like-for-like
    bases the range spans (:func:`basis_words`)."""
    others = [basis_words(b, cs) for b, cs in bases.items() if b != central]
    if central == "latest":
        return ("the hyperscalers' capex as a share of their operating cash flow, not yet on one basis: "
                f"{basis_words(central, bases[central])}, cash capex")
    return ("the four hyperscalers' capex as a share of their operating cash flow, all four on one basis: "
            f"{basis_words(central, bases[central])}, cash capex"
            + (f"; the range spans the same ratio on {' and on '.join(others)}" if others else ""))


def basis_table(ratios: pd.DataFrame, bases: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The like-for-like bases as shown (``ratios`` from :func:`aicompute.bubble.basis_ratios`): basis in words,
    capex and operating cash flow (USD bn a year, the four summed) and the ratio (%)."""
    return pd.DataFrame({"basis (all four companies)": [basis_words(b, bases[b]) for b in ratios["basis"]],
                         "capex, USD bn a year": ratios["capex"].to_numpy(),
                         "operating cash flow, USD bn a year": ratios["operating_cash_flow"].to_numpy(),
                         "capex / operating cash flow, %": ratios["capex_to_ocf"].to_numpy()})


def cashflow_table(cs: pd.DataFrame, total: dict) -> pd.DataFrame:
    """The hyperscalers' cash-flow table as shown: each company (:func:`aicompute.finance.capital_structure`) with
    its period in calendar terms (:func:`cashflow_period`), and a last row 'Total'
    (:func:`aicompute.finance.capital_structure_total`), capex bases in words."""
    shown = cs.assign(period=[cashflow_period(c, f) for c, f in zip(cs.get("calendar_period", [None] * len(cs)), cs["period"])])
    tot = {"company": "Total", "period": "sum of the four, a year", "months": 12, **total}
    out = pd.concat([shown, pd.DataFrame([tot])], ignore_index=True) if len(cs) else shown
    out = out.drop(columns=[c for c in ("calendar_period", "source_id") if c in out])
    return out.assign(capex_basis=out["capex_basis"].map(CAPEX_BASIS).fillna(out["capex_basis"]))


def customer_shares(nv: pd.DataFrame) -> str:
    """Nvidia's largest customers: "Customer A 16% of revenue (Q2 FY26); ..."."""
    return "; ".join(f"{quote(r.customer)} {fmt(r.share, '%', '.0f')} of revenue ({quote(r.period)})" for r in nv.itertuples())


def adoption_list(adoption: pd.DataFrame) -> str:
    """Adoption readings: "share of firms using AI (Feb 2024): 5%; ..." (``measure``, ``date``, ``value``)."""
    return "; ".join(f"{quote(r.measure[0].lower() + r.measure[1:])} ({fmt(r.date, spec='%b %Y')}): {fmt(r.value, '%', '.0f')}"
                     for r in adoption.itertuples())


def multiples_title(mult: pd.DataFrame) -> str:
    """The valuation chart's title: the labs' range of multiples against Cisco's at the 2000 peak (the first row)."""
    cisco = plain(mult["value"].iloc[0], "x", ".0f")
    if len(mult) < 2:
        return f"Cisco was valued at {cisco} revenue at the 2000 peak"
    labs = mult["value"].iloc[1:]
    return (f"Leading AI labs are valued at {plain_range(labs.min(), labs.max(), 'x', '.0f')} run-rate revenue, "
            f"against Cisco's {cisco} at the 2000 peak")


def scorecard_title(card: pd.DataFrame, total: float, band_code: str) -> str:
    """The scorecard chart's title: the total and its band, how many signals are at their hot level, the coolest."""
    hot = int((card["score"] >= 0.99).sum())
    coolest = card.loc[card["score"].idxmin(), "label"]
    return (f"Scorecard {plain(total, '/100', '.0f')} ({band(band_code)}): {hot} of {len(card)} signals at their hot level; "
            f"coolest: {coolest}")


def year_runs(runs: list[tuple[int, int]]) -> str:
    """Runs of years as text: [(1989, 1994), (2001, 2001)] -> "1989–1994 and 2001" ("" when there are none)."""
    parts = [f"{a}–{b}" if a != b else str(a) for a, b in runs]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 2 else parts)


def leave_one_out_table(loo: pd.DataFrame) -> pd.DataFrame:
    """:func:`aicompute.bubble.leave_one_out` (with each indicator's ``label``) for the reader, the largest fall
    first: the total out of 100 and the change in points, both to one decimal ('−5.8', '0.0', '+1.5'), never three
    significant figures of a difference ('0.00805' beside '−5.8')."""
    shown = loo.sort_values("change")
    return pd.DataFrame({"indicator dropped": shown["label"],
                         "total (of 100)": [plain(x, spec=".1f") for x in shown["total"]],
                         "change (points)": [plain(x, spec="+.1f") for x in shown["change"]]})


#: The memory cycle's metrics (data/memory_cycle.csv, ``metric``) in words.
MEMORY_METRICS = {"memory_revenue": "memory revenue", "total_semis_revenue": "chip revenue, all semiconductors",
                  "memory_growth": "memory revenue growth", "total_semis_growth": "chip revenue growth",
                  "company_revenue": "company revenue", "operating_profit": "operating profit",
                  "hbm_revenue": "HBM revenue", "dram_contract_price_change": "DRAM contract price change",
                  "nand_contract_price_change": "NAND contract price change",
                  "memory_share_of_growth": "memory's share of the growth"}


def memory_table(mem: pd.DataFrame) -> pd.DataFrame:
    """data/memory_cycle.csv for the reader: each metric in words (:data:`MEMORY_METRICS`; an unknown code with
    spaces, never as code), a period such as '2026Q1' as 'Q1 2026'."""
    return mem.assign(metric=[MEMORY_METRICS.get(m, str(m).replace("_", " ")) for m in mem["metric"]],
                      period=[quarter(p) for p in mem["period"]])


def guidance_ratio_label(year: int) -> str:
    """The published label of capex guidance over operating cash flow: the guidance is on the companies' own, partly
    lease-inclusive bases, over the trailing cash flow; its range is the guidance's own low and high."""
    return (f"the four hyperscalers' {year} capex guidance, on the companies' own, partly lease-inclusive bases, "
            "as a share of the same trailing operating cash flow as the capex ratio; range: the guidance's own low "
            "and high over that cash flow")


def estimate_sentence(year: int, estimate: float | None) -> str:
    """UBS's own ratio as a cross-check on another basis (its capex estimate over its own cash-flow estimate), kept
    out of the range; empty without it."""
    if not estimate:
        return ""
    return (f"UBS puts its own {year} ratio at {fmt(estimate, '%', '.0f')}, its capex estimate over its own estimate "
            "of the cash flow: a cross-check on another basis, not part of this range.")
