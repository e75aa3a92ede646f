"""aicompute.narrative.scenarios: chapter 05's wording (the models return numbers)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from aicompute.formatting import tagged_numbers
from aicompute.narrative import scenarios as nar
from aicompute.scenarios import signposts as sg


def test_predictive_flag_words_one_projection_and_a_median_that_rounds_to_it() -> None:
    f = nar.predictive_flag
    assert f(766.2, "below", 882.0, 1400.0, 3) == "the median (766) is below every published projection (882–1,400)"
    assert f(1671.0, "below", 1914.0, 1914.0, 1) == "the median (1,671) is below the one published projection, 1,914"
    assert f(26.9, "above", 15.2, 15.2, 1) == "the median (26.9) is above the one published projection, 15.2"
    # a median of 29.6 shown as 30 would read 'below 30' against 30: it keeps its third figure
    assert f(29.63, "below", 30.0, 30.0, 1) == "the median (29.6) is below the one published projection, 30"
    # one more figure still, and 'at' when even six figures read alike
    assert f(1913.6, "below", 1914.0, 1914.0, 1) == "the median (1,913.6) is below the one published projection, 1,914"
    assert f(29.9999999, "below", 30.0, 30.0, 1) == "the median (30) is at the one published projection, 30"
    assert f(950.0, "below", 1000.0, 1000.0, 3) == "the median (950) is below all 3 published projections, each 1,000"


def test_the_verdicts_drivers_are_the_signposts_whose_readings_together_moved_the_hard_landing() -> None:
    infl = pd.DataFrame({"id": ["a1", "a2", "b1", "c1", "d1", "e1"],
                         "hard_landing": [-0.02, -0.015, -0.03, -0.004, 0.012, 0.02],
                         "largest": [0.02, 0.03, 0.036, 0.034, 0.012, 0.02]})
    rd = pd.DataFrame({"id": ["a1", "a2", "b1", "c1", "d1", "e1"], "series": ["a", "a", "b", "c", "d", "e"]})
    t = sg.series_influence(infl, rd, {"a": "Chip sales", "b": "Capex", "d": "Oracle CDS", "e": "IG spread"})
    # a's two readings together (-3.5 points) outrank b's single one (-3.0); c is unnamed and keeps its id
    assert list(t["series"]) == ["a", "b", "c", "d", "e"] and list(t["signpost"])[2] == "c"
    assert t.loc[0, "hard_landing"] == pytest.approx(-0.035) and t.loc[0, "readings"] == 2
    assert t.loc[0, "largest"] == 0.03
    assert nar.drivers_clause(t) == ("the signposts whose readings together lowered it most (Chip sales, −3.5 points; "
                                    "Capex, −3.0) came in on the boom path, while IG spread (+2.0) and Oracle CDS "
                                    "(+1.2) raised it")
    assert nar.drivers_clause(t[t["hard_landing"] > 0], raised=1) == (
        "no signpost's readings have lowered it much yet; IG spread (+2.0) raised it")


def test_a_signposts_shift_within_two_monte_carlo_errors_is_not_a_reason() -> None:
    """Each reading's error adds in quadrature over its signpost (a: sqrt(0.006^2 + 0.008^2) = 0.010); a summed shift
    within two errors (a: -3.5 points against 2 x 1.0; b: -3.0 against 2 x 2.0) is left out of the verdict's reasons,
    and the drivers table shows the error beside the shift."""
    infl = pd.DataFrame({"id": ["a1", "a2", "b1", "e1"], "hard_landing": [-0.02, -0.015, -0.03, 0.02],
                         "se": [0.006, 0.008, 0.02, 0.004], "largest": [0.02, 0.03, 0.036, 0.02]})
    rd = pd.DataFrame({"id": ["a1", "a2", "b1", "e1"], "series": ["a", "a", "b", "e"]})
    t = sg.series_influence(infl, rd, {"a": "Chip sales", "b": "Capex", "e": "IG spread"}).set_index("series")
    assert t.loc["a", "se"] == pytest.approx(0.010) and t.loc["b", "se"] == pytest.approx(0.02)
    assert list(t.columns[:4]) == ["signpost", "readings", "hard_landing", "se"]
    clause = nar.drivers_clause(t.reset_index())
    assert clause == ("the signpost whose readings together lowered it most (Chip sales, −3.5 points) came in on the "
                      "boom path, while IG spread (+2.0) raised it")
    shown = nar.drivers_table(t.reset_index()).set_index("Signpost")
    assert shown.loc["Capex", "± error"] == "2.0"


def test_the_verdict_says_when_the_readings_that_raised_it_did_so_by_lifting_the_base_year() -> None:
    infl = pd.DataFrame({"id": ["a1", "d1", "e1"], "hard_landing": [-0.02, 0.012, 0.02], "largest": [0.02, 0.012, 0.02],
                         "chip_base": [0.01, 0.03, 0.02], "chip_growth": [0.01, -0.02, -0.04]})
    rd = pd.DataFrame({"id": ["a1", "d1", "e1"], "series": ["a", "d", "e"]})
    t = sg.series_influence(infl, rd, {"a": "Capex", "d": "Monthly sales", "e": "Quarterly sales"})
    assert t.set_index("series").loc["e", "chip_growth"] == pytest.approx(-0.04)
    end = " raised it by lifting 2026's chip revenue more than 2027's, and a fall in 2027 is measured from 2026"
    assert nar.drivers_clause(t, year=2027).endswith("Quarterly sales (+2.0) and Monthly sales (+1.2)" + end)
    assert nar.drivers_clause(t).endswith("(+1.2) raised it")  # no year: no reason given
    # one raiser that did not lift the first year: no reason given for either
    mixed = t.assign(chip_base=t["chip_base"].where(t["series"] != "d", -0.01))
    assert nar.drivers_clause(mixed, year=2027).endswith("(+1.2) raised it")
    # the readings' summed shifts, in the drivers table
    shown = nar.drivers_table(t).set_index("Signpost")
    assert shown.loc["Quarterly sales", "first year's chip revenue (%)"] == "2.0"
    assert shown.loc["Quarterly sales", "second year's chip growth"] == "\u22124.0"
    # the headers are a few short words (the units in the caption: nar.DRIVERS_NOTE), the years named when given
    dated = nar.drivers_table(t, years=(2026, 2027))
    assert "2026 chip revenue (%)" in dated.columns and "2027 chip growth" in dated.columns
    assert all(len(c) <= 22 and max(len(w) for w in c.split()) <= 8 for c in dated.columns), list(dated.columns)
    assert "points" in nar.DRIVERS_NOTE and "%" in nar.DRIVERS_NOTE


def test_the_published_odds_keep_their_decimals_so_each_is_rounded_once_when_shown() -> None:
    """A range end of 3.46% published as 3.5 would show as '4%' (rounded twice) where the verdict, from the
    unrounded figure, said '3%'; kept to three decimals, every page shows '3%'."""
    from aicompute.formatting import plain

    names = {"hard_landing": "Hard landing", "soft_landing": "Soft landing"}
    keys = [*names, "continued_boom", "below_crash", "bust_any", "openai_unfunded", "credit_event", "memory_fall",
            *[f"prior_{e}" for e in names]]
    now, low, high = ({k: v for k in keys} for v in (0.066, 0.03461, 0.24))
    table = pd.DataFrame({f"prior_{e}": [0.1, 0.2] for e in names})
    out = nar.odds_results(now, low, high, {e: 0.004 for e in names}, table, names, (2026, 2027), 400.0)
    assert out["p_hard_landing"]["low"] == 3.461
    assert plain(out["p_hard_landing"]["low"], spec=out["p_hard_landing"]["fmt"]) == "3"
    assert nar.probability_plain(0.03461) == "3%"
    assert out["p_soft_or_boom"]["value"] == pytest.approx(13.2)  # soft landing + continued boom, 6.6 each
    assert "p_hard_landing_december" not in out  # no December-over-December setting in the table: nothing published


def test_the_seeds_december_reading_is_published_from_its_setting() -> None:
    """The hard landing read December over December is the 'window' setting's row of the settings table (0.2384 ->
    23.84, shown '24%'), published once for the verdict and the front page."""
    from aicompute.formatting import plain

    names = {"hard_landing": "Hard landing", "soft_landing": "Soft landing"}
    keys = [*names, "continued_boom", "below_crash", "bust_any", "openai_unfunded", "credit_event", "memory_fall",
            *[f"prior_{e}" for e in names]]
    now, low, high = ({k: v for k in keys} for v in (0.066, 0.03, 0.24))
    table = pd.DataFrame({"dial": ["central", "window", "hazard_slope"], "end": ["central", "december", "high"],
                          "hard_landing": [0.066, 0.2384, 0.1], **{f"prior_{e}": [0.1, 0.2, 0.3] for e in names}})
    res = nar.odds_results(now, low, high, {e: 0.004 for e in names}, table, names, (2026, 2027), 400.0)["p_hard_landing_december"]
    assert res["value"] == 23.84 and plain(res["value"], spec=res["fmt"]) == "24" and res["unit"] == "%"
    assert "December over December" in res["label"] and "2027" in res["label"] and res.get("headline") is None


def test_the_actual_results_alone_are_published_from_their_setting() -> None:
    """The odds on actual results alone (forecasts and guidance left out) are the 'readings' setting's row of the
    settings table, published once for the verdict and the front page: a soft landing or boom is that row's soft
    landing plus its continued boom, the hard landing its hard landing (in %, three decimals kept)."""
    names = {"hard_landing": "Hard landing", "soft_landing": "Soft landing"}
    keys = [*names, "continued_boom", "below_crash", "bust_any", "openai_unfunded", "credit_event", "memory_fall",
            *[f"prior_{e}" for e in names]]
    now, low, high = ({k: v for k in keys} for v in (0.066, 0.03, 0.24))
    table = pd.DataFrame({"dial": ["central", "readings", "sources"], "end": ["central", "actual", "primary"],
                          "hard_landing": [0.066, 0.0712, 0.05], "soft_landing": [0.5, 0.4123, 0.45],
                          "continued_boom": [0.3, 0.4011, 0.35], **{f"prior_{e}": [0.1, 0.2, 0.3] for e in names}})
    out = nar.odds_results(now, low, high, {e: 0.004 for e in names}, table, names, (2026, 2027), 400.0)
    row = table.set_index("dial").loc["readings"]
    soft, hard = out["p_soft_or_boom_actual_only"], out["p_hard_landing_actual_only"]
    assert soft["value"] == pytest.approx(100 * (row["soft_landing"] + row["continued_boom"]))
    assert hard["value"] == pytest.approx(100 * row["hard_landing"])
    assert soft["unit"] == hard["unit"] == "%" and soft.get("headline") is None and hard.get("headline") is None
    assert "actual results alone" in soft["label"] and "2027" in hard["label"]
    # no such setting in the table: nothing published (the verdict then says nothing of it)
    assert "p_hard_landing_actual_only" not in nar.odds_results(now, low, high, {e: 0.004 for e in names},
                                                                table[table["dial"] != "readings"], names,
                                                                (2026, 2027), 400.0)


def test_probabilities_in_words() -> None:
    assert tagged_numbers(nar.probability(0.0004)) == ["under 0.1%"]
    assert tagged_numbers(nar.probability(0.003)) == ["under 1%"]
    assert tagged_numbers(nar.probability(0.584)) == ["58%"]
    assert tagged_numbers(nar.odds_with_error(0.062, 0.0034)) == ["6%", "0.3"]
    assert tagged_numbers(nar.odds_range(0.47, 0.63)) == ["47–63%"]


def test_settings_in_words() -> None:
    assert nar.setting_name("hazard_boom_cooling", "high") == "the boom's cooling hazard at its high end"
    assert nar.setting_name("preset", "bear") == "the bear preset"
    assert nar.setting_name("floor", "low") == "the error floors at their low end"
    assert nar.setting_name("window", "december") == "endings read December over December"
    assert nar.setting_name("sources", "primary") == "primary readings only (secondary copies left out)"
    assert nar.dial_name("unknown_dial") == "unknown_dial"


def test_base_rate_and_periods_in_words() -> None:
    # the counts of tests/test_scenarios.py::test_base_rates_hand_counted: 1 of 3 years, 1 of 1 boom year
    text = nar.hazard_basis(1, 3, 1, 1, 0.05)
    assert tagged_numbers(text) == ["1", "3", "5%", "1", "1", "40%", "67%"]
    assert re.sub(r"<[^>]+>", "", text) == (
        "1 of 3 years was followed by a fall of 5% or more within two years; 1 of 1 boom year was (rates smoothed "
        "by Laplace's rule, then averaged: 40% and 67%)")
    assert nar.period_label("2026-02-01", "quarter", "Nvidia") == "Q1 FY27 (Feb–Apr 2026)"  # one label, table and text
    assert (nar.period_label("2026-02-01", "quarter", "Nvidia"), nar.period_label("2026-05-01", "month"),
            nar.period_label("2026-01-01", "year"), nar.period_label("2026-01-01", "quarter")) == (
        "Q1 FY27 (Feb–Apr 2026)", "May 2026", "2026", "Q1 2026")
    row = pd.Series({"kind": "actual", "revenue_basis": "run-rate gross", "source_class": "secondary"})
    assert nar.basis_label(row) == "actual, run-rate gross, secondary"
    assert nar.basis_label(row.replace("run-rate gross", float("nan"))) == "actual, secondary"


def test_the_base_rates_table_shows_shares_as_percentages() -> None:
    rates = pd.DataFrame({"fall": [0.05, 0.3], "years": [31, 31], "falls_any_year": [6, 0],
                          "share_any_year": [6 / 31, 0.0], "boom_years": [0, 0], "falls_second_year": [0, 0],
                          "share_second_year": [float("nan")] * 2, "falls_within_two": [0, 0],
                          "share_within_two": [float("nan")] * 2})
    table = nar.rates_table(rates)
    assert list(table["fall of at least"]) == ["5%", "30%"]
    assert list(table["share of years"]) == ["19%", "0%"]  # 6 / 31 = 0.194
    assert list(table["share (second year)"]) == ["", ""]  # no boom year: nothing to count
    assert list(table["years with that fall"]) == [6, 0]  # counts stay numbers


def test_base_rates_title_names_the_worst_fall_by_its_size() -> None:
    import pandas as pd

    growth = pd.DataFrame({"year": [2000, 2001, 2002], "growth": [36.8, -32.0, 1.3]})
    assert nar.base_rates_title(growth) == "Chip revenue fell in 1 of 3 years; the worst fall was 32% in 2001"


def test_shifts_read_in_points_and_signposts_by_name() -> None:
    import pandas as pd

    assert [nar.points(x) for x in (0.0682, 0.000882, -0.0004, -0.0123, float("nan"))] == [
        "6.8", "0.1", "0.0", "−1.2", ""]
    names = {"oracle_cds": "Oracle 5-year credit default swap spread"}
    table = pd.DataFrame({"series": ["oracle_cds", "hy_oas"], "id": ["r1", "r2"], "largest shift": [0.0682, None]})
    shown = nar.readings_table(table, names)
    assert list(shown.columns) == ["signpost", "largest shift (points)"]
    assert list(shown["signpost"]) == ["Oracle 5-year credit default swap spread", "hy oas"]
    assert list(shown["largest shift (points)"]) == ["6.8", ""]
    by_series = pd.DataFrame({"series": ["oracle_cds"], "signpost": ["Oracle CDS"], "readings": [1],
                              "hard_landing": [-0.011], "largest": [0.0682]})
    drivers = nar.drivers_table(by_series)
    assert "series" not in drivers.columns and drivers.iloc[0, 2:].tolist() == ["−1.1", "6.8"]


def test_phone_sized_tables_of_readings_calibration_and_the_predictive_check() -> None:
    import pandas as pd

    readings = pd.DataFrame({"published": ["2025-12-02"], "series": ["oracle_cds"], "entity": ["Oracle"],
                             "period": ["Dec 2025"], "value": [128.0], "unit": ["bp"], "basis": ["actual"],
                             "use": ["modelled"], "id": ["r1"], "source_id": ["s1"], "largest shift": [-0.0123]})
    shown = nar.readings_table(readings, {"oracle_cds": "Oracle CDS"})
    assert list(shown.columns) == ["published", "signpost", "reading", "basis", "use", "source_id", "largest shift (points)"]
    assert shown.iloc[0].tolist() == ["2025-12-02", "Oracle CDS", "Oracle, Dec 2025: 128 bp", "actual", "modelled", "s1", "\u22121.2"]

    drivers = pd.DataFrame({"id": ["capex_growth_bust", "seed_weight"], "group": ["regime growth", "start"],
                            "value": [-0.4, 0.25], "low": [-0.6, float("nan")], "high": [-0.2, float("nan")],
                            "unit": ["log growth per year", "share"], "basis": ["reported", "our assumption"],
                            "source_id": ["tia", "seed"], "calibration": ["TIA's 2002 fall", "judgment"]})
    cal = nar.calibration_table(drivers)
    assert list(cal.columns) == ["parameter", "group", "value (range)", "unit", "basis", "source_id", "calibration"]
    assert list(cal["value (range)"]) == ["\u22120.4 (\u22120.6\u2013\u22120.2)", "0.25"]  # no range set: the value alone

    check = pd.DataFrame({"quantity": ["Capex", "Chips"], "year": [2026, 2027], "model p5": [618.2, 900.0],
                          "model median": [732.44, 1000.0], "model p95": [879.0, 1100.0], "projections": [3, 0],
                          "lowest": [367.0, float("nan")], "highest": [1400.0, float("nan")],
                          "projections used": [[("MS", 367.0, 367.0, 367.0), ("GS", 1100.0, 920.0, 1400.0)], []],
                          "median outside all": ["no", "no projection"], "band excludes all": ["no", ""]})
    shown = nar.predictive_table(check)
    assert len(shown.columns) == 7 and list(shown["model median (90% band)"]) == ["732 (618\u2013879)", "1,000 (900\u20131,100)"]
    assert list(shown["projections (lowest to highest)"]) == ["367\u20131,400", "none"]
    assert list(shown["median outside all"]) == ["no", "no projection"]
    assert list(shown["published by"]) == ["MS: 367; GS: 1,100 (920\u20131,400)", ""]


def test_the_verdict_is_dated_by_its_evidence() -> None:
    import pandas as pd

    by_series = pd.DataFrame({"signpost": ["A"], "hard_landing": [-0.05]})
    text = nar.verdict(as_of="2026-11-28", evidence_to="2026-07-04", soft_boom=0.835, hard=0.06, muddle=0.1,
                       low=0.03, high=0.21, by_series=by_series, crash=550, below_crash=0.0005, year=2027,
                       bust_any=0.3)
    assert text.startswith("On evidence to 2026-07-04 (the months from then to 2026-11-28 are projected, not observed), "
                           "the odds lean to a soft landing or continued boom: 84% against 6%")
    assert "As of" not in text and "−5.0 points" in text
    with_actual = nar.verdict(as_of="2026-11-28", evidence_to="2026-07-04", soft_boom=0.835, hard=0.06, muddle=0.1,
                              low=0.03, high=0.21, by_series=by_series, crash=550, below_crash=0.0005, year=2027,
                              bust_any=0.3, actual_only=(0.80, 0.084))
    assert ("(3% to 21% over every setting tried; 80% against 8% on actual results alone, forecasts and guidance left "
            "out). The signpost whose readings together lowered the hard landing most (A, −5.0 points) came in on the "
            "boom path.") in with_actual  # the reason opens its own sentence, naming what it lowered


def test_the_verdict_names_its_measure_and_gives_the_seeds_december_reading_beside_it() -> None:
    """The hard landing is read on calendar-year totals; the seed reads its window December over December, and the
    verdict gives that setting's figure first in its brackets (0.238 -> 24%), tagged in the chapter."""
    import pandas as pd

    by_series = pd.DataFrame({"signpost": ["A"], "hard_landing": [-0.05]})
    args = dict(as_of="2026-07-04", evidence_to="2026-07-04", soft_boom=0.835, hard=0.066, muddle=0.1, low=0.03,
                high=0.238, by_series=by_series, crash=550, below_crash=0.0005, year=2027, bust_any=0.3,
                actual_only=(0.80, 0.084))
    text = nar.verdict(**args, december=0.238)
    assert ("84% against 7% for the seed's hard landing on calendar-year totals (24% read December over December, "
            "as the seed reads its window; 3% to 24% over every setting tried; 80% against 8% on actual results "
            "alone, forecasts and guidance left out). The signpost") in text
    tagged = nar.verdict(**args, december=0.238, tagged=True)
    assert tagged_numbers(tagged)[1:6] == ["84%", "7%", "24%", "3%", "24%"]  # after the evidence's date
    assert "December over December" in tagged and "calendar-year totals" in tagged
    # without the December setting the measure is still named, and nothing else is said
    plain_text = nar.verdict(**args)
    assert "7% for the seed's hard landing on calendar-year totals (3% to 24% over every setting tried;" in plain_text
    assert "December" not in plain_text


