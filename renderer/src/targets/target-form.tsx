/** Adding or editing a saved target: its address (checked by the engine, which says what is wrong) and a label. */
import { useState } from 'preact/hooks';
import type { AppError, TargetEntry } from '../../../main/core/app/app-contract.js';
import { api } from '../bridge.js';

export function TargetForm(p: {
  readonly editing: TargetEntry | undefined;
  readonly onSaved: (t: TargetEntry) => void;
  readonly onCancel: () => void;
  readonly notify: (e: AppError) => void;
}) {
  const [address, setAddress] = useState(p.editing?.address ?? '');
  const [label, setLabel] = useState(p.editing?.fromSshConfig === true ? '' : (p.editing?.label ?? ''));
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);

  const save = async (): Promise<void> => {
    setSaving(true);
    const r = await api.saveTarget({ id: p.editing?.id, address: address.trim(), label: label.trim() });
    setSaving(false);
    if (r.ok) {
      setProblem(undefined);
      p.onSaved(r.value);
    } else if (r.error.code === 'bad_request' || r.error.code === 'not_found') {
      setProblem(r.error.message);
    } else {
      p.notify(r.error);
    }
  };

  return (
    <form
      class="target-form panel"
      data-testid="target-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>{p.editing === undefined ? 'Add a target' : p.editing.fromSshConfig ? `Save ${p.editing.address} (from ssh config) as a target` : `Edit ${p.editing.label}`}</h3>
      <label>
        Address
        <input
          name="address"
          value={address}
          placeholder="ssh://root@host:22 or an ssh alias"
          spellcheck={false}
          autoComplete="off"
          onInput={(e) => {
            setAddress(e.currentTarget.value);
          }}
        />
      </label>
      <label>
        Label
        <input
          name="label"
          value={label}
          placeholder="(the address)"
          onInput={(e) => {
            setLabel(e.currentTarget.value);
          }}
        />
      </label>
      <p class="hint">local, ssh://[user@]host[:port], or a Host alias from ~/.ssh/config. Sessions run bpftrace as root there (directly, or through sudo -n).</p>
      {problem === undefined ? null : (
        <p class="form-problem" role="alert" data-testid="target-form-problem">
          {problem}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
