/**
 * One `LS1` line, as printed by Lockscope's bpftrace programs, to a typed value. Stateless: the
 * importer (bpftrace-importer.ts) keeps the capture base, the summary being assembled and the
 * loss bookkeeping.
 *
 * Line shapes (single spaces between fields; extra blanks are tolerated):
 *
 *   LS1 target host=H release=R arch=A bpftrace=V rt=0|1        every key optional (no rt=: unknown)
 *   LS1 probe role=R target=T mechanism=M attached=0|1 counted=0|1 reason=<rest of the line>
 *             (or status=attached|absent|unavailable instead of attached=; attached=0 reads as
 *             "unavailable": the target may exist, so its hits may have gone unseen)
 *   LS1 offset member=M offset=N size=N
 *   LS1 grain summary|raw
 *   LS1 <kind> <abs_ns> <cpu> <tid> key=value ...                 an event line
 *
 * A window_summary's held= and a window_op's op= and api= are names, or their places in
 * HELD_AT_ENTRY, WINDOW_OPS and LOCK_APIS (events.ts), as the kernel program prints them.
 *
 * Rest-of-line values (`reason=` of a probe line, `text=` of a marker) must be the line's last
 * key: everything after the first " reason=" / " text=" is the value, spaces included.
 *
 * Values: addresses as util/addr.ts reads them ("0x..." hex, 0 for NULL), refused when outside
 * the address window rather than rounded; counts, opcodes and sizes decimal; flags decimal or
 * "0x" hex; `ret` and `res` signed decimal; every number must be a safe integer (< 2^53) because
 * the capture stores them as exact doubles. Every key an event kind names is required unless it
 * is marked optional below, and a key the kind does not name is an error (a misspelt key must not
 * silently become a missing optional one).
 */
import type { CaptureEvent, LockApi, WindowOp, WindowSummaryEvent } from '../capture/events.js';
import { COUNTED_SHAPES, HELD_AT_ENTRY, LOCK_APIS, MARKERS, WALK_SITES, WINDOW_OPS } from '../capture/events.js';
import { MAX_WINDOW_OPS } from '../capture/event-codec.js';
import type { Grain, ProbeSite, ProbeStatus, StructOffset, TargetFacts } from '../capture/header.js';
import { GRAINS, PROBE_MECHANISMS, PROBE_ROLES, PROBE_STATUSES } from '../capture/header.js';
import type { Addr } from '../util/addr.js';
import { NULL_ADDR, addrFromValue, parseAddrValue } from '../util/addr.js';
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import type { DurationNs, RelNs } from '../util/time.js';
import type { ImportErrorDetail } from './import-error.js';

/**
 * Event times are kept within ±2^52 ns (52 days) of the capture base, like addresses within
 * ±2^52 of the bias: the capture stores each time as the difference from the previous one, and
 * the difference of two such values stays within 2^53, where doubles are exact.
 */
export const REL_NS_LIMIT = 2 ** 52;

export const HEADER_KINDS = ['target', 'probe', 'offset', 'grain'] as const;
export type HeaderKind = (typeof HEADER_KINDS)[number];

/** Kinds of the lines that carry `<abs_ns> <cpu> <tid>`: every event kind but `lost`, and window_op. */
export const EVENT_LINE_KINDS = [
  'window_enter',
  'window_exit',
  'lock_acquire',
  'lock_acquired',
  'lock_release',
  'contention_begin',
  'contention_end',
  'io_submit',
  'io_link',
  'io_queue_async',
  'io_complete',
  'io_fail_link',
  'req_free',
  'window_summary',
  'totals',
  'counted',
  'contention_counted',
  'probe_misses',
  'marker',
  'window_op',
] as const;
export type EventLineKind = (typeof EVENT_LINE_KINDS)[number];

export type HeaderLine =
  | { readonly kind: 'target'; readonly target: TargetFacts }
  | { readonly kind: 'probe'; readonly probe: ProbeSite }
  | { readonly kind: 'offset'; readonly offset: StructOffset }
  | { readonly kind: 'grain'; readonly grain: Grain };

