/**
 * The bpftrace program for a probe plan, from the templates in bpf/ (embedded as
 * templates.generated.ts). Pure: plan + bpftrace version + options in, program text out.
 *
 * In the kernel, per walk window: the entry records req (work - offset of io_kiocb.work), the
 * lock &ctx->uring_lock, req->link, the held state judged from the owner word, flags and, where
 * the window hands the next work back through a pointer, that pointer, in ONE per-thread map
 * value (a tuple; small values packed as bits of one word, the owner word's flag bits among
 * them; only another task's owner word is kept aside, in a map of its own); the mutex probes
 * record only operations of a thread inside a window on that window's lock, up to `maxOps`, and
 * follow whether they are the one routine sequence (acquire and acquired with req->link as at
 * entry, release with it cleared). A routine operation is kept in the state itself (its time,
 * and the acquire's API: the rest the sequence implies); any other goes to a map of operations
 * (time, op code, API code, req->link read then). Every field costs each probe that copies the
 * state (bpftrace copies map tuples byte by byte), so the state holds only what the return
 * needs. The return classifies the window by shape (held at
 * entry with no operation; not held with exactly acquire, acquired, release around the walk; not
 * held with no operation; a chain tail; anything else), counts it per ring, CPU and class in one
 * map value (which also holds when the last one was recorded), and prints ONE `window_summary`
 * line and its `window_op` lines for every window of no routine class and, of the others, the
 * first of each kind on each ring and CPU after every `evidencePeriodMs` (a bounded output rate
 * at any window rate). Contended waits on a tracked lock are counted the same way per ring and
 * CPU, the first every `evidencePeriodMs` printed as its begin and end lines. Per ring and CPU,
 * `counted` lines (windows of each class, those not recorded, and their span) and
 * `contention_counted` lines (waits, their sum and longest) are printed every `totalsMs` and at
 * END; the reader sums them. analysis/counted-walks.ts gives each class the verdict a recorded
 * window of that shape gets.
 *
 * Why a sample: printing a record per window cost the 6.1 lab's workload nine times what the
 * probes themselves cost (bench/overhead); the 512-byte BPF stack is why the state is one packed
 * tuple, held=, op= and api= are printed as codes (one printf each) and the return counts after
 * printing (fewer values live across helper calls).
 *
 * Version differences: bpftrace before 0.18 has no `offsetof` (offsets from BTF go in as
 * validated integer constants) and mis-hashes map keys built from a string ternary (the program
 * never builds one: op kinds and held states are printed by branch, one literal each); fentry
 * probes are `kfunc:`/`kretfunc:` with `args->` before 0.20, `fentry:`/`fexit:` with `args.`
 * from 0.20; tracepoint fields are `args->f` before 0.20 and `args.f` from it. From 0.20 the
 * program sizes bpftrace's output buffer itself with a `config = { perf_rb_pages = N }` block:
 * from 0.18 every printf goes through ONE BPF ring buffer of perf_rb_pages pages in all (0.17's
 * perf buffers had that many pages per CPU), and at sid lab rates a 4 MiB ring lost most lines
 * (bpftrace 0.27.1, 8 s of linkstorm, bpftrace left to drain before SIGINT: 6,534 of 44,152
 * summaries kept with 1,024 pages, all 50,860 with 16,384). The buffer only helps if bpftrace is
 * let drain it: on SIGINT bpftrace drops every line still queued without counting it as lost.
 * 0.17 has no config block: its size comes from BPFTRACE_PERF_RB_PAGES (the session script sets
 * it only for a program without a config block: the variable would override the block).
 */
