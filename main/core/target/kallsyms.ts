/**
 * The candidate probe sites in /proc/kallsyms: the io-wq window functions, the link-walk helpers
 * (usually inlined: no symbol), and every mutex entry point. A line is "ADDRESS TYPE NAME" with
 * "\t[MODULE]" after symbols of modules. Without root (kptr_restrict) every address reads as
 * zeros: the names are still what matters.
 *
 * Compilers rename copies of a function with a suffix, and they are not the same kind of thing:
 *   .cold, .part.N   fragments split out of the function: not its entry, never probe them
 *   .isra.N, .constprop.N  specialized clones: a real entry, but their arguments may differ
 *   .llvm.N          a local function promoted by LTO: the same function under another name
 */
import type { Observed, PreflightCheck } from './preflight-check.js';
import { check } from './preflight-check.js';

export const WINDOW_SYMBOLS = ['io_wq_free_work', 'io_wq_put_work'] as const;
export const WALK_HELPER_SYMBOLS = ['io_req_find_next', '__io_req_find_next', 'io_put_req_find_next'] as const;
export const MUTEX_SYMBOLS = [
  'mutex_lock',
  'mutex_lock_nested',
  'mutex_lock_interruptible',
  'mutex_lock_interruptible_nested',
  'mutex_lock_killable',
  'mutex_lock_killable_nested',
  'mutex_trylock',
  'mutex_lock_io',
  'mutex_lock_io_nested',
  'mutex_unlock',
] as const;
export const CANDIDATE_SYMBOLS = [...WINDOW_SYMBOLS, ...WALK_HELPER_SYMBOLS, ...MUTEX_SYMBOLS] as const;
export type CandidateSymbol = (typeof CANDIDATE_SYMBOLS)[number];

export const KALLSYMS_FILE = '/proc/kallsyms';

/** exact: the function itself. renamed: the same function under an LTO name. clone: a specialized copy. fragment: part of one. */
export type SymbolVariant = 'exact' | 'renamed' | 'clone' | 'fragment';

export interface KernelSymbol {
  /** As in kallsyms: "io_wq_free_work.cold". */
  readonly name: string;
  /** The candidate it is a form of: "io_wq_free_work". */
  readonly base: CandidateSymbol;
  /** "" for the exact name, else ".cold", ".isra.0", … */
  readonly suffix: string;
  readonly variant: SymbolVariant;
  /** kallsyms' type letter: T/t text (global/local), W weak, … */
  readonly type: string;
  /** Module name, or undefined for vmlinux. */
  readonly module: string | undefined;
  /** "0xffffffff81b88ea0", or undefined when addresses read as zeros. */
  readonly address: string | undefined;
}

export interface KallsymsScan {
  /** Every form of every candidate found, in file order. */
  readonly symbols: readonly KernelSymbol[];
  /** Candidates with no form at all. */
  readonly absent: readonly CandidateSymbol[];
  /** Every address read as zero (kptr_restrict, or not root). */
  readonly addressesHidden: boolean;
  readonly lines: number;
}

const CANDIDATES: ReadonlySet<string> = new Set(CANDIDATE_SYMBOLS);

function isCandidate(name: string): name is CandidateSymbol {
  return CANDIDATES.has(name);
}

export function suffixVariant(suffix: string): SymbolVariant {
  if (suffix === '') {
    return 'exact';
  }
  if (/\.(?:cold|part)(?:\.|$)/.test(suffix)) {
    return 'fragment';
  }
  if (/^\.llvm\.\d+$/.test(suffix)) {
    return 'renamed';
  }
  return 'clone';
}

/** Splits "name.suffix" into a candidate and its suffix; undefined for other symbols. */
function candidateOf(name: string): { readonly base: CandidateSymbol; readonly suffix: string } | undefined {
  if (isCandidate(name)) {
    return { base: name, suffix: '' };
  }
  const dot = name.indexOf('.');
  if (dot <= 0) {
    return undefined;
  }
  const base = name.slice(0, dot);
  return isCandidate(base) ? { base, suffix: name.slice(dot) } : undefined;
}

