#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-fuzz.sh: build the fuzz-decode libFuzzer target with clang and run it.
#
#   bash tests/fuzz/run-fuzz.sh SECONDS [JOBS]
#
# Builds fuzz-build/fuzz-decode from src/bolt12/*.c and tests/fuzz/fuzz-decode.c with
# -fsanitize=fuzzer,address,undefined (UBSan findings abort), seeds tests/fuzz/corpus/ from the
# committed seeds and from every BOLT 12 string in tests/data (as text, and as kind byte + raw TLV
# stream), fuzzes for SECONDS, and prints the number of executions and exec/s.
#
# JOBS (default 1) > 1 runs libFuzzer's fork mode with that many workers, which also keeps going
# after a crash; with one job the run stops at the first crash.  Crash, leak and timeout inputs
# land in tests/fuzz/crashes/; replay one with
#   fuzz-build/fuzz-decode tests/fuzz/crashes/crash-…
# Exit status: 0 when the run found nothing, 1 when it left a new file in crashes/, 2 on usage or
# build errors.
#
# Environment: FUZZ_BUILD (default fuzz-build), FUZZ_MAX_LEN (default 8192), CC (default clang),
# FUZZ_ARGS (more libFuzzer flags).  Prefix with `nice -n 10` on a shared machine.

set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || ! [[ "$1" =~ ^[0-9]+$ ]] \
   || { [ $# -eq 2 ] && ! [[ "$2" =~ ^[1-9][0-9]*$ ]]; }; then
  echo "usage: $0 SECONDS [JOBS]" >&2
  exit 2
fi
seconds=$1
jobs=${2:-1}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

build=${FUZZ_BUILD:-$root/fuzz-build}
corpus=$root/tests/fuzz/corpus
crashes=$root/tests/fuzz/crashes
cc=${CC:-clang}
mkdir -p "$build" "$corpus" "$crashes"

# The sources include "config.h" from the build root: a small one of our own.
cat > "$build/config.h.new" <<'CONFIG'
/* config.h for the fuzz build (made by tests/fuzz/run-fuzz.sh) */
#pragma once
#define PACKAGE_NAME "offerdesk"
#define PACKAGE_VERSION "fuzz"
#define APP_ID "io.github.offerdesk.Offerdesk"
#define GETTEXT_PACKAGE "offerdesk"
CONFIG
if cmp -s "$build/config.h.new" "$build/config.h"; then
  rm "$build/config.h.new"
else
  mv "$build/config.h.new" "$build/config.h"
fi

echo "run-fuzz: building $build/fuzz-decode with $cc"
# shellcheck disable=SC2046  # pkg-config output is meant to split into words
if ! "$cc" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -g -O1 -std=gnu11 -Wall -Wno-unused-parameter \
    -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74 \
    '-DG_LOG_DOMAIN="Bolt12"' \
    -I"$build" -I"$root/src/bolt12" -I"$root/tests/fuzz" \
    $(pkg-config --cflags glib-2.0 json-glib-1.0 libsecp256k1) \
    "$root"/src/bolt12/*.c "$root/tests/fuzz/fuzz-decode.c" \
    $(pkg-config --libs glib-2.0 json-glib-1.0 libsecp256k1) -lm \
    -o "$build/fuzz-decode"; then
  echo "run-fuzz: build failed" >&2
  exit 2
fi

# Seeds: the committed ones, then every vector string as text and as kind byte + TLV stream.
cp -n "$root"/tests/fuzz/seeds/* "$corpus"/ 2>/dev/null || true
/usr/bin/python3 "$root/tests/fuzz/extract-seeds.py" --tlv "$root/tests/data" "$corpus"

crashes_before=$(find "$crashes" -type f | wc -l)
log=$build/fuzz-decode.log
flags=(
  -max_total_time="$seconds"
  -max_len="${FUZZ_MAX_LEN:-8192}"
  -timeout=10
  -print_final_stats=1
  -artifact_prefix="$crashes/"
)
if [ "$jobs" -gt 1 ]; then
  flags+=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
# shellcheck disable=SC2206  # FUZZ_ARGS is a list of flags
flags+=(${FUZZ_ARGS:-})

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

echo "run-fuzz: fuzzing for ${seconds}s with $jobs job(s); log in $log"
start=$(date +%s)
set +e
"$build/fuzz-decode" "${flags[@]}" "$corpus" > "$log" 2>&1
status=$?
set -e
end=$(date +%s)
elapsed=$((end - start))
[ "$elapsed" -gt 0 ] || elapsed=1

# Executions: the final stats of a single-job run, or the last "#N" status line of fork mode.
execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ -z "$execs" ]; then
  execs=$(sed -n 's/^#\([0-9][0-9]*\)[: ].*/\1/p' "$log" | tail -n 1)
fi
execs=${execs:-0}
crashes_after=$(find "$crashes" -type f | wc -l)
new_crashes=$((crashes_after - crashes_before))

tail -n 15 "$log"
echo "run-fuzz: fuzz-decode: $execs executions in ${elapsed}s ($((execs / elapsed)) exec/s)," \
     "corpus $(find "$corpus" -type f | wc -l) files, libFuzzer exit $status," \
     "new files in tests/fuzz/crashes: $new_crashes"

if [ "$new_crashes" -gt 0 ] || [ "$status" -ne 0 ]; then
  find "$crashes" -type f -newer "$build/fuzz-decode" -print | sed 's/^/run-fuzz: finding: /'
  exit 1
fi
exit 0
