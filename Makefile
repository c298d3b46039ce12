# Every install step lives here. `make digits` runs the app; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup test lint digits train bench clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

test: setup
	$(PY) -m ruff check src tests benchmarks examples
	$(PY) -m pytest

lint: setup
	$(PY) -m ruff check src tests benchmarks examples

digits: setup
	$(VENV)/bin/mxtorch digits

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
