/**
 * Histograms by key: one LogHistogram per ring, per task, ... Keys are strings the caller makes
 * (e.g. `ctx:${addr}` or `tid:${tid}`); this container gives them no meaning. Iteration follows
 * first-use order. In a hot loop, keep the histogram that get() returns rather than looking the
 * key up for every value.
 */
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import type { LogHistogramJSON } from './log-histogram.js';
import { LogHistogram } from './log-histogram.js';

/** Plain-data form: [key, histogram] pairs in iteration order (no object keys, so any string is safe). */
export interface GroupedStatsJSON {
  readonly groups: readonly (readonly [string, LogHistogramJSON])[];
}

export class GroupedStats {
  private readonly groups = new Map<string, LogHistogram>();

  /** The histogram for `key`, created empty on first use. */
  get(key: string): LogHistogram {
    let h = this.groups.get(key);
    if (h === undefined) {
      h = new LogHistogram();
      this.groups.set(key, h);
    }
    return h;
  }

  /** The histogram for `key` if it exists; never creates one. */
  peek(key: string): LogHistogram | undefined {
    return this.groups.get(key);
  }

  has(key: string): boolean {
    return this.groups.has(key);
  }

  /** get(key).record(value). */
  record(key: string, value: number): void {
    this.get(key).record(value);
  }

  /** Number of keys. */
  get size(): number {
    return this.groups.size;
  }

  keys(): IterableIterator<string> {
    return this.groups.keys();
  }

  entries(): IterableIterator<[string, LogHistogram]> {
    return this.groups.entries();
  }

  [Symbol.iterator](): IterableIterator<[string, LogHistogram]> {
    return this.groups.entries();
  }

  /** Merges every group of `other` into the group of the same key here. Returns this. */
  merge(other: GroupedStats): this {
    for (const [key, h] of other.groups) {
      this.get(key).merge(h);
    }
    return this;
  }

  /** A new histogram holding the values of all groups. */
  total(): LogHistogram {
    const all = new LogHistogram();
    for (const h of this.groups.values()) {
      all.merge(h);
    }
    return all;
  }

  toJSON(): GroupedStatsJSON {
    return { groups: [...this.groups].map(([key, h]) => [key, h.toJSON()] as const) };
  }

  static fromJSON(data: unknown): Result<GroupedStats, string> {
    if (typeof data !== 'object' || data === null || !('groups' in data) || !Array.isArray(data.groups)) {
      return err('grouped stats: not an object with a groups array');
    }
    const out = new GroupedStats();
    for (const entry of data.groups as unknown[]) {
      if (!Array.isArray(entry) || entry.length !== 2) {
        return err('grouped stats: group is not a [key, histogram] pair');
      }
      const [key, json] = entry as unknown[];
      if (typeof key !== 'string') {
        return err('grouped stats: key is not a string');
      }
      if (out.groups.has(key)) {
        return err(`grouped stats: duplicate key ${JSON.stringify(key)}`);
      }
      const h = LogHistogram.fromJSON(json);
      if (!h.ok) {
        return err(`grouped stats: ${JSON.stringify(key)}: ${h.error}`);
      }
      out.groups.set(key, h.value);
    }
    return ok(out);
  }
}
