# The two commands: `make report` and `make test` (and `make validate` for the data alone). All bootstrap .venv on first use.
# Rendering needs Quarto: one on PATH (>= 1.9.36), else `make venv` installs the pinned one into .venv
# (aicompute.pipeline.quarto: pip's quarto-cli, else the offline kit ../shared/quarto/install.sh).
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp names this checkout: a .venv copied or moved from elsewhere (whose editable install points at
# the other checkout's lib/) is re-installed here instead of silently building the other tree.
STAMP := $(VENV)/.installed-$(shell printf '%s' "$(CURDIR)" | cksum | cut -d' ' -f1)
ARGS ?=
# Python caches compiled bytecode (and pytest its rewritten asserts) unless PYTHONDONTWRITEBYTECODE is set, as some
# sandboxes do: without the cache every pytest process recompiles ~1,700 asserts (~4 CPU s each run). The caches
# live in __pycache__/ folders (git-ignored), never under report/ or build/.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: report test test-fast test-hostile test-browser validate chapters new-chapter lint serve lab bench loc clean distclean venv

venv: $(STAMP)

# Re-installs only when pyproject.toml changes; otherwise a no-op.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@rm -f $(VENV)/.installed*
	@echo "Installing the environment into $(VENV) (first run only; ~1-2 min)..."
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
	@$(PY) -m pip install --quiet --disable-pip-version-check -e . 2>&1 | { grep -v -e "is ignored: it is neither" -e "BuildBackendWarning" || true; }
	@$(PY) -m aicompute.pipeline.quarto --install
	@touch $(STAMP)

## Build the report: validate data, execute notebooks (cached), render report/_site. Extra flags: make report ARGS="--params report/params/bear.yaml -p seed=7"
report: $(STAMP)
	@$(PY) -m aicompute build $(ARGS)

## Check the data package only (schema, units and their bounds, dates, foreign keys).
validate: $(STAMP)
	@$(PY) -m aicompute validate

## Rewrite the chapter lists generated from report/chapters.yml (_quarto.yml, index.qmd, README, the data enum).
chapters: $(STAMP)
	@$(PY) -m aicompute chapters

## A new chapter from the template, registered in report/chapters.yml: make new-chapter NAME=06_topic
new-chapter: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make new-chapter NAME=06_topic" >&2; exit 2; }
	@$(PY) -m aicompute new-chapter $(NAME) $(ARGS)

# Both tiers run on every core (pytest-xdist). The session's report build and the early as-of build are each
# kept to one worker (tests/conftest.py groups their tests), so they run side by side, once each.
# `make test XDIST=` runs in one process (as `pytest` alone does).
XDIST ?= -n auto --dist loadgroup

## Run the test suite. Its report build is make report's own (build/, report/_site): after `make report` a no-op.
## The early as-of build is cached in build/as-of-2026-02-01/. Hostile build: make test-hostile; Chromium: make test-browser.
test: $(STAMP)
	@$(PY) -m pytest $(XDIST) $(ARGS)

## The fast tier: every test that starts no kernel and no Quarto (`pytest -m "not slow"`; target <= 45 s).
test-fast: $(STAMP)
	@$(PY) -m pytest -q $(XDIST) -m "not slow" $(ARGS)

## The hostile build (issue 23): payloads planted in every text field and CLI value; nothing may execute in
## Chromium and the PDF must build. A second report build (~8 min on 2 quiet cores); CI runs it after make test.
test-hostile: $(STAMP)
	@AICOMPUTE_HOSTILE=1 $(PY) -m pytest -q -m hostile $(ARGS)

## The browser tier: Chromium over the built site (the reader checks at 1366 and 390 px with axe-core, every page
## drawn offline, the dials). Uses make test's report build (a no-op after make report); CI runs it after make test.
test-browser: $(STAMP)
	@AICOMPUTE_BROWSER=1 $(PY) -m pytest -q $(XDIST) -m browser $(ARGS)

## Lint the library, tests and benchmarks (ruff, as CI does).
lint: $(STAMP)
	@$(PY) -m ruff check lib tests bench

## Serve the built site at http://127.0.0.1:$(PORT)/ (opening report/_site/index.html from disk works too).
PORT ?= 8000
serve:
	@test -f report/_site/index.html || { echo "no report/_site yet: run make report first" >&2; exit 1; }
	@echo "Serving report/_site at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	@python3 -m http.server --bind 127.0.0.1 --directory report/_site $(PORT)

## Open JupyterLab with the aicompute package importable.
lab: $(STAMP)
	@$(PY) -m jupyter lab --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

## Measure build and render times, page sizes and peak memory, the test tiers' times and the slowest tests.
bench: $(STAMP)
	@$(PY) bench/bench_build.py
	@$(PY) bench/bench_scenarios.py
	@$(PY) bench/bench_tests.py
	@$(PY) bench/loc.py

## The library's size per layer (physical and code lines); against a revision: make loc REF=f6cf76d
loc:
	@python3 bench/loc.py $(if $(REF),--ref $(REF))

clean:
	rm -rf build report/_site report/_site.* report/_book report/.quarto report/*.ipynb report/_summary.md report/assets/vega-bundle.js

distclean: clean
	rm -rf $(VENV)
