"""Time the two test tiers and list the slowest tests (part of `make bench`).

    python bench/bench_tests.py            # make test-fast, then make test
    python bench/bench_tests.py --fast     # the fast tier only

Targets on a quiet 2-core machine: the fast tier (no kernels, no Quarto) <= 45 s; the whole suite, including
its one report build, <= 150 s. Each tier runs pytest once with a JUnit XML report; the wall time, the CPU time
of pytest and its children (a loaded machine shows wall >> CPU), and the slowest 10 tests are printed.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
XDIST = ["-n", "auto", "--dist", "loadgroup"]  # as the Makefile's XDIST: every core, one worker per shared build
TIERS = {"make test-fast": [*XDIST, "-m", "not slow"], "make test": XDIST}
TARGETS = {"make test-fast": 45.0, "make test": 150.0}


def run_tier(name: str, args: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "junit.xml"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args,
                               f"--junitxml={xml}"], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cases, failed = [], []
        if xml.exists():
            for case in ET.parse(xml).getroot().iter("testcase"):
                test = f"{case.get('classname')}::{case.get('name')}"
                cases.append((float(case.get("time", 0)), test))
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(test)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tail = proc.stdout.strip().splitlines()[-1:] or [""]
    return {"name": name, "wall": wall, "cpu": cpu, "ok": proc.returncode == 0, "summary": tail[0],
            "slowest": sorted(cases, reverse=True)[:10], "failed": failed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fast", action="store_true", help="time the fast tier only")
    args = parser.parse_args(argv)
    failed = False
    for name, extra in TIERS.items():
        if args.fast and name != "make test-fast":
            continue
        r = run_tier(name, extra)
        failed |= not r["ok"]
        verdict = "within" if r["wall"] <= TARGETS[name] else "OVER"
        print(f"{name}: {r['wall']:.0f} s wall, {r['cpu']:.0f} s CPU ({verdict} the {TARGETS[name]:.0f} s target); "
              f"{r['summary']}")
        for test in r["failed"]:
            print(f"  FAILED {test}")
        print("  slowest 10 tests:")
        for seconds, test in r["slowest"]:
            print(f"    {seconds:7.1f} s  {test}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
