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

# Debian's Chromium for the browser tests and Noto CJK so Japanese renders in screenshots
# and exports. Needs root (CI and the developer machines run as root).
system: $(STAMPS)/system

$(STAMPS)/system: | $(STAMPS)
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
	  echo "chromium and fonts-noto-cjk are installed"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
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
