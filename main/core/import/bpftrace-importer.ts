/**
 * Imports the output of Lockscope's bpftrace programs into capture events. Pure: it is fed text
 * lines one at a time (the shell reads the file or stdin and splits it), keeps only what it must
 * (the summary being assembled, pending loss notices, a partial printf line), and hands events
 * out in chunks through `drain()` so the caller can append them to a CaptureEncoder as it goes.
 *
 * Input: two syntaxes, recognized line by line.
 * - bpftrace's default text output: LS1 lines (see ls1-line.ts), bpftrace's own "Attaching N
 *   probes..." and "Lost N events" lines, and anything else (the `-c CMD` workload's output,
 *   blank lines), which is counted as ignored.
 * - `bpftrace -f json`: one JSON object per line. `printf` records carry LS1 text; one record may
 *   hold several lines and a line may be split across records, so an unfinished line waits for
 *   the next printf record. `lost_events` and `attached_probes` are read; other record types
 *   (maps, time, ...) are counted and skipped.
 * A bad LS1 line or record becomes an error item (line number, typed reason) and the import goes
 * on; only the first MAX_STORED_ERRORS are kept, all are counted.
 *
 * Header first. The capture header must be written before the first event, so header lines
 * (`LS1 target`, `LS1 probe`, `LS1 offset`, `LS1 grain`) must precede the first event line, as
 * they do in Lockscope's programs. The header is sealed at the first event line and available
 * from `header` from then on; a header line after it is an error item. `finish()` returns the
 * sealed header with notes about what was skipped appended (for callers that write the capture
 * at the end; a streaming caller reports those counts from the result instead).
 *
 * Time. bpftrace's `nsecs` is CLOCK_MONOTONIC as a u64 that passes 2^53 after 104 days of uptime,
 * so it is read as a bigint. The capture base is the first event line's time minus 1 s, so the
 * first event is at +1 s and events that reach user space out of order (per-CPU buffers are read
 * one after another) get small negative or small positive times; all stay exact.
 *
 * Losses. bpftrace says "Lost N events" when user space notices the kernel could not write to a
 * full perf buffer; the notice has no time. Each notice becomes one `lost` event (cpu -1) whose
 * interval [ts, ts + span] is meant to contain the lost events:
 * - ts: the earliest event time received since the previous notice (since the start for the
 *   first one). The buffer that overflowed held what was received after the previous drain, and
 *   the events it could not take came after those, so they are no earlier than that. When no
 *   event arrived since the previous notice, the previous notice's ts is used; when none has
 *   arrived at all, the first event after the notice gives it.
 * - span: up to the latest event time received up to and including the first event line after
 *   the notice. The notice comes from reading the buffer in which the drop happened, and the next
 *   event received was written after the drop, so the latest time seen by then bounds it. A
 *   window_summary is written when its window returns, so it counts with its end (ts + dur).
 *   If the input ends first, the span reaches the latest event time seen.
 * The analysis therefore cannot prove anything either way about a window overlapping that
 * interval. The lost event is emitted just before the event that closes its interval.
 */
import type { CaptureEvent, WindowOp, WindowSummaryEvent } from '../capture/events.js';
import type { CaptureHeader, Grain, ProbeSite, StructOffset, TargetFacts } from '../capture/header.js';
import { makeHeader } from '../capture/header.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import type { DurationNs, RelNs } from '../util/time.js';
import type { ImportError, ImportErrorDetail } from './import-error.js';
import type { EventLineKind, HeaderLine } from './ls1-line.js';
import {
  REL_NS_LIMIT,
  chooseAddrBias,
  isEventLineKind,
  isHeaderKind,
  parseEventBody,
  parseEventPrefix,
  parseHeaderLine,
  splitLs1,
} from './ls1-line.js';

/** Error items kept in the result; more are counted, not stored. */
export const MAX_STORED_ERRORS = 100;

/** The capture base is this long before the first event line's time. */
export const BASE_LEAD_NS = 1_000_000_000n;

