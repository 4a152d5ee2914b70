/**
 * The one contract between the UI and the engine: every request the renderer may make, with its
 * argument and result types, and every event the engine pushes to it.
 *
 * Both shells carry exactly this: Electron through `ipcMain.handle` / the preload bridge
 * (main/electron/ipc-main.ts, main/electron/preload.cts), the browser through `lockscope serve`
 * (POST /api/<method>, events over Server-Sent Events). Everything here is plain JSON: addresses
 * are hex strings as the kernel prints them, times are nanoseconds since the capture's base as
 * numbers (exact below 2^53 ns, 104 days), so no bigint crosses the boundary.
 *
 * The arguments of every method are checked on arrival by app-schemas.ts: the renderer is not
 * trusted. Expected failures come back as `{ ok: false, error }` with a message a user can act on;
 * only bugs reject the promise.
 */
import type { AnalysisSummary } from '../analysis/analysis-summary.js';
import type { TimingMetric } from '../analysis/timing-stats.js';
import type { LockState, UnknownReason, VerdictName, WalkProof, LockProof } from '../analysis/verdict.js';
import type { SessionCounters } from '../session/session-progress.js';
import type { SummaryStats } from '../stats/summary-stats.js';
import type { PreflightCheck } from '../target/preflight-check.js';

/** What went wrong, in a form the UI can show as it is. */
export interface AppError {
  readonly code: AppErrorCode;
  /** What happened, to what, and what the user can do next. */
  readonly message: string;
}

export type AppErrorCode =
  | 'bad_request' // the arguments failed validation (a bug in the renderer, or a hostile one)
  | 'not_found' // no capture, walk, target or session with that id
  | 'open_failed' // the file could not be read or is not a capture
  | 'corrupt' // the capture is damaged; what came before the damage is still analysed
  | 'target_failed' // preflight or a session could not reach or use the target
  | 'busy' // a session is already running on that target
  | 'denied'; // the sender is not the app's own window (Electron), or the token is wrong (serve)

export type AppResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: AppError };

/** Where an open capture came from. */
export type CaptureOrigin = 'bundled' | 'file' | 'upload' | 'session';

export interface CaptureInfo {
  readonly id: string;
  /** The file's name (no directory), as a tab title. */
  readonly name: string;
  /** The full path where there is one (bundled, file, session). */
  readonly path: string | undefined;
  readonly origin: CaptureOrigin;
  readonly bytes: number;
  /** The capture ended cleanly (a footer); false for a truncated or growing file. */
  readonly complete: boolean;
  /** What is wrong with the file, already phrased for the user (truncation, corruption). */
  readonly notes: readonly string[];
  /** The session that writes it, while one does. */
  readonly sessionId: string | undefined;
}

/** The verdict summary of one capture: the core's AnalysisSummary, as `analyze --json` prints it. */
export interface CaptureSummary {
  readonly capture: CaptureInfo;
  readonly summary: AnalysisSummary;
  /** `lockscope analyze`'s exit code for this capture: 0 all held, 1 a violation, 3 unproven, 2 corrupt. */
  readonly exitCode: number;
  /** Milliseconds the engine spent decoding and analysing. */
  readonly analysisMs: number;
}

/** One row of the verdicts table. */
export interface WalkRow {
  readonly index: number;
  readonly rule: string;
  readonly verdict: VerdictName;
  /** UNKNOWN only: the reason code and its text. */
  readonly reason: UnknownReason | undefined;
  readonly reasonText: string | undefined;
  readonly start: number;
  readonly end: number | undefined;
  readonly cpu: number;
  readonly tid: number;
  readonly task: string;
  readonly req: string;
  readonly next: string;
  readonly ctx: string;
  readonly lock: string;
  readonly site: string;
}

export type VerdictFilter = VerdictName | 'ALL';

export interface WalkQuery {
  readonly captureId: string;
  readonly verdict: VerdictFilter;
  /** A ring's ctx address (hex), or undefined for all rings. */
  readonly ctx: string | undefined;
  /** A task's tid, or undefined for all tasks. */
  readonly tid: number | undefined;
  /** Walks that started in [fromNs, toNs); undefined bounds are open. */
  readonly fromNs: number | undefined;
  readonly toNs: number | undefined;
  readonly offset: number;
  /** At most 1000 rows per page. */
  readonly limit: number;
}

