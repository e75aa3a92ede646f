"""Failure battery: corrupted real data and bad parameters stop the build before any notebook runs,
with a message naming file, row and column (or the parameter), and the last good report stays; output
folders the build did not create are never replaced; one build at a time."""

from __future__ import annotations

import csv
import io
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from aicompute.pipeline import safety
from aicompute.pipeline.build import BuildError, Project, build, copy_sources

ROOT = Path(__file__).resolve().parents[1]
GOOD = "<html>last good report</html>"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    copy_sources(tmp_path)
    (tmp_path / "report" / "_site").mkdir()
    (tmp_path / "report" / "_site" / "index.html").write_text(GOOD)
    safety.mark(tmp_path / "report" / "_site", safety.SITE_MARKER)  # a site an earlier build made
    return Project(root=tmp_path)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _edit_cell(file: str, pick: Callable[[dict[str, str]], bool], column: str, value: str):
    """Corrupt the first row matching ``pick``; return (data row number, column)."""
    def apply(data: Path) -> tuple[int, str]:
        rows = _rows(data / file)
        header = rows[0]
        for i, row in enumerate(rows[1:], start=1):
            if pick(dict(zip(header, row))):
                row[header.index(column)] = value
                _write(data / file, rows)
                return i, column
        raise AssertionError(f"no row to corrupt in {file}")
    return apply


def _drop_column(file: str, column: str):
    def apply(data: Path) -> tuple[None, str]:
        rows = _rows(data / file)
        k = rows[0].index(column)
        _write(data / file, [r[:k] + r[k + 1:] for r in rows])
        return None, column
    return apply


def _add_column(data: Path) -> tuple[None, str]:
    rows = _rows(data / "claims.csv")
    _write(data / "claims.csv", [rows[0] + ["comment"]] + [r + ["x"] for r in rows[1:]])
    return None, "comment"


def _raw(file: str, fn: Callable[[bytes], bytes], row: int | None = None, column: str | None = None):
    def apply(data: Path) -> tuple[int | None, str | None]:
        (data / file).write_bytes(fn((data / file).read_bytes()))
        return row, column
    return apply


def _stray_delimiter(data: Path) -> tuple[int, None]:
    lines = (data / "claims.csv").read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3] + ",extra"
    (data / "claims.csv").write_text("\n".join(lines), encoding="utf-8")
    return 3, None


def _encoding_error(data: Path) -> tuple[int, str]:
    raw = (data / "sources.csv").read_bytes().split(b"\n")
    fields = next(csv.reader([raw[2].decode()]))
    raw[2] = raw[2].replace(fields[1].encode(), fields[1].encode()[:5] + b"\xff" + fields[1].encode()[5:], 1)
    (data / "sources.csv").write_bytes(b"\n".join(raw))
    return 2, "title"


def _duplicate_id(data: Path) -> tuple[int, str]:
    rows = _rows(data / "claims.csv")
    _write(data / "claims.csv", rows + [rows[1]])
    return len(rows), "id"


def _reported_as(column: str, corrupt: Callable[[Path], tuple[int, str]]):
    """The same corruption, expected to be reported in another column."""
    return lambda data: (corrupt(data)[0], column)


def _gw(r: dict[str, str]) -> bool:
    return r["unit"] == "GW" and r["value"] != ""


def _percent(r: dict[str, str]) -> bool:
    return r["unit"] == "percent" and r["value"] != ""


def _ranged(r: dict[str, str]) -> bool:
    return r["low"] != "" and r["high"] != "" and r["unit"] == "USD bn"  # (a share would fail its bounds first)


