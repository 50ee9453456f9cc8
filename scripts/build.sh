#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds one build tree. Usage: scripts/build.sh DIR [extra cmake args...]
# SENDGUARD_BUILD_TARGET, when set, builds that target only (scripts/fuzz.sh: "fuzzers").
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$1"
shift
mkdir -p "$dir"
cmake -S . -B "$dir" -G Ninja "$@" > "$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; exit 1; }
cmake --build "$dir" ${SENDGUARD_BUILD_TARGET:+--target "$SENDGUARD_BUILD_TARGET"}