def test_the_verdict_measures_the_crash_line_against_the_latest_actual_quarter() -> None:
    """400 over a quarter of 298.5 is 1.34: the line is beyond reach on sales already made."""
    import pandas as pd

    args = dict(as_of="2026-07-04", evidence_to="2026-07-04", soft_boom=0.835, hard=0.066, muddle=0.1, low=0.03,
                high=0.238, by_series=pd.DataFrame({"signpost": ["A"], "hard_landing": [-0.05]}), crash=400,
                below_crash=0.0005, year=2027, bust_any=0.3)
    text = nar.verdict(**args, latest_quarter=("2026-01-01", 298.5))
    assert ("crash line is out of reach (under 0.1%: all of 2027 would have to sell less than 1.34 times the 299 USD "
            "bn sold in the first quarter of 2026 alone); the live risk") in text
    assert "third quarter of 2025" in nar.verdict(**args, latest_quarter=("2025-07-01", 200.0))
    assert "would have to sell" not in nar.verdict(**args)  # no quarter, no clause
    tagged = nar.verdict(**args, latest_quarter=("2026-01-01", 298.5), tagged=True)
    assert "1.34 times</span>" in tagged and "299 USD bn</span>" in tagged
    # the words follow the probability: under 1% out of reach, under 10% unlikely, else within reach
    assert [nar.crash_words(p) for p in (0.0005, 0.0099, 0.01, 0.099, 0.1, 0.4)] == [
        "out of reach", "out of reach", "unlikely", "unlikely", "within reach", "within reach"]
    assert "crash line is within reach" in nar.verdict(**{**args, "below_crash": 0.2})


def test_counts_agree_in_number() -> None:
    from aicompute.formatting import TAG

    def words(x: str) -> str:
        return TAG.sub(r"\1", x)

    assert words(nar.k_of_n(1, 1, "year")) == "1 of 1 year" and words(nar.k_of_n(3, 28, "year")) == "3 of 28 years"
    assert words(nar.hazard_basis(1, 1, 0, 0, 0.05)).startswith("1 of 1 year was followed by a fall of 5% or more")
    assert words(nar.hazard_basis(10, 28, 1, 5, 0.05)).startswith("10 of 28 years were followed")
    assert "; 1 of 5 boom years was (rates" in words(nar.hazard_basis(10, 28, 1, 5, 0.05))
