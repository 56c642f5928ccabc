# National MDK coordination service: the README's two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export MDK_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: setup run test test-sqlite test-postgresql lint pdf browser imap axe translations bench clean

# A virtualenv with the service and its test tools, rebuilt when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# axe-core for the accessibility tests and oidc-provider, the OpenID provider the OIDC login
# tests start (run with the machine's Node.js), exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

axe: node_modules/.installed

setup: $(VENV)/.installed pdf

# Embedded default: SQLite under instance/, migrations, demo data, web + scheduler.
# `PORT=5001 make run` (and MDK_HOST=0.0.0.0) listens elsewhere; links in mail follow.
PORT     ?= 5000
MDK_HOST ?= 127.0.0.1
run: export MDK_BASE_URL ?= http://$(MDK_HOST):$(PORT)
run: export MDK_MAIL_BACKEND ?= file
run: setup
	$(BIN)/mdk db upgrade
	$(BIN)/mdk demo load --year
	$(BIN)/mdk run --host $(MDK_HOST) --port $(PORT)

# The whole suite: lint, then every test on SQLite and on PostgreSQL (both required), the
# two engines side by side (MDK_TEST_SERIAL=1: one after the other).
test: setup axe browser imap lint
	BIN=$(BIN) tools/test-both-engines.sh

test-sqlite: setup axe browser imap
	MDK_TEST_DB=sqlite $(BIN)/pytest -q $(ARGS)

test-postgresql: setup axe browser imap
	MDK_TEST_DB=postgresql $(BIN)/pytest -q $(ARGS)

lint: setup
	$(BIN)/ruff check .

# Debian's Pango, HarfBuzz's subsetter and DejaVu Sans for WeasyPrint, the one PDF library
# (the log extract, the demo's reports): `make run` needs them as much as the tests.
pdf:
	@tools/ensure-pdf.sh

# Debian's Chromium and a font with Swedish glyphs for the browser tests (never a download
# of Playwright's own browser build).
browser:
	@tools/ensure-browser.sh

# Debian's Dovecot for the tests of the replies mailbox (tests/invites/test_mailbox.py start
# their own on a free localhost port).
imap:
	@tools/ensure-imap.sh

translations: setup
	$(BIN)/python tools/i18n.py

# Benchmarks (not in CI), about a minute: rotation and calendar planning, and the lists on
# PostgreSQL (MDK_TEST_PG_URL) at 100 and 10,000 cases, each size in a schema of its own.
bench: setup
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .hypothesis node_modules
