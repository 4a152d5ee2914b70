#!/usr/bin/env bash
# npm run bench:overhead -- [--kernels 6.1[,sid]] [--rounds N] [--duration S] [--chain N]
#                           [--extra NAME=FILE.bt]... [--no-build]
#
# What Lockscope's default probe plan costs the traced workload, against a minimal hand-written
# bpftrace program on the same sites (bench/overhead/minimal-KERNEL.bt), in the lab guests
# (test/lab). Software emulation makes absolute overhead meaningless, so everything is compared
# in one boot: the linkstorm workload's throughput (chains/s) with no probes ("none"), under the
# minimal program ("minimal") and under the plan Lockscope generates for that guest
# (build/plans/debian-*.bt, "lockscope"), alternating the configurations over several rounds
# (the order rotates each round) and taking medians. The host has 2 cores shared with other
# jobs and the guest is single-threaded TCG: single runs are noisy.
#
#   slowdown(config) = median chains/s with no probes / median chains/s under config
#   added-cost ratio = (slowdown(lockscope) - 1) / (slowdown(minimal) - 1)   goal: <= 1.2
#
# A guest this bench boots counts time in instructions (QEMU -icount, LSOV_ICOUNT=N: 2^N ns per
# instruction, default 1; LSOV_ICOUNT= for the host's clock): the figures then repeat within
# about 2% from run to run, where on the host's clock they vary 2x. Debian's 6.1 hangs bringing
# up a second CPU under -icount, so that guest gets one CPU (the plan and both baselines alike).
# Throughput on the host's clock varies 2x from run to run whatever the probes, so each probed run
# also measures what the programs themselves cost, in the guest, over exactly the workload's run
# (guest-trial.sh): the BPF programs' run time (kernel.bpf_stats_enabled, per program fd) and
# bpftrace's CPU time, per chain. Their ratio, lockscope over minimal, is an upper bound on the
# added-cost ratio (both also pay the same probe mechanism on the same sites, left out of it).
#
# Prints a table per kernel and writes build/bench/overhead-KERNEL.json (every run, medians).
# --extra NAME=FILE.bt adds a configuration (FILE may contain %k, replaced by the kernel name),
# e.g. to measure variants of the plan. Each run: bpftrace -f json -c WORKLOAD PROG on the guest
# (BPFTRACE_PERF_RB_PAGES=1024, output to a file on the guest, deleted afterwards), so the
# workload starts only once every probe is attached (bench/overhead/guest-trial.sh).
#
# Needs root (as the lab does). A guest that is already running is used as it is and left
# running; one that is not is booted (test/lab/boot.sh) and stopped again at the end. Nothing is
# left on the guest: the files go to a unique /tmp/lsov-* directory that is removed, and an
# interrupted run stops its remote trial (by pid), which stops its bpftrace.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

say() { printf '[bench:overhead %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "bench/overhead/run.sh: error: $*" >&2; exit 1; }

KERNELS=6.1 ROUNDS=3 DURATION=5 CHAIN=4 BUILD=1
ICOUNT=${LSOV_ICOUNT-1} # the guest clock of a guest this bench boots: 2^N ns per instruction ('' for real time)
EXTRA=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --kernels) KERNELS=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --duration) DURATION=${2:?}; shift 2 ;;
    --chain) CHAIN=${2:?}; shift 2 ;;
    --extra) [[ ${2:-} == *=* ]] || die "--extra wants NAME=FILE.bt"; EXTRA+=("$2"); shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive whole number"
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "--duration must be a positive whole number of seconds"
[[ "$CHAIN" =~ ^[1-9][0-9]*$ ]] || die "--chain must be a positive whole number"
[[ $(id -u) -eq 0 ]] || die "run as root (the lab boots QEMU and owns /var/cache/lockscope-lab)"
command -v node >/dev/null || die "node is needed for the summary"