export interface WalkPage {
  /** Rows matching the filter, in all. */
  readonly total: number;
  readonly offset: number;
  readonly rows: readonly WalkRow[];
}

/** One fact a verdict rests on (the core's Evidence, with addresses as hex). */
export type EvidenceView =
  | { readonly type: 'entry'; readonly ts: number; readonly site: string; readonly link: string; readonly owner: string; readonly task: string; readonly state: LockState; readonly basis: string }
  | { readonly type: 'lock_op'; readonly ts: number; readonly op: string; readonly api: string; readonly lock: string; readonly link: string | undefined }
  | { readonly type: 'exit'; readonly ts: number; readonly next: string }
  | { readonly type: 'walk_span'; readonly from: number; readonly to: number; readonly state: LockState }
  | { readonly type: 'coverage'; readonly probes: number; readonly from: number; readonly to: number };

/** A span on one task's lane of the request timeline. */
export interface LaneSpan {
  readonly kind: 'held' | 'waited' | 'window' | 'contended';
  readonly from: number;
  /** undefined: still open where the capture ends. */
  readonly to: number | undefined;
}

/** A point on a lane: the walk, a lifecycle event, a lock operation. */
export interface LaneMark {
  readonly kind: 'walk' | 'submit' | 'link' | 'queue_async' | 'complete' | 'fail_link' | 'free' | 'lock_call' | 'lock_acquired' | 'unlock';
  readonly ts: number;
  readonly text: string;
}

export interface Lane {
  readonly tid: number;
  readonly label: string;
  readonly spans: readonly LaneSpan[];
  readonly marks: readonly LaneMark[];
}

/** One walk with everything that decides it: the request timeline view. */
export interface WalkDetail {
  readonly row: WalkRow;
  readonly walkProof: WalkProof | undefined;
  readonly lockProof: LockProof | undefined;
  /** UNKNOWN only: what exactly was missing. */
  readonly detail: string | undefined;
  readonly evidence: readonly EvidenceView[];
  /** The chain neighbours: the walk that returned this request as next, and the walk of the request this one returned. */
  readonly previous: number | undefined;
  readonly following: number | undefined;
  /** The time range the lanes cover (the window with a margin either side). */
  readonly fromNs: number;
  readonly toNs: number;
  readonly lanes: readonly Lane[];
  /** The same walk as `lockscope inspect --walk N` prints it. */
  readonly text: string;
}

/** A lifecycle event of one request address (its lines of `lockscope inspect --req`). */
export interface RequestEvent {
  readonly ts: number;
  readonly kind: Extract<LaneMark['kind'], 'submit' | 'link' | 'queue_async' | 'complete' | 'fail_link' | 'free'>;
  readonly text: string;
}

/** One request address across the capture, as `lockscope inspect --req ADDR` shows it. */
export interface RequestLookup {
  /** The address as the capture prints it. */
  readonly addr: string;
  /** Walks whose req or next is this address, in walk order (at most 1000). */
  readonly walks: readonly WalkRow[];
  /** Walks involving it, in all (more than `walks.length` when cut at 1000). */
  readonly walkTotal: number;
  /** Events that mention the address, in all. */
  readonly events: number;
  /** Its submit, link, queue, complete, fail_link and free events, in time order (the first 2000 the capture holds). */
  readonly lifecycle: readonly RequestEvent[];
  /** Lifecycle events in all (more than `lifecycle.length` when cut at 2000). */
  readonly lifecycleTotal: number;
}

/** Series over capture time decimated to about one point per pixel. */
export interface TimelineQuery {
  readonly captureId: string;
  readonly fromNs: number | undefined;
  readonly toNs: number | undefined;
  /** Buckets wanted (the chart's width in pixels). */
  readonly buckets: number;
}

export interface TimelineSeries {
  readonly fromNs: number;
  readonly toNs: number;
  readonly bucketNs: number;
  /** Bucket start times (ns). */
  readonly t: readonly number[];
  /** Per bucket: walks by verdict. */
  readonly held: readonly number[];
  readonly notHeld: readonly number[];
  readonly unknown: readonly number[];
  /** Per bucket: uring_lock hold time, min and max (ns; null where none). */
  readonly holdMin: readonly (number | null)[];
  readonly holdMax: readonly (number | null)[];
  /** Events in the range before decimation. */
  readonly eventsInRange: number;
}

