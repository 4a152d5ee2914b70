/** `lockscope inspect CAPTURE --walk N | --req ADDR`: one walk's or one request's timeline with evidence. */
import type { WalkRecord } from '../../core/analysis/verdict.js';
import { formatWalk } from '../../core/report/format-walk.js';
import { formatRequestEvent } from '../../core/report/format-request.js';
import { mentions } from '../../core/report/request-mentions.js';
import type { Addr } from '../../core/util/addr.js';
import { formatAddr, parseAddr } from '../../core/util/addr.js';
import { CliError } from '../cli-error.js';
import type { RunOptions } from './analysis-run.js';
import { runAnalysis } from './analysis-run.js';

export type InspectTarget = { readonly kind: 'walk'; readonly index: number } | { readonly kind: 'req'; readonly addr: string };

const MAX_REQUEST_LINES = 2000;

export function inspectCommand(file: string, target: InspectTarget, o: RunOptions, out: (text: string) => void): number {
  if (target.kind === 'walk') {
    const found: WalkRecord[] = [];
    // The latest walk that returned each address as its next request: the chain predecessor.
    const byNext = new Map<Addr, WalkRecord>();
    let following: WalkRecord | undefined;
    let previous: WalkRecord | undefined;
    const run = runAnalysis(file, o, (w) => {
      if (w.index === target.index) {
        if (found.length === 0) {
          const p = byNext.get(w.req);
          previous = p !== undefined && (p.end ?? p.start) <= w.start ? p : undefined;
        }
        // A later record for the same walk and rule replaces the earlier one (a withdrawn verdict).
        const same = found.findIndex((f) => f.rule === w.rule);
        if (same >= 0) {
          found[same] = w;
        } else {
          found.push(w);
        }
        return;
      }
      const self = found[0];
      if (self === undefined) {
        if (w.next !== 0) {
          byNext.set(w.next, w);
        }
        return;
      }
      if (following === undefined && w.req === self.next && w.start >= (self.end ?? self.start)) {
        following = w;
      }
    });
    const self = found[0];
    if (self === undefined) {
      throw new CliError(`${file}: no walk #${target.index}; this capture has walks #1 to #${run.analyzer.tally.walkWindows}`);
    }
    const prev = previous;
    const fmt = (a: Addr): string => formatAddr(a, run.header.addrBias);
    out(found.map((w) => formatWalk(w, fmt, { previous: prev, following })).join('\n\n'));
    return 0;
  }
  const lines: string[] = [];
  let total = 0;
  let addr: Addr | undefined;
  let bias = 0n;
  const walks: WalkRecord[] = [];
  // Walks decided while the first batch is analysed arrive before its events (and the address): kept until then.
  const early: WalkRecord[] = [];
  runAnalysis(
    file,
    o,
    (w) => {
      if (addr === undefined) {
        early.push(w);
      } else if ((w.req === addr || w.next === addr) && walks.length < MAX_REQUEST_LINES) {
        walks.push(w);
      }
    },
    (events, header) => {
      if (addr === undefined) {
        bias = header.addrBias;
        const parsed = parseAddr(target.addr, bias);
        if (!parsed.ok) {
          throw new CliError(`--req ${target.addr}: ${parsed.reason}; give the request address as 0xffff...`);
        }
        const a = parsed.addr;
        addr = a;
        walks.push(...early.filter((w) => w.req === a || w.next === a).slice(0, MAX_REQUEST_LINES));
        early.length = 0;
      }
      for (const e of events) {
        if (mentions(e, addr)) {
          total++;
          if (lines.length < MAX_REQUEST_LINES) {
            lines.push(formatRequestEvent(e, addr, (a) => formatAddr(a, bias)));
          }
        }
      }
    },
  );
  if (addr === undefined || total === 0) {
    out(`${file}: no event mentions request ${target.addr}`);
    return 0;
  }
  const fmt = (a: Addr): string => formatAddr(a, bias);
  out(`Request ${fmt(addr)}: ${total.toLocaleString('en-US')} events (the address is recycled: each "submit" or "free" line starts or ends one request's life)`);
  out(lines.join('\n'));
  if (total > lines.length) {
    out(`… ${total - lines.length} more events not shown`);
  }
  if (walks.length > 0) {
    out('');
    out('Walks involving it:');
    for (const w of walks) {
      out(`  #${w.index} ${w.verdict.verdict}${w.verdict.verdict === 'UNKNOWN' ? ` (${w.verdict.reason})` : ''}: req ${fmt(w.req)} → next ${fmt(w.next)}; lockscope inspect ${file} --walk ${w.index}`);
    }
  }
  return 0;
}
