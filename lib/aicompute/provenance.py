"""How first-hand the evidence is: the share of the readings the scenario model uses that come from a primary
source (the company's release or filing, a trade body's own release, an index provider's series) rather than
a summary, newsletter or aggregator.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: The share of modelled readings that must be primary (issue 22).
TARGET = 0.8


@dataclass(frozen=True)
class Share:
    """``primary`` of ``total`` readings are primary; ``secondary``: the ids of the others."""

    primary: int
    total: int
    secondary: tuple[str, ...]

    @property
    def share(self) -> float:
        return self.primary / self.total if self.total else float("nan")


def primary_share(readings: pd.DataFrame) -> Share:
    """Primary readings among ``readings`` (columns ``id``, ``source_class``)."""
    bad = sorted(set(readings["source_class"]) - {"primary", "secondary"})
    if bad:
        raise ValueError(f"source_class: expected 'primary' or 'secondary', got {bad}")
    prim = readings["source_class"] == "primary"
    return Share(int(prim.sum()), len(readings), tuple(readings.loc[~prim, "id"]))

