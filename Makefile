# The two commands of the README: `make run` and `make test`. Everything else is a step they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# Exact versions come from requirements/*.lock: run.lock for `make run`, test.lock (run + PostgreSQL driver +
# test and dev tools) for `make test`. `make lock` regenerates both from pyproject.toml, keeping every pin that
# still fits; `make lock LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`) moves pins up within its ranges.
RUN_LOCK := requirements/run.lock
TEST_LOCK := requirements/test.lock
UV_VERSION := 0.13.8
LOCK_ARGS ?=
COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --custom-compile-command "make lock"

# The tests' OpenID provider (Node's oidc-provider, tests/oidc/): `make test` installs the exact versions of its
# package-lock.json again when that lock changes; `make run` needs no Node. Without npm its tests are skipped.
OIDC := tests/oidc

.PHONY: run test lint schema lock

run: $(VENV)/.installed
	$(BIN)/python -m server demo --serve

test: $(VENV)/.installed-test $(OIDC)/node_modules/.installed
	$(BIN)/ruff check server tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench

schema: $(VENV)/.installed
	$(BIN)/python -m server export-schema > schema.graphql

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(RUN_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $@

$(VENV)/.installed-test: $(TEST_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m pip check
	touch $@ $(VENV)/.installed

lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(COMPILE) $(LOCK_ARGS) pyproject.toml -o $(RUN_LOCK)
	$(COMPILE) $(LOCK_ARGS) pyproject.toml --extra postgres --extra test --extra dev -c $(RUN_LOCK) -o $(TEST_LOCK)

$(OIDC)/node_modules/.installed: $(OIDC)/package-lock.json $(OIDC)/package.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix $(OIDC) --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is not installed: the tests that need the OpenID provider will be skipped"; fi
