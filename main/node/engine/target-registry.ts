/**
 * The targets the app offers: this machine (always), the ones the user saved (STATE_DIR/
 * targets.json, see targets-store.ts), and the plain Host aliases of ~/.ssh/config. Saved
 * targets can be added, edited and deleted; `local` and ssh_config hosts are read-only here
 * (editing an ssh_config host saves a copy of it). Addresses are checked with the parser
 * `lockscope trace --target` uses, since they reach ssh's command line.
 */
import { readFileSync } from 'node:fs';
import type { AppResult, PreflightReport, TargetEntry } from '../../core/app/app-contract.js';
import { sshConfigHosts } from '../../core/app/ssh-config-hosts.js';
import { addressSlug, checkTargetAddress } from '../../core/app/target-address.js';
import type { SavedTarget } from '../../core/app/targets-file.js';
import type { Rule } from '../../core/rules/rule.js';
import { targetFor as cliTargetFor } from '../commands/preflight-command.js';
import type { PreflightOptions } from '../targets/preflight.js';
import type { Target } from '../targets/target.js';
import { DEFAULT_BIN_DIR, preflightReport } from './preflight-report.js';
import { TargetsStore } from './targets-store.js';

export const LOCAL_TARGET: TargetEntry = { id: 'local', address: 'local', label: 'This machine', fromSshConfig: false };
const SSH_CONFIG_PREFIX = 'ssh-config:';

export interface TargetRegistryOptions {
  readonly rules?: readonly Rule[];
  /** Makes the Target for an address (tests give fake ones); default: local or SSH as `lockscope trace` does. */
  readonly targetFor?: (address: string) => Target;
  /** The helper binaries (default build/bpf/). */
  readonly binDir?: string;
  readonly preflight?: PreflightOptions;
}

function bad(message: string): { readonly ok: false; readonly error: { readonly code: 'bad_request'; readonly message: string } } {
  return { ok: false, error: { code: 'bad_request', message } };
}

export class TargetRegistry {
  private readonly store: TargetsStore;
  readonly binDir: string;

  constructor(
    readonly stateDir: string,
    readonly sshConfig: string | undefined,
    private readonly o: TargetRegistryOptions = {},
  ) {
    this.store = new TargetsStore(stateDir);
    this.binDir = o.binDir ?? DEFAULT_BIN_DIR;
  }

  /** The hosts of the ssh_config file (none when there is no file). */
  private sshHosts(): readonly TargetEntry[] {
    if (this.sshConfig === undefined) {
      return [];
    }
    let text: string;
    try {
      text = readFileSync(this.sshConfig, 'utf8');
    } catch {
      return [];
    }
    return sshConfigHosts(text).map((h) => ({ id: `${SSH_CONFIG_PREFIX}${addressSlug(h)}`, address: h, label: h, fromSshConfig: true }));
  }

  private saved(): AppResult<readonly SavedTarget[]> {
    const r = this.store.read();
    return r.ok ? r : { ok: false, error: { code: 'target_failed', message: r.error } };
  }

  /** Every target: local, the saved ones, then ssh_config hosts not saved under the same address. */
  private all(): AppResult<readonly TargetEntry[]> {
    const saved = this.saved();
    if (!saved.ok) {
      return saved;
    }
    const entries: TargetEntry[] = [LOCAL_TARGET, ...saved.value.map((t) => ({ ...t, fromSshConfig: false }))];
    for (const h of this.sshHosts()) {
      if (!entries.some((e) => e.address === h.address)) {
        entries.push(h);
      }
    }
    return { ok: true, value: entries };
  }

  list(): Promise<AppResult<readonly TargetEntry[]>> {
    return Promise.resolve(this.all());
  }

  /** One target by id. `local` and ssh_config hosts are found even when targets.json is damaged. */
  entry(targetId: string): AppResult<TargetEntry> {
    if (targetId === LOCAL_TARGET.id) {
      return { ok: true, value: LOCAL_TARGET };
    }
    const all = this.all();
    const found = (all.ok ? all.value : this.sshHosts()).find((e) => e.id === targetId);
    if (found !== undefined) {
      return { ok: true, value: found };
    }
    return all.ok ? { ok: false, error: { code: 'not_found', message: `no target ${targetId}; it may have been deleted — choose one from the list` } } : all;
  }

