#!/usr/bin/env bash
# Runs inside a lab guest (copied there by bench/overhead/run.sh): one timed run of the workload,
# under no probes or under one bpftrace program.
# Usage: guest-trial.sh DIR CONFIG PROG DURATION CHAIN
#   CONFIG none | minimal | lockscope; PROG a .bt file in DIR (ignored for none)
# Prints one line: RESULT config=... chains_per_s=... seconds=... wall_s=... out_bytes=... lost=...
#
# The workload is started by bpftrace itself (-c): bpftrace forks it and lets it run only once
# every probe is attached, and exits (END, maps) when it exits. Waiting for bpftrace's attach
# message instead is wrong on 0.17: "Attaching N probes..." is printed before attaching, and
# attaching 16 k(ret)probes under emulation takes seconds, so the run would start half-probed.
# bpftrace's output (and the workload's line, mixed into it) goes to a file in DIR, never over
# SSH, and is deleted after the run (LSOV_KEEP=1 keeps it). bpftrace runs under its own
# `timeout -s INT`, and the EXIT trap stops whatever is left (by pid) whatever happens.
set -euo pipefail
set -m # background jobs in their own process group, with SIGINT not ignored
DIR=$1 CONFIG=$2 PROG=$3 DUR=$4 CHAIN=$5
MAX_S=${LSOV_TRIAL_MAX:-300}
OUT="$DIR/bt.out" ERR="$DIR/bt.err"
BT=""

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
stop_all() { # $BT is the `timeout` wrapper; bpftrace is its child, the workload bpftrace's
  [[ -n "$BT" ]] || return 0
  local i pids
  if kill -0 "$BT" 2>/dev/null; then
    pids="$(pgrep -P "$BT" || true)"
    for p in $pids; do pids+=" $(pgrep -P "$p" || true)"; done
    kill -INT "$BT" 2>/dev/null || true # timeout passes SIGINT on to bpftrace
    for ((i = 0; i < 300; i++)); do kill -0 "$BT" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$BT" 2>/dev/null; then
      echo "guest-trial: bpftrace did not exit 60s after SIGINT: SIGKILL to $BT $pids" >&2
      # shellcheck disable=SC2086
      kill -KILL $pids "$BT" 2>/dev/null || true
    fi
  fi
  wait "$BT" 2>/dev/null || true
  BT=""
}
cleanup() {
  stop_all
  [[ -n "${LSOV_KEEP:-}" ]] || rm -f "$OUT" "$ERR"
  rm -f "$DIR/trial.pid"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
echo $$ >"$DIR/trial.pid" # run.sh's cleanup sends SIGTERM here if it is interrupted

out_bytes=0 lost=0
rm -f "$OUT" "$ERR"
t0=$(now)
if [[ "$CONFIG" == none ]]; then
  "$DIR/linkstorm" --duration "$DUR" --chain "$CHAIN" >"$OUT" 2>"$ERR" || true
else
  # The timeout is a backstop only: SIGINT, and bpftrace then stops the workload and exits.
  BPFTRACE_PERF_RB_PAGES=1024 timeout -s INT -k 60 "$MAX_S" \
    bpftrace -f json -c "$DIR/linkstorm --duration $DUR --chain $CHAIN" "$DIR/$PROG" >"$OUT" 2>"$ERR" &
  BT=$!
  wait "$BT" || true
  BT=""
  out_bytes=$(stat -c %s "$OUT")
  # 0.17 sends many lost_events records, 0.27 one at the end
  lost=$({ grep -o '"lost_events", "data": {"events": [0-9]*' "$OUT" || true; } | awk '{ s += $NF } END { print s + 0 }')
fi
wall=$(since "$t0")
line=$({ grep -a '^linkstorm chains=' "$OUT" || true; } | tail -n 1)
cps=$(sed -n 's/.*chains_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
secs=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$line")
if [[ -z "$cps" ]]; then
  echo "guest-trial: no chains_per_s from linkstorm ($CONFIG): $(head -c 2000 "$ERR")" >&2
  exit 1
fi
echo "RESULT config=$CONFIG chains_per_s=$cps seconds=$secs wall_s=$wall out_bytes=$out_bytes lost=$lost"
