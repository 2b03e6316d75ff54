# Two commands on a fresh clone: `make run` (the app, with demo data) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8080
PYTEST_ARGS ?= -n auto

.PHONY: run test install lint catalogs clean bench docs

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) catalogs

catalogs: $(STAMP)
	$(BIN)/python -m core.i18n compile

run: install
	$(BIN)/aftersales setup
	$(BIN)/aftersales serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m core.i18n check

# The API reference of every hook and public service: docs/reference/_build/html/index.html.
docs: $(STAMP)
	$(BIN)/pip install --quiet -e '.[docs]'
	$(BIN)/python -m sphinx -W --keep-going -b html docs/reference docs/reference/_build/html

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
