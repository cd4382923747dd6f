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

.PHONY: install run test test-fast index eval bench bench-safety browser-deps clean

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

# Debian's chromium for the browser test (Playwright's own browser download does not work offline).
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing chromium for the browser test (apt-get)"; \
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium not found and cannot be installed here: the browser test will be skipped"; fi

test: install browser-deps
	$(BIN)/python -m pytest -q -ra

# Unit tests only: no real model, no browser, no server (seconds).
test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser and not server"

eval: install
	$(BIN)/aiact eval --out eval-report

bench: install
	$(BIN)/python -m aiact.benchmarks.run --out bench-results

# The bad-input set (API + CLI, mini corpus) and 20 web users for 60 s on loopback (real index).
bench-safety: install
	$(BIN)/python -m aiact.benchmarks.bad_input --out bench-results
	$(BIN)/python -m aiact.benchmarks.load_web --users 20 --seconds 60 --out bench-results

clean:
	rm -rf $(VENV) .pytest_cache .aiact-test-home eval-report bench-results