import { MAX_WINDOW_OPS } from '../capture/event-codec.js';
import type { LockApi, WindowOpKind } from '../capture/events.js';
import { LOCK_APIS, WINDOW_OPS } from '../capture/events.js';
import type { ProbeSite } from '../capture/header.js';
import { DEFAULT_EVIDENCE_PERIOD_MS, MAX_EVIDENCE_PERIOD_MS } from './evidence-period.js';
import type { LayoutMember } from '../plan/kernel-layout.js';
import type { LockProbe, ProbePlan } from '../plan/probe-plan.js';
import type { BpftraceVersion } from '../target/bpftrace-version.js';
import { formatVersion, versionAtLeast } from '../target/bpftrace-version.js';
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import { isHeaderValue, isOffset, isProbeSymbol, printfLiteral } from './bpftrace-text.js';
import { fill, templateSections } from './template.js';

export const TEMPLATE_FILE = 'lockscope.bt.tmpl';

export interface ProgramOptions {
  /** Lock operations kept per window in the kernel (1..MAX_WINDOW_OPS); more set overflow=1. */
  readonly maxOps?: number;
  /** Interval of the totals lines, in ms (100..3,600,000). */
  readonly totalsMs?: number;
  /** CPUs whose per-ring counters are summed (1..63): give the target's CPU count. */
  readonly maxCpus?: number;
  /** Rings remembered per CPU for the totals (1..16). */
  readonly ringsPerCpu?: number;
  /**
   * Pages of bpftrace's output ring buffer (bpftrace >= 0.20, set in the program's config block;
   * a power of two, 64..65536): it must hold every line bpftrace has not printed yet.
   */
  readonly outputPages?: number;
  /**
   * Routine windows recorded in full: the first of each kind on each ring and CPU, then the
   * first after each `evidencePeriodMs` (0..60,000; 0 records every window). The others are
   * counted by class in the kernel (`counted` lines); windows of no routine class are always
   * recorded.
   */
  readonly evidencePeriodMs?: number;
}

/** 16,384 pages (64 MiB): an 8 s sid lab run (50,860 windows, 114,435 lock operations) fit whole. */
export const DEFAULT_OUTPUT_PAGES = 16_384;

export { DEFAULT_EVIDENCE_PERIOD_MS } from './evidence-period.js';

export const DEFAULT_PROGRAM_OPTIONS: Required<ProgramOptions> = {
  maxOps: 16,
  totalsMs: 1000,
  maxCpus: 8,
  ringsPerCpu: 4,
  outputPages: DEFAULT_OUTPUT_PAGES,
  evidencePeriodMs: DEFAULT_EVIDENCE_PERIOD_MS,
};

/** The per-CPU perf buffer pages the usage line of a program without a config block (0.17) names. */
const LEGACY_ENV_PAGES = 1024;

export type ProgramError =
  | { readonly code: 'bad_option'; readonly option: keyof ProgramOptions; readonly value: number; readonly reason: string }
  | { readonly code: 'bad_offset'; readonly member: string; readonly value: number }
  | { readonly code: 'bad_symbol'; readonly symbol: string }
  | { readonly code: 'bad_header_value'; readonly key: string; readonly value: string }
  | { readonly code: 'nothing_to_trace'; readonly reason: string };

export function describeProgramError(e: ProgramError): string {
  switch (e.code) {
    case 'bad_option':
      return `--${e.option} ${e.value}: ${e.reason}`;
    case 'bad_offset':
      return `the BTF offset of ${e.member} is ${e.value}, not a byte offset a struct can have: the BTF reading is wrong`;
    case 'bad_symbol':
      return `kernel symbol ${JSON.stringify(e.symbol)} cannot be named in a bpftrace probe (only letters, digits and _)`;
    case 'bad_header_value':
      return `${e.key}=${JSON.stringify(e.value)} cannot go into an LS1 header line (blanks, quotes or other characters)`;
    case 'nothing_to_trace':
      return `nothing to trace: ${e.reason}`;
  }
}

export interface GeneratedProgram {
  readonly text: string;
  /** The probe names in the program, in order ("kprobe:io_wq_put_work", "tracepoint:lock:contention_begin", …). */
  readonly attachPoints: readonly string[];
}

