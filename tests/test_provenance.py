"""Primary share of the readings the model uses, counted by hand; deal dates agree across tables."""

from __future__ import annotations

import pandas as pd
import pytest

from aicompute import data, infra, provenance
from aicompute.scenarios import model as sm
from aicompute.scenarios import start as st
from aicompute.scenarios import update as up


def modelled_readings(ev) -> pd.DataFrame:
    """The readings the 2026 scenario model weighs on ``ev.as_of`` (chapter 05 counts them from its run)."""
    cal = sm.Calibration.from_table(ev.table("scenario_drivers"))
    prepared = up.prepare(ev.table("observations"), ev.table("signposts"), st.start_2026(ev, cal), episode="ai_2026",
                          knowledge_date=ev.seed_date)
    used = prepared[prepared["status"] == "modelled"]
    return used[up.scales(used, pd.Timestamp(ev.as_of), cal) > 0].reset_index(drop=True)


def test_primary_share_counts_by_hand() -> None:
    rd = pd.DataFrame({"id": ["a", "b", "c", "d", "e"],
                       "source_class": ["primary", "secondary", "primary", "primary", "secondary"]})
    s = provenance.primary_share(rd)
    assert (s.primary, s.total) == (3, 5)
    assert s.share == pytest.approx(0.6)
    assert s.secondary == ("b", "e")
    assert provenance.primary_share(rd.iloc[0:0]).total == 0
    with pytest.raises(ValueError, match="source_class"):
        provenance.primary_share(pd.DataFrame({"id": ["x"], "source_class": ["tertiary"]}))


def test_deal_date_conflicts_by_hand() -> None:
    com = pd.DataFrame({"id": ["d1", "d2"], "start_year": [2026, 2027], "term_years": [8, None]})
    flows = pd.DataFrame({"id": ["f1", "f2", "f3"], "commitment_id": ["d1", "d2", None],
                          "start_year": [2026, 2026, 2020], "years": [7, 5, 3]})
    rents = pd.DataFrame({"id": ["r1"], "commitment_id": ["d1"], "start_year": [2026], "term_years": [8]})
    out = infra.deal_date_conflicts(com, {"financing_flows": flows, "contract_rents": rents})
    # f1: term 7 against 8; f2: start 2026 against 2027 (d2 has no term, so no term check); f3 links nothing
    assert sorted(zip(out["id"], out["field"])) == [("f1", "term"), ("f2", "start_year")]
    assert out.set_index("id").loc["f2", "commitment_value"] == 2027
    with pytest.raises(ValueError, match="'zz'"):
        infra.deal_date_conflicts(com, {"x": pd.DataFrame({"id": ["q"], "commitment_id": ["zz"], "start_year": [1],
                                                            "years": [1]})})


def test_every_deal_is_dated_once_across_tables() -> None:
    """Each OpenAI deal has one start year (and term) in commitments, financing flows and contract rents."""
    out = infra.deal_date_conflicts(data.load("commitments"), {"financing_flows": data.load("financing_flows"),
                                                                "contract_rents": data.load("contract_rents")})
    assert out.empty, out.to_string()
    # the AWS expansion of February 2026 is linked from all three tables
    flows, rents = data.load("financing_flows"), data.load("contract_rents")
    assert "aws_2026_02" in set(flows["commitment_id"]) and "aws_2026_02" in set(rents["commitment_id"])


