"""Models return numbers, codes and structures; wording lives in :mod:`aicompute.narrative` (issue 18).

A static check of the rule: outside ``narrative/`` and the publish layer, no library function builds a phrase in
an f-string (three words or more of literal text). The publish layer writes pages, charts and messages, not
models: the front page (``summary``), charts and chart titles (``charts``, ``figures/``), tables, the formatter
and published results, the dials' widget, citations, escaping, and the build and validation messages
(``pipeline/``, ``datapackage``). Error messages (``raise``) and warnings are not report text.
"""

from __future__ import annotations

import ast
import re

from aicompute.paths import ROOT

LIB = ROOT / "lib" / "aicompute"
#: Folders and modules that write pages or messages (see the module docstring), relative to lib/aicompute.
PUBLISH_LAYER = {"narrative", "pipeline", "figures", "summary.py", "charts.py", "tables.py", "formatting.py",
                 "results.py", "dials.py", "cite.py", "escape.py", "datapackage.py", "__main__.py", "cli.py"}
#: Table labels built from data (a row's name in a generated table, not a sentence), by module:function.
LABELS = {
    "bubble.py:peak_comparison": "the 'then'/'now' cells of the peaks table ('dot-com peak, 2000')",
    "infra.py:gpu_count_readings": "the 'reading' cell of the GPU-count table ('Epoch: per building x 8 buildings')",
    "scenarios/update.py:prepare": "a reading's status code, with the basis it is on ('another revenue basis (gross)')",
}
_WORD = re.compile(r"\b[A-Za-z]{2,}\b")
_QUIET = {"warn", "warning", "info", "debug", "error", "write", "print"}


def phrases(source: str) -> list[tuple[str, int, str]]:
    """(function, line, literal text) of every f-string with three words or more of literal text in ``source``,
    outside ``raise`` statements (and the names a raise uses, such as a 'did you mean' hint), warnings and prints."""
    tree = ast.parse(source)
    quiet: set[int] = set()
    for node in ast.walk(tree):
        call = node.func if isinstance(node, ast.Call) else None
        name = call.attr if isinstance(call, ast.Attribute) else call.id if isinstance(call, ast.Name) else None
        if isinstance(node, ast.Raise) or name in _QUIET:
            quiet.update(id(sub) for sub in ast.walk(node))
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            raised = {n.id for r in ast.walk(fn) if isinstance(r, ast.Raise) for n in ast.walk(r) if isinstance(n, ast.Name)}
            for a in ast.walk(fn):
                if isinstance(a, ast.Assign) and any(isinstance(t, ast.Name) and t.id in raised for t in a.targets):
                    quiet.update(id(sub) for sub in ast.walk(a.value))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.JoinedStr) and id(node) not in quiet:
                text = " ".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if len(_WORD.findall(text)) >= 3:
                    found.append((fn.name, node.lineno, text))
    return found


def test_the_check_finds_a_sentence_and_ignores_messages_and_codes() -> None:
    src = '''
def verdict(x):
    hint = f"; did you mean {-x}?"
    if x < 0:
        raise ValueError(f"x must be positive, got {x}{hint}")
    return f"the median ({x}) is below every projection"

def code(x):
    return "below" if x < 0 else f"{x:.0f}"
'''
    assert [(f, t) for f, _, t in phrases(src)] == [("verdict", "the median ( ) is below every projection")]


def test_no_model_returns_a_sentence() -> None:
    offenders = []
    for path in sorted(LIB.rglob("*.py")):
        rel = path.relative_to(LIB)
        if PUBLISH_LAYER & {rel.parts[0], path.name}:
            continue
        for fn, line, text in phrases(path.read_text(encoding="utf-8")):
            if f"{rel.as_posix()}:{fn}" not in LABELS:
                offenders.append(f"{rel.as_posix()}:{line} {fn}: {text!r}")
    assert not offenders, ("wording built outside aicompute.narrative (move it there; the model returns numbers or "
                           "codes):\n" + "\n".join(offenders))


#: 'a' or 'an' typed before a number the text does not know ('at a `{python} fmt(wacc)`' read 'at a 8%'), in a
#: notebook's Markdown (the article may end the line before) or in a code cell's f-string ('At a {plain(x)}').
_ARTICLE_BEFORE_NUMBER = re.compile(r"\b[Aa]n?(?:\s|\\n\",\s*\")+\*{0,2}`\{python\} (?:fmt|fmt_range|text|plain|results\.text)\("
                                    r"|\b[Aa]n? \{(?:plain|fmt|number)\(")


def test_no_article_is_typed_before_a_number() -> None:
    assert _ARTICLE_BEFORE_NUMBER.search('at a `{python} fmt(wacc, spec=".0%")` cost')
    assert _ARTICLE_BEFORE_NUMBER.search('at a\\n",\n    "`{python} fmt(wacc)` cost')
    assert _ARTICLE_BEFORE_NUMBER.search("f\"At a {plain(wacc, spec='.0%')} cost")
    assert not _ARTICLE_BEFORE_NUMBER.search('at `{python} an(fmt(wacc, spec=".0%"))` cost; a `{python} quote(x)` source')
    found = [(nb.name, m.group(0)) for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))
             for m in _ARTICLE_BEFORE_NUMBER.finditer(nb.read_text(encoding="utf-8"))]
    assert not found, f"write `{{python}} an(fmt(...))` (aicompute.formatting.an: 'an 8%', 'a 12%'): {found}"