/** What an event line's fields are, once its time is known. */
export type EventBody =
  | { readonly type: 'event'; readonly event: CaptureEvent }
  /** A summary without its ops: `nops` window_op lines must follow. */
  | { readonly type: 'summary'; readonly event: WindowSummaryEvent; readonly nops: number }
  | { readonly type: 'op'; readonly op: WindowOp };

export interface EventPrefix {
  readonly absNs: bigint;
  readonly cpu: number;
  readonly tid: number;
  /** The rest of the line after `<tid>`. */
  readonly body: string;
}

/** The fields of an event line common to every kind, with the time made relative. */
export interface EventStamp {
  readonly ts: RelNs;
  readonly cpu: number;
  readonly tid: number;
}

const TWO_64 = 1n << 64n;
const U32_MAX = 0xffff_ffff;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isOneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

export function isHeaderKind(kind: string): kind is HeaderKind {
  return isOneOf(HEADER_KINDS, kind);
}

export function isEventLineKind(kind: string): kind is EventLineKind {
  return isOneOf(EVENT_LINE_KINDS, kind);
}

/** `LS1 <kind><body>`; undefined when the line is not an LS1 line at all. */
export function splitLs1(text: string): { readonly kind: string; readonly body: string } | undefined {
  if (!text.startsWith('LS1 ')) {
    return undefined;
  }
  const m = /^LS1\s+(\S*)(.*)$/s.exec(text);
  return m === null ? undefined : { kind: m[1] ?? '', body: m[2] ?? '' };
}

/** Unsigned decimal (or "0x" hex when allowed) as a bigint, or undefined. */
function parseUnsigned(text: string, allowHex: boolean): bigint | undefined {
  if (/^[0-9]{1,20}$/.test(text)) {
    return BigInt(text);
  }
  if (allowHex && /^0[xX][0-9a-fA-F]{1,16}$/.test(text)) {
    return BigInt(text);
  }
  return undefined;
}

/** `<abs_ns> <cpu> <tid>` at the start of an event line's body. */
export function parseEventPrefix(kind: string, body: string): Result<EventPrefix, ImportErrorDetail> {
  const m = /^\s+(\S+)\s+(\S+)\s+(\S+)(.*)$/s.exec(body);
  if (m === null) {
    return err({ code: 'malformed_line', kind, reason: 'expected "<abs_ns> <cpu> <tid>" after the kind' });
  }
  const [, absText = '', cpuText = '', tidText = '', rest = ''] = m;
  const abs = parseUnsigned(absText, false);
  if (abs === undefined || abs >= TWO_64) {
    return err({ code: 'bad_value', kind, key: 'abs_ns', value: absText, reason: 'is not a 64-bit nanosecond count' });
  }
  // -1: a record not tied to a CPU (totals, miss readings, markers printed from user space).
  const cpu = cpuText === '-1' ? -1n : parseUnsigned(cpuText, false);
  if (cpu === undefined || cpu > BigInt(U32_MAX)) {
    return err({ code: 'bad_value', kind, key: 'cpu', value: cpuText, reason: 'is not a CPU number (or -1)' });
  }
  const tid = parseUnsigned(tidText, false);
  if (tid === undefined || tid > BigInt(U32_MAX)) {
    return err({ code: 'bad_value', kind, key: 'tid', value: tidText, reason: 'is not a thread id' });
  }
  return ok({ absNs: abs, cpu: Number(cpu), tid: Number(tid), body: rest });
}

/**
 * `key=value key=value ...`; with `restKey`, the value of " <restKey>=" runs to the end of the
 * line.
 */
function parseKeyValues(
  kind: string,
  body: string,
  restKey?: string,
): Result<ReadonlyMap<string, string>, ImportErrorDetail> {
  let head = body;
  let rest: string | undefined;
  if (restKey !== undefined) {
    const marker = `${restKey}=`;
    const m = new RegExp(`(^|\\s)${marker}`).exec(body);
    if (m !== null) {
      head = body.slice(0, m.index);
      rest = body.slice(m.index + m[0].length);
    }
  }
  const map = new Map<string, string>();
  for (const token of head.split(/\s+/)) {
    if (token === '') {
      continue;
    }
    const eq = token.indexOf('=');
    if (eq <= 0) {
      return err({ code: 'malformed_line', kind, reason: `${JSON.stringify(token)} is not key=value` });
    }
    const key = token.slice(0, eq);
    if (map.has(key)) {
      return err({ code: 'duplicate_key', kind, key });
    }
    map.set(key, token.slice(eq + 1));
  }
  if (restKey !== undefined && rest !== undefined) {
    if (map.has(restKey)) {
      return err({ code: 'duplicate_key', kind, key: restKey });
    }
    map.set(restKey, rest);
  }
  return ok(map);
}

