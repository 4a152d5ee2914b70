#!/usr/bin/env bash
# Runs inside a lab guest (copied there by bench/overhead/run.sh): one timed run of the workload,
# under no probes or under one bpftrace program.
# Usage: guest-trial.sh DIR CONFIG PROG DURATION CHAIN
#   CONFIG none | minimal | lockscope; PROG a .bt file in DIR (ignored for none)
# Prints one line: RESULT config=... chains_per_s=... seconds=... wall_s=... out_bytes=... lost=...
#   chains=... bpf_ns=... bpf_runs=... bt_cpu_ns=...
#
# What the probes cost, measured directly (probed configs): with kernel.bpf_stats_enabled on for
# the run (restored after), the run time and run count of every BPF program bpftrace holds
# (/proc/PID/fdinfo: run_time_ns, run_cnt) and bpftrace's own CPU time (its threads' schedstat),
# read just before the workload starts and just after it ends: bpf_ns, bpf_runs and bt_cpu_ns
# cover exactly the workload's run, and chains is how many chains it completed. The workload is
# started by a wrapper (workload.sh) that waits for the first reading. Throughput under emulation
# varies 2x from run to run whatever the probes; these per-chain costs do not (bench/overhead/
# summarize.mjs reports both).
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
BT="" SAMPLER="" STATS_OLD=""
STATS=/proc/sys/kernel/bpf_stats_enabled

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
  [[ -z "$SAMPLER" ]] || kill "$SAMPLER" 2>/dev/null || true
  [[ -z "$STATS_OLD" ]] || echo "$STATS_OLD" >"$STATS" 2>/dev/null || true
  [[ -n "${LSOV_KEEP:-}" ]] || rm -f "$OUT" "$ERR"
  rm -f "$DIR/trial.pid" "$DIR/started" "$DIR/go" "$DIR/done" "$DIR/cost" "$DIR/tick" "$DIR/workload.sh"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
echo $$ >"$DIR/trial.pid" # run.sh's cleanup sends SIGTERM here if it is interrupted

# One reading: "BPF run ns, BPF runs, bpftrace CPU ns" of bpftrace process $1 (bash builtins only:
# the reading runs in the guest it measures).
reading() {
  local pid=$1 f k v rt rc ns=0 runs=0 cpu=0 a
  for f in /proc/"$pid"/fdinfo/*; do
    rt="" rc=""
    while IFS=$':\t ' read -r k v; do
      case $k in run_time_ns) rt=$v ;; run_cnt) rc=$v ;; esac
    done <"$f" 2>/dev/null || true
    # Only program fds have run_time_ns (links and maps do not).
    if [[ -n "$rt" && -n "$rc" ]]; then ns=$((ns + rt)) runs=$((runs + rc)); fi
  done
  for f in /proc/"$pid"/task/*/schedstat; do
    read -r a _ <"$f" 2>/dev/null && cpu=$((cpu + a))
  done
  echo "$ns $runs $cpu"
}
# Waits for the wrapper to start, reads, lets the workload go, waits for it to end, reads again.
sampler() {
  local bt a b
  exec 9<>"$DIR/tick" # a FIFO no one writes: read -t on it is a sleep without a fork
  until [[ -e "$DIR/started" ]]; do read -rt 0.05 -u 9 || true; done
  bt=$(pgrep -P "$BT" | head -n 1)
  a=$(reading "$bt")
  : >"$DIR/go"
  until [[ -e "$DIR/done" ]]; do read -rt 0.05 -u 9 || true; done
  b=$(reading "$bt")
  echo "$a $b" >"$DIR/cost"
}

out_bytes=0 lost=0 chains=0 bpf_ns=0 bpf_runs=0 bt_cpu_ns=0
rm -f "$OUT" "$ERR" "$DIR/started" "$DIR/go" "$DIR/done" "$DIR/cost" "$DIR/tick"
t0=$(now)
if [[ "$CONFIG" == none ]]; then
  "$DIR/linkstorm" --duration "$DUR" --chain "$CHAIN" >"$OUT" 2>"$ERR" || true
else
  if [[ -w "$STATS" ]]; then
    STATS_OLD=$(cat "$STATS")
    echo 1 >"$STATS"
  fi
  mkfifo "$DIR/tick"
  cat >"$DIR/workload.sh" <<WRAP
#!/bin/bash
: >"$DIR/started"
while [ ! -e "$DIR/go" ]; do sleep 0.05; done
"$DIR/linkstorm" --duration $DUR --chain $CHAIN
rc=\$?
: >"$DIR/done"
sleep 1
exit \$rc
WRAP
  chmod +x "$DIR/workload.sh"
  # The timeout is a backstop only: SIGINT, and bpftrace then stops the workload and exits.
  BPFTRACE_PERF_RB_PAGES=1024 timeout -s INT -k 60 "$MAX_S" \
    bpftrace -f json -c "/bin/bash $DIR/workload.sh" "$DIR/$PROG" >"$OUT" 2>"$ERR" &
  BT=$!
  sampler &
  SAMPLER=$!
  wait "$BT" || true
  BT=""
  kill "$SAMPLER" 2>/dev/null || true
  wait "$SAMPLER" 2>/dev/null || true
  SAMPLER=""
  if [[ -s "$DIR/cost" ]]; then
    read -r a0 a1 a2 b0 b1 b2 <"$DIR/cost"
    bpf_ns=$((b0 - a0)) bpf_runs=$((b1 - a1)) bt_cpu_ns=$((b2 - a2))
  fi
  out_bytes=$(stat -c %s "$OUT")
  # 0.17 sends many lost_events records, 0.27 one at the end
  lost=$({ grep -o '"lost_events", "data": {"events": [0-9]*' "$OUT" || true; } | awk '{ s += $NF } END { print s + 0 }')
fi
wall=$(since "$t0")
line=$({ grep -a '^linkstorm chains=' "$OUT" || true; } | tail -n 1)
cps=$(sed -n 's/.*chains_per_s=\([0-9.]*\).*/\1/p' <<<"$line")
secs=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$line")
chains=$(sed -n 's/^linkstorm chains=\([0-9]*\) .*/\1/p' <<<"$line")
if [[ -z "$cps" ]]; then
  echo "guest-trial: no chains_per_s from linkstorm ($CONFIG): $(head -c 2000 "$ERR")" >&2
  exit 1
fi
echo "RESULT config=$CONFIG chains_per_s=$cps seconds=$secs wall_s=$wall out_bytes=$out_bytes lost=$lost chains=${chains:-0} bpf_ns=$bpf_ns bpf_runs=$bpf_runs bt_cpu_ns=$bt_cpu_ns"
