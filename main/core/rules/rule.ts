/**
 * Locking rules are data: which walks a rule covers and which locks it requires, as a small
 * JSON document, checked by one generic evaluator.
 */
import type { WalkSite } from '../capture/events.js';
import { WALK_SITES } from '../capture/events.js';
import type { Result } from '../util/result.js';
import { err, ok } from '../util/result.js';

/** Locks a window can name. Only `uring_lock` is traced by the current probe plans. */
export const LOCK_ROLES = ['uring_lock', 'timeout_lock'] as const;
export type LockRole = (typeof LOCK_ROLES)[number];

export type LockRequirement =
  | { readonly held: LockRole }
  | { readonly all: readonly LockRequirement[] }
  | { readonly any: readonly LockRequirement[] };

export interface Rule {
  readonly id: string;
  readonly title: string;
  /** Where the rule comes from (commit, thread). */
  readonly source: string;
  /** Which windows it judges: link walks at these sites. */
  readonly sites: readonly WalkSite[];
  readonly action: 'walk';
  readonly requires: LockRequirement;
}

export interface RuleError {
  readonly code: 'rule_json' | 'rule_shape';
  /** JSON path of the problem, e.g. "rules[0].requires.any[1]". */
  readonly path: string;
  readonly message: string;
}

export function describeRuleError(e: RuleError, file: string): string {
  return e.code === 'rule_json' ? `${file}: not JSON: ${e.message}` : `${file}: ${e.path}: ${e.message}`;
}

type Parsed<T> = Result<T, RuleError>;

function shape(path: string, message: string): { readonly ok: false; readonly error: RuleError } {
  return err({ code: 'rule_shape', path, message });
}

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseRequirement(v: unknown, path: string): Parsed<LockRequirement> {
  if (!isRecord(v)) {
    return shape(path, 'a requirement is an object: {"held": LOCK}, {"all": [...]} or {"any": [...]}');
  }
  const keys = Object.keys(v);
  if (keys.length !== 1) {
    return shape(path, `a requirement has exactly one key (held, all or any), found: ${keys.join(', ') || 'none'}`);
  }
  if ('held' in v) {
    const lock = LOCK_ROLES.find((r) => r === v.held);
    if (lock === undefined) {
      return shape(`${path}.held`, `unknown lock ${JSON.stringify(v.held)}; known: ${LOCK_ROLES.join(', ')}`);
    }
    return ok({ held: lock });
  }
  const key = 'all' in v ? 'all' : 'any' in v ? 'any' : undefined;
  if (key === undefined) {
    return shape(path, `unknown key "${keys[0] ?? ''}"; use held, all or any`);
  }
  const list = v[key];
  if (!Array.isArray(list) || list.length === 0) {
    return shape(`${path}.${key}`, 'must be a non-empty list of requirements');
  }
  const parts: LockRequirement[] = [];
  for (const [i, item] of list.entries()) {
    const r = parseRequirement(item, `${path}.${key}[${i}]`);
    if (!r.ok) {
      return r;
    }
    parts.push(r.value);
  }
  return ok(key === 'all' ? { all: parts } : { any: parts });
}

function parseRule(v: unknown, path: string): Parsed<Rule> {
  if (!isRecord(v)) {
    return shape(path, 'a rule is an object');
  }
  for (const key of ['id', 'title', 'source'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') {
      return shape(`${path}.${key}`, 'must be a non-empty string');
    }
  }
  if (v.action !== 'walk') {
    return shape(`${path}.action`, `unsupported action ${JSON.stringify(v.action)}; this version checks "walk"`);
  }
  if (!Array.isArray(v.sites) || v.sites.length === 0) {
    return shape(`${path}.sites`, `must be a non-empty list of: ${WALK_SITES.join(', ')}`);
  }
  const sites: WalkSite[] = [];
  for (const [i, s] of v.sites.entries()) {
    const site = WALK_SITES.find((w) => w === s);
    if (site === undefined) {
      return shape(`${path}.sites[${i}]`, `unknown site ${JSON.stringify(s)}; known: ${WALK_SITES.join(', ')}`);
    }
    sites.push(site);
  }
  const requires = parseRequirement(v.requires, `${path}.requires`);
  if (!requires.ok) {
    return requires;
  }
  return ok({ id: String(v.id), title: String(v.title), source: String(v.source), sites, action: 'walk', requires: requires.value });
}

/** Parses a rule file: {"rules": [...]}. */
export function parseRules(text: string): Parsed<readonly Rule[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return err({ code: 'rule_json', path: '', message: e instanceof Error ? e.message : String(e) });
  }
  if (!isRecord(doc) || !Array.isArray(doc.rules) || doc.rules.length === 0) {
    return shape('rules', 'a rule file is {"rules": [ ... ]} with at least one rule');
  }
  const rules: Rule[] = [];
  const ids = new Set<string>();
  for (const [i, r] of doc.rules.entries()) {
    const parsed = parseRule(r, `rules[${i}]`);
    if (!parsed.ok) {
      return parsed;
    }
    if (ids.has(parsed.value.id)) {
      return shape(`rules[${i}].id`, `duplicate rule id "${parsed.value.id}"`);
    }
    ids.add(parsed.value.id);
    rules.push(parsed.value);
  }
  return ok(rules);
}

/** Lock roles a requirement names. */
export function requiredLocks(r: LockRequirement): LockRole[] {
  if ('held' in r) {
    return [r.held];
  }
  return ('all' in r ? r.all : r.any).flatMap(requiredLocks);
}
