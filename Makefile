# The two commands: `make report` and `make test` (and `make validate` for the data alone). All bootstrap .venv on first use.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp names this checkout: a .venv copied or moved from elsewhere (whose editable install points at
# the other checkout's lib/) is re-installed here instead of silently building the other tree.
STAMP := $(VENV)/.installed-$(shell printf '%s' "$(CURDIR)" | cksum | cut -d' ' -f1)
ARGS ?=

.PHONY: report test validate lab bench clean distclean venv

venv: $(STAMP)

# Re-installs only when pyproject.toml changes; otherwise a no-op.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@rm -f $(VENV)/.installed*
	@echo "Installing the environment into $(VENV) (first run only; ~1-2 min)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
	@$(PY) -m pip install --quiet --disable-pip-version-check -e . 2>&1 | { grep -v -e "is ignored: it is neither" -e "BuildBackendWarning" || true; }
	@touch $(STAMP)

## Build the report: validate data, execute notebooks (cached), render report/_site. Extra flags: make report ARGS="--params report/params/bear.yaml -p seed=7"
report: $(STAMP)
	@$(PY) -m aicompute build $(ARGS)

## Check the data package only (schema, units and their bounds, dates, foreign keys).
validate: $(STAMP)
	@$(PY) -m aicompute validate

## Run the test suite.
test: $(STAMP)
	@$(PY) -m pytest $(ARGS)

## Open JupyterLab with the aicompute package importable.
lab: $(STAMP)
	@$(PY) -m jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

## Measure build times and peak memory.
bench: $(STAMP)
	@$(PY) bench/bench_build.py
	@$(PY) bench/bench_scenarios.py

clean:
	rm -rf build report/_site report/.quarto report/*.ipynb

distclean: clean
	rm -rf $(VENV)
