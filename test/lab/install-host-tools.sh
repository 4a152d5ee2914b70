#!/usr/bin/env bash
# Install the Debian packages the lab scripts need on the host, only those that are missing.
# Usage: test/lab/install-host-tools.sh
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root "$@"
command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: these scripts need a Debian-based host"

# qemu-system-x86: the emulator (its Depends bring seabios and ipxe-qemu)
# debootstrap + debian-archive-keyring: root file systems for bookworm and sid
# cpio: the initramfs images; kmod: modinfo/depmod for the kernel modules
# xz-utils, zstd: decompressing .deb members and modules; openssh-client: ssh/ssh-keygen
# util-linux: flock, setsid, findmnt; iproute2: ss (free-port check); coreutils: timeout
# apt, dpkg: private apt state and dpkg -x; ca-certificates: https mirrors, if configured
PACKAGES=(
  qemu-system-x86 debootstrap debian-archive-keyring cpio kmod xz-utils zstd openssh-client
  util-linux iproute2 coreutils apt dpkg ca-certificates
)

missing=()
for p in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  log "all host tools present: ${PACKAGES[*]}"
  exit 0
fi

log "missing: ${missing[*]}"
log "apt-get update"
timeout 600 apt-get -q update || die "apt-get update failed: check the host's network access to the Debian mirror"
log "apt-get install ${missing[*]}"
DEBIAN_FRONTEND=noninteractive timeout 1200 apt-get -q -y install --no-install-recommends "${missing[@]}" ||
  die "apt-get install ${missing[*]} failed: see apt's messages above"
log "installed: ${missing[*]}"
