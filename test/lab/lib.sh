# shellcheck shell=bash disable=SC2034 # (the LAB_* paths are used by the scripts that source this)
# Shared helpers for the Lockscope real-kernel lab (sourced by the scripts beside it).
# Nothing here is run on its own.

set -euo pipefail
set -E # let the ERR trap fire inside functions too

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_CACHE="${LOCKSCOPE_LAB_CACHE:-/var/cache/lockscope-lab}"
LAB_SCRIPT="$(basename "$0")"
LAB_KERNELS=(6.1 sid)

# Where things live in the cache.
LAB_APT="$LAB_CACHE/apt"           # private apt state, one dir per suite set
LAB_DEBS="$LAB_CACHE/debs"         # downloaded kernel .debs, one dir per kernel
LAB_KDIR="$LAB_CACHE/kernels"      # extracted kernels, one dir per kernel
LAB_ROOTFS="$LAB_CACHE/rootfs"     # debootstrap trees + rootfs cpio, one dir per distro
LAB_IMAGES="$LAB_CACHE/images"     # per kernel: modules.cpio, initrd.cpio
LAB_SSH="$LAB_CACHE/ssh"           # lab key pair, guest host key, ssh config
LAB_RUN="$LAB_CACHE/run"           # pid files, serial logs, ports

log() { printf '[lab %s %s] %s\n' "$(date +%H:%M:%S)" "$LAB_SCRIPT" "$*" >&2; }
warn() { printf '[lab %s %s] warning: %s\n' "$(date +%H:%M:%S)" "$LAB_SCRIPT" "$*" >&2; }
# die exits 3; the ERR trap stays quiet for 3, so a die inside $(...) prints one line only.
die() {
  printf '%s: error: %s\n' "$LAB_SCRIPT" "$*" >&2
  exit 3
}
# One line for anything unexpected that set -e would otherwise end silently.
lab_on_err() {
  local rc=$? line=$1 cmd=$2
  ((rc == 3)) && exit 3
  printf '%s: error: line %s: `%s` exited %s (rerun with bash -x for details)\n' \
    "$LAB_SCRIPT" "$line" "$cmd" "$rc" >&2
  exit "$rc"
}
trap 'lab_on_err "$LINENO" "$BASH_COMMAND"' ERR

need_root() {
  [[ "$(id -u)" == 0 ]] || die "must run as root (debootstrap, dpkg -x and cpio ownership need it): sudo $0 $*"
}

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' not found: run test/lab/install-host-tools.sh first"
  done
}

# Milliseconds since the epoch, and a "12.3 s" rendering of a difference.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
fmt_ms() { printf '%d.%01d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }

kernel_distro() {
  case "$1" in
    6.1) echo bookworm ;;
    sid) echo sid ;;
    *) die "unknown kernel '$1': use 6.1 or sid" ;;
  esac
}

default_port() {
  case "$1" in
    6.1) echo 10061 ;;
    sid) echo 10062 ;;
    *) die "unknown kernel '$1': use 6.1 or sid" ;;
  esac
}

check_kernel_arg() { kernel_distro "$1" >/dev/null; }

# Take an exclusive lock on the cache for steps that change it (fetch, build).
lab_lock() {
  mkdir -p "$LAB_CACHE"
  exec {LAB_LOCK_FD}>"$LAB_CACHE/.lock"
  if ! flock -n "$LAB_LOCK_FD"; then
    log "waiting for another lab step holding $LAB_CACHE/.lock"
    flock -w 3600 "$LAB_LOCK_FD" || die "could not lock $LAB_CACHE/.lock within an hour: is another lab script stuck?"
  fi
}