/** An unfinished printf line longer than this is given up (no LS1 line comes near it). */
export const MAX_PARTIAL_CHARS = 64 * 1024;

/** How much of a cut line an error item keeps. */
const QUOTE_CHARS = 200;

export const SOURCE_JSON = 'import:bpftrace-json';
export const SOURCE_TEXT = 'import:bpftrace-text';

export const NO_PROBE_PLAN_NOTE =
  'no probe plan in the input: absence of a lock event cannot be proven, so walks without positive evidence will be UNKNOWN';

export const UNKNOWN_TARGET: TargetFacts = {
  host: 'unknown',
  kernelRelease: 'unknown',
  arch: 'unknown',
  bpftraceVersion: 'unknown',
  preemptRt: 'unknown',
};

export type InputSyntax = 'json' | 'text';

export interface ImportCounts {
  /** Input lines fed to `line()`. */
  readonly lines: number;
  /** Events emitted (lost events included). */
  readonly events: number;
  /** Lines that were neither LS1 nor bpftrace's own (workload output, blank lines). */
  readonly ignoredLines: number;
  /** JSON records of types the importer does not use (map, time, ...). */
  readonly jsonRecordsIgnored: number;
  /** "Lost N events" notices (text or JSON). */
  readonly lostNotices: number;
  /** Sum of N over those notices. */
  readonly lostEvents: number;
  /** Error items, stored or not. */
  readonly errors: number;
}

export interface ImportResult {
  /** The sealed header, with notes about skipped input appended. */
  readonly header: CaptureHeader;
  readonly counts: ImportCounts;
  /** The first MAX_STORED_ERRORS error items, in input order. */
  readonly errors: readonly ImportError[];
  /** Probes bpftrace said it attached ("Attaching N probes..."), when it said so. */
  readonly attachedProbes: number | undefined;
}

interface PendingSummary {
  readonly line: number;
  readonly event: WindowSummaryEvent;
  readonly nops: number;
  readonly ops: WindowOp[];
}

interface PendingLoss {
  readonly count: number;
  /** Lower bound of the interval; undefined until an event has been received. */
  readonly lo: RelNs | undefined;
}

const LOST_TEXT = /^Lost (\d+) events?$/;
const ATTACHING_TEXT = /^Attaching (\d+) probes?\.\.\.$/;

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

export class BpftraceImporter {
  // Header facts, until sealed.
  private target: TargetFacts | undefined;
  private readonly probes: ProbeSite[] = [];
  private readonly offsets: StructOffset[] = [];
  private grain: Grain | undefined;
  private firstSyntax: InputSyntax | undefined;
  private sawJson = false;
  private sealed: CaptureHeader | undefined;

  // Streaming state.
  private lineNo = 0;
  private partial = '';
  private partialLine = 0;
  /** Inside a printf line that was cut for length: drop text up to the next newline. */
  private discarding = false;
  /**
   * Per CPU, the summary waiting for its op lines. A window's summary and its ops are printed by
   * one BPF program run on one CPU, so they are contiguous in that CPU's buffer; bpftrace drains
   * the buffers in turn, so other CPUs' lines may come between them. A loss notice ends every
   * wait (the lost records may be some of these op lines).
   */
  private readonly summaries = new Map<number, PendingSummary>();
  private out: CaptureEvent[] = [];
  private finished = false;

  // Loss bookkeeping (relative times).
  private maxTs: number | undefined;
  private minSinceNotice: number | undefined;
  private lastLo: RelNs | undefined;
  private pendingLosses: PendingLoss[] = [];

  // Counts.
  private events = 0;
  private ignoredLines = 0;
  private jsonRecordsIgnored = 0;
  private lostNotices = 0;
  private lostEvents = 0;
  private errorCount = 0;
  private readonly errors: ImportError[] = [];
  private attachedProbes: number | undefined;

  /** The capture header, once the first event line has sealed it (undefined before). */
  get header(): CaptureHeader | undefined {
    return this.sealed;
  }

