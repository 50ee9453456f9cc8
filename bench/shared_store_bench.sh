#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The shared-store benchmark (issue 21, its bench point): messages/s and server CPU per message
# for one and two gateways on the shared store against the same gateways on SQLite only, in one
# run, interleaved:
#   (1) one gateway on SQLite only           (Postfix + sendguard-milter, its own state file)
#   (2) one gateway on the shared store      (the same + sendguard-sync + PostgreSQL)
#   (3) two gateways on SQLite only
#   (4) two gateways on one shared store     (each with its sendguard-sync, one PostgreSQL)
# and, to tell the SQLite triggers' cost apart from sync's: (2t) one gateway whose journal is
# switched on (one `sendguard-sync --once` at the start) but with no sendguard-sync running, so
# the triggers journal every change and nothing pushes it (also what a gateway does while
# PostgreSQL is down: its journal grows).
# Each gateway is its own Postfix instance and its own sendguard-milter (unix socket) with its
# own state file; all gateways share one secret (as OPERATIONS.md requires for the shared
# store). Every message goes to a recipient never used before (smtp_load --to with {n}), from
# one of 40 senders (20 recipients a domain; scrambled names, so that neighbours do not trip the
# lookalike signals), so recipient history grows all the time and, on the shared store, every
# accepted message is journalled by the SQLite triggers and pushed by sendguard-sync. The
# message's To: header names that recipient too (HEADER_TO=1, the default); with HEADER_TO=0
# the corpus's own To: stays, a second (visible) recipient of every message: twice the
# history changes per message.
# Each gateway gets COUNT messages over SESSIONS SMTP sessions per run (the two gateways of
# (3) and (4) at the same time: twice the messages and sessions in all). Server CPU is
# utime+stime from /proc of every server process of the setup (the Postfix trees, the
# milters, the sendguard-sync processes, PostgreSQL's postmaster tree), from before the load
# until Postfix's queues are empty and, on the shared store, sync has pushed everything and
# the other gateway has pulled it (so sync's catch-up is charged to the messages). Between
# their runs the other setups' sendguard-sync processes are stopped (SIGSTOP), so PostgreSQL's
# CPU belongs to the setup measured. After each shared-store run it prints the backlog left
# when the load ended, how long the catch-up took, and the check that each gateway knows every
# recipient the other learned (PostgreSQL's history_recipients against each state file).
# Prints a table per run and the medians over ROUNDS, as ratios against (1) and (3) of the
# same run: the machine is shared and noisy, so read ratios, not absolute rates.
#
#   sudo bash bench/shared_store_bench.sh                  # about 4 minutes on 2 cores
#   COUNT=3000 ROUNDS=5 BUILD=build PG_PORT=25440 sudo -E bash bench/shared_store_bench.sh
#
# Needs root (Postfix's master starts as root), Debian's postfix and postgresql-15 (the
# README's test dependencies), and a built tree (BUILD, default build) with sendguard-milter,
# sendguard-sync, smtp_load and sendguard-synth. Never touches /etc/postfix or the system
# PostgreSQL: everything runs from a temporary directory on loopback, PostgreSQL is a private
# server (tests/support/postgres/pg_test_server.sh) on PG_PORT (default 25440, not the tests'
# 25432/25433), removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/postfix_services.sh
BUILD=${BUILD:-build}
COUNT=${COUNT:-2000}       # messages per gateway per run
SESSIONS=${SESSIONS:-4}    # SMTP sessions per gateway
ROUNDS=${ROUNDS:-5}        # interleaved rounds (the order of the setups rotates)
PG_PORT=${PG_PORT:-25440}
HEADER_TO=${HEADER_TO:-1}  # 1: the To: header names the envelope recipient; 0: the corpus's To: kept
header_to_flag=()
[ "$HEADER_TO" = 0 ] || header_to_flag=(--header-to)
[ "$(id -u)" = 0 ] || { echo "shared_store_bench: run as root (Postfix's master starts as root)" >&2; exit 2; }
for tool in "$BUILD/bench/smtp_load" "$BUILD/tests/synth/sendguard-synth" "$BUILD/milter/sendguard-milter" "$BUILD/milter/sendguard-sync"; do
  [ -x "$tool" ] || { echo "shared_store_bench: $tool missing: build first (ninja -C $BUILD sendguard-milter sendguard-sync smtp_load sendguard-synth)" >&2; exit 2; }
