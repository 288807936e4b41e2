# Ishenim: `make run` serves the demo school on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

APPS := accounts schools vault audit appeals journal commission reports notify
LANGS := -l ky -l ru -l uz -l en

.PHONY: setup run test lint format messages catalogs bench clean screenshots

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) messages
	mkdir -p var

messages: $(STAMP)
	$(BIN)/ishenim compilemessages --ignore=.venv --ignore=var -v 0

run: setup
	$(BIN)/ishenim migrate -v 0
	$(BIN)/ishenim createcachetable
	$(BIN)/ishenim demo
	DEBUG=$${DEBUG:-0} $(BIN)/ishenim serve

# Refresh the translation catalogs: one per app (<app>/locale) and one for the
# project's own templates (locale/). English msgstr are copied from the msgids.
catalogs: $(STAMP)
	for app in $(APPS); do (cd $$app && mkdir -p locale && DJANGO_SETTINGS_MODULE= ../$(BIN)/django-admin makemessages $(LANGS) --add-location=file --no-obsolete -v 0) || exit 1; done
	DJANGO_SETTINGS_MODULE= $(BIN)/django-admin makemessages $(LANGS) --add-location=file --no-obsolete -v 0 \
	  $(foreach a,$(APPS),--ignore=$(a)/*) --ignore=.venv/* --ignore=var/* --ignore=bench/* --ignore=tests/* --ignore=docs/*
	for po in locale/en/LC_MESSAGES/django.po $(foreach a,$(APPS),$(a)/locale/en/LC_MESSAGES/django.po); do \
	  [ -f $$po ] && msgen --no-wrap -o $$po $$po && msgattrib --clear-fuzzy --no-wrap -o $$po $$po; done; true

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/ishenim makemigrations --check --dry-run -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench

screenshots: setup
	$(BIN)/python -m docs.screenshots

clean:
	rm -rf $(VENV) var
