# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

DIST_TOOLS := $(VENV)/.dist-tools
BYTECODE := $(VENV)/.bytecode
SOURCES := $(shell find emviz -name '*.py')

.PHONY: run test soak shots dist wheel-check bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

# emviz's modules compiled once, not at every start: the install is editable (no bytecode),
# and where PYTHONDONTWRITEBYTECODE is set (as on the machines this was measured on) every
# start compiled all of them again (130 ms of CPU time). Again for any source newer than the
# last compile. checked-hash: the .pyc holds a hash of its source, so an edited module is
# compiled anew at import, however soon after the compile and whatever its size (timestamp
# .pyc compare whole seconds and the size: an edit in the same second kept the old code).
$(BYTECODE): $(STAMP) $(SOURCES)
	$(BIN)/python -m compileall -q --invalidation-mode checked-hash emviz
	touch $(BYTECODE)

run: $(BYTECODE)
	$(BIN)/emviz $(ARGS)

# The suite runs in one process per core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one.
test: $(BYTECODE)
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS)

# The long monkey run: EMVIZ_SOAK_ACTIONS random actions (default 20,000) for each of
# EMVIZ_SOAK_SEEDS (default 1,2,3), each on a fresh window. A seed takes minutes, so the
# suite's 120 s faulthandler stack dump is turned off (the monkey has its own watchdog).
soak: $(BYTECODE)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m soak -s -p no:cacheprovider \
		-o faulthandler_timeout=0 tests/gui/test_monkey.py \
		tests/io/test_input_properties.py tests/gui/test_input_properties.py

# build and twine (the `dist` extra) go into .venv, never by hand.
$(DIST_TOOLS): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dist]"
	touch $(DIST_TOOLS)

# The release: dist/emviz-<version>.tar.gz and the wheel built from that sdist (so the sdist
# is known to hold everything, and no stale build/ folder leaks into the wheel), their
# metadata checked by twine (the README renders on PyPI, the license is declared).
dist: $(DIST_TOOLS)
	rm -rf dist
	$(BIN)/python -m build --quiet --outdir dist .
	$(BIN)/twine check --strict dist/*

# Every screen the audit checks (sizes x themes x presenting x states) as PNGs in shots/, the
# audit's findings (shots/findings.txt) and one contact sheet (shots/contact-sheet.png).
shots: $(BYTECODE)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tests.gui.shots shots

# What a user gets from `pip install`: the wheel of `make dist`, installed in a fresh venv and
# run from a folder outside the checkout (so nothing here can be imported by accident): pip
# compiled every module's bytecode (a start never compiles emviz), it reports its version and opens a data file given on the command line to take a screenshot.
wheel-check: dist
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && set -e && \
	$(BIN)/python -m venv "$$tmp/venv" && \
	"$$tmp/venv/bin/python" -m pip install --quiet dist/emviz-*.whl && \
	pycs=$$(find "$$tmp/venv" -path '*/emviz/*__pycache__/*.pyc' | wc -l) && \
	echo "wheel-check: pip compiled $$pycs of emviz's modules (every start reads them)" && \
	test "$$pycs" -ge "$$(find emviz -name '*.py' | wc -l)" && \
	cd "$$tmp" && version=$$("$$tmp/venv/bin/emviz" --version) && echo "wheel-check: $$version" && \
	test "$$version" = "emviz $$(ls "$(CURDIR)"/dist/emviz-*.whl | sed 's|.*/emviz-\([^-]*\)-.*|\1|')" && \
	printf 'x,y\n0,0\n0.3,0.2\n0.1,0.4\n4,4\n4.2,3.8\n3.9,4.3\n' > points.csv && \
	QT_QPA_PLATFORM=offscreen "$$tmp/venv/bin/emviz" points.csv --steps 3 --screenshot x.png && \
	test -s x.png && echo "wheel-check: the installed wheel opened points.csv and drew a screenshot"

bench: $(BYTECODE)
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_core.py
	@if [ -f benchmarks/bench_render.py ]; then QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_render.py; fi
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_memory.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_gaps.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_hand_drag.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench_landscape.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist *.egg-info
	find emviz -name __pycache__ -type d -prune -exec rm -rf {} +
