#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-fuzzers.sh BUILD_DIR SECONDS: runs every libFuzzer target of a build made
# with `CC=clang meson setup BUILD_DIR -Dfuzzing=true` for SECONDS each:
# BUILD_DIR/tests/fuzz/fuzz-*, then BUILD_DIR/tests/fuzz-server/fuzz-* if that
# folder exists. Prints one line per target,
#   fuzz: NAME: N execs, clean
#   fuzz: NAME: FAILED (exit S) after N execs: ARTIFACT (log: LOG)
# and exits 1 if any target failed (crash, leak, timeout, out of memory).
#
# Corpora live in each build folder as corpus-*: tests/fuzz/make-corpus.sh
# fills BUILD_DIR/tests/fuzz; a tests/fuzz-server/make-corpus.sh, if any, is
# called the same way for BUILD_DIR/tests/fuzz-server. Target fuzz-mp4-* uses
# corpus-mp4, any other fuzz-NAME corpus-NAME; tests/*/fuzz-NAME.dict is passed
# as the dictionary when present. Crash inputs go to BUILD_DIR/tests/*/artifacts/.
#
# $VPACK (else BUILD_DIR/cli/vpack with the build's plugins) encrypts seed media.
set -u
if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build=$(cd "$1" && pwd) || exit 2
seconds=$2
src=$(cd "$(dirname "$0")/.." && pwd)  # the source tests/ folder

if [ ! -d "$build/tests/fuzz" ]; then
  echo "fuzz: no $build/tests/fuzz: configure with CC=clang and -Dfuzzing=true" >&2
  exit 1
fi

if [ -z "${VPACK:-}" ] && [ -x "$build/cli/vpack" ]; then
  VPACK=$build/cli/vpack
  if [ -z "${VPACK_PLUGIN_PATH:-}" ]; then
    VPACK_PLUGIN_PATH=$(ls -d "$build"/plugins/*/ 2>/dev/null | sed 's,/$,,' | tr '\n' ':' | sed 's/:$//')
    export VPACK_PLUGIN_PATH
  fi
  export VPACK
fi

# Leaks count as failures; allocations GLib keeps for the process are not leaks.
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$src/lsan.supp:print_suppressions=0}
export LSAN_OPTIONS

# corpus_of NAME: the corpus folder name of target NAME.
corpus_of () {
  case $1 in
    fuzz-mp4-*) echo corpus-mp4 ;;
    *) echo "corpus-${1#fuzz-}" ;;
  esac
}

# stat_of LOG NAME: a libFuzzer final statistic, or 0.
stat_of () {
  sed -n "s/^stat::$2: *\([0-9][0-9]*\).*/\1/p" "$1" | tail -n 1 | grep . || echo 0
}

# run_target EXE FOLDER SRC_FOLDER: one target for $seconds; 0 when clean.
run_target () {
  exe=$1 folder=$2 srcdir=$3
  name=$(basename "$exe")
  corpus="$folder/$(corpus_of "$name")"
  log="$folder/$name.log"
  mkdir -p "$corpus" "$folder/artifacts"
  set -- -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
         -artifact_prefix="$folder/artifacts/$name-"
  [ -f "$srcdir/$name.dict" ] && set -- "$@" -dict="$srcdir/$name.dict"

  # libFuzzer stops itself; the outer limit only catches a hang outside an input.
  timeout -k 10 $((seconds + 600)) "$exe" "$@" "$corpus" > "$log" 2>&1
  status=$?
  execs=$(stat_of "$log" number_of_executed_units)
  if [ $status -eq 0 ]; then
    echo "fuzz: $name: $execs execs, clean"
    return 0
  fi
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  [ $status -eq 124 ] && artifact="(hung; killed after $((seconds + 600)) s)"
  echo "fuzz: $name: FAILED (exit $status) after $execs execs: ${artifact:-no artifact} (log: $log)"
  grep -E -A 25 '^==[0-9]+==ERROR|ERROR: libFuzzer|runtime error|^\*\*.*ERROR|Bail out' "$log" | head -n 40 | sed 's/^/  /'
  return 1
}

total=0
failed=0
for sub in fuzz fuzz-server; do
  folder="$build/tests/$sub"
  [ -d "$folder" ] || continue
  if [ -f "$src/$sub/make-corpus.sh" ]; then
    sh "$src/$sub/make-corpus.sh" "$folder" | sed 's/^/fuzz: /'
  fi
  for exe in "$folder"/fuzz-*; do
    [ -f "$exe" ] && [ -x "$exe" ] || continue
    total=$((total + 1))
    run_target "$exe" "$folder" "$src/$sub" || failed=$((failed + 1))
  done
done

if [ $total -eq 0 ]; then
  echo "fuzz: no fuzz-* executables in $build/tests/fuzz (is the build finished?)"
  exit 1
fi
echo "fuzz: $total targets, $failed failed"
[ $failed -eq 0 ]
