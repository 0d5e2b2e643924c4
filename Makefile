# Every target is self-sufficient from a fresh clone: it creates .venv and installs the locked dependencies.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
STATE_DIR ?= data/emulator
PORT ?= 8443
CHAOS_SEEDS ?= 1 2 3
# Test modules run in parallel, each module on one worker: most tests wait on a server (emulator, Dagster, browser).
TEST_WORKERS ?= 2

.PHONY: setup demo sync test bench emulator lock clean

$(INSTALLED): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(INSTALLED)

setup: $(INSTALLED)

## demo: start the emulator, generate the demo company, run one full sync cycle, then open the UI
demo: setup
	$(BIN)/sfsync demo

## sync: one headless sync cycle against the configured Salesforce and ERP
sync: setup
	$(BIN)/sfsync sync

## test: lint, validate the Dagster definitions, run the test suite, then the chaos and crash suites once per seed
test: setup
	bash scripts/install_browser.sh
	$(BIN)/ruff check .
	DAGSTER_HOME= $(BIN)/dagster definitions validate -w workspace.yaml
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadscope -m "not chaos"
	for seed in $(CHAOS_SEEDS); do SFSYNC_CHAOS_SEED=$$seed $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadscope -m chaos || exit 1; done
	$(BIN)/sfsync bench all --quick

## bench: run every benchmark at full size (JSON into bench/results/), then rewrite the README table
bench: setup
	$(BIN)/sfsync bench all
	$(BIN)/sfsync bench report

## emulator: serve a Salesforce org seeded with a few thousand records on https://127.0.0.1:$(PORT)
emulator: setup
	$(BIN)/sfsync emulator serve --port $(PORT) --state-dir $(STATE_DIR) --seed-if-empty 10000

## lock: re-resolve requirements.lock from pyproject.toml (run after changing dependencies)
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install -q --upgrade pip
	.lock-venv/bin/python -m pip install -q -e '.[dev]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) data/emulator data/demo .pytest_cache
