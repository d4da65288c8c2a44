# Two commands for a newcomer with Python 3 and make:  make test   and   make book
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: help venv lab test book learner student chromium clean distclean sync perf stress seeds

help:
	@echo "make lab     set up .venv and open the chapters in JupyterLab (for learners)"
	@echo "make venv    set up .venv only: pinned packages and rnncourse"
	@echo "make test    set up .venv, run the package tests and every chapter (nbval)"
	@echo "make book    set up .venv, execute every chapter and build the HTML book (_build/html)"
	@echo "make learner write learner/NN_topic.ipynb: the chapters with the book's numbers in the prose (after make book)"
	@echo "make student write student/NN_topic.ipynb: the same without solutions (after make book)"
	@echo "make stress  run the chapters that time things 3 times beside 2 CPU burners"
	@echo "make seeds   run chapters 5, 7, 9 and 10-12 on other seeds (SHIFT=1000 by default) and check their claims"
	@echo "make perf    measure every chapter's execution time for the Performance page"
	@echo "make sync    put the chapters in their stored form (setup cell, no outputs)"
	@echo "make clean   remove build products (keeps .venv); make distclean also removes .venv"

# The environment: rebuilt only when the pins or the package metadata change.
# torch first, from PyTorch's CPU index (where that index cannot be reached, pip
# falls back to the public index or a local wheel after one retry).
$(STAMP): requirements-torch.txt requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --retries 1 -r requirements-torch.txt
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab chapters/

test: $(STAMP) chromium
	$(PY) -m pytest tests chapters --nbval-lax --nbval-current-env -p no:cacheprovider --durations=12

book: $(STAMP)
	$(PY) tools/book_stamp.py prepare
	$(PY) tools/execute_chapters.py --jobs 2
	$(VENV)/bin/jupyter-book build . --warningiserror --keep-going
	$(PY) tools/book_stamp.py write

# Learner and student notebooks read the book's glued numbers: build the book first.
learner: $(STAMP)
	$(PY) tools/learner.py learner

student: $(STAMP)
	$(PY) tools/student.py student

# Headless Chromium for the browser tests of the built book (tests/test_site.py).
# Installed with apt-get where we are root; elsewhere those tests skip and say why.
chromium:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then \
	  echo "chromium: $$(command -v chromium), $$(command -v chromedriver)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "chromium: apt-get failed; the browser tests will be skipped"; \
	else \
	  echo "chromium: not installed (needs root and apt-get); the browser tests will be skipped"; \
	fi

# Every chapter's execution time, for the Performance page (run it on a quiet machine).
perf: $(STAMP)
	$(PY) benchmarks/chapter_times.py --out benchmarks/results/chapter_times.md

# Every chapter that times something, three times, with two CPU burners running.
stress: $(STAMP)
	$(PY) tools/stress.py --runs 3 --burners 2

# Chapters' claims, checked on seeds they were not written with.
SHIFT ?= 1000
seeds: $(STAMP)
	$(PY) tools/other_seeds.py --shift $(SHIFT) --jobs 2

sync: $(STAMP)
	$(PY) tools/notebooks.py sync

clean:
	rm -rf _build student learner .pytest_cache .hypothesis dist build *.egg-info test-artifacts
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
