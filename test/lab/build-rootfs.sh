#!/usr/bin/env bash
# Build the lab's initramfs images: a debootstrap --variant=minbase root file system per
# distribution (bookworm for the 6.1 kernel: bpftrace 0.17; sid for the sid kernel: bpftrace
# 0.2x) with sshd and a small /init, packed as an uncompressed newc cpio, followed by a second
# cpio with the kernel's modules (virtio_net and its dependencies) under /lib/modules/RELEASE.
#
# Cache layout ($LOCKSCOPE_LAB_CACHE, default /var/cache/lockscope-lab):
#   ssh/labkey, ssh/labkey.pub          the lab key pair (root's authorized key in every guest)
#   ssh/ssh_host_ed25519_key{,.pub}     the guests' host key
#   rootfs/DISTRO/tree/                 the debootstrap tree (+ tree.env: package versions)
#   rootfs/DISTRO/rootfs.cpio           the packed tree with the lab's /init and sshd config
#   images/KERNEL/modules.cpio          the kernel's modules
#   images/KERNEL/initrd.cpio           rootfs.cpio + modules.cpio: what boot.sh passes to -initrd
#
# Usage: test/lab/build-rootfs.sh [6.1|sid ...]      (default: both)
#        (run test/lab/fetch-kernels.sh first)
# Env:   LOCKSCOPE_LAB_REBUILD=1            debootstrap again even if the tree is cached
#        LOCKSCOPE_LAB_DEBOOTSTRAP_TIMEOUT  seconds per debootstrap (default 1800)
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root "$@"
need_cmd debootstrap cpio ssh-keygen dpkg-query timeout flock findmnt sha256sum

