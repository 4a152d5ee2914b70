/**
 * What can go wrong reaching or using a target, as data: each kind carries the facts its message
 * is built from, and every message says what the user can do next.
 */
export type TargetError =
  | { readonly kind: 'unreachable'; readonly target: string; readonly detail: string }
  | { readonly kind: 'host_key_unknown'; readonly target: string; readonly fingerprints: readonly string[] }
  | { readonly kind: 'host_key_changed'; readonly target: string; readonly detail: string }
  | { readonly kind: 'auth_failed'; readonly target: string; readonly detail: string }
  | { readonly kind: 'sudo_needs_password'; readonly target: string; readonly user: string }
  | { readonly kind: 'not_root'; readonly target: string; readonly user: string }
  | { readonly kind: 'timeout'; readonly target: string; readonly command: string; readonly ms: number }
  | { readonly kind: 'not_found'; readonly target: string; readonly what: string }
  | { readonly kind: 'permission'; readonly target: string; readonly what: string }
  | { readonly kind: 'output_too_large'; readonly target: string; readonly command: string; readonly limit: number }
  | { readonly kind: 'bad_target'; readonly target: string; readonly detail: string }
  | { readonly kind: 'failed'; readonly target: string; readonly command: string; readonly detail: string };

export function describeTargetError(e: TargetError): string {
  switch (e.kind) {
    case 'unreachable':
      return `${e.target}: cannot connect (${e.detail}); check the host name, port and network, then retry`;
    case 'host_key_unknown':
      return `${e.target}: the host key is not known. Its fingerprints: ${e.fingerprints.join(', ')}. If they are right, add the key with \`ssh-keyscan\` to ~/.ssh/known_hosts (or connect once with ssh), then retry`;
    case 'host_key_changed':
      return `${e.target}: the host key CHANGED (${e.detail}). Lockscope will not connect; find out why before you remove the old key from ~/.ssh/known_hosts`;
    case 'auth_failed':
      return `${e.target}: SSH authentication failed (${e.detail}); load your key into the agent or name it with IdentityFile in ~/.ssh/config`;
    case 'sudo_needs_password':
      return `${e.target}: user ${e.user} is not root and sudo wants a password; allow passwordless sudo for bpftrace (sudoers NOPASSWD), or connect as root`;
    case 'not_root':
      return `${e.target}: user ${e.user} is not root and has no sudo; tracing needs root`;
    case 'timeout':
      return `${e.target}: \`${e.command}\` did not finish within ${e.ms} ms and was stopped`;
    case 'not_found':
      return `${e.target}: ${e.what} not found`;
    case 'permission':
      return `${e.target}: permission denied reading ${e.what}; run as root`;
    case 'output_too_large':
      return `${e.target}: \`${e.command}\` wrote more than ${e.limit} bytes; stopped`;
    case 'bad_target':
      return `${e.target}: ${e.detail}`;
    case 'failed':
      return `${e.target}: \`${e.command}\` failed: ${e.detail}`;
  }
}