CASES = {
    "missing column": (_drop_column("claims.csv", "unit"), "claims.csv", "missing column"),
    "extra unknown column": (_add_column, "claims.csv", "unknown column"),
    "wrong type": (_edit_cell("claims.csv", _gw, "value", "about 2"), "claims.csv", "expected a number"),
    "negative power": (_edit_cell("claims.csv", _gw, "value", "-1.5"), "claims.csv", "non-negative amount"),
    "negative price": (_edit_cell("claims.csv", lambda r: r["unit"] == "USD bn" and r["value"] != "" and r["low"] == "",
                                  "value", "-3"), "claims.csv", "non-negative amount"),
    "unknown source id": (_edit_cell("claims.csv", lambda r: True, "source_id", "nobody_2026"), "claims.csv",
                          "unknown id 'nobody_2026'"),
    "duplicate id": (_duplicate_id, "claims.csv", "duplicate value"),
    "empty file": (_raw("claims.csv", lambda b: b""), "claims.csv", "file is empty"),
    "header only": (_raw("claims.csv", lambda b: b.split(b"\n", 1)[0] + b"\n"), "claims.csv", "no data rows"),
    "byte-order mark": (_raw("sources.csv", lambda b: b"\xef\xbb\xbf" + b), "sources.csv", "byte-order mark"),
    "wrong date format": (_edit_cell("claims.csv", lambda r: True, "as_of", "28.11.2026"), "claims.csv",
                          "expected a date as YYYY-MM-DD"),
    "unit not allowed": (_edit_cell("claims.csv", _gw, "unit", "gigawatt"), "claims.csv", "expected one of"),
    "low above high": (_edit_cell("claims.csv", _ranged, "low", "999999"), "claims.csv", "expected low <= high"),
    "percent above 100": (_edit_cell("claims.csv", _percent, "value", "140"), "claims.csv", "share in [0, 100]"),
    "stray delimiter": (_stray_delimiter, "claims.csv", "stray delimiter"),
    "encoding error": (_encoding_error, "sources.csv", "invalid UTF-8"),
    "bad source type": (_edit_cell("sources.csv", lambda r: True, "type", "blog"), "sources.csv", "expected one of"),
    "bad url": (_edit_cell("sources.csv", lambda r: True, "url", "www.example.com"), "sources.csv",
                "matching the pattern"),
    "missing verdict": (_edit_cell("claims.csv", lambda r: r["seed_text"] != "", "verdict", ""), "claims.csv",
                        "expected a verdict"),
    "broken descriptor": (_raw("datapackage.json", lambda b: b[:-20]), "datapackage.json", "invalid JSON"),
    # non-finite and absurd numbers (issue 14): inf used to pass and crash chapter 02
    "infinite value": (_edit_cell("claims.csv", _gw, "value", "inf"), "claims.csv", "expected a finite number"),
    "minus infinity": (_edit_cell("claims.csv", lambda r: r["unit"] == "percent change" and r["value"] != "",
                                  "value", "-inf"), "claims.csv", "expected a finite number"),
    "overflow to infinity": (_edit_cell("claims.csv", _gw, "value", "1e309"), "claims.csv",
                             "expected a finite number"),
    "1e308 GW": (_edit_cell("claims.csv", _gw, "value", "1e308"), "claims.csv",
                 "expected a value in [0, 10,000] for unit 'GW'"),
    "GW above world capacity": (_edit_cell("claims.csv", _gw, "value", "25000"), "claims.csv",
                                "world's generating capacity"),
    "USD bn above world GDP": (_edit_cell("claims.csv", lambda r: r["unit"] == "USD bn" and r["value"] != ""
                                          and r["high"] == "", "value", "5e6"), "claims.csv",
                               "expected a value in [0, 120,000] for unit 'USD bn'"),
    "seed value absurd": (_edit_cell("claims.csv", lambda r: r["unit"] == "GW" and r["seed_value"] != "",
                                     "seed_value", "1e12"), "claims.csv", "for unit 'GW'"),
    "percent change below -100": (_edit_cell("claims.csv", lambda r: r["unit"] == "percent change"
                                             and r["value"] != "" and r["low"] == "", "value", "-150"),
                                  "claims.csv", "expected a value in [-100, 100,000] for unit 'percent change'"),
    "event with a magnitude": (_edit_cell("claims.csv", lambda r: r["unit"] == "event", "value", "3"),
                               "claims.csv", "an event has no magnitude"),
    "bp absurd": (_edit_cell("claims.csv", lambda r: r["unit"] == "bp" and r["high"] == "" and r["value"] != "", "value", "1e7"), "claims.csv",
                  "for unit 'bp'"),
    "GPU-hour price absurd": (_edit_cell("observations.csv", lambda r: r["unit"] == "USD/GPU-hour" and r["high"] == "",
                                         "value", "5000"), "observations.csv", "for unit 'USD/GPU-hour'"),
    "chip power absurd (field unit)": (_edit_cell("accelerators.csv", lambda r: r["power_w"] != "", "power_w",
                                                  "1e15"), "accelerators.csv", "for unit 'W'"),
    "infinite chip price": (_edit_cell("accelerators.csv", lambda r: r["price_usd"] != "", "price_usd", "Infinity"),
                            "accelerators.csv", "expected a finite number"),
    "site GW absurd": (_edit_cell("sites.csv", lambda r: r["gw"] != "", "gw", "1e6"), "sites.csv", "for unit 'GW'"),
    "commitment year absurd": (_edit_cell("commitments.csv", lambda r: r["start_year"] != "", "start_year", "20260"),
                               "commitments.csv", "for unit 'year'"),
    "scenario growth absurd": (_edit_cell("scenario_drivers.csv", lambda r: r["unit"] == "log growth per year",
                                          "high", "50"), "scenario_drivers.csv",
                               "expected a value in [-5, 5] for unit 'log growth per year'"),
    "scorecard threshold absurd": (_edit_cell("scorecard_thresholds.csv", lambda r: r["unit"] == "x", "hot", "1e9"),
                                   "scorecard_thresholds.csv", "for unit 'x'"),
    "signpost threshold infinite": (_edit_cell("signposts.csv", lambda r: True, "threshold", "inf"),
                                    "signposts.csv", "expected a finite number"),
    "indicator absurd": (_edit_cell("indicators.csv", lambda r: r["unit"] == "USD bn" and r["value"] != ""
                                    and r["high"] == "", "value", "1e9"), "indicators.csv", "for unit 'USD bn'"),
    # observations and sources: dates and kinds checked against each other
    "actual reading before its period": (_edit_cell("observations.csv", lambda r: r["kind"] == "actual",
                                                    "published", "2020-01-01"), "observations.csv",
                                         "an actual reading cannot be published"),
    "guidance turned into an actual": (_reported_as("published", _edit_cell(
        "observations.csv", lambda r: r["kind"] == "guidance" and r["published"] < r["period"], "kind", "actual")),
                                       "observations.csv", "an actual reading cannot be published"),
    "period not a month": (_edit_cell("observations.csv", lambda r: True, "period", "2026-02-15"),
                           "observations.csv", "expected the first day of a month"),
    "reading in the wrong unit": (_edit_cell("observations.csv", lambda r: r["unit"] == "bp", "unit", "USD bn/yr"),
                                  "observations.csv", "expected the unit of signposts"),
    "source published after it was read": (_edit_cell("sources.csv", lambda r: True, "date", "2027-01-01"),
                                           "sources.csv", "on or before the day the source was accessed"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_corrupted_data_fails_cleanly(project: Project, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    corrupt, file, phrase = CASES[case]
    row, column = corrupt(project.data)
    with pytest.raises(BuildError) as info:
        build(project, log=lambda s: None)
    msg = str(info.value)
    assert msg.startswith("Data check failed (no notebook was run)"), msg
    assert f"data/{file}" in msg and phrase in msg, msg
    if row is not None:
        assert f"row {row}" in msg, msg
    if column is not None:
        assert f"column '{column}'" in msg, msg
    assert not (project.out / "executed").exists()
    assert (project.site / "index.html").read_text() == GOOD


BAD_PARAMS = {
    "unknown name": (["-p", "no_such_parameter=1"], "unknown parameter 'no_such_parameter'"),
    "wrong type": (["-p", "00_claims_audit.rel_tol=lots"], "parameter 'rel_tol' of 00_claims_audit: expected a number"),
    "out of range": (["-p", "00_claims_audit.rel_tol=1.5"], "expected a value in [0, 1], got 1.5"),
    "as_of before the seed date": (["-p", "as_of=2025-06-30"], "expected a date on or after 2026-01-28"),
    "malformed yaml": (["--params", "BAD_YAML"], "malformed YAML"),
    # issue 14
    "impossible as_of": (["-p", "as_of=2026-02-30"], "expected a valid calendar date as YYYY-MM-DD, got '2026-02-30'"),
    "impossible as_of in a file": (["--params", "all:\n  as_of: 2026-02-30\n"], "expected a valid calendar date"),
    "as_of in the future": (["-p", "as_of=2030-01-01"], "expected a date on or before today"),
    "as_of not ISO": (["-p", "as_of=2026-W48-1"], "expected a date as YYYY-MM-DD"),
    "NaN parameter": (["-p", "00_claims_audit.rel_tol=.nan"], "expected a finite number, got nan"),
    "infinite parameter": (["-p", "02_infrastructure.pue=.inf"], "expected a finite number, got inf"),
    "low above high (02)": (["-p", "02_infrastructure.plausible_kw_high=1"],
                            "parameters of 02_infrastructure: expected plausible_kw_low <= plausible_kw_high"),
    "active above total parameters": (["-p", "model_active_params_b=900"],
                                      "expected model_active_params_b <= model_total_params_b"),
    "all weights zero": ([f"-p{w}=0" for w in ("w_capex_gdp", "w_capex_ocf", "w_revenue_multiple",
                                              "w_sequoia_coverage", "w_inference_ratio", "w_zero_roi_share",
                                              "w_cloud_growth", "w_ai_ig_debt", "w_burn_multiple")],
                         "parameters of 04_bubble_debate: expected w_capex_gdp + "),
    "backtests larger than the main run": (["-p", "05_scenarios.backtest_paths=50000"],
                                           "parameters of 05_scenarios: expected backtest_paths <= n_paths"),
    "too many Monte Carlo paths": (["-p", "n_paths=2000000"], "expected a value in [1000, 200000]"),
}


@pytest.mark.parametrize("case", list(BAD_PARAMS), ids=list(BAD_PARAMS))
def test_bad_parameters_rejected_before_any_kernel(project: Project, case: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    args, phrase = BAD_PARAMS[case]
    bad_yaml = project.root / "bad.yaml"
    bad_yaml.write_text("all:\n  as_of: [2026\n" if args[1] == "BAD_YAML" else args[1])
    overrides = [a[2:] for a in args if a.startswith("-p") and a != "-p"] + \
        ([a for a in args[1:]] if args[0] == "-p" else [])
    params_file = bad_yaml if args[0] == "--params" else None
    with pytest.raises(BuildError) as info:
        build(project, params_file=params_file, overrides=overrides, log=lambda s: None)
    assert "Parameter check failed (no notebook was run)" in str(info.value)
    assert phrase in str(info.value)
    assert not (project.out / "executed").exists()
    assert (project.site / "index.html").read_text() == GOOD


def test_cli_exit_code_and_message(project: Project) -> None:
    import subprocess
    import sys

    _edit_cell("claims.csv", _gw, "value", "n/a")(project.data)
    proc = subprocess.run([sys.executable, "-m", "aicompute", "build"], capture_output=True, text=True,
                          cwd=project.root)
    assert proc.returncode == 1
    assert proc.stderr.startswith("BUILD FAILED: Data check failed (no notebook was run): data/claims.csv, row ")
    assert "column 'value': expected a number, got 'n/a'" in proc.stderr
    assert (project.site / "index.html").read_text() == GOOD


# --- output folders: the build replaces only what it created (issue 14: `--site data` deleted data/) ---

def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


UNSAFE_SITES = {
    "data": ("data", "(inside) the project's data/ folder, which holds sources"),
    "notebooks": ("notebooks", "(inside) the project's notebooks/ folder"),
    "inside data": ("data/site", "(inside) the project's data/ folder, which holds sources"),
    "report": ("report", "the report's source folder"),
    "report params": ("report/params", "was not created by the build"),
    "project root": (".", "the project root or one of its parents"),
    "parent of the root": ("..", "the project root or one of its parents"),
    "a user's folder": ("mine", "was not created by the build"),
    "a file": ("README.md", "exists and is not a folder"),
}


@pytest.mark.parametrize("case", list(UNSAFE_SITES), ids=list(UNSAFE_SITES))
def test_site_never_replaces_a_folder_it_did_not_create(project: Project, case: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target, phrase = UNSAFE_SITES[case]
    (project.root / "mine").mkdir()
    (project.root / "mine" / "thesis.tex").write_text("three years of work")
    (project.root / "README.md").write_text("readme")
    (project.root / "other.old").mkdir()
    (project.root / "other.old" / "keep.txt").write_text("keep")
    (project.data / "untracked.txt").write_text("not in git")
    before = _snapshot(project.root)
    with pytest.raises(BuildError) as info:
        build(Project(root=project.root, site_dir=(project.root / target).resolve()), log=lambda s: None)
    msg = str(info.value)
    assert msg.startswith("--site ") and "refusing to use this folder" in msg and phrase in msg, msg
    assert _snapshot(project.root) == before  # nothing written, nothing moved
    assert not (project.root / "build").exists()


@pytest.mark.parametrize("target,phrase", [("data", "data/ folder"), (".", "project root"),
                                           ("lib", "lib/ folder"), ("mine", "was not created by the build")])
def test_build_dir_never_writes_into_sources(project: Project, target: str, phrase: str) -> None:
    (project.root / "mine").mkdir()
    (project.root / "mine" / "figures").mkdir()
    (project.root / "mine" / "figures" / "00_claims_audit").write_text("a user's file")
    before = _snapshot(project.root)
    with pytest.raises(BuildError, match=r"^--build-dir .*refusing") as info:
        build(Project(root=project.root, build_dir=project.root / target), log=lambda s: None)
    assert phrase in str(info.value)
    assert _snapshot(project.root) == before


@pytest.mark.parametrize("state", ["missing", "empty", "marked"])  # nothing else: tests/test_build_reliability.py
def test_site_folders_the_build_may_replace(tmp_path: Path, state: str) -> None:
    site = tmp_path / "out" / "site"
    if state != "missing":
        site.mkdir(parents=True)
    if state == "marked":
        (site / "index.html").write_text("x")
        safety.mark(site, safety.SITE_MARKER)
    safety.check_outputs(tmp_path / "project", site, tmp_path / "project" / "build")  # no error


# --- one build at a time ---

def test_second_build_names_the_first_ones_pid(project: Project) -> None:
    running = rf"another build is running in this project \(pid {os.getpid()}, "
    with safety.BuildLock(project.root / "build" / "build.lock"), pytest.raises(BuildError, match=running):
        build(project, log=lambda s: None)
    assert (project.site / "index.html").read_text() == GOOD


def test_second_build_can_wait(tmp_path: Path) -> None:
    lock = safety.BuildLock(tmp_path / "build.lock")
    lock.acquire()
    threading.Timer(0.3, lock.release).start()
    lines: list[str] = []
    with safety.BuildLock(tmp_path / "build.lock", wait=True, log=lines.append, poll=0.05):
        assert f"pid {os.getpid()}" in (tmp_path / "build.lock.owner").read_text()
    assert len(lines) == 1 and lines[0].startswith("Waiting for the other build to finish (pid ")


def test_stale_lock_of_a_dead_build_is_taken_over(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "build.lock").write_text("")  # the lock file a killed build left, and its owner record
    (tmp_path / "build.lock.owner").write_text(f"pid {dead.stdout.strip()}, started 2026-11-30 12:00:00\n")
    with safety.BuildLock(tmp_path / "build.lock"):
        assert (tmp_path / "build.lock.owner").read_text().startswith(f"pid {os.getpid()},")
    assert not (tmp_path / "build.lock.owner").exists()  # released: free for the next build


def test_locks_cover_the_build_folder_and_the_report(project: Project) -> None:
    root = project.root
    preset = Project(root=root, build_dir=root / "build" / "bear", site_dir=root / "report" / "_site-bear")
    with safety.BuildLock(root / "build" / "report.lock"), pytest.raises(BuildError, match="another build is running"):
        build(preset, log=lambda s: None)  # it would write report/ too
    _edit_cell("claims.csv", _gw, "value", "n/a")(project.data)  # stop the next build early
    with safety.BuildLock(root / "build" / "build.lock"), safety.BuildLock(root / "build" / "report.lock"), \
            pytest.raises(BuildError, match="Data check failed"):
        # executing into its own folder without rendering (the notebook tests) does not wait for `make report`
        build(Project(root=root, build_dir=root / "scratch"), render=False, log=lambda s: None)
