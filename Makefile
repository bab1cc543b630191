# Two commands for a fresh machine with Python 3.11: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint translations messages bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d portal/translations

run: translations
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) search rebuild
	$(FLASK) supervision run
	$(FLASK) evaluation run
	@$(FLASK) demo accounts
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it); mail is sent every minute (flask mail send --every 60)"
	$(FLASK) mail send --every 60 & sender=$$!; trap 'kill $$sender' EXIT; \
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: translations lint
	$(BIN)/pytest -n 2

# Re-extract the translatable strings after changing templates or code, then translate messages.po.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o portal/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i portal/translations/messages.pot -d portal/translations

bench: translations
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/public_figures.py
	$(BIN)/python bench/agency_report.py

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
	find search_index -mindepth 1 ! -name .gitkeep -delete
