#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-fuzz.sh: build one of the libFuzzer targets with clang and run it.
#
#   bash tests/fuzz/run-fuzz.sh SECONDS [JOBS]
#   FUZZ_TARGET=node bash tests/fuzz/run-fuzz.sh SECONDS [JOBS]
#
# FUZZ_TARGET=decode (the default): builds fuzz-build/fuzz-decode from src/bolt12/*.c and
# tests/fuzz/fuzz-decode.c, seeds tests/fuzz/corpus/ from the committed seeds/ and from every
# BOLT 12 string in tests/data (as text, and as kind byte + raw TLV stream).
# FUZZ_TARGET=node: builds fuzz-build-node/fuzz-node from src/core/*.c, src/bolt12/*.c and
# tests/fuzz/fuzz-node.c (what a Core Lightning node sends: JSON-RPC framing, invoice objects),
# seeds fuzz-build-node/corpus/ from the committed seeds-node/ (regenerate those with
# make-node-seeds.py).
# Both are compiled with -fsanitize=fuzzer,address,undefined (UBSan findings abort); the run
# fuzzes for SECONDS and prints the number of executions and exec/s.
#
# JOBS (default 1) > 1 runs libFuzzer's fork mode with that many workers, which also keeps going
# after a crash; with one job the run stops at the first crash.  Crash, leak and timeout inputs
# land in tests/fuzz/crashes/ (named node-crash-… for the node target); replay one with
#   fuzz-build/fuzz-decode tests/fuzz/crashes/crash-…
#   fuzz-build-node/fuzz-node tests/fuzz/crashes/node-crash-…
# Exit status: 0 when the run found nothing, 1 when it left a new file in crashes/, 2 on usage or
# build errors.
#
# Environment: FUZZ_TARGET (decode or node), FUZZ_BUILD (default fuzz-build, or fuzz-build-node
# for node), FUZZ_MAX_LEN (default 8192), CC (default clang), FUZZ_ARGS (more libFuzzer flags).
# Prefix with `nice -n 10` on a shared machine.

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

target=${FUZZ_TARGET:-decode}
case "$target" in
  decode) build=${FUZZ_BUILD:-$root/fuzz-build}
          corpus=$root/tests/fuzz/corpus
          prefix= ;;
  node)   build=${FUZZ_BUILD:-$root/fuzz-build-node}
          corpus=$build/corpus
          prefix=node- ;;
  *)      echo "run-fuzz: FUZZ_TARGET must be decode or node, not '$target'" >&2
          exit 2 ;;
esac
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
#define SCHEMA_ID "io.github.offerdesk.Offerdesk"
#define PROFILE "default"
#define GETTEXT_PACKAGE "offerdesk"
#define LOCALEDIR "/usr/share/locale"
CONFIG
if cmp -s "$build/config.h.new" "$build/config.h"; then
  rm "$build/config.h.new"
else
  mv "$build/config.h.new" "$build/config.h"
fi

common_flags=(
  '-fsanitize=address,undefined' -fno-sanitize-recover=undefined
  -g -O1 -std=gnu11
  -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -DGLIB_VERSION_MAX_ALLOWED=GLIB_VERSION_2_74
  -I"$build" -I"$root/src/bolt12" -I"$root/src/core" -I"$root/tests/fuzz"
)
if [ "$target" = decode ]; then
  pkgs=(glib-2.0 json-glib-1.0 libsecp256k1)
else
  # No HAVE_LIBSECRET: the target never stores a secret, and the fallback needs no D-Bus.
  pkgs=(gio-2.0 json-glib-1.0 sqlite3 libsoup-3.0 libsecp256k1)
fi
read -r -a pkg_cflags <<< "$(pkg-config --cflags "${pkgs[@]}")"
read -r -a pkg_libs <<< "$(pkg-config --libs "${pkgs[@]}")"

# Library sources: one object each, with the log domain of their meson target, instrumented for
# coverage (fuzzer-no-link); only the final link pulls in libFuzzer's main.
compile () {  # DOMAIN SOURCE
  local obj
  obj=$build/obj/$(basename "$(dirname "$2")")-$(basename "$2" .c).o
  if [ ! "$obj" -nt "$2" ] || [ "$build/config.h" -nt "$obj" ] \
     || [ -n "$(find "$(dirname "$2")" -name '*.h' -newer "$obj" -print -quit)" ]; then
    "$cc" -fsanitize=fuzzer-no-link "${common_flags[@]}" "-DG_LOG_DOMAIN=\"$1\"" \
      "${pkg_cflags[@]}" -c "$2" -o "$obj" || return 1
  fi
  objects+=("$obj")
}

echo "run-fuzz: building $build/fuzz-$target with $cc"
mkdir -p "$build/obj"
objects=()
for src in "$root"/src/bolt12/*.c; do
  compile Bolt12 "$src" || { echo "run-fuzz: build failed" >&2; exit 2; }
done
if [ "$target" = node ]; then
  for src in "$root"/src/core/*.c; do
    compile Offerdesk "$src" || { echo "run-fuzz: build failed" >&2; exit 2; }
  done
fi
# The library sources are warning-checked by the meson build (with gcc); the target here too.
if ! "$cc" -fsanitize=fuzzer "${common_flags[@]}" -Wall -Wno-unused-parameter \
    '-DG_LOG_DOMAIN="fuzz"' "${pkg_cflags[@]}" \
    "$root/tests/fuzz/fuzz-$target.c" "${objects[@]}" "${pkg_libs[@]}" -lm \
    -o "$build/fuzz-$target"; then
  echo "run-fuzz: build failed" >&2
  exit 2
fi

if [ "$target" = decode ]; then
  # Seeds: the committed ones, then every vector string as text and as kind byte + TLV stream.
  cp -n "$root"/tests/fuzz/seeds/* "$corpus"/ 2>/dev/null || true
  /usr/bin/python3 "$root/tests/fuzz/extract-seeds.py" --tlv "$root/tests/data" "$corpus"
else
  cp -n "$root"/tests/fuzz/seeds-node/* "$corpus"/ 2>/dev/null || true
fi

crashes_before=$(find "$crashes" -type f | wc -l)
log=$build/fuzz-$target.log
flags=(
  -max_total_time="$seconds"
  -max_len="${FUZZ_MAX_LEN:-8192}"
  -timeout=10
  -print_final_stats=1
  -artifact_prefix="$crashes/$prefix"
)
if [ "$jobs" -gt 1 ]; then
  flags+=(-fork="$jobs" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
# shellcheck disable=SC2206  # FUZZ_ARGS is a list of flags
flags+=(${FUZZ_ARGS:-})

# GLib's slice allocator would hide leaks from LeakSanitizer (older GLib only).
export G_SLICE=${G_SLICE:-always-malloc}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

echo "run-fuzz: fuzzing for ${seconds}s with $jobs job(s); log in $log"
start=$(date +%s)
set +e
"$build/fuzz-$target" "${flags[@]}" "$corpus" > "$log" 2>&1
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
echo "run-fuzz: fuzz-$target: $execs executions in ${elapsed}s ($((execs / elapsed)) exec/s)," \
     "corpus $(find "$corpus" -type f | wc -l) files, libFuzzer exit $status," \
     "new files in tests/fuzz/crashes: $new_crashes"

if [ "$new_crashes" -gt 0 ] || [ "$status" -ne 0 ]; then
  find "$crashes" -type f -newer "$build/fuzz-$target" -print | sed 's/^/run-fuzz: finding: /'
  exit 1
fi
exit 0
