#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# run-tests.sh: the whole test run, as CI does it (bash .ci/run calls this).
#
#   bash build-aux/run-tests.sh
#
#  1. installs the dependencies (build-aux/install-deps.sh; OFFERDESK_SKIP_DEPS=1 skips it);
#  2. _build: warnings as errors, every test, under Xvfb and a private D-Bus session;
#  3. _build-asan: AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer, the tests that
#     need no display (suite nogui); any sanitizer finding fails its test;
#  4. prints the totals of both runs from meson-logs/testlog.json as the last line,
#     `N passed, N failed, N skipped`, and exits 1 if anything failed.
# Both runs always happen, whatever the first one gives.
#
# Environment: BUILD_DIR (default _build), ASAN_BUILD_DIR (default _build-asan),
# MESON_TEST_ARGS (more `meson test` arguments for both runs, e.g. a test name).

set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 1

build=${BUILD_DIR:-_build}
asan_build=${ASAN_BUILD_DIR:-_build-asan}
# shellcheck disable=SC2206  # a list of arguments
extra_test_args=(${MESON_TEST_ARGS:-})
failed_steps=()
# Failures that no test log shows (a build that broke, a runner that failed on its own).
extra_failures=0
# Build dirs whose `meson test` exited non-zero.
test_failed=()

step() {
  echo
  echo "==> $*"
}

# meson setup, or reconfigure an existing dir (wipe it if that fails).
setup() {
  local dir=$1
  shift
  if [ -f "$dir/meson-private/coredata.dat" ]; then
    meson setup --reconfigure "$dir" "$@" || meson setup --wipe "$dir" "$@"
  else
    rm -rf "$dir"
    meson setup "$dir" "$@"
  fi
}

step "installing dependencies"
if ! bash build-aux/install-deps.sh; then
  echo "run-tests: installing dependencies failed" >&2
  failed_steps+=("install-deps")
  extra_failures=$((extra_failures + 1))
fi

# --- 1. normal build, whole suite under Xvfb + D-Bus ------------------------------------------

rm -f "$build/meson-logs/testlog.json"
step "meson setup $build (warnings are errors)"
if setup "$build" -Dwerror=true -Dtests=true -Dbenchmarks=true \
   && step "compiling $build" && meson compile -C "$build"; then
  step "meson test -C $build (whole suite, Xvfb + D-Bus session)"
  if ! xvfb-run -a -s '-screen 0 1024x768x24' dbus-run-session -- \
       meson test -C "$build" --print-errorlogs "${extra_test_args[@]}"; then
    failed_steps+=("meson test $build")
    test_failed+=("$build")
  fi
else
  failed_steps+=("build $build")
  extra_failures=$((extra_failures + 1))
fi

# --- 2. sanitizer build, the suite that needs no display ------------------------------------

# halt_on_error makes every UBSan finding fatal (GCC's UBSan recovers by default); LeakSanitizer
# runs at exit of each test.  tests/lsan.supp, when present, lists GLib one-time allocations.
asan_options=abort_on_error=1:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1
asan_options+=:strict_string_checks=1:print_summary=1
# Debian's GLib has no frame pointers: without the slow unwinder a leak report stops at g_malloc.
asan_options+=:fast_unwind_on_malloc=0:malloc_context_size=30
# GCC 12's LeakSanitizer on glibc 2.36 crashes at exit ("Tracer caught signal 11") when a thread
# that touched a dlopen()ed module (GIO's TLS backend, used by the node backend tests) is alive;
# not intercepting __tls_get_addr avoids it without hiding leaks.
asan_options+=:intercept_tls_get_addr=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-$asan_options}
ubsan_options=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-$ubsan_options}
lsan_options=print_suppressions=0
if [ -f "$root/tests/lsan.supp" ]; then
  lsan_options+=:suppressions=$root/tests/lsan.supp
fi
export LSAN_OPTIONS=${LSAN_OPTIONS:-$lsan_options}
# GLib 2.74 still has its slice allocator: use malloc so ASan and LSan see every block.
export G_SLICE=always-malloc

rm -f "$asan_build/meson-logs/testlog.json"
step "meson setup $asan_build (address,undefined sanitizers, warnings are errors)"
if setup "$asan_build" -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=true \
     -Dtests=true -Dbenchmarks=false \
   && step "compiling $asan_build" && meson compile -C "$asan_build"; then
  step "meson test -C $asan_build --suite nogui"
  if ! meson test -C "$asan_build" --suite nogui --print-errorlogs --timeout-multiplier 3 \
       "${extra_test_args[@]}"; then
    failed_steps+=("meson test $asan_build")
    test_failed+=("$asan_build")
  fi
else
  failed_steps+=("build $asan_build")
  extra_failures=$((extra_failures + 1))
fi

# --- 3. totals -------------------------------------------------------------------------------

step "results"
# One line per build dir: passed failed skipped (testlog.json has one JSON object per test).
count_log() {
  /usr/bin/python3 - "$1" <<'PY'
import json
import os
import sys

build = sys.argv[1]
path = os.path.join(build, "meson-logs", "testlog.json")
passed = failed = skipped = 0
if os.path.exists(path):
    with open(path, encoding="utf-8") as log:
        for line in log:
            if not line.strip():
                continue
            entry = json.loads(line)
            result = entry.get("result")
            if result == "OK":
                passed += 1
            elif result in ("FAIL", "ERROR", "TIMEOUT", "UNEXPECTEDPASS"):
                failed += 1
                print("run-tests: %s: %s %s" % (build, result, entry.get("name")),
                      file=sys.stderr)
            elif result == "SKIP":
                skipped += 1
else:
    print("run-tests: %s: no test log" % build, file=sys.stderr)
print(passed, failed, skipped)
PY
}

passed=0
failed=0
skipped=0
for dir in "$build" "$asan_build"; do
  counts=$(count_log "$dir") || counts="0 1 0"
  read -r p f s <<< "$counts"
  echo "run-tests: $dir: $p passed, $f failed, $s skipped"
  passed=$((passed + p))
  failed=$((failed + f))
  skipped=$((skipped + s))
  # meson test failed although its log shows no failing test: count the run itself.
  for t in "${test_failed[@]}"; do
    if [ "$t" = "$dir" ] && [ "$f" -eq 0 ]; then
      extra_failures=$((extra_failures + 1))
    fi
  done
done
failed=$((failed + extra_failures))

status=0
for s in "${failed_steps[@]}"; do
  echo "run-tests: failed: $s"
  status=1
done
if [ "$failed" -gt 0 ]; then
  status=1
fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
