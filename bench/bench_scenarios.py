"""Monte Carlo benchmark (``make bench``): the vectorised scenario model against a plain-Python loop.

Prints the time of ``aicompute.scenarios.simulate`` for 100,000 paths over the 24-month horizon, the
same model run path by path in plain Python (``simulate_loop``, same random numbers and results) on
fewer paths, the ratio per path, and the peak memory of each (tracemalloc).
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np

from aicompute import data
from aicompute import scenarios as sc

N_VECTOR = 100_000
N_LOOP = 4_000


def _timed(fn, *args, **kw):
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - start


def _peak_mb(fn, *args, **kw) -> float:
    tracemalloc.start()
    fn(*args, **kw)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def main() -> None:
    model = sc.model_from_table(data.load("scenario_drivers"), sc.start_from_ledger())
    sc.simulate(model, 400, seed=0)  # warm-up
    t_vec = min(_timed(sc.simulate, model, N_VECTOR, seed=1)[1] for _ in range(3))
    small, t_small = _timed(sc.simulate, model, N_LOOP, seed=2)
    loop, t_loop = _timed(sc.simulate_loop, model, N_LOOP, seed=2)
    same = all(np.allclose(small.paths[s][v], loop.paths[s][v]) for s in sc.SCENARIOS for v in sc.VARIABLES)
    mem_vec, mem_loop = _peak_mb(sc.simulate, model, N_VECTOR, seed=1), _peak_mb(sc.simulate_loop, model, N_LOOP, seed=2)
    per_vec, per_loop = t_vec / N_VECTOR, t_loop / N_LOOP
    print(f"aicompute scenario Monte Carlo — {sc.HORIZON} months, {len(sc.VARIABLES)} variables, "
          f"Python {sys.version.split()[0]}, numpy {np.__version__}")
    print(f"  vectorised, {N_VECTOR:,} paths (best of 3)      {t_vec:7.2f} s   peak {mem_vec:5.0f} MB (tracemalloc)")
    print(f"  vectorised, {N_LOOP:,} paths                    {t_small:7.3f} s")
    print(f"  plain-Python loop, {N_LOOP:,} paths             {t_loop:7.2f} s   peak {mem_loop:5.0f} MB"
          f"   (same results: {'yes' if same else 'NO'})")
    print(f"  ratio loop / vectorised (per path)          {per_loop / per_vec:7.0f} x")
    print(f"  loop extrapolated to {N_VECTOR:,} paths          {per_loop * N_VECTOR:7.0f} s")


if __name__ == "__main__":
    main()