done
for cmd in postfix psql sqlite3; do
  command -v "$cmd" >/dev/null || { echo "shared_store_bench: $cmd missing (apt-get install postfix postgresql-15 sqlite3)" >&2; exit 2; }
done
BUILD=$(cd "$BUILD" && pwd)

# port_free, free_port (below the ephemeral range), wait_port.
. scripts/lib/ports.sh
port_free "$PG_PORT" || { echo "shared_store_bench: port $PG_PORT is in use: set PG_PORT" >&2; exit 2; }

W=$(mktemp -d /tmp/sendguard-ssbench.XXXXXX)
chmod 755 "$W"
PG_DIR="$W/pg"
pids=()
sync_pids=()
pf_started=()
cleanup() {
  for p in "${sync_pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; done
  for gw in "${pf_started[@]}"; do postfix -c "$W/$gw/pf/etc" stop >/dev/null 2>&1 || true; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  bash tests/support/postgres/pg_test_server.sh stop "$PG_DIR" >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] || rm -rf "$W"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $COUNT messages per gateway per run, $SESSIONS sessions per gateway, $ROUNDS rounds, HEADER_TO=$HEADER_TO"
echo "== corpus (synthetic, seeded: the same every run)"
"$BUILD/tests/synth/sendguard-synth" bench "$W/mixed" "$COUNT" 7
"$BUILD/tests/synth/sendguard-synth" bench "$W/warm" 200 8

