# Pinnace's front door: thin targets over the `pinnace` CLI (build/pinnace_build).
#   make demo   build whatever is missing, then serve the demos on http://127.0.0.1:8000/
#   make test   build whatever is missing, then run every test
# Builds are cached outside the repo in $${PINNACE_CACHE:-~/.cache/pinnace}, keyed by content.

PYTHON ?= python3
VENV := .venv
PINNACE := $(VENV)/bin/pinnace
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup toolchain dist demo test test-full bench lint clean

# Debian packages (build/setup-host.sh, idempotent) and the Python environment.
setup: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml build/setup-host.sh
	bash build/setup-host.sh
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

toolchain: setup
	$(PINNACE) toolchain install

dist: toolchain
	$(PINNACE) build dist
	$(PINNACE) build cpython-wasi
	$(PINNACE) build packages all
	$(PINNACE) build npm

demo: dist
	$(PINNACE) serve . --port $(PORT) --isolation

test: dist
	bash tests/run.sh $(PYTEST_ARGS)

# The same, with the larger named sets of the packages' own test suites (docs/packages.md).
test-full: dist
	PINNACE_TEST_FULL=1 bash tests/run.sh $(PYTEST_ARGS)

# Benchmarks side by side with Pyodide (npm pyodide@314.0.7), printed as markdown tables;
# add BENCH_ARGS=--write to update docs/benchmarks.md.
bench: dist
	$(VENV)/bin/python bench/run.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/ffi.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/packages.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/jspi.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/host_calls.py
	$(VENV)/bin/python bench/host_python.py $(BENCH_ARGS)
	$(VENV)/bin/python bench/pyperformance.py $(BENCH_ARGS)

lint: setup
	$(VENV)/bin/ruff check build host runtime tests bench demos
	$(VENV)/bin/mypy build/pinnace_build host/pinnace_host demos/server/app.py demos/lib/console.py \
		tests/runtime/native tests/support
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider tests/runtime/native/test_layers.py
	cd loader-js && npx tsc --noEmit -p . && node tools/check-cycles.mjs

clean:
	rm -rf dist
