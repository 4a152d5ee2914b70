/**
 * What `--target` names: this host, or an SSH host as `ssh://[user@]host[:port]` or an alias from
 * ~/.ssh/config (`[user@]alias`). Parsed strictly, because the result reaches ssh's command line:
 * nothing that ssh could read as an option, and no whitespace or control characters.
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';

export type TargetSpec =
  | { readonly kind: 'local' }
  | {
      readonly kind: 'ssh';
      /** A host name, an address, or an ssh_config alias. */
      readonly host: string;
      readonly user: string | undefined;
      readonly port: number | undefined;
      /** How the user wrote it (for messages). */
      readonly text: string;
    };

/** Host names, IPv4 addresses, ssh_config aliases; IPv6 inside [brackets] in URLs. */
const HOST = /^[A-Za-z0-9_][A-Za-z0-9_.%-]*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function badTarget(text: string, why: string): Result<TargetSpec, string> {
  return err(`--target ${JSON.stringify(text)}: ${why}; write local, ssh://[user@]host[:port] or an alias from ~/.ssh/config`);
}

export function parseTargetSpec(text: string): Result<TargetSpec, string> {
  if (text === 'local') {
    return ok({ kind: 'local' });
  }
  let rest = text;
  let isUrl = false;
  if (rest.startsWith('ssh://')) {
    rest = rest.slice('ssh://'.length);
    isUrl = true;
    if (rest.endsWith('/')) {
      rest = rest.slice(0, -1);
    }
  } else if (rest.includes('://')) {
    return badTarget(text, 'only ssh:// targets are supported');
  }
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) {
      return badTarget(text, `the user name ${JSON.stringify(user)} is not valid`);
    }
  }
  let host = rest;
  let port: number | undefined;
  if (isUrl) {
    const v6 = /^\[([^\]]*)\](?::(\d+))?$/.exec(rest);
    if (v6 !== null) {
      host = v6[1] ?? '';
      if (!IPV6.test(host)) {
        return badTarget(text, `${JSON.stringify(host)} is not an IPv6 address`);
      }
      port = v6[2] === undefined ? undefined : Number(v6[2]);
    } else {
      const colon = rest.lastIndexOf(':');
      if (colon >= 0) {
        host = rest.slice(0, colon);
        const p = rest.slice(colon + 1);
        if (!/^\d{1,5}$/.test(p)) {
          return badTarget(text, `the port ${JSON.stringify(p)} is not a number`);
        }
        port = Number(p);
      }
      if (!HOST.test(host)) {
        return badTarget(text, host === '' ? 'no host' : `the host ${JSON.stringify(host)} has characters a host name cannot have`);
      }
    }
    if (port !== undefined && (port < 1 || port > 65535)) {
      return badTarget(text, `the port ${port} is out of range`);
    }
  } else if (!HOST.test(host)) {
    return badTarget(text, host === '' ? 'no host' : `${JSON.stringify(host)} is not a host name or an ssh alias`);
  }
  return ok({ kind: 'ssh', host, user, port, text });
}
