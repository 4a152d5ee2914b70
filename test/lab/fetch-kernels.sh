#!/usr/bin/env bash
# Fetch the lab's two real Debian kernels into the cache:
#   6.1  Debian bookworm's current kernel (bookworm + bookworm-updates + bookworm-security),
#        the unpatched 6.1.19x with the io_wq_put_work shape
#   sid  Debian sid's current kernel (7.x, with the uring_lock fix)
# Versions are resolved by name at run time from the linux-image-amd64 meta package, using a
# private apt state dir per suite set under $LOCKSCOPE_LAB_CACHE/apt (the host's apt config and
# lists are never touched). Leaves per kernel, in $LOCKSCOPE_LAB_CACHE/kernels/KERNEL/:
#   vmlinuz, config, System.map (if the package has a real one), kernel.env,
#   modules/RELEASE/ with virtio_net and its dependencies (.ko / .ko.xz), modules.* from depmod,
#   and lab-modules.order (insmod order, dependencies first).
#
# Usage: test/lab/fetch-kernels.sh [6.1|sid ...]      (default: both)
# Env:   LOCKSCOPE_LAB_CACHE          cache dir (default /var/cache/lockscope-lab)
#        LOCKSCOPE_LAB_REFRESH=1      refresh the package lists now (default: when older than
#                                     LOCKSCOPE_LAB_APT_MAX_AGE seconds, 21600)
#        LOCKSCOPE_LAB_MODULES        modules to ship (default "virtio_pci virtio_net"; built-in
#                                     ones are skipped, dependencies added)
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_root "$@"
need_cmd apt-get apt-cache dpkg-deb modinfo depmod sha256sum timeout flock findmnt

