#!/usr/bin/env bash
# Stop a lab VM started by boot.sh.
# Usage: test/lab/stop.sh KERNEL...     KERNEL: 6.1 | sid | all
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || die "usage: $0 KERNEL(6.1|sid|all)..."
KS=()
for a in "$@"; do
  if [[ "$a" == all ]]; then KS+=("${LAB_KERNELS[@]}"); else check_kernel_arg "$a" && KS+=("$a"); fi
done
need_root "$@"

for k in "${KS[@]}"; do
  pid="$(vm_pid "$k")"
  if [[ -z "$pid" ]]; then
    log "$k: not running"
  else
    log "$k: stopping QEMU pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$k: QEMU pid $pid ignored SIGTERM for 15 s: sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    kill -0 "$pid" 2>/dev/null && die "$k: QEMU pid $pid is still alive: kill it by hand (kill -9 $pid)"
    log "$k: stopped (serial console kept in $LAB_RUN/$k.serial.log)"
  fi
  rm -f "$LAB_RUN/$k.pid" "$LAB_RUN/$k.port" "$LAB_RUN/$k.timeout.pid"
done
