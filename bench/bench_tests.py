"""Time the two test tiers and list the slowest tests (part of `make bench`).

    python bench/bench_tests.py            # make test-fast, then make test
    python bench/bench_tests.py --fast     # the fast tier only

Targets on a quiet 2-core machine: the fast tier (no kernels, no Quarto) <= 45 s; the whole suite, including
its one report build, <= 150 s. Each tier runs pytest once with a JUnit XML report and bench/cputime_plugin.py;
the wall time, the CPU time of pytest and its children (a loaded machine shows wall >> CPU), the load average, and
the slowest 10 tests in CPU seconds (what a loaded machine does not distort; their wall seconds beside) are printed.
"""

from __future__ import annotations

import argparse
import os
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
        env = {**os.environ, "CPUTIME_DIR": tmp,
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "bench"), os.environ.get("PYTHONPATH")]))}
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "cputime_plugin",
                               *args, f"--junitxml={xml}"], cwd=ROOT, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        walls, failed = {}, []
        if xml.exists():
            for case in ET.parse(xml).getroot().iter("testcase"):
                test = f"{case.get('classname')}::{case.get('name')}"
                walls[test] = float(case.get("time", 0))
                if case.find("failure") is not None or case.find("error") is not None:
                    failed.append(test)
        cpus: dict[str, float] = {}
        for tsv in Path(tmp).glob("*.tsv"):  # one per pytest process (xdist worker)
            for line in tsv.read_text(encoding="utf-8").splitlines():
                seconds, nodeid = line.split("\t", 1)
                cpus[nodeid] = cpus.get(nodeid, 0.0) + float(seconds)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    tail = proc.stdout.strip().splitlines()[-1:] or [""]

    def wall_of(nodeid: str) -> float:  # junit names tests by dotted module path and name
        module, _, rest = nodeid.partition("::")
        return walls.get(f"{module.removesuffix('.py').replace('/', '.')}::{rest}", float("nan"))

    slowest = sorted(((c, wall_of(t), t) for t, c in cpus.items()), reverse=True)[:10]
    return {"name": name, "wall": wall, "cpu": cpu, "ok": proc.returncode == 0, "summary": tail[0],
            "slowest": slowest, "failed": failed, "load": (load, os.getloadavg()[0]),
            "tests_cpu": sum(cpus.values())}


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
        print(f"  load average {r['load'][0]:.1f} before, {r['load'][1]:.1f} after (2 cores: wall means little above "
              f"~2); {r['tests_cpu']:.0f} s of the CPU inside tests, the rest starting and collecting")
        for test in r["failed"]:
            print(f"  FAILED {test}")
        print("  slowest 10 tests (CPU s of the test and the processes it waited for; wall s):")
        for cpu, wall, test in r["slowest"]:
            print(f"    {cpu:6.1f} CPU s {wall:6.1f} s  {test}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