/**
 * Reads typed values out of a line's keys. A failed read records the line's first error and
 * returns a placeholder; the caller checks `done()` before using what it built.
 */
class FieldReader {
  private firstError: ImportErrorDetail | undefined;
  private readonly used = new Set<string>();

  constructor(
    private readonly kind: string,
    private readonly kv: ReadonlyMap<string, string>,
    /** Addresses are read relative to this bias (see util/addr.ts). */
    private readonly bias: bigint = 0n,
  ) {}

  private fail(detail: ImportErrorDetail): void {
    this.firstError ??= detail;
  }

  has(key: string): boolean {
    return this.kv.has(key);
  }

  /** The raw text of a required key. */
  text(key: string): string | undefined {
    this.used.add(key);
    const v = this.kv.get(key);
    if (v === undefined) {
      this.fail({ code: 'missing_key', kind: this.kind, key });
    }
    return v;
  }

  /** The raw text of an optional key, or the default. */
  optionalText(key: string, fallback: string): string {
    this.used.add(key);
    return this.kv.get(key) ?? fallback;
  }

  private bad(key: string, value: string, reason: string): void {
    this.fail({ code: 'bad_value', kind: this.kind, key, value, reason });
  }

  addr(key: string): Addr {
    const v = this.text(key);
    if (v === undefined) {
      return NULL_ADDR;
    }
    const value = parseAddrValue(v);
    if (value === undefined) {
      this.bad(key, v, 'is not an address');
      return NULL_ADDR;
    }
    const a = addrFromValue(value, this.bias);
    if (!a.ok) {
      this.fail({ code: 'address_out_of_window', kind: this.kind, key, value: v });
      return NULL_ADDR;
    }
    return a.addr;
  }

  /** A non-negative safe integer, decimal (or "0x" hex with `hex`), at most `max`. */
  uint(key: string, opts: { readonly hex?: boolean; readonly max?: number } = {}): number {
    const v = this.text(key);
    if (v === undefined) {
      return 0;
    }
    const n = parseUnsigned(v, opts.hex === true);
    if (n === undefined) {
      this.bad(key, v, opts.hex === true ? 'is not a decimal or 0x-hex number' : 'is not a decimal number');
      return 0;
    }
    const max = opts.max ?? Number.MAX_SAFE_INTEGER;
    if (n > BigInt(max)) {
      this.bad(key, v, max === Number.MAX_SAFE_INTEGER ? 'is larger than 2^53 - 1' : `is larger than ${max}`);
      return 0;
    }
    return Number(n);
  }

  /** A signed decimal safe integer. */
  int(key: string): number {
    const v = this.text(key);
    if (v === undefined) {
      return 0;
    }
    if (!/^-?[0-9]{1,20}$/.test(v)) {
      this.bad(key, v, 'is not a signed decimal number');
      return 0;
    }
    const n = BigInt(v);
    if (n > MAX_SAFE || n < -MAX_SAFE) {
      this.bad(key, v, 'is beyond ±(2^53 - 1)');
      return 0;
    }
    return Number(n);
  }

  /** `0` or `1`. */
  flag(key: string): boolean {
    const v = this.text(key);
    if (v === undefined) {
      return false;
    }
    if (v !== '0' && v !== '1') {
      this.bad(key, v, 'is not 0 or 1');
    }
    return v === '1';
  }

  oneOf<T extends string>(key: string, list: readonly [T, ...T[]]): T {
    const v = this.text(key);
    if (v === undefined) {
      return list[0];
    }
    if (!isOneOf(list, v)) {
      this.bad(key, v, `is not one of ${list.join(', ')}`);
      return list[0];
    }
    return v;
  }

