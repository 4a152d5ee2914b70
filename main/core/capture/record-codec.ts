/**
 * Record messages ⇄ domain values: the header, event batches and the footer as protobuf bytes.
 * Decoding checks every field's type, so a file written by something else fails with a reason.
 */
import type { BatchColumns } from './event-codec.js';
import type { CaptureHeader, Grain, PreemptRt, ProbeMechanism, ProbeRole, ProbeSite, ProbeStatus, StructOffset } from './header.js';
import { GRAINS, PREEMPT_RT_STATES, PROBE_MECHANISMS, PROBE_ROLES, PROBE_STATUSES } from './header.js';
import { RecordType } from './proto-schema.js';

export interface CaptureFooter {
  readonly events: number;
  readonly batches: number;
  readonly stopReason: string;
}

export type DecodedRecord =
  | { readonly type: 'header'; readonly header: CaptureHeader }
  | { readonly type: 'batch'; readonly columns: BatchColumns }
  | { readonly type: 'footer'; readonly footer: CaptureFooter };

/** Thrown while decoding a record whose content does not fit the schema. */
export class RecordFormatError extends Error {
  override readonly name = 'RecordFormatError';
}

export function encodeHeaderRecord(h: CaptureHeader): Uint8Array {
  const msg = RecordType.create({
    header: {
      formatMajor: h.formatMajor,
      formatMinor: h.formatMinor,
      toolVersion: h.toolVersion,
      target: { ...h.target },
      clock: h.clock,
      baseNs: h.baseNs.toString(),
      startWallTime: h.startWallTime,
      addrBias: h.addrBias.toString(),
      probes: h.probes.map((p) => ({ ...p })),
      offsets: h.offsets.map((o) => ({ ...o })),
      grain: h.grain,
      source: h.source,
      notes: [...h.notes],
    },
  });
  return RecordType.encode(msg).finish();
}

export function encodeBatchRecord(c: BatchColumns): Uint8Array {
  return RecordType.encode(RecordType.create({ batch: { ...c, strings: [...c.strings] } })).finish();
}

