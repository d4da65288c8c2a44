# Two commands for a newcomer with Python 3 and make:  make test   and   make book
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help venv test test-package test-chapters book clean distclean sync

help:
	@echo "make test    set up .venv, run the package tests and every chapter (nbval)"
	@echo "make book    set up .venv, execute every chapter and build the HTML book (_build/html)"
	@echo "make sync    put the chapters in their stored form (setup cell, no outputs)"
	@echo "make clean   remove build products (keeps .venv); make distclean also removes .venv"

# The environment: rebuilt only when the pins or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest tests chapters --nbval-lax --nbval-current-env -p no:cacheprovider

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --warningiserror --keep-going

sync: $(STAMP)
	$(PY) tools/notebooks.py sync

clean:
	rm -rf _build student .pytest_cache .hypothesis dist build *.egg-info test-artifacts
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
