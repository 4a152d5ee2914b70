/**
 * A private sshd on 127.0.0.1 for SSH target tests: its own host key, a client key it accepts,
 * and an ssh_config naming it, all in a temporary directory. Needs root and openssh-server
 * (`.ci/run` installs it); `available()` says whether this machine can run one.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSHD = '/usr/sbin/sshd';

export function sshdUnavailable(): string | undefined {
  if (!existsSync(SSHD)) {
    return 'no /usr/sbin/sshd: apt-get install openssh-server';
  }
  if (process.getuid?.() !== 0) {
    return 'a private sshd needs root';
  }
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => {
        if (a === null || typeof a === 'string') {
          reject(new Error('no port'));
        } else {
          resolve(a.port);
        }
      });
    });
  });
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => { resolve(false); });
  });
}

export interface LocalSshd {
  readonly dir: string;
  readonly port: number;
  /** An ssh_config with Host `lockscope-test` (user root, the accepted key, known_hosts in `dir`). */
  readonly configFile: string;
  readonly knownHostsFile: string;
  /** The host key's public line ("ssh-ed25519 AAAA..."). */
  readonly hostKeyPub: string;
  /** The host key's fingerprint line as ssh-keygen -l prints it. */
  readonly hostKeyFingerprint: string;
  /** Trust the host key (or `line` instead) in known_hosts. */
  trust(line?: string): void;
  stop(): void;
}

function keygen(file: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file]);
}

export async function startSshd(): Promise<LocalSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'lockscope-sshd-'));
  mkdirSync('/run/sshd', { recursive: true });
  const port = await freePort();
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  keygen(join(dir, 'other_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const sshdConfig = join(dir, 'sshd_config');
  writeFileSync(
    sshdConfig,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, '');
  const configFile = join(dir, 'ssh_config');
  writeFileSync(
    configFile,
    [
      'Host lockscope-test',
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      '  User root',
      `  IdentityFile ${join(dir, 'client_key')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHostsFile}`,
      '  GlobalKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      'Host *',
      `  IdentityFile ${join(dir, 'other_key')}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHostsFile}`,
      '  GlobalKnownHostsFile /dev/null',
      '  LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', sshdConfig], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (b: Buffer) => {
    log += b.toString();
  });
  // Ready when it accepts connections (bounded: it must not take long).
  const t0 = Date.now();
  while (!(await accepting(port))) {
    if (child.exitCode !== null || Date.now() - t0 > 10_000) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const hostKeyPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'host_key.pub')], { encoding: 'utf8' }).trim();
  return {
    dir,
    port,
    configFile,
    knownHostsFile,
    hostKeyPub,
    hostKeyFingerprint,
    trust(line) {
      writeFileSync(knownHostsFile, `${line ?? `[127.0.0.1]:${port} ${hostKeyPub}`}\n`);
    },
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The public line of another key (for a "changed host key" known_hosts). */
export function otherKeyPub(d: LocalSshd): string {
  return readFileSync(join(d.dir, 'other_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
}
