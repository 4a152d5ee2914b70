/**
 * One capture analysed for the app: the items of a capture go in (from a file, an upload or a
 * live session), and what the views need comes out — the summary, every walk record with its
 * evidence, and the event columns the timeline reads. Pure: the shells feed it bytes.
 *
 * A walk record given again for the same index and rule replaces the earlier one (the analysis
 * withdrew a verdict when a late event fell inside its window), so the table never shows a
 * verdict the analysis took back.
 */
import type { AnalysisSummary } from '../analysis/analysis-summary.js';
import { Analyzer } from '../analysis/analyzer.js';
import type { WalkRecord } from '../analysis/verdict.js';
import type { CaptureItem } from '../capture/capture-decoder.js';
import type { EventColumns } from '../capture/event-columns.js';
import type { CaptureHeader } from '../capture/header.js';
import type { Rule } from '../rules/rule.js';

export class CaptureAnalysis {
  private analyzer: Analyzer | undefined;
  private headerSeen: CaptureHeader | undefined;
  /** Per rule, records by walk index (index 1 at slot 0). */
  private readonly byRule = new Map<string, (WalkRecord | undefined)[]>();
  readonly batches: EventColumns[] = [];
  private eventCount = 0;
  private finished = false;
  private recordsGiven = 0;

  constructor(private readonly rules: readonly Rule[]) {}

  get header(): CaptureHeader | undefined {
    return this.headerSeen;
  }

  /** The analysis itself (timing statistics, tally); undefined before the header. */
  get analyzerState(): Analyzer | undefined {
    return this.analyzer;
  }

  get events(): number {
    return this.eventCount;
  }

  /** Changes whenever a walk record is added or replaced: what the walk tables cached from walks() is stale once it moves. */
  get revision(): number {
    return this.recordsGiven;
  }

  item(item: CaptureItem): void {
    switch (item.type) {
      case 'header':
        if (this.analyzer === undefined) {
          this.headerSeen = item.header;
          this.analyzer = new Analyzer(item.header, { rules: this.rules, evidence: true }, (w) => {
            this.record(w);
          });
        }
        break;
      case 'events':
        if (this.analyzer !== undefined) {
          this.analyzer.pushColumns(item.columns);
          this.batches.push(item.columns);
          this.eventCount += item.columns.count;
        }
        break;
      case 'footer':
        break;
    }
  }

  private record(w: WalkRecord): void {
    this.recordsGiven++;
    let list = this.byRule.get(w.rule);
    if (list === undefined) {
      list = [];
      this.byRule.set(w.rule, list);
    }
    list[w.index - 1] = w;
  }

  /** Judges what is still waiting; no more items after this. */
  finish(): void {
    if (!this.finished) {
      this.finished = true;
      this.analyzer?.finish();
    }
  }

  /** undefined when no header arrived (no usable capture). */
  summary(): AnalysisSummary | undefined {
    return this.analyzer?.tally.summary();
  }

  /** The rules with walks, in the order given. */
  ruleIds(): readonly string[] {
    return this.rules.map((r) => r.id).filter((id) => this.byRule.has(id));
  }

  /** The records of one rule by index; holes are walks not yet decided. */
  walks(rule: string): readonly (WalkRecord | undefined)[] {
    return this.byRule.get(rule) ?? [];
  }

  walk(rule: string, index: number): WalkRecord | undefined {
    return this.byRule.get(rule)?.[index - 1];
  }
}
