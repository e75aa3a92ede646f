"""Wording of chapter 03 (finance): the cash model's burn, runways, guidance figures, like-for-like headlines.

The models (:mod:`aicompute.finance`, :mod:`aicompute.headlines`) return numbers and rule codes; these functions
say them. Numbers go through :func:`aicompute.formatting.fmt` (tagged for prose) or :func:`plain` (titles,
legends); text from data is quoted (:func:`aicompute.formatting.quote`: escaped and tagged).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from aicompute import finance
from aicompute.formatting import and_list, fmt, number, plain, quote

#: The words for :func:`aicompute.finance.rent_cover`.
RENT_COVER_WORDS = {"short": "short of the rent alone, before power, staff or the chips OpenAI buys itself",
                    "covers": "enough for the rent, with the rest left for power, staff and the chips OpenAI buys itself"}
#: The words for :func:`aicompute.finance.capex_cover`.
CAPEX_COVER_WORDS = {"beyond cash": "more than the cash the businesses generate: the difference is borrowed, leased or raised",
                     "within cash": "within the cash the businesses generate"}


def burn_phrase(model: pd.DataFrame, total: str, unit: str = "USD bn") -> str:
    """The cash model's burn (:func:`aicompute.finance.burn_profile`) in words: "it burns <total> in total and at
    most N <unit> before cash flow turns positive in <year>", or, where cash flow is still negative in the last
    year, "... and cash flow is still negative in <year> (-N <unit>)": the peak cumulative burn is then not a peak.
    ``model``: a :func:`~aicompute.finance.cash_model` frame; ``total``: the total burn already formatted."""
    p = finance.burn_profile(model)
    if p["shape"] == "still negative":
        return (f"it burns {total} in total, and cash flow is still negative in {p['last_year']} "
                f"({fmt(p['last_cash_flow'], unit, '.0f')})")
    if p["shape"] == "always positive":
        return f"cash flow is positive in every year ({total} of burn in total)"
    return (f"it burns {total} in total and at most {fmt(p['peak'], unit, '.0f')} before cash flow turns "
            f"positive in {p['turn_year']}")


def year_label(t: float | None, horizon: int | None = None) -> str:
    """A runway's date (a decimal year, :func:`aicompute.finance.runway`) as its calendar month, by the one
    formatter the published result uses (:func:`aicompute.formatting.number`, spec 'month'), at the precision it
    is published with (:data:`aicompute.finance.RUNWAY_DECIMALS`): 2028.29 -> 'April 2028'; None -> 'beyond
    <horizon>'."""
    if t is None or math.isinf(t):
        return f"beyond {horizon}" if horizon else "beyond the horizon"
    return number(round(t, finance.RUNWAY_DECIMALS), "month")


def guidance_basis(basis: tuple[int, int] | str) -> str:
    """What a guidance figure is: (quarter, year) of the results it came with -> 'company guidance after Q1 2026'
    (:func:`aicompute.finance.big4_capex_2026`'s ``basis``); text passes as it is."""
    if isinstance(basis, str):
        return basis
    q, y = basis
    return f"company guidance after Q{q} {y}"


def guidance_note(basis: tuple[int, int] | str, value: float, compilation: float | None = None) -> str:
    """What a guidance figure is, for a parenthesis: its ``basis`` (:func:`guidance_basis`), and where a
    compilation gives another figure, which way it goes ("company guidance after Q1 2026; compilations give up
    to 725")."""
    words = guidance_basis(basis)
    if compilation is None or round(compilation) == round(value):
        return words
    return f"{words}; compilations give {'up to' if compilation > value else 'as little as'} {fmt(compilation, spec='.0f')}"


def rent_cover_phrase(ratio: float) -> str:
    """What revenue over rent means (:func:`aicompute.finance.rent_cover`): below 1 the revenue does not even pay
    the rent."""
    return RENT_COVER_WORDS[finance.rent_cover(ratio)]


def capex_cover_phrase(share: float) -> str:
    """Capex as a share (%) of operating cash flow, in words (:func:`aicompute.finance.capex_cover`)."""
    return CAPEX_COVER_WORDS[finance.capex_cover(share)]