# Unmount everything below a directory (debootstrap leaves proc/sys/dev mounts behind when it
# fails), then remove it without crossing into another file system.
safe_rm_tree() {
  local dir=$1 m
  [[ -n "$dir" && "$dir" == "$LAB_CACHE"/* ]] || die "refusing to remove '$dir' (outside $LAB_CACHE)"
  [[ -e "$dir" || -L "$dir" ]] || return 0
  if [[ -d "$dir" && ! -L "$dir" ]]; then
    while read -r m; do
      [[ -n "$m" ]] || continue
      log "unmounting leftover mount $m"
      umount -l "$m" || die "could not unmount $m: unmount it by hand, then rerun"
    done < <(findmnt -rn -o TARGET | awk -v d="$(realpath "$dir")" 'index($0, d "/") == 1 || $0 == d' | sort -r)
  fi
  rm -rf --one-file-system "$dir"
}

# Private apt state for a suite set ("bookworm" or "sid"): the host's apt config is never touched.
apt_state_dir() { echo "$LAB_APT/$1"; }

apt_opts() {
  local d
  d="$(apt_state_dir "$1")"
  printf '%s\n' \
    -o "Dir::Etc::SourceList=$d/sources.list" \
    -o "Dir::Etc::SourceParts=/dev/null" \
    -o "Dir::Etc::Preferences=/dev/null" \
    -o "Dir::Etc::PreferencesParts=/dev/null" \
    -o "Dir::State::Lists=$d/lists" \
    -o "Dir::State::status=$d/status" \
    -o "Dir::Cache=$d/cache" \
    -o "Acquire::Languages=none" \
    -o "APT::Sandbox::User=root"
}

# papt_get SUITE ARGS...: apt-get on the private state, bounded by LOCKSCOPE_LAB_APT_TIMEOUT.
papt_get() {
  local suite=$1
  shift
  local -a o
  mapfile -t o < <(apt_opts "$suite")
  timeout "${LOCKSCOPE_LAB_APT_TIMEOUT:-900}" apt-get -q "${o[@]}" "$@"
}

papt_cache() {
  local suite=$1
  shift
  local -a o
  mapfile -t o < <(apt_opts "$suite")
  apt-cache "${o[@]}" "$@"
}

# Read KEY from a kernel.env-style file (sourcing it in a subshell).
env_get() {
  local file=$1 key=$2
  [[ -f "$file" ]] || return 1
  (
    set +u
    # shellcheck disable=SC1090
    source "$file"
    printf '%s' "${!key-}"
  )
}

kernel_env() { echo "$LAB_KDIR/$1/kernel.env"; }

# The guest's ssh command line for a kernel: ssh_cmd KERNEL PORT -> prints words, one a line.
lab_ssh_opts() {
  local port=$1
  printf '%s\n' -i "$LAB_SSH/labkey" -p "$port" \
    -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$LAB_SSH/known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR \
    -o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=4
}

# lab_ssh KERNEL CMD... : run CMD in the running guest of KERNEL.
lab_ssh() {
  local k=$1
  shift
  local port
  port="$(cat "$LAB_RUN/$k.port" 2>/dev/null || true)"
  [[ -n "$port" ]] || die "no running VM recorded for '$k': start it with test/lab/boot.sh $k"
  local -a o
  mapfile -t o < <(lab_ssh_opts "$port")
  ssh "${o[@]}" root@127.0.0.1 "$@"
}

# PID of the running QEMU for KERNEL, or nothing. Checks that the pid really is our QEMU.
vm_pid() {
  local k=$1 pidfile pid
  pidfile="$LAB_RUN/$k.pid"
  [[ -f "$pidfile" ]] || return 0
  pid="$(tr -dc '0-9' <"$pidfile")"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 0
  if tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pidfile"; then
    echo "$pid"
  fi
}

# Write $LAB_SSH/config with a Host entry per kernel (port from the running VM or the default),
# and $LAB_SSH/known_hosts with the guests' host key (the lab put it there: it is trusted, and
# strict host key checking stays on, as Lockscope's SSH target insists).
write_ssh_config() {
  local k port tmp pub
  mkdir -p "$LAB_SSH"
  pub="$(cut -d' ' -f1,2 "$LAB_SSH/ssh_host_ed25519_key.pub" 2>/dev/null || true)"
  tmp="$(mktemp "$LAB_SSH/.known_hosts.XXXXXX")"
  for k in "${LAB_KERNELS[@]}"; do
    port="$(cat "$LAB_RUN/$k.port" 2>/dev/null || default_port "$k")"
    [[ -z "$pub" ]] || echo "[127.0.0.1]:$port $pub"
  done >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$LAB_SSH/known_hosts"
  tmp="$(mktemp "$LAB_SSH/.config.XXXXXX")"
  {
    echo "# Lockscope lab guests (written by test/lab/boot.sh). Use: ssh -F $LAB_SSH/config lab-sid"
    for k in "${LAB_KERNELS[@]}"; do
      port="$(cat "$LAB_RUN/$k.port" 2>/dev/null || default_port "$k")"
      cat <<EOF
Host lab-$k
  HostName 127.0.0.1
  Port $port
  User root
  IdentityFile $LAB_SSH/labkey
  IdentitiesOnly yes
  StrictHostKeyChecking yes
  UserKnownHostsFile $LAB_SSH/known_hosts
  GlobalKnownHostsFile /dev/null
  LogLevel ERROR
  BatchMode yes
  ConnectTimeout 10
  ServerAliveInterval 15
  ServerAliveCountMax 4
EOF
    done
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$LAB_SSH/config"
}
