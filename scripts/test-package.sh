#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package, the way docs/OPERATIONS.md walks a new admin through it, on loopback only:
#  1. install: builds the .deb from BUILD_DIR and installs it with dpkg -i; checks what the
#     postinst made (the sendguard user and group, the secret 0640 root:sendguard, the milter's
#     token registered with the core, core.yaml 0640 root:sendguard, /var/lib/sendguard) and the
#     shipped Postfix snippets;
#  2. configure with the guide's commands: edit sendguard.yaml (the unix socket beside Postfix;
#     spare ports so nothing collides with a running service), the socket's directory
#     (install -d -o sendguard -g postfix -m 2750), the secret's owner and mode (a secret only
#     root can read is refused by --check-config first), --check-config as root and as the
#     unit's account, then the units' restart (this machine has no systemd: the units'
#     ExecStartPre and ExecStart by hand, as sendguard:sendguard with UMask 0027);
#  3. a private Postfix (its own config directory and queue under a temporary directory,
#     loopback ports, never the system's instance) with the shipped main.cf lines and the
#     shipped unix-socket master.cf, SASL AUTH (Cyrus, a sasldb of its own) and TLS (a throwaway
#     certificate) as the snippet requires, adapted to the private instance's paths (its smtpd
#     is not chrooted, so it names the socket's full path). swaks, logged in over STARTTLS,
#     sends clean mail, warned mail (refused with a confirmation code), the confirmed resend and
#     the code again, each to an outside recipient and carrying forged X-Sendguard-* headers; a
#     pipe transport writes what is delivered to files, whose headers are checked: only
#     "X-Sendguard: checked", nothing forged, nothing about what the mail held. The confirmed
#     send's incident reaches the core with the postinst's token. With the milter stopped,
#     Postfix refuses mail with a 4xx (milter_default_action = tempfail);
#  4. purge (with postfix put in the sendguard group first, as an older guide did): dpkg
#     --purge, then nothing left: no sendguard user or group, no secret or token,
#     no /etc/sendguard, /var/lib/sendguard or /var/spool/postfix/sendguard, no file owned by
#     the deleted account.
# Needs root (dpkg, Postfix's master), swaks with TLS (libnet-ssleay-perl) and Cyrus SASL's
# saslpasswd2 (sasl2-bin): scripts/install-deps.sh installs them. Refuses to run while the
# sendguard package is installed for real (it would edit and purge it).
# Usage: scripts/test-package.sh BUILD_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postfix_services.sh
build="$(cd "${1:-build}" && pwd)"
if [ "$(id -u)" -ne 0 ]; then exec sudo -E bash "$0" "$build"; fi

started=$(date +%s)
say() { echo "test-package: $*"; }
tmp=""
fail() {
  echo "test-package: FAIL: $*" >&2
  [ -n "$tmp" ] && echo "test-package: logs kept in $tmp" >&2
  exit 1
}
need() { command -v "$1" > /dev/null 2>&1 || fail "$1 is missing: $2 (scripts/install-deps.sh installs it)"; }
need swaks "swaks"
need saslpasswd2 "sasl2-bin"
need openssl "openssl"
need /usr/sbin/postfix "postfix"
need setpriv "util-linux"
swaks --support 2>&1 | grep -q "TLS supported" || fail "swaks cannot do TLS: install libnet-ssleay-perl (scripts/install-deps.sh)"

# One package test at a time on this machine (another checkout may run it too).
exec 9> /tmp/sendguard-test-package.lock
flock -w 900 9 || fail "another package test has held /tmp/sendguard-test-package.lock for 15 minutes"
installed() { [ "$(dpkg-query -W -f='${Status}' sendguard 2>/dev/null || true)" = "install ok installed" ]; }
for _ in $(seq 1 60); do installed || break; sleep 5; done
installed && fail "the sendguard package is installed on this machine; this test installs, reconfigures and purges it: run it on a scratch machine, or dpkg --purge sendguard first"