export function encodeFooterRecord(f: CaptureFooter): Uint8Array {
  return RecordType.encode(RecordType.create({ footer: { ...f } })).finish();
}

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function field<T>(o: Obj, key: string, check: (v: unknown) => v is T, what: string): T {
  const v = o[key];
  if (!check(v)) {
    throw new RecordFormatError(`field "${key}" is not ${what}`);
  }
  return v;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isArr = (v: unknown): v is readonly unknown[] => Array.isArray(v);

function oneOf<T extends string>(table: readonly T[], v: string, what: string): T {
  const found = table.find((t) => t === v);
  if (found === undefined) {
    throw new RecordFormatError(`${what} "${v}" is not one of ${table.join(', ')}`);
  }
  return found;
}

function decimal(v: string, what: string): bigint {
  if (!/^-?[0-9]+$/.test(v)) {
    throw new RecordFormatError(`${what} "${v}" is not a decimal integer`);
  }
  return BigInt(v);
}

function decodeHeader(o: Obj): CaptureHeader {
  const t = field(o, 'target', isObj, 'a message');
  const probes = field(o, 'probes', isArr, 'a list').map((p): ProbeSite => {
    if (!isObj(p)) {
      throw new RecordFormatError('probe entry is not a message');
    }
    return {
      role: oneOf<ProbeRole>(PROBE_ROLES, field(p, 'role', isStr, 'text'), 'probe role'),
      target: field(p, 'target', isStr, 'text'),
      mechanism: oneOf<ProbeMechanism>(PROBE_MECHANISMS, field(p, 'mechanism', isStr, 'text'), 'probe mechanism'),
      status: oneOf<ProbeStatus>(PROBE_STATUSES, field(p, 'status', isStr, 'text'), 'probe status'),
      reason: field(p, 'reason', isStr, 'text'),
      missesCounted: field(p, 'missesCounted', isBool, 'a boolean'),
    };
  });
  const offsets = field(o, 'offsets', isArr, 'a list').map((s): StructOffset => {
    if (!isObj(s)) {
      throw new RecordFormatError('offset entry is not a message');
    }
    return { member: field(s, 'member', isStr, 'text'), offset: field(s, 'offset', isNum, 'a number'), size: field(s, 'size', isNum, 'a number') };
  });
  const addrBias = decimal(field(o, 'addrBias', isStr, 'text'), 'address bias');
  if (addrBias % 8n !== 0n) {
    throw new RecordFormatError(`address bias ${addrBias} is not a multiple of 8`);
  }
  return {
    formatMajor: field(o, 'formatMajor', isNum, 'a number'),
    formatMinor: field(o, 'formatMinor', isNum, 'a number'),
    toolVersion: field(o, 'toolVersion', isStr, 'text'),
    target: {
      host: field(t, 'host', isStr, 'text'),
      kernelRelease: field(t, 'kernelRelease', isStr, 'text'),
      arch: field(t, 'arch', isStr, 'text'),
      bpftraceVersion: field(t, 'bpftraceVersion', isStr, 'text'),
      preemptRt: oneOf<PreemptRt>(PREEMPT_RT_STATES, field(t, 'preemptRt', isStr, 'text'), 'PREEMPT_RT state'),
    },
    clock: field(o, 'clock', isStr, 'text'),
    baseNs: decimal(field(o, 'baseNs', isStr, 'text'), 'clock base'),
    startWallTime: field(o, 'startWallTime', isStr, 'text'),
    addrBias,
    probes,
    offsets,
    grain: oneOf<Grain>(GRAINS, field(o, 'grain', isStr, 'text'), 'grain'),
    source: field(o, 'source', isStr, 'text'),
    notes: field(o, 'notes', isArr, 'a list').map((n) => {
      if (!isStr(n)) {
        throw new RecordFormatError('note is not text');
      }
      return n;
    }),
  };
}

function decodeColumns(o: Obj): BatchColumns {
  const strings = field(o, 'strings', isArr, 'a list').map((s) => {
    if (!isStr(s)) {
      throw new RecordFormatError('batch string is not text');
    }
    return s;
  });
  return {
    count: field(o, 'count', isNum, 'a number'),
    kind: field(o, 'kind', isBytes, 'bytes'),
    time: field(o, 'time', isBytes, 'bytes'),
    cpu: field(o, 'cpu', isBytes, 'bytes'),
    tid: field(o, 'tid', isBytes, 'bytes'),
    req: field(o, 'req', isBytes, 'bytes'),
    link: field(o, 'link', isBytes, 'bytes'),
    ctx: field(o, 'ctx', isBytes, 'bytes'),
    lock: field(o, 'lock', isBytes, 'bytes'),
    task: field(o, 'task', isBytes, 'bytes'),
    owner: field(o, 'owner', isBytes, 'bytes'),
    num: field(o, 'num', isBytes, 'bytes'),
    atag: field(o, 'atag', isBytes, 'bytes'),
    strings,
  };
}

/** Decodes one record. Throws RecordFormatError (or protobufjs's error) on bad content. */
export function decodeRecord(payload: Uint8Array): DecodedRecord {
  const msg = RecordType.decode(payload);
  const obj: unknown = RecordType.toObject(msg, { longs: Number, defaults: true, arrays: true });
  if (!isObj(obj)) {
    throw new RecordFormatError('record is not a message');
  }
  const { header, batch, footer } = obj;
  if (isObj(header)) {
    return { type: 'header', header: decodeHeader(header) };
  }
  if (isObj(batch)) {
    return { type: 'batch', columns: decodeColumns(batch) };
  }
  if (isObj(footer)) {
    return {
      type: 'footer',
      footer: {
        events: field(footer, 'events', isNum, 'a number'),
        batches: field(footer, 'batches', isNum, 'a number'),
        stopReason: field(footer, 'stopReason', isStr, 'text'),
      },
    };
  }
  throw new RecordFormatError('record holds neither a header, a batch nor a footer');
}
