# PINTU developer tasks (GNU make).
#   make install   create $(VENV) and install pintu + built-in plugins (editable)
#   make run       init db, load demo data once, serve with gunicorn (production WSGI server)
#                  INSTITUTION=lldikti6 make run: another institution's pack, from instance/lldikti6
#   make dev       the same with Flask's development server (auto-reload, debugger)
#   make test      run the test suite          (PYTEST_ARGS="-k foo -x")
#   make bench     run the benchmarks          (BENCH_ARGS=...)
#   make bench-matrix  the benchmark over sizes, open mixes and backends, one table (BENCH_ARGS=...)
#   make services  start real PostgreSQL/Redis/Chromium for tests (root; see tests/services/README.md)
#   make clean     remove the venv and caches (keeps instance/)

VENV ?= .venv
PY = $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000
# gunicorn workers: 2 x CPUs + 1, gunicorn's own rule of thumb for sync workers.
WORKERS ?= $(shell echo $$((2 * $$(nproc 2>/dev/null || echo 1) + 1)))
PYTEST_ARGS ?=
BENCH_ARGS ?=
# INSTITUTION=lldikti6 make run: serve another institution's catalog from its own instance folder
# (database, uploads, outbox, config.py) with its own demo data; empty = Politeknik Negeri Jember in instance/.
INSTITUTION ?=
ifneq ($(strip $(INSTITUTION)),)
export PINTU_INSTITUTION_KEY := $(INSTITUTION)
export PINTU_INSTANCE_PATH := $(CURDIR)/instance/$(INSTITUTION)
endif

.DEFAULT_GOAL := install

.PHONY: install run dev setup-db test bench bench-matrix services clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(wildcard plugins/*/pyproject.toml)
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[test]'
	set -e; for d in plugins/*/; do \
		if [ -f "$${d}pyproject.toml" ]; then \
			echo "installing plugin $$d"; \
			$(PY) -m pip install -e "$$d"; \
		fi; \
	done
	touch $@

setup-db: install
	$(VENV)/bin/flask --app pintu init-db
	$(VENV)/bin/flask --app pintu demo --if-empty

run: setup-db
	$(VENV)/bin/gunicorn -c python:pintu.web.serving --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - \
		'pintu:create_app()'

dev: setup-db
	$(VENV)/bin/flask --app pintu run --debug --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) tests/bench/bench.py $(BENCH_ARGS)

bench-matrix: install
	$(PY) tests/bench/matrix.py $(BENCH_ARGS)

services:
	bash tests/services/setup.sh

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info
	rm -rf plugins/*/build plugins/*/dist plugins/*/*.egg-info
	find . -path ./instance -prune -o -path ./.git -prune -o \
		\( -name __pycache__ -o -name .pytest_cache \) -type d -prune -exec rm -rf {} +