# dpkg refuses while another dpkg or apt holds its lock: wait and try again.
dpkg_retry() {
  local log="$1"; shift
  for _ in $(seq 1 60); do
    if dpkg "$@" > "$log" 2>&1; then return 0; fi
    grep -qi "lock" "$log" || return 1
    sleep 5
  done
  return 1
}

tmp=$(mktemp -d /tmp/sendguard-package-test.XXXXXX)
chmod 0755 "$tmp"
pids=()
purged=no
pf=""
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "$pf" ] && /usr/sbin/postfix -c "$pf/etc" stop > /dev/null 2>&1 || true
  if [ "$purged" = no ] && installed; then dpkg --purge sendguard > "$tmp/dpkg-purge-on-exit.log" 2>&1 || true; fi
  if getent group sendguard > /dev/null && id -nG postfix | tr ' ' '\n' | grep -qx sendguard; then
    gpasswd -d postfix sendguard > /dev/null 2>&1 || true
  fi
  if [ "$rc" -eq 0 ]; then rm -rf "$tmp"; fi
}
trap cleanup EXIT

# free_port: a loopback port nothing listens on, below the kernel's ephemeral range.
. scripts/lib/ports.sh
wait_for() {  # wait_for SECONDS COMMAND...: until the command succeeds
  local n=$(( $1 * 4 )); shift
  for _ in $(seq 1 "$n"); do "$@" > /dev/null 2>&1 && return 0; sleep 0.25; done
  return 1
}

# ---- 1. install -------------------------------------------------------------------------
(cd "$build" && cpack -G DEB > cpack.log 2>&1) || { cat "$build/cpack.log"; fail "cpack"; }
deb=$(ls -t "$build"/sendguard_*.deb | head -1)
dpkg_retry "$tmp/dpkg-install.log" -i "$deb" || { cat "$tmp/dpkg-install.log"; fail "dpkg -i $deb"; }
getent passwd sendguard > /dev/null || fail "postinst did not create the sendguard user"
getent group sendguard > /dev/null || fail "postinst did not create the sendguard group"
[ "$(stat -c '%a %U:%G' /etc/sendguard/secret)" = "640 root:sendguard" ] || fail "the secret is not 0640 root:sendguard"
[ "$(stat -c '%a %U:%G' /etc/sendguard/milter.token)" = "640 root:sendguard" ] || fail "the milter's token is not 0640 root:sendguard"
/usr/sbin/sendguard-core --config /etc/sendguard/core.yaml token list | grep -q "^sendguard-milter  *MAIL_FILTER" ||
  fail "postinst did not register the milter's token with the core"
[ "$(stat -c '%a %U:%G' /etc/sendguard/core.yaml)" = "640 root:sendguard" ] || fail "core.yaml is not 0640 root:sendguard"
[ "$(stat -c '%U' /var/lib/sendguard)" = "sendguard" ] || fail "/var/lib/sendguard is not owned by sendguard"
examples=/usr/share/doc/sendguard/examples/postfix
for f in main.cf master.cf master.cf.inet; do [ -f "$examples/$f" ] || fail "the package does not ship $examples/$f"; done
grep -q "smtpd_milters=unix:/sendguard/milter.sock" "$examples/master.cf" || fail "the shipped master.cf is not the unix-socket entry"
grep -q "smtpd_tls_cert_file" "$examples/master.cf" && grep -q "smtpd_sasl_auth_enable=yes" "$examples/master.cf" ||
  fail "the shipped master.cf does not say it needs SASL and a TLS certificate"
/usr/bin/sendguard rules check --rules /usr/share/sendguard/rules > /dev/null || fail "sendguard rules check on the installed rules"
for u in sendguard-quarantine.service sendguard-quarantine.timer sendguard-retention.service sendguard-retention.timer \
    sendguard-sync.service sendguard-desk.service; do
  [ -f "/lib/systemd/system/$u" ] || fail "the package does not ship $u"
