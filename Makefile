# worldcafe: `make demo` runs a demo event, `make test` runs every test (browser tests too).
# Every target sets up what it needs first, so both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install system demo test test-fast lint messages bench clean

install: $(STAMPS)/python $(STAMPS)/npm

$(STAMPS):
	mkdir -p $(STAMPS)

$(STAMPS)/python: pyproject.toml | $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium for the browser tests, Noto CJK so Japanese renders in screenshots and
# exports, and Redis for the several-workers test. Needs root (CI and developers are root).
system: $(STAMPS)/system

$(STAMPS)/system: | $(STAMPS)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/redis-server ] && \
	    fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  echo "chromium, redis-server and fonts-noto-cjk are installed"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium fonts-noto-cjk redis-server; \
	fi
	touch $@

demo: install
	$(BIN)/worldcafe demo --host $(HOST) --port $(PORT) --database-url sqlite:///./worldcafe-demo.db

test: install system
	$(BIN)/ruff check .
	$(BIN)/pytest -q

test-fast: install
	$(BIN)/pytest -q -m "not e2e"

lint: install
	$(BIN)/ruff check .

# Re-extract user-facing strings and merge them into the ja and en catalogs.
messages: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k N_ -o app/locales/messages.pot app
	$(BIN)/pybabel update --no-fuzzy-matching -i app/locales/messages.pot -d app/locales

bench: install
	$(BIN)/python bench/fanout.py

clean:
	rm -rf $(STAMPS) test-artifacts