  /** Feeds one input line (without its line terminator; a trailing "\r" is dropped). */
  line(text: string): void {
    if (this.finished) {
      throw new Error('BpftraceImporter: line() after finish()');
    }
    this.lineNo++;
    const t = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (t.startsWith('{') && this.jsonRecord(t)) {
      return;
    }
    if (this.bpftraceNotice(t)) {
      return;
    }
    this.textLine(t, 'text');
  }

  /** Events produced since the last call, in output order. Empty until the header is sealed. */
  drain(): CaptureEvent[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  /**
   * Ends the input: reports an unfinished summary or printf line, closes pending loss
   * intervals, and seals the header if no event line did. Call `drain()` afterwards for the last
   * events.
   */
  finish(): ImportResult {
    if (this.finished) {
      throw new Error('BpftraceImporter: finish() called twice');
    }
    this.finished = true;
    if (this.partial !== '') {
      this.cutPartial('end_of_input');
    }
    this.dropSummaries(null);
    const header = this.seal(undefined);
    this.closeLosses(undefined);
    const notes = [...header.notes];
    if (this.ignoredLines > 0) {
      notes.push(`${this.ignoredLines} input lines were not bpftrace output (workload output, blank lines) and were ignored`);
    }
    if (this.jsonRecordsIgnored > 0) {
      notes.push(`${this.jsonRecordsIgnored} bpftrace JSON records of unused types (maps, time, ...) were ignored`);
    }
    if (this.lostNotices > 0) {
      notes.push(`bpftrace reported ${this.lostEvents} lost events in ${this.lostNotices} notices`);
    }
    if (this.errorCount > 0) {
      notes.push(`${this.errorCount} bad LS1 lines or records were skipped`);
    }
    return {
      header: { ...header, notes },
      counts: {
        lines: this.lineNo,
        events: this.events,
        ignoredLines: this.ignoredLines,
        jsonRecordsIgnored: this.jsonRecordsIgnored,
        lostNotices: this.lostNotices,
        lostEvents: this.lostEvents,
        errors: this.errorCount,
      },
      errors: this.errors,
      attachedProbes: this.attachedProbes,
    };
  }

  // ---- input syntaxes ----

  /** A `-f json` record; false when the line is not one (then it is treated as text). */
  private jsonRecord(text: string): boolean {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return false;
    }
    if (!isRecord(value) || typeof value.type !== 'string') {
      return false;
    }
    this.sawJson = true;
    const type = value.type;
    const data = value.data;
    switch (type) {
      case 'printf':
        if (typeof data !== 'string') {
          this.error(this.lineNo, { code: 'bad_json_record', recordType: type, reason: 'data is not a string' });
        } else {
          this.printf(data);
        }
        return true;
      case 'lost_events':
        if (!isRecord(data) || !isCount(data.events)) {
          this.error(this.lineNo, { code: 'bad_json_record', recordType: type, reason: 'data.events is not a count' });
        } else {
          this.lossNotice(data.events);
        }
        return true;
      case 'attached_probes':
        if (!isRecord(data) || !isCount(data.probes)) {
          this.error(this.lineNo, { code: 'bad_json_record', recordType: type, reason: 'data.probes is not a count' });
        } else {
          this.attachedProbes = data.probes;
        }
        return true;
      default:
        this.jsonRecordsIgnored++;
        return true;
    }
  }

  /** printf text: complete lines go on; the unfinished tail waits for the next record. */
  private printf(data: string): void {
    const pieces = data.split('\n');
    const tail = pieces.pop() ?? '';
    for (const piece of pieces) {
      if (this.discarding) {
        // The end of a line too long to keep: it was counted when it was cut.
        this.discarding = false;
        continue;
      }
      const full = this.partial + piece;
      this.partial = '';
      this.textLine(full.endsWith('\r') ? full.slice(0, -1) : full, 'json');
    }
    if (tail === '' || this.discarding) {
      return;
    }
    if (this.partial === '') {
      this.partialLine = this.lineNo;
    }
    this.partial += tail;
    if (this.partial.length > MAX_PARTIAL_CHARS) {
      // No LS1 line is this long: keep memory bounded and skip to the next newline.
      this.cutPartial('too_long');
      this.discarding = true;
    }
  }

