"""bench/loc.py: what counts as a code line (the library's size, issue 19), checked by hand."""

import importlib.util

from aicompute.paths import ROOT


def _loc():
    spec = importlib.util.spec_from_file_location("loc", ROOT / "bench" / "loc.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_code_lines_by_hand() -> None:
    """Blank lines, comments alone and docstrings (module, class, function) are not code; a bracket spread
    over lines is, line by line; a string statement inside an ``if`` is code."""
    source = '''"""Module
docstring."""

# a comment
x = [1,  # trailing comment: still code
     2]


def f():
    """Doc."""
    if x:
        "not a docstring"
    return x
'''
    # code: x = [1, / 2] / def f(): / if x: / "not a docstring" / return x
    assert _loc().code_lines(source) == 6


def test_layers_and_total() -> None:
    """Files sort into their layer folder, top-level modules into "the rest"; the total adds both counts."""
    loc = _loc()
    table = loc.measure({"lib/aicompute/figures/a.py": "a = 1\n\n", "lib/aicompute/b.py": '"""D."""\nb = 2\n'})
    assert table["figures"] == (2, 1)
    assert table["the rest"] == (2, 1)
    assert table["total"] == (4, 2)
    assert table["pipeline"] == (0, 0)
