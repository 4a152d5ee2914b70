#!/usr/bin/env bash
# Builds the workload generator and the probe-miss reader as static x86-64 binaries:
#   bpf/workload/linkstorm.c -> build/bpf/linkstorm
#   bpf/workload/lsmiss.c    -> build/bpf/lockscope-misses
# Usage: bpf/workload/build.sh            (npm run build:workload)
#
# Needs gcc and a static glibc: the Debian packages `gcc` and `libc6-dev` (libc6-dev brings
# linux-libc-dev, whose <linux/io_uring.h> the program includes). When either is missing and
# this runs as root, it installs them with `apt-get install --no-install-recommends gcc
# libc6-dev`; otherwise it stops and says what to install. Nothing else is installed.
# The binaries use no liburing and nothing that glibc cannot link statically (no NSS, no dlopen),
# so it runs on any x86-64 Linux with io_uring; copy it to targets that have no compiler.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

say() { echo "[build:workload] $*"; }
die() { echo "build.sh: error: $*" >&2; exit 1; }

arch=$(uname -m)
[[ "$arch" == x86_64 ]] || die "this builds an x86-64 binary with the native gcc; this host is $arch"

need=()
command -v gcc >/dev/null 2>&1 || need+=(gcc)
# static glibc and the kernel's uapi headers
[[ -f /usr/lib/x86_64-linux-gnu/libc.a && -f /usr/include/linux/io_uring.h ]] || need+=(libc6-dev)
if [[ ${#need[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; } ||
      die "apt-get install ${need[*]} failed"
  else
    die "missing ${need[*]}: run 'apt-get install gcc libc6-dev' as root"
  fi
fi

mkdir -p build/bpf
flags=(-std=c11 -O2 -Wall -Wextra -Werror -static -pthread -s)

# build SOURCE OUT: compile one program, check it is clean and static, then move it into place.
build() {
  local src=$1 out=$2 tmp
  tmp=$(mktemp "build/bpf/.$(basename "$out").XXXXXX")
  trap 'rm -f "$tmp" "$tmp.log"' EXIT
  say "gcc ${flags[*]} -o $out $src"
  gcc "${flags[@]}" -o "$tmp" "$src" 2>"$tmp.log" || { cat "$tmp.log" >&2; die "compile of $src failed"; }
  # glibc warns at link time about functions that need shared libraries at run time: none allowed.
  if [[ -s "$tmp.log" ]]; then
    cat "$tmp.log" >&2
    die "the compiler or linker warned (see above): $out must build clean and static"
  fi
  rm -f "$tmp.log"
  if command -v readelf >/dev/null 2>&1 && readelf -l "$tmp" | grep -q 'Requesting program interpreter'; then
    die "$out is not static (it asks for a program interpreter)"
  fi
  chmod 755 "$tmp"
  mv -f "$tmp" "$out"
  trap - EXIT
  say "built $out ($(stat -c %s "$out") bytes, static x86-64)"
}

build bpf/workload/linkstorm.c build/bpf/linkstorm
build bpf/workload/lsmiss.c build/bpf/lockscope-misses
