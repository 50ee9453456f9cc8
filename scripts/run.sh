#!/usr/bin/env bash
# Quick start, the main job: installs dependencies, builds, shows what sendguard finds in the
# bundled sample message (a synthetic referral email), then runs sendguard-milter on its
# built-in defaults on loopback (milter inet:8899@127.0.0.1, metrics http://127.0.0.1:9899)
# until Ctrl-C. The assessment core joins it when it is built (issue 6).
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

echo "== sendguard-milter on its built-in defaults (loopback only)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# The defaults keep state in /var/lib/sendguard and the secret in /etc/sendguard (created if missing).
$SUDO build/milter/sendguard-milter --check-config | tail -1
$SUDO build/milter/sendguard-milter --foreground &
pid=$!
trap '$SUDO kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' INT TERM
for _ in $(seq 1 120); do
  if curl -fsS http://127.0.0.1:9899/healthz > /dev/null 2>&1; then break; fi
  sleep 0.25
done
echo "== healthz: $(curl -fsS http://127.0.0.1:9899/healthz)"
echo "sendguard-milter is listening on inet:8899@127.0.0.1. Point Postfix at it with"
echo "config/postfix/main.cf and master.cf (smtpd_milters = inet:127.0.0.1:8899); Ctrl-C stops it."
wait $pid
