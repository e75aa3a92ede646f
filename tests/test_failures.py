"""Failure battery: corrupted real data and bad parameters stop the build before any notebook runs,
with a message naming file, row and column (or the parameter), and the last good report stays."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from aicompute.build import BuildError, Project, build, copy_sources

ROOT = Path(__file__).resolve().parents[1]
GOOD = "<html>last good report</html>"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    copy_sources(tmp_path)
    (tmp_path / "report" / "_site").mkdir()
    (tmp_path / "report" / "_site" / "index.html").write_text(GOOD)
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


def _gw(r: dict[str, str]) -> bool:
    return r["unit"] == "GW" and r["value"] != ""


def _percent(r: dict[str, str]) -> bool:
    return r["unit"] == "percent" and r["value"] != ""


def _ranged(r: dict[str, str]) -> bool:
    return r["low"] != "" and r["high"] != ""


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
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_corrupted_data_fails_cleanly(project: Project, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    corrupt, file, phrase = CASES[case]
    row, column = corrupt(project.data)
    monkeypatch.setenv("AICOMPUTE_ROOT", str(project.root))
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
    "as_of before the seed date": (["-p", "as_of=2025-06-30"], "expected a date on or after 2026-01-01"),
    "malformed yaml": (["--params", "BAD_YAML"], "malformed YAML"),
}


@pytest.mark.parametrize("case", list(BAD_PARAMS), ids=list(BAD_PARAMS))
def test_bad_parameters_rejected_before_any_kernel(project: Project, case: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    args, phrase = BAD_PARAMS[case]
    bad_yaml = project.root / "bad.yaml"
    bad_yaml.write_text("all:\n  as_of: [2026\n")
    overrides = [a for a in args[1:]] if args[0] == "-p" else []
    params_file = bad_yaml if args[0] == "--params" else None
    monkeypatch.setenv("AICOMPUTE_ROOT", str(project.root))
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
                          env={**__import__("os").environ, "AICOMPUTE_ROOT": str(project.root)})
    assert proc.returncode == 1
    assert proc.stderr.startswith("BUILD FAILED: Data check failed (no notebook was run): data/claims.csv, row ")
    assert "column 'value': expected a number, got 'n/a'" in proc.stderr
    assert (project.site / "index.html").read_text() == GOOD
