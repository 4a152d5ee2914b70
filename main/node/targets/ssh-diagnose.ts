/**
 * What an ssh failure means, from its exit status and standard error (OpenSSH's messages), and
 * what sudo's refusals mean. Pure: the SSH target calls it with what the process left.
 */
import type { TargetError } from './target-error.js';

/**
 * The error behind exit status 255 (ssh's own failures), or undefined when the remote command
 * itself ran (its status is then the command's).
 */
export function diagnoseSsh(target: string, code: number | null, stderr: string): TargetError | undefined {
  if (code !== 255) {
    return undefined;
  }
  const text = stderr.trim();
  const last = text.split('\n').filter((l) => l.trim() !== '').at(-1)?.trim() ?? 'ssh exited with status 255';
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key for .* has changed/i.test(text)) {
    return { kind: 'host_key_changed', target, detail: 'the key it offers is not the one in known_hosts' };
  }
  if (/No \S+ host key is known for|Host key verification failed/i.test(text)) {
    return { kind: 'host_key_unknown', target, fingerprints: [] };
  }
  if (/Permission denied \(|Too many authentication failures|no more authentication methods/i.test(text)) {
    return { kind: 'auth_failed', target, detail: last };
  }
  if (/Could not resolve hostname|Connection refused|Connection timed out|No route to host|Network is unreachable|Connection closed by|Connection reset|kex_exchange_identification|Broken pipe|Operation timed out|Timeout, server .* not responding/i.test(text)) {
    return { kind: 'unreachable', target, detail: last };
  }
  if (/Bad configuration option|Can't open user config file|bad port|ssh: illegal option|usage: ssh/i.test(text)) {
    return { kind: 'bad_target', target, detail: last };
  }
  return { kind: 'unreachable', target, detail: last };
}

/** sudo's refusal to run without a password, or its absence, from a command's stderr. */
export function diagnoseSudo(target: string, user: string, code: number | null, stderr: string): TargetError | undefined {
  if (code === 0) {
    return undefined;
  }
  if (/sudo: a password is required|sudo: a terminal is required|sudo: no tty present/i.test(stderr)) {
    return { kind: 'sudo_needs_password', target, user };
  }
  if (/sudo: (command )?not found|sudo: No such file/i.test(stderr) || (code === 127 && /sudo/.test(stderr))) {
    return { kind: 'not_root', target, user };
  }
  if (/is not in the sudoers file|is not allowed to (run|execute) sudo|may not run sudo/i.test(stderr)) {
    return { kind: 'not_root', target, user };
  }
  return undefined;
}
