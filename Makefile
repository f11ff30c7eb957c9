# The user interface of the workbench. `make report` and `make test` are the two commands README promises.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
KERNEL := altinn-analysis

.PHONY: install report check test lint format typecheck fast unit lab snapshot bench docs clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Re-sync only when the lock or project metadata changed: `make install` is cheap when nothing did.
$(VENV)/.installed: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --all-extras --compile-bytecode --python $(PYTHON)
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Altinn analysis" >/dev/null
	@touch $@

# Bytecode written here: where PYTHONDONTWRITEBYTECODE is set, every command would otherwise compile polars, typer
# and the package again on each start (about 1 s of a 2 s `assess`). The package is compiled on every install, not
# only when the lock changes, so modules edited since stay fast too (compileall skips what is current).
install: $(VENV)/.installed  ## create .venv from uv.lock with every extra (idempotent)
	@$(BIN)/python -m compileall -q altinn_analysis >/dev/null

report: install  ## build every demo institution's report and the sector page, offline
	$(BIN)/altinn-analysis report --all

lint: install  ## ruff lint + format check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The fast loop: everything but the tests marked slow (kernels, browsers, notebooks, end-to-end runs; see the
# markers in pyproject.toml). A test that starts a kernel here fails and says how to mark it.
fast: install
	ALTINN_ANALYSIS_FAST_TESTS=1 $(BIN)/pytest -q -p no:cacheprovider -m "not slow" -n auto --dist loadfile

# Every test: the fast ones spread over the cores, then the slow ones (kernels, browsers, end-to-end runs) one at a
# time, then the notebooks under nbval (without hypothesis's plugin: no notebook uses it, and at the end of every
# run it imports hypothesis, ~1 s of the notebooks' run on 2 cores; with tests/nbval_startup.py, loaded before
# nbval: without the IRI parser jsonschema builds at import, ~1.7 s, which nbval's schema checks never use).
unit: fast
	$(BIN)/pytest -q -p no:cacheprovider -m slow
	PYTHONPATH=tests $(BIN)/pytest -p nbval_startup --nbval-lax -p no:cacheprovider -p no:hypothesispytest notebooks/

check: lint fast  ## the fast loop (< 2 min): lint, type check and the fast tests

test: lint unit  ## lint, type check and every test, including kernels, browsers and notebooks (< 10 min)

format: install  ## apply ruff formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lab: install  ## JupyterLab on the project's kernel ("Altinn analysis", registered by make install)
	$(BIN)/jupyter lab notebooks/

SNAPSHOT_NOTE ?= embedded snapshot: built by refresh from a constructed recording of Altinn's metadata APIs (Altinn seed and server code of 2026-08), not fetched from production
snapshot: install  ## rebuild data/reference/ from a replay directory: make snapshot REPLAY=path/to/replay
	@test -n "$(REPLAY)" || { echo "usage: make snapshot REPLAY=path/to/replay"; exit 2; }
	$(BIN)/altinn-analysis refresh --replay "$(REPLAY)" --out data/reference --describe "$(SNAPSHOT_NOTE)"

bench: install  ## print the benchmark figures (takes a few minutes)
	$(BIN)/python benchmarks/bench_catalogue.py $(if $(REPLAY),--replay "$(REPLAY)")
	$(BIN)/python benchmarks/bench_generate.py
	$(BIN)/python benchmarks/bench_inventory.py
	$(BIN)/python benchmarks/bench_impact.py
	$(BIN)/python benchmarks/bench_cli.py

clean:  ## remove the environments (not the reports)
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache

docs: install  ## regenerate the generated references (docs/cli.md, docs/inventory.md, docs/rules.md)
	$(BIN)/python -c "from altinn_analysis.catalogue import load_dsop; from altinn_analysis.impact import rules_markdown as r; open('docs/rules.md', 'w').write(r(load_dsop()))"
	$(BIN)/python -c "from altinn_analysis.cli._reference import render_cli_reference as r; open('docs/cli.md', 'w').write(r())"
