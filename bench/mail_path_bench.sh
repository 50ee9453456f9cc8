#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The mail-path benchmark (issue 5): the same generated corpus pushed through Postfix alone,
# Postfix + sendguard-milter (over loopback TCP and over a unix socket), Postfix + rspamd (Debian's package, its proxy in milter mode,
# with sendguard's patterns as regexp rules), and the floor: Postfix + a milter that does nothing (bench/null_milter, on
# libmilter, on a bare one-thread epoll loop and on sendguard's own engine, negotiating what sendguard does over a unix
# socket), in one run, over 1, 4
# and 16 SMTP sessions.
# Prints messages/s, server CPU ms per message (Postfix and the filter, from /proc) and the
# end-of-data latency p50/p99 with what each filter adds to Postfix alone at the same sessions.
#
#   sudo bash bench/mail_path_bench.sh            # about 5 minutes on 2 cores
#   COUNT=4000 BUILD=build sudo -E bash bench/mail_path_bench.sh
#
# Needs root (Postfix's master starts as root) and a built tree (BUILD, default build). It
# installs postfix and rspamd from Debian when missing; it never touches /etc/postfix or the
# system rspamd: everything runs from a temporary directory on loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postfix_services.sh
BUILD=${BUILD:-build}
COUNT=${COUNT:-2000}       # mixed council-like messages (about 10% sensitive)
COUNT_50K=${COUNT_50K:-600} # 50 KB messages for the latency runs
COUNT_OCR=${COUNT_OCR:-20}   # messages with one scanned page each (OCR latency)
[ "$(id -u)" = 0 ] || { echo "mail_path_bench: run as root (Postfix's master starts as root)" >&2; exit 2; }
for tool in "$BUILD/bench/smtp_load" "$BUILD/bench/null_milter" "$BUILD/bench/idle_connections" "$BUILD/tests/synth/sendguard-synth" "$BUILD/milter/sendguard-milter"; do
  [ -x "$tool" ] || { echo "mail_path_bench: $tool missing: build first (bash scripts/build.sh $BUILD)" >&2; exit 2; }
done
missing=()
command -v postfix >/dev/null || missing+=(postfix)
command -v rspamd >/dev/null || missing+=(rspamd)
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

