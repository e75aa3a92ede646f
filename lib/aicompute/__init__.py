"""aicompute — helper library for the report "AI compute economics: the 24-month test".

Modules:
    paths    where things live (anchored on the package, never on the working directory)
    data     load and validate the Frictionless data package (`load`, `claim`, `DataError`)
    charts   house theme, source lines and the offline (no-CDN) chart renderer
    tables   tables shown as HTML (escaped) and Markdown (for the PDF)
    cite     report/references.bib from data/sources.csv; chart source lines matching the citations
    results  headline results a notebook publishes for the executive summary
    params   parameter validation for the build
    audit    consistency arithmetic of the claims audit
    build    the papermill -> render pipeline (`python -m aicompute build`)
"""

from __future__ import annotations

import os
import sys

__version__ = "0.1.0"


def _skip_slow_optional_imports() -> None:
    """Skip ``rfc3987_syntax`` (about 1.1 s of grammar building at import, measured by ``make bench``).

    jsonschema imports it only to check the optional ``iri``/``iri-reference`` string formats; it arrives
    via ``jsonschema[format-nongpl]`` (jupyter-events, for JupyterLab). Nothing in the build or the notebooks
    validates those formats: altair and nbformat validate against schemas that do not use them. Marking the
    module absent makes jsonschema fall back as if it were not installed. Set AICOMPUTE_KEEP_SLOW_IMPORTS=1
    to disable; it only acts when aicompute is imported before jsonschema (notebooks import altair via
    ``aicompute.charts``).
    """
    if os.environ.get("AICOMPUTE_KEEP_SLOW_IMPORTS") != "1" and "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


_skip_slow_optional_imports()
