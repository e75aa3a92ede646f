"""The library's size per layer: physical lines and code lines.

    python bench/loc.py                 # the working tree's lib/aicompute
    python bench/loc.py --ref f6cf76d   # and the same at a git revision, side by side

Code lines are the lines that carry a token other than a comment or a docstring (blank lines, comment-only lines
and docstrings are left out), so trimming prose alone does not move them.
"""

from __future__ import annotations

import argparse
import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "lib/aicompute"
LAYERS = ("pipeline", "scenarios", "narrative", "figures")


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not a comment alone, not part of a docstring (of the module, a class or a
    function; a string statement elsewhere is code)."""
    docstrings: set[int] = set()
    owners = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, owners) and node.body and isinstance(node.body[0], ast.Expr):
            value = node.body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.update(range(value.lineno, value.end_lineno + 1))
    lines: set[int] = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in skip:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - docstrings)


def layer(path: str) -> str:
    parts = Path(path).relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 and parts[0] in LAYERS else "the rest"


def measure(files: dict[str, str]) -> dict[str, tuple[int, int]]:
    """{layer: (physical lines, code lines)} plus a "total" row."""
    table = {name: [0, 0] for name in (*LAYERS, "the rest", "total")}
    for path, source in files.items():
        for row in (layer(path), "total"):
            table[row][0] += len(source.splitlines())
            table[row][1] += code_lines(source)
    return {name: (phys, code) for name, (phys, code) in table.items()}


def tree_files() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text() for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def ref_files(ref: str) -> dict[str, str]:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True).stdout

    names = [n for n in git("ls-tree", "-r", "--name-only", ref, PACKAGE).splitlines() if n.endswith(".py")]
    return {n: git("show", f"{ref}:{n}") for n in names}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", help="also count the library at this git revision")
    args = ap.parse_args(argv)
    now = measure(tree_files())
    if args.ref:
        then = measure(ref_files(args.ref))
        print(f"{'layer':<10} {'lines ' + args.ref:>16} {'now':>7} {'code ' + args.ref:>16} {'now':>7}")
        for name in now:
            print(f"{name:<10} {then[name][0]:>16,} {now[name][0]:>7,} {then[name][1]:>16,} {now[name][1]:>7,}")
    else:
        print(f"{'layer':<10} {'lines':>7} {'code':>7}")
        for name, (phys, code) in now.items():
            print(f"{name:<10} {phys:>7,} {code:>7,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
