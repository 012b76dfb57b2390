# coordgraph — two commands do all the set-up on a fresh machine:
#   make demo   installs what the demo needs (the base dependencies) and runs it
#   make test   installs what the tests need (system packages, the dev and spark extras) and runs them
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make demo DEMO_ARGS="--port 8060 --seed 3"` passes options to `coordgraph demo`
DEMO_ARGS ?=
# each stamp is rebuilt when the project's dependencies or its C kernels change
HASH := $(shell cat pyproject.toml setup.py coordgraph/engines/_native.c | md5sum | cut -c1-8)
BASE := $(VENV)/.installed-base-$(HASH)
TESTDEPS := $(VENV)/.installed-test-$(HASH)
BENCHDEPS := $(VENV)/.installed-bench-$(HASH)
# pip shows what it downloads and installs (no -q), without its own upgrade notice
PIP := $(BIN)/pip --disable-pip-version-check

.PHONY: demo test test-fast bench lint-cypher system-deps clean-venv serve venv

$(BIN)/python:
	@echo "== creating $(VENV) with $$($(PY) --version)"
	$(PY) -m venv $(VENV)

$(BASE): pyproject.toml setup.py coordgraph/engines/_native.c | $(BIN)/python
	@echo "== installing coordgraph and its base dependencies into $(VENV) (first time: 1-4 min)"
	$(PIP) install -e .
	@rm -f $(VENV)/.installed-base-*; touch $@

$(TESTDEPS): $(BASE)
	@echo "== installing the test extras (pytest, Playwright, PySpark) into $(VENV)"
	$(PIP) install -e '.[dev,spark]'
	@rm -f $(VENV)/.installed-test-*; touch $@

$(BENCHDEPS): $(BASE)
	@echo "== installing the bench extras (QUT toolkit, PySpark) into $(VENV)"
	$(PIP) install -e '.[bench,spark]'
	@rm -f $(VENV)/.installed-bench-*; touch $@

venv: $(BASE)

tools/cypherlint/node_modules: tools/cypherlint/package.json
	cd tools/cypherlint && npm install --no-audit --no-fund --silent
	@touch tools/cypherlint/node_modules

system-deps:
	@bash scripts/system-deps.sh

demo: $(BASE)
	$(BIN)/coordgraph demo $(DEMO_ARGS)

test: system-deps $(TESTDEPS) tools/cypherlint/node_modules
	$(BIN)/python -m pytest -n 2 --dist loadgroup --timeout 900 $(PYTEST_ARGS)

test-fast: $(TESTDEPS)
	$(BIN)/python -m pytest -x -q -m "not slow and not browser and not spark" $(PYTEST_ARGS)

bench: $(BENCHDEPS)
	$(BIN)/python -m bench.run_all

serve: $(BASE)
	$(BIN)/coordgraph serve

clean-venv:
	rm -rf $(VENV)
