"""The bubble scorecard and analog helpers.

Each indicator scores 0 at its ``calm`` level and 1 at its ``hot`` level (linear, clipped); the thresholds
(``data/scorecard_thresholds.csv``) are our assumptions, each with its anchor (a historical analog or a published
benchmark); the weights are parameters of the chapter, and random weights and leave-one-out show how much the
verdict depends on them. An input enters with an evidence factor from the claims ledger (:func:`ledger_weight`):
a figure the audit could not verify at weight 0, one it found only partly right at half weight.

Like for like: a quantity is compared with a past peak only when both use the same measure (same numerator
and denominator), e.g. US investment against US GDP for telecom in 2000 and for now (:func:`like_for_like`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aicompute.finance import capital_structure


@dataclass(frozen=True)
class Threshold:
    """How one indicator is scored: 0 at ``calm``, 1 at ``hot``; ``anchor`` says where the levels come from."""

    key: str
    label: str
    side: str  # supply, demand, valuation, financing
    unit: str
    calm: float
    hot: float
    direction: str  # "higher" or "lower" is more bubble-like
    anchor: str

    def __post_init__(self) -> None:
        if self.direction not in ("higher", "lower"):
            raise ValueError(f"{self.key}: direction must be 'higher' or 'lower'")
        if (self.hot > self.calm) != (self.direction == "higher") or self.hot == self.calm:
            raise ValueError(f"{self.key}: hot ({self.hot}) and calm ({self.calm}) contradict direction '{self.direction}'")


def load_scorecard(table: pd.DataFrame) -> tuple[Threshold, ...]:
    """The scorecard's indicators and thresholds from the ``scorecard_thresholds`` table (our assumptions,
    each with its anchor and, where there is one, the anchor's source): ``ev.table("scorecard_thresholds")``."""
    return tuple(Threshold(r.id, r.label, r.side, r.unit, float(r.calm), float(r.hot), r.direction, r.anchor)
                 for r in table.itertuples(index=False))


def normalize(value: float, calm: float, hot: float) -> float:
    """0 at ``calm``, 1 at ``hot``, linear between, clipped to [0, 1] (works in either direction)."""
    if hot == calm:
        raise ValueError("calm and hot must differ")
    return float(np.clip((value - calm) / (hot - calm), 0.0, 1.0))