  /** A name from `list`, or its place in the list as a decimal code (how the kernel program prints it). */
  nameOrCode<T extends string>(key: string, list: readonly [T, ...T[]]): T {
    const v = this.has(key) ? this.text(key) : undefined;
    if (v !== undefined && /^[0-9]{1,3}$/.test(v)) {
      const named = list[Number(v)];
      if (named === undefined) {
        this.bad(key, v, `is not a code from 0 to ${list.length - 1} (${list.join(', ')})`);
        return list[0];
      }
      return named;
    }
    return this.oneOf(key, list);
  }

  /** Records an error about a value that was read successfully but is out of place. */
  reject(key: string, value: string, reason: string): void {
    this.bad(key, value, reason);
  }

  /** The first error, including keys the kind does not name. */
  done(): ImportErrorDetail | undefined {
    if (this.firstError === undefined) {
      for (const key of this.kv.keys()) {
        if (!this.used.has(key)) {
          this.fail({ code: 'unexpected_key', kind: this.kind, key });
          break;
        }
      }
    }
    return this.firstError;
  }
}

function finish<T>(r: FieldReader, value: T): Result<T, ImportErrorDetail> {
  const e = r.done();
  return e === undefined ? ok(value) : err(e);
}

/** A header line's body (everything after `LS1 <kind>`). */
export function parseHeaderLine(kind: HeaderKind, body: string): Result<HeaderLine, ImportErrorDetail> {
  if (kind === 'grain') {
    const words = body.split(/\s+/).filter((w) => w !== '');
    const [word, ...extra] = words;
    if (word === undefined || extra.length > 0) {
      return err({ code: 'malformed_line', kind, reason: 'expected "LS1 grain summary|raw"' });
    }
    if (!isOneOf(GRAINS, word)) {
      return err({ code: 'bad_value', kind, key: 'grain', value: word, reason: `is not one of ${GRAINS.join(', ')}` });
    }
    return ok({ kind, grain: word });
  }
  const kv = parseKeyValues(kind, body, kind === 'probe' ? 'reason' : undefined);
  if (!kv.ok) {
    return kv;
  }
  const r = new FieldReader(kind, kv.value);
  switch (kind) {
    case 'target': {
      // Without rt= the kernel's PREEMPT_RT state is unknown, and the owner word is not trusted.
      const rt = r.has('rt') ? (r.flag('rt') ? 'yes' : 'no') : 'unknown';
      return finish<HeaderLine>(r, {
        kind,
        target: {
          host: r.optionalText('host', 'unknown'),
          kernelRelease: r.optionalText('release', 'unknown'),
          arch: r.optionalText('arch', 'unknown'),
          bpftraceVersion: r.optionalText('bpftrace', 'unknown'),
          preemptRt: rt,
        },
      });
    }
    case 'probe': {
      let status: ProbeStatus;
      if (r.has('status')) {
        status = r.oneOf('status', PROBE_STATUSES);
        if (r.has('attached')) {
          r.reject('attached', r.optionalText('attached', ''), 'given together with status=');
        }
      } else {
        // attached=0 does not say whether the target exists: assume it does and went unseen.
        status = r.flag('attached') ? 'attached' : 'unavailable';
      }
      return finish<HeaderLine>(r, {
        kind,
        probe: {
          role: r.oneOf('role', PROBE_ROLES),
          target: r.text('target') ?? '',
          mechanism: r.oneOf('mechanism', PROBE_MECHANISMS),
          status,
          missesCounted: r.flag('counted'),
          reason: r.optionalText('reason', ''),
        },
      });
    }
    case 'offset':
      return finish<HeaderLine>(r, {
        kind,
        offset: { member: r.text('member') ?? '', offset: r.uint('offset'), size: r.uint('size') },
      });
  }
}

/**
 * The address bias for a capture whose first event line has this body: 0 when its first
 * non-NULL 0x address fits the window around 0 (kernel addresses with 4-level paging), else
 * that address rounded down to 4 GiB. With 5-level paging (LA57) the kernel's direct map sits
 * near 0xff11_0000_0000_0000, more than 2^52 from 0, but every heap address of one machine
 * (tasks, requests, rings, locks) is within 2^52 of any other.
 */
