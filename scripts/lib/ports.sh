# SPDX-License-Identifier: Apache-2.0
# Loopback ports for the scripts' private daemons (sourced by scripts/test-package.sh and bench/).
# A port is drawn below the kernel's ephemeral range (net.ipv4.ip_local_port_range) and above the
# tests' PostgreSQL ports (25432, 25433, 25440): a port in the ephemeral range that is free when
# drawn can be taken a moment later as the local end of any outgoing connection (a curl,
# Postfix's smtp client), and the daemon given it then cannot bind. tests/process_harness.h
# (FreePort) draws the same way.

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local lo=26000 hi first last p
  read -r first last < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || { first=32768; last=60999; }
  hi=$first
  # A kernel whose ephemeral range starts low leaves nothing below it: draw above it instead, or
  # (nothing left there either) anywhere, as before.
  if [ "$hi" -le $((lo + 1000)) ]; then lo=$((last + 1)); hi=65536; fi
  if [ $((hi - lo)) -le 100 ]; then lo=20000; hi=60000; fi
  while :; do
    p=$(( lo + (RANDOM * 32768 + RANDOM) % (hi - lo) ))
    port_free "$p" && { echo "$p"; return; }
  done
}

# Waits up to 60 s until something listens on port $1.
wait_port() { for _ in $(seq 1 600); do port_free "$1" || return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
