# The two commands: `make demo` and `make test`. Both install what they need by themselves.
SHELL := /bin/bash
CARGO ?= cargo
CC ?= cc
CXX ?= c++
LIB_DIR := target/debug
VENV := .venv
PY := $(VENV)/bin/python
C_OUT := target/c
C_STRICT := -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude

.PHONY: demo test check-format clippy rust-test c-test bench-smoke compare-smoke py-build py-test header

## demo: generate a sample Turkish SME customer base and show what crm does with it,
## through the Python package (built into .venv first)
demo: py-build
	$(PY) -m crm demo

## test: every check: format, lints, Rust tests (with the header check), C tests, bench smoke
test: check-format clippy rust-test c-test bench-smoke py-test compare-smoke

check-format:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# Includes crm-ffi/tests/header.rs, which fails when include/crm.h is stale.
rust-test:
	$(CARGO) test --workspace --locked

c-test:
	$(CARGO) build --locked -q -p crm-ffi
	mkdir -p $(C_OUT)
	$(CC) $(C_STRICT) crm-ffi/tests/c/version.c -L$(LIB_DIR) -lcrm -o $(C_OUT)/version_shared
	LD_LIBRARY_PATH=$(LIB_DIR) $(C_OUT)/version_shared
	$(CC) $(C_STRICT) crm-ffi/tests/c/version.c $(LIB_DIR)/libcrm.a -lpthread -ldl -lm -o $(C_OUT)/version_static
	$(C_OUT)/version_static
	$(CXX) -std=c++17 -Wall -Wextra -Werror -Iinclude -fsyntax-only -x c++ crm-ffi/tests/c/version.c

# Runs every bench once on small data so that they never rot; timings come from `cargo bench`.
bench-smoke:
	CRM_BENCH_CUSTOMERS=2000 CRM_BENCH_ROWS=20000 $(CARGO) bench --locked -q -p crm-benches -- --test

# The comparison script against pandas and polars, on small data: checks that all three
# agree (the timings only mean something at full size: see the README's performance section).
compare-smoke: $(VENV)/.bench-deps
	$(CARGO) build --release --locked -q -p crm-benches --bin segment_job
	$(PY) benches/compare_segmentation.py --rows 200000 --customers 20000 --repeat 1

$(VENV)/.bench-deps: benches/requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r benches/requirements.txt
	touch $@

# The Python package, built by maturin into .venv (editable: python/crm is used in place).
$(VENV)/.py-deps: crm-py/requirements-dev.txt $(VENV)/.bench-deps
	$(PY) -m pip install -q --disable-pip-version-check -r crm-py/requirements-dev.txt
	touch $@

py-build: $(VENV)/.py-deps
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(VENV)/bin/maturin develop --release --locked -q -m crm-py/Cargo.toml

# pytest (with hypothesis; warnings are errors), the docstring examples, and the type stubs
# checked against the built module.
py-test: py-build
	$(PY) -m pytest -q crm-py/tests
	$(PY) -m pytest -q --doctest-modules crm-py/python/crm -p no:cacheprovider
	cd crm-py && ../$(PY) -m mypy.stubtest crm._crm
	cd crm-py && ../$(PY) -m mypy --strict python/crm

## header: regenerate include/crm.h from crm-ffi with the pinned cbindgen
header:
	CRM_UPDATE_HEADER=1 $(CARGO) test --locked -q -p crm-ffi --test header