/** A histogram and its CDF for one timing metric, over all samples or one ring's or task's. */
export interface Distribution {
  readonly metric: string;
  readonly title: string;
  /** 'all', 'ring:<ctx>', 'task:<tid>' or 'task:other' (the timing statistics' keys). */
  readonly group: string;
  /** Bucket upper bounds (ns) and counts. Bucket i holds the samples in [lower[i], upper[i]) exactly. */
  readonly upper: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly kind: StatsGroupKind;
  /** The group as a person reads it ("all samples", "ring 0x…", "tid 7043"). */
  readonly label: string;
  /** Bucket lower bounds (ns); contiguous (lower[i + 1] === upper[i]), empty buckets included. */
  readonly lower: readonly number[];
  /** The CDF at bucket edges (ns): cdfP[i] is the exact fraction of samples below cdfX[i]; from 0 to 1. */
  readonly cdfX: readonly number[];
  readonly cdfP: readonly number[];
  readonly summary: SummaryStats;
}

export type StatsGroupKind = 'all' | 'ring' | 'task';

/** One ring's or task's numbers for one metric. */
export interface GroupStats {
  readonly group: string;
  readonly kind: StatsGroupKind;
  readonly label: string;
  readonly summary: SummaryStats;
  /** Its histogram is in CaptureStats.distributions (at most 16 groups of a kind get one). */
  readonly hasDistribution: boolean;
}

/** What one timing metric measured, where its samples come from, and its groups. */
export interface MetricStats {
  readonly metric: TimingMetric;
  /** What it measures (TIMING_METRIC_TEXT). */
  readonly title: string;
  readonly summary: SummaryStats;
  /** Where the samples come from (probes, grain), as a sentence. */
  readonly source: string;
  /** What the numbers include that a reader might not expect (probe cost, partial coverage). */
  readonly caveats: readonly string[];
  /** No samples: why, as a sentence. */
  readonly emptyReason: string | undefined;
  readonly rings: readonly GroupStats[];
  readonly tasks: readonly GroupStats[];
}

export interface CaptureStats {
  /** Every histogram: each non-empty metric's 'all', and its groups' when a kind has at most 16. */
  readonly distributions: readonly Distribution[];
  /** Every timing metric, in TIMING_METRICS order. */
  readonly metrics: readonly MetricStats[];
  /** Durations left out (negative or beyond 2^53 ns: clocks that disagree). */
  readonly badDurations: number;
  /** Where the capture was taken ("lab-sid, 7.2.13+deb14-amd64, bpftrace 0.27.1, summary grain"). */
  readonly origin: string;
}

/** A target the user configured (or found in ~/.ssh/config). */
export interface TargetEntry {
  readonly id: string;
  /** `local`, `ssh://[user@]host[:port]` or an ssh alias. */
  readonly address: string;
  readonly label: string;
  readonly fromSshConfig: boolean;
}

export interface PreflightReport {
  readonly targetId: string;
  readonly checks: readonly PreflightCheck[];
  /** The probe plan as `lockscope preflight` prints it, and what it can prove. */
  readonly planText: string | undefined;
  readonly ready: boolean;
}

export type SessionState = 'preflight' | 'attaching' | 'recording' | 'stopping' | 'finished' | 'failed';

/** One second of a live session, for its chart of the last seconds. */
export interface SessionSample {
  /** Seconds since the probes were attached, at the end of this sample. */
  readonly elapsedS: number;
  readonly eventsPerS: number;
  /** Walks decided per second, by verdict. */
  readonly heldPerS: number;
  readonly notHeldPerS: number;
  readonly unknownPerS: number;
}

export interface SessionInfo {
  readonly id: string;
  readonly targetId: string;
  /** The target's address as the session used it. */
  readonly address: string;
  readonly state: SessionState;
  /** When it was started (ms since the epoch), how long it traces, and its workload spec. */
  readonly startedAt: number;
  readonly durationS: number;
  readonly workload: string | undefined;
  /** Where the capture is written, as it grows. */
  readonly capturePath: string;
  readonly captureId: string | undefined;
  readonly counters: SessionCounters | undefined;
  /** The last seconds (at most 60 samples, oldest first). */
  readonly samples: readonly SessionSample[];
  /** Messages the session printed (warnings, the stop reason), oldest first. */
  readonly log: readonly string[];
  /** When finished: analyze's exit code; when failed: why. */
  readonly exitCode: number | undefined;
  readonly failure: string | undefined;
}

