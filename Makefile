# Two entry points for a fresh machine with only Python:
#   make demo   set up .venv and report on the bundled example data
#   make test   set up .venv with the test tools and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test venv dev-venv bench lint docs clean

# The runtime install for demo; the dev install (tests, benchmark peers, Dask) on top for test.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

demo: venv
	$(BIN)/cskpi validate examples/data
	$(BIN)/cskpi report examples/data --period 2026-10

# The gates first: the import layers (pyproject [tool.importlinter]) and the typed core (mypy).
test: dev-venv
	PYTHONPATH=src $(BIN)/lint-imports
	PYTHONPATH=src $(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: dev-venv
	$(BIN)/python bench/run.py --rows 1000000

lint: dev-venv
	$(BIN)/ruff check src tests bench examples

docs: venv
	$(BIN)/python -m cskpi.cli.reference > docs/cli.md
	$(BIN)/python -m cskpi.metrics.catalogue > docs/kpis.md

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
