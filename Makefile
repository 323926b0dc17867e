# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test soak shots wheel-check bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/emviz $(ARGS)

# The suite runs in one process per core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one.
test: $(STAMP)
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

# The long monkey run: EMVIZ_SOAK_ACTIONS random actions (default 20,000) for each of
# EMVIZ_SOAK_SEEDS (default 1,2,3), each on a fresh window. A seed takes minutes, so the
# suite's 120 s faulthandler stack dump is turned off (the monkey has its own watchdog).
soak: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m soak -s -p no:cacheprovider \
		-o faulthandler_timeout=0 tests/gui/test_monkey.py

# Every screen the audit checks (sizes x themes x presenting x states) as PNGs in shots/, the
# audit's findings (shots/findings.txt) and one contact sheet (shots/contact-sheet.png).
shots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.gui.shots shots

# What a user gets from `pip install`: a wheel built from a copy of the sources (so no stale
# build/ folder leaks in), installed in a fresh venv, run from a folder outside the checkout
# (so nothing here can be imported by accident) to take a screenshot.
wheel-check: $(STAMP)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && set -e && \
	mkdir "$$tmp/src" && cp -R emviz resources pyproject.toml README.md "$$tmp/src/" && \
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir "$$tmp/dist" "$$tmp/src" && \
	$(BIN)/python -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet "$$tmp"/dist/emviz-*.whl && \
	cd "$$tmp" && QT_QPA_PLATFORM=offscreen "$$tmp/venv/bin/emviz" --screenshot "$$tmp/x.png" && \
	test -s "$$tmp/x.png" && echo "wheel-check: the installed wheel ran and drew a screenshot"

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_core.py
	@if [ -f benchmarks/bench_render.py ]; then QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_render.py; fi

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
