#!/usr/bin/env bash
# Boot a lab kernel under QEMU (software emulation, single-threaded TCG) and wait until its
# sshd answers through the loopback port forward. The VM keeps running; stop it with stop.sh.
#
# Usage: test/lab/boot.sh KERNEL [PORT]     KERNEL: 6.1 | sid; PORT default 10061 / 10062
#   then: ssh -F "${LOCKSCOPE_LAB_CACHE:-/var/cache/lockscope-lab}/ssh/config" lab-KERNEL CMD
#     or: test/lab/ssh.sh KERNEL CMD
# Env:   LOCKSCOPE_LAB_BOOT_TIMEOUT  seconds to wait for SSH (default 600)
#        LOCKSCOPE_LAB_VM_LIFETIME   QEMU runs under `timeout` this long at most (default 7200)
#        LOCKSCOPE_LAB_MEM           guest memory (default 3G)
#        LOCKSCOPE_LAB_ICOUNT        N: the guest's clock counts instructions, 2^N ns each
#                                    (QEMU -icount shift=N,sleep=on; unset: real time). For the
#                                    overhead bench: what a busy program costs becomes
#                                    instructions run, the same from run to run, not host time
#                                    that varies 2x. (sleep=on: an idle guest's clock runs at
#                                    the host's pace; with sleep=off it jumps ahead, and SSH
#                                    connections to a one-CPU guest failed half the time.)
#                                    (Debian's 6.1 hangs bringing up its second CPU under it:
#                                    give it LOCKSCOPE_LAB_CPUS=1.)
#        LOCKSCOPE_LAB_CPUS          guest CPUs (default 2)
#
# The guest has no network: QEMU user networking with restrict=on, and the only way in is the
# forward 127.0.0.1:PORT -> guest port 22. The serial console goes to run/KERNEL.serial.log.
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 && $# -le 2 ]] || die "usage: $0 KERNEL(6.1|sid) [PORT]"
K=$1
check_kernel_arg "$K"
PORT="${2:-$(default_port "$K")}"
[[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT >= 1024 && PORT <= 65535)) || die "PORT must be a number from 1024 to 65535, not '$PORT'"
need_root "$@"
need_cmd qemu-system-x86_64 ssh timeout setsid ss

BOOT_TIMEOUT="${LOCKSCOPE_LAB_BOOT_TIMEOUT:-600}"
LIFETIME="${LOCKSCOPE_LAB_VM_LIFETIME:-7200}"
MEM="${LOCKSCOPE_LAB_MEM:-3G}"
ICOUNT="${LOCKSCOPE_LAB_ICOUNT:-}"
CPUS="${LOCKSCOPE_LAB_CPUS:-2}"
[[ "$CPUS" =~ ^[1-8]$ ]] || die "LOCKSCOPE_LAB_CPUS must be from 1 to 8, not '$CPUS'"
[[ -z "$ICOUNT" || "$ICOUNT" =~ ^[0-9]$ ]] || die "LOCKSCOPE_LAB_ICOUNT must be a shift from 0 to 9 (ns per instruction = 2^N), not '$ICOUNT'"

KDIR="$LAB_KDIR/$K"
VMLINUZ="$KDIR/vmlinuz"
INITRD="$LAB_IMAGES/$K/initrd.cpio"
[[ -f "$VMLINUZ" ]] || die "no kernel for '$K' in $KDIR: run test/lab/fetch-kernels.sh $K first"
[[ -f "$INITRD" ]] || die "no initrd for '$K' at $INITRD: run test/lab/build-rootfs.sh $K first"
[[ -f "$LAB_SSH/labkey" ]] || die "no lab key at $LAB_SSH/labkey: run test/lab/build-rootfs.sh $K first"
[[ "$LAB_CACHE" != *,* ]] || die "LOCKSCOPE_LAB_CACHE must not contain a comma (QEMU option syntax): $LAB_CACHE"
RELEASE="$(env_get "$KDIR/kernel.env" KERNEL_RELEASE)"

mkdir -p "$LAB_RUN"
PIDFILE="$LAB_RUN/$K.pid"
SERIAL="$LAB_RUN/$K.serial.log"
QEMULOG="$LAB_RUN/$K.qemu.log"