KERNELS=("$@")
((${#KERNELS[@]})) || KERNELS=("${LAB_KERNELS[@]}")
for k in "${KERNELS[@]}"; do check_kernel_arg "$k"; done

MIRROR=http://deb.debian.org/debian
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
INCLUDE=bpftrace,openssh-server,iproute2,kmod,procps,util-linux,ca-certificates
DEBOOTSTRAP_TIMEOUT="${LOCKSCOPE_LAB_DEBOOTSTRAP_TIMEOUT:-1800}"
# Bump when the /init or the overlay changes in a way the inputs below do not capture.
ROOTFS_FORMAT=1

lab_lock

# ---------------------------------------------------------------------------------------------
ensure_keys() {
  mkdir -p "$LAB_SSH"
  chmod 0700 "$LAB_SSH"
  if [[ ! -f "$LAB_SSH/labkey" || ! -f "$LAB_SSH/labkey.pub" ]]; then
    log "generating the lab key pair $LAB_SSH/labkey"
    rm -f "$LAB_SSH/labkey" "$LAB_SSH/labkey.pub"
    ssh-keygen -q -t ed25519 -N '' -C lockscope-lab -f "$LAB_SSH/labkey"
  fi
  if [[ ! -f "$LAB_SSH/ssh_host_ed25519_key" || ! -f "$LAB_SSH/ssh_host_ed25519_key.pub" ]]; then
    log "generating the guests' host key $LAB_SSH/ssh_host_ed25519_key"
    rm -f "$LAB_SSH/ssh_host_ed25519_key" "$LAB_SSH/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C lockscope-lab-guest -f "$LAB_SSH/ssh_host_ed25519_key"
  fi
}

# ---------------------------------------------------------------------------------------------
# debootstrap DISTRO into rootfs/DISTRO/tree unless a tree built with the same inputs is cached.
ensure_tree() {
  local distro=$1 dir tree tmp want t0 dlog
  dir="$LAB_ROOTFS/$distro"
  tree="$dir/tree"
  want="suite=$distro variant=minbase include=$INCLUDE mirror=$MIRROR"
  mkdir -p "$dir"
  if [[ -d "$tree" && -f "$dir/tree.ok" && "$(cat "$dir/tree.ok")" == "$want" && "${LOCKSCOPE_LAB_REBUILD:-0}" != 1 ]]; then
    log "$distro: debootstrap tree cached in $tree (bpftrace $(env_get "$dir/tree.env" BPFTRACE))"
    return 0
  fi
  t0="$(now_ms)"
  tmp="$dir/.tree-tmp"
  safe_rm_tree "$tmp"
  rm -f "$dir/tree.ok"
  dlog="$dir/debootstrap.log"
  mkdir -p "$LAB_CACHE/debootstrap-debs/$distro"
  log "$distro: debootstrap --variant=minbase --include=$INCLUDE (a few minutes; log: $dlog)"
  if ! timeout "$DEBOOTSTRAP_TIMEOUT" debootstrap --variant=minbase --include="$INCLUDE" \
    --keyring="$KEYRING" --cache-dir="$LAB_CACHE/debootstrap-debs/$distro" \
    "$distro" "$tmp" "$MIRROR" >"$dlog" 2>&1; then
    if [[ -f "$tmp/debootstrap/debootstrap.log" ]]; then cp "$tmp/debootstrap/debootstrap.log" "$dlog.inner"; fi
    tail -n 5 "$dlog" >&2 || true
    safe_rm_tree "$tmp"
    die "$distro: debootstrap failed or timed out after ${DEBOOTSTRAP_TIMEOUT}s: see $dlog (and $dlog.inner)"
  fi
  safe_rm_tree_mounts_only "$tmp"

  log "$distro: pruning docs, man pages, locales and apt caches from the tree"
  rm -rf "${tmp:?}"/usr/share/doc/* "${tmp:?}"/usr/share/man/* "${tmp:?}"/usr/share/info/* \
    "${tmp:?}"/usr/share/locale/* "${tmp:?}"/var/cache/apt/*.bin "${tmp:?}"/var/cache/apt/archives/*.deb \
    "${tmp:?}"/var/lib/apt/lists/*_* "${tmp:?}"/var/log/*.log "${tmp:?}"/var/cache/debconf/*-old

  local bpft ssh_ver kmod_ver
  bpft="$(dpkg-query --admindir="$tmp/var/lib/dpkg" -W -f='${Version}' bpftrace 2>/dev/null || true)"
  ssh_ver="$(dpkg-query --admindir="$tmp/var/lib/dpkg" -W -f='${Version}' openssh-server 2>/dev/null || true)"
  kmod_ver="$(dpkg-query --admindir="$tmp/var/lib/dpkg" -W -f='${Version}' kmod 2>/dev/null || true)"
  [[ -n "$bpft" && -n "$ssh_ver" && -x "$tmp/usr/sbin/sshd" && -x "$tmp/usr/bin/bpftrace" ]] ||
    die "$distro: the debootstrap tree lacks bpftrace or sshd: see $dlog"
  {
    printf 'DISTRO=%q\n' "$distro"
    printf 'BPFTRACE=%q\n' "$bpft"
    printf 'OPENSSH=%q\n' "$ssh_ver"
    printf 'KMOD=%q\n' "$kmod_ver"
    printf 'BUILT_AT=%q\n' "$(date -u +%FT%TZ)"
    printf 'SIZE_MB=%q\n' "$(du -sm "$tmp" | cut -f1)"
  } >"$dir/tree.env"
  safe_rm_tree "$tree"
  mv "$tmp" "$tree"
  printf '%s' "$want" >"$dir/tree.ok"
  log "$distro: tree ready: bpftrace $bpft, openssh $ssh_ver, $(env_get "$dir/tree.env" SIZE_MB) MB ($(fmt_ms $(($(now_ms) - t0))))"
}

# Unmount whatever debootstrap left mounted below DIR (without removing anything).
safe_rm_tree_mounts_only() {
  local m
  while read -r m; do
    [[ -n "$m" ]] || continue
    log "unmounting leftover mount $m"
    umount -l "$m" || die "could not unmount $m: unmount it by hand, then rerun"
  done < <(findmnt -rn -o TARGET | awk -v d="$(realpath "$1")" 'index($0, d "/") == 1' | sort -r)
}

# ---------------------------------------------------------------------------------------------
# The guest's /init. Plain /bin/sh (dash): it is PID 1, reaps orphans while it waits on sshd.
write_init() {
  cat >"$1" <<'INIT'
#!/bin/sh
# Lockscope lab /init (written by test/lab/build-rootfs.sh). PID 1 of a QEMU guest that is
# reachable only by SSH through a loopback port forward. Messages go to the serial console.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
say() { echo "lab-init: $*"; }

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o mode=0755,nosuid devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run /tmp
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
mount -t bpf -o mode=0700 bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || true
chmod 1777 /tmp
# bpftrace 0.2x needs /dev/fd; devtmpfs does not provide these links.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
hostname lockscope-lab
ulimit -l unlimited
rel=$(uname -r)
say "kernel $rel, $(nproc) CPUs, $(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"

# virtio_net and its dependencies, in dependency order (built-ins are left out of the list).
order=/lib/modules/$rel/lab-modules.order
if [ -f "$order" ]; then
  while read -r m; do
    [ -n "$m" ] || continue
    name=$(basename "$m"); name=${name%%.ko*}
    if [ -d "/sys/module/$(echo "$name" | tr - _)" ]; then continue; fi
    insmod "/lib/modules/$rel/$m" || say "insmod $m failed"
  done < "$order"
else
  say "no $order: this initrd has no modules for $rel"
fi

# Static address on QEMU's user network (no DHCP, no route out: the guest has no network).
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -e /sys/class/net/eth0 ]; then
  ip addr add 10.0.2.15/24 dev eth0
  ip link set eth0 up
  say "eth0 up: 10.0.2.15/24"
else
  say "no eth0: is virtio_net loaded? (ls /sys/class/net: $(ls /sys/class/net))"
fi

mkdir -p /run/sshd
chmod 0755 /run/sshd
say "starting sshd"
echo "LAB-INIT-READY"
# PID 1 must never exit (the kernel would panic): keep sshd running; the shell reaps orphans.
while :; do
  /usr/sbin/sshd -D -e
  say "sshd exited ($?); restarting in 2 s"
  sleep 2
done
INIT
  chmod 0755 "$1"
}

write_sshd_conf() {
  cat >"$1" <<'CONF'
# Lockscope lab (written by test/lab/build-rootfs.sh): key-only root login, no PAM, no DNS.
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 64:30:128
MaxSessions 64
ClientAliveInterval 15
ClientAliveCountMax 4
CONF
}

# Put the lab's files into the tree (idempotent), then pack it unless an identical pack exists.
build_rootfs_cpio() {
  local distro=$1 dir tree over stamp want t0 tmp
  dir="$LAB_ROOTFS/$distro"
  tree="$dir/tree"
  over="$dir/overlay"
  rm -rf "$over"
  mkdir -p "$over/etc/ssh/sshd_config.d" "$over/root/.ssh"
  write_init "$over/init"
  write_sshd_conf "$over/etc/ssh/sshd_config.d/00-lockscope-lab.conf"
  cp "$LAB_SSH/labkey.pub" "$over/root/.ssh/authorized_keys"
  cp "$LAB_SSH/ssh_host_ed25519_key" "$LAB_SSH/ssh_host_ed25519_key.pub" "$over/etc/ssh/"
  echo lockscope-lab >"$over/etc/hostname"
  printf '127.0.0.1\tlocalhost\n127.0.1.1\tlockscope-lab\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$over/etc/hosts"

  want="$(
    {
      echo "format=$ROOTFS_FORMAT"
      cat "$dir/tree.ok" "$dir/tree.env"
      (cd "$over" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    } | sha256sum | cut -d' ' -f1
  )"
  stamp="$dir/rootfs.cpio.stamp"
  if [[ -f "$dir/rootfs.cpio" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$distro: rootfs.cpio up to date ($(du -m "$dir/rootfs.cpio" | cut -f1) MB)"
    return 0
  fi
  t0="$(now_ms)"
  log "$distro: installing /init, sshd config, lab key and host key into the tree"
  rm -f "$tree"/etc/ssh/ssh_host_*_key "$tree"/etc/ssh/ssh_host_*_key.pub
  cp -a "$over/." "$tree/"
  chown -R root:root "$tree/root" "$tree/etc/ssh"
  chmod 0700 "$tree/root" "$tree/root/.ssh"
  chmod 0600 "$tree/root/.ssh/authorized_keys" "$tree/etc/ssh/ssh_host_ed25519_key"
  chmod 0644 "$tree/etc/ssh/ssh_host_ed25519_key.pub"
  # Key-only login needs root's account to be unlocked ("*" = no password, not locked).
  sed -i -E 's/^root:![^:]*:/root:*:/' "$tree/etc/shadow"
  # The kernel needs /dev/console in the initramfs to give /init a console.
  if [[ ! -c "$tree/dev/console" ]]; then
    rm -f "$tree/dev/console"
    mknod -m 0600 "$tree/dev/console" c 5 1
  fi

  log "$distro: packing $dir/rootfs.cpio (newc, uncompressed)"
  tmp="$dir/.rootfs.cpio.tmp"
  (cd "$tree" && find . -xdev -print0 | LC_ALL=C sort -z |
    timeout 900 cpio --null -o -H newc --quiet) >"$tmp" || die "$distro: packing the cpio failed (disk full? see df -h $LAB_CACHE)"
  mv -f "$tmp" "$dir/rootfs.cpio"
  printf '%s' "$want" >"$stamp"
  log "$distro: rootfs.cpio $(du -m "$dir/rootfs.cpio" | cut -f1) MB ($(fmt_ms $(($(now_ms) - t0))))"
}

# modules.cpio for KERNEL and the concatenated initrd.cpio.
build_initrd() {
  local k=$1 distro env release kdir img stage prefix want stamp t0 tmp
  distro="$(kernel_distro "$k")"
  kdir="$LAB_KDIR/$k"
  env="$kdir/kernel.env"
  [[ -f "$env" && -f "$kdir/vmlinuz" ]] || die "$k: no kernel in $kdir: run test/lab/fetch-kernels.sh $k first"
  release="$(env_get "$env" KERNEL_RELEASE)"
  [[ -d "$kdir/modules/$release" ]] || die "$k: $kdir/modules/$release missing: rerun test/lab/fetch-kernels.sh $k"
  img="$LAB_IMAGES/$k"
  mkdir -p "$img"
  want="$(cat "$LAB_ROOTFS/$distro/rootfs.cpio.stamp" "$env" | sha256sum | cut -d' ' -f1)"
  stamp="$img/initrd.cpio.stamp"
  if [[ -f "$img/initrd.cpio" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$k: initrd.cpio up to date ($release on $distro, $(du -m "$img/initrd.cpio" | cut -f1) MB)"
    return 0
  fi
  t0="$(now_ms)"
  # Merged /usr (bookworm and sid): /lib is a link to usr/lib, and a cpio entry for "lib"
  # would be refused, so the modules go under usr/lib/modules, i.e. /lib/modules in the guest.
  prefix=lib
  if [[ -L "$LAB_ROOTFS/$distro/tree/lib" ]]; then prefix=usr/lib; fi
  stage="$img/.modstage"
  rm -rf "$stage"
  mkdir -p "$stage/$prefix/modules"
  cp -a "$kdir/modules/$release" "$stage/$prefix/modules/$release"
  # Also parent directory entries for the prefix, so the archive extracts on its own.
  log "$k: packing modules.cpio ($(env_get "$env" MODULES))"
  (cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) >"$img/.modules.cpio.tmp"
  mv -f "$img/.modules.cpio.tmp" "$img/modules.cpio"
  rm -rf "$stage"
  log "$k: writing initrd.cpio = rootfs-$distro cpio + modules cpio"
  tmp="$img/.initrd.cpio.tmp"
  cat "$LAB_ROOTFS/$distro/rootfs.cpio" "$img/modules.cpio" >"$tmp"
  mv -f "$tmp" "$img/initrd.cpio"
  {
    printf 'KERNEL=%q\n' "$k"
    printf 'DISTRO=%q\n' "$distro"
    printf 'KERNEL_RELEASE=%q\n' "$release"
    printf 'BPFTRACE=%q\n' "$(env_get "$LAB_ROOTFS/$distro/tree.env" BPFTRACE)"
    printf 'BUILT_AT=%q\n' "$(date -u +%FT%TZ)"
  } >"$img/image.env"
  printf '%s' "$want" >"$stamp"
  log "$k: initrd.cpio ready: $(du -m "$img/initrd.cpio" | cut -f1) MB ($(fmt_ms $(($(now_ms) - t0))))"
}

# ---------------------------------------------------------------------------------------------
ensure_keys
declare -A done_distro=()
for k in "${KERNELS[@]}"; do
  d="$(kernel_distro "$k")"
  if [[ -z "${done_distro[$d]-}" ]]; then
    ensure_tree "$d"
    build_rootfs_cpio "$d"
    done_distro[$d]=1
  fi
  build_initrd "$k"
done
for k in "${KERNELS[@]}"; do
  printf '%s\t%s\t%s\tbpftrace %s\n' "$k" "$(kernel_distro "$k")" "$LAB_IMAGES/$k/initrd.cpio" \
    "$(env_get "$LAB_IMAGES/$k/image.env" BPFTRACE)"
done
