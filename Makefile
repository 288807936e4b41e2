# Ishenim: `make run` serves the demo school on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

APPS := accounts schools vault audit appeals journal commission openings reports notify
LANGS := -l ky -l ru -l uz -l en

.PHONY: setup run test lint format messages catalogs bench mutate clean screenshots fonts

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

# The local run keeps its own secret key in var/ (made once, like the server key),
# and its printed links (QR codes, posters) point where it answers.
BIND ?= $(or $(ISHENIM_BIND),127.0.0.1:8000)
run: setup
	test -s var/secret.key || (umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret.key)
	$(BIN)/ishenim migrate -v 0
	$(BIN)/ishenim createcachetable
	$(BIN)/ishenim demo
	DEBUG=$${DEBUG:-0} SECRET_KEY_FILE=$${SECRET_KEY_FILE:-var/secret.key} ISHENIM_BIND=$(BIND) \
	  SITE_URL=$${SITE_URL:-http://$(BIND)} $(BIN)/ishenim serve

# Refresh the translation catalogs: one per app (<app>/locale) and one for the
# project's own templates (locale/). English msgstr are copied from the msgids
# (all of them: a msgid that changed must not keep its old English).
catalogs: $(STAMP)
	for app in $(APPS); do (cd $$app && mkdir -p locale && DJANGO_SETTINGS_MODULE= ../$(BIN)/django-admin makemessages $(LANGS) --add-location=file --no-obsolete -v 0) || exit 1; done
	DJANGO_SETTINGS_MODULE= $(BIN)/django-admin makemessages $(LANGS) --add-location=file --no-obsolete -v 0 \
	  $(foreach a,$(APPS),--ignore=$(a)/*) --ignore=.venv/* --ignore=var/* --ignore=bench/* --ignore=tests/* --ignore=docs/*
	for po in locale/en/LC_MESSAGES/django.po $(foreach a,$(APPS),$(a)/locale/en/LC_MESSAGES/django.po); do \
	  [ -f $$po ] && msgfilter --keep-header --no-wrap -i $$po -o $$po sed -e d && msgen --no-wrap -o $$po $$po \
	    && msgattrib --clear-fuzzy --no-wrap -o $$po $$po; done; true

# The Noto Sans subsets the pages and the PDFs use (static/fonts), rebuilt from
# Debian's fonts-noto-core: Latin, Kyrgyz and Russian Cyrillic, Uzbek Latin
# (ʻ ʼ for oʻ gʻ) and Uzbek Cyrillic (Ў Қ Ғ Ҳ), and the typography of documents.
FONT_SRC ?= /usr/share/fonts/truetype/noto
FONT_UNICODES := U+0020-007E,U+00A0-00FF,U+02BB-02BC,U+0400-045F,U+0492-0493,U+049A-049B,U+04A2-04A3,U+04AE-04AF,U+04B2-04B3,U+04E8-04E9,U+2011,U+2013-2014,U+2018-201E,U+2022,U+2026,U+2116
fonts: $(STAMP)
	for weight in Regular Bold; do \
	  $(BIN)/pyftsubset $(FONT_SRC)/NotoSans-$$weight.ttf --unicodes=$(FONT_UNICODES) \
	    --no-hinting --flavor=woff2 --output-file=static/fonts/NotoSans-$$weight.woff2 || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	$(BIN)/ishenim makemigrations --check --dry-run -v 0
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench

# Break each invariant on purpose (in a copy of the tree) and report how many a test catches.
mutate: setup
	$(BIN)/python -m bench.mutate

screenshots: setup
	$(BIN)/python -m docs.screenshots

clean:
	rm -rf $(VENV) var
