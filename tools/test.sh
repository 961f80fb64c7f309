#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's second command: installs what is missing, builds, and runs the whole
# test suite twice — a normal build (warnings fatal) and an ASan+UBSan build — plus
# a short run of every fuzz target. Ends with "tests: N passed, N failed".
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${VPACK_TEST_BUILD_DIR:-$root/_build-test}

sh tools/install-deps.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }
sh tools/install-npm.sh || { echo "tests: 0 passed, 1 failed"; exit 1; }

failed_steps=0
step () {
  echo "== $*"
  "$@" || { echo "!! failed: $*"; failed_steps=$((failed_steps + 1)); }
}

# The private headers of a folder are included only from that folder.
check_private_headers () {
  bad=$(grep -rn --include='*.c' --include='*.h' '#include "[^"]*-private\.h"' core plugins cli server 2>/dev/null |
    while IFS=: read -r file line rest; do
      header=$(echo "$rest" | sed 's/.*#include "\([^"]*\)".*/\1/')
      [ -e "$(dirname "$file")/$(basename "$header")" ] ||
        echo "$file:$line includes $header from outside its folder"
    done)
  [ -z "$bad" ] || { echo "$bad"; return 1; }
}
step check_private_headers

build () {
  dir=$1; shift
  if [ ! -d "$dir" ]; then
    meson setup "$dir" "$@" || return 1
  else
    meson setup --reconfigure "$dir" "$@" >/dev/null || return 1
  fi
  ninja -C "$dir"
}

run_suite () {
  dir=$1; shift
  meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
  return 0  # failures are counted from the log below
}

step build "$out/normal" --werror -Dbuildtype=debugoptimized
run_suite "$out/normal"

# ASan + UBSan: the same suite, every test binary and plugin instrumented.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:fast_unwind_on_malloc=0"
export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
step build "$out/asan" -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
# The browser suite drives Chromium for minutes; vpack under ASan is already
# exercised by the pack, cli and server suites, so it runs in the normal build only.
run_suite "$out/asan" --timeout-multiplier 3 --no-suite browser
unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS

# Fuzz targets (clang + libFuzzer), a short run each.
if [ -f tests/fuzz/meson.build ]; then
  build_fuzz () { CC=clang; export CC; build "$@"; status=$?; unset CC; return $status; }
  step build_fuzz "$out/fuzz" -Dfuzzing=true -Dbuildtype=debugoptimized
  step sh tests/fuzz/run-fuzzers.sh "$out/fuzz" "${VPACK_FUZZ_SECONDS:-20}"
fi

python3 - "$out" "$failed_steps" <<'PY'
import json, os, sys
out, failed_steps = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
for build in ("normal", "asan"):
    log = os.path.join(out, build, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1
        print(f"{build}: no test log (the build failed)")
        continue
    for line in open(log):
        r = json.loads(line)
        res = r.get("result")
        if res == "OK" or res == "EXPECTEDFAIL":
            passed += 1
        elif res == "SKIP":
            skipped += 1
        else:
            failed += 1
            print(f"{build}: {r.get('name')}: {res}")
failed += failed_steps
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
