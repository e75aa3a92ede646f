"""Issue 23, cases 4, 6 and 7: bad parameters, parameters files and data are refused before any kernel starts,
with one message naming the file, row and field (or the parameter), and the last good report stays.

Each case below passed (or crashed in a kernel, or with a traceback) before issue 23. The browser injection
test (case 1) is at the end of this file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from aicompute.pipeline import safety
from aicompute.pipeline.build import BuildError, Project, build, copy_sources, main

GOOD = "<html>last good report</html>"
#: The data rules compare dates with the build date: pinned to the latest day a source was read or a sweep searched
#: (a real build runs on or after it), so the cases hold on any later day and after every evidence sweep.
_DATA = Path(__file__).resolve().parents[1] / "data"
_WORK_DAYS = {"sources.csv": "accessed", "sweep_log.csv": "searched_on"}
BUILD_DAY = ""
for _name, _col in _WORK_DAYS.items():
    with (_DATA / _name).open(encoding="utf-8", newline="") as _fh:
        BUILD_DAY = max([BUILD_DAY, *(row[_col] for row in csv.DictReader(_fh))])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    copy_sources(tmp_path)
    (tmp_path / "report" / "_site").mkdir()
    (tmp_path / "report" / "_site" / "index.html").write_text(GOOD)
    safety.mark(tmp_path / "report" / "_site", safety.SITE_MARKER)
    monkeypatch.setenv("AICOMPUTE_ROOT", str(tmp_path))
    monkeypatch.setenv("AICOMPUTE_BUILD_DATE", BUILD_DAY)

    def no_kernel(*args, **kwargs):
        raise AssertionError("a kernel was started: the bad input was not refused")

    monkeypatch.setattr("aicompute.pipeline.build._run_notebooks", no_kernel)
    return Project(root=tmp_path)


def _refused(project: Project, prefix: str, phrases: list[str], **kw) -> str:
    with pytest.raises(BuildError) as info:
        build(project, log=lambda s: None, **kw)
    msg = str(info.value)
    assert msg.startswith(prefix), msg
    for phrase in phrases:
        assert phrase in msg, msg
    assert len(msg) < 2000, msg[:300]  # one clear message, never a dump
    assert not (project.out / "executed").exists()
    assert (project.site / "index.html").read_text() == GOOD
    return msg


# --- case 6: parameters and parameters files ---------------------------------------------------------------

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))

BAD_PARAMS: dict[str, tuple[list[str] | None, str | bytes | None, list[str]]] = {
    # name: (overrides, params file content (None: no file written; "DIR": a folder), phrases)
    "as_of before the seed's date": (["as_of=2026-01-15"], None,
                                     ["parameter 'as_of'", "expected a date on or after 2026-01-28"]),
    "as_of the day before the seed": (["as_of=2026-01-27"], None, ["on or after 2026-01-28"]),
    "as_of per notebook (-p)": (["05_scenarios.as_of=2026-06-30"], None,
                                ["-p 05_scenarios.as_of", "'as_of' is the report's date"]),
    "as_of per notebook (file)": (None, "notebooks:\n  03_finance:\n    as_of: 2026-06-30\n",
                                  ["notebook '03_finance'", "'as_of' is the report's date"]),
    "missing params file": (None, None, ["baer.yaml: parameters file not found"]),
    "params file is a folder": (None, "DIR", ["baer.yaml: expected a YAML parameters file, got a folder"]),
    "binary params file": (None, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", ["baer.yaml: not UTF-8 text"]),
    "NUL in params file": (None, "all:\n  seed: 1\x00\n", ["baer.yaml: contains a NUL byte"]),
    "params file is a list": (None, "[]\n", ["baer.yaml: expected a mapping", "got a list"]),
    "params file is a number": (None, "0\n", ["baer.yaml: expected a mapping", "got an integer 0"]),
    "section is a list": (None, "all: []\n", ["baer.yaml: section 'all' must be a mapping"]),
    "notebook section is a number": (None, "notebooks:\n  05_scenarios: 3\n", ["'05_scenarios' must be a mapping"]),
    "duplicate key": (None, "all:\n  as_of: 2026-06-30\n  as_of: 2026-05-31\n",
                      ["baer.yaml: malformed YAML (line 3", "duplicate key 'as_of' (first on line 2)"]),
    "duplicate section": (None, "all:\n  seed: 1\nall:\n  seed: 2\n", ["duplicate key 'all'"]),
    "alias bomb": (None, ALIAS_BOMB, ["baer.yaml: malformed YAML", "aliases (*name) are not allowed"]),
    "alias in -p": (["05_scenarios.n_paths=&a 1000"], None, []),  # an anchor alone is harmless: see below
    "oversized params file": (None, "# " + "x" * 70_000 + "\nall: {}\n", ["baer.yaml", "at most 65,536 bytes"]),
    "key that is not a name": (None, "all:\n  [a, b]: 1\n", ["baer.yaml: malformed YAML", "expected a name as key"]),
}
BAD_PARAMS.pop("alias in -p")


@pytest.mark.parametrize("case", list(BAD_PARAMS), ids=list(BAD_PARAMS))
def test_bad_parameters_refused_before_any_kernel(project: Project, case: str) -> None:
    overrides, content, phrases = BAD_PARAMS[case]
    params_file = None
    if overrides is None:
        params_file = project.root / "baer.yaml"  # a typo of bear.yaml
        if content == "DIR":
            params_file.mkdir()
        elif isinstance(content, bytes):
            params_file.write_bytes(content)
        elif content is not None:
            params_file.write_text(content, encoding="utf-8")
    _refused(project, "Parameter check failed (no notebook was run)", phrases, params_file=params_file,
             overrides=overrides or [])


@pytest.mark.parametrize("as_of", ["2028-01-01", "9999-12-31"])
def test_as_of_beyond_the_window_is_refused_even_when_future_dates_are_allowed(project: Project, as_of: str) -> None:
    _refused(project, "Parameter check failed (no notebook was run)",
             ["parameter 'as_of'", "expected a date on or before 2027-12-31", as_of],
             overrides=[f"as_of={as_of}"], allow_future_as_of=True)


def test_alias_bomb_message_is_short(tmp_path: Path) -> None:
    from aicompute.pipeline import params

    f = tmp_path / "bomb.yaml"
    f.write_text("all:\n  seed: 1\n" + ALIAS_BOMB.replace("\n", "\n  ").join(["x:\n  ", ""]), encoding="utf-8")
    with pytest.raises(params.ParameterError) as info:
        params.load_params_file(f)
    assert len(str(info.value)) < 300 and "aliases" in str(info.value)


def test_seed_date_is_read_from_the_data(project: Project) -> None:
    import datetime as dt

    from aicompute.pipeline import params

    assert params.seed_date(project.data) == dt.date(2026, 1, 28)
    assert params.seed_date(project.root / "nowhere") is None


@pytest.mark.parametrize("preset", ["../params/bear", "bear/../../x", "/tmp/bear", ".hidden", "bear.yaml", "a b",
                                    ""])
def test_preset_must_be_a_plain_name(project: Project, preset: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = sorted(p.relative_to(project.root).as_posix() for p in project.root.rglob("*"))
    with pytest.raises(SystemExit) as info:
        main(["--project", str(project.root), "--preset", preset, "--no-render"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--preset" in err and ("expected a plain name" in err or "no preset" in err), err
    after = sorted(p.relative_to(project.root).as_posix() for p in project.root.rglob("*"))
    assert after == before  # no stray folder


# --- case 7 and 4: data -----------------------------------------------------------------------------------

def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _write(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _cell(file: str, column: str, value: str, pick: Callable[[dict[str, str]], bool] = lambda r: True):
    """Set ``column`` of the first row matching ``pick``; return (data row, column)."""
    def apply(data: Path) -> tuple[int, str]:
        rows = _rows(data / file)
        header = rows[0]
        for i, row in enumerate(rows[1:], start=1):
            if pick(dict(zip(header, row))):
                row[header.index(column)] = value.replace("{id}", row[0]) if "{id}" in value else value
                _write(data / file, rows)
                return i, column
        raise AssertionError(f"no row to edit in {file}")
    return apply


def _raw(file: str, edit: Callable[[str], str], row: int | None = None, column: str | None = None):
    def apply(data: Path) -> tuple[int | None, str | None]:
        path = data / file
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
        return row, column
    return apply


def _descriptor(edit: Callable[[dict], None]):
    def apply(data: Path) -> tuple[None, None]:
        path = data / "datapackage.json"
        pkg = json.loads(path.read_text(encoding="utf-8"))
        edit(pkg)
        path.write_text(json.dumps(pkg, indent=1), encoding="utf-8")
        return None, None
    return apply


def _res(pkg: dict, name: str) -> dict:
    return next(r for r in pkg["resources"] if r["name"] == name)


def _field(pkg: dict, res: str, name: str) -> dict:
    return next(f for f in _res(pkg, res)["schema"]["fields"] if f["name"] == name)


def _is(col: str, value: str) -> Callable[[dict[str, str]], bool]:
    return lambda r: r[col] == value


def _truncate(text: str) -> str:
    """Cut the file at a line boundary inside a quoted multi-line field, or else just drop the final newline."""
    return text[:-1]


BAD_DATA: dict[str, tuple[Callable[[Path], tuple[int | None, str | None]], str, list[str]]] = {
    # name: (corrupt, file named, phrases)
    # case 4: dates that lie
    "reading published in 2062": (_cell("observations.csv", "published", "2062-01-28"),
                                  "data/observations.csv", [f"after the build date ({BUILD_DAY})"]),
    "seed article dated 2062 (accessed 2062 too)": (lambda d: (_cell("sources.csv", "date", "2062-01-28",
                                                                     _is("id", "seed_article"))(d),
                                                               _cell("sources.csv", "accessed", "2062-02-01",
                                                                     _is("id", "seed_article"))(d))[0],
                                                    "data/sources.csv", [f"after the build date ({BUILD_DAY})"]),
    "claim as_of 2099": (_cell("claims.csv", "as_of", "2099-06-30"), "data/claims.csv",
                         [f"after the build date ({BUILD_DAY})"]),
    "accessed in the future": (_cell("sources.csv", "accessed", "2027-03-01"), "data/sources.csv",
                               ["after the build date"]),
    "accessed before published": (_cell("sources.csv", "date", "2026-12-02", _is("id", "openai_cfo_blog_2026_01")),
                                  "data/sources.csv", ["on or before the day the source was accessed"]),
    "reading published before its source": (_cell("observations.csv", "published", "2020-01-01",
                                                  _is("kind", "forecast")),
                                            "data/observations.csv",
                                            ["before its source", "was published"]),
    "implausible year (date)": (_cell("sources.csv", "date", "1066-10-14"), "data/sources.csv",
                                ["expected a year in [1850,"]),
    "implausible forecast period": (_cell("openai_financials.csv", "period_end", "2199-12-31"),
                                    "data/openai_financials.csv", ["expected a year in [1850, 2100]"]),
    # case 7: odd numerals and characters
    "underscore digits": (_cell("claims.csv", "value", "1_0", lambda r: r["value"] != ""), "data/claims.csv",
                          ["expected a number written with ASCII digits", "'1_0'"]),
    "Arabic-Indic digits": (_cell("claims.csv", "value", "\u0661\u0660", lambda r: r["value"] != ""),
                            "data/claims.csv", ["expected a number written with ASCII digits"]),
    "full-width digits in an integer": (_cell("analogs.csv", "year", "\uff12\uff10\uff10\uff10"), "data/analogs.csv",
                                        ["ASCII digits"]),
    "NUL byte": (_cell("claims.csv", "statement", "Revenue\x00 hidden"), "data/claims.csv",
                 ["control character U+0000"]),
    "control character": (_cell("sources.csv", "title", "A title\x1b[31m"), "data/sources.csv",
                          ["control character U+001B"]),
    "row of only commas": (_raw("claims.csv", lambda t: t + "," * 13 + "\n"), "data/claims.csv",
                           ["only empty fields"]),
    "truncated CSV (no final newline)": (_raw("claims.csv", _truncate), "data/claims.csv",
                                         ["does not end with a newline"]),
    "revises a missing id": (_cell("observations.csv", "revises", "no_such_reading"), "data/observations.csv",
                             ["revises", "no_such_reading"]),
    "revises itself": (_cell("observations.csv", "revises", "{id}"), "data/observations.csv",
                       ["revises", "the row's own id"]),
    # case 7: malformed descriptors
    "resource without path": (_descriptor(lambda p: _res(p, "claims").pop("path")), "data/datapackage.json",
                              ["resource 'claims'", "'path'"]),
    "resource without name": (_descriptor(lambda p: p["resources"][1].pop("name")), "data/datapackage.json",
                              ["resource 2", "'name'"]),
    "bound given as a string": (_descriptor(lambda p: _field(p, "claims", "value").setdefault(
        "constraints", {}).update(minimum="0")), "data/datapackage.json", ["'minimum'", "expected a number"]),
    "unit bound as a string": (_descriptor(lambda p: p["unitBounds"]["GW"].update(maximum="big")),
                               "data/datapackage.json", ["unitBounds", "'GW'", "expected a number"]),
    "bad pattern": (_descriptor(lambda p: _field(p, "claims", "id").setdefault("constraints", {}).update(
        pattern="[a-z")), "data/datapackage.json", ["'pattern'", "not a valid regular expression"]),
    "unknown primary-key field": (_descriptor(lambda p: _res(p, "claims")["schema"].update(primaryKey=["ident"])),
                                  "data/datapackage.json", ["primaryKey", "'ident'"]),
    "unknown foreign-key field": (_descriptor(lambda p: _res(p, "claims")["schema"]["foreignKeys"][0].update(
        fields=["src"])), "data/datapackage.json", ["foreignKeys", "'src'"]),
    "unknown referenced field": (_descriptor(lambda p: _res(p, "claims")["schema"]["foreignKeys"][0]["reference"]
                                             .update(fields=["ident"])), "data/datapackage.json",
                                 ["foreignKeys", "'ident'"]),
    "unknown referenced resource": (_descriptor(lambda p: _res(p, "claims")["schema"]["foreignKeys"][0]["reference"]
                                                .update(resource="sauces")), "data/datapackage.json",
                                    ["foreignKeys", "'sauces'"]),
    "schema not an object": (_descriptor(lambda p: _res(p, "claims").update(schema=["id"])),
                             "data/datapackage.json", ["resource 'claims'", "'schema'", "expected an object"]),
    "fields not a list": (_descriptor(lambda p: _res(p, "claims")["schema"].update(fields={"id": "string"})),
                          "data/datapackage.json", ["'fields'", "expected a list"]),
    "resource path outside data/": (_descriptor(lambda p: _res(p, "claims").update(path="../report/params/x.csv")),
                                    "data/datapackage.json", ["resource 'claims'", "outside the data folder"]),
    "absolute resource path": (_descriptor(lambda p: _res(p, "claims").update(path="/etc/passwd")),
                               "data/datapackage.json", ["outside the data folder"]),
    "descriptor not an object": (_raw("datapackage.json", lambda t: "[" + t + "]"), "data/datapackage.json",
                                 ["expected an object"]),
}


@pytest.mark.parametrize("case", list(BAD_DATA), ids=list(BAD_DATA))
def test_bad_data_refused_before_any_kernel(project: Project, case: str) -> None:
    corrupt, file, phrases = BAD_DATA[case]
    row, column = corrupt(project.data)
    msg = _refused(project, "Data check failed (no notebook was run)", [file, *phrases])
    if row is not None:
        assert f"row {row}" in msg, msg
    if column is not None:
        assert f"column '{column}'" in msg, msg
    assert "Traceback" not in msg


def test_forecast_periods_may_lie_after_the_build_date(project: Project) -> None:
    """A field flagged ``forecastPeriod`` in the descriptor (a period a forecast refers to) may be later."""
    from aicompute import data

    _cell("observations.csv", "period", "2027-06-01", _is("kind", "forecast"))(project.data)
    assert data.validate_package(project.data)["observations"] > 0


def test_rows_are_looked_up_by_id_with_a_clear_message() -> None:
    """Chapter 01 looked the H100 up by its display name: renaming it raised a bare KeyError in the kernel."""
    import pandas as pd

    from aicompute import chips, data

    acc = pd.DataFrame({"id": ["nvidia_h100", "nvidia_b200"], "chip": ["H100 (renamed)", "B200"]})
    assert data.by_id(acc, "nvidia_h100", table="accelerators")["chip"] == "H100 (renamed)"
    with pytest.raises(data.DataError, match=r"^data/accelerators.csv, column 'id': no row with id 'nvidia_h10' "
                                             r".*did you mean \['nvidia_h100'"):
        data.by_id(acc, "nvidia_h10", table="accelerators")
    with pytest.raises(data.DataError, match="2 rows with id 'x'"):
        data.by_id(pd.DataFrame({"id": ["x", "x"]}), "x", table="t")
    real = chips.efficiency_table(data.load("accelerators"))
    assert data.by_id(real, "nvidia_h100", table="accelerators")["tflops_per_kw"] > 0  # the table keeps the id


# --- case 1: injection, end to end in Quarto, Chromium and the PDF -------------------------------------------

#: One payload for every target: an HTML tag with a handler, a script, markdown emphasis, a citation, Typst
#: code, maths, and an unclosed HTML comment (which once swallowed the rest of the page and broke the PDF).
XSS = "window.__aicXSS=1"
PAYLOAD = (f"Z <img src=x onerror=\"{XSS}\"><script>{XSS}</script> *aicMD* [@aicCITE] #text(fill: red)[aicTY] "
           "$aicMATH$ `aicCODE` <!-- aicCOMMENT")
#: Shorter for a file name (no '/'); -p values carry it in a YAML comment, which keeps the value valid.
FILE_PAYLOAD = f"inj <img src=x onerror={XSS}> *aicMD* #text[aicTY] <!-- aicCOMMENT"
#: Cheapest build that renders every page: fast mode, the fewest Monte Carlo paths the ranges allow.
INJECTION_OVERRIDES = ["fast=true", "05_scenarios.n_paths=1000", "05_scenarios.final_paths=1000",
                       "05_scenarios.backtest_paths=1000",
                       f"00_claims_audit.rel_tol=0.05 # {PAYLOAD}"]


def _plant(data: Path) -> None:
    """The payload in every text field that reaches a page: signpost names (front page watch list, chapter 05),
    source titles and publishers (bibliography, tables), claim statements and reasons (ledger, chapter 00)."""
    for file, columns in (("signposts.csv", ["name"]), ("sources.csv", ["title", "publisher"]),
                          ("claims.csv", ["statement", "reason"])):
        rows = _rows(data / file)
        idx = [rows[0].index(c) for c in columns]
        for row in rows[1:]:
            for k in idx:
                row[k] = f"{row[k]} {PAYLOAD}"
        _write(data / file, rows)


class _Scan:
    """Markup the payload created in a page, found by parsing it (Quarto writes '<' raw inside quoted
    attributes such as chart aria-labels, so a substring search would see payloads that are only text)."""

    def __init__(self, text: str) -> None:
        import re
        from html.parser import HTMLParser

        self.found: list[str] = []
        found, stack = self.found, []

        class P(HTMLParser):
            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                a = dict(attrs)
                if tag == "img" and a.get("src") == "x" or any(k.startswith("on") and XSS in (v or "")
                                                               for k, v in attrs):
                    found.append(f"<{tag} {attrs}>")
                stack.append(tag)

            def handle_endtag(self, tag: str) -> None:
                if tag in stack:
                    del stack[len(stack) - 1 - stack[::-1].index(tag):]

            def handle_data(self, data: str) -> None:
                top = stack[-1] if stack else ""
                if top == "script" and "<!--" in data and re.search(r"<script[\s/>]", data, re.I):
                    found.append("'<!--' then '<script' inside a script (it swallows the page after it)")
                if top != "script" and "<!--" in data and "aicCOMMENT" in data:
                    found.append("an unclosed HTML comment opened by the payload (swallows the rest of the page)")
                if top == "script" and data.strip() == XSS:
                    found.append("<script> from the payload")
                if top in ("em", "strong", "cite", "code", "math") and data.strip() in ("aicMD", "aicCODE",
                                                                                         "aicMATH"):
                    found.append(f"<{top}>{data.strip()}</{top}> from markdown in the payload")

            def handle_comment(self, data: str) -> None:
                if "aicCOMMENT" in data:
                    found.append("an HTML comment opened by the payload")

        parser = P(convert_charrefs=False)  # an escaped '&lt;!--' stays text, a raw '<!--' is seen
        parser.feed(text)
        parser.close()


def test_scan_finds_markup_made_by_the_payload_and_not_text() -> None:
    """The detector itself, on hand-made pages."""
    import html as h

    assert _Scan(f'<p>{h.escape(PAYLOAD)}</p><div aria-label="{PAYLOAD.replace(chr(34), "&quot;")}"></div>').found == []
    assert len(_Scan(f"<p>{PAYLOAD}</p>").found) == 3  # img, script, comment
    assert _Scan("<p><em>aicMD</em></p>").found


@pytest.mark.slow
@pytest.mark.hostile
def test_injection_nothing_executes_and_the_pdf_builds(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Payloads planted in the data, the parameters file's name and a -p value: the build succeeds, every page
    shows them as text (parsed: no element, script or comment from them; in Chromium: no handler ran), and the
    PDF builds and prints them. Costs one fast build of the whole book (fast mode, 1,000 Monte Carlo paths):
    20 min measured on the shared 2-core machine under load (notebooks ~8 min, Quarto HTML + typst ~11 min,
    Chromium over 10 pages ~20 s); the payloads change every data file the notebooks read, so nothing is cached."""
    import os
    import shutil
    import subprocess
    import tempfile
    import time

    from aicompute.pipeline.render import RenderError, find_quarto

    try:
        find_quarto()
    except RenderError as exc:
        if os.environ.get("AICOMPUTE_REQUIRE_QUARTO") == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    sync_api = pytest.importorskip("playwright.sync_api")
    root = tmp_path_factory.mktemp("inject")
    project = copy_sources(root)
    _plant(project.data)
    params_file = root / f"{FILE_PAYLOAD}.yaml"
    shutil.copy(project.report / "params" / "default.yaml", params_file)
    mp = pytest.MonkeyPatch()
    mp.setenv("AICOMPUTE_ROOT", str(root))
    t0 = time.perf_counter()
    try:
        build(project, params_file=params_file, overrides=INJECTION_OVERRIDES, log=lambda s: None)
    finally:
        mp.undo()
    seconds = time.perf_counter() - t0
    pages = sorted(project.site.glob("*.html"))
    shown = {p.name for p in pages if "aicTY" in p.read_text(encoding="utf-8")}
    assert {"index.html", "references.html", "05_scenarios.html", "00_claims_audit.html"} <= shown, shown
    front = (project.site / "index.html").read_text(encoding="utf-8")
    assert "aicCOMMENT" in front and front.count("aicTY") >= 3  # watch list, parameters note: all of it shown
    made = {p.name: _Scan(p.read_text(encoding="utf-8")).found for p in pages}
    assert not any(made.values()), {k: v[:3] for k, v in made.items() if v}
    if shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", str(project.site / "report.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
        assert "aicCOMMENT" in pdf and "aicTY" in pdf and "#text" in pdf  # printed, not run or swallowed
    else:
        assert (project.site / "report.pdf").stat().st_size > 10_000
    if chromium is None:
        pytest.skip(f"built and parsed in {seconds:.0f} s; Debian chromium not installed for the browser check")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    ran: dict[str, object] = {}
    with sync_api.sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="aicompute-chromium-") as profile:
        context = pw.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True, args=flags)
        try:
            for p in pages:
                page = context.new_page()
                dialogs: list[str] = []
                page.on("dialog", lambda d, out=dialogs: (out.append(d.message), d.dismiss()))
                page.goto(p.as_uri(), wait_until="load")
                page.wait_for_timeout(300)
                hit = page.evaluate("() => window.__aicXSS")
                if hit is not None or dialogs:
                    ran[p.name] = hit or dialogs
                page.close()
        finally:
            context.close()
    assert not ran, ran


def test_chart_script_holds_no_markup_from_the_data() -> None:
    """A chart's spec is a <script>: '<!--' then '<script' in a title would make it swallow the page after it
    (HTML's "script data escaped" states), so no '<' is written raw; the spec still reads back the same."""
    import re

    from aicompute import charts

    spec = {"title": {"text": PAYLOAD}, "mark": "bar"}
    out = charts._embed_html(spec, "c1", "t")
    script = out.split("<script>", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in script
    assert json.loads(re.search(r"var spec=(\{.*?\});function", script).group(1)) == spec
