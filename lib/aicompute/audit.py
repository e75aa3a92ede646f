"""Consistency arithmetic for the claims audit: do the seed's totals, ratios, windows and units hold?

Each check is a small pure function returning plain numbers, so tests can hand-check it; the
notebook (00_claims_audit) feeds them sourced values from the claims ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from aicompute.finance import cagr
from aicompute.formatting import with_range

#: Audit verdicts; "pending" marks a seed claim whose evidence was published after the as-of date.
VERDICTS = ["confirmed", "partly", "misattributed", "contradicted", "unverified", "pending"]


def multiple(start: float, end: float) -> float:
    """end / start (e.g. revenue 2 -> 20 is a 10x multiple)."""
    if start <= 0:
        raise ValueError(f"start must be positive, got {start}")
    return end / start


def cagr_pct(start: float, end: float, years: float) -> float:
    """Compound annual growth rate in percent (:func:`aicompute.finance.cagr` x 100)."""
    return cagr(start, end, years) * 100


def pct_change(old: float, new: float) -> float:
    """Percent change from old to new."""
    return (multiple(old, new) - 1) * 100


@dataclass(frozen=True)
class GrowthCheck:
    """A claimed 'x-fold in n years' against a sourced series."""

    claimed_multiple: float
    claimed_years: float
    actual_multiple: float
    actual_years: float
    claimed_cagr_pct: float
    actual_cagr_pct: float

    @property
    def multiple_holds(self) -> bool:
        """The multiple is within 10% of the series' multiple."""
        return abs(self.actual_multiple / self.claimed_multiple - 1) <= 0.10

    @property
    def window_holds(self) -> bool:
        return self.actual_years == self.claimed_years


def growth_check(claimed_multiple: float, claimed_years: float, start: float, end: float,
                 start_year: int, end_year: int) -> GrowthCheck:
    """Compare a claimed growth multiple and window with a sourced start/end series."""
    years = end_year - start_year  # a window between two year-end figures: 2023 -> 2025 is 2 years, not 3
    actual = multiple(start, end)
    return GrowthCheck(
        claimed_multiple=claimed_multiple, claimed_years=claimed_years, actual_multiple=actual,
        actual_years=years, claimed_cagr_pct=(claimed_multiple ** (1 / claimed_years) - 1) * 100,
        actual_cagr_pct=cagr_pct(start, end, years),
    )


def sum_check(parts: list[float], total: float, tolerance: float = 0.01) -> tuple[float, bool]:
    """(sum of parts, whether it matches total within a relative tolerance)."""
    s = float(sum(parts))
    return s, abs(s - total) <= tolerance * abs(total)


def verdict_counts(ledger: pd.DataFrame) -> pd.DataFrame:
    """Seed claims counted by chapter and verdict (tidy: chapter, verdict, count)."""
    seed = ledger[ledger["seed_text"].notna()]
    counts = seed.groupby(["chapter", "verdict"]).size().rename("count").reset_index()
    counts["verdict"] = pd.Categorical(counts["verdict"], categories=VERDICTS, ordered=True)
    return counts.sort_values(["chapter", "verdict"]).reset_index(drop=True)


def verdict_tally(seed: pd.DataFrame) -> dict[str, int]:
    """{verdict: number of seed claims} for every verdict of :data:`VERDICTS` (0 where none)."""
    counts = seed["verdict"].value_counts()
    return {k: int(counts.get(k, 0)) for k in VERDICTS}


def seed_ratios(seed: pd.DataFrame, label_chars: int = 160) -> pd.DataFrame:
    """The seed claims that give a number and have a sourced value, with ``ratio`` = sourced value / seed
    value and a ``label``: the statement, cut to ``label_chars`` characters and an ellipsis only when longer (the
    chart wraps it onto lines)."""
    numeric = seed[seed["value"].notna() & seed["seed_value"].notna() & (seed["seed_value"] != 0)].copy()
    numeric["ratio"] = numeric["value"] / numeric["seed_value"]
    statement = numeric["statement"].astype(str)
    numeric["label"] = statement.where(statement.str.len() <= label_chars, statement.str.slice(0, label_chars) + "…")
    return numeric


def indexed(levels: dict[str, list[float]], years: tuple[int, ...] | list[int]) -> pd.DataFrame:
    """Series given as {name: [level per year]} in long form (``year``, ``series``, ``level``) with ``index``:
    each level over its series' first level."""
    rows = [{"year": y, "series": name, "level": x} for name, xs in levels.items() for y, x in zip(years, xs)]
    out = pd.DataFrame(rows)
    out["index"] = out["level"] / out.groupby("series")["level"].transform("first")
    return out


def value_with_range(value: float | None, low: float | None, high: float | None) -> str:
    """'54 (52–56)'; just '54' where no range is recorded or the range is the value (:func:`with_range`); '' where
    there is no value."""
    return "" if value is None or value != value else with_range(value, low, high, spec="sig3")


def audit_table(ledger: pd.DataFrame) -> pd.DataFrame:
    """The seed claims as a readable table: claim, what the seed says, sourced value (range), verdict, reason."""
    seed = ledger[ledger["seed_text"].notna()].sort_values(["chapter", "id"])
    return pd.DataFrame({
        "chapter": seed["chapter"],
        "claim": seed["statement"],
        "seed says": seed["seed_text"],
        "sourced value": [value_with_range(v, lo, hi) + ("" if u == "event" or v != v else f" {u}")
                          for v, lo, hi, u in zip(seed["value"], seed["low"], seed["high"], seed["unit"])],
        "verdict": seed["verdict"],
        "reason": seed["reason"],
    }).reset_index(drop=True)


def corrections(ledger: pd.DataFrame, rel_tol: float = 0.05) -> pd.DataFrame:
    """Seed claims whose figure the report replaces: verdict not 'confirmed' and value differs from seed."""
    seed = ledger[ledger["seed_text"].notna() & ledger["value"].notna() & ledger["seed_value"].notna()]
    differs = (seed["value"] - seed["seed_value"]).abs() > rel_tol * seed["seed_value"].abs()
    out = seed[differs & (seed["verdict"] != "confirmed")]
    return out[["id", "chapter", "statement", "seed_value", "value", "low", "high", "unit", "verdict",
                "reason"]].reset_index(drop=True)