def series_label(metric: str, kind: str, basis: str) -> str:
    """A legend label that keeps bases apart, e.g. 'revenue (recognized, leak)'."""
    return f"{metric.replace('_', ' ')} ({kind}, {basis})"


def amounts(names: Iterable[str], values: Iterable[float], unit: str = "USD bn", spec: str = ".0f") -> str:
    """'equity 250 USD bn; loan 38 USD bn': each name from the data (quoted) with its amount (formatted)."""
    return "; ".join(f"{quote(n)} {fmt(v, unit, spec)}" for n, v in zip(names, values))


def reconciliation(plan: dict, on_plan: pd.DataFrame, ours: pd.DataFrame, base: pd.Series, hsbc: dict,
                   funds: float) -> pd.DataFrame:
    """The cash model next to OpenAI's projections and HSBC's model, one row per quantity (USD bn, '' where a
    source gives none) with why they differ. ``plan``: revenue and burn by year, compute (or None), the contracted
    part of it and the plan's label; ``on_plan``/``ours``: the cash model (indexed by year) on the plan's revenue and
    in our case; ``base``: our case's :func:`~aicompute.finance.case_summary` row; ``hsbc``:
    :func:`~aicompute.finance.hsbc_reproduction` with HSBC's ``revenue_2030``, ``users_2030`` (millions) and
    ``contracted_gw``; ``funds``: cash and firm commitments."""
    rev, burn, compute = plan["revenue"], plan["burn"], plan["compute"]
    plan_need, on_plan_need = finance.funding_need(burn.dropna()), finance.funding_need(on_plan["burn"])
    burn_note = ("On the plan's revenue the model matches the plan's total (other costs calibrated to it)" if compute else
                 "These projections give burn only to 2029 and no compute total, so the model prices the contracts signed "
                 "since, which they predate")
    rows = [
        ("Revenue in 2030", rev[2030], on_plan["revenue"].get(2030), ours["revenue"].get(2030), hsbc["revenue_2030"],
         "Our case grows from today's run-rate at fading rates; the plan and HSBC assume faster adoption "
         f"(HSBC: {plain(hsbc['users_2030'] / 1e3, 'billion', '.0f')} users in 2030)."),
        ("Revenue 2026-2030", rev.sum(), on_plan["revenue"].sum(), ours["revenue"].sum(), None, "HSBC publishes only the 2030 level."),
        ("Compute 2026-2030", compute, on_plan["compute"].sum(), ours["compute"].sum(), hsbc["cum_compute_2030"],
         f"Ours = contracts ({plain(plan['contracted'], spec='.0f')}) + the uncontracted share of the plan, which shrinks "
         f"with revenue. HSBC rents all {plain(hsbc['contracted_gw'], 'GW', '.0f')} announced (chip agreements included) "
         "from late 2025, so it counts the chip deals on top of the clouds that house them."),
        ("Cumulative burn 2026-2030", burn.sum(), on_plan["burn"].sum(), ours["burn"].sum(),
         f"{plain(hsbc['cum_compute_2030'] - hsbc['cum_fcf_2030'], spec=',.0f')} (our arithmetic: "
         f"{plain(hsbc['cum_compute_2030'], spec=',.0f')} − {plain(hsbc['cum_fcf_2030'], spec=',.0f')})",
         burn_note + "; HSBC publishes no burn: its column is our arithmetic, HSBC's compute cost less its 'free cash "
         "flow' (whose definition is not public), over HSBC's window from late 2025 to 2030, not 2026-2030."),
        ("Peak funding need", plan_need, on_plan_need, base["funding_need"], None,
         "The yearly split differs: the model follows the contracts' windows, not OpenAI's own phasing."),
        ("Still to raise after funds", max(0.0, plan_need - funds), max(0.0, on_plan_need - funds), base["funding_gap"],
         hsbc["reported_gap"],
         f"Funds here: {plain(funds, 'USD bn', '.0f')} (cash and firm commitments). HSBC nets "
         f"{plain(hsbc['other_sources'], 'USD bn', '.1f')} of other funds and reports {plain(hsbc['reported_gap'], spec='.0f')}; "
         f"rebuilt from its inputs its gap is {plain(hsbc['naive_gap'], spec='.1f')} (see below)."),
        ("Cash flow in 2030", -burn[2030] if pd.notna(burn[2030]) else None, on_plan["cash_flow"].get(2030),
         ours["cash_flow"].get(2030), None, "HSBC: not profitable by 2030 (no figure published)."),
    ]
    out = pd.DataFrame(rows, columns=["quantity (USD bn)", plan["label"], "model on the plan's revenue", "model, our case",
                                      "HSBC (Nov 2025)", "why they differ"])
    for col in out.columns[1:5]:
        out[col] = out[col].map(lambda x: x if isinstance(x, str) else "n/a" if x is None or x != x else plain(x, spec=",.0f"))
    return out