echo "== PostgreSQL (private, 127.0.0.1:$PG_PORT)"
bash tests/support/postgres/pg_test_server.sh start "$PG_DIR" "$PG_PORT"
PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid" | tr -d ' ')
pg() { psql -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
pg -d postgres -c "CREATE DATABASE sg_one" -c "CREATE DATABASE sg_two" -c "CREATE DATABASE sg_trig"
conninfo() { echo "host=127.0.0.1 port=$PG_PORT dbname=$1 user=postgres"; }

head -c 32 /dev/urandom > "$W/secret"   # one deployment secret for every gateway
chmod 644 "$W/secret"

declare -A PORT MILTER MASTER SYNC
# A gateway: its own sendguard-milter (unix socket, its own state file) and its own Postfix.
start_gateway() { # name
  local gw=$1 port
  mkdir -p "$W/$gw/state" "$W/$gw/pf/etc" "$W/$gw/pf/spool" "$W/$gw/pf/data"
  chmod 755 "$W/$gw"
  cat > "$W/$gw/sendguard.yaml" <<YAML
state_dir: $W/$gw/state
secret_file: $W/secret
core_url: http://127.0.0.1:1
organisation:
  internal_domains: [council.example.gov.uk]
milter:
  socket: unix:$W/$gw/milter.sock
  socket_mode: "0666"
  metrics_listen: ""
  log_file: $W/$gw/milter.log
YAML
  "$BUILD/milter/sendguard-milter" --foreground --config "$W/$gw/sendguard.yaml" > "$W/$gw/milter.out" 2>&1 &
  pids+=($!)
  MILTER[$gw]=$!
  port=$(free_port)
  PORT[$gw]=$port
  chown postfix "$W/$gw/pf/data"
  postfix_bench_main_cf "$gw.council.example.gov.uk" "$W/$gw/pf" > "$W/$gw/pf/etc/main.cf"
  { echo "127.0.0.1:$port inet n - n - - smtpd -o smtpd_milters=unix:$W/$gw/milter.sock"; postfix_base_services; } \
    > "$W/$gw/pf/etc/master.cf"
  postfix -c "$W/$gw/pf/etc" start >/dev/null
  pf_started+=("$gw")
}
# SIGHUP ignored: the processes of the setups not being measured are stopped (SIGSTOP), and if
# the shell that started this script goes away meanwhile, the kernel hangs up every process of
# an orphaned process group that holds a stopped one.
start_sync() { # gateway database
  (trap '' HUP; exec "$BUILD/milter/sendguard-sync" --config "$W/$1/sendguard.yaml" --shared-store "$(conninfo "$2")" --gateway-id "$1" \
    --state-db "$W/$1/state/state.db") > "$W/$1/sync.log" 2>&1 &
  pids+=($!)
  sync_pids+=($!)
  SYNC[$1]=$!
}

# The four setups: their gateways and, for the shared store, their database.
declare -A GWS DB NAME
GWS[1]="g1";      DB[1]="";      NAME[1]="(1) one gateway, SQLite only"
GWS[2]="g2";      DB[2]="sg_one"; NAME[2]="(2) one gateway + sync + PostgreSQL"
GWS[3]="g3a g3b"; DB[3]="";      NAME[3]="(3) two gateways, SQLite only"
GWS[4]="g4a g4b"; DB[4]="sg_two"; NAME[4]="(4) two gateways + sync + one PostgreSQL"
GWS[5]="g2t";     DB[5]="";      NAME[5]="(2t) one gateway, triggers on, no sync"
SETUPS=(1 5 2 3 4)

echo "== seven gateways (Postfix + sendguard-milter each; delivery discarded)"
for c in "${SETUPS[@]}"; do for gw in ${GWS[$c]}; do start_gateway "$gw"; done; done
for c in "${SETUPS[@]}"; do for gw in ${GWS[$c]}; do
  wait_port "${PORT[$gw]}"
  for _ in $(seq 1 600); do [ -S "$W/$gw/milter.sock" ] && [ -f "$W/$gw/state/state.db" ] && break; sleep 0.1; done
  [ -S "$W/$gw/milter.sock" ] || { echo "milter of $gw never started:"; cat "$W/$gw/milter.out"; exit 1; }
  MASTER[$gw]=$(head -1 "$W/$gw/pf/spool/pid/master.pid" | tr -d ' ')
done; done
echo "== (2t): the journal switched on by one round of sendguard-sync, then no sync"
"$BUILD/milter/sendguard-sync" --once --shared-store "$(conninfo sg_trig)" --gateway-id g2t --state-db "$W/g2t/state/state.db" 2>&1 | sed 's/^/  /'
echo "== sendguard-sync beside each gateway of (2) and (4)"
for c in 2 4; do for gw in ${GWS[$c]}; do start_sync "$gw" "${DB[$c]}"; done; done
for c in 2 4; do for gw in ${GWS[$c]}; do
  for _ in $(seq 1 300); do grep -q "every" "$W/$gw/sync.log" 2>/dev/null && break; sleep 0.1; done
  grep -q "every" "$W/$gw/sync.log" || { echo "sendguard-sync of $gw never started:"; cat "$W/$gw/sync.log"; exit 1; }
done; done

HZ=$(getconf CLK_TCK)
descendants() { echo "$1"; for c in $(pgrep -P "$1" 2>/dev/null); do descendants "$c"; done; }
# CPU ticks of process trees: every live member's own time and its reaped children's.
ticks() {
  local total=0 root pid t
  for root in "$@"; do
    for pid in $(descendants "$root"); do
      t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12+$13+$14+$15}')
      total=$((total + ${t:-0}))
    done
  done
  echo "$total"
}
sq() { sqlite3 -cmd ".timeout 5000" "$1" "$2"; }
journal() { local n=0 gw; for gw in "$@"; do n=$((n + $(sq "$W/$gw/state/state.db" "SELECT count(*) FROM sync_journal"))); done; echo "$n"; }
queues_empty() { # gateways
  local gw
  for _ in $(seq 1 1200); do
    local busy=
    for gw in "$@"; do
      [ -z "$(find "$W/$gw/pf/spool/active" "$W/$gw/pf/spool/incoming" "$W/$gw/pf/spool/deferred" -type f 2>/dev/null | head -1)" ] || busy=1
    done
    [ -z "$busy" ] && return 0
    sleep 0.1
  done
  echo "queues of $* not empty after 120 s" >&2
}
# On the shared store: the journal is empty everywhere and every gateway's history holds as
# many recipients as PostgreSQL (each has pulled what the others pushed).
converged() { # database gateways...
  local db=$1 gw n
  shift
  [ "$(journal "$@")" = 0 ] || return 1
  n=$(pg -d "$db" -c "SELECT count(*) FROM history_recipients")
  for gw in "$@"; do [ "$(sq "$W/$gw/state/state.db" "SELECT count(*) FROM history_recipients")" = "$n" ] || return 1; done
}
# Only this setup's sendguard-sync processes run while it is measured.
only_sync_of() { # setup
  local c gw
  for c in 2 4; do for gw in ${GWS[$c]}; do
    if [ "$c" = "$1" ]; then kill -CONT "${SYNC[$gw]}"; else kill -STOP "${SYNC[$gw]}"; fi
  done; done
}