LAB_CACHE="${LOCKSCOPE_LAB_CACHE:-/var/cache/lockscope-lab}"
SSHCFG="$LAB_CACHE/ssh/config"
TRIAL_MAX=${LSOV_TRIAL_MAX:-300} # seconds, per run, on the guest (bpftrace start is slow under TCG)

if ((BUILD)); then
  say "building: npm run build, npm run build:workload, build/scripts/print-plans.js"
  if ! { npm run -s build >/dev/null && npm run -s build:workload >/dev/null &&
    node build/scripts/print-plans.js >/dev/null; }; then
    [[ -x build/bpf/linkstorm && -f build/plans/debian-6.1.bt ]] || die "the build failed"
    say "warning: the build failed; using the workload and plans already in build/"
  fi
fi
[[ -x build/bpf/linkstorm ]] || die "no build/bpf/linkstorm: npm run build:workload"

plan_for() {
  case $1 in
    6.1) echo build/plans/debian-6.1.bt ;;
    sid) compgen -G 'build/plans/debian-sid-*.bt' | head -n 1 ;;
  esac
}

vm_cmdline() { # the running guest's QEMU command line; fails when none runs (test/lab/lib.sh vm_pid)
  local pf="$LAB_CACHE/run/$1.pid" pid cmd
  [[ -f "$pf" ]] || return 1
  pid="$(tr -dc '0-9' <"$pf")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
  [[ "$cmd" == *"$pf"* ]] && echo "$cmd"
}
vm_running() { vm_cmdline "$1" >/dev/null; }

