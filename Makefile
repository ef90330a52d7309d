# The everyday commands. `make setup` once, then `make test`, `make lint`, `make typecheck`.
# .ci/run is what CI runs: the same steps as `make ci` from a fresh clone.

VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: setup test quick lint format typecheck eval bench docs ci

setup:  ## a virtual environment with toll and its test tools
	python3 -m venv $(VENV) && $(VENV)/bin/pip install -e '.[test,dask]'

test:  ## the whole suite (about 10 minutes on 2 cores)
	$(PY) -m pytest

quick:  ## the suite without real Prefect flows (about 2 minutes)
	$(PY) -m pytest -m "not flow"

lint:  ## ruff lint and format check (tests/test_style.py runs the same)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

typecheck:  ## mypy over flows/, warehouse/ and parsers/ ([tool.mypy] in pyproject.toml)
	$(VENV)/bin/mypy

eval:  ## score the parsers on the annotated corpus (../shared/corpus/annotated)
	$(VENV)/bin/toll parsers eval --quiet

bench:  ## benchmarks, on demand (docs/performance.md)
	$(PY) -m benchmarks

docs:  ## regenerate the generated docs: docs/cli.md, then the examples of docs/analysts.md and docs/reliability.md
	$(PY) -m flows.cli.reference
	TOLL_UPDATE_DOCS=1 $(PY) -m pytest -q tests/test_docs.py
	TOLL_WRITE_RELIABILITY=1 $(PY) -m pytest -q tests/reliability

ci: lint typecheck test
