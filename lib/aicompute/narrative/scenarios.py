"""Chapter 05's wording: the models in :mod:`aicompute.scenarios` return numbers and tables; these functions turn
them into the words the chapter shows (numbers through :mod:`aicompute.formatting`).

* :func:`probability`, :func:`odds_with_error`, :func:`odds_range`: a probability for prose, with its Monte Carlo
  error or its range;
* :func:`projection_text`, :func:`predictive_flag`: the posterior predictive check's projections and flags;
* :func:`drivers_clause`: why the hard landing moved (the signposts whose readings moved it most);
* :func:`dial_name`: a dial of the structural range in words.
"""

from __future__ import annotations

import pandas as pd

from aicompute.formatting import fmt, fmt_range, significant

__all__ = ["probability", "odds_with_error", "odds_range", "projection_text", "predictive_flag", "drivers_clause",
           "dial_name", "setting_name", "DIALS", "READER_DIAL_LABELS", "READER_VALUE_LABELS"]


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
    "credit_event_hazard_bust": "the credit-event hazard in a bust", "hazard_slope": "the hazard slope",
    "floor": "the error floors", "evidence_weight": "the evidence weight", "base_rate": "the base rate",
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
    """'the boom's cooling hazard at its high end', 'the bear preset', 'endings read December over December'."""
    if dial == "window":
        return DIALS["window"]
    if dial == "preset":
        return f"the {end} preset"
    if dial == "central":
        return "the central setting"
    return f"{dial_name(dial)} at its {end} end"


def _num(x: float, sig: int = 4) -> str:
    """A number for a table or a sentence: ``sig`` significant figures, thousands separated (1,914; 15.2; 30)."""
    return significant(float(x), sig)


def projection_text(publisher: str, value: float, low: float, high: float) -> str:
    """'Company guidance (Q1 2026 results): 710 (685–725)': a projection as the predictive check lists it, with the
    stated range it counts with when that range reaches beyond the value (``low``/``high`` as
    :func:`predictive_check` reads them: missing ends are the value)."""
    text = f"{publisher}: {_num(value)}"
    if low < value or high > value:
        text += f" ({_num(low)}–{_num(high)})"
    return text


def predictive_flag(median: float, side: str, lowest: float, highest: float, projections: int) -> str:
    """The clause that words a flag of :func:`predictive_check` (``side``: 'below' or 'above'):

    * several projections: 'the median (766) is below every published projection (882–1,400)';
    * one projection, or several of one value: 'the median (1,671) is below the one published projection, 1,914'
      ('... all 3 published projections, each 1,000');
    * the median gets one more significant figure until it no longer reads as the projection it is compared with
      (29.6 against 30, not 30 against 30); if six figures still read alike it is 'at' the projection.
    """
    bound = lowest if side == "below" else highest
    shown = _num(bound)
    sig = 3
    while _num(median, sig) == shown and sig < 6:
        sig += 1
    med = _num(median, sig)
    rel = "at" if med == shown else side
    if projections == 1:
        return f"the median ({med}) is {rel} the one published projection, {shown}"
    if _num(lowest) == _num(highest):
        return f"the median ({med}) is {rel} all {projections} published projections, each {shown}"
    return f"the median ({med}) is {rel} every published projection ({_num(lowest)}–{_num(highest)})"


def drivers_clause(by_series: pd.DataFrame, lowered: int = 3, raised: int = 2, min_shift: float = 0.005) -> str:
    """Why the hard landing moved, from :func:`series_influence`: the ``lowered`` signposts whose readings together
    lowered it most and the ``raised`` that raised it most, each with its summed shift in points (shifts under
    ``min_shift`` are left out)."""
    def pts(v: float) -> str:
        return f"{100 * v:+.1f}".replace("-", "−")

    down = by_series[by_series["hard_landing"] < -min_shift].head(lowered)
    up = by_series[by_series["hard_landing"] > min_shift].sort_values("hard_landing", ascending=False).head(raised)
    if not len(down):
        text = "no signpost's readings have lowered it much yet"
    else:
        text = ("the signposts whose readings together lowered it most ("
                + "; ".join(f"{n}, {pts(v)} points" if i == 0 else f"{n}, {pts(v)}"
                            for i, (n, v) in enumerate(zip(down["signpost"], down["hard_landing"])))
                + ") came in on the boom path")
    if len(up):
        text += (", while " if len(down) else "; ") + " and ".join(
            f"{n} ({pts(v)})" for n, v in zip(up["signpost"], up["hard_landing"])) + " raised it"
    return text
