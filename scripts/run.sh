#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Quick start, the main job: installs dependencies, builds, shows what sendguard finds in the
# bundled sample message (a synthetic referral email), then runs sendguard-milter on its
# built-in defaults on loopback (milter inet:8899@127.0.0.1, metrics http://127.0.0.1:9899),
# sendguard-desk beside it (the core's holds and self-reports, http://127.0.0.1:9898) and
# sendguard-core, the assessment core (API http://127.0.0.1:8025), until Ctrl-C.
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

echo "== sendguard-milter and sendguard-core on their built-in defaults (loopback only)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# The defaults keep state in /var/lib/sendguard (incidents.db, state.db) and the secret in
# /etc/sendguard (created if missing).
$SUDO mkdir -p /var/lib/sendguard /etc/sendguard  # the secret goes where every command looks for it
# The milter files its drafts with its own token (MAIL_FILTER: drafts and nothing else); both
# read it from /etc/sendguard/milter.token, made once, as the package's postinst does.
if ! $SUDO test -e /etc/sendguard/milter.token; then
  $SUDO build/incident/sendguard-core token add sendguard-milter --role MAIL_FILTER --output /etc/sendguard/milter.token
fi
$SUDO build/milter/sendguard-milter --check-config | tail -1
$SUDO build/milter/sendguard-milter --foreground &
milter=$!
$SUDO build/incident/sendguard-core &
core=$!
desk=""
trap '$SUDO kill -TERM $milter $core $desk 2>/dev/null || true; wait $milter $core $desk 2>/dev/null || true' INT TERM
wait_for() {
  for _ in $(seq 1 120); do
    if curl -fsS "$1" > /dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  return 1
}
wait_for http://127.0.0.1:9899/healthz && echo "== milter: $(curl -fsS http://127.0.0.1:9899/healthz)"
# The gateway's desk for the core (hold and self-report pages, quarantine review, subject
# access), once the milter has made the secret and the state database.
$SUDO build/milter/sendguard-desk &
desk=$!
wait_for http://127.0.0.1:9898/healthz && echo "== desk: $(curl -fsS http://127.0.0.1:9898/healthz)"
wait_for http://127.0.0.1:8025/healthz && echo "== core: $(curl -fsS http://127.0.0.1:8025/healthz | tr -d ' \n')"
echo "== the what-if calculator over the core's API (likely x serious, health data)"
# A caller is known by its token, never by what it says: a short-lived IG officer's token for
# this one call, revoked straight after.
$SUDO build/incident/sendguard-core token revoke quick-start-demo >/dev/null 2>&1 || true
demo_token=$($SUDO build/incident/sendguard-core token add quick-start-demo --role IG_OFFICER 2>/dev/null)
curl -fsS -H "Authorization: Bearer $demo_token" -H 'Content-Type: application/json' \
  -d '{"nhs_likelihood": 3, "nhs_impact": 4, "s6_data_categories": ["HEALTH"]}' \
  http://127.0.0.1:8025/api/score | grep -A10 '"nhs_result"' || true
$SUDO build/incident/sendguard-core token revoke quick-start-demo >/dev/null
echo "sendguard-milter listens on inet:8899@127.0.0.1: point Postfix at it with config/postfix/master.cf.inet"
echo "(smtpd_milters = inet:127.0.0.1:8899). sendguard-core serves the incident API and the pages"
echo "(log in after: build/incident/sendguard-core user add NAME --role dpo) on"
echo "http://127.0.0.1:8025 (docs/API.md); sendguard-desk answers the core on http://127.0.0.1:9898."
echo "Ctrl-C stops all three."
wait $milter $core $desk