ssh_ready() {
  local -a o
  mapfile -t o < <(lab_ssh_opts "$1")
  timeout 30 ssh "${o[@]}" -o ConnectTimeout=5 root@127.0.0.1 true </dev/null >/dev/null 2>&1
}

# Already running? Then only make sure it answers.
T0="$(now_ms)"
pid="$(vm_pid "$K")"
if [[ -n "$pid" ]]; then
  oldport="$(cat "$LAB_RUN/$K.port" 2>/dev/null || true)"
  if [[ -n "${2-}" && "$oldport" != "$PORT" ]]; then
    die "$K is already running (pid $pid) on port $oldport: stop it first (test/lab/stop.sh $K)"
  fi
  PORT="$oldport"
  ALREADY=1
  log "$K already running (QEMU pid $pid, port $PORT): checking SSH"
else
  ALREADY=0
  rm -f "$PIDFILE"
  if [[ -n "$(ss -Htln "sport = :$PORT")" ]]; then
    die "port $PORT is already in use on this host: pass another PORT (test/lab/boot.sh $K PORT)"
  fi
  if [[ -f "$SERIAL" ]]; then mv -f "$SERIAL" "$SERIAL.prev"; fi
  QEMU=(
    qemu-system-x86_64
    -name "lockscope-lab-$K"
    -accel "tcg,thread=single" -cpu max -smp "$CPUS" -m "$MEM"
    -display none -monitor none -no-reboot
    -kernel "$VMLINUZ" -initrd "$INITRD"
    -append "console=ttyS0 rdinit=/init panic=-1"
    -netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$PORT-:22"
    -device "virtio-net-pci,netdev=n0,romfile="
    -serial "file:$SERIAL"
    -pidfile "$PIDFILE"
  )
  [[ -z "$ICOUNT" ]] || QEMU+=(-icount "shift=$ICOUNT,sleep=on")
  log "booting $K ($RELEASE) on 127.0.0.1:$PORT: ${QEMU[*]}"
  log "serial console: $SERIAL"
  echo "$PORT" >"$LAB_RUN/$K.port"
  setsid timeout -k 10 "$LIFETIME" "${QEMU[@]}" </dev/null >"$QEMULOG" 2>&1 &
  wrapper=$!
  echo "$wrapper" >"$LAB_RUN/$K.timeout.pid"
  # QEMU writes its pid file once it has parsed its options and opened its files.
  for _ in $(seq 1 100); do
    pid="$(vm_pid "$K")"
    [[ -z "$pid" ]] || break
    if ! kill -0 "$wrapper" 2>/dev/null; then
      rm -f "$LAB_RUN/$K.port"
      die "QEMU exited at once: $(tail -n 3 "$QEMULOG" | tr '\n' ' ')(full output: $QEMULOG)"
    fi
    sleep 0.1
  done
  [[ -n "$pid" ]] || die "QEMU wrote no pid file $PIDFILE within 10 s: see $QEMULOG"
fi
write_ssh_config

deadline=$(($(date +%s) + BOOT_TIMEOUT))
log "waiting for SSH on 127.0.0.1:$PORT (at most ${BOOT_TIMEOUT}s)"
until ssh_ready "$PORT"; do
  if [[ -z "$(vm_pid "$K")" ]]; then
    tail -n 15 "$SERIAL" >&2 || true
    rm -f "$LAB_RUN/$K.port"
    die "the $K VM exited during boot: see $SERIAL and $QEMULOG"
  fi
  if (($(date +%s) >= deadline)); then
    tail -n 15 "$SERIAL" >&2 || true
    die "no SSH on 127.0.0.1:$PORT after ${BOOT_TIMEOUT}s (VM left running: test/lab/stop.sh $K; console: $SERIAL)"
  fi
  sleep 1
done
ELAPSED=$(($(now_ms) - T0))
if ((ALREADY)); then
  log "$K was already up: SSH answers (QEMU pid $(vm_pid "$K"), port $PORT)"
else
  log "$K is up: SSH ready $(fmt_ms "$ELAPSED") after QEMU start (QEMU pid $(vm_pid "$K"), port $PORT)"
  echo "$ELAPSED" >"$LAB_RUN/$K.boot-ms"
fi
log "use: ssh -F $LAB_SSH/config lab-$K   or   test/lab/ssh.sh $K CMD   (stop: test/lab/stop.sh $K)"
