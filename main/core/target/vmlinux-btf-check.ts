/**
 * Whether the kernel exposes its BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF): Lockscope
 * reads the struct offsets (io_kiocb.link, io_ring_ctx.uring_lock, …) and the window functions'
 * prototypes from it. Without it nothing can be resolved safely.
 */
import type { PathStat } from './path-stat.js';
import type { PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const VMLINUX_BTF = '/sys/kernel/btf/vmlinux';

const TITLE = 'Kernel BTF';

export function btfCheck(stat: PathStat | undefined, statRan: boolean): PreflightCheck {
  if (stat !== undefined) {
    return check('btf', TITLE, 'ok', `${VMLINUX_BTF} (${stat.size.toLocaleString('en-US')} bytes)`);
  }
  if (!statRan) {
    return check('btf', TITLE, 'warn', `could not look for ${VMLINUX_BTF} (stat failed)`);
  }
  return check(
    'btf',
    TITLE,
    'fail',
    `no ${VMLINUX_BTF}: struct offsets and function prototypes cannot be resolved`,
    'trace a kernel built with CONFIG_DEBUG_INFO_BTF=y (Debian, Ubuntu and Fedora kernels are)',
  );
}
