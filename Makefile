# The two commands: `make demo` and `make test`. Both install what they need by themselves.
SHELL := /bin/bash
CARGO ?= cargo
CC ?= cc
CXX ?= c++
LIB_DIR := target/debug
VENV := .venv
PY := $(VENV)/bin/python
# The duplicate-detection comparison's own virtualenv: recordlinkage needs pandas < 3.
DEDUP_VENV := .venv-dedup
C_OUT := target/c
C_STRICT := -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude

.PHONY: demo test check-format clippy docs pg-deps rust-test c-test bench-smoke compare-smoke py-build py-test py-compat-test header lib fuzz install install-test wheel

## demo: generate a sample Turkish SME customer base and show what crm does with it,
## through the Python package (built into .venv first)
demo: py-build
	$(PY) -m crm demo

## test: every check: format, lints, Rust tests (with the header check), C tests, bench smoke
test: check-format clippy docs rust-test c-test install-test target/crm.pc bench-smoke py-test py-compat-test compare-smoke

check-format:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

# Every public item documented, no broken links in the docs.
docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --workspace --locked -q

# The PostgreSQL server binaries (initdb, pg_ctl) for crm-store's tests, which start a
# throwaway server themselves: Debian's postgresql package when none is found (the tests
# fail without them unless CRM_SKIP_POSTGRES=1).
PG_BIN_DIRS := $(PATH) /usr/local/bin $(wildcard /usr/lib/postgresql/*/bin)
pg-deps:
	@if [ "$$CRM_SKIP_POSTGRES" = 1 ]; then exit 0; fi; \
	for d in $(subst :, ,$(PG_BIN_DIRS)); do \
	  if [ -x "$$d/initdb" ] && [ -x "$$d/pg_ctl" ]; then exit 0; fi; \
	done; \
	echo "installing the Debian postgresql package (server binaries for the tests)"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q postgresql

# Includes crm-ffi/tests/header.rs, which fails when include/crm.h is stale.
rust-test: pg-deps
	$(CARGO) test --workspace --locked

C_TESTS := test_abi test_book test_engines test_calendar test_lifecycle_sla test_clv test_clv_models test_quality test_errors test_limits test_hostile test_fork test_store test_instants test_sizes test_records test_matches test_find test_campaign test_audience version test_worklist

# The debug libcrm (.so and .a) as `cargo test --workspace` builds it: the same features
# (crm-core's `sample`, which the test targets turn on), so after rust-test it is already
# built; `cargo build -p crm-ffi` would resolve other features and compile crm-core,
# crm-store and crm-ffi again (76 s on the 2-core CI machine). cargo test leaves the
# libraries in target/debug/deps (it copies up only what `cargo build` makes): linked up
# here, as cargo itself does.
DEBUG_LIB := $(CARGO) test --workspace --locked --no-run -q && \
  ln -f $(LIB_DIR)/deps/libcrm.a $(LIB_DIR)/deps/libcrm.so $(LIB_DIR)/

# Each C test compiled four ways (shared, static, ASan/UBSan, as C++) and run four ways
# (shared, static, ASan/UBSan, valgrind); two tests at a time, each one's output printed
# in one piece when it ends (--output-sync), so that a failure reads as in a serial run.
# Linking libcrm.a (debug, ~270 MB) is most of a C test's time: gold where the toolchain has
# it (about half of ld.bfd's time), and no debug sections in the plain static binary (a third
# again, and a third of the size); the ASan one keeps them for its reports. The large
# binaries are deleted once their test passes (19 tests would leave about 4 GB).
C_LD := $(shell $(CC) -fuse-ld=gold -Wl,--version >/dev/null 2>&1 && echo -fuse-ld=gold)
C_TEST_TARGETS := $(addprefix c-test-,$(C_TESTS))
.PHONY: $(C_TEST_TARGETS) c-examples
c-test:
	$(DEBUG_LIB)
	mkdir -p $(C_OUT)
	@$(MAKE) --no-print-directory -j2 --output-sync=target $(C_TEST_TARGETS) c-examples

$(C_TEST_TARGETS): c-test-%:
	$(CC) $(C_STRICT) crm-ffi/tests/c/$*.c -L$(LIB_DIR) -lcrm -lm -o $(C_OUT)/$*_shared
	$(CC) $(C_STRICT) $(C_LD) -Wl,--strip-debug crm-ffi/tests/c/$*.c $(LIB_DIR)/libcrm.a -lpthread -ldl -lm -o $(C_OUT)/$*_static
	$(CC) $(C_STRICT) $(C_LD) -g -fsanitize=address,undefined -fno-omit-frame-pointer crm-ffi/tests/c/$*.c \
	  $(LIB_DIR)/libcrm.a -lpthread -ldl -lm -o $(C_OUT)/$*_asan
	$(CXX) -std=c++17 -Wall -Wextra -Werror -Iinclude -fsyntax-only -x c++ crm-ffi/tests/c/$*.c
	@echo "== $* (shared)"; LD_LIBRARY_PATH=$(LIB_DIR) $(C_OUT)/$*_shared
	@echo "== $* (static)"; $(C_OUT)/$*_static
	@echo "== $* (ASan/UBSan)"; ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 $(C_OUT)/$*_asan
	@echo "== $* (valgrind)"; LD_LIBRARY_PATH=$(LIB_DIR) valgrind -q --leak-check=full --error-exitcode=1 \
	  --suppressions=crm-ffi/tests/c/valgrind.supp $(C_OUT)/$*_shared
	@rm -f $(C_OUT)/$*_static $(C_OUT)/$*_asan

# The example programs and the README's C program, built and run.
c-examples:
	$(CC) $(C_STRICT) examples/c/legacy_scoring.c $(C_LD) $(LIB_DIR)/libcrm.a -lpthread -ldl -lm -o $(C_OUT)/legacy_scoring
	$(C_OUT)/legacy_scoring examples/c/purchases.csv 2025-04-01
	$(CC) $(C_STRICT) examples/c/erp_nightly.c $(C_LD) $(LIB_DIR)/libcrm.a -lpthread -ldl -lm -o $(C_OUT)/erp_nightly
	$(CC) $(C_STRICT) examples/c/call_centre.c $(C_LD) $(LIB_DIR)/libcrm.a -lpthread -ldl -lm -o $(C_OUT)/call_centre
	rm -f $(C_OUT)/erp.crm* && $(C_OUT)/erp_nightly $(C_OUT)/erp.crm
	$(C_OUT)/call_centre $(C_OUT)/erp.crm 4101 2025-03-10T00:00:00Z | grep -q '"external_ref":"C-4101"'
	python3 -c "import re,sys; sys.stdout.write([b for b in re.findall(r'\x60\x60\x60c\n(.*?)\x60\x60\x60', open('README.md', encoding='utf-8').read(), re.S) if 'int main(' in b][0])" > $(C_OUT)/readme.c
	$(CC) $(C_STRICT) $(C_OUT)/readme.c $(C_LD) $(LIB_DIR)/libcrm.a -lpthread -ldl -lm -o $(C_OUT)/readme
	$(C_OUT)/readme > /dev/null

# pkg-config file for the release build in this checkout (see the README's C section).
target/crm.pc: Makefile
	mkdir -p target
	printf 'prefix=%s\nincludedir=$${prefix}/include\nlibdir=$${prefix}/target/release\n\nName: crm\nDescription: embeddable CRM core (C ABI)\nVersion: %s\nCflags: -I$${includedir}\nLibs: -L$${libdir} -lcrm\nLibs.private: -lpthread -ldl -lm\n' \
	  "$(CURDIR)" "$$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" > $@

## lib: the release libcrm (.so and .a) and target/crm.pc
lib: target/crm.pc
	$(CARGO) build --release --locked -q -p crm-ffi

## install: libcrm (.so and .a), include/crm.h and pkg-config files under PREFIX (default
## /usr/local; DESTDIR for staging). The static library is one relocatable object in which
## every symbol but crm_* is local, so that it exports nothing else (Rust's own symbols
## cannot clash with a program's); the shared one exports only crm_* already.
## `pkg-config --cflags --libs crm` links the shared library, `--static` the static one:
## crm.pc requires crm-libcrm.pc, so that its private `-Wl,-Bstatic` comes before `-lcrm`.
PREFIX ?= /usr/local
INSTALL_LIB_DIR ?= target/release
CRM_VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
install:
	$(if $(filter target/release,$(INSTALL_LIB_DIR)),$(CARGO) build --release --locked -q -p crm-ffi,$(DEBUG_LIB))
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 644 include/crm.h $(DESTDIR)$(PREFIX)/include/crm.h
	install -m 755 $(INSTALL_LIB_DIR)/libcrm.so $(DESTDIR)$(PREFIX)/lib/libcrm.so
	rm -rf target/install-tmp && mkdir -p target/install-tmp
	ld -r -o target/install-tmp/crm.o --whole-archive $(INSTALL_LIB_DIR)/libcrm.a
	objcopy --wildcard --keep-global-symbol='crm_*' --remove-section=.llvmbc --remove-section=.llvmcmd target/install-tmp/crm.o
	rm -f $(DESTDIR)$(PREFIX)/lib/libcrm.a
	ar rcs $(DESTDIR)$(PREFIX)/lib/libcrm.a target/install-tmp/crm.o
	printf 'prefix=%s\nincludedir=$${prefix}/include\n\nName: crm\nDescription: embeddable CRM core (C ABI)\nVersion: %s\nRequires: crm-libcrm = %s\nCflags: -I$${includedir}\nLibs:\nLibs.private: -Wl,-Bstatic\n' \
	  "$(PREFIX)" "$(CRM_VERSION)" "$(CRM_VERSION)" > $(DESTDIR)$(PREFIX)/lib/pkgconfig/crm.pc
	printf 'prefix=%s\nlibdir=$${prefix}/lib\n\nName: crm-libcrm\nDescription: libcrm itself (use crm.pc)\nVersion: %s\nLibs: -L$${libdir} -lcrm\nLibs.private: -Wl,-Bdynamic -lpthread -ldl -lm\n' \
	  "$(PREFIX)" "$(CRM_VERSION)" > $(DESTDIR)$(PREFIX)/lib/pkgconfig/crm-libcrm.pc

## install-test: installs into target/install-test and builds a C program against the
## installed tree with pkg-config, shared and --static; checks that both libraries export
## only crm_* symbols. Uses the debug build (`make c-test` builds it) to save a release build.
install-test:
	rm -rf target/install-test
	$(MAKE) -s install PREFIX=$(CURDIR)/target/install-test INSTALL_LIB_DIR=$(LIB_DIR)
	PKG_CONFIG_PATH=$(CURDIR)/target/install-test/lib/pkgconfig PREFIX=$(CURDIR)/target/install-test \
	  CC="$(CC)" sh crm-ffi/tests/install_test.sh

# Runs every bench once on small data so that they never rot; timings come from `cargo bench`.
# `cargo test` runs a criterion bench in its test mode (each benchmark once) in the debug
# build rust-test already made (same features: `--workspace`), instead of compiling the
# whole tree again in the optimised bench profile; `--bench '*'` picks the bench targets only.
# `-- --test` too: the benches that size themselves (store, dedup) look for it, since cargo
# test passes a `harness = false` bench no arguments.
bench-smoke:
	CRM_BENCH_CUSTOMERS=2000 CRM_BENCH_ROWS=20000 $(CARGO) test --workspace --locked -q --bench '*' -- --test

# The comparison script against pandas and polars, on small data: checks that all three
# agree (the timings only mean something at full size: see the README's performance section).
# segment_job is built with crm-py selected too, so that its dependencies get the features
# maturin's release build of crm-py gave them (numpy turns on num-traits' std, pyo3 syn's
# extra-traits): cargo reuses py-build's crm-core and compiles only crm-benches.
compare-smoke: $(VENV)/.bench-deps $(DEDUP_VENV)/.deps py-build
	$(CARGO) build --release --locked -q -p crm-py -p crm-benches --bin segment_job
	$(PY) benches/compare_segmentation.py --rows 200000 --customers 20000 --repeat 1
	$(PY) benches/compare_calendar.py --rows 5000
	$(PY) benches/compare_instants.py --rows 20000 --repeat 1
	$(PY) benches/boundary_cost.py 0.1
	$(PY) benches/compare_clv.py --customers 20000
	PYTHONPATH=crm-py/python $(DEDUP_VENV)/bin/python benches/compare_dedup.py --customers 3000 --u-pairs 1e6 --min-f1 0.97
	PYTHONPATH=crm-py/python $(DEDUP_VENV)/bin/python benches/compare_dedup.py --data febrl1 --u-pairs 1e6 --min-f1 0.97
	PYTHONPATH=crm-py/python $(DEDUP_VENV)/bin/python benches/compare_dedup.py --data febrl1 --no-id --u-pairs 1e6 --min-f1 0.985
	PYTHONPATH=crm-py/python $(DEDUP_VENV)/bin/python benches/compare_dedup.py --data febrl2 --no-id --u-pairs 1e6 --min-f1 0.985

$(VENV)/.bench-deps: benches/requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r benches/requirements.txt
	touch $@

# crm runs there from crm-py/python (the editable build puts the native module in place).
$(DEDUP_VENV)/.deps: benches/requirements-dedup.txt
	test -x $(DEDUP_VENV)/bin/python || python3 -m venv $(DEDUP_VENV)
	$(DEDUP_VENV)/bin/python -m pip install -q --disable-pip-version-check -r benches/requirements-dedup.txt
	touch $@

# The Python package, built by maturin into .venv (editable: python/crm is used in place).
$(VENV)/.py-deps: crm-py/requirements-dev.txt $(VENV)/.bench-deps
	$(PY) -m pip install -q --disable-pip-version-check -r crm-py/requirements-dev.txt
	touch $@

py-build: $(VENV)/.py-deps
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(VENV)/bin/maturin develop --release --locked -q -m crm-py/Cargo.toml

# The test suite under the oldest Pythons the package supports (requires-python >= 3.9; the
# native module is abi3, so the one built by py-build loads there), each in its own venv with
# crm-py/requirements-compat.txt. An interpreter found neither on the PATH nor under pyenv is
# skipped, and the skip is said. 3.9 runs everything; 3.10, between it and .venv's 3.11, runs
# the parts that lean on the interpreter's own parsing and typing (instants, frames, stubs in
# use), to keep CI short.
PY_COMPAT := 3.9 3.10
PY_COMPAT_TESTS_3.9 := crm-py/tests
PY_COMPAT_TESTS_3.10 := crm-py/tests/test_instants.py crm-py/tests/test_frames.py crm-py/tests/test_transactions.py crm-py/tests/test_errors.py
py-compat-test: py-build
	@for v in $(PY_COMPAT); do \
	  py=""; for c in "$$(command -v python$$v)" $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python 2>/dev/null); do \
	    if [ -n "$$c" ] && "$$c" -V >/dev/null 2>&1; then py="$$c"; break; fi; done; \
	  if [ -z "$$py" ]; then echo "py-compat-test: no Python $$v on this machine: skipped"; continue; fi; \
	  venv=.venv-$$v; \
	  if [ ! -f $$venv/.deps ] || [ crm-py/requirements-compat.txt -nt $$venv/.deps ]; then \
	    rm -rf $$venv && "$$py" -m venv $$venv && \
	    $$venv/bin/python -m pip install -q --disable-pip-version-check -r crm-py/requirements-compat.txt && \
	    touch $$venv/.deps || exit 1; fi; \
	  tests="$(PY_COMPAT_TESTS_3.10)"; if [ $$v = 3.9 ]; then tests="$(PY_COMPAT_TESTS_3.9)"; fi; \
	  echo "== pytest under $$($$venv/bin/python -V)"; \
	  PYTHONPATH=$(CURDIR)/crm-py/python CRM_LIBCRM=$(CURDIR)/$(LIB_DIR)/libcrm.so \
	    $$venv/bin/python -m pytest -q -p no:cacheprovider $$tests || exit 1; \
	done

## wheel: a release wheel of the Python package (distribution `crm-engine`, import name
## `crm`) into target/wheels/, to share with a team: `pip install target/wheels/crm_engine-*.whl`
## installs it without compiling.
wheel: $(VENV)/.py-deps
	$(VENV)/bin/maturin build --release --locked -q -m crm-py/Cargo.toml --out target/wheels

# pytest (with hypothesis; warnings are errors), the docstring examples, and the type stubs
# checked against the built module. The debug libcrm is built first: tests/test_c_and_python.py
# compares C's documents with Python's through ctypes, and fails (never skips) here without it.
py-test: py-build
	$(DEBUG_LIB)
	CRM_LIBCRM=$(CURDIR)/$(LIB_DIR)/libcrm.so $(PY) -m pytest -q crm-py/tests
	$(PY) -m pytest -q --doctest-modules crm-py/python/crm -p no:cacheprovider
	cd crm-py && ../$(PY) -m mypy.stubtest crm._crm
	cd crm-py && ../$(PY) -m mypy --strict python/crm tests/typed_usage.py

## header: regenerate include/crm.h from crm-ffi with the pinned cbindgen
header:
	CRM_UPDATE_HEADER=1 $(CARGO) test --locked -q -p crm-ffi --test header

## fuzz: every cargo-fuzz target (fuzz/, nightly, libFuzzer + ASan) for FUZZ_SECONDS each;
## fails on the first crash, timeout or out-of-memory (the input is left in
## fuzz/artifacts/<target>/). Not part of `make test`. Needs cargo-fuzz (installed if missing).
FUZZ_SECONDS ?= 60
# address (ASan, the default) or none (builds far faster under load; still catches panics,
# timeouts and out-of-memory, but not memory errors in unsafe code)
FUZZ_SANITIZER ?= address
FUZZ_TARGETS := json_raw json_structured columns book_ops clv store_ops
FUZZ_TARGETS += find_lookup audience_rule campaign_options
# Per input: 10 s at most, 2 GiB at most (one bigger allocation is a finding, not a hang).
# One process (one core: the machine's two are shared).
FUZZ_FLAGS ?= -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -dict=$(CURDIR)/fuzz/dict/json.dict

fuzz:
	command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd fuzz && $(CARGO) +nightly fuzz build -O -s $(FUZZ_SANITIZER)
	@for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; mkdir -p fuzz/corpus/$$t; \
	  seeds=$$(test -d fuzz/seeds/$$t && echo $(CURDIR)/fuzz/seeds/$$t); \
	  (cd fuzz && $(CARGO) +nightly fuzz run -O -s $(FUZZ_SANITIZER) $$t $(CURDIR)/fuzz/corpus/$$t $$seeds -- \
	    -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS)) || exit 1; \
	done
