# Two entry points for a fresh clone (Python 3.10+, pip and a Rust toolchain):
#   make demo   - set up .venv and run the seed demo (before/after timing)
#   make test   - set up .venv and run the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: demo test test-long bench setup clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	$(PY) examples/euclidean.py

test: setup
	$(PY) -m pytest -q

# The differential tests with the long hypothesis profile (2000 examples per construct).
test-long: setup
	RUSTIFY_HYPOTHESIS_PROFILE=long RUSTIFY_SEMANTICS_REPORT=1 $(PY) -m pytest -q -s tests/test_semantics*.py tests/test_seed_kernels.py

bench: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m pytest benchmarks/ --benchmark-only --benchmark-group-by=group --benchmark-columns=min,median,rounds
	$(PY) benchmarks/compile_latency.py

clean:
	rm -rf $(VENV) build *.egg-info
