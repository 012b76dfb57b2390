# coordgraph — two commands do all the set-up on a fresh machine:
#   make demo   runs the main job on the embedded default store
#   make test   installs what the tests need and runs them
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# rebuilt when the project's dependencies or its C kernels change
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml setup.py coordgraph/engines/_native.c | md5sum | cut -c1-8)

.PHONY: demo test test-fast bench lint-cypher system-deps clean-venv serve

$(STAMP): pyproject.toml setup.py coordgraph/engines/_native.c
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,spark,bench]'
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

venv: $(STAMP)

tools/cypherlint/node_modules: tools/cypherlint/package.json
	cd tools/cypherlint && npm install --no-audit --no-fund --silent
	@touch tools/cypherlint/node_modules

system-deps:
	@bash scripts/system-deps.sh

demo: $(STAMP)
	$(BIN)/coordgraph demo

test: system-deps $(STAMP) tools/cypherlint/node_modules
	$(BIN)/python -m pytest -n 2 --dist loadgroup --timeout 900 $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -x -q -m "not slow and not browser and not spark" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench.run_all

serve: $(STAMP)
	$(BIN)/coordgraph serve

clean-venv:
	rm -rf $(VENV)
