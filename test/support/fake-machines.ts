/**
 * Fake targets that answer preflight as the three captured machines did (test/fixtures/preflight),
 * so that preflight runs end to end without them.
 */
import type { FakeAnswer, FakeFile, FakeRoot, FakeScript } from '../../main/node/targets/fake-target.js';
import { FakeTarget } from '../../main/node/targets/fake-target.js';
import type { Machine } from './preflight-fixtures.js';
import { fixture } from './preflight-fixtures.js';

/** Absent on all three (the io_uring sysctl only on 6.1, where the fixture table says so). */
const ABSENT_FILES = ['/sys/kernel/security/lockdown', '/sys/kernel/realtime', '/proc/sys/kernel/io_uring_disabled'];

/** `stat` as on the machine: a line per path that existed there, exit 1 when one did not. */
function statAnswer(machine: Machine): (argv: readonly string[]) => FakeAnswer {
  const lines = fixture(machine, 'stat.txt').split('\n').filter((l) => l !== '');
  return (argv) => {
    const paths = argv.slice(argv.indexOf('--') + 1);
    const found = paths.map((p) => lines.find((l) => l.startsWith(`${p}|`)));
    const missing = paths.filter((_p, i) => found[i] === undefined);
    return {
      stdout: found.filter((l) => l !== undefined).map((l) => `${l}\n`).join(''),
      stderr: missing.map((p) => `stat: cannot statx '${p}': No such file or directory\n`).join(''),
      code: missing.length === 0 ? 0 : 1,
    };
  };
}

export interface MachineOptions {
  readonly root?: FakeRoot;
  /** Replace or add answers. */
  readonly exec?: FakeScript['exec'];
  readonly files?: Readonly<Record<string, FakeFile>>;
  readonly spawn?: FakeScript['spawn'];
  /** The target's name (default: the machine's). */
  readonly name?: string;
}

export function fakeMachine(machine: Machine, o: MachineOptions = {}): FakeTarget {
  const info = fixture(machine, 'bpftrace-info.txt');
  const v017 = fixture(machine, 'bpftrace-version.txt').includes('v0.17');
  const files: Record<string, FakeFile> = {
    '/proc/mounts': fixture(machine, 'proc-mounts.txt'),
    '/proc/kallsyms': fixture(machine, 'kallsyms-candidates.txt'),
    // tracefs is root's only (mode 700).
    '/sys/kernel/tracing/available_events': { rootOnly: fixture(machine, 'available-events-io_uring-lock.txt') },
    '/sys/kernel/debug/tracing/available_events': { rootOnly: fixture(machine, 'available-events-io_uring-lock.txt') },
    ...(machine === 'debian-6.1' ? {} : { '/proc/sys/kernel/io_uring_disabled': '0\n' }),
    ...o.files,
  };
  for (const f of ABSENT_FILES) {
    if (!(f in files)) {
      files[f] = { error: { kind: 'not_found', target: machine, what: f } };
    }
  }
  return new FakeTarget({
    name: o.name ?? machine,
    root: o.root ?? 'root',
    exec: {
      id: { stdout: o.root === undefined || o.root === 'root' ? fixture(machine, 'id.txt') : 'uid=1000(tester) gid=1000(tester) groups=1000(tester)\n' },
      true: { stdout: '' },
      'uname -r -v -m': { stdout: fixture(machine, 'uname-rvm.txt') },
      'bpftrace --version': { stdout: fixture(machine, 'bpftrace-version.txt') },
      // bpftrace 0.17 writes --info to standard error.
      'bpftrace --info': v017 ? { stderr: info } : { stdout: info },
      // bpftrace 0.25+ does not report fentry in --info; the sid guest (0.27.1) listed it.
      'bpftrace -l fentry:vmlinux:mutex_lock': machine === 'debian-sid-7.2' ? { stdout: 'fentry:vmlinux:mutex_lock\n' } : { stdout: '' },
      'stat -L -c %n|%s|%F -- /sys/kernel/btf/vmlinux /sys/bus/event_source/devices/kprobe /sys/kernel/tracing/kprobe_events': statAnswer(machine),
      // When tracefs could not be read, kprobe_events is not asked about.
      'stat -L -c %n|%s|%F -- /sys/kernel/btf/vmlinux /sys/bus/event_source/devices/kprobe': statAnswer(machine),
      ...o.exec,
    },
    files,
    ...(o.spawn === undefined ? {} : { spawn: o.spawn }),
    strict: true,
  });
}