interface Dialect {
  readonly offsetof: boolean;
  /** Tracepoint field prefix. */
  readonly tp: string;
  /** fentry argument prefix. */
  readonly fargs: string;
  readonly fentry: string;
  readonly fexit: string;
  /** `config = { ... }` at the top of a program (0.20). */
  readonly configBlock: boolean;
}

function dialect(v: BpftraceVersion): Dialect {
  const modern = versionAtLeast(v, 0, 20);
  return {
    offsetof: versionAtLeast(v, 0, 18),
    tp: modern ? 'args.' : 'args->',
    fargs: modern ? 'args.' : 'args->',
    fentry: modern ? 'fentry' : 'kfunc',
    fexit: modern ? 'fexit' : 'kretfunc',
    configBlock: modern,
  };
}

function checkOption(key: keyof ProgramOptions, value: number, min: number, max: number): ProgramError | undefined {
  return Number.isSafeInteger(value) && value >= min && value <= max ? undefined : { code: 'bad_option', option: key, value, reason: `must be an integer from ${min} to ${max}` };
}

function checkPowerOfTwo(key: keyof ProgramOptions, value: number, min: number, max: number): ProgramError | undefined {
  const pow2 = Number.isSafeInteger(value) && value > 0 && (value & (value - 1)) === 0;
  return pow2 && value >= min && value <= max ? undefined : { code: 'bad_option', option: key, value, reason: `must be a power of two from ${min} to ${max}` };
}

/** `offsetof(struct S, m)` where bpftrace has it and the member is named directly, else the BTF constant. */
function offsetExpr(d: Dialect, plan: ProbePlan, member: LayoutMember): Result<string, ProgramError> {
  const o = plan.layout?.offsets[member];
  if (o === undefined || !isOffset(o.offset)) {
    return err({ code: 'bad_offset', member, value: o?.offset ?? -1 });
  }
  // io_ring_ctx.uring_lock sits inside an anonymous struct: the constant is what BTF resolved.
  if (d.offsetof && member !== 'io_ring_ctx.uring_lock') {
    const [container, field] = member.split('.');
    return ok(`(uint64)offsetof(struct ${container ?? ''}, ${field ?? ''})`);
  }
  return ok(String(o.offset));
}

function headerPrintfs(plan: ProbePlan, version: BpftraceVersion): Result<string[], ProgramError> {
  const t = plan.target;
  const pairs: [string, string][] = [
    ['host', t.host],
    ['release', t.kernelRelease],
    ['arch', t.arch],
    ['bpftrace', formatVersion(version)],
  ];
  for (const [key, value] of pairs) {
    if (!isHeaderValue(value)) {
      return err({ code: 'bad_header_value', key, value });
    }
  }
  const rt = t.preemptRt === 'unknown' ? '' : ` rt=${t.preemptRt === 'yes' ? 1 : 0}`;
  const lines = [`LS1 target ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}${rt}`];
  for (const p of plan.probes) {
    if (!isHeaderValue(p.target)) {
      return err({ code: 'bad_header_value', key: 'target', value: p.target });
    }
    lines.push(`LS1 probe role=${p.role} target=${p.target} mechanism=${p.mechanism} status=${p.status} counted=${p.missesCounted ? 1 : 0} reason=${p.reason}`);
  }
  for (const o of plan.offsets) {
    if (!isOffset(o.offset) || !isOffset(o.size)) {
      return err({ code: 'bad_offset', member: o.member, value: isOffset(o.offset) ? o.size : o.offset });
    }
    lines.push(`LS1 offset member=${o.member} offset=${o.offset} size=${o.size}`);
  }
  lines.push(`LS1 grain ${plan.window.kind === 'none' ? 'raw' : 'summary'}`);
  return ok(lines.map((l) => `  printf("${printfLiteral(l)}\\n");`));
}

function attached(plan: ProbePlan, role: ProbeSite['role'], target: string): boolean {
  return plan.probes.some((p) => p.role === role && p.target === target && p.status === 'attached');
}

