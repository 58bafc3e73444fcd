# rocc: `make run` sets everything up and serves the app; `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test test-postgres browser lint contract check clean

# Compiled bytecode is kept (under .venv/pycache), whatever the environment says: without it every process (each
# `rocc` command a test runs, each test worker) compiles Django, pandas and rocc again, and the command-line tests
# take two to three times as long.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX ?= $(abspath $(VENV))/pycache

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $@

setup: $(VENV)/.installed

run: setup
	$(BIN)/rocc migrate
	$(BIN)/rocc load-defaults
	$(BIN)/rocc createuser demo --role programme_manager --demo
	$(BIN)/rocc serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (Playwright cannot download a browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package for the browser tests (apt-get install chromium)"; exit 1; fi; }

# One test process per core and one more (TEST_WORKERS=0 runs them in this process), each with its own test database:
# browser tests and tests of the real `rocc` command spend part of their time waiting on Chromium or a child process,
# and the extra process fills that time (on two cores: 5:42 against 6:22 for the SQLite suite, 2026-12-04). Tests that
# share an expensive session fixture name one xdist group, so one process makes it.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadgroup)

test: $(VENV)/.installed-test browser
	$(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# The same suite against PostgreSQL (the service on 127.0.0.1:5432; override DATABASE_URL to use another).
test-postgres: $(VENV)/.installed-test browser
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rocc} $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

# The checks a reviewer expects: lint, formatting, and types of the services, selectors and the analysis library.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src benchmarks
	$(BIN)/ruff format --check src benchmarks
	$(BIN)/mypy src/rocc/analysis $(wildcard src/rocc/*/services*.py src/rocc/*/selectors*.py src/rocc/*/services src/rocc/*/selectors)

# The API contract check in CI's bounded form: schemathesis's examples and fuzzing phases, 3 cases per operation, a
# fixed seed. `make contract CONTRACT_ARGS=` runs every phase, coverage included (the slowest: about 5 minutes).
CONTRACT_ARGS ?= --examples 3 --phases examples,fuzzing
contract: $(VENV)/.installed-test
	$(BIN)/python -m rocc.api_contract_check $(CONTRACT_ARGS)

check: setup
	$(BIN)/rocc check

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
