# btl: `make run` serves on SQLite, `make test` runs the suite. Both set everything up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test audit-deps lint schema migrations bench bench-live fuzz clean screenshot

# the moderators' console (GET /graphql in a browser) is built from the npm registry when npm
# is present; without it the page says how to build it
install: $(STAMP)
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory console \
		|| echo "warning: the console did not build; GET /graphql will say how (make console)"; \
	else echo "npm not found: the console is not built (GET /graphql says how)"; fi

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

CONSOLE_SOURCES := console/package.json console/build.mjs $(wildcard console/src/*)

.PHONY: console
console: console/dist/console.js

console/node_modules/.package-lock.json: console/package-lock.json
	cd console && npm ci --no-audit --no-fund --silent

console/dist/console.js: console/node_modules/.package-lock.json $(CONSOLE_SOURCES)
	cd console && npm run --silent build

run: install
	$(PY) -m service migrate
	$(PY) -m service serve

test: install audit-deps
	$(PY) -m pytest -q

# the graphql-http audit runs under node; its test skips with a reason where node is missing
audit-deps:
	@if command -v npm >/dev/null && [ ! -d tests/http_audit/node_modules ]; then \
		cd tests/http_audit && npm ci --no-audit --no-fund --silent; fi

lint: install
	$(VENV)/bin/ruff check service schema web tests
	$(VENV)/bin/mypy

schema: install
	$(PY) -m schema.export

migrations: install
	BTL_DATABASE_URL=sqlite://:memory: $(PY) -m tortoise -c service.db.TORTOISE_ORM makemigrations

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache

# the long fuzz: more than 1,000 generated operations anonymous and as many as an admin
fuzz: install
	BTL_FUZZ_EXAMPLES=40 $(PY) -m pytest -q tests/test_fuzz.py

bench: install
	command -v wrk >/dev/null || (apt-get install -y -q wrk >/dev/null 2>&1 || true)
	$(PY) bench/run.py $(BENCH_ARGS)
	$(PY) bench/observability.py
	$(PY) bench/live.py

# thousands of websocket subscribers on one process (bench/live.py; QUICK=1: 1,000 of them)
bench-live: install
	$(PY) bench/live.py $(if $(QUICK),--quick)

# the README's picture of the console, taken by the console's browser test
screenshot: install
	BTL_CONSOLE_SCREENSHOT=$(CURDIR)/docs/console.png $(PY) -m pytest -q tests/test_console.py -k chromium