function successExpr(l: LockProbe): string {
  switch (l.success) {
    case 'always':
      return '1';
    case 'ret_one':
      return '(int64)retval == 1';
    case 'ret_zero':
      return '(int64)retval == 0';
  }
}

export function generateProgram(plan: ProbePlan, version: BpftraceVersion, options: ProgramOptions = {}): Result<GeneratedProgram, ProgramError> {
  const o = { ...DEFAULT_PROGRAM_OPTIONS, ...options };
  const bad =
    checkOption('maxOps', o.maxOps, 1, MAX_WINDOW_OPS) ??
    checkOption('totalsMs', o.totalsMs, 100, 3_600_000) ??
    checkOption('maxCpus', o.maxCpus, 1, 63) ??
    checkOption('ringsPerCpu', o.ringsPerCpu, 1, 16) ??
    checkPowerOfTwo('outputPages', o.outputPages, 64, 65_536) ??
    checkOption('evidencePeriodMs', o.evidencePeriodMs, 0, MAX_EVIDENCE_PERIOD_MS);
  if (bad !== undefined) {
    return err(bad);
  }
  const d = dialect(version);
  const s = templateSections(TEMPLATE_FILE);
  const parts: string[] = [];
  const points: string[] = [];
  const w = plan.window;
  const tps = plan.tracepoints;

  const traces: string[] = [];
  if (w.kind !== 'none') {
    traces.push(`${w.symbol} entry/return (${plan.mechanism}), ${[...plan.lockApis.map((l) => l.symbol), plan.unlockSymbol ?? ''].filter((x) => x !== '').join(', ')} (filtered)`);
  }
  const tpNames = [
    tps.submit,
    tps.link ? 'io_uring:io_uring_link' : undefined,
    tps.queueAsync ? 'io_uring:io_uring_queue_async_work' : undefined,
    tps.complete ? 'io_uring:io_uring_complete' : undefined,
    tps.failLink ? 'io_uring:io_uring_fail_link' : undefined,
    tps.contention ? 'lock:contention_begin/end (filtered)' : undefined,
  ].filter((x) => x !== undefined);
  if (tpNames.length > 0) {
    traces.push(`tracepoints ${tpNames.join(', ')}`);
  }
  if (traces.length === 0) {
    return err({ code: 'nothing_to_trace', reason: w.kind === 'none' ? w.reason : 'the plan attaches no probe' });
  }
  parts.push(
    fill(s, 'header', {
      TARGET_DESC: printfLiteral(`${plan.target.host} (${plan.target.kernelRelease}, bpftrace ${formatVersion(version)})`).replace(/\*\//g, '* /'),
      TRACES: traces.join('; ').replace(/\*\//g, '* /'),
      TOTALS_MS: String(o.totalsMs),
      EVIDENCE_PERIOD_MS: String(o.evidencePeriodMs),
      USAGE_ENV: d.configBlock ? '' : `BPFTRACE_PERF_RB_PAGES=${LEGACY_ENV_PAGES} `,
      USAGE_NOTE: d.configBlock
        ? `the config block sizes bpftrace's one output ring buffer: ${o.outputPages} pages; BPFTRACE_PERF_RB_PAGES would override it`
        : `bpftrace's default 64 pages per CPU lost 70% of the summaries at 6.1 lab rates; ${LEGACY_ENV_PAGES} lost none`,
    }),
  );
  if (d.configBlock) {
    parts.push(fill(s, 'config', { OUTPUT_PAGES: String(o.outputPages) }));
  }
  const header = headerPrintfs(plan, version);
  if (!header.ok) {
    return header;
  }
  parts.push(fill(s, 'begin', { HEADER_PRINTFS: header.value.join('\n') }));

  let lockRegistered = false;
  /** Lists the ring whose lock is `lock` on this CPU ($c) for the totals, once. */
  const registerRing = (lock: string): string => fill(s, 'register_ring', { LOCK: lock, MAX_CPUS: String(o.maxCpus), RINGS_PER_CPU: String(o.ringsPerCpu) });
  /** The offset of uring_lock in io_ring_ctx, as the program writes it: ctx = lock - it. */
  let uringLockOff = '';
  if (w.kind !== 'none') {
    const symbols = [w.symbol, ...plan.lockApis.map((l) => l.symbol), ...(plan.unlockSymbol === undefined ? [] : [plan.unlockSymbol])];
    const badSymbol = symbols.find((x) => !isProbeSymbol(x));
    if (badSymbol !== undefined) {
      return err({ code: 'bad_symbol', symbol: badSymbol });
    }
    const offs: Partial<Record<LayoutMember, string>> = {};
    for (const m of ['io_kiocb.work', 'io_kiocb.ctx', 'io_kiocb.flags', 'io_kiocb.link', 'io_ring_ctx.uring_lock'] as const) {
      const e = offsetExpr(d, plan, m);
      if (!e.ok) {
        return e;
      }
      offs[m] = e.value;
    }
    uringLockOff = offs['io_ring_ctx.uring_lock'] ?? '';
    const flagsSize = plan.layout?.offsets['io_kiocb.flags'].size;
    if (flagsSize !== 4 && flagsSize !== 8) {
      return err({ code: 'bad_offset', member: 'io_kiocb.flags (size)', value: flagsSize ?? -1 });
    }
    const fentry = plan.mechanism === 'fentry';
    const entryName = (sym: string): string => `${fentry ? d.fentry : 'kprobe'}:${sym}`;
    const returnName = (sym: string): string => `${fentry ? d.fexit : 'kretprobe'}:${sym}`;
    const proto = w.kind === 'returns_next_req' ? plan.layout?.prototypes.io_req_find_next : w.kind === 'linked_out' ? plan.layout?.prototypes.io_wq_put_work : plan.layout?.prototypes.io_wq_free_work;
    const argName = (i: number): string => proto?.params[i] ?? '';
    const arg = (i: number): Result<string, ProgramError> => {
      if (!fentry) {
        return ok(`arg${i}`);
      }
      const name = argName(i);
      return isProbeSymbol(name) ? ok(`${d.fargs}${name}`) : err({ code: 'bad_symbol', symbol: name });
    };
    const a0 = arg(0);
    if (!a0.ok) {
      return a0;
    }
    // The linked-out pointer is the state's last field, there only where the window hands the
    // next work back through it: every field costs each probe that copies the state.
    let linkedField = '';
    let linkedKeep = '';
    if (w.kind === 'linked_out') {
      const a1 = arg(1);
      if (!a1.ok) {
        return a1;
      }
      linkedField = `, (uint64)${a1.value}`;
      linkedKeep = ', $w.7';
    }
    const owner = plan.ownerWord;
    if (owner !== undefined && !isOffset(owner.offset)) {
      return err({ code: 'bad_offset', member: 'mutex.owner', value: owner.offset });
    }
    const ownerRead =
      owner === undefined
        ? '  $owner = (uint64)0;\n  $held = (uint64)0;'
        : [
            `  $owner = *(uint64 *)($lock + ${d.offsetof ? '(uint64)offsetof(struct mutex, owner)' : String(owner.offset)});`,
            '  $held = (uint64)2;',
            '  if (($owner & 0xfffffffffffffff8) == (uint64)curtask) {',
            '    $held = (uint64)1;',
            '  }',
            '  // Flag bits without an owner (e.g. 0x1: free, with waiters) read as free: only owner & ~7 matters.',
            '  if (($owner & 0xfffffffffffffff8) == 0) {',
            '    $owner = (uint64)0;',
            '  }',
          ].join('\n');
    parts.push(
      fill(s, 'window_entry', {
        ENTRY_PROBE: entryName(w.symbol),
        REQ_FROM_ARGS: w.kind === 'returns_next_req' ? `(uint64)${a0.value}` : `(uint64)${a0.value} - ${offs['io_kiocb.work'] ?? ''}`,
        OFF_CTX: offs['io_kiocb.ctx'] ?? '',
        OFF_URING_LOCK: offs['io_ring_ctx.uring_lock'] ?? '',
        OFF_LINK: offs['io_kiocb.link'] ?? '',
        OFF_FLAGS: offs['io_kiocb.flags'] ?? '',
        FLAGS_TYPE: flagsSize === 4 ? 'uint32' : 'uint64',
        OWNER_READ: ownerRead,
        LINKED_FIELD: linkedField,
      }),
    );
    points.push(entryName(w.symbol));
    const lockArg = fentry ? `${d.fargs}lock` : 'arg0';
    // An operation is kept as (time, op code, api code, req->link): the codes are the op's and
    // the API's places in WINDOW_OPS and LOCK_APIS, printed by one printf.
    const opCode = (op: WindowOpKind): string => String(WINDOW_OPS.indexOf(op));
    const apiCode = (api: LockApi): string => String(LOCK_APIS.indexOf(api));
    for (const l of plan.lockApis) {
      parts.push(fill(s, 'lock_acquire', { PROBE: entryName(l.symbol), LOCK_ARG: lockArg, LINKED_KEEP: linkedKeep, MAX_OPS: String(o.maxOps), OP: opCode('acquire'), API: apiCode(l.api), OFF_LINK: offs['io_kiocb.link'] ?? '' }));
      parts.push(
        fill(s, 'lock_acquired', {
          PROBE: returnName(l.symbol),
          SUCCESS: successExpr(l),
          LINKED_KEEP: linkedKeep,
          MAX_OPS: String(o.maxOps),
          OP: opCode('acquired'),
          OP_FAILED: opCode('acquire_failed'),
          API: apiCode(l.api),
          OFF_LINK: offs['io_kiocb.link'] ?? '',
        }),
      );
      points.push(entryName(l.symbol), returnName(l.symbol));
    }
    if (plan.unlockSymbol !== undefined) {
      parts.push(fill(s, 'lock_release', { PROBE: entryName(plan.unlockSymbol), LOCK_ARG: lockArg, LINKED_KEEP: linkedKeep, MAX_OPS: String(o.maxOps), OP: opCode('release'), API: apiCode('mutex_lock'), OFF_LINK: offs['io_kiocb.link'] ?? '' }));
      points.push(entryName(plan.unlockSymbol));
    }
    const workOff = offs['io_kiocb.work'] ?? '';
    // Under fexit, retval is a typed kernel pointer to the verifier, and LLVM folds two tests for
    // zero into one OR of the values: "bitwise operator on pointer prohibited" (sid lab, 0.27).
    // Through a map it comes back a plain number (fexit plans only: kretprobe's is one already).
    const rawReturn = fentry ? ['    @ls_rv[tid] = (uint64)retval;', '    $rv = @ls_rv[tid];', '    delete(@ls_rv[tid]);'] : ['    $rv = (uint64)retval;'];
    const nextFrom =
      w.kind === 'returns_next_req'
        ? [...rawReturn, '    $next = $rv;'].join('\n')
        : [
            ...(w.kind === 'linked_out' ? ['    $nw = *(uint64 *)($w.7);'] : [...rawReturn, '    $nw = $rv;']),
            '    $next = (uint64)0;',
            '    if ($nw != 0) {',
            `      $next = $nw - ${workOff};`,
            '    }',
          ].join('\n');
    parts.push(
      fill(s, 'window_return', {
        RETURN_PROBE: returnName(w.symbol),
        NEXT_FROM_RETURN: nextFrom,
        SUMMARY: fill(s, 'summary_printf', { SITE: w.site, OFF_URING_LOCK: offs['io_ring_ctx.uring_lock'] ?? '' }),
        OP_PRINTF: fill(s, 'op_printf', {}),
        ROUTINE_OP_PRINTF: fill(s, 'routine_op_printf', {
          OP_ACQUIRE: opCode('acquire'),
          OP_ACQUIRED: opCode('acquired'),
          OP_RELEASE: opCode('release'),
          API_RELEASE: apiCode('mutex_lock'),
        }),
        EVIDENCE_PERIOD_NS: String(o.evidencePeriodMs * 1_000_000),
        MAX_OPS: String(o.maxOps),
        MAX_CPUS: String(o.maxCpus),
        REGISTER_RING: registerRing('$w.2'),
      }),
    );
    points.push(returnName(w.symbol));
    lockRegistered = true;
  }

  const tp = d.tp;
  if (tps.submit !== undefined) {
    const lockOff = plan.layout?.offsets['io_ring_ctx.uring_lock'].offset;
    const register = w.kind === 'none' && tps.contention && lockOff !== undefined && isOffset(lockOff) ? `  @ls_locks[(uint64)${tp}ctx + ${lockOff}] = 1;` : '';
    lockRegistered ||= register !== '';
    parts.push(fill(s, 'tp_submit', { SUBMIT_TP: tps.submit, REGISTER_LOCK: register, TP: tp }));
    points.push(`tracepoint:${tps.submit}`);
  }
  const simple: readonly [boolean, string, string][] = [
    [tps.link, 'tp_link', 'tracepoint:io_uring:io_uring_link'],
    [tps.queueAsync, 'tp_queue_async', 'tracepoint:io_uring:io_uring_queue_async_work'],
    [tps.complete, 'tp_complete', 'tracepoint:io_uring:io_uring_complete'],
    [tps.failLink, 'tp_fail_link', 'tracepoint:io_uring:io_uring_fail_link'],
  ];
  for (const [on, section, point] of simple) {
    if (on) {
      parts.push(fill(s, section, { TP: tp }));
      points.push(point);
    }
  }
  // With walk windows, waits on a tracked lock are counted per ring and CPU in the kernel and a
  // sample printed (contention_counted); without (no ring lists, no totals), every wait is printed.
  const contention = tps.contention && lockRegistered;
  const countContention = contention && w.kind !== 'none';
  if (contention) {
    parts.push(
      countContention
        ? fill(s, 'contention_counted', { TP: tp, EVIDENCE_PERIOD_NS: String(o.evidencePeriodMs * 1_000_000), MAX_CPUS: String(o.maxCpus), REGISTER_RING: registerRing('$lk') })
        : fill(s, 'contention', { TP: tp }),
    );
    points.push('tracepoint:lock:contention_begin', 'tracepoint:lock:contention_end');
  }
  if (w.kind !== 'none') {
    const body = fill(s, 'totals_body', {
      MAX_CPUS: String(o.maxCpus),
      RINGS_PER_CPU: String(o.ringsPerCpu),
      SITE: w.site,
      OFF_URING_LOCK: uringLockOff,
      CONTENTION_TOTALS: countContention ? fill(s, 'contention_totals', { OFF_URING_LOCK: uringLockOff }) : '',
    });
    parts.push(
      fill(s, 'totals', {
        TOTALS_MS: String(o.totalsMs),
        TOTALS_BODY: body,
        MAX_CPUS: String(o.maxCpus),
        RINGS_PER_CPU: String(o.ringsPerCpu),
        CONTENTION_END: countContention ? fill(s, 'contention_end', {}) : '',
      }),
    );
    points.push(`interval:ms:${o.totalsMs}`);
  } else if (lockRegistered) {
    parts.push(fill(s, 'end_only', {}));
  }
  // Sites the header says are attached must be in the program, and no more.
  for (const p of plan.probes) {
    if (p.status === 'attached' && p.mechanism === 'tracepoint' && !points.includes(`tracepoint:${p.target}`)) {
      return err({ code: 'nothing_to_trace', reason: `tracepoint ${p.target} is planned as attached but the program cannot attach it` });
    }
  }
  if (w.kind !== 'none' && !attached(plan, 'window_entry', w.symbol)) {
    throw new Error('plan has a window but no attached window_entry site');
  }
  return ok({ text: `${parts.join('\n\n')}\n`, attachPoints: points });
}