RESULTS="$W/results.tsv"
: > "$RESULTS"
# One measured run of setup c: each of its gateways gets COUNT (or the warm-up's) messages at
# once, to recipients numbered from `base` (every gateway and run its own range).
run() { # setup round corpus base
  local c=$1 r=$2 dir=$3 base=$4 gw j=0 seq db=${DB[$1]}
  local gws
  read -r -a gws <<< "${GWS[$1]}"
  only_sync_of "$c"
  [ -z "$db" ] || for _ in $(seq 1 300); do converged "$db" "${gws[@]}" && break; sleep 0.1; done
  queues_empty "${gws[@]}"
  local masters=() milters=() syncs=() pgroot=()
  for gw in "${gws[@]}"; do masters+=("${MASTER[$gw]}"); milters+=("${MILTER[$gw]}"); [ -z "$db" ] || syncs+=("${SYNC[$gw]}"); done
  [ -z "$db" ] || pgroot=("$PG_PID")
  local pf0 m0 s0 p0 pf1 m1 s1 p1 t_load t_done
  pf0=$(ticks "${masters[@]}"); m0=$(ticks "${milters[@]}"); s0=$(ticks "${syncs[@]}"); p0=$(ticks "${pgroot[@]}")
  local lpids=()
  for gw in "${gws[@]}"; do
    seq=$((base + j * 1000000)); j=$((j + 1))
    "$BUILD/bench/smtp_load" --port "${PORT[$gw]}" --sessions "$SESSIONS" --dir "$W/$dir" --seq-start "$seq" "${header_to_flag[@]}" \
      --from 'staff{n%40}@council.example.gov.uk' --to 'p{h}@org-{h/20}.example.org' > "$W/load.$gw" &
    lpids+=($!)
  done
  for p in "${lpids[@]}"; do wait "$p" || true; done
  t_load=$(date +%s.%N)
  local backlog=-
  [ -z "$db" ] || backlog=$(journal "${gws[@]}")
  queues_empty "${gws[@]}"
  if [ -n "$db" ]; then
    for _ in $(seq 1 1200); do converged "$db" "${gws[@]}" && break; sleep 0.1; done
    converged "$db" "${gws[@]}" || echo "  ($c) NOT converged after 120 s: journal $(journal "${gws[@]}")" >&2
  fi
  t_done=$(date +%s.%N)
  pf1=$(ticks "${masters[@]}"); m1=$(ticks "${milters[@]}"); s1=$(ticks "${syncs[@]}"); p1=$(ticks "${pgroot[@]}")
  # The gateways' own figures: messages, accepted, rejected, deferred, broken, the slowest's
  # seconds, and the worst p50/p99 of the two.
  local msgs=0 acc=0 rej=0 def=0 brk=0 secs=0 p50=0 p99=0 out
  for gw in "${gws[@]}"; do
    out=$(cat "$W/load.$gw")
    field() { echo "$out" | sed "s/.*\"$1\": \([0-9.]*\).*/\1/"; }
    msgs=$((msgs + $(field messages))); acc=$((acc + $(field accepted))); rej=$((rej + $(field rejected)))
    def=$((def + $(field deferred))); brk=$((brk + $(field broken)))
    secs=$(awk -v a="$secs" -v b="$(field seconds)" 'BEGIN{print (b > a) ? b : a}')
    p50=$(awk -v a="$p50" -v b="$(field p50_ms)" 'BEGIN{print (b > a) ? b : a}')
    p99=$(awk -v a="$p99" -v b="$(field p99_ms)" 'BEGIN{print (b > a) ? b : a}')
  done
  local drain
  drain=$(awk -v a="$t_load" -v b="$t_done" 'BEGIN{printf "%.1f", b - a}')
  if [ "$r" != warm ]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$c" "$r" "$msgs" "$secs" "$p50" "$p99" \
      $((pf1 - pf0)) $((m1 - m0)) $((s1 - s0)) $((p1 - p0)) "$backlog" "$drain" "$acc" "$rej" "$def" "$brk" >> "$RESULTS"
  fi
  printf '  %-44s round %-4s %5d msgs %6.1f msg/s  accepted %d rejected %d deferred %d broken %d  backlog at end %s, settled in %s s\n' \
    "${NAME[$c]}" "$r" "$msgs" "$(awk -v n="$msgs" -v s="$secs" 'BEGIN{print n/s}')" "$acc" "$rej" "$def" "$brk" "$backlog" "$drain"
}

