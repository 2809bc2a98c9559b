# Two entry points for a fresh machine with only Python:
#   make demo   set up .venv and report on the bundled example data
#   make test   set up .venv and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test venv bench lint clean

$(BIN)/cskpi: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

venv: $(BIN)/cskpi

demo: venv
	$(BIN)/cskpi validate examples/data
	$(BIN)/cskpi report examples/data --period 2026-10

test: venv
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/python bench/run.py --rows 1000000

lint: venv
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