  /** The Target behind an entry. */
  targetOf(entry: TargetEntry): Target {
    return this.o.targetFor === undefined ? cliTargetFor(entry.address, this.sshConfig) : this.o.targetFor(entry.address);
  }

  save(a: { readonly id: string | undefined; readonly address: string; readonly label: string }): Promise<AppResult<TargetEntry>> {
    return Promise.resolve(this.saveNow(a));
  }

  private saveNow(a: { readonly id: string | undefined; readonly address: string; readonly label: string }): AppResult<TargetEntry> {
    if (a.id === LOCAL_TARGET.id) {
      return bad('local (this machine) is built in and cannot be changed; add another target instead');
    }
    const address = checkTargetAddress(a.address);
    if (!address.ok) {
      return bad(address.error);
    }
    if (address.value === 'local') {
      return bad('this machine is already a target (local); give an ssh:// address or an ssh alias');
    }
    const saved = this.saved();
    if (!saved.ok) {
      return saved;
    }
    const list = [...saved.value];
    const label = a.label.trim() === '' ? address.value : a.label.trim();
    const index = a.id === undefined ? -1 : list.findIndex((t) => t.id === a.id);
    if (a.id !== undefined && index < 0 && !a.id.startsWith(SSH_CONFIG_PREFIX)) {
      return { ok: false, error: { code: 'not_found', message: `no saved target ${a.id}; it may have been deleted — add it again` } };
    }
    const clash = list.find((t, i) => t.address === address.value && i !== index);
    if (clash !== undefined) {
      return bad(`${address.value} is already saved as "${clash.label}"; edit that one instead`);
    }
    let entry: SavedTarget;
    const existing = list[index];
    if (existing !== undefined) {
      entry = { id: existing.id, address: address.value, label };
      list[index] = entry;
    } else {
      entry = { id: this.freshId(address.value, list), address: address.value, label };
      list.push(entry);
    }
    const written = this.store.write(list);
    if (!written.ok) {
      return { ok: false, error: { code: 'target_failed', message: `the target was not saved: ${written.error}` } };
    }
    return { ok: true, value: { ...entry, fromSshConfig: false } };
  }

  private freshId(address: string, list: readonly SavedTarget[]): string {
    const base = addressSlug(address).slice(0, 100);
    let id = base === LOCAL_TARGET.id ? `${base}-host` : base;
    for (let n = 2; list.some((t) => t.id === id); n++) {
      id = `${base}-${n}`;
    }
    return id;
  }

  remove(targetId: string): Promise<AppResult<null>> {
    if (targetId === LOCAL_TARGET.id) {
      return Promise.resolve(bad('local (this machine) is built in and cannot be deleted'));
    }
    if (targetId.startsWith(SSH_CONFIG_PREFIX)) {
      return Promise.resolve(bad(`${targetId.slice(SSH_CONFIG_PREFIX.length)} comes from ${this.sshConfig ?? '~/.ssh/config'}; remove its Host entry there`));
    }
    const saved = this.saved();
    if (!saved.ok) {
      return Promise.resolve(saved);
    }
    const list = saved.value.filter((t) => t.id !== targetId);
    if (list.length === saved.value.length) {
      return Promise.resolve({ ok: false, error: { code: 'not_found', message: `no saved target ${targetId}` } });
    }
    const written = this.store.write(list);
    return Promise.resolve(written.ok ? { ok: true, value: null } : { ok: false, error: { code: 'target_failed', message: `the target was not deleted: ${written.error}` } });
  }

  async preflight(targetId: string): Promise<AppResult<PreflightReport>> {
    const entry = this.entry(targetId);
    if (!entry.ok) {
      return entry;
    }
    return preflightReport(targetId, this.targetOf(entry.value), { rules: this.o.rules ?? [], binDir: this.binDir, ...(this.o.preflight === undefined ? {} : { preflight: this.o.preflight }) });
  }
}
