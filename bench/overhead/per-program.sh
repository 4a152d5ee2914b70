#!/usr/bin/env bash
# bash bench/overhead/per-program.sh KERNEL PROG.bt [PROG.bt ...]     (root; the lab guest KERNEL
# (6.1 or sid) must be running: test/lab/boot.sh KERNEL)
#
# Where a program's cost goes, per BPF program: each PROG.bt runs in the guest under bpftrace
# while linkstorm runs for 3 s (--chain 4), with kernel.bpf_stats_enabled on (restored after);
# before and after the workload the run count, run time and verified instruction count of every
# BPF program bpftrace holds are read from /proc/PID/fdinfo. Prints, per program with runs: its
# fd, type (2 kprobe, 5 tracepoint, 7 perf event), verified instructions, runs per chain, ns per
# run and µs per chain, then the total per chain. Under bpftrace 0.27 a function's kprobe and
# kretprobe are one program (it runs twice per call), and identical probe bodies share one.
# On the host's clock single runs vary up to 3x (single-threaded emulation of two CPUs: a run's
# time takes in whatever the other CPU did meanwhile); in a guest whose clock counts instructions
# (LOCKSCOPE_LAB_ICOUNT=1 LOCKSCOPE_LAB_CPUS=1 test/lab/boot.sh 6.1, or =1 alone for sid) they
# repeat within a few percent, and ns are instructions run (2 ns each at shift 1).
# Example: bash bench/overhead/per-program.sh sid build/plans/debian-sid-7.2.bt bench/overhead/verdict-sid.bt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
die() { echo "bench/overhead/per-program.sh: error: $*" >&2; exit 1; }
[[ $# -ge 2 ]] || die "usage: per-program.sh 6.1|sid PROG.bt [PROG.bt ...]"
K=$1
shift
case $K in 6.1 | sid) ;; *) die "unknown lab kernel '$K' (6.1 or sid)" ;; esac
[[ -x build/bpf/linkstorm ]] || die "no build/bpf/linkstorm: npm run build:workload"
for p in "$@"; do [[ -f "$p" ]] || die "no file $p"; done
SSHCFG="${LOCKSCOPE_LAB_CACHE:-/var/cache/lockscope-lab}/ssh/config"
SSH=(ssh -F "$SSHCFG" "lab-$K")
DIR="/tmp/lspp-$$"
"${SSH[@]}" "mkdir -p $DIR" </dev/null || die "lab-$K does not answer (test/lab/boot.sh $K)"
trap '"${SSH[@]}" "rm -rf $DIR" </dev/null >/dev/null 2>&1 || true' EXIT
scp -q -F "$SSHCFG" build/bpf/linkstorm "lab-$K:$DIR/"
i=0
for p in "$@"; do
  scp -q -F "$SSHCFG" "$p" "lab-$K:$DIR/p$i.bt"
  i=$((i + 1))
done
# The guest side: a wrapper bpftrace starts (-c), which reads its parent's programs, runs the
# workload, and reads them again.
"${SSH[@]}" "cat > $DIR/run.sh" <<'GUEST'
#!/bin/bash
set -euo pipefail
D=$1 P=$2
snap() { # fd type insns runs ns, for every BPF program of process $1
  local f
  for f in /proc/"$1"/fdinfo/*; do
    awk -v fd="${f##*/}" '/^prog_type/{t=$2} /^run_time_ns/{rt=$2} /^run_cnt/{rc=$2} /^verified_insns/{vi=$2}
      END { if (rt != "") print fd, t, (vi == "" ? "-" : vi), rc, rt }' "$f"
  done
}
if [[ "${3:-}" == inner ]]; then
  snap "$PPID" >"$D/before"
  "$D/linkstorm" --duration 3 --chain 4 >"$D/ls.out"
  snap "$PPID" >"$D/after"
  exit 0
fi
old=$(cat /proc/sys/kernel/bpf_stats_enabled)
echo 1 >/proc/sys/kernel/bpf_stats_enabled
trap 'echo "$old" >/proc/sys/kernel/bpf_stats_enabled' EXIT
rm -f "$D/before" "$D/after" "$D/ls.out"
BPFTRACE_PERF_RB_PAGES=1024 timeout -s INT -k 30 300 bpftrace -f json -c "/bin/bash $D/run.sh $D $P inner" "$D/$P" >/dev/null 2>"$D/err" || true
ch=$(sed -n 's/^linkstorm chains=\([0-9]*\) .*/\1/p' "$D/ls.out" 2>/dev/null || true)
[[ -n "$ch" && -s "$D/after" ]] || { echo "no run: $(head -c 500 "$D/err")"; exit 1; }
echo "chains $ch"
join "$D/before" "$D/after" | awk -v ch="$ch" '{ dr = $8 - $4; dt = $9 - $5; tot += dt
  if (dr > 0) printf "  fd %-3s type %s insns %-6s runs/chain %6.2f  ns/run %7d  us/chain %6.1f\n", $1, $2, $3, dr / ch, dt / dr, dt / ch / 1000 }
  END { printf "  total us/chain %.1f\n", tot / ch / 1000 }'
GUEST
i=0
for p in "$@"; do
  echo "== $p (lab $K)"
  "${SSH[@]}" "bash $DIR/run.sh $DIR p$i.bt" </dev/null || echo "  (failed)"
  i=$((i + 1))
done
