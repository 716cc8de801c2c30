# The two commands of the README. Each sets itself up on a fresh machine (Python 3.11 + pip)
# and is safe to re-run: the virtual environment and the Jupyter kernel are reused.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MONTH  ?= 2026-10
OUT    ?= reports

.PHONY: setup report test lint catalogue clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name cxreport \
		--display-name "cxreport (Python 3)" --env PYTHONHASHSEED 0
	touch $(STAMP)

setup: $(STAMP)

report: setup
	$(BIN)/cxreport run --data data/sample --month $(MONTH) --out $(OUT)

# Lint first: CI runs `make test`, so it checks lint, format and the layers too.
test: lint
	$(BIN)/python -m pytest -n 2 --dist loadscope --nbval-lax --nbval-kernel-name cxreport

# ruff (lint and format), import-linter (the layers of GUIDE §2) and numpydoc (the docstrings'
# sections), each configured in pyproject.toml
lint: setup
	$(BIN)/ruff check src tests benchmarks notebooks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/numpydoc lint $$(find src -name '*.py')

# the Chinese catalogue after adding or changing any text a reader sees (README, Languages)
catalogue: setup
	$(BIN)/python -c "from cxreport import i18n; i18n.main()"

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .import_linter_cache