def test_modelled_readings_primary_only_where_the_source_is_first_hand() -> None:
    """Counts the readings the 2026 model uses; a reading called primary must cite a filing or a company/trade-body
    release, and the share reported is the count over the total."""
    ev = data.evidence()  # the report's as-of date
    used = modelled_readings(ev)
    share = provenance.primary_share(used)
    assert share.total == len(used) > 0
    assert share.primary == int((used["source_class"] == "primary").sum())
    types = ev.sources().set_index("id")["type"]
    prim = used[used["source_class"] == "primary"]
    assert set(prim["source_id"].map(types)) <= {"filing", "company", "report"}, prim[["id", "source_id"]]
    # the Nvidia Q1 FY2027 reading was upgraded to the 8-K's verbatim copy, Anthropic's run-rates to its own posts and
    # OpenAI's to its post of 31 March (saved copies of the pages)
    assert {"rd_nvdc_q1fy27", "rd_ant_rr_2026_02", "rd_ant_rr_2026_04", "rd_ant_rr_2026_05",
            "rd_oai_rr_2026_03"} <= set(prim["id"])
    assert set(prim.loc[prim["id"].str.startswith("rd_ant_"), "source_id"].map(types)) == {"company"}


def test_every_secondary_modelled_reading_names_its_primary_document() -> None:
    """A modelled reading read only in a secondary copy says which primary document it traces to (the issuer's
    release, filing or index series) and why that was not read, or that none is public ("Primary: ..." in its
    note), so the next sweep knows what to look for."""
    used = modelled_readings(data.evidence())
    sec = used[used["source_class"] == "secondary"]
    missing = sec[~sec["note"].fillna("").str.contains("Primary: ", regex=False)]
    assert missing.empty, list(missing["id"])


@pytest.mark.parametrize(("reading", "quarter", "parts", "by_hand"), [
    ("rd_capex_big4_2025q4", "2025Q4", {"amzn_2025q4": "capex_incl_leases", "msft_fy26q2": "capex_incl_leases",
                                        "googl_2025q4": "capex_cash", "meta_2025q4": "capex_incl_leases"}, 127.956),
    ("rd_capex_big4_2026q1", "2026Q1", {"amzn_2026q1": "capex_incl_leases", "msft_fy26q3": "capex_incl_leases",
                                        "googl_2026q1": "capex_cash", "meta_2026q1": "capex_incl_leases"}, 133.182),
])
def test_big4_quarter_capex_reading_is_the_sum_of_the_four_company_rows(reading: str, quarter: str,
                                                                         parts: dict[str, str], by_hand: float) -> None:
    """A big-four quarterly capex reading (modelled) equals the sum of the four companies' own rows in
    hyperscaler_cashflows on one basis (lease-inclusive where the company reports it, Alphabet cash), so the typed
    total cannot drift from its parts. By hand: Q4 2025 40.465 + 37.5 + 27.851 + 22.14 = 127.956; Q1 2026
    45.768 + 31.9 + 35.674 + 19.84 = 133.182."""
    obs = data.load("observations").set_index("id")
    cf = data.load("hyperscaler_cashflows").set_index("id")
    assert set(cf.loc[list(parts), "calendar_period"]) == {quarter}
    assert sorted(cf.loc[list(parts), "company"]) == ["Alphabet", "Amazon", "Meta", "Microsoft"]
    total = sum(float(cf.loc[i, col]) for i, col in parts.items())
    assert total == pytest.approx(by_hand, abs=1e-6)
    assert float(obs.loc[reading, "value"]) == pytest.approx(total, abs=0.5)
    assert obs.loc[reading, "series"] == "capex_big4_quarter"


@pytest.mark.xfail(strict=True, reason="Issue 22 target not met: the January SIA release and "
                   "Gartner's April release are not in the stored sources (WSTS's own table only in a vintage of July "
                   "2026, after the evidence window), and some readings have no public primary at all (CDS, "
                   "Bloomberg's and a newsletter's Anthropic run-rates, the confidential S-1); see "
                   "data/sweep_log.csv rows sweep_primary_*. Strict: remove the mark at the target.")
def test_modelled_readings_meet_the_primary_target() -> None:
    """At least ``provenance.TARGET`` of the readings the 2026 model uses are primary (counted from the data)."""
    share = provenance.primary_share(modelled_readings(data.evidence()))
    assert share.share >= provenance.TARGET, (share.primary, share.total, share.secondary)
