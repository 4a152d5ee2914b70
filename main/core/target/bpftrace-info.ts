/**
 * What `bpftrace --info` reports about the kernel and the build. The layout changed over time
 * (bpftrace's src/bpffeature.cpp and build_info.cpp):
 *   ≤ 0.21   one "  key: value" per line, on standard error (0.17); BPF trampolines as "kfunc"
 *   0.22–0.24 two entries per line in 35-column cells; "fentry"; "Kernel DWARF" (0.22–0.23)
 *   ≥ 0.25   a short list: kprobe and fentry are no longer reported at all
 * so each feature is yes, no, or unknown when this version does not say. Parse stdout and stderr
 * together. Note that "kprobe: yes" only means a kprobe-type BPF program loads: a kernel without
 * kprobe events still says yes (this host did); the kprobes check looks at the kernel instead.
 */
import type { BpftraceVersion } from './bpftrace-version.js';
import { versionFeatures } from './bpftrace-version.js';
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const BPFTRACE_INFO_ARGV = ['bpftrace', '--info'] as const;

/** Section (lower case, e.g. "probe types") → key (lower case, e.g. "kfunc") → value as printed. */
export type BpftraceInfo = Readonly<Record<string, Readonly<Record<string, string>>>>;

export type Tri = 'yes' | 'no' | 'unknown';

export interface BpftraceInfoFeatures {
  /** BPF trampolines (fentry/fexit, "kfunc" before 0.22's report). */
  readonly fentry: Tri;
  readonly kprobeMulti: Tri;
  /** bpftrace found the kernel's BTF. */
  readonly btf: Tri;
  /** bpftrace found vmlinux DWARF (0.22–0.23 report it): probe_inline needs it. */
  readonly kernelDwarf: Tri;
  /** bpftrace was built with DWARF support (libdw or liblldb). */
  readonly dwarfSupport: Tri;
  /** bpf_probe_read_kernel loads: lockdown=confidentiality would refuse it (reported up to 0.24). */
  readonly probeReadKernel: Tri;
}

/** Sections whose lines are "key: free text" (one per line), not yes/no tables. */
const FREE_TEXT_SECTIONS = new Set(['system', 'build']);

export function parseBpftraceInfo(text: string): BpftraceInfo {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  let freeText = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      continue;
    }
    if (!/^\s/.test(line)) {
      const name = line.trim().toLowerCase();
      current = sections[name] ?? {};
      sections[name] = current;
      freeText = FREE_TEXT_SECTIONS.has(name);
      continue;
    }
    if (current === undefined) {
      continue;
    }
    if (freeText) {
      const colon = line.indexOf(': ');
      if (colon > 0) {
        current[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 2).trim();
      }
      continue;
    }
    // "  key: value" or, from 0.22, "  key: value<padding>key: value"; keys may hold spaces,
    // parentheses and a colon not followed by a space ("depends on Build:bcc ...").
    for (const m of line.matchAll(/\s*(.+?): (\S+)/g)) {
      const key = m[1];
      const value = m[2];
      if (key !== undefined && value !== undefined) {
        current[key.trim().toLowerCase()] = value;
      }
    }
  }
  return sections;
}

function tri(value: string | undefined): Tri {
  if (value === 'yes') {
    return 'yes';
  }
  if (value === 'no') {
    return 'no';
  }
  return 'unknown';
}

export function infoFeatures(info: BpftraceInfo): BpftraceInfoFeatures {
  const probes = info['probe types'] ?? {};
  const kernel = info['kernel features'] ?? {};
  const helpers = info['kernel helpers'] ?? {};
  const build = info.build ?? {};
  const dwarfKey = Object.keys(build).find((k) => k.includes('(dwarf support)'));
  return {
    fentry: tri(probes.fentry ?? probes.kfunc),
    kprobeMulti: tri(probes.kprobe_multi),
    btf: tri(kernel.btf),
    kernelDwarf: tri(kernel['kernel dwarf']),
    dwarfSupport: dwarfKey === undefined ? 'unknown' : tri(build[dwarfKey]),
    probeReadKernel: tri(helpers.probe_read_kernel),
  };
}

export const UNKNOWN_INFO_FEATURES: BpftraceInfoFeatures = {
  fentry: 'unknown',
  kprobeMulti: 'unknown',
  btf: 'unknown',
  kernelDwarf: 'unknown',
  dwarfSupport: 'unknown',
  probeReadKernel: 'unknown',
};

const TITLE = 'bpftrace features';

export function bpftraceFeaturesCheck(info: Observed<BpftraceInfo>, version: BpftraceVersion): PreflightCheck {
  if (!info.ok) {
    return check('bpftrace_features', TITLE, 'warn', `bpftrace --info failed: ${info.error.detail}; features are judged by the version alone`);
  }
  const f = infoFeatures(info.value);
  const v = versionFeatures(version);
  const fentryName = v.fentryName === 'fentry' ? 'fentry' : 'kfunc (fentry)';
  const parts = [
    `${fentryName}: ${f.fentry === 'unknown' ? 'not reported by this version' : f.fentry}`,
    `kprobe_multi: ${f.kprobeMulti}`,
    `BTF: ${f.btf}`,
    ...(f.kernelDwarf === 'unknown' ? [] : [`kernel DWARF: ${f.kernelDwarf}`]),
    ...(f.dwarfSupport === 'unknown' ? [] : [`DWARF support: ${f.dwarfSupport}`]),
  ];
  const found = parts.join(', ');
  if (f.btf === 'no') {
    return check('bpftrace_features', TITLE, 'warn', `${found}: bpftrace does not see the kernel's BTF`, 'boot a kernel built with CONFIG_DEBUG_INFO_BTF=y, or use a bpftrace built with BTF support');
  }
  if (f.fentry === 'no') {
    return check('bpftrace_features', TITLE, 'ok', `${found} (kprobes are the default plan: fentry on mutex_lock misses hits)`);
  }
  return check('bpftrace_features', TITLE, 'ok', found);
}
