# The two set-up commands of the README: `make run` (the main job) and `make test` (the tests).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?= -n 2 -v --durations=25

.PHONY: run test test-fast venv web chromium bench-tools build serve lint typecheck neo4j-install neo4j-stop clean

$(BIN)/graphkit: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

venv: $(BIN)/graphkit

## The explorer's web assets (Cytoscape.js) from the npm registry, at the versions pinned in api/web/package-lock.json.
WEB_STAMP := api/web/node_modules/.installed
$(WEB_STAMP): api/web/package.json api/web/package-lock.json
	cd api/web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web: $(WEB_STAMP)

## Debian's chromium for the browser tests (tests/api/test_explorer.py); installed once, only when missing.
chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Debian's wrk for the load test (benchmarks/load_test.py); installed once, only when missing.
bench-tools:
	@command -v wrk >/dev/null || { \
	  echo "installing Debian's wrk for benchmarks/load_test.py"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }

## The main job: environment, install, build the graph from seeds/ (embedded store), summary, serve the API.
run: venv web
	$(BIN)/graphkit build
	$(BIN)/graphkit serve --host $(HOST) --port $(PORT)

## The tests: environment, install, fetch Neo4j, run pytest (it starts and stops Neo4j), leave nothing running.
test: venv web chromium
	$(BIN)/ruff check graphkit api tests
	$(BIN)/mypy
	$(BIN)/graphkit neo4j install
	status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	  $(BIN)/graphkit neo4j stop >/dev/null; exit $$status

## The inner loop: lint, types and every test not marked neo4j, integration or slow; starts no Neo4j, builds nothing national.
test-fast: venv web
	$(BIN)/ruff check graphkit api tests
	$(BIN)/mypy
	GRAPHKIT_TEST_NO_NEO4J=1 $(BIN)/python -m pytest -q -n 2 -m "not neo4j and not integration and not slow" -p no:cacheprovider

build: venv
	$(BIN)/graphkit build

serve: venv web
	$(BIN)/graphkit serve --host $(HOST) --port $(PORT)

lint: venv
	$(BIN)/ruff check graphkit api tests

typecheck: venv
	$(BIN)/mypy

neo4j-install: venv
	$(BIN)/graphkit neo4j install

neo4j-stop: venv
	$(BIN)/graphkit neo4j stop

clean:
	rm -rf build $(VENV) api/web/node_modules