# State for the cleanup trap: the guest and directory in use, and whether we booted it.
CUR_K="" CUR_DIR="" BOOTED=""
cleanup() {
  local rc=$?
  if [[ -n "$CUR_K" && -n "$CUR_DIR" ]]; then
    timeout 90 ssh -F "$SSHCFG" "lab-$CUR_K" \
      "p=\$(cat $CUR_DIR/trial.pid 2>/dev/null || true); if [ -n \"\$p\" ]; then kill -TERM \$p 2>/dev/null; for i in \$(seq 60); do kill -0 \$p 2>/dev/null || break; sleep 1; done; fi; rm -rf $CUR_DIR" \
      </dev/null >/dev/null 2>&1 || say "warning: could not clean $CUR_DIR on lab-$CUR_K"
  fi
  for k in $BOOTED; do
    say "stopping $k (booted by this run)"
    test/lab/stop.sh "$k" >/dev/null 2>&1 || true
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

mkdir -p build/bench
IFS=, read -r -a KLIST <<<"$KERNELS"
for K in "${KLIST[@]}"; do
  case $K in 6.1 | sid) ;; *) die "unknown lab kernel '$K' (6.1 or sid)" ;; esac
  MIN="bench/overhead/minimal-$K.bt"
  VERDICT="bench/overhead/verdict-$K.bt"
  PLAN="$(plan_for "$K")"
  [[ -f "$MIN" ]] || die "no $MIN"
  [[ -f "$VERDICT" ]] || die "no $VERDICT"
  [[ -n "$PLAN" && -f "$PLAN" ]] || die "no plan for $K in build/plans: node build/scripts/print-plans.js"
  CONFIGS=(none minimal verdict lockscope)
  declare -A PROG=([none]=- [minimal]="$MIN" [verdict]="$VERDICT" [lockscope]="$PLAN")
  for e in "${EXTRA[@]}"; do
    n=${e%%=*} f=${e#*=}
    f=${f//%k/$K}
    [[ "$n" =~ ^[a-z0-9_-]+$ ]] || die "--extra name '$n': use a-z 0-9 _ -"
    [[ -f "$f" ]] || die "--extra $n: no file $f"
    CONFIGS+=("$n")
    PROG[$n]=$f
  done

  if ! vm_running "$K"; then
    say "lab $K is not running: booting it with its clock counting instructions (LOCKSCOPE_LAB_ICOUNT=$ICOUNT; it is stopped again at the end)"
    # Debian's 6.1 hangs bringing up its second CPU with an instruction-counting clock: one CPU.
    cpus=2
    [[ "$K" != 6.1 || -z "$ICOUNT" ]] || cpus=1
    LOCKSCOPE_LAB_ICOUNT=$ICOUNT LOCKSCOPE_LAB_CPUS=$cpus test/lab/boot.sh "$K" >&2
    BOOTED="$BOOTED $K"
  fi
  CLOCK=real
  if [[ "$(vm_cmdline "$K")" == *"-icount shift="* ]]; then
    CLOCK=icount
  else
    say "warning: lab $K runs on the host's clock (booted without LOCKSCOPE_LAB_ICOUNT): every figure varies up to 2x from run to run; stop it (test/lab/stop.sh $K) and let this bench boot it"
  fi
  DIR="/tmp/lsov-$(hostname -s)-$$-$RANDOM"
  CUR_K=$K CUR_DIR=$DIR
  ssh -F "$SSHCFG" "lab-$K" "mkdir -p $DIR" </dev/null
  # each program under its config's name, so two configs may share a file name
  scp -q -F "$SSHCFG" build/bpf/linkstorm bench/overhead/guest-trial.sh "lab-$K:$DIR/"
  for c in "${CONFIGS[@]}"; do
    [[ ${PROG[$c]} == - ]] || scp -q -F "$SSHCFG" "${PROG[$c]}" "lab-$K:$DIR/$c.bt"
  done
  INFO=$(ssh -F "$SSHCFG" "lab-$K" 'echo "$(uname -r) $(bpftrace --version | sed "s/^bpftrace //")"' </dev/null)
  NCPU=$(ssh -F "$SSHCFG" "lab-$K" nproc </dev/null)
  say "lab $K: kernel ${INFO% *}, bpftrace ${INFO#* }; $ROUNDS rounds x ${#CONFIGS[@]} configs x ${DURATION}s of linkstorm --chain $CHAIN (guest dir $DIR)"

  RAW="build/bench/overhead-$K.runs.tsv"
  : >"$RAW"
  trial() { # ROUND CONFIG
    local r=$1 c=$2 out
    if out=$(timeout $((TRIAL_MAX + 60)) ssh -F "$SSHCFG" "lab-$K" \
      "timeout -k 10 $TRIAL_MAX bash $DIR/guest-trial.sh $DIR $c $c.bt $DURATION $CHAIN" </dev/null); then
      out=$(grep '^RESULT ' <<<"$out" | tail -n 1)
      say "  round $r $(printf '%-10s' "$c") ${out#RESULT config="$c" }"
      printf '%s\t%s\t%s\n' "$r" "$c" "${out#RESULT }" >>"$RAW"
    else
      say "  round $r $c: FAILED (left out of the medians)"
      printf '%s\t%s\t%s\n' "$r" "$c" "failed" >>"$RAW"
    fi
  }
  say "  warm-up: none, 2 s (not counted)"
  timeout 120 ssh -F "$SSHCFG" "lab-$K" "bash $DIR/guest-trial.sh $DIR none - 2 $CHAIN" </dev/null >/dev/null ||
    die "the workload does not run on lab-$K"
  n=${#CONFIGS[@]}
  for ((r = 1; r <= ROUNDS; r++)); do
    for ((i = 0; i < n; i++)); do
      trial "$r" "${CONFIGS[$(((i + r - 1) % n))]}"
    done
  done

  ssh -F "$SSHCFG" "lab-$K" "rm -rf $DIR" </dev/null || true
  CUR_K="" CUR_DIR=""
  progs=""
  for c in "${CONFIGS[@]}"; do progs+="$c=${PROG[$c]};"; done
  node bench/overhead/summarize.mjs "$RAW" "build/bench/overhead-$K.json" \
    "kernel=$K" "release=${INFO% *}" "bpftrace=${INFO#* }" "rounds=$ROUNDS" \
    "duration_s=$DURATION" "chain=$CHAIN" "clock=$CLOCK" "cpus=$NCPU" "programs=$progs"
  unset PROG
done
