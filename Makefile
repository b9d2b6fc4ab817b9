# LopHoc: `make demo` runs a demo school, `make test` runs the test suite.
# Both create .venv and install LopHoc into it on first use (Python 3.11+, internet to PyPI once).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo run test test-sqlite test-postgres lint bench translations vendor clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/lophoc db upgrade
	$(BIN)/lophoc demo
	$(BIN)/lophoc run

run: $(STAMP)
	$(BIN)/lophoc db upgrade
	$(BIN)/lophoc run

lint: $(STAMP)
	$(BIN)/ruff check .

# The suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set (.ci/run sets it).
test: lint test-sqlite test-postgres

# The browser tests run here only; the one that restarts PostgreSQL under an exam page gets the
# server as LOPHOC_POSTGRES_SERVER_URL (it makes a database of its own on it).
test-sqlite: $(STAMP)
	env -u TEST_DATABASE_URL LOPHOC_POSTGRES_SERVER_URL="$$TEST_DATABASE_URL" $(BIN)/python -m pytest

test-postgres: $(STAMP)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest -m "not browser"; \
	else \
		echo "TEST_DATABASE_URL is not set: the PostgreSQL run is skipped"; \
	fi

bench: $(STAMP)
	$(BIN)/python bench/roster_import.py

translations: $(STAMP)
	PATH="$(BIN):$$PATH" scripts/translations.sh

vendor:
	scripts/vendor_assets.sh

clean:
	rm -rf $(VENV) instance .pytest_cache
