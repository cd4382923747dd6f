# Two commands on a fresh clone: `make run` (web UI on http://127.0.0.1:7860) and `make test`.
# Everything else is a convenience. The venv lives in .venv/ at the repository root.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test test-fast index eval bench bench-safety browser-deps screenshots clean

install: $(STAMP)

# torch==2.13.0 is pinned in pyproject.toml: with plain pip it resolves to the CPU build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: install
	$(BIN)/aiact index
	$(BIN)/aiact serve --host 127.0.0.1 --port 7860

index: install
	$(BIN)/aiact index

# Debian's chromium for the browser test (Playwright's own browser download does not work offline),
# and axe-core (the accessibility checker the test injects into the page) from the npm registry into
# the git-ignored tests/.node/ -- pinned, and not vendored: 650 kB of minified third-party code
# does not belong in the repository's history.
AXE_VERSION := 4.14.1
AXE := tests/.node/node_modules/axe-core/axe.min.js
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing chromium for the browser test (apt-get)"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found and cannot be installed here: the browser test will be skipped"; fi
	@if [ -f $(AXE) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		npm install --silent --no-audit --no-fund --prefix tests/.node axe-core@$(AXE_VERSION) >/dev/null; \
	else echo "npm not found: the accessibility check of the browser test will be skipped"; fi

test: install browser-deps
	$(BIN)/python -m pytest -q -ra

# Unit tests only: no real model, no browser, no server (seconds).
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser and not server"

# Refresh the README's screenshots (docs/screenshots/, tracked): the browser test, with its copies
# switched on. `make test` writes screenshots only to the git-ignored tests/artifacts/.
screenshots: install browser-deps
	AIACT_SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q -m browser tests/test_browser.py

eval: install
	$(BIN)/aiact eval --out eval-report

bench: install
	$(BIN)/python -m aiact.benchmarks.run --out bench-results

# The bad-input set (API + CLI, mini corpus) and 20 web users for 60 s on loopback (real index).
bench-safety: install
	$(BIN)/python -m aiact.benchmarks.bad_input --out bench-results
	$(BIN)/python -m aiact.benchmarks.load_web --users 20 --seconds 60 --out bench-results

clean:
	rm -rf $(VENV) .pytest_cache .aiact-test-home eval-report eval-compare bench-results tests/.node tests/artifacts
