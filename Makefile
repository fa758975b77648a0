# Two commands: `make demo` and `make test`. Both set up .venv on a fresh machine (Python 3.11 + make).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test bench load lint golden clean report-tools dist

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or: make PYTHON=python3 ...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/greenpark assess examples/coal_chemical_park.yaml

# Debian's chromium, fonts-noto-cjk and poppler-utils for `greenpark report` (PDF) and its browser
# tests: installed where missing when make runs as root (tools/install-report-tools.sh)
report-tools:
	@bash tools/install-report-tools.sh

test: $(STAMP) report-tools
	$(BIN)/greenpark rules lint
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/cli_start.py

load: $(STAMP)
	$(BIN)/python bench/load.py

golden: $(STAMP)
	$(BIN)/greenpark rules golden --write

# the wheel and the sdist in dist/ (PyPA build, isolated: fetches setuptools>=77 for the build);
# `make test` builds them too and installs the wheel into a fresh venv (tests/test_package.py)
dist: $(STAMP)
	$(BIN)/python -m build --outdir dist .

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
