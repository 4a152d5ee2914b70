import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bpftraceFeaturesCheck, infoFeatures, parseBpftraceInfo } from '../../../main/core/target/bpftrace-info.js';
import { parseBpftraceVersion } from '../../../main/core/target/bpftrace-version.js';
import type { BpftraceVersion } from '../../../main/core/target/bpftrace-version.js';
import { err, ok } from '../../../main/core/util/result.js';
import { fixture } from '../../support/preflight-fixtures.js';

function version(text: string): BpftraceVersion {
  const r = parseBpftraceVersion(text);
  assert.ok(r.ok);
  return r.value;
}

/**
 * 0.22–0.24 lay entries out two per 35-column line and call trampolines "fentry" (bpftrace's
 * src/bpffeature.cpp, report() and tabulate(), at v0.23.0). No machine here runs one of those
 * versions: this sample is written from that source, not captured.
 */
const V023_LAYOUT = [
  'Kernel features',
  '  Instruction limit: 1000000       btf: yes                           ',
  '  module btf: yes                  Kernel DWARF: no                   ',
  '  map batch: yes                   uprobe refcount: yes               ',
  '',
  'Probe types',
  '  kprobe: yes                      tracepoint: yes                    ',
  '  perf_event: yes                  fentry: yes                        ',
  '  kprobe_multi: yes                uprobe_multi: yes                  ',
  '  iter: yes                        ',
  '',
].join('\n');

describe('bpftrace --info', () => {
  it('0.17 (one entry per line; from standard error): kfunc, btf, helpers, the build', () => {
    const host = parseBpftraceInfo(fixture('host-6.18', 'bpftrace-info.txt'));
    const probes = host['probe types'] ?? {};
    const kernel = host['kernel features'] ?? {};
    assert.equal(probes.kfunc, 'no');
    assert.equal(probes.kprobe, 'yes', 'bpftrace 0.17 says yes on this host, which has no kprobes');
    assert.equal(kernel['instruction limit'], '1000000');
    assert.equal(kernel['uprobe refcount (depends on build:bcc bpf_attach_uprobe refcount)'], 'yes');
    assert.equal(host.build?.llvm, '14.0.6');
    assert.equal(host.system?.os, 'Linux 6.18.44-fc-v782 #1 SMP PREEMPT_DYNAMIC @0');
    assert.deepEqual(infoFeatures(host), { fentry: 'no', kprobeMulti: 'no', btf: 'yes', kernelDwarf: 'unknown', dwarfSupport: 'yes', probeReadKernel: 'yes' });
    // The same bpftrace on Debian's 6.1 kernel has trampolines.
    assert.deepEqual(infoFeatures(parseBpftraceInfo(fixture('debian-6.1', 'bpftrace-info.txt'))), {
      fentry: 'yes',
      kprobeMulti: 'no',
      btf: 'yes',
      kernelDwarf: 'unknown',
      dwarfSupport: 'yes',
      probeReadKernel: 'yes',
    });
  });

  it('0.27 (two entries per line, a short list): no word on fentry or probe_read_kernel', () => {
    const sid = parseBpftraceInfo(fixture('debian-sid-7.2', 'bpftrace-info.txt'));
    assert.deepEqual(sid['probe types'], { kprobe_multi: 'yes', uprobe_multi: 'yes', kprobe_session: 'yes', iter: 'yes' });
    assert.deepEqual(sid['kernel features'], { 'instruction limit': '1000000', btf: 'yes', 'module btf': 'yes' });
    assert.equal(sid['kernel helpers']?.loop, 'yes');
    assert.equal(sid.build?.['libdw (dwarf support)'], 'yes');
    assert.deepEqual(infoFeatures(sid), { fentry: 'unknown', kprobeMulti: 'yes', btf: 'yes', kernelDwarf: 'unknown', dwarfSupport: 'yes', probeReadKernel: 'unknown' });
  });

  it('0.22–0.24 layout: fentry and Kernel DWARF', () => {
    const f = infoFeatures(parseBpftraceInfo(V023_LAYOUT));
    assert.equal(f.fentry, 'yes');
    assert.equal(f.kernelDwarf, 'no');
    assert.equal(f.kprobeMulti, 'yes');
    assert.equal(f.btf, 'yes');
  });

  it('check: names the trampoline feature as the version calls it; unknown on 0.25+; a failed --info is a warning', () => {
    const host = bpftraceFeaturesCheck(ok(parseBpftraceInfo(fixture('host-6.18', 'bpftrace-info.txt'))), version('bpftrace v0.17.0'));
    assert.equal(host.status, 'ok');
    assert.match(host.found, /kfunc \(fentry\): no/);
    const sid = bpftraceFeaturesCheck(ok(parseBpftraceInfo(fixture('debian-sid-7.2', 'bpftrace-info.txt'))), version('bpftrace v0.27.1'));
    assert.match(sid.found, /fentry: not reported by this version/);
    assert.equal(bpftraceFeaturesCheck(err({ kind: 'failed', detail: 'timed out' }), version('bpftrace v0.27.1')).status, 'warn');
    const noBtf = bpftraceFeaturesCheck(ok(parseBpftraceInfo('Kernel features\n  btf: no\n')), version('bpftrace v0.17.0'));
    assert.equal(noBtf.status, 'warn');
    assert.match(noBtf.remediation ?? '', /CONFIG_DEBUG_INFO_BTF/);
  });
});