done
# sendguard-sync is shipped but runs only where /etc/sendguard/sync.env names the shared store.
[ -x /usr/sbin/sendguard-sync ] || fail "the package does not ship /usr/sbin/sendguard-sync"
grep -q "^ConditionPathExists=/etc/sendguard/sync.env$" /lib/systemd/system/sendguard-sync.service ||
  fail "sendguard-sync.service would start on a single host"
grep -q '^ExecStart=/usr/sbin/sendguard-desk --config /etc/sendguard/sendguard.yaml --shared-store ${SENDGUARD_SHARED_STORE} --gateway-id ${SENDGUARD_GATEWAY_ID}$' \
  /lib/systemd/system/sendguard-desk.service || fail "sendguard-desk.service does not take the shared store from sync.env"
/usr/sbin/sendguard-sync --help > /dev/null || fail "sendguard-sync --help"
grep -q "^ExecStart=/usr/bin/sendguard quarantine apply --config /etc/sendguard/sendguard.yaml$" \
  /lib/systemd/system/sendguard-quarantine.service || fail "sendguard-quarantine.service does not run quarantine apply"
# The retention job as the service account, both halves, dry first: it runs on the installed config.
su -s /bin/sh sendguard -c "/usr/bin/sendguard retention --dry-run --config /etc/sendguard/sendguard.yaml" > /dev/null ||
  fail "sendguard retention --dry-run as the service account"
su -s /bin/sh sendguard -c "/usr/sbin/sendguard-core --config /etc/sendguard/core.yaml retention apply --dry-run" > /dev/null ||
  fail "sendguard-core retention apply --dry-run as the service account"
say "installed $(basename "$deb"): user, group, secret, token, core.yaml, state directory and Postfix snippets as documented"

# ---- 2. configure, as the guide says ------------------------------------------------------
mport=$(free_port); cport=$(free_port); dport=$(free_port)
while [ "$cport" = "$mport" ]; do cport=$(free_port); done
while [ "$dport" = "$mport" ] || [ "$dport" = "$cport" ]; do dport=$(free_port); done
socket=/var/spool/postfix/sendguard/milter.sock
# Edit sendguard.yaml: the unix socket beside Postfix (and, for this test only, spare ports).
sed -i -e "s|^  socket: inet:8899@127.0.0.1|  socket: unix:$socket|" \
  -e "s|^  metrics_listen: 127.0.0.1:9899|  metrics_listen: 127.0.0.1:$mport|" \
  -e "s|^core_url: http://127.0.0.1:8025|core_url: http://127.0.0.1:$cport|" \
  -e "s|^desk_listen: 127.0.0.1:9898|desk_listen: 127.0.0.1:$dport|" /etc/sendguard/sendguard.yaml
sed -i -e "s|^listen: 127.0.0.1:8025|listen: 127.0.0.1:$cport|" \
  -e "s|^milter_url: \"http://127.0.0.1:9899\"|milter_url: \"http://127.0.0.1:$mport\"|" \
  -e "s|^desk_url: \"http://127.0.0.1:9898\"|desk_url: \"http://127.0.0.1:$dport\"|" /etc/sendguard/core.yaml
grep -q "^desk_listen: 127.0.0.1:$dport" /etc/sendguard/sendguard.yaml || fail "could not edit desk_listen in sendguard.yaml"
grep -q "^desk_url: \"http://127.0.0.1:$dport\"" /etc/sendguard/core.yaml || fail "could not edit desk_url in core.yaml"
grep -q "^  socket: unix:$socket" /etc/sendguard/sendguard.yaml || fail "could not edit milter.socket in sendguard.yaml"
grep -q "^listen: 127.0.0.1:$cport" /etc/sendguard/core.yaml || fail "could not edit listen in core.yaml"
# The socket's directory, setgid to Postfix's group.
install -d -o sendguard -g postfix -m 2750 /var/spool/postfix/sendguard

