/**
 * The three captured machines' preflight facts (test/fixtures/preflight, through fake targets)
 * and their kernels' BTF layouts (test/fixtures/btf), as the probe planner's input.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { KernelLayout, LayoutError } from '../../main/core/plan/kernel-layout.js';
import { kernelLayoutFromBtf } from '../../main/core/plan/kernel-layout.js';
import type { TargetFacts } from '../../main/core/target/target-facts.js';
import { parseBtf } from '../../main/core/target/btf.js';
import type { Result } from '../../main/core/util/result.js';
import { collectPreflight } from '../../main/node/targets/preflight.js';
import { fakeMachine } from './fake-machines.js';
import type { Machine } from './preflight-fixtures.js';

export const BTF_FILES: Readonly<Record<Machine, string>> = {
  'debian-6.1': 'debian-6.1.0-56-amd64.btf.gz',
  'debian-sid-7.2': 'debian-7.2.13+deb14-amd64.btf.gz',
  'host-6.18': 'host-6.18.44-fc-v782.btf.gz',
};

const layouts = new Map<Machine, Result<KernelLayout, readonly LayoutError[]>>();

export function machineLayout(machine: Machine): Result<KernelLayout, readonly LayoutError[]> {
  const known = layouts.get(machine);
  if (known !== undefined) {
    return known;
  }
  const bytes = new Uint8Array(gunzipSync(readFileSync(`test/fixtures/btf/${BTF_FILES[machine]}`)));
  const btf = parseBtf(bytes);
  if (!btf.ok) {
    throw new Error(`fixture BTF ${machine} does not parse`);
  }
  const layout = kernelLayoutFromBtf(btf.value);
  layouts.set(machine, layout);
  return layout;
}

export async function machineFacts(machine: Machine): Promise<TargetFacts> {
  const { facts } = await collectPreflight(fakeMachine(machine));
  return facts;
}