def assumed_terms(contracts: pd.DataFrame) -> str:
    """'Microsoft (7 years) and CoreWeave (5 years)': each contract's party (quoted) with the term the schedule
    assumes for it."""
    return and_list([f"{quote(p)} ({fmt(y, 'years', '.0f')})" for p, y in zip(contracts["to_party"], contracts["years"])])


def deals_table(contracts: pd.DataFrame, not_counted: pd.DataFrame) -> pd.DataFrame:
    """OpenAI's compute deals as the chapter shows them: the binding contracts the take-or-pay schedule counts,
    then the deals it leaves out (housed in those contracts or in the uncontracted part of the plan)."""
    both = pd.concat([contracts.assign(counted="yes"),
                      not_counted.assign(counted="no: housed in the contracts or the uncontracted plan")])
    return (both.assign(start_year=both["start_year"].astype(int).astype(str))
            [["to_party", "flow", "status", "value", "start_year", "years", "years_basis", "basis", "counted", "source_id"]]
            .rename(columns={"to_party": "with", "value": "USD bn", "years_basis": "term from", "basis": "value from"}))


#: Each line of Sequoia's AI revenue base (:func:`aicompute.finance.sequoia_lines`): its name and a note on what is
#: counted (``{as_of}`` and ``{share}`` are filled from the line's reading).
SEQUOIA_LINE_WORDS = {
    "openai": ("OpenAI (net of partner shares)", "run-rate, {as_of}"),
    "anthropic": ("Anthropic (restated net of cloud partners' share)",
                  "gross run-rate, {as_of}; less {share} that is the clouds' revenue"),
    "anthropic_cloud_share": ("Cloud partners' share of Anthropic's sales",
                              "counted once here: AWS's line counts at zero and Google Cloud's AI revenue is not disclosed"),
    "microsoft_ai": ("Microsoft AI business less OpenAI's Azure spend",
                     "run-rate, {as_of}; less OpenAI's Azure inference bill to {overlap_as_of}, annualised (an "
                     "earlier period), which OpenAI pays from revenue counted above"),
    "aws_ai": ("AWS AI services (Anthropic's spend inside, not separable)",
               "counted at zero: the part that is Anthropic's compute bill is not disclosed"),
    "google_cloud_ai": ("Google Cloud AI (Gemini API, Vertex AI)", "Alphabet reports Google Cloud's revenue, not its AI part"),
    "meta_ai": ("Meta AI", "Meta's AI earns through its ads; no AI revenue line is reported"),
    "xai": ("xAI", "xAI discloses no revenue"),
}


def sequoia_lines(base: pd.DataFrame) -> pd.DataFrame:
    """Sequoia's AI revenue base (:func:`aicompute.finance.sequoia_lines`) with each line's name and note
    (:data:`SEQUOIA_LINE_WORDS`) in place of its key."""
    def month(d) -> str:
        return plain(d, spec="%B %Y") if d is not None and d == d else ""

    def note(r) -> str:
        return SEQUOIA_LINE_WORDS[r.line][1].format(as_of=month(r.as_of), share=plain(r.overlap_share, spec=".0%"),
                                                    overlap_as_of=month(getattr(r, "overlap_as_of", None)))

    return base.assign(note=[note(r) for r in base.itertuples()], line=base["line"].map(lambda k: SEQUOIA_LINE_WORDS[k][0]))
