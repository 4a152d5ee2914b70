#!/usr/bin/env bash
# End to end on real kernels, through the real SSH path: for each lab kernel, boot it, run
# `lockscope trace` with the linkstorm workload, then `lockscope analyze --json`, and check what
# the kernel's own code says must come out (test/lab/check-e2e.mjs):
#   6.1 (unpatched, io_wq_put_work): NOT_HELD walks and no HELD ones, the kernel's totals say
#       no walk took the lock;
#   sid (patched, io_wq_free_work):  HELD walks and no NOT_HELD ones, the kernel's totals say
#       every walk took it;
#   sid with --mechanism fentry: no NOT_HELD walk (fentry on mutex_lock misses hits; the misses
#       must make walks UNKNOWN), skipped with LOCKSCOPE_E2E_FENTRY=0;
#   all: at least LOCKSCOPE_E2E_MIN_WALKS (default 1000) walks, every UNKNOWN with its cause, and
#       the capture complete.
#
# Usage: test/lab/e2e.sh [6.1|sid ...]     (default: both)      needs root; npm run build and
#        npm run build:workload first (.ci/run does both)
# Env:   LOCKSCOPE_E2E_DURATION  trace duration (default 20s)
#        LOCKSCOPE_E2E_WORKLOAD  the workload (default linkstorm:chain=4,inflight=2)
#        LOCKSCOPE_E2E_OUT       where captures and reports go (default build/lab-e2e)
#        LOCKSCOPE_LAB_SMOKE_PREPARE=0  skip preparing the lab (tools, kernels, images; cached)
# A guest this script boots is stopped on exit; one already running is used and left running.
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root "$@"
KERNELS=("$@")
((${#KERNELS[@]})) || KERNELS=("${LAB_KERNELS[@]}")
for k in "${KERNELS[@]}"; do check_kernel_arg "$k"; done
ROOT="$(cd "$LAB_DIR/../.." && pwd)"
OUT="${LOCKSCOPE_E2E_OUT:-$ROOT/build/lab-e2e}"
DURATION="${LOCKSCOPE_E2E_DURATION:-20s}"
# Two chains in flight: software emulation prints a few hundred bpftrace lines per second, and a
# session ends only once bpftrace has printed everything it holds.
WORKLOAD="${LOCKSCOPE_E2E_WORKLOAD:-linkstorm:chain=4,inflight=2}"
[[ -x "$ROOT/build/bpf/linkstorm" && -x "$ROOT/build/bpf/lockscope-misses" ]] || die "run npm run build:workload first"
[[ -f "$ROOT/build/main/node/cli.js" ]] || die "run npm run build first"
mkdir -p "$OUT"

STARTED=()
cleanup() {
  local k
  for k in "${STARTED[@]}"; do
    if [[ -n "$(vm_pid "$k")" ]]; then "$LAB_DIR/stop.sh" "$k" || true; fi
  done
}
trap cleanup EXIT

if [[ "${LOCKSCOPE_LAB_SMOKE_PREPARE:-1}" != 0 ]]; then
  "$LAB_DIR/install-host-tools.sh" || die "install-host-tools.sh failed (see above)"
  "$LAB_DIR/fetch-kernels.sh" "${KERNELS[@]}" || die "fetch-kernels.sh failed (see above)"
  "$LAB_DIR/build-rootfs.sh" "${KERNELS[@]}" || die "build-rootfs.sh failed (see above)"
fi

FAILED=0
for k in "${KERNELS[@]}"; do
  if [[ -z "$(vm_pid "$k")" ]]; then
    "$LAB_DIR/boot.sh" "$k"
    STARTED+=("$k")
  fi
  runs=("$k")
  # The fentry plan where the guest's bpftrace has it: fentry on mutex_lock misses hits, and
  # those misses must make walks UNKNOWN, never NOT_HELD.
  [[ "$k" == sid && "${LOCKSCOPE_E2E_FENTRY:-1}" != 0 ]] && runs+=("sid-fentry")
  for run in "${runs[@]}"; do
    cap="$OUT/lab-$run.lscap"
    rm -f "$cap"
    extra=()
    [[ "$run" == *-fentry ]] && extra=(--mechanism fentry)
    log "trace lab-$k ($run) for $DURATION with $WORKLOAD"
    rc=0
    timeout -k 10 1200 node "$ROOT/bin/lockscope.js" trace --target "lab-$k" --ssh-config "$LAB_SSH/config" "${extra[@]}" \
      --duration "$DURATION" --workload "$WORKLOAD" -o "$cap" >"$OUT/lab-$run.trace.txt" 2>"$OUT/lab-$run.trace.err" || rc=$?
    grep '^lockscope:' "$OUT/lab-$run.trace.err" | grep -v 'debug:' >&2 || true
    log "trace exit $rc; summary: $OUT/lab-$run.trace.txt"
    arc=0
    node "$ROOT/bin/lockscope.js" analyze --json "$cap" >"$OUT/lab-$run.json" || arc=$?
    if node "$LAB_DIR/check-e2e.mjs" "$run" "$OUT/lab-$run.json" "$rc" "$arc"; then
      log "lab-$run: PASS"
    else
      log "lab-$run: FAIL"
      FAILED=$((FAILED + 1))
    fi
  done
  if [[ " ${STARTED[*]} " == *" $k "* ]]; then "$LAB_DIR/stop.sh" "$k" || true; fi
done
((FAILED == 0)) || die "$FAILED lab kernel(s) failed the end-to-end check"
log "end to end: all passed"