  /** Gives up on the unfinished printf line: an error if it was an LS1 line, else ignored. */
  private cutPartial(cause: 'end_of_input' | 'too_long'): void {
    if (this.partial.startsWith('LS1 ')) {
      this.error(this.partialLine, { code: 'truncated_line', cause, text: this.partial.slice(0, QUOTE_CHARS) });
    } else {
      this.ignoredLines++;
    }
    this.partial = '';
  }

  /** bpftrace's own text lines; false when the line is not one. */
  private bpftraceNotice(text: string): boolean {
    const lost = LOST_TEXT.exec(text);
    if (lost !== null) {
      const n = Number(lost[1]);
      if (Number.isSafeInteger(n)) {
        this.lossNotice(n);
        return true;
      }
      return false;
    }
    const attaching = ATTACHING_TEXT.exec(text);
    if (attaching !== null) {
      const n = Number(attaching[1]);
      if (Number.isSafeInteger(n)) {
        this.attachedProbes = n;
        return true;
      }
    }
    return false;
  }

  /** One line of program output: an LS1 line or workload noise. */
  private textLine(text: string, syntax: InputSyntax): void {
    const ls1 = splitLs1(text);
    if (ls1 === undefined) {
      this.ignoredLines++;
      return;
    }
    this.firstSyntax ??= syntax;
    const { kind, body } = ls1;
    if (isEventLineKind(kind) && kind === 'window_op') {
      this.windowOp(body);
      return;
    }
    if (isHeaderKind(kind)) {
      this.dropSummaries(this.lineNo);
      if (this.sealed !== undefined) {
        this.error(this.lineNo, { code: 'late_header', kind });
        return;
      }
      const h = parseHeaderLine(kind, body);
      if (!h.ok) {
        this.error(this.lineNo, h.error);
        return;
      }
      this.applyHeader(h.value);
      return;
    }
    if (!isEventLineKind(kind) || kind === 'window_op') {
      this.error(this.lineNo, { code: 'unknown_kind', kind });
      return;
    }
    this.eventLine(kind, body);
  }

  // ---- LS1 lines ----

  private applyHeader(h: HeaderLine): void {
    switch (h.kind) {
      case 'target':
        if (this.target !== undefined) {
          this.error(this.lineNo, { code: 'duplicate_header', kind: h.kind });
          return;
        }
        this.target = h.target;
        return;
      case 'probe':
        this.probes.push(h.probe);
        return;
      case 'offset':
        this.offsets.push(h.offset);
        return;
      case 'grain':
        if (this.grain !== undefined) {
          this.error(this.lineNo, { code: 'duplicate_header', kind: h.kind });
          return;
        }
        this.grain = h.grain;
        return;
      default:
        assertUnreachable(h);
    }
  }

  /** Parses the time and seals the header on the first event line; undefined on error. */
  private stamp(kind: EventLineKind, body: string): { ts: RelNs; cpu: number; tid: number; body: string } | undefined {
    const prefix = parseEventPrefix(kind, body);
    if (!prefix.ok) {
      this.error(this.lineNo, prefix.error);
      return undefined;
    }
    const { absNs, cpu, tid } = prefix.value;
    const header = this.seal(absNs, prefix.value.body);
    const rel = absNs - header.baseNs;
    if (rel > BigInt(REL_NS_LIMIT) || rel < -BigInt(REL_NS_LIMIT)) {
      this.error(this.lineNo, { code: 'time_out_of_range', kind, absNs, baseNs: header.baseNs });
      return undefined;
    }
    return { ts: Number(rel) as RelNs, cpu, tid, body: prefix.value.body };
  }