# Runs a command as the units do (User=sendguard, Group=sendguard, UMask=0027), in place of the
# calling shell: call it in ( ) or with & (then $! is the daemon itself). The lock's descriptor
# is not passed on.
as_unit() { cd / && umask 0027 && exec 9>&- && exec setpriv --reuid=sendguard --regid=sendguard --init-groups "$@"; }
# A secret only root can read (what an older guide said): the unit's start check refuses it.
chown root:root /etc/sendguard/secret && chmod 0400 /etc/sendguard/secret
if (as_unit /usr/sbin/sendguard-milter --config /etc/sendguard/sendguard.yaml --check-config) > "$tmp/check-bad-secret.log" 2>&1; then
  cat "$tmp/check-bad-secret.log"; fail "--check-config passed a secret the sendguard account cannot read"
fi
grep -q "^# PROBLEM: secret_file /etc/sendguard/secret (root:root 0400) is not readable by sendguard" "$tmp/check-bad-secret.log" ||
  { cat "$tmp/check-bad-secret.log"; fail "--check-config did not name the unreadable secret"; }
# The guide's commands for the secret.
chown root:sendguard /etc/sendguard/secret && chmod 0640 /etc/sendguard/secret
/usr/sbin/sendguard-milter --config /etc/sendguard/sendguard.yaml --check-config > "$tmp/check-config.log" 2>&1 ||
  { cat "$tmp/check-config.log"; fail "--check-config (as root) on the edited config"; }
grep -q "^# rules ok" "$tmp/check-config.log" || fail "--check-config did not check the rules"
grep -q "^# ok: the milter socket's directory /var/spool/postfix/sendguard (sendguard:postfix 2750) is usable; the socket gets group postfix, mode 0660" \
  "$tmp/check-config.log" || { cat "$tmp/check-config.log"; fail "--check-config did not find the socket's directory as documented"; }
grep -q "^# WARNING: group" "$tmp/check-config.log" && { cat "$tmp/check-config.log"; fail "--check-config warns about the socket's group"; }
/usr/sbin/sendguard-core --config /etc/sendguard/core.yaml --check-config > "$tmp/check-core.log" 2>&1 ||
  { cat "$tmp/check-core.log"; fail "sendguard-core --check-config on the edited core.yaml"; }

# `systemctl restart sendguard-milter sendguard-core`, by hand: each unit's ExecStartPre, then
# its ExecStart, as the unit's User and Group.
restart_units() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
  (as_unit /usr/sbin/sendguard-core --config /etc/sendguard/core.yaml --check-config) > "$tmp/core-pre.log" 2>&1 ||
    { cat "$tmp/core-pre.log"; fail "sendguard-core's ExecStartPre (--check-config as sendguard)"; }
  as_unit /usr/sbin/sendguard-core --config /etc/sendguard/core.yaml >> "$tmp/core.log" 2>&1 &
  pids+=($!)
  (as_unit /usr/sbin/sendguard-milter --config /etc/sendguard/sendguard.yaml --check-config) > "$tmp/milter-pre.log" 2>&1 ||
    { cat "$tmp/milter-pre.log"; fail "sendguard-milter's ExecStartPre (--check-config as sendguard)"; }
  as_unit /usr/sbin/sendguard-milter --config /etc/sendguard/sendguard.yaml --foreground >> "$tmp/milter.log" 2>&1 &
  pids+=($!)
  wait_for 30 curl -fsS "http://127.0.0.1:$cport/healthz" || { cat "$tmp/core.log"; fail "sendguard-core did not answer /healthz"; }
  wait_for 60 curl -fsS "http://127.0.0.1:$mport/healthz" || { cat "$tmp/milter.log"; fail "sendguard-milter did not answer /healthz"; }
  wait_for 10 test -S "$socket" || { cat "$tmp/milter.log"; fail "sendguard-milter made no socket at $socket"; }
  # As the unit runs it on a single host: no sync.env, so both flags are empty.
  as_unit /usr/sbin/sendguard-desk --config /etc/sendguard/sendguard.yaml --shared-store "" --gateway-id "" >> "$tmp/desk.log" 2>&1 &
  pids+=($!)
  wait_for 30 curl -fsS "http://127.0.0.1:$dport/healthz" || { cat "$tmp/desk.log"; fail "sendguard-desk did not answer /healthz"; }
}
restart_units
[ "$(stat -c '%U:%G %a' "$socket")" = "sendguard:postfix 660" ] ||
  fail "the milter's socket is $(stat -c '%U:%G %a' "$socket"), not sendguard:postfix 660"
