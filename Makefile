# Every install step lives here. `make digits` runs the app; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# GluonCV for tests/gluoncv, without its declared dependencies (see requirements.txt)
GLUONCV := gluoncv==0.10.5

.PHONY: setup browser graphviz test lint docs digits train fuzz clean

# requirements.txt pins the core dependencies, the apps extra (FastAPI, uvicorn, python-multipart:
# `make digits` and the tests serve the web app) and the test tools; the package goes in without deps.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps $(GLUONCV)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Debian's Chromium, which the end-to-end tests drive through Playwright (installed with apt when
# missing; Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's graphviz (the dot binary), with which the tests render mx.viz.plot_network.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz; }

# The documentation site (build/site), offline; any warning fails the build (strict in mkdocs.yml).
# The API reference imports mxtorch: nd.* and sym.* are generated from the operator table.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --quiet

# The tests check the built reference against the public API (tests/test_docs.py), so the site comes first.
test: lint browser graphviz docs
	MXTORCH_DOCS_SITE=$(CURDIR)/build/site $(PY) -m pytest

lint: setup
	$(PY) -m ruff check src tests benchmarks examples

PORT ?= 8000
digits: setup
	$(VENV)/bin/mxtorch digits --port $(PORT)

# Retrain the LeNet that ships with the package (what the web app serves).
MNIST ?= ../shared/data/mnist
train: setup
	$(VENV)/bin/mxtorch train lenet --epochs 10 --root $(MNIST) \
	  --out src/mxtorch/apps/digits/lenet.params --checkpoint-dir build/lenet-checkpoints

# A long fuzz campaign over every reader of untrusted bytes (tests/fuzz/): coverage-guided with atheris
# where its wheel installs, else with the harness's own mutator. `make test` runs a short round.
FUZZ_SECONDS ?= 1800
fuzz: setup
	@if $(PY) -m pip install --quiet atheris 2>/dev/null; then \
	  $(PY) -m tests.fuzz --engine atheris --seconds $(FUZZ_SECONDS) --save; \
	else \
	  $(PY) -m tests.fuzz --seconds $(FUZZ_SECONDS) --save; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
