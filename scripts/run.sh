#!/usr/bin/env bash
# Quick start, the main job: installs dependencies, builds, then scans the bundled sample
# message (a synthetic referral email) and prints what sendguard finds in it.
# The milter and the assessment core join this script as they are built (issues 5 and 6).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh build -DCMAKE_BUILD_TYPE=RelWithDebInfo
mkdir -p build/samples
build/tests/synth/sendguard-synth sample build/samples/referral.eml
echo "== sendguard rules check"
build/cli/sendguard rules check
echo "== sendguard scan build/samples/referral.eml"
build/cli/sendguard scan build/samples/referral.eml
echo "== the same, as the JSON contract"
build/cli/sendguard scan --json build/samples/referral.eml
echo "== the verdict if it went to a lookalike of gmail.com (the council's domain: council.example.gov.uk)"
build/cli/sendguard scan --internal-domain council.example.gov.uk --to j.smith@gmial.com build/samples/referral.eml
