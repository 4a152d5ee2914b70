/**
 * The two helper programs a session copies to its target — the probe-miss reader and the
 * linkstorm workload — and where they come from: the static x86-64 binaries `npm run
 * build:workload` makes (production hosts rarely have compilers), or, on a target of another
 * architecture, built there from their C sources when it has a C compiler. Without either, the
 * session runs without them and says what that costs (walks UNKNOWN; no bundled workload).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Target } from '../targets/target.js';
import { describeTargetError } from '../targets/target-error.js';

export type HelperSource =
  | { readonly kind: 'prebuilt'; readonly binDir: string }
  | { readonly kind: 'build_on_target'; readonly compiler: string }
  | { readonly kind: 'none'; readonly why: string };

export const HELPER_SOURCES = { missReader: 'lsmiss.c', workload: 'linkstorm.c' } as const;
const SOURCE_DIR = fileURLToPath(new URL('../../../../bpf/workload/', import.meta.url));
const PREBUILT_ARCH = 'x86_64';

/** Decides where the helpers come from, before anything is planned. */
export async function helperSource(target: Target, arch: string | undefined, binDir: string, timeoutMs: number): Promise<HelperSource> {
  if (arch === PREBUILT_ARCH) {
    return existsSync(`${binDir}lockscope-misses`) && existsSync(`${binDir}linkstorm`)
      ? { kind: 'prebuilt', binDir }
      : { kind: 'none', why: `no helper binaries in ${binDir} (run: npm run build:workload)` };
  }
  const cc = await target.exec(['sh', '-c', 'command -v cc || command -v gcc'], { timeoutMs });
  const found = cc.ok && cc.value.code === 0 ? new TextDecoder().decode(cc.value.stdout).trim().split('\n')[0] : undefined;
  if (found === undefined || found === '') {
    return { kind: 'none', why: `the bundled helpers are x86-64 binaries, ${target.name} is ${arch ?? 'of unknown architecture'} and has no C compiler to build them` };
  }
  return { kind: 'build_on_target', compiler: found };
}

function localSource(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${SOURCE_DIR}${name}`));
}

export type Put = (path: string, bytes: Uint8Array, mode: string) => Promise<void>;

/**
 * Places one helper at `dest` on the target: copies the prebuilt binary, or copies its source
 * and compiles it there. Returns an error text when it could not (the caller decides the cost).
 */
export async function placeHelper(target: Target, src: HelperSource, which: keyof typeof HELPER_SOURCES, dest: string, put: Put): Promise<string | undefined> {
  switch (src.kind) {
    case 'none':
      return src.why;
    case 'prebuilt': {
      const file = `${src.binDir}${which === 'missReader' ? 'lockscope-misses' : 'linkstorm'}`;
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch {
        return `${file} is missing (run: npm run build:workload)`;
      }
      await put(dest, bytes, '700');
      return undefined;
    }
    case 'build_on_target': {
      const source = `${dest}.c`;
      await put(source, localSource(HELPER_SOURCES[which]), '600');
      const r = await target.exec([src.compiler, '-std=gnu11', '-O2', '-pthread', '-o', dest, source], { root: true, timeoutMs: 180_000 });
      if (!r.ok) {
        return `building ${HELPER_SOURCES[which]} on ${target.name}: ${describeTargetError(r.error)}`;
      }
      if (r.value.code !== 0) {
        return `building ${HELPER_SOURCES[which]} on ${target.name} with ${src.compiler} failed: ${r.value.stderr.trim().slice(-500)}`;
      }
      return undefined;
    }
  }
}
