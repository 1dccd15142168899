# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# The settings default to debug off; the development targets here turn it on unless the
# environment says otherwise. `make serve` always runs with it off.
export DJANGO_DEBUG ?= 1
# make serve: gunicorn workers (about two per core) and the address to bind.
WEB_CONCURRENCY ?= 2
BIND ?= 127.0.0.1:8000

.PHONY: install catalogs messages run serve test lint format fixtures export check-corpus corpus-report migrations-check bench bench-http bench-faults bench-cluster

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "wcit needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(INSTALLED)

## The environment, then the translation catalogs compiled (pure Python: no gettext needed).
install: $(INSTALLED) catalogs

catalogs: $(INSTALLED)
	$(PY) manage.py compile_catalogs --verbosity 0

## Gather the marked strings into locale/<lang>/LC_MESSAGES/django.po (needs gettext's xgettext).
messages: install
	$(PY) manage.py makemessages --no-obsolete --ignore=.venv --ignore=bench --ignore=tests \
		-l ar -l es -l fr -l ru -l zh_Hans
	$(PY) manage.py compile_catalogs --plural-slots

## Set up and serve the site on SQLite (db.sqlite3), fixtures loaded into an empty database.
## Debug is on here only: the settings default to off.
run: export DJANGO_DEBUG = 1
run: install
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py load_corpus --if-empty
	$(PY) manage.py runserver $(HOST)

## Serve as production does: debug off, migrate, collectstatic, gunicorn with
## WEB_CONCURRENCY workers. Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (README: Deploying).
serve: export DJANGO_DEBUG = 0
serve: install
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py load_corpus --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(VENV)/bin/gunicorn wcit.wsgi --workers $(WEB_CONCURRENCY) --bind $(BIND) \
		--timeout 30 --graceful-timeout 10 --access-logfile -

## The whole suite; DATABASE_URL=postgres://... make test runs it on PostgreSQL.
## Settings load with the development defaults; pytest-django runs the tests with DEBUG off.
test: install
	$(PY) -m pytest

## ruff, then the import contracts of pyproject.toml (layers, no cycles).
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Load fixtures/*.json into an empty database (refuses one that holds data).
fixtures: install
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py load_corpus

## Write the database back to fixtures/*.json, deterministically.
export: install
	$(PY) manage.py export_fixtures

check-corpus: install
	$(PY) manage.py check_corpus

corpus-report: install
	$(PY) manage.py corpus_report

## Times search and filtered lists over 100,000 generated claims (needs DATABASE_URL=postgres://...).
bench: install
	$(PY) bench/run.py

## Pages under gunicorn with wrk, page cache on and off (needs DATABASE_URL=postgres://..., wrk).
bench-http: install
	$(PY) bench/load.py

## nginx (deploy/nginx.conf) in front of two gunicorns, Redis, PostgreSQL; one killed, edits, slow
## clients (needs DATABASE_URL=postgres://..., nginx, wrk, redis-server).
bench-cluster: install
	$(PY) bench/cluster.py $(ARGS)

## Load while a PostgreSQL cluster of the drill's own (port 5433) stops, starts, freezes (root).
bench-faults: install
	$(PY) bench/faults.py

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run
