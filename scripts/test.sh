#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quick start, the tests: installs dependencies, builds a normal tree and an
# ASan+UBSan tree, runs every test in both under ctest, then every fuzz target for a short
# budget (scripts/fuzz.sh: clang's libFuzzer; longer campaigns are run by hand, docs/RELIABILITY.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The browser tests' driver (playwright-core, pinned in package-lock.json; it uses Debian's Chromium).
(cd tests/browser && npm ci --no-audit --no-fund --silent)
start=$(date +%s)
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
bash scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSENDGUARD_SANITIZE=ON -DSENDGUARD_BENCH=OFF
echo "== both trees built in $(( $(date +%s) - start )) s"
echo "== tests: normal build"
ctest --test-dir build --output-on-failure -j2
echo "== the Debian package: dpkg -i, --check-config, start as the sendguard user, purge"
bash scripts/test-package.sh build
echo "== tests: sanitizer build (ASan+UBSan)"
# tests/lsan.supp: fontconfig's process-wide caches (loaded by Pango for the letters' PDFs) are never freed.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" ctest --test-dir build-asan --output-on-failure -j2
echo "== fuzzing: every target for ${SENDGUARD_FUZZ_SECONDS:-15} s (libFuzzer, ASan+UBSan)"
SENDGUARD_FUZZ_SEED="${SENDGUARD_FUZZ_SEED:-1}" bash scripts/fuzz.sh "${SENDGUARD_FUZZ_SECONDS:-15}"