export function scanKallsyms(text: string): KallsymsScan {
  const symbols: KernelSymbol[] = [];
  let lines = 0;
  let nonZero = false;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) {
      end = text.length;
    }
    const line = text.slice(start, end);
    start = end + 1;
    if (line === '') {
      continue;
    }
    lines++;
    const s1 = line.indexOf(' ');
    const s2 = line.indexOf(' ', s1 + 1);
    if (s1 <= 0 || s2 < 0) {
      continue;
    }
    const addr = line.slice(0, s1);
    if (!nonZero && /[1-9a-fA-F]/.test(addr)) {
      nonZero = true;
    }
    const tab = line.indexOf('\t', s2 + 1);
    const name = line.slice(s2 + 1, tab < 0 ? undefined : tab).trim();
    const c = candidateOf(name);
    if (c === undefined) {
      continue;
    }
    const mod = tab < 0 ? undefined : /^\[([^\]]+)\]/.exec(line.slice(tab + 1).trim())?.[1];
    symbols.push({
      name,
      base: c.base,
      suffix: c.suffix,
      variant: suffixVariant(c.suffix),
      type: line.slice(s1 + 1, s2),
      module: mod,
      address: /[1-9a-fA-F]/.test(addr) ? `0x${addr.toLowerCase().replace(/^0+(?=.)/, '')}` : undefined,
    });
  }
  const seen = new Set(symbols.map((s) => s.base));
  return { symbols, absent: CANDIDATE_SYMBOLS.filter((c) => !seen.has(c)), addressesHidden: lines > 0 && !nonZero, lines };
}

/** Whether the function can be probed by its own name: an exact or LTO-renamed form exists. */
export function hasEntry(scan: KallsymsScan, base: CandidateSymbol): boolean {
  return scan.symbols.some((s) => s.base === base && (s.variant === 'exact' || s.variant === 'renamed'));
}

const TITLE = 'Probe sites in /proc/kallsyms';

function listOf(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

export function symbolsCheck(scan: Observed<KallsymsScan>): PreflightCheck {
  if (!scan.ok) {
    return check('symbols', TITLE, 'fail', `could not read ${KALLSYMS_FILE}: ${scan.error.detail}`, `make ${KALLSYMS_FILE} readable (it is on every kernel built with CONFIG_KALLSYMS); run as root`);
  }
  const s = scan.value;
  if (s.lines === 0) {
    return check('symbols', TITLE, 'fail', `${KALLSYMS_FILE} is empty`, 'boot a kernel built with CONFIG_KALLSYMS=y and CONFIG_KALLSYMS_ALL=y');
  }
  const windows = WINDOW_SYMBOLS.filter((w) => hasEntry(s, w));
  const helpers = WALK_HELPER_SYMBOLS.filter((w) => hasEntry(s, w));
  const mutexes = MUTEX_SYMBOLS.filter((m) => hasEntry(s, m));
  const absentMutexes = MUTEX_SYMBOLS.filter((m) => !hasEntry(s, m));
  const others = s.symbols.filter((x) => x.variant === 'clone' || x.variant === 'fragment').map((x) => `${x.name} (${x.variant === 'clone' ? 'a specialized clone' : 'a fragment, not an entry'})`);
  const parts = [
    `window: ${listOf(windows)}`,
    `walk helpers: ${helpers.length === 0 ? 'none (inlined; the walk is seen through the window)' : helpers.join(', ')}`,
    `mutex: ${listOf(mutexes)}`,
    ...(absentMutexes.length === 0 ? [] : [`absent: ${absentMutexes.join(', ')}`]),
    ...(others.length === 0 ? [] : [`also: ${others.join(', ')}`]),
    ...(s.addressesHidden ? ['addresses hidden (kptr_restrict); the names are enough'] : []),
  ];
  const found = parts.join('; ');
  if (windows.length === 0) {
    const clones = s.symbols.some((x) => (x.base === 'io_wq_free_work' || x.base === 'io_wq_put_work') && x.variant === 'clone');
    return check(
      'symbols',
      TITLE,
      'fail',
      `${found}: no io-wq window function to probe${clones ? ' (only specialized clones, whose arguments may differ)' : ''}, so walks cannot be observed`,
      'check that this kernel has io_uring (CONFIG_IO_URING=y); a kernel that renamed io_wq_free_work needs a new probe plan',
    );
  }
  if (!hasEntry(s, 'mutex_unlock') || !(hasEntry(s, 'mutex_lock') || hasEntry(s, 'mutex_lock_nested'))) {
    return check('symbols', TITLE, 'fail', `${found}: the mutex lock/unlock entry points are missing, so lock operations cannot be observed`, 'report this kernel to the Lockscope developers with its /proc/kallsyms mutex_* lines');
  }
  return check('symbols', TITLE, 'ok', found);
}
