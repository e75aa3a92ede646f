"""Wording of the infrastructure chapter (02_infrastructure): the words for the verdicts of
:mod:`aicompute.verdicts` and the lists of data the prose names. Numbers go through
:func:`aicompute.formatting.fmt`; text from data is quoted
(:func:`aicompute.formatting.quote`: escaped and tagged)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from aicompute import finance
from aicompute.formatting import and_list, fmt, fmt_range, plain, quote

#: The words for :func:`aicompute.verdicts.rent_position`.
RENT_WORDS = {"margin": "a margin for the owner", "break-even": "about the owner break-even, little margin",
              "below cost": "below the owner cost at this cost of capital"}


def rent_position(position: str) -> str:
    """What a rent position (:data:`aicompute.verdicts.RENT_POSITIONS`) means for the owner."""
    return RENT_WORDS[position]


def pair(a: str, b: str) -> str:
    """'Microsoft–OpenAI': the two parties of a contract, escaped."""
    return quote(f"{a}–{b}")


def pairs(rows: pd.DataFrame, left: str = "provider", right: str = "customer") -> str:
    """'Microsoft–OpenAI, Oracle–Meta': the parties of each row (:func:`pair`)."""
    return ", ".join(pair(a, b) for a, b in zip(rows[left], rows[right]))


def order_reading(plausible: bool) -> str:
    """What a GPU count bought by the whole order (read as GPUs alone) says, by whether its site power per GPU is
    plausible (:func:`aicompute.verdicts.plausible_site_kw`)."""
    return ("inside the plausible band: the site could run that many GPUs" if plausible else
            "outside the plausible band: the order pays for networking, storage and the rest of the build, not for "
            "more GPUs")


#: Whether revenue per GW pays a contract's rent on every reading of its GW (see :func:`own_covers`).
COVER_ON_READINGS = {("short", "short"): "short of it on every reading", ("covers", "covers"): "enough for it on every reading",
                     ("short", "covers"): "short or enough depending on the reading"}


def own_covers(own: pd.DataFrame) -> str:
    """'Oracle 0.79× (0.79–0.95×), short of it on every reading; ...': each of OpenAI's contracts
    (:func:`aicompute.headlines.revenue_to_rent_on_contracts`), its revenue over rent at the central reading of its
    GW, the range over the readings, and whether revenue pays the rent on all of them."""
    return "; ".join(
        f"{quote(r.provider)} {fmt(r.ratio, 'x', '.2f')} ({fmt_range(r.ratio_low, r.ratio_high, 'x', '.2f')}), "
        f"{COVER_ON_READINGS[(finance.rent_cover(r.ratio_low), finance.rent_cover(r.ratio_high))]}"
        for r in own.itertuples())


def rejected_counts(rejected: pd.DataFrame) -> str:
    """What the published GPU-count range leaves out (:func:`aicompute.infra.plausible_count_range`'s ``rejected``):
    'left out: <reading>, 847,000 GPUs at 1.4 kW each' per reading, or 'no count left out'."""
    if rejected.empty:
        return "no count left out"
    return "left out: " + and_list([f"{quote(r.reading)}, {fmt(round(r.count, -3), 'GPUs', ',.0f')} at "
                                    f"{fmt(r.site_kw_per_gpu, 'kW', '.1f')} each" for r in rejected.itertuples()])


def missing_terms(rows: pd.DataFrame) -> str:
    """'A–B and C–D (no GW), E–F (no term)': the parties of each contract (:func:`pairs`) grouped by what it leaves
    out of a rent per GW-year (``gw`` and/or ``term_years`` missing)."""
    gw, term = rows["gw"].isna(), rows["term_years"].isna()
    groups = [("no GW or term", gw & term), ("no GW", gw & ~term), ("no term", ~gw & term)]
    parts = [f"{and_list([pair(a, b) for a, b in zip(rows.loc[m, 'provider'], rows.loc[m, 'customer'])])} ({what})"
             for what, m in groups if m.any()]
    return ", ".join(parts)


def booked_lives(booked: pd.DataFrame) -> str:
    """'Alphabet 6, Amazon 5, ...': each company and the server life it books (years)."""
    return ", ".join(f"{quote(c)} {fmt(y, spec='g')}" for c, y in zip(booked["company"], booked["years"]))


def observed_prices(observed: pd.DataFrame) -> str:
    """'H100 on-demand 2.99; ...': median observed rental prices by GPU and contract (USD per GPU-hour)."""
    if observed.empty:
        return "no rental price observation is in the evidence yet"
    return "; ".join(f"{quote(r.gpu)} {quote(r.contract)} {fmt(r.usd_per_gpu_hour, spec='.2f')}" for r in observed.itertuples())


def site_status(*, operating: float | None = None, buildings: float | None = None, operating_date: dt.date | None = None,
                operational_gw: float | None = None, operational_date: dt.date | None = None,
                full_build_year: float | None = None) -> str:
    """How far a site is built, from what is known: buildings running (Oracle), GW in operation (satellite
    tracking), else the year it is due for completion."""
    if operating is not None:
        parts = [f"Oracle said {fmt(operating, spec='.0f')} of the {fmt(buildings, spec='.0f')} buildings were running "
                 f"in {fmt(operating_date, spec='%B %Y')}"]
    else:
        parts = [f"the campus was due for completion only in {fmt(full_build_year, spec='.0f')}"]
    if operational_gw is not None:
        parts.append(f"satellite tracking put about {fmt(operational_gw, 'GW', '.1f')} in operation in "
                     f"{fmt(operational_date, spec='%B')}")
    return "; ".join(parts)


def breakeven_title(*, ref_kind: str | None, ref_price: float | None, payback: float | None, breakeven: float,
                    chip_life: float) -> str:
    """The break-even chart's title: the payback at the reference rental price, or that it never pays back,
    or (no price observed) the price it needs."""
    if payback:
        return f"At the {ref_kind} rate of {plain(ref_price, 'USD', '.2f')} an hour, an H100 pays back in {plain(payback, 'years', '.1f')}"
    if ref_price:
        return f"At {plain(ref_price, 'USD', '.2f')} an hour an H100 never pays back"
    return f"An H100 must rent for {plain(breakeven, 'USD', '.2f')} an hour to pay back over {plain(chip_life, 'years', '.0f')}"
