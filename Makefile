# `make demo` and `make test` work on a fresh machine: each builds .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL run of the suite: on by default where the local server answers
# (every developer machine has one); .ci/run sets it and makes it mandatory.
PG_DEFAULT_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
FIREBELL_TEST_DATABASE_URL ?= $(shell pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && echo $(PG_DEFAULT_URL))

# The two runs share the machine's cores: most of a run is waiting on real processes,
# sockets and the databases, so side by side they take little longer than one.
TEST_TMP ?= /tmp/firebell-tests

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
	@if [ -n "$(FIREBELL_TEST_DATABASE_URL)" ]; then \
		echo "== test suite on SQLite and on PostgreSQL ($(FIREBELL_TEST_DATABASE_URL)), side by side"; \
		env -u FIREBELL_TEST_DATABASE_URL $(BIN)/pytest -q -p no:cacheprovider \
			--basetemp=$(TEST_TMP)-sqlite > $(TEST_TMP)-sqlite.txt 2>&1 & lite=$$!; \
		FIREBELL_TEST_DATABASE_URL="$(FIREBELL_TEST_DATABASE_URL)" $(BIN)/pytest -q \
			--basetemp=$(TEST_TMP)-postgresql > $(TEST_TMP)-postgresql.txt 2>&1; pg=$$?; \
		wait $$lite; sqlite=$$?; \
		echo "== SQLite"; cat $(TEST_TMP)-sqlite.txt; \
		echo "== PostgreSQL"; cat $(TEST_TMP)-postgresql.txt; \
		test $$sqlite -eq 0 -a $$pg -eq 0; \
	else \
		echo "== test suite on SQLite"; \
		env -u FIREBELL_TEST_DATABASE_URL $(BIN)/pytest -q; \
		echo "== PostgreSQL run skipped: no server at 127.0.0.1:5432 (CI makes it mandatory)"; \
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
	$(BIN)/python bench/escalation_sweep.py
	$(BIN)/python bench/alert_storm.py
	$(BIN)/python bench/insights.py
	$(BIN)/python bench/duplicates.py
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		BENCH_DATABASE_URL=$(PG_DEFAULT_URL) $(BIN)/python bench/insights.py; \
		BENCH_DATABASE_URL=$(PG_DEFAULT_URL) $(BIN)/python bench/duplicates.py; \
	fi

clean:
	rm -rf $(VENV) *.egg-info
