"""The front page's own wording: what the words mean (the seed and the four endings) and how the odds fit together.

:mod:`aicompute.summary` assembles the page from the published results and the data (it finds the figures and
escapes text from the data); these functions word them. Every argument is Markdown already escaped or a figure
already formatted.
"""

from __future__ import annotations

from collections.abc import Mapping


def definitions(seed: str, pct: Mapping[str, str]) -> str:
    """One-line definitions of the seed (``seed``: its citation link, with its date) and the four endings, as a
    Markdown list; ``pct``: the endings' thresholds from data/scenario_drivers.csv, formatted ('20%'), by id.
    The endings' names are the model's (:data:`aicompute.scenarios.model.LABELS`), spelt as every chart and table
    spells them."""
    from aicompute.scenarios.model import LABELS as name

    return "\n".join([
        f"- **The seed**: the trade-press analysis this report tests ({seed}),"
        " which argued that the next 24 months decide between a credit-driven crash and a soft landing.",
        f"- **{name['hard_landing']}**: in the window's second year chip revenue falls at least {pct['ending_hard_chip_fall']} "
        f"below the first year, or hyperscaler capex at least {pct['ending_hard_capex_fall']}, or a credit event "
        "strikes and capex falls. A year here is a calendar-year total; the seed reads its window December over "
        "December, which moves the odds, and each ending's range covers both readings.",
        f"- **{name['muddle_through']}**: neither a hard landing nor a soft one: growth stalls without a collapse.",
        f"- **{name['soft_landing']}**: capex still grows at least {pct['ending_soft_capex_growth']} and chip revenue falls by "
        f"less than {pct['ending_soft_chip_floor']}, without the boom's pace.",
        f"- **{name['continued_boom']}**: capex still grows at least {pct['ending_boom_capex_growth']} and chip revenue at least "
        f"{pct['ending_boom_chip_growth']} in the second year.",
    ])


def reconcile(bust_label: str, bust: str, hard_label: str, hard: str, chip: str, capex: str) -> str:
    """The paragraph that sets the chance that a bust begins (``bust``, labelled ``bust_label``) and the signposts'
    warnings beside the hard-landing odds (``hard``): a bust that begins late or stays mild is not a hard landing,
    which needs chip revenue ``chip`` (or capex ``capex``) below the first year's."""
    return (f"**How the odds fit together.** {bust_label} on **{bust}** of the paths, yet the {hard_label} has only "
            f"**{hard}**: a bust that begins late in the window, or stays mild, does not leave the second year's total "
            f"chip revenue {chip} below the first's (or capex {capex} below), which is what the hard landing counts. A "
            "signpost crossing its warning line (the table above) is a step towards stress, not an ending: several "
            "can warn on paths that still end softly.")


def warning_line(direction: str, threshold: str, origin: str = "") -> str:
    """A signpost's warning line as the watch table shows it: 'above 881'. Where the line is a past reading of the
    series (``origin``: its period, labelled) it says which, so a reading of that period below the line is not
    read as a mismatch: 'above 881, the Dec 2025 peak'; a line crossed from above is that period's low."""
    if not origin:
        return f"{direction} {threshold}"
    return f"{direction} {threshold}, the {origin} {'peak' if direction == 'above' else 'low'}"