KERNELS=("$@")
((${#KERNELS[@]})) || KERNELS=("${LAB_KERNELS[@]}")
for k in "${KERNELS[@]}"; do check_kernel_arg "$k"; done

MAX_AGE="${LOCKSCOPE_LAB_APT_MAX_AGE:-21600}"
# virtio_pci is the transport (built into sid's kernel, a module on bookworm's 6.1).
WANT_MODULES="${LOCKSCOPE_LAB_MODULES:-virtio_pci virtio_net}"
# Bump when the layout of kernels/KERNEL changes, so older extractions are redone.
KERNEL_FORMAT=1
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
MIRROR=http://deb.debian.org/debian
SEC_MIRROR=http://deb.debian.org/debian-security
[[ -r "$KEYRING" ]] || die "$KEYRING missing: run test/lab/install-host-tools.sh (debian-archive-keyring)"

lab_lock

sources_for() {
  local opt="[arch=amd64 signed-by=$KEYRING]"
  case "$1" in
    bookworm)
      echo "deb $opt $MIRROR bookworm main"
      echo "deb $opt $MIRROR bookworm-updates main"
      echo "deb $opt $SEC_MIRROR bookworm-security main"
      ;;
    sid) echo "deb $opt $MIRROR sid main" ;;
  esac
}

# Make the private apt state for SUITE and refresh its lists when stale. Returns 1 (after a
# warning) if the refresh failed but older lists exist; dies if there are no lists at all.
apt_refresh() {
  local suite=$1 d want stamp age
  d="$(apt_state_dir "$suite")"
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  [[ -f "$d/status" ]] || : >"$d/status"
  want="$(sources_for "$suite")"
  if [[ ! -f "$d/sources.list" || "$(cat "$d/sources.list")" != "$want" ]]; then
    printf '%s\n' "$want" >"$d/sources.list"
    rm -f "$d/updated"
  fi
  stamp="$d/updated"
  if [[ -f "$stamp" && "${LOCKSCOPE_LAB_REFRESH:-0}" != 1 ]]; then
    age=$(($(date +%s) - $(stat -c %Y "$stamp")))
    if ((age < MAX_AGE)); then
      log "$suite: package lists are ${age}s old (refresh after ${MAX_AGE}s or with LOCKSCOPE_LAB_REFRESH=1)"
      return 0
    fi
  fi
  log "$suite: apt-get update (private state in $d)"
  if papt_get "$suite" update >"$d/update.log" 2>&1 && ! grep -qE '^(E: |W: (Failed to fetch|Some index files failed))' "$d/update.log"; then
    touch "$stamp"
    return 0
  fi
  if [[ -f "$stamp" ]]; then
    warn "$suite: apt-get update failed (see $d/update.log); using the lists from $(date -r "$stamp" '+%F %T')"
    return 0
  fi
  die "$suite: apt-get update failed and no older lists are cached: see $d/update.log (network to the Debian mirror?)"
}

# candidate VERSION of PACKAGE in SUITE's private state
candidate() {
  papt_cache "$1" policy "$2" 2>/dev/null | awk '/^  Candidate:/ {print $2}'
}

# A field of "PACKAGE=VERSION" from apt-cache show
pkg_field() {
  papt_cache "$1" show "$2=$3" 2>/dev/null | awk -v f="$4:" '$1 == f {sub(/^[^:]*: /, ""); print; exit}'
}

# deb file of PACKAGE VERSION in DIR, downloaded and checked against the archive's SHA256.
fetch_deb() {
  local suite=$1 pkg=$2 ver=$3 dir=$4 sha file
  sha="$(pkg_field "$suite" "$pkg" "$ver" SHA256)"
  [[ -n "$sha" ]] || die "$suite: no SHA256 for $pkg=$ver in the package lists: rerun with LOCKSCOPE_LAB_REFRESH=1"
  file="$dir/${pkg}_${ver#*:}_amd64.deb"
  if [[ -f "$file" ]] && echo "$sha  $file" | sha256sum -c --status; then
    log "$suite: $pkg=$ver already downloaded"
    echo "$file"
    return 0
  fi
  rm -f "$file"
  log "$suite: apt-get download $pkg=$ver"
  (cd "$dir" && papt_get "$suite" download "$pkg=$ver" >"$dir/download.log" 2>&1) ||
    die "$suite: apt-get download $pkg=$ver failed: see $dir/download.log"
  [[ -f "$file" ]] || die "$suite: apt-get download did not leave $file: see $dir/download.log"
  echo "$sha  $file" | sha256sum -c --status || die "$suite: $file does not match the archive's SHA256: delete it and rerun"
  echo "$file"
}

# Module closure: print the relative paths of WANT_MODULES and their dependencies, deps first.
# Args: MODDIR (the kernel's modules/RELEASE directory in the extracted package)
module_closure() {
  local moddir=$1 f n
  declare -gA MODPATH=() BUILTIN=() SEEN=()
  MOD_ORDER=()
  while IFS= read -r f; do
    n="${f##*/}"
    n="${n%%.ko*}"
    MODPATH["${n//-/_}"]="$f"
  done < <(cd "$moddir" && find kernel -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' -o -name '*.ko.gz')
  if [[ -f "$moddir/modules.builtin" ]]; then
    while IFS= read -r f; do
      n="${f##*/}"
      n="${n%%.ko*}"
      BUILTIN["${n//-/_}"]=1
    done <"$moddir/modules.builtin"
  fi
  for n in $WANT_MODULES; do
    visit_module "$moddir" "${n//-/_}"
  done
}

visit_module() {
  local moddir=$1 n=$2 deps d
  [[ -z "${SEEN[$n]-}" ]] || return 0
  SEEN[$n]=1
  if [[ -n "${BUILTIN[$n]-}" ]]; then
    log "  $n is built into the kernel"
    return 0
  fi
  [[ -n "${MODPATH[$n]-}" ]] || die "module $n is neither built in nor shipped in the kernel package: check LOCKSCOPE_LAB_MODULES"
  deps="$(modinfo -F depends "$moddir/${MODPATH[$n]}")" || die "modinfo cannot read $moddir/${MODPATH[$n]}: is kmod built with xz/zstd support?"
  for d in ${deps//,/ }; do
    visit_module "$moddir" "${d//-/_}"
  done
  MOD_ORDER+=("${MODPATH[$n]}")
}

fetch_kernel() {
  local k=$1 suite meta_ver image_dep image_pkg image_ver release kout env
  local -a pkgs=() debs=()
  suite="$(kernel_distro "$k")"
  kout="$LAB_KDIR/$k"
  env="$kout/kernel.env"
  local t0
  t0="$(now_ms)"

  apt_refresh "$suite"

  meta_ver="$(candidate "$suite" linux-image-amd64)"
  [[ -n "$meta_ver" && "$meta_ver" != "(none)" ]] ||
    die "$suite: linux-image-amd64 not found in the package lists: rerun with LOCKSCOPE_LAB_REFRESH=1"
  image_dep="$(pkg_field "$suite" linux-image-amd64 "$meta_ver" Depends | tr ',' '\n' |
    grep -oE 'linux-image-[0-9][^ ]* \(= [^)]+\)' | head -n1 || true)"
  [[ -n "$image_dep" ]] || die "$suite: linux-image-amd64 $meta_ver has no linux-image-X dependency: the archive layout changed, update fetch-kernels.sh"
  image_pkg="${image_dep%% *}"
  image_ver="$(sed -E 's/.*\(= ([^)]+)\).*/\1/' <<<"$image_dep")"
  release="${image_pkg#linux-image-}"
  log "$k: $suite linux-image-amd64 $meta_ver -> $image_pkg $image_ver (release $release)"

  if [[ -f "$env" && -f "$kout/vmlinuz" ]] &&
    [[ "$(env_get "$env" IMAGE_PACKAGE)" == "$image_pkg" && "$(env_get "$env" IMAGE_VERSION)" == "$image_ver" ]] &&
    [[ "$(env_get "$env" MODULES_WANTED)" == "$WANT_MODULES" && "$(env_get "$env" KERNEL_FORMAT)" == "$KERNEL_FORMAT" ]]; then
    log "$k: $image_pkg $image_ver already extracted in $kout: nothing to do ($(fmt_ms $(($(now_ms) - t0))))"
    return 0
  fi

  # The image package itself, plus (sid) the split-out linux-binary/-modules/-base-RELEASE.
  pkgs=("$image_pkg=$image_ver")
  local dep
  while IFS= read -r dep; do
    if [[ -n "$dep" ]]; then pkgs+=("$dep"); fi
  done < <(pkg_field "$suite" "$image_pkg" "$image_ver" Depends | tr ',|' '\n\n' |
    sed -nE "s/^ *(linux-(binary|modules|base)-${release//+/\\+}) \(= ([^)]+)\).*/\1=\3/p")

  local debdir="$LAB_DEBS/$k" p
  mkdir -p "$debdir"
  for p in "${pkgs[@]}"; do
    debs+=("$(fetch_deb "$suite" "${p%%=*}" "${p#*=}" "$debdir")")
  done
  # Drop debs of older kernels.
  local f keep
  for f in "$debdir"/*.deb; do
    [[ -e "$f" ]] || continue
    keep=0
    for p in "${debs[@]}"; do
      if [[ "$f" == "$p" ]]; then keep=1; fi
    done
    if ((keep == 0)); then
      log "$k: removing stale $f"
      rm -f "$f"
    fi
  done

  # Extract everything into a scratch dir, then keep only what the lab needs.
  mkdir -p "$LAB_KDIR"
  local tmp
  tmp="$(mktemp -d "$LAB_KDIR/.tmp-$k.XXXXXX")"
  mkdir -p "$tmp/x" "$tmp/out"
  for f in "${debs[@]}"; do
    log "$k: dpkg -x $(basename "$f")"
    timeout 600 dpkg -x "$f" "$tmp/x" || die "dpkg -x $f failed: delete it and rerun"
  done

  local moddir vmlinuz
  for moddir in "$tmp/x/usr/lib/modules/$release" "$tmp/x/lib/modules/$release" ""; do
    [[ -z "$moddir" || -d "$moddir" ]] && break
  done
  [[ -n "$moddir" ]] || die "$k: no lib/modules/$release in the packages: the package layout changed, update fetch-kernels.sh"
  for vmlinuz in "$tmp/x/boot/vmlinuz-$release" "$moddir/vmlinuz" ""; do
    [[ -z "$vmlinuz" || -f "$vmlinuz" ]] && break
  done
  [[ -n "$vmlinuz" ]] || die "$k: no vmlinuz in the packages: the package layout changed, update fetch-kernels.sh"

  cp "$vmlinuz" "$tmp/out/vmlinuz"
  local cfg smap system_map=""
  for cfg in "$tmp/x/boot/config-$release" "$moddir/config"; do
    if [[ -f "$cfg" ]]; then
      cp "$cfg" "$tmp/out/config"
      break
    fi
  done
  for smap in "$tmp/x/boot/System.map-$release" "$moddir/System.map"; do
    if [[ -f "$smap" ]]; then
      # Debian ships a one-line placeholder (the real map is in the -dbg package).
      if (($(wc -l <"$smap") > 1)); then
        cp "$smap" "$tmp/out/System.map"
        system_map=System.map
      else
        log "$k: System.map in the package is a placeholder ($(head -c 80 "$smap")...): not kept"
      fi
      break
    fi
  done

  log "$k: resolving modules: $WANT_MODULES"
  module_closure "$moddir"
  local mout="$tmp/out/modules/$release" m
  mkdir -p "$mout"
  for m in "${MOD_ORDER[@]}"; do
    mkdir -p "$mout/$(dirname "$m")"
    cp "$moddir/$m" "$mout/$m"
    log "  $m"
  done
  printf '%s\n' "${MOD_ORDER[@]}" >"$mout/lab-modules.order"
  for f in modules.builtin modules.builtin.modinfo modules.order; do
    if [[ -f "$moddir/$f" ]]; then cp "$moddir/$f" "$mout/$f"; fi
  done
  # depmod over the subset so modprobe works in the guest too (depmod -b wants BASE/lib/modules).
  mkdir -p "$tmp/depmod/lib/modules"
  ln -s "$mout" "$tmp/depmod/lib/modules/$release"
  depmod -b "$tmp/depmod" "$release" || die "depmod failed on the $k modules: is the host's kmod built with xz support?"
  rm -rf "$tmp/depmod"

  local upstream
  upstream="$(sed -E 's/^[0-9]+://; s/-[^-]+$//' <<<"$image_ver")"
  {
    printf '# Written by test/lab/fetch-kernels.sh; sourced by the other lab scripts.\n'
    printf 'KERNEL=%q\n' "$k"
    printf 'KERNEL_SUITE=%q\n' "$suite"
    printf 'KERNEL_RELEASE=%q\n' "$release"
    printf 'KERNEL_VERSION=%q\n' "$upstream"
    printf 'META_PACKAGE=%q\n' linux-image-amd64
    printf 'META_VERSION=%q\n' "$meta_ver"
    printf 'IMAGE_PACKAGE=%q\n' "$image_pkg"
    printf 'IMAGE_VERSION=%q\n' "$image_ver"
    printf 'PACKAGES=%q\n' "${pkgs[*]}"
    printf 'VMLINUZ=%q\n' vmlinuz
    printf 'CONFIG=%q\n' "$([[ -f "$tmp/out/config" ]] && echo config || true)"
    printf 'SYSTEM_MAP=%q\n' "$system_map"
    printf 'MODULES_WANTED=%q\n' "$WANT_MODULES"
    printf 'MODULES=%q\n' "${MOD_ORDER[*]}"
    printf 'MODULES_DIR=%q\n' "modules/$release"
    printf 'FETCHED_AT=%q\n' "$(date -u +%FT%TZ)"
    printf 'KERNEL_FORMAT=%q\n' "$KERNEL_FORMAT"
  } >"$tmp/out/kernel.env"

  # Swap the new kernel in, then drop the scratch tree.
  local old="$LAB_KDIR/.old-$k.$$"
  if [[ -e "$kout" ]]; then mv "$kout" "$old"; fi
  mv "$tmp/out" "$kout"
  safe_rm_tree "$tmp"
  safe_rm_tree "$old"
  log "$k: ready in $kout: $release ($image_pkg $image_ver), modules: ${MOD_ORDER[*]:-none} ($(fmt_ms $(($(now_ms) - t0))))"
}

for k in "${KERNELS[@]}"; do
  fetch_kernel "$k"
done
for k in "${KERNELS[@]}"; do
  printf '%s\t%s\t%s\n' "$k" "$(env_get "$(kernel_env "$k")" KERNEL_RELEASE)" "$(env_get "$(kernel_env "$k")" PACKAGES)"
done
