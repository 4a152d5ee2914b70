/**
 * targets.json: the targets the user saved in the app, in the app's state directory. Parsed
 * strictly (a hand-edited or damaged file is reported, never silently replaced). Pure: the engine
 * reads and writes the file.
 *
 *   { "version": 1, "targets": [ { "id": "db1", "address": "ssh://root@db1", "label": "staging DB" } ] }
 */
import { z } from 'zod';
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';
import { checkTargetAddress } from './target-address.js';

export interface SavedTarget {
  readonly id: string;
  readonly address: string;
  readonly label: string;
}

const FILE = z
  .object({
    version: z.literal(1),
    targets: z.array(
      z
        .object({
          id: z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/),
          address: z.string().min(1).max(512),
          label: z.string().max(128),
        })
        .strict(),
    ),
  })
  .strict();

/** The saved targets, or what is wrong with the text (without the file's name: the caller adds it). */
export function parseTargetsFile(text: string): Result<readonly SavedTarget[], string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return err(`not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const parsed = FILE.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return err(`not a targets file: ${issue === undefined ? 'unexpected content' : `${issue.path.join('.') || '(top)'}: ${issue.message}`}`);
  }
  const seen = new Set<string>();
  for (const t of parsed.data.targets) {
    if (seen.has(t.id)) {
      return err(`the id ${t.id} is given twice`);
    }
    seen.add(t.id);
    const a = checkTargetAddress(t.address);
    if (!a.ok) {
      return err(`target ${t.id}: ${a.error}`);
    }
  }
  return ok(parsed.data.targets);
}

export function formatTargetsFile(targets: readonly SavedTarget[]): string {
  return `${JSON.stringify({ version: 1, targets: targets.map((t) => ({ id: t.id, address: t.address, label: t.label })) }, null, 2)}\n`;
}