  private eventLine(kind: Exclude<EventLineKind, 'window_op'>, body: string): void {
    const s = this.stamp(kind, body);
    if (s === undefined) {
      return;
    }
    // Another window of that CPU ends the op lines of a summary still waiting for them. Other
    // lines may come between a summary and its ops: under fentry a probe can run nested inside
    // the return probe (a contention tracepoint from an interrupt), and its line lands between.
    if (kind === 'window_summary') {
      this.dropSummary(s.cpu, this.lineNo);
    }
    const parsed = parseEventBody(kind, s, s.body, { probeCount: this.probes.length, addrBias: this.sealed?.addrBias ?? 0n, baseNs: this.sealed?.baseNs });
    if (!parsed.ok) {
      this.error(this.lineNo, parsed.error);
      return;
    }
    const p = parsed.value;
    switch (p.type) {
      case 'event':
        this.received(p.event.ts, p.event.ts);
        this.emit(p.event);
        return;
      case 'summary':
        this.received(p.event.ts, p.event.ts + p.event.duration);
        if (p.nops === 0) {
          this.emit(p.event);
        } else {
          this.summaries.set(s.cpu, { line: this.lineNo, event: p.event, nops: p.nops, ops: [] });
        }
        return;
      case 'op':
        // parseEventBody gives ops only for window_op lines, which windowOp() handles.
        throw new Error('window op from a non-window_op line');
      default:
        assertUnreachable(p);
    }
  }

  private windowOp(body: string): void {
    const s = this.stamp('window_op', body);
    if (s === undefined) {
      return; // its summary, now short of an op, is reported when its CPU moves on
    }
    let pending = this.summaries.get(s.cpu);
    if (pending !== undefined && s.tid !== pending.event.tid) {
      // Another task's output on that CPU came between the summary and its ops.
      this.dropSummary(s.cpu, this.lineNo);
      pending = undefined;
    }
    if (pending === undefined) {
      this.error(this.lineNo, { code: 'orphan_window_op' });
      return;
    }
    const parsed = parseEventBody('window_op', s, s.body, { probeCount: this.probes.length, addrBias: this.sealed?.addrBias ?? 0n, baseNs: this.sealed?.baseNs });
    if (!parsed.ok) {
      this.error(this.lineNo, parsed.error);
      this.dropSummary(s.cpu, this.lineNo);
      return;
    }
    if (parsed.value.type !== 'op') {
      throw new Error('window_op line parsed to a non-op');
    }
    const op = parsed.value.op;
    const w = pending.event;
    if (op.ts < w.ts || op.ts > w.ts + w.duration) {
      // bpftrace 0.24+ does not report every loss (it counts CPU 0's only), so a window whose
      // last ops were lost may meet the next window's ops unannounced: their times tell.
      this.error(this.lineNo, { code: 'op_outside_window', opTs: op.ts, windowStart: w.ts, windowEnd: w.ts + w.duration });
      this.dropSummary(s.cpu, this.lineNo);
      return;
    }
    this.received(s.ts, s.ts);
    pending.ops.push(op);
    if (pending.ops.length === pending.nops) {
      this.summaries.delete(s.cpu);
      const ops = [...pending.ops].sort((a, b) => a.ts - b.ts);
      this.emit({ ...pending.event, ops });
    }
  }

  /** Reports the summary of `cpu` waiting for op lines, if any, and forgets it. */
  private dropSummary(cpu: number, interruptedAt: number | null): void {
    const s = this.summaries.get(cpu);
    if (s === undefined) {
      return;
    }
    this.summaries.delete(cpu);
    this.error(s.line, { code: 'summary_incomplete', expected: s.nops, received: s.ops.length, interruptedAt });
    // The window's record is lost: say so where it was, so that nothing it overlaps is proven
    // from an absence the lost record could contradict.
    this.emit({ kind: 'lost', ts: s.event.ts, cpu: s.event.cpu, tid: s.event.tid, count: 1, span: s.event.duration });
  }

