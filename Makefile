# The same commands the README and CI use. Needs only python3 (3.11+) on PATH:
# uv is installed into .tools/ on first use and installs the locked dependencies (uv.lock).
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell command -v $(PYTHON))
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: help install demo demo-ui run learn test check bench serve clean

help:
	@echo "make demo   - install, then one real ingest run on bundled local feeds (prints what happened)"
	@echo "make demo-ui - the demo against a local Prefect server: watch its runs in the UI"
	@echo "make test   - install, then every check (make check) and the whole test suite"
	@echo "make check  - lint (ruff), types (mypy), import contract"
	@echo "make run    - one ingest run on config/ (your feeds and targets)"
	@echo "make learn  - learn config/profile.yaml from seeds/"
	@echo "make bench  - benchmarks (print figures)"
	@echo "make serve  - a local Prefect server on 127.0.0.1:4200 (UI) and the deployments served on their schedules"

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.5,<1'

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-groups --all-extras
	$(VENV)/bin/newswatch prepare
	@touch $@

install: $(VENV)/.synced

demo: install
	$(VENV)/bin/newswatch demo

demo-ui: install
	bash deploy/serve-local.sh --demo

run: install
	$(VENV)/bin/newswatch run

learn: install
	$(VENV)/bin/newswatch learn

test: check
	$(VENV)/bin/pytest -q

check: install
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports

bench: install
	$(VENV)/bin/python bench/run_all.py

serve: install
	bash deploy/serve-local.sh

clean:
	rm -rf .venv .tools .pytest_cache .mypy_cache .ruff_cache
