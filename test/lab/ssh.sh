#!/usr/bin/env bash
# Run a command in a running lab VM (or open a shell when no command is given).
# Usage: test/lab/ssh.sh KERNEL [CMD...]     KERNEL: 6.1 | sid
# Equivalent: ssh -F "${LOCKSCOPE_LAB_CACHE:-/var/cache/lockscope-lab}/ssh/config" lab-KERNEL CMD
set -euo pipefail
# shellcheck source=test/lab/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || die "usage: $0 KERNEL(6.1|sid) [CMD...]"
K=$1
shift
check_kernel_arg "$K"
[[ -n "$(vm_pid "$K")" ]] || die "the $K VM is not running: start it with test/lab/boot.sh $K"
trap - ERR # the remote command's exit status is passed through as is
if [[ $# -eq 0 && -t 0 ]]; then
  lab_ssh "$K" -t
else
  lab_ssh "$K" "$@"
fi
