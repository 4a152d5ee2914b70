/** Runs the analysis over a capture file: the shared step of `analyze` and `inspect`. */
import { readFileSync } from 'node:fs';
import { Analyzer } from '../../core/analysis/analyzer.js';
import type { AnalysisSummary } from '../../core/analysis/analysis-summary.js';
import type { WalkRecord } from '../../core/analysis/verdict.js';
import type { CaptureEnd } from '../../core/capture/capture-decoder.js';
import type { CaptureHeader } from '../../core/capture/header.js';
import { DEFAULT_RULES_JSON } from '../../core/rules/default-rules.js';
import type { Rule } from '../../core/rules/rule.js';
import { describeRuleError, parseRules } from '../../core/rules/rule.js';
import { parseDurationNs } from '../../core/util/parse-duration.js';
import { fileNotes, readCaptureFile, describeOpenError } from '../capture-file.js';
import { CliError } from '../cli-error.js';
import { eventsOf } from '../../core/capture/event-columns.js';
import type { CaptureEvent } from '../../core/capture/events.js';

export interface RunOptions {
  readonly rulesFile: string | undefined;
  readonly reorderHorizon: string | undefined;
  /** Records carry their evidence (inspect); a summary alone does not need it. */
  readonly evidence?: boolean;
}

export interface AnalysisRun {
  readonly header: CaptureHeader;
  readonly summary: AnalysisSummary;
  readonly end: CaptureEnd;
  readonly notes: readonly string[];
  readonly analyzer: Analyzer;
}

export function loadRules(file: string | undefined): readonly Rule[] {
  let text = DEFAULT_RULES_JSON;
  if (file !== undefined) {
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new CliError(describeOpenError(e, file, 'read'));
    }
  }
  const parsed = parseRules(text);
  if (!parsed.ok) {
    throw new CliError(describeRuleError(parsed.error, file ?? 'built-in rules'));
  }
  return parsed.value;
}

export function horizonNs(text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const ns = parseDurationNs(text);
  if (ns === undefined || ns <= 0) {
    throw new CliError(`--reorder-horizon ${text}: not a duration; write it like 500ms, 2s or 250us`);
  }
  return ns;
}

export function runAnalysis(
  file: string,
  o: RunOptions,
  onWalk: (w: WalkRecord) => void,
  onEvents?: (events: readonly CaptureEvent[], header: CaptureHeader) => void,
): AnalysisRun {
  const rules = loadRules(o.rulesFile);
  const reorderHorizonNs = horizonNs(o.reorderHorizon);
  let analyzer: Analyzer | undefined;
  let header: CaptureHeader | undefined;
  const end = readCaptureFile(file, (item) => {
    switch (item.type) {
      case 'header':
        header = item.header;
        analyzer = new Analyzer(item.header, { rules, evidence: o.evidence ?? true, ...(reorderHorizonNs === undefined ? {} : { reorderHorizonNs }) }, onWalk);
        break;
      case 'events':
        analyzer?.pushColumns(item.columns);
        if (onEvents !== undefined && header !== undefined) {
          onEvents(eventsOf(item.columns), header);
        }
        break;
      case 'footer':
        break;
    }
  });
  if (analyzer === undefined || header === undefined) {
    throw new CliError(`${file}: the capture has no header; it holds no usable events`);
  }
  analyzer.finish();
  return { header, summary: analyzer.tally.summary(), end, notes: fileNotes(end, file), analyzer };
}
