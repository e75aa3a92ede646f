"""aicompute — helper library for the report "AI compute economics: the 24-month test".

The layers, in import order: each imports only those above it (the models return codes and numbers; the words
for them, such as a pending claim's reason or a reading's period, are ``narrative/``'s).
``tests/test_imports.py`` checks that there is no import cycle and that nothing outside ``pipeline`` imports it but
the command line.
    paths, context, escape, formatting, chapters, parameters_cell   where files live, the run, escaping,
                                  numbers in words, the chapter registry, a notebook's parameters
    datapackage, data, evidence   load and validate ``data/`` (Frictionless), and filter it to an as-of date
    chips, infra, finance, bubble, bottomup, audit, provenance, verdicts, dials, scenarios/   the models and
                                  verdict rules: numbers, not sentences
    narrative/, figures/, charts, tables, cite, prose   the words, charts and tables made from those numbers
    results, summary, headlines, appendix   what the chapters publish, and the front page built from it
    pipeline/                     the build: parameters, execution (papermill), cache, render (Quarto), locks
                                  (``python -m aicompute build``, ``make report``)
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
