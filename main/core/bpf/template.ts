/**
 * bpftrace templates: a template file is split into sections by lines `//== section NAME`, and a
 * section is filled by replacing each `{{KEY}}` with a value the generator has validated. A
 * placeholder left without a value, or a value given for no placeholder, is a bug in the
 * generator, not an input error: it throws.
 */
import { BPF_TEMPLATES } from './templates.generated.js';

const SECTION_LINE = /^\/\/== section ([a-z_]+)$/;

export type Sections = ReadonlyMap<string, string>;

export function parseSections(text: string): Sections {
  const sections = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const close = (): void => {
    if (name !== undefined) {
      sections.set(name, lines.join('\n').replace(/\n+$/, ''));
    }
  };
  for (const line of text.split('\n')) {
    const m = SECTION_LINE.exec(line);
    if (m !== null) {
      close();
      name = m[1];
      lines = [];
    } else {
      lines.push(line);
    }
  }
  close();
  return sections;
}

export function templateSections(file: string): Sections {
  const text = BPF_TEMPLATES[file];
  if (text === undefined) {
    throw new Error(`no bpftrace template ${file} (is templates.generated.ts stale?)`);
  }
  return parseSections(text);
}

/** Section `name` with every `{{KEY}}` replaced by `values[KEY]`. */
export function fill(sections: Sections, name: string, values: Readonly<Record<string, string>>): string {
  const text = sections.get(name);
  if (text === undefined) {
    throw new Error(`bpftrace template has no section ${name}`);
  }
  const used = new Set<string>();
  const out = text.replace(/\{\{([A-Z_]+)\}\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) {
      throw new Error(`bpftrace template section ${name}: no value for {{${key}}}`);
    }
    used.add(key);
    return v;
  });
  for (const key of Object.keys(values)) {
    if (!used.has(key)) {
      throw new Error(`bpftrace template section ${name}: value for {{${key}}} has no placeholder`);
    }
  }
  return out;
}
