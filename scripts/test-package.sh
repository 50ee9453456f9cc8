#!/usr/bin/env bash
# Builds the Debian package from a build tree, installs it with dpkg -i, and checks what an
# admin would: the sendguard user exists, the secret is private, the installed config and
# rules pass --check-config, and the installed daemon starts as the sendguard user, answers
# /healthz on loopback and stops cleanly. Purges the package afterwards unless it was already
# installed. Usage: scripts/test-package.sh BUILD_DIR (as root or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB > cpack.log 2>&1) || { cat "$build/cpack.log"; fail "cpack"; }
deb=$(ls -t "$build"/sendguard_*.deb | head -1)
was_installed=no
if dpkg -s sendguard >/dev/null 2>&1; then was_installed=yes; fi

$SUDO dpkg -i "$deb" > "$build/dpkg.log" 2>&1 || { cat "$build/dpkg.log"; fail "dpkg -i $deb"; }
getent passwd sendguard >/dev/null || fail "postinst did not create the sendguard user"
[ "$($SUDO stat -c '%a %U:%G' /etc/sendguard/secret)" = "640 root:sendguard" ] || fail "the secret is not 0640 root:sendguard"
[ "$($SUDO stat -c '%a %U:%G' /etc/sendguard/milter.token)" = "640 root:sendguard" ] || fail "the milter's token is not 0640 root:sendguard"
$SUDO /usr/sbin/sendguard-core --config /etc/sendguard/core.yaml token list | grep -q "^sendguard-milter  *MAIL_FILTER" ||
  fail "postinst did not register the milter's token with the core"
[ "$($SUDO stat -c '%a %U:%G' /etc/sendguard/core.yaml)" = "640 root:sendguard" ] || fail "core.yaml is not 0640 root:sendguard"
[ "$(stat -c '%U' /var/lib/sendguard)" = "sendguard" ] || fail "/var/lib/sendguard is not owned by sendguard"
$SUDO /usr/sbin/sendguard-milter --config /etc/sendguard/sendguard.yaml --check-config > "$build/check-config.log" 2>&1 ||
  { cat "$build/check-config.log"; fail "--check-config on the installed config"; }
grep -q "^# rules ok" "$build/check-config.log" || fail "--check-config did not check the rules"
/usr/bin/sendguard rules check --rules /usr/share/sendguard/rules > /dev/null || fail "sendguard rules check on the installed rules"
/usr/sbin/sendguard-core --config /etc/sendguard/core.yaml --check-config > "$build/check-core.log" 2>&1 ||
  { cat "$build/check-core.log"; fail "sendguard-core --check-config on the installed core.yaml"; }

# Start the installed daemon the way the unit does (as root, it drops to milter.user) on
# spare loopback ports, and stop it again.
tmp=$(mktemp -d)
port=$(( 20000 + RANDOM % 20000 )); mport=$(( port + 1 ))
sed -e "s|inet:8899@127.0.0.1|inet:${port}@127.0.0.1|" -e "s|127.0.0.1:9899|127.0.0.1:${mport}|" \
  /etc/sendguard/sendguard.yaml > "$tmp/sendguard.yaml"
$SUDO /usr/sbin/sendguard-milter --config "$tmp/sendguard.yaml" --foreground > "$tmp/milter.log" 2>&1 &
pid=$!
ok=no
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:${mport}/healthz" > /dev/null 2>&1; then ok=yes; break; fi
  sleep 0.25
done
# Who the daemon runs as, read from /proc (no procps on a minimal machine).
user=""
for p in /proc/[0-9]*; do
  if tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q "^/usr/sbin/sendguard-milter --config $tmp/sendguard.yaml"; then
    user=$(stat -c '%U' "$p"); break
  fi
done
$SUDO kill -TERM "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ "$ok" = yes ] || { cat "$tmp/milter.log"; fail "the installed milter did not answer /healthz"; }
[ "$user" = "sendguard" ] || { cat "$tmp/milter.log"; fail "the milter runs as '$user', not sendguard"; }
rm -rf "$tmp"

if [ "$was_installed" = no ]; then
  $SUDO dpkg --purge sendguard > "$build/dpkg-purge.log" 2>&1 || { cat "$build/dpkg-purge.log"; fail "dpkg --purge"; }
  getent passwd sendguard >/dev/null && fail "purge left the sendguard user"
  [ -e /etc/sendguard/secret ] && fail "purge left the secret"
  [ -e /etc/sendguard/milter.token ] && fail "purge left the milter's token"
fi
echo "test-package: ok: $(basename "$deb") installed, --check-config passed, the milter ran as sendguard and stopped (was installed before: $was_installed)"
