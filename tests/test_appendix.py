from __future__ import annotations

from pathlib import Path

import nbformat

from aicompute import appendix, data


def test_parameters_table(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('as_of = "2026-11-28"  # report date\npue = 1.3  # [1, 2] power usage effectiveness\n')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "02_x.ipynb")
    t = appendix.parameters_table([tmp_path / "02_x.ipynb"])
    assert t.to_dict("records") == [
        {"notebook": "02_x", "parameter": "as_of", "default": "2026-11-28", "range": "", "description": "report date"},
        {"notebook": "02_x", "parameter": "pue", "default": "1.3", "range": "1 to 2",
         "description": "power usage effectiveness"},
    ]


def test_data_dictionary_and_summary(pkg: Path) -> None:
    d = appendix.data_dictionary(pkg)
    row = d[(d.resource == "claims") & (d.field == "unit")].iloc[0]
    assert row["type"] == "string" and row["constraints"].startswith("required; one of: USD M, USD bn")
    assert d[(d.resource == "claims") & (d.field == "value")].iloc[0]["unit"] == "see column 'unit'"
    s = appendix.resource_summary(pkg).set_index("resource")
    assert s.loc["claims", "rows"] == 4 and s.loc["sources", "rows"] == 2
    assert s.loc["claims", "foreign keys"] == "source_id → sources"  # no Python repr


def test_ledger_table_real_data() -> None:
    t = appendix.ledger_table(data.evidence())
    assert len(t) >= 120 and t["id"].is_unique
    row = t.set_index("id").loc["tsmc_capex_2026"]
    assert row["value"] == "54 (52–56)" and row["unit"] == "USD bn"
    assert t.columns.tolist() == ["chapter", "claim", "value", "unit", "as of", "basis", "source", "verdict", "id"]
    assert t["source"].notna().all() and t["source"].str.match(r".+ \(\d{4}[a-z]?\)$").all()


def test_plain_values_are_never_python_reprs() -> None:
    assert [appendix.plain_value(v) for v in (True, False, None, 1e6, 1_000_000, 0.05, 0.000157, 2.5e-9,
                                              ["a", "b"], "text")] == [
        "yes", "no", "none", "1,000,000", "1,000,000", "0.05", "0.000157", "2.5e-09", "a, b", "text"]
    assert [appendix.plain_value(v) for v in (-0.15, -3, -2.0, -2.5e-9)] == ["\u22120.15", "\u22123", "\u22122", "\u22122.5e-09"]


def test_ledger_summary_counts_every_figure_once() -> None:
    import pandas as pd

    led = pd.DataFrame({"chapter": ["a", "a", "b"], "basis": ["reported", "leak", "reported"],
                        "verdict": ["confirmed", "", ""]})
    s = appendix.ledger_summary(led).set_index("chapter")
    assert s.loc["a", "figures"] == 2 and s.loc["b", "reported"] == 1 and s.loc["a", "seed: confirmed"] == 1
    assert s.loc["all chapters"].tolist() == [3, 2, 1, 1]


def test_years_seeds_and_ids_have_no_thousands_separator_and_descriptions_no_python() -> None:
    from aicompute.narrative.appendix import description_words

    assert [appendix.plain_value(2030, "end_year"), appendix.plain_value(20260128, "seed"),
            appendix.plain_value(2027.0, "year2"), appendix.plain_value(5000, "n_paths")] == [
        "2030", "20260128", "2027", "5,000"]
    assert appendix._fmt_range((2027, 2030), "end_year") == "2027 to 2030"
    assert description_words("as-of date (None: the one in default.yaml); None means off; True") == (
        "as-of date (if not set: the one in default.yaml); not set means off; yes")
