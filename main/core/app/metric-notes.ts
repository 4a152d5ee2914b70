/**
 * What each timing metric's numbers are, said plainly for the Statistics view: where the samples
 * come from in this capture (which probes, which grain), what they include that a reader might
 * not expect, and — when there are none — why. Pure: built from the capture's header and counts.
 */
import type { CountedContention } from '../analysis/counted-contention.js';
import type { TimingMetric } from '../analysis/timing-stats.js';
import { TIMING_METRIC_TEXT } from '../analysis/timing-stats.js';
import type { CaptureHeader, ProbeRole, ProbeSite } from '../capture/header.js';
import { assertUnreachable } from '../util/assert-unreachable.js';
import { formatDuration } from '../util/time.js';

export interface MetricNotes {
  readonly source: string;
  readonly caveats: readonly string[];
  readonly emptyReason: string | undefined;
}

export interface NoteFacts {
  readonly header: CaptureHeader;
  /** Samples of this metric. */
  readonly count: number;
  /** Walk windows measured (window_duration samples): how many windows had a chance to show a lock. */
  readonly windows: number;
  /** Windows the kernel counted by shape without recording them (not in any sample here). */
  readonly countedOnly?: number;
  /** Every contended wait as the kernel counted it, when the capture's program counted them. */
  readonly countedContention?: CountedContention;
}

/** The caveat of a capture whose probes recorded a sample of the routine windows. */
function sampleCaveat(f: NoteFacts): string[] {
  const c = f.countedOnly ?? 0;
  return c > 0
    ? [
        `A sample: ${n(f.windows)} windows were recorded in full (every unusual one, and the first routine one of each shape per ring and CPU every evidence period, a second by default); ${n(c)} more were only counted in the kernel, by shape. The routine windows are sampled by time, not by length, so long and short ones are alike in these numbers; unusual windows are over-represented.`,
      ]
    : [];
}

const n = (x: number): string => x.toLocaleString('en-US');

function sites(h: CaptureHeader, role: ProbeRole): readonly ProbeSite[] {
  return h.probes.filter((p) => p.role === role);
}

function attached(h: CaptureHeader, role: ProbeRole): readonly ProbeSite[] {
  return sites(h, role).filter((p) => p.status === 'attached');
}

function names(list: readonly ProbeSite[]): string {
  const shown = list.slice(0, 3).map((p) => `${p.mechanism}:${p.target}`);
  return list.length > 3 ? `${shown.join(', ')} and ${list.length - 3} more` : shown.join(', ');
}

function windowSite(h: CaptureHeader): string {
  const entry = attached(h, 'window_entry');
  return entry.length === 0 ? 'the walk function' : [...new Set(entry.map((p) => p.target))].join('/');
}

/**
 * What the metric measures (TIMING_METRIC_TEXT), naming the function this capture's windows were
 * probed at (6.1's walk is seen at io_wq_put_work, not io_wq_free_work).
 */
export function metricTitle(metric: TimingMetric, h: CaptureHeader): string {
  const text = TIMING_METRIC_TEXT[metric];
  return metric === 'window_duration' && attached(h, 'window_entry').length > 0 ? text.replace('io_wq_free_work', windowSite(h)) : text;
}

const PROBE_COST =
  'The times come from the probes, so each sample includes part of the probes\u2019 own cost; under emulation (a QEMU lab without KVM) that cost is large. Compare captures taken the same way.';

export function metricNotes(metric: TimingMetric, f: NoteFacts): MetricNotes {
  switch (metric) {
    case 'lock_hold':
    case 'lock_wait':
      return lockNotes(metric, f);
    case 'window_duration':
      return windowNotes(f);
    case 'contention':
      return contentionNotes(f);
    case 'chain_latency':
      return chainNotes(f);
    default:
      return assertUnreachable(metric);
  }
}

