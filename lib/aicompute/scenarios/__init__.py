"""Chapter 05's scenario model, split by job.

* :mod:`~aicompute.scenarios.model`: the regime-switching Monte Carlo (vectorised), endings defined by outcomes,
  the hazard calibrated to base rates;
* :mod:`~aicompute.scenarios.start`: where each run starts (January 2026 from pre-seed sources; the backtests);
* :mod:`~aicompute.scenarios.baserates`: base rates from the history of chip revenue;
* :mod:`~aicompute.scenarios.update`: readings reweight paths (bounded Student-t likelihoods, revisions,
  correlated readings), odds over time and over the calibration grid;
* :mod:`~aicompute.scenarios.signposts`: each lab's revenue on its basis, what to watch, the posterior predictive
  check against published projections.

No chart code here: the chapter's charts are in :mod:`aicompute.charts`.
"""

from aicompute.scenarios import baserates, model, signposts, start, update

__all__ = ["baserates", "model", "signposts", "start", "update"]
