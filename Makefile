# The two set-up commands (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/hushbook: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[server,dev]"
	@touch $@

HOST ?= 127.0.0.1
PORT ?= 8000

demo: $(BIN)/hushbook  ## install, seed the demo salon, run service + worker (make demo PORT=8001)
	$(BIN)/hushbook demo --host $(HOST) --port $(PORT)

test: lint  ## install, lint, run the test suites (SQLite + embedded Huey)
	$(BIN)/python -m pytest -q

lint: $(BIN)/hushbook  ## ruff (rules + format), import rules (import-linter), types (mypy)
	$(BIN)/ruff check service sdk tests bench plugins/build_copies.py plugins/widget/build.py plugins/console/build.py plugins/shopify/hushbook_shopify
	$(BIN)/ruff format --check service sdk tests bench plugins/build_copies.py plugins/widget/build.py plugins/console/build.py plugins/shopify/hushbook_shopify
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy --strict sdk/hushbook
	$(BIN)/mypy service/hushbook_service
	$(BIN)/mypy plugins/shopify/hushbook_shopify

bench: $(BIN)/hushbook  ## every benchmark (figures, not pass/fail)
	$(BIN)/python bench/slots.py
	$(BIN)/python bench/sealing.py
	$(BIN)/python bench/scrape.py
	$(BIN)/python bench/messages.py
	$(BIN)/python bench/console.py

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis .mypy_cache .ruff_cache
