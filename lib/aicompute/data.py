"""The data package as chapters and models read it: one import for the loader and the evidence layer.

The layers, each importing only those before it (no cycle):

1. :mod:`aicompute.datapackage` loads and validates ``data/`` (``load``, ``claim``, ``claims``,
   ``validate_package``, :class:`DataError`);
2. :mod:`aicompute.evidence` filters it to what was public on an as-of date (``evidence(as_of)``,
   :class:`NotYetPublished`);
3. this module puts both under one name for the chapters and the models above them:
   ``ev = data.evidence(as_of)``, ``data.load(name)``.
"""

from __future__ import annotations

from aicompute.datapackage import (
    Claim,
    DataError,
    by_id,
    claim,
    claims,
    data_dir,
    load,
    resources,
    validate_package,
)
from aicompute.evidence import Evidence, NotYetPublished, evidence

__all__ = ["DataError", "Claim", "load", "claim", "claims", "validate_package", "resources", "evidence",
           "Evidence", "NotYetPublished",
           "data_dir", "by_id"]
