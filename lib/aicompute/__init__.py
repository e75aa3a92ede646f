"""aicompute — helper library for the report "AI compute economics: the 24-month test".

Modules:
    paths    where things live (anchored on the package, never on the working directory)
    data     load and validate the Frictionless data package (`load`, `claim`, `DataError`)
    charts   house theme, source lines and the offline (no-CDN) chart renderer
    tables   tables shown as HTML (escaped) and Markdown (for the PDF)
    results  headline results a notebook publishes for the executive summary
    params   parameter validation for the build
    audit    consistency arithmetic of the claims audit
    build    the papermill -> render pipeline (`python -m aicompute build`)
"""

from __future__ import annotations

__version__ = "0.1.0"