def scorecard(values: Mapping[str, float | tuple[float, float, float]], weights: Mapping[str, float] | None = None,
              spec: tuple[Threshold, ...] = (), evidence: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Score each indicator in ``spec`` that has a value. ``values[key]`` = value or (value, low, high).

    ``evidence[key]`` in [0, 1] scales the indicator's weight (:func:`ledger_weight`; 1 when absent).
    Columns: key, label, side, value, low, high, calm, hot, direction, score, score_low, score_high (the
    calm and hot ends of the range), evidence, weight (normalised to sum 1) and contribution (weight x score x 100).
    """
    rows = []
    for t in spec:
        if t.key not in values:
            continue
        v = values[t.key]
        val, lo, hi = (v, v, v) if np.isscalar(v) else v  # type: ignore[misc]
        s = [normalize(x, t.calm, t.hot) for x in (val, lo, hi)]
        rows.append({"key": t.key, "label": t.label, "side": t.side, "unit": t.unit, "value": val, "low": lo,
                     "high": hi, "calm": t.calm, "hot": t.hot, "direction": t.direction, "score": s[0],
                     "score_low": min(s), "score_high": max(s), "evidence": float((evidence or {}).get(t.key, 1.0)),
                     "raw_weight": 1.0 if weights is None else float(weights.get(t.key, 0.0))})
    card = pd.DataFrame(rows)
    if card.empty or card["raw_weight"].sum() <= 0:
        raise ValueError("the scorecard needs at least one indicator with a positive weight")
    if not card["evidence"].between(0, 1).all():
        raise ValueError("evidence factors must be in [0, 1]")
    card["raw_weight"] = card["raw_weight"] * card["evidence"]
    if card["raw_weight"].sum() <= 0:
        raise ValueError("every indicator with a positive weight has evidence 0")
    card["weight"] = card["raw_weight"] / card["raw_weight"].sum()
    card["contribution"] = card["weight"] * card["score"] * 100
    return card.drop(columns="raw_weight")


def total_score(card: pd.DataFrame, column: str = "score", weights: np.ndarray | None = None) -> float:
    """Weighted total on 0-100 (0 = every indicator calm, 100 = every indicator hot)."""
    w = card["weight"].to_numpy() if weights is None else np.asarray(weights)
    return float(100 * np.dot(w / w.sum(), card[column].to_numpy()))


def score_range(card: pd.DataFrame) -> tuple[float, float]:
    """The total with every input at the calm end, and at the hot end, of its range."""
    return total_score(card, "score_low"), total_score(card, "score_high")


def weight_sensitivity(card: pd.DataFrame, n: int = 2000, seed: int = 0, concentration: float = 1.0) -> pd.Series:
    """Totals under ``n`` random weight vectors (Dirichlet(``concentration``)): the spread the weights alone cause."""
    rng = np.random.default_rng(seed)
    draws = rng.dirichlet(np.full(len(card), concentration), size=n)
    if "evidence" in card:  # an input the ledger does not stand behind keeps its reduced weight
        draws = draws * card["evidence"].to_numpy()
        draws = draws / draws.sum(axis=1, keepdims=True)
    return pd.Series(100 * draws @ card["score"].to_numpy(), name="total")


def leave_one_out(card: pd.DataFrame) -> pd.DataFrame:
    """The total with each indicator dropped (others re-weighted): which indicator moves the verdict most."""
    rows = []
    for i, key in enumerate(card["key"]):
        w = card["weight"].to_numpy().copy()
        w[i] = 0.0
        rows.append({"dropped": key, "total": total_score(card, weights=w) if w.sum() > 0 else float("nan")})
    out = pd.DataFrame(rows)
    out["change"] = out["total"] - total_score(card)
    return out


def ledger_weight(verdict: str | None, value: float | None = None, seed_value: float | None = None) -> float:
    """How much of its weight an input keeps, from the claims-ledger verdict on the figure it uses.

    unverified -> 0 (no source stands behind it); contradicted -> 0 and partly -> 0.5 when the input is the
    seed's own figure (``value`` equals ``seed_value`` or no corrected value is known), 1 when the ledger's
    corrected value is used; confirmed, misattributed (right figure, wrong source) or no verdict -> 1.
    """
    if verdict is None or (isinstance(verdict, float) and np.isnan(verdict)) or verdict in ("confirmed", "misattributed"):
        return 1.0
    if verdict == "unverified":
        return 0.0
    corrected = value is not None and seed_value is not None and not pd.isna(seed_value) and value != seed_value
    if verdict in ("contradicted", "partly"):
        return 1.0 if corrected else (0.0 if verdict == "contradicted" else 0.5)
    raise ValueError(f"unknown verdict {verdict!r}")


@dataclass(frozen=True)
class Measure:
    """A ratio with its definition: ``value`` (percent or multiple) = ``numerator`` / ``denominator``."""

    label: str
    numerator: str
    denominator: str
    value: float


#: Claims-ledger verdicts under which a quote is not shown as a statement (the audit found no such statement).
QUOTE_NOT_SHOWN = ("unverified", "contradicted")


def debate_map(quotes: pd.DataFrame, claims: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the debate's ``quotes`` into those shown as statements and those held back.

    A quote linked to a claims-ledger row (``claim_id``) whose verdict is one of :data:`QUOTE_NOT_SHOWN` is
    held back: the audit could not find the statement (or found it contradicted), so it is not shown as a
    fact. Both frames get ``verdict`` and ``reason`` from the ledger (empty where the quote links no claim or
    the claim has no verdict). Returns ``(shown, held_back)``.
    """
    led = claims.set_index("id")[["verdict", "reason"]]
    linked = quotes["claim_id"].where(quotes["claim_id"].isin(led.index)) if "claim_id" in quotes else None
    out = quotes.copy()
    out["verdict"] = linked.map(led["verdict"]) if linked is not None else None
    out["reason"] = linked.map(led["reason"]) if linked is not None else None
    held = out["verdict"].isin(QUOTE_NOT_SHOWN)
    return out[~held].reset_index(drop=True), out[held].reset_index(drop=True)


def like_for_like(then: Measure, now: Measure) -> float:
    """``now.value / then.value``, only if both measure the same thing (same numerator and denominator)."""
    if (then.numerator, then.denominator) != (now.numerator, now.denominator):
        raise ValueError(f"not like for like: '{then.label}' is {then.numerator} / {then.denominator}, "
                         f"'{now.label}' is {now.numerator} / {now.denominator}")
    if then.value <= 0:
        raise ValueError(f"'{then.label}': the past value must be positive")
    return now.value / then.value


def us_share_of_gdp(amount_bn: float, us_share: float, gdp_tn: float) -> float:
    """The US part (``us_share``, a fraction) of a worldwide amount (USD bn) as a percentage of US GDP (USD tn)."""
    if not 0 < us_share <= 1:
        raise ValueError(f"us_share must be a fraction in (0, 1], got {us_share}")
    return share_of_gdp(amount_bn * us_share, gdp_tn)


def us_share_of_gdp_range(amount_bn: float, us_share: float, us_share_low: float, gdp_tn: float) -> tuple[float, float, float]:
    """(central, low, high) of :func:`us_share_of_gdp` over the US share only (``us_share_low`` to 1), all on the
    same GDP: the high end (all of it in the US) is the worldwide amount over US GDP, :func:`share_of_gdp`."""
    return (us_share_of_gdp(amount_bn, us_share, gdp_tn), us_share_of_gdp(amount_bn, us_share_low, gdp_tn),
            share_of_gdp(amount_bn, gdp_tn))


def growth_split(total_then: float, total_now: float, part_share: float) -> dict[str, float]:
    """Split a market's growth (``total_now - total_then``) into a segment's part (``part_share``, percent of
    the growth) and the rest."""
    growth = total_now - total_then
    part = growth * part_share / 100
    return {"growth": growth, "part": part, "rest": growth - part, "rest_growth_pct": 100 * (growth - part) / total_then}


#: The scorecard's bands, coolest first (codes: :mod:`aicompute.narrative.bubble` says them in words).
BANDS = ("calm", "elevated", "hot")


def band(total: float) -> str:
    """The band of a 0-100 total, a code of :data:`BANDS`: "calm" below 100/3, "elevated" up to 200/3, "hot" above."""
    return BANDS[0] if total < 100 / 3 else BANDS[1] if total <= 200 / 3 else BANDS[2]


def share_of_gdp(amount_bn: float, gdp_tn: float) -> float:
    """``amount_bn`` (USD bn) as a percentage of ``gdp_tn`` (USD tn)."""
    if gdp_tn <= 0:
        raise ValueError("gdp_tn must be positive")
    return 100 * amount_bn / (gdp_tn * 1e3)


def _triple(row: pd.Series) -> tuple[float, float, float]:
    v = float(row["value"])
    lo, hi = row.get("low"), row.get("high")
    return v, float(v if pd.isna(lo) else lo), float(v if pd.isna(hi) else hi)


def _ratio(num: tuple[float, float, float], den: tuple[float, float, float], scale: float = 1.0) -> tuple[float, float, float]:
    """(value, low, high) of num/den x scale, low = low/high and high = high/low."""
    return num[0] / den[0] * scale, num[1] / den[2] * scale, num[2] / den[1] * scale


def _latest_pair(g: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """The latest valuation row and the latest run-rate row of one entity's rows ``g``; None without both."""
    val = g[g["indicator"] == "valuation"].sort_values("date")
    rev = g[g["indicator"] == "revenue_run_rate"].sort_values("date")
    return (val.iloc[-1], rev.iloc[-1]) if len(val) and len(rev) else None


def valuation_multiples(ind: pd.DataFrame, analogs: pd.DataFrame) -> pd.DataFrame:
    """Valuation / revenue (value, low, high) for Cisco at its 2000 peak and, for each lab in ``ind`` with both,
    its latest valuation over its latest run-rate revenue (rows already filtered to the as-of date)."""
    a = {i: _triple(row) for i, row in analogs.set_index("id").iterrows()}
    rows = [("Cisco, Mar 2000 (peak)", _ratio(a["dotcom_cisco_value"], a["dotcom_cisco_revenue"]))]
    for entity, g in ind[ind["indicator"].isin(["valuation", "revenue_run_rate"])].groupby("entity", sort=True):
        if pair := _latest_pair(g):
            rows.append((f"{entity}, {pair[0]['period']}", _ratio(_triple(pair[0]), _triple(pair[1]))))
    return pd.DataFrame([{"company": n, "value": x[0], "low": x[1], "high": x[2]} for n, x in rows])


#: Evidence factor for an input whose source its own critics dispute (MIT's 95% "no return" figure): half weight,
#: with the critics' reading as the other end of its range.
CONTESTED = 0.5


def lab_mix_multiple(ind: pd.DataFrame, labs: tuple[str, ...] = ("OpenAI", "Anthropic"),
                     net_share: Mapping[str, float] | None = None) -> dict | None:
    """Valuation over run-rate revenue for a mix of labs, all on one revenue basis: the sum of their latest
    valuations over the sum of their latest run-rates (rows already filtered to the as-of date), each run-rate net
    of the share ``net_share[lab]`` that its cloud partners book as their own revenue (a lab that reports net, or
    is not in ``net_share``, keeps its run-rate). None when no lab has both figures.

    Returns value (the labs together, net), low and high, the labs used and ``readings``: every reading of the
    multiple a reader meets (the labs together and each lab alone, net and gross; each a (value, low, high) triple
    from the rows' ranges); low and high span all of them, so the range holds each lab alone and the gross reading.
    """
    share = dict(net_share or {})
    pairs: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {}
    for entity in labs:
        g = ind[(ind["entity"] == entity) & ind["indicator"].isin(["valuation", "revenue_run_rate"])
                & (ind.get("kind", pd.Series("actual", index=ind.index)) == "actual")]
        if pair := _latest_pair(g):
            pairs[entity] = (_triple(pair[0]), _triple(pair[1]))
    if not pairs:
        return None

    def run_rate(entity: str, gross: bool) -> tuple[float, float, float]:
        keep = 1.0 if gross else 1.0 - share.get(entity, 0.0)
        v, lo, hi = pairs[entity][1]
        return v * keep, lo * keep, hi * keep

    def total(triples: list[tuple[float, float, float]]) -> tuple[float, float, float]:
        return sum(t[0] for t in triples), sum(t[1] for t in triples), sum(t[2] for t in triples)

    readings = {("together", basis): _ratio(total([pairs[e][0] for e in pairs]),
                                            total([run_rate(e, basis == "gross") for e in pairs]))
                for basis in ("net", "gross")}
    readings |= {(e, basis): _ratio(pairs[e][0], run_rate(e, basis == "gross")) for e in pairs for basis in ("net", "gross")}
    value = readings[("together", "net")][0]
    return {"value": value, "low": min(r[1] for r in readings.values()), "high": max(r[2] for r in readings.values()),
            "labs": tuple(pairs), "readings": readings}


# ------------------------------------------------------------------------------ the chapter's steps, as numbers
#: The four largest US hyperscalers, whose capex the chapter sums.
BIG4 = ("Amazon", "Alphabet", "Meta", "Microsoft")


def big4_capex(ind: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The four hyperscalers' capex rows of the ``indicators`` table (with ``year``: the period without "FY"), the
    latest-dated per company and period (a raised guidance replaces the earlier one), and their summed capex by
    period (the ``capex_big4*`` rows, as published: actuals and guidance)."""
    rows = ind[(ind["indicator"] == "capex") & ind["entity"].isin(BIG4)].copy()
    rows = rows.sort_values("date", kind="stable").drop_duplicates(["entity", "period"], keep="last").sort_index()
    rows["year"] = rows["period"].str.replace("FY", "")
    return rows, ind[ind["id"].str.startswith("capex_big4")].set_index("period")["value"]


def capex_path(total: pd.Series, end: tuple[str, float] | None = None) -> dict[str, object]:
    """From the first period of ``total`` (capex by period) to ``end`` (period, value; default: its last
    period): start_year, start, end_year, end and multiple (end / start)."""
    end_year, end_value = end if end is not None else (total.index[-1], float(total.iloc[-1]))
    start = float(total.iloc[0])
    return {"start_year": str(total.index[0]), "start": start, "end_year": str(end_year), "end": float(end_value),
            "multiple": float(end_value) / start}


def latest_year_with(rows: pd.DataFrame, years: object) -> pd.Series:
    """The newest row of ``rows`` (by ``date``) whose ``period`` (a year) is one of ``years``: the latest capex
    year for which a GDP figure is known. Raises ValueError when none is."""
    wanted = {int(y) for y in years}  # type: ignore[union-attr]
    match = rows[rows["period"].astype(int).isin(wanted)].sort_values("date")
    if match.empty:
        raise ValueError(f"no row for any of the years {sorted(wanted)}")
    return match.iloc[-1]


#: The national-accounts measure both peaks are compared on, and the sector measure.
IT_INVESTMENT = "US investment in information-processing equipment and software"
SECTOR_CAPEX = "a sector's capex in the US"


def peak_comparison(analogs: pd.DataFrame, capex_us: tuple[float, float, float], year: int,
                    guidance_us: tuple[float, float, float] | None = None, guidance_year: int | None = None) -> pd.DataFrame:
    """Today against the 2000 peaks on the same measures (:func:`like_for_like`): IT investment over US GDP
    (dot-com peak, now) and a sector's US capex over US GDP (telecom at its peak; the four hyperscalers' ``year``
    capex in the US, ``capex_us`` = (value, low, high) in %, and, where given, their ``guidance_year`` guidance on
    the same basis, ``guidance_us``). Columns: measure, then, then %, now, now %, low %, high % (a point's own
    value where it has no range), now / then, and position (:func:`range_position` of the range against the peak)."""
    a, yr = analogs.set_index("id")["value"], analogs.set_index("id")["year"].astype(int)
    it = a["ai_it_invest_gdp_2025"]
    telecom = Measure(f"US telecom peak, {yr['telecom_capex_gdp_2000']}", SECTOR_CAPEX, "US GDP", a["telecom_capex_gdp_2000"])
    pairs = [(Measure(f"dot-com peak, {yr['dotcom_it_invest_gdp_2000']}", IT_INVESTMENT, "US GDP", a["dotcom_it_invest_gdp_2000"]),
              Measure(f"AI boom, {yr['ai_it_invest_gdp_2025']}", IT_INVESTMENT, "US GDP", it), (it, it)),
             (telecom, Measure(f"four hyperscalers, {year}, US share", SECTOR_CAPEX, "US GDP", capex_us[0]), capex_us[1:])]
    if guidance_us is not None:
        pairs.append((telecom, Measure(f"four hyperscalers, {guidance_year} guidance, US share", SECTOR_CAPEX, "US GDP",
                                       guidance_us[0]), guidance_us[1:]))
    return pd.DataFrame([{"measure": f"{t.numerator} / {t.denominator}", "then": t.label, "then %": t.value, "now": n.label,
                          "now %": n.value, "low %": lo, "high %": hi, "now / then": like_for_like(t, n),
                          "position": range_position(lo, hi, t.value)} for t, n, (lo, hi) in pairs])


def ratio_range(central: float, *others: float | None) -> tuple[float, float, float]:
    """(central, low, high): the range spans ``central`` and every other reading that is known (not None/0)."""
    known = [central, *[x for x in others if x]]
    return central, min(known), max(known)


#: How a cash-flow row may be known to count as a company's actual figures: its own statement, or the same figures as
#: reported by others (not an analyst's estimate, a leak or our assumption).
ACTUAL_BASES = ("company statement", "reported")


def latest_cash_flows(cashflows: pd.DataFrame, companies: tuple[str, ...], capex: str = "cash") -> pd.DataFrame:
    """Each company's latest period of actual figures (:data:`ACTUAL_BASES`) with operating cash flow and capex on
    the one basis ``capex`` ('cash' or 'leases'), annualised (:func:`aicompute.finance.capital_structure`): a
    quarter x 4, a trailing-twelve-month or full-year row as it is, the longer of two ending on the same day."""
    actual = cashflows[cashflows["company"].isin(companies) & cashflows["basis"].isin(ACTUAL_BASES)]
    return capital_structure(actual, capex=capex)


def _actual(cashflows: pd.DataFrame, companies: tuple[str, ...]) -> pd.DataFrame:
    """The rows of ``companies`` known as actual figures (:data:`ACTUAL_BASES`) with both cash flow and cash capex."""
    ok = cashflows["company"].isin(companies) & cashflows["basis"].isin(ACTUAL_BASES)
    return cashflows[ok].dropna(subset=["capex_cash", "operating_cash_flow"])


def full_year_rows(cashflows: pd.DataFrame, companies: tuple[str, ...], year: int) -> pd.DataFrame | None:
    """Each company's twelve-month row whose period ends in ``year`` (its fiscal year where that is not the
    calendar year); None unless every company has one, so a ratio over them is always like for like."""
    rows = _actual(cashflows, companies)
    rows = rows[(rows["months"] == 12) & (pd.to_datetime(rows["period_end"]).dt.year == year)]
    rows = rows.drop_duplicates("company", keep="last")
    return rows if set(rows["company"]) == set(companies) else None


def full_year_capex_to_ocf(cashflows: pd.DataFrame, companies: tuple[str, ...], year: int) -> float | None:
    """Capex as a % of operating cash flow over the same companies' full years (:func:`full_year_rows`), cash
    capex over cash flow; None unless every company has such a row with both figures."""
    rows = full_year_rows(cashflows, companies, year)
    return None if rows is None else float(100 * rows["capex_cash"].sum() / rows["operating_cash_flow"].sum())


def same_end_rows(cashflows: pd.DataFrame, companies: tuple[str, ...], months: int) -> pd.DataFrame | None:
    """Each company's latest row of ``months`` months (12: trailing twelve months or a year; 3: a quarter); None
    unless every company has one and all end on the same day, so the companies are on one basis."""
    rows = _actual(cashflows, companies)
    rows = rows[rows["months"] == months].sort_values("period_end").drop_duplicates("company", keep="last")
    if set(rows["company"]) != set(companies) or pd.to_datetime(rows["period_end"]).nunique() != 1:
        return None
    return rows


#: The bases of :func:`capex_to_ocf_bases`, the central one first: trailing twelve months (no seasonality), the
#: full years ending in one year, the latest quarter x 4 (a quarter's seasonality x 4); last, only where none of
#: those has every company, each company's latest period annualised (periods that may differ: not like for like).
BASES = ("trailing", "full_year", "quarter", "latest")


def central_basis(bases: Mapping[str, pd.DataFrame]) -> str:
    """The first basis of :data:`BASES` that :func:`capex_to_ocf_bases` found (trailing twelve months where every
    company has them to one day); ValueError if none."""
    for b in BASES:
        if b in bases:
            return b
    raise ValueError("central_basis: no basis with every company on it")


def capex_to_ocf_bases(cashflows: pd.DataFrame, companies: tuple[str, ...], year: int) -> dict[str, pd.DataFrame]:
    """The companies' capex and operating cash flow on each basis of :data:`BASES` on which all of them have
    actual figures, every company on the same one: {basis: :func:`aicompute.finance.capital_structure` frame (cash
    capex, annualised)}. 'trailing': each one's latest twelve months, all ending on one day; 'full_year': the
    twelve months ending in ``year``; 'quarter': the latest quarter x 4, all ending on one day. Where none of these
    has every company (early in a year, before all have reported), only 'latest': :func:`latest_cash_flows`."""
    rows = {"trailing": same_end_rows(cashflows, companies, 12), "full_year": full_year_rows(cashflows, companies, year),
            "quarter": same_end_rows(cashflows, companies, 3)}
    found = {b: capital_structure(r, capex="cash") for b, r in rows.items() if r is not None}
    return found or {"latest": latest_cash_flows(cashflows, companies, capex="cash")}


def basis_ratios(bases: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per basis of :func:`capex_to_ocf_bases`: basis, capex, operating_cash_flow (USD bn a year, the
    four summed) and capex_to_ocf (%), and the periods (each company's own label, 'Company: period; ...')."""
    out = []
    for basis, cs in bases.items():
        capex, ocf = float(cs["capex"].sum()), float(cs["operating_cash_flow"].sum())
        out.append({"basis": basis, "periods": "; ".join(f"{r.company}: {r.period}" for r in cs.itertuples()),
                    "capex": capex, "operating_cash_flow": ocf, "capex_to_ocf": 100 * capex / ocf})
    return pd.DataFrame(out, columns=["basis", "periods", "capex", "operating_cash_flow", "capex_to_ocf"])


def installed_stock(revenue_bn: float, compute_share: float, usd_per_h100e: float, stock_start_m: float) -> dict[str, float]:
    """What a year of data-centre revenue adds to the installed stock, in million H100-equivalents: ``added``
    (revenue x compute share / the price a buyer pays per H100e, :func:`aicompute.bottomup.units_bought`),
    ``stock`` (start + added) and ``growth`` over the year."""
    from aicompute.bottomup import stock_growth, units_bought

    added = units_bought(revenue_bn, compute_share, usd_per_h100e)
    return {"added": added, "stock": stock_start_m + added, "growth": stock_growth(stock_start_m, stock_start_m + added, 1.0)}


def year_average(start: Mapping[str, float], end: Mapping[str, float]) -> dict[str, float]:
    """A capacity's average over a year in which it rises steadily from ``start`` (its level as the year opens) to
    ``end`` (as it closes), at each end of a range (``{end: level}``, the same keys): ``(start + end) / 2``. A
    year's output is this average x 12 months, not the closing run-rate x 12."""
    if set(start) != set(end):
        raise ValueError(f"year_average: start {sorted(start)} and end {sorted(end)} need the same keys")
    return {k: (start[k] + end[k]) / 2 for k in end}


def packaging_ceilings(wafers_k: Mapping[str, float], per_wafer: float, kw_per_gpu: float, pue: float) -> dict[str, dict[str, float]]:
    """:func:`aicompute.bottomup.packaging_ceiling` at each end of a CoWoS capacity (``{end: thousand wafers a
    month}``)."""
    from aicompute.bottomup import packaging_ceiling

    return {end: packaging_ceiling(w * 1e3, per_wafer, kw_per_gpu, pue=pue) for end, w in wafers_k.items()}


#: Debt rows already counted in another row (id -> the row that includes it): left out when that row is present.
INCLUDED_IN = {"googl_notes_2026_02": "googl_notes_2026q1_total"}


def debt_wall(debt: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the ``debt_maturities`` table into debt with a due year (``year`` as text) and debt without one,
    leaving out leases and rows that another present row includes (:data:`INCLUDED_IN`)."""
    counted = debt["id"].map(lambda i: INCLUDED_IN.get(i) in set(debt["id"]))
    is_debt = ~debt["instrument"].str.contains("lease") & ~counted
    wall = debt[is_debt & debt["year"].notna()].assign(year=lambda d: d["year"].astype(int).astype(str))
    return wall, debt[is_debt & debt["year"].isna()]


def claims_frame(claims: Mapping[str, object], label: str) -> pd.DataFrame:
    """One row per known claim of ``{row label: claim or None}`` (claims not yet published left out), in order:
    ``label``, USD bn (the value), low, high, as of, basis, source."""
    return pd.DataFrame([{label: k, "USD bn": c.value, "low": c.range[0], "high": c.range[1], "as of": c.as_of,  # type: ignore[attr-defined]
                          "basis": c.basis, "source": c.source_id} for k, c in claims.items() if c is not None],  # type: ignore[attr-defined]
                        columns=[label, "USD bn", "low", "high", "as of", "basis", "source"])


def present_runs(years: object) -> list[tuple[int, int]]:
    """The runs of consecutive years present in ``years``, as (first, last) pairs: what an annual series covers
    (``[1987, 1988, 1995, 1996]`` -> ``[(1987, 1988), (1995, 1996)]``)."""
    runs: list[tuple[int, int]] = []
    for y in sorted({int(y) for y in years}):  # type: ignore[union-attr]
        if runs and y == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], y)  # the run goes on
        else:
            runs.append((y, y))
    return runs


def missing_years(years: object) -> list[tuple[int, int]]:
    """The runs of years absent between the first and the last of ``years``, as (first, last) pairs: the gaps in
    an annual series (``[1987, 1988, 1995]`` -> ``[(1989, 1994)]``), between its :func:`present_runs`."""
    runs = present_runs(years)
    return [(a[1] + 1, b[0] - 1) for a, b in zip(runs, runs[1:])]


#: Where today sits against the 2000 peaks (codes of :func:`range_position`; words in :mod:`aicompute.narrative.bubble`).
PEAK_POSITIONS = ("below", "level", "beyond")


def range_position(low: float, high: float, peak: float, tol: float = 0.1) -> str:
    """Where a reading's range (``low``..``high``; a point: both the same) sits against a ``peak``: "below" if even
    its high end is more than ``tol`` (a share of the peak) under it, "beyond" if even its low end is more than
    ``tol`` over it, else "level" (the range straddles the peak or comes within ``tol`` of it)."""
    if low > high or peak <= 0 or tol < 0:
        raise ValueError(f"range_position: need low <= high, a positive peak and tol >= 0, got {low}, {high}, {peak}, {tol}")
    if high < peak * (1 - tol):
        return PEAK_POSITIONS[0]
    return PEAK_POSITIONS[2] if low > peak * (1 + tol) else PEAK_POSITIONS[1]


def peak_position(positions: object) -> str:
    """Several readings' positions (:func:`range_position` codes) as one: "beyond" if any is beyond its peak,
    "below" if every one is below, else "level"."""
    p = [str(x) for x in positions]  # type: ignore[attr-defined]
    if not p or not set(p) <= set(PEAK_POSITIONS):
        raise ValueError(f"peak_position needs positions among {PEAK_POSITIONS}, got {p}")
    if PEAK_POSITIONS[2] in p:
        return PEAK_POSITIONS[2]
    return PEAK_POSITIONS[0] if set(p) == {PEAK_POSITIONS[0]} else PEAK_POSITIONS[1]
