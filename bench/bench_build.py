"""Build benchmark (``make bench``): timings and peak memory of the real build, on a scratch copy.

Prints, in one run:
  * cold build (our pipeline: parallel papermill, then render) vs the same notebooks run one after
    another with the papermill CLI, and their ratio;
  * no-op rebuild (everything cached);
  * rebuild after editing one data file that the notebooks read;
  * peak memory (largest resident set of any process of the build: the build, a worker or a kernel);
  * import cost of altair with and without the skipped optional import (see aicompute/__init__.py);
  * the Quarto render alone, HTML and PDF (typst) timed separately, and the size of each page of the site.
The scratch copy keeps your report/_site and build/ untouched. Needs Quarto (the build renders with it).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aicompute.pipeline import render
from aicompute.pipeline.build import copy_sources

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def _timed(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"benchmark step failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    return time.perf_counter() - start


def _import_time(keep_slow: bool) -> float:
    env = {**os.environ, "AICOMPUTE_KEEP_SLOW_IMPORTS": "1" if keep_slow else "0"}
    code = ("import time; t = time.perf_counter(); import aicompute; import altair; "
            "print(time.perf_counter() - t)")
    runs = [float(subprocess.run([PY, "-c", code], env=env, capture_output=True, text=True, check=True).stdout)
            for _ in range(3)]
    return min(runs)


def _quarto_times(report: Path) -> dict[str, float]:
    """``quarto render --no-execute`` of the staged book, one format at a time (CPU-bound; best of one run)."""
    quarto, _ = render.find_quarto()
    times = {}
    for fmt in ("html", "typst"):
        out = Path(tempfile.mkdtemp(prefix=f"_site.bench-{fmt}-", dir=report))
        try:
            times[fmt] = render.quarto_render(quarto, report, out, fmt)
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return times


def main() -> None:
    try:
        render.find_quarto()
    except render.RenderError as exc:
        sys.exit(f"make bench renders the report: {exc}")
    scratch = Path(tempfile.mkdtemp(prefix="aicompute-bench-"))
    try:
        copy_sources(scratch)
        env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        build = [PY, "-m", "aicompute", "build"]
        notebooks = sorted((scratch / "notebooks").glob("[0-9][0-9]_*.ipynb"))

        cold = _timed(build, env, scratch)
        noop = _timed(build, env, scratch)
        claims = scratch / "data" / "claims.csv"
        claims.write_text(claims.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        after_edit = _timed(build, env, scratch)

        seq_dir = scratch / "sequential"
        seq_dir.mkdir()
        start = time.perf_counter()
        for nb in notebooks:
            subprocess.run([PY, "-m", "papermill", str(nb), str(seq_dir / nb.name), "--cwd", str(nb.parent),
                            "-k", "python3", "--no-progress-bar"], env=env, check=True, capture_output=True)
        sequential = time.perf_counter() - start
        execute_only = _timed([*build, "--force", "--no-render", "--build-dir", str(scratch / "b2")], env, scratch)

        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        quarto_times = _quarto_times(scratch / "report")  # the build left the staged notebooks there
        site = scratch / "report" / "_site"
        pages = sorted(site.glob("*.html"))
        slow, fast = _import_time(True), _import_time(False)
        cores = os.cpu_count()
        print(f"aicompute build benchmark — {len(notebooks)} notebook(s), {cores} cores, Python {sys.version.split()[0]}")
        print(f"  cold build (execute + render)          {cold:7.1f} s")
        print(f"  execute only, our pipeline (--force)   {execute_only:7.1f} s")
        print(f"  papermill CLI, sequential              {sequential:7.1f} s")
        print(f"  ratio sequential / our execute         {sequential / execute_only:7.2f} x")
        print(f"  no-op rebuild                          {noop:7.1f} s")
        print(f"  rebuild after editing claims.csv       {after_edit:7.1f} s")
        print(f"  peak memory (largest process)          {peak_mb:7.0f} MB")
        print(f"  import aicompute+altair                {fast:7.2f} s  (with rfc3987_syntax: {slow:.2f} s)")
        print(f"  quarto render --to html (site)         {quarto_times['html']:7.1f} s")
        print(f"  quarto render --to typst (PDF)         {quarto_times['typst']:7.1f} s")
        print(f"  site: {len(pages)} pages, {sum(p.stat().st_size for p in pages) / 1e3:,.0f} KB of HTML; shared Vega "
              f"runtime {(site / 'assets' / 'vega-bundle.js').stat().st_size / 1e3:,.0f} KB; "
              f"PDF {(site / 'report.pdf').stat().st_size / 1e6:.1f} MB")
        for page in pages:
            print(f"    {page.name:<28} {page.stat().st_size / 1e3:7.0f} KB")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
