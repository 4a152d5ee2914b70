#!/usr/bin/env bash
# Smoke test of the real-kernel lab: prepare (install tools, fetch kernels, build images; all
# cached), then for each kernel boot it, check over SSH what Lockscope relies on, and stop it.
#
# Per kernel it prints: uname -r, bpftrace --version, whether /sys/kernel/btf/vmlinux exists,
# the io_uring/mutex symbols in /proc/kallsyms, and the result of a 2-second
# `bpftrace -e 'kprobe:io_wq_free_work { @ = count(); } interval:s:2 { exit(); }'`
# (0 hits is fine without a workload), with the time each step took.
#
# Usage: test/lab/smoke.sh [6.1|sid ...]       (default: both, one after the other)
# Env:   LOCKSCOPE_LAB_SMOKE_PREPARE=0  skip install-host-tools/fetch-kernels/build-rootfs
#        plus those of boot.sh, fetch-kernels.sh and build-rootfs.sh
# A VM of the same kernel that is already running is stopped first: the test boots afresh.
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root "$@"
KERNELS=("$@")
((${#KERNELS[@]})) || KERNELS=("${LAB_KERNELS[@]}")
for k in "${KERNELS[@]}"; do check_kernel_arg "$k"; done

SYMS='io_wq_free_work|io_wq_put_work|io_req_find_next|mutex_lock|mutex_lock_nested|mutex_unlock|mutex_trylock'
BPF_PROG='kprobe:io_wq_free_work { @ = count(); } interval:s:2 { exit(); }'

TIMES=()     # "step<TAB>ms<TAB>status"
STARTED=()   # kernels this script booted (stopped on exit)
PASSED=0
FAILED=0

cleanup() {
  local k
  for k in "${STARTED[@]}"; do
    if [[ -n "$(vm_pid "$k")" ]]; then "$LAB_DIR/stop.sh" "$k" || true; fi
  done
}
trap cleanup EXIT

# timed NAME CMD... : run CMD, record how long it took; returns CMD's status.
timed() {
  local name=$1 t0 rc=0 ms
  shift
  t0="$(now_ms)"
  "$@" || rc=$?
  ms=$(($(now_ms) - t0))
  TIMES+=("$name"$'\t'"$ms"$'\t'"$([[ $rc == 0 ]] && echo ok || echo "FAILED ($rc)")")
  log "step '$name': $(fmt_ms "$ms")$([[ $rc == 0 ]] || echo ", FAILED with status $rc")"
  return "$rc"
}

# rsh KERNEL SECONDS CMD : run CMD in the guest, bounded on both ends.
rsh() {
  local k=$1 t=$2 port
  shift 2
  port="$(cat "$LAB_RUN/$k.port")"
  local -a o
  mapfile -t o < <(lab_ssh_opts "$port")
  timeout -k 5 "$((t + 15))" ssh "${o[@]}" root@127.0.0.1 "timeout -k 5 $t sh -c $(printf '%q' "$*")" </dev/null
}

declare -A OUT=()
# capture KEY KERNEL SECONDS CMD : run CMD in the guest, keep its output in OUT[KEY], show it.
capture() {
  local key=$1 k=$2 t=$3 out rc=0
  shift 3
  out="$(rsh "$k" "$t" "$*" 2>&1)" || rc=$?
  OUT[$key]="$out"
  printf '%s\n' "$out" | sed "s/^/    [$k] /" >&2
  return "$rc"
}

fail() {
  printf 'smoke.sh: FAIL: %s\n' "$*" >&2
  return 1
}

smoke_kernel() {
  local k=$1 env release want_bpf
  env="$(kernel_env "$k")"
  release="$(env_get "$env" KERNEL_RELEASE)"
  want_bpf="$(env_get "$LAB_IMAGES/$k/image.env" BPFTRACE)"
  log "===== $k: $release, bpftrace $want_bpf ====="
  if [[ -n "$(vm_pid "$k")" ]]; then
    log "$k: a VM is already running: stopping it so the boot is measured afresh"
    "$LAB_DIR/stop.sh" "$k"
  fi
  STARTED+=("$k")
  timed "$k: boot to SSH" "$LAB_DIR/boot.sh" "$k" || return 1

  timed "$k: uname -r" capture uname "$k" 60 'uname -r' || return 1
  [[ "${OUT[uname]}" == "$release" ]] || fail "$k: guest runs '${OUT[uname]}', expected '$release'" || return 1

  timed "$k: bpftrace --version" capture bpfver "$k" 60 'bpftrace --version' || return 1
  [[ "${OUT[bpfver]}" == "bpftrace v${want_bpf%%-*}"* ]] ||
    fail "$k: bpftrace says '${OUT[bpfver]}', expected v${want_bpf%%-*}" || return 1

  timed "$k: BTF check" capture btf "$k" 60 \
    'if [ -e /sys/kernel/btf/vmlinux ]; then echo "/sys/kernel/btf/vmlinux: yes ($(wc -c </sys/kernel/btf/vmlinux) bytes)"; else echo "/sys/kernel/btf/vmlinux: no"; fi' || return 1
  [[ "${OUT[btf]}" == *": yes"* ]] || fail "$k: no /sys/kernel/btf/vmlinux" || return 1

  timed "$k: kallsyms grep" capture syms "$k" 60 "grep -E ' ($SYMS)\$' /proc/kallsyms || true" || return 1
  local s found=() missing=()
  for s in ${SYMS//|/ }; do
    if grep -qE " $s\$" <<<"${OUT[syms]}"; then found+=("$s"); else missing+=("$s"); fi
  done
  OUT[found]="${found[*]}"
  OUT[missing]="${missing[*]}"
  log "$k: symbols found: ${found[*]:-none}; absent: ${missing[*]:-none}"
  grep -qE ' io_wq_free_work$' <<<"${OUT[syms]}" || fail "$k: io_wq_free_work not in /proc/kallsyms" || return 1
  grep -qE ' mutex_lock$' <<<"${OUT[syms]}" || fail "$k: mutex_lock not in /proc/kallsyms" || return 1

  timed "$k: bpftrace 2 s kprobe run" capture bpf "$k" 90 "bpftrace -e $(printf '%q' "$BPF_PROG")" ||
    fail "$k: bpftrace failed: ${OUT[bpf]}" || return 1
  grep -qE '^Attach(ing|ed) 2 probes' <<<"${OUT[bpf]}" || fail "$k: bpftrace did not attach its 2 probes" || return 1
  OUT[count]="$(sed -nE 's/^@: ([0-9]+)$/\1/p' <<<"${OUT[bpf]}")"
  OUT[count]="${OUT[count]:-0}"

  timed "$k: stop" "$LAB_DIR/stop.sh" "$k" || return 1
  SUMMARY+=("$k"$'\t'"$release"$'\t'"${OUT[bpfver]}"$'\t'"${OUT[btf]#*: }"$'\t'"${OUT[found]}"$'\t'"${OUT[missing]:--}"$'\t'"${OUT[count]}")
}

SUMMARY=()
T_ALL="$(now_ms)"
if [[ "${LOCKSCOPE_LAB_SMOKE_PREPARE:-1}" != 0 ]]; then
  timed "install-host-tools" "$LAB_DIR/install-host-tools.sh" || die "install-host-tools.sh failed (see above)"
  timed "fetch-kernels" "$LAB_DIR/fetch-kernels.sh" "${KERNELS[@]}" || die "fetch-kernels.sh failed (see above)"
  timed "build-rootfs" "$LAB_DIR/build-rootfs.sh" "${KERNELS[@]}" || die "build-rootfs.sh failed (see above)"
fi

for k in "${KERNELS[@]}"; do
  if smoke_kernel "$k"; then
    PASSED=$((PASSED + 1))
  else
    FAILED=$((FAILED + 1))
    log "$k: smoke FAILED (serial console: $LAB_RUN/$k.serial.log)"
    "$LAB_DIR/stop.sh" "$k" || true
  fi
done

echo
echo "== step timings =="
for t in "${TIMES[@]}"; do
  IFS=$'\t' read -r name ms st <<<"$t"
  printf '  %-34s %10s  %s\n' "$name" "$(fmt_ms "$ms")" "$st"
done
printf '  %-34s %10s\n' "total" "$(fmt_ms $(($(now_ms) - T_ALL)))"
echo
echo "== kernels =="
for s in "${SUMMARY[@]}"; do
  IFS=$'\t' read -r k rel bv btf found missing count <<<"$s"
  printf '  %s: %s | %s | BTF %s\n' "$k" "$rel" "$bv" "$btf"
  printf '      kallsyms: %s (absent: %s)\n' "$found" "$missing"
  printf '      kprobe:io_wq_free_work hits in 2 s: %s\n' "$count"
done
echo
echo "smoke: $PASSED passed, $FAILED failed"
((FAILED == 0))
