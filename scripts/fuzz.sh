#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzzing campaigns: scripts/fuzz.sh [SECONDS] [TARGET...]
# Builds build-fuzz (clang's libFuzzer, every library under ASan+UBSan), writes the seed corpus
# (fuzz/seed_corpus_main.cc, plus ../shared/corpus/real-mail for whole messages when present),
# and runs each target (all of them by default) for SECONDS (default 60), as many at once as
# there are cores (SENDGUARD_FUZZ_JOBS to change it). Each target's corpus grows in build-fuzz/corpus/TARGET across runs; a crash,
# leak, timeout or broken invariant leaves its input in build-fuzz/crashes/TARGET/ and makes the
# script fail. Check such an input in as tests/data/fuzz/TARGET/NAME once fixed: ctest replays it.
# One line per target: executions, coverage (edges), features, corpus size, result.
# SENDGUARD_FUZZ_SEED fixes libFuzzer's random seed (scripts/test.sh: 1, so CI runs the same
# mutations each time); unset, each run explores differently.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
out=build-fuzz
CC=clang CXX=clang++ SENDGUARD_BUILD_TARGET=fuzzers bash scripts/build.sh "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSENDGUARD_FUZZ=ON \
  -DSENDGUARD_BENCH=OFF
# SENDGUARD_FUZZ_BUILD_ONLY=1: build the tree and stop (scripts/test.sh builds it behind the tests).
if [ -n "${SENDGUARD_FUZZ_BUILD_ONLY:-}" ]; then exit 0; fi
rm -rf "$out/seeds"
# The seeds include rendered pictures: Pango loads fontconfig, whose caches live for the process.
LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" "$out/fuzz/sendguard-fuzz-seeds" "$out/seeds"
real_mail=../shared/corpus/real-mail
if [ -d "$real_mail" ]; then
  find "$real_mail" -type f ! -name '*.md' ! -name '*.tsv' -exec cp {} "$out/seeds/message/" \;
fi
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cd "$out/fuzz" && ls fuzz_* | sed 's/^fuzz_//' | sort)
fi
mkdir -p "$out/logs"
run_one() {
  local t="$1" seconds="$2" out="$3"
  mkdir -p "$out/corpus/$t" "$out/crashes/$t"
  # -timeout: one input taking longer is a finding (the scanner's own budget is 3 s here).
  # tests/lsan.supp: fontconfig's process-wide caches (Pango loads them for the letters' PDFs).
  # OMP_THREAD_LIMIT: Tesseract (the image target) on one thread, as the milter runs it.
  OMP_THREAD_LIMIT=1 ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp" "$out/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2560 -max_len=262144 \
    -seed="${SENDGUARD_FUZZ_SEED:-0}" -print_final_stats=1 -artifact_prefix="$out/crashes/$t/" "$out/corpus/$t" "$out/seeds/$t" \
    > "$out/logs/$t.log" 2>&1
  local rc=$?
  local execs cov ft corp
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/logs/$t.log" | awk '{print $2}' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$out/logs/$t.log" | tail -1 | awk '{print $2}')
  ft=$(grep -o 'ft: [0-9]*' "$out/logs/$t.log" | tail -1 | awk '{print $2}')
  corp=$(ls "$out/corpus/$t" | wc -l)
  local result=ok
  if [ "$rc" -ne 0 ]; then result="FAILED (exit $rc; input in $out/crashes/$t/, log $out/logs/$t.log)"; fi
  printf '%-18s %6ss  execs %-10s cov %-6s ft %-7s corpus %-6s %s\n' "$t" "$seconds" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$corp" "$result"
  [ "$rc" -eq 0 ]
}
export -f run_one
jobs="${SENDGUARD_FUZZ_JOBS:-$(nproc)}"
echo "== fuzzing ${#targets[@]} targets for ${seconds} s each, ${jobs} at a time"
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$out"