export function chooseAddrBias(body: string): bigint {
  for (const m of body.matchAll(/=0[xX]([0-9a-fA-F]{1,16})\b/g)) {
    const value = BigInt(`0x${m[1] ?? '0'}`);
    if (value === 0n) {
      continue;
    }
    return addrFromValue(value, 0n).ok ? 0n : value & ~0xffff_ffffn;
  }
  return 0n;
}

/** Context an event line needs beyond its own text. */
export interface BodyContext {
  /** How many probes the header lists (probe_misses indexes into them). */
  readonly probeCount: number;
  /** The capture's address bias (0 when not given): addresses are stored relative to it. */
  readonly addrBias?: bigint;
  /** The capture's clock base (ns): absolute times in a line's fields are stored relative to it. */
  readonly baseNs?: bigint;
}

/** An event line's key=value part, once its time is known. */
export function parseEventBody(
  kind: EventLineKind,
  stamp: EventStamp,
  body: string,
  context: BodyContext,
): Result<EventBody, ImportErrorDetail> {
  const kv = parseKeyValues(kind, body, kind === 'marker' ? 'text' : undefined);
  if (!kv.ok) {
    return kv;
  }
  const r = new FieldReader(kind, kv.value, context.addrBias ?? 0n);
  const { ts, cpu, tid } = stamp;
  const event = (e: CaptureEvent): Result<EventBody, ImportErrorDetail> => finish<EventBody>(r, { type: 'event', event: e });
  const snapshot = (): { readonly seen: false } | { readonly seen: true; readonly link: Addr } =>
    r.has('link') ? { seen: true, link: r.addr('link') } : { seen: false };
  switch (kind) {
    case 'window_enter':
      return event({
        kind, ts, cpu, tid,
        site: r.oneOf('site', WALK_SITES),
        task: r.addr('task'),
        req: r.addr('req'),
        ctx: r.addr('ctx'),
        lock: r.addr('lock'),
        flags: r.uint('flags', { hex: true }),
        link: r.addr('link'),
        owner: r.addr('owner'),
      });
    case 'window_exit':
      return event({ kind, ts, cpu, tid, site: r.oneOf('site', WALK_SITES), req: r.addr('req'), next: r.addr('next') });
    case 'lock_acquire': {
      const api: LockApi = r.oneOf('api', LOCK_APIS);
      return event({ kind, ts, cpu, tid, api, lock: r.addr('lock'), snapshot: snapshot() });
    }
    case 'lock_acquired': {
      const api: LockApi = r.oneOf('api', LOCK_APIS);
      const lock = r.addr('lock');
      const okFlag = r.flag('ok');
      return event({ kind, ts, cpu, tid, api, lock, ok: okFlag, snapshot: snapshot() });
    }
    case 'lock_release':
      return event({ kind, ts, cpu, tid, lock: r.addr('lock'), snapshot: snapshot() });
    case 'contention_begin':
      return event({ kind, ts, cpu, tid, lock: r.addr('lock'), flags: r.uint('flags', { hex: true }) });
    case 'contention_end':
      return event({ kind, ts, cpu, tid, lock: r.addr('lock'), ret: r.int('ret') });
    case 'io_submit':
      return event({
        kind, ts, cpu, tid,
        ctx: r.addr('ctx'), req: r.addr('req'), opcode: r.uint('opcode'), flags: r.uint('flags', { hex: true }),
      });
    case 'io_link':
      return event({ kind, ts, cpu, tid, ctx: r.addr('ctx'), req: r.addr('req'), target: r.addr('target') });
    case 'io_queue_async':
      return event({ kind, ts, cpu, tid, ctx: r.addr('ctx'), req: r.addr('req'), opcode: r.uint('opcode') });
    case 'io_complete':
      return event({ kind, ts, cpu, tid, ctx: r.addr('ctx'), req: r.addr('req'), res: r.int('res') });
    case 'io_fail_link':
      return event({ kind, ts, cpu, tid, ctx: r.addr('ctx'), req: r.addr('req'), link: r.addr('link') });
    case 'req_free':
      return event({ kind, ts, cpu, tid, req: r.addr('req') });
    case 'window_summary': {
      const site = r.oneOf('site', WALK_SITES);
      const durText = r.has('dur') ? r.text('dur') : undefined;
      const dur = r.uint('dur');
      if (durText !== undefined && ts + dur > REL_NS_LIMIT) {
        r.reject('dur', durText, 'puts the window end more than 2^52 ns after the capture base');
      }
      const summary: WindowSummaryEvent = {
        kind, ts, cpu, tid, site,
        duration: dur as DurationNs,
        task: r.addr('task'),
        req: r.addr('req'),
        ctx: r.addr('ctx'),
        lock: r.addr('lock'),
        flags: r.uint('flags', { hex: true }),
        link: r.addr('link'),
        owner: r.addr('owner'),
        heldAtEntry: r.nameOrCode('held', HELD_AT_ENTRY),
        next: r.addr('next'),
        ops: [],
        opsOverflow: r.flag('overflow'),
      };
      const nops = r.uint('nops', { max: MAX_WINDOW_OPS });
      return finish<EventBody>(r, { type: 'summary', event: summary, nops });
    }
    case 'totals':
      return event({
        kind, ts, cpu, tid,
        ctx: r.addr('ctx'),
        windows: r.uint('windows'),
        walks: r.uint('walks'),
        walksLockedInside: r.uint('locked'),
        chainTails: r.uint('tails'),
      });
    case 'counted': {
      const site = r.oneOf('site', WALK_SITES);
      const ctx = r.addr('ctx');
      const onCpu = r.uint('oncpu');
      const shape = r.nameOrCode('shape', COUNTED_SHAPES);
      const windows = r.uint('windows');
      const counted = r.uint('counted');
      const lockedInside = r.uint('locked');
      const maxDuration = r.uint('maxdur') as DurationNs;
      // Absolute times like the line's own; first=0 (nothing counted yet) reads as the line's time.
      const time = (key: string): RelNs => {
        const text = r.text(key);
        if (text === undefined || (counted === 0 && key === 'first')) {
          return ts;
        }
        if (!/^[0-9]{1,20}$/.test(text)) {
          r.reject(key, text, 'is not a time in ns');
          return ts;
        }
        const rel = BigInt(text) - (context.baseNs ?? 0n);
        if (rel > BigInt(REL_NS_LIMIT) || rel < -BigInt(REL_NS_LIMIT)) {
          r.reject(key, text, 'is more than 2^52 ns away from the capture base');
          return ts;
        }
        if (Number(rel) > ts) {
          r.reject(key, text, "is after the line's own time");
          return ts;
        }
        return Number(rel) as RelNs;
      };
      const since = time('since');
      const first = time('first');
      if (counted > windows) {
        r.reject('counted', String(counted), `is more than windows=${windows}`);
      }
      return event({ kind, ts, cpu, tid, site, ctx, onCpu, shape, windows, counted, lockedInside, maxDuration, since, first });
    }
    case 'contention_counted': {
      const waits = r.uint('waits');
      const counted = r.uint('counted');
      const totalWait = r.uint('total') as DurationNs;
      const maxWait = r.uint('maxwait') as DurationNs;
      if (counted > waits) {
        r.reject('counted', String(counted), `is more than waits=${waits}`);
      }
      if (maxWait > totalWait) {
        r.reject('maxwait', String(maxWait), `is more than total=${totalWait}: the longest wait is part of the sum`);
      }
      return event({ kind, ts, cpu, tid, ctx: r.addr('ctx'), lock: r.addr('lock'), onCpu: r.uint('oncpu'), waits, counted, totalWait, maxWait, unpaired: r.uint('unpaired') });
    }
    case 'probe_misses': {
      const probeText = r.has('probe') ? r.text('probe') : undefined;
      const probe = r.uint('probe');
      if (probeText !== undefined && probe >= context.probeCount) {
        r.reject('probe', probeText, `is not an index into the input's ${context.probeCount} probe lines`);
      }
      return event({ kind, ts, cpu, tid, probe, missed: r.uint('missed') });
    }
    case 'marker':
      return event({ kind, ts, cpu, tid, marker: r.oneOf('marker', MARKERS), text: r.text('text') ?? '' });
    case 'window_op': {
      const op = r.nameOrCode('op', WINDOW_OPS);
      const api: LockApi = r.nameOrCode('api', LOCK_APIS);
      return finish<EventBody>(r, { type: 'op', op: { op, ts, api, link: r.addr('link') } });
    }
  }
}
