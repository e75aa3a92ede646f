"""The chapters' charts: one function per figure, taking the frames the chapter computed and returning the
Altair chart without its title. The chapter adds the title (it states the finding, with the chapter's
numbers) and shows it with :func:`aicompute.charts.show`, which adds the source line::

    chart = figures.infra.rent(rents, refs)
    charts.show(chart.properties(title=alt.TitleParams(title, subtitle=...)), sources=..., name="fig-infra-rent", ev=ev)

One module per chapter (``figures.audit``, ``figures.chips``, ``figures.infra``); the house theme, sizing and
source lines stay in :mod:`aicompute.charts`.
"""

from __future__ import annotations

import pandas as pd


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The events the evidence sweep found for a chapter (:meth:`aicompute.evidence.Evidence.changes_since_seed`)
    as the table a chapter shows: published, event, what the chapter makes of it, source."""
    return pd.DataFrame({
        "published": changes["event_date"].dt.date,
        "event": changes["event"],
        "what this chapter makes of it": changes["bears_on"],
        "source": changes["source_id"],
    }).reset_index(drop=True)