function lockNotes(metric: 'lock_hold' | 'lock_wait', f: NoteFacts): MetricNotes {
  const h = f.header;
  const hold = metric === 'lock_hold';
  const needed: readonly ProbeRole[] = hold ? ['lock_acquired', 'lock_release'] : ['lock_acquire', 'lock_acquired'];
  const missing = needed.filter((r) => attached(h, r).length === 0);
  const site = windowSite(h);
  const what = hold ? 'held uring_lock (from the lock call returning with it to mutex_unlock)' : 'waited for uring_lock (from the lock call to its return with the lock)';
  const source =
    h.grain === 'summary'
      ? `The kernel's per-window summaries: how long the walking task ${what}, for the lock taken inside ${site} windows; probes ${names(attached(h, 'lock_acquired'))}.`
      : `The mutex probes (${names([...attached(h, 'lock_acquire'), ...attached(h, 'lock_release')])}): how long a task ${what.replace('uring_lock', 'a mutex')}; per ring when the lock is a ring's uring_lock seen in a walk window.`;
  const caveats = [
    ...(h.grain === 'summary'
      ? [`Only ${hold ? 'holds that begin and end' : 'waits'} inside a walk window are measured: uring_lock taken elsewhere (submission, completion) is not in these numbers.`]
      : []),
    ...sampleCaveat(f),
    PROBE_COST,
  ];
  let emptyReason: string | undefined;
  if (f.count === 0) {
    if (missing.length > 0) {
      emptyReason = `The probes this needs (${missing.join(', ')}) were not attached in this capture, so no ${hold ? 'hold' : 'wait'} could be measured.`;
    } else if (h.grain === 'summary') {
      emptyReason =
        f.windows === 0
          ? 'No walk window was recorded, and this summary-grain capture reports lock operations only inside windows.'
          : `None of the ${n(f.windows)} walk windows recorded uring_lock being ${hold ? 'acquired and then released' : 'called for and acquired'} inside it, so there is no ${hold ? 'hold' : 'wait'} to measure. This summary-grain capture reports lock operations only inside windows: ${hold ? 'holds' : 'waits'} elsewhere are not measured (whether each walk held the lock is what the Verdicts view proves).`;
    } else {
      emptyReason = `No mutex was seen ${hold ? 'acquired and then released' : 'called for and then acquired'} by the same task in this capture.`;
    }
  }
  return { source, caveats, emptyReason };
}

function windowNotes(f: NoteFacts): MetricNotes {
  const h = f.header;
  const entry = attached(h, 'window_entry');
  const ret = attached(h, 'window_return');
  return {
    source: `Every walk window, from ${names(entry) || 'its entry'} to ${names(ret) || 'its return'}${h.grain === 'summary' ? ' (durations measured in the kernel)' : ''}; link walks and chain tails alike.`,
    caveats: [
      ...sampleCaveat(f),
      `A window's duration includes the cost of every probe that fires inside it (its entry and return probes and each mutex probe): under emulation that cost can be most of it. ${PROBE_COST.slice(PROBE_COST.indexOf('Compare'))}`,
    ],
    emptyReason:
      f.count > 0
        ? undefined
        : entry.length === 0 || ret.length === 0
          ? 'The walk-window probes were not attached in this capture.'
          : 'No walk window closed with both its entry and its return seen.',
  };
}

/** The kernel counted every wait; the distribution is its recorded sample. */
function countedWaits(c: CountedContention | undefined): string[] {
  if (c === undefined) {
    return [];
  }
  const unpaired = c.unpaired > 0 ? ` ${n(c.unpaired)} more waits ended with no begin seen (they began before the lock was tracked) and are in none of these numbers.` : '';
  return [
    `A sample: the kernel counted every wait, ${n(c.waits)} in all, mean ${formatDuration(c.meanNs)}, longest ${formatDuration(c.maxNs)} (exact); ${n(c.recorded)} were recorded in full (the first on each ring and CPU every evidence period), and only those make up the distribution and the percentiles here. They are sampled by time, not by length.${unpaired}`,
  ];
}

function contentionNotes(f: NoteFacts): MetricNotes {
  const h = f.header;
  const probes = attached(h, 'contention');
  return {
    source: `The lock contention tracepoints (${names(probes) || 'lock:contention_begin/end'}): from a task's first contention_begin on a lock (a mutex spins, then sleeps: two begins or more) to its contention_end; per ring when the lock is a ring's uring_lock.`,
    caveats: [...countedWaits(f.countedContention), 'A contended wait is part of a lock wait (the two overlap), and it includes the tracepoints\u2019 own cost.'],
    emptyReason:
      f.count > 0
        ? undefined
        : f.countedContention !== undefined && f.countedContention.waits > 0
          ? `No wait was recorded in full; the kernel counted ${n(f.countedContention.waits)}.`
        : probes.length === 0
          ? `The lock contention tracepoints were not attached in this capture (${sites(h, 'contention').map((p) => `${p.target}: ${p.status}`).join(', ') || 'not planned'}).`
          : 'No task was seen waiting on a contended lock: no contention_begin was followed by its contention_end.',
  };
}

function chainNotes(f: NoteFacts): MetricNotes {
  const h = f.header;
  const lifecycle = sites(h, 'lifecycle');
  const on = lifecycle.filter((p) => p.status === 'attached');
  return {
    source: `The io_uring lifecycle tracepoints (${names(on) || 'io_uring:io_uring_submit_req, io_uring_link, io_uring_complete'}): from a chain's head being submitted to the completion of its last request, for chains of two or more.`,
    caveats: [PROBE_COST],
    emptyReason:
      f.count > 0
        ? undefined
        : on.length === 0
          ? `The io_uring lifecycle tracepoints were not attached in this capture (${lifecycle.length === 0 ? 'not planned' : lifecycle[0]?.status ?? ''}); a session with --lifecycle records them.`
          : 'No linked chain was seen from its submission to the completion of its last request.',
  };
}