# What each gateway of a shared-store setup knows: recipients in PostgreSQL, in each state
# file, and recipients one gateway learned that another does not know (must be 0).
check_shared() { # setup
  local c=$1 db=${DB[$1]} gw other
  local gws
  read -r -a gws <<< "${GWS[$1]}"
  local line
  line="  ${NAME[$c]}: PostgreSQL history_recipients $(pg -d "$db" -c "SELECT count(*) FROM history_recipients")"
  line+=" (by gateway: $(pg -d "$db" -c "SELECT string_agg(origin || ' ' || n, ', ' ORDER BY origin) FROM (SELECT origin, count(*) n FROM history_recipients GROUP BY origin) x"))"
  for gw in "${gws[@]}"; do line+="; $gw's state file $(sq "$W/$gw/state/state.db" "SELECT count(*) FROM history_recipients")"; done
  echo "$line"
  for gw in "${gws[@]}"; do for other in "${gws[@]}"; do
    [ "$gw" = "$other" ] && continue
    local missing
    missing=$(sq "$W/$other/state/state.db" "ATTACH '$W/$gw/state/state.db' AS a;
      SELECT count(*) FROM a.history_recipients x WHERE NOT EXISTS
        (SELECT 1 FROM main.history_recipients y WHERE y.sender = x.sender AND y.recipient = x.recipient)")
    echo "  recipients known to $gw that $other does not know: $missing"
  done; done
  for gw in "${gws[@]}"; do
    echo "  $gw: sync state: $(sq "$W/$gw/state/state.db" "SELECT group_concat(name || '=' || value, ' ') FROM sync_state WHERE name IN ('up', 'backlog', 'last_error')" | cut -c1-200)"
  done
}

echo "== warm-up (200 messages per gateway, not counted)"
for c in "${SETUPS[@]}"; do run "$c" warm warm 9000000; done
echo "== runs (the four setups interleaved, the order rotating each round)"
for r in $(seq 1 "$ROUNDS"); do
  order=("${SETUPS[@]}")
  k=$(((r - 1) % ${#SETUPS[@]}))
  order=("${order[@]:$k}" "${order[@]:0:$k}")
  for c in "${order[@]}"; do run "$c" "$r" mixed $(((r - 1) * COUNT)); done
done
for c in 2 4; do for gw in ${GWS[$c]}; do kill -CONT "${SYNC[$gw]}"; done; done

echo
echo "== the shared store after the runs"
for c in 2 4; do check_shared "$c"; done
for c in 2 4; do for gw in ${GWS[$c]}; do
  if grep -q "warning\|error" "$W/$gw/sync.log"; then echo "  $gw's sendguard-sync logged:"; grep "warning\|error" "$W/$gw/sync.log" | head -5 | sed 's/^/    /'; fi
done; done

echo
echo "## Every run (server CPU ms per message; msg/s while the load ran)"
echo
echo "| setup | round | msg/s | p50 ms | p99 ms | Postfix | milter | sync | PostgreSQL | all | backlog at end | settled s |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' -v OFS='\t' '{ $1 = ($1 == 5) ? 1.5 : $1; print }' "$RESULTS" | sort -k1,1n -k2,2n | awk -F'\t' -v hz="$HZ" -v n1="${NAME[1]}" -v n2="${NAME[2]}" -v n3="${NAME[3]}" -v n4="${NAME[4]}" -v n5="${NAME[5]}" '
  BEGIN { name[1] = n1; name[2] = n2; name[3] = n3; name[4] = n4; name[5] = n5 }
  { ms = 1000 / hz / $3; if ($1 == 1.5) $1 = 5
    printf "| %s | %s | %.1f | %.2f | %.2f | %.3f | %.3f | %.3f | %.3f | %.3f | %s | %s |\n", name[$1], $2, $3 / $4, $5, $6,
      $7 * ms, $8 * ms, $9 * ms, $10 * ms, ($7 + $8 + $9 + $10) * ms, $11, $12 }'
echo
echo "## Medians over $ROUNDS rounds, as ratios against (1) and (3) of this run"
echo
echo "| setup | msg/s | vs (1) | vs (3) | CPU ms/msg | vs (1) | vs (3) | milter ms/msg | sync ms/msg | PostgreSQL ms/msg | p99 ms |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' -v hz="$HZ" -v n1="${NAME[1]}" -v n2="${NAME[2]}" -v n3="${NAME[3]}" -v n4="${NAME[4]}" -v n5="${NAME[5]}" '
  function median(c, what,   i, k, n, v, t) {
    n = 0
    for (i = 1; i <= rows; i++) if (C[i] == c) v[++n] = val[i, what]
    for (i = 1; i <= n; i++) for (k = i + 1; k <= n; k++) if (v[k] < v[i]) { t = v[i]; v[i] = v[k]; v[k] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { rows++; C[rows] = $1; ms = 1000 / hz / $3
    val[rows, "rate"] = $3 / $4; val[rows, "cpu"] = ($7 + $8 + $9 + $10) * ms; val[rows, "milter"] = $8 * ms
    val[rows, "sync"] = $9 * ms; val[rows, "pg"] = $10 * ms; val[rows, "p99"] = $6 }
  END {
    name[1] = n1; name[2] = n2; name[3] = n3; name[4] = n4; name[5] = n5
    for (c = 1; c <= 5; c++) { rate[c] = median(c, "rate"); cpu[c] = median(c, "cpu") }
    split("1 5 2 3 4", order, " ")
    for (o = 1; o <= 5; o++) {
      c = order[o]
      printf "| %s | %.1f | %.0f%% | %.0f%% | %.3f | %.0f%% | %.0f%% | %.3f | %.3f | %.3f | %.2f |\n", name[c], rate[c],
        100 * rate[c] / rate[1], 100 * rate[c] / rate[3], cpu[c], 100 * cpu[c] / cpu[1], 100 * cpu[c] / cpu[3],
        median(c, "milter"), median(c, "sync"), median(c, "pg"), median(c, "p99")
    }
  }' "$RESULTS"
echo
echo "== machine load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  (2t)'s journal after the runs, never pushed: $(sq "$W/g2t/state/state.db" "SELECT count(*) FROM sync_journal") rows"
for c in "${SETUPS[@]}"; do for gw in ${GWS[$c]}; do
  printf '  %s: %s scanned; %s\n' "$gw" "$(grep -c "outcome=" "$W/$gw/milter.log" || true)" \
    "$(grep -o "outcome=[a-z_]*" "$W/$gw/milter.log" | sort | uniq -c | awk '{printf "%s %s  ", $2, $1}')"
done; done
