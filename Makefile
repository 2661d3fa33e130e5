# `make demo` and `make test` work on a fresh machine: each builds .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL run of the suite; .ci/run sets this and makes it mandatory.
FIREBELL_TEST_DATABASE_URL ?=

.PHONY: demo test run bench lint migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/firebell demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	@echo "== test suite on SQLite"
	env -u FIREBELL_TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$(FIREBELL_TEST_DATABASE_URL)" ]; then \
		echo "== test suite on PostgreSQL ($(FIREBELL_TEST_DATABASE_URL))"; \
		FIREBELL_TEST_DATABASE_URL="$(FIREBELL_TEST_DATABASE_URL)" $(BIN)/pytest -q; \
	else \
		echo "== PostgreSQL run skipped: set FIREBELL_TEST_DATABASE_URL (CI does)"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

run: $(STAMP)
	$(BIN)/firebell serve

migrate: $(STAMP)
	$(BIN)/firebell migrate

bench: $(STAMP)
	$(BIN)/python bench/ack_latency.py

clean:
	rm -rf $(VENV) *.egg-info
