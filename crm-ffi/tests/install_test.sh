#!/bin/sh
# Builds crm-ffi/tests/c/version.c against an installed libcrm (PREFIX, found through
# PKG_CONFIG_PATH) with pkg-config, shared and --static, runs both, and checks with nm that
# the installed libraries define no global symbol but crm_*. Called by `make install-test`.
set -eu
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CC=${CC:-cc}

# Shared: needs the library at run time; ldd shows it.
$CC -std=c11 -Wall -Wextra -Werror -pedantic crm-ffi/tests/c/version.c \
  $(pkg-config --cflags --libs crm) -o "$out/version_shared"
LD_LIBRARY_PATH="$PREFIX/lib" "$out/version_shared"
ldd "$out/version_shared" | grep -q 'libcrm\.so' || { echo "shared build does not use libcrm.so"; exit 1; }

# Static: pkg-config --static links libcrm.a; the program needs no libcrm.so.
$CC -std=c11 -Wall -Wextra -Werror -pedantic crm-ffi/tests/c/version.c \
  $(pkg-config --cflags --static --libs crm) -o "$out/version_static"
"$out/version_static"
if ldd "$out/version_static" | grep -q 'libcrm'; then echo "static build uses libcrm.so"; exit 1; fi

# Exports: every defined global symbol starts with crm_.
bad=$(nm -g --defined-only "$PREFIX/lib/libcrm.a" | awk 'NF == 3 && $3 !~ /^crm_/ {print $3}' | head -5)
[ -z "$bad" ] || { echo "libcrm.a exports non-crm symbols: $bad"; exit 1; }
bad=$(nm -D --defined-only "$PREFIX/lib/libcrm.so" | awk 'NF == 3 && $3 !~ /^crm_/ {print $3}' | head -5)
[ -z "$bad" ] || { echo "libcrm.so exports non-crm symbols: $bad"; exit 1; }
n=$(nm -g --defined-only "$PREFIX/lib/libcrm.a" | grep -c ' crm_')
echo "install test: shared and static builds run; libcrm.a and libcrm.so export only crm_* ($n symbols)"