W=$(mktemp -d /tmp/sendguard-bench.XXXXXX)
chmod 755 "$W"
pids=()
cleanup() {
  postfix -c "$W/pf/etc" stop >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

# port_free, free_port (below the ephemeral range), wait_port.
. scripts/lib/ports.sh

echo "== corpora (synthetic, seeded: the same every run)"
"$BUILD/tests/synth/sendguard-synth" bench "$W/mixed" "$COUNT" 7
"$BUILD/tests/synth/sendguard-synth" bench "$W/k50" "$COUNT_50K" 8 51200
"$BUILD/tests/synth/sendguard-synth" ocr-mail "$W/ocr1" "$COUNT_OCR" 9
echo "mixed: $COUNT messages, $(du -sk "$W/mixed" | cut -f1) KB; 50 KB set: $COUNT_50K messages, $(du -sk "$W/k50" | cut -f1) KB"

MILTER_PORT=$(free_port); RSPAMD_PORT=$(free_port); P_ALONE=$(free_port); P_SG=$(free_port); P_SGU=$(free_port); P_RS=$(free_port)
P_NL=$(free_port); P_NE=$(free_port); P_NS=$(free_port)

# Two sendguard-milter instances with the same rules: one on loopback TCP (every step answered),
# one on a unix socket (no answers before end of message: the recommended setup beside Postfix).
start_milter() { # name socket-line
  mkdir -p "$W/$1/state"
  head -c 32 /dev/urandom > "$W/$1/secret"
  cat > "$W/$1/sendguard.yaml" <<YAML
state_dir: $W/$1/state
secret_file: $W/$1/secret
core_url: http://127.0.0.1:1
organisation:
  internal_domains: [council.example.gov.uk]
milter:
  $2
  metrics_listen: ""
  log_file: $W/$1/milter.log
YAML
  "$BUILD/milter/sendguard-milter" --foreground --config "$W/$1/sendguard.yaml" &
  pids+=($!)
}
echo "== sendguard-milter (loopback TCP, and a unix socket)"
start_milter milter "socket: inet:$MILTER_PORT@127.0.0.1"
MILTER_PID=$!
start_milter milter-unix "socket: unix:$W/milter-unix/milter.sock
  socket_mode: \"0666\""
MILTER_UNIX_PID=$!

echo "== null_milter (does nothing: the protocol's own cost), on libmilter and on epoll"
mkdir -p "$W/null"
"$BUILD/bench/null_milter" --engine libmilter --socket "$W/null/libmilter.sock" &
pids+=($!)
NULL_LIBMILTER_PID=$!
"$BUILD/bench/null_milter" --engine epoll --socket "$W/null/epoll.sock" &
pids+=($!)
NULL_EPOLL_PID=$!
"$BUILD/bench/null_milter" --engine sendguard --socket "$W/null/sendguard.sock" &
pids+=($!)
NULL_SG_PID=$!

echo "== rspamd $(rspamd --version 2>&1 | grep -o '[0-9][0-9.]*' | head -1) (proxy in milter mode, regexp rules only)"
mkdir -p "$W/rspamd/db"
chown -R _rspamd "$W/rspamd"
cat > "$W/rspamd/rspamd.conf" <<CONF
options { pidfile = "$W/rspamd/rspamd.pid"; dbdir = "$W/rspamd/db"; tempdir = "$W/rspamd"; filters = "regexp"; }
logging { type = "file"; filename = "$W/rspamd/rspamd.log"; level = "error"; }
worker "rspamd_proxy" {
  bind_socket = "127.0.0.1:$RSPAMD_PORT";
  milter = yes;
  timeout = 120s;
  count = 2;
  upstream "local" { default = yes; self_scan = yes; }
}
actions { reject = 1000; add_header = 6; }
# sendguard's detection patterns (rules/types/*.yaml) and a few of its health terms.
regexp {
  SG_NHS_NUMBER { re = '/\\b\\d{3}[ -]\\d{3}[ -]\\d{4}\\b/{mime}'; score = 3.0; }
  SG_CHI_NUMBER { re = '/\\b\\d{6}[ -]\\d{4}\\b/{mime}'; score = 1.0; }
  SG_NINO { re = '/\\b[A-Z]{2} \\d{2} \\d{2} \\d{2}(?: [A-D])?\\b/{mime}'; score = 3.0; }
  SG_CARD { re = '/\\b\\d{4}[ -]\\d{4}[ -]\\d{4}[ -]\\d{4}\\b/{mime}'; score = 3.0; }
  SG_IBAN { re = '/\\b[A-Z]{2}\\d{2}(?: [A-Z0-9]{4}){2,7}\\b/{mime}'; score = 2.0; }
  SG_BANK { re = '/\\b\\d{2}[- ]\\d{2}[- ]\\d{2}[^0-9\\n]{1,40}\\d{8}\\b/{mime}'; score = 2.0; }
  SG_UPN { re = '/\\b[A-Z]\\d{12}\\b/{mime}'; score = 2.0; }
  SG_POSTCODE { re = '/\\b[A-Z]{1,2}\\d[A-Z\\d]? \\d[A-Z]{2}\\b/{mime}'; score = 0.5; }
  SG_LICENCE { re = '/\\b[A-Z9]{5}\\d[0156]\\d[0-3]\\d\\d[A-Z9]{2}\\d[A-Z0-9]{2}\\b/{mime}'; score = 2.0; }
  SG_CREDENTIAL { re = '/(?:password|passwd|pwd|passcode)\\s{0,3}[:=]\\s{0,3}\\S{4,64}/i{mime}'; score = 2.0; }
  SG_HEALTH { re = '/\\b(?:depression|diagnosis|medication|mental health|safeguarding|dementia|chemotherapy)\\b/i{mime}'; score = 2.0; }
}
CONF
rspamd -f -c "$W/rspamd/rspamd.conf" -u _rspamd -g _rspamd > "$W/rspamd/stdout.log" 2>&1 &
pids+=($!)
RSPAMD_PID=$!

echo "== Postfix (one instance, six smtpd ports: alone, + null_milter on libmilter and on epoll, + sendguard over TCP and over a unix socket, + rspamd; delivery discarded)"
mkdir -p "$W/pf/etc" "$W/pf/spool" "$W/pf/data"
chown postfix "$W/pf/data"
postfix_bench_main_cf gw.council.example.gov.uk "$W/pf" > "$W/pf/etc/main.cf"
cat > "$W/pf/etc/master.cf" <<CF
127.0.0.1:$P_ALONE inet n - n - - smtpd -o smtpd_milters=
127.0.0.1:$P_SG inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:$MILTER_PORT
127.0.0.1:$P_SGU inet n - n - - smtpd -o smtpd_milters=unix:$W/milter-unix/milter.sock
127.0.0.1:$P_RS inet n - n - - smtpd -o smtpd_milters=inet:127.0.0.1:$RSPAMD_PORT
127.0.0.1:$P_NL inet n - n - - smtpd -o smtpd_milters=unix:$W/null/libmilter.sock
127.0.0.1:$P_NE inet n - n - - smtpd -o smtpd_milters=unix:$W/null/epoll.sock
127.0.0.1:$P_NS inet n - n - - smtpd -o smtpd_milters=unix:$W/null/sendguard.sock
CF
postfix_base_services >> "$W/pf/etc/master.cf"
postfix -c "$W/pf/etc" start >/dev/null
for p in $MILTER_PORT $RSPAMD_PORT $P_ALONE $P_SG $P_SGU $P_RS $P_NL $P_NE $P_NS; do wait_port "$p"; done
for sock in "$W/milter-unix/milter.sock" "$W/null/libmilter.sock" "$W/null/epoll.sock" "$W/null/sendguard.sock"; do
  for _ in $(seq 1 600); do [ -S "$sock" ] && break; sleep 0.1; done
done
PF_MASTER=$(head -1 "$W/pf/spool/pid/master.pid" | tr -d ' ')

HZ=$(getconf CLK_TCK)
# CPU ticks of a process tree: every live member's own time and its reaped children's.
tree_ticks() {
  local total=0 pid
  local t
  for pid in $(descendants "$1"); do
    # fields after the command: 14-17 are utime stime cutime cstime (a process may have gone)
    t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12+$13+$14+$15}')
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
descendants() { echo "$1"; for c in $(pgrep -P "$1" 2>/dev/null); do descendants "$c"; done; }
queue_empty() {
  for _ in $(seq 1 600); do
    [ -z "$(find "$W/pf/spool/active" "$W/pf/spool/incoming" "$W/pf/spool/deferred" -type f 2>/dev/null | head -1)" ] && return 0
    sleep 0.1
  done
}

declare -A P50 P99 RATE CPU_PF CPU_F
run() { # name port filter_pid corpus sessions
  local name=$1 port=$2 fpid=$3 dir=$4 sessions=$5 out pf0 f0 pf1 f1 n
  queue_empty
  pf0=$(tree_ticks "$PF_MASTER"); f0=0; [ "$fpid" = - ] || f0=$(tree_ticks "$fpid")
  out=$("$BUILD/bench/smtp_load" --port "$port" --sessions "$sessions" --dir "$W/$dir")
  queue_empty
  pf1=$(tree_ticks "$PF_MASTER"); f1=0; [ "$fpid" = - ] || f1=$(tree_ticks "$fpid")
  n=$(echo "$out" | sed 's/.*"messages": \([0-9]*\).*/\1/')
  local key="$name/$dir/$sessions"
  RATE[$key]=$(echo "$out" | sed 's/.*"per_second": \([0-9.]*\).*/\1/')
  P50[$key]=$(echo "$out" | sed 's/.*"p50_ms": \([0-9.]*\).*/\1/')
  P99[$key]=$(echo "$out" | sed 's/.*"p99_ms": \([0-9.]*\).*/\1/')
  CPU_PF[$key]=$(awk -v t=$((pf1 - pf0)) -v n="$n" -v hz="$HZ" 'BEGIN{printf "%.3f", t*1000/hz/n}')
  CPU_F[$key]=$(awk -v t=$((f1 - f0)) -v n="$n" -v hz="$HZ" 'BEGIN{printf "%.3f", t*1000/hz/n}')
  echo "$key $out"
}

if [ -n "${PAUSE:-}" ]; then  # for a look with strace or tshark: ports, then wait
  echo "ports: alone $P_ALONE null-sendguard $P_NS sendguard $P_SG sendguard-unix $P_SGU rspamd $P_RS null-libmilter $P_NL null-epoll $P_NE;" \
    "milter pids $MILTER_PID $MILTER_UNIX_PID; dir $W"; sleep "$PAUSE"
fi
echo "== warm-up"
for port in $P_ALONE $P_NL $P_NE $P_NS $P_SG $P_SGU $P_RS; do "$BUILD/bench/smtp_load" --port "$port" --sessions 4 --dir "$W/k50" >/dev/null || true; done
echo "== runs (interleaved per session count, so the six see the same machine)"
run_all() { # corpus sessions
  run alone "$P_ALONE" - "$1" "$2"; run null-libmilter "$P_NL" "$NULL_LIBMILTER_PID" "$1" "$2"
  run null-epoll "$P_NE" "$NULL_EPOLL_PID" "$1" "$2"; run null-sendguard "$P_NS" "$NULL_SG_PID" "$1" "$2"
  run sendguard "$P_SG" "$MILTER_PID" "$1" "$2"
  run sendguard-unix "$P_SGU" "$MILTER_UNIX_PID" "$1" "$2"; run rspamd "$P_RS" "$RSPAMD_PID" "$1" "$2"
}
for s in 4 16; do run_all mixed "$s"; done
for s in 1 4 16; do run_all k50 "$s"; done
kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }
# The most the milter held at any moment of the 16-session runs (and the lighter ones before).
PEAK_KB=$(kb "$MILTER_UNIX_PID" VmHWM)
echo "== 1,000 idle MTA connections held open to sendguard (unix socket)"
IDLE_BEFORE_KB=$(kb "$MILTER_UNIX_PID" VmRSS)
"$BUILD/bench/idle_connections" --socket "unix:$W/milter-unix/milter.sock" --count 1000 --hold-seconds 4 > "$W/idle.json" &
IDLE_PID=$!
for _ in $(seq 1 300); do grep -q open "$W/idle.json" 2>/dev/null && break; sleep 0.1; done
sleep 1
IDLE_WITH_KB=$(kb "$MILTER_UNIX_PID" VmRSS)
IDLE_OPEN=$(sed 's/.*"open": \([0-9]*\).*/\1/' "$W/idle.json")
wait "$IDLE_PID" || echo "idle_connections: not all connections opened: $(cat "$W/idle.json")"
# One scanned page a message (an image-only PDF: rendered and read with OCR), one session.
run alone "$P_ALONE" - ocr1 1; run sendguard-unix "$P_SGU" "$MILTER_UNIX_PID" ocr1 1

add() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%+.2f", a-b}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f%%", 100*a/b}'; }
echo
echo "## Throughput and CPU: mixed corpus ($COUNT messages)"
echo
echo "| sessions | setup | msg/s | vs Postfix alone | vs the floor (null, epoll) | Postfix CPU ms/msg | filter CPU ms/msg | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|"
for s in 4 16; do
  for name in alone null-libmilter null-epoll null-sendguard sendguard sendguard-unix rspamd; do
    k="$name/mixed/$s"; a="alone/mixed/$s"
    echo "| $s | $name | ${RATE[$k]} | $(ratio "${RATE[$k]}" "${RATE[$a]}") | $(ratio "${RATE[$k]}" "${RATE[null-epoll/mixed/$s]}") | ${CPU_PF[$k]} | ${CPU_F[$k]} | ${P50[$k]} | ${P99[$k]} |"
  done
done
echo
echo "## Added latency at end of data: 50 KB messages ($COUNT_50K)"
echo
echo "| sessions | setup | p50 ms | p99 ms | added p50 ms | added p99 ms | msg/s | filter CPU ms/msg |"
echo "|---|---|---|---|---|---|---|---|"
for s in 1 4 16; do
  for name in alone null-libmilter null-epoll null-sendguard sendguard sendguard-unix rspamd; do
    k="$name/k50/$s"; a="alone/k50/$s"
    echo "| $s | $name | ${P50[$k]} | ${P99[$k]} | $(add "${P50[$k]}" "${P50[$a]}") | $(add "${P99[$k]}" "${P99[$a]}") | ${RATE[$k]} | ${CPU_F[$k]} |"
  done
