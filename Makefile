# Two commands for a newcomer: `make run` and `make test`. Everything else is what they call.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .uv/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: CJK font and fast font subsetting for PDFs, msgfmt for the
# translation catalogues, PDF/PNG tools for looking at output, Chromium for the
# browser tests.
RUN_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 gettext poppler-utils
TEST_PACKAGES := $(RUN_PACKAGES) chromium

.PHONY: help run test setup system-packages system-packages-test venv messages migrate seed lint fmt clean

help:
	@echo "make run   - set up and serve the portal at http://$(HOST):$(PORT), with its background worker"
	@echo "make test  - set up and run the whole test suite"
	@echo "make lint  - ruff check and format check"
	@echo "make fmt   - ruff format and fix"

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --quiet
	touch $@

venv: $(VENV)/.synced

system-packages:
	@bash scripts/system-packages.sh $(RUN_PACKAGES)

system-packages-test:
	@bash scripts/system-packages.sh $(TEST_PACKAGES)

messages: venv
	$(MANAGE) compilemessages --ignore=.venv --ignore=.uv -v 0

setup: system-packages venv messages

migrate: setup
	$(MANAGE) migrate --no-input -v 0

seed: migrate
	$(MANAGE) seed_demo --if-empty

# The server, with the background worker (large spreadsheet exports) beside it.
run: seed
	HOST=$(HOST) PORT=$(PORT) PYTHON=$(PY) bash scripts/run-with-worker.sh

test: system-packages-test venv messages
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf .venv .uv db.sqlite3 media
