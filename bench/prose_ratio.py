"""Markdown against code, per chapter: does a chapter notebook read as a document?

    python bench/prose_ratio.py                 # the working tree's chapters
    python bench/prose_ratio.py --ref ca5b8ee   # and the same chapters at a git revision, side by side

Counts the non-blank source lines of Markdown cells and of code cells (the parameters cell and Quarto's
``#|`` cell options are not code a reader reads, so they are left out) and prints the ratio markdown / code;
the target of issue 18 is more prose than code (a ratio above 1) in every chapter.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def line_counts(nb: dict) -> tuple[int, int]:
    """(markdown lines, code lines) of a notebook's JSON: non-blank source lines; the parameters cell and
    ``#|`` option lines are not counted as code."""
    md = code = 0
    for cell in nb["cells"]:
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        lines = [ln for ln in src.splitlines() if ln.strip()]
        if cell["cell_type"] == "markdown":
            md += len(lines)
        elif cell["cell_type"] == "code" and "parameters" not in cell.get("metadata", {}).get("tags", []):
            code += len([ln for ln in lines if not ln.lstrip().startswith("#|")])
    return md, code


def _at(ref: str, path: Path) -> dict | None:
    rel = path.relative_to(ROOT).as_posix()
    out = subprocess.run(["git", "-C", str(ROOT), "show", f"{ref}:{rel}"], capture_output=True, text=True)
    return json.loads(out.stdout) if out.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", help="also count the chapters at this git revision (before/after)")
    args = ap.parse_args(argv)
    print(f"{'chapter':<22}" + (f"{'before md/code':>18}{'ratio':>7}" if args.ref else "") + f"{'md/code':>12}{'ratio':>7}")
    for path in sorted((ROOT / "notebooks").glob("0[0-9]_*.ipynb")):
        md, code = line_counts(json.loads(path.read_text(encoding="utf-8")))
        row = f"{path.stem:<22}"
        if args.ref:
            old = _at(args.ref, path)
            if old is None:
                row += f"{'-':>18}{'-':>7}"
            else:
                omd, ocode = line_counts(old)
                row += f"{f'{omd}/{ocode}':>18}{omd / max(ocode, 1):>7.2f}"
        row += f"{f'{md}/{code}':>12}{md / max(code, 1):>7.2f}"
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