milter_user=""
for p in /proc/[0-9]*; do
  if tr '\0' ' ' < "$p/cmdline" 2> /dev/null | grep -q "^/usr/sbin/sendguard-milter --config /etc/sendguard/sendguard.yaml --foreground"; then
    milter_user=$(stat -c '%U' "$p"); break
  fi
done
[ "$milter_user" = sendguard ] || fail "the milter runs as '$milter_user', not sendguard"
id -nG postfix | tr ' ' '\n' | grep -qx sendguard && fail "postfix was put in the sendguard group"
/usr/bin/sendguard quarantine apply --config /etc/sendguard/sendguard.yaml > "$tmp/apply.log" 2>&1 ||
  { cat "$tmp/apply.log"; fail "sendguard quarantine apply (what the timer runs) with nothing decided"; }
# sendguard-desk answers the core with the gateway's token and nobody without it; the mail path's
# process serves none of the core's endpoints.
desk_status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(desk_status "http://127.0.0.1:$dport/scan-records?message_id=x")" = 401 ] || fail "sendguard-desk answered without the token"
[ "$(desk_status -H "Authorization: Bearer $(cat /etc/sendguard/milter.token)" "http://127.0.0.1:$dport/scan-records?message_id=x")" = 404 ] ||
  fail "sendguard-desk did not take the gateway's token (/etc/sendguard/milter.token)"
# (405: the metrics port takes no POST; the milter used to answer this one 202.)
[ "$(desk_status -X POST -H "Authorization: Bearer $(cat /etc/sendguard/milter.token)" -H 'Content-Type: application/json' \
    -d '{"email": "s.okafor@council.example.gov.uk"}' "http://127.0.0.1:$mport/self-reports")" = 405 ] ||
  fail "sendguard-milter served a desk endpoint"
say "configured: the unix socket (sendguard:postfix 0660), the secret 0640 root:sendguard, --check-config ok as root and as sendguard, the milter, the desk and the core restarted"

# ---- 3. a private Postfix through the shipped snippet ------------------------------------
pf="$tmp/postfix"
mkdir -p "$pf/etc/sasl" "$pf/spool" "$pf/data" "$pf/sink"
chown postfix "$pf/data"
chmod 0777 "$pf/sink"
chmod 0755 "$pf"
sub=$(free_port); rel=$(free_port)
while [ "$rel" = "$sub" ]; do rel=$(free_port); done
# Written aside and renamed, so a reader never sees half a message (it did, under load).
printf '#!/bin/sh\nq=$1\nshift\n{ echo "X-Sink-Recipients: $*"; cat; } > %s/.$q.part && mv %s/.$q.part %s/$q.eml\n' \
  "$pf/sink" "$pf/sink" "$pf/sink" > "$pf/sink.sh"
chmod 0755 "$pf/sink.sh"
# TLS: a throwaway certificate. SASL: Cyrus with a sasldb of its own, one staff account.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=gw.sendguard.test" \
  -keyout "$pf/etc/key.pem" -out "$pf/etc/cert.pem" > "$pf/openssl.log" 2>&1 || { cat "$pf/openssl.log"; fail "openssl"; }
password="pkg-test-$RANDOM$RANDOM"
# Debian's Postfix reads smtpd.conf from the config directory's sasl/ (/etc/postfix/sasl).
printf 'pwcheck_method: auxprop\nauxprop_plugin: sasldb\nmech_list: PLAIN LOGIN\nsasldb_path: %s/sasldb2\n' "$pf/etc/sasl" > "$pf/etc/sasl/smtpd.conf"
echo "$password" | saslpasswd2 -p -c -f "$pf/etc/sasl/sasldb2" -u gw.sendguard.test s.okafor || fail "saslpasswd2"
chgrp postfix "$pf/etc/sasl/sasldb2" && chmod 0640 "$pf/etc/sasl/sasldb2"
{
  cat <<EOF
# A private instance for the package test: its own queue, loopback only, every message to the sink.
compatibility_level = 3.6
myhostname = gw.sendguard.test
mydomain = sendguard.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
queue_directory = $pf/spool
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $pf/maillog
maillog_file_prefixes = /tmp
default_transport = sink
relay_transport = sink
local_transport = sink
alias_maps =
alias_database =
smtputf8_enable = no
biff = no
queue_run_delay = 2s
minimal_backoff_time = 2s
maximal_backoff_time = 4s
# What the submission snippet needs: a SASL backend and a TLS certificate.
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
smtpd_sasl_local_domain = \$myhostname
smtpd_tls_cert_file = $pf/etc/cert.pem
smtpd_tls_key_file = $pf/etc/key.pem
# ---- the shipped $examples/main.cf ----
EOF
  cat "$examples/main.cf"
} > "$pf/etc/main.cf"
{
  postfix_base_services
  cat <<EOF
tlsmgr unix - - n 1000? 1 tlsmgr
smtp unix - - n - - smtp
relay unix - - n - - smtp
local unix - n n - - local
sink unix - n n - - pipe flags=Rq user=nobody argv=$pf/sink.sh \${queue_id} \${recipient}
# ---- the shipped $examples/master.cf, on loopback ports, its smtpd not chrooted ----
EOF
  # The services on private loopback ports; no chroot (this instance's chroot would be its own
  # queue directory), so the socket is named by its full path, as the snippet says.
  sed -e "s|^submission inet|127.0.0.1:$sub inet|" -e "s|^127.0.0.1:10026 inet|127.0.0.1:$rel inet|" \
    -e "s|unix:/sendguard/milter.sock|unix:$socket|" "$examples/master.cf" |
    awk '$2 == "inet" && $NF == "smtpd" { $5 = "n" } { print }'
} > "$pf/etc/master.cf"
grep -q "^127.0.0.1:$sub inet n - n - - smtpd" "$pf/etc/master.cf" || { cat "$pf/etc/master.cf"; fail "could not adapt the shipped master.cf"; }
/usr/sbin/postfix -c "$pf/etc" check > "$pf/check.log" 2>&1 || { cat "$pf/check.log"; fail "postfix check on the private instance"; }
/usr/sbin/postfix -c "$pf/etc" start > "$pf/start.log" 2>&1 9>&- || { cat "$pf/start.log" "$pf/maillog"; fail "postfix start"; }
wait_for 20 bash -c "exec 3<> /dev/tcp/127.0.0.1/$sub" || { cat "$pf/maillog"; fail "the submission service did not listen"; }

from=s.okafor@council.example.gov.uk
to=friend@example.org
# Sends the message in FILE to the outside recipient, logged in over STARTTLS; the transcript
# goes to FILE.out.
send() {
  swaks --server "127.0.0.1:$sub" --tls --auth PLAIN --auth-user s.okafor --auth-password "$password" \
    --from "$from" --to "$to" --data "@$1" --timeout 60 > "$1.out" 2>&1 || true
}
queued_id() { sed -n 's/^ *<[-~] *250 .*queued as \([0-9A-Za-z]*\).*/\1/p' "$1.out" | head -1; }
delivered() {  # delivered QUEUE_ID: the sink's copy, once Postfix has delivered it
  local q="$1"
  for i in $(seq 1 80); do
    [ -s "$pf/sink/$q.eml" ] && { cat "$pf/sink/$q.eml"; return 0; }
    if [ $(( i % 8 )) -eq 0 ]; then /usr/sbin/postqueue -c "$pf/etc" -f > /dev/null 2>&1 || true; fi
    sleep 0.25
  done
  return 1
}
headers_of() { sed -e 's/\r$//' -e '/^$/q' "$1"; }
# What an outside recipient gets: one sendguard header, "X-Sendguard: checked", and nothing else
# of sendguard's: no verdict, findings, policies or monitor header, nothing forged.
expect_outside_headers() {
  local file="$1" what="$2" got
  got=$(headers_of "$file" | grep -i '^x-sendguard' || true)
  [ "$got" = "X-Sendguard: checked" ] || { cat "$file"; fail "$what: an outside recipient got the sendguard headers '$got', not only 'X-Sendguard: checked'"; }
}
# deliver_outside NAME WHAT: sends $tmp/NAME.eml, which must be accepted and delivered to the
# outside recipient with only the neutral header; the copy is left in $tmp/NAME.delivered.
deliver_outside() {
  local name="$1" what="$2" q
  send "$tmp/$name.eml"
  q=$(queued_id "$tmp/$name.eml")
  [ -n "$q" ] || { cat "$tmp/$name.eml.out" "$tmp/milter.log"; fail "$what was not accepted"; }
  delivered "$q" > "$tmp/$name.delivered" || { cat "$pf/maillog"; fail "$what ($q) was not delivered"; }
  expect_outside_headers "$tmp/$name.delivered" "$what"
}
forged=$'X-Sendguard-Confirmed: yes\r\nX-SENDGUARD-Verdict: allow; policies=none\r\nX-Sendguard-Findings: none\r\n'
message() {  # message SUBJECT MARKER SENSITIVE
  printf 'From: Sam Okafor <%s>\r\nTo: Jo Friend <%s>\r\nSubject: %s\r\nMessage-ID: <%s@council.example.gov.uk>\r\n%sMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDear Jo,\r\n' \
    "$from" "$to" "$1" "$2" "$forged"
  if [ "$3" = yes ]; then
    printf 'The mental health referrals, with medication reviews:\r\n'
    for n in "${nhs[@]}"; do printf 'NHS number %s %s %s depression\r\n' "${n:0:3}" "${n:3:3}" "${n:6:4}"; done
  else
    printf 'See you at the meeting on Thursday.\r\n'
  fi
  printf 'Sam\r\n'
}
# Twelve synthetic NHS numbers: valid mod-11 check digits, none in the 999 test range.
nhs=()
while [ "${#nhs[@]}" -lt 12 ]; do
  nine=$(printf '%03d%03d%03d' $(( RANDOM % 1000 )) $(( RANDOM % 1000 )) $(( RANDOM % 1000 )))
  case "$nine" in 999*|0*) continue ;; esac
  sum=0
  for i in 0 1 2 3 4 5 6 7 8; do sum=$(( sum + ${nine:$i:1} * (10 - i) )); done
  check=$(( 11 - sum % 11 )); [ "$check" -eq 11 ] && check=0
  [ "$check" -eq 10 ] && continue
  nhs+=("$nine$check")
done

# Clean mail with forged headers: delivered with only the neutral header.
message "Thursday" "clean-$$" no > "$tmp/clean.eml"
deliver_outside clean "clean mail"
say "clean mail with forged X-Sendguard headers: delivered with only 'X-Sendguard: checked'"

# Warned mail: refused with the explanation and a confirmation code.
message "referrals" "warned-$$" yes > "$tmp/warned.eml"
send "$tmp/warned.eml"
grep -q '^<[*~]\* *550' "$tmp/warned.eml.out" || { cat "$tmp/warned.eml.out" "$tmp/milter.log"; fail "warned mail was not refused with 550"; }
grep -q "This email contains 12 NHS numbers" "$tmp/warned.eml.out" || { cat "$tmp/warned.eml.out"; fail "the refusal does not explain what the email holds"; }
code=$(grep -o '\[confirm [0-9A-Z]\{5\}-[0-9A-Z]\{5\}-[0-9A-Z]\{5\}\]' "$tmp/warned.eml.out" | head -1 | sed 's/^\[confirm \(.*\)\]$/\1/')
[ -n "$code" ] || { cat "$tmp/warned.eml.out"; fail "the refusal carries no [confirm CODE]"; }
for n in "${nhs[@]}"; do
  if grep -q "${n:0:3} ${n:3:3} ${n:6:4}\|$n" "$tmp/milter.log" "$pf/maillog"; then fail "a clear NHS number is in a log"; fi
done
say "warned mail: refused (550) with the explanation and [confirm $code]"

# The confirmed resend: delivered once, tag removed, only the neutral header (the forged
# X-Sendguard-Confirmed it carries is gone; the real one is not shown outside).
message "[confirm $code] referrals" "warned-$$" yes > "$tmp/confirmed.eml"
deliver_outside confirmed "the confirmed resend"
headers_of "$tmp/confirmed.delivered" | grep -qx "Subject: referrals" ||
  { cat "$tmp/confirmed.delivered"; fail "the confirmed resend's subject still carries the code"; }
# The same code again: refused, and told the first send went.
message "[confirm $code] referrals" "warned-$$" yes > "$tmp/again.eml"
send "$tmp/again.eml"
grep -q '^<[*~]\* *550' "$tmp/again.eml.out" && grep -q "This email was already sent" "$tmp/again.eml.out" ||
  { cat "$tmp/again.eml.out"; fail "a used code was not refused with 'This email was already sent'"; }
say "confirmed resend: delivered once as 'Subject: referrals' with only 'X-Sendguard: checked'; the code again: 'already sent'"

# The confirmed send's incident reaches the core with the token the postinst made.
handed_over() { curl -fsS "http://127.0.0.1:$mport/metrics" | grep -q '^sendguard_incident_handovers_total{result="delivered"} [1-9]'; }
wait_for 20 handed_over || { curl -fsS "http://127.0.0.1:$mport/metrics" | grep handovers; cat "$tmp/milter.log"; fail "the incident was not handed over to the core"; }
say "the confirmed send's incident was handed over to the core with the milter's token"

# The milter stopped: Postfix answers per milter_default_action (tempfail); nothing goes.
kill -TERM "${pids[1]}" && wait "${pids[1]}" 2>/dev/null || true
message "Friday" "down-$$" no > "$tmp/down.eml"
send "$tmp/down.eml"
grep -q '^<[*~]\* *4[0-9][0-9]' "$tmp/down.eml.out" || { cat "$tmp/down.eml.out"; fail "with the milter stopped Postfix did not answer 4xx"; }
[ -z "$(queued_id "$tmp/down.eml")" ] || fail "with the milter stopped Postfix accepted mail"
say "milter stopped: Postfix answered '$(grep -m1 '^<[*~]\* *4' "$tmp/down.eml.out" | sed 's/^<[*~]\* *//')'"

# ---- 4. purge ----------------------------------------------------------------------------
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()
/usr/sbin/postfix -c "$pf/etc" stop > /dev/null 2>&1 || true
pf=""
uid=$(id -u sendguard); gid=$(getent group sendguard | cut -d: -f3)
# An older guide put postfix in the sendguard group: purge removes the group all the same.
adduser --quiet postfix sendguard
dpkg_retry "$tmp/dpkg-purge.log" --purge sendguard || { cat "$tmp/dpkg-purge.log"; fail "dpkg --purge"; }
purged=yes
getent passwd sendguard > /dev/null && fail "purge left the sendguard user"
getent group sendguard > /dev/null && fail "purge left the sendguard group"
id -nG postfix | tr ' ' '\n' | grep -qx sendguard && fail "postfix is still in a sendguard group"
for f in /etc/sendguard/secret /etc/sendguard/milter.token /etc/sendguard /var/lib/sendguard /var/spool/postfix/sendguard; do
  [ -e "$f" ] && fail "purge left $f"
done
# (Not /tmp: the units have a private one, and other test suites give files there to "sendguard".)
left=$(find /etc /var /run /usr /opt /srv /home -xdev \( -uid "$uid" -o -gid "$gid" \) -print 2> /dev/null | head -5)
[ -z "$left" ] || fail "purge left files of the deleted account (uid $uid, gid $gid): $left"
say "ok: installed, configured as documented, mail through the shipped unix-socket snippet (clean, warned, confirmed, milter down), purged clean in $(( $(date +%s) - started )) s"