  private dropSummaries(interruptedAt: number | null): void {
    for (const cpu of [...this.summaries.keys()]) {
      this.dropSummary(cpu, interruptedAt);
    }
  }

  // ---- header ----

  /** The header, sealing it now if needed (`firstAbs`: the first event line's time). */
  private seal(firstAbs: bigint | undefined, firstBody = ''): CaptureHeader {
    if (this.sealed !== undefined) {
      return this.sealed;
    }
    const notes: string[] = [];
    if (this.probes.length === 0) {
      notes.push(NO_PROBE_PLAN_NOTE);
    }
    if (this.target === undefined) {
      notes.push('no target line in the input: host, kernel release, arch and bpftrace version are unknown; PREEMPT_RT is assumed off');
    }
    if (firstAbs === undefined) {
      notes.push('no event lines in the input: the time base is 0');
    } else {
      notes.push(`times are relative to 1 s before the first event line (nsecs ${firstAbs})`);
    }
    const json = this.firstSyntax === undefined ? this.sawJson : this.firstSyntax === 'json';
    this.sealed = makeHeader({
      target: this.target ?? UNKNOWN_TARGET,
      clock: 'CLOCK_MONOTONIC',
      baseNs: firstAbs === undefined ? 0n : firstAbs - BASE_LEAD_NS,
      startWallTime: '',
      addrBias: chooseAddrBias(firstBody),
      probes: [...this.probes],
      offsets: [...this.offsets],
      grain: this.grain ?? 'raw',
      source: json ? SOURCE_JSON : SOURCE_TEXT,
      notes,
    });
    return this.sealed;
  }

  // ---- losses ----

  private lossNotice(count: number): void {
    // The lost events may be op lines of a summary still waiting for them, and a later window's
    // op lines could then complete it with facts that are not its own: a loss ends every wait.
    this.dropSummaries(this.lineNo);
    this.lostNotices++;
    this.lostEvents += count;
    const lo = this.minSinceNotice === undefined ? this.lastLo : (this.minSinceNotice as RelNs);
    if (lo !== undefined) {
      this.lastLo = lo;
    }
    this.minSinceNotice = undefined;
    this.pendingLosses.push({ count, lo });
  }

  /** An event line was received with time `ts`, written at `end` (≥ ts). */
  private received(ts: RelNs, end: number): void {
    this.maxTs = Math.max(this.maxTs ?? end, end);
    this.closeLosses(ts);
    this.minSinceNotice = Math.min(this.minSinceNotice ?? ts, ts);
  }

  /** Emits the pending losses; `closing` is the time of the event that closes them, if any. */
  private closeLosses(closing: RelNs | undefined): void {
    if (this.pendingLosses.length === 0) {
      return;
    }
    const fallback = closing ?? (this.maxTs as RelNs | undefined);
    for (const loss of this.pendingLosses) {
      const lo = loss.lo ?? fallback ?? (0 as RelNs);
      this.lastLo ??= lo;
      const span = this.maxTs === undefined ? 0 : this.maxTs - lo;
      this.emit({ kind: 'lost', ts: lo, cpu: -1, tid: 0, count: loss.count, span: span as DurationNs });
    }
    this.pendingLosses = [];
  }

  // ---- output ----

  private emit(e: CaptureEvent): void {
    this.events++;
    this.out.push(e);
  }

  private error(line: number, detail: ImportErrorDetail): void {
    this.errorCount++;
    if (this.errors.length < MAX_STORED_ERRORS) {
      this.errors.push({ ...detail, line });
    }
  }
}

/** Imports a whole input at once (tests, small files): the result and every event. */
export function importBpftrace(lines: Iterable<string>): { readonly result: ImportResult; readonly events: CaptureEvent[] } {
  const importer = new BpftraceImporter();
  const events: CaptureEvent[] = [];
  for (const l of lines) {
    importer.line(l);
    events.push(...importer.drain());
  }
  const result = importer.finish();
  events.push(...importer.drain());
  return { result, events };
}
