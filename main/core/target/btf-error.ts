/**
 * What can be wrong with a BTF blob, or missing from it, as data. Every parse error carries the
 * byte offset it was found at; messages are built apart, by `describeBtfParseError` and
 * `describeBtfQueryError`, so the CLI, the app and the tests share one wording.
 */

export type BtfParseError =
  /** The blob ends before a part that its header (or the format) says is there. */
  | { readonly code: 'truncated'; readonly offset: number; readonly needed: number; readonly what: string }
  | { readonly code: 'not_btf'; readonly offset: 0; readonly found: number }
  | { readonly code: 'unsupported_version'; readonly offset: 2; readonly version: number }
  | { readonly code: 'unsupported_flags'; readonly offset: 3; readonly flags: number }
  | { readonly code: 'corrupt'; readonly offset: number; readonly reason: string };

/** What a query could not find or could not follow. Names say what was asked for. */
export type BtfQueryError =
  | { readonly code: 'no_such_type'; readonly kind: 'struct' | 'union' | 'struct or union' | 'function'; readonly name: string }
  | { readonly code: 'only_declared'; readonly kind: 'struct' | 'union' | 'struct or union'; readonly name: string }
  | { readonly code: 'ambiguous'; readonly kind: 'struct or union' | 'function'; readonly name: string; readonly typeIds: readonly number[] }
  | {
      readonly code: 'no_such_member';
      readonly container: string;
      readonly path: readonly string[];
      readonly missing: string;
      readonly available: readonly string[];
    }
  | { readonly code: 'not_a_container'; readonly container: string; readonly path: readonly string[]; readonly member: string; readonly type: string }
  | { readonly code: 'empty_path'; readonly container: string }
  /** A chain of references comes back to where it started, or runs deeper than any real type. */
  | { readonly code: 'reference_loop'; readonly typeId: number; readonly offset: number }
  | { readonly code: 'unsized'; readonly typeId: number; readonly offset: number; readonly kind: string };

export function describeBtfParseError(e: BtfParseError, source: string): string {
  switch (e.code) {
    case 'truncated':
      return `${source}: BTF cut short at byte ${e.offset}: ${e.what} needs ${e.needed} bytes more; copy the whole file again (e.g. cat /sys/kernel/btf/vmlinux)`;
    case 'not_btf':
      return `${source}: not raw BTF (the first two bytes are 0x${e.found.toString(16).padStart(4, '0')}, not the BTF magic 0xeb9f); give /sys/kernel/btf/vmlinux, not an ELF file or a compressed copy`;
    case 'unsupported_version':
      return `${source}: BTF version ${e.version} at byte 2; this reader knows version 1 only`;
    case 'unsupported_flags':
      return `${source}: BTF header flags 0x${e.flags.toString(16)} at byte 3; this reader knows none (0)`;
    case 'corrupt':
      return `${source}: corrupt BTF at byte ${e.offset}: ${e.reason}`;
  }
}

export function describeBtfQueryError(e: BtfQueryError): string {
  switch (e.code) {
    case 'no_such_type':
      return `the kernel's BTF has no ${e.kind} named ${e.name}`;
    case 'only_declared':
      return `the kernel's BTF declares ${e.kind} ${e.name} but never defines it (forward declaration only), so its layout is unknown`;
    case 'ambiguous':
      return `the kernel's BTF has ${e.typeIds.length} different ${e.kind} definitions named ${e.name} (type ids ${e.typeIds.join(', ')}); cannot tell which one is meant`;
    case 'no_such_member': {
      const where = e.path.length > 0 ? `${e.container}.${e.path.join('.')}` : e.container;
      const shown = e.available.slice(0, 24).join(', ');
      const more = e.available.length > 24 ? `, … (${e.available.length} in all)` : '';
      return `${where} has no member ${e.missing} (its members: ${shown === '' ? 'none' : shown + more})`;
    }
    case 'not_a_container':
      return `${[e.container, ...e.path, e.member].join('.')} is ${e.type}, not a struct or union: cannot look inside it`;
    case 'empty_path':
      return `no member path given for ${e.container}`;
    case 'reference_loop':
      return `type id ${e.typeId} (record at byte ${e.offset}) refers back to itself through its chain of types: corrupt BTF`;
    case 'unsized':
      return `type id ${e.typeId} (record at byte ${e.offset}) is a ${e.kind}, which has no size`;
  }
}
