# Bildungsmonitor — the README's commands. Each target sets up what it needs on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export UV_COMPILE_BYTECODE := 1
export UV_PYTHON_DOWNLOADS := never

DBT_SOURCES := $(shell find dbt_project/models dbt_project/seeds dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
MANIFEST := dbt_project/target/manifest.json

.PHONY: help env report test test-fast dev dbt-parse dbt-docs sample-data bench lint clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

env: $(INSTALLED) ## create .venv from the lock file

$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	$(BIN)/python -m pipelines.transform.dbt_manifest
	@touch $@

dbt-parse: $(MANIFEST) ## prepare the dbt manifest (build time, not import time)

report: $(MANIFEST) ## run the whole pipeline on the bundled sample data and render the report
	$(BIN)/bildungsmonitor refresh
	@echo "Bericht: $${BILDUNGSMONITOR_SITE_DIR:-reports/_site}/index.html"

test: $(MANIFEST) ## run the test suite (unit + end-to-end)
	$(BIN)/pytest --durations=30

test-fast: $(MANIFEST) ## unit tests only
	$(BIN)/pytest -m "not e2e"

dev: $(MANIFEST) ## start the Dagster UI on http://127.0.0.1:3000
	$(BIN)/python -c "from pipelines.command_line.dagster_home import ensure_dagster_home; ensure_dagster_home()"
	PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

dbt-docs: $(MANIFEST) ## build and serve the dbt documentation on http://127.0.0.1:8080
	cd dbt_project && ../$(BIN)/dbt docs generate --profiles-dir . --target-path target/docs && ../$(BIN)/dbt docs serve --profiles-dir . --target-path target/docs --host 127.0.0.1 --port 8080

sample-data: $(INSTALLED) ## regenerate the bundled synthetic sample data in place
	$(BIN)/python -m pipelines.sample.generate

bench: $(MANIFEST) ## benchmark the refresh loop and the guides' render (not part of make test) → benchmarks/results/
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.guides

lint: $(INSTALLED) ## ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean: ## remove the environment and every generated output
	rm -rf $(VENV) warehouse .dagster_home dbt_project/target reports/_site
