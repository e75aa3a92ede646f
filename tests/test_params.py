"""Parameter validation happens before any kernel starts and names the parameter."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest

from aicompute.pipeline import params
from aicompute.pipeline.params import ParameterError

PARAMS_SRC = """as_of = "2026-11-28"  # report date
seed = 42
n_paths = 1000
p_crash = 0.3  # [0, 1] prior
label = "base"
fast = False
weights = [1, 2]
"""


@pytest.fixture
def nb(tmp_path: Path) -> Path:
    n = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(PARAMS_SRC)
    cell.metadata["tags"] = ["parameters"]
    n.cells = [nbformat.v4.new_markdown_cell("# T"), cell]
    path = tmp_path / "05_demo.ipynb"
    nbformat.write(n, path)
    return path


def test_reads_defaults_and_ranges(nb: Path) -> None:
    spec = params.notebook_parameters(nb)
    assert spec["p_crash"] == {"default": 0.3, "range": (0.0, 1.0), "comment": "prior"}
    assert spec["as_of"]["comment"] == "report date" and spec["seed"]["comment"] == ""
    assert spec["seed"]["default"] == 42 and spec["seed"]["range"] is None
    assert list(spec) == ["as_of", "seed", "n_paths", "p_crash", "label", "fast", "weights"]


def test_resolve_merges_file_and_overrides(nb: Path) -> None:
    out = params.resolve(
        [nb],
        {"all": {"seed": 7}, "notebooks": {"05_demo": {"p_crash": 1}}},
        params.parse_overrides(["05_demo.label=bear", "fast=true"]),
    )
    assert out == {"05_demo": {"seed": 7, "p_crash": 1.0, "label": "bear", "fast": True}}
    assert isinstance(out["05_demo"]["p_crash"], float)


@pytest.mark.parametrize(
    "override,phrase",
    [
        ("nonsense=1", "unknown parameter 'nonsense'"),
        ("p_crash=1.5", "parameter 'p_crash' of 05_demo: expected a value in [0, 1], got 1.5"),
        ("p_crash=high", "parameter 'p_crash' of 05_demo: expected a number, got 'high'"),
        ("n_paths=-5", "parameter 'n_paths' of 05_demo: expected a positive integer, got -5"),
        ("n_paths=2.5", "parameter 'n_paths' of 05_demo: expected an integer, got 2.5"),
        ("seed=-1", "parameter 'seed' of 05_demo: expected a non-negative integer"),
        ("as_of=2025-12-31", "expected a date on or after 2026-01-01"),
        ("as_of=yesterday", "expected a date as YYYY-MM-DD"),
        ("fast=1", "parameter 'fast' of 05_demo: expected true/false, got 1"),
        ("99_none.seed=1", "unknown notebook '99_none'"),
        ("novalue", "expected name=value"),
    ],
)
def test_bad_overrides_name_the_parameter(nb: Path, override: str, phrase: str) -> None:
    with pytest.raises(ParameterError) as info:
        params.resolve([nb], {}, params.parse_overrides([override]))
    assert phrase in str(info.value)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("all:\n  seed: [1, 2\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"bad.yaml: malformed YAML \(line \d+, column \d+\)"):
        params.load_params_file(bad)


def test_yaml_with_unknown_section(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("everything:\n  seed: 1\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="expected a mapping with the sections 'all' and/or 'notebooks'"):
        params.load_params_file(f)


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("all:\n  seed: !!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="malformed YAML"):
        params.load_params_file(f)


def test_parameters_cell_must_be_literal(tmp_path: Path) -> None:
    n = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x = compute()\n")
    cell.metadata["tags"] = ["parameters"]
    n.cells = [cell]
    path = tmp_path / "01_x.ipynb"
    nbformat.write(n, path)
    with pytest.raises(ParameterError, match="parameter 'x' needs a literal default"):
        params.notebook_parameters(path)


def test_default_yaml_matches_real_notebooks() -> None:
    root = Path(__file__).resolve().parents[1]
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    values = params.resolve(notebooks, params.load_params_file(root / "report/params/default.yaml"), {})
    assert set(values) == {p.stem for p in notebooks}
    for nb in notebooks:
        assert json.loads(nb.read_text())["cells"], nb


# --- issue 14: dates, non-finite numbers, constraints between parameters ---

def test_impossible_date_is_a_message_not_a_yaml_traceback(nb: Path, tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"expected a valid calendar date as YYYY-MM-DD, got '2026-02-30'"):
        params.resolve([nb], {}, params.parse_overrides(["as_of=2026-02-30"]))
    f = tmp_path / "p.yaml"
    f.write_text("all:\n  as_of: 2026-02-30\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="expected a valid calendar date"):
        params.resolve([nb], params.load_params_file(f), {})


def test_unquoted_yaml_date_is_accepted(nb: Path, tmp_path: Path) -> None:
    f = tmp_path / "p.yaml"
    f.write_text("all:\n  as_of: 2026-06-30\n", encoding="utf-8")
    assert params.resolve([nb], params.load_params_file(f), {})["05_demo"]["as_of"] == "2026-06-30"


def test_as_of_after_today_needs_the_override(nb: Path) -> None:
    import datetime as dt

    today = dt.date(2026, 11, 30)
    over = params.parse_overrides(["as_of=2026-12-01"])
    with pytest.raises(ParameterError, match=r"expected a date on or before today \(2026-11-30\), got 2026-12-01.*"
                                             r"--allow-future-as-of"):
        params.resolve([nb], {}, over, today=today)
    assert params.resolve([nb], {}, over, today=today, allow_future_as_of=True)["05_demo"]["as_of"] == "2026-12-01"
    assert params.resolve([nb], {}, params.parse_overrides(["as_of=2026-11-30"]), today=today)


@pytest.mark.parametrize("raw", [".nan", ".inf", "-.inf"])
def test_non_finite_numbers_are_rejected(nb: Path, raw: str) -> None:
    with pytest.raises(ParameterError, match=r"parameter 'p_crash' of 05_demo: expected a finite number"):
        params.resolve([nb], {}, params.parse_overrides([f"p_crash={raw}"]))


def _nb_with(tmp_path: Path, src: str) -> Path:
    n = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["tags"] = ["parameters"]
    n.cells = [cell]
    path = tmp_path / "07_req.ipynb"
    nbformat.write(n, path)
    return path


REQ = """low = 1.0  # [0, 10]
high = 2.0  # [0, 10]
a = 0.5  # [0, 1]
b = 0.5  # [0, 1]
# require: low <= high
#   require:   a + b > 0 and max(a, b) <= 1
"""


def test_requirements_are_read_and_checked(tmp_path: Path) -> None:
    path = _nb_with(tmp_path, REQ)
    assert [t for t, _ in params.notebook_requirements(path)] == ["low <= high", "a + b > 0 and max(a, b) <= 1"]
    assert params.notebook_parameters(path)["high"]["default"] == 2.0  # comment lines are not parameters
    assert params.resolve([path], {}, params.parse_overrides(["low=2", "a=0"])) == {"07_req": {"low": 2.0, "a": 0.0}}
    with pytest.raises(ParameterError, match=r"^parameters of 07_req: expected low <= high \(a '# require' line of "
                                             r"its parameters cell\), got low=3.0, high=2.0$"):
        params.resolve([path], {}, params.parse_overrides(["low=3"]))
    with pytest.raises(ParameterError, match=r"expected a \+ b > 0 and max\(a, b\) <= 1 .*got a=0.0, b=0.0"):
        params.resolve([path], {"all": {"a": 0, "b": 0}}, {})


@pytest.mark.parametrize("expr,phrase", [
    ("low <= hihg", "unknown name 'hihg'"),
    ("__import__('os').system('echo hi') == 0", "is not allowed"),
    ("low.real <= high", "is not allowed"),
    ("low ** 1000 <= high", "is not allowed"),
    ("[x for x in (1,)]", "is not allowed"),
    ("low <=", "not a valid expression"),
    ("low / (high - 2) > 0", "cannot be evaluated on the defaults"),
])
def test_bad_requirement_lines_are_refused_naming_the_line(tmp_path: Path, expr: str, phrase: str) -> None:
    path = _nb_with(tmp_path, REQ + f"# require: {expr}\n")
    with pytest.raises(ParameterError) as info:
        params.resolve([path], {}, {})
    assert str(info.value).startswith(f"07_req.ipynb: '# require: {expr}' (line 7 of the parameters cell): ")
    assert phrase in str(info.value)


def test_requirement_failing_on_values_is_a_message(tmp_path: Path) -> None:
    path = _nb_with(tmp_path, REQ + "# require: a / b < 10\n")
    with pytest.raises(ParameterError, match=r"expected a / b < 10 \(evaluating it failed: float division by zero\)"):
        params.resolve([path], {}, params.parse_overrides(["b=0"]))


def test_real_notebooks_declare_their_constraints() -> None:
    root = Path(__file__).resolve().parents[1]
    req = {nb.stem: [t for t, _ in params.notebook_requirements(nb)]
           for nb in sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))}
    assert req["00_claims_audit"] == []  # the Abilene range lives in chapter 02 only
    assert req["02_infrastructure"] == ["chip_life_low <= chip_life and chip_life <= chip_life_high",
                                        "wacc_low <= wacc and wacc <= wacc_high", "plausible_kw_low <= plausible_kw_high"]
    assert req["01_chip_strategy"] == ["model_active_params_b <= model_total_params_b", "wacc_low <= wacc and wacc <= wacc_high"]
    assert all(f"w_{w}" in req["04_bubble_debate"][0] for w in ("capex_gdp", "burn_multiple"))
    assert req["05_scenarios"] == ["backtest_paths <= n_paths", "n_paths <= final_paths"]
    spec = params.notebook_parameters(root / "notebooks" / "05_scenarios.ipynb")
    assert spec["n_paths"]["range"] == (1000.0, 200000.0) and spec["final_paths"]["range"] == (1000.0, 400000.0)


def test_as_of_none_is_the_date_of_default_yaml(tmp_path: Path) -> None:
    """A chapter's ``as_of = None`` is the report's date, written once in report/params/default.yaml: the build
    injects it (a preset without as_of too) and data.evidence() means it."""
    from aicompute import data
    from aicompute.paths import default_as_of

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "report" / "params").mkdir(parents=True)
    (tmp_path / "report" / "params" / "default.yaml").write_text('all:\n  as_of: "2026-03-31"\n')
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("as_of = None  # the report's date\n", metadata={"tags": ["parameters"]})]
    path = tmp_path / "notebooks" / "06_x.ipynb"
    nbformat.write(nb, path)
    assert default_as_of(tmp_path) == "2026-03-31"
    today = dt.date(2026, 12, 6)
    assert params.resolve([path], {}, {}, today=today) == {"06_x": {"as_of": "2026-03-31"}}
    assert params.resolve([path], {"all": {"as_of": "2026-02-01"}}, {}, today=today)["06_x"]["as_of"] == "2026-02-01"
    assert str(data.evidence().as_of) == default_as_of()


def test_a_line_papermill_cannot_read_is_refused(tmp_path: Path) -> None:
    path = _nb_with(tmp_path, "x = 1.0  # [0, 2] a=b is how papermill splits assignments\n")
    with pytest.raises(ParameterError, match=r"07_req.ipynb: papermill cannot read parameter 'x' \(line 1\)"):
        params.notebook_parameters(path)


def test_the_report_date_is_written_once() -> None:
    """The report's as-of date is typed only in report/params/default.yaml: no notebook, preset, library module,
    benchmark or document repeats it (tests read it with ``paths.default_as_of()``; synthetic fixtures carry
    their own dates)."""
    import subprocess

    from aicompute.paths import ROOT, default_as_of

    day = default_as_of()
    hits = subprocess.run(["git", "grep", "-n", "-F", day, "--", "lib", "notebooks", "report", "bench", "README.md",
                           "Makefile", ".ci"], cwd=ROOT, capture_output=True, text=True).stdout.splitlines()
    assert [h for h in hits if not h.startswith("report/params/default.yaml:")] == []
