/**
 * What can be wrong with one record of a bpftrace trace, as values. Every error names the input
 * line it was found on (1-based; for `-f json` input, the line of the JSON record in which the
 * offending LS1 line ended). The import goes on after every one of them.
 */
import { assertUnreachable } from '../util/assert-unreachable.js';

/** An error without its line number (what the line parser reports). */
export type ImportErrorDetail =
  | {
      /** `LS1 <word>` where <word> is neither an event kind nor a header kind. */
      readonly code: 'unknown_kind';
      readonly kind: string;
    }
  | {
      /** The line does not have the LS1 shape (too few fields, a token that is not key=value). */
      readonly code: 'malformed_line';
      readonly kind: string;
      readonly reason: string;
    }
  | { readonly code: 'missing_key'; readonly kind: string; readonly key: string }
  | { readonly code: 'unexpected_key'; readonly kind: string; readonly key: string }
  | { readonly code: 'duplicate_key'; readonly kind: string; readonly key: string }
  | {
      /** `reason` reads after "key=value", e.g. "is not an address". */
      readonly code: 'bad_value';
      readonly kind: string;
      readonly key: string;
      readonly value: string;
      readonly reason: string;
    }
  | {
      /** A well-formed address that Lockscope cannot hold exactly (see util/addr.ts). */
      readonly code: 'address_out_of_window';
      readonly kind: string;
      readonly key: string;
      readonly value: string;
    }
  | {
      /** The event's time is too far from the capture base to be stored exactly. */
      readonly code: 'time_out_of_range';
      readonly kind: string;
      readonly absNs: bigint;
      readonly baseNs: bigint;
    }
  | {
      /** A header line (target, probe, offset, grain) after the first event line. */
      readonly code: 'late_header';
      readonly kind: string;
    }
  | {
      /** A second `LS1 target` or `LS1 grain` line. */
      readonly code: 'duplicate_header';
      readonly kind: string;
    }
  | {
      /**
       * A window_summary whose window_op lines did not all follow it on its CPU (another line of
       * that CPU, or a header line, came first). Reported on the summary's line; the window is
       * dropped.
       */
      readonly code: 'summary_incomplete';
      readonly expected: number;
      readonly received: number;
      /** The line that interrupted the op lines; null when the input ended first. */
      readonly interruptedAt: number | null;
    }
  | {
      /** A window_op line that does not continue a window_summary. */
      readonly code: 'orphan_window_op';
    }
  | {
      /**
       * A window_op line timed outside the window of the summary waiting for ops: it belongs to
       * another window (lost records can splice two windows of one task). The summary is dropped.
       */
      readonly code: 'op_outside_window';
      readonly opTs: number;
      readonly windowStart: number;
      readonly windowEnd: number;
    }
  | {
      /** A JSON record of a known type whose data has the wrong shape. */
      readonly code: 'bad_json_record';
      readonly recordType: string;
      readonly reason: string;
    }
  | {
      /**
       * An LS1 line that never ended: the input stopped inside it (a printf record without its
       * final newline), or it grew past the importer's limit. `text`: its start.
       */
      readonly code: 'truncated_line';
      readonly cause: 'end_of_input' | 'too_long';
      readonly text: string;
    };

export type ImportErrorCode = ImportErrorDetail['code'];

export type ImportError = ImportErrorDetail & { readonly line: number };

/** Longest piece of offending input quoted in a message. */
const QUOTE_MAX = 60;

function quote(text: string): string {
  return JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}…` : text);
}

/** One line of text for a user: "line 12: window_enter: req=0xzz is not an address". */
export function formatImportError(e: ImportError): string {
  return `line ${e.line}: ${describe(e)}`;
}

function describe(e: ImportError): string {
  switch (e.code) {
    case 'unknown_kind':
      return `unknown record kind ${quote(e.kind)}`;
    case 'malformed_line':
      return `${e.kind}: ${e.reason}`;
    case 'missing_key':
      return `${e.kind}: missing ${e.key}=`;
    case 'unexpected_key':
      return `${e.kind}: unexpected key ${e.key}=`;
    case 'duplicate_key':
      return `${e.kind}: ${e.key}= given twice`;
    case 'bad_value':
      return `${e.kind}: ${e.key}=${e.value} ${e.reason}`;
    case 'address_out_of_window':
      return `${e.kind}: ${e.key}=${e.value} is outside the address window (±2^52 around the capture address bias, taken from the first event line): it cannot be stored exactly`;
    case 'time_out_of_range':
      return `${e.kind}: time ${e.absNs} ns is more than 2^52 ns (52 days) away from the capture base ${e.baseNs} ns`;
    case 'late_header':
      return `${e.kind}: header line after the first event line (header lines must come first); ignored`;
    case 'duplicate_header':
      return `${e.kind}: second ${e.kind} line; ignored`;
    case 'summary_incomplete': {
      const where = e.interruptedAt === null ? 'before the input ended' : `before line ${e.interruptedAt}`;
      return `window_summary: expected ${e.expected} window_op lines, got ${e.received} ${where}; the window is dropped`;
    }
    case 'orphan_window_op':
      return 'window_op: no window_summary is waiting for op lines; ignored';
    case 'op_outside_window':
      return `window_op at ${e.opTs} ns lies outside the waiting window [${e.windowStart}, ${e.windowEnd}] ns: it is another window's; that window is dropped`;
    case 'bad_json_record':
      return `JSON ${quote(e.recordType)} record: ${e.reason}`;
    case 'truncated_line':
      return e.cause === 'end_of_input'
        ? `input ended inside an LS1 line (no final newline): ${quote(e.text)}; ignored`
        : `LS1 line longer than any Lockscope prints, cut: ${quote(e.text)}; ignored`;
    default:
      return assertUnreachable(e);
  }
}
