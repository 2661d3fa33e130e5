# `make demo` and `make test` work on a fresh machine: each builds .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL run of the suite: on by default where the local server answers
# (every developer machine has one); .ci/run sets it and makes it mandatory.
PG_DEFAULT_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
FIREBELL_TEST_DATABASE_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo $(PG_DEFAULT_URL))

# tests/run-lanes runs the suite in lanes side by side (SQLite and PostgreSQL, each
# split into its long tests and the rest): one after the other took over ten minutes.
TEST_TMP ?= /tmp/firebell-tests

.PHONY: demo playground test run bench lint migrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,semantic]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/firebell demo

# A Slack-like page on http://127.0.0.1:3030/ to drive Firebell yourself (CONFIG=firebell.yml to try yours).
playground: $(STAMP)
	$(BIN)/firebell playground $(if $(CONFIG),--config $(CONFIG))

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	@if [ -n "$(FIREBELL_TEST_DATABASE_URL)" ]; then \
		echo "== test suite on SQLite and on PostgreSQL ($(FIREBELL_TEST_DATABASE_URL)), side by side"; \
	else \
		echo "== test suite on SQLite; PostgreSQL skipped: no server at 127.0.0.1:5432 (CI makes it mandatory)"; \
	fi
	@# Bytecode caches on for the run, whatever the shell says (PYTHONDONTWRITEBYTECODE=1
	@# here): each `firebell` process a test starts would compile every module again.
	env -u PYTHONDONTWRITEBYTECODE bash tests/run-lanes $(BIN)/pytest $(TEST_TMP) "$(FIREBELL_TEST_DATABASE_URL)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

run: $(STAMP)
	$(BIN)/firebell serve

migrate: $(STAMP)
	$(BIN)/firebell migrate

bench: $(STAMP)
	$(BIN)/python bench/ack_latency.py
	$(BIN)/python bench/escalation_sweep.py
	$(BIN)/python bench/alert_storm.py
	$(BIN)/python bench/insights.py
	$(BIN)/python bench/duplicates.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/no_stall.py
	$(BIN)/python bench/start.py
	$(BIN)/python bench/upgrade_day.py
	$(BIN)/python bench/web.py
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		BENCH_DATABASE_URL=$(PG_DEFAULT_URL) $(BIN)/python bench/insights.py; \
		BENCH_DATABASE_URL=$(PG_DEFAULT_URL) $(BIN)/python bench/duplicates.py; \
		BENCH_DATABASE_URL=$(PG_DEFAULT_URL) $(BIN)/python bench/alert_storm.py; \
	fi

clean:
	rm -rf $(VENV) *.egg-info