export interface SessionStart {
  readonly targetId: string;
  readonly durationS: number;
  /** A linkstorm spec (`linkstorm:chain=4,inflight=2`) or undefined for none. */
  readonly workload: string | undefined;
  /**
   * How often a routine window of each shape is recorded in full per ring and CPU, in ms (the
   * rest are counted in the kernel; unusual windows always are recorded): 0 records every window
   * (the most evidence, the most overhead). Absent: the program's default, 1000 (`trace
   * --evidence-period`).
   */
  readonly evidencePeriodMs?: number | undefined;
}

/** Every request the renderer may make: method → (argument) → result. */
export interface AppApi {
  listCaptures(a: Record<string, never>): Promise<AppResult<readonly CaptureInfo[]>>;
  openCaptureFile(a: { readonly path: string }): Promise<AppResult<CaptureInfo>>;
  /** A file dropped into a browser window (serve mode): its bytes, base64. */
  openCaptureBytes(a: { readonly name: string; readonly base64: string }): Promise<AppResult<CaptureInfo>>;
  closeCapture(a: { readonly captureId: string }): Promise<AppResult<null>>;
  getSummary(a: { readonly captureId: string }): Promise<AppResult<CaptureSummary>>;
  queryWalks(a: WalkQuery): Promise<AppResult<WalkPage>>;
  getWalk(a: { readonly captureId: string; readonly index: number }): Promise<AppResult<WalkDetail>>;
  /** One request address (hex, 0x…): the walks and lifecycle events that involve it; not_found when no event mentions it. */
  findRequest(a: { readonly captureId: string; readonly addr: string }): Promise<AppResult<RequestLookup>>;
  getTimeline(a: TimelineQuery): Promise<AppResult<TimelineSeries>>;
  getStats(a: { readonly captureId: string }): Promise<AppResult<CaptureStats>>;
  listTargets(a: Record<string, never>): Promise<AppResult<readonly TargetEntry[]>>;
  saveTarget(a: { readonly id: string | undefined; readonly address: string; readonly label: string }): Promise<AppResult<TargetEntry>>;
  deleteTarget(a: { readonly targetId: string }): Promise<AppResult<null>>;
  runPreflight(a: { readonly targetId: string }): Promise<AppResult<PreflightReport>>;
  startSession(a: SessionStart): Promise<AppResult<SessionInfo>>;
  stopSession(a: { readonly sessionId: string }): Promise<AppResult<SessionInfo>>;
  listSessions(a: Record<string, never>): Promise<AppResult<readonly SessionInfo[]>>;
}

export type AppMethod = keyof AppApi;
export type AppArgs<M extends AppMethod> = Parameters<AppApi[M]>[0];
export type AppReturn<M extends AppMethod> = Awaited<ReturnType<AppApi[M]>>;

/** Every event the engine pushes: name → payload. */
export interface AppEvents {
  /** A session's state or counters changed (at most a few times a second). */
  session: SessionInfo;
  /** The list of open captures changed (opened, closed, a session's capture grew). */
  captures: readonly CaptureInfo[];
  /** The desktop shell (its menu) asks the UI to act; Electron only, never sent by `lockscope serve`. */
  shell: ShellEvent;
}

/** The UI's views, as the shell's menu names them (Alt+1 … Alt+5 in this order). */
export type AppView = 'targets' | 'live' | 'verdicts' | 'timeline' | 'stats';

/** What the desktop shell asks of the UI: it knows the menu, the UI knows which capture is current. */
export type ShellEvent =
  | { readonly kind: 'view'; readonly view: AppView }
  /** Close the capture the UI shows (File › Close Capture). */
  | { readonly kind: 'closeCapture' }
  /** The shell opened these (File › Open Capture…, Open Recent): show the last. */
  | { readonly kind: 'opened'; readonly captures: readonly CaptureInfo[] }
  /** Something the user should read (a file that could not be opened, recent files that are gone). */
  | { readonly kind: 'notice'; readonly error: AppError };

export type AppEventName = keyof AppEvents;

export interface AppEvent<E extends AppEventName = AppEventName> {
  readonly name: E;
  readonly payload: AppEvents[E];
}
