/**
 * The engine behind the UI: one object that answers every AppApi method and pushes AppEvents.
 * Both shells wrap it — Electron's ipc-main.ts and `lockscope serve` (serve-server.ts) — after
 * checking the sender and the arguments; the engine itself trusts its (already checked) input.
 */
import type { AppApi, AppEvent, AppEventName, AppEvents } from '../../core/app/app-contract.js';
import { WalkIndexCache } from '../../core/app/walk-rows.js';
import type { CaptureAnalysis } from '../../core/app/capture-analysis.js';
import { walkDetail } from '../../core/app/walk-detail.js';
import { findRequest } from '../../core/app/request-lookup.js';
import { timelineSeries } from '../../core/app/timeline-series.js';
import { captureStats } from '../../core/app/capture-stats.js';
import type { Rule } from '../../core/rules/rule.js';
import { parseAddr } from '../../core/util/addr.js';
import { CaptureRegistry } from './capture-registry.js';
import { TargetRegistry } from './target-registry.js';
import { SessionRegistry } from './session-registry.js';

export interface EngineOptions {
  readonly rules: readonly Rule[];
  /** Captures opened at start (the bundled real captures), in order. */
  readonly initialCaptures: readonly string[];
  /** Where targets.json is kept (the app's user-data directory). */
  readonly stateDir: string;
  /** `~/.ssh/config` to offer hosts from; undefined: none. */
  readonly sshConfig: string | undefined;
  /** Where session captures are written. */
  readonly capturesDir: string;
  /** Told when a capture given at start cannot be opened (the app opens without it). */
  readonly warn: (text: string) => void;
}

export interface Engine extends AppApi {
  /** Resolves once the captures given at start are open (or refused). */
  ready(): Promise<void>;
  onEvent(listener: (e: AppEvent) => void): () => void;
  dispose(): Promise<void>;
}

export function createEngine(o: EngineOptions): Engine {
  const listeners = new Set<(e: AppEvent) => void>();
  const emit = <E extends AppEventName>(name: E, payload: AppEvents[E]): void => {
    for (const l of listeners) {
      l({ name, payload });
    }
  };
  const captures = new CaptureRegistry(o.rules, () => {
    emit('captures', captures.list());
  });
  /** The captures given at start, opened in order; calls wait for them (see `ready`). */
  const ready = (async () => {
    for (const path of o.initialCaptures) {
      const opened = await captures.openFile(path, 'bundled');
      if (!opened.ok) {
        o.warn(opened.error.message);
      }
    }
  })();
  /** Per capture, the matching walks of its last few table filters (pages are slices of them). */
  const walkIndex = new WeakMap<CaptureAnalysis, WalkIndexCache>();
  const targets = new TargetRegistry(o.stateDir, o.sshConfig, { rules: o.rules });
  const sessions = new SessionRegistry({ targets, captures, rules: o.rules, capturesDir: o.capturesDir, emit: (s) => { emit('session', s); } });

  return {
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      listeners.clear();
      await sessions.stopAll();
    },
    ready: () => ready,
    listCaptures: async () => {
      await ready;
      return { ok: true, value: captures.list() };
    },
    openCaptureFile: (a) => captures.openFile(a.path, 'file'),
    openCaptureBytes: (a) => Promise.resolve(captures.openBytes(a.name, Buffer.from(a.base64, 'base64'))),
    closeCapture: (a) => Promise.resolve(captures.close(a.captureId)),
    getSummary: (a) => Promise.resolve(captures.summary(a.captureId)),
    queryWalks: (a) => {
      const got = captures.get(a.captureId);
      if (!got.ok) {
        return Promise.resolve(got);
      }
      const c = got.value;
      const header = c.analysis.header;
      let ctx;
      if (a.ctx !== undefined && header !== undefined) {
        const parsed = parseAddr(a.ctx, header.addrBias);
        if (!parsed.ok) {
          return Promise.resolve({ ok: false, error: { code: 'bad_request', message: `ring ${a.ctx}: ${parsed.reason}` } });
        }
        ctx = parsed.addr;
      }
      const rule = c.analysis.ruleIds()[0] ?? '';
      let cache = walkIndex.get(c.analysis);
      if (cache === undefined) {
        cache = new WalkIndexCache();
        walkIndex.set(c.analysis, cache);
      }
      return Promise.resolve({ ok: true, value: cache.page(rule, c.analysis.walks(rule), c.analysis.revision, a, ctx, c.fmt) });
    },
    getWalk: (a) => {
      const got = captures.get(a.captureId);
      return Promise.resolve(got.ok ? walkDetail(got.value.analysis, a.index, got.value.fmt, got.value.name) : got);
    },
    findRequest: (a) => {
      const got = captures.get(a.captureId);
      return Promise.resolve(got.ok ? findRequest(got.value.analysis, a.addr, got.value.fmt, got.value.name) : got);
    },
    getTimeline: (a) => {
      const got = captures.get(a.captureId);
      return Promise.resolve(got.ok ? timelineSeries(got.value.analysis, a) : got);
    },
    getStats: (a) => {
      const got = captures.get(a.captureId);
      return Promise.resolve(got.ok ? captureStats(got.value.analysis) : got);
    },
    listTargets: () => targets.list(),
    saveTarget: (a) => targets.save(a),
    deleteTarget: (a) => targets.remove(a.targetId),
    runPreflight: (a) => targets.preflight(a.targetId),
    startSession: (a) => sessions.start(a),
    stopSession: (a) => sessions.stop(a.sessionId),
    listSessions: () => Promise.resolve({ ok: true, value: sessions.list() }),
  };
}
