#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quick start, the tests: installs dependencies, builds a normal tree and an
# ASan+UBSan tree, runs every test in both under ctest, then every fuzz target for a short
# budget (scripts/fuzz.sh: clang's libFuzzer; longer campaigns are run by hand, docs/RELIABILITY.md).
#
# The next tree compiles at the lowest priority (nice 19) while the tests of the one before
# run: the real-MTA, daemon and browser tests run one at a time and spend much of their time
# waiting on Postfix, Chromium and timers, and a niced compile takes only the cores they leave
# idle (docs/PERFORMANCE.md, "Test-suite cost"). Its output goes to DIR/build.log, shown if it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The browser tests' driver (playwright-core, pinned in package-lock.json; it uses Debian's Chromium).
(cd tests/browser && npm ci --no-audit --no-fund --silent)

background=""
trap '[ -z "$background" ] || kill -- -"$background" 2>/dev/null || true' EXIT
# Runs COMMAND... at nice 19 in the background (its own process group), output to DIR/build.log,
# at most two compile jobs at once (the sanitizer tree's batches take about a gigabyte each).
behind() {
  local dir="$1"
  shift
  mkdir -p "$dir"
  echo "== building $dir at nice 19 behind the tests (log: $dir/build.log)"
  CMAKE_BUILD_PARALLEL_LEVEL=2 setsid nice -n 19 "$@" > "$dir/build.log" 2>&1 &
  background=$!
  behind_started=$(date +%s)
}
# Waits for it; on failure shows the end of its log and stops.
wait_behind() {
  local dir="$1"
  if ! wait "$background"; then
    background=""
    tail -n 60 "$dir/build.log"
    echo "== building $dir failed (the whole log: $dir/build.log)"
    exit 1
  fi
  background=""
  echo "== $dir built ($(( $(date +%s) - behind_started )) s after it started)"
}

start=$(date +%s)
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
echo "== normal tree built in $(( $(date +%s) - start )) s"
behind build-asan bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSENDGUARD_SANITIZE=ON \
  -DSENDGUARD_BENCH=OFF
echo "== tests: normal build"
ctest --test-dir build --output-on-failure -j2
echo "== the Debian package: dpkg -i, --check-config, start as the sendguard user, purge"
bash scripts/test-package.sh build
wait_behind build-asan
behind build-fuzz env SENDGUARD_FUZZ_BUILD_ONLY=1 bash scripts/fuzz.sh
echo "== tests: sanitizer build (ASan+UBSan)"
# tests/lsan.supp: fontconfig's process-wide caches (loaded by Pango for the letters' PDFs) are never freed.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" ctest --test-dir build-asan --output-on-failure -j2
wait_behind build-fuzz
echo "== fuzzing: every target for ${SENDGUARD_FUZZ_SECONDS:-15} s (libFuzzer, ASan+UBSan)"
SENDGUARD_FUZZ_SEED="${SENDGUARD_FUZZ_SEED:-1}" bash scripts/fuzz.sh "${SENDGUARD_FUZZ_SECONDS:-15}"
echo "== the tests took $(( $(date +%s) - start )) s after installing"
