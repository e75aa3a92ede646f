"""Monte Carlo benchmark (``make bench``): the vectorised scenario model against a plain-Python loop.

Prints the time of :func:`aicompute.scenarios.model.simulate` for 100,000 paths over the 24-month horizon, the
same model run path by path in plain Python (``bench/scenario_loop.py``: same random numbers, same results) on
fewer paths, the ratio per path, and the peak memory of each (tracemalloc). The targets: the vectorised run
under 1 s for 100,000 paths and at least 50 times faster per path than the loop (measured here, not asserted
in the tests).
"""

from __future__ import annotations

import math
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenario_loop import simulate_loop  # noqa: E402

from aicompute import data  # noqa: E402
from aicompute.scenarios import model as sm  # noqa: E402
from aicompute.scenarios import start as st  # noqa: E402

N_VECTOR = 100_000
N_LOOP = 2_000
REPEATS = 5


def _timed(fn, *args, **kw):
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t0


def _peak_mb(fn, *args, **kw) -> float:
    tracemalloc.start()
    fn(*args, **kw)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def main() -> None:
    ev = data.evidence()  # the report's as-of date (report/params/default.yaml)
    cal = sm.Calibration.from_table(ev.table("scenario_drivers"))
    start = st.start_2026(ev, cal)
    sm.simulate(cal, start, 400, seed=0)  # warm-up
    # best of REPEATS for each, the two interleaved so that a slow spell of the machine hits both alike
    t_vec, t_loop = math.inf, math.inf
    for _ in range(REPEATS):
        t_vec = min(t_vec, _timed(sm.simulate, cal, start, N_VECTOR, 1)[1])
        loop, t = _timed(simulate_loop, cal, start, N_LOOP, 2)
        t_loop = min(t_loop, t)
    small, t_small = _timed(sm.simulate, cal, start, N_LOOP, 2)
    same = all(np.allclose(small.variable(k), loop[k], rtol=1e-5) for k in ("capex", "chips", "nvidia_dc", "spread")) \
        and bool((small.regime == loop["regime"]).all())
    mem_vec, mem_loop = _peak_mb(sm.simulate, cal, start, N_VECTOR, 1), _peak_mb(simulate_loop, cal, start, N_LOOP, 2)
    per_vec, per_loop = t_vec / N_VECTOR, t_loop / N_LOOP
    print(f"aicompute scenario Monte Carlo — {start.horizon} months, Python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"  vectorised, {N_VECTOR:,} paths (best of {REPEATS})      {t_vec:7.2f} s   peak {mem_vec:5.0f} MB (tracemalloc)"
          f"   target < 1 s: {'met' if t_vec < 1 else 'MISSED'}")
    print(f"  vectorised, {N_LOOP:,} paths                    {t_small:7.3f} s")
    print(f"  plain-Python loop, {N_LOOP:,} paths (best of {REPEATS}) {t_loop:7.2f} s   peak {mem_loop:5.0f} MB"
          f"   (same results: {'yes' if same else 'NO'})")
    print(f"  ratio loop / vectorised (per path)          {per_loop / per_vec:7.0f} x   target >= 50: "
          f"{'met' if per_loop / per_vec >= 50 else 'MISSED'}")
    print(f"  loop extrapolated to {N_VECTOR:,} paths          {per_loop * N_VECTOR:7.0f} s")
    # both runs draw their random numbers with the same numpy calls (sm.draws); without them, the simulation alone
    t_draw_vec = min(_timed(sm.draws, cal, start, N_VECTOR, 1)[1] for _ in range(REPEATS))
    t_draw_loop = min(_timed(sm.draws, cal, start, N_LOOP, 2)[1] for _ in range(REPEATS))
    sim_ratio = ((t_loop - t_draw_loop) / N_LOOP) / ((t_vec - t_draw_vec) / N_VECTOR)
    print(f"  random draws (shared code), {N_VECTOR:,} paths   {t_draw_vec:7.2f} s   ({t_draw_vec / t_vec:.0%} of the vectorised run)")
    print(f"  ratio without the shared draws (per path)   {sim_ratio:7.0f} x")


if __name__ == "__main__":
    main()
