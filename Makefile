# Set-up is idempotent: `make setup` installs only what is missing.
#   - Python environment in .venv (uv from PyPI when not present, else pip)
#   - system Chromium + CJK font (Debian/Ubuntu apt) when no Chromium is found,
#     because Playwright's own browser download is not possible everywhere
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=
# tests run in parallel (pytest-xdist): most of their time is spent waiting on servers and Chromium
PYTEST_WORKERS ?= 3

.PHONY: setup demo test test-fast bench browser clean

setup: $(VENV)/bin/inspector browser

$(VENV)/bin/inspector: pyproject.toml uv.lock
	@if [ -n "$(UV)" ]; then \
	  uv sync --frozen; \
	else \
	  python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv; \
	  python3 -m uv sync --frozen; \
	fi
	@touch $@

# A Chromium for evidence capture: INSPECTOR_CHROMIUM, Playwright's own, or the system one.
browser:
	@if [ -n "$$INSPECTOR_CHROMIUM" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
	    || command -v google-chrome >/dev/null || ls $$HOME/.cache/ms-playwright/chromium-*/chrome-linux/chrome >/dev/null 2>&1; then \
	  true; \
	elif command -v apt-get >/dev/null; then \
	  echo "installing Debian chromium + fonts-wqy-microhei (Playwright's own download is not used)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-wqy-microhei minisign tmux >/dev/null; \
	else \
	  echo "no Chromium and no apt-get: evidence capture will be skipped (set INSPECTOR_CHROMIUM)"; \
	fi
	@if command -v apt-get >/dev/null && ! fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; then \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq fonts-wqy-microhei >/dev/null; fi
	@for tool in minisign tmux; do \
	  if ! command -v $$tool >/dev/null && command -v apt-get >/dev/null; then \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$tool >/dev/null; fi; done

demo: setup
	$(VENV)/bin/inspector demo

test: setup
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# the quick loop while working: no browser, nothing marked slow
test-fast: $(VENV)/bin/inspector
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) -m "not slow and not browser" $(PYTEST_ARGS)

# speed goals (issue #15), each a ratio against a baseline or a peer measured in the same run;
# bench_peers installs LinkChecker and lychee into a throwaway environment of its own
bench: setup
	$(PY) bench/bench_errors.py
	$(PY) bench/bench_store.py
	$(PY) bench/bench_evidence.py
	$(PY) bench/bench_quarter.py
	$(PY) bench/bench_linkcheck.py
	$(PY) bench/bench_peers.py

clean:
	rm -rf $(VENV) .pytest_cache
