/**
 * The argument schema of every AppApi method: what the engine accepts from the renderer, which
 * it does not trust. A payload that does not match is refused with `bad_request` before any
 * handler runs. Limits are part of the schema (path length, page size, upload size) so a hostile
 * renderer cannot make the engine read or allocate without bound.
 */
import { z } from 'zod';
import type { AppArgs, AppError, AppMethod } from './app-contract.js';
import { MAX_EVIDENCE_PERIOD_MS } from '../bpf/evidence-period.js';

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'an id is letters, digits and _ . : -');
const ns = z.number().min(0).max(2 ** 53);
const hex = z.string().regex(/^0x[0-9a-f]{1,16}$/, 'an address is 0x followed by up to 16 hex digits');
const none = z.object({}).strict();

/** At most 512 MiB of capture in one upload (base64 is 4/3 of it). */
export const MAX_UPLOAD_BASE64 = Math.ceil((512 * 1024 * 1024 * 4) / 3) + 4;
export const MAX_PAGE = 1000;
export const MAX_BUCKETS = 8192;

export const APP_SCHEMAS = {
  listCaptures: none,
  openCaptureFile: z.object({ path: z.string().min(1).max(4096) }).strict(),
  openCaptureBytes: z
    .object({ name: z.string().min(1).max(255).regex(/^[^/\\]+$/, 'a file name, without a directory'), base64: z.string().max(MAX_UPLOAD_BASE64).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 text') })
    .strict(),
  closeCapture: z.object({ captureId: id }).strict(),
  getSummary: z.object({ captureId: id }).strict(),
  queryWalks: z
    .object({
      captureId: id,
      verdict: z.enum(['ALL', 'HELD', 'NOT_HELD', 'UNKNOWN']),
      ctx: hex.optional(),
      tid: z.number().int().min(0).max(2 ** 31).optional(),
      fromNs: ns.optional(),
      toNs: ns.optional(),
      offset: z.number().int().min(0).max(2 ** 40),
      limit: z.number().int().min(1).max(MAX_PAGE),
    })
    .strict(),
  getWalk: z.object({ captureId: id, index: z.number().int().min(1).max(2 ** 40) }).strict(),
  findRequest: z.object({ captureId: id, addr: z.string().regex(/^0x[0-9a-fA-F]{1,16}$/, 'a request address is 0x followed by up to 16 hex digits, like 0xffff888012345678') }).strict(),
  getTimeline: z.object({ captureId: id, fromNs: ns.optional(), toNs: ns.optional(), buckets: z.number().int().min(1).max(MAX_BUCKETS) }).strict(),
  getStats: z.object({ captureId: id }).strict(),
  listTargets: none,
  saveTarget: z
    .object({
      id: id.optional(),
      address: z.string().min(1).max(512).regex(/^[^\s'"`$\\;|&<>]+$/, 'a target is local, ssh://[user@]host[:port] or an ssh alias, without spaces or shell characters'),
      label: z.string().max(128),
    })
    .strict(),
  deleteTarget: z.object({ targetId: id }).strict(),
  runPreflight: z.object({ targetId: id }).strict(),
  startSession: z
    .object({
      targetId: id,
      durationS: z.number().int().min(1).max(24 * 3600),
      workload: z.string().max(256).regex(/^linkstorm(:[a-z0-9=,-]*)?$/, 'a workload is linkstorm or linkstorm:key=value,…').optional(),
      evidencePeriodMs: z.number().int('the evidence period is a whole number of milliseconds').min(0).max(MAX_EVIDENCE_PERIOD_MS, 'the evidence period is at most 60,000 ms').optional(),
    })
    .strict(),
  stopSession: z.object({ sessionId: id }).strict(),
  listSessions: none,
} as const satisfies { readonly [M in AppMethod]: z.ZodType };

export const APP_METHODS = Object.keys(APP_SCHEMAS) as readonly AppMethod[];

export function isAppMethod(name: string): name is AppMethod {
  return Object.hasOwn(APP_SCHEMAS, name);
}

/** The argument, checked; or the error the renderer gets back. */
export function checkArgs<M extends AppMethod>(method: M, raw: unknown): { readonly ok: true; readonly value: AppArgs<M> } | { readonly ok: false; readonly error: AppError } {
  // JSON has no undefined: optional fields arrive absent or null; treat null as absent.
  const cleaned = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null)) : raw;
  const parsed = APP_SCHEMAS[method].safeParse(cleaned ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` (${issue.path.join('.')})`;
    return { ok: false, error: { code: 'bad_request', message: `${method}: refused arguments${where}: ${issue?.message ?? 'invalid'}` } };
  }
  return { ok: true, value: parsed.data as AppArgs<M> };
}
