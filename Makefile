# Two commands for a newcomer: `make run` and `make test`. Each installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint catalogue

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/alliance

test: $(VENV)/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check .

# The French catalogue, kept with Babel's own commands: extract the source strings, then
# merge them into messages.po (new entries come untranslated; a test fails until each has
# its French text).
catalogue: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o bot/locale/messages.pot --project=alliance --width=100 .
	$(BIN)/pybabel update -i bot/locale/messages.pot -d bot/locale -l fr --no-fuzzy-matching --ignore-obsolete --width=100