done
echo
echo "## Added latency of OCR: one scanned page a message ($COUNT_OCR, one session)"
echo
echo "| setup | p50 ms | p99 ms | added p50 ms | added p99 ms | filter CPU ms/msg |"
echo "|---|---|---|---|---|---|"
for name in alone sendguard-unix; do
  k="$name/ocr1/1"; a="alone/ocr1/1"
  echo "| $name | ${P50[$k]} | ${P99[$k]} | $(add "${P50[$k]}" "${P50[$a]}") | $(add "${P99[$k]}" "${P99[$a]}") | ${CPU_F[$k]} |"
done
echo
echo
echo "## Memory of sendguard-milter (unix socket)"
echo
echo "| measure | MB |"
echo "|---|---|"
mb() { awk -v k="$1" 'BEGIN{printf "%.1f", k/1024}'; }
echo "| peak RSS through the 1, 4 and 16 session runs | $(mb "$PEAK_KB") |"
echo "| RSS idle, before the idle connections | $(mb "$IDLE_BEFORE_KB") |"
echo "| RSS with $IDLE_OPEN idle MTA connections open | $(mb "$IDLE_WITH_KB") |"
echo "| what the $IDLE_OPEN connections cost | $(mb $((IDLE_WITH_KB - IDLE_BEFORE_KB))) |"
echo
# The targets of issue 22, against the floor (null_milter on epoll) measured in this run.
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f", 100*a/b}'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN{ok = (op == ">=") ? v >= t : v <= t; print ok ? "met" : "MISSED"}'; }
echo "## Targets"
echo
echo "| target | measured | goal | |"
echo "|---|---|---|---|"
for s in 4 16; do
  for name in sendguard-unix sendguard; do
    v=$(pct "${RATE[$name/mixed/$s]}" "${RATE[null-epoll/mixed/$s]}")
    echo "| $name msg/s vs the floor, mixed, $s sessions | $v% | >= 90% | $(verdict "$v" ">=" 90) |"
  done
  v=${CPU_F[sendguard-unix/mixed/$s]}
  echo "| sendguard-unix CPU ms/msg, mixed, $s sessions | $v | <= 0.4 | $(verdict "$v" "<=" 0.4) |"
done
for s in 1 4 16; do
  goal=5; [ "$s" = 16 ] && goal=15
  v=$(add "${P99[sendguard-unix/k50/$s]}" "${P99[alone/k50/$s]}")
  echo "| sendguard-unix added p99 ms, 50 KB, $s sessions | $v | < $goal | $(verdict "$v" "<=" "$goal") |"
done
v=$(mb $((IDLE_WITH_KB - IDLE_BEFORE_KB)))
echo "| 1,000 idle MTA connections, MB | $v | < 64 | $(verdict "$v" "<=" 64) |"
v=$(mb "$PEAK_KB")
echo "| peak RSS under load, MB | $v | < 256 | $(verdict "$v" "<=" 256) |"
echo
for m in milter milter-unix; do
  grep -c "outcome=" "$W/$m/milter.log" | sed "s/^/sendguard ($m) scanned messages: /"
  grep -o "outcome=[a-z_]*" "$W/$m/milter.log" | sort | uniq -c | sed 's/^/  /'
done
