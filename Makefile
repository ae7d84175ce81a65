# worldcafe: `make demo` runs a demo event, `make test` runs every test (browser tests too).
# Every target sets up what it needs first, so both work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
LOCK := requirements.txt
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test`: most tests wait on servers and browsers, so three
# keep two cores busy (docs/testing.md); TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 3

.PHONY: help install lock runtime system demo test test-fast fuzz lint messages bench clean

help:  ## what each target does
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 20

install: $(STAMPS)/python $(STAMPS)/npm  ## the virtual environment from requirements.txt, and htmx from npm

$(STAMPS):
	mkdir -p $(STAMPS)

# Python packages come from the lock file (the versions every machine gets, each file's
# sha256 checked by pip, which the hashes put in --require-hashes mode); the project
# itself is installed on top of them, editable, without resolving anything again, and built
# by the locked hatchling (no build isolation, which would fetch the newest of the day).
$(STAMPS)/python: pyproject.toml $(LOCK) | $(STAMPS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
	  -e '.[test,scale]'
	touch $@

# Refresh the lock file: uv resolves the newest versions pyproject.toml allows (with its
# test and scale extras, for Python 3.11) into requirements.txt, each pin with its hashes
# and the reason it is there; uv itself lives in a throwaway virtual environment.
lock:  ## refresh requirements.txt with the newest versions pyproject.toml allows (uv pip compile)
	rm -rf $(STAMPS)/lock-venv
	$(PYTHON) -m venv $(STAMPS)/lock-venv
	$(STAMPS)/lock-venv/bin/pip install --quiet --disable-pip-version-check uv
	$(STAMPS)/lock-venv/bin/uv pip compile pyproject.toml --extra test --extra scale \
	  --python-version 3.11 --generate-hashes --upgrade -o $(LOCK)
	rm -rf $(STAMPS)/lock-venv

$(STAMPS)/npm: package.json package-lock.json | $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages, installed with apt-get when missing (needs root; CI and the developer
# machines run as root). The runtime needs Noto CJK and Pango so that Japanese renders in
# the PDF and PNG exports; the tests also need Chromium, PostgreSQL and a Redis server,
# which they start themselves on free loopback ports and stop again
# (tests/fixtures/services.py), and WebKit's WebDriver (webkit2gtk-driver: the engine of the iPads and iPhones) with
# Xvfb for its display, which tests/webkit/ starts on a free display number and stops.
RUNTIME_DEBS := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
TEST_DEBS := chromium redis-server postgresql webkit2gtk-driver xvfb poppler-utils nginx-light

runtime: $(STAMPS)/runtime  ## Debian's Pango and Noto CJK for the PDF and PNG exports (apt-get, needs root)
system: $(STAMPS)/system  ## the Debian packages the tests need: chromium, postgresql, redis-server, nginx... (root)

$(STAMPS)/runtime: | $(STAMPS)
	@if fc-list 2>/dev/null | grep -qi 'Noto Sans CJK' && \
	    ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then \
	  echo "fonts-noto-cjk and pango are installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(RUNTIME_DEBS); \
	else \
	  echo "warning: install $(RUNTIME_DEBS) (as root) for the PDF and PNG exports"; \
	fi
	touch $@

$(STAMPS)/system: Makefile $(STAMPS)/runtime | $(STAMPS)
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/redis-server ] && \
	    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && \
	    [ -x /usr/bin/WebKitWebDriver ] && [ -x /usr/bin/Xvfb ] && [ -x /usr/bin/pdftotext ] && \
	    [ -x /usr/sbin/nginx ]; then \
	  echo "chromium, redis-server, postgresql, webkit2gtk-driver, xvfb, poppler-utils and nginx are installed"; \
	else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_DEBS); \
	fi
	touch $@

demo: install runtime  ## set everything up, start a demo event on SQLite, print its links and a QR code
	$(BIN)/worldcafe demo --host $(HOST) --port $(PORT)

test: install system  ## set everything up and run the whole suite (lint, unit, integration, scaled, fuzz, browsers)
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n $(TEST_WORKERS) --durations=25

test-fast: install system  ## the suite without the browser tiers
	$(BIN)/pytest -q -n $(TEST_WORKERS) -m "not e2e and not webkit"

# The long fuzz: more generated examples per operation and every edge case on both
# databases (`make test` runs the short one; docs/testing.md).
fuzz: install system  ## the long fuzz of the API (25 examples per operation, every edge case on both databases)
	WORLDCAFE_FUZZ=full $(BIN)/pytest -q -n 2 -m fuzz tests/fuzz

lint: install  ## ruff over the code and the tests
	$(BIN)/ruff check .

# Re-extract user-facing strings and merge them into the ja and en catalogs.
messages: install  ## extract user-facing strings into the ja and en catalogs
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k N_ -k NN_:1,2 -o app/locales/messages.pot app
	$(BIN)/pybabel update --no-fuzzy-matching -i app/locales/messages.pot -d app/locales

bench: install  ## the fan-out benchmark (more in bench/README.md)
	$(BIN)/python bench/fanout.py

clean:  ## forget what was set up (stamps) and the test artifacts
	rm -rf $(STAMPS) test-artifacts
